/* recdb.c — the recording's database on the writer's side (recdb.h):
 * statements prepared once, one transaction a batch, retention cutting at
 * snapshots. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recdb.h"
#include "schema.h"
#include "sock.h"

enum {
	ST_PROC, ST_LIFE, ST_EVENT, ST_SAMPLE, ST_OWNER, ST_END, ST_SNAP, ST_RESYNC,
	ST_POLL, ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_N
};

static const char *const rec_db_sql[ST_N] = {
	[ST_PROC] = "INSERT OR IGNORE INTO procs(id,pid,starttime,pgid,uid,user,comm,service,cmdline)"
	            " VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_LIFE] = "INSERT OR IGNORE INTO lives(id,proto,family,laddr,lport,raddr,rport,ifindex,"
	            "netns,netns_name,cookie,born,ended,brief) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_EVENT] = "INSERT INTO events(time,life,event,state,from_state,timewait,final,brief,"
	             "uid_unknown) VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_SAMPLE] = "INSERT OR REPLACE INTO samples(life,time,inode,uid,recvq,sendq,rtt_us,"
	              "rttvar_us,retransmits,total_retrans,cwnd,bytes_acked,bytes_received,"
	              "bytes_sent,txrate,rxrate) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_OWNER] = "INSERT INTO owners(life,since,proc,former) VALUES(?,?,?,?)",
	[ST_END] = "UPDATE lives SET ended=?2 WHERE id=?1 AND ended IS NULL",
	[ST_SNAP] = "INSERT OR IGNORE INTO snapshots(time,life) VALUES(?,?)",
	[ST_RESYNC] = "UPDATE lives SET ended=?1 WHERE ended IS NULL AND born<=?1 AND id NOT IN"
	              " (SELECT life FROM snapshots WHERE time=?1)",
	[ST_POLL] = "INSERT OR REPLACE INTO polls(time,sockets,dropped) VALUES(?,?,?)",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct rec_db {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	char *name;                 /* the path, or the memory database's URI */
	int file;                   /* 0: the screen's memory database */
	const char *shown;          /* the name messages give */
	double keep;
	uint64_t max_bytes;
	int64_t page_size;
	uint64_t limit;             /* bytes the database's pages may take */
	int64_t last_life, last_proc;
	uint64_t proc_epoch;        /* moves on when a trim may have taken procs rows */
	/* History before clean_to has no moment left; its rows from
	 * clean_from on are still to be deleted. */
	double clean_from, clean_to;
	/* Held open with an flock while recording, so a second recorder on
	 * the file is refused rather than numbering lives over ours. Closed
	 * only after SQLite's connection: closing any descriptor of the file
	 * drops the process's POSIX locks, which SQLite's are. */
	int lock_fd;
};

/* Memory databases of one process need names of their own. */
static unsigned rec_db_serial;

static void db_err(char *err, size_t errlen, const char *what, sqlite3 *db, const char *name)
{
	snprintf(err, errlen, "%s: %s: %s", name, what, db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec(struct rec_db *d, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", d->shown, msg ? msg : sqlite3_errmsg(d->db));
	sqlite3_free(msg);
	return -1;
}

/* The first column of sql's first row as an integer; -1 with rc on error. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out, int *rc)
{
	sqlite3_stmt *s;
	*rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (*rc != SQLITE_OK)
		return -1;
	*rc = sqlite3_step(s);
	if (*rc == SQLITE_ROW) {
		*out = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (*rc == SQLITE_DONE)
		*rc = SQLITE_OK, *out = 0;
	return *rc == SQLITE_OK ? 0 : -1;
}

/* An existing file must be ours: "not an SQLite database", "not a sockeye
 * recording", "recorded by a newer sockeye", "damaged". *blank is set for
 * an SQLite file with nothing in it, which becomes a recording. */
static int check_existing(struct rec_db *d, int *blank, char *err, size_t errlen)
{
	int64_t app = 0, ver = 0, tables = 0;
	int rc;
	*blank = 0;
	if (query_int(d->db, "PRAGMA application_id", &app, &rc) < 0 ||
	    query_int(d->db, "SELECT count(*) FROM sqlite_schema", &tables, &rc) < 0) {
		if (rc == SQLITE_NOTADB)
			snprintf(err, errlen, "%s: not an SQLite database", d->shown);
		else
			snprintf(err, errlen, "%s: damaged: %s", d->shown, sqlite3_errmsg(d->db));
		return -1;
	}
	if (app == 0 && tables == 0) {
		*blank = 1;
		return 0;
	}
	if (app != SCHEMA_APPLICATION_ID) {
		snprintf(err, errlen, "%s: not a sockeye recording", d->shown);
		return -1;
	}
	if (query_int(d->db, "PRAGMA user_version", &ver, &rc) < 0) {
		snprintf(err, errlen, "%s: damaged: %s", d->shown, sqlite3_errmsg(d->db));
		return -1;
	}
	if (ver > SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: recorded by a newer sockeye (format %lld; this one reads %d)",
		         d->shown, (long long)ver, SCHEMA_VERSION);
		return -1;
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(d->db, "PRAGMA quick_check(1)", -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: damaged: %s", d->shown, sqlite3_errmsg(d->db));
		return -1;
	}
	rc = sqlite3_step(s);
	const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	if (!res || strcmp(res, "ok") != 0) {
		snprintf(err, errlen, "%s: damaged: %s", d->shown,
		         res ? res : sqlite3_errmsg(d->db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* The limits: the WAL may grow to journal_size_limit between checkpoints,
 * so the database's own pages get what is left of max_bytes. */
static int set_limits(struct rec_db *d, int file, char *err, size_t errlen)
{
	int64_t wal = file ? (int64_t)(d->max_bytes / 16) : 0;
	char sql[200];
	int rc;
	if (wal > 16 << 20)
		wal = 16 << 20;
	if (query_int(d->db, "PRAGMA page_size", &d->page_size, &rc) < 0 || d->page_size <= 0) {
		db_err(err, errlen, "cannot read the page size", d->db, d->shown);
		return -1;
	}
	/* In memory the limit counts SQLite's cache and statements too: the
	 * pages get what they leave (a sixteenth). */
	int64_t room = file ? (int64_t)d->max_bytes - wal : (int64_t)(d->max_bytes - d->max_bytes / 16);
	int64_t pages = room / d->page_size;
	d->limit = (uint64_t)pages * (uint64_t)d->page_size;
	/* A memory database grows its buffer twice what it needs: capped
	 * at the limit, the pages never take more than that. */
	sqlite3_int64 cap = (sqlite3_int64)d->limit;
	if (!file && sqlite3_file_control(d->db, "main", SQLITE_FCNTL_SIZE_LIMIT, &cap) != SQLITE_OK) {
		db_err(err, errlen, "cannot limit the size", d->db, d->shown);
		return -1;
	}
	/* A checkpoint copies each page the log holds once, however often the
	 * polls since rewrote it: fewer, bigger ones copy less. */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%lld; PRAGMA journal_size_limit=%lld;"
	         " PRAGMA wal_autocheckpoint=%lld", (long long)pages, (long long)wal,
	         (long long)(wal > d->page_size * 16 ? wal / d->page_size : 16));
	return exec(d, sql, err, errlen);
}

static int write_meta(struct rec_db *d, const struct record_config *c, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char interval[32], version[16];
	snprintf(interval, sizeof(interval), "%g", c->interval);
	snprintf(version, sizeof(version), "%d", SCHEMA_VERSION);
	const char *kv[][2] = {
		{ "format", "sockeye recording" }, { "version", version },
		{ "host", c->host ? c->host : "" }, { "interval", interval },
		{ "sockeye", PACKAGE_VERSION },
	};
	if (exec(d, "INSERT OR IGNORE INTO meta VALUES('created',"
	         " (julianday('now') - 2440587.5) * 86400.0)",
	         err, errlen) < 0)
		return -1;
	if (sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO meta VALUES(?,?)", -1, &s,
	                       NULL) != SQLITE_OK) {
		db_err(err, errlen, "cannot write", d->db, d->shown);
		return -1;
	}
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		sqlite3_bind_text(s, 1, kv[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, kv[i][1], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			db_err(err, errlen, "cannot write", d->db, d->shown);
			sqlite3_finalize(s);
			return -1;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
}

/* A run that stopped mid-cleaning left rows before the first moment:
 * they are cleaned from the oldest event on. */
static int clean_left(struct rec_db *d)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(d->db, "SELECT (SELECT min(time) FROM events),"
	                            " (SELECT min(time) FROM polls)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    sqlite3_column_type(st, 1) != SQLITE_NULL) {
		d->clean_from = sqlite3_column_double(st, 0);
		d->clean_to = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Schema, identity and meta in one transaction; a run that was killed
 * left its lives open: they end at its last complete poll. */
static int set_up(struct rec_db *d, const struct record_config *c, int file,
                  char *err, size_t errlen)
{
	char sql[128];
	int rc;
	if (exec(d, file ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=MEMORY",
	         err, errlen) < 0 ||
	    exec(d, "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY", err, errlen) < 0 ||
	    /* the indexes' pages a poll touches stay in memory: no reads; a
	     * memory database's pages are in memory already, and a cache
	     * would hold them twice */
	    exec(d, file ? "PRAGMA cache_size=-16384" : "PRAGMA cache_size=-1024", err, errlen) < 0 ||
	    set_limits(d, file, err, errlen) < 0 ||
	    exec(d, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d",
	         SCHEMA_APPLICATION_ID, SCHEMA_VERSION);
	if (exec(d, SCHEMA_SQL, err, errlen) < 0 || exec(d, sql, err, errlen) < 0 ||
	    write_meta(d, c, err, errlen) < 0 ||
	    exec(d, "UPDATE lives SET ended=max(born, coalesce((SELECT max(time) FROM polls),"
	            " born)) WHERE ended IS NULL", err, errlen) < 0 ||
	    query_int(d->db, "SELECT max(id) FROM lives", &d->last_life, &rc) < 0 ||
	    query_int(d->db, "SELECT max(id) FROM procs", &d->last_proc, &rc) < 0 ||
	    clean_left(d) < 0 ||
	    exec(d, "COMMIT", err, errlen) < 0) {
		if (!err[0])
			db_err(err, errlen, "cannot read", d->db, d->shown);
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	/* The screen's own reader needs none of these: memory goes to history.
	 * Retention, which uses the last two, scans instead (rec_rows_sql). */
	if (!file && exec(d, "DROP INDEX IF EXISTS samples_time; DROP INDEX IF EXISTS owners_since;"
	                  " DROP INDEX IF EXISTS lives_ports; DROP INDEX IF EXISTS owners_proc;"
	                  " DROP INDEX IF EXISTS lives_ended", err, errlen) < 0)
		return -1;
	if (file) {
		/* The WAL is what makes a poll's transaction survive a kill. */
		int64_t wal = 0;
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(d->db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			wal = strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
		sqlite3_finalize(s);
		if (!wal) {
			snprintf(err, errlen, "%s: cannot keep a write-ahead log there", d->shown);
			return -1;
		}
	}
	for (int i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(d->db, rec_db_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &d->st[i], NULL) != SQLITE_OK) {
			db_err(err, errlen, "cannot prepare", d->db, d->shown);
			return -1;
		}
	return 0;
}

/* Creates path mode 0600 when it does not exist (SQLite gives its WAL and
 * shared-memory files the database's mode). *created says whether it did;
 * a file that exists but is empty counts as new too. */
static int create_file(const char *path, int *created, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	*created = fd >= 0;
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	struct stat st;
	if (errno != EEXIST || lstat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* a link planted where a service records would have it write elsewhere */
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s: a symbolic link (name the file itself)", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	return 0;
}

/* One recorder a file: the second is told who holds it. */
static int lock_file(struct rec_db *d, const char *path, char *err, size_t errlen)
{
	d->lock_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (d->lock_fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "%s: another sockeye is recording into it", path);
		else
			snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct rec_db *rec_db_open(const struct record_config *c, char *err, size_t errlen)
{
	struct rec_db *d = calloc(1, sizeof(*d));
	int created = 0, blank = 0;
	err[0] = '\0';
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->lock_fd = -1;
	d->keep = c->keep;
	d->file = c->path != NULL;
	d->max_bytes = c->max_bytes;
	d->proc_epoch = 1;
	if (c->path) {
		d->name = strdup(c->path);
	} else {
		char uri[96];
		unsigned n = __atomic_add_fetch(&rec_db_serial, 1, __ATOMIC_RELAXED);
		snprintf(uri, sizeof(uri), "file:/sockeye-%ld-%u?vfs=memdb", (long)getpid(), n);
		d->name = strdup(uri);
	}
	d->shown = c->path ? c->path : "the in-memory recording";
	if (!d->name) {
		snprintf(err, errlen, "out of memory");
		free(d);
		return NULL;
	}
	if (c->max_bytes < (1u << 20)) {
		snprintf(err, errlen, "%s: the size limit must be at least 1M", d->shown);
		goto fail;
	}
	if (c->path && (create_file(c->path, &created, err, errlen) < 0 ||
	                lock_file(d, c->path, err, errlen) < 0))
		goto fail;
	/* one thread at a time uses the connection: no locking inside it */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW |
	            SQLITE_OPEN_NOMUTEX | (c->path ? 0 : SQLITE_OPEN_CREATE);
	if (sqlite3_open_v2(d->name, &d->db, flags, NULL) != SQLITE_OK) {
		db_err(err, errlen, "cannot open", d->db, d->shown);
		goto fail;
	}
	sqlite3_extended_result_codes(d->db, 1);
	sqlite3_busy_timeout(d->db, 5000);
	if (sqlite3_db_readonly(d->db, "main") == 1) {
		snprintf(err, errlen, "%s: cannot write there (read-only)", d->shown);
		goto fail;
	}
	if (c->path && !created && check_existing(d, &blank, err, errlen) < 0)
		goto fail;
	if (set_up(d, c, c->path != NULL, err, errlen) < 0)
		goto fail;
	return d;
fail:
	rec_db_close(d);
	/* nothing of ours is left behind where there was nothing */
	if (created) {
		char side[4096];
		unlink(c->path);
		snprintf(side, sizeof(side), "%s-wal", c->path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", c->path);
		unlink(side);
	}
	return NULL;
}

void rec_db_close(struct rec_db *d)
{
	if (!d)
		return;
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(d->st[i]);
	/* An empty WAL left behind where the writer may not remove it. */
	if (d->db && d->max_bytes)
		sqlite3_wal_checkpoint_v2(d->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_close(d->db);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	free(d->name);
	free(d);
}

const char *rec_db_name(const struct rec_db *d)
{
	return d->name;
}

int64_t rec_db_last_life(const struct rec_db *d)
{
	return d->last_life;
}

int64_t rec_db_last_proc(const struct rec_db *d)
{
	return d->last_proc;
}

/* Runs s to its end and resets it; SQLite's result code. */
static int run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int put_proc(struct rec_db *d, struct rec_proc *p)
{
	sqlite3_stmt *s = d->st[ST_PROC];
	if (p->written == d->proc_epoch)
		return SQLITE_OK;
	sqlite3_bind_int64(s, 1, p->id);
	sqlite3_bind_int(s, 2, p->pid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)p->starttime);
	sqlite3_bind_int(s, 4, p->pgid);
	sqlite3_bind_int64(s, 5, p->uid);
	sqlite3_bind_text(s, 6, p->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, p->comm, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, p->service, -1, SQLITE_STATIC);
	bind_text_or_null(s, 9, p->cmdline);
	int rc = run(s);
	if (rc == SQLITE_OK)
		p->written = d->proc_epoch;
	return rc;
}

static int put_life(struct rec_db *d, const struct rec_life_row *l)
{
	sqlite3_stmt *s = d->st[ST_LIFE];
	char la[64], ra[64];
	sock_addr_str(l->rec.family, l->rec.laddr, la, sizeof(la));
	sock_addr_str(l->rec.family, l->rec.raddr, ra, sizeof(ra));
	sqlite3_bind_int64(s, 1, l->id);
	sqlite3_bind_text(s, 2, sock_proto_name(l->rec.proto), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, l->rec.family == AF_INET6 ? 6 : 4);
	sqlite3_bind_text(s, 4, la, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, l->rec.lport);
	sqlite3_bind_text(s, 6, ra, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 7, l->rec.rport);
	sqlite3_bind_int64(s, 8, l->rec.ifindex);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)l->rec.netns);
	bind_text_or_null(s, 10, l->netns_name);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)l->rec.cookie);
	sqlite3_bind_double(s, 12, l->born);
	if (l->ended >= 0)
		sqlite3_bind_double(s, 13, l->ended);
	else
		sqlite3_bind_null(s, 13);
	sqlite3_bind_int(s, 14, l->brief);
	return run(s);
}

static const char *const rec_event_names[] = {
	[REC_EV_NEW] = "new", [REC_EV_STATE] = "state", [REC_EV_GONE] = "gone",
	[REC_EV_SEEN] = "seen",
};

static int put_event(struct rec_db *d, const struct rec_event_row *e)
{
	sqlite3_stmt *s = d->st[ST_EVENT];
	sqlite3_bind_double(s, 1, e->time);
	sqlite3_bind_int64(s, 2, e->life);
	sqlite3_bind_text(s, 3, rec_event_names[e->kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sock_state_name(e->proto, e->state), -1, SQLITE_STATIC);
	if (e->kind == REC_EV_STATE)
		sqlite3_bind_text(s, 5, sock_state_name(e->proto, e->from_state), -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int(s, 6, e->timewait);
	sqlite3_bind_int(s, 7, e->final);
	sqlite3_bind_int(s, 8, e->brief);
	sqlite3_bind_int(s, 9, e->uid_unknown);
	return run(s);
}

static int put_sample(struct rec_db *d, const struct rec_sample_row *x)
{
	sqlite3_stmt *s = d->st[ST_SAMPLE];
	sqlite3_bind_int64(s, 1, x->life);
	sqlite3_bind_double(s, 2, x->time);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)x->inode);
	sqlite3_bind_int64(s, 4, x->uid);
	sqlite3_bind_int64(s, 5, x->recvq);
	sqlite3_bind_int64(s, 6, x->sendq);
	if (x->has_tcpinfo) {
		sqlite3_bind_int64(s, 7, x->tcp.rtt_us);
		sqlite3_bind_int64(s, 8, x->tcp.rttvar_us);
		sqlite3_bind_int64(s, 9, x->tcp.retransmits);
		sqlite3_bind_int64(s, 10, x->tcp.total_retrans);
		sqlite3_bind_int64(s, 11, x->tcp.snd_cwnd);
		sqlite3_bind_int64(s, 12, (sqlite3_int64)x->tcp.bytes_acked);
		sqlite3_bind_int64(s, 13, (sqlite3_int64)x->tcp.bytes_received);
		sqlite3_bind_int64(s, 14, (sqlite3_int64)x->tcp.bytes_sent);
	}
	if (x->has_rate) {
		sqlite3_bind_double(s, 15, x->tx_rate);
		sqlite3_bind_double(s, 16, x->rx_rate);
	}
	return run(s);
}

static int put_owner(struct rec_db *d, const struct rec_owner_row *o)
{
	sqlite3_stmt *s = d->st[ST_OWNER];
	int rc;
	if (o->proc && (rc = put_proc(d, o->proc)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, o->life);
	sqlite3_bind_double(s, 2, o->since);
	if (o->proc)
		sqlite3_bind_int64(s, 3, o->proc->id);
	sqlite3_bind_int(s, 4, o->former);
	return run(s);
}

static int put_rows(struct rec_db *d, const struct rec_batch *b)
{
	int rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < b->nlives; i++)
		rc = put_life(d, &b->lives[i]);
	for (size_t i = 0; rc == SQLITE_OK && i < b->nevents; i++)
		rc = put_event(d, &b->events[i]);
	for (size_t i = 0; rc == SQLITE_OK && i < b->nsamples; i++)
		rc = put_sample(d, &b->samples[i]);
	for (size_t i = 0; rc == SQLITE_OK && i < b->nowners; i++)
		rc = put_owner(d, &b->owners[i]);
	for (size_t i = 0; rc == SQLITE_OK && i < b->nends; i++) {
		sqlite3_bind_int64(d->st[ST_END], 1, b->ends[i].life);
		sqlite3_bind_double(d->st[ST_END], 2, b->ends[i].time);
		rc = run(d->st[ST_END]);
	}
	for (size_t i = 0; rc == SQLITE_OK && b->has_snap && i < b->nsnap; i++) {
		sqlite3_bind_double(d->st[ST_SNAP], 1, b->snap_time);
		sqlite3_bind_int64(d->st[ST_SNAP], 2, b->snap[i]);
		rc = run(d->st[ST_SNAP]);
	}
	if (rc == SQLITE_OK && b->resync && b->has_snap) {
		sqlite3_bind_double(d->st[ST_RESYNC], 1, b->snap_time);
		rc = run(d->st[ST_RESYNC]);
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_double(d->st[ST_POLL], 1, b->time);
		sqlite3_bind_int64(d->st[ST_POLL], 2, (sqlite3_int64)b->sockets);
		sqlite3_bind_int64(d->st[ST_POLL], 3, (sqlite3_int64)b->dropped);
		rc = run(d->st[ST_POLL]);
	}
	return rc;
}

int rec_db_write(struct rec_db *d, const struct rec_batch *b, int *full,
                 char *err, size_t errlen)
{
	int rc = run(d->st[ST_BEGIN]);
	*full = 0;
	if (rc == SQLITE_OK && (rc = put_rows(d, b)) == SQLITE_OK && (rc = run(d->st[ST_COMMIT])) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: cannot write: %s", d->shown, sqlite3_errstr(rc));
	*full = (rc & 0xff) == SQLITE_FULL;
	if (!sqlite3_get_autocommit(d->db))
		run(d->st[ST_ROLLBACK]);
	/* rows of a rolled back transaction: their procs rows may be gone */
	d->proc_epoch++;
	return -1;
}

uint64_t rec_db_limit(const struct rec_db *d)
{
	return d->limit;
}

/* A file keeps a fifth free for a burst before the next trim; memory has
 * no log to share the limit with, and a write that finds it full cuts at
 * once (rec_db_trim's full), so a tenth will do there. */
uint64_t rec_db_mark(const struct rec_db *d)
{
	return d->file ? d->limit / 10 * 8 : d->limit / 10 * 9;
}

uint64_t rec_db_used(struct rec_db *d)
{
	int64_t pages = 0, freel = 0;
	int rc;
	if (query_int(d->db, "PRAGMA page_count", &pages, &rc) < 0 ||
	    query_int(d->db, "PRAGMA freelist_count", &freel, &rc) < 0)
		return 0;
	return (uint64_t)(pages - freel) * (uint64_t)d->page_size;
}

/* The rows history before t no longer needs: lives ended before it, with
 * their rows, and every other life's rows older than its newest at or
 * before t. Once no moment before a snapshot s is kept, running these
 * with any t <= s leaves s rebuildable: each life keeps its newest events,
 * samples and owners rows at or before t, and everything after. */
static const char *const rec_rows_sql[] = {
	"DELETE FROM events WHERE life IN (SELECT id FROM lives WHERE ended < ?1)",
	"DELETE FROM samples WHERE life IN (SELECT id FROM lives WHERE ended < ?1)",
	"DELETE FROM owners WHERE life IN (SELECT id FROM lives WHERE ended < ?1)",
	"DELETE FROM lives WHERE ended < ?1",
	"DELETE FROM events AS e WHERE e.time < ?1 AND EXISTS (SELECT 1 FROM events AS n"
	" WHERE n.life = e.life AND n.time <= ?1 AND (n.time > e.time OR"
	" (n.time = e.time AND n.id > e.id)))",
	"DELETE FROM samples AS x WHERE x.time < ?1 AND EXISTS (SELECT 1 FROM samples AS n"
	" WHERE n.life = x.life AND n.time > x.time AND n.time <= ?1)",
	"DELETE FROM owners AS o WHERE o.since < ?1 AND EXISTS (SELECT 1 FROM owners AS n"
	" WHERE n.life = o.life AND n.since > o.since AND n.since <= ?1)",
	"DELETE FROM procs WHERE NOT EXISTS (SELECT 1 FROM owners WHERE proc = procs.id)",
};
/* In memory, without owners_proc: the owners are read once, not per process. */
static const char rec_procs_mem_sql[] =
	"DELETE FROM procs WHERE id NOT IN (SELECT proc FROM owners WHERE proc IS NOT NULL)";

/* The moments before a snapshot s: gone at once, so no reader meets one
 * whose rows are half deleted. */
static const char *const rec_moments_sql[] = {
	"DELETE FROM snapshots WHERE time < ?1",
	"DELETE FROM polls WHERE time < ?1",
};

static int run_all(struct rec_db *d, const char *const *sql, size_t n, double t)
{
	int rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		sqlite3_stmt *st;
		const char *q = sql[i];
		if (!d->file && sql == rec_rows_sql && i == n - 1)
			q = rec_procs_mem_sql;
		rc = sqlite3_prepare_v2(d->db, q, -1, &st, NULL);
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_double(st, 1, t);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(st);
	}
	return rc;
}

#define N_ROWS_SQL (sizeof(rec_rows_sql) / sizeof(rec_rows_sql[0]))
#define N_MOMENTS_SQL (sizeof(rec_moments_sql) / sizeof(rec_moments_sql[0]))

/* Everything before the snapshot at s, at once. */
static int cut_at(struct rec_db *d, double s)
{
	int rc = run_all(d, rec_rows_sql, N_ROWS_SQL, s);
	if (rc == SQLITE_OK)
		rc = run_all(d, rec_moments_sql, N_MOMENTS_SQL, s);
	d->proc_epoch++;
	if (d->clean_to < s)
		d->clean_to = s;
	d->clean_from = d->clean_to;
	return rc;
}

/* How far one step of cleaning goes: past about this many events, so a
 * step takes a fraction of a poll's interval however dense the history. */
#define REC_CLEAN_EVENTS 20000

int rec_db_cleaning(const struct rec_db *d)
{
	return d->clean_from < d->clean_to;
}

int rec_db_clean_step(struct rec_db *d, char *err, size_t errlen)
{
	double t = d->clean_to;
	int rc;
	sqlite3_stmt *st;
	if (!rec_db_cleaning(d))
		return 0;
	if (sqlite3_prepare_v2(d->db, "SELECT time FROM events WHERE time > ?1 ORDER BY time"
	                       " LIMIT 1 OFFSET ?2", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_double(st, 1, d->clean_from);
		sqlite3_bind_int(st, 2, REC_CLEAN_EVENTS);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_double(st, 0) < t)
			t = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
	}
	if ((rc = run(d->st[ST_BEGIN])) == SQLITE_OK &&
	    (rc = run_all(d, rec_rows_sql, N_ROWS_SQL, t)) == SQLITE_OK &&
	    (rc = run(d->st[ST_COMMIT])) == SQLITE_OK) {
		d->proc_epoch++;
		d->clean_from = t;
		return 0;
	}
	snprintf(err, errlen, "%s: cannot trim the oldest history: %s", d->shown,
	         sqlite3_errstr(rc));
	if (!sqlite3_get_autocommit(d->db))
		run(d->st[ST_ROLLBACK]);
	d->proc_epoch++;
	return -1;
}

/* The snapshot to cut at: the newest at or before t (age), or the oldest
 * after the first poll kept (size). 0 when there is none. */
static int pick_cut(struct rec_db *d, const char *sql, double t, double *out)
{
	sqlite3_stmt *st;
	int found = 0;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(st, 1, t);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_double(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

int rec_db_trim(struct rec_db *d, double now, int full, int *want_snap,
                char *err, size_t errlen)
{
	int rc = SQLITE_OK;
	double s;
	*want_snap = 0;
	/* cut well under the limit, so a burst has room before the next trim */
	uint64_t high = rec_db_mark(d);
	if ((rc = run(d->st[ST_BEGIN])) != SQLITE_OK)
		goto fail;
	/* A poll's rows may need more than the room left under the limit:
	 * then the oldest goes even below the mark. */
	if (full) {
		uint64_t used = rec_db_used(d);
		if (used < high + (uint64_t)d->page_size)
			high = used > (uint64_t)d->page_size ? used - (uint64_t)d->page_size : 0;
	}
	/* By age, the moments go now and their rows a step at a time
	 * (rec_db_clean_step), so a cut never holds the writer up long. */
	if (pick_cut(d, "SELECT max(time) FROM snapshots WHERE time <= ?1 AND time >"
	             " (SELECT min(time) FROM polls)", now - d->keep, &s) == 1) {
		if ((rc = run_all(d, rec_moments_sql, N_MOMENTS_SQL, s)) != SQLITE_OK)
			goto fail;
		d->clean_to = s;
	}
	/* Short of room the rows go now, and before more is cut. */
	if (rec_db_used(d) > high && rec_db_cleaning(d) && (rc = cut_at(d, d->clean_to)) != SQLITE_OK)
		goto fail;
	while (rec_db_used(d) > high) {
		int found = pick_cut(d, "SELECT min(time) FROM snapshots WHERE time >"
		                     " (SELECT min(time) FROM polls) AND time <= ?1", now, &s);
		if (found != 1)
			break;
		if ((rc = cut_at(d, s)) != SQLITE_OK)
			goto fail;
	}
	/* The size is cut a snapshot at a time: when the history between two
	 * takes more than an eighth of the limit, ask for them more often. */
	int64_t snaps = 0;
	if (query_int(d->db, "SELECT count(DISTINCT time) FROM snapshots", &snaps, &rc) < 0)
		goto fail;
	if (rec_db_used(d) / (uint64_t)(snaps > 0 ? snaps : 1) > high / 8)
		*want_snap = 1;
	if ((rc = run(d->st[ST_COMMIT])) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot trim the oldest history: %s", d->shown,
	         rc == SQLITE_OK ? sqlite3_errmsg(d->db) : sqlite3_errstr(rc));
	if (!sqlite3_get_autocommit(d->db))
		run(d->st[ST_ROLLBACK]);
	return -1;
}
