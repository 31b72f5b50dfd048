/* view.c — the model behind the panes (see view.h): each pane's rows come
 * from its row source (view_source.h); this file sorts them, keeps each
 * pane's selection and window, and answers for any pane alike. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "room.h"
#include "view_source.h"

static int owned_by(const struct sock_owner *o, size_t n, int pid,
                    unsigned long long start)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].pid == pid && o[i].starttime == start)
			return 1;
	return 0;
}

int view_passes(const struct view *v, const struct sock_rec *rec,
                const struct sock_owner *o, size_t n,
                const struct sock_owner *was, size_t nwas, int narrow)
{
	if (narrow && v->narrow_pid > 0 &&
	    !owned_by(n ? o : was, n ? n : nwas, v->narrow_pid, v->narrow_start))
		return 0;
	if (!v->filter)
		return 1;
	struct filter_subject s = { rec, o, n, rec->netns_name, NULL };
	return filter_match_was(v->filter, &s, was, nwas);
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

int view_list_reserve(struct list *l, size_t want)
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

void view_list_settle(struct list *l, size_t found)
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

/* ---- the row sources, one per pane ---- */

static const struct row_source *const row_sources[PANE_COUNT] = {
	[PANE_CONNECTIONS] = &view_conn_source,
	[PANE_PROCESSES] = &view_proc_source,
	[PANE_EVENTS] = &view_events_source,
	[PANE_TRENDS] = &view_trends_source,
};

static int pane_refresh(struct view *v, enum pane_id p)
{
	struct list *l = &v->pane[p];
	const struct row_source *src = row_sources[p];
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
	v->linger = VIEW_LINGER_DEFAULT;
	for (int p = 0; p < PANE_COUNT; p++)
		if (row_sources[p]->init && row_sources[p]->init(v) < 0) {
			view_free(v);
			return NULL;
		}
	return v;
}

void view_free(struct view *v)
{
	if (!v)
		return;
	for (int p = 0; p < PANE_COUNT; p++) {
		if (row_sources[p]->free)
			row_sources[p]->free(v);
		list_free(&v->pane[p]);
	}
	free(v);
}

void view_set_linger(struct view *v, double seconds)
{
	v->linger = seconds;
}

void view_follow(struct view *dst, const struct view *src)
{
	dst->linger = src->linger;
	dst->graph_ascii = dst->trends->ascii = src->graph_ascii;
	dst->trends->interval = src->trends->interval;
	view_set_filter(dst, src->filter);
	view_proc_group_by_service(dst, src->proc_by_service);
	view_conn_narrow(dst, src->narrow_pid, src->narrow_start);
	for (int p = 0; p < PANE_COUNT; p++) {
		struct list *d = &dst->pane[p];
		const struct list *s = &src->pane[p];
		view_set_sort(dst, (enum pane_id)p, s->col, s->desc);
		d->height = s->height;
		/* Where a selected item is not found, the place is kept. */
		d->sel = s->sel;
		d->top = s->top;
		d->rows_dirty = 1;
	}
	dst->conn_sel = src->conn_sel;
	dst->conn_has_sel = src->conn_has_sel;
	dst->proc_sel_pid = src->proc_sel_pid;
	dst->proc_sel_start = src->proc_sel_start;
	dst->proc_has_sel = src->proc_has_sel;
	dst->ev_follow = src->ev_follow || !src->ev_has_sel;
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

int view_poll(struct view *v, const struct sock_table *t,
              const struct sock_events *ev, double now)
{
	int rc = 0;
	if (!v->polled)
		v->baseline = now;
	v->polling_at = now;
	for (int p = 0; p < PANE_COUNT; p++)
		if (row_sources[p]->poll && row_sources[p]->poll(v, t, ev) < 0)
			rc = -1;
	v->polled = 1;
	v->table = t;
	v->now = now;
	return rc;
}

int view_refresh(struct view *v, double now)
{
	int rc = 0;
	v->now = now;
	for (int p = 0; p < PANE_COUNT; p++) {
		if (row_sources[p]->tick)
			row_sources[p]->tick(v);
		if (pane_refresh(v, (enum pane_id)p) < 0)
			rc = -1;
	}
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
	if (row_sources[p]->sort_rebuilds)
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
	row_sources[p]->row(v, v->pane[p].rows[i], out);
	return 0;
}

void view_set_height(struct view *v, enum pane_id p, size_t rows)
{
	list_set_height(&v->pane[p], rows);
}

void view_move(struct view *v, enum pane_id p, enum view_move m)
{
	list_move(&v->pane[p], m);
	row_sources[p]->moved(v);
}

void view_select(struct view *v, enum pane_id p, size_t i)
{
	struct list *l = &v->pane[p];
	if (i >= l->n)
		return;
	l->sel = i;
	list_scroll(l);
	row_sources[p]->moved(v);
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
