/* test_cgroup.c — a process's service from its /proc/<pid>/cgroup, against
 * cgroup files recorded on this machine and quoted from public reports
 * (tests/fixtures/cgroup/, sources in tests/fixtures/README). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

#define STATE_ROOT FIXTURES "/cgroup-state"
#define NO_STATE FIXTURES "/cgroup/none"   /* no runtime state at all */
#define RENAMED_ROOT FIXTURES "/cgroup-state-renamed"
#define STORE "/var/lib/containers/storage/overlay-containers/containers.json"
/* The recorded containers.json's containers (tests/fixtures/README). */
#define WEB_ID "bac3082a34453be3dd8a8e2b67883096df929dfc49cd461ff89d22e3d35b6ca7"
#define IDLE_ID "08bd0f9bc8b1144c39fc8293dbd00f55c9b37c006581571d46542b113c35d462"
#define ROOTLESS_ID "0988a3192a9824dd9d0accfdaff4d840878bea2db5f0adc38b617158c231ca60"
/* containerd tasks recorded with ctr (tests/fixtures/README). */
#define CTRD_ROOT FIXTURES "/cgroup-state-containerd"
#define TASKS "/run/containerd/io.containerd.runtime.v2.task"
#define WEB_BUNDLE TASKS "/default/sockeye-ctrd-web"
#define NERD_BUNDLE TASKS "/default/sockeye-ctrd-nerd"

/* The service the fixture's lines name, with runtime state under root. */
static const char *service_of(const char *fixture, const char *root)
{
	static char out[64];
	char path[512], text[8192];
	struct cgroup_owner o;
	struct cgroup_names *names;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/cgroup/%s", FIXTURES, fixture);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof text, f);
	fclose(f);
	cgroup_parse(text, n, &o);
	names = cgroup_names_new(root);
	assert_non_null(names);
	cgroup_service_name(&o, names, 0, out, sizeof out);
	cgroup_names_free(names);
	return out;
}

static void test_root_cgroup_names_nothing(void **state)
{
	(void)state;
	assert_string_equal(service_of("local-root", NO_STATE), "");
}

static void test_a_hand_made_cgroup_names_nothing(void **state)
{
	(void)state;
	/* memory:/process_api/<32 hex>: a cgroup this machine's sandbox made,
	 * neither unit nor container. */
	assert_string_equal(service_of("local-sandbox", NO_STATE), "");
}

static void test_system_service_is_its_unit(void **state)
{
	(void)state;
	assert_string_equal(service_of("staged-nginx-service", NO_STATE), "nginx.service");
}

static void test_login_session_is_its_scope(void **state)
{
	(void)state;
	assert_string_equal(service_of("staged-session-scope", NO_STATE), "session-3.scope");
}

static void test_user_service_counts_under_the_user_manager(void **state)
{
	(void)state;
	assert_string_equal(service_of("staged-user-service", NO_STATE), "user@1000.service");
}

static void test_init_scope_is_a_unit(void **state)
{
	(void)state;
	assert_string_equal(service_of("staged-init-scope", NO_STATE), "init.scope");
}

static void test_docker_service_itself_is_a_unit(void **state)
{
	(void)state;
	assert_string_equal(service_of("dockerd-v1-service", NO_STATE), "docker.service");
}

static void test_docker_scope_shows_a_short_id(void **state)
{
	(void)state;
	assert_string_equal(service_of("docker-v1-systemd", NO_STATE), "docker/b33dda97580e");
}

static void test_docker_cgroupfs_path_wins_over_the_v2_unit(void **state)
{
	(void)state;
	/* name=systemd says /docker/<id>; 0:: says containerd.service. */
	assert_string_equal(service_of("docker-v1-cgroupfs", NO_STATE), "docker/2403ccfe427f");
}

static void test_systemd_view_wins_over_other_controllers(void **state)
{
	(void)state;
	assert_string_equal(service_of("docker-v1-partial-session", NO_STATE),
	                    "session-128207.scope");
}

static void test_podman_v2_container_wins_over_user_manager(void **state)
{
	(void)state;
	assert_string_equal(service_of("podman-v2-rootless", NO_STATE), "podman/cf21d19260ac");
}

static void test_podman_v1_container_wins_over_its_init_scope(void **state)
{
	(void)state;
	assert_string_equal(service_of("podman-v1-systemd", NO_STATE), "podman/2521e906f0a0");
}

static void test_kubernetes_v2_pod_uid_takes_dashes(void **state)
{
	(void)state;
	assert_string_equal(service_of("kubepods-v2-containerd", NO_STATE), "pod/7fda01c4-0ec");
}

static void test_kubernetes_v1_cgroupfs_pod(void **state)
{
	(void)state;
	assert_string_equal(service_of("kubepods-v1-cgroupfs", NO_STATE), "pod/9a18ffb8-851");
}

static void test_containerd_colon_path_is_its_pod(void **state)
{
	(void)state;
	assert_string_equal(service_of("containerd-v1-colon", NO_STATE), "pod/0125ec2f-b64");
	assert_string_equal(service_of("containerd-v1-systemd-line", NO_STATE), "pod/ff49d0be-16b");
}

static void test_crio_and_docker_pods_are_pods(void **state)
{
	(void)state;
	assert_string_equal(service_of("kubepods-v1-crio", NO_STATE), "pod/a5c1f8d5-191");
	assert_string_equal(service_of("kubepods-v1-docker", NO_STATE), "pod/7d4424e6-bb1");
}

static void test_parse_keeps_the_whole_container_id(void **state)
{
	char text[8192];
	struct cgroup_owner o;
	FILE *f = fopen(FIXTURES "/cgroup/podman-v2-rootless", "r");
	size_t n;

	(void)state;
	assert_non_null(f);
	n = fread(text, 1, sizeof text, f);
	fclose(f);
	cgroup_parse(text, n, &o);
	assert_int_equal(o.kind, CGROUP_PODMAN);
	assert_string_equal(o.id,
	                    "cf21d19260ace8544fe8b769fc2638bf2c0873dfbfff0b6253f0569b26a1d5eb");
}

static void test_docker_name_comes_from_its_config(void **state)
{
	struct cgroup_owner o = { CGROUP_DOCKER,
		"fa1aba33b94d9f01141979cf8b65f6131a4dfc6640967d0126b11f378a7318e8", "" };
	char out[64];

	struct cgroup_names *with = cgroup_names_new(STATE_ROOT), *without = cgroup_names_new(NO_STATE);

	(void)state;
	cgroup_service_name(&o, with, 0, out, sizeof out);
	assert_string_equal(out, "docker/jupyter");
	cgroup_service_name(&o, without, 0, out, sizeof out);
	assert_string_equal(out, "docker/fa1aba33b94d");
	cgroup_names_free(with);
	cgroup_names_free(without);
}

/* ---- containers/storage: a private copy of the state to spoil ---- */

/* sockeye trusts root's containers.json only when root owns it: a test
 * that needs a store to count needs root (or root's checkout). */
static int as_root(void)
{
	if (geteuid() == 0)
		return 1;
	print_message("not root: a containers.json not owned by root is ignored by design\n");
	return 0;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Writes text[0..n) as <dir><sub> (directories made), by rename as
 * containers/storage does, and with owner uid when running as root. */
static void put_file(const char *dir, const char *sub, const char *text, size_t n, uid_t uid)
{
	char path[1024], tmp[1100];
	FILE *f;

	snprintf(path, sizeof path, "%s%s", dir, sub);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(tmp, uid, uid), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void rm_tree(const char *dir)
{
	char cmd[1200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* What a container of uid with id shows, with state under root. */
static const char *podman_name(struct cgroup_names *names, const char *id, uint32_t uid)
{
	static char out[64];
	struct cgroup_owner o = { CGROUP_PODMAN, "", "" };

	snprintf(o.id, sizeof o.id, "%s", id);
	cgroup_service_name(&o, names, uid, out, sizeof out);
	return out;
}

static void test_podman_name_comes_from_recorded_containers_json(void **state)
{
	(void)state;
	if (!as_root())
		skip();
	assert_string_equal(service_of("podman-v1-cgroupfs-local", STATE_ROOT), "podman/sockeye-web");
}

static void test_podman_without_state_shows_short_id(void **state)
{
	(void)state;
	assert_string_equal(service_of("podman-v1-cgroupfs-local", NO_STATE), "podman/bac3082a3445");
}

static void test_podman_name_of_a_later_container_in_the_store(void **state)
{
	struct cgroup_names *names = cgroup_names_new(STATE_ROOT);
	struct cgroup_owner crio = { CGROUP_CRIO, IDLE_ID, "" };
	char out[64];

	(void)state;
	if (!as_root())
		skip();
	assert_string_equal(podman_name(names, IDLE_ID, 0), "podman/sockeye-idle");
	/* CRI-O keeps its containers in the same containers/storage. */
	cgroup_service_name(&crio, names, 0, out, sizeof out);
	assert_string_equal(out, "crio/sockeye-idle");
	assert_string_equal(podman_name(names, "0123456789abcdef0123", 0), "podman/0123456789ab");
	cgroup_names_free(names);
}

static void test_podman_rename_is_seen_by_a_kept_cache(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX", path[1100];
	size_t n1, n2;
	char *before = slurp(STATE_ROOT STORE, &n1), *after = slurp(RENAMED_ROOT STORE, &n2);
	struct cgroup_names *names;

	(void)state;
	if (!as_root())
		skip();
	assert_non_null(mkdtemp(dir));
	names = cgroup_names_new(dir);
	put_file(dir, STORE, before, n1, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/sockeye-web");
	put_file(dir, STORE, after, n2, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/sockeye-web-renamed");
	snprintf(path, sizeof path, "%s%s", dir, STORE);
	unlink(path);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/bac3082a3445");
	cgroup_names_free(names);
	rm_tree(dir);
	free(before);
	free(after);
}

static void test_podman_malformed_store_shows_short_id(void **state)
{
	static const char not_array[] = "{\"id\":\"" WEB_ID "\",\"names\":[\"x\"]}";
	char dir[] = "/tmp/test_cgroup.XXXXXX";
	size_t n;
	char *text = slurp(STATE_ROOT STORE, &n);
	struct cgroup_names *names;

	(void)state;
	if (!as_root())
		skip();
	assert_non_null(mkdtemp(dir));
	names = cgroup_names_new(dir);
	/* Cut inside the last container: the whole file is refused, even the
	 * complete containers before the cut. */
	put_file(dir, STORE, text, n - 40, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/bac3082a3445");
	put_file(dir, STORE, not_array, sizeof not_array - 1, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/bac3082a3445");
	put_file(dir, STORE, "[[[[[[[[[[[[[[[[[[[[[[[[", 24, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/bac3082a3445");
	cgroup_names_free(names);
	rm_tree(dir);
	free(text);
}

static void test_podman_oversized_store_shows_short_id(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX";
	size_t n, big = (8 << 20) + 1;
	char *text = slurp(STATE_ROOT STORE, &n), *padded = malloc(big);
	struct cgroup_names *names;

	(void)state;
	if (!as_root())
		skip();
	assert_non_null(padded);
	assert_non_null(mkdtemp(dir));
	names = cgroup_names_new(dir);
	/* Valid JSON (trailing blanks), only too big. */
	memcpy(padded, text, n);
	memset(padded + n, ' ', big - n);
	put_file(dir, STORE, padded, big, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/bac3082a3445");
	put_file(dir, STORE, padded, big - 1, 0);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/sockeye-web");
	cgroup_names_free(names);
	rm_tree(dir);
	free(text);
	free(padded);
}

static void test_podman_store_owned_by_a_user_is_not_roots(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX";
	size_t n;
	char *text = slurp(STATE_ROOT STORE, &n);
	struct cgroup_names *names;

	(void)state;
	if (!as_root()) {
		free(text);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	names = cgroup_names_new(dir);
	put_file(dir, STORE, text, n, 65534);
	assert_string_equal(podman_name(names, WEB_ID, 0), "podman/bac3082a3445");
	cgroup_names_free(names);
	rm_tree(dir);
	free(text);
}

static void test_rootless_podman_name_comes_from_the_users_home(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX", sub[1024];
	size_t n;
	/* Recorded from a rootless container (vfs driver), its user's own file. */
	char *text = slurp(FIXTURES "/cgroup-state-rootless/vfs-containers.json", &n);
	struct cgroup_names *names;
	struct passwd *pw = getpwuid(65534);

	(void)state;
	if (!as_root() || !pw || pw->pw_dir[0] != '/') {
		if (pw && geteuid() == 0)
			print_message("uid 65534 has no home in the passwd database\n");
		free(text);
		skip();
	}
	snprintf(sub, sizeof sub, "%s/.local/share/containers/storage/vfs-containers/containers.json",
	         pw->pw_dir);
	assert_non_null(mkdtemp(dir));
	names = cgroup_names_new(dir);
	put_file(dir, sub, text, n, 65534);
	assert_string_equal(podman_name(names, ROOTLESS_ID, 65534), "podman/sockeye-rootless");
	/* Another user's process does not get 65534's names. */
	assert_string_equal(podman_name(names, ROOTLESS_ID, 0), "podman/0988a3192a98");
	cgroup_names_free(names);
	rm_tree(dir);
	free(text);
}

/* ---- containerd: tasks found by their bundles ---- */

static void test_ctr_task_is_named_by_its_id(void **state)
{
	(void)state;
	if (!as_root())
		skip();
	assert_string_equal(service_of("containerd-v1-ctr-local", CTRD_ROOT),
	                    "containerd/sockeye-ctrd-web");
}

static void test_nerdctl_name_annotation_names_the_task(void **state)
{
	(void)state;
	if (!as_root())
		skip();
	assert_string_equal(service_of("containerd-v1-ctr-annotated", CTRD_ROOT),
	                    "containerd/sockeye-nerd-web");
}

static void test_task_path_without_its_bundle_names_nothing(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX";
	size_t n;
	char *text = slurp(CTRD_ROOT NERD_BUNDLE "/config.json", &n);

	(void)state;
	assert_string_equal(service_of("containerd-v1-ctr-local", NO_STATE), "");
	/* /process_api/<hex> has the shape of a task path, but no bundle. */
	assert_string_equal(service_of("local-sandbox", CTRD_ROOT), "");
	/* Another task's bundle does not make this one a task. */
	assert_non_null(mkdtemp(dir));
	put_file(dir, NERD_BUNDLE "/config.json", text, n, 0);
	assert_string_equal(service_of("containerd-v1-ctr-local", dir), "");
	rm_tree(dir);
	free(text);
}

/* A copy of the recorded bundles under a temporary root, sockeye-ctrd-nerd's
 * config.json replaced by text[0..n) (owned by uid). */
static void spoiled_bundles(char *dir, const char *text, size_t n, uid_t uid)
{
	size_t wn;
	char *web = slurp(CTRD_ROOT WEB_BUNDLE "/config.json", &wn);

	assert_non_null(mkdtemp(dir));
	put_file(dir, WEB_BUNDLE "/config.json", web, wn, 0);
	put_file(dir, NERD_BUNDLE "/config.json", text, n, uid);
	free(web);
}

static void test_malformed_task_config_shows_the_id(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX";
	size_t n;
	char *text = slurp(CTRD_ROOT NERD_BUNDLE "/config.json", &n);

	(void)state;
	if (!as_root()) {
		free(text);
		skip();
	}
	/* Cut just before the end: the annotation is whole, the file is not. */
	assert_non_null(memmem(text, n - 3, "\"nerdctl/name\"", 14));
	spoiled_bundles(dir, text, n - 3, 0);
	assert_string_equal(service_of("containerd-v1-ctr-annotated", dir),
	                    "containerd/sockeye-ctrd-nerd");
	rm_tree(dir);
	free(text);
}

static void test_oversized_task_config_shows_the_id(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX", dir2[] = "/tmp/test_cgroup.XXXXXX";
	size_t n, big = (1 << 20) + 1;
	char *text = slurp(CTRD_ROOT NERD_BUNDLE "/config.json", &n), *padded = malloc(big);

	(void)state;
	if (!as_root()) {
		free(text);
		free(padded);
		skip();
	}
	assert_non_null(padded);
	/* Valid JSON (trailing blanks), only too big. */
	memcpy(padded, text, n);
	memset(padded + n, ' ', big - n);
	spoiled_bundles(dir, padded, big, 0);
	assert_string_equal(service_of("containerd-v1-ctr-annotated", dir),
	                    "containerd/sockeye-ctrd-nerd");
	spoiled_bundles(dir2, padded, big - 1, 0);
	assert_string_equal(service_of("containerd-v1-ctr-annotated", dir2),
	                    "containerd/sockeye-nerd-web");
	rm_tree(dir);
	rm_tree(dir2);
	free(text);
	free(padded);
}

static void test_task_state_not_roots_does_not_count(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX", path[1100];
	size_t n;
	char *text = slurp(CTRD_ROOT NERD_BUNDLE "/config.json", &n);

	(void)state;
	if (!as_root()) {
		free(text);
		skip();
	}
	/* A config.json of another owner: its annotation is not believed. */
	spoiled_bundles(dir, text, n, 65534);
	assert_string_equal(service_of("containerd-v1-ctr-annotated", dir),
	                    "containerd/sockeye-ctrd-nerd");
	/* A bundle directory of another owner: not a task at all. */
	snprintf(path, sizeof path, "%s%s", dir, WEB_BUNDLE);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_string_equal(service_of("containerd-v1-ctr-local", dir), "");
	rm_tree(dir);
	free(text);
}

/* What a process in cgroup /default/<id> (v2 line) shows. */
static const char *task_service(struct cgroup_names *names, const char *id)
{
	static char out[64];
	char text[512];
	struct cgroup_owner o;

	snprintf(text, sizeof text, "0::/default/%s\n", id);
	cgroup_parse(text, strlen(text), &o);
	assert_int_equal(o.kind, CGROUP_NONE);
	cgroup_service_name(&o, names, 0, out, sizeof out);
	return out;
}

static void test_hex_task_id_is_cut_like_other_ids(void **state)
{
	static const char hex[] = "0fe5c8b7a4a1e5f2fa4bd5b0a6a52c9dd1fbc4f2e0ff94b8e6bb5b09a3fc1d77";
	char dir[] = "/tmp/test_cgroup.XXXXXX", sub[512];
	size_t n;
	char *text = slurp(CTRD_ROOT WEB_BUNDLE "/config.json", &n);
	struct cgroup_names *names;

	(void)state;
	if (!as_root()) {
		free(text);
		skip();
	}
	/* The recorded config (no annotation) under an id as nerdctl makes them. */
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, TASKS "/default/%s/config.json", hex);
	put_file(dir, sub, text, n, 0);
	names = cgroup_names_new(dir);
	assert_string_equal(task_service(names, hex), "containerd/0fe5c8b7a4a1");
	cgroup_names_free(names);
	rm_tree(dir);
	free(text);
}

static void test_task_name_follows_a_new_bundle_of_the_same_id(void **state)
{
	char dir[] = "/tmp/test_cgroup.XXXXXX";
	size_t wn, nn;
	char *web = slurp(CTRD_ROOT WEB_BUNDLE "/config.json", &wn);
	char *nerd = slurp(CTRD_ROOT NERD_BUNDLE "/config.json", &nn);
	struct cgroup_names *names;

	(void)state;
	if (!as_root()) {
		free(web);
		free(nerd);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	names = cgroup_names_new(dir);
	put_file(dir, NERD_BUNDLE "/config.json", nerd, nn, 0);
	assert_string_equal(task_service(names, "sockeye-ctrd-nerd"), "containerd/sockeye-nerd-web");
	/* The task ended and one of the same id started without the annotation. */
	put_file(dir, NERD_BUNDLE "/config.json", web, wn, 0);
	assert_string_equal(task_service(names, "sockeye-ctrd-nerd"), "containerd/sockeye-ctrd-nerd");
	rm_tree(dir);
	assert_string_equal(task_service(names, "sockeye-ctrd-nerd"), "");
	cgroup_names_free(names);
	free(web);
	free(nerd);
}

static void test_only_namespace_and_id_shaped_paths_are_task_paths(void **state)
{
	static const char *bad[] = { "0::/../etc", "0::/default/..", "0::/a/b/c", "0::/-x/y",
		"0::/x/y-", "0::/x/a..b", "0::/x", "0::/x/", "0::default/x",
		"0::/x/a\x1b[31m" };
	static const char good[] = "0::/k8s.io/web_1.a-b\n", unit[] = "0::/system.slice/x.service\n";
	struct cgroup_owner o;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cgroup_parse(bad[i], strlen(bad[i]), &o);
		assert_string_equal(o.task, "");
	}
	cgroup_parse(good, sizeof good - 1, &o);
	assert_string_equal(o.task, "k8s.io/web_1.a-b");
	/* A unit, container or pod is what it is, not a task. */
	cgroup_parse(unit, sizeof unit - 1, &o);
	assert_int_equal(o.kind, CGROUP_UNIT);
	assert_string_equal(o.task, "");
}

static void test_hostile_bytes_stay_raw_and_bounded(void **state)
{
	static const char text[] = "0::/system.slice/\x1b[31mevil\xff.service\n";
	struct cgroup_owner o;
	char out[8];

	(void)state;
	cgroup_parse(text, sizeof text - 1, &o);
	assert_int_equal(o.kind, CGROUP_UNIT);
	assert_string_equal(o.id, "\x1b[31mevil\xff.service");
	cgroup_service_name(&o, NULL, 0, out, sizeof out);
	assert_int_equal(strlen(out), 7);
}

static void test_garbage_names_nothing(void **state)
{
	static const char *bad[] = { "", "\n\n", "no colons", "0:", "1:cpu", "0::",
		"0::/docker/abc", "0::/.service", "0::/kubepods/pod12" };
	struct cgroup_owner o;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cgroup_parse(bad[i], strlen(bad[i]), &o);
		assert_int_equal(o.kind, CGROUP_NONE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_cgroup_names_nothing),
		cmocka_unit_test(test_a_hand_made_cgroup_names_nothing),
		cmocka_unit_test(test_system_service_is_its_unit),
		cmocka_unit_test(test_login_session_is_its_scope),
		cmocka_unit_test(test_user_service_counts_under_the_user_manager),
		cmocka_unit_test(test_init_scope_is_a_unit),
		cmocka_unit_test(test_docker_service_itself_is_a_unit),
		cmocka_unit_test(test_docker_scope_shows_a_short_id),
		cmocka_unit_test(test_docker_cgroupfs_path_wins_over_the_v2_unit),
		cmocka_unit_test(test_systemd_view_wins_over_other_controllers),
		cmocka_unit_test(test_podman_v2_container_wins_over_user_manager),
		cmocka_unit_test(test_podman_v1_container_wins_over_its_init_scope),
		cmocka_unit_test(test_kubernetes_v2_pod_uid_takes_dashes),
		cmocka_unit_test(test_kubernetes_v1_cgroupfs_pod),
		cmocka_unit_test(test_containerd_colon_path_is_its_pod),
		cmocka_unit_test(test_crio_and_docker_pods_are_pods),
		cmocka_unit_test(test_parse_keeps_the_whole_container_id),
		cmocka_unit_test(test_docker_name_comes_from_its_config),
		cmocka_unit_test(test_podman_name_comes_from_recorded_containers_json),
		cmocka_unit_test(test_podman_without_state_shows_short_id),
		cmocka_unit_test(test_podman_name_of_a_later_container_in_the_store),
		cmocka_unit_test(test_podman_rename_is_seen_by_a_kept_cache),
		cmocka_unit_test(test_podman_malformed_store_shows_short_id),
		cmocka_unit_test(test_podman_oversized_store_shows_short_id),
		cmocka_unit_test(test_podman_store_owned_by_a_user_is_not_roots),
		cmocka_unit_test(test_rootless_podman_name_comes_from_the_users_home),
		cmocka_unit_test(test_ctr_task_is_named_by_its_id),
		cmocka_unit_test(test_nerdctl_name_annotation_names_the_task),
		cmocka_unit_test(test_task_path_without_its_bundle_names_nothing),
		cmocka_unit_test(test_malformed_task_config_shows_the_id),
		cmocka_unit_test(test_oversized_task_config_shows_the_id),
		cmocka_unit_test(test_task_state_not_roots_does_not_count),
		cmocka_unit_test(test_hex_task_id_is_cut_like_other_ids),
		cmocka_unit_test(test_task_name_follows_a_new_bundle_of_the_same_id),
		cmocka_unit_test(test_only_namespace_and_id_shaped_paths_are_task_paths),
		cmocka_unit_test(test_hostile_bytes_stay_raw_and_bounded),
		cmocka_unit_test(test_garbage_names_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
