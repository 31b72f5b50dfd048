/* test_clipboard.c — what y copies and the OSC 52 sequence carrying it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "clipboard.h"

static void base64_matches_rfc_4648s_vectors(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
	                                   "Zm9vYmFy" };
	char buf[32];
	(void)state;
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(clipboard_base64(in[i], strlen(in[i]), buf, sizeof buf),
		                 strlen(out[i]));
		assert_string_equal(buf, out[i]);
	}
	/* Every byte value, and a too-short buffer. */
	unsigned char all[3] = { 0xff, 0xfe, 0x00 };
	assert_int_equal(clipboard_base64(all, 3, buf, sizeof buf), 4);
	assert_string_equal(buf, "//4A");
	assert_int_equal(clipboard_base64("foobar", 6, buf, 8), 0);
}

static void osc52_wraps_the_base64_for_the_clipboard(void **state)
{
	char seq[128];
	(void)state;
	size_t n = clipboard_osc52("tcp 127.0.0.1:80", seq, sizeof seq);
	assert_string_equal(seq, "\033]52;c;dGNwIDEyNy4wLjAuMTo4MA==\a");
	assert_int_equal(n, strlen(seq));
}

static void osc52_never_carries_a_control_byte(void **state)
{
	char seq[128];
	(void)state;
	/* ESC, BEL, CR and DEL dropped: "ab" is what is copied. */
	clipboard_osc52("a\033]0;x\a\r\x7f" "b", seq, sizeof seq);
	assert_string_equal(seq, "\033]52;c;YV0wO3hi\a");
	char big[CLIPBOARD_TEXT_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(clipboard_osc52(big, seq, sizeof seq), 0);
}

static void a_socket_reads_proto_local_remote_state_and_owners(void **state)
{
	struct sock_rec rec;
	struct sock_owner o[2];
	char buf[256];
	(void)state;
	memset(&rec, 0, sizeof rec);
	memset(o, 0, sizeof o);
	rec.proto = IPPROTO_TCP;
	rec.family = AF_INET;
	rec.state = SOCK_ST_ESTABLISHED;
	inet_pton(AF_INET, "127.0.0.1", rec.laddr);
	inet_pton(AF_INET, "127.0.0.2", rec.raddr);
	rec.lport = 8080;
	rec.rport = 40000;
	o[0].pid = 42;
	strcpy(o[0].comm, "nginx");
	o[1].pid = 43;
	strcpy(o[1].comm, "nginx");
	struct column_row r = { .rec = &rec, .owners = o, .nowners = 2 };
	clipboard_socket_text(&r, buf, sizeof buf);
	assert_string_equal(buf, "tcp 127.0.0.1:8080 -> 127.0.0.2:40000 ESTABLISHED "
	                         "42/nginx,43/nginx");
}

static void a_process_reads_as_its_cells(void **state)
{
	struct layout_col cols[LAYOUT_COLS_MAX];
	struct proc_row p;
	char buf[256];
	(void)state;
	memset(&p, 0, sizeof p);
	p.pid = 7;
	strcpy(p.comm, "sshd\033[31m");
	strcpy(p.user, "root");
	p.listen = 2;
	p.total = 2;
	size_t n = layout_columns(&columns_processes, 100, 0, 0, cols);
	clipboard_cells_text(cols, n, &p, buf, sizeof buf);
	assert_non_null(strstr(buf, "7"));
	assert_non_null(strstr(buf, "sshd\\x1b[31m"));   /* escaped, never raw */
	assert_null(strchr(buf, '\033'));
	assert_non_null(strstr(buf, "root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64_matches_rfc_4648s_vectors),
		cmocka_unit_test(osc52_wraps_the_base64_for_the_clipboard),
		cmocka_unit_test(osc52_never_carries_a_control_byte),
		cmocka_unit_test(a_socket_reads_proto_local_remote_state_and_owners),
		cmocka_unit_test(a_process_reads_as_its_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
