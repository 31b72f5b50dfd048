/* test_config.c — the config file (program/config_file.c): every setting read,
 * bad lines named by file, line and word, the command line winning, and
 * saving that keeps the rest of the file and replaces it atomically. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "config_file.h"
#include "layout.h"
#include "options.h"

#define ARGV(...) ((char *[]){ "sockeye", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "sockeye", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, err, ...) options_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

/* A fresh directory per test, set as XDG_CONFIG_HOME. */
struct fixture {
	char dir[64];
	char path[128];             /* dir/sockeye/config */
	char opt[160];              /* --config=path */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof f->dir, "/tmp/test_config.XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/sockeye/config", f->dir);
	snprintf(f->opt, sizeof f->opt, "--config=%s", f->path);
	setenv("XDG_CONFIG_HOME", f->dir, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
	char dir[128];
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0700);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *read_file(const char *path)
{
	static char buf[8192];
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static unsigned long column_bit(const char *name)
{
	return 1UL << (columns_find(name) - columns);
}

static void every_setting_is_read(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	write_file(f->path,
	           "# my settings\n"
	           "interval = 2.5\n"
	           "linger = 7\n"
	           "theme = light\n"
	           "sort = rtt:desc\n"
	           "sort-processes = txrate:desc\n"
	           "sort-events = event\n"
	           "filter = port:22 state:established\n"
	           "columns = proto,local,remote,process\n"
	           "panes = connections,events\n"
	           "read-only = yes\n"
	           "resolve = on\n");
	assert_int_equal(PARSE(&o, err, "--batch"), 0);
	assert_true(o.interval == 2.5);
	assert_true(o.linger == 7);
	assert_string_equal(o.theme, "light");
	assert_string_equal(o.sort, "rtt");
	assert_true(o.sort_desc);
	assert_string_equal(o.sort_processes, "txrate");
	assert_true(o.sort_processes_desc);
	assert_string_equal(o.sort_events, "event");
	assert_false(o.sort_events_desc);
	assert_string_equal(o.filter, "port:22 state:established");
	assert_int_equal(o.columns, column_bit("proto") | column_bit("local") |
	                 column_bit("remote") | column_bit("process"));
	assert_int_equal(o.panes, (1u << PANE_CONNECTIONS) | (1u << PANE_EVENTS));
	assert_true(o.read_only);
	assert_true(o.resolve);
	assert_string_equal(o.config_path, f->path);
	options_free(&o);
}

static void the_file_is_found_under_xdg_config_home(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	write_file(f->path, "interval = 5\n");
	assert_int_equal(PARSE(&o, err, "-b"), 0);
	assert_true(o.interval == 5);
	options_free(&o);
}

static void a_relative_xdg_config_home_is_ignored_for_home(void **state)
{
	struct fixture *f = *state;
	char *path;
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	setenv("HOME", f->dir, 1);
	assert_int_equal(config_file_default_path(&path), 0);
	char want[200];
	snprintf(want, sizeof want, "%s/.config/sockeye/config", f->dir);
	assert_string_equal(path, want);
	free(path);
}

static void a_missing_default_file_is_no_error(void **state)
{
	(void)state;
	struct options o;
	char err[512];
	assert_int_equal(PARSE(&o, err, "-b"), 0);
	assert_true(o.interval == 1.0);
	options_free(&o);
}

static void a_missing_named_file_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	assert_int_equal(PARSE(&o, err, f->opt), -1);
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "No such file"));
	options_free(&o);
}

/* Returns the message for a file holding text. */
static const char *load_error(struct fixture *f, const char *text)
{
	static char err[512];
	struct options o;
	write_file(f->path, text);
	assert_int_equal(PARSE(&o, err, "-b"), -1);
	options_free(&o);
	return err;
}

static void a_bad_value_names_file_line_and_word(void **state)
{
	struct fixture *f = *state;
	char want[200];
	const char *err = load_error(f, "# comment\n\ninterval = fast\nlinger = 1\n");
	snprintf(want, sizeof want, "%s:3: interval: 'fast' is not a number of seconds", f->path);
	assert_string_equal(err, want);
}

static void an_unknown_setting_names_file_line_and_word(void **state)
{
	struct fixture *f = *state;
	char want[200];
	const char *err = load_error(f, "interval = 1\ncolour = red\n");
	snprintf(want, sizeof want, "%s:2: unknown setting 'colour'", f->path);
	assert_memory_equal(err, want, strlen(want));
}

static void a_line_without_a_value_names_its_word(void **state)
{
	struct fixture *f = *state;
	char want[200];
	const char *err = load_error(f, "interval = 1\nlinger 4\n");
	snprintf(want, sizeof want, "%s:2: 'linger' is not a 'setting = value' line", f->path);
	assert_string_equal(err, want);
}

static void a_bad_filter_names_its_word(void **state)
{
	struct fixture *f = *state;
	const char *err = load_error(f, "filter = port:22 state:sleepy\n");
	assert_non_null(strstr(err, ":1: bad filter"));
	assert_non_null(strstr(err, "sleepy"));
}

static void an_unknown_column_or_pane_is_named(void **state)
{
	struct fixture *f = *state;
	assert_non_null(strstr(load_error(f, "columns = proto,colour\n"), ":1: unknown name 'colour'"));
	assert_non_null(strstr(load_error(f, "\npanes = events,graphs\n"), ":2: unknown name 'graphs'"));
	assert_non_null(strstr(load_error(f, "read-only = maybe\n"), ":1: 'maybe' is not yes or no"));
	assert_non_null(strstr(load_error(f, "sort-events = colour\n"), "unknown column 'colour'"));
}

static void an_overlong_line_is_refused_not_split(void **state)
{
	struct fixture *f = *state;
	char text[400];
	snprintf(text, sizeof text, "interval = 1\nfilter = proc:%0250d\n", 0);
	assert_non_null(strstr(load_error(f, text), ":2: 'filter': line longer"));
}

static void a_section_is_refused(void **state)
{
	struct fixture *f = *state;
	assert_non_null(strstr(load_error(f, "[screen]\ninterval = 1\n"),
	                       ":2: '[screen]': the file has no sections"));
}

static void an_indented_line_is_a_setting_of_its_own(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	write_file(f->path, "interval = 2\n   linger = 4\n");
	assert_int_equal(PARSE(&o, err, "-b"), 0);
	assert_true(o.interval == 2);
	assert_true(o.linger == 4);
	options_free(&o);
}

static void the_command_line_wins(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	write_file(f->path, "interval = 5\nlinger = 9\nsort = rtt:desc\ntheme = light\n"
	           "filter = port:22\n");
	assert_int_equal(PARSE(&o, err, "-b", "-i", "2", "--linger=1", "--sort=age",
	                       "--theme=mono", "443"), 0);
	assert_true(o.interval == 2);
	assert_true(o.linger == 1);
	assert_string_equal(o.sort, "age");
	assert_false(o.sort_desc);
	assert_string_equal(o.theme, "mono");
	assert_string_equal(o.filter, "443");
	options_free(&o);
}

static void the_file_filter_stays_without_filter_words(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	write_file(f->path, "filter = port:22\n");
	assert_int_equal(PARSE(&o, err, "-b", "-i", "2"), 0);
	assert_string_equal(o.filter, "port:22");
	options_free(&o);
}

static void no_config_ignores_a_broken_file(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	write_file(f->path, "interval = fast\n");
	assert_int_equal(PARSE(&o, err, "-b", "--no-config"), 0);
	assert_true(o.interval == 1.0);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--help"), 0);
	assert_true(o.help);
	options_free(&o);
}

static void a_named_file_replaces_the_default(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512], other[200], opt[220];
	write_file(f->path, "interval = 5\n");
	snprintf(other, sizeof other, "%s/other.conf", f->dir);
	snprintf(opt, sizeof opt, "--config=%s", other);
	write_file(other, "interval = 7\n");
	assert_int_equal(PARSE(&o, err, "-b", opt), 0);
	assert_true(o.interval == 7);
	assert_string_equal(o.config_path, other);
	options_free(&o);
}

static struct config_file_settings some_settings(void)
{
	return (struct config_file_settings){
		.interval = 2.5, .linger = 4, .theme = "light", .sort = "rtt:desc",
		.sort_processes = "txrate:desc", .sort_events = "", .filter = "port:22 !state:listen",
		.columns = column_bit("proto") | column_bit("remote"),
		.panes = (1u << PANE_CONNECTIONS) | (1u << PANE_PROCESSES), .resolve = 1,
		.mouse = 0,
	};
}

static void save_rewrites_settings_and_keeps_every_other_line(void **state)
{
	struct fixture *f = *state;
	char err[512];
	write_file(f->path,
	           "# Keep it slow on the old box\n"
	           "interval = 10\n"
	           "\n"
	           "; the boss wants this\n"
	           "read-only = yes\n"
	           "linger=1\n"
	           "interval = 11\n");
	struct config_file_settings s = some_settings();
	assert_int_equal(config_file_save(f->path, &s, err, sizeof err), 0);
	assert_string_equal(read_file(f->path),
	                    "# Keep it slow on the old box\n"
	                    "interval = 2.5\n"
	                    "\n"
	                    "; the boss wants this\n"
	                    "read-only = yes\n"
	                    "linger = 4\n"
	                    "theme = light\n"
	                    "sort = rtt:desc\n"
	                    "sort-processes = txrate:desc\n"
	                    "sort-events = \n"
	                    "filter = port:22 !state:listen\n"
	                    "columns = proto,remote\n"
	                    "panes = connections,processes\n"
	                    "resolve = yes\n"
	                    "mouse = no\n");
}

static void save_round_trips_through_load(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	struct config_file_settings s = some_settings();
	assert_int_equal(config_file_save(f->path, &s, err, sizeof err), 0);
	assert_int_equal(PARSE(&o, err, "-b"), 0);
	assert_true(o.interval == 2.5);
	assert_true(o.linger == 4);
	assert_string_equal(o.theme, "light");
	assert_string_equal(o.sort, "rtt");
	assert_true(o.sort_desc);
	assert_string_equal(o.sort_processes, "txrate");
	assert_null(o.sort_events);
	assert_string_equal(o.filter, "port:22 !state:listen");
	assert_int_equal(o.columns, s.columns);
	assert_int_equal(o.panes, s.panes);
	assert_true(o.resolve);
	assert_false(o.read_only);
	assert_true(o.no_mouse);
	options_free(&o);
}

static void mouse_no_leaves_clicks_to_the_terminal(void **state)
{
	struct fixture *f = *state;
	struct options o;
	char err[512];
	assert_int_equal(PARSE(&o, err, "-b"), 0);
	assert_false(o.no_mouse);
	options_free(&o);
	write_file(f->path, "mouse = no\n");
	assert_int_equal(PARSE(&o, err, "-b"), 0);
	assert_true(o.no_mouse);
	options_free(&o);
	write_file(f->path, "mouse = yes\n");
	assert_int_equal(PARSE(&o, err, "-b", "--no-mouse"), 0);
	assert_true(o.no_mouse);
	options_free(&o);
	write_file(f->path, "mouse = sometimes\n");
	assert_int_equal(PARSE(&o, err, "-b"), -1);
	assert_non_null(strstr(err, "'sometimes' is not yes or no"));
	options_free(&o);
}

static void save_creates_the_directory(void **state)
{
	struct fixture *f = *state;
	char err[512], deep[200];
	struct stat st;
	snprintf(deep, sizeof deep, "%s/a/b/sockeye/config", f->dir);
	struct config_file_settings s = some_settings();
	assert_int_equal(config_file_save(deep, &s, err, sizeof err), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_non_null(strstr(read_file(deep), "interval = 2.5\n"));
}

static size_t files_in(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A reader that opened the file before the save still reads the old text
 * whole: the new file came in by rename, not by rewriting in place, and
 * no temporary file is left beside it. */
static void save_replaces_the_file_atomically(void **state)
{
	struct fixture *f = *state;
	char err[512], dir[128], before[64];
	write_file(f->path, "interval = 10\n");
	int fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	struct config_file_settings s = some_settings();
	assert_int_equal(config_file_save(f->path, &s, err, sizeof err), 0);
	ssize_t n = read(fd, before, sizeof before - 1);
	close(fd);
	assert_int_equal(n, 14);
	before[n] = '\0';
	assert_string_equal(before, "interval = 10\n");
	assert_non_null(strstr(read_file(f->path), "interval = 2.5\n"));
	snprintf(dir, sizeof dir, "%s/sockeye", f->dir);
	assert_int_equal(files_in(dir), 1);
}

static void a_value_too_long_to_read_back_is_not_saved(void **state)
{
	struct fixture *f = *state;
	char err[512], filter[400];
	write_file(f->path, "interval = 10\n");
	snprintf(filter, sizeof filter, "proc:%0250d", 0);
	struct config_file_settings s = some_settings();
	s.filter = filter;
	assert_int_equal(config_file_save(f->path, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "filter is too long"));
	assert_string_equal(read_file(f->path), "interval = 10\n");
}

static void save_through_a_symlink_replaces_its_target(void **state)
{
	struct fixture *f = *state;
	char err[512], target[200], dir[128];
	struct stat st;
	snprintf(target, sizeof target, "%s/dotfiles-config", f->dir);
	write_file(target, "# from my dotfiles\n");
	snprintf(dir, sizeof dir, "%s/sockeye", f->dir);
	mkdir(dir, 0700);
	assert_int_equal(symlink(target, f->path), 0);
	struct config_file_settings s = some_settings();
	assert_int_equal(config_file_save(f->path, &s, err, sizeof err), 0);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_non_null(strstr(read_file(target), "# from my dotfiles\ninterval = 2.5\n"));
}

int main(void)
{
	/* Theme names are looked up in the source tree's themes/. */
	setenv("SOCKEYE_THEMES_DIR", SOCKEYE_THEMES_SRCDIR, 1);
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(every_setting_is_read),
		T(the_file_is_found_under_xdg_config_home),
		T(a_relative_xdg_config_home_is_ignored_for_home),
		T(a_missing_default_file_is_no_error),
		T(a_missing_named_file_is_an_error),
		T(a_bad_value_names_file_line_and_word),
		T(an_unknown_setting_names_file_line_and_word),
		T(a_line_without_a_value_names_its_word),
		T(a_bad_filter_names_its_word),
		T(an_unknown_column_or_pane_is_named),
		T(an_overlong_line_is_refused_not_split),
		T(a_section_is_refused),
		T(an_indented_line_is_a_setting_of_its_own),
		T(the_command_line_wins),
		T(the_file_filter_stays_without_filter_words),
		T(no_config_ignores_a_broken_file),
		T(a_named_file_replaces_the_default),
		T(save_rewrites_settings_and_keeps_every_other_line),
		T(save_round_trips_through_load),
		T(mouse_no_leaves_clicks_to_the_terminal),
		T(save_creates_the_directory),
		T(save_replaces_the_file_atomically),
		T(a_value_too_long_to_read_back_is_not_saved),
		T(save_through_a_symlink_replaces_its_target),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
