/* worker.c — the collection thread. It only ever runs poller_collect, and
 * only between a request and the main thread's worker_take, so the poller
 * is never used by two threads at once. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "nowrite.h"
#include "privs.h"
#include "worker.h"

/* Wakes the loop's poll(). The counter cannot overflow at one write a
 * poll, and a failed write only delays the wake-up to the loop's timeout. */
static void worker_signal(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));
	(void)n;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char why[sizeof(w->nowrite_why)] = "";
	/* This thread reads the whole system and never needs to write a file:
	 * Landlock cannot narrow it (see privs.h), so seccomp does. */
	int nowrite_rc = nowrite_install(why, sizeof(why));

	pthread_mutex_lock(&w->lock);
	w->nowrite_rc = nowrite_rc;
	memcpy(w->nowrite_why, why, sizeof(why));
	w->ready = 1;
	pthread_cond_broadcast(&w->idle);
	for (;;) {
		while (!w->requested && !w->quit)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->quit)
			break;
		w->requested = 0;
		pthread_mutex_unlock(&w->lock);

		char err[sizeof(w->err)] = "";
		privs_raise(PRIVS_SIGHT);
		int rc = poller_collect(w->poller, err, sizeof(err));
		privs_lower();
		double when = poller_sampled_at(w->poller);

		pthread_mutex_lock(&w->lock);
		w->rc = rc;
		w->when = when;
		memcpy(w->err, err, sizeof(err));
		w->done = 1;
		pthread_cond_broadcast(&w->idle);
		worker_signal(w->fd);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int worker_start(struct worker *w, struct poller *p, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->poller = p;
	w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	/* worker_stop's bounded wait must not jump with the wall clock. */
	pthread_condattr_t mono;
	pthread_condattr_init(&mono);
	pthread_condattr_setclock(&mono, CLOCK_MONOTONIC);
	pthread_cond_init(&w->idle, &mono);
	pthread_condattr_destroy(&mono);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the collection thread: %s", strerror(rc));
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	w->started = 1;
	pthread_mutex_lock(&w->lock);
	while (!w->ready)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void worker_request(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	if (!w->busy) {
		w->busy = 1;
		w->requested = 1;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
}

int worker_busy(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	int busy = w->busy;
	pthread_mutex_unlock(&w->lock);
	return busy;
}

int worker_fd(const struct worker *w)
{
	return w->fd;
}

int worker_take(struct worker *w, int *rc, double *when, char *err, size_t errlen)
{
	uint64_t n;
	if (read(w->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&w->lock);
	int done = w->done;
	if (done) {
		*rc = w->rc;
		*when = w->when;
		snprintf(err, errlen, "%s", w->err);
		w->done = 0;
		w->busy = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return done;
}

void worker_wait(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->busy && !w->done)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* How long quitting waits for a running collection: a poll of a large
 * table ends well within it, and a thread joined leaves nothing running
 * while the process exits (LeakSanitizer cannot stop a thread outside the
 * screen's Landlock domain, and would report its buffers as leaks). */
#define WORKER_STOP_WAIT_NS 500000000L

/* Waits, the lock held, until the running collection ends or the bound
 * passes. */
static void worker_wait_bounded(struct worker *w)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += WORKER_STOP_WAIT_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (w->busy && !w->done)
		if (pthread_cond_timedwait(&w->idle, &w->lock, &until) == ETIMEDOUT)
			break;
}

int worker_stop(struct worker *w)
{
	if (!w->started)
		return 0;
	pthread_mutex_lock(&w->lock);
	worker_wait_bounded(w);
	int busy = w->busy && !w->done;
	if (!busy) {
		w->quit = 1;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	w->started = 0;
	if (busy) {
		/* A collection of a huge table can take seconds; quitting must
		 * not wait that long. The thread is left to finish it and then to wait
		 * for a request that never comes, ending with the process: a
		 * thread exiting while the process exits is what LeakSanitizer's
		 * stop-the-world was seen to hang on. The poller it uses must
		 * not be freed. */
		pthread_detach(w->thread);
		return 1;
	}
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	close(w->fd);
	return 0;
}
