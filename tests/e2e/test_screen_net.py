"""test_screen_net.py: the screen's network features, driven in
a detached tmux pane like a person at a terminal: K closing the selected
TCP connection (after a y/N question, and never with --read-only), n and
-N showing host names, N showing service names, and the TX/s and RX/s
columns of Connections and Processes.

Real loopback sockets are held by child processes (sockets.py holders)
with distinctive command names, so every row looked for has a known port
and owner, and both ends of a connection can say what they saw. Each test
starts its own sockeye in a private tmux server (killed at the end, pass or
fail). Exit codes: 0 pass, 1 fail, 77 skip (no tmux, or no SOCKEYE binary)."""
import os
import re
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

INTERVAL = '0.3'
PROTOS = ('tcp', 'tcp6', 'udp', 'udp6')
PACE = 200 * 1024                 # bytes a second the rate test moves
RATE_LOW, RATE_HIGH = 150 * 1024, 260 * 1024
CYAN_BG = 6                       # the default theme's selection background
REFUSED = ('this kernel cannot close sockets', 'closing needs CAP_NET_ADMIN')

# This run's own loopback address: other programs' sockets (other tests
# running at the same time) may share a port number, never this address.
# Nothing names it, so it also stands for "an address with no host name".
ADDR = '127.%d.%d.%d' % (100 + os.getpid() % 150, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)

SERVER = None   # the private tmux server, made in main()
LOCALE = None
TERM = None


# ------------------------------------------------------------ reading rows

class Row:
    """One Connections row as the screen shows it; cells() reads the
    right-aligned columns (TX/s, RX/s...) by the title line's positions,
    since a blank cell leaves nothing to split on."""

    def __init__(self, line_no, text, title):
        parts = text.split()
        # NETNS shows while another namespace has sockets (other tests may
        # be making namespaces meanwhile); rows are read without it.
        if 'NETNS' in title.split() and len(parts) >= 3:
            del parts[2]
        self.line, self.text, self.title = line_no, text, title
        self.proto, self.state, self.local, self.remote, self.proc = parts[:5]
        self.lport, self.rport = port_of(self.local), port_of(self.remote)

    def cell(self, name):
        return right_cell(self.title, self.text, name)

    def __repr__(self):
        return '%s %s %s %s %s' % (self.proto, self.state, self.local, self.remote, self.proc)


def port_of(endpoint):
    port = endpoint.rpartition(':')[2]
    return int(port) if port.isdigit() else None


def right_cell(title, text, name):
    """The text under the right-aligned column title name: from the end of
    the title before it to the end of its own."""
    labels = [(m.start(), m.end(), m.group()) for m in re.finditer(r'\S+', title)]
    for i, (_, end, label) in enumerate(labels):
        if label.rstrip('\u25b2\u25bc^v') == name:
            start = labels[i - 1][1] if i else 0
            return text[start:end].strip()
    raise AssertionError('no column %s in the title line %r' % (name, title))


def pane_title_line(lines, name):
    for i, l in enumerate(lines):
        if l.startswith(' ' + name + ' ') or (' ' + name + '  ') in l:
            return i
    return None


def conn_rows(lines):
    """The Connections pane's rows, top to bottom ([] when not shown)."""
    top = pane_title_line(lines, 'Connections')
    if top is None or top + 1 >= len(lines):
        return []
    title, rows = lines[top + 1], []
    for i in range(top + 2, len(lines) - 1):
        if lines[i].startswith((' Processes', ' Events')):
            break
        parts = lines[i].split()
        if len(parts) >= 5 and parts[0] in PROTOS:
            rows.append(Row(i, lines[i], title))
    return rows


def proc_cells(lines, pid, names):
    """The cells names of pid's row in Processes (the part left of the
    Events pane), or None while it is not shown."""
    top = pane_title_line(lines, 'Processes')
    if top is None:
        return None
    title = lines[top + 1].split('\u2502')[0]
    for l in lines[top + 2:-1]:
        left = l.split('\u2502')[0]
        if left.split()[:1] == [str(pid)]:
            return [right_cell(title, left, n) for n in names]
    return None


def rate_value(cell):
    """'195K' -> bytes a second (binary units); None for a blank cell."""
    m = re.fullmatch(r'([0-9.]+)\s*([BKMGT]?)i?B?(?:/s)?', cell)
    if not m:
        return None
    return float(m.group(1)) * 1024 ** 'BKMGT'.index(m.group(2) or 'B')


def in_range(cell):
    v = rate_value(cell)
    return v is not None and RATE_LOW <= v <= RATE_HIGH


def comm_name(tag):
    """A distinctive command name (at most 15 bytes, the kernel's limit)."""
    return ('se2n%d%s' % (os.getpid() % 100000, tag))[:15]


def service_names():
    """{port: first name} for TCP in /etc/services, as a user reads it."""
    names = {}
    try:
        with open('/etc/services') as f:
            for line in f:
                words = line.split('#', 1)[0].split()
                if len(words) >= 2 and words[1].endswith('/tcp'):
                    port = int(words[1].split('/')[0])
                    names.setdefault(port, words[0])
    except (OSError, ValueError):
        pass
    return names


# ------------------------------------------------------------------ tests

class ScreenNet(unittest.TestCase):

    def setUp(self):
        self.holders, self.panes = [], []

    def tearDown(self):
        for p in self.panes:
            p.close()
        for h in self.holders:
            h.close()

    def holder(self, tag):
        h = S.Holder(comm_name(tag))
        self.holders.append(h)
        return h

    def pair(self, server, client, host=ADDR):
        """A TCP connection from client to a listener of server's; returns
        (listener, client end, server end) as the holders describe them."""
        L = server.call('tcp_listen', host=host)
        C = client.call('tcp_connect', host=host, port=L['lport'], bind=host)[0]
        A = server.call('tcp_accept', id=L['id'])[0]
        return L, C, A

    def env(self, **extra):
        env = {'TERM': TERM, 'LANG': LOCALE, 'LC_ALL': LOCALE, 'NO_COLOR': None}
        env.update(extra)
        return env

    def start(self, *args, interval=INTERVAL, width=200, height=48):
        """sockeye -i INTERVAL ARGS in a new pane, waited for until it has
        drawn its header and its first poll. Only the host's namespace, and
        wide: namespaces and services that other tests (or the machine's
        own units) create meanwhile bring in the NETNS and SERVICE columns,
        which must not squeeze out the ones these tests read."""
        p = SERVER.pane([S.sockeye_path(), '-i', interval, '--no-all-netns'] + list(args),
                        width, height, self.env())
        self.panes.append(p)
        p.wait(lambda ls: ls[0].startswith('sockeye') and re.search(r'\d+ sockets', ls[1]) and ls,
               'the header after start')
        return p

    def rows_where(self, p, pred, what, timeout=8.0):
        """Waits until pred(rows, lines) holds; returns (rows, lines)."""
        return p.wait(lambda ls: pred(conn_rows(ls), ls) and (conn_rows(ls), ls), what, timeout)

    def only_row(self, p, C, what):
        """Waits for the client end C as the one row; returns the lines."""
        _, lines = self.rows_where(
            p, lambda rs, ls: len(rs) == 1 and rs[0].lport == C['lport']
            and rs[0].state == 'ESTABLISHED', what)
        return lines

    def assert_works(self, a, A, b, B, how):
        """Bytes sent from a's end A arrive at b's end B, and back."""
        for (sender, s_end, receiver, r_end) in ((a, A, b, B), (b, B, a, A)):
            sender.call('send', id=s_end['id'], nbytes=100)
            got = receiver.call('recv', id=r_end['id'], timeout=5)
            self.assertEqual(got, {'nbytes': 100, 'eof': False},
                             'the connection no longer carries data after %s: %s -> %s saw %s'
                             % (how, sender.name, receiver.name, got))

    def ask_close(self, p, C, L, h):
        """Presses K and waits for the question naming the connection."""
        p.keys('K')
        want = 'Close tcp ESTABLISHED %s:%d -> %s:%d held by %d/%s? y/N' % (
            ADDR, C['lport'], ADDR, L['lport'], h.pid, h.name)
        lines = p.wait(lambda ls: ls[-1].startswith('Close ') and ls, 'the y/N question after K')
        self.assertEqual(lines[-1].rstrip(), want, p.dump(lines))

    # 1
    def test_K_then_y_closes_the_selected_connection_for_both_ends(self):
        srv, cli = self.holder('ksrv'), self.holder('kcli')
        L, C, A = self.pair(srv, cli)
        p = self.start('laddr:%s' % ADDR, 'lport:%d' % C['lport'])
        lines = self.only_row(p, C, 'the client end as the one row')
        row = conn_rows(lines)[0]
        style = p.cells()[row.line][0][1]
        self.assertTrue(style.bg == CYAN_BG or 'reverse' in style.attrs,
                        'the first row is not drawn selected: %r\n%s' % (style, p.dump(lines)))

        self.ask_close(p, C, L, cli)
        p.keys('y')
        closed = '%s:%d -> %s:%d' % (ADDR, C['lport'], ADDR, L['lport'])
        # Waited for whole: a capture may catch the footer half redrawn.
        lines = p.wait(lambda ls: ls[-1].startswith('F1') and (
            ls[-1].rstrip().endswith('closed ' + closed) or any(r in ls[-1] for r in REFUSED))
            and ls, 'the footer saying closed %s (or why not) after y' % closed)
        if any(r in lines[-1] for r in REFUSED):
            self.skipTest('the kernel refused: ' + lines[-1].split('F10Quit')[-1].strip())
        self.assertTrue(lines[-1].rstrip().endswith('closed ' + closed),
                        'the footer does not say closed %s\n%s' % (closed, p.dump(lines)))

        mine = cli.call('recv', id=C['id'], timeout=5)
        peer = srv.call('recv', id=A['id'], timeout=5)
        self.assertEqual(mine, {'errno': 'ECONNABORTED'},
                         'the holder of the closed end saw %s, not ECONNABORTED' % mine)
        self.assertIn(peer, ({'errno': 'ECONNRESET'}, {'nbytes': 0, 'eof': True}),
                      'the far end did not see the connection closed: %s' % peer)
        self.rows_where(p, lambda rs, ls: not rs, 'the closed row gone after the linger time (3s)',
                        timeout=8)

    # 2
    def test_K_then_n_or_esc_cancels_and_the_connection_still_works(self):
        srv, cli = self.holder('csrv'), self.holder('ccli')
        L, C, A = self.pair(srv, cli)
        p = self.start('laddr:%s' % ADDR, 'lport:%d' % C['lport'])
        self.only_row(p, C, 'the client end as the one row')
        for key in ('n', 'Escape'):
            with self.subTest(key=key):
                self.ask_close(p, C, L, cli)
                p.keys(key)
                lines = p.wait(lambda ls: ls[-1].startswith('F1') and ls,
                               'the footer back after %s' % key)
                self.assertNotIn('closed', lines[-1], p.dump(lines))
                self.assert_works(cli, C, srv, A, 'K then %s' % key)
                self.only_row(p, C, 'the connection still shown after K then %s' % key)

    # 3
    def test_read_only_K_asks_nothing_and_help_has_no_K(self):
        srv, cli = self.holder('rsrv'), self.holder('rcli')
        L, C, A = self.pair(srv, cli)
        p = self.start('--read-only', 'laddr:%s' % ADDR, 'lport:%d' % C['lport'])
        self.only_row(p, C, 'the client end as the one row')
        p.keys('K')
        p.hold(lambda ls: ls[-1].startswith('F1') and 'Close' not in ls[-1],
               'K asked a question with --read-only', 1.5)
        p.keys('y')
        time.sleep(0.5)
        self.assert_works(cli, C, srv, A, 'K then y with --read-only')
        self.only_row(p, C, 'the connection still shown')

        p.keys('?')
        lines = p.wait_text('Keys', 'the help screen')
        self.assertFalse([l for l in lines if re.match(r'\s+K\s', l) or 'ss -K' in l],
                         'the help lists K with --read-only\n' + p.dump(lines))

    def test_help_lists_K_without_read_only(self):
        p = self.start()
        p.keys('?')
        # Wait for the line itself: the help may be caught half drawn.
        p.wait(lambda ls: [l for l in ls if re.match(r'\s+K\s+close', l)], 'the help line for K')

    # 4
    def names_holder(self):
        """A connection on 127.0.0.1 (named localhost in /etc/hosts) and a
        listener on ADDR (named nowhere); returns (holder, C, A, M)."""
        h = self.holder('name')
        L, C, A = self.pair(h, h, host='127.0.0.1')
        M = h.call('tcp_listen', host=ADDR)
        return h, C, A, M

    def test_n_shows_localhost_keeps_unnamed_addresses_and_n_again_numbers(self):
        h, C, A, M = self.names_holder()
        p = self.start('proc:' + h.name)
        self.rows_where(p, lambda rs, ls: len(rs) == 4, 'the holder\'s four sockets')
        p.keys('n')
        # Keys are answered while lookups are pending (ADDR's may wait on DNS).
        for state in (True, False):
            t0 = time.monotonic()
            p.keys('p')
            p.wait(lambda ls: ('PAUSED' in ls[0]) == state and ls,
                   'p answered while names are being looked up', timeout=1.5)
            self.assertLess(time.monotonic() - t0, 1.5)

        def named(rs, ls):
            client = [r for r in rs if r.local == 'localhost:%d' % C['lport']]
            return client and client[0].remote == 'localhost:%d' % A['lport']
        rows, lines = self.rows_where(p, named, 'localhost for 127.0.0.1 after n', timeout=5)
        self.assertFalse([r for r in rows if '127.0.0.1' in r.local + r.remote],
                         'some 127.0.0.1 still shown as a number\n' + p.dump(lines))
        lines = p.hold(lambda ls: [r for r in conn_rows(ls) if r.lport == M['lport']
                                   and r.local == '%s:%d' % (ADDR, M['lport'])],
                       'the address without a name is not shown as itself', 1.0)

        p.keys('n')
        rows, lines = self.rows_where(
            p, lambda rs, ls: len(rs) == 4 and not any('localhost' in l for l in ls),
            'numbers again after the second n')
        self.assertIn('127.0.0.1:%d' % C['lport'], [r.local for r in rows], p.dump(lines))

    def test_resolve_option_starts_with_host_names(self):
        h, C, A, M = self.names_holder()
        p = self.start('-N', 'proc:' + h.name)
        self.rows_where(p, lambda rs, ls: any(r.local == 'localhost:%d' % C['lport'] for r in rs),
                        'localhost for 127.0.0.1 with -N and no key pressed', timeout=6)

    # 5
    def test_N_shows_a_port_by_its_service_name_in_its_class_colour(self):
        names = service_names()
        h = self.holder('svc')
        ports = [8080] + sorted(p for p in names if 1024 <= p <= 49151 and p != 8080)
        S_ = None
        for port in ports[:50]:
            if port not in names:
                continue
            try:
                S_ = h.call('tcp_listen', host=ADDR, port=port)
                break
            except AssertionError:   # the port is taken on loopback
                continue
        if S_ is None:
            self.skipTest('no port from /etc/services is free on %s' % ADDR)
        port, name = S_['lport'], names[S_['lport']]
        other = h.call('tcp_listen', host=ADDR)
        p = self.start('--linger=0', 'proc:' + h.name)
        number = '%s:%d' % (ADDR, port)
        self.rows_where(p, lambda rs, ls: len(rs) == 2, 'the two listeners')
        self.move_off(p, port)
        before = self.text_style(p, number, len(ADDR) + 1)
        self.assertTrue(before.coloured(), 'port %d has no class colour: %r' % (port, before))

        p.keys('N')
        self.rows_where(p, lambda rs, ls: any(r.local == '%s:%s' % (ADDR, name) for r in rs),
                        '%s for port %d after N' % (name, port))
        after = self.text_style(p, '%s:%s' % (ADDR, name), len(ADDR) + 1)
        self.assertEqual(after, before, '%s is not drawn in port %d\'s class colour' % (name, port))

        p.keys('N')
        self.rows_where(p, lambda rs, ls: any(r.local == number for r in rs)
                        and not any(name in l for l in ls), 'the number again after N')
        self.assertIn(other['lport'], [r.lport for r in conn_rows(p.lines())])

    def move_off(self, p, port):
        """Moves the selection off port's row, so its colours are its own."""
        for _ in range(3):
            cells = p.cells()
            lines = [T.styled_text(c) for c in cells]
            row = next(r for r in conn_rows(lines) if r.lport == port)
            if cells[row.line][0][1].bg != CYAN_BG:
                return
            p.keys('Down' if row.line == conn_rows(lines)[0].line else 'Up')
            time.sleep(0.3)
        self.fail('cannot move the selection off port %d\'s row\n%s' % (port, p.dump()))

    def text_style(self, p, text, offset):
        """The style of the cell offset characters into text on the screen."""
        for _ in range(40):
            for cells in p.cells():
                line = T.styled_text(cells)
                at = line.find(text)
                if at >= 0:
                    return cells[at + offset][1]
            time.sleep(0.1)
        self.fail('%r is not on the screen\n%s' % (text, p.dump()))

    # 6
    def test_tx_and_rx_rates_show_the_pace_per_connection_and_per_process(self):
        tx, rx = self.holder('tx'), self.holder('rx')
        L, C, A = self.pair(rx, tx)
        U = rx.call('udp_bind', host=ADDR)[0]
        V = tx.call('udp_connect', host=ADDR, port=U['lport'], bind=ADDR)
        rx.call('drain', id=A['id'])
        tx.call('send_paced', id=C['id'], rate=PACE, seconds=30)
        for _ in range(5):
            tx.call('send', id=V['id'], nbytes=1000)
        p = self.start('addr:%s' % ADDR, 'port:%d,%d' % (L['lport'], U['lport']), interval='0.5')

        def cells(rs, lport, rport):
            r = next((r for r in rs if (r.lport, r.rport) == (lport, rport)), None)
            return (r.cell('TX/s'), r.cell('RX/s')) if r else None

        def paced(rs, ls):
            sent, got = cells(rs, C['lport'], L['lport']), cells(rs, L['lport'], C['lport'])
            return sent and got and in_range(sent[0]) and in_range(got[1])
        rows, lines = self.rows_where(
            p, paced, 'TX/s on the sender\'s row and RX/s on the receiver\'s near 200K', timeout=10)

        for lport, rport in ((U['lport'], None), (V['lport'], U['lport'])):
            self.assertEqual(cells(rows, lport, rport), ('', ''),
                             'a UDP socket\'s rate cells are not blank\n' + p.dump(lines))

        p.wait(lambda ls: in_range((proc_cells(ls, tx.pid, ['TX/s']) or [''])[0])
               and in_range((proc_cells(ls, rx.pid, ['RX/s']) or [''])[0]) and ls,
               'the sender\'s TX/s and the receiver\'s RX/s near 200K in Processes', timeout=10)


def main():
    global LOCALE, TERM
    S.sockeye_path()
    LOCALE = T.utf8_locale() or 'C'
    TERM = T.best_term()
    T.run_tests(sys.modules[__name__], 'sockeye-e2e', S.main, needed=True)


if __name__ == '__main__':
    main()
