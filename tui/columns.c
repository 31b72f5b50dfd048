/* columns.c — the three panes' column tables and their cells: formatters,
 * comparators, styles and JSON keys. Cells holding text from the system
 * (process, user and service names, command lines) are escaped here, once,
 * so no caller can print them raw. */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "columns.h"
#include "spark.h"
#include "textsafe.h"
#include "theme.h"

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
static void fmt_proto(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	snprintf(buf, len, "%s%s", sock_proto_name(r->rec->proto),
	         r->rec->family == AF_INET6 ? "6" : "");
}
static int cmp_proto(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	int c = cmp_u64(a->rec->proto, b->rec->proto);
	return c ? c : cmp_u64(a->rec->family, b->rec->family);
}

/* ---- STATE ---- */
static void fmt_state(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	snprintf(buf, len, "%s", sock_state_name(r->rec->proto, r->rec->state));
}
static int cmp_state(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return strcmp(sock_state_name(a->rec->proto, a->rec->state),
	              sock_state_name(b->rec->proto, b->rec->state));
}

/* ---- LOCAL, REMOTE ---- */
static void fmt_local(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	sock_endpoint_str(r->rec->family, r->rec->laddr, r->rec->lport, buf, len);
}
static int cmp_local(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	int c = cmp_addr(a->rec->family, a->rec->laddr, b->rec->family, b->rec->laddr);
	return c ? c : cmp_u64(a->rec->lport, b->rec->lport);
}
static void fmt_remote(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	sock_endpoint_str(r->rec->family, r->rec->raddr, r->rec->rport, buf, len);
}
static int cmp_remote(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	int c = cmp_addr(a->rec->family, a->rec->raddr, b->rec->family, b->rec->raddr);
	return c ? c : cmp_u64(a->rec->rport, b->rec->rport);
}
static int cmp_lport(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return cmp_u64(a->rec->lport, b->rec->lport);
}
static int cmp_rport(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return cmp_u64(a->rec->rport, b->rec->rport);
}

/* ---- owners: the current ones, or once no process holds the socket
 * those who held it when it was last seen whole (former), whose cells read
 * "(...)": a mark that also reads in --batch's text and without colour ---- */
static size_t row_owners(const struct column_row *r, const struct sock_owner **o,
                         int *former)
{
	return sock_owners_shown(r->owners, r->nowners, r->owners_was, r->nowners_was, o, former);
}

/* text's cell for r, in parentheses when former. */
static void cell_marked(const struct column_row *r, int former, char *buf, size_t len,
                        void (*text)(const struct column_row *, char *, size_t))
{
	if (!former || len < 3) {
		text(r, buf, len);
		return;
	}
	buf[0] = '(';
	text(r, buf + 1, len - 2);
	size_t n = strlen(buf);
	buf[n] = ')';
	buf[n + 1] = '\0';
}

static int row_former(const struct column_row *r)
{
	return !r->nowners && r->nowners_was;
}

static int style_former(const void *row)
{
	return row_former(row) ? THEME_FORMER : THEME_DEFAULT;
}

/* ---- PID/PROCESS: every owner, "pid/comm,pid/comm" ---- */
static void process_text(const struct column_row *r, char *buf, size_t len)
{
	const struct sock_owner *o;
	int former;
	size_t no = row_owners(r, &o, &former), n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < no && n + 1 < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%d/", i ? "," : "", o[i].pid);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
		n += textsafe_display(o[i].comm, strlen(o[i].comm), buf + n, len - n);
	}
}
static void fmt_process(const void *row, char *buf, size_t len)
{
	const struct sock_owner *o;
	int former;
	if (!row_owners(row, &o, &former))
		snprintf(buf, len, "-");
	else
		cell_marked(row, former, buf, len, process_text);
}
/* Rows sort by the owner they show; a former one after a current one. */
static int cmp_pid(const void *x, const void *y)
{
	const struct sock_owner *oa, *ob;
	int fa, fb;
	size_t na = row_owners(x, &oa, &fa), nb = row_owners(y, &ob, &fb);
	int c = cmp_u64((uint64_t)(na ? oa[0].pid : 0), (uint64_t)(nb ? ob[0].pid : 0));
	return c ? c : cmp_u64((uint64_t)fa, (uint64_t)fb);
}
static int cmp_process(const void *x, const void *y)
{
	const struct sock_owner *oa, *ob;
	int fa, fb;
	size_t na = row_owners(x, &oa, &fa), nb = row_owners(y, &ob, &fb);
	int c = strcmp(na ? oa[0].comm : "", nb ? ob[0].comm : "");
	return c ? c : cmp_pid(x, y);
}
static int style_process(const void *row)
{
	const struct column_row *r = row;
	return r->nowners ? THEME_PROCESS : row_former(r) ? THEME_FORMER : THEME_OWNER_UNKNOWN;
}

/* ---- COMMAND: the first owner's command line as ps -o args shows it,
 * escaped and cut by the cell; its command name where the line cannot be
 * read, "-" for no owner ---- */
static const char *command_text(const struct column_cmdlines *src, int pid,
                                unsigned long long start, const char *comm)
{
	const char *line = columns_cmdline(src, pid, start);
	return line && line[0] ? line : comm;
}
static const char *conn_command(const struct column_row *r)
{
	const struct sock_owner *o;
	int former;
	return row_owners(r, &o, &former) ? command_text(r->cmdlines, o->pid, o->starttime, o->comm)
	                                  : "-";
}
static void command_cell(const struct column_row *r, char *buf, size_t len)
{
	const char *t = conn_command(r);
	textsafe_display(t, strlen(t), buf, len);
}
static void fmt_command(const void *row, char *buf, size_t len)
{
	cell_marked(row, row_former(row), buf, len, command_cell);
}
static int cmp_command(const void *x, const void *y)
{
	int c = strcmp(conn_command(x), conn_command(y));
	return c ? c : cmp_pid(x, y);
}

/* ---- USER: the owning process's user; a socket with no owner shows its
 * uid, except sockets no process holds (inode 0), which have none, or
 * their former owner's user. ---- */
static void user_text(const struct column_row *r, char *buf, size_t len)
{
	const struct sock_owner *o;
	int former;
	if (row_owners(r, &o, &former))
		textsafe_display(o[0].user, strlen(o[0].user), buf, len);
	else if (r->rec->inode)
		snprintf(buf, len, "%u", r->rec->uid);
	else
		snprintf(buf, len, "-");
}
static void fmt_user(const void *row, char *buf, size_t len)
{
	cell_marked(row, row_former(row), buf, len, user_text);
}
static int cmp_user(const void *x, const void *y)
{
	char ca[96], cb[96];
	user_text(x, ca, sizeof(ca));
	user_text(y, cb, sizeof(cb));
	int c = strcmp(ca, cb);
	return c ? c : row_former(x) - row_former(y);
}

/* ---- SERVICE: the owners' (or former owners') systemd units or
 * containers, each once, in pid order; "-" when no owner's is known ---- */
static int service_seen(const struct sock_owner *o, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(o[j].service, o[i].service) == 0)
			return 1;
	return 0;
}
static void service_text(const struct column_row *r, char *buf, size_t len)
{
	const struct sock_owner *o;
	int former;
	size_t no = row_owners(r, &o, &former), n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < no && n + 2 < len; i++) {
		const char *s = o[i].service;
		if (!s[0] || service_seen(o, i))
			continue;
		if (n)
			buf[n++] = ',';
		n += textsafe_display(s, strlen(s), buf + n, len - n);
	}
}
static int known_service(const void *row)
{
	const struct sock_owner *o;
	int former;
	size_t no = row_owners(row, &o, &former);
	for (size_t i = 0; i < no; i++)
		if (o[i].service[0])
			return 1;
	return 0;
}
static void fmt_service(const void *row, char *buf, size_t len)
{
	if (!len)
		return;
	if (!known_service(row))
		snprintf(buf, len, "-");
	else
		cell_marked(row, row_former(row), buf, len, service_text);
}
static int cmp_service(const void *x, const void *y)
{
	char ca[160], cb[160];
	fmt_service(x, ca, sizeof(ca));
	fmt_service(y, cb, sizeof(cb));
	return strcmp(ca, cb);
}

/* ---- queues, RTT, AGE, INODE ---- */
static void fmt_recvq(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	snprintf(buf, len, "%u", r->rec->recvq);
}
static int cmp_recvq(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return cmp_u64(a->rec->recvq, b->rec->recvq);
}
static void fmt_sendq(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	snprintf(buf, len, "%u", r->rec->sendq);
}
static int cmp_sendq(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return cmp_u64(a->rec->sendq, b->rec->sendq);
}

static int has_rtt(const struct sock_rec *r)
{
	return r->has_tcpinfo && r->tcp.rtt_us;
}
static void fmt_rtt(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	if (!has_rtt(r->rec))
		snprintf(buf, len, "-");
	else if (r->rec->tcp.rtt_us < 10000)
		snprintf(buf, len, "%.2fms", r->rec->tcp.rtt_us / 1000.0);
	else
		snprintf(buf, len, "%.0fms", r->rec->tcp.rtt_us / 1000.0);
}
/* Unknown RTTs sort after every known one. */
static int cmp_rtt(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	uint64_t ra = has_rtt(a->rec) ? a->rec->tcp.rtt_us : UINT64_MAX;
	uint64_t rb = has_rtt(b->rec) ? b->rec->tcp.rtt_us : UINT64_MAX;
	return cmp_u64(ra, rb);
}
static int known_rtt(const void *row)
{
	const struct column_row *r = row;
	return has_rtt(r->rec);
}

/* ---- RETRANS: the socket's retransmitted segments in all, from tcp_info;
 * blank for UDP and where the kernel gave none (the /proc source) ---- */
static int known_retrans(const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	return r->proto == IPPROTO_TCP && r->has_tcpinfo;
}
static void fmt_retrans(const void *row, char *buf, size_t len)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	if (known_retrans(row))
		snprintf(buf, len, "%u", r->tcp.total_retrans);
	else if (len)
		buf[0] = '\0';
}
static int cmp_retrans(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return cmp_u64(a->rec->tcp.total_retrans, b->rec->tcp.total_retrans);
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
static int known_rate(const void *row)
{
	const struct column_row *r = row;
	return r->has_rate;
}
static void fmt_txrate(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	if (r->has_rate)
		columns_rate_str(r->tx_rate, buf, len);
	else if (len)
		buf[0] = '\0';
}
static void fmt_rxrate(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	if (r->has_rate)
		columns_rate_str(r->rx_rate, buf, len);
	else if (len)
		buf[0] = '\0';
}
/* No rate sorts after every rate. */
static int cmp_txrate(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	if (a->has_rate != b->has_rate)
		return a->has_rate ? -1 : 1;
	return a->has_rate ? cmp_double(a->tx_rate, b->tx_rate) : 0;
}
static int cmp_rxrate(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	if (a->has_rate != b->has_rate)
		return a->has_rate ? -1 : 1;
	return a->has_rate ? cmp_double(a->rx_rate, b->rx_rate) : 0;
}

static void fmt_age(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
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
static int cmp_age(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return a->first_seen < b->first_seen ? 1 : a->first_seen > b->first_seen ? -1 : 0;
}

static void fmt_inode(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	snprintf(buf, len, "%llu", (unsigned long long)r->rec->inode);
}
static int cmp_inode(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	return cmp_u64(a->rec->inode, b->rec->inode);
}

/* ---- NETNS: "host", a /run/netns name, or "net:[N]" ---- */
static const char *netns_of(const struct column_row *r)
{
	return r->rec->netns_name ? r->rec->netns_name : "host";
}
static void fmt_netns(const void *row, char *buf, size_t len)
{
	const struct column_row *r = row;
	const char *name = netns_of(r);
	textsafe_display(name, strlen(name), buf, len);
}
/* The host's first, then by name. */
static int cmp_netns(const void *x, const void *y)
{
	const struct column_row *a = x, *b = y;
	int ha = a->rec->netns == 0, hb = b->rec->netns == 0;
	if (ha != hb)
		return ha ? -1 : 1;
	return strcmp(netns_of(a), netns_of(b));
}

int columns_netns_wanted(const struct column_row *r)
{
	return r->rec->netns != 0;
}


/* ---- Connections: styles, endpoints, JSON ---- */

static int style_state(const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	if (r->proto == IPPROTO_UDP)
		return r->state == SOCK_ST_ESTABLISHED ? THEME_STATE_ESTABLISHED : THEME_STATE_UDP;
	switch (r->state) {
	case SOCK_ST_LISTEN: return THEME_STATE_LISTEN;
	case SOCK_ST_ESTABLISHED: return THEME_STATE_ESTABLISHED;
	case SOCK_ST_SYN_SENT: case SOCK_ST_SYN_RECV: case SOCK_ST_NEW_SYN_RECV:
		return THEME_STATE_SYN;
	default: return THEME_STATE_CLOSING;
	}
}

static void end_local(const void *row, struct column_endpoint *out)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	*out = (struct column_endpoint){ r->proto, r->family, r->laddr, r->lport };
}
static void end_remote(const void *row, struct column_endpoint *out)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	*out = (struct column_endpoint){ r->proto, r->family, r->raddr, r->rport };
}

void columns_json_key(struct column_json *j, const char *key)
{
	fprintf(j->f, "%s\"%s\":", j->keys++ ? "," : "", key);
}

void columns_json_str(struct column_json *j, const char *key, const char *s)
{
	columns_json_key(j, key);
	textsafe_json_write(j->f, s, strlen(s));
}

/* A string key, or null when s is empty (no service known). */
static void json_opt_str(struct column_json *j, const char *key, const char *s)
{
	if (s[0])
		columns_json_str(j, key, s);
	else
		fprintf(j->f, "%s\"%s\":null", j->keys++ ? "," : "", key);
}

static void json_proto(struct column_json *j, const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	columns_json_str(j, "proto", sock_proto_name(r->proto));
	columns_json_key(j, "family");
	fprintf(j->f, "%d", r->family == AF_INET6 ? 6 : 4);
}
static void json_state(struct column_json *j, const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	columns_json_str(j, "state", sock_state_name(r->proto, r->state));
}
static void json_endpoint(struct column_json *j, const char *akey, const char *pkey,
                          uint8_t family, const uint8_t *addr, uint16_t port)
{
	char a[64];
	columns_json_str(j, akey, sock_addr_str(family, addr, a, sizeof(a)));
	columns_json_key(j, pkey);
	fprintf(j->f, "%u", port);
}
static void json_local(struct column_json *j, const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	json_endpoint(j, "laddr", "lport", r->family, r->laddr, r->lport);
}
static void json_remote(struct column_json *j, const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	json_endpoint(j, "raddr", "rport", r->family, r->raddr, r->rport);
}
/* Every owner with its own service and command line (the exact bytes,
 * arguments joined by spaces), null where it has none. */
static void json_owner_list(struct column_json *j, const char *key, const struct sock_owner *o,
                            size_t n, const struct column_cmdlines *cmdlines)
{
	columns_json_key(j, key);
	fputc('[', j->f);
	for (size_t i = 0; i < n; i++) {
		struct column_json p = { j->f, 0 };
		fputs(i ? ",{" : "{", j->f);
		columns_json_key(&p, "pid");
		fprintf(j->f, "%d", o[i].pid);
		columns_json_str(&p, "comm", o[i].comm);
		columns_json_str(&p, "user", o[i].user);
		json_opt_str(&p, "service", o[i].service);
		const char *line = columns_cmdline(cmdlines, o[i].pid, o[i].starttime);
		if (line)
			columns_json_str(&p, "cmdline", line);
		else
			fprintf(j->f, ",\"cmdline\":null");
		fputc('}', j->f);
	}
	fputc(']', j->f);
}
/* "procs", who holds it, and "owner_was", who held it when last seen
 * whole once no process does (a TIME_WAIT's), both always there. */
static void json_procs(struct column_json *j, const void *row)
{
	const struct column_row *r = row;
	json_owner_list(j, "procs", r->owners, r->nowners, r->cmdlines);
	json_owner_list(j, "owner_was", r->owners_was, r->nowners_was, r->cmdlines);
}
/* A socket only the kernel's destroy notification told of has no uid
 * (the kernel does not send it): null, never a made-up 0. */
static void json_uid(struct column_json *j, const void *row)
{
	const struct column_row *r = row;
	columns_json_key(j, "uid");
	if (r->uid_unknown)
		fputs("null", j->f);
	else
		fprintf(j->f, "%u", r->rec->uid);
}
/* The socket's service: its lowest-pid owner's that has one (owners of one
 * socket nearly always share it; each owner's own is in "procs"). */
static void json_service(struct column_json *j, const void *row)
{
	const struct column_row *r = row;
	for (size_t i = 0; i < r->nowners; i++)
		if (r->owners[i].service[0]) {
			columns_json_str(j, "service", r->owners[i].service);
			return;
		}
	json_opt_str(j, "service", "");
}
static void json_recvq(struct column_json *j, const void *row)
{
	columns_json_key(j, "recvq");
	fprintf(j->f, "%u", ((const struct column_row *)row)->rec->recvq);
}
static void json_sendq(struct column_json *j, const void *row)
{
	columns_json_key(j, "sendq");
	fprintf(j->f, "%u", ((const struct column_row *)row)->rec->sendq);
}
/* The TCP details, where the kernel gave tcp_info. */
static void json_tcp(struct column_json *j, const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	if (!r->has_tcpinfo)
		return;
	columns_json_key(j, "rtt");
	fprintf(j->f, "%.3f,\"rttvar\":%.3f,\"cwnd\":%u,\"txbytes\":%llu,\"rxbytes\":%llu",
	        r->tcp.rtt_us / 1000.0, r->tcp.rttvar_us / 1000.0, r->tcp.snd_cwnd,
	        (unsigned long long)r->tcp.bytes_acked, (unsigned long long)r->tcp.bytes_received);
}
static void json_retrans(struct column_json *j, const void *row)
{
	const struct sock_rec *r = ((const struct column_row *)row)->rec;
	if (!r->has_tcpinfo)
		return;
	columns_json_key(j, "retrans");
	fprintf(j->f, "%u", r->tcp.total_retrans);
}
/* Rates as bytes per second; absent, not 0, where unknown. */
static void json_txrate(struct column_json *j, const void *row)
{
	const struct column_row *r = row;
	if (r->has_rate) {
		columns_json_key(j, "txrate");
		fprintf(j->f, "%.1f", r->tx_rate);
	}
}
static void json_rxrate(struct column_json *j, const void *row)
{
	const struct column_row *r = row;
	if (r->has_rate) {
		columns_json_key(j, "rxrate");
		fprintf(j->f, "%.1f", r->rx_rate);
	}
}
static void json_inode(struct column_json *j, const void *row)
{
	columns_json_key(j, "inode");
	fprintf(j->f, "%llu", (unsigned long long)((const struct column_row *)row)->rec->inode);
}
static void json_netns(struct column_json *j, const void *row)
{
	columns_json_str(j, "netns", netns_of(row));
}

/* The columns other files name, by place in the table below. */
enum { COL_LOCAL = 3, COL_REMOTE, COL_PROCESS, COL_USER };

/* In screen order. NETNS stands before the addresses it qualifies, and is
 * kept while there is room for it beside them, the state and the process;
 * min leaves room for the title and its sort mark. */
const struct column columns[] = {
	{ .name = "proto", .title = "PROTO", .json = "proto", .min = 6, .keep = 9,
	  .in_batch = 1, .fixed = 1, .format = fmt_proto, .compare = cmp_proto,
	  .json_write = json_proto },
	{ .name = "state", .title = "STATE", .json = "state", .min = 11, .keep = 9,
	  .in_batch = 1, .fixed = 1, .format = fmt_state, .compare = cmp_state,
	  .style = style_state, .json_write = json_state },
	/* Shown only once a socket outside the host's namespace is. */
	{ .name = "netns", .title = "NETNS", .json = "netns", .min = 16, .keep = 8,
	  .show = COLUMN_SHOW_NETNS, .batch_last = 1, .fixed = 1, .format = fmt_netns,
	  .compare = cmp_netns, .json_write = json_netns },
	[COL_LOCAL] = { .name = "local", .title = "LOCAL", .json = "laddr", .min = 21, .grow = 1,
	  .keep = 10, .in_batch = 1, .fixed = 1, .format = fmt_local, .compare = cmp_local,
	  .endpoint = end_local, .json_write = json_local },
	[COL_REMOTE] = { .name = "remote", .title = "REMOTE", .json = "raddr", .min = 21, .grow = 1,
	  .keep = 10, .in_batch = 1, .fixed = 1, .format = fmt_remote, .compare = cmp_remote,
	  .endpoint = end_remote, .json_write = json_remote },
	[COL_PROCESS] = { .name = "process", .title = "PID/PROCESS", .json = "procs", .min = 16,
	  .grow = 1, .keep = 9, .in_batch = 1, .format = fmt_process, .compare = cmp_process,
	  .style = style_process, .json_write = json_procs },
	[COL_USER] = { .name = "user", .title = "USER", .json = "uid", .min = 8, .keep = 5,
	  .in_batch = 1, .format = fmt_user, .compare = cmp_user, .style = style_former,
	  .json_write = json_uid },
	/* Off --batch's table (its width would change every script's
	 * columns); the JSON has "service". */
	{ .name = "service", .title = "SERVICE", .json = "service", .min = 14, .keep = 5,
	  .show = COLUMN_SHOW_SERVICE, .format = fmt_service, .compare = cmp_service,
	  .known = known_service, .style = style_former, .json_write = json_service },
	{ .name = "recvq", .title = "RECV-Q", .json = "recvq", .min = 7, .keep = 4, .right = 1,
	  .in_batch = 1, .format = fmt_recvq, .compare = cmp_recvq, .json_write = json_recvq },
	{ .name = "sendq", .title = "SEND-Q", .json = "sendq", .min = 7, .keep = 3, .right = 1,
	  .in_batch = 1, .format = fmt_sendq, .compare = cmp_sendq, .json_write = json_sendq },
	{ .name = "rtt", .title = "RTT", .json = "rtt", .min = 7, .keep = 2, .right = 1,
	  .in_batch = 1, .format = fmt_rtt, .compare = cmp_rtt, .known = known_rtt,
	  .json_write = json_tcp },
	/* A lossy connection stands out; the first to go on a narrow screen,
	 * and off --batch's table so scripts keep their columns. */
	{ .name = "retrans", .title = "RETRANS", .json = "retrans", .min = 8, .keep = 1,
	  .right = 1, .format = fmt_retrans, .compare = cmp_retrans, .known = known_retrans,
	  .json_write = json_retrans },
	/* Rates need two polls: the screen shows them, --batch's table not
	 * (its JSON has txrate/rxrate keys where known). */
	{ .name = "txrate", .title = "TX/s", .json = "txrate", .min = 5, .keep = 7, .right = 1,
	  .format = fmt_txrate, .compare = cmp_txrate, .known = known_rate,
	  .json_write = json_txrate },
	{ .name = "rxrate", .title = "RX/s", .json = "rxrate", .min = 5, .keep = 7, .right = 1,
	  .format = fmt_rxrate, .compare = cmp_rxrate, .known = known_rate,
	  .json_write = json_rxrate },
	{ .name = "age", .title = "AGE", .min = 6, .keep = 6, .right = 1, .fixed = 1,
	  .format = fmt_age, .compare = cmp_age },
	/* Last, where the pane has room left after the others, or named. */
	{ .name = "command", .title = "COMMAND", .min = 30, .grow = 2, .keep = 1,
	  .show = COLUMN_SHOW_ROOM, .format = fmt_command, .compare = cmp_command,
	  .style = style_former },
	/* In --batch's table when the columns list names it, never on the screen. */
	{ .name = "inode", .title = "INODE", .json = "inode", .show = COLUMN_SHOW_NAMED,
	  .right = 1, .fixed = 1, .format = fmt_inode, .compare = cmp_inode,
	  .json_write = json_inode },
	/* Sort-only keys: one side's port, the first owner's pid. */
	{ .name = "lport", .show = COLUMN_SHOW_NAMED, .right = 1, .fixed = 1,
	  .compare = cmp_lport },
	{ .name = "rport", .show = COLUMN_SHOW_NAMED, .right = 1, .fixed = 1,
	  .compare = cmp_rport },
	{ .name = "pid", .show = COLUMN_SHOW_NAMED, .right = 1, .compare = cmp_pid },
};
const size_t ncolumns = sizeof(columns) / sizeof(columns[0]);
_Static_assert(sizeof(columns) / sizeof(columns[0]) <= COLUMNS_MAX, "a columns list is a mask");
const struct column_table columns_connections = { columns, sizeof(columns) / sizeof(columns[0]) };

const struct column *const columns_local = &columns[COL_LOCAL];
const struct column *const columns_remote = &columns[COL_REMOTE];
const struct column *const columns_process = &columns[COL_PROCESS];
const struct column *const columns_user = &columns[COL_USER];

void columns_json(struct column_json *j, const struct column_row *r)
{
	for (size_t i = 0; i < ncolumns; i++)
		if (columns[i].json_write)
			columns[i].json_write(j, r);
}

/* ---- Processes ---- */

static int cmp_num(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

static void pfmt_pid(const void *row, char *buf, size_t len)
{
	snprintf(buf, len, "%d", ((const struct proc_row *)row)->pid);
}
static int pcmp_pid(const void *x, const void *y)
{
	const struct proc_row *a = x, *b = y;
	int c = cmp_num((unsigned)a->pid, (unsigned)b->pid);
	return c ? c : cmp_num(a->starttime, b->starttime);
}
static void pfmt_user(const void *row, char *buf, size_t len)
{
	const struct proc_row *r = row;
	textsafe_display(r->user, strlen(r->user), buf, len);
}
static int pcmp_user(const void *x, const void *y)
{
	return strcmp(((const struct proc_row *)x)->user, ((const struct proc_row *)y)->user);
}
/* A process holding no socket, named only as the former owner of
 * TIME_WAITs (it let go of its sockets, or exited): "(name)", in the
 * former style. */
static int proc_former(const struct proc_row *r)
{
	return !r->total && r->tw;
}
static int pstyle_former(const void *row)
{
	return proc_former(row) ? THEME_FORMER : THEME_DEFAULT;
}
static void pfmt_comm(const void *row, char *buf, size_t len)
{
	const struct proc_row *r = row;
	if (!proc_former(r) || len < 3) {
		textsafe_display(r->comm, strlen(r->comm), buf, len);
		return;
	}
	buf[0] = '(';
	size_t n = 1 + textsafe_display(r->comm, strlen(r->comm), buf + 1, len - 2);
	buf[n] = ')';
	buf[n + 1] = '\0';
}
static int pcmp_comm(const void *x, const void *y)
{
	return strcmp(((const struct proc_row *)x)->comm, ((const struct proc_row *)y)->comm);
}

/* COMMAND: the process's command line, or its name where that cannot be read. */
static const char *proc_command(const struct proc_row *r)
{
	return command_text(r->cmdlines, r->pid, r->starttime, r->comm);
}
static void pfmt_command(const void *row, char *buf, size_t len)
{
	const char *t = proc_command(row);
	textsafe_display(t, strlen(t), buf, len);
}
static int pcmp_command(const void *x, const void *y)
{
	return strcmp(proc_command(x), proc_command(y));
}

/* SERVICE: "-" for processes (or the group of them) in no unit or container. */
static void pfmt_service(const void *row, char *buf, size_t len)
{
	const struct proc_row *r = row;
	if (r->service[0])
		textsafe_display(r->service, strlen(r->service), buf, len);
	else
		snprintf(buf, len, "-");
}
static int pknown_service(const void *row)
{
	return ((const struct proc_row *)row)->service[0] != '\0';
}
static int pcmp_service(const void *x, const void *y)
{
	return strcmp(((const struct proc_row *)x)->service, ((const struct proc_row *)y)->service);
}

#define PROC_COUNT_COLUMN(field)                                                 \
	static void pfmt_##field(const void *row, char *buf, size_t len)         \
	{                                                                        \
		snprintf(buf, len, "%zu", ((const struct proc_row *)row)->field); \
	}                                                                        \
	static int pcmp_##field(const void *x, const void *y)                    \
	{                                                                        \
		return cmp_num(((const struct proc_row *)x)->field,              \
		               ((const struct proc_row *)y)->field);             \
	}
PROC_COUNT_COLUMN(listen)
PROC_COUNT_COLUMN(established)
PROC_COUNT_COLUMN(other)
PROC_COUNT_COLUMN(total)
PROC_COUNT_COLUMN(tw)

/* TX/s, RX/s: formatted like the Connections cells, blank without a rate. */
static int pknown_rate(const void *row)
{
	return ((const struct proc_row *)row)->has_rate;
}
static void pfmt_txrate(const void *row, char *buf, size_t len)
{
	const struct proc_row *r = row;
	struct column_row c = { .has_rate = r->has_rate, .tx_rate = r->tx_rate };
	fmt_txrate(&c, buf, len);
}
static int pcmp_txrate(const void *x, const void *y)
{
	const struct proc_row *a = x, *b = y;
	struct column_row c = { .has_rate = a->has_rate, .tx_rate = a->tx_rate };
	struct column_row d = { .has_rate = b->has_rate, .tx_rate = b->tx_rate };
	return cmp_txrate(&c, &d);
}
static void pfmt_rxrate(const void *row, char *buf, size_t len)
{
	const struct proc_row *r = row;
	struct column_row c = { .has_rate = r->has_rate, .rx_rate = r->rx_rate };
	fmt_rxrate(&c, buf, len);
}
static int pcmp_rxrate(const void *x, const void *y)
{
	const struct proc_row *a = x, *b = y;
	struct column_row c = { .has_rate = a->has_rate, .rx_rate = a->rx_rate };
	struct column_row d = { .has_rate = b->has_rate, .rx_rate = b->rx_rate };
	return cmp_rxrate(&c, &d);
}

/* TREND: the last minute of TX+RX as a sparkline as wide as the column. */
#define SPARK_CELLS_MAX 160

/* The series' last span samples in width cells, scaled to the tallest. */
static void spark_fit(const struct series *s, uint64_t span, int ascii, int width,
                      char *buf, size_t len)
{
	float v[SPARK_CELLS_MAX];
	size_t n = width < 1 ? 1 : width > SPARK_CELLS_MAX ? SPARK_CELLS_MAX : (size_t)width;
	float max = 0;
	if (!s || !span) {
		snprintf(buf, len, "%s", "");
		return;
	}
	series_buckets(s, span, n, v);
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	spark_render(v, n, max, ascii ? SPARK_ASCII : SPARK_BLOCKS, buf, len);
}

static void pfit_trend(const void *row, int width, char *buf, size_t len)
{
	const struct proc_row *r = row;
	spark_fit(r->trend, r->trend_span, r->trend_ascii, width, buf, len);
}
static void pfmt_trend(const void *row, char *buf, size_t len)
{
	pfit_trend(row, 10, buf, len);
}
static double proc_trend_sum(const struct proc_row *r)
{
	return r->trend ? series_sum(r->trend, r->trend_span, NULL) : 0;
}
static int pcmp_trend(const void *x, const void *y)
{
	double a = proc_trend_sum(x), b = proc_trend_sum(y);
	return a < b ? -1 : a > b;
}
static int pknown_trend(const void *row)
{
	return ((const struct proc_row *)row)->trend != NULL;
}
static int pstyle_graph(const void *row)
{
	(void)row;
	return THEME_GRAPH;
}

/* Grouped by service, the service takes the room the process name had. */
static const struct column proc_columns[] = {
	{ .name = "pid", .title = "PID", .min = 7, .keep = 9, .right = 1,
	  .group = COLUMN_GROUP_PROCESS, .format = pfmt_pid, .compare = pcmp_pid,
	  .style = pstyle_former },
	{ .name = "user", .title = "USER", .min = 8, .grow = 1, .keep = 5,
	  .group = COLUMN_GROUP_PROCESS, .format = pfmt_user, .compare = pcmp_user,
	  .style = pstyle_former },
	{ .name = "process", .title = "PROCESS", .min = 8, .grow = 3, .keep = 9,
	  .group = COLUMN_GROUP_PROCESS, .format = pfmt_comm, .compare = pcmp_comm,
	  .style = pstyle_former },
	{ .name = "service", .title = "SERVICE", .min = 14, .grow = 2, .keep = 6,
	  .show = COLUMN_SHOW_SERVICE, .format = pfmt_service, .compare = pcmp_service,
	  .known = pknown_service, .style = pstyle_former },
	{ .name = "listen", .title = "LISTEN", .min = 6, .keep = 8, .right = 1,
	  .format = pfmt_listen, .compare = pcmp_listen },
	{ .name = "estab", .title = "ESTAB", .min = 5, .keep = 8, .right = 1,
	  .format = pfmt_established, .compare = pcmp_established },
	{ .name = "other", .title = "OTHER", .min = 5, .keep = 7, .right = 1,
	  .format = pfmt_other, .compare = pcmp_other },
	{ .name = "total", .title = "TOTAL", .min = 5, .keep = 8, .right = 1,
	  .format = pfmt_total, .compare = pcmp_total },
	/* The TIME_WAITs it left: sorted descending, the worst offender. */
	{ .name = "tw", .title = "TW", .min = 6, .keep = 6, .right = 1,
	  .format = pfmt_tw, .compare = pcmp_tw },
	{ .name = "txrate", .title = "TX/s", .min = 5, .keep = 4, .right = 1,
	  .format = pfmt_txrate, .compare = pcmp_txrate, .known = pknown_rate },
	{ .name = "rxrate", .title = "RX/s", .min = 5, .keep = 4, .right = 1,
	  .format = pfmt_rxrate, .compare = pcmp_rxrate, .known = pknown_rate },
	/* First to go: a Processes pane beside Events at 160 columns has room
	 * for the numbers only. */
	{ .name = "trend", .title = "TREND", .min = 10, .grow = 1, .keep = 3,
	  .group = COLUMN_GROUP_PROCESS, .format = pfmt_trend, .compare = pcmp_trend,
	  .known = pknown_trend, .style = pstyle_graph, .fit = pfit_trend },
	/* Last, where the pane has room left after the others. */
	{ .name = "command", .title = "COMMAND", .min = 30, .grow = 3, .keep = 1,
	  .show = COLUMN_SHOW_ROOM, .group = COLUMN_GROUP_PROCESS, .format = pfmt_command,
	  .compare = pcmp_command },
};
_Static_assert(sizeof(proc_columns) / sizeof(proc_columns[0]) <= COLUMNS_MAX, "too many");
const struct column_table columns_processes = {
	proc_columns, sizeof(proc_columns) / sizeof(proc_columns[0])
};

/* ---- Events ---- */

static void efmt_time(const void *row, char *buf, size_t len)
{
	time_t t = (time_t)((const struct sock_event *)row)->time;
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "?");
}
/* Newest first, like AGE's youngest first. */
static int ecmp_time(const void *x, const void *y)
{
	const struct sock_event *a = x, *b = y;
	return a->time < b->time ? 1 : a->time > b->time ? -1 : 0;
}
static void efmt_event(const void *row, char *buf, size_t len)
{
	snprintf(buf, len, "%s", sock_event_name(((const struct sock_event *)row)->type));
}
static int ecmp_event(const void *x, const void *y)
{
	const struct sock_event *a = x, *b = y;
	return strcmp(sock_event_name(a->type), sock_event_name(b->type));
}
/* A STATE event shows where it came from: "SYN_SENT>ESTABLISHED". */
static void efmt_state(const void *row, char *buf, size_t len)
{
	const struct sock_event *e = row;
	const char *to = sock_state_name(e->rec.proto, e->rec.state);
	if (e->type == SOCK_EV_STATE)
		snprintf(buf, len, "%s>%s", sock_state_name(e->rec.proto, e->from_state), to);
	else
		snprintf(buf, len, "%s", to);
}
static int ecmp_state(const void *x, const void *y)
{
	const struct sock_event *a = x, *b = y;
	return strcmp(sock_state_name(a->rec.proto, a->rec.state),
	              sock_state_name(b->rec.proto, b->rec.state));
}
static void efmt_socket(const void *row, char *buf, size_t len)
{
	const struct sock_event *e = row;
	char l[80], r[80];
	const struct sock_rec *s = &e->rec;
	sock_endpoint_str(s->family, s->laddr, s->lport, l, sizeof(l));
	sock_endpoint_str(s->family, s->raddr, s->rport, r, sizeof(r));
	int n = snprintf(buf, len, "%s%s %s -> %s", sock_proto_name(s->proto),
	                 s->family == AF_INET6 ? "6" : "", l, r);
	/* Who closed it: a user name, so escaped like any text from the system. */
	if (e->type == SOCK_EV_CLOSED && n >= 0 && (size_t)n + 12 < len) {
		n += snprintf(buf + n, len - (size_t)n, " closed by ");
		textsafe_display(e->by, strlen(e->by), buf + n, len - (size_t)n);
	}
}
static int ecmp_socket(const void *x, const void *y)
{
	const struct sock_rec *a = &((const struct sock_event *)x)->rec;
	const struct sock_rec *b = &((const struct sock_event *)y)->rec;
	int c = cmp_num(a->proto, b->proto);
	c = c ? c : cmp_num(a->family, b->family);
	c = c ? c : memcmp(a->laddr, b->laddr, sizeof(a->laddr));
	c = c ? c : cmp_num(a->lport, b->lport);
	c = c ? c : memcmp(a->raddr, b->raddr, sizeof(a->raddr));
	return c ? c : cmp_num(a->rport, b->rport);
}
/* The owners as the Connections PID/PROCESS cell shows them (escaped),
 * former ones in parentheses. */
static struct column_row event_owners(const struct sock_event *e)
{
	return (struct column_row){ .rec = &e->rec, .owners = e->owners, .nowners = e->nowners,
	                            .owners_was = e->owners_was, .nowners_was = e->nowners_was };
}
static void efmt_owner(const void *row, char *buf, size_t len)
{
	struct column_row r = event_owners(row);
	fmt_process(&r, buf, len);
}
static int ecmp_owner(const void *x, const void *y)
{
	struct column_row a = event_owners(x), b = event_owners(y);
	return cmp_process(&a, &b);
}

/* Spare room goes mostly to the socket, then to a state change
 * ("FIN_WAIT2>TIME_WAIT") and the owners. */
static const struct column event_columns[] = {
	{ .name = "time", .title = "TIME", .min = 8, .keep = 9,
	  .format = efmt_time, .compare = ecmp_time },
	{ .name = "event", .title = "EVENT", .min = 5, .keep = 8,
	  .format = efmt_event, .compare = ecmp_event },
	{ .name = "state", .title = "STATE", .min = 11, .grow = 1, .keep = 7,
	  .format = efmt_state, .compare = ecmp_state },
	{ .name = "socket", .title = "SOCKET", .min = 20, .grow = 2, .keep = 10,
	  .format = efmt_socket, .compare = ecmp_socket },
	{ .name = "owner", .title = "PID/PROCESS", .min = 14, .grow = 1, .keep = 6,
	  .format = efmt_owner, .compare = ecmp_owner },
};
_Static_assert(sizeof(event_columns) / sizeof(event_columns[0]) <= COLUMNS_MAX, "too many");
const struct column_table columns_events = {
	event_columns, sizeof(event_columns) / sizeof(event_columns[0])
};

/* ---- Trends ---- */

static void tfmt_name(const void *row, char *buf, size_t len)
{
	const char *n = ((const struct trend_row *)row)->name;
	textsafe_display(n, strlen(n), buf, len);
}
static int tcmp_name(const void *x, const void *y)
{
	return strcmp(((const struct trend_row *)x)->name, ((const struct trend_row *)y)->name);
}
static void tfmt_now(const void *row, char *buf, size_t len)
{
	const struct trend_row *r = row;
	spark_value(r->now, r->bytes ? SPARK_BYTES_PER_S : SPARK_COUNT, buf, len);
}
static int tcmp_now(const void *x, const void *y)
{
	const struct trend_row *a = x, *b = y;
	return a->now < b->now ? -1 : a->now > b->now;
}
static int tknown_now(const void *row)
{
	return ((const struct trend_row *)row)->now == ((const struct trend_row *)row)->now;
}
static void tfmt_peak(const void *row, char *buf, size_t len)
{
	const struct trend_row *r = row;
	spark_value(r->peak, r->bytes ? SPARK_BYTES_PER_S : SPARK_COUNT, buf, len);
}
static int tcmp_peak(const void *x, const void *y)
{
	const struct trend_row *a = x, *b = y;
	return a->peak < b->peak ? -1 : a->peak > b->peak;
}
/* A process's bytes over the window: "12MB". */
static void tfmt_total(const void *row, char *buf, size_t len)
{
	const struct trend_row *r = row;
	if (r->total < 0)
		snprintf(buf, len, "%s", "");
	else
		spark_value(r->total, SPARK_BYTES, buf, len);
}
static int tcmp_total(const void *x, const void *y)
{
	const struct trend_row *a = x, *b = y;
	return a->total < b->total ? -1 : a->total > b->total;
}
static int tknown_total(const void *row)
{
	return ((const struct trend_row *)row)->total >= 0;
}
static void tfit_graph(const void *row, int width, char *buf, size_t len)
{
	const struct trend_row *r = row;
	spark_fit(r->s, r->span, r->ascii, width, buf, len);
}
static void tfmt_graph(const void *row, char *buf, size_t len)
{
	tfit_graph(row, 20, buf, len);
}
static int tcmp_graph(const void *x, const void *y)
{
	const struct trend_row *a = x, *b = y;
	double sa = a->s ? series_sum(a->s, a->span, NULL) : 0;
	double sb = b->s ? series_sum(b->s, b->span, NULL) : 0;
	return sa < sb ? -1 : sa > sb;
}
static int tstyle_label(const void *row)
{
	(void)row;
	return THEME_GRAPH_LABEL;
}

/* The graph takes the room; NOW and PEAK say their unit (B/s, or a count). */
static const struct column trend_columns[] = {
	{ .name = "series", .title = "SERIES", .min = 22, .keep = 9,
	  .format = tfmt_name, .compare = tcmp_name, .style = tstyle_label },
	{ .name = "now", .title = "NOW", .min = 9, .keep = 8, .right = 1,
	  .format = tfmt_now, .compare = tcmp_now, .known = tknown_now },
	{ .name = "peak", .title = "PEAK", .min = 9, .keep = 7, .right = 1,
	  .format = tfmt_peak, .compare = tcmp_peak },
	{ .name = "total", .title = "TOTAL", .min = 7, .keep = 5, .right = 1,
	  .format = tfmt_total, .compare = tcmp_total, .known = tknown_total },
	{ .name = "graph", .title = "LAST 10 MINUTES", .min = 20, .grow = 1, .keep = 10,
	  .format = tfmt_graph, .compare = tcmp_graph, .style = pstyle_graph,
	  .fit = tfit_graph },
};
_Static_assert(sizeof(trend_columns) / sizeof(trend_columns[0]) <= COLUMNS_MAX, "too many");
const struct column_table columns_trends = {
	trend_columns, sizeof(trend_columns) / sizeof(trend_columns[0])
};

/* ---- walking a table ---- */

const char *columns_cmdline(const struct column_cmdlines *src, int pid,
                            unsigned long long starttime)
{
	return src ? src->get(src->ctx, pid, starttime) : NULL;
}

int columns_compare(const struct column *col, const void *a, const void *b, int desc)
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

int columns_in_group(const struct column *col, unsigned seen)
{
	if (col->group == COLUMN_GROUP_ANY)
		return 1;
	return col->group == (seen & COLUMN_SEEN_BY_SERVICE ? COLUMN_GROUP_SERVICE
	                                                     : COLUMN_GROUP_PROCESS);
}

int columns_shown_unnamed(const struct column *col, unsigned seen)
{
	switch (col->show) {
	case COLUMN_SHOW_DEFAULT: return 1;
	case COLUMN_SHOW_NETNS: return (seen & COLUMN_SEEN_NETNS) != 0;
	case COLUMN_SHOW_SERVICE:
		return (seen & (COLUMN_SEEN_SERVICE | COLUMN_SEEN_BY_SERVICE)) != 0;
	default: return 0;
	}
}

const struct column *columns_table_find(const struct column_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcasecmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

const struct column *columns_find(const char *name)
{
	return columns_table_find(&columns_connections, name);
}

/* The default columns first: what a user sees is what the list starts with. */
void columns_list(char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < ncolumns && n < len; i++) {
			if ((columns[i].show == COLUMN_SHOW_DEFAULT) != (pass == 0))
				continue;
			int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", columns[i].name);
			if (w < 0)
				break;
			n += (size_t)w;
		}
}
