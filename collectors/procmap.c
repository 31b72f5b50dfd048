/* procmap.c — the owner map: which processes hold which socket inode, built
 * by walking <proc_root>/<pid>/fd, with each holder's pid, comm, uid, user
 * name and start time. */
#include "config.h"

#include "procmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One process as last seen, identified by (pid, starttime). Its socket
 * inodes live here, not only in the index, so that a later refresh could
 * keep them for a process whose fd table it chose not to rescan. */
struct procmap_proc {
	int pid;
	int pgid;
	uint32_t uid;
	unsigned long long starttime;
	char comm[17];
	uint64_t *inodes;         /* may hold duplicates: one per fd */
	size_t n_inodes, cap_inodes;
};

/* A uid's name, cached because getpwuid_r may go to NSS (LDAP, sssd). */
struct procmap_user {
	uint32_t uid;
	unsigned gen;             /* last refresh that used it: unused ones go */
	char name[64];
};

/* inode -> owners[first .. first+count): open addressing, count 0 = empty. */
struct procmap_slot {
	uint64_t inode;
	size_t first, count;
};

/* (inode, holder) before sorting into the contiguous owners array. */
struct procmap_pair {
	uint64_t inode;
	size_t proc;              /* index into procs, which is sorted by pid */
};

struct procmap {
	char *root;
	unsigned gen;
	size_t unreadable;

	struct procmap_proc *procs, *scan;  /* last refresh / being built */
	size_t n_procs, cap_procs, n_scan, cap_scan;

	struct procmap_user *users;         /* sorted by uid */
	size_t n_users, cap_users;

	struct procmap_pair *pairs;
	size_t n_pairs, cap_pairs;
	struct sock_owner *owners;
	size_t n_owners, cap_owners;
	struct procmap_slot *slots;
	size_t n_slots;                     /* a power of two, or 0 */
};

/* Grows *v (of element size sz) to hold at least need elements. */
static int procmap_reserve(void *v, size_t *cap, size_t need, size_t sz)
{
	void **pv = v;
	size_t ncap = *cap ? *cap : 16;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	void *p = realloc(*pv, ncap * sz);
	if (!p)
		return -1;
	*pv = p;
	*cap = ncap;
	return 0;
}

struct procmap *procmap_new(const char *proc_root)
{
	struct procmap *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->root = strdup(proc_root ? proc_root : "/proc");
	if (!m->root) {
		free(m);
		return NULL;
	}
	return m;
}

static void procmap_procs_free(struct procmap_proc *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].inodes);
}

void procmap_free(struct procmap *m)
{
	if (!m)
		return;
	procmap_procs_free(m->procs, m->n_procs);
	procmap_procs_free(m->scan, m->n_scan);
	free(m->procs);
	free(m->scan);
	free(m->users);
	free(m->pairs);
	free(m->owners);
	free(m->slots);
	free(m->root);
	free(m);
}

/* ---- reading one process ---- */

/* Reads a small /proc file whole; returns its length or -1 (errno set). */
static ssize_t procmap_read_file(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < len - 1) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Parses "pid (comm) state ppid pgrp ... starttime ...". comm may hold
 * spaces, parentheses and newlines, so it runs from the first '(' to the
 * LAST ')': nothing after it can contain a ')'. pgrp is field 5, starttime
 * field 22; pgid may be NULL. */
static int procmap_parse_stat(char *buf, char comm[17], int *pgid,
                              unsigned long long *start)
{
	char *open = strchr(buf, '(');
	char *close = strrchr(buf, ')');
	size_t len;

	if (!open || !close || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if (len > 16)
		len = 16;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';

	char *p = close + 1, *end;
	long group = 0;
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		if (field == 5)
			group = strtol(p, NULL, 10);
		p += strcspn(p, " ");
	}
	errno = 0;
	*start = strtoull(p, &end, 10);
	if (pgid)
		*pgid = group > 0 && group <= INT_MAX ? (int)group : 0;
	return (end == p || errno) ? -1 : 0;
}

/* The real uid from status's "Uid:\treal\teffective\tsaved\tfs" line. The
 * Name line before it escapes newlines in comm, so a hostile name cannot
 * forge a line start. */
static int procmap_parse_uid(const char *buf, uint32_t *uid)
{
	const char *p = strstr(buf, "\nUid:");
	char *end;
	unsigned long v;

	if (!p)
		return -1;
	p += 5;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (end == p || errno || v > UINT32_MAX)
		return -1;
	*uid = (uint32_t)v;
	return 0;
}

/* Identity and names of the process behind pidfd; -1 when it is gone. */
static int procmap_read_ident(int pidfd, struct procmap_proc *p)
{
	char buf[4096];

	if (procmap_read_file(pidfd, "stat", buf, sizeof buf) < 0 ||
	    procmap_parse_stat(buf, p->comm, &p->pgid, &p->starttime) < 0)
		return -1;
	if (procmap_read_file(pidfd, "status", buf, sizeof buf) < 0 ||
	    procmap_parse_uid(buf, &p->uid) < 0)
		return -1;
	return 0;
}

/* "socket:[12345]" -> 12345; anything else (files, pipes, anon inodes) 0. */
static uint64_t procmap_socket_inode(const char *link, size_t len)
{
	static const char prefix[] = "socket:[";
	const size_t plen = sizeof prefix - 1;
	uint64_t ino = 0;

	if (len < plen + 2 || memcmp(link, prefix, plen) || link[len - 1] != ']')
		return 0;
	for (size_t i = plen; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9')
			return 0;
		ino = ino * 10 + (uint64_t)(link[i] - '0');
	}
	return ino;
}

static int procmap_add_inode(struct procmap_proc *p, uint64_t ino)
{
	if (procmap_reserve(&p->inodes, &p->cap_inodes, p->n_inodes + 1,
	                    sizeof *p->inodes) < 0)
		return -1;
	p->inodes[p->n_inodes++] = ino;
	return 0;
}

/* Collects the socket inodes of an open fd directory. A descriptor closed
 * between readdir and readlink is skipped. The kernel checks ptrace access
 * per link, so listing fd/ may work where readlink is refused (a process
 * with capabilities we lack, even for root): that makes it partial.
 * Returns 1 when partial, 0 when complete, -1 when out of memory. */
static int procmap_read_fds(DIR *d, struct procmap_proc *p)
{
	struct dirent *de;
	char link[64];
	int partial = 0;

	p->n_inodes = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof link);
		if (n < 0) {
			if (errno == EACCES || errno == EPERM)
				partial = 1;
			continue;
		}
		uint64_t ino = procmap_socket_inode(link, (size_t)n);
		if (ino && procmap_add_inode(p, ino) < 0)
			return -1;
	}
	return partial;
}

/* Opens <pid>/fd. Returns the DIR, or NULL with *counted set when the
 * process is alive but its table is closed to us (EACCES while not root, or
 * no fd directory at all); a process that has exited is left uncounted. */
static DIR *procmap_open_fds(int pidfd, int *counted)
{
	int fd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	*counted = 0;
	if (fd < 0) {
		/* A dead process answers ESRCH or ENOENT; its stat goes too. */
		if (errno == EACCES || errno == EPERM ||
		    faccessat(pidfd, "stat", R_OK, 0) == 0)
			*counted = 1;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* ---- the process list across refreshes ---- */

static int procmap_cmp_pid(const void *a, const void *b)
{
	const struct procmap_proc *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The last refresh's entry for this process, if it is the same process: a
 * pid whose start time changed was reused, and nothing of the old one may
 * be carried onto it. */
static struct procmap_proc *procmap_cached(struct procmap *m, int pid,
                                           unsigned long long starttime)
{
	struct procmap_proc key = { .pid = pid };
	struct procmap_proc *old = m->procs
		? bsearch(&key, m->procs, m->n_procs, sizeof key, procmap_cmp_pid)
		: NULL;

	if (!old || old->starttime != starttime)
		return NULL;
	return old;
}

/* Starts this refresh's entry for the process behind pidfd, taking over the
 * cached entry's buffers when it is the same process. NULL when the process
 * is gone (*oom 0) or on ENOMEM (*oom 1). */
static struct procmap_proc *procmap_begin_proc(struct procmap *m, int pid,
                                               int pidfd, int *oom)
{
	struct procmap_proc now = { .pid = pid };
	struct procmap_proc *old, *p;

	*oom = 0;
	if (procmap_read_ident(pidfd, &now) < 0)
		return NULL;
	if (procmap_reserve(&m->scan, &m->cap_scan, m->n_scan + 1, sizeof *m->scan) < 0) {
		*oom = 1;
		return NULL;
	}
	old = procmap_cached(m, pid, now.starttime);
	if (old) {
		/* comm and uid are re-read anyway: exec renames a process and
		 * setuid changes its uid without changing its start time. */
		now.inodes = old->inodes;
		now.cap_inodes = old->cap_inodes;
		old->inodes = NULL;
		old->cap_inodes = old->n_inodes = 0;
	}
	p = &m->scan[m->n_scan++];
	*p = now;
	return p;
}

/* Adds one /proc/<pid> to the scan. Returns -1 only when out of memory. */
static int procmap_scan_pid(struct procmap *m, int rootfd, const char *name)
{
	int pidfd, counted, oom = 0, r = 0;
	struct procmap_proc *p;
	DIR *d;

	/* Every later read goes through this fd, so stat, status and fd all
	 * describe the one process even if the pid is reused meanwhile. */
	pidfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pidfd < 0)
		return 0;
	p = procmap_begin_proc(m, atoi(name), pidfd, &oom);
	if (p) {
		d = procmap_open_fds(pidfd, &counted);
		if (d) {
			r = procmap_read_fds(d, p);
			counted = r == 1;
			closedir(d);
		}
		m->unreadable += (size_t)counted;
	}
	close(pidfd);
	return (oom || r < 0) ? -1 : 0;
}

static int procmap_is_pid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Walks proc_root into m->scan. Returns -1 with errno when proc_root cannot
 * be opened, -2 when out of memory (the scan so far stays usable). */
static int procmap_scan(struct procmap *m)
{
	int rootfd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (rootfd < 0)
		return -1;
	d = fdopendir(rootfd);
	if (!d) {
		int e = errno;
		close(rootfd);
		errno = e;
		return -1;
	}
	m->unreadable = 0;
	m->n_scan = 0;
	/* Only thread-group leaders are listed in /proc; threads share their
	 * fd table, so walking tasks would only find the same owners again. */
	while (r == 0 && (de = readdir(d)))
		if (procmap_is_pid(de->d_name) && procmap_scan_pid(m, dirfd(d), de->d_name) < 0)
			r = -2;
	closedir(d);
	return r;
}

/* The scan becomes the process list; the old entries not taken over are
 * processes that have gone. Both arrays are kept to reuse their memory. */
static void procmap_commit_scan(struct procmap *m)
{
	struct procmap_proc *t = m->procs;
	size_t cap = m->cap_procs;

	procmap_procs_free(m->procs, m->n_procs);
	m->procs = m->scan;
	m->n_procs = m->n_scan;
	m->cap_procs = m->cap_scan;
	m->scan = t;
	m->cap_scan = cap;
	m->n_scan = 0;
	/* /proc lists pids in order already, a recorded tree may not. */
	if (m->n_procs)
		qsort(m->procs, m->n_procs, sizeof *m->procs, procmap_cmp_pid);
}

/* ---- user names ---- */

static int procmap_cmp_uid(const void *a, const void *b)
{
	const struct procmap_user *x = a, *y = b;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

/* The passwd name for uid, or its digits when there is none (or when it
 * would not fit: a cut name could be someone else's). */
static void procmap_lookup_name(uint32_t uid, char name[64])
{
	size_t len = 1024;
	char *buf = NULL;
	struct passwd pw, *res = NULL;
	int e = 0;

	do {
		char *nb = realloc(buf, len);
		if (!nb)
			break;
		buf = nb;
		e = getpwuid_r((uid_t)uid, &pw, buf, len, &res);
		len *= 2;
	} while (e == ERANGE && len <= (1u << 20));
	if (res && strlen(res->pw_name) < 64)
		strcpy(name, res->pw_name);
	else
		snprintf(name, 64, "%" PRIu32, uid);
	free(buf);
}

static struct procmap_user *procmap_user(struct procmap *m, uint32_t uid)
{
	struct procmap_user key = { .uid = uid }, *u;
	size_t i = 0;

	u = m->users ? bsearch(&key, m->users, m->n_users, sizeof key, procmap_cmp_uid) : NULL;
	if (u)
		return u;
	if (procmap_reserve(&m->users, &m->cap_users, m->n_users + 1, sizeof key) < 0)
		return NULL;
	while (i < m->n_users && m->users[i].uid < uid)
		i++;
	memmove(&m->users[i + 1], &m->users[i], (m->n_users - i) * sizeof key);
	m->n_users++;
	u = &m->users[i];
	u->uid = uid;
	procmap_lookup_name(uid, u->name);
	return u;
}

/* Forgets uids no process used in this refresh, so churn cannot grow it. */
static void procmap_prune_users(struct procmap *m)
{
	size_t keep = 0;

	for (size_t i = 0; i < m->n_users; i++)
		if (m->users[i].gen == m->gen)
			m->users[keep++] = m->users[i];
	m->n_users = keep;
}

/* ---- the inode index ---- */

static int procmap_cmp_pair(const void *a, const void *b)
{
	const struct procmap_pair *x = a, *y = b;
	if (x->inode != y->inode)
		return (x->inode > y->inode) - (x->inode < y->inode);
	return (x->proc > y->proc) - (x->proc < y->proc);
}

/* Every (inode, process) once, sorted by inode then pid. */
static int procmap_build_pairs(struct procmap *m)
{
	size_t n = 0, keep = 0;

	for (size_t i = 0; i < m->n_procs; i++)
		n += m->procs[i].n_inodes;
	if (procmap_reserve(&m->pairs, &m->cap_pairs, n, sizeof *m->pairs) < 0)
		return -1;
	n = 0;
	for (size_t i = 0; i < m->n_procs; i++)
		for (size_t j = 0; j < m->procs[i].n_inodes; j++)
			m->pairs[n++] = (struct procmap_pair){ m->procs[i].inodes[j], i };
	if (n)
		qsort(m->pairs, n, sizeof *m->pairs, procmap_cmp_pair);
	/* One owner per process even when it holds the socket on several fds. */
	for (size_t i = 0; i < n; i++)
		if (keep == 0 || procmap_cmp_pair(&m->pairs[keep - 1], &m->pairs[i]))
			m->pairs[keep++] = m->pairs[i];
	m->n_pairs = keep;
	return 0;
}

static int procmap_fill_owners(struct procmap *m)
{
	if (procmap_reserve(&m->owners, &m->cap_owners, m->n_pairs, sizeof *m->owners) < 0)
		return -1;
	for (size_t i = 0; i < m->n_pairs; i++) {
		const struct procmap_proc *p = &m->procs[m->pairs[i].proc];
		struct sock_owner *o = &m->owners[i];
		struct procmap_user *u = procmap_user(m, p->uid);

		if (!u)
			return -1;
		u->gen = m->gen;
		/* Whole-struct zeroing: the table compares owners with memcmp, so
		 * the bytes after each string's NUL and the padding must be set. */
		memset(o, 0, sizeof *o);
		o->pid = p->pid;
		o->pgid = p->pgid;
		o->uid = p->uid;
		o->starttime = p->starttime;
		memcpy(o->comm, p->comm, strnlen(p->comm, sizeof o->comm - 1));
		memcpy(o->user, u->name, strnlen(u->name, sizeof o->user - 1));
	}
	m->n_owners = m->n_pairs;
	return 0;
}

static size_t procmap_hash(uint64_t inode, size_t mask)
{
	return (size_t)((inode * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

/* Sizes the slot table to at most half full, shrinking after a peak so
 * memory follows the current socket count. */
static int procmap_size_slots(struct procmap *m, size_t keys)
{
	size_t want = 64;

	while (want < keys * 2)
		want *= 2;
	if (want != m->n_slots) {
		struct procmap_slot *s = calloc(want, sizeof *s);
		if (!s)
			return -1;
		free(m->slots);
		m->slots = s;
		m->n_slots = want;
	} else {
		memset(m->slots, 0, want * sizeof *m->slots);
	}
	return 0;
}

static int procmap_build_slots(struct procmap *m)
{
	size_t keys = 0, mask;

	for (size_t i = 0; i < m->n_owners; i++)
		keys += i == 0 || m->pairs[i].inode != m->pairs[i - 1].inode;
	if (procmap_size_slots(m, keys) < 0)
		return -1;
	mask = m->n_slots - 1;
	for (size_t i = 0; i < m->n_owners; ) {
		uint64_t ino = m->pairs[i].inode;
		size_t j = i, h = procmap_hash(ino, mask);

		while (j < m->n_owners && m->pairs[j].inode == ino)
			j++;
		while (m->slots[h].count)
			h = (h + 1) & mask;
		m->slots[h] = (struct procmap_slot){ ino, i, j - i };
		i = j;
	}
	return 0;
}

/* Rebuilds pairs, owners and slots from procs; on failure the index is
 * left empty rather than half built. */
static int procmap_build_index(struct procmap *m)
{
	if (procmap_build_pairs(m) == 0 && procmap_fill_owners(m) == 0 &&
	    procmap_build_slots(m) == 0) {
		procmap_prune_users(m);
		return 0;
	}
	m->n_owners = 0;
	if (m->slots)
		memset(m->slots, 0, m->n_slots * sizeof *m->slots);
	return -1;
}

/* ---- public ---- */

int procmap_refresh(struct procmap *m, char *err, size_t errlen)
{
	int r = procmap_scan(m);

	if (r == -1) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", m->root, strerror(errno));
		return -1;
	}
	m->gen++;
	procmap_commit_scan(m);
	if (procmap_build_index(m) < 0 || r == -2) {
		if (err && errlen)
			snprintf(err, errlen, "process owners: out of memory");
		return -1;
	}
	return 0;
}

size_t procmap_lookup(const struct procmap *m, uint64_t inode,
                      const struct sock_owner **out)
{
	*out = NULL;
	if (!m->n_slots || !inode)
		return 0;
	size_t mask = m->n_slots - 1;
	for (size_t h = procmap_hash(inode, mask); m->slots[h].count; h = (h + 1) & mask) {
		if (m->slots[h].inode == inode) {
			*out = &m->owners[m->slots[h].first];
			return m->slots[h].count;
		}
	}
	return 0;
}

size_t procmap_unreadable(const struct procmap *m)
{
	return m->unreadable;
}

/* ---- the details view's command line ---- */

/* cmdline's NUL-separated arguments joined by spaces; its bytes stay raw
 * (untrusted: the printer escapes them). */
static void procmap_join_args(char *buf, size_t n)
{
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

int procmap_cmdline(const struct procmap *m, int pid, unsigned long long starttime,
                    char *buf, size_t len)
{
	char path[32], stat[4096], comm[17];
	unsigned long long start;
	int dirfd;
	ssize_t n;

	if (len < 2)
		return -1;
	snprintf(path, sizeof path, "%d", pid);
	int rootfd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -1;
	dirfd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(rootfd);
	if (dirfd < 0)
		return -1;
	/* Read through one directory fd, then check the start time: a reused
	 * pid never lends its command line to the process we were asked about. */
	n = procmap_read_file(dirfd, "cmdline", buf, len);
	int same = procmap_read_file(dirfd, "stat", stat, sizeof stat) >= 0 &&
	           procmap_parse_stat(stat, comm, NULL, &start) == 0 && start == starttime;
	close(dirfd);
	if (n < 0 || !same)
		return -1;
	procmap_join_args(buf, (size_t)n);
	return 0;
}
