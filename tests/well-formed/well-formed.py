#!/usr/bin/env python3
"""TAP: every output format of `plugkit check` stays well-formed for any bytes.

usage: well-formed.py PLUGKIT READER-CORPUS CHECK-CORPUS PLUGIN HOST SHIM [N]

Inputs: the reader's fuzz corpus (each file as a plugin), fuzz-check's
corpus (each split into plugin, host, shim, waivers and libc as the harness
does) and N mutated copies of PLUGIN (bytes flipped, and bytes that are not
UTF-8 or are controls written into its strings).  Each runs under a file
name holding '#', a TAP directive, an escape sequence, a newline and a byte
that is not UTF-8, with waivers whose reasons hold the same: first alone
in JSON, then those plugkit reads 25 to a run in every format.  Then:
  json  parses with json.loads (strict UTF-8), and so does json1;
  tap   parses with Perl's TAP::Parser (what prove uses): no parse error, no
        TODO, a SKIP exactly where JSON says skip, not ok exactly on fail;
        each YAML block, read by PyYAML, holds exactly the status,
        message, why, fix and waiver the JSON has, and only a failure,
        warning, error or waiver has one;
  text  is UTF-8 with no control but newline, and no bidirectional
        override or isolate (U+202A..E, U+2066..9).
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import yaml

plugkit, reader_corpus, check_corpus, plugin, host, shim = sys.argv[1:7]
count = int(sys.argv[7]) if len(sys.argv) > 7 else 150
SPLIT = b"@@PKIT@@"
# U+2028 ends a line in YAML 1.1, and YAML may not hold U+FFFF.
NAME = b"p # TODO \\# SKIP \xff\x1b[2J\x9b\n\xe2\x80\xae\xe2\x80\xa8\xef\xbf\xbf.so"
CHECK_IDS = subprocess.run([plugkit, "help", "check"], capture_output=True, text=True).stdout
CHECK_IDS = [l.split()[0] for l in CHECK_IDS.split("Checks:\n", 1)[1].splitlines() if l.strip()]
WAIVERS = b"".join(i.encode() + b" * r\xff\x1b[31m\x7fsee#1\xc0\xaf\xed\xa0\x80\n" for i in CHECK_IDS)

TAP_READER = r"""
use TAP::Parser;
local $/; my $tap = <STDIN>;
my $p = TAP::Parser->new({tap => $tap});
while (my $r = $p->next) {
    next unless $r->is_test;
    printf "%d %d %d %d\n", $r->number, $r->is_actual_ok, $r->has_todo, $r->has_skip;
}
print "error $_\n" for $p->parse_errors;
"""

n = 0
failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {desc}")


def printable(b):
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0 or
                   0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069 for c in s)


def yaml_blocks(tap):
    """Each test point's YAML block as PyYAML reads it, or None.  Lines end
    at \\n alone, as in TAP (str.splitlines would end them at U+2028)."""
    blocks, lines, i = [], tap.decode("utf-8").split("\n"), 0
    while i < len(lines):
        if lines[i].startswith(("ok ", "not ok ")):
            block = None
            if i + 1 < len(lines) and lines[i + 1] == "  ---":
                end = lines.index("  ...", i + 2)
                block = yaml.safe_load("\n".join(line[2:] for line in lines[i + 2:end]))
                i = end
            blocks.append(block)
        i += 1
    return blocks


def run(args):
    return subprocess.run([plugkit, "check", *args], capture_output=True, timeout=120)


def judge(label, args):
    """Runs one input in every format; returns a problem or None."""
    j1 = run(["--format", "json1", *args])
    try:
        json.loads(j1.stdout) if j1.returncode in (0, 1) or j1.stdout else None
    except ValueError as e:
        return f"json1: {e}"
    j = run(["--format", "json", *args])
    # Exit 2 with no report: a usage or role error.  With one: an input
    # that could not be read is an error entry, and the rest was judged.
    if j.returncode == 2 and not j.stdout:
        return None
    if j.returncode not in (0, 1, 2):
        return f"json exit {j.returncode}: {j.stderr[-300:]!r}"
    try:
        statuses = [c["status"] for c in json.loads(j.stdout)["checks"]]
    except (ValueError, KeyError) as e:
        return f"json: {e}"
    t = run(["--format", "tap", *args])
    if not printable(t.stdout):
        return "tap: not UTF-8 or has a control byte"
    parsed = subprocess.run(["perl", "-e", TAP_READER], input=t.stdout, capture_output=True)
    points = []
    for line in parsed.stdout.decode().splitlines():
        if line.startswith("error"):
            return f"tap: {line}"
        points.append([int(x) for x in line.split()])
    if len(points) != len(statuses):
        return f"tap: {len(points)} points, json has {len(statuses)}"
    for (num, is_ok, todo, skip), status in zip(points, statuses):
        if todo or bool(skip) != (status == "skip") or bool(is_ok) != (status not in ("fail", "error")):
            return f"tap: point {num} ok={is_ok} todo={todo} skip={skip}, json says {status}"
    try:
        blocks = yaml_blocks(t.stdout)
    except (ValueError, yaml.YAMLError) as e:
        return f"tap yaml: {e}"
    for num, (block, check) in enumerate(zip(blocks, json.loads(j.stdout)["checks"]), 1):
        want = None
        if check["status"] in ("fail", "warn", "error", "waived"):
            want = {k: check[k] for k in ("status", "message", "why", "fix", "waiver") if k in check}
        if block != want:
            return f"tap: point {num} yaml {block!r}, json says {want!r}"
    x = run(["--format", "text", "--color", "never", *args])
    if not printable(x.stdout):
        return "text: not UTF-8 or has a control byte"
    return None


def batches(files, extra, label):
    """Each file alone in json (it may be refused, exit 2); then those that
    are read, BATCH to a run, in every format, with and without waivers."""
    problems = 0
    readable = []
    for path in files:
        j = run(["--format", "json", *extra, "--", path])
        if j.returncode == 2:
            continue
        readable.append(path)
        try:
            json.loads(j.stdout)
        except ValueError as e:
            problems += 1
            print(f"# {label} {os.path.basename(path)!r}: json: {e}")
    for i in range(0, len(readable), BATCH):
        for w in ([], ["--waivers", waivers]):
            p = judge(label, [*extra, *w, "--", *readable[i:i + BATCH]])
            if p:
                problems += 1
                print(f"# {label} batch {i // BATCH}: {p}")
    return problems, len(readable)


BATCH = 25
tmp = tempfile.mkdtemp()
try:
    waivers = os.path.join(tmp, "waivers")
    with open(waivers, "wb") as f:
        f.write(WAIVERS)

    def weird(data, k):
        """data under a hostile name (NAME, numbered)."""
        path = os.path.join(tmp.encode(), NAME + b"%d" % k)
        with open(path, "wb") as f:
            f.write(data)
        return path

    files = []
    for k, name in enumerate(sorted(os.listdir(reader_corpus))):
        with open(os.path.join(reader_corpus, name), "rb") as f:
            files.append(weird(f.read(), k))
    problems, read = batches(files, ["--host", host, "--shim", shim], "reader corpus")
    ok(problems == 0, f"reader corpus ({len(files)} files, {read} read): every format well-formed")
    for path in files:
        os.unlink(path)

    problems = 0
    for name in sorted(os.listdir(check_corpus)):
        with open(os.path.join(check_corpus, name), "rb") as f:
            parts = f.read().split(SPLIT)
        d = os.path.join(tmp, "parts")
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
        args = []
        for part, fname, opt in zip(parts, ["plugin.so", "libhost.so", "shim", "waivers", "libc.so.6"],
                                    [None, "--host", "--shim", "--waivers", None]):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(part)
            if opt and part:
                args += [opt, os.path.join(d, fname)]
        p = judge(name, [*args, "--", weird(parts[0], 0)])
        if p:
            problems += 1
            print(f"# {name}: {p}")
    ok(problems == 0, f"check corpus ({len(os.listdir(check_corpus))} inputs): every format well-formed")

    with open(plugin, "rb") as f:
        original = f.read()
    spots = [i for s in (b"malloc", b"examplehost", b"$ORIGIN", b"GLIBC", b"example_")
             for i in range(len(original)) if original.startswith(s, i)]
    rng = random.Random(12)
    files = []
    for k in range(count):
        data = bytearray(original)
        if k % 2:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            for _ in range(rng.randint(1, 4)):
                at = rng.choice(spots) + rng.randrange(4)
                data[at] = rng.choice([0x80, 0xc0, 0xff, 0xed, 0x1b, 0x0a, 0x7f, 0x9b, 0x23, 0x5c])
        files.append(weird(bytes(data), k))
    problems, read = batches(files, ["--host", host], "mutants")
    ok(problems == 0, f"{count} mutated plugins ({read} read): every format well-formed")
finally:
    shutil.rmtree(tmp)
print(f"1..{n}")
sys.exit(1 if failed else 0)
