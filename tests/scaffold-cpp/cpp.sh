#!/bin/sh
# TAP: a C++ plugin scaffolded with --lang cpp, built with g++ and with
# clang++ (lld, LTO), against a host scaffolded with plugkit new host and
# installed with jemalloc inside:
#   - it builds warning-free and its own tests pass: memory made with new[]
#     in the plugin is delete[]d by the test program and the reverse, each
#     byte counted by the host's jemalloc (thread.allocated/deallocated);
#   - LD_DEBUG=bindings: operator new[]/delete[] of the plugin and of the
#     test program bind to the host library;
#   - the plugin exports its descriptor and nothing else;
#   - with operator new[] preloaded from glibc's heap, its test fails;
#   - broken on purpose (an executable stack), a plain `meson test` prints
#     the failing check's why and fix, as plugkit check's JSON has them.
# usage: cpp.sh PLUGKIT_SOURCE_ROOT LIBC_NEW_SO
set -u
src=$(cd "$1" && pwd)
libc_new=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log
. "$(dirname "$0")/../lib.sh"

lib=lib/$(cc -print-multiarch)
unset LD_LIBRARY_PATH PKG_CONFIG_PATH
P=$work/P
pk=$P/bin/plugkit
export PKG_CONFIG_PATH="$P/$lib/pkgconfig"
cd "$work"
step "plugkit installs" sh -c "meson setup pk-build '$src' --prefix='$P' -Dtests=false &&
	meson install -C pk-build"
step "a host scaffolded with jemalloc inside builds, passes its tests and installs" sh -c "
	'$pk' new host cxxhost && cd cxxhost && meson setup build --prefix='$P' &&
	meson test -C build --print-errorlogs && meson install -C build"
[ "$failed" = 0 ] || finish
step "plugkit new plugin --lang cpp" "$pk" new plugin cxx --host cxxhost --lang cpp

for compiler in g++ clang++; do
	b=build-$compiler
	if [ "$compiler" = g++ ]; then env="CXX=g++" opts=""; else env="CXX=clang++ CXX_LD=lld" opts="-Db_lto=true"; fi
	expect "$compiler: builds warning-free; new[] and delete[] cross both ways on the host's heap" 0 \
		"new/delete across the boundary: on the host's heap both ways" -- sh -c "cd cxx &&
		env $env meson setup $b -Dwerror=true $opts && meson test -C $b --print-errorlogs &&
		cat $b/meson-logs/testlog.txt"
	# Every operator new[]/delete[] reference of the plugin and of the
	# program: to the host library, and to nothing else.
	LD_DEBUG=bindings "cxx/$b/test-cxx" "cxx/$b/cxx.so" 2>&1 |
		grep -E "binding file [^ ]*(cxx\.so|test-cxx) .*\`_Z(na|da)" >"$work/bindings"
	if [ "$(grep -c 'cxx\.so .*_Znam' "$work/bindings")" = 1 ] &&
		[ "$(grep -c 'cxx\.so .*_ZdaPv' "$work/bindings")" = 1 ] &&
		[ "$(grep -c 'test-cxx .*_Znam' "$work/bindings")" = 1 ] &&
		[ "$(grep -c 'test-cxx .*_ZdaPv' "$work/bindings")" = 1 ] &&
		! grep -qv 'to [^ ]*/libcxxhost\.so\.1 ' "$work/bindings"; then
		ok "$compiler: operator new[] and delete[] of the plugin and the program bind to libcxxhost.so.1"
	else
		not_ok "$compiler: operator new[] and delete[] of the plugin and the program bind to libcxxhost.so.1"
		quote "$work/bindings"
	fi
	expect "$compiler: the plugin exports its descriptor and nothing else" 0 '^cxxhost_plugin$' -- sh -c "
		readelf -W --dyn-syms cxx/$b/cxx.so | awk '\$7 != \"UND\" && \$5 != \"LOCAL\" && NR > 3 { print \$8 }' |
		sed 's/@.*//' | sort -u | tr '\\n' ' ' | sed 's/ \$//'"
	expect "$compiler: with operator new[] on glibc's heap (preloaded), its test fails, naming it" '[!0]*' \
		'^FAIL: .*lands in [^ ]*libc-new\.so' -- env LD_PRELOAD="$libc_new" "cxx/$b/test-cxx" "cxx/$b/cxx.so"
done

# Broken on purpose: an executable stack, which the checklist fails.
cp -r cxx broken
rm -rf broken/build-*
step "broken on purpose (-z execstack), it builds" sh -c "
	cd broken && meson setup build -Dcpp_link_args=-Wl,-z,execstack"
(cd broken && meson test -C build plugkit-check) >"$work/console" 2>&1
# The plugin named as the test names it, so that the messages are the same.
(cd broken/build && "$pk" check --format json --shim "$P/bin/cxxhost" \
	--host "$P/$lib/libcxxhost.so.1" --entry cxxhost_plugin cxx.so) >"$work/json"
expect "a plain meson test prints the failing check and its what, why and fix" 0 '^ok$' \
	-- python3 -c '
import json, re, sys
console = open(sys.argv[1], encoding="utf-8").read()
failed = [c for c in json.load(open(sys.argv[2]))["checks"] if c["status"] == "fail"]
assert [c["id"] for c in failed] == ["exec-stack"], failed
for c in failed:
    assert re.search(r"exec-stack cxx\.so +FAIL", console), console
    for line in ("fail exec-stack: cxx.so", "what: " + c["message"], "why:  " + c["why"],
                 "fix:  " + c["fix"]):
        assert line in console, (line, console)
print("ok")' "$work/console" "$work/json"
finish
