"""test_former.py: a TIME_WAIT names who left it. On real loopback
connections between two holder processes, the client closing first: in
`--events --json` and `--batch --json` its TIME_WAIT carries "owner_was",
the client process, and an empty "procs"; `--batch proc:NAME
state:time-wait` lists the TIME_WAITs NAME left, in the text table as
"(pid/name)"; and sockeye counts as many TIME_WAITs as ss for the same
address."""
import os
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

INTERVAL = '0.2'
CONNS = 5
# This run's own loopback address: other tests' sockets never use it.
ADDR = '127.%d.%d.%d' % (50 + os.getpid() % 50, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
TAG = 'tw%05d' % (os.getpid() % 100000)


class Former(unittest.TestCase):

    def setUp(self):
        self.srv = S.Holder(TAG + 's')
        self.cli = S.Holder(TAG + 'c')
        self.lst = self.srv.call('tcp_listen', host=ADDR)

    def tearDown(self):
        self.cli.close()
        self.srv.close()

    def open_and_close(self):
        """CONNS connections from the client holder, seen whole by a few
        polls, then closed by the client first: its ends go on in
        TIME_WAIT. Returns the client ends' local ports."""
        conns = self.cli.call('tcp_connect', host=ADDR, port=self.lst['lport'], bind=ADDR,
                              count=CONNS)
        accepted = self.srv.call('tcp_accept', id=self.lst['id'], count=CONNS)
        time.sleep(0.8)
        for c in conns:
            self.cli.call('close', id=c['id'])
        time.sleep(0.4)
        for a in accepted:
            self.srv.call('close', id=a['id'])
        return {c['lport'] for c in conns}

    def client_ends(self, recs, ports):
        return [r for r in recs if r['lport'] in ports and r['rport'] == self.lst['lport']]

    def assert_left_by_client(self, r):
        self.assertEqual(r['procs'], [], r)
        self.assertEqual([(p['pid'], p['comm']) for p in r['owner_was']],
                         [(self.cli.pid, self.cli.name)], r)
        for key in ('user', 'service', 'cmdline'):
            self.assertIn(key, r['owner_was'][0], r)

    def test_events_json_time_wait_owner_was_is_the_process_that_closed_it(self):
        ev = S.EventsReader('-i', INTERVAL, 'addr:' + ADDR)
        try:
            time.sleep(1.0)
            ports = self.open_and_close()
            got = ev.wait_for(lambda e: e['lport'] in ports and e['state'] == 'TIME_WAIT',
                              CONNS, 10)
        finally:
            ev.stop()
        self.assertEqual(len(got), CONNS, got)
        for e in got:
            self.assert_left_by_client(e)
        for e in ev.events():
            self.assertIsInstance(e.get('owner_was'), list, e)
        news = [e for e in self.client_ends(ev.events(), ports) if e['event'] == 'new']
        self.assertEqual(len(news), CONNS, ev.events())
        for e in news:       # held then: procs names it, owner_was is empty
            self.assertEqual(S.rec_pids(e), (self.cli.pid,), e)
            self.assertEqual(e['owner_was'], [], e)

    def batch_while_closing(self, *args):
        """sockeye --batch -n N ARGS running while the connections open and
        close; returns its output and the client ports."""
        polls = str(int((1.0 + 0.8 + 0.4 + 1.4) / float(INTERVAL)))
        p = subprocess.Popen([S.sockeye_path(), '--batch', '-i', INTERVAL, '-n', polls] +
                             list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(1.0)
            ports = self.open_and_close()
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 0, err)
        return out.decode('utf-8', 'replace'), ports

    def test_batch_json_time_wait_owner_was_and_proc_filter(self):
        out, ports = self.batch_while_closing('--json', 'proc:' + self.cli.name,
                                              'state:time-wait')
        recs = S.parse_json_lines(out)
        self.assertTrue(recs, 'no TIME_WAIT listed for proc:' + self.cli.name)
        self.assertEqual({r['lport'] for r in recs}, ports, recs)
        for r in recs:
            self.assertEqual(r['state'], 'TIME_WAIT', r)
            self.assert_left_by_client(r)

    def test_batch_text_shows_the_former_owner_in_parentheses(self):
        out, ports = self.batch_while_closing('proc:' + self.cli.name, 'state:time-wait')
        last = out.rstrip('\n').split('\n\n')[-1].splitlines()
        self.assertIn('PID/PROCESS', last[0], out)
        col = last[0].split().index('PID/PROCESS')
        rows = [ln.split() for ln in last[1:]]
        self.assertEqual(len(rows), CONNS, out)
        for r in rows:
            self.assertEqual(r[1], 'TIME_WAIT', out)
            self.assertEqual(r[col], '(%d/%s)' % (self.cli.pid, self.cli.name), out)

    @unittest.skipUnless(S.have_ss(), 'no ss here')
    def test_time_wait_rows_are_as_many_as_ss_counts(self):
        self.open_and_close()
        time.sleep(0.3)
        for _ in range(3):           # a TIME_WAIT may end between the two reads
            recs = S.batch_json(['state:time-wait', 'laddr:' + ADDR])
            ss = subprocess.run(['ss', '-tanH', 'state', 'time-wait', 'src', ADDR],
                                stdout=subprocess.PIPE, check=True, timeout=20).stdout
            n_ss = len(ss.decode().splitlines())
            if len(recs) == n_ss:
                break
        self.assertEqual(len(recs), n_ss, recs)
        self.assertGreaterEqual(n_ss, CONNS)   # and those the other tests left


if __name__ == '__main__':
    S.main()
