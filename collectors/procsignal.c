/* procsignal.c — a signal to a process known by pid and start time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procsignal.h"

const struct procsignal_choice procsignal_menu[] = {
	{ SIGTERM, "TERM" }, { SIGKILL, "KILL" }, { SIGHUP, "HUP" }, { SIGINT, "INT" },
	{ SIGQUIT, "QUIT" }, { SIGUSR1, "USR1" }, { SIGUSR2, "USR2" }, { SIGSTOP, "STOP" },
	{ SIGCONT, "CONT" },
};
const size_t procsignal_count = sizeof procsignal_menu / sizeof procsignal_menu[0];

int procsignal_starttime(const char *proc_root, int pid, unsigned long long *start)
{
	char path[4096], buf[4096];
	if (pid <= 0)
		return ESRCH;
	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ESRCH : errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return e == ENOENT ? ESRCH : e;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': fields follow the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return EINVAL;
	p++;
	for (int field = 3; field < 22; field++) {
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	char *end;
	errno = 0;
	*start = strtoull(p, &end, 10);
	return end == p || errno ? EINVAL : 0;
}

static int procsignal_same(const char *proc_root, int pid, unsigned long long starttime)
{
	unsigned long long now;
	int e = procsignal_starttime(proc_root, pid, &now);
	if (e)
		return e;
	return now == starttime ? 0 : ESRCH;
}

/* A pidfd opened before the check names the process that held pid then;
 * if pid still shows the recorded start time after it was opened, that
 * process is the one recorded, and the pidfd keeps naming it whatever
 * happens to the number afterwards. */
int procsignal_send(const char *proc_root, int pid, unsigned long long starttime, int sig)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		int e = procsignal_same(proc_root, pid, starttime);
		if (!e && syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
			e = errno;
		close(pidfd);
		return e;
	}
	if (errno != ENOSYS)
		return errno == EINVAL ? ESRCH : errno;
#endif
	/* No pidfd: the check and kill(2) are two steps, a pid reused between
	 * them (within microseconds) is the one risk left. */
	int e = procsignal_same(proc_root, pid, starttime);
	if (e)
		return e;
	return kill(pid, sig) < 0 ? errno : 0;
}
