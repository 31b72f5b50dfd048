"""test_life.py: `sockeye --events` follows each end of a TCP connection on
real loopback sockets through one life: one "new", "state" events, and one
"gone" when it ends, with the kernel's close notices and without
(--no-destroy-events). The end that closes first goes on in TIME_WAIT (it
neither dies nor reappears), the end that closes second reads CLOSE_WAIT
then gone, an aborted connection is gone at both ends at once, a
connection opened and closed between two polls starts its life at its
TIME_WAIT, and a new connection that takes over a TIME_WAIT's tuple is a
new life after the old one's gone."""
import os
import socket
import struct
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

INTERVAL = '0.2'
STEP = 0.7        # seconds between two steps: at least two polls see each
MODES = ((), ('--no-destroy-events',))
ORDER = ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'CLOSE_WAIT', 'FIN_WAIT2',
         'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'CLOSE']


def connect(lst, bind_port=0):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(('127.0.0.1', bind_port))
    c.connect(lst.getsockname())
    s, _ = lst.accept()
    return c, s


def abort(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    sock.close()


def life(events, lport, rport):
    """One end's events as words: 'new ESTABLISHED', 'state
    ESTABLISHED>FIN_WAIT2', 'gone TIME_WAIT', 'new TIME_WAIT brief'."""
    out = []
    for e in events:
        if e['lport'] != lport or e['rport'] != rport:
            continue
        word = '%s %s%s' % (e['event'], e['from'] + '>' if 'from' in e else '', e['state'])
        out.append(word + (' brief' if e.get('brief') else ''))
    # A poll may catch an end mid-handshake: its life then starts there and
    # reaches ESTABLISHED by a state change, still one life. Read as if
    # first seen established, so the cases compare what follows.
    if (len(out) >= 2 and out[0] in ('new SYN_RECV', 'new SYN_SENT')
            and out[1] == 'state %s>ESTABLISHED' % out[0].split()[1]):
        out[:2] = ['new ESTABLISHED']
    return out


class Life(unittest.TestCase):

    def watch(self, case, *args):
        """Runs case(listener) under `sockeye --events` for its port; returns
        the events, the listener's port and what case returned."""
        lst = socket.socket()
        lst.bind(('127.0.0.1', 0))
        lst.listen(8)
        port = lst.getsockname()[1]
        s = S.EventsReader('-i', INTERVAL, 'port:%d' % port, *args)
        try:
            time.sleep(1.0)                 # the baseline poll
            if not args and s.refused():
                self.skipTest('close notices refused here: %s' % s.refused().strip())
            got = case(lst)
            time.sleep(STEP)
        finally:
            s.stop()
            lst.close()
        return s.events(), port, got

    def assert_one_life(self, words, ends, last=None):
        """words read 'new', states moving on, and 'gone' at the end when
        ends (no 'gone' while its TIME_WAIT lasts)."""
        self.assertTrue(words, 'no event at all')
        self.assertTrue(words[0].startswith('new '), words)
        self.assertEqual(sum(w.startswith('new ') for w in words), 1, words)
        self.assertEqual(sum(w.startswith('gone ') for w in words), 1 if ends else 0, words)
        if ends:
            self.assertTrue(words[-1].startswith('gone '), words)
        states = [w.split()[1].split('>')[-1] for w in words]
        ranks = [ORDER.index(st) for st in states]
        self.assertEqual(ranks, sorted(ranks), 'a state went back: %r' % words)
        if last:
            self.assertEqual(states[-1], last, words)

    def test_the_end_that_closes_first_goes_on_in_time_wait(self):
        for args in MODES:
            with self.subTest(args=args):
                ports = {}

                def run(lst):
                    c, s = connect(lst)
                    ports['c'] = c.getsockname()[1]
                    time.sleep(STEP)
                    c.close()
                    time.sleep(STEP)
                    s.close()
                events, port, _ = self.watch(run, *args)
                client, server = life(events, ports['c'], port), life(events, port, ports['c'])
                self.assert_one_life(client, ends=False, last='TIME_WAIT')
                self.assertIn('state ESTABLISHED>FIN_WAIT2', client)
                self.assert_one_life(server, ends=True)
                self.assertEqual(server, ['new ESTABLISHED', 'state ESTABLISHED>CLOSE_WAIT',
                                          'gone CLOSE_WAIT'])
                tw = [e for e in events if e['lport'] == ports['c'] and e['event'] == 'state']
                for e in tw:    # no process holds a timewait socket
                    self.assertEqual((e['inode'], e['procs']), (0, []), e)

    def test_the_end_that_closes_second_reads_close_wait_then_gone(self):
        for args in MODES:
            with self.subTest(args=args):
                ports = {}

                def run(lst):
                    c, s = connect(lst)
                    ports['c'] = c.getsockname()[1]
                    time.sleep(STEP)
                    s.close()
                    time.sleep(STEP)
                    c.close()
                events, port, _ = self.watch(run, *args)
                client = life(events, ports['c'], port)
                server = life(events, port, ports['c'])
                self.assert_one_life(client, ends=True)
                self.assertEqual(client[:2], ['new ESTABLISHED', 'state ESTABLISHED>CLOSE_WAIT'])
                self.assert_one_life(server, ends=False, last='TIME_WAIT')

    def test_an_aborted_connection_is_gone_at_both_ends_at_once(self):
        for args in MODES:
            with self.subTest(args=args):
                ports = {}

                def run(lst):
                    c, s = connect(lst)
                    ports['c'] = c.getsockname()[1]
                    time.sleep(STEP)
                    abort(c)
                    time.sleep(STEP)
                    s.close()
                events, port, _ = self.watch(run, *args)
                client = life(events, ports['c'], port)
                server = life(events, port, ports['c'])
                self.assertEqual(client, ['new ESTABLISHED', 'gone ESTABLISHED'])
                self.assertEqual(server, ['new ESTABLISHED', 'gone ESTABLISHED'])
                gone = [e['time'] for e in events if e['event'] == 'gone']
                self.assertLess(max(gone) - min(gone), 0.5, events)

    def test_a_connection_between_two_polls_starts_at_its_time_wait(self):
        for args in MODES:
            with self.subTest(args=args):
                ports = {}

                def run(lst):
                    c, s = connect(lst)
                    ports['c'] = c.getsockname()[1]
                    c.sendall(b'x' * 100)
                    c.close()
                    s.recv(200)
                    s.close()
                events, port, _ = self.watch(run, *args)
                client = life(events, ports['c'], port)
                self.assert_one_life(client, ends=False, last='TIME_WAIT')
                if client[0].startswith('new TIME_WAIT'):   # no poll saw it whole
                    self.assertEqual(client, ['new TIME_WAIT brief'])
                    new = next(e for e in events if e['lport'] == ports['c'])
                    self.assertEqual((new['uid'], new['procs']), (None, []), new)
                    if not args:    # the close notice's final counters (SYN and FIN count too)
                        self.assertIn(new.get('txbytes'), (100, 101, 102), new)

    def test_a_tuple_taken_over_from_time_wait_is_a_new_life_after_a_gone(self):
        for args in MODES:
            with self.subTest(args=args):
                ports = {}

                def run(lst):
                    c, s = connect(lst)
                    ports['c'] = c.getsockname()[1]
                    time.sleep(STEP)
                    s.close()                   # the server's end: TIME_WAIT
                    time.sleep(0.1)
                    c.close()
                    time.sleep(STEP)
                    c2, s2 = connect(lst, ports['c'])
                    time.sleep(STEP)
                    abort(c2)
                    s2.close()
                events, port, _ = self.watch(run, *args)
                server = life(events, port, ports['c'])
                self.assertEqual(server[0], 'new ESTABLISHED', server)
                first = server.index('gone TIME_WAIT')
                self.assert_one_life(server[:first + 1], ends=True, last='TIME_WAIT')
                self.assertEqual(server[first + 1:], ['new ESTABLISHED', 'gone ESTABLISHED'])
                client = life(events, ports['c'], port)
                self.assertEqual(client.count('new ESTABLISHED'), 2, client)


if __name__ == '__main__':
    S.main()
