/* cgroup.h — who a process belongs to, from its /proc/<pid>/cgroup: the
 * systemd unit (nginx.service, session-3.scope) or the container (Docker,
 * Podman, containerd, CRI-O) or Kubernetes pod it runs in, as one short
 * name for the SERVICE column and the service: filter.
 *
 * Names, as implemented:
 * - a systemd unit is its own name; the outermost .service or .scope of the
 *   path (what `ps -o unit` shows): a user's services run under
 *   user@1000.service, a login under session-3.scope.
 * - a container is "RUNTIME/NAME": docker/, podman/, containerd/, crio/,
 *   NAME being the runtime's own name where local state gives it without
 *   a daemon, else the id cut to 12 characters, as `docker ps` shows it.
 *   Docker: /var/lib/docker/containers/<id>/config.v2.json. Podman and
 *   CRI-O (containers/storage): <graph root>/overlay-containers/
 *   containers.json (vfs-containers/ for the vfs driver), the graph root
 *   being /var/lib/containers/storage, or for a process of another uid
 *   also that user's rootless ~/.local/share/containers/storage (its
 *   home from the passwd database; a $XDG_DATA_HOME or storage.conf
 *   elsewhere is not seen). A file counts only when its owner is root or,
 *   in a home, that user. containerd (ctr, nerdctl; cgroupfs driver): a
 *   process in cgroup /<namespace>/<id> is that container's only when
 *   root's task bundle /run/containerd/io.containerd.runtime.v2.task/
 *   <namespace>/<id>/ exists; its name is the bundle config.json's
 *   "nerdctl/name" annotation, else the id itself (ctr's ids are names
 *   the user chose; only an id of 12 or more hex digits is cut).
 * - a Kubernetes pod is "pod/UID", its uid cut to 12 characters (the pod's
 *   name lives in the API server, not in any local file sockeye reads).
 *   A pod wins over the container inside it and over the units around it;
 *   a container wins over units.
 * - which line counts: name=systemd and the v2 "0::" line first (systemd's
 *   own view), then the v1 controller lines. The root ("/") and paths with no
 *   unit, container or pod (a cgroup someone made by hand) name nothing.
 * The path is untrusted text: names are kept as raw bytes for the caller
 * to escape. */
#ifndef SOCKEYE_CGROUP_H
#define SOCKEYE_CGROUP_H

#include <stddef.h>
#include <stdint.h>

enum cgroup_kind {
	CGROUP_NONE,          /* root cgroup, unreadable, or nothing recognised */
	CGROUP_UNIT,          /* id: the unit name */
	CGROUP_DOCKER,        /* id: the container id (hex) */
	CGROUP_PODMAN,
	CGROUP_CONTAINERD,
	CGROUP_CRIO,
	CGROUP_POD            /* id: the pod uid, with dashes */
};

#define CGROUP_ID_MAX 256

/* What a cgroup file says a process belongs to. */
struct cgroup_owner {
	enum cgroup_kind kind;
	char id[CGROUP_ID_MAX];
	/* "namespace/id" when kind is CGROUP_NONE and a path has the shape of
	 * a containerd task's cgroup (/<namespace>/<id>): whether it is one is
	 * known only from the state cgroup_service_name looks at. Else "". */
	char task[CGROUP_ID_MAX];
};

/* Parses the text of a /proc/<pid>/cgroup file (text[0..len), need not be
 * NUL-terminated). Lines it does not understand are skipped; *out is
 * CGROUP_NONE when nothing names a unit, container or pod. */
void cgroup_parse(const char *text, size_t len, struct cgroup_owner *out);

/* Whether naming o needs the runtimes' state (struct cgroup_names). */
int cgroup_needs_state(const struct cgroup_owner *o);

/* The runtimes' local state, read when a container asks for it and kept
 * while the file is unchanged (same inode, size and mtime), so a host with
 * many containers reads containers.json once per change, not once per
 * process. state_root prefixes every path: "" in real use, a recorded tree
 * in tests. NULL when out of memory. */
struct cgroup_names;
struct cgroup_names *cgroup_names_new(const char *state_root);
void cgroup_names_free(struct cgroup_names *names);

/* The name the screen shows for o (see above), raw bytes, cut to fit len;
 * uid is the process's real uid (whose rootless storage to look in).
 * names NULL: ids only. CGROUP_NONE gives "" (or, for a task path whose
 * bundle exists, the containerd container). A missing, unreadable,
 * oversized or malformed state file gives the short id. */
void cgroup_service_name(const struct cgroup_owner *o, struct cgroup_names *names,
                         uint32_t uid, char *buf, size_t len);

#endif
