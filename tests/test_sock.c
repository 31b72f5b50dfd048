/* test_sock.c — state names, state parsing, and address formatting as a
 * user reads them in every output. */
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

#include "sock.h"

static void state_names_are_the_kernel_names(void **state)
{
	(void)state;
	assert_string_equal(sock_state_name(IPPROTO_TCP, SOCK_ST_ESTABLISHED), "ESTABLISHED");
	assert_string_equal(sock_state_name(IPPROTO_TCP, SOCK_ST_TIME_WAIT), "TIME_WAIT");
	assert_string_equal(sock_state_name(IPPROTO_TCP, SOCK_ST_LISTEN), "LISTEN");
	assert_string_equal(sock_state_name(IPPROTO_TCP, SOCK_ST_FIN_WAIT1), "FIN_WAIT1");
	assert_string_equal(sock_state_name(IPPROTO_TCP, SOCK_ST_CLOSE), "CLOSE");
	assert_string_equal(sock_state_name(IPPROTO_TCP, 200), "UNKNOWN");
}

static void unconnected_udp_is_unconn(void **state)
{
	(void)state;
	assert_string_equal(sock_state_name(IPPROTO_UDP, SOCK_ST_CLOSE), "UNCONN");
	assert_string_equal(sock_state_name(IPPROTO_UDP, SOCK_ST_ESTABLISHED), "ESTABLISHED");
}

static void state_parse_accepts_any_case_and_separator(void **state)
{
	(void)state;
	assert_int_equal(sock_state_parse("time-wait"), SOCK_ST_TIME_WAIT);
	assert_int_equal(sock_state_parse("TIME_WAIT"), SOCK_ST_TIME_WAIT);
	assert_int_equal(sock_state_parse("TimeWait"), SOCK_ST_TIME_WAIT);
	assert_int_equal(sock_state_parse("fin-wait-1"), SOCK_ST_FIN_WAIT1);
	assert_int_equal(sock_state_parse("established"), SOCK_ST_ESTABLISHED);
	assert_int_equal(sock_state_parse("unconn"), SOCK_ST_CLOSE);
	assert_int_equal(sock_state_parse("establshed"), 0);
	assert_int_equal(sock_state_parse(""), 0);
	assert_int_equal(sock_state_parse("---"), 0);
	assert_int_equal(sock_state_parse("a-very-long-name-that-is-no-state-at-all"), 0);
}

static void endpoints_print_like_ss(void **state)
{
	(void)state;
	uint8_t a[16] = { 0 };
	char buf[96];
	inet_pton(AF_INET, "127.0.0.1", a);
	assert_string_equal(sock_endpoint_str(AF_INET, a, 8080, buf, sizeof(buf)), "127.0.0.1:8080");
	memset(a, 0, sizeof(a));
	assert_string_equal(sock_endpoint_str(AF_INET, a, 0, buf, sizeof(buf)), "0.0.0.0:*");
	inet_pton(AF_INET6, "::1", a);
	assert_string_equal(sock_endpoint_str(AF_INET6, a, 443, buf, sizeof(buf)), "[::1]:443");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", a);
	assert_string_equal(sock_addr_str(AF_INET6, a, buf, sizeof(buf)), "::ffff:127.0.0.1");
}

static void list_grows_and_clears(void **state)
{
	(void)state;
	struct sock_list l;
	sock_list_init(&l);
	for (int i = 0; i < 1000; i++) {
		struct sock_rec *r = sock_list_push(&l);
		assert_non_null(r);
		assert_int_equal(r->inode, 0);
		r->inode = (uint64_t)i;
	}
	assert_int_equal(l.n, 1000);
	assert_int_equal(l.v[999].inode, 999);
	sock_list_clear(&l);
	assert_int_equal(l.n, 0);
	assert_true(l.cap >= 1000);
	sock_list_free(&l);
	assert_null(l.v);
}

static void a_snapshot_list_gives_back_a_bursts_room_and_keeps_its_records(void **state)
{
	(void)state;
	struct sock_list l;
	sock_list_init(&l);
	for (uint64_t i = 0; i < 40000; i++)
		sock_list_push(&l)->inode = i;
	sock_list_fit(&l);                           /* may trim the doubling's slack */
	assert_int_equal(sock_list_fit(&l), 0);     /* then it is kept */
	size_t burst = l.cap;
	sock_list_clear(&l);                         /* the next, smaller snapshot */
	for (uint64_t i = 0; i < 3000; i++)
		sock_list_push(&l)->inode = i;
	assert_int_equal(sock_list_fit(&l), 1);
	assert_true(l.cap >= 3000 && l.cap < burst / 8);
	for (uint64_t i = 0; i < 3000; i++)
		assert_int_equal(l.v[i].inode, i);
	assert_int_equal(sock_list_fit(&l), 0);     /* once only */
	sock_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_names_are_the_kernel_names),
		cmocka_unit_test(unconnected_udp_is_unconn),
		cmocka_unit_test(state_parse_accepts_any_case_and_separator),
		cmocka_unit_test(endpoints_print_like_ss),
		cmocka_unit_test(list_grows_and_clears),
		cmocka_unit_test(a_snapshot_list_gives_back_a_bursts_room_and_keeps_its_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
