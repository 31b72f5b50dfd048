"""test_user_rights.py: a copy of sockeye given the capabilities the
manual's recipe grants (cap_sys_ptrace, cap_dac_read_search, cap_net_admin),
run by the user nobody, gives that user sight of every socket's owner and
nothing else: files it names or its environment points to are opened with
nobody's own rights, and K closes nobody's own connections, never root's.

Needs root (to give the capabilities and to become nobody), setcap and
setpriv; the K tests also tmux. Skips, saying why, without them. Only
loopback addresses are used."""
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

RECIPE = 'cap_sys_ptrace,cap_dac_read_search,cap_net_admin+ep'
AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']
# Words a root-only file holds that must never reach nobody's screen.
SECRET = 'sekrit-7f3a9c'
ADDR = '127.%d.%d.%d' % (100 + os.getpid() % 150, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)

SERVER = None


def root_only_file(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


class UserRights(unittest.TestCase):
    """One capable copy for the class, in a folder every user can read."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root, to give the capabilities and become nobody')
        for tool in ('setcap', 'setpriv'):
            if not shutil.which(tool):
                raise unittest.SkipTest('%s is not installed (libcap2-bin, util-linux)' % tool)
        # /tmp may be a tmpfs without security xattrs; /var/tmp is on disk.
        cls.dir = tempfile.mkdtemp(prefix='sockeye-rights.', dir='/var/tmp')
        os.chmod(cls.dir, 0o755)
        cls.exe = os.path.join(cls.dir, 'sockeye')
        shutil.copy(S.sockeye_path(), cls.exe)
        os.chmod(cls.exe, 0o755)
        shutil.copy(os.path.join(S.HERE, 'sockets.py'), cls.dir)
        os.chmod(os.path.join(cls.dir, 'sockets.py'), 0o644)
        cp = subprocess.run(['setcap', RECIPE, cls.exe], stderr=subprocess.PIPE)
        if cp.returncode != 0:
            shutil.rmtree(cls.dir)
            raise unittest.SkipTest('setcap refused on /var/tmp: %s'
                                    % cp.stderr.decode().strip())
        # Root's secrets: a file and a home only root may open.
        cls.secrets = tempfile.mkdtemp(prefix='sockeye-root-only.', dir='/var/tmp')
        os.chmod(cls.secrets, 0o700)
        cls.secret_file = root_only_file(cls.secrets, 'secret', '%s = %s\n' % (SECRET, SECRET))
        cls.home = os.path.join(cls.secrets, 'home')
        conf = os.path.join(cls.home, '.config', 'sockeye')
        os.makedirs(os.path.join(conf, 'themes'))
        root_only_file(conf, 'config', 'interval = %s\n' % SECRET)
        root_only_file(os.path.join(conf, 'themes'), 'default', '%s\n' % SECRET)
        # nobody's own home for the runs that are not about HOME.
        cls.nobody_home = tempfile.mkdtemp(prefix='sockeye-nobody-home.', dir='/var/tmp')
        shutil.chown(cls.nobody_home, 'nobody', 'nogroup')

    @classmethod
    def tearDownClass(cls):
        for d in (cls.dir, cls.secrets, cls.nobody_home):
            shutil.rmtree(d, ignore_errors=True)

    def run_nobody(self, args, **env):
        e = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': self.nobody_home}
        e.update(env)
        return subprocess.run(AS_NOBODY + [self.exe] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30, env=e)

    def assert_refused_quoting_nothing(self, cp, what):
        err = cp.stderr.decode('utf-8', 'replace')
        self.assertEqual(cp.returncode, 2, '%s: exit %d, %r' % (what, cp.returncode, err))
        self.assertIn('Permission denied', err, what)
        self.assertNotIn(SECRET, err + cp.stdout.decode('utf-8', 'replace'),
                         '%s quoted the root-only file' % what)

    def test_theme_naming_a_root_only_file_is_permission_denied(self):
        cp = self.run_nobody(['--batch', '--theme=' + self.secret_file])
        self.assert_refused_quoting_nothing(cp, '--theme')

    def test_config_naming_a_root_only_file_is_permission_denied(self):
        cp = self.run_nobody(['--batch', '--config=' + self.secret_file])
        self.assert_refused_quoting_nothing(cp, '--config')

    def test_shadow_is_not_read_for_nobody(self):
        for opt in ('--theme=/etc/shadow', '--config=/etc/shadow'):
            with self.subTest(opt=opt):
                cp = self.run_nobody(['--batch', opt])
                err = cp.stderr.decode('utf-8', 'replace')
                self.assertEqual(cp.returncode, 2, err)
                self.assertIn('Permission denied', err)
                self.assertNotIn('root:', err)

    def test_home_in_a_root_only_folder_gives_the_defaults(self):
        for env in ({'HOME': self.home}, {'XDG_CONFIG_HOME': os.path.join(self.home, '.config')}):
            with self.subTest(env=env):
                cp = self.run_nobody(['--batch', '--json', '--no-all-netns'], **env)
                err = cp.stderr.decode('utf-8', 'replace')
                self.assertEqual(cp.returncode, 0, err)
                self.assertNotIn(SECRET, err + cp.stdout.decode('utf-8', 'replace'))
                self.assertIn('using the default settings', err)
                self.assertTrue(S.parse_json_lines(cp.stdout.decode()), 'no table printed')

    def test_metrics_file_in_a_root_only_folder_is_refused(self):
        cp = self.run_nobody(['--events', '-n', '1', '--prometheus=' +
                              os.path.join(self.secrets, 'metrics.prom')])
        err = cp.stderr.decode('utf-8', 'replace')
        self.assertNotEqual(cp.returncode, 0, err)
        self.assertIn('Permission denied', err)
        self.assertEqual(sorted(os.listdir(self.secrets)), ['home', 'secret'])

    def test_owners_of_roots_sockets_are_seen(self):
        h = S.Holder('rootrights')
        try:
            L = h.call('tcp_listen', host=ADDR)
            cp = self.run_nobody(['--batch', '--json', '--no-all-netns',
                                  'laddr:%s' % ADDR, 'lport:%d' % L['lport']])
            self.assertEqual(cp.returncode, 0, cp.stderr)
            recs = S.parse_json_lines(cp.stdout.decode())
            self.assertEqual([(p['pid'], p['user']) for r in recs for p in r['procs']],
                             [(h.pid, 'root')])
        finally:
            h.close()


class CloseRights(UserRights):
    """K and F9 on the screen: root's connection stays open and root's
    process alive, and the footer says why; nobody's own connection closes
    and nobody's own process ends."""

    def setUp(self):
        if SERVER is None:
            self.skipTest('tmux is not installed')
        self.holders, self.panes = [], []

    def tearDown(self):
        for p in self.panes:
            p.close()
        for h in self.holders:
            h.close()

    def holder(self, tag, nobody):
        run_as = (self.dir, AS_NOBODY) if nobody else None
        h = S.Holder(tag, run_as=run_as)
        self.holders.append(h)
        return h

    def pair(self, nobody):
        srv, cli = self.holder('rsrv', nobody), self.holder('rcli', nobody)
        L = srv.call('tcp_listen', host=ADDR)
        C = cli.call('tcp_connect', host=ADDR, port=L['lport'], bind=ADDR)[0]
        A = srv.call('tcp_accept', id=L['id'])[0]
        return srv, cli, L, C, A

    def screen_on(self, C, h):
        """The capable copy's screen as nobody, narrowed to C's row."""
        p = SERVER.pane(AS_NOBODY + [self.exe, '-i', '0.3', '--no-all-netns', '--no-config',
                                     'laddr:%s' % ADDR, 'lport:%d' % C['lport']],
                        200, 30, {'TERM': T.best_term(), 'LANG': 'C', 'HOME': self.nobody_home})
        self.panes.append(p)
        row = '%s:%d' % (ADDR, C['lport'])
        p.wait(lambda ls: any(row in l and '%d/' % h.pid in l for l in ls) and ls,
               'the connection, with its owner %d, on nobody\'s screen' % h.pid)
        return p

    def still_works(self, srv, cli, C, A):
        cli.call('send', id=C['id'], nbytes=100)
        self.assertEqual(srv.call('recv', id=A['id'], timeout=5), {'nbytes': 100, 'eof': False},
                         'the connection no longer carries data')

    def test_K_on_roots_connection_leaves_it_open_and_says_why(self):
        srv, cli, L, C, A = self.pair(nobody=False)
        p = self.screen_on(C, cli)
        # Every owner is in sight: the header claims no blind spot.
        p.hold(lambda ls: 'not root' not in ls[2], 'a header that says owners are unknown', 1.0)
        p.keys('K')
        lines = p.wait(lambda ls: 'not closed' in ls[-1] and ls, 'the refusal in the footer')
        self.assertRegex(lines[-1], r"uid 0's, not yours \(uid %d\)" % pwd.getpwnam('nobody').pw_uid)
        self.assertFalse([l for l in lines if l.startswith('Close ')], 'K asked anyway')
        p.keys('y')
        time.sleep(1)
        self.still_works(srv, cli, C, A)

    def test_K_on_nobodys_own_connection_closes_it(self):
        srv, cli, L, C, A = self.pair(nobody=True)
        p = self.screen_on(C, cli)
        p.keys('K')
        p.wait(lambda ls: ls[-1].startswith('Close tcp ESTABLISHED') and ls, 'the y/N question')
        p.keys('y')
        lines = p.wait(lambda ls: re.search(r'closed|cannot|needs', ls[-1]) and ls,
                       'the outcome in the footer')
        self.assertIn('closed %s:%d' % (ADDR, C['lport']), lines[-1], p.dump(lines))
        self.assertEqual(cli.call('recv', id=C['id'], timeout=5), {'errno': 'ECONNABORTED'})

    def signal_from_screen(self, p, h, outcome):
        """F9, TERM, y on the row of h's connection; waits for outcome in
        the footer (whole: a capture may catch the footer half drawn)."""
        p.keys('F9')
        p.wait(lambda ls: ls[-1].startswith('Signal:') and ls, 'the signal menu')
        p.keys('Enter')
        p.wait(lambda ls: ('Send SIGTERM to %d' % h.pid) in ls[-1] and ls, 'the y/N question')
        p.keys('y')
        return p.wait(lambda ls: outcome in ls[-1] and ls, outcome)

    def test_F9_on_roots_process_is_the_kernels_EPERM(self):
        srv, cli, L, C, A = self.pair(nobody=False)
        p = self.screen_on(C, cli)
        self.signal_from_screen(p, cli, 'SIGTERM failed for %d: Operation not permitted'
                                % cli.pid)
        time.sleep(0.5)
        self.assertIsNone(cli.proc.poll(), 'root\'s process ended')
        self.still_works(srv, cli, C, A)

    def test_F9_on_nobodys_own_process_ends_it(self):
        srv, cli, L, C, A = self.pair(nobody=True)
        p = self.screen_on(C, cli)
        self.signal_from_screen(p, cli, 'sent SIGTERM to %d' % cli.pid)
        end = time.monotonic() + 5
        while time.monotonic() < end and cli.proc.poll() is None:
            time.sleep(0.05)
        self.assertEqual(cli.proc.poll(), -15, 'nobody\'s own process did not end by SIGTERM')


class PlainUser(unittest.TestCase):
    """Without any capability: a default config file the user cannot read
    (HOME left pointing at root's, as in a container started with --user)
    means the defaults and a note; one named with --config is an error."""

    def test_unreadable_default_config_means_the_defaults_and_a_note(self):
        if os.geteuid() != 0 or not shutil.which('setpriv'):
            self.skipTest('needs root and setpriv, to become nobody')
        d = tempfile.mkdtemp(prefix='sockeye-plain.', dir='/var/tmp')
        try:
            os.chmod(d, 0o755)
            exe = os.path.join(d, 'sockeye')
            shutil.copy(S.sockeye_path(), exe)
            home = os.path.join(d, 'home')
            os.makedirs(os.path.join(home, '.config', 'sockeye'))
            conf = root_only_file(os.path.join(home, '.config', 'sockeye'), 'config',
                                  'interval = %s\n' % SECRET)
            os.chmod(home, 0o700)
            env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': home}
            cp = subprocess.run(AS_NOBODY + [exe, '--batch', '--no-all-netns'], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            err = cp.stderr.decode('utf-8', 'replace')
            self.assertEqual(cp.returncode, 0, err)
            self.assertEqual(err.strip().splitlines(),
                             ['sockeye: note: %s: Permission denied: using the default settings'
                              % conf])
            self.assertTrue(cp.stdout.decode().startswith('PROTO'), cp.stdout)
            cp = subprocess.run(AS_NOBODY + [exe, '--batch', '--config=' + conf], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            err = cp.stderr.decode('utf-8', 'replace')
            self.assertEqual(cp.returncode, 2, err)
            self.assertIn('%s: Permission denied' % conf, err)
        finally:
            shutil.rmtree(d)


# The class above's file tests run once, not again under CloseRights.
for name in [n for n in vars(UserRights) if n.startswith('test_')]:
    setattr(CloseRights, name, None)


def main():
    S.sockeye_path()
    T.run_tests(sys.modules[__name__], 'sockeye-rights', S.main)


if __name__ == '__main__':
    main()
