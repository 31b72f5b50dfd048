/* ui.c — the monitor's event loop and what each key does. One poll() waits
 * on the keyboard and the next collection, so typing is answered between
 * polls and a poll never waits for a key. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clipboard.h"
#include "config_file.h"
#include "draw.h"
#include "keys.h"
#include "privs.h"
#include "layout.h"
#include "mouse.h"
#include "past.h"
#include "replay.h"
#include "procsignal.h"
#include "screen.h"
#include "spark.h"
#include "textsafe.h"
#include "timebase.h"
#include "trends.h"
#include "ui.h"

/* Set by SIGINT, SIGTERM and SIGHUP (an ssh session dropping): the loop
 * leaves and the terminal is restored. */
static volatile sig_atomic_t ui_stop;

static void ui_on_signal(int sig)
{
	(void)sig;
	ui_stop = 1;
}

/* Set by SIGTSTP (Ctrl-Z) while the mouse is on: the loop turns mouse
 * reports off before stopping, so the shell gets its clicks back. */
static volatile sig_atomic_t ui_suspend;

static void ui_on_suspend(int sig)
{
	(void)sig;
	ui_suspend = 1;
}

static void ui_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ui_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void ui_message(struct ui *u, const char *text)
{
	snprintf(u->message, sizeof(u->message), "%s", text);
	u->message_until = timebase_mono() + 5;
}

/* ---- the filter in force ---- */

/* The text of the filter in force, kept in u->filter_shown for the header. */
static const char *ui_filter_in_force(struct ui *u)
{
	const char *extra = u->listen == UI_LISTEN_ONLY ? "state:listen"
	                  : u->listen == UI_LISTEN_HIDE ? "!state:listen" : "";
	snprintf(u->filter_shown, sizeof(u->filter_shown), "%s%s%s", u->filter_text,
	         *u->filter_text && *extra ? " " : "", extra);
	return u->filter_shown;
}

/* Compiles text plus the listen shortcut; on success it is in force. On a
 * parse error nothing changes and err says why. */
static int ui_set_filter(struct ui *u, const char *text, enum ui_listen listen,
                         char *err, size_t errlen)
{
	char *copy = strdup(text);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char *old_text = u->filter_text;
	enum ui_listen old_listen = u->listen;
	u->filter_text = copy;
	u->listen = listen;
	struct filter *f = NULL;
	if (filter_compile(ui_filter_in_force(u), &f, err, errlen) < 0) {
		free(copy);
		u->filter_text = old_text;
		u->listen = old_listen;
		ui_filter_in_force(u);
		return -1;
	}
	view_set_filter(u->view, f);
	if (u->live && u->live != u->view)
		view_set_filter(u->live, f);
	filter_free(u->filter);
	u->filter = f;
	free(old_text);
	return 0;
}

/* ---- polling: the worker collects, this thread applies ---- */

/* Not root, another user's socket with no owner means their processes
 * are out of sight, even where none was seen and refused: /proc mounted
 * with hidepid=2 hides them altogether. Timewait sockets (TIME_WAIT, and
 * FIN_WAIT2 once closed) and request sockets belong to no process at all
 * and do not count. */
static int ui_others_unowned(const struct ui *u, const struct sock_table *t)
{
	uid_t me = getuid();
	if (u->sees_all_owners)
		return 0;
	for (size_t i = 0, n = sock_table_count(t); i < n; i++) {
		const struct sock_entry *e = sock_table_at(t, i);
		if (!e->nowners && e->rec.uid != me && !e->rec.timewait &&
		    e->rec.state != SOCK_ST_TIME_WAIT &&
		    e->rec.state != SOCK_ST_NEW_SYN_RECV && e->rec.state != SOCK_ST_SYN_RECV)
			return 1;
	}
	return 0;
}

static void ui_apply(struct ui *u, int rc, double when, const char *why)
{
	char err[512];
	struct sock_events ev;
	sock_events_init(&ev);
	/* The first poll is the baseline: what exists at start is not news. */
	struct sock_events *log = u->polled ? &ev : NULL;
	cmdlines_forget(u->cmdlines);   /* a process may have run exec since */
	if (rc < 0 || poller_apply(u->poller, when, log, err, sizeof(err)) < 0) {
		ui_message(u, rc < 0 ? why : err);
	} else {
		if (view_poll(u->live, poller_table(u->poller), log, when) < 0)
			ui_message(u, "out of memory: some events are missing");
		else
			u->polled = 1;
		past_record(u, poller_table(u->poller), log, when);
	}
	const char *note = poller_take_note(u->poller);
	if (note)
		ui_message(u, note);
	snprintf(u->source, sizeof(u->source), "%s", poller_source_name(u->poller));
	const char *degraded = poller_degraded(u->poller);
	snprintf(u->source_note, sizeof(u->source_note), "%s", degraded ? degraded : "");
	u->unreadable = procmap_unreadable(poller_procmap(u->poller));
	u->others_unowned = ui_others_unowned(u, poller_table(u->poller));
	u->polled_at = when;
	/* Behind the past the live view is refreshed all the same: its GONE
	 * rows expire as they would on the screen rather than pile up. */
	if (u->view == u->live)
		ui_details_follow(u);
	else if (view_refresh(u->live, when) < 0)
		ui_message(u, "out of memory");
	u->dirty = 1;
	sock_events_free(&ev);
}

static void ui_collected(struct ui *u)
{
	int rc;
	double when;
	char err[512];
	if (worker_take(&u->worker, &rc, &when, err, sizeof(err)))
		ui_apply(u, rc, when, err);
}

/* ---- panes ---- */

/* Whether the config file's `panes` shows p (all when it does not say). */
static int ui_pane_shown(const struct ui *u, enum pane_id p)
{
	return !u->opts->panes || (u->opts->panes & (1u << p));
}

/* The next shown pane from the focus, forward (step 1) or back. */
static enum pane_id ui_pane_step(const struct ui *u, int step)
{
	enum pane_id p = u->focus;
	for (int i = 0; i < PANE_COUNT; i++) {
		p = (enum pane_id)((p + PANE_COUNT + step) % PANE_COUNT);
		if (ui_pane_shown(u, p))
			return p;
	}
	return u->focus;
}

/* t: the Trends pane, and again back to the pane it was opened from. */
static void ui_trends_toggle(struct ui *u)
{
	if (u->focus != PANE_TRENDS) {
		u->before_trends = u->focus;
		u->focus = PANE_TRENDS;
	} else if (ui_pane_shown(u, u->before_trends)) {
		u->focus = u->before_trends;
	} else {
		u->focus = ui_pane_step(u, 1);
	}
}

/* ---- details ---- */

/* The time the panes show: the moment in the past, else now. */
static double ui_now(const struct ui *u)
{
	double m = past_moment(u);
	return m > 0 ? m : timebase_epoch();
}

/* Where a process's command line is read: none in a replay. */
static const struct procmap *ui_procmap(const struct ui *u)
{
	return u->poller ? poller_procmap(u->poller) : NULL;
}

/* In the past, command lines as they were recorded; NULL in the present. */
static const struct column_cmdlines *ui_recorded_cmdlines(const struct ui *u)
{
	return past_moment(u) > 0 ? history_cmdlines(u->history) : NULL;
}

/* The histories the Trends series keep for the socket and its owner. */
static void ui_details_history(struct ui *u, struct details_source *src)
{
	const struct trends *tr = view_trends(u->view);
	const struct trends_proc *p = src->nowners
		? trends_proc(tr, src->owners[0].pid, src->owners[0].starttime) : NULL;
	src->rate_hist = &tr->watch.rate;
	src->rtt_hist = &tr->watch.rtt;
	src->owner_hist = p ? &p->s : NULL;
	src->span = trends_span(tr, TRENDS_WINDOW);
	src->ascii = tr->ascii;
}

/* Builds the details of the socket a row is about (c): from its live
 * entry e when it is still there, else as last seen. */
static void ui_details_from(struct ui *u, const struct column_row *c,
                            const struct sock_entry *e)
{
	struct details_source src = {
		.rec = c->rec, .owners = c->owners, .nowners = c->nowners,
		.owners_was = c->owners_was, .nowners_was = c->nowners_was,
		.first_seen = c->first_seen, .now = ui_now(u), .gone = 1,
		.pm = ui_procmap(u), .cmdlines = ui_recorded_cmdlines(u), .services = u->services,
		.range_lo = u->range_lo, .range_hi = u->range_hi,
	};
	if (e) {
		src.rec = &e->rec;
		src.owners = e->owners;
		src.nowners = e->nowners;
		src.owners_was = e->owners_was;
		src.nowners_was = e->nowners_was;
		src.first_seen = e->first_seen;
		src.state_since = e->state_since;
		src.gone = 0;
		src.tx_rate = e->tx_rate;
		src.rx_rate = e->rx_rate;
		src.has_rate = e->has_rate;
	}
	ui_details_history(u, &src);
	if (details_build(&u->details, &src) < 0)
		ui_message(u, "out of memory building the details");
}

/* The details of the socket a row is about, followed while it lives. */
static void ui_details_socket(struct ui *u, const struct column_row *c)
{
	const struct sock_entry *e = sock_table_find(past_table(u), c->rec);
	view_trends_watch(u->view, c->rec);
	u->details_pid = 0;
	u->details_rec = *c->rec;
	u->details_live = e != NULL;
	ui_details_from(u, c, e);
	u->details_top = u->details_sel = 0;
	u->mode = UI_DETAILS;
}

/* The details of a process the Trends pane follows; 0, or -1 when the
 * series let it go. */
static int ui_details_process(struct ui *u, int pid, unsigned long long start)
{
	const struct trends *tr = view_trends(u->view);
	const struct trends_proc *p = trends_proc(tr, pid, start);
	if (!p)
		return -1;
	struct details_process src = {
		.pid = pid, .starttime = start, .comm = p->comm, .pm = ui_procmap(u),
		.cmdlines = ui_recorded_cmdlines(u),
		.hist = &p->s, .span = trends_span(tr, TRENDS_WINDOW),
		.minute = trends_span(tr, 60), .ascii = tr->ascii,
	};
	if (details_build_process(&u->details, &src) < 0)
		ui_message(u, "out of memory building the details");
	u->details_pid = pid;
	u->details_start = start;
	return 0;
}

/* Poll by poll, or moment by moment, while the socket lives. */
void ui_details_follow(struct ui *u)
{
	const struct sock_entry *e;
	if (u->mode == UI_DETAILS && u->details_pid > 0)
		ui_details_process(u, u->details_pid, u->details_start);
	if (u->mode != UI_DETAILS || !u->details_live)
		return;
	e = sock_table_find(past_table(u), &u->details_rec);
	if (e) {
		struct column_row c = { .rec = &e->rec };
		ui_details_from(u, &c, e);
	}
}

/* Enter on a process of the Trends pane: its details and history. */
static void ui_details_trend(struct ui *u, const struct trend_row *t)
{
	if (t->pid <= 0 || ui_details_process(u, t->pid, t->starttime) < 0)
		return;
	u->details_live = 0;
	u->details_top = u->details_sel = 0;
	u->mode = UI_DETAILS;
}

/* Enter on a row about a socket opens its details; on a process, narrows
 * Connections to it. */
static void ui_open_details(struct ui *u)
{
	struct pane_row r;
	size_t sel = view_selected(u->view, u->focus);
	if (sel == VIEW_NONE || view_row(u->view, u->focus, sel, &r) < 0)
		return;
	if (r.sock.rec) {
		ui_details_socket(u, &r.sock);
	} else if (u->focus == PANE_TRENDS) {
		ui_details_trend(u, r.cells);
	} else if (r.proc) {
		view_conn_narrow(u->view, r.proc->pid, r.proc->starttime);
		if (ui_pane_shown(u, PANE_CONNECTIONS))
			u->focus = PANE_CONNECTIONS;
	}
}

/* ---- closing a connection (K) ---- */

static void ui_ask_kill(struct ui *u)
{
	struct pane_row r;
	size_t sel = view_selected(u->view, PANE_CONNECTIONS);
	if (u->focus != PANE_CONNECTIONS || sel == VIEW_NONE ||
	    view_row(u->view, PANE_CONNECTIONS, sel, &r) < 0)
		return;
	if (r.hl == VIEW_HL_GONE) {
		ui_message(u, "that connection is already closed");
		return;
	}
	char local[96], remote[96], owner[256] = "", why[160];
	const struct sock_rec *rec = r.sock.rec;
	if (!privs_may_close(rec->uid, why, sizeof(why))) {
		ui_message(u, why);
		return;
	}
	sock_endpoint_str(rec->family, rec->laddr, rec->lport, local, sizeof(local));
	sock_endpoint_str(rec->family, rec->raddr, rec->rport, remote, sizeof(remote));
	if (r.sock.nowners)
		columns_process->format(&r.sock, owner, sizeof(owner));
	snprintf(u->kill_text, sizeof(u->kill_text), "Close %s %s %s -> %s%s%s? y/N",
	         sock_proto_name(rec->proto), sock_state_name(rec->proto, rec->state),
	         local, remote, *owner ? " held by " : "", owner);
	u->kill_rec = *rec;
	u->mode = UI_CONFIRM;
}

/* The Events pane records who closed what: the socket as last seen, its
 * holders, and the user sockeye runs as. */
static void ui_log_close(struct ui *u)
{
	struct sock_event e;
	struct passwd pw, *found = NULL;
	char pwbuf[1024];
	memset(&e, 0, sizeof(e));
	e.type = SOCK_EV_CLOSED;
	e.time = timebase_epoch();
	e.rec = u->kill_rec;
	const struct sock_entry *entry = sock_table_find(poller_table(u->poller), &u->kill_rec);
	if (entry) {
		e.owners = entry->owners;
		e.nowners = entry->nowners;
	}
	if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 && found)
		snprintf(e.by, sizeof(e.by), "%s", found->pw_name);
	else
		snprintf(e.by, sizeof(e.by), "uid %u", (unsigned)geteuid());
	if (view_events_log(u->live, &e) < 0)
		ui_message(u, "out of memory: the close is not in the Events pane");
}

/* SOCK_DESTROY goes out on the poller's netlink socket, which a running
 * collection is using: let it finish and apply it first. */
static void ui_kill(struct ui *u)
{
	char err[512], local[96], remote[96];
	if (worker_busy(&u->worker)) {
		worker_wait(&u->worker);
		ui_collected(u);
	}
	sock_endpoint_str(u->kill_rec.family, u->kill_rec.laddr, u->kill_rec.lport,
	                  local, sizeof(local));
	sock_endpoint_str(u->kill_rec.family, u->kill_rec.raddr, u->kill_rec.rport,
	                  remote, sizeof(remote));
	/* Asked again here: the confirmation may outlive a change of owner. */
	if (!privs_may_close(u->kill_rec.uid, err, sizeof(err))) {
		ui_message(u, err);
		return;
	}
	privs_raise(PRIVS_CLOSE);
	int rc = poller_destroy(u->poller, &u->kill_rec, err, sizeof(err));
	privs_lower();
	if (rc < 0) {
		ui_message(u, err);
		return;
	}
	snprintf(err, sizeof(err), "closed %s -> %s", local, remote);
	ui_message(u, err);
	ui_log_close(u);
	u->next_poll = timebase_mono();   /* show the result at once */
}

static void ui_signal_send(struct ui *u);

static void ui_confirm_key(struct ui *u, int key)
{
	u->mode = UI_LIST;
	if ((key == 'y' || key == 'Y') && u->confirm_signal)
		ui_signal_send(u);
	else if (key == 'y' || key == 'Y')
		ui_kill(u);
	u->confirm_signal = 0;
}

/* ---- signals (F9) ---- */

/* The processes the selected row is about: a socket's owners, or one
 * process (not a service: it is many). */
static size_t ui_signal_targets(struct ui *u)
{
	struct pane_row r;
	size_t sel = view_selected(u->view, u->focus);
	u->nsignal_to = 0;
	if (sel == VIEW_NONE || view_row(u->view, u->focus, sel, &r) < 0)
		return 0;
	if (u->focus == PANE_CONNECTIONS && r.sock.rec) {
		size_t room = sizeof u->signal_to / sizeof u->signal_to[0];
		for (size_t i = 0; i < r.sock.nowners && u->nsignal_to < room; i++)
			u->signal_to[u->nsignal_to++] = r.sock.owners[i];
	} else if (u->focus == PANE_PROCESSES && r.proc && r.proc->pid > 0) {
		struct sock_owner *o = &u->signal_to[u->nsignal_to++];
		memset(o, 0, sizeof(*o));
		o->pid = r.proc->pid;
		o->starttime = r.proc->starttime;
		memcpy(o->comm, r.proc->comm, sizeof(o->comm));
	}
	return u->nsignal_to;
}

static void ui_signal_open(struct ui *u)
{
	if (!ui_signal_targets(u)) {
		ui_message(u, u->focus == PANE_PROCESSES ? "no process selected (a service is "
		           "many: press g to list processes)" : "no process is known to hold that socket");
		return;
	}
	u->signal_choice = 0;
	u->mode = UI_SIGNAL;
}

/* Appends "sep text" to buf (len bytes), cutting where it is full. */
static void ui_append(char *buf, size_t len, const char *sep, const char *text)
{
	size_t n = strlen(buf);
	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? sep : "", text);
}

/* "1234 (nginx), 1240 (nginx)" into buf. */
static void ui_signal_pids(const struct ui *u, char *buf, size_t len)
{
	char one[64];
	buf[0] = '\0';
	for (size_t i = 0; i < u->nsignal_to; i++) {
		snprintf(one, sizeof one, "%d (%s)", u->signal_to[i].pid, u->signal_to[i].comm);
		ui_append(buf, len, ", ", one);
	}
}

static void ui_signal_ask(struct ui *u)
{
	char pids[400];
	const struct procsignal_choice *c = &procsignal_menu[u->signal_choice];
	ui_signal_pids(u, pids, sizeof(pids));
	snprintf(u->kill_text, sizeof(u->kill_text), "Send SIG%s to %s? y/N", c->name, pids);
	u->confirm_signal = c->sig;
	u->mode = UI_CONFIRM;
}

static void ui_signal_key(struct ui *u, int key)
{
	size_t n = procsignal_count;
	if (key == KEY_LEFT || key == KEY_UP)
		u->signal_choice = (u->signal_choice + n - 1) % n;
	else if (key == KEY_RIGHT || key == KEY_DOWN || key == '\t')
		u->signal_choice = (u->signal_choice + 1) % n;
	else if (key >= '1' && key < '1' + (int)n) {
		u->signal_choice = (size_t)(key - '1');
		ui_signal_ask(u);
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER)
		ui_signal_ask(u);
	else if (key == 27 || key == 'q' || key == KEY_F(9) || key == KEY_F(10))
		u->mode = UI_LIST;
}

/* "SIGTERM" for a signal of the menu. */
static const char *ui_signal_name(int sig)
{
	for (size_t i = 0; i < procsignal_count; i++)
		if (procsignal_menu[i].sig == sig)
			return procsignal_menu[i].name;
	return "?";
}

/* No capability is raised: kill(2)'s own checks decide, and a pid that
 * is no longer the process seen is left alone (procsignal_send). */
static void ui_signal_send(struct ui *u)
{
	char sent[200] = "", failed[300] = "", one[160], msg[sizeof u->message];
	const char *name = ui_signal_name(u->confirm_signal);
	for (size_t i = 0; i < u->nsignal_to; i++) {
		const struct sock_owner *o = &u->signal_to[i];
		int e = procsignal_send("/proc", o->pid, o->starttime, u->confirm_signal);
		snprintf(one, sizeof one, "%d", o->pid);
		if (!e) {
			ui_append(sent, sizeof sent, " ", one);
			continue;
		}
		snprintf(one, sizeof one, "%d: %s", o->pid,
		         e == ESRCH ? "gone (or its pid reused)" : strerror(e));
		ui_append(failed, sizeof failed, ", ", one);
	}
	msg[0] = '\0';
	if (*sent)
		snprintf(msg, sizeof msg, "sent SIG%s to %s", name, sent);
	if (*failed) {
		snprintf(one, sizeof one, "SIG%s failed for ", name);
		ui_append(msg, sizeof msg, "; ", one);
		ui_append(msg, sizeof msg, "", failed);
	}
	ui_message(u, msg);
	u->next_poll = timebase_mono();   /* show the result at once */
}

/* ---- copying (y) ---- */

static size_t ui_pane_columns(const struct ui *u, struct layout_col out[LAYOUT_COLS_MAX]);

/* The selected row's text, or the details' selected value; "" none. */
static void ui_copy_text(struct ui *u, char *buf, size_t len)
{
	struct pane_row r;
	buf[0] = '\0';
	if (u->mode == UI_DETAILS) {
		if (u->details_sel < u->details.n)
			snprintf(buf, len, "%s", u->details.lines[u->details_sel].value);
		return;
	}
	size_t sel = view_selected(u->view, u->focus);
	if (sel == VIEW_NONE || view_row(u->view, u->focus, sel, &r) < 0)
		return;
	if (u->focus == PANE_CONNECTIONS && r.sock.rec) {
		clipboard_socket_text(&r.sock, buf, len);
		return;
	}
	struct layout_col cols[LAYOUT_COLS_MAX];
	size_t n = ui_pane_columns(u, cols);
	clipboard_cells_text(cols, n, r.cells, buf, len);
}

static void ui_copy(struct ui *u)
{
	char text[CLIPBOARD_TEXT_MAX], seq[CLIPBOARD_TEXT_MAX * 2], msg[200];
	ui_copy_text(u, text, sizeof(text));
	size_t n = *text ? clipboard_osc52(text, seq, sizeof(seq)) : 0;
	if (!n) {
		ui_message(u, *text ? "too long to copy" : "nothing selected to copy");
		return;
	}
	screen_send(seq, n);
	snprintf(msg, sizeof(msg), "copied: %.150s", text);
	ui_message(u, msg);
}

/* ---- host names ---- */

/* Lookups run on the resolver's threads; it is started the first time
 * names are asked for, so a user who never wants them never pays. */
static void ui_toggle_names(struct ui *u)
{
	char err[256];
	if (!u->show_names && !u->resolver) {
		u->resolver = resolver_new(NULL, err, sizeof(err));
		if (!u->resolver) {
			ui_message(u, err);
			return;
		}
	}
	u->show_names = !u->show_names;
}

/* ---- sorting ---- */

/* The columns the focused pane draws: s cycles through these, so rows
 * are never ordered by something the user cannot see. */
static size_t ui_pane_columns(const struct ui *u, struct layout_col out[LAYOUT_COLS_MAX])
{
	struct layout_rect r[PANE_COUNT];
	layout_panes_shown(COLS, LINES, u->focus, u->opts->panes, r);
	return layout_columns(pane_kinds[u->focus].columns, r[u->focus].w,
	                      u->focus == PANE_CONNECTIONS ? u->opts->columns : 0,
	                      view_seen(u->view), out);
}

static void ui_sort(struct ui *u, int next)
{
	int desc;
	const struct column *c = view_sort(u->view, u->focus, &desc);
	if (!next) {
		if (c)
			view_set_sort(u->view, u->focus, c, !desc);
		return;
	}
	struct layout_col shown[LAYOUT_COLS_MAX];
	size_t n = ui_pane_columns(u, shown), next_i = 0;
	for (size_t i = 0; i < n; i++)
		if (shown[i].col == c)
			next_i = (i + 1) % n;
	if (n)
		view_set_sort(u->view, u->focus, shown[next_i].col, 0);
}

/* ---- saving the settings (W) ---- */

/* "name" or "name:desc" into buf; "" when the pane is unsorted. */
static const char *ui_sort_str(const char *name, int desc, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", name ? name : "", name && desc ? ":desc" : "");
	return buf;
}

static void ui_save(struct ui *u)
{
	char conn[64], proc[64], events[64], err[sizeof u->message];
	int dc, dp, de;
	const struct column *c = view_sort(u->view, PANE_CONNECTIONS, &dc);
	const struct column *p = view_sort(u->view, PANE_PROCESSES, &dp);
	const struct column *e = view_sort(u->view, PANE_EVENTS, &de);
	struct config_file_settings s = {
		.interval = u->opts->interval, .linger = u->opts->linger,
		.theme = u->opts->theme,
		.sort = ui_sort_str(c ? c->name : NULL, dc, conn, sizeof conn),
		.sort_processes = ui_sort_str(p ? p->name : NULL, dp, proc, sizeof proc),
		.sort_events = ui_sort_str(e ? e->name : NULL, de, events, sizeof events),
		.filter = ui_filter_in_force(u),
		.columns = u->opts->columns, .panes = u->opts->panes,
		.resolve = u->show_names,
		.mouse = u->mouse,
	};
	if (!u->opts->config_path)
		ui_message(u, "not saved: no home directory to keep a config file in");
	else if (config_file_save(u->opts->config_path, &s, err, sizeof err) < 0)
		ui_message(u, err);
	else {
		snprintf(err, sizeof err, "settings saved to %s", u->opts->config_path);
		ui_message(u, err);
	}
}

/* ---- keys ---- */

static unsigned ui_key_pane(const struct ui *u)
{
	if (u->mode == UI_DETAILS)
		return KEYS_PANE_DETAILS;
	if (u->mode == UI_HELP)
		return KEYS_PANE_HELP;
	return 1u << u->focus;
}

static void ui_move(struct ui *u, enum view_move m)
{
	if (u->mode == UI_DETAILS || u->mode == UI_HELP) {
		size_t *top = u->mode == UI_DETAILS ? &u->details_sel : &u->help_top;
		size_t page = LINES > 8 ? (size_t)LINES - 6 : 1;
		switch (m) {
		case VIEW_MOVE_UP: *top = *top ? *top - 1 : 0; break;
		case VIEW_MOVE_DOWN: (*top)++; break;
		case VIEW_MOVE_PAGE_UP: *top = *top > page ? *top - page : 0; break;
		case VIEW_MOVE_PAGE_DOWN: *top += page; break;
		case VIEW_MOVE_HOME: *top = 0; break;
		case VIEW_MOVE_END: *top = (size_t)-1 / 2; break;
		}
		return;   /* draw.c clamps top to the content */
	}
	view_move(u->view, u->focus, m);
}

static void ui_listen_toggle(struct ui *u, enum ui_listen want)
{
	char err[256];
	enum ui_listen next = u->listen == want ? UI_LISTEN_ALL : want;
	if (ui_set_filter(u, u->filter_text, next, err, sizeof(err)) < 0)
		ui_message(u, err);
}

static void ui_open_prompt(struct ui *u)
{
	free(u->prompt_saved);
	u->prompt_saved = strdup(u->filter_text);
	u->prompt_saved_listen = u->listen;
	prompt_begin(u->prompt, ui_filter_in_force(u));
	u->prompt_error[0] = '\0';
	u->mode = UI_PROMPT;
}

/* @: a time, typed like --at. */
static void ui_open_time(struct ui *u)
{
	prompt_begin(u->time_prompt, "");
	u->prompt_error[0] = '\0';
	u->mode = UI_TIME;
}

static void ui_time_result(struct ui *u, enum prompt_result r)
{
	char err[256];
	if (r == PROMPT_CANCEL) {
		u->mode = UI_LIST;
	} else if (r == PROMPT_EDITED) {
		u->prompt_error[0] = '\0';
	} else if (r == PROMPT_APPLY) {
		/* A time that does not parse keeps the prompt, saying why. */
		if (past_goto(u, prompt_text(u->time_prompt), err, sizeof(err)) < 0)
			snprintf(u->prompt_error, sizeof(u->prompt_error), "%s", err);
		else
			u->mode = UI_LIST;
	}
}

static void ui_back(struct ui *u)
{
	int pid;
	unsigned long long start;
	if (u->mode != UI_LIST)
		u->mode = UI_LIST;
	else if (view_conn_narrowed(u->view, &pid, &start))
		view_conn_narrow(u->view, 0, 0);
}

static void ui_action(struct ui *u, enum keys_action a)
{
	static const enum view_move moves[] = {
		[KEYS_UP] = VIEW_MOVE_UP, [KEYS_DOWN] = VIEW_MOVE_DOWN,
		[KEYS_PGUP] = VIEW_MOVE_PAGE_UP, [KEYS_PGDN] = VIEW_MOVE_PAGE_DOWN,
		[KEYS_HOME] = VIEW_MOVE_HOME, [KEYS_END] = VIEW_MOVE_END,
	};
	char err[256];
	switch (a) {
	case KEYS_NONE: break;
	case KEYS_QUIT: u->quit = 1; break;
	case KEYS_HELP: u->mode = u->mode == UI_HELP ? UI_LIST : UI_HELP; u->help_top = 0; break;
	case KEYS_FILTER: ui_open_prompt(u); break;
	case KEYS_FILTER_CLEAR:
		if (ui_set_filter(u, "", UI_LISTEN_ALL, err, sizeof(err)) < 0)
			ui_message(u, err);
		break;
	case KEYS_ONLY_LISTEN: ui_listen_toggle(u, UI_LISTEN_ONLY); break;
	case KEYS_HIDE_LISTEN: ui_listen_toggle(u, UI_LISTEN_HIDE); break;
	case KEYS_NEXT_PANE: u->focus = ui_pane_step(u, 1); break;
	case KEYS_PREV_PANE: u->focus = ui_pane_step(u, -1); break;
	case KEYS_UP: case KEYS_DOWN: case KEYS_PGUP: case KEYS_PGDN:
	case KEYS_HOME: case KEYS_END:
		/* End brings the past back to the present before it moves. */
		if (a != KEYS_END || u->mode == UI_HELP || !past_end(u))
			ui_move(u, moves[a]);
		break;
	case KEYS_SORT_NEXT: ui_sort(u, 1); break;
	case KEYS_SORT_REVERSE: ui_sort(u, 0); break;
	case KEYS_PAUSE:
		if (u->opts->replay) {
			past_play(u);
			break;
		}
		u->paused = !u->paused;
		if (!u->paused)
			u->next_poll = timebase_mono();   /* catch up at once */
		break;
	case KEYS_DETAILS: if (u->mode == UI_LIST) ui_open_details(u); break;
	case KEYS_BACK: ui_back(u); break;
	case KEYS_REDRAW: clearok(curscr, TRUE); break;
	case KEYS_KILL:
	case KEYS_SIGNAL:
		if (u->opts->read_only)
			break;
		if (past_refusal(u))
			ui_message(u, past_refusal(u));
		else if (a == KEYS_KILL)
			ui_ask_kill(u);
		else if (u->mode == UI_LIST)
			ui_signal_open(u);
		break;
	case KEYS_TIME_BACK: case KEYS_TIME_FORWARD:
	case KEYS_TIME_BACK_MINUTE: case KEYS_TIME_FORWARD_MINUTE:
		past_step(u, a);
		break;
	case KEYS_TIME_GOTO: ui_open_time(u); break;
	case KEYS_FASTER: past_speed(u, 1); break;
	case KEYS_SLOWER: past_speed(u, 0); break;
	case KEYS_COPY: ui_copy(u); break;
	case KEYS_NAMES: ui_toggle_names(u); break;
	case KEYS_SERVICES: u->show_services = !u->show_services; break;
	case KEYS_SAVE: ui_save(u); break;
	case KEYS_TRENDS: ui_trends_toggle(u); break;
	case KEYS_GROUP:
		view_proc_group_by_service(u->view, !view_proc_by_service(u->view));
		break;
	case KEYS_NACTIONS: break;
	}
}

/* The prompt narrows the table live while the text parses; a bad filter
 * shows its error and leaves the last good one in force. */
static void ui_prompt_result(struct ui *u, enum prompt_result r)
{
	char err[256];
	switch (r) {
	case PROMPT_NONE:
		break;
	case PROMPT_EDITED:
		if (ui_set_filter(u, prompt_text(u->prompt), UI_LISTEN_ALL, err, sizeof(err)) < 0)
			snprintf(u->prompt_error, sizeof(u->prompt_error), "%s", err);
		else
			u->prompt_error[0] = '\0';
		break;
	case PROMPT_APPLY:
		if (ui_set_filter(u, prompt_text(u->prompt), UI_LISTEN_ALL, err, sizeof(err)) < 0) {
			snprintf(u->prompt_error, sizeof(u->prompt_error), "%s", err);
			break;   /* stay in the prompt: Enter does not accept a bad filter */
		}
		u->mode = UI_LIST;
		break;
	case PROMPT_CANCEL:
		if (ui_set_filter(u, u->prompt_saved ? u->prompt_saved : "",
		                  u->prompt_saved_listen, err, sizeof(err)) < 0)
			ui_message(u, err);
		u->mode = UI_LIST;
		break;
	}
}

/* ---- the mouse ---- */

/* Where things are, from the layout functions the drawing calls. */
static void ui_screen_layout(const struct ui *u, struct mouse_screen *s)
{
	memset(s, 0, sizeof(*s));
	layout_panes_shown(COLS, LINES, u->focus, u->opts->panes, s->panes);
	for (int p = 0; p < PANE_COUNT; p++) {
		if (!s->panes[p].h)
			continue;
		s->ncols[p] = layout_columns(pane_kinds[p].columns, s->panes[p].w,
		                             p == PANE_CONNECTIONS ? u->opts->columns : 0,
		                             view_seen(u->view), s->cols[p]);
		s->top[p] = view_top(u->view, (enum pane_id)p);
	}
	s->nfooter = keys_footer_labels(ui_key_pane(u), past_footer_flags(u), COLS, s->footer);
	s->lines = LINES;
}

/* A title clicked sorts by its column, a second click reverses. */
static void ui_sort_by(struct ui *u, enum pane_id p, const struct column *col)
{
	int desc;
	const struct column *now = view_sort(u->view, p, &desc);
	view_set_sort(u->view, p, col, now == col ? !desc : 0);
}

static void ui_click_row(struct ui *u, enum pane_id p, size_t row)
{
	double now = timebase_mono();
	if (row >= view_count(u->view, p))
		return;
	view_select(u->view, p, row);
	if (u->click_pane == (int)p && u->click_row == row &&
	    now - u->click_at < MOUSE_DOUBLE_CLICK) {
		u->click_at = 0;
		ui_open_details(u);
		return;
	}
	u->click_at = now;
	u->click_pane = (int)p;
	u->click_row = row;
}

static void ui_mouse_list(struct ui *u, const struct mouse_event *ev,
                          const struct mouse_hit *h)
{
	if (h->place == MOUSE_NOWHERE || h->place == MOUSE_FOOTER)
		return;
	if (ui_pane_shown(u, h->pane))
		u->focus = h->pane;
	if (ev->button == MOUSE_WHEEL_UP || ev->button == MOUSE_WHEEL_DOWN) {
		for (int i = 0; i < MOUSE_WHEEL_ROWS; i++)
			ui_move(u, ev->button == MOUSE_WHEEL_UP ? VIEW_MOVE_UP : VIEW_MOVE_DOWN);
		return;
	}
	if (h->place == MOUSE_COLUMN_TITLE)
		ui_sort_by(u, h->pane, h->col);
	else if (h->place == MOUSE_ROW)
		ui_click_row(u, h->pane, h->row);
}

static void ui_mouse(struct ui *u, const struct mouse_event *ev)
{
	struct mouse_screen s;
	struct mouse_hit h;
	int wheel = ev->button == MOUSE_WHEEL_UP || ev->button == MOUSE_WHEEL_DOWN;
	if (ev->motion || !ev->press || (!wheel && ev->button != MOUSE_LEFT) ||
	    (u->mode != UI_LIST && u->mode != UI_DETAILS && u->mode != UI_HELP))
		return;
	ui_screen_layout(u, &s);
	mouse_hit_test(&s, ev->x, ev->y, &h);
	if (h.place == MOUSE_FOOTER && !wheel) {
		ui_action(u, h.key->action);
	} else if (u->mode == UI_LIST) {
		ui_mouse_list(u, ev, &h);
	} else if (wheel) {
		for (int i = 0; i < MOUSE_WHEEL_ROWS; i++)
			ui_move(u, ev->button == MOUSE_WHEEL_UP ? VIEW_MOVE_UP : VIEW_MOVE_DOWN);
	} else if (u->mode == UI_DETAILS && ev->y > LAYOUT_HEADER_LINES && ev->y < LINES - 1) {
		u->details_sel = u->details_top + (size_t)(ev->y - LAYOUT_HEADER_LINES - 1);
	}
}

/* The rest of a report after its ESC (or after "ESC [ <", which curses
 * may turn into KEY_MOUSE): a terminal sends it whole, so its bytes are
 * already waiting. Returns 1 when it took a report (or another escape
 * sequence, dropped), 0 for a lone Esc, to be taken as the key. */
static int ui_mouse_read(struct ui *u, const char *start)
{
	char buf[40];
	size_t n = strlen(start);
	wint_t wc;
	int rc, took = n > 1;
	memcpy(buf, start, n);
	wtimeout(stdscr, 0);
	while (n < sizeof(buf) - 1 && (rc = get_wch(&wc)) != ERR) {
		wtimeout(stdscr, 50);   /* the rest may trail over a slow link */
		if (n == 1 && (rc != OK || wc != '[')) {
			if (rc == KEY_CODE_YES)   /* Esc, then a key of its own */
				ungetch((int)wc);
			else
				unget_wch(wc);
			break;
		}
		took = 1;
		if (rc != OK || wc < 0x20 || wc > 0x7e)
			break;
		buf[n++] = (char)wc;
		if ((n == 3 && wc != '<') || (n > 3 && (wc == 'M' || wc == 'm')))
			break;
	}
	nodelay(stdscr, TRUE);
	struct mouse_event ev;
	if (took && mouse_sgr_parse(buf, n, &ev) == 0)
		ui_mouse(u, &ev);
	return took;
}

static void ui_key(struct ui *u, int rc, wint_t wc)
{
	if (u->mouse && ((rc == OK && wc == 27) || (rc == KEY_CODE_YES && wc == KEY_MOUSE)) &&
	    ui_mouse_read(u, rc == OK ? "\033" : "\033[<"))
		return;
	if (rc == KEY_CODE_YES && wc == KEY_RESIZE) {
		clearok(curscr, TRUE);
		return;
	}
	if (u->mode == UI_PROMPT) {
		ui_prompt_result(u, rc == KEY_CODE_YES ? prompt_key(u->prompt, (int)wc)
		                                       : prompt_char(u->prompt, (uint32_t)wc));
		return;
	}
	if (u->mode == UI_TIME) {
		ui_time_result(u, rc == KEY_CODE_YES ? prompt_key(u->time_prompt, (int)wc)
		                                     : prompt_char(u->time_prompt, (uint32_t)wc));
		return;
	}
	int key = keys_from_wch(rc, (unsigned)wc);
	if (u->mode == UI_SIGNAL) {
		ui_signal_key(u, key);
		return;
	}
	if (u->mode == UI_CONFIRM) {
		ui_confirm_key(u, key);
		return;
	}
	if (key != KEYS_NOKEY)
		ui_action(u, keys_lookup(key, ui_key_pane(u)));
}

/* ---- set-up and the loop ---- */

/* The sort the options ask of pane p (name NULL: none). */
static void ui_sort_from(struct ui *u, enum pane_id p, const char *name, int desc)
{
	if (name)
		view_set_sort(u->view, p, columns_table_find(pane_kinds[p].columns, name), desc);
}

/* A replay reads no socket: it has no poller, and no process's command
 * line to read live. */
static int ui_init(struct ui *u, const struct options *o, char *err, size_t errlen,
                   int *status)
{
	memset(u, 0, sizeof(*u));
	u->opts = o;
	*status = 1;
	struct poller_config cfg = { .source = o->source, .want = o->want, .proc_root = "/proc",
	                             .no_destroy_events = o->no_destroy_events,
	                             .netns = o->netns };
	if (!o->replay && !(u->poller = poller_new(&cfg, err, errlen)))
		return -1;
	u->view = u->live = view_new();
	u->cmdlines = cmdlines_new(u->poller ? poller_procmap(u->poller) : NULL);
	u->prompt = malloc(sizeof(*u->prompt));
	u->time_prompt = malloc(sizeof(*u->time_prompt));
	u->filter_text = strdup("");
	if (!u->view || !u->cmdlines || !u->prompt || !u->time_prompt || !u->filter_text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	prompt_init(u->prompt);
	prompt_init(u->time_prompt);
	details_init(&u->details);
	view_set_linger(u->view, o->linger);
	view_set_cmdlines(u->view, cmdlines_source(u->cmdlines));
	int ascii = spark_glyphs_for(MB_CUR_MAX > 1, getenv("TERM")) == SPARK_ASCII;
	view_trends_setup(u->view, o->interval, ascii);
	char *words = options_replay_filter(o);
	int bad = !words ? (snprintf(err, errlen, "out of memory"), 1)
	                 : ui_set_filter(u, words, UI_LISTEN_ALL, err, errlen) < 0;
	free(words);
	if (bad)
		return -1;
	ui_sort_from(u, PANE_CONNECTIONS, o->sort, o->sort_desc);
	ui_sort_from(u, PANE_PROCESSES, o->sort_processes, o->sort_processes_desc);
	ui_sort_from(u, PANE_EVENTS, o->sort_events, o->sort_events_desc);
	while (!ui_pane_shown(u, u->focus))
		u->focus++;   /* the first pane shown; panes is never empty */
	if (gethostname(u->host, sizeof(u->host) - 1) < 0)
		snprintf(u->host, sizeof(u->host), "?");
	char why[256];
	if (ports_local_range("/proc/sys/net/ipv4/ip_local_port_range", &u->range_lo,
	                      &u->range_hi, why, sizeof(why)) < 0)
		u->range_lo = u->range_hi = 0;
	u->services = services_load("/etc/services", why, sizeof(why));
	if (o->replay) {
		int rc = past_open_replay(u, err, errlen, status);
		double every;
		/* The Trends' time axis is the recording's, not -i's. */
		if (rc == 0 && history_interval(u->history, &every) == 0)
			view_trends_setup(u->view, every, ascii);
		return rc;
	}
	snprintf(u->source, sizeof(u->source), "%s", poller_source_name(u->poller));
	return 0;
}

static void ui_start_notes(struct ui *u, int rc)
{
	if (rc < 0 && u->privs.privileged)
		ui_message(u, u->privs.note);
	if (u->opts->config_note[0])
		ui_message(u, u->opts->config_note);
	if (u->opts->resolve)
		ui_toggle_names(u);
}

/* A replay reads its file, opened already, and nothing of the system. */
static int ui_start_replay(struct ui *u, int rc)
{
	if (privs_narrow(u->opts, &u->privs) < 0)
		rc = -1;
	ui_start_notes(u, rc);
	return 0;
}

/* Once the sockets and the terminal are open, privileges are given up.
 * Capabilities first, before any thread starts, so the collection thread
 * inherits only what is kept; Landlock after it starts, since Landlock
 * forbids reading other processes' fd tables (a ptrace access) to a
 * sandboxed thread: this thread and the name lookups are sandboxed, the
 * collector instead refuses itself every file write (seccomp, nowrite.h). */
static int ui_start(struct ui *u, char *err, size_t errlen)
{
	int rc = privs_drop(u->opts, &u->privs);
	u->sees_all_owners = privs_sees_all_owners();
	if (u->opts->replay)
		return ui_start_replay(u, rc);
	if (worker_start(&u->worker, u->poller, err, errlen) < 0)
		return -1;
	/* The recorder's thread starts, as the collector's, with only the
	 * capabilities kept: a file's before this thread's Landlock (it
	 * narrows itself to the recording), memory's after (it needs no
	 * file, and inherits this thread's). */
	if (u->opts->record && past_open_live(u, err, errlen) < 0)
		return -1;
	u->privs.nowrite = u->worker.nowrite_rc == 0;
	if (!u->privs.nowrite) {
		char why[sizeof(u->worker.nowrite_why) + 40];
		snprintf(why, sizeof(why), "collection may write files: %s", u->worker.nowrite_why);
		privs_note(&u->privs, why);
		rc = -1;
	}
	if (privs_narrow(u->opts, &u->privs) < 0)
		rc = -1;
	if (!u->opts->record && past_open_live(u, err, errlen) < 0)
		return -1;
	ui_start_notes(u, rc);
	return 0;
}

/* Frees u, unless a collection was still running: its thread then keeps
 * using the worker inside u and the poller, which live until the process
 * ends a moment later. */
static void ui_free(struct ui *u)
{
	int abandoned = worker_stop(&u->worker);
	resolver_free(u->resolver);
	/* The recorder first: what it has queued is written before quitting. */
	past_close(u);
	if (!abandoned)
		poller_free(u->poller);
	view_free(u->live);
	cmdlines_free(u->cmdlines);
	filter_free(u->filter);
	free(u->prompt);
	free(u->time_prompt);
	free(u->filter_text);
	free(u->prompt_saved);
	details_free(&u->details);
	services_free(u->services);
	if (!abandoned)
		free(u);
}

/* Milliseconds poll() may sleep: until the next collection, and at most a
 * quarter second so ages, highlights and the clock stay current. */
static int ui_timeout(const struct ui *u)
{
	double wait = 0.25, play = past_due(u);
	if (play < wait)
		wait = play;
	if (!u->paused && !u->opts->replay) {
		double left = u->next_poll - timebase_mono();
		if (left < wait)
			wait = left;
	}
	return wait <= 0 ? 0 : (int)(wait * 1000) + 1;
}

/* Asks the worker for the next collection when one is due. */
static void ui_tick(struct ui *u)
{
	double now = timebase_mono();
	past_tick(u);
	if (u->opts->replay || u->paused || now < u->next_poll || worker_busy(&u->worker))
		return;
	worker_request(&u->worker);
	u->next_poll += u->opts->interval;
	if (u->next_poll < now)   /* a slow poll: skip the missed ticks */
		u->next_poll = now + u->opts->interval;
}

/* Besides polls and keys, the screen changes only as time passes: ages,
 * highlights running out, the clock while paused. Once a second covers
 * them when polls are slower than that. */
static int ui_due_redraw(const struct ui *u, double last_draw)
{
	return u->dirty || (timebase_mono() - last_draw >= 1.0 &&
	                    (u->paused || u->opts->interval > 1.0));
}

static void ui_loop(struct ui *u)
{
	double last_draw = 0;
	u->next_poll = timebase_mono();
	u->dirty = 1;
	while (!u->quit && !ui_stop) {
		if (ui_suspend) {
			ui_suspend = 0;
			screen_suspend();
			u->dirty = 1;
		}
		ui_tick(u);
		if (ui_due_redraw(u, last_draw)) {
			draw_screen(u, u->paused || !u->polled ? timebase_epoch() : u->polled_at);
			last_draw = timebase_mono();
			u->dirty = 0;
		}
		struct pollfd pfd[4] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = u->poller ? worker_fd(&u->worker) : -1, .events = POLLIN },
			{ .fd = u->resolver ? resolver_fd(u->resolver) : -1, .events = POLLIN },
			{ .fd = u->poller ? poller_watch_fd(u->poller) : -1, .events = POLLIN },
		};
		if (poll(pfd, 4, ui_timeout(u)) < 0 && errno != EINTR) {
			ui_message(u, strerror(errno));
			break;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break;   /* the terminal went away */
		if (pfd[1].revents & POLLIN)
			ui_collected(u);
		if ((pfd[2].revents & POLLIN) && resolver_drain(u->resolver) > 0)
			u->dirty = u->show_names;   /* names arrived */
		if (pfd[3].revents & POLLIN)    /* sockets closed: news for the next poll */
			poller_watch_drain(u->poller, timebase_epoch());
		wint_t wc;
		int rc;
		while (!u->quit && (rc = get_wch(&wc)) != ERR) {
			ui_key(u, rc, wc);
			u->dirty = 1;
		}
	}
}

int ui_run(const struct options *o)
{
	/* On the heap: a worker left running at quit still holds a pointer
	 * into it, so it must outlive this function (see ui_free). */
	struct ui *u = malloc(sizeof(*u));
	char err[512];
	if (!u) {
		fprintf(stderr, "sockeye: out of memory\n");
		return 1;
	}
	int status = 1;
	if (ui_init(u, o, err, sizeof(err), &status) < 0 || screen_begin(err, sizeof(err)) < 0 ||
	    ui_start(u, err, sizeof(err)) < 0) {
		screen_end();
		fprintf(stderr, "sockeye: %s\n", err);
		ui_free(u);
		return status;
	}
	ui_signals();
	if (!o->no_mouse) {
		struct sigaction sa = { .sa_handler = ui_on_suspend };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTSTP, &sa, NULL);   /* in place of curses' own */
		screen_mouse();
		u->mouse = 1;
	}
	int no_color = o->no_color || (getenv("NO_COLOR") && *getenv("NO_COLOR"));
	draw_styles(u, &o->theme_data, screen_colors(), no_color);
	ui_loop(u);
	screen_end();
	ui_free(u);
	return 0;
}
