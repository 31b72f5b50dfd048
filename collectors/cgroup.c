/* cgroup.c — a process's service from its /proc/<pid>/cgroup lines: the
 * systemd unit, container or Kubernetes pod a path names, and the name a
 * runtime gave it where its local state says so (cgroup.h). */
#include "config.h"

#include "cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CGROUP_SHORT_ID 12        /* what `docker ps` shows of an id */
#define CGROUP_JSON_MAX (1 << 20) /* config.v2.json is a few KiB */

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
	struct cgroup_owner unit = { CGROUP_NONE, "" }, box = { CGROUP_NONE, "" };
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

void cgroup_parse(const char *text, size_t len, struct cgroup_owner *out)
{
	for (int pass = 0; pass < 4; pass++)
		if (cgroup_pass(text, len, pass, out))
			return;
	out->kind = CGROUP_NONE;
	out->id[0] = '\0';
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

/* The string value of key in the outermost object of a JSON text, raw (a
 * value with escapes is refused: Docker names never need them). Keys of
 * nested objects (labels, mount points) are skipped by depth. */
static int cgroup_json_top_string(const char *s, size_t n, const char *key,
                                  char *out, size_t outlen)
{
	size_t klen = strlen(key);
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			depth--;
		} else if (s[i] == '"') {
			size_t start = ++i, j;
			while (i < n && s[i] != '"')
				i += s[i] == '\\' ? 2 : 1;
			if (i >= n)
				return -1;
			if (depth != 1 || i - start != klen || memcmp(s + start, key, klen) != 0)
				continue;
			for (j = i + 1; j < n && strchr(" \t\r\n", s[j]); j++)
				;
			if (j >= n || s[j] != ':')
				continue;
			for (j++; j < n && strchr(" \t\r\n", s[j]); j++)
				;
			if (j >= n || s[j] != '"')
				return -1;
			start = ++j;
			while (j < n && s[j] != '"' && s[j] != '\\' && s[j])
				j++;
			if (j >= n || s[j] != '"' || j - start >= outlen)
				return -1;
			memcpy(out, s + start, j - start);
			out[j - start] = '\0';
			return 0;
		}
	}
	return -1;
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
	r = cgroup_json_top_string(json, n, "Name", name, len);
	free(json);
	if (r == 0 && name[0] == '/')
		memmove(name, name + 1, strlen(name));
	return r == 0 && name[0] ? 0 : -1;
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

void cgroup_service_name(const struct cgroup_owner *o, const char *state_root,
                         char *buf, size_t len)
{
	char name[CGROUP_ID_MAX];
	int found = -1;

	if (!len)
		return;
	buf[0] = '\0';
	if (o->kind == CGROUP_NONE)
		return;
	if (o->kind == CGROUP_UNIT) {
		snprintf(buf, len, "%s", o->id);
		return;
	}
	if (o->kind == CGROUP_DOCKER)
		found = cgroup_docker_name(state_root, o->id, name, sizeof name);
	if (found < 0)
		snprintf(name, sizeof name, "%.*s", CGROUP_SHORT_ID, o->id);
	snprintf(buf, len, "%s/%s", cgroup_runtime(o->kind), name);
}
