/* test_keys.c — the key map: every key the manual lists does its action, no key means
 * two things in one pane, and the footer and help screen read as a user
 * expects. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curses.h>
#include <string.h>

#include "keys.h"

static const unsigned lists[] = {
	KEYS_PANE_CONNECTIONS, KEYS_PANE_PROCESSES, KEYS_PANE_EVENTS
};
static const unsigned every_pane[] = {
	KEYS_PANE_CONNECTIONS, KEYS_PANE_PROCESSES, KEYS_PANE_EVENTS,
	KEYS_PANE_DETAILS, KEYS_PANE_HELP
};
#define N(a) (sizeof (a) / sizeof (a)[0])

static void test_no_key_has_two_actions_in_one_pane(void **state)
{
	(void)state;
	for (size_t a = 0; a < keys_count; a++)
		for (size_t b = a + 1; b < keys_count; b++) {
			const struct keys_binding *x = &keys_table[a], *y = &keys_table[b];

			if (!(x->panes & y->panes) || x->action == y->action)
				continue;
			for (size_t i = 0; i < KEYS_MAX_CODES && x->codes[i]; i++)
				for (size_t j = 0; j < KEYS_MAX_CODES && y->codes[j]; j++)
					if (x->codes[i] == y->codes[j])
						fail_msg("key %d: rows %zu and %zu clash",
							 x->codes[i], a, b);
		}
}

static void test_every_spec_key_does_its_action_in_every_list_pane(void **state)
{
	static const struct { int key; enum keys_action action; } spec[] = {
		{'q', KEYS_QUIT}, {KEY_F(10), KEYS_QUIT},
		{'?', KEYS_HELP}, {KEY_F(1), KEYS_HELP},
		{'/', KEYS_FILTER}, {KEY_F(3), KEYS_FILTER}, {KEY_F(4), KEYS_FILTER},
		{'y', KEYS_COPY},
		{'\t', KEYS_NEXT_PANE}, {KEY_BTAB, KEYS_PREV_PANE},
		{KEY_UP, KEYS_UP}, {KEY_DOWN, KEYS_DOWN},
		{KEY_PPAGE, KEYS_PGUP}, {KEY_NPAGE, KEYS_PGDN},
		{KEY_HOME, KEYS_HOME}, {KEY_END, KEYS_END},
		{'s', KEYS_SORT_NEXT}, {KEY_F(6), KEYS_SORT_NEXT},
		{'S', KEYS_SORT_REVERSE},
		{'p', KEYS_PAUSE}, {' ', KEYS_PAUSE},
		{'\n', KEYS_DETAILS}, {'\r', KEYS_DETAILS}, {KEY_ENTER, KEYS_DETAILS},
	};

	(void)state;
	for (size_t p = 0; p < N(lists); p++)
		for (size_t i = 0; i < N(spec); i++)
			assert_int_equal(keys_lookup(spec[i].key, lists[p]), spec[i].action);
}

static void test_every_action_has_a_key(void **state)
{
	(void)state;
	for (int a = KEYS_QUIT; a < KEYS_NACTIONS; a++) {
		size_t found = 0;

		for (size_t i = 0; i < keys_count; i++)
			found += keys_table[i].action == (enum keys_action)a;
		assert_true(found > 0);
	}
}

static void test_every_binding_has_a_key_and_help(void **state)
{
	(void)state;
	for (size_t i = 0; i < keys_count; i++) {
		assert_int_not_equal(keys_table[i].codes[0], 0);
		assert_non_null(keys_table[i].help);
		assert_int_not_equal(keys_table[i].panes, 0);
	}
}

static void test_time_keys_work_in_every_list_and_in_details(void **state)
{
	static const struct { int key; enum keys_action action; } time_keys[] = {
		{'[', KEYS_TIME_BACK}, {']', KEYS_TIME_FORWARD},
		{'{', KEYS_TIME_BACK_MINUTE}, {'}', KEYS_TIME_FORWARD_MINUTE},
		{'@', KEYS_TIME_GOTO}, {'+', KEYS_FASTER}, {'-', KEYS_SLOWER},
	};
	static const unsigned panes[] = {
		KEYS_PANE_CONNECTIONS, KEYS_PANE_PROCESSES, KEYS_PANE_EVENTS,
		KEYS_PANE_TRENDS, KEYS_PANE_DETAILS
	};

	(void)state;
	for (size_t p = 0; p < N(panes); p++)
		for (size_t i = 0; i < N(time_keys); i++)
			assert_int_equal(keys_lookup(time_keys[i].key, panes[p]), time_keys[i].action);
	/* The help screen is not a moment: [ there is nothing. */
	assert_int_equal(keys_lookup('[', KEYS_PANE_HELP), KEYS_NONE);
}

/* The footer's labels joined as drawn, for flags. */
static void footer_labels_of(unsigned pane, unsigned flags, char *out, size_t len)
{
	struct keys_label l[KEYS_FOOTER_MAX];
	size_t n = keys_footer_labels(pane, flags, 200, l);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, l[i].binding->footer_key, len - strlen(out) - 1);
		strncat(out, l[i].binding->footer_word, len - strlen(out) - 1);
		strncat(out, " ", len - strlen(out) - 1);
	}
}

static void test_in_the_past_the_footer_offers_live_and_no_kill(void **state)
{
	char footer[256];

	(void)state;
	footer_labels_of(KEYS_PANE_CONNECTIONS, KEYS_FOOTER_NO_WRITES | KEYS_FOOTER_PAST,
			 footer, sizeof footer);
	assert_string_equal(footer, "F1Help F3Filter lListen F6Sort pPause "
			    "TabPane EndNow EnterDetails F10Quit ");
	for (size_t p = 0; p < N(every_pane); p++) {
		footer_labels_of(every_pane[p], KEYS_FOOTER_NO_WRITES | KEYS_FOOTER_PAST,
				 footer, sizeof footer);
		assert_true(strlen(footer) <= 81);
	}
	/* In the present End moves the selection and says nothing. */
	footer_labels_of(KEYS_PANE_CONNECTIONS, 0, footer, sizeof footer);
	assert_null(strstr(footer, "EndNow"));
}

static void test_help_says_end_also_leaves_the_past(void **state)
{
	char keys[64];
	size_t it = 0;
	const struct keys_binding *b;

	(void)state;
	while ((b = keys_help(KEYS_PANE_CONNECTIONS, &it, keys, sizeof keys)))
		if (b->action == KEYS_END)
			break;
	assert_non_null(b);
	assert_string_equal(keys, "End");
	assert_non_null(strstr(b->help, "back to the present"));
}

static void test_vi_keys_move_the_selection(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup('k', KEYS_PANE_CONNECTIONS), KEYS_UP);
	assert_int_equal(keys_lookup('j', KEYS_PANE_PROCESSES), KEYS_DOWN);
}

static void test_listen_shortcuts_set_their_filter_terms(void **state)
{
	const struct keys_binding *only = keys_find('l', KEYS_PANE_CONNECTIONS);
	const struct keys_binding *hide = keys_find('L', KEYS_PANE_CONNECTIONS);

	(void)state;
	assert_non_null(only);
	assert_non_null(hide);
	assert_int_equal(only->action, KEYS_ONLY_LISTEN);
	assert_string_equal(only->term, "state:listen");
	assert_int_equal(hide->action, KEYS_HIDE_LISTEN);
	assert_string_equal(hide->term, "!state:listen");
}

static void test_c_clears_the_filter(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup('c', KEYS_PANE_EVENTS), KEYS_FILTER_CLEAR);
}

static void test_esc_goes_back_from_details_and_from_a_narrowing(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup(27, KEYS_PANE_DETAILS), KEYS_BACK);
	assert_int_equal(keys_lookup(27, KEYS_PANE_CONNECTIONS), KEYS_BACK);
}

static void test_help_screen_closes_on_q_esc_question_mark_and_f1(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup('q', KEYS_PANE_HELP), KEYS_BACK);
	assert_int_equal(keys_lookup(27, KEYS_PANE_HELP), KEYS_BACK);
	assert_int_equal(keys_lookup('?', KEYS_PANE_HELP), KEYS_BACK);
	assert_int_equal(keys_lookup(KEY_F(1), KEYS_PANE_HELP), KEYS_BACK);
}

static void test_f10_quits_from_every_pane(void **state)
{
	(void)state;
	for (size_t p = 0; p < N(every_pane); p++)
		assert_int_equal(keys_lookup(KEY_F(10), every_pane[p]), KEYS_QUIT);
}

static void test_arrows_move_in_every_pane(void **state)
{
	(void)state;
	for (size_t p = 0; p < N(every_pane); p++) {
		assert_int_equal(keys_lookup(KEY_UP, every_pane[p]), KEYS_UP);
		assert_int_equal(keys_lookup(KEY_NPAGE, every_pane[p]), KEYS_PGDN);
	}
}

static void test_unbound_key_does_nothing(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup('z', KEYS_PANE_CONNECTIONS), KEYS_NONE);
	assert_int_equal(keys_lookup('/', KEYS_PANE_HELP), KEYS_NONE);
	assert_int_equal(keys_lookup(0, KEYS_PANE_CONNECTIONS), KEYS_NONE);
	assert_int_equal(keys_lookup(KEYS_NOKEY, KEYS_PANE_CONNECTIONS), KEYS_NONE);
}

static void test_wide_character_never_reads_as_a_function_key(void **state)
{
	(void)state;
	/* U+011A (Ě) has the value of KEY_F(10): typed, it must not quit. */
	assert_int_equal(keys_lookup(keys_from_wch(OK, KEY_F(10)),
				     KEYS_PANE_CONNECTIONS), KEYS_NONE);
	assert_int_equal(keys_lookup(keys_from_wch(KEY_CODE_YES, KEY_F(10)),
				     KEYS_PANE_CONNECTIONS), KEYS_QUIT);
	assert_int_equal(keys_from_wch(OK, 'q'), 'q');
	assert_int_equal(keys_from_wch(ERR, 0), KEYS_NOKEY);
}

/* The footer as htop draws it: key then word, joined. */
static void footer_of(unsigned pane, char *out, size_t len)
{
	const struct keys_binding *b;
	size_t it = 0;

	out[0] = '\0';
	while ((b = keys_footer(pane, &it))) {
		strncat(out, b->footer_key, len - strlen(out) - 1);
		strncat(out, b->footer_word, len - strlen(out) - 1);
		strncat(out, " ", len - strlen(out) - 1);
	}
}

static void test_list_footer_reads_htop_style(void **state)
{
	char footer[256];

	(void)state;
	footer_of(KEYS_PANE_CONNECTIONS, footer, sizeof footer);
	assert_string_equal(footer, "F1Help F3Filter lListen F6Sort pPause "
			    "TabPane EnterDetails F9Kill F10Quit ");
}

static void test_details_footer_offers_back_and_quit(void **state)
{
	char footer[256];

	(void)state;
	footer_of(KEYS_PANE_DETAILS, footer, sizeof footer);
	assert_string_equal(footer, "F1Help pPause EscBack F10Quit ");
}

static void test_footer_fits_an_80_column_terminal(void **state)
{
	char footer[256];

	(void)state;
	for (size_t p = 0; p < N(every_pane); p++) {
		footer_of(every_pane[p], footer, sizeof footer);
		assert_true(strlen(footer) <= 81);   /* a space after the last label */
	}
}

static void test_f9_signals_from_connections_and_processes_only(void **state)
{
	(void)state;
	assert_int_equal(keys_lookup(KEY_F(9), KEYS_PANE_CONNECTIONS), KEYS_SIGNAL);
	assert_int_equal(keys_lookup(KEY_F(9), KEYS_PANE_PROCESSES), KEYS_SIGNAL);
	assert_int_equal(keys_lookup(KEY_F(9), KEYS_PANE_EVENTS), KEYS_NONE);
	assert_int_equal(keys_lookup(KEY_F(9), KEYS_PANE_DETAILS), KEYS_NONE);
	assert_int_equal(keys_lookup('y', KEYS_PANE_DETAILS), KEYS_COPY);
}

static void test_footer_labels_sit_where_the_footer_draws_them(void **state)
{
	struct keys_label l[KEYS_FOOTER_MAX];
	char footer[256];

	(void)state;
	footer_of(KEYS_PANE_CONNECTIONS, footer, sizeof footer);
	size_t n = keys_footer_labels(KEYS_PANE_CONNECTIONS, 0, 160, l);
	assert_true(n > 3);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(l[i].binding->footer_key);
		assert_memory_equal(footer + l[i].x, l[i].binding->footer_key, k);
		assert_int_equal(l[i].w, (int)(k + strlen(l[i].binding->footer_word)));
	}
}

static void test_read_only_footer_has_no_signal_label(void **state)
{
	struct keys_label l[KEYS_FOOTER_MAX];

	(void)state;
	size_t n = keys_footer_labels(KEYS_PANE_CONNECTIONS, 1, 160, l);
	for (size_t i = 0; i < n; i++)
		assert_false(keys_writes(l[i].binding));
	size_t all = keys_footer_labels(KEYS_PANE_CONNECTIONS, 0, 160, l);
	assert_int_equal(all, n + 1);
	assert_int_equal(keys_footer_labels(KEYS_PANE_CONNECTIONS, 0, 20, l), 3);
}

static void test_help_names_each_key_once_and_readably(void **state)
{
	const struct keys_binding *b;
	char names[64];
	size_t it = 0;
	int seen_quit = 0, seen_details = 0, seen_prev = 0;

	(void)state;
	while ((b = keys_help(KEYS_PANE_LISTS, &it, names, sizeof names))) {
		if (b->action == KEYS_HELP)
			assert_string_equal(names, "?, F1");
		if (b->action == KEYS_DETAILS)
			seen_details = !strcmp(names, "Enter");
		if (b->action == KEYS_PREV_PANE)
			seen_prev = !strcmp(names, "Shift-Tab");
		if (b->action == KEYS_PAUSE)
			assert_string_equal(names, "p, Space");
		if (b->action == KEYS_QUIT && !strcmp(names, "q"))
			seen_quit = 1;
	}
	assert_true(seen_quit);
	assert_true(seen_details);
	assert_true(seen_prev);
}

static void test_help_for_help_screen_lists_only_its_keys(void **state)
{
	const struct keys_binding *b;
	char names[64];
	size_t it = 0;

	(void)state;
	while ((b = keys_help(KEYS_PANE_HELP, &it, names, sizeof names)))
		assert_true(b->panes & KEYS_PANE_HELP);
}

static void test_help_key_names_are_cut_not_overflowed(void **state)
{
	char names[4];
	size_t it = 0;

	(void)state;
	assert_non_null(keys_help(KEYS_PANE_HELP, &it, names, sizeof names));
	assert_true(strlen(names) < sizeof names);
}

static void test_key_names(void **state)
{
	char buf[32];

	(void)state;
	keys_name(KEY_F(10), buf, sizeof buf);
	assert_string_equal(buf, "F10");
	keys_name(12, buf, sizeof buf);
	assert_string_equal(buf, "Ctrl-L");
	keys_name('S', buf, sizeof buf);
	assert_string_equal(buf, "S");
	keys_name(KEY_PPAGE, buf, sizeof buf);
	assert_string_equal(buf, "PgUp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_key_has_two_actions_in_one_pane),
		cmocka_unit_test(test_every_spec_key_does_its_action_in_every_list_pane),
		cmocka_unit_test(test_every_action_has_a_key),
		cmocka_unit_test(test_every_binding_has_a_key_and_help),
		cmocka_unit_test(test_time_keys_work_in_every_list_and_in_details),
		cmocka_unit_test(test_help_says_end_also_leaves_the_past),
		cmocka_unit_test(test_in_the_past_the_footer_offers_live_and_no_kill),
		cmocka_unit_test(test_vi_keys_move_the_selection),
		cmocka_unit_test(test_listen_shortcuts_set_their_filter_terms),
		cmocka_unit_test(test_c_clears_the_filter),
		cmocka_unit_test(test_esc_goes_back_from_details_and_from_a_narrowing),
		cmocka_unit_test(test_help_screen_closes_on_q_esc_question_mark_and_f1),
		cmocka_unit_test(test_f10_quits_from_every_pane),
		cmocka_unit_test(test_arrows_move_in_every_pane),
		cmocka_unit_test(test_unbound_key_does_nothing),
		cmocka_unit_test(test_wide_character_never_reads_as_a_function_key),
		cmocka_unit_test(test_list_footer_reads_htop_style),
		cmocka_unit_test(test_details_footer_offers_back_and_quit),
		cmocka_unit_test(test_footer_fits_an_80_column_terminal),
		cmocka_unit_test(test_help_names_each_key_once_and_readably),
		cmocka_unit_test(test_help_for_help_screen_lists_only_its_keys),
		cmocka_unit_test(test_help_key_names_are_cut_not_overflowed),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_f9_signals_from_connections_and_processes_only),
		cmocka_unit_test(test_footer_labels_sit_where_the_footer_draws_them),
		cmocka_unit_test(test_read_only_footer_has_no_signal_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
