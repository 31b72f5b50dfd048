/* columns.h — every pane's columns as data, one row per column: its name,
 * title, JSON key, room on the screen, when it shows, how a cell is
 * formatted, styled and compared. The layout, the drawing, sorting, the
 * config's columns list, --batch and the JSON writer all walk these tables,
 * which need no terminal. */
#ifndef SOCKEYE_COLUMNS_H
#define SOCKEYE_COLUMNS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "series.h"
#include "sock.h"
#include "table.h"

/* Where COMMAND cells read a process's command line: raw bytes (untrusted),
 * arguments joined by spaces, or NULL when it cannot be read. The text
 * stays valid until forget, which a printer calls once a poll so that a
 * process that ran exec shows its new one. */
struct column_cmdlines {
	const char *(*get)(void *ctx, int pid, unsigned long long starttime);
	void (*forget)(void *ctx);
	void *ctx;
};

/* One Connections row as every Connections column sees it. */
struct column_row {
	const struct sock_rec *rec;
	const struct sock_owner *owners;
	size_t nowners;
	/* Who held it when last seen whole, now that no process does (struct
	 * sock_entry): PID/PROCESS, USER, SERVICE and COMMAND show them in
	 * parentheses, in the theme's former style; JSON's "owner_was". */
	const struct sock_owner *owners_was;
	size_t nowners_was;
	double first_seen;          /* epoch seconds; 0 if unknown */
	double now;
	double tx_rate, rx_rate;    /* bytes/s, when has_rate (struct sock_entry) */
	int has_rate;
	int uid_unknown;            /* rec->uid is not the owner's (struct sock_event) */
	const struct column_cmdlines *cmdlines;   /* NULL: none known */
};

/* One Processes row: a process by pid and start time (or, grouped by
 * service, a service), and its sockets. */
struct proc_row {
	int pid;
	unsigned long long starttime;
	uint32_t uid;
	char comm[17];             /* raw: the columns escape it */
	char user[64];
	char service[64];          /* raw; a service row's key ("" unknown) */
	size_t listen, established, other, total;
	/* TIME_WAITs it left (it was their former owner). A row with no
	 * socket of its own (total 0: the process let go of them all, or
	 * exited) stays while TW is not 0, its name in parentheses. */
	size_t tw;
	double tx_rate, rx_rate;   /* bytes/s, when has_rate (view.h) */
	int has_rate;
	const struct column_cmdlines *cmdlines;   /* NULL: none known */
	/* TREND: its TX+RX a poll (NULL: none kept), over the last
	 * trend_span samples, drawn in ASCII when trend_ascii. */
	const struct series *trend;
	uint64_t trend_span;
	int trend_ascii;
};

/* One Trends row: a series of the machine or a process over the window. */
struct trend_row {
	char name[48];             /* raw: a process's is its command and pid */
	int bytes;                 /* bytes a second (else a count, or one a second) */
	float now, peak;           /* NaN now: no sample yet */
	double total;              /* a process's bytes over the window; < 0 none */
	const struct series *s;
	uint64_t span;             /* samples the window takes */
	int ascii;                 /* plain ASCII sparkline */
	int pid;                   /* a process's row: its pid and start; else 0 */
	unsigned long long starttime;
};

/* The Events rows are struct sock_event (table.h). */

/* When a column shows on the screen without the config's columns list
 * naming it (a list that names it shows it always). */
enum column_show {
	COLUMN_SHOW_DEFAULT,       /* always */
	COLUMN_SHOW_NETNS,         /* while some socket lives outside the host's namespace */
	COLUMN_SHOW_SERVICE,       /* while some owner runs in a service or container */
	COLUMN_SHOW_ROOM,          /* where the pane has room left after the others */
	COLUMN_SHOW_NAMED,         /* only when named (--batch's INODE) */
};

/* What the rows hold, against which columns are shown (enum column_show),
 * and the Processes grouping in force. */
#define COLUMN_SEEN_NETNS      1u
#define COLUMN_SEEN_SERVICE    2u
#define COLUMN_SEEN_BY_SERVICE 4u

/* Which Processes grouping a column belongs to. */
enum column_group { COLUMN_GROUP_ANY, COLUMN_GROUP_PROCESS, COLUMN_GROUP_SERVICE };

/* The endpoint a LOCAL or REMOTE cell shows, so the screen can draw it
 * with host and service names and its port in its class's colour. */
struct column_endpoint {
	uint8_t proto, family;
	const uint8_t *addr;
	uint16_t port;
};

/* A JSON object being written: every key after the first takes a comma. */
struct column_json {
	FILE *f;
	int keys;
};

struct column {
	const char *name;           /* --sort, the config's columns and sort keys */
	const char *title;          /* header; NULL for a sort-only key */
	const char *json;           /* the key it writes in JSON; NULL none */
	int min;                    /* room on the screen, title and sort mark
	                             * included; 0: never on the screen */
	int grow;                   /* share of spare room (a weight; 0 none) */
	int keep;                   /* on a narrow pane lower goes first; 0 never */
	enum column_show show;
	enum column_group group;
	int right;                  /* right-aligned (numbers) */
	int in_batch;               /* in --batch's table by default */
	int batch_last;             /* --batch puts it after the others */
	int fixed;                  /* only a NEW, GONE or STATE event changes
	                             * how it sorts (queues and owners move) */
	/* The cell, made safe for a terminal. */
	void (*format)(const void *row, char *buf, size_t len);
	int (*compare)(const void *a, const void *b);
	/* NULL when every row has a value; else 0 for a blank one, which
	 * sorts last whichever the direction (columns_compare). */
	int (*known)(const void *row);
	/* The theme element (theme.h) of the cell in an unhighlighted row;
	 * NULL: the row's. */
	int (*style)(const void *row);
	/* Non-NULL for a cell showing an endpoint; fills out. */
	void (*endpoint)(const void *row, struct column_endpoint *out);
	/* Non-NULL for a cell that fills the room it gets (a sparkline):
	 * the cell at width columns; format gives it at its minimum. */
	void (*fit)(const void *row, int width, char *buf, size_t len);
	/* Writes the column's keys into j. */
	void (*json_write)(struct column_json *j, const void *row);
};

/* At most this many columns a table: a columns list is a bit mask. */
#define COLUMNS_MAX 32

struct column_table {
	const struct column *v;
	size_t n;
};

/* The three panes' tables; rows: struct column_row, struct proc_row,
 * struct sock_event. */
extern const struct column_table columns_connections;
extern const struct column_table columns_processes;
extern const struct column_table columns_events;
extern const struct column_table columns_trends;   /* rows: struct trend_row */

/* The Connections table, by index: bit i of the config's columns is columns[i]. */
extern const struct column columns[];
extern const size_t ncolumns;

/* col's order of a and b, reversed when desc, except that rows without a
 * value stay after the rest either way: sorting by TX/s descending shows
 * the busiest sockets first and the blank ones at the bottom. */
int columns_compare(const struct column *col, const void *a, const void *b, int desc);

/* A rate in bytes per second as a compact cell of at most 4 characters,
 * htop-style binary units (K = 1024 bytes): "0B", "512B", "1.2K", "15K",
 * "999K", "1.0M", then G, T, P. The unit letter is always there, so "0B"
 * (measured, idle) never reads like a missing value (a blank cell). */
void columns_rate_str(double bytes_per_s, char *buf, size_t len);

/* 1 when r's socket lives outside the host's network namespace: the
 * NETNS column is shown (on the screen and in --batch's table) only while
 * some socket does. */
int columns_netns_wanted(const struct column_row *r);

/* Whether col shows among the columns that are not named, given seen
 * (COLUMN_SEEN_*); ROOM columns are the layout's to decide. */
int columns_shown_unnamed(const struct column *col, unsigned seen);
/* Whether col belongs to the Processes grouping seen says is in force. */
int columns_in_group(const struct column *col, unsigned seen);

/* The column of t named name (case-insensitive), or NULL. */
const struct column *columns_table_find(const struct column_table *t, const char *name);
/* The Connections column named name, or NULL. */
const struct column *columns_find(const char *name);
/* Writes "proto, state, ..." (every Connections sort key, the default
 * columns first) for messages and --help. */
void columns_list(char *buf, size_t len);

/* pid's command line through src (NULL: none), or NULL. */
const char *columns_cmdline(const struct column_cmdlines *src, int pid,
                            unsigned long long starttime);

/* Writes the socket's keys (each Connections column's) into j. */
void columns_json(struct column_json *j, const struct column_row *r);
/* One key of j: the comma when it is not the first, the key and colon. */
void columns_json_key(struct column_json *j, const char *key);
/* A string value: exact bytes, escaped for JSON. */
void columns_json_str(struct column_json *j, const char *key, const char *s);

/* The Connections columns the --events and rate lines print. */
extern const struct column *const columns_local, *const columns_remote,
	*const columns_process, *const columns_user;

#endif
