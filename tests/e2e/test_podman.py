"""test_podman.py: a Podman container's socket carries the container's own
name. The test makes an image of the static busybox without any
registry (`podman import` of a tarball), runs a named container in a network
namespace of its own (`--network none`: loopback only) with busybox httpd
listening on 127.0.0.1, and `--batch --json` must show that listener in the
container's namespace with service "podman/NAME", the name read from
containers/storage's containers.json. The container and image are removed
afterwards, also when a test fails. Skips, saying why, when not root, when
podman or a static busybox is missing, or when podman cannot run a container
here."""
import io
import os
import random
import resource
import shutil
import subprocess
import sys
import tarfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

NAME = 'sockeye-e2e-%d' % os.getpid()
IMAGE = 'localhost/sockeye-e2e-busybox:%d' % os.getpid()


def static_busybox():
    """A busybox binary with no ELF interpreter (so it runs in an empty
    image), or None."""
    for path in ('/bin/busybox', '/usr/bin/busybox'):
        try:
            with open(path, 'rb') as f:
                elf = f.read(1 << 20)
        except OSError:
            continue
        if elf[:4] != b'\x7fELF' or elf[4] != 2:
            continue
        phoff = int.from_bytes(elf[32:40], 'little')
        phentsize = int.from_bytes(elf[54:56], 'little')
        phnum = int.from_bytes(elf[56:58], 'little')
        types = [int.from_bytes(elf[phoff + i * phentsize:phoff + i * phentsize + 4], 'little')
                 for i in range(phnum)]
        if 3 not in types:       # PT_INTERP
            return path
    return None


def podman(*args, timeout=60):
    return subprocess.run(['podman'] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def import_image(busybox):
    """IMAGE: one static busybox as /bin/busybox."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as tar:
        tar.add(busybox, arcname='bin/busybox')
    cp = subprocess.run(['podman', 'import', '-', IMAGE], input=buf.getvalue(),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if cp.returncode != 0:
        raise unittest.SkipTest('podman import failed: %s'
                                % cp.stderr.decode(errors='replace').strip())


def run_container(port):
    """Starts NAME; crun refuses hybrid cgroup hosts, so runc is tried next
    where it is installed. Limits are set low (httpd needs few): podman's
    defaults may exceed what a sandbox allows, and lowering is always
    permitted."""
    def lowered(which, most):
        hard = resource.getrlimit(which)[1]
        v = most if hard == resource.RLIM_INFINITY else min(hard, most)
        return '%d:%d' % (v, v)
    base = ['run', '-d', '--name', NAME, '--network', 'none',
            '--ulimit', 'nofile=' + lowered(resource.RLIMIT_NOFILE, 1024),
            '--ulimit', 'nproc=' + lowered(resource.RLIMIT_NPROC, 4096)]
    cmd = [IMAGE, '/bin/busybox', 'httpd', '-f', '-p', '127.0.0.1:%d' % port]
    errors = []
    for runtime in ([], ['--runtime', 'runc']):
        if runtime and not shutil.which('runc'):
            break
        podman('rm', '-f', NAME)
        cp = podman(*(base + runtime + cmd))
        if cp.returncode == 0:
            return
        errors.append(cp.stderr.decode(errors='replace').strip())
    raise unittest.SkipTest('podman cannot run a container here: %s' % ' / '.join(errors))


class PodmanContainerName(S.ContainerListenerChecks, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root to run a rootful podman container')
        if not shutil.which('podman'):
            raise unittest.SkipTest('podman is not installed (apt-get install podman)')
        busybox = static_busybox()
        if not busybox:
            raise unittest.SkipTest('no static busybox (apt-get install busybox-static)')
        cls.addClassCleanup(podman, 'rmi', '-f', IMAGE)
        cls.addClassCleanup(podman, 'rm', '-f', '-t', '0', NAME)
        import_image(busybox)
        cls.port = random.randint(20000, 40000)   # its own namespace: no clash
        run_container(cls.port)
        cls.service, cls.name = 'podman/' + NAME, NAME
        cls.recs = S.wait_listed(cls.port)


if __name__ == '__main__':
    S.main()
