/* test_sockstat.c — a namespace's own socket counts, from sockstat files
 * recorded in network namespaces made for it (tests/fixtures/sockstat),
 * and which protocols' dumps they leave out. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sock.h"
#include "sockstat.h"

#define WANT_BOTH (SOCK_WANT_TCP | SOCK_WANT_UDP | SOCK_WANT_V4 | SOCK_WANT_V6)

/* The counts of fixture case (both files), parsed from their text. */
static struct sockstat_counts parsed(const char *kase)
{
	static const char *files[] = { "sockstat", "sockstat6" };
	struct sockstat_counts c;
	sockstat_init(&c);
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX], text[1024];
		snprintf(path, sizeof(path), "%s/sockstat/%s/%s", FIXTURES, kase, files[i]);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		sockstat_parse(text, &c);
	}
	return c;
}

static void a_busy_namespaces_counts_are_read(void **state)
{
	(void)state;
	struct sockstat_counts c = parsed("busy");
	assert_int_equal(c.tcp, 3);      /* a listener and both ends of a pair */
	assert_int_equal(c.tcp6, 0);
	assert_int_equal(c.tcp_tw, 0);
	assert_int_equal(c.udp, 1);
	assert_int_equal(c.udp6, 0);
	assert_int_equal(sockstat_narrow(&c, WANT_BOTH), WANT_BOTH);
}

static void an_empty_namespace_needs_no_dump(void **state)
{
	(void)state;
	struct sockstat_counts c = parsed("empty");
	unsigned want = sockstat_narrow(&c, WANT_BOTH);
	assert_int_equal(want & (SOCK_WANT_TCP | SOCK_WANT_UDP), 0);
}

static void time_wait_alone_still_needs_the_tcp_dump(void **state)
{
	(void)state;
	struct sockstat_counts c = parsed("timewait-only");
	assert_int_equal(c.tcp, 0);
	assert_int_equal(c.tcp_tw, 1);
	assert_int_equal(sockstat_narrow(&c, WANT_BOTH), WANT_BOTH & ~SOCK_WANT_UDP);
}

static void an_ipv6_udp_socket_alone_needs_only_the_udp_dump(void **state)
{
	(void)state;
	struct sockstat_counts c = parsed("udp6-only");
	assert_int_equal(c.udp6, 1);
	assert_int_equal(sockstat_narrow(&c, WANT_BOTH), WANT_BOTH & ~SOCK_WANT_TCP);
}

static void an_unknown_count_keeps_its_protocol(void **state)
{
	(void)state;
	struct sockstat_counts c;
	sockstat_init(&c);
	sockstat_parse("TCP: inuse 0 orphan 0 tw 0 alloc 1 mem 221\nUDP: garbage\n", &c);
	/* TCP6 and UDP never read: nothing may be left out. */
	assert_int_equal(sockstat_narrow(&c, WANT_BOTH), WANT_BOTH);
}

/* A directory standing for /proc/<pid>: net/ links to a fixture case, or
 * to a copy without sockstat6 (a kernel without IPv6). */
struct fakepid {
	char dir[256];
	int fd;
};

static void fakepid_make(struct fakepid *p, const char *kase, int with6)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	/* net leaves room in dst for its file names. */
	char net[PATH_MAX - 16], src[PATH_MAX], dst[PATH_MAX];
	snprintf(p->dir, sizeof(p->dir), "%s/test_sockstat.XXXXXX", tmp);
	assert_non_null(mkdtemp(p->dir));
	snprintf(net, sizeof(net), "%s/net", p->dir);
	assert_int_equal(mkdir(net, 0755), 0);
	snprintf(src, sizeof(src), "%s/sockstat/%s/sockstat", FIXTURES, kase);
	snprintf(dst, sizeof(dst), "%s/sockstat", net);
	assert_int_equal(symlink(src, dst), 0);
	if (with6) {
		snprintf(src, sizeof(src), "%s/sockstat/%s/sockstat6", FIXTURES, kase);
		snprintf(dst, sizeof(dst), "%s/sockstat6", net);
		assert_int_equal(symlink(src, dst), 0);
	}
	p->fd = open(p->dir, O_RDONLY | O_DIRECTORY);
	assert_true(p->fd >= 0);
}

static void fakepid_remove(struct fakepid *p)
{
	char path[PATH_MAX];
	close(p->fd);
	snprintf(path, sizeof(path), "%s/net/sockstat", p->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/net/sockstat6", p->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/net", p->dir);
	rmdir(path);
	rmdir(p->dir);
}

static void both_files_are_read_through_a_pid_directory(void **state)
{
	(void)state;
	struct fakepid p;
	struct sockstat_counts c;
	char err[256] = "";
	fakepid_make(&p, "udp6-only", 1);
	assert_int_equal(sockstat_read(p.fd, &c, err, sizeof(err)), 0);
	assert_int_equal(c.tcp, 0);
	assert_int_equal(c.udp6, 1);
	fakepid_remove(&p);
}

static void no_sockstat6_counts_no_ipv6_socket(void **state)
{
	(void)state;
	struct fakepid p;
	struct sockstat_counts c;
	char err[256] = "";
	fakepid_make(&p, "empty", 0);
	assert_int_equal(sockstat_read(p.fd, &c, err, sizeof(err)), 0);
	assert_int_equal(c.tcp6, 0);
	assert_int_equal(c.udp6, 0);
	assert_int_equal(sockstat_narrow(&c, WANT_BOTH) & (SOCK_WANT_TCP | SOCK_WANT_UDP), 0);
	fakepid_remove(&p);
}

static void a_missing_sockstat_is_an_error_naming_it(void **state)
{
	(void)state;
	struct sockstat_counts c;
	char err[256] = "";
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/test_sockstat.XXXXXX", tmp);
	assert_non_null(mkdtemp(dir));
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(sockstat_read(fd, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "net/sockstat"));
	close(fd);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_busy_namespaces_counts_are_read),
		cmocka_unit_test(an_empty_namespace_needs_no_dump),
		cmocka_unit_test(time_wait_alone_still_needs_the_tcp_dump),
		cmocka_unit_test(an_ipv6_udp_socket_alone_needs_only_the_udp_dump),
		cmocka_unit_test(an_unknown_count_keeps_its_protocol),
		cmocka_unit_test(both_files_are_read_through_a_pid_directory),
		cmocka_unit_test(no_sockstat6_counts_no_ipv6_socket),
		cmocka_unit_test(a_missing_sockstat_is_an_error_naming_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
