"""test_service.py: the service that owns a socket. A loopback
listener runs inside a systemd unit -- a transient one from systemd-run where
systemd is PID 1, else a cgroup v2 child named like a unit that the test makes
and moves the listener into -- and `--batch --json` must name that unit as the
socket's and its owner's service, and `service:` must find it and only it.
Skips, saying why, where neither can be done (no systemd, no writable cgroup2
hierarchy, not root)."""
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

TAG = 'sockeye-e2e-%d' % os.getpid()
UNIT = TAG + '.service'

# Binds a loopback listener, says its port, and holds it until stdin closes
# (or, under systemd-run, until the unit is stopped).
LISTENER = r'''
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
port = s.getsockname()[1]
if len(sys.argv) > 1:
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(port))
    import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    import time
    while True:
        time.sleep(60)
print(port, flush=True)
sys.stdin.read()
'''


def systemd_is_init():
    try:
        with open('/proc/1/comm') as f:
            return f.read().strip() == 'systemd' and shutil.which('systemd-run') is not None
    except OSError:
        return False


def cgroup2_mount():
    """Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup on a pure v2
    host, /sys/fs/cgroup/unified on a hybrid one), or None."""
    try:
        with open('/proc/self/mounts') as f:
            for line in f:
                fields = line.split()
                if len(fields) > 2 and fields[2] == 'cgroup2':
                    return fields[1]
    except OSError:
        pass
    return None


class UnitListener:
    """A listener in a transient systemd unit named UNIT."""

    def __init__(self):
        self.portfile = '/tmp/%s.port' % TAG
        cp = subprocess.run(['systemd-run', '--unit=' + UNIT, '--collect', '--quiet',
                             sys.executable, '-c', LISTENER, self.portfile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if cp.returncode != 0:
            raise unittest.SkipTest('systemd-run could not start %s: %s'
                                    % (UNIT, cp.stderr.decode(errors='replace').strip()))
        deadline = time.time() + 10
        while not os.path.exists(self.portfile) and time.time() < deadline:
            time.sleep(0.05)
        with open(self.portfile) as f:
            self.port = int(f.read())

    def close(self):
        subprocess.run(['systemctl', 'stop', UNIT], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
        try:
            os.unlink(self.portfile)
        except OSError:
            pass


class CgroupListener:
    """A listener moved into a cgroup v2 child named UNIT, made for the test."""

    def __init__(self, mount):
        self.dir = os.path.join(mount, UNIT)
        try:
            os.mkdir(self.dir)
        except OSError as e:
            raise unittest.SkipTest('cannot make cgroup %s: %s' % (self.dir, e))
        self.proc = subprocess.Popen([sys.executable, '-c', LISTENER],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            with open(os.path.join(self.dir, 'cgroup.procs'), 'w') as f:
                f.write(str(self.proc.pid))
        except OSError as e:
            self.close()
            raise unittest.SkipTest('cannot move a process into %s: %s' % (self.dir, e))
        self.port = int(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        for _ in range(100):   # the kernel empties the cgroup just after exit
            try:
                os.rmdir(self.dir)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.05)


class ServiceOfListener(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root to start a unit or make a cgroup')
        if systemd_is_init():
            cls.listener = UnitListener()
        else:
            mount = cgroup2_mount()
            if not mount:
                raise unittest.SkipTest('systemd is not PID 1 and no cgroup2 hierarchy is mounted')
            cls.listener = CgroupListener(mount)

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()

    def listed(self, *filters):
        # The unit's listener is on 127.0.0.1: another test's listener may
        # hold the same port on another loopback address meanwhile.
        port = 'port:%d' % self.listener.port
        return [r for r in S.batch_json([port, 'laddr:127.0.0.1', 'state:listen'] + list(filters))
                if r['lport'] == self.listener.port and r['laddr'] == '127.0.0.1']

    def test_json_names_the_unit_for_the_socket_and_its_owner(self):
        recs = self.listed()
        self.assertEqual(len(recs), 1, recs)
        self.assertEqual(recs[0]['service'], UNIT, recs[0])
        self.assertEqual([p['service'] for p in recs[0]['procs']], [UNIT], recs[0])

    def test_service_filter_finds_the_unit_by_full_and_short_name(self):
        self.assertEqual(len(self.listed('service:' + UNIT)), 1)
        self.assertEqual(len(self.listed('service:' + TAG)), 1)

    def test_service_filter_leaves_out_other_units(self):
        self.assertEqual(self.listed('service:' + TAG + '-other.service'), [])
        self.assertEqual(self.listed('!service:' + UNIT), [])

    def test_sockets_outside_the_unit_are_not_matched(self):
        # This test's own process is in no unit of that name.
        recs = S.batch_json(['service:' + UNIT])
        self.assertTrue(recs, 'the listener itself must be listed')
        for r in recs:
            self.assertEqual(r['service'], UNIT, r)


if __name__ == '__main__':
    S.main()
