#!/usr/bin/env python3
"""nlwatch_record.py — records the kernel's real destroy notifications (what
ss -E listens to) with the dumps around them, for tests/test_netlink.c and
tests/test_destroyed.c.

    nlwatch_record.py OUTDIR      (as root: joining the groups may need it)

On one sock_diag socket joined to the four destroy groups (TCP and UDP over
IPv4 and IPv6), with sockets on loopback only:
  watch-dump1.bin   a TCP/IPv4 dump (INET_DIAG_INFO asked) through NLMSG_DONE,
                    taken while a 127.0.0.1 listener and one connection to it
                    (3000 bytes client->server, 1000 back, all read) are open.
  watch-destroy.bin every notification that then came, in arrival order,
                    while: the connection is closed, client first (so the
                    client's end goes to TIME_WAIT) then the server's end; a
                    second connection opens, moves 500 bytes each way and
                    closes the same way (no dump ever sees it); a connected
                    UDP socket on 127.0.0.1 and an unconnected one on ::1 are
                    closed; a ::1 TCP pair is closed, server first.
  watch-dump2.bin   the same dump again, afterwards (the listener and the
                    first client's TIME_WAIT).
Messages about other sockets than the script's (not loopback at both ends or
unspecified remote, or on none of its ports) are dropped whole, never edited.
Prints the ports and cookies the tests name.

    nlwatch_record.py --rst OUTDIR

writes only watch-rst.bin: the notifications for a 127.0.0.1 connection and
a ::1 one, each opened, moving 100 bytes, and closed with RST at both ends
(SO_LINGER 0), with no dump between. The kernel has already cleared the
connecting end's local address and remote port when it announces that end,
so for this file a notification whose local address is unspecified counts
as the script's when its remote is loopback and its local port is one of
the script's."""

import os
import select
import socket
import struct
import sys
import time

NETLINK_SOCK_DIAG = 4
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
GROUPS = (1, 2, 3, 4)   # SKNLGRP_INET_TCP, INET_UDP, INET6_TCP, INET6_UDP _DESTROY
SOCK_DIAG_BY_FAMILY = 20
NLMSG_DONE = 3
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
INET_DIAG_INFO = 2
ALL_STATES = 0xFFF & ~1
HDR = struct.Struct("=IHHII")
REQ = struct.Struct("=BBBxI")
ID = struct.Struct(">HH16s16s")
ID_TAIL = struct.Struct("=III")


def dump_request(seq):
    body = REQ.pack(socket.AF_INET, socket.IPPROTO_TCP, 1 << (INET_DIAG_INFO - 1),
                    ALL_STATES) + ID.pack(0, 0, b"\0" * 16, b"\0" * 16) + \
        ID_TAIL.pack(0, 0xFFFFFFFF, 0xFFFFFFFF)
    return HDR.pack(HDR.size + len(body), SOCK_DIAG_BY_FAMILY,
                    NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body


def split(data):
    off = 0
    while off + HDR.size <= len(data):
        length, mtype, flags, seq, pid = HDR.unpack_from(data, off)
        yield data[off:off + length], mtype, seq
        off += (length + 3) & ~3


def ours(msg, ports, cleared_src=False):
    fam = msg[HDR.size]
    sport, dport, src, dst = ID.unpack_from(msg, HDR.size + 4)
    n = 4 if fam == socket.AF_INET else 16
    loop = lambda a: a[0] == 127 if n == 4 else a[:16] == b"\0" * 15 + b"\1"
    unspec = dst[:n] == b"\0" * n
    if cleared_src and src[:n] == b"\0" * n:
        return loop(dst) and sport in ports
    return loop(src) and (loop(dst) or unspec) and (sport in ports or dport in ports)


def keep(msg, mtype, ports, cleared_src=False):
    return mtype != SOCK_DIAG_BY_FAMILY or ours(msg, ports, cleared_src)


def dump(nl, seq, ports):
    nl.send(dump_request(seq))
    kept = b""
    while True:
        for msg, mtype, s in split(nl.recv(1 << 20)):
            if s != seq:
                continue   # a notification slipped in: not part of the dump
            if keep(msg, mtype, ports):
                kept += msg
            if mtype == NLMSG_DONE:
                return kept


def notifications(nl, ports, quiet=0.5, cleared_src=False):
    """Everything that arrives until the kernel is quiet for a while."""
    kept = b""
    while True:
        r, _, _ = select.select([nl], [], [], quiet)
        if not r:
            return kept
        for msg, mtype, seq in split(nl.recv(1 << 20)):
            if seq == 0 and keep(msg, mtype, ports, cleared_src):
                kept += msg


def pair(lst, family=socket.AF_INET):
    c = socket.socket(family)
    c.connect(lst.getsockname()[:2])
    s, _ = lst.accept()
    return c, s


def move(a, b, n):
    a.sendall(b"x" * n)
    got = 0
    while got < n:
        got += len(b.recv(n - got))


def watch_socket():
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    nl.bind((0, 0))
    for g in GROUPS:
        nl.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)
    nl.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    return nl


def record_rst(outdir):
    nl = watch_socket()
    rst = struct.pack("ii", 1, 0)
    listeners, ports, info = [], set(), {}
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        lst = socket.socket(family)
        lst.bind((host, 0))
        lst.listen(1)
        listeners.append(lst)
        c, s = pair(lst, family)
        ports |= {lst.getsockname()[1], c.getsockname()[1]}
        tag = "v4" if family == socket.AF_INET else "v6"
        info[tag + "_listener"] = lst.getsockname()[1]
        info[tag + "_client"] = c.getsockname()[1]
        move(c, s, 100)
        for x in (c, s):
            x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, rst)
        c.close()
        s.close()
    time.sleep(0.3)   # the kernel announces from a work queue
    data = notifications(nl, ports, cleared_src=True)
    for lst in listeners:   # after: their own announcements are not recorded
        lst.close()
    with open(os.path.join(outdir, "watch-rst.bin"), "wb") as f:
        f.write(data)
    print(" ".join("%s=%s" % kv for kv in sorted(info.items())))
    print("rst", [(t, s, m[HDR.size + 1]) for m, t, s in split(data)])


def main(outdir):
    nl = watch_socket()

    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4)
    c1, s1 = pair(lst)
    move(c1, s1, 3000)
    move(s1, c1, 1000)
    l6 = socket.socket(socket.AF_INET6)
    l6.bind(("::1", 0))
    l6.listen(4)
    u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u4.bind(("127.0.0.1", 0))
    u4.connect(("127.0.0.1", lst.getsockname()[1]))
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.bind(("::1", 0))
    ports = {lst.getsockname()[1], c1.getsockname()[1], l6.getsockname()[1],
             u4.getsockname()[1], u6.getsockname()[1]}
    info = {"listener": lst.getsockname()[1], "c1": c1.getsockname()[1],
            "c1_inode": os.fstat(c1.fileno()).st_ino,
            "s1_inode": os.fstat(s1.fileno()).st_ino,
            "udp4": u4.getsockname()[1], "udp6": u6.getsockname()[1],
            "l6": l6.getsockname()[1]}
    notifications(nl, ports, 0.2)   # whatever closed before now is not ours
    dump1 = dump(nl, 100, ports)

    c1.close()
    time.sleep(0.05)
    s1.close()
    c2, s2 = pair(lst)
    ports.add(c2.getsockname()[1])
    info["c2"] = c2.getsockname()[1]
    move(c2, s2, 500)
    move(s2, c2, 500)
    c2.close()
    time.sleep(0.05)
    s2.close()
    u4.close()
    u6.close()
    c6, s6 = pair(l6, socket.AF_INET6)
    ports.add(c6.getsockname()[1])
    info["c6"] = c6.getsockname()[1]
    s6.close()
    time.sleep(0.05)
    c6.close()
    time.sleep(0.3)   # the kernel announces from a work queue
    destroyed = notifications(nl, ports)
    dump2 = dump(nl, 200, ports)

    for name, data in (("dump1", dump1), ("destroy", destroyed), ("dump2", dump2)):
        with open(os.path.join(outdir, "watch-%s.bin" % name), "wb") as f:
            f.write(data)
    print(" ".join("%s=%s" % kv for kv in sorted(info.items())))
    for name, data in (("dump1", dump1), ("destroy", destroyed), ("dump2", dump2)):
        print(name, [(t, s, m[HDR.size + 1]) for m, t, s in split(data)])


if __name__ == "__main__":
    if sys.argv[1] == "--rst":
        record_rst(sys.argv[2])
    else:
        main(sys.argv[1])
