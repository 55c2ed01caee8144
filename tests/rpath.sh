#!/bin/sh
# TAP: plugkit rpath on installed copies of a plugin, and every way it can
# fail: each failure must leave the file byte for byte as it was.
# usage: rpath.sh PLUGKIT PLUGIN HOSTLIB
set -u
plugkit=$1 plugin=$2 hostlib=$3
tmp=$(mktemp -d)
trap 'umount "$tmp/full" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }

stage=$tmp/stage
libdir=/usr/lib/plugkit-test
plugdir=$stage$libdir/host/plugins
mkdir -p "$plugdir"
cp "$hostlib" "$stage$libdir/"
target=$plugdir/plugin.so
fresh() { cp "$plugin" "$target" && chmod 0751 "$target" && cp "$target" "$tmp/before"; }
runpath() { readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p'; }
unchanged() { cmp -s "$target" "$tmp/before"; }
no_leftovers() { [ -z "$(find "$plugdir" -name '*.plugkit-*')" ]; }
fake() { printf '#!/bin/sh\n%s\n' "$2" >"$tmp/$1" && chmod +x "$tmp/$1"; }

fresh
"$plugkit" rpath --destdir "$stage" --libdir "$libdir" "$target" >/dev/null
check "sets \$ORIGIN/../.. under DESTDIR" test "$(runpath "$target")" = '$ORIGIN/../..'
check "keeps the mode" test "$(stat -c %a "$target")" = 751
cp "$target" "$tmp/before"
out=$("$plugkit" rpath --destdir "$stage" --libdir "$libdir" "$target")
check "idempotent: a second run changes nothing" sh -c 'cmp -s "$1" "$2" && echo "$3" | grep -q already' _ "$target" "$tmp/before" "$out"

fresh
MESON_INSTALL_PREFIX=/usr DESTDIR=$stage "$plugkit" rpath --meson --libdir lib/plugkit-test lib/plugkit-test/host/plugins/plugin.so >/dev/null
check "--meson: DESTDIR and the prefix from Meson's environment" test "$(runpath "$target")" = '$ORIGIN/../..'

fresh
"$plugkit" rpath --dry-run --destdir "$stage" --libdir "$libdir" "$target" >/dev/null
check "--dry-run changes nothing" unchanged

fresh
fake killed 'kill -9 $$'
PLUGKIT_PATCHELF=$tmp/killed "$plugkit" rpath --destdir "$stage" --libdir "$libdir" "$target" >/dev/null 2>&1
check "patchelf killed: exit 1" test $? -eq 1
check "patchelf killed: original intact" unchanged
check "patchelf killed: no temporary left" no_leftovers

fresh
fake liar ': >"$3"; exit 0'
PLUGKIT_PATCHELF=$tmp/liar "$plugkit" rpath --destdir "$stage" --libdir "$libdir" "$target" >/dev/null 2>&1
check "patchelf truncates and says ok: exit 1" test $? -eq 1
check "patchelf truncates and says ok: original intact" unchanged
check "patchelf truncates and says ok: no temporary left" no_leftovers

fresh
"$plugkit" rpath --destdir "$stage" --libdir /usr/lib/plugkit-no-such-dir "$target" >/dev/null 2>&1
check "a result that fails search-path is not installed: exit 1" test $? -eq 1
check "a result that fails search-path is not installed: original intact" unchanged

printf 'not ELF\n' >"$plugdir/notes.so"
cp "$plugdir/notes.so" "$tmp/notes"
"$plugkit" rpath --libdir "$libdir" "$plugdir/notes.so" >/dev/null 2>&1
check "non-ELF input: exit 2" test $? -eq 2
check "non-ELF input: untouched" cmp -s "$plugdir/notes.so" "$tmp/notes"

mkdir -p "$tmp/build/meson-private" "$tmp/build/sub"
cp "$plugin" "$tmp/build/sub/plugin.so"
cp "$plugin" "$tmp/build-copy"
"$plugkit" rpath --libdir "$libdir" "$tmp/build/sub/plugin.so" >/dev/null 2>&1
check "a Meson build-tree output is refused: exit 2" test $? -eq 2
check "a Meson build-tree output is refused: untouched" cmp -s "$tmp/build/sub/plugin.so" "$tmp/build-copy"

# A full filesystem, where mounting a small tmpfs is allowed.
mkdir -p "$tmp/full"
if mount -t tmpfs -o size=$(( $(stat -c %s "$plugin") / 1024 + 8 ))k tmpfs "$tmp/full" 2>/dev/null; then
	mkdir -p "$tmp/full/lib/plugins"
	cp "$plugin" "$tmp/full/lib/plugins/plugin.so"
	cp "$plugin" "$tmp/full-before"
	"$plugkit" rpath --libdir "$tmp/full/lib" "$tmp/full/lib/plugins/plugin.so" >/dev/null 2>&1
	check "full filesystem: exit 1" test $? -eq 1
	check "full filesystem: original intact" cmp -s "$tmp/full/lib/plugins/plugin.so" "$tmp/full-before"
else
	n=$((n + 1)); echo "ok $n - # SKIP full filesystem: cannot mount a tmpfs here"
fi

echo "1..$n"
exit $failed
