/* options.c — parsing and checking the command line (the man page's OPTIONS).
 * Nothing here prints or exits: a bad input becomes one message for main. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "config_file.h"
#include "filter.h"
#include "journal.h"
#include "options.h"
#include "output.h"
#include "record.h"
#include "settings.h"
#include "sock.h"
#include "theme.h"
#include "when.h"

enum { OPT_JSON = 256, OPT_SOURCE, OPT_SORT, OPT_THEME, OPT_NO_COLOR, OPT_LINGER,
       OPT_READ_ONLY, OPT_RATES, OPT_NO_DESTROY_EVENTS, OPT_CONFIG, OPT_NO_CONFIG,
       OPT_ALL_NETNS, OPT_NO_ALL_NETNS, OPT_PROMETHEUS, OPT_JOURNAL, OPT_NO_MOUSE,
       OPT_RECORD, OPT_RECORD_KEEP, OPT_RECORD_MAX, OPT_REPLAY, OPT_AT, OPT_SINCE,
       OPT_UNTIL, OPT_SCREEN };

static const struct option long_options[] = {
	{ "interval",   required_argument, NULL, 'i' },
	{ "batch",      no_argument,       NULL, 'b' },
	{ "events",     no_argument,       NULL, 'e' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "json",       no_argument,       NULL, OPT_JSON },
	{ "rates",      no_argument,       NULL, OPT_RATES },
	{ "source",     required_argument, NULL, OPT_SOURCE },
	{ "no-destroy-events", no_argument, NULL, OPT_NO_DESTROY_EVENTS },
	{ "all-netns",  no_argument,       NULL, OPT_ALL_NETNS },
	{ "no-all-netns", no_argument,     NULL, OPT_NO_ALL_NETNS },
	{ "tcp",        no_argument,       NULL, 't' },
	{ "udp",        no_argument,       NULL, 'u' },
	{ "ipv4",       no_argument,       NULL, '4' },
	{ "ipv6",       no_argument,       NULL, '6' },
	{ "sort",       required_argument, NULL, OPT_SORT },
	{ "theme",      required_argument, NULL, OPT_THEME },
	{ "no-color",   no_argument,       NULL, OPT_NO_COLOR },
	{ "linger",     required_argument, NULL, OPT_LINGER },
	{ "read-only",  no_argument,       NULL, OPT_READ_ONLY },
	{ "resolve",    no_argument,       NULL, 'N' },
	{ "prometheus", required_argument, NULL, OPT_PROMETHEUS },
	{ "journal",    no_argument,       NULL, OPT_JOURNAL },
	{ "no-mouse",   no_argument,       NULL, OPT_NO_MOUSE },
	{ "record",     required_argument, NULL, OPT_RECORD },
	{ "record-keep", required_argument, NULL, OPT_RECORD_KEEP },
	{ "record-max", required_argument, NULL, OPT_RECORD_MAX },
	{ "screen",     no_argument,       NULL, OPT_SCREEN },
	{ "replay",     required_argument, NULL, OPT_REPLAY },
	{ "at",         required_argument, NULL, OPT_AT },
	{ "since",      required_argument, NULL, OPT_SINCE },
	{ "until",      required_argument, NULL, OPT_UNTIL },
	{ "config",     required_argument, NULL, OPT_CONFIG },
	{ "no-config",  no_argument,       NULL, OPT_NO_CONFIG },
	{ "help",       no_argument,       NULL, 'h' },
	{ "version",    no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f)
{
	char cols[256];
	columns_list(cols, sizeof(cols));
	fprintf(f,
	"Usage: sockeye [OPTION]... [FILTER]...\n"
	"Watch the machine's TCP and UDP sockets, their owners and their changes.\n"
	"\n"
	"  -i, --interval=SECONDS   refresh period, default 1 (0.1 to 3600)\n"
	"  -b, --batch              no screen: print one snapshot as a table and exit\n"
	"  -e, --events             no screen: print one line per change until stopped\n"
	"  -n, --iterations=N       with --batch or --events: stop after N polls\n"
	"      --json               with --batch or --events: JSON Lines, one object a line\n"
	"      --rates              with --events: also, every poll, one \"rate\" line per\n"
	"                           TCP connection whose byte counters moved, with its\n"
	"                           TX and RX bytes per second since the last poll\n"
	"      --source=auto|netlink|proc   where sockets come from (default auto)\n"
	"      --no-destroy-events  poll alone: do not listen for the kernel's news of\n"
	"                           closed sockets, so connections that open and close\n"
	"                           between two polls go unseen (the netlink source\n"
	"                           listens by default)\n"
	"      --all-netns          every network namespace in use (processes' and\n"
	"                           /run/netns names); the default when sockeye may\n"
	"                           enter them (root, CAP_SYS_ADMIN), an error otherwise\n"
	"      --no-all-netns       only sockeye's own network namespace\n"
	"  -t, --tcp  -u, --udp  -4, --ipv4  -6, --ipv6   narrow like ss does\n"
	"      --sort=COLUMN[:desc] initial sort column: %s\n"
	"      --theme=NAME|FILE    colour theme (see themes/)\n"
	"      --no-color           monochrome; also when NO_COLOR is set\n"
	"      --linger=SECONDS     how long new, changed and closed sockets stay\n"
	"                           highlighted on the screen, default 3 (0 to 3600)\n"
	"  -N, --resolve            show host names instead of addresses on the\n"
	"                           screen (the n key toggles)\n"
	"      --no-mouse           leave the mouse to the terminal (its own text\n"
	"                           selection) instead of clicks selecting and sorting\n"
	"      --read-only          no key that changes the system (K, closing a\n"
	"                           connection, and F9, signalling, are gone)\n"
	"      --prometheus=FILE    every poll, rewrite FILE (atomically) with metrics in\n"
	"                           Prometheus text format, for node_exporter's textfile\n"
	"                           collector; without --batch or --events, runs with\n"
	"                           no screen and prints nothing\n"
	"      --journal            send every event to the systemd journal as a\n"
	"                           structured entry (SOCKEYE_* fields); without --events,\n"
	"                           runs with no screen and prints nothing\n"
	"      --record=FILE        keep the socket table's whole history in FILE, an\n"
	"                           SQLite database (created mode 0600); without --batch\n"
	"                           or --events, runs with no screen and prints nothing\n"
	"      --record-keep=DURATION   drop recorded history older than this (90s, 30m,\n"
	"                           12h, 7d, 2w; default 7d)\n"
	"      --record-max=SIZE    keep the recording under this size (500M, 1G, 64K;\n"
	"                           default 1G); the oldest history goes first\n"
	"      --screen             beside --record=FILE: the full screen as well, which\n"
	"                           can rewind as far back as the recording goes\n"
	"      --replay=FILE        show a recording instead of the machine: the screen,\n"
	"                           or with --batch a moment's table, or with --events\n"
	"                           a window's events, printed as live\n"
	"      --at=TIME            the moment of the recording shown (default: its last)\n"
	"      --since=TIME, --until=TIME   the window of the recording's events\n"
	"                           (default: all of it)\n"
	"      --config=FILE        read settings from FILE instead of\n"
	"                           $XDG_CONFIG_HOME/sockeye/config (the W key saves there)\n"
	"      --no-config          read no config file\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"FILTER terms must all match: port:443 port:8000-8080 port:ephemeral\n"
	"lport: rport: state:listen,time-wait state:connected proto:tcp ipv4 ipv6\n"
	"proc:nginx proc:/^(nginx|php)/ pid:1234 user:www-data addr:10.0.0.0/8\n"
	"laddr: raddr: netns:host service:NAME; '!' negates a term; a bare number\n"
	"is a port, a bare state name a state, any other bare word a process name.\n"
	"\n"
	"TIME is a clock time (03:12, 03:12:07: the latest at or before the\n"
	"recording's end), a date and time (2026-12-06 03:12), a time back from the\n"
	"recording's end (-10m, -90s, -2h, -1d) or seconds since the epoch.\n"
	"\n"
	"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n", cols);
}

static int parse_iterations(const char *s, long *out, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1) {
		snprintf(err, errlen, "--iterations: '%s' is not a whole number of at least 1", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int set_file(const char **to, const char *what, const char *arg,
                    char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "%s: the file name is empty", what);
		return -1;
	}
	*to = arg;
	return 0;
}

static int set_duration(double *to, const char *what, const char *arg, char *err, size_t errlen)
{
	char why[200];
	if (when_duration(arg, to, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	return 0;
}

static int set_size(uint64_t *to, const char *what, const char *arg, char *err, size_t errlen)
{
	char why[200];
	if (when_size(arg, to, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	return 0;
}

/* Checked here so a typo is a usage error; resolved against the
 * recording's end once it is open. */
static int set_time(const char **to, const char *what, const char *arg, char *err, size_t errlen)
{
	char why[200];
	double t;
	if (when_parse(arg, 1e9, &t, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	*to = arg;
	return 0;
}

static int apply_option(struct options *o, int c, const char *arg, char *err, size_t errlen)
{
	switch (c) {
	case 'i': return settings_set_interval(o, "--interval", arg, err, errlen);
	case 'n': return parse_iterations(arg, &o->iterations, err, errlen);
	case 'b': o->mode_conflict |= o->mode == MODE_EVENTS; o->mode = MODE_BATCH; return 0;
	case 'e': o->mode_conflict |= o->mode == MODE_BATCH; o->mode = MODE_EVENTS; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_RATES: o->rates = 1; return 0;
	case OPT_NO_DESTROY_EVENTS: o->no_destroy_events = 1; return 0;
	case OPT_ALL_NETNS: o->netns = POLLER_NETNS_ALL; return 0;
	case OPT_NO_ALL_NETNS: o->netns = POLLER_NETNS_HOST; return 0;
	case OPT_SOURCE:
		if (poller_source_parse(arg, &o->source) == 0)
			return 0;
		snprintf(err, errlen, "--source: unknown source '%s' (auto, netlink or proc)", arg);
		return -1;
	case 't': o->want |= SOCK_WANT_TCP; return 0;
	case 'u': o->want |= SOCK_WANT_UDP; return 0;
	case '4': o->want |= SOCK_WANT_V4; return 0;
	case '6': o->want |= SOCK_WANT_V6; return 0;
	case OPT_SORT: return settings_set_sort(o, "--sort", arg, err, errlen);
	case OPT_THEME: return settings_set_theme(o, "--theme", arg, err, errlen);
	case OPT_NO_COLOR: o->no_color = 1; return 0;
	case OPT_LINGER: return settings_set_linger(o, "--linger", arg, err, errlen);
	case OPT_READ_ONLY: o->read_only = 1; return 0;
	case 'N': o->resolve = 1; return 0;
	case OPT_NO_MOUSE: o->no_mouse = 1; return 0;
	case OPT_SCREEN: o->screen = 1; return 0;
	case OPT_PROMETHEUS:
		if (!*arg) {
			snprintf(err, errlen, "--prometheus: the file name is empty");
			return -1;
		}
		o->prometheus = arg;
		return 0;
	case OPT_JOURNAL:
		if (!journal_built_in()) {
			snprintf(err, errlen, "--journal is not built in (configure found no libsystemd)");
			return -1;
		}
		o->journal = 1;
		return 0;
	case OPT_RECORD: return set_file(&o->record, "--record", arg, err, errlen);
	case OPT_REPLAY: return set_file(&o->replay, "--replay", arg, err, errlen);
	case OPT_RECORD_KEEP: return set_duration(&o->record_keep, "--record-keep", arg, err, errlen);
	case OPT_RECORD_MAX: return set_size(&o->record_max, "--record-max", arg, err, errlen);
	case OPT_AT: return set_time(&o->at, "--at", arg, err, errlen);
	case OPT_SINCE: return set_time(&o->since, "--since", arg, err, errlen);
	case OPT_UNTIL: return set_time(&o->until, "--until", arg, err, errlen);
	case 'h': o->help = 1; return 0;
	case 'V': o->version = 1; return 0;
	case OPT_CONFIG: case OPT_NO_CONFIG: return 0;   /* the first pass took them */
	default: return -1;
	}
}

/* -t/-u and -4/-6 narrow independently; neither given means both. */
static unsigned want_complete(unsigned w)
{
	if (!(w & (SOCK_WANT_TCP | SOCK_WANT_UDP)))
		w |= SOCK_WANT_TCP | SOCK_WANT_UDP;
	if (!(w & (SOCK_WANT_V4 | SOCK_WANT_V6)))
		w |= SOCK_WANT_V4 | SOCK_WANT_V6;
	return w;
}

/* FILTER words on the command line replace the config file's filter. */
static int join_filter(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	if (optind >= argc && o->filter)
		return 0;   /* checked when the config file was read */
	free(o->filter);
	size_t len = 1;
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->filter = calloc(1, len);
	if (!o->filter) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->filter, " ");
		strcat(o->filter, argv[i]);
	}
	struct filter *f;
	char ferr[256];
	if (filter_compile(o->filter, &f, ferr, sizeof(ferr)) < 0) {
		snprintf(err, errlen, "bad filter: %s", ferr);
		return -1;
	}
	filter_free(f);
	return 0;
}

/* A metrics file, the journal or a recording alone: a service with no terminal, that
 * polls like --events and prints nothing. */
static void options_headless(struct options *o)
{
	if ((o->prometheus || o->journal || o->record) && o->mode == MODE_SCREEN && !o->screen) {
		o->mode = MODE_EVENTS;
		o->headless = 1;
	}
}

/* What the command line named that the checks below need to tell from a
 * default or the config file's. */
struct given {
	const char *live;      /* the first option that only means something live */
	int keep, max;         /* --record-keep, --record-max */
};

static const char *live_only_name(int c)
{
	switch (c) {
	case 'i': return "--interval";
	case 'n': return "--iterations";
	case OPT_SOURCE: return "--source";
	case OPT_NO_DESTROY_EVENTS: return "--no-destroy-events";
	case OPT_ALL_NETNS: return "--all-netns";
	case OPT_NO_ALL_NETNS: return "--no-all-netns";
	case OPT_RATES: return "--rates";
	case OPT_PROMETHEUS: return "--prometheus";
	case OPT_JOURNAL: return "--journal";
	case OPT_RECORD: return "--record";
	default: return NULL;
	}
}

static void note_given(struct given *g, int c)
{
	if (!g->live)
		g->live = live_only_name(c);
	g->keep |= c == OPT_RECORD_KEEP;
	g->max |= c == OPT_RECORD_MAX;
}

/* A recording is read, not polled: what steers polling has no meaning. */
static int check_replay(const struct options *o, const struct given *g, char *err, size_t errlen)
{
	if (!o->replay) {
		const char *t = o->at ? "--at" : o->since ? "--since" : o->until ? "--until" : NULL;
		if (t) {
			snprintf(err, errlen, "%s needs --replay (it picks a moment of a recording)", t);
			return -1;
		}
		return 0;
	}
	if (g->live) {
		snprintf(err, errlen, "%s cannot be used with --replay (a recording is read, "
		         "not polled)", g->live);
		return -1;
	}
	if (o->at && o->mode == MODE_EVENTS) {
		snprintf(err, errlen, "--at cannot be used with --events (the window of events "
		         "is --since and --until)");
		return -1;
	}
	if ((o->since || o->until) && o->mode != MODE_EVENTS) {
		snprintf(err, errlen, "%s needs --events (--batch and the screen show one "
		         "moment: --at)", o->since ? "--since" : "--until");
		return -1;
	}
	return 0;
}

static int check_record(const struct options *o, const struct given *g, char *err, size_t errlen)
{
	if (!o->record && (g->keep || g->max || o->screen)) {
		snprintf(err, errlen, "%s needs --record", g->keep ? "--record-keep" :
		         g->max ? "--record-max" : "--screen");
		return -1;
	}
	if (o->screen && o->mode != MODE_SCREEN) {
		snprintf(err, errlen, "--screen cannot be used with --%s (it is the screen)",
		         o->mode == MODE_BATCH ? "batch" : "events");
		return -1;
	}
	/* The screen exports nothing: these run without one. */
	if (o->screen && (o->prometheus || o->journal)) {
		snprintf(err, errlen, "--screen cannot be used with %s (run it with no screen)",
		         o->prometheus ? "--prometheus" : "--journal");
		return -1;
	}
	return 0;
}

static int check_combination(struct options *o, const struct given *g, char *err, size_t errlen)
{
	if (check_replay(o, g, err, errlen) < 0 || check_record(o, g, err, errlen) < 0)
		return -1;
	if (o->json && o->mode == MODE_SCREEN && (o->prometheus || o->journal || o->record)) {
		snprintf(err, errlen, "--json needs --batch or --events (--prometheus, "
		         "--journal and --record alone print nothing)");
		return -1;
	}
	options_headless(o);
	if (o->mode_conflict) {
		snprintf(err, errlen, "--batch and --events cannot be used together");
		return -1;
	}
	if (o->json && o->mode == MODE_SCREEN) {
		snprintf(err, errlen, "--json needs --batch or --events");
		return -1;
	}
	if (o->iterations && o->mode == MODE_SCREEN) {
		snprintf(err, errlen, "--iterations needs --batch or --events");
		return -1;
	}
	if (o->journal && o->mode == MODE_BATCH) {
		snprintf(err, errlen, "--journal needs --events, or neither --batch nor --events "
		         "(--batch makes no events)");
		return -1;
	}
	if (o->rates && o->mode != MODE_EVENTS) {
		snprintf(err, errlen, "--rates needs --events (the screen shows rates in TX/s and "
		         "RX/s; --batch --json has txrate and rxrate from its second poll)");
		return -1;
	}
	return 0;
}

static void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = MODE_SCREEN;
	o->interval = 1.0;
	o->linger = 3.0;
	o->source = POLLER_AUTO;
	o->record_keep = RECORD_KEEP_DEFAULT;
	o->record_max = RECORD_MAX_DEFAULT;
	theme_builtin(&o->theme_data);
}

#define OPTIONS_SHORT ":i:ben:tu46hVN"

/* The first pass looks only for what decides which config file to read,
 * so the file's settings can go in first and the command line over them.
 * Errors wait for the second pass, which reports them in order. */
static int options_read_config(struct options *o, int argc, char **argv,
                               char *err, size_t errlen)
{
	const char *path = NULL;
	int skip = 0, c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, OPTIONS_SHORT, long_options, NULL)) != -1) {
		if (c == OPT_CONFIG)
			path = optarg;
		else if (c == OPT_NO_CONFIG)
			o->no_config = 1;
		else if (c == 'h' || c == 'V')
			skip = 1;   /* a broken config file never hides the help */
	}
	if (path)
		o->config_path = strdup(path);
	else if (config_file_default_path(&o->config_path) < 0)
		return 0;   /* no HOME: no default file to read or save */
	if (!o->config_path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (skip || o->no_config)
		return 0;
	return config_file_load(o, o->config_path, path != NULL, err, errlen);
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	options_defaults(o);
	err[0] = '\0';
	if (options_read_config(o, argc, argv, err, errlen) < 0)
		return -1;
	optind = 0;     /* a full rescan, so tests can parse several times */
	opterr = 0;     /* our messages, not getopt's */
	int c;
	struct given g = { NULL, 0, 0 };
	while ((c = getopt_long(argc, argv, OPTIONS_SHORT, long_options, NULL)) != -1) {
		note_given(&g, c);
		if (c == '?' || c == ':') {
			if (c == ':')
				snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			else if (!optopt)
				snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			else
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			return -1;
		}
		if (apply_option(o, c, optarg, err, errlen) < 0)
			return -1;
	}
	o->want = want_complete(o->want);
	if (o->help || o->version)
		return 0;
	if (check_combination(o, &g, err, errlen) < 0)
		return -1;
	return join_filter(o, argc, argv, err, errlen);
}

void options_free(struct options *o)
{
	free(o->filter);
	free(o->sort_buf);
	free(o->theme_buf);
	free(o->sort_processes);
	free(o->sort_events);
	free(o->config_path);
	o->filter = o->sort_buf = o->theme_buf = NULL;
	o->sort_processes = o->sort_events = o->config_path = NULL;
}

char *options_replay_filter(const struct options *o)
{
	unsigned w = o->replay ? o->want : 0;
	const char *proto = (w & SOCK_WANT_TCP) && !(w & SOCK_WANT_UDP) ? "proto:tcp "
	                  : (w & SOCK_WANT_UDP) && !(w & SOCK_WANT_TCP) ? "proto:udp " : "";
	const char *family = (w & SOCK_WANT_V4) && !(w & SOCK_WANT_V6) ? "ipv4 "
	                   : (w & SOCK_WANT_V6) && !(w & SOCK_WANT_V4) ? "ipv6 " : "";
	const char *words = o->filter ? o->filter : "";
	size_t len = strlen(proto) + strlen(family) + strlen(words) + 1;
	char *s = malloc(len);
	if (s)
		snprintf(s, len, "%s%s%s", proto, family, words);
	return s;
}

void options_output(const struct options *o, const struct filter *flt,
                    struct output_opts *out)
{
	*out = (struct output_opts){
		.json = o->json,
		.filter = flt,
		.sort = o->sort ? columns_find(o->sort) : NULL,
		.sort_desc = o->sort_desc,
		.columns = o->columns,
	};
}
