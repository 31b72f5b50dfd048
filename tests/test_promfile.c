/* test_promfile.c — the Prometheus textfile: counts by state, port class,
 * listening port and process, the cap on process names, label escaping of
 * untrusted names, the format's HELP/TYPE order, and the atomic swap. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "promfile.h"

static struct sock_rec rec_of(uint8_t proto, uint16_t lport, uint16_t rport, uint8_t state)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.proto = proto;
	r.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", r.laddr);
	inet_pton(AF_INET, "127.0.0.1", r.raddr);
	r.lport = lport;
	r.rport = rport;
	r.state = state;
	return r;
}

static struct sock_owner owner_of(int pid, const char *comm)
{
	struct sock_owner o;

	memset(&o, 0, sizeof(o));
	o.pid = pid;
	snprintf(o.comm, sizeof(o.comm), "%s", comm);
	snprintf(o.user, sizeof(o.user), "root");
	return o;
}

/* Renders c into a string the caller frees. */
static char *render(struct promfile_counts *c, size_t top)
{
	struct promfile_meta m = { .poll_seconds = 0.0125, .poll_time = 1700000000.5,
	                           .top_processes = top };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(promfile_render(f, c, &m), 0);
	fclose(f);
	return buf;
}

static void assert_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("no line '%s' in:\n%s", line, text);
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, prefix)) != NULL; p++)
		if (p == text || p[-1] == '\n')
			n++;
	return n;
}

static void sockets_are_counted_by_protocol_and_state(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec e = rec_of(IPPROTO_TCP, 40000, 8080, SOCK_ST_ESTABLISHED);
	struct sock_rec u = rec_of(IPPROTO_UDP, 5353, 0, SOCK_ST_CLOSE);

	promfile_counts_add(c, &e, NULL, 0);
	promfile_counts_add(c, &e, NULL, 0);
	promfile_counts_add(c, &u, NULL, 0);
	char *text = render(c, 0);
	assert_line(text, "sockeye_sockets{proto=\"tcp\",state=\"ESTABLISHED\"} 2");
	assert_line(text, "sockeye_sockets{proto=\"tcp\",state=\"LISTEN\"} 0");
	assert_line(text, "sockeye_sockets{proto=\"udp\",state=\"UNCONN\"} 1");
	free(text);
	promfile_counts_free(c);
}

static void sockets_are_counted_by_local_port_class(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec a = rec_of(IPPROTO_TCP, 22, 50000, SOCK_ST_ESTABLISHED);
	struct sock_rec b = rec_of(IPPROTO_TCP, 50000, 22, SOCK_ST_ESTABLISHED);
	struct sock_rec d = rec_of(IPPROTO_UDP, 5353, 0, SOCK_ST_CLOSE);

	promfile_counts_add(c, &a, NULL, 0);
	promfile_counts_add(c, &b, NULL, 0);
	promfile_counts_add(c, &d, NULL, 0);
	char *text = render(c, 0);
	assert_line(text, "sockeye_sockets_by_port_class{proto=\"tcp\",class=\"well-known\"} 1");
	assert_line(text, "sockeye_sockets_by_port_class{proto=\"tcp\",class=\"ephemeral\"} 1");
	assert_line(text, "sockeye_sockets_by_port_class{proto=\"udp\",class=\"registered\"} 1");
	free(text);
	promfile_counts_free(c);
}

static void listening_port_counts_its_connections_and_queue(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec l4 = rec_of(IPPROTO_TCP, 8080, 0, SOCK_ST_LISTEN);
	struct sock_rec l6 = rec_of(IPPROTO_TCP, 8080, 0, SOCK_ST_LISTEN);
	struct sock_rec in = rec_of(IPPROTO_TCP, 8080, 40000, SOCK_ST_ESTABLISHED);
	struct sock_rec out = rec_of(IPPROTO_TCP, 40000, 8080, SOCK_ST_ESTABLISHED);

	l4.recvq = 2;
	l6.recvq = 1;
	l6.family = AF_INET6;
	promfile_counts_add(c, &l4, NULL, 0);
	promfile_counts_add(c, &l6, NULL, 0);
	for (int i = 0; i < 3; i++)
		promfile_counts_add(c, &in, NULL, 0);
	promfile_counts_add(c, &out, NULL, 0);
	char *text = render(c, 0);
	assert_line(text, "sockeye_listen_connections{proto=\"tcp\",port=\"8080\"} 3");
	assert_line(text, "sockeye_listen_queue{proto=\"tcp\",port=\"8080\"} 3");
	assert_int_equal(count_prefix(text, "sockeye_listen_connections{"), 1);
	free(text);
	promfile_counts_free(c);
}

/* 25 names holding 1..25 sockets: the 20 largest are named, the five
 * smallest (1+2+3+4+5 sockets) are summed. */
static void only_the_top_processes_are_named_and_the_rest_summed(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec r = rec_of(IPPROTO_TCP, 40000, 80, SOCK_ST_ESTABLISHED);

	for (int k = 1; k <= 25; k++) {
		char name[16];
		snprintf(name, sizeof(name), "proc%02d", k);
		struct sock_owner o = owner_of(1000 + k, name);
		for (int i = 0; i < k; i++)
			promfile_counts_add(c, &r, &o, 1);
	}
	char *text = render(c, 20);
	/* 20 names, the rest, and the unowned sockets. */
	assert_int_equal(count_prefix(text, "sockeye_process_sockets{"), 22);
	assert_line(text, "sockeye_process_sockets{process=\"proc25\"} 25");
	assert_line(text, "sockeye_process_sockets{process=\"proc06\"} 6");
	assert_null(strstr(text, "process=\"proc05\""));
	assert_line(text, "sockeye_process_sockets{process=\"(other processes)\"} 15");
	free(text);
	promfile_counts_free(c);
}

static void a_socket_shared_by_processes_of_one_name_counts_once(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec l = rec_of(IPPROTO_TCP, 80, 0, SOCK_ST_LISTEN);
	struct sock_owner o[3] = { owner_of(10, "nginx"), owner_of(11, "nginx"),
	                           owner_of(12, "helper") };

	promfile_counts_add(c, &l, o, 3);
	char *text = render(c, 0);
	assert_line(text, "sockeye_process_sockets{process=\"nginx\"} 1");
	assert_line(text, "sockeye_process_sockets{process=\"helper\"} 1");
	free(text);
	promfile_counts_free(c);
}

static void unowned_sockets_are_counted_apart(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec tw = rec_of(IPPROTO_TCP, 40000, 80, SOCK_ST_TIME_WAIT);

	promfile_counts_add(c, &tw, NULL, 0);
	promfile_counts_add(c, &tw, NULL, 0);
	char *text = render(c, 0);
	assert_line(text, "sockeye_process_sockets{process=\"(no known owner)\"} 2");
	free(text);
	promfile_counts_free(c);
}

static void label_values_escape_backslash_quote_and_newline(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	promfile_label_write(f, "a\"b\\c\nd", 7);
	fclose(f);
	assert_string_equal(buf, "a\\\"b\\\\c\\nd");
	free(buf);
}

/* A name with a quote, an escape sequence and a byte that is not UTF-8
 * stays on its one line, inside its quotes, as valid UTF-8. */
static void hostile_process_names_stay_inside_their_label(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec r = rec_of(IPPROTO_TCP, 40000, 80, SOCK_ST_ESTABLISHED);
	struct sock_owner o = owner_of(5, "x\"} 9\n\x1b[31m\xff");

	promfile_counts_add(c, &r, &o, 1);
	char *text = render(c, 0);
	assert_line(text, "sockeye_process_sockets{process=\"x\\\"} 9\\\\x0a\\\\x1b[31m\\\\xff\"} 1");
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	free(text);
	promfile_counts_free(c);
}

/* Every sample's family was announced by # HELP and # TYPE before it, and
 * each family's samples are together. */
static void every_family_is_announced_before_its_samples(void **state)
{
	(void)state;
	struct promfile_counts *c = promfile_counts_new();
	struct sock_rec l = rec_of(IPPROTO_TCP, 80, 0, SOCK_ST_LISTEN);

	promfile_counts_add(c, &l, NULL, 0);
	char *text = render(c, 0);
	char typed[64] = "", *save = NULL;
	size_t families = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# TYPE ", 7) == 0) {
			sscanf(line + 7, "%63s", typed);
			families++;
			continue;
		}
		if (line[0] == '#')
			continue;
		size_t n = strcspn(line, "{ ");
		assert_true(strlen(typed) == n && strncmp(line, typed, n) == 0);
	}
	assert_int_equal(families, 7);
	free(text);
	promfile_counts_free(c);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void tmpdir_path(char *dir, size_t dlen, char *path, size_t plen)
{
	snprintf(dir, dlen, "/tmp/test_promfile.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, plen, "%s/sockeye.prom", dir);
}

/* A reader that opened the old file keeps reading it whole: the new one
 * is a new file renamed into place, never the old one rewritten. */
static void replace_swaps_in_a_whole_new_file(void **state)
{
	(void)state;
	char dir[64], path[128], tmp[160], err[256], old[16] = "";
	tmpdir_path(dir, sizeof(dir), path, sizeof(path));
	assert_int_equal(promfile_replace(path, "old 1\n", 6, err, sizeof(err)), 0);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);

	assert_int_equal(promfile_replace(path, "new 22\n", 7, err, sizeof(err)), 0);
	assert_string_equal(slurp(path), "new 22\n");
	assert_int_equal(read(fd, old, sizeof(old) - 1), 6);
	assert_string_equal(old, "old 1\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* When the temporary cannot be written the old file stays as it was and
 * the message names what failed. */
static void failed_replace_leaves_the_old_file(void **state)
{
	(void)state;
	char dir[64], path[128], tmp[160], err[256];
	tmpdir_path(dir, sizeof(dir), path, sizeof(path));
	assert_int_equal(promfile_replace(path, "old 1\n", 6, err, sizeof(err)), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(mkdir(tmp, 0700), 0);

	assert_int_equal(promfile_replace(path, "new 22\n", 7, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sockeye.prom.tmp"));
	assert_string_equal(slurp(path), "old 1\n");
	rmdir(tmp);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sockets_are_counted_by_protocol_and_state),
		cmocka_unit_test(sockets_are_counted_by_local_port_class),
		cmocka_unit_test(listening_port_counts_its_connections_and_queue),
		cmocka_unit_test(only_the_top_processes_are_named_and_the_rest_summed),
		cmocka_unit_test(a_socket_shared_by_processes_of_one_name_counts_once),
		cmocka_unit_test(unowned_sockets_are_counted_apart),
		cmocka_unit_test(label_values_escape_backslash_quote_and_newline),
		cmocka_unit_test(hostile_process_names_stay_inside_their_label),
		cmocka_unit_test(every_family_is_announced_before_its_samples),
		cmocka_unit_test(replace_swaps_in_a_whole_new_file),
		cmocka_unit_test(failed_replace_leaves_the_old_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
