/* table.h — the live socket table: every socket keyed by its identity
 * (protocol, addresses, ports, inode), its owners and first-seen
 * time, its TCP byte rates, and the diff of each new snapshot against it as
 * NEW, GONE and STATE events. */
#ifndef SOCKEYE_TABLE_H
#define SOCKEYE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "sock.h"

struct procmap;   /* procmap.h: where owners come from */

struct sock_entry {
	struct sock_rec rec;
	double first_seen;            /* epoch seconds: AGE is now - first_seen */
	double state_since;           /* when rec.state last changed */
	struct sock_owner *owners;    /* sorted by pid; read-only: shared by the
	                               * table among entries with the same owners */
	size_t nowners;
	uint32_t gen;                 /* last snapshot that held it */
	double seen_at;               /* time of that snapshot: where a rate starts */
	/* Bytes per second over the last two polls, from tcp_info's
	 * bytes_acked (TX) and bytes_received (RX). has_rate is 0 on a
	 * socket's first poll, for UDP, for TCP without tcp_info (the /proc
	 * source) and when a counter went backwards: no rate, never a spike
	 * and never a made-up zero. */
	double tx_rate, rx_rate;
	int has_rate;
};

/* NEW, GONE and STATE come from the diff; CLOSED is logged by the screen
 * when its user closes a connection (K), naming who did it. */
enum sock_event_type { SOCK_EV_NEW, SOCK_EV_GONE, SOCK_EV_STATE, SOCK_EV_CLOSED };

struct sock_event {
	enum sock_event_type type;
	double time;
	uint8_t from_state;           /* STATE only */
	struct sock_rec rec;          /* GONE: as last seen */
	struct sock_owner *owners;    /* owned copy */
	size_t nowners;
	/* The socket's rate as of this poll (GONE: as of the last poll that
	 * saw it); see struct sock_entry. NEW events have none. */
	double tx_rate, rx_rate;
	int has_rate;
	char by[64];                  /* CLOSED: the user who closed it (raw) */
	/* GONE only, from the kernel's destroy notification (destroyed.h).
	 * final: rec holds the kernel's last word on the socket — its final
	 * queues and TCP counters (the state stays as last seen) — and time
	 * is when that was heard. A brief socket's state is its final one.
	 * brief: no poll ever saw the socket (it opened and closed between
	 * two), so there is no NEW event for it; its inode is 0 and its
	 * owners unknown unless a snapshot caught it just before it closed.
	 * uid_unknown: rec.uid is not the owner's (the kernel does not send
	 * it), for brief sockets no snapshot caught. */
	uint8_t final, brief, uid_unknown;
};

/* Events appended by sock_table_update; the caller owns and frees them. */
struct sock_events {
	struct sock_event *v;
	size_t n, cap;
};

void sock_events_init(struct sock_events *e);
/* Frees the owners; keeps the array, less the room a burst left (more
 * than twice the events just cleared: see room.h). */
void sock_events_clear(struct sock_events *e);
void sock_events_free(struct sock_events *e);
/* Appends a zeroed event and returns it, or NULL when out of memory. */
struct sock_event *sock_events_push(struct sock_events *e);
const char *sock_event_name(enum sock_event_type t);  /* "new" "gone" "state" "closed" */

struct sock_table;

struct sock_table *sock_table_new(void);
void sock_table_free(struct sock_table *t);

/* Makes the table equal to snap: sockets not in the table become NEW, those
 * no longer in snap GONE, those whose state differs STATE; every socket seen
 * again gets its rate over (now - its seen_at); owners come from
 * pm (may be NULL: no owners). Events (when ev is not NULL) are appended in
 * the order NEW/STATE in snapshot order, then GONE. The first update of an
 * empty table reports everything as NEW; callers that want only a baseline
 * pass ev = NULL. Owners of sockets already in the table are looked up
 * again only when pm or its procmap_version() changed since the last
 * update. Returns 0, or -1 when out of memory (the table is then still
 * consistent, possibly without some sockets). */
int sock_table_update(struct sock_table *t, const struct sock_list *snap,
                      const struct procmap *pm, double now, struct sock_events *ev);

/* After an update that left the table much smaller than it was (a load
 * that came and went), gives back the room its arrays kept: entries and
 * index are cut to about the size now in use (room.h). Returns 1 when
 * something was given back, else 0; the table stays as it was either way
 * (a failed shrink keeps the room). */
int sock_table_fit(struct sock_table *t);

size_t sock_table_count(const struct sock_table *t);
/* Entries are dense: 0 <= i < count. Positions move between updates. */
const struct sock_entry *sock_table_at(const struct sock_table *t, size_t i);
/* The entry with the same identity as rec, or NULL. */
const struct sock_entry *sock_table_find(const struct sock_table *t,
                                         const struct sock_rec *rec);

/* 1 when a and b are the same socket (protocol, addresses, ports, inode). The
 * network namespace is part of it: the same addresses and ports in two
 * namespaces are two sockets (a TIME_WAIT has no inode to tell them apart). */
int sock_same_identity(const struct sock_rec *a, const struct sock_rec *b);

#endif
