/* view_source.h — the view's insides, shared by view.c and the row source
 * of each pane (view_conn.c, view_proc.c, view_events.c); nothing else
 * includes it. Rows are 32-bit references into a source's data, sorted in
 * an index array. */
#ifndef SOCKEYE_VIEW_SOURCE_H
#define SOCKEYE_VIEW_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "trends.h"
#include "view.h"

#define GONE_REF 0x80000000u      /* a Connections ref with this bit: a GONE row */
#define NO_REF UINT32_MAX

/* Whether a socket is shown, while the Connections rows are gathered. */
enum { HIDDEN, SHOWN, PLACED };

/* A socket's identity (protocol, addresses, ports, inode, namespace) with
 * no padding, so memcmp and the hash see exactly these bytes. */
struct ident {
	uint8_t laddr[16], raddr[16];
	uint64_t inode;
	uint64_t netns;              /* the same tuple in two namespaces differs */
	uint16_t lport, rport;
	uint8_t proto, family, pad[2];
};
_Static_assert(sizeof(struct ident) == 56, "struct ident must not be padded");

/* A socket the table no longer has, kept `linger` seconds for its GONE row. */
struct gone {
	struct sock_rec rec;
	struct sock_owner *owners, *owners_was;
	size_t nowners, nowners_was;
	double first_seen, gone_at;  /* first_seen: 0 until known (see conn_locate) */
	struct ident id;
	uint8_t vis;                 /* HIDDEN, SHOWN, PLACED */
};

/* A Connections row as it was at the last sort: where ties go next time,
 * and the first-seen time a GONE row keeps. */
struct prev_row {
	struct ident id;
	double first_seen;
	uint32_t ref;              /* its row reference then */
};

/* One pane's visible rows (references into its row source's data), their
 * sort and its cursor. */
struct list {
	uint32_t *rows, *tmp;      /* tmp: merge buffer, or scratch while building */
	size_t n, cap, tmpcap;
	size_t sel, top, height;
	unsigned long sorts;
	const struct column *col;  /* sort column, NULL none */
	int desc;
	int rows_dirty;            /* which rows are shown must be recomputed */
	int order_dirty;           /* they must be sorted again */
};

/* Processes being counted: rows plus an index by (pid, start time). */
struct procs {
	struct proc_row *v;
	size_t n, cap;
	uint32_t *slots;           /* row + 1; 0 is empty */
	size_t nslots;             /* power of two */
	int by_service;            /* rows are keyed by service, not process */
};

struct logged {
	struct sock_event ev;      /* owners: owned copy */
	uint64_t seq;              /* lives in ring[seq % VIEW_EVENTS_MAX] */
};

struct view {
	double linger, now, baseline;
	int polled;
	int stale;                 /* polled since the Connections rows were built */
	size_t built_n;            /* table entries when the rows were last built */
	const struct sock_table *table;
	const struct filter *filter;
	const struct column_cmdlines *cmdlines;
	struct view_counts counts;

	struct list pane[PANE_COUNT];

	/* Connections */
	int narrow_pid;
	unsigned long long narrow_start;
	struct gone *gone;
	size_t ngone, gonecap;
	struct prev_row *prev;     /* rows at the last sort, in their order */
	size_t nprev, prevcap;
	uint8_t *vis;              /* per table entry while gathering rows */
	size_t viscap;
	uint32_t *gmap;            /* gone index + 1 by ident hash; 0 is empty */
	size_t gmap_n, gmapcap;
	struct ident conn_sel;
	int conn_has_sel;

	/* Processes */
	struct procs procs, build;
	int proc_by_service;       /* Processes grouped by service */
	int proc_sel_pid;
	unsigned long long proc_sel_start;
	int proc_has_sel;

	/* Events */
	struct logged *ring;
	uint64_t next_seq;
	uint64_t ev_sel_seq;
	int ev_has_sel;
	int ev_follow;        /* the selection is on the newest event: stay there */

	/* Trends */
	double polling_at;         /* the time of the poll view_poll is taking */
	struct trends *trends;
	struct trend_row *trows;
	size_t ntrows, trowcap;
	int graph_ascii;           /* sparklines in plain ASCII */
};

/* Each row source's own pane. */
#define CONN(v) ((v)->pane[PANE_CONNECTIONS])
#define PROC(v) ((v)->pane[PANE_PROCESSES])
#define EVENTS(v) ((v)->pane[PANE_EVENTS])
#define TRENDS(v) ((v)->pane[PANE_TRENDS])

typedef int (*row_cmp)(const struct view *v, uint32_t a, uint32_t b);

/* What a pane's rows come from: the view calls these, and a pane is one
 * more of them (and a column table, pane.h). Hooks other than rebuild,
 * cmp, settle, moved and row may be NULL. */
struct row_source {
	int (*init)(struct view *v);         /* at view_new */
	void (*free)(struct view *v);        /* at view_free */
	/* A poll's table and events, before v->table and v->now are theirs. */
	int (*poll)(struct view *v, const struct sock_table *t, const struct sock_events *ev);
	void (*tick)(struct view *v);        /* a refresh at v->now, before rebuilding */
	int (*rebuild)(struct view *v);      /* which rows, in their own order */
	row_cmp cmp;                         /* by the pane's sort column */
	int (*settle)(struct view *v);       /* sorted: the selection finds its item */
	void (*moved)(struct view *v);       /* the selection moved: remember its item */
	void (*row)(const struct view *v, uint32_t ref, struct pane_row *out);
	int sort_rebuilds;                   /* a new sort starts from the own order */
};

extern const struct row_source view_conn_source;     /* view_conn.c */
extern const struct row_source view_proc_source;     /* view_proc.c */
extern const struct row_source view_events_source;   /* view_events.c */
extern const struct row_source view_trends_source;   /* view_trends.c */

/* view.c, for the row sources */
/* The filter, and with narrow the process narrowing, for one socket held
 * by o[0..n); when it has none, who held it before (was[0..nwas), its
 * former owners) stand in for them. */
int view_passes(const struct view *v, const struct sock_rec *rec,
                const struct sock_owner *o, size_t n,
                const struct sock_owner *was, size_t nwas, int narrow);
/* Room for want rows (and the sort's scratch) in l. Returns 0 or -1. */
int view_list_reserve(struct list *l, size_t want);
/* After the rows changed: the selection goes to its item's new place
 * (found), or, when that left (VIEW_NONE), stays at its old index. */
void view_list_settle(struct list *l, size_t found);

#endif
