/* record.c — the flight recorder (record.h). On the polling thread a
 * differ compares each life in the table with what it last handed on
 * (state by events, counters by signature, owners by their procs rows) and
 * makes one batch of rows a poll; a writer thread commits each batch in one
 * transaction (recdb.c). At most one batch waits: a poll that finds one
 * waiting folds into it (recbatch.c), and a queue grown past its bound is
 * dropped whole and the next poll resynchronises from the table. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "columns.h"
#include "hash.h"
#include "note.h"
#include "recbatch.h"
#include "recdb.h"
#include "record.h"
#include "replay.h"
#include "room.h"

/* A sample when counters moved, at most this often per life (seconds). */
#define RECORD_SAMPLE_EVERY 5.0
/* A list of the lives alive, so a moment rebuilds from near it. */
#define RECORD_SNAP_FILE 600.0
#define RECORD_SNAP_MEM 60.0
/* Retention runs this often (recorded seconds). */
#define RECORD_TRIM_EVERY 60.0
#define RECORD_QUEUE_MAX (64u << 20)

/* What the differ last handed on for one life. */
struct life_slot {
	uint64_t life;              /* the table's number; 0: a free slot */
	int64_t id;                 /* lives.id */
	double born;
	double sampled;             /* its last sample's time */
	uint64_t counters;          /* signature of that sample's queues and counters */
	uint64_t written;           /* signature of every value of that sample; 0: none */
	uint64_t owners;            /* signature of the owner set last written */
	uint64_t inode;
	uint32_t uid;
	uint32_t epoch;             /* handed whole in this epoch (0: never) */
	uint32_t gen_seen;          /* the last poll whose table held it */
	uint32_t gen_new;           /* the poll whose NEW event it had */
	uint32_t gen_sampled;       /* the poll an event sampled it */
};

/* The lives the table held at the last poll, kept from poll to poll: a
 * GONE takes its life out, so a steady poll costs one lookup a socket. */
struct life_map {
	struct life_slot *v;
	size_t cap, n;              /* cap: a power of two, or 0 */
};

struct proc_slot {
	int pid;                    /* 0: a free slot */
	unsigned long long starttime;
	uint32_t seen;              /* the poll it was last met */
	struct rec_proc *p;
};

struct proc_map {
	struct proc_slot *v;
	size_t cap, n;
};

/* Owner sets already resolved this poll, by the table's shared array. */
#define OWNER_CACHE 256
struct owner_cache {
	const struct sock_owner *a, *b;
	size_t na, nb;
	uint32_t gen;
	uint64_t sig;
};

struct recorder {
	struct rec_db *db;
	double snap_every;
	size_t queue_max;
	/* the differ's, on the polling thread */
	struct life_map lives;
	struct proc_map procs;
	struct owner_cache ocache[OWNER_CACHE];
	int64_t next_life, next_proc;
	uint32_t gen, epoch, prune_gen;
	double last_snap;
	const struct column_cmdlines *cmd;
	int nomem;
	/* shared, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int started, ready, quit, held, busy;
	int cleaning;               /* the writer has cut history to delete */
	struct rec_batch *pending;
	int resync, want_snap, behind;
	uint64_t dropped;
	uint64_t lost;              /* moments lost whole, for the next polls row */
	struct note note;
	char note_out[sizeof(((struct note *)0)->text)];
	int (*setup)(void *arg, char *err, size_t errlen);
	void *setup_arg;
	/* the writer's */
	double last_trim;
	uint64_t used_at_snap;      /* the database's size when the newest snapshot went in */
	double writer_cpu;          /* under lock: seconds of CPU spent writing */
};

/* ---- the life map: open addressing by life number ---- */

static size_t slot_home(const struct life_map *m, uint64_t life)
{
	return hash_mix64(life) & (m->cap - 1);
}

static size_t slot_of(const struct life_map *m, uint64_t life)
{
	size_t mask = m->cap - 1, s = slot_home(m, life);
	while (m->v[s].life && m->v[s].life != life)
		s = (s + 1) & mask;
	return s;
}

static struct life_slot *map_find(struct life_map *m, uint64_t life)
{
	if (!m->cap || !life)
		return NULL;
	struct life_slot *x = &m->v[slot_of(m, life)];
	return x->life ? x : NULL;
}

/* life's slot, a zeroed one when it had none (*added set then); the map
 * has room (map_room). */
static struct life_slot *map_get(struct life_map *m, uint64_t life, int *added)
{
	struct life_slot *x = &m->v[slot_of(m, life)];
	*added = !x->life;
	if (*added) {
		memset(x, 0, sizeof(*x));
		x->life = life;
		m->n++;
	}
	return x;
}

/* Takes out the slot at i, moving later slots of its run back so that
 * every life stays reachable from its home slot. */
static void map_del(struct life_map *m, size_t i)
{
	size_t mask = m->cap - 1, j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->v[j].life)
			break;
		size_t k = slot_home(m, m->v[j].life);
		/* j stays when its home lies cyclically in (i, j] */
		int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (!stays) {
			m->v[i] = m->v[j];
			i = j;
		}
	}
	m->v[i].life = 0;
	m->n--;
}

/* Room for want lives at most half full; a map left under an eighth full
 * (a load that came and went) shrinks back to a quarter. */
static int map_room(struct life_map *m, size_t want)
{
	size_t cap = m->cap ? m->cap : 64;
	if (want * 2 > cap) {
		while (want * 2 > cap)
			cap *= 2;
	} else if (cap > 64 && want * 8 < cap) {
		while (cap > 64 && want * 4 < cap)
			cap /= 2;
	}
	if (cap == m->cap)
		return 0;
	struct life_map n = { calloc(cap, sizeof(struct life_slot)), cap, 0 };
	if (!n.v)
		return cap <= m->cap ? 0 : -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].life) {
			n.v[slot_of(&n, m->v[i].life)] = m->v[i];
			n.n++;
		}
	free(m->v);
	*m = n;
	return 0;
}

/* ---- processes: one procs row per identity ---- */

static struct proc_slot *proc_slot(struct proc_map *m, int pid, unsigned long long st)
{
	size_t mask = m->cap - 1;
	size_t s = hash_mix64((uint64_t)pid * 0x9e3779b97f4a7c15ULL ^ st) & mask;
	while (m->v[s].pid && !(m->v[s].pid == pid && m->v[s].starttime == st))
		s = (s + 1) & mask;
	return &m->v[s];
}

/* Rebuilds the map with room to grow, keeping the processes met since
 * the poll keep_gen. */
static int proc_rehash(struct proc_map *m, size_t want, uint32_t keep_gen)
{
	size_t cap = 256;
	while (cap < want * 2)
		cap *= 2;
	struct proc_map n = { calloc(cap, sizeof(struct proc_slot)), cap, 0 };
	if (!n.v)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct proc_slot *x = &m->v[i];
		if (!x->pid)
			continue;
		if (x->seen < keep_gen) {
			rec_proc_unref(x->p);
			continue;
		}
		*proc_slot(&n, x->pid, x->starttime) = *x;
		n.n++;
	}
	free(m->v);
	*m = n;
	return 0;
}

static int same_proc(const struct rec_proc *p, const struct sock_owner *o)
{
	return p->pgid == o->pgid && p->uid == o->uid && strcmp(p->comm, o->comm) == 0 &&
	       strcmp(p->user, o->user) == 0 && strcmp(p->service, o->service) == 0;
}

static struct rec_proc *proc_new(struct recorder *r, const struct sock_owner *o)
{
	struct rec_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->refs = 1;
	p->id = ++r->next_proc;
	p->pid = o->pid;
	p->pgid = o->pgid;
	p->uid = o->uid;
	p->starttime = o->starttime;
	memcpy(p->comm, o->comm, sizeof(p->comm));
	memcpy(p->user, o->user, sizeof(p->user));
	memcpy(p->service, o->service, sizeof(p->service));
	p->comm[sizeof(p->comm) - 1] = p->user[sizeof(p->user) - 1] = '\0';
	p->service[sizeof(p->service) - 1] = '\0';
	const char *line = r->cmd ? r->cmd->get(r->cmd->ctx, o->pid, o->starttime) : NULL;
	if (line && !(p->cmdline = strdup(line))) {
		free(p);
		return NULL;
	}
	return p;
}

/* The procs row for o as it is now: a new one when the process is new or
 * changed its name, user or service. NULL when out of memory. */
static struct rec_proc *proc_get(struct recorder *r, const struct sock_owner *o)
{
	struct proc_map *m = &r->procs;
	if ((m->n + 1) * 2 > m->cap && proc_rehash(m, m->n + 1, 0) < 0)
		return NULL;
	struct proc_slot *x = proc_slot(m, o->pid, o->starttime);
	if (x->pid && (x->seen == r->gen || same_proc(x->p, o))) {
		x->seen = r->gen;
		return x->p;
	}
	struct rec_proc *p = proc_new(r, o);
	if (!p)
		return NULL;
	if (x->pid) {
		rec_proc_unref(x->p);
	} else {
		x->pid = o->pid;
		x->starttime = o->starttime;
		m->n++;
	}
	x->p = p;
	x->seen = r->gen;
	return p;
}

/* ---- rows ---- */

#define PUSH(b, arr, cnt, cap) \
	(room_reserve(&(b)->arr, &(b)->cap, (b)->cnt + 1, sizeof(*(b)->arr), 64) < 0 ? NULL : \
	 &(b)->arr[(b)->cnt++])

static uint64_t counters_sig(const struct sock_rec *rec, int has_rate, double tx, double rx)
{
	uint64_t h = hash_mix64(((uint64_t)rec->recvq << 32 | rec->sendq) + 1);
	if (rec->has_tcpinfo) {
		h = hash_mix64(h ^ rec->tcp.bytes_acked);
		h = hash_mix64(h ^ rec->tcp.bytes_received);
		h = hash_mix64(h ^ rec->tcp.bytes_sent);
		h = hash_mix64(h ^ ((uint64_t)rec->tcp.total_retrans << 32 | rec->tcp.retransmits));
		h = hash_mix64(h ^ rec->tcp.snd_cwnd);
	}
	/* a rate that fell to nothing is news even when no counter moved */
	return h ^ (uint64_t)(has_rate ? 1 : 0) ^ (uint64_t)(tx > 0) << 1 ^ (uint64_t)(rx > 0) << 2;
}

/* Every value a samples row holds, so an event whose sample would repeat
 * the life's last one writes none: the reader takes the newest at or
 * before a moment, which then has the same values. Never 0. */
static uint64_t sample_sig(const struct sock_rec *rec, int has_rate, double tx, double rx)
{
	uint64_t h = hash_mix64(rec->inode ^ (uint64_t)rec->uid << 32);
	h = hash_mix64(h ^ ((uint64_t)rec->recvq << 32 | rec->sendq));
	if (rec->has_tcpinfo) {
		const struct sock_tcpinfo *t = &rec->tcp;
		h = hash_mix64(h ^ ((uint64_t)t->rtt_us << 32 | t->rttvar_us) ^ 1);
		h = hash_mix64(h ^ ((uint64_t)t->retransmits << 32 | t->total_retrans));
		h = hash_mix64(h ^ t->snd_cwnd);
		h = hash_mix64(h ^ t->bytes_acked);
		h = hash_mix64(h ^ t->bytes_received);
		h = hash_mix64(h ^ t->bytes_sent);
	}
	if (has_rate) {
		uint64_t x, y;
		memcpy(&x, &tx, sizeof(x));
		memcpy(&y, &rx, sizeof(y));
		h = hash_mix64(h ^ x ^ 2);
		h = hash_mix64(h ^ y);
	}
	return h ? h : 1;
}

static int add_life(struct rec_batch *b, int64_t id,
                    const struct sock_rec *rec, double born, double ended, int brief)
{
	struct rec_life_row *l = PUSH(b, lives, nlives, caplives);
	if (!l)
		return -1;
	l->id = id;
	l->rec = *rec;
	l->rec.netns_name = NULL;
	l->netns_name = NULL;
	l->born = born;
	l->ended = ended;
	l->brief = (uint8_t)brief;
	if (rec->netns_name && !(l->netns_name = strdup(rec->netns_name))) {
		b->nlives--;
		return -1;
	}
	return 0;
}

static int add_event(struct rec_batch *b, int64_t id, enum rec_event_kind kind, double time,
                     const struct sock_rec *rec, const struct sock_event *ev)
{
	struct rec_event_row *e = PUSH(b, events, nevents, capevents);
	if (!e)
		return -1;
	memset(e, 0, sizeof(*e));
	e->life = id;
	e->time = time;
	e->kind = (uint8_t)kind;
	e->proto = rec->proto;
	e->state = rec->state;
	e->timewait = rec->timewait;
	if (ev) {
		e->from_state = ev->from_state;
		e->final = ev->final;
		e->brief = ev->brief;
		e->uid_unknown = ev->uid_unknown;
	}
	return 0;
}

static int add_sample(struct rec_batch *b, int64_t id, double time, const struct sock_rec *rec,
                      int has_rate, double tx, double rx)
{
	struct rec_sample_row *x = PUSH(b, samples, nsamples, capsamples);
	if (!x)
		return -1;
	x->life = id;
	x->time = time;
	x->inode = rec->inode;
	x->uid = rec->uid;
	x->recvq = rec->recvq;
	x->sendq = rec->sendq;
	x->has_tcpinfo = rec->has_tcpinfo;
	x->tcp = rec->tcp;
	x->has_rate = (uint8_t)!!has_rate;
	x->tx_rate = tx;
	x->rx_rate = rx;
	return 0;
}

static int add_owner(struct rec_batch *b, int64_t id, double since, struct rec_proc *p,
                     int former)
{
	struct rec_owner_row *o = PUSH(b, owners, nowners, capowners);
	if (!o)
		return -1;
	o->life = id;
	o->since = since;
	o->proc = rec_proc_ref(p);
	o->former = (uint8_t)former;
	return 0;
}

/* Rows for the set (owners, then former owners; one empty row for none);
 * with rows 0 only its signature. Returns the signature; *fail set when
 * out of memory. */
static uint64_t owner_set(struct recorder *r, struct rec_batch *b, int rows, int64_t id,
                          double since, const struct sock_owner *a, size_t na,
                          const struct sock_owner *w, size_t nw, int *fail)
{
	uint64_t h = 0x6f776e657273ULL;
	for (int former = 0; former < 2; former++) {
		const struct sock_owner *v = former ? w : a;
		size_t n = former ? nw : na;
		for (size_t i = 0; i < n; i++) {
			struct rec_proc *p = proc_get(r, &v[i]);
			if (!p || (rows && add_owner(b, id, since, p, former) < 0)) {
				*fail = 1;
				return 0;
			}
			h = hash_mix64(h ^ (uint64_t)p->id ^ (uint64_t)former << 63);
		}
		h = hash_mix64(h + 1);
	}
	if (rows && !na && !nw && add_owner(b, id, since, NULL, 0) < 0)
		*fail = 1;
	return h;
}

/* The signature of an entry's owner sets, once per shared array a poll. */
static uint64_t owners_sig(struct recorder *r, const struct sock_entry *e, int *fail)
{
	uint64_t k = hash_mix64((uintptr_t)e->owners ^ (uintptr_t)e->owners_was * 31);
	struct owner_cache *c = &r->ocache[k & (OWNER_CACHE - 1)];
	if (c->gen == r->gen && c->a == e->owners && c->na == e->nowners &&
	    c->b == e->owners_was && c->nb == e->nowners_was)
		return c->sig;
	uint64_t sig = owner_set(r, NULL, 0, 0, 0, e->owners, e->nowners, e->owners_was,
	                         e->nowners_was, fail);
	if (!*fail)
		*c = (struct owner_cache){ e->owners, e->owners_was, e->nowners, e->nowners_was,
		                           r->gen, sig };
	return sig;
}

/* ---- the differ ---- */

/* A life the table holds: its slot, a new id for one not met before. */
static struct life_slot *slot_now(struct recorder *r, uint64_t life)
{
	int added;
	if ((r->lives.n + 1) * 2 > r->lives.cap && map_room(&r->lives, r->lives.n + 1) < 0)
		return NULL;
	struct life_slot *c = map_get(&r->lives, life, &added);
	if (added)
		c->id = ++r->next_life;
	return c;
}

static int diff_gone(struct recorder *r, struct rec_batch *b, const struct sock_event *ev)
{
	struct life_slot *o = map_find(&r->lives, ev->life);
	int64_t id;
	int fail = 0, same = 0;
	if (!o) {
		/* a brief life, or one this recorder never met */
		id = ++r->next_life;
		if (add_life(b, id, &ev->rec, ev->time, -1, ev->brief || !ev->life) < 0)
			return -1;
		owner_set(r, b, 1, id, ev->time, ev->owners, ev->nowners, ev->owners_was,
		          ev->nowners_was, &fail);
	} else {
		id = o->id;
		int whole = o->epoch == r->epoch;
		double born = o->born;
		/* the last sample handed on in this epoch is in the file */
		same = whole && o->written ==
		       sample_sig(&ev->rec, ev->has_rate, ev->tx_rate, ev->rx_rate);
		map_del(&r->lives, (size_t)(o - r->lives.v));
		if (!whole && add_life(b, id, &ev->rec, born, -1, 0) < 0)
			return -1;
	}
	struct rec_end_row *end = PUSH(b, ends, nends, capends);
	if (fail || !end || add_event(b, id, REC_EV_GONE, ev->time, &ev->rec, ev) < 0 ||
	    (!same &&
	     add_sample(b, id, ev->time, &ev->rec, ev->has_rate, ev->tx_rate, ev->rx_rate) < 0))
		return -1;
	end->life = id;
	end->time = ev->time;
	return 0;
}

static int diff_event(struct recorder *r, struct rec_batch *b, const struct sock_event *ev)
{
	if (ev->type == SOCK_EV_GONE)
		return diff_gone(r, b, ev);
	if (ev->type != SOCK_EV_NEW && ev->type != SOCK_EV_STATE)
		return 0;   /* CLOSED is the screen's note, not the table's */
	struct life_slot *c = slot_now(r, ev->life);
	if (!c)
		return -1;
	if (ev->type == SOCK_EV_NEW)
		c->gen_new = r->gen;
	c->gen_sampled = r->gen;
	if (add_event(b, c->id, ev->type == SOCK_EV_NEW ? REC_EV_NEW : REC_EV_STATE, ev->time,
	              &ev->rec, ev) < 0)
		return -1;
	/* A slot of an older epoch may name a sample that was lost. */
	uint64_t sig = sample_sig(&ev->rec, ev->has_rate, ev->tx_rate, ev->rx_rate);
	if (c->epoch == r->epoch && c->written == sig)
		return 0;
	c->written = sig;
	c->sampled = ev->time;
	c->counters = counters_sig(&ev->rec, ev->has_rate, ev->tx_rate, ev->rx_rate);
	c->inode = ev->rec.inode;
	c->uid = ev->rec.uid;
	return add_sample(b, c->id, ev->time, &ev->rec, ev->has_rate, ev->tx_rate, ev->rx_rate);
}

static int diff_entry(struct recorder *r, struct rec_batch *b, const struct sock_entry *e,
                      double when, int64_t *id)
{
	struct life_slot *c = slot_now(r, e->life);
	if (!c)
		return -1;
	*id = c->id;
	int whole = c->epoch != r->epoch, fail = 0;
	c->gen_seen = r->gen;
	if (whole) {
		/* met for the first time, or again after rows were lost */
		c->born = e->first_seen;
		c->epoch = r->epoch;
		if (add_life(b, c->id, &e->rec, e->first_seen, -1, e->brief) < 0 ||
		    (c->gen_new != r->gen &&
		     add_event(b, c->id, REC_EV_SEEN, when, &e->rec, NULL) < 0))
			return -1;
	}
	uint64_t osig = owners_sig(r, e, &fail);
	if (fail)
		return -1;
	if (whole || osig != c->owners) {
		owner_set(r, b, 1, c->id, when, e->owners, e->nowners, e->owners_was,
		          e->nowners_was, &fail);
		if (fail)
			return -1;
		c->owners = osig;
	}
	if (c->gen_sampled == r->gen)
		return 0;
	uint64_t sig = counters_sig(&e->rec, e->has_rate, e->tx_rate, e->rx_rate);
	int now = whole || e->rec.inode != c->inode || e->rec.uid != c->uid;
	if (!now && (sig == c->counters || when - c->sampled < RECORD_SAMPLE_EVERY))
		return 0;
	c->sampled = when;
	c->counters = sig;
	c->inode = e->rec.inode;
	c->uid = e->rec.uid;
	c->written = sample_sig(&e->rec, e->has_rate, e->tx_rate, e->rx_rate);
	return add_sample(b, c->id, when, &e->rec, e->has_rate, e->tx_rate, e->rx_rate);
}

/* Lives the table dropped without a GONE (a caller that passed no
 * events) end now. */
static int diff_vanished(struct recorder *r, struct rec_batch *b, double when)
{
	for (size_t i = 0; i < r->lives.cap;) {
		struct life_slot *o = &r->lives.v[i];
		if (!o->life || o->gen_seen == r->gen) {
			i++;
			continue;
		}
		struct rec_end_row *end = PUSH(b, ends, nends, capends);
		if (!end)
			return -1;
		end->life = o->id;
		end->time = when;
		map_del(&r->lives, i);   /* a later slot may move into i: look again */
	}
	return 0;
}

static int diff_poll(struct recorder *r, struct rec_batch *b, const struct sock_table *t,
                     const struct sock_events *ev, double when, int snap)
{
	size_t n = sock_table_count(t);
	if (map_room(&r->lives, r->lives.n) < 0)
		return -1;
	for (size_t i = 0; ev && i < ev->n; i++)
		if (diff_event(r, b, &ev->v[i]) < 0)
			return -1;
	if (snap && room_reserve(&b->snap, &b->capsnap, n, sizeof(*b->snap), 64) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct sock_entry *e = sock_table_at(t, i);
		/* the map is bigger than the caches: ask for a slot ahead */
		if (i + 8 < n && r->lives.cap)
			__builtin_prefetch(&r->lives.v[slot_home(&r->lives, sock_table_at(t, i + 8)->life)]);
		int64_t id;
		if (diff_entry(r, b, e, when, &id) < 0)
			return -1;
		if (snap)
			b->snap[b->nsnap++] = id;
	}
	if (r->lives.n > n && diff_vanished(r, b, when) < 0)
		return -1;
	b->sockets = n;
	b->has_snap = snap;
	b->snap_time = when;
	return 0;
}

/* ---- the writer thread ---- */

static void writer_trim(struct recorder *r, double now, int full)
{
	char err[512];
	int want = 0;
	if (rec_db_trim(r->db, now, full, &want, err, sizeof(err)) < 0) {
		pthread_mutex_lock(&r->lock);
		note_add(&r->note, "%s", err);
		pthread_mutex_unlock(&r->lock);
	}
	r->last_trim = now;
	if (want) {
		pthread_mutex_lock(&r->lock);
		r->want_snap = 1;
		pthread_mutex_unlock(&r->lock);
	}
}

/* After a commit: the size decides. Retention cuts at snapshots, so once
 * the history since the newest one passes an eighth of the limit the
 * differ is asked for another; past the mark the oldest goes now rather than
 * at the next minute's trim. */
static void writer_watch_size(struct recorder *r, const struct rec_batch *b)
{
	uint64_t used = rec_db_used(r->db), limit = rec_db_limit(r->db);
	if (b->has_snap || used < r->used_at_snap)
		r->used_at_snap = used;
	if (used > rec_db_mark(r->db))
		writer_trim(r, b->time, 0);
	else if (used - r->used_at_snap > limit / 8) {
		pthread_mutex_lock(&r->lock);
		r->want_snap = 1;
		pthread_mutex_unlock(&r->lock);
	}
}

static void writer_write(struct recorder *r, struct rec_batch *b)
{
	char err[512];
	int full = 0;
	int rc = rec_db_write(r->db, b, &full, err, sizeof(err));
	if (rc < 0 && full) {
		/* make room now rather than lose the poll */
		writer_trim(r, b->time, 1);
		rc = rec_db_write(r->db, b, &full, err, sizeof(err));
	}
	if (rc < 0) {
		pthread_mutex_lock(&r->lock);
		note_add(&r->note, "%s%s", err, full ? " (the size limit: the oldest history "
		         "could not be cut yet)" : "");
		r->resync = 1;
		r->want_snap = 1;
		r->dropped++;
		r->lost += b->dropped + 1;
		pthread_mutex_unlock(&r->lock);
	}
	if (b->time - r->last_trim >= RECORD_TRIM_EVERY || b->time < r->last_trim)
		writer_trim(r, b->time, 0);
	else if (rc == 0)
		writer_watch_size(r, b);
}

/* A step of deleting cut history, between two polls' transactions. */
static int writer_clean(struct recorder *r)
{
	char err[512];
	if (rec_db_clean_step(r->db, err, sizeof(err)) == 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	note_add(&r->note, "%s", err);
	pthread_mutex_unlock(&r->lock);
	return -1;
}

static void *writer_main(void *arg)
{
	struct recorder *r = arg;
	char err[256] = "";
	int rc = r->setup ? r->setup(r->setup_arg, err, sizeof(err)) : 0;
	int clean_failed = 0;
	pthread_mutex_lock(&r->lock);
	if (rc < 0)
		note_add(&r->note, "the recording's writer is not narrowed: %s", err);
	r->ready = 1;
	pthread_cond_broadcast(&r->cond);
	for (;;) {
		/* Polls first; cut history is deleted a step at a time while
		 * none waits. A run that ends leaves the rest to the next. */
		r->cleaning = !clean_failed && rec_db_cleaning(r->db);
		pthread_cond_broadcast(&r->cond);
		while (!r->quit && (r->held || (!r->pending && !r->cleaning)))
			pthread_cond_wait(&r->cond, &r->lock);
		struct rec_batch *b = r->pending;
		if (!b && r->quit)
			break;
		r->pending = NULL;
		r->busy = 1;
		pthread_mutex_unlock(&r->lock);
		struct timespec c0, c1;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
		if (b) {
			writer_write(r, b);
			rec_batch_free(b);
			clean_failed = 0;
		} else {
			/* a step that failed waits for the next poll to try again */
			clean_failed = writer_clean(r) < 0;
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
		pthread_mutex_lock(&r->lock);
		r->writer_cpu += (double)(c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
		r->busy = 0;
		pthread_cond_broadcast(&r->cond);
	}
	r->cleaning = 0;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int recorder_start(struct recorder *r, char *err, size_t errlen)
{
	if (r->started)
		return 0;
	/* Signals are for the polling thread, whose waits they cut short. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&r->thread, NULL, writer_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the recording's writer: %s", strerror(rc));
		return -1;
	}
	r->started = 1;
	pthread_mutex_lock(&r->lock);
	while (!r->ready)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* ---- the recorder ---- */

struct recorder *recorder_open(const struct record_config *c, char *err, size_t errlen)
{
	struct recorder *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(r->db = rec_db_open(c, err, errlen))) {
		free(r);
		return NULL;
	}
	r->snap_every = c->path ? RECORD_SNAP_FILE : RECORD_SNAP_MEM;
	r->queue_max = c->queue_max ? c->queue_max : RECORD_QUEUE_MAX;
	r->next_life = rec_db_last_life(r->db);
	r->next_proc = rec_db_last_proc(r->db);
	r->epoch = 1;
	r->last_trim = -1e300;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	return r;
}

void recorder_close(struct recorder *r)
{
	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->quit = 1;
		r->held = 0;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	rec_batch_free(r->pending);
	for (size_t i = 0; i < r->procs.cap; i++)
		if (r->procs.v[i].pid)
			rec_proc_unref(r->procs.v[i].p);
	free(r->procs.v);
	free(r->lives.v);
	rec_db_close(r->db);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Hands b to the writer, or folds it into the batch still waiting. */
static void enqueue(struct recorder *r, struct rec_batch *b)
{
	pthread_mutex_lock(&r->lock);
	b->dropped += r->lost;
	r->lost = 0;
	if (!r->pending) {
		r->pending = b;
		r->behind = 0;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		return;
	}
	r->dropped++;
	if (!r->behind)
		note_add(&r->note, "the recording's disk is behind: polls are merged and their "
		         "samples dropped (%llu so far)", (unsigned long long)r->dropped);
	r->behind = 1;
	uint64_t moments = r->pending->dropped + 1 + b->dropped + 1;
	if (rec_batch_merge(r->pending, b) < 0 || rec_batch_bytes(r->pending) > r->queue_max) {
		/* Dropping what waits loses rows; the next poll writes the
		 * table whole and ends the lives it no longer holds. */
		r->lost += moments;
		r->dropped++;
		rec_batch_free(r->pending);
		r->pending = NULL;
		r->resync = 1;
		note_add(&r->note, "the recording's queue passed its bound and was dropped; "
		         "recording goes on from the next poll");
	}
	pthread_mutex_unlock(&r->lock);
}

int recorder_poll(struct recorder *r, const struct sock_table *t,
                  const struct sock_events *ev, const struct column_cmdlines *cmd,
                  double when)
{
	char err[256];
	if (!r->started && recorder_start(r, err, sizeof(err)) < 0) {
		pthread_mutex_lock(&r->lock);
		note_add(&r->note, "%s", err);
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	int resync = r->resync || r->nomem, want_snap = r->want_snap;
	r->resync = r->want_snap = 0;
	pthread_mutex_unlock(&r->lock);
	r->gen++;
	if (resync)
		r->epoch++;
	int snap = r->gen == 1 || resync || want_snap || when - r->last_snap >= r->snap_every ||
	           when < r->last_snap;
	struct rec_batch *b = rec_batch_new(when);
	r->cmd = cmd;
	if (!b || diff_poll(r, b, t, ev, when, snap) < 0) {
		rec_batch_free(b);
		/* what the map says was handed on was not: hand it all again */
		r->nomem = 1;
		return -1;
	}
	r->nomem = 0;
	b->resync = resync;
	if (snap) {
		r->last_snap = when;
		if (proc_rehash(&r->procs, r->procs.n, r->prune_gen) == 0)
			r->prune_gen = r->gen;
	}
	enqueue(r, b);
	return 0;
}

uint64_t recorder_dropped(const struct recorder *r)
{
	struct recorder *m = (struct recorder *)r;
	pthread_mutex_lock(&m->lock);
	uint64_t n = m->dropped;
	pthread_mutex_unlock(&m->lock);
	return n;
}

double recorder_writer_cpu(const struct recorder *r)
{
	struct recorder *m = (struct recorder *)r;
	pthread_mutex_lock(&m->lock);
	double s = m->writer_cpu;
	pthread_mutex_unlock(&m->lock);
	return s;
}

const char *recorder_take_note(struct recorder *r)
{
	pthread_mutex_lock(&r->lock);
	const char *n = note_take(&r->note);
	if (n)
		snprintf(r->note_out, sizeof(r->note_out), "%s", n);
	pthread_mutex_unlock(&r->lock);
	return n ? r->note_out : NULL;
}

void recorder_set_thread_setup(struct recorder *r, int (*setup)(void *arg, char *err, size_t errlen),
                               void *arg)
{
	r->setup = setup;
	r->setup_arg = arg;
}

void recorder_hold(struct recorder *r, int hold)
{
	pthread_mutex_lock(&r->lock);
	r->held = hold;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void recorder_flush(struct recorder *r)
{
	if (!r->started)
		return;
	pthread_mutex_lock(&r->lock);
	while ((!r->held && (r->pending || r->cleaning)) || r->busy)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

const char *recorder_name(const struct recorder *r)
{
	return rec_db_name(r->db);
}

struct history *recorder_history(struct recorder *r, char *err, size_t errlen)
{
	/* A reader sees committed polls only: what is queued shows up as
	 * the writer commits it. */
	return history_attach(rec_db_name(r->db), err, errlen);
}
