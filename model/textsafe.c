/* textsafe.c — untrusted text made safe to print: a UTF-8 decoder of our own
 * (no setlocale), terminal escapes, column widths, and JSON string literals. */
#include "config.h"

#include "textsafe.h"

#include <langinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* One step of output: a character's own bytes or the escape standing for it,
 * and the columns it takes. The longest is "\udcff" or "\u202e". */
struct textsafe_unit {
	char text[8];
	size_t len;
	int cols;
};

struct textsafe_range {
	uint32_t first, last;
};

/* Widths where the locale is not UTF-8 (and so in the tests, which never
 * call setlocale): Unicode's East Asian Width W/F (wide) and the commoner
 * Mn/Me marks and zero-width formats (zero), merged across unassigned gaps.
 * Emoji blocks are taken whole, so a few text-style symbols there count 2
 * where wcwidth() says 1, and marks of scripts not listed count 1. Sorted,
 * for binary search. */
static const struct textsafe_range textsafe_wide[] = {
	{0x1100, 0x115f}, {0x231a, 0x231b}, {0x2329, 0x232a}, {0x23e9, 0x23ec},
	{0x23f0, 0x23f0}, {0x23f3, 0x23f3}, {0x25fd, 0x25fe}, {0x2614, 0x2615},
	{0x2648, 0x2653}, {0x267f, 0x267f}, {0x2693, 0x2693}, {0x26a1, 0x26a1},
	{0x26aa, 0x26ab}, {0x26bd, 0x26be}, {0x26c4, 0x26c5}, {0x26ce, 0x26ce},
	{0x26d4, 0x26d4}, {0x26ea, 0x26ea}, {0x26f2, 0x26f3}, {0x26f5, 0x26f5},
	{0x26fa, 0x26fa}, {0x26fd, 0x26fd}, {0x2705, 0x2705}, {0x270a, 0x270b},
	{0x2728, 0x2728}, {0x274c, 0x274c}, {0x274e, 0x274e}, {0x2753, 0x2755},
	{0x2757, 0x2757}, {0x2795, 0x2797}, {0x27b0, 0x27b0}, {0x27bf, 0x27bf},
	{0x2b1b, 0x2b1c}, {0x2b50, 0x2b50}, {0x2b55, 0x2b55},
	{0x2e80, 0x3029},   /* CJK radicals, ideographic space and punctuation */
	{0x302e, 0x3098},   /* ... kana (less 302A-302D, 3099-309A: combining) */
	{0x309b, 0xa4cf},   /* kana, bopomofo, CJK ideographs, Yi */
	{0xa960, 0xa97f},   /* Hangul jamo extended-A */
	{0xac00, 0xd7a3},   /* Hangul syllables */
	{0xf900, 0xfaff},   /* CJK compatibility ideographs */
	{0xfe10, 0xfe19}, {0xfe30, 0xfe6f},
	{0xff00, 0xff60},   /* fullwidth forms */
	{0xffe0, 0xffe6},
	{0x16fe0, 0x16fe4}, {0x16ff0, 0x16ff1}, {0x17000, 0x18cff},
	{0x18d00, 0x18d08}, {0x1aff0, 0x1b2ff},
	{0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e},
	{0x1f191, 0x1f19a}, {0x1f200, 0x1f265},
	{0x1f300, 0x1f64f},  /* emoji: pictographs, emoticons */
	{0x1f680, 0x1f6ff},  /* emoji: transport */
	{0x1f7e0, 0x1f7f0},
	{0x1f90c, 0x1f9ff},  /* emoji: supplemental */
	{0x1fa70, 0x1faff},
	{0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

static const struct textsafe_range textsafe_zero[] = {
	{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x05bf, 0x05bf},
	{0x05c1, 0x05c2}, {0x05c4, 0x05c5}, {0x05c7, 0x05c7}, {0x0610, 0x061a},
	{0x061c, 0x061c}, {0x064b, 0x065f}, {0x0670, 0x0670}, {0x06d6, 0x06dc},
	{0x06df, 0x06e4}, {0x06e7, 0x06e8}, {0x06ea, 0x06ed}, {0x0711, 0x0711},
	{0x0730, 0x074a}, {0x0900, 0x0902}, {0x093a, 0x093a}, {0x093c, 0x093c},
	{0x0941, 0x0948}, {0x094d, 0x094d}, {0x0951, 0x0957}, {0x0962, 0x0963},
	{0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e}, {0x0eb1, 0x0eb1},
	{0x0eb4, 0x0ebc}, {0x0ec8, 0x0ecd},
	{0x1160, 0x11ff},   /* Hangul medial vowels and finals join the syllable */
	{0x1ab0, 0x1aff}, {0x1dc0, 0x1dff},
	{0x200b, 0x200f},   /* zero-width space, joiners, LRM/RLM */
	{0x2060, 0x2064}, {0x20d0, 0x20f0}, {0x302a, 0x302d}, {0x3099, 0x309a},
	{0xfe00, 0xfe0f},   /* variation selectors (emoji presentation) */
	{0xfe20, 0xfe2f}, {0xfeff, 0xfeff},
	{0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xe0100, 0xe01ef},
};

static int textsafe_in(const struct textsafe_range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < r[mid].first)
			hi = mid;
		else if (cp > r[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

#define TEXTSAFE_IN(table, cp) \
	textsafe_in(table, sizeof table / sizeof table[0], cp)

/* In a UTF-8 locale ncurses moves the cursor by wcwidth(), so our padding
 * must agree with it there; elsewhere the built-in tables decide. Decoding
 * never depends on the locale, only this measure does. */
static int textsafe_use_wcwidth(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

static int textsafe_cp_width(uint32_t cp, int use_wcwidth)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;   /* controls: only reach here from text we did not escape */
	if (use_wcwidth) {
		int w = wcwidth((wchar_t)cp);
		if (w >= 0)
			return w;   /* -1 (unassigned): fall back to the tables */
	}
	if (TEXTSAFE_IN(textsafe_zero, cp))
		return 0;
	return TEXTSAFE_IN(textsafe_wide, cp) ? 2 : 1;
}

/* Length (1..4) of the well-formed UTF-8 sequence at s[0..n), with *cp set;
 * 0 when s[0] starts none: a stray continuation, an overlong form, a
 * surrogate, a value past U+10FFFF, or a sequence cut short. */
static size_t textsafe_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2)
		return 0;   /* a continuation byte, or lead 0xc0/0xc1: always overlong */
	if (s[0] < 0xe0)
		len = 2, min = 0x80, v = s[0] & 0x1fu;
	else if (s[0] < 0xf0)
		len = 3, min = 0x800, v = s[0] & 0x0fu;
	else if (s[0] < 0xf5)
		len = 4, min = 0x10000, v = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Characters that are printable yet rearrange or break the line around them:
 * bidi embeddings/overrides, bidi isolates, and the Unicode line and
 * paragraph separators. */
static int textsafe_is_layout_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

static void textsafe_unit_escape(struct textsafe_unit *u, const char *fmt,
                                 unsigned v)
{
	int n = snprintf(u->text, sizeof u->text, fmt, v);

	u->len = (size_t)n;
	u->cols = n;
}

static void textsafe_unit_copy(struct textsafe_unit *u, const void *s,
                               size_t len, int cols)
{
	memcpy(u->text, s, len);
	u->len = len;
	u->cols = cols;
}

/* The terminal form of the character at in[0..n), n > 0, measured with
 * wcwidth() or not; returns the number of input bytes it stands for. */
static size_t textsafe_display_unit(const unsigned char *in, size_t n,
                                    int use_wcwidth, struct textsafe_unit *u)
{
	uint32_t cp;
	size_t k = textsafe_decode(in, n, &cp);

	if (k == 0) {
		textsafe_unit_escape(u, "\\x%02x", in[0]);
		return 1;
	}
	if (cp < 0x20 || cp == 0x7f)
		textsafe_unit_escape(u, "\\x%02x", cp);
	else if ((cp >= 0x80 && cp <= 0x9f) || textsafe_is_layout_control(cp))
		textsafe_unit_escape(u, "\\u%04x", cp);
	else if (cp == '\\')
		textsafe_unit_copy(u, "\\\\", 2, 2);
	else
		textsafe_unit_copy(u, in, k, textsafe_cp_width(cp, use_wcwidth));
	return k;
}

/* The letter of JSON's two-character escape for cp, or 0 when it has none. */
static char textsafe_json_short(uint32_t cp)
{
	switch (cp) {
	case '"':  return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default:   return 0;
	}
}

/* The JSON form of the character at in[0..n), n > 0. Beyond what RFC 8259
 * requires, DEL, C1 and layout controls are escaped too (losslessly), so a
 * JSON line shown on a terminal cannot drive it either. */
static size_t textsafe_json_unit(const unsigned char *in, size_t n,
                                 struct textsafe_unit *u)
{
	uint32_t cp;
	size_t k = textsafe_decode(in, n, &cp);
	char sh;

	if (k == 0) {
		textsafe_unit_escape(u, "\\udc%02x", in[0]);
		return 1;
	}
	sh = textsafe_json_short(cp);
	if (sh) {
		char esc[2] = {'\\', sh};
		textsafe_unit_copy(u, esc, 2, 2);
	} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	           textsafe_is_layout_control(cp)) {
		textsafe_unit_escape(u, "\\u%04x", cp);
	} else {
		textsafe_unit_copy(u, in, k, 1);
	}
	return k;
}

size_t textsafe_display(const char *in, size_t inlen, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t pos = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < inlen;) {
		struct textsafe_unit u;
		size_t k = textsafe_display_unit(p + i, inlen - i, 0, &u);
		if (pos + u.len >= outlen)
			break;   /* a whole unit or nothing: never half an escape */
		memcpy(out + pos, u.text, u.len);
		pos += u.len;
		i += k;
	}
	out[pos] = '\0';
	return pos;
}

int textsafe_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	int use_wcwidth = textsafe_use_wcwidth();
	int cols = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = textsafe_decode(p + i, n - i, &cp);
		cols += k ? textsafe_cp_width(cp, use_wcwidth) : 1;
		i += k ? k : 1;
	}
	return cols;
}

size_t textsafe_fit(const char *s, int width, int *cols_out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int use_wcwidth = textsafe_use_wcwidth();
	int cols = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = textsafe_decode(p + i, n - i, &cp);
		int w = k ? textsafe_cp_width(cp, use_wcwidth) : 1;
		if (cols + w > width)
			break;
		cols += w;
		i += k ? k : 1;
	}
	if (cols_out)
		*cols_out = cols;
	return i;
}

int textsafe_json_write(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	if (putc('"', f) == EOF)
		return EOF;
	for (size_t i = 0; i < len;) {
		struct textsafe_unit u;
		i += textsafe_json_unit(p + i, len - i, &u);
		if (fwrite(u.text, 1, u.len, f) != u.len)
			return EOF;
	}
	return putc('"', f) == EOF ? EOF : 0;
}

static int textsafe_pad(FILE *f, int n)
{
	for (; n > 0; n--)
		if (putc(' ', f) == EOF)
			return EOF;
	return 0;
}

int textsafe_write_padded(FILE *f, const char *s, size_t len, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	int use_wcwidth = textsafe_use_wcwidth();
	int cols = 0;

	for (size_t i = 0; i < len;) {
		struct textsafe_unit u;
		size_t k = textsafe_display_unit(p + i, len - i, use_wcwidth, &u);
		/* Stop before a unit that would overflow: a wide character at the
		 * edge leaves one column of padding instead of half a glyph. */
		if (width >= 0 && cols + u.cols > width)
			break;
		if (fwrite(u.text, 1, u.len, f) != u.len)
			return EOF;
		cols += u.cols;
		i += k;
	}
	return width >= 0 ? textsafe_pad(f, width - cols) : 0;
}
