/* table.h — the live socket table: one entry per socket, or for a TCP
 * connection per life (its protocol, addresses, ports and namespace, from
 * its first dump to its timewait socket's end), with its owners (and
 * former owners), first-seen time and byte rates, and the diff of each new
 * snapshot against it as NEW, STATE and GONE events.
 *
 * A connection's life reads NEW, STATE..., GONE: one NEW and one GONE
 * however the kernel represents it. Its full socket loses its inode when
 * its process closes it (FIN_WAIT1, LAST_ACK, CLOSING: orphaned), gains one
 * when accepted, and gives way to a timewait socket (TIME_WAIT, or FIN_WAIT2
 * while the peer is not done) with no inode: all one entry, as long as the
 * kernel's socket cookie (where the source gives it) and the order of TCP
 * states allow. The same addresses and ports used again (a new full socket
 * after the TIME_WAIT ended, or in its place through TIME_WAIT reuse) are a
 * new life: the old one ends GONE, the new one starts NEW. Sockets that may
 * share addresses and ports at once (listeners and UDP with SO_REUSEPORT,
 * unconnected UDP) stay apart by their inode, as before. */
#ifndef SOCKEYE_TABLE_H
#define SOCKEYE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "sock.h"

struct procmap;   /* procmap.h: where owners come from */

struct sock_entry {
	/* As last polled. A timewait socket's (rec.timewait) keeps the full
	 * socket's last tcp_info (has_tcpinfo stays 1): the byte totals,
	 * final once its close notice came. */
	struct sock_rec rec;
	double first_seen;            /* epoch seconds: AGE is now - first_seen */
	double state_since;           /* when rec.state last changed */
	struct sock_owner *owners;    /* sorted by pid; read-only: shared by the
	                               * table among entries with the same owners */
	size_t nowners;
	/* Former owners: who held the connection when it was last seen with
	 * an inode, kept once its process closed it (orphaned, then a
	 * timewait socket, which no process holds). Shared like owners.
	 * Empty while it has an inode, and where it was never seen whole
	 * (brief) or its owners were unknown then. */
	struct sock_owner *owners_was;
	size_t nowners_was;
	uint64_t inode_was;           /* the inode it had then; 0 if never seen whole */
	/* Its life began between two polls: the first poll after the
	 * baseline found only its timewait socket (the NEW event said brief). */
	uint8_t brief;
	/* Its full socket's close notice came: rec.tcp holds its final
	 * counters (a timewait socket's own record has none). */
	uint8_t final;
	/* Which life this is: 1, 2, ... in the order the table met them,
	 * never reused while the table lives (a recording's key). */
	uint64_t life;
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
	/* Owned copies, freed by sock_events_clear: whoever keeps a copy
	 * of the event past that duplicates both. */
	struct sock_owner *owners;
	size_t nowners;
	struct sock_owner *owners_was;   /* the entry's former owners */
	size_t nowners_was;
	/* The socket's rate as of this poll (GONE: as of the last poll that
	 * saw it); see struct sock_entry. NEW events have none. */
	double tx_rate, rx_rate;
	int has_rate;
	char by[64];                  /* CLOSED: the user who closed it (raw) */
	/* The entry's life (struct sock_entry); 0 for a brief GONE, which
	 * no entry ever held. */
	uint64_t life;
	/* From the kernel's close notice (destroyed.h).
	 * final: rec holds the kernel's last word on the full socket — its
	 * final queues (GONE) and TCP counters — and time is when that was
	 * heard. On GONE the state stays as last seen (a brief socket's is
	 * its final one); on a STATE or NEW into a timewait socket the state
	 * is the timewait socket's and the counters the full socket's last.
	 * brief: no poll ever saw the full socket (it opened and closed
	 * between two). A brief GONE is the only event of a life that left
	 * nothing behind; a brief NEW starts a life whose timewait socket is
	 * all a poll found (its GONE comes when that ends; its final counters
	 * come with it when the close notice was heard by then). Its inode is
	 * 0 and its owners unknown unless a snapshot caught it just before it
	 * closed (a brief GONE's).
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

/* The close notice of a connection's full socket (notice as
 * netlink_parse_notifications gives it) whose life goes on in the table as
 * a timewait socket with the same addresses, ports and namespace (and not
 * yet final): the entry takes the notice's final TCP counters (its byte
 * totals) and final, and with brief is marked brief. Returns the entry, or
 * NULL when the table holds no such life (the notice is then about a
 * socket that is gone). */
const struct sock_entry *sock_table_take_notice(struct sock_table *t,
                                                const struct sock_rec *notice, int brief);

/* Makes t hold exactly the n entries v, as a table that had polled them
 * would (a moment read back from a recording): records (rec.netns_name
 * stays the caller's, and must outlive its use), owners and former owners
 * (copied), times, rates and life numbers as given. The next update diffs
 * against them. Returns 0, or -1 when out of memory (t is then empty). */
int sock_table_restore(struct sock_table *t, const struct sock_entry *v, size_t n);

size_t sock_table_count(const struct sock_table *t);
/* Entries are dense: 0 <= i < count. Positions move between updates. */
const struct sock_entry *sock_table_at(const struct sock_table *t, size_t i);
/* The entry rec belongs to, or NULL: the one with the same identity, or
 * for a TCP connection the entry of its life: the same cookie, or rec
 * taken while the connection had the inode the entry now keeps in
 * inode_was (a row remembered before its process closed it finds its
 * TIME_WAIT). */
const struct sock_entry *sock_table_find(const struct sock_table *t,
                                         const struct sock_rec *rec);

/* The owners a row names: its current ones, or when no process holds it
 * its former ones (then *former is 1, else 0). Returns their count. The
 * Processes pane counts a TIME_WAIT for each former owner this way:
 *   n = sock_entry_owners(e, &o, &former);
 *   if (former && e->rec.state == SOCK_ST_TIME_WAIT) for each o[i]: tw++ */
size_t sock_entry_owners(const struct sock_entry *e, const struct sock_owner **o,
                         int *former);

/* Identity: 1 when a and b are the same socket record: protocol,
 * addresses, ports, inode and network namespace (the same addresses and
 * ports in two namespaces are two sockets: a TIME_WAIT has no inode to
 * tell them apart). */
int sock_same_identity(const struct sock_rec *a, const struct sock_rec *b);
/* 1 when a and b name the same connection: as above but for the inode,
 * for TCP sockets with a remote port (the kernel holds at most one socket
 * per such tuple and namespace at a time). */
int sock_same_connection(const struct sock_rec *a, const struct sock_rec *b);

#endif
