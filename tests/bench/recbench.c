/* recbench.c — what recording costs a poll (doc/recording.md): real polls
 * of this machine, each handed to a recorder, printing the median poll's
 * CPU, the differ's share of it (recorder_poll on the polling thread),
 * the writer thread's CPU a poll, and the bytes the recording took.
 * Not installed; built by `make tests/bench/recbench`.
 *   recbench FILE POLLS INTERVAL   (FILE "-": in memory) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cmdlines.h"
#include "poller.h"
#include "record.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The whole process's CPU: both threads. */
static double cpu_all(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n ? v[n / 2] : 0;
}

static long long file_bytes(const char *path)
{
	struct stat st;
	char side[4096];
	long long n = 0;
	if (stat(path, &st) == 0)
		n += st.st_size;
	snprintf(side, sizeof(side), "%s-wal", path);
	if (stat(side, &st) == 0)
		n += st.st_size;
	return n;
}

/* The pages the memory database holds. */
static long long mem_pages_bytes(struct recorder *r)
{
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	long long n = -1;
	if (sqlite3_open_v2(recorder_name(r), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	                    NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT (page_count - freelist_count) * page_size FROM"
	                       " pragma_page_count, pragma_freelist_count, pragma_page_size",
	                       -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close_v2(db);
	return n;
}

int main(int argc, char **argv)
{
	char err[512];
	if (argc != 4) {
		fprintf(stderr, "usage: recbench FILE POLLS INTERVAL\n");
		return 2;
	}
	const char *path = strcmp(argv[1], "-") ? argv[1] : NULL;
	long polls = atol(argv[2]);
	double interval = atof(argv[3]);
	struct poller_config cfg = { .source = POLLER_NETLINK, .want = SOCK_WANT_ALL,
	                             .netns = POLLER_NETNS_HOST,
	                             .proc_root = "/proc" };
	struct poller *p = poller_new(&cfg, err, sizeof(err));
	struct record_config rc = { .path = path, .keep = path ? RECORD_KEEP_DEFAULT : RECORD_MEM_KEEP,
	                            .max_bytes = path ? RECORD_MAX_DEFAULT : RECORD_MEM_MAX,
	                            .interval = interval, .host = "bench" };
	struct recorder *r = p ? recorder_open(&rc, err, sizeof(err)) : NULL;
	if (!r) {
		fprintf(stderr, "recbench: %s\n", err);
		return 1;
	}
	struct cmdlines *cmd = cmdlines_new(poller_procmap(p));
	double *poll_ms = calloc((size_t)polls, sizeof(double));
	double *diff_ms = calloc((size_t)polls, sizeof(double));
	double *all_ms = calloc((size_t)polls, sizeof(double));
	struct sock_events ev;
	sock_events_init(&ev);
	size_t sockets = 0;
	long from = polls > 3 ? 2 : 0;   /* the baseline writes everything */
	double writer0 = 0;
	for (long i = 0; i < polls; i++) {
		if (i == from) {
			recorder_flush(r);
			writer0 = recorder_writer_cpu(r);
			if (!path)
				printf("memory_used_after_baseline %lld\n", mem_pages_bytes(r));
		}
		double w0 = clock_s(CLOCK_MONOTONIC), a0 = cpu_all();
		double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		sock_events_clear(&ev);
		cmdlines_forget(cmd);
		/* as sockeye polls: the events' times are the poll's moment, with
		 * its fraction, as in a recording of the live program */
		if (poller_collect(p, err, sizeof(err)) < 0 ||
		    poller_apply(p, poller_sampled_at(p), i ? &ev : NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "recbench: %s\n", err);
			return 1;
		}
		double c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		if (recorder_poll(r, poller_table(p), i ? &ev : NULL, cmdlines_source(cmd),
		                  poller_sampled_at(p)) < 0) {
			fprintf(stderr, "recbench: out of memory\n");
			return 1;
		}
		double c2 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		const char *note = recorder_take_note(r);
		if (note)
			fprintf(stderr, "recbench: note: %s\n", note);
		/* the writer's CPU for this poll lands before the next one */
		double left = interval - (clock_s(CLOCK_MONOTONIC) - w0);
		if (left > 0)
			usleep((useconds_t)(left * 1e6));
		else
			recorder_flush(r);
		poll_ms[i] = (c1 - c0) * 1e3;
		diff_ms[i] = (c2 - c1) * 1e3;
		all_ms[i] = (cpu_all() - a0) * 1e3;
		sockets = sock_table_count(poller_table(p));
	}
	recorder_flush(r);
	double writer = recorder_writer_cpu(r) - writer0;
	printf("sockets %zu\n", sockets);
	printf("poll_cpu_ms %.3f\n", median(poll_ms + from, polls - from));
	printf("differ_cpu_ms %.3f\n", median(diff_ms + from, polls - from));
	printf("process_cpu_ms_per_poll %.3f\n", median(all_ms + from, polls - from));
	printf("writer_cpu_ms_per_poll %.3f\n", writer * 1e3 / (double)(polls - from));
	printf("dropped %llu\n", (unsigned long long)recorder_dropped(r));
	if (!path)
		printf("memory_used_at_end %lld\n", mem_pages_bytes(r));
	if (path) {
		printf("file_bytes %lld\n", file_bytes(path));
	} else {
		/* what the memory database holds, and the time it spans */
		sqlite3 *db;
		sqlite3_stmt *s = NULL;
		if (sqlite3_open_v2(recorder_name(r), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
		                    NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "SELECT (SELECT page_count * page_size FROM"
		                       " pragma_page_count, pragma_page_size),"
		                       " (SELECT max(time) - min(time) FROM polls)", -1, &s,
		                       NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			printf("memory_bytes %lld spanning %.0f s\n", sqlite3_column_int64(s, 0),
			       sqlite3_column_double(s, 1));
		sqlite3_finalize(s);
		s = NULL;
		/* where the pages go: tables and indexes */
		if (sqlite3_prepare_v2(db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name"
		                       " ORDER BY 2 DESC", -1, &s, NULL) == SQLITE_OK)
			while (sqlite3_step(s) == SQLITE_ROW)
				printf("  %-16s %lld\n", (const char *)sqlite3_column_text(s, 0),
				       sqlite3_column_int64(s, 1));
		sqlite3_finalize(s);
		/* SQLite's whole heap (pages, caches, statements) and the process */
		printf("sqlite_memory_bytes %lld (peak %lld)\n", (long long)sqlite3_memory_used(),
		       (long long)sqlite3_memory_highwater(0));
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		while (f && fgets(line, sizeof(line), f))
			if (strncmp(line, "VmRSS:", 6) == 0 || strncmp(line, "VmHWM:", 6) == 0)
				fputs(line, stdout);
		if (f)
			fclose(f);
		sqlite3_close_v2(db);
	}
	recorder_close(r);
	cmdlines_free(cmd);
	sock_events_free(&ev);
	poller_free(p);
	free(poll_ms);
	free(diff_ms);
	free(all_ms);
	return 0;
}
