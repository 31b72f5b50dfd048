#!/usr/bin/env python3
"""record_cost.py: what the flight recorder costs on a real loopback load,
and how fast a recording opens.

For each size (default 10,000 sockets, and 100,000 with --big) sockload
holds established loopback pairs in 8 processes with 1% of the sockets
replaced every second (pairs closed and reopened, so TIME_WAIT, FIN_WAIT and
CLOSE_WAIT appear), in a private network namespace (unshare -n). Then, in
turns on the same load:
  - `sockeye --events -i 1` (to /dev/null): the steady poll's CPU;
  - the same with `--record=FILE`: the poll's CPU plus the recorder's (the
    differ on the polling thread, the writer thread), and the bytes the
    database grew by, as pages in use (freelist left out), per hour;
  - `sockeye --replay=FILE --batch --at=T`: the wall time to open a moment
    and print it, at several moments of the recording (process start
    included).
CPU is that of every thread of the sockeye process, over a window after a
warm-up, divided by the polls (bench.proc_cpu). Figures are printed, never
asserted.

Run by hand, as root, nice'd:
  nice -n 10 python3 tests/bench/record_cost.py ./sockeye [--window 60] [--big]
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402
import bench  # noqa: E402

MARK = 'SOCKEYE_RECORD_NETNS'


def used_bytes(path):
    """Bytes of the database in use: pages less the free ones, WAL included."""
    db = sqlite3.connect('file:%s?mode=ro' % path, uri=True, timeout=10)
    try:
        pages = db.execute('PRAGMA page_count').fetchone()[0]
        free = db.execute('PRAGMA freelist_count').fetchone()[0]
        size = db.execute('PRAGMA page_size').fetchone()[0]
        return (pages - free) * size
    finally:
        db.close()


def steady(sockeye, extra, window, db=None):
    """CPU ms a poll and % of a core of `sockeye --events -i 1` + extra, and
    with db the bytes the recording grew by over the window."""
    p = subprocess.Popen([sockeye, '--events', '-i', '1'] + extra, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(5)
        b0 = used_bytes(db) if db else 0
        c0, t0 = bench.proc_cpu(p.pid), time.monotonic()
        time.sleep(window)
        c1, t1 = bench.proc_cpu(p.pid), time.monotonic()
        b1 = used_bytes(db) if db else 0
    finally:
        p.terminate()
        err = p.communicate(timeout=60)[1]
    if p.returncode not in (0, -15):
        benchlib.die('sockeye %s failed (%d): %s' % (' '.join(extra), p.returncode, err.strip()))
    polls = max(1, round(t1 - t0))
    return (c1 - c0) / polls * 1000, (c1 - c0) / (t1 - t0) * 100, (b1 - b0) / (t1 - t0) * 3600


def open_times(sockeye, db, runs):
    """Wall seconds of `--replay --batch --at` at moments spread over the file."""
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    first, last = con.execute('SELECT min(time), max(time) FROM polls').fetchone()
    con.close()
    times = []
    for i in range(runs):
        at = first + (last - first) * (i + 0.5) / runs
        t0 = time.monotonic()
        r = subprocess.run([sockeye, '--replay=' + db, '--batch', '--at=%.3f' % at],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.monotonic() - t0)
        if r.returncode != 0:
            benchlib.die('replay failed: %s' % r.stderr.strip())
    return times


def one_size(sockeye, sockload, pairs, window, runs):
    churn = max(1, round(pairs * 2 * 0.01 / 2))    # 1% of the sockets a second, in pairs
    load = benchlib.Load(sockload, ['--established', str(pairs), '--procs', '8',
                                    '--listeners', '4', '--churn', str(churn),
                                    '--seconds', '3600'], shared=True)
    tmp = tempfile.mkdtemp(prefix='sb-record-')
    db = os.path.join(tmp, 'record.db')
    try:
        out = subprocess.run(['ss', '-tan'], stdout=subprocess.PIPE).stdout
        print('\n%d TCP sockets, %d pairs replaced a second; %d s windows after 5 s' %
              (len(out.splitlines()) - 1, churn, window), flush=True)
        for run in range(runs):
            ms0, pct0, _ = steady(sockeye, [], window)
            ms1, pct1, grew = steady(sockeye, ['--record=' + db], window, db)
            print('  run %d  poll %.2f ms (%.2f%% of a core)  with --record %.2f ms '
                  '(%.2f%%): +%.0f%%  recording grows %.1f MiB an hour' %
                  (run + 1, ms0, pct0, ms1, pct1, (ms1 / ms0 - 1) * 100 if ms0 else 0,
                   grew / 2**20), flush=True)
        t = open_times(sockeye, db, 5)
        print('  open a moment and print it (--replay --batch --at): median %.0f ms, max %.0f ms '
              '(%d moments)' % (statistics.median(t) * 1000, max(t) * 1000, len(t)), flush=True)
    finally:
        load.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument('sockeye')
    ap.add_argument('--sockload')
    ap.add_argument('--window', type=float, default=60)
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--big', action='store_true', help='also 100,000 sockets')
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit('run as root: the load needs its own network namespace')
    if not os.environ.get(MARK):
        cmd = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"',
               sys.executable, os.path.abspath(__file__)] + argv
        os.execvpe('unshare', cmd, dict(os.environ, **{MARK: '1'}))
    sockeye = os.path.abspath(a.sockeye)
    sockload = benchlib.find_sockload(a.sockload)
    for pairs in (5000, 50000) if a.big else (5000,):
        one_size(sockeye, sockload, pairs, a.window, a.runs)


if __name__ == '__main__':
    main(sys.argv[1:])
