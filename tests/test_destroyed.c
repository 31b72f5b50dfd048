/* test_destroyed.c — the kernel's announcements of closed sockets merged
 * into a poll, on recorded dumps and announcements of the same sockets
 * (tests/tools/nlwatch_record.py): a known connection's GONE (or its STATE
 * into TIME_WAIT) carries its final counters, one no poll saw is reported
 * once as brief, and nothing is reported twice. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fixture.h"
#include "destroyed.h"
#include "netlink.h"
#include "table.h"

/* tests/fixtures/<name>.bin */
static void *fixture_bin(const char *name, size_t *len)
{
	char file[128];
	snprintf(file, sizeof(file), "%s.bin", name);
	return fixture_read(file, len);
}

/* What the recording script printed: the first connection (3000 bytes out,
 * 1000 back) from :33672 to the listener :51111, its two ends' inodes; the
 * second connection, opened and closed with no dump between, from :33678;
 * the rest (UDP, IPv6) were never in a dump. */
#define LISTENER 51111
#define C1 33672
#define C2 33678
#define C1_INODE 1779190
#define S1_INODE 1779191

/* watch-rst.bin (nlwatch_record.py --rst): a 127.0.0.1 connection and a
 * ::1 one, each aborted with RST at both ends, no dump between. The
 * kernel announced each connecting end with its local address and remote
 * port already cleared. */
#define RST_V4_LISTENER 36001
#define RST_V4_CLIENT 41112
#define RST_V6_LISTENER 53009
#define RST_V6_CLIENT 44046

struct world {
	struct sock_table *t;
	struct destroyed_memory *m;
	struct destroyed_list l;
	struct sock_events ev;
};

/* A recorded TCP/IPv4 dump: "dump1" (the first connection open) or
 * "dump2" (afterwards: the listener and two TIME_WAIT remnants). */
static void snapshot(const char *which, struct sock_list *out)
{
	char name[64];
	size_t len;
	void *buf;

	snprintf(name, sizeof(name), "watch-%s", which);
	buf = fixture_bin(name, &len);
	sock_list_init(out);
	assert_true(netlink_parse_buffer(buf, len, IPPROTO_TCP, out) > 0);
	free(buf);
}

/* Every announcement of the recording, as read at time. */
static void announce_all(struct world *w, double time)
{
	struct sock_list recs;
	size_t len;
	void *buf = fixture_bin("watch-destroy", &len);

	sock_list_init(&recs);
	assert_int_equal(netlink_parse_notifications(buf, len, &recs), 8);
	assert_int_equal(destroyed_list_add(&w->l, recs.v, recs.n, time), 0);
	sock_list_free(&recs);
	free(buf);
}

/* The announcements of watch-rst.bin, as read at time; skip: the index of
 * one left out (-1: none). */
static void announce_rst(struct world *w, double time, int skip)
{
	struct sock_list recs;
	size_t len;
	void *buf = fixture_bin("watch-rst", &len);

	sock_list_init(&recs);
	assert_int_equal(netlink_parse_notifications(buf, len, &recs), 4);
	for (size_t i = 0; i < recs.n; i++)
		if ((int)i != skip)
			assert_int_equal(destroyed_list_add(&w->l, &recs.v[i], 1, time), 0);
	sock_list_free(&recs);
	free(buf);
}

static void world_init(struct world *w)
{
	w->t = sock_table_new();
	w->m = destroyed_memory_new();
	assert_non_null(w->t);
	assert_non_null(w->m);
	destroyed_list_init(&w->l);
	sock_events_init(&w->ev);
}

static void world_free(struct world *w)
{
	sock_table_free(w->t);
	destroyed_memory_free(w->m);
	destroyed_list_free(&w->l);
	sock_events_free(&w->ev);
}

/* One poll as the poller does it: prune, diff, merge. which NULL is an
 * empty snapshot; baseline polls report nothing. */
static void world_poll(struct world *w, const char *which, double now, int baseline)
{
	struct sock_list snap;

	if (which)
		snapshot(which, &snap);
	else
		sock_list_init(&snap);
	sock_events_clear(&w->ev);
	if (!baseline)
		destroyed_prune_snapshot(&w->l, &snap, w->t);
	assert_int_equal(sock_table_update(w->t, &snap, NULL, now,
	                                   baseline ? NULL : &w->ev), 0);
	if (!baseline)
		assert_int_equal(destroyed_merge(&w->l, w->m, NULL, w->t, now, &w->ev, 0), 0);
	destroyed_list_carry(&w->l);
	sock_list_free(&snap);
}

static size_t count_events(const struct world *w, enum sock_event_type type,
                           uint16_t lport, uint16_t rport)
{
	size_t n = 0;
	for (size_t i = 0; i < w->ev.n; i++) {
		const struct sock_event *e = &w->ev.v[i];
		if (e->type == type && e->rec.lport == lport && e->rec.rport == rport &&
		    e->rec.state != SOCK_ST_TIME_WAIT)
			n++;
	}
	return n;
}

/* Events of one end, whatever their state. */
static size_t count_all(const struct world *w, enum sock_event_type type,
                        uint16_t lport, uint16_t rport)
{
	size_t n = 0;
	for (size_t i = 0; i < w->ev.n; i++) {
		const struct sock_event *e = &w->ev.v[i];
		n += e->type == type && e->rec.lport == lport && e->rec.rport == rport;
	}
	return n;
}

static const struct sock_event *find_event(const struct world *w, enum sock_event_type type,
                                           uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < w->ev.n; i++) {
		const struct sock_event *e = &w->ev.v[i];
		if (e->type == type && e->rec.lport == lport && e->rec.rport == rport)
			return e;
	}
	return NULL;
}

/* The table knew the first connection; it closed, client first, was
 * announced at 10.5, and the next poll (at 11) finds only the client's
 * timewait socket: the client's end goes on in TIME_WAIT, the server's is
 * gone. */
static void poll_after_the_close(struct world *w)
{
	world_init(w);
	world_poll(w, "dump1", 10, 1);
	announce_all(w, 10.5);
	world_poll(w, "dump2", 11, 0);
}

static void test_known_connection_gone_carries_its_final_counters(void **state)
{
	struct world w;
	const struct sock_event *c, *s;

	(void)state;
	poll_after_the_close(&w);
	c = find_event(&w, SOCK_EV_STATE, C1, LISTENER);    /* into its TIME_WAIT */
	s = find_event(&w, SOCK_EV_GONE, LISTENER, C1);
	assert_non_null(c);
	assert_non_null(s);
	assert_true(c->final);
	assert_false(c->brief);
	assert_int_equal(c->rec.tcp.bytes_sent, 3000);
	assert_int_equal(c->rec.tcp.bytes_received, 1000);
	assert_true(s->final);
	assert_false(s->brief);
	assert_int_equal(s->rec.tcp.bytes_sent, 1000);
	assert_int_equal(s->rec.tcp.bytes_received, 3001);   /* 3000 and the FIN */
	assert_true(c->time == 10.5);
	assert_true(s->time == 10.5);
	world_free(&w);
}

static void test_known_connection_keeps_its_inode_and_uid_when_gone(void **state)
{
	struct world w;
	const struct sock_event *c, *s;

	(void)state;
	poll_after_the_close(&w);
	s = find_event(&w, SOCK_EV_GONE, LISTENER, C1);
	assert_int_equal(s->rec.inode, S1_INODE);
	assert_false(s->uid_unknown);
	/* The client's timewait socket has no inode; its entry keeps the
	 * one it had, and is found by it. */
	c = find_event(&w, SOCK_EV_STATE, C1, LISTENER);
	assert_int_equal(c->rec.inode, 0);
	assert_false(c->uid_unknown);
	assert_int_equal(sock_table_find(w.t, &c->rec)->inode_was, C1_INODE);
	world_free(&w);
}

/* The kernel says CLOSE of every destroyed TCP socket; the state it was
 * last seen in says more. */
static void test_known_connection_gone_keeps_the_state_it_was_seen_in(void **state)
{
	struct world w;

	(void)state;
	poll_after_the_close(&w);
	assert_int_equal(find_event(&w, SOCK_EV_GONE, LISTENER, C1)->rec.state,
	                 SOCK_ST_ESTABLISHED);
	world_free(&w);
}

static void test_connection_no_poll_saw_is_reported_once_as_brief(void **state)
{
	struct world w;
	const struct sock_event *e;

	(void)state;
	poll_after_the_close(&w);
	/* The server's end left nothing: one brief GONE. */
	assert_int_equal(count_events(&w, SOCK_EV_GONE, LISTENER, C2), 1);
	assert_int_equal(count_all(&w, SOCK_EV_NEW, LISTENER, C2), 0);
	e = find_event(&w, SOCK_EV_GONE, LISTENER, C2);
	assert_true(e->brief);
	assert_true(e->final);
	assert_int_equal(e->rec.tcp.bytes_sent, 500);
	assert_true(e->time == 10.5);
	/* The client's left its TIME_WAIT: one brief NEW, its life goes on. */
	assert_int_equal(count_all(&w, SOCK_EV_NEW, C2, LISTENER), 1);
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C2, LISTENER), 0);
	e = find_event(&w, SOCK_EV_NEW, C2, LISTENER);
	assert_int_equal(e->rec.state, SOCK_ST_TIME_WAIT);
	assert_true(e->brief);
	assert_true(e->final);
	assert_int_equal(e->rec.tcp.bytes_sent, 500);
	assert_true(e->time == 10.5);
	world_poll(&w, "dump2", 12, 0);
	assert_int_equal(w.ev.n, 0);
	world_free(&w);
}

static void test_brief_socket_has_no_inode_uid_or_owner(void **state)
{
	struct world w;
	const struct sock_event *e;

	(void)state;
	poll_after_the_close(&w);
	e = find_event(&w, SOCK_EV_GONE, LISTENER, C2);
	assert_int_equal(e->rec.inode, 0);
	assert_true(e->uid_unknown);
	assert_int_equal(e->nowners, 0);
	e = find_event(&w, SOCK_EV_NEW, C2, LISTENER);
	assert_int_equal(e->rec.inode, 0);
	assert_true(e->uid_unknown);
	assert_int_equal(e->nowners, 0);
	assert_int_equal(e->nowners_was, 0);       /* never seen whole */
	world_free(&w);
}

static void test_aborted_connection_no_poll_saw_shows_both_ends_addresses(void **state)
{
	static const uint8_t v4[4] = { 127, 0, 0, 1 };
	static const uint8_t v6[16] = { [15] = 1 };
	struct world w;
	const struct sock_event *e;

	(void)state;
	world_init(&w);
	world_poll(&w, NULL, 10, 1);
	announce_rst(&w, 10.5, -1);
	world_poll(&w, NULL, 11, 0);
	/* as the peers announced them: 127.0.0.1:41112 <-> 127.0.0.1:36001 */
	e = find_event(&w, SOCK_EV_GONE, RST_V4_CLIENT, RST_V4_LISTENER);
	assert_non_null(e);
	assert_true(e->brief);
	assert_memory_equal(e->rec.laddr, v4, 4);
	assert_memory_equal(e->rec.raddr, v4, 4);
	assert_non_null(find_event(&w, SOCK_EV_GONE, RST_V4_LISTENER, RST_V4_CLIENT));
	e = find_event(&w, SOCK_EV_GONE, RST_V6_CLIENT, RST_V6_LISTENER);
	assert_non_null(e);
	assert_memory_equal(e->rec.laddr, v6, 16);
	assert_memory_equal(e->rec.raddr, v6, 16);
	assert_non_null(find_event(&w, SOCK_EV_GONE, RST_V6_LISTENER, RST_V6_CLIENT));
	assert_int_equal(w.ev.n, 4);
	world_free(&w);
}

static void test_cleared_end_without_its_peers_announcement_is_left_as_announced(void **state)
{
	static const uint8_t unset[4];
	struct world w;
	const struct sock_event *e;

	(void)state;
	world_init(&w);
	world_poll(&w, NULL, 10, 1);
	announce_rst(&w, 10.5, 1);          /* the 127.0.0.1 accepting end left out */
	world_poll(&w, NULL, 11, 0);
	e = find_event(&w, SOCK_EV_GONE, RST_V4_CLIENT, 0);
	assert_non_null(e);                 /* nothing is made up for it */
	assert_memory_equal(e->rec.laddr, unset, 4);
	assert_null(find_event(&w, SOCK_EV_GONE, RST_V4_CLIENT, RST_V4_LISTENER));
	world_free(&w);
}

static void test_every_announced_socket_appears_once(void **state)
{
	struct world w;
	size_t gone = 0, final = 0;

	(void)state;
	poll_after_the_close(&w);
	for (size_t i = 0; i < w.ev.n; i++) {
		gone += w.ev.v[i].type == SOCK_EV_GONE;
		final += w.ev.v[i].final;
	}
	assert_int_equal(final, 8);  /* 8 announcements, none twice */
	assert_int_equal(gone, 6);   /* two clients go on in TIME_WAIT */
	world_free(&w);
}

static void test_time_wait_remnant_goes_on_as_the_closed_connection(void **state)
{
	struct world w;
	struct sock_list dump1;
	const struct sock_event *tw;

	(void)state;
	poll_after_the_close(&w);
	assert_int_equal(count_all(&w, SOCK_EV_NEW, C1, LISTENER), 0);
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C1, LISTENER), 0);
	tw = find_event(&w, SOCK_EV_STATE, C1, LISTENER);
	assert_non_null(tw);
	assert_int_equal(tw->from_state, SOCK_ST_ESTABLISHED);
	assert_int_equal(tw->rec.state, SOCK_ST_TIME_WAIT);
	snapshot("dump1", &dump1);
	for (size_t i = 0; i < dump1.n; i++)      /* the kernel kept the cookie */
		if (dump1.v[i].lport == C1)
			assert_true(tw->rec.cookie == dump1.v[i].cookie);
	sock_list_free(&dump1);
	world_free(&w);
}

/* The dump still held the connection; the announcement came after. Each
 * end waits a poll to see whether a timewait socket goes on: the client's
 * does (one brief NEW), the server's end is a brief GONE. */
static void test_socket_announced_after_the_dump_is_gone_not_new(void **state)
{
	struct world w;
	const struct sock_event *e;

	(void)state;
	world_init(&w);
	world_poll(&w, NULL, 10, 1);
	announce_all(&w, 11.2);
	world_poll(&w, "dump1", 11, 0);
	assert_int_equal(count_events(&w, SOCK_EV_NEW, C1, LISTENER), 0);
	assert_int_equal(count_all(&w, SOCK_EV_NEW, LISTENER, C1), 0);
	assert_non_null(find_event(&w, SOCK_EV_NEW, LISTENER, 0));
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C1, LISTENER), 0);
	assert_int_equal(count_all(&w, SOCK_EV_GONE, LISTENER, C1), 0);
	world_poll(&w, "dump2", 12, 0);
	e = find_event(&w, SOCK_EV_GONE, LISTENER, C1);
	assert_non_null(e);
	assert_true(e->brief);
	assert_int_equal(e->rec.inode, S1_INODE);   /* from the snapshot */
	assert_false(e->uid_unknown);
	assert_true(e->time == 11.2);
	assert_int_equal(count_events(&w, SOCK_EV_GONE, C1, LISTENER), 0);
	e = find_event(&w, SOCK_EV_NEW, C1, LISTENER);
	assert_non_null(e);
	assert_int_equal(e->rec.state, SOCK_ST_TIME_WAIT);
	assert_true(e->brief);
	assert_false(e->uid_unknown);               /* the snapshot's */
	assert_int_equal(e->rec.tcp.bytes_sent, 3000);
	world_free(&w);
}

/* Nothing of either connection was in the dump, and both were heard
 * closed when the poll was applied (at its time: once its dump had begun,
 * when the first connection's TIME_WAIT may not have been there yet):
 * their TCP ends wait for the next dump, which shows the clients'
 * TIME_WAITs; UDP leaves nothing, and is reported at once. */
static void test_close_heard_after_the_dump_began_waits_for_the_next_dump(void **state)
{
	struct world w;
	const struct sock_event *e;
	size_t final = 0;

	(void)state;
	world_init(&w);
	world_poll(&w, NULL, 10, 1);
	announce_all(&w, 11);
	world_poll(&w, NULL, 11, 0);
	assert_int_equal(w.ev.n, 2);
	for (size_t i = 0; i < w.ev.n; i++) {
		assert_int_equal(w.ev.v[i].rec.proto, IPPROTO_UDP);
		final += w.ev.v[i].final;
	}
	world_poll(&w, "dump2", 12, 0);
	for (size_t i = 0; i < w.ev.n; i++)
		final += w.ev.v[i].final;
	assert_int_equal(final, 8);                 /* each announcement once */
	e = find_event(&w, SOCK_EV_NEW, C1, LISTENER);
	assert_non_null(e);
	assert_int_equal(e->rec.state, SOCK_ST_TIME_WAIT);
	assert_true(e->brief);
	assert_int_equal(e->rec.tcp.bytes_sent, 3000);
	assert_true(e->time == 11);
	assert_true(find_event(&w, SOCK_EV_NEW, C2, LISTENER)->brief);
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C1, LISTENER), 0);
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C2, LISTENER), 0);
	assert_true(find_event(&w, SOCK_EV_GONE, LISTENER, C1)->brief);
	assert_true(find_event(&w, SOCK_EV_GONE, LISTENER, C2)->brief);
	world_free(&w);
}

static void test_late_announcement_of_a_socket_already_gone_is_not_repeated(void **state)
{
	struct world w;

	(void)state;
	world_init(&w);
	world_poll(&w, "dump1", 10, 1);
	world_poll(&w, "dump2", 11, 0);   /* gone before its announcement came */
	assert_int_equal(count_events(&w, SOCK_EV_GONE, LISTENER, C1), 1);
	assert_false(find_event(&w, SOCK_EV_GONE, LISTENER, C1)->final);
	assert_int_equal(count_all(&w, SOCK_EV_STATE, C1, LISTENER), 1);   /* TIME_WAIT */
	assert_int_equal(count_all(&w, SOCK_EV_NEW, C2, LISTENER), 1);     /* its TIME_WAIT */
	announce_all(&w, 11.5);
	world_poll(&w, "dump2", 12, 0);
	assert_int_equal(count_events(&w, SOCK_EV_GONE, C1, LISTENER), 0);
	assert_int_equal(count_events(&w, SOCK_EV_GONE, LISTENER, C1), 0);
	/* The clients' full sockets went on as the TIME_WAITs in the table. */
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C1, LISTENER), 0);
	assert_int_equal(count_all(&w, SOCK_EV_GONE, C2, LISTENER), 0);
	assert_int_equal(count_events(&w, SOCK_EV_GONE, LISTENER, C2), 1);
	assert_true(sock_table_find(w.t, &find_event(&w, SOCK_EV_GONE, LISTENER, C2)->rec) == NULL);
	world_free(&w);
}

static void test_events_of_a_poll_come_in_time_order(void **state)
{
	struct world w;

	(void)state;
	poll_after_the_close(&w);
	assert_true(w.ev.n > 2);
	for (size_t i = 1; i < w.ev.n; i++)
		assert_true(w.ev.v[i - 1].time <= w.ev.v[i].time);
	world_free(&w);
}

static void test_announcements_before_the_baseline_are_not_news(void **state)
{
	struct world w;

	(void)state;
	world_init(&w);
	announce_all(&w, 9.5);
	world_poll(&w, "dump1", 10, 1);
	world_poll(&w, "dump1", 11, 0);
	assert_int_equal(w.ev.n, 0);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_connection_gone_carries_its_final_counters),
		cmocka_unit_test(test_known_connection_keeps_its_inode_and_uid_when_gone),
		cmocka_unit_test(test_known_connection_gone_keeps_the_state_it_was_seen_in),
		cmocka_unit_test(test_connection_no_poll_saw_is_reported_once_as_brief),
		cmocka_unit_test(test_brief_socket_has_no_inode_uid_or_owner),
		cmocka_unit_test(test_every_announced_socket_appears_once),
		cmocka_unit_test(test_aborted_connection_no_poll_saw_shows_both_ends_addresses),
		cmocka_unit_test(test_cleared_end_without_its_peers_announcement_is_left_as_announced),
		cmocka_unit_test(test_time_wait_remnant_goes_on_as_the_closed_connection),
		cmocka_unit_test(test_socket_announced_after_the_dump_is_gone_not_new),
		cmocka_unit_test(test_close_heard_after_the_dump_began_waits_for_the_next_dump),
		cmocka_unit_test(test_late_announcement_of_a_socket_already_gone_is_not_repeated),
		cmocka_unit_test(test_events_of_a_poll_come_in_time_order),
		cmocka_unit_test(test_announcements_before_the_baseline_are_not_news),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
