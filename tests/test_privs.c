/* test_privs.c — tui/privs: the capabilities each mode keeps, and that the
 * Landlock sandbox really refuses writes outside the named outputs while
 * /proc stays readable. Landlock cannot be undone, so each sandbox test
 * applies it in a child process and reports what the child saw. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "privs.h"

static int has_cap(const struct privs_policy *pol, unsigned cap)
{
	for (size_t i = 0; i < pol->ncaps; i++)
		if (pol->caps[i] == cap)
			return 1;
	return 0;
}

static void policy_of(struct privs_policy *pol, enum options_mode mode, int read_only)
{
	struct options o;
	char err[256];
	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.read_only = read_only;
	assert_int_equal(privs_policy_for(pol, &o, err, sizeof(err)), 0);
}

static void test_fd_tables_need_ptrace_and_dac_read_search(void **state)
{
	(void)state;
	struct privs_policy pol;
	policy_of(&pol, MODE_BATCH, 0);
	assert_true(has_cap(&pol, CAP_SYS_PTRACE));
	assert_true(has_cap(&pol, CAP_DAC_READ_SEARCH));
	assert_false(has_cap(&pol, CAP_DAC_OVERRIDE));
	assert_false(has_cap(&pol, CAP_SETUID));
	privs_policy_free(&pol);
}

static void test_screen_keeps_net_admin_for_closing_connections(void **state)
{
	(void)state;
	struct privs_policy pol;
	policy_of(&pol, MODE_SCREEN, 0);
	assert_true(has_cap(&pol, CAP_NET_ADMIN));
	privs_policy_free(&pol);
}

static void test_read_only_and_events_drop_net_admin(void **state)
{
	(void)state;
	struct privs_policy pol;
	policy_of(&pol, MODE_SCREEN, 1);
	assert_false(has_cap(&pol, CAP_NET_ADMIN));
	privs_policy_free(&pol);
	policy_of(&pol, MODE_EVENTS, 0);
	assert_false(has_cap(&pol, CAP_NET_ADMIN));
	privs_policy_free(&pol);
}

/* Root signals any process from the screen (F9); nothing else keeps
 * CAP_KILL, and a user other than root never gets it. */
static void test_only_roots_screen_keeps_cap_kill(void **state)
{
	(void)state;
	struct privs_policy pol;
	policy_of(&pol, MODE_SCREEN, 0);
	assert_int_equal(has_cap(&pol, CAP_KILL), getuid() == 0);
	privs_policy_free(&pol);
	policy_of(&pol, MODE_SCREEN, 1);
	assert_false(has_cap(&pol, CAP_KILL));
	privs_policy_free(&pol);
	policy_of(&pol, MODE_BATCH, 0);
	assert_false(has_cap(&pol, CAP_KILL));
	privs_policy_free(&pol);
}

/* ---- the sandbox, in a child ---- */

static char tmpdir[64], outdir[64];

static int setup_dirs(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_privs.XXXXXX");
	snprintf(outdir, sizeof(outdir), "/tmp/test_privs_out.XXXXXX");
	return mkdtemp(tmpdir) && mkdtemp(outdir) ? 0 : -1;
}

static int teardown_dirs(void **state)
{
	(void)state;
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", tmpdir, outdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* In a child: the batch policy plus outdir for writing, applied; then
 * probe(), whose result (an errno, 0 for success) is the exit status.
 * 255 means the sandbox could not be applied. */
static int sandboxed(int (*probe)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		struct privs_policy pol;
		struct privs_report rep;
		char err[256];
		memset(&rep, 0, sizeof(rep));
		policy_of(&pol, MODE_BATCH, 0);
		if (privs_policy_add(&pol, outdir, PRIVS_WRITE, err, sizeof(err)) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || privs_sandbox(&pol, &rep) < 0)
			_exit(255);
		_exit(probe());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 255);
	return WEXITSTATUS(status);
}

static int write_in(const char *dir)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/x", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int probe_write_tmp(void) { return write_in(tmpdir); }
static int probe_write_output(void) { return write_in(outdir); }

/* An output rewritten atomically: a temporary beside it, renamed over. */
static int probe_replace_output(void)
{
	char tmp[128], dest[128];
	snprintf(tmp, sizeof(tmp), "%s/out.tmp", outdir);
	snprintf(dest, sizeof(dest), "%s/out", outdir);
	for (int round = 0; round < 2; round++) {
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return errno;
		close(fd);
		if (rename(tmp, dest) < 0)
			return errno;
	}
	return 0;
}

static int probe_read_proc(void)
{
	char buf[256];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? 0 : EIO;
}

static int probe_read_etc(void)
{
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_sandbox_refuses_writing_outside_the_outputs(void **state)
{
	(void)state;
	assert_int_equal(sandboxed(probe_write_tmp), EACCES);
	/* and the same write works unsandboxed: the refusal is the sandbox's */
	assert_int_equal(probe_write_tmp(), 0);
}

static void test_sandbox_lets_a_named_output_be_replaced(void **state)
{
	(void)state;
	assert_int_equal(sandboxed(probe_write_output), 0);
	assert_int_equal(sandboxed(probe_replace_output), 0);
}

static void test_sandbox_still_reads_proc_and_etc(void **state)
{
	(void)state;
	assert_int_equal(sandboxed(probe_read_proc), 0);
	assert_int_equal(sandboxed(probe_read_etc), 0);
}

/* W's folder is writable before its first save created it: the rule
 * names the nearest folder that exists, never the root. */
static void test_config_save_dir_is_the_nearest_existing_folder(void **state)
{
	(void)state;
	char top[] = "/tmp/test_privs.XXXXXX", path[128], want[128], buf[256], cwd[4096];
	struct options o;

	memset(&o, 0, sizeof(o));
	assert_non_null(mkdtemp(top));
	snprintf(path, sizeof(path), "%s/sockeye/config", top);
	o.config_path = path;
	assert_string_equal(privs_config_save_dir(&o, buf, sizeof(buf)), top);
	snprintf(want, sizeof(want), "%s/sockeye", top);
	assert_int_equal(mkdir(want, 0700), 0);
	assert_string_equal(privs_config_save_dir(&o, buf, sizeof(buf)), want);
	/* relative: from the current directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(top), 0);
	o.config_path = "sockeye/config";
	assert_string_equal(privs_config_save_dir(&o, buf, sizeof(buf)), want);
	assert_int_equal(chdir(cwd), 0);
	o.config_path = "/config";
	assert_null(privs_config_save_dir(&o, buf, sizeof(buf)));
	o.config_path = NULL;
	assert_null(privs_config_save_dir(&o, buf, sizeof(buf)));
	rmdir(want);
	rmdir(top);
}

/* ---- an ordinary user with the recipe's capabilities ---- */

static uint64_t thread_caps(int effective)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return ~0ULL;
	return effective ? (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32
	                 : (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
}

#define BIT(c) (1ULL << (c))
#define RECIPE (BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_NET_ADMIN))

/* Runs probe in a child that is uid 65534 and holds the recipe's
 * capabilities, permitted and effective, as a file-capable exec gives
 * them; the child's exit status (0 passed, else the failed step), or
 * -1 when this test cannot become another user (not root). */
static int as_capable_nobody(int (*probe)(void))
{
	if (getuid() != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2] = { { 0 } };
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(100);
		d[0].permitted = d[0].effective = (uint32_t)RECIPE;
		if (syscall(SYS_capset, &h, d) < 0)
			_exit(101);
		_exit(probe());
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 102;
	return WEXITSTATUS(st);
}

static int probe_caps_raised_only_around_a_step(void)
{
	char err[256];
	if (privs_start(err, sizeof(err)) < 0 || thread_caps(1) != 0)
		return 1;              /* started lowered */
	if (thread_caps(0) != RECIPE || !privs_sees_all_owners())
		return 2;              /* still permitted: every owner in sight */
	privs_raise(PRIVS_SIGHT);
	if (thread_caps(1) != (BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH)))
		return 3;              /* never more than the step needs */
	privs_lower();
	privs_raise(PRIVS_CLOSE);
	if (thread_caps(1) != BIT(CAP_NET_ADMIN))
		return 4;
	privs_lower();
	if (thread_caps(1) != 0)
		return 5;
	/* a file only root may read stays closed while lowered */
	if (open("/etc/shadow", O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES)
		return 6;
	return 0;
}

static void test_capable_user_holds_rights_lowered_until_a_step(void **state)
{
	(void)state;
	int rc = as_capable_nobody(probe_caps_raised_only_around_a_step);
	if (rc < 0)
		skip();
	assert_int_equal(rc, 0);
}

static int probe_close_only_own(void)
{
	char why[256] = "";
	if (privs_may_close(65534, why, sizeof(why)) != 1)
		return 1;
	if (privs_may_close(0, why, sizeof(why)) != 0 || !strstr(why, "uid 0's, not yours"))
		return 2;
	if (privs_may_close(1000, why, sizeof(why)) != 0)
		return 3;
	return 0;
}

static void test_user_closes_only_their_own_connections(void **state)
{
	(void)state;
	char why[256];
	if (getuid() == 0) {    /* root may close any */
		assert_int_equal(privs_may_close(0, why, sizeof(why)), 1);
		assert_int_equal(privs_may_close(65534, why, sizeof(why)), 1);
	}
	int rc = as_capable_nobody(probe_close_only_own);
	if (rc < 0)
		skip();
	assert_int_equal(rc, 0);
}

static int probe_set_user_id_refused(void)
{
	char err[256];
	if (setresuid(65534, 0, 0) < 0)   /* real nobody, effective root */
		return 1;
	if (privs_start(err, sizeof(err)) != -1 || !strstr(err, "set-user-ID"))
		return 2;
	return 0;
}

static void test_set_user_id_start_is_refused(void **state)
{
	(void)state;
	if (getuid() != 0)
		skip();
	pid_t pid = fork();
	if (pid == 0)
		_exit(probe_set_user_id_refused());
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int probe_no_sight_without_the_fd_capabilities(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	d[0].permitted = (uint32_t)BIT(CAP_NET_ADMIN);
	if (syscall(SYS_capset, &h, d) < 0)
		return 1;
	return privs_sees_all_owners() ? 2 : 0;
}

static void test_sight_needs_both_fd_capabilities(void **state)
{
	(void)state;
	int rc = as_capable_nobody(probe_no_sight_without_the_fd_capabilities);
	if (rc < 0)
		skip();
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest policy[] = {
		cmocka_unit_test(test_fd_tables_need_ptrace_and_dac_read_search),
		cmocka_unit_test(test_screen_keeps_net_admin_for_closing_connections),
		cmocka_unit_test(test_read_only_and_events_drop_net_admin),
		cmocka_unit_test(test_only_roots_screen_keeps_cap_kill),
		cmocka_unit_test(test_config_save_dir_is_the_nearest_existing_folder),
		cmocka_unit_test(test_capable_user_holds_rights_lowered_until_a_step),
		cmocka_unit_test(test_user_closes_only_their_own_connections),
		cmocka_unit_test(test_set_user_id_start_is_refused),
		cmocka_unit_test(test_sight_needs_both_fd_capabilities),
	};
	const struct CMUnitTest sandbox[] = {
		cmocka_unit_test(test_sandbox_refuses_writing_outside_the_outputs),
		cmocka_unit_test(test_sandbox_lets_a_named_output_be_replaced),
		cmocka_unit_test(test_sandbox_still_reads_proc_and_etc),
	};
	int failed = cmocka_run_group_tests(policy, NULL, NULL);
	if (!privs_landlock_abi()) {
		fprintf(stderr, "SKIP: this kernel has no Landlock (or it is off): the "
		        "sandbox tests cannot run\n");
		return failed ? 1 : 77;
	}
	return failed + cmocka_run_group_tests(sandbox, setup_dirs, teardown_dirs);
}
