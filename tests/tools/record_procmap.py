#!/usr/bin/python3
"""record_procmap.py — records the /proc trees tests/test_procmap.c reads.

Run as root: python3 tests/tools/record_procmap.py tests/fixtures

Starts a few processes holding loopback sockets, then copies what the real
/proc shows of them — <pid>/stat, comm, status verbatim, and the fd table as
<pid>/fd.links, one line "<fd> <target>" per fd with exactly the target
readlink returned ("socket:[N]", "pipe:[N]", "/dev/null") — into
proc-owners/. The table is a manifest, not symlinks, because those targets
dangle and `make dist` (tar -h) drops dangling links; tests/proctree.c turns
it back into fd/ symlinks in a temporary copy. It then ends one process,
makes the kernel hand its pid to a new process (via ns_last_pid: real pid
reuse) and records proc-reuse/. Prints the values the test asserts."""
import ctypes
import json
import os
import select
import signal
import socket
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15
NOBODY = 65534
NO_PASSWD_UID = 12345


def set_comm(name):
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)


def spawn(setup, inherit=()):
    """Forks a child that runs setup() (opens its sockets, sets its name and
    uid), reports the socket inodes through a pipe, then waits to be killed."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        # Start clean: no descriptor of the recorder or its other children.
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        keep = {null, w, 0, 1, 2} | set(inherit)
        for fd in map(int, os.listdir("/proc/self/fd")):
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.close(null)
        reply = setup()
        os.write(w, (json.dumps(reply) + "\n").encode())
        os.close(w)
        while True:
            signal.pause()
    os.close(w)
    with os.fdopen(r) as f:
        return pid, json.loads(f.readline())


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


def read_as(uid, pid):
    """What a user with this uid sees of /proc/<pid>: files, and fd targets
    or None when the fd table is refused."""
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        os.setresuid(uid, uid, uid)
        out = {"files": {}, "fd": None}
        for name in ("stat", "comm", "status"):
            with open(f"/proc/{pid}/{name}", "rb") as f:
                out["files"][name] = f.read().decode("latin-1")
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            out["fd"] = {n: os.readlink(f"/proc/{pid}/fd/{n}") for n in fds}
        except PermissionError:
            pass
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        data = json.loads(f.read())
    os.waitpid(child, 0)
    return data


def record(tree, pid, as_uid=0):
    seen = read_as(as_uid, pid)
    d = os.path.join(tree, str(pid))
    os.makedirs(d)
    for name, text in seen["files"].items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(text.encode("latin-1"))
    if seen["fd"] is not None:
        write_fd_links(os.path.join(d, "fd.links"), seen["fd"])


def write_fd_links(path, fds):
    """One line per fd, "<fd> <target>", in fd order. A target is the rest
    of its line, spaces and all; a newline in one could not be told apart."""
    with open(path, "wb") as f:
        for n in sorted(fds, key=int):
            target = fds[n]
            if "\n" in target:
                sys.exit("fd %s target has a newline: %r" % (n, target))
            f.write(n.encode() + b" " + os.fsencode(target) + b"\n")


def starttime(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def spawn_at(pid, setup):
    """Real pid reuse: asks the kernel for pid next, retrying on a race."""
    for _ in range(50):
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(pid - 1))
        got, inodes = spawn(setup)
        if got == pid:
            return got, inodes
        os.kill(got, signal.SIGKILL)
        os.waitpid(got, 0)
    sys.exit("could not get pid %d back" % pid)


def main():
    out = sys.argv[1]
    held = []   # each child's sockets stay open in that child

    def prefork_setup():
        # A pre-forked server: the listener on two fds, and a fork child
        # (fork without exec) that holds it too.
        s = listener()
        held.append(s)
        held.append(os.dup(s.fileno()))
        set_comm(b"pm-listen")
        child, _ = spawn(lambda: [], inherit=(s.fileno(), held[-1]))
        return [child, os.fstat(s.fileno()).st_ino]
    lpid, (cpid, linode) = spawn(prefork_setup)

    def one_socket(comm, kind=socket.SOCK_STREAM, uid=None):
        def setup():
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", 0))
            if kind == socket.SOCK_STREAM:
                s.listen(8)
            held.append(s)
            set_comm(comm)
            if uid is not None:
                os.setresuid(uid, uid, uid)
            return [os.fstat(s.fileno()).st_ino]
        return setup

    def paren_setup():
        held.append(os.pipe())        # "pipe:[N]": not a socket
        held.append(select.epoll())   # "anon_inode:[eventpoll]": nor this
        return one_socket(b"x) (y z", socket.SOCK_DGRAM)()
    ppid, (pinode,) = spawn(paren_setup)
    npid, (ninode,) = spawn(one_socket(b"pm-nopasswd", uid=NO_PASSWD_UID))
    spid, (sinode,) = spawn(one_socket(b"pm-secret"))
    opid, (oinode,) = spawn(one_socket(b"pm-old"))

    a = os.path.join(out, "proc-owners")
    for pid in (lpid, cpid, ppid, npid, opid):
        record(a, pid)
    record(a, spid, as_uid=NOBODY)   # as nobody sees a root process: no fd/

    vals = dict(listen_parent=lpid, listen_child=cpid, listen_inode=linode,
                paren_pid=ppid, paren_start=starttime(ppid), paren_inode=pinode,
                nopw_pid=npid, nopw_inode=ninode, secret_pid=spid,
                secret_inode=sinode, old_pid=opid, old_start=starttime(opid),
                old_inode=oinode)

    os.kill(opid, signal.SIGKILL)
    os.waitpid(opid, 0)
    os.kill(cpid, signal.SIGKILL)   # not our child: the listener reaps it
    time.sleep(0.2)   # a later start time, in clock ticks

    _, (newinode,) = spawn_at(opid, one_socket(b"pm-new", uid=NOBODY))
    b = os.path.join(out, "proc-reuse")
    for pid in (lpid, opid):
        record(b, pid)
    vals.update(new_start=starttime(opid), new_inode=newinode)

    for pid in (lpid, ppid, npid, spid, opid):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    for k, v in vals.items():
        print(k, v)


if __name__ == "__main__":
    main()
