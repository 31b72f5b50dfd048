"""day_recording.py: a made-up recording (history/schema.h) of HOURS of
10,000 sockets at 1% churn a second (100 connections born and 100 ended
each second, living 1-19 s; 9,000 others the whole time, 200 of them moving
bytes), for timing replay (doc/performance.md):

    python3 tests/bench/day_recording.py /tmp/day.db 24 history/schema.h

Rows are laid out as sockeye's recorder lays them (a snapshot every 10
minutes, samples every 5 s while counters move); indexes are built last."""
import random, re, sqlite3, sys, time
if len(sys.argv) != 4:
    sys.exit('usage: day_recording.py FILE HOURS SCHEMA_H')
path, hours = sys.argv[1], float(sys.argv[2])
src = open(sys.argv[3]).read()
m = re.search(r'#define SCHEMA_SQL(.*?)\n#endif', src, re.S)
sql = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S)))
tables = ';'.join(s for s in sql.split(';') if 'CREATE TABLE' in s) + ';'
app = int(re.search(r'SCHEMA_APPLICATION_ID (0x[0-9a-f]+)', src).group(1), 16)
ver = int(re.search(r'SCHEMA_VERSION (\d+)', src).group(1))
db = sqlite3.connect(path)
db.executescript('PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA application_id=%d; PRAGMA user_version=%d;' % (app, ver))
db.executescript(tables)
random.seed(1)
T0 = 1796500000.0
N = int(hours * 3600)
LONG, MOVING, CHURN = 9000, 200, 100
db.executemany('INSERT INTO procs(id,pid,starttime,pgid,uid,user,comm,service,cmdline) VALUES(?,?,?,?,?,?,?,?,?)',
               [(i, 1000 + i, 5000 + i, 1000 + i, 0, 'root', 'proc%d' % i, 'svc%d.service' % (i % 20), '/usr/bin/proc%d --serve' % i) for i in range(1, 201)])
lives, events, samples, owners, snaps, polls = [], [], [], [], [], []
nid = 0
alive_churn = {}   # id -> end time
def life(born, lport, rport, st='ESTABLISHED'):
    global nid
    nid += 1
    lives.append((nid, 'tcp', 4, '127.0.%d.%d' % (nid >> 8 & 255, nid & 255), lport, '127.0.0.1', rport, born))
    owners.append((nid, born, 1 + nid % 200))
    samples.append((nid, born, 100000 + nid, 0, 0, 0, 50, 10, 0, 0, 10, 0, 0, 0, None, None))
    return nid
for i in range(LONG):
    l = life(T0, 10000 + i % 50000, 0 if i < 1000 else 443, 'LISTEN' if i < 1000 else 'ESTABLISHED')
    events.append((T0, l, 'seen', 'LISTEN' if i < 1000 else 'ESTABLISHED', None))
moving = list(range(1001, 1001 + MOVING))
ended = []
def flush():
    db.executemany('INSERT INTO lives(id,proto,family,laddr,lport,raddr,rport,born) VALUES(?,?,?,?,?,?,?,?)', lives)
    db.executemany('INSERT INTO events(time,life,event,state,from_state) VALUES(?,?,?,?,?)', events)
    db.executemany('INSERT INTO samples VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', samples)
    db.executemany('INSERT INTO owners(life,since,proc) VALUES(?,?,?)', owners)
    db.executemany('INSERT INTO snapshots VALUES(?,?)', snaps)
    db.executemany('INSERT INTO polls(time,sockets) VALUES(?,?)', polls)
    db.executemany('UPDATE lives SET ended=? WHERE id=?', ended)
    for a in (lives, events, samples, owners, snaps, polls, ended): a.clear()
    db.commit()
start = time.time()
for s in range(N):
    t = T0 + s
    for l, end in list(alive_churn.items()):
        if end <= t:
            events.append((t, l, 'gone', 'ESTABLISHED', None))
            ended.append((t, l))
            del alive_churn[l]
    if s > 0:
        for k in range(CHURN):
            l = life(t, 40000 + k, 8080)
            events.append((t, l, 'new', 'ESTABLISHED', None))
            alive_churn[l] = t + random.randint(1, 19)
    if s % 5 == 0 and s:
        for l in moving:
            samples.append((l, t, 100000 + l, 0, 0, 0, 50, 10, 0, 0, 10, s * 1000, s * 2000, s * 1000, 200.0, 400.0))
    if s % 600 == 0:
        snaps.extend((t, l) for l in list(range(1, LONG + 1)) + list(alive_churn))
    polls.append((t, LONG + len(alive_churn)))
    if s % 600 == 599:
        flush()
        if s % 7200 == 7199:
            print('%d h, %d lives, %.0f s' % ((s + 1) // 3600, nid, time.time() - start), flush=True)
flush()
print('indexes...', flush=True)
db.executescript(sql)
db.execute('PRAGMA journal_mode=WAL')
db.commit()
db.close()
print('done in %.0f s' % (time.time() - start))
