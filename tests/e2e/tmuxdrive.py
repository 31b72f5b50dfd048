"""tmuxdrive.py: drive a full-screen program in a detached tmux pane, the way
a person at a terminal would, for the end-to-end screen tests.

A Server is one private tmux server (its own socket name, so parallel runs
never meet, and a config of our own, so no user's ~/.tmux.conf changes what
is drawn). A Pane is one session of it running one command at a fixed size:
keys go in with send-keys, the screen comes out with capture-pane, as text
or as cells carrying their colours and attributes (parsed from -e).

Waiting is always polling for what should appear, with a timeout, never a
fixed sleep; a timeout fails with the screen as it was, so a failure says
what the person would have seen.
"""
import atexit
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

POLL = 0.05   # seconds between captures while waiting


def tmux_path():
    return shutil.which('tmux')


def server_or_skip():
    """A private tmux server for a test file whose every test needs one;
    without tmux, the file is skipped (exit 77, automake's SKIP) saying so."""
    if not tmux_path():
        print('SKIP: tmux is not installed (apt-get install tmux)')
        sys.exit(77)
    return Server()


def run_tests(module, tag, run, needed=False):
    """module.SERVER is a private tmux server while run() runs, killed
    after. Without tmux: None where only some tests need it, else (needed)
    the file is skipped, saying so, as server_or_skip does."""
    module.SERVER = server_or_skip() if needed else Server(tag) if tmux_path() else None
    try:
        run()
    finally:
        if module.SERVER:
            module.SERVER.kill()


def have_term(name):
    """Whether terminfo knows the terminal name (infocmp comes with ncurses)."""
    try:
        return subprocess.run(['infocmp', name], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def best_term():
    """The TERM to give programs in a pane: what tmux itself emulates."""
    for name in ('tmux-256color', 'screen-256color', 'screen'):
        if have_term(name):
            return name
    return 'xterm'


def utf8_locale():
    """A UTF-8 locale that exists here, or None."""
    try:
        out = subprocess.run(['locale', '-a'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=10).stdout.decode('ascii', 'replace').split()
    except (OSError, subprocess.TimeoutExpired):
        return None
    for want in ('C.utf8', 'C.UTF-8', 'en_US.utf8', 'en_US.UTF-8'):
        if want in out:
            return want
    return next((n for n in out if n.lower().endswith(('.utf8', '.utf-8'))), None)


# ------------------------------------------------------------------ styles

class Style:
    """One cell's look: fg and bg as colour numbers (None: the terminal's
    default; 0-7 basic, 8-15 bright, up to 255; ('rgb', r, g, b)), and the
    set of attributes among bold dim italic underline blink reverse."""
    __slots__ = ('fg', 'bg', 'attrs')

    def __init__(self, fg=None, bg=None, attrs=()):
        self.fg, self.bg, self.attrs = fg, bg, frozenset(attrs)

    def key(self):
        return (self.fg, self.bg, self.attrs)

    def __eq__(self, other):
        return isinstance(other, Style) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return 'Style(fg=%r, bg=%r, %s)' % (self.fg, self.bg, '+'.join(sorted(self.attrs)) or 'plain')

    def coloured(self):
        return self.fg is not None or self.bg is not None


ATTR_ON = {1: 'bold', 2: 'dim', 3: 'italic', 4: 'underline', 5: 'blink', 7: 'reverse'}
ATTR_OFF = {22: ('bold', 'dim'), 23: ('italic',), 24: ('underline',), 25: ('blink',),
            27: ('reverse',)}

CSI = re.compile(r'\x1b\[([0-9;:]*)([A-Za-z])')
OTHER_ESC = re.compile(r'\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])')


def sgr_params(text):
    """Every SGR sequence in text, as a list of int lists."""
    out = []
    for m in CSI.finditer(text):
        if m.group(2) == 'm':
            out.append([int(p) if p else 0 for p in re.split('[;:]', m.group(1))])
    return out


def colour_params(text):
    """The SGR parameters in text that set a colour (30-37, 40-47, 90-97,
    100-107, 38;5;N / 48;5;N, 38;2 / 48;2), as strings for messages."""
    found = []
    for ps in sgr_params(text):
        i = 0
        while i < len(ps):
            p = ps[i]
            if p in (38, 48):
                found.append(';'.join(str(x) for x in ps[i:i + 3]))
                i += 3 if i + 1 < len(ps) and ps[i + 1] == 5 else 5
                continue
            if 30 <= p <= 37 or 40 <= p <= 47 or 90 <= p <= 97 or 100 <= p <= 107:
                found.append(str(p))
            i += 1
    return found


def apply_sgr(state, ps):
    """Applies one SGR parameter list to state (a dict fg, bg, attrs set)."""
    i = 0
    while i < len(ps):
        p = ps[i]
        if p == 0:
            state['fg'] = state['bg'] = None
            state['attrs'] = set()
        elif p in ATTR_ON:
            state['attrs'].add(ATTR_ON[p])
        elif p in ATTR_OFF:
            state['attrs'].difference_update(ATTR_OFF[p])
        elif 30 <= p <= 37:
            state['fg'] = p - 30
        elif 40 <= p <= 47:
            state['bg'] = p - 40
        elif 90 <= p <= 97:
            state['fg'] = p - 90 + 8
        elif 100 <= p <= 107:
            state['bg'] = p - 100 + 8
        elif p == 39:
            state['fg'] = None
        elif p == 49:
            state['bg'] = None
        elif p in (38, 48):
            which = 'fg' if p == 38 else 'bg'
            if i + 2 < len(ps) and ps[i + 1] == 5:
                state[which] = ps[i + 2]
                i += 2
            elif i + 4 < len(ps) and ps[i + 1] == 2:
                state[which] = ('rgb',) + tuple(ps[i + 2:i + 5])
                i += 4
        i += 1


def parse_styled(text):
    """capture-pane -e output -> list of lines, each a list of (char, Style).
    tmux carries the style over from one line to the next, so the state
    runs through the whole capture."""
    state = {'fg': None, 'bg': None, 'attrs': set()}
    lines = []
    for raw in text.split('\n'):
        raw = OTHER_ESC.sub('', raw).replace('\x0e', '').replace('\x0f', '')
        cells, pos = [], 0
        for m in CSI.finditer(raw):
            for ch in raw[pos:m.start()]:
                cells.append((ch, Style(state['fg'], state['bg'], state['attrs'])))
            if m.group(2) == 'm':
                apply_sgr(state, [int(p) if p else 0 for p in re.split('[;:]', m.group(1))])
            pos = m.end()
        for ch in raw[pos:]:
            cells.append((ch, Style(state['fg'], state['bg'], state['attrs'])))
        lines.append(cells)
    return lines


def styled_text(cells):
    return ''.join(ch for ch, _ in cells)


# ------------------------------------------------------------------ tmux

class Server:
    """A private tmux server; kill() (also run at exit and on SIGTERM) ends
    it and everything in it."""

    def __init__(self, tag='sockeye-e2e'):
        self.tmux = tmux_path()
        self.name = '%s-%d-%s' % (tag, os.getpid(), os.urandom(3).hex())
        self.dir = tempfile.mkdtemp(prefix='tmuxdrive-')
        self.conf = os.path.join(self.dir, 'tmux.conf')
        with open(self.conf, 'w') as f:
            # No status line: the pane is the whole window. A pane whose
            # program ended stays, so its exit status can be read. The
            # shell that runs a pane's command line is /bin/sh: tmux
            # would otherwise take $SHELL, or with none the passwd entry's
            # (nobody's is nologin, and every pane would die at once).
            f.write('set -g status off\n'
                    'set -g default-shell /bin/sh\n'
                    'set -g remain-on-exit on\n'
                    'set -g escape-time 0\n'
                    'set -g history-limit 100\n')
        self.panes = 0
        self.killed = False
        atexit.register(self.kill)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def run(self, *args, check=True, timeout=15):
        cp = subprocess.run([self.tmux, '-L', self.name, '-f', self.conf] + list(args),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=timeout)
        if check and cp.returncode != 0:
            raise AssertionError('tmux %s failed (%d): %s'
                                 % (' '.join(args), cp.returncode,
                                    cp.stderr.decode('utf-8', 'replace').strip()))
        return cp.stdout.decode('utf-8', 'replace')

    def pane(self, command, width=160, height=48, env=None):
        """Starts command (an argv list) in a new session of width x height.
        env: variables to set (a value of None unsets it)."""
        self.panes += 1
        return Pane(self, 'p%d' % self.panes, command, width, height, env or {})

    def kill(self):
        if self.killed:
            return
        self.killed = True
        try:
            self.run('kill-server', check=False, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def env_command(command, env, status_file):
    """A shell command line running argv command with env changed, then
    writing its exit status to status_file. (tmux's own pane_dead_status
    is not enough: when several panes end at once tmux 3.3 can leave one
    unreaped, its status never known.)"""
    words = ['env']
    for k, v in sorted(env.items()):
        words += ['-u', k] if v is None else []
    words += ['%s=%s' % (k, v) for k, v in sorted(env.items()) if v is not None]
    return '%s; echo $? > %s' % (' '.join(shlex.quote(w) for w in words + list(command)),
                                 shlex.quote(status_file))


class Pane:
    def __init__(self, server, name, command, width, height, env):
        self.server, self.name = server, name
        self.command, self.env = list(command), dict(env)
        self.width, self.height = width, height
        self.status_file = os.path.join(server.dir, name + '.status')
        server.run('new-session', '-d', '-s', name, '-x', str(width), '-y', str(height),
                   env_command(command, env, self.status_file))
        self.target = name + ':'
        self.shell_pid = int(self.display('#{pane_pid}'))

    # ---- what is on the screen

    def display(self, fmt):
        return self.server.run('display-message', '-p', '-t', self.target, fmt).strip()

    def lines(self):
        """The screen as text, one string a line, exactly height lines."""
        out = self.server.run('capture-pane', '-p', '-t', self.target)
        rows = out.split('\n')
        if rows and rows[-1] == '':
            rows.pop()
        rows += [''] * (self.height - len(rows))
        return rows[:self.height]

    def raw_styled(self):
        """capture-pane -e output: the text with its SGR sequences."""
        return self.server.run('capture-pane', '-p', '-e', '-t', self.target)

    def cells(self):
        """The screen as lines of (char, Style)."""
        rows = parse_styled(self.raw_styled())
        if rows and not rows[-1]:
            rows.pop()
        rows += [[]] * (self.height - len(rows))
        return rows[:self.height]

    def dump(self, lines=None):
        lines = self.lines() if lines is None else lines
        return '\n'.join('  %2d|%s' % (i, l.rstrip()) for i, l in enumerate(lines))

    # ---- keys

    def keys(self, *names):
        """Sends tmux key names (Enter, Escape, Tab, BTab, F10, C-u, Up, ...)."""
        self.server.run('send-keys', '-t', self.target, *names)

    def type(self, text):
        """Sends text literally."""
        self.server.run('send-keys', '-t', self.target, '-l', text)

    # ---- waiting

    def wait(self, pred, what, timeout=8.0):
        """Polls the screen until pred(lines) is true (its value is
        returned); fails with the last screen after timeout seconds."""
        end = time.monotonic() + timeout
        while True:
            lines = self.lines()
            got = pred(lines)
            if got:
                return got
            if time.monotonic() >= end:
                raise AssertionError('%s: not on the screen within %gs (%s)\n%s'
                                     % (what, timeout, self.state(), self.dump(lines)))
            time.sleep(POLL)

    def wait_text(self, text, what=None, timeout=8.0):
        return self.wait(lambda ls: any(text in l for l in ls) and ls,
                         what or repr(text), timeout)

    def hold(self, pred, what, seconds):
        """Checks pred(lines) stays true for seconds; fails at once if not."""
        end = time.monotonic() + seconds
        while True:
            lines = self.lines()
            if not pred(lines):
                raise AssertionError('%s (%s)\n%s' % (what, self.state(), self.dump(lines)))
            if time.monotonic() >= end:
                return lines
            time.sleep(POLL)

    # ---- the program

    def program_pid(self):
        """The pid of the command (the child of the pane's shell), or None."""
        kids = children(self.shell_pid)
        return kids[0] if len(kids) == 1 else None

    def dead(self):
        """None while the command runs, else its exit status (a signal
        death reads as 128+N, as a shell says)."""
        try:
            with open(self.status_file) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None

    def wait_exit(self, timeout=8.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            st = self.dead()
            if st is not None:
                return st
            time.sleep(POLL)
        raise AssertionError('the program did not exit within %gs\n%s' % (timeout, self.dump()))

    def state(self):
        st = self.dead()
        return 'running' if st is None else 'exited with status %d' % st

    def resize(self, width, height):
        self.server.run('resize-window', '-t', self.target, '-x', str(width), '-y', str(height))
        self.width, self.height = width, height

    def close(self):
        """Ends the session: the program gets SIGHUP, as when an ssh session
        drops, and must exit. One that does not is killed, so it cannot
        spin on after the test, and the test fails."""
        pid = self.program_pid()
        self.server.run('kill-session', '-t', self.name, check=False)
        if pid is None:
            return
        end = time.monotonic() + 10.0
        while time.monotonic() < end and pid_alive(pid):
            time.sleep(POLL)
        if pid_alive(pid):
            in_lsan = lsan_stopping_the_world(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            if in_lsan:
                # The program had finished: LeakSanitizer's exit-time check
                # (the sanitizer build only) reads /proc/self/task to stop
                # every thread and was seen to spin there now and then. That
                # is the sanitizer runtime, not sockeye; say so, don't fail.
                sys.stderr.write('warning: pid %d hung in LeakSanitizer\'s exit-time '
                                 'check after its terminal closed; killed it\n' % pid)
                return
            raise AssertionError('pid %d did not exit within 10 s of its terminal '
                                 'closing (SIGHUP); killed it' % pid)


def lsan_stopping_the_world(pid):
    """True when pid holds its own /proc/<pid>/task open: the signature of
    LeakSanitizer's stop-the-world at exit, after main has returned."""
    want = '/proc/%d/task' % pid
    try:
        fds = os.listdir('/proc/%d/fd' % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)) == want:
                return True
        except OSError:
            continue
    return False


def pid_alive(pid):
    """True while pid runs (a zombie waiting for its parent counts as gone)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(')') + 2:].split()[0] != 'Z'


def children(pid):
    """Pids whose parent is pid (read from /proc)."""
    out = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(')') + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.append(int(d))
    return out
