/* when.h — the moments, durations and sizes a user types: --at, --since,
 * --until and the screen's @ ("03:12", "03:12:07", "2026-12-06 03:12",
 * "-10m", seconds since the epoch), --record-keep ("7d") and --record-max
 * ("1G"). Clock times are local time. */
#ifndef SOCKEYE_WHEN_H
#define SOCKEYE_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* Parses s into epoch seconds. ref is the moment relative forms count
 * from (now live; a recording's last moment in a replay): "-10m" is ten
 * minutes before ref, and a bare clock time ("03:12", "03:12:07.5") is the
 * latest such time at or before ref. Dates: "2026-12-06 03:12[:07]" (or
 * with a T). A plain number with at least nine digits is epoch seconds.
 * Returns 0, or -1 with err naming what was wrong. */
int when_parse(const char *s, double ref, double *out, char *err, size_t errlen);
/* "90s", "30m", "12h", "7d", "2w", or seconds; > 0. Returns 0 or -1. */
int when_duration(const char *s, double *seconds, char *err, size_t errlen);
/* "1G", "500M", "64K" (powers of 1024, optional B/iB), or bytes; > 0.
 * Returns 0 or -1. */
int when_size(const char *s, uint64_t *bytes, char *err, size_t errlen);
/* Formats t as local "YYYY-MM-DD HH:MM:SS" into buf. */
const char *when_format(double t, char *buf, size_t len);

#endif
