/* promfile.c — Prometheus text exposition of the socket table (promfile.h):
 * counting a poll's sockets, rendering the metric families with their
 * HELP and TYPE lines, and the atomic swap of the file node_exporter reads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "ports.h"
#include "promfile.h"
#include "room.h"
#include "textsafe.h"

/* A command name made safe: 15 bytes at most 4 escaped characters each. */
#define PROMFILE_NAME_MAX 64
#define PROMFILE_NPORTS 65536

struct promfile_name {
	char s[PROMFILE_NAME_MAX];
};

struct promfile_listener {
	uint16_t port;
	uint32_t queue;              /* connections waiting to be accepted */
};

struct promfile_counts {
	size_t state[2][SOCK_ST_MAX];        /* [0] tcp, [1] udp */
	size_t pclass[2][3];                 /* by the local port's class */
	size_t unowned;
	struct promfile_name *names;         /* one per socket and distinct owner name */
	size_t nnames, capnames;
	struct promfile_listener *listeners;
	size_t nlisteners, caplisteners;
	uint32_t *conns;                     /* TCP non-listeners by local port */
};

/* A name and how many sockets it holds, or a port and its figures. */
struct promfile_rank {
	const char *name;
	uint16_t port;
	size_t count;
	uint64_t queue;
};

struct promfile_counts *promfile_counts_new(void)
{
	struct promfile_counts *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->conns = calloc(PROMFILE_NPORTS, sizeof(*c->conns));
	if (!c->conns) {
		free(c);
		return NULL;
	}
	return c;
}

void promfile_counts_free(struct promfile_counts *c)
{
	if (!c)
		return;
	free(c->names);
	free(c->listeners);
	free(c->conns);
	free(c);
}

void promfile_counts_reset(struct promfile_counts *c)
{
	memset(c->state, 0, sizeof(c->state));
	memset(c->pclass, 0, sizeof(c->pclass));
	memset(c->conns, 0, PROMFILE_NPORTS * sizeof(*c->conns));
	c->unowned = 0;
	c->nnames = 0;
	c->nlisteners = 0;
}

/* A socket held by several processes of the same name (a pre-forked
 * server) counts once for that name. */
static int promfile_seen_comm(const struct sock_owner *owners, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(owners[j].comm, owners[i].comm) == 0)
			return 1;
	return 0;
}

static int promfile_add_owners(struct promfile_counts *c, const struct sock_owner *owners,
                               size_t n)
{
	if (n == 0) {
		c->unowned++;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (promfile_seen_comm(owners, i))
			continue;
		if (room_reserve(&c->names, &c->capnames, c->nnames + 1,
		                 sizeof(*c->names), 64) < 0)
			return -1;
		textsafe_display(owners[i].comm, strnlen(owners[i].comm, sizeof(owners[i].comm)),
		                 c->names[c->nnames].s, PROMFILE_NAME_MAX);
		c->nnames++;
	}
	return 0;
}

static int promfile_add_tcp(struct promfile_counts *c, const struct sock_rec *rec)
{
	if (rec->state != SOCK_ST_LISTEN) {
		c->conns[rec->lport]++;
		return 0;
	}
	if (room_reserve(&c->listeners, &c->caplisteners, c->nlisteners + 1,
	                 sizeof(*c->listeners), 64) < 0)
		return -1;
	c->listeners[c->nlisteners++] = (struct promfile_listener){ rec->lport, rec->recvq };
	return 0;
}

int promfile_counts_add(struct promfile_counts *c, const struct sock_rec *rec,
                        const struct sock_owner *owners, size_t n)
{
	int p = rec->proto == IPPROTO_UDP;

	if (rec->proto != IPPROTO_TCP && rec->proto != IPPROTO_UDP)
		return 0;
	if (rec->state < SOCK_ST_MAX)
		c->state[p][rec->state]++;
	c->pclass[p][port_class(rec->lport)]++;
	if (!p && promfile_add_tcp(c, rec) < 0)
		return -1;
	return promfile_add_owners(c, owners, n);
}

int promfile_counts_table(struct promfile_counts *c, const struct sock_table *t,
                          const struct filter *f)
{
	promfile_counts_reset(c);
	for (size_t i = 0; i < sock_table_count(t); i++) {
		const struct sock_entry *e = sock_table_at(t, i);
		struct filter_subject s = { .rec = &e->rec, .owners = e->owners,
		                            .nowners = e->nowners, .netns = e->rec.netns_name };
		if (f && !filter_match_was(f, &s, e->owners_was, e->nowners_was))
			continue;
		if (promfile_counts_add(c, &e->rec, e->owners, e->nowners) < 0)
			return -1;
	}
	return 0;
}

/* ---- rendering ---- */

int promfile_label_write(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int rc;
		switch (s[i]) {
		case '\\': rc = fputs("\\\\", f); break;
		case '"': rc = fputs("\\\"", f); break;
		case '\n': rc = fputs("\\n", f); break;
		default: rc = fputc(s[i], f); break;
		}
		if (rc == EOF)
			return EOF;
	}
	return 0;
}

static void promfile_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void promfile_states(FILE *f, const struct promfile_counts *c)
{
	promfile_family(f, "sockeye_sockets", "gauge", "Sockets by protocol and state.");
	for (int st = 1; st < SOCK_ST_MAX; st++)
		fprintf(f, "sockeye_sockets{proto=\"tcp\",state=\"%s\"} %zu\n",
		        sock_state_name(IPPROTO_TCP, (uint8_t)st), c->state[0][st]);
	/* UDP has two states of its own; the rest only if the kernel says so. */
	for (int st = 1; st < SOCK_ST_MAX; st++)
		if (st == SOCK_ST_ESTABLISHED || st == SOCK_ST_CLOSE || c->state[1][st])
			fprintf(f, "sockeye_sockets{proto=\"udp\",state=\"%s\"} %zu\n",
			        sock_state_name(IPPROTO_UDP, (uint8_t)st), c->state[1][st]);
}

static void promfile_classes(FILE *f, const struct promfile_counts *c)
{
	static const char *const protos[2] = { "tcp", "udp" };

	promfile_family(f, "sockeye_sockets_by_port_class", "gauge",
	                "Sockets by protocol and the IANA class of their local port.");
	for (int p = 0; p < 2; p++)
		for (int k = PORT_WELL_KNOWN; k <= PORT_EPHEMERAL; k++)
			fprintf(f, "sockeye_sockets_by_port_class{proto=\"%s\",class=\"%s\"} %zu\n",
			        protos[p], port_class_name((enum port_class)k), c->pclass[p][k]);
}

/* Most first; equal counts by name (or port), so the file is stable. */
static int promfile_rank_cmp(const void *x, const void *y)
{
	const struct promfile_rank *a = x, *b = y;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->name && b->name)
		return strcmp(a->name, b->name);
	return (a->port > b->port) - (a->port < b->port);
}

static int promfile_listener_cmp(const void *x, const void *y)
{
	const struct promfile_listener *a = x, *b = y;

	return (a->port > b->port) - (a->port < b->port);
}

/* One rank per listening port (a port may have a listener per address). */
static size_t promfile_port_ranks(struct promfile_counts *c, struct promfile_rank *out)
{
	size_t n = 0;

	if (c->nlisteners)     /* qsort wants an array, even of none */
		qsort(c->listeners, c->nlisteners, sizeof(*c->listeners), promfile_listener_cmp);
	for (size_t i = 0; i < c->nlisteners; i++) {
		const struct promfile_listener *l = &c->listeners[i];
		if (n && out[n - 1].port == l->port) {
			out[n - 1].queue += l->queue;
			continue;
		}
		out[n++] = (struct promfile_rank){ .port = l->port, .count = c->conns[l->port],
		                                   .queue = l->queue };
	}
	qsort(out, n, sizeof(*out), promfile_rank_cmp);
	return n;
}

static void promfile_port_sample(FILE *f, const char *metric, const char *port, uint64_t v)
{
	fprintf(f, "sockeye_%s{proto=\"tcp\",port=\"%s\"} %llu\n", metric, port,
	        (unsigned long long)v);
}

static void promfile_port_family(FILE *f, const char *metric, const struct promfile_rank *r,
                                 size_t n, size_t top, int queue)
{
	uint64_t rest = 0;
	char port[8];

	for (size_t i = 0; i < n; i++) {
		uint64_t v = queue ? r[i].queue : r[i].count;
		if (i >= top) {
			rest += v;
			continue;
		}
		snprintf(port, sizeof(port), "%u", r[i].port);
		promfile_port_sample(f, metric, port, v);
	}
	if (n > top)
		promfile_port_sample(f, metric, "other", rest);
}

static int promfile_ports(FILE *f, struct promfile_counts *c, size_t top)
{
	struct promfile_rank *r = malloc((c->nlisteners ? c->nlisteners : 1) * sizeof(*r));
	size_t n;

	if (!r)
		return -1;
	n = promfile_port_ranks(c, r);
	promfile_family(f, "sockeye_listen_connections", "gauge",
	                "TCP connections whose local port is a listening port, by that port.");
	promfile_port_family(f, "listen_connections", r, n, top, 0);
	promfile_family(f, "sockeye_listen_queue", "gauge",
	                "Connections waiting to be accepted, by listening port.");
	promfile_port_family(f, "listen_queue", r, n, top, 1);
	free(r);
	return 0;
}

static int promfile_name_cmp(const void *x, const void *y)
{
	return strcmp(((const struct promfile_name *)x)->s, ((const struct promfile_name *)y)->s);
}

/* One rank per distinct name, most sockets first. */
static size_t promfile_name_ranks(struct promfile_counts *c, struct promfile_rank *out)
{
	size_t n = 0;

	if (c->nnames)
		qsort(c->names, c->nnames, sizeof(*c->names), promfile_name_cmp);
	for (size_t i = 0; i < c->nnames; i++) {
		if (n && strcmp(out[n - 1].name, c->names[i].s) == 0)
			out[n - 1].count++;
		else
			out[n++] = (struct promfile_rank){ .name = c->names[i].s, .count = 1 };
	}
	qsort(out, n, sizeof(*out), promfile_rank_cmp);
	return n;
}

static void promfile_process_sample(FILE *f, const char *name, size_t count)
{
	fputs("sockeye_process_sockets{process=\"", f);
	promfile_label_write(f, name, strlen(name));
	fprintf(f, "\"} %zu\n", count);
}

static int promfile_processes(FILE *f, struct promfile_counts *c, size_t top)
{
	struct promfile_rank *r = malloc((c->nnames ? c->nnames : 1) * sizeof(*r));
	size_t n, rest = 0;

	if (!r)
		return -1;
	n = promfile_name_ranks(c, r);
	promfile_family(f, "sockeye_process_sockets", "gauge",
	                "Sockets by owning command name: the top ones by count, the rest summed "
	                "in \"" PROMFILE_OTHER_PROCESSES "\".");
	for (size_t i = 0; i < n; i++) {
		if (i < top)
			promfile_process_sample(f, r[i].name, r[i].count);
		else
			rest += r[i].count;
	}
	promfile_process_sample(f, PROMFILE_OTHER_PROCESSES, rest);
	promfile_process_sample(f, PROMFILE_NO_OWNER, c->unowned);
	free(r);
	return 0;
}

static void promfile_self(FILE *f, const struct promfile_meta *m)
{
	promfile_family(f, "sockeye_poll_duration_seconds", "gauge",
	                "How long sockeye's last poll of the kernel and /proc took.");
	fprintf(f, "sockeye_poll_duration_seconds %.6f\n", m->poll_seconds);
	promfile_family(f, "sockeye_last_poll_timestamp_seconds", "gauge",
	                "When sockeye's last poll ran, in seconds since the epoch.");
	fprintf(f, "sockeye_last_poll_timestamp_seconds %.3f\n", m->poll_time);
}

int promfile_render(FILE *f, struct promfile_counts *c, const struct promfile_meta *m)
{
	size_t top_proc = m->top_processes ? m->top_processes : PROMFILE_TOP_PROCESSES;
	size_t top_ports = m->top_ports ? m->top_ports : PROMFILE_TOP_PORTS;

	promfile_states(f, c);
	promfile_classes(f, c);
	if (promfile_ports(f, c, top_ports) < 0 || promfile_processes(f, c, top_proc) < 0)
		return -1;
	promfile_self(f, m);
	return ferror(f) ? -1 : 0;
}

/* ---- the atomic swap ---- */

/* Writes and closes the temporary; 0, or an errno. */
static int promfile_write_tmp(const char *tmp, const char *data, size_t len)
{
	/* node_exporter reads only *.prom, so it never sees the temporary;
	 * O_NOFOLLOW: a link planted under that name is not written through. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	int e = 0;

	if (fd < 0)
		return errno;
	if (fdio_write_all(fd, data, len) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (e)
		unlink(tmp);
	return e;
}

int promfile_replace(const char *path, const char *data, size_t len,
                     char *err, size_t errlen)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 5);
	int e;

	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	e = promfile_write_tmp(tmp, data, len);
	if (e) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(e));
	} else if (rename(tmp, path) < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		unlink(tmp);
	}
	free(tmp);
	return e ? -1 : 0;
}
