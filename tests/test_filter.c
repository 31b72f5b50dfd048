/* test_filter.c — the filter language, one behaviour per test.
 * Sockets and owners are built in memory: the filter only reads fields. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "filter.h"

/* ---- helpers ----------------------------------------------------------- */

static void put_addr(uint8_t family, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(family, text, out), 1);
}

static struct sock_rec sock_v(uint8_t proto, uint8_t family, uint8_t state,
                              const char *laddr, uint16_t lport,
                              const char *raddr, uint16_t rport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof r);
	r.proto = proto;
	r.family = family;
	r.state = state;
	put_addr(family, laddr, r.laddr);
	put_addr(family, raddr, r.raddr);
	r.lport = lport;
	r.rport = rport;
	r.uid = 1000;
	r.inode = 4242;
	return r;
}

/* A connected TCP/IPv4 socket 10.1.2.3:5432 <- 192.168.7.9:51000. */
static struct sock_rec tcp4_est(void)
{
	return sock_v(IPPROTO_TCP, AF_INET, SOCK_ST_ESTABLISHED,
	              "10.1.2.3", 5432, "192.168.7.9", 51000);
}

static struct sock_rec tcp4_listen(const char *addr, uint16_t port)
{
	return sock_v(IPPROTO_TCP, AF_INET, SOCK_ST_LISTEN, addr, port, "0.0.0.0", 0);
}

static struct sock_rec tcp6_listen(const char *addr, uint16_t port)
{
	return sock_v(IPPROTO_TCP, AF_INET6, SOCK_ST_LISTEN, addr, port, "::", 0);
}

static struct sock_rec udp4_unconn(uint16_t port)
{
	return sock_v(IPPROTO_UDP, AF_INET, SOCK_ST_CLOSE, "0.0.0.0", port, "0.0.0.0", 0);
}

static struct sock_owner owner(int pid, uint32_t uid, const char *comm, const char *user)
{
	struct sock_owner o;

	memset(&o, 0, sizeof o);
	o.pid = pid;
	o.uid = uid;
	snprintf(o.comm, sizeof o.comm, "%s", comm);
	snprintf(o.user, sizeof o.user, "%s", user);
	return o;
}

static struct filter_subject subject(const struct sock_rec *r)
{
	struct filter_subject s = { .rec = r };
	return s;
}

static bool subject_matches(const char *text, const struct filter_subject *s)
{
	struct filter *f = NULL;
	char err[256] = "";
	bool hit;

	if (filter_compile(text, &f, err, sizeof err) != 0)
		fail_msg("filter '%s' did not compile: %s", text, err);
	hit = filter_match(f, s);
	filter_free(f);
	return hit;
}

static bool matches(const char *text, struct sock_rec r)
{
	struct filter_subject s = subject(&r);
	return subject_matches(text, &s);
}

/* Nginx-like pre-forked server: a master and two workers share a socket. */
static struct sock_owner nginx_owners[3];

static struct filter_subject nginx_subject(const struct sock_rec *r)
{
	struct filter_subject s = subject(r);

	nginx_owners[0] = owner(900, 0, "nginx", "root");
	nginx_owners[1] = owner(901, 33, "nginx", "www-data");
	nginx_owners[2] = owner(902, 33, "php-fpm8.2", "www-data");
	s.owners = nginx_owners;
	s.nowners = 3;
	return s;
}

static void assert_compile_error(const char *text, const char *message)
{
	struct filter *f = (struct filter *)&f;   /* must be reset to NULL */
	char err[256] = "";

	assert_int_equal(filter_compile(text, &f, err, sizeof err), -1);
	assert_null(f);
	assert_string_equal(err, message);
}

/* ---- whole filters ----------------------------------------------------- */

static void empty_filter_matches_everything(void **state)
{
	(void)state;
	assert_true(matches("", tcp4_est()));
	assert_true(matches("   \t ", udp4_unconn(53)));
	assert_true(matches(NULL, tcp4_listen("0.0.0.0", 22)));
}

static void terms_separated_by_spaces_must_all_match(void **state)
{
	(void)state;
	assert_true(matches("tcp port:5432 state:established", tcp4_est()));
	assert_false(matches("tcp port:5432 state:listen", tcp4_est()));
}

static void filter_text_is_normalised_but_keeps_regex_spaces(void **state)
{
	struct filter *f;
	char err[128];

	(void)state;
	assert_int_equal(filter_compile("  port:80 \t  !proc:/a  b/   tcp ", &f, err, sizeof err), 0);
	assert_string_equal(filter_text(f), "port:80 !proc:/a  b/ tcp");
	filter_free(f);
	assert_int_equal(filter_compile("", &f, err, sizeof err), 0);
	assert_string_equal(filter_text(f), "");
	filter_free(f);
}

/* ---- ports ------------------------------------------------------------- */

static void port_matches_local_or_remote_side(void **state)
{
	(void)state;
	assert_true(matches("port:5432", tcp4_est()));
	assert_true(matches("port:51000", tcp4_est()));
	assert_false(matches("port:80", tcp4_est()));
}

static void lport_matches_local_side_only(void **state)
{
	(void)state;
	assert_true(matches("lport:5432", tcp4_est()));
	assert_false(matches("lport:51000", tcp4_est()));
}

static void rport_matches_remote_side_only(void **state)
{
	(void)state;
	assert_true(matches("rport:51000", tcp4_est()));
	assert_false(matches("rport:5432", tcp4_est()));
}

static void port_range_includes_both_ends(void **state)
{
	(void)state;
	assert_true(matches("port:8000-8080", tcp4_listen("0.0.0.0", 8000)));
	assert_true(matches("port:8000-8080", tcp4_listen("0.0.0.0", 8080)));
	assert_false(matches("port:8000-8080", tcp4_listen("0.0.0.0", 8081)));
	assert_false(matches("port:8000-8080", tcp4_listen("0.0.0.0", 7999)));
}

static void port_class_follows_iana_boundaries(void **state)
{
	(void)state;
	assert_true(matches("lport:well-known", tcp4_listen("0.0.0.0", 1023)));
	assert_true(matches("lport:registered", tcp4_listen("0.0.0.0", 1024)));
	assert_true(matches("lport:registered", tcp4_listen("0.0.0.0", 49151)));
	assert_true(matches("lport:ephemeral", tcp4_listen("0.0.0.0", 49152)));
	assert_false(matches("lport:well-known", tcp4_listen("0.0.0.0", 1024)));
	assert_true(matches("port:Well_Known", tcp4_listen("0.0.0.0", 22)));
}

static void port_ignores_the_wildcard_remote_of_a_listener(void **state)
{
	(void)state;
	/* A listener's remote is "*:*", not port 0, so it is not well-known. */
	assert_false(matches("port:well-known", tcp4_listen("0.0.0.0", 8080)));
	assert_false(matches("port:0", tcp4_listen("0.0.0.0", 8080)));
	assert_true(matches("!rport:80", tcp4_listen("0.0.0.0", 8080)));
}

static void port_list_matches_any_of_them(void **state)
{
	(void)state;
	assert_true(matches("port:80,443", tcp4_listen("0.0.0.0", 443)));
	assert_true(matches("port:80,443", tcp4_listen("0.0.0.0", 80)));
	assert_false(matches("port:80,443", tcp4_listen("0.0.0.0", 8443)));
	assert_true(matches("port:22,8000-8080,ephemeral", tcp4_listen("0.0.0.0", 60000)));
}

/* ---- states ------------------------------------------------------------ */

static void state_names_take_any_case_and_dash_or_underscore(void **state)
{
	struct sock_rec tw = tcp4_est();

	(void)state;
	tw.state = SOCK_ST_TIME_WAIT;
	assert_true(matches("state:time-wait", tw));
	assert_true(matches("state:TIME_WAIT", tw));
	assert_true(matches("state:Time-Wait", tw));
	assert_false(matches("state:established", tw));
}

static void state_list_matches_any_of_them(void **state)
{
	struct sock_rec tw = tcp4_est();

	(void)state;
	tw.state = SOCK_ST_TIME_WAIT;
	assert_true(matches("state:listen,time-wait", tw));
	assert_true(matches("state:listen,time-wait", tcp4_listen("0.0.0.0", 22)));
	assert_false(matches("state:listen,time-wait", tcp4_est()));
}

static void state_connected_is_every_state_but_listen_and_close(void **state)
{
	struct sock_rec r = tcp4_est();

	(void)state;
	for (int st = SOCK_ST_ESTABLISHED; st < SOCK_ST_MAX; st++) {
		r.state = (uint8_t)st;
		bool want = st != SOCK_ST_LISTEN && st != SOCK_ST_CLOSE;
		assert_int_equal(matches("state:connected", r), want);
	}
}

static void state_unconn_matches_an_unconnected_udp_socket(void **state)
{
	struct sock_rec connected = udp4_unconn(5353);

	(void)state;
	connected.state = SOCK_ST_ESTABLISHED;
	assert_true(matches("state:unconn", udp4_unconn(53)));
	assert_false(matches("state:unconn", connected));
	assert_true(matches("state:connected", connected));
}

/* ---- protocol and family ----------------------------------------------- */

static void proto_key_picks_tcp_or_udp(void **state)
{
	(void)state;
	assert_true(matches("proto:tcp", tcp4_est()));
	assert_false(matches("proto:udp", tcp4_est()));
	assert_true(matches("proto:UDP", udp4_unconn(53)));
	assert_true(matches("proto:tcp,udp", udp4_unconn(53)));
}

static void bare_ipv4_and_ipv6_pick_the_family(void **state)
{
	(void)state;
	assert_true(matches("ipv4", tcp4_est()));
	assert_false(matches("ipv6", tcp4_est()));
	assert_true(matches("ipv6", tcp6_listen("::1", 22)));
	assert_false(matches("ipv4", tcp6_listen("::1", 22)));
}

static void family_key_takes_4_or_6(void **state)
{
	(void)state;
	assert_true(matches("family:4", tcp4_est()));
	assert_true(matches("family:6", tcp6_listen("::", 80)));
	assert_false(matches("family:6", tcp4_est()));
	assert_true(matches("family:ipv4,ipv6", tcp6_listen("::", 80)));
}

/* ---- processes and users ----------------------------------------------- */

static void proc_is_a_case_sensitive_substring_of_the_command(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("proc:ngin", &s));
	assert_true(subject_matches("proc:nginx", &s));
	assert_false(subject_matches("proc:NGINX", &s));
	assert_false(subject_matches("proc:apache", &s));
}

static void proc_matches_any_owner(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("proc:php-fpm", &s));
	assert_true(subject_matches("proc:sshd,php", &s));
	assert_false(subject_matches("!proc:php", &s));
}

static void proc_never_matches_a_socket_without_owners(void **state)
{
	(void)state;
	assert_false(matches("proc:x", tcp4_est()));
	assert_true(matches("!proc:x", tcp4_est()));
	assert_false(matches("proc:/./", tcp4_est()));
}

/* A TIME_WAIT no process holds: nginx's workers closed it; they are
 * its former owners (nginx_owners, after nginx_subject). */
static struct filter_subject time_wait_left_by_nginx(struct sock_rec *r)
{
	struct filter_subject s;

	*r = sock_v(IPPROTO_TCP, AF_INET, SOCK_ST_TIME_WAIT, "10.1.2.3", 443, "192.168.7.9", 51000);
	r->uid = 0;
	r->inode = 0;
	s = nginx_subject(r);
	snprintf(nginx_owners[1].service, sizeof nginx_owners[1].service, "nginx.service");
	s.owners = NULL;
	s.nowners = 0;
	return s;
}

static bool former_matches(const char *text, const struct filter_subject *s)
{
	struct filter *f = NULL;
	char err[256] = "";
	bool hit;

	if (filter_compile(text, &f, err, sizeof err) != 0)
		fail_msg("filter '%s' did not compile: %s", text, err);
	hit = filter_match_was(f, s, nginx_owners, 3);
	filter_free(f);
	return hit;
}

static void owner_terms_match_the_former_owners_of_a_socket_nobody_holds(void **state)
{
	struct sock_rec r;
	struct filter_subject s = time_wait_left_by_nginx(&r);

	(void)state;
	assert_true(former_matches("proc:nginx state:time-wait", &s));
	assert_true(former_matches("pid:901", &s));
	assert_true(former_matches("user:www-data", &s));
	assert_true(former_matches("user:33", &s));
	assert_true(former_matches("service:nginx", &s));
	assert_false(former_matches("proc:sshd", &s));
	assert_false(former_matches("!proc:nginx", &s));
	assert_false(subject_matches("proc:nginx", &s));   /* filter_match: owners only */
}

static void current_owners_hide_the_former_ones(void **state)
{
	struct sock_rec r;
	struct filter_subject s = time_wait_left_by_nginx(&r);
	struct sock_owner now = owner(77, 1000, "haproxy", "alice");

	(void)state;
	s.owners = &now;
	s.nowners = 1;
	assert_true(former_matches("proc:haproxy", &s));
	assert_false(former_matches("proc:nginx", &s));
	assert_false(former_matches("pid:901", &s));
}

static void pid_matches_any_owner(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("pid:900", &s));
	assert_true(subject_matches("pid:902", &s));
	assert_true(subject_matches("pid:1,2,901", &s));
	assert_false(subject_matches("pid:903", &s));
	assert_false(matches("pid:900", tcp4_est()));
}

static void user_number_matches_the_socket_uid(void **state)
{
	(void)state;
	assert_true(matches("user:1000", tcp4_est()));    /* no owners known */
	assert_false(matches("user:1001", tcp4_est()));
}

static void user_number_matches_any_owner_uid(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	r.uid = 0;
	assert_true(subject_matches("user:33", &s));
	assert_false(subject_matches("user:34", &s));
}

static void user_name_is_resolved_to_a_uid(void **state)
{
	struct sock_rec r = tcp4_est();

	(void)state;
	r.uid = 0;      /* root is uid 0 in every passwd */
	assert_true(matches("user:root", r));
	r.uid = 1000;
	assert_false(matches("user:root", r));
}

static void user_name_matches_an_owner_user_name(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("user:www-data", &s));
	assert_false(subject_matches("user:www", &s));   /* names are whole */
}

static void user_name_without_passwd_entry_still_matches_owner_text(void **state)
{
	struct sock_rec r = tcp4_est();
	struct sock_owner o = owner(77, 4000, "agent", "ghost-user-xq");
	struct filter_subject s = subject(&r);

	(void)state;
	s.owners = &o;
	s.nowners = 1;
	assert_true(subject_matches("user:ghost-user-xq", &s));
	assert_false(matches("user:ghost-user-xq", tcp4_est()));
}

/* ---- addresses --------------------------------------------------------- */

static void addr_matches_local_or_remote_address(void **state)
{
	(void)state;
	assert_true(matches("addr:10.1.2.3", tcp4_est()));
	assert_true(matches("addr:192.168.7.9", tcp4_est()));
	assert_false(matches("addr:10.1.2.4", tcp4_est()));
}

static void laddr_and_raddr_match_one_side_only(void **state)
{
	(void)state;
	assert_true(matches("laddr:10.1.2.3", tcp4_est()));
	assert_false(matches("laddr:192.168.7.9", tcp4_est()));
	assert_true(matches("raddr:192.168.7.0/24", tcp4_est()));
	assert_false(matches("raddr:10.0.0.0/8", tcp4_est()));
}

static void addr_cidr_matches_the_network(void **state)
{
	(void)state;
	assert_true(matches("addr:10.0.0.0/8", tcp4_est()));
	assert_false(matches("addr:11.0.0.0/8", tcp4_est()));
	assert_true(matches("addr:127.0.0.0/8", tcp4_listen("127.255.0.1", 22)));
}

static void addr_ipv6_loopback(void **state)
{
	(void)state;
	assert_true(matches("addr:::1", tcp6_listen("::1", 22)));
	assert_true(matches("addr:[::1]", tcp6_listen("::1", 22)));
	assert_false(matches("addr:::1", tcp6_listen("::2", 22)));
	assert_false(matches("addr:::1", tcp4_listen("127.0.0.1", 22)));
}

static void cidr_slash_0_matches_every_address_of_its_family(void **state)
{
	(void)state;
	assert_true(matches("addr:0.0.0.0/0", tcp4_listen("203.0.113.5", 80)));
	assert_false(matches("addr:0.0.0.0/0", tcp6_listen("2001:db8::1", 80)));
	assert_true(matches("addr:::/0", tcp6_listen("2001:db8::1", 80)));
}

static void cidr_slash_32_is_one_ipv4_address(void **state)
{
	(void)state;
	assert_true(matches("laddr:127.0.0.1/32", tcp4_listen("127.0.0.1", 22)));
	assert_false(matches("laddr:127.0.0.1/32", tcp4_listen("127.0.0.2", 22)));
}

static void cidr_slash_128_is_one_ipv6_address(void **state)
{
	(void)state;
	assert_true(matches("laddr:2001:db8::1/128", tcp6_listen("2001:db8::1", 22)));
	assert_false(matches("laddr:2001:db8::1/128", tcp6_listen("2001:db8::2", 22)));
	assert_true(matches("laddr:2001:db8::/127", tcp6_listen("2001:db8::1", 22)));
}

static void ipv4_cidr_matches_v4_mapped_ipv6_addresses(void **state)
{
	struct sock_rec r = sock_v(IPPROTO_TCP, AF_INET6, SOCK_ST_ESTABLISHED,
	                           "::ffff:10.9.8.7", 8080, "::ffff:127.0.0.1", 40000);

	(void)state;
	assert_true(matches("laddr:10.0.0.0/8", r));
	assert_true(matches("raddr:127.0.0.1", r));
	assert_false(matches("addr:192.168.0.0/16", r));
}

static void v4_mapped_filter_matches_a_plain_ipv4_socket(void **state)
{
	(void)state;
	assert_true(matches("addr:::ffff:127.0.0.1", tcp4_listen("127.0.0.1", 22)));
	assert_true(matches("addr:::ffff:127.0.0.0/104", tcp4_listen("127.0.0.9", 22)));
}

static void addr_ignores_the_wildcard_remote_of_a_listener(void **state)
{
	(void)state;
	/* 0.0.0.0 is the listener's own bind address, not its "*" peer. */
	assert_false(matches("addr:0.0.0.0", tcp4_listen("127.0.0.1", 22)));
	assert_true(matches("addr:0.0.0.0", tcp4_listen("0.0.0.0", 22)));
}

/* ---- namespaces and services ------------------------------------------- */

static void netns_host_matches_a_socket_of_the_host_namespace(void **state)
{
	struct sock_rec r = tcp4_est();
	struct filter_subject s = subject(&r);

	(void)state;
	assert_true(subject_matches("netns:host", &s));       /* NULL is host */
	s.netns = "blue";
	assert_false(subject_matches("netns:host", &s));
	assert_true(subject_matches("netns:blue", &s));
	assert_false(subject_matches("netns:blu", &s));
}

static void service_matches_the_unit_with_or_without_suffix(void **state)
{
	struct sock_rec r = tcp4_est();
	struct filter_subject s = subject(&r);

	(void)state;
	s.service = "nginx.service";
	assert_true(subject_matches("service:nginx.service", &s));
	assert_true(subject_matches("service:nginx", &s));
	assert_false(subject_matches("service:ngin", &s));
}

static void service_never_matches_an_unknown_service(void **state)
{
	(void)state;
	assert_false(matches("service:nginx", tcp4_est()));
	assert_false(matches("service:/.*/", tcp4_est()));
	assert_true(matches("!service:nginx", tcp4_est()));
}

static void service_matches_any_owners_service(void **state)
{
	struct sock_rec r = tcp4_est();
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	snprintf(nginx_owners[0].service, sizeof nginx_owners[0].service, "nginx.service");
	snprintf(nginx_owners[2].service, sizeof nginx_owners[2].service, "php8.2-fpm.service");
	assert_true(subject_matches("service:nginx", &s));
	assert_true(subject_matches("service:php8.2-fpm.service", &s));
	assert_false(subject_matches("service:sshd", &s));
	assert_true(subject_matches("!service:sshd", &s));
}

static void service_matches_a_container_by_its_name_alone(void **state)
{
	struct sock_rec r = tcp4_est();
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	snprintf(nginx_owners[1].service, sizeof nginx_owners[1].service, "docker/web-1");
	assert_true(subject_matches("service:web-1", &s));
	assert_true(subject_matches("service:docker/web-1", &s));
	assert_false(subject_matches("service:docker", &s));
	assert_false(subject_matches("service:web", &s));
}

static void service_of_owners_without_one_never_matches(void **state)
{
	struct sock_rec r = tcp4_est();
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	/* Owners whose cgroup names nothing have "": not even a regex that
	 * matches the empty string finds them. */
	assert_false(subject_matches("service:/^$/", &s));
	assert_false(subject_matches("service:/.*/", &s));
}

/* ---- regular expressions ----------------------------------------------- */

static void regex_matches_the_command_name(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("proc:/^(nginx|php-fpm)/", &s));
	assert_true(subject_matches("proc:/^php-fpm[0-9.]+$/", &s));
	assert_false(subject_matches("proc:/^ginx/", &s));
}

static void regex_may_hold_spaces_and_commas(void **state)
{
	struct sock_rec r = tcp4_est();
	struct sock_owner o = owner(5, 0, "Web Content", "root");
	struct filter_subject s = subject(&r);

	(void)state;
	s.owners = &o;
	s.nowners = 1;
	assert_true(subject_matches("proc:/^Web Content$/ port:5432", &s));
	assert_true(subject_matches("proc:/b C{1,2}/", &s));
	assert_false(subject_matches("proc:/^Web  Content$/", &s));
}

static void regex_can_be_one_item_of_a_list(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("proc:sshd,/^php/", &s));
	assert_false(subject_matches("proc:/^sshd$/,apache", &s));
}

static void regex_applies_to_user_netns_and_service(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	s.netns = "cni-1234";
	s.service = "docker-web.scope";
	assert_true(subject_matches("user:/^www-/", &s));
	assert_true(subject_matches("netns:/^cni-/", &s));
	assert_true(subject_matches("service:/^docker-.*scope$/", &s));
	assert_false(subject_matches("netns:/^host$/", &s));
}

static void bare_regex_means_proc(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("/^ng.nx$/", &s));
	assert_false(subject_matches("/^sshd/", &s));
}

/* ---- negation ---------------------------------------------------------- */

static void bang_negates_a_term(void **state)
{
	(void)state;
	assert_false(matches("!state:listen", tcp4_listen("0.0.0.0", 22)));
	assert_true(matches("!state:listen", tcp4_est()));
	assert_true(matches("!port:22 tcp", tcp4_est()));
}

static void bang_on_a_list_means_none_of_them(void **state)
{
	(void)state;
	assert_false(matches("!port:80,22", tcp4_listen("0.0.0.0", 22)));
	assert_true(matches("!port:80,22", tcp4_listen("0.0.0.0", 23)));
}

/* ---- bare words -------------------------------------------------------- */

static void bare_number_means_port(void **state)
{
	(void)state;
	assert_true(matches("5432", tcp4_est()));
	assert_false(matches("5433", tcp4_est()));
	assert_true(matches("80,443", tcp4_listen("0.0.0.0", 443)));
	assert_true(matches("8000-8080", tcp4_listen("0.0.0.0", 8001)));
}

static void bare_state_name_means_state(void **state)
{
	(void)state;
	assert_true(matches("listen", tcp4_listen("0.0.0.0", 22)));
	assert_false(matches("listen", tcp4_est()));
	assert_true(matches("ESTABLISHED", tcp4_est()));
	assert_true(matches("connected", tcp4_est()));
	assert_false(matches("connected", tcp4_listen("0.0.0.0", 22)));
	assert_true(matches("listen,established", tcp4_est()));
}

static void bare_tcp_and_udp_mean_protocol(void **state)
{
	(void)state;
	assert_true(matches("tcp", tcp4_est()));
	assert_false(matches("udp", tcp4_est()));
	assert_true(matches("udp", udp4_unconn(53)));
}

static void bare_other_word_means_proc(void **state)
{
	struct sock_rec r = tcp4_listen("0.0.0.0", 80);
	struct filter_subject s = nginx_subject(&r);

	(void)state;
	assert_true(subject_matches("nginx", &s));
	assert_true(subject_matches("sshd,php", &s));
	assert_false(subject_matches("sshd", &s));
	assert_true(subject_matches("!sshd", &s));
}

static void keys_are_case_insensitive(void **state)
{
	(void)state;
	assert_true(matches("PORT:5432 State:established", tcp4_est()));
}

/* ---- errors ------------------------------------------------------------ */

static void error_unknown_key(void **state)
{
	(void)state;
	assert_compile_error("tcp colour:red", "unknown key 'colour' at column 5");
}

static void error_empty_value(void **state)
{
	(void)state;
	assert_compile_error("port:", "empty value in 'port:' at column 1");
	assert_compile_error("tcp !port:80,", "empty value in '!port:80,' at column 5");
	assert_compile_error("proc://", "empty value in 'proc://' at column 1");
}

static void error_port_not_a_number(void **state)
{
	(void)state;
	assert_compile_error("port:x80", "bad port 'x80' at column 6");
	assert_compile_error("port:80x", "bad port '80x' at column 6");
}

static void error_port_above_65535(void **state)
{
	(void)state;
	assert_compile_error("port:65536", "bad port '65536' at column 6");
	assert_compile_error("70000", "bad port '70000' at column 1");
	assert_compile_error("port:80-99999", "bad port '80-99999' at column 6");
}

static void error_port_range_reversed(void **state)
{
	(void)state;
	assert_compile_error("port:8080-8000", "reversed port range '8080-8000' at column 6");
}

static void error_unknown_state(void **state)
{
	(void)state;
	assert_compile_error("state:establshed", "unknown state 'establshed' at column 7");
	assert_compile_error("state:listen,sleeping",
	                     "unknown state 'sleeping' at column 14");
}

static void error_unknown_protocol_and_family(void **state)
{
	(void)state;
	assert_compile_error("proto:sctp", "unknown protocol 'sctp' at column 7");
	assert_compile_error("family:5", "unknown family '5' at column 8");
}

static void error_bad_pid_and_uid(void **state)
{
	(void)state;
	assert_compile_error("pid:-1", "bad pid '-1' at column 5");
	assert_compile_error("user:99999999999", "bad uid '99999999999' at column 6");
}

static void error_bad_address(void **state)
{
	(void)state;
	assert_compile_error("addr:10.0.0.300", "bad address '10.0.0.300' at column 6");
	assert_compile_error("addr:localhost", "bad address 'localhost' at column 6");
}

static void error_bad_cidr_prefix(void **state)
{
	(void)state;
	assert_compile_error("addr:10.0.0.0/33", "bad prefix '10.0.0.0/33' at column 6");
	assert_compile_error("raddr:::1/129", "bad prefix '::1/129' at column 7");
	assert_compile_error("addr:10.0.0.0/", "bad prefix '10.0.0.0/' at column 6");
}

static void error_bad_regex_names_it_and_why(void **state)
{
	(void)state;
	assert_compile_error("tcp proc:/ng[inx/",
	                     "bad regex '/ng[inx/' at column 10: "
	                     "Unmatched [, [^, [:, [., or [=");
}

/* Found by fuzzing: glibc's regcomp copies a subexpression for each '+' or
 * {m,n} it must count, so stacked or nested repetitions double its size each
 * time and "a++++..." exhausted memory before regcomp returned. */
static void error_regex_whose_repetitions_multiply_is_refused(void **state)
{
	char nested[128] = "proc:/";
	(void)state;

	assert_compile_error("proc:/a++++++++++++++++++++/",
	                     "regex too complex '/a++++++++++++++++++++/' at column 6");
	for (int i = 0; i < 20; i++)
		strcat(nested, "(");
	strcat(nested, "a");
	for (int i = 0; i < 20; i++)
		strcat(nested, ")+");
	strcat(nested, "/");
	struct filter *f = NULL;
	char err[256] = "";
	assert_int_equal(filter_compile(nested, &f, err, sizeof err), -1);
	assert_null(f);
	assert_non_null(strstr(err, "regex too complex"));
	assert_compile_error("proc:/((a{16}){16}){16}/",
	                     "regex too complex '/((a{16}){16}){16}/' at column 6");
}

static void regex_with_ordinary_repetitions_still_compiles(void **state)
{
	struct sock_rec r = tcp4_est();
	struct filter_subject s = nginx_subject(&r);
	(void)state;

	assert_true(subject_matches("proc:/^(nginx|php-fpm[0-9.]*){1,3}$/", &s));
	assert_true(subject_matches("proc:/^[a-z]+-?[a-z]+[0-9]{1,2}[.][0-9]+$/", &s));
	assert_false(subject_matches("proc:/^x{1,8}(y+z*)?$/", &s));
}

static void error_unterminated_regex(void **state)
{
	(void)state;
	assert_compile_error("proc:/^ng inx", "unterminated regex '/^ng inx' at column 6");
}

static void error_text_after_regex(void **state)
{
	(void)state;
	assert_compile_error("proc:/ng/inx tcp",
	                     "unexpected text after regex '/ng/inx' at column 6");
}

static void error_lone_bang(void **state)
{
	(void)state;
	assert_compile_error("tcp ! port:80", "lone '!' at column 5");
	assert_compile_error("tcp !", "lone '!' at column 5");
}

static void error_column_counts_characters_not_bytes(void **state)
{
	(void)state;
	assert_compile_error("proc:café bogus:1", "unknown key 'bogus' at column 11");
}

/* ---- cost -------------------------------------------------------------- */

/* Run this one under valgrind to see that matching allocates nothing: the
 * heap summary's allocation count does not grow with the record count. */
static void matching_100000_sockets_is_fast(void **state)
{
	enum { N = 100000 };
	static struct sock_rec recs[N];
	struct sock_owner o = owner(901, 33, "nginx", "www-data");
	struct filter *f;
	char err[128];
	size_t hits = 0;
	clock_t t0;

	(void)state;
	for (int i = 0; i < N; i++) {
		recs[i] = tcp4_est();
		recs[i].lport = (uint16_t)(1 + i % 60000);
		recs[i].state = (uint8_t)(1 + i % 11);
	}
	assert_int_equal(filter_compile("tcp !state:listen port:1-30000,ephemeral "
	                                "addr:10.0.0.0/8 user:www-data proc:ngin",
	                                &f, err, sizeof err), 0);
	t0 = clock();
	for (int i = 0; i < N; i++) {
		struct filter_subject s = { .rec = &recs[i], .owners = &o, .nowners = 1 };
		hits += filter_match(f, &s);
	}
	/* Generous: a plain build takes a few milliseconds. */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	assert_true(hits > 0 && hits < N);
	filter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_filter_matches_everything),
		cmocka_unit_test(terms_separated_by_spaces_must_all_match),
		cmocka_unit_test(filter_text_is_normalised_but_keeps_regex_spaces),
		cmocka_unit_test(port_matches_local_or_remote_side),
		cmocka_unit_test(lport_matches_local_side_only),
		cmocka_unit_test(rport_matches_remote_side_only),
		cmocka_unit_test(port_range_includes_both_ends),
		cmocka_unit_test(port_class_follows_iana_boundaries),
		cmocka_unit_test(port_ignores_the_wildcard_remote_of_a_listener),
		cmocka_unit_test(port_list_matches_any_of_them),
		cmocka_unit_test(state_names_take_any_case_and_dash_or_underscore),
		cmocka_unit_test(state_list_matches_any_of_them),
		cmocka_unit_test(state_connected_is_every_state_but_listen_and_close),
		cmocka_unit_test(state_unconn_matches_an_unconnected_udp_socket),
		cmocka_unit_test(proto_key_picks_tcp_or_udp),
		cmocka_unit_test(bare_ipv4_and_ipv6_pick_the_family),
		cmocka_unit_test(family_key_takes_4_or_6),
		cmocka_unit_test(proc_is_a_case_sensitive_substring_of_the_command),
		cmocka_unit_test(proc_matches_any_owner),
		cmocka_unit_test(proc_never_matches_a_socket_without_owners),
		cmocka_unit_test(owner_terms_match_the_former_owners_of_a_socket_nobody_holds),
		cmocka_unit_test(current_owners_hide_the_former_ones),
		cmocka_unit_test(pid_matches_any_owner),
		cmocka_unit_test(user_number_matches_the_socket_uid),
		cmocka_unit_test(user_number_matches_any_owner_uid),
		cmocka_unit_test(user_name_is_resolved_to_a_uid),
		cmocka_unit_test(user_name_matches_an_owner_user_name),
		cmocka_unit_test(user_name_without_passwd_entry_still_matches_owner_text),
		cmocka_unit_test(addr_matches_local_or_remote_address),
		cmocka_unit_test(laddr_and_raddr_match_one_side_only),
		cmocka_unit_test(addr_cidr_matches_the_network),
		cmocka_unit_test(addr_ipv6_loopback),
		cmocka_unit_test(cidr_slash_0_matches_every_address_of_its_family),
		cmocka_unit_test(cidr_slash_32_is_one_ipv4_address),
		cmocka_unit_test(cidr_slash_128_is_one_ipv6_address),
		cmocka_unit_test(ipv4_cidr_matches_v4_mapped_ipv6_addresses),
		cmocka_unit_test(v4_mapped_filter_matches_a_plain_ipv4_socket),
		cmocka_unit_test(addr_ignores_the_wildcard_remote_of_a_listener),
		cmocka_unit_test(netns_host_matches_a_socket_of_the_host_namespace),
		cmocka_unit_test(service_matches_the_unit_with_or_without_suffix),
		cmocka_unit_test(service_never_matches_an_unknown_service),
		cmocka_unit_test(service_matches_any_owners_service),
		cmocka_unit_test(service_matches_a_container_by_its_name_alone),
		cmocka_unit_test(service_of_owners_without_one_never_matches),
		cmocka_unit_test(regex_matches_the_command_name),
		cmocka_unit_test(regex_may_hold_spaces_and_commas),
		cmocka_unit_test(regex_can_be_one_item_of_a_list),
		cmocka_unit_test(regex_applies_to_user_netns_and_service),
		cmocka_unit_test(bare_regex_means_proc),
		cmocka_unit_test(bang_negates_a_term),
		cmocka_unit_test(bang_on_a_list_means_none_of_them),
		cmocka_unit_test(bare_number_means_port),
		cmocka_unit_test(bare_state_name_means_state),
		cmocka_unit_test(bare_tcp_and_udp_mean_protocol),
		cmocka_unit_test(bare_other_word_means_proc),
		cmocka_unit_test(keys_are_case_insensitive),
		cmocka_unit_test(error_unknown_key),
		cmocka_unit_test(error_empty_value),
		cmocka_unit_test(error_port_not_a_number),
		cmocka_unit_test(error_port_above_65535),
		cmocka_unit_test(error_port_range_reversed),
		cmocka_unit_test(error_unknown_state),
		cmocka_unit_test(error_unknown_protocol_and_family),
		cmocka_unit_test(error_bad_pid_and_uid),
		cmocka_unit_test(error_bad_address),
		cmocka_unit_test(error_bad_cidr_prefix),
		cmocka_unit_test(error_bad_regex_names_it_and_why),
		cmocka_unit_test(error_regex_whose_repetitions_multiply_is_refused),
		cmocka_unit_test(regex_with_ordinary_repetitions_still_compiles),
		cmocka_unit_test(error_unterminated_regex),
		cmocka_unit_test(error_text_after_regex),
		cmocka_unit_test(error_lone_bang),
		cmocka_unit_test(error_column_counts_characters_not_bytes),
		cmocka_unit_test(matching_100000_sockets_is_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
