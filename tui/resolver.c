/* resolver.c — asynchronous reverse lookups: the cache of names and failures
 * (a hash with an LRU list), the request queue, the token bucket that limits
 * lookups per second, and the worker threads that call getnameinfo(). */
#include "config.h"

#include "resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define RESOLVER_WORKERS_MAX 16

enum resolver_answer { ANSWER_NONE, ANSWER_NAME, ANSWER_FAIL };

/* An address as the cache knows it: IPv4 (also when it came v4-mapped) in
 * the first 4 bytes with the rest zero, so one host has one key. */
struct resolver_key {
	uint8_t family;
	uint8_t addr[16];
};

struct resolver_entry {
	struct resolver_key key;
	struct resolver_entry *hnext;          /* hash chain, or the free list */
	struct resolver_entry *newer, *older;  /* LRU list */
	double asked;       /* when its latest lookup was queued */
	double expires;     /* when its answer stops being trusted */
	uint8_t answer;     /* enum resolver_answer */
	uint8_t pending;    /* queued or in flight: never evicted, never requeued */
	char name[RESOLVER_NAME_MAX + 1];
};

struct resolver_worker {
	struct resolver *r;
	pthread_t tid;
	int busy;       /* inside a lookup (under r->lock) */
	int detached;   /* left running by resolver_free (under r->lock) */
};

struct resolver {
	pthread_mutex_t lock;
	pthread_cond_t work;
	int stop;
	int refs;        /* the owner, plus each detached worker */
	int efd;
	struct resolver_config cfg;

	struct resolver_entry *entries;   /* cfg.cache_size of them */
	struct resolver_entry *free_list;
	struct resolver_entry **buckets;
	size_t nbuckets;                  /* a power of two */
	struct resolver_entry *newest, *oldest;
	size_t used;

	struct resolver_entry **queue;    /* ring of cfg.queue_max */
	size_t qhead, qlen;

	double tokens, token_time;
	int token_started;

	struct resolver_worker *workers;
	int nworkers;
	size_t in_flight;
	unsigned long lookups, deferred;
};

/* ---- keys and the hash ---- */

static int resolver_is_v4mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a, prefix, sizeof prefix) == 0;
}

/* Fills key; returns -1 for an address that has no name to look up (an
 * unknown family, or the wildcard 0.0.0.0 / :: every listener shows). */
static int resolver_key_make(int family, const uint8_t addr[16], struct resolver_key *key)
{
	static const uint8_t zero[16];

	memset(key, 0, sizeof *key);
	if (family == AF_INET6 && resolver_is_v4mapped(addr)) {
		key->family = AF_INET;
		memcpy(key->addr, addr + 12, 4);
	} else if (family == AF_INET) {
		key->family = AF_INET;
		memcpy(key->addr, addr, 4);
	} else if (family == AF_INET6) {
		key->family = AF_INET6;
		memcpy(key->addr, addr, 16);
	} else {
		return -1;
	}
	return memcmp(key->addr, zero, sizeof zero) == 0 ? -1 : 0;
}

static size_t resolver_hash(const struct resolver *r, const struct resolver_key *k)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	h = (h ^ k->family) * 16777619u;
	for (size_t i = 0; i < sizeof k->addr; i++)
		h = (h ^ k->addr[i]) * 16777619u;
	return h & (r->nbuckets - 1);
}

static int resolver_key_eq(const struct resolver_key *a, const struct resolver_key *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

static struct resolver_entry *resolver_find(const struct resolver *r, const struct resolver_key *k)
{
	struct resolver_entry *e = r->buckets[resolver_hash(r, k)];

	while (e && !resolver_key_eq(&e->key, k))
		e = e->hnext;
	return e;
}

static void resolver_hash_remove(struct resolver *r, struct resolver_entry *e)
{
	struct resolver_entry **p = &r->buckets[resolver_hash(r, &e->key)];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
}

/* ---- the LRU list: newest at the head, evicted from the tail ---- */

static void resolver_lru_unlink(struct resolver *r, struct resolver_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		r->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		r->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void resolver_lru_push(struct resolver *r, struct resolver_entry *e)
{
	e->newer = NULL;
	e->older = r->newest;
	if (r->newest)
		r->newest->newer = e;
	else
		r->oldest = e;
	r->newest = e;
}

static void resolver_lru_touch(struct resolver *r, struct resolver_entry *e)
{
	resolver_lru_unlink(r, e);
	resolver_lru_push(r, e);
}

/* A free entry, evicting the least recently used settled one if need be;
 * NULL when every entry is pending. The entry is in neither list. */
static struct resolver_entry *resolver_entry_take(struct resolver *r)
{
	struct resolver_entry *e = r->free_list;

	if (e) {
		r->free_list = e->hnext;
		r->used++;
		return e;
	}
	for (e = r->oldest; e && e->pending; e = e->newer)
		;
	if (e) {
		resolver_hash_remove(r, e);
		resolver_lru_unlink(r, e);
	}
	return e;
}

static void resolver_entry_insert(struct resolver *r, struct resolver_entry *e,
                                  const struct resolver_key *k)
{
	size_t b = resolver_hash(r, k);

	memset(e, 0, sizeof *e);
	e->key = *k;
	e->hnext = r->buckets[b];
	r->buckets[b] = e;
	resolver_lru_push(r, e);
}

/* ---- the rate limit: a token bucket on the caller's clock ---- */

static void resolver_tokens_refill(struct resolver *r, double now)
{
	if (!r->token_started) {
		r->token_started = 1;
		r->tokens = r->cfg.burst;
	} else if (now > r->token_time) {
		r->tokens += (now - r->token_time) * r->cfg.rate;
		if (r->tokens > r->cfg.burst)
			r->tokens = r->cfg.burst;
	}
	r->token_time = now;
}

/* ---- requests (main thread, under the lock) ---- */

/* Queues a lookup of k, for entry e or a new one. Returns 0, or -1 when it
 * must wait for a later call: no token, a full queue or an all-pending
 * cache. Checks come before taking anything, so a refusal costs nothing. */
static int resolver_request(struct resolver *r, const struct resolver_key *k,
                            struct resolver_entry *e, double now)
{
	resolver_tokens_refill(r, now);
	if (r->qlen == r->cfg.queue_max || r->tokens < 1)
		return -1;
	if (!e) {
		e = resolver_entry_take(r);
		if (!e)
			return -1;
		resolver_entry_insert(r, e, k);
	} else {
		resolver_lru_touch(r, e);
	}
	r->tokens -= 1;
	e->pending = 1;
	e->asked = now;
	r->queue[(r->qhead + r->qlen) % r->cfg.queue_max] = e;
	r->qlen++;
	pthread_cond_signal(&r->work);
	return 0;
}

static enum resolver_status resolver_give_name(const struct resolver_entry *e,
                                               char *buf, size_t len)
{
	if (len > 0)
		snprintf(buf, len, "%s", e->name);
	return RESOLVER_FOUND;
}

/* The answer for a known entry whose answer is still trusted. */
static enum resolver_status resolver_fresh(struct resolver *r, struct resolver_entry *e,
                                           char *buf, size_t len)
{
	resolver_lru_touch(r, e);
	if (e->answer == ANSWER_NAME)
		return resolver_give_name(e, buf, len);
	return RESOLVER_FAILED;
}

static enum resolver_status resolver_name_locked(struct resolver *r, const struct resolver_key *k,
                                                 double now, char *buf, size_t len)
{
	struct resolver_entry *e = resolver_find(r, k);

	if (e && !e->pending && e->answer != ANSWER_NONE && now < e->expires)
		return resolver_fresh(r, e, buf, len);
	if (!e || !e->pending) {
		if (resolver_request(r, k, e, now) < 0)
			r->deferred++;
	}
	/* A name past its time is still the best we know while it is refreshed. */
	if (e && e->answer == ANSWER_NAME)
		return resolver_give_name(e, buf, len);
	return RESOLVER_PENDING;
}

enum resolver_status resolver_name(struct resolver *r, int family, const uint8_t addr[16],
                                   double now, char *buf, size_t len)
{
	struct resolver_key k;
	enum resolver_status st;

	if (len > 0)
		buf[0] = '\0';
	if (resolver_key_make(family, addr, &k) < 0)
		return RESOLVER_FAILED;
	pthread_mutex_lock(&r->lock);
	st = resolver_name_locked(r, &k, now, buf, len);
	pthread_mutex_unlock(&r->lock);
	return st;
}

/* ---- answers (worker threads) ---- */

/* How many bytes of the lookup's answer to keep; -1 when it is no name.
 * A cut steps back over UTF-8 continuation bytes (at most three, the most
 * a character has) so one character is not split. */
static int resolver_answer_len(int n, char *out, size_t outlen)
{
	size_t got = strnlen(out, outlen);
	size_t keep = got;

	if (n <= 0 || got == 0)
		return -1;
	if (got < (size_t)n && got < outlen - 1)
		return -1;   /* a NUL inside the name */
	if (keep > RESOLVER_NAME_MAX) {
		keep = RESOLVER_NAME_MAX;
		for (int i = 0; i < 3 && keep > 0 && ((unsigned char)out[keep] & 0xc0) == 0x80; i++)
			keep--;
	}
	return (int)keep;
}

static void resolver_store(struct resolver *r, struct resolver_entry *e, const char *name, int n)
{
	e->pending = 0;
	if (n < 0) {
		e->answer = ANSWER_FAIL;
		e->name[0] = '\0';
		e->expires = e->asked + r->cfg.ttl_fail;
	} else {
		e->answer = ANSWER_NAME;
		memcpy(e->name, name, (size_t)n);
		e->name[n] = '\0';
		e->expires = e->asked + r->cfg.ttl_ok;
	}
	r->lookups++;
}

static void resolver_destroy(struct resolver *r)
{
	if (r->efd >= 0)
		close(r->efd);
	pthread_cond_destroy(&r->work);
	pthread_mutex_destroy(&r->lock);
	free(r->workers);
	free(r->queue);
	free(r->buckets);
	free(r->entries);
	free(r);
}

/* Drops one reference with the lock held; unlocks; the last one frees. */
static void resolver_release_locked(struct resolver *r)
{
	int last = --r->refs == 0;

	pthread_mutex_unlock(&r->lock);
	if (last)
		resolver_destroy(r);
}

static void resolver_wake(struct resolver *r)
{
	uint64_t one = 1;

	if (write(r->efd, &one, sizeof one) < 0) {
		/* EAGAIN: the counter is full, so the fd is readable already. */
	}
}

/* Takes the next request (lock held); NULL when stopping. */
static struct resolver_entry *resolver_next(struct resolver *r, struct resolver_worker *w)
{
	struct resolver_entry *e;

	while (!r->stop && r->qlen == 0)
		pthread_cond_wait(&r->work, &r->lock);
	if (r->stop)
		return NULL;
	e = r->queue[r->qhead];
	r->qhead = (r->qhead + 1) % r->cfg.queue_max;
	r->qlen--;
	r->in_flight++;
	w->busy = 1;
	return e;
}

/* Looks one address up without the lock; returns the kept length or -1. */
static int resolver_lookup(const struct resolver_config *cfg, const struct resolver_key *k,
                           char *out, size_t outlen)
{
	int n;

	out[0] = '\0';
	n = cfg->lookup(cfg->ctx, k->family, k->addr, out, outlen);
	out[outlen - 1] = '\0';
	return resolver_answer_len(n, out, outlen);
}

static void *resolver_worker_main(void *arg)
{
	struct resolver_worker *w = arg;
	struct resolver *r = w->r;
	struct resolver_entry *e;
	char name[NI_MAXHOST + 1];

	pthread_mutex_lock(&r->lock);
	while ((e = resolver_next(r, w)) != NULL) {
		struct resolver_key k = e->key;
		int n;

		pthread_mutex_unlock(&r->lock);
		n = resolver_lookup(&r->cfg, &k, name, sizeof name);
		pthread_mutex_lock(&r->lock);
		w->busy = 0;
		r->in_flight--;
		if (w->detached) {   /* resolver_free has returned: nobody to tell */
			resolver_release_locked(r);
			return NULL;
		}
		resolver_store(r, e, name, n);
		pthread_mutex_unlock(&r->lock);
		resolver_wake(r);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ---- life cycle ---- */

static void resolver_config_defaults(struct resolver_config *c)
{
	if (c->workers <= 0)
		c->workers = 3;
	if (c->workers > RESOLVER_WORKERS_MAX)
		c->workers = RESOLVER_WORKERS_MAX;
	if (c->cache_size == 0)
		c->cache_size = 4096;
	if (c->ttl_ok <= 0)
		c->ttl_ok = 600;
	if (c->ttl_fail <= 0)
		c->ttl_fail = 60;
	if (c->rate <= 0)
		c->rate = 20;
	if (c->burst < 1)
		c->burst = c->burst <= 0 ? 50 : 1;
	if (c->queue_max == 0)
		c->queue_max = 256;
	if (!c->lookup)
		c->lookup = resolver_getnameinfo;
}

static int resolver_alloc(struct resolver *r)
{
	size_t n = r->cfg.cache_size;

	r->nbuckets = 16;
	while (r->nbuckets < 2 * n)
		r->nbuckets *= 2;
	r->entries = calloc(n, sizeof *r->entries);
	r->buckets = calloc(r->nbuckets, sizeof *r->buckets);
	r->queue = calloc(r->cfg.queue_max, sizeof *r->queue);
	r->workers = calloc((size_t)r->cfg.workers, sizeof *r->workers);
	if (!r->entries || !r->buckets || !r->queue || !r->workers)
		return -1;
	for (size_t i = n; i-- > 0;) {
		r->entries[i].hnext = r->free_list;
		r->free_list = &r->entries[i];
	}
	return 0;
}

/* Workers start with every signal blocked, so the main thread's handlers
 * (resize, quit) always interrupt its poll() rather than a worker. */
static int resolver_start_workers(struct resolver *r, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < r->cfg.workers && rc == 0; i++) {
		r->workers[i].r = r;
		rc = pthread_create(&r->workers[i].tid, NULL, resolver_worker_main, &r->workers[i]);
		if (rc == 0)
			r->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		snprintf(err, errlen, "resolver: cannot start a lookup thread: %s", strerror(rc));
	return rc == 0 ? 0 : -1;
}

struct resolver *resolver_new(const struct resolver_config *cfg, char *err, size_t errlen)
{
	struct resolver *r = calloc(1, sizeof *r);

	if (!r) {
		snprintf(err, errlen, "resolver: out of memory");
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	r->refs = 1;
	r->cfg = cfg ? *cfg : (struct resolver_config){ 0 };
	resolver_config_defaults(&r->cfg);
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		snprintf(err, errlen, "resolver: eventfd: %s", strerror(errno));
		resolver_destroy(r);
		return NULL;
	}
	if (resolver_alloc(r) < 0) {
		snprintf(err, errlen, "resolver: out of memory");
		resolver_destroy(r);
		return NULL;
	}
	if (resolver_start_workers(r, err, errlen) < 0) {
		resolver_free(r);
		return NULL;
	}
	return r;
}

/* Idle workers exit at once and are joined; a worker inside a lookup cannot
 * be interrupted (getnameinfo has no cancel), so it is detached and holds a
 * reference until its lookup returns. */
void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_broadcast(&r->work);
	for (int i = 0; i < r->nworkers; i++) {
		if (r->workers[i].busy) {
			r->workers[i].detached = 1;
			r->refs++;
		}
	}
	pthread_mutex_unlock(&r->lock);
	for (int i = 0; i < r->nworkers; i++) {
		if (r->workers[i].detached)
			pthread_detach(r->workers[i].tid);
		else
			pthread_join(r->workers[i].tid, NULL);
	}
	pthread_mutex_lock(&r->lock);
	resolver_release_locked(r);
}

int resolver_fd(const struct resolver *r)
{
	return r->efd;
}

unsigned long resolver_drain(struct resolver *r)
{
	uint64_t n = 0;

	if (read(r->efd, &n, sizeof n) != (ssize_t)sizeof n)
		return 0;
	return (unsigned long)n;
}

void resolver_stats(struct resolver *r, struct resolver_stats *st)
{
	pthread_mutex_lock(&r->lock);
	st->cached = r->used;
	st->queued = r->qlen;
	st->in_flight = r->in_flight;
	st->lookups = r->lookups;
	st->deferred = r->deferred;
	pthread_mutex_unlock(&r->lock);
}

int resolver_getnameinfo(void *ctx, int family, const uint8_t addr[16], char *out, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	const struct sockaddr *sa = (const struct sockaddr *)&sin6;
	socklen_t salen = sizeof sin6;

	(void)ctx;
	if (family == AF_INET) {
		memcpy(&sin.sin_addr, addr, 4);
		sa = (const struct sockaddr *)&sin;
		salen = sizeof sin;
	} else {
		memcpy(&sin6.sin6_addr, addr, 16);
	}
	if (len > NI_MAXHOST)
		len = NI_MAXHOST;
	if (getnameinfo(sa, salen, out, (socklen_t)len, NULL, 0, NI_NAMEREQD) != 0)
		return -1;
	return (int)strlen(out);
}
