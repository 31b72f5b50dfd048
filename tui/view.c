/* view.c — the model behind the panes (see view.h): which rows each pane
 * shows, in what order, where its selection is, and the header counts.
 * Rows are 32-bit references sorted in an index array; the table, the
 * lingering GONE sockets and the event ring hold the data. */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hash.h"
#include "room.h"
#include "view.h"

#define GONE_REF 0x80000000u      /* a Connections ref with this bit: a GONE row */
#define NO_REF UINT32_MAX

/* Whether a socket is shown, while the Connections rows are gathered. */
enum { HIDDEN, SHOWN, PLACED };

/* A socket's identity (protocol, addresses, ports, inode, namespace) with
 * no padding, so memcmp and the hash see exactly these bytes. */
struct ident {
	uint8_t laddr[16], raddr[16];
	uint64_t inode;
	uint64_t netns;              /* the same tuple in two namespaces differs */
	uint16_t lport, rport;
	uint8_t proto, family, pad[2];
};
_Static_assert(sizeof(struct ident) == 56, "struct ident must not be padded");

/* A socket the table no longer has, kept `linger` seconds for its GONE row. */
struct gone {
	struct sock_rec rec;
	struct sock_owner *owners;
	size_t nowners;
	double first_seen, gone_at;  /* first_seen: 0 until known (see conn_locate) */
	struct ident id;
	uint8_t vis;                 /* HIDDEN, SHOWN, PLACED */
};

/* A Connections row as it was at the last sort: where ties go next time,
 * and the first-seen time a GONE row keeps. */
struct prev_row {
	struct ident id;
	double first_seen;
	uint32_t ref;              /* its row reference then */
};

/* One pane's visible rows (references into its row source's data), their
 * sort and its cursor. */
struct list {
	uint32_t *rows, *tmp;      /* tmp: merge buffer, or scratch while building */
	size_t n, cap, tmpcap;
	size_t sel, top, height;
	unsigned long sorts;
	const struct column *col;  /* sort column, NULL none */
	int desc;
	int rows_dirty;            /* which rows are shown must be recomputed */
	int order_dirty;           /* they must be sorted again */
};

/* Processes being counted: rows plus an index by (pid, start time). */
struct procs {
	struct proc_row *v;
	size_t n, cap;
	uint32_t *slots;           /* row + 1; 0 is empty */
	size_t nslots;             /* power of two */
	int by_service;            /* rows are keyed by service, not process */
};

struct logged {
	struct sock_event ev;      /* owners: owned copy */
	uint64_t seq;              /* lives in ring[seq % VIEW_EVENTS_MAX] */
};

struct view {
	double linger, now, baseline;
	int polled;
	int stale;                 /* polled since the Connections rows were built */
	size_t built_n;            /* table entries when the rows were last built */
	const struct sock_table *table;
	const struct filter *filter;
	const struct column_cmdlines *cmdlines;
	struct view_counts counts;

	struct list pane[PANE_COUNT];

	/* Connections */
	int narrow_pid;
	unsigned long long narrow_start;
	struct gone *gone;
	size_t ngone, gonecap;
	struct prev_row *prev;     /* rows at the last sort, in their order */
	size_t nprev, prevcap;
	uint8_t *vis;              /* per table entry while gathering rows */
	size_t viscap;
	uint32_t *gmap;            /* gone index + 1 by ident hash; 0 is empty */
	size_t gmap_n, gmapcap;
	struct ident conn_sel;
	int conn_has_sel;

	/* Processes */
	struct procs procs, build;
	int proc_by_service;       /* Processes grouped by service */
	int proc_sel_pid;
	unsigned long long proc_sel_start;
	int proc_has_sel;

	/* Events */
	struct logged *ring;
	uint64_t next_seq;
	uint64_t ev_sel_seq;
	int ev_has_sel;
	int ev_follow;        /* the selection is on the newest event: stay there */
};

/* Each row source's own pane. */
#define CONN(v) ((v)->pane[PANE_CONNECTIONS])
#define PROC(v) ((v)->pane[PANE_PROCESSES])
#define EVENTS(v) ((v)->pane[PANE_EVENTS])

typedef int (*row_cmp)(const struct view *v, uint32_t a, uint32_t b);

/* ---- small helpers ---- */

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
	return id->inode == r->inode && id->netns == r->netns && id->lport == r->lport && id->rport == r->rport &&
	       id->proto == r->proto && id->family == r->family &&
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

static int owned_by(const struct sock_owner *o, size_t n, int pid,
                    unsigned long long start)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].pid == pid && o[i].starttime == start)
			return 1;
	return 0;
}

/* The filter, and with narrow the process narrowing, for one socket. */
static int passes(const struct view *v, const struct sock_rec *rec,
                  const struct sock_owner *o, size_t n, int narrow)
{
	if (narrow && v->narrow_pid > 0 &&
	    !owned_by(o, n, v->narrow_pid, v->narrow_start))
		return 0;
	if (!v->filter)
		return 1;
	struct filter_subject s = { rec, o, n, rec->netns_name, NULL };
	return filter_match(v->filter, &s);
}

/* ---- sorting ---- */

static void insertion_sort(uint32_t *a, size_t n, row_cmp cmp, const struct view *v)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = a[i];
		size_t j = i;
		for (; j > 0 && cmp(v, a[j - 1], x) > 0; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/* Merges the ordered runs a[0..h) and a[h..n), stably. */
static void merge_runs(uint32_t *a, uint32_t *tmp, size_t h, size_t n, row_cmp cmp,
                       const struct view *v)
{
	size_t i = 0, j = h, k = 0;
	memcpy(tmp, a, h * sizeof(*a));
	while (i < h && j < n)
		a[k++] = cmp(v, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
	while (i < h)
		a[k++] = tmp[i++];
}

/* Stable; halves already in order are not merged. */
static void merge_sort(uint32_t *a, uint32_t *tmp, size_t n, row_cmp cmp,
                       const struct view *v)
{
	if (n <= 16) {
		insertion_sort(a, n, cmp, v);
		return;
	}
	size_t h = n / 2;
	merge_sort(a, tmp, h, cmp, v);
	merge_sort(a + h, tmp, n - h, cmp, v);
	if (cmp(v, a[h - 1], a[h]) > 0)
		merge_runs(a, tmp, h, n, cmp, v);
}

/* Merges a short ordered run a[m..n) into a long one a[0..m): each of its
 * rows, from the last, finds its place by binary search (after equal
 * ones), and each long-run row moves once. */
static void insert_run(uint32_t *a, uint32_t *tmp, size_t m, size_t n, row_cmp cmp,
                       const struct view *v)
{
	size_t k = n - m, hi = m;
	memcpy(tmp, a + m, k * sizeof(*a));
	for (; k > 0; k--) {
		uint32_t x = tmp[k - 1];
		size_t lo = 0, up = hi;
		while (lo < up) {
			size_t mid = lo + (up - lo) / 2;
			if (cmp(v, a[mid], x) <= 0)
				lo = mid + 1;
			else
				up = mid;
		}
		memmove(a + lo + k, a + lo, (hi - lo) * sizeof(*a));
		a[lo + k - 1] = x;
		hi = lo;
	}
}

static size_t log2_ceil(size_t n)
{
	size_t b = 1;
	while (n >>= 1)
		b++;
	return b;
}

/* The stable sort of every pane. Rows come in their previous order with
 * newcomers last, so after a poll the ordered prefix is usually nearly all
 * of them: it is kept, the rest sorted and merged in, for about one
 * comparison per row instead of n log n. */
static void sort_rows(uint32_t *a, uint32_t *tmp, size_t n, row_cmp cmp,
                      const struct view *v)
{
	size_t m = 1;
	while (m < n && cmp(v, a[m - 1], a[m]) <= 0)
		m++;
	if (m >= n)
		return;
	merge_sort(a + m, tmp, n - m, cmp, v);
	if ((n - m) * log2_ceil(m) < n)
		insert_run(a, tmp, m, n, cmp, v);
	else
		merge_runs(a, tmp, m, n, cmp, v);
}

/* ---- a pane's rows and cursor ---- */

static int list_reserve(struct list *l, size_t want)
{
	if (room_reserve(&l->rows, &l->cap, want, sizeof(*l->rows), 64) < 0)
		return -1;
	return room_reserve(&l->tmp, &l->tmpcap, want, sizeof(*l->tmp), 64);
}

static void list_free(struct list *l)
{
	free(l->rows);
	free(l->tmp);
}

static int list_fail(struct list *l)
{
	l->n = l->sel = l->top = 0;
	return -1;
}

static size_t list_page(const struct list *l)
{
	return l->height ? l->height : 1;
}

/* Keeps the selection inside the window and no blank rows below the end. */
static void list_scroll(struct list *l)
{
	size_t h = list_page(l);
	if (l->sel < l->top)
		l->top = l->sel;
	else if (l->sel - l->top >= h)
		l->top = l->sel - h + 1;
	size_t maxtop = l->n > h ? l->n - h : 0;
	if (l->top > maxtop)
		l->top = maxtop;
}

/* Paging moves the window and the selection together, like htop. */
static void list_move(struct list *l, enum view_move m)
{
	size_t h = list_page(l), last = l->n ? l->n - 1 : 0;
	switch (m) {
	case VIEW_MOVE_UP:
		l->sel -= l->sel > 0;
		break;
	case VIEW_MOVE_DOWN:
		l->sel += l->sel < last;
		break;
	case VIEW_MOVE_PAGE_UP:
		l->sel = l->sel > h ? l->sel - h : 0;
		l->top = l->top > h ? l->top - h : 0;
		break;
	case VIEW_MOVE_PAGE_DOWN:
		l->sel = last - l->sel > h ? l->sel + h : last;
		l->top += h;
		break;
	case VIEW_MOVE_HOME:
		l->sel = 0;
		break;
	case VIEW_MOVE_END:
		l->sel = last;
		break;
	}
	list_scroll(l);
}

/* After the rows changed: the selection goes to its item's new place, or,
 * when that left, stays at its old index (clamped). */
static void list_settle(struct list *l, size_t found)
{
	if (found != VIEW_NONE)
		l->sel = found;
	else if (l->sel >= l->n)
		l->sel = l->n ? l->n - 1 : 0;
	list_scroll(l);
}

static size_t list_selected(const struct list *l)
{
	return l->n ? l->sel : VIEW_NONE;
}

static void list_set_height(struct list *l, size_t rows)
{
	l->height = rows;
	list_scroll(l);
}

/* ---- Connections: lingering GONE sockets ---- */

static int gone_push(struct view *v, const struct sock_event *e)
{
	if (room_reserve(&v->gone, &v->gonecap, v->ngone + 1, sizeof(*v->gone), 64) < 0)
		return -1;
	struct gone *g = &v->gone[v->ngone];
	memset(g, 0, sizeof(*g));
	g->owners = sock_owners_dup(e->owners, e->nowners);
	if (e->nowners && !g->owners)
		return -1;
	g->rec = e->rec;
	g->nowners = e->nowners;
	g->gone_at = e->time;
	ident_of(&e->rec, &g->id);
	v->ngone++;
	return 0;
}

/* Drops GONE rows older than linger; they are in the order they went. */
static int gone_expire(struct view *v)
{
	size_t k = 0;
	while (k < v->ngone && v->now - v->gone[k].gone_at >= v->linger)
		free(v->gone[k++].owners);
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
		                          .nowners = g->nowners, .first_seen = g->first_seen,
		                          .now = v->now, .cmdlines = v->cmdlines };
	} else {
		const struct sock_entry *e = sock_table_at(v->table, ref);
		*c = (struct column_row){ .rec = &e->rec, .owners = e->owners,
		                          .nowners = e->nowners, .first_seen = e->first_seen,
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
		v->vis[i] = passes(v, &e->rec, e->owners, e->nowners, 1) ? SHOWN : HIDDEN;
		v->counts.shown += v->vis[i] == SHOWN;
	}
	for (size_t g = 0; g < v->ngone; g++) {
		struct gone *x = &v->gone[g];
		int back = v->table && sock_table_find(v->table, &x->rec);
		x->vis = !back && passes(v, &x->rec, x->owners, x->nowners, 1) ? SHOWN : HIDDEN;
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
	if (list_reserve(&CONN(v), nt + v->ngone) < 0 || gone_index(v) < 0)
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
	list_settle(&CONN(v), conn_find_sel(v));
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

/* ---- Processes: counting ---- */

/* FNV-1a: a service row's starttime, so selection and ties can follow it. */
static unsigned long long service_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* svc is NULL for a process row, the key of a service row. */
static size_t procs_slot(const struct procs *p, int pid, unsigned long long start,
                         const char *svc)
{
	size_t mask = p->nslots - 1;
	size_t i = hash_mix64((uint64_t)(unsigned)pid ^ hash_mix64(start)) & mask;
	for (; p->slots[i]; i = (i + 1) & mask) {
		const struct proc_row *r = &p->v[p->slots[i] - 1];
		if (r->pid == pid && r->starttime == start &&
		    (!svc || strcmp(r->service, svc) == 0))
			break;
	}
	return i;
}

static int procs_rehash(struct procs *p, size_t nslots)
{
	uint32_t *s = calloc(nslots, sizeof(*s));
	if (!s)
		return -1;
	free(p->slots);
	p->slots = s;
	p->nslots = nslots;
	for (size_t k = 0; k < p->n; k++)
		s[procs_slot(p, p->v[k].pid, p->v[k].starttime,
		             p->by_service ? p->v[k].service : NULL)] = (uint32_t)(k + 1);
	return 0;
}

static void procs_reset(struct procs *p)
{
	p->n = 0;
	if (p->slots)
		memset(p->slots, 0, p->nslots * sizeof(*p->slots));
}

static void procs_free(struct procs *p)
{
	free(p->v);
	free(p->slots);
}

/* The row of process (pid, start), or with svc of that service (pid 0),
 * added empty when new; NULL on ENOMEM. */
static struct proc_row *procs_get(struct procs *p, int pid, unsigned long long start,
                                       const char *svc)
{
	if ((p->n + 1) * 2 > p->nslots &&
	    procs_rehash(p, p->nslots ? p->nslots * 2 : 256) < 0)
		return NULL;
	if (svc) {
		pid = 0;
		start = service_hash(svc);
	}
	size_t s = procs_slot(p, pid, start, svc);
	if (p->slots[s])
		return &p->v[p->slots[s] - 1];
	if (room_reserve(&p->v, &p->cap, p->n + 1, sizeof(*p->v), 64) < 0)
		return NULL;
	struct proc_row *r = &p->v[p->n];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->starttime = start;
	if (svc)
		snprintf(r->service, sizeof(r->service), "%s", svc);
	p->slots[s] = (uint32_t)++p->n;
	return r;
}

/* Counts one socket for one of its owners; names come from the newest. */
static void proc_count(struct proc_row *r, const struct sock_owner *o, uint8_t state)
{
	if (!r->total) {
		r->uid = o->uid;
		memcpy(r->comm, o->comm, sizeof(r->comm));
		memcpy(r->user, o->user, sizeof(r->user));
		memcpy(r->service, o->service, sizeof(r->service));
		r->comm[sizeof(r->comm) - 1] = r->user[sizeof(r->user) - 1] = '\0';
		r->service[sizeof(r->service) - 1] = '\0';
	}
	if (state == SOCK_ST_LISTEN)
		r->listen++;
	else if (state == SOCK_ST_ESTABLISHED)
		r->established++;
	else
		r->other++;
	r->total++;
}

/* Whether owner k is the one of its process group that gets the socket's
 * rate: owners are sorted by pid, so it is when no earlier owner shares its
 * group. An unknown group (0) is a group of its own. */
static int proc_rate_holder(const struct sock_owner *o, size_t k)
{
	for (size_t j = 0; o[k].pgid > 0 && j < k; j++)
		if (o[j].pgid == o[k].pgid)
			return 0;
	return 1;
}

static void proc_add_rate(struct proc_row *r, const struct sock_entry *e, int holder)
{
	if (!e->has_rate)
		return;
	r->has_rate = 1;
	if (holder) {
		r->tx_rate += e->tx_rate;
		r->rx_rate += e->rx_rate;
	}
}

/* Whether owner k's service already counted this socket: an earlier owner
 * has the same one. */
static int proc_service_seen(const struct sock_owner *o, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (strcmp(o[j].service, o[k].service) == 0)
			return 1;
	return 0;
}

/* Service rows: each socket once per service among its owners. */
static int proc_count_services(struct view *v, const struct sock_entry *e)
{
	for (size_t k = 0; k < e->nowners; k++) {
		if (proc_service_seen(e->owners, k))
			continue;
		struct proc_row *r = procs_get(&v->build, 0, 0, e->owners[k].service);
		if (!r)
			return -1;
		proc_count(r, &e->owners[k], e->rec.state);
		proc_add_rate(r, e, 1);
	}
	return 0;
}

static int proc_count_table(struct view *v)
{
	size_t n = v->table ? sock_table_count(v->table) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct sock_entry *e = sock_table_at(v->table, i);
		if (!e->nowners || !passes(v, &e->rec, e->owners, e->nowners, 0))
			continue;
		if (v->build.by_service) {
			if (proc_count_services(v, e) < 0)
				return -1;
			continue;
		}
		for (size_t k = 0; k < e->nowners; k++) {
			const struct sock_owner *o = &e->owners[k];
			struct proc_row *r = procs_get(&v->build, o->pid, o->starttime, NULL);
			if (!r)
				return -1;
			proc_count(r, o, e->rec.state);
			proc_add_rate(r, e, proc_rate_holder(e->owners, k));
		}
	}
	return 0;
}

/* Processes are seeded in their shown order, so ties keep it; processes
 * left without sockets are then dropped. */
static int proc_rebuild(struct view *v)
{
	struct procs *b = &v->build;
	procs_reset(b);
	b->by_service = v->proc_by_service;
	for (size_t k = 0; k < PROC(v).n; k++) {
		const struct proc_row *old = &v->procs.v[PROC(v).rows[k]];
		if (!procs_get(b, old->pid, old->starttime, b->by_service ? old->service : NULL))
			return -1;
	}
	if (proc_count_table(v) < 0 || list_reserve(&PROC(v), b->n) < 0)
		return -1;
	size_t n = 0;
	for (size_t k = 0; k < b->n; k++)
		if (b->v[k].total) {
			b->v[n] = b->v[k];
			b->v[n++].cmdlines = v->cmdlines;
		}
	b->n = n;
	for (size_t k = 0; k < n; k++)
		PROC(v).rows[k] = (uint32_t)k;
	PROC(v).n = n;
	struct procs t = v->procs;
	v->procs = *b;
	*b = t;          /* its index is stale; procs_reset clears it next time */
	PROC(v).rows_dirty = 0;
	PROC(v).order_dirty = 1;
	return 0;
}

static int proc_cmp(const struct view *v, uint32_t a, uint32_t b)
{
	return columns_compare(PROC(v).col, &v->procs.v[a], &v->procs.v[b], PROC(v).desc);
}

static void proc_remember_sel(struct view *v)
{
	v->proc_has_sel = PROC(v).n > 0;
	if (v->proc_has_sel) {
		const struct proc_row *r = &v->procs.v[PROC(v).rows[PROC(v).sel]];
		v->proc_sel_pid = r->pid;
		v->proc_sel_start = r->starttime;
	}
}

static size_t proc_find_sel(const struct view *v)
{
	for (size_t i = 0; v->proc_has_sel && i < PROC(v).n; i++) {
		const struct proc_row *r = &v->procs.v[PROC(v).rows[i]];
		if (r->pid == v->proc_sel_pid && r->starttime == v->proc_sel_start)
			return i;
	}
	return VIEW_NONE;
}

static int proc_settle(struct view *v)
{
	list_settle(&PROC(v), proc_find_sel(v));
	proc_remember_sel(v);
	return 0;
}

static void proc_row(const struct view *v, uint32_t ref, struct pane_row *out)
{
	out->cells = out->proc = &v->procs.v[ref];
}

/* ---- Events: the ring and its rows ---- */

static size_t ring_count(const struct view *v)
{
	return v->next_seq < VIEW_EVENTS_MAX ? (size_t)v->next_seq : VIEW_EVENTS_MAX;
}

/* Copies e over the oldest event once the ring is full. */
static int ring_push(struct view *v, const struct sock_event *e)
{
	struct sock_owner *o = sock_owners_dup(e->owners, e->nowners);
	if (e->nowners && !o)
		return -1;
	struct logged *l = &v->ring[v->next_seq % VIEW_EVENTS_MAX];
	free(l->ev.owners);
	l->ev = *e;
	l->ev.owners = o;
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
	if (list_reserve(&EVENTS(v), count) < 0)
		return -1;
	for (size_t k = 0; k < count; k++) {
		uint32_t slot = (uint32_t)((v->next_seq - 1 - k) % VIEW_EVENTS_MAX);
		const struct sock_event *e = &v->ring[slot].ev;
		if (passes(v, &e->rec, e->owners, e->nowners, 1))
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
	list_settle(&EVENTS(v), v->ev_follow && EVENTS(v).n ? 0 : events_find_sel(v));
	events_remember_sel(v);
	return 0;
}

static void events_row(const struct view *v, uint32_t ref, struct pane_row *out)
{
	const struct sock_event *e = &v->ring[ref].ev;
	out->cells = e;
	out->sock = (struct column_row){ .rec = &e->rec, .owners = e->owners,
	                                 .nowners = e->nowners, .now = v->now,
	                                 .cmdlines = v->cmdlines };
	out->hl = e->type == SOCK_EV_NEW ? VIEW_HL_NEW
	        : e->type == SOCK_EV_STATE ? VIEW_HL_CHANGED : VIEW_HL_GONE;
}

/* ---- the row sources, one per pane ---- */

struct row_source {
	int (*rebuild)(struct view *v);      /* which rows, in their own order */
	row_cmp cmp;                         /* by the pane's sort column */
	int (*settle)(struct view *v);       /* sorted: the selection finds its item */
	void (*moved)(struct view *v);       /* the selection moved: remember its item */
	void (*row)(const struct view *v, uint32_t ref, struct pane_row *out);
	int sort_rebuilds;                   /* a new sort starts from the own order */
};

static const struct row_source row_sources[PANE_COUNT] = {
	[PANE_CONNECTIONS] = { conn_rebuild, conn_cmp, conn_settle, conn_moved, conn_row, 0 },
	[PANE_PROCESSES] = { proc_rebuild, proc_cmp, proc_settle, proc_remember_sel, proc_row, 0 },
	/* From the newest-first order, so ties keep it whatever came before. */
	[PANE_EVENTS] = { events_rebuild, events_cmp, events_settle, events_remember_sel,
	                  events_row, 1 },
};

static int pane_refresh(struct view *v, enum pane_id p)
{
	struct list *l = &v->pane[p];
	const struct row_source *src = &row_sources[p];
	if (l->rows_dirty && src->rebuild(v) < 0)
		return list_fail(l);
	if (!l->order_dirty)
		return 0;
	if (l->col) {
		sort_rows(l->rows, l->tmp, l->n, src->cmp, v);
		l->sorts++;
	}
	l->order_dirty = 0;
	return src->settle(v) < 0 ? list_fail(l) : 0;
}

/* ---- the view ---- */

struct view *view_new(void)
{
	struct view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->ring = calloc(VIEW_EVENTS_MAX, sizeof(*v->ring));
	if (!v->ring) {
		view_free(v);
		return NULL;
	}
	v->linger = VIEW_LINGER_DEFAULT;
	return v;
}

void view_free(struct view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->ngone; i++)
		free(v->gone[i].owners);
	for (size_t i = 0; v->ring && i < ring_count(v); i++)
		free(v->ring[i].ev.owners);
	free(v->ring);
	free(v->gone);
	free(v->prev);
	free(v->vis);
	free(v->gmap);
	procs_free(&v->procs);
	procs_free(&v->build);
	for (int p = 0; p < PANE_COUNT; p++)
		list_free(&v->pane[p]);
	free(v);
}

void view_set_linger(struct view *v, double seconds)
{
	v->linger = seconds;
}

void view_set_cmdlines(struct view *v, const struct column_cmdlines *src)
{
	v->cmdlines = src;
}

void view_set_filter(struct view *v, const struct filter *f)
{
	v->filter = f;
	for (int p = 0; p < PANE_COUNT; p++)
		v->pane[p].rows_dirty = 1;
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

int view_poll(struct view *v, const struct sock_table *t,
              const struct sock_events *ev, double now)
{
	int rc = 0;
	int same = conn_unchanged_by(v, t, ev);
	if (!v->polled)
		v->baseline = now;
	v->polled = 1;
	v->stale = !same;
	v->table = t;
	v->now = now;
	CONN(v).rows_dirty = !same;
	PROC(v).rows_dirty = 1;
	for (size_t i = 0; ev && i < ev->n; i++) {
		if (ring_push(v, &ev->v[i]) < 0)
			rc = -1;
		if (ev->v[i].type == SOCK_EV_GONE && gone_push(v, &ev->v[i]) < 0)
			rc = -1;
	}
	if (ev && ev->n)
		EVENTS(v).rows_dirty = 1;
	return rc;
}

int view_events_log(struct view *v, const struct sock_event *e)
{
	if (ring_push(v, e) < 0)
		return -1;
	EVENTS(v).rows_dirty = 1;
	return 0;
}

int view_refresh(struct view *v, double now)
{
	int rc = 0;
	v->now = now;
	if (gone_expire(v))
		CONN(v).rows_dirty = 1;
	for (int p = 0; p < PANE_COUNT; p++)
		if (pane_refresh(v, (enum pane_id)p) < 0)
			rc = -1;
	return rc;
}

const struct view_counts *view_counts(const struct view *v)
{
	return &v->counts;
}

unsigned view_seen(const struct view *v)
{
	return (v->counts.netns_other ? COLUMN_SEEN_NETNS : 0u) |
	       (v->counts.with_service ? COLUMN_SEEN_SERVICE : 0u) |
	       (v->proc_by_service ? COLUMN_SEEN_BY_SERVICE : 0u);
}

/* ---- any pane ---- */

void view_set_sort(struct view *v, enum pane_id p, const struct column *col, int desc)
{
	struct list *l = &v->pane[p];
	desc = !!desc;
	if (col == l->col && desc == l->desc)
		return;
	l->col = col;
	l->desc = desc;
	if (row_sources[p].sort_rebuilds)
		l->rows_dirty = 1;
	else
		l->order_dirty = 1;
}

const struct column *view_sort(const struct view *v, enum pane_id p, int *desc)
{
	if (desc)
		*desc = v->pane[p].desc;
	return v->pane[p].col;
}

size_t view_count(const struct view *v, enum pane_id p)
{
	/* Between a poll and its refresh the Connections rows name sockets
	 * the table may have moved. */
	return p == PANE_CONNECTIONS && v->stale ? 0 : v->pane[p].n;
}

int view_row(const struct view *v, enum pane_id p, size_t i, struct pane_row *out)
{
	if (i >= view_count(v, p))
		return -1;
	memset(out, 0, sizeof(*out));
	row_sources[p].row(v, v->pane[p].rows[i], out);
	return 0;
}

void view_set_height(struct view *v, enum pane_id p, size_t rows)
{
	list_set_height(&v->pane[p], rows);
}

void view_move(struct view *v, enum pane_id p, enum view_move m)
{
	list_move(&v->pane[p], m);
	row_sources[p].moved(v);
}

size_t view_selected(const struct view *v, enum pane_id p)
{
	return list_selected(&v->pane[p]);
}

size_t view_top(const struct view *v, enum pane_id p)
{
	return v->pane[p].top;
}

unsigned long view_sorts(const struct view *v, enum pane_id p)
{
	return v->pane[p].sorts;
}

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

/* ---- Processes ---- */

void view_proc_group_by_service(struct view *v, int on)
{
	on = on != 0;
	if (on == v->proc_by_service)
		return;
	v->proc_by_service = on;
	PROC(v).n = 0;             /* no process row seeds a service list, or back */
	PROC(v).sel = PROC(v).top = 0;
	v->proc_has_sel = 0;
	if (PROC(v).col && !columns_in_group(PROC(v).col, view_seen(v)))
		PROC(v).col = NULL;
	PROC(v).rows_dirty = 1;
}

int view_proc_by_service(const struct view *v)
{
	return v->proc_by_service;
}

/* ---- Events ---- */

size_t view_events_logged(const struct view *v)
{
	return ring_count(v);
}
