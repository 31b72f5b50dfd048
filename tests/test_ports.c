/* test_ports.c — port classes, the kernel's local port range, and service
 * names from a recorded /etc/services. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ports.h"

/* Writes text to a fresh temporary file; the caller unlinks and frees it. */
static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_ports.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void remove_temp(char *path)
{
	unlink(path);
	free(path);
}

static void test_well_known_is_0_to_1023(void **state)
{
	(void)state;
	assert_int_equal(port_class(0), PORT_WELL_KNOWN);
	assert_int_equal(port_class(1023), PORT_WELL_KNOWN);
}

static void test_registered_is_1024_to_49151(void **state)
{
	(void)state;
	assert_int_equal(port_class(1024), PORT_REGISTERED);
	assert_int_equal(port_class(49151), PORT_REGISTERED);
}

static void test_ephemeral_is_49152_to_65535(void **state)
{
	(void)state;
	assert_int_equal(port_class(49152), PORT_EPHEMERAL);
	assert_int_equal(port_class(65535), PORT_EPHEMERAL);
}

static void test_class_names_are_the_iana_words(void **state)
{
	(void)state;
	assert_string_equal(port_class_name(PORT_WELL_KNOWN), "well-known");
	assert_string_equal(port_class_name(PORT_REGISTERED), "registered");
	assert_string_equal(port_class_name(PORT_EPHEMERAL), "ephemeral");
}

static void test_class_parse_takes_any_case_and_underscore(void **state)
{
	enum port_class c = PORT_EPHEMERAL;

	(void)state;
	assert_int_equal(port_class_parse("Well_Known", &c), 0);
	assert_int_equal(c, PORT_WELL_KNOWN);
	assert_int_equal(port_class_parse("REGISTERED", &c), 0);
	assert_int_equal(c, PORT_REGISTERED);
	assert_int_equal(port_class_parse("ephemeral", &c), 0);
	assert_int_equal(c, PORT_EPHEMERAL);
}

static void test_class_parse_rejects_other_words(void **state)
{
	enum port_class c = PORT_REGISTERED;

	(void)state;
	assert_int_equal(port_class_parse("wellknown", &c), -1);
	assert_int_equal(port_class_parse("well-known-ish", &c), -1);
	assert_int_equal(port_class_parse("", &c), -1);
	assert_int_equal(c, PORT_REGISTERED);
}

static void test_local_range_reads_this_kernel(void **state)
{
	uint16_t lo = 0, hi = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(ports_local_range("/proc/sys/net/ipv4/ip_local_port_range",
	                                   &lo, &hi, err, sizeof err), 0);
	assert_true(lo <= hi);
	assert_true(hi > 0);
}

static void test_local_range_accepts_spaces_and_tabs(void **state)
{
	char *path = write_temp("  1024 \t 65000\n");
	uint16_t lo = 0, hi = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(ports_local_range(path, &lo, &hi, err, sizeof err), 0);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 65000);
	remove_temp(path);
}

/* Each malformed content must fail, name the file, and leave lo/hi alone. */
static void assert_range_rejected(const char *content)
{
	char *path = write_temp(content);
	uint16_t lo = 7, hi = 9;
	char err[256] = "";

	assert_int_equal(ports_local_range(path, &lo, &hi, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 9);
	remove_temp(path);
}

static void test_local_range_rejects_empty_file(void **state)
{
	(void)state;
	assert_range_rejected("");
}

static void test_local_range_rejects_one_number(void **state)
{
	(void)state;
	assert_range_rejected("32768\n");
}

static void test_local_range_rejects_words(void **state)
{
	(void)state;
	assert_range_rejected("low high\n");
}

static void test_local_range_rejects_trailing_junk(void **state)
{
	(void)state;
	assert_range_rejected("32768 60999 7\n");
}

static void test_local_range_rejects_port_above_65535(void **state)
{
	(void)state;
	assert_range_rejected("32768 65536\n");
}

static void test_local_range_rejects_negative_and_signed(void **state)
{
	(void)state;
	assert_range_rejected("-1 60999\n");
	assert_range_rejected("+1 60999\n");
}

static void test_local_range_rejects_low_above_high(void **state)
{
	(void)state;
	assert_range_rejected("60999 32768\n");
}

static void test_local_range_missing_file_names_it(void **state)
{
	uint16_t lo, hi;
	char err[256] = "";

	(void)state;
	assert_int_equal(ports_local_range("/nonexistent/port_range", &lo, &hi,
	                                   err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/port_range"));
}

static int load_fixture(void **state)
{
	char err[256] = "";

	*state = services_load(FIXTURES "/services", err, sizeof err);
	if (!*state)
		fprintf(stderr, "%s\n", err);
	return *state ? 0 : -1;
}

static int free_fixture(void **state)
{
	services_free(*state);
	return 0;
}

static void test_services_names_ssh_on_22_tcp(void **state)
{
	assert_string_equal(services_name(*state, 22, IPPROTO_TCP), "ssh");
}

static void test_services_names_https_on_443_tcp(void **state)
{
	assert_string_equal(services_name(*state, 443, IPPROTO_TCP), "https");
}

static void test_services_names_domain_on_53_udp(void **state)
{
	assert_string_equal(services_name(*state, 53, IPPROTO_UDP), "domain");
}

static void test_services_unknown_port_is_null(void **state)
{
	assert_null(services_name(*state, 65001, IPPROTO_TCP));
	assert_null(services_name(*state, 0, IPPROTO_UDP));
}

static void test_services_respects_protocol(void **state)
{
	/* ssh is listed for tcp only in the recorded file. */
	assert_null(services_name(*state, 22, IPPROTO_UDP));
}

static void test_services_first_name_wins(void **state)
{
	char *path = write_temp("first 7000/tcp alias1 alias2\n"
	                        "second 7000/tcp\n"
	                        "other 7000/udp\n");
	char err[256] = "";
	struct services *s = services_load(path, err, sizeof err);

	(void)state;
	assert_non_null(s);
	assert_string_equal(services_name(s, 7000, IPPROTO_TCP), "first");
	assert_string_equal(services_name(s, 7000, IPPROTO_UDP), "other");
	services_free(s);
	remove_temp(path);
}

static void test_services_skips_malformed_lines(void **state)
{
	char *path = write_temp("# a comment\n"
	                        "\n"
	                        "noport\n"
	                        "noproto 80\n"
	                        "badport x80/tcp\n"
	                        "toobig 70000/tcp\n"
	                        "weird 81/quic\n"
	                        "signed -82/tcp\n"
	                        "   # indented comment\n"
	                        "good 8080/tcp # trailing comment\n"
	                        "tabbed\t8081/udp\talias\n");
	char err[256] = "";
	struct services *s = services_load(path, err, sizeof err);

	(void)state;
	assert_non_null(s);
	assert_null(services_name(s, 80, IPPROTO_TCP));
	assert_null(services_name(s, 81, IPPROTO_TCP));
	assert_null(services_name(s, 82, IPPROTO_TCP));
	assert_null(services_name(s, 70000 - 65536, IPPROTO_TCP));
	assert_string_equal(services_name(s, 8080, IPPROTO_TCP), "good");
	assert_string_equal(services_name(s, 8081, IPPROTO_UDP), "tabbed");
	services_free(s);
	remove_temp(path);
}

static void test_services_holds_many_entries(void **state)
{
	/* Enough lines to make the table grow several times. */
	char *path = strdup("/tmp/test_ports.XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char err[256] = "";
	struct services *s;

	(void)state;
	assert_non_null(f);
	for (int p = 1; p <= 5000; p++)
		fprintf(f, "svc%d %d/tcp\n", p, p);
	fclose(f);
	s = services_load(path, err, sizeof err);
	assert_non_null(s);
	assert_string_equal(services_name(s, 1, IPPROTO_TCP), "svc1");
	assert_string_equal(services_name(s, 4999, IPPROTO_TCP), "svc4999");
	assert_null(services_name(s, 5001, IPPROTO_TCP));
	services_free(s);
	remove_temp(path);
}

static void test_services_missing_file_names_it(void **state)
{
	char err[256] = "";

	(void)state;
	assert_null(services_load("/nonexistent/services", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/services"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_known_is_0_to_1023),
		cmocka_unit_test(test_registered_is_1024_to_49151),
		cmocka_unit_test(test_ephemeral_is_49152_to_65535),
		cmocka_unit_test(test_class_names_are_the_iana_words),
		cmocka_unit_test(test_class_parse_takes_any_case_and_underscore),
		cmocka_unit_test(test_class_parse_rejects_other_words),
		cmocka_unit_test(test_local_range_reads_this_kernel),
		cmocka_unit_test(test_local_range_accepts_spaces_and_tabs),
		cmocka_unit_test(test_local_range_rejects_empty_file),
		cmocka_unit_test(test_local_range_rejects_one_number),
		cmocka_unit_test(test_local_range_rejects_words),
		cmocka_unit_test(test_local_range_rejects_trailing_junk),
		cmocka_unit_test(test_local_range_rejects_port_above_65535),
		cmocka_unit_test(test_local_range_rejects_negative_and_signed),
		cmocka_unit_test(test_local_range_rejects_low_above_high),
		cmocka_unit_test(test_local_range_missing_file_names_it),
		cmocka_unit_test_setup_teardown(test_services_names_ssh_on_22_tcp,
		                                load_fixture, free_fixture),
		cmocka_unit_test_setup_teardown(test_services_names_https_on_443_tcp,
		                                load_fixture, free_fixture),
		cmocka_unit_test_setup_teardown(test_services_names_domain_on_53_udp,
		                                load_fixture, free_fixture),
		cmocka_unit_test_setup_teardown(test_services_unknown_port_is_null,
		                                load_fixture, free_fixture),
		cmocka_unit_test_setup_teardown(test_services_respects_protocol,
		                                load_fixture, free_fixture),
		cmocka_unit_test(test_services_first_name_wins),
		cmocka_unit_test(test_services_skips_malformed_lines),
		cmocka_unit_test(test_services_holds_many_entries),
		cmocka_unit_test(test_services_missing_file_names_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
