/* cmdlines.c — command lines by process (pid and start time), read once
 * per poll and kept whole: the JSON wants the exact bytes, the screen a
 * cut of them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmdlines.h"
#include "hash.h"
#include "procmap.h"

#define CMDLINES_FIRST 4096
#define CMDLINES_MAX (1u << 20)      /* longer ones are cut: argv of 1 MiB is rare */
#define CMDLINES_KEEP 4096           /* more processes than this: start over */

struct cmdline_slot {
	int pid;                     /* 0: empty */
	unsigned long long start;
	char *text;                  /* NULL: unreadable */
};

struct cmdlines {
	struct column_cmdlines src;
	const struct procmap *pm;
	struct cmdline_slot *slots;
	size_t nslots, used;         /* nslots: a power of two */
};

static const char *cmdlines_get(void *ctx, int pid, unsigned long long start);
static void cmdlines_forget_ctx(void *ctx);

struct cmdlines *cmdlines_new(const struct procmap *pm)
{
	struct cmdlines *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->pm = pm;
	c->src = (struct column_cmdlines){ cmdlines_get, cmdlines_forget_ctx, c };
	return c;
}

void cmdlines_forget(struct cmdlines *c)
{
	for (size_t i = 0; c && i < c->nslots; i++) {
		free(c->slots[i].text);
		c->slots[i] = (struct cmdline_slot){ 0 };
	}
	if (c)
		c->used = 0;
}

static void cmdlines_forget_ctx(void *ctx)
{
	cmdlines_forget(ctx);
}

void cmdlines_free(struct cmdlines *c)
{
	cmdlines_forget(c);
	if (c)
		free(c->slots);
	free(c);
}

const struct column_cmdlines *cmdlines_source(struct cmdlines *c)
{
	return &c->src;
}

/* The whole command line, grown until it fits; NULL when unreadable. */
static char *cmdlines_read(const struct procmap *pm, int pid, unsigned long long start)
{
	for (size_t len = CMDLINES_FIRST; pm && len <= CMDLINES_MAX; len *= 2) {
		char *buf = malloc(len);
		if (!buf || procmap_cmdline(pm, pid, start, buf, len) < 0) {
			free(buf);
			return NULL;
		}
		if (strlen(buf) < len - 1 || len == CMDLINES_MAX)
			return buf;
		free(buf);
	}
	return NULL;
}

static struct cmdline_slot *cmdlines_slot(struct cmdlines *c, int pid, unsigned long long start)
{
	size_t mask = c->nslots - 1;
	size_t i = hash_mix64((uint64_t)(unsigned)pid ^ hash_mix64(start)) & mask;
	while (c->slots[i].pid && !(c->slots[i].pid == pid && c->slots[i].start == start))
		i = (i + 1) & mask;
	return &c->slots[i];
}

/* Room for one more: the first table, or a fresh one once it is full. */
static int cmdlines_room(struct cmdlines *c)
{
	if (c->slots && (c->used + 1) * 2 <= c->nslots)
		return 0;
	if (c->slots && c->nslots >= CMDLINES_KEEP * 2) {
		cmdlines_forget(c);
		return 0;
	}
	size_t n = c->nslots ? c->nslots * 2 : 64;
	struct cmdline_slot *old = c->slots, *s = calloc(n, sizeof(*s));
	size_t oldn = c->nslots;
	if (!s)
		return -1;
	c->slots = s;
	c->nslots = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i].pid)
			*cmdlines_slot(c, old[i].pid, old[i].start) = old[i];
	free(old);
	return 0;
}

static const char *cmdlines_get(void *ctx, int pid, unsigned long long start)
{
	struct cmdlines *c = ctx;
	if (pid <= 0 || cmdlines_room(c) < 0)
		return NULL;
	struct cmdline_slot *s = cmdlines_slot(c, pid, start);
	if (!s->pid) {
		*s = (struct cmdline_slot){ pid, start, cmdlines_read(c->pm, pid, start) };
		c->used++;
	}
	return s->text;
}
