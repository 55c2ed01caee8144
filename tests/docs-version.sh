#!/bin/sh
# docs-version.sh VERSION FILE...: the version is written once, in
# meson.build; every "revision = vX.Y.Z" a document tells users to put in
# their plugkit.wrap must be that version.
set -u
version=$1
shift
status=0
for f in "$@"; do
	if grep -n 'revision = v' "$f" | grep -v "revision = v$version\$"; then
		echo "FAIL: $f names another version than $version"
		status=1
	fi
done
[ $status -eq 0 ] && echo "every wrap revision in $* is v$version"
exit $status
