"""test_containerd.py: a containerd container's socket carries the
container's own name. The test makes an image of the static
busybox without any registry (a docker-archive tarball written here, then
`ctr image import`), runs a container with `ctr run` in a containerd
namespace of its own and a network namespace of its own (no --net-host:
loopback only) with busybox httpd listening on 127.0.0.1, and
`--batch --json` must show that listener in the container's network
namespace with service "containerd/ID", the container recognised by its task
bundle under /run/containerd. A containerd already running is used; else the
test starts one (default config and state dirs, so the bundles are where
sockeye looks) and stops it at the end. The container, image and namespace
are removed afterwards, also when a test fails. Skips, saying why, when not
root, when containerd, ctr, runc or a static busybox is missing, or when
containerd cannot run a container here."""
import hashlib
import io
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tarfile
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402
from test_podman import static_busybox  # noqa: E402

NS = 'sockeye-e2e'                             # containerd namespace
ID = 'sockeye-e2e-web-%d' % os.getpid()
IMAGE = 'localhost/sockeye-e2e-busybox:%d' % os.getpid()
ARCH = {'x86_64': 'amd64', 'aarch64': 'arm64', 'armv7l': 'arm', 'i686': '386',
        'ppc64le': 'ppc64le', 's390x': 's390x', 'riscv64': 'riscv64'}


def ctr(*args, timeout=60, ns=True):
    return subprocess.run(['ctr'] + (['-n', NS] if ns else []) + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def text(cp):
    return cp.stderr.decode(errors='replace').strip()


def containerd_answers():
    try:
        return ctr('version', timeout=5, ns=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def docker_archive(busybox):
    """A docker-archive tarball (what `docker save` writes, one layer) of
    one static busybox as /bin/busybox, tagged IMAGE."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode='w') as tar:
        tar.add(busybox, arcname='bin/busybox')
    layer = layer.getvalue()
    config = json.dumps({
        'architecture': ARCH.get(platform.machine(), platform.machine()), 'os': 'linux',
        'config': {}, 'rootfs': {'type': 'layers',
                                 'diff_ids': ['sha256:' + hashlib.sha256(layer).hexdigest()]},
    }).encode()
    config_name = hashlib.sha256(config).hexdigest() + '.json'
    manifest = json.dumps([{'Config': config_name, 'RepoTags': [IMAGE],
                            'Layers': ['layer.tar']}]).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w') as tar:
        for name, data in (('layer.tar', layer), (config_name, config),
                           ('manifest.json', manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def import_image(busybox):
    cp = subprocess.run(['ctr', '-n', NS, 'image', 'import', '-'],
                        input=docker_archive(busybox), stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, timeout=120)
    if cp.returncode != 0:
        raise unittest.SkipTest('ctr image import failed: %s' % text(cp))


def remove_namespace():
    """The namespace, and the empty directories the runtime keeps for it
    after it is gone."""
    if ctr('namespace', 'rm', NS, ns=False).returncode != 0:
        return                                    # another run still uses it
    for top in ('/run/containerd', '/var/lib/containerd'):
        try:
            os.rmdir(os.path.join(top, 'io.containerd.runtime.v2.task', NS))
        except OSError:
            pass


def remove_container():
    ctr('task', 'rm', '-f', ID)      # kills the task first
    ctr('container', 'rm', ID)


class ContainerdContainerName(S.ContainerListenerChecks, unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root to run a containerd container')
        for prog in ('containerd', 'ctr', 'runc'):
            if not shutil.which(prog):
                raise unittest.SkipTest('%s is not installed (apt-get install containerd runc)'
                                        % prog)
        busybox = static_busybox()
        if not busybox:
            raise unittest.SkipTest('no static busybox (apt-get install busybox-static)')
        cls.start_containerd()
        cls.addClassCleanup(remove_namespace)
        cls.addClassCleanup(ctr, 'image', 'rm', '--sync', IMAGE)   # content too, so the namespace can go
        cls.addClassCleanup(remove_container)
        import_image(busybox)
        cls.port = random.randint(20000, 40000)   # its own namespace: no clash
        cp = ctr('run', '-d', IMAGE, ID, '/bin/busybox', 'httpd', '-f', '-p',
                 '127.0.0.1:%d' % cls.port)
        if cp.returncode != 0:
            raise unittest.SkipTest('containerd cannot run a container here: %s' % text(cp))
        cls.service, cls.name = 'containerd/' + ID, ID
        cls.recs = S.wait_listed(cls.port)

    @classmethod
    def start_containerd(cls):
        """Uses the containerd that answers; else starts one, stopped in the
        class cleanups after everything else."""
        if containerd_answers():
            return
        log = open(os.path.join(os.environ.get('TMPDIR', '/tmp'),
                                'sockeye-e2e-containerd-%d.log' % os.getpid()), 'w+')
        proc = subprocess.Popen(['containerd'], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)

        def stop():
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
            os.unlink(log.name)
        cls.addClassCleanup(stop)
        deadline = time.time() + 20
        while not containerd_answers():
            if proc.poll() is not None or time.time() > deadline:
                log.seek(0)
                raise unittest.SkipTest('containerd did not start: %s' % log.read()[-500:])
            time.sleep(0.2)


if __name__ == '__main__':
    S.main()
