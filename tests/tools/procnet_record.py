#!/usr/bin/env python3
"""procnet_record.py — records the /proc/net/{tcp,tcp6,udp,udp6} fixtures.

Opens sockets on loopback only (127.0.0.0/8, ::1, ::ffff:127.0.0.1) in as
many TCP states as the kernel lets us hold still, copies the four tables
while the sockets exist, and writes a companion list of the sockets we know
(what the parser must find in the copies). Lines of other sockets (any not
on loopback at both ends, or not on one of our ports) are dropped whole; no
line is ever edited.

Expected queues come from netlink (ss), read right after the copy, so the
fixture pins down "/proc agrees with netlink"; the one documented exception
is a listener's send queue (netlink: the backlog limit, /proc: 0).

Usage: procnet_record.py OUTDIR     (as root: one socket is made as uid 65534)
"""
import errno
import ipaddress
import os
import select
import shutil
import socket
import subprocess
import sys
import time

NOBODY = 65534
STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
          5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
          9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}
STATE_NUM = {v: k for k, v in STATES.items()}

keep = []       # every socket object, so none is closed before the copy
known = []      # (label, proto, family, state, sock or None, fixed fields)


def tcp(fam=socket.AF_INET):
    s = socket.socket(fam, socket.SOCK_STREAM)
    keep.append(s)
    return s


def listener(addr, fam=socket.AF_INET, backlog=16, small=False):
    s = tcp(fam)
    if small:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((addr, 0))
    s.listen(backlog)
    return s


def pair(lst, fam=socket.AF_INET, small=False, dest=None):
    """Connects a client to lst and accepts it: (client, server)."""
    c = tcp(fam)
    if small:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(dest or lst.getsockname()[:2])
    srv, _ = lst.accept()
    keep.append(srv)
    if small:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    return c, srv


def fill(s):
    """Writes until the send buffer and the peer's window are full."""
    s.setblocking(False)
    chunk = b"x" * 4096
    idle = 0
    while idle < 20:
        try:
            s.send(chunk)
            idle = 0
        except BlockingIOError:
            idle += 1
            time.sleep(0.02)
    s.setblocking(True)


def drain_to_eof(s, limit=10.0):
    s.setblocking(False)
    end = time.time() + limit
    while time.time() < end:
        select.select([s], [], [], 0.2)
        try:
            if s.recv(65536) == b"":
                return True
        except BlockingIOError:
            pass
    return False


def note(label, s, proto, fam, state, **fixed):
    known.append((label, proto, fam, state, s, fixed))


def make_tcp4():
    lst = listener("127.0.0.1")
    note("tcp4_listen", lst, "tcp", 4, "LISTEN")
    c, srv = pair(lst)
    c.send(b"a" * 1000)                  # unread: server recvq 1000
    note("tcp4_est_client", c, "tcp", 4, "ESTABLISHED")
    note("tcp4_est_server", srv, "tcp", 4, "ESTABLISHED")
    m = tcp(socket.AF_INET6)             # v4-mapped: AF_INET6 to a v4 listener
    m.connect(("::ffff:127.0.0.1", lst.getsockname()[1]))
    msrv, _ = lst.accept()
    keep.append(msrv)
    note("tcp6_mapped_client", m, "tcp", 6, "ESTABLISHED")
    note("tcp4_mapped_server", msrv, "tcp", 4, "ESTABLISHED")

    pend = listener("127.0.0.1")
    for i in range(2):                   # left in the accept queue: recvq 2
        u = tcp()
        u.connect(pend.getsockname())
        note("tcp4_unaccepted_client%d" % i, u, "tcp", 4, "ESTABLISHED")
        note("tcp4_unaccepted_child%d" % i, None, "tcp", 4, "ESTABLISHED",
             laddr=pend.getsockname()[0], lport=pend.getsockname()[1],
             raddr=u.getsockname()[0], rport=u.getsockname()[1], inode=0)
    note("tcp4_listen_pending", pend, "tcp", 4, "LISTEN")

    os.setresuid(-1, NOBODY, -1)         # the socket's uid is its creator's
    try:
        other = listener("127.0.0.2")
    finally:
        os.setresuid(-1, 0, -1)
    note("tcp4_listen_nobody", other, "tcp", 4, "LISTEN")


def make_closing_states():
    lst = listener("127.0.0.1", small=True)
    c, srv = pair(lst)
    c.shutdown(socket.SHUT_WR)           # FIN acked: FIN_WAIT2 / CLOSE_WAIT
    note("tcp4_fin_wait2", c, "tcp", 4, "FIN_WAIT2")
    note("tcp4_close_wait", srv, "tcp", 4, "CLOSE_WAIT")

    c, srv = pair(lst, small=True)
    fill(c)                              # srv never reads: zero window
    c.shutdown(socket.SHUT_WR)           # FIN queued behind data
    note("tcp4_fin_wait1", c, "tcp", 4, "FIN_WAIT1")
    note("tcp4_est_full", srv, "tcp", 4, "ESTABLISHED")

    c, srv = pair(lst, small=True)
    c.shutdown(socket.SHUT_WR)           # c FIN_WAIT2, srv CLOSE_WAIT
    time.sleep(0.1)
    fill(srv)                            # c never reads
    srv.shutdown(socket.SHUT_WR)         # FIN stuck behind data: LAST_ACK
    note("tcp4_last_ack", srv, "tcp", 4, "LAST_ACK")
    note("tcp4_fin_wait2_full", c, "tcp", 4, "FIN_WAIT2")

    c, srv = pair(lst, small=True)
    fill(c)
    fill(srv)
    c.shutdown(socket.SHUT_WR)
    srv.shutdown(socket.SHUT_WR)         # both FIN_WAIT1, FINs stuck
    if drain_to_eof(c):                  # c gets srv's FIN first: CLOSING
        note("tcp4_closing", c, "tcp", 4, "CLOSING")
        # srv's data and FIN were all read and acked: FIN_WAIT2
        note("tcp4_closing_peer", srv, "tcp", 4, "FIN_WAIT2")


def time_wait(addr, fam, label):
    lst = listener(addr, fam)
    c, srv = pair(lst, fam)
    cport = c.getsockname()[1]
    c.close()
    srv.recv(1)
    srv.close()
    v = 4 if fam == socket.AF_INET else 6
    note(label, None, "tcp", v, "TIME_WAIT", laddr=addr, lport=cport,
         raddr=addr, rport=lst.getsockname()[1], inode=0, uid=0)
    note(label + "_listen", lst, "tcp", v, "LISTEN")


def make_syn_states():
    full = listener("127.0.0.3", backlog=0)
    first = tcp()
    first.connect(full.getsockname())    # fills the zero-length accept queue
    time.sleep(0.1)
    late = tcp()
    late.setblocking(False)
    err = late.connect_ex(full.getsockname())
    assert err == errno.EINPROGRESS, err
    note("tcp4_syn_sent", late, "tcp", 4, "SYN_SENT",
         raddr="127.0.0.3", rport=full.getsockname()[1])
    note("tcp4_listen_full", full, "tcp", 4, "LISTEN")

    # With TCP_DEFER_ACCEPT the server drops the bare handshake ACK and
    # keeps the request socket in SYN_RECV until data comes.
    # Owned by uid 65534: /proc shows a request socket with its listener's
    # uid, netlink with uid 0.
    os.setresuid(-1, NOBODY, -1)
    try:
        defer = listener("127.0.0.4")
    finally:
        os.setresuid(-1, 0, -1)
    defer.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 30)
    cl = tcp()
    cl.connect(defer.getsockname())
    note("tcp4_defer_client", cl, "tcp", 4, "ESTABLISHED")
    note("tcp4_syn_recv", None, "tcp", 4, "SYN_RECV",
         laddr="127.0.0.4", lport=defer.getsockname()[1],
         raddr=cl.getsockname()[0], rport=cl.getsockname()[1], inode=0,
         uid=0)
    note("tcp4_listen_defer", defer, "tcp", 4, "LISTEN")


def make_tcp6():
    lst = listener("::1", socket.AF_INET6)
    note("tcp6_listen", lst, "tcp", 6, "LISTEN")
    c, srv = pair(lst, socket.AF_INET6)
    srv.send(b"b" * 777)                 # unread: client recvq 777
    note("tcp6_est_client", c, "tcp", 6, "ESTABLISHED")
    note("tcp6_est_server", srv, "tcp", 6, "ESTABLISHED")
    lm = listener("::ffff:127.0.0.1", socket.AF_INET6)
    note("tcp6_listen_mapped", lm, "tcp", 6, "LISTEN")


def udp(fam, addr):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    keep.append(s)
    s.bind((addr, 0))
    return s


def make_udp():
    a = udp(socket.AF_INET, "127.0.0.1")
    b = udp(socket.AF_INET, "127.0.0.1")
    b.connect(a.getsockname())
    for _ in range(3):
        b.send(b"c" * 100)               # a never reads: recvq > 0
    note("udp4_unconn", a, "udp", 4, "CLOSE")
    note("udp4_connected", b, "udp", 4, "ESTABLISHED")
    a6 = udp(socket.AF_INET6, "::1")
    b6 = udp(socket.AF_INET6, "::1")
    b6.connect(a6.getsockname()[:2])
    b6.send(b"d" * 50)
    note("udp6_unconn", a6, "udp", 6, "CLOSE")
    note("udp6_connected", b6, "udp", 6, "ESTABLISHED")
    m = udp(socket.AF_INET6, "::ffff:127.0.0.1")
    m.connect(("::ffff:127.0.0.1", a.getsockname()[1]))
    note("udp6_mapped_connected", m, "udp", 6, "ESTABLISHED")


def is_loop(a):
    ip = ipaddress.ip_address(a)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def hexaddr(h):
    raw = bytes.fromhex(h)
    # each 32-bit word was printed as a host-order integer
    words = [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]
    b = b"".join(w.to_bytes(4, sys.byteorder) for w in words)
    return str(ipaddress.ip_address(b))


def ours_only(text, ports):
    """Keeps the header and the lines of our sockets: both ends loopback (the
    local end not a wildcard: that would be a service on every address) and
    a port of ours on one end. Other sockets of the machine are dropped
    whole. Returns (kept text, dropped count)."""
    lines = text.splitlines(keepends=True)
    out, dropped = [lines[0]], 0
    for ln in lines[1:]:
        f = ln.split()
        la, lp = f[1].split(":")
        ra, rp = f[2].split(":")
        lip, rip = hexaddr(la), hexaddr(ra)
        local_ok = is_loop(lip) and not ipaddress.ip_address(lip).is_unspecified
        mine = int(lp, 16) in ports or int(rp, 16) in ports
        if local_ok and is_loop(rip) and mine:
            out.append(ln)
        else:
            dropped += 1
    return "".join(out), dropped


def ss_view():
    """netlink's view, keyed by (proto, laddr, lport, raddr, rport)."""
    out = subprocess.run(["ss", "-H", "-tuane"], capture_output=True,
                         text=True, check=True).stdout
    view = {}
    for ln in out.splitlines():
        f = ln.split()
        if len(f) < 6:
            continue
        la, lp = f[4].rsplit(":", 1)
        ra, rp = f[5].rsplit(":", 1)
        la, ra = la.strip("[]").split("%")[0], ra.strip("[]").split("%")[0]
        if ra == "*":
            ra = "0.0.0.0" if "." in la and ":" not in la else "::"
        rp = 0 if rp == "*" else int(rp)
        ino = next((int(x[4:]) for x in f if x.startswith("ino:")), 0)
        view[(f[0], la, int(lp), ra, rp)] = (int(f[2]), int(f[3]), ino, f[1])
    return view


def fields_of(label, proto, fam, state, s, fixed):
    if s is not None:
        la, lp = s.getsockname()[:2]
        try:
            ra, rp = s.getpeername()[:2]
        except OSError:
            ra, rp = ("0.0.0.0" if fam == 4 else "::"), 0
        inode = os.fstat(s.fileno()).st_ino
        uid = os.fstat(s.fileno()).st_uid
    else:
        la = lp = ra = rp = None
        inode = uid = 0
    la = fixed.get("laddr", la)
    lp = fixed.get("lport", lp)
    ra = fixed.get("raddr", ra)
    rp = fixed.get("rport", rp)
    inode = fixed.get("inode", inode)
    uid = fixed.get("uid", uid)
    def norm(a):                         # glibc's spelling: ::ffff:127.0.0.1
        fam_ = socket.AF_INET6 if ":" in a else socket.AF_INET
        return socket.inet_ntop(fam_, socket.inet_pton(fam_, a))
    return [label, proto, str(fam), str(STATE_NUM[state]), state,
            norm(la), str(lp), norm(ra), str(rp), str(uid), str(inode)]


def main():
    outdir = sys.argv[1]
    os.makedirs(os.path.join(outdir, "net"), exist_ok=True)
    make_tcp4()
    make_closing_states()
    time_wait("127.0.0.1", socket.AF_INET, "tcp4_time_wait")
    time_wait("::1", socket.AF_INET6, "tcp6_time_wait")
    make_syn_states()
    make_tcp6()
    make_udp()
    time.sleep(0.5)                      # let the queues settle

    copies = {}
    for name in ("tcp", "tcp6", "udp", "udp6"):
        with open("/proc/net/" + name) as f:
            copies[name] = f.read()
    view = ss_view()
    rows = [fields_of(*k) for k in known]

    ports = {int(r[6]) for r in rows} | {int(r[8]) for r in rows}
    ports.discard(0)
    dropped_total = 0
    for name, text in copies.items():
        kept, dropped = ours_only(text, ports)
        dropped_total += dropped
        with open(os.path.join(outdir, "net", name), "w") as f:
            f.write(kept)

    with open(os.path.join(outdir, "expected"), "w") as f:
        f.write("# Sockets procnet_record.py opened when the tables in net/ were\n"
                "# copied (kernel %s). Queues are netlink's (ss) read just after;\n"
                "# a listener's sendq is 0 because /proc has no backlog limit\n"
                "# (netlink's value is in the comment).\n"
                "# label proto family state name laddr lport raddr rport uid"
                " inode recvq sendq\n" % os.uname().release)
        for r in rows:
            key = (r[1], r[5], int(r[6]), r[7], int(r[8]))
            if key not in view:
                sys.exit("netlink does not show %s %s" % (r[0], key))
            rq, sq, ino, st = view[key]
            note_ = ""
            if r[4] == "LISTEN":
                note_ = "  # netlink sendq %d (backlog limit)" % sq
                sq = 0
            if ino != int(r[10]):
                sys.exit("inode mismatch for %s: ss %d" % (r[0], ino))
            ss_state = st.replace("-", "_").replace("FIN_WAIT_", "FIN_WAIT")
            ss_state = {"UNCONN": "CLOSE", "ESTAB": "ESTABLISHED",
                        "SYN_RECV": "SYN_RECV"}.get(ss_state, ss_state)
            if ss_state != r[4]:
                sys.exit("state mismatch for %s: ss %s" % (r[0], st))
            f.write(" ".join(r + [str(rq), str(sq)]) + note_ + "\n")
    print("recorded %d sockets, dropped %d lines of other sockets"
          % (len(rows), dropped_total))


if __name__ == "__main__":
    main()
