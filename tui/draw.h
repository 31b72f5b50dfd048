/* draw.h — everything ncurses draws, from the monitor's state (ui.h),
 * which it only reads. */
#ifndef SOCKEYE_DRAW_H
#define SOCKEYE_DRAW_H

#include "theme.h"
#include "ui.h"

/* The colour pairs and attributes of t's elements on this terminal. */
void draw_styles(struct ui *u, const struct theme *t, int ncolors, int no_color);
/* The whole screen as of now (epoch seconds). */
void draw_screen(struct ui *u, double now);

#endif
