/* test_columns.c — how each Connections cell reads: formatting, escaping of
 * names from the system, rates in human units, and the order each column
 * sorts in. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "columns.h"
#include "theme.h"

static struct sock_rec rec4(const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	struct sock_rec s;
	memset(&s, 0, sizeof(s));
	s.proto = IPPROTO_TCP;
	s.family = AF_INET;
	s.state = SOCK_ST_ESTABLISHED;
	inet_pton(AF_INET, l, s.laddr);
	inet_pton(AF_INET, r, s.raddr);
	s.lport = lp;
	s.rport = rp;
	s.inode = 42;
	return s;
}

static void cell(const char *name, const struct column_row *r, char *buf, size_t len)
{
	const struct column *c = columns_find(name);
	assert_non_null(c);
	c->format(r, buf, len);
}

static void endpoints_and_state_read_like_ss(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 8080, "127.0.0.2", 51000);
	struct column_row r = { .rec = &s };
	char buf[128];
	cell("local", &r, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:8080");
	cell("remote", &r, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.2:51000");
	cell("state", &r, buf, sizeof(buf));
	assert_string_equal(buf, "ESTABLISHED");
	cell("proto", &r, buf, sizeof(buf));
	assert_string_equal(buf, "tcp");
}

static void process_cell_lists_every_owner_and_escapes_names(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner o[2];
	memset(o, 0, sizeof(o));
	o[0].pid = 100;
	strcpy(o[0].comm, "nginx");
	strcpy(o[0].user, "root");
	o[1].pid = 101;
	strcpy(o[1].comm, "\x1b[31mevil");
	strcpy(o[1].user, "www\x07" "data");
	struct column_row r = { .rec = &s, .owners = o, .nowners = 2 };
	char buf[256];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "100/nginx,101/\\x1b[31mevil");
	struct column_row r1 = { .rec = &s, .owners = &o[1], .nowners = 1 };
	cell("user", &r1, buf, sizeof(buf));
	assert_string_equal(buf, "www\\x07data");
}

static void unowned_socket_shows_a_dash_or_its_uid(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct column_row r = { .rec = &s };
	char buf[64];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	s.uid = 33;
	cell("user", &r, buf, sizeof(buf));
	assert_string_equal(buf, "33");
	s.inode = 0;   /* TIME_WAIT: nobody holds it */
	cell("user", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

static void rtt_shows_milliseconds_or_a_dash(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.1", 5000);
	struct column_row r = { .rec = &s };
	char buf[64];
	cell("rtt", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	s.has_tcpinfo = 1;
	s.tcp.rtt_us = 250;
	cell("rtt", &r, buf, sizeof(buf));
	assert_string_equal(buf, "0.25ms");
	s.tcp.rtt_us = 123456;
	cell("rtt", &r, buf, sizeof(buf));
	assert_string_equal(buf, "123ms");
}

static void age_counts_from_first_seen(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.1", 5000);
	char buf[64];
	struct column_row r = { .rec = &s, .first_seen = 1000.0, .now = 1042.5 };
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "42s");
	r.now = 1000.0 + 247;
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "4m");
	r.now = 1000.0 + 3725;
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "1h02m");
	r.now = 1000.0 + 2 * 86400 + 3 * 3600;
	cell("age", &r, buf, sizeof(buf));
	assert_string_equal(buf, "2d03h");
}

static void ports_sort_numerically_not_as_text(void **state)
{
	(void)state;
	struct sock_rec a = rec4("127.0.0.1", 9, "127.0.0.1", 1);
	struct sock_rec b = rec4("127.0.0.1", 10, "127.0.0.1", 1);
	struct column_row ra = { .rec = &a }, rb = { .rec = &b };
	assert_true(columns_find("lport")->compare(&ra, &rb) < 0);
	assert_true(columns_find("local")->compare(&ra, &rb) < 0);
	assert_true(columns_find("local")->compare(&rb, &ra) > 0);
	assert_int_equal(columns_find("local")->compare(&ra, &ra), 0);
}

static void unknown_rtt_sorts_after_every_known_one(void **state)
{
	(void)state;
	struct sock_rec a = rec4("127.0.0.1", 1, "127.0.0.1", 2);
	struct sock_rec b = a;
	b.has_tcpinfo = 1;
	b.tcp.rtt_us = 900000;
	struct column_row ra = { .rec = &a }, rb = { .rec = &b };
	assert_true(columns_find("rtt")->compare(&rb, &ra) < 0);
}

static void column_names_are_found_in_any_case(void **state)
{
	(void)state;
	assert_non_null(columns_find("RPORT"));
	assert_null(columns_find("nosuch"));
	char list[256];
	columns_list(list, sizeof(list));
	assert_non_null(strstr(list, "proto, state, local"));
}

/* ---- TX/s and RX/s ---- */

static const char *rate(double bps)
{
	static char buf[32];
	columns_rate_str(bps, buf, sizeof(buf));
	return buf;
}

static void rates_read_in_binary_units_with_a_unit_letter(void **state)
{
	(void)state;
	assert_string_equal(rate(0), "0B");
	assert_string_equal(rate(512), "512B");
	assert_string_equal(rate(999), "999B");
	assert_string_equal(rate(1000), "1.0K");          /* never a 4-digit number */
	assert_string_equal(rate(1536), "1.5K");
	assert_string_equal(rate(15 * 1024), "15K");
	assert_string_equal(rate(999 * 1024), "999K");
	assert_string_equal(rate(1023 * 1024), "1.0M");
	assert_string_equal(rate(1.25 * 1048576), "1.2M");
	assert_string_equal(rate(204800), "200K");
	assert_string_equal(rate(3.0 * 1073741824), "3.0G");
	assert_string_equal(rate(9.96 * 1024), "10K");     /* "10.0K" would not fit */
	for (double v = 1; v < 1e18; v *= 1.7)
		assert_in_range(strlen(rate(v)), 2, 4);
}

static void a_socket_without_a_rate_is_blank_and_an_idle_one_reads_0b(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 1, "127.0.0.1", 2);
	struct column_row r = { .rec = &s };
	char buf[32];
	cell("txrate", &r, buf, sizeof(buf));
	assert_string_equal(buf, "");
	cell("rxrate", &r, buf, sizeof(buf));
	assert_string_equal(buf, "");
	r.has_rate = 1;
	r.rx_rate = 2048;
	cell("txrate", &r, buf, sizeof(buf));
	assert_string_equal(buf, "0B");
	cell("rxrate", &r, buf, sizeof(buf));
	assert_string_equal(buf, "2.0K");
}

static void rate_columns_are_right_aligned_on_screen_only(void **state)
{
	(void)state;
	const struct column *tx = columns_find("txrate"), *rx = columns_find("RXRATE");
	assert_non_null(tx);
	assert_non_null(rx);
	assert_string_equal(tx->title, "TX/s");
	assert_string_equal(rx->title, "RX/s");
	assert_true(tx->right && rx->right);
	assert_false(tx->in_batch || rx->in_batch);
}

static void no_rate_sorts_after_every_rate_in_either_direction(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 1, "127.0.0.1", 2);
	struct column_row none = { .rec = &s };
	struct column_row slow = { .rec = &s, .tx_rate = 10, .rx_rate = 1e6, .has_rate = 1 };
	struct column_row fast = { .rec = &s, .tx_rate = 1e6, .rx_rate = 10, .has_rate = 1 };
	const struct column *tx = columns_find("txrate"), *rx = columns_find("rxrate");
	assert_true(tx->compare(&slow, &fast) < 0);
	assert_true(rx->compare(&slow, &fast) > 0);
	assert_true(tx->compare(&fast, &none) < 0);
	assert_true(tx->compare(&none, &slow) > 0);
	assert_int_equal(tx->compare(&none, &none), 0);
	/* Descending: the busiest first, the blank ones still at the bottom. */
	assert_true(columns_compare(tx, &fast, &slow, 1) < 0);
	assert_true(columns_compare(tx, &slow, &none, 1) < 0);
	assert_true(columns_compare(tx, &none, &fast, 1) > 0);
	assert_true(columns_compare(tx, &slow, &none, 0) < 0);
}

static void netns_cell_names_the_namespace_and_escapes_it(void **state)
{
	(void)state;
	struct sock_rec host = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_rec blue = host, odd = host;
	blue.netns = 4026532300ULL;
	blue.netns_name = "blue";
	odd.netns = 4026532301ULL;
	odd.netns_name = "a\x1b[2Jb";
	struct column_row rh = { .rec = &host }, rb = { .rec = &blue }, ro = { .rec = &odd };
	char buf[64];
	cell("netns", &rh, buf, sizeof(buf));
	assert_string_equal(buf, "host");
	cell("netns", &rb, buf, sizeof(buf));
	assert_string_equal(buf, "blue");
	cell("netns", &ro, buf, sizeof(buf));
	assert_string_equal(buf, "a\\x1b[2Jb");
	/* Only a socket outside the host's namespace calls for the column. */
	assert_false(columns_netns_wanted(&rh));
	assert_true(columns_netns_wanted(&rb));
}

static void netns_sorts_the_host_first_then_by_name(void **state)
{
	(void)state;
	struct sock_rec host = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_rec a = host, z = host;
	a.netns = 9; a.netns_name = "alpha";
	z.netns = 8; z.netns_name = "zulu";
	struct column_row rh = { .rec = &host }, ra = { .rec = &a }, rz = { .rec = &z };
	const struct column *c = columns_find("netns");
	assert_true(c->compare(&rh, &ra) < 0);
	assert_true(c->compare(&ra, &rz) < 0);
	assert_true(c->compare(&rz, &rh) > 0);
}

static void unknown_rtt_stays_last_in_descending_order_too(void **state)
{
	(void)state;
	struct sock_rec a = rec4("127.0.0.1", 1, "127.0.0.1", 2);
	struct sock_rec b = a;
	b.has_tcpinfo = 1;
	b.tcp.rtt_us = 900;
	struct column_row ra = { .rec = &a }, rb = { .rec = &b };
	assert_true(columns_compare(columns_find("rtt"), &rb, &ra, 1) < 0);
	assert_true(columns_compare(columns_find("recvq"), &ra, &rb, 1) == 0);
}

static void service_cell_lists_each_owners_service_once_escaped(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner o[3];
	memset(o, 0, sizeof(o));
	strcpy(o[0].service, "nginx.service");
	strcpy(o[1].service, "nginx.service");
	strcpy(o[2].service, "docker/\x1b[2Jweb");
	struct column_row r = { .rec = &s, .owners = o, .nowners = 3 };
	char buf[128];
	cell("service", &r, buf, sizeof(buf));
	assert_string_equal(buf, "nginx.service,docker/\\x1b[2Jweb");
}

static void service_cell_is_a_dash_and_sorts_last_when_unknown(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner known, none;
	memset(&known, 0, sizeof(known));
	memset(&none, 0, sizeof(none));
	strcpy(known.service, "sshd.service");
	struct column_row a = { .rec = &s, .owners = &none, .nowners = 1 };
	struct column_row b = { .rec = &s, .owners = &known, .nowners = 1 };
	const struct column *c = columns_find("service");
	char buf[32];
	cell("service", &a, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	assert_true(columns_compare(c, &a, &b, 0) > 0);
	assert_true(columns_compare(c, &a, &b, 1) > 0);
}

/* ---- the tables as data ---- */

/* Every column of every pane can be found by its name, sorts, and, when it
 * has a title, formats; names are unique within a table. */
static void every_table_column_is_complete(void **state)
{
	(void)state;
	const struct column_table *tables[] = { &columns_connections, &columns_processes,
	                                        &columns_events };
	for (size_t t = 0; t < 3; t++)
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct column *c = &tables[t]->v[i];
			assert_ptr_equal(columns_table_find(tables[t], c->name), c);
			assert_non_null(c->compare);
			if (c->title)
				assert_non_null(c->format);
			if (c->min)
				assert_non_null(c->title);
		}
}

/* Which columns show unnamed, by what the rows hold. */
static void netns_and_service_show_only_once_seen(void **state)
{
	(void)state;
	const struct column *netns = columns_find("netns"), *svc = columns_find("service");
	assert_false(columns_shown_unnamed(netns, 0));
	assert_true(columns_shown_unnamed(netns, COLUMN_SEEN_NETNS));
	assert_false(columns_shown_unnamed(svc, COLUMN_SEEN_NETNS));
	assert_true(columns_shown_unnamed(svc, COLUMN_SEEN_SERVICE));
	assert_true(columns_shown_unnamed(columns_find("proto"), 0));
	assert_false(columns_shown_unnamed(columns_find("inode"), ~0u));
}

static char *json_of(const struct column_row *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct column_json j = { f, 0 };
	fputc('{', f);
	columns_json(&j, r);
	fputc('}', f);
	fclose(f);
	return buf;
}

/* The JSON is the Connections table's keys, each column writing its own:
 * the socket's identity, queues, owners (names escaped as JSON). */
static void json_walks_the_table_for_every_key(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.2", 5000);
	struct sock_owner o = { .pid = 7 };
	snprintf(o.comm, sizeof(o.comm), "a\"b");
	snprintf(o.user, sizeof(o.user), "www");
	s.uid = 33;
	s.recvq = 1;
	struct column_row r = { .rec = &s, .owners = &o, .nowners = 1 };
	char *j = json_of(&r);
	assert_non_null(strstr(j, "{\"proto\":\"tcp\",\"family\":4,\"state\":\"ESTABLISHED\""));
	assert_non_null(strstr(j, "\"laddr\":\"127.0.0.1\",\"lport\":80"));
	assert_non_null(strstr(j, "\"raddr\":\"127.0.0.2\",\"rport\":5000"));
	assert_non_null(strstr(j, "\"procs\":[{\"pid\":7,\"comm\":\"a\\\"b\",\"user\":\"www\","
	                          "\"service\":null,\"cmdline\":null}]"));
	assert_non_null(strstr(j, "\"uid\":33"));
	assert_non_null(strstr(j, "\"recvq\":1,\"sendq\":0"));
	assert_non_null(strstr(j, "\"inode\":42"));
	assert_non_null(strstr(j, "\"netns\":\"host\""));
	assert_null(strstr(j, "rtt"));                   /* no tcp_info: no TCP keys */
	assert_null(strstr(j, "txrate"));                /* no rate: no key */
	free(j);
	r.uid_unknown = 1;
	j = json_of(&r);
	assert_non_null(strstr(j, "\"uid\":null"));
	free(j);
}

/* ---- RETRANS ---- */

static void retrans_counts_tcp_retransmissions_and_is_blank_elsewhere(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.2", 5000);
	struct column_row r = { .rec = &s };
	char buf[32];
	cell("retrans", &r, buf, sizeof(buf));
	assert_string_equal(buf, "");                    /* no tcp_info: unknown */
	s.has_tcpinfo = 1;
	s.tcp.total_retrans = 17;
	cell("RETRANS", &r, buf, sizeof(buf));
	assert_string_equal(buf, "17");
	s.tcp.total_retrans = 0;
	cell("retrans", &r, buf, sizeof(buf));
	assert_string_equal(buf, "0");                   /* measured: none */
	s.proto = IPPROTO_UDP;
	cell("retrans", &r, buf, sizeof(buf));
	assert_string_equal(buf, "");
	const struct column *c = columns_find("retrans");
	assert_string_equal(c->title, "RETRANS");
	assert_true(c->right);
	assert_false(c->in_batch);                      /* scripts keep their columns */
	assert_int_equal(c->show, COLUMN_SHOW_DEFAULT);
}

/* Sorted descending, the lossiest connection comes first and the sockets
 * without a count (UDP, no tcp_info) last, either way. */
static void retrans_sorts_the_lossy_first_and_the_unknown_last(void **state)
{
	(void)state;
	struct sock_rec lossy = rec4("127.0.0.1", 1, "127.0.0.2", 2), clean = lossy, udp = lossy;
	lossy.has_tcpinfo = clean.has_tcpinfo = 1;
	lossy.tcp.total_retrans = 40;
	clean.tcp.total_retrans = 0;
	udp.proto = IPPROTO_UDP;
	struct column_row a = { .rec = &lossy }, b = { .rec = &clean }, u = { .rec = &udp };
	const struct column *c = columns_find("retrans");
	assert_true(columns_compare(c, &a, &b, 1) < 0);
	assert_true(columns_compare(c, &b, &u, 1) < 0);
	assert_true(columns_compare(c, &b, &a, 0) < 0);
	assert_true(columns_compare(c, &a, &u, 0) < 0);
	char list[512];
	columns_list(list, sizeof(list));
	assert_non_null(strstr(list, "retrans"));       /* --sort=retrans */
}

static void retrans_is_a_json_key_where_tcp_info_is_known(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "127.0.0.2", 5000);
	s.has_tcpinfo = 1;
	s.tcp.total_retrans = 3;
	struct column_row r = { .rec = &s };
	char *j = json_of(&r);
	assert_non_null(strstr(j, "\"retrans\":3"));
	free(j);
}

/* ---- COMMAND ---- */

/* A made-up source: pid 7's command line holds an escape; pid 9 has none
 * readable. */
static const char *fake_cmdline(void *ctx, int pid, unsigned long long start)
{
	(void)ctx;
	(void)start;
	return pid == 7 ? "nginx: worker\033[31m -c /etc/x" : pid == 8 ? "aaa" : NULL;
}
static void fake_forget(void *ctx)
{
	(void)ctx;
}
static const struct column_cmdlines fake = { fake_cmdline, fake_forget, NULL };

static void command_cell_shows_the_owners_command_line_escaped(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner o[2] = { { .pid = 7 }, { .pid = 9 } };
	snprintf(o[0].comm, sizeof(o[0].comm), "nginx");
	snprintf(o[1].comm, sizeof(o[1].comm), "n\tx");
	struct column_row r = { .rec = &s, .owners = o, .nowners = 2, .cmdlines = &fake };
	char buf[256];
	cell("command", &r, buf, sizeof(buf));
	assert_string_equal(buf, "nginx: worker\\x1b[31m -c /etc/x");
	r.owners = &o[1];
	r.nowners = 1;
	cell("command", &r, buf, sizeof(buf));
	assert_string_equal(buf, "n\\x09x");           /* unreadable: its name */
	r.nowners = 0;
	cell("command", &r, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	const struct column *c = columns_find("command");
	assert_string_equal(c->title, "COMMAND");
	assert_int_equal(c->show, COLUMN_SHOW_ROOM);
	assert_false(c->in_batch);
}

static void command_sorts_by_the_command_line(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner a = { .pid = 7 }, b = { .pid = 8 };
	struct column_row x = { .rec = &s, .owners = &a, .nowners = 1, .cmdlines = &fake };
	struct column_row y = { .rec = &s, .owners = &b, .nowners = 1, .cmdlines = &fake };
	assert_true(columns_compare(columns_find("command"), &y, &x, 0) < 0);   /* "aaa" first */
	assert_true(columns_compare(columns_find("command"), &y, &x, 1) > 0);
}

/* The Processes pane has COMMAND too, where there is room, beside the
 * process's name. */
static void processes_command_is_the_command_line_or_the_name(void **state)
{
	(void)state;
	struct proc_row p = { .pid = 7, .cmdlines = &fake };
	snprintf(p.comm, sizeof(p.comm), "nginx");
	char buf[128];
	const struct column *c = columns_table_find(&columns_processes, "command");
	assert_int_equal(c->show, COLUMN_SHOW_ROOM);
	c->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "nginx: worker\\x1b[31m -c /etc/x");
	columns_table_find(&columns_processes, "process")->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "nginx");
	p.pid = 9;
	c->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "nginx");
}

/* Each owner's "cmdline" in JSON: the exact bytes escaped for JSON, null
 * where it cannot be read. */
static void json_procs_carry_each_owners_cmdline_or_null(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 80, "0.0.0.0", 0);
	struct sock_owner o[2] = { { .pid = 7 }, { .pid = 9 } };
	struct column_row r = { .rec = &s, .owners = o, .nowners = 2, .cmdlines = &fake };
	char *j = json_of(&r);
	assert_non_null(strstr(j, "\"cmdline\":\"nginx: worker\\u001b[31m -c /etc/x\"}"));
	assert_non_null(strstr(j, "\"pid\":9,"));
	assert_non_null(strstr(j, "\"cmdline\":null}]"));
	free(j);
}

/* ---- former owners: who held a TIME_WAIT before it closed ---- */

static struct sock_rec time_wait(void)
{
	struct sock_rec s = rec4("127.0.0.1", 41000, "127.0.0.1", 8080);
	s.state = SOCK_ST_TIME_WAIT;
	s.inode = 0;
	s.timewait = 1;
	return s;
}

static struct sock_owner owner(int pid, const char *comm, const char *user)
{
	struct sock_owner o;
	memset(&o, 0, sizeof(o));
	o.pid = pid;
	snprintf(o.comm, sizeof(o.comm), "%s", comm);
	snprintf(o.user, sizeof(o.user), "%s", user);
	return o;
}

static int style_of(const char *name, const struct column_row *r)
{
	const struct column *c = columns_find(name);
	assert_non_null(c->style);
	return c->style(r);
}

static void former_owner_reads_in_parentheses_in_the_former_style(void **state)
{
	(void)state;
	struct sock_rec s = time_wait();
	struct sock_owner was[2] = { owner(100, "nginx", "www-data"), owner(101, "nginx", "www-data") };
	struct column_row r = { .rec = &s, .owners_was = was, .nowners_was = 2 };
	char buf[128];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "(100/nginx,101/nginx)");
	cell("user", &r, buf, sizeof(buf));
	assert_string_equal(buf, "(www-data)");
	cell("command", &r, buf, sizeof(buf));
	assert_string_equal(buf, "(nginx)");
	assert_int_equal(style_of("process", &r), THEME_FORMER);
	assert_int_equal(style_of("user", &r), THEME_FORMER);
	assert_int_equal(style_of("command", &r), THEME_FORMER);
}

static void former_owner_escapes_names_and_keeps_its_mark_when_cut(void **state)
{
	(void)state;
	struct sock_rec s = time_wait();
	struct sock_owner was = owner(100, "\x1b[2Jx", "root");
	struct column_row r = { .rec = &s, .owners_was = &was, .nowners_was = 1 };
	char buf[64];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "(100/\\x1b[2Jx)");
	cell("process", &r, buf, 8);
	assert_int_equal(buf[0], '(');
	assert_int_equal(buf[strlen(buf) - 1], ')');
	assert_true(strlen(buf) < 8);
}

/* The mark is only for sockets no process holds: a current owner reads
 * as before, and where none was ever known the cell is a dash. */
static void current_owners_win_and_no_owner_at_all_is_a_dash(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 41000, "127.0.0.1", 8080);
	struct sock_owner now = owner(7, "curl", "alice"), was = owner(100, "nginx", "www");
	struct column_row r = { .rec = &s, .owners = &now, .nowners = 1,
	                        .owners_was = &was, .nowners_was = 1 };
	char buf[64];
	cell("process", &r, buf, sizeof(buf));
	assert_string_equal(buf, "7/curl");
	assert_int_equal(style_of("process", &r), THEME_PROCESS);
	assert_int_equal(style_of("user", &r), THEME_DEFAULT);
	struct sock_rec tw = time_wait();
	struct column_row brief = { .rec = &tw };
	cell("process", &brief, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	cell("user", &brief, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	assert_int_equal(style_of("process", &brief), THEME_OWNER_UNKNOWN);
	assert_int_equal(style_of("user", &brief), THEME_DEFAULT);
}

/* Sorting by process puts a TIME_WAIT with its former owner's name. */
static void former_owners_sort_by_their_name_after_current_ones(void **state)
{
	(void)state;
	struct sock_rec s = rec4("127.0.0.1", 1, "127.0.0.1", 2), tw = time_wait();
	struct sock_owner a = owner(5, "apache", "u"), n1 = owner(100, "nginx", "u"),
	                  n2 = owner(100, "nginx", "u");
	struct column_row ra = { .rec = &s, .owners = &a, .nowners = 1 };
	struct column_row rn = { .rec = &s, .owners = &n1, .nowners = 1 };
	struct column_row rw = { .rec = &tw, .owners_was = &n2, .nowners_was = 1 };
	const struct column *c = columns_find("process");
	assert_true(columns_compare(c, &ra, &rw, 0) < 0);
	assert_true(columns_compare(c, &rn, &rw, 0) < 0);     /* same name: current first */
	c = columns_find("user");
	assert_true(columns_compare(c, &rn, &rw, 0) < 0);
}

static void json_owner_was_lists_former_owners_like_procs(void **state)
{
	(void)state;
	struct sock_rec tw = time_wait();
	struct sock_owner was = owner(100, "nginx", "www-data");
	snprintf(was.service, sizeof(was.service), "nginx.service");
	struct column_row r = { .rec = &tw, .owners_was = &was, .nowners_was = 1 };
	char *j = json_of(&r);
	assert_non_null(strstr(j, "\"procs\":[],\"owner_was\":[{\"pid\":100,\"comm\":\"nginx\","
	                          "\"user\":\"www-data\",\"service\":\"nginx.service\","
	                          "\"cmdline\":null}]"));
	free(j);
	/* Held by a process: the key is still there, an empty list. */
	struct sock_rec s = rec4("127.0.0.1", 1, "127.0.0.1", 2);
	struct column_row held = { .rec = &s, .owners = &was, .nowners = 1 };
	j = json_of(&held);
	assert_non_null(strstr(j, "\"owner_was\":[]"));
	free(j);
}

/* TW: the TIME_WAITs a process left; one that holds no socket any more
 * is named in parentheses, in the former style. */
static void processes_tw_counts_and_a_process_left_with_only_time_waits_is_marked(void **state)
{
	(void)state;
	const struct column *tw = columns_table_find(&columns_processes, "tw");
	const struct column *name = columns_table_find(&columns_processes, "process");
	assert_non_null(tw);
	assert_string_equal(tw->title, "TW");
	assert_true(tw->right);
	struct proc_row p = { .pid = 7, .tw = 30000 };
	snprintf(p.comm, sizeof(p.comm), "worker");
	char buf[64];
	tw->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "30000");
	name->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "(worker)");
	assert_int_equal(name->style(&p), THEME_FORMER);
	p.total = p.established = 1;
	name->format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "worker");
	assert_int_equal(name->style(&p), THEME_DEFAULT);
	struct proc_row q = { .pid = 8, .tw = 2, .total = 5 };
	assert_true(columns_compare(tw, &p, &q, 1) < 0);        /* descending: most first */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(endpoints_and_state_read_like_ss),
		cmocka_unit_test(every_table_column_is_complete),
		cmocka_unit_test(netns_and_service_show_only_once_seen),
		cmocka_unit_test(json_walks_the_table_for_every_key),
		cmocka_unit_test(retrans_counts_tcp_retransmissions_and_is_blank_elsewhere),
		cmocka_unit_test(retrans_sorts_the_lossy_first_and_the_unknown_last),
		cmocka_unit_test(retrans_is_a_json_key_where_tcp_info_is_known),
		cmocka_unit_test(command_cell_shows_the_owners_command_line_escaped),
		cmocka_unit_test(command_sorts_by_the_command_line),
		cmocka_unit_test(processes_command_is_the_command_line_or_the_name),
		cmocka_unit_test(json_procs_carry_each_owners_cmdline_or_null),
		cmocka_unit_test(service_cell_lists_each_owners_service_once_escaped),
		cmocka_unit_test(service_cell_is_a_dash_and_sorts_last_when_unknown),
		cmocka_unit_test(process_cell_lists_every_owner_and_escapes_names),
		cmocka_unit_test(unowned_socket_shows_a_dash_or_its_uid),
		cmocka_unit_test(rtt_shows_milliseconds_or_a_dash),
		cmocka_unit_test(age_counts_from_first_seen),
		cmocka_unit_test(ports_sort_numerically_not_as_text),
		cmocka_unit_test(unknown_rtt_sorts_after_every_known_one),
		cmocka_unit_test(column_names_are_found_in_any_case),
		cmocka_unit_test(rates_read_in_binary_units_with_a_unit_letter),
		cmocka_unit_test(a_socket_without_a_rate_is_blank_and_an_idle_one_reads_0b),
		cmocka_unit_test(rate_columns_are_right_aligned_on_screen_only),
		cmocka_unit_test(no_rate_sorts_after_every_rate_in_either_direction),
		cmocka_unit_test(unknown_rtt_stays_last_in_descending_order_too),
		cmocka_unit_test(netns_cell_names_the_namespace_and_escapes_it),
		cmocka_unit_test(netns_sorts_the_host_first_then_by_name),
		cmocka_unit_test(former_owner_reads_in_parentheses_in_the_former_style),
		cmocka_unit_test(former_owner_escapes_names_and_keeps_its_mark_when_cut),
		cmocka_unit_test(current_owners_win_and_no_owner_at_all_is_a_dash),
		cmocka_unit_test(former_owners_sort_by_their_name_after_current_ones),
		cmocka_unit_test(json_owner_was_lists_former_owners_like_procs),
		cmocka_unit_test(processes_tw_counts_and_a_process_left_with_only_time_waits_is_marked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
