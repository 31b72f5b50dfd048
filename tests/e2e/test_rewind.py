"""test_rewind.py: looking back on the screen, driven in tmux like a person
would: [ ] { } @ End on the live screen (its last minutes kept in memory),
and the replay screen of a recording made by `sockeye --record`.

Each test opens its own loopback sockets on this run's own address and
starts its own sockeye. Exit codes: 0 pass, 1 fail, 77 skip (no tmux)."""
import calendar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

INTERVAL = '0.3'
ADDR = '127.%d.%d.%d' % (100 + os.getpid() % 150, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
PINNED_COLUMNS = 'proto,state,local,remote,process,user,recvq,sendq,age'
RED = (1, 9)    # the default theme's gone, basic or bright
MOMENT = re.compile(r'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)')

SERVER = None
LOCALE = None
TERM = None
CONFIG = None


def rows(lines):
    """The Connections rows as (proto, state, local, remote), this run's only."""
    top = next((i for i, l in enumerate(lines) if l.startswith(' Connections')), None)
    out = []
    if top is None:
        return out
    for l in lines[top + 2:-1]:
        if l.startswith((' Processes', ' Events', ' Trends')):
            break
        p = l.split()
        if len(p) >= 4 and p[0] in ('tcp', 'tcp6', 'udp', 'udp6') and ADDR in l:
            out.append(tuple(p[:4]))
    return out


def has_row(lines, state, local, remote):
    return (('tcp', state, local, remote) in rows(lines))


def row_style(p, local, remote):
    """The style of the first cell of the tcp row local -> remote, or None."""
    cells = p.cells()
    for c in cells:
        parts = T.styled_text(c).split()
        if len(parts) >= 4 and parts[0] == 'tcp' and parts[2] == local and parts[3] == remote:
            return c[0][1]
    return None


def past_moment(lines):
    """The moment the header shows after PAST, as epoch seconds, or None."""
    m = re.search(r'PAST (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)', lines[0])
    return epoch(m.group(1)) if m else None


def replay_moment(lines):
    m = MOMENT.search(lines[0]) if 'REPLAY' in lines[0] else None
    return epoch(m.group(1)) if m else None


def epoch(text):
    """A moment the header wrote (sockeye runs with TZ=UTC here)."""
    return calendar.timegm(time.strptime(text, '%Y-%m-%d %H:%M:%S'))


def polls(path):
    """The polls a recording holds so far (0 while it is not there)."""
    try:
        db = sqlite3.connect('file:%s?mode=ro' % path, uri=True, timeout=5)
        try:
            return db.execute('SELECT count(*) FROM polls').fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def comm_name(tag):
    return ('srw%d%s' % (os.getpid() % 100000, tag))[:15]


class Rewind(unittest.TestCase):

    def setUp(self):
        self.holders, self.panes, self.procs = [], [], []
        self.dir = tempfile.mkdtemp(prefix='sockeye-rewind-')
        os.chmod(self.dir, 0o755)

    def tearDown(self):
        failures = []
        for p in self.panes:
            try:
                p.close()
            except AssertionError as e:
                failures.append(str(e))
        for h in self.holders:
            h.close()
        for pr in self.procs:
            if pr.poll() is None:
                pr.kill()
                pr.wait()
        subprocess.run(['rm', '-rf', self.dir])
        if failures:
            self.fail('; '.join(failures))

    def holder(self, tag):
        h = S.Holder(comm_name(tag))
        self.holders.append(h)
        return h

    def start(self, *args, wait=True):
        env = {'TERM': TERM, 'LANG': LOCALE, 'LC_ALL': LOCALE, 'NO_COLOR': None, 'TZ': 'UTC'}
        p = SERVER.pane([S.sockeye_path(), '--config=' + CONFIG] + list(args), 160, 48, env)
        self.panes.append(p)
        if wait:
            p.wait(lambda ls: ls[0].startswith('sockeye') and re.search(r'\d+ sockets', ls[1])
                   and ls, 'the header after start')
        return p

    def live(self, *args):
        return self.start('-i', INTERVAL, '--no-all-netns', *args)

    def connection(self, h):
        """A connection on ADDR: (listener, client end, server end)."""
        L = h.call('tcp_listen', host=ADDR)
        C = h.call('tcp_connect', host=ADDR, port=L['lport'], bind=ADDR)[0]
        A = h.call('tcp_accept', id=L['id'])[0]
        return L, C, A

    # ---- the live screen

    def test_bracket_shows_a_closed_connection_again_and_end_returns_to_live(self):
        h = self.holder('br')
        L, C, A = self.connection(h)
        server = '%s:%d' % (ADDR, L['lport'])
        client = '%s:%d' % (ADDR, C['lport'])
        p = self.live('--linger=0.5', 'addr:' + ADDR)
        p.wait(lambda ls: has_row(ls, 'ESTABLISHED', server, client) and ls,
               'the server end of the connection, live')
        time.sleep(1.0)   # a few polls with it established
        # The client closes first (it goes on in TIME_WAIT), then the
        # server end, which leaves the table.
        h.call('close', id=C['id'])
        time.sleep(0.4)
        h.call('close', id=A['id'])
        p.wait(lambda ls: not any(r[2] == server and r[3] == client for r in rows(ls)) and ls,
               'the server end gone, live')
        self.assertNotIn('PAST', p.lines()[0])
        lines = None
        for _ in range(40):
            p.keys('[')
            time.sleep(0.15)
            lines = p.lines()
            if has_row(lines, 'ESTABLISHED', server, client):
                break
        self.assertTrue(has_row(lines, 'ESTABLISHED', server, client),
                        '[ never showed the closed connection again\n' + p.dump(lines))
        self.assertIsNotNone(past_moment(lines), 'no PAST and moment in the header\n' + p.dump(lines))
        self.assertLess(past_moment(lines), time.time())
        # Polling goes on behind the past: the moment stays where it is.
        lines = p.hold(lambda ls: has_row(ls, 'ESTABLISHED', server, client) and 'PAST' in ls[0],
                       'the past moved on by itself', 1.0)
        # ] steps on: at the poll that found it closed, its row is red (GONE).
        for _ in range(40):
            p.keys(']')
            time.sleep(0.15)
            style = row_style(p, server, client)
            if style is None or style.fg in RED:
                break
        self.assertIsNotNone(style, '] went past the close without a GONE row\n' + p.dump())
        self.assertIn(style.fg, RED, 'the closed row is not red: %r\n%s' % (style, p.dump()))
        self.assertIn('PAST', p.lines()[0])
        p.keys('End')
        lines = p.wait(lambda ls: 'PAST' not in ls[0] and
                       not any(r[2] == server and r[3] == client for r in rows(ls)) and ls,
                       'live again after End, the connection gone')
        self.assertTrue(any(r[1] == 'LISTEN' and r[2] == server for r in rows(lines)),
                        p.dump(lines))

    def test_bracket_forward_from_the_newest_moment_is_live(self):
        p = self.live()
        time.sleep(1.0)
        p.keys('[')
        lines = p.wait(lambda ls: past_moment(ls) and ls, 'PAST after [')
        # On a busy machine the recorder may have written a poll or two
        # more meanwhile: ] steps through them, forward, then is live.
        moment = past_moment(lines)
        for _ in range(10):
            p.keys(']')
            time.sleep(0.3)
            lines = p.lines()
            if 'PAST' not in lines[0]:
                break
            self.assertGreaterEqual(past_moment(lines), moment, p.dump(lines))
            moment = past_moment(lines)
        self.assertNotIn('PAST', lines[0], '] never reached live\n' + p.dump(lines))

    def test_screen_beside_a_recording_writes_it_and_rewinds_into_it(self):
        h = self.holder('sc')
        L = h.call('tcp_listen', host=ADDR)
        server = '%s:%d' % (ADDR, L['lport'])
        path = os.path.join(self.dir, 'screen.db')
        p = self.live('--record=' + path, '--screen', 'addr:' + ADDR)
        p.wait(lambda ls: any(r[1] == 'LISTEN' and r[2] == server for r in rows(ls)) and ls,
               'the listener, live')
        deadline = time.time() + 20
        while polls(path) < 3 and time.time() < deadline:
            time.sleep(0.2)
        self.assertGreaterEqual(polls(path), 3, 'the screen wrote no polls to ' + path)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        h.call('close', id=L['id'])
        p.wait(lambda ls: not any(r[2] == server for r in rows(ls)) and ls,
               'the listener gone, live')
        # Back through the file's moments: the listener shows again.
        lines = None
        for _ in range(40):
            p.keys('[')
            time.sleep(0.15)
            lines = p.lines()
            if any(r[1] == 'LISTEN' and r[2] == server for r in rows(lines)):
                break
        self.assertTrue(any(r[1] == 'LISTEN' and r[2] == server for r in rows(lines)),
                        '[ never showed the closed listener again\n' + p.dump(lines))
        self.assertIn('PAST', lines[0])
        # The file holds it for a replay: the listener at the first poll,
        # which it was open for (the header's moment is cut to the second).
        db = sqlite3.connect('file:%s?mode=ro' % path, uri=True, timeout=5)
        at = db.execute('SELECT min(time) FROM polls').fetchone()[0]
        db.close()
        out = subprocess.run([S.sockeye_path(), '--replay=' + path, '--batch', '--json',
                              '--at=%r' % at, 'addr:' + ADDR], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('"lport":%d' % L['lport'], out.stdout.replace(' ', ''))

    def test_at_minus_ten_minutes_shows_the_oldest_moment_kept(self):
        started = time.time()
        p = self.live()
        time.sleep(1.5)
        p.keys('@')
        p.wait(lambda ls: ls[-1].startswith('Go to') and ls, "@'s prompt")
        p.server.run('send-keys', '-t', p.target, '-l', '--', '-10m')
        p.keys('Enter')
        lines = p.wait(lambda ls: past_moment(ls) and ls, 'PAST after @ -10m')
        # The first moment kept is the first poll, just after the start.
        self.assertLess(abs(past_moment(lines) - started), 3, p.dump(lines))
        self.assertIn('recording starts at', lines[-1], p.dump(lines))
        # ] from there goes one poll on, and stays in the past.
        first = past_moment(lines)
        p.keys('}')
        lines = p.wait(lambda ls: ('PAST' not in ls[0]) and ls, '} past the newest: live')

        # A time that does not parse keeps the prompt, saying why.
        p.keys('@')
        p.wait(lambda ls: ls[-1].startswith('Go to') and ls, "@'s prompt again")
        p.type('half past nine')
        p.keys('Enter')
        time.sleep(0.4)
        lines = p.lines()
        self.assertTrue(lines[-1].startswith('Go to'), 'a bad time left the prompt\n' + p.dump(lines))
        why = lines[-1].partition('half past nine')[2].strip()
        self.assertTrue(why, 'no reason given for the bad time\n' + p.dump(lines))
        p.keys('Escape')
        lines = p.wait(lambda ls: 'F10' in ls[-1] and ls, 'the footer back after Esc')
        self.assertNotIn('PAST', lines[0], p.dump(lines))
        self.assertGreater(first, 0)

    def test_k_and_f9_in_the_past_say_to_go_back_to_live(self):
        h = self.holder('k')
        L, C, A = self.connection(h)
        p = self.live('addr:' + ADDR, 'port:%d' % L['lport'])
        p.wait(lambda ls: len(rows(ls)) == 3 and ls, 'the three sockets')
        time.sleep(0.7)
        p.keys('[')
        p.wait(lambda ls: past_moment(ls) and ls, 'PAST after [')
        p.keys('K')
        lines = p.wait(lambda ls: 'End' in ls[-1] and 'present' in ls[-1] and ls,
                       'K refused in the past')
        self.assertFalse(lines[-1].startswith('Close'), p.dump(lines))
        p.keys('F9')
        p.wait(lambda ls: 'present' in ls[-1] and not ls[-1].startswith('Signal') and ls,
               'F9 refused in the past')

    # ---- the replay screen

    def record(self, path):
        """sockeye --record=path, with no screen, until stop_record."""
        pr = subprocess.Popen([S.sockeye_path(), '--record=' + path, '-i', INTERVAL,
                               '--no-all-netns', '--no-config'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.procs.append(pr)
        # Its first poll may take a while on a busy machine: sockets
        # opened before it would be its baseline, not news.
        deadline = time.monotonic() + 20
        while polls(path) < 2:
            if time.monotonic() > deadline or pr.poll() is not None:
                self.fail('no poll recorded in %s within 20 s' % path)
            time.sleep(0.1)
        return pr

    def stop_record(self, pr):
        pr.send_signal(signal.SIGTERM)
        err = pr.communicate(timeout=15)[1].decode('utf-8', 'replace')
        self.assertEqual(pr.returncode, 0, err)

    def test_replay_at_a_time_shows_the_sockets_of_then_and_plays_forward(self):
        path = os.path.join(self.dir, 'rec.db')
        h = self.holder('rp')
        pr = self.record(path)
        time.sleep(1.0)
        A = h.call('tcp_listen', host=ADDR)
        time.sleep(1.5)
        then = time.time()
        time.sleep(0.5)
        h.call('close', id=A['id'])
        B = h.call('tcp_listen', host=ADDR)
        time.sleep(1.5)
        self.stop_record(pr)
        a = ('tcp', 'LISTEN', '%s:%d' % (ADDR, A['lport']), '0.0.0.0:*')
        b = ('tcp', 'LISTEN', '%s:%d' % (ADDR, B['lport']), '0.0.0.0:*')
        p = self.start('--replay=' + path, '--at=%d' % int(then), 'addr:' + ADDR)
        lines = p.wait(lambda ls: a in rows(ls) and ls, 'the first listener, as it was then')
        self.assertNotIn(b, rows(lines), p.dump(lines))
        self.assertIn('REPLAY', lines[0], p.dump(lines))
        self.assertIn('rec.db', lines[0], p.dump(lines))
        self.assertIn('stopped', lines[0], p.dump(lines))
        at = replay_moment(lines)
        self.assertLessEqual(at, then)
        self.assertGreater(at, then - 2)
        # The moment stays while nothing plays.
        p.hold(lambda ls: replay_moment(ls) == at, 'the replay moved by itself', 0.8)
        p.keys('+')
        p.wait(lambda ls: '2x' in ls[0] and ls, 'the speed 2x in the header')
        p.keys('p')
        # (The first one may linger a moment as a closed row, as live.)
        lines = p.wait(lambda ls: b in rows(ls) and ls,
                       'the second listener once played forward', timeout=10)
        self.assertGreater(replay_moment(lines), at, p.dump(lines))
        lines = p.wait(lambda ls: 'stopped' in ls[0] and ls, 'stopped at the end', timeout=10)
        p.keys('K')
        p.wait(lambda ls: 'not available in a replay' in ls[-1] and ls, 'K refused in a replay')
        # [ goes back, End to the end again.
        end = replay_moment(lines)
        # { goes back a minute: here, to the start, before either listener.
        p.keys('{')
        lines = p.wait(lambda ls: replay_moment(ls) and replay_moment(ls) < at and ls,
                       'a minute back (the start)')
        self.assertNotIn(a, rows(lines), p.dump(lines))
        self.assertNotIn(b, rows(lines), p.dump(lines))
        p.keys('End')
        p.wait(lambda ls: replay_moment(ls) == end and ls, 'End: the last moment again')

    def test_replay_of_a_file_that_is_not_a_recording_says_so(self):
        path = os.path.join(self.dir, 'not.db')
        with open(path, 'w') as f:
            f.write('plain text, no database\n')
        cp = S.run(['--replay=' + path])
        self.assertEqual(cp.returncode, 1, S.describe(['--replay=' + path], cp))
        err = cp.stderr.decode('utf-8', 'replace')
        self.assertIn('not.db', err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)


def main():
    global SERVER, LOCALE, TERM, CONFIG
    S.sockeye_path()
    LOCALE = T.utf8_locale() or 'C'
    TERM = T.best_term()
    SERVER = T.server_or_skip()
    CONFIG = os.path.join(SERVER.dir, 'sockeye.config')
    with open(CONFIG, 'w') as f:
        f.write('columns = %s\n' % PINNED_COLUMNS)
    try:
        S.main()
    finally:
        SERVER.kill()


if __name__ == '__main__':
    main()
