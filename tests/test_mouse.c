/* test_mouse.c — SGR mouse reports, and what a click lands on for a
 * layout: rows, column titles, pane titles and footer labels. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "mouse.h"

static int parse(const char *s, struct mouse_event *ev)
{
	return mouse_sgr_parse(s, strlen(s), ev);
}

static void a_left_press_and_its_release(void **state)
{
	struct mouse_event ev;
	(void)state;
	assert_int_equal(parse("\033[<0;12;5M", &ev), 0);
	assert_int_equal(ev.button, MOUSE_LEFT);
	assert_true(ev.press);
	assert_false(ev.motion);
	assert_int_equal(ev.x, 11);   /* reports count from 1, cells from 0 */
	assert_int_equal(ev.y, 4);
	assert_int_equal(parse("\033[<0;12;5m", &ev), 0);
	assert_false(ev.press);
}

static void the_wheel_both_ways(void **state)
{
	struct mouse_event ev;
	(void)state;
	assert_int_equal(parse("\033[<64;3;9M", &ev), 0);
	assert_int_equal(ev.button, MOUSE_WHEEL_UP);
	assert_int_equal(parse("\033[<65;3;9M", &ev), 0);
	assert_int_equal(ev.button, MOUSE_WHEEL_DOWN);
}

static void right_middle_and_a_drag(void **state)
{
	struct mouse_event ev;
	(void)state;
	assert_int_equal(parse("\033[<2;1;1M", &ev), 0);
	assert_int_equal(ev.button, MOUSE_RIGHT);
	assert_int_equal(parse("\033[<1;1;1M", &ev), 0);
	assert_int_equal(ev.button, MOUSE_MIDDLE);
	assert_int_equal(parse("\033[<32;7;2M", &ev), 0);
	assert_true(ev.motion);
	/* Shift, Meta, Ctrl (4, 8, 16) do not change the button. */
	assert_int_equal(parse("\033[<16;1;1M", &ev), 0);
	assert_int_equal(ev.button, MOUSE_LEFT);
}

static void columns_past_223_are_read(void **state)
{
	struct mouse_event ev;
	(void)state;
	assert_int_equal(parse("\033[<0;300;1M", &ev), 0);
	assert_int_equal(ev.x, 299);
	assert_int_equal(parse("\033[<0;1000;400M", &ev), 0);
	assert_int_equal(ev.x, 999);
	assert_int_equal(ev.y, 399);
}

static void what_is_not_a_report_is_refused(void **state)
{
	struct mouse_event ev;
	(void)state;
	static const char *const bad[] = {
		"", "\033[<0;1M", "\033[<0;1;1", "\033[<0;1;1X", "\033[0;1;1M",
		"\033[<a;1;1M", "\033[<0;0;1M", "\033[<0;1;0M", "\033[<0;1;1Mx",
		"\033[<0;123456;1M", "\033[<;1;1M", "\033[<0;1;;M",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse(bad[i], &ev), -1);
}

/* The three panes of a 160x48 screen, as ui.c builds it for a click. */
static void screen_160x48(struct mouse_screen *s)
{
	memset(s, 0, sizeof(*s));
	layout_panes(160, 48, PANE_CONNECTIONS, s->panes);
	for (int p = 0; p < PANE_COUNT; p++)
		s->ncols[p] = layout_columns(pane_kinds[p].columns, s->panes[p].w, 0, 0, s->cols[p]);
	s->top[PANE_CONNECTIONS] = 10;
	s->nfooter = keys_footer_labels(KEYS_PANE_CONNECTIONS, 0, 160, s->footer);
	s->lines = 48;
}

static void a_click_on_a_row_is_that_row_below_the_scroll(void **state)
{
	struct mouse_screen s;
	struct mouse_hit h;
	(void)state;
	screen_160x48(&s);
	const struct layout_rect *r = &s.panes[PANE_CONNECTIONS];
	mouse_hit_test(&s, 5, r->y + 2, &h);
	assert_int_equal(h.place, MOUSE_ROW);
	assert_int_equal(h.pane, PANE_CONNECTIONS);
	assert_int_equal(h.row, 10);
	mouse_hit_test(&s, 5, r->y + 4, &h);
	assert_int_equal(h.row, 12);
	const struct layout_rect *e = &s.panes[PANE_EVENTS];
	mouse_hit_test(&s, e->x + 1, e->y + 3, &h);
	assert_int_equal(h.place, MOUSE_ROW);
	assert_int_equal(h.pane, PANE_EVENTS);
	assert_int_equal(h.row, 1);
}

static void a_click_on_a_column_title_is_its_column(void **state)
{
	struct mouse_screen s;
	struct mouse_hit h;
	(void)state;
	screen_160x48(&s);
	const struct layout_rect *r = &s.panes[PANE_CONNECTIONS];
	for (size_t i = 0; i < s.ncols[PANE_CONNECTIONS]; i++) {
		const struct layout_col *c = &s.cols[PANE_CONNECTIONS][i];
		for (int x = c->x; x < c->x + c->w; x++) {
			mouse_hit_test(&s, r->x + x, r->y + 1, &h);
			assert_int_equal(h.place, MOUSE_COLUMN_TITLE);
			assert_ptr_equal(h.col, c->col);
		}
	}
	/* The Processes pane's titles, right of nothing but its own x. */
	const struct layout_rect *p = &s.panes[PANE_PROCESSES];
	mouse_hit_test(&s, p->x + s.cols[PANE_PROCESSES][1].x, p->y + 1, &h);
	assert_int_equal(h.pane, PANE_PROCESSES);
	assert_ptr_equal(h.col, s.cols[PANE_PROCESSES][1].col);
}

static void a_click_on_a_pane_title_focuses_it(void **state)
{
	struct mouse_screen s;
	struct mouse_hit h;
	(void)state;
	screen_160x48(&s);
	int shown = 0;
	for (int p = 0; p < PANE_COUNT; p++) {
		if (!s.panes[p].h)
			continue;       /* Trends takes the body only when focused */
		shown++;
		mouse_hit_test(&s, s.panes[p].x + 2, s.panes[p].y, &h);
		assert_int_equal(h.place, MOUSE_PANE_TITLE);
		assert_int_equal(h.pane, p);
	}
	assert_int_equal(shown, 3);     /* Connections, Processes, Events */
	mouse_hit_test(&s, 3, 0, &h);   /* the header */
	assert_int_equal(h.place, MOUSE_NOWHERE);
}

static void a_click_on_a_footer_label_is_its_key(void **state)
{
	struct mouse_screen s;
	struct mouse_hit h;
	(void)state;
	screen_160x48(&s);
	for (size_t i = 0; i < s.nfooter; i++) {
		const struct keys_label *l = &s.footer[i];
		mouse_hit_test(&s, l->x, 47, &h);
		assert_int_equal(h.place, MOUSE_FOOTER);
		assert_ptr_equal(h.key, l->binding);
		mouse_hit_test(&s, l->x + l->w - 1, 47, &h);
		assert_ptr_equal(h.key, l->binding);
		mouse_hit_test(&s, l->x + l->w, 47, &h);   /* the space between */
		assert_int_equal(h.place, MOUSE_NOWHERE);
	}
	assert_string_equal(s.footer[0].binding->footer_key, "F1");
	mouse_hit_test(&s, 159, 47, &h);   /* past the labels: the message */
	assert_int_equal(h.place, MOUSE_NOWHERE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_left_press_and_its_release),
		cmocka_unit_test(the_wheel_both_ways),
		cmocka_unit_test(right_middle_and_a_drag),
		cmocka_unit_test(columns_past_223_are_read),
		cmocka_unit_test(what_is_not_a_report_is_refused),
		cmocka_unit_test(a_click_on_a_row_is_that_row_below_the_scroll),
		cmocka_unit_test(a_click_on_a_column_title_is_its_column),
		cmocka_unit_test(a_click_on_a_pane_title_focuses_it),
		cmocka_unit_test(a_click_on_a_footer_label_is_its_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
