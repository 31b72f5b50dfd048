/* nlcapture.c — records one real SOCK_DIAG_BY_FAMILY (inet_diag v2) dump
 * reply into a file, for the netlink fixtures. Plain sockets, no libnl, so a
 * fixture never depends on the code it is used to test.
 *
 *   nlcapture tcp4|tcp6|udp4|udp6 OUT.bin [PORT]...
 *
 * Only sockets on loopback are kept: a message whose local address is not in
 * 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104, or whose remote address is neither
 * loopback nor unspecified, is dropped whole (never edited), so a fixture
 * shows nothing of the machine it was recorded on. The NLMSG_DONE that ends
 * the dump is kept, so the file is a complete reply. Given ports, only sockets
 * with one of them as local or remote port are kept, so a fixture holds the
 * sockets its recorder opened and not whatever else was on loopback. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#define CAPTURE_BUFSIZE 65536
#define CAPTURE_MAX_PORTS 64

struct capture_kind {
	const char *name;
	uint8_t family, proto;
};

static const struct capture_kind capture_kinds[] = {
	{ "tcp4", AF_INET, IPPROTO_TCP },
	{ "tcp6", AF_INET6, IPPROTO_TCP },
	{ "udp4", AF_INET, IPPROTO_UDP },
	{ "udp6", AF_INET6, IPPROTO_UDP },
};

static int capture_is_loopback(uint8_t family, const uint32_t a[4])
{
	static const uint8_t v6_loop[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *b = (const uint8_t *)a;

	if (family == AF_INET)
		return b[0] == 127;
	if (memcmp(b, v6_loop, 16) == 0)
		return 1;
	return memcmp(b, v4_mapped, 12) == 0 && b[12] == 127;
}

static int capture_is_unspecified(uint8_t family, const uint32_t a[4])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, family == AF_INET ? 4 : 16) == 0;
}

struct capture_ports {
	uint16_t port[CAPTURE_MAX_PORTS]; /* network order */
	int n;
};

static int capture_port_wanted(const struct capture_ports *p, const struct inet_diag_msg *m)
{
	if (p->n == 0)
		return 1;
	for (int i = 0; i < p->n; i++)
		if (m->id.idiag_sport == p->port[i] || m->id.idiag_dport == p->port[i])
			return 1;
	return 0;
}

/* Keeps everything that is not a socket (DONE, ERROR), and sockets that live
 * on loopback only (and on a wanted port). */
static int capture_keep(const struct nlmsghdr *nlh, const struct capture_ports *p)
{
	const struct inet_diag_msg *m = NLMSG_DATA(nlh);

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 1; /* malformed: keep it, the decoder must see it */
	if (!capture_is_loopback(m->idiag_family, m->id.idiag_src) ||
	    !capture_port_wanted(p, m))
		return 0;
	return capture_is_loopback(m->idiag_family, m->id.idiag_dst) ||
	       capture_is_unspecified(m->idiag_family, m->id.idiag_dst);
}

static int capture_send(int fd, const struct capture_kind *k)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = 1;
	msg.req.sdiag_family = k->family;
	msg.req.sdiag_protocol = k->proto;
	msg.req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
	msg.req.idiag_states = ~0u;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel,
	           sizeof(kernel)) < 0) {
		perror("nlcapture: send");
		return -1;
	}
	return 0;
}

static int capture_msg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= len;
}

/* Writes the kept messages of one datagram. Returns 1 once NLMSG_DONE or an
 * error has been seen, 0 to read on, -1 on failure. */
static int capture_write_chunk(FILE *out, const char *buf, size_t len,
                               const struct capture_ports *p)
{
	while (capture_msg_ok((const struct nlmsghdr *)buf, len)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

		if (capture_keep(nlh, p) && fwrite(nlh, step < len ? step : len, 1, out) != 1) {
			perror("nlcapture: write");
			return -1;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);
			fprintf(stderr, "nlcapture: kernel error: %s\n", strerror(-e->error));
			return -1;
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (step >= len)
			return 0;
		buf += step;
		len -= step;
	}
	fprintf(stderr, "nlcapture: %zu stray bytes in reply\n", len);
	return -1;
}

static int capture_recv_all(int fd, FILE *out, const struct capture_ports *p)
{
	char *buf = malloc(CAPTURE_BUFSIZE);
	int rc = 0;

	if (!buf) {
		perror("nlcapture");
		return -1;
	}
	while (rc == 0) {
		ssize_t n = recv(fd, buf, CAPTURE_BUFSIZE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("nlcapture: recv");
			rc = -1;
			break;
		}
		rc = capture_write_chunk(out, buf, (size_t)n, p);
	}
	free(buf);
	return rc < 0 ? -1 : 0;
}

static const struct capture_kind *capture_find_kind(const char *name)
{
	for (size_t i = 0; i < sizeof(capture_kinds) / sizeof(capture_kinds[0]); i++)
		if (strcmp(capture_kinds[i].name, name) == 0)
			return &capture_kinds[i];
	return NULL;
}

static int capture_parse_ports(int argc, char **argv, struct capture_ports *p)
{
	p->n = 0;
	for (int i = 0; i < argc; i++) {
		char *end;
		long v = strtol(argv[i], &end, 10);
		if (*end || v < 1 || v > 65535 || p->n == CAPTURE_MAX_PORTS)
			return -1;
		p->port[p->n++] = htons((uint16_t)v);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct capture_kind *k = argc >= 3 ? capture_find_kind(argv[1]) : NULL;
	struct capture_ports ports;
	FILE *out;
	int fd, rc;

	if (!k || capture_parse_ports(argc - 3, argv + 3, &ports) < 0) {
		fprintf(stderr, "usage: nlcapture tcp4|tcp6|udp4|udp6 OUT.bin [PORT]...\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("nlcapture: socket");
		return 1;
	}
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		close(fd);
		return 1;
	}
	rc = capture_send(fd, k) == 0 ? capture_recv_all(fd, out, &ports) : -1;
	if (fclose(out) != 0)
		rc = -1;
	close(fd);
	return rc == 0 ? 0 : 1;
}
