/* test_textsafe.c — untrusted names shown on a terminal and in JSON: what is
 * escaped, what passes, how wide it is, and how it is cut and padded. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

/* Literal with its length, so embedded NULs count. */
#define LIT(s) (s), (sizeof(s) - 1)

static void assert_display(const char *in, size_t len, const char *want)
{
	char out[256];
	size_t n = textsafe_display(in, len, out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

/* Runs one writer into memory and compares everything it wrote. */
static void assert_padded(const char *in, size_t len, int width, const char *want)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(textsafe_write_padded(f, in, len, width), 0);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void assert_json(const char *in, size_t len, const char *want)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(textsafe_json_write(f, in, len), 0);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void test_plain_ascii_passes(void **state)
{
	(void)state;
	assert_display(LIT("nginx: worker process"), "nginx: worker process");
}

static void test_escape_sequence_shows_as_text(void **state)
{
	(void)state;
	assert_display(LIT("\x1b[31mred"), "\\x1b[31mred");
}

static void test_cr_lf_tab_bel_are_escaped(void **state)
{
	(void)state;
	assert_display(LIT("a\rb\nc\td\a"), "a\\x0db\\x0ac\\x09d\\x07");
}

static void test_del_is_escaped(void **state)
{
	(void)state;
	assert_display(LIT("a\x7f" "b"), "a\\x7fb");
}

static void test_embedded_nul_is_escaped(void **state)
{
	(void)state;
	assert_display(LIT("a\0b"), "a\\x00b");
}

static void test_backslash_is_doubled(void **state)
{
	/* Otherwise a name spelling "\x1b" would look like an escaped ESC. */
	(void)state;
	assert_display(LIT("a\\x1b"), "a\\\\x1b");
}

static void test_c1_controls_are_escaped(void **state)
{
	(void)state;
	assert_display(LIT("\xc2\x80" "a\xc2\x9b" "b\xc2\x9f"),
	               "\\u0080a\\u009bb\\u009f");
}

static void test_lone_invalid_byte_is_escaped(void **state)
{
	(void)state;
	assert_display(LIT("a\xff" "b"), "a\\xffb");
}

static void test_stray_continuation_byte_is_escaped(void **state)
{
	(void)state;
	assert_display(LIT("\x80"), "\\x80");
}

static void test_truncated_sequence_is_escaped_per_byte(void **state)
{
	/* The first two bytes of U+65E5, then ASCII and the end of input. */
	(void)state;
	assert_display(LIT("\xe6\x97" "x\xe6\x97"), "\\xe6\\x97x\\xe6\\x97");
}

static void test_overlong_encoding_is_escaped_per_byte(void **state)
{
	/* C0 AF and E0 80 AF are both an overlong '/'. */
	(void)state;
	assert_display(LIT("\xc0\xaf"), "\\xc0\\xaf");
	assert_display(LIT("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
}

static void test_encoded_surrogate_is_escaped_per_byte(void **state)
{
	(void)state;
	assert_display(LIT("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

static void test_beyond_u10ffff_is_escaped_per_byte(void **state)
{
	(void)state;
	assert_display(LIT("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
}

static void test_rtl_override_is_escaped(void **state)
{
	(void)state;
	assert_display(LIT("evil\xe2\x80\xaetxt.exe"), "evil\\u202etxt.exe");
}

static void test_bidi_isolate_is_escaped(void **state)
{
	(void)state;
	assert_display(LIT("a\xe2\x81\xa6" "b\xe2\x81\xa9"), "a\\u2066b\\u2069");
}

static void test_line_separators_are_escaped(void **state)
{
	(void)state;
	assert_display(LIT("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a\\u2028b\\u2029");
}

static void test_valid_multibyte_passes(void **state)
{
	(void)state;
	assert_display(LIT("caf\xc3\xa9"), "caf\xc3\xa9");
	assert_display(LIT("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac");
	assert_display(LIT("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

static void test_fit_stops_before_a_wide_character_that_would_cross_the_edge(void **state)
{
	(void)state;
	int cols;
	/* "a日本": a=1, 日=2, 本=2 columns. */
	const char *s = "a\xe6\x97\xa5\xe6\x9c\xac";
	assert_int_equal(textsafe_fit(s, 4, &cols), 4);   /* "a日" */
	assert_int_equal(cols, 3);
	assert_int_equal(textsafe_fit(s, 5, &cols), 7);
	assert_int_equal(cols, 5);
	assert_int_equal(textsafe_fit(s, 0, &cols), 0);
	assert_int_equal(cols, 0);
	assert_int_equal(textsafe_fit("abc", 10, NULL), 3);
}

static void test_width_of_cjk_is_two_per_character(void **state)
{
	(void)state;
	assert_int_equal(textsafe_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
}

static void test_width_of_accented_letter_is_one(void **state)
{
	(void)state;
	assert_int_equal(textsafe_width("\xc3\xa9"), 1);
	/* e + U+0301 combining acute: the mark takes no column. */
	assert_int_equal(textsafe_width("e\xcc\x81"), 1);
}

static void test_width_of_emoji_is_two(void **state)
{
	(void)state;
	assert_int_equal(textsafe_width("\xf0\x9f\x98\x80"), 2);
}

static void test_width_of_escape_is_its_length(void **state)
{
	char out[32];

	(void)state;
	textsafe_display(LIT("\x1b" "a"), out, sizeof out);
	assert_int_equal(textsafe_width(out), 5);
}

static void test_width_follows_wcwidth_in_utf8_locale(void **state)
{
	/* Gurmukhi KA + U+0A01: glibc knows the mark takes no column; the
	 * built-in table does not list it. ncurses moves by wcwidth(), so in a
	 * UTF-8 locale that is the measure padding must use. */
	const char *ka_adak_bindi = "\xe0\xa8\x95\xe0\xa8\x81";

	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		skip();
	assert_int_equal(textsafe_width(ka_adak_bindi), 1);
	setlocale(LC_CTYPE, "C");
}

static void test_display_cut_never_splits_a_character(void **state)
{
	char out[6];   /* room for one 3-byte character, not two */

	(void)state;
	assert_int_equal(textsafe_display(LIT("\xe6\x97\xa5\xe6\x9c\xac"),
	                                  out, sizeof out), 3);
	assert_string_equal(out, "\xe6\x97\xa5");
}

static void test_display_cut_never_splits_an_escape(void **state)
{
	char out[5];   /* "a" fits, "\x1b" would need four more bytes */

	(void)state;
	assert_int_equal(textsafe_display(LIT("a\x1b"), out, sizeof out), 1);
	assert_string_equal(out, "a");
}

static void test_display_into_one_byte_is_empty(void **state)
{
	char out[1] = {'x'};

	(void)state;
	assert_int_equal(textsafe_display(LIT("abc"), out, sizeof out), 0);
	assert_string_equal(out, "");
}

static void test_padded_pads_by_columns_not_bytes(void **state)
{
	(void)state;
	assert_padded(LIT("\xe6\x97\xa5\xe6\x9c\xac"), 6,
	              "\xe6\x97\xa5\xe6\x9c\xac  ");
	assert_padded(LIT("caf\xc3\xa9"), 6, "caf\xc3\xa9  ");
}

static void test_padded_cuts_at_width(void **state)
{
	(void)state;
	assert_padded(LIT("sshd-session"), 4, "sshd");
}

static void test_padded_cut_leaves_no_half_wide_character(void **state)
{
	(void)state;
	assert_padded(LIT("\xe6\x97\xa5\xe6\x9c\xac"), 3, "\xe6\x97\xa5 ");
}

static void test_padded_cut_leaves_no_half_escape(void **state)
{
	(void)state;
	assert_padded(LIT("ab\x1b"), 4, "ab  ");
}

static void test_padded_escapes_like_display(void **state)
{
	(void)state;
	assert_padded(LIT("a\nb"), 8, "a\\x0ab  ");
}

static void test_padded_negative_width_neither_pads_nor_cuts(void **state)
{
	(void)state;
	assert_padded(LIT("abc"), -1, "abc");
}

static void test_json_escapes_quote_and_backslash(void **state)
{
	(void)state;
	assert_json(LIT("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

static void test_json_escapes_control_characters(void **state)
{
	(void)state;
	assert_json(LIT("\n\t\r\b\f\x01\x1b\x1f"),
	            "\"\\n\\t\\r\\b\\f\\u0001\\u001b\\u001f\"");
}

static void test_json_escapes_nul(void **state)
{
	(void)state;
	assert_json(LIT("a\0b"), "\"a\\u0000b\"");
}

static void test_json_escapes_del_c1_and_bidi(void **state)
{
	(void)state;
	assert_json(LIT("\x7f\xc2\x9b\xe2\x80\xae"), "\"\\u007f\\u009b\\u202e\"");
}

static void test_json_passes_valid_utf8(void **state)
{
	(void)state;
	assert_json(LIT("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
	            "\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"");
}

static void test_json_invalid_bytes_become_low_surrogates(void **state)
{
	(void)state;
	assert_json(LIT("a\xff" "b\xc0\xaf\xed\xa0\x80"),
	            "\"a\\udcffb\\udcc0\\udcaf\\udced\\udca0\\udc80\"");
}

static void test_json_empty_string_is_two_quotes(void **state)
{
	(void)state;
	assert_json("", 0, "\"\"");
}

static void test_json_write_error_is_reported(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(textsafe_json_write(f, LIT("abc")), EOF);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii_passes),
		cmocka_unit_test(test_escape_sequence_shows_as_text),
		cmocka_unit_test(test_cr_lf_tab_bel_are_escaped),
		cmocka_unit_test(test_del_is_escaped),
		cmocka_unit_test(test_embedded_nul_is_escaped),
		cmocka_unit_test(test_backslash_is_doubled),
		cmocka_unit_test(test_c1_controls_are_escaped),
		cmocka_unit_test(test_lone_invalid_byte_is_escaped),
		cmocka_unit_test(test_stray_continuation_byte_is_escaped),
		cmocka_unit_test(test_truncated_sequence_is_escaped_per_byte),
		cmocka_unit_test(test_overlong_encoding_is_escaped_per_byte),
		cmocka_unit_test(test_encoded_surrogate_is_escaped_per_byte),
		cmocka_unit_test(test_beyond_u10ffff_is_escaped_per_byte),
		cmocka_unit_test(test_rtl_override_is_escaped),
		cmocka_unit_test(test_bidi_isolate_is_escaped),
		cmocka_unit_test(test_line_separators_are_escaped),
		cmocka_unit_test(test_valid_multibyte_passes),
		cmocka_unit_test(test_width_of_cjk_is_two_per_character),
		cmocka_unit_test(test_fit_stops_before_a_wide_character_that_would_cross_the_edge),
		cmocka_unit_test(test_width_of_accented_letter_is_one),
		cmocka_unit_test(test_width_of_emoji_is_two),
		cmocka_unit_test(test_width_of_escape_is_its_length),
		cmocka_unit_test(test_width_follows_wcwidth_in_utf8_locale),
		cmocka_unit_test(test_display_cut_never_splits_a_character),
		cmocka_unit_test(test_display_cut_never_splits_an_escape),
		cmocka_unit_test(test_display_into_one_byte_is_empty),
		cmocka_unit_test(test_padded_pads_by_columns_not_bytes),
		cmocka_unit_test(test_padded_cuts_at_width),
		cmocka_unit_test(test_padded_cut_leaves_no_half_wide_character),
		cmocka_unit_test(test_padded_cut_leaves_no_half_escape),
		cmocka_unit_test(test_padded_escapes_like_display),
		cmocka_unit_test(test_padded_negative_width_neither_pads_nor_cuts),
		cmocka_unit_test(test_json_escapes_quote_and_backslash),
		cmocka_unit_test(test_json_escapes_control_characters),
		cmocka_unit_test(test_json_escapes_nul),
		cmocka_unit_test(test_json_escapes_del_c1_and_bidi),
		cmocka_unit_test(test_json_passes_valid_utf8),
		cmocka_unit_test(test_json_invalid_bytes_become_low_surrogates),
		cmocka_unit_test(test_json_empty_string_is_two_quotes),
		cmocka_unit_test(test_json_write_error_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
