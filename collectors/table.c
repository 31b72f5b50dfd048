/* table.c — the live socket table and the snapshot diff. Entries live in one
 * dense array (cheap to walk and sort); an open-addressing index of entry
 * positions finds a socket by identity. Nothing is rebuilt per poll: each
 * update touches the sockets in the snapshot and sweeps out the unseen.
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

	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].owners);
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

int sock_same_identity(const struct sock_rec *a, const struct sock_rec *b)
{
	return a->proto == b->proto && a->family == b->family &&
	       a->lport == b->lport && a->rport == b->rport &&
	       a->inode == b->inode && a->netns == b->netns &&
	       memcmp(a->laddr, b->laddr, sizeof(a->laddr)) == 0 &&
	       memcmp(a->raddr, b->raddr, sizeof(a->raddr)) == 0;
}

static uint64_t identity_hash(const struct sock_rec *r)
{
	uint64_t a[2], b[2];
	memcpy(a, r->laddr, sizeof(a));
	memcpy(b, r->raddr, sizeof(b));
	uint64_t h = r->inode ^ hash_mix64(r->netns);
	h = hash_mix64(h ^ ((uint64_t)r->lport << 32 | (uint64_t)r->rport << 16 |
	                    (uint64_t)r->proto << 8 | r->family));
	h = hash_mix64(h ^ a[0]) + a[1];
	h = hash_mix64(h ^ b[0]) + b[1];
	return hash_mix64(h);
}

/* Slot holding rec's entry, or the empty slot where it would go. */
static size_t slot_find(const struct sock_table *t, const struct sock_rec *rec)
{
	size_t mask = t->nslots - 1;
	size_t i = identity_hash(rec) & mask;
	while (t->slots[i]) {
		if (sock_same_identity(&t->v[t->slots[i] - 1].rec, rec))
			return i;
		i = (i + 1) & mask;
	}
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
		t->slots[slot_find(t, &t->v[e].rec)] = (uint32_t)(e + 1);
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
	for (size_t i = 0; i < t->n; i++)
		set_put(t, t->v[i].owners);
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
	uint32_t s = t->slots[slot_find(t, rec)];
	return s ? &t->v[s - 1] : NULL;
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
static int entry_set_owners(struct sock_table *t, struct sock_entry *e,
                            const struct procmap *pm)
{
	const struct sock_owner *o = NULL;
	size_t n = pm && e->rec.inode ? procmap_lookup(pm, e->rec.inode, &o) : 0;
	if (n == e->nowners && (n == 0 || memcmp(o, e->owners, n * sizeof(*o)) == 0))
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
	x->owners = sock_owners_dup(e->owners, e->nowners);
	x->nowners = x->owners ? e->nowners : 0;
	x->tx_rate = e->tx_rate;
	x->rx_rate = e->rx_rate;
	x->has_rate = e->has_rate;
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
	if (t->next >= t->n || !sock_same_identity(&t->v[t->next].rec, rec))
		return NULL;
	return &t->v[t->next++];
}

/* Applies one snapshot record: adds it or refreshes its entry. */
static int table_apply(struct sock_table *t, const struct sock_rec *rec,
                       const struct procmap *pm, int owners_known, double now,
                       struct sock_events *ev)
{
	struct sock_entry *e = entry_next_in_order(t, rec);
	if (!e) {
		size_t slot = slot_find(t, rec);
		if (!t->slots[slot]) {
			e = entry_add(t, slot, rec, now);
			if (!e)
				return -1;
			e->gen = t->gen;
			if (entry_set_owners(t, e, pm) < 0)
				return -1;
			return emit(ev, SOCK_EV_NEW, now, e, 0);
		}
		e = &t->v[t->slots[slot] - 1];
		t->next = (size_t)(e - t->v) + 1;
	}
	if (e->gen == t->gen)
		return 0;             /* a duplicate within one snapshot */
	e->gen = t->gen;
	uint8_t from = e->rec.state;
	entry_rate(e, rec, now);
	e->seen_at = now;
	e->rec = *rec;
	if (!owners_known && entry_set_owners(t, e, pm) < 0)
		return -1;
	if (from != rec->state) {
		e->state_since = now;
		return emit(ev, SOCK_EV_STATE, now, e, from);
	}
	return 0;
}

/* Drops entry i: its slot is cleared and the last entry moves into its place. */
static void entry_remove(struct sock_table *t, size_t i)
{
	slot_delete(t, slot_find(t, &t->v[i].rec));
	set_put(t, t->v[i].owners);
	size_t last = t->n - 1;
	if (i != last) {
		size_t s = slot_find(t, &t->v[last].rec);
		t->v[i] = t->v[last];
		t->slots[s] = (uint32_t)(i + 1);
	}
	t->n--;
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
