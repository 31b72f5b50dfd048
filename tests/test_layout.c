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

static void large_terminal_shows_all_three_panes(void **state)
{
	(void)state;
	struct layout_rect r[LAYOUT_NPANES];
	layout_panes(160, 48, LAYOUT_EVENTS, r);
	for (int i = 0; i < LAYOUT_NPANES; i++)
		assert_true(r[i].h > 2);
	/* Connections spans the width under the header; the other two share
	 * the rest of the body side by side, up to the footer. */
	assert_int_equal(r[LAYOUT_CONNECTIONS].y, LAYOUT_HEADER_LINES);
	assert_int_equal(r[LAYOUT_CONNECTIONS].w, 160);
	assert_int_equal(r[LAYOUT_PROCESSES].y, r[LAYOUT_CONNECTIONS].y + r[LAYOUT_CONNECTIONS].h);
	assert_int_equal(r[LAYOUT_PROCESSES].y + r[LAYOUT_PROCESSES].h, 48 - 1);
	assert_int_equal(r[LAYOUT_EVENTS].x + r[LAYOUT_EVENTS].w, 160);
	assert_true(r[LAYOUT_PROCESSES].x + r[LAYOUT_PROCESSES].w < r[LAYOUT_EVENTS].x);
}

static void at_80x24_only_the_focused_pane_shows(void **state)
{
	(void)state;
	struct layout_rect r[LAYOUT_NPANES];
	layout_panes(80, 24, LAYOUT_PROCESSES, r);
	assert_int_equal(r[LAYOUT_CONNECTIONS].h, 0);
	assert_int_equal(r[LAYOUT_EVENTS].h, 0);
	assert_int_equal(r[LAYOUT_PROCESSES].h, 24 - LAYOUT_HEADER_LINES - 1);
	assert_int_equal(r[LAYOUT_PROCESSES].w, 80);
}

static void just_below_the_threshold_shows_one_pane(void **state)
{
	(void)state;
	struct layout_rect r[LAYOUT_NPANES];
	layout_panes(119, 48, LAYOUT_CONNECTIONS, r);
	assert_int_equal(r[LAYOUT_PROCESSES].h, 0);
	layout_panes(160, 29, LAYOUT_CONNECTIONS, r);
	assert_int_equal(r[LAYOUT_EVENTS].h, 0);
}

static int has_column(const struct layout_col *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].col->name, name) == 0)
			return 1;
	return 0;
}

static void wide_pane_shows_every_column_within_its_width(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns_shown(170, 0, LAYOUT_SEEN_NETNS | LAYOUT_SEEN_SERVICE, c);
	assert_int_equal(n, LAYOUT_CONN_MAX);
	assert_true(c[n - 1].x + c[n - 1].w <= 170);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(c[i].x, c[i - 1].x + c[i - 1].w + 1);
}

static void narrow_pane_drops_the_least_needed_columns_first(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns(80, c);
	assert_true(n < LAYOUT_CONN_MAX);
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
	struct layout_col narrow[LAYOUT_CONN_MAX], wide[LAYOUT_CONN_MAX];
	size_t n1 = layout_conn_columns(150, narrow);
	size_t n2 = layout_conn_columns(220, wide);
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
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns_shown(200, 0, LAYOUT_SEEN_SERVICE, c);
	assert_false(has_column(c, n, "netns"));
	assert_int_equal(n, LAYOUT_CONN_MAX - 1);
}

static void netns_column_shown_once_another_namespace_has_sockets(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns_shown(200, 0, LAYOUT_SEEN_NETNS, c);
	assert_true(has_column(c, n, "netns"));
	/* next to the addresses it qualifies */
	for (size_t i = 0; i + 1 < n; i++)
		if (!strcmp(c[i].col->name, "netns"))
			assert_string_equal(c[i + 1].col->name, "local");
}

static void netns_column_at_100_columns_beside_addresses_and_process(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns_shown(100, 0, LAYOUT_SEEN_NETNS, c);
	assert_true(has_column(c, n, "netns"));
	assert_true(has_column(c, n, "local"));
	assert_true(has_column(c, n, "process"));
	assert_true(c[n - 1].x + c[n - 1].w <= 100);
}

static void columns_list_naming_netns_shows_it_without_other_namespaces(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	unsigned long want = column_bit("proto") | column_bit("local") | column_bit("netns");
	size_t n = layout_conn_columns_shown(120, want, 0, c);
	assert_int_equal(n, 3);
	assert_true(has_column(c, n, "netns"));
}

static void columns_list_without_netns_hides_it_with_other_namespaces(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	unsigned long want = column_bit("proto") | column_bit("local");
	size_t n = layout_conn_columns_shown(120, want, LAYOUT_SEEN_NETNS, c);
	assert_int_equal(n, 2);
	assert_false(has_column(c, n, "netns"));
}

static void service_column_hidden_while_no_owner_has_a_service(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns_shown(200, 0, 0, c);
	assert_false(has_column(c, n, "service"));
	assert_false(has_column(c, n, "netns"));
	assert_int_equal(n, LAYOUT_CONN_MAX - 2);
}

static void service_column_shown_once_an_owner_has_a_service(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	size_t n = layout_conn_columns_shown(200, 0, layout_seen(0, 3), c);
	assert_true(has_column(c, n, "service"));
	assert_false(has_column(c, n, "netns"));
}

static void columns_list_naming_service_shows_it_without_services(void **state)
{
	(void)state;
	struct layout_col c[LAYOUT_CONN_MAX];
	unsigned long want = column_bit("local") | column_bit("service");
	size_t n = layout_conn_columns_shown(120, want, 0, c);
	assert_int_equal(n, 2);
	assert_true(has_column(c, n, "service"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tiny_terminals_are_too_small),
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
