#!/usr/bin/env bash
# plugkit's benchmarks, each run side by side with its peer in one go and
# reported as a ratio (docs/benchmarks.md has the last figures).  Nothing
# here asserts a time: machines are noisy.  Instruction counts come from
# callgrind, which gives the same figure on every run.
#
#   1. `plugkit check` on the example host plus 50 plugins, against the
#      same command on one plugin (what the other 49 cost).
#   2. The ELF reader over a whole library directory: `plugkit scan -R`
#      beside `scanelf -R` from pax-utils, printing the same fields (plugkit
#      also reads every dynamic symbol, version and relocation on the way).
#   3. plugkit_open against plain dlopen + dlsym on the example plugin:
#      a fresh process's first plugin, the first open of 1000 distinct
#      plugins, reopening one, and 1000 in rotation (bench/open-bench.c).
#
# usage: bench/bench.sh [LIBDIR]   (default /usr/lib/x86_64-linux-gnu)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
. tools/packages.sh

libdir=${1:-/usr/lib/x86_64-linux-gnu}
ensure_packages "${build_packages[@]}" valgrind hyperfine pax-utils
# Its own build directory: a release build, without the test suite.
setup_build build-bench -Dbuildtype=release -Dtests=false >/dev/null
meson compile -C build-bench >/dev/null
meson compile -C build-bench open-bench >/dev/null
plugkit=build-bench/tools/plugkit/plugkit

# Beside example-plugin/, so the copies' $ORIGIN/../example-host still
# reaches the host.
work=build-bench/bench-plugins
rm -rf "$work"
mkdir -p "$work"
for i in $(seq -w 1 50); do
	cp build-bench/example-plugin/example.so "$work/plugin-$i.so"
done
host_args=(--shim build-bench/example-host/example-host --host build-bench/example-host/libexamplehost.so.1
	--entry examplehost_plugin)

# instructions CMD...: callgrind's total instruction count for CMD.
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

echo "== plugkit check: example host + 50 plugins"
hyperfine -N --warmup 3 --runs 30 --style basic -n "check, 1 plugin" -n "check, 50 plugins" \
	"$plugkit check ${host_args[*]} $work/plugin-01.so" \
	"$plugkit check ${host_args[*]} $(echo "$work"/*.so)" | grep -Ev '^\s*$'
one=$(instructions "$plugkit" check "${host_args[@]}" "$work/plugin-01.so")
fifty=$(instructions "$plugkit" check "${host_args[@]}" "$work"/*.so)
echo "instructions: 1 plugin $one, 50 plugins $fifty ($(awk -v a="$fifty" -v b="$one" 'BEGIN { printf "%.2f", a / b }')x)"

echo
echo "== reader over $libdir: plugkit scan -R vs scanelf -R"
echo "files: $(find "$libdir" -type f | wc -l), ELF read by plugkit: $("$plugkit" scan -R "$libdir" | wc -l)"
hyperfine -N --warmup 2 --runs 15 --style basic -n "scanelf -R" -n "plugkit scan -R" \
	"scanelf -R -q -F '%F %S %n %r %t %e' $libdir" \
	"$plugkit scan -R $libdir" | grep -Ev '^\s*$'
# scanelf locks itself in a seccomp sandbox that kills it under valgrind
# (SIGSYS), so this pair has wall-clock ratios only; plugkit's own count:
echo "instructions: plugkit $(instructions "$plugkit" scan -R "$libdir") (scanelf: not measurable under valgrind)"

echo
echo "== plugkit_open vs dlopen + dlsym, example plugin: cold, first open, reopen, 1000 in rotation"
# Interleaved pairs and callgrind counts, side by side (bench/open-bench.c).
build-bench/bench/open-bench --pairs 9 --plugins 1000 "$(pwd)/build-bench/example-plugin/example.so"
