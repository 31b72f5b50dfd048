/* table.c — the live socket table and the snapshot diff. Entries live in one
 * dense array (cheap to walk and sort); an open-addressing index of entry
 * positions finds a socket by identity, a TCP connection by its tuple
 * alone (its life's entry, whatever inode it has now: see table.h).
 * Nothing is rebuilt per poll: each update touches the sockets in the
 * snapshot and sweeps out the unseen.
 * Owner lists are shared: every entry with the same owners points at one
 * counted copy, so 100,000 sockets of 8 processes hold 8 lists, not
 * 100,000. */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "procmap.h"
#include "room.h"
#include "table.h"

/* One owner list, shared by every entry that has exactly these owners. */
struct owner_set {
	struct owner_set *next;   /* same bucket */
	size_t refs, n;
	uint64_t hash;
	struct sock_owner o[];
};

struct sock_table {
	struct sock_entry *v;     /* dense entries */
	size_t n, cap;
	uint32_t *slots;          /* entry position + 1; 0 is empty */
	size_t nslots;            /* power of two, at least 2 * cap of use */
	uint32_t gen;
	struct owner_set **sets;  /* buckets by content hash */
	size_t nbuckets, nsets;
	/* The owner map and its version at the last update: while both stay
	 * the same, the owners of a socket already in the table cannot have
	 * changed, and are not looked up again. */
	const struct procmap *pm;
	unsigned long pm_version;
	size_t next;              /* the entry after the last one an update matched */
	uint64_t lives;           /* the last life number given */
};

static void set_put(struct sock_table *t, struct sock_owner *owners);

/* ---- events ---- */

void sock_events_init(struct sock_events *e)
{
	e->v = NULL;
	e->n = e->cap = 0;
}

void sock_events_clear(struct sock_events *e)
{
	int shrunk = 0;

	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].owners);
		free(e->v[i].owners_was);
	}
	/* The events just cleared are what a poll like this one needs. */
	e->v = room_fit(e->v, &e->cap, e->n, sizeof(*e->v), 0, &shrunk);
	e->n = 0;
}

void sock_events_free(struct sock_events *e)
{
	sock_events_clear(e);
	free(e->v);
	sock_events_init(e);
}

const char *sock_event_name(enum sock_event_type t)
{
	switch (t) {
	case SOCK_EV_NEW: return "new";
	case SOCK_EV_GONE: return "gone";
	case SOCK_EV_STATE: return "state";
	case SOCK_EV_CLOSED: return "closed";
	}
	return "?";
}

struct sock_event *sock_events_push(struct sock_events *e)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct sock_event *v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		e->v = v;
		e->cap = cap;
	}
	struct sock_event *ev = &e->v[e->n++];
	memset(ev, 0, sizeof(*ev));
	return ev;
}

/* ---- identity and hashing ---- */

static int same_tuple(const struct sock_rec *a, const struct sock_rec *b)
{
	return a->proto == b->proto && a->family == b->family &&
	       a->lport == b->lport && a->rport == b->rport && a->netns == b->netns &&
	       memcmp(a->laddr, b->laddr, sizeof(a->laddr)) == 0 &&
	       memcmp(a->raddr, b->raddr, sizeof(a->raddr)) == 0;
}

/* A TCP socket with a remote port: the kernel's established hash holds at
 * most one per tuple and namespace at a time (full, request or timewait
 * socket), so the tuple names the connection. Listeners and UDP sockets
 * may share a tuple (SO_REUSEPORT, unconnected UDP): only their inode
 * tells them apart. */
static int rec_is_connection(const struct sock_rec *r)
{
	return r->proto == IPPROTO_TCP && r->rport != 0;
}

int sock_same_identity(const struct sock_rec *a, const struct sock_rec *b)
{
	return same_tuple(a, b) && a->inode == b->inode;
}

int sock_same_connection(const struct sock_rec *a, const struct sock_rec *b)
{
	return rec_is_connection(a) && same_tuple(a, b);
}

static int cookies_differ(const struct sock_rec *a, const struct sock_rec *b)
{
	return a->cookie && b->cookie && a->cookie != b->cookie;
}

/* Where a TCP state stands in a connection's life: states only move on. */
static int state_rank(uint8_t st)
{
	switch (st) {
	case SOCK_ST_SYN_SENT:
	case SOCK_ST_SYN_RECV:
	case SOCK_ST_NEW_SYN_RECV: return 0;
	case SOCK_ST_ESTABLISHED:  return 1;
	case SOCK_ST_FIN_WAIT1:
	case SOCK_ST_CLOSE_WAIT:   return 2;
	case SOCK_ST_FIN_WAIT2:
	case SOCK_ST_CLOSING:
	case SOCK_ST_LAST_ACK:     return 3;
	default:                   return 4;   /* TIME_WAIT, CLOSE */
	}
}

/* 1 when now, a record of the same connection, may be what was became:
 * the kernel keeps the cookie when a process closes the socket (its inode
 * goes), when a timewait socket takes over and when a child is accepted;
 * a request socket's child has its own. Without cookies (/proc), an inode
 * may only go at a close. */
static int life_continues(const struct sock_rec *was, const struct sock_rec *now)
{
	if (state_rank(now->state) < state_rank(was->state) || (was->timewait && !now->timewait))
		return 0;      /* nothing goes back: the tuple was used again */
	if (!was->inode && (was->state == SOCK_ST_NEW_SYN_RECV || was->state == SOCK_ST_SYN_RECV))
		return 1;
	if (was->cookie && now->cookie)
		return was->cookie == now->cookie;
	if (was->inode && now->inode)
		return was->inode == now->inode;
	if (was->inode)
		return state_rank(now->state) >= 2;
	return 1;
}

/* 1 when rec is e's socket as it was: the same identity, and for a
 * connection the same life. */
static int entry_is(const struct sock_entry *e, const struct sock_rec *rec)
{
	if (!sock_same_identity(&e->rec, rec))
		return 0;
	return rec_is_connection(rec) ? life_continues(&e->rec, rec) : !cookies_differ(&e->rec, rec);
}

static uint64_t identity_hash(const struct sock_rec *r)
{
	uint64_t a[2], b[2];
	memcpy(a, r->laddr, sizeof(a));
	memcpy(b, r->raddr, sizeof(b));
	uint64_t h = (rec_is_connection(r) ? 0 : r->inode) ^ hash_mix64(r->netns);
	h = hash_mix64(h ^ ((uint64_t)r->lport << 32 | (uint64_t)r->rport << 16 |
	               (uint64_t)r->proto << 8 | r->family));
	h = hash_mix64(h ^ a[0]) + a[1];
	h = hash_mix64(h ^ b[0]) + b[1];
	return hash_mix64(h);
}

/* The first empty slot of rec's probe run: where an entry for it goes. */
static size_t slot_free(const struct sock_table *t, const struct sock_rec *rec)
{
	size_t mask = t->nslots - 1;
	size_t i = identity_hash(rec) & mask;
	while (t->slots[i])
		i = (i + 1) & mask;
	return i;
}

/* The slot holding entry e (by position: two entries may share an
 * identity for a moment, an old life and a new one). */
static size_t slot_of(const struct sock_table *t, size_t e)
{
	size_t mask = t->nslots - 1;
	size_t i = identity_hash(&t->v[e].rec) & mask;
	while (t->slots[i] != e + 1)
		i = (i + 1) & mask;
	return i;
}

static int index_rebuild(struct sock_table *t, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -1;
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	for (size_t e = 0; e < t->n; e++)
		t->slots[slot_free(t, &t->v[e].rec)] = (uint32_t)(e + 1);
	return 0;
}

/* Keeps the index at most half full, so probes stay short. */
static int index_reserve(struct sock_table *t, size_t entries)
{
	size_t want = t->nslots ? t->nslots : 1024;
	while (want < entries * 2)
		want *= 2;
	return want == t->nslots ? 0 : index_rebuild(t, want);
}

/* The index a table of n entries settles at: sock_table_update reserves
 * for the table and a snapshot of about its size, at most half full. */
static size_t index_settled(size_t n)
{
	size_t want = 1024;
	while (want < n * 4)
		want *= 2;
	return want;
}

/* Rebuilds the index at its settled size when it is twice that or more,
 * so the next update's index_reserve does not grow it straight back.
 * Returns 1 when it shrank. */
static int index_fit(struct sock_table *t)
{
	size_t want = index_settled(t->n);
	return t->nslots >= 2 * want && index_rebuild(t, want) == 0;
}

/* Removes slot i by shifting later members of its probe run back, so no
 * tombstones accumulate across polls. */
static void slot_delete(struct sock_table *t, size_t i)
{
	size_t mask = t->nslots - 1;
	size_t j = i;
	t->slots[i] = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (!t->slots[j])
			return;
		size_t home = identity_hash(&t->v[t->slots[j] - 1].rec) & mask;
		/* Move j into the hole unless its home lies cyclically in (i, j]. */
		int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			t->slots[i] = t->slots[j];
			t->slots[j] = 0;
			i = j;
		}
	}
}

/* ---- table ---- */

struct sock_table *sock_table_new(void)
{
	struct sock_table *t = calloc(1, sizeof(*t));
	if (t && index_reserve(t, 0) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

void sock_table_free(struct sock_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		set_put(t, t->v[i].owners);
		set_put(t, t->v[i].owners_was);
	}
	free(t->v);
	free(t->slots);
	free(t->sets);
	free(t);
}

int sock_table_fit(struct sock_table *t)
{
	int shrunk = 0;

	t->v = room_fit(t->v, &t->cap, t->n, sizeof(*t->v), 1, &shrunk);
	if (index_fit(t))
		shrunk = 1;
	return shrunk;
}

size_t sock_table_count(const struct sock_table *t)
{
	return t->n;
}

const struct sock_entry *sock_table_at(const struct sock_table *t, size_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

const struct sock_entry *sock_table_find(const struct sock_table *t,
                                         const struct sock_rec *rec)
{
	size_t mask = t->nslots - 1;
	const struct sock_entry *was = NULL;

	for (size_t i = identity_hash(rec) & mask; t->slots[i]; i = (i + 1) & mask) {
		const struct sock_entry *e = &t->v[t->slots[i] - 1];
		if (!same_tuple(&e->rec, rec) || cookies_differ(&e->rec, rec))
			continue;
		if (e->rec.inode == rec->inode)
			return e;
		if (rec_is_connection(rec) && ((rec->inode && rec->inode == e->inode_was) ||
		                               (rec->cookie && rec->cookie == e->rec.cookie)))
			was = e;
	}
	return was;
}

size_t sock_entry_owners(const struct sock_entry *e, const struct sock_owner **o,
                         int *former)
{
	return sock_owners_shown(e->owners, e->nowners, e->owners_was, e->nowners_was, o, former);
}

/* ---- shared owner lists ---- */

static uint64_t owners_hash(const struct sock_owner *o, size_t n)
{
	/* FNV-1a over the bytes: procmap zeroes every owner whole, padding
	 * included, so equal lists have equal bytes. */
	const unsigned char *b = (const unsigned char *)o;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n * sizeof(*o); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static struct owner_set *set_of(struct sock_owner *owners)
{
	return (struct owner_set *)((char *)owners - offsetof(struct owner_set, o));
}

/* Doubles the buckets once there are more sets than buckets. */
static int sets_grow(struct sock_table *t)
{
	size_t nb = t->nbuckets ? t->nbuckets * 2 : 64;
	struct owner_set **b = calloc(nb, sizeof(*b));
	if (!b)
		return -1;
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (struct owner_set *s = t->sets[i], *next; s; s = next) {
			next = s->next;
			s->next = b[s->hash & (nb - 1)];
			b[s->hash & (nb - 1)] = s;
		}
	}
	free(t->sets);
	t->sets = b;
	t->nbuckets = nb;
	return 0;
}

/* The shared list equal to o[0..n), one more reference to it; NULL when
 * out of memory. n > 0. */
static struct sock_owner *set_get(struct sock_table *t, const struct sock_owner *o, size_t n)
{
	uint64_t h = owners_hash(o, n);
	if (t->nsets >= t->nbuckets && sets_grow(t) < 0)
		return NULL;
	struct owner_set **head = &t->sets[h & (t->nbuckets - 1)];
	for (struct owner_set *s = *head; s; s = s->next) {
		if (s->hash == h && s->n == n && memcmp(s->o, o, n * sizeof(*o)) == 0) {
			s->refs++;
			return s->o;
		}
	}
	struct owner_set *s = malloc(sizeof(*s) + n * sizeof(*o));
	if (!s)
		return NULL;
	s->refs = 1;
	s->n = n;
	s->hash = h;
	memcpy(s->o, o, n * sizeof(*o));
	s->next = *head;
	*head = s;
	t->nsets++;
	return s->o;
}

static void set_put(struct sock_table *t, struct sock_owner *owners)
{
	if (!owners)
		return;
	struct owner_set *s = set_of(owners);
	if (--s->refs)
		return;
	struct owner_set **p = &t->sets[s->hash & (t->nbuckets - 1)];
	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	t->nsets--;
	free(s);
}

/* Points the entry at the shared list of pm's owners of its inode; nothing
 * changes when they are the same as last time. */
/* keep: e's inode is the one its owners were found by. A socket the dump
 * still showed with that inode was held by them then; when the owner map,
 * read just after the dump, no longer finds it, they closed it in between
 * (its next dump shows it orphaned or in TIME_WAIT) and stay its owners,
 * so that it can name them as its former ones. */
static int entry_set_owners(struct sock_table *t, struct sock_entry *e,
                            const struct procmap *pm, int keep)
{
	const struct sock_owner *o = NULL;
	size_t n = pm && e->rec.inode ? procmap_lookup(pm, e->rec.inode, &o) : 0;
	if (n == e->nowners && (n == 0 || memcmp(o, e->owners, n * sizeof(*o)) == 0))
		return 0;
	if (!n && keep)
		return 0;
	struct sock_owner *shared = NULL;
	if (n && !(shared = set_get(t, o, n)))
		return -1;
	set_put(t, e->owners);
	e->owners = shared;
	e->nowners = n;
	return 0;
}

static int emit(struct sock_events *ev, enum sock_event_type type, double now,
                const struct sock_entry *e, uint8_t from)
{
	if (!ev)
		return 0;
	struct sock_event *x = sock_events_push(ev);
	if (!x)
		return -1;
	x->type = type;
	x->time = now;
	x->from_state = from;
	x->rec = e->rec;
	x->life = e->life;
	x->owners = sock_owners_dup(e->owners, e->nowners);
	x->nowners = x->owners ? e->nowners : 0;
	x->owners_was = sock_owners_dup(e->owners_was, e->nowners_was);
	x->nowners_was = x->owners_was ? e->nowners_was : 0;
	x->tx_rate = e->tx_rate;
	x->rx_rate = e->rx_rate;
	x->has_rate = e->has_rate;
	/* A timewait socket's uid is the kernel's 0, not its owner's. */
	x->brief = x->uid_unknown = type == SOCK_EV_NEW && e->brief;
	return 0;
}

static struct sock_entry *entry_add(struct sock_table *t, size_t slot,
                                    const struct sock_rec *rec, double now)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct sock_entry *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	struct sock_entry *e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	e->rec = *rec;
	e->first_seen = e->state_since = e->seen_at = now;
	e->life = ++t->lives;
	t->slots[slot] = (uint32_t)++t->n;
	return e;
}

/* One counter's rate, or -1 when it went backwards. The kernel's counters
 * only grow for the life of a socket, so going back means something else
 * (a reused identity, a wrapped 32-bit source): better no rate than a
 * huge false one. */
static double counter_rate(uint64_t before, uint64_t after, double dt)
{
	return after < before ? -1 : (double)(after - before) / dt;
}

/* The entry's rate between its last poll and this one (rec, at now). */
static void entry_rate(struct sock_entry *e, const struct sock_rec *rec, double now)
{
	double dt = now - e->seen_at;
	e->has_rate = 0;
	e->tx_rate = e->rx_rate = 0;
	if (rec->proto != IPPROTO_TCP || !rec->has_tcpinfo || !e->rec.has_tcpinfo || !(dt > 0))
		return;
	double tx = counter_rate(e->rec.tcp.bytes_acked, rec->tcp.bytes_acked, dt);
	double rx = counter_rate(e->rec.tcp.bytes_received, rec->tcp.bytes_received, dt);
	if (tx < 0 || rx < 0)
		return;
	e->tx_rate = tx;
	e->rx_rate = rx;
	e->has_rate = 1;
}

/* rec's entry when it is the one after the last matched. The kernel dumps
 * in the same order each poll, the order entries were added in, so in a
 * steady poll this finds every entry: the table is read in order instead
 * of hashed into at random (a cache miss a socket). */
static struct sock_entry *entry_next_in_order(struct sock_table *t,
                                              const struct sock_rec *rec)
{
	if (t->next >= t->n || !entry_is(&t->v[t->next], rec))
		return NULL;
	return &t->v[t->next++];
}

/* rec's entry: its own (the same identity), else for a connection the
 * entry of the life it goes on (its inode gained or lost), not yet matched
 * by this snapshot; NULL for a new socket or life, with *ended an older
 * life of the same connection that rec cannot go on (its tuple is in use
 * again: that life is over). */
static struct sock_entry *entry_find(struct sock_table *t, const struct sock_rec *rec,
                                     struct sock_entry **ended)
{
	size_t mask = t->nslots - 1;
	struct sock_entry *link = NULL;

	*ended = NULL;
	for (size_t i = identity_hash(rec) & mask; t->slots[i]; i = (i + 1) & mask) {
		struct sock_entry *e = &t->v[t->slots[i] - 1];
		if (entry_is(e, rec))
			return e;
		if (e->gen == t->gen || !sock_same_connection(&e->rec, rec))
			continue;
		if (life_continues(&e->rec, rec))
			link = link ? link : e;
		else
			*ended = e;
	}
	return link;
}

/* Drops entry i: its slot is cleared and the last entry moves into its place. */
static void entry_remove(struct sock_table *t, size_t i)
{
	size_t last = t->n - 1;

	slot_delete(t, slot_of(t, i));
	set_put(t, t->v[i].owners);
	set_put(t, t->v[i].owners_was);
	if (i != last) {
		size_t s = slot_of(t, last);
		t->v[i] = t->v[last];
		t->slots[s] = (uint32_t)(i + 1);
	}
	t->n--;
}

/* An older life of a connection ends as a new one takes its tuple: its
 * GONE comes first, so that whoever follows the tuple reads them in the
 * order they happened. */
static int entry_end(struct sock_table *t, struct sock_entry *e, double now,
                     struct sock_events *ev)
{
	size_t i = (size_t)(e - t->v);
	int rc = emit(ev, SOCK_EV_GONE, now, e, 0);

	entry_remove(t, i);
	if (t->next > i)
		t->next = i;
	return rc;
}

static int entry_new(struct sock_table *t, const struct sock_rec *rec,
                     const struct procmap *pm, double now, struct sock_events *ev)
{
	struct sock_entry *e = entry_add(t, slot_free(t, rec), rec, now);
	if (!e)
		return -1;
	e->gen = t->gen;
	/* Seen first as a timewait socket, after the baseline: no poll saw
	 * the connection whole. */
	e->brief = ev && rec->timewait;
	if (entry_set_owners(t, e, pm, 0) < 0)
		return -1;
	return emit(ev, SOCK_EV_NEW, now, e, 0);
}

/* The connection's process let go of it (its inode is gone: orphaned,
 * or a timewait socket took over): who held it becomes its former owners. */
static void entry_let_go(struct sock_table *t, struct sock_entry *e)
{
	set_put(t, e->owners_was);
	e->owners_was = e->owners;
	e->nowners_was = e->nowners;
	e->owners = NULL;
	e->nowners = 0;
	e->inode_was = e->rec.inode;
}

/* Refreshes entry e from rec, this poll's record of its socket or life. */
static int entry_refresh(struct sock_table *t, struct sock_entry *e, const struct sock_rec *rec,
                         const struct procmap *pm, int owners_known, double now,
                         struct sock_events *ev)
{
	uint8_t from = e->rec.state;
	int relinked = e->rec.inode != rec->inode;

	e->gen = t->gen;
	if (e->rec.inode && !rec->inode)
		entry_let_go(t, e);
	entry_rate(e, rec, now);
	e->seen_at = now;
	/* A timewait socket has no tcp_info: the full socket's last
	 * counters stay, the connection's byte totals. */
	if (rec->timewait && !rec->has_tcpinfo && e->rec.has_tcpinfo) {
		struct sock_tcpinfo last = e->rec.tcp;
		e->rec = *rec;
		e->rec.tcp = last;
		e->rec.has_tcpinfo = 1;
	} else {
		e->rec = *rec;
	}
	if ((!owners_known || relinked) && entry_set_owners(t, e, pm, !relinked) < 0)
		return -1;
	if (from != rec->state) {
		e->state_since = now;
		return emit(ev, SOCK_EV_STATE, now, e, from);
	}
	return 0;
}

/* Applies one snapshot record: adds it or refreshes its entry. */
static int table_apply(struct sock_table *t, const struct sock_rec *rec,
                       const struct procmap *pm, int owners_known, double now,
                       struct sock_events *ev)
{
	struct sock_entry *e = entry_next_in_order(t, rec), *ended;

	if (!e) {
		e = entry_find(t, rec, &ended);
		if (!e && ended && entry_end(t, ended, now, ev) < 0)
			return -1;
		if (!e)
			return entry_new(t, rec, pm, now, ev);
		t->next = (size_t)(e - t->v) + 1;
	}
	if (e->gen == t->gen)
		return 0;             /* a duplicate within one snapshot */
	return entry_refresh(t, e, rec, pm, owners_known, now, ev);
}

static int table_sweep(struct sock_table *t, double now, struct sock_events *ev)
{
	int rc = 0;
	for (size_t i = t->n; i-- > 0;) {
		if (t->v[i].gen == t->gen)
			continue;
		if (emit(ev, SOCK_EV_GONE, now, &t->v[i], 0) < 0)
			rc = -1;
		entry_remove(t, i);
	}
	return rc;
}

const struct sock_entry *sock_table_take_notice(struct sock_table *t,
                                                const struct sock_rec *notice, int brief)
{
	size_t mask = t->nslots - 1;

	if (!rec_is_connection(notice))
		return NULL;
	/* The tuple names the connection; a timewait socket no dump saw whole
	 * has a cookie of its own, not its full socket's. */
	for (size_t i = identity_hash(notice) & mask; t->slots[i]; i = (i + 1) & mask) {
		struct sock_entry *e = &t->v[t->slots[i] - 1];
		if (!e->rec.timewait || e->final || !same_tuple(&e->rec, notice))
			continue;
		if (notice->has_tcpinfo) {
			e->rec.tcp = notice->tcp;
			e->rec.has_tcpinfo = 1;
		}
		e->brief |= brief != 0;
		e->final = 1;
		return e;
	}
	return NULL;
}

/* Drops every entry, keeping the arrays. */
static void table_empty(struct sock_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		set_put(t, t->v[i].owners);
		set_put(t, t->v[i].owners_was);
	}
	t->n = 0;
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

/* Entry e's owners (or former owners) as the shared list equal to o. */
static int restore_owners(struct sock_table *t, struct sock_owner **to, size_t *nto,
                          const struct sock_owner *o, size_t n)
{
	*to = NULL;
	*nto = 0;
	if (!n || !o)
		return 0;
	if (!(*to = set_get(t, o, n)))
		return -1;
	*nto = n;
	return 0;
}

int sock_table_restore(struct sock_table *t, const struct sock_entry *v, size_t n)
{
	table_empty(t);
	if (n > UINT32_MAX / 4)
		return -1;
	if (n > t->cap) {
		struct sock_entry *nv = realloc(t->v, n * sizeof(*nv));
		if (!nv)
			return -1;
		t->v = nv;
		t->cap = n;
	}
	if (index_reserve(t, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct sock_entry *e = &t->v[i];
		*e = v[i];
		e->gen = t->gen;
		if (restore_owners(t, &e->owners, &e->nowners, v[i].owners, v[i].nowners) < 0 ||
		    restore_owners(t, &e->owners_was, &e->nowners_was, v[i].owners_was,
		                   v[i].nowners_was) < 0) {
			set_put(t, e->owners);
			t->n = i;   /* the entries before hold references to give back */
			table_empty(t);
			return -1;
		}
		t->slots[slot_free(t, &e->rec)] = (uint32_t)(i + 1);
		t->n = i + 1;
		if (e->life > t->lives)
			t->lives = e->life;
	}
	/* The owner map the next update brings is new to these entries. */
	t->pm = NULL;
	t->pm_version = 0;
	t->next = 0;
	return 0;
}

int sock_table_update(struct sock_table *t, const struct sock_list *snap,
                      const struct procmap *pm, double now, struct sock_events *ev)
{
	if (snap->n > UINT32_MAX / 4 || index_reserve(t, t->n + snap->n) < 0)
		return -1;
	t->gen++;
	t->next = 0;
	int rc = 0;
	int owners_known = pm && pm == t->pm && procmap_version(pm) == t->pm_version;
	for (size_t i = 0; i < snap->n; i++)
		if (table_apply(t, &snap->v[i], pm, owners_known, now, ev) < 0)
			rc = -1;
	if (table_sweep(t, now, ev) < 0)
		rc = -1;
	/* After a failure some entries may lack their owners: look again. */
	t->pm = rc == 0 ? pm : NULL;
	t->pm_version = pm ? procmap_version(pm) : 0;
	return rc;
}
