/* resolver.h — reverse name lookups (address → host name) done off the main
 * loop: a few worker threads, a bounded cache with time to live for answers
 * and failures, a rate limit, and a file descriptor that wakes poll() when
 * answers arrive. The caller never waits on the network. */
#ifndef SOCKEYE_RESOLVER_H
#define SOCKEYE_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

/* Longest name kept, in bytes (a DNS name is at most 253 characters; a
 * longer answer is cut, never between the bytes of one UTF-8 character). */
#define RESOLVER_NAME_MAX 255

enum resolver_status {
	RESOLVER_FOUND,    /* a name is in buf (possibly being refreshed) */
	RESOLVER_PENDING,  /* no answer yet: show the address meanwhile */
	RESOLVER_FAILED,   /* the address has no name (a cached failure) */
};

/* Looks up the name of one address. family is AF_INET (addr[0..4)) or
 * AF_INET6 (addr[0..16)), network order. Writes the name to out (NUL-
 * terminated, cut to fit len) and returns its full length, like snprintf
 * does; returns a negative value when the address has no name. A returned
 * length larger than the string in out (an embedded NUL) is rejected as no
 * name. Runs on a worker thread, possibly after resolver_free() returned
 * (see there), so it must be thread-safe. */
typedef int (*resolver_lookup_fn)(void *ctx, int family, const uint8_t addr[16],
                                  char *out, size_t len);

/* Zero (or NULL) fields take the defaults in brackets. Times are seconds. */
struct resolver_config {
	int workers;            /* lookup threads, 1..16 [3] */
	size_t cache_size;      /* entries kept, answers and failures [4096] */
	double ttl_ok;          /* a name is trusted this long [600] */
	double ttl_fail;        /* a failure is trusted this long [60] */
	double rate;            /* lookups started per second [20] */
	double burst;           /* ... or at once, after a quiet spell [50] */
	size_t queue_max;       /* lookups waiting for a worker [256] */
	resolver_lookup_fn lookup;  /* [resolver_getnameinfo] */
	void *ctx;              /* passed to lookup */
};

/* Counters for a status line and for tests; a snapshot under the lock. */
struct resolver_stats {
	size_t cached;          /* entries held: names, failures, pending */
	size_t queued;          /* waiting for a worker */
	size_t in_flight;       /* being looked up now */
	unsigned long lookups;  /* lookups finished since resolver_new */
	unsigned long deferred; /* requests not queued (rate, full queue or
	                         * cache); asked again on a later call */
};

struct resolver;

/* Starts the workers. Returns NULL with a message in err on failure. */
struct resolver *resolver_new(const struct resolver_config *cfg, char *err, size_t errlen);

/* Stops the resolver without waiting for the network: idle workers are
 * joined; a worker inside a lookup is detached, and frees what it shares
 * with the resolver when that lookup returns (its answer is dropped). So
 * quitting never waits for a DNS timeout, and nothing leaks once the
 * lookups return — but cfg->lookup may still be running with cfg->ctx
 * after this returns: ctx must outlive it (the default lookup has none).
 * NULL is ignored. */
void resolver_free(struct resolver *r);

/* The name of an address, for drawing one row; never blocks (the lock is
 * held only for a hash lookup and a queue push). now is a monotonic clock
 * in seconds, the one times and the rate limit are measured on. A v4-mapped
 * IPv6 address (::ffff:a.b.c.d) is looked up as the IPv4 address. The first
 * call for an address queues a lookup and says RESOLVER_PENDING; when the
 * rate limit, the queue or the cache is full, nothing is queued now and the
 * answer is still RESOLVER_PENDING: a row that stays visible asks again on
 * its next draw. An address already queued or in flight is not queued
 * twice. An expired name is still returned while it is looked up again.
 * The name is raw bytes from the network (never NUL): escape it before
 * printing (textsafe_display). buf gets the name, cut to fit len. */
enum resolver_status resolver_name(struct resolver *r, int family, const uint8_t addr[16],
                                   double now, char *buf, size_t len);

/* Readable (POLLIN) when answers have arrived since the last drain; put it
 * in the main loop's poll() and redraw when it fires. Non-blocking and
 * close-on-exec; owned by the resolver. */
int resolver_fd(const struct resolver *r);

/* Clears the readiness of resolver_fd(); returns how many answers arrived
 * since the last drain. */
unsigned long resolver_drain(struct resolver *r);

void resolver_stats(struct resolver *r, struct resolver_stats *st);

/* The default lookup: getnameinfo() with NI_NAMEREQD (numeric answers are
 * not names). ctx is unused. */
int resolver_getnameinfo(void *ctx, int family, const uint8_t addr[16], char *out, size_t len);

#endif
