/* netns.h — the network namespaces in use: found from /proc/<pid>/ns/net
 * and /run/netns, named, and each given its own sock_diag socket opened
 * inside it, so a poll dumps every namespace's sockets without entering
 * any (only opening a socket in a new namespace does). */
#ifndef SOCKEYE_NETNS_H
#define SOCKEYE_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include "sock.h"

struct netlink_source;
struct netlink_watch;

/* One namespace as last found. */
struct netns_space {
	uint64_t inode;            /* nsfs inode, as in "net:[N]" */
	const char *name;          /* "host", a /run/netns name, or "net:[N]" */
	int host;                  /* pid 1's namespace */
	int self;                  /* sockeye's own (collected by the caller) */
	int pid;                   /* a process inside, 0 for a named one with none */
	char *named;               /* its /run/netns path when named, else NULL */
	struct netlink_source *nl; /* opened inside it; NULL until then */
	/* Its destroy notifications (netns_watch), opened with nl, until
	 * netns_take_watch hands it on; NULL when not wanted or refused. */
	struct netlink_watch *watch;
	int refused;               /* entering or dumping it failed: noted once */
	unsigned seen;             /* the scan that last found it */
};

struct netns_set;

/* proc_root is "/proc" and run_dir "/run/netns" in real use, recorded or
 * made-up trees in tests. NULL when out of memory. */
struct netns_set *netns_new(const char *proc_root, const char *run_dir);
void netns_free(struct netns_set *s);

/* Finds the namespaces in use now: every process's ns/net link and every
 * name under run_dir (stat: a bind mount of the namespace shows its
 * inode). Names each one, forgets (and closes the socket of) those gone.
 * A process's link is remembered with its /proc directory's inode (a new
 * inode is a new process), so a steady scan lists proc_root and reads the
 * links of new processes only, plus each known one again at the next scan
 * and then every 30 scans (one that moved by setns or unshare keeps its
 * pid). Processes that vanish or hide their link (not ours, while not
 * root) are skipped. Returns 0, or -1 with err when proc_root cannot be
 * listed. */
int netns_scan(struct netns_set *s, char *err, size_t errlen);
/* How many process links the scans have read (readlink calls), ever. */
unsigned long netns_links_read(const struct netns_set *s);

size_t netns_count(const struct netns_set *s);
const struct netns_space *netns_at(const struct netns_set *s, size_t i);
/* The name and inode records of sockeye's own namespace carry: 0 and NULL
 * when it is the host's (or unknown). */
uint64_t netns_self_inode(const struct netns_set *s);
const char *netns_self_name(const struct netns_set *s);

/* Appends the sockets of every namespace but sockeye's own (the caller
 * dumps that one), each record tagged with its namespace. A protocol a
 * namespace holds no socket of, by its counts in /proc/<pid>/net/sockstat
 * (collectors/sockstat), is not dumped there: a dump walks tables every
 * namespace shares, so it costs as much as the whole machine's sockets. A namespace
 * seen for the first time gets its socket here: this thread enters it and
 * comes back (netns_enter_and_open). A namespace that cannot be entered
 * or dumped is skipped, and said once through netns_take_note. Returns 0,
 * or -1 with err when out of memory or when this thread could not come
 * back to its own namespace (it enters none again). */
int netns_collect_netlink(struct netns_set *s, unsigned want, struct sock_list *out,
                          char *err, size_t errlen);

/* From now on each namespace entered also gets a socket subscribed to its
 * destroy notifications (netlink_watch_open with want), opened during the
 * same visit: the kernel announces a namespace's closes only to sockets
 * created inside it. A refusal is said once (netns_take_note). */
void netns_watch(struct netns_set *s, unsigned want);
/* Hands the watch of namespace i (netns_at) to the caller, who then owns
 * it: NULL when there is none new. Not while netns_collect_netlink runs. */
struct netlink_watch *netns_take_watch(struct netns_set *s, size_t i);

/* The /proc/net fallback for the same namespaces: the tables under
 * <proc_root>/<pid>/net of a process inside each (a named namespace
 * without one is skipped), those of protocols it holds none of left out
 * as above. */
int netns_collect_proc(struct netns_set *s, unsigned want, struct sock_list *out,
                       char *err, size_t errlen);

/* A one-time note (namespaces skipped and why), then NULL. */
const char *netns_take_note(struct netns_set *s);

/* 1 when this process may enter other network namespaces: setns(2) needs
 * CAP_SYS_ADMIN, permitted (CapPrm in <proc_root>/self/status): the
 * caller raises it into the effective set around the collection. */
int netns_can_enter(const char *proc_root);

/* Parses a namespace link's text, "net:[4026531840]". Returns 0 or -1. */
int netns_parse_link(const char *text, uint64_t *inode);

#endif
