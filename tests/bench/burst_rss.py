#!/usr/bin/env python3
"""burst_rss.py: does sockeye give back the memory a load that came and
went took? (resident memory flat after warm-up)

    burst_rss.py SOCKEYE [SOCKEYE ...] [--pairs 5000] [--churn 200]
                 [--burst-pairs 10000] [--burst-at 90] [--burst-seconds 60]
                 [--after 90]

The whole run gets its own network and pid namespace and its own /proc
(unshare -n -p --mount-proc), so sockeye sees only what is started here:
the shared sockload tool holding PAIRS pairs with CHURN pairs a second
closed and reopened, and each SOCKEYE given running both as `--events
--json` and as the full screen (a private tmux, 160x48), side by side.
BURST_AT seconds after they start, a second sockload in a network
namespace of its own adds BURST_PAIRS pairs (2 sockets each) and ends
BURST_SECONDS later, closing them all at once. Every sockeye's resident
memory (VmRSS) is sampled every 5 s and printed before the burst, at its
peak, and AFTER seconds after the burst ended, with the sockets in the
table (a `sockeye --batch --json` beside them) at those points.

Not a test: it prints figures. Run it as root, from a build directory,
nice'd (nice -n 10): it keeps a core busy for about 6 minutes.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

MARK = 'SOCKEYE_BURST_ALONE'
STEP = 5


def start_all(binaries, tmux, keep):
    """name -> pid of every sockeye: events and screen per binary."""
    pids = {}
    env = {'LANG': benchlib.utf8_env(), 'TERM': 'tmux-256color'}
    for i, b in enumerate(binaries):
        ev = subprocess.Popen([b, '--events', '--json'], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        keep.append(ev)
        pids['%d events' % (i + 1)] = ev.pid
        tmux.start('s%d' % i, [b], 160, 48, env)
        pids['%d screen' % (i + 1)] = benchlib.pane_program(tmux.pane_pid('s%d' % i), b)
    return pids


def run(a, binaries):
    load = benchlib.Load(benchlib.find_sockload(None),
                         ['--established', str(a.pairs), '--procs', '4', '--listeners', '4',
                          '--churn', str(a.churn), '--seconds', '3600'], shared=True)
    tmux = benchlib.Tmux('burst-rss')
    procs, burst = [], None
    try:
        pids = start_all(binaries, tmux, procs)
        samples, marks = [], {}
        t0, n, ended_at = time.monotonic(), 0, None
        while True:
            t = n * STEP
            samples.append((t, {k: benchlib.rss_kib(p) for k, p in pids.items()}))
            if burst is None and t >= a.burst_at:
                marks['before'] = (t, benchlib.table_count(binaries[0]))
                burst = subprocess.Popen(
                    ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"',
                     benchlib.find_sockload(None), '--established', str(a.burst_pairs),
                     '--procs', '4', '--seconds', str(a.burst_seconds)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elif burst is not None and ended_at is None:
                if t >= a.burst_at + a.burst_seconds / 2 and 'during' not in marks:
                    marks['during'] = (t, benchlib.table_count(binaries[0]))
                if burst.poll() is not None:
                    ended_at = t
            elif ended_at is not None and t >= ended_at + a.after:
                marks['after'] = (t, benchlib.table_count(binaries[0]))
                break
            n += 1
            time.sleep(max(0, t0 + n * STEP - time.monotonic()))
    finally:
        tmux.kill()
        for p in procs:
            p.terminate()
            p.wait()
        if burst is not None and burst.poll() is None:
            burst.terminate()
            burst.wait()
        load.stop()
    return pids, samples, marks, ended_at


def report(a, binaries, pids, samples, marks, ended_at):
    def at(t):
        return next(r for s, r in samples if s >= t)
    before, after = at(marks['before'][0]), at(marks['after'][0])
    peak = {k: max(r[k] or 0 for _, r in samples) for k in pids}
    print('load: %d pairs, %d pairs/s churn; burst: %d pairs more at %d s, gone at %d s'
          % (a.pairs, a.churn, a.burst_pairs, a.burst_at, ended_at))
    print('sockets in the table: %d before the burst, %d during it, %d %d s after it'
          % (marks['before'][1], marks['during'][1], marks['after'][1], a.after))
    print('resident memory (KiB):')
    print('  %-10s %10s %10s %10s %12s' % ('', 'before', 'peak', 'after', 'after-before'))
    for k in pids:
        print('  %-10s %10s %10d %10s %+12d' % (k, before[k], peak[k], after[k],
                                                (after[k] or 0) - (before[k] or 0)))
    for i, b in enumerate(binaries):
        print('  %d = %s' % (i + 1, b))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('sockeye', nargs='+')
    ap.add_argument('--pairs', type=int, default=5000)
    ap.add_argument('--churn', type=int, default=200)
    ap.add_argument('--burst-pairs', type=int, default=10000)
    ap.add_argument('--burst-at', type=int, default=90)
    ap.add_argument('--burst-seconds', type=int, default=60)
    ap.add_argument('--after', type=int, default=90)
    a = ap.parse_args()
    if os.geteuid() != 0:
        benchlib.die('run as root (the run gets its own network and pid namespace)')
    binaries = [os.path.abspath(b) for b in a.sockeye]
    if not os.environ.get(MARK):
        os.execvpe('unshare', ['unshare', '-n', '-p', '-f', '--mount-proc', 'sh', '-c',
                               'ip link set lo up && exec "$0" "$@"', sys.executable,
                               os.path.abspath(__file__)] + sys.argv[1:],
                   dict(os.environ, **{MARK: '1'}))
    report(a, binaries, *run(a, binaries))


if __name__ == '__main__':
    main()
