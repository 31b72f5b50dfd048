/* recdb.h — the recording's database as the writer thread sees it:
 * opening (creating it 0600, or checking an existing one is ours), one
 * transaction per batch, and trimming the oldest history by age and size. */
#ifndef SOCKEYE_RECDB_H
#define SOCKEYE_RECDB_H

#include <stddef.h>
#include <stdint.h>
#include "recbatch.h"
#include "record.h"

struct rec_db;

/* Opens c->path (NULL: a new database in memory) on the calling thread:
 * created mode 0600 with the schema and meta rows, or an existing
 * recording of this version or older, whose lives still open are ended at
 * its last poll. NULL with err naming the file and what is wrong. */
struct rec_db *rec_db_open(const struct record_config *c, char *err, size_t errlen);
void rec_db_close(struct rec_db *d);

/* What a reader opens to see the same database (a file name, or the
 * memory database's URI). */
const char *rec_db_name(const struct rec_db *d);
/* The largest lives.id and procs.id in use when it was opened. */
int64_t rec_db_last_life(const struct rec_db *d);
int64_t rec_db_last_proc(const struct rec_db *d);

/* Writes b in one transaction, its polls row last. Returns 0; or -1 with
 * err and nothing written, *full set when the size limit refused it. */
int rec_db_write(struct rec_db *d, const struct rec_batch *b, int *full,
                 char *err, size_t errlen);

/* Deletes history older than the keep time before now (its moments now,
 * its rows by rec_db_clean_step), and the oldest whole until the database
 * is well under its size limit, cutting at snapshots so the oldest moment
 * kept can still be rebuilt; full (a write the size limit refused) cuts at
 * least the oldest snapshot's history whatever the size. Returns 0 (with
 * *want_snap set when the size calls for a cut and no later snapshot
 * allows one), or -1 with err. */
int rec_db_trim(struct rec_db *d, double now, int full, int *want_snap,
                char *err, size_t errlen);

/* Whether rows of cut history are left to delete, and deleting the next
 * step of them (a fraction of a poll's work) in a transaction of its own.
 * 0, or -1 with err. */
int rec_db_cleaning(const struct rec_db *d);
int rec_db_clean_step(struct rec_db *d, char *err, size_t errlen);

/* Bytes the database's pages in use take, the most they may, and the
 * mark retention cuts them back under. */
uint64_t rec_db_used(struct rec_db *d);
uint64_t rec_db_limit(const struct rec_db *d);
uint64_t rec_db_mark(const struct rec_db *d);

#endif
