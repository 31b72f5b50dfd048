/* netlink.c — the sock_diag source: inet_diag v2 dump requests over one
 * libnl-3 socket, the decoding of their replies into sock_rec, and closing
 * one TCP socket with SOCK_DESTROY (what ss -K does). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/socket.h>

#include "netlink.h"

/* The kernel paces a dump to the reader (it refills as we drain), so the
 * receive buffer only has to hold a burst; it grows on ENOBUFS. SO_RCVBUF is
 * capped by net.core.rmem_max, so growing past that changes nothing. */
#define NETLINK_RCVBUF_START (1 << 20)
#define NETLINK_RCVBUF_MAX   (16 << 20)
/* A dump datagram is at most 32 KiB (the kernel caps its dump skb there). */
#define NETLINK_MSGBUF       32768
#define NETLINK_INTR_RETRIES   3
#define NETLINK_NOBUFS_RETRIES 4

/* SOCK_DESTROY is answered at once (tcp_abort runs inside the request), so
 * a silent kernel means the answer was lost, not that it is slow. */
#define NETLINK_ACK_TIMEOUT_MS 5000

/* Every state sock.h knows, and not TCP_BOUND_INACTIVE (13, Linux 6.8+):
 * bound-but-idle sockets appear in neither /proc/net/tcp nor ss's default
 * output, and both sources must yield the same table. */
#define NETLINK_STATES (((1u << SOCK_ST_MAX) - 1) & ~1u)

/* Dump replies are read straight into one buffer kept with the socket:
 * one recvmsg per datagram, no peek and no allocation per datagram, and the
 * records are decoded where they lie. Twice the kernel's largest dump
 * datagram, so none is ever cut (MSG_TRUNC is still checked). */
#define NETLINK_DUMPBUF (2 * NETLINK_MSGBUF)

struct netlink_source {
	struct nl_sock *sk;
	int rcvbuf;
	unsigned char *dumpbuf;   /* NETLINK_DUMPBUF bytes, malloc-aligned */
};

struct netlink_kind {
	unsigned want_proto, want_family;
	uint8_t proto, family;
	const char *name;
	int destroy_group;      /* where the kernel announces its closed sockets */
};

static const struct netlink_kind netlink_kinds[] = {
	{ SOCK_WANT_TCP, SOCK_WANT_V4, IPPROTO_TCP, AF_INET, "tcp/IPv4", SKNLGRP_INET_TCP_DESTROY },
	{ SOCK_WANT_TCP, SOCK_WANT_V6, IPPROTO_TCP, AF_INET6, "tcp/IPv6", SKNLGRP_INET6_TCP_DESTROY },
	{ SOCK_WANT_UDP, SOCK_WANT_V4, IPPROTO_UDP, AF_INET, "udp/IPv4", SKNLGRP_INET_UDP_DESTROY },
	{ SOCK_WANT_UDP, SOCK_WANT_V6, IPPROTO_UDP, AF_INET6, "udp/IPv6", SKNLGRP_INET6_UDP_DESTROY },
};

/* TCP over both families in one dump. The kernel walks its TCP hash
 * tables, which every network namespace shares, once per dump however few
 * sockets the namespace holds (3.4 ms a dump in an empty namespace beside
 * 10,000 host sockets), so per namespace read the walks are what count.
 * The v2 request needs a family; the legacy TCPDIAG_GETSOCK request dumps
 * AF_UNSPEC: one walk instead of two. Its replies are inet_diag_msg
 * records like the v2's, under its own message type. */
static const struct netlink_kind netlink_tcp_any = {
	SOCK_WANT_TCP, SOCK_WANT_V4 | SOCK_WANT_V6, IPPROTO_TCP, AF_UNSPEC, "tcp", 0
};

/* What walking a run of reply messages came to. */
enum netlink_walk_status {
	NETLINK_WALK_MORE,      /* all consumed, the dump goes on */
	NETLINK_WALK_DONE,      /* NLMSG_DONE seen */
	NETLINK_WALK_KERNEL,    /* NLMSG_ERROR from the kernel: walk.kernel_errno */
	NETLINK_WALK_MALFORMED,
	NETLINK_WALK_NOMEM
};

struct netlink_walk {
	uint8_t proto;
	struct sock_list *out;
	int check_seq;          /* live dumps: skip leftovers of an abandoned one */
	uint32_t seq;
	int intr;               /* a message carried NLM_F_DUMP_INTR */
	int kernel_errno;
};

enum netlink_dump_status {
	NETLINK_DUMP_OK,
	NETLINK_DUMP_INTR,      /* complete, but the table changed under it */
	NETLINK_DUMP_NOBUFS,    /* the receive buffer overran: messages lost */
	NETLINK_DUMP_FAIL       /* err is filled */
};

__attribute__((format(printf, 3, 4)))
static void netlink_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- decoding ---- */

/* Only the attribute types matter here; INET_DIAG_INFO's length is checked
 * field by field because older kernels send a shorter struct tcp_info. */
static struct nla_policy netlink_policy[INET_DIAG_MAX + 1] = {
	[INET_DIAG_INFO] = { .type = NLA_UNSPEC },
	[INET_DIAG_PROTOCOL] = { .type = NLA_U8 },
};

/* The kernel's struct tcp_info (linux/tcp.h) past the fields glibc knows.
 * libnl pulls in glibc's <netinet/tcp.h>, whose struct tcp_info stops at
 * tcpi_total_retrans and clashes with linux/tcp.h, so the appended fields we
 * read are spelled out here. The layout is kernel ABI: fields are only ever
 * appended, and the asserts pin the offsets. */
struct netlink_tcp_info {
	struct tcp_info base;
	uint64_t pacing_rate, max_pacing_rate;
	uint64_t bytes_acked, bytes_received;          /* Linux 4.1, 4.2 */
	uint32_t segs_out, segs_in, notsent_bytes, min_rtt;
	uint32_t data_segs_in, data_segs_out;
	uint64_t delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
	uint32_t delivered, delivered_ce;
	uint64_t bytes_sent;                           /* Linux 4.19 */
};
_Static_assert(offsetof(struct netlink_tcp_info, bytes_acked) == 120, "tcp_info ABI");
_Static_assert(offsetof(struct netlink_tcp_info, bytes_received) == 128, "tcp_info ABI");
_Static_assert(offsetof(struct netlink_tcp_info, bytes_sent) == 200, "tcp_info ABI");

/* Copies what the kernel sent of struct tcp_info; fields past the end of its
 * reply stay zero, which sock.h defines as "not reported". */
static void netlink_parse_tcpinfo(const struct nlattr *attr, struct sock_rec *rec)
{
	struct netlink_tcp_info ti;
	size_t len = (size_t)nla_len(attr);

	if (len < sizeof(struct tcp_info))
		return; /* not even the 2.6-era fields: nothing to trust */
	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, nla_data(attr), len < sizeof(ti) ? len : sizeof(ti));
	rec->tcp.rtt_us = ti.base.tcpi_rtt;
	rec->tcp.rttvar_us = ti.base.tcpi_rttvar;
	rec->tcp.retransmits = ti.base.tcpi_retransmits;
	rec->tcp.total_retrans = ti.base.tcpi_total_retrans;
	rec->tcp.snd_cwnd = ti.base.tcpi_snd_cwnd;
	rec->tcp.bytes_acked = ti.bytes_acked;
	rec->tcp.bytes_received = ti.bytes_received;
	rec->tcp.bytes_sent = ti.bytes_sent;
	rec->has_tcpinfo = 1;
}

static void netlink_fill_rec(const struct inet_diag_msg *m, uint8_t proto,
                             struct sock_rec *rec)
{
	size_t alen = m->idiag_family == AF_INET ? 4 : 16;

	memset(rec, 0, sizeof(*rec));
	rec->proto = proto;
	rec->family = m->idiag_family;
	rec->state = m->idiag_state;
	rec->lport = ntohs(m->id.idiag_sport);
	rec->rport = ntohs(m->id.idiag_dport);
	memcpy(rec->laddr, m->id.idiag_src, alen);
	memcpy(rec->raddr, m->id.idiag_dst, alen);
	rec->ifindex = m->id.idiag_if;
	rec->uid = m->idiag_uid;
	/* The kernel computes these as /proc/net and ss show them: TCP
	 * rcv_nxt - copied_seq and write_seq - snd_una, a listener's accept
	 * backlog and its limit, UDP's allocated receive and send memory. */
	rec->recvq = m->idiag_rqueue;
	rec->sendq = m->idiag_wqueue;
	rec->inode = m->idiag_inode;
	rec->timewait = proto == IPPROTO_TCP && m->idiag_timer == 3;
	rec->cookie = (uint64_t)m->id.idiag_cookie[0] |
	              (uint64_t)m->id.idiag_cookie[1] << 32;
}

/* The one attribute a dump record needs, found in one pass over its
 * attributes (nlmsg_parse would index all of them, then a second walk
 * would check they fit: a tenth of a poll's user time at 10,000 sockets).
 * An attribute shorter than its header or longer than what is left of the
 * message means the message is corrupt. Returns 0 with *info the last
 * INET_DIAG_INFO (or NULL, as nla_parse keeps the last), -1 if corrupt. */
static int netlink_find_info(const struct nlmsghdr *h, const struct nlattr **info)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg));
	size_t end = h->nlmsg_len;

	*info = NULL;
	while (off < end) {
		const struct nlattr *a = (const struct nlattr *)((const char *)h + off);
		if (end - off < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > end - off)
			return -1;
		if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO)
			*info = a;
		off += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

int netlink_parse_msg(const struct nlmsghdr *nlh, uint8_t proto, struct sock_rec *rec)
{
	const struct nlattr *info;
	const struct inet_diag_msg *m;

	if (!nlh || !rec)
		return -1;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY &&
	    !(nlh->nlmsg_type == TCPDIAG_GETSOCK && proto == IPPROTO_TCP))
		return -1;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return -1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || netlink_find_info(nlh, &info) < 0)
		return -1;
	m = NLMSG_DATA(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -1;
	if (m->idiag_state == 0 || m->idiag_state >= SOCK_ST_MAX)
		return -1;
	netlink_fill_rec(m, proto, rec);
	/* A listener's tcp_info holds no RTT, window or byte counts worth
	 * showing; minisockets (TIME_WAIT, NEW_SYN_RECV) carry no attributes. */
	if (proto == IPPROTO_TCP && info && m->idiag_state != SOCK_ST_LISTEN)
		netlink_parse_tcpinfo(info, rec);
	return 0;
}

/* The kernel answers 0 (an ACK) or a negative errno, never below -4095
 * (MAX_ERRNO). Anything else is not its answer, and negating INT_MIN would
 * overflow. */
static int netlink_error_ok(const struct nlmsgerr *e)
{
	return e->error <= 0 && e->error >= -4095;
}

static enum netlink_walk_status netlink_walk_error(struct netlink_walk *w,
                                                   struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;

	if (!nlmsg_valid_hdr(nlh, sizeof(*e)) || !netlink_error_ok(nlmsg_data(nlh)))
		return NETLINK_WALK_MALFORMED;
	e = nlmsg_data(nlh);
	if (e->error == 0)
		return NETLINK_WALK_MORE; /* an ACK: we ask for none, harmless */
	w->kernel_errno = -e->error;
	return NETLINK_WALK_KERNEL;
}

static enum netlink_walk_status netlink_walk_sock(struct netlink_walk *w,
                                                  struct nlmsghdr *nlh)
{
	struct sock_rec *rec = sock_list_push(w->out);

	if (!rec)
		return NETLINK_WALK_NOMEM;
	if (netlink_parse_msg(nlh, w->proto, rec) < 0) {
		w->out->n--;
		return NETLINK_WALK_MALFORMED;
	}
	return NETLINK_WALK_MORE;
}

static enum netlink_walk_status netlink_walk_one(struct netlink_walk *w,
                                                 struct nlmsghdr *nlh)
{
	if (w->check_seq && nlh->nlmsg_seq != w->seq)
		return NETLINK_WALK_MORE;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		w->intr = 1;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		return NETLINK_WALK_DONE;
	case NLMSG_ERROR:
		return netlink_walk_error(w, nlh);
	case NLMSG_NOOP:
		return NETLINK_WALK_MORE;
	case SOCK_DIAG_BY_FAMILY:
	case TCPDIAG_GETSOCK:          /* the answer to netlink_tcp_any */
		return netlink_walk_sock(w, nlh);
	default:
		return NETLINK_WALK_MALFORMED;
	}
}

/* Walks the messages of one datagram (or of a whole recording), which must
 * be 4-byte aligned. Stops at NLMSG_DONE, an error, or the end. */
static enum netlink_walk_status netlink_walk(struct netlink_walk *w, void *buf, int len)
{
	struct nlmsghdr *nlh = buf;
	int rem = len;

	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		enum netlink_walk_status st = netlink_walk_one(w, nlh);
		if (st != NETLINK_WALK_MORE)
			return st;
	}
	return rem == 0 ? NETLINK_WALK_MORE : NETLINK_WALK_MALFORMED;
}

int netlink_parse_buffer(const void *buf, size_t len, uint8_t proto, struct sock_list *out)
{
	struct netlink_walk w = { .proto = proto, .out = out };
	void *copy = NULL;
	size_t base;
	enum netlink_walk_status st;

	if (!buf || !out || len > INT_MAX)
		return -1;
	if ((uintptr_t)buf % NLMSG_ALIGNTO != 0) {
		copy = malloc(len ? len : 1);
		if (!copy)
			return -1;
		memcpy(copy, buf, len);
	}
	base = out->n;
	st = netlink_walk(&w, copy ? copy : (void *)buf, (int)len);
	free(copy);
	/* A recording that stops short of NLMSG_DONE is truncated: reject it
	 * whole rather than hand out part of a table. */
	if (st != NETLINK_WALK_DONE) {
		out->n = base;
		return -1;
	}
	return (int)(out->n - base);
}

/* ---- the live source ---- */

struct netlink_source *netlink_open(char *err, size_t errlen)
{
	struct netlink_source *src = calloc(1, sizeof(*src));
	int rc;

	if (!src || !(src->dumpbuf = malloc(NETLINK_DUMPBUF)) ||
	    !(src->sk = nl_socket_alloc())) {
		if (src)
			free(src->dumpbuf);
		free(src);
		netlink_fail(err, errlen, "netlink sock_diag: out of memory");
		return NULL;
	}
	rc = nl_connect(src->sk, NETLINK_SOCK_DIAG);
	if (rc == 0) {
		src->rcvbuf = NETLINK_RCVBUF_START;
		rc = nl_socket_set_buffer_size(src->sk, src->rcvbuf, 0);
	}
	if (rc < 0) {
		netlink_fail(err, errlen, "netlink sock_diag refused: %s", nl_geterror(rc));
		netlink_close(src);
		return NULL;
	}
	/* Dumps end in NLMSG_DONE; an ACK on top would only be noise. Peeking
	 * lets nl_recv size its buffer to the datagram, so none is truncated. */
	nl_socket_disable_auto_ack(src->sk);
	nl_socket_enable_msg_peek(src->sk);
	nl_socket_set_msg_buf_size(src->sk, NETLINK_MSGBUF);
	return src;
}

void netlink_close(struct netlink_source *src)
{
	if (!src)
		return;
	nl_socket_free(src->sk); /* closes the socket too */
	free(src->dumpbuf);
	free(src);
}

/* Sends one request (an inet_diag_req_v2, or the legacy inet_diag_req, of
 * len bytes) of type with flags; *seq gets the sequence number
 * nl_send_auto gave it, to match the replies. */
static int netlink_send_req(struct nl_sock *sk, int type, int flags,
                            const void *req, size_t len, uint32_t *seq)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);
	int rc;

	if (!msg)
		return -NLE_NOMEM;
	rc = nlmsg_append(msg, (void *)req, len, NLMSG_ALIGNTO);
	if (rc == 0) {
		do
			rc = nl_send_auto(sk, msg);
		while (rc == -NLE_INTR);
	}
	if (rc >= 0)
		*seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	return rc < 0 ? rc : 0;
}

static int netlink_send_request(struct nl_sock *sk, const struct netlink_kind *k,
                                uint32_t *seq)
{
	if (k->family == AF_UNSPEC) {
		struct inet_diag_req old = {
			.idiag_family = AF_UNSPEC,
			.idiag_ext = 1u << (INET_DIAG_INFO - 1),
			.idiag_states = NETLINK_STATES,
		};
		return netlink_send_req(sk, TCPDIAG_GETSOCK, NLM_F_REQUEST | NLM_F_DUMP,
		                        &old, sizeof(old), seq);
	}
	struct inet_diag_req_v2 req = {
		.sdiag_family = k->family,
		.sdiag_protocol = k->proto,
		.idiag_ext = 1u << (INET_DIAG_INFO - 1),
		.idiag_states = NETLINK_STATES,
	};
	return netlink_send_req(sk, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP,
	                        &req, sizeof(req), seq);
}

static void netlink_kernel_fail(const struct netlink_kind *k, int e, char *err, size_t errlen)
{
	/* UDP dumps need the udp_diag module; without it the kernel answers
	 * ENOENT. That is reported, not skipped: a table silently missing all
	 * UDP sockets would look complete, while an error lets the caller fall
	 * back to /proc/net/udp. */
	const char *hint = (k->proto == IPPROTO_UDP && (e == ENOENT || e == EINVAL))
	                   ? " (is the udp_diag module available?)" : "";

	netlink_fail(err, errlen, "netlink sock_diag dump of %s refused: %s%s",
	             k->name, strerror(e), hint);
}

static enum netlink_dump_status netlink_walk_to_dump(const struct netlink_walk *w,
                                                     enum netlink_walk_status st,
                                                     const struct netlink_kind *k,
                                                     char *err, size_t errlen)
{
	switch (st) {
	case NETLINK_WALK_DONE:
		return w->intr ? NETLINK_DUMP_INTR : NETLINK_DUMP_OK;
	case NETLINK_WALK_KERNEL:
		if (w->kernel_errno == ENOBUFS)
			return NETLINK_DUMP_NOBUFS;
		netlink_kernel_fail(k, w->kernel_errno, err, errlen);
		return NETLINK_DUMP_FAIL;
	case NETLINK_WALK_NOMEM:
		netlink_fail(err, errlen, "netlink sock_diag dump of %s: out of memory", k->name);
		return NETLINK_DUMP_FAIL;
	default:
		netlink_fail(err, errlen, "netlink sock_diag dump of %s: malformed reply", k->name);
		return NETLINK_DUMP_FAIL;
	}
}

/* One datagram into src->dumpbuf: its length, or -errno. *from_kernel
 * says whether the kernel (port 0) sent it; only it answers dumps. */
static ssize_t netlink_recv_datagram(struct netlink_source *src, int *from_kernel)
{
	struct sockaddr_nl peer;
	struct iovec iov = { src->dumpbuf, NETLINK_DUMPBUF };
	struct msghdr mh = { .msg_name = &peer, .msg_namelen = sizeof(peer),
	                     .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(nl_socket_get_fd(src->sk), &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	*from_kernel = peer.nl_pid == 0;
	return n;
}

/* Reads datagrams until the dump's NLMSG_DONE. */
static enum netlink_dump_status netlink_recv_dump(struct netlink_source *src,
                                                  struct netlink_walk *w,
                                                  const struct netlink_kind *k,
                                                  char *err, size_t errlen)
{
	enum netlink_walk_status st = NETLINK_WALK_MORE;

	while (st == NETLINK_WALK_MORE) {
		int from_kernel = 0;
		ssize_t n = netlink_recv_datagram(src, &from_kernel);

		/* ENOBUFS: the receive buffer overran and messages were lost. */
		if (n == -ENOBUFS)
			return NETLINK_DUMP_NOBUFS;
		if (n <= 0) {
			netlink_fail(err, errlen, "netlink sock_diag dump of %s: %s", k->name,
			             n == 0 ? "connection closed" : strerror((int)-n));
			return NETLINK_DUMP_FAIL;
		}
		if (from_kernel)
			st = netlink_walk(w, src->dumpbuf, (int)n);
	}
	return netlink_walk_to_dump(w, st, k, err, errlen);
}

static enum netlink_dump_status netlink_dump_once(struct netlink_source *src,
                                                  const struct netlink_kind *k,
                                                  struct sock_list *out,
                                                  char *err, size_t errlen)
{
	struct netlink_walk w = { .proto = k->proto, .out = out, .check_seq = 1 };
	int rc = netlink_send_request(src->sk, k, &w.seq);

	if (rc < 0) {
		netlink_fail(err, errlen, "netlink sock_diag request for %s failed: %s",
		             k->name, nl_geterror(rc));
		return NETLINK_DUMP_FAIL;
	}
	return netlink_recv_dump(src, &w, k, err, errlen);
}

/* After an overrun the rest of the abandoned dump may still arrive; read it
 * away so the next request does not find the kernel busy (EBUSY) with it.
 * Stragglers are also skipped by sequence number. */
static void netlink_drain(struct netlink_source *src)
{
	char buf[8192];
	int fd = nl_socket_get_fd(src->sk);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0 || (n < 0 && (errno == EINTR || errno == ENOBUFS)))
			continue;
		break; /* EAGAIN: nothing left */
	}
}

static void netlink_grow(struct netlink_source *src)
{
	if (src->rcvbuf < NETLINK_RCVBUF_MAX)
		src->rcvbuf *= 2;
	/* Best effort: the old size still works, only more slowly. */
	(void)nl_socket_set_buffer_size(src->sk, src->rcvbuf, 0);
}

/* One family/protocol dump, redone when interrupted or overrun. */
static int netlink_dump(struct netlink_source *src, const struct netlink_kind *k,
                        struct sock_list *out, char *err, size_t errlen)
{
	int intr_left = NETLINK_INTR_RETRIES, nobufs_left = NETLINK_NOBUFS_RETRIES;

	for (;;) {
		size_t mark = out->n;
		enum netlink_dump_status st = netlink_dump_once(src, k, out, err, errlen);

		if (st == NETLINK_DUMP_OK)
			return 0;
		/* A table that keeps changing under every retry is still worth
		 * showing: the last, slightly blurred dump is accepted. */
		if (st == NETLINK_DUMP_INTR && intr_left-- == 0)
			return 0;
		out->n = mark;
		if (st == NETLINK_DUMP_FAIL)
			return -1;
		if (st == NETLINK_DUMP_NOBUFS) {
			if (nobufs_left-- == 0) {
				netlink_fail(err, errlen, "netlink sock_diag dump of %s: receive "
				             "buffer overrun (%d bytes)", k->name, src->rcvbuf);
				return -1;
			}
			netlink_drain(src);
			netlink_grow(src);
		}
	}
}

int netlink_collect(struct netlink_source *src, unsigned want,
                    struct sock_list *out, char *err, size_t errlen)
{
	size_t base;

	if (!src || !out) {
		netlink_fail(err, errlen, "netlink sock_diag: no source");
		return -1;
	}
	base = out->n;
	int tcp_any = (want & netlink_tcp_any.want_proto) &&
	              (want & netlink_tcp_any.want_family) == netlink_tcp_any.want_family;
	if (tcp_any && netlink_dump(src, &netlink_tcp_any, out, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(netlink_kinds) / sizeof(netlink_kinds[0]); i++) {
		const struct netlink_kind *k = &netlink_kinds[i];
		if (!(want & k->want_proto) || !(want & k->want_family))
			continue;
		if (tcp_any && k->proto == IPPROTO_TCP)
			continue;
		if (netlink_dump(src, k, out, err, errlen) < 0) {
			out->n = base;
			return -1;
		}
	}
	return 0;
}

/* ---- closing a socket (SOCK_DESTROY) ---- */

int netlink_parse_ack(const void *buf, size_t len, uint32_t seq, int *kernel_errno)
{
	/* libnl's walkers take non-const pointers but only read through them. */
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int rem = (int)len;

	if (!buf || !kernel_errno || len > INT_MAX || (uintptr_t)buf % NLMSG_ALIGNTO != 0)
		return -1;
	/* Leftovers of an abandoned dump and multicast notifications (seq 0)
	 * may come first on a shared socket: only our sequence number counts. */
	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		const struct nlmsgerr *e = nlmsg_data(nlh);

		if (nlh->nlmsg_seq != seq || nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		if (!nlmsg_valid_hdr(nlh, sizeof(*e)) || !netlink_error_ok(e))
			return -1;
		*kernel_errno = -e->error;
		return 1;
	}
	return rem == 0 ? 0 : -1;
}

/* What may be closed is decided here, before anything is sent: TCP only, of
 * any state (a stuck listener is worth closing too, and ss -K allows it), and
 * only with the cookie that proves which socket the row was. UDP is refused:
 * there is no connection to close, only a server to break. */
static int netlink_destroy_check(const struct netlink_source *src,
                                 const struct sock_rec *rec, char *err, size_t errlen)
{
	if (!rec) {
		netlink_fail(err, errlen, "no socket to close");
		return -1;
	}
	if (rec->proto != IPPROTO_TCP) {
		netlink_fail(err, errlen, "only TCP connections can be closed, not %s sockets",
		             sock_proto_name(rec->proto));
		return -1;
	}
	if (rec->family != AF_INET && rec->family != AF_INET6) {
		netlink_fail(err, errlen, "not an IPv4 or IPv6 socket");
		return -1;
	}
	if (!src || rec->cookie == 0) {
		netlink_fail(err, errlen, "closing a socket needs the netlink source "
		             "(its kernel cookie is unknown from /proc)");
		return -1;
	}
	return 0;
}

/* The socket's whole identity, cookie included: the kernel looks the tuple
 * up and then refuses a socket whose cookie differs, so a newer socket that
 * took over the same addresses is never closed by mistake. */
static void netlink_destroy_req(const struct sock_rec *rec, struct inet_diag_req_v2 *req)
{
	memset(req, 0, sizeof(*req));
	req->sdiag_family = rec->family;
	req->sdiag_protocol = rec->proto;
	req->id.idiag_sport = htons(rec->lport);
	req->id.idiag_dport = htons(rec->rport);
	memcpy(req->id.idiag_src, rec->laddr, sizeof(req->id.idiag_src));
	memcpy(req->id.idiag_dst, rec->raddr, sizeof(req->id.idiag_dst));
	req->id.idiag_if = rec->ifindex;
	req->id.idiag_cookie[0] = (uint32_t)rec->cookie;
	req->id.idiag_cookie[1] = (uint32_t)(rec->cookie >> 32);
}

static int netlink_send_destroy(struct nl_sock *sk, const struct sock_rec *rec, uint32_t *seq)
{
	struct inet_diag_req_v2 req;

	netlink_destroy_req(rec, &req);
	return netlink_send_req(sk, SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, &req,
	                        sizeof(req), seq);
}

/* Waits for the socket to become readable; 1 when it is, 0 on timeout. */
static int netlink_wait_readable(struct nl_sock *sk, int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* Reads until the kernel's answer to seq: 0 with *kernel_errno (0 for an
 * ACK), or -1 with err when it cannot be had. */
static int netlink_recv_ack(struct netlink_source *src, uint32_t seq, int *kernel_errno,
                            char *err, size_t errlen)
{
	for (;;) {
		struct sockaddr_nl peer = { 0 };
		unsigned char *buf = NULL;
		struct ucred *creds = NULL;
		int n, found = 0;

		if (!netlink_wait_readable(src->sk, NETLINK_ACK_TIMEOUT_MS)) {
			netlink_fail(err, errlen, "no answer from the kernel; "
			             "the socket may still be open");
			return -1;
		}
		n = nl_recv(src->sk, &peer, &buf, &creds);
		/* ENOBUFS: notifications overran the buffer. Our answer may be
		 * among the lost; if so the wait above times out. */
		if (n == -NLE_NOMEM)
			continue;
		if (n <= 0) {
			netlink_fail(err, errlen, "reading the kernel's answer: %s",
			             n == 0 ? "connection closed" : nl_geterror(n));
			return -1;
		}
		if (peer.nl_pid == 0)
			found = netlink_parse_ack(buf, (size_t)n, seq, kernel_errno);
		free(buf);
		free(creds);
		if (found < 0) {
			netlink_fail(err, errlen, "the kernel's answer was malformed");
			return -1;
		}
		if (found)
			return 0;
	}
}

/* The kernel's refusal, in words that say what to do about it. */
static void netlink_destroy_refused(int e, char *err, size_t errlen)
{
	switch (e) {
	case EOPNOTSUPP:
		netlink_fail(err, errlen, "this kernel cannot close sockets "
		             "(built without CONFIG_INET_DIAG_DESTROY)");
		break;
	case EPERM:
	case EACCES:
		netlink_fail(err, errlen, "closing needs CAP_NET_ADMIN (run as root)");
		break;
	case ENOENT:
	case ESTALE: /* the tuple is there, but it is another socket now */
		netlink_fail(err, errlen, "the socket is already gone");
		break;
	default:
		netlink_fail(err, errlen, "the kernel refused to close the socket: %s",
		             strerror(e));
		break;
	}
}

int netlink_destroy(struct netlink_source *src, const struct sock_rec *rec,
                    char *err, size_t errlen)
{
	uint32_t seq = 0;
	int rc, kernel_errno = 0;

	if (netlink_destroy_check(src, rec, err, errlen) < 0)
		return -1;
	rc = netlink_send_destroy(src->sk, rec, &seq);
	if (rc < 0) {
		netlink_fail(err, errlen, "sending the close request failed: %s", nl_geterror(rc));
		return -1;
	}
	if (netlink_recv_ack(src, seq, &kernel_errno, err, errlen) < 0)
		return -1;
	if (kernel_errno != 0) {
		netlink_destroy_refused(kernel_errno, err, errlen);
		return -1;
	}
	return 0;
}

/* ---- the destroy watcher (SKNLGRP_*_DESTROY, what ss -E listens to) ---- */

/* The kernel announces each closed socket from a work queue, one datagram
 * of a few hundred bytes (over 1 KiB of receive buffer each, counted as the
 * kernel counts it). A burst of closes between two drains must fit: 4 MiB
 * holds some thousands; an overrun doubles it, up to the cap. */
#define NETLINK_WATCH_RCVBUF     (4 << 20)
#define NETLINK_WATCH_RCVBUF_MAX (32 << 20)
/* One drain reads at most this many datagrams, so a flood of closes cannot
 * hold the caller; what is left makes the descriptor readable again. */
#define NETLINK_WATCH_BATCH 4096

struct netlink_watch {
	struct nl_sock *sk;
	int rcvbuf;
	unsigned long overruns;
};

/* Root may pass net.core.rmem_max (SO_RCVBUFFORCE); others get what the
 * limit allows, which only makes overruns likelier. */
static void netlink_watch_size(struct netlink_watch *w)
{
	int fd = nl_socket_get_fd(w->sk);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &w->rcvbuf, sizeof(w->rcvbuf)) < 0)
		(void)nl_socket_set_buffer_size(w->sk, w->rcvbuf, 0);
}

/* Joins the destroy group of every wanted kind. The kernel refuses with
 * EPERM without CAP_NET_ADMIN on some kernels, and with EINVAL where the
 * groups do not exist (before Linux 4.10). */
static int netlink_watch_join(struct netlink_watch *w, unsigned want, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(netlink_kinds) / sizeof(netlink_kinds[0]); i++) {
		const struct netlink_kind *k = &netlink_kinds[i];
		int rc;

		if (!(want & k->want_proto) || !(want & k->want_family))
			continue;
		rc = nl_socket_add_memberships(w->sk, k->destroy_group, 0);
		if (rc < 0) {
			netlink_fail(err, errlen, "the kernel refused destroy notifications "
			             "for %s: %s", k->name, nl_geterror(rc));
			return -1;
		}
	}
	return 0;
}

struct netlink_watch *netlink_watch_open(unsigned want, char *err, size_t errlen)
{
	struct netlink_watch *w = calloc(1, sizeof(*w));
	int rc;

	if (!w || !(w->sk = nl_socket_alloc())) {
		free(w);
		netlink_fail(err, errlen, "netlink sock_diag: out of memory");
		return NULL;
	}
	/* Notifications carry sequence number 0 and are not answers. */
	nl_socket_disable_seq_check(w->sk);
	rc = nl_connect(w->sk, NETLINK_SOCK_DIAG);
	if (rc < 0) {
		netlink_fail(err, errlen, "netlink sock_diag refused: %s", nl_geterror(rc));
		netlink_watch_close(w);
		return NULL;
	}
	if (netlink_watch_join(w, want, err, errlen) < 0) {
		netlink_watch_close(w);
		return NULL;
	}
	(void)nl_socket_set_nonblocking(w->sk);
	w->rcvbuf = NETLINK_WATCH_RCVBUF;
	netlink_watch_size(w);
	return w;
}

void netlink_watch_close(struct netlink_watch *w)
{
	if (!w)
		return;
	nl_socket_free(w->sk);
	free(w);
}

int netlink_watch_fd(const struct netlink_watch *w)
{
	return w ? nl_socket_get_fd(w->sk) : -1;
}

unsigned long netlink_watch_overruns(const struct netlink_watch *w)
{
	return w ? w->overruns : 0;
}

int netlink_parse_destroy(const struct nlmsghdr *nlh, struct sock_rec *rec)
{
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;
	struct nlattr *tb[INET_DIAG_MAX + 1];

	if (!nlh || !rec || nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -1;
	if (nlmsg_parse(h, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX,
	                netlink_policy) < 0 || !tb[INET_DIAG_PROTOCOL])
		return -1;
	return netlink_parse_msg(nlh, nla_get_u8(tb[INET_DIAG_PROTOCOL]), rec);
}

int netlink_parse_notifications(const void *buf, size_t len, struct sock_list *out)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int rem = (int)len, n = 0;

	if (!buf || !out || len > INT_MAX || (uintptr_t)buf % NLMSG_ALIGNTO != 0)
		return -1;
	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		struct sock_rec *rec;

		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		rec = sock_list_push(out);
		if (!rec)
			return -1;
		/* A socket that never listened nor connected (TCP's
		 * BOUND_INACTIVE), or of another protocol sharing the group,
		 * appears in no dump either: skipped, not an error. */
		if (netlink_parse_destroy(nlh, rec) < 0) {
			out->n--;
			continue;
		}
		n++;
	}
	return rem == 0 ? n : -1;
}

/* One read: 1 when a datagram was decoded (or skipped), 0 when nothing is
 * waiting, -1 with err on a failure of the socket itself. */
static int netlink_watch_read(struct netlink_watch *w, struct sock_list *out,
                              char *err, size_t errlen)
{
	/* Aligned for the netlink walkers; one notification is far smaller. */
	uint64_t buf[8192 / sizeof(uint64_t)];
	struct sockaddr_nl peer;
	socklen_t plen = sizeof(peer);
	ssize_t n = recvfrom(nl_socket_get_fd(w->sk), buf, sizeof(buf), MSG_DONTWAIT,
	                     (struct sockaddr *)&peer, &plen);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR)
			return 1;
		if (errno == ENOBUFS) {
			/* Notifications were dropped: the caller says so once;
			 * a bigger buffer makes the next burst less likely to. */
			w->overruns++;
			if (w->rcvbuf < NETLINK_WATCH_RCVBUF_MAX) {
				w->rcvbuf *= 2;
				netlink_watch_size(w);
			}
			return 1;
		}
		netlink_fail(err, errlen, "reading destroy notifications: %s", strerror(errno));
		return -1;
	}
	/* Only the kernel announces. What a malformed datagram held up to
	 * the fault is kept; the rest of it is lost, as an overrun would. */
	if (peer.nl_pid == 0)
		(void)netlink_parse_notifications(buf, (size_t)n, out);
	return 1;
}

int netlink_watch_drain(struct netlink_watch *w, struct sock_list *out,
                        char *err, size_t errlen)
{
	size_t base;

	if (!w || !out) {
		netlink_fail(err, errlen, "no destroy watcher");
		return -1;
	}
	base = out->n;
	for (int i = 0; i < NETLINK_WATCH_BATCH; i++) {
		int rc = netlink_watch_read(w, out, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
	}
	return (int)(out->n - base);
}
