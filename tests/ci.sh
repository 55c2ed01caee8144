#!/bin/sh
# TAP: the CI workflows plugkit new writes pass.  Every `run:` step of each
# generated workflow runs, in order, in a fresh copy of its project (what
# actions/checkout gives), on this machine and offline: plugkit and the host
# come from git URLs that are local repositories.  Nothing is installed:
# PKG_CONFIG_PATH is empty and plugkit is not on PATH, as on a fresh runner.
# apt-get is stood in for by a check that each package it names is
# installed here (the test does not change the machine).
# usage: ci.sh PLUGKIT PLUGKIT_SOURCE_ROOT
set -u
plugkit=$(realpath "$1")
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
log=$work/log
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; sed 's/^/# /' "$log" | tail -40; }
step() { desc=$1; shift; if "$@" >"$log" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
unset PKG_CONFIG_PATH LD_LIBRARY_PATH

mkdir "$work/bin"
cat >"$work/bin/apt-get" <<'SH'
#!/bin/sh
# apt-get update | apt-get install -y PACKAGE...: each package installed here?
[ "$1" = update ] && exit 0
[ "$1" = install ] || { echo "apt-get stand-in: only update and install" >&2; exit 2; }
shift
for p in "$@"; do
	case $p in -*) continue ;; esac
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
		{ echo "apt-get stand-in: $p is not installed here" >&2; exit 100; }
done
SH
chmod +x "$work/bin/apt-get"

# git_repo DIR: DIR as a one-commit git repository.
git_repo() { (cd "$1" && git init -q && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm ci); }

# run_workflow PROJECT: each run: step of PROJECT/.github/workflows/ci.yml,
# in order, in a copy of PROJECT; one TAP line per step.
run_workflow() {
	wf=$1/.github/workflows/ci.yml
	checkout=$work/checkout-$(basename "$1")
	if grep -Eq '^ *(- )?run: *[|>]' "$wf"; then
		echo "multi-line run: steps are not supported here" >"$log"
		not_ok "$wf: steps this runner can run"
		return
	fi
	cp -r "$1" "$checkout"
	sed -n 's/^ *- run: //p' "$wf" >"$work/steps"
	[ -s "$work/steps" ] || { echo "no run: steps" >"$log"; not_ok "$wf has steps"; return; }
	while IFS= read -r command; do
		step "$(basename "$1"): $command" env PATH="$work/bin:$PATH" sh -ec "cd '$checkout' && $command"
	done <"$work/steps"
}

mkdir "$work/plugkit.git"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work/plugkit.git")
else
	(cd "$src" && find . -path './build*' -prune -o -type f -print0 | xargs -0 cp --parents -t "$work/plugkit.git")
fi
git_repo "$work/plugkit.git"

cd "$work"
step "plugkit new host --plugkit-url" "$plugkit" new host cihost --plugkit-url "$work/plugkit.git"
run_workflow cihost
git_repo cihost
step "plugkit new plugin --host-url" "$plugkit" new plugin ciplug --host cihost --host-url "$work/cihost"
run_workflow ciplug
step "plugkit new plugin --lang cpp --host-url" \
	"$plugkit" new plugin cxxplug --host cihost --lang cpp --host-url "$work/cihost"
run_workflow cxxplug
echo "1..$n"
exit $failed
