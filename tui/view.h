/* view.h — the model behind the screen's three panes, computed without
 * drawing: the Connections rows (filtered, narrowed to a process, sorted,
 * highlighted NEW/CHANGED/GONE), the Processes rows, the Events log, each
 * with a selection that follows its item, and the header's counts.
 *
 * Decisions the brief left open, as implemented:
 * - The filter narrows all three panes. Processes count only the sockets
 *   that pass it (so both panes agree); narrowing to a process narrows
 *   Connections and Events, never Processes (you must still see the others
 *   to choose one). Events are kept whatever the filter: clearing it shows
 *   the whole log again.
 * - Sockets already in the table at the first poll the view sees are the
 *   baseline: they are never highlighted NEW or CHANGED for that.
 * - A GONE row keeps its last record, owners and first-seen time (when it
 *   was visible before it went; else AGE is unknown, 0). A socket that comes
 *   back while its GONE row lingers shows only as itself.
 * - Process counts go by state number for TCP and UDP alike: a connected
 *   UDP socket counts as ESTABLISHED, an unconnected one as other.
 * - A process's TX/s and RX/s are the sums of its sockets' rates (those
 *   passing the filter). A socket held by several processes counts once per
 *   process group: within one group (a pre-forked server's master and
 *   workers) only its lowest-pid holder gets the rate, the others 0; holders
 *   in different groups (unrelated programs sharing an inherited socket)
 *   each get it whole. So the Processes pane never shows one pre-forked
 *   server's traffic N times, and its sum can exceed the machine's only
 *   across process groups. A process has a rate (has_rate) when any of its
 *   sockets has one; with only UDP sockets, or on a first poll, it is blank.
 * - Sorting is stable: rows that compare equal keep their previous order,
 *   then the table's; descending reverses the comparison, not the ties.
 *   No sort column means exactly that order (Events: newest first).
 *
 * Use: view_poll() after each sock_table_update(), then view_refresh()
 * before reading rows; setters only mark what must be redone, so the one
 * re-filter or re-sort per change happens in view_refresh(). Rows and their
 * pointers are valid from a view_refresh() until the next view_poll() or
 * view_refresh() (between a poll and its refresh Connections shows none).
 * Cost: a refresh after a poll is O(n) plus sorting the few rows that
 * moved (about 3-5 ms for 100,000 sockets); changing the sort column is
 * one full O(n log n) sort; moving the selection is O(1). */
#ifndef SOCKEYE_VIEW_H
#define SOCKEYE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "filter.h"
#include "table.h"

#define VIEW_LINGER_DEFAULT 3.0     /* seconds a highlight or GONE row stays */
#define VIEW_EVENTS_MAX 10000       /* events kept in the log */
#define VIEW_NONE ((size_t)-1)      /* no row (an empty pane's selection) */

enum view_highlight { VIEW_HL_NONE, VIEW_HL_NEW, VIEW_HL_CHANGED, VIEW_HL_GONE };

enum view_move {
	VIEW_MOVE_UP, VIEW_MOVE_DOWN, VIEW_MOVE_PAGE_UP, VIEW_MOVE_PAGE_DOWN,
	VIEW_MOVE_HOME, VIEW_MOVE_END
};

struct view_counts {
	size_t tcp[SOCK_ST_MAX];   /* TCP sockets in the table per enum sock_state */
	size_t udp[SOCK_ST_MAX];   /* UDP: CLOSE is UNCONN, ESTABLISHED connected */
	size_t total;              /* every socket in the table */
	size_t shown;              /* table sockets passing filter and narrowing */
	size_t gone;               /* lingering GONE rows shown besides */
	size_t netns_other;        /* table sockets outside the host's network namespace */
	size_t with_service;       /* table sockets some owner of which has a service */
};

/* One Connections row; col is ready for the columns' format(). */
struct view_conn_row {
	struct column_row col;
	double state_since;        /* 0 for a GONE row */
	enum view_highlight hl;
};

/* One Processes row: a process by pid and start time, and its sockets. */
struct view_proc_row {
	int pid;
	unsigned long long starttime;
	uint32_t uid;
	char comm[17];             /* raw: format through view_proc_columns */
	char user[64];
	char service[64];          /* raw; a service row's key ("" unknown) */
	size_t listen, established, other, total;
	double tx_rate, rx_rate;   /* bytes/s, when has_rate; see above */
	int has_rate;
};

struct view_proc_column {
	const char *name;          /* "pid", "listen" */
	const char *title;         /* "PID", "LISTEN" */
	int right;
	void (*format)(const struct view_proc_row *r, char *buf, size_t len);
	int (*compare)(const struct view_proc_row *a, const struct view_proc_row *b);
	/* NULL when every row has a value; else 0 for a blank one (no rate),
	 * which sorts last whichever the direction (view_proc_compare). */
	int (*known)(const struct view_proc_row *r);
	int only;                  /* VIEW_PROC_BY_*: shown in that grouping only; 0 both */
};
#define VIEW_PROC_BY_PROCESS 1
#define VIEW_PROC_BY_SERVICE 2
extern const struct view_proc_column view_proc_columns[];
extern const size_t view_proc_ncolumns;
const struct view_proc_column *view_proc_column_find(const char *name);
/* The Processes pane's order of a and b by col (see columns_compare). */
int view_proc_compare(const struct view_proc_column *col, const struct view_proc_row *a,
                      const struct view_proc_row *b, int desc);

/* Events columns format a logged event; owners are escaped here. */
struct view_events_column {
	const char *name;          /* "time", "event", "socket", "owner" */
	const char *title;
	int right;
	void (*format)(const struct sock_event *e, char *buf, size_t len);
	int (*compare)(const struct sock_event *a, const struct sock_event *b);
};
extern const struct view_events_column view_events_columns[];
extern const size_t view_events_ncolumns;
const struct view_events_column *view_events_column_find(const char *name);

struct view;

/* A view with no rows, no filter, no sort, linger VIEW_LINGER_DEFAULT.
 * NULL when out of memory. */
struct view *view_new(void);
void view_free(struct view *v);

void view_set_linger(struct view *v, double seconds);
/* f is borrowed (NULL: none) and must outlive its use: set the new filter
 * before freeing the old one. */
void view_set_filter(struct view *v, const struct filter *f);

/* Takes one poll's result: t (borrowed until the next view_poll) is the
 * table after sock_table_update, ev (may be NULL) its events, which are
 * copied into the log and, when GONE, into the lingering rows. Returns 0,
 * or -1 when out of memory (some events are then missing). */
int view_poll(struct view *v, const struct sock_table *t,
              const struct sock_events *ev, double now);
/* Adds one event to the log that no poll produced: a connection closed from
 * the screen (SOCK_EV_CLOSED). The event is copied but not its owners
 * array, which stays the caller's. Returns 0 or -1 (ENOMEM). */
int view_events_log(struct view *v, const struct sock_event *e);
/* Brings every pane up to date at now: drops expired GONE rows and re-does
 * only what changed. Returns 0, or -1 when out of memory (rows then empty). */
int view_refresh(struct view *v, double now);
const struct view_counts *view_counts(const struct view *v);

/* ---- Connections ---- */
/* col NULL: no sort (previous order, then the table's). */
void view_conn_set_sort(struct view *v, const struct column *col, int desc);
const struct column *view_conn_sort(const struct view *v, int *desc);
/* Shows only sockets held by this process; pid <= 0 shows all again. */
void view_conn_narrow(struct view *v, int pid, unsigned long long starttime);
int view_conn_narrowed(const struct view *v, int *pid, unsigned long long *starttime);
size_t view_conn_count(const struct view *v);
/* Fills out for row i (0 = top); -1 if there is no such row. */
int view_conn_row(const struct view *v, size_t i, struct view_conn_row *out);
void view_conn_set_height(struct view *v, size_t rows);
void view_conn_move(struct view *v, enum view_move m);
size_t view_conn_selected(const struct view *v);   /* VIEW_NONE when empty */
size_t view_conn_top(const struct view *v);        /* first row on screen */
unsigned long view_conn_sorts(const struct view *v);  /* for tests */

/* ---- Processes ---- */
/* Groups the Processes rows by service instead of by process: one row per
 * systemd unit or container (and one, "-", for processes in none), its
 * counts and TX/s, RX/s summed over its sockets, each socket counted once
 * per service however many of the service's processes hold it. The rows'
 * pid is then 0 and starttime a hash of the service. */
void view_proc_group_by_service(struct view *v, int on);
int view_proc_by_service(const struct view *v);
/* Whether col is a column of the grouping in force. */
int view_proc_column_shown(const struct view *v, const struct view_proc_column *col);
void view_proc_set_sort(struct view *v, const struct view_proc_column *col, int desc);
const struct view_proc_column *view_proc_sort(const struct view *v, int *desc);
size_t view_proc_count(const struct view *v);
const struct view_proc_row *view_proc_row(const struct view *v, size_t i);
void view_proc_set_height(struct view *v, size_t rows);
void view_proc_move(struct view *v, enum view_move m);
size_t view_proc_selected(const struct view *v);
size_t view_proc_top(const struct view *v);
unsigned long view_proc_sorts(const struct view *v);

/* ---- Events (index 0 = newest unless sorted otherwise) ---- */
void view_events_set_sort(struct view *v, const struct view_events_column *col, int desc);
const struct view_events_column *view_events_sort(const struct view *v, int *desc);
size_t view_events_count(const struct view *v);
const struct sock_event *view_events_row(const struct view *v, size_t i);
void view_events_set_height(struct view *v, size_t rows);
void view_events_move(struct view *v, enum view_move m);
size_t view_events_selected(const struct view *v);
size_t view_events_top(const struct view *v);
size_t view_events_logged(const struct view *v);   /* in the ring, unfiltered */

#endif
