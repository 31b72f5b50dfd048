/* pollbench.c — the collector's cost without a screen or output, for
 * tests/bench/bench.py: "bare" is one netlink dump with no owners (what
 * ss -tan does, less the printing); "poll" is whole polls (dump, owners,
 * diff) as the monitor makes them, printing per-poll CPU and what the owner
 * map read. Not installed; built by make bench. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "netlink.h"
#include "poller.h"
#include "procmap.h"
#include "sock.h"

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One dump of every TCP and UDP socket, owners not looked up. */
static int run_bare(void)
{
	char err[512];
	struct sock_list l;
	struct netlink_source *src = netlink_open(err, sizeof err);

	if (!src) {
		fprintf(stderr, "pollbench: %s\n", err);
		return 1;
	}
	sock_list_init(&l);
	if (netlink_collect(src, SOCK_WANT_ALL, &l, err, sizeof err) < 0) {
		fprintf(stderr, "pollbench: %s\n", err);
		return 1;
	}
	printf("sockets %zu\n", l.n);
	sock_list_free(&l);
	netlink_close(src);
	return 0;
}

/* polls whole polls, interval seconds apart; one line each. */
static int run_polls(long polls, double interval)
{
	char err[512];
	struct poller_config cfg = { .source = POLLER_NETLINK, .want = SOCK_WANT_ALL,
	                             .proc_root = "/proc" };
	struct poller *p = poller_new(&cfg, err, sizeof err);
	struct sock_events ev;

	if (!p) {
		fprintf(stderr, "pollbench: %s\n", err);
		return 1;
	}
	sock_events_init(&ev);
	for (long i = 0; i < polls; i++) {
		struct procmap_stats st;
		double c0 = cpu_now(), w0 = wall_now();

		sock_events_clear(&ev);
		if (poller_poll(p, (double)time(NULL), i ? &ev : NULL, err, sizeof err) < 0) {
			fprintf(stderr, "pollbench: %s\n", err);
			return 1;
		}
		procmap_stats(poller_procmap(p), &st);
		printf("poll %ld cpu %.6f wall %.6f sockets %zu events %zu procs %zu "
		       "full %zu probes %zu links %zu unowned %zu\n",
		       i, cpu_now() - c0, wall_now() - w0, sock_table_count(poller_table(p)),
		       ev.n, st.procs, st.full_scans, st.probes, st.links_read, st.unowned);
		fflush(stdout);
		if (i + 1 < polls && interval > 0)
			usleep((useconds_t)(interval * 1e6));
	}
	sock_events_free(&ev);
	poller_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "bare") == 0)
		return run_bare();
	if (argc >= 2 && strcmp(argv[1], "poll") == 0)
		return run_polls(argc > 2 ? atol(argv[2]) : 10, argc > 3 ? atof(argv[3]) : 1.0);
	fprintf(stderr, "usage: pollbench bare | poll [POLLS [INTERVAL]]\n");
	return 2;
}
