/* draw.c — everything ncurses draws: header, the panes (one list drawing
 * for any pane, walking its column table), footer, the prompt line,
 * details and help. Only visible rows are formatted, so a refresh costs the
 * same for 100 rows as for 100,000. */
#include "config.h"

#include <arpa/inet.h>
#include <curses.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "draw.h"
#include "keys.h"
#include "layout.h"
#include "past.h"
#include "procsignal.h"
#include "textsafe.h"
#include "timebase.h"
#include "when.h"

#define HEADER_LINES LAYOUT_HEADER_LINES

/* ---- styles ---- */

void draw_styles(struct ui *u, const struct theme *t, int ncolors, int no_color)
{
	static const struct { unsigned bit; attr_t attr; } attrs[] = {
		{ THEME_BOLD, A_BOLD }, { THEME_UNDERLINE, A_UNDERLINE },
		{ THEME_REVERSE, A_REVERSE }, { THEME_DIM, A_DIM },
		{ THEME_ITALIC, A_ITALIC }, { THEME_BLINK, A_BLINK },
		{ THEME_STANDOUT, A_STANDOUT },
	};
	struct theme_style st[THEME_N_ELEMENTS];
	int colors = !no_color && ncolors >= 8 && COLOR_PAIRS > THEME_N_ELEMENTS;
	theme_resolve(t, colors ? ncolors : 0, !colors, st);
	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		attr_t a = 0;
		if (colors) {
			init_pair((short)(e + 1), st[e].fg, st[e].bg);
			a |= COLOR_PAIR(e + 1);
		}
		for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
			if (st[e].attrs & attrs[i].bit)
				a |= attrs[i].attr;
		u->style[e] = a;
	}
}

/* ---- text primitives ---- */

/* Draws safe text in at most w columns; returns the columns used. */
static int put_text(int y, int x, int w, const char *s, attr_t a)
{
	int cols;
	if (w <= 0)
		return 0;
	size_t n = textsafe_fit(s, w, &cols);
	attrset(a);
	mvaddnstr(y, x, s, (int)n);
	return cols;
}

static void fill(int y, int x, int w, attr_t a)
{
	if (w <= 0)
		return;
	attrset(a);
	mvhline(y, x, ' ', w);
}

/* A cell: text padded (or right-aligned) to w columns. */
static void put_cell(int y, int x, int w, const char *s, int right, attr_t a)
{
	int cols;
	textsafe_fit(s, w, &cols);
	fill(y, x, w, a);
	put_text(y, right ? x + w - cols : x, w, s, a);
}

/* ---- layout ---- */

struct rect {
	int y, x, h, w;
};

static void layout(const struct ui *u, struct rect r[PANE_COUNT])
{
	struct layout_rect l[PANE_COUNT];
	layout_panes_shown(COLS, LINES, u->focus, u->opts->panes, l);
	for (int i = 0; i < PANE_COUNT; i++)
		r[i] = (struct rect){ l[i].y, l[i].x, l[i].h, l[i].w };
}

/* Tells the view how many rows each pane shows, so it pages by a
 * screenful: a pane's title and column titles take two rows. */
static void draw_set_heights(struct ui *u, const struct rect r[PANE_COUNT])
{
	for (int p = 0; p < PANE_COUNT; p++)
		view_set_height(u->view, (enum pane_id)p, r[p].h > 2 ? (size_t)r[p].h - 2 : 1);
}

/* ---- header ---- */

/* "2x", "1/4x": a replay's speed. */
static void draw_speed(int speed, char *buf, size_t len)
{
	if (speed >= 0)
		snprintf(buf, len, "%dx", 1 << speed);
	else
		snprintf(buf, len, "1/%dx", 1 << -speed);
}

/* "45s", "4m05s", "3h07m", "2d": how long ago a moment was. */
static const char *draw_ago(double seconds, char *buf, size_t len)
{
	long s = seconds > 0 ? (long)seconds : 0;
	if (s < 60)
		snprintf(buf, len, "%lds", s);
	else if (s < 3600)
		snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%ldd", s / 86400);
	return buf;
}

/* Where the screen is in time, in the style PAUSED has so it cannot be
 * missed: " PAST <moment> ", or a replay's moment, whether it plays and
 * how fast. Returns the columns used. */
static int draw_header_moment(struct ui *u, int x)
{
	char buf[160], at[32], speed[16], ago[32];
	double m = past_moment(u);
	if (!(m > 0) || x + 2 >= COLS)
		return 0;
	when_format(m, at, sizeof(at));
	draw_speed(u->speed, speed, sizeof(speed));
	if (u->opts->replay)
		snprintf(buf, sizeof(buf), " %s  %s %s ", at, u->playing ? "playing" : "stopped",
		         speed);
	else
		snprintf(buf, sizeof(buf), " PAST %s, %s ago ", at,
		         draw_ago(timebase_epoch() - m, ago, sizeof(ago)));
	return 2 + put_text(0, x + 2, COLS - x - 2, buf, u->style[THEME_PAUSED]);
}

/* Where the rows come from: this machine, or a recording's file. */
static void draw_header_source(struct ui *u, char *buf, size_t len)
{
	char name[1024];
	const char *what = u->opts->replay ? u->opts->replay : u->host;
	textsafe_display(what, strlen(what), name, sizeof(name));
	if (u->opts->replay)
		snprintf(buf, len, "sockeye %s  REPLAY %s", PACKAGE_VERSION, name);
	else
		snprintf(buf, len, "sockeye %s  %s  source %s  every %gs", PACKAGE_VERSION,
		         name, u->source, u->opts->interval);
}

static void draw_header_line0(struct ui *u, double now)
{
	char buf[1200], clock[16];
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	draw_header_source(u, buf, sizeof(buf));
	fill(0, 0, COLS, u->style[THEME_HEADER]);
	int x = put_text(0, 0, COLS, buf, u->style[THEME_HEADER]);
	if (u->paused)
		x += 2 + put_text(0, x + 2, COLS - x - 2, " PAUSED ", u->style[THEME_PAUSED]);
	x += draw_header_moment(u, x);
	int cw = (int)strlen(clock);
	if (COLS > x + 12 + cw)
		put_text(0, COLS - cw, cw, clock, u->style[THEME_HEADER]);
	else
		cw = -2;
	/* Why the source is not the one asked for, while that lasts. */
	if (u->source_note[0] && COLS - cw - 2 > x + 2) {
		char note[sizeof(u->source_note) * 4];
		textsafe_display(u->source_note, strlen(u->source_note), note, sizeof(note));
		put_text(0, x + 2, COLS - cw - 2 - x - 2, note, u->style[THEME_NOTE]);
	}
}

static int header_item(int y, int x, const char *label, size_t n, struct ui *u)
{
	char num[32];
	snprintf(num, sizeof(num), "%zu", n);
	if (x >= COLS)
		return x;
	x += put_text(y, x, COLS - x, label, u->style[THEME_DEFAULT]);
	x += put_text(y, x, COLS - x, " ", u->style[THEME_DEFAULT]);
	x += put_text(y, x, COLS - x, num, u->style[THEME_HEADER_VALUE]);
	return x + 2;
}

static void draw_header_counts(struct ui *u)
{
	const struct view_counts *c = view_counts(u->view);
	char buf[64];
	size_t udp = 0;
	fill(1, 0, COLS, u->style[THEME_DEFAULT]);
	snprintf(buf, sizeof(buf), "%zu sockets, %zu shown", c->total, c->shown);
	int x = put_text(1, 0, COLS, buf, u->style[THEME_HEADER_VALUE]) + 3;
	for (int st = 1; st < SOCK_ST_MAX; st++)
		if (c->tcp[st])
			x = header_item(1, x, sock_state_name(IPPROTO_TCP, (uint8_t)st), c->tcp[st], u);
	for (int st = 1; st < SOCK_ST_MAX; st++)
		udp += c->udp[st];
	if (udp)
		x = header_item(1, x, "UDP", udp, u);
}

static void draw_header_filter(struct ui *u)
{
	char text[PROMPT_MAX + 64], safe[PROMPT_MAX * 4];
	int pid;
	unsigned long long start;
	fill(2, 0, COLS, u->style[THEME_DEFAULT]);
	int x = put_text(2, 0, COLS, "Filter: ", u->style[THEME_DEFAULT]);
	textsafe_display(u->filter_shown, strlen(u->filter_shown), safe, sizeof(safe));
	x += put_text(2, x, COLS - x, *safe ? safe : "none",
	              *safe ? u->style[THEME_FILTER] : u->style[THEME_DEFAULT]);
	if (view_conn_narrowed(u->view, &pid, &start)) {
		snprintf(text, sizeof(text), "   Process: %d (Esc shows all)", pid);
		x += put_text(2, x, COLS - x, text, u->style[THEME_FILTER]);
	}
	size_t unreadable = u->unreadable;
	if (unreadable || u->others_unowned) {
		if (!u->sees_all_owners)
			snprintf(text, sizeof(text), "   not root: owners of other users' sockets unknown");
		else
			snprintf(text, sizeof(text), "   owners unknown in %zu process%s (no access)",
			         unreadable, unreadable == 1 ? "" : "es");
		x += put_text(2, x, COLS - x, text, u->style[THEME_NOTE]);
	}
	/* For as long as sockeye cannot enter other network namespaces (not
	 * when the user asked for its own alone). */
	const char *netns = u->poller ? poller_netns_partial(u->poller) : NULL;
	if (netns && x < COLS) {
		snprintf(text, sizeof(text), "   %s", netns);
		put_text(2, x, COLS - x, text, u->style[THEME_NOTE]);
	}
}

/* ---- column headers and pane titles ---- */

static const char *sort_mark(int desc)
{
	int utf8 = MB_CUR_MAX > 1;
	return desc ? (utf8 ? "\u25bc" : "v") : (utf8 ? "\u25b2" : "^");
}

static void draw_pane_title(struct ui *u, const struct rect *r, enum pane_id p,
                            const char *title)
{
	int focused = u->focus == p;
	attr_t a = u->style[focused ? THEME_PANE_TITLE_FOCUSED : THEME_PANE_TITLE];
	fill(r->y, r->x, r->w, a);
	put_text(r->y, r->x, r->w, title, a);
}

static void draw_title_cell(struct ui *u, int y, int x, int w, const char *title,
                            int right, int sorted, int desc)
{
	char buf[64];
	/* The mark must show even where the title fills the column: the title
	 * gives up its last column instead. */
	int tw = sorted && w > 1 ? w - 1 : w;
	size_t n = textsafe_fit(title, tw, NULL);
	snprintf(buf, sizeof(buf), "%.*s%s", (int)n, title, sorted ? sort_mark(desc) : "");
	put_cell(y, x, w, buf, right, u->style[sorted ? THEME_TITLE_SORTED : THEME_TITLE]);
}

/* ---- cells ---- */

static attr_t port_style(const struct ui *u, uint16_t port, attr_t base)
{
	static const enum theme_element by_class[] = {
		[PORT_WELL_KNOWN] = THEME_PORT_WELL_KNOWN,
		[PORT_REGISTERED] = THEME_PORT_REGISTERED,
		[PORT_EPHEMERAL] = THEME_PORT_EPHEMERAL,
	};
	return port ? u->style[by_class[port_class(port)]] : base;
}

/* "addr:port" with the port in its class's colour. When the cell is too
 * narrow the address is cut, never the port. */
static void put_endpoint(const struct ui *u, int y, int x, int w, const char *text,
                         uint16_t port, attr_t base, int colour)
{
	const char *colon = strrchr(text, ':');
	fill(y, x, w, base);
	if (!colon) {
		put_text(y, x, w, text, base);
		return;
	}
	int pw = textsafe_width(colon);
	int aw = textsafe_width(text) - pw;
	if (aw + pw > w && w > pw + 1) {
		char addr[96];
		size_t n = textsafe_fit(text, w - pw - 1, NULL);
		snprintf(addr, sizeof(addr), "%.*s~", (int)n, text);
		x += put_text(y, x, w - pw, addr, base);
	} else {
		char addr[96];
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - text), text);
		x += put_text(y, x, w, addr, base);
		w -= aw;
	}
	put_text(y, x, pw, colon, colour ? port_style(u, port, base) : base);
}

/* The host name of addr into buf (made safe) when names are shown and one
 * is known; 0 otherwise. */
static int draw_host_name(const struct ui *u, uint8_t family, const uint8_t *addr,
                          char *buf, size_t len)
{
	char raw[RESOLVER_NAME_MAX + 1];
	if (!u->show_names || !u->resolver)
		return 0;
	if (resolver_name(u->resolver, family, addr, timebase_mono(), raw, sizeof(raw))
	    != RESOLVER_FOUND)
		return 0;   /* pending or failed: the address shows meanwhile */
	textsafe_display(raw, strlen(raw), buf, len);
	return 1;
}

/* LOCAL or REMOTE as shown: the address, or its host name when names are
 * on and known; the port, or its service name when those are on. Names
 * from DNS and /etc/services are escaped like any text from the system. */
static void endpoint_text(const struct ui *u, const struct column_endpoint *ep,
                          char *buf, size_t len)
{
	uint16_t port = ep->port;
	char host[INET6_ADDRSTRLEN + 8], portbuf[128];
	const char *svc = u->show_services && port && u->services
	                ? services_name(u->services, port, ep->proto) : NULL;
	if (svc)
		textsafe_display(svc, strlen(svc), portbuf, sizeof(portbuf));
	else if (port)
		snprintf(portbuf, sizeof(portbuf), "%u", port);
	else
		snprintf(portbuf, sizeof(portbuf), "*");
	char name[256];
	if (draw_host_name(u, ep->family, ep->addr, name, sizeof(name))) {
		snprintf(buf, len, "%s:%s", name, portbuf);
		return;
	}
	sock_addr_str(ep->family, ep->addr, host, sizeof(host));
	snprintf(buf, len, ep->family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, portbuf);
}

/* One cell of a row. Plain rows colour their parts (a column's style,
 * the port's class); highlighted and selected rows are drawn in one style
 * so the highlight reads at a glance. */
static void draw_cell(const struct ui *u, int y, const struct layout_col *lc, int x0,
                      const void *cells, attr_t base, int plain)
{
	char cell[512];
	const struct column *col = lc->col;
	int x = x0 + lc->x;
	if (col->endpoint) {
		struct column_endpoint ep;
		col->endpoint(cells, &ep);
		endpoint_text(u, &ep, cell, sizeof(cell));
		put_endpoint(u, y, x, lc->w, cell, ep.port, base, plain);
		return;
	}
	if (col->fit)
		col->fit(cells, lc->w, cell, sizeof(cell));
	else
		col->format(cells, cell, sizeof(cell));
	attr_t a = plain && col->style ? u->style[col->style(cells)] : base;
	put_cell(y, x, lc->w, cell, col->right, a);
}

/* ---- panes ---- */

static attr_t row_style(const struct ui *u, enum view_highlight hl, int selected, int focused)
{
	if (selected)
		return u->style[focused ? THEME_SELECTION : THEME_SELECTION_UNFOCUSED];
	switch (hl) {
	case VIEW_HL_NEW: return u->style[THEME_NEW];
	case VIEW_HL_CHANGED: return u->style[THEME_CHANGED];
	case VIEW_HL_GONE: return u->style[THEME_GONE];
	default: return u->style[THEME_DEFAULT];
	}
}

static void draw_pane_header(struct ui *u, enum pane_id p, const struct rect *r,
                             const struct layout_col *cols, size_t ncols)
{
	const struct pane_kind *k = &pane_kinds[p];
	const char *fmt = k->title_grouped && view_proc_by_service(u->view) ? k->title_grouped
	                                                                   : k->title;
	char title[128];
	int desc;
	const struct column *sorted = view_sort(u->view, p, &desc);
	snprintf(title, sizeof(title), fmt, view_count(u->view, p));
	draw_pane_title(u, r, p, title);
	fill(r->y + 1, r->x, r->w, u->style[THEME_TITLE]);
	for (size_t c = 0; c < ncols; c++)
		draw_title_cell(u, r->y + 1, r->x + cols[c].x, cols[c].w, cols[c].col->title,
		                cols[c].col->right, cols[c].col == sorted, desc);
}

/* Any pane: its title, its columns' titles, and the rows in view. */
static void draw_pane(struct ui *u, enum pane_id p, const struct rect *r)
{
	struct layout_col cols[LAYOUT_COLS_MAX];
	size_t ncols = layout_columns(pane_kinds[p].columns, r->w,
	                              p == PANE_CONNECTIONS ? u->opts->columns : 0,
	                              view_seen(u->view), cols);
	draw_pane_header(u, p, r, cols, ncols);
	size_t top = view_top(u->view, p), sel = view_selected(u->view, p);
	for (int i = 0; i < r->h - 2; i++) {
		struct pane_row row;
		int y = r->y + 2 + i, selected = top + (size_t)i == sel;
		if (view_row(u->view, p, top + (size_t)i, &row) < 0) {
			fill(y, r->x, r->w, u->style[THEME_DEFAULT]);
			continue;
		}
		attr_t base = row_style(u, row.hl, selected, u->focus == p);
		fill(y, r->x, r->w, base);
		for (size_t c = 0; c < ncols; c++)
			draw_cell(u, y, &cols[c], r->x, row.cells, base,
			          !selected && row.hl == VIEW_HL_NONE);
	}
}

/* ---- footer and prompt ---- */

static void draw_footer(struct ui *u, unsigned pane)
{
	int y = LINES - 1, x = 0;
	struct keys_label labels[KEYS_FOOTER_MAX];
	size_t n = keys_footer_labels(pane, past_footer_flags(u), COLS, labels);
	fill(y, 0, COLS, u->style[THEME_FOOTER]);
	for (size_t i = 0; i < n; i++) {
		const struct keys_binding *b = labels[i].binding;
		x = labels[i].x;
		x += put_text(y, x, COLS - x, b->footer_key, u->style[THEME_FOOTER_KEY]);
		x += put_text(y, x, COLS - x, b->footer_word, u->style[THEME_FOOTER]);
		x += put_text(y, x, COLS - x, " ", u->style[THEME_FOOTER]);
	}
	if (u->message[0] && timebase_mono() < u->message_until && x + 4 < COLS) {
		char safe[512];
		textsafe_display(u->message, strlen(u->message), safe, sizeof(safe));
		int w = textsafe_width(safe);
		int at = COLS - w - 1 > x + 1 ? COLS - w - 1 : x + 1;
		put_text(y, at, COLS - at, safe, u->style[THEME_NOTE]);
	}
}

static void draw_confirm(struct ui *u)
{
	int y = LINES - 1;
	char safe[1024];
	textsafe_display(u->kill_text, strlen(u->kill_text), safe, sizeof(safe));
	fill(y, 0, COLS, u->style[THEME_PROMPT_ERROR]);
	put_text(y, 0, COLS, safe, u->style[THEME_PROMPT_ERROR]);
}

/* F9's menu on the footer line: the signals, the chosen one marked. */
static void draw_signal_menu(struct ui *u)
{
	int y = LINES - 1, x;
	char item[32];
	fill(y, 0, COLS, u->style[THEME_FOOTER]);
	x = put_text(y, 0, COLS, "Signal: ", u->style[THEME_FOOTER]);
	for (size_t i = 0; i < procsignal_count && x < COLS; i++) {
		snprintf(item, sizeof(item), "%zu%s", i + 1, procsignal_menu[i].name);
		x += put_text(y, x, COLS - x, item, u->style[i == u->signal_choice
		                                             ? THEME_SELECTION : THEME_FOOTER_KEY]);
		x += put_text(y, x, COLS - x, " ", u->style[THEME_FOOTER]);
	}
	put_text(y, x, COLS - x, " Enter chooses, Esc cancels", u->style[THEME_FOOTER]);
}

/* The filter's prompt or @'s. Returns the cursor's column. */
static int draw_prompt(struct ui *u)
{
	int y = LINES - 1;
	const char *label = u->mode == UI_TIME ? "Go to (03:12, 2026-12-06 03:12, -10m): "
	                                       : "Filter: ";
	struct prompt *pr = u->mode == UI_TIME ? u->time_prompt : u->prompt;
	int lw = (int)strlen(label);
	fill(y, 0, COLS, u->style[THEME_PROMPT]);
	put_text(y, 0, COLS, label, u->style[THEME_PROMPT]);
	int err_w = 0;
	char safe[512];
	if (u->prompt_error[0]) {
		textsafe_display(u->prompt_error, strlen(u->prompt_error), safe, sizeof(safe));
		err_w = textsafe_width(safe) + 2;
		if (err_w > (COLS - lw) / 2)
			err_w = (COLS - lw) / 2;
	}
	int field = COLS - lw - err_w;
	if (field < 1)
		field = 1;
	struct prompt_view v;
	prompt_view(pr, field, &v);
	attrset(u->style[THEME_PROMPT]);
	mvaddnstr(y, lw, v.text, (int)v.len);
	if (err_w)
		put_text(y, COLS - err_w + 1, err_w - 1, safe, u->style[THEME_PROMPT_ERROR]);
	return lw + v.cursor_col;
}

/* ---- details and help ---- */

static void draw_lines_title(struct ui *u, const char *title)
{
	struct rect r = { HEADER_LINES, 0, LINES - HEADER_LINES - 1, COLS };
	fill(r.y, 0, COLS, u->style[THEME_PANE_TITLE_FOCUSED]);
	put_text(r.y, 0, COLS, title, u->style[THEME_PANE_TITLE_FOCUSED]);
}

static void draw_details(struct ui *u)
{
	int rows = LINES - HEADER_LINES - 2;
	draw_lines_title(u, " Details  (Esc back, arrows choose a field, y copies it)");
	/* The selected line (y copies its value) stays in view. */
	if (u->details_sel >= u->details.n)
		u->details_sel = u->details.n ? u->details.n - 1 : 0;
	if (u->details_sel < u->details_top)
		u->details_top = u->details_sel;
	else if (rows > 0 && u->details_sel >= u->details_top + (size_t)rows)
		u->details_top = u->details_sel - (size_t)rows + 1;
	for (int i = 0; i < rows; i++) {
		int y = HEADER_LINES + 1 + i;
		size_t k = u->details_top + (size_t)i;
		fill(y, 0, COLS, u->style[THEME_DEFAULT]);
		if (k >= u->details.n)
			continue;
		const struct details_line *l = &u->details.lines[k];
		attr_t a = u->style[k == u->details_sel ? THEME_SELECTION : THEME_DEFAULT];
		put_text(y, 1, 15, l->label, u->style[THEME_DETAILS_LABEL]);
		fill(y, 17, COLS - 18, a);
		put_text(y, 17, COLS - 18, l->value, a);
	}
}

/* The help screen's lines: keys from the key table, then port classes,
 * the kernel's local range and the colours. */
static size_t help_lines(struct ui *u, char lines[][160], enum theme_element *styles,
                         size_t max)
{
	size_t n = 0, it = 0;
	char keys[64];
	const struct keys_binding *b;
#define HELP_LINE(st, ...) do { if (n < max) { snprintf(lines[n], 160, __VA_ARGS__); \
		styles[n++] = (st); } } while (0)
	HELP_LINE(THEME_DETAILS_LABEL, "Keys");
	while ((b = keys_help(KEYS_PANE_ALL, &it, keys, sizeof(keys))))
		if ((!keys_writes(b) || !u->opts->read_only) && !keys_moves_time(b))
			HELP_LINE(THEME_DEFAULT, "  %-18s %s", keys, b->help);
	if (u->mouse)
		HELP_LINE(THEME_DEFAULT, "  %-18s %s", "mouse", "click a row, title, pane or footer "
		          "label; double-click opens; Shift-drag still selects text in most terminals");
	HELP_LINE(THEME_DEFAULT, "%s", "");
	HELP_LINE(THEME_DETAILS_LABEL, "Port colours (IANA classes)");
	HELP_LINE(THEME_PORT_WELL_KNOWN, "  well-known   0-1023");
	HELP_LINE(THEME_PORT_REGISTERED, "  registered   1024-49151");
	HELP_LINE(THEME_PORT_EPHEMERAL, "  ephemeral    49152-65535");
	if (u->range_hi)
		HELP_LINE(THEME_DEFAULT, "  the kernel picks local ports from %u-%u "
		          "(/proc/sys/net/ipv4/ip_local_port_range)", u->range_lo, u->range_hi);
	HELP_LINE(THEME_DEFAULT, "%s", "");
	HELP_LINE(THEME_DETAILS_LABEL, "Filters (all terms must match; ! negates; commas mean any)");
	HELP_LINE(THEME_DEFAULT, "  port:443 port:8000-8080 port:ephemeral lport: rport:");
	HELP_LINE(THEME_DEFAULT, "  state:listen,time-wait state:connected proto:tcp ipv4 ipv6");
	HELP_LINE(THEME_DEFAULT, "  proc:nginx proc:/^(nginx|php)/ pid:1234 user:www-data");
	HELP_LINE(THEME_DEFAULT, "  addr:10.0.0.0/8 laddr: raddr:   bare: 443, listen, nginx");
	HELP_LINE(THEME_DEFAULT, "%s", "");
	HELP_LINE(THEME_DETAILS_LABEL, "Looking back (%s)", u->opts->replay ? "a recording"
	          : u->opts->record ? "as far as the recording goes" : "the last 10 minutes");
	for (it = 0; (b = keys_help(KEYS_PANE_ALL, &it, keys, sizeof(keys)));)
		if (keys_moves_time(b))
			HELP_LINE(THEME_DEFAULT, "  %-18s %s", keys, b->help);
	HELP_LINE(THEME_DEFAULT, "  %-18s %s", "End", "back to the present; K and F9 act only there");
	HELP_LINE(THEME_DEFAULT, "%s", "");
	HELP_LINE(THEME_DETAILS_LABEL, "Rates (TX/s, RX/s)");
	HELP_LINE(THEME_DEFAULT, "  bytes acknowledged and received per second, from the kernel's");
	HELP_LINE(THEME_DEFAULT, "  tcp_info counters between two polls; blank for UDP and before a");
	HELP_LINE(THEME_DEFAULT, "  socket's second poll. A socket shared by several processes counts");
	HELP_LINE(THEME_DEFAULT, "  once per process group (for its lowest pid there), so a pre-forked");
	HELP_LINE(THEME_DEFAULT, "  server's traffic is not counted once per worker.");
	HELP_LINE(THEME_DEFAULT, "%s", "");
	HELP_LINE(THEME_DETAILS_LABEL, "Row colours (for %g s)", u->opts->linger);
	HELP_LINE(THEME_NEW, "  new socket");
	HELP_LINE(THEME_CHANGED, "  state changed");
	HELP_LINE(THEME_GONE, "  closed (kept a moment)");
	HELP_LINE(THEME_DEFAULT, "%s", "");
	HELP_LINE(THEME_DETAILS_LABEL, "Privileges (given up once set up)");
	HELP_LINE(THEME_DEFAULT, "  capabilities kept: %.120s", u->privs.kept);
	if (u->privs.landlock_abi)
		HELP_LINE(THEME_DEFAULT, "  files: Landlock (ABI %d) allows only the reads and "
		          "writes sockeye needs", u->privs.landlock_abi);
	if (u->privs.nowrite)
		HELP_LINE(THEME_DEFAULT, "  collection thread: seccomp refuses it every file write");
	if (u->privs.note[0])
		HELP_LINE(THEME_DEFAULT, "  %.150s", u->privs.note);
#undef HELP_LINE
	return n;
}

static void draw_help(struct ui *u)
{
	char lines[96][160];
	enum theme_element styles[96];
	size_t n = help_lines(u, lines, styles, 96);
	int rows = LINES - HEADER_LINES - 2;
	draw_lines_title(u, " Help  (Esc or q closes)");
	size_t max_top = n > (size_t)rows ? n - (size_t)rows : 0;
	if (u->help_top > max_top)
		u->help_top = max_top;
	for (int i = 0; i < rows; i++) {
		int y = HEADER_LINES + 1 + i;
		size_t k = u->help_top + (size_t)i;
		fill(y, 0, COLS, u->style[THEME_DEFAULT]);
		if (k < n)
			put_text(y, 1, COLS - 2, lines[k], u->style[styles[k]]);
	}
}

/* ---- the whole screen ---- */

static void draw_too_small(void)
{
	char msg[96];
	erase();
	snprintf(msg, sizeof(msg), "sockeye needs %dx%d, this is %dx%d", LAYOUT_MIN_COLS,
	         LAYOUT_MIN_LINES, COLS, LINES);
	attrset(A_NORMAL);
	mvaddnstr(LINES / 2, 0, msg, COLS);
}

/* The panes, with a rule between two side by side. */
static void draw_body(struct ui *u, const struct rect r[PANE_COUNT])
{
	for (int p = 0; p < PANE_COUNT; p++)
		if (r[p].h)
			draw_pane(u, (enum pane_id)p, &r[p]);
	for (int p = 1; p < PANE_COUNT; p++)
		if (r[p].h && r[p - 1].h && r[p].y == r[p - 1].y) {
			attrset(u->style[THEME_DEFAULT]);
			mvvline(r[p].y, r[p].x - 1, ACS_VLINE, r[p].h);
		}
}

void draw_screen(struct ui *u, double now)
{
	struct rect r[PANE_COUNT];
	if (layout_too_small(COLS, LINES)) {
		draw_too_small();
		refresh();
		return;
	}
	layout(u, r);
	draw_set_heights(u, r);
	/* A moment of the past is drawn as it was then: ages, highlights. */
	double m = past_moment(u);
	if (view_refresh(u->view, m > 0 ? m : now) < 0)
		snprintf(u->message, sizeof(u->message), "out of memory");
	draw_header_line0(u, now);
	draw_header_counts(u);
	draw_header_filter(u);
	if (u->mode == UI_DETAILS)
		draw_details(u);
	else if (u->mode == UI_HELP)
		draw_help(u);
	else
		draw_body(u, r);   /* UI_LIST, UI_PROMPT, UI_CONFIRM */
	int cursor = -1;
	if (u->mode == UI_PROMPT || u->mode == UI_TIME)
		cursor = draw_prompt(u);
	else if (u->mode == UI_CONFIRM)
		draw_confirm(u);
	else if (u->mode == UI_SIGNAL)
		draw_signal_menu(u);
	else
		draw_footer(u, u->mode == UI_DETAILS ? KEYS_PANE_DETAILS
		               : u->mode == UI_HELP ? KEYS_PANE_HELP
		               : (unsigned)(1u << u->focus));
	/* With the cursor hidden, leave it wherever drawing ended rather than
	 * spend bytes moving it back on every refresh. */
	leaveok(stdscr, cursor < 0);
	if (cursor >= 0) {
		move(LINES - 1, cursor);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}
