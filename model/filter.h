/* filter.h — the filter language: compiled once, matched per socket.
 *
 * Details of the language, as implemented (users and the man page rely on them):
 * - Keys are case-insensitive; values of proc/user/netns/service are not.
 * - Extensions: `family:4|6` (also ipv4/ipv6/inet/inet6); a bare `N-M` is a
 *   port range; `addr:[::1]` brackets are accepted; `\/` inside a /regex/
 *   is a literal slash.
 * - Bare tcp/udp/ipv4/ipv6 mean proto/family, never a command name
 *   (use proc:tcp for a process named so).
 * - A listener's or unconnected socket's remote side is the wildcard ("*:*"):
 *   port:, addr: and their r- forms never match it, so `port:well-known`
 *   does not catch every listener through remote port 0.
 * - Addresses compare in IPv6 space, a.b.c.d being ::ffff:a.b.c.d: an IPv4
 *   CIDR also matches v4-mapped IPv6 addresses, and `addr:::/0` matches all.
 * - `state:unconn` is the CLOSE state; `connected` is all but LISTEN, CLOSE.
 * - With filter_match_was, proc:, pid:, user: and service: read a socket's
 *   owners, or when it has none its former owners (who held a TIME_WAIT's
 *   connection), so `proc:nginx state:time-wait` finds the TIME_WAITs
 *   nginx left.
 * - proc: substring of any owner's command. pid: any owner. user: a number
 *   is the socket's or any owner's uid; a name is resolved to a uid when
 *   compiled and also compared whole with owners' user names; a /regex/ sees
 *   owners' user names only.
 * - netns: whole name, NULL being "host". service: any owner's service
 *   (or the subject's own, when set), whole, or without ".service", or a
 *   container's name without its "docker/" (runtime) part; a socket no
 *   owner with a known service holds never matches.
 * - A negated term (`!`) is true exactly when the term is false, so
 *   `!proc:x` matches a socket without owners.
 * Matching allocates nothing (glibc's regexec only caches DFA states on its
 * first calls), and cheap terms are tested before text and regex ones. */
#ifndef SOCKEYE_FILTER_H
#define SOCKEYE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "sock.h"

/* What a filter looks at for one socket. */
struct filter_subject {
	const struct sock_rec *rec;
	const struct sock_owner *owners;
	size_t nowners;
	const char *netns;        /* "host", or the namespace's name; NULL = host */
	const char *service;      /* systemd unit or container, when known for the
	                           * socket itself; NULL: the owners' services */
};

struct filter;

/* Compiles text (NULL or blank: matches everything). On a parse error returns
 * -1, leaves *out NULL and writes to err a message naming the offending word
 * and its 1-based column, e.g. "bad port 'x80' at column 6". */
int filter_compile(const char *text, struct filter **out, char *err, size_t errlen);
bool filter_match(const struct filter *f, const struct filter_subject *s);
/* filter_match for a socket that may have former owners (struct
 * sock_entry's or sock_event's owners_was): when s has no owners, was[0..n)
 * stand in for them. */
bool filter_match_was(const struct filter *f, const struct filter_subject *s,
                      const struct sock_owner *was, size_t n);
void filter_free(struct filter *f);
/* The text the filter was compiled from (normalised spacing), "" if none. */
const char *filter_text(const struct filter *f);

#endif
