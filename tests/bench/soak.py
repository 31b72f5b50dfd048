#!/usr/bin/env python3
"""soak.py: does sockeye stay put over a long run? (resident memory and descriptors flat)

    soak.py [--sockeye PATH] [--minutes 10] [--pairs 5000] [--churn 200]
            [--warmup 90] [--valgrind-seconds 60]

Holds a loopback load with the shared sockload tool in a private network
namespace (PAIRS connection pairs over 4 processes, CHURN pairs closed and
reopened a second), then for MINUTES runs, side by side at the default 1 s
interval, `sockeye --events --json` (its output counted) and the full
screen in a private tmux at 160x48. It prints each one's resident memory
(VmRSS) after WARMUP seconds and at the end, every minute in between, and
the events seen against the pairs the load opened and closed meanwhile.
The table grows legitimately while the churn's TIME_WAIT sockets pile up
(the kernel keeps each 60 s), so the default warm-up outlasts that, and
the sockets in the table (counted by a `sockeye --batch --json` beside
them) are printed at both ends, with the growth per socket gained.
Then it runs `sockeye --events` under valgrind's memcheck
(--leak-check=full) for VALGRIND_SECONDS against the same load, stops it
with SIGINT, and prints the leak summary.

Resident memory is also sampled every 5 s from the start, and printed at
the start, at 60 s and 90 s (two warm-up points), at the end and at its
peak, with the growth from each warm-up point to the end. With --alone the
whole run (load and sockeyes) gets its own network and pid namespace and
its own /proc, so sockeye finds only the load's sockets: on a shared
machine other users' loads would otherwise come and go in its table.

Not a test (make check does not run it): it prints figures. Run it as root
(a private network namespace), from a build directory, at low priority
(nice -n 10): it keeps one core busy for the whole run.
"""
import argparse
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

PROCS = 4
ALONE_MARK = 'SOCKEYE_SOAK_ALONE'   # set once soak.py runs inside its own namespaces
LOAD_NET = ipaddress.ip_network('127.77.0.0/16')   # sockload's IPv4 range (and ::1)


def cpu_seconds(pid):
    """User plus system CPU time of pid so far, or None once it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


class RssSampler:
    """VmRSS of each sockeye every STEP seconds from their start, so the
    figures at any warm-up point (60 s, 90 s) and the peak can be read."""
    STEP = 5

    def __init__(self, pids):
        self.pids, self.t0, self.rows = pids, time.monotonic(), []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        n = 0
        while not self.stop.is_set():
            self.rows.append((n * self.STEP,
                              {k: benchlib.rss_kib(p) for k, p in self.pids.items()}))
            n += 1
            self.stop.wait(max(0, self.t0 + n * self.STEP - time.monotonic()))

    def at(self, seconds):
        """The sample nearest after seconds since the start."""
        for t, r in self.rows:
            if t >= seconds:
                return r
        return self.rows[-1][1]

    def peak(self, k):
        return max(r[k] or 0 for _, r in self.rows)


def from_load(rec):
    """True for a socket of sockload's (its addresses, either family)."""
    try:
        a = ipaddress.ip_address(rec.get('laddr', ''))
    except ValueError:
        return False
    return a in LOAD_NET or a == ipaddress.ip_address('::1')


class EventCounter:
    """Reads `sockeye --events --json` output as it comes and counts what
    concerns the load: connections that appeared (either end, in an opening
    or open state) and full sockets that went (not TIME_WAIT minisockets),
    brief ones apart."""

    def __init__(self, stream):
        self.new_alive = self.gone_full = self.brief = self.state = self.lines = 0
        self.bad = 0
        self.thread = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.thread.start()

    def read(self, stream):
        for line in stream:
            self.lines += 1
            try:
                e = json.loads(line)
            except ValueError:
                self.bad += 1
                continue
            if not from_load(e) or e.get('proto') != 'tcp':
                continue
            kind, st = e.get('event'), e.get('state')
            # An orphaned socket (closed, still in FIN_WAIT) loses its inode,
            # so it reappears as new: only a connection's first states count.
            if kind == 'new' and st in ('ESTABLISHED', 'SYN_SENT', 'SYN_RECV'):
                self.new_alive += 1
            elif kind == 'gone' and st != 'TIME_WAIT':
                self.gone_full += 1
                self.brief += 1 if e.get('brief') else 0
            elif kind == 'state':
                self.state += 1


def load_counts(load):
    """Pairs the load's workers say they opened and closed (printed on exit)."""
    load.log.seek(0)
    opened = closed = 0
    for m in re.finditer(r'opened (\d+) pairs, closed (\d+)', load.log.read()):
        opened += int(m.group(1))
        closed += int(m.group(2))
    return opened, closed


def stop_load(load):
    """Ends sockload and returns its counts (before benchlib removes its log)."""
    if load.proc.poll() is None:
        load.proc.send_signal(signal.SIGTERM)
        try:
            load.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            load.proc.kill()
            load.proc.wait()
    counts = load_counts(load)
    load.stop()
    return counts


def soak(args, sockeye, load):
    """Both sockeyes for MINUTES; the events one keeps running (stopped by
    main, just before the load, so its window covers nearly all churn)."""
    errlog = tempfile.TemporaryFile()
    ev = subprocess.Popen(load.prefix() + [sockeye, '--events', '--json'],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=errlog, text=True)
    counter = EventCounter(ev.stdout)
    tmux = benchlib.Tmux('sockeye-soak')
    env = {'LANG': benchlib.utf8_env(), 'TERM': 'tmux-256color'}
    tmux.start('screen', load.prefix() + [sockeye], 160, 48, env)
    tmux.wait_for('screen', lambda ls: any('ESTABLISHED' in l for l in ls), 'the screen')
    pids = {'events': ev.pid, 'screen': benchlib.pane_program(tmux.pane_pid('screen'), sockeye)}
    sampler = RssSampler(pids)
    print('warming up for %ds ...' % args.warmup, flush=True)
    time.sleep(args.warmup)
    start = {k: benchlib.rss_kib(p) for k, p in pids.items()}
    cpu0 = {k: cpu_seconds(p) for k, p in pids.items()}
    socks = [benchlib.table_count(sockeye, load.prefix())]
    print('%6s  %12s  %12s  %10s  %10s' % ('min', 'events KiB', 'screen KiB',
                                            'new alive', 'gone'), flush=True)
    t0 = time.monotonic()
    for minute in range(1, args.minutes + 1):
        time.sleep(max(0, t0 + 60 * minute - time.monotonic()))
        now = {k: benchlib.rss_kib(p) for k, p in pids.items()}
        print('%6d  %12s  %12s  %10d  %10d' % (minute, now['events'], now['screen'],
                                               counter.new_alive, counter.gone_full), flush=True)
        if None in now.values() or ev.poll() is not None:
            print('a sockeye exited early', flush=True)
            break
    end = {k: benchlib.rss_kib(p) for k, p in pids.items()}
    sampler.stop.set()
    sampler.thread.join()
    cpu = {k: (cpu_seconds(p) or 0) - (cpu0[k] or 0) for k, p in pids.items()}
    socks.append(benchlib.table_count(sockeye, load.prefix()))
    alive = tmux.run('list-panes', '-a', '-F', '#{pane_dead}').strip() == '0'
    tmux.kill()
    return ev, counter, errlog, start, end, socks, cpu, alive, sampler


def valgrind_run(args, sockeye, load):
    """sockeye --events under memcheck for a while; its leak summary."""
    if not shutil.which('valgrind'):
        return 'valgrind not installed: leak run skipped'
    log = tempfile.NamedTemporaryFile(prefix='soak-vg-', suffix='.log', delete=False)
    cmd = load.prefix() + ['valgrind', '--tool=memcheck', '--leak-check=full',
                           '--show-leak-kinds=definite,indirect,possible',
                           '--errors-for-leak-kinds=definite,indirect',
                           '--log-file=' + log.name, sockeye, '--events', '--json']
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(args.valgrind_seconds)
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return 'valgrind run did not stop within 120 s of SIGINT (log %s)' % log.name
    with open(log.name) as f:
        text = f.read()
    keep = [l.split('== ', 1)[-1] for l in text.splitlines()
            if re.search(r'(definitely|indirectly|possibly) lost:|still reachable:|'
                         r'ERROR SUMMARY|All heap blocks were freed', l)]
    return 'exit status %d, full log %s\n  %s' % (p.returncode, log.name, '\n  '.join(keep))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--sockeye')
    ap.add_argument('--sockload')
    ap.add_argument('--minutes', type=int, default=10)
    ap.add_argument('--pairs', type=int, default=5000)
    ap.add_argument('--churn', type=int, default=200)
    ap.add_argument('--warmup', type=int, default=90)
    ap.add_argument('--valgrind-seconds', type=int, default=60)
    ap.add_argument('--alone', action='store_true',
                    help='the whole run in a private network and pid namespace with its '
                         'own /proc: sockeye sees only the load, not other users\' sockets')
    args = ap.parse_args()
    if os.geteuid() != 0:
        benchlib.die('run as root (the load gets a private network namespace)')
    if args.alone and not os.environ.get(ALONE_MARK):
        os.execvpe('unshare', ['unshare', '-n', '-p', '-f', '--mount-proc', 'sh', '-c',
                               'ip link set lo up && exec "$0" "$@"', sys.executable,
                               os.path.abspath(__file__)] + sys.argv[1:],
                   dict(os.environ, **{ALONE_MARK: '1'}))
    sockeye = benchlib.find_sockeye(args.sockeye)
    sockload = benchlib.find_sockload(args.sockload)
    seconds = args.warmup + 60 * args.minutes + args.valgrind_seconds + 300
    load = benchlib.Load(sockload, ['--established', str(args.pairs), '--procs', str(PROCS),
                                    '--listeners', '4', '--churn', str(args.churn),
                                    '--seconds', str(seconds)], shared=args.alone)
    print('load: %d pairs over %d processes, %d pairs/s churn, in %s'
          % (args.pairs, PROCS, args.churn, 'a private network and pid namespace (--alone)'
             if args.alone else load.where()), flush=True)
    ev, counter, errlog, start, end, socks, cpu, screen_alive, sampler = soak(args, sockeye, load)
    print('\nvalgrind: %ds of sockeye --events ...' % args.valgrind_seconds, flush=True)
    leaks = valgrind_run(args, sockeye, load)
    ev.send_signal(signal.SIGINT)
    ev_status = ev.wait(timeout=30)
    opened, closed = stop_load(load)
    counter.thread.join(timeout=10)
    errlog.seek(0)
    stderr = errlog.read().decode('utf-8', 'replace').strip()

    print('\nresident memory (KiB), after %ds warm-up and after %d min:' % (args.warmup, args.minutes))
    gained = socks[1] - socks[0]
    print('  sockets in the table: %d at the start, %d at the end (%+d)' % (socks[0], socks[1], gained))
    for k in ('events', 'screen'):
        growth = (end[k] or 0) - (start[k] or 0)
        per = ', %+.0f bytes per socket gained' % (growth * 1024.0 / gained) if gained > 0 else ''
        print('  %-7s start %8s  end %8s  growth %+d KiB (goal under 1024)%s'
              % (k, start[k], end[k], growth, per))
    total = args.warmup + 60 * args.minutes
    print('\nresident memory (KiB) from the start, sampled every %ds:' % RssSampler.STEP)
    print('  %-7s %8s %8s %8s %8s %8s  %-14s %-14s' % ('', 'start', '60 s', '90 s', 'end',
                                                       'peak', 'growth 60s-end', 'growth 90s-end'))
    for k in ('events', 'screen'):
        r0, r60, r90 = sampler.at(0)[k], sampler.at(60)[k], sampler.at(90)[k]
        print('  %-7s %8s %8s %8s %8s %8d  %+-14d %+-14d' % (k, r0, r60, r90, end[k], sampler.peak(k),
                                                           (end[k] or 0) - (r60 or 0),
                                                           (end[k] or 0) - (r90 or 0)))
    print('  (end is at %d s; every sample: %s)' % (
        total, ' '.join('%d:%s/%s' % (t, r['events'], r['screen']) for t, r in sampler.rows[::6])))
    print('\nCPU after the warm-up (user + system), per 1 s poll:')
    for k in ('events', 'screen'):
        print('  %-7s %.1f s in %d min: %.1f ms a poll'
              % (k, cpu[k], args.minutes, 1000.0 * cpu[k] / (60 * args.minutes)))
    print('\nload, whole run: %d pairs opened (%d at start + %d churned), %d closed'
          % (opened, args.pairs, opened - args.pairs, closed))
    print('screen still running at the end: %s' % ('yes' if screen_alive else 'NO'))
    print('sockeye --events, whole run, exit status %d on SIGINT (%d lines, %d not JSON):'
          % (ev_status, counter.lines, counter.bad))
    print('  connection ends opened  %d (2 per churned pair: %d)' % (counter.new_alive,
                                                                     2 * (opened - args.pairs)))
    print('  full sockets gone       %d (2 per closed pair: %d), of them brief %d'
          % (counter.gone_full, 2 * closed, counter.brief))
    print('  state changes           %d' % counter.state)
    print('  stderr: %s' % (stderr or '(empty)'))
    print('\nvalgrind memcheck, %ds: %s' % (args.valgrind_seconds, leaks))


if __name__ == '__main__':
    main()
