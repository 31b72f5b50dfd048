/* test_life.c — a TCP connection's life as the table tells it, replayed
 * from the real kernel's dumps and close notices with the owners /proc
 * showed at each dump (tests/tools/life_record.py): every life reads new,
 * state..., gone — one new and one gone — with or without the notices,
 * and names who held it as its former owners once no process does. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "fixture.h"
#include "destroyed.h"
#include "netlink.h"
#include "procmap.h"
#include "proctree.h"
#include "table.h"

/* The ports the recording script printed for each case; the client is
 * life-cli, the server life-srv. */
#define ACTIVE_LISTENER 58765
#define ACTIVE_CLIENT 43979
#define ACTIVE_CLIENT_INODE 317682
#define PASSIVE_LISTENER 52073
#define PASSIVE_CLIENT 44551
#define SIMUL_LISTENER 58613
#define SIMUL_CLIENT 33339
#define RESET_LISTENER 48871
#define RESET_CLIENT 45175
#define BRIEF_LISTENER 37353
#define BRIEF_CLIENT 42521
#define REUSE_LISTENER 55993
#define REUSE_CLIENT 40523

#define POLL_GAP 10.0      /* seconds between two replayed polls */

/* One event as the replay saw it. */
struct seen {
	enum sock_event_type type;
	uint8_t state, from, brief, final, uid_unknown;
	uint16_t lport, rport;
	uint64_t inode, bytes_sent, bytes_received;
	char owner[17], owner_was[17];   /* first owner's command, "" if none */
	int poll;
};

struct replay {
	struct seen v[64];
	size_t n;
	struct sock_table *t;             /* as after the last poll */
	struct procmap *pm[16];           /* kept: the table compares their addresses */
	int polls;
};

/* The owners /proc showed just after dump n. */
static struct procmap *owners_at(const char *name, int n)
{
	char src[512], err[256];
	struct proctree tree;
	struct procmap *pm;

	snprintf(src, sizeof(src), "%s/life-%s/%d", FIXTURES, name, n);
	assert_int_equal(proctree_make(&tree, src, err, sizeof(err)), 0);
	pm = procmap_new(tree.root);
	assert_non_null(pm);
	assert_int_equal(procmap_refresh(pm, err, sizeof(err)), 0);
	assert_int_equal(proctree_remove(&tree, err, sizeof(err)), 0);
	return pm;
}

static void keep_event(struct replay *r, const struct sock_event *e)
{
	struct seen *s = &r->v[r->n++];

	assert_true(r->n <= sizeof(r->v) / sizeof(r->v[0]));
	memset(s, 0, sizeof(*s));
	s->type = e->type;
	s->state = e->rec.state;
	s->from = e->from_state;
	s->brief = e->brief;
	s->final = e->final;
	s->uid_unknown = e->uid_unknown;
	s->lport = e->rec.lport;
	s->rport = e->rec.rport;
	s->inode = e->rec.inode;
	s->bytes_sent = e->rec.tcp.bytes_sent;
	s->bytes_received = e->rec.tcp.bytes_received;
	if (e->nowners)
		snprintf(s->owner, sizeof(s->owner), "%s", e->owners[0].comm);
	if (e->nowners_was)
		snprintf(s->owner_was, sizeof(s->owner_was), "%s", e->owners_was[0].comm);
	s->poll = r->polls;
}

/* One poll as the poller makes it: prune, diff, merge (with notices). */
static void replay_poll(struct replay *r, const char *name, struct sock_list *snap,
                        struct destroyed_list *l, struct destroyed_memory *m, int notices)
{
	struct sock_events ev;
	double now = POLL_GAP * (r->polls + 1);
	struct procmap *pm = owners_at(name, r->polls);

	sock_events_init(&ev);
	if (notices)
		destroyed_prune_snapshot(l, snap, r->t);
	assert_int_equal(sock_table_update(r->t, snap, pm, now, &ev), 0);
	if (notices)
		assert_int_equal(destroyed_merge(l, m, pm, r->t, now, &ev, 0), 0);
	destroyed_list_carry(l);
	for (size_t i = 0; i < ev.n; i++)
		keep_event(r, &ev.v[i]);
	sock_events_free(&ev);
	r->pm[r->polls++] = pm;
	sock_list_clear(snap);
}

/* What /proc/net shows of a dumped socket: no cookie, no tcp_info (the
 * timer that marks a timewait socket is there too). */
static void as_procnet(struct sock_rec *rec)
{
	rec->cookie = 0;
	rec->has_tcpinfo = 0;
	memset(&rec->tcp, 0, sizeof(rec->tcp));
}

/* Replays life-NAME.bin up to dump last: its notices (when notices is
 * set) as read half a gap before the poll that follows them, each dump as
 * one poll (as /proc/net would show it, with procnet). */
static void replay_with(struct replay *r, const char *name, int notices, int last,
                        int procnet)
{
	char file[128];
	size_t len, off = 0;
	struct sock_list snap, recs;
	struct destroyed_list l;
	struct destroyed_memory *m = destroyed_memory_new();
	char *buf;

	memset(r, 0, sizeof(*r));
	r->t = sock_table_new();
	assert_non_null(r->t);
	assert_non_null(m);
	snprintf(file, sizeof(file), "life-%s.bin", name);
	buf = fixture_read(file, &len);
	sock_list_init(&snap);
	sock_list_init(&recs);
	destroyed_list_init(&l);
	while (off + NLMSG_HDRLEN <= len && r->polls <= last) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
		assert_true(h->nlmsg_len >= NLMSG_HDRLEN && off + h->nlmsg_len <= len);
		if (h->nlmsg_seq == 0 && notices) {
			sock_list_clear(&recs);
			assert_int_equal(netlink_parse_notifications(h, h->nlmsg_len, &recs), 1);
			assert_int_equal(destroyed_list_add(&l, recs.v, 1,
			                                    POLL_GAP * (r->polls + 1) - POLL_GAP / 2), 0);
		} else if (h->nlmsg_seq != 0 && h->nlmsg_type == NLMSG_DONE) {
			replay_poll(r, name, &snap, &l, m, notices);
		} else if (h->nlmsg_seq != 0) {
			struct sock_rec *rec = sock_list_push(&snap);
			assert_non_null(rec);
			assert_int_equal(netlink_parse_msg(h, IPPROTO_TCP, rec), 0);
			if (procnet)
				as_procnet(rec);
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	free(buf);
	sock_list_free(&snap);
	sock_list_free(&recs);
	destroyed_list_free(&l);
	destroyed_memory_free(m);
}

static void replay_to(struct replay *r, const char *name, int notices, int last)
{
	replay_with(r, name, notices, last, 0);
}

static void replay(struct replay *r, const char *name, int notices)
{
	replay_to(r, name, notices, 1000);
}

static void replay_free(struct replay *r)
{
	sock_table_free(r->t);
	for (int i = 0; i < r->polls; i++)
		procmap_free(r->pm[i]);
}

/* The events of one end of a connection (its local and remote port), as
 * "new ESTABLISHED, state ESTABLISHED>TIME_WAIT, gone TIME_WAIT", a
 * brief one marked "(brief)". */
static const char *life_of(const struct replay *r, uint16_t lport, uint16_t rport)
{
	static char out[1024];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->n; i++) {
		const struct seen *s = &r->v[i];
		if (s->lport != lport || s->rport != rport)
			continue;
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s ", n ? ", " : "",
		                      sock_event_name(s->type));
		if (s->type == SOCK_EV_STATE)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s>",
			                      sock_state_name(IPPROTO_TCP, s->from));
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
		                      sock_state_name(IPPROTO_TCP, s->state),
		                      s->brief ? " (brief)" : "");
	}
	return out;
}

/* The k-th event (from 0) of one end. */
static const struct seen *event_of(const struct replay *r, uint16_t lport, uint16_t rport,
                                   size_t k)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].lport == lport && r->v[i].rport == rport && k-- == 0)
			return &r->v[i];
	fail_msg("no event %zu for %u -> %u", k, lport, rport);
	return NULL;
}

/* ---- active close: the client closes first ---- */

static void active_close_client_goes_through_fin_wait2_and_time_wait(void **state)
{
	struct replay r;

	(void)state;
	for (int notices = 0; notices <= 1; notices++) {
		replay(&r, "active", notices);
		assert_string_equal(life_of(&r, ACTIVE_CLIENT, ACTIVE_LISTENER),
		                    "new ESTABLISHED, state ESTABLISHED>FIN_WAIT2, "
		                    "state FIN_WAIT2>TIME_WAIT, gone TIME_WAIT");
		assert_string_equal(life_of(&r, ACTIVE_LISTENER, ACTIVE_CLIENT),
		                    "new ESTABLISHED, state ESTABLISHED>CLOSE_WAIT, gone CLOSE_WAIT");
		replay_free(&r);
	}
}

static void active_close_time_wait_names_the_client_as_former_owner(void **state)
{
	struct replay r;
	const struct seen *s;

	(void)state;
	replay(&r, "active", 1);
	s = event_of(&r, ACTIVE_CLIENT, ACTIVE_LISTENER, 0);
	assert_string_equal(s->owner, "life-cli");
	assert_string_equal(s->owner_was, "");
	for (size_t k = 1; k <= 3; k++) {
		s = event_of(&r, ACTIVE_CLIENT, ACTIVE_LISTENER, k);
		assert_string_equal(s->owner, "");          /* no process holds it */
		assert_string_equal(s->owner_was, "life-cli");
		assert_int_equal(s->inode, 0);
	}
	/* The server end stays whole to its end: owned, no former owner. */
	s = event_of(&r, ACTIVE_LISTENER, ACTIVE_CLIENT, 2);
	assert_string_equal(s->owner, "life-srv");
	assert_string_equal(s->owner_was, "");
	replay_free(&r);
}

/* The full socket's close notice came with its timewait socket: the
 * state event carries its final counters (3000 bytes out, 1000 back). */
static void active_close_state_into_the_timewait_carries_the_final_counters(void **state)
{
	struct replay r;
	const struct seen *s;

	(void)state;
	replay(&r, "active", 1);
	s = event_of(&r, ACTIVE_CLIENT, ACTIVE_LISTENER, 1);
	assert_int_equal(s->state, SOCK_ST_FIN_WAIT2);
	assert_true(s->final);
	assert_false(s->brief);
	assert_int_equal(s->bytes_sent, 3000);
	assert_int_equal(s->bytes_received, 1000);
	replay_free(&r);
}

/* While its TIME_WAIT lasts the row keeps its first-seen time, its byte
 * totals and its former owners, and is found by the inode it had. */
static void active_close_time_wait_entry_keeps_the_connection(void **state)
{
	struct replay r;
	const struct sock_entry *e;
	const struct sock_owner *o;
	struct sock_rec probe;
	int former;

	(void)state;
	replay_to(&r, "active", 1, 2);                 /* the client in TIME_WAIT */
	memset(&probe, 0, sizeof(probe));
	probe.proto = IPPROTO_TCP;
	probe.family = AF_INET;
	probe.laddr[0] = probe.raddr[0] = 127;
	probe.laddr[3] = probe.raddr[3] = 1;
	probe.lport = ACTIVE_CLIENT;
	probe.rport = ACTIVE_LISTENER;
	probe.inode = ACTIVE_CLIENT_INODE;             /* as a row remembered it */
	e = sock_table_find(r.t, &probe);
	assert_non_null(e);
	assert_int_equal(e->rec.state, SOCK_ST_TIME_WAIT);
	assert_int_equal(e->rec.inode, 0);
	assert_int_equal(e->inode_was, ACTIVE_CLIENT_INODE);
	assert_true(e->first_seen == POLL_GAP);        /* the first poll's */
	assert_false(e->has_rate);
	assert_int_equal(e->rec.tcp.bytes_sent, 3000);
	assert_int_equal(e->rec.tcp.bytes_received, 1000);
	assert_int_equal(e->nowners, 0);
	assert_int_equal(sock_entry_owners(e, &o, &former), 1);
	assert_true(former);
	assert_string_equal(o[0].comm, "life-cli");
	assert_false(e->brief);
	replay_free(&r);
}

/* ---- passive close: the end that closes second ---- */

static void passive_close_reads_close_wait_last_ack_gone(void **state)
{
	struct replay r;

	(void)state;
	for (int notices = 0; notices <= 1; notices++) {
		replay(&r, "passive", notices);
		assert_string_equal(life_of(&r, PASSIVE_CLIENT, PASSIVE_LISTENER),
		                    "new ESTABLISHED, state ESTABLISHED>CLOSE_WAIT, "
		                    "state CLOSE_WAIT>LAST_ACK, gone LAST_ACK");
		assert_string_equal(life_of(&r, PASSIVE_LISTENER, PASSIVE_CLIENT),
		                    "new ESTABLISHED, state ESTABLISHED>FIN_WAIT2, "
		                    "state FIN_WAIT2>TIME_WAIT, gone TIME_WAIT");
		replay_free(&r);
	}
}

static void passive_close_last_ack_names_the_process_that_closed_it(void **state)
{
	struct replay r;
	const struct seen *s;

	(void)state;
	replay(&r, "passive", 1);
	s = event_of(&r, PASSIVE_CLIENT, PASSIVE_LISTENER, 2);      /* LAST_ACK: orphaned */
	assert_string_equal(s->owner, "");
	assert_string_equal(s->owner_was, "life-cli");
	s = event_of(&r, PASSIVE_LISTENER, PASSIVE_CLIENT, 1);      /* FIN_WAIT2, still held */
	assert_string_equal(s->owner, "life-srv");
	s = event_of(&r, PASSIVE_LISTENER, PASSIVE_CLIENT, 3);      /* gone TIME_WAIT */
	assert_string_equal(s->owner_was, "life-srv");
	assert_int_equal(s->type, SOCK_EV_GONE);
	replay_free(&r);
}

/* ---- simultaneous close: both ends in TIME_WAIT ---- */

static void simultaneous_close_leaves_both_ends_in_time_wait(void **state)
{
	struct replay r;

	(void)state;
	for (int notices = 0; notices <= 1; notices++) {
		replay(&r, "simultaneous", notices);
		assert_string_equal(life_of(&r, SIMUL_CLIENT, SIMUL_LISTENER),
		                    "new ESTABLISHED, state ESTABLISHED>FIN_WAIT1, "
		                    "state FIN_WAIT1>CLOSING, state CLOSING>TIME_WAIT, gone TIME_WAIT");
		assert_string_equal(life_of(&r, SIMUL_LISTENER, SIMUL_CLIENT),
		                    "new ESTABLISHED, state ESTABLISHED>FIN_WAIT1, "
		                    "state FIN_WAIT1>FIN_WAIT2, state FIN_WAIT2>TIME_WAIT, "
		                    "gone TIME_WAIT");
		replay_free(&r);
	}
}

/* The processes held their sockets (shut down, not closed) until both
 * were in TIME_WAIT: the notices came a poll later and are nobody's news. */
static void simultaneous_close_late_notices_add_no_event(void **state)
{
	struct replay r;

	(void)state;
	replay(&r, "simultaneous", 1);
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].poll == 4)
			fail_msg("an event at the poll after the late notices: %s",
			         sock_event_name(r.v[i].type));
	assert_string_equal(event_of(&r, SIMUL_CLIENT, SIMUL_LISTENER, 3)->owner_was, "life-cli");
	assert_string_equal(event_of(&r, SIMUL_LISTENER, SIMUL_CLIENT, 3)->owner_was, "life-srv");
	replay_free(&r);
}

/* ---- reset ---- */

static void reset_connection_is_gone_at_once_at_both_ends(void **state)
{
	struct replay r;

	(void)state;
	for (int notices = 0; notices <= 1; notices++) {
		replay(&r, "reset", notices);
		assert_string_equal(life_of(&r, RESET_CLIENT, RESET_LISTENER),
		                    "new ESTABLISHED, gone ESTABLISHED");
		assert_string_equal(life_of(&r, RESET_LISTENER, RESET_CLIENT),
		                    "new ESTABLISHED, gone ESTABLISHED");
		assert_int_equal(event_of(&r, RESET_CLIENT, RESET_LISTENER, 1)->poll, 1);
		assert_int_equal(event_of(&r, RESET_LISTENER, RESET_CLIENT, 1)->poll, 1);
		replay_free(&r);
	}
}

/* ---- a connection no poll saw whole ---- */

static void brief_connection_is_one_life_from_its_time_wait(void **state)
{
	struct replay r;

	(void)state;
	replay(&r, "brief", 1);
	assert_string_equal(life_of(&r, BRIEF_CLIENT, BRIEF_LISTENER),
	                    "new TIME_WAIT (brief), gone TIME_WAIT");
	/* The server's end left nothing behind: its one event. */
	assert_string_equal(life_of(&r, BRIEF_LISTENER, BRIEF_CLIENT), "gone CLOSE (brief)");
	replay_free(&r);
	replay(&r, "brief", 0);
	assert_string_equal(life_of(&r, BRIEF_CLIENT, BRIEF_LISTENER),
	                    "new TIME_WAIT (brief), gone TIME_WAIT");
	assert_string_equal(life_of(&r, BRIEF_LISTENER, BRIEF_CLIENT), "");
	replay_free(&r);
}

static void brief_new_carries_the_close_notices_final_counters(void **state)
{
	struct replay r;
	const struct seen *s;

	(void)state;
	replay(&r, "brief", 1);
	s = event_of(&r, BRIEF_CLIENT, BRIEF_LISTENER, 0);
	assert_true(s->brief);
	assert_true(s->final);
	assert_int_equal(s->bytes_sent, 700);
	assert_int_equal(s->bytes_received, 700);
	/* Never seen whole: no owner, no former owner, no uid. */
	assert_string_equal(s->owner, "");
	assert_string_equal(s->owner_was, "");
	assert_true(s->uid_unknown);
	replay_free(&r);
}

/* ---- one 5-tuple, three lives ---- */

static void reused_tuple_is_a_new_life_each_time(void **state)
{
	struct replay r;

	(void)state;
	for (int notices = 0; notices <= 1; notices++) {
		replay(&r, "reuse", notices);
		/* Life 1 ends with its TIME_WAIT; life 2 closes second; life 3
		 * is aborted. */
		assert_string_equal(life_of(&r, REUSE_CLIENT, REUSE_LISTENER),
		                    "new ESTABLISHED, state ESTABLISHED>TIME_WAIT, gone TIME_WAIT, "
		                    "new ESTABLISHED, gone ESTABLISHED, "
		                    "new ESTABLISHED, gone ESTABLISHED");
		/* Life 3 takes the tuple over from life 2's TIME_WAIT: that
		 * life ends before the new one starts, in the same poll. */
		assert_string_equal(life_of(&r, REUSE_LISTENER, REUSE_CLIENT),
		                    "new ESTABLISHED, gone ESTABLISHED, "
		                    "new ESTABLISHED, state ESTABLISHED>TIME_WAIT, "
		                    "gone TIME_WAIT, new ESTABLISHED, gone ESTABLISHED");
		assert_int_equal(event_of(&r, REUSE_LISTENER, REUSE_CLIENT, 4)->poll, 5);
		assert_int_equal(event_of(&r, REUSE_LISTENER, REUSE_CLIENT, 5)->poll, 5);
		replay_free(&r);
	}
}

static void reused_tuple_new_life_has_its_own_owner_not_a_former_one(void **state)
{
	struct replay r;
	const struct seen *s;

	(void)state;
	replay(&r, "reuse", 1);
	s = event_of(&r, REUSE_LISTENER, REUSE_CLIENT, 4);          /* life 2's TIME_WAIT gone */
	assert_string_equal(s->owner_was, "life-srv");
	s = event_of(&r, REUSE_LISTENER, REUSE_CLIENT, 5);          /* life 3 new */
	assert_string_equal(s->owner, "life-srv");
	assert_string_equal(s->owner_was, "");
	assert_true(s->inode != 0);
	replay_free(&r);
}

/* ---- the /proc/net source: no cookies, the same lives ---- */

static void procnet_source_gives_the_same_lives(void **state)
{
	static const char *const cases[] = {
		"active", "passive", "simultaneous", "reset", "brief", "reuse",
	};
	struct replay r, p;

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		replay(&r, cases[c], 0);
		replay_with(&p, cases[c], 0, 1000, 1);
		assert_int_equal(p.n, r.n);
		for (size_t i = 0; i < r.n; i++) {
			assert_int_equal(p.v[i].type, r.v[i].type);
			assert_int_equal(p.v[i].state, r.v[i].state);
			assert_int_equal(p.v[i].lport, r.v[i].lport);
			assert_int_equal(p.v[i].rport, r.v[i].rport);
			assert_int_equal(p.v[i].poll, r.v[i].poll);
			assert_string_equal(p.v[i].owner_was, r.v[i].owner_was);
		}
		replay_free(&r);
		replay_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(active_close_client_goes_through_fin_wait2_and_time_wait),
		cmocka_unit_test(active_close_time_wait_names_the_client_as_former_owner),
		cmocka_unit_test(active_close_state_into_the_timewait_carries_the_final_counters),
		cmocka_unit_test(active_close_time_wait_entry_keeps_the_connection),
		cmocka_unit_test(passive_close_reads_close_wait_last_ack_gone),
		cmocka_unit_test(passive_close_last_ack_names_the_process_that_closed_it),
		cmocka_unit_test(simultaneous_close_leaves_both_ends_in_time_wait),
		cmocka_unit_test(simultaneous_close_late_notices_add_no_event),
		cmocka_unit_test(reset_connection_is_gone_at_once_at_both_ends),
		cmocka_unit_test(brief_connection_is_one_life_from_its_time_wait),
		cmocka_unit_test(brief_new_carries_the_close_notices_final_counters),
		cmocka_unit_test(reused_tuple_is_a_new_life_each_time),
		cmocka_unit_test(reused_tuple_new_life_has_its_own_owner_not_a_former_one),
		cmocka_unit_test(procnet_source_gives_the_same_lives),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
