/* output.c — --batch and --events printers. Text that came from the system
 * is escaped: through the column formatters for the table, through the JSON
 * writer (exact bytes, escaped) for JSON. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "output.h"
#include "textsafe.h"

#define CELL_MAX 512

/* Each call prints one poll: command lines are read afresh (a process
 * may have run exec since). */
static void output_new_poll(const struct output_opts *o)
{
	if (o->cmdlines && o->cmdlines->forget)
		o->cmdlines->forget(o->cmdlines->ctx);
}

/* A socket no process holds is matched by who held it (was: its former
 * owners), so proc:NAME state:time-wait finds the TIME_WAITs NAME left. */
static int row_passes(const struct output_opts *o, const struct sock_rec *rec,
                      const struct sock_owner *owners, size_t n,
                      const struct sock_owner *was, size_t nwas)
{
	if (!o->filter)
		return 1;
	struct filter_subject s = { .rec = rec, .owners = owners, .nowners = n,
	                            .netns = rec->netns_name };
	return filter_match_was(o->filter, &s, was, nwas);
}

/* ---- JSON: the Connections columns write the socket's keys ---- */

static void json_str(FILE *f, const char *key, const char *s)
{
	fprintf(f, ",\"%s\":", key);
	textsafe_json_write(f, s, strlen(s));
}

/* The socket's keys, after others (keys) or opening the object (0). */
static void json_socket(FILE *f, const struct column_row *r, int keys)
{
	struct column_json j = { f, keys };
	columns_json(&j, r);
}

/* ---- the batch table ---- */

struct sort_ctx {
	const struct column *col;
	int desc;
};

struct sorted_row {
	struct column_row row;
	size_t pos;                 /* kernel order: the stable tie-break */
	double seen_at;             /* the poll that measured its rate */
};

static int row_cmp(const void *x, const void *y, void *arg)
{
	const struct sorted_row *a = x, *b = y;
	const struct sort_ctx *c = arg;
	int r = columns_compare(c->col, &a->row, &b->row, c->desc);
	return r ? r : (a->pos < b->pos ? -1 : a->pos > b->pos);
}

static struct sorted_row *batch_rows(const struct sock_table *t, double now,
                                     const struct output_opts *o, size_t *count)
{
	size_t total = sock_table_count(t), n = 0;
	struct sorted_row *rows = malloc((total ? total : 1) * sizeof(*rows));
	if (!rows)
		return NULL;
	for (size_t i = 0; i < total; i++) {
		const struct sock_entry *e = sock_table_at(t, i);
		if (!row_passes(o, &e->rec, e->owners, e->nowners, e->owners_was, e->nowners_was))
			continue;
		rows[n].row = (struct column_row){
			.rec = &e->rec, .owners = e->owners, .nowners = e->nowners,
			.owners_was = e->owners_was, .nowners_was = e->nowners_was,
			.first_seen = e->first_seen, .now = now, .tx_rate = e->tx_rate,
			.rx_rate = e->rx_rate, .has_rate = e->has_rate, .cmdlines = o->cmdlines };
		rows[n].pos = n;
		rows[n].seen_at = e->seen_at;
		n++;
	}
	if (o->sort) {
		struct sort_ctx ctx = { o->sort, o->sort_desc };
		qsort_r(rows, n, sizeof(*rows), row_cmp, &ctx);
	}
	*count = n;
	return rows;
}

static void cell_write(FILE *f, const struct column *c, const char *cell, int width, int last)
{
	int pad = width - textsafe_width(cell);
	if (c->right)
		fprintf(f, "%*s", pad > 0 ? pad : 0, "");
	fputs(cell, f);
	if (!c->right && !last)
		fprintf(f, "%*s", pad > 0 ? pad : 0, "");
	if (!last)
		fputs("  ", f);
}

/* 1 when some row printed lives outside the host's network namespace:
 * the rows then span namespaces (or are all another's), and an address
 * alone no longer says which socket a row is. */
static int batch_netns_wanted(const struct sorted_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (columns_netns_wanted(&rows[i].row))
			return 1;
	return 0;
}

/* Whether --batch's table shows col: chosen (the config file's columns),
 * else marked in_batch, or shown with what the rows hold (seen). */
static int batch_shows(const struct column *col, size_t i, unsigned long chosen, unsigned seen)
{
	if (!col->format || !col->title)
		return 0;
	if (chosen)
		return (chosen & (1UL << i)) != 0;
	return col->in_batch || (col->show == COLUMN_SHOW_NETNS && columns_shown_unnamed(col, seen));
}

/* Table columns, in table order, with those marked batch_last (NETNS)
 * after the others, so the others keep their places for scripts. */
static size_t batch_columns(unsigned long chosen, unsigned seen, const struct column **out)
{
	size_t n = 0;
	for (int last = 0; last < 2; last++)
		for (size_t i = 0; i < ncolumns; i++)
			if (columns[i].batch_last == last && batch_shows(&columns[i], i, chosen, seen))
				out[n++] = &columns[i];
	return n;
}

static void batch_text(FILE *f, const struct sorted_row *rows, size_t n,
                       unsigned long chosen)
{
	const struct column *cols[COLUMNS_MAX];
	int width[COLUMNS_MAX];
	size_t nc = batch_columns(chosen, batch_netns_wanted(rows, n) ? COLUMN_SEEN_NETNS : 0, cols);
	char cell[CELL_MAX];
	/* Two passes: widths first, so the table is aligned by display columns
	 * without holding every formatted cell. */
	for (size_t c = 0; c < nc; c++)
		width[c] = textsafe_width(cols[c]->title);
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < nc; c++) {
			cols[c]->format(&rows[i].row, cell, sizeof(cell));
			int w = textsafe_width(cell);
			if (w > width[c])
				width[c] = w;
		}
	for (size_t c = 0; c < nc; c++)
		cell_write(f, cols[c], cols[c]->title, width[c], c + 1 == nc);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < nc; c++) {
			cols[c]->format(&rows[i].row, cell, sizeof(cell));
			cell_write(f, cols[c], cell, width[c], c + 1 == nc);
		}
		fputc('\n', f);
	}
}

int output_batch(FILE *f, const struct sock_table *t, double now,
                 const struct output_opts *o)
{
	output_new_poll(o);
	size_t n;
	struct sorted_row *rows = batch_rows(t, now, o, &n);
	if (!rows)
		return -1;
	if (o->json) {
		for (size_t i = 0; i < n; i++) {
			fputc('{', f);
			json_socket(f, &rows[i].row, 0);
			fputs("}\n", f);
		}
	} else {
		batch_text(f, rows, n, o->columns);
	}
	free(rows);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- events ---- */

static void time_str(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;
	localtime_r(&s, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03d", (int)((t - (double)s) * 1000));
}

static void event_text(FILE *f, const struct sock_event *e,
                       const struct column_cmdlines *cmdlines)
{
	struct column_row row = { .rec = &e->rec, .owners = e->owners, .nowners = e->nowners,
	                          .owners_was = e->owners_was, .nowners_was = e->nowners_was,
	                          .cmdlines = cmdlines };
	char when[64], state[64], local[80], remote[80], proc[CELL_MAX], user[128];
	const struct sock_rec *r = &e->rec;
	time_str(e->time, when, sizeof(when));
	if (e->type == SOCK_EV_STATE)
		snprintf(state, sizeof(state), "%s->%s", sock_state_name(r->proto, e->from_state),
		         sock_state_name(r->proto, r->state));
	else
		snprintf(state, sizeof(state), "%s%s", sock_state_name(r->proto, r->state),
		         e->brief ? " (brief)" : "");
	columns_local->format(&row, local, sizeof(local));
	columns_remote->format(&row, remote, sizeof(remote));
	columns_process->format(&row, proc, sizeof(proc));
	columns_user->format(&row, user, sizeof(user));
	fprintf(f, "%s %-5s %-4s %-23s %-22s %-22s %s %s\n", when, sock_event_name(e->type),
	        sock_proto_name(r->proto), state, local, remote, proc, user);
}

/* Which machine said it, for events shipped from many to one place. */
static void json_host(FILE *f, const char *host)
{
	if (host)
		json_str(f, "host", host);
}

static void event_json(FILE *f, const struct sock_event *e, const char *host,
                       const struct column_cmdlines *cmdlines)
{
	struct column_row row = { .rec = &e->rec, .owners = e->owners, .nowners = e->nowners,
	                          .owners_was = e->owners_was, .nowners_was = e->nowners_was,
	                          .tx_rate = e->tx_rate, .rx_rate = e->rx_rate,
	                          .has_rate = e->has_rate, .uid_unknown = e->uid_unknown,
	                          .cmdlines = cmdlines };
	fprintf(f, "{\"time\":%.6f", e->time);
	json_host(f, host);
	json_str(f, "event", sock_event_name(e->type));
	json_socket(f, &row, 1);
	if (e->type == SOCK_EV_STATE)
		json_str(f, "from", sock_state_name(e->rec.proto, e->from_state));
	/* Opened and closed between two polls: this is its only event. */
	if (e->brief)
		fputs(",\"brief\":true", f);
	fputs("}\n", f);
}

/* ---- one line, one write ---- */

struct output_line {
	FILE *mem;
	char *buf;
	size_t len;
};

static int output_line_open(struct output_line *l)
{
	l->buf = NULL;
	l->len = 0;
	l->mem = open_memstream(&l->buf, &l->len);
	return l->mem ? 0 : -1;
}

/* Sends the line composed in l to f: stdio would cut a line longer than
 * its buffer into several writes, so it goes straight to the descriptor
 * (after whatever f still holds). */
static int output_line_put(struct output_line *l, FILE *f)
{
	int rc = -1, fd = fileno(f);

	if (fclose(l->mem) == 0) {
		if (fd < 0)
			rc = fwrite(l->buf, 1, l->len, f) == l->len ? 0 : -1;
		else if (fflush(f) == 0)
			rc = fdio_write_all(fd, l->buf, l->len);
	}
	free(l->buf);
	return rc;
}

int output_events(FILE *f, const struct sock_events *ev, const struct output_opts *o)
{
	output_new_poll(o);
	for (size_t i = 0; i < ev->n; i++) {
		const struct sock_event *e = &ev->v[i];
		struct output_line line;
		if (!row_passes(o, &e->rec, e->owners, e->nowners, e->owners_was, e->nowners_was))
			continue;
		if (output_line_open(&line) < 0)
			return -1;
		if (o->json)
			event_json(line.mem, e, o->host, o->cmdlines);
		else
			event_text(line.mem, e, o->cmdlines);
		if (output_line_put(&line, f) < 0)
			return -1;
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- rates ---- */

static int rate_moved(const struct column_row *r)
{
	return r->has_rate && (r->tx_rate > 0 || r->rx_rate > 0);
}

static void rate_text(FILE *f, const struct column_row *r, double when_t)
{
	char when[64], local[80], remote[80], proc[CELL_MAX], user[128], tx[16], rx[16];
	time_str(when_t, when, sizeof(when));
	columns_local->format(r, local, sizeof(local));
	columns_remote->format(r, remote, sizeof(remote));
	columns_process->format(r, proc, sizeof(proc));
	columns_user->format(r, user, sizeof(user));
	columns_rate_str(r->tx_rate, tx, sizeof(tx));
	columns_rate_str(r->rx_rate, rx, sizeof(rx));
	fprintf(f, "%s %-5s %-4s %-23s %-22s %-22s %s %s TX/s %s RX/s %s\n", when, "rate",
	        sock_proto_name(r->rec->proto), sock_state_name(r->rec->proto, r->rec->state),
	        local, remote, proc, user, tx, rx);
}

static void rate_json(FILE *f, const struct column_row *r, double when, const char *host)
{
	fprintf(f, "{\"time\":%.6f", when);
	json_host(f, host);
	json_str(f, "event", "rate");
	json_socket(f, r, 1);
	fputs("}\n", f);
}

int output_rates(FILE *f, const struct sock_table *t, const struct output_opts *o)
{
	output_new_poll(o);
	size_t n;
	struct sorted_row *rows = batch_rows(t, 0, o, &n);
	int failed = 0;
	if (!rows)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct column_row *r = &rows[i].row;
		struct output_line line;
		if (!rate_moved(r))
			continue;
		if (output_line_open(&line) < 0) {
			failed = 1;
			break;
		}
		if (o->json)
			rate_json(line.mem, r, rows[i].seen_at, o->host);
		else
			rate_text(line.mem, r, rows[i].seen_at);
		if (output_line_put(&line, f) < 0) {
			failed = 1;
			break;
		}
	}
	free(rows);
	if (failed)
		return -1;
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int output_failed(int e)
{
	if (e == EPIPE)
		return 0;
	fprintf(stderr, "sockeye: cannot write the output: %s\n",
	        e ? strerror(e) : "write error");
	return 1;
}
