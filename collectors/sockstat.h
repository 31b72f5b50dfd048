/* sockstat.h — a network namespace's own socket counts, from the kernel's
 * /proc/<pid>/net/sockstat and sockstat6: enough to tell that it holds no
 * TCP or no UDP socket, so its dump of that protocol (a walk of hash
 * tables every namespace shares) can be left out. */
#ifndef SOCKEYE_SOCKSTAT_H
#define SOCKEYE_SOCKSTAT_H

#include <stddef.h>

/* The counts that are the namespace's own on Linux 6.x (its "inuse" and
 * "tw"; "orphan", "alloc" and "mem" are the whole machine's). -1 where the
 * line was not found. */
struct sockstat_counts {
	long tcp, tcp6;   /* hashed TCP sockets: listening, connecting, connected, closing */
	long tcp_tw;      /* TIME_WAIT, both families */
	long udp, udp6;   /* bound UDP sockets */
};

/* All counts unknown (-1). */
void sockstat_init(struct sockstat_counts *c);

/* Takes the counts from one file's text (sockstat or sockstat6; lines it
 * does not know are skipped). */
void sockstat_parse(const char *text, struct sockstat_counts *c);

/* want (SOCK_WANT_* flags) without the protocols the counts show none of:
 * TCP when no TCP socket of either family and none in TIME_WAIT, UDP when
 * no UDP socket of either family. An unknown count keeps its protocol. */
unsigned sockstat_narrow(const struct sockstat_counts *c, unsigned want);

/* Reads net/sockstat and net/sockstat6 under dirfd (a /proc/<pid>
 * directory); no sockstat6 (a kernel without IPv6) counts no IPv6 socket.
 * Returns 0, or -1 with err when a file cannot be read. */
int sockstat_read(int dirfd, struct sockstat_counts *c, char *err, size_t errlen);

#endif
