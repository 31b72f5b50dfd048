/* test_options.c — the command line: defaults, every option, and
 * a message naming the culprit for every bad input. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "record.h"
#include "sock.h"

#define ARGV(...) ((char *[]){ "sockeye", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "sockeye", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, err, ...) options_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), err, sizeof(err))

static void defaults_follow_the_spec(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	char *argv[] = { "sockeye", NULL };
	assert_int_equal(options_parse(&o, 1, argv, err, sizeof(err)), 0);
	assert_int_equal(o.mode, MODE_SCREEN);
	assert_true(o.interval == 1.0);
	assert_true(o.linger == 3.0);
	assert_int_equal(o.iterations, 0);
	assert_int_equal(o.source, POLLER_AUTO);
	assert_int_equal(o.want, SOCK_WANT_ALL);
	assert_string_equal(o.filter, "");
	options_free(&o);
}

static void batch_json_with_source_and_iterations(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "--batch", "--json", "--source=proc", "-n", "3", "-i", "0.5"), 0);
	assert_int_equal(o.mode, MODE_BATCH);
	assert_true(o.json);
	assert_int_equal(o.source, POLLER_PROC);
	assert_int_equal(o.iterations, 3);
	assert_true(o.interval == 0.5);
	options_free(&o);
}

static void narrowing_flags_combine_like_ss(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "-b", "-t", "-6"), 0);
	assert_int_equal(o.want, SOCK_WANT_TCP | SOCK_WANT_V6);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "-b", "-u"), 0);
	assert_int_equal(o.want, SOCK_WANT_UDP | SOCK_WANT_V4 | SOCK_WANT_V6);
	options_free(&o);
}

static void filter_words_are_joined_in_order(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "-b", "port:443", "!state:listen", "--json", "nginx"), 0);
	assert_string_equal(o.filter, "port:443 !state:listen nginx");
	options_free(&o);
}

static void read_only_is_off_unless_asked(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	char *argv[] = { "sockeye", NULL };
	assert_int_equal(options_parse(&o, 1, argv, err, sizeof(err)), 0);
	assert_false(o.read_only);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--read-only"), 0);
	assert_true(o.read_only);
	options_free(&o);
}

static void destroy_events_are_on_unless_turned_off(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "-e"), 0);
	assert_false(o.no_destroy_events);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "-e", "--no-destroy-events"), 0);
	assert_true(o.no_destroy_events);
	options_free(&o);
}

static void help_names_the_destroy_events_switch(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	options_usage(f);
	fclose(f);
	assert_non_null(strstr(text, "--no-destroy-events"));
	free(text);
}

static void sort_takes_a_column_and_an_order(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "-b", "--sort=rport:desc"), 0);
	assert_string_equal(o.sort, "rport");
	assert_true(o.sort_desc);
	options_free(&o);
}

static void assert_usage_error(int rc, const char *err, const char *needle)
{
	assert_int_equal(rc, -1);
	if (!strstr(err, needle))
		fail_msg("message '%s' does not name '%s'", err, needle);
}

static void bad_inputs_name_the_culprit(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_usage_error(PARSE(&o, err, "--frobnicate"), err, "--frobnicate");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-x"), err, "-x");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-i", "0"), err, "0");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-i", "0.05"), err, "0.05");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-i", "3601"), err, "3601");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--interval=abc"), err, "abc");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-b", "-n", "0"), err, "'0'");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-b", "-n", "x"), err, "'x'");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--source=foo"), err, "foo");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--sort=nosuch"), err, "nosuch");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--sort=rport:sideways"), err, "sideways");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--theme=/nonexistent/theme"), err, "/nonexistent/theme");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-b", "state:nosuch"), err, "nosuch");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--interval"), err, "--interval");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--linger=-1"), err, "-1");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--linger=soon"), err, "soon");
	options_free(&o);
}

static void modes_that_cannot_go_together_are_refused(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_usage_error(PARSE(&o, err, "--batch", "--events"), err, "--events");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--json"), err, "--json");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-n", "2"), err, "--iterations");
	options_free(&o);
}

static void help_and_version_win_over_other_checks(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "--json", "--help"), 0);
	assert_true(o.help);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "-V"), 0);
	assert_true(o.version);
	options_free(&o);
}

static void rates_are_off_unless_asked_and_go_with_events(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "--events"), 0);
	assert_false(o.rates);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--events", "--json", "--rates", "-i", "0.5"), 0);
	assert_true(o.rates);
	assert_int_equal(o.mode, MODE_EVENTS);
	options_free(&o);
}

static void rates_without_events_is_a_usage_error(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_usage_error(PARSE(&o, err, "--rates"), err, "--rates");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--batch", "--json", "--rates"), err, "--rates");
	options_free(&o);
}

static void help_lists_rates(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	options_usage(f);
	fclose(f);
	assert_non_null(strstr(text, "--rates"));
	assert_non_null(strstr(text, "with --events"));
	free(text);
}

static void record_alone_runs_headless_with_default_retention(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "--record=/tmp/r.db"), 0);
	assert_string_equal(o.record, "/tmp/r.db");
	assert_int_equal(o.mode, MODE_EVENTS);
	assert_true(o.headless);
	assert_true(o.record_keep == RECORD_KEEP_DEFAULT);
	assert_true(o.record_max == RECORD_MAX_DEFAULT);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--record=r.db", "--record-keep=12h",
	                       "--record-max=500M", "-e"), 0);
	assert_false(o.headless);
	assert_true(o.record_keep == 12 * 3600);
	assert_true(o.record_max == 500ull * 1024 * 1024);
	options_free(&o);
}

static void record_beside_the_screen_with_screen(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "--record=r.db", "--screen"), 0);
	assert_int_equal(o.mode, MODE_SCREEN);
	assert_false(o.headless);
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--screen"), err, "--screen needs --record");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record=r.db", "--screen", "-e"), err,
	                   "--screen cannot be used with --events");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record=r.db", "--screen", "--journal"), err,
	                   "--screen cannot be used with --journal");
	options_free(&o);
}

static void record_retention_needs_record_and_good_values(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_usage_error(PARSE(&o, err, "--record-keep=7d"), err, "--record-keep needs --record");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record-max=1G", "-e"), err, "--record-max needs --record");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record=r.db", "--record-keep=7y"), err,
	                   "--record-keep: '7y' is not a duration");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record=r.db", "--record-keep=0"), err, "'0'");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record=r.db", "--record-max=lots"), err,
	                   "--record-max: 'lots' is not a size");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record="), err, "--record: the file name is empty");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--record=r.db", "--json"), err, "--json");
	options_free(&o);
}

static void replay_takes_a_moment_or_a_window(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_int_equal(PARSE(&o, err, "--replay=r.db"), 0);
	assert_string_equal(o.replay, "r.db");
	assert_int_equal(o.mode, MODE_SCREEN);
	assert_null(o.at);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--replay=r.db", "--at=03:12"), 0);
	assert_string_equal(o.at, "03:12");
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--replay=r.db", "-b", "--json", "--at=-10m", "port:22"), 0);
	assert_int_equal(o.mode, MODE_BATCH);
	assert_string_equal(o.at, "-10m");
	assert_string_equal(o.filter, "port:22");
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--replay=r.db", "-e", "--since=2026-12-06 03:00",
	                       "--until=03:30"), 0);
	assert_string_equal(o.since, "2026-12-06 03:00");
	assert_string_equal(o.until, "03:30");
	options_free(&o);
}

static void moments_need_replay_and_the_right_mode(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_usage_error(PARSE(&o, err, "-b", "--at=03:12"), err, "--at needs --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "-e", "--since=-1h"), err, "--since needs --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-e", "--at=03:12"), err,
	                   "--at cannot be used with --events");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-b", "--since=03:12"), err,
	                   "--since needs --events");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "--until=03:12"), err,
	                   "--until needs --events");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-b", "--at=25:00"), err,
	                   "--at: '25:00' is not a time");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-e", "--since=soon"), err,
	                   "--since: 'soon' is not a time");
	options_free(&o);
}

static void replay_refuses_what_only_polling_means(void **state)
{
	(void)state;
	struct options o;
	char err[256];
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "--record=x.db"), err,
	                   "--record cannot be used with --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-b", "-i", "2"), err,
	                   "--interval cannot be used with --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "--prometheus=m.prom"), err,
	                   "--prometheus cannot be used with --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-b", "--source=proc"), err,
	                   "--source cannot be used with --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-e", "-n", "3"), err,
	                   "--iterations cannot be used with --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay=r.db", "-e", "--rates"), err,
	                   "--rates cannot be used with --replay");
	options_free(&o);
	assert_usage_error(PARSE(&o, err, "--replay="), err, "--replay: the file name is empty");
	options_free(&o);
	/* Narrowing and the screen's own settings still apply to what is shown. */
	assert_int_equal(PARSE(&o, err, "--replay=r.db", "-b", "-t", "--sort=rport"), 0);
	assert_int_equal(o.want, SOCK_WANT_TCP | SOCK_WANT_V4 | SOCK_WANT_V6);
	options_free(&o);
}

static void help_lists_recording_and_replay(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	options_usage(f);
	fclose(f);
	const char *want[] = { "--record=FILE", "--record-keep=DURATION", "--record-max=SIZE",
	                       "--replay=FILE", "--at=TIME", "--since=TIME", "--until=TIME" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("--help lacks %s", want[i]);
	free(text);
}

int main(void)
{
	/* No one's own config file may change what these tests see. */
	setenv("XDG_CONFIG_HOME", "/nonexistent/test_options", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_follow_the_spec),
		cmocka_unit_test(batch_json_with_source_and_iterations),
		cmocka_unit_test(narrowing_flags_combine_like_ss),
		cmocka_unit_test(filter_words_are_joined_in_order),
		cmocka_unit_test(sort_takes_a_column_and_an_order),
		cmocka_unit_test(read_only_is_off_unless_asked),
		cmocka_unit_test(destroy_events_are_on_unless_turned_off),
		cmocka_unit_test(help_names_the_destroy_events_switch),
		cmocka_unit_test(bad_inputs_name_the_culprit),
		cmocka_unit_test(modes_that_cannot_go_together_are_refused),
		cmocka_unit_test(help_and_version_win_over_other_checks),
		cmocka_unit_test(rates_are_off_unless_asked_and_go_with_events),
		cmocka_unit_test(rates_without_events_is_a_usage_error),
		cmocka_unit_test(help_lists_rates),
		cmocka_unit_test(record_alone_runs_headless_with_default_retention),
		cmocka_unit_test(record_retention_needs_record_and_good_values),
		cmocka_unit_test(record_beside_the_screen_with_screen),
		cmocka_unit_test(replay_takes_a_moment_or_a_window),
		cmocka_unit_test(moments_need_replay_and_the_right_mode),
		cmocka_unit_test(replay_refuses_what_only_polling_means),
		cmocka_unit_test(help_lists_recording_and_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
