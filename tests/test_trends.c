/* test_trends.c — the series rings and their downsampling, the sparkline
 * renderers, and the machine's sums a poll against hand-computed values. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "series.h"
#include "spark.h"
#include "trends.h"

/* ---- rings ---- */

static void the_newest_sample_is_age_zero(void **state)
{
	(void)state;
	struct series s;
	series_init(&s);
	assert_true(isnan(series_last(&s)));
	for (int i = 1; i <= 5; i++)
		series_push(&s, (float)i);
	assert_true(series_last(&s) == 5);
	assert_true(series_at(&s, 4) == 1);
	assert_true(isnan(series_at(&s, 5)));   /* never recorded */
	assert_true(series_peak(&s, 3) == 5);
	assert_true(series_sum(&s, 3, NULL) == 12);
}

static void buckets_average_their_samples_oldest_first(void **state)
{
	(void)state;
	struct series s;
	float b[3];
	series_init(&s);
	for (int i = 1; i <= 6; i++)
		series_push(&s, (float)i);
	series_buckets(&s, 6, 3, b);
	assert_true(b[0] == 1.5f && b[1] == 3.5f && b[2] == 5.5f);
	/* A window longer than what was recorded: blank at the start. */
	series_buckets(&s, 12, 3, b);
	assert_true(isnan(b[0]));
	assert_true(b[1] == 1.5f && b[2] == 4.5f);
}

/* A window longer than the fine ring reads the coarse one: older samples
 * are kept as means, never dropped at the start. */
static void a_window_longer_than_the_ring_is_downsampled(void **state)
{
	(void)state;
	struct series s;
	float b[4];
	uint64_t present;
	series_init(&s);
	for (int i = 0; i < 2000; i++)
		series_push(&s, i < 1000 ? 10.0f : 20.0f);
	assert_true(series_at(&s, 1500) == 10.0f);     /* from the coarse ring */
	assert_true(series_at(&s, 100) == 20.0f);
	series_buckets(&s, 2000, 4, b);
	assert_true(b[0] == 10.0f && b[1] == 10.0f && b[2] == 20.0f && b[3] == 20.0f);
	assert_true(series_sum(&s, 2000, &present) == 1000 * 10.0 + 1000 * 20.0);
	assert_int_equal(present, 2000);
	/* Beyond what the coarse ring holds nothing is made up. */
	uint64_t held = (uint64_t)SERIES_COARSE * SERIES_PER_COARSE;
	for (uint64_t i = 0; i < held; i++)
		series_push(&s, 1.0f);
	assert_true(series_at(&s, held - 1) == 1.0f);
	assert_true(isnan(series_at(&s, held + 5)));
}

static void gaps_stay_gaps_in_both_rings(void **state)
{
	(void)state;
	struct series s;
	float b[2];
	series_init(&s);
	for (int i = 0; i < 20; i++)
		series_push(&s, 7.0f);
	for (int i = 0; i < 620; i++)
		series_push(&s, NAN);                   /* paused for 620 polls */
	series_push(&s, 3.0f);
	assert_true(isnan(series_at(&s, 1)));
	assert_true(isnan(series_at(&s, 615)));       /* coarse, all gaps */
	assert_true(series_at(&s, 630) == 7.0f);     /* coarse, before the pause */
	series_buckets(&s, 4, 2, b);
	assert_true(isnan(b[0]));
	assert_true(b[1] == 3.0f);                   /* a gap does not pull the mean */
	assert_true(series_peak(&s, 641) == 7.0f);
}

/* A series as it was some samples ago: what came since is cut off, what
 * the rings held then reads the same, back over the span asked. */
static void a_clipped_series_ends_where_it_was_then(void **state)
{
	(void)state;
	struct series s, c;
	series_init(&s);
	for (int i = 0; i < 700; i++)
		series_push(&s, (float)i);
	series_clip(&c, &s, 100, 50);
	assert_int_equal(c.n, 50);
	assert_true(series_last(&c) == 599.0f);      /* 100 samples before the newest */
	assert_true(series_at(&c, 49) == 550.0f);
	assert_true(isnan(series_at(&c, 50)));       /* not asked for */
	/* Past the fine ring the coarse means stand in; past both, nothing. */
	series_clip(&c, &s, 650, 100);
	assert_int_equal(c.n, 50);                   /* only 50 samples were that old */
	assert_true(series_last(&c) == 44.5f);       /* the mean of 40..49 */
	series_clip(&c, &s, 700, 10);
	assert_int_equal(c.n, 0);
	assert_true(isnan(series_last(&c)));
}

/* ---- sparklines ---- */

static void blocks_rise_with_the_value_and_gaps_are_blank(void **state)
{
	(void)state;
	float v[] = { 0, 1, 4, 8, NAN };
	char buf[64];
	assert_int_equal(spark_render(v, 5, 8, SPARK_BLOCKS, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "\u2581\u2582\u2585\u2588 ");
	assert_int_equal(spark_render(v, 1, 8, SPARK_BLOCKS, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "\u2581");
	/* Too short a buffer: cut on a cell. */
	assert_int_equal(spark_render(v, 5, 8, SPARK_BLOCKS, buf, 8), 2);
	assert_string_equal(buf, "\u2581\u2582");
}

static void ascii_is_a_ladder_with_no_high_bytes(void **state)
{
	(void)state;
	float v[40];
	char buf[64];
	for (int i = 0; i < 40; i++)
		v[i] = i % 7 == 6 ? NAN : (float)(i % 5);
	for (size_t w = 1; w <= 40; w += 13) {
		assert_int_equal(spark_render(v, w, 4, SPARK_ASCII, buf, sizeof(buf)), w);
		assert_int_equal(strlen(buf), w);
		for (size_t i = 0; i < w; i++)
			assert_true((unsigned char)buf[i] < 0x80);
	}
	spark_render(v, 7, 4, SPARK_ASCII, buf, sizeof(buf));
	assert_string_equal(buf, "_.-=#_ ");
}

static void an_all_zero_line_is_flat_not_blank(void **state)
{
	(void)state;
	float v[3] = { 0, 0, 0 };
	char buf[16];
	spark_render(v, 3, 0, SPARK_ASCII, buf, sizeof(buf));
	assert_string_equal(buf, "___");
}

static void values_say_their_unit(void **state)
{
	(void)state;
	char buf[32];
	spark_value(0, SPARK_BYTES_PER_S, buf, sizeof(buf));
	assert_string_equal(buf, "0B/s");
	spark_value(1536, SPARK_BYTES_PER_S, buf, sizeof(buf));
	assert_string_equal(buf, "1.5K/s");
	spark_value(3.0 * 1048576, SPARK_BYTES_PER_S, buf, sizeof(buf));
	assert_string_equal(buf, "3.0M/s");
	spark_value(9.99, SPARK_BYTES_PER_S, buf, sizeof(buf));
	assert_string_equal(buf, "10B/s");
	spark_value(12.0 * 1048576, SPARK_BYTES, buf, sizeof(buf));
	assert_string_equal(buf, "12MB");
	spark_value(17, SPARK_COUNT, buf, sizeof(buf));
	assert_string_equal(buf, "17");
	spark_value(2.5, SPARK_COUNT, buf, sizeof(buf));
	assert_string_equal(buf, "2.5");
	spark_value(2500, SPARK_COUNT, buf, sizeof(buf));
	assert_string_equal(buf, "2.5K");
	spark_value(NAN, SPARK_COUNT, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

static void ascii_where_the_locale_or_terminal_needs_it(void **state)
{
	(void)state;
	assert_int_equal(spark_glyphs_for(1, "xterm-256color"), SPARK_BLOCKS);
	assert_int_equal(spark_glyphs_for(1, NULL), SPARK_BLOCKS);
	assert_int_equal(spark_glyphs_for(0, "xterm-256color"), SPARK_ASCII);
	assert_int_equal(spark_glyphs_for(1, "vt100"), SPARK_ASCII);
}

/* ---- the machine's sums ---- */

static struct sock_rec tcp(uint16_t lp, uint16_t rp, uint8_t st, uint64_t inode,
                           uint64_t acked, uint64_t received, uint32_t retrans)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	s.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", s.laddr);
	inet_pton(AF_INET, "127.0.0.1", s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.state = st;
	s.inode = inode;
	s.has_tcpinfo = 1;
	s.tcp.bytes_acked = acked;
	s.tcp.bytes_received = received;
	s.tcp.total_retrans = retrans;
	return s;
}

struct fx {
	struct sock_table *t;
	struct sock_list l;
	struct sock_events ev;
	struct trends *tr;
};

static void fx_init(struct fx *f)
{
	f->t = sock_table_new();
	sock_list_init(&f->l);
	sock_events_init(&f->ev);
	f->tr = trends_new(1.0);
	assert_non_null(f->t);
	assert_non_null(f->tr);
}

static void fx_free(struct fx *f)
{
	sock_table_free(f->t);
	sock_list_free(&f->l);
	sock_events_free(&f->ev);
	trends_free(f->tr);
}

/* One poll of recs at now; baseline: no events. */
static void fx_poll(struct fx *f, const struct sock_rec *recs, size_t n, double now,
                    int baseline, const struct filter *flt)
{
	sock_list_clear(&f->l);
	for (size_t i = 0; i < n; i++)
		*sock_list_push(&f->l) = recs[i];
	sock_events_clear(&f->ev);
	assert_int_equal(sock_table_update(f->t, &f->l, NULL, now, baseline ? NULL : &f->ev), 0);
	assert_int_equal(trends_poll(f->tr, f->t, baseline ? NULL : &f->ev, flt, now), 0);
}

static float last(const struct fx *f, enum trends_series s)
{
	return series_last(&f->tr->machine[s]);
}

static void rates_and_states_sum_over_the_sockets(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct sock_rec a[] = {
		tcp(80, 0, SOCK_ST_LISTEN, 1, 0, 0, 0),
		tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 1000, 100, 1),
		tcp(80, 40001, SOCK_ST_ESTABLISHED, 3, 5000, 200, 0),
	};
	fx_poll(&f, a, 3, 100, 1, NULL);
	assert_true(isnan(last(&f, TRENDS_TX)));     /* the baseline has no rates */
	assert_true(series_last(&f.tr->state[SOCK_ST_ESTABLISHED]) == 2);
	a[1] = tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 3000, 400, 4);
	a[2] = tcp(80, 40001, SOCK_ST_ESTABLISHED, 3, 6000, 200, 0);
	fx_poll(&f, a, 3, 102, 0, NULL);
	assert_true(last(&f, TRENDS_TX) == (2000 + 1000) / 2.0f);
	assert_true(last(&f, TRENDS_RX) == 300 / 2.0f);
	assert_true(last(&f, TRENDS_RETRANS) == 3 / 2.0f);
	assert_true(last(&f, TRENDS_NEW) == 0);
	assert_true(series_last(&f.tr->state[SOCK_ST_LISTEN]) == 1);
	assert_true(series_last(&f.tr->state[SOCK_ST_ESTABLISHED]) == 2);
	fx_free(&f);
}

/* A socket that closed between two polls: its final counters less the
 * last poll's count, and its end is one close. */
static void a_close_notice_brings_the_last_bytes_and_one_close(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct sock_rec a[] = { tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 1000, 100, 0) };
	fx_poll(&f, a, 1, 100, 1, NULL);
	fx_poll(&f, a, 1, 101, 0, NULL);
	/* It is gone at the next poll; the close notice said 1800 and 700. */
	sock_list_clear(&f.l);
	sock_events_clear(&f.ev);
	assert_int_equal(sock_table_update(f.t, &f.l, NULL, 102, &f.ev), 0);
	assert_int_equal(f.ev.n, 1);
	f.ev.v[0].final = 1;
	f.ev.v[0].rec.tcp.bytes_acked = 1800;
	f.ev.v[0].rec.tcp.bytes_received = 700;
	/* And a life no poll saw: opened, moved 50 bytes each way, closed. */
	struct sock_event *b = sock_events_push(&f.ev);
	b->type = SOCK_EV_GONE;
	b->rec = tcp(80, 40009, SOCK_ST_CLOSE, 0, 50, 50, 0);
	b->final = b->brief = 1;
	assert_int_equal(trends_poll(f.tr, f.t, &f.ev, NULL, 102), 0);
	assert_true(last(&f, TRENDS_TX) == 800 + 50);
	assert_true(last(&f, TRENDS_RX) == 600 + 50);
	assert_true(last(&f, TRENDS_CLOSED) == 2);
	assert_true(last(&f, TRENDS_NEW) == 1);     /* the brief one opened too */
	fx_free(&f);
}

/* A close that leaves a TIME_WAIT is a change of state, not an end. */
static void a_close_into_time_wait_is_not_an_end(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct sock_rec a[] = { tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 0, 0, 0) };
	fx_poll(&f, a, 1, 100, 1, NULL);
	a[0] = tcp(80, 40001, SOCK_ST_ESTABLISHED, 3, 0, 0, 0);
	struct sock_rec b[] = { tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 0, 0, 0), a[0] };
	fx_poll(&f, b, 2, 101, 0, NULL);
	assert_true(last(&f, TRENDS_NEW) == 1);
	b[0] = tcp(80, 40000, SOCK_ST_TIME_WAIT, 0, 0, 0, 0);
	b[0].timewait = 1;
	b[0].has_tcpinfo = 0;
	fx_poll(&f, b, 2, 102, 0, NULL);
	assert_true(last(&f, TRENDS_CLOSED) == 0);
	assert_true(last(&f, TRENDS_NEW) == 0);
	assert_true(series_last(&f.tr->state[SOCK_ST_TIME_WAIT]) == 1);
	fx_free(&f);
}

static void the_filter_narrows_every_series(void **state)
{
	(void)state;
	struct fx f;
	struct filter *flt;
	char err[128];
	assert_int_equal(filter_compile("port:443", &flt, err, sizeof(err)), 0);
	fx_init(&f);
	struct sock_rec a[] = {
		tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 0, 0, 0),
		tcp(443, 40001, SOCK_ST_ESTABLISHED, 3, 0, 0, 0),
	};
	fx_poll(&f, a, 2, 100, 1, flt);
	a[0] = tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 1000, 0, 0);
	a[1] = tcp(443, 40001, SOCK_ST_ESTABLISHED, 3, 10, 0, 0);
	fx_poll(&f, a, 2, 101, 0, flt);
	assert_true(last(&f, TRENDS_TX) == 10);
	assert_true(series_last(&f.tr->state[SOCK_ST_ESTABLISHED]) == 1);
	fx_free(&f);
	filter_free(flt);
}

static void a_pause_leaves_gaps(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct sock_rec a[] = { tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 0, 0, 0) };
	fx_poll(&f, a, 1, 100, 1, NULL);
	fx_poll(&f, a, 1, 101, 0, NULL);
	fx_poll(&f, a, 1, 105, 0, NULL);     /* three polls missed */
	const struct series *s = &f.tr->state[SOCK_ST_ESTABLISHED];
	assert_int_equal(s->n, 6);
	assert_true(series_at(s, 0) == 1);
	assert_true(isnan(series_at(s, 1)) && isnan(series_at(s, 3)));
	assert_true(series_at(s, 4) == 1);
	assert_int_equal(trends_span(f.tr, 600), 600);
	fx_free(&f);
}

/* A process's series: the bytes of the sockets it held. */
static void a_process_gets_its_closed_sockets_bytes(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct sock_owner o;
	memset(&o, 0, sizeof(o));
	o.pid = 42;
	o.starttime = 7;
	snprintf(o.comm, sizeof(o.comm), "curl");
	fx_poll(&f, NULL, 0, 100, 1, NULL);
	sock_events_clear(&f.ev);
	struct sock_event *b = sock_events_push(&f.ev);
	b->type = SOCK_EV_GONE;
	b->rec = tcp(80, 40009, SOCK_ST_CLOSE, 0, 300, 100, 0);
	b->final = b->brief = 1;
	b->owners = sock_owners_dup(&o, 1);
	b->nowners = 1;
	assert_int_equal(trends_poll(f.tr, f.t, &f.ev, NULL, 102), 0);
	const struct trends_proc *p = trends_proc(f.tr, 42, 7);
	assert_non_null(p);
	assert_string_equal(p->comm, "curl");
	assert_true(series_last(&p->s) == 400 / 2.0f);
	assert_null(trends_proc(f.tr, 42, 8));
	assert_true(trends_memory(f.tr) > sizeof(struct trends_proc));
	fx_free(&f);
}

/* The Trends of a past moment: the series and processes as they were at
 * the poll nearest it, from rings that went on since. */
static void trends_clipped_to_a_moment_show_that_moments_window(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct trends *past = trends_new(1.0);
	assert_non_null(past);
	struct sock_rec a = tcp(80, 40000, SOCK_ST_ESTABLISHED, 2, 0, 0, 0);
	fx_poll(&f, &a, 1, 100, 1, NULL);
	/* 1000 bytes a second up to 109, then 2000; closed at 115. */
	for (int k = 1; k <= 20; k++) {
		a.tcp.bytes_acked = 1000u * (unsigned)(k < 10 ? k : 9 + 2 * (k - 9));
		fx_poll(&f, &a, k < 15 ? 1 : 0, 100 + k, 0, NULL);
	}
	assert_int_equal(trends_clip(past, f.tr, 108.2, 600), 0);
	const struct series *tx = &past->machine[TRENDS_TX];
	assert_int_equal(tx->n, 9);                  /* polls 100..108 */
	assert_true(series_last(tx) == 1000);
	assert_true(series_last(&past->state[SOCK_ST_ESTABLISHED]) == 1);
	assert_int_equal(trends_clip(past, f.tr, 112, 600), 0);
	assert_true(series_last(&past->machine[TRENDS_TX]) == 2000);
	assert_int_equal(trends_clip(past, f.tr, 118, 600), 0);
	assert_true(series_last(&past->machine[TRENDS_TX]) == 0);
	assert_true(series_last(&past->state[SOCK_ST_ESTABLISHED]) == 0);   /* closed at 115 */
	/* A moment after the rings' newest, or before all they hold: no. */
	assert_int_equal(trends_clip(past, f.tr, 130, 600), -1);
	assert_int_equal(trends_clip(past, f.tr, 100 - 5000, 600), -1);
	assert_int_equal(trends_clip(past, f.tr, 90, 600), -1);    /* before the first */
	assert_true(series_last(&past->state[SOCK_ST_ESTABLISHED]) == 0);   /* kept */
	trends_free(past);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_newest_sample_is_age_zero),
		cmocka_unit_test(buckets_average_their_samples_oldest_first),
		cmocka_unit_test(a_window_longer_than_the_ring_is_downsampled),
		cmocka_unit_test(gaps_stay_gaps_in_both_rings),
		cmocka_unit_test(a_clipped_series_ends_where_it_was_then),
		cmocka_unit_test(blocks_rise_with_the_value_and_gaps_are_blank),
		cmocka_unit_test(ascii_is_a_ladder_with_no_high_bytes),
		cmocka_unit_test(an_all_zero_line_is_flat_not_blank),
		cmocka_unit_test(values_say_their_unit),
		cmocka_unit_test(ascii_where_the_locale_or_terminal_needs_it),
		cmocka_unit_test(rates_and_states_sum_over_the_sockets),
		cmocka_unit_test(a_close_notice_brings_the_last_bytes_and_one_close),
		cmocka_unit_test(a_close_into_time_wait_is_not_an_end),
		cmocka_unit_test(the_filter_narrows_every_series),
		cmocka_unit_test(a_pause_leaves_gaps),
		cmocka_unit_test(a_process_gets_its_closed_sockets_bytes),
		cmocka_unit_test(trends_clipped_to_a_moment_show_that_moments_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
