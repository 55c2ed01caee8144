#!/bin/sh
# TAP: plugkit generate --output replaces a regular file whole and nothing
# else: a symlink, a directory, a FIFO or a device (made here, in a
# temporary directory) is refused and left as it was; "-" is stdout.
# usage: output.sh PLUGKIT
set -u
plugkit=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
cd "$tmp"
gen() { timeout 10 "$plugkit" generate shim --entry host_main --output "$1" >"$tmp/out" 2>"$tmp/err"; }
refused() { test "$1" -eq 2 && grep -q "is $2; --output replaces only a regular file" "$tmp/err"; }

echo old >regular.c
gen regular.c
check "a regular file is replaced" sh -c 'test -f regular.c -a ! -L regular.c && grep -q "host_main" regular.c'
check "no temporary left" test -z "$(find . -name '*.plugkit-*')"

echo target >target.c
ln -s target.c link.c
gen link.c
check "a symlink: refused, exit 2" refused $? "a symbolic link"
check "a symlink: still a link to an unchanged target" sh -c 'test -L link.c && test "$(cat target.c)" = target'

ln -s /dev/null devlink
gen devlink
check "a symlink to a device: refused, exit 2" refused $? "a symbolic link"
check "a symlink to a device: still a link" test -L devlink

mkfifo fifo
gen fifo
check "a FIFO: refused without hanging, exit 2" refused $? "a FIFO"
check "a FIFO: still a FIFO" test -p fifo

mkdir dir
gen dir
check "a directory: refused, exit 2" refused $? "a directory"

if mknod null c 1 3 2>/dev/null; then
	gen null
	check "a character device: refused, exit 2" refused $? "a device"
	check "a character device: still a device" test -c null
else
	skip "cannot make a device node here (not root)"
fi

gen -
check "--output - writes to standard output" grep -q host_main "$tmp/out"
check "--output - creates no file named -" test ! -e ./-

gen new/sub/shim.c
check "missing parent directories are created" grep -q host_main new/sub/shim.c
mkdir real
ln -s real linkdir
gen linkdir/shim.c
check "a symlinked directory: written into the directory it names, the link stays" \
	sh -c 'grep -q host_main real/shim.c && test -L linkdir'
check "a symlinked directory: no temporary left" test -z "$(find . -name '*.plugkit-*')"

gen dir/..
check "dir/..: refused, exit 2" refused $? "a directory"

gen "$(printf 'new\nline.c')"
check "a name with a newline: written" grep -q host_main "$(printf 'new\nline.c')"

# A directory it may not write; root writes anywhere, so it runs as nobody.
mkdir locked
chmod 0555 locked
chmod 0755 "$tmp"
as_user=
[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
$as_user "$plugkit" generate shim --entry host_main --output locked/shim.c >/dev/null 2>"$tmp/err"
check "a directory it may not write: exit 1, says so, nothing written" \
	sh -c 'test $1 -eq 1 && grep -q "Permission denied" "$2" && test -z "$(ls -A locked)"' _ $? "$tmp/err"
finish
