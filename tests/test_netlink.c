/* test_netlink.c — the sock_diag source: recorded dumps decode into the
 * sockets they were recorded from, broken dumps are refused, live dumps
 * find sockets this test opens on loopback, and SOCK_DESTROY closes exactly
 * the connection asked for, or says why not; the kernel's announcements of
 * closed sockets decode with their final counters, and arrive live. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/wait.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "fixture.h"
#include "netlink.h"

/* ---- fixtures ---- */

struct fixture {
	unsigned char *buf;
	size_t len;
};

/* Reads tests/fixtures/<name>.bin. */
static struct fixture fixture_load_path(const char *name)
{
	char file[128];
	struct fixture f = { 0 };
	snprintf(file, sizeof(file), "%s.bin", name);
	f.buf = fixture_read(file, &f.len);
	return f;
}

static struct fixture fixture_load(const char *kind)
{
	char name[64];

	snprintf(name, sizeof(name), "netlink-%s", kind);
	return fixture_load_path(name);
}

static uint8_t proto_of(const char *kind)
{
	return strncmp(kind, "tcp", 3) == 0 ? IPPROTO_TCP : IPPROTO_UDP;
}

static void fixture_decode(const char *kind, struct sock_list *out)
{
	struct fixture f = fixture_load(kind);

	sock_list_init(out);
	assert_true(netlink_parse_buffer(f.buf, f.len, proto_of(kind), out) > 0);
	free(f.buf);
}

/* One line of netlink-<kind>.expect, written by tests/tools/nlrecord.py. */
struct expect {
	uint8_t proto, family, state;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
	uint64_t inode;
	uint32_t uid;
	char recvq[16], sendq[16], acked[16], received[16];
};

static const char *const state_names[SOCK_ST_MAX] = {
	[SOCK_ST_ESTABLISHED] = "ESTABLISHED", [SOCK_ST_SYN_SENT] = "SYN_SENT",
	[SOCK_ST_SYN_RECV] = "SYN_RECV", [SOCK_ST_FIN_WAIT1] = "FIN_WAIT1",
	[SOCK_ST_FIN_WAIT2] = "FIN_WAIT2", [SOCK_ST_TIME_WAIT] = "TIME_WAIT",
	[SOCK_ST_CLOSE] = "CLOSE", [SOCK_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[SOCK_ST_LAST_ACK] = "LAST_ACK", [SOCK_ST_LISTEN] = "LISTEN",
	[SOCK_ST_CLOSING] = "CLOSING", [SOCK_ST_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static uint8_t state_number(const char *name)
{
	for (int i = 1; i < SOCK_ST_MAX; i++)
		if (strcmp(state_names[i], name) == 0)
			return (uint8_t)i;
	fail_msg("unknown state %s in expect file", name);
	return 0;
}

static void parse_expect_line(const char *line, struct expect *e)
{
	char proto[8], state[16], la[64], ra[64];
	unsigned fam, lport, rport, uid;
	unsigned long long inode;
	int af;

	memset(e, 0, sizeof(*e));
	assert_int_equal(sscanf(line, "%7s %u %15s %63s %u %63s %u %llu %u %15s %15s %15s %15s",
	                        proto, &fam, state, la, &lport, ra, &rport, &inode, &uid,
	                        e->recvq, e->sendq, e->acked, e->received), 13);
	e->proto = strcmp(proto, "tcp") == 0 ? IPPROTO_TCP : IPPROTO_UDP;
	e->family = fam == 4 ? AF_INET : AF_INET6;
	af = e->family;
	e->state = state_number(state);
	assert_int_equal(inet_pton(af, la, e->laddr), 1);
	assert_int_equal(inet_pton(af, ra, e->raddr), 1);
	e->lport = (uint16_t)lport;
	e->rport = (uint16_t)rport;
	e->inode = inode;
	e->uid = uid;
}

static size_t expect_load(const char *kind, struct expect *out, size_t max)
{
	char path[512], line[512];
	size_t n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/netlink-%s.expect", FIXTURES, kind);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_true(n < max);
		parse_expect_line(line, &out[n++]);
	}
	fclose(fp);
	assert_true(n > 0);
	return n;
}

static const struct sock_rec *find_endpoints(const struct sock_list *l, uint8_t family,
                                             const uint8_t laddr[16], uint16_t lport,
                                             const uint8_t raddr[16], uint16_t rport)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sock_rec *r = &l->v[i];
		if (r->family == family && r->lport == lport && r->rport == rport &&
		    memcmp(r->laddr, laddr, 16) == 0 && memcmp(r->raddr, raddr, 16) == 0)
			return r;
	}
	return NULL;
}

static const struct sock_rec *find_expected(const struct sock_list *l, const struct expect *e)
{
	const struct sock_rec *r = find_endpoints(l, e->family, e->laddr, e->lport,
	                                          e->raddr, e->rport);
	if (!r)
		fail_msg("socket with local port %u, remote port %u not decoded",
		         e->lport, e->rport);
	return r;
}

/* "-" asserts nothing, ">=N" a lower bound, "N" the exact value. */
static void assert_queue(const char *want, uint64_t got)
{
	if (strcmp(want, "-") == 0)
		return;
	if (strncmp(want, ">=", 2) == 0)
		assert_true(got >= strtoull(want + 2, NULL, 10));
	else
		assert_int_equal(got, strtoull(want, NULL, 10));
}

static void check_fixture_sockets(const char *kind)
{
	struct expect ex[32];
	size_t n = expect_load(kind, ex, 32);
	struct sock_list l;

	fixture_decode(kind, &l);
	for (size_t i = 0; i < n; i++) {
		const struct sock_rec *r = find_expected(&l, &ex[i]);
		assert_int_equal(r->proto, ex[i].proto);
		assert_int_equal(r->state, ex[i].state);
		assert_int_equal(r->inode, ex[i].inode);
		assert_int_equal(r->uid, ex[i].uid);
		assert_queue(ex[i].recvq, r->recvq);
		assert_queue(ex[i].sendq, r->sendq);
	}
	sock_list_free(&l);
}

/* ---- recorded dumps decode into the recorded sockets ---- */

static void test_tcp4_dump_yields_the_recorded_sockets(void **state)
{
	(void)state;
	check_fixture_sockets("tcp4");
}

static void test_tcp6_dump_yields_the_recorded_sockets(void **state)
{
	(void)state;
	check_fixture_sockets("tcp6");
}

static void test_udp4_dump_yields_the_recorded_sockets(void **state)
{
	(void)state;
	check_fixture_sockets("udp4");
}

static void test_udp6_dump_yields_the_recorded_sockets(void **state)
{
	(void)state;
	check_fixture_sockets("udp6");
}

static void check_tcpinfo_counters(const char *kind)
{
	struct expect ex[32];
	size_t n = expect_load(kind, ex, 32), checked = 0;
	struct sock_list l;

	fixture_decode(kind, &l);
	for (size_t i = 0; i < n; i++) {
		const struct sock_rec *r = find_expected(&l, &ex[i]);
		if (strcmp(ex[i].acked, "-") == 0)
			continue;
		assert_true(r->has_tcpinfo);
		assert_true(r->tcp.bytes_acked >= strtoull(ex[i].acked, NULL, 10));
		assert_true(r->tcp.bytes_received >= strtoull(ex[i].received, NULL, 10));
		assert_true(r->tcp.bytes_sent >= strtoull(ex[i].acked, NULL, 10));
		assert_true(r->tcp.rtt_us > 0);
		assert_true(r->tcp.snd_cwnd > 0);
		checked++;
	}
	assert_true(checked >= 2);
	sock_list_free(&l);
}

static void test_established_tcp4_sockets_carry_their_byte_counts(void **state)
{
	(void)state;
	check_tcpinfo_counters("tcp4");
}

static void test_established_tcp6_sockets_carry_their_byte_counts(void **state)
{
	(void)state;
	check_tcpinfo_counters("tcp6");
}

static void test_listeners_and_time_wait_carry_no_tcp_info(void **state)
{
	struct sock_list l;
	size_t seen = 0;

	(void)state;
	fixture_decode("tcp4", &l);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].state != SOCK_ST_LISTEN && l.v[i].state != SOCK_ST_TIME_WAIT)
			continue;
		assert_false(l.v[i].has_tcpinfo);
		seen++;
	}
	assert_true(seen >= 2);
	sock_list_free(&l);
}

static void test_udp_sockets_carry_no_tcp_info(void **state)
{
	struct sock_list l;

	(void)state;
	fixture_decode("udp6", &l);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].proto, IPPROTO_UDP);
		assert_false(l.v[i].has_tcpinfo);
	}
	sock_list_free(&l);
}

static void test_ipv4_addresses_fill_only_the_first_four_bytes(void **state)
{
	static const uint8_t zero[12];
	struct sock_list l;

	(void)state;
	fixture_decode("tcp4", &l);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].family, AF_INET);
		assert_int_equal(l.v[i].laddr[0], 127);
		assert_memory_equal(l.v[i].laddr + 4, zero, 12);
		assert_memory_equal(l.v[i].raddr + 4, zero, 12);
	}
	sock_list_free(&l);
}

static void test_v4_mapped_connection_stays_ipv6(void **state)
{
	uint8_t mapped[16];
	struct expect ex[32];
	size_t n = expect_load("tcp6", ex, 32), seen = 0;
	struct sock_list l;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", mapped), 1);
	fixture_decode("tcp6", &l);
	for (size_t i = 0; i < n; i++) {
		if (memcmp(ex[i].laddr, mapped, 16) != 0)
			continue;
		const struct sock_rec *r = find_expected(&l, &ex[i]);
		assert_int_equal(r->family, AF_INET6);
		assert_memory_equal(r->raddr, mapped, 16);
		assert_int_equal(r->state, SOCK_ST_ESTABLISHED);
		seen++;
	}
	assert_int_equal(seen, 1);
	sock_list_free(&l);
}

static void test_every_decoded_socket_has_a_distinct_cookie(void **state)
{
	struct sock_list l;

	(void)state;
	fixture_decode("tcp4", &l);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(l.v[i].cookie != 0);
		for (size_t j = i + 1; j < l.n; j++)
			assert_true(l.v[i].cookie != l.v[j].cookie);
	}
	sock_list_free(&l);
}

static void test_decoding_appends_after_existing_records(void **state)
{
	struct fixture f = fixture_load("udp4");
	struct sock_list l;
	int n;

	(void)state;
	sock_list_init(&l);
	sock_list_push(&l)->lport = 4242;
	n = netlink_parse_buffer(f.buf, f.len, IPPROTO_UDP, &l);
	assert_true(n > 0);
	assert_int_equal(l.n, (size_t)n + 1);
	assert_int_equal(l.v[0].lport, 4242);
	sock_list_free(&l);
	free(f.buf);
}

/* ---- broken input is refused, never half-used ---- */

static void test_truncated_dump_is_rejected_whole(void **state)
{
	struct fixture f = fixture_load("tcp4");
	size_t cuts[] = { 0, 1, 15, 16, 17, 40, 71, 72, 73, f.len / 2,
	                  f.len / 2 + 3, f.len - 21, f.len - 20, f.len - 1 };
	struct sock_list l;

	(void)state;
	sock_list_init(&l);
	sock_list_push(&l);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		/* A heap copy of exactly the cut length, so reading past it is
		 * caught by the sanitizers. */
		unsigned char *cut = malloc(cuts[i] ? cuts[i] : 1);
		assert_non_null(cut);
		memcpy(cut, f.buf, cuts[i]);
		assert_int_equal(netlink_parse_buffer(cut, cuts[i], IPPROTO_TCP, &l), -1);
		assert_int_equal(l.n, 1);
		free(cut);
	}
	sock_list_free(&l);
	free(f.buf);
}

static void test_message_shorter_than_its_header_is_rejected(void **state)
{
	struct fixture f = fixture_load("udp4");
	struct nlmsghdr *nlh = (struct nlmsghdr *)f.buf;
	struct sock_rec rec;

	(void)state;
	assert_int_equal(netlink_parse_msg(nlh, IPPROTO_UDP, &rec), 0);
	nlh->nlmsg_len = NLMSG_LENGTH(40); /* cuts into struct inet_diag_msg */
	assert_int_equal(netlink_parse_msg(nlh, IPPROTO_UDP, &rec), -1);
	free(f.buf);
}

static void test_attribute_running_past_its_message_is_rejected(void **state)
{
	struct fixture f = fixture_load("tcp6");
	struct nlmsghdr *nlh = (struct nlmsghdr *)f.buf;
	struct sock_rec rec;
	struct sock_list l;
	struct nlattr *first;

	(void)state;
	sock_list_init(&l);
	/* The first socket of a TCP dump has attributes (a listener or an
	 * established socket: tcp_info at least). */
	assert_true(nlh->nlmsg_len > NLMSG_LENGTH(72));
	first = (struct nlattr *)((char *)NLMSG_DATA(nlh) + 72);
	first->nla_len = (uint16_t)(nlh->nlmsg_len + 8);
	assert_int_equal(netlink_parse_msg(nlh, IPPROTO_TCP, &rec), -1);
	assert_int_equal(netlink_parse_buffer(f.buf, f.len, IPPROTO_TCP, &l), -1);
	assert_int_equal(l.n, 0);
	sock_list_free(&l);
	free(f.buf);
}

static void test_non_socket_message_is_not_decoded_as_one(void **state)
{
	struct fixture f = fixture_load("udp4");
	/* The dump's last message is its NLMSG_DONE. */
	struct nlmsghdr *done = (struct nlmsghdr *)(f.buf + f.len - NLMSG_LENGTH(4));
	struct sock_rec rec;

	(void)state;
	assert_int_equal(done->nlmsg_type, NLMSG_DONE);
	assert_int_equal(netlink_parse_msg(done, IPPROTO_UDP, &rec), -1);
	assert_int_equal(netlink_parse_msg(NULL, IPPROTO_UDP, &rec), -1);
	free(f.buf);
}

static void test_kernel_error_reply_is_not_a_table(void **state)
{
	struct {
		struct nlmsghdr nlh;
		struct nlmsgerr err;
	} reply = {
		.nlh = { .nlmsg_len = sizeof(reply), .nlmsg_type = NLMSG_ERROR },
		.err = { .error = -EPERM },
	};
	struct sock_list l = { 0 };

	(void)state;
	assert_int_equal(netlink_parse_buffer(&reply, sizeof(reply), IPPROTO_TCP, &l), -1);
	assert_int_equal(l.n, 0);
}

/* Found by fuzzing: an error reply of INT_MIN was negated into an errno,
 * which overflows. The kernel only sends 0 or -1 .. -4095. */
static void test_error_reply_outside_errno_range_is_malformed(void **state)
{
	static const int bogus[] = { INT_MIN, -4096, 1, INT_MAX };
	struct {
		struct nlmsghdr nlh;
		struct nlmsgerr err;
	} reply = {
		.nlh = { .nlmsg_len = sizeof(reply), .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = 7 },
	};
	struct sock_list l = { 0 };
	int e = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		reply.err.error = bogus[i];
		assert_int_equal(netlink_parse_buffer(&reply, sizeof(reply), IPPROTO_TCP, &l), -1);
		assert_int_equal(l.n, 0);
		assert_int_equal(netlink_parse_ack(&reply, sizeof(reply), 7, &e), -1);
	}
	reply.err.error = -4095;
	assert_int_equal(netlink_parse_ack(&reply, sizeof(reply), 7, &e), 1);
	assert_int_equal(e, 4095);
}

static void test_corrupted_dump_never_crashes(void **state)
{
	struct fixture f = fixture_load("tcp6");
	unsigned char *copy = malloc(f.len);
	unsigned seed = 12345;

	(void)state;
	assert_non_null(copy);
	for (int round = 0; round < 2000; round++) {
		struct sock_list l;
		memcpy(copy, f.buf, f.len);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % f.len] = (unsigned char)(seed >> 3);
		}
		sock_list_init(&l);
		int n = netlink_parse_buffer(copy, f.len, IPPROTO_TCP, &l);
		assert_true(n == -1 || (size_t)n == l.n);
		sock_list_free(&l);
	}
	free(copy);
	free(f.buf);
}

static void test_unaligned_buffer_decodes_the_same(void **state)
{
	struct fixture f = fixture_load("udp6");
	unsigned char *odd = malloc(f.len + 1);
	struct sock_list a, b;

	(void)state;
	assert_non_null(odd);
	memcpy(odd + 1, f.buf, f.len);
	sock_list_init(&a);
	sock_list_init(&b);
	assert_true(netlink_parse_buffer(f.buf, f.len, IPPROTO_UDP, &a) > 0);
	assert_int_equal(netlink_parse_buffer(odd + 1, f.len, IPPROTO_UDP, &b), (int)a.n);
	assert_memory_equal(a.v, b.v, a.n * sizeof(*a.v));
	sock_list_free(&a);
	sock_list_free(&b);
	free(odd);
	free(f.buf);
}

/* ---- closing a socket: the kernel's recorded answers ---- */

/* Sequence numbers nldestroy_record.py gave its requests. */
#define REC_DUMP_SEQ  100
#define REC_ACK_SEQ   200
#define REC_GONE_SEQ  300
#define REC_EPERM_SEQ 400

static struct fixture destroy_fixture(const char *kind)
{
	char name[64];

	snprintf(name, sizeof(name), "destroy-%s", kind);
	return fixture_load_path(name);
}

static int ack_of(const char *kind, uint32_t seq, int *kernel_errno)
{
	struct fixture f = destroy_fixture(kind);
	int rc = netlink_parse_ack(f.buf, f.len, seq, kernel_errno);

	free(f.buf);
	return rc;
}

static void test_ack_is_found_behind_dump_leftovers_and_notifications(void **state)
{
	int e = -1;

	(void)state;
	assert_int_equal(ack_of("ack", REC_ACK_SEQ, &e), 1);
	assert_int_equal(e, 0);
}

static void test_messages_of_other_requests_are_not_an_answer(void **state)
{
	int e = -1;

	(void)state;
	/* The dump in flight (its NLMSG_DONE included) and the multicast
	 * notification (seq 0) share the socket but answer nothing of ours. */
	assert_int_equal(ack_of("ack", REC_DUMP_SEQ, &e), 0);
	assert_int_equal(ack_of("ack", 0, &e), 0);
	assert_int_equal(ack_of("ack", REC_GONE_SEQ, &e), 0);
	assert_int_equal(e, -1);
}

static void test_answer_for_a_vanished_socket_is_enoent(void **state)
{
	int e = 0;

	(void)state;
	assert_int_equal(ack_of("gone", REC_GONE_SEQ, &e), 1);
	assert_int_equal(e, ENOENT);
}

static void test_answer_to_an_unprivileged_request_is_eperm(void **state)
{
	int e = 0;

	(void)state;
	assert_int_equal(ack_of("eperm", REC_EPERM_SEQ, &e), 1);
	assert_int_equal(e, EPERM);
}

static void test_truncated_answer_is_malformed(void **state)
{
	struct fixture f = destroy_fixture("gone");
	int e = 0;

	(void)state;
	assert_true(f.len > 30);
	assert_int_equal(netlink_parse_ack(f.buf, 30, REC_GONE_SEQ, &e), -1);
	free(f.buf);
}

/* ---- live dumps ---- */

static struct netlink_source *live_open(void)
{
	char err[256] = "";
	struct netlink_source *src = netlink_open(err, sizeof(err));

	if (!src) {
		print_message("netlink unavailable here: %s\n", err);
		skip();
	}
	return src;
}

static uint64_t fd_inode(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* Opens a socket bound to addr (port chosen by the kernel) and returns its
 * fd; *port gets the port. */
static int open_bound(int family, int type, const char *addr, uint16_t *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(family, type, 0);

	assert_true(fd >= 0);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		assert_int_equal(inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr), 1);
	else
		assert_int_equal(inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* This test's own socket on loopback (127.0.0.1 or ::1) at lport. Other
 * programs' sockets may share the port number: on another address, or,
 * for a port connect() chose, a timewait socket of an earlier connection. */
static const struct sock_rec *find_local(const struct sock_list *l, uint8_t proto,
                                         uint8_t family, uint16_t lport)
{
	uint8_t lo[16] = { 0 };
	if (family == AF_INET)
		inet_pton(AF_INET, "127.0.0.1", lo);
	else
		inet_pton(AF_INET6, "::1", lo);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].proto == proto && l->v[i].family == family && l->v[i].lport == lport &&
		    !l->v[i].timewait && memcmp(l->v[i].laddr, lo, sizeof(lo)) == 0)
			return &l->v[i];
	return NULL;
}

static void live_collect(struct netlink_source *src, unsigned want, struct sock_list *l)
{
	char err[256] = "";

	sock_list_init(l);
	if (netlink_collect(src, want, l, err, sizeof(err)) != 0)
		fail_msg("netlink_collect: %s", err);
}

static void test_live_tcp_listener_is_found_with_its_inode(void **state)
{
	struct netlink_source *src = live_open();
	uint16_t port;
	int fd = open_bound(AF_INET, SOCK_STREAM, "127.0.0.1", &port);
	struct sock_list l;
	const struct sock_rec *r;

	(void)state;
	assert_int_equal(listen(fd, 3), 0);
	live_collect(src, SOCK_WANT_ALL, &l);
	r = find_local(&l, IPPROTO_TCP, AF_INET, port);
	assert_non_null(r);
	assert_int_equal(r->state, SOCK_ST_LISTEN);
	assert_int_equal(r->inode, fd_inode(fd));
	assert_int_equal(r->uid, geteuid());
	assert_int_equal(r->laddr[0], 127);
	assert_int_equal(r->recvq, 0);
	assert_int_equal(r->sendq, 3);
	sock_list_free(&l);
	netlink_close(src);
	close(fd);
}

static void test_live_udp_on_ipv6_loopback_is_found(void **state)
{
	static const uint8_t loop6[16] = { [15] = 1 };
	struct netlink_source *src = live_open();
	uint16_t port;
	int fd = open_bound(AF_INET6, SOCK_DGRAM, "::1", &port);
	struct sock_list l;
	const struct sock_rec *r;

	(void)state;
	live_collect(src, SOCK_WANT_ALL, &l);
	r = find_local(&l, IPPROTO_UDP, AF_INET6, port);
	assert_non_null(r);
	assert_int_equal(r->state, SOCK_ST_CLOSE);
	assert_int_equal(r->inode, fd_inode(fd));
	assert_memory_equal(r->laddr, loop6, 16);
	sock_list_free(&l);
	netlink_close(src);
	close(fd);
}

static void test_live_established_pair_carries_tcp_info(void **state)
{
	struct netlink_source *src = live_open();
	uint16_t port;
	int lfd = open_bound(AF_INET, SOCK_STREAM, "127.0.0.1", &port);
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char data[1500] = { 0 }, got[1500];
	struct sockaddr_in me;
	socklen_t melen = sizeof(me);
	struct sock_list l;
	const struct sock_rec *r;
	int afd;

	(void)state;
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&to, sizeof(to)), 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(send(cfd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	assert_int_equal(recv(afd, got, sizeof(got), MSG_WAITALL), (ssize_t)sizeof(got));
	assert_int_equal(getsockname(cfd, (struct sockaddr *)&me, &melen), 0);

	live_collect(src, SOCK_WANT_TCP | SOCK_WANT_V4, &l);
	r = find_local(&l, IPPROTO_TCP, AF_INET, ntohs(me.sin_port));
	assert_non_null(r);
	assert_int_equal(r->state, SOCK_ST_ESTABLISHED);
	assert_int_equal(r->rport, port);
	assert_int_equal(r->inode, fd_inode(cfd));
	assert_true(r->has_tcpinfo);
	assert_true(r->tcp.bytes_acked >= sizeof(data));
	assert_true(r->cookie != 0);
	sock_list_free(&l);
	netlink_close(src);
	close(afd);
	close(cfd);
	close(lfd);
}

static void test_asking_only_udp_returns_only_udp(void **state)
{
	struct netlink_source *src = live_open();
	uint16_t tport, uport;
	int tfd = open_bound(AF_INET, SOCK_STREAM, "127.0.0.1", &tport);
	int ufd = open_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", &uport);
	struct sock_list l;

	(void)state;
	assert_int_equal(listen(tfd, 1), 0);
	live_collect(src, SOCK_WANT_UDP | SOCK_WANT_V4 | SOCK_WANT_V6, &l);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].proto, IPPROTO_UDP);
	assert_non_null(find_local(&l, IPPROTO_UDP, AF_INET, uport));
	assert_null(find_local(&l, IPPROTO_TCP, AF_INET, tport));
	sock_list_free(&l);
	netlink_close(src);
	close(tfd);
	close(ufd);
}

static void test_asking_only_ipv6_returns_only_ipv6(void **state)
{
	struct netlink_source *src = live_open();
	uint16_t p4, p6;
	int fd4 = open_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", &p4);
	int fd6 = open_bound(AF_INET6, SOCK_DGRAM, "::1", &p6);
	struct sock_list l;

	(void)state;
	live_collect(src, SOCK_WANT_TCP | SOCK_WANT_UDP | SOCK_WANT_V6, &l);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].family, AF_INET6);
	assert_non_null(find_local(&l, IPPROTO_UDP, AF_INET6, p6));
	assert_null(find_local(&l, IPPROTO_UDP, AF_INET, p4));
	sock_list_free(&l);
	netlink_close(src);
	close(fd4);
	close(fd6);
}

static size_t count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_repeated_collects_reuse_one_socket(void **state)
{
	struct netlink_source *src = live_open();
	size_t before = count_open_fds();
	uint16_t port;
	int fd = open_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", &port);

	(void)state;
	for (int i = 0; i < 20; i++) {
		struct sock_list l;
		live_collect(src, SOCK_WANT_ALL, &l);
		assert_non_null(find_local(&l, IPPROTO_UDP, AF_INET, port));
		sock_list_free(&l);
	}
	close(fd);
	assert_int_equal(count_open_fds(), before);
	netlink_close(src);
}

static void test_collect_without_a_source_is_an_error(void **state)
{
	char err[128] = "";
	struct sock_list l = { 0 };

	(void)state;
	assert_int_equal(netlink_collect(NULL, SOCK_WANT_ALL, &l, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(l.n, 0);
}

/* ---- closing a socket on loopback ---- */

struct conn {
	int lfd, cfd, afd;      /* listener, client, accepted peer */
	uint16_t lport, cport;
};

static struct conn conn_open(void)
{
	struct conn c;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in me;
	socklen_t melen = sizeof(me);

	c.lfd = open_bound(AF_INET, SOCK_STREAM, "127.0.0.1", &c.lport);
	assert_int_equal(listen(c.lfd, 4), 0);
	to.sin_port = htons(c.lport);
	c.cfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c.cfd >= 0);
	assert_int_equal(connect(c.cfd, (struct sockaddr *)&to, sizeof(to)), 0);
	c.afd = accept(c.lfd, NULL, NULL);
	assert_true(c.afd >= 0);
	assert_int_equal(getsockname(c.cfd, (struct sockaddr *)&me, &melen), 0);
	c.cport = ntohs(me.sin_port);
	return c;
}

static void conn_close(struct conn *c)
{
	close(c->afd);
	close(c->cfd);
	close(c->lfd);
}

/* A byte sent by the client reaches the peer: the connection is alive. */
static void assert_conn_alive(const struct conn *c)
{
	char b = 'x';

	assert_int_equal(send(c->cfd, &b, 1, MSG_NOSIGNAL), 1);
	assert_int_equal(recv(c->afd, &b, 1, 0), 1);
}

/* The kernel's current record of the socket bound to lport, copied out. */
/* The proto socket on lport: the protocol named, since a UDP port's
 * number may be some other test's TCP port at the same moment. */
static struct sock_rec live_record(struct netlink_source *src, uint8_t proto, uint16_t lport)
{
	struct sock_list l;
	const struct sock_rec *r;
	struct sock_rec rec;

	live_collect(src, SOCK_WANT_ALL, &l);
	r = find_local(&l, proto, AF_INET, lport);
	assert_non_null(r);
	rec = *r;
	sock_list_free(&l);
	return rec;
}

static int live_has(struct netlink_source *src, uint8_t proto, uint16_t lport)
{
	struct sock_list l;
	int found;

	live_collect(src, SOCK_WANT_ALL, &l);
	found = find_local(&l, proto, AF_INET, lport) != NULL;
	sock_list_free(&l);
	return found;
}

/* Whether the connection rec names is still in a dump: its local and
 * remote port both, since another program's socket may take the same
 * local port number on another address meanwhile. */
static int live_has_conn(struct netlink_source *src, const struct sock_rec *rec)
{
	struct sock_list l;
	int found = 0;

	live_collect(src, SOCK_WANT_ALL, &l);
	for (size_t i = 0; i < l.n; i++)
		found |= l.v[i].proto == rec->proto && l.v[i].family == rec->family &&
		         l.v[i].lport == rec->lport && l.v[i].rport == rec->rport &&
		         memcmp(l.v[i].laddr, rec->laddr, sizeof(rec->laddr)) == 0;
	sock_list_free(&l);
	return found;
}

/* Skips the test, saying why, where this kernel or user may not close. */
static void skip_if_refused_here(const char *err)
{
	if (strstr(err, "CONFIG_INET_DIAG_DESTROY") || strstr(err, "CAP_NET_ADMIN")) {
		print_message("closing sockets is refused here: %s\n", err);
		skip();
	}
}

/* Destroys rec and expects success. */
static void destroy_or_skip(struct netlink_source *src, const struct sock_rec *rec)
{
	char err[256] = "";

	if (netlink_destroy(src, rec, err, sizeof(err)) == 0)
		return;
	skip_if_refused_here(err);
	fail_msg("netlink_destroy: %s", err);
}

/* Waits (bounded) until fd has something to report: data, EOF or error. */
static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 2000), 1);
}

static void test_closing_a_connection_aborts_it_at_both_ends(void **state)
{
	struct netlink_source *src = live_open();
	struct conn c = conn_open();
	struct sock_rec rec = live_record(src, IPPROTO_TCP, c.cport);
	char b;

	(void)state;
	destroy_or_skip(src, &rec);
	/* The owner of the closed socket learns why: tcp_abort sets
	 * ECONNABORTED; the peer got a reset. On a busy machine the error
	 * may be reported a moment after the request returns. */
	wait_readable(c.cfd);
	errno = 0;
	assert_int_equal(recv(c.cfd, &b, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, ECONNABORTED);
	wait_readable(c.afd);
	errno = 0;
	assert_int_equal(recv(c.afd, &b, 1, 0), -1);
	assert_int_equal(errno, ECONNRESET);
	conn_close(&c);
	netlink_close(src);
}

static void test_closed_connection_leaves_the_next_snapshot(void **state)
{
	struct netlink_source *src = live_open();
	struct conn c = conn_open();
	struct sock_rec rec = live_record(src, IPPROTO_TCP, c.cport);

	(void)state;
	destroy_or_skip(src, &rec);
	assert_false(live_has_conn(src, &rec));
	assert_true(live_has(src, IPPROTO_TCP, c.lport)); /* the listener stays */
	conn_close(&c);
	netlink_close(src);
}

static void test_closing_twice_says_the_socket_is_already_gone(void **state)
{
	struct netlink_source *src = live_open();
	struct conn c = conn_open();
	struct sock_rec rec = live_record(src, IPPROTO_TCP, c.cport);
	char err[256] = "";

	(void)state;
	destroy_or_skip(src, &rec);
	assert_int_equal(netlink_destroy(src, &rec, err, sizeof(err)), -1);
	assert_string_equal(err, "the socket is already gone");
	conn_close(&c);
	netlink_close(src);
}

static void test_stale_cookie_leaves_the_socket_now_there_alone(void **state)
{
	struct netlink_source *src = live_open();
	struct conn c = conn_open();
	struct sock_rec rec = live_record(src, IPPROTO_TCP, c.cport);
	char err[256] = "";

	(void)state;
	/* The row of an older socket whose addresses a newer one took over. */
	rec.cookie ^= 1;
	assert_int_equal(netlink_destroy(src, &rec, err, sizeof(err)), -1);
	skip_if_refused_here(err);
	assert_string_equal(err, "the socket is already gone");
	assert_conn_alive(&c);
	conn_close(&c);
	netlink_close(src);
}

static void test_closing_a_listener_refuses_new_connections(void **state)
{
	struct netlink_source *src = live_open();
	uint16_t port;
	int lfd = open_bound(AF_INET, SOCK_STREAM, "127.0.0.1", &port);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sock_rec rec;
	int fd;

	(void)state;
	assert_int_equal(listen(lfd, 4), 0);
	rec = live_record(src, IPPROTO_TCP, port);
	assert_int_equal(rec.state, SOCK_ST_LISTEN);
	destroy_or_skip(src, &rec);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);
	close(lfd);
	netlink_close(src);
}

static void test_udp_socket_is_refused_before_asking_the_kernel(void **state)
{
	struct netlink_source *src = live_open();
	uint16_t port;
	int fd = open_bound(AF_INET, SOCK_DGRAM, "127.0.0.1", &port);
	struct sock_rec rec = live_record(src, IPPROTO_UDP, port);
	char err[256] = "";

	(void)state;
	assert_int_equal(rec.proto, IPPROTO_UDP);
	assert_int_equal(netlink_destroy(src, &rec, err, sizeof(err)), -1);
	assert_string_equal(err, "only TCP connections can be closed, not udp sockets");
	assert_true(live_has(src, IPPROTO_UDP, port));
	close(fd);
	netlink_close(src);
}

static void test_record_without_a_cookie_needs_the_netlink_source(void **state)
{
	struct netlink_source *src = live_open();
	struct conn c = conn_open();
	struct sock_rec rec = live_record(src, IPPROTO_TCP, c.cport);
	char err[256] = "";

	(void)state;
	rec.cookie = 0; /* as /proc/net/tcp gives it */
	assert_int_equal(netlink_destroy(src, &rec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs the netlink source"));
	assert_conn_alive(&c);
	conn_close(&c);
	netlink_close(src);
}

static void test_closing_without_a_source_needs_the_netlink_source(void **state)
{
	struct sock_rec rec = { .proto = IPPROTO_TCP, .family = AF_INET,
	                        .state = SOCK_ST_ESTABLISHED, .cookie = 1 };
	char err[256] = "";

	(void)state;
	assert_int_equal(netlink_destroy(NULL, &rec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs the netlink source"));
}

/* In a child dropped to nobody: tries to close rec, writes err to fd. */
static void destroy_as_nobody(const struct sock_rec *rec, int fd)
{
	char err[256] = "";
	struct netlink_source *src;

	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(2);
	src = netlink_open(err, sizeof(err));
	if (src && netlink_destroy(src, rec, err, sizeof(err)) == 0)
		snprintf(err, sizeof(err), "closed");
	netlink_close(src);
	if (write(fd, err, strlen(err)) < 0)
		_exit(3);
	_exit(0);
}

static void test_closing_without_cap_net_admin_says_so(void **state)
{
	struct netlink_source *src = live_open();
	struct conn c = conn_open();
	struct sock_rec rec = live_record(src, IPPROTO_TCP, c.cport);
	char got[256] = "";
	int pfd[2], status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		print_message("not root: cannot drop to uid 65534 to test the refusal\n");
		skip();
	}
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		destroy_as_nobody(&rec, pfd[1]);
	close(pfd[1]);
	assert_true(read(pfd[0], got, sizeof(got) - 1) > 0);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(got, "closing needs CAP_NET_ADMIN (run as root)");
	assert_conn_alive(&c);
	conn_close(&c);
	netlink_close(src);
}

/* ---- destroy notifications (what ss -E listens to) ----
 * watch-destroy.bin, recorded by tests/tools/nlwatch_record.py: a
 * connection 127.0.0.1:33672 -> :51111 that moved 3000 bytes out and 1000
 * back, closed client first; a second one from :33678 that moved 500 each
 * way; a connected UDP socket :50107 -> :51111; an unconnected UDP socket
 * on [::1]:38772; a ::1 pair (:50886 -> :47725) closed server first. */
#define WATCH_LISTENER 51111
#define WATCH_C1 33672
#define WATCH_C2 33678
#define WATCH_UDP4 50107
#define WATCH_UDP6 38772
#define WATCH_C6 50886
#define WATCH_L6 47725

static void destroy_decode(struct sock_list *out)
{
	struct fixture f = fixture_load_path("watch-destroy");

	sock_list_init(out);
	assert_int_equal(netlink_parse_notifications(f.buf, f.len, out), 8);
	free(f.buf);
}

static const struct sock_rec *find_pair(const struct sock_list *l, uint8_t proto,
                                        uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].proto == proto && l->v[i].lport == lport && l->v[i].rport == rport)
			return &l->v[i];
	return NULL;
}

static void test_every_closed_socket_is_announced_with_its_addresses(void **state)
{
	static const uint8_t loop4[16] = { 127, 0, 0, 1 };
	struct sock_list l;
	const struct sock_rec *r;

	(void)state;
	destroy_decode(&l);
	r = find_pair(&l, IPPROTO_TCP, WATCH_C1, WATCH_LISTENER);
	assert_non_null(r);
	assert_int_equal(r->family, AF_INET);
	assert_memory_equal(r->laddr, loop4, 16);
	assert_memory_equal(r->raddr, loop4, 16);
	assert_non_null(find_pair(&l, IPPROTO_TCP, WATCH_LISTENER, WATCH_C1));
	assert_non_null(find_pair(&l, IPPROTO_TCP, WATCH_C2, WATCH_LISTENER));
	assert_non_null(find_pair(&l, IPPROTO_TCP, WATCH_LISTENER, WATCH_C2));
	assert_non_null(find_pair(&l, IPPROTO_TCP, WATCH_C6, WATCH_L6));
	assert_non_null(find_pair(&l, IPPROTO_TCP, WATCH_L6, WATCH_C6));
	sock_list_free(&l);
}

static void test_closed_tcp_socket_carries_its_final_byte_counts(void **state)
{
	struct sock_list l;
	const struct sock_rec *c, *s;

	(void)state;
	destroy_decode(&l);
	c = find_pair(&l, IPPROTO_TCP, WATCH_C1, WATCH_LISTENER);
	s = find_pair(&l, IPPROTO_TCP, WATCH_LISTENER, WATCH_C1);
	assert_true(c->has_tcpinfo && s->has_tcpinfo);
	assert_int_equal(c->state, SOCK_ST_CLOSE);
	/* The kernel counts SYN and FIN in bytes_acked and the peer's FIN in
	 * bytes_received; bytes_sent is data alone. */
	assert_int_equal(c->tcp.bytes_sent, 3000);
	assert_int_equal(c->tcp.bytes_acked, 3002);
	assert_int_equal(c->tcp.bytes_received, 1000);
	assert_int_equal(s->tcp.bytes_sent, 1000);
	assert_int_equal(s->tcp.bytes_received, 3001);
	sock_list_free(&l);
}

static void test_closed_udp_sockets_keep_their_last_state(void **state)
{
	struct sock_list l;
	const struct sock_rec *r;

	(void)state;
	destroy_decode(&l);
	r = find_pair(&l, IPPROTO_UDP, WATCH_UDP4, WATCH_LISTENER);
	assert_non_null(r);
	assert_int_equal(r->state, SOCK_ST_ESTABLISHED);
	assert_false(r->has_tcpinfo);
	r = find_pair(&l, IPPROTO_UDP, WATCH_UDP6, 0);
	assert_non_null(r);
	assert_int_equal(r->family, AF_INET6);
	assert_string_equal(sock_state_name(r->proto, r->state), "UNCONN");
	sock_list_free(&l);
}

static void test_announcements_carry_a_cookie_but_no_inode_or_uid(void **state)
{
	struct sock_list l;

	(void)state;
	destroy_decode(&l);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(l.v[i].cookie != 0);
		assert_int_equal(l.v[i].inode, 0);
		assert_int_equal(l.v[i].uid, 0);
	}
	sock_list_free(&l);
}

static void test_announcement_without_its_protocol_is_skipped(void **state)
{
	struct fixture f = fixture_load("tcp4");   /* a dump: no INET_DIAG_PROTOCOL */
	struct sock_list l;

	(void)state;
	sock_list_init(&l);
	assert_true(netlink_parse_notifications(f.buf, f.len, &l) >= 0);
	assert_int_equal(l.n, 0);
	sock_list_free(&l);
	free(f.buf);
}

static void test_truncated_announcement_is_malformed(void **state)
{
	struct fixture f = fixture_load_path("watch-destroy");
	struct sock_list l;

	(void)state;
	sock_list_init(&l);
	assert_int_equal(netlink_parse_notifications(f.buf, f.len - 7, &l), -1);
	sock_list_free(&l);
	free(f.buf);
}

/* Opens a watcher, or skips where this kernel refuses one. */
static struct netlink_watch *watch_or_skip(unsigned want)
{
	char err[256] = "";
	struct netlink_watch *w = netlink_watch_open(want, err, sizeof(err));

	if (!w) {
		print_message("destroy notifications refused here: %s\n", err);
		skip();
	}
	return w;
}

/* Drains w into l until a record with lport and rport is there (bounded
 * wait), and returns it. */
static const struct sock_rec *watch_until(struct netlink_watch *w, struct sock_list *l,
                                          uint16_t lport, uint16_t rport)
{
	char err[256] = "";

	for (int tries = 0; tries < 40; tries++) {
		struct pollfd p = { .fd = netlink_watch_fd(w), .events = POLLIN };
		const struct sock_rec *r = find_pair(l, IPPROTO_TCP, lport, rport);

		if (r)
			return r;
		(void)poll(&p, 1, 50);
		assert_true(netlink_watch_drain(w, l, err, sizeof(err)) >= 0);
	}
	fail_msg("no announcement for :%u -> :%u", lport, rport);
	return NULL;
}

static void test_live_connection_closed_at_once_is_announced_at_both_ends(void **state)
{
	struct netlink_watch *w = watch_or_skip(SOCK_WANT_TCP | SOCK_WANT_V4);
	struct conn c = conn_open();
	const struct sock_rec *r;
	struct sock_list l;

	(void)state;
	sock_list_init(&l);
	conn_close(&c);
	r = watch_until(w, &l, c.cport, c.lport);
	assert_int_equal(r->state, SOCK_ST_CLOSE);
	r = watch_until(w, &l, c.lport, c.cport);
	assert_true(r->has_tcpinfo);
	sock_list_free(&l);
	netlink_watch_close(w);
}

static void test_watcher_hears_nothing_of_kinds_not_asked_for(void **state)
{
	struct netlink_watch *w = watch_or_skip(SOCK_WANT_UDP | SOCK_WANT_V4);
	struct conn c = conn_open();
	struct sock_list l;
	char err[256] = "";
	struct pollfd p = { .fd = netlink_watch_fd(w), .events = POLLIN };

	(void)state;
	conn_close(&c);
	(void)poll(&p, 1, 300);
	sock_list_init(&l);
	assert_true(netlink_watch_drain(w, &l, err, sizeof(err)) >= 0);
	assert_null(find_pair(&l, IPPROTO_TCP, c.cport, c.lport));
	sock_list_free(&l);
	netlink_watch_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_dump_yields_the_recorded_sockets),
		cmocka_unit_test(test_tcp6_dump_yields_the_recorded_sockets),
		cmocka_unit_test(test_udp4_dump_yields_the_recorded_sockets),
		cmocka_unit_test(test_udp6_dump_yields_the_recorded_sockets),
		cmocka_unit_test(test_established_tcp4_sockets_carry_their_byte_counts),
		cmocka_unit_test(test_established_tcp6_sockets_carry_their_byte_counts),
		cmocka_unit_test(test_listeners_and_time_wait_carry_no_tcp_info),
		cmocka_unit_test(test_udp_sockets_carry_no_tcp_info),
		cmocka_unit_test(test_ipv4_addresses_fill_only_the_first_four_bytes),
		cmocka_unit_test(test_v4_mapped_connection_stays_ipv6),
		cmocka_unit_test(test_every_decoded_socket_has_a_distinct_cookie),
		cmocka_unit_test(test_decoding_appends_after_existing_records),
		cmocka_unit_test(test_truncated_dump_is_rejected_whole),
		cmocka_unit_test(test_message_shorter_than_its_header_is_rejected),
		cmocka_unit_test(test_attribute_running_past_its_message_is_rejected),
		cmocka_unit_test(test_non_socket_message_is_not_decoded_as_one),
		cmocka_unit_test(test_kernel_error_reply_is_not_a_table),
		cmocka_unit_test(test_error_reply_outside_errno_range_is_malformed),
		cmocka_unit_test(test_corrupted_dump_never_crashes),
		cmocka_unit_test(test_unaligned_buffer_decodes_the_same),
		cmocka_unit_test(test_live_tcp_listener_is_found_with_its_inode),
		cmocka_unit_test(test_live_udp_on_ipv6_loopback_is_found),
		cmocka_unit_test(test_live_established_pair_carries_tcp_info),
		cmocka_unit_test(test_asking_only_udp_returns_only_udp),
		cmocka_unit_test(test_asking_only_ipv6_returns_only_ipv6),
		cmocka_unit_test(test_repeated_collects_reuse_one_socket),
		cmocka_unit_test(test_collect_without_a_source_is_an_error),
		cmocka_unit_test(test_ack_is_found_behind_dump_leftovers_and_notifications),
		cmocka_unit_test(test_messages_of_other_requests_are_not_an_answer),
		cmocka_unit_test(test_answer_for_a_vanished_socket_is_enoent),
		cmocka_unit_test(test_answer_to_an_unprivileged_request_is_eperm),
		cmocka_unit_test(test_truncated_answer_is_malformed),
		cmocka_unit_test(test_closing_a_connection_aborts_it_at_both_ends),
		cmocka_unit_test(test_closed_connection_leaves_the_next_snapshot),
		cmocka_unit_test(test_closing_twice_says_the_socket_is_already_gone),
		cmocka_unit_test(test_stale_cookie_leaves_the_socket_now_there_alone),
		cmocka_unit_test(test_closing_a_listener_refuses_new_connections),
		cmocka_unit_test(test_udp_socket_is_refused_before_asking_the_kernel),
		cmocka_unit_test(test_record_without_a_cookie_needs_the_netlink_source),
		cmocka_unit_test(test_closing_without_a_source_needs_the_netlink_source),
		cmocka_unit_test(test_closing_without_cap_net_admin_says_so),
		cmocka_unit_test(test_every_closed_socket_is_announced_with_its_addresses),
		cmocka_unit_test(test_closed_tcp_socket_carries_its_final_byte_counts),
		cmocka_unit_test(test_closed_udp_sockets_keep_their_last_state),
		cmocka_unit_test(test_announcements_carry_a_cookie_but_no_inode_or_uid),
		cmocka_unit_test(test_announcement_without_its_protocol_is_skipped),
		cmocka_unit_test(test_truncated_announcement_is_malformed),
		cmocka_unit_test(test_live_connection_closed_at_once_is_announced_at_both_ends),
		cmocka_unit_test(test_watcher_hears_nothing_of_kinds_not_asked_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
