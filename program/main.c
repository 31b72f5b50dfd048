/* main.c — start-up: parse the command line, open the poller, and run the
 * mode asked for (--batch, --events, or the screen). */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdlines.h"
#include "export.h"
#include "filter.h"
#include "options.h"
#include "output.h"
#include "nowrite.h"
#include "poller.h"
#include "privs.h"
#include "record.h"
#include "replay_print.h"
#include "timebase.h"
#include "ui.h"

/* Set by SIGINT/SIGTERM/SIGHUP: stop after the current poll. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Sleeps until the monotonic time at (nanoseconds), reading the kernel's
 * news of destroyed sockets as it comes, so each is stamped with the time
 * it came and a long interval cannot overrun the buffer. 0 at the time,
 * -1 when a stop signal arrived. */
static int wait_until(struct poller *p, long long at)
{
	while (!stop_requested) {
		struct timespec now, left;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long cur = now.tv_sec * 1000000000LL + now.tv_nsec;
		if (cur >= at)
			return 0;
		left.tv_sec = (at - cur) / 1000000000LL;
		left.tv_nsec = (at - cur) % 1000000000LL;
		/* Standard output too: a pipe whose reader went away reports
		 * POLLERR, so `sockeye -e | grep -m1 x` ends with grep even
		 * while no event comes to be written. */
		struct pollfd pfd[2] = {
			{ .fd = poller_watch_fd(p), .events = POLLIN },
			{ .fd = STDOUT_FILENO, .events = 0 },
		};
		if (ppoll(pfd, 2, &left, NULL) > 0 && (pfd[0].revents & POLLIN))
			poller_watch_drain(p, timebase_epoch());
		if (pfd[1].revents & (POLLERR | POLLHUP))
			return -1;
	}
	return -1;
}

/* Sleeps until *next (CLOCK_MONOTONIC), then moves it one interval on. A
 * poll that overran skips the missed ticks rather than bursting. Returns -1
 * when a stop signal arrived. */
static int wait_tick(struct poller *p, struct timespec *next, double interval)
{
	long long step = (long long)(interval * 1e9);
	long long at = next->tv_sec * 1000000000LL + next->tv_nsec + step;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long cur = now.tv_sec * 1000000000LL + now.tv_nsec;
	if (at < cur)
		at = cur + step - (cur - at) % step;
	next->tv_sec = at / 1000000000LL;
	next->tv_nsec = at % 1000000000LL;
	return wait_until(p, at);
}

/* Where a poll goes besides the terminal; any of them may be NULL. */
struct sinks {
	struct export *x;
	struct recorder *rec;
	const struct column_cmdlines *cmd;
};

/* Hands the poll to the recorder, saying on stderr what went wrong there
 * (a recording that cannot keep up is a note, never a stop). */
static int record_poll(const struct sinks *s, struct poller *p, const struct sock_events *ev,
                       double when)
{
	if (!s->rec)
		return 0;
	int rc = recorder_poll(s->rec, poller_table(p), ev, s->cmd, when);
	const char *note = recorder_take_note(s->rec);
	if (note)
		fprintf(stderr, "sockeye: note: %s\n", note);
	if (rc < 0)
		fprintf(stderr, "sockeye: the recording: out of memory\n");
	return 0;
}

/* One poll, then its metrics, journal entries and recording. */
static int poll_once(struct poller *p, const struct sinks *s, struct sock_events *ev)
{
	struct export *x = s->x;
	char err[512];
	double start = timebase_mono();
	privs_raise(PRIVS_SIGHT);
	int rc = poller_collect(p, err, sizeof(err));
	privs_lower();
	if (rc < 0) {
		fprintf(stderr, "sockeye: %s\n", err);
		return -1;
	}
	double when = poller_sampled_at(p);
	if (poller_apply(p, when, ev, err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: %s\n", err);
		return -1;
	}
	const char *note = poller_take_note(p);
	if (note)
		fprintf(stderr, "sockeye: %s\n", note);
	if (export_poll(x, poller_table(p), ev, timebase_mono() - start, when,
	                err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: %s\n", err);
		return -1;
	}
	return record_poll(s, p, ev, when);
}

static int run_batch(struct poller *p, const struct sinks *s, const struct options *o,
                     const struct output_opts *out)
{
	long n = o->iterations ? o->iterations : 1;
	/* A recording needs the changes between polls: the first is the
	 * baseline, the rest diffed. */
	struct sock_events ev;
	int rc = 0;
	sock_events_init(&ev);
	struct timespec tick;
	clock_gettime(CLOCK_MONOTONIC, &tick);
	for (long i = 0; i < n; i++) {
		if (i > 0) {
			if (wait_tick(p, &tick, o->interval) < 0)
				break;
			if (!o->json)
				putchar('\n');
		}
		sock_events_clear(&ev);
		if (poll_once(p, s, i > 0 && s->rec ? &ev : NULL) < 0) {
			rc = 1;
			break;
		}
		errno = 0;
		if (output_batch(stdout, poller_table(p), timebase_epoch(), out) < 0) {
			rc = output_failed(errno);
			break;
		}
	}
	sock_events_free(&ev);
	return rc;
}

static int run_events(struct poller *p, const struct sinks *s, const struct options *o,
                      const struct output_opts *out)
{
	struct sock_events ev;
	int rc = 0;
	sock_events_init(&ev);
	struct timespec tick;
	clock_gettime(CLOCK_MONOTONIC, &tick);
	/* The first poll is the baseline: sockets that already exist are not news. */
	if (poll_once(p, s, NULL) < 0)
		return 1;
	for (long i = 1; !o->iterations || i < o->iterations; i++) {
		if (wait_tick(p, &tick, o->interval) < 0)
			break;
		sock_events_clear(&ev);
		if (poll_once(p, s, &ev) < 0) {
			rc = 1;
			break;
		}
		errno = 0;
		if ((!o->headless && output_events(stdout, &ev, out) < 0) ||
		    (o->rates && output_rates(stdout, poller_table(p), out) < 0)) {
			rc = output_failed(errno);
			break;
		}
	}
	sock_events_free(&ev);
	return rc;
}

/* Once set up (netlink sockets open, theme read), gives up the rights
 * the mode does not need, saying what could not be done where sockeye had
 * rights to give up. -1 with err when the metrics writer cannot be narrowed. */
static int give_up_rights(const struct options *o, struct export *x, struct recorder *rec,
                          char *err, size_t errlen)
{
	struct privs_report privs;
	char note[320];
	if (privs_drop(o, &privs) < 0 && privs.privileged)
		fprintf(stderr, "sockeye: note: %s\n", privs.note);
	if (export_confine(x, note, sizeof(note), err, errlen) < 0)
		return -1;
	if (note[0] && privs.privileged)
		fprintf(stderr, "sockeye: note: %s\n", note);
	/* The recording's writer starts before the filter below, which it
	 * would inherit, and narrows itself to the recording's files. */
	if (rec) {
		recorder_set_thread_setup(rec, privs_confine_recording, (void *)o->record);
		if (recorder_start(rec, err, errlen) < 0)
			return -1;
		const char *why = recorder_take_note(rec);
		if (why && privs.privileged)
			fprintf(stderr, "sockeye: note: %s\n", why);
	}
	/* From here this thread writes only to what it has open (stdout, the
	 * journal's socket): Landlock cannot narrow it (privs.h), seccomp can. */
	if (nowrite_install(note, sizeof(note)) < 0 && privs.privileged)
		fprintf(stderr, "sockeye: note: file writes are not refused: %s\n", note);
	return 0;
}

static int run(const struct options *o)
{
	char err[512];
	struct filter *flt = NULL;
	if (filter_compile(o->filter, &flt, err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: bad filter: %s\n", err);
		return 2;
	}
	struct poller_config cfg = { .source = o->source, .want = o->want, .proc_root = "/proc",
	                             .no_destroy_events = o->no_destroy_events,
	                             .netns = o->netns };
	struct poller *p = poller_new(&cfg, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "sockeye: %s\n", err);
		filter_free(flt);
		return 1;
	}
	struct output_opts out;
	options_output(o, flt, &out);
	char host[256];
	export_hostname(host, sizeof(host));
	out.host = host;
	struct export_config xc = { .prometheus = o->prometheus, .journal = o->journal,
	                            .filter = flt };
	struct export *x = NULL;
	if ((o->prometheus || o->journal) && !(x = export_open(&xc, err, sizeof(err)))) {
		fprintf(stderr, "sockeye: %s\n", err);
		poller_free(p);
		filter_free(flt);
		return 1;
	}
	struct recorder *rec = NULL;
	if (o->record) {
		struct record_config rc = { .path = o->record, .keep = o->record_keep,
		                            .max_bytes = o->record_max, .interval = o->interval,
		                            .host = host };
		if (!(rec = recorder_open(&rc, err, sizeof(err)))) {
			fprintf(stderr, "sockeye: %s\n", err);
			export_free(x);
			poller_free(p);
			filter_free(flt);
			return 1;
		}
	}
	if (give_up_rights(o, x, rec, err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: %s\n", err);
		recorder_close(rec);
		export_free(x);
		poller_free(p);
		filter_free(flt);
		return 1;
	}
	install_signals();
	struct cmdlines *cmd = cmdlines_new(poller_procmap(p));   /* for COMMAND and "cmdline" */
	out.cmdlines = cmd ? cmdlines_source(cmd) : NULL;
	struct sinks sinks = { .x = x, .rec = rec, .cmd = out.cmdlines };
	int rc = o->mode == MODE_BATCH ? run_batch(p, &sinks, o, &out) : run_events(p, &sinks, o, &out);
	if (rec) {
		/* what is queued is written before the end */
		recorder_flush(rec);
		const char *note = recorder_take_note(rec);
		if (note)
			fprintf(stderr, "sockeye: note: %s\n", note);
		recorder_close(rec);
	}
	cmdlines_free(cmd);
	export_free(x);
	poller_free(p);
	filter_free(flt);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[512];
	int rc;
	/* Before anything is read (locale files included): what the user
	 * names is read with their rights. */
	if (privs_start(err, sizeof(err)) < 0) {
		fprintf(stderr, "sockeye: %s\n", err);
		return 1;
	}
	/* Only the character type: numbers (the interval, JSON) stay in the C
	 * locale's format whatever LC_NUMERIC says. */
	setlocale(LC_CTYPE, "");
	if (options_parse(&o, argc, argv, err, sizeof(err)) < 0) {
		/* Running out of memory is no fault of the command line. */
		int oom = strcmp(err, "out of memory") == 0;
		fprintf(stderr, "sockeye: %s\n", err);
		if (!oom)
			fprintf(stderr, "Try 'sockeye --help' for more information.\n");
		rc = oom ? 1 : 2;
	} else if (o.help) {
		options_usage(stdout);
		rc = 0;
	} else if (o.version) {
		printf("sockeye %s\n", PACKAGE_VERSION);
		rc = 0;
	} else if (o.mode == MODE_SCREEN) {
		rc = ui_run(&o);     /* says the config note in its footer; o.replay: a recording */
	} else if (o.replay) {
		if (o.config_note[0])
			fprintf(stderr, "sockeye: note: %s\n", o.config_note);
		rc = replay_print(&o);
	} else {
		if (o.config_note[0])
			fprintf(stderr, "sockeye: note: %s\n", o.config_note);
		rc = run(&o);
	}
	options_free(&o);
	return rc;
}
