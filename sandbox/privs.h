/* privs.h — least privilege: once set up, sockeye keeps only the
 * capabilities its options need (libcap-ng), can never gain more
 * (no_new_privs, an emptied bounding set), and where the kernel has
 * Landlock may only read and write the paths of one table (privs.c). */
#ifndef SOCKEYE_PRIVS_H
#define SOCKEYE_PRIVS_H

#include <stddef.h>
#include "options.h"

enum privs_access {
	PRIVS_READ,     /* read files and list directories beneath */
	PRIVS_WRITE,    /* also create, replace (rename over) and truncate files beneath */
};

#define PRIVS_RULES_MAX 24
#define PRIVS_CAPS_MAX 8

struct privs_rule {
	char *path;                 /* owned */
	enum privs_access access;
};

struct privs_policy {
	unsigned caps[PRIVS_CAPS_MAX];      /* CAP_* numbers to keep */
	size_t ncaps;
	struct privs_rule rules[PRIVS_RULES_MAX];
	size_t nrules;
};

/* What happened, for the help screen and a one-time note. */
struct privs_report {
	int privileged;             /* had effective capabilities before */
	char kept[160];             /* "sys_ptrace dac_read_search", or "none" */
	int landlock_abi;           /* the ABI applied; 0 when not applied */
	int nowrite;                /* the collecting thread may write no file (nowrite.h) */
	char note[320];             /* why something was not done, or "" */
};

/* Adds text to rep->note ("; " between notes; cut at the note's size). */
void privs_note(struct privs_report *rep, const char *text);

/* Fills pol with the capabilities and paths these options need (see the
 * tables in privs.c). Returns 0, or -1 with err (out of memory). Free with
 * privs_policy_free either way. */
int privs_policy_for(struct privs_policy *pol, const struct options *o,
                     char *err, size_t errlen);
/* Adds one path; a path that does not exist is skipped when applying. */
int privs_policy_add(struct privs_policy *pol, const char *path, enum privs_access access,
                     char *err, size_t errlen);
void privs_policy_free(struct privs_policy *pol);

/* Keeps only pol's capabilities (in the effective and permitted sets, of
 * those the process has; inheritable and ambient emptied; the bounding set
 * emptied where CAP_SETPCAP allows) and sets no_new_privs. Capabilities
 * belong to a thread and a new thread inherits its creator's: call this
 * before any thread starts. 0, or -1 with rep->note saying what was not
 * done (the process goes on as it is). */
int privs_keep_caps(const struct privs_policy *pol, struct privs_report *rep);

/* Narrows the calling thread, and the threads it starts afterwards, to
 * pol's paths with Landlock, where the kernel has it (no_new_privs must be
 * set). Landlock also forbids ptrace access to any process outside the
 * sandbox, and reading /proc/PID/fd/N is such an access: a thread that
 * maps sockets to their owners must be started before this and stays
 * outside. 0, or -1 with rep->note saying why file access is not narrowed. */
int privs_sandbox(const struct privs_policy *pol, struct privs_report *rep);

/* privs_policy_for these options, then privs_keep_caps: what start-up
 * calls once its sockets, terminal and files are open. 0, or -1 with
 * rep->note. */
int privs_drop(const struct options *o, struct privs_report *rep);
/* privs_policy_for these options, then privs_sandbox. */
int privs_narrow(const struct options *o, struct privs_report *rep);

/* The recording's writer thread (record.h's thread setup; arg is the
 * database's path, NULL for one in memory): narrows the calling thread
 * with Landlock to reading and writing that file and its -wal, -shm and
 * -journal, which must exist already to be reached; nothing else, and
 * no file may be created or removed. 0, or -1 with err saying why it is
 * not narrowed. */
int privs_confine_recording(void *path, char *err, size_t errlen);

/* Where W saves the settings: the config file's folder, or the nearest
 * one above it that exists (a first save creates the rest). Never the
 * whole tree: with no folder of its own above the file, saving is refused
 * by the sandbox and the screen says why. A relative path is taken from
 * the current directory. NULL when there is no such folder or no path. */
const char *privs_config_save_dir(const struct options *o, char *buf, size_t len);

/* ---- a user's own rights ----
 * Run by an ordinary user from a binary given file capabilities, sockeye
 * holds them in the permitted set only and raises them into the calling
 * thread's effective set just around the step that needs them, so that
 * every file it opens for the user (config, themes, outputs) is opened
 * with the user's own rights. Root keeps its effective set: its own rights
 * are all of them. */

/* The steps that use rights the user may not have. */
enum privs_step {
	PRIVS_SIGHT,    /* reading every process's fd table and namespaces */
	PRIVS_CLOSE,    /* SOCK_DESTROY of a connection the user may close */
};

/* The first thing main does: refuses a set-user-ID or set-group-ID start
 * (file capabilities are the way to run without root) and, for a user
 * other than root, empties the effective set. 0, or -1 with err. */
int privs_start(char *err, size_t errlen);
/* Raises the capabilities step needs (of those permitted) on the calling
 * thread; privs_lower empties its effective set again. Both do nothing
 * for root. */
void privs_raise(enum privs_step step);
void privs_lower(void);
/* Whether owners of every user's sockets are in sight: root, or both the
 * capabilities that read other users' fd tables are permitted. */
int privs_sees_all_owners(void);
/* Whether the user may close a connection whose socket is uid owner: root
 * may close any, anyone else only their own (the rule kill(2) applies to
 * processes). 0 with why filled when not. */
int privs_may_close(unsigned owner, char *why, size_t whylen);

/* The kernel's Landlock ABI version; 0 when it has none or it is off. */
int privs_landlock_abi(void);

#endif
