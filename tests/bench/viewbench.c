/* viewbench.c — the screen's cost per refresh without a terminal, for
 * `make bench` (a refresh of a 100,000-row table should cost what
 * 100 rows do, and a poll that changed nothing should not sort again).
 * For each size it fills a table with that many ESTABLISHED sockets (made
 * up in memory: the view's cost depends on the row count, not on where the
 * rows came from), sorts by LOCAL, and then times on this thread, which is
 * the screen's own: the table diff of a poll that changed nothing (what
 * poller_apply runs there), bringing the view up to date after it, and
 * formatting the 40 visible rows' cells as the Connections pane does; also
 * a redraw with no poll between (a key press), and how many sorts ran.
 * Not installed; built by make bench. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "columns.h"
#include "table.h"
#include "view.h"

#define VIEWBENCH_ROWS 40
#define VIEWBENCH_POLLS 20

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int viewbench_fill(struct sock_list *l, size_t n)
{
	sock_list_clear(l);
	for (size_t i = 0; i < n; i++) {
		struct sock_rec *r = sock_list_push(l);
		if (!r)
			return -1;
		r->proto = IPPROTO_TCP;
		r->family = AF_INET;
		r->state = SOCK_ST_ESTABLISHED;
		r->laddr[0] = r->raddr[0] = 127;
		r->laddr[2] = (uint8_t)(i / 60000);
		r->laddr[3] = (uint8_t)(1 + i % 200);
		r->raddr[3] = 1;
		r->lport = (uint16_t)(1024 + i % 60000);
		r->rport = 8080;
		r->inode = 100000 + i;
	}
	return 0;
}

/* Formats the visible rows' cells, as the screen's pane drawing does. */
static size_t viewbench_format(const struct view *v, double now)
{
	char buf[256];
	size_t bytes = 0, top = view_top(v, PANE_CONNECTIONS);
	for (size_t i = 0; i < VIEWBENCH_ROWS; i++) {
		struct pane_row row;
		if (view_row(v, PANE_CONNECTIONS, top + i, &row) < 0)
			break;
		row.sock.now = now;
		for (size_t c = 0; c < ncolumns; c++)
			if (columns[c].format) {
				columns[c].format(&row.sock, buf, sizeof(buf));
				bytes += strlen(buf);
			}
	}
	return bytes;
}

struct viewbench_result {
	double update, refresh, format, redraw;   /* seconds each */
	unsigned long sorts;                      /* during the quiet polls */
};

static int viewbench_size(size_t n, struct viewbench_result *res)
{
	struct sock_list l;
	struct sock_events ev;
	struct sock_table *t = sock_table_new();
	struct view *v = view_new();
	double now = 1000, c0;
	int rc = -1;

	sock_list_init(&l);
	sock_events_init(&ev);
	memset(res, 0, sizeof(*res));
	if (!t || !v || viewbench_fill(&l, n) < 0 || sock_table_update(t, &l, NULL, now, NULL) < 0)
		goto out;
	view_set_sort(v, PANE_CONNECTIONS, columns_local, 0);
	view_set_height(v, PANE_CONNECTIONS, VIEWBENCH_ROWS);
	if (view_poll(v, t, NULL, now) < 0 || view_refresh(v, now) < 0)
		goto out;
	unsigned long sorts0 = view_sorts(v, PANE_CONNECTIONS);
	for (int p = 0; p < VIEWBENCH_POLLS; p++) {
		now += 1;
		sock_events_clear(&ev);
		c0 = thread_cpu();
		if (sock_table_update(t, &l, NULL, now, &ev) < 0)
			goto out;
		res->update += thread_cpu() - c0;
		c0 = thread_cpu();
		if (view_poll(v, t, &ev, now) < 0 || view_refresh(v, now) < 0)
			goto out;
		res->refresh += thread_cpu() - c0;
		c0 = thread_cpu();
		viewbench_format(v, now);
		res->format += thread_cpu() - c0;
		c0 = thread_cpu();
		if (view_refresh(v, now + 0.5) < 0)
			goto out;
		viewbench_format(v, now + 0.5);
		res->redraw += thread_cpu() - c0;
	}
	res->sorts = view_sorts(v, PANE_CONNECTIONS) - sorts0;
	res->update /= VIEWBENCH_POLLS;
	res->refresh /= VIEWBENCH_POLLS;
	res->format /= VIEWBENCH_POLLS;
	res->redraw /= VIEWBENCH_POLLS;
	rc = 0;
out:
	view_free(v);
	sock_table_free(t);
	sock_events_free(&ev);
	sock_list_free(&l);
	return rc;
}

int main(int argc, char **argv)
{
	size_t sizes[] = { 100, 100000 };
	struct viewbench_result r[2];

	(void)argc;
	(void)argv;
	for (int i = 0; i < 2; i++)
		if (viewbench_size(sizes[i], &r[i]) < 0) {
			fprintf(stderr, "viewbench: out of memory\n");
			return 1;
		}
	printf("\nThe screen (tests/bench/viewbench: its thread's CPU per refresh, sorted by LOCAL,\n"
	       "%d rows visible, %d polls that changed nothing, sockets made up in memory):\n",
	       VIEWBENCH_ROWS, VIEWBENCH_POLLS);
	printf("  %-46s %12s %12s %7s\n", "", "100 rows", "100,000 rows", "ratio");
	const char *what[] = { "table diff of the poll (poller_apply) ms",
	                       "view brought up to date after it ms",
	                       "visible rows formatted ms",
	                       "redraw with no poll between (a key) ms" };
	for (int k = 0; k < 4; k++) {
		double a = k == 0 ? r[0].update : k == 1 ? r[0].refresh : k == 2 ? r[0].format : r[0].redraw;
		double b = k == 0 ? r[1].update : k == 1 ? r[1].refresh : k == 2 ? r[1].format : r[1].redraw;
		printf("  %-46s %12.3f %12.3f %7.1f\n", what[k], a * 1e3, b * 1e3, a > 0 ? b / a : 0);
	}
	printf("  sorts run by %d quiet polls: %lu at 100 rows, %lu at 100,000 rows\n",
	       VIEWBENCH_POLLS, r[0].sorts, r[1].sorts);
	return 0;
}
