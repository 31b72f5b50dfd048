#!/usr/bin/env python3
"""life_record.py — records how the real kernel shows one TCP connection's
life from first dump to last, for tests/test_life.c.

    life_record.py OUTDIR CASE     (as root: the destroy groups may need it)

CASE is one of: active, passive, simultaneous, reset, brief, reuse. A
server process (named life-srv) and a client process it forks (life-cli)
open connections on 127.0.0.1 and close them as the case says; between the
steps the recorder takes a TCP/IPv4 sock_diag dump (INET_DIAG_INFO asked)
on a socket that also joined the four destroy groups (what ss -E hears).
OUTDIR/life-CASE.bin holds every message in arrival order: notifications
(seq 0) and each dump (seq 100, 101, ...) through its NLMSG_DONE.
OUTDIR/life-CASE/N/<pid>/ holds, for dump N, both processes' /proc/<pid>/
stat, comm and status verbatim and their fd tables as fd.links ("<fd>
<readlink target>" a line), read just after the dump. Messages about other
sockets than the case's (not 127.0.0.0/8 at both ends, or on none of its
ports) are dropped whole; none is edited. Waits out TIME_WAIT (60 s) where
a case needs the timewait socket's end. Prints the ports and inodes."""

import ctypes
import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlwatch_record import HDR, NLMSG_DONE, dump_request, keep, split, watch_socket  # noqa: E402

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15
TW_END = 62          # seconds: TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN)
SMALL = 4096         # buffers small enough to fill


def set_comm(name):
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0)


def inode(s):
    return os.fstat(s.fileno()).st_ino


def fill(s):
    """Sends until the peer's window and our buffer are full."""
    s.setblocking(False)
    sent = 0
    try:
        while True:
            sent += s.send(b"y" * 65536)
    except BlockingIOError:
        pass
    s.setblocking(True)
    return sent


def drain(s, until_eof=True):
    s.settimeout(2)
    got = 0
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += len(b)
    except socket.timeout:
        pass
    s.settimeout(None)
    return got


def small(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL)


class Client:
    """The client end, in a process of its own so that each end has its
    own owner. Commands go down a pipe as JSON, answers come back."""

    def __init__(self):
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(down_w)
            os.close(up_r)
            set_comm(b"life-cli")
            self.serve(os.fdopen(down_r), os.fdopen(up_w, "w"))
            os._exit(0)
        os.close(down_r)
        os.close(up_w)
        self.down, self.up = os.fdopen(down_w, "w"), os.fdopen(up_r)

    def serve(self, down, up):
        socks = {}
        for line in down:
            cmd = json.loads(line)
            op, arg = cmd["op"], cmd.get("arg")
            out = None
            if op == "connect":
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if cmd.get("small"):
                    small(s)
                s.bind(("127.0.0.1", cmd.get("bind", 0)))
                s.connect(("127.0.0.1", arg))
                socks[s.getsockname()[1]] = s
                out = [s.getsockname()[1], inode(s)]
            else:
                s = socks[cmd["port"]]
                if op == "send":
                    s.sendall(b"x" * arg)
                elif op == "recv":
                    got = 0
                    while got < arg:
                        got += len(s.recv(arg - got))
                elif op == "fill":
                    out = fill(s)
                elif op == "drain":
                    out = drain(s)
                elif op == "shutdown":
                    s.shutdown(socket.SHUT_WR)
                elif op == "rst":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                    del socks[cmd["port"]]
                elif op == "close":
                    s.close()
                    del socks[cmd["port"]]
            up.write(json.dumps(out) + "\n")
            up.flush()

    def __call__(self, op, arg=None, **kw):
        self.down.write(json.dumps(dict(kw, op=op, arg=arg)) + "\n")
        self.down.flush()
        return json.loads(self.up.readline())

    def stop(self):
        self.down.close()
        os.waitpid(self.pid, 0)


class Recorder:
    def __init__(self, outdir, case):
        self.nl = watch_socket()
        self.out = b""
        self.seq = 100
        self.ports = set()
        self.dir = os.path.join(outdir, "life-" + case)
        self.bin = os.path.join(outdir, "life-%s.bin" % case)
        self.pids = []
        self.info = {}

    def notices(self, quiet=0.3):
        while True:
            r, _, _ = select.select([self.nl], [], [], quiet)
            if not r:
                return
            for msg, mtype, seq in split(self.nl.recv(1 << 20)):
                if seq == 0 and keep(msg, mtype, self.ports):
                    self.out += msg

    def dump(self, what):
        self.notices()
        self.nl.send(dump_request(self.seq))
        done = False
        while not done:
            for msg, mtype, s in split(self.nl.recv(1 << 20)):
                if s == 0:
                    if keep(msg, mtype, self.ports):
                        self.out += msg
                    continue
                if s != self.seq:
                    continue
                if keep(msg, mtype, self.ports):
                    self.out += msg
                done = done or mtype == NLMSG_DONE
        self.proc_tree(self.seq - 100)
        print("dump %d (%s): %s" % (self.seq - 100, what, states(self.out, self.seq)))
        self.seq += 1

    def proc_tree(self, n):
        for pid in self.pids:
            d = os.path.join(self.dir, str(n), str(pid))
            os.makedirs(d, exist_ok=True)
            for name in ("stat", "comm", "status"):
                with open("/proc/%d/%s" % (pid, name), "rb") as f, \
                        open(os.path.join(d, name), "wb") as g:
                    g.write(f.read())
            links = []
            for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
                try:
                    links.append("%s %s" % (fd, os.readlink("/proc/%d/fd/%s" % (pid, fd))))
                except OSError:
                    pass
            with open(os.path.join(d, "fd.links"), "w") as g:
                g.write("\n".join(links) + "\n")

    def save(self):
        self.notices(0.5)
        with open(self.bin, "wb") as f:
            f.write(self.out)
        print(" ".join("%s=%s" % kv for kv in sorted(self.info.items())))


def states(data, seq):
    names = {1: "EST", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FW1", 5: "FW2", 6: "TW", 7: "CLOSE",
             8: "CW", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NSR"}
    out = []
    for msg, mtype, s in split(data):
        if s == seq and mtype != NLMSG_DONE and len(msg) > HDR.size + 8:
            sport, dport = struct.unpack_from(">HH", msg, HDR.size + 4)
            ino = struct.unpack_from("=I", msg, HDR.size + 68)[0]
            out.append("%d->%d %s ino=%d" % (sport, dport, names.get(msg[HDR.size + 1], "?"), ino))
    return ", ".join(out)


def connect(rec, cli, lst, **kw):
    port, ino = cli("connect", lst.getsockname()[1], **kw)
    rec.ports.add(port)
    srv, _ = lst.accept()
    return port, ino, srv


def case_active(rec, cli, lst):
    """Client closes first: FIN_WAIT2 then TIME_WAIT on its side."""
    port, ino, srv = connect(rec, cli, lst)
    rec.info.update(client=port, client_inode=ino, server_inode=inode(srv))
    cli("send", 3000, port=port)
    drain_n(srv, 3000)
    srv.sendall(b"z" * 1000)
    cli("recv", 1000, port=port)
    rec.dump("both established")
    cli("close", port=port)
    time.sleep(0.05)
    rec.dump("client FIN_WAIT2, server CLOSE_WAIT")
    srv.close()
    time.sleep(0.05)
    rec.dump("client TIME_WAIT, server gone")
    time.sleep(TW_END)
    rec.dump("TIME_WAIT over")


def case_passive(rec, cli, lst):
    """Server half-closes first and stops reading; the client, in
    CLOSE_WAIT, fills the window and closes: LAST_ACK with its FIN behind
    the data; the server then reads it all and closes."""
    port, ino, srv = connect(rec, cli, lst, small=True)
    small(srv)
    rec.info.update(client=port, client_inode=ino, server_inode=inode(srv))
    rec.dump("both established")
    srv.shutdown(socket.SHUT_WR)
    time.sleep(0.05)
    rec.dump("server FIN_WAIT2, client CLOSE_WAIT")
    rec.info["filled"] = cli("fill", port=port)
    cli("close", port=port)
    time.sleep(0.05)
    rec.dump("client LAST_ACK, server FIN_WAIT2")
    rec.info["read"] = drain(srv)
    srv.close()
    time.sleep(0.05)
    rec.dump("server TIME_WAIT, client gone")
    time.sleep(TW_END)
    rec.dump("TIME_WAIT over")


def case_simultaneous(rec, cli, lst):
    """Both ends send their FIN before the other's arrives (each FIN waits
    behind data the other has not read): FIN_WAIT1 at both, then CLOSING
    and TIME_WAIT at both."""
    port, ino, srv = connect(rec, cli, lst, small=True)
    small(srv)
    rec.info.update(client=port, client_inode=ino, server_inode=inode(srv))
    rec.dump("both established")
    rec.info["cli_filled"] = cli("fill", port=port)
    rec.info["srv_filled"] = fill(srv)
    cli("shutdown", port=port)
    srv.shutdown(socket.SHUT_WR)
    time.sleep(0.05)
    rec.dump("both FIN_WAIT1")
    rec.info["cli_read"] = cli("drain", port=port)
    time.sleep(0.05)
    rec.dump("client read all")
    rec.info["srv_read"] = drain(srv)
    time.sleep(0.05)
    rec.dump("both read all")
    cli("close", port=port)
    srv.close()
    time.sleep(0.05)
    rec.dump("both closed")
    time.sleep(TW_END)
    rec.dump("TIME_WAIT over")


def case_reset(rec, cli, lst):
    """The client aborts (SO_LINGER 0): RST; the server holds its
    descriptor a while, so its close notice comes a poll later."""
    port, ino, srv = connect(rec, cli, lst)
    rec.info.update(client=port, client_inode=ino, server_inode=inode(srv))
    cli("send", 100, port=port)
    drain_n(srv, 100)
    rec.dump("both established")
    cli("rst", port=port)
    time.sleep(0.05)
    rec.dump("reset: both gone")
    srv.close()
    time.sleep(0.05)
    rec.dump("server descriptor closed")


def case_brief(rec, cli, lst):
    """A connection opens, moves 700 bytes each way and closes, client
    first, all between two dumps: only its TIME_WAIT is ever dumped."""
    rec.dump("nothing yet")
    port, ino, srv = connect(rec, cli, lst)
    rec.info.update(client=port, client_inode=ino, server_inode=inode(srv))
    cli("send", 700, port=port)
    drain_n(srv, 700)
    srv.sendall(b"z" * 700)
    cli("recv", 700, port=port)
    cli("close", port=port)
    time.sleep(0.05)
    srv.close()
    time.sleep(0.05)
    rec.dump("client TIME_WAIT")
    time.sleep(TW_END)
    rec.dump("TIME_WAIT over")


def case_reuse(rec, cli, lst):
    """One client port, three lives: the first closes client first and its
    TIME_WAIT ends; the second (same 5-tuple) closes server first; the
    third takes the tuple over from the server's TIME_WAIT (a SYN the
    timewait socket accepts) and is aborted."""
    port, ino, srv = connect(rec, cli, lst)
    rec.info.update(client=port, life1_client_inode=ino, life1_server_inode=inode(srv))
    rec.dump("life 1 established")
    cli("close", port=port)
    time.sleep(0.05)
    srv.close()
    time.sleep(0.05)
    rec.dump("life 1 client TIME_WAIT")
    time.sleep(TW_END)
    rec.dump("life 1 over")
    _, ino, srv = connect(rec, cli, lst, bind=port)
    rec.info.update(life2_client_inode=ino, life2_server_inode=inode(srv))
    rec.dump("life 2 established")
    srv.close()
    time.sleep(0.05)
    cli("close", port=port)
    time.sleep(0.05)
    rec.dump("life 2 server TIME_WAIT")
    _, ino, srv = connect(rec, cli, lst, bind=port)
    rec.info.update(life3_client_inode=ino, life3_server_inode=inode(srv))
    rec.dump("life 3 established in place of the TIME_WAIT")
    cli("rst", port=port)
    time.sleep(0.05)
    srv.close()
    time.sleep(0.05)
    rec.dump("life 3 aborted")


def drain_n(s, n):
    got = 0
    while got < n:
        got += len(s.recv(n - got))


CASES = {"active": case_active, "passive": case_passive, "simultaneous": case_simultaneous,
         "reset": case_reset, "brief": case_brief, "reuse": case_reuse}


def main(outdir, case):
    set_comm(b"life-srv")
    rec = Recorder(outdir, case)
    cli = Client()
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(8)
    rec.ports.add(lst.getsockname()[1])
    rec.pids = [os.getpid(), cli.pid]
    rec.info.update(listener=lst.getsockname()[1], server_pid=os.getpid(), client_pid=cli.pid)
    rec.notices(0.2)
    rec.out = b""          # whatever closed before now is not ours
    CASES[case](rec, cli, lst)
    rec.save()
    lst.close()
    cli.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
