/* test_procnet.c — the /proc/net source: recorded tables from this kernel
 * parse into the sockets we opened (as netlink saw them), bad text is an
 * error naming its line, and a live /proc finds sockets opened here. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procnet.h"
#include "sock.h"

#define ROOT FIXTURES "/procnet"
#define ADDRLEN (INET6_ADDRSTRLEN + 16)

/* One socket of tests/fixtures/procnet/expected. */
struct expect {
	char label[64], proto[8], laddr[64], raddr[64];
	unsigned family, state, lport, rport;
	unsigned long uid, recvq, sendq;
	unsigned long long inode;
};

struct expects {
	struct expect v[128];
	size_t n;
};

/* ---- helpers ---------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	assert_non_null(buf);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static void load_expects(struct expects *e)
{
	FILE *f = fopen(ROOT "/expected", "r");
	char line[512];

	assert_non_null(f);
	e->n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct expect *x = &e->v[e->n];
		char name[32];
		if (line[0] == '#')
			continue;
		int got = sscanf(line, "%63s %7s %u %u %31s %63s %u %63s %u %lu %llu %lu %lu",
		                 x->label, x->proto, &x->family, &x->state, name, x->laddr,
		                 &x->lport, x->raddr, &x->rport, &x->uid, &x->inode,
		                 &x->recvq, &x->sendq);
		assert_int_equal(got, 13);
		e->n++;
		assert_true(e->n < sizeof(e->v) / sizeof(e->v[0]));
	}
	fclose(f);
	assert_true(e->n > 0);
}

static const struct expect *expect_get(const struct expects *e, const char *label)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].label, label) == 0)
			return &e->v[i];
	fail_msg("no socket labelled %s in the fixture", label);
	return NULL;
}

static uint8_t proto_of(const struct expect *x)
{
	return strcmp(x->proto, "tcp") == 0 ? IPPROTO_TCP : IPPROTO_UDP;
}

static uint8_t family_of(const struct expect *x)
{
	return x->family == 6 ? AF_INET6 : AF_INET;
}

static const struct sock_rec *find(const struct sock_list *l, const struct expect *x)
{
	char la[ADDRLEN], ra[ADDRLEN];

	for (size_t i = 0; i < l->n; i++) {
		const struct sock_rec *r = &l->v[i];
		if (r->proto != proto_of(x) || r->family != family_of(x) ||
		    r->lport != x->lport || r->rport != x->rport)
			continue;
		sock_addr_str(r->family, r->laddr, la, sizeof(la));
		sock_addr_str(r->family, r->raddr, ra, sizeof(ra));
		if (strcmp(la, x->laddr) == 0 && strcmp(ra, x->raddr) == 0)
			return r;
	}
	return NULL;
}

static const struct sock_rec *find_label(const struct sock_list *l,
                                         const struct expects *e, const char *label)
{
	const struct sock_rec *r = find(l, expect_get(e, label));
	if (!r)
		fail_msg("socket %s not parsed", label);
	return r;
}

static void assert_matches(const struct sock_rec *r, const struct expect *x)
{
	if (!r)
		fail_msg("socket %s not parsed", x->label);
	if (r->state != x->state || r->uid != x->uid || r->inode != x->inode ||
	    r->recvq != x->recvq || r->sendq != x->sendq)
		fail_msg("%s: state %u uid %u inode %llu recvq %u sendq %u, "
		         "want %u %lu %llu %lu %lu", x->label, r->state, r->uid,
		         (unsigned long long)r->inode, r->recvq, r->sendq,
		         x->state, x->uid, x->inode, x->recvq, x->sendq);
	assert_int_equal(r->ifindex, 0);
	assert_int_equal(r->cookie, 0);
	assert_int_equal(r->has_tcpinfo, 0);
}

static int parse_file(const char *name, uint8_t proto, uint8_t family,
                      struct sock_list *l)
{
	char path[512], err[256] = "";
	size_t len;

	snprintf(path, sizeof(path), ROOT "/net/%s", name);
	char *text = read_all(path, &len);
	int n = procnet_parse(text, len, proto, family, l, err, sizeof(err));
	free(text);
	if (n < 0)
		fail_msg("%s: %s", name, err);
	return n;
}

static size_t count_lines(const char *name)
{
	char path[512];
	size_t len, lines = 0;

	snprintf(path, sizeof(path), ROOT "/net/%s", name);
	char *text = read_all(path, &len);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	free(text);
	return lines;
}

/* Parses one table and checks every known socket of its kind. */
static void check_table(const char *name, uint8_t proto, uint8_t family)
{
	struct expects e;
	struct sock_list l;
	size_t checked = 0;

	load_expects(&e);
	sock_list_init(&l);
	parse_file(name, proto, family, &l);
	for (size_t i = 0; i < e.n; i++) {
		if (proto_of(&e.v[i]) != proto || family_of(&e.v[i]) != family)
			continue;
		assert_matches(find(&l, &e.v[i]), &e.v[i]);
		checked++;
	}
	assert_true(checked > 0);
	sock_list_free(&l);
}

static int parse_str(const char *text, struct sock_list *l, char *err, size_t errlen)
{
	return procnet_parse(text, strlen(text), IPPROTO_TCP, AF_INET, l, err, errlen);
}

/* Parses a heap copy of exactly len bytes, so ASan sees any read past it. */
static int parse_exact(const char *text, size_t len, uint8_t family,
                       struct sock_list *l, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	int n = procnet_parse(copy, len, IPPROTO_TCP, family, l, err, errlen);
	free(copy);
	return n;
}

static const char HEADER[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
/* A line as this kernel printed it (the tcp4_est_server socket). */
static const char LINE[] =
	"   1: 0100007F:8D45 0100007F:B238 01 00000000:000003E8 00:00000000 00000000     0        0 13804 1 0000000012e722ef 20 4 32 10 -1";

static void assert_error_on_line(const char *text, const char *line_word)
{
	struct sock_list l;
	char err[256] = "";

	sock_list_init(&l);
	assert_int_equal(parse_str(text, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, line_word));
	assert_int_equal(l.n, 0);
	sock_list_free(&l);
}

/* ---- recorded tables -------------------------------------------------- */

static void test_every_known_tcp4_socket_parses_as_netlink_saw_it(void **state)
{
	(void)state;
	check_table("tcp", IPPROTO_TCP, AF_INET);
}

static void test_every_known_tcp6_socket_parses_as_netlink_saw_it(void **state)
{
	(void)state;
	check_table("tcp6", IPPROTO_TCP, AF_INET6);
}

static void test_every_known_udp4_socket_parses_as_netlink_saw_it(void **state)
{
	(void)state;
	check_table("udp", IPPROTO_UDP, AF_INET);
}

static void test_every_known_udp6_socket_parses_as_netlink_saw_it(void **state)
{
	(void)state;
	check_table("udp6", IPPROTO_UDP, AF_INET6);
}

static void test_every_line_of_a_recorded_table_is_a_record(void **state)
{
	const char *names[] = { "tcp", "tcp6", "udp", "udp6" };
	const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP };
	const uint8_t fams[] = { AF_INET, AF_INET6, AF_INET, AF_INET6 };
	(void)state;
	for (int i = 0; i < 4; i++) {
		struct sock_list l;
		sock_list_init(&l);
		int n = parse_file(names[i], protos[i], fams[i], &l);
		assert_int_equal((size_t)n, count_lines(names[i]) - 1);
		assert_int_equal(l.n, (size_t)n);
		sock_list_free(&l);
	}
}

static void test_ipv6_loopback_listener_reads_as_colon_colon_one(void **state)
{
	struct expects e;
	struct sock_list l;
	char a[ADDRLEN];
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp6", IPPROTO_TCP, AF_INET6, &l);
	const struct sock_rec *r = find_label(&l, &e, "tcp6_listen");
	assert_string_equal(sock_addr_str(r->family, r->laddr, a, sizeof(a)), "::1");
	assert_string_equal(sock_addr_str(r->family, r->raddr, a, sizeof(a)), "::");
	assert_int_equal(r->state, SOCK_ST_LISTEN);
	sock_list_free(&l);
}

static void test_v4_mapped_connection_reads_as_ffff_address_in_ipv6(void **state)
{
	struct expects e;
	struct sock_list l;
	char a[ADDRLEN];
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp6", IPPROTO_TCP, AF_INET6, &l);
	const struct sock_rec *r = find_label(&l, &e, "tcp6_mapped_client");
	assert_int_equal(r->family, AF_INET6);
	assert_string_equal(sock_addr_str(r->family, r->laddr, a, sizeof(a)), "::ffff:127.0.0.1");
	assert_string_equal(sock_addr_str(r->family, r->raddr, a, sizeof(a)), "::ffff:127.0.0.1");
	assert_int_equal(r->state, SOCK_ST_ESTABLISHED);
	sock_list_free(&l);
}

static void test_ipv4_address_keeps_trailing_bytes_zero(void **state)
{
	struct expects e;
	struct sock_list l;
	static const uint8_t zero[12];
	char a[ADDRLEN];
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	const struct sock_rec *r = find_label(&l, &e, "tcp4_listen_nobody");
	assert_string_equal(sock_addr_str(r->family, r->laddr, a, sizeof(a)), "127.0.0.2");
	assert_memory_equal(r->laddr + 4, zero, sizeof(zero));
	assert_memory_equal(r->raddr + 4, zero, sizeof(zero));
	sock_list_free(&l);
}

static void test_listener_recvq_is_its_accept_queue_and_sendq_zero(void **state)
{
	struct expects e;
	struct sock_list l;
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	const struct sock_rec *r = find_label(&l, &e, "tcp4_listen_pending");
	assert_int_equal(r->recvq, 2);   /* two connections never accepted */
	assert_int_equal(r->sendq, 0);   /* netlink: the backlog limit, 16 */
	sock_list_free(&l);
}

static void test_unread_bytes_show_in_recvq_and_unacked_in_sendq(void **state)
{
	struct expects e;
	struct sock_list l;
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	assert_int_equal(find_label(&l, &e, "tcp4_est_server")->recvq, 1000);
	assert_true(find_label(&l, &e, "tcp4_fin_wait1")->sendq > 0);
	sock_list_free(&l);
}

static void test_unaccepted_connection_has_no_inode(void **state)
{
	struct expects e;
	struct sock_list l;
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	const struct sock_rec *r = find_label(&l, &e, "tcp4_unaccepted_child0");
	assert_int_equal(r->state, SOCK_ST_ESTABLISHED);
	assert_int_equal(r->inode, 0);
	sock_list_free(&l);
}

static void test_socket_made_by_uid_65534_reports_that_uid(void **state)
{
	struct expects e;
	struct sock_list l;
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	assert_int_equal(find_label(&l, &e, "tcp4_listen_nobody")->uid, 65534);
	sock_list_free(&l);
}

static void test_request_socket_reports_uid_zero_as_netlink_does(void **state)
{
	struct expects e;
	struct sock_list l;
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	/* The table prints the listener's uid (65534) on this line. */
	const struct sock_rec *r = find_label(&l, &e, "tcp4_syn_recv");
	assert_int_equal(r->state, SOCK_ST_SYN_RECV);
	assert_int_equal(r->uid, 0);
	assert_int_equal(r->inode, 0);
	sock_list_free(&l);
}

static void test_time_wait_has_no_inode(void **state)
{
	struct expects e;
	struct sock_list l;
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("tcp6", IPPROTO_TCP, AF_INET6, &l);
	const struct sock_rec *r = find_label(&l, &e, "tcp6_time_wait");
	assert_int_equal(r->state, SOCK_ST_TIME_WAIT);
	assert_int_equal(r->inode, 0);
	sock_list_free(&l);
}

static void test_every_tcp_state_held_at_recording_comes_out(void **state)
{
	static const uint8_t states[] = {
		SOCK_ST_ESTABLISHED, SOCK_ST_SYN_SENT, SOCK_ST_SYN_RECV,
		SOCK_ST_FIN_WAIT1, SOCK_ST_FIN_WAIT2, SOCK_ST_TIME_WAIT,
		SOCK_ST_CLOSE_WAIT, SOCK_ST_LAST_ACK, SOCK_ST_LISTEN, SOCK_ST_CLOSING,
	};
	struct sock_list l;
	(void)state;

	sock_list_init(&l);
	parse_file("tcp", IPPROTO_TCP, AF_INET, &l);
	for (size_t s = 0; s < sizeof(states); s++) {
		size_t i = 0;
		while (i < l.n && l.v[i].state != states[s])
			i++;
		if (i == l.n)
			fail_msg("no %s socket", sock_state_name(IPPROTO_TCP, states[s]));
	}
	sock_list_free(&l);
}

static void test_unconnected_udp_is_unconn_with_wildcard_remote(void **state)
{
	struct expects e;
	struct sock_list l;
	char a[ADDRLEN];
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	parse_file("udp6", IPPROTO_UDP, AF_INET6, &l);
	const struct sock_rec *r = find_label(&l, &e, "udp6_unconn");
	assert_string_equal(sock_state_name(r->proto, r->state), "UNCONN");
	assert_string_equal(sock_addr_str(r->family, r->raddr, a, sizeof(a)), "::");
	assert_int_equal(r->rport, 0);
	assert_true(r->recvq > 0);       /* a datagram nobody read */
	sock_list_free(&l);
}

static void test_collect_of_recorded_tree_finds_every_known_socket(void **state)
{
	struct expects e;
	struct sock_list l;
	char err[256] = "";
	(void)state;

	load_expects(&e);
	sock_list_init(&l);
	assert_int_equal(procnet_collect(ROOT, SOCK_WANT_ALL, &l, err, sizeof(err)), 0);
	for (size_t i = 0; i < e.n; i++)
		assert_matches(find(&l, &e.v[i]), &e.v[i]);
	sock_list_free(&l);
}

/* ---- what a table may look like --------------------------------------- */

static void test_empty_text_gives_no_records(void **state)
{
	struct sock_list l;
	char err[64] = "";
	(void)state;

	sock_list_init(&l);
	assert_int_equal(procnet_parse(NULL, 0, IPPROTO_TCP, AF_INET, &l, err, sizeof(err)), 0);
	assert_int_equal(parse_str("", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	sock_list_free(&l);
}

static void test_header_alone_gives_no_records(void **state)
{
	struct sock_list l;
	char err[64] = "";
	(void)state;

	sock_list_init(&l);
	assert_int_equal(parse_str(HEADER, &l, err, sizeof(err)), 0);
	/* ...with or without its newline */
	assert_int_equal(procnet_parse(HEADER, strlen(HEADER) - 1, IPPROTO_TCP, AF_INET,
	                               &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	sock_list_free(&l);
}

static void test_last_line_without_newline_is_parsed(void **state)
{
	struct sock_list l;
	char err[64] = "", text[512];
	(void)state;

	snprintf(text, sizeof(text), "%s%s", HEADER, LINE);
	sock_list_init(&l);
	assert_int_equal(parse_exact(text, strlen(text), AF_INET, &l, err, sizeof(err)), 1);
	assert_int_equal(l.v[0].inode, 13804);
	assert_int_equal(l.v[0].lport, 0x8D45);
	assert_int_equal(l.v[0].rport, 0xB238);
	assert_int_equal(l.v[0].recvq, 1000);
	sock_list_free(&l);
}

static void test_table_without_header_is_parsed(void **state)
{
	struct sock_list l;
	char err[64] = "";
	(void)state;

	sock_list_init(&l);
	assert_int_equal(parse_str(LINE, &l, err, sizeof(err)), 1);
	sock_list_free(&l);
}

static void test_truncated_line_is_an_error_naming_its_line(void **state)
{
	char text[1024];
	(void)state;

	snprintf(text, sizeof(text), "%s%s\n   2: 0100007F:8D45 0100007F:B2\n", HEADER, LINE);
	assert_error_on_line(text, "line 3");
}

static void test_bad_hex_in_address_is_an_error_naming_its_line(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100G07F:8D45 00000000:0000 0A 00000000:00000000 "
	                     "00:00000000 00000000     0        0 1 1 0\n", "line 1: bad local address");
}

static void test_too_long_port_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:18D45 00000000:0000 0A 00000000:00000000 "
	                     "00:00000000 00000000     0        0 1 1 0\n", "bad local address");
}

static void test_too_long_address_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 000000000:0000 0A 00000000:00000000 "
	                     "00:00000000 00000000     0        0 1 1 0\n", "bad remote address");
}

static void test_ipv4_address_in_ipv6_table_is_an_error(void **state)
{
	struct sock_list l;
	char err[128] = "";
	(void)state;

	sock_list_init(&l);
	assert_int_equal(parse_exact(LINE, strlen(LINE), AF_INET6, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: bad local address");
	sock_list_free(&l);
}

static void test_too_long_queue_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 0A 000000000:00000000 "
	                     "00:00000000 00000000     0        0 1 1 0\n", "bad tx_queue");
}

static void test_uid_beyond_32_bits_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 0A 00000000:00000000 "
	                     "00:00000000 00000000 4294967296 0 1 1 0\n", "bad uid");
}

static void test_inode_beyond_64_bits_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 0A 00000000:00000000 "
	                     "00:00000000 00000000 0 0 18446744073709551616 1 0\n", "bad inode");
}

static void test_letters_glued_to_inode_are_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 0A 00000000:00000000 "
	                     "00:00000000 00000000 0 0 123x 1 0\n", "bad inode");
}

static void test_state_zero_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 00 00000000:00000000 "
	                     "00:00000000 00000000 0 0 1 1 0\n", "bad state");
}

/* Found by fuzzing: two hex digits reach 0xFF, and a state past the kernel's
 * last reached the table (and sock_state_name) as netlink never lets it. */
static void test_state_past_the_kernels_last_is_an_error(void **state)
{
	(void)state;
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 0D 00000000:00000000 "
	                     "00:00000000 00000000 0 0 1 1 0\n", "bad state");
	assert_error_on_line("   0: 0100007F:8D45 00000000:0000 FF 00000000:00000000 "
	                     "00:00000000 00000000 0 0 1 1 0\n", "bad state");
}

static void test_second_header_is_an_error(void **state)
{
	char text[512];
	(void)state;

	snprintf(text, sizeof(text), "%s%s", HEADER, HEADER);
	assert_error_on_line(text, "line 2: bad slot number");
}

static void test_failed_parse_leaves_earlier_records_alone(void **state)
{
	struct sock_list l;
	char err[128] = "", text[1024];
	(void)state;

	sock_list_init(&l);
	assert_int_equal(parse_str(LINE, &l, err, sizeof(err)), 1);
	snprintf(text, sizeof(text), "%s\n%s\n   2: junk\n", LINE, LINE);
	assert_int_equal(parse_str(text, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "line 3: bad local address");
	assert_int_equal(l.n, 1);
	sock_list_free(&l);
}

static void test_every_truncation_of_a_line_parses_or_fails_cleanly(void **state)
{
	struct sock_list l;
	char err[128];
	(void)state;

	sock_list_init(&l);
	for (size_t len = 0; len <= strlen(LINE); len++) {
		int n = parse_exact(LINE, len, AF_INET, &l, err, sizeof(err));
		assert_true(n == -1 || n == 0 || n == 1);
		if (n == 1)              /* never a silently shortened inode */
			assert_int_equal(l.v[0].inode, 13804);
		if (n == -1)
			assert_non_null(strstr(err, "line 1: "));
		sock_list_clear(&l);
	}
	sock_list_free(&l);
}

static void test_very_long_line_is_parsed_in_place(void **state)
{
	struct sock_list l;
	char err[128] = "";
	size_t pad = 1 << 20, n = strlen(LINE);
	char *text = malloc(n + pad);
	(void)state;

	assert_non_null(text);
	memcpy(text, LINE, n);
	memset(text + n, ' ', pad);      /* seq_file pads lines with blanks */
	sock_list_init(&l);
	assert_int_equal(parse_exact(text, n + pad, AF_INET, &l, err, sizeof(err)), 1);
	free(text);
	sock_list_free(&l);
}

static void test_hundred_thousand_lines_all_come_out(void **state)
{
	const size_t lines = 100000, n = strlen(LINE) + 1;
	struct sock_list l;
	char err[128] = "";
	char *text = malloc(lines * n);
	(void)state;

	assert_non_null(text);
	for (size_t i = 0; i < lines; i++) {
		memcpy(text + i * n, LINE, n - 1);
		text[i * n + n - 1] = '\n';
	}
	sock_list_init(&l);
	assert_int_equal(procnet_parse(text, lines * n, IPPROTO_TCP, AF_INET, &l, err,
	                               sizeof(err)), (int)lines);
	assert_int_equal(l.v[lines - 1].inode, 13804);
	free(text);
	sock_list_free(&l);
}

static void test_unknown_table_kind_is_refused(void **state)
{
	struct sock_list l;
	char err[128] = "";
	(void)state;

	sock_list_init(&l);
	assert_int_equal(procnet_parse(LINE, strlen(LINE), IPPROTO_ICMP, AF_INET, &l, err,
	                               sizeof(err)), -1);
	assert_true(err[0] != '\0');
	sock_list_free(&l);
}

/* ---- collecting from a tree ------------------------------------------- */

struct tree {
	char dir[64], net[96];
};

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void tree_make(struct tree *t)
{
	strcpy(t->dir, "/tmp/test_procnet.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->net, sizeof(t->net), "%s/net", t->dir);
	assert_int_equal(mkdir(t->net, 0700), 0);
}

static void tree_put(struct tree *t, const char *name, const char *text, size_t len)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", t->net, name);
	write_file(path, text, len);
}

/* Copies a recorded table into the tree. */
static void tree_copy(struct tree *t, const char *name)
{
	char path[512];
	size_t len;
	snprintf(path, sizeof(path), ROOT "/net/%s", name);
	char *text = read_all(path, &len);
	tree_put(t, name, text, len);
	free(text);
}

static void tree_remove(struct tree *t)
{
	const char *names[] = { "tcp", "tcp6", "udp", "udp6" };
	char path[160];
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", t->net, names[i]);
		unlink(path);
	}
	rmdir(t->net);
	rmdir(t->dir);
}

static void test_collect_skips_ipv6_tables_a_kernel_without_ipv6_lacks(void **state)
{
	struct tree t;
	struct sock_list l;
	char err[256] = "";
	(void)state;

	tree_make(&t);
	tree_copy(&t, "tcp");
	tree_copy(&t, "udp");
	sock_list_init(&l);
	assert_int_equal(procnet_collect(t.dir, SOCK_WANT_ALL, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, count_lines("tcp") - 1 + count_lines("udp") - 1);
	sock_list_free(&l);
	tree_remove(&t);
}

static void test_collect_without_ipv4_table_is_an_error_naming_it(void **state)
{
	struct tree t;
	struct sock_list l;
	char err[256] = "";
	(void)state;

	tree_make(&t);
	tree_copy(&t, "udp");
	sock_list_init(&l);
	assert_int_equal(procnet_collect(t.dir, SOCK_WANT_ALL, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/net/tcp: "));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(l.n, 0);
	sock_list_free(&l);
	tree_remove(&t);
}

static void test_collect_error_names_file_and_line(void **state)
{
	struct tree t;
	struct sock_list l;
	char err[256] = "", text[512], want[160];
	(void)state;

	tree_make(&t);
	tree_copy(&t, "tcp");
	snprintf(text, sizeof(text), "%s%s\nnonsense\n", HEADER, LINE);
	tree_put(&t, "udp", text, strlen(text));
	sock_list_init(&l);
	assert_int_equal(procnet_collect(t.dir, SOCK_WANT_ALL, &l, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/udp: line 3: bad slot number", t.net);
	assert_string_equal(err, want);
	assert_int_equal(l.n, 0);        /* tcp's records were taken back */
	sock_list_free(&l);
	tree_remove(&t);
}

static void assert_only(const struct sock_list *l, uint8_t proto, uint8_t family)
{
	for (size_t i = 0; i < l->n; i++) {
		if (proto)
			assert_int_equal(l->v[i].proto, proto);
		if (family)
			assert_int_equal(l->v[i].family, family);
	}
}

static size_t collect_count(unsigned want, uint8_t proto, uint8_t family)
{
	struct sock_list l;
	char err[256] = "";

	sock_list_init(&l);
	assert_int_equal(procnet_collect(ROOT, want, &l, err, sizeof(err)), 0);
	assert_only(&l, proto, family);
	size_t n = l.n;
	sock_list_free(&l);
	return n;
}

static void test_want_tcp_v4_reads_only_the_tcp_table(void **state)
{
	(void)state;
	assert_int_equal(collect_count(SOCK_WANT_TCP | SOCK_WANT_V4, IPPROTO_TCP, AF_INET),
	                 count_lines("tcp") - 1);
}

static void test_want_udp_alone_reads_udp_of_both_families(void **state)
{
	(void)state;
	assert_int_equal(collect_count(SOCK_WANT_UDP, IPPROTO_UDP, 0),
	                 count_lines("udp") - 1 + count_lines("udp6") - 1);
}

static void test_want_v6_alone_reads_tcp6_and_udp6(void **state)
{
	(void)state;
	assert_int_equal(collect_count(SOCK_WANT_V6, 0, AF_INET6),
	                 count_lines("tcp6") - 1 + count_lines("udp6") - 1);
}

static void test_want_zero_reads_every_table(void **state)
{
	(void)state;
	assert_int_equal(collect_count(0, 0, 0), collect_count(SOCK_WANT_ALL, 0, 0));
	assert_int_equal(collect_count(0, 0, 0),
	                 count_lines("tcp") + count_lines("tcp6") +
	                 count_lines("udp") + count_lines("udp6") - 4);
}

/* ---- the live kernel -------------------------------------------------- */

static uint64_t inode_of(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static const struct sock_rec *find_inode(const struct sock_list *l, uint64_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

static void test_live_tcp_listener_on_127_is_found_by_its_inode(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct sock_list l;
	char err[256] = "", a[ADDRLEN];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	(void)state;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 7), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	sock_list_init(&l);
	assert_int_equal(procnet_collect("/proc", SOCK_WANT_TCP | SOCK_WANT_V4, &l, err,
	                                 sizeof(err)), 0);
	const struct sock_rec *r = find_inode(&l, inode_of(fd));
	assert_non_null(r);
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->state, SOCK_ST_LISTEN);
	assert_int_equal(r->lport, ntohs(sa.sin_port));
	assert_int_equal(r->uid, geteuid());
	assert_string_equal(sock_addr_str(r->family, r->laddr, a, sizeof(a)), "127.0.0.1");
	sock_list_free(&l);
	close(fd);
}

static void test_live_udp_socket_on_ipv6_loopback_is_found_by_its_inode(void **state)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t salen = sizeof(sa);
	struct sock_list l;
	char err[256] = "", a[ADDRLEN];
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	(void)state;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		skip();                  /* no IPv6 on this machine */
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	sock_list_init(&l);
	assert_int_equal(procnet_collect("/proc", SOCK_WANT_UDP | SOCK_WANT_V6, &l, err,
	                                 sizeof(err)), 0);
	const struct sock_rec *r = find_inode(&l, inode_of(fd));
	assert_non_null(r);
	assert_int_equal(r->proto, IPPROTO_UDP);
	assert_int_equal(r->family, AF_INET6);
	assert_string_equal(sock_state_name(r->proto, r->state), "UNCONN");
	assert_int_equal(r->lport, ntohs(sa.sin6_port));
	assert_string_equal(sock_addr_str(r->family, r->laddr, a, sizeof(a)), "::1");
	sock_list_free(&l);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_known_tcp4_socket_parses_as_netlink_saw_it),
		cmocka_unit_test(test_every_known_tcp6_socket_parses_as_netlink_saw_it),
		cmocka_unit_test(test_every_known_udp4_socket_parses_as_netlink_saw_it),
		cmocka_unit_test(test_every_known_udp6_socket_parses_as_netlink_saw_it),
		cmocka_unit_test(test_every_line_of_a_recorded_table_is_a_record),
		cmocka_unit_test(test_ipv6_loopback_listener_reads_as_colon_colon_one),
		cmocka_unit_test(test_v4_mapped_connection_reads_as_ffff_address_in_ipv6),
		cmocka_unit_test(test_ipv4_address_keeps_trailing_bytes_zero),
		cmocka_unit_test(test_listener_recvq_is_its_accept_queue_and_sendq_zero),
		cmocka_unit_test(test_unread_bytes_show_in_recvq_and_unacked_in_sendq),
		cmocka_unit_test(test_unaccepted_connection_has_no_inode),
		cmocka_unit_test(test_socket_made_by_uid_65534_reports_that_uid),
		cmocka_unit_test(test_request_socket_reports_uid_zero_as_netlink_does),
		cmocka_unit_test(test_time_wait_has_no_inode),
		cmocka_unit_test(test_every_tcp_state_held_at_recording_comes_out),
		cmocka_unit_test(test_unconnected_udp_is_unconn_with_wildcard_remote),
		cmocka_unit_test(test_collect_of_recorded_tree_finds_every_known_socket),
		cmocka_unit_test(test_empty_text_gives_no_records),
		cmocka_unit_test(test_header_alone_gives_no_records),
		cmocka_unit_test(test_last_line_without_newline_is_parsed),
		cmocka_unit_test(test_table_without_header_is_parsed),
		cmocka_unit_test(test_truncated_line_is_an_error_naming_its_line),
		cmocka_unit_test(test_bad_hex_in_address_is_an_error_naming_its_line),
		cmocka_unit_test(test_too_long_port_is_an_error),
		cmocka_unit_test(test_too_long_address_is_an_error),
		cmocka_unit_test(test_ipv4_address_in_ipv6_table_is_an_error),
		cmocka_unit_test(test_too_long_queue_is_an_error),
		cmocka_unit_test(test_uid_beyond_32_bits_is_an_error),
		cmocka_unit_test(test_inode_beyond_64_bits_is_an_error),
		cmocka_unit_test(test_letters_glued_to_inode_are_an_error),
		cmocka_unit_test(test_state_zero_is_an_error),
		cmocka_unit_test(test_state_past_the_kernels_last_is_an_error),
		cmocka_unit_test(test_second_header_is_an_error),
		cmocka_unit_test(test_failed_parse_leaves_earlier_records_alone),
		cmocka_unit_test(test_every_truncation_of_a_line_parses_or_fails_cleanly),
		cmocka_unit_test(test_very_long_line_is_parsed_in_place),
		cmocka_unit_test(test_hundred_thousand_lines_all_come_out),
		cmocka_unit_test(test_unknown_table_kind_is_refused),
		cmocka_unit_test(test_collect_skips_ipv6_tables_a_kernel_without_ipv6_lacks),
		cmocka_unit_test(test_collect_without_ipv4_table_is_an_error_naming_it),
		cmocka_unit_test(test_collect_error_names_file_and_line),
		cmocka_unit_test(test_want_tcp_v4_reads_only_the_tcp_table),
		cmocka_unit_test(test_want_udp_alone_reads_udp_of_both_families),
		cmocka_unit_test(test_want_v6_alone_reads_tcp6_and_udp6),
		cmocka_unit_test(test_want_zero_reads_every_table),
		cmocka_unit_test(test_live_tcp_listener_on_127_is_found_by_its_inode),
		cmocka_unit_test(test_live_udp_socket_on_ipv6_loopback_is_found_by_its_inode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
