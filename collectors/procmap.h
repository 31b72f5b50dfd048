/* procmap.h — which processes hold which socket: inode -> owners, built from
 * /proc/<pid>/fd, with each owner's command name, user and start time. */
#ifndef SOCKEYE_PROCMAP_H
#define SOCKEYE_PROCMAP_H

#include <stddef.h>
#include <stdint.h>

/* One process holding a socket. comm is raw bytes from the kernel and is
 * untrusted (may hold control characters); user is the passwd name for uid,
 * or the uid in digits when there is none. */
struct sock_owner {
	int pid;
	int pgid;                     /* process group (stat field 5): a pre-forked
	                               * server's workers share their master's */
	uint32_t uid;                 /* real uid of the process */
	unsigned long long starttime; /* /proc/<pid>/stat field 22: pid reuse check */
	char comm[17];                /* TASK_COMM_LEN 16 + NUL */
	char user[64];
};

struct procmap;

/* proc_root is "/proc" in real use, a recorded tree in tests. NULL on ENOMEM. */
struct procmap *procmap_new(const char *proc_root);
void procmap_free(struct procmap *m);

/* Rescans processes and their descriptors. Processes that exit mid-scan and
 * descriptors that vanish are skipped quietly. Returns 0, or -1 with err
 * filled when /proc itself cannot be read. */
int procmap_refresh(struct procmap *m, char *err, size_t errlen);

/* Owners of a socket inode, sorted by pid; *out stays valid until the next
 * refresh or free. Returns the count (0 when unknown). */
size_t procmap_lookup(const struct procmap *m, uint64_t inode,
                      const struct sock_owner **out);

/* Processes whose fd table could not be read in the last refresh (not ours,
 * while not root): the screen says sight is partial when this is > 0. */
size_t procmap_unreadable(const struct procmap *m);

/* The command line of process pid, arguments joined by spaces, raw bytes
 * (untrusted), cut to len - 1. Kernel threads have an empty one. Returns 0,
 * or -1 when the process is gone or its start time is no longer starttime. */
int procmap_cmdline(const struct procmap *m, int pid, unsigned long long starttime,
                    char *buf, size_t len);

#endif
