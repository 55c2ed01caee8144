#!/bin/sh
# allocator-lists.sh PLUGKIT KIND NAME...: passes when NAME... (a list Meson
# keeps, templates/meson.build) holds exactly the names that
# `plugkit generate allocator-symbols KIND` prints (core/allocator.c).
set -u
plugkit=$1 kind=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$plugkit" generate allocator-symbols "$kind" >"$tmp/core" || exit 1
printf '%s\n' "$@" | sort >"$tmp/meson"
sort -o "$tmp/core" "$tmp/core"
if ! diff -u "$tmp/core" "$tmp/meson"; then
	echo "FAIL: templates/meson.build's $kind list (+) differs from core/allocator.c's (-)"
	exit 1
fi
echo "the $kind list: $# names, as in core/allocator.c"
