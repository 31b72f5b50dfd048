/* ports.c — port classes (IANA), the kernel's local (ephemeral) port range,
 * and service names read from an /etc/services-format file. */
#include "config.h"

#include "ports.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const port_class_names[] = {
	[PORT_WELL_KNOWN] = "well-known",
	[PORT_REGISTERED] = "registered",
	[PORT_EPHEMERAL] = "ephemeral",
};

enum port_class port_class(uint16_t port)
{
	if (port <= 1023)
		return PORT_WELL_KNOWN;
	if (port <= 49151)
		return PORT_REGISTERED;
	return PORT_EPHEMERAL;
}

const char *port_class_name(enum port_class c)
{
	if ((unsigned)c >= sizeof port_class_names / sizeof port_class_names[0])
		return "unknown";
	return port_class_names[c];
}

/* Compares ignoring case and treating '_' as '-', so "Well_Known" matches. */
static int port_class_name_eq(const char *s, const char *name)
{
	for (; *s && *name; s++, name++) {
		char c = *s == '_' ? '-' : *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *name)
			return 0;
	}
	return *s == '\0' && *name == '\0';
}

int port_class_parse(const char *s, enum port_class *c)
{
	for (size_t i = 0; i < sizeof port_class_names / sizeof port_class_names[0]; i++) {
		if (port_class_name_eq(s, port_class_names[i])) {
			*c = (enum port_class)i;
			return 0;
		}
	}
	return -1;
}

/* Parses one decimal port at *p, skipping leading blanks; advances *p.
 * strtoul alone would accept signs and "0x", which the kernel never writes. */
static int ports_parse_port(const char **p, uint16_t *port)
{
	const char *s = *p;
	unsigned long v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -1;
	}
	*port = (uint16_t)v;
	*p = s;
	return 0;
}

/* The file holds "lo<TAB>hi\n"; anything else is a broken file, not a range. */
static int ports_parse_range(const char *text, uint16_t *lo, uint16_t *hi)
{
	const char *p = text;
	uint16_t a, b;

	if (ports_parse_port(&p, &a) < 0 || (*p != ' ' && *p != '\t'))
		return -1;
	if (ports_parse_port(&p, &b) < 0)
		return -1;
	p += strspn(p, " \t\n");
	if (*p != '\0' || a > b)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}

int ports_local_range(const char *path, uint16_t *lo, uint16_t *hi,
                      char *err, size_t errlen)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n == sizeof buf - 1 || strlen(buf) != n ||
	    ports_parse_range(buf, lo, hi) < 0) {
		snprintf(err, errlen, "%s: not a port range (want \"LOW HIGH\")", path);
		return -1;
	}
	return 0;
}

/* Services live in an open-addressing hash keyed by (port, proto): a few
 * hundred entries in a few kilobytes, where two 65536-slot index arrays would
 * cost half a megabyte for the same O(1) lookup. Names share one pool. */
struct services_slot {
	uint32_t name;    /* offset into pool + 1; 0 marks an empty slot */
	uint16_t port;
	uint8_t proto;
};

struct services {
	struct services_slot *slots;
	size_t nslots;    /* a power of two */
	size_t used;
	char *pool;
	size_t poollen, poolcap;
};

static size_t services_hash(uint16_t port, uint8_t proto, size_t nslots)
{
	uint32_t k = ((uint32_t)port << 8 | proto) * 2654435761u;

	return (size_t)(k >> 8) & (nslots - 1);
}

/* The slot holding (port, proto), or the empty slot where it would go. */
static struct services_slot *services_find(const struct services *s,
                                           uint16_t port, uint8_t proto)
{
	size_t i = services_hash(port, proto, s->nslots);

	for (;; i = (i + 1) & (s->nslots - 1)) {
		struct services_slot *e = &s->slots[i];
		if (!e->name || (e->port == port && e->proto == proto))
			return e;
	}
}

static int services_grow(struct services *s)
{
	struct services old = *s;

	s->nslots = old.nslots ? old.nslots * 2 : 256;
	s->slots = calloc(s->nslots, sizeof *s->slots);
	if (!s->slots) {
		*s = old;
		return -1;
	}
	for (size_t i = 0; i < old.nslots; i++)
		if (old.slots[i].name)
			*services_find(s, old.slots[i].port, old.slots[i].proto) =
				old.slots[i];
	free(old.slots);
	return 0;
}

static int services_pool_add(struct services *s, const char *name, uint32_t *off)
{
	size_t len = strlen(name) + 1;

	if (s->poollen + len > s->poolcap) {
		size_t cap = s->poolcap ? s->poolcap * 2 : 4096;
		char *p;
		while (cap < s->poollen + len)
			cap *= 2;
		p = realloc(s->pool, cap);
		if (!p)
			return -1;
		s->pool = p;
		s->poolcap = cap;
	}
	memcpy(s->pool + s->poollen, name, len);
	*off = (uint32_t)s->poollen;
	s->poollen += len;
	return 0;
}

/* Adds name for (port, proto) unless one is there already: the first line
 * wins, as with getservbyport(). */
static int services_add(struct services *s, const char *name,
                        uint16_t port, uint8_t proto)
{
	struct services_slot *e;
	uint32_t off;

	if ((s->used + 1) * 2 > s->nslots && services_grow(s) < 0)
		return -1;
	e = services_find(s, port, proto);
	if (e->name)
		return 0;
	if (services_pool_add(s, name, &off) < 0)
		return -1;
	e->name = off + 1;
	e->port = port;
	e->proto = proto;
	s->used++;
	return 0;
}

static int services_proto_number(const char *name, uint8_t *proto)
{
	if (strcmp(name, "tcp") == 0)
		*proto = IPPROTO_TCP;
	else if (strcmp(name, "udp") == 0)
		*proto = IPPROTO_UDP;
	else if (strcmp(name, "sctp") == 0)
		*proto = IPPROTO_SCTP;
	else if (strcmp(name, "dccp") == 0)
		*proto = IPPROTO_DCCP;
	else
		return -1;
	return 0;
}

/* Splits "name port/proto [aliases] [# comment]" in place. Returns 0 with
 * the fields set, or -1 for a blank, comment-only or malformed line. */
static int services_parse_line(char *line, const char **name,
                               uint16_t *port, uint8_t *proto)
{
	char *save, *pp, *slash;
	const char *p;

	line[strcspn(line, "#")] = '\0';
	*name = strtok_r(line, " \t\r\n", &save);
	pp = strtok_r(NULL, " \t\r\n", &save);
	if (!*name || !pp)
		return -1;
	slash = strchr(pp, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	p = pp;
	if (ports_parse_port(&p, port) < 0 || *p != '\0')
		return -1;
	return services_proto_number(slash + 1, proto);
}

static int services_read(struct services *s, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		const char *name;
		uint16_t port;
		uint8_t proto;
		if (services_parse_line(line, &name, &port, &proto) == 0)
			rc = services_add(s, name, port, proto);
	}
	free(line);
	return rc;
}

struct services *services_load(const char *path, char *err, size_t errlen)
{
	struct services *s;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (!s || services_grow(s) < 0 || services_read(s, f) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		services_free(s);
		s = NULL;
	} else if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		services_free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

const char *services_name(const struct services *s, uint16_t port, uint8_t proto)
{
	const struct services_slot *e;

	if (!s)
		return NULL;
	e = services_find(s, port, proto);
	return e->name ? s->pool + e->name - 1 : NULL;
}

void services_free(struct services *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s->pool);
	free(s);
}
