#!/bin/sh
# TAP: plugkit rpath on installed copies of a plugin, and every way it can
# fail: each failure must leave the file byte for byte as it was.
# usage: rpath.sh PLUGKIT PLUGIN HOSTLIB NO_TMPFILE_PRELOAD
set -u
plugkit=$1 plugin=$2 hostlib=$3 no_tmpfile=$4
tmp=$(mktemp -d)
trap 'umount "$tmp/full" "$tmp/ro" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

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

# A file system without O_TMPFILE (vfat, older NFS): a named temporary,
# created O_EXCL beside the file, takes its place the same way.
fresh
NO_TMPFILE_MARK=$tmp/refused ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	LD_PRELOAD=$no_tmpfile "$plugkit" rpath --destdir "$stage" --libdir "$libdir" "$target" >/dev/null
check "without O_TMPFILE: a named temporary, refused O_TMPFILE first" test -e "$tmp/refused"
check "without O_TMPFILE: the runpath is set" test "$(runpath "$target")" = '$ORIGIN/../..'
check "without O_TMPFILE: the mode is kept" test "$(stat -c %a "$target")" = 751
check "without O_TMPFILE: no temporary is left" no_leftovers

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
	skip "full filesystem: cannot mount a tmpfs here"
fi

# ---- what a patched file keeps: owner, group, mode, ACL, attributes ----
# as_nobody CMD...: runs CMD as an unprivileged user.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
props() { stat -c '%u:%g %a' "$1"; getfattr -d -m - -e hex --absolute-names "$1" 2>/dev/null | sed 1d; }
chmod 0755 "$tmp"
keep=$tmp/keep
mkdir -p "$keep/lib/plugins"
cp "$hostlib" "$keep/lib/"
kt=$keep/lib/plugins/plugin.so
if [ "$(id -u)" -ne 0 ]; then
	skip "owner, ACL, attributes and capabilities: not root"
elif ! setfattr -n user.plugkit -v probe "$keep/lib" 2>/dev/null; then
	skip "owner, ACL, attributes and capabilities: no extended attributes on $tmp"
else
	# Everything at once, as root: setuid/setgid nobody:nogroup, an ACL,
	# user and trusted attributes, a file capability (set last: chown and
	# chmod would clear it).
	cp "$plugin" "$kt"
	chown nobody:nogroup "$kt"
	setfacl -m u:daemon:r-x "$kt"
	setfattr -n user.note -v 'kept' "$kt"
	setfattr -n trusted.note -v 'kept too' "$kt"
	chmod 6755 "$kt"
	setcap cap_net_bind_service+ep "$kt"
	props "$kt" >"$tmp/props-before"
	"$plugkit" rpath --libdir "$keep/lib" "$kt" >/dev/null 2>"$tmp/err"
	check "root, setuid nobody file with ACL, xattrs, capability: exit 0" test $? -eq 0
	check "root, setuid nobody file: patched" test "$(runpath "$kt")" = '$ORIGIN/..'
	props "$kt" >"$tmp/props-after"
	check "root: owner nobody:nogroup, mode 6755, ACL, user.*, trusted.*, security.capability all kept" \
		cmp -s "$tmp/props-before" "$tmp/props-after"
	check "root: getcap still cap_net_bind_service" sh -c 'getcap "$1" | grep -q cap_net_bind_service' _ "$kt"

	# As nobody, its own setuid/setgid file: kept exactly.
	chown nobody:nogroup "$keep/lib/plugins"
	rm -f "$kt" && cp "$plugin" "$kt" && chown nobody:nogroup "$kt" && chmod 6750 "$kt"
	setfattr -n user.note -v 'kept' "$kt"
	props "$kt" >"$tmp/props-before"
	as_nobody "$plugkit" rpath --libdir "$keep/lib" "$kt" >/dev/null 2>"$tmp/err"
	check "nobody, its own setuid/setgid file: exit 0" test $? -eq 0
	props "$kt" >"$tmp/props-after"
	check "nobody, its own setuid/setgid file: owner, mode 6750, user.* kept" \
		cmp -s "$tmp/props-before" "$tmp/props-after"

	# As nobody, its own file whose group nobody is not in (setgid root):
	# the group cannot be kept, so the file is refused.
	rm -f "$kt" && cp "$plugin" "$kt" && chown nobody:root "$kt" && chmod 2755 "$kt"
	cp "$kt" "$tmp/kt-before"
	props "$kt" >"$tmp/props-before"
	as_nobody "$plugkit" rpath --libdir "$keep/lib" "$kt" >/dev/null 2>"$tmp/err"
	check "nobody, setgid file of a group it is not in: exit 1" test $? -eq 1
	check "nobody, setgid file of a group it is not in: says what it cannot keep" \
		grep -q 'cannot keep its owner and group' "$tmp/err"
	props "$kt" >"$tmp/props-after"
	check "nobody, setgid file of a group it is not in: untouched" \
		sh -c 'cmp -s "$1" "$2" && cmp -s "$3" "$4"' _ "$kt" "$tmp/kt-before" "$tmp/props-before" "$tmp/props-after"

	# As nobody, its own file with a capability: only CAP_SETFCAP may set
	# one, so it is refused rather than silently dropped.
	rm -f "$kt" && cp "$plugin" "$kt" && chown nobody:nogroup "$kt" && chmod 0755 "$kt"
	setcap cap_net_bind_service+ep "$kt"
	cp "$kt" "$tmp/kt-before"
	props "$kt" >"$tmp/props-before"
	as_nobody "$plugkit" rpath --libdir "$keep/lib" "$kt" >/dev/null 2>"$tmp/err"
	check "nobody, file with a capability: exit 1" test $? -eq 1
	check "nobody, file with a capability: names security.capability" grep -q security.capability "$tmp/err"
	props "$kt" >"$tmp/props-after"
	check "nobody, file with a capability: untouched, capability kept" \
		sh -c 'cmp -s "$1" "$2" && cmp -s "$3" "$4"' _ "$kt" "$tmp/kt-before" "$tmp/props-before" "$tmp/props-after"

	# Root patching another user's file in a directory with a default ACL:
	# the new file would inherit an access ACL the old one lacks.
	mkdir -p "$keep/acl/plugins"
	cp "$plugin" "$keep/acl/plugins/plugin.so" && chown nobody:nogroup "$keep/acl/plugins/plugin.so"
	setfacl -d -m u:daemon:rwx "$keep/acl/plugins"
	props "$keep/acl/plugins/plugin.so" >"$tmp/props-before"
	"$plugkit" rpath --libdir "$keep/lib" "$keep/acl/plugins/plugin.so" >/dev/null 2>"$tmp/err"
	props "$keep/acl/plugins/plugin.so" >"$tmp/props-after"
	check "a directory with a default ACL: patched" test "$(runpath "$keep/acl/plugins/plugin.so")" = '$ORIGIN/../../lib'
	check "a directory's default ACL is not given to the patched file" cmp -s "$tmp/props-before" "$tmp/props-after"
	# chattr flags are not extended attributes: kept apart; an immutable
	# file cannot be renamed over, so it is refused by name.
	ft=$keep/lib/plugins/flags.so
	cp "$plugin" "$ft"
	if chattr +d +A "$ft" 2>/dev/null; then
		flags=$(lsattr "$ft" | cut -d' ' -f1)
		"$plugkit" rpath --libdir "$keep/lib" "$ft" >/dev/null 2>&1
		check "chattr +d +A: patched, flags kept ($flags)" \
			test "$(runpath "$ft")" = '$ORIGIN/..' -a "$(lsattr "$ft" | cut -d' ' -f1)" = "$flags"
		rm -f "$ft" && cp "$plugin" "$ft" && chattr +i "$ft"
		"$plugkit" rpath --libdir "$keep/lib" "$ft" >/dev/null 2>"$tmp/err"
		check "chattr +i: exit 1, named as immutable" sh -c 'test $1 -eq 1 && grep -q immutable "$2"' _ $? "$tmp/err"
		check "chattr +i: untouched" cmp -s "$ft" "$plugin"
		chattr -i "$ft"
		chattr +a "$ft"
		"$plugkit" rpath --libdir "$keep/lib" "$ft" >/dev/null 2>"$tmp/err"
		check "chattr +a: exit 1, named as append-only" sh -c 'test $1 -eq 1 && grep -q append-only "$2"' _ $? "$tmp/err"
		check "chattr +a: untouched" cmp -s "$ft" "$plugin"
		chattr -a "$ft"
	else
		skip "chattr flags: not supported on $tmp"
	fi
	no_leftovers_in() { [ -z "$(find "$1" -name '*.plugkit-*')" ]; }
	check "no temporaries left by the refusals" no_leftovers_in "$keep"
fi

# ---- directories: another user's, writable by all, read-only ----
if [ "$(id -u)" -ne 0 ]; then
	skip "directories of other users, read-only mounts: not root"
else
	shared=$tmp/shared
	mkdir -p "$shared/lib/plugins"
	chmod 0777 "$shared/lib/plugins"
	cp "$plugin" "$shared/lib/plugins/roots.so"
	cp "$plugin" "$shared/lib/plugins/own.so" && chown nobody:nogroup "$shared/lib/plugins/own.so"
	as_nobody "$plugkit" rpath --libdir "$shared/lib" "$shared/lib/plugins/own.so" >/dev/null 2>&1
	check "nobody, its own file in root's directory that all may write: patched, still nobody's" \
		sh -c 'test $1 -eq 0 && test "$(stat -c %U "$2")" = nobody && test -n "$(readelf -d "$2" | grep RUNPATH.*ORIGIN)"' _ $? "$shared/lib/plugins/own.so"
	for mode in 0777 1777; do
		chmod $mode "$shared/lib/plugins"
		as_nobody "$plugkit" rpath --libdir "$shared/lib" "$shared/lib/plugins/roots.so" >/dev/null 2>"$tmp/err"
		check "nobody, root's file in a directory of mode $mode: exit 1, owner cannot be kept, untouched, nothing left" \
			sh -c 'test $1 -eq 1 && grep -q "cannot keep its owner" "$2" && cmp -s "$3" "$4" && test "$(stat -c %U "$3")" = root && test -z "$(find "$5" -name "*.plugkit-*")"' \
			_ $? "$tmp/err" "$shared/lib/plugins/roots.so" "$plugin" "$shared"
	done
	mkdir -p "$tmp/rosrc/lib/plugins" "$tmp/ro"
	cp "$plugin" "$tmp/rosrc/lib/plugins/plugin.so"
	if mount --bind "$tmp/rosrc" "$tmp/ro" 2>/dev/null && mount -o remount,ro,bind "$tmp/ro" 2>/dev/null; then
		"$plugkit" rpath --libdir "$tmp/ro/lib" "$tmp/ro/lib/plugins/plugin.so" >/dev/null 2>"$tmp/err"
		check "a read-only bind mount: exit 1, says so, untouched" \
			sh -c 'test $1 -eq 1 && grep -q "Read-only file system" "$2" && cmp -s "$3" "$4"' _ $? "$tmp/err" "$tmp/rosrc/lib/plugins/plugin.so" "$plugin"
	else
		skip "a read-only bind mount: cannot bind-mount here"
	fi
	umount "$tmp/ro" 2>/dev/null
fi

# ---- links: a symlink is followed, a hard link is refused ----
links=$tmp/links
mkdir -p "$links/lib/plugins" "$links/a" "$links/real/sub"
cp "$plugin" "$links/lib/plugins/plugin.so"
ln -s plugin.so "$links/lib/plugins/link.so"
out=$("$plugkit" rpath --libdir "$links/lib" "$links/lib/plugins/link.so" 2>&1)
check "symlink: exit 0, says it follows the link" sh -c 'echo "$1" | grep -q "symbolic link to"' _ "$out"
check "symlink: the link stays a link" test -L "$links/lib/plugins/link.so"
check "symlink: the file it names is patched" test "$(runpath "$links/lib/plugins/plugin.so")" = '$ORIGIN/..'
check "symlink in the file's own directory: no note about \$ORIGIN" sh -c '! echo "$1" | grep -q "ORIGIN from the name"' _ "$out"
mkdir -p "$links/elsewhere"
ln -s ../lib/plugins/plugin.so "$links/elsewhere/far.so"
out=$("$plugkit" rpath --libdir "$links/lib" "$links/elsewhere/far.so" 2>&1)
check "symlink in another directory: says \$ORIGIN comes from the name ld.so opens" \
	sh -c 'echo "$1" | grep -q "ORIGIN from the name it opens"' _ "$out"

# a/link/../p.so is real/p.so (the kernel takes .. after the link), not a/p.so.
ln -s ../real/sub "$links/a/link"
cp "$plugin" "$links/real/p.so"
cp "$plugin" "$links/a/p.so"
"$plugkit" rpath --libdir "$links/lib" "$links/a/link/../p.so" >/dev/null 2>&1
check "a/link/../p.so: the file the kernel resolves is patched" test -n "$(runpath "$links/real/p.so")"
check "a/link/../p.so: the file the text names is untouched" cmp -s "$links/a/p.so" "$plugin"

cp "$plugin" "$links/lib/plugins/esc.so"
patchelf --set-rpath "$(printf '\033]0;owned\007')" "$links/lib/plugins/esc.so"
"$plugkit" rpath --libdir "$links/lib" "$links/lib/plugins/esc.so" >"$tmp/out" 2>&1
check "an escape sequence in the old DT_RUNPATH is shown as \\xNN" \
	sh -c '! grep -q "$(printf "\033")" "$1" && grep -q "x1b]0;owned" "$1"' _ "$tmp/out"

mkfifo "$links/lib/plugins/fifo.so"
ln -s /dev/null "$links/lib/plugins/null.so"
timeout 10 "$plugkit" rpath --libdir "$links/lib" "$links/lib/plugins/fifo.so" >/dev/null 2>&1
check "a FIFO: exit 2 without hanging" test $? -eq 2
"$plugkit" rpath --libdir "$links/lib" "$links/lib/plugins/null.so" >/dev/null 2>"$tmp/err"
check "a symlink to a device: exit 2, not a regular file, the link stays" \
	sh -c 'test $1 -eq 2 && grep -q "not a regular file" "$2" && test -L "$3"' _ $? "$tmp/err" "$links/lib/plugins/null.so"

cp "$plugin" "$links/lib/plugins/hard.so"
ln "$links/lib/plugins/hard.so" "$links/lib/plugins/hard2.so"
"$plugkit" rpath --libdir "$links/lib" "$links/lib/plugins/hard.so" >/dev/null 2>"$tmp/err"
check "hard link: exit 2 without --break-hardlinks" test $? -eq 2
check "hard link: says so" grep -q 'hard links' "$tmp/err"
check "hard link: untouched" cmp -s "$links/lib/plugins/hard.so" "$plugin"
"$plugkit" rpath --break-hardlinks --libdir "$links/lib" "$links/lib/plugins/hard.so" >/dev/null 2>&1
check "--break-hardlinks: patched" test "$(runpath "$links/lib/plugins/hard.so")" = '$ORIGIN/..'
check "--break-hardlinks: the other name keeps the old bytes" cmp -s "$links/lib/plugins/hard2.so" "$plugin"

# ---- signals: nothing left by SIGINT or SIGTERM; SIGKILL's leftover is
# removed by the next run ----
sig=$tmp/sig
mkdir -p "$sig/lib/plugins"
st=$sig/lib/plugins/plugin.so
cp "$plugin" "$st"
# A patchelf that ignores SIGTERM and writes its file late: only a SIGKILL
# from plugkit stops it recreating the temporary plugkit removed.
fake slow 'trap "" TERM INT; echo $$ >"'"$sig"'/child"; sleep 2; echo late >"$3"'
wait_for_temp() { for _ in $(seq 100); do [ -s "$sig/child" ] && return 0; sleep 0.1; done; return 1; }
for s in INT:2 TERM:15; do
	num=${s#*:} s=${s%:*}
	rm -f "$sig/child"
	env --default-signal=INT PLUGKIT_PATCHELF=$tmp/slow "$plugkit" rpath --libdir "$sig/lib" "$st" >/dev/null 2>&1 &
	pid=$!
	wait_for_temp
	kill -s $s $pid
	wait $pid
	status=$?
	sleep 3
	check "SIG$s: plugkit dies of it" test $status -eq $((128 + num))
	check "SIG$s: no temporary left, even after patchelf would have written it" \
		test -z "$(find "$sig" -name '*.plugkit-*')"
	check "SIG$s: original intact" cmp -s "$st" "$plugin"
done
fake stuck 'echo $$ >"'"$sig"'/child"; exec sleep 60'
rm -f "$sig/child"
PLUGKIT_PATCHELF=$tmp/stuck "$plugkit" rpath --libdir "$sig/lib" "$st" >/dev/null 2>&1 &
pid=$!
wait_for_temp
kill -s KILL $pid
wait $pid 2>/dev/null
kill -s KILL "$(cat "$sig/child")"
left=$(find "$sig" -name "plugin.so.plugkit-*")
# Where the file system has O_TMPFILE the copy has no name until it is
# complete, so nothing is left; elsewhere a name with plugkit's pid, 0600.
check "SIGKILL: nothing left, or a private (0600) leftover carrying plugkit's pid" \
	sh -c 'test -z "$1" || { case $1 in *.plugkit-$2-*) test "$(stat -c %a "$1")" = 600 ;; *) false ;; esac; }' _ "$left" "$pid"
# A leftover of a run that is gone (the killed plugkit's pid), and one of a
# run still going (this shell's).
cp "$plugin" "$sig/lib/plugins/plugin.so.plugkit-$pid-AbCdEf"
cp "$plugin" "$sig/lib/plugins/plugin.so.plugkit-$$-AbCdEf"
"$plugkit" rpath --libdir "$sig/lib" "$st" >/dev/null 2>"$tmp/err"
check "SIGKILL: the next run patches and removes a dead run's leftover" \
	sh -c 'test ! -e "$1" && grep -q "left by an interrupted run" "$2"' _ "$sig/lib/plugins/plugin.so.plugkit-$pid-AbCdEf" "$tmp/err"
check "a live run's temporary is named and left alone" \
	sh -c 'test -e "$1" && grep -q "left alone" "$2"' _ "$sig/lib/plugins/plugin.so.plugkit-$$-AbCdEf" "$tmp/err"
rm -f "$sig/lib/plugins/plugin.so.plugkit-$$-AbCdEf"

# ---- the file system changes under a run: the write goes only to the
# directory and file that were read, or nowhere ----
race=$tmp/race
mkdir -p "$race/lib/plugins" "$race/elsewhere"
rt=$race/lib/plugins/plugin.so
# patchelf that first runs $1 (the attack), then patches.
attack() { printf '#!/bin/sh\n%s\nexec patchelf "$@"\n' "$1" >"$tmp/attack" && chmod +x "$tmp/attack"; }
cp "$plugin" "$rt"
cp "$plugin" "$race/elsewhere/victim.so"
attack "mv '$race/lib/plugins' '$race/lib/moved' && mkdir '$race/lib/plugins' && cp '$plugin' '$rt'"
PLUGKIT_PATCHELF=$tmp/attack "$plugkit" rpath --libdir "$race/lib" "$rt" >/dev/null 2>&1
check "directory swapped during the run: the file read is patched, in the directory it moved to" \
	sh -c 'test $1 -eq 0 && test "$(readelf -d "$2" | grep -c "RUNPATH.*ORIGIN/\.\.\]")" -eq 1' _ $? "$race/lib/moved/plugin.so"
check "directory swapped during the run: the new directory's file is untouched" cmp -s "$rt" "$plugin"
rm -rf "$race/lib/moved"
cp "$plugin" "$rt"
attack "rm '$rt' && ln -s '$race/elsewhere/victim.so' '$rt'"
PLUGKIT_PATCHELF=$tmp/attack "$plugkit" rpath --libdir "$race/lib" "$rt" >/dev/null 2>"$tmp/err"
check "file swapped for a symlink during the run: exit 1, says it changed" \
	sh -c 'test $1 -eq 1 && grep -q "changed while it was being patched" "$2"' _ $? "$tmp/err"
check "file swapped for a symlink: the link is put back, its target untouched, nothing left" \
	sh -c 'test -L "$1" && cmp -s "$2" "$3" && test -z "$(find "$4" -name "*.plugkit-*")"' _ "$rt" "$race/elsewhere/victim.so" "$plugin" "$race"
rm -f "$rt" && cp "$plugin" "$rt"
attack "printf x >>'$rt'"
PLUGKIT_PATCHELF=$tmp/attack "$plugkit" rpath --libdir "$race/lib" "$rt" >/dev/null 2>"$tmp/err"
check "a file written while it is patched: exit 1, says so, the writer's bytes kept" \
	sh -c 'test $1 -eq 1 && grep -q "changed while it was being patched" "$2" && test "$(tail -c 1 "$3")" = x' _ $? "$tmp/err" "$rt"

# Two runs on one file: each patchelf waits until both runs have read it;
# one replaces it, the other finds it changed and leaves it.
mkdir -p "$race/both"
fake both 'touch "'"$race"'/both/$$"; for _ in $(seq 100); do [ "$(ls "'"$race"'/both" | wc -l)" -ge 2 ] && break; sleep 0.1; done; exec patchelf "$@"'
PLUGKIT_PATCHELF=$tmp/both "$plugkit" rpath --libdir "$race/lib" "$rt" >/dev/null 2>"$tmp/err1" &
first=$!
PLUGKIT_PATCHELF=$tmp/both "$plugkit" rpath --libdir "$race/lib/plugins" "$rt" >/dev/null 2>"$tmp/err2"
second=$?
wait $first
first=$?
check "two runs at once: one replaces the file, the other exits 1 saying it changed" \
	sh -c 'test "$(($1 + $2))" -eq 1 && cat "$3" "$4" | grep -q "changed while it was being patched"' _ $first $second "$tmp/err1" "$tmp/err2"
check "two runs at once: the file holds the winner's RUNPATH" \
	sh -c 'case "$(readelf -d "$1" | grep RUNPATH)" in *"[\$ORIGIN/..]"*) test $2 -eq 0 ;; *"[\$ORIGIN]"*) test $3 -eq 0 ;; *) false ;; esac' _ "$rt" $first $second

# ---- names: through links and "..", unprintable, too long ----
names=$tmp/names
mkdir -p "$names/lib/plugins" "$names/real/sub" "$names/a"
cp "$plugin" "$names/real/p.so"
ln -s ../real/sub "$names/a/link"
ln -s ../../a/link/../p.so "$names/lib/plugins/chain.so"
ln -s chain.so "$names/lib/plugins/chain2.so"
"$plugkit" rpath --libdir "$names/lib" "$names/lib/plugins/chain2.so" >"$tmp/out" 2>&1
check "a link to a link whose target goes through .. after a link: the file the kernel opens is patched" \
	sh -c 'test $1 -eq 0 && test -n "$(readelf -d "$2" | grep RUNPATH)" && test -L "$3" && test -L "$4"' _ $? "$names/real/p.so" "$names/lib/plugins/chain.so" "$names/lib/plugins/chain2.so"
ln -s loop2.so "$names/lib/plugins/loop1.so"
ln -s loop1.so "$names/lib/plugins/loop2.so"
"$plugkit" rpath --libdir "$names/lib" "$names/lib/plugins/loop1.so" >/dev/null 2>"$tmp/err"
check "a symlink loop: exit 2, named" sh -c 'test $1 -eq 2 && grep -qi "too many levels" "$2"' _ $? "$tmp/err"
"$plugkit" rpath --libdir "$names/lib" "$names/lib/plugins/.." >/dev/null 2>"$tmp/err"
check "a directory (dir/..): exit 2" test $? -eq 2
nl_name=$(printf '%s/lib/plugins/new\nline.so' "$names")
cp "$plugin" "$nl_name"
"$plugkit" rpath --libdir "$names/lib" "$nl_name" >"$tmp/out" 2>&1
check "a name with a newline: patched, shown as \\x0a on one line" \
	sh -c 'test $1 -eq 0 && test -n "$(readelf -d "$2" | grep RUNPATH)" && grep -q "new.x0aline.so: DT_RUNPATH" "$3"' _ $? "$nl_name" "$tmp/out"
longest=$names/lib/plugins/$(printf 'p%.0s' $(seq 252)).so
cp "$plugin" "$longest"
"$plugkit" rpath --libdir "$names/lib" "$longest" >/dev/null 2>&1
check "a name of 255 bytes (NAME_MAX): patched" \
	sh -c 'test $1 -eq 0 && test "$(readelf -d "$2" | sed -n "s/.*(RUNPATH).*\[\(.*\)\]/\1/p")" = "\$ORIGIN/.."' _ $? "$longest"
long=$(printf '/%0200d' $(seq 25) | tr 0 d)
cp "$plugin" "$names/lib/plugins/long.so"
cp "$plugin" "$tmp/long-before"
"$plugkit" rpath --libdir "$long" "$names/lib/plugins/long.so" >/dev/null 2>"$tmp/err"
check "a RUNPATH too long to build: exit 2, says so, untouched" \
	sh -c 'test $1 -eq 2 && grep -q "too long" "$2" && cmp -s "$3" "$4"' _ $? "$tmp/err" "$names/lib/plugins/long.so" "$tmp/long-before"
patchelf --set-rpath "$(printf '/old%04d:' $(seq 3000))" "$names/lib/plugins/long.so"
"$plugkit" rpath --libdir "$names/lib" "$names/lib/plugins/long.so" >/dev/null 2>&1
check "an old DT_RUNPATH of 24 KB: replaced" test "$(runpath "$names/lib/plugins/long.so")" = '$ORIGIN/..'
finish
