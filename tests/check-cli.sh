#!/bin/sh
# TAP: plugkit's command line, and bad input: every unreadable or hostile
# file exits 2 with a message naming it, and nothing hangs.
# usage: check-cli.sh PLUGKIT GOOD_PLUGIN CHECKS_DOC
set -u
plugkit=$1 good=$2 doc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
# pk ARGS...: plugkit ARGS, which must finish within 10 seconds.
pk() { timeout 10 "$plugkit" "$@"; }

: >"$tmp/empty.so"
printf '#!/bin/sh\n' >"$tmp/script.so"
head -c 200 "$good" >"$tmp/truncated.so"
mkfifo "$tmp/fifo.so"
mkdir "$tmp/dir.so"
printf 'static-tls *.so\n' >"$tmp/no-reason.waivers"
printf 'no-such-check *.so because\n' >"$tmp/bad-id.waivers"

expect "--help" 0 'Usage: plugkit COMMAND' -- pk --help
expect "--version" 0 '^plugkit [0-9]' -- pk --version
expect "help check lists the checks" 0 'static-tls' -- pk help check
expect "no command" 2 'Usage' -- pk
expect "unknown command" 2 "unknown command 'frobnicate'" -- pk frobnicate
expect "check without files" 2 'nothing to check' -- pk check
expect "unknown option" 2 "Try 'plugkit help check'" -- pk check --bogus "$good"
expect "unknown format" 2 "unknown format 'xml'" -- pk check --format xml "$good"
expect "empty file" 2 "$tmp/empty.so: empty file" -- pk check "$tmp/empty.so"
expect "not ELF" 2 "$tmp/script.so: not an ELF file" -- pk check "$tmp/script.so"
expect "truncated ELF" 2 "$tmp/truncated.so: .*outside the file" -- pk check "$tmp/truncated.so"
expect "FIFO, no hang" 2 "$tmp/fifo.so: not a regular file \\(a FIFO\\)" -- pk check "$tmp/fifo.so"
expect "directory" 2 "$tmp/dir.so: not a regular file \\(a directory\\)" -- pk check "$tmp/dir.so"
expect "missing file" 2 "$tmp/absent.so: No such file" -- pk check "$tmp/absent.so"
expect "bad --shim" 2 "$tmp/empty.so: empty file" -- pk check --shim "$tmp/empty.so" "$good"
expect "waiver without a reason" 2 'no-reason.waivers:1: .*reason' -- pk check --waivers "$tmp/no-reason.waivers" "$good"
expect "waiver for no check" 2 "no check is called 'no-such-check'" -- pk check --waivers "$tmp/bad-id.waivers" "$good"
expect "good plugin alone" 0 '0 fail' -- pk check --color never "$good"
expect "json summary" 0 '"summary":\{"pass":[0-9]+,"fail":0' -- pk check --format json "$good"
expect "tap plan" 0 '^1\.\.[0-9]+' -- pk check --format tap "$good"
# The JSON schema's version 2 calls the fix "fix", as the table does;
# --format json1 keeps version 1 (which said "hint") for its readers.
expect "json is version 2" 0 '^\{"version":2,' -- pk check --format json "$good"
expect "json names the fix fix" 0 '"why":"[^"]*","fix":"' -- pk check --format json "$good"
expect "json1 is version 1" 0 '^\{"version":1,' -- pk check --format json1 "$good"
expect "json1 names the fix hint" 0 '"why":"[^"]*","hint":"' -- pk check --format json1 "$good"
expect "tap yaml has fix" 1 '^  fix: "' -- pk check --format tap --entry no_such_entry "$good"
expect "tap yaml has why" 1 '^  why: "' -- pk check --format tap --entry no_such_entry "$good"
# Meson shows a failed TAP test's stderr, not its YAML: the problems go there too.
tap_stderr() {
	! "$plugkit" check --format tap --entry no_such_entry "$good" 2>"$tmp/stderr" >/dev/null &&
		grep -q '^fail exports: ' "$tmp/stderr" && grep -q '^  why:  ' "$tmp/stderr" &&
		grep -q '^  fix:  ' "$tmp/stderr" && "$plugkit" check --format tap "$good" 2>"$tmp/stderr" >/dev/null &&
		[ ! -s "$tmp/stderr" ]
}
check "tap: a failure's what, why and fix on stderr too; nothing there on success" tap_stderr

# docs/checks.md has a section for every check, and for no other.
ids=$("$plugkit" help check | sed -n '/^Checks:/,$p' | awk 'NF > 1 { print $1 }' | sort)
documented=$(sed -n 's/^### //p' "$doc" | sort)
if [ -n "$ids" ] && [ "$ids" = "$documented" ]; then
	ok "docs/checks.md documents every check"
else
	not_ok "docs/checks.md and 'plugkit help check' disagree"
	printf '%s\n' "$ids" >"$tmp/ids"
	printf '%s\n' "$documented" >"$tmp/documented"
	diff "$tmp/ids" "$tmp/documented" | quote
fi
finish
