#!/usr/bin/env python3
"""doctest.py SOURCE_ROOT DOC.md...: run the marked blocks of the docs, as TAP.

A fenced block preceded (on the line before its fence) by one of these
comments is run; docs/doctest.md is the reference:

  <!-- doctest -->              run the block with sh -e, verbatim
  <!-- doctest cwd=source -->   the same, in a copy of plugkit's source tree
  <!-- doctest file=PATH -->    write the block to PATH (for meson.build, C...)
  <!-- doctest expect=PATH -->  PATH, as the blocks before left it, must equal
                                the block (what a command writes, shown)

The blocks of one document share a scratch directory (HOME is its home/,
the first block starts in its work/) and run in order, like one terminal:
the directory a block ends in and the variables it exports carry over.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

MARK = re.compile(r"^<!--\s*doctest(?:\s+(\w+)=(\S+))?\s*-->\s*$")
FENCE = re.compile(r"^(```+)\s*(\S*)")


def blocks(path):
    """(line number, kind, argument, text) of each marked block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        mark = MARK.match(lines[i])
        fence = FENCE.match(lines[i + 1]) if mark and i + 1 < len(lines) else None
        if mark and not fence:
            yield i + 1, "error", "a doctest mark must sit right above a ``` fence", ""
        if fence:
            end = i + 2
            while end < len(lines) and not lines[end].startswith(fence.group(1)):
                end += 1
            yield i + 2, mark.group(1) or "run", mark.group(2), "\n".join(lines[i + 2:end]) + "\n"
            i = end
        i += 1


def copy_source(root, dest):
    listed = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True)
    if listed.returncode == 0:
        for rel in filter(None, listed.stdout.decode().split("\0")):
            if os.path.isfile(os.path.join(root, rel)):
                os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
                shutil.copy2(os.path.join(root, rel), os.path.join(dest, rel))
    else:
        shutil.copytree(root, dest, ignore=shutil.ignore_patterns("build*", ".git"))


def run_doc(root, doc, scratch, tap):
    home, work, source = (os.path.join(scratch, d) for d in ("home", "work", "plugkit"))
    os.makedirs(home)
    os.makedirs(work)
    state = os.path.join(scratch, "state")
    env = dict(os.environ, HOME=home)
    # What the previous block left: its directory and its exported variables.
    with open(state, "w") as f:
        f.write(f"cd {shlex.quote(work)}\n")
    for line, kind, arg, text in blocks(doc):
        where = f"{os.path.relpath(doc, root)}:{line}"
        if kind == "error":
            tap(False, where, arg)
        elif kind == "file":
            path = os.path.join(work, arg)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            tap(True, f"{where} written to {arg}", "")
        elif kind == "expect":
            try:
                with open(os.path.join(work, arg), encoding="utf-8") as f:
                    got = f.read()
            except OSError as e:
                got = str(e)
            tap(got == text, f"{where} is what {arg} holds", got)
        elif kind in ("run", "cwd"):
            if kind == "cwd":
                if arg != "source":
                    tap(False, where, f"cwd={arg}: only cwd=source")
                    continue
                if not os.path.isdir(source):
                    copy_source(root, source)
            start = f"cd {shlex.quote(source)}\n" if kind == "cwd" else ""
            script = (f". {shlex.quote(state)}\n{start}set -e\n{text}"
                      # A block ending in a failing "a && b" has not stopped set -e.
                      f"\nstatus=$?\n{{ export -p; echo \"cd '$(pwd)'\"; }} >{shlex.quote(state)}.new\n")
            if kind == "cwd":
                # The source tree is a detour: the terminal's place stays.
                script += f"grep -v '^cd ' {shlex.quote(state)}.new >{shlex.quote(state)}.env\n" \
                          f"grep '^cd ' {shlex.quote(state)} >>{shlex.quote(state)}.env\n" \
                          f"mv {shlex.quote(state)}.env {shlex.quote(state)}.new\n"
            script += "exit $status\n"
            done = subprocess.run(["sh", "-c", script], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
            ok = done.returncode == 0
            if ok:
                os.replace(state + ".new", state)
            first = text.strip().split("\n")[0]
            tap(ok, f"{where} runs: {first}", done.stdout.decode(errors="replace")[-3000:])
        else:
            tap(False, where, f"unknown doctest mark '{kind}'")


def main():
    root = os.path.realpath(sys.argv[1])
    count = 0
    failed = False

    def tap(ok, desc, detail):
        nonlocal count, failed
        count += 1
        failed |= not ok
        print(f"{'ok' if ok else 'not ok'} {count} - {desc}".replace("#", "\\#"))
        if not ok and detail:
            print("\n".join("# " + l for l in detail.rstrip().split("\n")))
        sys.stdout.flush()

    for doc in sys.argv[2:]:
        with tempfile.TemporaryDirectory() as scratch:
            run_doc(root, os.path.realpath(doc), scratch, tap)
    print(f"1..{count}")
    sys.exit(1 if failed else 0)


main()
