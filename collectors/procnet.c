/* procnet.c — the /proc/net/{tcp,tcp6,udp,udp6} source: reads the kernel's
 * socket tables whole and parses them in place into sock_rec records. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procnet.h"

/* One line of a table, end exclusive, never NUL-terminated. */
struct procnet_cursor {
	const char *p, *end;
};

/* The fields of a line we read but do not keep. */
struct procnet_line {
	uint64_t sl, tx, rx, timer, when, retrans, uid, inode;
	int64_t timeout;
};

static int procnet_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void procnet_skip_blanks(struct procnet_cursor *c)
{
	while (c->p < c->end && procnet_is_blank(*c->p))
		c->p++;
}

/* Fields are separated by at least one blank. */
static int procnet_blanks(struct procnet_cursor *c)
{
	if (c->p >= c->end || !procnet_is_blank(*c->p))
		return -1;
	procnet_skip_blanks(c);
	return 0;
}

static int procnet_char(struct procnet_cursor *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

static int procnet_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 1 to max hex digits (max <= 16, so no overflow); more is a bad field. */
static int procnet_hex(struct procnet_cursor *c, unsigned max, uint64_t *v)
{
	unsigned n = 0;
	int d;

	*v = 0;
	while (c->p < c->end && (d = procnet_hexdigit(*c->p)) >= 0) {
		if (++n > max)
			return -1;
		*v = *v << 4 | (uint64_t)d;
		c->p++;
	}
	return n ? 0 : -1;
}

/* Decimal digits up to limit. */
static int procnet_dec(struct procnet_cursor *c, uint64_t limit, uint64_t *v)
{
	unsigned n = 0;

	*v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		uint64_t d = (uint64_t)(*c->p - '0');
		if (*v > (limit - d) / 10)
			return -1;
		*v = *v * 10 + d;
		c->p++;
		n++;
	}
	return n ? 0 : -1;
}

static int procnet_signed(struct procnet_cursor *c, int64_t *v)
{
	uint64_t u;
	int neg = procnet_char(c, '-') == 0;

	if (procnet_dec(c, INT32_MAX, &u) < 0)
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

/* The kernel prints each 32-bit word of the address as a host-order integer
 * (%08X of the __be32 as loaded), so storing the value back in host order
 * gives the bytes the kernel held: network order. IPv4 is one word, IPv6
 * four. Exactly 8 digits a word, or the words cannot be told apart. */
static int procnet_addr(struct procnet_cursor *c, uint8_t family, uint8_t out[16])
{
	unsigned words = family == AF_INET6 ? 4 : 1;

	for (unsigned i = 0; i < words; i++) {
		struct procnet_cursor word = { c->p, c->end };
		uint64_t v;
		if (c->end - c->p < 8)
			return -1;
		word.end = c->p + 8;
		if (procnet_hex(&word, 8, &v) < 0 || word.p != word.end)
			return -1;
		uint32_t w = (uint32_t)v;
		memcpy(out + 4 * i, &w, sizeof(w));
		c->p += 8;
	}
	return 0;
}

static int procnet_endpoint(struct procnet_cursor *c, uint8_t family,
                            uint8_t addr[16], uint16_t *port)
{
	uint64_t v;

	if (procnet_addr(c, family, addr) < 0 || procnet_char(c, ':') < 0 ||
	    procnet_hex(c, 4, &v) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int procnet_pair(struct procnet_cursor *c, unsigned max1, uint64_t *a,
                        unsigned max2, uint64_t *b)
{
	if (procnet_hex(c, max1, a) < 0 || procnet_char(c, ':') < 0 ||
	    procnet_hex(c, max2, b) < 0)
		return -1;
	return 0;
}

/* The fields after inode (refcount, pointer, and for full sockets timers and
 * congestion numbers): only how many there are matters. */
static unsigned procnet_count_rest(struct procnet_cursor *c)
{
	unsigned n = 0;

	procnet_skip_blanks(c);
	while (c->p < c->end) {
		n++;
		while (c->p < c->end && !procnet_is_blank(*c->p))
			c->p++;
		procnet_skip_blanks(c);
	}
	return n;
}

/* Parses "sl: local rem st tx:rx tr:when retrnsmt uid timeout inode ...".
 * Returns NULL, or what is wrong with the first bad field. */
static const char *procnet_fields(struct procnet_cursor *c, struct sock_rec *r,
                                  struct procnet_line *f)
{
	uint64_t st;

	procnet_skip_blanks(c);
	if (procnet_dec(c, UINT32_MAX, &f->sl) < 0 || procnet_char(c, ':') < 0)
		return "bad slot number";
	if (procnet_blanks(c) < 0 ||
	    procnet_endpoint(c, r->family, r->laddr, &r->lport) < 0)
		return "bad local address";
	if (procnet_blanks(c) < 0 ||
	    procnet_endpoint(c, r->family, r->raddr, &r->rport) < 0)
		return "bad remote address";
	/* Two hex digits reach 0xFF; only the kernel's states may pass, as
	 * netlink_parse_msg insists, or the two sources disagree. */
	if (procnet_blanks(c) < 0 || procnet_hex(c, 2, &st) < 0 ||
	    st == 0 || st >= SOCK_ST_MAX)
		return "bad state";
	r->state = (uint8_t)st;
	if (procnet_blanks(c) < 0 || procnet_pair(c, 8, &f->tx, 8, &f->rx) < 0)
		return "bad tx_queue:rx_queue";
	if (procnet_blanks(c) < 0 || procnet_pair(c, 2, &f->timer, 16, &f->when) < 0)
		return "bad tr:tm->when";
	if (procnet_blanks(c) < 0 || procnet_hex(c, 8, &f->retrans) < 0)
		return "bad retrnsmt";
	if (procnet_blanks(c) < 0 || procnet_dec(c, UINT32_MAX, &f->uid) < 0)
		return "bad uid";
	if (procnet_blanks(c) < 0 || procnet_signed(c, &f->timeout) < 0)
		return "bad timeout";
	if (procnet_blanks(c) < 0 || procnet_dec(c, UINT64_MAX, &f->inode) < 0 ||
	    (c->p < c->end && !procnet_is_blank(*c->p)))
		return "bad inode";
	return NULL;
}

/* A request socket (a SYN_RECV that is not yet a full socket) ends its line
 * with just "refcount pointer" after the inode. /proc prints its listener's
 * uid; netlink says 0, and both sources must agree. */
static int procnet_is_request(const struct sock_rec *r, unsigned rest)
{
	return r->proto == IPPROTO_TCP && r->state == SOCK_ST_SYN_RECV &&
	       r->inode == 0 && rest <= 2;
}

static const char *procnet_line(struct procnet_cursor *c, struct sock_rec *r)
{
	struct procnet_line f;
	const char *bad = procnet_fields(c, r, &f);

	if (bad)
		return bad;
	r->uid = (uint32_t)f.uid;
	r->inode = f.inode;
	r->timewait = r->proto == IPPROTO_TCP && f.timer == 3;
	/* Both sources: recvq is rx (a listener's accept queue), sendq is tx.
	 * netlink's listener sendq (the backlog limit) is not in /proc. */
	r->recvq = (uint32_t)f.rx;
	r->sendq = (uint32_t)f.tx;
	/* Every kernel prints at least refcount and pointer after the inode:
	 * a line ending at the inode may have lost some of its digits. */
	unsigned rest = procnet_count_rest(c);
	if (rest == 0)
		return "truncated after inode";
	if (procnet_is_request(r, rest))
		r->uid = 0;
	return NULL;
}

static int procnet_blank_line(const char *p, const char *end)
{
	while (p < end && procnet_is_blank(*p))
		p++;
	return p == end;
}

/* The kernel's header starts with "sl" (after padding); records with a
 * number. Only the first line may be a header. */
static int procnet_is_header(const char *p, const char *end)
{
	while (p < end && procnet_is_blank(*p))
		p++;
	return end - p >= 2 && p[0] == 's' && p[1] == 'l';
}

static int procnet_args_ok(uint8_t proto, uint8_t family)
{
	return (proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
	       (family == AF_INET || family == AF_INET6);
}

static int procnet_fail(struct sock_list *out, size_t start, char *err,
                        size_t errlen, size_t lineno, const char *what)
{
	out->n = start;
	if (lineno)
		snprintf(err, errlen, "line %zu: %s", lineno, what);
	else
		snprintf(err, errlen, "%s", what);
	return -1;
}

/* One line: a header, a blank, or a record appended to out. Returns NULL or
 * what was wrong with it. */
static const char *procnet_one(const char *p, const char *end, size_t lineno,
                               uint8_t proto, uint8_t family,
                               struct sock_list *out, int *added)
{
	*added = 0;
	if (procnet_blank_line(p, end) || (lineno == 1 && procnet_is_header(p, end)))
		return NULL;
	struct sock_rec *r = sock_list_push(out);
	if (!r)
		return "out of memory";
	r->proto = proto;
	r->family = family;
	struct procnet_cursor c = { p, end };
	const char *bad = procnet_line(&c, r);
	if (bad) {
		out->n--;
		return bad;
	}
	*added = 1;
	return NULL;
}

int procnet_parse(const char *text, size_t len, uint8_t proto, uint8_t family,
                  struct sock_list *out, char *err, size_t errlen)
{
	size_t start = out->n, lineno = 0;
	const char *p = text, *end = text ? text + len : text;

	if (!procnet_args_ok(proto, family))
		return procnet_fail(out, start, err, errlen, 0, "unsupported table");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		int added;
		const char *bad = procnet_one(p, eol, ++lineno, proto, family, out, &added);
		if (bad)
			return procnet_fail(out, start, err, errlen, lineno, bad);
		if (out->n - start > INT_MAX)
			return procnet_fail(out, start, err, errlen, lineno, "too many lines");
		p = nl ? nl + 1 : end;
	}
	return (int)(out->n - start);
}

/* One read buffer reused for every table of a collection. */
struct procnet_buf {
	char *p;
	size_t len, cap;
};

static int procnet_grow(struct procnet_buf *b)
{
	size_t cap = b->cap ? b->cap * 2 : 64 * 1024;
	char *p;

	if (cap < b->cap || !(p = realloc(b->p, cap)))
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* /proc files have no size: read until EOF. */
static int procnet_read_fd(int fd, struct procnet_buf *b)
{
	b->len = 0;
	for (;;) {
		if (b->len == b->cap && procnet_grow(b) < 0) {
			errno = ENOMEM;
			return -1;
		}
		ssize_t n = read(fd, b->p + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
	}
}

/* Returns 0 read, 1 absent (ENOENT), -1 with errno. */
static int procnet_read_file(const char *path, struct procnet_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	int rc = procnet_read_fd(fd, b);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

struct procnet_table {
	const char *name;
	uint8_t proto, family;
	unsigned want_proto, want_family;
	int optional;   /* absent when the kernel has no IPv6 */
};

static const struct procnet_table procnet_tables[] = {
	{ "tcp",  IPPROTO_TCP, AF_INET,  SOCK_WANT_TCP, SOCK_WANT_V4, 0 },
	{ "tcp6", IPPROTO_TCP, AF_INET6, SOCK_WANT_TCP, SOCK_WANT_V6, 1 },
	{ "udp",  IPPROTO_UDP, AF_INET,  SOCK_WANT_UDP, SOCK_WANT_V4, 0 },
	{ "udp6", IPPROTO_UDP, AF_INET6, SOCK_WANT_UDP, SOCK_WANT_V6, 1 },
};

static unsigned procnet_want_all_if_none(unsigned want)
{
	if (!(want & (SOCK_WANT_TCP | SOCK_WANT_UDP)))
		want |= SOCK_WANT_TCP | SOCK_WANT_UDP;
	if (!(want & (SOCK_WANT_V4 | SOCK_WANT_V6)))
		want |= SOCK_WANT_V4 | SOCK_WANT_V6;
	return want;
}

static int procnet_table_collect(const char *proc_root, const struct procnet_table *t,
                                 struct procnet_buf *b, struct sock_list *out,
                                 char *err, size_t errlen)
{
	char path[PATH_MAX], why[256];
	int n = snprintf(path, sizeof(path), "%s/net/%s", proc_root, t->name);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "%s/net/%s: path too long", proc_root, t->name);
		return -1;
	}
	int rc = procnet_read_file(path, b);
	if (rc == 1 && t->optional)
		return 0;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(rc == 1 ? ENOENT : errno));
		return -1;
	}
	if (procnet_parse(b->p, b->len, t->proto, t->family, out, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	return 0;
}

int procnet_collect(const char *proc_root, unsigned want, struct sock_list *out,
                    char *err, size_t errlen)
{
	struct procnet_buf b = { NULL, 0, 0 };
	size_t start = out->n;
	int rc = 0;

	want = procnet_want_all_if_none(want);
	for (size_t i = 0; rc == 0 && i < sizeof(procnet_tables) / sizeof(procnet_tables[0]); i++) {
		const struct procnet_table *t = &procnet_tables[i];
		if ((want & t->want_proto) && (want & t->want_family))
			rc = procnet_table_collect(proc_root, t, &b, out, err, errlen);
	}
	free(b.p);
	if (rc < 0)
		out->n = start;
	return rc;
}
