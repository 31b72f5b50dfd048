/* test_columns.c — how each Connections cell reads: formatting, escaping of
 * names from the system, and the order each column sorts in. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "columns.h"

static struct sock_rec rec4(const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	s.family = AF_INET;
	s.state = SOCK_ST_ESTABLISHED;
	inet_pton(AF_INET, l, s.laddr);
	inet_pton(AF_INET, r, s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.inode = 42;
	return s;
}

static void cell(const char *name, const struct column_row *r, char *buf, size_t len)
{
	const struct column *c = columns_find(name);
	assert_non_null(c);
	c->format(r, buf, len);
}

static void endpoints_and_state_read_like_ss(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 8080, "127.0.0.2", 51000);
	struct column_row r = { &s, NULL, 0, 0, 0 };
	char buf[128];
	cell("local", &r, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:8080");
	cell("remote", &r, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.2:51000");
	cell("state", &r, buf, sizeof(buf));
	assert_string_equal(buf, "ESTABLISHED");
	cell("proto", &r, buf, sizeof(buf));
	assert_string_equal(buf, "tcp");
}

static void process_cell_lists_every_owner_and_escapes_names(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner o[2];
	memset(o, 0, sizeof(o));
	o[0].pid = 100;
	strcpy(o[0].comm, "nginx");
	strcpy(o[0].user, "root");
	o[1].pid = 101;
	strcpy(o[1].comm, "\x1b[31mevil");
	strcpy(o[1].user, "www\x07" "data");
	struct column_row r = { &s, o, 2, 0, 0 };
	char buf[256];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "100/nginx,101/\\x1b[31mevil");
	struct column_row r1 = { &s, &o[1], 1, 0, 0 };
	cell("user", &r1, buf, sizeof(buf));
	assert_string_equal(buf, "www\\x07data");
}

static void unowned_socket_shows_a_dash_or_its_uid(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct column_row r = { &s, NULL, 0, 0, 0 };
	char buf[64];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	s.uid = 33;
	cell("user", &r, buf, sizeof(buf));
	assert_string_equal(buf, "33");
	s.inode = 0;   /* TIME_WAIT: nobody holds it */
	cell("user", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

static void rtt_shows_milliseconds_or_a_dash(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.1", 5000);
	struct column_row r = { &s, NULL, 0, 0, 0 };
	char buf[64];
	cell("rtt", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	s.has_tcpinfo = 1;
	s.tcp.rtt_us = 250;
	cell("rtt", &r, buf, sizeof(buf));
	assert_string_equal(buf, "0.25ms");
	s.tcp.rtt_us = 123456;
	cell("rtt", &r, buf, sizeof(buf));
	assert_string_equal(buf, "123ms");
}

static void age_counts_from_first_seen(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.1", 5000);
	char buf[64];
	struct column_row r = { &s, NULL, 0, 1000.0, 1042.5 };
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "42s");
	r.now = 1000.0 + 3725;
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "1h02m");
	r.now = 1000.0 + 2 * 86400 + 3 * 3600;
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "2d03h");
}

static void ports_sort_numerically_not_as_text(void **state)
{
	(void)state;
	struct sock_rec a = rec4("127.0.0.1", 9, "127.0.0.1", 1);
	struct sock_rec b = rec4("127.0.0.1", 10, "127.0.0.1", 1);
	struct column_row ra = { &a, NULL, 0, 0, 0 }, rb = { &b, NULL, 0, 0, 0 };
	assert_true(columns_find("lport")->compare(&ra, &rb) < 0);
	assert_true(columns_find("local")->compare(&ra, &rb) < 0);
	assert_true(columns_find("local")->compare(&rb, &ra) > 0);
	assert_int_equal(columns_find("local")->compare(&ra, &ra), 0);
}

static void unknown_rtt_sorts_after_every_known_one(void **state)
{
	(void)state;
	struct sock_rec a = rec4("127.0.0.1", 1, "127.0.0.1", 2);
	struct sock_rec b = a;
	b.has_tcpinfo = 1;
	b.tcp.rtt_us = 900000;
	struct column_row ra = { &a, NULL, 0, 0, 0 }, rb = { &b, NULL, 0, 0, 0 };
	assert_true(columns_find("rtt")->compare(&rb, &ra) < 0);
}

static void column_names_are_found_in_any_case(void **state)
{
	(void)state;
	assert_non_null(columns_find("RPORT"));
	assert_null(columns_find("nosuch"));
	char list[256];
	columns_list(list, sizeof(list));
	assert_non_null(strstr(list, "proto, state, local"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(endpoints_and_state_read_like_ss),
		cmocka_unit_test(process_cell_lists_every_owner_and_escapes_names),
		cmocka_unit_test(unowned_socket_shows_a_dash_or_its_uid),
		cmocka_unit_test(rtt_shows_milliseconds_or_a_dash),
		cmocka_unit_test(age_counts_from_first_seen),
		cmocka_unit_test(ports_sort_numerically_not_as_text),
		cmocka_unit_test(unknown_rtt_sorts_after_every_known_one),
		cmocka_unit_test(column_names_are_found_in_any_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
