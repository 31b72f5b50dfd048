/* test_view.c — the panes' model: which Connections rows show, in what
 * order, highlighted how, where the selection goes; the Processes counts
 * and rates (once per process group); the Events log; the header counts.
 * Tables are filled through sock_table_update; owners come from the /proc
 * tree recorded in tests/fixtures/proc-owners (see tests/fixtures/README;
 * made real in a temporary directory by proctree) or, for mixed states and
 * process groups, from this process's own loopback sockets in the real
 * /proc. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "columns.h"
#include "filter.h"
#include "procmap.h"
#include "proctree.h"
#include "rewind.h"
#include "view.h"

/* A pane's rows as its columns read them, through view_row. */
struct conn_row {
	struct column_row col;
	double state_since;
	enum view_highlight hl;
};

static int conn_row_at(const struct view *v, size_t i, struct conn_row *out)
{
	struct pane_row r;
	if (view_row(v, PANE_CONNECTIONS, i, &r) < 0)
		return -1;
	out->col = r.sock;
	out->state_since = r.state_since;
	out->hl = r.hl;
	return 0;
}

static const struct proc_row *proc_at(const struct view *v, size_t i)
{
	struct pane_row r;
	return view_row(v, PANE_PROCESSES, i, &r) < 0 ? NULL : r.proc;
}

static const struct sock_event *event_at(const struct view *v, size_t i)
{
	struct pane_row r;
	return view_row(v, PANE_EVENTS, i, &r) < 0 ? NULL : r.cells;
}

static const struct column *proc_column(const char *name)
{
	return columns_table_find(&columns_processes, name);
}

/* Whether the Processes pane shows col (where it has room). */
static int proc_column_shown(const struct view *v, const struct column *col)
{
	return columns_in_group(col, view_seen(v)) && columns_shown_unnamed(col, view_seen(v));
}

static const struct column *event_column(const char *name)
{
	return columns_table_find(&columns_events, name);
}

/* Recorded in tests/fixtures/proc-owners (values as test_procmap.c). */
#define LISTEN_INODE 14153u     /* held by 10817 and its fork child 10818 */
#define PAREN_INODE  14167u     /* 10819, comm "x) (y z" */
#define NOPW_INODE   14179u     /* 10820, uid 12345 */
#define OLD_INODE    14203u     /* 10822 "pm-old", start 41815 */
#define NEW_INODE    14237u     /* proc-reuse: 10822 again, "pm-new", start 41837 */
#define REUSED_PID   10822
#define OLD_START    41815ull
#define NEW_START    41837ull

/* Both recorded trees, materialised once for the whole group: the fixtures
 * keep fd tables as manifests, procmap needs real fd/ symlinks. */
struct recorded {
	struct proctree owners, reuse;
};

struct fx {
	const struct recorded *trees;   /* the group's, borrowed */
	struct sock_table *t;
	struct view *v;
	struct procmap *pm;
	struct sock_list l;
	struct sock_events ev;
	struct filter *f;
};

/* ---- helpers ---- */

static struct sock_rec tcp4(uint16_t lp, uint16_t rp, uint8_t state, uint64_t inode)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	s.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", s.laddr);
	if (rp)
		inet_pton(AF_INET, "127.0.0.1", s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.state = state;
	s.inode = inode;
	return s;
}

static struct sock_rec udp4(uint16_t lp, uint64_t inode)
{
	struct sock_rec s = tcp4(lp, 0, SOCK_ST_CLOSE, inode);
	s.proto = IPPROTO_UDP;
	return s;
}

static struct procmap *map_of(const char *root)
{
	char err[256];
	struct procmap *m = procmap_new(root);
	assert_non_null(m);
	assert_int_equal(procmap_refresh(m, err, sizeof(err)), 0);
	return m;
}

static int group_setup(void **state)
{
	char err[512];
	struct recorded *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	if (proctree_make(&r->owners, FIXTURES "/proc-owners", err, sizeof(err)) != 0
	    || proctree_make(&r->reuse, FIXTURES "/proc-reuse", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		proctree_remove(&r->owners, err, sizeof(err));
		free(r);
		return -1;
	}
	*state = r;
	return 0;
}

static int group_teardown(void **state)
{
	char err[512];
	struct recorded *r = *state;
	int rc = 0;

	if (!r)         /* cmocka tears down even after a failed setup */
		return 0;
	if (proctree_remove(&r->owners, err, sizeof(err)) != 0
	    || proctree_remove(&r->reuse, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		rc = -1;
	}
	free(r);
	return rc;
}

/* *state arrives holding the group's trees; it leaves holding the fx. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->trees = *state;
	f->t = sock_table_new();
	f->v = view_new();
	f->pm = map_of(f->trees->owners.root);
	sock_list_init(&f->l);
	sock_events_init(&f->ev);
	*state = f;
	return f->t && f->v ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	view_free(f->v);
	filter_free(f->f);
	sock_table_free(f->t);
	procmap_free(f->pm);
	sock_list_free(&f->l);
	sock_events_free(&f->ev);
	free(f);
	return 0;
}

/* One poll of the given sockets at now, then the view brought up to date. */
static void poll_at(struct fx *f, const struct sock_rec *recs, size_t n, double now)
{
	sock_list_clear(&f->l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(&f->l) = recs[i];
	sock_events_clear(&f->ev);
	assert_int_equal(sock_table_update(f->t, &f->l, f->pm, now, &f->ev), 0);
	assert_int_equal(view_poll(f->v, f->t, &f->ev, now), 0);
	assert_int_equal(view_refresh(f->v, now), 0);
}

static void set_filter(struct fx *f, const char *text)
{
	char err[256];
	struct filter *old = f->f;
	assert_int_equal(filter_compile(text, &f->f, err, sizeof(err)), 0);
	view_set_filter(f->v, f->f);
	filter_free(old);
}

static struct conn_row row(const struct view *v, size_t i)
{
	struct conn_row r;
	assert_int_equal(conn_row_at(v, i, &r), 0);
	return r;
}

static unsigned lport_at(const struct view *v, size_t i)
{
	return row(v, i).col.rec->lport;
}

/* The Connections rows' local ports, top to bottom, as "a,b,c". */
static const char *lports(const struct view *v)
{
	static char buf[512];
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < view_count(v, PANE_CONNECTIONS); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? "," : "", lport_at(v, i));
	return buf;
}

static void sort_by(struct fx *f, const char *col, int desc, double now)
{
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find(col), desc);
	assert_int_equal(view_refresh(f->v, now), 0);
}

/* Five sockets with the fixture's owners, distinct queues and ports. */
static size_t mixed(struct sock_rec *r)
{
	r[0] = tcp4(8080, 0, SOCK_ST_LISTEN, LISTEN_INODE);
	r[1] = udp4(5353, PAREN_INODE);
	r[2] = tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE);
	r[3] = tcp4(41000, 8080, SOCK_ST_ESTABLISHED, OLD_INODE);
	r[4] = tcp4(42000, 8080, SOCK_ST_TIME_WAIT, 0);
	r[0].recvq = 3; r[1].recvq = 700; r[2].recvq = 0; r[3].recvq = 12; r[4].recvq = 5;
	r[2].has_tcpinfo = 1; r[2].tcp.rtt_us = 900;
	r[3].has_tcpinfo = 1; r[3].tcp.rtt_us = 40;
	return 5;
}

/* ---- Trends ---- */

static void trends_rows_are_the_machine_then_states_then_busiest_processes(void **state)
{
	struct fx *f = *state;
	struct sock_rec r = tcp4(8080, 40000, SOCK_ST_ESTABLISHED, 14179);
	struct pane_row pr;
	r.has_tcpinfo = 1;
	view_trends_setup(f->v, 1.0, 1);
	for (int k = 0; k < 3; k++) {
		r.tcp.bytes_acked = 1000u * (unsigned)k;
		poll_at(f, &r, 1, 100 + k);
	}
	/* TX RX new/s closed/s retrans/s, ESTABLISHED, the one process. */
	assert_int_equal(view_count(f->v, PANE_TRENDS), 7);
	assert_int_equal(view_row(f->v, PANE_TRENDS, 0, &pr), 0);
	const struct trend_row *t = pr.cells;
	assert_string_equal(t->name, "TX");
	assert_true(t->now == 1000 && t->peak == 1000 && t->ascii);
	assert_int_equal(view_row(f->v, PANE_TRENDS, 5, &pr), 0);
	assert_string_equal(((const struct trend_row *)pr.cells)->name, "ESTABLISHED");
	assert_int_equal(view_row(f->v, PANE_TRENDS, 6, &pr), 0);
	t = pr.cells;
	assert_true(t->total == 2000);
	/* TREND on the process's row reads the same series. */
	assert_int_equal(view_row(f->v, PANE_PROCESSES, 0, &pr), 0);
	assert_ptr_equal(pr.proc->trend, t->s);
	assert_int_equal(pr.proc->trend_span, 60);
	char cell[64];
	columns_table_find(&columns_processes, "trend")->fit(pr.proc, 4, cell, sizeof(cell));
	assert_string_equal(cell, "   #");   /* 3 samples of 60: the last cell */
}

/* ---- Connections: which rows ---- */

static void filter_shows_only_matching_sockets(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	set_filter(f, "state:established");
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_string_equal(lports(f->v), "40000,41000");
	assert_int_equal(view_counts(f->v)->shown, 2);
	assert_int_equal(view_counts(f->v)->total, 5);
}

static void narrowing_shows_only_that_process_not_an_older_one_with_its_pid(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 100);
	/* pm-old exits and pm-new gets its pid: its socket replaces pm-old's. */
	procmap_free(f->pm);
	f->pm = map_of(f->trees->reuse.root);
	r[3] = tcp4(43000, 8080, SOCK_ST_ESTABLISHED, NEW_INODE);
	poll_at(f, r, n, 101);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 6);      /* pm-old's lingers GONE */
	view_conn_narrow(f->v, REUSED_PID, NEW_START);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(lports(f->v), "43000");
	view_conn_narrow(f->v, REUSED_PID, OLD_START);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(lports(f->v), "41000");
	assert_int_equal(row(f->v, 0).hl, VIEW_HL_GONE);
	view_conn_narrow(f->v, 0, 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 6);
}

/* ---- Connections: order ---- */

static void every_column_sorts_both_ways(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, 2, 100);                 /* two older sockets: AGE differs */
	poll_at(f, r, n, 160);
	for (size_t c = 0; c < ncolumns; c++) {
		for (int desc = 0; desc < 2; desc++) {
			sort_by(f, columns[c].name, desc, 160);
			assert_int_equal(view_count(f->v, PANE_CONNECTIONS), n);
			for (size_t i = 0; i + 1 < n; i++) {
				struct conn_row a = row(f->v, i), b = row(f->v, i + 1);
				/* columns_compare: reversed, but rows without a value last */
				if (columns_compare(&columns[c], &a.col, &b.col, desc) > 0)
					fail_msg("column %s %s: rows %zu and %zu out of order",
					         columns[c].name, desc ? "desc" : "asc", i, i + 1);
			}
		}
	}
}

static void numbers_addresses_and_names_sort_as_a_user_expects(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	sort_by(f, "recvq", 0, 100);
	assert_string_equal(lports(f->v), "40000,8080,42000,41000,5353");
	sort_by(f, "recvq", 1, 100);
	assert_string_equal(lports(f->v), "5353,41000,42000,8080,40000");
	sort_by(f, "rtt", 0, 100);        /* unknown RTTs last */
	assert_int_equal(lport_at(f->v, 0), 41000);
	assert_int_equal(lport_at(f->v, 1), 40000);
	sort_by(f, "process", 0, 100);    /* no owner "" first, then by name */
	assert_int_equal(lport_at(f->v, 0), 42000);
	assert_int_equal(row(f->v, 1).col.owners[0].pid, 10817);   /* pm-listen */
}

static void equal_keys_keep_the_previous_order(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = {
		tcp4(1001, 80, SOCK_ST_ESTABLISHED, 1), tcp4(1002, 80, SOCK_ST_ESTABLISHED, 2),
		tcp4(1003, 80, SOCK_ST_ESTABLISHED, 3), tcp4(1004, 80, SOCK_ST_ESTABLISHED, 4),
		tcp4(80, 0, SOCK_ST_LISTEN, 5),
	};
	for (int i = 0; i < 4; i++)
		r[i].recvq = (uint32_t)(4 - i);
	poll_at(f, r, 5, 100);
	assert_string_equal(lports(f->v), "1001,1002,1003,1004,80");  /* table order */
	sort_by(f, "recvq", 0, 100);
	assert_string_equal(lports(f->v), "80,1004,1003,1002,1001");
	sort_by(f, "state", 0, 100);      /* the four ESTABLISHED tie */
	assert_string_equal(lports(f->v), "1004,1003,1002,1001,80");
	sort_by(f, "state", 1, 100);      /* reversed, the ties still not */
	assert_string_equal(lports(f->v), "80,1004,1003,1002,1001");
}

static void equal_keys_keep_their_order_across_polls_that_move_table_entries(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[6];
	for (int i = 0; i < 6; i++)
		r[i] = tcp4((uint16_t)(2000 + i), 80, SOCK_ST_ESTABLISHED, (uint64_t)(10 + i));
	poll_at(f, r, 6, 100);
	sort_by(f, "inode", 1, 100);
	sort_by(f, "state", 0, 100);
	assert_string_equal(lports(f->v), "2005,2004,2003,2002,2001,2000");
	/* Dropping 2001 makes the table move its last entry into that place. */
	struct sock_rec left[] = { r[0], r[2], r[3], r[4], r[5] };
	poll_at(f, left, 5, 101);
	assert_string_equal(lports(f->v), "2005,2004,2003,2002,2001,2000");
	assert_int_equal(row(f->v, 4).hl, VIEW_HL_GONE);
	assert_int_equal(view_refresh(f->v, 104), 0);
	assert_string_equal(lports(f->v), "2005,2004,2003,2002,2000");
}

/* Many rows, many ties, keys changing and newcomers arriving: each poll's
 * order is sorted, and equal rows keep the order they had. */
static void polls_keep_big_lists_sorted_and_ties_in_place(void **state)
{
	struct fx *f = *state;
	enum { N = 3000, MORE = 40 };
	static struct sock_rec r[N + MORE];
	static size_t before[65536];
	unsigned seed = 7;
	for (int i = 0; i < N + MORE; i++) {
		r[i] = tcp4((uint16_t)(1024 + i), 80, SOCK_ST_ESTABLISHED, (uint64_t)(1 + i));
		r[i].recvq = (seed = seed * 1103515245u + 12345u) >> 16 & 7;
	}
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find("recvq"), 1);
	poll_at(f, r, N, 100);
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < view_count(f->v, PANE_CONNECTIONS); i++)
			before[lport_at(f->v, i)] = i + 1;
		for (int k = 0; k < 25; k++)
			r[((seed = seed * 1103515245u + 12345u) >> 8) % N].recvq ^= 3;
		poll_at(f, r, N + (size_t)(round + 1) * MORE / 3, 101 + round);
		for (size_t i = 0; i + 1 < view_count(f->v, PANE_CONNECTIONS); i++) {
			struct conn_row a = row(f->v, i), b = row(f->v, i + 1);
			assert_true(a.col.rec->recvq >= b.col.rec->recvq);
			size_t pa = before[a.col.rec->lport], pb = before[b.col.rec->lport];
			if (a.col.rec->recvq == b.col.rec->recvq && pa && pb)
				assert_true(pa < pb);
			if (a.col.rec->recvq == b.col.rec->recvq && !pa)
				assert_int_equal(pb, 0);      /* newcomers after old ties */
		}
	}
}

/* ---- Connections: the selection ---- */

static void selection_stays_on_its_socket_when_the_sort_changes(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	assert_int_equal(lport_at(f->v, view_selected(f->v, PANE_CONNECTIONS)), 8080);
	sort_by(f, "recvq", 0, 100);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 1);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_DOWN);
	assert_int_equal(lport_at(f->v, view_selected(f->v, PANE_CONNECTIONS)), 42000);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_UP);
	sort_by(f, "recvq", 1, 100);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 3);
	assert_int_equal(lport_at(f->v, view_selected(f->v, PANE_CONNECTIONS)), 8080);
	sort_by(f, "local", 0, 100);
	assert_int_equal(lport_at(f->v, view_selected(f->v, PANE_CONNECTIONS)), 8080);
}

/* The view of a past moment takes the present's filter, sort, narrowing
 * and selected socket, whatever order its own table holds them in. */
static void a_view_following_another_shows_its_filter_sort_and_selection(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 100);
	set_filter(f, "proto:tcp");
	sort_by(f, "recvq", 1, 100);
	assert_string_equal(lports(f->v), "41000,42000,8080,40000");
	view_select(f->v, PANE_CONNECTIONS, 2);
	view_conn_narrow(f->v, 0, 0);

	struct sock_rec then[8];
	size_t k = 0;
	for (size_t i = n; i-- > 0;)
		then[k++] = r[i];
	then[k] = tcp4(43000, 8080, SOCK_ST_ESTABLISHED, 99);
	then[k++].recvq = 20;
	struct sock_table *t = sock_table_new();
	struct sock_list l;
	sock_list_init(&l);
	for (size_t i = 0; i < k; i++)
		*sock_list_push(&l) = then[i];
	assert_int_equal(sock_table_update(t, &l, f->pm, 50, NULL), 0);
	struct view *w = view_new();
	view_follow(w, f->v);
	assert_int_equal(view_poll(w, t, NULL, 50), 0);
	assert_int_equal(view_refresh(w, 50), 0);
	assert_string_equal(lports(w), "43000,41000,42000,8080,40000");
	assert_int_equal(lport_at(w, view_selected(w, PANE_CONNECTIONS)), 8080);
	int desc;
	assert_ptr_equal(view_sort(w, PANE_CONNECTIONS, &desc), columns_find("recvq"));
	assert_int_equal(desc, 1);
	/* And back: the present takes what was chosen in the past. */
	view_select(w, PANE_CONNECTIONS, 1);
	view_follow(f->v, w);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(lport_at(f->v, view_selected(f->v, PANE_CONNECTIONS)), 41000);
	view_free(w);
	sock_table_free(t);
	sock_list_free(&l);
}

static void selection_stays_on_its_socket_when_rows_arrive_above_it(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = {
		tcp4(5000, 0, SOCK_ST_LISTEN, 1), tcp4(6000, 0, SOCK_ST_LISTEN, 2),
		tcp4(1000, 0, SOCK_ST_LISTEN, 3), tcp4(2000, 0, SOCK_ST_LISTEN, 4),
	};
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find("local"), 0);
	poll_at(f, r, 2, 100);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_END);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 1);
	poll_at(f, r, 4, 101);
	assert_string_equal(lports(f->v), "1000,2000,5000,6000");
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 3);
}

static void selection_keeps_its_index_when_its_socket_is_gone_for_good(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[4];
	for (int i = 0; i < 4; i++)
		r[i] = tcp4((uint16_t)(3000 + i), 0, SOCK_ST_LISTEN, (uint64_t)(20 + i));
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find("lport"), 0);
	poll_at(f, r, 4, 100);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_DOWN);                 /* on 3001 */
	struct sock_rec left[] = { r[0], r[2], r[3] };
	poll_at(f, left, 3, 101);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 1);        /* its GONE row */
	assert_int_equal(row(f->v, 1).hl, VIEW_HL_GONE);
	assert_int_equal(view_refresh(f->v, 104.5), 0);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 1);        /* now 3002 */
	assert_int_equal(lport_at(f->v, 1), 3002);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_END);                  /* on 3003 */
	poll_at(f, left, 2, 105);
	assert_int_equal(view_refresh(f->v, 108), 0);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 1);        /* clamped to the end */
	assert_int_equal(lport_at(f->v, 1), 3002);
}

static void keys_page_and_jump_within_the_window(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[100];
	for (int i = 0; i < 100; i++)
		r[i] = tcp4((uint16_t)(1000 + i), 0, SOCK_ST_LISTEN, (uint64_t)(100 + i));
	poll_at(f, r, 100, 100);
	view_set_height(f->v, PANE_CONNECTIONS, 10);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_UP);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 0);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_DOWN);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 1);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 0);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_PAGE_DOWN);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 11);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 10);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_END);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 99);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 90);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_PAGE_DOWN);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 99);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 90);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_PAGE_UP);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 89);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 80);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_HOME);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 0);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 0);
	view_set_height(f->v, PANE_CONNECTIONS, 5);
	for (int i = 0; i < 7; i++)
		view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_DOWN);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 7);
	assert_int_equal(view_top(f->v, PANE_CONNECTIONS), 3);               /* selection on the last line */
}

static void an_empty_pane_has_no_selection(void **state)
{
	struct fx *f = *state;
	poll_at(f, NULL, 0, 100);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_DOWN);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_END);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 0);
	assert_true(view_selected(f->v, PANE_CONNECTIONS) == VIEW_NONE);
	assert_true(view_selected(f->v, PANE_PROCESSES) == VIEW_NONE);
	assert_true(view_selected(f->v, PANE_EVENTS) == VIEW_NONE);
}

/* ---- a past moment (rewind.h) ---- */

/* Updates t to the sockets r[0..n) at now; the events go to ev (NULL: a
 * baseline). */
static void table_at(struct sock_table *t, const struct sock_rec *r, size_t n,
                     const struct procmap *pm, double now, struct sock_events *ev)
{
	struct sock_list l;
	sock_list_init(&l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(&l) = r[i];
	assert_int_equal(sock_table_update(t, &l, pm, now, ev), 0);
	sock_list_free(&l);
}

/* A moment is shown as the poll that took it showed it: what changed since
 * the poll before is highlighted, what closed lingers as GONE with its AGE,
 * and the Events pane holds the events before too. */
static void a_past_moment_highlights_what_changed_since_the_poll_before(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = { tcp4(80, 0, SOCK_ST_LISTEN, 1),
	                        tcp4(4000, 80, SOCK_ST_ESTABLISHED, 2),
	                        tcp4(4001, 80, SOCK_ST_ESTABLISHED, 3),
	                        tcp4(4002, 80, SOCK_ST_ESTABLISHED, 4) };
	struct sock_table *before = sock_table_new(), *at = sock_table_new();
	struct sock_events older, ev;
	sock_events_init(&older);
	sock_events_init(&ev);
	/* 100: 80 and 4000; 101: 4001 opens; 102: 4000 closes, 4002 opens. */
	table_at(before, r, 2, f->pm, 100, NULL);
	table_at(before, r, 3, f->pm, 101, &older);
	table_at(at, r, 2, f->pm, 100, NULL);
	table_at(at, r, 3, f->pm, 101, NULL);
	struct sock_rec then[] = { r[0], r[2], r[3] };
	table_at(at, then, 3, f->pm, 102, &ev);

	struct view *w = view_new();
	assert_int_equal(rewind_feed(w, NULL, &older, before, 101, at, &ev, 102), 0);
	assert_string_equal(lports(w), "80,4000,4001,4002");   /* GONE where it was */
	assert_int_equal(row(w, 0).hl, VIEW_HL_NONE);
	assert_int_equal(row(w, 1).hl, VIEW_HL_GONE);
	assert_true(row(w, 1).col.first_seen == 100);     /* its AGE as it was */
	assert_int_equal(row(w, 2).hl, VIEW_HL_NONE);     /* new at the poll before */
	assert_int_equal(row(w, 3).hl, VIEW_HL_NEW);
	assert_int_equal(view_counts(w)->total, 3);
	assert_int_equal(view_count(w, PANE_EVENTS), 3);
	assert_int_equal(event_at(w, 2)->type, SOCK_EV_NEW);   /* the oldest: 4001 */
	assert_int_equal(event_at(w, 2)->rec.lport, 4001);

	/* The present it followed keeps its own rows. */
	poll_at(f, r, 1, 200);
	struct view *x = view_new();
	assert_int_equal(rewind_feed(x, f->v, NULL, NULL, 0, at, NULL, 102), 0);
	assert_string_equal(lports(f->v), "80");
	assert_int_equal(view_count(x, PANE_CONNECTIONS), 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(row(x, i).hl, VIEW_HL_NONE);   /* no poll before: a baseline */
	view_free(x);
	view_free(w);
	sock_events_free(&older);
	sock_events_free(&ev);
	sock_table_free(before);
	sock_table_free(at);
}

/* ---- Connections: highlights ---- */

static void sockets_there_at_the_first_poll_are_not_new(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	for (size_t i = 0; i < view_count(f->v, PANE_CONNECTIONS); i++)
		assert_int_equal(row(f->v, i).hl, VIEW_HL_NONE);
}

static void a_new_socket_is_highlighted_for_the_linger_time(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = { tcp4(80, 0, SOCK_ST_LISTEN, 1), tcp4(81, 0, SOCK_ST_LISTEN, 2) };
	poll_at(f, r, 1, 100);
	poll_at(f, r, 2, 101);
	assert_int_equal(row(f->v, 0).hl, VIEW_HL_NONE);
	assert_int_equal(row(f->v, 1).hl, VIEW_HL_NEW);
	assert_int_equal(view_refresh(f->v, 103.9), 0);
	assert_int_equal(row(f->v, 1).hl, VIEW_HL_NEW);
	assert_int_equal(view_refresh(f->v, 104), 0);
	assert_int_equal(row(f->v, 1).hl, VIEW_HL_NONE);
}

static void a_state_change_is_highlighted_unless_the_socket_is_new(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = { tcp4(4000, 80, SOCK_ST_SYN_SENT, 1),
	                        tcp4(4001, 80, SOCK_ST_SYN_SENT, 2) };
	poll_at(f, r, 1, 100);
	poll_at(f, r, 2, 101);
	r[0].state = r[1].state = SOCK_ST_ESTABLISHED;
	poll_at(f, r, 2, 102);
	assert_int_equal(row(f->v, 0).hl, VIEW_HL_CHANGED);
	assert_int_equal(row(f->v, 1).hl, VIEW_HL_NEW);
	assert_true(row(f->v, 0).state_since == 102);
	view_set_linger(f->v, 10);
	assert_int_equal(view_refresh(f->v, 111.5), 0);
	assert_int_equal(row(f->v, 0).hl, VIEW_HL_CHANGED);
	assert_int_equal(view_refresh(f->v, 112), 0);
	assert_int_equal(row(f->v, 0).hl, VIEW_HL_NONE);
}

static void a_gone_socket_lingers_with_its_last_state_and_owners(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 90);
	poll_at(f, r + 1, n - 1, 100);                 /* the listener closes */
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), n);
	struct conn_row g = row(f->v, 0);           /* where it was */
	assert_int_equal(g.hl, VIEW_HL_GONE);
	assert_int_equal(g.col.rec->state, SOCK_ST_LISTEN);
	assert_int_equal(g.col.rec->inode, LISTEN_INODE);
	assert_int_equal(g.col.nowners, 2);
	assert_int_equal(g.col.owners[0].pid, 10817);
	assert_string_equal(g.col.owners[1].comm, "pm-listen");
	assert_true(g.col.first_seen == 90);           /* AGE still known */
	assert_int_equal(view_counts(f->v)->gone, 1);
	assert_int_equal(view_counts(f->v)->total, n - 1);
	assert_int_equal(view_refresh(f->v, 102.9), 0);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), n);
	assert_int_equal(view_refresh(f->v, 103), 0);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), n - 1);
	assert_int_equal(view_counts(f->v)->gone, 0);
}

static void a_gone_row_follows_the_filter(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 90);
	poll_at(f, r + 1, n - 1, 100);
	set_filter(f, "!state:listen");
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), n - 1);
	set_filter(f, "proc:pm-listen");
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_string_equal(lports(f->v), "8080");
}

/* ---- counts ---- */

static void header_counts_every_socket_by_state(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	set_filter(f, "tcp");
	assert_int_equal(view_refresh(f->v, 100), 0);
	const struct view_counts *c = view_counts(f->v);
	assert_int_equal(c->tcp[SOCK_ST_LISTEN], 1);
	assert_int_equal(c->tcp[SOCK_ST_ESTABLISHED], 2);
	assert_int_equal(c->tcp[SOCK_ST_TIME_WAIT], 1);
	assert_int_equal(c->udp[SOCK_ST_CLOSE], 1);
	assert_int_equal(c->total, 5);
	assert_int_equal(c->shown, 4);
}

/* The NETNS column comes and goes with sockets of other namespaces in the
 * table, whatever the filter shows. */
static void header_counts_sockets_outside_the_host_namespace(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 100);
	assert_int_equal(view_counts(f->v)->netns_other, 0);
	r[n] = tcp4(8080, 0, SOCK_ST_LISTEN, 900);
	r[n].netns = 4026532300ULL;
	r[n].netns_name = "blue";
	set_filter(f, "port:1");
	poll_at(f, r, n + 1, 101);
	assert_int_equal(view_counts(f->v)->netns_other, 1);
	poll_at(f, r, n, 102);
	assert_int_equal(view_counts(f->v)->netns_other, 0);
}

/* ---- the dirty flag ---- */

/* The second poll of the same sockets, sorted by LOCAL: no event, so the
 * rows stay as they were, unsorted again, and show the new queues. */
static void a_poll_that_changed_nothing_does_not_sort_again(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[5];
	size_t n = mixed(r);
	sort_by(f, "local", 0, 100);
	poll_at(f, r, n, 100);
	unsigned long sorts = view_sorts(f->v, PANE_CONNECTIONS);
	r[3].recvq = 99;
	poll_at(f, r, n, 101);
	assert_int_equal(view_sorts(f->v, PANE_CONNECTIONS), sorts);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 5);
	int seen = 0;
	for (size_t i = 0; i < 5; i++)
		if (row(f->v, i).col.rec->inode == OLD_INODE) {
			assert_int_equal(row(f->v, i).col.rec->recvq, 99);
			seen = 1;
		}
	assert_true(seen);
}

/* RECV-Q moves without an event: a poll that changed only queues sorts
 * again, and the rows follow the new values. */
static void a_poll_that_changed_queues_sorts_again_by_recvq(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[5];
	size_t n = mixed(r);
	sort_by(f, "recvq", 1, 100);
	poll_at(f, r, n, 100);
	assert_int_equal(row(f->v, 0).col.rec->recvq, 700);
	r[2].recvq = 5000;
	poll_at(f, r, n, 101);
	assert_int_equal(row(f->v, 0).col.rec->recvq, 5000);
	assert_int_equal(row(f->v, 0).col.rec->inode, NOPW_INODE);
}

static void nothing_changed_means_no_resort_even_for_100000_sockets(void **state)
{
	struct fx *f = *state;
	struct sock_list *l = &f->l;
	sock_list_clear(l);
	for (uint32_t i = 0; i < 100000; i++) {
		struct sock_rec *s = sock_list_push(l);
		*s = tcp4((uint16_t)(1024 + i % 60000), (uint16_t)(1 + i / 60000),
		          SOCK_ST_ESTABLISHED, 500000 + i);
		s->laddr[2] = (uint8_t)(i / 60000);
		s->laddr[3] = (uint8_t)(1 + i % 200);
	}
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find("local"), 1);
	assert_int_equal(sock_table_update(f->t, l, NULL, 100, NULL), 0);
	assert_int_equal(view_poll(f->v, f->t, NULL, 100), 0);
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 100000);
	assert_int_equal(view_sorts(f->v, PANE_CONNECTIONS), 1);
	assert_int_equal(view_refresh(f->v, 100.5), 0);
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find("local"), 1);
	view_move(f->v, PANE_CONNECTIONS, VIEW_MOVE_END);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_sorts(f->v, PANE_CONNECTIONS), 1);
	view_set_sort(f->v, PANE_CONNECTIONS, columns_find("local"), 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_sorts(f->v, PANE_CONNECTIONS), 2);
	assert_int_equal(view_selected(f->v, PANE_CONNECTIONS), 0);     /* followed its socket */
	assert_int_equal(view_poll(f->v, f->t, NULL, 102), 0);
	assert_int_equal(view_refresh(f->v, 102), 0);
	assert_int_equal(view_sorts(f->v, PANE_CONNECTIONS), 3);
}

/* ---- Processes ---- */

static const struct proc_row *proc_with_pid(const struct view *v, int pid)
{
	for (size_t i = 0; i < view_count(v, PANE_PROCESSES); i++)
		if (proc_at(v, i)->pid == pid)
			return proc_at(v, i);
	return NULL;
}

static void a_shared_socket_counts_for_each_process_holding_it(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	assert_int_equal(view_count(f->v, PANE_PROCESSES), 5);      /* TIME_WAIT has no owner */
	const struct proc_row *a = proc_with_pid(f->v, 10817);
	const struct proc_row *b = proc_with_pid(f->v, 10818);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->listen, 1);
	assert_int_equal(a->total, 1);
	assert_int_equal(b->listen, 1);
	assert_string_equal(b->comm, "pm-listen");
	const struct proc_row *u = proc_with_pid(f->v, 10819);
	assert_int_equal(u->other, 1);                   /* UDP UNCONN */
	assert_string_equal(u->comm, "x) (y z");
	assert_int_equal(proc_with_pid(f->v, 10820)->established, 1);
	assert_string_equal(proc_with_pid(f->v, 10820)->user, "12345");
}

static int listen_tcp(uint16_t *port, uint64_t *inode)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct stat st;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	assert_int_equal(fstat(fd, &st), 0);
	*port = ntohs(a.sin_port);
	*inode = st.st_ino;
	return fd;
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* This process and a fork child both hold a listener, its two connected
 * ends and an unbound UDP socket: live owners from the real /proc. */
static void process_counts_split_listen_established_and_other(void **state)
{
	struct fx *f = *state;
	uint16_t port;
	uint64_t lino;
	int lfd = listen_tcp(&port, &lino);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	int afd = accept(lfd, NULL, NULL);
	int ufd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int hold[2];
	assert_int_equal(pipe(hold), 0);
	pid_t child = fork();
	if (child == 0) {
		char b;
		close(hold[1]);
		while (read(hold[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(hold[0]);
	struct sock_rec r[] = {
		tcp4(port, 0, SOCK_ST_LISTEN, lino),
		tcp4(50000, port, SOCK_ST_ESTABLISHED, inode_of(cfd)),
		tcp4(port, 50000, SOCK_ST_ESTABLISHED, inode_of(afd)),
		udp4(0, inode_of(ufd)),
	};
	procmap_free(f->pm);
	f->pm = map_of("/proc");
	poll_at(f, r, 4, 100);
	close(hold[1]);
	waitpid(child, NULL, 0);
	const struct proc_row *me = proc_with_pid(f->v, getpid());
	const struct proc_row *kid = proc_with_pid(f->v, child);
	assert_non_null(me);
	assert_non_null(kid);
	for (int i = 0; i < 2; i++) {
		const struct proc_row *p = i ? kid : me;
		assert_int_equal(p->listen, 1);
		assert_int_equal(p->established, 2);
		assert_int_equal(p->other, 1);
		assert_int_equal(p->total, 4);
	}
	close(lfd); close(cfd); close(afd); close(ufd);
}

static const char *pids(const struct view *v)
{
	static char buf[256];
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < view_count(v, PANE_PROCESSES); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%d", i ? "," : "",
		                      proc_at(v, i)->pid);
	return buf;
}

static void processes_sort_stably_and_keep_the_selected_process(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	view_set_sort(f->v, PANE_PROCESSES, proc_column("pid"), 1);
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_string_equal(pids(f->v), "10822,10820,10819,10818,10817");
	view_set_sort(f->v, PANE_PROCESSES, proc_column("total"), 0);   /* all tie */
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_string_equal(pids(f->v), "10822,10820,10819,10818,10817");
	view_move(f->v, PANE_PROCESSES, VIEW_MOVE_HOME);
	view_move(f->v, PANE_PROCESSES, VIEW_MOVE_DOWN);
	view_move(f->v, PANE_PROCESSES, VIEW_MOVE_DOWN);                           /* 10819 */
	view_set_sort(f->v, PANE_PROCESSES, proc_column("command"), 0);
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_string_equal(pids(f->v), "10818,10817,10820,10822,10819");
	assert_int_equal(proc_at(f->v, view_selected(f->v, PANE_PROCESSES))->pid, 10819);
	poll_at(f, r + 2, 3, 101);                                      /* 10817-19 go */
	assert_string_equal(pids(f->v), "10820,10822");
	assert_int_equal(view_selected(f->v, PANE_PROCESSES), 1);                  /* clamped */
}

static void every_process_column_sorts_both_ways(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	for (size_t c = 0; c < columns_processes.n; c++) {
		for (int desc = 0; desc < 2; desc++) {
			const struct column *col = &columns_processes.v[c];
			view_set_sort(f->v, PANE_PROCESSES, col, desc);
			assert_int_equal(view_refresh(f->v, 100), 0);
			assert_ptr_equal(view_sort(f->v, PANE_PROCESSES, NULL), col);
			assert_int_equal(view_count(f->v, PANE_PROCESSES), 5);
			for (size_t i = 0; i + 1 < 5; i++) {
				if (columns_compare(col, proc_at(f->v, i),
				                      proc_at(f->v, i + 1), desc) > 0)
					fail_msg("process column %s %s: rows %zu and %zu out of order",
					         col->name, desc ? "desc" : "asc", i, i + 1);
			}
		}
	}
}

static void processes_count_only_filtered_sockets(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	poll_at(f, r, mixed(r), 100);
	set_filter(f, "state:listen");
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_int_equal(view_count(f->v, PANE_PROCESSES), 2);
	view_conn_narrow(f->v, 10820, 41815);       /* narrowing leaves Processes alone */
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_int_equal(view_count(f->v, PANE_PROCESSES), 2);
}

static void process_columns_are_a_table(void **state)
{
	(void)state;
	char buf[64];
	const char *want[] = { "pid", "user", "process", "service", "listen", "estab", "other",
	                       "total", "tw", "txrate", "rxrate", "trend", "command" };
	assert_int_equal(columns_processes.n, 13);
	for (size_t i = 0; i < 13; i++)
		assert_ptr_equal(proc_column(want[i]), &columns_processes.v[i]);
	struct proc_row p = { .pid = 7, .established = 3 };
	snprintf(p.comm, sizeof(p.comm), "a\033b");
	proc_column("command")->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "a\\x1bb");
	proc_column("process")->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "a\\x1bb");
	proc_column("ESTAB")->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "3");
	assert_true(proc_column("pid")->right);
	proc_column("txrate")->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "");                       /* no rate: blank */
	p.has_rate = 1;
	p.rx_rate = 1.5 * 1048576;
	proc_column("rxrate")->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "1.5M");
	assert_string_equal(proc_column("txrate")->title, "TX/s");
}

/* ---- Events ---- */

static void the_event_log_keeps_the_newest_10000_newest_first(void **state)
{
	struct fx *f = *state;
	struct sock_rec *r = calloc(6000, sizeof(*r));
	for (int i = 0; i < 6000; i++)
		r[i] = tcp4((uint16_t)(10000 + i), 0, SOCK_ST_LISTEN, (uint64_t)(1000 + i));
	poll_at(f, r, 6000, 1);        /* 6000 NEW */
	poll_at(f, r, 0, 2);           /* 6000 GONE */
	assert_int_equal(view_events_logged(f->v), VIEW_EVENTS_MAX);
	assert_int_equal(view_count(f->v, PANE_EVENTS), VIEW_EVENTS_MAX);
	assert_int_equal(event_at(f->v, 0)->type, SOCK_EV_GONE);
	const struct sock_event *last = event_at(f->v, VIEW_EVENTS_MAX - 1);
	assert_int_equal(last->type, SOCK_EV_NEW);
	assert_int_equal(last->rec.lport, 10000 + 2000);   /* the 2000 oldest dropped */
	assert_null(event_at(f->v, VIEW_EVENTS_MAX));
	free(r);
}

static void the_event_log_shows_events_passing_filter_and_narrowing(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 100);                       /* 5 NEW */
	r[2].state = SOCK_ST_FIN_WAIT1;
	poll_at(f, r, n, 101);                       /* 1 STATE */
	assert_int_equal(view_count(f->v, PANE_EVENTS), 6);
	set_filter(f, "port:40000");
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_count(f->v, PANE_EVENTS), 2);
	assert_int_equal(event_at(f->v, 0)->type, SOCK_EV_STATE);
	assert_int_equal(event_at(f->v, 0)->from_state, SOCK_ST_ESTABLISHED);
	set_filter(f, "");
	view_conn_narrow(f->v, 10818, 41815);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_count(f->v, PANE_EVENTS), 1);
	assert_int_equal(event_at(f->v, 0)->rec.inode, LISTEN_INODE);
}

static void the_event_selection_stays_on_its_event_as_new_ones_arrive(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, 2, 100);
	view_move(f->v, PANE_EVENTS, VIEW_MOVE_DOWN);
	const struct sock_event *sel = event_at(f->v, 1);
	uint64_t inode = sel->rec.inode;
	poll_at(f, r, n, 101);                       /* 3 newer events */
	assert_int_equal(view_selected(f->v, PANE_EVENTS), 4);
	assert_int_equal(event_at(f->v, 4)->rec.inode, inode);
}

/* Like tail -f: with the selection on the newest event, new events show
 * at the top and the selection stays on the newest. */
static void the_event_selection_on_the_newest_follows_new_events(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, 2, 100);
	assert_int_equal(view_selected(f->v, PANE_EVENTS), 0);
	poll_at(f, r, n, 101);                       /* 3 newer events */
	assert_int_equal(view_selected(f->v, PANE_EVENTS), 0);
	assert_int_equal(view_top(f->v, PANE_EVENTS), 0);
	assert_int_equal(event_at(f->v, 0)->time, 101);
}

static void a_close_from_the_screen_is_logged_with_who_did_it(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	char buf[256];
	poll_at(f, r, n, 100);
	struct sock_event e;
	memset(&e, 0, sizeof(e));
	e.type = SOCK_EV_CLOSED;
	e.time = 100.5;
	e.rec = r[2];
	snprintf(e.by, sizeof(e.by), "ro\x1bot");
	assert_int_equal(view_events_log(f->v, &e), 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	const struct sock_event *top = event_at(f->v, 0);
	assert_int_equal(top->type, SOCK_EV_CLOSED);
	event_column("event")->format(top, buf, sizeof(buf));
	assert_string_equal(buf, "closed");
	event_column("socket")->format(top, buf, sizeof(buf));
	assert_non_null(strstr(buf, " closed by ro\\x1bot"));
}

static void event_columns_describe_the_change(void **state)
{
	(void)state;
	char buf[128];
	struct sock_owner o = { .pid = 42, .comm = "nginx" };
	struct sock_event e = { .type = SOCK_EV_STATE, .from_state = SOCK_ST_SYN_SENT,
	                        .rec = tcp4(40000, 80, SOCK_ST_ESTABLISHED, 9),
	                        .owners = &o, .nowners = 1 };
	event_column("event")->format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "state");
	event_column("state")->format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "SYN_SENT>ESTABLISHED");
	event_column("socket")->format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "tcp 127.0.0.1:40000 -> 127.0.0.1:80");
	event_column("owner")->format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "42/nginx");
}

static void events_sort_by_a_column_with_ties_newest_first(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = { tcp4(80, 0, SOCK_ST_LISTEN, 1), tcp4(81, 0, SOCK_ST_LISTEN, 2) };
	poll_at(f, r, 2, 100);          /* NEW 80, NEW 81 */
	poll_at(f, r, 1, 101);          /* GONE 81 */
	view_set_sort(f->v, PANE_EVENTS, event_column("event"), 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(event_at(f->v, 0)->type, SOCK_EV_GONE);
	assert_int_equal(event_at(f->v, 1)->rec.lport, 81);   /* newer "new" */
	assert_int_equal(event_at(f->v, 2)->rec.lport, 80);
}

/* ---- rates ---- */

static struct sock_rec with_bytes(struct sock_rec r, uint64_t acked, uint64_t received)
{
	r.has_tcpinfo = 1;
	r.tcp.bytes_acked = acked;
	r.tcp.bytes_received = received;
	return r;
}

/* The recorded pre-forked listener's inode, here as a connection both of
 * its processes hold (one process group, 10732), and 10820's connection;
 * 10819 holds only UDP. Two polls a second apart. */
static void a_socket_shared_within_a_process_group_counts_once_for_its_lowest_pid(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = {
		with_bytes(tcp4(8080, 50000, SOCK_ST_ESTABLISHED, LISTEN_INODE), 0, 0),
		with_bytes(tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE), 0, 0),
		udp4(5353, PAREN_INODE),
	};
	poll_at(f, r, 3, 100);
	assert_false(proc_with_pid(f->v, 10817)->has_rate);      /* first poll */
	r[0] = with_bytes(r[0], 300000, 20000);
	r[1] = with_bytes(r[1], 1000, 4000);
	poll_at(f, r, 3, 101);
	const struct proc_row *parent = proc_with_pid(f->v, 10817);
	const struct proc_row *child = proc_with_pid(f->v, 10818);
	assert_true(parent->has_rate);
	assert_true(parent->tx_rate == 300000.0);
	assert_true(parent->rx_rate == 20000.0);
	assert_true(child->has_rate);                           /* known: counted above */
	assert_true(child->tx_rate == 0.0 && child->rx_rate == 0.0);
	assert_true(proc_with_pid(f->v, 10820)->tx_rate == 1000.0);
	assert_true(proc_with_pid(f->v, 10820)->rx_rate == 4000.0);
	assert_false(proc_with_pid(f->v, 10819)->has_rate);     /* UDP: blank */
	view_set_sort(f->v, PANE_PROCESSES, proc_column("txrate"), 1);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(pids(f->v), "10817,10820,10818,10819");
	view_set_sort(f->v, PANE_PROCESSES, proc_column("rxrate"), 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(pids(f->v), "10818,10820,10817,10819");  /* blank last */
}

/* Puts a recorded cgroup file (tests/fixtures/cgroup) in as pid's, or
 * removes pid's when fixture is NULL. */
static void put_cgroup(const char *root, int pid, const char *fixture)
{
	char src[512], dst[PATH_MAX + 32], buf[8192];
	snprintf(dst, sizeof(dst), "%s/%d/cgroup", root, pid);
	if (!fixture) {
		unlink(dst);
		return;
	}
	snprintf(src, sizeof(src), "%s/cgroup/%s", FIXTURES, fixture);
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
	assert_non_null(in);
	assert_non_null(out);
	size_t n = fread(buf, 1, sizeof(buf), in);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static const char *services(const struct view *v)
{
	static char buf[256];
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < view_count(v, PANE_PROCESSES); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "",
		                      proc_at(v, i)->service);
	return buf;
}

/* Where no owner belongs to a service (a machine without systemd or
 * containers), SERVICE would be a column of dashes: it gives its room to
 * the others. */
static void service_column_hidden_while_no_owner_has_a_service(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = { tcp4(8080, 50000, SOCK_ST_ESTABLISHED, LISTEN_INODE) };
	poll_at(f, r, 1, 100);
	assert_int_equal(view_refresh(f->v, 100), 0);
	assert_int_equal(view_counts(f->v)->with_service, 0);
	assert_false(proc_column_shown(f->v, proc_column("service")));
	assert_true(proc_column_shown(f->v, proc_column("txrate")));
}

/* The pre-forked listener's two processes in nginx.service share one
 * connection, 10820 is in a login scope, 10819 (UDP) in no unit. */
static void grouped_by_service_a_shared_socket_counts_once_and_rates_sum(void **state)
{
	struct fx *f = *state;
	const char *root = f->trees->owners.root;
	put_cgroup(root, 10817, "staged-nginx-service");
	put_cgroup(root, 10818, "staged-nginx-service");
	put_cgroup(root, 10820, "staged-session-scope");
	procmap_free(f->pm);
	f->pm = map_of(root);
	struct sock_rec r[] = {
		with_bytes(tcp4(8080, 50000, SOCK_ST_ESTABLISHED, LISTEN_INODE), 0, 0),
		with_bytes(tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE), 0, 0),
		udp4(5353, PAREN_INODE),
	};
	poll_at(f, r, 3, 100);
	r[0] = with_bytes(r[0], 300000, 20000);
	r[1] = with_bytes(r[1], 1000, 4000);
	poll_at(f, r, 3, 101);
	view_proc_group_by_service(f->v, 1);
	view_set_sort(f->v, PANE_PROCESSES, proc_column("txrate"), 1);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(services(f->v), "nginx.service,session-3.scope,");
	const struct proc_row *nginx = proc_at(f->v, 0);
	assert_int_equal(nginx->total, 1);                  /* two holders, one socket */
	assert_int_equal(nginx->established, 1);
	assert_true(nginx->tx_rate == 300000.0 && nginx->rx_rate == 20000.0);
	assert_true(proc_at(f->v, 1)->rx_rate == 4000.0);
	assert_false(proc_at(f->v, 2)->has_rate);      /* UDP only: blank */
	assert_false(proc_column_shown(f->v, proc_column("pid")));
	assert_true(proc_column_shown(f->v, proc_column("service")));
	view_set_sort(f->v, PANE_PROCESSES, proc_column("rxrate"), 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(services(f->v), "session-3.scope,nginx.service,");
	/* Back to processes: one row each again, with their service shown. */
	view_proc_group_by_service(f->v, 0);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_count(f->v, PANE_PROCESSES), 4);
	assert_string_equal(proc_with_pid(f->v, 10818)->service, "nginx.service");
	assert_true(proc_column_shown(f->v, proc_column("pid")));
	assert_true(proc_column_shown(f->v, proc_column("service")));
	assert_int_equal(view_counts(f->v)->with_service, 2);
	put_cgroup(root, 10817, NULL);
	put_cgroup(root, 10818, NULL);
	put_cgroup(root, 10820, NULL);
}

static void connection_rows_carry_their_sockets_rate_and_gone_rows_none(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[] = {
		with_bytes(tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE), 0, 0),
		with_bytes(tcp4(41000, 8080, SOCK_ST_ESTABLISHED, OLD_INODE), 0, 0),
	};
	poll_at(f, r, 2, 100);
	assert_false(row(f->v, 0).col.has_rate);
	r[0] = with_bytes(r[0], 500, 0);
	r[1] = with_bytes(r[1], 2000, 0);
	poll_at(f, r, 2, 100.5);
	sort_by(f, "txrate", 1, 100.5);
	assert_string_equal(lports(f->v), "41000,40000");
	assert_true(row(f->v, 0).col.tx_rate == 4000.0);
	assert_true(row(f->v, 1).col.tx_rate == 1000.0);
	poll_at(f, r + 1, 1, 101);                  /* 40000 goes */
	assert_string_equal(lports(f->v), "41000,40000");
	assert_int_equal(row(f->v, 1).hl, VIEW_HL_GONE);
	assert_false(row(f->v, 1).col.has_rate);    /* closed: blank */
}

/* A child that holds this process's sockets (fork, no exec) until *hold is
 * closed; in a process group of its own when own_group. */
static pid_t holding_child(int *hold, int own_group)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char b;
		close(p[1]);
		while (read(p[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (own_group)
		assert_int_equal(setpgid(child, child), 0);
	*hold = p[1];
	return child;
}

/* This process holds a connected pair; a fork child in its process group
 * and one in a group of its own hold them too (live /proc). */
static void holders_in_different_process_groups_each_count_a_shared_socket(void **state)
{
	struct fx *f = *state;
	uint16_t port;
	uint64_t lino;
	int lfd = listen_tcp(&port, &lino);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&a, sizeof(a)), 0);
	int afd = accept(lfd, NULL, NULL);
	int hold_same, hold_own;
	pid_t same = holding_child(&hold_same, 0);
	pid_t own = holding_child(&hold_own, 1);
	struct sock_rec r[] = {
		with_bytes(tcp4(50000, port, SOCK_ST_ESTABLISHED, inode_of(cfd)), 0, 0),
		with_bytes(tcp4(port, 50000, SOCK_ST_ESTABLISHED, inode_of(afd)), 0, 0),
	};
	procmap_free(f->pm);
	f->pm = map_of("/proc");
	poll_at(f, r, 2, 100);
	r[0] = with_bytes(r[0], 2000, 500);
	r[1] = with_bytes(r[1], 500, 2000);
	poll_at(f, r, 2, 101);
	close(hold_own);                 /* first: it inherited hold_same */
	waitpid(own, NULL, 0);
	close(hold_same);
	waitpid(same, NULL, 0);
	const struct proc_row *me = proc_with_pid(f->v, getpid());
	const struct proc_row *sib = proc_with_pid(f->v, same);
	const struct proc_row *other = proc_with_pid(f->v, own);
	assert_non_null(me);
	assert_non_null(sib);
	assert_non_null(other);
	/* In this group the lowest pid gets the rate (almost always this one). */
	const struct proc_row *low = getpid() < same ? me : sib;
	const struct proc_row *high = getpid() < same ? sib : me;
	assert_true(low->tx_rate == 2500.0 && low->rx_rate == 2500.0);
	assert_true(high->has_rate && high->tx_rate == 0.0);
	assert_true(other->tx_rate == 2500.0 && other->rx_rate == 2500.0);
	close(lfd); close(cfd); close(afd);
}

/* ---- any pane, through the same calls ---- */

/* Every pane sorts by its own table's columns, moves, and hands out its
 * rows through view_sort, view_move and view_row alike. */
static void every_pane_sorts_moves_and_reads_through_the_same_calls(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 100);
	r[4].state = SOCK_ST_CLOSE;                     /* one event for the log */
	poll_at(f, r, n, 101);
	for (int p = 0; p < PANE_COUNT; p++) {
		const struct column_table *t = pane_kinds[p].columns;
		const struct column *col = &t->v[t->n - 1];
		int desc;
		view_set_height(f->v, (enum pane_id)p, 2);
		view_set_sort(f->v, (enum pane_id)p, col, 1);
		assert_int_equal(view_refresh(f->v, 101), 0);
		assert_ptr_equal(view_sort(f->v, (enum pane_id)p, &desc), col);
		assert_true(desc);
		size_t count = view_count(f->v, (enum pane_id)p);
		assert_true(count > 0);
		view_move(f->v, (enum pane_id)p, VIEW_MOVE_END);
		assert_int_equal(view_selected(f->v, (enum pane_id)p), count - 1);
		assert_true(view_top(f->v, (enum pane_id)p) + 2 >= count);
		struct pane_row row;
		assert_int_equal(view_row(f->v, (enum pane_id)p, count - 1, &row), 0);
		assert_non_null(row.cells);
		assert_int_equal(view_row(f->v, (enum pane_id)p, count, &row), -1);
		char buf[256];
		for (size_t c = 0; c < t->n; c++)        /* every cell of the row formats */
			if (t->v[c].format)
				t->v[c].format(row.cells, buf, sizeof(buf));
	}
}

/* A row says what it is about: Connections and Events rows a socket,
 * Processes rows a process; Enter acts on that. */
static void a_row_says_which_socket_or_process_it_is_about(void **state)
{
	struct fx *f = *state;
	struct sock_rec r[8];
	size_t n = mixed(r);
	poll_at(f, r, n, 100);
	r[4].state = SOCK_ST_CLOSE;
	poll_at(f, r, n, 101);
	assert_int_equal(view_refresh(f->v, 101), 0);
	struct pane_row row;
	assert_int_equal(view_row(f->v, PANE_CONNECTIONS, 0, &row), 0);
	assert_ptr_equal(row.cells, &row.sock);
	assert_non_null(row.sock.rec);
	assert_null(row.proc);
	assert_int_equal(view_row(f->v, PANE_PROCESSES, 0, &row), 0);
	assert_null(row.sock.rec);
	assert_ptr_equal(row.cells, row.proc);
	assert_true(row.proc->pid > 0);
	assert_int_equal(view_row(f->v, PANE_EVENTS, 0, &row), 0);
	const struct sock_event *e = row.cells;
	assert_ptr_equal(row.sock.rec, &e->rec);
	assert_int_equal(row.hl, VIEW_HL_CHANGED);      /* a STATE event */
}

/* ---- TIME_WAITs and who left them ---- */

/* pm-old (10822) holds a connection, 10820 another, 10817/10818 a
 * listener; then pm-old closes its connection, which goes on as a
 * timewait socket no process holds. */
static void close_into_time_wait(struct fx *f, double when)
{
	struct sock_rec r[3];
	r[0] = tcp4(41000, 8080, SOCK_ST_ESTABLISHED, OLD_INODE);
	r[1] = tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE);
	r[2] = tcp4(8080, 0, SOCK_ST_LISTEN, LISTEN_INODE);
	poll_at(f, r, 3, when);
	r[0] = tcp4(41000, 8080, SOCK_ST_TIME_WAIT, 0);
	r[0].timewait = 1;
	poll_at(f, r, 3, when + 1);
}

static size_t row_of_lport(const struct view *v, uint16_t lport)
{
	for (size_t i = 0; i < view_count(v, PANE_CONNECTIONS); i++)
		if (lport_at(v, i) == lport)
			return i;
	fail_msg("no row for port %u", lport);
	return 0;
}

/* One row changes state (no GONE row and no NEW one) and names the
 * process that closed it as its former owner. */
static void a_closing_connection_changes_state_and_names_who_held_it(void **state)
{
	struct fx *f = *state;
	close_into_time_wait(f, 100);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 3);
	struct conn_row c = row(f->v, row_of_lport(f->v, 41000));
	assert_int_equal(c.hl, VIEW_HL_CHANGED);
	assert_int_equal(c.col.rec->state, SOCK_ST_TIME_WAIT);
	assert_int_equal(c.col.nowners, 0);
	assert_int_equal(c.col.nowners_was, 1);
	char buf[64];
	columns_find("process")->format(&c.col, buf, sizeof(buf));
	assert_string_equal(buf, "(10822/pm-old)");
}

static void processes_count_the_time_waits_each_left_and_sort_by_them(void **state)
{
	struct fx *f = *state;
	close_into_time_wait(f, 100);
	const struct proc_row *old = proc_with_pid(f->v, REUSED_PID);
	assert_non_null(old);                        /* kept: it left a TIME_WAIT */
	assert_int_equal(old->tw, 1);
	assert_int_equal(old->total, 0);
	assert_string_equal(old->comm, "pm-old");
	assert_int_equal(proc_with_pid(f->v, 10820)->tw, 0);
	view_set_sort(f->v, PANE_PROCESSES, proc_column("tw"), 1);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(proc_at(f->v, 0)->pid, REUSED_PID);
	/* Its TIME_WAIT ended: nothing names it any more, its row goes. */
	struct sock_rec r[2] = { tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE),
	                         tcp4(8080, 0, SOCK_ST_LISTEN, LISTEN_INODE) };
	poll_at(f, r, 2, 200);
	assert_null(proc_with_pid(f->v, REUSED_PID));
}

static void a_filter_or_a_process_finds_the_time_waits_it_left(void **state)
{
	struct fx *f = *state;
	close_into_time_wait(f, 100);
	set_filter(f, "proc:pm-old state:time-wait");
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(lports(f->v), "41000");
	assert_int_equal(view_count(f->v, PANE_PROCESSES), 1);
	assert_int_equal(proc_at(f->v, 0)->tw, 1);
	set_filter(f, "pid:10822");
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(lports(f->v), "41000");
	/* Its new and its state events both name it. */
	assert_int_equal(view_count(f->v, PANE_EVENTS), 2);
	set_filter(f, "!proc:pm-old");
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_int_equal(view_count(f->v, PANE_CONNECTIONS), 2);
	view_set_filter(f->v, NULL);
	view_conn_narrow(f->v, REUSED_PID, OLD_START);
	assert_int_equal(view_refresh(f->v, 101), 0);
	assert_string_equal(lports(f->v), "41000");
}

/* pm-old closes its connection between a dump (still holding it) and the
 * owner map read just after, which no longer finds it: it stays the
 * owner, and its TIME_WAIT names it. */
static void a_close_between_the_dump_and_the_owner_map_keeps_the_owner(void **state)
{
	struct fx *f = *state;
	struct sock_rec r = tcp4(41000, 8080, SOCK_ST_ESTABLISHED, OLD_INODE);
	poll_at(f, &r, 1, 100);
	struct procmap *later = map_of(f->trees->reuse.root);   /* OLD_INODE held by none */
	procmap_free(f->pm);
	f->pm = later;
	poll_at(f, &r, 1, 101);
	assert_int_equal(row(f->v, 0).col.nowners, 1);
	r = tcp4(41000, 8080, SOCK_ST_TIME_WAIT, 0);
	r.timewait = 1;
	poll_at(f, &r, 1, 102);
	struct conn_row c = row(f->v, 0);
	assert_int_equal(c.col.nowners_was, 1);
	assert_string_equal(c.col.owners_was[0].comm, "pm-old");
}

/* Its GONE row, when the TIME_WAIT ends, still says who left it. */
static void a_time_waits_gone_row_keeps_its_former_owner(void **state)
{
	struct fx *f = *state;
	close_into_time_wait(f, 100);
	struct sock_rec r[2] = { tcp4(40000, 8080, SOCK_ST_ESTABLISHED, NOPW_INODE),
	                         tcp4(8080, 0, SOCK_ST_LISTEN, LISTEN_INODE) };
	poll_at(f, r, 2, 102);
	struct conn_row c = row(f->v, row_of_lport(f->v, 41000));
	assert_int_equal(c.hl, VIEW_HL_GONE);
	assert_int_equal(c.col.nowners_was, 1);
	assert_int_equal(c.col.owners_was[0].pid, REUSED_PID);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(every_pane_sorts_moves_and_reads_through_the_same_calls),
		T(a_closing_connection_changes_state_and_names_who_held_it),
		T(processes_count_the_time_waits_each_left_and_sort_by_them),
		T(a_filter_or_a_process_finds_the_time_waits_it_left),
		T(a_time_waits_gone_row_keeps_its_former_owner),
		T(a_close_between_the_dump_and_the_owner_map_keeps_the_owner),
		T(a_row_says_which_socket_or_process_it_is_about),
		T(filter_shows_only_matching_sockets),
		T(narrowing_shows_only_that_process_not_an_older_one_with_its_pid),
		T(every_column_sorts_both_ways),
		T(numbers_addresses_and_names_sort_as_a_user_expects),
		T(equal_keys_keep_the_previous_order),
		T(equal_keys_keep_their_order_across_polls_that_move_table_entries),
		T(polls_keep_big_lists_sorted_and_ties_in_place),
		T(selection_stays_on_its_socket_when_the_sort_changes),
		T(selection_stays_on_its_socket_when_rows_arrive_above_it),
		T(a_view_following_another_shows_its_filter_sort_and_selection),
		T(a_past_moment_highlights_what_changed_since_the_poll_before),
		T(selection_keeps_its_index_when_its_socket_is_gone_for_good),
		T(keys_page_and_jump_within_the_window),
		T(an_empty_pane_has_no_selection),
		T(sockets_there_at_the_first_poll_are_not_new),
		T(a_new_socket_is_highlighted_for_the_linger_time),
		T(a_state_change_is_highlighted_unless_the_socket_is_new),
		T(a_gone_socket_lingers_with_its_last_state_and_owners),
		T(a_gone_row_follows_the_filter),
		T(header_counts_every_socket_by_state),
		T(header_counts_sockets_outside_the_host_namespace),
		T(nothing_changed_means_no_resort_even_for_100000_sockets),
		T(a_poll_that_changed_nothing_does_not_sort_again),
		T(a_poll_that_changed_queues_sorts_again_by_recvq),
		T(a_shared_socket_counts_for_each_process_holding_it),
		T(process_counts_split_listen_established_and_other),
		T(processes_sort_stably_and_keep_the_selected_process),
		T(every_process_column_sorts_both_ways),
		T(processes_count_only_filtered_sockets),
		T(process_columns_are_a_table),
		T(a_socket_shared_within_a_process_group_counts_once_for_its_lowest_pid),
		T(grouped_by_service_a_shared_socket_counts_once_and_rates_sum),
		T(service_column_hidden_while_no_owner_has_a_service),
		T(connection_rows_carry_their_sockets_rate_and_gone_rows_none),
		T(holders_in_different_process_groups_each_count_a_shared_socket),
		T(the_event_log_keeps_the_newest_10000_newest_first),
		T(the_event_log_shows_events_passing_filter_and_narrowing),
		T(the_event_selection_on_the_newest_follows_new_events),
		T(a_close_from_the_screen_is_logged_with_who_did_it),
		T(trends_rows_are_the_machine_then_states_then_busiest_processes),
		T(the_event_selection_stays_on_its_event_as_new_ones_arrive),
		T(event_columns_describe_the_change),
		T(events_sort_by_a_column_with_ties_newest_first),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
