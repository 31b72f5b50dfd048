/* past.h — the screen looking back: the recorder behind the live screen
 * (memory, or the --record file), the keys that move the moment shown
 * ([ ] { } @ End), and a replay of a recording played forward (p, + -).
 *
 * While a moment is shown, u->view is the rewind's view of it (rewind.h)
 * and u->live goes on taking polls behind it; returning to the present
 * shows u->live again, with the filter, sorts and selection the past had.
 * A replay has no live view: u->view is always a moment of the file. */
#ifndef SOCKEYE_PAST_H
#define SOCKEYE_PAST_H

#include <stddef.h>

#include "keys.h"
#include "table.h"

struct ui;

#define PAST_SPEED_MIN (-2)        /* a replay's slowest: 1/4x */
#define PAST_SPEED_MAX 6           /* its fastest: 64x */
/* A gap in a recording (sockeye was not running) plays in at most this
 * many seconds rather than as long as it lasted. */
#define PAST_GAP_MAX 2.0

/* Live screen: starts the recorder (o->record, else memory) and its
 * reader. Returns 0, or -1 with err. */
int past_open_live(struct ui *u, char *err, size_t errlen);
/* Replay: opens o->replay and shows its moment at o->at (its last
 * without). Returns 0, or -1 with err and *status the exit status (1 for
 * the file, 2 for a bad --at). */
int past_open_replay(struct ui *u, char *err, size_t errlen, int *status);
void past_close(struct ui *u);

/* After the live view took a poll: the recorder takes it too (ev NULL:
 * the baseline). Its notes go to the footer. */
void past_record(struct ui *u, const struct sock_table *t, const struct sock_events *ev,
                 double when);

/* [ ] { }: one poll or one minute back or forward. */
void past_step(struct ui *u, enum keys_action a);
/* @'s text, a time (when_parse): 0 when the moment it names is shown, -1
 * with err (the prompt keeps it) when it is not a time. */
int past_goto(struct ui *u, const char *text, char *err, size_t errlen);
/* End: back to the present (live, or a replay's last moment). Returns 1
 * when it moved, 0 when the present was already shown. */
int past_end(struct ui *u);
/* p in a replay: play forward from the moment shown, or stop. */
void past_play(struct ui *u);
/* + and -: a replay plays twice or half as fast. */
void past_speed(struct ui *u, int faster);
/* A replay playing takes its next poll when due. */
void past_tick(struct ui *u);
/* Seconds until past_tick has something to do (a large number: never). */
double past_due(const struct ui *u);

/* Why K and F9 cannot act on what is shown (a moment gone by, or a
 * replay), or NULL when they can. */
const char *past_refusal(const struct ui *u);
/* The footer's flags (keys_footer_labels): what cannot act on a moment of
 * the past is left out, and End says it goes back to live. */
unsigned past_footer_flags(const struct ui *u);
/* The table the panes show: the moment's, or the live one. */
const struct sock_table *past_table(const struct ui *u);
/* The moment shown, 0 in the present. */
double past_moment(const struct ui *u);

#endif
