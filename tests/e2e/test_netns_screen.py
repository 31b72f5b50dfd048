"""test_netns_screen.py: network namespaces where a person looks.
As root, a namespace made with `ip netns add` (a unique name, deleted at
the end whatever happens) holds a listener on the same 127.0.0.1 port as
one in the host's own: the screen, in a detached tmux pane, shows a NETNS
column with the namespace's name on that listener's row, and none with
--no-all-netns; --batch's text table adds a NETNS column likewise. Without
the right to enter namespaces (not root; as root, CAP_SYS_ADMIN dropped
with setpriv) the header says "host network namespace only" at every poll,
and says nothing of it when --no-all-netns was asked for.
Exit codes: 0 pass, 1 fail, 77 skip (no tmux, no SOCKEYE binary; the
namespace tests without root)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402
from test_netns import TAG, free_port, ip, start_listener  # noqa: E402

SERVER = None   # the private tmux server, made in main()
NOTE = 'host network namespace only'
WIDTH = 200


def screen_env():
    """The terminal, and a config directory of our own: a user's columns=
    must not decide which columns this test sees."""
    locale = T.utf8_locale() or 'C'
    return {'TERM': T.best_term(), 'LANG': locale, 'LC_ALL': locale, 'NO_COLOR': None,
            'XDG_CONFIG_HOME': CONFIG_DIR}


CONFIG_DIR = tempfile.mkdtemp(prefix='sknetns-screen-')


def start(argv, filt=None, interval='0.3'):
    """argv (sockeye and its options, maybe behind a command) polling every
    interval, with the filter filt, in a pane, waited for until the header
    and a first poll are drawn."""
    p = SERVER.pane(argv + ['-i', interval] + ([filt] if filt else []),
                    WIDTH, 40, screen_env())
    p.wait(lambda ls: ls[0].startswith('sockeye') and re.search(r'\d+ sockets', ls[1]) and ls,
           'the header after start')
    return p


def title_line(lines):
    for line in lines:
        if 'PROTO' in line and 'LOCAL' in line:
            return line
    return None


def cell_at(title, line, name):
    """The left-aligned cell under title's column name in line."""
    at = title.index(name)
    return line[at:].split()[0] if line[at:].strip() else ''


class NamespaceOnTheScreen(unittest.TestCase):
    name = None
    procs = []

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('making network namespaces needs root')
        if not shutil.which('ip'):
            raise unittest.SkipTest('no ip command (iproute2)')
        name = TAG + 's'
        cp = ip('netns', 'add', name)
        if cp.returncode != 0:
            raise unittest.SkipTest('ip netns add failed: %s' %
                                    cp.stderr.decode(errors='replace').strip())
        cls.name = name
        try:
            cp = ip('-n', name, 'link', 'set', 'lo', 'up')
            if cp.returncode != 0:
                raise AssertionError('lo up in %s: %r' % (name, cp.stderr))
            cls.port = free_port()
            cls.procs.append(start_listener(cls.port))
            cls.procs.append(start_listener(cls.port, name))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.kill()
            p.wait()
            for f in (p.stdin, p.stdout, p.stderr):
                f.close()
        cls.procs = []
        if cls.name:
            ip('netns', 'delete', cls.name)
        cls.name = None

    def setUp(self):
        self.panes = []

    def tearDown(self):
        for p in self.panes:
            p.close()

    def screen(self, *args):
        p = start([S.sockeye_path()] + list(args), 'port:%d' % self.port)
        self.panes.append(p)
        return p

    def test_the_screen_shows_netns_with_the_namespaces_name_on_its_listeners_row(self):
        p = self.screen()
        port = ':%d' % self.port

        def both_rows(lines):
            title = title_line(lines)
            if not title or 'NETNS' not in title:
                return None
            rows = [l for l in lines if port in l and 'LISTEN' in l]
            return len(rows) == 2 and (title, rows)
        title, rows = p.wait(both_rows, 'NETNS column and both listeners')
        self.assertEqual(sorted(cell_at(title, r, 'NETNS') for r in rows),
                         sorted(['host', self.name]), p.dump())

    def test_with_no_all_netns_the_screen_has_no_netns_column(self):
        p = self.screen('--no-all-netns')
        port = ':%d' % self.port
        lines = p.wait(lambda ls: any(port in l and 'LISTEN' in l for l in ls) and ls,
                       'the host listener')
        lines = p.hold(lambda ls: title_line(ls) and 'NETNS' not in title_line(ls),
                       'a NETNS column while only the host namespace is read', 1.0)
        self.assertEqual(sum(1 for l in lines if port in l and 'LISTEN' in l), 1, p.dump(lines))

    def batch_lines(self, *args):
        cp = S.run(['--batch'] + list(args) + ['port:%d' % self.port])
        self.assertEqual(cp.returncode, 0, cp.stderr.decode(errors='replace'))
        return cp.stdout.decode().splitlines()

    def test_the_batch_table_names_each_rows_namespace(self):
        lines = self.batch_lines()
        self.assertIn('NETNS', lines[0])
        rows = [l for l in lines[1:] if 'LISTEN' in l]
        self.assertEqual(sorted(cell_at(lines[0], r, 'NETNS') for r in rows),
                         sorted(['host', self.name]), '\n'.join(lines))

    def test_the_batch_table_of_the_host_namespace_alone_has_no_netns_column(self):
        lines = self.batch_lines('--no-all-netns')
        self.assertNotIn('NETNS', lines[0])
        self.assertEqual(len([l for l in lines[1:] if 'LISTEN' in l]), 1, '\n'.join(lines))


def without_sys_admin():
    """A command prefix that runs sockeye without CAP_SYS_ADMIN: nothing
    when not root; as root, setpriv drops it from the bounding set (so the
    exec does not grant it) and the inheritable set."""
    if os.geteuid() != 0:
        return []
    if not shutil.which('setpriv'):
        raise unittest.SkipTest('no setpriv (util-linux) to drop CAP_SYS_ADMIN as root')
    return ['setpriv', '--bounding-set=-sys_admin', '--inh-caps=-sys_admin', '--']


class HeaderNote(unittest.TestCase):
    def setUp(self):
        self.panes = []

    def tearDown(self):
        for p in self.panes:
            p.close()

    def test_without_the_right_to_enter_namespaces_the_header_says_host_only_at_every_poll(self):
        p = start(without_sys_admin() + [S.sockeye_path()])
        self.panes.append(p)
        p.wait(lambda ls: NOTE in ls[2] and ls, 'the note in the header')
        # Held across several polls (0.3 s): not a message that goes away.
        p.hold(lambda ls: NOTE in ls[2], 'the header lost its note', 2.0)

    def test_with_no_all_netns_asked_the_header_has_no_namespace_note(self):
        p = start(without_sys_admin() + [S.sockeye_path(), '--no-all-netns'])
        self.panes.append(p)
        p.hold(lambda ls: not any(NOTE in l for l in ls[:3]),
               'a namespace note though --no-all-netns was asked for', 1.5)


def main():
    global SERVER
    S.sockeye_path()
    SERVER = T.server_or_skip()
    try:
        S.main()
    finally:
        SERVER.kill()
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)


if __name__ == '__main__':
    main()
