/* columns.h — the Connections columns as data: name, title, alignment, how a
 * cell is formatted and how two rows compare. Drawing, --batch and sorting
 * all use this one table. */
#ifndef SOCKEYE_COLUMNS_H
#define SOCKEYE_COLUMNS_H

#include <stddef.h>
#include "procmap.h"
#include "sock.h"

/* One row as every column sees it. */
struct column_row {
	const struct sock_rec *rec;
	const struct sock_owner *owners;
	size_t nowners;
	double first_seen;          /* epoch seconds; 0 if unknown */
	double now;
};

struct column {
	const char *name;           /* for --sort: "proto", "rport" */
	const char *title;          /* header: "PROTO" */
	int right;                  /* right-aligned (numbers) */
	int in_batch;               /* shown by --batch's table */
	/* Writes the cell made safe for a terminal into buf. */
	void (*format)(const struct column_row *r, char *buf, size_t len);
	int (*compare)(const struct column_row *a, const struct column_row *b);
};

extern const struct column columns[];
extern const size_t ncolumns;

/* The column named name (case-insensitive), or NULL. */
const struct column *columns_find(const char *name);
/* Writes "proto, state, ..." (every sortable name) for messages and --help. */
void columns_list(char *buf, size_t len);

#endif
