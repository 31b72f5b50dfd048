/* ui.h — the full-screen monitor's state: written by the event loop and
 * key handling (ui.c), read by the drawing (draw.h). */
#ifndef SOCKEYE_UI_H
#define SOCKEYE_UI_H

#include <stddef.h>
#include <stdint.h>
#include <curses.h>

#include "cmdlines.h"
#include "details.h"
#include "filter.h"
#include "options.h"
#include "pane.h"
#include "poller.h"
#include "ports.h"
#include "privs.h"
#include "prompt.h"
#include "resolver.h"
#include "theme.h"
#include "view.h"
#include "worker.h"

/* UI_TIME: @'s prompt for a moment to show. */
enum ui_mode { UI_LIST, UI_PROMPT, UI_DETAILS, UI_HELP, UI_CONFIRM, UI_SIGNAL, UI_TIME };
enum ui_listen { UI_LISTEN_ALL, UI_LISTEN_ONLY, UI_LISTEN_HIDE };

struct ui {
	const struct options *opts;
	struct poller *poller;
	struct worker worker;             /* collects off this thread */
	char source[16];                  /* poller_source_name as of the last poll */
	char source_note[320];            /* poller_degraded as of the last poll, or "" */
	size_t unreadable;                /* procmap_unreadable as of the last poll */
	int sees_all_owners;              /* root, or the fd-table capabilities */
	int others_unowned;               /* not root, and another user's live socket
	                                   * has no owner (their /proc hidden: hidepid) */
	double polled_at;                 /* epoch seconds of the last applied poll */
	int dirty;                        /* the screen must be drawn again */
	struct view *view;                /* what the panes show: live's, or a moment's */
	/* Looking back (past.h): the live view goes on polling while a
	 * moment of the recording is shown. */
	struct view *live;                /* the present, owned; NULL in a replay */
	struct recorder *recorder;        /* behind the live screen; NULL in a replay */
	struct history *history;          /* what the time keys read */
	struct rewind *rewind;            /* the moment shown, its view */
	double left_live_at;              /* the present's poll when the past was entered */
	int playing;                      /* a replay plays forward */
	int speed;                        /* its speed: 2^speed times as recorded */
	double play_next;                 /* CLOCK_MONOTONIC of its next step */
	struct prompt *time_prompt;       /* UI_TIME: @'s line, with its own history */
	struct cmdlines *cmdlines;        /* the owners' command lines, per poll */
	struct prompt *prompt;
	attr_t style[THEME_N_ELEMENTS];   /* colour pair and attributes per element */

	/* The filter in force is the user's text plus the listen shortcut. */
	char *filter_text;                /* owned; "" for none */
	char filter_shown[PROMPT_MAX + 32];   /* the filter in force as text ("" none) */
	enum ui_listen listen;
	struct filter *filter;            /* compiled from both; NULL = none */
	char *prompt_saved;               /* filter text when the prompt opened */
	enum ui_listen prompt_saved_listen;
	char prompt_error[256];

	enum pane_id focus;
	enum pane_id before_trends;       /* where t goes back to */
	enum ui_mode mode;
	int paused;
	int polled;                       /* the baseline poll is done */
	int quit;
	double next_poll;                 /* CLOCK_MONOTONIC seconds */
	char message[512];                /* one-line notice in the footer */
	double message_until;

	struct sock_rec kill_rec;         /* UI_CONFIRM: the socket K would close */
	char kill_text[512];              /* UI_CONFIRM: the question, made safe */
	int show_names;                   /* addresses as host names */
	struct resolver *resolver;        /* started when names are first shown */
	int show_services;                /* ports as service names */

	struct details details;           /* content of the details view */
	size_t details_top;               /* first line shown */
	struct sock_rec details_rec;      /* the socket shown (its netns_name unused) */
	int details_live;                 /* it was in the table: follow it */
	int details_pid;                  /* else a process's (Trends), > 0 */
	unsigned long long details_start;
	size_t help_top;

	char host[256];
	uint16_t range_lo, range_hi;      /* kernel local port range */
	struct services *services;
	struct privs_report privs;        /* what was kept once set up */

	/* The mouse, y and F9. */
	int mouse;                        /* reports on: clicks are ours */
	double click_at;                  /* the last left click, for a double one */
	int click_pane;
	size_t click_row;
	size_t details_sel;               /* the details line y copies */
	size_t signal_choice;             /* UI_SIGNAL: index in procsignal_menu */
	int confirm_signal;               /* UI_CONFIRM: the signal asked about, 0 K's close */
	struct sock_owner signal_to[16];  /* the processes F9 signals */
	size_t nsignal_to;
};

/* A one-line notice in the footer, for a few seconds. */
void ui_message(struct ui *u, const char *text);
/* Open details follow their socket or process, to the moment shown. */
void ui_details_follow(struct ui *u);

/* Runs the monitor until q, F10 or a stop signal. Returns the exit status. */
int ui_run(const struct options *o);


#endif
