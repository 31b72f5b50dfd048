/* journal.c — structured journal entries for socket events (journal.h):
 * the fields built from an event, and their sending through libsystemd
 * when configure found it (HAVE_LIBSYSTEMD). */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "journal.h"
#include "textsafe.h"

/* Where journald listens; libsystemd sends there and nowhere else. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

void journal_entry_init(struct journal_entry *j)
{
	memset(j, 0, sizeof(*j));
}

static void journal_entry_clear(struct journal_entry *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->iov[i].iov_base);
	j->n = 0;
}

void journal_entry_free(struct journal_entry *j)
{
	journal_entry_clear(j);
	free(j->iov);
	journal_entry_init(j);
}

/* Appends "field=" and value[0..len) exactly. */
static int journal_add_bytes(struct journal_entry *j, const char *field,
                             const char *value, size_t len)
{
	size_t flen = strlen(field);
	char *item;

	if (j->n == j->cap) {
		size_t ncap = j->cap ? j->cap * 2 : 32;
		struct iovec *v = realloc(j->iov, ncap * sizeof(*v));
		if (!v)
			return -1;
		j->iov = v;
		j->cap = ncap;
	}
	item = malloc(flen + 1 + len + 1);
	if (!item)
		return -1;
	memcpy(item, field, flen);
	item[flen] = '=';
	memcpy(item + flen + 1, value, len);
	item[flen + 1 + len] = '\0';
	j->iov[j->n].iov_base = item;
	j->iov[j->n].iov_len = flen + 1 + len;
	j->n++;
	return 0;
}

static int journal_add(struct journal_entry *j, const char *field, const char *value)
{
	return journal_add_bytes(j, field, value, strlen(value));
}

__attribute__((format(printf, 3, 4)))
static int journal_addf(struct journal_entry *j, const char *field, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return journal_add(j, field, buf);
}

/* "new tcp ESTABLISHED 127.0.0.1:40000 -> 127.0.0.1:5000 1234/python3",
 * names escaped as on the screen; former owners (a TIME_WAIT's) as
 * "(1234/python3)". */
static int journal_message(struct journal_entry *j, const struct sock_event *e)
{
	const struct sock_rec *r = &e->rec;
	char local[80], remote[80], state[64], msg[1024], safe[80];
	size_t len;

	if (e->type == SOCK_EV_STATE)
		snprintf(state, sizeof(state), "%s->%s", sock_state_name(r->proto, e->from_state),
		         sock_state_name(r->proto, r->state));
	else
		snprintf(state, sizeof(state), "%s", sock_state_name(r->proto, r->state));
	len = (size_t)snprintf(msg, sizeof(msg), "%s %s %s %s -> %s", sock_event_name(e->type),
	                       sock_proto_name(r->proto), state,
	                       sock_endpoint_str(r->family, r->laddr, r->lport, local, sizeof(local)),
	                       sock_endpoint_str(r->family, r->raddr, r->rport, remote,
	                                         sizeof(remote)));
	int former;
	const struct sock_owner *o;
	size_t n = sock_owners_shown(e->owners, e->nowners, e->owners_was, e->nowners_was,
	                             &o, &former);
	for (size_t i = 0; i < n && len < sizeof(msg); i++) {
		textsafe_display(o[i].comm, strnlen(o[i].comm, sizeof(o[i].comm)), safe, sizeof(safe));
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, former ? " (%d/%s)" : " %d/%s",
		                        o[i].pid, safe);
	}
	return journal_add(j, "MESSAGE", msg);
}

static int journal_socket(struct journal_entry *j, const struct sock_event *e)
{
	const struct sock_rec *r = &e->rec;
	char a[64], b[64];

	/* || keeps the fields in order and stops at the first failure. */
	return journal_add(j, "SOCKEYE_EVENT", sock_event_name(e->type)) ||
	       journal_add(j, "SOCKEYE_PROTO", sock_proto_name(r->proto)) ||
	       journal_add(j, "SOCKEYE_FAMILY", r->family == AF_INET6 ? "6" : "4") ||
	       journal_add(j, "SOCKEYE_STATE", sock_state_name(r->proto, r->state)) ||
	       journal_add(j, "SOCKEYE_LADDR", sock_addr_str(r->family, r->laddr, a, sizeof(a))) ||
	       journal_addf(j, "SOCKEYE_LPORT", "%u", r->lport) ||
	       journal_add(j, "SOCKEYE_RADDR", sock_addr_str(r->family, r->raddr, b, sizeof(b))) ||
	       journal_addf(j, "SOCKEYE_RPORT", "%u", r->rport) ||
	       journal_addf(j, "SOCKEYE_INODE", "%llu", (unsigned long long)r->inode) ? -1 : 0;
}

/* Fields only some events have. */
static int journal_extras(struct journal_entry *j, const struct sock_event *e)
{
	const struct sock_rec *r = &e->rec;
	int rc = 0;

	if (e->type == SOCK_EV_STATE)
		rc |= journal_add(j, "SOCKEYE_FROM", sock_state_name(r->proto, e->from_state));
	if (!e->uid_unknown)
		rc |= journal_addf(j, "SOCKEYE_UID", "%u", r->uid);
	if (e->brief)
		rc |= journal_add(j, "SOCKEYE_BRIEF", "1");
	if (r->has_tcpinfo)
		rc |= journal_addf(j, "SOCKEYE_TXBYTES", "%llu",
		                   (unsigned long long)r->tcp.bytes_acked);
	if (r->has_tcpinfo)
		rc |= journal_addf(j, "SOCKEYE_RXBYTES", "%llu",
		                   (unsigned long long)r->tcp.bytes_received);
	return rc;
}

/* SOCKEYE_PID, _COMM, _USER for each owner, or with suffix "_WAS" for
 * each former owner. */
static int journal_owner_list(struct journal_entry *j, const struct sock_owner *owners,
                              size_t n, const char *suffix)
{
	char pid[32], comm[32], user[32];

	snprintf(pid, sizeof(pid), "SOCKEYE_PID%s", suffix);
	snprintf(comm, sizeof(comm), "SOCKEYE_COMM%s", suffix);
	snprintf(user, sizeof(user), "SOCKEYE_USER%s", suffix);
	for (size_t i = 0; i < n; i++) {
		const struct sock_owner *o = &owners[i];
		if (journal_addf(j, pid, "%d", o->pid) ||
		    journal_add_bytes(j, comm, o->comm, strnlen(o->comm, sizeof(o->comm))) ||
		    journal_add_bytes(j, user, o->user, strnlen(o->user, sizeof(o->user))))
			return -1;
	}
	return 0;
}

static int journal_owners(struct journal_entry *j, const struct sock_event *e)
{
	return journal_owner_list(j, e->owners, e->nowners, "") ||
	       journal_owner_list(j, e->owners_was, e->nowners_was, "_WAS") ? -1 : 0;
}

int journal_entry_build(struct journal_entry *j, const struct sock_event *e)
{
	journal_entry_clear(j);
	if (journal_message(j, e) || journal_add(j, "PRIORITY", "6") ||
	    journal_add(j, "SYSLOG_IDENTIFIER", "sockeye") || journal_socket(j, e) ||
	    journal_extras(j, e) || journal_owners(j, e))
		return -1;
	return 0;
}

const char *journal_entry_value_at(const struct journal_entry *j, const char *field,
                                   size_t k, size_t *len)
{
	size_t flen = strlen(field);

	for (size_t i = 0; i < j->n; i++) {
		const char *item = j->iov[i].iov_base;
		if (j->iov[i].iov_len <= flen || memcmp(item, field, flen) != 0 || item[flen] != '=')
			continue;
		if (k-- > 0)
			continue;
		if (len)
			*len = j->iov[i].iov_len - flen - 1;
		return item + flen + 1;
	}
	return NULL;
}

const char *journal_entry_value(const struct journal_entry *j, const char *field, size_t *len)
{
	return journal_entry_value_at(j, field, 0, len);
}

#ifdef HAVE_LIBSYSTEMD

int journal_built_in(void)
{
	return 1;
}

int journal_check(char *err, size_t errlen)
{
	struct stat st;

	/* libsystemd would fail each send alike; better to say so at start. */
	if (stat(JOURNAL_SOCKET, &st) < 0) {
		snprintf(err, errlen, "no systemd journal to send to (%s: %s)", JOURNAL_SOCKET,
		         strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "no systemd journal to send to (%s is not a socket)",
		         JOURNAL_SOCKET);
		return -1;
	}
	return 0;
}

int journal_send(const struct journal_entry *j, char *err, size_t errlen)
{
	int rc = sd_journal_sendv(j->iov, (int)j->n);

	if (rc < 0) {
		snprintf(err, errlen, "sending to the systemd journal: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

#else

int journal_built_in(void)
{
	return 0;
}

int journal_check(char *err, size_t errlen)
{
	snprintf(err, errlen, "--journal is not built in (configure found no libsystemd)");
	return -1;
}

int journal_send(const struct journal_entry *j, char *err, size_t errlen)
{
	(void)j;
	return journal_check(err, errlen);
}

#endif
