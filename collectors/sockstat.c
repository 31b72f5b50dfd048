/* sockstat.c — a network namespace's own socket counts from its
 * /proc/<pid>/net/sockstat files, and which dumps they make needless. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"
#include "sockstat.h"

/* A few lines of text; the kernel writes under 300 bytes. */
#define SOCKSTAT_MAX 1024

void sockstat_init(struct sockstat_counts *c)
{
	c->tcp = c->tcp6 = c->tcp_tw = c->udp = c->udp6 = -1;
}

static void sockstat_line(const char *line, struct sockstat_counts *c)
{
	long inuse, orphan, tw;

	if (sscanf(line, "TCP: inuse %ld orphan %ld tw %ld", &inuse, &orphan, &tw) == 3) {
		c->tcp = inuse;
		c->tcp_tw = tw;
	} else if (sscanf(line, "TCP6: inuse %ld", &inuse) == 1) {
		c->tcp6 = inuse;
	} else if (sscanf(line, "UDP: inuse %ld", &inuse) == 1) {
		c->udp = inuse;
	} else if (sscanf(line, "UDP6: inuse %ld", &inuse) == 1) {
		c->udp6 = inuse;
	}
}

void sockstat_parse(const char *text, struct sockstat_counts *c)
{
	const char *p = text;

	while (p && *p) {
		sockstat_line(p, c);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* None means every count read and zero: an unknown one could be any. */
static int sockstat_none(long a, long b, long c)
{
	return a == 0 && b == 0 && c == 0;
}

unsigned sockstat_narrow(const struct sockstat_counts *c, unsigned want)
{
	if (sockstat_none(c->tcp, c->tcp6, c->tcp_tw))
		want &= ~SOCK_WANT_TCP;
	if (sockstat_none(c->udp, c->udp6, 0))
		want &= ~SOCK_WANT_UDP;
	return want;
}

static int sockstat_read_one(int dirfd, const char *name, struct sockstat_counts *c,
                             char *err, size_t errlen)
{
	char buf[SOCKSTAT_MAX];
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 && errno == ENOENT && strcmp(name, "net/sockstat6") == 0) {
		c->tcp6 = c->udp6 = 0;  /* a kernel without IPv6 */
		return 0;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	sockstat_parse(buf, c);
	return 0;
}

int sockstat_read(int dirfd, struct sockstat_counts *c, char *err, size_t errlen)
{
	sockstat_init(c);
	if (sockstat_read_one(dirfd, "net/sockstat", c, err, errlen) < 0 ||
	    sockstat_read_one(dirfd, "net/sockstat6", c, err, errlen) < 0)
		return -1;
	return 0;
}
