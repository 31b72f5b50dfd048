/* test_procmap.c — the owner map: live against the real /proc with sockets
 * this test opens on loopback, and against /proc trees recorded by
 * tests/tools/record_procmap.py (see tests/fixtures/README), made real in a
 * temporary directory by proctree. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procmap.h"
#include "proctree.h"
#include "sock.h"

/* What record_procmap.py printed when the trees were recorded. */
enum {
	REC_LISTEN_PARENT = 10817,   /* pre-forked listener ... */
	REC_LISTEN_CHILD = 10818,    /* ... and its fork child */
	REC_PAREN_PID = 10819,       /* comm "x) (y z" */
	REC_NOPASSWD_PID = 10820,    /* uid 12345, no passwd entry */
	REC_SECRET_PID = 10821,      /* recorded as nobody saw it: no fd/ */
	REC_REUSED_PID = 10822,      /* pm-old in proc-owners, pm-new in proc-reuse */
};
#define REC_LISTEN_INODE 14153u
#define REC_PIPE_INODE   14166u  /* a pipe in 10819's fd table */
#define REC_PAREN_INODE  14167u
#define REC_PAREN_START  41815ull
#define REC_NOPW_INODE   14179u
#define REC_SECRET_INODE 14191u
#define REC_OLD_INODE    14203u
#define REC_OLD_START    41815ull
#define REC_NEW_INODE    14237u
#define REC_NEW_START    41837ull

/* ---- helpers ---- */

static int listen_loopback(uint64_t *inode)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct stat st;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(fstat(fd, &st), 0);
	*inode = st.st_ino;
	return fd;
}

static struct procmap *refreshed(const char *root)
{
	char err[256] = "";
	struct procmap *m = procmap_new(root);

	assert_non_null(m);
	assert_int_equal(procmap_refresh(m, err, sizeof err), 0);
	return m;
}

static void refresh(struct procmap *m)
{
	char err[256] = "";
	assert_int_equal(procmap_refresh(m, err, sizeof err), 0);
}

static unsigned long long self_starttime(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	unsigned long long v = 0;

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	char *p = strrchr(buf, ')') + 2;    /* field 3 */
	for (int field = 3; field < 22; field++)
		p = strchr(p, ' ') + 1;
	assert_int_equal(sscanf(p, "%llu", &v), 1);
	return v;
}

static const char *user_of(uid_t uid, char buf[64])
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, 64, "%s", pw->pw_name);
	else
		snprintf(buf, 64, "%u", (unsigned)uid);
	return buf;
}

/* A forked child that holds whatever the parent had open (fork without
 * exec), optionally renamed, until child_end(). */
struct child {
	pid_t pid;
	int hold;                /* closing it lets the child exit */
};

static struct child child_start(const char *comm)
{
	int ready[2], hold[2];
	struct child c;
	char b;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (comm)
			prctl(PR_SET_NAME, comm, 0, 0, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		while (read(hold[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	c.hold = hold[1];
	return c;
}

static void child_end(struct child *c)
{
	int status;

	close(c->hold);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
}

static const struct sock_owner *owner_with_pid(const struct sock_owner *o,
                                               size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].pid == pid)
			return &o[i];
	return NULL;
}

/* ---- live: the real /proc ---- */

static void test_own_socket_is_owned_by_this_process(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;
	char comm[17] = "", user[64];

	prctl(PR_GET_NAME, comm, 0, 0, 0);
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	assert_string_equal(o[0].comm, comm);
	assert_int_equal(o[0].uid, getuid());
	assert_string_equal(o[0].user, user_of(getuid(), user));
	assert_int_equal(o[0].starttime, self_starttime());
	procmap_free(m);
	close(fd);
}

static void test_forked_child_holding_socket_is_a_second_owner_sorted_by_pid(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct child c = child_start(NULL);
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, ino, &o), 2);
	assert_true(o[0].pid < o[1].pid);
	assert_non_null(owner_with_pid(o, 2, getpid()));
	assert_non_null(owner_with_pid(o, 2, c.pid));
	child_end(&c);
	procmap_free(m);
	close(fd);
}

static void test_owners_carry_their_process_group(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct child same = child_start(NULL), own = child_start(NULL);
	/* The parent may move its child (not yet exec'd) to a group of its own. */
	assert_int_equal(setpgid(own.pid, own.pid), 0);
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, ino, &o), 3);
	assert_int_equal(owner_with_pid(o, 3, getpid())->pgid, getpgrp());
	assert_int_equal(owner_with_pid(o, 3, same.pid)->pgid, getpgrp());
	assert_int_equal(owner_with_pid(o, 3, own.pid)->pgid, own.pid);
	child_end(&own);     /* first: it inherited same's hold pipe */
	child_end(&same);
	procmap_free(m);
	close(fd);
}

static void test_exited_child_is_no_longer_an_owner_after_refresh(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct child c = child_start(NULL);
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, ino, &o), 2);
	child_end(&c);
	refresh(m);
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	procmap_free(m);
	close(fd);
}

static void test_closed_socket_is_no_longer_mapped_after_refresh(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	close(fd);
	refresh(m);
	assert_int_equal(procmap_lookup(m, ino, &o), 0);
	procmap_free(m);
}

static void test_socket_held_on_two_fds_lists_its_process_once(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	int fd2 = dup(fd);
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	procmap_free(m);
	close(fd2);
	close(fd);
}

static void *thread_wait(void *arg)
{
	char b;
	while (read(*(int *)arg, &b, 1) > 0)
		;
	return NULL;
}

static void test_threads_do_not_make_extra_owners(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino), stop[2];
	pthread_t t;
	const struct sock_owner *o;

	assert_int_equal(pipe(stop), 0);
	assert_int_equal(pthread_create(&t, NULL, thread_wait, &stop[0]), 0);
	struct procmap *m = refreshed("/proc");
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	close(stop[1]);
	pthread_join(t, NULL);
	close(stop[0]);
	procmap_free(m);
	close(fd);
}

static void test_evil_comm_is_stored_raw(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct child c = child_start("\x1b[31mevil");
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o;
	size_t n = procmap_lookup(m, ino, &o);

	assert_int_equal(n, 2);
	assert_non_null(owner_with_pid(o, n, c.pid));
	assert_string_equal(owner_with_pid(o, n, c.pid)->comm, "\x1b[31mevil");
	child_end(&c);
	procmap_free(m);
	close(fd);
}

/* Run in a child dropped to nobody: init's fd table is closed to it, its
 * own socket is not. Exit status says which check failed. */
static int unreadable_as_nobody(void)
{
	char err[256];
	uint64_t ino;
	int fd;
	const struct sock_owner *o;

	if (getuid() == 0 && setresuid(65534, 65534, 65534) != 0)
		return 10;
	fd = listen_loopback(&ino);
	struct procmap *m = procmap_new("/proc");
	if (!m || procmap_refresh(m, err, sizeof err) != 0)
		return 11;
	int r = procmap_unreadable(m) == 0 ? 12
	      : procmap_lookup(m, ino, &o) != 1 ? 13
	      : o[0].pid != getpid() ? 14 : 0;
	procmap_free(m);
	close(fd);
	return r;
}

static void test_unreadable_fd_tables_are_counted_while_not_root(void **state)
{
	(void)state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unreadable_as_nobody());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_missing_proc_root_is_an_error_naming_it(void **state)
{
	(void)state;
	char err[256] = "";
	struct procmap *m = procmap_new("/nonexistent/proc");

	assert_non_null(m);
	assert_int_equal(procmap_refresh(m, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/proc"));
	procmap_free(m);
}

static void test_unknown_inode_has_no_owners(void **state)
{
	(void)state;
	struct procmap *m = refreshed("/proc");
	const struct sock_owner *o = (void *)1;

	assert_int_equal(procmap_lookup(m, 0, &o), 0);
	assert_int_equal(procmap_lookup(m, UINT64_MAX, &o), 0);
	assert_null(o);
	procmap_free(m);
}

static void test_many_refreshes_keep_the_same_answer(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = procmap_new("/proc");
	const struct sock_owner *o;

	assert_non_null(m);
	for (int i = 0; i < 50; i++) {
		refresh(m);
		assert_int_equal(procmap_lookup(m, ino, &o), 1);
		assert_int_equal(o[0].pid, getpid());
	}
	procmap_free(m);
	close(fd);
}

/* ---- live: the poller's incremental refresh ---- */

/* A snapshot holding the given inodes, as the poller would collect it. */
static void snap_of(struct sock_list *l, const uint64_t *inodes, size_t n)
{
	sock_list_clear(l);
	for (size_t i = 0; i < n; i++) {
		struct sock_rec *r = sock_list_push(l);
		assert_non_null(r);
		r->proto = IPPROTO_TCP;
		r->family = AF_INET;
		r->state = SOCK_ST_LISTEN;
		r->inode = inodes[i];
		r->uid = (uint32_t)geteuid();
	}
}

static void poll_for(struct procmap *m, struct sock_list *l, const uint64_t *inodes, size_t n)
{
	char err[256] = "";

	snap_of(l, inodes, n);
	/* No safety net: what is found here the hints alone found. */
	procmap_set_full_every(m, 0);
	assert_int_equal(procmap_refresh_for(m, l, err, sizeof err), 0);
}

/* Polls (at most two) until pid is among ino's owners; returns the polls
 * it took, or 3 when it never was. */
static int polls_until_owner(struct procmap *m, struct sock_list *l,
                             const uint64_t *inodes, size_t n, uint64_t ino, int pid)
{
	const struct sock_owner *o;

	for (int polls = 1; polls <= 2; polls++) {
		poll_for(m, l, inodes, n);
		size_t k = procmap_lookup(m, ino, &o);
		if (owner_with_pid(o, k, pid))
			return polls;
	}
	return 3;
}

/* A child, started before the socket exists, that waits for one
 * descriptor over a unix socket, acknowledges it and holds it. */
struct receiver {
	pid_t pid;
	int sock;                /* our end; closing it lets the child exit */
};

static void receiver_child(int s)
{
	char b, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	                     .msg_control = cbuf, .msg_controllen = sizeof cbuf };

	/* Settled (its copy of our end closed): from now on only the socket
	 * it receives changes its table. */
	if (write(s, "r", 1) != 1 || recvmsg(s, &mh, 0) != 1 || write(s, "k", 1) != 1)
		_exit(1);
	while (read(s, &b, 1) > 0)
		;
	_exit(0);
}

static struct receiver receiver_start(void)
{
	int sv[2];
	struct receiver r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	r.pid = fork();
	assert_true(r.pid >= 0);
	if (r.pid == 0) {
		close(sv[0]);
		receiver_child(sv[1]);
	}
	close(sv[1]);
	r.sock = sv[0];
	char b;
	assert_int_equal(read(r.sock, &b, 1), 1);
	assert_int_equal(b, 'r');
	return r;
}

static void receiver_give(struct receiver *r, int fd)
{
	char b = 'f', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &b, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	                     .msg_control = cbuf, .msg_controllen = sizeof cbuf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	assert_int_equal(sendmsg(r->sock, &mh, 0), 1);
	assert_int_equal(read(r->sock, &b, 1), 1);
	assert_int_equal(b, 'k');
}

static void receiver_end(struct receiver *r)
{
	int status;

	close(r->sock);
	assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
}

static void test_socket_received_over_scm_rights_is_attributed_within_two_polls(void **state)
{
	(void)state;
	struct receiver r = receiver_start();
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	const struct sock_owner *o;

	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	receiver_give(&r, fd);
	assert_true(polls_until_owner(m, &l, &ino, 1, ino, r.pid) <= 2);
	assert_int_equal(procmap_lookup(m, ino, &o), 2);
	assert_non_null(owner_with_pid(o, 2, getpid()));
	receiver_end(&r);
	close(fd);
	sock_list_free(&l);
	procmap_free(m);
}

static void test_socket_passed_on_and_closed_leaves_the_sender_within_two_polls(void **state)
{
	(void)state;
	struct receiver r = receiver_start();
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	const struct sock_owner *o = NULL;
	size_t n = 0;

	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	receiver_give(&r, fd);
	close(fd);
	/* The sender's descriptor number now holds a file: its count is as
	 * before, so only the socket turning up elsewhere can tell. */
	int filler = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(filler, fd);
	for (int polls = 0; polls < 2; polls++) {
		poll_for(m, &l, &ino, 1);
		n = procmap_lookup(m, ino, &o);
		if (n == 1 && o[0].pid == r.pid)
			break;
	}
	assert_int_equal(n, 1);
	assert_int_equal(o[0].pid, r.pid);
	close(filler);
	receiver_end(&r);
	sock_list_free(&l);
	procmap_free(m);
}

static void test_shared_socket_closed_by_one_holder_leaves_only_the_other(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct child c = child_start("sockeye-keeper");
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	const struct sock_owner *o = NULL;
	size_t n = 0;

	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	assert_int_equal(procmap_lookup(m, ino, &o), 2);
	/* Like a pre-forked worker dropping the listener it inherited: our
	 * copy goes, a file takes its number, the child keeps the socket. */
	close(fd);
	int filler = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(filler, fd);
	for (int polls = 0; polls < 2; polls++) {
		poll_for(m, &l, &ino, 1);
		n = procmap_lookup(m, ino, &o);
		if (n == 1)
			break;
	}
	assert_int_equal(n, 1);
	assert_int_equal(o[0].pid, c.pid);
	close(filler);
	child_end(&c);
	sock_list_free(&l);
	procmap_free(m);
}

/* A process that held many files besides a socket and closed them: its fd
 * table shrinks, and the owners stay right (under ASan: the shrink must
 * not read the old entries past the new room). */
static void test_process_closing_most_of_its_descriptors_keeps_its_socket(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino), dups[300];
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	const struct sock_owner *o;

	sock_list_init(&l);
	for (size_t i = 0; i < 300; i++)
		assert_true((dups[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	poll_for(m, &l, &ino, 1);
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	for (size_t i = 0; i < 300; i++)
		close(dups[i]);
	for (int polls = 0; polls < 2; polls++)
		poll_for(m, &l, &ino, 1);
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	assert_true(procmap_fd_room(m, getpid()) < 64);
	close(fd);
	sock_list_free(&l);
	procmap_free(m);
}

static void test_child_forked_after_a_poll_is_an_owner_within_two_polls(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;

	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	struct child c = child_start("sockeye-fork");
	assert_true(polls_until_owner(m, &l, &ino, 1, ino, c.pid) <= 2);
	child_end(&c);
	poll_for(m, &l, &ino, 1);
	const struct sock_owner *o;
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	close(fd);
	sock_list_free(&l);
	procmap_free(m);
}

static void test_new_program_inheriting_a_socket_as_stdin_is_an_owner_by_its_name(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino), status;
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	const struct sock_owner *o;

	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The listener is close-on-exec: only the dup on fd 0 passes. */
		if (dup2(fd, 0) < 0)
			_exit(1);
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(1);
	}
	/* Until exec is done the child is still this program's copy. */
	for (int tries = 0; tries < 500; tries++) {
		char path[64], comm[32] = "";
		snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
		FILE *f = fopen(path, "r");
		if (f && fgets(comm, sizeof comm, f) && strcmp(comm, "sleep\n") == 0) {
			fclose(f);
			break;
		}
		if (f)
			fclose(f);
		usleep(10000);
	}
	assert_true(polls_until_owner(m, &l, &ino, 1, ino, pid) <= 2);
	size_t n = procmap_lookup(m, ino, &o);
	assert_string_equal(owner_with_pid(o, n, pid)->comm, "sleep");
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd);
	sock_list_free(&l);
	procmap_free(m);
}

static void test_new_socket_on_a_closed_sockets_descriptor_is_followed(void **state)
{
	(void)state;
	uint64_t old_ino, new_ino;
	int fd = listen_loopback(&old_ino);
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	const struct sock_owner *o;

	sock_list_init(&l);
	poll_for(m, &l, &old_ino, 1);
	close(fd);
	/* The kernel hands out the lowest free number: the same one. */
	int fd2 = listen_loopback(&new_ino);
	assert_int_equal(fd2, fd);
	poll_for(m, &l, &new_ino, 1);
	assert_int_equal(procmap_lookup(m, new_ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	assert_int_equal(procmap_lookup(m, old_ino, &o), 0);
	close(fd2);
	sock_list_free(&l);
	procmap_free(m);
}

/* A child that holds a pipe and, when told, closes the pipe's write end
 * and listens on a new socket in its place: the same number of
 * descriptors, and no socket gone from the snapshot, so only the search
 * for unowned sockets can find it. */
static void swapper_child(int s)
{
	int p[2];
	char b;
	uint64_t ino;

	if (pipe(p) < 0 || write(s, "r", 1) != 1 || read(s, &b, 1) != 1)
		_exit(1);
	close(p[1]);
	if (listen_loopback(&ino) != p[1] || write(s, &ino, sizeof ino) != sizeof ino)
		_exit(1);
	while (read(s, &b, 1) > 0)
		;
	_exit(0);
}

static void test_new_socket_in_place_of_a_pipe_is_attributed_within_two_polls(void **state)
{
	(void)state;
	uint64_t first, ino;
	int keep = listen_loopback(&first), sv[2], status;
	struct procmap *m = procmap_new("/proc");
	struct sock_list l;
	char b;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		close(keep);
		swapper_child(sv[1]);
	}
	close(sv[1]);
	assert_int_equal(read(sv[0], &b, 1), 1);
	sock_list_init(&l);
	poll_for(m, &l, &first, 1);
	assert_int_equal(write(sv[0], "g", 1), 1);
	assert_int_equal(read(sv[0], &ino, sizeof ino), sizeof ino);
	uint64_t both[2] = { first, ino };
	assert_true(polls_until_owner(m, &l, both, 2, ino, pid) <= 2);
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(keep);
	sock_list_free(&l);
	procmap_free(m);
}

/* The scratch table that reads a process's descriptors grows to the
 * largest table read. A process read again after a big one must not keep
 * that room: the soak run saw every process on the machine end up holding
 * a big table's worth, megabytes in all. Children forked first hold a few
 * fds; then this process (a lower pid, so read just before them) holds
 * 600; the safety net, set to read every table each poll, reads them again. */
static void test_small_process_read_after_a_big_one_keeps_a_small_fd_table(void **state)
{
	enum { KIDS = 4, BIG = 600 };
	struct child kids[KIDS];
	struct sock_list l;
	struct rlimit rl;
	char err[256] = "";
	uint64_t inode;
	int fds[BIG];

	(void)state;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < BIG + 64)
		skip();
	for (int i = 0; i < KIDS; i++)
		kids[i] = child_start(NULL);
	int lfd = listen_loopback(&inode);
	for (int i = 0; i < BIG; i++)
		assert_true((fds[i] = dup(lfd)) >= 0);
	struct procmap *m = procmap_new("/proc");
	assert_non_null(m);
	sock_list_init(&l);
	snap_of(&l, &inode, 1);
	procmap_set_full_every(m, 1);
	for (int i = 0; i < 6; i++)
		assert_int_equal(procmap_refresh_for(m, &l, err, sizeof err), 0);
	assert_true(procmap_fd_room(m, getpid()) >= BIG);
	for (int i = 0; i < KIDS; i++) {
		size_t room = procmap_fd_room(m, kids[i].pid);
		assert_true(room > 0);
		assert_true(room < 64);
	}
	procmap_free(m);
	sock_list_free(&l);
	for (int i = 0; i < BIG; i++)
		close(fds[i]);
	close(lfd);
	for (int i = KIDS; i-- > 0;)   /* each holds its elders' pipes */
		child_end(&kids[i]);
}

static void test_steady_poll_reads_few_descriptors(void **state)
{
	(void)state;
	uint64_t ino;
	int fd = listen_loopback(&ino);
	struct procmap *m = procmap_new("/proc");
	struct procmap_stats first, steady;
	struct sock_list l;
	const struct sock_owner *o;

	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	procmap_stats(m, &first);
	poll_for(m, &l, &ino, 1);
	poll_for(m, &l, &ino, 1);
	procmap_stats(m, &steady);
	/* The first poll reads every fd table it may (all but the few it
	 * may not, which not root is most of them). */
	assert_true(first.full_scans <= first.procs);
	assert_true(first.full_scans + procmap_unreadable(m) >= first.procs);
	assert_true(steady.full_scans * 2 <= first.full_scans + 2);
	assert_int_equal(procmap_lookup(m, ino, &o), 1);
	assert_int_equal(o[0].pid, getpid());
	close(fd);
	sock_list_free(&l);
	procmap_free(m);
}

/* ---- recorded trees ---- */

/* Both recorded trees, materialised once for the recorded group: the
 * fixtures keep fd tables as manifests, procmap needs real fd/ symlinks. */
struct recorded {
	struct proctree owners, reuse;
};

static int recorded_setup(void **state)
{
	char err[512];
	struct recorded *r = calloc(1, sizeof *r);

	if (!r)
		return -1;
	if (proctree_make(&r->owners, FIXTURES "/proc-owners", err, sizeof err) != 0
	    || proctree_make(&r->reuse, FIXTURES "/proc-reuse", err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		proctree_remove(&r->owners, err, sizeof err);
		free(r);
		return -1;
	}
	*state = r;
	return 0;
}

static int recorded_teardown(void **state)
{
	char err[512];
	struct recorded *r = *state;
	int rc = 0;

	if (!r)         /* cmocka tears down even after a failed setup */
		return 0;
	if (proctree_remove(&r->owners, err, sizeof err) != 0
	    || proctree_remove(&r->reuse, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		rc = -1;
	}
	free(r);
	return rc;
}

static const char *owners_tree(void **state)
{
	return ((struct recorded *)*state)->owners.root;
}

static const char *reuse_tree(void **state)
{
	return ((struct recorded *)*state)->reuse.root;
}

static void test_recorded_prefork_listener_has_both_owners_once_each(void **state)
{
	struct procmap *m = refreshed(owners_tree(state));
	const struct sock_owner *o;

	/* Each holds it on fds 3 and 5. */
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 2);
	assert_int_equal(o[0].pid, REC_LISTEN_PARENT);
	assert_int_equal(o[1].pid, REC_LISTEN_CHILD);
	assert_string_equal(o[0].comm, "pm-listen");
	assert_string_equal(o[1].comm, "pm-listen");
	assert_string_equal(o[0].user, "root");
	procmap_free(m);
}

/* Copies a recorded cgroup file (tests/fixtures/cgroup) in as pid's. */
static void put_cgroup(const char *root, int pid, const char *fixture)
{
	char src[512], dst[PATH_MAX + 32], buf[8192];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof src, "%s/cgroup/%s", FIXTURES, fixture);
	snprintf(dst, sizeof dst, "%s/%d/cgroup", root, pid);
	in = fopen(src, "r");
	out = fopen(dst, "w");
	assert_non_null(in);
	assert_non_null(out);
	n = fread(buf, 1, sizeof buf, in);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void test_owner_service_is_read_once_per_process(void **state)
{
	char err[512];
	struct proctree t;
	struct procmap *m;
	struct sock_list l;
	const uint64_t ino = REC_LISTEN_INODE;
	const struct sock_owner *o;

	(void)state;
	assert_int_equal(proctree_make(&t, FIXTURES "/proc-owners", err, sizeof err), 0);
	put_cgroup(t.root, REC_LISTEN_PARENT, "staged-nginx-service");
	m = refreshed(t.root);
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 2);
	assert_string_equal(o[0].service, "nginx.service");
	assert_string_equal(o[1].service, "");      /* no cgroup file: none */
	/* The same process on the next polls (as the poller refreshes): its
	 * cgroup is not read again. */
	put_cgroup(t.root, REC_LISTEN_PARENT, "staged-session-scope");
	sock_list_init(&l);
	poll_for(m, &l, &ino, 1);
	poll_for(m, &l, &ino, 1);
	sock_list_free(&l);
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 2);
	assert_string_equal(o[0].service, "nginx.service");
	procmap_free(m);
	/* A new map sees it as a new process and reads it. */
	m = refreshed(t.root);
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 2);
	assert_string_equal(o[0].service, "session-3.scope");
	procmap_free(m);
	assert_int_equal(proctree_remove(&t, err, sizeof err), 0);
}

static void test_recorded_process_group_is_stat_field_5(void **state)
{
	struct procmap *m = refreshed(owners_tree(state));
	const struct sock_owner *o;

	/* Recorded stat: "10817 (pm-listen) S 10775 10732 ...", the fork child
	 * the same group; and after the tricky "x) (y z" name too. */
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 2);
	assert_int_equal(o[0].pgid, 10732);
	assert_int_equal(o[1].pgid, 10732);
	assert_int_equal(procmap_lookup(m, REC_PAREN_INODE, &o), 1);
	assert_int_equal(o[0].pgid, 10732);
	procmap_free(m);
}

static void test_recorded_comm_with_parens_and_spaces_parses(void **state)
{
	struct procmap *m = refreshed(owners_tree(state));
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, REC_PAREN_INODE, &o), 1);
	assert_int_equal(o[0].pid, REC_PAREN_PID);
	assert_string_equal(o[0].comm, "x) (y z");
	assert_int_equal(o[0].starttime, REC_PAREN_START);
	assert_int_equal(o[0].uid, 0);
	procmap_free(m);
}

static void test_recorded_pipes_are_not_sockets(void **state)
{
	struct procmap *m = refreshed(owners_tree(state));
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, REC_PIPE_INODE, &o), 0);
	procmap_free(m);
}

static void test_recorded_uid_without_passwd_entry_shows_digits(void **state)
{
	if (getpwuid(12345))
		skip();
	struct procmap *m = refreshed(owners_tree(state));
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, REC_NOPW_INODE, &o), 1);
	assert_int_equal(o[0].pid, REC_NOPASSWD_PID);
	assert_int_equal(o[0].uid, 12345);
	assert_string_equal(o[0].user, "12345");
	procmap_free(m);
}

static void test_recorded_process_without_fd_dir_is_skipped_and_counted(void **state)
{
	struct procmap *m = refreshed(owners_tree(state));
	const struct sock_owner *o;

	assert_int_equal(procmap_lookup(m, REC_SECRET_INODE, &o), 0);
	assert_int_equal(procmap_unreadable(m), 1);
	procmap_free(m);
}

/* A private "proc" symlink, re-pointed from one recorded tree to the next,
 * so one map sees the machine change under it. */
struct tree {
	char dir[64], link[96], tmp[96];
};

static void tree_point(struct tree *t, const char *target)
{
	unlink(t->tmp);
	assert_int_equal(symlink(target, t->tmp), 0);
	assert_int_equal(rename(t->tmp, t->link), 0);
}

static void tree_init(struct tree *t, const char *target)
{
	strcpy(t->dir, "/tmp/test_procmap-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->link, sizeof t->link, "%s/proc", t->dir);
	snprintf(t->tmp, sizeof t->tmp, "%s/proc.new", t->dir);
	tree_point(t, target);
}

static void tree_remove(struct tree *t)
{
	unlink(t->link);
	rmdir(t->dir);
}

static void test_reused_pid_shows_the_new_process_not_the_old_name(void **state)
{
	struct tree t;
	const struct sock_owner *o;
	char nobody[64];

	tree_init(&t, owners_tree(state));
	struct procmap *m = refreshed(t.link);
	assert_int_equal(procmap_lookup(m, REC_OLD_INODE, &o), 1);
	assert_string_equal(o[0].comm, "pm-old");
	assert_int_equal(o[0].starttime, REC_OLD_START);

	tree_point(&t, reuse_tree(state));
	refresh(m);
	assert_int_equal(procmap_lookup(m, REC_OLD_INODE, &o), 0);
	assert_int_equal(procmap_lookup(m, REC_NEW_INODE, &o), 1);
	assert_int_equal(o[0].pid, REC_REUSED_PID);
	assert_string_equal(o[0].comm, "pm-new");
	assert_int_equal(o[0].starttime, REC_NEW_START);
	assert_int_equal(o[0].uid, 65534);
	assert_string_equal(o[0].user, user_of(65534, nobody));
	procmap_free(m);
	tree_remove(&t);
}

static void test_recorded_fork_child_gone_leaves_only_the_parent(void **state)
{
	struct tree t;
	const struct sock_owner *o;

	tree_init(&t, owners_tree(state));
	struct procmap *m = refreshed(t.link);
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 2);
	tree_point(&t, reuse_tree(state));
	refresh(m);
	assert_int_equal(procmap_lookup(m, REC_LISTEN_INODE, &o), 1);
	assert_int_equal(o[0].pid, REC_LISTEN_PARENT);
	assert_int_equal(procmap_unreadable(m), 0);
	procmap_free(m);
	tree_remove(&t);
}

static void test_cmdline_joins_arguments_of_the_same_process(void **state)
{
	(void)state;
	struct procmap *m = procmap_new("/proc");
	char buf[4096];
	assert_non_null(m);
	assert_int_equal(procmap_cmdline(m, getpid(), self_starttime(), buf, sizeof buf), 0);
	assert_non_null(strstr(buf, "test_procmap"));
	procmap_free(m);
}

static void test_cmdline_refuses_a_reused_pid(void **state)
{
	(void)state;
	struct procmap *m = procmap_new("/proc");
	char buf[256];
	assert_non_null(m);
	assert_int_equal(procmap_cmdline(m, getpid(), self_starttime() + 1, buf, sizeof buf), -1);
	assert_int_equal(procmap_cmdline(m, 0x7ffffff0, 1, buf, sizeof buf), -1);
	procmap_free(m);
}

int main(void)
{
	const struct CMUnitTest live[] = {
		cmocka_unit_test(test_own_socket_is_owned_by_this_process),
		cmocka_unit_test(test_forked_child_holding_socket_is_a_second_owner_sorted_by_pid),
		cmocka_unit_test(test_owners_carry_their_process_group),
		cmocka_unit_test(test_exited_child_is_no_longer_an_owner_after_refresh),
		cmocka_unit_test(test_closed_socket_is_no_longer_mapped_after_refresh),
		cmocka_unit_test(test_socket_held_on_two_fds_lists_its_process_once),
		cmocka_unit_test(test_threads_do_not_make_extra_owners),
		cmocka_unit_test(test_evil_comm_is_stored_raw),
		cmocka_unit_test(test_unreadable_fd_tables_are_counted_while_not_root),
		cmocka_unit_test(test_missing_proc_root_is_an_error_naming_it),
		cmocka_unit_test(test_unknown_inode_has_no_owners),
		cmocka_unit_test(test_many_refreshes_keep_the_same_answer),
		cmocka_unit_test(test_cmdline_joins_arguments_of_the_same_process),
		cmocka_unit_test(test_cmdline_refuses_a_reused_pid),
		cmocka_unit_test(test_socket_received_over_scm_rights_is_attributed_within_two_polls),
		cmocka_unit_test(test_socket_passed_on_and_closed_leaves_the_sender_within_two_polls),
		cmocka_unit_test(test_shared_socket_closed_by_one_holder_leaves_only_the_other),
		cmocka_unit_test(test_process_closing_most_of_its_descriptors_keeps_its_socket),
		cmocka_unit_test(test_child_forked_after_a_poll_is_an_owner_within_two_polls),
		cmocka_unit_test(test_new_program_inheriting_a_socket_as_stdin_is_an_owner_by_its_name),
		cmocka_unit_test(test_new_socket_on_a_closed_sockets_descriptor_is_followed),
		cmocka_unit_test(test_new_socket_in_place_of_a_pipe_is_attributed_within_two_polls),
		cmocka_unit_test(test_steady_poll_reads_few_descriptors),
		cmocka_unit_test(test_small_process_read_after_a_big_one_keeps_a_small_fd_table),
	};
	const struct CMUnitTest recorded[] = {
		cmocka_unit_test(test_recorded_prefork_listener_has_both_owners_once_each),
		cmocka_unit_test(test_recorded_process_group_is_stat_field_5),
		cmocka_unit_test(test_owner_service_is_read_once_per_process),
		cmocka_unit_test(test_recorded_comm_with_parens_and_spaces_parses),
		cmocka_unit_test(test_recorded_pipes_are_not_sockets),
		cmocka_unit_test(test_recorded_uid_without_passwd_entry_shows_digits),
		cmocka_unit_test(test_recorded_process_without_fd_dir_is_skipped_and_counted),
		cmocka_unit_test(test_reused_pid_shows_the_new_process_not_the_old_name),
		cmocka_unit_test(test_recorded_fork_child_gone_leaves_only_the_parent),
	};
	/* The live tests count on descriptor numbers: start from the same
	 * table wherever we run (a harness may leave fds open, or stdin shut). */
	close_range(3, ~0U, 0);
	if (fcntl(0, F_GETFD) < 0 && open("/dev/null", O_RDONLY) != 0)
		return 1;

	int failed = cmocka_run_group_tests_name("live", live, NULL, NULL);

	failed += cmocka_run_group_tests_name("recorded", recorded,
	                                      recorded_setup, recorded_teardown);
	return failed;
}
