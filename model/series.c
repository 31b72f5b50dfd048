/* series.c — a number a poll in fixed rings (see series.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "series.h"

void series_init(struct series *s)
{
	memset(s, 0, sizeof(*s));
}

void series_push(struct series *s, float v)
{
	s->fine[s->n % SERIES_FINE] = v;
	if (!isnan(v)) {
		s->acc += v;
		s->acc_n++;
	}
	s->n++;
	if (s->n % SERIES_PER_COARSE == 0) {
		uint64_t c = s->n / SERIES_PER_COARSE - 1;
		s->coarse[c % SERIES_COARSE] = s->acc_n ? s->acc / (float)s->acc_n : NAN;
		s->acc = 0;
		s->acc_n = 0;
	}
}

float series_at(const struct series *s, uint64_t age)
{
	if (age >= s->n)
		return NAN;
	uint64_t i = s->n - 1 - age;
	if (age < SERIES_FINE)
		return s->fine[i % SERIES_FINE];
	uint64_t c = i / SERIES_PER_COARSE, done = s->n / SERIES_PER_COARSE;
	if (c >= done || done - c > SERIES_COARSE)
		return NAN;
	return s->coarse[c % SERIES_COARSE];
}

void series_clip(struct series *dst, const struct series *src, uint64_t age, uint64_t span)
{
	uint64_t held = SERIES_FINE + (uint64_t)SERIES_COARSE * SERIES_PER_COARSE;
	uint64_t k = src->n > age ? src->n - age : 0;
	if (k > span)
		k = span;
	if (k > held)
		k = held;
	series_init(dst);
	while (k-- > 0)
		series_push(dst, series_at(src, age + k));
}

void series_buckets(const struct series *s, uint64_t span, size_t nb, float *out)
{
	for (size_t b = 0; b < nb; b++) {
		/* ages (lo, hi], oldest bucket first */
		uint64_t hi = span - span * b / nb, lo = span - span * (b + 1) / nb;
		double sum = 0;
		unsigned k = 0;
		for (uint64_t a = lo; a < hi; a++) {
			float v = series_at(s, a);
			if (!isnan(v)) {
				sum += v;
				k++;
			}
		}
		out[b] = k ? (float)(sum / k) : NAN;
	}
}

float series_peak(const struct series *s, uint64_t span)
{
	float peak = 0;
	for (uint64_t a = 0; a < span && a < s->n; a++) {
		float v = series_at(s, a);
		if (!isnan(v) && v > peak)
			peak = v;
	}
	return peak;
}

double series_sum(const struct series *s, uint64_t span, uint64_t *present)
{
	double sum = 0;
	uint64_t k = 0;
	for (uint64_t a = 0; a < span && a < s->n; a++) {
		float v = series_at(s, a);
		if (!isnan(v)) {
			sum += v;
			k++;
		}
	}
	if (present)
		*present = k;
	return sum;
}

float series_last(const struct series *s)
{
	return series_at(s, 0);
}
