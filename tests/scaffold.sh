#!/bin/sh
# TAP: plugkit new's refusals.  A bad name, an unknown host or a file in
# the way must leave the directory byte for byte as it was.
# usage: scaffold.sh PLUGKIT
set -u
plugkit=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/w"
cd "$tmp/w"
n=0 failed=0
check() { desc=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $desc"; else failed=1; echo "not ok $n - $desc"; fi; }
# A fingerprint of everything under the working directory.
snapshot() { find . | LC_ALL=C sort | while read -r f; do
	if [ -f "$f" ]; then printf '%s %s\n' "$f" "$(cksum <"$f")"; else printf '%s\n' "$f"; fi
done; }
unchanged() { snapshot >"$tmp/now"; cmp -s "$tmp/before" "$tmp/now"; }
refused() { "$plugkit" new "$@" >/dev/null 2>&1; [ $? -eq 2 ] && unchanged; }

mkdir myhost
printf 'my own notes\n' >myhost/README.md
snapshot >"$tmp/before"
check "a name that is not a C identifier (1host)" refused host 1host
check "a name that is not a C identifier (my-host)" refused host my-host
check "an empty name" refused host ''
check "an existing file: nothing written at all" refused host myhost
check "plugin without --host" refused plugin hello
check "--host with a host kind" refused host other --host myhost
check "plugin for a host pkg-config does not know" refused plugin hello --host no-such-host-pkg
check "a host name that is not a package name" refused plugin hello --host '../etc'
check "--dry-run writes nothing" sh -c '"$1" new host other --dry-run | grep -q "would write other/meson.build" && [ ! -e other ]' _ "$plugkit"
check "--force overwrites" sh -c '"$1" new host myhost --force >/dev/null && ! grep -q "my own notes" myhost/README.md && [ -f myhost/meson.build ]' _ "$plugkit"
check "--dir writes elsewhere" sh -c '"$1" new host other --dir elsewhere/x >/dev/null && [ -f elsewhere/x/src/other.c ] && [ ! -e other ]' _ "$plugkit"
check "placeholders are all filled" sh -c '! grep -rq "@NAME@\|@UPPER@\|@VERSION@\|@PLUGKIT_URL@" elsewhere/x'
echo "1..$n"
exit $failed
