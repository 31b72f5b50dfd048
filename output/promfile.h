/* promfile.h — the socket table as Prometheus metrics for node_exporter's
 * textfile collector: counts by protocol and state, by port class, by
 * listening port and by process (capped), sockeye's own poll time, written
 * in the text exposition format and swapped into place atomically. */
#ifndef SOCKEYE_PROMFILE_H
#define SOCKEYE_PROMFILE_H

#include <stddef.h>
#include <stdio.h>
#include "filter.h"
#include "procmap.h"
#include "sock.h"
#include "table.h"

/* Processes named in sockeye_process_sockets; the rest are summed into
 * process="(other processes)". Listening ports likewise, into port="other". */
#define PROMFILE_TOP_PROCESSES 20
#define PROMFILE_TOP_PORTS 100

/* Label values no real command name can take (the kernel keeps at most 15
 * bytes of one, and escaped names always hold a backslash). */
#define PROMFILE_OTHER_PROCESSES "(other processes)"
#define PROMFILE_NO_OWNER "(no known owner)"

/* One poll's counts, filled socket by socket, then rendered. */
struct promfile_counts;

struct promfile_counts *promfile_counts_new(void);
void promfile_counts_free(struct promfile_counts *c);
/* Forgets every socket counted, keeping the memory. */
void promfile_counts_reset(struct promfile_counts *c);
/* Counts one socket with its owners (n may be 0). Returns 0, or -1 when out
 * of memory (the counts are then incomplete: do not render them). */
int promfile_counts_add(struct promfile_counts *c, const struct sock_rec *rec,
                        const struct sock_owner *owners, size_t n);
/* Resets c and counts every socket of t that passes f (NULL: all). */
int promfile_counts_table(struct promfile_counts *c, const struct sock_table *t,
                          const struct filter *f);

struct promfile_meta {
	double poll_seconds;     /* how long the poll took */
	double poll_time;        /* when it ran, epoch seconds */
	size_t top_processes;    /* 0: PROMFILE_TOP_PROCESSES */
	size_t top_ports;        /* 0: PROMFILE_TOP_PORTS */
};

/* Writes every metric family, HELP and TYPE first, to f. Returns 0, or -1
 * on a write error or when out of memory. */
int promfile_render(FILE *f, struct promfile_counts *c, const struct promfile_meta *m);

/* Writes s[0..len) as a label value's inside (without the quotes): the
 * format's escapes for backslash, double quote and newline; untrusted
 * names should go through textsafe_display first so the value is valid
 * UTF-8. Returns 0 or EOF. */
int promfile_label_write(FILE *f, const char *s, size_t len);

/* Replaces path's content with data[0..len): written to "path.tmp" in the
 * same directory, then renamed over path, so a reader sees the old file or
 * the new one whole, never a part. Returns 0, or -1 with err naming the
 * file and the reason (path is then untouched, the temporary removed). */
int promfile_replace(const char *path, const char *data, size_t len,
                     char *err, size_t errlen);

#endif
