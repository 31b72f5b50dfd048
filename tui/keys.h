/* keys.h — the key map as data: which key does what in which pane, the
 * footer's htop-style labels and the help screen's lines, all from one
 * table. The `/` prompt's editing keys live in prompt.c, not here. */
#ifndef SOCKEYE_KEYS_H
#define SOCKEYE_KEYS_H

#include <stddef.h>

#include "pane.h"

enum keys_action {
	KEYS_NONE,          /* the key is not bound in this pane */
	KEYS_QUIT,
	KEYS_HELP,
	KEYS_FILTER,        /* open the `/` prompt on the filter in force */
	KEYS_FILTER_CLEAR,  /* drop the filter: every socket again */
	KEYS_ONLY_LISTEN,   /* filter term `state:listen` (binding's term) */
	KEYS_HIDE_LISTEN,   /* filter term `!state:listen` */
	KEYS_NEXT_PANE,
	KEYS_PREV_PANE,
	KEYS_UP,
	KEYS_DOWN,
	KEYS_PGUP,
	KEYS_PGDN,
	KEYS_HOME,
	KEYS_END,
	KEYS_SORT_NEXT,
	KEYS_SORT_REVERSE,
	KEYS_PAUSE,         /* pause / resume polling */
	KEYS_DETAILS,       /* the selected socket or process */
	KEYS_BACK,          /* leave details or help; widen a process narrowing */
	KEYS_REDRAW,        /* repaint a screen garbled by another writer */
	KEYS_KILL,          /* close the selected TCP connection (asks first) */
	KEYS_NAMES,         /* show addresses as host names, or not */
	KEYS_SERVICES,      /* show ports as service names, or not */
	KEYS_GROUP,         /* Processes grouped by service (unit, container) or not */
	KEYS_SAVE,          /* write the settings to the config file */
	KEYS_COPY,          /* the selected row or field to the clipboard (OSC 52) */
	KEYS_SIGNAL,        /* signal the selected socket's owners or process */
	KEYS_TRENDS,        /* the Trends pane, or back to the pane before it */
	KEYS_TIME_BACK,     /* the moment one poll before the one shown */
	KEYS_TIME_FORWARD,  /* one poll after; at the newest, the present */
	KEYS_TIME_BACK_MINUTE,
	KEYS_TIME_FORWARD_MINUTE,
	KEYS_TIME_GOTO,     /* ask for a time and show it */
	KEYS_FASTER,        /* a replay plays twice as fast */
	KEYS_SLOWER,        /* half as fast */
	KEYS_NACTIONS
};

/* Where a key is read. A binding names a set of these (a mask); a lookup
 * asks about the one the user is in. */
enum keys_pane {
	KEYS_PANE_CONNECTIONS = 1 << PANE_CONNECTIONS,   /* a list pane: 1 << enum pane_id */
	KEYS_PANE_PROCESSES = 1 << PANE_PROCESSES,
	KEYS_PANE_EVENTS = 1 << PANE_EVENTS,
	KEYS_PANE_TRENDS = 1 << PANE_TRENDS,
	KEYS_PANE_DETAILS = 1 << PANE_COUNT,         /* the details view of one row */
	KEYS_PANE_HELP = 1 << (PANE_COUNT + 1)       /* the help screen */
};
#define KEYS_PANE_LISTS \
	(KEYS_PANE_CONNECTIONS | KEYS_PANE_PROCESSES | KEYS_PANE_EVENTS | KEYS_PANE_TRENDS)
#define KEYS_PANE_ALL (KEYS_PANE_LISTS | KEYS_PANE_DETAILS | KEYS_PANE_HELP)

#define KEYS_MAX_CODES 4
#define KEYS_NOKEY (-1)   /* keys_from_wch: nothing any binding can match */

struct keys_binding {
	int codes[KEYS_MAX_CODES];  /* ASCII or KEY_* codes; 0 ends early */
	enum keys_action action;
	unsigned panes;             /* mask of enum keys_pane */
	const char *footer_key;     /* "F1" (NULL: not in the footer) */
	const char *footer_word;    /* "Help" */
	const char *help;           /* one line for the help screen */
	const char *term;           /* filter term the action sets, or NULL */
};

extern const struct keys_binding keys_table[];
extern const size_t keys_count;

/* Turns get_wch's result into a key for keys_lookup: a KEY_* code when rc
 * is KEY_CODE_YES, an ASCII character as itself, and KEYS_NOKEY for
 * anything else (non-ASCII characters, whose code points overlap the
 * KEY_* range, and ERR). */
int keys_from_wch(int rc, unsigned wc);

/* The binding for key in pane (one enum keys_pane value), or NULL. */
const struct keys_binding *keys_find(int key, unsigned pane);

/* The action key has in pane, KEYS_NONE when unbound. */
enum keys_action keys_lookup(int key, unsigned pane);

/* Walks the footer entries of pane in table order, those of the past
 * left out: set *it = 0, call until NULL. */
const struct keys_binding *keys_footer(unsigned pane, size_t *it);

/* Whether b's action changes the system (K, F9): gone with --read-only. */
int keys_writes(const struct keys_binding *b);
/* Whether b moves through time ([ ] { } @ + -): the help lists them apart. */
int keys_moves_time(const struct keys_binding *b);

/* A footer label and where it is drawn on the footer line. */
struct keys_label {
	const struct keys_binding *binding;
	int x, w;
};
#define KEYS_FOOTER_MAX 24

/* What the footer leaves out or adds (keys_footer_labels' flags). */
enum keys_footer_flag {
	KEYS_FOOTER_NO_WRITES = 1,   /* --read-only, or what is shown is not now */
	KEYS_FOOTER_PAST = 2         /* a moment of the past: the way back to live */
};

/* The footer of pane as drawn cols wide: its labels ("F1Help" and a space
 * after each) in table order, without those that write with
 * KEYS_FOOTER_NO_WRITES, with those of the past with KEYS_FOOTER_PAST.
 * Returns the count. */
size_t keys_footer_labels(unsigned pane, unsigned flags, int cols,
                          struct keys_label out[KEYS_FOOTER_MAX]);

/* Walks the bindings of any pane in panes that have help text, in table
 * order, writing their keys' names into keys ("q, F10"; always
 * NUL-terminated, cut if keyslen is short). Set *it = 0, call until NULL. */
const struct keys_binding *keys_help(unsigned panes, size_t *it,
				     char *keys, size_t keyslen);

/* A key's name as the help screen writes it: "q", "F10", "Shift-Tab",
 * "Ctrl-L", "Space", "Enter". Always NUL-terminated. */
void keys_name(int key, char *buf, size_t len);

#endif
