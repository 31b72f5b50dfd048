/* fuzz_procnet.c — libFuzzer target for the /proc/net text parser: the first
 * input byte picks one of the four tables (bit 0: tcp or udp, bit 1: IPv4 or
 * IPv6), the rest is fed to procnet_parse() as that table's text, in a buffer
 * of exactly its length with no NUL, as procnet_collect() hands it over. */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "procnet.h"
#include "sock.h"

/* A broken promise of procnet.h is a finding, like a crash. */
#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static void fuzz_check_records(const struct sock_list *l, size_t from,
                               uint8_t proto, uint8_t family)
{
	for (size_t i = from; i < l->n; i++) {
		const struct sock_rec *r = &l->v[i];
		FUZZ_CHECK(r->proto == proto && r->family == family);
		FUZZ_CHECK(r->state > 0 && r->state < SOCK_ST_MAX);
		/* sock_state_name must know every state the parser lets through. */
		FUZZ_CHECK(sock_state_name(r->proto, r->state) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sock_list out;
	uint8_t proto, family;
	char err[256] = "";
	char *text;
	int n;

	if (size < 1)
		return 0;
	proto = (data[0] & 1) ? IPPROTO_UDP : IPPROTO_TCP;
	family = (data[0] & 2) ? AF_INET6 : AF_INET;
	/* An exact-size copy, so ASan sees any read past the text's end. */
	text = malloc(size - 1 ? size - 1 : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	sock_list_init(&out);
	/* A record already in the list must survive a failed parse. */
	FUZZ_CHECK(sock_list_push(&out) != NULL);
	n = procnet_parse(text, size - 1, proto, family, &out, err, sizeof err);
	if (n < 0) {
		FUZZ_CHECK(out.n == 1);
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
	} else {
		FUZZ_CHECK(out.n == 1 + (size_t)n);
		fuzz_check_records(&out, 1, proto, family);
	}
	sock_list_free(&out);
	free(text);
	return 0;
}
