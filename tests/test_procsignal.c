/* test_procsignal.c — a signal reaches the process the map saw, and never
 * one that took its pid since. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procsignal.h"

static pid_t child_waiting(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static int alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void the_process_seen_is_signalled(void **state)
{
	unsigned long long start;
	int status;
	(void)state;
	pid_t pid = child_waiting();
	assert_int_equal(procsignal_starttime("/proc", pid, &start), 0);
	assert_int_equal(procsignal_send("/proc", pid, start, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
}

static void another_start_time_is_another_process_left_alone(void **state)
{
	unsigned long long start;
	(void)state;
	pid_t pid = child_waiting();
	assert_int_equal(procsignal_starttime("/proc", pid, &start), 0);
	/* The pid as if reused: the map saw a process that started earlier. */
	assert_int_equal(procsignal_send("/proc", pid, start - 1, SIGKILL), ESRCH);
	assert_int_equal(procsignal_send("/proc", pid, start + 1, SIGKILL), ESRCH);
	usleep(20000);
	assert_true(alive(pid));
	reap(pid);
}

static void a_gone_process_is_reported_gone(void **state)
{
	unsigned long long start;
	(void)state;
	pid_t pid = child_waiting();
	assert_int_equal(procsignal_starttime("/proc", pid, &start), 0);
	reap(pid);
	assert_int_equal(procsignal_send("/proc", pid, start, SIGTERM), ESRCH);
	assert_int_equal(procsignal_send("/proc", 0, 0, SIGTERM), ESRCH);
	assert_int_equal(procsignal_send("/proc", -1, 0, SIGTERM), ESRCH);
}

/* A recorded /proc whose stat holds a command name with ") " in it. */
static void write_stat(const char *root, pid_t pid, unsigned long long start)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%d", root, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/%d/stat", root, pid);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d (a) b (c) S 1 %d %d 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu "
	        "1000 100\n", pid, pid, pid, start);
	fclose(f);
}

static void the_start_time_is_read_past_a_name_with_parentheses(void **state)
{
	char root[] = "/tmp/test_procsignal.XXXXXX";
	unsigned long long start, real;
	(void)state;
	assert_non_null(mkdtemp(root));
	pid_t pid = child_waiting();
	assert_int_equal(procsignal_starttime("/proc", pid, &real), 0);
	write_stat(root, pid, real + 5);
	assert_int_equal(procsignal_starttime(root, pid, &start), 0);
	assert_int_equal(start, real + 5);
	assert_int_equal(procsignal_send(root, pid, real, SIGKILL), ESRCH);
	usleep(20000);
	assert_true(alive(pid));
	reap(pid);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/* kill(2)'s own check stands: nobody may not signal root's process. */
static void another_users_process_is_the_kernels_eperm(void **state)
{
	unsigned long long start;
	int status;
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(procsignal_starttime("/proc", getpid(), &start), 0);
	pid_t me = getpid(), pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(100);
		_exit(procsignal_send("/proc", me, start, 0));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), EPERM);
}

static void the_menu_offers_term_first_then_kill(void **state)
{
	(void)state;
	assert_true(procsignal_count >= 7);
	assert_int_equal(procsignal_menu[0].sig, SIGTERM);
	assert_string_equal(procsignal_menu[0].name, "TERM");
	assert_int_equal(procsignal_menu[1].sig, SIGKILL);
	assert_string_equal(procsignal_menu[2].name, "HUP");
	assert_string_equal(procsignal_menu[3].name, "INT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_process_seen_is_signalled),
		cmocka_unit_test(another_start_time_is_another_process_left_alone),
		cmocka_unit_test(a_gone_process_is_reported_gone),
		cmocka_unit_test(the_start_time_is_read_past_a_name_with_parentheses),
		cmocka_unit_test(another_users_process_is_the_kernels_eperm),
		cmocka_unit_test(the_menu_offers_term_first_then_kill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
