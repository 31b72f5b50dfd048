/* view_trends.c — the Trends pane's rows: the machine's series (trends.h),
 * one per TCP state seen in the window, then the processes that moved the
 * most bytes in it, busiest first. */
#include "config.h"

#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "room.h"
#include "view_source.h"

#define TRENDS_TOP_PROCS 20

static struct trend_row *trow_add(struct view *v, const char *name, const struct series *s,
                                  int bytes)
{
	if (room_reserve(&v->trows, &v->trowcap, v->ntrows + 1, sizeof(*v->trows), 32) < 0)
		return NULL;
	struct trend_row *r = &v->trows[v->ntrows++];
	uint64_t span = trends_span(v->trends, TRENDS_WINDOW);
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->bytes = bytes;
	r->s = s;
	r->span = span;
	r->now = series_last(s);
	r->peak = series_peak(s, span);
	r->total = -1;
	r->ascii = v->graph_ascii;
	return r;
}

/* The processes with the most bytes over the window, busiest first: a
 * top list kept by insertion, so only those few are read sample by sample. */
static int trends_add_procs(struct view *v)
{
	const struct trends *tr = v->trends;
	const struct trends_proc *top[TRENDS_TOP_PROCS];
	size_t n = 0;
	for (size_t i = 0; i < tr->nprocs; i++) {
		const struct trends_proc *p = tr->procs[i];
		if (!(p->window > 0) || (n == TRENDS_TOP_PROCS && p->window <= top[n - 1]->window))
			continue;
		size_t k = n < TRENDS_TOP_PROCS ? n++ : n - 1;
		for (; k > 0 && top[k - 1]->window < p->window; k--)
			top[k] = top[k - 1];
		top[k] = p;
	}
	for (size_t i = 0; i < n; i++) {
		char name[48];
		snprintf(name, sizeof(name), "%s %d", top[i]->comm, top[i]->pid);
		struct trend_row *r = trow_add(v, name, &top[i]->s, 1);
		if (!r)
			return -1;
		r->total = top[i]->window * tr->interval;
		r->pid = top[i]->pid;
		r->starttime = top[i]->starttime;
	}
	return 0;
}

static int trends_rebuild(struct view *v)
{
	const struct trends *tr = v->trends;
	uint64_t span = trends_span(tr, TRENDS_WINDOW);
	v->ntrows = 0;
	for (int i = 0; i < TRENDS_N; i++)
		if (!trow_add(v, trends_name((enum trends_series)i), &tr->machine[i],
		              i == TRENDS_TX || i == TRENDS_RX))
			return -1;
	for (int st = 1; st < SOCK_ST_MAX; st++)
		if (series_peak(&tr->state[st], span) > 0 &&
		    !trow_add(v, sock_state_name(IPPROTO_TCP, (uint8_t)st), &tr->state[st], 0))
			return -1;
	if (trends_add_procs(v) < 0 || view_list_reserve(&TRENDS(v), v->ntrows) < 0)
		return -1;
	for (size_t k = 0; k < v->ntrows; k++)
		TRENDS(v).rows[k] = (uint32_t)k;
	TRENDS(v).n = v->ntrows;
	TRENDS(v).rows_dirty = 0;
	TRENDS(v).order_dirty = 1;
	return 0;
}

static int trends_cmp(const struct view *v, uint32_t a, uint32_t b)
{
	return columns_compare(TRENDS(v).col, &v->trows[a], &v->trows[b], TRENDS(v).desc);
}

static int trends_settle(struct view *v)
{
	view_list_settle(&TRENDS(v), VIEW_NONE);
	return 0;
}

static void trends_moved(struct view *v)
{
	(void)v;
}

static void trends_row(const struct view *v, uint32_t ref, struct pane_row *out)
{
	out->cells = &v->trows[ref];
}

static int trends_init(struct view *v)
{
	v->trends = trends_new(1.0);
	return v->trends ? 0 : -1;
}

static void trends_release(struct view *v)
{
	trends_free(v->trends);
	free(v->trows);
}

static int trends_poll_source(struct view *v, const struct sock_table *t,
                              const struct sock_events *ev)
{
	TRENDS(v).rows_dirty = 1;
	return trends_poll(v->trends, t, ev, v->filter, v->polling_at);
}

const struct row_source view_trends_source = {
	.init = trends_init, .free = trends_release, .poll = trends_poll_source,
	.rebuild = trends_rebuild, .cmp = trends_cmp, .settle = trends_settle,
	.moved = trends_moved, .row = trends_row, .sort_rebuilds = 1,
};

/* ---- Trends ---- */

void view_trends_setup(struct view *v, double interval, int ascii)
{
	if (interval > 0)
		v->trends->interval = interval;
	v->graph_ascii = v->trends->ascii = ascii;
}

void view_trends_watch(struct view *v, const struct sock_rec *rec)
{
	trends_watch(v->trends, rec);
}

int view_trends_clip(struct view *dst, const struct view *src, double moment)
{
	uint64_t span = trends_span(src->trends, TRENDS_WINDOW);
	if (trends_clip(dst->trends, src->trends, moment, span) < 0)
		return -1;
	TRENDS(dst).rows_dirty = PROC(dst).rows_dirty = 1;   /* TREND reads them too */
	return 0;
}

const struct trends *view_trends(const struct view *v)
{
	return v->trends;
}
