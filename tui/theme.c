/* theme.c — the table of screen elements with their built-in styles, the
 * theme file format ("element = fg bg [attributes]"), finding a theme by
 * name, and degrading a theme to the colours a terminal has. No ncurses here:
 * colours are plain numbers and attributes are enum theme_attr bits. */
#include "config.h"

#include "theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef SOCKEYE_DATADIR
#define SOCKEYE_DATADIR "/usr/local/share/sockeye"
#endif

/* Theme files are a few dozen short lines; anything far bigger is not one. */
#define THEME_LINE_MAX 512
#define THEME_FILE_MAX (64 * 1024)
/* Longest piece of an offending word quoted back in an error message. */
#define THEME_WORD_SHOWN 40
/* Room for that word quoted: every byte as \xNN, "..." and the NUL. */
#define THEME_SHOWN_MAX (THEME_WORD_SHOWN * 4 + 4)

enum {
	D = THEME_COLOR_DEFAULT,
	BLACK = 0, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE,
	BRIGHT_BLACK, BRIGHT_RED, BRIGHT_GREEN, BRIGHT_YELLOW,
	BRIGHT_BLUE, BRIGHT_MAGENTA, BRIGHT_CYAN, BRIGHT_WHITE
};

#define BOLD THEME_BOLD
#define UNDERLINE THEME_UNDERLINE
#define REVERSE THEME_REVERSE
#define DIM THEME_DIM

/* One row per element: its name in theme files, what it is, its style in the
 * built-in theme (themes/default says the same), and its attributes when
 * there is no colour at all (themes/mono says the same). The mono column
 * keeps selection, new, gone and changed apart: reverse, bold, dim, underline. */
struct theme_element_info {
	const char *name;
	const char *description;
	struct theme_style dark;
	unsigned mono;
};

static const struct theme_element_info theme_elements[THEME_N_ELEMENTS] = {
	[THEME_DEFAULT] = { "default", "normal text",
		{ D, D, 0 }, 0 },
	[THEME_HEADER] = { "header", "the header's labels (host, source, interval, counts)",
		{ CYAN, D, 0 }, REVERSE },
	[THEME_HEADER_VALUE] = { "header_value", "the values in the header",
		{ D, D, BOLD }, REVERSE | BOLD },
	[THEME_NOTE] = { "note", "header notes where sight is partial (\"not root\")",
		{ YELLOW, D, BOLD }, REVERSE | BOLD | UNDERLINE },
	[THEME_FILTER] = { "filter", "the filter in force, in the header",
		{ YELLOW, D, 0 }, REVERSE | UNDERLINE },
	[THEME_FOOTER] = { "footer", "the footer's key descriptions",
		{ BLACK, CYAN, 0 }, REVERSE },
	[THEME_FOOTER_KEY] = { "footer_key", "the key names in the footer",
		{ D, D, BOLD }, BOLD },
	[THEME_PANE_TITLE] = { "pane_title", "a pane's name when it has not the focus",
		{ CYAN, D, 0 }, BOLD },
	[THEME_PANE_TITLE_FOCUSED] = { "pane_title_focused", "the focused pane's name",
		{ BRIGHT_WHITE, BLUE, BOLD }, REVERSE | BOLD },
	[THEME_TITLE] = { "title", "a pane's row of column titles",
		{ BLACK, GREEN, 0 }, BOLD | UNDERLINE },
	[THEME_TITLE_SORTED] = { "title_sorted", "the title of the column sorted on",
		{ BLACK, CYAN, BOLD }, REVERSE | BOLD },
	[THEME_SELECTION] = { "selection", "the selected row in the focused pane",
		{ BLACK, CYAN, 0 }, REVERSE },
	[THEME_SELECTION_UNFOCUSED] = { "selection_unfocused", "the selected row in other panes",
		{ BLACK, WHITE, 0 }, BOLD | UNDERLINE },
	[THEME_PORT_WELL_KNOWN] = { "port_well_known", "ports 0-1023",
		{ MAGENTA, D, BOLD }, BOLD },
	[THEME_PORT_REGISTERED] = { "port_registered", "ports 1024-49151",
		{ CYAN, D, 0 }, 0 },
	[THEME_PORT_EPHEMERAL] = { "port_ephemeral", "ports 49152-65535",
		{ BRIGHT_BLUE, D, 0 }, DIM },
	[THEME_NEW] = { "new", "a row that just appeared",
		{ GREEN, D, BOLD }, BOLD },
	[THEME_GONE] = { "gone", "a row that just went away",
		{ RED, D, 0 }, DIM },
	[THEME_CHANGED] = { "changed", "a socket whose state just changed",
		{ YELLOW, D, BOLD }, UNDERLINE },
	[THEME_STATE_LISTEN] = { "state_listen", "LISTEN",
		{ CYAN, D, BOLD }, BOLD },
	[THEME_STATE_ESTABLISHED] = { "state_established", "ESTABLISHED",
		{ GREEN, D, 0 }, 0 },
	[THEME_STATE_CLOSING] = { "state_closing",
		"FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT, CLOSE",
		{ YELLOW, D, 0 }, DIM },
	[THEME_STATE_SYN] = { "state_syn", "SYN_SENT, SYN_RECV, NEW_SYN_RECV",
		{ MAGENTA, D, BOLD }, UNDERLINE },
	[THEME_STATE_UDP] = { "state_udp", "UNCONN (an unconnected UDP socket)",
		{ BRIGHT_BLUE, D, 0 }, 0 },
	[THEME_PROCESS] = { "process", "process names",
		{ D, D, BOLD }, 0 },
	[THEME_OWNER_UNKNOWN] = { "owner_unknown", "the mark for a socket with no known owner",
		{ BRIGHT_BLACK, D, 0 }, DIM },
	[THEME_FORMER] = { "former",
		"a former owner: who held a TIME_WAIT or FIN_WAIT2 connection before it closed",
		{ CYAN, D, 0 }, UNDERLINE },
	[THEME_EVENT_TIME] = { "event_time", "timestamps in the Events pane",
		{ BRIGHT_BLACK, D, 0 }, DIM },
	[THEME_GRAPH] = { "graph", "sparklines: the Trends pane and the TREND column",
		{ GREEN, D, BOLD }, BOLD },
	[THEME_GRAPH_LABEL] = { "graph_label", "a series' name in the Trends pane",
		{ CYAN, D, 0 }, UNDERLINE },
	[THEME_PROMPT] = { "prompt", "the filter prompt line",
		{ BLACK, CYAN, 0 }, BOLD },
	[THEME_PROMPT_ERROR] = { "prompt_error", "a message that the filter does not parse",
		{ BRIGHT_WHITE, RED, BOLD }, REVERSE | BOLD },
	[THEME_PAUSED] = { "paused", "the PAUSED mark",
		{ BLACK, YELLOW, BOLD }, REVERSE | BOLD },
	[THEME_DETAILS_LABEL] = { "details_label", "labels in the details view",
		{ CYAN, D, BOLD }, BOLD },
	[THEME_HELP_KEY] = { "help_key", "key names on the help screen",
		{ CYAN, D, BOLD }, BOLD },
};

static const char *const theme_color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char *name;
	unsigned bits;
} theme_attr_names[] = {
	{ "bold", THEME_BOLD }, { "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE }, { "dim", THEME_DIM },
	{ "italic", THEME_ITALIC }, { "blink", THEME_BLINK },
	{ "standout", THEME_STANDOUT }, { "none", 0 },
};

/* ---- the element table ---- */

const char *theme_element_name(enum theme_element e)
{
	return (unsigned)e < THEME_N_ELEMENTS ? theme_elements[e].name : NULL;
}

const char *theme_element_description(enum theme_element e)
{
	return (unsigned)e < THEME_N_ELEMENTS ? theme_elements[e].description : NULL;
}

/* Compares ignoring case, with '-' the same as '_', so "Port-Well-Known" is
 * the element port_well_known. */
static int theme_word_eq(const char *s, const char *name)
{
	for (; *s && *name; s++, name++) {
		char c = *s == '-' ? '_' : *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *name)
			return 0;
	}
	return *s == '\0' && *name == '\0';
}

int theme_element_lookup(const char *name)
{
	for (int e = 0; e < THEME_N_ELEMENTS; e++)
		if (theme_word_eq(name, theme_elements[e].name))
			return e;
	return -1;
}

void theme_builtin(struct theme *out)
{
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		out->style[e] = theme_elements[e].dark;
		out->from_file[e] = false;
	}
}

/* ---- colours and attributes ---- */

/* Parses a decimal 0-255 with no sign; -1 if s is not one. */
static int theme_parse_number(const char *s)
{
	int v = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 255 ? v : -1;
}

/* Accepts "default", the eight names, "bright_" or "bright" before a name
 * (8-15), "colorN", "colourN" or a bare N (0-255). Returns 0 or -1. */
static int theme_parse_color(const char *s, short *color)
{
	static const char *const prefixes[] = { "color", "colour" };
	int bright = 0;

	if (theme_word_eq(s, "default")) {
		*color = THEME_COLOR_DEFAULT;
		return 0;
	}
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncasecmp(s, prefixes[i], n) == 0 && theme_parse_number(s + n) >= 0) {
			*color = (short)theme_parse_number(s + n);
			return 0;
		}
	}
	if (theme_parse_number(s) >= 0) {
		*color = (short)theme_parse_number(s);
		return 0;
	}
	if (strncasecmp(s, "bright", 6) == 0) {
		bright = 8;
		s += s[6] == '_' || s[6] == '-' ? 7 : 6;
	}
	for (int c = 0; c < 8; c++) {
		if (theme_word_eq(s, theme_color_names[c])) {
			*color = (short)(c + bright);
			return 0;
		}
	}
	return -1;
}

static int theme_parse_attr(const char *s, unsigned *bits)
{
	for (size_t i = 0; i < sizeof theme_attr_names / sizeof theme_attr_names[0]; i++) {
		if (theme_word_eq(s, theme_attr_names[i].name)) {
			*bits |= theme_attr_names[i].bits;
			return 0;
		}
	}
	return -1;
}

/* ---- error messages ---- */

/* Copies word for quoting in a message: printable ASCII as is, anything else
 * as \xNN, cut short with "..." so binary junk stays one readable line. */
static void theme_escape(const char *word, char *out, size_t outlen)
{
	size_t o = 0, i;

	for (i = 0; word[i] && i < THEME_WORD_SHOWN && o + 4 < outlen; i++) {
		unsigned char c = (unsigned char)word[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (word[i] && o + 3 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Where a message about a line goes, and what it is about. */
struct theme_parser {
	const char *name;
	unsigned line;
	struct theme *theme;
	char *err;
	size_t errlen;
};

/* Writes "NAME:LINE: what 'WORD'" (or without the word when word is NULL). */
static int theme_fail(const struct theme_parser *p, const char *what, const char *word)
{
	char shown[THEME_SHOWN_MAX];

	if (!word) {
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, what);
		return -1;
	}
	theme_escape(word, shown, sizeof shown);
	snprintf(p->err, p->errlen, "%s:%u: %s '%s'", p->name, p->line, what, shown);
	return -1;
}

/* ---- parsing ---- */

#define THEME_SPACE " \t\r\v\f"

static char *theme_trim(char *s)
{
	char *end;

	s += strspn(s, THEME_SPACE);
	end = s + strlen(s);
	while (end > s && strchr(THEME_SPACE, end[-1]))
		*--end = '\0';
	return s;
}

/* Reads "fg bg [attributes]" (blanks or commas between words) into *st. */
static int theme_parse_value(struct theme_parser *p, const char *element,
                             char *value, struct theme_style *st)
{
	char *save = NULL;
	char *fg = strtok_r(value, THEME_SPACE ",", &save);
	char *bg = fg ? strtok_r(NULL, THEME_SPACE ",", &save) : NULL;
	char *attr;

	if (!fg)
		return theme_fail(p, "missing foreground colour for", element);
	if (theme_parse_color(fg, &st->fg) < 0)
		return theme_fail(p, "unknown colour", fg);
	if (!bg)
		return theme_fail(p, "missing background colour for", element);
	if (theme_parse_color(bg, &st->bg) < 0)
		return theme_fail(p, "unknown colour", bg);
	st->attrs = 0;
	while ((attr = strtok_r(NULL, THEME_SPACE ",", &save)))
		if (theme_parse_attr(attr, &st->attrs) < 0)
			return theme_fail(p, "unknown attribute", attr);
	return 0;
}

/* One NUL-terminated line; '#' starts a comment anywhere, since no word of
 * the format can hold one. */
static int theme_parse_line(struct theme_parser *p, char *line)
{
	char *hash = strchr(line, '#');
	char *eq, *key;
	struct theme_style st;
	int e;

	if (hash)
		*hash = '\0';
	line = theme_trim(line);
	if (*line == '\0')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		line[strcspn(line, THEME_SPACE)] = '\0';
		return theme_fail(p, "missing '=' after", line);
	}
	*eq = '\0';
	key = theme_trim(line);
	if (*key == '\0')
		return theme_fail(p, "missing element name before '='", NULL);
	e = theme_element_lookup(key);
	if (e < 0)
		return theme_fail(p, "unknown element", key);
	if (theme_parse_value(p, key, eq + 1, &st) < 0)
		return -1;
	p->theme->style[e] = st;
	p->theme->from_file[e] = true;
	return 0;
}

/* Copies the line starting at text into buf and parses it; the checks here
 * are the ones a NUL-terminated copy could not make afterwards. */
static int theme_parse_raw_line(struct theme_parser *p, const char *text, size_t n)
{
	char buf[THEME_LINE_MAX + 1];

	if (n > THEME_LINE_MAX) {
		char what[64];
		snprintf(what, sizeof what, "line longer than %d characters", THEME_LINE_MAX);
		return theme_fail(p, what, NULL);
	}
	if (memchr(text, '\0', n))
		return theme_fail(p, "NUL byte: not a text file", NULL);
	memcpy(buf, text, n);
	buf[n] = '\0';
	return theme_parse_line(p, buf);
}

int theme_parse(const char *name, const char *text, size_t len,
                struct theme *out, char *err, size_t errlen)
{
	struct theme_parser p = { name, 0, out, err, errlen };
	size_t pos = 0;

	theme_builtin(out);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		p.line++;
		if (theme_parse_raw_line(&p, text + pos, n) < 0) {
			theme_builtin(out);
			return -1;
		}
		pos += n + 1;
	}
	return 0;
}

/* ---- files ---- */

/* Reads a whole theme file into a new buffer; NULL with err filled. */
static char *theme_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *buf;

	if (!f) {
		snprintf(err, errlen, "%s: cannot read theme: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot read theme: not a regular file", path);
		fclose(f);
		return NULL;
	}
	buf = malloc(THEME_FILE_MAX + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: cannot read theme: out of memory", path);
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, THEME_FILE_MAX + 1, f);
	if (ferror(f) || *len > THEME_FILE_MAX) {
		if (ferror(f))
			snprintf(err, errlen, "%s: cannot read theme: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: larger than %d bytes: not a theme file",
			         path, THEME_FILE_MAX);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int theme_load(const char *path, struct theme *out, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = theme_read_file(path, &len, err, errlen);
	int rc;

	if (!text) {
		theme_builtin(out);
		return -1;
	}
	rc = theme_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

/* ---- finding a theme by name ---- */

static int theme_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directories a NAME is looked for in, in order; returns how many. */
static size_t theme_search_dirs(char dirs[3][4096])
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *env = getenv("SOCKEYE_THEMES_DIR");
	size_t n = 0;

	/* The XDG spec says a relative XDG_CONFIG_HOME is to be ignored. */
	if (xdg && xdg[0] == '/')
		snprintf(dirs[n++], 4096, "%s/sockeye/themes", xdg);
	else if (home && *home)
		snprintf(dirs[n++], 4096, "%s/.config/sockeye/themes", home);
	snprintf(dirs[n++], 4096, "%s/themes", SOCKEYE_DATADIR);
	if (env && *env)
		snprintf(dirs[n++], 4096, "%s", env);
	return n;
}

static int theme_find_path(const char *path, char *path_out, size_t len,
                           char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "theme file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "theme file %s: not a regular file", path);
		return -1;
	}
	if ((size_t)snprintf(path_out, len, "%s", path) >= len) {
		snprintf(err, errlen, "theme file %s: path too long", path);
		return -1;
	}
	return 0;
}

int theme_find(const char *name, char *path_out, size_t len,
               char *err, size_t errlen)
{
	char dirs[3][4096];
	char shown[THEME_SHOWN_MAX];
	size_t ndirs, used;

	if (!name || !*name) {
		snprintf(err, errlen, "empty theme name");
		return -1;
	}
	if (strchr(name, '/'))
		return theme_find_path(name, path_out, len, err, errlen);
	ndirs = theme_search_dirs(dirs);
	for (size_t i = 0; i < ndirs; i++)
		if ((size_t)snprintf(path_out, len, "%s/%s", dirs[i], name) < len &&
		    theme_is_file(path_out))
			return 0;
	theme_escape(name, shown, sizeof shown);
	used = (size_t)snprintf(err, errlen, "theme '%s' not found in", shown);
	for (size_t i = 0; i < ndirs && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s %s",
		                         i ? "," : "", dirs[i]);
	return -1;
}

int theme_load_named(const char *name, struct theme *out, char *err, size_t errlen)
{
	char path[4096];

	if (theme_find(name, path, sizeof path, err, errlen) < 0) {
		theme_builtin(out);
		return -1;
	}
	return theme_load(path, out, err, errlen);
}

/* ---- degrading to the terminal's colours ----
 *
 * ncolors >= 256: every colour as written.
 * 16 <= ncolors < 256: 0-15 as written; 16-255 become the nearest of the 16.
 * 8 <= ncolors < 16: as for 16, then a bright foreground 8-15 becomes its
 *   base colour 0-7 plus bold (most terminals draw bold text bright), and a
 *   bright background its base colour (bold cannot brighten a background).
 * If that makes foreground and background the same though the theme had
 *   them differ, the foreground becomes black or white, whichever shows.
 * ncolors < 8, or no_color: no colours at all. Each element takes its mono
 *   attributes from the element table (the same as themes/mono), which keep
 *   selection, new, gone and changed apart as reverse, bold, dim, underline.
 *   A theme that names no colour is monochrome already and is kept as written.
 *
 * "Nearest" is by hue rather than by distance, so dark green stays green
 * instead of turning black: a greyish colour becomes black, bright black,
 * white or bright white by lightness; any other colour takes the primaries
 * above the midpoint of its strongest and weakest channel (red, yellow,
 * green, cyan, blue or magenta), bright if its strongest channel is full. */

/* The 16 basic colours as xterm draws them. */
static const unsigned char theme_basic_rgb[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

/* 16-231 are a 6x6x6 cube with these levels; 232-255 a grey ramp. */
static void theme_rgb(int c, int rgb[3])
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 16) {
		for (int i = 0; i < 3; i++)
			rgb[i] = theme_basic_rgb[c][i];
	} else if (c < 232) {
		rgb[0] = level[(c - 16) / 36];
		rgb[1] = level[(c - 16) / 6 % 6];
		rgb[2] = level[(c - 16) % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

static int theme_nearest_basic(int c)
{
	int rgb[3], max, min, mid, base;

	theme_rgb(c, rgb);
	max = rgb[0] > rgb[1] ? rgb[0] : rgb[1];
	max = max > rgb[2] ? max : rgb[2];
	min = rgb[0] < rgb[1] ? rgb[0] : rgb[1];
	min = min < rgb[2] ? min : rgb[2];
	if (max - min < 48)
		return max < 64 ? BLACK : max < 160 ? BRIGHT_BLACK : max < 230 ? WHITE : BRIGHT_WHITE;
	mid = (max + min) / 2;
	base = (rgb[0] > mid) | (rgb[1] > mid) << 1 | (rgb[2] > mid) << 2;
	return max >= 255 ? base + 8 : base;
}

static short theme_degrade_color(short c, int ncolors)
{
	if (c < 0 || ncolors >= 256)
		return c;
	if (c >= 16)
		c = (short)theme_nearest_basic(c);
	return c;
}

/* Black on light backgrounds (green, yellow, cyan, white), white on others. */
static short theme_contrast(short bg)
{
	return bg == GREEN || bg == YELLOW || bg == CYAN || bg == WHITE ? BLACK : WHITE;
}

static struct theme_style theme_degrade(struct theme_style s, int ncolors)
{
	struct theme_style r = s;

	r.fg = theme_degrade_color(s.fg, ncolors);
	r.bg = theme_degrade_color(s.bg, ncolors);
	if (ncolors < 16 && r.fg >= 8) {
		r.fg = (short)(r.fg - 8);
		r.attrs |= THEME_BOLD;
	}
	if (ncolors < 16 && r.bg >= 8)
		r.bg = (short)(r.bg - 8);
	if (r.fg == r.bg && r.fg != THEME_COLOR_DEFAULT && s.fg != s.bg)
		r.fg = theme_contrast(r.bg);
	return r;
}

static int theme_uses_color(const struct theme *t)
{
	for (int e = 0; e < THEME_N_ELEMENTS; e++)
		if (t->style[e].fg != THEME_COLOR_DEFAULT || t->style[e].bg != THEME_COLOR_DEFAULT)
			return 1;
	return 0;
}

void theme_resolve(const struct theme *t, int ncolors, int no_color,
                   struct theme_style out[THEME_N_ELEMENTS])
{
	int mono = no_color || ncolors < 8;
	int as_written = mono && !theme_uses_color(t);

	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		if (as_written)
			out[e] = t->style[e];
		else if (mono)
			out[e] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT,
			                               theme_elements[e].mono };
		else
			out[e] = theme_degrade(t->style[e], ncolors);
	}
}
