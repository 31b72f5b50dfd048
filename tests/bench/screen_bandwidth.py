#!/usr/bin/python3
"""screen_bandwidth.py: how many bytes a second sockeye's full-screen monitor
writes to its terminal, beside htop on the same terminal -- what a person
watching it over a slow ssh link pays. A measurement that prints figures,
not a test: nothing here fails on time (the machine is shared and noisy).

Run from a build directory (or pass --sockeye), as root:

    python3 /path/to/tests/bench/screen_bandwidth.py [--seconds 20] [--warmup 3]

What it does, for each of two scenarios:
  steady  ~2,000 ESTABLISHED loopback sockets that do not change
          (sockload --established 1000 --procs 2);
  churn   the same with 10 pairs closed and reopened a second
          (sockload --churn 10: each pair closed is about four sockets gone or
          changed and two new, so several dozen events a second);
it runs `sockeye` (default 1 s interval) and then `htop -d 10` (1 s delay,
the same period; --htop-delay to change) in a detached tmux session of
160x48 with TERM=tmux-256color and a UTF-8 locale, lets each warm up
(--warmup s), then counts every byte the program writes to its pty for
--seconds seconds with `tmux pipe-pane -o 'cat >> FILE'`.

Why tmux and not `script -q -c`: tmux gives the pty an exact size (script
copies the size of its own terminal, and a script run without one hands the
program a 0x0 pty, which curses takes as terminfo's 80x24), and pipe-pane
hands over exactly the bytes the program wrote, before any terminal
emulation, so the count is what would cross an ssh connection (before
compression). tmux answers terminal queries as a real terminal would.

The load runs in a private network namespace (unshare -n, loopback only:
sockload uses 127.77.0.0/16 and ::1), with sockeye entered into it by
nsenter, so other work on the machine's loopback does not add events;
--shared-netns measures in the machine's own namespace instead.

After the table it shows where sockeye's bytes go: by kind (text, colour
and attribute changes, cursor moves, erases) and by screen row, with each
row's text as the screen showed it, so redraws of lines that did not need
it stand out. --keep DIR keeps the raw byte captures.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

WIDTH, HEIGHT = 160, 48

SCENARIOS = [
    ('steady', 'no socket changes', ['--established', '1000', '--procs', '2']),
    ('churn', '10 pairs closed+reopened/s', ['--established', '1000', '--procs', '2',
                                             '--churn', '10']),
]


# ------------------------------------------------------------ measuring

def measure(tmux, session, argv, env, warmup, seconds, outfile, ready=None, keys=()):
    """Starts argv in session, waits warmup seconds (and until ready(lines)),
    presses keys, then counts the bytes it writes for seconds. Returns
    (bytes, elapsed, the screen's text at the end)."""
    tmux.start(session, argv, WIDTH, HEIGHT, env)
    t0 = time.monotonic()
    if ready:
        tmux.wait_for(session, ready, '%s\'s first screen' % argv[0])
    if keys:
        tmux.keys(session, *keys)
    time.sleep(max(0, warmup - (time.monotonic() - t0)))
    open(outfile, 'wb').close()
    tmux.run('pipe-pane', '-o', '-t', session + ':', 'cat >> ' + B.shell_quote(outfile))
    start = time.monotonic()
    time.sleep(seconds)
    tmux.run('pipe-pane', '-t', session + ':')     # no command: closes the pipe
    elapsed = time.monotonic() - start
    screen = tmux.lines(session)
    tmux.keys(session, 'q')
    time.sleep(0.5)
    tmux.run('kill-session', '-t', session, check=False)
    time.sleep(0.3)     # let cat drain what it was handed
    return os.path.getsize(outfile), elapsed, screen


def event_rate(sockeye, load, seconds=5):
    """Events a second the load makes, as `sockeye --events` counts them."""
    cp = subprocess.run(load.prefix() + [sockeye, '--events', '--json', '-i', '1',
                                         '-n', str(seconds + 1)],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    kinds = collections.Counter(re.findall(rb'"event": ?"(\w+)"', cp.stdout))
    return sum(kinds.values()) / seconds, {k.decode(): v / seconds for k, v in kinds.items()}


# ------------------------------------------------------------ where bytes go

CSI = re.compile(rb'\x1b\[([?>=!]?)([0-9;:]*)([ -/]*)([@-~])')
ESC2 = re.compile(rb'\x1b([()*+#][0-9A-Za-z]|[^\[])')


def attribute(data):
    """Splits the byte stream by kind and by the screen row the cursor was
    on, following the moves curses makes (absolute and relative). Returns
    (Counter kind -> bytes, Counter row -> bytes, Counter (row, col//10) -> bytes)."""
    kinds, rows, cells = collections.Counter(), collections.Counter(), collections.Counter()
    row = col = 0
    top, bottom = 0, HEIGHT - 1
    saved = (0, 0)
    i, n = 0, len(data)

    def count(kind, nbytes):
        kinds[kind] += nbytes
        rows[row] += nbytes
        cells[(row, min(col, WIDTH - 1) // 10)] += nbytes

    while i < n:
        b = data[i]
        if b == 0x1b:
            m = CSI.match(data, i)
            if m:
                ln = m.end() - i
                ps = [int(p) if p else 0 for p in re.split(rb'[;:]', m.group(2))] if m.group(2) else []
                p1 = ps[0] if ps else 0
                f = m.group(4)
                kind = 'other'
                if f == b'm':
                    kind = 'sgr'
                elif f in b'Hf':
                    kind = 'cursor'
                    row, col = max(p1, 1) - 1, (max(ps[1], 1) - 1 if len(ps) > 1 else 0)
                elif f == b'd':
                    kind, row = 'cursor', max(p1, 1) - 1
                elif f in b'G`':
                    kind, col = 'cursor', max(p1, 1) - 1
                elif f == b'A':
                    kind, row = 'cursor', max(0, row - max(p1, 1))
                elif f in b'Be':
                    kind, row = 'cursor', min(HEIGHT - 1, row + max(p1, 1))
                elif f in b'Ca':
                    kind, col = 'cursor', col + max(p1, 1)
                elif f == b'D':
                    kind, col = 'cursor', max(0, col - max(p1, 1))
                elif f == b'b':                      # rep: repeat the last character
                    kind, col = 'text', col + max(p1, 1)
                elif f in b'KJX@PLMST':
                    kind = 'erase/scroll'
                elif f == b'r' and not m.group(1):
                    top = max(p1, 1) - 1
                    bottom = (ps[1] - 1) if len(ps) > 1 and ps[1] else HEIGHT - 1
                    kind, row, col = 'erase/scroll', 0, 0
                count(kind, ln)
                i += ln
                continue
            m = ESC2.match(data, i)
            ln = m.end() - i if m else 1
            code = data[i + 1:i + 2]
            if code == b'7':
                saved = (row, col)
            elif code == b'8':
                row, col = saved
            elif code == b'M':
                row = max(top, row - 1)
            elif code in (b'D', b'E'):
                row = min(bottom, row + 1)
            count('cursor' if code in (b'7', b'8', b'M', b'D', b'E') else 'other', ln)
            i += ln
            continue
        if b == 0x0d:
            col = 0
            count('cursor', 1)
        elif b == 0x0a:
            row = min(bottom, row + 1)
            count('cursor', 1)
        elif b == 0x08:
            col = max(0, col - 1)
            count('cursor', 1)
        elif b < 0x20 or b == 0x7f:
            count('other', 1)
        else:
            # A character (a UTF-8 sequence is one cell here).
            ln = 1
            if b >= 0xc0:
                while i + ln < n and 0x80 <= data[i + ln] < 0xc0:
                    ln += 1
            count('text', ln)
            col += 1
            i += ln
            continue
        i += 1
    return kinds, rows, cells


def print_breakdown(name, data, elapsed, screen):
    kinds, rows, cells = attribute(data)
    total = sum(kinds.values()) or 1
    print('\n%s: where the %.0f B/s go' % (name, len(data) / elapsed))
    print('  by kind: ' + ', '.join('%s %.0f B/s (%.0f%%)' % (k, v / elapsed, 100.0 * v / total)
                                    for k, v in kinds.most_common()))
    print('  by screen row (rows over 1% of the bytes; the row as shown at the end):')
    for r, v in sorted(rows.items()):
        if v * 100 < total:
            continue
        spread = sorted(((c, b) for (rr, c), b in cells.items() if rr == r), key=lambda x: -x[1])
        cols = ' '.join('%d-%d:%.0f' % (c * 10, c * 10 + 9, b / elapsed) for c, b in spread[:3])
        text = screen[r].rstrip() if r < len(screen) else ''
        print('    row %2d %7.1f B/s  [cols %s]  |%s' % (r, v / elapsed, cols, text[:100]))


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sockeye')
    ap.add_argument('--sockload')
    ap.add_argument('--seconds', type=float, default=20)
    ap.add_argument('--warmup', type=float, default=3)
    ap.add_argument('--htop-delay', type=int, default=10, help='tenths of a second (htop -d)')
    ap.add_argument('--shared-netns', action='store_true')
    ap.add_argument('--keep', help='directory to keep the raw byte captures in')
    ap.add_argument('--trends', action='store_true',
                    help='measure sockeye with its Trends pane open (t)')
    a = ap.parse_args()
    sockeye = B.find_sockeye(a.sockeye)
    sockload = B.find_sockload(a.sockload)
    htop = shutil.which('htop')
    if not htop:
        B.die('htop is not installed (apt-get install -y htop)')
    work = a.keep or tempfile.mkdtemp(prefix='sb-bw-')
    os.makedirs(work, exist_ok=True)
    env = {'TERM': 'tmux-256color', 'LANG': B.utf8_env(), 'HTOPRC': os.path.join(work, 'htoprc')}
    os.environ.pop('NO_COLOR', None)   # both programs in colour, as a person sees them
    tmux = B.Tmux('sb-bw')
    print('terminal %dx%d TERM=%s LANG=%s; %g s warm-up, %g s counted; htop -d %d; load avg %s'
          % (WIDTH, HEIGHT, env['TERM'], env['LANG'], a.warmup, a.seconds, a.htop_delay,
             ' '.join(open('/proc/loadavg').read().split()[:3])), flush=True)
    results = []
    for key, what, args in SCENARIOS:
        load = B.Load(sockload, args + ['--seconds', str(int(2 * (a.seconds + a.warmup) + 60))],
                      shared=a.shared_netns)
        print('%s: load ready in %s' % (key, load.where()), flush=True)
        s_out = os.path.join(work, 'sockeye-%s.bytes' % key)
        s_bytes, s_el, s_screen = measure(
            tmux, 'sockeye-' + key, load.prefix() + [sockeye], env, a.warmup, a.seconds, s_out,
            ready=lambda ls: any('sockets,' in l for l in ls), keys=('t',) if a.trends else ())
        h_out = os.path.join(work, 'htop-%s.bytes' % key)
        h_bytes, h_el, _ = measure(tmux, 'htop-' + key, [htop, '-d', str(a.htop_delay)], env,
                                   a.warmup, a.seconds, h_out)
        rate, by_kind = event_rate(sockeye, load)
        load.stop()
        with open(s_out, 'rb') as f:
            s_data = f.read()
        results.append((key, what, s_bytes / s_el, h_bytes / h_el, rate, by_kind,
                        s_data, s_el, s_screen))
        print('%s: sockeye %.0f B/s, htop %.0f B/s, %.1f events/s' % (key, s_bytes / s_el,
                                                                      h_bytes / h_el, rate),
              flush=True)
    tmux.kill()

    print('\n%-8s %-28s %12s %12s %8s %10s' % ('scenario', 'load', 'sockeye B/s', 'htop B/s',
                                               'ratio', 'events/s'))
    for key, what, s, h, rate, _, _, _, _ in results:
        print('%-8s %-28s %12.0f %12.0f %8.2f %10.1f' % (key, what, s, h, s / h if h else 0, rate))
    print('(ratio = sockeye / htop; events/s counted by sockeye --events in the same load: %s)'
          % '; '.join('%s %s' % (r[0], ', '.join('%s %.1f' % kv for kv in sorted(r[5].items())))
                      for r in results))
    for key, _, _, _, _, _, data, el, screen in results:
        print_breakdown('sockeye, ' + key, data, el, screen)
    print('\nload avg at the end: %s' % ' '.join(open('/proc/loadavg').read().split()[:3]))
    if a.keep:
        print('raw captures kept in %s' % work)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
