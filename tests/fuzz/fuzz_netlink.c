/* fuzz_netlink.c — libFuzzer target for the sock_diag reply decoder: the
 * first input byte picks the protocol asked for (bit 0: tcp or udp) and
 * whether the buffer starts unaligned (bit 1, the path that copies it); the
 * rest is fed whole to netlink_parse_buffer() as a recorded dump, and its
 * first message, when its length fits, alone to netlink_parse_msg(). */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "netlink.h"
#include "sock.h"

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

static void fuzz_check_rec(const struct sock_rec *r, uint8_t proto)
{
	FUZZ_CHECK(r->proto == proto);
	FUZZ_CHECK(r->family == AF_INET || r->family == AF_INET6);
	FUZZ_CHECK(r->state > 0 && r->state < SOCK_ST_MAX);
	FUZZ_CHECK(r->proto == IPPROTO_TCP || !r->has_tcpinfo);
}

static void fuzz_buffer(const uint8_t *body, size_t len, uint8_t proto, int unaligned)
{
	struct sock_list out;
	/* An exact-size copy (plus the shift), so ASan sees reads past the end. */
	uint8_t *copy = malloc(len + 1);
	int n;

	if (!copy)
		return;
	memcpy(copy + unaligned, body, len);
	sock_list_init(&out);
	n = netlink_parse_buffer(copy + unaligned, len, proto, &out);
	if (n < 0) {
		FUZZ_CHECK(out.n == 0);
	} else {
		FUZZ_CHECK(out.n == (size_t)n);
		for (size_t i = 0; i < out.n; i++)
			fuzz_check_rec(&out.v[i], proto);
	}
	sock_list_free(&out);
	free(copy);
}

/* netlink_parse_msg's caller vouches that the message's length fits what was
 * received (nlmsg_ok); past that every byte is the kernel's, or an attacker's. */
static void fuzz_msg(const uint8_t *body, size_t len, uint8_t proto)
{
	struct nlmsghdr hdr;
	struct sock_rec rec;
	void *msg;

	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, body, sizeof(hdr));
	if (hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > len)
		return;
	msg = malloc(hdr.nlmsg_len);
	if (!msg)
		return;
	memcpy(msg, body, hdr.nlmsg_len);
	if (netlink_parse_msg(msg, proto, &rec) == 0)
		fuzz_check_rec(&rec, proto);
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t proto;

	if (size < 1)
		return 0;
	proto = (data[0] & 1) ? IPPROTO_UDP : IPPROTO_TCP;
	fuzz_buffer(data + 1, size - 1, proto, (data[0] & 2) != 0);
	fuzz_msg(data + 1, size - 1, proto);
	return 0;
}
