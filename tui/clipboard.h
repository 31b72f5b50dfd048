/* clipboard.h — what `y` copies and how: a row's text and the OSC 52
 * sequence that hands it to the terminal's clipboard, which reaches the
 * user's desktop over ssh and through tmux (set-clipboard on). No ncurses. */
#ifndef SOCKEYE_CLIPBOARD_H
#define SOCKEYE_CLIPBOARD_H

#include <stddef.h>

#include "columns.h"
#include "layout.h"

/* Text copied at most: terminals refuse longer OSC 52 payloads. */
#define CLIPBOARD_TEXT_MAX 4096

/* Base64 (RFC 4648, padded) of in[0..len) into out, NUL-terminated.
 * Returns the length written, or 0 when out is too short. */
size_t clipboard_base64(const void *in, size_t len, char *out, size_t outlen);

/* ESC ] 52 ; c ; <base64 of text> BEL into out. Control bytes of text (it
 * should hold none: copied text is made safe first) are left out, so the
 * clipboard never carries one. Returns the length, or 0 when text is
 * longer than CLIPBOARD_TEXT_MAX or out is too short. */
size_t clipboard_osc52(const char *text, char *out, size_t outlen);

/* A socket as "proto local -> remote state pid/process". */
void clipboard_socket_text(const struct column_row *r, char *buf, size_t len);

/* Any other row as its shown cells, joined by single spaces. */
void clipboard_cells_text(const struct layout_col *cols, size_t n, const void *cells,
                          char *buf, size_t len);

#endif
