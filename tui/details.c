/* details.c — the details view's lines for one socket. Every value that
 * came from the system passes through textsafe_display here. */
#include "config.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "columns.h"
#include "details.h"
#include "spark.h"
#include "textsafe.h"

void details_init(struct details *d)
{
	d->lines = NULL;
	d->n = d->cap = 0;
}

void details_free(struct details *d)
{
	free(d->lines);
	details_init(d);
}

static struct details_line *details_push(struct details *d)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct details_line *v = realloc(d->lines, cap * sizeof(*v));
		if (!v)
			return NULL;
		d->lines = v;
		d->cap = cap;
	}
	struct details_line *l = &d->lines[d->n++];
	l->label[0] = l->value[0] = '\0';
	return l;
}

/* Adds "label: value" with value formatted from trusted parts. */
static int add(struct details *d, const char *label, const char *fmt, ...)
{
	struct details_line *l = details_push(d);
	if (!l)
		return -1;
	snprintf(l->label, sizeof(l->label), "%s", label);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->value, sizeof(l->value), fmt, ap);
	va_end(ap);
	return 0;
}

/* Adds "label: prefix" followed by untrusted text, escaped. */
static int add_untrusted(struct details *d, const char *label, const char *prefix,
                         const char *text, size_t len)
{
	struct details_line *l = details_push(d);
	if (!l)
		return -1;
	snprintf(l->label, sizeof(l->label), "%s", label);
	size_t n = (size_t)snprintf(l->value, sizeof(l->value), "%s", prefix);
	if (n < sizeof(l->value))
		textsafe_display(text, len, l->value + n, sizeof(l->value) - n);
	return 0;
}

static void when_str(double t, double now, char *buf, size_t len)
{
	if (t <= 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	time_t s = (time_t)t;
	struct tm tm;
	localtime_r(&s, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	if (now >= t)
		snprintf(buf + n, len - n, " (%.0f s ago)", now - t);
}

static int add_endpoint(struct details *d, const char *label, const struct sock_rec *r,
                        const uint8_t addr[16], uint16_t port,
                        const struct details_source *src)
{
	char ep[96], about[160];
	sock_endpoint_str(r->family, addr, port, ep, sizeof(ep));
	if (!port)
		return add(d, label, "%s", ep);
	size_t n = (size_t)snprintf(about, sizeof(about), "port %s",
	                            port_class_name(port_class(port)));
	if (src->range_hi && port >= src->range_lo && port <= src->range_hi && n < sizeof(about))
		n += (size_t)snprintf(about + n, sizeof(about) - n,
		                      ", in the kernel's local range %u-%u",
		                      src->range_lo, src->range_hi);
	const char *svc = src->services ? services_name(src->services, port, r->proto) : NULL;
	if (svc && n < sizeof(about))
		snprintf(about + n, sizeof(about) - n, ", service %s", svc);
	return add(d, label, "%s  (%s)", ep, about);
}

static int add_socket(struct details *d, const struct details_source *src)
{
	const struct sock_rec *r = src->rec;
	char t1[96], t2[96];
	int rc = 0;
	rc |= add(d, "Protocol", "%s over IPv%d", r->proto == IPPROTO_TCP ? "TCP" : "UDP",
	          r->family == AF_INET6 ? 6 : 4);
	rc |= add(d, "State", "%s%s", sock_state_name(r->proto, r->state),
	          src->gone ? "  (closed; kept on screen for a moment)" : "");
	rc |= add_endpoint(d, "Local", r, r->laddr, r->lport, src);
	rc |= add_endpoint(d, "Remote", r, r->raddr, r->rport, src);
	rc |= add(d, "Inode", "%llu%s", (unsigned long long)r->inode,
	          r->inode ? "" : "  (no process holds it)");
	rc |= add(d, "Socket uid", "%u", r->uid);
	if (r->cookie)
		rc |= add(d, "Cookie", "%llu", (unsigned long long)r->cookie);
	if (r->ifindex)
		rc |= add(d, "Interface", "index %u", r->ifindex);
	rc |= add(d, "Queues", "receive %u, send %u%s", r->recvq, r->sendq,
	          r->state == SOCK_ST_LISTEN ? "  (listener: accept queue, backlog)" : "");
	when_str(src->first_seen, src->now, t1, sizeof(t1));
	when_str(src->state_since, src->now, t2, sizeof(t2));
	rc |= add(d, "First seen", "%s", t1);
	rc |= add(d, "State since", "%s", t2);
	return rc;
}

/* The last poll's rates, exact and in the columns' units; a connection
 * seen once has its counters but no rate yet. */
static int add_rate(struct details *d, const struct details_source *src)
{
	char tx[16], rx[16];
	if (!src->has_rate)
		return src->gone ? 0 : add(d, "Rate", "known after the next poll");
	columns_rate_str(src->tx_rate, tx, sizeof(tx));
	columns_rate_str(src->rx_rate, rx, sizeof(rx));
	return add(d, "Rate", "TX %s/s (%.0f bytes/s), RX %s/s (%.0f bytes/s)",
	           tx, src->tx_rate, rx, src->rx_rate);
}

static int add_tcp(struct details *d, const struct details_source *src)
{
	const struct sock_rec *r = src->rec;
	if (r->proto != IPPROTO_TCP)
		return 0;
	if (!r->has_tcpinfo)
		return add(d, "TCP", "no details (listener, closed, or from /proc/net)");
	const struct sock_tcpinfo *t = &r->tcp;
	int rc = 0;
	rc |= add(d, "RTT", "%.3f ms (variation %.3f ms)", t->rtt_us / 1000.0, t->rttvar_us / 1000.0);
	rc |= add(d, "Retransmits", "%u now, %u in total", t->retransmits, t->total_retrans);
	rc |= add(d, "Cong. window", "%u segments", t->snd_cwnd);
	rc |= add(d, "Bytes", "sent %llu, acknowledged %llu, received %llu",
	          (unsigned long long)t->bytes_sent, (unsigned long long)t->bytes_acked,
	          (unsigned long long)t->bytes_received);
	rc |= add_rate(d, src);
	return rc;
}

/* "<label>: pid comm", its user (when known) and its command line. */
static int add_owner(struct details *d, const char *label, const struct sock_owner *o,
                     const struct procmap *pm, const struct column_cmdlines *recorded)
{
	char cmd[DETAILS_VALUE_MAX];
	char head[64];
	int rc = 0;
	const char *was = recorded ? columns_cmdline(recorded, o->pid, o->starttime) : NULL;
	snprintf(head, sizeof(head), "%d ", o->pid);
	rc |= add_untrusted(d, label, head, o->comm, strlen(o->comm));
	if (o->user[0])
		rc |= add_untrusted(d, "  user", "", o->user, strlen(o->user));
	if (was)
		rc |= add_untrusted(d, "  command", "", was, strlen(was));
	else if (recorded)
		rc |= add(d, "  command", "(not readable when recorded)");
	else if (pm && procmap_cmdline(pm, o->pid, o->starttime, cmd, sizeof(cmd)) == 0)
		rc |= add_untrusted(d, "  command", "", cmd, strlen(cmd));
	else
		rc |= add(d, "  command", "(gone, or not readable)");
	return rc;
}

#define DETAILS_SPARK 40

/* A history line: the sparkline, then min, average and max over the
 * samples that are not gaps; "ms" values are milliseconds. */
static int add_history(struct details *d, const char *label, const struct series *s,
                       uint64_t span, int ascii, int ms)
{
	float v[DETAILS_SPARK];
	char line[DETAILS_SPARK * 3 + 1], lo[24], mean[24], hi[24];
	double sum = 0, min = 0, max = 0;
	uint64_t k = 0;
	for (uint64_t a = 0; a < span && a < s->n; a++) {
		float x = series_at(s, a);
		if (x != x)
			continue;
		min = k == 0 || x < min ? x : min;
		max = k == 0 || x > max ? x : max;
		sum += x;
		k++;
	}
	if (!k)
		return add(d, label, "no samples yet");
	/* What was recorded fills the line, at most one cell a sample. */
	uint64_t held = span < s->n ? span : s->n;
	size_t cells = held < DETAILS_SPARK ? (size_t)held : DETAILS_SPARK;
	series_buckets(s, held, cells, v);
	spark_render(v, cells, max, ascii ? SPARK_ASCII : SPARK_BLOCKS, line, sizeof(line));
	if (ms) {
		snprintf(lo, sizeof(lo), "%.2f ms", min);
		snprintf(mean, sizeof(mean), "%.2f ms", sum / (double)k);
		snprintf(hi, sizeof(hi), "%.2f ms", max);
	} else {
		spark_value(min, SPARK_BYTES_PER_S, lo, sizeof(lo));
		spark_value(sum / (double)k, SPARK_BYTES_PER_S, mean, sizeof(mean));
		spark_value(max, SPARK_BYTES_PER_S, hi, sizeof(hi));
	}
	return add(d, label, "%s  min %s  avg %s  max %s", line, lo, mean, hi);
}

static int add_histories(struct details *d, const struct details_source *src)
{
	int rc = 0;
	if (src->rate_hist && src->rec->proto == IPPROTO_TCP) {
		rc |= add(d, "History", "since these details opened, one sample a poll");
		rc |= add_history(d, "  TX+RX", src->rate_hist, src->span, src->ascii, 0);
		rc |= add_history(d, "  RTT", src->rtt_hist, src->span, src->ascii, 1);
	}
	if (src->owner_hist)
		rc |= add_history(d, "Owner TX+RX", src->owner_hist, src->span, src->ascii, 0);
	return rc;
}

int details_build(struct details *d, const struct details_source *src)
{
	int rc = 0;
	d->n = 0;
	rc |= add_socket(d, src);
	rc |= add_tcp(d, src);
	rc |= add_histories(d, src);
	if (!src->nowners && src->nowners_was)
		rc |= add(d, "Process", "none (closed by the former owner%s below)",
		          src->nowners_was > 1 ? "s" : "");
	else if (!src->nowners)
		rc |= add(d, "Process", src->rec->inode ? "unknown (not visible to this user)" : "none");
	for (size_t i = 0; i < src->nowners; i++)
		rc |= add_owner(d, "Process", &src->owners[i], src->pm, src->cmdlines);
	for (size_t i = 0; !src->nowners && i < src->nowners_was; i++)
		rc |= add_owner(d, "Former owner", &src->owners_was[i], src->pm, src->cmdlines);
	return rc ? -1 : 0;
}

int details_build_process(struct details *d, const struct details_process *src)
{
	struct sock_owner o;
	int rc = 0;
	d->n = 0;
	memset(&o, 0, sizeof(o));
	o.pid = src->pid;
	o.starttime = src->starttime;
	snprintf(o.comm, sizeof(o.comm), "%s", src->comm);
	rc |= add_owner(d, "Process", &o, src->pm, src->cmdlines);
	rc |= add_history(d, "TX+RX 10 min", src->hist, src->span, src->ascii, 0);
	rc |= add_history(d, "TX+RX 60 s", src->hist, src->minute, src->ascii, 0);
	return rc ? -1 : 0;
}
