/* nowrite.c — the no-file-writes seccomp filter: one table of the calls
 * refused outright, and the open flags that make an open a write, turned
 * into a classic BPF program in a fixed buffer. Written out rather than
 * built with libseccomp: that library allocates while it compiles a filter
 * and crashed (2.5.4) when memory ran out there, and sockeye must fail
 * cleanly at any memory limit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "nowrite.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define NOWRITE_ARCH AUDIT_ARCH_X86_64
/* x32 calls arrive as the same architecture with this bit set */
#define NOWRITE_X32_BIT 0x40000000U
#elif defined(__aarch64__) && !defined(__AARCH64EB__)
#define NOWRITE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NOWRITE_ARCH AUDIT_ARCH_I386
#endif

/* Calls that create, change or remove a file, a name or its metadata by
 * themselves, and the ones that would let a thread step around the
 * filter: mounting (CAP_SYS_ADMIN is kept while namespaces are entered),
 * opening by handle (CAP_DAC_READ_SEARCH is kept for /proc/PID/fd), and
 * io_uring, whose opens the filter would never see. The collectors need
 * none of them. Calls this architecture lacks are left out. */
static const struct nowrite_refusal {
	long nr;
	int err;
} nowrite_refused[] = {
#ifdef __NR_creat
	{ __NR_creat, EACCES },
#endif
#ifdef __NR_rename
	{ __NR_rename, EACCES },
#endif
#ifdef __NR_unlink
	{ __NR_unlink, EACCES },
#endif
#ifdef __NR_rmdir
	{ __NR_rmdir, EACCES },
#endif
#ifdef __NR_mkdir
	{ __NR_mkdir, EACCES },
#endif
#ifdef __NR_mknod
	{ __NR_mknod, EACCES },
#endif
#ifdef __NR_link
	{ __NR_link, EACCES },
#endif
#ifdef __NR_symlink
	{ __NR_symlink, EACCES },
#endif
#ifdef __NR_chmod
	{ __NR_chmod, EACCES },
#endif
#ifdef __NR_chown
	{ __NR_chown, EACCES },
#endif
#ifdef __NR_lchown
	{ __NR_lchown, EACCES },
#endif
#ifdef __NR_utime
	{ __NR_utime, EACCES },
#endif
#ifdef __NR_utimes
	{ __NR_utimes, EACCES },
#endif
#ifdef __NR_futimesat
	{ __NR_futimesat, EACCES },
#endif
#ifdef __NR_renameat
	{ __NR_renameat, EACCES },
#endif
	{ __NR_truncate, EACCES },
	{ __NR_renameat2, EACCES },
	{ __NR_unlinkat, EACCES },
	{ __NR_mkdirat, EACCES },
	{ __NR_mknodat, EACCES },
	{ __NR_linkat, EACCES },
	{ __NR_symlinkat, EACCES },
	{ __NR_fchmod, EACCES },
	{ __NR_fchmodat, EACCES },
	{ __NR_fchown, EACCES },
	{ __NR_fchownat, EACCES },
	{ __NR_utimensat, EACCES },
	{ __NR_setxattr, EACCES },
	{ __NR_lsetxattr, EACCES },
	{ __NR_fsetxattr, EACCES },
	{ __NR_removexattr, EACCES },
	{ __NR_lremovexattr, EACCES },
	{ __NR_fremovexattr, EACCES },
	{ __NR_open_by_handle_at, EACCES },
	{ __NR_acct, EACCES },
	{ __NR_swapon, EACCES },
	{ __NR_swapoff, EACCES },
	{ __NR_mount, EACCES },
	{ __NR_umount2, EACCES },
	{ __NR_pivot_root, EACCES },
	/* the new mount API (Linux 5.2, 5.12); the numbers are the same on
	 * every architecture, and older headers may not name them */
	{ 428, EACCES },        /* open_tree */
	{ 429, EACCES },        /* move_mount */
	{ 430, EACCES },        /* fsopen */
	{ 431, EACCES },        /* fsconfig */
	{ 432, EACCES },        /* fsmount */
	{ 433, EACCES },        /* fspick */
	{ 442, EACCES },        /* mount_setattr */
	{ __NR_process_vm_writev, EPERM },
	/* openat2's flags sit in a struct the filter cannot read; ENOSYS makes
	 * a caller fall back to openat, which it can */
	{ 437, ENOSYS },        /* openat2 */
	{ 425, ENOSYS },        /* io_uring_setup */
};

/* An open is a write when any of these is set (O_TMPFILE needs one of the
 * first two). O_APPEND alone opens for reading. */
#define NOWRITE_OPEN_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

/* The open calls and the index of their flags argument. */
static const struct nowrite_open {
	long nr;
	unsigned flags_arg;
} nowrite_opens[] = {
#ifdef __NR_open
	{ __NR_open, 1 },
#endif
	{ __NR_openat, 2 },
};

#define NOWRITE_N(a) (sizeof(a) / sizeof((a)[0]))
/* Two instructions a refusal, five an open, and the head and tail. */
#define NOWRITE_PROG_MAX (2 * NOWRITE_N(nowrite_refused) + 5 * NOWRITE_N(nowrite_opens) + 8)

#ifdef NOWRITE_ARCH

/* Where the low 32 bits of argument i sit in struct seccomp_data. */
static unsigned nowrite_arg_low(unsigned i)
{
	unsigned off = (unsigned)offsetof(struct seccomp_data, args) + 8 * i;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	off += 4;
#endif
	return off;
}

#define NOWRITE_ERRNO(e) (SECCOMP_RET_ERRNO | ((unsigned)(e) & SECCOMP_RET_DATA))

/* Fills prog; returns its length. */
static size_t nowrite_program(struct sock_filter *prog)
{
	size_t n = 0;

	/* A call of another architecture (int 0x80 from a 64-bit thread)
	 * would carry other numbers: refuse them all. */
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                         offsetof(struct seccomp_data, arch));
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOWRITE_ARCH, 1, 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NOWRITE_ERRNO(ENOSYS));
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                         offsetof(struct seccomp_data, nr));
#ifdef NOWRITE_X32_BIT
	prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NOWRITE_X32_BIT, 0, 1);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NOWRITE_ERRNO(ENOSYS));
#endif
	for (size_t i = 0; i < NOWRITE_N(nowrite_refused); i++) {
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		                                         (unsigned)nowrite_refused[i].nr, 0, 1);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		                                         NOWRITE_ERRNO(nowrite_refused[i].err));
	}
	/* An open: its flags decide; nothing after it applies to it. The
	 * kernel reads flags as an int, so the low word is all that counts. */
	for (size_t i = 0; i < NOWRITE_N(nowrite_opens); i++) {
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		                                         (unsigned)nowrite_opens[i].nr, 0, 4);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		                                         nowrite_arg_low(nowrite_opens[i].flags_arg));
		prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
		                                         NOWRITE_OPEN_FLAGS, 0, 1);
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, NOWRITE_ERRNO(EACCES));
		prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

int nowrite_install(char *why, size_t whylen)
{
	struct sock_filter insns[NOWRITE_PROG_MAX];
	struct sock_fprog prog = { .len = 0, .filter = insns };

	prog.len = (unsigned short)nowrite_program(insns);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(why, whylen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* No SECCOMP_FILTER_FLAG_TSYNC: only this thread, and the threads it
	 * starts from now on, are filtered. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		snprintf(why, whylen, "the kernel refused the seccomp filter: %s",
		         errno == EINVAL ? "seccomp filters are not built in" : strerror(errno));
		return -1;
	}
	return 0;
}

#else

int nowrite_install(char *why, size_t whylen)
{
	snprintf(why, whylen, "the seccomp filter is not built for this architecture");
	return -1;
}

#endif
