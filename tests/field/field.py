#!/usr/bin/env python3
"""field.py PLUGKIT FIELD_SPEND --spenders SPENDER... --control EXE PLUGIN...
            [--markdown FILE] [--only WORD...]

The field suite: Debian's plugin ecosystems, judged by `plugkit check` and,
in the same run, loaded by their real host commands the way users load them
(`perl -MModule -e1`, `python3.11 -c 'import mod'`, `ruby -e 'require ...'`,
`gst-inspect-1.0 FILE`, a pamtester conversation, getent through each NSS
module, gdk-pixbuf-query-loaders, gio-querymodules), each under
LD_DEBUG=files (and bindings on the fresh run).  Every plugin is loaded
twice: fresh, and with FIELD_SPEND preloaded, which uses up glibc's spare
static TLS with the SPENDERs before the host's main() runs.

Per plugin, check's verdicts are compared with what happened:
  loads fresh      no needed-resolves/undefined-symbols/error failure and no
                   static-tls total over the surplus <=> ld.so opened it
                   ("opening file=" in LD_DEBUG) in the plain command;
  loads spent      that, and static-tls pass or skip <=> opened with the
                   budget spent;
  second host      second-host fails <=> the load mapped another copy of the
                   host library (or any copy, when the executable is the host);
  one heap         allocator-binding fails <=> an object the plugin brought
                   bound an allocator function to another object than the
                   process's malloc provider (LD_DEBUG bindings).
Where the host itself can say whether the plugin loaded (exit status, its
output), that must match ld.so's word too; where the command did not run
to the point of loading, that is a disagreement as well.  Any disagreement
fails the test.  A plugin its host never opens is waived, with the reason.
TAP output, one point per ecosystem; with --markdown, the table of
docs/field.md; with --only, just the ecosystems whose names hold a WORD.
"""
import collections
import concurrent.futures
import functools
import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time

MULTIARCH = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
LIB = f"/usr/lib/{MULTIARCH}"
# The hosts run with this environment only: no meson LD_LIBRARY_PATH, no
# MALLOC_PERTURB_, no pyenv or user site on the way to Debian's own hosts.
CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
ALLOCATOR = {"malloc", "free", "calloc", "realloc", "aligned_alloc", "posix_memalign",
             "memalign", "valloc", "pvalloc", "malloc_usable_size"}
CXX_ALLOCATOR = ("_Znw", "_Zna", "_Zdl", "_Zda")  # operator new, new[], delete, delete[]
# The lines of LD_DEBUG=files,bindings that say something here; the rest
# (most of them: bindings of other symbols) is skipped by the regex engine.
EVENT = re.compile(
    r"^ *\d+:\t(?:(?P<kind>binding) file (?P<path>.*) \[\d+\] to (?P<dst>.*) \[\d+\]: "
    r"normal symbol `(?P<sym>(?:[mcrv]|free|aligned|posix|memalign|pvalloc|_Z[nd][wla])[^']*)'"
    r"|(?P<kind2>opening) file=(?P<path2>.*) \[\d+\]; direct_opencount"
    r"|file=(?P<path3>.*) \[\d+\];  (?P<how>dynamically loaded by|generating link map))",
    re.MULTILINE)
# unshare -m gives the command a private mount namespace: a scratch file or
# directory is bind-mounted over the system's configuration there only, and
# vanishes with the process.  The host's own variables are set by env, so
# that unshare, sh and mount run untraced and unspent.
IN_NAMESPACE = ["unshare", "-m", "--", "sh", "-c",
                'mount --bind "$1" "$2" && shift 2 && exec env "$@"', "sh"]


class Ecosystem:
    """name; plugin globs; plugkit check's host arguments and --dlopen-flags
    (as the host's own dlopen call has them, read with gdb on Debian 12);
    the host library's file name (second-host truth) and whether the
    executable itself carries the API; command(plugin, scratch) -> (argv,
    extra environment); host_says(run, plugin) -> True/False (the host's
    own word on the load) or None (it cannot tell); reached(run): the
    command got as far as loading; waivers: file name -> reason; how: the
    real command, for the docs; per_dir: at most this many files of one
    directory are judged, evenly spaced in name order (always the first
    and the last): a deterministic sample, for time, where one directory
    holds many files (GStreamer's plugins; Ruby's encodings and
    transcoders, each host start a fifth of a second of CPU)."""

    def __init__(self, name, globs, check, flags, host_lib, command, how, exe_is_host=False,
                 host_says=lambda run, plugin: None, reached=lambda run: True, waivers=None,
                 one_check_per_plugin=False, per_dir=None):
        self.name, self.globs, self.check, self.flags = name, globs, check, flags
        self.host_lib, self.exe_is_host, self.command, self.how = host_lib, exe_is_host, command, how
        self.host_says, self.reached, self.waivers = host_says, reached, waivers or {}
        self.one_check_per_plugin, self.per_dir = one_check_per_plugin, per_dir


def exit_zero(run, plugin):
    return run["rc"] == 0


# Modules whose XS part is loaded only once another module is: users load
# threads::shared after threads (without it, threads::shared is a stub).
PERL_FIRST = {"threads::shared": ["threads"]}


def perl(plugin, scratch):
    # .../auto/Foo/Bar/Bar.so is Foo::Bar; -I puts its directory first, so
    # that of two copies (perl-base and libperl5.36) this one is loaded.
    root, rel = plugin.split("/auto/", 1)
    module = "::".join(rel.split("/")[:-1])
    return (["/usr/bin/perl", f"-I{root}"] + [f"-M{m}" for m in PERL_FIRST.get(module, [])]
            + [f"-M{module}", "-e1"]), {}, None


def python(plugin, scratch):
    for root in ("/usr/lib/python3.11/lib-dynload", "/usr/lib/python3/dist-packages"):
        if plugin.startswith(root + "/"):
            parts = plugin[len(root) + 1:].split("/")
            parts[-1] = parts[-1].split(".")[0]
            return ["/usr/bin/python3.11", "-c", "import " + ".".join(parts)], {}, None
    raise ValueError(f"{plugin}: not under a python3.11 module directory")


def ruby(plugin, scratch):
    return ["/usr/bin/ruby3.1", "-e", f'require "{plugin}"'], {}, None


def gstreamer(plugin, scratch):
    # An empty plugin path and a scratch registry: gst_init() scans nothing
    # else, so the only plugin this process opens is FILE.
    empty = os.path.join(scratch, "empty")
    os.mkdir(empty)
    return ["/usr/bin/gst-inspect-1.0", plugin], {
        "GST_PLUGIN_SYSTEM_PATH_1_0": empty, "GST_PLUGIN_PATH_1_0": empty,
        "GST_REGISTRY_1_0": os.path.join(scratch, "registry.bin")}, None


def pixbuf(plugin, scratch):
    return [f"{LIB}/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders", plugin], {}, None


def gio(plugin, scratch):
    # gio-querymodules writes DIR/giomodule.cache: a scratch DIR holding
    # only this module, so the system's cache stays as it is.
    modules = os.path.join(scratch, "modules")
    os.mkdir(modules)
    os.symlink(plugin, os.path.join(modules, os.path.basename(plugin)))
    return ["/usr/bin/gio-querymodules", modules], {}, None


def gio_says(run, plugin):
    cache = os.path.join(run["scratch"], "modules", "giomodule.cache")
    try:
        with open(cache) as f:
            return any(line.startswith(os.path.basename(plugin) + ":") for line in f)
    except OSError:
        return False


def pam(plugin, scratch):
    # A scratch /etc/pam.d whose one service names the module: libpam
    # dlopens every module of the service in pam_start(); the conversation
    # then authenticates through pam_permit alone, so the module's own
    # functions (which change passwords, sessions, limits) never run.
    conf = os.path.join(scratch, "pam.d")
    os.mkdir(conf)
    with open(os.path.join(conf, "plugkit-field"), "w") as f:
        f.write(f"auth required pam_permit.so\naccount optional {plugin}\n")
    return ["/usr/bin/pamtester", "plugkit-field", "root", "authenticate"], {}, (conf, "/etc/pam.d")


def nss(plugin, scratch):
    # libnss_NAME.so.2 is the service NAME; a scratch nsswitch.conf naming
    # only it for passwd, and getent looks root up through it.
    name = os.path.basename(plugin)[len("libnss_"):].split(".so")[0]
    conf = os.path.join(scratch, "nsswitch.conf")
    with open(conf, "w") as f:
        f.write(f"passwd: {name}\n")
    return ["/usr/bin/getent", "passwd", "root"], {}, (conf, "/etc/nsswitch.conf")


NSS_BUILT_IN = ("glibc 2.34 and later have this service built into libc: NSS never opens "
                "the stub file, so no host loads it")

ECOSYSTEMS = [
    Ecosystem("PAM modules", [f"{LIB}/security/pam_*.so"],
              ["--shim", "/usr/bin/pamtester", "--host", f"{LIB}/libpam.so.0"], "now,local",
              "libpam.so.0", pam,
              "`pamtester plugkit-field root authenticate` in `unshare -m`, with a scratch "
              "`/etc/pam.d` bind-mounted whose service reads `auth required pam_permit.so` and "
              "`account optional MODULE`; libpam dlopens every module of the service in "
              "`pam_start`, and a module that fails to load only becomes a failing stack "
              "entry, so the verdict is ld.so's (`opening file=`), and pamtester must exit 0",
              reached=lambda run: run["rc"] == 0),
    Ecosystem("NSS modules", [f"{LIB}/libnss_*.so.2"], ["--shim", "/usr/bin/getent"],
              "lazy,local", "libc.so.6", nss,
              "`getent passwd root` in `unshare -m`, with a scratch `/etc/nsswitch.conf` "
              "bind-mounted that reads `passwd: NAME`; NSS treats a module that fails to load "
              "like one that does not know the key, so the verdict is ld.so's, and getent must "
              "exit 0 (found) or 2 (not found)",
              reached=lambda run: run["rc"] in (0, 2),
              waivers={"libnss_files.so.2": NSS_BUILT_IN, "libnss_dns.so.2": NSS_BUILT_IN}),
    Ecosystem("Python 3.11 extension modules",
              ["/usr/lib/python3.11/lib-dynload/*.so", "/usr/lib/python3/dist-packages/**/*.so"],
              ["--shim", "/usr/bin/python3.11"], "now,local", "libpython3.11.so.1.0", python,
              "`python3.11 -c 'import MODULE'` (the dotted name from the file's path); exit "
              "status 0 and ld.so opening this very file",
              exe_is_host=True, host_says=exit_zero),
    Ecosystem("Perl XS modules", [f"{LIB}/perl5/5.*/auto/**/*.so", f"{LIB}/perl/5.*/auto/**/*.so",
                                  f"{LIB}/perl-base/auto/**/*.so"],
              ["--shim", "/usr/bin/perl"], "lazy,local", "libperl.so.5.36", perl,
              "`perl -IDIR -MModule -e1` (DIR the module's own `@INC` directory, so that of "
              "two copies this one is loaded); exit status 0 and ld.so opening this very file",
              exe_is_host=True, host_says=exit_zero),
    Ecosystem("gdk-pixbuf loaders", [f"{LIB}/gdk-pixbuf-2.0/2.10.0/loaders/*.so"],
              ["--shim", f"{LIB}/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders",
               "--host", f"{LIB}/libgdk_pixbuf-2.0.so.0"], "now,global",
              "libgdk_pixbuf-2.0.so.0", pixbuf,
              "`gdk-pixbuf-query-loaders FILE`; it exits 0 either way, so its word is whether "
              "its output lists FILE, beside ld.so's",
              host_says=lambda run, plugin: f'"{plugin}"' in run["stdout"]),
    Ecosystem("GStreamer plugins", [f"{LIB}/gstreamer-1.0/*.so"],
              ["--shim", "/usr/bin/gst-inspect-1.0", "--host", f"{LIB}/libgstreamer-1.0.so.0"],
              "now,local", "libgstreamer-1.0.so.0", gstreamer,
              "`gst-inspect-1.0 FILE`, with an empty plugin path and a scratch registry so that "
              "no other plugin is scanned; exit status 0 and ld.so opening FILE",
              host_says=exit_zero, per_dir=32),
    Ecosystem("GIO modules", [f"{LIB}/gio/modules/*.so"],
              ["--shim", "/usr/bin/gio-querymodules", "--host", f"{LIB}/libgio-2.0.so.0"],
              "lazy,local", "libgio-2.0.so.0", gio,
              "`gio-querymodules DIR` on a scratch DIR holding only a link to the module; it "
              "exits 0 either way, so its word is whether the `giomodule.cache` it writes "
              "lists the module, beside ld.so's",
              host_says=gio_says, reached=lambda run: run["rc"] == 0),
    Ecosystem("Ruby 3.1 extensions",
              [f"{LIB}/ruby/3.1.0/**/*.so", f"{LIB}/ruby/vendor_ruby/3.1.0/**/*.so",
               f"{LIB}/rubygems-integration/3.1.0/extensions/**/*.so"],
              ["--shim", "/usr/bin/ruby3.1"], "lazy,global", "libruby-3.1.so.3.1", ruby,
              "`ruby3.1 -e 'require \"FILE\"'` (the absolute path, so that of the standard "
              "library's and the gem's copy this one is loaded), one process per extension and "
              "`plugkit check` once per extension to match; exit status 0 and ld.so opening FILE",
              host_says=exit_zero, one_check_per_plugin=True, per_dir=12),
]


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def plugins_of(globs, per_dir=None):
    seen, files = set(), []
    for pattern in globs:
        for path in sorted(glob.glob(pattern, recursive=True)):
            real = os.path.realpath(path)
            if real not in seen and os.path.isfile(real) and is_elf(real):
                seen.add(real)
                files.append(real)
    if not per_dir:
        return files
    by_dir = collections.defaultdict(list)
    for path in files:
        by_dir[os.path.dirname(path)].append(path)
    keep = set()
    for group in by_dir.values():
        n = len(group)
        keep.update(group if n <= per_dir else
                    (group[round(i * (n - 1) / (per_dir - 1))] for i in range(per_dir)))
    return [p for p in files if p in keep]


@functools.lru_cache(maxsize=None)
def is_heap(path):
    """Whether PATH defines malloc: an object that is bound to for an
    allocator function and does not define malloc (an executable's PLT
    entry taken as the canonical address, libstdc++'s operator new) hands
    the call on to the process's malloc; one that defines it runs a heap."""
    run = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True)
    return any(line.split()[-1].split("@")[0] == "malloc" for line in run.stdout.splitlines()
               if line.strip())


def trace_process(text, plugin, host_lib):
    """One process's ld.so debug output, TEXT: whether it loaded PLUGIN
    (seen), opened it, how many copies of HOST_LIB it mapped, and the
    allocator bindings from PLUGIN's load to another heap."""
    seen = opened = False
    copies, closure, loading, provider, foreign = 0, set(), False, None, []
    for m in EVENT.finditer(text):
        # dlopen(NULL) (GModule opening the program) is "opening file= [0]"
        path = next(p for p in m.group("path", "path2", "path3") if p is not None)
        if m.group("kind"):
            sym, dst = m.group("sym"), m.group("dst")
            if not (sym in ALLOCATOR or sym.startswith(CXX_ALLOCATOR)) or not is_heap(dst):
                continue
            provider = provider or dst
            if os.path.basename(path) in closure and dst != provider:
                foreign.append(f"{path} binds {sym} to {dst}, the process's malloc is {provider}")
        elif m.group("kind2"):
            if os.path.realpath(path) == plugin:
                seen, opened, loading = True, True, False
        # A host that opens the plugin by its file name (NSS) has the bare
        # name here; "opening file=" then has the path.
        elif m.group("how") == "dynamically loaded by":
            if os.path.realpath(path) == plugin or path == os.path.basename(plugin):
                seen = loading = True
                closure.add(os.path.basename(path))
        elif m.group("how") == "generating link map":
            copies += os.path.basename(path) == host_lib
            if loading:
                closure.add(os.path.basename(path))
    return seen, opened, copies, foreign


def trace(logdir, plugin, host_lib):
    """What ld.so's debug output says about PLUGIN, from the process (of
    the command's chain: unshare, sh, the host) that loaded it: opened (its
    dlopen succeeded), the copies of HOST_LIB mapped, and allocator
    bindings from objects its load brought in to another heap than the
    process's malloc provider (the first heap anything bound to)."""
    result = {"opened": False, "copies": 0, "foreign": []}
    for name in sorted(os.listdir(logdir)):
        with open(os.path.join(logdir, name), errors="replace") as f:
            seen, opened, copies, foreign = trace_process(f.read(), plugin, host_lib)
        if seen:
            result["opened"] |= opened
            result["copies"] = max(result["copies"], copies)
            result["foreign"] += foreign
    return result


def run_host(eco, plugin, preload=None, spenders=()):
    scratch = tempfile.mkdtemp(prefix="plugkit-field-")
    try:
        argv, extra, mount = eco.command(plugin, scratch)
        logdir = os.path.join(scratch, "ld")
        os.mkdir(logdir)
        host_env = dict(extra, LD_DEBUG="files" if spenders else "files,bindings",
                        LD_DEBUG_OUTPUT=os.path.join(logdir, "ld"))
        if spenders:
            host_env.update(LD_PRELOAD=preload, FIELD_SPENDERS=":".join(spenders))
        env = dict(CLEAN_ENV, HOME=scratch)
        if mount:
            argv = IN_NAMESPACE + list(mount) + [f"{k}={v}" for k, v in host_env.items()] + argv
        else:
            env.update(host_env)
        try:
            p = subprocess.run(argv, env=env, cwd=scratch, capture_output=True, text=True,
                               errors="replace", timeout=120, stdin=subprocess.DEVNULL)
            run = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
        except subprocess.TimeoutExpired:
            run = {"rc": None, "stdout": "", "stderr": "timed out after 120 s"}
        run.update(scratch=scratch, argv=argv)
        run.update(trace(logdir, plugin, eco.host_lib))
        run["says"] = eco.host_says(run, plugin)
        run["reached"] = run["rc"] is not None and eco.reached(run)
        return run
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check(plugkit, eco, plugins):
    cmd = [plugkit, "check", "--format", "json", "--dlopen-flags", eco.flags] + eco.check + plugins
    run = subprocess.run(cmd, capture_output=True, text=True)
    return json.loads(run.stdout)["checks"]


def predicted(findings):
    """check's verdicts: loads fresh, loads with the static-TLS budget
    spent, loads a second host, binds to a second heap."""
    fails = {f["id"] for f in findings if f["status"] == "fail"}
    tls = [f for f in findings if f["id"] == "static-tls"]
    over = any(f["status"] == "fail" and "more than the" in (f["message"] or "") for f in tls)
    fresh = not fails & {"needed-resolves", "undefined-symbols", "error"} and not over
    spent = fresh and all(f["status"] in ("pass", "skip") for f in tls)
    return fresh, spent, "second-host" in fails, "allocator-binding" in fails


def said(run):
    if run["opened"]:
        return "opened"
    err = (run["stderr"] or run["stdout"]).strip().splitlines()
    return f"not opened (exit {run['rc']}: {err[-1] if err else 'no output'})"


def compare(eco, plugin, findings, fresh, spent):
    """Disagreements for one plugin, and how many comparisons were made."""
    want_fresh, want_spent, want_second, want_heap = predicted(findings)
    out, n = [], 0
    for what, want, run in (("fresh", want_fresh, fresh), ("static TLS spent", want_spent, spent)):
        n += 1 + (run["says"] is not None)
        if not run["reached"]:
            out.append(f"{plugin} ({what}): the host command did not get to loading: exit "
                       f"{run['rc']}, {run['stderr'].strip()[-300:]}")
        elif want != run["opened"]:
            out.append(f"{plugin} ({what}): check says {'loads' if want else 'fails'}, "
                       f"ld.so {said(run)}")
        if run["says"] is not None and run["says"] != run["opened"]:
            out.append(f"{plugin} ({what}): ld.so {said(run)}, but the host says it "
                       f"{'loaded' if run['says'] else 'did not load'}: "
                       f"{(run['stderr'] or run['stdout']).strip()[-300:]}")
    if eco.host_lib:
        n += 1
        copies = fresh["copies"] + eco.exe_is_host
        if want_second != (copies > 1):
            out.append(f"{plugin}: check says {'a' if want_second else 'no'} second host, the "
                       f"process had {copies} of {eco.host_lib}")
    n += 1
    if want_heap != bool(fresh["foreign"]):
        out.append(f"{plugin}: check says {'a' if want_heap else 'no'} second heap; "
                   + ("; ".join(fresh["foreign"][:3]) or "every allocator binding went to the "
                      "process's provider"))
    return out, n


def judge(eco, plugkit, preload, spenders, pool):
    shim = eco.check[1]
    if not os.path.exists(shim):
        return {"name": eco.name, "skip": f"{shim} is not installed"}
    if os.geteuid() != 0 and eco.command in (pam, nss):
        return {"name": eco.name, "skip": "a private mount namespace (unshare -m) needs root"}
    installed = plugins_of(eco.globs)
    plugins = [p for p in plugins_of(eco.globs, eco.per_dir) if p != shim]
    if not plugins:
        return {"name": eco.name, "skip": "no plugin installed"}
    by_file = collections.defaultdict(list)
    if eco.one_check_per_plugin:
        for findings in pool.map(lambda p: check(plugkit, eco, [p]), plugins):
            for f in findings:
                by_file[f["file"]].append(f)
    else:
        for f in check(plugkit, eco, plugins):
            by_file[f["file"]].append(f)
    waived = {p: eco.waivers[os.path.basename(p)] for p in plugins
              if os.path.basename(p) in eco.waivers}
    judged = [p for p in plugins if p not in waived]
    fresh = dict(zip(judged, pool.map(lambda p: run_host(eco, p), judged)))
    spent = dict(zip(judged, pool.map(lambda p: run_host(eco, p, preload, spenders), judged)))
    counts, disagreements, compared = collections.Counter(), [], 0
    for p in plugins:
        for f in by_file[p]:
            if f["status"] in ("fail", "warn", "skip", "error", "waived"):
                counts[(f["id"], f["status"])] += 1
        if p in waived:
            continue
        out, n = compare(eco, p, by_file[p], fresh[p], spent[p])
        disagreements += out
        compared += n
    return {"name": eco.name, "files": len(plugins), "installed": len(installed),
            "counts": counts, "how": eco.how,
            "disagreements": disagreements, "compared": compared, "waived": waived,
            "loaded": sum(fresh[p]["opened"] for p in judged),
            "spent": sum(spent[p]["opened"] for p in judged), "flags": eco.flags,
            # Paths outside /usr are this build's: their names say enough.
            "host": " ".join(a if not a.startswith("/") or a.startswith("/usr/") else
                             os.path.basename(a) for a in eco.check)}


def markdown(results):
    rows = ["| ecosystem | host (plugkit check) | flags | files | loaded fresh / static TLS spent "
            "| findings by id (fail, warn, skip) | agreements | waived |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    waivers = []
    for r in results:
        if "skip" in r:
            rows.append(f"| {r['name']} | | | 0 | | not run: {r['skip']} | | |")
            continue
        ids = collections.defaultdict(dict)
        for (cid, status), n in r["counts"].items():
            ids[cid][status] = n
        found = "; ".join(
            f"`{cid}` " + ", ".join(f"{n} {s}" for s, n in sorted(st.items()))
            for cid, st in sorted(ids.items())) or "none"
        agree = r["compared"] - len(r["disagreements"])
        files = r["files"] if r["files"] == r["installed"] else \
            f"{r['files']} of {r['installed']} (sampled)"
        rows.append(f"| {r['name']} | `{r['host']}` | {r['flags']} | {files} | "
                    f"{r['loaded']} / {r['spent']} | {found} | {agree} of {r['compared']} | "
                    f"{len(r['waived'])} |")
        waivers += [f"- {r['name']}: `{os.path.basename(p)}`: {why}."
                    for p, why in r["waived"].items()]
    return "\n".join(rows) + "\n\nWaived (not compared, no host loads them):\n\n" + \
        ("\n".join(waivers) or "none") + "\n"


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
    only = option(args, "--only")
    plugkit, preload = args[0], os.path.realpath(args[1])
    if control:
        probe = control[0]
        ECOSYSTEMS.append(Ecosystem(
            "control: plugkit's fixtures", control[1:], ["--shim", probe], "now,local", None,
            lambda plugin, scratch: ([probe, "--", plugin], {}, None),
            "`tls-probe -- FILE` (dlopen RTLD_NOW, exit status 1 when it fails)",
            host_says=exit_zero))
    if only:
        ECOSYSTEMS[:] = [e for e in ECOSYSTEMS if any(w in e.name for w in only)]
    print(f"1..{len(ECOSYSTEMS)}")
    failed = False
    results = []
    # Twice the cores: each worker mostly waits for a host process.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2)) as pool:
        for n, eco in enumerate(ECOSYSTEMS, 1):
            start = time.monotonic()
            r = judge(eco, plugkit, preload, spenders, pool)
            took = f" in {time.monotonic() - start:.0f} s"
            results.append(r)
            if "skip" in r:
                print(f"ok {n} - {r['name']} # SKIP {r['skip']}")
                continue
            ok = not r["disagreements"]
            failed |= not ok
            print(f"{'ok' if ok else 'not ok'} {n} - {r['name']}: {r['files']} files, "
                  f"{r['compared'] - len(r['disagreements'])} agreements, "
                  f"{len(r['disagreements'])} disagreements, {len(r['waived'])} waived{took}",
                  flush=True)
            for d in r["disagreements"]:
                print(f"# {d}")
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"# CPU time: {own.ru_utime + own.ru_stime:.0f} s in field.py, "
          f"{children.ru_utime + children.ru_stime:.0f} s in the hosts and plugkit check")
    print("# " + markdown(results).replace("\n", "\n# "))
    if out_md:
        with open(out_md, "w") as f:
            f.write(markdown(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
