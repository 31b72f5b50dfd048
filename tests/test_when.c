/* test_when.c — the times, durations and sizes a user types: each form
 * lands on the moment meant (in a fixed time zone), and every bad one is
 * refused with a message quoting it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "when.h"

/* 2026-12-06 10:30:00 in Europe/Paris (UTC+1 in December). */
#define REF 1796549400.0

static int set_tz(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	return 0;
}

static double parse_ok(const char *s, double ref)
{
	double t = 0;
	char err[256] = "";
	if (when_parse(s, ref, &t, err, sizeof(err)) < 0)
		fail_msg("'%s' refused: %s", s, err);
	return t;
}

static void parse_fails(const char *s, const char *want)
{
	double t = 0;
	char err[256] = "";
	assert_int_equal(when_parse(s, REF, &t, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", s, err, want);
	char quoted[80];
	snprintf(quoted, sizeof(quoted), "'%s'", s);
	assert_non_null(strstr(err, quoted));
}

static void the_reference_is_what_the_test_thinks(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(when_format(REF, buf, sizeof(buf)), "2026-12-06 10:30:00");
}

static void a_clock_time_earlier_today_is_today(void **state)
{
	(void)state;
	assert_true(parse_ok("03:12", REF) == REF - (7 * 3600 + 18 * 60));
	assert_true(parse_ok("03:12:07", REF) == REF - (7 * 3600 + 18 * 60) + 7);
	assert_true(parse_ok("10:30", REF) == REF);   /* at ref itself: today */
	assert_true(parse_ok("9:05", REF) == REF - (3600 + 25 * 60));
}

static void a_clock_time_later_than_ref_is_yesterday(void **state)
{
	(void)state;
	assert_true(parse_ok("23:00", REF) == REF - 11.5 * 3600);
	assert_true(parse_ok("10:30:01", REF) == REF - 86400 + 1);
}

static void fractional_seconds_are_kept(void **state)
{
	(void)state;
	assert_true(parse_ok("03:12:07.25", REF) == REF - (7 * 3600 + 18 * 60) + 7.25);
}

static void dates_name_a_local_time(void **state)
{
	(void)state;
	assert_true(parse_ok("2026-12-06 03:12", REF) == REF - (7 * 3600 + 18 * 60));
	assert_true(parse_ok("2026-12-06T03:12", REF) == REF - (7 * 3600 + 18 * 60));
	assert_true(parse_ok("2026-12-06 03:12:07", REF) == REF - (7 * 3600 + 18 * 60) + 7);
	/* A date after ref is still that date: only bare clock times look back. */
	assert_true(parse_ok("2026-12-07 10:30", REF) == REF + 86400);
	assert_true(parse_ok("2026-12-06", REF) == REF - 10.5 * 3600);
}

static void summer_dates_use_summer_time(void **state)
{
	(void)state;
	/* 2026-07-01 12:00 CEST is 10:00 UTC. */
	assert_true(parse_ok("2026-07-01 12:00", REF) == 1782900000.0);
}

static void relative_times_count_back_from_ref(void **state)
{
	(void)state;
	assert_true(parse_ok("-10m", REF) == REF - 600);
	assert_true(parse_ok("-90s", REF) == REF - 90);
	assert_true(parse_ok("-2h", REF) == REF - 7200);
	assert_true(parse_ok("-1d", REF) == REF - 86400);
	assert_true(parse_ok("-30", REF) == REF - 30);
	assert_true(parse_ok("now", REF) == REF);
}

static void long_numbers_are_epoch_seconds(void **state)
{
	(void)state;
	assert_true(parse_ok("1796549400", 0) == 1796549400.0);
	assert_true(parse_ok("1796549400.5", 0) == 1796549400.5);
}

static void bad_times_are_refused_naming_them(void **state)
{
	(void)state;
	parse_fails("25:00", "hours go from 0 to 23");
	parse_fails("03:61", "minutes and seconds");
	parse_fails("03:12:60", "minutes and seconds");
	parse_fails("3", "is not a time");
	parse_fails("0312", "is not a time");
	parse_fails("yesterday", "is not a time");
	parse_fails("", "is not a time");
	parse_fails("03:1", "HH:MM");
	parse_fails("03:12:07.", "HH:MM");
	parse_fails("-10x", "-10m");
	parse_fails("-", "-10m");
	parse_fails("2026-02-30 03:12", "no such date");
	parse_fails("2026-13-01", "no such date");
	parse_fails("2026-12-06 03", "HH:MM");
	parse_fails("2026-12-06X03:12", "YYYY-MM-DD");
}

static void durations_take_units(void **state)
{
	(void)state;
	double s;
	char err[256];
	assert_int_equal(when_duration("7d", &s, err, sizeof(err)), 0);
	assert_true(s == 7 * 86400);
	assert_int_equal(when_duration("90s", &s, err, sizeof(err)), 0);
	assert_true(s == 90);
	assert_int_equal(when_duration("30m", &s, err, sizeof(err)), 0);
	assert_true(s == 1800);
	assert_int_equal(when_duration("12h", &s, err, sizeof(err)), 0);
	assert_true(s == 43200);
	assert_int_equal(when_duration("2w", &s, err, sizeof(err)), 0);
	assert_true(s == 14 * 86400);
	assert_int_equal(when_duration("45", &s, err, sizeof(err)), 0);
	assert_true(s == 45);
	assert_int_equal(when_duration("1.5h", &s, err, sizeof(err)), 0);
	assert_true(s == 5400);
}

static void bad_durations_are_refused(void **state)
{
	(void)state;
	double s;
	char err[256];
	const char *bad[] = { "", "0", "0d", "-1d", "7y", "7dd", "d", "1e999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (when_duration(bad[i], &s, err, sizeof(err)) != -1)
			fail_msg("'%s' taken as a duration", bad[i]);
		char quoted[32];
		snprintf(quoted, sizeof(quoted), "'%s' is not a duration", bad[i]);
		assert_non_null(strstr(err, quoted));
	}
}

static void sizes_are_powers_of_1024(void **state)
{
	(void)state;
	uint64_t b;
	char err[256];
	assert_int_equal(when_size("1G", &b, err, sizeof(err)), 0);
	assert_true(b == 1024ull * 1024 * 1024);
	assert_int_equal(when_size("500M", &b, err, sizeof(err)), 0);
	assert_true(b == 500ull * 1024 * 1024);
	assert_int_equal(when_size("64K", &b, err, sizeof(err)), 0);
	assert_true(b == 65536);
	assert_int_equal(when_size("64KiB", &b, err, sizeof(err)), 0);
	assert_true(b == 65536);
	assert_int_equal(when_size("2gb", &b, err, sizeof(err)), 0);
	assert_true(b == 2048ull * 1024 * 1024);
	assert_int_equal(when_size("4096", &b, err, sizeof(err)), 0);
	assert_true(b == 4096);
	assert_int_equal(when_size("1.5M", &b, err, sizeof(err)), 0);
	assert_true(b == 1536 * 1024);
}

static void bad_sizes_are_refused(void **state)
{
	(void)state;
	uint64_t b;
	char err[256];
	const char *bad[] = { "", "0", "0G", "-1G", "1X", "G", "1Gx", "99999999999T" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (when_size(bad[i], &b, err, sizeof(err)) != -1)
			fail_msg("'%s' taken as a size", bad[i]);
		char quoted[32];
		snprintf(quoted, sizeof(quoted), "'%s' is not a size", bad[i]);
		assert_non_null(strstr(err, quoted));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_reference_is_what_the_test_thinks),
		cmocka_unit_test(a_clock_time_earlier_today_is_today),
		cmocka_unit_test(a_clock_time_later_than_ref_is_yesterday),
		cmocka_unit_test(fractional_seconds_are_kept),
		cmocka_unit_test(dates_name_a_local_time),
		cmocka_unit_test(summer_dates_use_summer_time),
		cmocka_unit_test(relative_times_count_back_from_ref),
		cmocka_unit_test(long_numbers_are_epoch_seconds),
		cmocka_unit_test(bad_times_are_refused_naming_them),
		cmocka_unit_test(durations_take_units),
		cmocka_unit_test(bad_durations_are_refused),
		cmocka_unit_test(sizes_are_powers_of_1024),
		cmocka_unit_test(bad_sizes_are_refused),
	};
	return cmocka_run_group_tests(tests, set_tz, NULL);
}
