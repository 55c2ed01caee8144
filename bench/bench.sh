#!/usr/bin/env bash
# plugkit's benchmarks, each beside its peer in one run, written to
# docs/benchmarks.md (bench/run.py does the measuring and says how).
#
#   1. `plugkit scan -R LIBDIR` beside `scanelf -R -q -F '%F %S %n %r %t %e'`
#      (pax-utils): interleaved wall and CPU time, callgrind instructions
#      of both, peak RSS.  `python3 bench/run.py --scan build-bench LIBDIR`
#      repeats this one comparison alone.
#   2. `plugkit check` on the example host with 1 to 5000 plugins
#      (instructions per further plugin), and with a 20k-entry ld.so.cache.
#   3. plugkit_open beside dlopen + dlsym (bench/open-bench.c, its own
#      interleaved pairs and callgrind counts): a fresh process's first
#      plugin, the first open of 1000 distinct plugins, reopening one, and
#      1000 in rotation.
# Plugin TLS has a bench of its own, bench/tls.sh (docs/tls.md).
#
# usage: bench/bench.sh [LIBDIR]   (default /usr/lib/x86_64-linux-gnu)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
. tools/packages.sh

libdir=${1:-/usr/lib/x86_64-linux-gnu}
ensure_packages "${build_packages[@]}" "${bench_packages[@]}"
# Its own build directory: a release build, without the test suite.
setup_build build-bench -Dbuildtype=release -Dtests=false >/dev/null
meson compile -C build-bench >/dev/null
meson compile -C build-bench open-bench no-sandbox >/dev/null

# A synthetic ld.so.cache of a big system: this machine's entries and 20000
# made up, compiled into a second build (PLUGKIT_LD_SO_CACHE is the path
# ldso.c reads; nothing else changes).
export PLUGKIT_BENCH_CACHE=$top/build-bench-cache/ld.so.cache
mkdir -p build-bench-cache
python3 bench/make-cache.py /etc/ld.so.cache "$PLUGKIT_BENCH_CACHE" 20000
setup_build build-bench-cache -Dbuildtype=release -Dtests=false \
	"-Dc_args=['-DPLUGKIT_LD_SO_CACHE=\"$PLUGKIT_BENCH_CACHE\"']" >/dev/null
meson compile -C build-bench-cache tools/plugkit/plugkit >/dev/null

# Copies, not links: each is a file of its own to open and parse.  Beside
# example-plugin/, so that $ORIGIN/../example-host still reaches the host.
work=build-bench/bench-plugins
mkdir -p "$work"
for i in $(seq -w 1 5000); do
	[ "$work/plugin-$i.so" -nt build-bench/example-plugin/example.so ] ||
		cp build-bench/example-plugin/example.so "$work/plugin-$i.so"
done

python3 bench/run.py build-bench build-bench-cache "$libdir" docs/benchmarks.md
