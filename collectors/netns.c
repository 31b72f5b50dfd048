/* netns.c — the network namespaces in use, their names, and one sock_diag
 * socket opened inside each: discovery from /proc and /run/netns, and the
 * one function that enters a namespace (netns_enter_and_open). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlink.h"
#include "netns.h"
#include "note.h"
#include "procnet.h"
#include "sockstat.h"

#define NETNS_CAP_SYS_ADMIN 21   /* linux/capability.h */
/* A process's namespace link is read again at least this often (scans),
 * for a process that moved with setns(2) or unshare(2). */
#define NETNS_RECHECK_SCANS 30

/* What the last scan knew of one /proc/<pid>. */
struct netns_pid {
	int pid;
	uint64_t token;   /* inode of its /proc directory: new for a new process */
	uint64_t ino;     /* its namespace, 0 when the link could not be read */
	unsigned first;   /* the scan that first read this process's link */
};

struct netns_set {
	char *proc_root, *run_dir;
	struct netns_space *v;
	size_t n, cap;
	unsigned gen;
	uint64_t host_ino, self_ino;
	/* The pid cache, sorted by pid, and the scan being built beside it
	 * (the two arrays swap, to reuse their memory). */
	struct netns_pid *pids, *scan;
	size_t npids, cap_pids, nscan, cap_scan;
	unsigned long links_read;    /* process links read by readlink, ever */
	/* Names handed out in records: kept until netns_free, never moved or
	 * changed, so records (and events, and the screen's rows) may point
	 * at them from any thread. Grows by one per distinct name ever seen. */
	char **names;
	size_t nnames, namecap;
	int self_fd;                 /* our own namespace, to come back; -1 */
	int stranded;                /* coming back failed once: enter no more */
	int watch;                   /* netns_watch asked: open watches too */
	unsigned watch_want;
	int watch_refused;           /* a watch was refused: said once */
	struct note note;
};

#define netns_note(s, ...) note_add(&(s)->note, __VA_ARGS__)

const char *netns_take_note(struct netns_set *s)
{
	return note_take(&s->note);
}

struct netns_set *netns_new(const char *proc_root, const char *run_dir)
{
	struct netns_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->self_fd = -1;
	s->proc_root = strdup(proc_root);
	s->run_dir = strdup(run_dir);
	if (!s->proc_root || !s->run_dir) {
		netns_free(s);
		return NULL;
	}
	return s;
}

static void netns_space_drop(struct netns_space *ns)
{
	netlink_close(ns->nl);
	netlink_watch_close(ns->watch);
	free(ns->named);
}

void netns_free(struct netns_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		netns_space_drop(&s->v[i]);
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i]);
	if (s->self_fd >= 0)
		close(s->self_fd);
	free(s->names);
	free(s->pids);
	free(s->scan);
	free(s->v);
	free(s->proc_root);
	free(s->run_dir);
	free(s);
}

int netns_parse_link(const char *text, uint64_t *inode)
{
	char *end;
	unsigned long long v;

	if (strncmp(text, "net:[", 5) != 0 || text[5] < '0' || text[5] > '9')
		return -1;
	errno = 0;
	v = strtoull(text + 5, &end, 10);
	if (errno || v == 0 || strcmp(end, "]") != 0)
		return -1;
	*inode = v;
	return 0;
}

/* The namespace a /proc/<pid>/ns/net style link names, or 0. */
static uint64_t netns_read_link(const char *path)
{
	char buf[64];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	uint64_t ino = 0;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return netns_parse_link(buf, &ino) == 0 ? ino : 0;
}

static uint64_t netns_link_of(const struct netns_set *s, const char *who)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/ns/net", s->proc_root, who);
	return netns_read_link(path);
}

/* ---- names ---- */

/* The pool's copy of text, added when new. NULL when out of memory. */
static const char *netns_intern(struct netns_set *s, const char *text)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i], text) == 0)
			return s->names[i];
	if (s->nnames == s->namecap) {
		size_t cap = s->namecap ? s->namecap * 2 : 16;
		char **v = realloc(s->names, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->names = v;
		s->namecap = cap;
	}
	char *copy = strdup(text);
	if (!copy)
		return NULL;
	s->names[s->nnames++] = copy;
	return copy;
}

/* A /run/netns name, else "host" for pid 1's namespace, else "net:[N]". */
static int netns_name_space(struct netns_set *s, struct netns_space *ns)
{
	char text[64];
	const char *want = text;

	if (ns->named)
		want = strrchr(ns->named, '/') + 1;
	else if (ns->host)
		want = "host";
	else
		snprintf(text, sizeof(text), "net:[%" PRIu64 "]", ns->inode);
	if (ns->name && strcmp(ns->name, want) == 0)
		return 0;
	ns->name = netns_intern(s, want);
	return ns->name ? 0 : -1;
}

/* ---- discovery ---- */

static struct netns_space *netns_find_or_add(struct netns_set *s, uint64_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].inode == ino)
			return &s->v[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct netns_space *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	struct netns_space *ns = &s->v[s->n++];
	memset(ns, 0, sizeof(*ns));
	ns->inode = ino;
	return ns;
}

/* Marks ns found by this scan. Its lowest pid stands for it: the oldest
 * process, as a rule, and the same one whatever order /proc lists them. */
static void netns_mark(struct netns_set *s, struct netns_space *ns, int pid)
{
	if (ns->seen != s->gen) {
		ns->seen = s->gen;
		ns->pid = 0;
		free(ns->named);
		ns->named = NULL;
	}
	if (pid && (!ns->pid || pid < ns->pid))
		ns->pid = pid;
}

static int netns_pid_of(const char *name)
{
	char *end;
	long pid;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	pid = strtol(name, &end, 10);
	return *end == '\0' && pid > 0 && pid <= INT32_MAX ? (int)pid : 0;
}

static int netns_cmp_pid(const void *a, const void *b)
{
	const struct netns_pid *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The last scan's entry for pid, or NULL. */
static const struct netns_pid *netns_pid_find(const struct netns_set *s, int pid)
{
	struct netns_pid key = { .pid = pid };

	return s->pids ? bsearch(&key, s->pids, s->npids, sizeof(key), netns_cmp_pid) : NULL;
}

/* Whether pid's link must be read again, or its last answer still holds:
 * read when the process is new (a pid unknown, or its /proc directory a
 * new inode: a reused pid), once more at the scan after it was first read
 * (a new process often enters its namespace just after it starts:
 * `unshare -n`, `ip netns exec`, container runtimes), and each pid again
 * every NETNS_RECHECK_SCANS scans, staggered by pid, as a process may
 * move with setns(2) or unshare(2) and keep its pid and directory. */
static int netns_pid_stale(const struct netns_set *s, const struct netns_pid *old,
                           uint64_t token)
{
	if (!old || old->token != token)
		return 1;
	if (old->first + 1 == s->gen)
		return 1;
	return (old->pid + s->gen) % NETNS_RECHECK_SCANS == 0;
}

/* One /proc entry into s->scan: its namespace from the last scan when it
 * still holds, else from its link (token is the directory's inode, which
 * readdir gives for free). Returns -1 only when out of memory. */
static int netns_scan_pid(struct netns_set *s, int pid, uint64_t token)
{
	const struct netns_pid *old = netns_pid_find(s, pid);
	struct netns_pid *p;

	if (s->nscan == s->cap_scan) {
		size_t cap = s->cap_scan ? s->cap_scan * 2 : 256;
		struct netns_pid *v = realloc(s->scan, cap * sizeof(*v));
		if (!v)
			return -1;
		s->scan = v;
		s->cap_scan = cap;
	}
	p = &s->scan[s->nscan++];
	if (!netns_pid_stale(s, old, token)) {
		*p = *old;
		return 0;
	}
	char name[16];
	snprintf(name, sizeof(name), "%d", pid);
	p->pid = pid;
	p->token = token;
	p->first = old && old->token == token ? old->first : s->gen;
	p->ino = netns_link_of(s, name);
	s->links_read++;
	return 0;
}

/* The scan becomes the pid cache; pids not listed again are gone. */
static void netns_commit_pids(struct netns_set *s)
{
	struct netns_pid *t = s->pids;
	size_t cap = s->cap_pids;
	int sorted = 1;

	for (size_t i = 1; i < s->nscan && sorted; i++)
		sorted = s->scan[i - 1].pid < s->scan[i].pid;
	/* /proc lists pids in order; a recorded tree may not. */
	if (!sorted)
		qsort(s->scan, s->nscan, sizeof(*s->scan), netns_cmp_pid);
	s->pids = s->scan;
	s->npids = s->nscan;
	s->cap_pids = s->cap_scan;
	s->scan = t;
	s->cap_scan = cap;
	s->nscan = 0;
}

/* Every process's namespace, mostly from the cache: a steady scan costs
 * one listing of /proc (getdents) and a readlink for few processes. */
static int netns_scan_procs(struct netns_set *s, char *err, size_t errlen)
{
	DIR *d = opendir(s->proc_root);
	struct dirent *de;

	if (!d) {
		snprintf(err, errlen, "%s: %s", s->proc_root, strerror(errno));
		return -1;
	}
	s->nscan = 0;
	while ((de = readdir(d)) != NULL) {
		int pid = netns_pid_of(de->d_name);

		if (pid && netns_scan_pid(s, pid, (uint64_t)de->d_ino) < 0) {
			closedir(d);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	closedir(d);
	netns_commit_pids(s);
	for (size_t i = 0; i < s->npids; i++) {
		struct netns_space *ns;

		if (!s->pids[i].ino)
			continue; /* gone, or its link hidden from us */
		if (!(ns = netns_find_or_add(s, s->pids[i].ino))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		netns_mark(s, ns, s->pids[i].pid);
	}
	return 0;
}

/* One /run/netns entry: `ip netns add` bind-mounts the namespace there, so
 * stat shows the namespace's inode. Several names for one namespace: the
 * first in byte order wins, whatever order the directory lists them. */
static int netns_scan_named(struct netns_set *s, const char *name)
{
	char path[512];
	struct stat st;
	struct netns_space *ns;

	if (snprintf(path, sizeof(path), "%s/%s", s->run_dir, name) >= (int)sizeof(path) ||
	    stat(path, &st) < 0)
		return 0;
	if (!(ns = netns_find_or_add(s, (uint64_t)st.st_ino)))
		return -1;
	netns_mark(s, ns, 0);
	if (ns->named && strcmp(strrchr(ns->named, '/') + 1, name) <= 0)
		return 0;
	free(ns->named);
	ns->named = strdup(path);
	return ns->named ? 0 : -1;
}

/* A missing run_dir is the usual case: no namespace was ever named. */
static int netns_scan_run_dir(struct netns_set *s, char *err, size_t errlen)
{
	DIR *d = opendir(s->run_dir);
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (netns_scan_named(s, de->d_name) < 0) {
			closedir(d);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* Forgets the namespaces this scan did not find, closing their sockets
 * (a socket keeps its namespace alive), and names the rest. */
static int netns_settle(struct netns_set *s)
{
	size_t keep = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct netns_space *ns = &s->v[i];

		if (ns->seen != s->gen) {
			netns_space_drop(ns);
			continue;
		}
		ns->host = ns->inode == s->host_ino;
		ns->self = ns->inode == s->self_ino;
		if (netns_name_space(s, ns) < 0)
			return -1;
		s->v[keep++] = *ns;
	}
	s->n = keep;
	return 0;
}

int netns_scan(struct netns_set *s, char *err, size_t errlen)
{
	s->gen++;
	s->self_ino = netns_link_of(s, "self");
	s->host_ino = netns_link_of(s, "1");
	/* pid 1's link is hidden from a process without the right to trace
	 * it; such a process enters no namespace and sees its own as host. */
	if (!s->host_ino)
		s->host_ino = s->self_ino;
	if (netns_scan_procs(s, err, errlen) < 0 || netns_scan_run_dir(s, err, errlen) < 0)
		return -1;
	if (netns_settle(s) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

unsigned long netns_links_read(const struct netns_set *s)
{
	return s->links_read;
}

size_t netns_count(const struct netns_set *s)
{
	return s->n;
}

const struct netns_space *netns_at(const struct netns_set *s, size_t i)
{
	return i < s->n ? &s->v[i] : NULL;
}

uint64_t netns_self_inode(const struct netns_set *s)
{
	return s->self_ino == s->host_ino ? 0 : s->self_ino;
}

const char *netns_self_name(const struct netns_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].self && !s->v[i].host)
			return s->v[i].name;
	return NULL;
}

/* ---- collection ---- */

void netns_watch(struct netns_set *s, unsigned want)
{
	s->watch = 1;
	s->watch_want = want;
}

struct netlink_watch *netns_take_watch(struct netns_set *s, size_t i)
{
	struct netlink_watch *w;

	if (i >= s->n)
		return NULL;
	w = s->v[i].watch;
	s->v[i].watch = NULL;
	return w;
}

/* Inside the namespace being visited: its watch, when asked for. */
static void netns_open_watch(struct netns_set *s, struct netns_space *ns)
{
	char why[256];

	if (!s->watch)
		return;
	ns->watch = netlink_watch_open(s->watch_want, why, sizeof(why));
	if (!ns->watch && !s->watch_refused) {
		s->watch_refused = 1;
		netns_note(s, "closes in network namespace %s are not announced (%s): "
		           "connections there that open and close between two polls are missed",
		           ns->name, why);
	}
}

/* Records of ns from out->v[from] on carry its inode and name (none for
 * the host's). */
static void netns_tag(const struct netns_space *ns, struct sock_list *out, size_t from)
{
	for (size_t i = from; i < out->n; i++) {
		out->v[i].netns = ns->host ? 0 : ns->inode;
		out->v[i].netns_name = ns->host ? NULL : ns->name;
	}
}

/* want without the protocols ns holds no socket of, by the kernel's counts
 * for it (sockstat): a TCP dump, or a read of /proc/<pid>/net/tcp, walks
 * hash tables every namespace shares, so an empty namespace would pay for
 * every other one's sockets. The counts are read through a process's
 * /proc directory, opened once, and trusted only when its link still names
 * ns afterwards (a reused pid would answer for another namespace). A named
 * namespace without a process, or any failure, keeps want whole. */
static unsigned netns_want_here(const struct netns_set *s, const struct netns_space *ns,
                                unsigned want)
{
	char path[512], link[64], why[256];
	struct sockstat_counts c;
	uint64_t ino = 0;
	ssize_t n;
	int dfd;

	if (!ns->pid || !(want & (SOCK_WANT_TCP | SOCK_WANT_UDP)))
		return want;
	snprintf(path, sizeof(path), "%s/%d", s->proc_root, ns->pid);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return want;
	if (sockstat_read(dfd, &c, why, sizeof(why)) < 0 ||
	    (n = readlinkat(dfd, "ns/net", link, sizeof(link) - 1)) <= 0) {
		close(dfd);
		return want;
	}
	close(dfd);
	link[n] = '\0';
	if (netns_parse_link(link, &ino) < 0 || ino != ns->inode)
		return want;
	return sockstat_narrow(&c, want);
}

/* The counts left none of the protocols wanted (a want naming none means
 * every one, as procnet_collect takes it). */
static int netns_nothing_there(unsigned want, unsigned here)
{
	const unsigned protos = SOCK_WANT_TCP | SOCK_WANT_UDP;

	return (want & protos) && !(here & protos);
}

/* Descriptors a namespace's sockets never take: reading /proc and the
 * rest of a poll need them, or the whole table would be lost for one
 * namespace more (ulimit -n 32 with a few containers). */
#define NETNS_FD_RESERVE 16

/* 1 when a namespace's two sockets (dump and watch) fit beside the
 * reserve; 0 with err saying why not. The kernel counts a process's open
 * descriptors in the size of its fd directory (6.2 and later); where it
 * does not, nothing is checked. */
static int netns_fd_room(const struct netns_set *s, char *err, size_t errlen)
{
	struct rlimit rl;
	struct stat st;
	char path[512];

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1;
	snprintf(path, sizeof(path), "%s/self/fd", s->proc_root);
	if (stat(path, &st) < 0 || st.st_size <= 0)
		return 1;
	if ((rlim_t)st.st_size + 2 + NETNS_FD_RESERVE <= rl.rlim_cur)
		return 1;
	snprintf(err, errlen, "too few file descriptors left (ulimit -n %llu)",
	         (unsigned long long)rl.rlim_cur);
	return 0;
}

/* The one place sockeye changes namespace. setns(2) moves only the calling
 * thread, and a netlink socket belongs for life to the namespace it was
 * created in, so: enter ns, create its socket, come straight back. Needs
 * CAP_SYS_ADMIN, and for a process's link the right to trace it. The
 * namespace is opened by path and checked by inode: a pid reused since
 * the scan must not lead into another namespace. */
static struct netlink_source *netns_enter_and_open(struct netns_set *s,
                                                   struct netns_space *ns,
                                                   int *vanished, char *err, size_t errlen)
{
	char path[512];
	struct stat st;
	struct netlink_source *nl;
	int fd;

	if (!netns_fd_room(s, err, errlen))
		return NULL;
	if (ns->pid)
		snprintf(path, sizeof(path), "%s/%d/ns/net", s->proc_root, ns->pid);
	else
		snprintf(path, sizeof(path), "%s", ns->named);
	if (s->self_fd < 0) {
		char self[512];
		snprintf(self, sizeof(self), "%s/self/ns/net", s->proc_root);
		s->self_fd = open(self, O_RDONLY | O_CLOEXEC);
		if (s->self_fd < 0) {
			snprintf(err, errlen, "%.200s: %s", self, strerror(errno));
			return NULL;
		}
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*vanished = errno == ENOENT || errno == ESRCH;
		snprintf(err, errlen, "%.200s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_ino != ns->inode) {
		*vanished = 1;
		snprintf(err, errlen, "%.200s: no longer that namespace", path);
		close(fd);
		return NULL;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "entering %.200s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	nl = netlink_open(err, errlen);
	if (nl)
		netns_open_watch(s, ns);
	if (setns(s->self_fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "returning from %.200s: %s", path, strerror(errno));
		netlink_close(nl);
		netlink_watch_close(ns->watch);
		ns->watch = NULL;
		s->stranded = 1;
		return NULL;
	}
	return nl;
}

static int netns_dump_one(struct netns_set *s, struct netns_space *ns, unsigned want,
                          struct sock_list *out)
{
	char why[256];
	size_t from = out->n;
	int vanished = 0;

	if (!ns->nl && !(ns->nl = netns_enter_and_open(s, ns, &vanished, why, sizeof(why)))) {
		if (s->stranded)
			return -1;
		/* A process that exited since the scan: the next scan says. */
		if (vanished)
			return 0;
		ns->refused = 1;
		netns_note(s, "network namespace %s skipped: %s", ns->name, why);
		return 0;
	}
	unsigned here = netns_want_here(s, ns, want);
	if (netns_nothing_there(want, here))
		return 0;
	if (netlink_collect(ns->nl, here, out, why, sizeof(why)) < 0) {
		ns->refused = 1;
		netns_note(s, "network namespace %s skipped: %s", ns->name, why);
		return 0;
	}
	netns_tag(ns, out, from);
	return 0;
}

int netns_collect_netlink(struct netns_set *s, unsigned want, struct sock_list *out,
                          char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n; i++) {
		struct netns_space *ns = &s->v[i];

		if (ns->self || ns->refused || s->stranded)
			continue;
		if (netns_dump_one(s, ns, want, out) < 0) {
			snprintf(err, errlen, "could not return to sockeye's own network "
			         "namespace; other namespaces are no longer read");
			return -1;
		}
	}
	return 0;
}

int netns_collect_proc(struct netns_set *s, unsigned want, struct sock_list *out,
                       char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (size_t i = 0; i < s->n; i++) {
		struct netns_space *ns = &s->v[i];
		char root[512], why[256];
		size_t from = out->n;
		unsigned here;

		if (ns->self || !ns->pid)
			continue; /* a name without a process has no /proc/<pid>/net */
		here = netns_want_here(s, ns, want);
		if (netns_nothing_there(want, here))
			continue;
		snprintf(root, sizeof(root), "%s/%d", s->proc_root, ns->pid);
		/* The process may have exited since the scan: skipped quietly,
		 * as the next scan will find another or none. */
		if (procnet_collect(root, here, out, why, sizeof(why)) == 0)
			netns_tag(ns, out, from);
	}
	return 0;
}

int netns_can_enter(const char *proc_root)
{
	char path[512], line[256];
	unsigned long long caps = 0;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/status", proc_root);
	if (!(f = fopen(path, "re")))
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapPrm: %llx", &caps) == 1;
	fclose(f);
	return found && (caps >> NETNS_CAP_SYS_ADMIN & 1);
}
