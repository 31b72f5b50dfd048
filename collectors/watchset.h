/* watchset.h — the destroy-notification sockets of the other network
 * namespaces (one opened inside each, see netns_watch), polled as one
 * descriptor beside sockeye's own, each record tagged with its namespace.
 * Used by the thread that applies polls only. */
#ifndef SOCKEYE_WATCHSET_H
#define SOCKEYE_WATCHSET_H

#include <stddef.h>
#include "sock.h"

struct netlink_watch;
struct netns_set;
struct watchset;

/* NULL with err when out of memory or without an epoll descriptor. */
struct watchset *watchset_new(char *err, size_t errlen);
void watchset_free(struct watchset *ws);

/* One descriptor for poll(): readable while any watch has notifications
 * waiting, or the descriptor added by watchset_poll_also has input. */
int watchset_fd(const struct watchset *ws);
/* Adds fd (not owned: its owner closes it, which takes it out) to what
 * watchset_fd reports on. Returns 0, or -1 with err. */
int watchset_poll_also(struct watchset *ws, int fd, char *err, size_t errlen);

/* Brings the set in step with the namespaces ns last found: takes the
 * watch of each newly entered one (netns_take_watch), closes those of
 * namespaces gone, and renames (a namespace named since under /run/netns).
 * Not while netns_collect_netlink runs. Returns 0, or -1 with err when out
 * of memory (that namespace's watch is closed). */
int watchset_sync(struct watchset *ws, struct netns_set *ns, char *err, size_t errlen);

/* Appends every notification waiting on every watch to out, each record
 * tagged with its namespace. A watch whose socket fails is closed and named
 * in note; returns 1 then, else 0. */
int watchset_drain(struct watchset *ws, struct sock_list *out, char *note, size_t notelen);

/* The receive-buffer overruns of every watch held (see
 * netlink_watch_overruns), and of those closed since. */
unsigned long watchset_overruns(const struct watchset *ws);
size_t watchset_count(const struct watchset *ws);

#endif
