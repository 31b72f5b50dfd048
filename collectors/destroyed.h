/* destroyed.h — sockets the kernel announced destroyed since the last poll
 * (netlink.h's watcher), merged into that poll's events: a known socket's
 * GONE gets its final record, a connection whose full socket gave way to a
 * timewait socket goes on (its STATE, or its NEW when no poll saw it whole,
 * gets the final counters), and one no poll saw that left nothing is
 * reported once, as a brief GONE. */
#ifndef SOCKEYE_DESTROYED_H
#define SOCKEYE_DESTROYED_H

#include <stddef.h>
#include "sock.h"
#include "procmap.h"
#include "table.h"

struct destroyed_sock {
	struct sock_rec rec;        /* as announced: inode and uid are 0 */
	double time;                /* when the announcement was read */
	struct sock_rec snap;       /* the snapshot's record of it, if has_snap */
	uint8_t has_snap, used;
	/* deferred: a TCP connection's, heard after the dump began (the dump
	 * held its full socket, or nothing of it); whether a timewait socket
	 * goes on is for the next poll to see, so it waits for it (carried,
	 * with its snap). */
	uint8_t deferred, carried;
};

/* Announcements waiting for the next poll, in arrival order. */
struct destroyed_list {
	struct destroyed_sock *v;
	size_t n, cap;
};

void destroyed_list_init(struct destroyed_list *l);
/* Empties the list; keeps its array, less the room a burst left (room.h). */
void destroyed_list_clear(struct destroyed_list *l);
/* After a merge: empties the list but for the deferred announcements,
 * which wait for the next poll (once). */
void destroyed_list_carry(struct destroyed_list *l);
void destroyed_list_free(struct destroyed_list *l);
/* Appends recs (as netlink_watch_drain gave them) read at time. Returns 0,
 * or -1 when out of memory (nothing added). */
int destroyed_list_add(struct destroyed_list *l, const struct sock_rec *recs, size_t n,
                       double time);

/* Cookies of sockets a poll already reported GONE before their
 * announcement came (a socket leaves the dumps when the kernel unhashes it,
 * and is announced when freed: later, maybe much later if a process holds
 * it). Kept for a while, bounded, so the late announcement is not
 * reported as a second, brief socket. */
struct destroyed_memory;

struct destroyed_memory *destroyed_memory_new(void);
void destroyed_memory_free(struct destroyed_memory *m);

/* Before the table update: a socket announced after the dump was taken is
 * in both; it is closed, so it leaves the snapshot (its record is kept in
 * l for its inode and uid). Timewait and request sockets stay: they are
 * minisockets that outlive the announced full socket with its cookie. A
 * TCP connection's full socket may have given way to a timewait socket
 * that only the next dump shows: with t (may be NULL: no such wait) its
 * announcement waits for the next poll (destroyed_list_carry), and a
 * connection t knows stays in the snapshot meanwhile, so that its life
 * neither ends nor starts twice. */
void destroyed_prune_snapshot(struct destroyed_list *l, struct sock_list *snap,
                              const struct sock_table *t);

/* After the table t updated and appended ev->v[from..]: each GONE of an
 * announced socket gets its final queues and TCP counters and announcement
 * time; each STATE or NEW into a timewait socket whose full socket was
 * announced gets its final TCP counters and time (a NEW so is brief: no
 * poll saw the connection whole), and so does t's entry
 * (sock_table_take_notice); an announced full socket whose timewait
 * socket t already holds is news to nobody; each other announced socket
 * neither the table nor memory knew becomes a brief GONE (owners from pm
 * where its inode is known; the connecting end of an aborted connection,
 * which the kernel announces with its local address and remote port
 * cleared, gets them back from its peer's announcement when exactly one
 * names it); GONEs without an announcement are remembered in m. With t, a
 * TCP connection's announcement heard at now or later (once the dump
 * began: announcements read when the poll is applied have time now) that
 * nothing matched waits for the next poll, whose dump may show its
 * timewait socket. The events from `from` on are then ordered by time. t
 * may be NULL (no timewait socket goes on). Returns 0, or -1 when out of memory (some events may be
 * missing). */
int destroyed_merge(struct destroyed_list *l, struct destroyed_memory *m,
                    const struct procmap *pm, struct sock_table *t, double now,
                    struct sock_events *ev, size_t from);

#endif
