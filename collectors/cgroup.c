/* cgroup.c — a process's service from its /proc/<pid>/cgroup lines: the
 * systemd unit, container or Kubernetes pod a path names, and the name a
 * runtime gave it where its local state says so (cgroup.h). */
#include "config.h"

#include "cgroup.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CGROUP_SHORT_ID 12        /* what `docker ps` shows of an id */
#define CGROUP_JSON_MAX (1 << 20) /* config.v2.json is a few KiB */
/* containers.json holds ~600 bytes a container: 8 MiB is ~14,000. */
#define CGROUP_STORE_MAX (8 << 20)
#define CGROUP_STORES 8           /* containers.json files kept read */
#define CGROUP_BUNDLES 16         /* containerd task configs kept read */
#define CGROUP_TASK_DIR "/run/containerd/io.containerd.runtime.v2.task/"
/* containerd's identifiers (namespaces, container ids) are at most 76
 * characters: containerd 1.6.20 refused 77 and ".." or "a_-b" (tried with
 * `ctr namespaces create`). */
#define CGROUP_IDENT_MAX 76

/* One containers/storage containers.json as last read: its identity, so
 * an unchanged file is not read again (containers/storage replaces it by
 * rename, so a change is a new inode), and its containers packed as
 * "id\0name\0id\0name\0...". */
struct cgroup_store {
	char path[4096];           /* "" unused */
	uid_t owner;               /* who must own the file for it to count */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int present;               /* it was there, of the right owner, well formed */
	char *pairs;
	size_t n_pairs;            /* bytes */
};

/* One containerd task's bundle config.json as last read: its identity,
 * so each process of the task does not read it again, and the name its
 * annotations give ("" none). */
struct cgroup_bundle {
	char task[CGROUP_ID_MAX];  /* "namespace/id", "" unused */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char name[CGROUP_ID_MAX];
};

struct cgroup_names {
	char *root;
	struct cgroup_store stores[CGROUP_STORES];
	unsigned next;             /* the slot a new path takes */
	struct cgroup_bundle bundles[CGROUP_BUNDLES];
	unsigned next_bundle;
};

/* One path component (or a part of one), not NUL-terminated. */
struct cgroup_span {
	const char *s;
	size_t n;
};

static int cgroup_has_prefix(struct cgroup_span c, const char *p)
{
	size_t n = strlen(p);
	return c.n >= n && memcmp(c.s, p, n) == 0;
}

static int cgroup_has_suffix(struct cgroup_span c, const char *p)
{
	size_t n = strlen(p);
	return c.n >= n && memcmp(c.s + c.n - n, p, n) == 0;
}

static struct cgroup_span cgroup_cut(struct cgroup_span c, size_t head, size_t tail)
{
	struct cgroup_span r = { c.s + head, c.n - head - tail };
	return r;
}

/* A container id: 12 or more hex digits (Docker's are 64; some older
 * setups and tools show 32). */
static int cgroup_is_hex_id(struct cgroup_span c)
{
	if (c.n < CGROUP_SHORT_ID || c.n >= CGROUP_ID_MAX)
		return 0;
	for (size_t i = 0; i < c.n; i++)
		if (!strchr("0123456789abcdef", c.s[i]) || !c.s[i])
			return 0;
	return 1;
}

/* A pod uid: 32 hex digits, with dashes (cgroupfs driver) or underscores
 * (systemd driver, which keeps '-' for its slice nesting) between groups,
 * or none (static pods). */
static int cgroup_is_pod_uid(struct cgroup_span c)
{
	size_t hex = 0;

	if (c.n < 32 || c.n > 36)
		return 0;
	for (size_t i = 0; i < c.n; i++) {
		if (c.s[i] && strchr("0123456789abcdef", c.s[i]))
			hex++;
		else if (c.s[i] != '-' && c.s[i] != '_')
			return 0;
	}
	return hex == 32;
}

static void cgroup_set(struct cgroup_owner *o, enum cgroup_kind k, struct cgroup_span id)
{
	size_t n = id.n < CGROUP_ID_MAX - 1 ? id.n : CGROUP_ID_MAX - 1;

	o->kind = k;
	memcpy(o->id, id.s, n);
	o->id[n] = '\0';
	if (k == CGROUP_POD)
		for (size_t i = 0; i < n; i++)
			if (o->id[i] == '_')
				o->id[i] = '-';
}

/* "pod<uid>" (cgroupfs: /kubepods/burstable/pod<uid>/...) or
 * "kubepods-burstable-pod<uid>.slice" (systemd driver, also prefixed
 * "kubelet-" by kind); the part before ":cri-containerd:" when containerd
 * joins the container to it with colons on cgroup v1. */
static int cgroup_pod(struct cgroup_span c, struct cgroup_owner *o)
{
	const char *colon = memchr(c.s, ':', c.n);

	if (colon)
		c.n = (size_t)(colon - c.s);
	if (cgroup_has_suffix(c, ".slice"))
		c = cgroup_cut(c, 0, 6);
	if (!cgroup_has_prefix(c, "pod")) {
		const char *p = NULL;
		for (size_t i = 0; i + 4 <= c.n; i++)
			if (memcmp(c.s + i, "-pod", 4) == 0)
				p = c.s + i + 1;
		if (!p || !(cgroup_has_prefix(c, "kubepods") || cgroup_has_prefix(c, "kubelet-kubepods")))
			return 0;
		c = cgroup_cut(c, (size_t)(p - c.s), 0);
	}
	c = cgroup_cut(c, 3, 0);
	if (!cgroup_is_pod_uid(c))
		return 0;
	cgroup_set(o, CGROUP_POD, c);
	return 1;
}

/* Runtimes that name a container's own cgroup "<prefix><id><suffix>". */
static const struct {
	const char *prefix, *suffix;
	enum cgroup_kind kind;
} cgroup_scopes[] = {
	{ "docker-", ".scope", CGROUP_DOCKER },
	{ "libpod-", ".scope", CGROUP_PODMAN },
	{ "libpod-", "", CGROUP_PODMAN },           /* cgroupfs: /libpod_parent/libpod-<id> */
	{ "cri-containerd-", ".scope", CGROUP_CONTAINERD },
	{ "crio-", ".scope", CGROUP_CRIO },
};

/* A container's own cgroup. prev is the component before c: Docker's and
 * containerd's cgroupfs drivers make /docker/<id> and
 * <pod slice>:cri-containerd:<id>. */
static int cgroup_container(struct cgroup_span prev, struct cgroup_span c,
                            struct cgroup_owner *o)
{
	const char *cri = NULL;

	for (size_t i = 0; i < sizeof cgroup_scopes / sizeof cgroup_scopes[0]; i++) {
		size_t pl = strlen(cgroup_scopes[i].prefix), sl = strlen(cgroup_scopes[i].suffix);
		if (cgroup_has_prefix(c, cgroup_scopes[i].prefix) &&
		    cgroup_has_suffix(c, cgroup_scopes[i].suffix) && c.n > pl + sl &&
		    cgroup_is_hex_id(cgroup_cut(c, pl, sl))) {
			cgroup_set(o, cgroup_scopes[i].kind, cgroup_cut(c, pl, sl));
			return 1;
		}
	}
	if (prev.n == 6 && memcmp(prev.s, "docker", 6) == 0 && cgroup_is_hex_id(c)) {
		cgroup_set(o, CGROUP_DOCKER, c);
		return 1;
	}
	for (size_t i = 0; i + 16 <= c.n; i++)
		if (memcmp(c.s + i, ":cri-containerd:", 16) == 0)
			cri = c.s + i + 16;
	if (cri && cgroup_is_hex_id(cgroup_cut(c, (size_t)(cri - c.s), 0))) {
		cgroup_set(o, CGROUP_CONTAINERD, cgroup_cut(c, (size_t)(cri - c.s), 0));
		return 1;
	}
	return 0;
}

static int cgroup_unit(struct cgroup_span c, struct cgroup_owner *o)
{
	if ((cgroup_has_suffix(c, ".service") && c.n > 8) ||
	    (cgroup_has_suffix(c, ".scope") && c.n > 6)) {
		cgroup_set(o, CGROUP_UNIT, c);
		return 1;
	}
	return 0;
}

/* What one path names: a pod anywhere on it, else the innermost container,
 * else the outermost unit. */
static void cgroup_classify(struct cgroup_span path, struct cgroup_owner *out)
{
	struct cgroup_owner unit = { CGROUP_NONE, "", "" }, box = { CGROUP_NONE, "", "" };
	struct cgroup_span prev = { "", 0 };
	int kube = 0;
	const char *p = path.s, *end = path.s + path.n;

	out->kind = CGROUP_NONE;
	out->id[0] = '\0';
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		struct cgroup_span c = { p, (size_t)((slash ? slash : end) - p) };

		p = slash ? slash + 1 : end;
		if (!c.n)
			continue;
		kube |= cgroup_has_prefix(c, "kubepods") || cgroup_has_prefix(c, "kubelet-kubepods");
		if (kube && cgroup_pod(c, out))
			return;
		if (!cgroup_container(prev, c, &box) && unit.kind == CGROUP_NONE)
			cgroup_unit(c, &unit);
		prev = c;
	}
	*out = box.kind != CGROUP_NONE ? box : unit;
}

/* Line "N:controllers:/path": the path, and whether it is systemd's own view
 * (the v2 line "0::" or the v1 name=systemd hierarchy). */
static int cgroup_line(struct cgroup_span line, struct cgroup_span *path, int *systemd)
{
	const char *c1 = memchr(line.s, ':', line.n), *c2;

	if (!c1)
		return 0;
	c2 = memchr(c1 + 1, ':', (size_t)(line.s + line.n - c1 - 1));
	if (!c2)
		return 0;
	path->s = c2 + 1;
	path->n = (size_t)(line.s + line.n - c2 - 1);
	*systemd = (c2 == c1 + 1 && c1 - line.s == 1 && line.s[0] == '0') ||
	           ((size_t)(c2 - c1 - 1) == 12 && memcmp(c1 + 1, "name=systemd", 12) == 0);
	return 1;
}

/* Pass 0: systemd's lines, containers and pods; 1: their units; 2 and 3:
 * the same from the other lines. Returns 1 when something was found. */
static int cgroup_pass(const char *text, size_t len, int pass, struct cgroup_owner *out)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct cgroup_span line = { p, (size_t)((nl ? nl : end) - p) }, path;
		int systemd;

		p = nl ? nl + 1 : end;
		if (!cgroup_line(line, &path, &systemd) || systemd != (pass < 2))
			continue;
		cgroup_classify(path, out);
		if (out->kind != CGROUP_NONE && (out->kind == CGROUP_UNIT) == (pass % 2 == 1))
			return 1;
	}
	return 0;
}

/* One of containerd's identifiers: letters and digits, single '.', '_'
 * or '-' between them (so never "." or ".."), at most 76 long. */
static int cgroup_is_ident(struct cgroup_span c)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	if (!c.n || c.n > CGROUP_IDENT_MAX)
		return 0;
	for (size_t i = 0; i < c.n; i++) {
		int an = c.s[i] && strchr(alnum, c.s[i]) != NULL;
		if (!an && (!c.s[i] || !strchr("._-", c.s[i]) || i == 0 || i == c.n - 1 ||
		            !strchr(alnum, c.s[i - 1])))
			return 0;
	}
	return 1;
}

/* "/<namespace>/<id>": where containerd's cgroupfs driver puts a task
 * (the cgroupsPath its default spec gives); "namespace/id" into task. */
static int cgroup_task_path(struct cgroup_span path, char *task)
{
	const char *slash;
	struct cgroup_span ns, id;

	if (path.n < 4 || path.s[0] != '/')
		return 0;
	slash = memchr(path.s + 1, '/', path.n - 1);
	if (!slash)
		return 0;
	ns.s = path.s + 1;
	ns.n = (size_t)(slash - ns.s);
	id.s = slash + 1;
	id.n = (size_t)(path.s + path.n - id.s);
	if (!cgroup_is_ident(ns) || !cgroup_is_ident(id))
		return 0;
	memcpy(task, path.s + 1, path.n - 1);
	task[path.n - 1] = '\0';
	return 1;
}

/* The first task-shaped path, systemd's lines first. */
static void cgroup_find_task(const char *text, size_t len, char *task)
{
	for (int sys = 1; sys >= 0; sys--) {
		for (const char *p = text, *end = text + len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			struct cgroup_span line = { p, (size_t)((nl ? nl : end) - p) }, path;
			int systemd;

			p = nl ? nl + 1 : end;
			if (cgroup_line(line, &path, &systemd) && systemd == sys &&
			    cgroup_task_path(path, task))
				return;
		}
	}
}

void cgroup_parse(const char *text, size_t len, struct cgroup_owner *out)
{
	for (int pass = 0; pass < 4; pass++)
		if (cgroup_pass(text, len, pass, out)) {
			out->task[0] = '\0';
			return;
		}
	out->kind = CGROUP_NONE;
	out->id[0] = '\0';
	out->task[0] = '\0';
	cgroup_find_task(text, len, out->task);
}

int cgroup_needs_state(const struct cgroup_owner *o)
{
	return (o->kind != CGROUP_NONE && o->kind != CGROUP_UNIT) ||
	       (o->kind == CGROUP_NONE && o->task[0]);
}

/* ---- names from the runtimes' local state ---- */

/* Reads a whole small file; NULL when missing or too big. */
static char *cgroup_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;

	if (!f)
		return NULL;
	buf = malloc(CGROUP_JSON_MAX);
	if (buf) {
		*len = fread(buf, 1, CGROUP_JSON_MAX, f);
		if (*len == CGROUP_JSON_MAX || ferror(f)) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* ---- just enough JSON: untrusted text, walked without recursion ---- */

static size_t cgroup_json_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* s[i] is an opening quote: the index of the closing one, n if none. */
static size_t cgroup_json_string_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < n ? i : n;
}

/* The index just past the value starting at s[i] (string, object, array
 * or scalar); SIZE_MAX when the text ends inside it. Depth is a counter,
 * not a recursion, so deep nesting costs no stack. */
static size_t cgroup_json_skip(const char *s, size_t n, size_t i)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (s[i] == '"') {
			i = cgroup_json_string_end(s, n, i);
			if (i == n)
				return SIZE_MAX;
			if (!depth)
				return i + 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (!depth)
				return i;         /* a scalar ends at its container's end */
			if (!--depth)
				return i + 1;
		} else if (!depth && s[i] == ',') {
			return i;
		}
	}
	return depth ? SIZE_MAX : n;
}

/* The index of key's value in the object starting at s[i] ('{'), at its
 * own level only (keys of nested objects such as labels do not count);
 * SIZE_MAX when absent or malformed. */
static size_t cgroup_json_member(const char *s, size_t n, size_t i, const char *key)
{
	size_t klen = strlen(key);

	if (i >= n || s[i] != '{')
		return SIZE_MAX;
	for (i = cgroup_json_ws(s, n, i + 1); i < n && s[i] == '"';) {
		size_t k = i + 1, e = cgroup_json_string_end(s, n, i);
		if (e == n)
			return SIZE_MAX;
		i = cgroup_json_ws(s, n, e + 1);
		if (i >= n || s[i] != ':')
			return SIZE_MAX;
		i = cgroup_json_ws(s, n, i + 1);
		if (e - k == klen && memcmp(s + k, key, klen) == 0)
			return i;
		i = cgroup_json_skip(s, n, i);
		if (i == SIZE_MAX)
			return SIZE_MAX;
		i = cgroup_json_ws(s, n, i);
		if (i >= n || s[i] != ',')
			return SIZE_MAX;
		i = cgroup_json_ws(s, n, i + 1);
	}
	return SIZE_MAX;
}

/* The string at s[i], raw, into out: a string with escapes is refused
 * (container names never need them), as is one that does not fit. */
static int cgroup_json_string(const char *s, size_t n, size_t i, char *out, size_t outlen)
{
	size_t j;

	if (i >= n || s[i] != '"')
		return -1;
	for (j = i + 1; j < n && s[j] != '"' && s[j] != '\\' && s[j]; j++)
		;
	if (j >= n || s[j] != '"' || j - i - 1 >= outlen)
		return -1;
	memcpy(out, s + i + 1, j - i - 1);
	out[j - i - 1] = '\0';
	return 0;
}

/* Docker keeps "Name":"/web-1" at the top of each container's config. */
static int cgroup_docker_name(const char *root, const char *id, char *name, size_t len)
{
	char path[4096], *json;
	size_t n = 0;
	int r;

	snprintf(path, sizeof path, "%s/var/lib/docker/containers/%s/config.v2.json", root, id);
	json = cgroup_slurp(path, &n);
	if (!json)
		return -1;
	r = cgroup_json_string(json, n, cgroup_json_member(json, n, cgroup_json_ws(json, n, 0), "Name"),
	                       name, len);
	free(json);
	if (r == 0 && name[0] == '/')
		memmove(name, name + 1, strlen(name));
	return r == 0 && name[0] ? 0 : -1;
}

/* ---- containers/storage (Podman, CRI-O): containers.json ---- */

struct cgroup_names *cgroup_names_new(const char *state_root)
{
	struct cgroup_names *n = calloc(1, sizeof *n);

	if (!n)
		return NULL;
	n->root = strdup(state_root ? state_root : "");
	if (!n->root) {
		free(n);
		return NULL;
	}
	return n;
}

static void cgroup_store_clear(struct cgroup_store *st)
{
	free(st->pairs);
	st->pairs = NULL;
	st->n_pairs = 0;
	st->present = 0;
}

void cgroup_names_free(struct cgroup_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < CGROUP_STORES; i++)
		cgroup_store_clear(&n->stores[i]);
	free(n->root);
	free(n);
}

/* Appends "id\0name\0" for one element of the array: an object whose "id"
 * and first of "names" are plain strings. Others are skipped. */
static int cgroup_store_add(struct cgroup_store *st, const char *s, size_t n, size_t obj,
                            size_t *cap)
{
	char id[CGROUP_ID_MAX], name[CGROUP_ID_MAX];
	size_t names = cgroup_json_member(s, n, obj, "names"), need;

	if (cgroup_json_string(s, n, cgroup_json_member(s, n, obj, "id"), id, sizeof id) < 0 ||
	    names >= n || s[names] != '[' ||
	    cgroup_json_string(s, n, cgroup_json_ws(s, n, names + 1), name, sizeof name) < 0 ||
	    !id[0] || !name[0])
		return 0;
	need = st->n_pairs + strlen(id) + strlen(name) + 2;
	if (need > *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		char *p;
		while (ncap < need)
			ncap *= 2;
		p = realloc(st->pairs, ncap);
		if (!p)
			return -1;
		st->pairs = p;
		*cap = ncap;
	}
	memcpy(st->pairs + st->n_pairs, id, strlen(id) + 1);
	st->n_pairs += strlen(id) + 1;
	memcpy(st->pairs + st->n_pairs, name, strlen(name) + 1);
	st->n_pairs += strlen(name) + 1;
	return 0;
}

/* The containers of a containers.json text; -1 when it is not an array of
 * values (then none of it counts). */
static int cgroup_store_parse(struct cgroup_store *st, const char *s, size_t n)
{
	size_t i = cgroup_json_ws(s, n, 0), cap = 0;

	if (i >= n || s[i] != '[')
		return -1;
	for (i = cgroup_json_ws(s, n, i + 1); i < n && s[i] != ']';) {
		size_t end = cgroup_json_skip(s, n, i);
		if (end == SIZE_MAX || end == i)
			return -1;
		if (s[i] == '{' && cgroup_store_add(st, s, end, i, &cap) < 0)
			return -1;
		i = cgroup_json_ws(s, n, end);
		if (i < n && s[i] == ',')
			i = cgroup_json_ws(s, n, i + 1);
		else if (i >= n || s[i] != ']')
			return -1;
	}
	return i < n ? 0 : -1;
}

/* The whole of path when it is a regular file of owner, not empty and
 * at most max bytes; NULL otherwise. O_NONBLOCK so a FIFO planted there
 * cannot hang the poll. */
static char *cgroup_read_owned(const char *path, uid_t owner, off_t max, size_t *len)
{
	struct stat sb;
	char *text = NULL;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == owner &&
	    sb.st_size > 0 && sb.st_size <= max &&
	    (text = malloc((size_t)sb.st_size + 1)) != NULL) {
		ssize_t r;
		while ((size_t)got <= (size_t)sb.st_size &&
		       (r = read(fd, text + got, (size_t)sb.st_size + 1 - (size_t)got)) > 0)
			got += r;
		/* Exactly the size stat gave: a file still being written does not count. */
		if (got != sb.st_size) {
			free(text);
			text = NULL;
		}
		*len = (size_t)got;
	}
	close(fd);
	return text;
}

/* Reads st->path afresh: a regular file of the expected owner, not too big. */
static void cgroup_store_load(struct cgroup_store *st)
{
	size_t n = 0;
	char *text = cgroup_read_owned(st->path, st->owner, CGROUP_STORE_MAX, &n);

	cgroup_store_clear(st);
	if (text && cgroup_store_parse(st, text, n) == 0)
		st->present = 1;
	else
		cgroup_store_clear(st);
	free(text);
}

/* The cached store for path, read again when the file changed. */
static struct cgroup_store *cgroup_store_get(struct cgroup_names *names, const char *path,
                                             uid_t owner)
{
	struct cgroup_store *st = NULL;
	struct stat sb;
	int exists;

	for (size_t i = 0; i < CGROUP_STORES && !st; i++)
		if (names->stores[i].owner == owner && strcmp(names->stores[i].path, path) == 0)
			st = &names->stores[i];
	if (!st) {
		st = &names->stores[names->next++ % CGROUP_STORES];
		cgroup_store_clear(st);
		snprintf(st->path, sizeof st->path, "%s", path);
		st->owner = owner;
		st->ino = 0;
	}
	exists = stat(path, &sb) == 0;
	if (!exists) {
		cgroup_store_clear(st);
		st->ino = 0;
	} else if (sb.st_dev != st->dev || sb.st_ino != st->ino || sb.st_size != st->size ||
	           sb.st_mtim.tv_sec != st->mtime.tv_sec || sb.st_mtim.tv_nsec != st->mtime.tv_nsec) {
		st->dev = sb.st_dev;
		st->ino = sb.st_ino;
		st->size = sb.st_size;
		st->mtime = sb.st_mtim;
		cgroup_store_load(st);
	}
	return st;
}

static int cgroup_store_find(const struct cgroup_store *st, const char *id, char *name,
                             size_t len)
{
	for (size_t i = 0; st->present && i < st->n_pairs;) {
		const char *cid = st->pairs + i, *cname = cid + strlen(cid) + 1;
		if (strcmp(cid, id) == 0) {
			snprintf(name, len, "%s", cname);
			return 0;
		}
		i = (size_t)(cname - st->pairs) + strlen(cname) + 1;
	}
	return -1;
}

/* The graph roots a container of a process of uid may live in: root's
 * (rootful Podman, CRI-O) and, for another uid, that user's rootless one,
 * $HOME/.local/share/containers/storage. The overlay driver's file first,
 * then vfs's (where overlay is not available). */
static int cgroup_storage_name(struct cgroup_names *names, const char *id, uint32_t uid,
                               char *name, size_t len)
{
	static const char *const drivers[] = { "overlay", "vfs" };
	char home[4096] = "", path[4096], pwbuf[4096];
	struct passwd pw, *pwp = NULL;

	if (uid != 0 && getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof pwbuf, &pwp) == 0 && pwp &&
	    pwp->pw_dir[0] == '/')
		snprintf(home, sizeof home, "%s", pwp->pw_dir);
	for (int user = 0; user < 2; user++) {
		if (user && !home[0])
			break;
		for (size_t d = 0; d < sizeof drivers / sizeof drivers[0]; d++) {
			if (user)
				snprintf(path, sizeof path, "%s%s/.local/share/containers/storage/%s-containers/containers.json",
				         names->root, home, drivers[d]);
			else
				snprintf(path, sizeof path, "%s/var/lib/containers/storage/%s-containers/containers.json",
				         names->root, drivers[d]);
			if (cgroup_store_find(cgroup_store_get(names, path, user ? (uid_t)uid : 0),
			                      id, name, len) == 0)
				return 0;
		}
	}
	return -1;
}

/* ---- containerd: the task's OCI bundle ---- */

/* The name a bundle's config.json gives in its annotations: nerdctl passes
 * its labels, "nerdctl/name" among them, to the OCI spec as annotations.
 * "" when there is none or the file is missing, not root's, oversized or
 * malformed. */
static void cgroup_bundle_read(const char *path, char *name, size_t len)
{
	size_t n = 0, top, end, ann;
	char *json = cgroup_read_owned(path, 0, CGROUP_JSON_MAX, &n);

	name[0] = '\0';
	if (!json)
		return;
	top = cgroup_json_ws(json, n, 0);
	end = cgroup_json_skip(json, n, top);
	ann = cgroup_json_member(json, n, top, "annotations");
	/* One whole object or nothing: a cut file does not count. */
	if (end == SIZE_MAX || cgroup_json_ws(json, n, end) != n || ann == SIZE_MAX ||
	    cgroup_json_string(json, n, cgroup_json_member(json, n, ann, "nerdctl/name"), name, len) < 0)
		name[0] = '\0';
	free(json);
}

/* The cached annotation name of task, read again when its config.json
 * changed (containerd writes a new bundle for a new task of the same id). */
static const char *cgroup_bundle_name(struct cgroup_names *names, const char *task,
                                      const char *config)
{
	struct cgroup_bundle *b = NULL;
	struct stat sb;

	for (size_t i = 0; i < CGROUP_BUNDLES && !b; i++)
		if (strcmp(names->bundles[i].task, task) == 0)
			b = &names->bundles[i];
	if (!b) {
		b = &names->bundles[names->next_bundle++ % CGROUP_BUNDLES];
		snprintf(b->task, sizeof b->task, "%s", task);
		b->ino = 0;
		b->name[0] = '\0';
	}
	if (stat(config, &sb) != 0) {
		b->ino = 0;
		b->name[0] = '\0';
	} else if (sb.st_dev != b->dev || sb.st_ino != b->ino || sb.st_size != b->size ||
	           sb.st_mtim.tv_sec != b->mtime.tv_sec || sb.st_mtim.tv_nsec != b->mtime.tv_nsec) {
		b->dev = sb.st_dev;
		b->ino = sb.st_ino;
		b->size = sb.st_size;
		b->mtime = sb.st_mtim;
		cgroup_bundle_read(config, b->name, sizeof b->name);
	}
	return b->name;
}

/* A task-shaped cgroup ("namespace/id") is containerd's only when root's
 * bundle directory for it exists; then its name is the annotation's or
 * the id (cut when it is a hex id, whole when the user chose it). */
static int cgroup_task_name(struct cgroup_names *names, const char *task, char *name,
                            size_t len)
{
	char dir[4096], config[4200];
	const char *id = strchr(task, '/'), *given;
	struct stat sb;

	if (!id)
		return -1;
	id++;
	snprintf(dir, sizeof dir, "%s" CGROUP_TASK_DIR "%s", names->root, task);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != 0)
		return -1;
	snprintf(config, sizeof config, "%s/config.json", dir);
	given = cgroup_bundle_name(names, task, config);
	if (given[0])
		snprintf(name, len, "%s", given);
	else if (cgroup_is_hex_id((struct cgroup_span){ id, strlen(id) }))
		snprintf(name, len, "%.*s", CGROUP_SHORT_ID, id);
	else
		snprintf(name, len, "%s", id);
	return 0;
}

static const char *cgroup_runtime(enum cgroup_kind k)
{
	switch (k) {
	case CGROUP_DOCKER:     return "docker";
	case CGROUP_PODMAN:     return "podman";
	case CGROUP_CONTAINERD: return "containerd";
	case CGROUP_CRIO:       return "crio";
	case CGROUP_POD:        return "pod";
	default:                return "";
	}
}

void cgroup_service_name(const struct cgroup_owner *o, struct cgroup_names *names,
                         uint32_t uid, char *buf, size_t len)
{
	char name[CGROUP_ID_MAX];
	int found = -1;

	if (!len)
		return;
	buf[0] = '\0';
	if (o->kind == CGROUP_NONE) {
		if (o->task[0] && names && cgroup_task_name(names, o->task, name, sizeof name) == 0)
			snprintf(buf, len, "containerd/%s", name);
		return;
	}
	if (o->kind == CGROUP_UNIT) {
		snprintf(buf, len, "%s", o->id);
		return;
	}
	if (o->kind == CGROUP_DOCKER && names)
		found = cgroup_docker_name(names->root, o->id, name, sizeof name);
	else if ((o->kind == CGROUP_PODMAN || o->kind == CGROUP_CRIO) && names)
		found = cgroup_storage_name(names, o->id, uid, name, sizeof name);
	if (found < 0)
		snprintf(name, sizeof name, "%.*s", CGROUP_SHORT_ID, o->id);
	snprintf(buf, len, "%s/%s", cgroup_runtime(o->kind), name);
}
