#!/usr/bin/env python3
"""nldestroy_record.py — records the kernel's real answers to SOCK_DESTROY
requests (what ss -K sends) for tests/test_netlink.c, as they arrive on a
sock_diag socket that other traffic shares.

    nldestroy_record.py OUTDIR      (as root: it closes its own sockets)

Writes, each a raw run of netlink messages as read:
  destroy-ack.bin   a TCP/IPv4 dump request (seq 100) is sent and left unread,
                    a second loopback pair is aborted so a multicast destroy
                    notification (seq 0) arrives, then SOCK_DESTROY (seq 200,
                    NLM_F_ACK) names the first pair's client by its full id and
                    cookie; everything read until both the ACK and the dump's
                    NLMSG_DONE came, in arrival order.
  destroy-gone.bin  the same SOCK_DESTROY sent again (seq 300): the answer.
  destroy-eperm.bin SOCK_DESTROY (seq 400) for the listener, sent from a child
                    that dropped to uid/gid 65534: the answer.
Dump and notification messages about sockets other than the script's own
(not loopback at both ends, or on none of its ports) are dropped whole, never
edited. Prints the seqs and ports used."""

import os
import select
import socket
import struct
import sys
import time

NETLINK_SOCK_DIAG = 4
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
SKNLGRP_INET_TCP_DESTROY = 1
SOCK_DIAG_BY_FAMILY = 20
SOCK_DESTROY = 21
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
INET_DIAG_NOCOOKIE = 0xFFFFFFFF
ALL_STATES = 0xFFF & ~1
HDR = struct.Struct("=IHHII")
# struct inet_diag_req_v2: family, protocol, ext, pad, states, then the id.
REQ = struct.Struct("=BBBxI")
ID = struct.Struct(">HH16s16s")   # ports and addresses are network order
ID_TAIL = struct.Struct("=III")   # if, cookie[2] in host order
MSG_HEAD = struct.Struct("=BBBB")  # family, state, timer, retrans


def sockid(family, laddr, lport, raddr, rport, cookie=(INET_DIAG_NOCOOKIE,) * 2):
    la = socket.inet_pton(family, laddr).ljust(16, b"\0")
    ra = socket.inet_pton(family, raddr).ljust(16, b"\0")
    return ID.pack(lport, rport, la, ra) + ID_TAIL.pack(0, *cookie)


def request(mtype, flags, seq, family, states, sid):
    body = REQ.pack(family, socket.IPPROTO_TCP, 0, states) + sid
    return HDR.pack(HDR.size + len(body), mtype, flags, seq, 0) + body


def split(data):
    off = 0
    while off + HDR.size <= len(data):
        length, mtype, flags, seq, pid = HDR.unpack_from(data, off)
        yield data[off:off + length], mtype, seq
        off += (length + 3) & ~3


def ours(msg, ports):
    fam = msg[HDR.size]
    sport, dport, src, dst = ID.unpack_from(msg, HDR.size + MSG_HEAD.size)
    n = 4 if fam == socket.AF_INET else 16
    loop = lambda a: a[0] == 127 if n == 4 else a[:16] == b"\0" * 15 + b"\1"
    unspec = dst[:n] == b"\0" * n
    return loop(src) and (loop(dst) or unspec) and (sport in ports or dport in ports)


def peer_of(sock):
    try:
        return sock.getpeername()
    except OSError:  # a listener
        return "0.0.0.0", 0


def cookie_of(sock):
    """Asks the kernel for one socket by its tuple (no cookie yet)."""
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    la, lp = sock.getsockname()
    ra, rp = peer_of(sock)
    nl.send(request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, socket.AF_INET,
                    ALL_STATES, sockid(socket.AF_INET, la, lp, ra, rp)))
    msg = nl.recv(65536)
    assert HDR.unpack_from(msg)[1] == SOCK_DIAG_BY_FAMILY, "exact lookup failed"
    off = HDR.size + MSG_HEAD.size + ID.size + 4
    return struct.unpack_from("=II", msg, off)


def destroy_req(seq, sock, cookie):
    la, lp = sock.getsockname()
    ra, rp = peer_of(sock)
    return request(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, seq, socket.AF_INET, 0,
                   sockid(socket.AF_INET, la, lp, ra, rp, cookie))


def read_until(nl, wanted, ports):
    """Reads until every (type, seq) in wanted came; keeps our messages."""
    kept, seen = b"", set()
    while not wanted <= seen:
        r, _, _ = select.select([nl], [], [], 5)
        assert r, "kernel went quiet before %r" % (wanted - seen)
        for msg, mtype, seq in split(nl.recv(1 << 20)):
            seen.add((mtype, seq))
            if mtype == SOCK_DIAG_BY_FAMILY and not ours(msg, ports):
                continue
            kept += msg
    return kept


def pair(lst):
    c = socket.create_connection(lst.getsockname())
    s, _ = lst.accept()
    return c, s


def eperm_answer(lst, cookie):
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
        nl.send(destroy_req(400, lst, cookie))
        os.write(wr, nl.recv(65536))
        os._exit(0)
    os.close(wr)
    data = os.read(rd, 65536)
    os.waitpid(pid, 0)
    return data


def main(outdir):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4)
    c1, s1 = pair(lst)
    c2, s2 = pair(lst)
    ports = {lst.getsockname()[1], c1.getsockname()[1], c2.getsockname()[1]}
    cookie = cookie_of(c1)
    lcookie = cookie_of(lst)

    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    nl.bind((0, 0))
    nl.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, SKNLGRP_INET_TCP_DESTROY)
    nl.send(request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 100,
                    socket.AF_INET, ALL_STATES, sockid(socket.AF_INET, "0.0.0.0", 0,
                                                       "0.0.0.0", 0)))
    c2.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c2.close()
    s2.close()
    time.sleep(0.3)  # the kernel broadcasts destroys from a work queue
    nl.send(destroy_req(200, c1, cookie))
    ack = read_until(nl, {(NLMSG_ERROR, 200), (NLMSG_DONE, 100)}, ports)
    nl.send(destroy_req(300, c1, cookie))
    gone = read_until(nl, {(NLMSG_ERROR, 300)}, ports)
    eperm = eperm_answer(lst, lcookie)
    for name, data in (("ack", ack), ("gone", gone), ("eperm", eperm)):
        with open(os.path.join(outdir, "destroy-%s.bin" % name), "wb") as f:
            f.write(data)
    print("ports", sorted(ports), "client", c1.getsockname()[1],
          "cookie", cookie, "seqs ack 200 dump 100 gone 300 eperm 400")
    for name, data in (("ack", ack), ("gone", gone), ("eperm", eperm)):
        print(name, [(t, s) for _, t, s in split(data)])


if __name__ == "__main__":
    main(sys.argv[1])
