"""test_fleet.py: what sockeye hands to the tools that watch many machines:
--events --json lines for log shippers (whole, one write each, with the
host), --prometheus=FILE for node_exporter's textfile collector (checked
against the text format's rules by promcheck.py, and by promtool where it
is installed), and --journal (structured entries, where journald runs)."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promcheck  # noqa: E402
import sockets as S  # noqa: E402

JOURNAL_SOCKET = '/run/systemd/journal/socket'


def spawn(args):
    return subprocess.Popen([S.sockeye_path()] + list(args), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, TERM='dumb'))


def finish(proc, timeout=30):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError('sockeye did not stop within %ss: %s' % (timeout, S.clip(err)))
    return proc.returncode, out, err


def untraced_leaks():
    """The environment for a sanitized sockeye under strace: LeakSanitizer
    cannot run under ptrace and would abort at exit."""
    env = dict(os.environ, TERM='dumb')
    env['ASAN_OPTIONS'] = ':'.join(filter(None, [env.get('ASAN_OPTIONS'), 'detect_leaks=0']))
    return env


class Holders(unittest.TestCase):
    def setUp(self):
        self.holders = []
        self.tmp = tempfile.mkdtemp(prefix='sockeye-fleet-')

    def tearDown(self):
        for h in self.holders:
            h.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def holder(self, name):
        h = S.Holder(name)
        self.holders.append(h)
        return h


class ShipperLines(Holders):
    """--events --json for log shippers."""

    def test_every_event_line_is_one_json_object_with_the_host(self):
        srv, cli = self.holder('e2e-fl-srv'), self.holder('e2e-fl-cli')
        L = srv.call('tcp_listen', host='127.0.0.1')
        args = ['--events', '--json', '-i', '0.3', '-n', '6', 'port:%d' % L['lport']]
        proc = spawn(args)
        time.sleep(0.8)  # past the baseline poll
        cli.call('tcp_connect', host='127.0.0.1', port=L['lport'], count=150)
        srv.call('tcp_accept', id=L['id'], count=150)
        rc, out, err = finish(proc)
        self.assertEqual(rc, 0, S.clip(err))
        lines = out.decode('utf-8').split('\n')
        self.assertEqual(lines[-1], '', 'the output does not end with a whole line')
        events = [json.loads(ln) for ln in lines[:-1]]
        new = [e for e in events if e['event'] == 'new']
        self.assertGreaterEqual(len(new), 300, 'expected 300 new events (150 pairs), got %d'
                                % len(new))
        host = socket.gethostname()
        for e in events:
            self.assertEqual(e.get('host'), host, 'event without this host: %r' % e)

    @unittest.skipUnless(shutil.which('strace'), 'strace is not installed')
    def test_a_long_line_goes_out_in_one_write(self):
        # A socket held by 120 processes makes a state line of ~7 KB: more
        # than stdio's buffer and a pipe's atomic write, so a line split by
        # stdio would show here as several writes.
        srv, cli = self.holder('e2e-fl-many'), self.holder('e2e-fl-cli')
        L = srv.call('tcp_listen', host='127.0.0.1')
        C = cli.call('tcp_connect', host='127.0.0.1', port=L['lport'])[0]
        A = srv.call('tcp_accept', id=L['id'])[0]
        srv.call('fork_keepers', count=120)
        trace = os.path.join(self.tmp, 'trace')
        args = ['--events', '--json', '-i', '0.3', '-n', '6', 'lport:%d' % L['lport']]
        proc = subprocess.Popen(['strace', '-f', '-qq', '-e', 'trace=write', '-e', 'signal=none',
                                 '-s', '1000000', '-xx', '-o', trace, S.sockeye_path()] + args,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=untraced_leaks())
        time.sleep(1.0)
        cli.call('close', id=C['id'])
        rc, out, err = finish(proc)
        self.assertEqual(rc, 0, S.clip(err))
        state = [json.loads(ln) for ln in out.decode().splitlines()]
        state = [e for e in state if e['event'] == 'state' and e['lport'] == A['lport']]
        self.assertTrue(state, 'no state event for the server side: %s' % S.clip(out))
        self.assertGreater(len(state[0]['procs']), 100)
        with open(trace) as f:
            writes = [bytes.fromhex(m.group(1).replace('\\x', ''))
                      for m in re.finditer(r'write\(1, "((?:\\x[0-9a-f]{2})*)"', f.read())]
        self.assertTrue(writes, 'strace saw no write to standard output')
        for w in writes:
            self.assertTrue(w.endswith(b'\n') and w.count(b'\n') == 1,
                            'a write(2) of %d bytes is not one whole line: %r...'
                            % (len(w), w[:80]))
        self.assertTrue(any(len(w) > 4096 for w in writes), 'no line longer than 4 KiB')


class Prometheus(Holders):

    def check_file(self, path):
        with open(path, 'rb') as f:
            text = f.read()
        problems, samples = promcheck.check(text)
        self.assertEqual(problems, [], 'the metrics file breaks the format:\n' +
                         '\n'.join(problems) + '\n' + text.decode('utf-8', 'replace'))
        fams = set(re.findall(r'^# TYPE (\S+)', text.decode(), re.M))
        helps = set(re.findall(r'^# HELP (\S+)', text.decode(), re.M))
        self.assertEqual({n for n, _ in samples} - fams, set(), 'samples with no TYPE')
        self.assertEqual(fams, helps, 'families without HELP')
        if shutil.which('promtool'):
            cp = subprocess.run(['promtool', 'check', 'metrics'], input=text,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.assertEqual(cp.returncode, 0, 'promtool: %s' % S.clip(cp.stdout))
        return samples

    def test_headless_run_writes_metrics_of_the_sockets(self):
        srv, cli = self.holder('e2e-fl-prom'), self.holder('e2e-fl-pcli')
        L = srv.call('tcp_listen', host='127.0.0.1')
        cli.call('tcp_connect', host='127.0.0.1', port=L['lport'], count=3)
        srv.call('tcp_accept', id=L['id'], count=3)
        path = os.path.join(self.tmp, 'sockeye.prom')
        # Our namespace only: another's sockets may use the same port number.
        cp = S.run(['--prometheus=' + path, '-n', '2', '-i', '0.2', '--no-all-netns'])
        self.assertEqual(cp.returncode, 0, S.describe(['--prometheus'], cp))
        self.assertEqual(cp.stdout, b'', 'headless --prometheus printed on stdout')
        self.assertEqual(os.listdir(self.tmp), ['sockeye.prom'], 'a temporary file was left')
        s = self.check_file(path)
        port = str(L['lport'])
        self.assertEqual(s[('sockeye_listen_connections', (('port', port), ('proto', 'tcp')))], 3)
        self.assertGreaterEqual(s[('sockeye_sockets', (('proto', 'tcp'), ('state', 'LISTEN')))], 1)
        self.assertGreaterEqual(s[('sockeye_process_sockets', (('process', 'e2e-fl-prom'),))], 4)
        age = time.time() - s[('sockeye_last_poll_timestamp_seconds', ())]
        self.assertLess(abs(age), 30, 'last poll timestamp is not now')
        self.assertGreater(s[('sockeye_poll_duration_seconds', ())], 0)

    def test_hostile_process_name_keeps_the_file_valid(self):
        h = self.holder('x"} 1\n\x1b[31m\\')
        h.call('tcp_listen', host='127.0.0.1')
        path = os.path.join(self.tmp, 'sockeye.prom')
        cp = S.run(['--prometheus=' + path, '-n', '1'])
        self.assertEqual(cp.returncode, 0, S.describe(['--prometheus'], cp))
        s = self.check_file(path)
        names = [dict(k[1]).get('process') for k in s if k[0] == 'sockeye_process_sockets']
        self.assertIn('x"} 1\\x0a\\x1b[31m\\\\', names)

    def test_with_events_both_are_written(self):
        path = os.path.join(self.tmp, 'sockeye.prom')
        h = self.holder('e2e-fl-both')
        proc = spawn(['--events', '--json', '-i', '0.2', '-n', '5', '--prometheus', path])
        time.sleep(0.5)
        L = h.call('tcp_listen', host='127.0.0.1')
        rc, out, err = finish(proc)
        self.assertEqual(rc, 0, S.clip(err))
        self.assertTrue(any(json.loads(ln).get('lport') == L['lport']
                            for ln in out.decode().splitlines()), S.clip(out))
        self.check_file(path)

    def test_file_in_a_missing_folder_is_an_error_at_start_naming_it(self):
        folder = os.path.join(self.tmp, 'no-such-dir')
        cp = S.run(['--events', '--prometheus=' + os.path.join(folder, 'sockeye.prom')])
        self.assertEqual(cp.returncode, 1, S.describe(['--prometheus'], cp))
        self.assertEqual(cp.stdout, b'')
        self.assertIn(b'--prometheus: %s: No such file or directory' % folder.encode(),
                      cp.stderr)

    def test_folder_removed_while_running_is_a_runtime_error_naming_the_file(self):
        folder = os.path.join(self.tmp, 'goes-away')
        os.mkdir(folder)
        path = os.path.join(folder, 'sockeye.prom')
        proc = spawn(['--events', '-i', '0.2', '--prometheus', path])
        deadline = time.time() + 10
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(path), 'no metrics file within 10 s')
        shutil.rmtree(folder)
        rc, _, err = finish(proc, timeout=10)
        self.assertEqual(rc, 1, S.clip(err))
        self.assertIn(b'goes-away/sockeye.prom.tmp: No such file or directory', err)

    def test_checker_refuses_what_the_format_forbids(self):
        bad = {
            'unescaped quote': 'm{a="x"y"} 1\n',
            'bad escape': 'm{a="\\t"} 1\n',
            'same series twice': 'm{a="1"} 1\nm{a="1"} 2\n',
            'TYPE after samples': 'm 1\n# TYPE m gauge\n',
            'family split': '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n',
            'bad value': 'm 1,5\n',
            'no final newline': 'm 1',
            'bad name': '9m 1\n',
        }
        for what, text in bad.items():
            self.assertNotEqual(promcheck.check(text)[0], [], 'promcheck accepted ' + what)
        self.assertEqual(promcheck.check('# HELP m h\n# TYPE m gauge\nm{a="\\"\\\\\\n"} 1\n')[0], [])


# Where no journald runs (a container, this CI), one of our own: in a
# private mount namespace, tmpfs over the journal's runtime and persistent
# folders, so nothing of the machine's is read or written. The test is run
# again in there, by name.
JOURNALD = '/lib/systemd/systemd-journald'
PRIVATE_JOURNALD = r"""
set -e
mount --make-rprivate /
for d in /run/systemd /run/log /var/log/journal; do
    [ -d "$d" ] || mkdir -p "$d"
    mount -t tmpfs tmpfs "$d"
done
"$JOURNALD" >/dev/null 2>&1 &
jd=$!
i=0
while [ ! -S /run/systemd/journal/socket ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
set +e
"$@"
rc=$?
kill $jd
exit $rc
"""


def can_run_private_journald():
    return (os.geteuid() == 0 and os.access(JOURNALD, os.X_OK) and shutil.which('unshare')
            and shutil.which('journalctl'))


class Journal(Holders):

    def test_events_reach_the_journal_as_fields(self):
        cp = S.run(['--journal', '-n', '1'])
        if cp.returncode == 2:
            self.assertIn(b'not built in', cp.stderr)
            self.skipTest('built without libsystemd: --journal says it is not built in')
        if os.path.exists(JOURNAL_SOCKET):
            return self.events_reach_the_journal()
        self.assertEqual(cp.returncode, 1, S.describe(['--journal'], cp))
        self.assertIn(JOURNAL_SOCKET.encode(), cp.stderr)
        if not can_run_private_journald():
            self.skipTest('no journald here (%s), and none can be started (needs root, '
                          'unshare and %s): --journal says so and stops'
                          % (JOURNAL_SOCKET, JOURNALD))
        env = dict(os.environ, JOURNALD=JOURNALD, SOCKEYE_PRIVATE_JOURNALD='1')
        cp = subprocess.run(['unshare', '-m', 'sh', '-c', PRIVATE_JOURNALD, 'sh',
                             sys.executable, os.path.abspath(__file__),
                             'Journal.test_in_a_private_journald'],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=120, env=env)
        out = cp.stdout.decode('utf-8', 'replace')
        self.assertEqual(cp.returncode, 0, 'in a private journald:\n' + out)
        self.assertIn('test_in_a_private_journald', out)
        self.assertNotIn('skipped', out)

    def test_in_a_private_journald(self):
        if not os.environ.get('SOCKEYE_PRIVATE_JOURNALD'):
            self.skipTest('run by test_events_reach_the_journal_as_fields, inside a '
                          'private journald')
        self.assertTrue(os.path.exists(JOURNAL_SOCKET), 'the private journald did not start')
        self.events_reach_the_journal()

    def events_reach_the_journal(self):
        h = self.holder('e2e-fl-jrnl')
        proc = spawn(['--events', '--journal', '-i', '0.3', '-n', '3', 'proc:e2e-fl-jrnl'])
        time.sleep(0.5)
        L = h.call('tcp_listen', host='127.0.0.1')
        rc, out, err = finish(proc)
        self.assertEqual(rc, 0, S.clip(err))
        found = []
        for _ in range(20):   # journald writes asynchronously
            q = subprocess.run(['journalctl', '-o', 'json', '--no-pager',
                                'SOCKEYE_LPORT=%d' % L['lport']], stdout=subprocess.PIPE)
            found = [json.loads(ln) for ln in q.stdout.decode().splitlines() if ln.strip()]
            if found:
                break
            time.sleep(0.25)
        self.assertTrue(found, 'journalctl found no entry with SOCKEYE_LPORT=%d' % L['lport'])
        e = found[0]
        self.assertEqual((e.get('SOCKEYE_EVENT'), e.get('SOCKEYE_STATE'), e.get('SOCKEYE_PID')),
                         ('new', 'LISTEN', str(h.pid)))
        self.assertEqual(e.get('SOCKEYE_COMM'), 'e2e-fl-jrnl')

if __name__ == '__main__':
    S.main()
