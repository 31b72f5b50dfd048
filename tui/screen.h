/* screen.h — the terminal: ncurses set-up with the locale, keypad and no
 * echo, colour pairs from the theme, and a restore that runs on every way
 * out (quit, signals, fatal errors). */
#ifndef SOCKEYE_SCREEN_H
#define SOCKEYE_SCREEN_H

#include <stddef.h>

/* Starts curses on the terminal. Returns 0, or -1 with err filled when
 * stdin/stdout is not a terminal or the terminal type is unknown. */
int screen_begin(char *err, size_t errlen);
/* Asks the terminal for mouse reports (SGR 1006: any column), turned off
 * again by screen_end. */
void screen_mouse(void);
/* Stops the program as Ctrl-Z does, the terminal restored and mouse
 * reports off meanwhile; both come back when it is continued. */
void screen_suspend(void);
/* Writes s[0..n) straight to the terminal, after what curses has sent
 * (an escape sequence curses knows nothing of). */
void screen_send(const char *s, size_t n);
/* Restores the terminal; safe to call twice and from atexit. */
void screen_end(void);
/* Number of colours the terminal has (0 when monochrome). */
int screen_colors(void);

#endif
