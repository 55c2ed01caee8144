#!/bin/sh
# TAP: plugkit new's refusals and its all-or-nothing writing.  A bad name,
# an unknown host, a file in the way or a full disk must leave the
# directory byte for byte as it was.
# usage: scaffold.sh PLUGKIT
set -u
plugkit=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/w"
. "$(dirname "$0")/lib.sh"
cd "$tmp/w"
# A fingerprint of everything under the working directory.
snapshot() { find . | LC_ALL=C sort | while read -r f; do
	if [ -f "$f" ]; then printf '%s %s\n' "$f" "$(cksum <"$f")"; else printf '%s\n' "$f"; fi
done; }
unchanged() { snapshot >"$tmp/now"; cmp -s "$tmp/before" "$tmp/now"; }
refused() { "$plugkit" new "$@" >/dev/null 2>&1; [ $? -eq 2 ] && unchanged; }
# says ERE ARGS...: plugkit new ARGS exits 2 and its message matches ERE.
says() { pattern=$1; shift; "$plugkit" new "$@" >"$tmp/out" 2>&1; [ $? -eq 2 ] && grep -Eq -- "$pattern" "$tmp/out" && unchanged; }

# A host that pkg-config knows, as plugkit new host's .pc file describes it.
mkdir "$tmp/pc"
printf 'plugin_prefix=myhost\nplugin_entry=myhost_plugin\nName: myhost-plugin\nDescription: d\nVersion: 1\n' \
	>"$tmp/pc/myhost-plugin.pc"
export PKG_CONFIG_PATH="$tmp/pc"

mkdir myhost
printf 'my own notes\n' >myhost/README.md
snapshot >"$tmp/before"
check "a name that is not a C identifier (1host)" refused host 1host
check "a name that is not a C identifier (my-host)" refused host my-host
check "an empty name" refused host ''
for word in if true class delete and meson build_machine; do
	check "a C, C++ or Meson keyword ($word)" says 'keyword' host "$word"
done
# Names the generated meson.build files assign, headers their sources
# include: a project of that name would break (or shadow the header).
for word in cc plugkit host_plugin test_load example_plugin stdio plugkit_dep plugin_map; do
	check "a name the generated project uses itself ($word)" says 'uses itself' plugin "$word" --host myhost
done
check "an empty --dir" says '--dir is empty' host h --dir ''
check "an existing file: nothing written at all" refused host myhost
check "plugin without --host says which option is missing" says 'which host\? Add --host PKG' plugin hello
check "--host with a host kind" refused host other --host myhost
check "plugin for a host pkg-config does not know" refused plugin hello --host no-such-host-pkg
check "--host PKG-plugin suggests --host PKG" says 'did you mean --host myhost\?' plugin hello --host myhost-plugin
check "a host name that is not a package name" refused plugin hello --host '../etc'
check "--lang that has no skeleton" says 'no plugin skeleton for --lang fortran' plugin hello --host myhost --lang fortran
check "--lang cpp for a host" says 'no host skeleton for --lang cpp' host other --lang cpp
check "--plugkit-revision without --plugkit-url" says 'goes with --plugkit-url' host other --plugkit-revision main
check "--plugkit-url for a plugin" says 'are for a host' plugin hello --host myhost --plugkit-url /x

# A full disk, simulated by a file size limit (SIGXFSZ ignored, so write()
# fails with EFBIG): 2 or 4 KiB (ulimit's unit differs between shells), too
# small for the host's meson.build, big enough for the files before it.
full() { (trap '' XFSZ; ulimit -f 4; exec "$plugkit" new "$@") >"$tmp/out" 2>&1; }
is() { [ "$1" -eq "$2" ]; }
full host big
check "disk full, new directory: exit 1, saying nothing was written" is $? 1
check "... and the directory is as it was, no temporary left" unchanged
mkdir existing
printf 'keep\n' >existing/notes
snapshot >"$tmp/before"
full host big --dir existing
check "disk full, writing into an existing directory: exit 1" is $? 1
check "... and it is as it was, byte for byte" unchanged

check "--dry-run writes nothing" sh -c '"$1" new host other --dry-run | grep -q "would write other/meson.build" && [ ! -e other ]' _ "$plugkit"
check "--force overwrites" sh -c '"$1" new host myhost --force >/dev/null && ! grep -q "my own notes" myhost/README.md && [ -f myhost/meson.build ]' _ "$plugkit"
printf 'changed\n' >>myhost/meson.build
snapshot >"$tmp/before"
full host myhost --force
check "disk full under --force: exit 1" is $? 1
check "... and what it replaced is back, byte for byte" unchanged
check "--dir writes elsewhere" sh -c '"$1" new host other --dir elsewhere/x >/dev/null && [ -f elsewhere/x/src/other.c ] && [ ! -e other ]' _ "$plugkit"
check "a new project directory gets the umask's mode, not a temporary's" sh -c '[ "$(umask 022; "$1" new host moded >/dev/null; stat -c %a moded)" = 755 ]' _ "$plugkit"
check "--dir with a trailing slash" sh -c '"$1" new host slashed --dir slashed/ >/dev/null && [ -f slashed/meson.build ]' _ "$plugkit"
check "without --plugkit-url, no wrap" sh -c '[ ! -e elsewhere/x/subprojects ]'
check "with --plugkit-url, a wrap with that URL at head" sh -c '"$1" new host wrapped --plugkit-url /srv/plugkit.git >/dev/null &&
	grep -qx "url = /srv/plugkit.git" wrapped/subprojects/plugkit.wrap && grep -qx "revision = head" wrapped/subprojects/plugkit.wrap' _ "$plugkit"
check "--plugkit-revision sets the revision" sh -c '"$1" new host pinned --plugkit-url /srv/plugkit.git --plugkit-revision 1a2b3c >/dev/null &&
	grep -qx "revision = 1a2b3c" pinned/subprojects/plugkit.wrap' _ "$plugkit"
check "a C++ plugin: its source, test and version script" sh -c '"$1" new plugin cxx --host myhost --lang cpp >/dev/null &&
	[ -f cxx/cxx.cpp ] && [ -f cxx/tests/test-cxx.cpp ] && grep -q "extern \"C\" MYHOST_API const cxx_descriptor myhost_plugin" cxx/cxx.cpp &&
	grep -q "^	myhost_plugin plugin;" cxx/descriptor.h &&
	grep -q "version-script" cxx/meson.build' _ "$plugkit"
check "placeholders are all filled" sh -c '! grep -rqE "@(NAME|UPPER|HOST|PREFIX|PREFIX_UPPER|ENTRY|VERSION|WRAP_URL|WRAP_REVISION)@" elsewhere/x wrapped pinned cxx'
check "no staging directory is left anywhere" sh -c '! find . -name "*plugkit-*" | grep -q .'
check "plugkit help help" sh -c '"$1" help help | grep -q "Usage: plugkit help"' _ "$plugkit"
finish
