/* test_layout.c — where panes go for a terminal size and which columns fit. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "layout.h"

static void tiny_terminals_are_too_small(void **state)
{
	(void)state;
	assert_true(layout_too_small(39, 24));
	assert_true(layout_too_small(80, 9));
	assert_false(layout_too_small(40, 10));
	assert_false(layout_too_small(80, 24));
}

static void trends_focused_takes_the_whole_body(void **state)
{
	(void)state;
	struct layout_rect r[PANE_COUNT];
	layout_panes(160, 48, PANE_TRENDS, r);
	assert_int_equal(r[PANE_TRENDS].h, 48 - LAYOUT_HEADER_LINES - 1);
	assert_int_equal(r[PANE_TRENDS].w, 160);
	assert_int_equal(r[PANE_CONNECTIONS].h, 0);
	assert_int_equal(r[PANE_EVENTS].h, 0);
}

static void large_terminal_shows_all_three_panes(void **state)
{
	(void)state;
	struct layout_rect r[PANE_COUNT];
	layout_panes(160, 48, PANE_EVENTS, r);
	for (int i = 0; i < PANE_TRENDS; i++)
		assert_true(r[i].h > 2);
	assert_int_equal(r[PANE_TRENDS].h, 0);    /* only when focused */
	/* Connections spans the width under the header; the other two share
	 * the rest of the body side by side, up to the footer. */
	assert_int_equal(r[PANE_CONNECTIONS].y, LAYOUT_HEADER_LINES);
	assert_int_equal(r[PANE_CONNECTIONS].w, 160);
	assert_int_equal(r[PANE_PROCESSES].y, r[PANE_CONNECTIONS].y + r[PANE_CONNECTIONS].h);
	assert_int_equal(r[PANE_PROCESSES].y + r[PANE_PROCESSES].h, 48 - 1);
	assert_int_equal(r[PANE_EVENTS].x + r[PANE_EVENTS].w, 160);
	assert_true(r[PANE_PROCESSES].x + r[PANE_PROCESSES].w < r[PANE_EVENTS].x);
}

static void at_80x24_only_the_focused_pane_shows(void **state)
{
	(void)state;
	struct layout_rect r[PANE_COUNT];
	layout_panes(80, 24, PANE_PROCESSES, r);
	assert_int_equal(r[PANE_CONNECTIONS].h, 0);
	assert_int_equal(r[PANE_EVENTS].h, 0);
	assert_int_equal(r[PANE_PROCESSES].h, 24 - LAYOUT_HEADER_LINES - 1);
	assert_int_equal(r[PANE_PROCESSES].w, 80);
}

static void just_below_the_threshold_shows_one_pane(void **state)
{
	(void)state;
	struct layout_rect r[PANE_COUNT];
	layout_panes(119, 48, PANE_CONNECTIONS, r);
	assert_int_equal(r[PANE_PROCESSES].h, 0);
	layout_panes(160, 29, PANE_CONNECTIONS, r);
	assert_int_equal(r[PANE_EVENTS].h, 0);
}

static int has_column(const struct layout_col *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].col->name, name) == 0)
			return 1;
	return 0;
}

/* The Connections columns the automatic choice shows with seen, when
 * there is room for all of them. */
static size_t screen_columns(unsigned seen)
{
	size_t n = 0;
	for (size_t i = 0; i < columns_connections.n; i++)
		n += columns_connections.v[i].min > 0 &&
		     columns_shown_unnamed(&columns_connections.v[i], seen);
	return n;
}

static void wide_pane_shows_every_column_within_its_width(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	unsigned seen = COLUMN_SEEN_NETNS | COLUMN_SEEN_SERVICE;
	int width = layout_min_width(&columns_connections, seen) + 6;
	size_t n = layout_columns(&columns_connections, width, 0, seen, c);
	assert_int_equal(n, screen_columns(seen));
	assert_true(c[n - 1].x + c[n - 1].w <= width);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(c[i].x, c[i - 1].x + c[i - 1].w + 1);
}

static void narrow_pane_drops_the_least_needed_columns_first(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_connections, 80, 0, COLUMN_SEEN_SERVICE, c);
	assert_true(n < screen_columns(COLUMN_SEEN_SERVICE));
	assert_true(has_column(c, n, "local"));
	assert_true(has_column(c, n, "remote"));
	assert_true(has_column(c, n, "state"));
	assert_true(has_column(c, n, "process"));
	assert_false(has_column(c, n, "rtt"));
	assert_true(c[n - 1].x + c[n - 1].w <= 80);
}

static void spare_room_goes_to_addresses_and_process(void **state)
{
	(void)state;
	struct layout_col narrow[LAYOUT_COLS_MAX], wide[LAYOUT_COLS_MAX];
	int need = layout_min_width(&columns_connections, COLUMN_SEEN_SERVICE);
	size_t n1 = layout_columns(&columns_connections, need + 3, 0, COLUMN_SEEN_SERVICE, narrow);
	size_t n2 = layout_columns(&columns_connections, need + 73, 0, COLUMN_SEEN_SERVICE, wide);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++) {
		const char *name = wide[i].col->name;
		if (!strcmp(name, "local") || !strcmp(name, "remote") || !strcmp(name, "process"))
			assert_true(wide[i].w > narrow[i].w);
		else
			assert_int_equal(wide[i].w, narrow[i].w);
	}
}

/* The bit of the config file's columns list for name. */
static unsigned long column_bit(const char *name)
{
	return 1UL << (size_t)(columns_find(name) - columns);
}

static void netns_column_hidden_while_only_the_host_namespace_has_sockets(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_connections, 200, 0, COLUMN_SEEN_SERVICE, c);
	assert_false(has_column(c, n, "netns"));
	assert_int_equal(n, screen_columns(COLUMN_SEEN_SERVICE));
}

static void netns_column_shown_once_another_namespace_has_sockets(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_connections, 200, 0, COLUMN_SEEN_NETNS, c);
	assert_true(has_column(c, n, "netns"));
	/* next to the addresses it qualifies */
	for (size_t i = 0; i + 1 < n; i++)
		if (!strcmp(c[i].col->name, "netns"))
			assert_string_equal(c[i + 1].col->name, "local");
}

static void netns_column_at_100_columns_beside_addresses_and_process(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_connections, 100, 0, COLUMN_SEEN_NETNS, c);
	assert_true(has_column(c, n, "netns"));
	assert_true(has_column(c, n, "local"));
	assert_true(has_column(c, n, "process"));
	assert_true(c[n - 1].x + c[n - 1].w <= 100);
}

static void columns_list_naming_netns_shows_it_without_other_namespaces(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	unsigned long want = column_bit("proto") | column_bit("local") | column_bit("netns");
	size_t n = layout_columns(&columns_connections, 120, want, 0, c);
	assert_int_equal(n, 3);
	assert_true(has_column(c, n, "netns"));
}

static void columns_list_without_netns_hides_it_with_other_namespaces(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	unsigned long want = column_bit("proto") | column_bit("local");
	size_t n = layout_columns(&columns_connections, 120, want, COLUMN_SEEN_NETNS, c);
	assert_int_equal(n, 2);
	assert_false(has_column(c, n, "netns"));
}

static void service_column_hidden_while_no_owner_has_a_service(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_connections, 200, 0, 0, c);
	assert_false(has_column(c, n, "service"));
	assert_false(has_column(c, n, "netns"));
	assert_int_equal(n, screen_columns(0));
}

static void service_column_shown_once_an_owner_has_a_service(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_connections, 200, 0, layout_seen(0, 3), c);
	assert_true(has_column(c, n, "service"));
	assert_false(has_column(c, n, "netns"));
}

static void columns_list_naming_service_shows_it_without_services(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	unsigned long want = column_bit("local") | column_bit("service");
	size_t n = layout_columns(&columns_connections, 120, want, 0, c);
	assert_int_equal(n, 2);
	assert_true(has_column(c, n, "service"));
}

/* ---- every pane shares its width the same way ---- */

static const struct layout_col *col_named(const struct layout_col *c, size_t n,
                                          const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].col->name, name) == 0)
			return &c[i];
	fail_msg("no column %s", name);
	return NULL;
}

/* At 160x48 the Events pane beside Processes reads a state change and a
 * process name whole, and its socket column is no wider than it needs. */
static void events_pane_shares_its_spare_room_at_160x48(void **state)
{
	(void)state;
	struct layout_rect r[PANE_COUNT];
	struct layout_col c[LAYOUT_COLS_MAX];
	layout_panes(160, 48, PANE_CONNECTIONS, r);
	size_t n = layout_columns(&columns_events, r[PANE_EVENTS].w, 0, 0, c);
	assert_int_equal(n, columns_events.n);
	assert_true(col_named(c, n, "state")->w >= (int)strlen("FIN_WAIT2>TIME_WAIT"));
	assert_true(col_named(c, n, "owner")->w >= (int)strlen("2175/sockload-client"));
	assert_true(col_named(c, n, "socket")->w >= (int)strlen("tcp 10.0.0.1:5432 -> 10.0.0.2:4"));
	assert_int_equal(c[n - 1].x + c[n - 1].w + 1, r[PANE_EVENTS].w);   /* all of it given */
}

/* Every pane's columns follow each other and end one short of its width
 * (the gap after the last), spare room all given out. */
static void every_pane_fills_its_width(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	static const unsigned seens[] = { 0, COLUMN_SEEN_SERVICE, COLUMN_SEEN_BY_SERVICE,
	                                  COLUMN_SEEN_NETNS | COLUMN_SEEN_SERVICE };
	for (int p = 0; p < PANE_COUNT; p++)
		for (int w = 60; w <= 260; w += 7)
			for (size_t s = 0; s < sizeof(seens) / sizeof(seens[0]); s++) {
				size_t n = layout_columns(pane_kinds[p].columns, w, 0, seens[s], c);
				assert_true(n > 0);
				for (size_t i = 1; i < n; i++)
					assert_int_equal(c[i].x, c[i - 1].x + c[i - 1].w + 1);
				assert_int_equal(c[n - 1].x + c[n - 1].w + 1, w);
			}
}

/* Grouped by service, Processes shows no pid, user or process name, and
 * the service takes the room. */
static void processes_grouped_by_service_give_the_service_the_room(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	size_t n = layout_columns(&columns_processes, 100, 0, COLUMN_SEEN_BY_SERVICE, c);
	assert_false(has_column(c, n, "pid"));
	assert_false(has_column(c, n, "process"));
	assert_true(col_named(c, n, "service")->w > col_named(c, n, "service")->col->min);
	n = layout_columns(&columns_processes, 100, 0, 0, c);
	assert_true(has_column(c, n, "pid"));
	assert_false(has_column(c, n, "service"));
	assert_true(col_named(c, n, "process")->w > col_named(c, n, "user")->w);
}

/* COMMAND joins the Connections columns only where the others keep room
 * to spare, or when the columns list names it. */
static void command_shows_where_there_is_room_or_when_named(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_COLS_MAX];
	int need = layout_min_width(&columns_connections, COLUMN_SEEN_SERVICE);
	size_t n = layout_columns(&columns_connections, 200, 0, COLUMN_SEEN_SERVICE, c);
	assert_false(has_column(c, n, "command"));
	n = layout_columns(&columns_connections, need + 31 + 3 * LAYOUT_ROOM_SLACK, 0,
	                   COLUMN_SEEN_SERVICE, c);
	assert_true(has_column(c, n, "command"));
	assert_int_equal(n, screen_columns(COLUMN_SEEN_SERVICE) + 1);
	assert_string_equal(c[n - 1].col->name, "command");     /* last */
	n = layout_columns(&columns_processes, 80, 0, 0, c);
	assert_false(has_column(c, n, "command"));
	n = layout_columns(&columns_processes, 160, 0, 0, c);
	assert_string_equal(c[n - 1].col->name, "command");
	assert_false(has_column(c, layout_columns(&columns_processes, 160, 0,
	                                          COLUMN_SEEN_BY_SERVICE, c), "command"));
	unsigned long want = column_bit("local") | column_bit("command");
	n = layout_columns(&columns_connections, 100, want, 0, c);
	assert_int_equal(n, 2);
	assert_true(col_named(c, n, "command")->w > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tiny_terminals_are_too_small),
		cmocka_unit_test(trends_focused_takes_the_whole_body),
		cmocka_unit_test(large_terminal_shows_all_three_panes),
		cmocka_unit_test(at_80x24_only_the_focused_pane_shows),
		cmocka_unit_test(just_below_the_threshold_shows_one_pane),
		cmocka_unit_test(wide_pane_shows_every_column_within_its_width),
		cmocka_unit_test(narrow_pane_drops_the_least_needed_columns_first),
		cmocka_unit_test(spare_room_goes_to_addresses_and_process),
		cmocka_unit_test(netns_column_hidden_while_only_the_host_namespace_has_sockets),
		cmocka_unit_test(netns_column_shown_once_another_namespace_has_sockets),
		cmocka_unit_test(netns_column_at_100_columns_beside_addresses_and_process),
		cmocka_unit_test(columns_list_naming_netns_shows_it_without_other_namespaces),
		cmocka_unit_test(columns_list_without_netns_hides_it_with_other_namespaces),
		cmocka_unit_test(service_column_hidden_while_no_owner_has_a_service),
		cmocka_unit_test(service_column_shown_once_an_owner_has_a_service),
		cmocka_unit_test(columns_list_naming_service_shows_it_without_services),
		cmocka_unit_test(events_pane_shares_its_spare_room_at_160x48),
		cmocka_unit_test(every_pane_fills_its_width),
		cmocka_unit_test(processes_grouped_by_service_give_the_service_the_room),
		cmocka_unit_test(command_shows_where_there_is_room_or_when_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
