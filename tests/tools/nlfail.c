/* nlfail.c — a test shim, loaded with LD_PRELOAD into the real sockeye, that
 * makes the kernel's socket dumps fail on demand: while the file named by
 * $NLFAIL_FILE exists, recvmsg() on a NETLINK_SOCK_DIAG socket fails with
 * the errno written in that file (EIO when it holds none), as a dump broken
 * off by the kernel or refused by a filter would. Other sockets, and the
 * destroy notifications (read with recvfrom), are untouched. Built for the
 * tests only; never installed. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/netlink.h>

typedef ssize_t (*nlfail_recvmsg_fn)(int, struct msghdr *, int);

ssize_t recvmsg(int fd, struct msghdr *msg, int flags);

static int nlfail_is_sock_diag(int fd)
{
	int domain = 0, proto = 0;
	socklen_t len = sizeof(domain);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_NETLINK)
		return 0;
	len = sizeof(proto);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
	       proto == NETLINK_SOCK_DIAG;
}

/* The errno to fail with, or 0 while the control file is absent. */
static int nlfail_wanted(void)
{
	const char *path = getenv("NLFAIL_FILE");
	FILE *f = path ? fopen(path, "re") : NULL;
	int e = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &e) != 1 || e <= 0)
		e = EIO;
	fclose(f);
	return e;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	/* Looked up at each call: the shim keeps no state of its own. */
	nlfail_recvmsg_fn real = (nlfail_recvmsg_fn)dlsym(RTLD_NEXT, "recvmsg");
	int saved = errno;
	int e = nlfail_is_sock_diag(fd) ? nlfail_wanted() : 0;

	if (e) {
		errno = e;
		return -1;
	}
	errno = saved;
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, msg, flags);
}
