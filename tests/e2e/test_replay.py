"""test_replay.py: `sockeye --replay=FILE` with --batch and --events. A
recording is made by `sockeye --events --json --record=FILE` while loopback
sockets open, change state and close; then the replayed events are exactly
what that run printed, and the table replayed at a quiet moment is what a
live --batch printed then. Files that are not recordings exit 1 with one
message."""
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

ADDR = '127.%d.%d.%d' % (30 + os.getpid() % 20, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
INTERVAL = 0.3
SETTLE = 1.5    # seconds for a change to be polled a few times


def ours(rec):
    return rec.get('laddr') == ADDR or rec.get('raddr') == ADDR


def identity(rec):
    """What a user compares of a socket: tuple, state and owners."""
    return (rec['proto'], rec['laddr'], rec['lport'], rec['raddr'], rec['rport'], rec['state'],
            tuple(sorted((p['pid'], p['comm']) for p in rec.get('procs') or [])))


def replay(*args):
    cp = S.run(['--replay=' + Replay.db] + list(args))
    if cp.returncode != 0:
        raise AssertionError(S.describe(['--replay=' + Replay.db] + list(args), cp))
    return cp


class Replay(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='sockeye-replay-')
        Replay.db = os.path.join(cls.tmp, 'rec.db')
        cls.live = S.EventsReader('-i', str(INTERVAL), '--record=' + cls.db, 'addr:' + ADDR)
        cls.holder = S.Holder('replayee')
        try:
            cls.scenario()
        finally:
            cls.live.stop()
            cls.holder.close()
        cls.printed = [e for e in cls.live.events() if ours(e)]

    @classmethod
    def scenario(cls):
        deadline = time.monotonic() + 10
        while not os.path.exists(cls.db) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(SETTLE)
        h = cls.holder
        lst = h.call('tcp_listen', host=ADDR)
        conns = h.call('tcp_connect', host=ADDR, port=lst['lport'], count=2)
        served = h.call('tcp_accept', id=lst['id'], count=2)
        h.call('send', id=conns[0]['id'], nbytes=100000)
        h.call('recv', id=served[0]['id'], nbytes=100000)
        time.sleep(SETTLE)
        # A quiet moment: what a live --batch shows now, the replay must too.
        cls.quiet_live = [r for r in S.batch_json(['addr:' + ADDR]) if ours(r)]
        cls.quiet_at = time.time()
        time.sleep(SETTLE)
        # One connection closes from the client's end: FIN_WAIT2, CLOSE_WAIT.
        h.call('close', id=conns[1]['id'])
        time.sleep(SETTLE)
        cls.closing_live = [r for r in S.batch_json(['addr:' + ADDR]) if ours(r)]
        cls.closing_at = time.time()
        time.sleep(SETTLE)
        for s in [served[1], served[0], conns[0], lst]:
            h.call('close', id=s['id'])
        time.sleep(SETTLE)
        cls.end_at = time.time()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    maxDiff = None

    def assert_same_events(self, got, want):
        for i, (g, w) in enumerate(zip(got, want)):
            self.assertEqual(g, w, 'event %d of %d differs' % (i, len(want)))
        self.assertEqual(len(got), len(want), got[len(want):] or want[len(got):])

    def test_the_recording_is_private(self):
        self.assertEqual(os.stat(self.db).st_mode & 0o777, 0o600)

    def test_replayed_events_are_what_the_live_run_printed(self):
        self.assertGreaterEqual(len(self.printed), 6, self.printed)
        cp = replay('--events', '--json', 'addr:' + ADDR)
        self.assert_same_events(S.parse_json_lines(cp.stdout), self.printed)

    def test_a_window_holds_the_events_of_its_time(self):
        since, until = self.quiet_at, self.closing_at
        cp = replay('--events', '--json', '--since=%.6f' % since, '--until=%.6f' % until,
                    'addr:' + ADDR)
        want = [e for e in self.printed if since < e['time'] <= until]
        self.assertTrue(want, 'no event between the two moments: %r' % self.printed)
        self.assert_same_events(S.parse_json_lines(cp.stdout), want)

    def test_text_events_match_the_json_ones(self):
        cp = replay('--events', 'addr:' + ADDR)
        lines = cp.stdout.decode().splitlines()
        self.assertEqual(len(lines), len(self.printed))
        for line, e in zip(lines, self.printed):
            self.assertIn(e['event'], line)
            self.assertIn('%s:%d' % (e['laddr'], e['lport']), line)

    def test_the_table_at_a_quiet_moment_is_the_live_one(self):
        self.assertEqual(len(self.quiet_live), 5, self.quiet_live)
        cp = replay('--batch', '--json', '--at=%.6f' % self.quiet_at, 'addr:' + ADDR)
        got = [r for r in S.parse_json_lines(cp.stdout) if ours(r)]
        self.assertEqual(sorted(map(identity, got)), sorted(map(identity, self.quiet_live)))

    def test_the_table_while_closing_shows_the_half_closed_states(self):
        cp = replay('--batch', '--json', '--at=%.6f' % self.closing_at, 'addr:' + ADDR)
        got = [r for r in S.parse_json_lines(cp.stdout) if ours(r)]
        self.assertEqual(sorted(map(identity, got)), sorted(map(identity, self.closing_live)))
        states = sorted(r['state'] for r in got)
        self.assertIn('CLOSE_WAIT', states)
        self.assertTrue({'FIN_WAIT2', 'TIME_WAIT'} & set(states), states)

    def test_the_text_table_has_the_live_header(self):
        live = S.run(['--batch', 'port:1']).stdout.decode().splitlines()[0]
        cp = replay('--batch', '--at=%.6f' % self.quiet_at, 'addr:' + ADDR)
        lines = cp.stdout.decode().splitlines()
        self.assertEqual(lines[0].split(), live.split())
        self.assertEqual(len(lines), 1 + len(self.quiet_live))

    def test_age_counts_to_the_moment_shown(self):
        conf = os.path.join(self.tmp, 'config')
        with open(conf, 'w') as f:
            f.write('columns = proto,state,local,remote,age\n')
        cp = replay('--config=' + conf, '--batch', '--at=%.6f' % self.quiet_at,
                    'addr:' + ADDR, 'state:listen')
        lines = cp.stdout.decode().splitlines()
        self.assertEqual(len(lines), 2, lines)
        # The listener was opened a few seconds before that moment: its age
        # then, not its age now that the recording is old.
        age = lines[1].split()[-1]
        self.assertRegex(age, r'^[0-9]s$', lines)

    def test_after_the_end_shows_the_end(self):
        cp = replay('--batch', '--json', 'addr:' + ADDR)
        self.assertEqual([r for r in S.parse_json_lines(cp.stdout) if ours(r)
                          and r['state'] != 'TIME_WAIT'], [])
        later = replay('--batch', '--json', '--at=%.0f' % (time.time() + 3600), 'addr:' + ADDR)
        self.assertEqual(later.stdout, cp.stdout)

    def test_before_the_start_is_an_error_naming_it(self):
        args = ['--replay=' + self.db, '--batch', '--at=2001-01-01 00:00']
        cp = S.run(args)
        self.assertEqual(cp.returncode, 1, S.describe(args, cp))
        err = cp.stderr.decode()
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn('the recording starts at', err)

    def test_a_bad_time_is_a_usage_error(self):
        args = ['--replay=' + self.db, '--batch', '--at=25:00']
        cp = S.run(args)
        self.assertEqual(cp.returncode, 2, S.describe(args, cp))
        self.assertIn("--at: '25:00' is not a time", cp.stderr.decode())


class NotRecordings(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='sockeye-replay-bad-')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def refused(self, path, want):
        for mode in (['--batch'], ['--events']):
            args = ['--replay=' + path] + mode
            cp = S.run(args)
            self.assertEqual(cp.returncode, 1, S.describe(args, cp))
            self.assertEqual(cp.stdout, b'')
            err = cp.stderr.decode()
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertTrue(err.startswith('sockeye: %s: ' % path), err)
            self.assertIn(want, err)

    def test_garbage(self):
        path = os.path.join(self.tmp, 'garbage.db')
        with open(path, 'wb') as f:
            f.write(os.urandom(8192))
        self.refused(path, 'not an SQLite database')

    def test_missing(self):
        self.refused(os.path.join(self.tmp, 'none.db'), 'No such file or directory')

    def test_another_programs_database(self):
        path = os.path.join(self.tmp, 'other.db')
        db = sqlite3.connect(path)
        db.execute('CREATE TABLE t(x)')
        db.execute('INSERT INTO t VALUES(1)')
        db.commit()
        db.close()
        self.refused(path, 'another program')

    def recording(self, name, seconds=2.0):
        """A real recording of a few polls, closed cleanly."""
        path = os.path.join(self.tmp, name)
        args = ['--events', '-i', '0.2', '-n', str(int(seconds / 0.2)), '--record=' + path,
                'port:1']
        cp = S.run(args, timeout=30)
        self.assertEqual(cp.returncode, 0, S.describe(args, cp))
        return path

    def test_a_recording_cut_in_half(self):
        path = self.recording('half.db')
        # Fill it out so that half of it cuts into tables, then cut.
        db = sqlite3.connect(path)
        db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        db.close()
        size = os.path.getsize(path)
        with open(path, 'r+b') as f:
            f.truncate(size // 2)
        for suffix in ('-wal', '-shm'):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        self.refused(path, 'damaged')

    def test_a_newer_recording(self):
        path = self.recording('newer.db')
        db = sqlite3.connect(path)
        db.execute('PRAGMA user_version = 99')
        db.commit()
        db.close()
        self.refused(path, 'newer sockeye')

    def test_a_whole_recording_opens(self):
        path = self.recording('whole.db')
        cp = S.run(['--replay=' + path, '--batch', '--json', 'port:1'])
        self.assertEqual(cp.returncode, 0, S.describe(['--replay=' + path], cp))


if __name__ == '__main__':
    unittest.main(verbosity=2)
