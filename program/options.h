/* options.h — the command line, parsed and checked into one
 * struct; every bad input becomes one message naming what was wrong. */
#ifndef SOCKEYE_OPTIONS_H
#define SOCKEYE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>
#include "poller.h"
#include "theme.h"

enum options_mode { MODE_SCREEN, MODE_BATCH, MODE_EVENTS };

struct options {
	enum options_mode mode;
	int mode_conflict;          /* both --batch and --events */
	double interval;            /* seconds, 0.1 .. 3600 */
	double linger;              /* highlight time on screen, seconds */
	long iterations;            /* 0: until stopped */
	int json;
	int rates;                  /* --events: also a "rate" line per moving TCP socket */
	enum poller_source source;
	int no_destroy_events;      /* poll alone (poller_config) */
	enum poller_netns netns;    /* --all-netns, --no-all-netns; AUTO if neither */
	unsigned want;              /* SOCK_WANT_* */
	const char *sort;           /* column name, NULL for kernel order */
	int sort_desc;
	const char *theme;          /* NAME or FILE, NULL for the default */
	struct theme theme_data;    /* loaded from theme, or the built-in one */
	int no_color;
	int read_only;              /* no K: nothing that changes the system */
	int resolve;                /* start with host names shown */
	int no_mouse;               /* --no-mouse, mouse = no: clicks stay the terminal's */
	const char *prometheus;     /* --prometheus=FILE: metrics rewritten every poll */
	int journal;                /* --journal: events to the systemd journal */
	int headless;               /* --prometheus, --journal or --record without
	                             * --batch or --events: MODE_EVENTS that prints
	                             * nothing */
	/* The flight recorder (history/record.h) and replay (history/replay.h). */
	const char *record;         /* --record=FILE: record there; NULL none */
	double record_keep;         /* --record-keep, seconds (RECORD_KEEP_DEFAULT) */
	uint64_t record_max;        /* --record-max, bytes (RECORD_MAX_DEFAULT) */
	int screen;                 /* --screen: with --record, the screen too */
	const char *replay;         /* --replay=FILE: show a recording; NULL live */
	/* --at, --since, --until as typed: relative and clock times count
	 * from the recording's last moment, so they are resolved once it is
	 * open (when_parse). NULL when not given. */
	const char *at, *since, *until;
	int help, version;
	char *filter;               /* the FILTER words joined by spaces (owned) */
	char *sort_buf;             /* storage behind sort (owned) */
	char *theme_buf;            /* storage behind theme (owned) */
	/* From the config file only (tui/config.h). */
	unsigned long columns;      /* Connections columns shown: bit i is columns[i]; 0 all */
	unsigned panes;             /* panes shown: bit per enum pane_id; 0 all */
	char *sort_processes;       /* Processes pane's sort column (owned), NULL none */
	int sort_processes_desc;
	char *sort_events;          /* Events pane's sort column (owned), NULL none */
	int sort_events_desc;
	char *config_path;          /* the config file read, and W's target (owned) */
	int no_config;              /* --no-config: read none */
	char config_note[320];      /* why the default config was not read, or "" */
};

/* Parses argv over the config file's settings (--config=FILE, else
 * $XDG_CONFIG_HOME/sockeye/config if it exists; none with --no-config,
 * --help or --version): the command line wins. Returns 0, or -1 with err
 * holding the message for stderr (exit status 2). Free with options_free
 * either way. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_free(struct options *o);
/* The filter words a run starts with (malloc'ed; NULL on ENOMEM): FILTER,
 * and in a replay, whose recording holds every socket, -t, -u, -4 and -6
 * as the filter terms they mean. */
char *options_replay_filter(const struct options *o);
struct filter;
struct output_opts;
/* The printers' settings the command line asks for (output.h), with flt
 * as the filter; host and cmdlines are left NULL for the caller. */
void options_output(const struct options *o, const struct filter *flt,
                    struct output_opts *out);
/* The --help text. */
void options_usage(FILE *f);

#endif
