/* output.h — the screenless modes' printers: --batch as an aligned table or
 * JSON Lines, --events as one line (or object) per change. */
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
};

/* Prints the table's sockets that pass the filter, sorted. Returns 0, or
 * -1 when writing or memory failed. */
int output_batch(FILE *f, const struct sock_table *t, double now,
                 const struct output_opts *o);

/* Prints the events that pass the filter, then flushes. Returns 0 or -1. */
int output_events(FILE *f, const struct sock_events *ev, const struct output_opts *o);

#endif
