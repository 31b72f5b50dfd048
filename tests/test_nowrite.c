/* test_nowrite.c — tui/nowrite: once the filter is on, a thread can no
 * longer create, change or remove a file by any of the usual calls, while
 * it still reads /proc and /etc and writes to what it had open; threads it
 * starts afterwards are filtered too, threads that already ran are not.
 * A filter cannot be taken off, so each test installs it in a child
 * process, which reports what it saw in its exit status (an errno; 0 for
 * success; 255 when the filter could not be installed). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "nowrite.h"

static char dir[64], existing[128], fresh[128];
static const char text[] = "left as it was\n";
static mode_t existing_mode;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_nowrite.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(existing, sizeof(existing), "%s/existing", dir);
	snprintf(fresh, sizeof(fresh), "%s/fresh", dir);
	FILE *f = fopen(existing, "w");
	if (!f)
		return -1;
	fputs(text, f);
	struct stat st;
	if (fclose(f) != 0 || stat(existing, &st) < 0)
		return -1;
	existing_mode = st.st_mode & 07777;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* probe() in a child, filtered first when filtered is set. */
static int in_child(int (*probe)(void), int filtered)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char why[256];
		if (filtered && nowrite_install(why, sizeof(why)) < 0) {
			fprintf(stderr, "nowrite_install: %s\n", why);
			_exit(255);
		}
		_exit(probe());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 255);
	return WEXITSTATUS(status);
}

static int result(int rc)
{
	return rc < 0 ? errno : 0;
}

static int opened(int fd)
{
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* ---- the probes ---- */

static int probe_create(void)
{
	return opened(open(fresh, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
}

static int probe_open_rdwr(void)
{
	return opened(openat(AT_FDCWD, existing, O_RDWR | O_CLOEXEC));
}

static int probe_truncate_by_open(void)
{
	/* O_TRUNC with O_RDONLY still truncates on Linux */
	return opened(open(existing, O_RDONLY | O_TRUNC | O_CLOEXEC));
}

static int probe_append(void)
{
	return opened(open(existing, O_WRONLY | O_APPEND | O_CLOEXEC));
}

static int probe_creat(void) { return opened(creat(fresh, 0600)); }
static int probe_truncate(void) { return result(truncate(existing, 0)); }
static int probe_unlink(void) { return result(unlink(existing)); }
static int probe_rename(void) { return result(rename(existing, fresh)); }
static int probe_mkdir(void) { return result(mkdir(fresh, 0700)); }
static int probe_symlink(void) { return result(symlink(existing, fresh)); }
static int probe_link(void) { return result(link(existing, fresh)); }
static int probe_chmod(void) { return result(chmod(existing, 0666)); }

static int probe_read_proc_and_etc(void)
{
	char buf[64];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return EIO;
	return opened(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
}

/* The descriptor opened before the filter: still written to. */
static int write_fd = -1;
static int probe_write_open_fd(void)
{
	return write(write_fd, "x", 1) == 1 ? 0 : errno;
}

static void *thread_create(void *arg)
{
	*(int *)arg = probe_create();
	return NULL;
}

static int probe_thread_started_after(void)
{
	pthread_t t;
	int seen = -1;
	if (pthread_create(&t, NULL, thread_create, &seen) != 0)
		return 254;
	pthread_join(t, NULL);
	return seen;
}

/* A thread that was already running when another thread installed the
 * filter (the screen thread, beside the collector) keeps writing. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int go;

static void *thread_waits_then_creates(void *arg)
{
	pthread_mutex_lock(&lock);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	*(int *)arg = probe_create();
	return NULL;
}

/* ---- the tests ---- */

static void assert_file_unchanged(void)
{
	char buf[64] = "";
	FILE *f = fopen(existing, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	assert_int_equal(n, strlen(text));
	assert_string_equal(buf, text);
	struct stat st;
	assert_int_equal(stat(existing, &st), 0);
	assert_int_equal(st.st_mode & 07777, existing_mode);
	assert_int_equal(lstat(fresh, &st), -1);
}

static void test_every_way_of_writing_a_file_is_refused(void **state)
{
	(void)state;
	int (*probes[])(void) = { probe_create, probe_open_rdwr, probe_truncate_by_open,
	                          probe_append, probe_creat, probe_truncate, probe_unlink,
	                          probe_rename, probe_mkdir, probe_symlink, probe_link,
	                          probe_chmod };
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		assert_int_equal(in_child(probes[i], 1), EACCES);
		assert_file_unchanged();
	}
}

static void test_without_the_filter_the_same_writes_work(void **state)
{
	(void)state;
	assert_int_equal(in_child(probe_create, 0), 0);
	assert_int_equal(unlink(fresh), 0);
	assert_int_equal(in_child(probe_chmod, 0), 0);
	assert_int_equal(chmod(existing, existing_mode), 0);
}

static void test_reading_proc_and_etc_still_works(void **state)
{
	(void)state;
	assert_int_equal(in_child(probe_read_proc_and_etc, 1), 0);
}

static void test_descriptors_open_before_are_still_written(void **state)
{
	(void)state;
	int fds[2];
	char c = 0;
	assert_int_equal(pipe(fds), 0);
	write_fd = fds[1];
	assert_int_equal(in_child(probe_write_open_fd, 1), 0);
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	close(fds[0]);
}

static void test_threads_started_afterwards_are_filtered(void **state)
{
	(void)state;
	assert_int_equal(in_child(probe_thread_started_after, 1), EACCES);
	assert_file_unchanged();
}

static int probe_other_thread_still_writes(void)
{
	pthread_t t;
	int seen = -1;
	char why[256];
	if (pthread_create(&t, NULL, thread_waits_then_creates, &seen) != 0)
		return 254;
	if (nowrite_install(why, sizeof(why)) < 0)
		return 253;
	int mine = probe_create();          /* this thread: refused */
	pthread_mutex_lock(&lock);
	go = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	return mine == EACCES && seen == 0 ? 0 : 100 + (seen > 100 ? 99 : seen);
}

static void test_a_thread_already_running_keeps_writing(void **state)
{
	(void)state;
	assert_int_equal(in_child(probe_other_thread_still_writes, 0), 0);
	assert_int_equal(unlink(fresh), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_way_of_writing_a_file_is_refused),
		cmocka_unit_test(test_without_the_filter_the_same_writes_work),
		cmocka_unit_test(test_reading_proc_and_etc_still_works),
		cmocka_unit_test(test_descriptors_open_before_are_still_written),
		cmocka_unit_test(test_threads_started_afterwards_are_filtered),
		cmocka_unit_test(test_a_thread_already_running_keeps_writing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
