/* rewind.h — the screen looking back: a view (view.h) of a recording at
 * one of its moments. It is fed as live polling would have fed it: first
 * the table at the poll before the moment (the baseline), then the table
 * at the moment with the events between, so what changed then shows NEW,
 * CHANGED or GONE as it did; the events before the baseline fill the
 * Events pane. Stepping one poll forward feeds the same view the next
 * poll, so playing a recording costs one poll's reading a step and its
 * highlights last their linger as they did live. No ncurses.
 *
 * The Trends rings are not rebuilt from the recording (that would read
 * every poll of the window): a view of the live screen's past takes the
 * live rings as they were at the moment (trends_clip); a replay's rings
 * grow as it plays. */
#ifndef SOCKEYE_REWIND_H
#define SOCKEYE_REWIND_H

#include <stddef.h>

#include "replay.h"
#include "table.h"
#include "view.h"

struct rewind;

/* Reads h (borrowed: it must outlive the rewind). NULL when out of memory. */
struct rewind *rewind_new(struct history *h);
void rewind_free(struct rewind *rw);

/* Shows the moment (a poll of the recording: see history_moment) in a new
 * view that follows like (view_follow: filter, sorts, selection), its
 * Trends taken from trends_from's rings when they reach back that far
 * (NULL: its own); its command lines are the recording's. Returns 0, or -1
 * with err (the view shown before stays). */
int rewind_go(struct rewind *rw, double moment, const struct view *like,
              const struct view *trends_from, char *err, size_t errlen);
/* The poll after the one shown, fed to the same view. Returns 1 when it
 * moved, 0 at the last poll recorded, -1 with err. */
int rewind_forward(struct rewind *rw, char *err, size_t errlen);
/* Drops the view (the screen is back in the present). */
void rewind_leave(struct rewind *rw);

/* The view of the moment shown, NULL when none. */
struct view *rewind_view(const struct rewind *rw);
/* The moment shown (epoch seconds), 0 when none. */
double rewind_moment(const struct rewind *rw);
/* The table at the moment shown, NULL when none. */
const struct sock_table *rewind_table(const struct rewind *rw);

/* Feeds a new view v the way rewind_go does, from tables and events
 * already read: older (may be NULL) are events up to before_at, logged
 * first; before (NULL: none) is the table at before_at, the baseline;
 * at the table at moment, with ev the events in (before_at, moment]. Both
 * tables stay borrowed by v as view_poll says. like: as in rewind_go
 * (NULL: none). Returns 0, or -1 when out of memory. */
int rewind_feed(struct view *v, const struct view *like, const struct sock_events *older,
                const struct sock_table *before, double before_at,
                const struct sock_table *at, const struct sock_events *ev, double moment);

#endif
