#!/usr/bin/env python3
"""short_lived.py: how many short-lived loopback connections `sockeye
--events` reports, with and without the kernel's destroy notifications
(every connection, even the short ones).

    short_lived.py [--sockeye PATH] [--count 1000] [--seconds 10]

For each mode (default: subscribed; --no-destroy-events: polling alone) it
starts `sockeye --events --json -i 1 addr:127.1.0.0/16`, waits for the
baseline poll, then opens COUNT connections to a 127.0.0.1 listener spread
evenly over SECONDS, each living 1-50 ms (uniformly random) and moving a
few bytes; half are closed normally by the client (its end then lingers in
TIME_WAIT for 60 s, which a poll can see), half are aborted with a reset
(nothing lingers). Two polls after the last close sockeye is stopped and
its output read. Each connection comes from its own address in
127.1.0.0/16, so it is known by either end. It counts as seen when any
event names it, and as seen alive when an event shows either end in a
state other than TIME_WAIT (a live socket, or its final record).

Not a test: it prints figures (run as root for the subscription)."""
import argparse
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import benchlib  # noqa: E402


class Listener:
    """A 127.0.0.1 server that reads what each connection sends and closes
    when the client does."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.drain, args=(conn,), daemon=True).start()

    @staticmethod
    def drain(conn):
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        conn.close()


def client_addr(i):
    """Connection i's own client address, so no two share an identity."""
    return '127.1.%d.%d' % (i // 250, i % 250 + 1)


def one_connection(i, port, life, reset):
    """Opens, sends, lives life seconds, closes."""
    c = socket.create_connection(('127.0.0.1', port), source_address=(client_addr(i), 0))
    c.sendall(b'x' * 100)
    time.sleep(life)
    if reset:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()


def load(port, count, seconds, seed):
    """COUNT connections started evenly over SECONDS; returns
    {client address: 'fin' | 'rst'}."""
    rnd = random.Random(seed)
    plan = [(i, i * seconds / count, rnd.uniform(0.001, 0.050), i % 2 == 1)
            for i in range(count)]
    t0 = time.monotonic()
    threads = []
    for i, start, life, reset in plan:
        delay = t0 + start - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = threading.Thread(target=one_connection, args=(i, port, life, reset))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return {client_addr(i): 'rst' if reset else 'fin' for i, _, _, reset in plan}


def measure(sockeye, count, seconds, subscribe, seed):
    lst = Listener()
    args = [sockeye, '--events', '--json', '-i', '1', 'addr:127.1.0.0/16']
    if not subscribe:
        args.insert(2, '--no-destroy-events')
    # Files, not pipes: a pipe nobody reads while the load runs would
    # fill and stall sockeye, and the figures would measure the pipe.
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        proc = subprocess.Popen(args, stdout=out_f, stderr=err_f)
        time.sleep(1.5)   # the baseline poll
        conns = load(lst.port, count, seconds, seed)
        time.sleep(2.2)   # two more polls
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read(), err_f.read()
    seen, alive, brief = set(), set(), set()
    for line in out.decode().splitlines():
        e = json.loads(line)
        # The client's end is named by its address; the server's end by
        # its peer's. A reset client end is announced with its peer wiped
        # (the kernel clears it), so it names only itself.
        client_end = e['laddr'] in conns
        addr = e['laddr'] if client_end else e['raddr']
        if addr not in conns:
            continue
        seen.add(addr)
        if e['state'] != 'TIME_WAIT':
            alive.add(addr)
        if e.get('brief'):
            brief.add(addr)
    return conns, seen, alive, brief, err.decode().strip()


def report(label, conns, seen, alive, brief, note):
    print('%s:' % label)
    if note:
        print('  sockeye said: %s' % note)
    for kind, name in (('fin', 'closed normally (TIME_WAIT follows)'),
                       ('rst', 'reset (nothing lingers)'), (None, 'all')):
        ports = [p for p, k in conns.items() if kind is None or k == kind]
        n = len(ports)
        print('  %-36s %4d opened, %4d seen (%5.1f%%), %4d seen alive (%5.1f%%), %4d as brief'
              % (name, n, sum(p in seen for p in ports), 100.0 * sum(p in seen for p in ports) / n,
                 sum(p in alive for p in ports), 100.0 * sum(p in alive for p in ports) / n,
                 sum(p in brief for p in ports)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sockeye')
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--seconds', type=float, default=10.0)
    ap.add_argument('--seed', type=int, default=6)
    a = ap.parse_args()
    sockeye = benchlib.find_sockeye(a.sockeye)
    print('%d connections over %g s, lifetimes 1-50 ms, sockeye --events -i 1 (kernel %s)'
          % (a.count, a.seconds, os.uname().release))
    for subscribe, label in ((True, 'with destroy notifications'),
                             (False, 'polling alone (--no-destroy-events)')):
        report(label, *measure(sockeye, a.count, a.seconds, subscribe, a.seed))


if __name__ == '__main__':
    main()
