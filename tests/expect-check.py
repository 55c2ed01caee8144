#!/usr/bin/env python3
"""expect-check.py IDS PLUGKIT ARGS...

Runs `PLUGKIT check --format json ARGS...` and passes only when the checks
that fail are exactly IDS (comma-separated, or 'none'): a fixture must be
flagged by its own check and by nothing else it does not also break.
"""
import json
import subprocess
import sys

expected = set() if sys.argv[1] == "none" else set(sys.argv[1].split(","))
cmd = [sys.argv[2], "check", "--format", "json", "--color", "never"] + sys.argv[3:]
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
if report["summary"]["fail"] != sum(c["status"] == "fail" for c in report["checks"]):
    sys.exit("FAIL: summary does not count the failures")
print("failing checks as expected:", sorted(failed) or "none")
