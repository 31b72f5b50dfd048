/* test_netns.c — finding and naming network namespaces: a /proc tree and a
 * /run/netns made for each test (links in the kernel's own "net:[N]" form,
 * as readlink /proc/<pid>/ns/net gives it; named namespaces are files whose
 * inode stands for the bind-mounted namespace's), and the /proc/net
 * fallback reading a namespace through a process inside it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"
#include "procnet.h"
#include "sock.h"

#define HOST_INO 4026531840ULL     /* the init namespace's inode on Linux */
#define CONTAINER_INO 4026532500ULL

struct tree {
	char root[256], proc[512], run[512];
	uint64_t blue_ino, red_ino;
};

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

/* <proc>/<who>/ns/net -> "net:[ino]" */
static void add_proc(struct tree *t, const char *who, uint64_t ino)
{
	char dir[1024], link[1100], target[64];
	snprintf(dir, sizeof(dir), "%s/%s/ns", t->proc, who);
	mkdirs(dir);
	snprintf(link, sizeof(link), "%s/net", dir);
	snprintf(target, sizeof(target), "net:[%llu]", (unsigned long long)ino);
	assert_int_equal(symlink(target, link), 0);
}

static uint64_t add_named(struct tree *t, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", t->run, name);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void remove_proc(struct tree *t, const char *who)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/ns/net", t->proc, who);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s/ns", t->proc, who);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/%s", t->proc, who);
	rmdir(path);
}

/* <proc>/<who>/ns/net now names ino, in the same directory: a process
 * that moved with setns(2) or unshare(2), keeping its pid. */
static void move_proc(struct tree *t, const char *who, uint64_t ino)
{
	char link[PATH_MAX], target[64];
	snprintf(link, sizeof(link), "%s/%s/ns/net", t->proc, who);
	assert_int_equal(unlink(link), 0);
	snprintf(target, sizeof(target), "net:[%llu]", (unsigned long long)ino);
	assert_int_equal(symlink(target, link), 0);
}

/* <proc>/<who> replaced by a new directory (a new inode, as a new
 * process's /proc directory has) whose link names ino: the pid reused. */
static void reuse_pid(struct tree *t, const char *who, uint64_t ino)
{
	char fresh[PATH_MAX], old[PATH_MAX];
	snprintf(fresh, sizeof(fresh), "%s.new", who);
	add_proc(t, fresh, ino);     /* made while the old one exists */
	remove_proc(t, who);
	snprintf(old, sizeof(old), "%s/%s", t->proc, who);
	snprintf(fresh, sizeof(fresh), "%s/%s.new", t->proc, who);
	assert_int_equal(rename(fresh, old), 0);
}

/* pid 1 and sockeye in the host's namespace; pid 42 in the one named
 * "blue" (also linked as "cyan": two names); pids 43 and 44 share an
 * unnamed one (a container); "red" is named with no process inside. */
static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char cyan[PATH_MAX + 8], blue[PATH_MAX + 8], other[PATH_MAX + 8];

	snprintf(t->root, sizeof(t->root), "%s/test_netns.XXXXXX", tmp);
	assert_non_null(mkdtemp(t->root));
	snprintf(t->proc, sizeof(t->proc), "%s/proc", t->root);
	snprintf(t->run, sizeof(t->run), "%s/run/netns", t->root);
	mkdirs(t->proc);
	mkdirs(t->run);
	t->blue_ino = add_named(t, "blue");
	snprintf(cyan, sizeof(cyan), "%s/cyan", t->run);
	snprintf(blue, sizeof(blue), "%s/blue", t->run);
	assert_int_equal(link(blue, cyan), 0);
	t->red_ino = add_named(t, "red");
	add_proc(t, "1", HOST_INO);
	add_proc(t, "self", HOST_INO);
	add_proc(t, "42", t->blue_ino);
	add_proc(t, "43", CONTAINER_INO);
	add_proc(t, "44", CONTAINER_INO);
	snprintf(other, sizeof(other), "%s/sys", t->proc); /* not a process */
	mkdirs(other);
	*state = t;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(path);
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static struct netns_set *scanned(struct tree *t)
{
	char err[256] = "";
	struct netns_set *s = netns_new(t->proc, t->run);
	assert_non_null(s);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	return s;
}

/* Scanned three times: past the first read and the second look. */
static struct netns_set *settled(struct tree *t)
{
	char err[256] = "";
	struct netns_set *s = scanned(t);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	return s;
}

static const struct netns_space *space_of(const struct netns_set *s, uint64_t ino)
{
	for (size_t i = 0; i < netns_count(s); i++)
		if (netns_at(s, i)->inode == ino)
			return netns_at(s, i);
	return NULL;
}

/* ---- tests ---- */

static void each_namespace_in_use_is_found_once(void **state)
{
	struct tree *t = *state;
	struct netns_set *s = scanned(t);
	assert_int_equal(netns_count(s), 4);
	assert_non_null(space_of(s, HOST_INO));
	assert_non_null(space_of(s, t->blue_ino));
	assert_non_null(space_of(s, CONTAINER_INO));
	assert_non_null(space_of(s, t->red_ino));
	netns_free(s);
}

static void pid_1s_namespace_is_called_host(void **state)
{
	struct tree *t = *state;
	struct netns_set *s = scanned(t);
	const struct netns_space *h = space_of(s, HOST_INO);
	assert_string_equal(h->name, "host");
	assert_true(h->host);
	assert_true(h->self);
	/* Our own being the host's, its records carry no namespace. */
	assert_int_equal(netns_self_inode(s), 0);
	assert_null(netns_self_name(s));
	netns_free(s);
}

static void a_namespace_named_twice_takes_the_first_name_in_byte_order(void **state)
{
	struct tree *t = *state;
	struct netns_set *s = scanned(t);
	const struct netns_space *b = space_of(s, t->blue_ino);
	assert_string_equal(b->name, "blue");
	assert_false(b->host);
	assert_int_equal(b->pid, 42);
	assert_non_null(b->named);
	netns_free(s);
}

static void a_named_namespace_without_processes_is_still_found(void **state)
{
	struct tree *t = *state;
	struct netns_set *s = scanned(t);
	const struct netns_space *r = space_of(s, t->red_ino);
	assert_string_equal(r->name, "red");
	assert_int_equal(r->pid, 0);
	netns_free(s);
}

static void an_unnamed_namespace_is_called_by_its_inode(void **state)
{
	struct tree *t = *state;
	struct netns_set *s = scanned(t);
	const struct netns_space *c = space_of(s, CONTAINER_INO);
	assert_string_equal(c->name, "net:[4026532500]");
	assert_int_equal(c->pid, 43);
	netns_free(s);
}

static void a_namespace_whose_processes_exited_is_forgotten(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = scanned(t);
	const char *name = space_of(s, CONTAINER_INO)->name;
	remove_proc(t, "43");
	remove_proc(t, "44");
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_int_equal(netns_count(s), 3);
	assert_null(space_of(s, CONTAINER_INO));
	/* Records taken before still point at a valid name. */
	assert_string_equal(name, "net:[4026532500]");
	netns_free(s);
}

static void a_namespace_keeps_the_same_name_pointer_across_scans(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = scanned(t);
	const char *before = space_of(s, t->blue_ino)->name;
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_ptr_equal(space_of(s, t->blue_ino)->name, before);
	netns_free(s);
}

/* The pid cache. The tree's processes are 1, 42, 43 and 44 ("self" is
 * not a pid); none falls on the staggered re-check in the scans below. */

static void the_first_scan_reads_every_process_link(void **state)
{
	struct tree *t = *state;
	struct netns_set *s = scanned(t);
	assert_int_equal(netns_links_read(s), 4);
	netns_free(s);
}

static void a_steady_process_is_not_read_again(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = settled(t);
	unsigned long before = netns_links_read(s);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_int_equal(netns_links_read(s), before);
	assert_int_equal(netns_count(s), 4);
	assert_int_equal(space_of(s, CONTAINER_INO)->pid, 43);
	netns_free(s);
}

static void a_new_process_is_read_and_its_namespace_found(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = settled(t);
	unsigned long before = netns_links_read(s);
	add_proc(t, "45", CONTAINER_INO + 1);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_int_equal(netns_links_read(s), before + 1);
	assert_int_equal(space_of(s, CONTAINER_INO + 1)->pid, 45);
	netns_free(s);
}

static void a_reused_pid_picks_up_its_new_namespace(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = settled(t);
	reuse_pid(t, "42", CONTAINER_INO + 1);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_int_equal(space_of(s, CONTAINER_INO + 1)->pid, 42);
	/* blue is still named, no longer with a process inside. */
	assert_int_equal(space_of(s, t->blue_ino)->pid, 0);
	netns_free(s);
}

static void a_gone_process_drops_out_of_the_cache(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = settled(t);
	remove_proc(t, "43");
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_int_equal(space_of(s, CONTAINER_INO)->pid, 44);
	remove_proc(t, "44");
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_null(space_of(s, CONTAINER_INO));
	netns_free(s);
}

static void a_process_entering_a_namespace_just_after_start_is_seen_next_scan(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = settled(t);
	add_proc(t, "45", HOST_INO);
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	move_proc(t, "45", CONTAINER_INO + 1);   /* unshare -n, then exec */
	assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
	assert_non_null(space_of(s, CONTAINER_INO + 1));
	netns_free(s);
}

static void a_process_that_moves_namespace_later_is_seen_within_30_scans(void **state)
{
	struct tree *t = *state;
	char err[256];
	struct netns_set *s = settled(t);
	unsigned long before = netns_links_read(s);
	int scans = 0;
	move_proc(t, "42", CONTAINER_INO + 1);   /* setns(2), same pid */
	while (!space_of(s, CONTAINER_INO + 1) && scans < 30) {
		assert_int_equal(netns_scan(s, err, sizeof(err)), 0);
		scans++;
	}
	assert_non_null(space_of(s, CONTAINER_INO + 1));
	/* Found by the staggered re-check, not by reading every link each
	 * scan: at most one read per process in those scans. */
	assert_true(netns_links_read(s) - before <= 4);
	netns_free(s);
}

static void running_inside_a_container_names_our_own_namespace(void **state)
{
	struct tree *t = *state;
	remove_proc(t, "self");
	add_proc(t, "self", CONTAINER_INO);
	struct netns_set *s = scanned(t);
	assert_int_equal(netns_self_inode(s), CONTAINER_INO);
	assert_string_equal(netns_self_name(s), "net:[4026532500]");
	assert_false(space_of(s, HOST_INO)->self);
	netns_free(s);
}

static void an_unlistable_proc_is_an_error_naming_it(void **state)
{
	(void)state;
	char err[256] = "";
	struct netns_set *s = netns_new("/nonexistent-proc", "/nonexistent-run");
	assert_int_equal(netns_scan(s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-proc"));
	netns_free(s);
}

static void link_text_must_be_the_kernels_form(void **state)
{
	(void)state;
	uint64_t ino = 0;
	assert_int_equal(netns_parse_link("net:[4026531840]", &ino), 0);
	assert_int_equal(ino, HOST_INO);
	assert_int_equal(netns_parse_link("net:[]", &ino), -1);
	assert_int_equal(netns_parse_link("net:[12", &ino), -1);
	assert_int_equal(netns_parse_link("net:[12]x", &ino), -1);
	assert_int_equal(netns_parse_link("mnt:[4026531840]", &ino), -1);
	assert_int_equal(netns_parse_link("net:[-1]", &ino), -1);
	assert_int_equal(netns_parse_link("net:[0]", &ino), -1);
}

/* The fallback reads /proc/<pid>/net of a process inside each namespace:
 * here pid 43's net/ is the recorded tables of tests/fixtures/procnet. */
static void the_proc_fallback_reads_a_namespace_through_its_process(void **state)
{
	struct tree *t = *state;
	char link[PATH_MAX + 8], err[256];
	struct sock_list want, got;
	sock_list_init(&want);
	sock_list_init(&got);
	snprintf(link, sizeof(link), "%s/43/net", t->proc);
	assert_int_equal(symlink(FIXTURES "/procnet/net", link), 0);
	assert_int_equal(procnet_collect(FIXTURES "/procnet", 0, &want, err, sizeof(err)), 0);
	assert_true(want.n > 0);

	struct netns_set *s = scanned(t);
	assert_int_equal(netns_collect_proc(s, 0, &got, err, sizeof(err)), 0);
	/* Only the container's process has a net/ here: pid 42's read fails
	 * quietly (as an exited process's would), red has no process. */
	assert_int_equal(got.n, want.n);
	for (size_t i = 0; i < got.n; i++) {
		assert_int_equal(got.v[i].netns, CONTAINER_INO);
		assert_string_equal(got.v[i].netns_name, "net:[4026532500]");
		assert_int_equal(got.v[i].inode, want.v[i].inode);
		assert_int_equal(got.v[i].lport, want.v[i].lport);
	}
	netns_free(s);
	sock_list_free(&want);
	sock_list_free(&got);
}

/* A namespace whose counts show no TCP socket has no TCP table read: here
 * pid 43's net/ holds the recorded tables of tests/fixtures/procnet but the
 * counts of a namespace with one IPv6 UDP socket (fixtures/sockstat), so
 * only its UDP tables may be read. */
static void the_proc_fallback_skips_a_protocol_the_namespace_has_no_socket_of(void **state)
{
	struct tree *t = *state;
	static const char *tables[] = { "tcp", "tcp6", "udp", "udp6" };
	char net[PATH_MAX], src[PATH_MAX], dst[PATH_MAX + 16], err[256];
	struct sock_list want, got;
	sock_list_init(&want);
	sock_list_init(&got);
	snprintf(net, sizeof(net), "%s/43/net", t->proc);
	mkdirs(net);
	for (size_t i = 0; i < 4; i++) {
		snprintf(src, sizeof(src), "%s/procnet/net/%s", FIXTURES, tables[i]);
		snprintf(dst, sizeof(dst), "%s/%s", net, tables[i]);
		assert_int_equal(symlink(src, dst), 0);
	}
	for (size_t i = 0; i < 2; i++) {
		const char *f = i ? "sockstat6" : "sockstat";
		snprintf(src, sizeof(src), "%s/sockstat/udp6-only/%s", FIXTURES, f);
		snprintf(dst, sizeof(dst), "%s/%s", net, f);
		assert_int_equal(symlink(src, dst), 0);
	}
	assert_int_equal(procnet_collect(FIXTURES "/procnet", SOCK_WANT_UDP | SOCK_WANT_V4 |
	                                 SOCK_WANT_V6, &want, err, sizeof(err)), 0);
	assert_true(want.n > 0);

	struct netns_set *s = scanned(t);
	assert_int_equal(netns_collect_proc(s, SOCK_WANT_ALL, &got, err, sizeof(err)), 0);
	assert_int_equal(got.n, want.n);
	for (size_t i = 0; i < got.n; i++)
		assert_int_equal(got.v[i].proto, IPPROTO_UDP);
	netns_free(s);
	sock_list_free(&want);
	sock_list_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)
		T(each_namespace_in_use_is_found_once),
		T(pid_1s_namespace_is_called_host),
		T(a_namespace_named_twice_takes_the_first_name_in_byte_order),
		T(a_named_namespace_without_processes_is_still_found),
		T(an_unnamed_namespace_is_called_by_its_inode),
		T(a_namespace_whose_processes_exited_is_forgotten),
		T(a_namespace_keeps_the_same_name_pointer_across_scans),
		T(running_inside_a_container_names_our_own_namespace),
		T(the_first_scan_reads_every_process_link),
		T(a_steady_process_is_not_read_again),
		T(a_new_process_is_read_and_its_namespace_found),
		T(a_reused_pid_picks_up_its_new_namespace),
		T(a_gone_process_drops_out_of_the_cache),
		T(a_process_entering_a_namespace_just_after_start_is_seen_next_scan),
		T(a_process_that_moves_namespace_later_is_seen_within_30_scans),
		T(the_proc_fallback_reads_a_namespace_through_its_process),
		T(the_proc_fallback_skips_a_protocol_the_namespace_has_no_socket_of),
		cmocka_unit_test(an_unlistable_proc_is_an_error_naming_it),
		cmocka_unit_test(link_text_must_be_the_kernels_form),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
