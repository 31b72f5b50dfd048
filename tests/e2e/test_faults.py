"""test_faults.py: sockeye under faults: netlink failing
and recovering, output into a closed pipe or a full disk, few file
descriptors, little memory, signal storms on the screen, /proc hiding other
users' processes, and running as an ordinary user.

The netlink failures come from tests/tools/nlfail.so ($NLFAIL), loaded
with LD_PRELOAD into the real binary: while its control file exists,
recvmsg() on sock_diag sockets fails, as a dump broken off by the kernel
would. Tests that need root (another user, a mount namespace) or tmux skip
with a message when they cannot run. Exit codes: 0 pass, 1 fail, 77 skip."""
import json
import os
import pwd
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

# The note for a namespace left out for want of file descriptors.
FD_NOTE = re.compile(rb'sockeye: (note: )?network namespace [^\n]* skipped: too few file '
                     rb'descriptors left[^\n]*\n')

# This run's own loopback address, so other tests' sockets never match.
ADDR = '127.%d.%d.%d' % (100 + os.getpid() % 150, os.urandom(1)[0], 1 + os.urandom(1)[0] % 254)
SERVER = None   # the private tmux server, made in main() when tmux exists
# A python another user may run (the one running the tests may sit in a
# home directory nobody can enter).
PYTHON = '/usr/bin/python3' if os.access('/usr/bin/python3', os.X_OK) else sys.executable


def shim():
    """The LD_PRELOAD shim, or skip."""
    path = os.environ.get('NLFAIL')
    if not path or not os.path.exists(path):
        raise unittest.SkipTest('NLFAIL is not set to the built tests/tools/nlfail.so')
    return path


def shim_env(control):
    """Environment loading the shim with control as its switch. A sanitizer
    build wants its runtime first among libraries; the shim goes before it,
    which is harmless here, so that check is turned off."""
    asan = os.environ.get('ASAN_OPTIONS', '')
    return {'LD_PRELOAD': shim(), 'NLFAIL_FILE': control,
            'ASAN_OPTIONS': (asan + ':' if asan else '') + 'verify_asan_link_order=0'}


def listener(host=ADDR):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, 0))
    s.listen(8)
    return s


class Lines:
    """Collects a pipe's lines on a thread, so a test can wait for one."""

    def __init__(self, stream):
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.thread.start()

    def read(self, stream):
        for line in iter(stream.readline, b''):
            with self.lock:
                self.lines.append(line.decode('utf-8', 'replace'))

    def wait(self, pred, what, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                for line in self.lines:
                    if pred(line):
                        return line
            time.sleep(0.05)
        with self.lock:
            raise AssertionError('%s: not seen within %gs; got:\n%s'
                                 % (what, timeout, ''.join(self.lines)[-3000:]))

    def text(self):
        with self.lock:
            return ''.join(self.lines)


def event_for(port, kind):
    def pred(line):
        try:
            e = json.loads(line)
        except ValueError:
            return False
        return e.get('event') == kind and e.get('lport') == port and e.get('laddr') == ADDR
    return pred


def no_sigpipe():
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def nobody():
    """(uid, gid) of nobody, or skip when it cannot be used."""
    if os.geteuid() != 0:
        raise unittest.SkipTest('becoming another user needs root')
    try:
        pw = pwd.getpwnam('nobody')
    except KeyError:
        raise unittest.SkipTest('no user nobody here')
    return pw.pw_uid, pw.pw_gid


def as_user(uid, gid):
    def become():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        # The user's own home, as a login gives (not root's, unreadable).
        os.environ['HOME'] = pwd.getpwuid(uid).pw_dir
        os.environ.pop('XDG_CONFIG_HOME', None)
    return become


def user_env(uid):
    """The environment uid would have: its own HOME."""
    env = dict(os.environ, HOME=pwd.getpwuid(uid).pw_dir)
    env.pop('XDG_CONFIG_HOME', None)
    return env


def world_readable_copy(path):
    """A copy of the binary nobody may run (a build tree may be private)."""
    d = tempfile.mkdtemp(prefix='sockeye-faults-')
    os.chmod(d, 0o755)
    dst = os.path.join(d, 'sockeye')
    shutil.copy(path, dst)
    os.chmod(dst, 0o755)
    return d, dst


# ------------------------------------------------------------ netlink faults

class NetlinkFailure(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='nlfail-')
        self.control = os.path.join(self.dir, 'fail')

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fail_netlink(self, errno_value=5):
        with open(self.control, 'w') as f:
            f.write('%d\n' % errno_value)

    def test_events_read_proc_while_netlink_fails_and_netlink_again_when_it_works(self):
        env = dict(os.environ, **shim_env(self.control))
        p = subprocess.Popen([S.sockeye_path(), '--events', '--json', '-i', '0.2',
                              'laddr:' + ADDR], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        out, err = Lines(p.stdout), Lines(p.stderr)
        socks = []
        try:
            time.sleep(0.6)   # past the baseline poll
            self.fail_netlink()
            err.wait(lambda l: 'reading /proc/net until netlink works again' in l,
                     'the note saying netlink failed and /proc/net is read')
            socks.append(listener())
            port = socks[-1].getsockname()[1]
            out.wait(event_for(port, 'new'), 'a socket opened while netlink fails')
            os.unlink(self.control)
            err.wait(lambda l: 'netlink sock_diag works again' in l,
                     'the note saying netlink works again')
            socks.append(listener())
            port2 = socks[-1].getsockname()[1]
            out.wait(event_for(port2, 'new'), 'a socket opened after netlink recovered')
            self.assertIsNone(p.poll(), 'sockeye exited: %s' % err.text())
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=10)
            for s in socks:
                s.close()
        self.assertEqual(rc, 0, err.text())
        notes = [l for l in err.text().splitlines() if 'until netlink works again' in l]
        self.assertEqual(len(notes), 1, 'one note for one outage, not one a poll:\n'
                         + err.text())

    def test_batch_lists_sockets_from_proc_when_every_dump_fails(self):
        self.fail_netlink()
        s = listener()
        try:
            cp = S.run(['--batch', '--json', 'laddr:' + ADDR], env=shim_env(self.control))
        finally:
            port = s.getsockname()[1]
            s.close()
        self.assertEqual(cp.returncode, 0, S.describe(['--batch'], cp))
        recs = S.parse_json_lines(cp.stdout)
        self.assertEqual([(r['lport'], r['state']) for r in recs], [(port, 'LISTEN')])
        self.assertIn(b'Input/output error; reading /proc/net', cp.stderr)

    def test_source_netlink_failing_is_an_error_naming_the_dump(self):
        self.fail_netlink(1)   # EPERM, as a filter in front of the kernel would say
        cp = S.run(['--batch', '--source=netlink'], env=shim_env(self.control))
        self.assertEqual(cp.returncode, 1, S.describe(['--source=netlink'], cp))
        self.assertRegex(cp.stderr.decode(), r'^sockeye: netlink sock_diag dump of '
                                             r'\S+: Operation not permitted\n$')
        self.assertEqual(cp.stdout, b'')

    def test_screen_header_says_why_proc_is_read_and_forgets_it_when_netlink_works(self):
        if SERVER is None:
            raise unittest.SkipTest('tmux is not installed')
        env = shim_env(self.control)
        env.update(TERM=T.best_term(), LANG=T.utf8_locale() or 'C')
        self.fail_netlink()
        pane = SERVER.pane([S.sockeye_path(), '-i', '0.3'], width=200, height=30, env=env)
        try:
            # Generous: the first poll of a busy shared machine can be slow.
            pane.wait(lambda ls: 'source proc' in ls[0] and 'until netlink works again' in ls[0],
                      'the header naming /proc/net and why', timeout=30)
            os.unlink(self.control)
            pane.wait(lambda ls: 'source netlink' in ls[0] and 'netlink works' not in ls[0],
                      'the header back on netlink without the note', timeout=30)
        finally:
            pane.close()


# ------------------------------------------------------------ pipes and disks

class Output(unittest.TestCase):
    def closed_pipe(self):
        r, w = os.pipe()
        os.close(r)
        return w

    def run_into(self, args, stdout, sigpipe_ignored, timeout=10):
        try:
            cp = subprocess.run([S.sockeye_path()] + args, stdin=subprocess.DEVNULL,
                                stdout=stdout, stderr=subprocess.PIPE, timeout=timeout,
                                preexec_fn=no_sigpipe if sigpipe_ignored else None)
        except subprocess.TimeoutExpired:
            raise AssertionError('sockeye %s did not stop within %ds writing into %s'
                                 % (' '.join(args), timeout, stdout))
        return cp

    def test_batch_into_a_closed_pipe_dies_of_sigpipe_silently(self):
        w = self.closed_pipe()
        try:
            cp = self.run_into(['--batch'], w, sigpipe_ignored=False)
        finally:
            os.close(w)
        self.assertEqual(cp.returncode, -signal.SIGPIPE)
        self.assertEqual(cp.stderr, b'')

    def test_batch_into_a_closed_pipe_with_sigpipe_ignored_exits_0_silently(self):
        w = self.closed_pipe()
        try:
            cp = self.run_into(['--batch'], w, sigpipe_ignored=True)
        finally:
            os.close(w)
        self.assertEqual((cp.returncode, cp.stderr), (0, b''))

    def test_batch_piped_into_head_prints_one_line_and_no_error(self):
        cp = subprocess.run(['/bin/bash', '-c', '"$0" --batch -n 3 -i 0.1 | head -1; '
                             'echo "status ${PIPESTATUS[0]}"', S.sockeye_path()],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=20)
        lines = cp.stdout.decode().splitlines()
        self.assertEqual(len(lines), 2, cp.stdout)
        self.assertTrue(lines[0].startswith('PROTO'), lines)
        # Killed by SIGPIPE (141 in a shell), or done before head left.
        self.assertIn(lines[1], ('status 141', 'status 0'))
        self.assertEqual(cp.stderr, b'')

    def test_events_into_a_closed_pipe_stops_at_once_even_without_events(self):
        # A filter nothing matches: sockeye has nothing to write, and must
        # still notice its reader is gone.
        for ignored in (False, True):
            w = self.closed_pipe()
            try:
                start = time.monotonic()
                cp = self.run_into(['--events', '-i', '0.2', 'laddr:' + ADDR], w,
                                   sigpipe_ignored=ignored, timeout=5)
            finally:
                os.close(w)
            self.assertEqual((cp.returncode, cp.stderr), (0, b''))
            self.assertLess(time.monotonic() - start, 5)

    def test_events_into_a_closed_pipe_with_events_stop_silently(self):
        s = [listener()]
        w = self.closed_pipe()
        try:
            p = subprocess.Popen([S.sockeye_path(), '--events', '-i', '0.1',
                                  'laddr:' + ADDR], stdin=subprocess.DEVNULL, stdout=w,
                                 stderr=subprocess.PIPE, preexec_fn=no_sigpipe)
            for _ in range(10):
                s.append(listener())
                time.sleep(0.05)
            _, err = p.communicate(timeout=10)
        finally:
            os.close(w)
            for x in s:
                x.close()
        self.assertEqual((p.returncode, err), (0, b''))

    def test_batch_onto_a_full_disk_says_so_and_exits_1(self):
        if not os.path.exists('/dev/full'):
            raise unittest.SkipTest('no /dev/full')
        with open('/dev/full', 'w') as full:
            cp = self.run_into(['--batch'], full, sigpipe_ignored=False)
        self.assertEqual(cp.returncode, 1)
        self.assertEqual(cp.stderr, b'sockeye: cannot write the output: '
                                    b'No space left on device\n')


# ------------------------------------------------------------ resources

def limit_fds(n):
    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return apply


class Resources(unittest.TestCase):
    def test_batch_and_events_work_with_32_file_descriptors(self):
        holder = S.Holder('fdlimit')
        try:
            ls = holder.call('tcp_listen', host=ADDR)
            for args in (['--batch', '--json'], ['--events', '--json', '-n', '3', '-i', '0.2']):
                cp = subprocess.run([S.sockeye_path()] + args + ['laddr:' + ADDR, 'state:listen'],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, timeout=20, preexec_fn=limit_fds(32))
                # Other tests' namespaces may not fit beside /proc: each
                # one left out says so; nothing else is said.
                self.assertEqual((cp.returncode, FD_NOTE.sub(b'', cp.stderr)), (0, b''),
                                 S.describe(args, cp))
                if args[0] == '--batch':
                    recs = S.parse_json_lines(cp.stdout)
                    self.assertEqual([(r['lport'], list(S.rec_pids(r))) for r in recs],
                                     [(ls['lport'], [holder.pid])])
        finally:
            holder.close()

    def test_namespaces_beyond_32_file_descriptors_are_skipped_not_the_table(self):
        # Each namespace read takes two sockets; with a dozen of them and
        # ulimit -n 32, some must be left out, never /proc or our own.
        if os.geteuid() != 0 or not shutil.which('ip'):
            self.skipTest('making network namespaces needs root and ip(8)')
        names = ['sockeye-fd-%d-%d' % (os.getpid(), i) for i in range(12)]
        holder = S.Holder('fdnetns')
        try:
            for n in names:
                if subprocess.run(['ip', 'netns', 'add', n], stderr=subprocess.PIPE).returncode:
                    self.skipTest('ip netns add failed')
            ls = holder.call('tcp_listen', host=ADDR)
            cp = subprocess.run([S.sockeye_path(), '--batch', '--json', 'laddr:' + ADDR],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=20, preexec_fn=limit_fds(32))
            self.assertEqual(cp.returncode, 0, S.describe(['--batch'], cp))
            self.assertIn(b'too few file descriptors', cp.stderr, S.describe(['--batch'], cp))
            self.assertEqual(FD_NOTE.sub(b'', cp.stderr), b'', S.describe(['--batch'], cp))
            recs = S.parse_json_lines(cp.stdout)
            self.assertEqual([(r['lport'], list(S.rec_pids(r))) for r in recs],
                             [(ls['lport'], [holder.pid])])
        finally:
            holder.close()
            for n in names:
                subprocess.run(['ip', 'netns', 'delete', n], stderr=subprocess.DEVNULL)

    def test_too_few_file_descriptors_is_one_clear_error(self):
        # stdin, stdout, stderr and one more (the loader needs it to start
        # the program at all): too few for /proc and netlink at once.
        cp = subprocess.run([S.sockeye_path(), '--batch'], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20,
                            preexec_fn=limit_fds(4))
        self.assertEqual(cp.returncode, 1, S.describe(['--batch'], cp))
        self.assertRegex(cp.stderr.decode(), r'^sockeye: [^\n]*(descriptor|Too many open files)'
                                             r'[^\n]*\n$')

    def test_screen_works_with_32_file_descriptors(self):
        if SERVER is None:
            raise unittest.SkipTest('tmux is not installed')
        holder = S.Holder('fdscreen')
        try:
            ls = holder.call('tcp_listen', host=ADDR)
            cmd = ['/bin/sh', '-c', 'ulimit -n 32 && exec "$0" -i 0.3 "$1"',
                   S.sockeye_path(), 'laddr:' + ADDR]
            pane = SERVER.pane(cmd, width=160, height=30,
                               env={'TERM': T.best_term(), 'LANG': T.utf8_locale() or 'C'})
            try:
                pane.wait(lambda ls_: any('%s:%d' % (ADDR, ls['lport']) in l and 'fdscreen' in l
                                          for l in ls_), 'the listener with its owner')
                pane.keys('q')
                self.assertEqual(pane.wait_exit(), 0)
            finally:
                pane.close()
        finally:
            holder.close()

    def test_out_of_memory_is_one_clear_error(self):
        with open(S.sockeye_path(), 'rb') as f:
            if b'__asan_init' in f.read():
                self.skipTest('AddressSanitizer reserves terabytes of address space: '
                              'a small RLIMIT_AS stops it before sockeye runs')
        # Address spaces from too small for anything up to enough: each run
        # either works, or says it ran out of memory and exits 1; never a
        # crash. (The smallest may not even load the program: that is the
        # loader's message, status 127, and proves nothing either way.)
        socks = [listener() for _ in range(200)]
        outcomes = []
        try:
            # Fine steps where the program starts to load, coarser beyond:
            # libsqlite3 (the recorder's) is mapped into every run.
            for limit_kib in list(range(2048, 16384, 256)) + list(range(16384, 49152, 2048)):
                limit = limit_kib << 10

                def apply(limit=limit):
                    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                # Our namespace's table only: what other namespaces on the
                # machine hold would move the limits tried.
                cp = subprocess.run([S.sockeye_path(), '--batch', '--json', '--no-all-netns'],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, timeout=20, preexec_fn=apply)
                err = cp.stderr.decode('utf-8', 'replace')
                if cp.returncode == 127 and 'error while loading shared libraries' in err:
                    continue
                outcomes.append(cp.returncode)
                if cp.returncode != 0:
                    self.assertEqual(cp.returncode, 1, '%d KiB: %s'
                                     % (limit_kib, S.describe(['--batch'], cp)))
                    # A namespace other than ours (other tests make them)
                    # may be skipped first, with a note of its own.
                    self.assertRegex(err, r'^(sockeye: network namespace [^\n]* skipped: '
                                          r'[^\n]*\n)*'
                                          r'sockeye: [^\n]*(out of memory|Cannot allocate '
                                          r'memory)[^\n]*\n$')
        finally:
            for s in socks:
                s.close()
        self.assertIn(1, outcomes, 'no address space tried was small enough to fail')
        self.assertIn(0, outcomes, 'no address space tried was large enough to work')


# ------------------------------------------------------------ the screen and signals

def terminal_restored(lines):
    """The pane's shell printed stty -a after sockeye: cooked mode again."""
    text = ' '.join(lines)
    cooked = re.search(r'(?<!-)icanon', text) and re.search(r'(?<![-\w])echo ', text)
    return lines if 'DONE' in text and cooked else None


def sockeye_under(pid):
    """The pid of the sockeye process below pid (the pane's shells), or None."""
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open('/proc/%d/comm' % p) as f:
                if f.read().strip() == 'sockeye':
                    return p
        except OSError:
            continue
        todo += T.children(p)
    return None


class Signals(unittest.TestCase):
    def setUp(self):
        if SERVER is None:
            raise unittest.SkipTest('tmux is not installed')

    def start(self):
        """sockeye in a pane whose shell then shows the terminal's modes."""
        cmd = ['/bin/sh', '-c', '"$0" -i 0.2 "$1"; echo "status $?"; stty -a; echo DONE; sleep 60',
               S.sockeye_path(), 'laddr:' + ADDR]
        pane = SERVER.pane(cmd, width=160, height=40,
                           env={'TERM': T.best_term(), 'LANG': T.utf8_locale() or 'C'})
        pane.wait(lambda ls: ls[0].startswith('sockeye'), 'the screen')
        pid = sockeye_under(pane.shell_pid)
        self.assertIsNotNone(pid, 'no sockeye process under the pane')
        return pane, pid

    def storm_then(self, sig, count):
        pane, pid = self.start()
        try:
            for _ in range(count):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    break
            lines = pane.wait(terminal_restored, 'the shell after sockeye, in cooked mode')
            self.assertIn('status 0', ' '.join(lines))
            self.assertEqual(pane.display('#{alternate_on}'), '0',
                             'still on the alternate screen')
        finally:
            pane.close()

    def test_sigterm_storm_restores_the_terminal(self):
        self.storm_then(signal.SIGTERM, 200)

    def test_sigint_storm_restores_the_terminal(self):
        self.storm_then(signal.SIGINT, 200)

    def test_sighup_storm_restores_the_terminal(self):
        self.storm_then(signal.SIGHUP, 200)

    def test_keys_typed_during_a_sigwinch_storm_all_take_effect(self):
        pane, pid = self.start()
        stop = threading.Event()

        def storm():
            while not stop.is_set():
                try:
                    os.kill(pid, signal.SIGWINCH)
                except ProcessLookupError:
                    return
                time.sleep(0.0005)
        t = threading.Thread(target=storm, daemon=True)
        t.start()
        try:
            pane.keys('/', 'C-u')
            want = 'port:1-65535 proc:abcdefghijklmnopqrstuvwxyz'
            for ch in want:
                pane.type(ch)
            pane.keys('Enter')
            pane.wait(lambda ls: any(('Filter: ' + want) in l for l in ls),
                      'every key typed during the storm, in the filter')
            pane.keys('q')
            lines = pane.wait(terminal_restored, 'the shell after q, in cooked mode')
            self.assertIn('status 0', ' '.join(lines))
        finally:
            stop.set()
            t.join()
            pane.close()


# ------------------------------------------------------------ other users

class NotRoot(unittest.TestCase):
    def run_as(self, uid, gid, exe, args, prefix=()):
        return subprocess.run(list(prefix) + [exe] + args, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30,
                              preexec_fn=as_user(uid, gid))

    def check_table(self, uid, gid, prefix=()):
        """As nobody: the table holds root's listener (no owner) and
        nobody's own (with its owner)."""
        d, exe = world_readable_copy(S.sockeye_path())
        mine = listener()
        theirs = subprocess.Popen(
            [PYTHON, '-c', 'import socket,sys,time\n'
             's=socket.socket(); s.bind((sys.argv[1],0)); s.listen(); '
             'print(s.getsockname()[1], flush=True); time.sleep(60)', ADDR],
            stdout=subprocess.PIPE, preexec_fn=as_user(uid, gid))
        try:
            their_port = int(theirs.stdout.readline())
            cp = self.run_as(uid, gid, exe, ['--batch', '--json', 'laddr:' + ADDR], prefix)
            self.assertEqual(cp.returncode, 0, S.describe(['--batch'], cp))
            recs = {r['lport']: r for r in S.parse_json_lines(cp.stdout)}
            self.assertEqual(sorted(recs), sorted([mine.getsockname()[1], their_port]))
            self.assertEqual(recs[mine.getsockname()[1]]['procs'], [])
            self.assertEqual(recs[mine.getsockname()[1]]['uid'], os.geteuid())
            self.assertEqual(list(S.rec_pids(recs[their_port])), [theirs.pid])
            self.assertEqual(recs[their_port]['procs'][0]['user'], 'nobody')
        finally:
            theirs.kill()
            theirs.wait()
            theirs.stdout.close()
            mine.close()
            shutil.rmtree(d, ignore_errors=True)

    def test_as_nobody_the_table_is_complete_and_own_sockets_have_owners(self):
        uid, gid = nobody()
        self.check_table(uid, gid)

    def test_with_hidepid_the_table_is_complete_and_own_sockets_have_owners(self):
        uid, gid = nobody()
        if not shutil.which('unshare'):
            raise unittest.SkipTest('unshare (util-linux) is not installed')
        probe = subprocess.run(['unshare', '-m', 'sh', '-c',
                                'mount -t proc -o hidepid=2 proc /proc'],
                               stderr=subprocess.PIPE)
        if probe.returncode != 0:
            raise unittest.SkipTest('cannot mount /proc with hidepid=2 here: %s'
                                    % probe.stderr.decode().strip())
        if not shutil.which('setpriv'):
            raise unittest.SkipTest('setpriv (util-linux) is not installed')
        self.check_table_hidepid(uid, gid)

    def check_table_hidepid(self, uid, gid):
        """In a mount namespace of its own, /proc mounted again with
        hidepid=2, then as nobody: a python holding a listener runs sockeye."""
        d, exe = world_readable_copy(S.sockeye_path())
        mine = listener()
        try:
            script = ('mount -t proc -o hidepid=2 proc /proc && '
                      'exec setpriv --reuid=%d --regid=%d --clear-groups "$0" "$@"' % (uid, gid))
            code = ('import socket,subprocess,sys\n'
                    's=socket.socket(); s.bind((sys.argv[1],0)); s.listen()\n'
                    'cp=subprocess.run(sys.argv[2:], capture_output=True)\n'
                    'sys.stdout.write(str(s.getsockname()[1])+"\\n"+cp.stdout.decode())\n'
                    'sys.stderr.write(cp.stderr.decode()); sys.exit(cp.returncode)')
            cp = subprocess.run(['unshare', '-m', 'sh', '-c', script, PYTHON, '-c', code,
                                 ADDR, exe, '--batch', '--json', 'laddr:' + ADDR],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=30, env=user_env(uid))
            self.assertEqual(cp.returncode, 0, S.describe(['--batch', '(hidepid=2)'], cp))
            first, _, rest = cp.stdout.partition(b'\n')
            own_port = int(first)
            recs = {r['lport']: r for r in S.parse_json_lines(rest)}
            # root's listener is there, without owner; nobody's own (the
            # python holding own_port runs as nobody) shows its owner.
            self.assertEqual(sorted(recs), sorted([mine.getsockname()[1], own_port]))
            self.assertEqual(recs[mine.getsockname()[1]]['procs'], [])
            self.assertEqual([o['user'] for o in recs[own_port]['procs']], ['nobody'])
        finally:
            mine.close()
            shutil.rmtree(d, ignore_errors=True)

    def test_with_hidepid_the_screen_says_why_owners_are_unknown(self):
        uid, gid = nobody()
        if SERVER is None:
            raise unittest.SkipTest('tmux is not installed')
        if not shutil.which('setpriv') or not shutil.which('unshare'):
            raise unittest.SkipTest('setpriv and unshare (util-linux) are needed')
        d, exe = world_readable_copy(S.sockeye_path())
        mine = listener()
        try:
            script = ('mount -t proc -o hidepid=2 proc /proc && exec setpriv --reuid=%d '
                      '--regid=%d --clear-groups "$0" -i 0.3 "$1"' % (uid, gid))
            pane = SERVER.pane(['unshare', '-m', 'sh', '-c', script, exe, 'laddr:' + ADDR],
                               width=160, height=30,
                               env={'TERM': T.best_term(), 'LANG': T.utf8_locale() or 'C',
                                    'HOME': pwd.getpwuid(uid).pw_dir, 'XDG_CONFIG_HOME': None})
            try:
                pane.wait(lambda ls: 'not root: owners of other users\' sockets unknown' in ls[2]
                          and any('%s:%d' % (ADDR, mine.getsockname()[1]) in l for l in ls),
                          'root\'s listener, and the note on the header\'s third line')
            finally:
                pane.close()
        finally:
            mine.close()
            shutil.rmtree(d, ignore_errors=True)


def main():
    S.sockeye_path()
    T.run_tests(sys.modules[__name__], 'sockeye-faults', S.main)


if __name__ == '__main__':
    main()
