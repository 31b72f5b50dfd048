/* textsafe.h — making untrusted text (process names, command lines, user
 * names) safe to print: escaped for a terminal, measured in columns, and
 * escaped for JSON keeping the exact bytes. */
#ifndef SOCKEYE_TEXTSAFE_H
#define SOCKEYE_TEXTSAFE_H

#include <stddef.h>
#include <stdio.h>

/* Copies in[0..inlen) to out as text safe for a terminal: printable UTF-8
 * passes (in a UTF-8 locale or not — the output is always UTF-8 or ASCII),
 * while C0/C1 control characters, DEL, invalid UTF-8 bytes and the Unicode
 * bidirectional overrides/isolates (U+202A..U+202E, U+2066..U+2069) become
 * visible escapes: "\x1b", "\xff", "\u202e". A backslash becomes "\\".
 * Exactly: C0 and DEL (including TAB, LF, CR, NUL) are "\xNN"; each byte
 * not part of well-formed UTF-8 (stray, truncated, overlong, surrogate,
 * past U+10FFFF) is "\xNN" on its own; C1 (U+0080..U+009F), the bidi
 * controls above and the line/paragraph separators U+2028/U+2029 are
 * "\uNNNN"; hex is lower case. UTF-8 is decoded here, never by the locale.
 * out is always NUL-terminated and never cut inside a character or escape
 * (it stops before the first unit that does not fit; outlen 0 writes
 * nothing). Returns the length written (excluding the NUL). */
size_t textsafe_display(const char *in, size_t inlen, char *out, size_t outlen);

/* Columns a string produced by textsafe_display takes on a terminal
 * (wide East Asian characters count 2, combining marks 0). In a UTF-8
 * LC_CTYPE this is wcwidth(), as ncurses uses; otherwise (and for code
 * points wcwidth does not know) a built-in table of wide ranges (CJK,
 * Hangul, fullwidth forms, emoji) and common combining marks. An escape
 * counts its length; a stray invalid byte counts 1. */
int textsafe_width(const char *s);

/* Bytes of s (already made safe) that fit in width columns without
 * splitting a character; *cols (may be NULL) gets the columns they take. */
size_t textsafe_fit(const char *s, int width, int *cols);

/* Writes s[0..len) as a JSON string literal (with the quotes) per RFC 8259:
 * '"', '\\' and control characters escaped; valid UTF-8 passes; each byte of
 * invalid UTF-8 becomes "\udcXX" (the surrogateescape convention), so the
 * exact bytes can be recovered. Escapes are \" \\ \b \f \n \r \t, else
 * "\u00NN"; DEL, C1 and the bidi/line-separator controls textsafe_display
 * escapes are "\uNNNN" here too (lossless), so a JSON line read on a
 * terminal is safe. Returns 0, or EOF on a write error. */
int textsafe_json_write(FILE *f, const char *s, size_t len);

/* Writes s, made safe with textsafe_display, padded with spaces to width
 * columns (or cut at width columns, on a character boundary, when longer;
 * width < 0 means no padding and no cut). With width >= 0 exactly width
 * columns are written: a wide character or an escape that would cross the
 * edge is left out whole and its place padded. s needs no NUL and may
 * hold any bytes. Returns 0 or EOF. */
int textsafe_write_padded(FILE *f, const char *s, size_t len, int width);

#endif
