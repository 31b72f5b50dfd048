/* trends.c — the machine's series, a sample a poll (see trends.h). Bytes
 * and retransmissions come from tcp_info: the rate columns' deltas for the
 * sockets still there, and for those whose close notice brought their last
 * counters, those counters less the last the previous poll saw, which a
 * hash by connection keeps for one poll. */
#include "config.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "trends.h"

#define PSLOTS (TRENDS_PROCS_MAX * 2)

struct trends_conn {
	uint64_t key;                 /* 0: empty */
	uint64_t acked, received;
	uint32_t retrans;
};

/* The sums of one poll, before they become samples. */
struct trends_poll_sums {
	double tx, rx;                /* bytes a second, from the rates */
	double tx_bytes, rx_bytes;    /* bytes, from the close notices */
	double retrans, opened, closed;
	double state[SOCK_ST_MAX];
};

static const char *const names[TRENDS_N] = {
	[TRENDS_TX] = "TX", [TRENDS_RX] = "RX", [TRENDS_NEW] = "new/s",
	[TRENDS_CLOSED] = "closed/s", [TRENDS_RETRANS] = "retrans/s",
};

const char *trends_name(enum trends_series s)
{
	return names[s];
}

struct trends *trends_new(double interval)
{
	struct trends *tr = calloc(1, sizeof(*tr));
	if (!tr)
		return NULL;
	tr->interval = interval > 0 ? interval : 1;
	tr->pslot = calloc(PSLOTS, sizeof(*tr->pslot));
	tr->procs = calloc(TRENDS_PROCS_MAX, sizeof(*tr->procs));
	if (!tr->pslot || !tr->procs) {
		trends_free(tr);
		return NULL;
	}
	for (int i = 0; i < TRENDS_N; i++)
		series_init(&tr->machine[i]);
	for (int i = 0; i < SOCK_ST_MAX; i++)
		series_init(&tr->state[i]);
	return tr;
}

void trends_free(struct trends *tr)
{
	if (!tr)
		return;
	for (size_t i = 0; i < tr->nprocs; i++)
		free(tr->procs[i]);
	free(tr->procs);
	free(tr->pslot);
	free(tr->conn);
	free(tr->next);
	free(tr);
}

uint64_t trends_span(const struct trends *tr, double seconds)
{
	return (uint64_t)ceil(seconds / tr->interval);
}

size_t trends_memory(const struct trends *tr)
{
	return sizeof(*tr) + TRENDS_PROCS_MAX * sizeof(*tr->procs) + PSLOTS * sizeof(*tr->pslot) +
	       tr->nprocs * sizeof(struct trends_proc) +
	       (tr->conncap + tr->nextcap) * sizeof(struct trends_conn);
}

/* ---- processes ---- */

static size_t proc_slot(const struct trends *tr, int pid, unsigned long long start)
{
	size_t i = hash_mix64((uint64_t)(unsigned)pid ^ hash_mix64(start)) & (PSLOTS - 1);
	for (; tr->pslot[i]; i = (i + 1) & (PSLOTS - 1)) {
		const struct trends_proc *p = tr->procs[tr->pslot[i] - 1];
		if (p->pid == pid && p->starttime == start)
			break;
	}
	return i;
}

const struct trends_proc *trends_proc(const struct trends *tr, int pid,
                                      unsigned long long starttime)
{
	uint32_t k = tr->pslot[proc_slot(tr, pid, starttime)];
	return k ? tr->procs[k - 1] : NULL;
}

/* The process of owner o, added when new and there is room; NULL else. */
static struct trends_proc *proc_get(struct trends *tr, const struct sock_owner *o, double now)
{
	size_t s = proc_slot(tr, o->pid, o->starttime);
	struct trends_proc *p;
	if (tr->pslot[s]) {
		p = tr->procs[tr->pslot[s] - 1];
	} else {
		if (tr->nprocs >= TRENDS_PROCS_MAX || !(p = malloc(sizeof(*p))))
			return NULL;
		memset(p, 0, offsetof(struct trends_proc, s));
		series_init(&p->s);
		p->pid = o->pid;
		p->starttime = o->starttime;
		tr->procs[tr->nprocs++] = p;
		tr->pslot[s] = (uint32_t)tr->nprocs;
	}
	if (p->seen != now) {    /* a name changes with exec: the newest */
		memcpy(p->comm, o->comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = '\0';
		p->seen = now;
	}
	return p;
}

/* Processes not seen for a whole window have nothing left to draw. */
static void procs_expire(struct trends *tr, double now)
{
	size_t n = 0;
	for (size_t i = 0; i < tr->nprocs; i++) {
		if (now - tr->procs[i]->seen > TRENDS_WINDOW)
			free(tr->procs[i]);
		else
			tr->procs[n++] = tr->procs[i];
	}
	if (n == tr->nprocs)
		return;
	tr->nprocs = n;
	memset(tr->pslot, 0, PSLOTS * sizeof(*tr->pslot));
	for (size_t i = 0; i < n; i++)
		tr->pslot[proc_slot(tr, tr->procs[i]->pid, tr->procs[i]->starttime)] = (uint32_t)(i + 1);
}

/* Whether owner k gets the socket's bytes: the first of its process group
 * among the owners, as the Processes pane counts them. */
static int rate_holder(const struct sock_owner *o, size_t k)
{
	for (size_t j = 0; o[k].pgid > 0 && j < k; j++)
		if (o[j].pgid == o[k].pgid)
			return 0;
	return 1;
}

static void procs_add(struct trends *tr, const struct sock_owner *o, size_t n,
                      double bytes, double now)
{
	for (size_t k = 0; k < n; k++) {
		struct trends_proc *p = proc_get(tr, &o[k], now);
		if (p && rate_holder(o, k))
			p->bytes += bytes;
	}
}

/* ---- connections' last counters ---- */

static uint64_t conn_key(const struct sock_rec *r)
{
	uint64_t h = hash_mix64(r->netns ^ ((uint64_t)r->lport << 16 | r->rport) ^
	                        (uint64_t)r->family << 40);
	for (int i = 0; i < 16; i += 8) {
		uint64_t a, b;
		memcpy(&a, r->laddr + i, 8);
		memcpy(&b, r->raddr + i, 8);
		h = hash_mix64(h ^ a) ^ hash_mix64(b + i);
	}
	if (!r->rport)
		h = hash_mix64(h ^ r->inode);   /* listeners may share a tuple */
	return h ? h : 1;
}

static struct trends_conn *conn_find(struct trends_conn *v, size_t cap, uint64_t key)
{
	if (!cap)
		return NULL;
	size_t i = key & (cap - 1);
	for (; v[i].key; i = (i + 1) & (cap - 1))
		if (v[i].key == key)
			return &v[i];
	return &v[i];
}

static const struct trends_conn *conn_last(const struct trends *tr, uint64_t key)
{
	struct trends_conn *c = conn_find(tr->conn, tr->conncap, key);
	return c && c->key ? c : NULL;
}

/* Room in next for n connections at most 3/4 full, emptied. */
static int conn_prepare(struct trends *tr, size_t n)
{
	size_t cap = 64;
	while (cap * 3 < n * 4)
		cap *= 2;
	if (cap != tr->nextcap) {
		struct trends_conn *v = calloc(cap, sizeof(*v));
		if (!v)
			return -1;
		free(tr->next);
		tr->next = v;
		tr->nextcap = cap;
	} else {
		memset(tr->next, 0, cap * sizeof(*tr->next));
	}
	return 0;
}

static void conn_keep(struct trends *tr, const struct sock_rec *r, uint64_t key)
{
	struct trends_conn *c = conn_find(tr->next, tr->nextcap, key);
	if (!c)
		return;
	*c = (struct trends_conn){ key, r->tcp.bytes_acked, r->tcp.bytes_received,
	                           r->tcp.total_retrans };
}

static void conn_swap(struct trends *tr)
{
	struct trends_conn *v = tr->conn;
	size_t cap = tr->conncap;
	tr->conn = tr->next;
	tr->conncap = tr->nextcap;
	tr->next = v;
	tr->nextcap = cap;
}

/* ---- one poll ---- */

static int passes(const struct filter *f, const struct sock_rec *rec,
                  const struct sock_owner *o, size_t n,
                  const struct sock_owner *was, size_t nwas)
{
	if (!f)
		return 1;
	struct filter_subject s = { rec, o, n, rec->netns_name, NULL };
	return filter_match_was(f, &s, was, nwas);
}

static int live_tcp(const struct sock_rec *r)
{
	return r->proto == IPPROTO_TCP && r->has_tcpinfo && !r->timewait;
}

void trends_watch(struct trends *tr, const struct sock_rec *rec)
{
	uint64_t key = rec && rec->proto == IPPROTO_TCP ? conn_key(rec) : 0;
	if (key == tr->watch.key)
		return;
	tr->watch.key = key;
	series_init(&tr->watch.rate);
	series_init(&tr->watch.rtt);
}

static void watch_entry(struct trends *tr, const struct sock_entry *e, uint64_t key)
{
	struct trends_watch *w = &tr->watch;
	if (w->seen || key != w->key)
		return;
	w->seen = 1;
	series_push(&w->rate, e->has_rate ? (float)(e->tx_rate + e->rx_rate) : NAN);
	series_push(&w->rtt, (float)(e->rec.tcp.rtt_us / 1000.0));
}

static void watch_end(struct trends *tr)
{
	if (tr->watch.key && !tr->watch.seen) {
		series_push(&tr->watch.rate, NAN);
		series_push(&tr->watch.rtt, NAN);
	}
	tr->watch.seen = 0;
}

static void count_entry(struct trends *tr, struct trends_poll_sums *sum,
                        const struct sock_entry *e, double now)
{
	const struct sock_rec *r = &e->rec;
	double bytes = 0;
	if (r->proto == IPPROTO_TCP && r->state < SOCK_ST_MAX)
		sum->state[r->state]++;
	if (e->has_rate) {
		sum->tx += e->tx_rate;
		sum->rx += e->rx_rate;
		bytes = e->tx_rate + e->rx_rate;
	}
	procs_add(tr, e->owners, e->nowners, bytes, now);
	if (!live_tcp(r))
		return;
	uint64_t key = conn_key(r);
	if (tr->watch.key)
		watch_entry(tr, e, key);
	const struct trends_conn *c = conn_last(tr, key);
	if (c && r->tcp.total_retrans >= c->retrans)
		sum->retrans += r->tcp.total_retrans - c->retrans;
	conn_keep(tr, r, key);
}

/* A close notice's last counters less the last poll's (none for a life no
 * poll saw whole); 0 when the last poll's are unknown. */
static double final_bytes(const struct trends *tr, const struct sock_event *e,
                          double *tx, double *rx, double *retrans)
{
	struct trends_conn zero = { 0, 0, 0, 0 };
	const struct trends_conn *c = e->brief ? &zero : conn_last(tr, conn_key(&e->rec));
	const struct sock_tcpinfo *t = &e->rec.tcp;
	if (!c || t->bytes_acked < c->acked || t->bytes_received < c->received)
		return 0;
	*tx += (double)(t->bytes_acked - c->acked);
	*rx += (double)(t->bytes_received - c->received);
	if (t->total_retrans >= c->retrans)
		*retrans += t->total_retrans - c->retrans;
	return (double)(t->bytes_acked - c->acked + t->bytes_received - c->received);
}

static void count_event(struct trends *tr, struct trends_poll_sums *sum,
                        const struct sock_event *e, double now, double dt)
{
	const struct sock_rec *r = &e->rec;
	if (r->proto != IPPROTO_TCP || r->state == SOCK_ST_LISTEN)
		return;
	if (e->type == SOCK_EV_NEW)
		sum->opened++;
	else if (e->type == SOCK_EV_GONE) {
		sum->closed++;
		sum->opened += e->brief;    /* its only event: it opened too */
	}
	if (e->final && r->has_tcpinfo && e->type != SOCK_EV_CLOSED) {
		double b = final_bytes(tr, e, &sum->tx_bytes, &sum->rx_bytes, &sum->retrans);
		const struct sock_owner *o;
		int former;
		size_t n = sock_owners_shown(e->owners, e->nowners, e->owners_was, e->nowners_was,
		                             &o, &former);
		procs_add(tr, o, n, b / dt, now);
	}
}

/* A sample, and the window's sum kept as it goes: plus the new one, minus
 * the one leaving (past the fine ring a coarse mean stands for it, so the
 * sum is done again in full once a ring's turn). */
static void proc_push(struct trends_proc *p, float v, uint64_t span)
{
	series_push(&p->s, v);
	if (p->s.n % SERIES_FINE == 0) {
		p->window = series_sum(&p->s, span, NULL);
		return;
	}
	float gone = series_at(&p->s, span);
	p->window += (v == v ? v : 0) - (gone == gone ? gone : 0);
	if (p->window < 0)
		p->window = 0;
}

/* Samples missed while polling was paused become gaps. */
static void push_gaps(struct trends *tr, double now)
{
	double missed = tr->last > 0 ? floor((now - tr->last) / tr->interval + 0.5) - 1 : 0;
	uint64_t n = missed > 0 ? (uint64_t)missed : 0;
	uint64_t most = SERIES_FINE + (uint64_t)SERIES_COARSE * SERIES_PER_COARSE;
	for (uint64_t k = 0; k < n && k < most; k++) {
		for (int i = 0; i < TRENDS_N; i++)
			series_push(&tr->machine[i], NAN);
		for (int i = 0; i < SOCK_ST_MAX; i++)
			series_push(&tr->state[i], NAN);
		for (size_t i = 0; i < tr->nprocs; i++)
			proc_push(tr->procs[i], NAN, trends_span(tr, TRENDS_WINDOW));
	}
}

static void push_sums(struct trends *tr, const struct trends_poll_sums *s, double dt,
                      int rates)
{
	float v[TRENDS_N] = {
		[TRENDS_TX] = (float)(s->tx + s->tx_bytes / dt),
		[TRENDS_RX] = (float)(s->rx + s->rx_bytes / dt),
		[TRENDS_NEW] = (float)(s->opened / dt),
		[TRENDS_CLOSED] = (float)(s->closed / dt),
		[TRENDS_RETRANS] = (float)(s->retrans / dt),
	};
	for (int i = 0; i < TRENDS_N; i++)
		series_push(&tr->machine[i], rates ? v[i] : NAN);
	for (int i = 0; i < SOCK_ST_MAX; i++)
		series_push(&tr->state[i], (float)s->state[i]);
	for (size_t i = 0; i < tr->nprocs; i++) {
		struct trends_proc *p = tr->procs[i];
		proc_push(p, rates ? (float)p->bytes : NAN, trends_span(tr, TRENDS_WINDOW));
		p->bytes = 0;
	}
}

int trends_poll(struct trends *tr, const struct sock_table *t,
                const struct sock_events *ev, const struct filter *f, double now)
{
	struct trends_poll_sums sum;
	size_t n = sock_table_count(t);
	double dt = tr->last > 0 && now > tr->last ? now - tr->last : tr->interval;
	int rc = conn_prepare(tr, n);
	memset(&sum, 0, sizeof(sum));
	push_gaps(tr, now);
	procs_expire(tr, now);
	for (size_t i = 0; ev && i < ev->n; i++) {
		const struct sock_event *e = &ev->v[i];
		if (passes(f, &e->rec, e->owners, e->nowners, e->owners_was, e->nowners_was))
			count_event(tr, &sum, e, now, dt);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sock_entry *e = sock_table_at(t, i);
		if (passes(f, &e->rec, e->owners, e->nowners, e->owners_was, e->nowners_was))
			count_entry(tr, &sum, e, now);
	}
	push_sums(tr, &sum, dt, ev != NULL && tr->last > 0);
	watch_end(tr);
	if (rc == 0)
		conn_swap(tr);
	tr->last = now;
	return rc;
}

/* ---- a past moment's window ---- */

static int clip_procs(struct trends *dst, const struct trends *src, uint64_t age,
                      uint64_t span, double moment)
{
	struct trends_proc **v = calloc(TRENDS_PROCS_MAX, sizeof(*v));
	size_t n = 0;
	if (!v)
		return -1;
	for (size_t i = 0; i < src->nprocs; i++) {
		const struct trends_proc *p = src->procs[i];
		struct trends_proc *c = malloc(sizeof(*c));
		if (!c) {
			while (n)
				free(v[--n]);
			free(v);
			return -1;
		}
		memcpy(c, p, offsetof(struct trends_proc, s));
		series_clip(&c->s, &p->s, age, span);
		c->bytes = 0;
		c->window = series_sum(&c->s, span, NULL);
		if (c->seen > moment)
			c->seen = moment;
		v[n++] = c;
	}
	for (size_t i = 0; i < dst->nprocs; i++)
		free(dst->procs[i]);
	free(dst->procs);
	dst->procs = v;
	dst->nprocs = n;
	memset(dst->pslot, 0, PSLOTS * sizeof(*dst->pslot));
	for (size_t i = 0; i < n; i++)
		dst->pslot[proc_slot(dst, v[i]->pid, v[i]->starttime)] = (uint32_t)(i + 1);
	return 0;
}

int trends_clip(struct trends *dst, const struct trends *src, double moment, uint64_t span)
{
	uint64_t held = SERIES_FINE + (uint64_t)SERIES_COARSE * SERIES_PER_COARSE;
	double ago = floor((src->last - moment) / src->interval + 0.5);
	if (!(src->last > 0) || ago < 0 || ago >= (double)held ||
	    ago >= (double)src->machine[TRENDS_TX].n)
		return -1;
	uint64_t age = (uint64_t)ago;
	if (clip_procs(dst, src, age, span, moment) < 0)
		return -1;
	for (int i = 0; i < TRENDS_N; i++)
		series_clip(&dst->machine[i], &src->machine[i], age, span);
	for (int i = 0; i < SOCK_ST_MAX; i++)
		series_clip(&dst->state[i], &src->state[i], age, span);
	dst->watch.key = src->watch.key;
	dst->watch.seen = 0;
	series_clip(&dst->watch.rate, &src->watch.rate, age, span);
	series_clip(&dst->watch.rtt, &src->watch.rtt, age, span);
	return 0;
}
