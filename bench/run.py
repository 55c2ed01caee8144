#!/usr/bin/env python3
"""The benchmarks of bench/bench.sh, in one run, written to docs/benchmarks.md.

Every comparison with a peer is interleaved (A B, then B A, ...) so that a
load that comes and goes on a shared machine hits both sides alike, repeated
RUNS times; it reports the minimum and the median of the per-pair ratios,
for wall time and for CPU time (user + system, from wait4: on a machine
shared with other work a process waits for a CPU, and CPU time does not
count the waiting), with the load average before and after the pairs.
Instruction counts come from callgrind (the same figure on every run), for
both sides wherever both run under it; peak memory from GNU time.

usage: run.py BUILD BUILD_CACHE LIBDIR OUT.md   (bench.sh sets them up)
       run.py --scan BUILD LIBDIR   (the scan comparison alone, to stdout:
                                     run it a few times to see the spread)
"""
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 9
# plugkit_open's pairs are short (a tenth of a millisecond an open) and a
# pair's ratio swings from 0.6x to 1.4x on a shared machine: 9 left the
# median up to 0.3 apart between two runs of the same binaries, 31 keep it
# within a few hundredths.
OPEN_PAIRS = 31
HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, env=None):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def timed(cmd, env=None):
    """Wall and CPU (user + system) seconds of one run of cmd."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(p.pid, 0)
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime


def interleaved(a, b, env_a=None, env_b=None, runs=RUNS):
    """Median times of a and b, min/median of the per-pair ratio b/a (wall
    time; cpu_ for CPU time), and the load average before and after."""
    load = os.getloadavg()
    timed(a, env_a), timed(b, env_b)  # warm the page cache for both
    ta, tb, ca, cb = [], [], [], []
    for i in range(runs):
        if i % 2 == 0:
            x, y = timed(a, env_a), timed(b, env_b)
        else:
            y, x = timed(b, env_b), timed(a, env_a)
        ta.append(x[0])
        tb.append(y[0])
        ca.append(x[1])
        cb.append(y[1])
    ratios = [y / x for x, y in zip(ta, tb)]
    cpu_ratios = [y / x for x, y in zip(ca, cb)]
    return {'a': statistics.median(ta), 'b': statistics.median(tb),
            'min': min(ratios), 'median': statistics.median(ratios),
            'cpu_a': statistics.median(ca), 'cpu_b': statistics.median(cb),
            'cpu_min': min(cpu_ratios), 'cpu_median': statistics.median(cpu_ratios),
            'runs': runs, 'load': load + os.getloadavg()}


def instructions(cmd, env=None):
    p = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null'] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    m = re.search(r'Collected : (\d+)', p.stderr)
    if not m:
        sys.exit('callgrind failed on %s:\n%s' % (cmd, p.stderr[-2000:]))
    return int(m.group(1))


def peak_rss(cmd, env=None):
    with tempfile.NamedTemporaryFile('r') as out:
        run(['/usr/bin/time', '-o', out.name, '-f', '%M'] + cmd, env)
        return int(out.read().split()[-1])


def machine():
    model = 'unknown CPU'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    with open('/proc/meminfo') as f:
        mem = int(f.readline().split()[1]) // 1024
    return '%s, %d cores, %d MiB, Linux %s, glibc %s' % (
        model, os.cpu_count(), mem, platform.release(), platform.libc_ver()[1])


def M(n):
    return '%.2f M' % (n / 1e6)


def scan_section(plugkit, no_sandbox, libdir):
    """plugkit scan -R beside scanelf: the lines of its section."""
    lines = []
    say = lines.append
    scanelf = ['scanelf', '-R', '-q', '-F', '%F %S %n %r %t %e', libdir]
    scan = [plugkit, 'scan', '-R', libdir]
    elf_files = subprocess.run(scan, capture_output=True, text=True).stdout.count('\n')
    files = sum(len(f) for _, _, f in os.walk(libdir))
    w = interleaved(scanelf, scan)
    sandbox_off = dict(os.environ, LD_PRELOAD=no_sandbox)
    i_scanelf = instructions(scanelf, sandbox_off)
    i_scan = instructions(scan)
    r_scanelf, r_scan = peak_rss(scanelf), peak_rss(scan)
    say('## `plugkit scan -R` beside `scanelf -R -q -F \'%F %S %n %r %t %e\'`')
    say('')
    say('`%s`: %d files, %d ELF files printed by plugkit (each file once).' % (libdir, files, elf_files))
    say('scanelf runs under callgrind with `bench/no-sandbox.so` preloaded: it '
        'turns pax-utils\' `prctl(PR_SET_SECCOMP, ...)` into a no-op, since the '
        'sandbox kills valgrind\'s own system calls.')
    say('')
    say('| | scanelf | plugkit scan | ratio | target |')
    say('| --- | --- | --- | --- | --- |')
    say('| wall, median of %d interleaved pairs | %.1f ms | %.1f ms | **%.2fx** median, %.2fx min | at most 1x |'
        % (w['runs'], 1e3 * w['a'], 1e3 * w['b'], w['median'], w['min']))
    say('| CPU time (user + system), the same pairs | %.1f ms | %.1f ms | **%.2fx** median, %.2fx min | |'
        % (1e3 * w['cpu_a'], 1e3 * w['cpu_b'], w['cpu_median'], w['cpu_min']))
    say('| instructions (callgrind) | %s | %s | **%.2fx** | at most 1.2x |'
        % (M(i_scanelf), M(i_scan), i_scan / i_scanelf))
    say('| peak RSS | %d KiB | %d KiB | **%.2fx** | at most 2x |' % (r_scanelf, r_scan, r_scan / r_scanelf))
    say('')
    say('Load average (1, 5, 15 min) over the pairs: %.2f %.2f %.2f before, %.2f %.2f %.2f after.'
        % w['load'])
    say('')
    return lines


def main():
    if sys.argv[1] == '--scan':
        build, libdir = sys.argv[2:4]
        print('\n'.join(scan_section(os.path.join(build, 'tools/plugkit/plugkit'),
                                     os.path.join(build, 'bench/no-sandbox.so'), libdir)))
        return
    build, build_cache, libdir, out = sys.argv[1:5]
    plugkit = os.path.join(build, 'tools/plugkit/plugkit')
    plugkit_cache = os.path.join(build_cache, 'tools/plugkit/plugkit')
    no_sandbox = os.path.join(build, 'bench/no-sandbox.so')
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    lines = []
    say = lines.append

    lines += scan_section(plugkit, no_sandbox, libdir)

    # ---- check: fixed cost and growth ------------------------------------
    host = ['--shim', os.path.join(build, 'example-host/example-host'),
            '--host', os.path.join(build, 'example-host/libexamplehost.so.1'),
            '--entry', 'examplehost_plugin']
    plugins_dir = os.path.join(build, 'bench-plugins')
    plugins = sorted(os.path.join(plugins_dir, f) for f in os.listdir(plugins_dir))
    counts = [1, 2, 10, 100, 1000, 5000]
    inst = {n: instructions([plugkit, 'check'] + host + plugins[:n]) for n in counts}
    say('## `plugkit check`: fixed cost and growth')
    say('')
    say('The example host (shim, host library, jemalloc, libc) and N copies of the '
        'example plugin, text output (callgrind, whole process):')
    say('')
    say('| plugins | instructions | per further plugin, from the row above | target |')
    say('| --- | --- | --- | --- |')
    prev = None
    for n in counts:
        per = '' if prev is None else '%.3f M' % ((inst[n] - inst[prev]) / (n - prev) / 1e6)
        target = 'at most 3 M' if n == 1 else 'at most 0.1 M, flat'
        say('| %d | %s | %s | %s |' % (n, M(inst[n]), per, target))
        prev = n
    say('')
    i_cache = instructions([plugkit_cache, 'check'] + host + plugins[:1])
    with open(os.environ['PLUGKIT_BENCH_CACHE'], 'rb') as f:
        n_cache = int.from_bytes(f.read(24)[20:24], 'little')
    with open('/etc/ld.so.cache', 'rb') as f:
        n_real = int.from_bytes(f.read(24)[20:24], 'little')
    say('With a %d-entry `ld.so.cache` (this machine\'s %d entries and made-up ones, '
        'built by `bench/make-cache.py`, compiled in with `-DPLUGKIT_LD_SO_CACHE`), host + 1 '
        'plugin: %s, **%+.1f K** against the real cache (target: at most 2 M more; the issue '
        'measured 17 M more before the cache was used in place).'
        % (n_cache, n_real, M(i_cache), (i_cache - inst[1]) / 1e3))
    say('')
    w = interleaved([plugkit, 'check'] + host + plugins[:1], [plugkit, 'check'] + host + plugins[:1000])
    say('Wall time, %d interleaved pairs: host + 1 plugin %.1f ms, host + 1000 plugins %.1f ms '
        '(%.2fx median, %.2fx min).' % (w['runs'], 1e3 * w['a'], 1e3 * w['b'], w['median'], w['min']))
    say('')

    # ---- plugkit_open: open-bench measures and prints its own pairs --------
    say('## libplugkit: `plugkit_open` against `dlopen` + `dlsym`')
    say('')
    say('<!-- The libplugkit work owns this comparison: bench/open-bench.c says what each '
        'scenario is and how it is measured (interleaved pairs, callgrind inside the '
        'measured function); its output from this run, as printed: -->')
    bench = os.path.join(build, 'bench/open-bench')
    plugin = os.path.abspath(os.path.join(build, 'example-plugin/example.so'))
    if os.access(bench, os.X_OK):
        p = subprocess.run([bench, '--pairs', str(OPEN_PAIRS), '--plugins', '1000', plugin],
                           capture_output=True, text=True)
        say('')
        say('```')
        say(p.stdout.rstrip('\n'))
        say('```')
    say('')

    # ---- plugin TLS ----------------------------------------------------------
    say('## Plugin TLS')
    say('')
    say('Per-access costs of each TLS model and the TLS-descriptor register test '
        'are measured by `bench/tls.sh`; see [docs/tls.md](tls.md).')
    say('')

    load_after = os.getloadavg()
    head = [
        '# Benchmarks',
        '',
        'Written by `bench/bench.sh` from one run; nothing here is edited by hand, '
        'and no test asserts a time. Release build.',
        '',
        '- date: %s (%.0f s)' % (started.strftime('%Y-%m-%d %H:%M UTC'),
                                   (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()),
        '- machine: %s' % machine(),
        '- load average (1, 5, 15 min): %.2f %.2f %.2f before, %.2f %.2f %.2f after' % (load_before + load_after),
        '',
        'Wall times are interleaved pairs (A B, B A, ...), so a passing load hits both '
        'sides; the ratios are per pair, minimum and median. Where the machine is '
        'shared, a process also waits for a CPU: CPU time (user + system) leaves the '
        'waiting out. Instruction counts are callgrind\'s and do not depend on the load.',
        '',
    ]
    with open(out, 'w') as f:
        f.write('\n'.join(head + lines).rstrip('\n') + '\n')
    print('\n'.join(head + lines))


if __name__ == '__main__':
    main()
