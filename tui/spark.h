/* spark.h — sparklines as text: one cell a value, its height in a block
 * character under UTF-8 or in a plain ASCII ladder, a gap as a blank.
 * No ncurses: tested as strings. */
#ifndef SOCKEYE_SPARK_H
#define SOCKEYE_SPARK_H

#include <stddef.h>

enum spark_glyphs { SPARK_BLOCKS, SPARK_ASCII };

/* Writes n cells for v[0..n) scaled to max into buf (NUL-terminated, cut
 * on a cell boundary when len is short): a gap (NaN) is a space, zero the
 * lowest mark, any traffic above zero at least the next one up. Returns
 * the cells written. */
size_t spark_render(const float *v, size_t n, double max, enum spark_glyphs g,
                    char *buf, size_t len);

/* The glyphs a terminal can draw: blocks where the locale is UTF-8
 * (utf8) and the terminal (TERM) is not a VT100-like one. */
enum spark_glyphs spark_glyphs_for(int utf8, const char *term);

enum spark_unit { SPARK_COUNT, SPARK_BYTES_PER_S, SPARK_BYTES };

/* A value with its unit for a label: "1.2M/s" rates and "1.2MB" sizes
 * (binary K, M, G), or a count ("17", "2.5K"); "-" for NaN. */
void spark_value(double v, enum spark_unit u, char *buf, size_t len);

#endif
