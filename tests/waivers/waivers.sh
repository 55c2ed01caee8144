#!/bin/sh
# TAP: the waiver file's syntax: '#' starts a comment first on a line or as
# a word of its own, is text inside a word; a NUL byte is an error naming
# the file and line.  The shim's build-tree RUNPATH padding gives a
# search-path warning to waive.
# usage: waivers.sh PLUGKIT SHIM PLUGIN
set -u
plugkit=$1 shim=$2 plugin=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib.sh"
reason() {
	"$plugkit" check --format json --shim "$shim" --waivers "$1" "$plugin" |
		python3 -c 'import json, sys; print(*[c["waiver"] for c in json.load(sys.stdin)["checks"] if "waiver" in c], sep="|")'
}

printf '# a whole-line comment\n   # an indented one\nsearch-path * see bug #123 # why it waits\n' >"$tmp/w"
check "'#' inside a word is text, '#' as a word starts a comment" test "$(reason "$tmp/w")" = "see bug #123"
printf 'search-path * issue#7 and C# #\n' >"$tmp/w"
check "a trailing lone '#' is a comment, 'C#' and 'issue#7' are text" test "$(reason "$tmp/w")" = "issue#7 and C#"

printf 'search-path * fine\n\nsearch-path * cut\0 short\n' >"$tmp/nul"
"$plugkit" check --shim "$shim" --waivers "$tmp/nul" "$plugin" >/dev/null 2>"$tmp/err"
check "a NUL byte: exit 2" test $? -eq 2
check "a NUL byte: names the file and line 3" grep -q "$tmp/nul:3: a NUL byte" "$tmp/err"
finish
