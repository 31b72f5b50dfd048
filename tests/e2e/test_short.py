"""test_short.py: connections that open and close between two polls still
appear in `sockeye --events`, through the kernel's destroy notifications:
the end that closes second once, as a brief "gone" with its final state and
byte counts, the end that closes first as a brief "new" of its TIME_WAIT.
Skips where the kernel refuses the subscription."""
import os
import socket
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

COUNT = 50
LIFE = 0.005      # seconds each connection lives
# This run's own /24 of loopback: another run at the same time (a second
# checkout's tests) keeps to its own.
NET = '127.%d.%d' % (6 + os.getpid() % 44, os.getpid() // 44 % 250)
MARK = NET + '.250'   # a listener whose "new" says a poll after the baseline ran
AFTER = 2.5       # two more polls: everything closed has been reported


class Listener:
    """A server on 127.0.0.1 that reads each connection to its end."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.drain, args=(conn,), daemon=True).start()

    @staticmethod
    def drain(conn):
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
        conn.close()

    def close(self):
        self.sock.close()


def client_addr(i):
    """Connection i's own address: its events are told apart by it."""
    return '%s.%d' % (NET, i + 1)


def short_connections(port, nbytes=100):
    """COUNT connections, one after another, each LIFE seconds long; all
    between two polls at -i 1 (they take about COUNT * LIFE seconds)."""
    for i in range(COUNT):
        c = socket.create_connection(('127.0.0.1', port), source_address=(client_addr(i), 0))
        c.sendall(b'x' * nbytes)
        time.sleep(LIFE)
        c.close()


def ours(events):
    """{client address: [events of either end of its connection]}."""
    by = {}
    wanted = {client_addr(i) for i in range(COUNT)}
    for e in events:
        addr = e['laddr'] if e['laddr'] in wanted else e['raddr']
        if addr in wanted:
            by.setdefault(addr, []).append(e)
    return by


class Short(unittest.TestCase):

    def run_load(self, *args, nbytes=100):
        lst = Listener()
        s = S.EventsReader('-i', '1', 'addr:%s.0/24' % NET, *args)
        mark = socket.socket()
        try:
            # Start just after a poll that is not the baseline: the load
            # (about COUNT * LIFE s) then falls between two polls, and no
            # close can be taken for one before the baseline.
            time.sleep(0.5)
            mark.bind((MARK, 0))
            mark.listen()
            self.assertTrue(s.wait_until(lambda e: e['laddr'] == MARK, 5),
                            'the marker listener never appeared: %r' % s.err)
            if not args and s.refused():
                self.skipTest('subscription refused here: %s' % s.refused().strip())
            t0 = time.monotonic()
            short_connections(lst.port, nbytes)
            took = time.monotonic() - t0
            time.sleep(AFTER)
        finally:
            s.stop()
            lst.close()
            mark.close()
        if not args and s.refused():
            self.skipTest('subscription refused here: %s' % s.refused().strip())
        return ours(s.events()), took

    def test_every_short_connection_appears(self):
        by, took = self.run_load()
        missing = [client_addr(i) for i in range(COUNT) if client_addr(i) not in by]
        self.assertEqual(missing, [], '%d of %d connections (%.2f s of load) never appeared'
                         % (len(missing), COUNT, took))

    def test_each_end_of_a_short_connection_is_one_life(self):
        by, _ = self.run_load()
        for addr, evs in sorted(by.items()):
            # The server's end closes second and leaves nothing: gone once,
            # in its final state.
            end = [e for e in evs if e['laddr'] != addr]
            gone = [e for e in end if e['event'] == 'gone']
            self.assertEqual(len(gone), 1, '%s: want one gone for the server end, got %r' % (addr, end))
            self.assertEqual(gone[0]['state'], 'CLOSE', gone[0])
            # A poll may catch it alive (then it was new); else it is
            # brief: no poll saw it, and it has no other event.
            if not any(e['event'] == 'new' for e in end):
                self.assertIs(gone[0].get('brief'), True, gone[0])
                self.assertEqual(len(end), 1, end)
            # The client's closes first and goes on in TIME_WAIT (longer
            # than the test): one new, no gone; brief when no poll saw it
            # whole. (An earlier run's TIME_WAITs on the same address may
            # end meanwhile: their ports had no new here.)
            mine = {e['lport'] for e in evs if e['laddr'] == addr and e['event'] == 'new'}
            end = [e for e in evs if e['laddr'] == addr and e['lport'] in mine]
            new = [e for e in end if e['event'] == 'new']
            self.assertEqual(len(new), 1, '%s: want one new for the client end, got %r' % (addr, end))
            self.assertFalse([e for e in end if e['event'] == 'gone'], end)
            self.assertEqual(end[-1]['state'], 'TIME_WAIT', end)
            if new[0]['state'] == 'TIME_WAIT':
                self.assertIs(new[0].get('brief'), True, new[0])
                self.assertEqual(len(end), 1, end)

    def test_short_connection_reports_its_final_byte_counts(self):
        by, _ = self.run_load(nbytes=3000)
        for addr, evs in sorted(by.items()):
            server = [e for e in evs if e['raddr'] == addr and e['event'] == 'gone'
                      and e['state'] != 'TIME_WAIT']
            self.assertTrue(server, '%s: no event for the server end' % addr)
            # bytes_received counts the client's FIN as one byte more.
            self.assertIn(server[0].get('rxbytes'), (3000, 3001), server[0])

    def test_brief_socket_has_no_owner_and_no_made_up_uid(self):
        by, _ = self.run_load()
        for addr, evs in sorted(by.items()):
            for e in evs:
                if e.get('brief') and e['inode'] == 0:
                    self.assertIsNone(e['uid'], e)
                    self.assertEqual(e['procs'], [], e)

    def test_polling_alone_misses_connections_shorter_than_the_interval(self):
        by, _ = self.run_load('--no-destroy-events')
        alive = [a for a, evs in by.items() if any(e['state'] != 'TIME_WAIT' for e in evs)]
        self.assertLess(len(alive), COUNT // 2,
                        'polling alone saw %d of %d 5 ms connections alive' % (len(alive), COUNT))


if __name__ == '__main__':
    S.main()
