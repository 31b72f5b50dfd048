/* output.h — the screenless modes' printers: --batch as an aligned table or
 * JSON Lines, --events as one line (or object) per change, and --rates'
 * lines. */
#ifndef SOCKEYE_OUTPUT_H
#define SOCKEYE_OUTPUT_H

#include <stdio.h>
#include "columns.h"
#include "filter.h"
#include "table.h"

struct output_opts {
	int json;
	const struct filter *filter;     /* NULL: everything */
	const struct column *sort;       /* NULL: kernel order */
	int sort_desc;
	const char *host;                /* --events JSON: each object's "host"; NULL none */
	unsigned long columns;           /* table columns: bit i for columns[i]; 0 default */
	const struct column_cmdlines *cmdlines;   /* owners' command lines; NULL none */
};

/* Prints the table's sockets that pass the filter, sorted. Returns 0, or
 * -1 when writing or memory failed. */
int output_batch(FILE *f, const struct sock_table *t, double now,
                 const struct output_opts *o);

/* Prints the events that pass the filter, then flushes. Each line goes
 * out whole in one write(2) where f has a descriptor, so a log shipper
 * reading the pipe never sees a line split or two lines mixed, however
 * long. Returns 0 or -1.
 * JSON events carry "txrate" and "rxrate" (bytes/s) where the socket's
 * rate is known (struct sock_event). */
int output_events(FILE *f, const struct sock_events *ev, const struct output_opts *o);

/* --rates: one "rate" line (or object) per TCP socket of the table whose
 * counters moved since the poll before (a known rate above zero) and that
 * passes the filter, sorted like --batch, then flushes: a steady transfer
 * makes no new/gone/state event, so this is how --events shows it. JSON:
 * {"time", "event":"rate", the socket's keys with "txbytes"/"rxbytes",
 * "txrate", "rxrate"}; "time" is the poll's. Returns 0 or -1. */
int output_rates(FILE *f, const struct sock_table *t, const struct output_opts *o);

/* The exit status after writing the output failed with errno e. A reader
 * that went away (`sockeye -b | head -1`, with SIGPIPE ignored) ended the
 * pipeline as it meant to: no message, status 0. Anything else (a full
 * disk) is said on stderr: status 1. */
int output_failed(int e);

#endif
