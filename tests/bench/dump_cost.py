#!/usr/bin/env python3
"""dump_cost.py: what the kernel itself charges for a sock_diag TCP dump,
by part, so the floor under sockeye's poll (the idle goal of doc/performance.md) and under
each extra network namespace can be seen apart from sockeye's own
work. A bare netlink client (no parsing beyond finding NLMSG_DONE) times
SOCK_DIAG_BY_FAMILY dumps of IPv4 TCP, each asking for something else:

  every state, with tcp_info     what sockeye asks for
  every state, no tcp_info       the same without INET_DIAG_INFO
  listeners only                 the listening hash alone
  SYN_RECV only                  the established hash walked, no socket
                                 filled (there are none in SYN_RECV)

first in an empty network namespace (the walk of the machine-wide hash
tables that every namespace's dump pays), then with tests/bench/loadgen.py
holding PAIRS loopback connection pairs beside it. System CPU per dump from
getrusage over N dumps.

Run as root, nice'd, in a private network namespace:
  nice -n 10 unshare -n python3 tests/bench/dump_cost.py [--pairs 5000] [-n 200]
"""
import argparse
import os
import resource
import socket
import struct
import subprocess
import sys
import tempfile
import time

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
INET_DIAG_INFO = 2
ALL_STATES = 0xfff
TCPF_LISTEN = 1 << 10
TCPF_SYN_RECV = 1 << 3

CASES = [
    ('every state, with tcp_info', ALL_STATES, 1 << (INET_DIAG_INFO - 1)),
    ('every state, no tcp_info', ALL_STATES, 0),
    ('listeners only', TCPF_LISTEN, 0),
    ('SYN_RECV only (walk, no fill)', TCPF_SYN_RECV, 0),
]


def request(states, ext):
    # struct inet_diag_req_v2: family, protocol, ext, pad, states, then a
    # zero inet_diag_sockid (48 bytes): every socket.
    body = struct.pack('=BBBBI', socket.AF_INET, socket.IPPROTO_TCP, ext, 0, states) + bytes(48)
    return struct.pack('=IHHII', 16 + len(body), SOCK_DIAG_BY_FAMILY,
                       NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body


def dump(sock, msg, buf):
    """One dump; the number of sockets it returned."""
    sock.send(msg)
    count = 0
    while True:
        n = sock.recv_into(buf)
        off = 0
        while off < n:
            length, kind = struct.unpack_from('=IH', buf, off)
            if kind == NLMSG_DONE:
                return count
            if kind == NLMSG_ERROR:
                sys.exit('the kernel refused the dump')
            count += 1
            off += (length + 3) & ~3


def sys_seconds():
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def measure(label, n):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    buf = bytearray(1 << 16)
    print(label)
    for name, states, ext in CASES:
        msg = request(states, ext)
        dump(sock, msg, buf)
        s0 = sys_seconds()
        for _ in range(n):
            count = dump(sock, msg, buf)
        s1 = sys_seconds()
        print('  %-32s %7d sockets  %7.3f ms of system CPU a dump'
              % (name, count, (s1 - s0) * 1000 / n))
    sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--pairs', type=int, default=5000)
    ap.add_argument('-n', type=int, default=200, help='dumps a case')
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit('run as root, in a private network namespace (unshare -n)')
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    measure('empty network namespace (the machine-wide hash walks alone):', args.n)
    ready = tempfile.NamedTemporaryFile(prefix='dump-cost-', delete=False).name
    os.unlink(ready)
    here = os.path.dirname(os.path.abspath(__file__))
    load = subprocess.Popen([sys.executable, os.path.join(here, 'loadgen.py'),
                             '--established', str(args.pairs), '--procs', '8',
                             '--listeners', '4', '--udp', '8', '--ipv6-share', '0',
                             '--seconds', '900', '--ready-file', ready],
                            stdout=subprocess.DEVNULL)
    try:
        while not os.path.exists(ready) or not os.path.getsize(ready):
            if load.poll() is not None:
                sys.exit('loadgen.py ended early')
            time.sleep(0.2)
        measure('with %d loopback connection pairs (IPv4):' % args.pairs, args.n)
    finally:
        load.terminate()
        load.wait()
        if os.path.exists(ready):
            os.unlink(ready)


if __name__ == '__main__':
    main()
