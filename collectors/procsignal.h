/* procsignal.h — sending a signal to a process the process map saw, and
 * only to it: a pid the kernel has since given to another process is
 * never signalled. The kernel's own kill(2) checks decide the rest. */
#ifndef SOCKEYE_PROCSIGNAL_H
#define SOCKEYE_PROCSIGNAL_H

#include <stddef.h>

/* The signals the screen offers, the gentlest first. */
struct procsignal_choice {
	int sig;
	const char *name;     /* "TERM" */
};
extern const struct procsignal_choice procsignal_menu[];
extern const size_t procsignal_count;

/* Sends sig to pid if it is still the process that started at starttime
 * (/proc/PID/stat field 22, as struct sock_owner records it), read under
 * proc_root ("/proc"). Where the kernel has pidfd_open, the check and the
 * signal go through one pidfd, so the pid cannot be reused in between.
 * Returns 0, or an errno value: ESRCH when the process is gone or the pid
 * is another process's now, EPERM from the kernel for another user's. */
int procsignal_send(const char *proc_root, int pid, unsigned long long starttime, int sig);

/* The start time of pid under proc_root into *start: 0 or an errno value. */
int procsignal_starttime(const char *proc_root, int pid, unsigned long long *start);

#endif
