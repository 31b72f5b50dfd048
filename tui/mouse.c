/* mouse.c — SGR mouse reports and what a click lands on. */
#include "config.h"

#include <string.h>

#include "mouse.h"

/* A decimal field of 1 to 5 digits: no terminal is 100,000 cells wide. */
static int mouse_number(const char **p, const char *end, int *out)
{
	int v = 0, digits = 0;
	while (*p < end && **p >= '0' && **p <= '9' && digits < 6) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	*out = v;
	return digits && digits < 6 ? 0 : -1;
}

int mouse_sgr_parse(const char *s, size_t len, struct mouse_event *ev)
{
	const char *p = s, *end = s + len;
	int b, x, y;
	if (len < 9 || memcmp(s, "\033[<", 3) != 0)
		return -1;
	p += 3;
	if (mouse_number(&p, end, &b) < 0 || p == end || *p++ != ';' ||
	    mouse_number(&p, end, &x) < 0 || p == end || *p++ != ';' ||
	    mouse_number(&p, end, &y) < 0 || p + 1 != end || (*p != 'M' && *p != 'm') ||
	    x < 1 || y < 1)
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->press = *p == 'M';
	ev->motion = (b & 32) != 0;
	ev->x = x - 1;
	ev->y = y - 1;
	if (b & 64)
		ev->button = (b & 3) == 0 ? MOUSE_WHEEL_UP : (b & 3) == 1 ? MOUSE_WHEEL_DOWN
		                                                       : MOUSE_OTHER;
	else if (b & 128)
		ev->button = MOUSE_OTHER;   /* buttons 8-11 */
	else
		ev->button = (b & 3) == 0 ? MOUSE_LEFT : (b & 3) == 1 ? MOUSE_MIDDLE
		           : (b & 3) == 2 ? MOUSE_RIGHT : MOUSE_OTHER;
	return 0;
}

static int mouse_in(const struct layout_rect *r, int x, int y)
{
	return r->h > 0 && y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

static void mouse_hit_pane(const struct mouse_screen *s, enum pane_id p, int x, int y,
                           struct mouse_hit *out)
{
	const struct layout_rect *r = &s->panes[p];
	out->pane = p;
	if (y == r->y) {
		out->place = MOUSE_PANE_TITLE;
		return;
	}
	if (y == r->y + 1) {
		out->place = MOUSE_PANE_TITLE;
		for (size_t i = 0; i < s->ncols[p]; i++) {
			const struct layout_col *c = &s->cols[p][i];
			/* The gap after a column belongs to it: no dead pixel between titles. */
			if (x >= r->x + c->x && x <= r->x + c->x + c->w) {
				out->place = MOUSE_COLUMN_TITLE;
				out->col = c->col;
			}
		}
		return;
	}
	out->place = MOUSE_ROW;
	out->row = s->top[p] + (size_t)(y - r->y - LAYOUT_PANE_HEAD_LINES);
}

void mouse_hit_test(const struct mouse_screen *s, int x, int y, struct mouse_hit *out)
{
	memset(out, 0, sizeof(*out));
	if (y == s->lines - 1) {
		for (size_t i = 0; i < s->nfooter; i++)
			if (x >= s->footer[i].x && x < s->footer[i].x + s->footer[i].w) {
				out->place = MOUSE_FOOTER;
				out->key = s->footer[i].binding;
			}
		return;
	}
	for (int p = 0; p < PANE_COUNT; p++)
		if (mouse_in(&s->panes[p], x, y)) {
			mouse_hit_pane(s, (enum pane_id)p, x, y, out);
			return;
		}
}
