/* layout.c — pane rectangles and column widths, as plain arithmetic so
 * they are tested without a terminal. */
#include "config.h"

#include <string.h>

#include "layout.h"

int layout_too_small(int cols, int lines)
{
	return cols < LAYOUT_MIN_COLS || lines < LAYOUT_MIN_LINES;
}

void layout_panes(int cols, int lines, enum pane_id focus,
                  struct layout_rect out[PANE_COUNT])
{
	layout_panes_shown(cols, lines, focus, 0, out);
}

/* Processes and Events side by side in the rectangle y, h, with a
 * one-column rule between them. */
static void layout_side_by_side(int cols, int y, int h, struct layout_rect out[PANE_COUNT])
{
	int left = cols * 2 / 5 > 64 ? cols * 2 / 5 : 64;   /* every Processes column */
	out[PANE_PROCESSES] = (struct layout_rect){ y, 0, h, left };
	out[PANE_EVENTS] = (struct layout_rect){ y, left + 1, h, cols - left - 1 };
}

void layout_panes_shown(int cols, int lines, enum pane_id focus, unsigned shown,
                        struct layout_rect out[PANE_COUNT])
{
	int body = lines - LAYOUT_HEADER_LINES - 1;   /* the footer takes one */
	int y = LAYOUT_HEADER_LINES;
	unsigned all = (1u << PANE_COUNT) - 1 - (1u << PANE_TRENDS);
	shown = shown & all ? shown & all : all;
	memset(out, 0, sizeof(struct layout_rect) * PANE_COUNT);
	if (focus == PANE_TRENDS || cols < LAYOUT_ALL_COLS || lines < LAYOUT_ALL_LINES ||
	    !(shown & (shown - 1))) {   /* small, or a single pane */
		out[focus] = (struct layout_rect){ y, 0, body, cols };
		return;
	}
	int below = shown & ~(1u << PANE_CONNECTIONS);
	if (!(shown & (1u << PANE_CONNECTIONS))) {
		layout_side_by_side(cols, y, body, out);
		return;
	}
	/* Connections on top; the rest below it. */
	int top = body * 3 / 5;
	out[PANE_CONNECTIONS] = (struct layout_rect){ y, 0, top, cols };
	if (below == ((1u << PANE_PROCESSES) | (1u << PANE_EVENTS)))
		layout_side_by_side(cols, y + top, body - top, out);
	else
		out[below & (1u << PANE_PROCESSES) ? PANE_PROCESSES : PANE_EVENTS] =
			(struct layout_rect){ y + top, 0, body - top, cols };
}

static int layout_on_screen(const struct column *c, unsigned seen)
{
	return c->min > 0 && columns_in_group(c, seen);
}

/* The columns asked for; a list naming only --batch columns (INODE) asks
 * for none on the screen, so the automatic choice stands. */
static void layout_choose(const struct column_table *t, unsigned long want, unsigned seen,
                          int shown[])
{
	int any = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct column *c = &t->v[i];
		shown[i] = layout_on_screen(c, seen) &&
		           (want ? (want & (1UL << i)) != 0 : columns_shown_unnamed(c, seen));
		any |= shown[i];
	}
	for (size_t i = 0; i < t->n && !any; i++)
		shown[i] = layout_on_screen(&t->v[i], seen) && columns_shown_unnamed(&t->v[i], seen);
}

static int layout_need(const struct column_table *t, const int shown[])
{
	int need = 0;
	for (size_t i = 0; i < t->n; i++)
		need += shown[i] ? t->v[i].min + 1 : 0;
	return need;
}

static int layout_drop(const struct column_table *t, int shown[], int width)
{
	int need = layout_need(t, shown);
	for (int keep = 0; need > width && keep < LAYOUT_KEEP_ALWAYS; keep++)
		for (size_t i = 0; i < t->n; i++)
			if (shown[i] && t->v[i].keep == keep && need > width) {
				shown[i] = 0;
				need -= t->v[i].min + 1;
			}
	return need;
}

static int layout_growth(const struct column_table *t, const int shown[])
{
	int weight = 0;
	for (size_t i = 0; i < t->n; i++)
		weight += shown[i] ? t->v[i].grow : 0;
	return weight;
}

/* Room columns join, in table order, while the growing columns keep
 * LAYOUT_ROOM_SLACK each beyond their minimum. */
static int layout_add_room(const struct column_table *t, int shown[], unsigned seen,
                           int need, int width)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct column *c = &t->v[i];
		int growers = 0;
		if (shown[i] || c->show != COLUMN_SHOW_ROOM || !layout_on_screen(c, seen))
			continue;
		for (size_t k = 0; k < t->n; k++)
			growers += shown[k] && t->v[k].grow;
		if (need + c->min + 1 + growers * LAYOUT_ROOM_SLACK <= width) {
			shown[i] = 1;
			need += c->min + 1;
		}
	}
	return need;
}

size_t layout_columns(const struct column_table *t, int width, unsigned long want,
                      unsigned seen, struct layout_col out[LAYOUT_COLS_MAX])
{
	int shown[LAYOUT_COLS_MAX];
	size_t n = 0;
	int x = 0;
	layout_choose(t, want, seen, shown);
	int need = layout_drop(t, shown, width);
	if (!want)
		need = layout_add_room(t, shown, seen, need, width);
	int weight = layout_growth(t, shown);
	int spare = width > need ? width - need : 0;
	for (size_t i = 0; i < t->n && n < LAYOUT_COLS_MAX; i++) {
		if (!shown[i])
			continue;
		int w = t->v[i].min;
		if (t->v[i].grow && weight) {
			int share = spare * t->v[i].grow / weight;
			spare -= share;
			weight -= t->v[i].grow;
			w += share;
		}
		out[n++] = (struct layout_col){ &t->v[i], x, w };
		x += w + 1;
	}
	return n;
}

int layout_min_width(const struct column_table *t, unsigned seen)
{
	int shown[LAYOUT_COLS_MAX];
	layout_choose(t, 0, seen, shown);
	return layout_need(t, shown);
}

unsigned layout_seen(size_t netns_other, size_t with_service)
{
	return (netns_other ? COLUMN_SEEN_NETNS : 0u) | (with_service ? COLUMN_SEEN_SERVICE : 0u);
}
