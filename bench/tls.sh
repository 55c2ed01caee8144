#!/usr/bin/env bash
# Plugin TLS: instructions per access in each TLS model, side by side with
# initial-exec (docs/tls.md explains the rows).  callgrind counts only
# tls-bench's timed loop (--toggle-collect), after the first touch, so the
# figures are the steady state and the same on every run.
#
#   bench/tls.sh                       builds build-bench and runs the benchmark
#   bench/tls.sh TLS-BENCH MODEL=PLUGIN...   (what `meson test --benchmark` runs)
set -euo pipefail

if [ $# -eq 0 ]; then
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	cd "$top"
	. tools/packages.sh
	ensure_packages "${build_packages[@]}" valgrind
	setup_build build-bench -Dbuildtype=release -Dtests=false >/dev/null
	exec meson test -C build-bench --benchmark --suite tls --verbose
fi

bench=$1
shift
declare -A plugin
for arg in "$@"; do
	plugin[${arg%%=*}]=${arg#*=}
done
n=100000

# instructions MODEL ACCESS: instructions of N calls of ACCESS in MODEL's plugin.
instructions() {
	local out
	out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect='tls_bench_run*' "$bench" "${plugin[$1]}" "$2" "$n" 2>&1) || {
		echo "$out" >&2
		echo "tls.sh: $1 $2 failed" >&2
		exit 1
	}
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out"
}

# row LABEL MODEL ACCESS ACCESSES-PER-CALL REFERENCE-PER-ACCESS
row() {
	local ir
	ir=$(instructions "$2" "$3")
	awk -v l="$1" -v ir="$ir" -v n="$n" -v k="$4" -v ref="$5" 'BEGIN {
		per = ir / n / k
		if (ref == "") ref = per
		printf "%-52s %8.2f %7.2fx\n", l, per, per / ref }'
}

per_access() {
	awk -v ir="$(instructions "$1" "$2")" -v n="$n" -v k="$3" 'BEGIN { printf "%.4f", ir / n / k }'
}

echo "instructions per TLS access (a call from the host into the plugin included; callgrind, $n calls)"
printf "%-52s %8s %8s\n" "one variable per call" "instr" "vs IE"
ie1=$(per_access initial-exec one 1)
row "initial-exec (reference; not allowed in plugins)" initial-exec one 1 "$ie1"
row "plugin template's flags (today)" template one 1 "$ie1"
row "global-dynamic, -mtls-dialect=gnu" global-dynamic one 1 "$ie1"
row "local-dynamic, -mtls-dialect=gnu" local-dynamic one 1 "$ie1"
row "gnu2 descriptors, TLS in static surplus" gnu2 one 1 "$ie1"
row "gnu2 descriptors, dynamic TLS" gnu2-dynamic one 1 "$ie1"
row "cached address (template's flags)" template cached 1 "$ie1"
row "host's initial-exec block, fetched per call" template host-one 1 "$ie1"
echo
printf "%-52s %8s %8s\n" "four variables per call" "instr" "vs IE"
ie4=$(per_access initial-exec four 4)
row "initial-exec (reference; not allowed in plugins)" initial-exec four 4 "$ie4"
row "plugin template's flags (today)" template four 4 "$ie4"
row "global-dynamic, -mtls-dialect=gnu" global-dynamic four 4 "$ie4"
row "local-dynamic, -mtls-dialect=gnu" local-dynamic four 4 "$ie4"
row "gnu2 descriptors, TLS in static surplus" gnu2 four 4 "$ie4"
row "gnu2 descriptors, dynamic TLS" gnu2-dynamic four 4 "$ie4"
row "host's initial-exec block, fetched per call" template host-four 4 "$ie4"
