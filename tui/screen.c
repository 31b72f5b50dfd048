/* screen.c — curses start and stop. The terminal is restored however the
 * program leaves: screen_end() is registered with atexit() and is what the
 * main loop calls on q, on SIGINT/SIGTERM/SIGHUP and after a fatal error. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen.h"

/* Whether curses is running: screen_end() may be reached twice (the loop,
 * then atexit), and must not touch a terminal that was never set up. A
 * signal-free global: only main's thread reads or writes it. */
static int screen_active;
static int screen_mouse_on;

void screen_send(const char *s, size_t n)
{
	fflush(stdout);
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;   /* a terminal gone: nothing left to tell */
		s += w;
		n -= (size_t)w;
	}
}

static void screen_write(const char *s)
{
	screen_send(s, strlen(s));
}

void screen_mouse(void)
{
	/* Reports come as "ESC [ < ...", read by ui.c: curses must not take
	 * their start for a key of its own. */
	define_key("\033[<", 0);
	define_key("\033[M", 0);
	screen_write("\033[?1000h\033[?1006h");
	screen_mouse_on = 1;
}

void screen_suspend(void)
{
	if (screen_mouse_on)
		screen_write("\033[?1006l\033[?1000l");
	endwin();
	raise(SIGSTOP);
	if (screen_mouse_on)
		screen_write("\033[?1000h\033[?1006h");
	clearok(curscr, TRUE);
	refresh();
}

int screen_begin(char *err, size_t errlen)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the monitor needs a terminal; use --batch or --events "
		                      "for pipes and files");
		return -1;
	}
	if (!newterm(NULL, stdout, stdin)) {
		snprintf(err, errlen, "cannot start the screen: unknown terminal type '%s'",
		         getenv("TERM") ? getenv("TERM") : "(unset)");
		return -1;
	}
	screen_active = 1;
	atexit(screen_end);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	/* By default curses stops an update half-way when a key is waiting and
	 * finishes it at the next refresh; the screen is only redrawn when
	 * something changed, so a cut update would stay on screen. */
	typeahead(-1);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	return 0;
}

void screen_end(void)
{
	if (!screen_active)
		return;
	screen_active = 0;
	if (screen_mouse_on)
		screen_write("\033[?1006l\033[?1000l");
	screen_mouse_on = 0;
	curs_set(1);
	endwin();
	fflush(stdout);
}

int screen_colors(void)
{
	return has_colors() ? COLORS : 0;
}
