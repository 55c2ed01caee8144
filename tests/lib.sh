# Sourced by the shell tests (. "$(dirname "$0")/lib.sh", before any cd):
# TAP points numbered as they come, what a failed one printed quoted below
# it as comments, the plan last (finish), exit 1 when any point failed.
# Its variables are global, as sh's are: n and failed count, and desc,
# want, status, pattern, out and output are set anew by each call.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - # SKIP $*"; }
# quote [FILE...]: FILE's lines, or stdin's, as TAP comments.
quote() { sed 's/^/# /' "$@"; }
finish() { echo "1..$n"; exit "$failed"; }

# check DESC COMMAND...: a point that passes when COMMAND succeeds.
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
# step DESC COMMAND...: the same, COMMAND's output kept in $log and its last
# 40 lines quoted when it fails (a build's log is long).
step() {
	desc=$1
	shift
	if "$@" >"$log" 2>&1; then ok "$desc"; else not_ok "$desc"; tail -n 40 "$log" | quote; fi
}

# verdict DESC STATUS WANT OUTPUT TEST...: a point that passes when STATUS
# matches the case pattern WANT (2; [01]; [!0]* for any failure) and
# TEST... succeeds; else it names both statuses and quotes OUTPUT.
verdict() {
	desc=$1 status=$2 want=$3 output=$4
	shift 4
	case $status in
	$want) if "$@"; then ok "$desc"; return; fi ;;
	esac
	not_ok "$desc (exit $status, wanted $want)"
	printf '%s\n' "$output" | quote
}
# has ERE TEXT: a line of TEXT matches ERE.
has() { printf '%s\n' "$2" | grep -Eq -- "$1"; }
# expect DESC STATUS ERE -- COMMAND...: COMMAND exits STATUS (a case
# pattern, as for verdict) and a line of its output, stdout and stderr
# together, matches ERE.
expect() {
	desc=$1 want=$2 pattern=$3
	shift 4
	out=$("$@" 2>&1)
	verdict "$desc" $? "$want" "$out" has "$pattern" "$out"
}

# git_repo DIR: DIR as a one-commit git repository.
git_repo() { (cd "$1" && git init -q && git add -A && git -c user.name=test -c user.email=test@localhost commit -qm test); }

# plugkit_repo SOURCE DEST: the files of plugkit's source tree as they are
# (what git tracks or would, or all but build dirs), committed in DEST.
plugkit_repo() {
	mkdir "$2"
	if git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$1" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$2")
	else
		(cd "$1" && find . -path './build*' -prune -o -type f -print0 | xargs -0 cp --parents -t "$2")
	fi && git_repo "$2"
}
