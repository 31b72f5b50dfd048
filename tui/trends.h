/* trends.h — the machine over time: one sample a poll of TX and RX (bytes
 * a second over every TCP socket, the closed ones' last bytes included),
 * connections opened and ended a second (lives: a close into TIME_WAIT is
 * not an end), retransmissions a second, the count of each TCP state, and
 * each process's TX+RX; all over the sockets and events the filter passes.
 * Fixed rings (series.h): memory is bounded by TRENDS_PROCS_MAX. No ncurses. */
#ifndef SOCKEYE_TRENDS_H
#define SOCKEYE_TRENDS_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "series.h"
#include "table.h"

enum trends_series { TRENDS_TX, TRENDS_RX, TRENDS_NEW, TRENDS_CLOSED, TRENDS_RETRANS,
                     TRENDS_N };

#define TRENDS_WINDOW 600.0       /* seconds the Trends view shows */
#define TRENDS_PROCS_MAX 1024     /* processes followed at once */

struct trends_proc {
	int pid;
	unsigned long long starttime;
	char comm[17];                /* raw, as the kernel gave it */
	double seen;                  /* last poll it held a socket passing the filter */
	double bytes;                 /* this poll's TX+RX, while counting */
	double window;                /* the sum of its samples in the window */
	struct series s;              /* TX+RX bytes a second */
};

struct trends_conn;               /* trends.c: last counters of one connection */

/* The one connection whose history is kept sample by sample (the one the
 * details view shows), from when it was chosen. */
struct trends_watch {
	uint64_t key;                 /* 0: none */
	int seen;                     /* this poll had it */
	struct series rate;           /* TX+RX bytes a second */
	struct series rtt;            /* milliseconds */
};

struct trends {
	double interval;              /* seconds between polls */
	double last;                  /* time of the last poll; 0 none */
	struct series machine[TRENDS_N];
	struct series state[SOCK_ST_MAX];   /* TCP sockets per enum sock_state */
	struct trends_proc **procs;
	size_t nprocs;
	uint32_t *pslot;              /* index + 1 by (pid, start); 0 empty */
	struct trends_conn *conn, *next;    /* this poll's and the last's counters */
	size_t nconn, conncap, nextcap;
	struct trends_watch watch;
	int ascii;                    /* sparklines drawn in plain ASCII */
};

/* NULL when out of memory. interval: the seconds between two polls, so a
 * pause shows as a gap. */
struct trends *trends_new(double interval);
void trends_free(struct trends *tr);
/* One poll: t after sock_table_update, ev its events (NULL: the baseline,
 * which has no rates), f the filter in force (NULL: none). Returns 0 or -1
 * (ENOMEM: some connections' counters or processes are then missing). */
int trends_poll(struct trends *tr, const struct sock_table *t,
                const struct sock_events *ev, const struct filter *f, double now);
/* Makes dst's series (machine, states, processes, the watched connection)
 * those src had at moment, the sample of src's poll nearest it, back over
 * span samples at most: a view of a past moment shows the window that ends
 * there. dst's last counters (for its next poll) stay its own. Returns 0,
 * or -1 when src's rings do not reach back to moment or out of memory (dst
 * then keeps its own series). */
int trends_clip(struct trends *dst, const struct trends *src, double moment, uint64_t span);
/* Keeps rec's connection's rate and RTT a poll from now on (NULL: none). */
void trends_watch(struct trends *tr, const struct sock_rec *rec);
/* The samples the window takes at this interval. */
uint64_t trends_span(const struct trends *tr, double seconds);
/* The process (pid, start) or NULL. */
const struct trends_proc *trends_proc(const struct trends *tr, int pid,
                                      unsigned long long starttime);
/* Bytes held, for the memory figure. */
size_t trends_memory(const struct trends *tr);
const char *trends_name(enum trends_series s);   /* "TX", "new/s", ... */

#endif
