#!/bin/sh
# runtime-decides.sh EXPECT_CHECK ID -- RUNTIME... -- CHECK_ARGS...
# Runs RUNTIME (a plugin's memory crossing the boundary); when it ends
# cleanly, `plugkit check CHECK_ARGS` must fail nothing, and when it
# crashes or fails it must fail exactly ID.  For files whose fate depends
# on the rustc that built them: the verdict is held to what happened.
set -u
expect_check=$1 id=$2
shift 3
runtime=
while [ "$1" != -- ]; do
	runtime="$runtime '$1'"
	shift
done
shift
unset LD_LIBRARY_PATH
eval "$runtime" >/dev/null 2>&1
status=$?
if [ "$status" -eq 0 ]; then
	echo "runtime: clean, so the check must pass"
	exec "$expect_check" none "$@"
fi
echo "runtime: failed (status $status), so the check must fail $id"
exec "$expect_check" "$id" "$@"
