#!/usr/bin/env python3
"""bench.py: what `make bench` prints -- sockeye's cost beside ss, netstat and
lsof on the same socket table (doc/performance.md).

For each size it opens N established loopback pairs over 8 processes, plus
listeners and UDP sockets (tests/bench/loadgen.py), in a private network
namespace so nothing else on the machine is in the table, and measures, side
by side in the same run:

  - median wall time and CPU (user + sys, from wait4's rusage) of one run of
    ss -tan, ss -tanp, ss -tuanp, netstat -tanp, lsof -nP -iTCP, sockeye's
    bare collection (tests/bench/pollbench bare: one netlink dump, no
    owners, nothing printed), and sockeye's first attributed poll
    (sockeye --batch --json, and the text table);
  - the CPU per poll of a running `sockeye --events -i 1`, from utime+stime
    in /proc/<pid>/stat over a window, with no churn and with 1% of the
    sockets replaced per second;
  - its resident memory (VmRSS, VmHWM) and bytes per socket;
  - whether sockeye's owners equal those of `ss -tuanpe`, socket by socket;

sockeye runs with --no-all-netns throughout, so that it reads the same table
as ss (one namespace), not also those of other namespaces on the machine;

then the performance goals, each met or not.

Run as root (for unshare -n and other users' owners); `make bench` runs it
from the build directory. Not a test: nothing here fails on a slow machine.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

NETNS_MARK = 'SOCKEYE_BENCH_NETNS'
CLK_TCK = os.sysconf('SC_CLK_TCK')


def in_private_netns(argv):
    """Re-runs this script inside `unshare -n` with loopback up, once."""
    if os.environ.get(NETNS_MARK) or os.geteuid() != 0 or not shutil.which('unshare'):
        return False
    env = dict(os.environ, **{NETNS_MARK: '1'})
    cmd = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"',
           sys.executable, os.path.abspath(__file__)] + argv
    os.execvpe('unshare', cmd, env)


# ---------------------------------------------------------------- measuring

def run_once(argv):
    """wall seconds, CPU seconds (user + sys), max RSS KiB of one run."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        benchlib.die('%s exited with %d' % (' '.join(argv), p.returncode))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def measure(argv, runs, budget):
    """Median wall and CPU over up to runs runs, fewer once budget seconds
    are spent (ss -tanp takes seconds a run at 100,000 sockets)."""
    walls, cpus, rss, spent = [], [], 0, 0.0
    first = run_once(argv)    # warms page cache, dentries, NSS
    for i in range(runs):
        # A run of seconds is its own warm-up: it counts.
        w, c, r = first if i == 0 and first[0] > 2 else run_once(argv)
        walls.append(w)
        cpus.append(c)
        rss = max(rss, r)
        spent += w
        if spent > budget:
            break
    return {'wall': statistics.median(walls), 'cpu': statistics.median(cpus),
            'rss_kib': rss, 'runs': len(walls)}


def proc_cpu(pid):
    """CPU seconds of every thread of pid so far: schedstat's run time in
    nanoseconds where the kernel keeps it, else utime + stime in ticks."""
    total, exact = 0, True
    try:
        for tid in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/schedstat' % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        exact = False
    if exact:
        return total / 1e9
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK   # utime, stime


def proc_mem(pid):
    out = {}
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(('VmRSS:', 'VmHWM:')):
                out[line.split(':')[0]] = int(line.split()[1])
    return out


def steady(sockeye, window, interval, load, churn):
    """CPU per poll of a running `sockeye --events`, over window seconds
    after a warm-up, with the load's churn on or off; and its memory."""
    p = subprocess.Popen([sockeye, '--no-all-netns', '--events', '-i', str(interval)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if churn:
            os.kill(load.proc.pid, signal.SIGUSR1)
        time.sleep(max(3.0, 3 * interval))
        c0, t0 = proc_cpu(p.pid), time.monotonic()
        time.sleep(window)
        c1, t1 = proc_cpu(p.pid), time.monotonic()
        mem = proc_mem(p.pid)
    finally:
        if churn:
            os.kill(load.proc.pid, signal.SIGUSR2)
        p.terminate()
        p.wait()
    polls = max(1, round((t1 - t0) / interval))
    return {'cpu': (c1 - c0) / polls, 'polls': polls, 'mem': mem}


# ---------------------------------------------------------------- owners

SS_USERS = re.compile(r'pid=(\d+)')
SS_INO = re.compile(r'\bino:(\d+)')


def ss_owners():
    out = subprocess.run(['ss', '-tuanpe'], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode('utf-8', 'replace')
    owners = {}
    for line in out.splitlines()[1:]:
        ino = SS_INO.search(line)
        if ino and ino.group(1) != '0':
            owners[int(ino.group(1))] = sorted(set(int(p) for p in SS_USERS.findall(line)))
    return owners


def sockeye_owners(sockeye):
    out = subprocess.run([sockeye, '--no-all-netns', '--batch', '--json'], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode('utf-8', 'replace')
    owners = {}
    for line in out.splitlines():
        rec = json.loads(line)
        if rec['inode']:
            owners[rec['inode']] = sorted(set(p['pid'] for p in rec['procs']))
    return owners


def owners_agree(sockeye):
    """Sockets whose owners differ between ss -tuanpe and sockeye, of those
    both list (a socket opened or closed between the two runs is neither)."""
    a, b = ss_owners(), sockeye_owners(sockeye)
    both = set(a) & set(b)
    return sum(1 for ino in both if a[ino] != b[ino]), len(both)


# ---------------------------------------------------------------- one size

def commands(args):
    cmds = [('ss -tan', ['ss', '-tan']),
            ('ss -tanp', ['ss', '-tanp']),
            ('ss -tuanp', ['ss', '-tuanp']),
            ('netstat -tanp', ['netstat', '-tanp']),
            ('lsof -nP -iTCP', ['lsof', '-nP', '-iTCP']),
            ('sockeye bare collection', [args.pollbench, 'bare']),
            ('sockeye --batch --json', [args.sockeye, '--no-all-netns', '--batch', '--json']),
            ('sockeye --batch (text)', [args.sockeye, '--no-all-netns', '--batch'])]
    return [(name, argv) for name, argv in cmds if shutil.which(argv[0])]


def bench_size(args, pairs):
    load = benchlib.Load(args.loadgen,
                         ['--established', str(pairs), '--procs', str(args.procs),
                          '--listeners', '4', '--udp', '8', '--churn', str(max(1, pairs // 100)),
                          '--churn-paused', '--seconds', '3600'], shared=True)
    try:
        sockets = int(subprocess.run([args.pollbench, 'bare'], stdout=subprocess.PIPE)
                      .stdout.split()[1])
        res = {'pairs': pairs, 'sockets': sockets, 'cmd': {}}
        for name, argv in commands(args):
            res['cmd'][name] = measure(argv, args.runs, args.budget)
            print('  %-26s %s' % (name, fmt_line(res['cmd'][name])), file=sys.stderr)
        res['steady0'] = steady(args.sockeye, args.window, args.interval, load, False)
        res['steady1'] = steady(args.sockeye, args.window, args.interval, load, True)
        res['owners_differ'], res['owners_compared'] = owners_agree(args.sockeye)
    finally:
        load.stop()
    return res


def fmt_line(m):
    return 'wall %8.1f ms  cpu %8.1f ms  (%d runs)' % (m['wall'] * 1e3, m['cpu'] * 1e3, m['runs'])


# ---------------------------------------------------------------- report

def ratio(a, b):
    return '%6.2f' % (a / b) if b > 0 else '     -'


def print_size(r):
    c = r['cmd']
    tanp, tan = c['ss -tanp']['cpu'], c['ss -tan']['cpu']
    print('\n%s pairs over %d processes: %s sockets (TCP and UDP, all states)'
          % (format(r['pairs'], ','), ARGS.procs, format(r['sockets'], ',')))
    print('  %-34s %10s %10s %9s %9s' % ('', 'wall ms', 'CPU ms', 'CPU/ss-tanp', 'CPU/ss-tan'))
    for name, m in c.items():
        print('  %-34s %10.1f %10.1f %9s %9s' % (name, m['wall'] * 1e3, m['cpu'] * 1e3,
                                                ratio(m['cpu'], tanp), ratio(m['cpu'], tan)))
    for key, label in (('steady0', 'sockeye poll, steady, 0% churn'),
                       ('steady1', 'sockeye poll, steady, 1% churn')):
        s = r[key]
        print('  %-34s %10s %10.1f %9s %9s' % (label, '-', s['cpu'] * 1e3,
                                              ratio(s['cpu'], tanp), ratio(s['cpu'], tan)))
    mem = r['steady0']['mem']
    print('  sockeye --events memory: VmRSS %.1f MiB, VmHWM %.1f MiB, %d bytes/socket (HWM)'
          % (mem.get('VmRSS', 0) / 1024, mem.get('VmHWM', 0) / 1024,
             mem.get('VmHWM', 0) * 1024 // max(1, r['sockets'])))
    print('  owners: %d of %d sockets differ from ss -tuanpe'
          % (r['owners_differ'], r['owners_compared']))


def goals(results):
    big = max(results, key=lambda r: r['sockets'])
    ten = min(results, key=lambda r: abs(r['sockets'] - 10000))
    rows = []
    for r in results:
        c, n = r['cmd'], format(r['sockets'], ',')
        rows.append(('steady poll CPU <= 1.5 x ss -tan (%s sockets)' % n,
                     r['steady0']['cpu'] <= 1.5 * c['ss -tan']['cpu'],
                     '%.1f vs %.1f ms' % (r['steady0']['cpu'] * 1e3, 1.5 * c['ss -tan']['cpu'] * 1e3)))
        rows.append(('1%% churn poll CPU < ss -tanp / 3 (%s)' % n,
                     r['steady1']['cpu'] < c['ss -tanp']['cpu'] / 3,
                     '%.1f vs %.1f ms' % (r['steady1']['cpu'] * 1e3, c['ss -tanp']['cpu'] / 3 * 1e3)))
        fp = c['sockeye --batch --json']
        rows.append(('first poll (--batch --json) <= ss -tuanp, wall and CPU (%s)' % n,
                     fp['wall'] <= c['ss -tuanp']['wall'] and fp['cpu'] <= c['ss -tuanp']['cpu'],
                     'wall %.1f vs %.1f ms, CPU %.1f vs %.1f ms'
                     % (fp['wall'] * 1e3, c['ss -tuanp']['wall'] * 1e3,
                        fp['cpu'] * 1e3, c['ss -tuanp']['cpu'] * 1e3)))
        bare = c['sockeye bare collection']
        rows.append(('bare collection CPU <= ss -tan (%s)' % n,
                     bare['cpu'] <= c['ss -tan']['cpu'],
                     '%.1f vs %.1f ms' % (bare['cpu'] * 1e3, c['ss -tan']['cpu'] * 1e3)))
        rows.append(('owners equal ss -tuanpe (%s)' % n, r['owners_differ'] == 0,
                     '%d differ' % r['owners_differ']))
    idle = ten['steady0']['cpu'] / ARGS.interval * 100
    rows.append(('idle cost < 1%% of a core at %s sockets, -i %g'
                 % (format(ten['sockets'], ','), ARGS.interval), idle < 1, '%.2f%%' % idle))
    hwm = big['steady0']['mem'].get('VmHWM', 0) / 1024
    per = big['steady0']['mem'].get('VmHWM', 0) * 1024 / max(1, big['sockets'])
    if big['sockets'] >= 90000:
        rows.append(('resident < 64 MiB at 100,000 sockets', hwm < 64,
                     'VmHWM %.1f MiB at %s sockets, %.0f bytes/socket'
                     % (hwm, format(big['sockets'], ','), per)))
    else:
        rows.append(('resident < 64 MiB at 100,000 sockets', None,
                     'needs the 50,000-pair size; VmHWM %.1f MiB at %s sockets'
                     % (hwm, format(big['sockets'], ','))))
    print('\nGoals:')
    for text, ok, detail in rows:
        mark = 'not measured' if ok is None else 'met' if ok else 'NOT met'
        print('  [%s] %-62s %s' % (mark, text, detail))
    print('  [see below] a 100,000-row screen refresh costs what 100 rows do, no sort '
          'after a poll that changed nothing (tests/bench/viewbench, run next by make bench)')


def main(argv):
    global ARGS
    ap = argparse.ArgumentParser(description='sockeye beside ss, netstat and lsof')
    ap.add_argument('--sockeye', help='the sockeye binary (default ./sockeye)')
    ap.add_argument('--pollbench', default='tests/bench/pollbench',
                    help='the pollbench helper (default tests/bench/pollbench)')
    ap.add_argument('--loadgen', default=os.path.join(HERE, 'loadgen.py'))
    ap.add_argument('--sizes', default='1000,5000,10000,50000',
                    help='established pairs per run, comma-separated')
    ap.add_argument('--procs', type=int, default=8)
    ap.add_argument('--runs', type=int, default=5, help='runs per command (median)')
    ap.add_argument('--budget', type=float, default=20,
                    help='seconds per command before fewer runs suffice')
    ap.add_argument('--window', type=float, default=10,
                    help='seconds the running monitor is watched')
    ap.add_argument('--interval', type=float, default=1)
    ARGS = args = ap.parse_args(argv)
    args.sockeye = benchlib.find_sockeye(args.sockeye)
    args.pollbench = os.path.abspath(args.pollbench)
    if not os.access(args.pollbench, os.X_OK):
        benchlib.die('no pollbench helper at %s: run `make bench`' % args.pollbench)
    if not os.environ.get(NETNS_MARK):
        print('bench: not root or no unshare: measuring in the machine\'s own network '
              'namespace, where other sockets add to every figure', file=sys.stderr)
    for tool in ('ss', 'netstat', 'lsof'):
        if not shutil.which(tool):
            print('bench: %s is not installed; its row is left out' % tool, file=sys.stderr)

    print('sockeye %s, kernel %s, %d CPUs, %s' % (
        subprocess.run([args.sockeye, '--version'], stdout=subprocess.PIPE).stdout
        .decode().split()[-1], os.uname().release, os.cpu_count(),
        'private network namespace (unshare -n)' if os.environ.get(NETNS_MARK)
        else 'the machine\'s own network namespace'))
    print('one-shot commands: median of up to %d runs after a warm-up run (runs of '
          'seconds are their own warm-up); CPU is user + sys, the figure that counts: '
          'wall time also shows whatever else the machine runs; '
          'monitor: sockeye --events -i %g over %gs' % (args.runs, args.interval, args.window))
    results = []
    for pairs in (int(s) for s in args.sizes.split(',')):
        print('bench: %d pairs...' % pairs, file=sys.stderr)
        results.append(bench_size(args, pairs))
        print_size(results[-1])
        sys.stdout.flush()
    goals(results)


if __name__ == '__main__':
    in_private_netns(sys.argv[1:])
    main(sys.argv[1:])
