/* view_events.c — the Events pane's rows: the change log, a ring of the
 * newest VIEW_EVENTS_MAX events, newest first, narrowed by the filter. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "view_source.h"

/* ---- Events: the ring and its rows ---- */

static size_t ring_count(const struct view *v)
{
	return v->next_seq < VIEW_EVENTS_MAX ? (size_t)v->next_seq : VIEW_EVENTS_MAX;
}

/* Copies e over the oldest event once the ring is full. */
static int ring_push(struct view *v, const struct sock_event *e)
{
	struct sock_owner *o = sock_owners_dup(e->owners, e->nowners);
	struct sock_owner *was = sock_owners_dup(e->owners_was, e->nowners_was);
	if ((e->nowners && !o) || (e->nowners_was && !was)) {
		free(o);
		free(was);
		return -1;
	}
	struct logged *l = &v->ring[v->next_seq % VIEW_EVENTS_MAX];
	free(l->ev.owners);
	free(l->ev.owners_was);
	l->ev = *e;
	l->ev.owners = o;
	l->ev.owners_was = was;
	l->seq = v->next_seq++;
	return 0;
}

static int events_cmp(const struct view *v, uint32_t a, uint32_t b)
{
	return columns_compare(EVENTS(v).col, &v->ring[a].ev, &v->ring[b].ev, EVENTS(v).desc);
}

static int events_rebuild(struct view *v)
{
	size_t n = 0, count = ring_count(v);
	if (view_list_reserve(&EVENTS(v), count) < 0)
		return -1;
	for (size_t k = 0; k < count; k++) {
		uint32_t slot = (uint32_t)((v->next_seq - 1 - k) % VIEW_EVENTS_MAX);
		const struct sock_event *e = &v->ring[slot].ev;
		if (view_passes(v, &e->rec, e->owners, e->nowners, e->owners_was, e->nowners_was, 1))
			EVENTS(v).rows[n++] = slot;
	}
	EVENTS(v).n = n;
	EVENTS(v).rows_dirty = 0;
	EVENTS(v).order_dirty = 1;
	return 0;
}

static void events_remember_sel(struct view *v)
{
	v->ev_has_sel = EVENTS(v).n > 0;
	if (v->ev_has_sel)
		v->ev_sel_seq = v->ring[EVENTS(v).rows[EVENTS(v).sel]].seq;
	/* On the top row of the log in its own order (newest first), the
	 * selection follows the log like tail -f, so new events show; moved
	 * down to read an older one, it stays on that one. */
	v->ev_follow = !EVENTS(v).col && EVENTS(v).sel == 0;
}

static size_t events_find_sel(const struct view *v)
{
	for (size_t i = 0; v->ev_has_sel && i < EVENTS(v).n; i++)
		if (v->ring[EVENTS(v).rows[i]].seq == v->ev_sel_seq)
			return i;
	return VIEW_NONE;
}

static int events_settle(struct view *v)
{
	view_list_settle(&EVENTS(v), v->ev_follow && EVENTS(v).n ? 0 : events_find_sel(v));
	events_remember_sel(v);
	return 0;
}

static void events_row(const struct view *v, uint32_t ref, struct pane_row *out)
{
	const struct sock_event *e = &v->ring[ref].ev;
	out->cells = e;
	out->sock = (struct column_row){ .rec = &e->rec, .owners = e->owners,
	                                 .nowners = e->nowners, .owners_was = e->owners_was,
	                                 .nowners_was = e->nowners_was, .now = v->now,
	                                 .cmdlines = v->cmdlines };
	out->hl = e->type == SOCK_EV_NEW ? VIEW_HL_NEW
	        : e->type == SOCK_EV_STATE ? VIEW_HL_CHANGED : VIEW_HL_GONE;
}

static int events_init(struct view *v)
{
	v->ring = calloc(VIEW_EVENTS_MAX, sizeof(*v->ring));
	return v->ring ? 0 : -1;
}

static void events_free(struct view *v)
{
	for (size_t i = 0; v->ring && i < ring_count(v); i++) {
		free(v->ring[i].ev.owners);
		free(v->ring[i].ev.owners_was);
	}
	free(v->ring);
}

static int events_poll(struct view *v, const struct sock_table *t, const struct sock_events *ev)
{
	int rc = 0;
	(void)t;
	for (size_t i = 0; ev && i < ev->n; i++)
		if (ring_push(v, &ev->v[i]) < 0)
			rc = -1;
	if (ev && ev->n)
		EVENTS(v).rows_dirty = 1;
	return rc;
}

const struct row_source view_events_source = {
	.init = events_init, .free = events_free, .poll = events_poll,
	.rebuild = events_rebuild, .cmp = events_cmp, .settle = events_settle,
	.moved = events_remember_sel, .row = events_row,
	.sort_rebuilds = 1,   /* from the newest-first order, so ties keep it */
};

int view_events_log(struct view *v, const struct sock_event *e)
{
	if (ring_push(v, e) < 0)
		return -1;
	EVENTS(v).rows_dirty = 1;
	return 0;
}

/* ---- Events ---- */

size_t view_events_logged(const struct view *v)
{
	return ring_count(v);
}
