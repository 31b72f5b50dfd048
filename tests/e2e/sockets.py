"""sockets.py: what the end-to-end tests share. It runs the real sockeye
binary (path from $SOCKEYE), holds real loopback sockets in child processes
(so every socket has a distinct, known owner pid), parses ss for comparison,
and maps unittest results onto automake's exit codes (0 pass, 1 fail, 77 skip).

Run as `python3 sockets.py --holder` it is itself such a child: it reads one
JSON request a line on stdin and answers one JSON line on stdout.

Only loopback addresses are ever used: 127.0.0.0/8 and ::1.
"""
import errno
import ipaddress
import json
import os
import queue
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


# ---------------------------------------------------------------- the binary

def sockeye_path():
    """The binary under test, or exit 77 (skip) when there is none."""
    path = os.environ.get('SOCKEYE')
    if not path:
        print('SKIP: SOCKEYE is not set (the path of the built sockeye binary)')
        sys.exit(SKIP)
    if not os.access(path, os.X_OK):
        print('SKIP: SOCKEYE=%s is not an executable file' % path)
        sys.exit(SKIP)
    return path


def run(args, timeout=20, env=None):
    """Runs sockeye with args; returns CompletedProcess with bytes output.
    stdin is /dev/null so a wrongly started screen cannot wait on a tty."""
    full_env = dict(os.environ)
    full_env.setdefault('TERM', 'dumb')
    if env:
        full_env.update(env)
    try:
        return subprocess.run([sockeye_path()] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, env=full_env)
    except subprocess.TimeoutExpired as e:
        raise AssertionError('sockeye %s did not exit within %ss (stdout so far: %r)'
                             % (' '.join(args), timeout, (e.stdout or b'')[:300]))


def describe(args, cp):
    """One paragraph saying what a run did, for failure messages."""
    return ('`sockeye %s` exited %d\n  stdout: %s\n  stderr: %s'
            % (' '.join(args), cp.returncode, clip(cp.stdout), clip(cp.stderr)))


def clip(b, n=600):
    s = b.decode('utf-8', 'replace') if isinstance(b, bytes) else b
    return repr(s if len(s) <= n else s[:n] + '...')


def parse_json_lines(text, what='sockeye'):
    """Every non-empty line must be one JSON object."""
    if isinstance(text, bytes):
        text = text.decode('utf-8')
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise AssertionError('%s line %d is not JSON (%s): %r' % (what, n, e, line))
        if not isinstance(obj, dict):
            raise AssertionError('%s line %d is not a JSON object: %r' % (what, n, line))
        out.append(obj)
    return out


def batch_json(args, timeout=20):
    """Runs `sockeye --batch --json ARGS` and returns its records."""
    full = ['--batch', '--json'] + list(args)
    cp = run(full, timeout=timeout)
    if cp.returncode != 0:
        raise AssertionError(describe(full, cp))
    return parse_json_lines(cp.stdout, 'sockeye ' + ' '.join(full))


def wait_listed(port, timeout=15):
    """The records of the 127.0.0.1 listener on port, waited for up to
    timeout seconds (a container's process may take a moment to listen);
    [] when it never showed."""
    deadline = time.time() + timeout
    while True:
        recs = [r for r in batch_json(['port:%d' % port, 'state:listen'])
                if r['lport'] == port and r['laddr'] == '127.0.0.1']
        if recs or time.time() > deadline:
            return recs
        time.sleep(0.2)


class ContainerListenerChecks:
    """What every container runtime's e2e test checks of the loopback
    listener it started in a container of its own: mixed into a TestCase
    whose setUpClass sets port, service (the SERVICE the socket must carry,
    RUNTIME/NAME), name (what service: must find) and recs (wait_listed)."""

    def test_listener_is_seen_in_the_containers_namespace(self):
        self.assertEqual(len(self.recs), 1, 'the listener on 127.0.0.1:%d not listed once: %r'
                         % (self.port, self.recs))
        self.assertNotEqual(self.recs[0]['netns'], 'host', self.recs[0])

    def test_service_is_the_containers_own_name(self):
        self.assertEqual(len(self.recs), 1, self.recs)
        self.assertEqual(self.recs[0]['service'], self.service, self.recs[0])
        self.assertEqual([p['service'] for p in self.recs[0]['procs']], [self.service],
                         self.recs[0])

    def test_service_filter_finds_it_by_name(self):
        recs = batch_json(['service:' + self.name])
        self.assertEqual([(r['laddr'], r['lport']) for r in recs], [('127.0.0.1', self.port)])


class EventsReader:
    """sockeye --events --json ARGS in the background, read as it writes
    (an unread pipe would fill and stall it): stdout parsed line by line,
    stderr kept."""

    def __init__(self, *args):
        self.args = ['--events', '--json'] + list(args)
        self.proc = subprocess.Popen([sockeye_path()] + self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines, self.err, self.seen = queue.Queue(), [], []
        self.readers = [threading.Thread(target=self.read_out, daemon=True),
                        threading.Thread(target=self.read_err, daemon=True)]
        for t in self.readers:
            t.start()

    def read_out(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def read_err(self):
        for line in self.proc.stderr:
            self.err.append(line.decode('utf-8', 'replace'))

    def events(self):
        """Every event printed so far."""
        while not self.lines.empty():
            self.seen.append(json.loads(self.lines.get()))
        return self.seen

    def wait_until(self, pred, timeout):
        """True once an event for which pred holds was printed."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(pred(e) for e in self.events()):
                return True
            time.sleep(0.02)
        return False

    def wait_for(self, pred, count, timeout):
        """The events for which pred holds, once count of them came (or
        the timeout passed), and any more that came a moment later."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len([e for e in self.events() if pred(e)]) >= count:
                time.sleep(0.3)
                break
            time.sleep(0.05)
        return [e for e in self.events() if pred(e)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
        for t in self.readers:
            t.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def refused(self, *marks):
        """sockeye's note on stderr that the kernel refused the destroy
        subscription (or what else marks names), or None."""
        marks = marks or ('destroy notifications',)
        return next((ln for ln in self.err if any(m in ln for m in marks)), None)


def rec_pids(rec):
    return tuple(sorted(p.get('pid') for p in rec.get('procs') or []))


def rec_str(rec):
    """A sockeye record in one readable line."""
    return ('%s%s %s %s:%s -> %s:%s inode=%s uid=%s pids=%s'
            % (rec.get('proto'), rec.get('family'), rec.get('state'), rec.get('laddr'),
               rec.get('lport'), rec.get('raddr'), rec.get('rport'), rec.get('inode'),
               rec.get('uid'), list(rec_pids(rec))))


# ------------------------------------------------------------ addresses

LOOPBACK_V4 = ipaddress.ip_network('127.0.0.0/8')
LOOPBACK_V6 = ipaddress.ip_address('::1')


def addr_bytes(text):
    """Packed address: compares sockeye's and ss's spellings exactly."""
    return ipaddress.ip_address(text).packed


def is_loopback(text):
    a = ipaddress.ip_address(text)
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return a in LOOPBACK_V4 if a.version == 4 else a == LOOPBACK_V6


# ------------------------------------------------------------------- ss

# ss's spellings (iproute2 misc/ss.c sstate_name) -> the kernel's names sockeye prints.
SS_STATES = {'ESTAB': 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV',
             'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2', 'TIME-WAIT': 'TIME_WAIT',
             'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK', 'LISTEN': 'LISTEN',
             'CLOSING': 'CLOSING'}


def ss_state(proto, name):
    """ss's state spelling -> the kernel name sockeye prints."""
    if name == 'UNCONN':
        return 'UNCONN' if proto == 'udp' else 'CLOSE'
    return SS_STATES.get(name, name)


def ss_endpoint(text):
    """'127.0.0.1:80', '[::1]:443', '127.0.0.53%lo:53', '0.0.0.0:*', '*:*' -> (packed, port)."""
    host, _, port = text.rpartition(':')
    host = host.strip('[]').split('%', 1)[0]
    if host == '*':
        host = '::'
    return addr_bytes(host), 0 if port == '*' else int(port)


def ss_snapshot():
    """Loopback sockets from `ss -tuanp` as a set of
    (proto, state, laddr_packed, lport, raddr_packed, rport, pids)."""
    out = subprocess.run(['ss', '-tuanpH'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=True, timeout=20).stdout.decode('utf-8', 'replace')
    rows = set()
    for line in out.splitlines():
        f = line.split(None, 6)
        if len(f) < 6 or f[0] not in ('tcp', 'udp'):
            continue
        local, remote = ss_endpoint(f[4]), ss_endpoint(f[5])
        if not is_loopback(ipaddress.ip_address(local[0]).compressed):
            continue
        pids = tuple(sorted({int(p) for p in re.findall(r'pid=(\d+)', f[6] if len(f) > 6 else '')}))
        rows.add((f[0], ss_state(f[0], f[1]), local[0], local[1], remote[0], remote[1], pids))
    return rows


def sockeye_tuple(rec):
    """A sockeye record in the shape ss_snapshot() uses."""
    return (rec['proto'], rec['state'], addr_bytes(rec['laddr']), rec['lport'],
            addr_bytes(rec['raddr']), rec['rport'], rec_pids(rec))


def tuple_str(t):
    def ep(a, p):
        s = ipaddress.ip_address(a).compressed
        return ('[%s]:%d' if ':' in s else '%s:%d') % (s, p)
    return '%s %s %s -> %s pids=%s' % (t[0], t[1], ep(t[2], t[3]), ep(t[4], t[5]), list(t[6]))


def have_ipv6_loopback():
    """False in containers started with IPv6 disabled."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(('::1', 0))
        return True
    except OSError:
        return False


def have_ss():
    return shutil.which('ss') is not None


# --------------------------------------------------------------- holders

class Holder:
    """A child python process holding sockets on our behalf. Its pid owns
    them; call() sends one request and returns the answer."""

    def __init__(self, name, run_as=None):
        """run_as: a folder every user can read holding a copy of this
        file, and the argv prefix that starts the holder as another user
        (setpriv ...); the system python runs it then."""
        if run_as:
            folder, prefix = run_as
            argv = prefix + ['/usr/bin/python3', os.path.join(folder, 'sockets.py')]
        else:
            argv = [sys.executable, os.path.join(HERE, 'sockets.py')]
        self.name = name
        self.proc = subprocess.Popen(argv + ['--holder'],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid = self.call('hello', name=name)['pid']

    def call(self, op, timeout=20, **kw):
        kw['op'] = op
        self.proc.stdin.write(json.dumps(kw) + '\n')
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise AssertionError('holder %s did not answer %s within %ss' % (self.name, op, timeout))
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError('holder %s died during %s' % (self.name, op))
        ans = json.loads(line)
        if isinstance(ans, dict) and 'error' in ans:
            raise AssertionError('holder %s: %s failed: %s' % (self.name, op, ans['error']))
        return ans

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def family_of(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


class HolderServer:
    """The child side: owns the sockets, keyed by a small integer id."""

    def __init__(self):
        self.socks = {}
        self.next_id = 1
        self.keepers = []
        self.keeper_pipe = None

    def add(self, s):
        sid = self.next_id
        self.next_id += 1
        self.socks[sid] = s
        return sid

    def desc(self, sid):
        s = self.socks[sid]
        la = s.getsockname()
        try:
            ra = s.getpeername()
        except OSError:
            ra = ('::' if s.family == socket.AF_INET6 else '0.0.0.0', 0)
        return {'id': sid, 'inode': os.fstat(s.fileno()).st_ino, 'pid': os.getpid(),
                'family': 6 if s.family == socket.AF_INET6 else 4,
                'laddr': la[0], 'lport': la[1], 'raddr': ra[0], 'rport': ra[1]}

    def op_hello(self, name):
        with open('/proc/self/comm', 'w') as f:
            f.write(name)
        return {'pid': os.getpid()}

    def op_tcp_listen(self, host, backlog=4096, port=0):
        s = socket.socket(family_of(host), socket.SOCK_STREAM)
        s.bind((host, port))
        s.listen(backlog)
        return self.desc(self.add(s))

    def op_tcp_connect(self, host, port, family=None, count=1, bind=None):
        out = []
        for _ in range(count):
            s = socket.socket(family or family_of(host), socket.SOCK_STREAM)
            if bind:   # the local address; else the kernel picks (127.0.0.1)
                s.bind((bind, 0))
            s.connect((host, port))
            out.append(self.desc(self.add(s)))
        return out

    def op_tcp_accept(self, id, count=1):
        out = []
        for _ in range(count):
            s, _ = self.socks[id].accept()
            out.append(self.desc(self.add(s)))
        return out

    def op_udp_bind(self, host, count=1):
        out = []
        for _ in range(count):
            s = socket.socket(family_of(host), socket.SOCK_DGRAM)
            s.bind((host, 0))
            out.append(self.desc(self.add(s)))
        return out

    def op_udp_connect(self, host, port, bind):
        s = socket.socket(family_of(host), socket.SOCK_DGRAM)
        s.bind((bind, 0))
        s.connect((host, port))
        return self.desc(self.add(s))

    def op_send(self, id, nbytes):
        self.socks[id].send(b'x' * nbytes)
        return {}

    def op_recv(self, id, nbytes=65536, timeout=5.0):
        """What one recv sees: the bytes, or the end of the stream, or the
        error's name (ECONNRESET, ECONNABORTED...), or nothing in time.
        Never an 'error' answer: a closed connection is what is asked."""
        s = self.socks[id]
        s.settimeout(timeout)
        try:
            data = s.recv(nbytes)
        except socket.timeout:
            return {'timeout': True}
        except OSError as e:
            return {'errno': errno.errorcode.get(e.errno, str(e.errno))}
        finally:
            s.settimeout(None)
        return {'nbytes': len(data), 'eof': not data}

    def op_send_paced(self, id, rate, seconds, period=0.01):
        """Sends rate bytes a second for seconds, in chunks every period on
        an absolute schedule (a late chunk catches up, the pace does not
        drift), from a thread; answers at once."""
        s, chunk = self.socks[id], b'p' * max(1, int(rate * period))

        def pace():
            start, k = time.monotonic(), 0
            try:
                while k * period < seconds:
                    delay = start + k * period - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    s.sendall(chunk)
                    k += 1
            except OSError:
                pass   # the test closed it first
        threading.Thread(target=pace, daemon=True).start()
        return {}

    def op_drain(self, id):
        """Reads and drops everything that arrives, from a thread, until
        the connection ends; answers at once."""
        s = self.socks[id]

        def drain():
            try:
                while s.recv(1 << 16):
                    pass
            except OSError:
                pass
        threading.Thread(target=drain, daemon=True).start()
        return {}

    def op_close(self, id):
        self.socks.pop(id).close()
        return {}

    def op_fork_keepers(self, count):
        """Forks children that keep every socket open, like a pre-forked
        server; they exit when this holder does (their pipe reads EOF)."""
        if self.keeper_pipe is None:
            self.keeper_pipe = os.pipe()
        r, w = self.keeper_pipe
        keep = {r} | {s.fileno() for s in self.socks.values()}
        for _ in range(count):
            pid = os.fork()
            if pid == 0:
                keeper_main(r, keep)
            self.keepers.append(pid)
        return {'pids': self.keepers}

    def serve(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for line in sys.stdin:
            req = json.loads(line)
            op = req.pop('op')
            try:
                ans = getattr(self, 'op_' + op)(**req)
            except Exception as e:  # the answer carries it back to the test
                ans = {'error': '%s: %s' % (type(e).__name__, e)}
            sys.stdout.write(json.dumps(ans) + '\n')
            sys.stdout.flush()
        for pid in self.keepers:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)


def keeper_main(r, keep):
    for fd in range(0, 1024):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    try:
        os.read(r, 1)
    finally:
        os._exit(0)


# ----------------------------------------------------------- test running

def main():
    """unittest.main, with automake's codes: 77 when every test skipped."""
    sockeye_path()
    prog = unittest.main(module='__main__', exit=False, verbosity=2)
    res = prog.result
    if res.failures or res.errors or res.unexpectedSuccesses:
        sys.exit(1)
    # A class skipped in setUpClass runs none of its tests and is listed
    # once in skipped, not as a test: it counts as skipped, not as passed.
    skipped_tests = sum(isinstance(t, unittest.TestCase) for t, _ in res.skipped)
    if res.skipped and res.testsRun == skipped_tests:
        sys.exit(SKIP)
    sys.exit(0)


if __name__ == '__main__' and sys.argv[1:] == ['--holder']:
    HolderServer().serve()
