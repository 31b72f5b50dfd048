"""test_save.py: W on the screen writes the settings to the config file,
also once the screen's thread is sandboxed (Landlock, when sockeye runs as
root): the file's folder is among the places it may write, and a first
save creates the folder. Exit codes: 0 pass, 1 fail, 77 skip (no tmux)."""
import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
import tmuxdrive as T  # noqa: E402

SERVER = None


class SaveFromTheScreen(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix='sockeye-save-')
        self.pane = None

    def tearDown(self):
        if self.pane:
            self.pane.close()
        shutil.rmtree(self.home, ignore_errors=True)

    def start(self, *args):
        env = {'XDG_CONFIG_HOME': self.home, 'HOME': self.home,
               'LC_ALL': T.utf8_locale() or 'C', 'TERM': T.best_term()}
        self.pane = SERVER.pane([S.sockeye_path(), '-i', '0.5'] + list(args), env=env)
        self.pane.wait_text('Connections', 'the Connections pane')

    def save(self):
        self.pane.keys('W')
        return self.pane.wait(lambda ls: next((l for l in ls if 'saved' in l
                                               or 'not saved' in l or 'cannot' in l), None),
                              'the answer to W')

    def test_first_save_creates_the_folder_and_the_file(self):
        self.start()
        said = self.save()
        path = os.path.join(self.home, 'sockeye', 'config')
        self.assertIn('settings saved to', said)
        with open(path) as f:
            text = f.read()
        self.assertIn('interval', text)

    def test_save_keeps_comments_and_records_the_new_sort(self):
        os.mkdir(os.path.join(self.home, 'sockeye'))
        path = os.path.join(self.home, 'sockeye', 'config')
        with open(path, 'w') as f:
            f.write('# my settings, kept by hand\nlinger = 5\n')
        self.start()
        self.pane.keys('s')          # the next sort column of Connections
        said = self.save()
        self.assertIn('settings saved to', said)
        with open(path) as f:
            text = f.read()
        self.assertIn('# my settings, kept by hand', text)
        self.assertIn('sort', text)
        self.assertIn('linger', text)


def main():
    S.sockeye_path()
    T.run_tests(sys.modules[__name__], 'sockeye-e2e', S.main, needed=True)


if __name__ == '__main__':
    main()
