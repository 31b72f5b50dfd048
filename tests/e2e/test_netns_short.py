"""test_netns_short.py: a connection that opens and closes between two polls
inside another network namespace still appears in `sockeye --events`, with
that namespace: sockeye subscribes to the kernel's destroy
notifications in each namespace it reads, since the kernel announces a
close only inside the socket's own. As root, one `ip netns add` namespace
(a unique name, deleted at the end whatever happens) runs a loopback
listener and one connection to it, closed with RST (SO_LINGER 0) so no
TIME_WAIT is left for a poll to find: only the notification can tell of it.
Polls are 5 s apart and the connection lives between them. Skipped (77)
without root, and where the kernel refuses the subscription."""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
from test_netns import TAG, ip  # noqa: E402

# In the namespace: a listener, its port printed; on "go", one connection
# that moves a few bytes and ends with RST at both ends, then its ports.
HELPER = ('import socket, struct, sys\n'
          'lst = socket.socket(); lst.bind(("127.0.0.1", 0)); lst.listen(1)\n'
          'print(lst.getsockname()[1], flush=True)\n'
          'sys.stdin.readline()\n'
          'c = socket.create_connection(lst.getsockname())\n'
          'a, _ = lst.accept()\n'
          'c.sendall(b"x" * 100); a.recv(100)\n'
          'rst = struct.pack("ii", 1, 0)\n'
          'for s in (c, a):\n'
          '    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, rst)\n'
          'print(c.getsockname()[1], flush=True)\n'
          'c.close(); a.close()\n'
          'sys.stdin.readline()\n')


class ShortInNamespace(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest('making network namespaces needs root')
        if not shutil.which('ip'):
            self.skipTest('no ip command (iproute2)')
        self.name = TAG + 'x'
        cp = ip('netns', 'add', self.name)
        if cp.returncode != 0:
            self.skipTest('ip netns add failed: %s' % cp.stderr.decode(errors='replace').strip())
        self.addCleanup(ip, 'netns', 'delete', self.name)
        cp = ip('-n', self.name, 'link', 'set', 'lo', 'up')
        self.assertEqual(cp.returncode, 0, cp.stderr)
        self.helper = subprocess.Popen(['ip', 'netns', 'exec', self.name, sys.executable,
                                        '-c', HELPER], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.end_helper)
        self.port = int(self.helper.stdout.readline())

    def end_helper(self):
        self.helper.kill()
        self.helper.wait()
        for f in (self.helper.stdin, self.helper.stdout, self.helper.stderr):
            f.close()

    def connect_and_close(self):
        self.helper.stdin.write(b'go\n')
        self.helper.stdin.flush()
        return int(self.helper.stdout.readline())

    def test_a_short_connection_in_another_namespace_is_reported_with_its_namespace(self):
        ev = S.EventsReader('-i', '5', 'port:%d' % self.port)
        try:
            # The namespace is entered, and subscribed, at the first poll:
            # then the connection lives and dies well before the second.
            time.sleep(1.5)
            t0 = time.monotonic()
            cport = self.connect_and_close()
            self.assertLess(time.monotonic() - t0, 3.0, 'the connection took too long')
            gone = ev.wait_for(lambda e: e['event'] == 'gone' and cport in (e['lport'], e['rport']),
                               2, 12)
        finally:
            ev.stop()
        refused = ev.refused('destroy notifications', 'not announced')
        if not gone and refused:
            self.skipTest('subscription refused here: %s' % refused.strip())
        # Both ends, each with its addresses: the kernel announces the
        # connecting end with its local address and remote port cleared,
        # and sockeye gives them back from its peer's announcement.
        self.assertTrue(gone, 'no close reported:\n%s' % ''.join(ev.err))
        ends = sorted((e['lport'], e['rport']) for e in gone)
        self.assertEqual(ends, sorted([(self.port, cport), (cport, self.port)]), gone)
        self.assertEqual(len(set(ends)), len(ends), 'an end reported twice: %r' % gone)
        for e in gone:
            self.assertEqual(e['netns'], self.name, e)
            self.assertEqual(e['laddr'], '127.0.0.1', e)
            self.assertTrue(e.get('brief'), 'not a connection no poll saw: %r' % e)


if __name__ == '__main__':
    S.main()
