/* view_conn.c — the Connections pane's rows: the table's sockets that pass
 * the filter and the process narrowing, and closed ones lingering as GONE
 * rows; kept in their last order so a sort after a poll only places the
 * few that moved. */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "room.h"
#include "view_source.h"

static void ident_of(const struct sock_rec *r, struct ident *id)
{
	memset(id, 0, sizeof(*id));
	memcpy(id->laddr, r->laddr, sizeof(id->laddr));
	memcpy(id->raddr, r->raddr, sizeof(id->raddr));
	id->inode = r->inode;
	id->netns = r->netns;
	id->lport = r->lport;
	id->rport = r->rport;
	id->proto = r->proto;
	id->family = r->family;
}

static int ident_is(const struct ident *id, const struct sock_rec *r)
{
	return id->inode == r->inode && id->netns == r->netns && id->lport == r->lport &&
	       id->rport == r->rport && id->proto == r->proto && id->family == r->family &&
	       memcmp(id->laddr, r->laddr, sizeof(id->laddr)) == 0 &&
	       memcmp(id->raddr, r->raddr, sizeof(id->raddr)) == 0;
}

/* A record carrying only an identity, to look it up in the table. */
static void rec_of_ident(const struct ident *id, struct sock_rec *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->laddr, id->laddr, sizeof(r->laddr));
	memcpy(r->raddr, id->raddr, sizeof(r->raddr));
	r->inode = id->inode;
	r->netns = id->netns;
	r->lport = id->lport;
	r->rport = id->rport;
	r->proto = id->proto;
	r->family = id->family;
}

static uint64_t ident_hash(const struct ident *id)
{
	uint64_t w[7], h = 0x9e3779b97f4a7c15ULL;
	_Static_assert(sizeof(w) == sizeof(*id), "hash every byte of the identity");
	memcpy(w, id, sizeof(w));
	for (size_t i = 0; i < 7; i++)
		h = hash_mix64(h ^ w[i]);
	return h;
}

/* ---- Connections: lingering GONE sockets ---- */

static int gone_push(struct view *v, const struct sock_event *e)
{
	if (room_reserve(&v->gone, &v->gonecap, v->ngone + 1, sizeof(*v->gone), 64) < 0)
		return -1;
	struct gone *g = &v->gone[v->ngone];
	memset(g, 0, sizeof(*g));
	g->owners = sock_owners_dup(e->owners, e->nowners);
	g->owners_was = sock_owners_dup(e->owners_was, e->nowners_was);
	if ((e->nowners && !g->owners) || (e->nowners_was && !g->owners_was)) {
		free(g->owners);
		free(g->owners_was);
		return -1;
	}
	g->rec = e->rec;
	g->nowners = e->nowners;
	g->nowners_was = e->nowners_was;
	g->gone_at = e->time;
	ident_of(&e->rec, &g->id);
	v->ngone++;
	return 0;
}

/* Drops GONE rows older than linger; they are in the order they went. */
static int gone_expire(struct view *v)
{
	size_t k = 0;
	for (; k < v->ngone && v->now - v->gone[k].gone_at >= v->linger; k++) {
		free(v->gone[k].owners);
		free(v->gone[k].owners_was);
	}
	if (!k)
		return 0;
	memmove(v->gone, v->gone + k, (v->ngone - k) * sizeof(*v->gone));
	v->ngone -= k;
	/* A burst of closes (a load stopping) is given back once it lingered. */
	int shrunk = 0;
	v->gone = room_fit(v->gone, &v->gonecap, v->ngone, sizeof(*v->gone), 0, &shrunk);
	return 1;
}

/* Indexes the GONE sockets by identity (the same socket may go twice
 * within the linger: the first one found wins). */
static int gone_index(struct view *v)
{
	size_t want = 16;
	while (want < v->ngone * 2)
		want *= 2;
	if (room_reserve(&v->gmap, &v->gmapcap, want, sizeof(*v->gmap), 64) < 0)
		return -1;
	uint32_t *m = v->gmap;
	v->gmap_n = want;
	memset(m, 0, want * sizeof(*m));
	for (size_t g = 0; g < v->ngone; g++) {
		size_t i = ident_hash(&v->gone[g].id) & (want - 1);
		while (m[i])
			i = (i + 1) & (want - 1);
		m[i] = (uint32_t)(g + 1);
	}
	return 0;
}

static size_t gone_find(const struct view *v, const struct ident *id)
{
	size_t mask = v->gmap_n - 1;
	for (size_t i = ident_hash(id) & mask; v->gmap_n && v->gmap[i]; i = (i + 1) & mask) {
		size_t g = v->gmap[i] - 1;
		if (g < v->ngone && memcmp(&v->gone[g].id, id, sizeof(*id)) == 0)
			return g;
	}
	return VIEW_NONE;
}

/* ---- Connections: rows ---- */

static void conn_colrow(const struct view *v, uint32_t ref, struct column_row *c)
{
	if (ref & GONE_REF) {
		const struct gone *g = &v->gone[ref & ~GONE_REF];
		/* Closed: no rate any more (the last one is in its GONE event). */
		*c = (struct column_row){ .rec = &g->rec, .owners = g->owners,
		                          .nowners = g->nowners, .owners_was = g->owners_was,
		                          .nowners_was = g->nowners_was,
		                          .first_seen = g->first_seen, .now = v->now,
		                          .cmdlines = v->cmdlines };
	} else {
		const struct sock_entry *e = sock_table_at(v->table, ref);
		*c = (struct column_row){ .rec = &e->rec, .owners = e->owners,
		                          .nowners = e->nowners, .owners_was = e->owners_was,
		                          .nowners_was = e->nowners_was,
		                          .first_seen = e->first_seen,
		                          .now = v->now, .tx_rate = e->tx_rate,
		                          .rx_rate = e->rx_rate, .has_rate = e->has_rate,
		                          .cmdlines = v->cmdlines };
	}
}

static enum view_highlight conn_highlight(const struct view *v, const struct sock_entry *e)
{
	if (e->first_seen > v->baseline && v->now - e->first_seen < v->linger)
		return VIEW_HL_NEW;
	if (e->state_since > v->baseline && v->now - e->state_since < v->linger)
		return VIEW_HL_CHANGED;
	return VIEW_HL_NONE;
}

static int conn_cmp(const struct view *v, uint32_t a, uint32_t b)
{
	struct column_row x, y;
	conn_colrow(v, a, &x);
	conn_colrow(v, b, &y);
	return columns_compare(CONN(v).col, &x, &y, CONN(v).desc);
}

static size_t conn_table_count(const struct view *v)
{
	return v->table ? sock_table_count(v->table) : 0;
}

static int owners_have_service(const struct sock_owner *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].service[0])
			return 1;
	return 0;
}

static void conn_count(struct view *v, const struct sock_rec *r,
                       const struct sock_owner *o, size_t n)
{
	size_t *per = r->proto == IPPROTO_UDP ? v->counts.udp : v->counts.tcp;
	if (r->state < SOCK_ST_MAX)
		per[r->state]++;
	v->counts.total++;
	v->counts.netns_other += r->netns != 0;
	v->counts.with_service += owners_have_service(o, n);
}

/* Marks which table sockets and GONE rows are shown (SHOWN), counting. */
static void conn_mark(struct view *v)
{
	size_t nt = conn_table_count(v);
	memset(&v->counts, 0, sizeof(v->counts));
	for (size_t i = 0; i < nt; i++) {
		const struct sock_entry *e = sock_table_at(v->table, i);
		conn_count(v, &e->rec, e->owners, e->nowners);
		v->vis[i] = view_passes(v, &e->rec, e->owners, e->nowners, e->owners_was,
		                        e->nowners_was, 1) ? SHOWN : HIDDEN;
		v->counts.shown += v->vis[i] == SHOWN;
	}
	for (size_t g = 0; g < v->ngone; g++) {
		struct gone *x = &v->gone[g];
		int back = v->table && sock_table_find(v->table, &x->rec);
		x->vis = !back && view_passes(v, &x->rec, x->owners, x->nowners, x->owners_was,
		                              x->nowners_was, 1) ? SHOWN : HIDDEN;
		v->counts.gone += x->vis == SHOWN;
	}
}

/* A shown, not yet placed row becomes placed: its ref, else NO_REF. */
static uint32_t conn_take(uint8_t *vis, uint32_t ref)
{
	if (*vis != SHOWN)
		return NO_REF;
	*vis = PLACED;
	return ref;
}

/* Where the socket of a row of the last sort is now. Usually the same
 * table position; a poll moves a few (then the table's index finds them)
 * and turns some into GONE rows, which inherit the first-seen time. */
static uint32_t conn_locate(struct view *v, const struct prev_row *p)
{
	size_t nt = conn_table_count(v);
	if (!(p->ref & GONE_REF) && p->ref < nt &&
	    ident_is(&p->id, &sock_table_at(v->table, p->ref)->rec))
		return conn_take(&v->vis[p->ref], p->ref);
	struct sock_rec probe;
	rec_of_ident(&p->id, &probe);
	const struct sock_entry *e = nt ? sock_table_find(v->table, &probe) : NULL;
	if (e) {
		size_t i = (size_t)(e - sock_table_at(v->table, 0));
		return conn_take(&v->vis[i], (uint32_t)i);
	}
	size_t g = gone_find(v, &p->id);
	if (g == VIEW_NONE)
		return NO_REF;
	if (!v->gone[g].first_seen)
		v->gone[g].first_seen = p->first_seen;
	return conn_take(&v->gone[g].vis, GONE_REF | (uint32_t)g);
}

/* Rows in the order of the last sort, then newcomers in table order: so
 * that sorting keeps ties as they were. */
static void conn_gather(struct view *v)
{
	size_t n = 0, nt = conn_table_count(v);
	for (size_t p = 0; p < v->nprev; p++) {
		uint32_t ref = conn_locate(v, &v->prev[p]);
		if (ref != NO_REF)
			CONN(v).rows[n++] = ref;
	}
	for (size_t i = 0; i < nt; i++)
		if (v->vis[i] == SHOWN)
			CONN(v).rows[n++] = (uint32_t)i;
	for (size_t g = 0; g < v->ngone; g++)
		if (v->gone[g].vis == SHOWN)
			CONN(v).rows[n++] = GONE_REF | (uint32_t)g;
	CONN(v).n = n;
}

static int conn_rebuild(struct view *v)
{
	size_t nt = conn_table_count(v);
	if (room_reserve(&v->vis, &v->viscap, nt, sizeof(*v->vis), 64) < 0)
		return -1;
	if (view_list_reserve(&CONN(v), nt + v->ngone) < 0 || gone_index(v) < 0)
		return -1;
	conn_mark(v);
	conn_gather(v);
	v->built_n = nt;
	CONN(v).rows_dirty = 0;
	CONN(v).order_dirty = 1;
	v->stale = 0;
	return 0;
}

/* Records the rows in their new order for the next rebuild. */
static int conn_remember_rows(struct view *v)
{
	if (room_reserve(&v->prev, &v->prevcap, CONN(v).n, sizeof(*v->prev), 64) < 0)
		return -1;
	struct prev_row *p = v->prev;
	for (size_t i = 0; i < CONN(v).n; i++) {
		struct column_row c;
		conn_colrow(v, CONN(v).rows[i], &c);
		ident_of(c.rec, &p[i].id);
		p[i].first_seen = c.first_seen;
		p[i].ref = CONN(v).rows[i];
	}
	v->nprev = CONN(v).n;
	/* Rows a table that shrank no longer has are given back. */
	int shrunk = 0;
	v->prev = room_fit(v->prev, &v->prevcap, v->nprev, sizeof(*v->prev), 1, &shrunk);
	return 0;
}

static void conn_remember_sel(struct view *v)
{
	v->conn_has_sel = CONN(v).n > 0;
	if (v->conn_has_sel)
		v->conn_sel = v->prev[CONN(v).sel].id;
}

/* The selected socket's row: its ref found by identity, then its place. */
static size_t conn_find_sel(const struct view *v)
{
	if (!v->conn_has_sel)
		return VIEW_NONE;
	struct sock_rec probe;
	rec_of_ident(&v->conn_sel, &probe);
	const struct sock_entry *e = conn_table_count(v) ? sock_table_find(v->table, &probe) : NULL;
	size_t g = e ? VIEW_NONE : gone_find(v, &v->conn_sel);
	uint32_t want = e ? (uint32_t)(e - sock_table_at(v->table, 0))
	                  : g != VIEW_NONE ? GONE_REF | (uint32_t)g : NO_REF;
	for (size_t i = 0; want != NO_REF && i < CONN(v).n; i++)
		if (CONN(v).rows[i] == want)
			return i;
	return VIEW_NONE;
}

/* After sorting: the rows remembered for the next rebuild, and the
 * selection back on its socket. */
static int conn_settle(struct view *v)
{
	if (conn_remember_rows(v) < 0) {
		v->nprev = 0;
		return -1;
	}
	view_list_settle(&CONN(v), conn_find_sel(v));
	conn_remember_sel(v);
	return 0;
}

static void conn_moved(struct view *v)
{
	if (v->nprev == CONN(v).n)     /* prev mirrors the rows unless a sort failed */
		conn_remember_sel(v);
}

static void conn_row(const struct view *v, uint32_t ref, struct pane_row *out)
{
	conn_colrow(v, ref, &out->sock);
	out->cells = &out->sock;
	if (ref & GONE_REF) {
		out->state_since = 0;
		out->hl = VIEW_HL_GONE;
	} else {
		const struct sock_entry *e = sock_table_at(v->table, ref);
		out->state_since = e->state_since;
		out->hl = conn_highlight(v, e);
	}
}

/* A poll that brought no event leaves every socket where it was in the
 * table (nothing inserted, nothing swept). Unless a filter or a process
 * narrows the rows (they may hang on owners), or GONE rows linger, the
 * Connections rows are then the same, in the same order when the sort key
 * is fixed: rebuilding and re-sorting them would cost O(n) per poll for
 * nothing (8 ms at 100,000 rows). Their cells are read from the table when
 * drawn, so new queues, RTT and owners still show. */
static int conn_unchanged_by(const struct view *v, const struct sock_table *t,
                             const struct sock_events *ev)
{
	return v->polled && ev && ev->n == 0 && t == v->table && !v->filter &&
	       v->narrow_pid <= 0 && v->ngone == 0 && !v->stale && !CONN(v).rows_dirty &&
	       !CONN(v).order_dirty && v->nprev == CONN(v).n &&
	       sock_table_count(t) == v->built_n && (!CONN(v).col || CONN(v).col->fixed);
}

/* The rows stay as built when the poll changed nothing they show; GONE
 * events become lingering rows. */
static int conn_poll(struct view *v, const struct sock_table *t, const struct sock_events *ev)
{
	int rc = 0, same = conn_unchanged_by(v, t, ev);
	v->stale = !same;
	CONN(v).rows_dirty = !same;
	for (size_t i = 0; ev && i < ev->n; i++)
		if (ev->v[i].type == SOCK_EV_GONE && gone_push(v, &ev->v[i]) < 0)
			rc = -1;
	return rc;
}

/* GONE rows past their linger leave. */
static void conn_tick(struct view *v)
{
	if (gone_expire(v))
		CONN(v).rows_dirty = 1;
}

static void conn_free(struct view *v)
{
	for (size_t i = 0; i < v->ngone; i++) {
		free(v->gone[i].owners);
		free(v->gone[i].owners_was);
	}
	free(v->gone);
	free(v->prev);
	free(v->vis);
	free(v->gmap);
}

const struct row_source view_conn_source = {
	.free = conn_free, .poll = conn_poll, .tick = conn_tick,
	.rebuild = conn_rebuild, .cmp = conn_cmp, .settle = conn_settle,
	.moved = conn_moved, .row = conn_row,
};

/* ---- Connections ---- */

void view_conn_narrow(struct view *v, int pid, unsigned long long starttime)
{
	if (pid <= 0)
		pid = 0, starttime = 0;
	if (pid == v->narrow_pid && starttime == v->narrow_start)
		return;
	v->narrow_pid = pid;
	v->narrow_start = starttime;
	CONN(v).rows_dirty = EVENTS(v).rows_dirty = 1;
}

int view_conn_narrowed(const struct view *v, int *pid, unsigned long long *starttime)
{
	if (pid)
		*pid = v->narrow_pid;
	if (starttime)
		*starttime = v->narrow_start;
	return v->narrow_pid > 0;
}
