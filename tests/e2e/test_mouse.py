"""test_mouse.py: the mouse, y and F9 on the full screen, driven in tmux at
160x48 like a person: SGR mouse reports typed into the pane (as a terminal
sends them), the clipboard read back from tmux's buffer (set-clipboard on),
and a signal that must end a test process holding a loopback listener.
Exit codes: 0 pass, 1 fail, 77 skip (no tmux, or no SOCKEYE binary)."""
import os
import signal
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import test_screen as TS  # noqa: E402
import tmuxdrive as T  # noqa: E402

ADDR = TS.ADDR


def click(p, x, y):
    """A left click at 0-based cell x, y: press then release, SGR form."""
    p.type('\x1b[<0;%d;%dM\x1b[<0;%d;%dm' % (x + 1, y + 1, x + 1, y + 1))


def wheel_down(p, x, y):
    p.type('\x1b[<65;%d;%dM' % (x + 1, y + 1))


def looks_selected(cells_line):
    return any('reverse' in st.attrs or st.bg is not None for _, st in cells_line[:10])


def process_state(pid):
    with open('/proc/%d/stat' % pid) as f:
        return f.read().rpartition(')')[2].split()[0]


def title_row(lines):
    return TS.pane_title_line(lines, 'Connections') + 1


class Mouse(unittest.TestCase):
    # The screen tests' way of starting sockeye and holding sockets, not their tests.
    setUp, tearDown = TS.Screen.setUp, TS.Screen.tearDown
    holder, env, start = TS.Screen.holder, TS.Screen.env, TS.Screen.start
    rows_where = TS.Screen.rows_where

    def listeners(self, tag, n):
        h = self.holder(tag)
        ports = [h.call('tcp_listen', host=ADDR)['lport'] for _ in range(n)]
        return h, ports

    def test_a_click_on_a_column_title_sorts_by_it_and_again_reverses(self):
        h, ports = self.listeners('msort', 4)
        p = self.start('proc:' + h.name)
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 4, 'the four listeners')
        y = title_row(lines)
        x = lines[y].index('LOCAL') + 1
        click(p, x, y)
        rows, lines = self.rows_where(
            p, lambda rs, ls: any('LOCAL' + m in ls[y] for m in TS.SORT_MARKS) and len(rs) == 4
            and [r.lport for r in rs] == sorted(ports), 'LOCAL sorted ascending after a click')
        click(p, x, y)
        self.rows_where(
            p, lambda rs, ls: any('LOCAL' + m in ls[y] for m in TS.SORT_MARKS_DESC)
            and [r.lport for r in rs] == sorted(ports, reverse=True),
            'LOCAL reversed after a second click')

    def test_a_click_on_a_row_selects_it_and_y_copies_it(self):
        h, ports = self.listeners('mrow', 3)
        SERVER = TS.SERVER
        p = self.start('--sort=local', 'proc:' + h.name)
        SERVER.run('set', '-s', 'set-clipboard', 'on')
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 3, 'the three listeners')
        target = rows[2]
        click(p, 20, target.line)

        selected = looks_selected
        end = time.monotonic() + 8
        while time.monotonic() < end:
            cells = p.cells()
            if selected(cells[target.line]) and not selected(cells[rows[0].line]):
                break
            time.sleep(0.05)
        else:
            self.fail('the clicked row is not the selected one\n' + p.dump())
        SERVER.run('delete-buffer', check=False)
        p.keys('y')
        want = 'tcp %s:%d -> 0.0.0.0:* LISTEN %d/%s' % (ADDR, target.lport, h.pid, h.name)
        p.wait_text('copied: tcp %s:%d' % (ADDR, target.lport), 'the footer naming the copy')
        end = time.monotonic() + 5
        got = ''
        while time.monotonic() < end and got != want:
            got = SERVER.run('show-buffer', check=False)
            time.sleep(0.05)
        self.assertEqual(got, want, 'tmux buffer after y')

    def test_a_click_on_a_footer_label_runs_its_key(self):
        p = self.start()
        lines = p.wait(lambda ls: 'F1Help' in ls[-1] and ls, 'the footer')
        click(p, lines[-1].index('F1Help') + 2, len(lines) - 1)
        p.wait(lambda ls: any(l.startswith(' Help') for l in ls) and ls, 'help after F1 clicked')

    def test_y_in_the_details_copies_the_selected_field(self):
        h, ports = self.listeners('mfld', 1)
        p = self.start('proc:' + h.name)
        self.rows_where(p, lambda rs, ls: len(rs) == 1, 'the listener')
        TS.SERVER.run('set', '-s', 'set-clipboard', 'on')
        p.keys('Enter')
        p.wait(lambda ls: any(l.startswith(' Details') for l in ls) and ls, 'the details')
        p.keys('Down')   # Protocol, State, then Local
        p.keys('Down')
        p.keys('y')
        want = '%s:%d' % (ADDR, ports[0])
        p.wait_text('copied: ' + want, 'the copy of the Local field')
        got = TS.SERVER.run('show-buffer', check=False)
        self.assertTrue(got.startswith(want + '  (port'), got)

    def test_the_wheel_moves_the_selection_three_rows(self):
        h, ports = self.listeners('mwhl', 6)
        p = self.start('--sort=local', 'proc:' + h.name)
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 6, 'the six listeners')
        wheel_down(p, 20, rows[1].line)
        end = time.monotonic() + 8
        while time.monotonic() < end:
            cells = p.cells()
            if looks_selected(cells[rows[3].line]) and not looks_selected(cells[rows[0].line]):
                return
            time.sleep(0.05)
        self.fail('one notch down did not select the fourth row\n' + p.dump())

    def test_a_click_on_a_pane_focuses_it(self):
        p = self.start()
        lines = p.wait(lambda ls: TS.pane_title_line(ls, 'Events') is not None and ls, 'Events')
        y = TS.pane_title_line(lines, 'Events')
        x = lines[y].index(' Events') + 1

        def style_of(name):
            cells = p.cells()
            text = [T.styled_text(c) for c in cells]
            row = TS.pane_title_line(text, name)
            return cells[row][text[row].index(' ' + name) + 1][1]
        focused, events = style_of('Connections'), style_of('Events')
        self.assertNotEqual(focused, events)
        click(p, x, y)
        end = time.monotonic() + 8
        while time.monotonic() < end and style_of('Events') != focused:
            time.sleep(0.05)
        self.assertEqual(style_of('Events'), focused, 'Events not focused after a click\n'
                         + p.dump())
        self.assertNotEqual(style_of('Connections'), focused)

    def test_ctrl_z_gives_the_mouse_back_until_continued(self):
        p = self.start()
        pid = p.program_pid()
        # curses ignores SIGTSTP while it writes a frame, as it does a
        # Ctrl-Z typed then: send it again until the program stops.
        end = time.monotonic() + 5
        while time.monotonic() < end and process_state(pid) != 'T':
            os.kill(pid, signal.SIGTSTP)
            time.sleep(0.2)
        self.assertEqual(process_state(pid), 'T', 'SIGTSTP did not stop it')
        self.assertEqual(p.display('#{mouse_any_flag}'), '0', 'mouse reports left on when stopped')
        os.kill(pid, signal.SIGCONT)
        while time.monotonic() < end + 5 and p.display('#{mouse_any_flag}') != '1':
            time.sleep(0.05)
        self.assertEqual(p.display('#{mouse_any_flag} #{mouse_sgr_flag}'), '1 1')
        p.wait(lambda ls: ls[0].startswith('sockeye') and TS.pane_title_line(ls, 'Connections')
               is not None and ls, 'the screen drawn again after SIGCONT')

    def test_a_double_click_opens_the_details(self):
        h, ports = self.listeners('mdbl', 1)
        p = self.start('proc:' + h.name)
        rows, lines = self.rows_where(p, lambda rs, ls: len(rs) == 1, 'the listener')
        click(p, 20, rows[0].line)
        click(p, 20, rows[0].line)
        p.wait(lambda ls: any(l.startswith(' Details') for l in ls) and ls, 'the details')

    def test_f9_term_answered_ends_the_process_holding_the_listener(self):
        h, ports = self.listeners('mkill', 1)
        p = self.start('proc:' + h.name)
        self.rows_where(p, lambda rs, ls: len(rs) == 1, 'the listener')
        p.keys('F9')
        p.wait(lambda ls: ls[-1].startswith('Signal:') and '1TERM' in ls[-1] and ls,
               'the signal menu')
        p.keys('Enter')
        p.wait(lambda ls: ('Send SIGTERM to %d' % h.pid) in ls[-1] and 'y/N' in ls[-1] and ls,
               'the question naming the pid and the signal')
        self.assertTrue(T.pid_alive(h.pid), 'signalled before the answer')
        p.keys('y')
        p.wait_text('sent SIGTERM to %d' % h.pid, 'what was sent')
        end = time.monotonic() + 5
        while time.monotonic() < end and h.proc.poll() is None:
            time.sleep(0.05)
        self.assertEqual(h.proc.poll(), -15, 'the holder did not end by SIGTERM')

    def test_f9_is_not_there_with_read_only(self):
        h, ports = self.listeners('mro', 1)
        p = self.start('--read-only', 'proc:' + h.name)
        lines, = [self.rows_where(p, lambda rs, ls: len(rs) == 1, 'the listener')[1]]
        self.assertNotIn('F9', lines[-1])
        p.keys('F9')
        time.sleep(0.5)
        self.assertFalse(p.lines()[-1].startswith('Signal:'), p.dump())
        p.keys('?')
        help_text = '\n'.join(p.wait(lambda ls: 'Keys' in '\n'.join(ls) and ls, 'help'))
        self.assertNotIn('F9', help_text)
        self.assertTrue(T.pid_alive(h.pid))

    def test_the_mouse_is_asked_for_and_no_mouse_leaves_it_to_the_terminal(self):
        p = self.start()
        self.assertEqual(p.display('#{mouse_any_flag} #{mouse_sgr_flag}'), '1 1')
        p.keys('?')
        p.wait_text('Shift-drag', 'the help on selecting text')
        q = self.start('--no-mouse')
        self.assertEqual(q.display('#{mouse_any_flag} #{mouse_sgr_flag}'), '0 0')
        lines = q.lines()
        y = title_row(lines)
        before = lines[y]
        # Keys typed into it are not taken for a click either: the title row stays.
        click(q, lines[y].index('LOCAL') + 1, y)
        time.sleep(0.8)
        self.assertEqual(q.lines()[y].rstrip(), before.rstrip(), q.dump())
        q.keys('?')
        help_text = '\n'.join(q.wait(lambda ls: 'Keys' in '\n'.join(ls) and ls, 'help'))
        self.assertNotIn('Shift-drag', help_text)


if __name__ == '__main__':
    TS.main()
