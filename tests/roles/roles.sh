#!/bin/sh
# TAP: plugkit check refuses a file in a role it cannot play (exit 2, one
# sentence naming the file and what it is) and accepts each in its own.
# usage: roles.sh PLUGKIT SHIM HOSTLIB PLUGIN EXPORTING-EXE
set -u
plugkit=$1 shim=$2 host=$3 plugin=$4 exporting=$5
. "$(dirname "$0")/../lib.sh"

# takes NAME STATUS ERE -- ARGS...: plugkit check ARGS exits STATUS ([01]:
# the files were taken and judged), its stderr at most one line, matching ERE.
takes() {
	name=$1 want=$2 pattern=$3
	shift 4
	err=$("$plugkit" check --color never "$@" 2>&1 >/dev/null)
	verdict "$name" $? "$want" "$err" one_line "$pattern" "$err"
}
# one_line ERE TEXT: TEXT is one line or none, and matches ERE.
one_line() { [ "$(printf '%s\n' "$2" | grep -c .)" -le 1 ] && has "$1" "$2"; }

takes "shim, host and plugin in their roles" '[01]' '^$' -- --shim "$shim" --host "$host" "$plugin"
takes "swapped --shim and --host named as such" 2 \
	"--shim $host is a shared library and --host $shim is a position-independent executable: the two look swapped" \
	-- --shim "$host" --host "$shim" "$plugin"
takes "a plugin as --shim" 2 "--shim $plugin is a shared library without a SONAME, not an executable" \
	-- --shim "$plugin" --host "$host" "$shim"
takes "a library as --shim (no executable as --host)" 2 "--shim $host is a shared library, not an executable" \
	-- --shim "$host" "$plugin"
# A library without a SONAME is in the host's role; one-host judges it.
takes "a library without a SONAME as --host is judged" '[01]' '^$' -- --host "$plugin" "$host"
takes "an executable that exports nothing as --host" 2 \
	"--host $shim is an executable that exports no symbols" -- --host "$shim" "$plugin"
takes "an executable that exports its API is its own host" '[01]' '^$' -- --host "$exporting" "$plugin"
takes "an executable as a plugin" 2 "$shim is a position-independent executable, not a plugin" \
	-- --shim "$shim" --host "$host" "$shim"
finish
