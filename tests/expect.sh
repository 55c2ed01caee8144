#!/bin/sh
# expect.sh (--exit N | --crash) [--output ERE] -- COMMAND...
# Runs COMMAND and passes only when it ends as expected: with exit status N,
# or crashed; and, with --output, when its combined stdout and stderr match
# the extended regular expression.  A crash is death by a signal, or a
# failure whose output is a crash report: cmocka and the sanitizers catch
# the signal and report it themselves, glibc reports a bad free and aborts.
set -u
want_exit= want_crash= pattern=
crash_report='Test failed with exception|free\(\): invalid pointer|double free|AddressSanitizer: (attempting free|bad-free|SEGV|attempting double-free)'

while [ $# -gt 0 ]; do
	case $1 in
	--exit) want_exit=$2; shift 2 ;;
	--crash) want_crash=1; shift ;;
	--output) pattern=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "expect.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
# meson test points LD_LIBRARY_PATH at the build tree, and it beats every
# DT_RUNPATH: a fixture host would be swapped for the real one.
unset LD_LIBRARY_PATH
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
echo "exit status: $status"
if [ -n "$want_crash" ]; then
	# A shell reports death by signal N as 128+N.
	if [ "$status" -le 128 ] && ! { [ "$status" -ne 0 ] && printf '%s\n' "$out" | grep -Eq -- "$crash_report"; }; then
		echo "FAIL: expected a crash"
		exit 1
	fi
elif [ "$status" -ne "$want_exit" ]; then
	echo "FAIL: expected exit status $want_exit"
	exit 1
fi
if [ -n "$pattern" ] && ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
	echo "FAIL: output does not match: $pattern"
	exit 1
fi
exit 0
