/* record.h — the flight recorder: every poll's table and events written
 * into an SQLite database (schema.h), by a thread of its own, so a slow
 * disk costs samples (counted, with a note) and never a poll. The same
 * writer keeps the screen's last minutes in memory for rewinding when no
 * file is named. */
#ifndef SOCKEYE_RECORD_H
#define SOCKEYE_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "table.h"

struct column_cmdlines;    /* columns.h: the owners' command lines */
struct history;            /* replay.h */

#define RECORD_KEEP_DEFAULT (7 * 86400.0)           /* --record-keep */
#define RECORD_MAX_DEFAULT (1024ull * 1024 * 1024)   /* --record-max */
#define RECORD_MEM_KEEP 600.0                        /* the screen's rewind */
#define RECORD_MEM_MAX (32ull * 1024 * 1024)

struct record_config {
	const char *path;      /* the database file (created 0600); NULL: in memory */
	double keep;           /* seconds of history kept */
	uint64_t max_bytes;    /* the database stays under this */
	double interval;       /* the poll interval, kept in meta */
	const char *host;      /* this machine's name, kept in meta */
	/* Bytes of rows the queue may hold while the disk is behind before
	 * it is dropped and recording resynchronises; 0: 64 MiB. */
	size_t queue_max;
};

struct recorder;

/* Opens (or creates) the recording and starts its writer thread. A file
 * that exists must be a recording of this version or older (its rows are
 * kept, its lives still open are ended at its last poll); anything else is
 * refused with err saying what the file is. NULL with err filled. */
struct recorder *recorder_open(const struct record_config *c, char *err, size_t errlen);
/* Writes what is queued (waiting for the writer), then closes. NULL: nothing. */
void recorder_close(struct recorder *r);

/* Starts the writer thread, which first runs the setup given with
 * recorder_set_thread_setup (a setup that fails leaves a note and the
 * writer goes on). The first recorder_poll starts it when this was not
 * called; call it yourself where the thread must start: after capabilities
 * are dropped (privs.h) and before the polling thread refuses itself file
 * writes (nowrite.h), which threads started later would inherit. Returns
 * 0, or -1 with err when the thread cannot start. */
int recorder_start(struct recorder *r, char *err, size_t errlen);

/* On the polling thread, after poller_apply: what changed in t since the
 * last call, and ev (NULL: a baseline poll, no events), taken at when.
 * After the baseline, pass every poll's events: states are recorded from
 * them (a life the recorder meets without its NEW is written as 'seen').
 * Copies what it needs and returns without waiting for the disk; when the
 * writer is behind, this poll's samples are merged or dropped (counted)
 * rather than waited for. cmd (may be NULL) gives new owners' command
 * lines. Returns 0, or -1 when out of memory. */
int recorder_poll(struct recorder *r, const struct sock_table *t,
                  const struct sock_events *ev, const struct column_cmdlines *cmd,
                  double when);

/* Polls dropped because the writer was behind, since the start. */
uint64_t recorder_dropped(const struct recorder *r);
/* Seconds of CPU the writer thread spent on transactions and retention. */
double recorder_writer_cpu(const struct recorder *r);
/* A note for stderr or the footer once each time something went wrong
 * (writing failed, polls dropped), then NULL. */
const char *recorder_take_note(struct recorder *r);

/* Runs in the writer thread before it writes anything, so a sandbox step
 * (Landlock to the file and its -wal and -shm: privs_confine_recording)
 * can be taken there rather than on the polling thread. The database and
 * those files are open before: the writer needs no other file. Set before
 * recorder_start. */
void recorder_set_thread_setup(struct recorder *r, int (*setup)(void *arg, char *err, size_t errlen),
                               void *arg);

/* Holds the writer (1) before its next transaction, or lets it go on
 * (0): what a disk that stopped answering looks like, for tests. */
void recorder_hold(struct recorder *r, int hold);
/* Waits until every poll handed on is written and the history retention
 * cut is deleted (not while held). */
void recorder_flush(struct recorder *r);
/* What history_open opens for the same database: the file's name, or the
 * in-memory database's URI ("file:/sockeye-PID-N?vfs=memdb"). */
const char *recorder_name(const struct recorder *r);

/* A reader of the same recording (for the screen's rewind, memory or
 * file), freed with history_close; NULL with err filled. */
struct history *recorder_history(struct recorder *r, char *err, size_t errlen);

#endif
