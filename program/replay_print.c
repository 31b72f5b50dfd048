/* replay_print.c — see replay_print.h. Times the user typed count from the
 * recording's last moment; the table's AGE counts to the moment shown, not
 * to the wall clock. Events are read a piece at a time, so a day of them
 * never sits in memory at once. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "filter.h"
#include "nowrite.h"
#include "output.h"
#include "privs.h"
#include "replay.h"
#include "replay_print.h"
#include "when.h"

/* Events a piece holds at most (a moment's are never split). */
#define EVENTS_PIECE 10000

/* A time the user typed, counted from the recording's end. */
static int resolve(const char *what, const char *typed, double last, double *t)
{
	char err[256];
	if (when_parse(typed, last, t, err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: %s: %s\n", what, err);
		return -1;
	}
	return 0;
}

static int print_table(struct history *h, const struct options *o,
                       const struct output_opts *out, double first, double last)
{
	char err[512], when[32];
	double t = last, moment;
	if (o->at && resolve("--at", o->at, last, &t) < 0)
		return 2;
	if (t < first) {
		fprintf(stderr, "sockeye: %s: the recording starts at %s, after --at\n", o->replay,
		        when_format(first, when, sizeof(when)));
		return 1;
	}
	struct sock_table *table = sock_table_new();
	if (!table || history_moment(h, t, &moment) < 0 ||
	    history_table(h, moment, table, err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: %s\n", table ? err : "out of memory");
		sock_table_free(table);
		return 1;
	}
	errno = 0;
	int rc = output_batch(stdout, table, moment, out) < 0 ? output_failed(errno) : 0;
	sock_table_free(table);
	return rc;
}

static int print_events(struct history *h, const struct options *o,
                        const struct output_opts *out, double first, double last)
{
	char err[512];
	/* The first poll is the baseline: what it found was there already. */
	double since = first, until = last;
	if ((o->since && resolve("--since", o->since, last, &since) < 0) ||
	    (o->until && resolve("--until", o->until, last, &until) < 0))
		return 2;
	if (until < since) {
		fprintf(stderr, "sockeye: --until is before --since\n");
		return 2;
	}
	struct sock_events ev;
	sock_events_init(&ev);
	int rc = 0;
	while (rc == 0 && since < until) {
		double end;
		sock_events_clear(&ev);
		if (history_events_end(h, since, until, EVENTS_PIECE, &end, err, sizeof(err)) < 0 ||
		    history_events(h, since, end, &ev, err, sizeof(err)) < 0) {
			fprintf(stderr, "sockeye: %s\n", err);
			rc = 1;
			break;
		}
		errno = 0;
		if (output_events(stdout, &ev, out) < 0)
			rc = output_failed(errno) ? 1 : -1;   /* -1: the reader left, stop quietly */
		since = end;
	}
	sock_events_free(&ev);
	return rc < 0 ? 0 : rc;
}

/* Nothing here needs a right or writes a file: give both up once the
 * recording is open. */
static void give_up_rights(const struct options *o)
{
	struct privs_report privs;
	char note[320];
	if (privs_drop(o, &privs) < 0 && privs.privileged)
		fprintf(stderr, "sockeye: note: %s\n", privs.note);
	if (nowrite_install(note, sizeof(note)) < 0 && privs.privileged)
		fprintf(stderr, "sockeye: note: file writes are not refused: %s\n", note);
}

int replay_print(const struct options *o)
{
	char err[512];
	char *text = options_replay_filter(o);
	struct filter *flt = NULL;
	if (!text) {
		fprintf(stderr, "sockeye: out of memory\n");
		return 1;
	}
	int bad = filter_compile(text, &flt, err, sizeof(err)) < 0;
	free(text);
	if (bad) {
		fprintf(stderr, "sockeye: bad filter: %s\n", err);
		return 2;
	}
	struct history *h = history_open(o->replay, err, sizeof(err));
	if (!h) {
		fprintf(stderr, "sockeye: %s\n", err);
		filter_free(flt);
		return 1;
	}
	give_up_rights(o);
	char host[256];
	if (history_host(h, host, sizeof(host)) < 0)
		export_hostname(host, sizeof(host));
	struct output_opts out;
	options_output(o, flt, &out);
	out.host = host;
	out.cmdlines = history_cmdlines(h);
	double first, last;
	int rc;
	if (history_span(h, &first, &last) < 0) {
		fprintf(stderr, "sockeye: %s: the recording holds no complete poll\n", o->replay);
		rc = 1;
	} else {
		rc = o->mode == MODE_BATCH ? print_table(h, o, &out, first, last)
		                           : print_events(h, o, &out, first, last);
	}
	history_close(h);
	filter_free(flt);
	return rc;
}
