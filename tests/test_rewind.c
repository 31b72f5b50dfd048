/* test_rewind.c — the screen's view of a past moment (tui/rewind.c), read
 * from a real recording: the in-memory one the live screen keeps, written
 * by the recorder from tables polled here. Each moment shows the table as
 * it was, highlighted against the poll before; stepping forward goes on as
 * polling went on. */
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

#include "record.h"
#include "replay.h"
#include "rewind.h"
#include "view.h"

#define BASE 1800000000.0      /* the polls' times: BASE + 0, 1, 2, ... */

struct fx {
	struct recorder *r;
	struct history *h;
	struct rewind *rw;
	struct sock_table *t;
	struct sock_list l;
	struct sock_events ev;
	int polls;
};

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

/* One poll of recs at BASE + t, recorded before the next. */
static void poll_at(struct fx *f, double t, const struct sock_rec *recs, size_t n)
{
	sock_list_clear(&f->l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(&f->l) = recs[i];
	sock_events_clear(&f->ev);
	struct sock_events *ev = f->polls ? &f->ev : NULL;
	assert_int_equal(sock_table_update(f->t, &f->l, NULL, BASE + t, ev), 0);
	assert_int_equal(recorder_poll(f->r, f->t, ev, NULL, BASE + t), 0);
	recorder_flush(f->r);
	f->polls++;
}

/* A listener on 80 throughout; 4000 connects at 1 and closes at 3; 4001
 * connects at 2. Polls at 0 .. 4. */
static int setup(void **state)
{
	char err[512];
	struct fx *f = calloc(1, sizeof(*f));
	struct record_config c = { .path = NULL, .keep = RECORD_MEM_KEEP,
	                           .max_bytes = RECORD_MEM_MAX, .interval = 1, .host = "test" };
	if (!f)
		return -1;
	*state = f;
	f->t = sock_table_new();
	sock_list_init(&f->l);
	sock_events_init(&f->ev);
	f->r = recorder_open(&c, err, sizeof(err));
	if (!f->r || recorder_start(f->r, err, sizeof(err)) < 0) {
		fprintf(stderr, "recorder: %s\n", err);
		return -1;
	}
	struct sock_rec r[] = { tcp4(80, 0, SOCK_ST_LISTEN, 1),
	                        tcp4(4000, 80, SOCK_ST_ESTABLISHED, 2),
	                        tcp4(4001, 80, SOCK_ST_ESTABLISHED, 3) };
	struct sock_rec late[] = { r[0], r[2] };
	poll_at(f, 0, r, 1);
	poll_at(f, 1, r, 2);
	poll_at(f, 2, r, 3);
	poll_at(f, 3, late, 2);
	poll_at(f, 4, late, 2);
	f->h = history_open(recorder_name(f->r), err, sizeof(err));
	if (!f->h) {
		fprintf(stderr, "history: %s\n", err);
		return -1;
	}
	f->rw = rewind_new(f->h);
	return f->rw ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (!f)
		return 0;
	rewind_free(f->rw);
	history_close(f->h);
	recorder_close(f->r);
	sock_table_free(f->t);
	sock_list_free(&f->l);
	sock_events_free(&f->ev);
	free(f);
	return 0;
}

/* "80,4000 4000:NEW": the Connections rows' local ports, then the
 * highlighted ones, of the view shown. */
static const char *shown(const struct rewind *rw)
{
	static char buf[256];
	static const char *const hl[] = { "", "NEW", "CHANGED", "GONE" };
	struct view *v = rewind_view(rw);
	struct pane_row r;
	size_t n = 0;
	assert_non_null(v);
	assert_int_equal(view_refresh(v, rewind_moment(rw)), 0);
	buf[0] = '\0';
	for (size_t i = 0; view_row(v, PANE_CONNECTIONS, i, &r) == 0; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? "," : "", r.sock.rec->lport);
	for (size_t i = 0; view_row(v, PANE_CONNECTIONS, i, &r) == 0; i++)
		if (r.hl != VIEW_HL_NONE)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %u:%s", r.sock.rec->lport,
			                      hl[r.hl]);
	return buf;
}

static void go(struct fx *f, double t)
{
	char err[512];
	if (rewind_go(f->rw, BASE + t, NULL, NULL, err, sizeof(err)) < 0)
		fail_msg("rewind_go %g: %s", t, err);
	assert_true(rewind_moment(f->rw) == BASE + t);
}

static void each_moment_shows_its_table_highlighted_against_the_poll_before(void **state)
{
	struct fx *f = *state;
	go(f, 0);
	assert_string_equal(shown(f->rw), "80");            /* the first: a baseline */
	go(f, 1);
	assert_string_equal(shown(f->rw), "80,4000 4000:NEW");
	go(f, 2);
	assert_string_equal(shown(f->rw), "80,4000,4001 4001:NEW");
	go(f, 3);
	assert_string_equal(shown(f->rw), "80,4000,4001 4000:GONE");
	go(f, 4);
	assert_string_equal(shown(f->rw), "80,4001");
	assert_int_equal(sock_table_count(rewind_table(f->rw)), 2);
}

static void the_events_pane_holds_the_events_up_to_the_moment(void **state)
{
	struct fx *f = *state;
	struct pane_row r;
	go(f, 3);
	struct view *v = rewind_view(f->rw);
	assert_int_equal(view_refresh(v, BASE + 3), 0);
	assert_int_equal(view_count(v, PANE_EVENTS), 3);   /* NEW 4000, NEW 4001, GONE 4000 */
	assert_int_equal(view_row(v, PANE_EVENTS, 0, &r), 0);
	const struct sock_event *e = r.cells;
	assert_int_equal(e->type, SOCK_EV_GONE);
	assert_int_equal(e->rec.lport, 4000);
	assert_int_equal(view_row(v, PANE_EVENTS, 2, &r), 0);
	e = r.cells;
	assert_int_equal(e->type, SOCK_EV_NEW);
	assert_true(e->time == BASE + 1);
}

/* Stepping forward feeds the same view the next poll, as polling fed the
 * live screen: a highlight lasts its linger (3 s) across steps. Stepping
 * back takes the table it already holds, and shows what going there does. */
static void stepping_forward_highlights_as_live_did_and_back_as_going_there(void **state)
{
	struct fx *f = *state;
	char err[512];
	go(f, 1);
	assert_int_equal(rewind_forward(f->rw, err, sizeof(err)), 1);
	assert_true(rewind_moment(f->rw) == BASE + 2);
	assert_string_equal(shown(f->rw), "80,4000,4001 4000:NEW 4001:NEW");
	assert_int_equal(rewind_forward(f->rw, err, sizeof(err)), 1);
	assert_string_equal(shown(f->rw), "80,4000,4001 4000:GONE 4001:NEW");
	go(f, 2);                                         /* back: its table is at hand */
	assert_string_equal(shown(f->rw), "80,4000,4001 4001:NEW");
	go(f, 1);
	assert_string_equal(shown(f->rw), "80,4000 4000:NEW");
	go(f, 4);
	assert_int_equal(rewind_forward(f->rw, err, sizeof(err)), 0);   /* the last */
	assert_true(rewind_moment(f->rw) == BASE + 4);
	rewind_leave(f->rw);
	assert_null(rewind_view(f->rw));
	assert_null(rewind_table(f->rw));
	assert_true(rewind_moment(f->rw) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(each_moment_shows_its_table_highlighted_against_the_poll_before,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(the_events_pane_holds_the_events_up_to_the_moment,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(stepping_forward_highlights_as_live_did_and_back_as_going_there,
		                                setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
