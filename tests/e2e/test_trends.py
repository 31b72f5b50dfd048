"""test_trends.py: the Trends pane against real loopback churn. A thread of
this test opens and closes connections on its own loopback address, steadily;
sockeye, filtered to that address, shows after about ten seconds a non-zero
new/s and closed/s and a TCP state series, as sparklines: block cells under
UTF-8, plain ASCII under LANG=C. Exit codes: 0 pass, 1 fail, 77 skip."""
import os
import socket
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

# This run's own loopback address: what other tests open never passes the filter.
ADDR = '127.%d.%d.%d' % (100 + os.getpid() % 150, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
SERVER = None
TERM = None
BLOCKS = set('\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588')


class Churn:
    """A listener on ADDR and a thread that opens a connection to it every
    50 ms, sends a little each way and closes it (client first: its end
    goes into TIME_WAIT)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((ADDR, 0))
        self.listener.listen(64)
        self.stop = threading.Event()
        self.opened = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            try:
                c = socket.create_connection(self.listener.getsockname(), timeout=2)
                a, _ = self.listener.accept()
                c.sendall(b'x' * 2000)
                a.recv(4096)
                a.sendall(b'y' * 500)
                c.recv(4096)
                c.close()
                a.close()
                self.opened += 1
            except OSError:
                pass
            self.stop.wait(0.05)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.listener.close()


def series_row(lines, name):
    """The Trends row of series name, as its cells: [name, now, peak, ...]."""
    for ln in lines:
        if ln.startswith(name + ' '):
            return ln
    return None


def nonzero_now(line):
    parts = line.split()
    return len(parts) >= 3 and parts[1] not in ('0', '-') and parts[2] != '0'


class Trends(unittest.TestCase):

    def setUp(self):
        self.churn = Churn()
        self.pane = None

    def tearDown(self):
        if self.pane:
            self.pane.close()
        self.churn.close()

    def start(self, env):
        self.pane = SERVER.pane([S.sockeye_path(), '-i', '0.5', '--no-all-netns',
                                 'addr:' + ADDR], 160, 48, env)
        self.pane.wait(lambda ls: ls[0].startswith('sockeye') and ls, 'the header')
        self.pane.keys('t')
        return self.pane.wait(lambda ls: any(' Trends' in ln for ln in ls[3:5]) and ls,
                              'the Trends pane after t')

    def wait_churn_seen(self, graph_ok):
        """After about ten seconds of churn: new/s, closed/s and a state."""
        time.sleep(10)

        def ready(ls):
            new, closed = series_row(ls, 'new/s'), series_row(ls, 'closed/s')
            state = [series_row(ls, s) for s in ('ESTABLISHED', 'TIME_WAIT', 'LISTEN')]
            return (new and closed and nonzero_now(new) and nonzero_now(closed)
                    and any(state) and graph_ok(new) and graph_ok(closed) and ls)
        return self.pane.wait(ready, 'non-zero new/s and closed/s and a state series',
                              timeout=15)

    def test_churn_shows_as_new_closed_and_state_sparklines_under_utf8(self):
        locale = T.utf8_locale()
        if not locale:
            self.skipTest('no UTF-8 locale here')
        steady = Steady()            # this process's traffic, on a connection it holds
        self.addCleanup(steady.close)
        self.start({'TERM': TERM, 'LANG': locale, 'LC_ALL': locale})
        lines = self.wait_churn_seen(lambda ln: any(c in BLOCKS for c in ln))
        self.assertIsNotNone(series_row(lines, 'TIME_WAIT') or series_row(lines, 'LISTEN'),
                             self.pane.dump(lines))
        # The busiest process is the last row: Enter shows its history.
        self.pane.keys('End', 'Enter')
        self.pane.wait(lambda ls: any(ln.startswith(' Process') and str(os.getpid()) in ln
                                      for ln in ls)
                       and any(ln.startswith(' TX+RX 10 min') and ' max ' in ln for ln in ls)
                       and ls, 'this process\'s details with its TX+RX history')
        self.pane.keys('Escape')
        self.pane.wait(lambda ls: any(' Trends' in ln for ln in ls[3:5]) and ls,
                       'the Trends pane again after Esc')
        # From Trends, t goes back to the pane it came from.
        self.pane.keys('t')
        self.pane.wait(lambda ls: not any(' Trends' in ln for ln in ls) and ls,
                       'back to the pane before it')

    def test_under_lang_c_the_screen_is_plain_ascii(self):
        self.start({'TERM': TERM, 'LANG': 'C', 'LC_ALL': 'C'})
        lines = self.wait_churn_seen(lambda ln: any(c in '_.-=#' for c in ln.split()[-1]))
        high = [ln for ln in lines if any(ord(c) > 0x7f for c in ln)]
        self.assertEqual(high, [], self.pane.dump(lines))

    def test_tab_cycles_through_the_trends_pane(self):
        locale = T.utf8_locale() or 'C'
        self.pane = SERVER.pane([S.sockeye_path(), '-i', '0.5', '--no-all-netns',
                                 'addr:' + ADDR], 160, 48,
                                {'TERM': TERM, 'LANG': locale, 'LC_ALL': locale})
        self.pane.wait(lambda ls: ls[0].startswith('sockeye') and ls, 'the header')
        self.pane.keys('Tab', 'Tab', 'Tab')
        self.pane.wait(lambda ls: any(' Trends' in ln for ln in ls[3:5]) and ls,
                       'the Trends pane after three Tabs')
        self.pane.keys('Tab')
        self.pane.wait(lambda ls: any(' Connections' in ln for ln in ls[3:5]) and ls,
                       'Connections again after a fourth')


class Steady:
    """One connection on ADDR that sends 20 KB every 100 ms until closed."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind((ADDR, 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.client = socket.create_connection((ADDR, self.port), timeout=2)
        self.server, _ = self.listener.accept()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            try:
                self.client.sendall(b'z' * 20000)
                got = 0
                while got < 20000:
                    got += len(self.server.recv(65536))
            except OSError:
                return
            self.stop.wait(0.1)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for s in (self.client, self.server, self.listener):
            s.close()


class History(unittest.TestCase):

    def test_details_show_rate_and_rtt_history_and_processes_a_trend(self):
        steady = Steady()
        locale = T.utf8_locale() or 'C'
        p = SERVER.pane([S.sockeye_path(), '-i', '0.5', '--no-all-netns',
                         'addr:%s' % ADDR, 'rport:%d' % steady.port], 100, 30,
                        {'TERM': TERM, 'LANG': locale, 'LC_ALL': locale})
        try:
            p.wait(lambda ls: any(':%d' % steady.port in ln for ln in ls[5:]) and ls,
                   'the client end of the connection')
            p.keys('Enter')
            lines = p.wait(lambda ls: any(ln.lstrip().startswith('TX+RX') and ' max ' in ln
                                          and 'K/s' in ln for ln in ls)
                           and any(ln.lstrip().startswith('RTT') and ' avg ' in ln
                                   and 'ms' in ln for ln in ls) and ls,
                           'rate and RTT history with min, avg and max', timeout=12)
            self.assertTrue(any(ln.startswith(' Owner TX+RX') for ln in lines), p.dump(lines))
            p.keys('Escape', 'Tab')
            p.wait(lambda ls: any(' TREND' in ln for ln in ls) and ls,
                   'the TREND column on Processes')
        finally:
            p.close()
            steady.close()


def main():
    global TERM
    S.sockeye_path()
    TERM = T.best_term()
    T.run_tests(sys.modules[__name__], 'sockeye-e2e', S.main, needed=True)


if __name__ == '__main__':
    main()
