# Sourced by the TAP scripts that build projects in a scratch directory
# (e2e.sh, rust/docs.sh): $work, removed at exit, and numbered results,
# each failure followed by the tail of its output ($log).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
log=$work/log
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; sed 's/^/# /' "$log" | tail -60; }
# step DESC COMMAND...: runs COMMAND (output kept for a failure report).
step() { desc=$1; shift; if "$@" >"$log" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
finish() { echo "1..$n"; exit $failed; }
