#!/usr/bin/env python3
"""expect-check.py IDS [--waived IDS] [--warned IDS] PLUGKIT ARGS...

Runs `PLUGKIT check --format json ARGS...` and passes only when the checks
that fail are exactly IDS (comma-separated, or 'none'): a fixture must be
flagged by its own check and by nothing else it does not also break.  With
--waived (--warned), the checks a waiver accepted (that warned) must be
exactly those too.
"""
import json
import subprocess
import sys


def id_set(arg):
    return set() if arg == "none" else set(arg.split(","))


args = sys.argv[1:]
expected = id_set(args.pop(0))
STATUS = {"--waived": "waived", "--warned": "warn"}
expect_status = {}
while args[0] in STATUS:
    status = STATUS[args.pop(0)]
    expect_status[status] = id_set(args.pop(0))
cmd = [args[0], "check", "--format", "json", "--color", "never"] + args[1:]
run = subprocess.run(cmd, capture_output=True, text=True)
print("$", " ".join(cmd))
print(run.stdout, run.stderr, sep="")
want_status = 1 if expected else 0
if run.returncode != want_status:
    sys.exit(f"FAIL: exit status {run.returncode}, expected {want_status}")
report = json.loads(run.stdout)
failed = {c["id"] for c in report["checks"] if c["status"] == "fail"}
if failed != expected:
    sys.exit(f"FAIL: failing checks {sorted(failed)}, expected {sorted(expected)}")
for status, want in expect_status.items():
    got = {c["id"] for c in report["checks"]
           if c["status"] == status and (status != "waived" or c.get("waiver"))}
    if got != want:
        sys.exit(f"FAIL: checks with status {status} {sorted(got)}, expected {sorted(want)}")
if report["summary"]["fail"] != sum(c["status"] == "fail" for c in report["checks"]):
    sys.exit("FAIL: summary does not count the failures")
print("failing checks as expected:", sorted(failed) or "none")
