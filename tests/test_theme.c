/* test_theme.c — theme files as a user writes them: the shipped themes, the
 * error messages, finding a theme by name, and degrading to fewer colours. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "theme.h"

#ifndef SOCKEYE_THEMES_SRCDIR
#define SOCKEYE_THEMES_SRCDIR "themes"
#endif

/* A scratch directory per test; scratch_free removes it and all within. */
static char *scratch_new(void)
{
	char *dir = strdup("/tmp/test_theme.XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void scratch_mkdir(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

/* Writes len bytes of text to rel under dir. */
static void scratch_write(const char *dir, const char *rel, const char *text, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void scratch_text(const char *dir, const char *rel, const char *text)
{
	scratch_write(dir, rel, text, strlen(text));
}

static int scratch_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void scratch_free(char *dir)
{
	nftw(dir, scratch_remove, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Parses text as the file "t" would be; returns theme_parse's status. */
static int parse(const char *text, struct theme *t, char *err, size_t errlen)
{
	return theme_parse("t", text, strlen(text), t, err, errlen);
}

static void load_shipped(const char *name, struct theme *t)
{
	char path[PATH_MAX], err[512] = "";

	snprintf(path, sizeof path, "%s/%s", SOCKEYE_THEMES_SRCDIR, name);
	if (theme_load(path, t, err, sizeof err) != 0)
		fail_msg("%s", err);
}

static void assert_sets_every_element(const struct theme *t)
{
	for (int e = 0; e < THEME_N_ELEMENTS; e++)
		if (!t->from_file[e])
			fail_msg("element %s not set", theme_element_name((enum theme_element)e));
}

static int styles_equal(struct theme_style a, struct theme_style b)
{
	return a.fg == b.fg && a.bg == b.bg && a.attrs == b.attrs;
}

/* ---- the element table ---- */

static void test_every_element_has_a_unique_name_and_a_description(void **state)
{
	(void)state;
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		const char *name = theme_element_name((enum theme_element)e);
		assert_non_null(name);
		assert_non_null(theme_element_description((enum theme_element)e));
		assert_int_equal(theme_element_lookup(name), e);
	}
	assert_null(theme_element_name(THEME_N_ELEMENTS));
}

static void test_element_names_ignore_case_and_dashes(void **state)
{
	(void)state;
	assert_int_equal(theme_element_lookup("Port-Well-Known"), THEME_PORT_WELL_KNOWN);
	assert_int_equal(theme_element_lookup("nosuch"), -1);
}

/* ---- the shipped themes ---- */

static void test_shipped_default_sets_every_element(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("default", &t);
	assert_sets_every_element(&t);
}

static void test_shipped_light_sets_every_element(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("light", &t);
	assert_sets_every_element(&t);
}

static void test_shipped_mono_sets_every_element(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("mono", &t);
	assert_sets_every_element(&t);
}

static void test_shipped_high_contrast_sets_every_element(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("high-contrast", &t);
	assert_sets_every_element(&t);
}

static void test_shipped_default_is_the_builtin_theme(void **state)
{
	struct theme file, builtin;

	(void)state;
	load_shipped("default", &file);
	theme_builtin(&builtin);
	for (int e = 0; e < THEME_N_ELEMENTS; e++)
		if (!styles_equal(file.style[e], builtin.style[e]))
			fail_msg("%s differs", theme_element_name((enum theme_element)e));
}

static void test_default_theme_colours_new_green_gone_red_changed_yellow(void **state)
{
	struct theme t;

	(void)state;
	theme_builtin(&t);
	assert_int_equal(t.style[THEME_NEW].fg, 2);
	assert_int_equal(t.style[THEME_GONE].fg, 1);
	assert_int_equal(t.style[THEME_CHANGED].fg, 3);
}

static void test_default_theme_port_classes_have_three_colours(void **state)
{
	struct theme t;
	short a, b, c;

	(void)state;
	theme_builtin(&t);
	a = t.style[THEME_PORT_WELL_KNOWN].fg;
	b = t.style[THEME_PORT_REGISTERED].fg;
	c = t.style[THEME_PORT_EPHEMERAL].fg;
	assert_true(a != b && b != c && a != c);
	assert_true(a >= 0 && b >= 0 && c >= 0);
}

/* White or yellow text on the terminal's own (white) background vanishes. */
static void test_light_theme_has_no_pale_text_on_the_terminal_background(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("light", &t);
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		short fg = t.style[e].fg;
		if (t.style[e].bg != THEME_COLOR_DEFAULT)
			continue;
		if (fg == 3 || fg == 7 || fg == 11 || fg == 15)
			fail_msg("%s is pale", theme_element_name((enum theme_element)e));
	}
}

static void test_shipped_mono_names_no_colour(void **state)
{
	struct theme t;

	(void)state;
	load_shipped("mono", &t);
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		assert_int_equal(t.style[e].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.style[e].bg, THEME_COLOR_DEFAULT);
	}
}

/* --no-color with the default theme draws just as the mono theme does. */
static void test_no_color_draws_like_the_shipped_mono_theme(void **state)
{
	struct theme builtin, mono;
	struct theme_style a[THEME_N_ELEMENTS], b[THEME_N_ELEMENTS];

	(void)state;
	theme_builtin(&builtin);
	load_shipped("mono", &mono);
	theme_resolve(&builtin, 256, 1, a);
	theme_resolve(&mono, 256, 0, b);
	for (int e = 0; e < THEME_N_ELEMENTS; e++)
		if (!styles_equal(a[e], b[e]))
			fail_msg("%s differs", theme_element_name((enum theme_element)e));
}

/* ---- the format ---- */

static void test_partial_file_inherits_the_default_theme(void **state)
{
	struct theme t, builtin;
	char err[256];

	(void)state;
	theme_builtin(&builtin);
	assert_int_equal(parse("new = blue default underline\n", &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_NEW].fg, 4);
	assert_int_equal(t.style[THEME_NEW].attrs, THEME_UNDERLINE);
	assert_true(t.from_file[THEME_NEW]);
	assert_false(t.from_file[THEME_GONE]);
	assert_true(styles_equal(t.style[THEME_GONE], builtin.style[THEME_GONE]));
}

static void test_comments_and_blank_lines_are_ignored(void **state)
{
	struct theme t;
	char err[256];

	(void)state;
	assert_int_equal(parse("# a comment\n\n   \t\n"
	                       "gone = red black # trailing comment\n"
	                       "  # indented comment = nonsense\n",
	                       &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_GONE].bg, 0);
	assert_true(t.from_file[THEME_GONE]);
}

static void test_crlf_line_endings_are_accepted(void **state)
{
	struct theme t;
	char err[256];

	(void)state;
	assert_int_equal(parse("new = green default bold\r\n", &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_NEW].attrs, THEME_BOLD);
}

static void test_colours_by_name_bright_name_and_number(void **state)
{
	struct theme t;
	char err[256];

	(void)state;
	assert_int_equal(parse("new = bright_red brightBlue\n"
	                       "gone = color123 colour0\n"
	                       "changed = 200 DEFAULT\n"
	                       "header = Magenta White\n", &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_NEW].fg, 9);
	assert_int_equal(t.style[THEME_NEW].bg, 12);
	assert_int_equal(t.style[THEME_GONE].fg, 123);
	assert_int_equal(t.style[THEME_GONE].bg, 0);
	assert_int_equal(t.style[THEME_CHANGED].fg, 200);
	assert_int_equal(t.style[THEME_CHANGED].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[THEME_HEADER].fg, 5);
	assert_int_equal(t.style[THEME_HEADER].bg, 7);
}

static void test_several_attributes_combine(void **state)
{
	struct theme t;
	char err[256];

	(void)state;
	assert_int_equal(parse("new = default default bold underline,reverse dim "
	                       "italic blink standout\n", &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_NEW].attrs,
	                 THEME_BOLD | THEME_UNDERLINE | THEME_REVERSE | THEME_DIM |
	                 THEME_ITALIC | THEME_BLINK | THEME_STANDOUT);
}

static void test_attribute_none_clears_the_default_attributes(void **state)
{
	struct theme t;
	char err[256];

	(void)state;
	assert_int_equal(parse("new = green default none\n", &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_NEW].attrs, 0);
}

/* ---- error messages ---- */

static void assert_parse_error(const char *text, const char *expected)
{
	struct theme t;
	char err[512] = "";

	assert_int_equal(theme_parse("themes/x", text, strlen(text), &t, err, sizeof err), -1);
	assert_string_equal(err, expected);
}

static void test_unknown_element_names_file_line_and_word(void **state)
{
	(void)state;
	assert_parse_error("# c\nnew = red default\nnwe = red default\n",
	                   "themes/x:3: unknown element 'nwe'");
}

static void test_unknown_colour_names_file_line_and_word(void **state)
{
	(void)state;
	assert_parse_error("# c\n\nnew = purpel default\n",
	                   "themes/x:3: unknown colour 'purpel'");
}

static void test_unknown_background_colour_is_named(void **state)
{
	(void)state;
	assert_parse_error("new = red blak\n", "themes/x:1: unknown colour 'blak'");
}

static void test_colour_number_past_255_is_unknown(void **state)
{
	(void)state;
	assert_parse_error("new = 256 default\n", "themes/x:1: unknown colour '256'");
}

static void test_unknown_attribute_names_file_line_and_word(void **state)
{
	(void)state;
	assert_parse_error("new = red default bold blod\n",
	                   "themes/x:1: unknown attribute 'blod'");
}

static void test_missing_equals_names_the_element(void **state)
{
	(void)state;
	assert_parse_error("\nheader red black\n", "themes/x:2: missing '=' after 'header'");
}

static void test_missing_element_name_is_reported(void **state)
{
	(void)state;
	assert_parse_error(" = red black\n", "themes/x:1: missing element name before '='");
}

static void test_missing_foreground_is_reported(void **state)
{
	(void)state;
	assert_parse_error("new =\n", "themes/x:1: missing foreground colour for 'new'");
}

static void test_missing_background_is_reported(void **state)
{
	(void)state;
	assert_parse_error("new = red # no background\n",
	                   "themes/x:1: missing background colour for 'new'");
}

static void test_an_error_leaves_the_builtin_theme(void **state)
{
	struct theme t, builtin;
	char err[256];

	(void)state;
	theme_builtin(&builtin);
	assert_int_equal(parse("new = blue blue\nbad\n", &t, err, sizeof err), -1);
	assert_true(styles_equal(t.style[THEME_NEW], builtin.style[THEME_NEW]));
	assert_false(t.from_file[THEME_NEW]);
}

static void test_unreadable_file_is_named(void **state)
{
	struct theme t;
	char err[512];

	(void)state;
	assert_int_equal(theme_load("/nonexistent/theme", &t, err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/theme: cannot read theme: "
	                         "No such file or directory");
}

static void test_directory_is_not_a_theme_file(void **state)
{
	struct theme t;
	char err[512];

	(void)state;
	assert_int_equal(theme_load("/tmp", &t, err, sizeof err), -1);
	assert_string_equal(err, "/tmp: cannot read theme: not a regular file");
}

static void test_very_long_line_is_an_error(void **state)
{
	char *dir = scratch_new();
	size_t n = 100000;
	char *text = malloc(n);
	char path[PATH_MAX], expected[PATH_MAX + 64], err[PATH_MAX + 64];
	struct theme t;

	(void)state;
	assert_non_null(text);
	memset(text, 'a', n);
	memcpy(text, "# ok\n", 5);
	scratch_write(dir, "long", text, 60000);
	snprintf(path, sizeof path, "%s/long", dir);
	assert_int_equal(theme_load(path, &t, err, sizeof err), -1);
	snprintf(expected, sizeof expected, "%s:2: line longer than 512 characters", path);
	assert_string_equal(err, expected);
	free(text);
	scratch_free(dir);
}

static void test_huge_file_is_an_error(void **state)
{
	char *dir = scratch_new();
	size_t n = 100000;
	char *text = malloc(n);
	char path[PATH_MAX], expected[PATH_MAX + 64], err[PATH_MAX + 64];
	struct theme t;

	(void)state;
	assert_non_null(text);
	memset(text, '\n', n);
	scratch_write(dir, "huge", text, n);
	snprintf(path, sizeof path, "%s/huge", dir);
	assert_int_equal(theme_load(path, &t, err, sizeof err), -1);
	snprintf(expected, sizeof expected, "%s: larger than 65536 bytes: not a theme file", path);
	assert_string_equal(err, expected);
	free(text);
	scratch_free(dir);
}

static void test_nul_byte_is_an_error(void **state)
{
	struct theme t;
	char err[256];
	static const char text[] = "new = red default\n\0\x7f\x45LF\x02\n";

	(void)state;
	assert_int_equal(theme_parse("bin", text, sizeof text - 1, &t, err, sizeof err), -1);
	assert_string_equal(err, "bin:2: NUL byte: not a text file");
}

static void test_binary_junk_is_quoted_escaped_and_cut_short(void **state)
{
	char text[300];

	(void)state;
	memset(text, '\xff', sizeof text);
	memcpy(text, "\x1b[2J\x01", 5);
	text[200] = '=';
	text[sizeof text - 1] = '\0';
	assert_parse_error(text, "themes/x:1: unknown element '\\x1b[2J\\x01"
	                   "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"
	                   "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"
	                   "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff"
	                   "\\xff\\xff\\xff\\xff\\xff...'");
}

static void test_random_bytes_never_crash(void **state)
{
	unsigned seed = 12345;
	char text[2048], err[256];
	struct theme t;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(seed % sizeof text);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = (char)(seed >> 16);
		}
		theme_parse("junk", text, len, &t, err, sizeof err);
	}
}

static void test_tiny_error_buffer_is_safe(void **state)
{
	struct theme t;
	char err[8];

	(void)state;
	assert_int_equal(parse("nwe = red default\n", &t, err, sizeof err), -1);
	assert_string_equal(err, "t:1: un");
}

/* ---- finding a theme ---- */

static void clear_theme_env(void)
{
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("SOCKEYE_THEMES_DIR");
}

static void test_name_is_found_under_xdg_config_home(void **state)
{
	char *dir = scratch_new();
	char path[PATH_MAX], err[1024], expected[PATH_MAX];

	(void)state;
	clear_theme_env();
	scratch_mkdir(dir, "sockeye");
	scratch_mkdir(dir, "sockeye/themes");
	scratch_text(dir, "sockeye/themes/mine", "new = blue default\n");
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(theme_find("mine", path, sizeof path, err, sizeof err), 0);
	snprintf(expected, sizeof expected, "%s/sockeye/themes/mine", dir);
	assert_string_equal(path, expected);
	clear_theme_env();
	scratch_free(dir);
}

static void test_name_is_found_under_home_config_without_xdg(void **state)
{
	char *dir = scratch_new();
	char path[PATH_MAX], err[1024], expected[PATH_MAX];
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	(void)state;
	clear_theme_env();
	scratch_mkdir(dir, ".config");
	scratch_mkdir(dir, ".config/sockeye");
	scratch_mkdir(dir, ".config/sockeye/themes");
	scratch_text(dir, ".config/sockeye/themes/mine", "new = blue default\n");
	setenv("HOME", dir, 1);
	assert_int_equal(theme_find("mine", path, sizeof path, err, sizeof err), 0);
	snprintf(expected, sizeof expected, "%s/.config/sockeye/themes/mine", dir);
	assert_string_equal(path, expected);
	if (home)
		setenv("HOME", home, 1);
	free(home);
	scratch_free(dir);
}

static void test_name_is_found_in_sockeye_themes_dir(void **state)
{
	char *dir = scratch_new();
	char path[PATH_MAX], err[1024], expected[PATH_MAX];
	struct theme t;

	(void)state;
	clear_theme_env();
	scratch_text(dir, "sockeye-test-only", "new = blue default\n");
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	setenv("SOCKEYE_THEMES_DIR", dir, 1);
	assert_int_equal(theme_find("sockeye-test-only", path, sizeof path, err, sizeof err), 0);
	snprintf(expected, sizeof expected, "%s/sockeye-test-only", dir);
	assert_string_equal(path, expected);
	assert_int_equal(theme_load_named("sockeye-test-only", &t, err, sizeof err), 0);
	assert_int_equal(t.style[THEME_NEW].fg, 4);
	clear_theme_env();
	scratch_free(dir);
}

static void test_xdg_config_home_wins_over_sockeye_themes_dir(void **state)
{
	char *dir = scratch_new();
	char path[PATH_MAX], err[1024], expected[PATH_MAX];

	(void)state;
	clear_theme_env();
	scratch_mkdir(dir, "sockeye");
	scratch_mkdir(dir, "sockeye/themes");
	scratch_text(dir, "sockeye/themes/light", "new = blue default\n");
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("SOCKEYE_THEMES_DIR", SOCKEYE_THEMES_SRCDIR, 1);
	assert_int_equal(theme_find("light", path, sizeof path, err, sizeof err), 0);
	snprintf(expected, sizeof expected, "%s/sockeye/themes/light", dir);
	assert_string_equal(path, expected);
	clear_theme_env();
	scratch_free(dir);
}

static void test_name_not_found_lists_where_it_looked(void **state)
{
	char path[PATH_MAX], err[2048];

	(void)state;
	clear_theme_env();
	setenv("XDG_CONFIG_HOME", "/nonexistent/xdg", 1);
	setenv("SOCKEYE_THEMES_DIR", "/nonexistent/env", 1);
	assert_int_equal(theme_find("nosuch", path, sizeof path, err, sizeof err), -1);
	assert_string_equal(err, "theme 'nosuch' not found in /nonexistent/xdg/sockeye/themes, "
	                    SOCKEYE_DATADIR "/themes, /nonexistent/env");
	clear_theme_env();
}

static void test_directory_named_like_a_theme_is_not_found(void **state)
{
	char path[PATH_MAX], err[2048];

	(void)state;
	clear_theme_env();
	setenv("XDG_CONFIG_HOME", "/nonexistent/xdg", 1);
	setenv("SOCKEYE_THEMES_DIR", "/", 1);
	assert_int_equal(theme_find("tmp", path, sizeof path, err, sizeof err), -1);
	assert_int_equal(theme_find("..", path, sizeof path, err, sizeof err), -1);
	clear_theme_env();
}

static void test_missing_path_with_slash_is_named(void **state)
{
	char path[PATH_MAX], err[1024];
	struct theme t;

	(void)state;
	assert_int_equal(theme_find("./no/such/theme", path, sizeof path, err, sizeof err), -1);
	assert_string_equal(err, "theme file ./no/such/theme: No such file or directory");
	assert_int_equal(theme_load_named("./no/such/theme", &t, err, sizeof err), -1);
	assert_string_equal(err, "theme file ./no/such/theme: No such file or directory");
}

static void test_path_with_slash_is_used_as_is(void **state)
{
	char path[PATH_MAX], err[1024];

	(void)state;
	assert_int_equal(theme_find(SOCKEYE_THEMES_SRCDIR "/mono", path, sizeof path,
	                            err, sizeof err), 0);
	assert_string_equal(path, SOCKEYE_THEMES_SRCDIR "/mono");
}

static void test_empty_name_is_an_error(void **state)
{
	char path[PATH_MAX], err[1024];

	(void)state;
	assert_int_equal(theme_find("", path, sizeof path, err, sizeof err), -1);
	assert_string_equal(err, "empty theme name");
}

/* ---- degrading ---- */

static void resolve_text(const char *text, int ncolors, int no_color,
                         struct theme_style out[THEME_N_ELEMENTS])
{
	struct theme t;
	char err[256];

	if (parse(text, &t, err, sizeof err) != 0)
		fail_msg("%s", err);
	theme_resolve(&t, ncolors, no_color, out);
}

static void test_256_colours_are_kept_as_written(void **state)
{
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	resolve_text("new = 208 bright_blue underline\n", 256, 0, out);
	assert_int_equal(out[THEME_NEW].fg, 208);
	assert_int_equal(out[THEME_NEW].bg, 12);
	assert_int_equal(out[THEME_NEW].attrs, THEME_UNDERLINE);
}

static void test_8_colours_turn_a_bright_foreground_into_base_and_bold(void **state)
{
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	resolve_text("new = bright_red bright_blue\n", 8, 0, out);
	assert_int_equal(out[THEME_NEW].fg, 1);
	assert_int_equal(out[THEME_NEW].bg, 4);
	assert_int_equal(out[THEME_NEW].attrs, THEME_BOLD);
}

static void test_8_colours_map_cube_colours_to_the_nearest_hue(void **state)
{
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	resolve_text("new = color22 color52\n"      /* dark green on dark red */
	             "gone = 208 color17\n"         /* orange on navy */
	             "changed = 244 default\n"     /* mid grey */
	             "header = 250 232\n", 8, 0, out);  /* light grey on near black */
	assert_int_equal(out[THEME_NEW].fg, 2);
	assert_int_equal(out[THEME_NEW].bg, 1);
	assert_int_equal(out[THEME_GONE].fg, 3);
	assert_int_equal(out[THEME_GONE].attrs, THEME_BOLD);
	assert_int_equal(out[THEME_GONE].bg, 4);
	assert_int_equal(out[THEME_CHANGED].fg, 0);
	assert_int_equal(out[THEME_CHANGED].attrs, THEME_BOLD);
	assert_int_equal(out[THEME_HEADER].fg, 7);
	assert_int_equal(out[THEME_HEADER].bg, 0);
	assert_int_equal(out[THEME_HEADER].attrs, 0);
}

static void test_8_colours_leave_every_colour_within_0_to_7(void **state)
{
	char text[64];
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	for (int c = 0; c < 256; c++) {
		snprintf(text, sizeof text, "new = %d %d\n", c, 255 - c);
		resolve_text(text, 8, 0, out);
		assert_in_range(out[THEME_NEW].fg, 0, 7);
		assert_in_range(out[THEME_NEW].bg, 0, 7);
	}
}

static void test_16_colours_keep_brights_and_map_the_cube_into_16(void **state)
{
	char text[64];
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	resolve_text("new = bright_red default\n", 16, 0, out);
	assert_int_equal(out[THEME_NEW].fg, 9);
	assert_int_equal(out[THEME_NEW].attrs, 0);
	for (int c = 16; c < 256; c++) {
		snprintf(text, sizeof text, "new = %d default\n", c);
		resolve_text(text, 16, 0, out);
		assert_in_range(out[THEME_NEW].fg, 0, 15);
	}
}

static void test_degrading_never_makes_text_the_colour_of_its_background(void **state)
{
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	resolve_text("new = color236 color234\n"    /* two dark greys */
	             "gone = color226 yellow\n", 8, 0, out);   /* two yellows */
	assert_int_not_equal(out[THEME_NEW].fg, out[THEME_NEW].bg);
	assert_int_not_equal(out[THEME_GONE].fg, out[THEME_GONE].bg);
}

static void test_default_colour_stays_default_when_degraded(void **state)
{
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	resolve_text("new = default default\n", 8, 0, out);
	assert_int_equal(out[THEME_NEW].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(out[THEME_NEW].bg, THEME_COLOR_DEFAULT);
}

static void assert_distinct_mono(const struct theme_style out[THEME_N_ELEMENTS])
{
	static const enum theme_element must_differ[] = {
		THEME_DEFAULT, THEME_SELECTION, THEME_NEW, THEME_GONE, THEME_CHANGED
	};
	size_t n = sizeof must_differ / sizeof must_differ[0];

	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		assert_int_equal(out[e].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(out[e].bg, THEME_COLOR_DEFAULT);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(out[must_differ[i]].attrs, out[must_differ[j]].attrs);
	assert_int_equal(out[THEME_SELECTION].attrs, THEME_REVERSE);
	assert_int_equal(out[THEME_NEW].attrs, THEME_BOLD);
	assert_int_equal(out[THEME_GONE].attrs, THEME_DIM);
	assert_int_equal(out[THEME_CHANGED].attrs, THEME_UNDERLINE);
}

static void test_no_color_drops_colours_and_keeps_rows_apart(void **state)
{
	struct theme t;
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	theme_builtin(&t);
	theme_resolve(&t, 256, 1, out);
	assert_distinct_mono(out);
	assert_int_equal(out[THEME_HEADER].attrs & THEME_REVERSE, THEME_REVERSE);
	assert_int_equal(out[THEME_FOOTER].attrs & THEME_REVERSE, THEME_REVERSE);
}

static void test_terminal_without_colours_is_like_no_color(void **state)
{
	struct theme t;
	struct theme_style out[THEME_N_ELEMENTS];

	(void)state;
	load_shipped("light", &t);
	theme_resolve(&t, 0, 0, out);
	assert_distinct_mono(out);
	theme_resolve(&t, 2, 0, out);
	assert_distinct_mono(out);
}

static void test_a_theme_without_colours_is_kept_under_no_color(void **state)
{
	struct theme_style out[THEME_N_ELEMENTS];
	char text[4096] = "";

	(void)state;
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		size_t used = strlen(text);
		snprintf(text + used, sizeof text - used, "%s = default default %s\n",
		         theme_element_name((enum theme_element)e),
		         e == THEME_NEW ? "italic" : "none");
	}
	resolve_text(text, 256, 1, out);
	assert_int_equal(out[THEME_NEW].attrs, THEME_ITALIC);
	assert_int_equal(out[THEME_SELECTION].attrs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_element_has_a_unique_name_and_a_description),
		cmocka_unit_test(test_element_names_ignore_case_and_dashes),
		cmocka_unit_test(test_shipped_default_sets_every_element),
		cmocka_unit_test(test_shipped_light_sets_every_element),
		cmocka_unit_test(test_shipped_mono_sets_every_element),
		cmocka_unit_test(test_shipped_high_contrast_sets_every_element),
		cmocka_unit_test(test_shipped_default_is_the_builtin_theme),
		cmocka_unit_test(test_default_theme_colours_new_green_gone_red_changed_yellow),
		cmocka_unit_test(test_default_theme_port_classes_have_three_colours),
		cmocka_unit_test(test_light_theme_has_no_pale_text_on_the_terminal_background),
		cmocka_unit_test(test_shipped_mono_names_no_colour),
		cmocka_unit_test(test_no_color_draws_like_the_shipped_mono_theme),
		cmocka_unit_test(test_partial_file_inherits_the_default_theme),
		cmocka_unit_test(test_comments_and_blank_lines_are_ignored),
		cmocka_unit_test(test_crlf_line_endings_are_accepted),
		cmocka_unit_test(test_colours_by_name_bright_name_and_number),
		cmocka_unit_test(test_several_attributes_combine),
		cmocka_unit_test(test_attribute_none_clears_the_default_attributes),
		cmocka_unit_test(test_unknown_element_names_file_line_and_word),
		cmocka_unit_test(test_unknown_colour_names_file_line_and_word),
		cmocka_unit_test(test_unknown_background_colour_is_named),
		cmocka_unit_test(test_colour_number_past_255_is_unknown),
		cmocka_unit_test(test_unknown_attribute_names_file_line_and_word),
		cmocka_unit_test(test_missing_equals_names_the_element),
		cmocka_unit_test(test_missing_element_name_is_reported),
		cmocka_unit_test(test_missing_foreground_is_reported),
		cmocka_unit_test(test_missing_background_is_reported),
		cmocka_unit_test(test_an_error_leaves_the_builtin_theme),
		cmocka_unit_test(test_unreadable_file_is_named),
		cmocka_unit_test(test_directory_is_not_a_theme_file),
		cmocka_unit_test(test_very_long_line_is_an_error),
		cmocka_unit_test(test_huge_file_is_an_error),
		cmocka_unit_test(test_nul_byte_is_an_error),
		cmocka_unit_test(test_binary_junk_is_quoted_escaped_and_cut_short),
		cmocka_unit_test(test_random_bytes_never_crash),
		cmocka_unit_test(test_tiny_error_buffer_is_safe),
		cmocka_unit_test(test_name_is_found_under_xdg_config_home),
		cmocka_unit_test(test_name_is_found_under_home_config_without_xdg),
		cmocka_unit_test(test_name_is_found_in_sockeye_themes_dir),
		cmocka_unit_test(test_xdg_config_home_wins_over_sockeye_themes_dir),
		cmocka_unit_test(test_name_not_found_lists_where_it_looked),
		cmocka_unit_test(test_directory_named_like_a_theme_is_not_found),
		cmocka_unit_test(test_missing_path_with_slash_is_named),
		cmocka_unit_test(test_path_with_slash_is_used_as_is),
		cmocka_unit_test(test_empty_name_is_an_error),
		cmocka_unit_test(test_256_colours_are_kept_as_written),
		cmocka_unit_test(test_8_colours_turn_a_bright_foreground_into_base_and_bold),
		cmocka_unit_test(test_8_colours_map_cube_colours_to_the_nearest_hue),
		cmocka_unit_test(test_8_colours_leave_every_colour_within_0_to_7),
		cmocka_unit_test(test_16_colours_keep_brights_and_map_the_cube_into_16),
		cmocka_unit_test(test_degrading_never_makes_text_the_colour_of_its_background),
		cmocka_unit_test(test_default_colour_stays_default_when_degraded),
		cmocka_unit_test(test_no_color_drops_colours_and_keeps_rows_apart),
		cmocka_unit_test(test_terminal_without_colours_is_like_no_color),
		cmocka_unit_test(test_a_theme_without_colours_is_kept_under_no_color),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
