/* watchset.c — other namespaces' destroy-notification sockets behind one
 * epoll descriptor, so the screen's and --events' loops, which poll a
 * single descriptor for closes, hear every namespace's. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "netlink.h"
#include "netns.h"
#include "watchset.h"

struct watchset_entry {
	uint64_t inode;            /* its namespace, as netns_at names it */
	uint64_t tag;              /* what records carry: 0 in the host's */
	const char *name;          /* NULL in the host's; netns's pool owns it */
	struct netlink_watch *w;
};

struct watchset {
	int epfd;
	struct watchset_entry *v;
	size_t n, cap;
	unsigned long overruns_closed;   /* of watches closed since */
};

struct watchset *watchset_new(char *err, size_t errlen)
{
	struct watchset *ws = calloc(1, sizeof(*ws));

	if (!ws) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ws->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ws->epfd < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		free(ws);
		return NULL;
	}
	return ws;
}

static void watchset_close(struct watchset *ws, struct watchset_entry *e)
{
	ws->overruns_closed += netlink_watch_overruns(e->w);
	/* Out of the set before the close, so no stale readiness lingers. */
	(void)epoll_ctl(ws->epfd, EPOLL_CTL_DEL, netlink_watch_fd(e->w), NULL);
	netlink_watch_close(e->w);
	e->w = NULL;
}

void watchset_free(struct watchset *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < ws->n; i++)
		watchset_close(ws, &ws->v[i]);
	close(ws->epfd);
	free(ws->v);
	free(ws);
}

int watchset_fd(const struct watchset *ws)
{
	return ws->epfd;
}

int watchset_poll_also(struct watchset *ws, int fd, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (epoll_ctl(ws->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int watchset_add(struct watchset *ws, const struct netns_space *ns,
                        struct netlink_watch *w, char *err, size_t errlen)
{
	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 16;
		struct watchset_entry *v = realloc(ws->v, cap * sizeof(*v));
		if (!v) {
			netlink_watch_close(w);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		ws->v = v;
		ws->cap = cap;
	}
	if (watchset_poll_also(ws, netlink_watch_fd(w), err, errlen) < 0) {
		netlink_watch_close(w);
		return -1;
	}
	ws->v[ws->n++] = (struct watchset_entry){ ns->inode, ns->host ? 0 : ns->inode,
	                                          ns->host ? NULL : ns->name, w };
	return 0;
}

/* The namespace of e as last found, or NULL when gone. */
static const struct netns_space *watchset_space(const struct netns_set *ns,
                                                const struct watchset_entry *e)
{
	for (size_t i = 0; i < netns_count(ns); i++)
		if (netns_at(ns, i)->inode == e->inode)
			return netns_at(ns, i);
	return NULL;
}

int watchset_sync(struct watchset *ws, struct netns_set *ns, char *err, size_t errlen)
{
	size_t keep = 0;
	int rc = 0;

	for (size_t i = 0; i < ws->n; i++) {
		struct watchset_entry *e = &ws->v[i];
		const struct netns_space *sp = watchset_space(ns, e);

		if (!sp) {
			watchset_close(ws, e);
			continue;
		}
		e->name = sp->host ? NULL : sp->name;
		ws->v[keep++] = *e;
	}
	ws->n = keep;
	for (size_t i = 0; i < netns_count(ns); i++) {
		struct netlink_watch *w = netns_take_watch(ns, i);
		if (w && watchset_add(ws, netns_at(ns, i), w, err, errlen) < 0)
			rc = -1;
	}
	return rc;
}

int watchset_drain(struct watchset *ws, struct sock_list *out, char *note, size_t notelen)
{
	size_t keep = 0;
	int failed = 0;

	for (size_t i = 0; i < ws->n; i++) {
		struct watchset_entry *e = &ws->v[i];
		size_t from = out->n;
		char why[256];

		if (netlink_watch_drain(e->w, out, why, sizeof(why)) < 0) {
			out->n = from;
			snprintf(note, notelen, "closes in network namespace %s: %s: connections "
			         "there that open and close between two polls are missed from now on",
			         e->name ? e->name : "host", why);
			failed = 1;
			watchset_close(ws, e);
			continue;
		}
		for (size_t j = from; j < out->n; j++) {
			out->v[j].netns = e->tag;
			out->v[j].netns_name = e->name;
		}
		ws->v[keep++] = *e;
	}
	ws->n = keep;
	return failed;
}

unsigned long watchset_overruns(const struct watchset *ws)
{
	unsigned long n = ws->overruns_closed;

	for (size_t i = 0; i < ws->n; i++)
		n += netlink_watch_overruns(ws->v[i].w);
	return n;
}

size_t watchset_count(const struct watchset *ws)
{
	return ws->n;
}
