/* test_table.c — the live table and its diff: NEW, GONE and STATE events,
 * identity (protocol, addresses, ports, inode), first-seen times, owners carried on GONE, and
 * per-socket byte rates from the tcp_info counters. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "table.h"

static struct sock_rec tcp4(const char *l, uint16_t lp, const char *r, uint16_t rp,
                            uint8_t state, uint64_t inode)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	s.family = AF_INET;
	inet_pton(AF_INET, l, s.laddr);
	inet_pton(AF_INET, r, s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.state = state;
	s.inode = inode;
	return s;
}

static void snap_of(struct sock_list *l, const struct sock_rec *recs, size_t n)
{
	sock_list_clear(l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(l) = recs[i];
}

static struct sock_rec listener_rec(void)
{
	return tcp4("127.0.0.1", 8080, "0.0.0.0", 0, SOCK_ST_LISTEN, 1001);
}

static void first_update_reports_every_socket_as_new(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec recs[] = {
		listener_rec(),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_ESTABLISHED, 1002),
	};
	snap_of(&l, recs, 2);
	assert_int_equal(sock_table_update(t, &l, NULL, 100.0, &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.v[0].type, SOCK_EV_NEW);
	assert_int_equal(ev.v[1].type, SOCK_EV_NEW);
	assert_true(ev.v[0].time == 100.0);
	assert_int_equal(sock_table_count(t), 2);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

static void unchanged_snapshot_reports_nothing(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec recs[] = { listener_rec() };
	snap_of(&l, recs, 1);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	assert_int_equal(sock_table_update(t, &l, NULL, 2.0, &ev), 0);
	assert_int_equal(ev.n, 0);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

static void state_change_reports_old_and_new_state(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec r = tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_ESTABLISHED, 7);
	snap_of(&l, &r, 1);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	r.state = SOCK_ST_CLOSE_WAIT;
	snap_of(&l, &r, 1);
	sock_table_update(t, &l, NULL, 2.0, &ev);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.v[0].type, SOCK_EV_STATE);
	assert_int_equal(ev.v[0].from_state, SOCK_ST_ESTABLISHED);
	assert_int_equal(ev.v[0].rec.state, SOCK_ST_CLOSE_WAIT);
	const struct sock_entry *e = sock_table_find(t, &r);
	assert_non_null(e);
	assert_true(e->first_seen == 1.0);
	assert_true(e->state_since == 2.0);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

static void vanished_socket_is_gone_with_its_last_state(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec recs[] = {
		listener_rec(),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_ESTABLISHED, 1002),
	};
	snap_of(&l, recs, 2);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	snap_of(&l, recs, 1);
	sock_table_update(t, &l, NULL, 2.0, &ev);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.v[0].type, SOCK_EV_GONE);
	assert_int_equal(ev.v[0].rec.rport, 40000);
	assert_int_equal(ev.v[0].rec.state, SOCK_ST_ESTABLISHED);
	assert_true(ev.v[0].time == 2.0);
	assert_int_equal(sock_table_count(t), 1);
	assert_null(sock_table_find(t, &recs[1]));
	assert_non_null(sock_table_find(t, &recs[0]));
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

/* The same socket while protocol, addresses, ports and inode are the
 * same. A new inode on the same 4-tuple is another socket: the old one's
 * GONE comes first, so that whoever follows the tuple reads them in
 * order. */
static void new_inode_on_same_ports_is_another_socket(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec r = tcp4("127.0.0.1", 5000, "127.0.0.1", 6000, SOCK_ST_ESTABLISHED, 11);
	snap_of(&l, &r, 1);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	r.inode = 12;
	snap_of(&l, &r, 1);
	sock_table_update(t, &l, NULL, 2.0, &ev);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.v[1].type, SOCK_EV_NEW);
	assert_int_equal(ev.v[1].rec.inode, 12);
	assert_int_equal(ev.v[0].type, SOCK_EV_GONE);
	assert_int_equal(ev.v[0].rec.inode, 11);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

static void same_port_over_ipv4_and_ipv6_are_two_sockets(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec recs[2] = { listener_rec(), listener_rec() };
	recs[1].family = AF_INET6;
	memset(recs[1].laddr, 0, 16);
	recs[1].laddr[15] = 1;
	snap_of(&l, recs, 2);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	assert_int_equal(sock_table_count(t), 2);
	sock_list_free(&l); sock_table_free(t);
}

/* TIME_WAIT sockets have no inode: only the namespace tells apart the same
 * loopback connection closing in two containers. */
static void same_time_wait_in_two_namespaces_are_two_sockets(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec recs[2];
	recs[0] = tcp4("127.0.0.1", 5000, "127.0.0.1", 6000, SOCK_ST_TIME_WAIT, 0);
	recs[1] = recs[0];
	recs[1].netns = 4026532300ULL;
	snap_of(&l, recs, 2);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	assert_int_equal(sock_table_count(t), 2);
	assert_non_null(sock_table_find(t, &recs[1]));
	assert_int_equal(sock_table_find(t, &recs[1])->rec.netns, 4026532300ULL);
	assert_int_equal(sock_table_find(t, &recs[0])->rec.netns, 0);
	sock_list_free(&l); sock_table_free(t);
}

static void queue_changes_update_the_entry_without_an_event(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec r = tcp4("127.0.0.1", 5000, "127.0.0.1", 6000, SOCK_ST_ESTABLISHED, 11);
	snap_of(&l, &r, 1);
	sock_table_update(t, &l, NULL, 1.0, NULL);
	r.recvq = 4096;
	snap_of(&l, &r, 1);
	sock_table_update(t, &l, NULL, 2.0, &ev);
	assert_int_equal(ev.n, 0);
	assert_int_equal(sock_table_find(t, &r)->rec.recvq, 4096);
	assert_true(sock_table_find(t, &r)->first_seen == 1.0);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

/* Churn through many sockets: every lookup still finds exactly the sockets
 * of the latest snapshot (exercises index growth and deletion). */
static void heavy_churn_keeps_table_equal_to_latest_snapshot(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	for (int round = 0; round < 20; round++) {
		sock_list_clear(&l);
		for (int i = 0; i < 5000; i++) {
			/* Each round keeps half of the previous round's sockets. */
			int id = round * 2500 + i;
			*sock_list_push(&l) = tcp4("127.0.0.1", (uint16_t)(id % 60000 + 1),
			                           "127.0.0.2", 80, SOCK_ST_ESTABLISHED,
			                           (uint64_t)id + 1);
		}
		sock_events_clear(&ev);
		assert_int_equal(sock_table_update(t, &l, NULL, round, &ev), 0);
		assert_int_equal(sock_table_count(t), 5000);
		if (round > 0)
			assert_int_equal(ev.n, 5000);   /* 2500 new + 2500 gone */
		for (size_t i = 0; i < l.n; i++)
			assert_non_null(sock_table_find(t, &l.v[i]));
	}
	struct sock_rec old = tcp4("127.0.0.1", 1, "127.0.0.2", 80, SOCK_ST_ESTABLISHED, 1);
	assert_null(sock_table_find(t, &old));
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

/* Each poll usually lists the sockets in the table's own order, but not
 * always: the same sockets in another order, and one socket listed twice,
 * are still the same sockets (no event); one replaced is one gone and one
 * new, whatever its place. */
static void a_snapshot_in_another_order_is_the_same_sockets(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec recs[100];
	for (int i = 0; i < 100; i++)
		recs[i] = tcp4("127.0.0.1", (uint16_t)(1000 + i), "127.0.0.2", 80,
		               SOCK_ST_ESTABLISHED, (uint64_t)i + 1);
	snap_of(&l, recs, 100);
	assert_int_equal(sock_table_update(t, &l, NULL, 1.0, NULL), 0);
	sock_list_clear(&l);
	for (int i = 99; i >= 0; i--)
		*sock_list_push(&l) = recs[i];
	*sock_list_push(&l) = recs[50];
	assert_int_equal(sock_table_update(t, &l, NULL, 2.0, &ev), 0);
	assert_int_equal(ev.n, 0);
	assert_int_equal(sock_table_count(t), 100);
	l.v[10] = tcp4("127.0.0.1", 2000, "127.0.0.2", 80, SOCK_ST_ESTABLISHED, 500);
	assert_int_equal(sock_table_update(t, &l, NULL, 3.0, &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(sock_table_count(t), 100);
	assert_null(sock_table_find(t, &recs[89]));
	assert_non_null(sock_table_find(t, &l.v[10]));
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

static void event_names_are_the_json_words(void **state)
{
	(void)state;
	assert_string_equal(sock_event_name(SOCK_EV_NEW), "new");
	assert_string_equal(sock_event_name(SOCK_EV_GONE), "gone");
	assert_string_equal(sock_event_name(SOCK_EV_STATE), "state");
	assert_string_equal(sock_event_name(SOCK_EV_CLOSED), "closed");
}

/* ---- rates ---- */

/* An established TCP socket as netlink reports it, with tcp_info counters. */
static struct sock_rec counted(uint64_t acked, uint64_t received)
{
	struct sock_rec r = tcp4("127.0.0.1", 5000, "127.0.0.1", 6000, SOCK_ST_ESTABLISHED, 21);
	r.has_tcpinfo = 1;
	r.tcp.bytes_acked = acked;
	r.tcp.bytes_received = received;
	return r;
}

/* One poll holding only r, at now; returns the table's entry for it. */
static const struct sock_entry *poll_one(struct sock_table *t, struct sock_list *l,
                                         const struct sock_rec *r, double now,
                                         struct sock_events *ev)
{
	snap_of(l, r, 1);
	assert_int_equal(sock_table_update(t, l, NULL, now, ev), 0);
	return sock_table_find(t, r);
}

static void a_sockets_first_poll_has_no_rate(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec r = counted(1000000, 500000);
	const struct sock_entry *e = poll_one(t, &l, &r, 100.0, &ev);
	assert_false(e->has_rate);
	assert_int_equal(ev.n, 1);
	assert_false(ev.v[0].has_rate);          /* NEW: no spike, no zero */
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

static void steady_counters_give_the_exact_rate_over_the_gap_between_polls(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec r = counted(1000, 0);
	poll_one(t, &l, &r, 100.0, NULL);
	r = counted(1000 + 2 * 300000, 2 * 4096);
	const struct sock_entry *e = poll_one(t, &l, &r, 102.0, NULL);
	assert_true(e->has_rate);
	assert_true(e->tx_rate == 300000.0);
	assert_true(e->rx_rate == 4096.0);
	assert_true(e->seen_at == 102.0);
	r = counted(1000 + 2 * 300000, 2 * 4096);   /* idle since */
	e = poll_one(t, &l, &r, 104.0, NULL);
	assert_true(e->has_rate);
	assert_true(e->tx_rate == 0.0);
	assert_true(e->rx_rate == 0.0);
	sock_list_free(&l); sock_table_free(t);
}

static void a_counter_going_backwards_gives_no_rate_for_that_poll(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec r = counted(50000, 50000);
	poll_one(t, &l, &r, 100.0, NULL);
	r = counted(10000, 60000);
	const struct sock_entry *e = poll_one(t, &l, &r, 101.0, NULL);
	assert_false(e->has_rate);
	r = counted(12000, 61000);                  /* counts from the new base */
	e = poll_one(t, &l, &r, 102.0, NULL);
	assert_true(e->has_rate);
	assert_true(e->tx_rate == 2000.0);
	assert_true(e->rx_rate == 1000.0);
	sock_list_free(&l); sock_table_free(t);
}

static void udp_sockets_have_no_rate(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec r = counted(0, 0);
	r.proto = IPPROTO_UDP;
	poll_one(t, &l, &r, 100.0, NULL);
	r.tcp.bytes_received = 9000;        /* even if a source filled it */
	assert_false(poll_one(t, &l, &r, 101.0, NULL)->has_rate);
	sock_list_free(&l); sock_table_free(t);
}

static void tcp_without_tcp_info_has_no_rate(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec r = counted(0, 0);
	r.has_tcpinfo = 0;                  /* the /proc source */
	poll_one(t, &l, &r, 100.0, NULL);
	assert_false(poll_one(t, &l, &r, 101.0, NULL)->has_rate);
	r = counted(5000, 5000);            /* tcp_info only from now on */
	assert_false(poll_one(t, &l, &r, 102.0, NULL)->has_rate);
	sock_list_free(&l); sock_table_free(t);
}

static void state_and_gone_events_carry_the_rate(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec r = counted(0, 0);
	poll_one(t, &l, &r, 100.0, NULL);
	r = counted(800, 400);
	r.state = SOCK_ST_FIN_WAIT1;
	poll_one(t, &l, &r, 100.5, &ev);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.v[0].type, SOCK_EV_STATE);
	assert_true(ev.v[0].has_rate);
	assert_true(ev.v[0].tx_rate == 1600.0);
	assert_true(ev.v[0].rx_rate == 800.0);
	sock_events_clear(&ev);
	sock_list_clear(&l);
	assert_int_equal(sock_table_update(t, &l, NULL, 101.0, &ev), 0);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.v[0].type, SOCK_EV_GONE);
	assert_true(ev.v[0].has_rate);                /* as last seen */
	assert_true(ev.v[0].tx_rate == 1600.0);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

/* n connections, inodes from base; ports spread so each is its own socket. */
static void many_of(struct sock_list *l, size_t n, uint64_t base)
{
	sock_list_clear(l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(l) = tcp4("127.0.0.1", 8080, "127.0.0.2",
		                          (uint16_t)(1024 + (base + i) % 60000),
		                          SOCK_ST_ESTABLISHED, base + i);
}

static void a_table_that_lost_most_sockets_gives_back_its_room_and_keeps_the_rest(void **state)
{
	(void)state;
	struct sock_table *t = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);

	many_of(&l, 40000, 1);
	assert_int_equal(sock_table_update(t, &l, NULL, 100.0, NULL), 0);
	sock_table_fit(t);                            /* may trim the doubling's slack */
	assert_int_equal(sock_table_fit(t), 0);      /* then nothing more to give */
	many_of(&l, 1000, 1);                         /* 39,000 went */
	assert_int_equal(sock_table_update(t, &l, NULL, 101.0, &ev), 0);
	assert_int_equal(ev.n, 39000);
	assert_int_equal(sock_table_fit(t), 1);
	assert_int_equal(sock_table_count(t), 1000);
	for (size_t i = 0; i < l.n; i++)
		assert_non_null(sock_table_find(t, &l.v[i]));
	sock_events_clear(&ev);
	assert_int_equal(sock_table_update(t, &l, NULL, 102.0, &ev), 0);
	assert_int_equal(ev.n, 0);                    /* the same sockets, no news */
	assert_int_equal(sock_table_fit(t), 0);       /* given back once only */
	many_of(&l, 30000, 1);                        /* and it grows again */
	assert_int_equal(sock_table_update(t, &l, NULL, 103.0, &ev), 0);
	assert_int_equal(ev.n, 29000);
	for (size_t i = 0; i < l.n; i++)
		assert_non_null(sock_table_find(t, &l.v[i]));
	sock_events_free(&ev);
	sock_list_free(&l);
	sock_table_free(t);
}

static void events_cleared_after_a_burst_keep_only_the_room_a_poll_needs(void **state)
{
	(void)state;
	struct sock_events ev; sock_events_init(&ev);

	for (int i = 0; i < 20000; i++)
		assert_non_null(sock_events_push(&ev));
	size_t burst = ev.cap;
	sock_events_clear(&ev);
	assert_int_equal(ev.cap, burst);              /* a poll that busy may come again */
	for (int i = 0; i < 100; i++)
		assert_non_null(sock_events_push(&ev));
	sock_events_clear(&ev);
	assert_true(ev.cap < burst / 8);
	for (int i = 0; i < 20000; i++)                /* still usable, grows again */
		assert_non_null(sock_events_push(&ev));
	assert_int_equal(ev.n, 20000);
	sock_events_free(&ev);
}

/* A table copied entry by entry into a fresh one through restore. */
static struct sock_table *restored_copy(const struct sock_table *from)
{
	size_t n = sock_table_count(from);
	struct sock_entry *v = calloc(n ? n : 1, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = *sock_table_at(from, i);
	struct sock_table *t = sock_table_new();
	assert_int_equal(sock_table_restore(t, v, n), 0);
	free(v);
	return t;
}

static void a_restored_table_finds_its_sockets_and_keeps_their_lives(void **state)
{
	(void)state;
	struct sock_table *live = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_rec recs[] = {
		listener_rec(),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_ESTABLISHED, 1002),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40001, SOCK_ST_TIME_WAIT, 0),
	};
	snap_of(&l, recs, 3);
	assert_int_equal(sock_table_update(live, &l, NULL, 10.0, NULL), 0);
	struct sock_table *t = restored_copy(live);
	assert_int_equal(sock_table_count(t), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct sock_entry *e = sock_table_find(t, &recs[i]);
		assert_non_null(e);
		assert_int_equal(e->rec.lport, recs[i].lport);
		assert_int_equal(e->rec.rport, recs[i].rport);
		assert_int_equal(e->life, sock_table_find(live, &recs[i])->life);
		assert_true(e->first_seen == 10.0);
	}
	struct sock_rec other = tcp4("127.0.0.1", 8080, "127.0.0.1", 40002, SOCK_ST_ESTABLISHED, 1003);
	assert_null(sock_table_find(t, &other));
	sock_list_free(&l); sock_table_free(live); sock_table_free(t);
}

static void a_restored_table_diffs_the_next_poll_against_what_it_holds(void **state)
{
	(void)state;
	struct sock_table *live = sock_table_new();
	struct sock_list l; sock_list_init(&l);
	struct sock_events ev; sock_events_init(&ev);
	struct sock_rec recs[] = {
		listener_rec(),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_ESTABLISHED, 1002),
	};
	snap_of(&l, recs, 2);
	assert_int_equal(sock_table_update(live, &l, NULL, 10.0, NULL), 0);
	struct sock_table *t = restored_copy(live);
	/* The connection closes, a new one opens: one STATE and one NEW, and
	 * the new life is numbered after the highest restored. */
	struct sock_rec next[] = {
		listener_rec(),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_CLOSE_WAIT, 1002),
		tcp4("127.0.0.1", 8080, "127.0.0.1", 40005, SOCK_ST_ESTABLISHED, 1005),
	};
	snap_of(&l, next, 3);
	assert_int_equal(sock_table_update(t, &l, NULL, 11.0, &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.v[0].type, SOCK_EV_STATE);
	assert_int_equal(ev.v[0].from_state, SOCK_ST_ESTABLISHED);
	assert_int_equal(ev.v[1].type, SOCK_EV_NEW);
	assert_int_equal(ev.v[1].life, 3);
	assert_true(sock_table_find(t, &next[0])->first_seen == 10.0);
	/* A socket the next poll lacks is GONE. */
	sock_events_clear(&ev);
	snap_of(&l, next + 1, 2);
	assert_int_equal(sock_table_update(t, &l, NULL, 12.0, &ev), 0);
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.v[0].type, SOCK_EV_GONE);
	assert_int_equal(ev.v[0].rec.state, SOCK_ST_LISTEN);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(live); sock_table_free(t);
}

static void restore_copies_owners_and_replaces_what_the_table_held(void **state)
{
	(void)state;
	struct sock_owner o[2];
	memset(o, 0, sizeof(o));
	o[0].pid = 10;
	strcpy(o[0].comm, "nginx");
	o[1].pid = 11;
	strcpy(o[1].comm, "nginx");
	struct sock_entry v[3];
	memset(v, 0, sizeof(v));
	v[0].rec = listener_rec();
	v[1].rec = tcp4("127.0.0.1", 8080, "127.0.0.1", 40000, SOCK_ST_ESTABLISHED, 1002);
	v[2].rec = tcp4("127.0.0.1", 8080, "127.0.0.1", 40001, SOCK_ST_TIME_WAIT, 0);
	v[0].owners = v[1].owners = o;
	v[0].nowners = v[1].nowners = 2;
	v[2].owners_was = o;
	v[2].nowners_was = 1;
	v[2].inode_was = 1009;
	for (int i = 0; i < 3; i++) {
		v[i].life = 40 + (uint64_t)i;
		v[i].first_seen = 5.0 + i;
		v[i].state_since = 6.0 + i;
	}
	struct sock_table *t = sock_table_new();
	/* Whatever the table held goes. */
	struct sock_list l; sock_list_init(&l);
	struct sock_rec old = tcp4("127.0.0.9", 99, "0.0.0.0", 0, SOCK_ST_LISTEN, 7);
	snap_of(&l, &old, 1);
	assert_int_equal(sock_table_update(t, &l, NULL, 1.0, NULL), 0);
	assert_int_equal(sock_table_restore(t, v, 3), 0);
	/* The table holds copies: the caller's may go. */
	memset(o, 0, sizeof(o));
	assert_int_equal(sock_table_count(t), 3);
	assert_null(sock_table_find(t, &old));
	const struct sock_entry *l0 = sock_table_find(t, &v[0].rec);
	const struct sock_entry *c1 = sock_table_find(t, &v[1].rec);
	assert_int_equal(l0->nowners, 2);
	assert_string_equal(l0->owners[1].comm, "nginx");
	assert_int_equal(l0->owners[1].pid, 11);
	assert_ptr_equal(l0->owners, c1->owners);   /* shared, as polled */
	const struct sock_entry *tw = sock_table_find(t, &v[2].rec);
	const struct sock_owner *shown;
	int former;
	assert_int_equal(sock_entry_owners(tw, &shown, &former), 1);
	assert_true(former);
	assert_int_equal(shown[0].pid, 10);
	assert_true(tw->first_seen == 7.0 && tw->state_since == 8.0);
	assert_int_equal(tw->life, 42);
	/* The row of the connection's full socket, remembered before its
	 * process closed it, finds its TIME_WAIT. */
	struct sock_rec whole = tcp4("127.0.0.1", 8080, "127.0.0.1", 40001, SOCK_ST_ESTABLISHED, 1009);
	assert_ptr_equal(sock_table_find(t, &whole), tw);
	/* A new life after a restore is numbered after the highest. */
	struct sock_rec fresh = tcp4("127.0.0.1", 8080, "127.0.0.1", 40100, SOCK_ST_ESTABLISHED, 1100);
	snap_of(&l, &fresh, 1);
	struct sock_events ev; sock_events_init(&ev);
	assert_int_equal(sock_table_update(t, &l, NULL, 20.0, &ev), 0);
	assert_int_equal(ev.v[0].type, SOCK_EV_NEW);
	assert_int_equal(ev.v[0].life, 43);
	/* Restoring nothing empties it. */
	assert_int_equal(sock_table_restore(t, NULL, 0), 0);
	assert_int_equal(sock_table_count(t), 0);
	sock_events_free(&ev); sock_list_free(&l); sock_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_restored_table_finds_its_sockets_and_keeps_their_lives),
		cmocka_unit_test(a_restored_table_diffs_the_next_poll_against_what_it_holds),
		cmocka_unit_test(restore_copies_owners_and_replaces_what_the_table_held),
		cmocka_unit_test(first_update_reports_every_socket_as_new),
		cmocka_unit_test(unchanged_snapshot_reports_nothing),
		cmocka_unit_test(state_change_reports_old_and_new_state),
		cmocka_unit_test(vanished_socket_is_gone_with_its_last_state),
		cmocka_unit_test(new_inode_on_same_ports_is_another_socket),
		cmocka_unit_test(same_port_over_ipv4_and_ipv6_are_two_sockets),
		cmocka_unit_test(same_time_wait_in_two_namespaces_are_two_sockets),
		cmocka_unit_test(queue_changes_update_the_entry_without_an_event),
		cmocka_unit_test(heavy_churn_keeps_table_equal_to_latest_snapshot),
		cmocka_unit_test(a_snapshot_in_another_order_is_the_same_sockets),
		cmocka_unit_test(event_names_are_the_json_words),
		cmocka_unit_test(a_sockets_first_poll_has_no_rate),
		cmocka_unit_test(steady_counters_give_the_exact_rate_over_the_gap_between_polls),
		cmocka_unit_test(a_counter_going_backwards_gives_no_rate_for_that_poll),
		cmocka_unit_test(udp_sockets_have_no_rate),
		cmocka_unit_test(tcp_without_tcp_info_has_no_rate),
		cmocka_unit_test(state_and_gone_events_carry_the_rate),
		cmocka_unit_test(a_table_that_lost_most_sockets_gives_back_its_room_and_keeps_the_rest),
		cmocka_unit_test(events_cleared_after_a_burst_keep_only_the_room_a_poll_needs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
