"""netns_cost.py: what reading every network namespace costs a poll.
The same total of loopback TCP listeners is held in 1 namespace, then spread
over 20, then all in 1 of 20 (19 hold no socket; made with `ip netns add`,
deleted at the end), and sockeye's CPU time per poll is measured (its own
user+system time over --events -n N, minus a run of -n 1, so start-up and
the baseline are not counted). Run by hand, as
root, nice'd:  nice -n 10 python3 tests/bench/netns_cost.py ./sockeye
Options: --sockets TOTAL (default 2000), --polls N (default 40),
--child-ehash N: the namespaces are made with net.ipv4.tcp_child_ehash_entries
set to N (restored right after), so each has TCP hash tables of its own
instead of sharing the machine's: a dump then walks only its namespace's
sockets, which shows how much of a namespace's cost is the kernel's walk of
the shared tables."""
import argparse
import os
import subprocess
import sys

HOLDER = ('import socket, sys\n'
          'n = int(sys.argv[1]); held = []\n'
          'for i in range(n):\n'
          '    s = socket.socket(); s.bind(("127.0.0.1", 20000 + i)); s.listen(1)\n'
          '    held.append(s)\n'
          'print("ready", flush=True)\n'
          'sys.stdin.read()\n')


def ip(*args):
    subprocess.run(['ip'] + list(args), check=True, stdin=subprocess.DEVNULL)


def cpu_of(cmd):
    """User+system seconds of one run of cmd (waited for with wait4)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit('%s failed' % ' '.join(cmd))
    return ru.ru_utime + ru.ru_stime


def per_poll_ms(sockeye, polls, extra):
    base = [sockeye, '--events', '--json', '-i', '0.1'] + extra
    runs = []
    for _ in range(3):
        one = cpu_of(base + ['-n', '1'])
        many = cpu_of(base + ['-n', str(polls + 1)])
        runs.append((many - one) / polls * 1000)
    return min(runs)


CHILD_EHASH = '/proc/sys/net/ipv4/tcp_child_ehash_entries'


def add_netns(name, child_ehash):
    """ip netns add NAME, with its own TCP hash of child_ehash buckets when
    that is set (the sysctl counts when a namespace is made)."""
    if not child_ehash:
        ip('netns', 'add', name)
        return
    with open(CHILD_EHASH) as f:
        old = f.read().strip()
    with open(CHILD_EHASH, 'w') as f:
        f.write(str(child_ehash))
    try:
        ip('netns', 'add', name)
    finally:
        with open(CHILD_EHASH, 'w') as f:
            f.write(old)


def setup(tag, count, total, busy, child_ehash=0):
    names, holders = [], []
    for i in range(count):
        name = '%s%02d' % (tag, i)
        add_netns(name, child_ehash)
        names.append(name)
        ip('-n', name, 'link', 'set', 'lo', 'up')
        share = total // busy + (1 if i < total % busy else 0) if i < busy else 0
        p = subprocess.Popen(['ip', 'netns', 'exec', name, sys.executable, '-c', HOLDER,
                              str(share)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        holders.append(p)
        if p.stdout.readline().strip() != b'ready':
            raise SystemExit('holder in %s did not start' % name)
    return names, holders


def teardown(names, holders):
    for p in holders:
        p.kill()
        p.wait()
    for name in names:
        subprocess.run(['ip', 'netns', 'delete', name])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('sockeye')
    ap.add_argument('--sockets', type=int, default=2000)
    ap.add_argument('--polls', type=int, default=40)
    ap.add_argument('--child-ehash', type=int, default=0)
    a = ap.parse_args()
    if a.child_ehash and not os.path.exists(CHILD_EHASH):
        raise SystemExit('this kernel has no %s (Linux 6.1 and later)' % CHILD_EHASH)
    if os.geteuid() != 0:
        raise SystemExit('run as root: it makes network namespaces')
    tag = 'skbench%d-' % (os.getpid() % 100000)
    print('%d loopback listeners outside the host namespace, %d polls, CPU ms per poll '
          '(best of 3)%s' % (a.sockets, a.polls,
                             ', each namespace with its own %d-bucket TCP hash' % a.child_ehash
                             if a.child_ehash else ''))
    for count, busy in ((1, 1), (20, 20), (20, 1)):
        names, holders = [], []
        try:
            names, holders = setup(tag, count, a.sockets, busy, a.child_ehash)
            all_ns = per_poll_ms(a.sockeye, a.polls, [])
            host = per_poll_ms(a.sockeye, a.polls, ['--no-all-netns'])
            print('%2d namespace%s, %2d with sockets: every namespace %.2f ms, host only '
                  '%.2f ms' % (count, ' ' if count == 1 else 's', busy, all_ns, host))
        finally:
            teardown(names, holders)


if __name__ == '__main__':
    main()
