#!/usr/bin/env python3
"""loadgen.py: hold many real loopback sockets in several processes, for the
benchmarks (tests/bench/bench.py); ours, so the bench runs on a clean clone.

Only loopback addresses: 127.88.0.0/16 for IPv4 and ::1 for IPv6.

  loadgen.py --established 10000 --procs 8 --listeners 4 --udp 8 \
             --churn 100 --churn-paused --seconds 600 --ready-file /tmp/ready

--established N  connection pairs in total (2N ESTABLISHED sockets), spread over the workers
--procs P        worker processes, named loadgen-0 .. loadgen-(P-1)
--listeners L    listening sockets per worker; pairs connect to them in turn
--udp U          bound UDP sockets per worker
--ipv6-share F   fraction of listeners (and so of pairs) on ::1
--churn R        pairs closed and reopened per second over all workers
--churn-paused   churn only between SIGUSR1 and SIGUSR2 (sent to the parent)
--seconds S      exit after S seconds; SIGTERM or SIGINT end it earlier
--ready-file F   written with the parent's pid once every worker holds its sockets
"""
import argparse
import ctypes
import os
import random
import resource
import select
import signal
import socket
import sys
import time

IP_BIND_ADDRESS_NO_PORT = getattr(socket, 'IP_BIND_ADDRESS_NO_PORT', 24)


def set_name(name):
    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, soft), max(need, hard)))


class Worker:
    """One process's sockets: listeners, pairs (client, accepted), UDP."""

    def __init__(self, index, args, pairs):
        self.index = index
        self.listeners, self.pairs, self.udp, self.lingering = [], [], [], []
        self.turn = 0
        self.closes = 0
        v6 = round(args.listeners * args.ipv6_share)
        for i in range(args.listeners):
            if i < v6:
                s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                s.bind(('::1', 0))
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(('127.88.%d.%d' % (index, 1 + i % 250), 0))
            s.listen(4096)
            self.listeners.append(s)
        for _ in range(pairs):
            self.open_pair()
        for i in range(args.udp):
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(('127.88.%d.%d' % (index, 251 + i % 4), 0))
            self.udp.append(u)

    def open_pair(self):
        srv = self.listeners[self.turn % len(self.listeners)]
        self.turn += 1
        c = socket.socket(srv.family, socket.SOCK_STREAM)
        if srv.family == socket.AF_INET:
            # Many source addresses, the port picked at connect time, so
            # the ephemeral range never runs out.
            c.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            c.bind(('127.88.%d.%d' % (100 + self.index, 1 + self.turn % 250), 0))
        c.connect(srv.getsockname()[:2])
        a, _ = srv.accept()
        self.pairs.append((c, a))

    def churn_one(self):
        """Closes one pair and opens another. Every third close leaves the
        other side open for two seconds, so CLOSE_WAIT and FIN_WAIT2 show."""
        if not self.pairs:
            return
        i = random.randrange(len(self.pairs))
        self.pairs[i], self.pairs[-1] = self.pairs[-1], self.pairs[i]
        c, a = self.pairs.pop()
        first, second = (c, a) if self.closes % 2 == 0 else (a, c)
        first.close()
        if self.closes % 3 == 2:
            self.lingering.append((time.monotonic() + 2, second))
        else:
            second.close()
        self.closes += 1
        self.open_pair()

    def reap(self, now):
        keep = []
        for until, s in self.lingering:
            if until <= now:
                s.close()
            else:
                keep.append((until, s))
        self.lingering = keep


def worker_main(index, args, pairs, ready_fd):
    set_name('loadgen-%d' % index)
    churning = [not args.churn_paused]
    stop = [False]
    signal.signal(signal.SIGUSR1, lambda *_: churning.__setitem__(0, True))
    signal.signal(signal.SIGUSR2, lambda *_: churning.__setitem__(0, False))
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))
    raise_nofile(2 * pairs + args.listeners + args.udp + 256)
    w = Worker(index, args, pairs)
    os.write(ready_fd, b'r')
    os.close(ready_fd)
    rate = args.churn / args.procs if args.churn > 0 else 0
    end = time.monotonic() + args.seconds
    due = time.monotonic()
    while not stop[0] and time.monotonic() < end:
        now = time.monotonic()
        w.reap(now)
        if rate and churning[0]:
            while due <= now:
                w.churn_one()
                due += 1.0 / rate
        else:
            due = now
        try:
            select.select([], [], [], min(0.05, max(0.0, due - time.monotonic())) if rate else 0.2)
        except InterruptedError:
            pass
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--established', type=int, default=1000)
    ap.add_argument('--procs', type=int, default=4)
    ap.add_argument('--listeners', type=int, default=4)
    ap.add_argument('--udp', type=int, default=0)
    ap.add_argument('--ipv6-share', type=float, default=0.25)
    ap.add_argument('--churn', type=float, default=0)
    ap.add_argument('--churn-paused', action='store_true')
    ap.add_argument('--seconds', type=float, default=60)
    ap.add_argument('--ready-file')
    args = ap.parse_args()
    if args.procs < 1 or args.listeners < 1 or args.established < 0:
        sys.exit('loadgen: --procs and --listeners must be at least 1')

    rd, wr = os.pipe()
    kids = []
    for i in range(args.procs):
        share = args.established // args.procs + (1 if i < args.established % args.procs else 0)
        pid = os.fork()
        if pid == 0:
            os.close(rd)
            try:
                worker_main(i, args, share, wr)
            except Exception as e:      # tell the parent, which exits non-zero
                sys.stderr.write('loadgen-%d: %s\n' % (i, e))
                os._exit(1)
        kids.append(pid)
    os.close(wr)

    def forward(sig, _frame):
        for k in kids:
            try:
                os.kill(k, sig)
            except ProcessLookupError:
                pass
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, forward)

    got = 0
    while got < args.procs:
        try:
            b = os.read(rd, 64)
        except InterruptedError:
            continue
        if not b:
            break
        got += len(b)
    if got < args.procs:
        forward(signal.SIGTERM, None)
        sys.exit('loadgen: a worker could not open its sockets')
    if args.ready_file:
        with open(args.ready_file + '.tmp', 'w') as f:
            f.write('%d\n' % os.getpid())
        os.rename(args.ready_file + '.tmp', args.ready_file)
    status = 0
    for k in kids:
        while True:
            try:
                _, st = os.waitpid(k, 0)
                break
            except InterruptedError:
                continue
        status |= os.waitstatus_to_exitcode(st) != 0
    sys.exit(status)


if __name__ == '__main__':
    main()
