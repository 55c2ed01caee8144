#!/usr/bin/env python3
"""fixture-coverage.py PLUGKIT INTRO_TESTS_JSON [--exempt ID]...

Passes only when every check `PLUGKIT help check` lists (the ids of
core/rules.c) has a fixture that fails it: a registered `check-*` test
whose expect-check.py ids (or --warned ids, for a check that only warns)
name it.  The registered tests are read from Meson's introspection file
(meson-info/intro-tests.json), so a fixture counts only when it is really
built and run.  --exempt names a check that cannot fail in this
configuration (tlsdesc on glibc 2.40 or later).
"""
import json
import subprocess
import sys


def check_ids(plugkit):
    out = subprocess.run([plugkit, "help", "check"], capture_output=True, text=True,
                         check=True).stdout
    lines = out.split("Checks:\n", 1)[1].splitlines()
    return {line.split()[0] for line in lines if len(line.split()) > 1}


def failed_by(test):
    """The ids a check-* test expects to fail or warn, or None."""
    cmd = test["cmd"]
    # The script itself, or an interpreter Meson put before it.
    script = [i for i, arg in enumerate(cmd[:2]) if arg.endswith("expect-check.py")]
    if not test["name"].startswith("check-") or not script:
        return None
    args = cmd[script[0] + 1:]
    ids = set() if args[0] == "none" else set(args[0].split(","))
    args = args[1:]
    while args[0] in ("--waived", "--warned"):
        if args[0] == "--warned" and args[1] != "none":
            ids |= set(args[1].split(","))
        args = args[2:]
    return ids


plugkit, intro, *rest = sys.argv[1:]
exempt = {rest[i + 1] for i in range(0, len(rest), 2) if rest[i] == "--exempt"}
with open(intro) as f:
    tests = json.load(f)
ids = check_ids(plugkit)
covered = {}
for test in tests:
    for check in failed_by(test) or ():
        covered.setdefault(check, []).append(test["name"])
for check in sorted(ids):
    print(f"{check}: {', '.join(covered.get(check, [])) or 'NO FIXTURE'}")
unknown = sorted(set(covered) - ids)
if unknown:
    sys.exit(f"FAIL: fixtures expect checks that do not exist: {unknown}")
missing = sorted(ids - set(covered) - exempt)
if missing:
    sys.exit(f"FAIL: no fixture fails {missing}: add one under tests/fixtures/")
print(f"every one of {len(ids)} checks has a fixture that fails it")
