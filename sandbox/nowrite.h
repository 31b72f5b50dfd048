/* nowrite.h — a seccomp filter (libseccomp) for the threads that read the
 * system and never need to write a file: the collection thread of the
 * screen, and the only thread of --batch and --events. Landlock cannot
 * narrow them (it forbids reading other processes' fd tables, a ptrace
 * access), so this is what stops them creating, changing or removing any
 * file by name. Reading stays open; writing to descriptors already open
 * (the terminal, stdout, sockets) is untouched. */
#ifndef SOCKEYE_NOWRITE_H
#define SOCKEYE_NOWRITE_H

#include <stddef.h>

/* Installs the filter on the calling thread and on the threads it starts
 * afterwards (threads that exist already are not affected). Every refused
 * call fails with EACCES (openat2 and io_uring_setup with ENOSYS, so
 * callers fall back to the calls the filter sees). Sets no_new_privs,
 * which the kernel requires. Returns 0, or -1 with why (e.g. a kernel
 * without seccomp filters); the thread then goes on unfiltered. */
int nowrite_install(char *why, size_t whylen);

#endif
