/* filter.c — the filter language (FILTER in the man page): parses the text once into an
 * array of typed terms (each an OR of alternatives), then matches sockets
 * against them without allocating. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter.h"
#include "ports.h"
#include "room.h"

/* Declared in the order terms are tested: cheap integer tests first, string
 * and regex tests last, so a failing cheap term spares the costly ones. */
enum filter_key {
	FK_FAMILY, FK_PROTO, FK_STATE, FK_PORT, FK_ADDR, FK_PID, FK_USER,
	FK_NETNS, FK_SERVICE, FK_PROC
};

enum filter_side { SIDE_ANY, SIDE_LOCAL, SIDE_REMOTE };

struct filter_keydef {
	const char *name;
	uint8_t key, side;
};

static const struct filter_keydef filter_keys[] = {
	{ "port", FK_PORT, SIDE_ANY },   { "lport", FK_PORT, SIDE_LOCAL },
	{ "rport", FK_PORT, SIDE_REMOTE }, { "state", FK_STATE, SIDE_ANY },
	{ "proto", FK_PROTO, SIDE_ANY }, { "family", FK_FAMILY, SIDE_ANY },
	{ "proc", FK_PROC, SIDE_ANY },   { "pid", FK_PID, SIDE_ANY },
	{ "user", FK_USER, SIDE_ANY },   { "addr", FK_ADDR, SIDE_ANY },
	{ "laddr", FK_ADDR, SIDE_LOCAL }, { "raddr", FK_ADDR, SIDE_REMOTE },
	{ "netns", FK_NETNS, SIDE_ANY }, { "service", FK_SERVICE, SIDE_ANY },
};

/* Every state but LISTEN and CLOSE (the group "connected"). */
#define FILTER_CONNECTED_MASK \
	(((1u << SOCK_ST_MAX) - 2u) & ~(1u << SOCK_ST_LISTEN) & ~(1u << SOCK_ST_CLOSE))

/* A literal string or a compiled regex; s points into filter.work. */
struct filter_textm {
	const char *s;
	regex_t *re;
};

/* One alternative of a comma list; which member is live follows the term's key. */
struct filter_alt {
	union {
		struct { uint16_t lo, hi; int cls; } port;     /* cls -1: a range */
		struct { uint8_t net[16], mask[16]; } net;     /* IPv6 view, see below */
		struct filter_textm text;
		struct { struct filter_textm name; uint32_t uid; int has_uid; } user;
		int pid;
	} u;
};

/* Integer keys (family, proto, state) fold their list into one bit mask;
 * the others own alts[first .. first+n). */
struct filter_term {
	uint8_t key, side, neg;
	uint32_t mask;
	size_t first, n;
};

struct filter {
	char *text;               /* normalised source */
	char *work;               /* source copy cut into NUL-terminated values */
	struct filter_term *terms;
	size_t nterms, capterms;
	struct filter_alt *alts;
	size_t nalts, capalts;
};

struct filter_parser {
	struct filter *f;
	const char *src;
	char *err;
	size_t errlen;
};

/* ---- matching ---------------------------------------------------------- */

static bool filter_textm_match(const struct filter_textm *m, const char *s, bool contains)
{
	if (m->re)
		return regexec(m->re, s, 0, NULL, 0) == 0;
	if (!m->s)
		return false;
	return contains ? strstr(s, m->s) != NULL : strcmp(s, m->s) == 0;
}

/* A listener's or an unconnected socket's remote side is the wildcard
 * (shown "*:*"); it has no port or address to match, or `port:well-known`
 * would catch every listener through its remote port 0. */
static bool filter_remote_known(const struct sock_rec *r)
{
	if (r->rport)
		return true;
	for (size_t i = 0; i < sizeof r->raddr; i++)
		if (r->raddr[i])
			return true;
	return false;
}

static bool filter_port_hit(const struct filter_alt *a, uint16_t port)
{
	if (a->u.port.cls >= 0)
		return (int)port_class(port) == a->u.port.cls;
	return port >= a->u.port.lo && port <= a->u.port.hi;
}

static bool filter_port_match(const struct filter *f, const struct filter_term *t,
                              const struct sock_rec *r)
{
	bool local = t->side != SIDE_REMOTE;
	bool remote = t->side != SIDE_LOCAL && filter_remote_known(r);

	for (size_t i = t->first; i < t->first + t->n; i++) {
		if (local && filter_port_hit(&f->alts[i], r->lport))
			return true;
		if (remote && filter_port_hit(&f->alts[i], r->rport))
			return true;
	}
	return false;
}

/* Addresses are compared in IPv6 space: an IPv4 address a.b.c.d is seen as
 * ::ffff:a.b.c.d, so one IPv4 CIDR matches a plain IPv4 socket and an IPv6
 * socket carrying a v4-mapped address alike. */
static void filter_addr_view(const struct sock_rec *r, const uint8_t a[16], uint8_t v[16])
{
	if (r->family == AF_INET) {
		memset(v, 0, 10);
		v[10] = v[11] = 0xff;
		memcpy(v + 12, a, 4);
	} else {
		memcpy(v, a, 16);
	}
}

static bool filter_net_hit(const struct filter_alt *a, const uint8_t v[16])
{
	for (int i = 0; i < 16; i++)
		if ((v[i] & a->u.net.mask[i]) != a->u.net.net[i])
			return false;
	return true;
}

static bool filter_addr_match(const struct filter *f, const struct filter_term *t,
                              const struct sock_rec *r)
{
	bool local = t->side != SIDE_REMOTE;
	bool remote = t->side != SIDE_LOCAL && filter_remote_known(r);
	uint8_t lv[16], rv[16];

	filter_addr_view(r, r->laddr, lv);
	filter_addr_view(r, r->raddr, rv);
	for (size_t i = t->first; i < t->first + t->n; i++) {
		if (local && filter_net_hit(&f->alts[i], lv))
			return true;
		if (remote && filter_net_hit(&f->alts[i], rv))
			return true;
	}
	return false;
}

static bool filter_pid_match(const struct filter *f, const struct filter_term *t,
                             const struct filter_subject *s)
{
	for (size_t o = 0; o < s->nowners; o++)
		for (size_t i = t->first; i < t->first + t->n; i++)
			if (s->owners[o].pid == f->alts[i].u.pid)
				return true;
	return false;
}

static bool filter_user_hit(const struct filter_alt *a, const struct filter_subject *s)
{
	if (a->u.user.has_uid && s->rec->uid == a->u.user.uid)
		return true;
	for (size_t o = 0; o < s->nowners; o++) {
		if (a->u.user.has_uid && s->owners[o].uid == a->u.user.uid)
			return true;
		if (filter_textm_match(&a->u.user.name, s->owners[o].user, false))
			return true;
	}
	return false;
}

static bool filter_user_match(const struct filter *f, const struct filter_term *t,
                              const struct filter_subject *s)
{
	for (size_t i = t->first; i < t->first + t->n; i++)
		if (filter_user_hit(&f->alts[i], s))
			return true;
	return false;
}

static bool filter_proc_match(const struct filter *f, const struct filter_term *t,
                              const struct filter_subject *s)
{
	for (size_t o = 0; o < s->nowners; o++)
		for (size_t i = t->first; i < t->first + t->n; i++)
			if (filter_textm_match(&f->alts[i].u.text, s->owners[o].comm, true))
				return true;
	return false;
}

static bool filter_netns_match(const struct filter *f, const struct filter_term *t,
                               const struct filter_subject *s)
{
	const char *ns = s->netns ? s->netns : "host";

	for (size_t i = t->first; i < t->first + t->n; i++)
		if (filter_textm_match(&f->alts[i].u.text, ns, false))
			return true;
	return false;
}

/* `service:nginx` also finds "nginx.service", as `systemctl status nginx`
 * does, and `service:web-1` the container "docker/web-1" (cgroup.h names
 * containers RUNTIME/NAME). */
static bool filter_service_hit(const struct filter_textm *m, const char *svc)
{
	static const char suffix[] = ".service";
	const char *slash = strchr(svc, '/');
	size_t n, sl = sizeof suffix - 1;

	if (filter_textm_match(m, svc, false))
		return true;
	if (m->re || !m->s)
		return false;
	if (slash && strcmp(slash + 1, m->s) == 0)
		return true;
	n = strlen(m->s);
	return strlen(svc) == n + sl && strncmp(svc, m->s, n) == 0 &&
	       strcmp(svc + n, suffix) == 0;
}

static bool filter_service_any(const struct filter *f, const struct filter_term *t,
                               const char *svc)
{
	for (size_t i = t->first; i < t->first + t->n; i++)
		if (filter_service_hit(&f->alts[i].u.text, svc))
			return true;
	return false;
}

/* The socket's own service when the caller knows one, else any owner's. */
static bool filter_service_match(const struct filter *f, const struct filter_term *t,
                                 const struct filter_subject *s)
{
	if (s->service)
		return filter_service_any(f, t, s->service);
	for (size_t o = 0; o < s->nowners; o++)
		if (s->owners[o].service[0] && filter_service_any(f, t, s->owners[o].service))
			return true;
	return false;
}

static bool filter_mask_has(uint32_t mask, unsigned v)
{
	return v < 32 && (mask >> v & 1u);
}

static bool filter_term_match(const struct filter *f, const struct filter_term *t,
                              const struct filter_subject *s)
{
	const struct sock_rec *r = s->rec;

	switch (t->key) {
	case FK_FAMILY:  return filter_mask_has(t->mask, r->family);
	case FK_PROTO:   return filter_mask_has(t->mask, r->proto);
	case FK_STATE:   return filter_mask_has(t->mask, r->state);
	case FK_PORT:    return filter_port_match(f, t, r);
	case FK_ADDR:    return filter_addr_match(f, t, r);
	case FK_PID:     return filter_pid_match(f, t, s);
	case FK_USER:    return filter_user_match(f, t, s);
	case FK_NETNS:   return filter_netns_match(f, t, s);
	case FK_SERVICE: return filter_service_match(f, t, s);
	case FK_PROC:    return filter_proc_match(f, t, s);
	}
	return false;
}

bool filter_match_was(const struct filter *f, const struct filter_subject *s,
                      const struct sock_owner *was, size_t n)
{
	struct filter_subject x = *s;

	if (!x.nowners && n) {
		x.owners = was;
		x.nowners = n;
	}
	return filter_match(f, &x);
}

bool filter_match(const struct filter *f, const struct filter_subject *s)
{
	if (!f)
		return true;
	for (size_t i = 0; i < f->nterms; i++) {
		const struct filter_term *t = &f->terms[i];
		if (filter_term_match(f, t, s) == (bool)t->neg)
			return false;
	}
	return true;
}

/* ---- errors ------------------------------------------------------------ */

static bool filter_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Columns count characters, not bytes, so they line up with what the prompt
 * shows for a UTF-8 filter. */
static size_t filter_column(const char *src, size_t off)
{
	size_t col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)src[i] & 0xc0) != 0x80)
			col++;
	return col;
}

static size_t filter_word_len(const char *src, size_t off)
{
	size_t n = 0;

	while (src[off + n] && !filter_is_space(src[off + n]))
		n++;
	return n;
}

/* "WHAT 'WORD' at column N"; word is src[off .. off+len). */
static int filter_fail(struct filter_parser *p, const char *what, size_t off, size_t len)
{
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s '%.*s' at column %zu", what, (int)len,
		         p->src + off, filter_column(p->src, off));
	return -1;
}

static int filter_fail_oom(struct filter_parser *p)
{
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "out of memory");
	return -1;
}

/* ---- building ---------------------------------------------------------- */

static struct filter_alt *filter_push_alt(struct filter *f, struct filter_term *t)
{
	struct filter_alt *a;

	if (room_reserve(&f->alts, &f->capalts, f->nalts + 1, sizeof *f->alts, 8) < 0)
		return NULL;
	a = &f->alts[f->nalts++];
	memset(a, 0, sizeof *a);
	t->n++;
	return a;
}

static struct filter_term *filter_push_term(struct filter *f, bool neg)
{
	struct filter_term *t;

	if (room_reserve(&f->terms, &f->capterms, f->nterms + 1, sizeof *f->terms, 8) < 0)
		return NULL;
	t = &f->terms[f->nterms++];
	memset(t, 0, sizeof *t);
	t->neg = neg;
	t->first = f->nalts;
	return t;
}

/* ---- values ------------------------------------------------------------ */

/* One item of a value list: src/work[off .. off+len), NUL-terminated in work;
 * for a regex, v is the text between the slashes. */
struct filter_item {
	size_t off, len;
	const char *v;
	bool re;
};

/* Decimal digits only (no sign, no spaces), at most max. */
static bool filter_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* "80", "8000-8080" or a class name into lo/hi/cls. Returns 0, or -1 bad
 * port, -2 reversed range. */
static int filter_port_value(const char *v, uint32_t *lo, uint32_t *hi, int *cls)
{
	const char *dash = strchr(v, '-');
	size_t n = dash ? (size_t)(dash - v) : strlen(v);
	enum port_class c;

	*lo = *hi = 0;
	*cls = -1;
	if (v[0] < '0' || v[0] > '9') {
		if (port_class_parse(v, &c) != 0)
			return -1;
		*cls = (int)c;
		return 0;
	}
	if (!filter_parse_uint(v, n, 65535, lo))
		return -1;
	*hi = *lo;
	if (dash && !filter_parse_uint(dash + 1, strlen(dash + 1), 65535, hi))
		return -1;
	return *hi < *lo ? -2 : 0;
}

static int filter_parse_port(struct filter_parser *p, struct filter_term *t,
                             const struct filter_item *it)
{
	uint32_t lo, hi;
	int cls, rc = filter_port_value(it->v, &lo, &hi, &cls);
	struct filter_alt *a;

	if (rc == -1)
		return filter_fail(p, "bad port", it->off, it->len);
	if (rc == -2)
		return filter_fail(p, "reversed port range", it->off, it->len);
	if (!(a = filter_push_alt(p->f, t)))
		return filter_fail_oom(p);
	a->u.port.lo = (uint16_t)lo;
	a->u.port.hi = (uint16_t)hi;
	a->u.port.cls = cls;
	return 0;
}

static int filter_parse_state(struct filter_parser *p, struct filter_term *t,
                              const struct filter_item *it)
{
	int st;

	if (strcasecmp(it->v, "connected") == 0) {
		t->mask |= FILTER_CONNECTED_MASK;
		return 0;
	}
	st = sock_state_parse(it->v);
	if (st <= 0 || st >= SOCK_ST_MAX)
		return filter_fail(p, "unknown state", it->off, it->len);
	t->mask |= 1u << st;
	return 0;
}

static int filter_parse_proto(struct filter_parser *p, struct filter_term *t,
                              const struct filter_item *it)
{
	if (strcasecmp(it->v, "tcp") == 0)
		t->mask |= 1u << IPPROTO_TCP;
	else if (strcasecmp(it->v, "udp") == 0)
		t->mask |= 1u << IPPROTO_UDP;
	else
		return filter_fail(p, "unknown protocol", it->off, it->len);
	return 0;
}

static int filter_parse_family(struct filter_parser *p, struct filter_term *t,
                               const struct filter_item *it)
{
	const char *v = it->v;

	if (!strcmp(v, "4") || !strcasecmp(v, "ipv4") || !strcasecmp(v, "inet"))
		t->mask |= 1u << AF_INET;
	else if (!strcmp(v, "6") || !strcasecmp(v, "ipv6") || !strcasecmp(v, "inet6"))
		t->mask |= 1u << AF_INET6;
	else
		return filter_fail(p, "unknown family", it->off, it->len);
	return 0;
}

static int filter_parse_pid(struct filter_parser *p, struct filter_term *t,
                            const struct filter_item *it)
{
	uint32_t pid;
	struct filter_alt *a;

	if (!filter_parse_uint(it->v, strlen(it->v), INT_MAX, &pid))
		return filter_fail(p, "bad pid", it->off, it->len);
	if (!(a = filter_push_alt(p->f, t)))
		return filter_fail_oom(p);
	a->u.pid = (int)pid;
	return 0;
}

/* ---- regex cost ----
 * glibc's regcomp copies a repeated subexpression once per repetition it must
 * count ('+' makes two, '{m,n}' max(m,n), '{m,}' m + 1), so stacked or nested
 * repetitions multiply its size: "a+++..." or "((a+)+)+..." doubles per '+',
 * and a few dozen of them exhaust memory before regcomp returns (found by
 * fuzzing). We estimate the expanded size in nodes and refuse a regex past a
 * bound no sensible pattern nears; nesting is bounded too, as regcomp
 * recurses per group. */
#define FILTER_RE_MAX_NODES 4096
#define FILTER_RE_MAX_DEPTH 32
#define FILTER_RE_DUP_MAX 32768         /* past glibc's RE_DUP_MAX: regcomp refuses */

struct filter_re_cost {
	size_t total[FILTER_RE_MAX_DEPTH + 1];  /* nodes so far, per open group */
	size_t last[FILTER_RE_MAX_DEPTH + 1];   /* the last atom's, which a repetition copies */
	int depth;
};

static bool filter_re_add(struct filter_re_cost *c, size_t nodes, size_t last)
{
	c->total[c->depth] += nodes;
	c->last[c->depth] = last;
	return c->total[c->depth] <= FILTER_RE_MAX_NODES;
}

/* After '[': past the closing ']', which may come first ("[]a]", "[^]a]"),
 * and past "[:alpha:]", "[.x.]" and "[=e=]" inside. */
static const char *filter_re_skip_bracket(const char *s)
{
	s += *s == '^';
	s += *s == ']';
	while (*s && *s != ']') {
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			const char *e = strchr(s + 2, s[1]);
			while (e && e[1] != ']')
				e = strchr(e + 1, s[1]);
			if (!e)
				return s + strlen(s);
			s = e + 2;
		} else {
			s++;
		}
	}
	return *s ? s + 1 : s;
}

static size_t filter_re_number(const char **s)
{
	size_t v = 0;

	for (; **s >= '0' && **s <= '9'; (*s)++)
		if (v < FILTER_RE_DUP_MAX)
			v = v * 10 + (size_t)(**s - '0');
	return v;
}

/* After '{': how many copies "{m}", "{m,}", "{m,n}" or "{,n}" makes, and
 * *s past it; 0 (and *s unmoved) if it is no interval. */
static size_t filter_re_interval(const char **s)
{
	const char *p = *s;
	size_t m = filter_re_number(&p), n = m;

	if (*p == ',') {
		p++;
		n = (*p >= '0' && *p <= '9') ? filter_re_number(&p) : m + 1;
	}
	if (*p != '}' || p == *s)
		return 0;
	*s = p + 1;
	n = n > m ? n : m;
	return n ? n : 1;
}

static bool filter_re_repeat(struct filter_re_cost *c, size_t copies)
{
	size_t last = c->last[c->depth];

	return filter_re_add(c, last * (copies - 1) + 1, last * copies);
}

static bool filter_re_close(struct filter_re_cost *c)
{
	size_t group = c->total[c->depth] + 1;

	c->depth--;
	return filter_re_add(c, group, group);
}

/* One token at *s, *s moved past it. */
static bool filter_re_token(struct filter_re_cost *c, const char **s)
{
	char ch = *(*s)++;
	size_t copies;

	switch (ch) {
	case '(':
		if (c->depth == FILTER_RE_MAX_DEPTH)
			return false;
		c->depth++;
		c->total[c->depth] = c->last[c->depth] = 0;
		return true;
	case ')':
		return c->depth > 0 ? filter_re_close(c) : filter_re_add(c, 1, 1);
	case '|':
		return filter_re_add(c, 1, 0);
	case '\\':
		*s += **s != '\0';
		return filter_re_add(c, 1, 1);
	case '[':
		*s = filter_re_skip_bracket(*s);
		return filter_re_add(c, 1, 1);
	case '+':
		return filter_re_repeat(c, 2);
	case '*':
	case '?':
		return filter_re_repeat(c, 1);
	case '{':
		copies = filter_re_interval(s);
		return copies ? filter_re_repeat(c, copies) : filter_re_add(c, 1, 1);
	default:
		return filter_re_add(c, 1, 1);
	}
}

static bool filter_re_affordable(const char *re)
{
	struct filter_re_cost c = { .depth = 0 };

	while (*re)
		if (!filter_re_token(&c, &re))
			return false;
	while (c.depth > 0)
		if (!filter_re_close(&c))
			return false;
	return true;
}

/* Fills m with the literal or the compiled regex of an item. */
static int filter_textm_init(struct filter_parser *p, struct filter_textm *m,
                             const struct filter_item *it)
{
	char why[128];
	int rc;

	if (!it->re) {
		m->s = it->v;
		return 0;
	}
	if (!filter_re_affordable(it->v))
		return filter_fail(p, "regex too complex", it->off, it->len);
	if (!(m->re = malloc(sizeof *m->re)))
		return filter_fail_oom(p);
	rc = regcomp(m->re, it->v, REG_EXTENDED | REG_NOSUB);
	if (rc == 0)
		return 0;
	regerror(rc, m->re, why, sizeof why);
	free(m->re);
	m->re = NULL;
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "bad regex '%.*s' at column %zu: %s", (int)it->len,
		         p->src + it->off, filter_column(p->src, it->off), why);
	return -1;
}

static int filter_parse_text(struct filter_parser *p, struct filter_term *t,
                             const struct filter_item *it)
{
	struct filter_alt *a = filter_push_alt(p->f, t);

	if (!a)
		return filter_fail_oom(p);
	return filter_textm_init(p, &a->u.text, it);
}

/* Resolves a user name at compile time so sockets without known owners
 * (TIME_WAIT, other users' while not root) still match through their uid.
 * Returns 1 found, 0 not found, -1 out of memory. */
static int filter_lookup_uid(const char *name, uint32_t *uid)
{
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t len = sz > 0 ? (size_t)sz : 1024;
	struct passwd pw, *res = NULL;
	int rc;

	for (;;) {
		char *buf = malloc(len);
		if (!buf)
			return -1;
		rc = getpwnam_r(name, &pw, buf, len, &res);
		if (rc == 0 && res)
			*uid = (uint32_t)res->pw_uid;
		free(buf);
		if (rc != ERANGE || len >= (1u << 20))
			return rc == 0 && res ? 1 : 0;
		len *= 2;
	}
}

static int filter_parse_user(struct filter_parser *p, struct filter_term *t,
                             const struct filter_item *it)
{
	struct filter_alt *a = filter_push_alt(p->f, t);
	const char *v = it->v;
	int found;

	if (!a)
		return filter_fail_oom(p);
	if (!it->re && v[0] >= '0' && v[0] <= '9') {
		if (!filter_parse_uint(v, strlen(v), UINT32_MAX, &a->u.user.uid))
			return filter_fail(p, "bad uid", it->off, it->len);
		a->u.user.has_uid = 1;
		return 0;
	}
	if (filter_textm_init(p, &a->u.user.name, it) != 0)
		return -1;
	if (it->re)
		return 0;
	found = filter_lookup_uid(v, &a->u.user.uid);
	if (found < 0)
		return filter_fail_oom(p);
	a->u.user.has_uid = found;
	return 0;
}

/* Parses "ADDR" or "ADDR/PREFIX" (IPv4 or IPv6, "[::1]" brackets allowed)
 * into v6-space net/mask. Cuts work in place. Returns 0, or -1 bad address,
 * -2 bad prefix. */
static int filter_parse_cidr(char *v, uint8_t net[16], uint8_t mask[16])
{
	char *slash = strchr(v, '/');
	size_t n;
	uint32_t bits = 128;
	struct in_addr a4;
	bool v4;

	if (slash)
		*slash = '\0';
	n = strlen(v);
	if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		v[n - 1] = '\0';
		v++;
	}
	v4 = inet_pton(AF_INET, v, &a4) == 1;
	if (v4) {
		memset(net, 0, 10);
		net[10] = net[11] = 0xff;
		memcpy(net + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, v, net) != 1) {
		return -1;
	}
	if (slash && !filter_parse_uint(slash + 1, strlen(slash + 1), v4 ? 32 : 128, &bits))
		return -2;
	if (slash && v4)
		bits += 96;
	for (int i = 0; i < 16; i++) {
		uint32_t b = bits > 8u * (uint32_t)i ? bits - 8u * (uint32_t)i : 0;
		mask[i] = b >= 8 ? 0xff : (uint8_t)(0xff00u >> b);
		net[i] &= mask[i];
	}
	return 0;
}

static int filter_parse_addr(struct filter_parser *p, struct filter_term *t,
                             const struct filter_item *it)
{
	struct filter_alt *a = filter_push_alt(p->f, t);
	int rc;

	if (!a)
		return filter_fail_oom(p);
	rc = filter_parse_cidr((char *)it->v, a->u.net.net, a->u.net.mask);
	if (rc == -1)
		return filter_fail(p, "bad address", it->off, it->len);
	if (rc == -2)
		return filter_fail(p, "bad prefix", it->off, it->len);
	return 0;
}

static int filter_parse_item(struct filter_parser *p, struct filter_term *t,
                             const struct filter_item *it)
{
	switch (t->key) {
	case FK_FAMILY:  return filter_parse_family(p, t, it);
	case FK_PROTO:   return filter_parse_proto(p, t, it);
	case FK_STATE:   return filter_parse_state(p, t, it);
	case FK_PORT:    return filter_parse_port(p, t, it);
	case FK_ADDR:    return filter_parse_addr(p, t, it);
	case FK_PID:     return filter_parse_pid(p, t, it);
	case FK_USER:    return filter_parse_user(p, t, it);
	case FK_NETNS:
	case FK_SERVICE:
	case FK_PROC:    return filter_parse_text(p, t, it);
	}
	return -1;
}

/* ---- words ------------------------------------------------------------- */

static bool filter_key_takes_regex(uint8_t key)
{
	return key == FK_PROC || key == FK_USER || key == FK_NETNS || key == FK_SERVICE;
}

static bool filter_is_port_word(const char *v)
{
	const char *dash = strchr(v, '-');
	size_t n = dash ? (size_t)(dash - v) : strlen(v);

	if (n == 0 || strspn(v, "0123456789") != n)
		return false;
	return !dash || (dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1));
}

/* What a bare word means. tcp/udp/ipv4/ipv6 are taken as protocol and
 * family rather than command names: they are the words ss users type, and a
 * process really named "tcp" can still be found with proc:tcp. Numbers (and
 * ranges) are ports, state names are states, anything else is a command name. */
static void filter_classify_bare(struct filter_term *t, const struct filter_item *it)
{
	const char *v = it->v;

	t->side = SIDE_ANY;
	if (it->re)
		t->key = FK_PROC;
	else if (filter_is_port_word(v))
		t->key = FK_PORT;
	else if (!strcasecmp(v, "ipv4") || !strcasecmp(v, "ipv6"))
		t->key = FK_FAMILY;
	else if (!strcasecmp(v, "tcp") || !strcasecmp(v, "udp"))
		t->key = FK_PROTO;
	else if (!strcasecmp(v, "connected") || sock_state_parse(v) > 0)
		t->key = FK_STATE;
	else
		t->key = FK_PROC;
}

/* Finds the item starting at off: "/regex/" (kept whole, spaces and commas
 * included; "\/" does not close it) or plain text up to ',' or a space. */
static int filter_scan_item(struct filter_parser *p, size_t off, bool regex_ok,
                            size_t term_off, struct filter_item *it)
{
	const char *s = p->src;
	size_t e = off;

	it->off = off;
	it->re = regex_ok && s[off] == '/';
	if (it->re) {
		for (e = off + 1; s[e] && s[e] != '/'; e++)
			if (s[e] == '\\' && s[e + 1])
				e++;
		if (!s[e])
			return filter_fail(p, "unterminated regex", off, e - off);
		e++;
		if (s[e] && s[e] != ',' && !filter_is_space(s[e]))
			return filter_fail(p, "unexpected text after regex", off,
			                   filter_word_len(s, off));
	} else {
		while (s[e] && s[e] != ',' && !filter_is_space(s[e]))
			e++;
	}
	it->len = e - off;
	if (it->len == 0 || (it->re && it->len == 2))
		return filter_fail(p, "empty value in", term_off, filter_word_len(s, term_off));
	p->f->work[e] = '\0';
	if (it->re)
		p->f->work[e - 1] = '\0';
	it->v = p->f->work + off + (it->re ? 1 : 0);
	return 0;
}

/* Parses the comma list starting at *pos into t; a bare word (kd NULL) gets
 * its key from its first item. */
static int filter_parse_values(struct filter_parser *p, struct filter_term *t,
                               const struct filter_keydef *kd, size_t term_off, size_t *pos)
{
	struct filter_item it;

	for (size_t i = 0;; i++) {
		bool regex_ok = kd || i > 0 ? filter_key_takes_regex(t->key) : true;
		char delim;

		if (filter_scan_item(p, *pos, regex_ok, term_off, &it) != 0)
			return -1;
		delim = p->src[it.off + it.len];
		if (i == 0 && !kd)
			filter_classify_bare(t, &it);
		if (filter_parse_item(p, t, &it) != 0)
			return -1;
		*pos = it.off + it.len;
		if (delim != ',')
			return 0;
		(*pos)++;
	}
}

static const struct filter_keydef *filter_find_key(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof filter_keys / sizeof filter_keys[0]; i++)
		if (strlen(filter_keys[i].name) == n && !strncasecmp(filter_keys[i].name, s, n))
			return &filter_keys[i];
	return NULL;
}

/* Appends src[off .. off+len) to the normalised text, space-separated. */
static void filter_append_text(struct filter *f, const char *src, size_t off, size_t len)
{
	size_t n = strlen(f->text);

	if (n)
		f->text[n++] = ' ';
	memcpy(f->text + n, src + off, len);
	f->text[n + len] = '\0';
}

/* One term: [!...]key:values or [!...]values; *pos ends after it. */
static int filter_parse_term(struct filter_parser *p, size_t *pos)
{
	const char *s = p->src;
	size_t start = *pos, klen = 0;
	const struct filter_keydef *kd = NULL;
	struct filter_term *t;
	bool neg = false;

	for (; s[*pos] == '!'; (*pos)++)
		neg = !neg;
	if (!s[*pos] || filter_is_space(s[*pos]))
		return filter_fail(p, "lone", *pos - 1, 1);
	while ((s[*pos + klen] | 0x20) >= 'a' && (s[*pos + klen] | 0x20) <= 'z')
		klen++;
	if (klen && s[*pos + klen] == ':') {
		if (!(kd = filter_find_key(s + *pos, klen)))
			return filter_fail(p, "unknown key", *pos, klen);
		*pos += klen + 1;
	}
	if (!(t = filter_push_term(p->f, neg)))
		return filter_fail_oom(p);
	if (kd) {
		t->key = kd->key;
		t->side = kd->side;
	}
	if (filter_parse_values(p, t, kd, start, pos) != 0)
		return -1;
	filter_append_text(p->f, s, start, *pos - start);
	return 0;
}

static int filter_term_cmp(const void *a, const void *b)
{
	const struct filter_term *x = a, *y = b;

	return (int)x->key - (int)y->key;
}

static int filter_parse(struct filter_parser *p)
{
	size_t pos = 0;

	for (;;) {
		while (filter_is_space(p->src[pos]))
			pos++;
		if (!p->src[pos])
			break;
		if (filter_parse_term(p, &pos) != 0)
			return -1;
	}
	if (p->f->nterms > 1)
		qsort(p->f->terms, p->f->nterms, sizeof *p->f->terms, filter_term_cmp);
	return 0;
}

int filter_compile(const char *text, struct filter **out, char *err, size_t errlen)
{
	struct filter_parser p = { .src = text ? text : "", .err = err, .errlen = errlen };
	size_t n = strlen(p.src);

	*out = NULL;
	if (!(p.f = calloc(1, sizeof *p.f)) || !(p.f->text = calloc(1, n + 1)) ||
	    !(p.f->work = malloc(n + 1))) {
		filter_free(p.f);
		return filter_fail_oom(&p);
	}
	memcpy(p.f->work, p.src, n + 1);
	if (filter_parse(&p) != 0) {
		filter_free(p.f);
		return -1;
	}
	*out = p.f;
	return 0;
}

/* Regexes are the only per-alternative allocations; which union member
 * holds one follows the term's key. */
static void filter_free_term_regexes(struct filter *f, const struct filter_term *t)
{
	for (size_t i = t->first; i < t->first + t->n && i < f->nalts; i++) {
		regex_t *re = NULL;
		if (t->key == FK_USER)
			re = f->alts[i].u.user.name.re;
		else if (t->key == FK_PROC || t->key == FK_NETNS || t->key == FK_SERVICE)
			re = f->alts[i].u.text.re;
		if (re) {
			regfree(re);
			free(re);
		}
	}
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nterms; i++)
		filter_free_term_regexes(f, &f->terms[i]);
	free(f->terms);
	free(f->alts);
	free(f->work);
	free(f->text);
	free(f);
}

const char *filter_text(const struct filter *f)
{
	return f && f->text ? f->text : "";
}
