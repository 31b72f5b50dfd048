/* columns.h — the Connections columns as data: name, title, alignment, how a
 * cell is formatted and how two rows compare. Drawing, --batch and sorting
 * all use this one table. */
#ifndef SOCKEYE_COLUMNS_H
#define SOCKEYE_COLUMNS_H

#include <stddef.h>
#include "sock.h"

/* One row as every column sees it. */
struct column_row {
	const struct sock_rec *rec;
	const struct sock_owner *owners;
	size_t nowners;
	double first_seen;          /* epoch seconds; 0 if unknown */
	double now;
	double tx_rate, rx_rate;    /* bytes/s, when has_rate (struct sock_entry) */
	int has_rate;
};

struct column {
	const char *name;           /* for --sort: "proto", "rport" */
	const char *title;          /* header: "PROTO" */
	int right;                  /* right-aligned (numbers) */
	int in_batch;               /* shown by --batch's table */
	/* Writes the cell made safe for a terminal into buf. */
	void (*format)(const struct column_row *r, char *buf, size_t len);
	int (*compare)(const struct column_row *a, const struct column_row *b);
	/* NULL when every row has a value; else 0 for a row without one (RTT
	 * unknown, no rate). compare puts those after every known row, and
	 * sorters keep them last in descending order too (columns_compare). */
	int (*known)(const struct column_row *r);
};

extern const struct column columns[];
extern const size_t ncolumns;

/* col's order of a and b, reversed when desc, except that rows without a
 * value stay after the rest either way: sorting by TX/s descending shows
 * the busiest sockets first and the blank ones at the bottom. */
int columns_compare(const struct column *col, const struct column_row *a,
                    const struct column_row *b, int desc);

/* A rate in bytes per second as a compact cell of at most 4 characters,
 * htop-style binary units (K = 1024 bytes): "0B", "512B", "1.2K", "15K",
 * "999K", "1.0M", then G, T, P. The unit letter is always there, so "0B"
 * (measured, idle) never reads like a missing value (a blank cell). */
void columns_rate_str(double bytes_per_s, char *buf, size_t len);

/* 1 when r's socket lives outside the host's network namespace: the
 * NETNS column is shown (on the screen and in --batch's table) only while
 * some socket does. */
int columns_netns_wanted(const struct column_row *r);

/* The column named name (case-insensitive), or NULL. */
const struct column *columns_find(const char *name);
/* Writes "proto, state, ..." (every sortable name) for messages and --help. */
void columns_list(char *buf, size_t len);

#endif
