#!/bin/sh
# TAP: adopting plugkit end to end, in a scratch directory, as the docs say.
#   plugkit installed into prefix P (and nothing else) -> plugkit new host,
#   found through one PKG_CONFIG_PATH entry, plugkit not on PATH -> build,
#   test (gcc; clang with lld and LTO), install into P -> plugkit new plugin,
#   in C and C++ (gcc and clang, LTO, lld) -> the host loads them, on the host
#   heap -> plugkit check passes on the installed tree -> move P to Q: still
#   so, and a new plugin builds against Q -> a prebuilt plugin with a foreign
#   RUNPATH fails the check, plugkit rpath fixes it -> a host scaffolded with
#   --plugkit-url (a local git repository of this source) builds and passes
#   its tests with plugkit as a subproject, offline, and installs only its
#   own files -> without a URL or an installed plugkit, it says what to do.
# usage: e2e.sh PLUGKIT_SOURCE_ROOT
set -u
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log
. "$(dirname "$0")/lib.sh"
# build DIR [MESON SETUP ARGS...]: configure, build and test a project.
build() { dir=$1; shift; (cd "$dir" && meson setup "$@" && meson test -C "${1}" --print-errorlogs); }

multiarch=$(cc -print-multiarch)
lib=lib/$multiarch
unset LD_LIBRARY_PATH PKG_CONFIG_PATH
P=$work/P
pk=$P/bin/plugkit

step "plugkit installs" sh -c "meson setup '$work/pk-build' '$src' --prefix='$P' -Dtests=false &&
	meson install -C '$work/pk-build'"
[ "$failed" = 0 ] || finish
# plugkit's files and no others: no example host, its header or .pc files.
step "installing plugkit installs plugkit alone, every .pc in $lib/pkgconfig" sh -c "
	cd '$P' && find . -type f | sort >'$work/installed' &&
	! grep -Eiv '^\\./(bin/plugkit|include/plugkit\\.h|$lib/libplugkit\\.(a|so[.0-9]*)|$lib/pkgconfig/(plugkit|plugkit-plugin|libplugkit)\\.pc|share/plugkit/.*)\$' '$work/installed' &&
	grep -q plugkit.pc '$work/installed' && ! grep -q share/pkgconfig '$work/installed'"
step "no gcc-only flag in plugkit's .pc files" sh -c "! grep -E '^(Cflags|Libs):.*mtls' '$P/$lib/pkgconfig/'*.pc"

# One PKG_CONFIG_PATH entry; plugkit itself not on PATH (plugkit.pc names it).
export PKG_CONFIG_PATH="$P/$lib/pkgconfig"
cd "$work"
step "plugkit new host" "$pk" new host myhost
step "the host builds warning-free and passes its tests (plugkit found by pkg-config alone)" \
	build myhost build -Dwerror=true --prefix="$P"
step "the host builds with clang, lld and LTO, and passes its tests" \
	env CC=clang CC_LD=lld sh -c "cd myhost && meson setup build-clang -Dwerror=true -Db_lto=true &&
		meson test -C build-clang --print-errorlogs"
expect "a sanitizer build with the host's own allocator is refused, naming the fix" '[!0]*' \
	'-Dallocator=system' -- sh -c "cd myhost && meson setup build-asan -Db_sanitize=address"
step "the host installs next to plugkit" meson install -C myhost/build
step "its .pc files carry no gcc-only flag" sh -c "! grep -E '^(Cflags|Libs):.*mtls' '$P/$lib/pkgconfig/myhost'*.pc"

step "plugkit new plugin against the installed host" "$pk" new plugin greeter --host myhost
step "the plugin builds warning-free and passes its tests" build greeter build -Dwerror=true
# GCC's LTO objects need its linker plugin, which lld does not load.
i=0
for config in "CC=gcc -Db_lto=true" "CC=gcc CC_LD=lld" "CC=clang CC_LD=lld -Db_lto=true"; do
	i=$((i + 1))
	step "the plugin builds with $config and passes its tests" sh -c "cd greeter &&
		env ${config%% -D*} meson setup build-$i -Dwerror=true $(echo "$config" | grep -o -- '-D.*') &&
		meson test -C build-$i --print-errorlogs"
done
step "the plugin installs into the host's plugin directory" sh -c "meson install -C greeter/build &&
	test -f '$P/$lib/myhost/plugins/greeter.so'"

step "plugkit new plugin --lang cpp" "$pk" new plugin cgreeter --host myhost --lang cpp
step "the C++ plugin builds warning-free and passes its tests" build cgreeter build -Dwerror=true
step "the C++ plugin builds with clang++, lld and LTO and passes its tests" \
	env CXX=clang++ CXX_LD=lld sh -c "cd cgreeter && meson setup build-clang -Db_lto=true -Dwerror=true &&
		meson test -C build-clang --print-errorlogs"
expect "the C++ plugin exports its descriptor and nothing else" 0 '^1 myhost_plugin$' -- sh -c "
	readelf -W --dyn-syms cgreeter/build/cgreeter.so | awk '\$7 != \"UND\" && \$5 != \"LOCAL\" && NR > 3 { print \$8 }' |
	sed 's/@.*//' | sort -u | awk '{ n++; last = \$0 } END { print n, last }'"
expect "its operator new and delete bind to the host library" 0 \
	'cgreeter\.so .*libmyhost\.so\.1.*`_Znwm' -- sh -c "
	LD_DEBUG=bindings cgreeter/build/test-cgreeter cgreeter/build/cgreeter.so 2>&1 | grep -E '_Znwm|_ZdlPv'"
step "the C++ plugin installs" meson install -C cgreeter/build

expect "the installed host loads both; their memory is on the host heap" 0 \
	'cgreeter: hello, myhost, from cgreeter \[host heap\].*greeter: hello, myhost, from greeter \[host heap\]' \
	-- sh -c "'$P/bin/myhost' | tr '\\n' ' '"
check_tree() {
	"$pk" check --strict --shim "$1/bin/myhost" --host "$1/$lib/libmyhost.so.1" \
		--entry myhost_plugin "$1/$lib/myhost/plugins/"*.so
}
step "plugkit check passes on the installed tree" check_tree "$P"

mv "$P" "$work/Q"
P=$work/Q pk=$work/Q/bin/plugkit
export PKG_CONFIG_PATH="$P/$lib/pkgconfig"
expect "moved to another prefix, it still loads" 0 \
	'greeter: hello, myhost, from greeter \[host heap\]' -- "$P/bin/myhost"
step "moved, plugkit check still passes" check_tree "$P"
step "moved, a new plugin builds against it and passes its tests" sh -c "
	'$pk' new plugin later --host myhost && cd later && meson setup build -Dwerror=true &&
	meson test -C build --print-errorlogs && grep -q '$work/Q/' build/meson-logs/meson-log.txt"

# A plugin built elsewhere: its RUNPATH names that machine's build tree.
prebuilt=$P/$lib/myhost/plugins/prebuilt.so
patchelf --set-rpath /home/builder/myhost/build --output "$prebuilt" "$P/$lib/myhost/plugins/greeter.so"
expect "a prebuilt plugin with a build-tree RUNPATH fails plugkit check" '[!0]*' 'search-path' -- check_tree "$P"
expect "plugkit rpath fixes it" 0 'DT_RUNPATH /home/builder/myhost/build -> \$ORIGIN/\.\./\.\.' \
	-- "$pk" rpath --libdir "$P/$lib" "$prebuilt"
step "fixed, plugkit check passes" check_tree "$P"

# The same fix from a project's install, as a Meson install script, under
# DESTDIR: a prebuilt plugin shipped with install_data().
mkdir -p prebuilt-proj
patchelf --set-rpath /home/builder/myhost/build --output prebuilt-proj/prebuilt.so greeter/build/greeter.so
cat >prebuilt-proj/meson.build <<'MESON'
project('prebuilt', meson_version: '>= 1.0.1')
host_plugin = dependency('myhost-plugin')
plugindir = host_plugin.get_variable('plugindir')
install_data('prebuilt.so', install_dir: plugindir)
meson.add_install_script(find_program(dependency('plugkit').get_variable('plugkit')), 'rpath',
  '--meson', '--libdir', host_plugin.get_variable('libdir'), plugindir / 'prebuilt.so')
MESON
staged=$work/stage$P/$lib/myhost/plugins/prebuilt.so
step "an install script runs plugkit rpath under DESTDIR" sh -c "cd prebuilt-proj &&
	meson setup build --prefix='$P' && meson install -C build --destdir '$work/stage' &&
	readelf -d '$staged' | grep -q 'RUNPATH.*\\[\\\$ORIGIN/\\.\\./\\.\\.\\]'"

# Subproject mode: plugkit fetched from a git URL (a local repository of
# this very source, so the test is offline), nothing installed.
unset PKG_CONFIG_PATH
step "a git repository of plugkit" plugkit_repo "$src" "$work/plugkit.git"
step "plugkit new host --plugkit-url" "$pk" new host subhost --dir sub --plugkit-url "$work/plugkit.git"
step "with plugkit as a subproject from that URL, the host builds and passes its tests" sh -c "cd sub &&
	meson setup build -Dwerror=true --prefix='$work/S' &&
	grep -q 'Executing subproject plugkit' build/meson-logs/meson-log.txt &&
	meson test -C build --print-errorlogs"
expect "the subproject build loads its plugin on the host heap" 0 \
	'example: hello, subhost, from example \[host heap\]' -- sub/build/subhost sub/build/plugins/example
step "meson install installs the consumer's files, nothing of plugkit's" sh -c "
	meson install -C sub/build && cd '$work/S' && find . -type f | sort >'$work/sub-installed' &&
	grep -q libsubhost '$work/sub-installed' && ! grep -i plugkit '$work/sub-installed'"
step "plugkit new host without a URL writes no wrap" sh -c "'$pk' new host lone && test ! -e lone/subprojects"
expect "without an installed plugkit or a wrap, configuring says what to install or pass" '[!0]*' \
	'plugkit not found\. Install it .*--plugkit-url' -- sh -c "cd lone && meson setup build"

finish
