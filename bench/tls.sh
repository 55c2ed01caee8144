#!/usr/bin/env bash
# Plugin TLS: instructions per access in each TLS model, side by side with
# initial-exec (docs/tls.md explains the rows).  callgrind counts only
# tls-bench's timed loop (--toggle-collect), after the first touch, so the
# figures are the steady state and the same on every run.  Then the
# corruption test (tls-stress) under each allocator, preloaded as a shim
# that lists it ahead of libc would load it.
#
#   bench/tls.sh                       builds build-bench and runs the benchmark
#   bench/tls.sh TLS-BENCH TLS-STRESS MODEL=PLUGIN...   (what `meson test --benchmark` runs)
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
stress=$2
shift 2
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

# per_access MODEL ACCESS ACCESSES-PER-CALL
per_access() {
	awk -v ir="$(instructions "$1" "$2")" -v n="$n" -v k="$3" 'BEGIN { printf "%.4f", ir / n / k }'
}

# table HEADING ACCESSES-PER-CALL LABEL|MODEL:ACCESS...: one row a case, as
# a ratio to the first.
table() {
	local heading=$1 k=$2 ref="" case label per
	shift 2
	printf "%-52s %8s %8s\n" "$heading" "instr" "vs IE"
	for case in "$@"; do
		label=${case%|*}
		case=${case##*|}
		per=$(per_access "${case%%:*}" "${case#*:}" "$k")
		ref=${ref:-$per}
		awk -v l="$label" -v per="$per" -v ref="$ref" \
			'BEGIN { printf "%-52s %8.2f %7.2fx\n", l, per, per / ref }'
	done
}

models=("initial-exec (reference; not allowed in plugins)|initial-exec"
	"plugin template's flags (today)|template"
	"global-dynamic, -mtls-dialect=gnu|global-dynamic"
	"local-dynamic, -mtls-dialect=gnu|local-dynamic"
	"gnu2 descriptors, TLS in static surplus|gnu2"
	"gnu2 descriptors, dynamic TLS|gnu2-dynamic")
echo "instructions per TLS access (a call from the host into the plugin included; callgrind, $n calls)"
table "one variable per call" 1 "${models[@]/%/:one}" \
	"cached address (template's flags)|template:cached" \
	"host's initial-exec block, fetched per call|template:host-one" \
	"slot of the host's block, initial-exec|template:slot-one"
echo
table "four variables per call" 4 "${models[@]/%/:four}" \
	"host's initial-exec block, fetched per call|template:host-four" \
	"slot of the host's block, initial-exec|template:slot-four"

# The corruption test: runs processes of rounds, per model and allocator.
runs=50 rounds=10
echo
echo "corruption test: tls-stress, $runs processes of $rounds rounds of 8 threads, 64 KiB each"
printf "%-52s %10s %10s %10s\n" "" system jemalloc mimalloc
for model in template gnu2 host-slot; do
	printf "%-52s" "$model"
	for lib in "" libjemalloc.so.2 libmimalloc.so.2; do
		path=
		if [ -n "$lib" ]; then
			# awk reads to the end: an early exit would kill ldconfig
			# with SIGPIPE, and pipefail the script.
			path=$(ldconfig -p | awk -v l="$lib" '$1 == l && !found { print $NF; found = 1 }')
			if [ -z "$path" ]; then
				printf " %10s" "no $lib"
				continue
			fi
		fi
		passed=0
		for _ in $(seq "$runs"); do
			if LD_PRELOAD=$path "$stress" "${plugin[stress-$model]}" "$rounds" >/dev/null 2>&1; then
				passed=$((passed + 1))
			fi
		done
		printf " %10s" "$passed/$runs"
	done
	echo
done
