/* rewind.c — a view of a recording's moment, fed as polling fed the live
 * one (see rewind.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rewind.h"

/* The Events pane's log before the baseline is read back in windows that
 * double from this many seconds, until it holds REWIND_LOG_MAX events or
 * the recording starts: a busy machine fills it from the last seconds, a
 * quiet one from days. Pages of events to scroll back through, but a fifth
 * of the live log: reading 10,000 back (about 14 ms a thousand) would cost
 * the screen over a tenth of a second a step on a busy machine. */
#define REWIND_LOG_WINDOW 10.0
#define REWIND_LOG_MAX 2000

struct rewind {
	struct history *h;
	struct view *view;             /* NULL: nothing shown */
	struct sock_table *at, *spare; /* the moment's table, and one to read into;
	                                * NULL while nothing is shown */
	double moment;
	double spare_at;               /* the moment spare holds (the poll before), 0 none */
};

struct rewind *rewind_new(struct history *h)
{
	struct rewind *rw = calloc(1, sizeof(*rw));
	if (!rw)
		return NULL;
	rw->h = h;
	return rw;
}

void rewind_free(struct rewind *rw)
{
	if (!rw)
		return;
	view_free(rw->view);
	sock_table_free(rw->at);
	sock_table_free(rw->spare);
	free(rw);
}

struct view *rewind_view(const struct rewind *rw)
{
	return rw->view;
}

double rewind_moment(const struct rewind *rw)
{
	return rw->view ? rw->moment : 0;
}

const struct sock_table *rewind_table(const struct rewind *rw)
{
	return rw->view ? rw->at : NULL;
}

/* Back in the present the moment's tables are given back: at 10,000
 * sockets they are megabytes. */
void rewind_leave(struct rewind *rw)
{
	view_free(rw->view);
	sock_table_free(rw->at);
	sock_table_free(rw->spare);
	rw->view = NULL;
	rw->at = rw->spare = NULL;
	rw->moment = rw->spare_at = 0;
}

int rewind_feed(struct view *v, const struct view *like, const struct sock_events *older,
                const struct sock_table *before, double before_at,
                const struct sock_table *at, const struct sock_events *ev, double moment)
{
	int rc = 0;
	if (like)
		view_follow(v, like);
	for (size_t i = 0; older && i < older->n; i++)
		if (view_events_log(v, &older->v[i]) < 0)
			rc = -1;
	if (before) {
		if (view_poll(v, before, NULL, before_at) < 0 || view_refresh(v, before_at) < 0)
			rc = -1;
		/* The baseline's rows may lack the selected socket: choose again. */
		if (like)
			view_follow(v, like);
	}
	if (view_poll(v, at, before ? ev : NULL, moment) < 0 || view_refresh(v, moment) < 0)
		rc = -1;
	return rc;
}

/* Moves the events of from after those of to (their owners go with them). */
static int events_append(struct sock_events *to, struct sock_events *from)
{
	for (size_t i = 0; i < from->n; i++) {
		struct sock_event *e = sock_events_push(to);
		if (!e)
			return -1;
		*e = from->v[i];
		memset(&from->v[i], 0, sizeof(from->v[i]));
	}
	from->n = 0;
	return 0;
}

/* The events up to until, the newest REWIND_LOG_MAX at least, into out. */
static int rewind_older(struct rewind *rw, double until, struct sock_events *out,
                        char *err, size_t errlen)
{
	double first, last, w = REWIND_LOG_WINDOW;
	struct sock_events chunk;
	int rc = 0;
	if (history_span(rw->h, &first, &last) < 0)
		return 0;
	sock_events_init(&chunk);
	while (out->n < REWIND_LOG_MAX && until >= first) {
		double since = until - w;
		sock_events_clear(&chunk);
		if (history_events(rw->h, since, until, &chunk, err, errlen) < 0 ||
		    events_append(&chunk, out) < 0) {
			rc = -1;
			break;
		}
		/* chunk now holds the older events then out's: it is the new out */
		struct sock_events t = *out;
		*out = chunk;
		chunk = t;
		until = since;
		w *= 2;
	}
	if (rc < 0 && !*err)
		snprintf(err, errlen, "out of memory reading the events");
	sock_events_free(&chunk);
	return rc;
}

/* Reads moment's table, its baseline's and the events: into fresh tables,
 * so a failure leaves what is shown untouched. One poll back, the moment's
 * table is the baseline read last time: it is taken as it is. */
int rewind_go(struct rewind *rw, double moment, const struct view *like,
              const struct view *trends_from, char *err, size_t errlen)
{
	double before_at = 0;
	int has_before = history_step(rw->h, moment, -1, &before_at) == 0;
	int reuse = rw->view && rw->spare_at > 0 && rw->spare_at == moment;
	struct sock_events older, ev;
	struct sock_table *at = reuse ? rw->spare : sock_table_new(), *before = sock_table_new();
	struct view *v = view_new();
	int rc = -1;
	err[0] = '\0';
	sock_events_init(&older);
	sock_events_init(&ev);
	if (!v || !at || !before)
		snprintf(err, errlen, "out of memory");
	else if ((!has_before || history_table(rw->h, before_at, before, err, errlen) == 0) &&
	         (reuse || history_table(rw->h, moment, at, err, errlen) == 0) &&
	         (!has_before || history_events(rw->h, before_at, moment, &ev, err, errlen) == 0) &&
	         rewind_older(rw, has_before ? before_at : moment, &older, err, errlen) == 0)
		rc = 0;
	if (rc == 0)
		view_set_cmdlines(v, history_cmdlines(rw->h));
	if (rc == 0 && rewind_feed(v, like, &older, has_before ? before : NULL, before_at,
	                           at, &ev, moment) < 0) {
		snprintf(err, errlen, "out of memory: the moment is shown in part");
		rc = -1;
	}
	if (rc == 0 && trends_from)
		view_trends_clip(v, trends_from, moment);
	sock_events_free(&older);
	sock_events_free(&ev);
	if (rc < 0) {
		view_free(v);
		if (!reuse)
			sock_table_free(at);
		sock_table_free(before);
		return -1;
	}
	view_free(rw->view);
	sock_table_free(rw->at);
	if (!reuse)
		sock_table_free(rw->spare);
	rw->view = v;
	rw->at = at;
	rw->spare = before;
	rw->spare_at = has_before ? before_at : 0;
	rw->moment = moment;
	return 0;
}

/* The view borrows the table it was last polled with: the next poll is
 * read into the other, and they change places once it is fed. */
int rewind_forward(struct rewind *rw, char *err, size_t errlen)
{
	double next;
	struct sock_events ev;
	int rc = -1;
	if (!rw->view || history_step(rw->h, rw->moment, 1, &next) < 0)
		return 0;
	sock_events_init(&ev);
	err[0] = '\0';
	rw->spare_at = 0;     /* read over: it holds no moment until it is whole */
	if (history_table(rw->h, next, rw->spare, err, errlen) == 0 &&
	    history_events(rw->h, rw->moment, next, &ev, err, errlen) == 0) {
		rc = 1;
		if (view_poll(rw->view, rw->spare, &ev, next) < 0) {
			snprintf(err, errlen, "out of memory: some events are missing");
			rc = -1;
		}
		struct sock_table *t = rw->at;
		rw->at = rw->spare;
		rw->spare = t;
		rw->spare_at = rw->moment;
		rw->moment = next;
	}
	sock_events_free(&ev);
	return rc;
}
