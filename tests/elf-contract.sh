#!/bin/sh
# TAP: the plugin-linking contract, read from the built files with readelf.
# Until `plugkit check` exists this is the contract's only static check.
#
# usage: elf-contract.sh ALLOCATOR HOST SHIM PLUGIN TEMPLATE_TLS IE_TLS SYMBOL...
set -u
[ $# -ge 6 ] || { echo "usage: $0 ALLOCATOR HOST SHIM PLUGIN TEMPLATE_TLS IE_TLS SYMBOL..." >&2; exit 2; }
allocator=$1 host=$2 shim=$3 plugin=$4 template_tls=$5 ie_tls=$6
shift 6

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
no() { ! "$@"; }

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
static_tls() { readelf -d "$1" | grep -q 'FLAGS.*STATIC_TLS'; }
tpoff_relocs() { readelf -rW "$1" | grep -q 'TPOFF'; }
# Prints NAME, or NAME@VER / NAME@@VER, for every defined dynamic symbol.
dyn_defined() { readelf -W --dyn-syms "$1" | awk '$7 != "UND" && NF >= 8 { print $8 }'; }
needs() { needed "$1" | grep -qx "$2"; }
defines_unversioned() { printf '%s\n' "$defs" | grep -qx "$1"; }
defines_any_version() { printf '%s\n' "$defs" | grep -q "^$1\(@\|\$\)"; }

host_soname=$(soname "$host")
check "host has a SONAME ($host_soname)" test -n "$host_soname"

defs=$(dyn_defined "$host")
for sym in "$@"; do
	if [ "$allocator" = system ]; then
		# allocator=system: the host must leave every allocator symbol to libc.
		check "host does not define $sym" no defines_any_version "$sym"
	else
		check "host exports $sym unversioned" defines_unversioned "$sym"
	fi
done

if [ "$allocator" = system ]; then
	n=$((n + 1)); echo "ok $n - # SKIP shim order: allocator=system, libc is the provider"
else
	order=$(needed "$shim" | grep -n -e "^$host_soname\$" -e '^libc\.so\.6$' | cut -d: -f2 | tr '\n' ' ')
	check "shim needs $host_soname before libc.so.6 (order: $order)" test "$order" = "$host_soname libc.so.6 "
fi

check "plugin needs $host_soname" needs "$plugin" "$host_soname"
check "plugin has no DF_STATIC_TLS" no static_tls "$plugin"
check "plugin has no TPOFF relocations" no tpoff_relocs "$plugin"
check "template-built 64 KiB TLS plugin has no DF_STATIC_TLS" no static_tls "$template_tls"
# The control: the same source in the initial-exec model must be caught.
check "initial-exec fixture is flagged DF_STATIC_TLS" static_tls "$ie_tls"
check "initial-exec fixture has TPOFF relocations" tpoff_relocs "$ie_tls"

echo "1..$n"
exit $failed
