"""test_recorder.py: `sockeye --record=FILE` with no other mode records
with no screen and prints nothing: loopback connections that open and close
while it runs are in the file (lives, events, owners, polls), the file and
its write-ahead log are private (0600), SIGTERM ends it cleanly, and a run
killed with SIGKILL leaves a file that opens whole, whose lives the next run
ends at the last poll. A file that is not a recording is refused with one
message and status 1, and left as it was."""
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

ADDR = '127.%d.%d.%d' % (50 + os.getpid() % 20, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
INTERVAL = 0.2


def start(path, *args):
    return subprocess.Popen([S.sockeye_path(), '--record=' + path, '-i', str(INTERVAL)] +
                            list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, TERM='dumb'))


def stop(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError('sockeye --record did not stop: %s' % S.clip(err))
    return proc.returncode, out, err


def query(path, sql, *args):
    db = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def wait_polls(path, n, timeout=15):
    """Until the file holds n polls (the writer commits behind the poll)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if query(path, 'SELECT count(*) FROM polls')[0][0] >= n:
                return
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError('%s did not reach %d polls within %ss' % (path, n, timeout))


class Recorder(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='sockeye-rec-')
        self.path = os.path.join(self.tmp, 'rec.db')
        self.holders = []

    def tearDown(self):
        for h in self.holders:
            h.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def holder(self, name):
        h = S.Holder(name)
        self.holders.append(h)
        return h

    def test_connections_that_come_and_go_are_recorded_privately(self):
        srv, cli = self.holder('e2e-rec-srv'), self.holder('e2e-rec-cli')
        L = srv.call('tcp_listen', host=ADDR)
        proc = start(self.path)
        wait_polls(self.path, 2)
        c = cli.call('tcp_connect', host=ADDR, port=L['lport'], count=2, bind=ADDR)
        srv.call('tcp_accept', id=L['id'], count=2)
        time.sleep(4 * INTERVAL)
        cli.call('close', id=c[0]['id'])
        time.sleep(6 * INTERVAL)
        rc, out, err = stop(proc)
        self.assertEqual(rc, 0, S.clip(err))
        self.assertEqual(out, b'', 'a recording alone prints nothing')
        for name in (self.path, self.path + '-wal'):
            if os.path.exists(name):
                self.assertEqual(stat.S_IMODE(os.stat(name).st_mode), 0o600, name)
        port = L['lport']
        # the listener was there from the start: seen, owned by the server
        self.assertEqual(query(self.path, "SELECT e.event, e.state FROM lives l JOIN events e"
                               " ON e.life = l.id WHERE l.laddr = ? AND l.lport = ? AND"
                               " l.rport = 0", ADDR, port), [('seen', 'LISTEN')])
        self.assertIn(('e2e-rec-srv',), query(
            self.path, "SELECT p.comm FROM lives l JOIN owners o ON o.life = l.id JOIN procs p"
            " ON p.id = o.proc WHERE l.laddr = ? AND l.lport = ? AND l.rport = 0", ADDR, port))
        # two client ends came: new, as --events printed them
        clients = query(self.path, "SELECT l.id, l.ended FROM lives l WHERE l.raddr = ? AND"
                        " l.rport = ? AND l.laddr = ?", ADDR, port, ADDR)
        self.assertEqual(len(clients), 2, clients)
        news = query(self.path, "SELECT count(*) FROM events e JOIN lives l ON l.id = e.life"
                     " WHERE e.event = 'new' AND l.raddr = ? AND l.rport = ?", ADDR, port)
        self.assertEqual(news, [(2,)])
        # the closed one changed state (FIN_WAIT, TIME_WAIT...) while the other lives on
        states = query(self.path, "SELECT count(*) FROM events e JOIN lives l ON l.id = e.life"
                       " WHERE e.event IN ('state', 'gone') AND l.raddr = ? AND l.rport = ?",
                       ADDR, port)
        self.assertGreaterEqual(states[0][0], 1)
        self.assertIn(('e2e-rec-cli',), query(
            self.path, "SELECT p.comm FROM lives l JOIN owners o ON o.life = l.id JOIN procs p"
            " ON p.id = o.proc WHERE l.raddr = ? AND l.rport = ?", ADDR, port))
        # a busy machine may make the writer merge a poll or two: counted
        polls = query(self.path, 'SELECT count(*) + sum(dropped) FROM polls')[0]
        self.assertGreaterEqual(polls[0], 8)
        self.assertEqual(query(self.path, 'PRAGMA integrity_check'), [('ok',)])

    def test_killed_mid_run_the_file_opens_and_the_next_run_ends_its_lives(self):
        srv = self.holder('e2e-rec-kill')
        L = srv.call('tcp_listen', host=ADDR)
        proc = start(self.path)
        wait_polls(self.path, 3)
        proc.kill()
        proc.communicate()
        self.assertEqual(query(self.path, 'PRAGMA integrity_check'), [('ok',)])
        last = query(self.path, 'SELECT max(time) FROM polls')[0][0]
        self.assertEqual(query(self.path, 'SELECT count(*) FROM lives WHERE lport = ? AND'
                               ' laddr = ? AND ended IS NULL', L['lport'], ADDR), [(1,)])
        again = start(self.path)
        wait_polls(self.path, 4)
        rc, _, err = stop(again)
        self.assertEqual(rc, 0, S.clip(err))
        # the first run's listener ended at its last poll; the second met it anew
        rows = query(self.path, 'SELECT ended FROM lives WHERE lport = ? AND laddr = ?'
                     ' ORDER BY id', L['lport'], ADDR)
        self.assertEqual(len(rows), 2, rows)
        self.assertEqual(rows[0][0], last)

    def test_a_file_that_is_not_a_recording_is_refused_and_kept(self):
        db = sqlite3.connect(self.path)
        db.execute('CREATE TABLE notes(x)')
        db.execute("INSERT INTO notes VALUES('keep me')")
        db.commit()
        db.close()
        cp = S.run(['--record=' + self.path, '-i', str(INTERVAL)])
        self.assertEqual(cp.returncode, 1, S.describe(['--record=' + self.path], cp))
        self.assertEqual(cp.stderr.decode(), 'sockeye: %s: not a sockeye recording\n' % self.path)
        self.assertEqual(query(self.path, 'SELECT x FROM notes'), [('keep me',)])

    def test_a_folder_that_is_missing_is_said(self):
        path = os.path.join(self.tmp, 'no-such-folder', 'rec.db')
        cp = S.run(['--record=' + path])
        self.assertEqual(cp.returncode, 1, S.describe(['--record=' + path], cp))
        self.assertEqual(cp.stderr.decode(), 'sockeye: %s: No such file or directory\n' % path)


if __name__ == '__main__':
    unittest.main()
