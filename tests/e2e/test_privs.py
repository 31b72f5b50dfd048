"""test_privs.py: least privilege. Started as root, sockeye keeps
only the capabilities it needs once set up, in every thread, with an empty
bounding set and no_new_privs, and still sees another user's socket owners;
a copy with the capabilities granted by setcap works for nobody.

Only loopback addresses are used."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import sockets as S

CAP_DAC_READ_SEARCH = 2
CAP_NET_ADMIN = 12
CAP_SYS_PTRACE = 19
CAP_SYS_ADMIN = 21          # kept only while network namespaces are entered
FD_TABLES = (1 << CAP_DAC_READ_SEARCH) | (1 << CAP_SYS_PTRACE)
CAP_KILL = 5                # root's own, kept on the screen for F9
ALLOWED = FD_TABLES | (1 << CAP_NET_ADMIN) | (1 << CAP_SYS_ADMIN) | (1 << CAP_KILL)

LISTENER = ('import socket,sys,time\n'
            's=socket.socket(); s.bind(("127.0.0.1",0)); s.listen()\n'
            'print(s.getsockname()[1], flush=True); time.sleep(120)\n')


def listener(as_nobody):
    """A python listener on 127.0.0.1 (as nobody, or as this user); returns
    (process, port)."""
    cmd = [sys.executable if not as_nobody else '/usr/bin/python3', '-c', LISTENER]
    if as_nobody:
        cmd = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    return p, int(p.stdout.readline())


def status_of(path):
    fields = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(':')
            fields[k] = v.strip()
    return fields


def thread_status(pid):
    """Each thread's status fields, by tid."""
    return {t: status_of('/proc/%d/task/%s/status' % (pid, t))
            for t in os.listdir('/proc/%d/task' % pid)}


def settled_threads(pid):
    """thread_status(pid) once every thread has given up what it gives up
    at set-up (no_new_privs everywhere), or after 10 s as it then is."""
    deadline = time.time() + 10
    while True:
        threads = thread_status(pid)
        if all(s['NoNewPrivs'] == '1' for s in threads.values()) or time.time() > deadline:
            return threads
        time.sleep(0.1)


def owners(recs, port):
    """Owners of the host namespace's sockets on port (another namespace
    may have its own socket on the same number)."""
    return [p for r in recs if r['lport'] == port and r.get('netns', 'host') == 'host'
            for p in r['procs']]


class Privs(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest('needs root: it checks what root gives up')
        if not shutil.which('setpriv'):
            self.skipTest('setpriv (util-linux) is not installed')
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.kill()
            p.wait()

    def start(self, p):
        self.procs.append(p)
        return p

    def assert_dropped(self, pid, want_net_admin):
        threads = settled_threads(pid)     # the drop comes once set-up is done
        for tid, s in threads.items():
            eff, prm = int(s['CapEff'], 16), int(s['CapPrm'], 16)
            what = 'thread %s: %r' % (tid, {k: s[k] for k in s if k.startswith('Cap')})
            self.assertEqual(s['NoNewPrivs'], '1', what)
            self.assertEqual(int(s['CapBnd'], 16), 0, what)
            self.assertEqual(int(s['CapInh'], 16), 0, what)
            self.assertEqual(int(s['CapAmb'], 16), 0, what)
            self.assertEqual(eff, prm, what)
            self.assertEqual(eff & ~ALLOWED, 0, what)
            self.assertEqual(eff & FD_TABLES, FD_TABLES, what)
            self.assertEqual(bool(eff & (1 << CAP_NET_ADMIN)), want_net_admin, what)
            # the screen without --read-only is where root signals (F9)
            self.assertEqual(bool(eff & (1 << CAP_KILL)), want_net_admin, what)
        return threads

    def test_events_mode_keeps_only_fd_table_capabilities(self):
        p = self.start(subprocess.Popen([S.sockeye_path(), '-e', '-i', '0.2'],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        time.sleep(1)
        if p.poll() is not None:
            self.fail('sockeye -e exited %d: %r' % (p.returncode, p.stderr.read()))
        self.assert_dropped(p.pid, want_net_admin=False)

    def test_screen_keeps_net_admin_in_every_thread_unless_read_only(self):
        if not shutil.which('tmux'):
            self.skipTest('tmux is not installed')
        for read_only in (False, True):
            with self.subTest(read_only=read_only):
                sock = 'privs-%d' % os.getpid()
                args = [S.sockeye_path()] + (['--read-only'] if read_only else [])
                subprocess.run(['tmux', '-L', sock, 'new-session', '-d', '-x', '120', '-y', '30',
                                'exec ' + ' '.join(args)], check=True,
                               env=dict(os.environ, TERM='xterm', SHELL='/bin/sh'))
                try:
                    pid = int(subprocess.run(['tmux', '-L', sock, 'list-panes', '-F',
                                              '#{pane_pid}'], stdout=subprocess.PIPE,
                                             check=True).stdout)
                    time.sleep(1.5)
                    threads = self.assert_dropped(pid, want_net_admin=not read_only)
                    self.assertGreaterEqual(len(threads), 2, 'no collection thread seen')
                finally:
                    subprocess.run(['tmux', '-L', sock, 'send-keys', 'q'])
                    time.sleep(0.5)
                    subprocess.run(['tmux', '-L', sock, 'kill-server'],
                                   stderr=subprocess.DEVNULL)

    def test_owner_of_another_users_socket_is_seen_after_the_drop(self):
        p, port = listener(as_nobody=True)
        self.start(p)
        recs = S.batch_json(['port:%d' % port])
        seen = owners(recs, port)
        self.assertEqual([(o['pid'], o['user']) for o in seen], [(p.pid, 'nobody')])

    def test_setcap_copy_run_by_nobody_sees_roots_owners(self):
        if not shutil.which('setcap'):
            self.skipTest('setcap (libcap2-bin) is not installed')
        p, port = listener(as_nobody=False)
        self.start(p)
        # /tmp may be a tmpfs without security xattrs; /var/tmp is on disk.
        d = tempfile.mkdtemp(prefix='sockeye-setcap.', dir='/var/tmp')
        try:
            os.chmod(d, 0o755)
            copy = os.path.join(d, 'sockeye')
            shutil.copy(S.sockeye_path(), copy)
            os.chmod(copy, 0o755)

            # nobody's own home: root's config folder is not readable to it
            env = {k: v for k, v in os.environ.items() if k != 'XDG_CONFIG_HOME'}
            env['HOME'] = d

            def as_nobody():
                cp = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup',
                                     '--clear-groups', copy, '--batch', '--json',
                                     'port:%d' % port],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20,
                                    env=env)
                self.assertEqual(cp.returncode, 0, S.describe(['(as nobody)'], cp))
                return owners(S.parse_json_lines(cp.stdout.decode()), port)

            self.assertEqual(as_nobody(), [], 'nobody saw root\'s owner without capabilities')
            cp = subprocess.run(['setcap', 'cap_sys_ptrace,cap_dac_read_search,cap_net_admin+ep',
                                 copy], stderr=subprocess.PIPE)
            if cp.returncode != 0:
                self.skipTest('setcap refused on /var/tmp: %s' % cp.stderr.decode().strip())
            seen = as_nobody()
            self.assertEqual([o['pid'] for o in seen], [p.pid])
            self.assertEqual(seen[0]['user'], 'root')
        finally:
            shutil.rmtree(d)


def seccomp_by_thread(pid):
    """{tid: seccomp mode} (0 none, 2 filter) once the threads settled."""
    return {int(t): s['Seccomp'] for t, s in settled_threads(pid).items()}


class Writes(unittest.TestCase):
    """The threads that read the system (Landlock cannot narrow them: it
    forbids reading other processes' fd tables) refuse themselves every
    file write with a seccomp filter; the screen thread, which saves the
    config, and the --prometheus writer, which Landlock narrows to its
    folder, are the only ones without it. What the filter refuses is
    tests/test_nowrite.c's; here, that the real binary puts it on the
    right threads and still does its work. Any user can do this."""

    def test_events_thread_is_filtered_and_the_metrics_file_still_lands(self):
        d = tempfile.mkdtemp(prefix='sockeye-nowrite.')
        prom = os.path.join(d, 'sockeye.prom')
        p = subprocess.Popen([S.sockeye_path(), '-e', '-i', '0.2', '--prometheus=' + prom],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 10
            while not os.path.exists(prom) and time.time() < deadline and p.poll() is None:
                time.sleep(0.05)
            if p.poll() is not None:
                self.fail('sockeye -e exited %d: %r' % (p.returncode, p.stderr.read()))
            self.assertTrue(os.path.exists(prom), 'no metrics file within 10 s')
            first = os.stat(prom).st_mtime_ns
            seccomp = seccomp_by_thread(p.pid)
            self.assertEqual(seccomp[p.pid], '2', 'the reading thread has no filter')
            self.assertEqual(sorted(m for t, m in seccomp.items() if t != p.pid), ['0'],
                             'expected one writer thread without the filter: %r' % seccomp)
            while os.stat(prom).st_mtime_ns == first and time.time() < deadline:
                time.sleep(0.05)
            self.assertNotEqual(os.stat(prom).st_mtime_ns, first, 'the file was not rewritten')
            with open(prom) as f:
                self.assertIn('sockeye_last_poll_timestamp_seconds', f.read())
            self.assertEqual(sorted(os.listdir(d)), ['sockeye.prom'])
        finally:
            p.kill()
            p.wait()
            shutil.rmtree(d)

    def test_batch_still_prints_the_table_behind_the_filter(self):
        cp = subprocess.run([S.sockeye_path(), '--batch', '--json', '--no-all-netns'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(cp.returncode, 0, cp.stderr)
        self.assertTrue(S.parse_json_lines(cp.stdout.decode()))

    def test_screen_collection_thread_is_filtered_and_the_screen_thread_is_not(self):
        if not shutil.which('tmux'):
            self.skipTest('tmux is not installed')
        sock = 'nowrite-%d' % os.getpid()
        subprocess.run(['tmux', '-L', sock, '-f', '/dev/null', 'new-session', '-d', '-x', '120',
                        '-y', '30', 'exec ' + S.sockeye_path() + ' --no-all-netns'], check=True,
                       env=dict(os.environ, TERM='xterm', SHELL='/bin/sh'))
        try:
            pid = int(subprocess.run(['tmux', '-L', sock, 'list-panes', '-F', '#{pane_pid}'],
                                     stdout=subprocess.PIPE, check=True).stdout)
            time.sleep(1.5)
            seccomp = seccomp_by_thread(pid)
            self.assertEqual(seccomp[pid], '0', 'the screen thread must still save the config')
            self.assertIn('2', [m for t, m in seccomp.items() if t != pid],
                          'no filtered collection thread: %r' % seccomp)
        finally:
            subprocess.run(['tmux', '-L', sock, 'send-keys', 'q'])
            time.sleep(0.5)
            subprocess.run(['tmux', '-L', sock, 'kill-server'], stderr=subprocess.DEVNULL)


if __name__ == '__main__':
    S.main()
