/* worker.h — collection off the screen's thread: a worker thread runs
 * poller_collect when asked and says so on a file descriptor, so the event
 * loop keeps answering keys while the kernel's table is read. */
#ifndef SOCKEYE_WORKER_H
#define SOCKEYE_WORKER_H

#include <pthread.h>
#include <stddef.h>
#include "poller.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;          /* main -> worker: a request or quit */
	pthread_cond_t idle;          /* worker -> main: a collection ended */
	int requested, busy, done, quit, started;
	int fd;                       /* eventfd: readable when done */
	struct poller *poller;        /* borrowed */
	int rc;                       /* result of the last collection */
	double when;                  /* epoch seconds it started */
	char err[512];
	int ready;                    /* the thread has set itself up */
	int nowrite_rc;               /* nowrite_install's result in the thread */
	char nowrite_why[256];        /* why it failed */
};

/* Starts the thread, which first shuts itself off from writing files
 * (nowrite.h; w->nowrite_rc and w->nowrite_why say how that went) before
 * this returns. Returns 0, or -1 with err filled. */
int worker_start(struct worker *w, struct poller *p, char *err, size_t errlen);
/* Asks for one collection; ignored while one is running. */
void worker_request(struct worker *w);
/* 1 while a collection is asked for or running: the poller's owner map and
 * snapshot belong to the worker until worker_take. */
int worker_busy(struct worker *w);
/* The descriptor poll() watches. */
int worker_fd(const struct worker *w);
/* After worker_fd was readable: 1 and the collection's result (rc 0, or
 * -1 with err) and start time when one finished, else 0. */
int worker_take(struct worker *w, int *rc, double *when, char *err, size_t errlen);
/* Waits for a running collection to end (then take it with worker_take). */
void worker_wait(struct worker *w);
/* Stops the thread. Returns 0 when it is joined; 1 when a collection was
 * running and the thread was left to end with the process: the poller is
 * then still in use and must not be freed. */
int worker_stop(struct worker *w);

#endif
