/* series.h — one number a poll kept in fixed rings: the newest
 * SERIES_FINE samples as they came, and older ones as the mean of
 * SERIES_PER_COARSE samples, so a long window is downsampled, never cut.
 * A missing sample (polling paused) is a gap, NaN, and stays one. */
#ifndef SOCKEYE_SERIES_H
#define SOCKEYE_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define SERIES_FINE 600          /* 10 minutes at one poll a second */
#define SERIES_PER_COARSE 10
#define SERIES_COARSE 360        /* then 10 hours' worth at 10 samples each */

struct series {
	float fine[SERIES_FINE];
	float coarse[SERIES_COARSE];
	uint64_t n;                  /* samples pushed since the start */
	float acc;                   /* the coarse sample being summed */
	uint16_t acc_n;              /* its samples that were not gaps */
};

void series_init(struct series *s);
/* Appends one sample; NaN is a gap. */
void series_push(struct series *s, float v);
/* The sample age polls ago (0: newest): the coarse mean beyond the fine
 * ring; NaN for a gap or one never recorded or no longer held. */
float series_at(const struct series *s, uint64_t age);
/* Makes dst the series src was age samples ago, its last span samples at
 * most: as they came where src still holds them one by one, else as the
 * coarse means that stand for them. */
void series_clip(struct series *dst, const struct series *src, uint64_t age, uint64_t span);
/* The last span samples in nb buckets, oldest first, each the mean of the
 * samples in it that are not gaps (NaN: none). */
void series_buckets(const struct series *s, uint64_t span, size_t nb, float *out);
/* Over the last span samples: the largest (0 when none), the sum and the
 * count of samples that are not gaps. */
float series_peak(const struct series *s, uint64_t span);
double series_sum(const struct series *s, uint64_t span, uint64_t *present);
/* The newest sample; NaN when there is none or it is a gap. */
float series_last(const struct series *s);

#endif
