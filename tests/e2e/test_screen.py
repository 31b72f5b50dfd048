"""test_screen.py: the full-screen monitor, driven in a detached tmux pane
like a person at a terminal: keys in, screen out. Real loopback sockets are
held by child processes with distinctive command names, so every row the
test looks for has a known port and owner.

Each test starts its own `sockeye -i 0.3` at a fixed size in a private tmux
server (killed at the end, pass or fail). Exit codes: 0 pass, 1 fail, 77 skip
(no tmux, or no SOCKEYE binary)."""
import os
import re
import signal
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

INTERVAL = '0.3'
PROTOS = ('tcp', 'tcp6', 'udp', 'udp6')
SORT_MARKS = ('\u25b2', '^')     # ascending: with UTF-8, without
SORT_MARKS_DESC = ('\u25bc', 'v')
GREEN, RED = (2, 10), (1, 9)    # the default theme's new and gone, basic or bright
CYAN = (6, 14)                  # its former owners

# This run's own loopback address: other programs' sockets (other tests
# running at the same time) may share a port number, never this address.
ADDR = '127.%d.%d.%d' % (100 + os.getpid() % 150, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)

SERVER = None   # the private tmux server, made in main()
LOCALE = None
TERM = None

# The default columns, pinned: NETNS and SERVICE come and go with what
# else runs on the machine (other tests make namespaces and units at the
# same time), and a column appearing mid-test moves every other one.
# Those two have tests of their own (test_netns_screen, test_service).
PINNED_COLUMNS = 'proto,state,local,remote,process,user,recvq,sendq,rtt,txrate,rxrate,age'
CONFIG = None   # a config file holding them, made in main()


# ------------------------------------------------------------ reading rows

class Row:
    """One Connections row as the screen shows it."""

    def __init__(self, line, parts):
        self.line = line
        self.proto, self.state, self.local, self.remote, self.proc = parts[:5]
        self.lport, self.rport = port_of(self.local), port_of(self.remote)

    def has_port(self, port):
        return port in (self.lport, self.rport)

    def mine(self):
        return ADDR in (self.local.rpartition(':')[0], self.remote.rpartition(':')[0])

    def __repr__(self):
        return '%s %s %s %s %s' % (self.proto, self.state, self.local, self.remote, self.proc)


def port_of(endpoint):
    port = endpoint.rpartition(':')[2]
    return int(port) if port.isdigit() else None


def pane_title_line(lines, name):
    """The index of the line carrying pane name's title, or None."""
    for i, l in enumerate(lines):
        if l.startswith(' ' + name + ' ') or (' ' + name + '  ') in l:
            return i
    return None


def conn_rows(lines):
    """The Connections pane's rows, top to bottom ([] when not shown)."""
    top = next((i for i, l in enumerate(lines) if l.startswith(' Connections')), None)
    if top is None:
        return []
    rows = []
    # NETNS shows while another namespace has sockets (other tests may be
    # making namespaces meanwhile); rows are read without it.
    netns = top + 1 < len(lines) and 'NETNS' in lines[top + 1].split()
    for i in range(top + 2, len(lines) - 1):
        if lines[i].startswith((' Processes', ' Events')):
            break
        parts = lines[i].split()
        if netns and len(parts) >= 3:
            del parts[2]
        if len(parts) >= 5 and parts[0] in PROTOS:
            rows.append(Row(i, parts))
    return rows


def mine(rows):
    """The rows of sockets this test opened (on ADDR)."""
    return [r for r in rows if r.mine()]


def counts(lines):
    """(total, shown) from the header's "N sockets, M shown"."""
    m = re.search(r'(\d+) sockets, (\d+) shown', lines[1])
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def filter_line(lines):
    return lines[2]


def comm_name(tag):
    """A distinctive command name (at most 15 bytes, the kernel's limit)."""
    return ('se2e%d%s' % (os.getpid() % 100000, tag))[:15]


def cmdline_of(pid):
    with open('/proc/%d/cmdline' % pid, 'rb') as f:
        return [a.decode('utf-8', 'replace') for a in f.read().split(b'\0') if a]


# ------------------------------------------------------------------ tests

class Screen(unittest.TestCase):

    def setUp(self):
        self.holders, self.panes = [], []

    def tearDown(self):
        # Close everything even when one close fails, then report that.
        failures = []
        for p in self.panes:
            try:
                p.close()
            except AssertionError as e:
                failures.append(str(e))
        for h in self.holders:
            h.close()
        if failures:
            self.fail('; '.join(failures))

    def holder(self, tag):
        h = S.Holder(comm_name(tag))
        self.holders.append(h)
        return h

    def env(self, **extra):
        env = {'TERM': TERM, 'LANG': LOCALE, 'LC_ALL': LOCALE, 'NO_COLOR': None}
        env.update(extra)
        return env

    def start(self, *args, width=160, height=48, env=None, wait=True):
        """sockeye -i 0.3 ARGS in a new pane, waited for until it has drawn
        its header and at least its first poll."""
        p = SERVER.pane([S.sockeye_path(), '-i', INTERVAL, '--config=' + CONFIG,
                         '--no-all-netns'] + list(args), width, height, env or self.env())
        self.panes.append(p)
        if wait:
            p.wait(lambda ls: ls[0].startswith('sockeye') and counts(ls)[0] is not None and ls,
                   'the header after start')
        return p

    def shell(self, script, *args, width=120, height=30):
        """sh -c SCRIPT ARGS in a new pane (for what happens after sockeye)."""
        p = SERVER.pane(['sh', '-c', script] + list(args), width, height, self.env())
        self.panes.append(p)
        return p

    def rows_where(self, p, pred, what, timeout=8.0):
        """Waits until pred(rows, lines) holds; returns (rows, lines)."""
        return p.wait(lambda ls: pred(conn_rows(ls), ls) and (conn_rows(ls), ls), what, timeout)

    def set_filter(self, p, text):
        """Types a filter at the / prompt, from an empty line, and applies it."""
        p.keys('/')
        p.wait(lambda ls: ls[-1].startswith('Filter:') and ls, 'the filter prompt')
        p.keys('C-u')
        p.type(text)
        p.keys('Enter')
        p.wait(lambda ls: ('Filter: ' + text) in ls[2] and not ls[-1].startswith('Filter:')
               and ls, 'the filter %r in force in the header' % text)

    # 1
    def test_start_shows_header_three_panes_and_footer_keys(self):
        p = self.start()
        lines = p.wait(lambda ls: all(pane_title_line(ls, n) is not None
                                      for n in ('Connections', 'Processes', 'Events')) and ls,
                       'the three pane titles at 160x48')
        self.assertTrue(lines[0].startswith('sockeye '), p.dump(lines))
        self.assertIn('every 0.3s', lines[0], p.dump(lines))
        self.assertIn('Filter: none', lines[2], p.dump(lines))
        footer = lines[-1]
        for key in ('F1Help', 'F3Filter', 'F6Sort', 'Enter', 'F10Quit'):
            self.assertIn(key, footer, 'footer lacks %s\n%s' % (key, p.dump(lines)))

    # 2
    def test_filter_by_port_typed_at_the_prompt_keeps_only_that_port(self):
        # The name contains "state", so the prefixes of "state:bogus" that do
        # parse (proc:s ... proc:state) still match exactly this holder: only
        # the bad filter itself could change the rows.
        h = self.holder('state')
        A = h.call('tcp_listen', host=ADDR)
        B = h.call('tcp_listen', host=ADDR)
        h.call('tcp_connect', host=ADDR, port=A['lport'])
        h.call('tcp_accept', id=A['id'])
        pa = A['lport']
        p = self.start()
        self.set_filter(p, 'port:%d' % pa)
        rows, lines = self.rows_where(
            p, lambda rs, ls: rs and all(r.has_port(pa) for r in rs) and len(mine(rs)) == 3,
            'only sockets on port %d, our three among them' % pa)
        self.assertFalse(any(r.has_port(B['lport']) for r in rows), p.dump(lines))
        self.assertEqual(counts(lines)[1], len(rows), p.dump(lines))
        before = [repr(r) for r in mine(rows)]

        p.keys('/')
        p.wait(lambda ls: ls[-1].startswith('Filter: port:%d' % pa) and ls,
               'the prompt starting from the filter in force')
        p.keys('End')
        p.type(' state:bogus')
        lines = p.wait(lambda ls: 'bogus' in ls[-1].partition('state:bogus')[2] and ls,
                       'an error naming bogus on the prompt line')
        self.assertEqual([repr(r) for r in mine(conn_rows(lines))], before,
                         'a bad filter changed the rows\n' + p.dump(lines))
        p.keys('Enter')   # a bad filter is not applied: the prompt stays
        time.sleep(0.4)
        lines = p.lines()
        self.assertTrue(lines[-1].startswith('Filter:'), 'Enter left the prompt with a bad filter\n'
                        + p.dump(lines))
        self.assertEqual([repr(r) for r in mine(conn_rows(lines))], before, p.dump(lines))
        p.keys('Escape')
        lines = p.wait(lambda ls: 'F10' in ls[-1] and ls, 'the footer back after Esc')
        self.assertIn('Filter: port:%d' % pa, lines[2], p.dump(lines))
        self.assertNotIn('bogus', lines[2], p.dump(lines))
        self.assertEqual([repr(r) for r in mine(conn_rows(lines))], before, p.dump(lines))

    # 3
    def test_l_shows_only_listening_L_hides_them_c_clears(self):
        h = self.holder('lis')
        L = h.call('tcp_listen', host=ADDR)
        h.call('tcp_connect', host=ADDR, port=L['lport'])
        h.call('tcp_accept', id=L['id'])
        p = self.start()
        self.set_filter(p, 'proc:' + h.name)
        self.rows_where(p, lambda rs, ls: len(rs) == 3, 'the holder\'s three sockets')

        p.keys('l')
        rows, lines = self.rows_where(p, lambda rs, ls: 'state:listen' in ls[2] and len(rs) == 1,
                                      'only the listener after l')
        self.assertEqual((rows[0].state, rows[0].lport), ('LISTEN', L['lport']), p.dump(lines))

        p.keys('L')
        rows, lines = self.rows_where(p, lambda rs, ls: '!state:listen' in ls[2] and len(rs) == 2,
                                      'the two connected sockets after L')
        self.assertEqual([r.state for r in rows], ['ESTABLISHED', 'ESTABLISHED'], p.dump(lines))
        self.assertTrue(all(r.has_port(L['lport']) for r in rows), p.dump(lines))

        p.keys('c')
        lines = p.wait(lambda ls: 'Filter: none' in ls[2] and ls, 'no filter after c')
        total, shown = counts(lines)
        self.assertEqual(total, shown, 'c left sockets hidden\n' + p.dump(lines))

    # 4
    def test_a_listener_row_shows_its_owner_pid_and_command_name(self):
        h = self.holder('own')
        L = h.call('tcp_listen', host=ADDR)
        p = self.start('addr:%s' % ADDR, 'port:%d' % L['lport'])
        rows, lines = self.rows_where(p, lambda rs, ls: len(mine(rs)) == 1, 'the listener\'s row')
        rows = mine(rows)
        self.assertEqual(rows[0].proc, '%d/%s' % (h.pid, h.name), p.dump(lines))
        self.assertEqual(rows[0].state, 'LISTEN', p.dump(lines))

    # 5
    def test_a_new_connection_is_highlighted_and_a_closed_one_lingers(self):
        h = self.holder('hl')
        L = h.call('tcp_listen', host=ADDR)
        p = self.start('--linger=2', 'addr:%s' % ADDR, 'port:%d' % L['lport'])
        self.rows_where(p, lambda rs, ls: len(mine(rs)) == 1, 'the listener alone')
        C = h.call('tcp_connect', host=ADDR, port=L['lport'])[0]
        A = h.call('tcp_accept', id=L['id'])[0]

        def client_row(rs):
            return next((r for r in rs if r.mine() and r.lport == C['lport']
                         and r.state == 'ESTABLISHED'), None)
        self.rows_where(p, lambda rs, ls: client_row(rs), 'the new connection')
        new_style, line = self.row_style(p, lambda rs: client_row(rs))
        self.assertIn(new_style.fg, GREEN, 'a new row is not in the theme\'s new colour (green): %r\n%s'
                      % (new_style, line))
        self.assertIn('bold', new_style.attrs, line)
        # After the linger time the same row is drawn plain.
        deadline = time.monotonic() + 2 + 3
        while True:
            plain, line = self.row_style(p, lambda rs: client_row(rs))
            if plain != new_style or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertNotEqual(plain, new_style, 'the new row kept its highlight past --linger=2\n' + line)
        self.assertIsNone(plain.fg, 'the row did not return to normal: %r\n%s' % (plain, line))

        # The end that closes second is gone at once (the first goes on in
        # TIME_WAIT): its row stays, in gone colour, for about the linger time.
        def server_row(rs):
            return next((r for r in rs if r.mine() and r.lport == L['lport']
                         and r.rport == C['lport']), None)
        h.call('close', id=C['id'])
        h.call('close', id=A['id'])
        closed = time.monotonic()
        gone_at = None
        while time.monotonic() < closed + 8:
            st, line = self.row_style(p, lambda rs: server_row(rs))
            if st is None:
                break
            if st.fg in RED:
                gone_at = gone_at or time.monotonic()
            time.sleep(0.05)
        left = time.monotonic()
        self.assertIsNotNone(gone_at, 'the closed connection was never drawn in gone colour (red)\n'
                             + p.dump())
        self.assertLess(left - closed, 8, 'the closed connection never left the screen\n' + p.dump())
        self.assertGreater(left - gone_at, 1.4, 'the closed connection left after %.1fs, not ~2s'
                           % (left - gone_at))
        self.assertLess(left - gone_at, 3.5, 'the closed connection stayed %.1fs, not ~2s'
                        % (left - gone_at))

    def test_a_closing_connection_changes_state_keeps_its_former_owner_and_counts_in_tw(self):
        srv, cli = self.holder('tws'), self.holder('twc')
        L = srv.call('tcp_listen', host=ADDR)
        p = self.start('--linger=1', 'addr:%s' % ADDR, 'port:%d' % L['lport'])
        self.rows_where(p, lambda rs, ls: len(mine(rs)) == 1, 'the listener alone')
        C = cli.call('tcp_connect', host=ADDR, port=L['lport'], bind=ADDR)[0]
        A = srv.call('tcp_accept', id=L['id'])[0]
        held = '%d/%s' % (cli.pid, cli.name)

        def client_rows(rs):
            return [r for r in rs if r.mine() and r.lport == C['lport'] and r.rport == L['lport']]
        self.rows_where(p, lambda rs, ls: [r.proc for r in client_rows(rs)] == [held],
                        'the client end, held by its process')
        # Closing it: one row changes state, never a red row and a green one.
        cli.call('close', id=C['id'])
        seen = set()
        for want, closer in (('FIN_WAIT2', A['id']), ('TIME_WAIT', None)):
            end = time.monotonic() + 8
            while time.monotonic() < end:
                cells = p.cells()
                lines = [T.styled_text(c) for c in cells]
                rows = client_rows(conn_rows(lines))
                self.assertLessEqual(len(rows), 1, 'the closing end shows twice\n' + '\n'.join(lines))
                for r in rows:
                    self.assertNotIn(cells[r.line][0][1].fg, RED,
                                     'the closing end was drawn as gone\n' + lines[r.line])
                    seen.add((r.state, r.proc))
                if (want, '(%s)' % held) in seen:
                    break
                time.sleep(0.05)
            self.assertIn((want, '(%s)' % held), seen, 'no %s row naming its former owner: %r\n%s'
                          % (want, seen, p.dump()))
            if closer:
                srv.call('close', id=closer)
        # Once its highlight ran out, the former owner is in the theme's
        # former style (cyan in the default theme).
        def former_fg():
            cells = p.cells()
            lines = [T.styled_text(c) for c in cells]
            rows = client_rows(conn_rows(lines))
            if not rows or '(' + held not in lines[rows[0].line]:
                return None
            return cells[rows[0].line][lines[rows[0].line].index('(' + held)][1].fg
        p.wait(lambda ls: former_fg() in CYAN, 'the former owner drawn in cyan')
        # Its process's TW counts it; the server's listener is no TIME_WAIT of its own.
        p.keys('Tab')

        def tw_of(ls, pid):
            top = pane_title_line(ls, 'Processes')
            if top is None or 'TW' not in ls[top + 1].split():
                return None
            col = ls[top + 1].split().index('TW')
            row = next((l.split() for l in ls[top + 2:] if l.split()[:1] == [str(pid)]), None)
            return row[col] if row and len(row) > col else None
        lines = p.wait(lambda ls: tw_of(ls, cli.pid) == '1' and ls,
                       'TW 1 for the client process in Processes')
        self.assertEqual(tw_of(lines, srv.pid), '0', p.dump(lines))

    def row_style(self, p, pick):
        """The style of the first cell of the row pick(rows) chooses, and the
        row's text; (None, screen) when there is no such row."""
        cells = p.cells()
        lines = [T.styled_text(c) for c in cells]
        row = pick(conn_rows(lines))
        if row is None or not cells[row.line]:
            return None, '\n'.join(lines)
        return cells[row.line][0][1], lines[row.line]

    # 6
    def test_s_sorts_by_local_port_ascending_and_S_reverses(self):
        h = self.holder('sort')
        ports = [h.call('tcp_listen', host=ADDR)['lport'] for _ in range(4)]
        p = self.start('proc:' + h.name)
        self.rows_where(p, lambda rs, ls: len(rs) == 4, 'the holder\'s four listeners')
        title = self.press_s_until(p, 'LOCAL')
        self.assertTrue(any('LOCAL' + m in title for m in SORT_MARKS),
                        's never marked LOCAL as the sort column:\n' + title)
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 4, 'four rows')
        self.assertEqual([r.lport for r in rows], sorted(ports), p.dump(lines))

        p.keys('S')
        rows, lines = self.rows_where(
            p, lambda rs, ls: any('LOCAL' + m in ls[pane_title_line(ls, 'Connections') + 1]
                                  for m in SORT_MARKS_DESC) and len(rs) == 4,
            'LOCAL marked descending after S')
        self.assertEqual([r.lport for r in rows], sorted(ports, reverse=True), p.dump(lines))

    def sort_title(self, p):
        lines = p.lines()
        return lines[pane_title_line(lines, 'Connections') + 1]

    def press_s_until(self, p, column, presses=12):
        """Presses s until column's title carries the ascending mark;
        returns the title row."""
        title = self.sort_title(p)
        for _ in range(presses):
            if any(column + m in title for m in SORT_MARKS):
                break
            p.keys('s')
            end = time.monotonic() + 1.0
            old = title
            while title == old and time.monotonic() < end:
                time.sleep(0.05)
                title = self.sort_title(p)
        return title

    def test_every_connections_sort_column_shows_its_mark(self):
        p = self.start()
        p.wait(lambda ls: pane_title_line(ls, 'Connections') is not None and ls, 'Connections')
        columns = self.sort_title(p).split()
        # Once round every column and back to the first: each press of s
        # must show which column the rows are now sorted by.
        marked = []
        title = self.sort_title(p)
        for _ in range(len(columns) + 2):
            # Each press changes the title row; wait for that rather than a
            # fixed time, as a poll of a busy machine may delay the answer.
            old = title
            p.keys('s')
            end = time.monotonic() + 3.0
            while title == old and time.monotonic() < end:
                time.sleep(0.05)
                title = self.sort_title(p)
            marks = [w for w in title.split() if w.endswith(SORT_MARKS)]
            marked.append(marks[0] if marks else None)
            self.assertLessEqual(len(marks), 1, 'two sort marks: ' + title)
        # Other tests may make a namespace or a service meanwhile: NETNS or
        # SERVICE then joins the row and a narrow column gives way.
        last = [w.rstrip(''.join(SORT_MARKS)) for w in self.sort_title(p).split()]
        unmarked = [c for c in columns if c in last and not any(c + m in marked for m in SORT_MARKS)]
        self.assertEqual((unmarked, marked.count(None)), ([], 0),
                         'pressing s %d times never marks %s as the sort column, and %d presses '
                         'left no column marked (the mark after each press: %s)'
                         % (len(marked), unmarked, marked.count(None), marked))

    # 7
    def test_tab_moves_the_focus_between_panes(self):
        p = self.start()
        names = ('Connections', 'Processes', 'Events')
        p.wait(lambda ls: all(pane_title_line(ls, n) is not None for n in names) and ls,
               'three panes')

        def styles():
            cells = p.cells()
            lines = [T.styled_text(c) for c in cells]
            out = {}
            for n in names:
                y = pane_title_line(lines, n)
                x = lines[y].find(' ' + n)
                out[n] = cells[y][x + 1][1]
            return out

        first = styles()
        focused, unfocused = first['Connections'], first['Processes']
        self.assertNotEqual(focused, unfocused, 'the focused pane\'s title looks like the others')
        self.assertEqual(first['Events'], unfocused)
        for key, want in (('Tab', 'Processes'), ('Tab', 'Events'), ('BTab', 'Processes')):
            p.keys(key)
            end = time.monotonic() + 5
            while styles()[want] != focused and time.monotonic() < end:
                time.sleep(0.05)
            now = styles()
            self.assertEqual(now[want], focused, 'after %s, %s is not focused\n%s' % (key, want, p.dump()))
            for other in names:
                if other != want:
                    self.assertEqual(now[other], unfocused, 'after %s, %s still looks focused'
                                     % (key, other))

        # Too small for three panes: only the focused one shows.
        p.resize(100, 30)
        only = lambda n: lambda ls: (pane_title_line(ls, n) is not None and sum(
            pane_title_line(ls, o) is not None for o in names) == 1 and ls)
        p.wait(only('Processes'), 'only Processes at 100x30')
        p.keys('Tab')
        p.wait(only('Events'), 'only Events after Tab')
        p.keys('Tab')
        p.wait(lambda ls: pane_title_line(ls, 'Trends') is not None and all(
            pane_title_line(ls, o) is None for o in names) and ls, 'only Trends after Tab')
        p.keys('Tab')
        p.wait(only('Connections'), 'only Connections after another Tab')

    # 8
    def test_enter_shows_the_details_of_the_selected_socket(self):
        h = self.holder('det')
        L = h.call('tcp_listen', host=ADDR)
        p = self.start()
        self.set_filter(p, 'laddr:%s lport:%d state:listen' % (ADDR, L['lport']))
        self.rows_where(p, lambda rs, ls: len(rs) == 1 and rs[0].mine(), 'the listener, first and only row')
        p.keys('Enter')
        # Wait for the whole view, not its first line: tmux may show a frame
        # while it is still being written.
        # (" Processes", the pane below, is not the owner's line.)
        lines = p.wait(lambda ls: any(l.startswith(' Details') for l in ls)
                       and re.search(r'Process\s+%d ' % h.pid, '\n'.join(ls)) and ls,
                       'the details view')
        text = '\n'.join(lines)
        self.assertRegex(text, r'Local\s+%s:%d\b' % (re.escape(ADDR), L['lport']), p.dump(lines))
        self.assertRegex(text, r'Process\s+%d %s' % (h.pid, h.name), p.dump(lines))
        self.assertIn(' '.join(cmdline_of(h.pid)), text,
                      'the owner\'s full command line is missing\n' + p.dump(lines))
        p.keys('Escape')
        p.wait(lambda ls: pane_title_line(ls, 'Connections') is not None
               and not any(l.startswith(' Details') for l in ls) and ls, 'the list back after Esc')

    def test_a_process_named_with_escape_sequences_is_shown_escaped(self):
        # A colour change and an OSC title change in the command name: on the
        # screen they must read as text, never reach the terminal.
        evil = '\x1b[31m\x1b]0;pw\x07'
        h = self.holder('esc')
        h.call('hello', name=evil)
        L = h.call('tcp_listen', host=ADDR)
        p = self.start()
        self.set_filter(p, 'laddr:%s lport:%d state:listen' % (ADDR, L['lport']))
        self.rows_where(p, lambda rs, ls: len(rs) == 1 and rs[0].mine(), 'the listener')
        p.keys('Enter')
        shown = '\\x1b[31m\\x1b]0;pw\\x07'
        lines = p.wait(lambda ls: any(shown in l for l in ls) and ls,
                       'the escaped name in the details view')
        # Had the OSC reached the terminal, tmux would have taken "pw" as the
        # pane's title; had the SGR, the name would be drawn red.
        self.assertNotEqual(p.display('#{pane_title}'), 'pw',
                            'an OSC title sequence from a process name reached the terminal')
        self.assertIn('%d %s' % (h.pid, shown), '\n'.join(lines), p.dump(lines))

    # 9
    def test_enter_on_a_process_narrows_connections_to_it_and_esc_widens(self):
        a, b = self.holder('pa'), self.holder('pb')
        La = a.call('tcp_listen', host=ADDR)
        Lb = b.call('tcp_listen', host=ADDR)
        a.call('tcp_connect', host=ADDR, port=Lb['lport'])
        b.call('tcp_accept', id=Lb['id'])
        p = self.start()
        self.set_filter(p, 'proc:' + a.name)
        p.keys('Tab')
        p.wait(lambda ls: any(l.lstrip().startswith('%d ' % a.pid) for l in ls) and ls,
               'the holder in Processes')
        p.keys('Enter')
        lines = p.wait(lambda ls: ('Process: %d' % a.pid) in ls[2] and ls,
                       'the header saying Process: %d' % a.pid)
        # Widen the filter to both holders: the narrowing still keeps a's only.
        common = os.path.commonprefix([a.name, b.name])
        self.set_filter(p, 'proc:' + common)
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 2,
                                      'a\'s two sockets only, while narrowed')
        self.assertIn('Process: %d' % a.pid, lines[2], p.dump(lines))
        self.assertEqual({r.proc for r in rows}, {'%d/%s' % (a.pid, a.name)}, p.dump(lines))
        self.assertTrue({r.lport for r in rows} | {r.rport for r in rows} >= {La['lport'], Lb['lport']},
                        p.dump(lines))
        p.keys('Escape')
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 4 and 'Process:' not in ls[2],
                                      'both holders\' four sockets after Esc')
        self.assertIn('%d/%s' % (b.pid, b.name), {r.proc for r in rows}, p.dump(lines))

    # 10
    def test_resizing_fast_never_crashes_and_ends_clean(self):
        p = self.start()
        for _ in range(3):
            for w, h in ((80, 24), (30, 8), (200, 60), (100, 30), (160, 48)):
                p.resize(w, h)
        sizes = ((160, 48), (80, 24), (30, 8), (200, 60), (100, 30))
        for w, h in sizes:
            p.resize(w, h)
            if (w, h) == (30, 8):
                p.wait(lambda ls: any('needs 40x10' in l for l in ls) and ls,
                       'the too-small message at 30x8')
            else:
                p.wait(lambda ls: ls[0].startswith('sockeye') and 'F10' in ls[-1] and ls,
                       'header and footer at %dx%d' % (w, h))
            self.assertIsNone(p.dead(), 'sockeye died at %dx%d\n%s' % (w, h, p.dump()))
        p.keys('p')   # paused, so nothing moves between the two captures
        lines = p.wait(lambda ls: 'PAUSED' in ls[0] and ls, 'PAUSED')
        self.assertEqual(len(lines), 30)
        self.assertTrue(lines[0].startswith('sockeye'), p.dump(lines))
        self.assertTrue(lines[-1].startswith('F1'), 'the footer is not on the last line\n'
                        + p.dump(lines))
        self.assertEqual(sum(pane_title_line(lines, n) is not None
                             for n in ('Connections', 'Processes', 'Events')), 1, p.dump(lines))
        self.assertTrue(all(len(l.rstrip()) <= 100 for l in lines), p.dump(lines))
        # What a full repaint (Ctrl-L) draws is what was there: no stray text.
        mask = lambda ls: [re.sub(r'\d', '0', l.rstrip()) for l in ls]
        p.keys('C-l')
        time.sleep(0.5)
        again = p.lines()
        self.assertEqual(mask(again), mask(lines),
                         'the screen after resizing differs from a fresh repaint\nbefore:\n%s\n'
                         'after Ctrl-L:\n%s' % (p.dump(lines), p.dump(again)))
        self.assertIsNone(p.dead(), p.dump())

    # 11
    def test_pause_stops_new_sockets_appearing_until_resumed(self):
        h = self.holder('pau')
        first = h.call('tcp_listen', host=ADDR)
        p = self.start('proc:' + h.name)
        self.rows_where(p, lambda rs, ls: len(rs) == 1, 'the first listener')
        p.keys('p')
        p.wait(lambda ls: 'PAUSED' in ls[0] and ls, 'PAUSED in the header')
        second = h.call('tcp_listen', host=ADDR)
        p.hold(lambda ls: not any(r.lport == second['lport'] for r in conn_rows(ls)),
               'a socket opened while paused appeared', 1.5)
        p.keys('p')
        rows, lines = self.rows_where(p, lambda rs, ls: any(r.lport == second['lport'] for r in rs),
                                      'the second listener after resuming', 5)
        self.assertNotIn('PAUSED', lines[0], p.dump(lines))
        self.assertIn(first['lport'], [r.lport for r in rows])

    # 12
    def quit_restores(self, how):
        script = ('tty_modes() { stty -a | tr " ;" "\\n\\n" | grep -x -E -e "-?(icanon|echo)" '
                  '| tr "\\n" " "; }; '
                  'echo "BEFORE $(tty_modes)"; "$0" -i %s; echo "EXITED $?"; '
                  'echo "AFTER $(tty_modes)"; sleep 30' % INTERVAL)
        p = self.shell(script, S.sockeye_path())
        p.wait(lambda ls: ls[0].startswith('sockeye') and pane_title_line(ls, 'Connections')
               is not None and ls, 'sockeye\'s screen in the shell')
        if how == 'q':
            p.keys('q')
        else:
            script_pid = p.program_pid()
            kids = T.children(script_pid) if script_pid else []
            self.assertEqual(len(kids), 1, 'cannot find sockeye under the shell: %s' % kids)
            os.kill(kids[0], how)
        lines = p.wait(lambda ls: any(l.startswith('AFTER') for l in ls) and ls,
                       'the shell running again after sockeye')
        text = '\n'.join(lines)
        self.assertRegex(text, r'(?m)^EXITED 0$', p.dump(lines))
        before = next(l for l in lines if l.startswith('BEFORE')).split()[1:]
        after = next(l for l in lines if l.startswith('AFTER')).split()[1:]
        self.assertEqual(sorted(before), ['echo', 'icanon'], 'the terminal started odd\n' + text)
        self.assertEqual(sorted(after), ['echo', 'icanon'],
                         'the terminal was not restored (stty shows %s)\n%s' % (after, text))
        self.assertFalse(any(l.startswith('sockeye ') for l in lines),
                         'sockeye\'s screen is still shown after it left\n' + p.dump(lines))

    def test_q_quits_and_restores_the_terminal(self):
        self.quit_restores('q')

    def test_sigterm_quits_and_restores_the_terminal(self):
        self.quit_restores(signal.SIGTERM)

    def test_sighup_quits_and_restores_the_terminal(self):
        self.quit_restores(signal.SIGHUP)

    # 13
    def test_it_draws_and_quits_on_xterm_screen_linux_and_vt100(self):
        h = self.holder('term')
        L = h.call('tcp_listen', host=ADDR)
        terms = [t for t in ('xterm', 'screen', 'linux', 'vt100') if T.have_term(t)]
        panes = {t: self.start('laddr:%s' % ADDR, 'port:%d' % L['lport'], env=self.env(TERM=t), wait=False)
                 for t in terms}
        for t, p in panes.items():
            with self.subTest(TERM=t):
                lines = p.wait(lambda ls: ls[0].startswith('sockeye') and len(conn_rows(ls)) == 1
                               and ls, 'the header and the listener with TERM=%s' % t)
                self.assertIsNotNone(pane_title_line(lines, 'Connections'), p.dump(lines))
                if t == 'vt100':
                    cells = p.cells()
                    row = conn_rows([T.styled_text(c) for c in cells])[0]
                    st = cells[row.line][0][1]
                    self.assertIn('reverse', st.attrs,
                                  'with no colours the selected row is not in reverse: %r' % st)
                    self.assertEqual(T.colour_params(p.raw_styled()), [],
                                     'colour codes on a vt100')
                p.keys('q')
                self.assertEqual(p.wait_exit(), 0, 'exit status with TERM=%s' % t)
        if 'vt100' not in terms:
            self.skipTest('no vt100 terminfo here')

    # 14
    def test_no_color_and_NO_COLOR_draw_without_colour_codes(self):
        h = self.holder('mono')
        L = h.call('tcp_listen', host=ADDR)
        h.call('tcp_connect', host=ADDR, port=L['lport'])
        runs = {'--no-color': self.start('--no-color', wait=False),
                'NO_COLOR=1': self.start(env=self.env(NO_COLOR='1'), wait=False)}
        for how, p in runs.items():
            with self.subTest(how):
                p.wait(lambda ls: ls[0].startswith('sockeye') and len(conn_rows(ls)) >= 2 and ls,
                       'the screen with %s' % how)
                raw = p.raw_styled()
                found = T.colour_params(raw)
                self.assertEqual(found, [], 'colour SGR codes with %s: %s\n%s'
                                 % (how, sorted(set(found)), p.dump()))
                self.assertTrue(any('reverse' in c[1].attrs or 'bold' in c[1].attrs
                                    for line in T.parse_styled(raw) for c in line),
                                'no attributes at all with %s: nothing stands out' % how)

    # 15
    def test_help_lists_keys_port_classes_and_filters_and_esc_closes(self):
        p = self.start()
        p.keys('?')
        # Wait for all of it: the help may be caught half drawn.
        wants = ('Keys', 'well-known', 'registered', 'ephemeral', 'Filters', 'port:443')
        p.wait(lambda ls: all(w in '\n'.join(ls) for w in wants) and ls,
               'the help screen with %s' % ', '.join(wants))
        p.keys('Escape')
        p.wait(lambda ls: pane_title_line(ls, 'Connections') is not None
               and not any('Filters' in l for l in ls) and ls, 'the panes back after Esc')


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
