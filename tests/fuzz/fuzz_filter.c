/* fuzz_filter.c — libFuzzer target for the filter language: the input, as
 * text, goes to filter_compile(); a filter that compiles is matched against
 * a few fixed sockets (with and without owners, netns and service), and the
 * normalised text it reports (what the TUI prompt starts from) must compile
 * again to the same text and the same verdicts. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "procmap.h"
#include "sock.h"

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#define FUZZ_NSUBJECTS 4

static const struct sock_owner fuzz_owners[2] = {
	{ .pid = 900, .pgid = 900, .uid = 0, .comm = "nginx", .user = "root" },
	{ .pid = 901, .pgid = 900, .uid = 33, .comm = "php-fpm8.2", .user = "www-data" },
};

static struct sock_rec fuzz_rec(uint8_t proto, uint8_t family, uint8_t state,
                                const char *laddr, uint16_t lport,
                                const char *raddr, uint16_t rport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof r);
	r.proto = proto;
	r.family = family;
	r.state = state;
	inet_pton(family, laddr, r.laddr);
	inet_pton(family, raddr, r.raddr);
	r.lport = lport;
	r.rport = rport;
	r.uid = 1000;
	r.inode = 4242;
	return r;
}

/* The sockets every compiled filter is matched against; built once. */
static void fuzz_subjects(struct filter_subject s[FUZZ_NSUBJECTS])
{
	static struct sock_rec r[FUZZ_NSUBJECTS];
	static int ready;

	if (!ready) {
		r[0] = fuzz_rec(IPPROTO_TCP, AF_INET, SOCK_ST_ESTABLISHED,
		                "10.1.2.3", 5432, "192.168.7.9", 51000);
		r[1] = fuzz_rec(IPPROTO_TCP, AF_INET6, SOCK_ST_LISTEN, "::1", 443, "::", 0);
		r[2] = fuzz_rec(IPPROTO_UDP, AF_INET, SOCK_ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0);
		r[3] = fuzz_rec(IPPROTO_TCP, AF_INET6, SOCK_ST_TIME_WAIT,
		                "::ffff:127.0.0.1", 80, "::ffff:127.0.0.1", 60000);
		ready = 1;
	}
	memset(s, 0, FUZZ_NSUBJECTS * sizeof(*s));
	for (int i = 0; i < FUZZ_NSUBJECTS; i++)
		s[i].rec = &r[i];
	s[0].owners = fuzz_owners;
	s[0].nowners = 2;
	s[1].owners = fuzz_owners;
	s[1].nowners = 1;
	s[1].netns = "blue";
	s[1].service = "nginx.service";
	s[3].netns = "host";
	s[3].service = "docker-web.scope";
}

static unsigned fuzz_verdicts(const struct filter *f)
{
	struct filter_subject s[FUZZ_NSUBJECTS];
	unsigned bits = 0;

	fuzz_subjects(s);
	for (int i = 0; i < FUZZ_NSUBJECTS; i++)
		if (filter_match(f, &s[i]))
			bits |= 1u << i;
	return bits;
}

/* What the prompt does when it reopens on the filter in force. */
static void fuzz_roundtrip(const struct filter *f)
{
	struct filter *again = NULL;
	char err[256] = "";
	const char *text = filter_text(f);

	FUZZ_CHECK(text != NULL);
	if (filter_compile(text, &again, err, sizeof err) != 0) {
		fprintf(stderr, "normalised text '%s' does not compile: %s\n", text, err);
		abort();
	}
	FUZZ_CHECK(strcmp(filter_text(again), text) == 0);
	FUZZ_CHECK(fuzz_verdicts(again) == fuzz_verdicts(f));
	filter_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter *f = NULL;
	char err[256] = "";
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (filter_compile(text, &f, err, sizeof err) == 0) {
		FUZZ_CHECK(f != NULL);
		fuzz_roundtrip(f);
		filter_free(f);
	} else {
		FUZZ_CHECK(f == NULL);
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
	}
	free(text);
	return 0;
}
