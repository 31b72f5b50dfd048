/* poller.c — one poll of the machine: source -> snapshot -> owners -> table.
 * Also where --source=auto decides between netlink and /proc/net. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"
#include "poller.h"
#include "procnet.h"

struct poller {
	struct poller_config cfg;
	struct netlink_source *nl;     /* NULL when reading /proc/net */
	struct procmap *pm;
	struct sock_table *table;
	struct sock_list snap;         /* reused every poll */
	char note[512];
	int note_pending;
	int collected;                 /* snap holds a collection not yet applied */
};

int poller_source_parse(const char *s, enum poller_source *out)
{
	static const struct { const char *name; enum poller_source src; } names[] = {
		{ "auto", POLLER_AUTO }, { "netlink", POLLER_NETLINK }, { "proc", POLLER_PROC },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].src;
			return 0;
		}
	}
	return -1;
}

static void fall_back_to_proc(struct poller *p, const char *why)
{
	netlink_close(p->nl);
	p->nl = NULL;
	snprintf(p->note, sizeof(p->note), "%s; reading /proc/net instead", why);
	p->note_pending = 1;
}

struct poller *poller_new(const struct poller_config *cfg, char *err, size_t errlen)
{
	struct poller *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	if (!p->cfg.proc_root)
		p->cfg.proc_root = "/proc";
	sock_list_init(&p->snap);
	p->pm = procmap_new(p->cfg.proc_root);
	p->table = sock_table_new();
	if (!p->pm || !p->table) {
		snprintf(err, errlen, "out of memory");
		poller_free(p);
		return NULL;
	}
	if (cfg->source != POLLER_PROC) {
		char why[256];
		p->nl = netlink_open(why, sizeof(why));
		if (!p->nl && cfg->source == POLLER_NETLINK) {
			snprintf(err, errlen, "%s", why);
			poller_free(p);
			return NULL;
		}
		if (!p->nl)
			fall_back_to_proc(p, why);
	}
	return p;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	netlink_close(p->nl);
	procmap_free(p->pm);
	sock_table_free(p->table);
	sock_list_free(&p->snap);
	free(p);
}

static int collect(struct poller *p, char *err, size_t errlen)
{
	sock_list_clear(&p->snap);
	if (p->nl) {
		if (netlink_collect(p->nl, p->cfg.want, &p->snap, err, errlen) == 0)
			return 0;
		if (p->cfg.source == POLLER_NETLINK)
			return -1;
		fall_back_to_proc(p, err);
		sock_list_clear(&p->snap);
	}
	return procnet_collect(p->cfg.proc_root, p->cfg.want, &p->snap, err, errlen);
}

int poller_collect(struct poller *p, char *err, size_t errlen)
{
	p->collected = 0;
	if (collect(p, err, errlen) < 0)
		return -1;
	if (procmap_refresh(p->pm, err, errlen) < 0)
		return -1;
	p->collected = 1;
	return 0;
}

int poller_apply(struct poller *p, double now, struct sock_events *ev,
                 char *err, size_t errlen)
{
	if (!p->collected) {
		snprintf(err, errlen, "no snapshot collected");
		return -1;
	}
	p->collected = 0;
	if (sock_table_update(p->table, &p->snap, p->pm, now, ev) < 0) {
		snprintf(err, errlen, "out of memory while updating the socket table");
		return -1;
	}
	return 0;
}

int poller_poll(struct poller *p, double now, struct sock_events *ev,
                char *err, size_t errlen)
{
	if (poller_collect(p, err, errlen) < 0)
		return -1;
	return poller_apply(p, now, ev, err, errlen);
}

int poller_destroy(struct poller *p, const struct sock_rec *rec, char *err, size_t errlen)
{
	if (!p->nl) {
		snprintf(err, errlen, "closing a socket needs the netlink source "
		                      "(sockeye is reading /proc/net)");
		return -1;
	}
	return netlink_destroy(p->nl, rec, err, errlen);
}

const struct sock_table *poller_table(const struct poller *p)
{
	return p->table;
}

const struct procmap *poller_procmap(const struct poller *p)
{
	return p->pm;
}

const char *poller_source_name(const struct poller *p)
{
	return p->nl ? "netlink" : "proc";
}

const char *poller_take_note(struct poller *p)
{
	if (!p->note_pending)
		return NULL;
	p->note_pending = 0;
	return p->note;
}
