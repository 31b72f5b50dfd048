/* test_prompt.c — the `/` filter prompt as a user types into it: editing
 * keys, UTF-8 moved over by character, Enter and Esc, the history, the
 * length bound, and where the cursor shows in a narrow field. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"

#define CTRL(c) ((c) & 0x1f)

/* A prompt is large (it holds its history): one per test, on the heap. */
static int setup(void **state)
{
	struct prompt *p = malloc(sizeof *p);

	if (!p)
		return -1;
	prompt_init(p);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Types UTF-8 text as get_wch would deliver it: one code point a call. */
static void type(struct prompt *p, const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		uint32_t cp;
		size_t k;

		if (*u < 0x80)
			cp = *u, k = 1;
		else if (*u < 0xe0)
			cp = (uint32_t)(*u & 0x1f) << 6 | (u[1] & 0x3f), k = 2;
		else if (*u < 0xf0)
			cp = (uint32_t)(*u & 0x0f) << 12 | (uint32_t)(u[1] & 0x3f) << 6 |
			     (u[2] & 0x3f), k = 3;
		else
			cp = (uint32_t)(*u & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
			     (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f), k = 4;
		prompt_char(p, cp);
		u += k;
	}
}

static void keys(struct prompt *p, int key, int times)
{
	while (times-- > 0)
		prompt_key(p, key);
}

/* Runs the user through Enter with s typed into an emptied prompt. */
static void apply(struct prompt *p, const char *s)
{
	prompt_begin(p, "");
	type(p, s);
	assert_int_equal(prompt_key(p, '\n'), PROMPT_APPLY);
}

static void test_typing_inserts_and_reports_edited(void **state)
{
	struct prompt *p = *state;

	assert_int_equal(prompt_char(p, 'p'), PROMPT_EDITED);
	type(p, "ort:443");
	assert_string_equal(prompt_text(p), "port:443");
}

static void test_begin_starts_from_filter_in_force_cursor_at_end(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "state:listen");
	type(p, " tcp");
	assert_string_equal(prompt_text(p), "state:listen tcp");
}

static void test_typing_in_the_middle_inserts_at_cursor(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "port:43");
	keys(p, KEY_LEFT, 1);
	type(p, "4");
	assert_string_equal(prompt_text(p), "port:443");
}

static void test_utf8_characters_are_stored_as_utf8(void **state)
{
	struct prompt *p = *state;

	type(p, "proc:café日本");
	assert_string_equal(prompt_text(p), "proc:caf\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac");
}

static void test_left_moves_over_a_whole_multibyte_character(void **state)
{
	struct prompt *p = *state;

	type(p, "a日é");
	keys(p, KEY_LEFT, 2);   /* before 日 */
	type(p, "X");
	assert_string_equal(prompt_text(p), "aX日é");
}

static void test_right_moves_over_a_whole_multibyte_character(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "日本");
	keys(p, KEY_HOME, 1);
	keys(p, KEY_RIGHT, 1);
	type(p, "|");
	assert_string_equal(prompt_text(p), "日|本");
}

static void test_backspace_removes_a_whole_multibyte_character(void **state)
{
	struct prompt *p = *state;

	type(p, "caf\xc3\xa9");
	assert_int_equal(prompt_key(p, KEY_BACKSPACE), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "caf");
	type(p, "日");
	prompt_key(p, 127);
	assert_string_equal(prompt_text(p), "caf");
	prompt_key(p, 8);
	assert_string_equal(prompt_text(p), "ca");
}

static void test_backspace_at_start_changes_nothing(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "tcp");
	keys(p, KEY_HOME, 1);
	assert_int_equal(prompt_key(p, KEY_BACKSPACE), PROMPT_NONE);
	assert_string_equal(prompt_text(p), "tcp");
}

static void test_delete_removes_character_under_cursor(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "é日x");
	keys(p, KEY_HOME, 1);
	assert_int_equal(prompt_key(p, KEY_DC), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "日x");
	prompt_key(p, CTRL('D'));
	assert_string_equal(prompt_text(p), "x");
}

static void test_ctrl_u_clears_the_whole_line(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "port:80 state:listen");
	keys(p, KEY_LEFT, 5);
	assert_int_equal(prompt_key(p, CTRL('U')), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "");
}

static void test_ctrl_w_deletes_the_previous_word(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "tcp state:listen  ");
	assert_int_equal(prompt_key(p, CTRL('W')), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "tcp ");
	prompt_key(p, CTRL('W'));
	assert_string_equal(prompt_text(p), "");
}

static void test_ctrl_w_keeps_text_after_the_cursor(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "proc:nginx port:80");
	keys(p, KEY_LEFT, 7);   /* just after "nginx " */
	prompt_key(p, CTRL('W'));
	assert_string_equal(prompt_text(p), "port:80");
}

static void test_ctrl_k_kills_to_end_of_line(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "port:80 ipv6");
	keys(p, KEY_LEFT, 5);
	assert_int_equal(prompt_key(p, CTRL('K')), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "port:80");
}

static void test_home_and_end_move_to_the_ends(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "port");
	prompt_key(p, KEY_HOME);
	type(p, "!");
	prompt_key(p, KEY_END);
	type(p, ":22");
	assert_string_equal(prompt_text(p), "!port:22");
}

static void test_ctrl_a_and_ctrl_e_move_to_the_ends(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "port");
	assert_int_equal(prompt_key(p, CTRL('A')), PROMPT_NONE);
	type(p, "l");
	prompt_key(p, CTRL('E'));
	type(p, ":22");
	assert_string_equal(prompt_text(p), "lport:22");
}

static void test_enter_applies(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "udp");
	assert_int_equal(prompt_key(p, '\n'), PROMPT_APPLY);
	assert_int_equal(prompt_key(p, '\r'), PROMPT_APPLY);
	assert_int_equal(prompt_key(p, KEY_ENTER), PROMPT_APPLY);
	assert_string_equal(prompt_text(p), "udp");
}

static void test_esc_cancels(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "udp");
	assert_int_equal(prompt_key(p, 27), PROMPT_CANCEL);
}

static void test_up_recalls_applied_filters_newest_first(void **state)
{
	struct prompt *p = *state;

	apply(p, "port:22");
	apply(p, "state:listen");
	prompt_begin(p, "");
	assert_int_equal(prompt_key(p, KEY_UP), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "state:listen");
	prompt_key(p, KEY_UP);
	assert_string_equal(prompt_text(p), "port:22");
	assert_int_equal(prompt_key(p, KEY_UP), PROMPT_NONE);
	assert_string_equal(prompt_text(p), "port:22");
}

static void test_down_past_newest_restores_the_line_being_typed(void **state)
{
	struct prompt *p = *state;

	apply(p, "port:22");
	prompt_begin(p, "");
	type(p, "ud");
	prompt_key(p, KEY_UP);
	assert_int_equal(prompt_key(p, KEY_DOWN), PROMPT_EDITED);
	assert_string_equal(prompt_text(p), "ud");
	assert_int_equal(prompt_key(p, KEY_DOWN), PROMPT_NONE);
}

static void test_history_skips_consecutive_duplicates(void **state)
{
	struct prompt *p = *state;

	apply(p, "tcp");
	apply(p, "udp");
	apply(p, "udp");
	prompt_begin(p, "");
	keys(p, KEY_UP, 2);
	assert_string_equal(prompt_text(p), "tcp");
}

static void test_history_keeps_only_the_newest_entries(void **state)
{
	struct prompt *p = *state;
	char s[16];

	for (int i = 0; i < PROMPT_HISTORY + 10; i++) {
		snprintf(s, sizeof s, "port:%d", i);
		apply(p, s);
	}
	prompt_begin(p, "");
	keys(p, KEY_UP, PROMPT_HISTORY + 10);
	assert_string_equal(prompt_text(p), "port:10");
}

static void test_input_beyond_the_length_bound_is_refused(void **state)
{
	struct prompt *p = *state;

	for (int i = 0; i < PROMPT_MAX - 1; i++)
		prompt_char(p, 'a');
	assert_int_equal(prompt_char(p, 0xe9), PROMPT_NONE);   /* é: 2 bytes */
	assert_int_equal(prompt_char(p, 'b'), PROMPT_EDITED);
	assert_int_equal(prompt_char(p, 'c'), PROMPT_NONE);
	assert_int_equal(strlen(prompt_text(p)), PROMPT_MAX);
	assert_int_equal(prompt_text(p)[PROMPT_MAX - 1], 'b');
}

static void test_begin_cuts_an_overlong_filter_on_a_character_boundary(void **state)
{
	struct prompt *p = *state;
	char *s = malloc(PROMPT_MAX + 3);

	assert_non_null(s);
	memset(s, 'a', PROMPT_MAX - 1);
	strcpy(s + PROMPT_MAX - 1, "\xc3\xa9");   /* é would end past the bound */
	prompt_begin(p, s);
	assert_int_equal(strlen(prompt_text(p)), PROMPT_MAX - 1);
	free(s);
}

static void test_control_characters_are_never_inserted(void **state)
{
	struct prompt *p = *state;
	const uint32_t ctl[] = {0, '\t', 0x0c, 0x1f, 0x85, 0x9b,
				0x202e, 0x2066, 0x2028};

	for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++)
		assert_int_equal(prompt_char(p, ctl[i]), PROMPT_NONE);
	assert_string_equal(prompt_text(p), "");
}

static void test_begin_leaves_out_control_characters(void **state)
{
	struct prompt *p = *state;

	prompt_begin(p, "proc:a\x1b[2Jb\xff");
	assert_string_equal(prompt_text(p), "proc:a[2Jb");
}

static void test_bytes_from_getch_assemble_into_characters(void **state)
{
	struct prompt *p = *state;
	const char *s = "x\xc3\xa9\xe6\x97\xa5";

	for (; *s; s++)
		prompt_byte(p, (unsigned char)*s);
	assert_string_equal(prompt_text(p), "xé日");
}

static void test_malformed_bytes_are_dropped(void **state)
{
	struct prompt *p = *state;
	const char *s = "\xc3x\x80\xe0\x80\xaf\xed\xa0\x80y";   /* cut, stray, overlong, surrogate */

	for (; *s; s++)
		prompt_byte(p, (unsigned char)*s);
	assert_string_equal(prompt_text(p), "xy");
}

static void test_cursor_column_counts_wide_characters_as_two(void **state)
{
	struct prompt *p = *state;

	type(p, "é日本");
	assert_int_equal(prompt_cursor_col(p), 5);
	prompt_key(p, KEY_LEFT);
	assert_int_equal(prompt_cursor_col(p), 3);
}

static void test_short_text_shows_whole_without_scrolling(void **state)
{
	struct prompt *p = *state;
	struct prompt_view v;

	type(p, "port:22");
	prompt_view(p, 20, &v);
	assert_int_equal(v.scroll_col, 0);
	assert_int_equal(v.len, 7);
	assert_int_equal(v.cursor_col, 7);
}

static void test_long_text_scrolls_so_cursor_stays_visible(void **state)
{
	struct prompt *p = *state;
	struct prompt_view v;

	type(p, "0123456789abcdef");
	prompt_view(p, 10, &v);
	assert_int_equal(v.cursor_col, 9);     /* last cell, after the text */
	assert_int_equal(v.scroll_col, 7);
	assert_memory_equal(v.text, "789abcdef", 9);
	assert_int_equal(v.len, 9);
	keys(p, KEY_HOME, 1);
	prompt_view(p, 10, &v);
	assert_int_equal(v.scroll_col, 0);
	assert_int_equal(v.cursor_col, 0);
	assert_int_equal(v.len, 10);
}

static void test_scroll_never_splits_a_wide_character(void **state)
{
	struct prompt *p = *state;
	struct prompt_view v;

	type(p, "日本語テキスト");   /* 7 wide characters, 14 columns */
	prompt_view(p, 6, &v);
	/* The cursor past the end needs 1 cell; 2 wide characters fit before. */
	assert_int_equal(v.scroll_col, 10);
	assert_int_equal(v.cursor_col, 4);
	assert_memory_equal(v.text, "スト", v.len);
	assert_int_equal(v.len, strlen("スト"));
}

static void test_wide_character_under_cursor_fits_whole_in_field(void **state)
{
	struct prompt *p = *state;
	struct prompt_view v;

	type(p, "abcd日");
	keys(p, KEY_LEFT, 1);   /* on 日 */
	prompt_view(p, 5, &v);
	assert_true(v.cursor_col + 2 <= 5);
	assert_memory_equal(v.text + (v.len - 3), "日", 3);
}

static void test_scroll_comes_back_when_text_shrinks(void **state)
{
	struct prompt *p = *state;
	struct prompt_view v;

	type(p, "0123456789abcdef");
	prompt_view(p, 10, &v);
	keys(p, KEY_BACKSPACE, 8);
	prompt_view(p, 10, &v);
	assert_int_equal(v.scroll_col, 0);
	assert_int_equal(v.cursor_col, 8);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_typing_inserts_and_reports_edited),
		T(test_begin_starts_from_filter_in_force_cursor_at_end),
		T(test_typing_in_the_middle_inserts_at_cursor),
		T(test_utf8_characters_are_stored_as_utf8),
		T(test_left_moves_over_a_whole_multibyte_character),
		T(test_right_moves_over_a_whole_multibyte_character),
		T(test_backspace_removes_a_whole_multibyte_character),
		T(test_backspace_at_start_changes_nothing),
		T(test_delete_removes_character_under_cursor),
		T(test_ctrl_u_clears_the_whole_line),
		T(test_ctrl_w_deletes_the_previous_word),
		T(test_ctrl_w_keeps_text_after_the_cursor),
		T(test_ctrl_k_kills_to_end_of_line),
		T(test_home_and_end_move_to_the_ends),
		T(test_ctrl_a_and_ctrl_e_move_to_the_ends),
		T(test_enter_applies),
		T(test_esc_cancels),
		T(test_up_recalls_applied_filters_newest_first),
		T(test_down_past_newest_restores_the_line_being_typed),
		T(test_history_skips_consecutive_duplicates),
		T(test_history_keeps_only_the_newest_entries),
		T(test_input_beyond_the_length_bound_is_refused),
		T(test_begin_cuts_an_overlong_filter_on_a_character_boundary),
		T(test_control_characters_are_never_inserted),
		T(test_begin_leaves_out_control_characters),
		T(test_bytes_from_getch_assemble_into_characters),
		T(test_malformed_bytes_are_dropped),
		T(test_cursor_column_counts_wide_characters_as_two),
		T(test_short_text_shows_whole_without_scrolling),
		T(test_long_text_scrolls_so_cursor_stays_visible),
		T(test_scroll_never_splits_a_wide_character),
		T(test_wide_character_under_cursor_fits_whole_in_field),
		T(test_scroll_comes_back_when_text_shrinks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
