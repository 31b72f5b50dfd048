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
	layout_panes_shown(cols, lines, focus, 0, out);
}

/* Processes and Events side by side in the rectangle y, h, with a
 * one-column rule between them. */
static void layout_side_by_side(int cols, int y, int h, struct layout_rect out[LAYOUT_NPANES])
{
	int left = cols * 2 / 5 > 64 ? cols * 2 / 5 : 64;   /* every Processes column */
	out[LAYOUT_PROCESSES] = (struct layout_rect){ y, 0, h, left };
	out[LAYOUT_EVENTS] = (struct layout_rect){ y, left + 1, h, cols - left - 1 };
}

void layout_panes_shown(int cols, int lines, enum layout_pane focus, unsigned shown,
                        struct layout_rect out[LAYOUT_NPANES])
{
	int body = lines - LAYOUT_HEADER_LINES - 1;   /* the footer takes one */
	int y = LAYOUT_HEADER_LINES;
	unsigned all = (1u << LAYOUT_NPANES) - 1;
	shown = shown & all ? shown & all : all;
	memset(out, 0, sizeof(struct layout_rect) * LAYOUT_NPANES);
	if (cols < LAYOUT_ALL_COLS || lines < LAYOUT_ALL_LINES ||
	    !(shown & (shown - 1))) {   /* small, or a single pane */
		out[focus] = (struct layout_rect){ y, 0, body, cols };
		return;
	}
	int below = shown & ~(1u << LAYOUT_CONNECTIONS);
	if (!(shown & (1u << LAYOUT_CONNECTIONS))) {
		layout_side_by_side(cols, y, body, out);
		return;
	}
	/* Connections on top; the rest below it. */
	int top = body * 3 / 5;
	out[LAYOUT_CONNECTIONS] = (struct layout_rect){ y, 0, top, cols };
	if (below == ((1u << LAYOUT_PROCESSES) | (1u << LAYOUT_EVENTS)))
		layout_side_by_side(cols, y + top, body - top, out);
	else
		out[below & (1u << LAYOUT_PROCESSES) ? LAYOUT_PROCESSES : LAYOUT_EVENTS] =
			(struct layout_rect){ y + top, 0, body - top, cols };
}

/* Minimum width (room for the title and its sort mark), whether it takes a
 * share of spare room, and how late it is dropped on a narrow terminal
 * (higher: kept longer). */
struct conn_spec {
	const char *name;
	int min, grow, keep;
};

static const struct conn_spec conn_specs[LAYOUT_CONN_MAX] = {
	/* NETNS before the addresses it qualifies; kept while there is room
	 * for it beside the addresses, state and process. */
	{ "proto", 6, 0, 9 }, { "state", 11, 0, 9 }, { "netns", 16, 0, 8 }, { "local", 21, 1, 10 },
	{ "remote", 21, 1, 10 }, { "process", 16, 1, 9 }, { "user", 8, 0, 5 },
	{ "service", 14, 0, 5 },
	{ "recvq", 7, 0, 4 }, { "sendq", 7, 0, 3 }, { "rtt", 7, 0, 2 },
	{ "txrate", 5, 0, 7 }, { "rxrate", 5, 0, 7 }, { "age", 6, 0, 6 },
};

static int conn_drop(int shown[LAYOUT_CONN_MAX], int width)
{
	int need = 0;
	for (size_t i = 0; i < LAYOUT_CONN_MAX; i++)
		need += shown[i] ? conn_specs[i].min + 1 : 0;
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
	return layout_conn_columns_shown(width, 0, LAYOUT_SEEN_SERVICE, out);
}

unsigned layout_seen(size_t netns_other, size_t with_service)
{
	return (netns_other ? LAYOUT_SEEN_NETNS : 0u) | (with_service ? LAYOUT_SEEN_SERVICE : 0u);
}

/* Which columns the automatic choice shows: all but NETNS and SERVICE,
 * which only matter (and only take room) once the table has what they say. */
static int conn_auto(size_t i, unsigned seen)
{
	if (strcmp(conn_specs[i].name, "netns") == 0)
		return (seen & LAYOUT_SEEN_NETNS) != 0;
	if (strcmp(conn_specs[i].name, "service") == 0)
		return (seen & LAYOUT_SEEN_SERVICE) != 0;
	return 1;
}

size_t layout_conn_columns_shown(int width, unsigned long want, unsigned seen,
                                 struct layout_col out[LAYOUT_CONN_MAX])
{
	int shown[LAYOUT_CONN_MAX];
	int growers = 0, any = 0;
	for (size_t i = 0; i < LAYOUT_CONN_MAX; i++) {
		size_t bit = (size_t)(columns_find(conn_specs[i].name) - columns);
		shown[i] = want ? (want & (1UL << bit)) != 0 : conn_auto(i, seen);
		any |= shown[i];
	}
	for (size_t i = 0; i < LAYOUT_CONN_MAX && !any; i++)
		shown[i] = conn_auto(i, seen);   /* only --batch columns (inode) chosen */
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
