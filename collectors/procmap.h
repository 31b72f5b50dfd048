/* procmap.h — which processes hold which socket: inode -> owners, built from
 * /proc/<pid>/fd, with each owner's command name, user and start time, and
 * kept across polls so that a steady machine costs few reads. */
#ifndef SOCKEYE_PROCMAP_H
#define SOCKEYE_PROCMAP_H

#include <stddef.h>
#include <stdint.h>

#include "sock.h"

struct procmap;

/* proc_root is "/proc" in real use, a recorded tree in tests. NULL on ENOMEM. */
struct procmap *procmap_new(const char *proc_root);
void procmap_free(struct procmap *m);

/* Rescans every process and all its descriptors. Processes that exit
 * mid-scan and descriptors that vanish are skipped quietly. Returns 0, or -1
 * with err filled when /proc itself cannot be read. */
int procmap_refresh(struct procmap *m, char *err, size_t errlen);

struct sock_list;

/* The poller's refresh, for the snapshot snap just collected: the map is
 * kept across calls and a process's descriptors are read again only when
 * the process is new, its open-fd count changed, a socket it held left the
 * snapshot, or snap holds sockets nobody is known to own (those are looked
 * for among processes of the socket's uid at once, among all processes on
 * the next call if still unowned). Every process is also read in full at
 * least once every PROCMAP_FULL_EVERY calls, a safety net for changes none of
 * those hints show (a descriptor swapped for another without the count or
 * the snapshot changing). The first call, or snap NULL, reads everything.
 * Same errors as procmap_refresh. */
int procmap_refresh_for(struct procmap *m, const struct sock_list *snap,
                        char *err, size_t errlen);
#define PROCMAP_FULL_EVERY 60

/* Sets that safety net's period in refreshes; 0 turns it off (tests use
 * that to show the hints alone find what they must). */
void procmap_set_full_every(struct procmap *m, unsigned refreshes);

/* What the last refresh did, for benchmarks and tests. */
struct procmap_stats {
	size_t procs;             /* processes listed */
	size_t full_scans;        /* fd tables read in full */
	size_t probes;            /* fd tables read only where they may have changed */
	size_t links_read;        /* readlink calls on fd entries */
	size_t unowned;           /* snapshot inodes left without an owner */
};
void procmap_stats(const struct procmap *m, struct procmap_stats *out);

/* Owners of a socket inode, sorted by pid; *out stays valid until the next
 * refresh or free. Returns the count (0 when unknown). */
size_t procmap_lookup(const struct procmap *m, uint64_t inode,
                      const struct sock_owner **out);

/* Changes whenever a refresh changed some socket's owners (the index was
 * rebuilt): a caller that looked owners up under the same version may keep
 * what it found. */
unsigned long procmap_version(const struct procmap *m);

/* Processes whose fd table could not be read in the last refresh (not ours,
 * while not root): the screen says sight is partial when this is > 0. */
size_t procmap_unreadable(const struct procmap *m);

/* Descriptor entries held in memory for pid's fd table (read or not yet),
 * 0 when pid is not in the map: what the map costs per process, for
 * measuring. It follows the table's size, never the largest one read. */
size_t procmap_fd_room(const struct procmap *m, int pid);

/* The command line of process pid, arguments joined by spaces, raw bytes
 * (untrusted), cut to len - 1. Kernel threads have an empty one. Returns 0,
 * or -1 when the process is gone or its start time is no longer starttime. */
int procmap_cmdline(const struct procmap *m, int pid, unsigned long long starttime,
                    char *buf, size_t len);

#endif
