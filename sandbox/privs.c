/* privs.c — least privilege after set-up: which capabilities and paths
 * sockeye needs (two tables, one row a need), and giving up the rest with
 * libcap-ng, no_new_privs and Landlock. */
#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

/* Rights newer than the kernel headers Debian 12 ships (6.1); their
 * values are the kernel's ABI and never change. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)    /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)   /* ABI 5 */
#endif

/* ---- what sockeye needs ---- */

static int privs_always(const struct options *o)
{
	(void)o;
	return 1;
}

/* K (SOCK_DESTROY) exists only on the screen, and not with --read-only. */
static int privs_wants_destroy(const struct options *o)
{
	return o->mode == MODE_SCREEN && !o->read_only;
}

/* F9 as root signals any process, as kill(1) as root does: root's own
 * right, kept; never given to anyone else (no recipe grants CAP_KILL). */
static int privs_wants_signals(const struct options *o)
{
	return o->mode == MODE_SCREEN && !o->read_only && getuid() == 0;
}

/* Entering network namespaces (setns) to open a sock_diag socket in each
 * one that appears: unless --no-all-netns. See collectors/netns.c. */
static int privs_wants_netns(const struct options *o)
{
	return o->netns != POLLER_NETNS_HOST;
}

/* The capabilities kept after set-up; every other one is dropped. */
static const struct privs_cap_need {
	unsigned cap;
	int (*wanted)(const struct options *o);
} privs_cap_needs[] = {
	/* readlink of /proc/PID/fd/N of another user's (or a more privileged)
	 * process is a ptrace read access check */
	{ CAP_SYS_PTRACE, privs_always },
	/* /proc/PID/fd itself is mode 0500, owned by the process's user */
	{ CAP_DAC_READ_SEARCH, privs_always },
	/* SOCK_DESTROY; sock_diag dumps and the destroy groups need nothing */
	{ CAP_NET_ADMIN, privs_wants_destroy },
	/* kill(2) of another user's process, for root only */
	{ CAP_KILL, privs_wants_signals },
	/* setns(2) into each network namespace (netns_enter_and_open) */
	{ CAP_SYS_ADMIN, privs_wants_netns },
};

/* $XDG_CONFIG_HOME/sockeye, else ~/.config/sockeye: themes and config. A
 * relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
static const char *privs_config_dir(const struct options *o, char *buf, size_t len)
{
	(void)o;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/sockeye", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.config/sockeye", home);
	else
		return NULL;
	return buf;
}

static const char *privs_themes_env(const struct options *o, char *buf, size_t len)
{
	(void)o;
	const char *env = getenv("SOCKEYE_THEMES_DIR");
	if (!env || !*env)
		return NULL;
	snprintf(buf, len, "%s", env);
	return buf;
}

const char *privs_config_save_dir(const struct options *o, char *buf, size_t len)
{
	struct stat st;
	char *slash, cwd[4096] = "";

	if (!o->config_path || (o->config_path[0] != '/' && !getcwd(cwd, sizeof cwd)))
		return NULL;
	if (snprintf(buf, len, "%s%s%s", cwd, *cwd ? "/" : "", o->config_path) >= (int)len)
		return NULL;
	while ((slash = strrchr(buf, '/')) && slash != buf) {
		*slash = '\0';
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return buf;
	}
	return NULL;
}

/* Where sockeye reads or writes once set up. A feature that opens files
 * elsewhere adds its row: path is fixed, or path_for gives it for these
 * options and the environment (NULL when the feature is off). A path that
 * does not exist when the sandbox is applied is left out. */
static const struct privs_path_need {
	enum privs_access access;
	const char *path;
	const char *(*path_for)(const struct options *o, char *buf, size_t len);
} privs_path_needs[] = {
	/* the kernel's tables, processes' fds, names and namespaces */
	{ PRIVS_READ, "/proc", NULL },
	/* users, services, hosts and the resolver's configuration, localtime */
	{ PRIVS_READ, "/etc", NULL },
	/* themes, terminfo, zoneinfo, and the NSS modules getpwuid loads */
	{ PRIVS_READ, "/usr", NULL },
	{ PRIVS_READ, "/lib", NULL },
	{ PRIVS_READ, "/lib64", NULL },
	{ PRIVS_READ, SOCKEYE_DATADIR, NULL },
	/* named network namespaces (ip netns) */
	{ PRIVS_READ, "/run/netns", NULL },
	{ PRIVS_READ, NULL, privs_config_dir },
	{ PRIVS_READ, NULL, privs_themes_env },
	/* the settings W saves */
	{ PRIVS_WRITE, NULL, privs_config_save_dir },
};

int privs_policy_add(struct privs_policy *pol, const char *path, enum privs_access access,
                     char *err, size_t errlen)
{
	if (pol->nrules == PRIVS_RULES_MAX) {
		snprintf(err, errlen, "too many sandbox paths (at most %d)", PRIVS_RULES_MAX);
		return -1;
	}
	char *copy = strdup(path);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pol->rules[pol->nrules].path = copy;
	pol->rules[pol->nrules++].access = access;
	return 0;
}

int privs_policy_for(struct privs_policy *pol, const struct options *o,
                     char *err, size_t errlen)
{
	memset(pol, 0, sizeof(*pol));
	for (size_t i = 0; i < sizeof(privs_cap_needs) / sizeof(privs_cap_needs[0]); i++)
		if (privs_cap_needs[i].wanted(o) && pol->ncaps < PRIVS_CAPS_MAX)
			pol->caps[pol->ncaps++] = privs_cap_needs[i].cap;
	for (size_t i = 0; i < sizeof(privs_path_needs) / sizeof(privs_path_needs[0]); i++) {
		const struct privs_path_need *n = &privs_path_needs[i];
		char buf[4096];
		const char *path = n->path ? n->path : n->path_for(o, buf, sizeof(buf));
		if (path && privs_policy_add(pol, path, n->access, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void privs_policy_free(struct privs_policy *pol)
{
	for (size_t i = 0; i < pol->nrules; i++)
		free(pol->rules[i].path);
	pol->nrules = 0;
}

/* ---- a user's own rights ---- */

static uint64_t privs_step_caps(enum privs_step step)
{
	if (step == PRIVS_CLOSE)
		return 1ULL << CAP_NET_ADMIN;
	return 1ULL << CAP_SYS_PTRACE | 1ULL << CAP_DAC_READ_SEARCH | 1ULL << CAP_SYS_ADMIN;
}

/* The calling thread's permitted set; 0 when it cannot be read. Raw
 * capget, not libcap-ng: its state is one per process, and threads raise
 * and lower at the same time. */
static uint64_t privs_permitted(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
}

/* Sets the calling thread's effective set to eff (of what is permitted). */
static int privs_set_effective(uint64_t eff)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	eff &= (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

int privs_start(char *err, size_t errlen)
{
	/* A set-user-ID sockeye would open every file the user names with
	 * another user's rights. */
	if (getuid() != geteuid() || getgid() != getegid()) {
		snprintf(err, errlen, "refusing to run set-user-ID or set-group-ID: give the "
		         "binary file capabilities instead (see PRIVILEGES in sockeye(1))");
		return -1;
	}
	if (getuid() != 0)
		privs_set_effective(0);
	return 0;
}

void privs_raise(enum privs_step step)
{
	if (getuid() != 0)
		privs_set_effective(privs_step_caps(step));
}

void privs_lower(void)
{
	if (getuid() != 0)
		privs_set_effective(0);
}

int privs_sees_all_owners(void)
{
	uint64_t fd_tables = 1ULL << CAP_SYS_PTRACE | 1ULL << CAP_DAC_READ_SEARCH;
	return getuid() == 0 || (privs_permitted() & fd_tables) == fd_tables;
}

int privs_may_close(unsigned owner, char *why, size_t whylen)
{
	unsigned me = (unsigned)getuid();
	if (me == 0 || owner == me)
		return 1;
	snprintf(why, whylen, "not closed: this connection is uid %u's, not yours (uid %u); "
	         "only root may close another user's connection", owner, me);
	return 0;
}

/* ---- capabilities ---- */

static void privs_describe_kept(const struct privs_policy *pol, struct privs_report *rep)
{
	size_t used = 0;
	rep->kept[0] = '\0';
	for (size_t i = 0; i < pol->ncaps; i++) {
		if (!capng_have_capability(CAPNG_PERMITTED, pol->caps[i]))
			continue;
		const char *name = capng_capability_to_name(pol->caps[i]);
		int n = snprintf(rep->kept + used, sizeof(rep->kept) - used, "%s%s",
		                 used ? " " : "", name ? name : "?");
		if (n < 0 || (size_t)n >= sizeof(rep->kept) - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(rep->kept, sizeof(rep->kept), "none");
}

/* Keeps pol's capabilities of those permitted now (one cannot add what one
 * lacks: started by a user, only the file's capabilities are there).
 * Emptying the bounding set takes CAP_SETPCAP, which root has; without it
 * no_new_privs alone stops an exec from regaining anything. */
static int privs_drop_caps(const struct privs_policy *pol, struct privs_report *rep,
                           char *why, size_t whylen)
{
	if (capng_get_caps_process() < 0) {
		snprintf(why, whylen, "cannot read the capabilities: %s", strerror(errno));
		return -1;
	}
	rep->privileged = privs_permitted() != 0;
	int bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	int have[PRIVS_CAPS_MAX];
	for (size_t i = 0; i < pol->ncaps; i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, pol->caps[i]);
	capng_select_t set = bounds ? CAPNG_SELECT_ALL
	                            : (capng_select_t)(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
	capng_clear(set);
	/* An ordinary user's capabilities stay lowered until a step raises them. */
	capng_type_t sets = getuid() == 0 ? CAPNG_EFFECTIVE | CAPNG_PERMITTED : CAPNG_PERMITTED;
	for (size_t i = 0; i < pol->ncaps; i++)
		if (have[i])
			capng_update(CAPNG_ADD, sets, pol->caps[i]);
	int rc = capng_apply(set);
	if (rc < 0) {
		snprintf(why, whylen, "cannot drop capabilities (libcap-ng error %d: %s)",
		         rc, strerror(errno));
		capng_get_caps_process();
	}
	privs_describe_kept(pol, rep);
	return rc < 0 ? -1 : 0;
}

/* ---- Landlock ---- */

int privs_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                   LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

/* Every file-system right this ABI knows: what is not handled stays
 * allowed everywhere. */
static uint64_t privs_handled(int abi)
{
	uint64_t all = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
		LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
		LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

/* The rights one rule grants. Writing an output atomically is creating a
 * temporary file beside it and renaming it over the old one; a first save
 * of the settings also makes their folder. */
static uint64_t privs_rights(enum privs_access access, int is_dir)
{
	uint64_t r = LANDLOCK_ACCESS_FS_READ_FILE;
	if (is_dir)
		r |= LANDLOCK_ACCESS_FS_READ_DIR;
	if (access == PRIVS_WRITE) {
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
		if (is_dir)
			r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |
			     LANDLOCK_ACCESS_FS_MAKE_DIR;
	}
	return r;
}

static int privs_add_rule(int ruleset, const struct privs_rule *rule, uint64_t handled,
                          char *why, size_t whylen)
{
	/* A path the user may not reach (HOME left at root's) is one sockeye
	 * never opens: no rule, and the rest of the sandbox still applies. */
	int fd = open(rule->path, O_PATH | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
		return 0;
	if (fd < 0) {
		snprintf(why, whylen, "Landlock: %s: %s", rule->path, strerror(errno));
		return -1;
	}
	struct stat st;
	struct landlock_path_beneath_attr attr = { .parent_fd = fd };
	int rc = fstat(fd, &st);
	if (rc == 0) {
		attr.allowed_access = privs_rights(rule->access, S_ISDIR(st.st_mode)) & handled;
		rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		                  &attr, 0);
	}
	if (rc < 0)
		snprintf(why, whylen, "Landlock: %s: %s", rule->path, strerror(errno));
	close(fd);
	return rc < 0 ? -1 : 0;
}

/* Returns the ABI applied, or 0 with why filled. */
static int privs_landlock(const struct privs_policy *pol, char *why, size_t whylen)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                   LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		snprintf(why, whylen, "file access is not narrowed: %s",
		         errno == ENOSYS ? "this kernel has no Landlock"
		         : errno == EOPNOTSUPP ? "Landlock is off in this kernel"
		         : strerror(errno));
		return 0;
	}
	struct landlock_ruleset_attr attr = { .handled_access_fs = privs_handled((int)abi) };
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0) {
		snprintf(why, whylen, "file access is not narrowed: Landlock refused the "
		         "ruleset: %s", strerror(errno));
		return 0;
	}
	int rc = 0;
	for (size_t i = 0; i < pol->nrules && rc == 0; i++)
		rc = privs_add_rule(ruleset, &pol->rules[i], attr.handled_access_fs, why, whylen);
	if (rc == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
		snprintf(why, whylen, "file access is not narrowed: Landlock refused: %s",
		         strerror(errno));
		rc = -1;
	}
	close(ruleset);
	return rc < 0 ? 0 : (int)abi;
}

/* ---- all of it ---- */

/* Threads that exist now would keep every privilege: say so. */
static long privs_threads(void)
{
	struct stat st;
	return stat("/proc/self/task", &st) == 0 ? (long)st.st_nlink - 2 : 1;
}

void privs_note(struct privs_report *rep, const char *text)
{
	size_t used = strlen(rep->note);
	snprintf(rep->note + used, sizeof(rep->note) - used, "%s%s", used ? "; " : "", text);
}

int privs_keep_caps(const struct privs_policy *pol, struct privs_report *rep)
{
	char why[320];
	int rc = 0;
	long threads = privs_threads();
	if (threads > 1) {
		snprintf(why, sizeof(why), "%ld threads started before privileges were dropped "
		         "keep them", threads - 1);
		privs_note(rep, why);
		rc = -1;
	}
	if (privs_drop_caps(pol, rep, why, sizeof(why)) < 0) {
		privs_note(rep, why);
		rc = -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(why, sizeof(why), "cannot set no_new_privs: %s", strerror(errno));
		privs_note(rep, why);
		rc = -1;
	}
	return rc;
}

int privs_sandbox(const struct privs_policy *pol, struct privs_report *rep)
{
	char why[320];
	rep->landlock_abi = privs_landlock(pol, why, sizeof(why));
	if (rep->landlock_abi)
		return 0;
	privs_note(rep, why);
	return -1;
}

/* Runs step with the policy for these options. */
static int privs_with_policy(const struct options *o, struct privs_report *rep,
                             int (*step)(const struct privs_policy *, struct privs_report *))
{
	struct privs_policy pol;
	char err[256], why[320];
	int rc;
	if (privs_policy_for(&pol, o, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "privileges not given up: %s", err);
		privs_note(rep, why);
		rc = -1;
	} else {
		rc = step(&pol, rep);
	}
	privs_policy_free(&pol);
	return rc;
}

int privs_drop(const struct options *o, struct privs_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	snprintf(rep->kept, sizeof(rep->kept), "all");
	rep->privileged = 1;
	return privs_with_policy(o, rep, privs_keep_caps);
}

int privs_narrow(const struct options *o, struct privs_report *rep)
{
	return privs_with_policy(o, rep, privs_sandbox);
}
