"""test_rates.py: the accuracy of sockeye's byte counts and rates. A TCP
pair on 127.0.0.1 carries a known pace (about 200 KiB/s in 2 KiB chunks
every 10 ms, the reader draining as fast as it comes); the sender logs the
time of every chunk, so the truth is what was really sent, however late a
noisy machine made it. `--events --json --rates` must report the sender's
txrate and the receiver's rxrate within 5% of that over each of its poll
windows, and `--batch --json -n 2` the byte totals sent so far within 5%,
with a rate in its second snapshot."""
import bisect
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sockets as S  # noqa: E402

PACE = 200 * 1024        # bytes per second the sender aims at
PERIOD = 0.01            # seconds between chunks
CHUNK = int(PACE * PERIOD)
TOLERANCE = 0.05


class Pacer:
    """A loopback TCP pair: a thread sends CHUNK bytes every PERIOD on an
    absolute schedule (late chunks catch up rather than drift), logging
    (epoch time after the send, bytes sent so far); another drains."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.client = socket.create_connection(('127.0.0.1', self.port))
        self.server, _ = self.listener.accept()
        self.cport = self.client.getsockname()[1]
        self.log_t, self.log_n = [time.time()], [0]
        self.threads = []

    def start(self, seconds):
        self.threads = [threading.Thread(target=self.drain, name='drain', daemon=True),
                        threading.Thread(target=self.send, args=(seconds,), name='send',
                                         daemon=True)]
        for t in self.threads:
            t.start()

    def send(self, seconds):
        data = b'r' * CHUNK
        start, sent, k = time.monotonic(), 0, 0
        while k * PERIOD < seconds:
            delay = start + k * PERIOD - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.client.sendall(data)
            sent += CHUNK
            # Appended as a pair under the GIL: readers see whole entries.
            self.log_t.append(time.time())
            self.log_n.append(sent)
            k += 1

    def drain(self):
        while self.server.recv(1 << 16):
            pass

    def sent_by(self, t):
        """Bytes the sender had sent by epoch time t."""
        return self.log_n[max(0, bisect.bisect_right(self.log_t, t) - 1)]

    def pace(self, t1, t2):
        """The true pace over (t1, t2], from the sender's own log."""
        return (self.sent_by(t2) - self.sent_by(t1)) / (t2 - t1)

    def first_send(self):
        return self.log_t[1] if len(self.log_t) > 1 else float('inf')

    def last_send(self):
        return self.log_t[-1]

    def close(self):
        """Waits for the sender, then closes: the drainer sees EOF."""
        for t in reversed(self.threads):
            if t.name == 'send':
                t.join(10)
        self.client.close()
        for t in self.threads:
            t.join(5)
        self.server.close()
        self.listener.close()


def sides(recs, p):
    """The sender's and the receiver's records, each in time order."""
    tx = [r for r in recs if r.get('lport') == p.cport and r.get('rport') == p.port]
    rx = [r for r in recs if r.get('lport') == p.port and r.get('rport') == p.cport]
    key = lambda r: r.get('time', 0)  # noqa: E731
    return sorted(tx, key=key), sorted(rx, key=key)


def within_span(got, lo, hi):
    """got is within 5% of some value between lo and hi."""
    return lo * 0.95 <= got <= hi * 1.05


def within(got, want):
    return abs(got - want) <= TOLERANCE * want


class RatesTest(unittest.TestCase):

    def setUp(self):
        self.pacer = Pacer()
        self.addCleanup(self.pacer.close)

    def windows(self, lines, rate_key, bytes_key):
        """(t1, t2, reported rate) for each pair of rate lines of one socket
        from consecutive polls inside the sending: consecutive is checked by
        the report itself (rate * (t2 - t1) is the counter's growth), since a
        poll that saw no movement prints no line."""
        out = []
        p = self.pacer
        for a, b in zip(lines, lines[1:]):
            t1, t2 = a['time'], b['time']
            if t1 < p.first_send() or t2 > p.last_send():
                continue
            grew = b[bytes_key] - a[bytes_key]
            if abs(b[rate_key] * (t2 - t1) - grew) > 2:
                continue
            out.append((t1, t2, b[rate_key]))
        return out

    def check_windows(self, what, wins):
        self.assertGreaterEqual(len(wins), 3, '%s: only %d steady poll windows: %r'
                                % (what, len(wins), wins))
        for t1, t2, got in wins:
            want = self.pacer.pace(t1, t2)
            if os.environ.get('RATES_DEBUG'):
                print('%s %.3f s: %.0f vs %.0f (%+.2f%%)' % (what, t2 - t1, got, want,
                                                          100 * (got - want) / want))
            self.assertTrue(within(got, want),
                            '%s over %.3f s: sockeye says %.0f B/s, the sender sent %.0f B/s'
                            % (what, t2 - t1, got, want))

    def test_events_rates_match_the_pace_actually_sent(self):
        p = self.pacer
        args = ['--events', '--json', '--rates', '-i', '0.5', '-n', '10', 'port:%d' % p.port]
        with subprocess.Popen([S.sockeye_path()] + args, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            time.sleep(0.2)      # the baseline poll: the pair exists, nothing moved
            p.start(4.0)
            try:
                out, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
        cp = subprocess.CompletedProcess(args, proc.returncode, out, err)
        self.assertEqual(proc.returncode, 0, S.describe(args, cp))
        recs = S.parse_json_lines(out, 'sockeye ' + ' '.join(args))
        rates = [r for r in recs if r.get('event') == 'rate']
        tx, rx = sides(rates, p)
        self.assertTrue(tx and rx, 'no rate lines for the pair:\n' + S.describe(args, cp))
        for r in tx + rx:
            self.assertIn('txbytes', r)
            self.assertIn('rxrate', r)
            self.assertTrue(r['txrate'] > 0 or r['rxrate'] > 0, 'a rate line that did not move: %r' % r)
        self.check_windows('sender txrate', self.windows(tx, 'txrate', 'txbytes'))
        self.check_windows('receiver rxrate', self.windows(rx, 'rxrate', 'rxbytes'))

    def test_batch_totals_match_the_bytes_sent_and_the_second_snapshot_has_rates(self):
        p = self.pacer
        p.start(3.5)
        time.sleep(1.0)          # so 5% of what was sent is many chunks
        args = ['--batch', '--json', '-n', '2', '-i', '1', 'port:%d' % p.port]
        lines = []               # (arrival time, line): the batch has no time key
        started = time.time()
        with subprocess.Popen([S.sockeye_path()] + args, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            for line in proc.stdout:
                lines.append((time.time(), line))
            proc.wait(20)
            err = proc.stderr.read()
        self.assertEqual(proc.returncode, 0, S.describe(args, subprocess.CompletedProcess(
            args, proc.returncode, b''.join(l for _, l in lines), err)))
        seen = {}
        snaps = ([], [])         # a socket's first line is snapshot 1, its second 2
        for at, line in lines:
            rec = S.parse_json_lines(line)[0]
            key = (rec['lport'], rec['rport'])
            snaps[min(seen.get(key, 0), 1)].append((at, rec))
            seen[key] = seen.get(key, 0) + 1
        for n, snap in enumerate(snaps, 1):
            recs = [r for _, r in snap]
            tx, rx = sides(recs, p)
            self.assertEqual((len(tx), len(rx)), (1, 1), 'snapshot %d: %r' % (n, recs))
            at = max(a for a, r in snap if r in (tx[0], rx[0]))
            # The kernel's counters were read at some moment between the
            # poll's start and the line's arrival; on a machine with many
            # sockets that gap is long, so the truth is the bytes sent
            # within it, with the 5% margin on either side.
            begun = started if n == 1 else max(a for a, _ in snaps[0])
            lo, hi = p.sent_by(begun), p.sent_by(at)
            for key, side in (('txbytes', tx[0]), ('rxbytes', rx[0])):
                self.assertTrue(within_span(side[key], lo, hi),
                                'snapshot %d: %s %d, sent %d..%d while it polled'
                                % (n, key, side[key], lo, hi))
            if n == 1:
                self.assertNotIn('txrate', tx[0], 'a rate from a single poll: %r' % tx[0])
            else:
                self.assertIn('txrate', tx[0])
                self.assertIn('rxrate', rx[0])
                t1 = max(a for a, _ in snaps[0])
                want = p.pace(t1, at)
                # Batch lines carry no time: the window is known only to the
                # lines' arrival, so this one is a plausibility check.
                self.assertTrue(abs(tx[0]['txrate'] - want) <= 0.15 * want,
                                'txrate %.0f, sender pace %.0f' % (tx[0]['txrate'], want))
                self.assertTrue(abs(rx[0]['rxrate'] - want) <= 0.15 * want,
                                'rxrate %.0f, sender pace %.0f' % (rx[0]['rxrate'], want))


if __name__ == '__main__':
    S.main()
