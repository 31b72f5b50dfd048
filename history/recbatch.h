/* recbatch.h — one poll's rows for the recording, as the differ (record.c)
 * hands them to the writer thread (recdb.c): owned plain arrays, so the
 * writer never looks at the live table. */
#ifndef SOCKEYE_RECBATCH_H
#define SOCKEYE_RECBATCH_H

#include <stddef.h>
#include <stdint.h>
#include "sock.h"

/* A process as recorded (procs row), shared by the differ's cache and the
 * batches naming it; immutable once made. Every owners row carries one so
 * the writer can put its procs row back when retention took it. */
struct rec_proc {
	int refs;                   /* atomic */
	int64_t id;
	int pid, pgid;
	uint32_t uid;
	unsigned long long starttime;
	char comm[17], user[64], service[64];
	char *cmdline;              /* NULL: unreadable */
	/* the writer's: the trim count when its row was last put in */
	uint64_t written;
};

struct rec_proc *rec_proc_ref(struct rec_proc *p);
void rec_proc_unref(struct rec_proc *p);

/* A lives row. Inserted only when no row has its id yet. */
struct rec_life_row {
	int64_t id;
	struct sock_rec rec;        /* rec.netns_name unused: see netns_name */
	char *netns_name;           /* owned, NULL for the host's */
	double born, ended;         /* ended < 0: still alive */
	uint8_t brief;
};

/* Event kinds: the diff's, and SEEN for a life the recorder met without
 * its NEW (alive at the recorder's first poll or at a resync), which gives
 * its state then and is never printed as an event. */
enum rec_event_kind { REC_EV_NEW, REC_EV_STATE, REC_EV_GONE, REC_EV_SEEN };

struct rec_event_row {
	int64_t life;
	double time;
	uint8_t kind, proto, state, from_state, timewait, final, brief, uid_unknown;
};

struct rec_sample_row {
	int64_t life;
	double time;
	uint64_t inode;
	uint32_t uid, recvq, sendq;
	uint8_t has_tcpinfo, has_rate;
	struct sock_tcpinfo tcp;
	double tx_rate, rx_rate;
};

/* One process of a life's owner set from since on; proc NULL: the set is
 * empty. Owns a reference to proc. */
struct rec_owner_row {
	int64_t life;
	double since;
	struct rec_proc *proc;
	uint8_t former;
};

struct rec_end_row {
	int64_t life;
	double time;
};

struct rec_batch {
	double time;                /* the poll's moment: its polls row */
	size_t sockets;
	uint64_t dropped;           /* moments merged away into this one */
	/* The lives the file holds open and this batch does not name alive
	 * end at snap_time: rows were lost (a dropped queue, a failed write). */
	int resync;
	struct rec_life_row *lives;   size_t nlives, caplives;
	struct rec_event_row *events; size_t nevents, capevents;
	struct rec_sample_row *samples; size_t nsamples, capsamples;
	struct rec_owner_row *owners; size_t nowners, capowners;
	struct rec_end_row *ends;     size_t nends, capends;
	int has_snap;
	double snap_time;
	int64_t *snap;                size_t nsnap, capsnap;
	/* samples' index by life, built for merging (rec_batch_merge) */
	int64_t *sidx_life;           size_t *sidx_at, sidx_cap;
};

struct rec_batch *rec_batch_new(double time);
void rec_batch_free(struct rec_batch *b);
/* The memory b holds, roughly: what the queue's bound counts. */
size_t rec_batch_bytes(const struct rec_batch *b);
/* Folds the later batch n into b (n is emptied and freed): every life,
 * event, owners row and end is kept, only the newest sample per life, and
 * b's own moment counts as dropped. Returns 0, or -1 when out of memory
 * (b is then as it was plus part of n: the caller drops both). */
int rec_batch_merge(struct rec_batch *b, struct rec_batch *n);

#endif
