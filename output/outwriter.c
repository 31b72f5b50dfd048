/* outwriter.c — the --prometheus writer thread (outwriter.h): one request
 * at a time, under one lock, answered before the next. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "outwriter.h"
#include "privs.h"
#include "promfile.h"

struct outwriter {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *path, *dir;           /* the file, and its folder */
	/* set up */
	int ready, landlock_abi;
	char why[320];
	/* one request: data set and pending, then done with rc and err */
	const char *data;
	size_t len;
	int pending, done, quit, rc;
	char err[512];
};

/* The thread may write in dir only (create, replace and remove files
 * there) and read nothing else. */
static int outwriter_narrow(const char *dir, char *why, size_t whylen)
{
	struct privs_policy pol = { .ncaps = 0 };
	struct privs_report rep;
	char err[256];
	int abi = 0;

	memset(&rep, 0, sizeof(rep));
	if (privs_policy_add(&pol, dir, PRIVS_WRITE, err, sizeof(err)) < 0)
		snprintf(why, whylen, "the metrics file's folder is not narrowed: %s", err);
	else if (privs_sandbox(&pol, &rep) < 0)
		snprintf(why, whylen, "%s", rep.note);
	else
		abi = rep.landlock_abi;
	privs_policy_free(&pol);
	return abi;
}

static void *outwriter_main(void *arg)
{
	struct outwriter *w = arg;
	char why[sizeof(w->why)] = "";
	int abi = outwriter_narrow(w->dir, why, sizeof(why));

	pthread_mutex_lock(&w->lock);
	w->landlock_abi = abi;
	memcpy(w->why, why, sizeof(why));
	w->ready = 1;
	pthread_cond_broadcast(&w->cond);
	for (;;) {
		while (!w->pending && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->quit)
			break;
		/* The requester waits under this lock's condition and its data
		 * stays put until done is set. */
		w->rc = promfile_replace(w->path, w->data, w->len, w->err, sizeof(w->err));
		w->pending = 0;
		w->done = 1;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* A folder that is missing now would make Landlock refuse every write with
 * a misleading "Permission denied": say what is wrong at once. */
static int outwriter_check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "--prometheus: %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--prometheus: %s: not a folder", dir);
		return -1;
	}
	return 0;
}

static void outwriter_free(struct outwriter *w)
{
	free(w->path);
	free(w->dir);
	free(w);
}

struct outwriter *outwriter_start(const char *path, int *landlock_abi, char *why,
                                  size_t whylen, char *err, size_t errlen)
{
	struct outwriter *w = calloc(1, sizeof(*w));
	char *copy = strdup(path);

	if (!w || !copy || !(w->path = strdup(path)) || !(w->dir = strdup(dirname(copy)))) {
		free(copy);
		if (w)
			outwriter_free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	free(copy);
	if (outwriter_check_dir(w->dir, err, errlen) < 0) {
		outwriter_free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	/* Signals are for the reading thread, whose waits they cut short. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, outwriter_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the --prometheus writer: %s", strerror(rc));
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		outwriter_free(w);
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->ready)
		pthread_cond_wait(&w->cond, &w->lock);
	*landlock_abi = w->landlock_abi;
	snprintf(why, whylen, "%s", w->why);
	pthread_mutex_unlock(&w->lock);
	return w;
}

int outwriter_replace(struct outwriter *w, const char *data, size_t len,
                      char *err, size_t errlen)
{
	pthread_mutex_lock(&w->lock);
	w->data = data;
	w->len = len;
	w->done = 0;
	w->pending = 1;
	pthread_cond_broadcast(&w->cond);
	while (!w->done)
		pthread_cond_wait(&w->cond, &w->lock);
	int rc = w->rc;
	if (rc < 0)
		snprintf(err, errlen, "%s", w->err);
	w->data = NULL;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void outwriter_stop(struct outwriter *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	outwriter_free(w);
}
