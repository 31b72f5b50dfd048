"""test_config.py: the config file as a user meets it: `sockeye --batch`
honours the sort, filter and columns of $XDG_CONFIG_HOME/sockeye/config
against real loopback listeners; the command line wins; --config names
another file; --no-config ignores it; a bad line is a usage error naming the
file, the line and the word."""
import os
import socket
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402


class ConfigFile(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.socks = []
        for _ in range(3):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(('127.0.0.1', 0))
            s.listen(1)
            cls.socks.append(s)
        cls.ports = sorted(s.getsockname()[1] for s in cls.socks)
        cls.filter = 'laddr:127.0.0.1 state:listen port:%s' % ','.join(map(str, cls.ports))

    @classmethod
    def tearDownClass(cls):
        for s in cls.socks:
            s.close()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='sockeye-config-')
        self.path = os.path.join(self.tmp.name, 'sockeye', 'config')
        os.makedirs(os.path.dirname(self.path))

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, text):
        with open(self.path, 'w') as f:
            f.write(text)

    def run_sockeye(self, args, want_rc=0):
        cp = S.run(args, env={'XDG_CONFIG_HOME': self.tmp.name})
        self.assertEqual(cp.returncode, want_rc, S.describe(args, cp))
        return cp

    def table(self, args):
        lines = self.run_sockeye(args).stdout.decode().splitlines()
        return lines[0].split(), [line.split() for line in lines[1:] if line.strip()]

    def local_ports(self, rows, col):
        return [int(r[col].rsplit(':', 1)[1]) for r in rows]

    def test_batch_follows_the_files_sort_filter_and_columns(self):
        self.write('# what I watch\nsort = lport:desc\nfilter = %s\n'
                   'columns = proto,state,local\n' % self.filter)
        head, rows = self.table(['--batch'])
        self.assertEqual(head, ['PROTO', 'STATE', 'LOCAL'])
        self.assertEqual(self.local_ports(rows, 2), self.ports[::-1])
        self.assertTrue(all(r[:2] == ['tcp', 'LISTEN'] for r in rows), rows)

    def test_the_command_line_wins_over_the_file(self):
        self.write('sort = lport:desc\nfilter = %s\ncolumns = proto,state,local\n' % self.filter)
        head, rows = self.table(['--batch', '--sort=lport'])
        self.assertEqual(self.local_ports(rows, 2), self.ports)
        head, rows = self.table(['--batch', 'laddr:127.0.0.1', 'lport:%d' % self.ports[1]])
        self.assertEqual(self.local_ports(rows, 2), [self.ports[1]])

    def test_config_names_another_file_and_no_config_ignores_it(self):
        self.write('interval = never\n')
        other = os.path.join(self.tmp.name, 'other.conf')
        with open(other, 'w') as f:
            f.write('filter = %s\nsort = lport\ncolumns = local\n' % self.filter)
        head, rows = self.table(['--batch', '--config=' + other])
        self.assertEqual(head, ['LOCAL'])
        self.assertEqual(self.local_ports(rows, 0), self.ports)
        # Only our listener: a client elsewhere may have the same local port,
        # and another namespace its own 127.0.0.1 on it.
        head, rows = self.table(['--batch', '--no-config', 'laddr:127.0.0.1', 'state:listen',
                                 'netns:host', 'lport:%d' % self.ports[0]])
        self.assertIn('PID/PROCESS', head)
        self.assertEqual(len(rows), 1)

    def test_a_bad_line_is_a_usage_error_naming_file_line_and_word(self):
        self.write('# fine\nsort = lport\ncolumns = proto,colour\n')
        cp = self.run_sockeye(['--batch'], want_rc=2)
        err = cp.stderr.decode()
        self.assertIn("%s:3: unknown name 'colour'" % self.path, err)
        self.assertEqual(cp.stdout, b'')

    def test_json_ignores_columns_but_keeps_filter(self):
        self.write('filter = %s\ncolumns = local\n' % self.filter)
        cp = self.run_sockeye(['--batch', '--json'])
        recs = S.parse_json_lines(cp.stdout)
        self.assertEqual(sorted(r['lport'] for r in recs), self.ports)
        self.assertIn('procs', recs[0])


if __name__ == '__main__':
    S.main()
