#!/usr/bin/env python3
"""nlrecord.py — opens known sockets on loopback, records sock_diag dumps of
them with nlcapture, and writes what is known about each socket beside the
dump (tests/fixtures/netlink-<kind>.expect), for tests/test_netlink.c.

    nlrecord.py NLCAPTURE OUTDIR

Each dump keeps only the sockets on the local ports of the known ones (and
their peers), so other loopback traffic on the machine stays out of it.

Run it as an unprivileged user (e.g. setpriv --reuid=65534 --regid=65534
--clear-groups) so the socket owner's uid is not the 0 a zeroed record has.

Expect lines: proto family state laddr lport raddr rport inode uid recvq sendq
acked received. recvq/sendq are exact, ">=N" (a lower bound: UDP counts skb
overhead) or "-"; acked/received are lower bounds on tcp_info's bytes_acked
and bytes_received, "-" when not asserted. Queues come from SIOCINQ/SIOCOUTQ,
which the kernel computes as inet_diag does for TCP, checked again after the
capture so a value that moved during it fails the recording."""

import fcntl
import os
import socket
import struct
import subprocess
import sys
import termios
import time

SIOCINQ = termios.FIONREAD
SIOCOUTQ = termios.TIOCOUTQ


def ioctl_int(s, req):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), req, b"\0" * 4))[0]


def ino(s):
    return os.fstat(s.fileno()).st_ino


class Recorder:
    def __init__(self):
        self.rows = {"tcp4": [], "tcp6": [], "udp4": [], "udp6": []}
        self.queue_checks = []
        self.keep = []

    def add(self, kind, state, s, recvq="-", sendq="-", acked="-", received="-",
            peer=None):
        fam = 4 if s.family == socket.AF_INET else 6
        la = s.getsockname()
        try:
            ra = peer or s.getpeername()
        except OSError:
            ra = ("0.0.0.0", 0) if fam == 4 else ("::", 0)
        self.rows[kind].append([kind[:3], str(fam), state, la[0], str(la[1]),
                                ra[0], str(ra[1]), str(ino(s)), str(os.getuid()),
                                str(recvq), str(sendq), str(acked), str(received)])
        self.keep.append(s)

    def add_tcp(self, kind, state, s, acked="-", received="-"):
        """A TCP socket whose queues are read with SIOCINQ/SIOCOUTQ now and
        re-checked after the capture. Once the peer's FIN is in (CLOSE_WAIT)
        inet_diag and /proc count it in rcv_nxt - copied_seq, SIOCINQ not."""
        q = (ioctl_int(s, SIOCINQ), ioctl_int(s, SIOCOUTQ))
        self.queue_checks.append((s, q))
        fin = 1 if state in ("CLOSE_WAIT", "LAST_ACK", "CLOSING") else 0
        self.add(kind, state, s, q[0] + fin, q[1], acked, received)

    def add_time_wait(self, kind, local, remote):
        fam = "4" if kind.endswith("4") else "6"
        self.rows[kind].append(["tcp", fam, "TIME_WAIT", local[0], str(local[1]),
                                remote[0], str(remote[1]), "0", "0", "0", "0",
                                "-", "-"])


def pair(listener, family, dest):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect(dest)
    s, _ = listener.accept()
    return c, s


def move(src, dst, n):
    src.sendall(b"x" * n)
    got = 0
    while got < n:
        got += len(dst.recv(n - got))


def tcp4(r):
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(5)
    addr = lst.getsockname()

    # Established, bytes both ways; the client leaves 1000 bytes unread.
    c1, s1 = pair(lst, socket.AF_INET, addr)
    move(c1, s1, 3000)
    s1.sendall(b"y" * 1000)

    # Send-Q: the receiver shrinks its window and reads nothing.
    lst2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst2.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lst2.bind(("127.0.0.1", 0))
    lst2.listen(1)
    c2, s2 = pair(lst2, socket.AF_INET, lst2.getsockname())
    c2.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    c2.setblocking(False)
    try:
        while True:
            c2.send(b"z" * 4096)
    except BlockingIOError:
        pass
    lst2.close()

    # FIN_WAIT2 / CLOSE_WAIT: the client shuts down its side, the server not.
    c3, s3 = pair(lst, socket.AF_INET, addr)
    c3.shutdown(socket.SHUT_WR)

    # TIME_WAIT: the client closes first, then the server.
    c4, s4 = pair(lst, socket.AF_INET, addr)
    tw_local, tw_remote = c4.getsockname(), c4.getpeername()
    c4.close()
    s4.recv(1)
    s4.close()

    time.sleep(0.3)
    r.add_tcp("tcp4", "ESTABLISHED", c1, acked=3000, received=1000)
    r.add_tcp("tcp4", "ESTABLISHED", s1, acked=1000, received=3000)
    r.add_tcp("tcp4", "ESTABLISHED", c2)
    r.add_tcp("tcp4", "ESTABLISHED", s2)
    r.add_tcp("tcp4", "FIN_WAIT2", c3)
    r.add_tcp("tcp4", "CLOSE_WAIT", s3)
    r.add_time_wait("tcp4", tw_local, tw_remote)
    r.keep += [s4]
    return lst


def tcp6(r, v4_listener):
    lst = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    lst.bind(("::1", 0))
    lst.listen(7)
    c1, s1 = pair(lst, socket.AF_INET6, lst.getsockname()[:2])
    move(c1, s1, 2000)
    move(s1, c1, 500)

    # A v4-mapped connection: an AF_INET6 socket talking to 127.0.0.1.
    m = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    v4 = v4_listener.getsockname()
    m.connect(("::ffff:" + v4[0], v4[1]))
    ms, _ = v4_listener.accept()
    move(m, ms, 100)
    r.keep.append(ms)
    time.sleep(0.2)

    r.add("tcp6", "LISTEN", lst, recvq=0, sendq=7)
    r.add_tcp("tcp6", "ESTABLISHED", c1, acked=2000, received=500)
    r.add_tcp("tcp6", "ESTABLISHED", s1, acked=500, received=2000)
    r.add_tcp("tcp6", "ESTABLISHED", m, acked=100, received=0)


def tcp4_backlog(r, lst):
    """One connection left in the accept queue: LISTEN Recv-Q 1, Send-Q 5."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect(lst.getsockname())
    r.keep.append(c)
    time.sleep(0.1)
    r.add("tcp4", "LISTEN", lst, recvq=1, sendq=5)


def udp(r, kind, family, host):
    b = socket.socket(family, socket.SOCK_DGRAM)
    b.bind((host, 0))
    c = socket.socket(family, socket.SOCK_DGRAM)
    c.bind((host, 0))
    c.connect(b.getsockname()[:2])
    c.send(b"d" * 100)
    time.sleep(0.1)
    r.add(kind, "CLOSE", b, recvq=">=100", sendq=0)
    r.add(kind, "ESTABLISHED", c, recvq=0, sendq=0)


def main():
    nlcapture, outdir = sys.argv[1], sys.argv[2]
    r = Recorder()
    v4 = tcp4(r)
    tcp6(r, v4)
    tcp4_backlog(r, v4)
    udp(r, "udp4", socket.AF_INET, "127.0.0.1")
    udp(r, "udp6", socket.AF_INET6, "::1")
    for kind, rows in r.rows.items():
        ports = sorted({row[4] for row in rows})
        subprocess.run([nlcapture, kind, f"{outdir}/netlink-{kind}.bin"] + ports,
                       check=True)
    for s, q in r.queue_checks:
        now = (ioctl_int(s, SIOCINQ), ioctl_int(s, SIOCOUTQ))
        if now != q:
            sys.exit(f"queues moved during the capture: {q} -> {now}")
    for kind, rows in r.rows.items():
        with open(f"{outdir}/netlink-{kind}.expect", "w") as f:
            f.write("# proto family state laddr lport raddr rport inode uid "
                    "recvq sendq acked received (see tests/tools/nlrecord.py)\n")
            for row in rows:
                f.write(" ".join(row) + "\n")


if __name__ == "__main__":
    main()
