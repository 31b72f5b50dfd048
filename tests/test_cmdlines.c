/* test_cmdlines.c — the owners' command lines as the COMMAND cells and the
 * JSON read them: whole however long, joined by spaces, per process (pid
 * and start time), and read again only after a poll. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdlines.h"
#include "procmap.h"

#define PID 4242
#define START 777ULL

struct fx {
	char root[64];
	struct procmap *pm;
	struct cmdlines *c;
	const struct column_cmdlines *src;
};

static void put(const struct fx *f, const char *name, const char *data, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%d/%s", f->root, PID, name);
	FILE *o = fopen(path, "w");
	assert_non_null(o);
	assert_int_equal(fwrite(data, 1, len, o), len);
	fclose(o);
}

/* A /proc of one process: its stat (start time START) and cmdline. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char dir[96];
	snprintf(f->root, sizeof(f->root), "/tmp/test_cmdlines.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(dir, sizeof(dir), "%s/%d", f->root, PID);
	assert_int_equal(mkdir(dir, 0755), 0);
	static const char stat[] = "4242 (fake) S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0\n";
	put(f, "stat", stat, sizeof(stat) - 1);
	f->pm = procmap_new(f->root);
	f->c = cmdlines_new(f->pm);
	assert_non_null(f->c);
	f->src = cmdlines_source(f->c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
	cmdlines_free(f->c);
	procmap_free(f->pm);
	snprintf(path, sizeof(path), "%s/%d/stat", f->root, PID);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d/cmdline", f->root, PID);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", f->root, PID);
	rmdir(path);
	rmdir(f->root);
	free(f);
	return 0;
}

static const char *get(const struct fx *f, int pid, unsigned long long start)
{
	return f->src->get(f->src->ctx, pid, start);
}

static void arguments_are_joined_by_spaces_like_ps(void **state)
{
	struct fx *f = *state;
	static const char args[] = "nginx: worker\0-c\0/etc/nginx.conf\0";
	put(f, "cmdline", args, sizeof(args) - 1);
	assert_string_equal(get(f, PID, START), "nginx: worker -c /etc/nginx.conf");
}

/* The JSON wants the exact bytes: a command line longer than the first
 * read is read whole. */
static void a_long_command_line_is_read_whole(void **state)
{
	struct fx *f = *state;
	size_t n = 20000;
	char *args = malloc(n);
	memset(args, 'x', n);
	args[n / 2] = '\0';
	put(f, "cmdline", args, n);
	const char *got = get(f, PID, START);
	assert_non_null(got);
	assert_int_equal(strlen(got), n);
	assert_int_equal(got[n / 2], ' ');
	free(args);
}

static void kept_until_the_next_poll(void **state)
{
	struct fx *f = *state;
	put(f, "cmdline", "old\0", 4);
	assert_string_equal(get(f, PID, START), "old");
	put(f, "cmdline", "new\0", 4);
	assert_string_equal(get(f, PID, START), "old");     /* a redraw reads nothing */
	f->src->forget(f->src->ctx);
	assert_string_equal(get(f, PID, START), "new");     /* after exec, the new one */
}

/* Gone, or the pid now another process's: nothing, never another's line. */
static void unreadable_or_reused_pids_have_none(void **state)
{
	struct fx *f = *state;
	put(f, "cmdline", "a\0", 2);
	assert_null(get(f, PID + 1, START));
	assert_null(get(f, PID, START + 1));
	assert_null(get(f, 0, 0));
	assert_string_equal(get(f, PID, START), "a");
}

/* Kernel threads have an empty command line: "", not unreadable. */
static void an_empty_command_line_is_empty_not_unknown(void **state)
{
	struct fx *f = *state;
	put(f, "cmdline", "", 0);
	assert_string_equal(get(f, PID, START), "");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(arguments_are_joined_by_spaces_like_ps),
		T(a_long_command_line_is_read_whole),
		T(kept_until_the_next_poll),
		T(unreadable_or_reused_pids_have_none),
		T(an_empty_command_line_is_empty_not_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
