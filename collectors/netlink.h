/* netlink.h — the sock_diag source: inet_diag v2 dumps over one reused
 * libnl-3 socket, for TCP and UDP over IPv4 and IPv6, with tcp_info;
 * closing one TCP socket with SOCK_DESTROY, as ss -K does; and watching the
 * kernel's announcements of destroyed sockets, as ss -E does. */
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

/* ---- destroy notifications ----
 * The kernel announces every TCP and UDP socket it frees on the sock_diag
 * multicast groups (SKNLGRP_INET{,6}_{TCP,UDP}_DESTROY), so a connection
 * that opened and closed between two dumps is still seen. What it sends is
 * a SOCK_DIAG_BY_FAMILY message: addresses, ports, interface, cookie, the
 * final state (TCP: CLOSE, UDP: as it was), the queues, the protocol as an
 * INET_DIAG_PROTOCOL attribute and, for TCP, the final struct tcp_info
 * (byte counters included). It never sends the inode or the uid: both are
 * 0 in the record. Only full sockets are announced: a TCP connection's
 * socket when it enters TIME_WAIT or CLOSE, but not the TIME_WAIT
 * minisocket's end (it keeps the cookie), nor a request socket's. */
struct netlink_watch;

/* Opens a NETLINK_SOCK_DIAG socket joined to the destroy groups of the
 * wanted kinds (SOCK_WANT_*, as for netlink_collect), non-blocking, with a
 * large receive buffer. NULL with err filled where the kernel refuses (no
 * CAP_NET_ADMIN, a kernel without the groups). */
struct netlink_watch *netlink_watch_open(unsigned want, char *err, size_t errlen);
void netlink_watch_close(struct netlink_watch *w);
/* The descriptor to poll(): readable when notifications wait. -1 for NULL. */
int netlink_watch_fd(const struct netlink_watch *w);
/* Appends a record for every notification waiting (up to a few thousand a
 * call; the descriptor stays readable if more wait). Returns how many, or
 * -1 with err when the socket itself failed. */
int netlink_watch_drain(struct netlink_watch *w, struct sock_list *out,
                        char *err, size_t errlen);
/* How many times notifications were lost because the receive buffer
 * overran (ENOBUFS) since the watcher opened. */
unsigned long netlink_watch_overruns(const struct netlink_watch *w);

/* Decodes one destroy notification (its protocol from INET_DIAG_PROTOCOL).
 * Returns 0, or -1 if malformed or not of a state or protocol sock.h knows. */
int netlink_parse_destroy(const struct nlmsghdr *nlh, struct sock_rec *rec);
/* Decodes a run of notification messages (one datagram, or a recording of
 * several) into out, skipping what is not a socket sock.h knows. buf must
 * be 4-byte aligned. Returns the number of records, or -1 if malformed. */
int netlink_parse_notifications(const void *buf, size_t len, struct sock_list *out);

#endif
