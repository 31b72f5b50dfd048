"""test_usage.py: the command line's contract: bad input exits 2 with one
message on stderr naming what was wrong and nothing on stdout; --help lists
every option; --version names the program and its version."""
import os
import re
import sys
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

# (arguments, words of which the message must hold at least one)
BAD = [
    (['--frobnicate'], ['frobnicate']),
    (['--events', '-i', '0'], ['interval', '-i']),
    (['--events', '-i', '0.05'], ['0.05']),
    (['--events', '-i', '3601'], ['3601']),
    (['--events', '-i', 'abc'], ['abc']),
    (['--events', '--interval=abc'], ['abc']),
    (['--batch', '-n', '0'], ['iterations', '-n']),
    (['--batch', '-n', '-1'], ['-1']),
    (['--batch', '-n', 'x'], ['iterations', '-n', "'x'", '"x"', '`x\'']),
    (['--batch', '--source=foo'], ['foo']),
    (['--batch', '--sort=nosuchcolumn'], ['nosuchcolumn']),
    (['--batch', 'state:nosuch'], ['nosuch']),
    (['--batch', '--json', 'port:notaport'], ['notaport']),
    (['--json'], ['--json', 'json']),
    (['--batch', '--events'], ['--batch', '--events', 'batch', 'events']),
    (['--theme=/nonexistent/file'], ['/nonexistent/file']),
]

# Every option the man page lists.
OPTIONS = ['-i', '--interval', '-b', '--batch', '-e', '--events', '-n', '--iterations',
           '--json', '--source', '-t', '--tcp', '-u', '--udp', '-4', '--ipv4', '-6', '--ipv6',
           '--sort', '--theme', '--no-color', '-h', '--help', '-V', '--version']


class Usage(unittest.TestCase):

    def test_bad_input_exits_2_with_one_message_naming_it(self):
        for args, words in BAD:
            with self.subTest(args=' '.join(args)):
                cp = S.run(args, timeout=10)
                what = S.describe(args, cp)
                self.assertEqual(cp.returncode, 2, what)
                self.assertEqual(cp.stdout, b'', 'bad usage printed on stdout\n' + what)
                err = cp.stderr.decode('utf-8', 'replace')
                lines = [ln for ln in err.splitlines() if ln.strip()]
                self.assertTrue(lines, 'no message on stderr\n' + what)
                self.assertLessEqual(len(lines), 2, 'more than one message (and a hint)\n' + what)
                self.assertTrue(any(w in err for w in words),
                                'the message names none of %r\n%s' % (words, what))

    def test_help_exits_0_and_lists_every_option(self):
        for flag in ('--help', '-h'):
            with self.subTest(flag=flag):
                cp = S.run([flag])
                self.assertEqual(cp.returncode, 0, S.describe([flag], cp))
                out = cp.stdout.decode('utf-8', 'replace')
                missing = [o for o in OPTIONS if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(o), out)]
                self.assertEqual(missing, [], 'options missing from %s:\n%s' % (flag, out))

    def test_version_exits_0_and_names_program_and_version(self):
        for flag in ('--version', '-V'):
            with self.subTest(flag=flag):
                cp = S.run([flag])
                self.assertEqual(cp.returncode, 0, S.describe([flag], cp))
                self.assertRegex(cp.stdout.decode('utf-8', 'replace'), r'^sockeye \S*\d', S.describe([flag], cp))

    def test_good_input_is_accepted(self):
        for args in (['--batch', '-i', '0.1'], ['--batch', '--interval=3600'], ['--batch', '-n', '1'],
                     ['--batch', '--source=auto'], ['--batch', '--json', 'state:time-wait'],
                     ['--batch', 'state:LISTEN,Time_Wait', '!port:1-1023'], ['--batch', '-t', '-u', '-4', '-6']):
            with self.subTest(args=' '.join(args)):
                cp = S.run(args)
                self.assertEqual(cp.returncode, 0, S.describe(args, cp))
                self.assertEqual(cp.stderr, b'', S.describe(args, cp))


if __name__ == '__main__':
    S.main()
