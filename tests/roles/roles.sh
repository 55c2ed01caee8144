#!/bin/sh
# TAP: plugkit check refuses a file in a role it cannot play (exit 2, one
# sentence naming the file and what it is) and accepts each in its own.
# usage: roles.sh PLUGKIT SHIM HOSTLIB PLUGIN EXPORTING-EXE
set -u
plugkit=$1 shim=$2 host=$3 plugin=$4 exporting=$5
n=0 failed=0

# expect NAME STATUS ERE -- ARGS...: exit STATUS (read: 0 or 1, the files
# were taken and judged), stderr at most one line, matching ERE.
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	err=$("$plugkit" check --color never "$@" 2>&1 >/dev/null)
	status=$?
	n=$((n + 1))
	case $want:$status in read:[01]) want=$status ;; esac
	if [ "$status" = "$want" ] && printf '%s\n' "$err" | grep -Eq -- "$pattern" &&
		[ "$(printf '%s\n' "$err" | grep -c .)" -le 1 ]; then
		echo "ok $n - $name"
	else
		failed=1
		echo "not ok $n - $name (exit $status, wanted $want)"
		printf '%s\n' "$err" | sed 's/^/# /'
	fi
}

expect "shim, host and plugin in their roles" read '^$' -- --shim "$shim" --host "$host" "$plugin"
expect "swapped --shim and --host named as such" 2 \
	"--shim $host is a shared library and --host $shim is a position-independent executable: the two look swapped" \
	-- --shim "$host" --host "$shim" "$plugin"
expect "a plugin as --shim" 2 "--shim $plugin is a shared library without a SONAME, not an executable" \
	-- --shim "$plugin" --host "$host" "$shim"
expect "a library as --shim (no executable as --host)" 2 "--shim $host is a shared library, not an executable" \
	-- --shim "$host" "$plugin"
# A library without a SONAME is in the host's role; one-host judges it.
expect "a library without a SONAME as --host is judged" read '^$' -- --host "$plugin" "$host"
expect "an executable that exports nothing as --host" 2 \
	"--host $shim is an executable that exports no symbols" -- --host "$shim" "$plugin"
expect "an executable that exports its API is its own host" read '^$' -- --host "$exporting" "$plugin"
expect "an executable as a plugin" 2 "$shim is a position-independent executable, not a plugin" \
	-- --shim "$shim" --host "$host" "$shim"
echo "1..$n"
exit $failed
