/* replay.h — reading a recording (record.h, schema.h): its moments (the
 * polls recorded whole), the socket table as it was at any of them, and
 * the events of a window, in the structures the live program uses, so the
 * batch printer, the events printer and the screen's panes show the past
 * exactly as they show the present. */
#ifndef SOCKEYE_REPLAY_H
#define SOCKEYE_REPLAY_H

#include <stddef.h>
#include "table.h"

struct history;
struct column_cmdlines;    /* columns.h */

/* Opens a recording to read. A file that is not one (not SQLite, another
 * program's database, torn, or written by a newer sockeye) is refused with
 * one message in err naming the file and what is wrong, as is one with no
 * complete poll yet. NULL then. path is a file's name, whatever its
 * characters; only "file:/...?vfs=memdb" is taken as an SQLite URI (the
 * recorder's memory database, which may have no poll yet). */
struct history *history_open(const char *path, char *err, size_t errlen);
/* history_open for a recording this process is writing (recorder_history):
 * it may hold no complete poll yet. */
struct history *history_attach(const char *path, char *err, size_t errlen);
void history_close(struct history *h);

/* The name of the machine recorded (meta's host; raw text from it, escape
 * it to show it). Returns 0, or -1 when the recording does not say. */
int history_host(struct history *h, char *buf, size_t len);
/* The poll interval it was recorded at, in seconds. Returns 0, or -1 when
 * the recording does not say. */
int history_interval(struct history *h, double *seconds);

/* The first and last moments that can be shown (polls recorded whole).
 * Returns 0, or -1 when the recording has none yet. The last moves on
 * while a recorder writes. */
int history_span(struct history *h, double *first, double *last);
/* The moment shown for t: the last poll at or before t (the first one when
 * t is before it). Returns 0, or -1 when there is none. */
int history_moment(struct history *h, double t, double *moment);
/* The poll after (dir > 0) or before (dir < 0) moment. Returns 0, or -1
 * when there is none. */
int history_step(struct history *h, double moment, int dir, double *out);

/* Makes t (from sock_table_new, its previous contents dropped) the table
 * as it was at moment: each socket's record, owners and former owners,
 * first-seen time, state time and rates as the live table had them.
 * Returns 0, or -1 with err filled. */
int history_table(struct history *h, double moment, struct sock_table *t,
                  char *err, size_t errlen);
/* Appends the events with since < time <= until, in the order they
 * happened, as the live diff produced them (records as of the event,
 * owners, flags, rates). Returns 0, or -1 with err filled. */
int history_events(struct history *h, double since, double until,
                   struct sock_events *ev, char *err, size_t errlen);
/* Where to end a piece of the window (since, until] so that it holds
 * about max events (all those of its last moment): *end, or until when
 * the rest holds fewer. A long window is read piece by piece this way.
 * Returns 0, or -1 with err filled. */
int history_events_end(struct history *h, double since, double until, size_t max,
                       double *end, char *err, size_t errlen);

/* The owners' command lines as recorded, for the printers and panes
 * (columns.h): those of the processes of the last moment or window read,
 * else the recording's newest for that process. Valid while h is open. */
const struct column_cmdlines *history_cmdlines(struct history *h);

#endif
