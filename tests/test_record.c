/* test_record.c — the flight recorder (history/record.h): tables and
 * events fed through sock_table_update, then the rows read back with SQL:
 * lives, events, samples, owners, polls and snapshots as written; files
 * made 0600; foreign and newer files refused; retention by age and size;
 * a run killed mid-write still opens; a writer held up makes polls merge
 * and count as dropped. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "columns.h"
#include "privs.h"
#include "record.h"
#include "replay.h"
#include "schema.h"
#include "table.h"

#define BASE 1796000000.0     /* the moments the tests record */

struct fx {
	char dir[64];
	char path[128];
	struct sock_table *t;
	struct sock_list l;
	struct sock_events ev;
	struct recorder *r;
	int polls;
	int held;                 /* the writer is held: polls do not wait for it */
};

static struct sock_rec tcp4(uint16_t lp, uint16_t rp, uint8_t state, uint64_t inode)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	s.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", s.laddr);
	inet_pton(AF_INET, rp ? "127.0.0.1" : "0.0.0.0", s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.state = state;
	s.inode = inode;
	s.uid = 1000;
	return s;
}

static struct sock_rec listener(void)
{
	return tcp4(8080, 0, SOCK_ST_LISTEN, 1001);
}

static struct sock_rec conn(uint16_t rport, uint64_t inode, uint64_t bytes)
{
	struct sock_rec s = tcp4(8080, rport, SOCK_ST_ESTABLISHED, inode);
	s.has_tcpinfo = 1;
	s.tcp.rtt_us = 50;
	s.tcp.bytes_acked = s.tcp.bytes_sent = bytes;
	s.tcp.bytes_received = bytes / 2;
	return s;
}

static struct record_config config(struct fx *f)
{
	struct record_config c = { .path = f->path, .keep = RECORD_KEEP_DEFAULT,
	                           .max_bytes = RECORD_MAX_DEFAULT, .interval = 1.0,
	                           .host = "testhost" };
	return c;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_record.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/rec.db", f->dir);
	f->t = sock_table_new();
	sock_list_init(&f->l);
	sock_events_init(&f->ev);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	recorder_close(f->r);
	sock_table_free(f->t);
	sock_list_free(&f->l);
	sock_events_free(&f->ev);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void open_rec(struct fx *f, const struct record_config *c)
{
	char err[512];
	f->r = recorder_open(c, err, sizeof(err));
	if (!f->r)
		fail_msg("recorder_open: %s", err);
}

/* One poll of the recs given, at BASE + t; the first is the baseline.
 * Unless the writer is held, it is written before the next (polls come
 * faster here than any disk). */
static void poll_at(struct fx *f, double t, const struct sock_rec *recs, size_t n)
{
	sock_list_clear(&f->l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(&f->l) = recs[i];
	sock_events_clear(&f->ev);
	struct sock_events *ev = f->polls ? &f->ev : NULL;
	assert_int_equal(sock_table_update(f->t, &f->l, NULL, BASE + t, ev), 0);
	assert_int_equal(recorder_poll(f->r, f->t, ev, NULL, BASE + t), 0);
	f->polls++;
	if (!f->held)
		recorder_flush(f->r);
}

/* The same as text (NULL: ""), compared with want. */
static void q_text(const char *path, const char *sql, const char *want)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
	                 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	const char *v = sqlite3_step(s) == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	if (strcmp(v ? v : "", want) != 0)
		fail_msg("%s: got '%s', wanted '%s'", sql, v ? v : "", want);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The first column of the first row sql gives, read through a connection
 * of its own, as a reader would. */
static int64_t q(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
	                 SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void a_poll_writes_its_lives_events_samples_and_polls_row(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_rec one[] = { listener(), conn(40000, 2001, 100) };
	poll_at(f, 0, one, 2);
	struct sock_rec two[] = { listener(), conn(40001, 2002, 0) };
	poll_at(f, 1, two, 2);
	recorder_flush(f->r);

	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), 2);
	assert_int_equal(q(f->path, "SELECT max(time) - 1796000000 FROM polls"), 1);
	assert_int_equal(q(f->path, "SELECT sockets FROM polls ORDER BY time DESC"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives"), 3);
	/* the baseline's sockets are seen, not new; the next poll's diff is copied */
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE event='seen'"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events e JOIN lives l ON l.id=e.life"
	                            " WHERE e.event='new' AND l.rport=40001"
	                            " AND e.state='ESTABLISHED'"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events e JOIN lives l ON l.id=e.life"
	                            " WHERE e.event='gone' AND l.rport=40000"), 1);
	assert_int_equal(q(f->path, "SELECT ended - 1796000000 FROM lives WHERE rport=40000"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended IS NULL"), 2);
	assert_int_equal(q(f->path, "SELECT born - 1796000000 FROM lives WHERE rport=40001"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE laddr='127.0.0.1'"
	                            " AND lport=8080 AND raddr='0.0.0.0' AND proto='tcp'"
	                            " AND family=4"), 1);
	/* every life has a sample; tcp_info's counters as polled */
	assert_int_equal(q(f->path, "SELECT count(DISTINCT life) FROM samples"), 3);
	assert_int_equal(q(f->path, "SELECT bytes_sent FROM samples s JOIN lives l ON l.id=s.life"
	                            " WHERE l.rport=40000 ORDER BY time DESC"), 100);
	assert_int_equal(q(f->path, "SELECT count(*) FROM samples s JOIN lives l ON l.id=s.life"
	                            " WHERE l.rport=0 AND rtt_us IS NULL AND inode=1001"), 1);
	/* no owners known: one empty set a life */
	assert_int_equal(q(f->path, "SELECT count(*) FROM owners WHERE proc IS NULL"), 3);
	/* the first poll lists the lives alive */
	assert_int_equal(q(f->path, "SELECT count(*) FROM snapshots WHERE time=1796000000"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM snapshots"), 2);
	assert_int_equal(q(f->path, "SELECT value='testhost' FROM meta WHERE key='host'"), 1);
	assert_int_equal(q(f->path, "PRAGMA application_id"), SCHEMA_APPLICATION_ID);
	assert_int_equal(q(f->path, "PRAGMA user_version"), SCHEMA_VERSION);
}

static void a_state_change_is_an_event_naming_both_states(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_rec s = conn(40000, 2001, 10);
	poll_at(f, 0, &s, 1);
	s.state = SOCK_ST_CLOSE_WAIT;
	poll_at(f, 1, &s, 1);
	recorder_flush(f->r);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE event='state'"
	                            " AND from_state='ESTABLISHED' AND state='CLOSE_WAIT'"
	                            " AND time=1796000001"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives"), 1);
}

static struct sock_owner owner(int pid, const char *comm)
{
	struct sock_owner o;
	memset(&o, 0, sizeof(o));
	o.pid = o.pgid = pid;
	o.uid = 1000;
	o.starttime = 5000 + (unsigned long long)pid;
	snprintf(o.comm, sizeof(o.comm), "%s", comm);
	snprintf(o.user, sizeof(o.user), "alice");
	snprintf(o.service, sizeof(o.service), "web.service");
	return o;
}

static const char *cmdline_of(void *ctx, int pid, unsigned long long starttime)
{
	(void)ctx;
	(void)starttime;
	return pid == 300 ? "nginx: worker process" : NULL;
}

/* The table as polled with these owners (life 1: the listener). */
static void restore_owned(struct fx *f, const struct sock_owner *o, size_t n, double t)
{
	struct sock_entry e;
	memset(&e, 0, sizeof(e));
	e.rec = listener();
	e.first_seen = e.state_since = e.seen_at = BASE;
	e.life = 1;
	e.owners = (struct sock_owner *)o;
	e.nowners = n;
	assert_int_equal(sock_table_restore(f->t, &e, 1), 0);
	struct column_cmdlines cmd = { .get = cmdline_of };
	assert_int_equal(recorder_poll(f->r, f->t, f->polls ? &f->ev : NULL, &cmd, BASE + t), 0);
	f->polls++;
	recorder_flush(f->r);
}

static void owners_rows_follow_the_owner_set_and_name_the_processes(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_owner a[] = { owner(300, "nginx") };
	struct sock_owner b[] = { owner(300, "nginx"), owner(301, "nginx") };
	restore_owned(f, a, 1, 0);
	restore_owned(f, a, 1, 1);      /* the same set: no new rows */
	restore_owned(f, b, 2, 2);
	recorder_flush(f->r);
	assert_int_equal(q(f->path, "SELECT count(*) FROM owners WHERE since=1796000000"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM owners WHERE since=1796000001"), 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM owners WHERE since=1796000002"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM procs"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM procs WHERE pid=300 AND starttime=5300"
	                            " AND comm='nginx' AND user='alice' AND uid=1000"
	                            " AND service='web.service'"
	                            " AND cmdline='nginx: worker process'"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM procs WHERE pid=301 AND cmdline IS NULL"),
	                 1);
	/* a process that ran another program is another procs row */
	struct sock_owner x[] = { owner(300, "perl") };
	restore_owned(f, x, 1, 3);
	recorder_flush(f->r);
	assert_int_equal(q(f->path, "SELECT count(*) FROM procs WHERE pid=300"), 2);
	assert_int_equal(q(f->path, "SELECT p.comm='perl' FROM owners o JOIN procs p ON p.id=o.proc"
	                            " WHERE o.since=1796000003"), 1);
}

static void moving_counters_are_sampled_at_most_every_five_seconds(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	for (int i = 0; i <= 12; i++) {
		/* not accepted yet: no inode */
		struct sock_rec s = conn(40000, 0, 1000 * (uint64_t)(i + 1));
		poll_at(f, i, &s, 1);
	}
	/* still counters: no sample */
	for (int i = 13; i <= 20; i++) {
		struct sock_rec s = conn(40000, 0, 13000);
		poll_at(f, i, &s, 1);
	}
	recorder_flush(f->r);
	/* at 0 (first seen), 5, 10, 15 (the last movement, at 12) */
	assert_int_equal(q(f->path, "SELECT count(*) FROM samples"), 4);
	q_text(f->path, "SELECT group_concat(CAST(time - 1796000000 AS INTEGER))"
	       " FROM (SELECT time FROM samples ORDER BY time)", "0,5,10,15");
	assert_int_equal(q(f->path, "SELECT bytes_sent FROM samples WHERE time=1796000015"), 13000);
	/* an inode that came (the socket was accepted) is sampled at once */
	struct sock_rec s = conn(40000, 2002, 13000);
	poll_at(f, 21, &s, 1);
	recorder_flush(f->r);
	assert_int_equal(q(f->path, "SELECT inode FROM samples WHERE time=1796000021"), 2002);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives"), 1);
}

/* The entry for rport in t, or a failure. */
static const struct sock_entry *entry_to(const struct sock_table *t, uint16_t rport)
{
	for (size_t i = 0; i < sock_table_count(t); i++)
		if (sock_table_at(t, i)->rec.rport == rport)
			return sock_table_at(t, i);
	fail_msg("no socket to port %u", rport);
	return NULL;
}

static void an_event_that_moved_nothing_writes_no_sample_and_the_moment_keeps_it(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_rec v[] = { conn(40000, 2001, 10), conn(40001, 2002, 10) };
	poll_at(f, 0, v, 2);
	/* both close; their rates become known (0): that is a value moving */
	v[0].state = v[1].state = SOCK_ST_CLOSE_WAIT;
	poll_at(f, 1, v, 2);
	/* 40000 changes state with nothing else moving; 40001 moved bytes */
	v[0].state = v[1].state = SOCK_ST_LAST_ACK;
	v[1].tcp.bytes_sent = v[1].tcp.bytes_acked = 30;
	poll_at(f, 2, v, 2);
	poll_at(f, 3, &v[1], 1);
	recorder_flush(f->r);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events e JOIN lives l ON l.id = e.life"
	                            " WHERE l.rport = 40000 AND e.event IN ('state', 'gone')"), 3);
	q_text(f->path, "SELECT group_concat(CAST(s.time - 1796000000 AS INTEGER)) FROM"
	       " (SELECT s.time FROM samples s JOIN lives l ON l.id = s.life WHERE l.rport = 40000"
	       " ORDER BY s.time) s", "0,1");
	q_text(f->path, "SELECT group_concat(CAST(s.time - 1796000000 AS INTEGER)) FROM"
	       " (SELECT s.time FROM samples s JOIN lives l ON l.id = s.life WHERE l.rport = 40001"
	       " ORDER BY s.time) s", "0,1,2");
	/* the moment of the silent event shows its state and the counters */
	char err[512];
	struct history *h = history_open(f->path, err, sizeof(err));
	if (!h)
		fail_msg("history_open: %s", err);
	struct sock_table *t = sock_table_new();
	assert_int_equal(history_table(h, BASE + 2, t, err, sizeof(err)), 0);
	const struct sock_entry *a = entry_to(t, 40000), *b = entry_to(t, 40001);
	assert_int_equal(a->rec.state, SOCK_ST_LAST_ACK);
	assert_int_equal(a->rec.tcp.bytes_sent, 10);
	assert_int_equal(a->rec.inode, 2001);
	assert_int_equal(b->rec.tcp.bytes_sent, 30);
	sock_table_free(t);
	history_close(h);
}

static void the_file_and_its_wal_are_mode_0600(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	mode_t old = umask(0);
	open_rec(f, &c);
	umask(old);
	struct sock_rec s = listener();
	poll_at(f, 0, &s, 1);
	recorder_flush(f->r);
	struct stat st;
	char wal[160];
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	q_text(f->path, "PRAGMA journal_mode", "wal");
}

static void refused(struct fx *f, const char *expect)
{
	char err[512];
	struct record_config c = config(f);
	assert_null(recorder_open(&c, err, sizeof(err)));
	if (!strstr(err, expect))
		fail_msg("got '%s', wanted '%s'", err, expect);
	assert_non_null(strstr(err, f->path));
}

static void sql_file(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void another_programs_database_is_refused(void **state)
{
	struct fx *f = *state;
	sql_file(f->path, "CREATE TABLE notes(x); INSERT INTO notes VALUES(1)");
	refused(f, ": not a sockeye recording");
	/* and left as it was */
	assert_int_equal(q(f->path, "SELECT count(*) FROM notes"), 1);
}

static void a_newer_recording_is_refused(void **state)
{
	struct fx *f = *state;
	char sql[128];
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d;"
	         " CREATE TABLE polls(time)", SCHEMA_APPLICATION_ID, SCHEMA_VERSION + 1);
	sql_file(f->path, sql);
	char expect[96];
	snprintf(expect, sizeof(expect), ": recorded by a newer sockeye (format %d; this one reads %d)",
	         SCHEMA_VERSION + 1, SCHEMA_VERSION);
	refused(f, expect);
}

static void a_file_that_is_not_sqlite_is_refused(void **state)
{
	struct fx *f = *state;
	FILE *o = fopen(f->path, "w");
	for (int i = 0; i < 200; i++)
		fputs("this is a text file, not a database\n", o);
	fclose(o);
	refused(f, ": not an SQLite database");
}

static void a_symbolic_link_is_refused(void **state)
{
	struct fx *f = *state;
	char target[160];
	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	assert_int_equal(symlink(target, f->path), 0);
	refused(f, ": a symbolic link (name the file itself)");
	assert_int_equal(access(target, F_OK), -1);
}

static void a_truncated_recording_is_refused_as_damaged(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_rec recs[300];
	for (int i = 0; i < 300; i++)
		recs[i] = conn((uint16_t)(30000 + i), 5000 + (uint64_t)i, 10);
	poll_at(f, 0, recs, 300);
	recorder_close(f->r);
	f->r = NULL;
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(st.st_size > 16384);
	assert_int_equal(truncate(f->path, st.st_size / 2), 0);
	refused(f, ": damaged: ");
}

static void a_file_another_recorder_writes_is_refused(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_rec s = listener();
	poll_at(f, 0, &s, 1);
	refused(f, ": another sockeye is recording into it");
	/* the first goes on */
	poll_at(f, 1, &s, 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), 2);
	recorder_close(f->r);
	f->r = NULL;
	open_rec(f, &c);
}

static void a_second_run_ends_the_lives_left_open_and_numbers_after_them(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	struct sock_rec one[] = { listener(), conn(40000, 2001, 10) };
	poll_at(f, 0, one, 2);
	poll_at(f, 3, one, 2);
	recorder_close(f->r);
	/* a new run: a new table, whose lives are numbered from 1 again */
	sock_table_free(f->t);
	f->t = sock_table_new();
	f->polls = 0;
	open_rec(f, &c);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended=1796000003"), 2);
	poll_at(f, 10, one, 2);
	recorder_flush(f->r);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives"), 4);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended IS NULL AND born=1796000010"),
	                 2);
	assert_int_equal(q(f->path, "SELECT min(id) FROM lives WHERE ended IS NULL"), 3);
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), 3);
}

/* Every life of the oldest snapshot can be rebuilt there: its state, a
 * sample and its owners at or before it. */
static void assert_oldest_snapshot_rebuilds(const char *path)
{
	assert_int_equal(q(path, "SELECT count(*) FROM snapshots s WHERE s.time ="
	                         " (SELECT min(time) FROM snapshots) AND NOT EXISTS"
	                         " (SELECT 1 FROM events e WHERE e.life = s.life AND e.time <= s.time)"),
	                 0);
	assert_int_equal(q(path, "SELECT count(*) FROM snapshots s WHERE s.time ="
	                         " (SELECT min(time) FROM snapshots) AND NOT EXISTS"
	                         " (SELECT 1 FROM samples x WHERE x.life = s.life AND x.time <= s.time)"),
	                 0);
	assert_int_equal(q(path, "SELECT count(*) FROM snapshots s WHERE s.time ="
	                         " (SELECT min(time) FROM snapshots) AND NOT EXISTS"
	                         " (SELECT 1 FROM owners o WHERE o.life = s.life AND o.since <= s.time)"),
	                 0);
	assert_int_equal(q(path, "SELECT min(time) = (SELECT min(time) FROM snapshots) FROM polls"), 1);
}

static void retention_by_age_cuts_old_lives_and_keeps_the_oldest_moment_whole(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	c.keep = 1800;   /* half an hour, of two recorded */
	open_rec(f, &c);
	/* a poll a minute: the listener throughout, one connection a minute */
	for (int i = 0; i < 120; i++) {
		struct sock_rec recs[] = { listener(), conn((uint16_t)(40000 + i), 3000 + (uint64_t)i, 10) };
		poll_at(f, 60.0 * i, recs, 2);
	}
	recorder_flush(f->r);
	/* cut at a snapshot (every 10 minutes) at most 30 minutes back */
	int64_t first = q(f->path, "SELECT min(time) - 1796000000 FROM polls");
	assert_true(first >= 119 * 60 - 1800 - 600);
	assert_true(first <= 119 * 60 - 1800);
	assert_int_equal(first % 600, 0);
	/* the connections ended before the cut are gone, with their rows */
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended < (SELECT min(time) FROM polls)"),
	                 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE life NOT IN (SELECT id FROM lives)"),
	                 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM samples WHERE life NOT IN (SELECT id FROM lives)"),
	                 0);
	/* the listener, born at the start, stays with what rebuilds it */
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE rport=0 AND born=1796000000"), 1);
	assert_oldest_snapshot_rebuilds(f->path);
}

static void rows_a_run_left_before_the_first_moment_are_deleted_by_the_next(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	for (int i = 0; i < 40; i++) {
		struct sock_rec recs[] = { listener(), conn((uint16_t)(40000 + i), 3000 + (uint64_t)i, 10) };
		poll_at(f, 60.0 * i, recs, 2);
	}
	recorder_close(f->r);
	f->r = NULL;
	/* as a run stopped after cutting the moments before 20:00 and
	 * before deleting their rows */
	sql_file(f->path, "DELETE FROM polls WHERE time < 1796001200;"
	         " DELETE FROM snapshots WHERE time < 1796001200");
	assert_true(q(f->path, "SELECT count(*) FROM lives WHERE ended < 1796001200") > 0);
	sock_table_free(f->t);
	f->t = sock_table_new();
	f->polls = 0;
	open_rec(f, &c);
	struct sock_rec one[] = { listener() };
	poll_at(f, 2400, one, 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended < 1796001200"), 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE life NOT IN (SELECT id FROM lives)"),
	                 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM samples WHERE life NOT IN (SELECT id FROM lives)"),
	                 0);
	/* the listener alive then keeps one of each, and the moment rebuilds */
	assert_int_equal(q(f->path, "SELECT count(*) FROM events e JOIN lives l ON l.id = e.life"
	                            " WHERE l.rport = 0 AND e.time < 1796001200"), 1);
	assert_oldest_snapshot_rebuilds(f->path);
}

static void the_size_limit_holds_and_the_oldest_history_goes_first(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	c.max_bytes = 1 << 20;
	open_rec(f, &c);
	static struct sock_rec recs[500];
	/* 500 connections a minute, all new, with moving counters: about
	 * 100 KiB of rows a poll */
	for (int i = 0; i < 200; i++) {
		for (int k = 0; k < 500; k++)
			recs[k] = conn((uint16_t)(1024 + (i * 500 + k) % 60000),
			               100000 + (uint64_t)(i * 500 + k), 10 + (uint64_t)i);
		poll_at(f, 60.0 * i, recs, 500);
		recorder_flush(f->r);
		struct stat st;
		assert_int_equal(stat(f->path, &st), 0);
		assert_true(st.st_size <= (off_t)c.max_bytes);
	}
	assert_null(recorder_take_note(f->r));
	/* the newest polls stay, the oldest went */
	assert_int_equal(q(f->path, "SELECT max(time) - 1796000000 FROM polls"), 199 * 60);
	assert_true(q(f->path, "SELECT min(time) - 1796000000 FROM polls") > 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls WHERE dropped > 0"), 0);
	assert_oldest_snapshot_rebuilds(f->path);
}

static void in_memory_the_limit_holds_too(void **state)
{
	struct fx *f = *state;
	struct record_config c = { .path = NULL, .keep = RECORD_MEM_KEEP, .max_bytes = 1 << 20,
	                           .interval = 1.0, .host = "h" };
	open_rec(f, &c);
	static struct sock_rec recs[500];
	for (int i = 0; i < 120; i++) {
		for (int k = 0; k < 500; k++)
			recs[k] = conn((uint16_t)(1024 + (i * 500 + k) % 60000),
			               100000 + (uint64_t)(i * 500 + k), 10 + (uint64_t)i);
		poll_at(f, 10.0 * i, recs, 500);
		assert_true(q(recorder_name(f->r), "SELECT page_count * page_size FROM"
		              " pragma_page_count, pragma_page_size") <= (int64_t)c.max_bytes);
	}
	const char *note = recorder_take_note(f->r);
	if (note)
		fail_msg("note: %s", note);
	assert_int_equal(q(recorder_name(f->r), "SELECT max(time) - 1796000000 FROM polls"), 1190);
	assert_true(q(recorder_name(f->r), "SELECT min(time) - 1796000000 FROM polls") > 0);
	assert_oldest_snapshot_rebuilds(recorder_name(f->r));
}

static void a_held_writer_makes_polls_merge_and_count_as_dropped(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	open_rec(f, &c);
	recorder_hold(f->r, 1);
	f->held = 1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 5; i++) {
		struct sock_rec recs[] = { listener(), conn((uint16_t)(40000 + i), 3000 + (uint64_t)i, 10) };
		poll_at(f, i, recs, 2);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* no poll waited for the disk */
	assert_true((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 < 500);
	assert_int_equal(recorder_dropped(f->r), 4);
	const char *note = recorder_take_note(f->r);
	assert_non_null(note);
	assert_non_null(strstr(note, "behind"));
	assert_null(recorder_take_note(f->r));
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), 0);
	recorder_hold(f->r, 0);
	f->held = 0;
	recorder_flush(f->r);
	/* one transaction: the last moment, the four before it dropped, every
	 * life and event kept */
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), 1);
	assert_int_equal(q(f->path, "SELECT dropped FROM polls WHERE time=1796000004"), 4);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives"), 6);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE event='new'"), 4);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE event='gone'"), 4);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended IS NULL"), 2);
	/* one sample a life at most, the newest */
	assert_int_equal(q(f->path, "SELECT count(*) FROM (SELECT life FROM samples GROUP BY life"
	                            " HAVING count(*) > 1)"), 0);
}

static void a_queue_past_its_bound_is_dropped_and_the_next_poll_resynchronises(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	c.queue_max = 1;    /* any second poll waiting is too much */
	open_rec(f, &c);
	struct sock_rec one[] = { listener(), conn(40000, 2001, 10) };
	poll_at(f, 0, one, 2);
	recorder_hold(f->r, 1);
	f->held = 1;
	struct sock_rec two[] = { listener(), conn(40001, 2002, 10) };
	poll_at(f, 1, two, 2);   /* waits */
	struct sock_rec three[] = { listener(), conn(40002, 2003, 10) };
	poll_at(f, 2, three, 2); /* merged: over the bound, both dropped */
	const char *note = recorder_take_note(f->r);
	assert_non_null(note);
	assert_non_null(strstr(note, "dropped"));
	recorder_hold(f->r, 0);
	f->held = 0;
	poll_at(f, 3, three, 2); /* written whole */
	recorder_flush(f->r);
	/* 40000 ended at the resync; 40001 was never written; 40002 and the
	 * listener are alive, seen at the resync */
	assert_int_equal(q(f->path, "SELECT ended - 1796000000 FROM lives WHERE rport=40000"), 3);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE rport=40001"), 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended IS NULL"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended IS NULL AND rport=40002"
	                            " AND born=1796000002"), 1);
	assert_int_equal(q(f->path, "SELECT count(*) FROM events WHERE event='seen'"
	                            " AND time=1796000003"), 2);
	assert_int_equal(q(f->path, "SELECT count(*) FROM snapshots WHERE time=1796000003"), 2);
	/* the two moments never written are counted, and said in the next row */
	assert_int_equal(recorder_dropped(f->r), 2);
	assert_int_equal(q(f->path, "SELECT dropped FROM polls WHERE time=1796000003"), 2);
}

/* A child records as fast as it can and is killed mid-write: the file
 * opens, is whole, and holds the polls up to the last complete one. */
static void a_recording_killed_mid_write_opens_up_to_its_last_complete_poll(void **state)
{
	struct fx *f = *state;
	struct record_config c = config(f);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		struct recorder *r = recorder_open(&c, err, sizeof(err));
		if (!r)
			_exit(3);
		static struct sock_rec recs[400];
		f->r = r;
		for (int i = 0;; i++) {
			for (int k = 0; k < 400; k++)
				recs[k] = conn((uint16_t)(1024 + (i * 400 + k) % 60000),
				               100000 + (uint64_t)(i * 400 + k), 10);
			poll_at(f, i, recs, 400);
			recorder_flush(r);
		}
	}
	/* wait until a few polls are in, then kill it mid-stream */
	for (int tries = 0; tries < 500; tries++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		if (access(f->path, F_OK) == 0 &&
		    q(f->path, "SELECT count(*) FROM sqlite_schema WHERE name='polls'") == 1 &&
		    q(f->path, "SELECT count(*) FROM polls") >= 3)
			break;
	}
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	int64_t polls = q(f->path, "SELECT count(*) FROM polls");
	assert_true(polls >= 3);
	open_rec(f, &c);
	q_text(f->path, "PRAGMA integrity_check", "ok");
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), polls);
	/* every life of the last poll has its rows; none outlives it open */
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE ended IS NULL"), 0);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives WHERE born > (SELECT max(time) FROM polls)"),
	                 0);
}

/* The writer narrowed to the recording's files, as sockeye narrows it,
 * then asked to create another file beside them. */
static char other_file[160];
static int other_errno;

static int confine_then_try(void *path, char *err, size_t errlen)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	int rc = privs_confine_recording(path, err, errlen);
	int fd = open(other_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	other_errno = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

static void the_narrowed_writer_writes_its_recording_and_nothing_else(void **state)
{
	struct fx *f = *state;
	if (privs_landlock_abi() == 0)
		skip();
	struct record_config c = config(f);
	open_rec(f, &c);
	snprintf(other_file, sizeof(other_file), "%s/other", f->dir);
	recorder_set_thread_setup(f->r, confine_then_try, f->path);
	char err[256];
	assert_int_equal(recorder_start(f->r, err, sizeof(err)), 0);
	assert_null(recorder_take_note(f->r));
	assert_int_equal(other_errno, EACCES);
	assert_int_equal(access(other_file, F_OK), -1);
	for (int i = 0; i < 3; i++) {
		struct sock_rec recs[] = { listener(), conn((uint16_t)(40000 + i), 3000 + (uint64_t)i, 10) };
		poll_at(f, 60.0 * i, recs, 2);
	}
	recorder_close(f->r);
	f->r = NULL;
	assert_int_equal(q(f->path, "SELECT count(*) FROM polls"), 3);
	assert_int_equal(q(f->path, "SELECT count(*) FROM lives"), 4);
}

static void a_recording_in_memory_needs_no_file(void **state)
{
	struct fx *f = *state;
	struct record_config c = { .path = NULL, .keep = RECORD_MEM_KEEP,
	                           .max_bytes = RECORD_MEM_MAX, .interval = 1.0, .host = "h" };
	open_rec(f, &c);
	struct sock_rec one[] = { listener(), conn(40000, 2001, 10) };
	poll_at(f, 0, one, 2);
	recorder_flush(f->r);
	const char *name = recorder_name(f->r);
	assert_non_null(strstr(name, "vfs=memdb"));
	assert_int_equal(q(name, "SELECT count(*) FROM lives"), 2);
	assert_int_equal(q(name, "SELECT count(*) FROM polls"), 1);
	assert_int_equal(access(f->path, F_OK), -1);
	/* the screen's rewind reads it through a connection of its own */
	char err[512];
	struct history *h = recorder_history(f->r, err, sizeof(err));
	if (!h)
		fail_msg("recorder_history: %s", err);
	double first, last;
	assert_int_equal(history_span(h, &first, &last), 0);
	assert_true(first == BASE && last == BASE);
	struct sock_rec two[] = { listener() };
	poll_at(f, 1, two, 1);
	assert_int_equal(history_span(h, &first, &last), 0);
	assert_true(last == BASE + 1);
	struct sock_table *t = sock_table_new();
	assert_int_equal(history_table(h, BASE, t, err, sizeof(err)), 0);
	assert_int_equal(sock_table_count(t), 2);
	sock_table_free(t);
	history_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_poll_writes_its_lives_events_samples_and_polls_row, setup, teardown),
		cmocka_unit_test_setup_teardown(a_state_change_is_an_event_naming_both_states, setup, teardown),
		cmocka_unit_test_setup_teardown(an_event_that_moved_nothing_writes_no_sample_and_the_moment_keeps_it, setup, teardown),
		cmocka_unit_test_setup_teardown(owners_rows_follow_the_owner_set_and_name_the_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(moving_counters_are_sampled_at_most_every_five_seconds, setup, teardown),
		cmocka_unit_test_setup_teardown(the_file_and_its_wal_are_mode_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(another_programs_database_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_newer_recording_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_that_is_not_sqlite_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_symbolic_link_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_truncated_recording_is_refused_as_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(a_file_another_recorder_writes_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(a_second_run_ends_the_lives_left_open_and_numbers_after_them, setup, teardown),
		cmocka_unit_test_setup_teardown(retention_by_age_cuts_old_lives_and_keeps_the_oldest_moment_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_a_run_left_before_the_first_moment_are_deleted_by_the_next, setup, teardown),
		cmocka_unit_test_setup_teardown(the_size_limit_holds_and_the_oldest_history_goes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(in_memory_the_limit_holds_too, setup, teardown),
		cmocka_unit_test_setup_teardown(a_held_writer_makes_polls_merge_and_count_as_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(a_queue_past_its_bound_is_dropped_and_the_next_poll_resynchronises, setup, teardown),
		cmocka_unit_test_setup_teardown(a_recording_killed_mid_write_opens_up_to_its_last_complete_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(the_narrowed_writer_writes_its_recording_and_nothing_else, setup, teardown),
		cmocka_unit_test_setup_teardown(a_recording_in_memory_needs_no_file, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
