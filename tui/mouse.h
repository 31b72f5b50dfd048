/* mouse.h — the mouse without a terminal: SGR (1006) reports parsed, so
 * columns past 223 work, and a click mapped to what is under it through
 * the same layout the drawing uses (panes, column titles, rows, footer
 * labels). ui.c reads the bytes and acts; nothing here draws. */
#ifndef SOCKEYE_MOUSE_H
#define SOCKEYE_MOUSE_H

#include <stddef.h>

#include "keys.h"
#include "layout.h"
#include "pane.h"


/* Two clicks on one row within this many seconds open its details. */
#define MOUSE_DOUBLE_CLICK 0.4
/* Rows the wheel moves a notch. */
#define MOUSE_WHEEL_ROWS 3

enum mouse_button {
	MOUSE_LEFT, MOUSE_MIDDLE, MOUSE_RIGHT, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN, MOUSE_OTHER
};

struct mouse_event {
	enum mouse_button button;
	int press;                 /* 1 pressed (M), 0 released (m) */
	int motion;                /* a drag report */
	int x, y;                  /* 0-based cell */
};

/* Parses one report "ESC [ < b ; x ; y M" (or m) of len bytes. Returns 0,
 * or -1 when s is not one. */
int mouse_sgr_parse(const char *s, size_t len, struct mouse_event *ev);

/* What the screen shows where, from layout.c's functions. */
struct mouse_screen {
	struct layout_rect panes[PANE_COUNT];            /* h 0: not shown */
	struct layout_col cols[PANE_COUNT][LAYOUT_COLS_MAX];
	size_t ncols[PANE_COUNT];
	size_t top[PANE_COUNT];                          /* first row in view */
	struct keys_label footer[KEYS_FOOTER_MAX];
	size_t nfooter;
	int lines;                                       /* the footer is the last */
};

enum mouse_place {
	MOUSE_NOWHERE, MOUSE_PANE_TITLE, MOUSE_COLUMN_TITLE, MOUSE_ROW, MOUSE_FOOTER
};

struct mouse_hit {
	enum mouse_place place;
	enum pane_id pane;
	const struct column *col;       /* MOUSE_COLUMN_TITLE */
	size_t row;                     /* MOUSE_ROW: the pane's row index */
	const struct keys_binding *key; /* MOUSE_FOOTER */
};

/* What cell x, y (0-based) of s holds. */
void mouse_hit_test(const struct mouse_screen *s, int x, int y, struct mouse_hit *out);

#endif
