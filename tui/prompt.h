/* prompt.h — the one-line editor behind the `/` filter prompt: UTF-8 text
 * edited readline-style, a bounded history of applied filters, and where the
 * cursor and the visible slice fall in a field of a given width. No ncurses
 * calls: keys come in as numbers, the text goes out as bytes and columns. */
#ifndef SOCKEYE_PROMPT_H
#define SOCKEYE_PROMPT_H

#include <stddef.h>
#include <stdint.h>

#define PROMPT_MAX 1024       /* bytes of text; input past it is refused */
#define PROMPT_HISTORY 50     /* applied filters remembered, oldest dropped */

/* What a key did, so the caller knows what to redo. */
enum prompt_result {
	PROMPT_NONE,     /* text unchanged (the cursor may have moved: redraw) */
	PROMPT_EDITED,   /* text changed: re-compile and narrow the table live */
	PROMPT_APPLY,    /* Enter: prompt_text() is the filter to keep */
	PROMPT_CANCEL    /* Esc: put back the filter that was in force */
};

struct prompt {
	char text[PROMPT_MAX + 1];   /* always valid UTF-8, NUL-terminated */
	size_t len;                  /* bytes in text */
	size_t cursor;               /* byte offset, on a character boundary */
	size_t scroll;               /* byte offset of the first shown char */
	/* History as a ring: hist[(hist_first + i) % PROMPT_HISTORY], i = 0 the
	 * oldest. hist_pos == hist_count means "the line being typed", whose
	 * text is parked in draft while the user walks older entries. */
	char hist[PROMPT_HISTORY][PROMPT_MAX + 1];
	size_t hist_first, hist_count, hist_pos;
	char draft[PROMPT_MAX + 1];
	/* prompt_byte(): a UTF-8 sequence arriving one byte at a time. */
	unsigned char pending[4];
	size_t npending, need;
};

/* What the drawing code needs for a field `width` columns wide: the bytes
 * to draw (whole characters that fit, starting at the scroll offset) and
 * the cursor's column inside the field. */
struct prompt_view {
	const char *text;   /* points into the prompt; not NUL-terminated */
	size_t len;         /* bytes of text to draw */
	int cursor_col;     /* 0..width-1 */
	int scroll_col;     /* columns of text hidden to the left */
};

/* An empty prompt with an empty history. */
void prompt_init(struct prompt *p);

/* Starts editing from the filter in force (`/` edits what is in force), the
 * cursor at its end. Characters that could not be typed (controls) are
 * left out and text past PROMPT_MAX is cut on a character boundary. The
 * history is kept; walking it starts again from the newest entry. NULL
 * counts as "". */
void prompt_begin(struct prompt *p, const char *current);

/* Feeds a key: a KEY_* code (get_wch's KEY_CODE_YES), or an ASCII value
 * 0..127, a character or a control such as Ctrl-U (21) or Esc (27).
 * Values 128..KEY_MIN-1 and unknown keys are ignored. Non-ASCII
 * characters must come through prompt_char(): their code points overlap
 * the KEY_* codes. */
enum prompt_result prompt_key(struct prompt *p, int key);

/* Feeds a character from get_wch (which returned OK): a Unicode code point.
 * Controls act as in prompt_key; other controls, C1, the bidirectional
 * overrides and line separators are never inserted. */
enum prompt_result prompt_char(struct prompt *p, uint32_t cp);

/* Feeds one byte from getch() (no wide input): UTF-8 sequences are
 * gathered until whole, then act as prompt_char; bytes below 0x80 act as
 * prompt_key. Malformed sequences are dropped. */
enum prompt_result prompt_byte(struct prompt *p, unsigned char b);

/* The text being edited (or just applied). */
const char *prompt_text(const struct prompt *p);

/* Columns the text before the cursor takes (textsafe_width's measure). */
int prompt_cursor_col(const struct prompt *p);

/* Fills v for a field `width` columns wide (width >= 1), scrolling the
 * text horizontally so the cursor's cell is always inside the field. The
 * scroll is sticky — it moves only as far as the cursor forces it, and
 * back to the left only when there is room to show more. */
void prompt_view(struct prompt *p, int width, struct prompt_view *v);

#endif
