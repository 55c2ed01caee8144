#!/bin/sh
# smoke.sh FUZZER CORPUS [RUNS [MAX_LEN]]: a short libFuzzer run from the
# committed corpus.  New inputs go to a scratch directory, so the checkout
# stays as it is; a crash leaves its input in the log and fails the test.
set -eu
fuzzer=$(realpath "$1") corpus=$(realpath "$2") runs=${3:-20000} max_len=${4:-16384}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
"$fuzzer" -runs="$runs" -max_total_time=120 -max_len="$max_len" -timeout=10 "$scratch" "$corpus"
