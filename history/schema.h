/* schema.h — the recording's tables, shared by the writer (record.c) and
 * the reader (replay.c). doc/recording.md explains them to users, with
 * example queries. Times are seconds since the epoch (REAL, with the
 * fraction); a poll's time is poller_sampled_at's.
 *
 * A moment T is rebuilt from the newest snapshot at or before T (the lives
 * alive then), plus the lives born in (snapshot, T], less those ended by T;
 * each life's state, counters and owners at T are its newest events, samples
 * and owners rows at or before T. Retention deletes whole lives ended
 * before the cut, and every other row older than the oldest snapshot kept
 * except each live life's newest one, so that snapshot still rebuilds. */
#ifndef SOCKEYE_SCHEMA_H
#define SOCKEYE_SCHEMA_H

/* PRAGMA application_id: "sock". A file with another is not a recording. */
#define SCHEMA_APPLICATION_ID 0x736f636b
/* PRAGMA user_version: the layout below. A reader refuses a newer one. */
#define SCHEMA_VERSION 1

#define SCHEMA_SQL \
	/* key/value facts: host, interval, created, sockeye's version */ \
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;" \
	/* every poll recorded whole: the moments one can go to */ \
	"CREATE TABLE IF NOT EXISTS polls(" \
	"  time REAL PRIMARY KEY," \
	"  sockets INTEGER NOT NULL,"   /* sockets in the table then */ \
	"  dropped INTEGER NOT NULL DEFAULT 0" /* polls the writer dropped since the last one */ \
	") WITHOUT ROWID;" \
	/* processes, one row per identity (pid, start time, name, ...) */ \
	"CREATE TABLE IF NOT EXISTS procs(" \
	"  id INTEGER PRIMARY KEY," \
	"  pid INTEGER NOT NULL, starttime INTEGER NOT NULL, pgid INTEGER," \
	"  uid INTEGER, user TEXT, comm TEXT, service TEXT, cmdline TEXT);" \
	"CREATE INDEX IF NOT EXISTS procs_pid ON procs(pid);" \
	/* one row per socket, or per TCP connection's life */ \
	"CREATE TABLE IF NOT EXISTS lives(" \
	"  id INTEGER PRIMARY KEY," \
	"  proto TEXT NOT NULL,"        /* 'tcp' | 'udp' */ \
	"  family INTEGER NOT NULL,"    /* 4 | 6 */ \
	"  laddr TEXT NOT NULL, lport INTEGER NOT NULL," \
	"  raddr TEXT NOT NULL, rport INTEGER NOT NULL," \
	"  ifindex INTEGER NOT NULL DEFAULT 0," \
	"  netns INTEGER NOT NULL DEFAULT 0, netns_name TEXT," /* 0, NULL: the host's */ \
	"  cookie INTEGER NOT NULL DEFAULT 0," \
	"  born REAL NOT NULL,"         /* first seen: its NEW */ \
	"  ended REAL,"                 /* its GONE; NULL while it lives */ \
	"  brief INTEGER NOT NULL DEFAULT 0);" /* began between two polls */ \
	"CREATE INDEX IF NOT EXISTS lives_born ON lives(born);" \
	"CREATE INDEX IF NOT EXISTS lives_ended ON lives(ended);" \
	"CREATE INDEX IF NOT EXISTS lives_ports ON lives(lport, rport);" \
	/* the event log: what --events printed, in order (id), and the 'seen' \
	 * rows that give a life's state where no event did */ \
	"CREATE TABLE IF NOT EXISTS events(" \
	"  id INTEGER PRIMARY KEY," \
	"  time REAL NOT NULL," \
	"  life INTEGER NOT NULL REFERENCES lives(id)," \
	/* 'new' | 'state' | 'gone' as printed; 'seen': a life the recorder \
	 * met already alive (its first poll, or again after a queue it had \
	 * to drop), giving its state then; never printed as an event */ \
	"  event TEXT NOT NULL," \
	"  state TEXT NOT NULL,"        /* sock_state_name: 'ESTABLISHED', 'UNCONN' */ \
	"  from_state TEXT,"            /* 'state' only */ \
	"  timewait INTEGER NOT NULL DEFAULT 0," /* the kernel's timewait socket */ \
	"  final INTEGER NOT NULL DEFAULT 0, brief INTEGER NOT NULL DEFAULT 0," \
	"  uid_unknown INTEGER NOT NULL DEFAULT 0);" \
	"CREATE INDEX IF NOT EXISTS events_time ON events(time);" \
	"CREATE INDEX IF NOT EXISTS events_life ON events(life, time);" \
	/* counters as polled: at an event when a value differs from the \
	 * life's last row, and when they moved, at most once every few \
	 * seconds per life; the newest row at or before T holds at T */ \
	"CREATE TABLE IF NOT EXISTS samples(" \
	"  life INTEGER NOT NULL, time REAL NOT NULL," \
	"  inode INTEGER NOT NULL, uid INTEGER NOT NULL," \
	"  recvq INTEGER NOT NULL, sendq INTEGER NOT NULL," \
	"  rtt_us INTEGER, rttvar_us INTEGER,"  /* NULL: no tcp_info */ \
	"  retransmits INTEGER, total_retrans INTEGER, cwnd INTEGER," \
	"  bytes_acked INTEGER, bytes_received INTEGER, bytes_sent INTEGER," \
	"  txrate REAL, rxrate REAL,"   /* bytes/s over the poll before; NULL none */ \
	"  PRIMARY KEY(life, time)) WITHOUT ROWID;" \
	"CREATE INDEX IF NOT EXISTS samples_time ON samples(time);" \
	/* who held a life from since on: one row per process of the set \
	 * (former: held it before its process closed it); an empty set is \
	 * one row with proc NULL */ \
	"CREATE TABLE IF NOT EXISTS owners(" \
	"  life INTEGER NOT NULL, since REAL NOT NULL," \
	"  proc INTEGER REFERENCES procs(id)," \
	"  former INTEGER NOT NULL DEFAULT 0);" \
	"CREATE INDEX IF NOT EXISTS owners_life ON owners(life, since);" \
	"CREATE INDEX IF NOT EXISTS owners_since ON owners(since);" \
	"CREATE INDEX IF NOT EXISTS owners_proc ON owners(proc);" \
	/* the lives alive at a poll, every few minutes */ \
	"CREATE TABLE IF NOT EXISTS snapshots(" \
	"  time REAL NOT NULL, life INTEGER NOT NULL," \
	"  PRIMARY KEY(time, life)) WITHOUT ROWID;"

#endif
