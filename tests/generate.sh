#!/bin/sh
# TAP: plugkit generate.  A version script with C++ names, as written in the
# source, exports exactly what they name from a real C++ library; bad input
# is refused with a message that says what is missing.
# usage: generate.sh PLUGKIT
set -u
plugkit=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log
. "$(dirname "$0")/lib.sh"
cd "$work"

cat >lib.cpp <<'CPP'
namespace myhost {
__attribute__((visibility("default"))) int open(const char *) { return 1; }
__attribute__((visibility("default"))) int close(int) { return 0; }
namespace api { __attribute__((visibility("default"))) int version() { return 2; } }
}
namespace other { __attribute__((visibility("default"))) int leak() { return 3; } }
extern "C" __attribute__((visibility("default"))) int myhost_main() { return 0; }
CPP
# exports: the defined dynamic symbols of FILE, demangled.
exports() { nm -D --defined-only -C "$1" | sed 's/^[0-9a-f]* [A-Za-z] //' | LC_ALL=C sort; }

step "a glob, an exact C++ name and a C name make a version script" \
	"$plugkit" generate version-script --output lib.map 'myhost::api::*' 'myhost::open(char const*)' myhost_main
step "the script links" g++ -shared -fPIC -o lib.so lib.cpp -Wl,--version-script=lib.map
expect_exports() { exports lib.so >got; printf '%s\n' 'myhost::api::version()' 'myhost::open(char const*)' myhost_main | LC_ALL=C sort >want; diff want got; }
step "exactly the named C++ and C symbols are exported, demangled" expect_exports
refused() { "$plugkit" generate "$@" >"$log" 2>&1; [ $? -eq 2 ] && [ ! -e out ]; }
step "a name that would end the block is refused" refused version-script --output out 'myhost::f; }; local: *'
step "a C++ glob with a space is refused" refused version-script --output out 'myhost::a b*'
says() { pattern=$1; shift; "$plugkit" generate "$@" >"$log" 2>&1; [ $? -eq 2 ] && grep -q -- "$pattern" "$log"; }
step "shim without --entry says so" says '--entry FUNCTION is missing' shim --output out
step "version-script without --output says so" says '--output FILE is missing' version-script malloc
finish
