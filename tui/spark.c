/* spark.c — sparklines as text (see spark.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "spark.h"

static const char *const blocks[] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char ladder[] = "_.-=#";

/* 0 for zero, else 1..top scaled to max. */
static int spark_level(float v, double max, int top)
{
	if (!(v > 0) || !(max > 0))
		return 0;
	int l = (int)ceil(v / max * top);
	return l < 1 ? 1 : l > top ? top : l;
}

size_t spark_render(const float *v, size_t n, double max, enum spark_glyphs g,
                    char *buf, size_t len)
{
	size_t used = 0, cells = 0;
	if (!len)
		return 0;
	for (; cells < n; cells++) {
		const char *c;
		char one[2] = { ' ', 0 };
		if (isnan(v[cells]))
			c = " ";
		else if (g == SPARK_ASCII) {
			one[0] = ladder[spark_level(v[cells], max, 4)];
			c = one;
		} else {
			c = blocks[spark_level(v[cells], max, 7)];
		}
		size_t k = strlen(c);
		if (used + k >= len)
			break;
		memcpy(buf + used, c, k);
		used += k;
	}
	buf[used] = '\0';
	return cells;
}

enum spark_glyphs spark_glyphs_for(int utf8, const char *term)
{
	if (!utf8 || (term && strncmp(term, "vt", 2) == 0))
		return SPARK_ASCII;
	return SPARK_BLOCKS;
}

void spark_value(double v, enum spark_unit unit, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	const char *after = unit == SPARK_BYTES_PER_S ? "/s" : unit == SPARK_BYTES ? "B" : "";
	int bytes = unit != SPARK_COUNT;
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (v < 999.5) {
		int frac = v != floor(v) && v < 9.95;
		snprintf(buf, len, "%.*f%s%s", frac, v, unit == SPARK_BYTES_PER_S ? "B" : "", after);
		return;
	}
	int u = -1;
	double base = bytes ? 1024 : 1000;
	while (v >= 999.5 && u < 4) {
		v /= base;
		u++;
	}
	snprintf(buf, len, v < 9.95 ? "%.1f%c%s" : "%.0f%c%s", v, units[u], after);
}
