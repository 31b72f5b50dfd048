/* view.h — the model behind the screen's panes, computed without drawing:
 * one row source per pane (enum pane_id) — the Connections rows (filtered,
 * narrowed to a process, highlighted NEW/CHANGED/GONE), the Processes rows,
 * the Events log — each sorted by a column of its table, with a selection
 * that follows its item; and the header's counts. Every pane is read and
 * moved through the same functions (view.c); each pane's rows come from
 * its row source (view_conn.c, view_proc.c, view_events.c).
 *
 * How the rows are chosen:
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
 * - A socket no process holds is filtered, narrowed to a process and
 *   counted by its former owners (who held it before it was closed): a
 *   TIME_WAIT counts once in TW for each of them, never in their other
 *   counts; a process whose only rows are TIME_WAITs it left (it closed
 *   everything else, or exited) keeps its row while they last.
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
#include "pane.h"
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

/* One row of a pane: what its columns read, and what the row is about. */
struct pane_row {
	const void *cells;         /* a struct column_row, proc_row or sock_event */
	enum view_highlight hl;    /* Events: by the event's kind */
	/* The socket the row is about (rec NULL: none); Connections' cells. */
	struct column_row sock;
	double state_since;        /* when its state last changed; 0 GONE or unknown */
	const struct proc_row *proc;   /* the process (or service) it is about */
};

struct view;

/* A view with no rows, no filter, no sort, linger VIEW_LINGER_DEFAULT.
 * NULL when out of memory. */
struct view *view_new(void);
void view_free(struct view *v);

void view_set_linger(struct view *v, double seconds);
/* dst shows what src shows, for moving between the present and the past:
 * the same filter, linger, sorts, process narrowing and grouping, and each
 * pane's selection on the same socket or process (else at the same place)
 * once dst is next refreshed. Where command lines come from stays dst's. */
void view_follow(struct view *dst, const struct view *src);
/* Where rows read command lines (borrowed; NULL: none). */
void view_set_cmdlines(struct view *v, const struct column_cmdlines *src);
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

/* Bits of what the table holds that columns show with (COLUMN_SEEN_*). */
unsigned view_seen(const struct view *v);

/* ---- any pane ---- */
/* col (from the pane's table) NULL: no sort, the pane's own order. */
void view_set_sort(struct view *v, enum pane_id p, const struct column *col, int desc);
const struct column *view_sort(const struct view *v, enum pane_id p, int *desc);
size_t view_count(const struct view *v, enum pane_id p);
/* Fills out for row i (0 = top); -1 if there is no such row. */
int view_row(const struct view *v, enum pane_id p, size_t i, struct pane_row *out);
void view_set_height(struct view *v, enum pane_id p, size_t rows);
void view_move(struct view *v, enum pane_id p, enum view_move m);
size_t view_selected(const struct view *v, enum pane_id p);   /* VIEW_NONE when empty */
/* Selects row i (a click); nothing when there is no such row. */
void view_select(struct view *v, enum pane_id p, size_t i);
size_t view_top(const struct view *v, enum pane_id p);        /* first row on screen */
unsigned long view_sorts(const struct view *v, enum pane_id p);  /* for tests */

/* ---- Connections ---- */
/* Shows only sockets held by this process; pid <= 0 shows all again. */
void view_conn_narrow(struct view *v, int pid, unsigned long long starttime);
int view_conn_narrowed(const struct view *v, int *pid, unsigned long long *starttime);

/* ---- Processes ---- */
/* Groups the Processes rows by service instead of by process: one row per
 * systemd unit or container (and one, "-", for processes in none), its
 * counts and TX/s, RX/s summed over its sockets, each socket counted once
 * per service however many of the service's processes hold it. The rows'
 * pid is then 0 and starttime a hash of the service. */
void view_proc_group_by_service(struct view *v, int on);
int view_proc_by_service(const struct view *v);

/* ---- Trends ---- */
struct trends;
/* The seconds between polls (so a pause shows as a gap) and whether
 * sparklines are plain ASCII (not UTF-8, or a terminal without blocks). */
void view_trends_setup(struct view *v, double interval, int ascii);
/* Keeps rec's rate and RTT history a poll from now on (NULL: none). */
void view_trends_watch(struct view *v, const struct sock_rec *rec);
/* dst's series become those src had at moment (trends_clip): a view of
 * the past shows the window that ends there. Returns 0, or -1 when src's
 * rings do not reach back that far (dst keeps its own). */
int view_trends_clip(struct view *dst, const struct view *src, double moment);
/* The series behind the Trends pane, TREND and the details. */
const struct trends *view_trends(const struct view *v);

/* ---- Events (index 0 = newest unless sorted otherwise) ---- */
size_t view_events_logged(const struct view *v);   /* in the ring, unfiltered */

#endif
