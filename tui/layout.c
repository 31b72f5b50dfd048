/* layout.c — pane rectangles and Connections column widths, as plain
 * arithmetic so they are tested without a terminal. */
#include "config.h"

#include <string.h>

#include "layout.h"

int layout_too_small(int cols, int lines)
{
	return cols < LAYOUT_MIN_COLS || lines < LAYOUT_MIN_LINES;
}

void layout_panes(int cols, int lines, enum layout_pane focus,
                  struct layout_rect out[LAYOUT_NPANES])
{
	int body = lines - LAYOUT_HEADER_LINES - 1;   /* the footer takes one */
	memset(out, 0, sizeof(struct layout_rect) * LAYOUT_NPANES);
	if (cols < LAYOUT_ALL_COLS || lines < LAYOUT_ALL_LINES) {
		out[focus] = (struct layout_rect){ LAYOUT_HEADER_LINES, 0, body, cols };
		return;
	}
	/* Connections on top; Processes and Events share the rest, with a
	 * one-column rule between them. */
	int top = body * 3 / 5;
	int left = cols * 2 / 5 > 64 ? cols * 2 / 5 : 64;   /* every Processes column */
	out[LAYOUT_CONNECTIONS] = (struct layout_rect){ LAYOUT_HEADER_LINES, 0, top, cols };
	out[LAYOUT_PROCESSES] = (struct layout_rect){ LAYOUT_HEADER_LINES + top, 0,
	                                              body - top, left };
	out[LAYOUT_EVENTS] = (struct layout_rect){ LAYOUT_HEADER_LINES + top, left + 1,
	                                           body - top, cols - left - 1 };
}

/* Minimum width (room for the title and its sort mark), whether it takes a
 * share of spare room, and how late it is dropped on a narrow terminal
 * (higher: kept longer). */
struct conn_spec {
	const char *name;
	int min, grow, keep;
};

static const struct conn_spec conn_specs[LAYOUT_CONN_MAX] = {
	{ "proto", 6, 0, 9 }, { "state", 11, 0, 9 }, { "local", 21, 1, 10 },
	{ "remote", 21, 1, 10 }, { "process", 16, 1, 9 }, { "user", 8, 0, 5 },
	{ "service", 14, 0, 5 },
	{ "recvq", 7, 0, 4 }, { "sendq", 7, 0, 3 }, { "rtt", 7, 0, 2 },
	{ "txrate", 5, 0, 7 }, { "rxrate", 5, 0, 7 }, { "age", 6, 0, 6 },
};

static int conn_drop(int shown[LAYOUT_CONN_MAX], int width)
{
	int need = 0;
	for (size_t i = 0; i < LAYOUT_CONN_MAX; i++)
		need += conn_specs[i].min + 1;
	for (int keep = 1; need > width && keep < 10; keep++)
		for (size_t i = 0; i < LAYOUT_CONN_MAX; i++)
			if (shown[i] && conn_specs[i].keep == keep && need > width) {
				shown[i] = 0;
				need -= conn_specs[i].min + 1;
			}
	return need;
}

size_t layout_conn_columns(int width, struct layout_col out[LAYOUT_CONN_MAX])
{
	int shown[LAYOUT_CONN_MAX];
	int growers = 0;
	for (size_t i = 0; i < LAYOUT_CONN_MAX; i++)
		shown[i] = 1;
	int need = conn_drop(shown, width);
	for (size_t i = 0; i < LAYOUT_CONN_MAX; i++)
		growers += shown[i] && conn_specs[i].grow;
	int spare = width > need ? width - need : 0;
	size_t n = 0;
	int x = 0;
	for (size_t i = 0; i < LAYOUT_CONN_MAX; i++) {
		if (!shown[i])
			continue;
		int w = conn_specs[i].min;
		if (conn_specs[i].grow && growers) {
			int share = spare / growers;
			spare -= share;
			growers--;
			w += share;
		}
		out[n++] = (struct layout_col){ columns_find(conn_specs[i].name), x, w };
		x += w + 1;
	}
	return n;
}
