/* keys.c — the key map: one table of bindings (keys, action, panes, footer
 * label, help line) and the lookups and walks over it. Adding a key is
 * adding a row. */
#include "config.h"

#include "keys.h"

#include <curses.h>   /* KEY_* and KEY_CODE_YES constants only */
#include <stdio.h>
#include <string.h>

#define KEYS_CTRL(c) ((c) & 0x1f)
#define KEYS_ESC 27

#define L KEYS_PANE_LISTS
#define D KEYS_PANE_DETAILS
#define H KEYS_PANE_HELP

/* Choices beyond the keys htop users expect first:
 * - k/j move like Up/Down (vi, less); h and l are not moves here, l is
 *   taken by the listening-socket shortcut.
 * - q quits from the lists and details, but on the help screen it
 *   closes help, as do Esc, ? and F1: help is an overlay, and htop lets any
 *   of them leave it. F10 quits everywhere.
 * - c clears the filter (\ would be natural to htop users, but htop uses
 *   it to open its filter, so it would surprise them here).
 * - Ctrl-L repaints, as in most terminal programs.
 * - W writes the settings to the config file (htop saves its setup from
 *   F2; here F2 is free but W, "write", is easier to remember unshifted
 *   keys being taken).
 * - [ ] step through time as they step through lists in less and vim,
 *   { } by bigger steps; @ reads "at". End, which goes to the last row,
 *   also leaves the past: at the present both mean "the end". */
const struct keys_binding keys_table[] = {
	{{'?', KEY_F(1)}, KEYS_HELP, L | D, "F1", "Help",
	 "show this help", NULL},
	{{'/', KEY_F(3), KEY_F(4)}, KEYS_FILTER, L, "F3", "Filter",
	 "edit the filter, starting from the one in force", NULL},
	{{'c'}, KEYS_FILTER_CLEAR, L, NULL, NULL,
	 "clear the filter: show every socket again", NULL},
	{{'l'}, KEYS_ONLY_LISTEN, L, "l", "Listen",
	 "show only listening sockets (filter state:listen)", "state:listen"},
	{{'L'}, KEYS_HIDE_LISTEN, L, NULL, NULL,
	 "hide listening sockets (filter !state:listen)", "!state:listen"},
	{{'s', KEY_F(6)}, KEYS_SORT_NEXT, L, "F6", "Sort",
	 "sort by the next column", NULL},
	{{'S'}, KEYS_SORT_REVERSE, L, NULL, NULL,
	 "reverse the sort order", NULL},
	{{'p', ' '}, KEYS_PAUSE, L | D, "p", "Pause",
	 "pause or resume polling; in a replay, play it forward or stop", NULL},
	{{'['}, KEYS_TIME_BACK, L | D, NULL, NULL,
	 "one poll back in time: the header says PAST and the moment", NULL},
	{{']'}, KEYS_TIME_FORWARD, L | D, NULL, NULL,
	 "one poll forward in time; from the newest, back to live", NULL},
	{{'{'}, KEYS_TIME_BACK_MINUTE, L | D, NULL, NULL,
	 "one minute back in time", NULL},
	{{'}'}, KEYS_TIME_FORWARD_MINUTE, L | D, NULL, NULL,
	 "one minute forward in time; past the newest, back to live", NULL},
	{{'@'}, KEYS_TIME_GOTO, L | D, NULL, NULL,
	 "go to a time: 03:12, 03:12:07, 2026-12-06 03:12, -10m", NULL},
	{{'+'}, KEYS_FASTER, L | D, NULL, NULL,
	 "a replay plays twice as fast (up to 64x)", NULL},
	{{'-'}, KEYS_SLOWER, L | D, NULL, NULL,
	 "a replay plays half as fast (down to 1/4x)", NULL},
	{{'\t'}, KEYS_NEXT_PANE, L, "Tab", "Pane",
	 "next pane", NULL},
	{{KEY_BTAB}, KEYS_PREV_PANE, L, NULL, NULL,
	 "previous pane", NULL},
	{{KEY_UP, 'k'}, KEYS_UP, KEYS_PANE_ALL, NULL, NULL,
	 "move the selection up", NULL},
	{{KEY_DOWN, 'j'}, KEYS_DOWN, KEYS_PANE_ALL, NULL, NULL,
	 "move the selection down", NULL},
	{{KEY_PPAGE}, KEYS_PGUP, KEYS_PANE_ALL, NULL, NULL,
	 "one page up", NULL},
	{{KEY_NPAGE}, KEYS_PGDN, KEYS_PANE_ALL, NULL, NULL,
	 "one page down", NULL},
	{{KEY_HOME}, KEYS_HOME, KEYS_PANE_ALL, NULL, NULL,
	 "to the first row", NULL},
	{{KEY_END}, KEYS_END, KEYS_PANE_ALL, "End", "Now",
	 "to the last row; in the past, back to the present (live, or a replay's end)", NULL},
	{{'\n', '\r', KEY_ENTER}, KEYS_DETAILS, L, "Enter", "Details",
	 "details of the selected socket or process", NULL},
	{{KEYS_ESC}, KEYS_BACK, L, NULL, NULL,
	 "show every process's sockets again after choosing one", NULL},
	{{KEYS_ESC}, KEYS_BACK, D, "Esc", "Back",
	 "back from the details to the list", NULL},
	{{KEYS_ESC, 'q', '?', KEY_F(1)}, KEYS_BACK, H, "Esc", "Back",
	 "leave this help", NULL},
	{{KEY_F(9)}, KEYS_SIGNAL, KEYS_PANE_CONNECTIONS | KEYS_PANE_PROCESSES, "F9", "Kill",
	 "send a signal to the selected socket's owners or process (asks first)", NULL},
	{{'y'}, KEYS_COPY, L | D, NULL, NULL,
	 "copy the selected row, or the details' selected field, to the clipboard "
	 "(OSC 52; in tmux: set -g set-clipboard on)", NULL},
	{{'K'}, KEYS_KILL, KEYS_PANE_CONNECTIONS, NULL, NULL,
	 "close the selected TCP connection, as ss -K does (asks first)", NULL},
	{{'n'}, KEYS_NAMES, L | D, NULL, NULL,
	 "show addresses as host names, or as numbers", NULL},
	{{'N'}, KEYS_SERVICES, L | D, NULL, NULL,
	 "show ports as service names (/etc/services), or as numbers", NULL},
	{{'W'}, KEYS_SAVE, L, NULL, NULL,
	 "save the settings (interval, sorts, filter, theme, columns) to the config file", NULL},
	{{'t'}, KEYS_TRENDS, L, NULL, NULL,
	 "the Trends pane (the last 10 minutes as sparklines), or back", NULL},
	{{'g'}, KEYS_GROUP, KEYS_PANE_PROCESSES, "g", "Group",
	 "group processes by service (systemd unit, container) or not", NULL},
	{{KEYS_CTRL('L')}, KEYS_REDRAW, KEYS_PANE_ALL, NULL, NULL,
	 "redraw the screen", NULL},
	{{'q'}, KEYS_QUIT, L | D, NULL, NULL,
	 "quit, restoring the terminal", NULL},
	{{KEY_F(10)}, KEYS_QUIT, KEYS_PANE_ALL, "F10", "Quit",
	 "quit, from any screen", NULL},
};
const size_t keys_count = sizeof keys_table / sizeof keys_table[0];

#undef L
#undef D
#undef H

/* Names of the keys that are not their own character. */
static const struct keys_named {
	int key;
	const char *name;
} keys_names[] = {
	{'\t', "Tab"},          {KEY_BTAB, "Shift-Tab"},
	{'\n', "Enter"},        {'\r', "Enter"},     {KEY_ENTER, "Enter"},
	{KEYS_ESC, "Esc"},      {' ', "Space"},
	{KEY_UP, "Up"},         {KEY_DOWN, "Down"},
	{KEY_LEFT, "Left"},     {KEY_RIGHT, "Right"},
	{KEY_PPAGE, "PgUp"},    {KEY_NPAGE, "PgDn"},
	{KEY_HOME, "Home"},     {KEY_END, "End"},
	{KEY_BACKSPACE, "Backspace"}, {KEY_DC, "Delete"}, {127, "Backspace"},
};

int keys_from_wch(int rc, unsigned wc)
{
	if (rc == KEY_CODE_YES)
		return (int)wc;
	if (rc == OK && wc < 0x80)
		return (int)wc;
	return KEYS_NOKEY;
}

static int keys_binding_has(const struct keys_binding *b, int key)
{
	for (size_t i = 0; i < KEYS_MAX_CODES && b->codes[i]; i++)
		if (b->codes[i] == key)
			return 1;
	return 0;
}

const struct keys_binding *keys_find(int key, unsigned pane)
{
	if (key == KEYS_NOKEY || key == 0)
		return NULL;   /* 0 ends a code list; it is never a binding */
	for (size_t i = 0; i < keys_count; i++)
		if ((keys_table[i].panes & pane) && keys_binding_has(&keys_table[i], key))
			return &keys_table[i];
	return NULL;
}

enum keys_action keys_lookup(int key, unsigned pane)
{
	const struct keys_binding *b = keys_find(key, pane);

	return b ? b->action : KEYS_NONE;
}

/* End's label says it goes back to live: only a moment of the past has
 * it; in the present End just moves the selection. */
static int keys_of_past(const struct keys_binding *b)
{
	return b->action == KEYS_END;
}

/* The next footer entry of pane from *it, with those of the past or not. */
static const struct keys_binding *keys_footer_next(unsigned pane, int past, size_t *it)
{
	while (*it < keys_count) {
		const struct keys_binding *b = &keys_table[(*it)++];
		if (b->footer_key && (b->panes & pane) && (!keys_of_past(b) || past))
			return b;
	}
	return NULL;
}

const struct keys_binding *keys_footer(unsigned pane, size_t *it)
{
	return keys_footer_next(pane, 0, it);
}

int keys_writes(const struct keys_binding *b)
{
	return b->action == KEYS_KILL || b->action == KEYS_SIGNAL;
}

int keys_moves_time(const struct keys_binding *b)
{
	return b->action >= KEYS_TIME_BACK && b->action <= KEYS_SLOWER;
}

size_t keys_footer_labels(unsigned pane, unsigned flags, int cols,
                          struct keys_label out[KEYS_FOOTER_MAX])
{
	size_t it = 0, n = 0;
	int x = 0;
	const struct keys_binding *b;
	while ((b = keys_footer_next(pane, (flags & KEYS_FOOTER_PAST) != 0, &it)) && x < cols &&
	       n < KEYS_FOOTER_MAX) {
		if ((flags & KEYS_FOOTER_NO_WRITES) && keys_writes(b))
			continue;
		int w = (int)(strlen(b->footer_key) + strlen(b->footer_word));
		out[n++] = (struct keys_label){ b, x, w > cols - x ? cols - x : w };
		x += w + 1;
	}
	return n;
}

void keys_name(int key, char *buf, size_t len)
{
	size_t n = sizeof keys_names / sizeof keys_names[0];

	if (len == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (keys_names[i].key == key) {
			snprintf(buf, len, "%s", keys_names[i].name);
			return;
		}
	if (key >= KEY_F(1) && key <= KEY_F(63))
		snprintf(buf, len, "F%d", key - KEY_F0);
	else if (key > 0 && key < 0x20)
		snprintf(buf, len, "Ctrl-%c", key + '@');
	else if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
}

/* Whether an earlier code of b has the same name as its code i. */
static int keys_name_repeats(const struct keys_binding *b, size_t i)
{
	char name[32], earlier[32];

	keys_name(b->codes[i], name, sizeof name);
	for (size_t j = 0; j < i; j++) {
		keys_name(b->codes[j], earlier, sizeof earlier);
		if (strcmp(name, earlier) == 0)
			return 1;
	}
	return 0;
}

/* "q, F10": each name once, so Enter's three codes read as one key. */
static void keys_names_of(const struct keys_binding *b, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < KEYS_MAX_CODES && b->codes[i]; i++) {
		char name[32];

		if (keys_name_repeats(b, i))
			continue;
		keys_name(b->codes[i], name, sizeof name);
		snprintf(out + used, len - used, "%s%s", used ? ", " : "", name);
		used = strlen(out);
	}
}

const struct keys_binding *keys_help(unsigned panes, size_t *it,
				     char *keys, size_t keyslen)
{
	while (*it < keys_count) {
		const struct keys_binding *b = &keys_table[(*it)++];
		if (b->help && (b->panes & panes)) {
			if (keyslen)
				keys_names_of(b, keys, keyslen);
			return b;
		}
	}
	return NULL;
}
