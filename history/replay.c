/* replay.c — see replay.h. A moment is read in one query over the lives
 * alive then (the newest snapshot's, plus those born since), each joined
 * to its newest events and samples rows through their (life, time)
 * indexes, then one indexed look-up of its owners: a few index probes a
 * socket, never a scan of the history. Every call reads in one transaction,
 * so a recorder writing meanwhile (WAL) is seen a whole poll at a time. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "hash.h"
#include "replay.h"
#include "schema.h"
#include "textsafe.h"

enum stmt_id {
	ST_SPAN, ST_AT_OR_BEFORE, ST_AFTER, ST_BEFORE, ST_SNAPSHOT, ST_ALIVE, ST_OWNERS,
	ST_INODE_WAS, ST_STATE_SINCE, ST_EVENTS, ST_EVENTS_END, ST_CMDLINE, ST_HOST, ST_INTERVAL, ST_MAX
};

/* Owners and samples of a life are those of its newest rows at or before
 * a time: the (life, time) indexes find each in one probe. */
#define LIFE_COLUMNS \
	"l.id, l.proto, l.family, l.laddr, l.lport, l.raddr, l.rport, l.ifindex, " \
	"l.netns, l.netns_name, l.cookie, l.born, l.brief"
#define SAMPLE_COLUMNS \
	"s.inode, s.uid, s.recvq, s.sendq, s.rtt_us, s.rttvar_us, s.retransmits, " \
	"s.total_retrans, s.cwnd, s.bytes_acked, s.bytes_received, s.bytes_sent, " \
	"s.txrate, s.rxrate"
#define SAMPLE_JOIN(t) \
	" LEFT JOIN samples s ON s.life = l.id AND s.time = " \
	"(SELECT max(time) FROM samples WHERE life = l.id AND time <= " t ")"
/* The poll that found an event (e: the events row): its own time, but a
 * close notice's (final) is when the notice was heard, which may be a
 * poll's time while a later poll applied it. The table took the event's
 * owners, and its state's start, at that poll; a final event's life has
 * no process left to change its owners after. */
#define POLL_OF(e) \
	"coalesce((SELECT min(time) FROM polls WHERE time > " e ".time AND " e ".final)," \
	" (SELECT min(time) FROM polls WHERE time >= " e ".time), " e ".time)"
/* Column positions in both queries that read lives and samples. */
enum { C_LIFE, C_PROTO, C_FAMILY, C_LADDR, C_LPORT, C_RADDR, C_RPORT, C_IFINDEX, C_NETNS,
       C_NETNS_NAME, C_COOKIE, C_BORN, C_BRIEF, C_ETIME, C_STATE, C_TIMEWAIT, C_FINAL,
       C_INODE, C_UID, C_RECVQ, C_SENDQ, C_RTT, C_RTTVAR, C_RETRANS, C_TOTAL_RETRANS,
       C_CWND, C_ACKED, C_RECEIVED, C_SENT, C_TXRATE, C_RXRATE,
       C_EVENT,
       /* events only */
       C_FROM, C_EBRIEF, C_UID_UNKNOWN, C_POLL };

static const char *const stmt_sql[ST_MAX] = {
	[ST_SPAN] = "SELECT min(time), max(time) FROM polls",
	[ST_AT_OR_BEFORE] = "SELECT max(time) FROM polls WHERE time <= ?1",
	[ST_AFTER] = "SELECT min(time) FROM polls WHERE time > ?1",
	[ST_BEFORE] = "SELECT max(time) FROM polls WHERE time < ?1",
	[ST_SNAPSHOT] = "SELECT max(time) FROM snapshots WHERE time <= ?1",
	/* ?1 the snapshot, ?2 the moment. */
	[ST_ALIVE] =
		"WITH alive(life) AS (SELECT life FROM snapshots WHERE time = ?1 "
		"UNION ALL SELECT id FROM lives WHERE born > ?1 AND born <= ?2) "
		"SELECT " LIFE_COLUMNS ", " POLL_OF("e") ", e.state, e.timewait, e.final, "
		SAMPLE_COLUMNS ", e.event FROM alive a JOIN lives l ON l.id = a.life"
		" JOIN events e ON e.id = (SELECT id FROM events WHERE life = l.id AND time <= ?2"
		" ORDER BY time DESC, id DESC LIMIT 1)"
		SAMPLE_JOIN("?2")
		" WHERE l.born <= ?2 AND (l.ended IS NULL OR l.ended > ?2) ORDER BY l.id",
	[ST_OWNERS] =
		"SELECT o.former, p.pid, p.starttime, p.pgid, p.uid, p.user, p.comm, p.service,"
		" p.cmdline FROM owners o LEFT JOIN procs p ON p.id = o.proc"
		" WHERE o.life = ?1 AND o.since = (SELECT max(since) FROM owners"
		" WHERE life = ?1 AND since <= ?2) ORDER BY o.former, p.pid",
	[ST_INODE_WAS] =
		"SELECT inode FROM samples WHERE life = ?1 AND time <= ?2 AND inode != 0"
		" ORDER BY time DESC LIMIT 1",
	[ST_STATE_SINCE] =
		"SELECT " POLL_OF("x") " FROM events x WHERE life = ?1 AND time <= ?2"
		" AND event IN ('new', 'state') ORDER BY time DESC LIMIT 1",
	/* ?1 since, ?2 until; 'seen' rows are no event, only where a life
	 * was met without one (the first poll, or after rows were lost). */
	[ST_EVENTS] =
		"SELECT " LIFE_COLUMNS ", e.time, e.state, e.timewait, e.final, " SAMPLE_COLUMNS
		", e.event, e.from_state, e.brief, e.uid_unknown, " POLL_OF("e")
		" FROM events e JOIN lives l ON l.id = e.life"
		SAMPLE_JOIN("e.time")
		" WHERE e.time > ?1 AND e.time <= ?2 AND e.event != 'seen' ORDER BY e.id",
	[ST_EVENTS_END] =
		"SELECT time FROM events WHERE time > ?1 AND time <= ?2 AND event != 'seen'"
		" ORDER BY time"
		" LIMIT 1 OFFSET ?3",
	[ST_HOST] = "SELECT value FROM meta WHERE key = 'host'",
	[ST_INTERVAL] = "SELECT value FROM meta WHERE key = 'interval'",
	[ST_CMDLINE] =
		"SELECT cmdline FROM procs WHERE pid = ?1 AND starttime = ?2 ORDER BY id DESC LIMIT 1",
};

/* A command line read for an owner: kept until the next moment or window. */
struct cmd_slot {
	int used;
	int pid;
	unsigned long long starttime;
	char *cmdline;             /* NULL: unreadable when recorded */
};

struct history {
	sqlite3 *db;
	char *name;                /* as the user gave it, for messages */
	sqlite3_stmt *st[ST_MAX];
	/* Namespace names the records point at: few, kept until close. */
	char **netns;
	size_t nnetns, capnetns;
	/* The moment being restored: its entries and their owners. */
	struct sock_entry *ents;
	size_t nents, capents;
	struct sock_owner *own;
	size_t nown, capown;
	/* Owners' command lines by (pid, start time), open addressing. */
	struct cmd_slot *cmd;
	size_t ncmd, capcmd;
	struct column_cmdlines cmdsrc;
};

/* SQLite's message, which can quote names from a damaged file: escaped. */
static const char *db_message(struct history *h, char *buf, size_t len)
{
	const char *m = sqlite3_errmsg(h->db);
	textsafe_display(m, strlen(m), buf, len);
	return buf;
}

static const char *fail_of(struct history *h, int rc, char *err, size_t errlen)
{
	char why[256];
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || rc == SQLITE_FORMAT)
		snprintf(err, errlen, "%s: the recording is damaged (%s)", h->name,
		         db_message(h, why, sizeof(why)));
	else if (rc == SQLITE_NOMEM)
		snprintf(err, errlen, "out of memory");
	else
		snprintf(err, errlen, "%s: cannot read the recording: %s", h->name,
		         db_message(h, why, sizeof(why)));
	return err;
}

/* ---- reading in one transaction ---- */

static int read_begin(struct history *h, char *err, size_t errlen)
{
	int rc = sqlite3_exec(h->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		fail_of(h, rc, err, errlen);
		return -1;
	}
	return 0;
}

/* Every statement reset first: one left on a row would keep its read
 * open, and with it the recorder's checkpoints waiting. */
static void read_end(struct history *h)
{
	for (int i = 0; i < ST_MAX; i++)
		sqlite3_reset(h->st[i]);
	sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
}

static sqlite3_stmt *stmt(struct history *h, enum stmt_id id)
{
	sqlite3_stmt *s = h->st[id];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* One REAL from a one-row query on ?1 = t; 1 when it is not NULL, 0 when
 * it is, -1 on an error. */
static int real_of(struct history *h, enum stmt_id id, double t, double *out)
{
	sqlite3_stmt *s = stmt(h, id);
	sqlite3_bind_double(s, 1, t);
	int rc = sqlite3_step(s), got = rc == SQLITE_DONE ? 0 : -1;
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*out = sqlite3_column_double(s, 0);
		got = 1;
	} else if (rc == SQLITE_ROW) {
		got = 0;
	}
	sqlite3_reset(s);
	return got;
}

/* ---- opening ---- */

static int is_memory_uri(const char *path)
{
	return strncmp(path, "file:/", 6) == 0 && strstr(path, "vfs=memdb") != NULL;
}

/* "file:" and the path percent-encoded, read-only: a file named like
 * "file:x?y" stays that file, never a URI's options. A recording with no
 * write-ahead log beside it has no writer: it is read as immutable, so
 * reading it creates no file beside it (nor fails where none may be). */
static char *file_uri(const char *path)
{
	char wal[4096];
	struct stat st;
	int immutable = snprintf(wal, sizeof(wal), "%s-wal", path) < (int)sizeof(wal) &&
	                stat(wal, &st) < 0 && errno == ENOENT;
	while (path[0] == '/' && path[1] == '/')
		path++;          /* "//x" is "/x": a URI would read "x" as a host */
	size_t len = strlen(path);
	char *uri = malloc(5 + 3 * len + sizeof("?mode=ro&immutable=1"));
	if (!uri)
		return NULL;
	char *p = stpcpy(uri, "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("-._~/", *c))
			*p++ = (char)*c;
		else
			p += sprintf(p, "%%%02X", *c);
	}
	strcpy(p, immutable ? "?mode=ro&immutable=1" : "?mode=ro");
	return uri;
}

/* What can be said of a file before SQLite reads it: that it is there,
 * readable, a file, and starts like an SQLite database. */
static int precheck_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	char head[16];
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, head, sizeof(head)) : -2;
	close(fd);
	if (n == -2)
		snprintf(err, errlen, "%s: not a sockeye recording (not a regular file)", path);
	else if (n == 0)
		snprintf(err, errlen, "%s: not a sockeye recording (an empty file)", path);
	else if (n != (ssize_t)sizeof(head) || memcmp(head, "SQLite format 3", 16) != 0)
		snprintf(err, errlen, "%s: not a sockeye recording (not an SQLite database)", path);
	else
		return 0;
	return -1;
}

static int pragma_int(struct history *h, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* The recording is one of ours, of a version this reader knows. */
static int check_identity(struct history *h, char *err, size_t errlen)
{
	int app = 0, version = 0, rc;
	if ((rc = pragma_int(h, "PRAGMA application_id", &app)) != SQLITE_OK ||
	    (rc = pragma_int(h, "PRAGMA user_version", &version)) != SQLITE_OK) {
		fail_of(h, rc, err, errlen);
		return -1;
	}
	if (app != SCHEMA_APPLICATION_ID) {
		snprintf(err, errlen, "%s: not a sockeye recording (an SQLite database of another "
		         "program)", h->name);
		return -1;
	}
	if (version > SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: written by a newer sockeye (recording format %d; this "
		         "one reads up to %d)", h->name, version, SCHEMA_VERSION);
		return -1;
	}
	if (version < 1) {
		snprintf(err, errlen, "%s: the recording is damaged (no format version)", h->name);
		return -1;
	}
	return 0;
}

static int prepare_all(struct history *h, char *err, size_t errlen)
{
	for (int i = 0; i < ST_MAX; i++) {
		int rc = sqlite3_prepare_v3(h->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                            &h->st[i], NULL);
		if (rc != SQLITE_OK) {
			/* A table missing or of another shape: not what a
			 * recorder of this format leaves. */
			char why[256];
			snprintf(err, errlen, "%s: the recording is damaged (%s)", h->name,
			         db_message(h, why, sizeof(why)));
			return -1;
		}
	}
	return 0;
}

/* Reads both ends of every table, so a file cut short or torn is told
 * now rather than halfway through a screen. */
static int touch_tables(struct history *h, char *err, size_t errlen)
{
	static const char *const sql[] = {
		"SELECT (SELECT min(time) FROM polls), (SELECT max(time) FROM polls)",
		"SELECT (SELECT min(id) FROM lives), (SELECT max(id) FROM lives)",
		"SELECT (SELECT min(id) FROM events), (SELECT max(id) FROM events)",
		"SELECT (SELECT min(id) FROM procs), (SELECT max(id) FROM procs)",
		("SELECT (SELECT life FROM samples ORDER BY life, time LIMIT 1),"
		 " (SELECT life FROM samples ORDER BY life DESC, time DESC LIMIT 1)"),
		"SELECT (SELECT max(since) FROM owners), (SELECT max(time) FROM snapshots)",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		int rc = sqlite3_exec(h->db, sql[i], NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			fail_of(h, rc, err, errlen);
			return -1;
		}
	}
	return 0;
}

static const char *cmdline_get(void *ctx, int pid, unsigned long long starttime);

static int open_checked(struct history *h, int may_be_empty, char *err, size_t errlen)
{
	if (check_identity(h, err, errlen) < 0 || prepare_all(h, err, errlen) < 0 ||
	    read_begin(h, err, errlen) < 0)
		return -1;
	double first, last;
	int rc = touch_tables(h, err, errlen);
	if (rc == 0 && !may_be_empty && history_span(h, &first, &last) < 0) {
		snprintf(err, errlen, "%s: the recording holds no complete poll (empty, or cut "
		         "short before its first)", h->name);
		rc = -1;
	}
	read_end(h);
	return rc;
}

static struct history *open_any(const char *path, int may_be_empty, char *err, size_t errlen)
{
	int memory = is_memory_uri(path);
	if (!memory && precheck_file(path, err, errlen) < 0)
		return NULL;
	struct history *h = calloc(1, sizeof(*h));
	char *uri = memory ? strdup(path) : file_uri(path);
	if (!h || !uri || !(h->name = strdup(path))) {
		free(uri);
		free(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->cmdsrc.get = cmdline_get;
	h->cmdsrc.ctx = h;
	int rc = sqlite3_open_v2(uri, &h->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		char why[256];
		if (h->db)
			snprintf(err, errlen, "%s: cannot open: %s", path, db_message(h, why, sizeof(why)));
		else
			snprintf(err, errlen, "out of memory");
		history_close(h);
		return NULL;
	}
	/* A recorder's checkpoint can hold the file for a moment. Sorting
	 * stays in memory: the reader may have given up creating files. */
	sqlite3_busy_timeout(h->db, 5000);
	sqlite3_exec(h->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	if (open_checked(h, memory || may_be_empty, err, errlen) < 0) {
		history_close(h);
		return NULL;
	}
	return h;
}

struct history *history_open(const char *path, char *err, size_t errlen)
{
	return open_any(path, 0, err, errlen);
}

struct history *history_attach(const char *path, char *err, size_t errlen)
{
	return open_any(path, 1, err, errlen);
}

static void cmd_clear(struct history *h)
{
	for (size_t i = 0; i < h->capcmd; i++) {
		free(h->cmd[i].cmdline);
		h->cmd[i].cmdline = NULL;
		h->cmd[i].used = 0;
	}
	h->ncmd = 0;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	for (int i = 0; i < ST_MAX; i++)
		sqlite3_finalize(h->st[i]);
	sqlite3_close(h->db);
	for (size_t i = 0; i < h->nnetns; i++)
		free(h->netns[i]);
	free(h->netns);
	free(h->ents);
	free(h->own);
	cmd_clear(h);
	free(h->cmd);
	free(h->name);
	free(h);
}

/* ---- moments ---- */

int history_span(struct history *h, double *first, double *last)
{
	sqlite3_stmt *s = stmt(h, ST_SPAN);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*first = sqlite3_column_double(s, 0);
		*last = sqlite3_column_double(s, 1);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

int history_moment(struct history *h, double t, double *moment)
{
	double first, last;
	if (history_span(h, &first, &last) < 0)
		return -1;
	if (t < first) {
		*moment = first;
		return 0;
	}
	return real_of(h, ST_AT_OR_BEFORE, t, moment) == 1 ? 0 : -1;
}

int history_step(struct history *h, double moment, int dir, double *out)
{
	return real_of(h, dir > 0 ? ST_AFTER : ST_BEFORE, moment, out) == 1 ? 0 : -1;
}

int history_interval(struct history *h, double *seconds)
{
	sqlite3_stmt *s = stmt(h, ST_INTERVAL);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		double v = sqlite3_column_double(s, 0);
		/* the range --interval takes: anything else is not ours */
		if (v >= 0.1 && v <= 3600) {
			*seconds = v;
			rc = 0;
		}
	}
	sqlite3_reset(s);
	return rc;
}

int history_host(struct history *h, char *buf, size_t len)
{
	sqlite3_stmt *s = stmt(h, ST_HOST);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

/* ---- command lines ---- */

static size_t cmd_home(const struct history *h, int pid, unsigned long long starttime)
{
	return hash_mix64((uint64_t)(unsigned)pid * 0x9e3779b97f4a7c15ULL ^ starttime) &
	       (h->capcmd - 1);
}

static struct cmd_slot *cmd_find(struct history *h, int pid, unsigned long long starttime)
{
	if (!h->capcmd)
		return NULL;
	for (size_t i = cmd_home(h, pid, starttime);; i = (i + 1) & (h->capcmd - 1)) {
		struct cmd_slot *c = &h->cmd[i];
		if (!c->used)
			return NULL;
		if (c->pid == pid && c->starttime == starttime)
			return c;
	}
}

static int cmd_grow(struct history *h)
{
	size_t cap = h->capcmd ? h->capcmd * 2 : 256;
	struct cmd_slot *old = h->cmd, *v = calloc(cap, sizeof(*v));
	size_t oldcap = h->capcmd;
	if (!v)
		return -1;
	h->cmd = v;
	h->capcmd = cap;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		size_t j = cmd_home(h, old[i].pid, old[i].starttime);
		while (v[j].used)
			j = (j + 1) & (cap - 1);
		v[j] = old[i];
	}
	free(old);
	return 0;
}

/* Keeps (pid, starttime)'s command line (text may be NULL: unreadable).
 * The first one kept for a process wins until the cache is cleared. */
static int cmd_put(struct history *h, int pid, unsigned long long starttime, const char *text)
{
	if (cmd_find(h, pid, starttime))
		return 0;
	if ((h->ncmd + 1) * 2 > h->capcmd && cmd_grow(h) < 0)
		return -1;
	size_t i = cmd_home(h, pid, starttime);
	while (h->cmd[i].used)
		i = (i + 1) & (h->capcmd - 1);
	char *copy = text ? strdup(text) : NULL;
	if (text && !copy)
		return -1;
	h->cmd[i] = (struct cmd_slot){ 1, pid, starttime, copy };
	h->ncmd++;
	return 0;
}

static const char *cmdline_get(void *ctx, int pid, unsigned long long starttime)
{
	struct history *h = ctx;
	struct cmd_slot *c = cmd_find(h, pid, starttime);
	if (c)
		return c->cmdline;
	/* A process no moment or window read yet: the recording's newest. */
	sqlite3_stmt *s = stmt(h, ST_CMDLINE);
	sqlite3_bind_int(s, 1, pid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)starttime);
	const char *text = sqlite3_step(s) == SQLITE_ROW ?
	                   (const char *)sqlite3_column_text(s, 0) : NULL;
	if (cmd_put(h, pid, starttime, text) < 0)
		return NULL;
	sqlite3_reset(s);
	c = cmd_find(h, pid, starttime);
	return c ? c->cmdline : NULL;
}

const struct column_cmdlines *history_cmdlines(struct history *h)
{
	return &h->cmdsrc;
}

/* ---- records ---- */

/* The namespace's name, kept as long as h. NULL for the host's. */
static const char *netns_intern(struct history *h, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < h->nnetns; i++)
		if (strcmp(h->netns[i], name) == 0)
			return h->netns[i];
	if (h->nnetns == h->capnetns) {
		size_t cap = h->capnetns ? h->capnetns * 2 : 8;
		char **v = realloc(h->netns, cap * sizeof(*v));
		if (!v)
			return NULL;
		h->netns = v;
		h->capnetns = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return NULL;
	h->netns[h->nnetns++] = copy;
	return copy;
}

/* An address as the recorder wrote it: "127.0.0.1", "::1", maybe with a
 * "%scope" or in brackets. */
static int addr_of(int family, const char *text, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN + 24];
	if (!text || strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text[0] == '[' ? text + 1 : text);
	buf[strcspn(buf, "%]")] = '\0';
	memset(out, 0, 16);
	return inet_pton(family, buf, out) == 1 ? 0 : -1;
}

static uint64_t col_u64(sqlite3_stmt *s, int c)
{
	return (uint64_t)sqlite3_column_int64(s, c);
}

/* The record of the row's life as of its event and sample columns. */
static int rec_of(struct history *h, sqlite3_stmt *s, struct sock_rec *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	const char *proto = (const char *)sqlite3_column_text(s, C_PROTO);
	int family = sqlite3_column_int(s, C_FAMILY);
	r->proto = proto && strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	r->family = family == 6 ? AF_INET6 : AF_INET;
	const char *state = (const char *)sqlite3_column_text(s, C_STATE);
	int st = state ? sock_state_parse(state) : 0;
	if (!proto || (strcmp(proto, "tcp") && strcmp(proto, "udp")) || (family != 4 && family != 6) ||
	    addr_of(r->family, (const char *)sqlite3_column_text(s, C_LADDR), r->laddr) < 0 ||
	    addr_of(r->family, (const char *)sqlite3_column_text(s, C_RADDR), r->raddr) < 0 ||
	    !st) {
		snprintf(err, errlen, "%s: the recording is damaged (life %lld is not a socket)",
		         h->name, (long long)sqlite3_column_int64(s, C_LIFE));
		return -1;
	}
	r->state = (uint8_t)st;
	r->lport = (uint16_t)sqlite3_column_int(s, C_LPORT);
	r->rport = (uint16_t)sqlite3_column_int(s, C_RPORT);
	r->ifindex = (uint32_t)sqlite3_column_int64(s, C_IFINDEX);
	r->netns = col_u64(s, C_NETNS);
	r->cookie = col_u64(s, C_COOKIE);
	r->timewait = sqlite3_column_int(s, C_TIMEWAIT) != 0;
	const char *ns = (const char *)sqlite3_column_text(s, C_NETNS_NAME);
	r->netns_name = netns_intern(h, ns);
	if (ns && !r->netns_name) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->inode = col_u64(s, C_INODE);
	r->uid = (uint32_t)sqlite3_column_int64(s, C_UID);
	r->recvq = (uint32_t)sqlite3_column_int64(s, C_RECVQ);
	r->sendq = (uint32_t)sqlite3_column_int64(s, C_SENDQ);
	if (sqlite3_column_type(s, C_RTT) != SQLITE_NULL) {
		r->has_tcpinfo = 1;
		r->tcp.rtt_us = (uint32_t)sqlite3_column_int64(s, C_RTT);
		r->tcp.rttvar_us = (uint32_t)sqlite3_column_int64(s, C_RTTVAR);
		r->tcp.retransmits = (uint32_t)sqlite3_column_int64(s, C_RETRANS);
		r->tcp.total_retrans = (uint32_t)sqlite3_column_int64(s, C_TOTAL_RETRANS);
		r->tcp.snd_cwnd = (uint32_t)sqlite3_column_int64(s, C_CWND);
		r->tcp.bytes_acked = col_u64(s, C_ACKED);
		r->tcp.bytes_received = col_u64(s, C_RECEIVED);
		r->tcp.bytes_sent = col_u64(s, C_SENT);
	}
	return 0;
}

static int rate_of(sqlite3_stmt *s, double *tx, double *rx)
{
	if (sqlite3_column_type(s, C_TXRATE) == SQLITE_NULL) {
		*tx = *rx = 0;
		return 0;
	}
	*tx = sqlite3_column_double(s, C_TXRATE);
	*rx = sqlite3_column_double(s, C_RXRATE);
	return 1;
}

static void copy_text(char *to, size_t len, const unsigned char *from)
{
	snprintf(to, len, "%s", from ? (const char *)from : "");
}

static struct sock_owner *owner_push(struct history *h)
{
	if (h->nown == h->capown) {
		size_t cap = h->capown ? h->capown * 2 : 1024;
		struct sock_owner *v = realloc(h->own, cap * sizeof(*v));
		if (!v)
			return NULL;
		h->own = v;
		h->capown = cap;
	}
	struct sock_owner *o = &h->own[h->nown++];
	/* Whole, padding included: the table shares lists by their bytes. */
	memset(o, 0, sizeof(*o));
	return o;
}

/* Life's owners at t appended to h->own: current ones from *at, former
 * ones from *at_was (positions in h->own), with their counts. */
static int owners_of(struct history *h, sqlite3_int64 life, double t, size_t *at, size_t *n,
                     size_t *at_was, size_t *nwas)
{
	sqlite3_stmt *s = stmt(h, ST_OWNERS);
	sqlite3_bind_int64(s, 1, life);
	sqlite3_bind_double(s, 2, t);
	*n = *nwas = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 1) == SQLITE_NULL)
			continue;          /* the empty set's row */
		int former = sqlite3_column_int(s, 0) != 0;
		struct sock_owner *o = owner_push(h);
		if (!o)
			return SQLITE_NOMEM;
		if (former ? (*nwas)++ == 0 : (*n)++ == 0)
			*(former ? at_was : at) = h->nown - 1;
		o->pid = sqlite3_column_int(s, 1);
		o->starttime = (unsigned long long)sqlite3_column_int64(s, 2);
		o->pgid = sqlite3_column_int(s, 3);
		o->uid = (uint32_t)sqlite3_column_int64(s, 4);
		copy_text(o->user, sizeof(o->user), sqlite3_column_text(s, 5));
		copy_text(o->comm, sizeof(o->comm), sqlite3_column_text(s, 6));
		copy_text(o->service, sizeof(o->service), sqlite3_column_text(s, 7));
		if (cmd_put(h, o->pid, o->starttime, (const char *)sqlite3_column_text(s, 8)) < 0)
			return SQLITE_NOMEM;
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* ---- the table at a moment ---- */

static struct sock_entry *entry_push(struct history *h)
{
	if (h->nents == h->capents) {
		size_t cap = h->capents ? h->capents * 2 : 1024;
		struct sock_entry *v = realloc(h->ents, cap * sizeof(*v));
		if (!v)
			return NULL;
		h->ents = v;
		h->capents = cap;
	}
	struct sock_entry *e = &h->ents[h->nents++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* When the row's state began: its event's time, but for a 'seen' row
 * (met without an event) that of the state's last change, where one was
 * recorded, or the life's birth when it was met at its first poll. */
static double state_since(struct history *h, sqlite3_stmt *s, double moment)
{
	double t = sqlite3_column_double(s, C_ETIME), born = sqlite3_column_double(s, C_BORN);
	const char *kind = (const char *)sqlite3_column_text(s, C_EVENT);
	if (!kind || strcmp(kind, "seen") != 0)
		return t < moment ? t : moment;   /* a notice heard by then, polled after */
	if (t <= born)
		return born;
	sqlite3_stmt *q = stmt(h, ST_STATE_SINCE);
	sqlite3_bind_int64(q, 1, sqlite3_column_int64(s, C_LIFE));
	sqlite3_bind_double(q, 2, moment);
	if (sqlite3_step(q) == SQLITE_ROW)
		t = sqlite3_column_double(q, 0);
	sqlite3_reset(q);
	return t;
}

/* Owner positions wait in the pointers until h->own stops moving. */
#define POS(p) ((struct sock_owner *)(uintptr_t)((p) + 1))
#define UNPOS(o) ((size_t)(uintptr_t)(o) - 1)

static int entry_of_row(struct history *h, sqlite3_stmt *s, double moment,
                        char *err, size_t errlen)
{
	struct sock_entry *e = entry_push(h);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (rec_of(h, s, &e->rec, err, errlen) < 0)
		return -1;
	e->life = col_u64(s, C_LIFE);
	e->first_seen = sqlite3_column_double(s, C_BORN);
	e->state_since = state_since(h, s, moment);
	e->seen_at = moment;
	e->brief = sqlite3_column_int(s, C_BRIEF) != 0;
	e->final = sqlite3_column_int(s, C_FINAL) != 0;
	e->has_rate = rate_of(s, &e->tx_rate, &e->rx_rate);
	size_t at = 0, at_was = 0;
	int rc = owners_of(h, (sqlite3_int64)e->life, moment, &at, &e->nowners, &at_was,
	                   &e->nowners_was);
	if (rc != SQLITE_OK) {
		fail_of(h, rc, err, errlen);
		return -1;
	}
	e->owners = e->nowners ? POS(at) : NULL;
	e->owners_was = e->nowners_was ? POS(at_was) : NULL;
	/* The inode it had when its owners last held it: how a row
	 * remembered from then finds it (table.h). */
	if (e->nowners_was && !e->rec.inode) {
		sqlite3_stmt *w = stmt(h, ST_INODE_WAS);
		sqlite3_bind_int64(w, 1, (sqlite3_int64)e->life);
		sqlite3_bind_double(w, 2, moment);
		if (sqlite3_step(w) == SQLITE_ROW)
			e->inode_was = col_u64(w, 0);
		sqlite3_reset(w);
	}
	return 0;
}

static int read_moment(struct history *h, double moment, char *err, size_t errlen)
{
	double snap = -INFINITY;
	int got = real_of(h, ST_SNAPSHOT, moment, &snap);
	if (got < 0) {
		fail_of(h, sqlite3_errcode(h->db), err, errlen);
		return -1;
	}
	sqlite3_stmt *s = stmt(h, ST_ALIVE);
	/* No snapshot yet: every life born by then counts. */
	sqlite3_bind_double(s, 1, got ? snap : -1e300);
	sqlite3_bind_double(s, 2, moment);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (entry_of_row(h, s, moment, err, errlen) < 0)
			return -1;
	if (rc != SQLITE_DONE) {
		fail_of(h, rc, err, errlen);
		return -1;
	}
	for (size_t i = 0; i < h->nents; i++) {
		struct sock_entry *e = &h->ents[i];
		if (e->owners)
			e->owners = &h->own[UNPOS(e->owners)];
		if (e->owners_was)
			e->owners_was = &h->own[UNPOS(e->owners_was)];
	}
	return 0;
}

int history_table(struct history *h, double moment, struct sock_table *t,
                  char *err, size_t errlen)
{
	h->nents = h->nown = 0;
	cmd_clear(h);
	if (read_begin(h, err, errlen) < 0)
		return -1;
	int rc = read_moment(h, moment, err, errlen);
	read_end(h);
	if (rc == 0 && sock_table_restore(t, h->ents, h->nents) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc < 0)
		sock_table_restore(t, NULL, 0);
	return rc;
}

/* ---- events ---- */

static int event_type_of(const char *name, enum sock_event_type *type)
{
	static const struct { const char *name; enum sock_event_type type; } names[] = {
		{ "new", SOCK_EV_NEW }, { "state", SOCK_EV_STATE }, { "gone", SOCK_EV_GONE },
		{ "closed", SOCK_EV_CLOSED },
	};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			*type = names[i].type;
			return 0;
		}
	}
	return -1;
}

/* An owner list of the event, copied out of h->own (NULL when none). */
static struct sock_owner *owners_copy(struct history *h, size_t at, size_t n)
{
	return n ? sock_owners_dup(&h->own[at], n) : NULL;
}

static int event_of_row(struct history *h, sqlite3_stmt *s, struct sock_events *ev,
                        char *err, size_t errlen)
{
	struct sock_event *x = sock_events_push(ev);
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *name = (const char *)sqlite3_column_text(s, C_EVENT);
	if (rec_of(h, s, &x->rec, err, errlen) < 0)
		return -1;
	if (event_type_of(name, &x->type) < 0) {
		char shown[64];   /* the file's bytes, escaped */
		textsafe_display(name ? name : "", name ? strlen(name) : 0, shown, sizeof(shown));
		snprintf(err, errlen, "%s: the recording is damaged (an event '%s')", h->name, shown);
		return -1;
	}
	x->time = sqlite3_column_double(s, C_ETIME);
	const char *from = (const char *)sqlite3_column_text(s, C_FROM);
	x->from_state = from ? (uint8_t)sock_state_parse(from) : 0;
	x->final = sqlite3_column_int(s, C_FINAL) != 0;
	x->brief = sqlite3_column_int(s, C_EBRIEF) != 0;
	x->uid_unknown = sqlite3_column_int(s, C_UID_UNKNOWN) != 0;
	/* A brief GONE is of a life no table entry held. */
	x->life = x->type == SOCK_EV_GONE && x->brief ? 0 : col_u64(s, C_LIFE);
	/* The live diff has no rate for a socket on its first poll. */
	x->has_rate = x->type != SOCK_EV_NEW && rate_of(s, &x->tx_rate, &x->rx_rate);
	if (!x->has_rate)
		x->tx_rate = x->rx_rate = 0;
	size_t at = 0, n = 0, at_was = 0, nwas = 0;
	h->nown = 0;
	int rc = owners_of(h, sqlite3_column_int64(s, C_LIFE), sqlite3_column_double(s, C_POLL),
	                   &at, &n, &at_was, &nwas);
	if (rc != SQLITE_OK) {
		fail_of(h, rc, err, errlen);
		return -1;
	}
	x->owners = owners_copy(h, at, n);
	x->owners_was = owners_copy(h, at_was, nwas);
	if ((n && !x->owners) || (nwas && !x->owners_was)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->nowners = n;
	x->nowners_was = nwas;
	return 0;
}

int history_events(struct history *h, double since, double until,
                   struct sock_events *ev, char *err, size_t errlen)
{
	cmd_clear(h);
	if (read_begin(h, err, errlen) < 0)
		return -1;
	sqlite3_stmt *s = stmt(h, ST_EVENTS);
	sqlite3_bind_double(s, 1, since);
	sqlite3_bind_double(s, 2, until);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (event_of_row(h, s, ev, err, errlen) < 0) {
			sqlite3_reset(s);
			read_end(h);
			return -1;
		}
	}
	if (rc != SQLITE_DONE)
		fail_of(h, rc, err, errlen);
	sqlite3_reset(s);
	read_end(h);
	return rc == SQLITE_DONE ? 0 : -1;
}

int history_events_end(struct history *h, double since, double until, size_t max,
                       double *end, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(h, ST_EVENTS_END);
	sqlite3_bind_double(s, 1, since);
	sqlite3_bind_double(s, 2, until);
	sqlite3_bind_int64(s, 3, max ? (sqlite3_int64)max - 1 : 0);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*end = sqlite3_column_double(s, 0);
	else if (rc == SQLITE_DONE)
		*end = until;
	else
		fail_of(h, rc, err, errlen);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
