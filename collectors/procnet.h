/* procnet.h — the /proc/net/{tcp,tcp6,udp,udp6} source: the same records as
 * the netlink source, from the kernel's text tables. */
#ifndef SOCKEYE_PROCNET_H
#define SOCKEYE_PROCNET_H

#include <stddef.h>
#include "sock.h"

/* What the text tables cannot say, and so differs from netlink:
 * - a listener's sendq: netlink reports the backlog limit (sk_max_ack_backlog);
 *   /proc prints write_seq - snd_una there, which is 0. recvq agrees: both give
 *   the accept-queue length of a listener.
 * - ifindex (bound device, IPv6 scope), cookie and tcp_info stay 0.
 * A request socket (SYN_RECV, not yet a full socket) is printed with its
 * listener's uid; netlink reports uid 0 for it, and so do we. */

/* Parses one table's text (header line included). proto is IPPROTO_TCP or
 * IPPROTO_UDP; family AF_INET (tcp, udp) or AF_INET6 (tcp6, udp6). Appends
 * to out. Returns the number of records, or -1 with err naming the line;
 * on error out is left as it was. The text needs no NUL terminator and may
 * lack the final newline; it is parsed in place. */
int procnet_parse(const char *text, size_t len, uint8_t proto, uint8_t family,
                  struct sock_list *out, char *err, size_t errlen);

/* Reads <proc_root>/net/{tcp,tcp6,udp,udp6} as wanted (SOCK_WANT_*). Having
 * none of SOCK_WANT_TCP/UDP means both protocols, none of SOCK_WANT_V4/V6
 * both families, so 0 wants everything. A table missing because a protocol
 * family is not built in (no tcp6 when IPv6 is off) is skipped. Returns 0, or
 * -1 with err naming the file (out is left as it was). */
int procnet_collect(const char *proc_root, unsigned want, struct sock_list *out,
                    char *err, size_t errlen);

#endif
