/* test_resolver.c — reverse lookups off the main loop: answers arrive through
 * the wake-up fd, are cached for their time to live, are rate-limited and
 * de-duplicated, and stopping never waits for a lookup. A fake lookup keeps
 * the tests independent of DNS; one test uses the real getnameinfo(). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "resolver.h"

/* The fake resolver: answers from a fixed name (or fails), counts calls,
 * remembers what it was asked, and can hold every call at a gate. */
struct fake {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	const char *name;      /* NULL: every lookup fails */
	int name_len;          /* returned length; 0 means strlen(name) */
	int started, finished;
	int gate_closed;
	int sleep_ms;
	int last_family;
	uint8_t last_addr[16];
};

static void fake_init(struct fake *f, const char *name)
{
	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->changed, NULL);
	f->name = name;
}

static void fake_destroy(struct fake *f)
{
	pthread_cond_destroy(&f->changed);
	pthread_mutex_destroy(&f->lock);
}

static int fake_lookup(void *ctx, int family, const uint8_t addr[16], char *out, size_t len)
{
	struct fake *f = ctx;
	int n;

	pthread_mutex_lock(&f->lock);
	f->started++;
	f->last_family = family;
	memcpy(f->last_addr, addr, 16);
	pthread_cond_broadcast(&f->changed);
	while (f->gate_closed)
		pthread_cond_wait(&f->changed, &f->lock);
	pthread_mutex_unlock(&f->lock);
	if (f->sleep_ms)
		usleep((useconds_t)f->sleep_ms * 1000);
	n = -1;
	if (f->name) {
		n = f->name_len ? f->name_len : (int)strlen(f->name);
		memcpy(out, f->name, (size_t)n < len ? (size_t)n : len - 1);
		out[(size_t)n < len ? (size_t)n : len - 1] = '\0';
	}
	pthread_mutex_lock(&f->lock);
	f->finished++;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
	return n;
}

static int fake_count(struct fake *f, const int *field)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = *field;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* Waits (at most 2 s) until the fake has started n lookups. */
static void fake_wait_started(struct fake *f, int n)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&f->lock);
	while (f->started < n && pthread_cond_timedwait(&f->changed, &f->lock, &until) == 0)
		;
	assert_int_equal(f->started, n);
	pthread_mutex_unlock(&f->lock);
}

static void fake_open_gate(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->gate_closed = 0;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits on the wake-up fd, as the UI's poll() does, until the resolver has
 * finished n lookups in all; fails after 2 s. */
static void wait_lookups(struct resolver *r, unsigned long n)
{
	double until = mono_now() + 2;
	struct resolver_stats st;

	for (;;) {
		resolver_stats(r, &st);
		if (st.lookups >= n || mono_now() > until)
			break;
		struct pollfd pfd = { .fd = resolver_fd(r), .events = POLLIN };
		if (poll(&pfd, 1, 100) > 0)
			resolver_drain(r);
	}
	assert_int_equal(st.lookups, n);
}

static void addr4(const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	assert_int_equal(inet_pton(AF_INET, text, addr), 1);
}

static void addr6(const char *text, uint8_t addr[16])
{
	assert_int_equal(inet_pton(AF_INET6, text, addr), 1);
}

/* 10.x.y.z for i, distinct for i < 2^24. */
static void addr_nth(unsigned i, uint8_t addr[16])
{
	memset(addr, 0, 16);
	addr[0] = 10;
	addr[1] = (uint8_t)(i >> 16);
	addr[2] = (uint8_t)(i >> 8);
	addr[3] = (uint8_t)i;
}

static struct resolver *start(struct resolver_config cfg, struct fake *f)
{
	char err[256] = "";
	struct resolver *r;

	cfg.lookup = fake_lookup;
	cfg.ctx = f;
	r = resolver_new(&cfg, err, sizeof err);
	if (!r)
		fail_msg("resolver_new: %s", err);
	return r;
}

static void test_first_call_is_pending_then_the_name_arrives_on_the_fd(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[RESOLVER_NAME_MAX + 1];
	struct pollfd pfd;

	(void)state;
	fake_init(&f, "db1.example.net");
	r = start((struct resolver_config){ 0 }, &f);
	addr4("192.0.2.7", a);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_PENDING);
	assert_string_equal(name, "");
	pfd = (struct pollfd){ .fd = resolver_fd(r), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(resolver_drain(r), 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.5, name, sizeof name), RESOLVER_FOUND);
	assert_string_equal(name, "db1.example.net");
	/* Drained: the fd no longer wakes the loop. */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_cached_name_is_found_without_a_second_lookup(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];

	(void)state;
	fake_init(&f, "web.example.org");
	r = start((struct resolver_config){ 0 }, &f);
	addr6("2001:db8::80", a);
	resolver_name(r, AF_INET6, a, 1.0, name, sizeof name);
	wait_lookups(r, 1);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(resolver_name(r, AF_INET6, a, 2.0 + i, name, sizeof name),
		                 RESOLVER_FOUND);
		assert_string_equal(name, "web.example.org");
	}
	assert_int_equal(fake_count(&f, &f.started), 1);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_failure_is_cached_for_ttl_fail_then_retried(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];

	(void)state;
	fake_init(&f, NULL);
	r = start((struct resolver_config){ .ttl_fail = 60 }, &f);
	addr4("198.51.100.1", a);
	assert_int_equal(resolver_name(r, AF_INET, a, 100.0, name, sizeof name), RESOLVER_PENDING);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 100.0, name, sizeof name), RESOLVER_FAILED);
	assert_int_equal(resolver_name(r, AF_INET, a, 159.0, name, sizeof name), RESOLVER_FAILED);
	assert_int_equal(fake_count(&f, &f.started), 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 161.0, name, sizeof name), RESOLVER_PENDING);
	wait_lookups(r, 2);
	assert_int_equal(fake_count(&f, &f.started), 2);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_name_expires_after_ttl_ok_and_is_refreshed(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];

	(void)state;
	fake_init(&f, "old.example.com");
	r = start((struct resolver_config){ .ttl_ok = 600 }, &f);
	addr4("203.0.113.9", a);
	resolver_name(r, AF_INET, a, 1000.0, name, sizeof name);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1599.0, name, sizeof name), RESOLVER_FOUND);
	assert_int_equal(fake_count(&f, &f.started), 1);

	/* The PTR record changed; past its time the old name shows (no flicker
	 * back to the address) while the new one is asked for. */
	pthread_mutex_lock(&f.lock);
	f.name = "new.example.com";
	pthread_mutex_unlock(&f.lock);
	assert_int_equal(resolver_name(r, AF_INET, a, 1601.0, name, sizeof name), RESOLVER_FOUND);
	assert_string_equal(name, "old.example.com");
	wait_lookups(r, 2);
	assert_int_equal(resolver_name(r, AF_INET, a, 1602.0, name, sizeof name), RESOLVER_FOUND);
	assert_string_equal(name, "new.example.com");
	resolver_free(r);
	fake_destroy(&f);
}

static void test_the_rate_limit_caps_lookups_started_at_one_instant(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];
	struct resolver_stats st;

	(void)state;
	fake_init(&f, "host.example");
	r = start((struct resolver_config){ .rate = 20, .burst = 50, .queue_max = 2000 }, &f);
	for (unsigned i = 0; i < 1000; i++) {
		addr_nth(i, a);
		assert_int_equal(resolver_name(r, AF_INET, a, 500.0, name, sizeof name),
		                 RESOLVER_PENDING);
	}
	wait_lookups(r, 50);
	resolver_stats(r, &st);
	assert_int_equal(st.deferred, 950);
	assert_int_equal(fake_count(&f, &f.started), 50);

	/* One second later the bucket holds 20 more. */
	for (unsigned i = 0; i < 1000; i++) {
		addr_nth(i, a);
		resolver_name(r, AF_INET, a, 501.0, name, sizeof name);
	}
	wait_lookups(r, 70);
	assert_int_equal(fake_count(&f, &f.started), 70);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_full_queue_defers_new_requests_until_asked_again(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];
	struct resolver_stats st;

	(void)state;
	fake_init(&f, "q.example");
	f.gate_closed = 1;
	r = start((struct resolver_config){ .workers = 1, .queue_max = 4 }, &f);
	addr_nth(0, a);
	resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	fake_wait_started(&f, 1);   /* the one worker now holds address 0 */
	for (unsigned i = 1; i < 10; i++) {
		addr_nth(i, a);
		assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name),
		                 RESOLVER_PENDING);
	}
	resolver_stats(r, &st);
	assert_int_equal(st.in_flight, 1);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.deferred, 5);

	fake_open_gate(&f);
	wait_lookups(r, 5);
	addr_nth(9, a);   /* deferred before; still on screen, so asked again */
	assert_int_equal(resolver_name(r, AF_INET, a, 2.0, name, sizeof name), RESOLVER_PENDING);
	wait_lookups(r, 6);
	assert_int_equal(resolver_name(r, AF_INET, a, 2.0, name, sizeof name), RESOLVER_FOUND);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_an_address_queued_or_in_flight_is_not_queued_twice(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16], b[16];
	char name[64];
	struct resolver_stats st;

	(void)state;
	fake_init(&f, "dup.example");
	f.gate_closed = 1;
	r = start((struct resolver_config){ .workers = 1 }, &f);
	addr4("192.0.2.1", a);
	addr4("192.0.2.2", b);
	resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	fake_wait_started(&f, 1);
	for (int i = 0; i < 100; i++) {
		resolver_name(r, AF_INET, a, 1.0, name, sizeof name);   /* in flight */
		resolver_name(r, AF_INET, b, 1.0, name, sizeof name);   /* queued */
	}
	resolver_stats(r, &st);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.deferred, 0);
	fake_open_gate(&f);
	wait_lookups(r, 2);
	assert_int_equal(fake_count(&f, &f.started), 2);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_v4_mapped_address_is_looked_up_as_ipv4(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t mapped[16], v4[16], want[16];
	char name[64];

	(void)state;
	fake_init(&f, "mapped.example");
	r = start((struct resolver_config){ 0 }, &f);
	addr6("::ffff:192.0.2.44", mapped);
	addr4("192.0.2.44", v4);
	resolver_name(r, AF_INET6, mapped, 1.0, name, sizeof name);
	wait_lookups(r, 1);
	addr4("192.0.2.44", want);
	pthread_mutex_lock(&f.lock);
	assert_int_equal(f.last_family, AF_INET);
	assert_memory_equal(f.last_addr, want, 16);
	pthread_mutex_unlock(&f.lock);
	/* One host, one cache entry, whichever way the kernel spelled it. */
	assert_int_equal(resolver_name(r, AF_INET, v4, 2.0, name, sizeof name), RESOLVER_FOUND);
	assert_string_equal(name, "mapped.example");
	assert_int_equal(fake_count(&f, &f.started), 1);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_the_wildcard_address_has_no_name_and_costs_no_lookup(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t any[16] = { 0 };
	char name[64];

	(void)state;
	fake_init(&f, "nope.example");
	r = start((struct resolver_config){ 0 }, &f);
	assert_int_equal(resolver_name(r, AF_INET, any, 1.0, name, sizeof name), RESOLVER_FAILED);
	assert_int_equal(resolver_name(r, AF_INET6, any, 1.0, name, sizeof name), RESOLVER_FAILED);
	assert_int_equal(fake_count(&f, &f.started), 0);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_name_with_control_characters_is_kept_raw_for_the_printer(void **state)
{
	static const char evil[] = "evil\x1b[31m.example\x07";
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];

	(void)state;
	fake_init(&f, evil);
	r = start((struct resolver_config){ 0 }, &f);
	addr4("192.0.2.66", a);
	resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_FOUND);
	assert_string_equal(name, evil);   /* textsafe_display escapes it when drawn */
	resolver_free(r);
	fake_destroy(&f);
}

static void test_an_over_long_name_is_cut(void **state)
{
	char long_name[600];
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[1024];

	(void)state;
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	fake_init(&f, long_name);
	r = start((struct resolver_config){ 0 }, &f);
	addr4("192.0.2.67", a);
	resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_FOUND);
	assert_int_equal(strlen(name), RESOLVER_NAME_MAX);
	/* A caller's small buffer gets a cut, terminated copy. */
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, 8), RESOLVER_FOUND);
	assert_string_equal(name, "aaaaaaa");
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_cut_never_splits_a_utf8_character(void **state)
{
	char long_name[300];
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[512];

	(void)state;
	/* 254 ASCII bytes, then "é" (c3 a9) straddling the 255-byte limit. */
	memset(long_name, 'b', 254);
	strcpy(long_name + 254, "\xc3\xa9tail");
	fake_init(&f, long_name);
	r = start((struct resolver_config){ 0 }, &f);
	addr4("192.0.2.68", a);
	resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_FOUND);
	assert_int_equal(strlen(name), 254);
	resolver_free(r);
	fake_destroy(&f);
}

static void test_a_name_with_an_embedded_nul_is_no_name(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];

	(void)state;
	fake_init(&f, "good.example\0.evil");
	f.name_len = 18;
	r = start((struct resolver_config){ 0 }, &f);
	addr4("192.0.2.69", a);
	resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_FAILED);
	resolver_free(r);
	fake_destroy(&f);
}

/* Whether /etc/hosts names 127.0.0.1 "localhost" first, as Debian ships it. */
static int hosts_says_localhost(void)
{
	FILE *f = fopen("/etc/hosts", "r");
	char line[512], addr[64], host[256];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		if (sscanf(line, "%63s %255s", addr, host) == 2 && strcmp(addr, "127.0.0.1") == 0)
			found = strcmp(host, "localhost") == 0 ? 1 : -1;
	}
	fclose(f);
	return found == 1;
}

static void test_the_real_getnameinfo_names_127_0_0_1_localhost(void **state)
{
	char err[256] = "";
	struct resolver *r;
	uint8_t a[16];
	char name[64];

	(void)state;
	if (!hosts_says_localhost()) {
		print_message("skipped: /etc/hosts does not name 127.0.0.1 localhost first\n");
		skip();
	}
	r = resolver_new(NULL, err, sizeof err);
	assert_non_null(r);
	addr4("127.0.0.1", a);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_PENDING);
	wait_lookups(r, 1);
	assert_int_equal(resolver_name(r, AF_INET, a, 1.0, name, sizeof name), RESOLVER_FOUND);
	assert_string_equal(name, "localhost");
	resolver_free(r);
}

static void test_free_with_lookups_in_flight_returns_promptly(void **state)
{
	struct fake f;
	struct resolver *r;
	uint8_t a[16];
	char name[64];
	double t0, took;

	(void)state;
	fake_init(&f, "slow.example");
	f.sleep_ms = 200;
	r = start((struct resolver_config){ .workers = 2 }, &f);
	for (unsigned i = 0; i < 5; i++) {
		addr_nth(i, a);
		resolver_name(r, AF_INET, a, 1.0, name, sizeof name);
	}
	fake_wait_started(&f, 2);
	t0 = mono_now();
	resolver_free(r);
	took = mono_now() - t0;
	assert_true(took < 0.1);
	/* The detached workers finish their lookups, drop their answers and
	 * free what they shared; f must live until then (resolver.h says so).
	 * Nothing queued behind them is looked up. */
	while (fake_count(&f, &f.finished) < 2)
		usleep(10000);
	usleep(50000);
	assert_int_equal(fake_count(&f, &f.started), 2);
	fake_destroy(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_call_is_pending_then_the_name_arrives_on_the_fd),
		cmocka_unit_test(test_a_cached_name_is_found_without_a_second_lookup),
		cmocka_unit_test(test_a_failure_is_cached_for_ttl_fail_then_retried),
		cmocka_unit_test(test_a_name_expires_after_ttl_ok_and_is_refreshed),
		cmocka_unit_test(test_the_rate_limit_caps_lookups_started_at_one_instant),
		cmocka_unit_test(test_a_full_queue_defers_new_requests_until_asked_again),
		cmocka_unit_test(test_an_address_queued_or_in_flight_is_not_queued_twice),
		cmocka_unit_test(test_a_v4_mapped_address_is_looked_up_as_ipv4),
		cmocka_unit_test(test_the_wildcard_address_has_no_name_and_costs_no_lookup),
		cmocka_unit_test(test_a_name_with_control_characters_is_kept_raw_for_the_printer),
		cmocka_unit_test(test_an_over_long_name_is_cut),
		cmocka_unit_test(test_a_cut_never_splits_a_utf8_character),
		cmocka_unit_test(test_a_name_with_an_embedded_nul_is_no_name),
		cmocka_unit_test(test_the_real_getnameinfo_names_127_0_0_1_localhost),
		cmocka_unit_test(test_free_with_lookups_in_flight_returns_promptly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
