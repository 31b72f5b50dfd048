/* view_proc.c — the Processes pane's rows: each process (or, grouped,
 * each service) holding sockets that pass the filter, or named as the
 * former owner of TIME_WAITs that do, with its counts per state, the
 * TIME_WAITs it left and its rates. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "room.h"
#include "view_source.h"

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

static void proc_name(struct proc_row *r, const struct sock_owner *o)
{
	r->uid = o->uid;
	memcpy(r->comm, o->comm, sizeof(r->comm));
	memcpy(r->user, o->user, sizeof(r->user));
	memcpy(r->service, o->service, sizeof(r->service));
	r->comm[sizeof(r->comm) - 1] = r->user[sizeof(r->user) - 1] = '\0';
	r->service[sizeof(r->service) - 1] = '\0';
}

/* Counts one socket for one of its owners; names come from the newest. */
static void proc_count(struct proc_row *r, const struct sock_owner *o, uint8_t state)
{
	if (!r->total)
		proc_name(r, o);
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

/* A TIME_WAIT counts for the process (or service) it names as its former
 * owner; a row that only this made takes that owner's names. */
static void proc_count_tw(struct proc_row *r, const struct sock_owner *o)
{
	if (!r->total && !r->tw)
		proc_name(r, o);
	r->tw++;
}

/* Service rows: each socket once per service among its owners. */
static int proc_count_services(struct view *v, const struct sock_entry *e)
{
	const struct sock_owner *o;
	int former;
	size_t n = sock_entry_owners(e, &o, &former);
	for (size_t k = 0; k < n; k++) {
		if (proc_service_seen(o, k))
			continue;
		struct proc_row *r = procs_get(&v->build, 0, 0, o[k].service);
		if (!r)
			return -1;
		if (former) {
			proc_count_tw(r, &o[k]);
			continue;
		}
		proc_count(r, &o[k], e->rec.state);
		proc_add_rate(r, e, 1);
	}
	return 0;
}

/* The TIME_WAITs each former owner left, once per owner. */
static int proc_count_left(struct view *v, const struct sock_entry *e)
{
	for (size_t k = 0; k < e->nowners_was; k++) {
		const struct sock_owner *o = &e->owners_was[k];
		struct proc_row *r = procs_get(&v->build, o->pid, o->starttime, NULL);
		if (!r)
			return -1;
		proc_count_tw(r, o);
	}
	return 0;
}

/* Whether e counts on this pane: held by a process, or a TIME_WAIT that
 * names who left it, and passing the filter. */
static int proc_counted(const struct view *v, const struct sock_entry *e)
{
	if (!e->nowners && !(e->nowners_was && e->rec.state == SOCK_ST_TIME_WAIT))
		return 0;
	return view_passes(v, &e->rec, e->owners, e->nowners, e->owners_was, e->nowners_was, 0);
}

static int proc_count_table(struct view *v)
{
	size_t n = v->table ? sock_table_count(v->table) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct sock_entry *e = sock_table_at(v->table, i);
		if (!proc_counted(v, e))
			continue;
		if (v->build.by_service) {
			if (proc_count_services(v, e) < 0)
				return -1;
			continue;
		}
		if (!e->nowners) {
			if (proc_count_left(v, e) < 0)
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

/* TREND: the process's last minute, as the Trends pane keeps it. */
static void proc_trend(const struct view *v, struct proc_row *r)
{
	const struct trends_proc *p = r->pid ? trends_proc(v->trends, r->pid, r->starttime) : NULL;
	r->trend = p ? &p->s : NULL;
	r->trend_span = trends_span(v->trends, 60);
	r->trend_ascii = v->graph_ascii;
}

/* Processes are seeded in their shown order, so ties keep it; processes
 * left without sockets or TIME_WAITs they left are then dropped. */
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
	if (proc_count_table(v) < 0 || view_list_reserve(&PROC(v), b->n) < 0)
		return -1;
	size_t n = 0;
	for (size_t k = 0; k < b->n; k++)
		if (b->v[k].total || b->v[k].tw) {
			b->v[n] = b->v[k];
			b->v[n].cmdlines = v->cmdlines;
			proc_trend(v, &b->v[n++]);
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
	view_list_settle(&PROC(v), proc_find_sel(v));
	proc_remember_sel(v);
	return 0;
}

static void proc_row(const struct view *v, uint32_t ref, struct pane_row *out)
{
	out->cells = out->proc = &v->procs.v[ref];
}

static int proc_poll(struct view *v, const struct sock_table *t, const struct sock_events *ev)
{
	(void)t;
	(void)ev;
	PROC(v).rows_dirty = 1;     /* counts and rates move every poll */
	return 0;
}

static void proc_free(struct view *v)
{
	procs_free(&v->procs);
	procs_free(&v->build);
}

const struct row_source view_proc_source = {
	.free = proc_free, .poll = proc_poll, .rebuild = proc_rebuild, .cmp = proc_cmp,
	.settle = proc_settle, .moved = proc_remember_sel, .row = proc_row,
};

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
