#!/usr/bin/env python3
"""field.py PLUGKIT FIELD_LOAD --spenders SPENDER... --control EXE PLUGIN... [--markdown FILE]

The field suite: Debian's plugin ecosystems, judged by `plugkit check` and,
in the same run, loaded in their real host executables (FIELD_LOAD, an
LD_PRELOADed loader, dlopens each plugin there with the host's own flags),
once fresh and once after SPENDERs used up glibc's spare static TLS.  A
plugin where the two disagree fails the test: check says it loads (no
needed-resolves or undefined-symbols failure, no static-tls total over the
spare bytes) and the host cannot load it, or the other way round; and the
same after exhaustion, where only a static-tls pass may load.  The control
is plugkit's own fixtures loaded into EXE: some fail fresh, some only once
the budget is spent, so both sides are seen to say no.  TAP output, one
point per ecosystem; with --markdown, the table of docs/field.md.
"""
import collections
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import sysconfig

MULTIARCH = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
LIB = f"/usr/lib/{MULTIARCH}"

# name, plugin globs, host arguments for plugkit check (and the executable
# the plugins are loaded into), the host's dlopen flags.  Flags as the hosts'
# sources have them: libpam RTLD_NOW; glibc's NSS, Perl's DynaLoader and
# GModule (gdk-pixbuf, GStreamer, GIO) RTLD_LAZY; Ruby RTLD_LAZY|RTLD_GLOBAL;
# CPython sys.getdlopenflags() = RTLD_NOW.
ECOSYSTEMS = [
    ("PAM modules", [f"{LIB}/security/pam_*.so"],
     ["--shim", "/usr/bin/pamtester", "--host", f"{LIB}/libpam.so.0"], "now,local"),
    ("NSS modules", [f"{LIB}/libnss_*.so.2"], ["--shim", "/usr/bin/getent"], "lazy,local"),
    ("Python 3.11 extension modules",
     ["/usr/lib/python3.11/lib-dynload/*.so", "/usr/lib/python3/dist-packages/**/*.so"],
     ["--shim", "/usr/bin/python3.11"], "now,local"),
    ("Perl XS modules", [f"{LIB}/perl5/5.*/auto/**/*.so", f"{LIB}/perl/5.*/auto/**/*.so",
                         f"{LIB}/perl-base/auto/**/*.so"],
     ["--shim", "/usr/bin/perl"], "lazy,local"),
    ("gdk-pixbuf loaders", [f"{LIB}/gdk-pixbuf-2.0/2.10.0/loaders/*.so"],
     ["--shim", f"{LIB}/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders",
      "--host", f"{LIB}/libgdk_pixbuf-2.0.so.0"], "lazy,local"),
    ("GStreamer plugins", [f"{LIB}/gstreamer-1.0/*.so"],
     ["--shim", "/usr/bin/gst-inspect-1.0", "--host", f"{LIB}/libgstreamer-1.0.so.0"],
     "lazy,local"),
    ("GIO modules", [f"{LIB}/gio/modules/*.so"],
     ["--shim", "/usr/bin/gio", "--host", f"{LIB}/libgio-2.0.so.0"], "lazy,local"),
    ("Ruby 3.1 extensions", [f"{LIB}/ruby/3.1.0/**/*.so", f"{LIB}/ruby/vendor_ruby/3.1.0/**/*.so",
                             "/usr/lib/ruby/vendor_ruby/**/*.so"],
     ["--shim", "/usr/bin/ruby3.1"], "lazy,global"),
]


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def plugins_of(globs):
    seen, files = set(), []
    for pattern in globs:
        for path in sorted(glob.glob(pattern, recursive=True)):
            real = os.path.realpath(path)
            if real not in seen and os.path.isfile(real) and is_elf(real):
                seen.add(real)
                files.append(real)
    return files


def load(shim, preload, plugins, flags, spenders=()):
    """What the host's own process says for each plugin: True loaded,
    or the dlerror() text."""
    env = dict(os.environ, LD_PRELOAD=preload, FIELD_PLUGINS=":".join(plugins),
               FIELD_FLAGS=flags, FIELD_SPENDERS=":".join(spenders))
    env.pop("LD_LIBRARY_PATH", None)
    try:
        run = subprocess.run([shim], env=env, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        out = run.stdout
    except subprocess.TimeoutExpired:
        out = ""
    result = {p: "no answer (the host did not reach the loader)" for p in plugins}
    for line in out.splitlines():
        if line.startswith("loaded "):
            result[line[7:]] = True
        elif line.startswith("failed "):
            path, _, err = line[7:].partition(": ")
            result[path] = err
    return result


def predicted(findings):
    """(loads fresh, loads with the static-TLS budget spent) by check."""
    fails = {f["id"] for f in findings if f["status"] == "fail"}
    tls = [f for f in findings if f["id"] == "static-tls"]
    over = any(f["status"] == "fail" and "more than the" in (f["message"] or "") for f in tls)
    fresh = not fails & {"needed-resolves", "undefined-symbols", "error"} and not over
    spent = fresh and all(f["status"] in ("pass", "skip") for f in tls)
    return fresh, spent


def judge(eco, plugkit, preload, spenders, pool):
    name, globs, host_args, flags = eco
    shim = host_args[1]
    if not os.path.exists(shim):
        return {"name": name, "skip": f"{shim} is not installed"}
    plugins = plugins_of(globs)
    if host_args[1] in plugins:
        plugins.remove(host_args[1])
    if not plugins:
        return {"name": name, "skip": "no plugin installed"}
    cmd = [plugkit, "check", "--format", "json", "--dlopen-flags", flags] + host_args + plugins
    run = subprocess.run(cmd, capture_output=True, text=True)
    report = json.loads(run.stdout)
    by_file = collections.defaultdict(list)
    for f in report["checks"]:
        by_file[f["file"]].append(f)
    if "global" in flags:
        # One process, in command-line order: what each plugin found was
        # the global scope the earlier ones made.
        fresh = load(shim, preload, plugins, flags)
    else:
        fresh = {}
        for r in pool.map(lambda p: load(shim, preload, [p], flags), plugins):
            fresh.update(r)
    spent = {}
    for r in pool.map(lambda p: load(shim, preload, [p], flags, spenders), plugins):
        spent.update(r)
    counts = collections.Counter()
    disagreements = []
    for p in plugins:
        for f in by_file[p]:
            if f["status"] in ("fail", "warn", "skip", "error", "waived"):
                counts[(f["id"], f["status"])] += 1
        want_fresh, want_spent = predicted(by_file[p])
        for what, want, got in (("fresh", want_fresh, fresh[p]),
                                ("static TLS spent", want_spent, spent[p])):
            if want != (got is True):
                disagreements.append(
                    f"{p} ({what}): check says {'loads' if want else 'fails'}, the host says "
                    f"{'loaded' if got is True else got}")
    return {"name": name, "cmd": " ".join(cmd[:6] + host_args), "files": len(plugins),
            "counts": counts, "disagreements": disagreements, "exit": run.returncode,
            "loaded": sum(fresh[p] is True for p in plugins),
            "spent": sum(spent[p] is True for p in plugins), "flags": flags,
            # Paths outside /usr are this build's: their names say enough.
            "host": " ".join(a if not a.startswith("/") or a.startswith("/usr/") else
                             os.path.basename(a) for a in host_args)}


def markdown(results):
    rows = ["| ecosystem | host (plugkit check) | flags | files | loaded fresh / static TLS spent "
            "| findings by id (fail, warn, skip) | agreements |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        if "skip" in r:
            rows.append(f"| {r['name']} | | | 0 | | not run: {r['skip']} | |")
            continue
        ids = collections.defaultdict(dict)
        for (cid, status), n in r["counts"].items():
            ids[cid][status] = n
        found = "; ".join(
            f"`{cid}` " + ", ".join(f"{n} {s}" for s, n in sorted(st.items()))
            for cid, st in sorted(ids.items())) or "none"
        agree = 2 * r["files"] - len(r["disagreements"])
        rows.append(f"| {r['name']} | `{r['host']}` | {r['flags']} | {r['files']} | "
                    f"{r['loaded']} / {r['spent']} | {found} | {agree} of {2 * r['files']} |")
    return "\n".join(rows) + "\n"


def option(args, name, count=None):
    """Removes --name and its values (count of them, or up to the next --)."""
    if name not in args:
        return []
    i = args.index(name)
    end = i + 1 + count if count else next(
        (k for k in range(i + 1, len(args)) if args[k].startswith("--")), len(args))
    values = args[i + 1:end]
    del args[i:end]
    return values


def main():
    args = sys.argv[1:]
    out_md = (option(args, "--markdown", 1) or [None])[0]
    spenders = [os.path.realpath(a) for a in option(args, "--spenders")]
    control = [os.path.realpath(a) for a in option(args, "--control")]
    plugkit, preload = args[0], os.path.realpath(args[1])
    if control:
        ECOSYSTEMS.append(("control: plugkit's fixtures", control[1:], ["--shim", control[0]],
                           "now,local"))
    print(f"1..{len(ECOSYSTEMS)}")
    failed = False
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for n, eco in enumerate(ECOSYSTEMS, 1):
            r = judge(eco, plugkit, preload, spenders, pool)
            results.append(r)
            if "skip" in r:
                print(f"ok {n} - {r['name']} # SKIP {r['skip']}")
                continue
            ok = not r["disagreements"]
            failed |= not ok
            print(f"{'ok' if ok else 'not ok'} {n} - {r['name']}: {r['files']} files, "
                  f"{2 * r['files'] - len(r['disagreements'])} agreements, "
                  f"{len(r['disagreements'])} disagreements")
            for d in r["disagreements"]:
                print(f"# {d}")
    print("# " + markdown(results).replace("\n", "\n# "))
    if out_md:
        with open(out_md, "w") as f:
            f.write(markdown(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
