/* poller.h — one poll: collect a snapshot from the chosen source, map
 * inodes to owners, and diff it into the live table. The poller owns the
 * source, the owner map and the table; outputs and panes borrow them. */
#ifndef SOCKEYE_POLLER_H
#define SOCKEYE_POLLER_H

#include <stddef.h>
#include "table.h"
#include "procmap.h"

enum poller_source { POLLER_AUTO, POLLER_NETLINK, POLLER_PROC };
/* Which network namespaces: every one in use when sockeye may enter them
 * (AUTO), every one or fail (ALL), or only its own (HOST). */
enum poller_netns { POLLER_NETNS_AUTO, POLLER_NETNS_ALL, POLLER_NETNS_HOST };

struct poller_config {
	enum poller_source source;
	unsigned want;              /* SOCK_WANT_* */
	const char *proc_root;      /* "/proc" unless testing */
	/* Poll alone, without the kernel's destroy notifications (which
	 * the netlink source otherwise subscribes to, so a connection that
	 * opens and closes between two polls is still reported). */
	int no_destroy_events;
	enum poller_netns netns;
	const char *netns_dir;      /* "/run/netns" unless testing */
};

struct poller;

/* Opens the source. With POLLER_AUTO a refused netlink socket falls back to
 * /proc/net and poller_take_note() says why. NULL with err filled on failure. */
struct poller *poller_new(const struct poller_config *cfg, char *err, size_t errlen);
void poller_free(struct poller *p);

/* Collects, attributes and diffs one snapshot taken at now (epoch seconds).
 * Events are appended to ev unless it is NULL (a baseline). With POLLER_AUTO,
 * a poll whose netlink dump fails (or netlink refused at start) reads
 * /proc/net instead, and every later poll tries netlink again on a fresh
 * socket: the source returns to netlink as soon as it works. The change
 * each way is a note (poller_take_note), and poller_degraded says why while
 * it lasts. Returns 0, or -1 with err filled (the table keeps the previous
 * snapshot). */
int poller_poll(struct poller *p, double now, struct sock_events *ev,
                char *err, size_t errlen);

/* poller_poll in two steps, so the slow one can run on another thread
 * while the screen keeps answering keys. poller_collect reads the kernel
 * and /proc into the poller's snapshot and owner map; it touches nothing
 * else, so the table may be read meanwhile, but neither poller_procmap()'s
 * map nor poller_source_name() may. poller_apply then diffs that snapshot
 * into the table, on the thread that reads the table. */
int poller_collect(struct poller *p, char *err, size_t errlen);
int poller_apply(struct poller *p, double now, struct sock_events *ev,
                 char *err, size_t errlen);
/* When the last poller_collect began reading the kernel's tables (epoch
 * seconds; after its namespace scan, whose length varies): the moment its
 * counters stand for. Passed to poller_apply as now, rates divide by the
 * time between two such moments rather than between two requests. */
double poller_sampled_at(const struct poller *p);

/* Destroy notifications. With the netlink source (not --source=proc: that
 * mode is polling alone) the poller subscribes to the kernel's
 * announcements of destroyed sockets, unless cfg.no_destroy_events; where
 * the kernel refuses, poller_take_note says so once. poller_apply merges
 * what was announced since the last poll: a known socket's GONE carries
 * its final record, and a socket no poll saw becomes a brief GONE (see
 * struct sock_event). Announcements wait in the kernel's buffer until
 * read: poller_apply reads them, and an event loop may read them sooner
 * (so their time is when they came, and a long interval cannot overrun
 * the buffer) by polling poller_watch_fd and calling poller_watch_drain.
 * With every namespace read, each namespace entered is subscribed too (its
 * closes carry its netns), and poller_watch_fd is one descriptor (epoll)
 * readable when any of them has news.
 * Both on the thread that calls poller_apply; poller_collect may run
 * meanwhile. */
int poller_watch_fd(const struct poller *p);   /* -1 when not subscribed */
void poller_watch_drain(struct poller *p, double now);

/* Closes the TCP socket rec with SOCK_DESTROY, as ss -K does. Not while
 * poller_collect runs: they share the netlink socket. Returns 0, or -1
 * with err saying why (no netlink source, no right, not TCP, gone). */
int poller_destroy(struct poller *p, const struct sock_rec *rec, char *err, size_t errlen);

const struct sock_table *poller_table(const struct poller *p);
const struct procmap *poller_procmap(const struct poller *p);
/* Why sockets of other network namespaces are not shown (AUTO without the
 * right to enter them), for the screen's header; NULL when they are, or
 * when HOST was asked for. Fixed at poller_new: safe from any thread. */
const char *poller_netns_partial(const struct poller *p);

/* "netlink" or "proc": the source in use now. */
const char *poller_source_name(const struct poller *p);
/* While --source=auto reads /proc/net because netlink fails: why, for a
 * header ("netlink sock_diag ...: ...; reading /proc/net until netlink
 * works again"); NULL while netlink serves. As of the last poller_apply. */
const char *poller_degraded(const struct poller *p);
/* A note for stderr once each time something changes (a fall-back and its
 * reason, netlink working again, closes missed), then NULL. */
const char *poller_take_note(struct poller *p);

/* Parses "auto", "netlink", "proc". Returns 0 or -1. */
int poller_source_parse(const char *s, enum poller_source *out);

#endif
