/* columns.c — formatters and comparators of the Connections columns. Cells
 * holding text from the system (process and user names) are escaped here,
 * once, so no caller can print them raw. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "columns.h"
#include "textsafe.h"

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_addr(uint8_t fa, const uint8_t *a, uint8_t fb, const uint8_t *b)
{
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return memcmp(a, b, 16);
}

/* ---- PROTO ---- */
static void fmt_proto(const struct column_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", sock_proto_name(r->rec->proto),
	         r->rec->family == AF_INET6 ? "6" : "");
}
static int cmp_proto(const struct column_row *a, const struct column_row *b)
{
	int c = cmp_u64(a->rec->proto, b->rec->proto);
	return c ? c : cmp_u64(a->rec->family, b->rec->family);
}

/* ---- STATE ---- */
static void fmt_state(const struct column_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s", sock_state_name(r->rec->proto, r->rec->state));
}
static int cmp_state(const struct column_row *a, const struct column_row *b)
{
	return strcmp(sock_state_name(a->rec->proto, a->rec->state),
	              sock_state_name(b->rec->proto, b->rec->state));
}

/* ---- LOCAL, REMOTE ---- */
static void fmt_local(const struct column_row *r, char *buf, size_t len)
{
	sock_endpoint_str(r->rec->family, r->rec->laddr, r->rec->lport, buf, len);
}
static int cmp_local(const struct column_row *a, const struct column_row *b)
{
	int c = cmp_addr(a->rec->family, a->rec->laddr, b->rec->family, b->rec->laddr);
	return c ? c : cmp_u64(a->rec->lport, b->rec->lport);
}
static void fmt_remote(const struct column_row *r, char *buf, size_t len)
{
	sock_endpoint_str(r->rec->family, r->rec->raddr, r->rec->rport, buf, len);
}
static int cmp_remote(const struct column_row *a, const struct column_row *b)
{
	int c = cmp_addr(a->rec->family, a->rec->raddr, b->rec->family, b->rec->raddr);
	return c ? c : cmp_u64(a->rec->rport, b->rec->rport);
}
static int cmp_lport(const struct column_row *a, const struct column_row *b)
{
	return cmp_u64(a->rec->lport, b->rec->lport);
}
static int cmp_rport(const struct column_row *a, const struct column_row *b)
{
	return cmp_u64(a->rec->rport, b->rec->rport);
}

/* ---- PID/PROCESS: every owner, "pid/comm,pid/comm" ---- */
static void fmt_process(const struct column_row *r, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	if (!r->nowners) {
		snprintf(buf, len, "-");
		return;
	}
	for (size_t i = 0; i < r->nowners && n + 1 < len; i++) {
		const struct sock_owner *o = &r->owners[i];
		int w = snprintf(buf + n, len - n, "%s%d/", i ? "," : "", o->pid);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
		n += textsafe_display(o->comm, strlen(o->comm), buf + n, len - n);
	}
}
static int cmp_pid(const struct column_row *a, const struct column_row *b)
{
	int pa = a->nowners ? a->owners[0].pid : 0;
	int pb = b->nowners ? b->owners[0].pid : 0;
	return cmp_u64((uint64_t)pa, (uint64_t)pb);
}
static int cmp_process(const struct column_row *a, const struct column_row *b)
{
	const char *ca = a->nowners ? a->owners[0].comm : "";
	const char *cb = b->nowners ? b->owners[0].comm : "";
	int c = strcmp(ca, cb);
	return c ? c : cmp_pid(a, b);
}

/* ---- USER: the owning process's user; a socket with no owner shows its
 * uid, except sockets no process holds (inode 0), which have none. ---- */
static void fmt_user(const struct column_row *r, char *buf, size_t len)
{
	if (r->nowners) {
		const char *u = r->owners[0].user;
		textsafe_display(u, strlen(u), buf, len);
	} else if (r->rec->inode) {
		snprintf(buf, len, "%u", r->rec->uid);
	} else {
		snprintf(buf, len, "-");
	}
}
static int cmp_user(const struct column_row *a, const struct column_row *b)
{
	char x[96], y[96];
	fmt_user(a, x, sizeof(x));
	fmt_user(b, y, sizeof(y));
	return strcmp(x, y);
}

/* ---- SERVICE: the owners' systemd units or containers, each once, in
 * pid order; "-" when no owner's is known ---- */
static int service_seen(const struct column_row *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(r->owners[j].service, r->owners[i].service) == 0)
			return 1;
	return 0;
}
static void fmt_service(const struct column_row *r, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < r->nowners && n + 2 < len; i++) {
		const char *s = r->owners[i].service;
		if (!s[0] || service_seen(r, i))
			continue;
		if (n)
			buf[n++] = ',';
		n += textsafe_display(s, strlen(s), buf + n, len - n);
	}
	if (!n)
		snprintf(buf, len, "-");
}
static int known_service(const struct column_row *r)
{
	for (size_t i = 0; i < r->nowners; i++)
		if (r->owners[i].service[0])
			return 1;
	return 0;
}
static int cmp_service(const struct column_row *a, const struct column_row *b)
{
	char x[160], y[160];
	fmt_service(a, x, sizeof(x));
	fmt_service(b, y, sizeof(y));
	return strcmp(x, y);
}

/* ---- queues, RTT, AGE, INODE ---- */
static void fmt_recvq(const struct column_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%u", r->rec->recvq);
}
static int cmp_recvq(const struct column_row *a, const struct column_row *b)
{
	return cmp_u64(a->rec->recvq, b->rec->recvq);
}
static void fmt_sendq(const struct column_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%u", r->rec->sendq);
}
static int cmp_sendq(const struct column_row *a, const struct column_row *b)
{
	return cmp_u64(a->rec->sendq, b->rec->sendq);
}

static int has_rtt(const struct sock_rec *r)
{
	return r->has_tcpinfo && r->tcp.rtt_us;
}
static void fmt_rtt(const struct column_row *r, char *buf, size_t len)
{
	if (!has_rtt(r->rec))
		snprintf(buf, len, "-");
	else if (r->rec->tcp.rtt_us < 10000)
		snprintf(buf, len, "%.2fms", r->rec->tcp.rtt_us / 1000.0);
	else
		snprintf(buf, len, "%.0fms", r->rec->tcp.rtt_us / 1000.0);
}
/* Unknown RTTs sort after every known one. */
static int cmp_rtt(const struct column_row *a, const struct column_row *b)
{
	uint64_t x = has_rtt(a->rec) ? a->rec->tcp.rtt_us : UINT64_MAX;
	uint64_t y = has_rtt(b->rec) ? b->rec->tcp.rtt_us : UINT64_MAX;
	return cmp_u64(x, y);
}
static int known_rtt(const struct column_row *r)
{
	return has_rtt(r->rec);
}

/* ---- TX/s, RX/s: blank, not 0, where there is no rate ---- */
void columns_rate_str(double bps, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	size_t u = 0;
	double v = bps > 0 ? bps : 0;
	/* Rounds as printed: 999.6 would print as "1000", so it moves up. */
	while (v >= 999.5 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	if (u > 0 && v < 9.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}
static int cmp_double(double a, double b)
{
	return a < b ? -1 : a > b;
}
static int known_rate(const struct column_row *r)
{
	return r->has_rate;
}
static void fmt_txrate(const struct column_row *r, char *buf, size_t len)
{
	if (r->has_rate)
		columns_rate_str(r->tx_rate, buf, len);
	else if (len)
		buf[0] = '\0';
}
static void fmt_rxrate(const struct column_row *r, char *buf, size_t len)
{
	if (r->has_rate)
		columns_rate_str(r->rx_rate, buf, len);
	else if (len)
		buf[0] = '\0';
}
/* No rate sorts after every rate. */
static int cmp_txrate(const struct column_row *a, const struct column_row *b)
{
	if (a->has_rate != b->has_rate)
		return a->has_rate ? -1 : 1;
	return a->has_rate ? cmp_double(a->tx_rate, b->tx_rate) : 0;
}
static int cmp_rxrate(const struct column_row *a, const struct column_row *b)
{
	if (a->has_rate != b->has_rate)
		return a->has_rate ? -1 : 1;
	return a->has_rate ? cmp_double(a->rx_rate, b->rx_rate) : 0;
}

static void fmt_age(const struct column_row *r, char *buf, size_t len)
{
	double s = r->first_seen > 0 && r->now >= r->first_seen ? r->now - r->first_seen : 0;
	unsigned long t = (unsigned long)s;
	/* Seconds only in the first minute: past it the cell changes once a
	 * minute, not every second, which is most of what an idle screen
	 * would otherwise send over ssh. */
	if (t < 60)
		snprintf(buf, len, "%lus", t);
	else if (t < 3600)
		snprintf(buf, len, "%lum", t / 60);
	else if (t < 86400)
		snprintf(buf, len, "%luh%02lum", t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%lud%02luh", t / 86400, t / 3600 % 24);
}
/* Oldest first: AGE ascending means longest-lived first would surprise; the
 * youngest socket has the smallest age. */
static int cmp_age(const struct column_row *a, const struct column_row *b)
{
	return a->first_seen < b->first_seen ? 1 : a->first_seen > b->first_seen ? -1 : 0;
}

static void fmt_inode(const struct column_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)r->rec->inode);
}
static int cmp_inode(const struct column_row *a, const struct column_row *b)
{
	return cmp_u64(a->rec->inode, b->rec->inode);
}

/* ---- NETNS: "host", a /run/netns name, or "net:[N]" ---- */
static const char *netns_of(const struct column_row *r)
{
	return r->rec->netns_name ? r->rec->netns_name : "host";
}
static void fmt_netns(const struct column_row *r, char *buf, size_t len)
{
	const char *name = netns_of(r);
	textsafe_display(name, strlen(name), buf, len);
}
/* The host's first, then by name. */
static int cmp_netns(const struct column_row *a, const struct column_row *b)
{
	int ha = a->rec->netns == 0, hb = b->rec->netns == 0;
	if (ha != hb)
		return ha ? -1 : 1;
	return strcmp(netns_of(a), netns_of(b));
}

int columns_netns_wanted(const struct column_row *r)
{
	return r->rec->netns != 0;
}

const struct column columns[] = {
	{ "proto",   "PROTO",       0, 1, fmt_proto,   cmp_proto,   NULL },
	{ "state",   "STATE",       0, 1, fmt_state,   cmp_state,   NULL },
	{ "local",   "LOCAL",       0, 1, fmt_local,   cmp_local,   NULL },
	{ "remote",  "REMOTE",      0, 1, fmt_remote,  cmp_remote,  NULL },
	{ "process", "PID/PROCESS", 0, 1, fmt_process, cmp_process, NULL },
	{ "user",    "USER",        0, 1, fmt_user,    cmp_user,    NULL },
	/* Off --batch's table (its width would change every script's
	 * columns); the JSON has "service". */
	{ "service", "SERVICE",     0, 0, fmt_service, cmp_service, known_service },
	{ "recvq",   "RECV-Q",      1, 1, fmt_recvq,   cmp_recvq,   NULL },
	{ "sendq",   "SEND-Q",      1, 1, fmt_sendq,   cmp_sendq,   NULL },
	{ "rtt",     "RTT",         1, 1, fmt_rtt,     cmp_rtt,     known_rtt },
	/* Rates need two polls: the screen shows them, --batch's table not
	 * (its JSON has txrate/rxrate keys where known). */
	{ "txrate",  "TX/s",        1, 0, fmt_txrate,  cmp_txrate,  known_rate },
	{ "rxrate",  "RX/s",        1, 0, fmt_rxrate,  cmp_rxrate,  known_rate },
	{ "age",     "AGE",         1, 0, fmt_age,     cmp_age,     NULL },
	{ "inode",   "INODE",       1, 0, fmt_inode,   cmp_inode,   NULL },
	/* Shown only once a socket outside the host's namespace is. */
	{ "netns",   "NETNS",       0, 0, fmt_netns,   cmp_netns,   NULL },
	/* Sort-only keys: one side's port, the first owner's pid. */
	{ "lport",   NULL,          1, 0, NULL,        cmp_lport,   NULL },
	{ "rport",   NULL,          1, 0, NULL,        cmp_rport,   NULL },
	{ "pid",     NULL,          1, 0, NULL,        cmp_pid,     NULL },
};
const size_t ncolumns = sizeof(columns) / sizeof(columns[0]);

int columns_compare(const struct column *col, const struct column_row *a,
                    const struct column_row *b, int desc)
{
	if (col->known) {
		int ka = col->known(a) != 0, kb = col->known(b) != 0;
		if (ka != kb)
			return ka ? -1 : 1;
	}
	int c = col->compare(a, b);
	c = c > 0 ? 1 : c < 0 ? -1 : 0;
	return desc ? -c : c;
}

const struct column *columns_find(const char *name)
{
	for (size_t i = 0; i < ncolumns; i++)
		if (strcasecmp(columns[i].name, name) == 0)
			return &columns[i];
	return NULL;
}

void columns_list(char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ncolumns && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? ", " : "", columns[i].name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}
