"""test_manpage.py: the manual page and --help agree: every long option of
`sockeye --help` is in doc/sockeye.1, every option the page lists is
accepted by sockeye, and the page renders without warnings (groff -ww, and
mandoc -Tlint where installed)."""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

SRCDIR = os.environ.get('SRCDIR') or os.path.join(S.HERE, '..', '..')
PAGE = os.path.join(SRCDIR, 'doc', 'sockeye.1')
# A value each option taking one accepts; an option added with a value
# sockeye checks needs its sample here.
SAMPLES = {'interval': '1', 'iterations': '1', 'source': 'auto', 'sort': 'proto',
           'theme': 'mono', 'linger': '1', 'config': '/dev/null',
           'prometheus': '/tmp/sockeye-manpage-test.prom',
           'record': '/tmp/sockeye-manpage-test.db', 'replay': '/tmp/sockeye-manpage-test.db',
           'record-keep': '7d', 'record-max': '1G', 'at': '03:12', 'since': '-10m',
           'until': '03:12:07'}


def page_text():
    with open(PAGE, encoding='utf-8') as f:
        return f.read()


def page_options():
    """{name: takes_value} of the options in the page's OPTIONS section."""
    text = page_text().replace('\\-', '-')
    section = text.split('\n.SH OPTIONS\n', 1)[1].split('\n.SH ', 1)[0]
    out = {}
    for tag in re.findall(r'^\.TP\n(.*)$', section, re.M):
        for name, eq in re.findall(r'--([a-z0-9-]+)(\s*=?)', tag):
            out[name] = '=' in eq
    return out


class ManPage(unittest.TestCase):

    def test_every_long_option_of_help_is_in_the_page(self):
        cp = S.run(['--no-config', '--help'])
        self.assertEqual(cp.returncode, 0, S.describe(['--help'], cp))
        helped = set(re.findall(r'--([a-z0-9][a-z0-9-]*)', cp.stdout.decode()))
        documented = set(page_options())
        self.assertTrue(helped, 'no long option found in --help')
        self.assertEqual(sorted(helped - documented), [],
                         'options of --help missing from the OPTIONS of doc/sockeye.1')

    def test_every_option_of_the_page_is_accepted(self):
        opts = page_options()
        self.assertGreater(len(opts), 10)
        env = {'SOCKEYE_THEMES_DIR': os.path.join(SRCDIR, 'themes')}
        for name, takes_value in sorted(opts.items()):
            with self.subTest(option=name):
                arg = '--%s=%s' % (name, SAMPLES.get(name, '1')) if takes_value else '--' + name
                cp = S.run(['--no-config', arg, '--help'], env=env)
                self.assertEqual(cp.returncode, 0, S.describe([arg, '--help'], cp))

    def test_groff_renders_it_without_warnings(self):
        if not shutil.which('groff'):
            self.skipTest('groff is not installed')
        cp = subprocess.run(['groff', '-man', '-Tutf8', '-ww', '-z', PAGE],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual((cp.returncode, cp.stderr.decode()), (0, ''))

    def test_mandoc_finds_nothing_to_warn_about(self):
        if not shutil.which('mandoc'):
            self.skipTest('mandoc is not installed (Debian package mandoc)')
        cp = subprocess.run(['mandoc', '-Tlint', '-W', 'warning', PAGE],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual((cp.returncode, cp.stdout.decode() + cp.stderr.decode()), (0, ''))

    def test_the_page_has_the_sections_a_user_looks_for(self):
        heads = re.findall(r'^\.SH (.*)$', page_text(), re.M)
        for want in ('SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'FILTER', 'KEYS', 'THEMES',
                     'FILES', 'ENVIRONMENT', 'EXIT STATUS'):
            self.assertIn(want, heads)


if __name__ == '__main__':
    S.main()
