"""test_completion.py: the bash completion, sourced in a real bash and its
function called as bash calls it (COMP_WORDS split at = and : the way
readline splits them): options, sort columns, theme names from the themes
directories, and filter keys and values."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

SRCDIR = os.environ.get('SRCDIR') or os.path.join(S.HERE, '..', '..')


def completion_file():
    """The completion as built (its themes directory filled in)."""
    return os.path.join(os.path.dirname(S.sockeye_path()), 'contrib', 'bash-completion', 'sockeye')


class Completion(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which('bash'):
            raise unittest.SkipTest('bash is not installed')
        if not os.path.exists(completion_file()):
            raise unittest.SkipTest('%s is not built' % completion_file())
        cls.tmp = tempfile.TemporaryDirectory(prefix='sockeye-completion-')
        os.makedirs(os.path.join(cls.tmp.name, 'sockeye', 'themes'))
        with open(os.path.join(cls.tmp.name, 'sockeye', 'themes', 'sunset'), 'w') as f:
            f.write('new = green default\n')

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def complete(self, *words):
        """COMPREPLY for the command line sockeye WORDS..., the last word
        being completed."""
        script = ('source "$1"; shift; complete -p sockeye >/dev/null || exit 3; '
                  'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
                  'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; '
                  '_sockeye sockeye "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        env = dict(os.environ, XDG_CONFIG_HOME=self.tmp.name,
                   SOCKEYE_THEMES_DIR=os.path.join(SRCDIR, 'themes'))
        cp = subprocess.run(['bash', '--norc', '--noprofile', '-c', script, 'bash',
                             completion_file(), S.sockeye_path()] + list(words),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=20)
        self.assertEqual(cp.returncode, 0, cp.stderr.decode())
        return [w for w in cp.stdout.decode().splitlines() if w]

    def test_it_is_registered_for_sockeye(self):
        cp = subprocess.run(['bash', '--norc', '-c', 'source "$1"; complete -p sockeye', 'bash',
                             completion_file()], stdout=subprocess.PIPE)
        self.assertEqual(cp.stdout.decode().strip(), 'complete -F _sockeye sockeye')

    def test_long_options_complete_from_help(self):
        self.assertEqual(sorted(self.complete('--so')), ['--sort=', '--source='])
        self.assertIn('--no-config', self.complete('--no-c'))

    def test_recording_options_complete_from_help(self):
        self.assertEqual(sorted(self.complete('--rec')),
                         ['--record-keep=', '--record-max=', '--record='])
        self.assertEqual(self.complete('--repl'), ['--replay='])

    def test_replay_completes_file_names(self):
        path = os.path.join(self.tmp.name, 'night.db')
        open(path, 'w').close()
        self.assertEqual(self.complete('--replay', '=', os.path.join(self.tmp.name, 'nig')),
                         [path])
        self.assertEqual(self.complete('--record', os.path.join(self.tmp.name, 'nig')), [path])

    def test_times_and_sizes_complete_nothing(self):
        for opt in ('--at', '--since', '--until', '--record-keep', '--record-max'):
            self.assertEqual(self.complete(opt, '=', ''), [], opt)

    def test_no_mouse_completes(self):
        self.assertEqual(self.complete('--no-m'), ['--no-mouse'])

    def test_sort_completes_column_names_after_the_equals(self):
        got = self.complete('--sort', '=', '')
        for want in ('proto', 'state', 'rtt', 'lport', 'rtt:desc'):
            self.assertIn(want, got)
        self.assertEqual(sorted(self.complete('--sort', '=', 'rx')), ['rxrate', 'rxrate:desc'])

    def test_sort_as_a_separate_word_completes_too(self):
        self.assertIn('txrate', self.complete('--sort', 'tx'))

    def test_theme_completes_shipped_and_own_theme_names(self):
        got = self.complete('--theme', '=', '')
        for want in ('default', 'light', 'mono', 'sunset'):
            self.assertIn(want, got)

    def test_the_installed_themes_directory_is_filled_in(self):
        with open(completion_file()) as f:
            text = f.read()
        self.assertNotIn('@pkgdatadir@', text)
        self.assertIn('/sockeye/themes', text)

    def test_filter_keys_and_state_names_complete(self):
        self.assertEqual(self.complete('po'), ['port:'])
        self.assertEqual(self.complete('!sta'), ['!state:'])
        self.assertEqual(self.complete('state', ':', 'time'), ['time-wait'])
        self.assertEqual(self.complete('proto', ':', ''), ['tcp', 'udp'])


if __name__ == '__main__':
    S.main()
