/* layout.h — screen arithmetic without a terminal: where each pane goes for
 * a terminal size, and which of a pane's columns fit at which widths. */
#ifndef SOCKEYE_LAYOUT_H
#define SOCKEYE_LAYOUT_H

#include <stddef.h>
#include "columns.h"
#include "pane.h"

#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_LINES 10
#define LAYOUT_HEADER_LINES 3
#define LAYOUT_ALL_COLS 120      /* all three panes from this size up */
#define LAYOUT_ALL_LINES 30
#define LAYOUT_PANE_HEAD_LINES 2 /* a pane's title, then its columns' titles */

struct layout_rect {
	int y, x, h, w;              /* h == 0: not shown */
};

/* 1 when cols x lines is too small to draw anything but a message. */
int layout_too_small(int cols, int lines);

/* Places the panes for a cols x lines terminal: all three when it is large
 * enough, else only the focused one, over the whole body. */
void layout_panes(int cols, int lines, enum pane_id focus, struct layout_rect out[PANE_COUNT]);

/* The same for the panes in shown (bit 1 << enum pane_id; 0 all, the
 * config file's `panes`): on a large terminal they share the body,
 * Connections on top; focus must be one of them. */
void layout_panes_shown(int cols, int lines, enum pane_id focus, unsigned shown,
                        struct layout_rect out[PANE_COUNT]);

#define LAYOUT_COLS_MAX COLUMNS_MAX
/* Room each growing column keeps before a column shown only where there
 * is room (COLUMN_SHOW_ROOM) joins them. */
#define LAYOUT_ROOM_SLACK 16
/* Columns with this keep (or more) are never dropped. */
#define LAYOUT_KEEP_ALWAYS 10

struct layout_col {
	const struct column *col;
	int x, w;                    /* x relative to the pane */
};

/* Chooses t's columns for a pane width and returns their count: those in
 * want (bit i for t->v[i], the config file's `columns`), or with want 0
 * the automatic choice, each column by its show rule against seen
 * (COLUMN_SEEN_*). The least kept are dropped until the rest fit at their
 * minimum; columns shown where there is room then join while it lasts;
 * spare room goes to the growing columns by their shares. */
size_t layout_columns(const struct column_table *t, int width, unsigned long want,
                      unsigned seen, struct layout_col out[LAYOUT_COLS_MAX]);

/* The narrowest width at which the automatic choice keeps every column. */
int layout_min_width(const struct column_table *t, unsigned seen);

/* The seen flags for a table with these counts of sockets. */
unsigned layout_seen(size_t netns_other, size_t with_service);

#endif
