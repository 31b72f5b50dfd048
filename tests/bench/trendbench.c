/* trendbench.c — what the Trends series cost: the memory of every series
 * and the CPU a poll adds, at 10,000 TCP sockets held by 500 processes
 * (a made-up /proc tree of 500 processes with 20 sockets each, so owners
 * and per-process sums are real work), against the table diff of the same
 * poll. Prints the figures for doc/performance.md. Not installed; built by
 * make bench. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "procmap.h"
#include "table.h"
#include "trends.h"
#include "view.h"

#define TB_SOCKETS 10000
#define TB_PROCS 500
#define TB_POLLS 60

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%.*s/%s", PATH_MAX - 1, dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A /proc of TB_PROCS processes, each holding TB_SOCKETS / TB_PROCS sockets. */
static int make_proc(char *root)
{
	char dir[256], text[512], link[512], target[64];
	int per = TB_SOCKETS / TB_PROCS;
	if (!mkdtemp(root))
		return -1;
	for (int p = 0; p < TB_PROCS; p++) {
		int pid = 2000 + p;
		snprintf(dir, sizeof(dir), "%s/%d", root, pid);
		if (mkdir(dir, 0755) < 0)
			return -1;
		snprintf(text, sizeof(text), "bench%d\n", p);
		put_file(dir, "comm", text);
		snprintf(text, sizeof(text), "%d (bench%d) S 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		         "%d 0 0\n", pid, p, pid, pid, 1000 + p);
		put_file(dir, "stat", text);
		put_file(dir, "status", "Name:\tbench\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
		snprintf(dir, sizeof(dir), "%s/%d/fd", root, pid);
		if (mkdir(dir, 0755) < 0)
			return -1;
		for (int k = 0; k < per; k++) {
			snprintf(link, sizeof(link), "%s/%d", dir, 3 + k);
			snprintf(target, sizeof(target), "socket:[%d]", 100000 + p * per + k);
			if (symlink(target, link) < 0)
				return -1;
		}
	}
	return 0;
}

static void fill(struct sock_list *l, int poll)
{
	sock_list_clear(l);
	for (int i = 0; i < TB_SOCKETS; i++) {
		struct sock_rec *r = sock_list_push(l);
		memset(r, 0, sizeof(*r));
		r->proto = IPPROTO_TCP;
		r->family = AF_INET;
		r->state = SOCK_ST_ESTABLISHED;
		r->laddr[0] = r->raddr[0] = 127;
		r->laddr[3] = (uint8_t)(1 + i % 200);
		r->raddr[3] = 1;
		r->lport = (uint16_t)(1024 + i);
		r->rport = 8080;
		r->inode = 100000 + (uint64_t)i;
		r->cookie = 1 + (uint64_t)i;
		r->has_tcpinfo = 1;
		r->tcp.rtt_us = 100;
		r->tcp.bytes_acked = (uint64_t)poll * (1000 + i);
		r->tcp.bytes_received = (uint64_t)poll * 500;
		r->tcp.total_retrans = (uint32_t)(poll / 10);
	}
}

int main(void)
{
	char root[] = "/tmp/trendbench-XXXXXX", err[256];
	struct sock_list l;
	struct sock_events ev;
	double diff = 0, trend = 0, pane = 0;
	if (make_proc(root) < 0) {
		perror("trendbench: making the /proc tree");
		return 1;
	}
	struct procmap *pm = procmap_new(root);
	struct sock_table *t = sock_table_new();
	struct trends *tr = trends_new(1.0);
	struct view *v = view_new();
	if (!pm || !t || !tr || !v || procmap_refresh(pm, err, sizeof(err)) < 0) {
		fprintf(stderr, "trendbench: %s\n", pm ? err : "out of memory");
		return 1;
	}
	sock_list_init(&l);
	sock_events_init(&ev);
	fill(&l, 0);
	sock_table_update(t, &l, pm, 1000, NULL);
	trends_poll(tr, t, NULL, NULL, 1000);
	view_poll(v, t, NULL, 1000);
	view_refresh(v, 1000);
	/* A full window first, so every ring is as big as it gets. */
	for (int k = 1; k <= 600 + TB_POLLS; k++) {
		double now = 1000 + k, a, b, c, d;
		fill(&l, k);
		sock_events_clear(&ev);
		a = thread_cpu();
		sock_table_update(t, &l, pm, now, &ev);
		b = thread_cpu();
		trends_poll(tr, t, &ev, NULL, now);
		c = thread_cpu();
		view_poll(v, t, &ev, now);
		view_refresh(v, now);
		d = thread_cpu();
		if (k > 600) {
			diff += b - a;
			trend += c - b;
			pane += d - c;
		}
	}
	printf("\nThe Trends series (tests/bench/trendbench: %d TCP sockets, %d processes,\n"
	       "a full 10-minute window, CPU of this thread, mean of %d polls)\n\n",
	       TB_SOCKETS, TB_PROCS, TB_POLLS);
	printf("  memory of every series                  %8.2f MiB (%zu processes followed)\n",
	       trends_memory(tr) / 1048576.0, tr->nprocs);
	printf("  trends_poll, a poll                     %8.3f ms\n", trend / TB_POLLS * 1e3);
	printf("  table diff of the same poll             %8.3f ms\n", diff / TB_POLLS * 1e3);
	printf("  view poll and refresh, Trends included  %8.3f ms\n", pane / TB_POLLS * 1e3);
	view_free(v);
	trends_free(tr);
	sock_table_free(t);
	procmap_free(pm);
	sock_list_free(&l);
	sock_events_free(&ev);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}
