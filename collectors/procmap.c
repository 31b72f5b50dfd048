/* procmap.c — the owner map: which processes hold which socket inode, read
 * from <proc_root>/<pid>/fd, with each holder's pid, comm, uid, user name
 * and start time. The map is kept across polls: a poll re-reads a process's
 * descriptors only where something says they changed (procmap.h). */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "room.h"
#include "sock.h"

/* One open descriptor as last read. */
struct procmap_fd {
	int fd;
	uint64_t inode;           /* 0: not a socket */
};

/* One process as last seen, identified by (pid, starttime). */
struct procmap_proc {
	int pid;
	int pgid;
	uint32_t uid;             /* real uid: the owner's user */
	uint32_t euid, fsuid;     /* a socket's uid is its creator's fsuid */
	unsigned long long starttime;
	char comm[17];
	char service[64];         /* see struct sock_owner */
	int service_read;         /* service is this process's, not a former one's */
	/* st_ino of /proc/<pid>: the kernel makes a new inode when the pid
	 * is reused (the old one is dropped with its dead task), so the same
	 * number means the same process without reading its stat. */
	uint64_t token;
	long long kcount;         /* open fds per st_size of <pid>/fd; -1 unknown */
	int unreadable;           /* fd table (or part of it) closed to us */
	int gone;                 /* exited during this refresh: dropped before indexing */
	int stale;                /* probe it in this refresh */
	unsigned scanned, probed; /* refresh that last read it in full / probed it */
	struct procmap_fd *fds;   /* sorted by fd */
	size_t n_fds, cap_fds;
};

/* A uid's name, cached because getpwuid_r may go to NSS (LDAP, sssd). */
struct procmap_user {
	uint32_t uid;
	unsigned gen;             /* last index build that used it: unused ones go */
	char name[64];
};

/* inode -> its owner set, open addressing; inode 0 marks an empty slot. */
struct procmap_slot {
	uint64_t inode;
	uint32_t set;             /* node of its owner set */
	unsigned seen;            /* last refresh whose snapshot held it */
};

/* Owner sets, shared by every inode with the same holders, as a trie in
 * pid order: a node is its parent's set plus one process. 100,000 sockets
 * held by 8 processes need 8 sets, not 100,000 copies of owners. */
struct procmap_node {
	uint32_t parent;
	int pid;
	uint32_t depth;           /* owners in the set */
	size_t proc;              /* index into procs, while the index is built */
	size_t first;             /* its owners in m->owners, SIZE_MAX if unused */
};

/* A holder to check: pid's table says it holds inode, and inode has just
 * turned up in another process. */
struct procmap_check {
	int pid;
	uint64_t inode;
};

/* A snapshot socket nobody is known to hold. */
struct procmap_want {
	uint64_t inode;
	uint32_t uid;
	int found;
};

struct procmap {
	char *root;
	unsigned gen;             /* refreshes so far */
	int built;                /* the index reflects procs */
	unsigned long version;    /* see procmap_bump_version */
	int dirty;                /* procs changed since the index was built */
	int counts;               /* st_size of <pid>/fd counts fds (Linux 6.2+) */
	int cursor;               /* the safety net's next pid */
	long long credit;         /* descriptors it may read now; < 0 is debt */
	unsigned full_every;      /* its period in refreshes, 0 off */
	size_t unreadable;
	struct procmap_stats stats;

	struct procmap_proc *procs, *scan;  /* sorted by pid / being listed */
	size_t n_procs, cap_procs, n_scan, cap_scan;
	struct procmap_fd *tmp;             /* a scratch fd table */
	size_t cap_tmp;

	struct procmap_user *users;         /* sorted by uid */
	size_t n_users, cap_users;

	struct procmap_slot *slots;
	size_t n_slots;                     /* a power of two, or 0 */
	struct procmap_node *nodes;
	size_t n_nodes, cap_nodes;
	uint32_t *nodemap;                  /* (parent, pid) -> node; 0 empty */
	size_t n_nodemap;
	struct sock_owner *owners;
	size_t n_owners, cap_owners;

	struct procmap_want *want;          /* unowned this refresh, by inode */
	size_t n_want, cap_want;
	uint64_t *pending;                  /* unowned since the last refresh */
	size_t n_pending, cap_pending;
	uint64_t *missed;                   /* searched everywhere, not found */
	size_t n_missed, cap_missed;
	struct procmap_check *check;        /* holders to check this refresh */
	size_t n_check, cap_check;
	struct cgroup_names *names;         /* container names; made at the first container */
};

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
	m->full_every = PROCMAP_FULL_EVERY;
	return m;
}

static void procmap_procs_free(struct procmap_proc *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].fds);
}

void procmap_free(struct procmap *m)
{
	if (!m)
		return;
	procmap_procs_free(m->procs, m->n_procs);
	procmap_procs_free(m->scan, m->n_scan);
	free(m->procs);
	free(m->scan);
	free(m->tmp);
	free(m->users);
	free(m->slots);
	free(m->nodes);
	free(m->nodemap);
	free(m->owners);
	cgroup_names_free(m->names);
	free(m->want);
	free(m->pending);
	free(m->missed);
	free(m->check);
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

/* status's "Uid:\treal\teffective\tsaved\tfs" line. The Name line before
 * it escapes newlines in comm, so a hostile name cannot forge a line
 * start. uids gets real, effective, saved, fs. */
static int procmap_parse_uids(const char *buf, uint32_t uids[4])
{
	const char *p = strstr(buf, "\nUid:");

	if (!p)
		return -1;
	p += 5;
	for (int i = 0; i < 4; i++) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v > UINT32_MAX)
			return i == 0 ? -1 : 0;
		uids[i] = (uint32_t)v;
		p = end;
	}
	return 0;
}

/* Identity and names of the process behind pidfd; -1 when it is gone. */
static int procmap_read_ident(int pidfd, struct procmap_proc *p)
{
	char buf[4096];
	uint32_t uids[4] = { 0, 0, 0, 0 };

	if (procmap_read_file(pidfd, "stat", buf, sizeof buf) < 0 ||
	    procmap_parse_stat(buf, p->comm, &p->pgid, &p->starttime) < 0)
		return -1;
	if (procmap_read_file(pidfd, "status", buf, sizeof buf) < 0 ||
	    procmap_parse_uids(buf, uids) < 0)
		return -1;
	p->uid = uids[0];
	p->euid = uids[1];
	p->fsuid = uids[3] ? uids[3] : uids[1];
	return 0;
}

/* The service of the process behind pidfd: one read of its cgroup file,
 * done only when the process is new or changed identity, so a steady poll
 * costs nothing more. A process that hides it (or has exited) has none. */
static void procmap_read_service(struct procmap *m, int pidfd, struct procmap_proc *p)
{
	char buf[8192];
	struct cgroup_owner o;
	ssize_t n = procmap_read_file(pidfd, "cgroup", buf, sizeof buf);

	p->service[0] = '\0';
	p->service_read = 1;
	if (n <= 0)
		return;
	cgroup_parse(buf, (size_t)n, &o);
	if (cgroup_needs_state(&o) && !m->names)
		m->names = cgroup_names_new("");   /* NULL: ids only, tried again next time */
	cgroup_service_name(&o, m->names, p->uid, p->service, sizeof p->service);
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

/* What descriptor fd of an open <pid>/fd directory is: 1 open (*ino its
 * socket inode, or 0), 0 not open, -1 refused (ptrace access: partial). */
static int procmap_readlink(struct procmap *m, int dirfd, const char *name, uint64_t *ino)
{
	char link[64];
	ssize_t n = readlinkat(dirfd, name, link, sizeof link);

	m->stats.links_read++;
	*ino = 0;
	if (n < 0)
		return (errno == EACCES || errno == EPERM) ? -1 : 0;
	*ino = procmap_socket_inode(link, (size_t)n);
	return 1;
}

static int procmap_readlink_fd(struct procmap *m, int dirfd, int fd, uint64_t *ino)
{
	char name[16];

	snprintf(name, sizeof name, "%d", fd);
	return procmap_readlink(m, dirfd, name, ino);
}

static int procmap_tmp_push(struct procmap *m, size_t *n, int fd, uint64_t ino)
{
	if (room_reserve(&m->tmp, &m->cap_tmp, *n + 1, sizeof *m->tmp, 16) < 0)
		return -1;
	m->tmp[(*n)++] = (struct procmap_fd){ fd, ino };
	return 0;
}

static int procmap_cmp_fd(const void *a, const void *b)
{
	const struct procmap_fd *x = a, *y = b;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* 1 when the two fd tables differ in which sockets sit where. */
static int procmap_sockets_differ(const struct procmap_fd *a, size_t na,
                                  const struct procmap_fd *b, size_t nb)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < na && !a[i].inode)
			i++;
		while (j < nb && !b[j].inode)
			j++;
		if (i == na || j == nb)
			return i != na || j != nb;
		if (a[i].fd != b[j].fd || a[i].inode != b[j].inode)
			return 1;
		i++;
		j++;
	}
}

/* Room for n descriptors in a process's own table: a little slack so a
 * table growing by a few fds is not reallocated at every read. */
static size_t procmap_fds_room(size_t n)
{
	return n + n / 8 + 8;
}

/* The scratch table becomes p's; the index is stale if sockets moved. It is
 * copied, never handed over: the scratch stays as large as the largest
 * table read, and handing it to a small process would leave each process
 * read after a big one holding a big one's room, until every process on
 * the machine did (megabytes, found by the soak run). p's own table keeps
 * at most about its size. Returns 0, or -1 when out of memory (p as it was). */
static int procmap_take_tmp(struct procmap *m, struct procmap_proc *p, size_t n)
{
	/* Compared before a shrink: p->n_fds old entries are read. */
	int differ = procmap_sockets_differ(p->fds, p->n_fds, m->tmp, n);

	if (p->cap_fds < n || p->cap_fds > 2 * procmap_fds_room(n)) {
		size_t cap = procmap_fds_room(n);
		struct procmap_fd *v = realloc(p->fds, cap * sizeof *v);
		if (!v)
			return -1;
		p->fds = v;
		p->cap_fds = cap;
	}
	if (differ)
		m->dirty = 1;
	if (n)
		memcpy(p->fds, m->tmp, n * sizeof *p->fds);
	p->n_fds = n;
	return 0;
}

/* Reads a whole fd directory. A descriptor closed between readdir and
 * readlink is skipped. The kernel checks ptrace access per link, so listing
 * fd/ may work where readlink is refused (a process with capabilities we
 * lack, even for root): that makes it partial. Returns 1 when partial, 0
 * when complete, -1 when out of memory. */
static int procmap_read_all_fds(struct procmap *m, struct procmap_proc *p, DIR *d)
{
	struct dirent *de;
	size_t n = 0;
	int partial = 0, sorted = 1;

	while ((de = readdir(d))) {
		uint64_t ino;
		int r;

		if (de->d_name[0] == '.')
			continue;
		r = procmap_readlink(m, dirfd(d), de->d_name, &ino);
		if (r < 0)
			partial = 1;
		if (r <= 0)
			continue;
		if (procmap_tmp_push(m, &n, atoi(de->d_name), ino) < 0)
			return -1;
		if (n > 1 && m->tmp[n - 2].fd > m->tmp[n - 1].fd)
			sorted = 0;
	}
	/* /proc lists descriptors in order already, a recorded tree may not. */
	if (!sorted)
		qsort(m->tmp, n, sizeof *m->tmp, procmap_cmp_fd);
	if (procmap_take_tmp(m, p, n) < 0)
		return -1;
	return partial;
}

/* ---- what the kernel counts ---- */

/* Open fds per the st_size of an fd directory (Linux 6.2 counts them
 * there; older kernels, and recorded trees, say something else), or -1
 * while we have not seen it count right. */
static long long procmap_count(struct procmap *m, int fddir)
{
	struct stat st;

	if (!m->counts || fstat(fddir, &st) < 0)
		return -1;
	return (long long)st.st_size;
}

/* After a full read: a count equal to what was read, for a table of some
 * size, is the kernel counting; until then no count is trusted. */
static void procmap_learn_count(struct procmap *m, struct procmap_proc *p, int fddir)
{
	struct stat st;

	if (fstat(fddir, &st) < 0) {
		p->kcount = -1;
		return;
	}
	if (!m->counts && p->n_fds > 2 && (size_t)st.st_size == p->n_fds)
		m->counts = 1;
	p->kcount = m->counts ? (long long)st.st_size : -1;
	/* Changed while we read it: look again next time. */
	if (p->kcount >= 0 && (size_t)p->kcount != p->n_fds)
		p->stale = 1;
}

/* ---- probing: reading only where a table may have changed ---- */

/* An inode the last snapshot held and this one does not: its socket was
 * closed, so the descriptor that held it is free or holds another now. */
static int procmap_vanished(const struct procmap *m, uint64_t ino);

/* An inode more than one process held at the last look. */
static int procmap_shared(const struct procmap *m, uint64_t ino);

/* Reads the descriptors of p that may have changed: those that were not
 * sockets, those whose socket vanished, the holes, and new numbers above
 * the highest (the kernel hands out the lowest free number, so new ones
 * fill holes first). Then p's table is right if the kernel's count agrees;
 * returns 0 then, or -1 when it must be read in full. */
static int procmap_probe(struct procmap *m, struct procmap_proc *p, DIR *d)
{
	int fdd = dirfd(d), maxfd = p->n_fds ? p->fds[p->n_fds - 1].fd : -1;
	long long count = procmap_count(m, fdd);
	size_t holes = (size_t)(maxfd + 1) - p->n_fds, n = 0, j = 0;

	if (count < 0 || holes > p->n_fds / 2 + 64)
		return -1;
	for (int fd = 0; fd <= maxfd; fd++) {
		int has = j < p->n_fds && p->fds[j].fd == fd, r;
		uint64_t ino;

		if (has && p->fds[j].inode && !procmap_vanished(m, p->fds[j].inode) &&
		    !procmap_shared(m, p->fds[j].inode)) {
			if (procmap_tmp_push(m, &n, fd, p->fds[j++].inode) < 0)
				return -1;
			continue;
		}
		j += (size_t)has;
		r = procmap_readlink_fd(m, fdd, fd, &ino);
		if (r < 0 || (r > 0 && procmap_tmp_push(m, &n, fd, ino) < 0))
			return -1;
	}
	for (int fd = maxfd + 1, misses = 0; (long long)n < count && misses < 8; fd++) {
		uint64_t ino;
		int r = procmap_readlink_fd(m, fdd, fd, &ino);

		if (r < 0 || (r > 0 && procmap_tmp_push(m, &n, fd, ino) < 0))
			return -1;
		misses = r > 0 ? 0 : misses + 1;
	}
	if ((long long)n != count)
		return -1;
	if (procmap_take_tmp(m, p, n) < 0)
		return -1;
	p->kcount = count;
	p->probed = m->gen;
	m->stats.probes++;
	return 0;
}

/* ---- reading one process again ---- */

enum procmap_read { PROCMAP_FULL, PROCMAP_PROBE };

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

static int procmap_same_ident(const struct procmap_proc *a, const struct procmap_proc *b)
{
	return a->pgid == b->pgid && a->uid == b->uid && a->starttime == b->starttime &&
	       strcmp(a->comm, b->comm) == 0;
}

/* Reads p's descriptors through an open fd directory: probed when asked and
 * possible, else in full. Returns -1 only when out of memory. */
static int procmap_read_fds(struct procmap *m, struct procmap_proc *p, DIR *d,
                            enum procmap_read how)
{
	int r;

	if (how == PROCMAP_PROBE && procmap_probe(m, p, d) == 0)
		return 0;
	rewinddir(d);
	r = procmap_read_all_fds(m, p, d);
	if (r < 0)
		return -1;
	p->unreadable = r;
	p->scanned = m->gen;
	m->stats.full_scans++;
	procmap_learn_count(m, p, dirfd(d));
	return 0;
}

/* Reads p (pid, and whatever else is known) again from rootfd: who it is,
 * then its descriptors. Every read goes through one <pid> directory fd, so
 * stat, status and fd all describe the one process even if the pid is
 * reused meanwhile. A process that has exited is marked gone. Returns -1
 * only when out of memory. */
static int procmap_read_proc(struct procmap *m, int rootfd, struct procmap_proc *p,
                             enum procmap_read how)
{
	struct procmap_proc was = *p;
	char name[16];
	int pidfd, counted, r = 0;
	DIR *d;

	snprintf(name, sizeof name, "%d", p->pid);
	pidfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pidfd < 0 || procmap_read_ident(pidfd, p) < 0) {
		if (pidfd >= 0)
			close(pidfd);
		p->gone = 1;
		m->dirty |= p->n_fds > 0;
		return 0;
	}
	/* Another process under the same pid: nothing of the old one holds. */
	if (p->starttime != was.starttime)
		how = PROCMAP_FULL;
	if (!procmap_same_ident(&was, p))
		m->dirty = 1;
	if (!was.service_read || !procmap_same_ident(&was, p))
		procmap_read_service(m, pidfd, p);
	p->stale = 0;
	d = procmap_open_fds(pidfd, &counted);
	if (d) {
		r = procmap_read_fds(m, p, d, how);
		closedir(d);
	} else {
		m->dirty |= p->n_fds > 0;
		p->n_fds = 0;
		p->unreadable = counted;
		p->gone = !counted;
	}
	close(pidfd);
	return r;
}

/* ---- the process list: one read of /proc ---- */

static int procmap_cmp_pid(const void *a, const void *b)
{
	const struct procmap_proc *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct procmap_proc *procmap_find(struct procmap_proc *v, size_t n, int pid)
{
	struct procmap_proc key = { .pid = pid };

	return v ? bsearch(&key, v, n, sizeof key, procmap_cmp_pid) : NULL;
}

/* The last refresh's entry for pid, when it is still the same process and
 * may be carried over unread: its token is unchanged and nothing forces a
 * full read. */
static struct procmap_proc *procmap_carry(struct procmap *m, int pid, uint64_t token,
                                          int full)
{
	struct procmap_proc *old = procmap_find(m->procs, m->n_procs, pid);

	if (!old || full || old->token != token)
		return NULL;
	return old;
}

/* The count of a carried process's table, to tell whether it changed. */
static void procmap_check_count(struct procmap *m, int rootfd, const char *name,
                                struct procmap_proc *p)
{
	char path[NAME_MAX + 4];
	struct stat st;

	if (!m->counts || p->unreadable)
		return;
	snprintf(path, sizeof path, "%s/fd", name);
	if (fstatat(rootfd, path, &st, 0) < 0) {
		p->stale = 1;     /* exiting, or racing: read will tell */
		return;
	}
	if ((size_t)st.st_size != p->n_fds)
		p->stale = 1;
	p->kcount = (long long)st.st_size;
}

/* Adds one /proc/<pid> to the scan: carried over when it is the same
 * process, read in full when new. Returns -1 only when out of memory. */
static int procmap_list_pid(struct procmap *m, int rootfd, const char *name, int full)
{
	struct stat st;
	struct procmap_proc *old, *p;

	if (fstatat(rootfd, name, &st, 0) < 0)
		return 0;
	if (room_reserve(&m->scan, &m->cap_scan, m->n_scan + 1, sizeof *m->scan, 16) < 0)
		return -1;
	p = &m->scan[m->n_scan++];
	old = procmap_carry(m, atoi(name), (uint64_t)st.st_ino, full);
	if (old) {
		*p = *old;
		old->fds = NULL;
		old->n_fds = old->cap_fds = 0;
		procmap_check_count(m, rootfd, name, p);
		return 0;
	}
	memset(p, 0, sizeof *p);
	p->pid = atoi(name);
	p->token = (uint64_t)st.st_ino;
	p->kcount = -1;
	m->dirty = 1;             /* a process came, or came back changed */
	if (procmap_read_proc(m, rootfd, p, PROCMAP_FULL) < 0)
		return -1;
	if (p->gone) {
		free(p->fds);
		m->n_scan--;
	}
	return 0;
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

/* The scan becomes the process list; old entries not carried over are
 * processes that have gone. Both arrays are kept to reuse their memory. */
static void procmap_commit_scan(struct procmap *m)
{
	struct procmap_proc *t = m->procs;
	size_t cap = m->cap_procs;

	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i].n_fds)
			m->dirty = 1;
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

/* Walks the root once into the process list. Returns -1 with errno when
 * it cannot be read, -2 when out of memory. */
static int procmap_list(struct procmap *m, int rootfd, int full)
{
	int fd = dup(rootfd);
	struct dirent *de;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	int r = 0;

	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	m->n_scan = 0;
	/* Only thread-group leaders are listed in /proc; threads share their
	 * fd table, so walking tasks would only find the same owners again. */
	while (r == 0 && (de = readdir(d)))
		if (procmap_is_pid(de->d_name) && procmap_list_pid(m, rootfd, de->d_name, full) < 0)
			r = -2;
	closedir(d);
	procmap_commit_scan(m);
	return r;
}

/* Drops processes found gone while being read again. */
static void procmap_compact(struct procmap *m)
{
	size_t keep = 0;

	for (size_t i = 0; i < m->n_procs; i++) {
		if (m->procs[i].gone)
			free(m->procs[i].fds);
		else
			m->procs[keep++] = m->procs[i];
	}
	m->n_procs = keep;
}

/* ---- the inode index ---- */

static size_t procmap_hash(uint64_t inode, size_t mask)
{
	return (size_t)((inode * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

static const struct procmap_slot *procmap_slot(const struct procmap *m, uint64_t inode)
{
	if (!m->n_slots || !inode)
		return NULL;
	size_t mask = m->n_slots - 1;
	for (size_t h = procmap_hash(inode, mask); m->slots[h].inode; h = (h + 1) & mask)
		if (m->slots[h].inode == inode)
			return &m->slots[h];
	return NULL;
}

static int procmap_vanished(const struct procmap *m, uint64_t ino)
{
	const struct procmap_slot *s = procmap_slot(m, ino);

	return s && m->gen > 1 && s->seen == m->gen - 1;
}

static int procmap_shared(const struct procmap *m, uint64_t ino)
{
	const struct procmap_slot *s = procmap_slot(m, ino);

	return s && m->nodes[s->set].depth > 1;
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

static size_t procmap_node_hash(uint32_t parent, int pid, size_t mask)
{
	uint64_t k = (uint64_t)parent << 32 | (uint32_t)pid;
	return procmap_hash(k + 1, mask);
}

static int procmap_nodemap_grow(struct procmap *m)
{
	size_t n = m->n_nodemap ? m->n_nodemap * 2 : 64, mask = n - 1;
	uint32_t *map = calloc(n, sizeof *map);

	if (!map)
		return -1;
	for (uint32_t id = 1; id < m->n_nodes; id++) {
		size_t h = procmap_node_hash(m->nodes[id].parent, m->nodes[id].pid, mask);
		while (map[h])
			h = (h + 1) & mask;
		map[h] = id;
	}
	free(m->nodemap);
	m->nodemap = map;
	m->n_nodemap = n;
	return 0;
}

/* The set parent + procs[proc]: found, or made. 0 when out of memory (0,
 * the empty set, is never a child). */
static uint32_t procmap_node_child(struct procmap *m, uint32_t parent, size_t proc)
{
	int pid = m->procs[proc].pid;
	size_t mask, h;

	if ((m->n_nodes + 1) * 2 > m->n_nodemap && procmap_nodemap_grow(m) < 0)
		return 0;
	mask = m->n_nodemap - 1;
	for (h = procmap_node_hash(parent, pid, mask); m->nodemap[h]; h = (h + 1) & mask) {
		const struct procmap_node *n = &m->nodes[m->nodemap[h]];
		if (n->parent == parent && n->pid == pid)
			return m->nodemap[h];
	}
	if (m->n_nodes >= UINT32_MAX ||
	    room_reserve(&m->nodes, &m->cap_nodes, m->n_nodes + 1, sizeof *m->nodes, 16) < 0)
		return 0;
	m->nodes[m->n_nodes] = (struct procmap_node){
		.parent = parent, .pid = pid, .depth = m->nodes[parent].depth + 1,
		.proc = proc, .first = SIZE_MAX,
	};
	m->nodemap[h] = (uint32_t)m->n_nodes;
	return (uint32_t)m->n_nodes++;
}

static void procmap_reset_nodes(struct procmap *m)
{
	m->n_nodes = 1;           /* the root: the empty set */
	m->nodes[0] = (struct procmap_node){ .first = SIZE_MAX };
	if (m->nodemap)
		memset(m->nodemap, 0, m->n_nodemap * sizeof *m->nodemap);
}

/* Adds procs[i]'s sockets to the slots. Processes come in pid order, so
 * each set's owners come out sorted, and a socket already ending in this
 * process (held on two fds) is not added twice. */
static int procmap_index_proc(struct procmap *m, size_t i)
{
	const struct procmap_proc *p = &m->procs[i];
	size_t mask = m->n_slots - 1;

	for (size_t k = 0; k < p->n_fds; k++) {
		uint64_t ino = p->fds[k].inode;
		size_t h;

		if (!ino)
			continue;
		for (h = procmap_hash(ino, mask); m->slots[h].inode; h = (h + 1) & mask)
			if (m->slots[h].inode == ino)
				break;
		struct procmap_slot *s = &m->slots[h];
		if (s->inode && m->nodes[s->set].pid == p->pid)
			continue;
		uint32_t set = procmap_node_child(m, s->inode ? s->set : 0, i);
		if (!set)
			return -1;
		s->inode = ino;
		s->set = set;
	}
	return 0;
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
	if (room_reserve(&m->users, &m->cap_users, m->n_users + 1, sizeof key, 16) < 0)
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

/* ---- owner sets ---- */

static void procmap_fill_owner(struct sock_owner *o, const struct procmap_proc *p,
                               const struct procmap_user *u)
{
	/* Whole-struct zeroing: the table compares owners with memcmp, so the
	 * bytes after each string's NUL and the padding must be set. */
	memset(o, 0, sizeof *o);
	o->pid = p->pid;
	o->pgid = p->pgid;
	o->uid = p->uid;
	o->starttime = p->starttime;
	memcpy(o->comm, p->comm, strnlen(p->comm, sizeof o->comm - 1));
	memcpy(o->user, u->name, strnlen(u->name, sizeof o->user - 1));
	memcpy(o->service, p->service, strnlen(p->service, sizeof o->service - 1));
}

/* Writes node's owners at its place in m->owners, from the last (highest
 * pid) back along its parents. */
static int procmap_fill_set(struct procmap *m, uint32_t node)
{
	struct sock_owner *o = &m->owners[m->nodes[node].first];

	for (uint32_t id = node, k = m->nodes[node].depth; id; id = m->nodes[id].parent) {
		const struct procmap_proc *p = &m->procs[m->nodes[id].proc];
		struct procmap_user *u = procmap_user(m, p->uid);

		if (!u)
			return -1;
		u->gen = m->gen;
		procmap_fill_owner(&o[--k], p, u);
	}
	return 0;
}

/* Gives every set some socket uses its own run of owners. */
static int procmap_fill_sets(struct procmap *m)
{
	size_t total = 0;

	for (size_t h = 0; h < m->n_slots; h++) {
		struct procmap_node *n = &m->nodes[m->slots[h].set];
		if (m->slots[h].inode && n->first == SIZE_MAX) {
			n->first = total;
			total += n->depth;
		}
	}
	if (room_reserve(&m->owners, &m->cap_owners, total, sizeof *m->owners, 16) < 0)
		return -1;
	m->n_owners = total;
	for (uint32_t id = 1; id < m->n_nodes; id++)
		if (m->nodes[id].first != SIZE_MAX && procmap_fill_set(m, id) < 0)
			return -1;
	return 0;
}

/* A new version for a new index: the monotonic clock in nanoseconds (or
 * one more than the last), so a map freed and another made at the same
 * address never repeat a version a table saw. */
static void procmap_bump_version(struct procmap *m)
{
	struct timespec ts;
	unsigned long now = 0;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		now = (unsigned long)ts.tv_sec * 1000000000ul + (unsigned long)ts.tv_nsec;
	m->version = now > m->version ? now : m->version + 1;
}

/* Rebuilds slots, sets and owners from procs; on failure the index is left
 * empty rather than half built, and the next refresh reads everything. */
static int procmap_build_index(struct procmap *m)
{
	size_t keys = 0;

	for (size_t i = 0; i < m->n_procs; i++)
		keys += m->procs[i].n_fds;
	if (procmap_size_slots(m, keys) == 0 &&
	    room_reserve(&m->nodes, &m->cap_nodes, 1, sizeof *m->nodes, 16) == 0) {
		size_t i = 0;

		procmap_reset_nodes(m);
		while (i < m->n_procs && procmap_index_proc(m, i) == 0)
			i++;
		if (i == m->n_procs && procmap_fill_sets(m) == 0) {
			procmap_prune_users(m);
			m->built = 1;
			m->dirty = 0;
			procmap_bump_version(m);
			return 0;
		}
	}
	m->n_owners = 0;
	if (m->slots)
		memset(m->slots, 0, m->n_slots * sizeof *m->slots);
	m->built = 0;
	procmap_bump_version(m);
	return -1;
}

/* ---- the snapshot against the index ---- */

static int procmap_cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return (*x > *y) - (*x < *y);
}

static int procmap_has(const uint64_t *v, size_t n, uint64_t ino)
{
	return v && bsearch(&ino, v, n, sizeof ino, procmap_cmp_u64) != NULL;
}

/* Marks the snapshot's inodes seen in this refresh, and lists the ones the
 * index does not know in m->want, sorted by inode. */
static int procmap_mark(struct procmap *m, const struct sock_list *snap)
{
	m->n_want = 0;
	for (size_t i = 0; i < snap->n; i++) {
		const struct sock_rec *r = &snap->v[i];
		struct procmap_slot *s = (struct procmap_slot *)procmap_slot(m, r->inode);

		if (s) {
			s->seen = m->gen;
			continue;
		}
		if (!r->inode)
			continue;
		if (room_reserve(&m->want, &m->cap_want, m->n_want + 1, sizeof *m->want, 16) < 0)
			return -1;
		m->want[m->n_want++] = (struct procmap_want){ r->inode, r->uid, 0 };
	}
	if (m->n_want)   /* qsort must not get a NULL array, even empty */
		qsort(m->want, m->n_want, sizeof *m->want, procmap_cmp_u64);
	return 0;
}

/* Processes that held a socket gone from this snapshot are read again. */
static void procmap_flag_vanished(struct procmap *m)
{
	for (size_t h = 0; h < m->n_slots; h++) {
		if (!m->slots[h].inode || !procmap_vanished(m, m->slots[h].inode))
			continue;
		for (uint32_t id = m->slots[h].set; id; id = m->nodes[id].parent) {
			struct procmap_proc *p = procmap_find(m->procs, m->n_procs, m->nodes[id].pid);
			if (p)
				p->stale = 1;
		}
	}
}

/* Counts the wanted inodes p holds as found; returns how many are left. */
static size_t procmap_found_in(struct procmap *m, const struct procmap_proc *p, size_t left)
{
	for (size_t k = 0; k < p->n_fds && left; k++) {
		struct procmap_want key = { .inode = p->fds[k].inode }, *w;

		if (!key.inode)
			continue;
		w = bsearch(&key, m->want, m->n_want, sizeof key, procmap_cmp_u64);
		if (w && !w->found) {
			w->found = 1;
			left--;
		}
	}
	return left;
}

static int procmap_wants_uid(const struct procmap *m, const struct procmap_proc *p,
                             int pending_only)
{
	for (size_t i = 0; i < m->n_want; i++) {
		const struct procmap_want *w = &m->want[i];
		if (w->found || (pending_only && !procmap_has(m->pending, m->n_pending, w->inode)))
			continue;
		if (w->uid == p->uid || w->uid == p->euid || w->uid == p->fsuid)
			return 1;
	}
	return 0;
}

/* One round of looking for the wanted inodes: among processes of their
 * uids (probed, or read in full), or among all readable processes.
 * Returns how many are left, or SIZE_MAX when out of memory. */
enum procmap_round { PROCMAP_UID_PROBE, PROCMAP_UID_FULL, PROCMAP_ALL_FULL };

static size_t procmap_search_round(struct procmap *m, int rootfd, size_t left,
                                   enum procmap_round round)
{
	for (size_t i = 0; i < m->n_procs && left; i++) {
		struct procmap_proc *p = &m->procs[i];

		if (p->gone || p->unreadable || p->scanned == m->gen || p->kcount == 0)
			continue;
		if (round == PROCMAP_UID_PROBE && p->probed == m->gen)
			continue;
		if (round != PROCMAP_ALL_FULL &&
		    !procmap_wants_uid(m, p, round == PROCMAP_UID_FULL))
			continue;
		if (procmap_read_proc(m, rootfd, p, round == PROCMAP_UID_PROBE
		                      ? PROCMAP_PROBE : PROCMAP_FULL) < 0)
			return SIZE_MAX;
		if (!p->gone)
			left = procmap_found_in(m, p, left);
	}
	return left;
}

static int procmap_wants_pending(const struct procmap *m)
{
	for (size_t i = 0; i < m->n_want; i++)
		if (!m->want[i].found && procmap_has(m->pending, m->n_pending, m->want[i].inode))
			return 1;
	return 0;
}

/* Looks for sockets in snap that nobody is known to hold: new ones among
 * the processes of their uid (cheap probes) now; those still unowned since
 * the last refresh everywhere (full reads), now that a socket closed
 * between the dump and our look has had time to leave the snapshot. */
static int procmap_search(struct procmap *m, int rootfd)
{
	size_t left = 0, pend = 0;

	for (size_t i = 0; i < m->n_want; i++) {
		m->want[i].found = procmap_has(m->missed, m->n_missed, m->want[i].inode);
		left += !m->want[i].found;
		pend += !m->want[i].found &&
		        procmap_has(m->pending, m->n_pending, m->want[i].inode);
	}
	if (left)
		left = procmap_search_round(m, rootfd, left, PROCMAP_UID_PROBE);
	if (left && left != SIZE_MAX && pend)
		left = procmap_search_round(m, rootfd, left, PROCMAP_UID_FULL);
	if (left && left != SIZE_MAX && pend && procmap_wants_pending(m))
		left = procmap_search_round(m, rootfd, left, PROCMAP_ALL_FULL);
	return left == SIZE_MAX ? -1 : 0;
}

/* ---- holders that may have passed a socket on ---- */

static int procmap_cmp_check(const void *a, const void *b)
{
	const struct procmap_check *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->inode > y->inode) - (x->inode < y->inode);
}

/* 1 when node set holds pid. */
static int procmap_set_has(const struct procmap *m, uint32_t set, int pid)
{
	for (uint32_t id = set; id; id = m->nodes[id].parent)
		if (m->nodes[id].pid == pid)
			return 1;
	return 0;
}

/* Queues a check of every earlier holder of the sockets p holds that p did
 * not hold before: a socket that turns up in a new process may have been
 * passed on (SCM_RIGHTS, fork then close), and its sender's descriptor
 * number may hold something else by now, with the sender's count, and so
 * its probe, none the wiser. */
static int procmap_queue_checks(struct procmap *m, const struct procmap_proc *p)
{
	for (size_t k = 0; k < p->n_fds; k++) {
		const struct procmap_slot *s = procmap_slot(m, p->fds[k].inode);

		if (!s || procmap_set_has(m, s->set, p->pid))
			continue;
		for (uint32_t id = s->set; id; id = m->nodes[id].parent) {
			if (room_reserve(&m->check, &m->cap_check, m->n_check + 1,
			                 sizeof *m->check, 16) < 0)
				return -1;
			m->check[m->n_check++] = (struct procmap_check){ m->nodes[id].pid,
			                                                 p->fds[k].inode };
		}
	}
	return 0;
}

/* Reads one by one the descriptors of q that should still hold the inodes
 * of check[0..n) (all q's, sorted by inode); 1 when one does not. */
static int procmap_check_proc(struct procmap *m, int rootfd, const struct procmap_proc *q,
                              const struct procmap_check *check, size_t n)
{
	for (size_t k = 0; k < q->n_fds; k++) {
		struct procmap_check key = { q->pid, q->fds[k].inode };
		char path[48];
		uint64_t ino;

		if (!key.inode || !bsearch(&key, check, n, sizeof key, procmap_cmp_check))
			continue;
		snprintf(path, sizeof path, "%d/fd/%d", q->pid, q->fds[k].fd);
		if (procmap_readlink(m, rootfd, path, &ino) <= 0 || ino != key.inode)
			return 1;
	}
	return 0;
}

/* Checks the earlier holders of sockets that changed hands in this refresh,
 * and reads again in full any that no longer hold one where it was. */
static int procmap_check_holders(struct procmap *m, int rootfd)
{
	m->n_check = 0;
	if (!m->built)
		return 0;
	for (size_t i = 0; i < m->n_procs; i++) {
		const struct procmap_proc *p = &m->procs[i];

		if (!p->gone && (p->probed == m->gen || p->scanned == m->gen) &&
		    procmap_queue_checks(m, p) < 0)
			return -1;
	}
	if (!m->n_check)
		return 0;
	qsort(m->check, m->n_check, sizeof *m->check, procmap_cmp_check);
	for (size_t a = 0, b; a < m->n_check; a = b) {
		struct procmap_proc *q = procmap_find(m->procs, m->n_procs, m->check[a].pid);

		for (b = a; b < m->n_check && m->check[b].pid == m->check[a].pid; b++)
			;
		if (!q || q->gone || q->unreadable || q->scanned == m->gen)
			continue;
		if (procmap_check_proc(m, rootfd, q, &m->check[a], b - a) &&
		    procmap_read_proc(m, rootfd, q, PROCMAP_FULL) < 0)
			return -1;
	}
	return 0;
}

/* ---- the safety net ---- */

/* Reads in full the next processes in pid order, about 1/PROCMAP_FULL_EVERY
 * (full_every) of all descriptors per refresh on average (a process with few counts as
 * 16), so every table is read whole about once every full_every refreshes. A large table read at once is paid back by the
 * refreshes after it reading nothing. */
static int procmap_safety_net(struct procmap *m, int rootfd)
{
	size_t total = 0, start = 0;

	if (!m->n_procs || !m->full_every)
		return 0;
	for (size_t i = 0; i < m->n_procs; i++)
		total += m->procs[i].n_fds + 16;
	m->credit += (long long)(total / m->full_every) + 1;
	if (m->credit > (long long)total)
		m->credit = (long long)total;
	while (start < m->n_procs && m->procs[start].pid < m->cursor)
		start++;
	for (size_t k = 0; k < m->n_procs && m->credit > 0; k++) {
		struct procmap_proc *p = &m->procs[(start + k) % m->n_procs];

		m->cursor = p->pid + 1;
		if (p->gone || p->scanned == m->gen)
			continue;
		m->credit -= (long long)p->n_fds + 16;
		if (procmap_read_proc(m, rootfd, p, PROCMAP_FULL) < 0)
			return -1;
	}
	return 0;
}

/* Everything was just read: the safety net owes a whole round. */
static void procmap_credit_after_full(struct procmap *m)
{
	m->credit = 0;
	for (size_t i = 0; i < m->n_procs; i++)
		m->credit -= (long long)m->procs[i].n_fds + 16;
}

/* ---- one refresh ---- */

/* Reads the processes that something flagged: their count changed, or a
 * socket they held left the snapshot. */
static int procmap_read_stale(struct procmap *m, int rootfd)
{
	for (size_t i = 0; i < m->n_procs; i++) {
		struct procmap_proc *p = &m->procs[i];
		if (p->stale && !p->gone && !p->unreadable && p->scanned != m->gen &&
		    procmap_read_proc(m, rootfd, p, PROCMAP_PROBE) < 0)
			return -1;
	}
	return 0;
}

static int procmap_put_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (room_reserve(v, cap, *n + 1, sizeof **v, 16) < 0)
		return -1;
	(*v)[(*n)++] = x;
	return 0;
}

/* What is still unowned after this refresh: a socket searched everywhere
 * (or found unowned by a full read) is not looked for again, only by the
 * safety net; one seen unowned for the first time is pending, for a wider
 * search next time. */
static int procmap_remember_unowned(struct procmap *m, int full)
{
	uint64_t *missed = NULL, *pending = NULL;
	size_t n_missed = 0, cap_missed = 0, n_pending = 0, cap_pending = 0;
	int r = 0;

	for (size_t i = 0; i < m->n_want && r == 0; i++) {
		uint64_t ino = m->want[i].inode;
		if (full || procmap_has(m->missed, m->n_missed, ino) ||
		    procmap_has(m->pending, m->n_pending, ino))
			r = procmap_put_u64(&missed, &n_missed, &cap_missed, ino);
		else
			r = procmap_put_u64(&pending, &n_pending, &cap_pending, ino);
	}
	free(m->missed);
	free(m->pending);
	m->missed = missed;
	m->n_missed = n_missed;
	m->cap_missed = cap_missed;
	m->pending = pending;
	m->n_pending = n_pending;
	m->cap_pending = cap_pending;
	m->stats.unowned = m->n_want;
	return r;
}

/* The incremental part: hints, searches and the safety net. */
static int procmap_update(struct procmap *m, int rootfd, const struct sock_list *snap)
{
	if (procmap_mark(m, snap) < 0)
		return -1;
	procmap_flag_vanished(m);
	if (procmap_read_stale(m, rootfd) < 0 || procmap_search(m, rootfd) < 0 ||
	    procmap_check_holders(m, rootfd) < 0 || procmap_safety_net(m, rootfd) < 0)
		return -1;
	return 0;
}

static size_t procmap_count_unreadable(const struct procmap *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_procs; i++)
		n += (size_t)m->procs[i].unreadable;
	return n;
}

static int procmap_refresh_at(struct procmap *m, int rootfd, const struct sock_list *snap)
{
	int full = !snap || !m->built;
	int r = procmap_list(m, rootfd, full);

	if (r == -1)
		return -1;
	if (r == 0 && !full)
		r = procmap_update(m, rootfd, snap) < 0 ? -2 : 0;
	if (full)
		procmap_credit_after_full(m);
	procmap_compact(m);
	m->unreadable = procmap_count_unreadable(m);
	m->stats.procs = m->n_procs;
	unsigned long before = m->version;
	if (r == 0 && (m->dirty || !m->built))
		r = procmap_build_index(m) < 0 ? -2 : 0;
	/* A new index has lost the marks, and may own what was wanted. */
	if (r == 0 && snap && (full || m->version != before))
		r = procmap_mark(m, snap) < 0 ? -2 : 0;
	if (r == 0 && snap)
		r = procmap_remember_unowned(m, full) < 0 ? -2 : 0;
	if (r < 0)
		m->built = 0;
	return r;
}

/* ---- public ---- */

int procmap_refresh_for(struct procmap *m, const struct sock_list *snap,
                        char *err, size_t errlen)
{
	int rootfd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	m->gen++;
	memset(&m->stats, 0, sizeof m->stats);
	r = rootfd < 0 ? -1 : procmap_refresh_at(m, rootfd, snap);
	if (r == -1 && err && errlen)
		snprintf(err, errlen, "%s: %s", m->root, strerror(errno));
	if (r == -2 && err && errlen)
		snprintf(err, errlen, "process owners: out of memory");
	if (rootfd >= 0)
		close(rootfd);
	return r < 0 ? -1 : 0;
}

int procmap_refresh(struct procmap *m, char *err, size_t errlen)
{
	return procmap_refresh_for(m, NULL, err, errlen);
}

void procmap_set_full_every(struct procmap *m, unsigned refreshes)
{
	m->full_every = refreshes;
}

void procmap_stats(const struct procmap *m, struct procmap_stats *out)
{
	*out = m->stats;
}

size_t procmap_fd_room(const struct procmap *m, int pid)
{
	const struct procmap_proc *p = procmap_find(m->procs, m->n_procs, pid);

	return p ? p->cap_fds : 0;
}

size_t procmap_lookup(const struct procmap *m, uint64_t inode,
                      const struct sock_owner **out)
{
	const struct procmap_slot *s = procmap_slot(m, inode);

	*out = NULL;
	if (!s)
		return 0;
	*out = &m->owners[m->nodes[s->set].first];
	return m->nodes[s->set].depth;
}

unsigned long procmap_version(const struct procmap *m)
{
	return m->version;
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
