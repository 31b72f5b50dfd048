/* export.h — where a poll goes besides the terminal, for fleets: the
 * Prometheus textfile (--prometheus=FILE) and the systemd journal
 * (--journal). main.c calls it after every poll of the screenless modes. */
#ifndef SOCKEYE_EXPORT_H
#define SOCKEYE_EXPORT_H

#include <stddef.h>
#include "filter.h"
#include "table.h"

struct export_config {
	const char *prometheus;         /* file to rewrite every poll, or NULL */
	int journal;                    /* send events to the journal */
	const struct filter *filter;    /* what is counted and sent; NULL all */
};

struct export;

/* NULL with err filled when the journal cannot be reached or memory ran
 * out. */
struct export *export_open(const struct export_config *cfg, char *err, size_t errlen);
void export_free(struct export *x);

/* Once capabilities are dropped and before the calling thread refuses
 * itself every file write (nowrite.h): hands the metrics file's writing
 * to a thread of its own, narrowed with Landlock to the file's folder
 * (outwriter.h). x may be NULL. Returns 0 (with note saying why the
 * writer is not narrowed, or ""), or -1 with err: the folder is missing
 * or the thread cannot start. */
int export_confine(struct export *x, char *note, size_t notelen, char *err, size_t errlen);

/* After one poll that took poll_seconds and ran at when (epoch seconds):
 * rewrites the metrics file and sends ev's events (ev may be NULL: a
 * baseline poll). x may be NULL (nothing to export). Returns 0, or -1 with
 * err filled. */
int export_poll(struct export *x, const struct sock_table *t, const struct sock_events *ev,
                double poll_seconds, double when, char *err, size_t errlen);

/* This machine's name for the "host" key, read once at start; "unknown"
 * when the kernel will not say. */
void export_hostname(char *buf, size_t len);

#endif
