#!/usr/bin/env python3
"""idle_cost.py: what a running `sockeye --events -i 1` costs while nothing
much happens (the idle goal: 10,000 sockets, 1 s interval, under 1% of
one core), both reading every network namespace (the default as root) and
with --no-all-netns.

The load (tests/bench/loadgen.py, 5,000 established loopback pairs over 8
processes plus listeners and UDP: about 10,100 sockets) runs in a private
network namespace (unshare -n), and so does sockeye, as in bench.py's
steady(): CPU of the sockeye process, all threads, over a window after a
warm-up, divided by the polls. Inside that namespace sockeye as root still
sees the machine's processes, so by default it also reads the host's
namespace (and any other in use): that is the "every namespace" figure.
With --alone the whole run also gets its own pid namespace and /proc
(unshare -p --mount-proc), so sockeye finds only the load's processes: the
default mode's cost on a machine with one network namespace (names under
/run/netns, `ip netns add`, are still seen).

Run by hand, as root, nice'd:
  nice -n 10 python3 tests/bench/idle_cost.py ./sockeye [./other-sockeye ...]
Several binaries (before and after a change) take turns on the same load.
Options: --pairs N (default 5000), --window S (default 30), --runs R
(default 2, each mode and binary in turn; every run is printed).
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402
import bench  # noqa: E402

MARK = 'SOCKEYE_IDLE_NETNS'


def steady(sockeye, extra, window):
    p = subprocess.Popen([sockeye, '--events', '-i', '1'] + extra, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(4)
        c0, t0 = bench.proc_cpu(p.pid), time.monotonic()
        time.sleep(window)
        c1, t1 = bench.proc_cpu(p.pid), time.monotonic()
    finally:
        p.terminate()
        p.wait()
    polls = max(1, round(t1 - t0))
    return (c1 - c0) / polls * 1000, (c1 - c0) / (t1 - t0) * 100


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument('sockeye', nargs='+')
    ap.add_argument('--pairs', type=int, default=5000)
    ap.add_argument('--window', type=float, default=30)
    ap.add_argument('--runs', type=int, default=2)
    ap.add_argument('--alone', action='store_true',
                    help='also a private pid namespace with its own /proc: sockeye sees '
                         'only the load, as on a machine with one network namespace')
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit('run as root: the load needs its own network namespace')
    binaries = [os.path.abspath(b) for b in a.sockeye]
    if not os.environ.get(MARK):
        alone = ['-p', '-f', '--mount-proc'] if a.alone else []
        cmd = ['unshare', '-n'] + alone + ['sh', '-c', 'ip link set lo up && exec "$0" "$@"',
               sys.executable, os.path.abspath(__file__)] + argv
        os.execvpe('unshare', cmd, dict(os.environ, **{MARK: '1'}))
    load = benchlib.Load(os.path.join(HERE, 'loadgen.py'),
                         ['--established', str(a.pairs), '--procs', '8', '--listeners', '4',
                          '--udp', '8', '--seconds', '3600'], shared=True)
    try:
        out = subprocess.run(['ss', '-tuan'], stdout=subprocess.PIPE).stdout
        print('%d sockets in this namespace; CPU per poll of sockeye --events -i 1 over '
              '%.0f s after 4 s' % (len(out.splitlines()) - 1, a.window))
        for run in range(a.runs):
            for label, extra in (('every namespace', []), ('--no-all-netns', ['--no-all-netns'])):
                for sockeye in binaries:
                    ms, pct = steady(sockeye, extra, a.window)
                    print('  run %d  %-16s %6.2f ms a poll  %5.2f%% of a core  %s' %
                          (run + 1, label, ms, pct, sockeye), flush=True)
    finally:
        load.stop()


if __name__ == '__main__':
    main(sys.argv[1:])
