"""test_netns.py: every network namespace. As root, two namespaces
made with `ip netns add` (unique names, deleted at the end whatever happens)
each hold a listener on the same 127.0.0.1 port as one in the host's own:
`sockeye --batch --json` lists all three with the right "netns", as three
rows; `netns:NAME` and `netns:host` select them; --no-all-netns shows the
host's alone. Skipped (77) where namespaces cannot be made."""
import json
import os
import shutil
import socket
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

TAG = 'sknetns%d' % (os.getpid() % 100000)
LISTENER = ('import socket, sys\n'
            's = socket.socket()\n'
            's.bind(("127.0.0.1", int(sys.argv[1])))\n'
            's.listen(4)\n'
            'print("ready", flush=True)\n'
            'sys.stdin.read()\n')


def ip(*args):
    return subprocess.run(['ip'] + list(args), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)


def free_port():
    """A port free on the host's loopback (the new namespaces have nothing)."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_listener(port, netns=None):
    cmd = [sys.executable, '-c', LISTENER, str(port)]
    if netns:
        cmd = ['ip', 'netns', 'exec', netns] + cmd
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    line = p.stdout.readline()
    if line.strip() != b'ready':
        p.kill()
        p.wait()
        raise AssertionError('listener in %s did not start: %r' %
                             (netns or 'host', p.stderr.read()[:300]))
    return p


class EveryNamespace(unittest.TestCase):
    names = []
    procs = []

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('making network namespaces needs root')
        if not shutil.which('ip'):
            raise unittest.SkipTest('no ip command (iproute2)')
        try:
            cls.make()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def make(cls):
        for suffix in ('a', 'b'):
            name = TAG + suffix
            cp = ip('netns', 'add', name)
            if cp.returncode != 0:
                raise unittest.SkipTest('ip netns add failed: %s' %
                                        cp.stderr.decode(errors='replace').strip())
            cls.names.append(name)
            cp = ip('-n', name, 'link', 'set', 'lo', 'up')
            if cp.returncode != 0:
                raise AssertionError('lo up in %s: %r' % (name, cp.stderr))
        cls.port = free_port()
        cls.procs.append(start_listener(cls.port))
        for name in cls.names:
            cls.procs.append(start_listener(cls.port, name))

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            p.kill()
            p.wait()
            for f in (p.stdin, p.stdout, p.stderr):
                f.close()
        cls.procs = []
        for name in cls.names:
            ip('netns', 'delete', name)
        cls.names = []

    def rows(self, *args):
        cp = S.run(['--batch', '--json'] + list(args))
        self.assertEqual(cp.returncode, 0, cp.stderr.decode(errors='replace'))
        rows = [json.loads(line) for line in cp.stdout.decode().splitlines() if line]
        return [r for r in rows if r['lport'] == self.port and r['state'] == 'LISTEN']

    def test_the_same_port_in_three_namespaces_is_three_rows_each_with_its_namespace(self):
        rows = self.rows('port:%d' % self.port)
        self.assertEqual(sorted(r['netns'] for r in rows), sorted(['host'] + self.names))
        self.assertEqual(len({r['inode'] for r in rows}), 3)
        for r in rows:
            self.assertEqual(r['laddr'], '127.0.0.1')

    def test_each_namespaced_listener_has_its_owner(self):
        # Socket inodes are unique across namespaces: /proc/<pid>/fd finds
        # the owner of each, whichever namespace it lives in.
        for r in self.rows('port:%d' % self.port):
            self.assertTrue(r['procs'], 'no owner for %r' % r)
            self.assertEqual(r['procs'][0]['comm'], 'python3', r)

    def test_netns_name_filter_selects_that_namespace_only(self):
        for name in self.names:
            rows = self.rows('port:%d' % self.port, 'netns:' + name)
            self.assertEqual([r['netns'] for r in rows], [name])

    def test_netns_host_filter_selects_the_hosts_listener_only(self):
        rows = self.rows('port:%d' % self.port, 'netns:host')
        self.assertEqual([r['netns'] for r in rows], ['host'])

    def test_negated_netns_filter_leaves_the_other_two(self):
        rows = self.rows('port:%d' % self.port, '!netns:host')
        self.assertEqual(sorted(r['netns'] for r in rows), sorted(self.names))

    def test_the_proc_source_sees_the_same_three(self):
        rows = self.rows('--source=proc', 'port:%d' % self.port)
        self.assertEqual(sorted(r['netns'] for r in rows), sorted(['host'] + self.names))

    def test_no_all_netns_shows_the_hosts_namespace_alone(self):
        rows = self.rows('--no-all-netns', 'port:%d' % self.port)
        self.assertEqual([r['netns'] for r in rows], ['host'])


if __name__ == '__main__':
    S.main()
