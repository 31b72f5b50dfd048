/* prompt.c — the `/` filter prompt's line editor: UTF-8 text moved over by
 * character, readline's editing keys as a table, a ring of applied filters,
 * and the horizontal scroll that keeps the cursor in sight. */
#include "config.h"

#include "prompt.h"

#include <curses.h>   /* KEY_* constants only: no ncurses call is made here */
#include <string.h>

#include "textsafe.h"

#define PROMPT_CTRL(c) ((c) & 0x1f)
#define PROMPT_ESC 27
#define PROMPT_DEL 127

/* ---- UTF-8 ------------------------------------------------------------ */

static int prompt_is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Length (1..4) of the well-formed UTF-8 sequence at s[0..n), with *cp set;
 * 0 for anything else (stray byte, overlong, surrogate, past U+10FFFF, cut
 * short) so nothing malformed ever enters the text. */
static size_t prompt_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] < 0xe0)
		len = 2, v = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		len = 3, v = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] < 0xf5)
		len = 4, v = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (!prompt_is_cont(s[i]))
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static size_t prompt_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Only what draws as itself: the text goes to the terminal as typed, so
 * controls, C1, the line separators and the bidi embeddings, overrides and
 * isolates (which would reorder the rest of the screen) are refused. */
static int prompt_insertable(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp >= 0x2028 && cp <= 0x202e)
		return 0;
	return !(cp >= 0x2066 && cp <= 0x2069);
}

/* ---- positions and widths ----------------------------------------------- */

static size_t prompt_next(const struct prompt *p, size_t i)
{
	if (i >= p->len)
		return p->len;
	for (i++; i < p->len && prompt_is_cont((unsigned char)p->text[i]); i++)
		;
	return i;
}

static size_t prompt_prev(const struct prompt *p, size_t i)
{
	if (i == 0)
		return 0;
	for (i--; i > 0 && prompt_is_cont((unsigned char)p->text[i]); i--)
		;
	return i;
}

/* Columns text[from..to) takes, measured as the rest of the screen is. */
static int prompt_span_width(const struct prompt *p, size_t from, size_t to)
{
	char buf[PROMPT_MAX + 1];

	memcpy(buf, p->text + from, to - from);
	buf[to - from] = '\0';
	return textsafe_width(buf);
}

static int prompt_char_width(const struct prompt *p, size_t i)
{
	return prompt_span_width(p, i, prompt_next(p, i));
}

/* ---- editing primitives ------------------------------------------------- */

static enum prompt_result prompt_delete(struct prompt *p, size_t from, size_t to)
{
	if (to <= from)
		return PROMPT_NONE;
	memmove(p->text + from, p->text + to, p->len - to + 1);
	p->len -= to - from;
	p->cursor = from;
	return PROMPT_EDITED;
}

static enum prompt_result prompt_insert(struct prompt *p, uint32_t cp)
{
	char bytes[4];
	size_t k;

	if (!prompt_insertable(cp))
		return PROMPT_NONE;
	k = prompt_encode(cp, bytes);
	if (p->len + k > PROMPT_MAX)
		return PROMPT_NONE;
	memmove(p->text + p->cursor + k, p->text + p->cursor,
		p->len - p->cursor + 1);
	memcpy(p->text + p->cursor, bytes, k);
	p->len += k;
	p->cursor += k;
	return PROMPT_EDITED;
}

/* Replaces the whole line with s (already clean), the cursor at its end. */
static enum prompt_result prompt_set(struct prompt *p, const char *s)
{
	int same = strcmp(p->text, s) == 0;

	if (!same) {
		p->len = strlen(s);
		memmove(p->text, s, p->len + 1);
	}
	p->cursor = p->len;
	return same ? PROMPT_NONE : PROMPT_EDITED;
}

/* ---- the keys ----------------------------------------------------------- */

static enum prompt_result prompt_left(struct prompt *p)
{
	p->cursor = prompt_prev(p, p->cursor);
	return PROMPT_NONE;
}

static enum prompt_result prompt_right(struct prompt *p)
{
	p->cursor = prompt_next(p, p->cursor);
	return PROMPT_NONE;
}

static enum prompt_result prompt_home(struct prompt *p)
{
	p->cursor = 0;
	return PROMPT_NONE;
}

static enum prompt_result prompt_end(struct prompt *p)
{
	p->cursor = p->len;
	return PROMPT_NONE;
}

static enum prompt_result prompt_backspace(struct prompt *p)
{
	return prompt_delete(p, prompt_prev(p, p->cursor), p->cursor);
}

static enum prompt_result prompt_delete_char(struct prompt *p)
{
	return prompt_delete(p, p->cursor, prompt_next(p, p->cursor));
}

static enum prompt_result prompt_clear(struct prompt *p)
{
	return prompt_delete(p, 0, p->len);
}

static enum prompt_result prompt_kill_to_end(struct prompt *p)
{
	return prompt_delete(p, p->cursor, p->len);
}

/* Filter terms are separated by spaces, so a word is what lies between
 * them: skip the spaces behind the cursor, then the term (readline's
 * unix-word-rubout). */
static enum prompt_result prompt_delete_word(struct prompt *p)
{
	size_t from = p->cursor;

	while (from > 0 && p->text[from - 1] == ' ')
		from--;
	while (from > 0 && p->text[from - 1] != ' ')
		from--;
	return prompt_delete(p, from, p->cursor);
}

static const char *prompt_hist_at(const struct prompt *p, size_t i)
{
	return p->hist[(p->hist_first + i) % PROMPT_HISTORY];
}

static enum prompt_result prompt_older(struct prompt *p)
{
	if (p->hist_pos == 0)
		return PROMPT_NONE;
	if (p->hist_pos == p->hist_count)
		memcpy(p->draft, p->text, p->len + 1);
	p->hist_pos--;
	return prompt_set(p, prompt_hist_at(p, p->hist_pos));
}

static enum prompt_result prompt_newer(struct prompt *p)
{
	if (p->hist_pos >= p->hist_count)
		return PROMPT_NONE;
	p->hist_pos++;
	if (p->hist_pos == p->hist_count)
		return prompt_set(p, p->draft);
	return prompt_set(p, prompt_hist_at(p, p->hist_pos));
}

/* Remembers an applied filter: empty ones clear rather than filter, and a
 * repeat of the newest entry would only make Up stutter. */
static void prompt_remember(struct prompt *p)
{
	if (p->len == 0)
		return;
	if (p->hist_count > 0 &&
	    strcmp(prompt_hist_at(p, p->hist_count - 1), p->text) == 0)
		return;
	if (p->hist_count == PROMPT_HISTORY) {
		p->hist_first = (p->hist_first + 1) % PROMPT_HISTORY;
		p->hist_count--;
	}
	memcpy(p->hist[(p->hist_first + p->hist_count) % PROMPT_HISTORY],
	       p->text, p->len + 1);
	p->hist_count++;
}

static enum prompt_result prompt_apply(struct prompt *p)
{
	prompt_remember(p);
	p->hist_pos = p->hist_count;
	return PROMPT_APPLY;
}

static enum prompt_result prompt_cancel(struct prompt *p)
{
	p->hist_pos = p->hist_count;
	return PROMPT_CANCEL;
}

/* The editing keys, htop's and readline's. Ctrl-C and Ctrl-G cancel as in
 * readline, for terminals in raw mode where Ctrl-C reaches us as a key. */
static const struct prompt_binding {
	int key;
	enum prompt_result (*run)(struct prompt *p);
} prompt_bindings[] = {
	{KEY_LEFT, prompt_left},          {PROMPT_CTRL('B'), prompt_left},
	{KEY_RIGHT, prompt_right},        {PROMPT_CTRL('F'), prompt_right},
	{KEY_HOME, prompt_home},          {PROMPT_CTRL('A'), prompt_home},
	{KEY_END, prompt_end},            {PROMPT_CTRL('E'), prompt_end},
	{KEY_BACKSPACE, prompt_backspace}, {PROMPT_DEL, prompt_backspace},
	{PROMPT_CTRL('H'), prompt_backspace},
	{KEY_DC, prompt_delete_char},     {PROMPT_CTRL('D'), prompt_delete_char},
	{PROMPT_CTRL('U'), prompt_clear},
	{PROMPT_CTRL('W'), prompt_delete_word},
	{PROMPT_CTRL('K'), prompt_kill_to_end},
	{KEY_UP, prompt_older},           {PROMPT_CTRL('P'), prompt_older},
	{KEY_DOWN, prompt_newer},         {PROMPT_CTRL('N'), prompt_newer},
	{'\n', prompt_apply}, {'\r', prompt_apply}, {KEY_ENTER, prompt_apply},
	{PROMPT_ESC, prompt_cancel},
	{PROMPT_CTRL('C'), prompt_cancel}, {PROMPT_CTRL('G'), prompt_cancel},
};

enum prompt_result prompt_key(struct prompt *p, int key)
{
	size_t n = sizeof prompt_bindings / sizeof prompt_bindings[0];

	for (size_t i = 0; i < n; i++)
		if (prompt_bindings[i].key == key)
			return prompt_bindings[i].run(p);
	if (key >= 0x20 && key < 0x7f)
		return prompt_insert(p, (uint32_t)key);
	return PROMPT_NONE;
}

enum prompt_result prompt_char(struct prompt *p, uint32_t cp)
{
	if (cp < 0x80)
		return prompt_key(p, (int)cp);
	return prompt_insert(p, cp);
}

/* Expected length of the sequence a lead byte starts, 0 if it starts none. */
static size_t prompt_lead_len(unsigned char b)
{
	if (b >= 0xc2 && b < 0xe0)
		return 2;
	if (b >= 0xe0 && b < 0xf0)
		return 3;
	return b >= 0xf0 && b < 0xf5 ? 4 : 0;
}

enum prompt_result prompt_byte(struct prompt *p, unsigned char b)
{
	uint32_t cp;

	if (p->npending == 0) {
		if (b < 0x80)
			return prompt_key(p, b);
		p->need = prompt_lead_len(b);
		if (p->need)
			p->pending[p->npending++] = b;
		return PROMPT_NONE;
	}
	if (!prompt_is_cont(b)) {
		p->npending = 0;   /* cut short: drop it, b starts afresh */
		return prompt_byte(p, b);
	}
	p->pending[p->npending++] = b;
	if (p->npending < p->need)
		return PROMPT_NONE;
	p->npending = 0;
	if (prompt_decode(p->pending, p->need, &cp) != p->need)
		return PROMPT_NONE;
	return prompt_char(p, cp);
}

/* ---- life cycle and view ------------------------------------------------ */

void prompt_init(struct prompt *p)
{
	memset(p, 0, sizeof *p);
}

void prompt_begin(struct prompt *p, const char *current)
{
	const unsigned char *s = (const unsigned char *)(current ? current : "");
	size_t n = strlen((const char *)s);

	p->len = p->cursor = p->scroll = 0;
	p->text[0] = '\0';
	p->npending = 0;
	p->hist_pos = p->hist_count;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = prompt_decode(s + i, n - i, &cp);

		if (k == 0) {
			i++;   /* a byte that is no character: leave it out */
			continue;
		}
		if (prompt_insertable(cp) && p->len + k > PROMPT_MAX)
			break;
		prompt_insert(p, cp);
		i += k;
	}
}

const char *prompt_text(const struct prompt *p)
{
	return p->text;
}

int prompt_cursor_col(const struct prompt *p)
{
	return prompt_span_width(p, 0, p->cursor);
}

/* The cell the cursor stands on: the character under it, or one blank
 * column past the end (a zero-width mark still needs a cell to show). */
static int prompt_cursor_cell(const struct prompt *p)
{
	int w = p->cursor < p->len ? prompt_char_width(p, p->cursor) : 1;

	return w > 0 ? w : 1;
}

/* Moves the scroll the least that keeps the cursor's cell in the field,
 * then back left while the whole rest of the text (and the cursor past its
 * end) still fits, so deleting never leaves the field half empty. */
static void prompt_scroll(struct prompt *p, int width)
{
	int cell = prompt_cursor_cell(p);
	int before, tail;

	if (p->scroll > p->cursor)
		p->scroll = p->cursor;
	before = prompt_span_width(p, p->scroll, p->cursor);
	while (p->scroll < p->cursor && before + cell > width) {
		before -= prompt_char_width(p, p->scroll);
		p->scroll = prompt_next(p, p->scroll);
	}
	tail = prompt_span_width(p, p->scroll, p->len) + (p->cursor == p->len);
	while (p->scroll > 0) {
		size_t prev = prompt_prev(p, p->scroll);
		int w = prompt_char_width(p, prev);

		if (tail + w > width)
			break;
		tail += w;
		p->scroll = prev;
	}
}

void prompt_view(struct prompt *p, int width, struct prompt_view *v)
{
	size_t end;
	int cols = 0;

	if (width < 1)
		width = 1;
	prompt_scroll(p, width);
	for (end = p->scroll; end < p->len;) {
		int w = prompt_char_width(p, end);

		if (cols + w > width)
			break;   /* a wide character crossing the edge stays out whole */
		cols += w;
		end = prompt_next(p, end);
	}
	v->text = p->text + p->scroll;
	v->len = end - p->scroll;
	v->cursor_col = prompt_span_width(p, p->scroll, p->cursor);
	v->scroll_col = prompt_span_width(p, 0, p->scroll);
}
