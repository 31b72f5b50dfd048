/* test_replay.c — reading a recording back: a live table's polls written
 * the way schema.h lays them out, then every moment read back equals what
 * the live table held then (records, states, owners, first-seen times,
 * rates), the events of a window equal the live diff's, and every file
 * that is not a recording is refused with one message naming it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "procmap.h"
#include "record.h"
#include "proctree.h"
#include "replay.h"
#include "schema.h"
#include "table.h"

/* ---- a recording written from a live table, as schema.h describes ---- */

#define MAX_LIVES 64

struct writer {
	sqlite3 *db;
	char owners_sig[MAX_LIVES][512];   /* the owners last written per life */
	int polls;
};

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	return s;
}

static void step_done(sqlite3_stmt *s)
{
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void writer_open(struct writer *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	unlink(path);
	assert_int_equal(sqlite3_open(path, &w->db), SQLITE_OK);
	char sql[128];
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	         SCHEMA_APPLICATION_ID, SCHEMA_VERSION);
	exec_ok(w->db, sql);
	exec_ok(w->db, "PRAGMA journal_mode = WAL;");
	exec_ok(w->db, SCHEMA_SQL);
}

static const char *addr_text(const struct sock_rec *r, const uint8_t *a, char *buf)
{
	return inet_ntop(r->family, a, buf, INET6_ADDRSTRLEN);
}

static void write_life(struct writer *w, const struct sock_entry *e, double born)
{
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	sqlite3_stmt *s = prep(w->db, "INSERT INTO lives(id, proto, family, laddr, lport, raddr,"
	                       " rport, ifindex, netns, netns_name, cookie, born, brief)"
	                       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
	sqlite3_bind_int64(s, 1, (sqlite3_int64)e->life);
	sqlite3_bind_text(s, 2, e->rec.proto == IPPROTO_TCP ? "tcp" : "udp", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, e->rec.family == AF_INET6 ? 6 : 4);
	sqlite3_bind_text(s, 4, addr_text(&e->rec, e->rec.laddr, l), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, e->rec.lport);
	sqlite3_bind_text(s, 6, addr_text(&e->rec, e->rec.raddr, r), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 7, e->rec.rport);
	sqlite3_bind_int64(s, 8, e->rec.ifindex);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)e->rec.netns);
	if (e->rec.netns_name)
		sqlite3_bind_text(s, 10, e->rec.netns_name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)e->rec.cookie);
	sqlite3_bind_double(s, 12, born);
	sqlite3_bind_int(s, 13, e->brief);
	step_done(s);
}

static void write_event(struct writer *w, const char *event, double t, uint64_t life,
                        const struct sock_rec *rec, int from, const struct sock_event *x)
{
	sqlite3_stmt *s = prep(w->db, "INSERT INTO events(time, life, event, state, from_state,"
	                       " timewait, final, brief, uid_unknown) VALUES(?,?,?,?,?,?,?,?,?)");
	sqlite3_bind_double(s, 1, t);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)life);
	sqlite3_bind_text(s, 3, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sock_state_name(rec->proto, rec->state), -1, SQLITE_STATIC);
	if (from)
		sqlite3_bind_text(s, 5, sock_state_name(rec->proto, (uint8_t)from), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, rec->timewait);
	sqlite3_bind_int(s, 7, x ? x->final : 0);
	sqlite3_bind_int(s, 8, x ? x->brief : 0);
	sqlite3_bind_int(s, 9, x ? x->uid_unknown : 0);
	step_done(s);
}

static void write_sample(struct writer *w, const struct sock_entry *e, double t)
{
	sqlite3_stmt *s = prep(w->db, "INSERT INTO samples VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	const struct sock_rec *r = &e->rec;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)e->life);
	sqlite3_bind_double(s, 2, t);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->inode);
	sqlite3_bind_int64(s, 4, r->uid);
	sqlite3_bind_int64(s, 5, r->recvq);
	sqlite3_bind_int64(s, 6, r->sendq);
	if (r->has_tcpinfo) {
		sqlite3_bind_int64(s, 7, r->tcp.rtt_us);
		sqlite3_bind_int64(s, 8, r->tcp.rttvar_us);
		sqlite3_bind_int64(s, 9, r->tcp.retransmits);
		sqlite3_bind_int64(s, 10, r->tcp.total_retrans);
		sqlite3_bind_int64(s, 11, r->tcp.snd_cwnd);
		sqlite3_bind_int64(s, 12, (sqlite3_int64)r->tcp.bytes_acked);
		sqlite3_bind_int64(s, 13, (sqlite3_int64)r->tcp.bytes_received);
		sqlite3_bind_int64(s, 14, (sqlite3_int64)r->tcp.bytes_sent);
	}
	if (e->has_rate) {
		sqlite3_bind_double(s, 15, e->tx_rate);
		sqlite3_bind_double(s, 16, e->rx_rate);
	}
	step_done(s);
}

static sqlite3_int64 proc_id(struct writer *w, const struct sock_owner *o)
{
	sqlite3_stmt *s = prep(w->db, "SELECT id FROM procs WHERE pid = ? AND starttime = ?");
	sqlite3_bind_int(s, 1, o->pid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)o->starttime);
	sqlite3_int64 id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (id)
		return id;
	s = prep(w->db, "INSERT INTO procs(pid, starttime, pgid, uid, user, comm, service, cmdline)"
	         " VALUES(?,?,?,?,?,?,?,?)");
	sqlite3_bind_int(s, 1, o->pid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)o->starttime);
	sqlite3_bind_int(s, 3, o->pgid);
	sqlite3_bind_int64(s, 4, o->uid);
	sqlite3_bind_text(s, 5, o->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, o->comm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, o->service, -1, SQLITE_TRANSIENT);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s --serve %d", o->comm, o->pid);
	sqlite3_bind_text(s, 8, cmd, -1, SQLITE_TRANSIENT);
	step_done(s);
	return sqlite3_last_insert_rowid(w->db);
}

static void write_owner_row(struct writer *w, uint64_t life, double t, sqlite3_int64 proc,
                            int former)
{
	sqlite3_stmt *s = prep(w->db, "INSERT INTO owners(life, since, proc, former) VALUES(?,?,?,?)");
	sqlite3_bind_int64(s, 1, (sqlite3_int64)life);
	sqlite3_bind_double(s, 2, t);
	if (proc)
		sqlite3_bind_int64(s, 3, proc);
	sqlite3_bind_int(s, 4, former);
	step_done(s);
}

static void owners_sig(const struct sock_entry *e, char *sig, size_t len)
{
	size_t n = (size_t)snprintf(sig, len, "now");
	for (size_t i = 0; i < e->nowners; i++)
		n += (size_t)snprintf(sig + n, len - n, " %d/%llu", e->owners[i].pid,
		                      e->owners[i].starttime);
	n += (size_t)snprintf(sig + n, len - n, " was");
	for (size_t i = 0; i < e->nowners_was; i++)
		n += (size_t)snprintf(sig + n, len - n, " %d/%llu", e->owners_was[i].pid,
		                      e->owners_was[i].starttime);
}

/* Owners are written when they change: a set is its rows at one since. */
static void write_owners(struct writer *w, const struct sock_entry *e, double t)
{
	char sig[512];
	assert_true(e->life < MAX_LIVES);
	owners_sig(e, sig, sizeof(sig));
	if (strcmp(sig, w->owners_sig[e->life]) == 0)
		return;
	strcpy(w->owners_sig[e->life], sig);
	if (!e->nowners && !e->nowners_was)
		write_owner_row(w, e->life, t, 0, 0);
	for (size_t i = 0; i < e->nowners; i++)
		write_owner_row(w, e->life, t, proc_id(w, &e->owners[i]), 0);
	for (size_t i = 0; i < e->nowners_was; i++)
		write_owner_row(w, e->life, t, proc_id(w, &e->owners_was[i]), 1);
}

/* One poll of t (after sock_table_update at when with events ev; NULL:
 * the baseline, whose sockets are written born then). */
static void writer_poll(struct writer *w, const struct sock_table *t,
                        const struct sock_events *ev, double when)
{
	exec_ok(w->db, "BEGIN");
	for (size_t i = 0; ev && i < ev->n; i++) {
		const struct sock_event *x = &ev->v[i];
		if (x->type == SOCK_EV_NEW) {
			write_life(w, sock_table_find(t, &x->rec), when);
			write_event(w, "new", when, x->life, &x->rec, 0, x);
		} else if (x->type == SOCK_EV_STATE) {
			write_event(w, "state", when, x->life, &x->rec, x->from_state, x);
		} else if (x->type == SOCK_EV_GONE) {
			write_event(w, "gone", when, x->life, &x->rec, 0, x);
			char sql[96];
			snprintf(sql, sizeof(sql), "UPDATE lives SET ended = %.17g WHERE id = %llu",
			         when, (unsigned long long)x->life);
			exec_ok(w->db, sql);
		}
	}
	for (size_t i = 0; i < sock_table_count(t); i++) {
		const struct sock_entry *e = sock_table_at(t, i);
		if (!ev) {
			write_life(w, e, when);
			write_event(w, "new", when, e->life, &e->rec, 0, NULL);
		}
		write_sample(w, e, when);
		write_owners(w, e, when);
	}
	/* A snapshot every other poll, so moments are rebuilt both from one
	 * and from the lives born after it. */
	if (w->polls++ % 2 == 0) {
		for (size_t i = 0; i < sock_table_count(t); i++) {
			char sql[96];
			snprintf(sql, sizeof(sql), "INSERT INTO snapshots VALUES(%.17g, %llu)", when,
			         (unsigned long long)sock_table_at(t, i)->life);
			exec_ok(w->db, sql);
		}
	}
	char sql[96];
	snprintf(sql, sizeof(sql), "INSERT INTO polls(time, sockets) VALUES(%.17g, %zu)", when,
	         sock_table_count(t));
	exec_ok(w->db, sql);
	exec_ok(w->db, "COMMIT");
}

/* ---- what the live table held ---- */

struct held {
	size_t n;
	struct sock_entry v[16];
	struct sock_owner own[16][4], was[16][4];
};

static void hold(struct held *h, const struct sock_table *t)
{
	h->n = sock_table_count(t);
	assert_true(h->n <= 16);
	for (size_t i = 0; i < h->n; i++) {
		h->v[i] = *sock_table_at(t, i);
		assert_true(h->v[i].nowners <= 4 && h->v[i].nowners_was <= 4);
		if (h->v[i].nowners)
			memcpy(h->own[i], h->v[i].owners, h->v[i].nowners * sizeof(struct sock_owner));
		if (h->v[i].nowners_was)
			memcpy(h->was[i], h->v[i].owners_was,
			       h->v[i].nowners_was * sizeof(struct sock_owner));
	}
}

/* Counters: exact where a sample was written at every poll; sockeye's
 * recorder samples a moving counter at most every few seconds, so there
 * they are a poll's at or before the moment, never a later one's. */
static void assert_counters(const struct sock_rec *a, const struct sock_rec *b, int exact)
{
	assert_int_equal(a->has_tcpinfo, b->has_tcpinfo);
	if (!a->has_tcpinfo)
		return;
	assert_int_equal(a->tcp.rtt_us, b->tcp.rtt_us);
	assert_int_equal(a->tcp.total_retrans, b->tcp.total_retrans);
	if (exact) {
		assert_int_equal(a->tcp.bytes_acked, b->tcp.bytes_acked);
		assert_int_equal(a->tcp.bytes_received, b->tcp.bytes_received);
	} else {
		assert_true(a->tcp.bytes_acked <= b->tcp.bytes_acked);
		assert_true(a->tcp.bytes_received <= b->tcp.bytes_received);
	}
}

static void assert_same_rec(const struct sock_rec *a, const struct sock_rec *b, int exact)
{
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->timewait, b->timewait);
	assert_int_equal(a->lport, b->lport);
	assert_int_equal(a->rport, b->rport);
	assert_memory_equal(a->laddr, b->laddr, 16);
	assert_memory_equal(a->raddr, b->raddr, 16);
	assert_int_equal(a->inode, b->inode);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->recvq, b->recvq);
	assert_int_equal(a->sendq, b->sendq);
	assert_int_equal(a->cookie, b->cookie);
	assert_int_equal(a->netns, b->netns);
	if (a->netns_name || b->netns_name)
		assert_string_equal(a->netns_name, b->netns_name);
	assert_counters(a, b, exact);
}

static void assert_same_owners(const struct sock_owner *a, size_t na,
                               const struct sock_owner *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].pid, b[i].pid);
		assert_int_equal(a[i].pgid, b[i].pgid);
		assert_int_equal(a[i].uid, b[i].uid);
		assert_true(a[i].starttime == b[i].starttime);
		assert_string_equal(a[i].comm, b[i].comm);
		assert_string_equal(a[i].user, b[i].user);
		assert_string_equal(a[i].service, b[i].service);
	}
}

static void assert_table_is(const struct sock_table *t, const struct held *h, int exact)
{
	assert_int_equal(sock_table_count(t), h->n);
	for (size_t i = 0; i < h->n; i++) {
		const struct sock_entry *want = &h->v[i];
		const struct sock_entry *got = sock_table_find(t, &want->rec);
		if (!got)
			fail_msg("life %llu is missing", (unsigned long long)want->life);
		assert_same_rec(&got->rec, &want->rec, exact);
		assert_int_equal(got->life, want->life);
		assert_true(got->first_seen == want->first_seen);
		assert_true(got->state_since == want->state_since);
		assert_int_equal(got->brief, want->brief);
		assert_int_equal(got->final, want->final);
		if (exact) {
			assert_int_equal(got->has_rate, want->has_rate);
			assert_true(got->tx_rate == want->tx_rate && got->rx_rate == want->rx_rate);
		}
		assert_same_owners(got->owners, got->nowners, h->own[i], want->nowners);
		assert_same_owners(got->owners_was, got->nowners_was, h->was[i], want->nowners_was);
		if (want->nowners_was)
			assert_int_equal(got->inode_was, want->inode_was);
	}
}

/* ---- the scenario ---- */

#define NPOLLS 6
#define T0 1796549400.0

struct recorded {
	int by_recorder;                /* sockeye's recorder, else writer_poll */
	char path[64];
	struct held at[NPOLLS];
	struct sock_events ev;          /* the live diff's, after the baseline */
	struct proctree proc;
};

static struct sock_rec rec4(uint8_t proto, const char *l, uint16_t lp, const char *r,
                            uint16_t rp, uint8_t state, uint64_t inode)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = proto;
	s.family = AF_INET;
	inet_pton(AF_INET, l, s.laddr);
	inet_pton(AF_INET, r, s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.state = state;
	s.inode = inode;
	s.uid = 1000;
	return s;
}

static struct sock_rec with_bytes(struct sock_rec r, uint64_t acked, uint64_t received)
{
	r.has_tcpinfo = 1;
	r.tcp.rtt_us = 250;
	r.tcp.bytes_acked = acked;
	r.tcp.bytes_received = received;
	r.tcp.total_retrans = 2;
	return r;
}

/* Keeps a deep copy of each event (the live list is cleared each poll). */
static void keep_events(struct sock_events *to, const struct sock_events *from)
{
	for (size_t i = 0; i < from->n; i++) {
		struct sock_event *x = sock_events_push(to);
		*x = from->v[i];
		x->owners = sock_owners_dup(from->v[i].owners, from->v[i].nowners);
		x->owners_was = sock_owners_dup(from->v[i].owners_was, from->v[i].nowners_was);
	}
}

/* What the recorder is told of each owner's command line. */
static const char *fake_cmdline(void *ctx, int pid, unsigned long long starttime)
{
	static char buf[64];
	(void)ctx;
	(void)starttime;
	const char *comm = pid == 10817 || pid == 10818 ? "pm-listen" :
	                   pid == 10819 ? "x) (y z" : "pm-other";
	snprintf(buf, sizeof(buf), "%s --serve %d", comm, pid);
	return buf;
}

static int setup_with(void **state, int by_recorder)
{
	char err[512];
	struct recorded *r = calloc(1, sizeof(*r));
	if (!r || proctree_make(&r->proc, FIXTURES "/proc-owners", err, sizeof(err)) != 0)
		return -1;
	r->by_recorder = by_recorder;
	snprintf(r->path, sizeof(r->path), "/tmp/test_replay.%d.%d.db", (int)getpid(), by_recorder);
	struct procmap *pm = procmap_new(r->proc.root);
	if (!pm || procmap_refresh(pm, err, sizeof(err)) < 0)
		return -1;

	const char *lo = "127.0.0.1";
	struct sock_rec listen = rec4(IPPROTO_TCP, lo, 8080, "0.0.0.0", 0, SOCK_ST_LISTEN, 14153);
	struct sock_rec conn = with_bytes(rec4(IPPROTO_TCP, lo, 40000, lo, 8080,
	                                       SOCK_ST_ESTABLISHED, 14167), 100, 50);
	struct sock_rec udp = rec4(IPPROTO_UDP, lo, 5353, "0.0.0.0", 0, SOCK_ST_CLOSE, 14179);
	udp.netns = 4026532999ull;
	udp.netns_name = "blue";
	struct sock_rec six = listen;
	six.family = AF_INET6;
	memset(six.laddr, 0, 16);
	six.laddr[15] = 1;
	memset(six.raddr, 0, 16);
	six.inode = 14203;
	struct sock_rec other = with_bytes(rec4(IPPROTO_TCP, lo, 40001, lo, 8080,
	                                        SOCK_ST_ESTABLISHED, 9991), 0, 0);

	struct sock_rec polls[NPOLLS][5];
	size_t counts[NPOLLS];
	/* 0: the baseline. */
	polls[0][0] = listen; polls[0][1] = conn; polls[0][2] = udp; polls[0][3] = six;
	counts[0] = 4;
	/* 1: bytes move on conn; a connection without owners opens. */
	polls[1][0] = listen; polls[1][1] = with_bytes(conn, 1100, 2050);
	polls[1][2] = udp; polls[1][3] = six; polls[1][4] = other;
	counts[1] = 5;
	/* 2: conn's process closes it (orphaned); other moves. */
	struct sock_rec orphan = with_bytes(conn, 1600, 2050);
	orphan.state = SOCK_ST_FIN_WAIT1;
	orphan.inode = 0;
	polls[2][0] = listen; polls[2][1] = orphan; polls[2][2] = udp; polls[2][3] = six;
	polls[2][4] = with_bytes(other, 4000, 8000);
	counts[2] = 5;
	/* 3: conn is a timewait socket; the UDP socket goes. */
	struct sock_rec tw = conn;
	tw.state = SOCK_ST_TIME_WAIT;
	tw.timewait = 1;
	tw.inode = 0;
	tw.has_tcpinfo = 0;
	tw.uid = 0;
	polls[3][0] = listen; polls[3][1] = tw; polls[3][2] = six;
	polls[3][3] = with_bytes(other, 4000, 8000);
	counts[3] = 4;
	/* 4: the timewait socket ends and its tuple is used again at once. */
	polls[4][0] = listen; polls[4][1] = with_bytes(conn, 7, 7); polls[4][2] = six;
	polls[4][3] = with_bytes(other, 5000, 8000);
	counts[4] = 4;
	/* 5: nothing changes. */
	memcpy(polls[5], polls[4], sizeof(polls[4]));
	counts[5] = 4;

	struct sock_table *t = sock_table_new();
	struct sock_list l;
	struct sock_events ev;
	struct writer w;
	struct recorder *rec = NULL;
	struct column_cmdlines cmd = { fake_cmdline, NULL, NULL };
	struct record_config rc = { .path = r->path, .keep = RECORD_KEEP_DEFAULT,
	                            .max_bytes = RECORD_MAX_DEFAULT, .interval = 2.5,
	                            .host = "replayhost" };
	sock_list_init(&l);
	sock_events_init(&ev);
	sock_events_init(&r->ev);
	if (by_recorder) {
		unlink(r->path);
		if (!(rec = recorder_open(&rc, err, sizeof(err)))) {
			fprintf(stderr, "recorder_open: %s\n", err);
			return -1;
		}
	} else {
		writer_open(&w, r->path);
	}
	for (int p = 0; p < NPOLLS; p++) {
		sock_list_clear(&l);
		for (size_t i = 0; i < counts[p]; i++)
			*sock_list_push(&l) = polls[p][i];
		sock_events_clear(&ev);
		if (sock_table_update(t, &l, pm, T0 + p, p ? &ev : NULL) < 0)
			return -1;
		if (rec && recorder_poll(rec, t, p ? &ev : NULL, &cmd, T0 + p) < 0)
			return -1;
		if (rec)
			recorder_flush(rec);   /* each poll its own: none merged */
		if (!rec)
			writer_poll(&w, t, p ? &ev : NULL, T0 + p);
		hold(&r->at[p], t);
		keep_events(&r->ev, &ev);
	}
	if (rec)
		recorder_close(rec);
	else
		sqlite3_close(w.db);
	sock_events_free(&ev);
	sock_list_free(&l);
	sock_table_free(t);
	procmap_free(pm);
	*state = r;
	return 0;
}

static int sql_setup(void **state)
{
	return setup_with(state, 0);
}

static int recorder_setup(void **state)
{
	return setup_with(state, 1);
}

static int group_teardown(void **state)
{
	struct recorded *r = *state;
	char err[512], wal[80];
	proctree_remove(&r->proc, err, sizeof(err));
	unlink(r->path);
	snprintf(wal, sizeof(wal), "%s-wal", r->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", r->path);
	unlink(wal);
	sock_events_free(&r->ev);
	free(r);
	return 0;
}

static struct history *open_ok(const char *path)
{
	char err[512] = "";
	struct history *h = history_open(path, err, sizeof(err));
	if (!h)
		fail_msg("%s", err);
	return h;
}

/* ---- moments ---- */

static void the_span_and_steps_are_the_polls(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	double first, last, m;
	assert_int_equal(history_span(h, &first, &last), 0);
	assert_true(first == T0 && last == T0 + NPOLLS - 1);
	assert_int_equal(history_moment(h, T0 + 2.7, &m), 0);
	assert_true(m == T0 + 2);
	assert_int_equal(history_moment(h, T0 - 100, &m), 0);
	assert_true(m == T0);
	assert_int_equal(history_moment(h, T0 + 1000, &m), 0);
	assert_true(m == last);
	assert_int_equal(history_step(h, T0 + 2, 1, &m), 0);
	assert_true(m == T0 + 3);
	assert_int_equal(history_step(h, T0 + 2, -1, &m), 0);
	assert_true(m == T0 + 1);
	assert_int_equal(history_step(h, T0 + 2.5, -1, &m), 0);
	assert_true(m == T0 + 2);
	assert_int_equal(history_step(h, last, 1, &m), -1);
	assert_int_equal(history_step(h, first, -1, &m), -1);
	history_close(h);
}

static void every_moment_reads_back_as_the_live_table_held_it(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	struct sock_table *t = sock_table_new();
	char err[512];
	for (int p = 0; p < NPOLLS; p++) {
		assert_int_equal(history_table(h, T0 + p, t, err, sizeof(err)), 0);
		assert_table_is(t, &r->at[p], !r->by_recorder);
		/* Between two polls: the one before. */
		assert_int_equal(history_table(h, T0 + p + 0.5, t, err, sizeof(err)), 0);
		assert_table_is(t, &r->at[p], !r->by_recorder);
	}
	sock_table_free(t);
	history_close(h);
}

static void owners_and_former_owners_are_as_they_were(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	struct sock_table *t = sock_table_new();
	char err[512];
	/* At poll 3 the first connection is a TIME_WAIT its process left. */
	assert_int_equal(history_table(h, T0 + 3, t, err, sizeof(err)), 0);
	struct sock_rec tw = rec4(IPPROTO_TCP, "127.0.0.1", 40000, "127.0.0.1", 8080,
	                          SOCK_ST_TIME_WAIT, 0);
	const struct sock_entry *e = sock_table_find(t, &tw);
	assert_non_null(e);
	assert_int_equal(e->rec.state, SOCK_ST_TIME_WAIT);
	assert_int_equal(e->nowners, 0);
	assert_int_equal(e->nowners_was, 1);
	assert_int_equal(e->owners_was[0].pid, 10819);
	assert_string_equal(e->owners_was[0].comm, "x) (y z");
	assert_true(e->first_seen == T0);
	assert_true(e->state_since == T0 + 3);
	/* The listener has both of its processes. */
	struct sock_rec listen = rec4(IPPROTO_TCP, "127.0.0.1", 8080, "0.0.0.0", 0,
	                              SOCK_ST_LISTEN, 14153);
	e = sock_table_find(t, &listen);
	assert_non_null(e);
	assert_int_equal(e->nowners, 2);
	assert_int_equal(e->owners[0].pid, 10817);
	assert_int_equal(e->owners[1].pid, 10818);
	/* Their command lines are the recorded ones. */
	const struct column_cmdlines *c = history_cmdlines(h);
	assert_string_equal(c->get(c->ctx, 10817, e->owners[0].starttime),
	                    "pm-listen --serve 10817");
	assert_null(c->get(c->ctx, 4242, 1));
	sock_table_free(t);
	history_close(h);
}

static void a_moment_before_the_first_poll_holds_nothing(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	struct sock_table *t = sock_table_new();
	char err[512];
	assert_int_equal(history_table(h, T0 - 1, t, err, sizeof(err)), 0);
	assert_int_equal(sock_table_count(t), 0);
	sock_table_free(t);
	history_close(h);
}

/* ---- events ---- */

static void assert_same_event(const struct sock_event *got, const struct sock_event *want)
{
	assert_int_equal(got->type, want->type);
	assert_true(got->time == want->time);
	assert_same_rec(&got->rec, &want->rec, 1);
	assert_int_equal(got->from_state, want->from_state);
	assert_int_equal(got->life, want->life);
	assert_int_equal(got->has_rate, want->has_rate);
	assert_true(got->tx_rate == want->tx_rate && got->rx_rate == want->rx_rate);
	assert_int_equal(got->brief, want->brief);
	assert_int_equal(got->final, want->final);
	assert_int_equal(got->uid_unknown, want->uid_unknown);
	assert_same_owners(got->owners, got->nowners, want->owners, want->nowners);
	assert_same_owners(got->owners_was, got->nowners_was, want->owners_was, want->nowners_was);
}

static void the_events_of_the_recording_are_the_live_diffs(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	struct sock_events ev;
	char err[512];
	sock_events_init(&ev);
	double first, last;
	assert_int_equal(history_span(h, &first, &last), 0);
	assert_int_equal(history_events(h, first, last, &ev, err, sizeof(err)), 0);
	assert_true(r->ev.n >= 6);
	assert_int_equal(ev.n, r->ev.n);
	for (size_t i = 0; i < ev.n; i++)
		assert_same_event(&ev.v[i], &r->ev.v[i]);
	sock_events_free(&ev);
	history_close(h);
}

static void a_window_holds_only_its_events(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	struct sock_events ev;
	char err[512];
	sock_events_init(&ev);
	/* (T0+2, T0+3]: the TIME_WAIT and the UDP socket's GONE. */
	assert_int_equal(history_events(h, T0 + 2, T0 + 3, &ev, err, sizeof(err)), 0);
	size_t want = 0;
	for (size_t i = 0; i < r->ev.n; i++) {
		if (r->ev.v[i].time > T0 + 2 && r->ev.v[i].time <= T0 + 3) {
			assert_true(want < ev.n);
			assert_same_event(&ev.v[want++], &r->ev.v[i]);
		}
	}
	assert_int_equal(ev.n, want);
	assert_int_equal(want, 2);
	assert_int_equal(ev.v[1].type, SOCK_EV_GONE);
	assert_int_equal(ev.v[1].rec.proto, IPPROTO_UDP);
	assert_string_equal(ev.v[1].rec.netns_name, "blue");
	sock_events_free(&ev);
	history_close(h);
}

static void a_long_window_is_read_in_pieces_that_cut_no_moment(void **state)
{
	struct recorded *r = *state;
	struct history *h = open_ok(r->path);
	char err[512];
	double since = T0, end, seen = 0;
	size_t pieces = 0, n = 0;
	struct sock_events ev;
	sock_events_init(&ev);
	while (since < T0 + NPOLLS - 1) {
		assert_int_equal(history_events_end(h, since, T0 + NPOLLS - 1, 2, &end, err,
		                                    sizeof(err)), 0);
		assert_true(end > since);
		sock_events_clear(&ev);
		assert_int_equal(history_events(h, since, end, &ev, err, sizeof(err)), 0);
		for (size_t i = 0; i < ev.n; i++) {
			assert_true(ev.v[i].time >= seen);
			seen = ev.v[i].time;
		}
		n += ev.n;
		pieces++;
		since = end;
	}
	assert_int_equal(n, r->ev.n);
	assert_true(pieces >= 2);
	sock_events_free(&ev);
	history_close(h);
}

/* What a damaged file holds is quoted escaped, never sent raw to a terminal. */
static void a_damaged_event_is_named_escaped(void **state)
{
	struct recorded *r = *state;
	char path[64], sql[256], err[512] = "";
	snprintf(path, sizeof(path), "/tmp/test_replay.%d.esc", (int)getpid());
	unlink(path);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(r->path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", path);
	exec_ok(db, sql);
	sqlite3_close(db);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "PRAGMA journal_mode = DELETE; UPDATE events SET event = 'g' || char(27) || '[2Jone'"
	        " WHERE id = (SELECT max(id) FROM events)");
	sqlite3_close(db);
	struct history *h = open_ok(path);
	struct sock_events ev;
	sock_events_init(&ev);
	double first, last;
	assert_int_equal(history_span(h, &first, &last), 0);
	assert_int_equal(history_events(h, first, last, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged (an event 'g\\x1b[2Jone')"));
	assert_null(strchr(err, 27));
	sock_events_free(&ev);
	history_close(h);
	unlink(path);
}

/* ---- files that are not recordings ---- */

static void write_file(const char *path, const void *data, size_t n)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static void refused(const char *path, const char *want)
{
	char err[512] = "";
	struct history *h = history_open(path, err, sizeof(err));
	if (h)
		fail_msg("%s opened; wanted '%s'", path, want);
	if (!strstr(err, want) || strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n'))
		fail_msg("message '%s': wanted '%s' after the file's name", err, want);
}

static void a_missing_file_cannot_be_opened(void **state)
{
	(void)state;
	refused("/nonexistent/sockeye.db", "cannot open: No such file or directory");
}

static void garbage_and_empty_files_are_not_recordings(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_replay.%d.bad", (int)getpid());
	char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_file(path, junk, sizeof(junk));
	refused(path, "not a sockeye recording (not an SQLite database)");
	write_file(path, "", 0);
	refused(path, "not a sockeye recording (an empty file)");
	unlink(path);
	refused("/tmp", "not a sockeye recording (not a regular file)");
}

static sqlite3 *fresh_db(const char *path)
{
	sqlite3 *db;
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void another_programs_database_is_foreign(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_replay.%d.other", (int)getpid());
	sqlite3 *db = fresh_db(path);
	exec_ok(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
	sqlite3_close(db);
	refused(path, "not a sockeye recording (an SQLite database of another program)");
	unlink(path);
}

static void a_newer_format_is_refused(void **state)
{
	(void)state;
	char path[64], sql[128];
	snprintf(path, sizeof(path), "/tmp/test_replay.%d.newer", (int)getpid());
	sqlite3 *db = fresh_db(path);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	         SCHEMA_APPLICATION_ID, SCHEMA_VERSION + 1);
	exec_ok(db, sql);
	exec_ok(db, SCHEMA_SQL);
	exec_ok(db, "INSERT INTO polls(time, sockets) VALUES(1796549400, 0)");
	sqlite3_close(db);
	refused(path, "written by a newer sockeye (recording format 2; this one reads up to 1)");
	unlink(path);
}

static void a_recording_with_no_poll_is_refused(void **state)
{
	(void)state;
	char path[64], sql[128];
	snprintf(path, sizeof(path), "/tmp/test_replay.%d.nopoll", (int)getpid());
	sqlite3 *db = fresh_db(path);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
	         SCHEMA_APPLICATION_ID, SCHEMA_VERSION);
	exec_ok(db, sql);
	exec_ok(db, SCHEMA_SQL);
	sqlite3_close(db);
	refused(path, "holds no complete poll");
	unlink(path);
}

/* A copy of the recording (checkpointed into one file) cut to half. */
static void a_recording_cut_in_half_is_damaged(void **state)
{
	struct recorded *r = *state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_replay.%d.half", (int)getpid());
	sqlite3 *db;
	assert_int_equal(sqlite3_open(r->path, &db), SQLITE_OK);
	/* Big enough that half of it loses tables' pages, not only free space. */
	char sql[256];
	snprintf(sql, sizeof(sql), "PRAGMA wal_checkpoint(TRUNCATE); VACUUM INTO '%s'", path);
	unlink(path);
	exec_ok(db, sql);
	sqlite3_close(db);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
	refused(path, "damaged");
	/* Cut to less than its header: not a database at all. */
	assert_int_equal(truncate(path, 10), 0);
	refused(path, "not an SQLite database");
	unlink(path);
}

/* The replay screen draws Trends on the recording's own time axis. */
static void the_recording_names_its_host_and_interval(void **state)
{
	struct recorded *r = *state;
	if (!r->by_recorder)
		skip();
	struct history *h = open_ok(r->path);
	char host[64];
	double every = 0;
	assert_int_equal(history_host(h, host, sizeof(host)), 0);
	assert_string_equal(host, "replayhost");
	assert_int_equal(history_interval(h, &every), 0);
	assert_true(every == 2.5);
	history_close(h);
}

/* A file whose name reads like an SQLite URI is still only a file. */
static void a_file_named_like_a_uri_is_a_file(void **state)
{
	struct recorded *r = *state;
	char dir[64], path[128], cmd[256];
	snprintf(dir, sizeof(dir), "/tmp/test_replay.%d.d", (int)getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/file:x?mode=rwc&vfs=memdb#%%41", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", r->path, path);
	assert_int_equal(system(cmd), 0);
	struct history *h = open_ok(path);
	double first, last;
	assert_int_equal(history_span(h, &first, &last), 0);
	assert_true(first == T0);
	history_close(h);
	/* Relative, from its folder. */
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	h = open_ok("file:x?mode=rwc&vfs=memdb#%41");
	history_close(h);
	assert_int_equal(chdir(cwd), 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest round_trip[] = {
		cmocka_unit_test(the_span_and_steps_are_the_polls),
		cmocka_unit_test(every_moment_reads_back_as_the_live_table_held_it),
		cmocka_unit_test(owners_and_former_owners_are_as_they_were),
		cmocka_unit_test(a_moment_before_the_first_poll_holds_nothing),
		cmocka_unit_test(the_events_of_the_recording_are_the_live_diffs),
		cmocka_unit_test(a_window_holds_only_its_events),
		cmocka_unit_test(a_long_window_is_read_in_pieces_that_cut_no_moment),
		cmocka_unit_test(a_recording_cut_in_half_is_damaged),
		cmocka_unit_test(a_file_named_like_a_uri_is_a_file),
		cmocka_unit_test(the_recording_names_its_host_and_interval),
		cmocka_unit_test(a_damaged_event_is_named_escaped),
	};
	const struct CMUnitTest refusals[] = {
		cmocka_unit_test(a_missing_file_cannot_be_opened),
		cmocka_unit_test(garbage_and_empty_files_are_not_recordings),
		cmocka_unit_test(another_programs_database_is_foreign),
		cmocka_unit_test(a_newer_format_is_refused),
		cmocka_unit_test(a_recording_with_no_poll_is_refused),
	};
	/* The same moments and events, from a recording laid out by hand
	 * after schema.h, and from sockeye's own recorder. */
	int failed = cmocka_run_group_tests_name("written by hand", round_trip, sql_setup,
	                                         group_teardown);
	failed += cmocka_run_group_tests_name("written by the recorder", round_trip, recorder_setup,
	                                      group_teardown);
	return failed + cmocka_run_group_tests_name("not recordings", refusals, NULL, NULL);
}
