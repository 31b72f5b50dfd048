/* netlink.h — the sock_diag source: inet_diag v2 dumps over one reused
 * libnl-3 socket, for TCP and UDP over IPv4 and IPv6, with tcp_info; and
 * closing one TCP socket with SOCK_DESTROY, as ss -K does. */
#ifndef SOCKEYE_NETLINK_H
#define SOCKEYE_NETLINK_H

#include <stddef.h>
#include "sock.h"

struct nlmsghdr;
struct netlink_source;

/* Opens the NETLINK_SOCK_DIAG socket once. Returns NULL with err filled
 * (e.g. "netlink sock_diag refused: Permission denied") when refused. */
struct netlink_source *netlink_open(char *err, size_t errlen);
void netlink_close(struct netlink_source *src);

/* Appends to out one record per socket of the wanted kinds (SOCK_WANT_*: a
 * protocol is dumped for a family only when both bits are set, so pass
 * SOCK_WANT_TCP | SOCK_WANT_V4 | SOCK_WANT_V6 for "all TCP"). On failure out
 * is left as it was.
 * Redoes a dump the kernel marks NLM_F_DUMP_INTR, retries EINTR, and grows the
 * receive buffer and redoes the dump on ENOBUFS. Returns 0, or -1 with err. */
int netlink_collect(struct netlink_source *src, unsigned want,
                    struct sock_list *out, char *err, size_t errlen);

/* Decodes one SOCK_DIAG_BY_FAMILY reply message (struct inet_diag_msg and its
 * attributes) into rec. proto is the IPPROTO_* the request asked for. Returns
 * 0, or -1 if the message is malformed. Used by netlink_collect and by tests
 * on recorded dumps. */
int netlink_parse_msg(const struct nlmsghdr *nlh, uint8_t proto, struct sock_rec *rec);

/* Decodes a whole recorded reply buffer (a sequence of netlink messages up to
 * NLMSG_DONE) into out. Returns the number of records, or -1 if malformed. */
int netlink_parse_buffer(const void *buf, size_t len, uint8_t proto, struct sock_list *out);

/* Closes the TCP socket rec describes, as ss -K does: a SOCK_DESTROY request
 * naming its addresses, ports, interface and cookie, on src's socket. The
 * kernel aborts it (its owner's next call fails with ECONNABORTED, the peer
 * gets a reset) and refuses a socket whose cookie differs, so a newer socket
 * reusing the same addresses is left alone. Any TCP state may be closed,
 * listeners included; UDP is refused, and so is a record without a cookie
 * (from /proc), before anything is sent. Returns 0 once the kernel has
 * acknowledged, or -1 with err saying why, in words meant for the user:
 * "closing needs CAP_NET_ADMIN (run as root)", "the socket is already gone",
 * "this kernel cannot close sockets (built without CONFIG_INET_DIAG_DESTROY)",
 * "only TCP connections can be closed, not udp sockets", ... */
int netlink_destroy(struct netlink_source *src, const struct sock_rec *rec,
                    char *err, size_t errlen);

/* Finds the kernel's answer (NLMSG_ERROR; error 0 is an ACK) to request seq
 * in a run of received netlink messages, skipping whatever else shares the
 * socket (dump leftovers, multicast notifications). buf must be 4-byte
 * aligned. Returns 1 with *kernel_errno set (0 for an ACK, else a positive
 * errno), 0 when buf holds no answer to seq, -1 if malformed. Used by
 * netlink_destroy and by tests on recorded replies. */
int netlink_parse_ack(const void *buf, size_t len, uint32_t seq, int *kernel_errno);

#endif
