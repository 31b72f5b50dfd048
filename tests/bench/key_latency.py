#!/usr/bin/python3
"""key_latency.py: with 50,000 sockets, how long a keypress takes to show on
sockeye's screen, and how long one poll of those sockets takes -- to check
the claim "with 50,000 sockets a keypress still answers before the next
poll". A measurement that prints figures, not a test: nothing here fails on
time (the machine is shared and noisy).

Run from a build directory (or pass --sockeye), as root:

    python3 /path/to/tests/bench/key_latency.py [--presses 30] [--pairs 25000]

What it does:
  1. holds 2 x --pairs ESTABLISHED loopback sockets in 8 processes
     (sockload --established 25000 --procs 8), in a private network
     namespace (unshare -n; --shared-netns to use the machine's own), so
     only that load is polled;
  2. times one poll as a person would run it: `sockeye --batch --json -n 1`
     (all 50,000 rows printed to /dev/null), the same with a filter no socket
     matches (`port:1`: collection and diff without the printing), and
     `sockeye --version` (the cost of starting the process, nsenter
     included), each --runs times with time.perf_counter around the
     subprocess;
  3. runs the monitor at its default 1 s interval in a detached tmux session
     of 160x48 and, --presses times each, at random moments (so presses
     land at every phase of the poll cycle):
       `s`  -- next sort column: the column title carrying the sort mark
               changes, and all 50,000 rows are sorted again (a press
               whose column shows no mark changes nothing on the screen
               within 3 s: it is counted apart, not timed);
       `S`  -- reverse the sort of a column that shows its mark: the
               mark turns over and every row is sorted again;
       Down/Up in turn -- the selection bar moves one row (found by the
               style of the row's first cell in `capture-pane -e`);
     timing from just before `tmux send-keys` until `tmux capture-pane`
     first shows the change, polling capture-pane back to back;
  4. measures the same for `cat` (the tty echoes the key at once), which is
     the cost of send-keys, tmux and capture-pane themselves, and subtracts
     its median;
  5. reads the monitor's CPU time from /proc over a quiet stretch: the
     work it does each second at that interval.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

WIDTH, HEIGHT = 160, 48
SORT_MARKS = ('\u25b2', '\u25bc', '^', 'v')
LEADING_SGR = re.compile(r'^((?:\x1b\[[0-9;:]*m)*)')


def ms(x):
    return '%.1f' % (x * 1000)


def fmt_summary(values):
    med, p90, lo, hi = B.summary(values)
    return 'median %s  p90 %s  min %s  max %s ms' % (ms(med), ms(p90), ms(lo), ms(hi))


# ------------------------------------------------------------ one poll

def time_runs(argv, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        cp = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        out.append(time.perf_counter() - t0)
        if cp.returncode:
            B.die('%s failed: %s' % (' '.join(argv), cp.stderr.decode().strip()))
    return out


def poll_cost(sockeye, load, runs):
    pre = load.prefix()
    rows = subprocess.run(pre + [sockeye, '--batch', '--json', '-n', '1'],
                          stdout=subprocess.PIPE).stdout.count(b'\n')
    return rows, [
        ('sockeye --version (process start)', time_runs(pre + [sockeye, '--version'], runs)),
        ('sockeye --batch --json -n 1', time_runs(pre + [sockeye, '--batch', '--json', '-n', '1'],
                                                  runs)),
        ('sockeye --batch --json -n 1 port:1', time_runs(pre + [sockeye, '--batch', '--json',
                                                                '-n', '1', 'port:1'], runs)),
    ]


# ------------------------------------------------------------ presses

def press(tmux, session, key, changed, poll_gap, limit=10):
    """Sends key; returns seconds until changed() is true (or None after
    limit seconds) and what changed() returned."""
    t0 = time.perf_counter()
    tmux.keys(session, key)
    while True:
        got = changed()
        t = time.perf_counter() - t0
        if got:
            return t, got
        if t > limit:
            return None, None
        time.sleep(poll_gap)


def baseline(tmux, presses, poll_gap, env):
    """send-keys to capture-pane for cat: the tty echoes at once."""
    tmux.start('cat', ['cat'], WIDTH, HEIGHT, env)
    time.sleep(0.5)
    out = []
    for i in range(presses):
        want = i + 1
        t, _ = press(tmux, 'cat', 'x', lambda: tmux.capture('cat').count('x') >= want, poll_gap)
        if t is not None:
            out.append(t)
        time.sleep(random.uniform(0.05, 0.2))
    tmux.run('kill-session', '-t', 'cat', check=False)
    return out


def title_line(lines):
    for i, l in enumerate(lines):
        if l.startswith('PROTO') and 'STATE' in l:
            return i
    return None


def sorted_title(line):
    """The column title beside the sort mark, or '(hidden column)'."""
    for word in line.split():
        for m in SORT_MARKS:
            if word.endswith(m) and len(word) > 1:
                return word[:-1]
            if word.startswith(m) and len(word) > 1:
                return word[1:]
    return '(no mark shown)'


def sort_presses(tmux, session, key, presses, gap, poll_gap):
    """Presses of key (`s` or `S`): time until the column title line
    changes. Returns [(seconds, column now sorted by)] and the number of
    presses that changed nothing on the screen within 3 s."""
    idx = title_line(tmux.lines(session))
    out, unseen = [], 0
    for _ in range(presses):
        time.sleep(random.uniform(*gap))
        before = tmux.lines(session)[idx]

        def changed():
            now = tmux.lines(session)[idx]
            return now if now != before else None
        t, line = press(tmux, session, key, changed, poll_gap, limit=3)
        if t is None:
            unseen += 1
        else:
            out.append((t, sorted_title(line)))
    return out, unseen


def sort_by_visible_column(tmux, session):
    """Presses `s` until the title line shows a sort mark."""
    idx = title_line(tmux.lines(session))
    for _ in range(16):
        if sorted_title(tmux.lines(session)[idx]) != '(no mark shown)':
            return
        tmux.keys(session, 's')
        time.sleep(1.5)
    B.die('no column shows a sort mark')


def row_style(tmux, session, y):
    """The SGR sequences before the first character of screen row y."""
    raw = tmux.run('capture-pane', '-p', '-e', '-S', str(y), '-E', str(y), '-t', session + ':')
    return LEADING_SGR.match(raw).group(1)


def move_presses(tmux, session, presses, gap, poll_gap):
    """Down and Up in turn: time until the selection style reaches the
    row below (above)."""
    idx = title_line(tmux.lines(session))
    first, second = idx + 1, idx + 2
    tmux.keys(session, 'Home')
    time.sleep(1.5)
    sel = row_style(tmux, session, first)
    if sel == row_style(tmux, session, second):
        B.die('cannot tell the selected row by its style')
    out = []
    for i in range(presses):
        time.sleep(random.uniform(*gap))
        key, target = ('Down', second) if i % 2 == 0 else ('Up', first)
        t, _ = press(tmux, session, key, lambda: row_style(tmux, session, target) == sel, poll_gap)
        if t is not None:
            out.append(t)
    return out


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def monitor_pid(tmux, session):
    pid = tmux.pane_pid(session)
    with open('/proc/%d/comm' % pid) as f:
        if f.read().strip() != 'sockeye':
            B.die('the pane runs no sockeye process at pid %d' % pid)
    return pid


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sockeye')
    ap.add_argument('--sockload')
    ap.add_argument('--pairs', type=int, default=25000, help='connection pairs (2 sockets each)')
    ap.add_argument('--procs', type=int, default=8)
    ap.add_argument('--presses', type=int, default=30)
    ap.add_argument('--runs', type=int, default=10, help='runs of each timed command')
    ap.add_argument('--poll-gap', type=float, default=0.001,
                    help='seconds between captures while waiting for a change')
    ap.add_argument('--shared-netns', action='store_true')
    a = ap.parse_args()
    sockeye = B.find_sockeye(a.sockeye)
    sockload = B.find_sockload(a.sockload)
    os.environ.pop('NO_COLOR', None)
    env = {'TERM': 'tmux-256color', 'LANG': B.utf8_env()}
    print('load avg at start: %s' % ' '.join(open('/proc/loadavg').read().split()[:3]), flush=True)
    t0 = time.monotonic()
    load = B.Load(sockload, ['--established', str(a.pairs), '--procs', str(a.procs),
                             '--seconds', '1800'], shared=a.shared_netns, timeout=600)
    print('load: %d pairs in %d processes, ready in %.0f s, in %s'
          % (a.pairs, a.procs, time.monotonic() - t0, load.where()), flush=True)

    rows, polls = poll_cost(sockeye, load, a.runs)
    print('\none poll, %d rows in --batch --json (%d runs each, wall time):' % (rows, a.runs))
    for what, vals in polls:
        print('  %-38s %s' % (what, fmt_summary(vals)))
    start_med = B.summary(polls[0][1])[0]
    print('  => one poll, start cost taken off: about %s ms (median, filtered run); '
          'with the %d JSON rows printed: about %s ms'
          % (ms(B.summary(polls[2][1])[0] - start_med), rows,
             ms(B.summary(polls[1][1])[0] - start_med)), flush=True)

    tmux = B.Tmux('sb-key')
    base = baseline(tmux, a.presses, a.poll_gap, env)
    base_med = B.summary(base)[0]
    tmux.start('sockeye', load.prefix() + [sockeye], WIDTH, HEIGHT, env)
    want = 2 * a.pairs

    def loaded(lines):
        m = re.match(r'\s*(\d+) sockets,', lines[1]) if len(lines) > 1 else None
        return m and int(m.group(1)) >= want
    tmux.wait_for('sockeye', loaded, 'the header counting %d sockets' % want, timeout=120)
    pid = monitor_pid(tmux, 'sockeye')
    time.sleep(3)
    c0, w0 = cpu_seconds(pid), time.monotonic()
    time.sleep(10)
    cpu = (cpu_seconds(pid) - c0) / (time.monotonic() - w0)
    gap = (0.2, 1.3)
    sorts, unseen = sort_presses(tmux, 'sockeye', 's', a.presses, gap, a.poll_gap)
    sort_by_visible_column(tmux, 'sockeye')
    reverses, unseen_rev = sort_presses(tmux, 'sockeye', 'S', a.presses, gap, a.poll_gap)
    moves = move_presses(tmux, 'sockeye', a.presses, gap, a.poll_gap)
    tmux.keys('sockeye', 'q')
    time.sleep(0.5)
    tmux.kill()
    load.stop()

    print('\nkeypress to screen, %d presses of each, interval 1 s, %dx%d (ms):'
          % (a.presses, WIDTH, HEIGHT))
    print('  %-46s %s' % ('cat (tmux + capture-pane cost)', fmt_summary(base)))
    rev_col = reverses[0][1] if reverses else '?'
    series = [('`s` next sort column (re-sorts all rows)', [t for t, _ in sorts]),
              ('`S` reverse the %s sort' % rev_col, [t for t, _ in reverses]),
              ('Down/Up (move the selection)', moves)]
    every = []
    for what, vals in series:
        if not vals:
            continue
        every += vals
        print('  %-46s %s' % (what + ', raw', fmt_summary(vals)))
        print('  %-46s %s' % ('  less the cat median',
                              fmt_summary([max(0.0, v - base_med) for v in vals])))
    by_col = {}
    for t, col in sorts:
        by_col.setdefault(col, []).append(max(0.0, t - base_med))
    print('  `s` by the column it moved to (less the cat median): ' +
          ', '.join('%s %s' % (c, '/'.join(ms(v) for v in sorted(vs)))
                    for c, vs in sorted(by_col.items())))
    print('  presses that changed nothing on the screen within 3 s: `s` %d of %d, `S` %d of %d;'
          ' Down/Up lost %d' % (unseen, a.presses, unseen_rev, a.presses,
                                a.presses - len(moves)))
    slow = sum(1 for v in every if v - base_med > 0.1)
    print('  presses answered later than 100 ms: %d of %d (a press that lands during a poll '
          'waits for it)' % (slow, len(every)))
    print('\nmonitor CPU with %d sockets at a 1 s interval, no keys: %.0f%% of one core '
          '(about %s ms of work a second)' % (want, cpu * 100, ms(cpu)))
    print('claim "a keypress answers before the next poll": worst press %s ms after the '
          'capture cost, against a 1000 ms interval' % ms(max(every) - base_med))
    print('load avg at the end: %s' % ' '.join(open('/proc/loadavg').read().split()[:3]))


if __name__ == '__main__':
    main()
