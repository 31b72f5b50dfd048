/* layout.h — screen arithmetic without a terminal: where each pane goes for
 * a terminal size, and which Connections columns fit at which widths. */
#ifndef SOCKEYE_LAYOUT_H
#define SOCKEYE_LAYOUT_H

#include <stddef.h>
#include "columns.h"

#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_LINES 10
#define LAYOUT_HEADER_LINES 3
#define LAYOUT_ALL_COLS 120      /* all three panes from this size up */
#define LAYOUT_ALL_LINES 30

enum layout_pane { LAYOUT_CONNECTIONS, LAYOUT_PROCESSES, LAYOUT_EVENTS, LAYOUT_NPANES };

struct layout_rect {
	int y, x, h, w;              /* h == 0: not shown */
};

/* 1 when cols x lines is too small to draw anything but a message. */
int layout_too_small(int cols, int lines);

/* Places the panes for a cols x lines terminal: all three when it is large
 * enough, else only the focused one, over the whole body. */
void layout_panes(int cols, int lines, enum layout_pane focus,
                  struct layout_rect out[LAYOUT_NPANES]);

/* The same for the panes in shown (bit 1 << enum layout_pane; 0 all, the
 * config file's `panes`): on a large terminal they share the body,
 * Connections on top; focus must be one of them. */
void layout_panes_shown(int cols, int lines, enum layout_pane focus, unsigned shown,
                        struct layout_rect out[LAYOUT_NPANES]);

#define LAYOUT_CONN_MAX 14

struct layout_col {
	const struct column *col;
	int x, w;                    /* x relative to the pane */
};

/* Chooses the Connections columns for a pane width: the least needed are
 * dropped until the rest fit at their minimum, and spare room goes to the
 * address and process columns. Returns the count. */
size_t layout_conn_columns(int width, struct layout_col out[LAYOUT_CONN_MAX]);

/* What the table holds that earns a column its room: NETNS while some
 * socket lives outside the host's network namespace, SERVICE while some
 * socket's owner belongs to a service or container. */
#define LAYOUT_SEEN_NETNS   1u
#define LAYOUT_SEEN_SERVICE 2u

/* The same among the columns in shown (bit i for columns[i], the config
 * file's `columns`), or with shown 0 the automatic choice: every column but
 * NETNS and SERVICE, each of which joins them only while seen has its
 * LAYOUT_SEEN_ flag. A columns list naming one shows it always. */
size_t layout_conn_columns_shown(int width, unsigned long shown, unsigned seen,
                                 struct layout_col out[LAYOUT_CONN_MAX]);

/* The seen flags for a table with these counts of sockets. */
unsigned layout_seen(size_t netns_other, size_t with_service);

#endif
