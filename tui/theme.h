/* theme.h — colour themes: the screen's elements, theme files (parsing and
 * finding them by name), and degrading a theme to the colours a terminal has.
 * Colours are ncurses colour numbers and attributes are our own bits, so this
 * module needs no terminal; the screen maps THEME_BOLD to A_BOLD and so on. */
#ifndef SOCKEYE_THEME_H
#define SOCKEYE_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* Everything the screen draws in a style of its own. Names and descriptions
 * are in the table in theme.c; theme files use those names. */
enum theme_element {
	THEME_DEFAULT,              /* normal text */
	THEME_HEADER,
	THEME_HEADER_VALUE,
	THEME_NOTE,
	THEME_FILTER,
	THEME_FOOTER,
	THEME_FOOTER_KEY,
	THEME_PANE_TITLE,
	THEME_PANE_TITLE_FOCUSED,
	THEME_TITLE,                /* a pane's row of column titles */
	THEME_TITLE_SORTED,
	THEME_SELECTION,
	THEME_SELECTION_UNFOCUSED,
	THEME_PORT_WELL_KNOWN,
	THEME_PORT_REGISTERED,
	THEME_PORT_EPHEMERAL,
	THEME_NEW,
	THEME_GONE,
	THEME_CHANGED,
	THEME_STATE_LISTEN,
	THEME_STATE_ESTABLISHED,
	THEME_STATE_CLOSING,
	THEME_STATE_SYN,
	THEME_STATE_UDP,
	THEME_PROCESS,
	THEME_OWNER_UNKNOWN,
	THEME_FORMER,               /* who held a connection no process holds now */
	THEME_EVENT_TIME,
	THEME_GRAPH,                /* sparklines */
	THEME_GRAPH_LABEL,          /* a series' name in the Trends pane */
	THEME_PROMPT,
	THEME_PROMPT_ERROR,
	THEME_PAUSED,
	THEME_DETAILS_LABEL,
	THEME_HELP_KEY,
	THEME_N_ELEMENTS
};

/* Attribute bits; several may be set. */
enum theme_attr {
	THEME_BOLD = 1 << 0,
	THEME_UNDERLINE = 1 << 1,
	THEME_REVERSE = 1 << 2,
	THEME_DIM = 1 << 3,
	THEME_ITALIC = 1 << 4,
	THEME_BLINK = 1 << 5,
	THEME_STANDOUT = 1 << 6
};

/* The terminal's own foreground or background (ncurses' -1). */
#define THEME_COLOR_DEFAULT (-1)

struct theme_style {
	short fg, bg;               /* THEME_COLOR_DEFAULT or 0-255 */
	unsigned attrs;             /* enum theme_attr bits */
};

struct theme {
	struct theme_style style[THEME_N_ELEMENTS];
	bool from_file[THEME_N_ELEMENTS];   /* named by the file, not inherited */
};

/* The element's name in theme files ("port_well_known"), its one-line
 * description, or NULL past the end. */
const char *theme_element_name(enum theme_element e);
const char *theme_element_description(enum theme_element e);
/* The element named name (any case, '-' or '_'), or -1. */
int theme_element_lookup(const char *name);

/* Fills out with the built-in theme: the same as the shipped themes/default,
 * so sockeye needs no file to start and a user file may set a few elements. */
void theme_builtin(struct theme *out);

/* Turns --theme's value into a file path. A value holding '/' is a path and
 * must exist; a NAME is looked for in $XDG_CONFIG_HOME/sockeye/themes (or
 * ~/.config/sockeye/themes), then SOCKEYE_DATADIR/themes, then
 * $SOCKEYE_THEMES_DIR. Returns 0 and fills path_out, or -1 with err naming
 * every place it looked. */
int theme_find(const char *name, char *path_out, size_t len,
               char *err, size_t errlen);

/* Reads a theme file over the built-in theme. Returns 0, or -1 with err as
 * "FILE:LINE: what 'WORD'"; out is then the built-in theme. */
int theme_load(const char *path, struct theme *out, char *err, size_t errlen);

/* Parses theme text already in memory (len bytes; need not end in NUL).
 * name is the file name used in error messages. */
int theme_parse(const char *name, const char *text, size_t len,
                struct theme *out, char *err, size_t errlen);

/* theme_find then theme_load: what --theme=NAME|FILE does. */
int theme_load_named(const char *name, struct theme *out,
                     char *err, size_t errlen);

/* Each element's final style for a terminal with ncolors colours (ncurses'
 * COLORS), or none when no_color (--no-color or NO_COLOR; the caller
 * decides). See theme.c for how colours degrade. */
void theme_resolve(const struct theme *t, int ncolors, int no_color,
                   struct theme_style out[THEME_N_ELEMENTS]);

#endif
