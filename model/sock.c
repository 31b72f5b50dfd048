/* sock.c — the socket record's helpers: the snapshot list, state and
 * protocol names, and address formatting. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "room.h"
#include "sock.h"

void sock_list_init(struct sock_list *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void sock_list_clear(struct sock_list *l)
{
	l->n = 0;
}

void sock_list_free(struct sock_list *l)
{
	free(l->v);
	sock_list_init(l);
}

int sock_list_fit(struct sock_list *l)
{
	int shrunk = 0;

	l->v = room_fit(l->v, &l->cap, l->n, sizeof(*l->v), 1, &shrunk);
	return shrunk;
}

struct sock_rec *sock_list_push(struct sock_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct sock_rec *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	struct sock_rec *r = &l->v[l->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static const char *const state_names[SOCK_ST_MAX] = {
	[0] = "UNKNOWN",
	[SOCK_ST_ESTABLISHED] = "ESTABLISHED",
	[SOCK_ST_SYN_SENT] = "SYN_SENT",
	[SOCK_ST_SYN_RECV] = "SYN_RECV",
	[SOCK_ST_FIN_WAIT1] = "FIN_WAIT1",
	[SOCK_ST_FIN_WAIT2] = "FIN_WAIT2",
	[SOCK_ST_TIME_WAIT] = "TIME_WAIT",
	[SOCK_ST_CLOSE] = "CLOSE",
	[SOCK_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[SOCK_ST_LAST_ACK] = "LAST_ACK",
	[SOCK_ST_LISTEN] = "LISTEN",
	[SOCK_ST_CLOSING] = "CLOSING",
	[SOCK_ST_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

const char *sock_state_name(uint8_t proto, uint8_t state)
{
	if (proto == IPPROTO_UDP && state == SOCK_ST_CLOSE)
		return "UNCONN";
	if (state >= SOCK_ST_MAX)
		return "UNKNOWN";
	return state_names[state];
}

/* Lower-cases and drops '-' and '_' so "time-wait", "TIME_WAIT" and
 * "timewait" compare equal. Returns 0 if the name does not fit. */
static int squash_name(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (; *in; in++) {
		if (*in == '-' || *in == '_')
			continue;
		if (n + 1 >= len)
			return 0;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
	return n > 0;
}

int sock_state_parse(const char *name)
{
	char want[32], have[32];
	if (!squash_name(name, want, sizeof(want)))
		return 0;
	if (strcmp(want, "unconn") == 0)
		return SOCK_ST_CLOSE;
	for (int st = 1; st < SOCK_ST_MAX; st++) {
		squash_name(state_names[st], have, sizeof(have));
		if (strcmp(want, have) == 0)
			return st;
	}
	return 0;
}

const char *sock_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	default: return "?";
	}
}

const char *sock_addr_str(uint8_t family, const uint8_t addr[16], char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *sock_endpoint_str(uint8_t family, const uint8_t addr[16], uint16_t port,
                              char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	char p[8];
	if (port)
		snprintf(p, sizeof(p), "%u", port);
	else
		snprintf(p, sizeof(p), "*");
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", sock_addr_str(family, addr, a, sizeof(a)), p);
	else
		snprintf(buf, len, "%s:%s", sock_addr_str(family, addr, a, sizeof(a)), p);
	return buf;
}

size_t sock_owners_shown(const struct sock_owner *now, size_t n,
                         const struct sock_owner *was, size_t nwas,
                         const struct sock_owner **o, int *former)
{
	*former = !n && nwas;
	*o = *former ? was : now;
	return *former ? nwas : n;
}

struct sock_owner *sock_owners_dup(const struct sock_owner *o, size_t n)
{
	if (!n)
		return NULL;
	struct sock_owner *copy = malloc(n * sizeof(*copy));
	if (copy)
		memcpy(copy, o, n * sizeof(*copy));
	return copy;
}
