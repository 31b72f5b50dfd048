/* test_journal.c — the journal entry built from a socket event: its
 * structured fields, an owner's untrusted name kept byte for byte in
 * SOCKEYE_COMM and escaped in MESSAGE, and what --journal says where it
 * cannot send. */
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
#include <sys/stat.h>

#include "journal.h"

static struct sock_owner owners[2];

static struct sock_event event_of(enum sock_event_type type, size_t nowners)
{
	struct sock_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.time = 1700000000.25;
	e.rec.proto = IPPROTO_TCP;
	e.rec.family = AF_INET;
	e.rec.state = SOCK_ST_ESTABLISHED;
	inet_pton(AF_INET, "127.0.0.1", e.rec.laddr);
	inet_pton(AF_INET, "127.0.0.2", e.rec.raddr);
	e.rec.lport = 40123;
	e.rec.rport = 8080;
	e.rec.inode = 98765;
	e.rec.uid = 33;
	memset(owners, 0, sizeof(owners));
	owners[0].pid = 4242;
	snprintf(owners[0].comm, sizeof(owners[0].comm), "nginx");
	snprintf(owners[0].user, sizeof(owners[0].user), "www-data");
	owners[1].pid = 4243;
	snprintf(owners[1].comm, sizeof(owners[1].comm), "worker");
	snprintf(owners[1].user, sizeof(owners[1].user), "root");
	e.owners = owners;
	e.nowners = nowners;
	return e;
}

static void assert_field(const struct journal_entry *j, const char *field, const char *want)
{
	size_t len;
	const char *v = journal_entry_value(j, field, &len);

	if (!v)
		fail_msg("no field %s", field);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(v, want, len);
}

static void entry_carries_the_socket_as_fields(void **state)
{
	(void)state;
	struct journal_entry j;
	struct sock_event e = event_of(SOCK_EV_NEW, 1);

	journal_entry_init(&j);
	assert_int_equal(journal_entry_build(&j, &e), 0);
	assert_field(&j, "SOCKEYE_EVENT", "new");
	assert_field(&j, "SOCKEYE_PROTO", "tcp");
	assert_field(&j, "SOCKEYE_FAMILY", "4");
	assert_field(&j, "SOCKEYE_STATE", "ESTABLISHED");
	assert_field(&j, "SOCKEYE_LADDR", "127.0.0.1");
	assert_field(&j, "SOCKEYE_LPORT", "40123");
	assert_field(&j, "SOCKEYE_RADDR", "127.0.0.2");
	assert_field(&j, "SOCKEYE_RPORT", "8080");
	assert_field(&j, "SOCKEYE_INODE", "98765");
	assert_field(&j, "SOCKEYE_UID", "33");
	assert_field(&j, "PRIORITY", "6");
	assert_field(&j, "SYSLOG_IDENTIFIER", "sockeye");
	assert_field(&j, "MESSAGE", "new tcp ESTABLISHED 127.0.0.1:40123 -> 127.0.0.2:8080 4242/nginx");
	assert_null(journal_entry_value(&j, "SOCKEYE_FROM", NULL));
	journal_entry_free(&j);
}

static void state_change_names_the_state_it_left(void **state)
{
	(void)state;
	struct journal_entry j;
	struct sock_event e = event_of(SOCK_EV_STATE, 0);

	e.rec.state = SOCK_ST_CLOSE_WAIT;
	e.from_state = SOCK_ST_ESTABLISHED;
	journal_entry_init(&j);
	assert_int_equal(journal_entry_build(&j, &e), 0);
	assert_field(&j, "SOCKEYE_EVENT", "state");
	assert_field(&j, "SOCKEYE_STATE", "CLOSE_WAIT");
	assert_field(&j, "SOCKEYE_FROM", "ESTABLISHED");
	assert_field(&j, "MESSAGE", "state tcp ESTABLISHED->CLOSE_WAIT 127.0.0.1:40123 -> 127.0.0.2:8080");
	journal_entry_free(&j);
}

static void every_owner_gives_its_pid_command_and_user(void **state)
{
	(void)state;
	struct journal_entry j;
	struct sock_event e = event_of(SOCK_EV_GONE, 2);
	size_t len;

	journal_entry_init(&j);
	assert_int_equal(journal_entry_build(&j, &e), 0);
	assert_string_equal(journal_entry_value_at(&j, "SOCKEYE_PID", 0, &len), "4242");
	assert_string_equal(journal_entry_value_at(&j, "SOCKEYE_PID", 1, &len), "4243");
	assert_string_equal(journal_entry_value_at(&j, "SOCKEYE_COMM", 1, &len), "worker");
	assert_string_equal(journal_entry_value_at(&j, "SOCKEYE_USER", 0, &len), "www-data");
	assert_null(journal_entry_value_at(&j, "SOCKEYE_PID", 2, &len));
	journal_entry_free(&j);
}

/* A TIME_WAIT no process holds names who left it, in fields of their own
 * and in parentheses in the message. */
static void former_owners_have_fields_of_their_own(void **state)
{
	(void)state;
	struct journal_entry j;
	struct sock_event e = event_of(SOCK_EV_STATE, 0);
	size_t len;

	e.from_state = SOCK_ST_FIN_WAIT2;
	e.rec.state = SOCK_ST_TIME_WAIT;
	e.rec.inode = 0;
	e.owners_was = owners;
	e.nowners_was = 1;
	journal_entry_init(&j);
	assert_int_equal(journal_entry_build(&j, &e), 0);
	assert_null(journal_entry_value_at(&j, "SOCKEYE_PID", 0, &len));
	assert_string_equal(journal_entry_value_at(&j, "SOCKEYE_PID_WAS", 0, &len), "4242");
	assert_field(&j, "SOCKEYE_COMM_WAS", "nginx");
	assert_field(&j, "SOCKEYE_USER_WAS", "www-data");
	assert_field(&j, "MESSAGE", "state tcp FIN_WAIT2->TIME_WAIT 127.0.0.1:40123 -> "
	                            "127.0.0.2:8080 (4242/nginx)");
	journal_entry_free(&j);
}

/* The journal stores binary values, so the command name is the exact
 * bytes; the MESSAGE line journalctl prints shows them as escapes. */
static void untrusted_name_is_exact_in_its_field_and_escaped_in_message(void **state)
{
	(void)state;
	struct journal_entry j;
	struct sock_event e = event_of(SOCK_EV_NEW, 1);
	const char hostile[] = "ev\x1b[2J\nil";
	size_t len;

	memcpy(owners[0].comm, hostile, sizeof(hostile));
	journal_entry_init(&j);
	assert_int_equal(journal_entry_build(&j, &e), 0);
	assert_field(&j, "SOCKEYE_COMM", hostile);
	const char *msg = journal_entry_value(&j, "MESSAGE", &len);
	assert_non_null(memmem(msg, len, "4242/ev\\x1b[2J\\x0ail", 20));
	assert_null(memchr(msg, '\x1b', len));
	assert_null(memchr(msg, '\n', len));
	journal_entry_free(&j);
}

/* A socket only the kernel's close notice told of has no known uid:
 * no field rather than a made-up 0. */
static void unknown_uid_is_left_out(void **state)
{
	(void)state;
	struct journal_entry j;
	struct sock_event e = event_of(SOCK_EV_GONE, 0);

	e.uid_unknown = 1;
	e.brief = 1;
	journal_entry_init(&j);
	assert_int_equal(journal_entry_build(&j, &e), 0);
	assert_null(journal_entry_value(&j, "SOCKEYE_UID", NULL));
	assert_field(&j, "SOCKEYE_BRIEF", "1");
	journal_entry_free(&j);
}

/* Without libsystemd --journal is "not built in"; with it and no journald
 * socket here, the reason names the socket. */
static void check_says_why_entries_cannot_be_sent(void **state)
{
	(void)state;
	char err[256] = "";
	struct stat st;
	int here = stat("/run/systemd/journal/socket", &st) == 0 && S_ISSOCK(st.st_mode);

	if (!journal_built_in()) {
		assert_int_equal(journal_check(err, sizeof(err)), -1);
		assert_non_null(strstr(err, "not built in"));
	} else if (!here) {
		assert_int_equal(journal_check(err, sizeof(err)), -1);
		assert_non_null(strstr(err, "/run/systemd/journal/socket"));
	} else {
		assert_int_equal(journal_check(err, sizeof(err)), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entry_carries_the_socket_as_fields),
		cmocka_unit_test(state_change_names_the_state_it_left),
		cmocka_unit_test(every_owner_gives_its_pid_command_and_user),
		cmocka_unit_test(former_owners_have_fields_of_their_own),
		cmocka_unit_test(untrusted_name_is_exact_in_its_field_and_escaped_in_message),
		cmocka_unit_test(unknown_uid_is_left_out),
		cmocka_unit_test(check_says_why_entries_cannot_be_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
