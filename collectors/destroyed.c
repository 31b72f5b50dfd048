/* destroyed.c — the kernel's announcements of destroyed sockets merged into
 * a poll: final records for GONE events and for connections going on as
 * timewait sockets, brief events for sockets no poll saw, and the memory
 * that keeps a socket from being reported twice. */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "destroyed.h"
#include "room.h"

/* How long, and how many, GONE sockets wait for their announcement. A
 * socket leaves the dumps when unhashed and is announced when freed: at
 * once, usually, but a process may hold a reset connection's descriptor
 * for minutes. Past either bound a late announcement shows as brief. */
#define DESTROYED_MEMORY_TTL 600.0
#define DESTROYED_MEMORY_MAX 65536

/* ---- the list ---- */

void destroyed_list_init(struct destroyed_list *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void destroyed_list_clear(struct destroyed_list *l)
{
	int shrunk = 0;

	/* What was just cleared is what a poll like this one needs. */
	l->v = room_fit(l->v, &l->cap, l->n, sizeof(*l->v), 0, &shrunk);
	l->n = 0;
}

void destroyed_list_carry(struct destroyed_list *l)
{
	size_t keep = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct destroyed_sock d = l->v[i];
		if (!d.deferred)
			continue;
		d.deferred = d.used = 0;
		d.carried = 1;
		l->v[keep++] = d;
	}
	if (keep == 0) {
		destroyed_list_clear(l);
		return;
	}
	l->n = keep;
}

void destroyed_list_free(struct destroyed_list *l)
{
	free(l->v);
	destroyed_list_init(l);
}

int destroyed_list_add(struct destroyed_list *l, const struct sock_rec *recs, size_t n,
                       double time)
{
	if (l->n + n > l->cap) {
		size_t cap = l->cap ? l->cap : 64;
		while (cap < l->n + n)
			cap *= 2;
		struct destroyed_sock *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		struct destroyed_sock *d = &l->v[l->n++];
		memset(d, 0, sizeof(*d));
		d->rec = recs[i];
		d->time = time;
	}
	return 0;
}

/* A record that may stand for an announced full socket. Timewait (in
 * TIME_WAIT or FIN_WAIT2) and NEW_SYN_RECV minisockets carry the cookie of
 * the socket they came from (or go to) but are never announced themselves. */
static int destroyed_matchable(const struct sock_rec *r)
{
	return r->cookie != 0 && !r->timewait && r->state != SOCK_ST_TIME_WAIT &&
	       r->state != SOCK_ST_NEW_SYN_RECV;
}

/* A timewait socket whose full socket's announcement may be in the list. */
static int destroyed_is_remnant(const struct sock_rec *r)
{
	return r->cookie != 0 && r->proto == IPPROTO_TCP &&
	       (r->timewait || r->state == SOCK_ST_TIME_WAIT);
}

/* ---- finding an announcement by cookie ---- */

struct destroyed_index {
	const struct destroyed_list *l;
	size_t *pos;                /* positions in l, by cookie */
};

static int destroyed_cmp_pos(const void *a, const void *b, void *arg)
{
	const struct destroyed_list *l = arg;
	uint64_t x = l->v[*(const size_t *)a].rec.cookie;
	uint64_t y = l->v[*(const size_t *)b].rec.cookie;
	return x < y ? -1 : x > y;
}

static int destroyed_index_build(struct destroyed_index *ix, const struct destroyed_list *l)
{
	ix->l = l;
	ix->pos = malloc((l->n ? l->n : 1) * sizeof(*ix->pos));
	if (!ix->pos)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		ix->pos[i] = i;
	qsort_r(ix->pos, l->n, sizeof(*ix->pos), destroyed_cmp_pos, (void *)l);
	return 0;
}

/* The announcement of the socket r stands for, or NULL. Cookies are unique
 * for the kernel's lifetime; the protocol check only guards against a
 * record from elsewhere. */
static struct destroyed_sock *destroyed_find_cookie(const struct destroyed_index *ix,
                                                    const struct sock_rec *r)
{
	size_t lo = 0, hi = ix->l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct destroyed_sock *d = &ix->l->v[ix->pos[mid]];
		if (d->rec.cookie == r->cookie)
			return d->rec.proto == r->proto && d->rec.family == r->family ? d : NULL;
		if (d->rec.cookie < r->cookie)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct destroyed_sock *destroyed_find(const struct destroyed_index *ix,
                                             const struct sock_rec *r)
{
	return destroyed_matchable(r) ? destroyed_find_cookie(ix, r) : NULL;
}

/* A TCP connection: its announced full socket may live on as a timewait
 * socket, which only the next dump can show. */
static int destroyed_may_go_on(const struct destroyed_sock *d, const struct sock_rec *r)
{
	return !d->carried && r->proto == IPPROTO_TCP && r->rport != 0 &&
	       r->state != SOCK_ST_LISTEN;
}

void destroyed_prune_snapshot(struct destroyed_list *l, struct sock_list *snap,
                              const struct sock_table *t)
{
	struct destroyed_index ix;
	size_t keep = 0;

	if (l->n == 0 || destroyed_index_build(&ix, l) < 0)
		return; /* unpruned, the socket shows as NEW, then GONE: late, not lost */
	for (size_t i = 0; i < snap->n; i++) {
		struct destroyed_sock *d = destroyed_find(&ix, &snap->v[i]);
		if (d && !d->has_snap) {
			d->snap = snap->v[i];
			d->has_snap = 1;
			d->deferred = t && destroyed_may_go_on(d, &snap->v[i]);
			/* A life the table holds stays as it was until then; one
			 * it does not starts then, or not at all. */
			if (!d->deferred || !sock_table_find(t, &snap->v[i]))
				continue;
		}
		snap->v[keep++] = snap->v[i];
	}
	snap->n = keep;
	free(ix.pos);
}

/* ---- memory of sockets reported GONE before their announcement ---- */

struct destroyed_memo {
	uint64_t cookie;
	double expires;             /* < 0: taken */
};

struct destroyed_memory {
	struct destroyed_memo *v;
	size_t n, cap;
};

struct destroyed_memory *destroyed_memory_new(void)
{
	return calloc(1, sizeof(struct destroyed_memory));
}

void destroyed_memory_free(struct destroyed_memory *m)
{
	if (!m)
		return;
	free(m->v);
	free(m);
}

static int destroyed_memory_add(struct destroyed_memory *m, uint64_t cookie, double expires)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct destroyed_memo *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].cookie = cookie;
	m->v[m->n].expires = expires;
	m->n++;
	return 0;
}

static int destroyed_memo_by_expiry(const void *a, const void *b)
{
	double x = ((const struct destroyed_memo *)a)->expires;
	double y = ((const struct destroyed_memo *)b)->expires;
	return x < y ? 1 : x > y ? -1 : 0; /* newest first */
}

static int destroyed_memo_by_cookie(const void *a, const void *b)
{
	uint64_t x = ((const struct destroyed_memo *)a)->cookie;
	uint64_t y = ((const struct destroyed_memo *)b)->cookie;
	return x < y ? -1 : x > y;
}

/* Drops what expired or was taken, keeps the newest DESTROYED_MEMORY_MAX,
 * and sorts by cookie for destroyed_memory_take. */
static void destroyed_memory_tidy(struct destroyed_memory *m, double now)
{
	size_t keep = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].expires > now)
			m->v[keep++] = m->v[i];
	m->n = keep;
	if (m->n > DESTROYED_MEMORY_MAX) {
		qsort(m->v, m->n, sizeof(*m->v), destroyed_memo_by_expiry);
		m->n = DESTROYED_MEMORY_MAX;
	}
	if (m->n)   /* qsort must not get a NULL array, even empty */
		qsort(m->v, m->n, sizeof(*m->v), destroyed_memo_by_cookie);
}

/* 1, forgetting it, when cookie was reported GONE already. */
static int destroyed_memory_take(struct destroyed_memory *m, uint64_t cookie)
{
	struct destroyed_memo key = { .cookie = cookie };
	if (!m->n)       /* bsearch must not get a NULL array, even empty */
		return 0;
	struct destroyed_memo *hit = bsearch(&key, m->v, m->n, sizeof(*m->v),
	                                     destroyed_memo_by_cookie);
	if (!hit || hit->expires < 0)
		return 0;
	hit->expires = -1; /* the order by cookie stays intact */
	return 1;
}

/* ---- events ---- */

/* The kernel's last word on a socket the table knew: its identity (inode,
 * uid, owners) and its state stay as the table had them. A destroyed TCP
 * socket is always in CLOSE, which says less than the state it was last
 * seen in (a GONE listener stays LISTEN); its counters are what is new. */
static void destroyed_finalize(struct sock_event *e, const struct destroyed_sock *d)
{
	e->rec.recvq = d->rec.recvq;
	e->rec.sendq = d->rec.sendq;
	if (d->rec.has_tcpinfo) {
		e->rec.tcp = d->rec.tcp;
		e->rec.has_tcpinfo = 1;
	}
	e->time = d->time;
	e->final = 1;
}

static int destroyed_emit_brief(struct sock_events *ev, const struct destroyed_sock *d,
                                const struct procmap *pm)
{
	struct sock_event *x = sock_events_push(ev);
	const struct sock_owner *o = NULL;
	size_t n;

	if (!x)
		return -1;
	x->type = SOCK_EV_GONE;
	x->time = d->time;
	x->rec = d->rec;
	x->final = x->brief = 1;
	if (d->has_snap) {
		x->rec.inode = d->snap.inode;
		x->rec.uid = d->snap.uid;
	} else {
		x->uid_unknown = 1;
	}
	n = pm && x->rec.inode ? procmap_lookup(pm, x->rec.inode, &o) : 0;
	if (n && (x->owners = malloc(n * sizeof(*o))) != NULL) {
		memcpy(x->owners, o, n * sizeof(*o));
		x->nowners = n;
	}
	return 0;
}

/* Gives this poll's GONE events their announcements; remembers the rest. */
static int destroyed_match_gone(const struct destroyed_index *ix, struct destroyed_memory *m,
                                double now, struct sock_events *ev, size_t from)
{
	int rc = 0;

	for (size_t i = from; i < ev->n; i++) {
		struct sock_event *e = &ev->v[i];
		struct destroyed_sock *d;

		if (e->type != SOCK_EV_GONE || !destroyed_matchable(&e->rec))
			continue;
		d = destroyed_find(ix, &e->rec);
		if (d && !d->used) {
			destroyed_finalize(e, d);
			d->used = 1;
		} else if (!d && destroyed_memory_add(m, e->rec.cookie, now + DESTROYED_MEMORY_TTL) < 0) {
			rc = -1;
		}
	}
	return rc;
}

/* A connection's full socket gave way to its timewait socket: the event
 * that shows the timewait socket (STATE, or NEW when no poll saw the full
 * one: brief) and the table's entry get the full socket's last counters.
 * A brief NEW's uid is not known unless the snapshot caught the full
 * socket; its former owners are not known at all. */
static void destroyed_finalize_remnant(struct sock_event *e, const struct destroyed_sock *d,
                                       struct sock_table *t)
{
	int brief = e->type == SOCK_EV_NEW;

	if (d->rec.has_tcpinfo) {
		e->rec.tcp = d->rec.tcp;
		e->rec.has_tcpinfo = 1;
	}
	e->time = d->time;
	e->final = 1;
	e->brief = (uint8_t)brief;
	if (brief && d->has_snap) {
		e->rec.uid = d->snap.uid;
		e->uid_unknown = 0;
	} else if (brief) {
		e->uid_unknown = 1;
	}
	if (t)
		sock_table_take_notice(t, &d->rec, brief);
}

/* ---- finding an announcement by tuple ---- */

/* A timewait socket has its full socket's cookie only if the kernel had
 * made one before the timewait socket was (a dump or a hook asked for
 * it): one no dump saw has a cookie of its own. Its connection's tuple
 * still names it: the kernel holds one socket per tuple at a time. */
struct destroyed_tuple {
	uint64_t hash;
	size_t pos;
};

struct destroyed_tuples {
	struct destroyed_tuple *v;
	size_t n;
	int built;
};

static uint64_t destroyed_tuple_hash(const struct sock_rec *r)
{
	uint8_t key[2 + 4 + 32 + 8];
	uint64_t h = 0xcbf29ce484222325ULL;

	key[0] = r->proto;
	key[1] = r->family;
	memcpy(key + 2, &r->lport, 2);
	memcpy(key + 4, &r->rport, 2);
	memcpy(key + 6, r->laddr, 16);
	memcpy(key + 22, r->raddr, 16);
	memcpy(key + 38, &r->netns, 8);
	for (size_t i = 0; i < sizeof(key); i++)
		h = (h ^ key[i]) * 0x100000001b3ULL;
	return h;
}

static int destroyed_cmp_tuple(const void *a, const void *b)
{
	uint64_t x = ((const struct destroyed_tuple *)a)->hash;
	uint64_t y = ((const struct destroyed_tuple *)b)->hash;
	return x < y ? -1 : x > y;
}

/* The unused announcement of a TCP connection with r's tuple, or NULL
 * (also when out of memory: the event then goes without). */
static struct destroyed_sock *destroyed_find_tuple(struct destroyed_tuples *tu,
                                                   const struct destroyed_list *l,
                                                   const struct sock_rec *r)
{
	uint64_t h = destroyed_tuple_hash(r);
	size_t lo = 0, hi;

	if (!tu->built) {
		tu->built = 1;
		tu->v = malloc((l->n ? l->n : 1) * sizeof(*tu->v));
		for (size_t i = 0; tu->v && i < l->n; i++)
			if (l->v[i].rec.proto == IPPROTO_TCP && l->v[i].rec.rport != 0)
				tu->v[tu->n++] = (struct destroyed_tuple){ destroyed_tuple_hash(&l->v[i].rec), i };
		if (tu->n)
			qsort(tu->v, tu->n, sizeof(*tu->v), destroyed_cmp_tuple);
	}
	for (hi = tu->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (tu->v[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < tu->n && tu->v[lo].hash == h; lo++) {
		struct destroyed_sock *d = &l->v[tu->v[lo].pos];
		if (!d->used && sock_same_connection(&d->rec, r))
			return d;
	}
	return NULL;
}

/* Gives this poll's events into a timewait socket their full socket's
 * announcement: by cookie, else by tuple. */
static void destroyed_match_remnants(const struct destroyed_index *ix, struct sock_table *t,
                                     struct sock_events *ev, size_t from)
{
	struct destroyed_tuples tu = { NULL, 0, 0 };

	for (size_t i = from; i < ev->n; i++) {
		struct sock_event *e = &ev->v[i];
		struct destroyed_sock *d;

		if ((e->type != SOCK_EV_NEW && e->type != SOCK_EV_STATE) ||
		    !destroyed_is_remnant(&e->rec))
			continue;
		d = destroyed_find_cookie(ix, &e->rec);
		if (!d || d->used || d->rec.proto != IPPROTO_TCP)
			d = destroyed_find_tuple(&tu, ix->l, &e->rec);
		if (!d)
			continue;
		destroyed_finalize_remnant(e, d, t);
		d->used = 1;
	}
	free(tu.v);
}

static int destroyed_cmp_time(const void *a, const void *b, void *arg)
{
	const struct sock_event *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (v[x].time != v[y].time)
		return v[x].time < v[y].time ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Orders ev->v[from..] by time, keeping the order of equal times. */
static int destroyed_sort_events(struct sock_events *ev, size_t from)
{
	size_t n = ev->n - from;
	if (n < 2)       /* in order already; and ev->v may still be NULL */
		return 0;
	size_t *pos = malloc(n * sizeof(*pos));
	struct sock_event *tmp = malloc(n * sizeof(*tmp));

	if (!pos || !tmp) {
		free(pos);
		free(tmp);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		pos[i] = i;
	qsort_r(pos, n, sizeof(*pos), destroyed_cmp_time, ev->v + from);
	for (size_t i = 0; i < n; i++)
		tmp[i] = ev->v[from + pos[i]];
	memcpy(ev->v + from, tmp, n * sizeof(*tmp));
	free(pos);
	free(tmp);
	return 0;
}

/* ---- the connecting end of an aborted connection ---- */

static int destroyed_addr_unset(const struct sock_rec *r, const uint8_t *a)
{
	static const uint8_t zero[16];
	return memcmp(a, zero, r->family == AF_INET ? 4 : 16) == 0;
}

/* The shape the kernel leaves a TCP socket in once it is disconnected
 * (an RST sent or received, tcp_disconnect): local address and remote
 * port cleared, local port and remote address kept. Announced so, such
 * an end would read 0.0.0.0:PORT -> 127.0.0.1:0. */
static int destroyed_cleared(const struct sock_rec *r)
{
	return r->proto == IPPROTO_TCP && r->lport != 0 && r->rport == 0 &&
	       destroyed_addr_unset(r, r->laddr) && !destroyed_addr_unset(r, r->raddr);
}

/* p is the other end of the connection cleared d was: p's remote is d's
 * local port, at the address d still names as its remote. */
static int destroyed_peer_of(const struct sock_rec *d, const struct sock_rec *p)
{
	return p != d && p->proto == d->proto && p->family == d->family &&
	       p->netns == d->netns && p->rport == d->lport && p->lport != 0 &&
	       memcmp(p->laddr, d->raddr, sizeof(p->laddr)) == 0 &&
	       !destroyed_addr_unset(p, p->raddr);
}

/* Where both ends of an aborted connection were announced (they are both
 * on this machine, in one namespace), the peer's announcement names the
 * cleared end's address and the port it was connected to: the cleared
 * end gets them back, so it is reported as the connection it was. Only a
 * single candidate peer counts. */
static void destroyed_restore_cleared(struct destroyed_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct sock_rec *d = &l->v[i].rec;
		const struct sock_rec *peer = NULL;
		int found = 0;

		if (l->v[i].used || !destroyed_cleared(d))
			continue;
		for (size_t j = 0; j < l->n && found < 2; j++)
			if (destroyed_peer_of(d, &l->v[j].rec)) {
				peer = &l->v[j].rec;
				found++;
			}
		if (found != 1)
			continue;
		memcpy(d->laddr, peer->raddr, sizeof(d->laddr));
		d->rport = peer->lport;
	}
}

int destroyed_merge(struct destroyed_list *l, struct destroyed_memory *m,
                    const struct procmap *pm, struct sock_table *t, double now,
                    struct sock_events *ev, size_t from)
{
	struct destroyed_index ix;
	int rc;

	if (destroyed_index_build(&ix, l) < 0)
		return -1;
	rc = destroyed_match_gone(&ix, m, now, ev, from);
	destroyed_match_remnants(&ix, t, ev, from);
	free(ix.pos);
	destroyed_memory_tidy(m, now);
	destroyed_restore_cleared(l);
	for (size_t i = 0; i < l->n; i++) {
		const struct destroyed_sock *d = &l->v[i];
		if (d->used || d->deferred || destroyed_memory_take(m, d->rec.cookie))
			continue;
		/* Its timewait socket came in an earlier poll. */
		if (t && sock_table_take_notice(t, &d->rec, 0))
			continue;
		/* Heard once this poll's dump had begun: a connection opened
		 * and closed meanwhile may have left a timewait socket only the
		 * next dump shows. */
		if (t && d->time >= now && destroyed_may_go_on(d, &d->rec)) {
			l->v[i].deferred = 1;
			continue;
		}
		if (destroyed_emit_brief(ev, d, pm) < 0)
			rc = -1;
	}
	if (destroyed_sort_events(ev, from) < 0)
		rc = -1;
	return rc;
}
