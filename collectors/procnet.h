/* procnet.h — the /proc/net/{tcp,tcp6,udp,udp6} source: the same records as
 * the netlink source, from the kernel's text tables. */
#ifndef SOCKEYE_PROCNET_H
#define SOCKEYE_PROCNET_H

#include <stddef.h>
#include "sock.h"

/* Parses one table's text (header line included). proto is IPPROTO_TCP or
 * IPPROTO_UDP; family AF_INET (tcp, udp) or AF_INET6 (tcp6, udp6). Appends
 * to out. Returns the number of records, or -1 with err naming the line. */
int procnet_parse(const char *text, size_t len, uint8_t proto, uint8_t family,
                  struct sock_list *out, char *err, size_t errlen);

/* Reads <proc_root>/net/{tcp,tcp6,udp,udp6} as wanted (SOCK_WANT_*).
 * A table missing because a protocol family is not built in (no tcp6 when
 * IPv6 is off) is skipped. Returns 0, or -1 with err. */
int procnet_collect(const char *proc_root, unsigned want, struct sock_list *out,
                    char *err, size_t errlen);

#endif
