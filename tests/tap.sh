# Sourced by the end-to-end tests (e2e.sh, ci.sh): TAP lines, and plugkit's
# source as a git repository, for a wrap to fetch offline.
# Needs $log, the file a step's output goes to.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; sed 's/^/# /' "$log" | tail -40; }
# step DESC COMMAND...: runs COMMAND (output kept for a failure report).
step() { desc=$1; shift; if "$@" >"$log" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
finish() { echo "1..$n"; exit $failed; }

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
