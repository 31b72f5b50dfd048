"""benchlib.py: what the screen benchmarks share -- finding the programs, a
private tmux server that runs a program at a fixed terminal size, and a
socket load (the shared sockload tool) held in a network namespace of its
own, so the figures measure the load we made and not whatever else the
machine's loopback is doing.

Not a test module: nothing here asserts anything about time.
"""
import atexit
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def die(msg):
    sys.exit('%s: %s' % (os.path.basename(sys.argv[0]), msg))


def find_sockeye(given):
    """The sockeye binary: --sockeye, $SOCKEYE, or ./sockeye (a build dir)."""
    for path in (given, os.environ.get('SOCKEYE'), os.path.abspath('sockeye')):
        if path and os.access(path, os.X_OK):
            return os.path.abspath(path)
    die('no sockeye binary: run from the build directory, or pass --sockeye PATH')


def find_sockload(given):
    """The shared load tool: --sockload, $SOCKLOAD, shared/ beside the
    checkout, or /work/shared/tools/sockload."""
    for path in (given, os.environ.get('SOCKLOAD'),
                 os.path.join(os.path.dirname(TOP), 'shared', 'tools', 'sockload'),
                 '/work/shared/tools/sockload'):
        if path and os.access(path, os.X_OK):
            return os.path.abspath(path)
    die('no sockload: pass --sockload PATH (the shared load tool)')


def utf8_env():
    """LANG for the programs under test: a UTF-8 locale when one exists, so
    both draw their line-drawing and arrow glyphs the same way."""
    out = subprocess.run(['locale', '-a'], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode('ascii', 'replace').split()
    for want in ('C.utf8', 'C.UTF-8', 'en_US.utf8', 'en_US.UTF-8'):
        if want in out:
            return want
    return 'C'


def rss_kib(pid):
    """VmRSS of pid in KiB, or None once it is gone."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def table_count(sockeye, prefix=()):
    """Sockets in the table as a one-shot `sockeye --batch --json` sees it,
    run under prefix (a namespace-entering command, or nothing)."""
    out = subprocess.run(list(prefix) + [sockeye, '--batch', '--json'],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, timeout=120).stdout
    return sum(1 for line in out.splitlines() if line.startswith('{'))


def pane_program(pane_pid, sockeye):
    """The pid of the program a tmux pane runs: the pane's shell exec'ed
    env (and nsenter), then sockeye, so the same pid once they are done."""
    for _ in range(50):
        try:
            if os.readlink('/proc/%d/exe' % pane_pid) == sockeye:
                return pane_pid
        except OSError:
            pass
        time.sleep(0.1)
    die('a screen pane does not run %s' % sockeye)


def summary(values):
    """median, p90, min, max of a list of numbers."""
    s = sorted(values)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return statistics.median(s), p90, s[0], s[-1]


# ------------------------------------------------------------------ load

class Load:
    """sockload running in a fresh network namespace (only its loopback
    sockets exist there), or in the machine's own when shared=True.
    prefix() is what to put before a command to run it beside the load."""

    def __init__(self, sockload, args, shared=False, timeout=300):
        self.dir = tempfile.mkdtemp(prefix='sb-load-')
        ready = os.path.join(self.dir, 'ready')
        cmd = [sockload] + list(args) + ['--ready-file', ready]
        self.shared = shared or not self._can_unshare()
        if not self.shared:
            cmd = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'] + cmd
        self.log = open(os.path.join(self.dir, 'log'), 'w+')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        end = time.monotonic() + timeout
        while not os.path.exists(ready) or os.path.getsize(ready) == 0:
            if self.proc.poll() is not None:
                self.log.seek(0)
                die('sockload failed: %s' % self.log.read().strip())
            if time.monotonic() > end:
                die('sockload not ready within %ds' % timeout)
            time.sleep(0.1)

    @staticmethod
    def _can_unshare():
        if os.geteuid() != 0 or not shutil.which('unshare'):
            return False
        return subprocess.run(['unshare', '-n', 'true'], stderr=subprocess.DEVNULL).returncode == 0

    def where(self):
        return 'the machine\'s own network namespace' if self.shared \
            else 'a private network namespace (unshare -n)'

    def prefix(self):
        if self.shared:
            return []
        return ['nsenter', '--net=/proc/%d/ns/net' % self.proc.pid]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ tmux

class Tmux:
    """A private tmux server: its own socket name and config (no status
    line, so a WxH window is a WxH pane; no user config)."""

    def __init__(self, tag):
        if not shutil.which('tmux'):
            die('tmux is not installed')
        self.name = '%s-%d-%s' % (tag, os.getpid(), os.urandom(3).hex())
        self.dir = tempfile.mkdtemp(prefix='sb-tmux-')
        self.conf = os.path.join(self.dir, 'tmux.conf')
        with open(self.conf, 'w') as f:
            f.write('set -g status off\nset -g escape-time 0\nset -g history-limit 0\n'
                    'set -g default-terminal tmux-256color\n'
                    'set -g default-shell /bin/sh\n')
        self.killed = False
        atexit.register(self.kill)

    def run(self, *args, check=True):
        cp = subprocess.run(['tmux', '-L', self.name, '-f', self.conf] + list(args),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        if check and cp.returncode:
            die('tmux %s: %s' % (' '.join(args), cp.stderr.decode('utf-8', 'replace').strip()))
        return cp.stdout.decode('utf-8', 'replace')

    def start(self, session, argv, width, height, env):
        """Runs argv in a new detached session of width x height."""
        words = ['exec', 'env'] + ['%s=%s' % kv for kv in sorted(env.items())] + list(argv)
        self.run('new-session', '-d', '-s', session, '-x', str(width), '-y', str(height),
                 ' '.join(shell_quote(w) for w in words))

    def capture(self, session, styled=False):
        return self.run('capture-pane', '-p', *(['-e'] if styled else []), '-t', session + ':')

    def lines(self, session):
        return self.capture(session).split('\n')

    def wait_for(self, session, pred, what, timeout=60):
        end = time.monotonic() + timeout
        while True:
            lines = self.lines(session)
            if pred(lines):
                return lines
            if time.monotonic() > end:
                die('%s did not appear within %ds; the screen:\n%s'
                    % (what, timeout, '\n'.join(lines)))
            time.sleep(0.1)

    def keys(self, session, *names):
        self.run('send-keys', '-t', session + ':', *names)

    def pane_pid(self, session):
        return int(self.run('display-message', '-p', '-t', session + ':', '#{pane_pid}').strip())

    def kill(self):
        if not self.killed:
            self.killed = True
            self.run('kill-server', check=False)
            shutil.rmtree(self.dir, ignore_errors=True)


def shell_quote(word):
    if word and all(c.isalnum() or c in '-_./=:,@%+' for c in word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"
