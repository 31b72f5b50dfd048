/* past.c — the screen in the past: the recorder behind it, the moment
 * shown and how the keys move it, and a replay playing (see past.h). */
#include "config.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "past.h"
#include "privs.h"
#include "record.h"
#include "replay.h"
#include "rewind.h"
#include "timebase.h"
#include "ui.h"
#include "when.h"

static int past_shown(const struct ui *u)
{
	return u->rewind && rewind_view(u->rewind) != NULL;
}

double past_moment(const struct ui *u)
{
	return past_shown(u) ? rewind_moment(u->rewind) : 0;
}

const struct sock_table *past_table(const struct ui *u)
{
	return past_shown(u) ? rewind_table(u->rewind) : poller_table(u->poller);
}

const char *past_refusal(const struct ui *u)
{
	if (u->opts->replay)
		return "not available in a replay: it shows a recording, not this machine";
	if (past_shown(u))
		return "that acts on the present: press End to go back to live first";
	return NULL;
}

unsigned past_footer_flags(const struct ui *u)
{
	unsigned f = u->opts->read_only || past_refusal(u) ? KEYS_FOOTER_NO_WRITES : 0;
	return f | (u->live && past_shown(u) ? KEYS_FOOTER_PAST : 0);
}

/* ---- opening ---- */

int past_open_live(struct ui *u, char *err, size_t errlen)
{
	const struct options *o = u->opts;
	struct record_config c = {
		.path = o->record,
		.keep = o->record ? (o->record_keep > 0 ? o->record_keep : RECORD_KEEP_DEFAULT)
		                  : RECORD_MEM_KEEP,
		.max_bytes = o->record ? (o->record_max ? o->record_max : RECORD_MAX_DEFAULT)
		                       : RECORD_MEM_MAX,
		.interval = o->interval,
		.host = u->host,
	};
	u->recorder = recorder_open(&c, err, errlen);
	if (!u->recorder)
		return -1;
	if (o->record)
		recorder_set_thread_setup(u->recorder, privs_confine_recording, (void *)o->record);
	if (recorder_start(u->recorder, err, errlen) < 0)
		return -1;
	const char *why = recorder_take_note(u->recorder);
	if (why)
		ui_message(u, why);
	u->history = recorder_history(u->recorder, err, errlen);
	if (!u->history)
		return -1;
	u->rewind = rewind_new(u->history);
	if (!u->rewind) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* --at in a replay: counted from the recording's end, and within it, as
 * --batch takes it. Returns the exit status on failure, else 0. */
static int past_replay_at(struct ui *u, double first, double last, double *moment,
                          char *err, size_t errlen)
{
	char why[256], b[32];
	double t;
	if (!u->opts->at) {
		*moment = last;
		return 0;
	}
	if (when_parse(u->opts->at, last, &t, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--at: %s", why);
		return 2;
	}
	if (t < first) {
		snprintf(err, errlen, "%s: the recording starts at %s, after --at", u->opts->replay,
		         when_format(first, b, sizeof(b)));
		return 1;
	}
	if (history_moment(u->history, t, moment) < 0) {
		snprintf(err, errlen, "%s: the recording holds no poll yet", u->opts->replay);
		return 1;
	}
	return 0;
}

int past_open_replay(struct ui *u, char *err, size_t errlen, int *status)
{
	double first, last, moment;
	char why[512];
	*status = 1;
	u->history = history_open(u->opts->replay, err, errlen);
	if (!u->history)
		return -1;
	if (history_span(u->history, &first, &last) < 0) {
		snprintf(err, errlen, "%s: the recording holds no poll yet", u->opts->replay);
		return -1;
	}
	if ((*status = past_replay_at(u, first, last, &moment, err, errlen)) != 0)
		return -1;
	*status = 1;
	u->rewind = rewind_new(u->history);
	if (!u->rewind) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The view set up from the options lends the replay its settings. */
	if (rewind_go(u->rewind, moment, u->view, NULL, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", u->opts->replay, why);
		return -1;
	}
	view_free(u->live);
	u->live = NULL;
	u->view = rewind_view(u->rewind);
	return 0;
}

void past_close(struct ui *u)
{
	rewind_free(u->rewind);
	u->rewind = NULL;
	history_close(u->history);
	u->history = NULL;
	recorder_close(u->recorder);
	u->recorder = NULL;
}

void past_record(struct ui *u, const struct sock_table *t, const struct sock_events *ev,
                 double when)
{
	if (!u->recorder)
		return;
	if (recorder_poll(u->recorder, t, ev, cmdlines_source(u->cmdlines), when) < 0)
		ui_message(u, "out of memory: a poll is missing from the rewind");
	const char *note = recorder_take_note(u->recorder);
	if (note)
		ui_message(u, note);
}

/* ---- moving the moment ---- */

/* Shows moment, following what is shown now; the live rings lend the
 * Trends their past. */
static int past_show(struct ui *u, double moment)
{
	char err[512];
	if (!past_shown(u))
		u->left_live_at = u->polled_at;
	if (rewind_go(u->rewind, moment, u->view, u->live, err, sizeof(err)) < 0) {
		ui_message(u, err);
		return -1;
	}
	u->view = rewind_view(u->rewind);
	ui_details_follow(u);
	return 0;
}

/* Back to the live view, which takes the past's settings and selection.
 * The moment's tables were thousands of small blocks: the heap's free
 * pages go back to the system rather than stay with the process. */
static void past_live(struct ui *u)
{
	view_follow(u->live, u->view);
	u->view = u->live;
	rewind_leave(u->rewind);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	ui_details_follow(u);
}

/* The moment keys count from: the one shown, or the present's last poll. */
static double past_from(const struct ui *u)
{
	return past_shown(u) ? rewind_moment(u->rewind) : u->polled_at;
}

/* The recording's first moment said, when there is nothing before. */
static void past_no_earlier(struct ui *u)
{
	char msg[128], at[32];
	double first, last;
	if (!u->history || history_span(u->history, &first, &last) < 0) {
		ui_message(u, "nothing is recorded yet to go back to");
		return;
	}
	when_format(first, at, sizeof(at));
	snprintf(msg, sizeof(msg), "the recording goes back to %s, no further", at);
	ui_message(u, msg);
}

/* Whether t is the newest moment recorded (the recorder may be a few polls
 * behind the present: what it has not written yet is not there to show). */
static int past_newest(struct ui *u, double t)
{
	double first, last;
	return history_span(u->history, &first, &last) == 0 && t >= last;
}

static void past_forward(struct ui *u)
{
	char err[512];
	double next;
	if (!past_shown(u)) {
		ui_message(u, "this is live: there is no later moment");
		return;
	}
	/* Stepping on to where the past was entered from is going back to
	 * live: polls go on arriving while one steps, and this way ] always
	 * gets there. So is the newest moment recorded. */
	if (u->live && (history_step(u->history, rewind_moment(u->rewind), 1, &next) < 0 ||
	                next >= u->left_live_at || past_newest(u, next))) {
		past_live(u);
		return;
	}
	int rc = rewind_forward(u->rewind, err, sizeof(err));
	if (rc < 0)
		ui_message(u, err);
	if (rc > 0) {
		ui_details_follow(u);
	} else if (rc == 0 && u->live) {
		past_live(u);
	} else if (rc == 0) {
		ui_message(u, "the end of the recording");
	}
}

/* One minute on, or the present when that is past the recording's end. */
static void past_minute_on(struct ui *u)
{
	double first, last, m, from = past_from(u);
	if (!past_shown(u)) {
		ui_message(u, "this is live: there is no later moment");
		return;
	}
	if (history_span(u->history, &first, &last) < 0)
		return;
	if (u->live && (from + 60 > last || from + 60 >= u->left_live_at)) {
		past_live(u);
	} else if (from >= last) {
		ui_message(u, "the end of the recording");
	} else if (history_moment(u->history, from + 60 > last ? last : from + 60, &m) == 0 &&
	           m > from) {
		past_show(u, m);
	} else {
		past_forward(u);   /* no poll in the minute: the next one */
	}
}

void past_step(struct ui *u, enum keys_action a)
{
	double m, from = past_from(u);
	if (!u->history) {
		ui_message(u, "nothing is recorded to go back to");
		return;
	}
	switch (a) {
	case KEYS_TIME_BACK:
		if (history_step(u->history, from, -1, &m) < 0)
			past_no_earlier(u);
		else
			past_show(u, m);
		break;
	case KEYS_TIME_FORWARD:
		past_forward(u);
		break;
	case KEYS_TIME_BACK_MINUTE:
		if (history_moment(u->history, from - 60, &m) < 0 || m >= from)
			past_no_earlier(u);
		else
			past_show(u, m);
		break;
	case KEYS_TIME_FORWARD_MINUTE:
		past_minute_on(u);
		break;
	default:
		break;
	}
}

int past_goto(struct ui *u, const char *text, char *err, size_t errlen)
{
	double first, last, t, m;
	char msg[128], at[32];
	if (!u->history || history_span(u->history, &first, &last) < 0) {
		snprintf(err, errlen, "nothing is recorded yet");
		return -1;
	}
	/* Relative times count from now live, from the end in a replay. */
	if (when_parse(text, u->live ? timebase_epoch() : last, &t, err, errlen) < 0)
		return -1;
	if (u->live && t >= u->polled_at) {
		if (past_shown(u))
			past_live(u);
		return 0;
	}
	if (history_moment(u->history, t, &m) < 0) {
		snprintf(err, errlen, "nothing is recorded yet");
		return -1;
	}
	if (t < first) {
		when_format(first, at, sizeof(at));
		snprintf(msg, sizeof(msg), "the recording starts at %s: its first moment", at);
		ui_message(u, msg);
	}
	if (!past_shown(u) || m != rewind_moment(u->rewind))
		past_show(u, m);
	return 0;
}

int past_end(struct ui *u)
{
	double first, last;
	if (!past_shown(u))
		return 0;
	if (u->live) {
		past_live(u);
		return 1;
	}
	if (history_span(u->history, &first, &last) < 0 || rewind_moment(u->rewind) >= last)
		return 0;
	u->playing = 0;
	past_show(u, last);
	return 1;
}

/* ---- playing a replay ---- */

static double past_rate(const struct ui *u)
{
	return ldexp(1.0, u->speed);
}

/* When the poll after the one shown is due at the speed chosen. */
static int past_schedule(struct ui *u)
{
	double next, m = rewind_moment(u->rewind);
	if (history_step(u->history, m, 1, &next) < 0)
		return -1;
	double wait = (next - m) / past_rate(u);
	u->play_next = timebase_mono() + (wait < PAST_GAP_MAX ? wait : PAST_GAP_MAX);
	return 0;
}

void past_play(struct ui *u)
{
	if (u->playing) {
		u->playing = 0;
		return;
	}
	if (!past_shown(u) || past_schedule(u) < 0) {
		ui_message(u, "the end of the recording: [ { or @ go back");
		return;
	}
	u->playing = 1;
}

void past_speed(struct ui *u, int faster)
{
	if (!u->opts->replay) {
		ui_message(u, "+ and - set the speed a replay plays at (sockeye --replay=FILE)");
		return;
	}
	int s = u->speed + (faster ? 1 : -1);
	if (s < PAST_SPEED_MIN || s > PAST_SPEED_MAX)
		return;
	u->speed = s;
	if (u->playing)
		past_schedule(u);
}

void past_tick(struct ui *u)
{
	char err[512];
	if (!u->playing || timebase_mono() < u->play_next)
		return;
	int rc = rewind_forward(u->rewind, err, sizeof(err));
	if (rc > 0)
		ui_details_follow(u);
	if (rc < 0) {
		u->playing = 0;
		ui_message(u, err);
	} else if (rc == 0 || past_schedule(u) < 0) {
		u->playing = 0;
		ui_message(u, "the end of the recording");
	}
	u->dirty = 1;
}

double past_due(const struct ui *u)
{
	return u->playing ? u->play_next - timebase_mono() : 1e9;
}
