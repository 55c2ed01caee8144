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
log=$work/log
. "$(dirname "$0")/lib.sh"
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

# run_workflow PROJECT: each run: step of PROJECT/.github/workflows/ci.yml,
# in order, in a copy of PROJECT; one TAP line per step.
run_workflow() {
	wf=$1/.github/workflows/ci.yml
	checkout=$work/checkout-$(basename "$1")
	if grep -Eq '^ *(- )?run: *[|>]' "$wf"; then
		not_ok "$wf: steps this runner can run"
		echo "multi-line run: steps are not supported here" | quote
		return
	fi
	cp -r "$1" "$checkout"
	sed -n 's/^ *- run: //p' "$wf" >"$work/steps"
	[ -s "$work/steps" ] || { not_ok "$wf has steps"; return; }
	while IFS= read -r command; do
		step "$(basename "$1"): $command" env PATH="$work/bin:$PATH" sh -ec "cd '$checkout' && $command"
	done <"$work/steps"
}

step "a git repository of plugkit" plugkit_repo "$src" "$work/plugkit.git"

cd "$work"
step "plugkit new host --plugkit-url" "$plugkit" new host cihost --plugkit-url "$work/plugkit.git"
run_workflow cihost
git_repo cihost
step "plugkit new plugin --host-url" "$plugkit" new plugin ciplug --host cihost --host-url "$work/cihost"
run_workflow ciplug
step "plugkit new plugin --lang cpp --host-url" \
	"$plugkit" new plugin cxxplug --host cihost --lang cpp --host-url "$work/cihost"
run_workflow cxxplug
finish
