/* test_cgroup.c — a process's service from its /proc/<pid>/cgroup, against
 * cgroup files recorded on this machine and quoted from public reports
 * (tests/fixtures/cgroup/, sources in tests/fixtures/README). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cgroup.h"

#define STATE_ROOT FIXTURES "/cgroup-state"
#define NO_STATE FIXTURES "/cgroup/none"   /* no runtime state at all */

/* The service the fixture's lines name, with runtime state under root. */
static const char *service_of(const char *fixture, const char *root)
{
	static char out[64];
	char path[512], text[8192];
	struct cgroup_owner o;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/cgroup/%s", FIXTURES, fixture);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof text, f);
	fclose(f);
	cgroup_parse(text, n, &o);
	cgroup_service_name(&o, root, out, sizeof out);
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
		"fa1aba33b94d9f01141979cf8b65f6131a4dfc6640967d0126b11f378a7318e8" };
	char out[64];

	(void)state;
	cgroup_service_name(&o, STATE_ROOT, out, sizeof out);
	assert_string_equal(out, "docker/jupyter");
	cgroup_service_name(&o, NO_STATE, out, sizeof out);
	assert_string_equal(out, "docker/fa1aba33b94d");
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
	cgroup_service_name(&o, NO_STATE, out, sizeof out);
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
		cmocka_unit_test(test_hostile_bytes_stay_raw_and_bounded),
		cmocka_unit_test(test_garbage_names_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
