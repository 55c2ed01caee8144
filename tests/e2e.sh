#!/bin/sh
# TAP: adopting plugkit end to end, in a scratch directory.
#   plugkit installed -> plugkit new host -> build, test, install to prefix A
#   -> plugkit new plugin against the installed host (PKG_CONFIG_PATH only)
#   -> build, test, install -> the host loads it, on the host heap
#   -> plugkit check passes on the installed tree -> move A to B: still so
#   -> a prebuilt plugin with a foreign absolute RUNPATH fails the check,
#      plugkit rpath fixes it, it loads from the moved prefix
#   -> the same host and plugin sources with plugkit as a Meson subproject.
# usage: e2e.sh PLUGKIT_SOURCE_ROOT
set -u
src=$(cd "$1" && pwd)
. "$(dirname "$0")/tap.sh"
# expect DESC ERE COMMAND...: COMMAND succeeds and its output matches ERE.
expect() {
	desc=$1 pattern=$2
	shift 2
	if "$@" >"$log" 2>&1 && grep -Eq -- "$pattern" "$log"; then ok "$desc"; else not_ok "$desc"; fi
}

multiarch=$(cc -print-multiarch)
lib=lib/$multiarch
export PATH="$work/pk/bin:$PATH"
export PKG_CONFIG_PATH="$work/pk/share/pkgconfig:$work/pk/$lib/pkgconfig"
unset LD_LIBRARY_PATH

step "plugkit installs" sh -c "meson setup '$work/pk-build' '$src' --prefix='$work/pk' -Dtests=false &&
	meson install -C '$work/pk-build'"
[ "$failed" = 0 ] || finish

cd "$work"
step "plugkit new host" plugkit new host myhost
step "the host builds warning-free and passes its tests" sh -c "cd myhost &&
	meson setup build -Dwerror=true --prefix='$work/A' && meson test -C build --print-errorlogs"
step "the host installs" meson install -C myhost/build
export PKG_CONFIG_PATH="$work/A/$lib/pkgconfig:$PKG_CONFIG_PATH"

step "plugkit new plugin against the installed host" plugkit new plugin greeter --host myhost
step "the plugin builds warning-free and passes its tests" sh -c "cd greeter &&
	meson setup build -Dwerror=true && meson test -C build --print-errorlogs"
step "the plugin installs into the host's plugin directory" sh -c "meson install -C greeter/build &&
	test -f '$work/A/$lib/myhost/plugins/greeter.so'"

expect "the installed host loads it; its memory is on the host heap" \
	'greeter: hello, myhost, from greeter \[host heap\]' "$work/A/bin/myhost"
check_tree() {
	plugkit check --strict --shim "$1/bin/myhost" --host "$1/$lib/libmyhost.so.1" \
		--entry myhost_plugin "$1/$lib/myhost/plugins/"*.so
}
step "plugkit check passes on the installed tree" check_tree "$work/A"

mv "$work/A" "$work/B"
expect "moved to another prefix, it still loads" \
	'greeter: hello, myhost, from greeter \[host heap\]' "$work/B/bin/myhost"
step "moved, plugkit check still passes" check_tree "$work/B"

# A plugin built elsewhere: its RUNPATH names that machine's build tree.
prebuilt=$work/B/$lib/myhost/plugins/prebuilt.so
patchelf --set-rpath /home/builder/myhost/build --output "$prebuilt" "$work/B/$lib/myhost/plugins/greeter.so"
if check_tree "$work/B" >"$log" 2>&1; then
	not_ok "a prebuilt plugin with a build-tree RUNPATH fails plugkit check"
else
	grep -q 'search-path' "$log" && ok "a prebuilt plugin with a build-tree RUNPATH fails plugkit check" ||
		not_ok "a prebuilt plugin with a build-tree RUNPATH fails plugkit check"
fi
expect "plugkit rpath fixes it" 'DT_RUNPATH /home/builder/myhost/build -> \$ORIGIN/\.\./\.\.' \
	plugkit rpath --libdir "$work/B/$lib" "$prebuilt"
step "fixed, plugkit check passes" check_tree "$work/B"
mv "$work/B" "$work/C"
expect "fixed and moved again, the prebuilt plugin loads" \
	'greeter: hello, myhost, from greeter \[host heap\]' "$work/C/bin/myhost"
step "fixed and moved again, plugkit check passes" check_tree "$work/C"

# The same fix from a project's install, as a Meson install script, under
# DESTDIR: a prebuilt plugin shipped with install_data().
mkdir -p prebuilt-proj
patchelf --set-rpath /home/builder/myhost/build --output prebuilt-proj/prebuilt.so greeter/build/greeter.so
cat >prebuilt-proj/meson.build <<'MESON'
project('prebuilt', meson_version: '>= 1.0.1')
host_plugin = dependency('myhost-plugin')
plugindir = host_plugin.get_variable('plugindir')
install_data('prebuilt.so', install_dir: plugindir)
meson.add_install_script(find_program('plugkit'), 'rpath', '--meson',
  '--libdir', host_plugin.get_variable('libdir'), plugindir / 'prebuilt.so')
MESON
# (.pc files are not relocated: they still name the first prefix.)
staged=$work/stage$(PKG_CONFIG_PATH="$work/C/$lib/pkgconfig" pkg-config --variable=plugindir myhost-plugin)/prebuilt.so
step "an install script runs plugkit rpath under DESTDIR" sh -c "PKG_CONFIG_PATH='$work/C/$lib/pkgconfig' &&
	export PKG_CONFIG_PATH && cd prebuilt-proj && meson setup build --prefix='$work/C' &&
	meson install -C build --destdir '$work/stage' &&
	readelf -d '$staged' | grep -q 'RUNPATH.*\\[\\\$ORIGIN/\\.\\./\\.\\.\\]'"

# Subproject mode: the same host project and plugin source, plugkit taken
# from subprojects/ (forced, although it is installed too).
mkdir -p sub
cp -r myhost sub/ && rm -rf sub/myhost/build
mkdir -p sub/myhost/plugins/greeter
cp greeter/greeter.c sub/myhost/plugins/greeter/
sed 's/hello/greeter/g' myhost/plugins/hello/meson.build >sub/myhost/plugins/greeter/meson.build
printf "subdir('plugins/greeter')\n" >>sub/myhost/meson.build
ln -s "$src" sub/myhost/subprojects/plugkit
step "with plugkit as a subproject, the host and plugin build and pass their tests" sh -c "cd sub/myhost &&
	meson setup build -Dwerror=true --force-fallback-for=plugkit,plugkit-plugin,libplugkit &&
	grep -q 'Executing subproject plugkit' build/meson-logs/meson-log.txt &&
	meson compile -C build && meson test -C build --print-errorlogs"
expect "the subproject build loads the same plugin source on the host heap" \
	'greeter: hello, myhost, from greeter \[host heap\]' sub/myhost/build/myhost sub/myhost/build/plugins/greeter

finish
