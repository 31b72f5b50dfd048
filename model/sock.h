/* sock.h — the socket record every source produces and every consumer reads,
 * and the growable list a snapshot is collected into. */
#ifndef SOCKEYE_SOCK_H
#define SOCKEYE_SOCK_H

#include <stddef.h>
#include <stdint.h>

/* Kernel TCP state numbers (include/net/tcp_states.h). UDP reuses them:
 * an unconnected UDP socket is TCP_CLOSE, a connected one TCP_ESTABLISHED. */
enum sock_state {
	SOCK_ST_ESTABLISHED = 1,
	SOCK_ST_SYN_SENT,
	SOCK_ST_SYN_RECV,
	SOCK_ST_FIN_WAIT1,
	SOCK_ST_FIN_WAIT2,
	SOCK_ST_TIME_WAIT,
	SOCK_ST_CLOSE,
	SOCK_ST_CLOSE_WAIT,
	SOCK_ST_LAST_ACK,
	SOCK_ST_LISTEN,
	SOCK_ST_CLOSING,
	SOCK_ST_NEW_SYN_RECV,
	SOCK_ST_MAX
};

/* Bits for narrowing a collection, like ss -t -u -4 -6. */
#define SOCK_WANT_TCP  0x1u
#define SOCK_WANT_UDP  0x2u
#define SOCK_WANT_V4   0x4u
#define SOCK_WANT_V6   0x8u
#define SOCK_WANT_ALL  0xfu

/* TCP details from INET_DIAG_INFO (struct tcp_info); absent from /proc. */
struct sock_tcpinfo {
	uint32_t rtt_us;
	uint32_t rttvar_us;
	uint32_t retransmits;      /* tcpi_retransmits: unrecovered RTO timeouts */
	uint32_t total_retrans;    /* tcpi_total_retrans */
	uint32_t snd_cwnd;         /* segments */
	uint64_t bytes_acked;      /* 0 where the kernel does not report it */
	uint64_t bytes_received;
	uint64_t bytes_sent;
};

struct sock_rec {
	uint8_t proto;           /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t family;          /* AF_INET or AF_INET6 */
	uint8_t state;           /* enum sock_state */
	uint8_t has_tcpinfo;     /* tcp is valid */
	/* The kernel's timewait socket: what is left of a TCP connection
	 * once its full socket closed, in TIME_WAIT or (its peer not done
	 * yet) FIN_WAIT2. No inode, no owner, no tcp_info; the socket
	 * cookie is the full socket's. Both sources know it by its timer
	 * (3: the TIME_WAIT timer, which no full socket runs). */
	uint8_t timewait;
	uint16_t lport, rport;   /* host byte order */
	uint8_t laddr[16];       /* network order; IPv4 uses the first 4 bytes, rest zero */
	uint8_t raddr[16];
	uint32_t ifindex;        /* bound device / IPv6 scope, 0 if none */
	uint32_t uid;
	uint32_t recvq, sendq;   /* LISTEN: recvq = accept backlog, sendq = its limit */
	uint64_t inode;          /* 0 for TIME_WAIT and request sockets */
	uint64_t cookie;         /* kernel socket cookie (netlink only; 0 from /proc) */
	/* The network namespace the socket lives in: its nsfs inode, 0 for
	 * the host's (pid 1's). netns_name is NULL for the host, else its
	 * name from /run/netns or "net:[N]"; untrusted text, owned by the
	 * poller's namespace registry (netns.h) and valid until poller_free. */
	uint64_t netns;
	const char *netns_name;
	struct sock_tcpinfo tcp;
};

/* One process holding a socket. comm is raw bytes from the kernel and is
 * untrusted (may hold control characters); user is the passwd name for uid,
 * or the uid in digits when there is none. */
struct sock_owner {
	int pid;
	int pgid;                     /* process group (stat field 5): a pre-forked
	                               * server's workers share their master's */
	uint32_t uid;                 /* real uid of the process */
	unsigned long long starttime; /* /proc/<pid>/stat field 22: pid reuse check */
	char comm[17];                /* TASK_COMM_LEN 16 + NUL */
	char user[64];
	/* The systemd unit, container or pod the process runs in (cgroup.h),
	 * raw bytes from its cgroup path, untrusted; "" when none. Read once
	 * per process, when it is first seen or changes identity. */
	char service[64];
};

/* A copy of n owners the caller frees; NULL when n is 0 or out of memory. */
struct sock_owner *sock_owners_dup(const struct sock_owner *o, size_t n);

/* The owners a socket is shown with: its current ones (now, n), or, when
 * no process holds it, those who held it when last seen whole (was, nwas;
 * then *former is 1, else 0). Sets *o and returns their count. */
size_t sock_owners_shown(const struct sock_owner *now, size_t n,
                         const struct sock_owner *was, size_t nwas,
                         const struct sock_owner **o, int *former);

/* A snapshot as collected: a plain growable array. The collector that fills
 * it owns nothing in it; sock_list_free() releases the array. */
struct sock_list {
	struct sock_rec *v;
	size_t n, cap;
};

void sock_list_init(struct sock_list *l);
void sock_list_clear(struct sock_list *l);      /* n = 0, keeps the memory */
void sock_list_free(struct sock_list *l);
/* Gives back the room a burst left: the array cut to about l->n when less
 * than half of it is used (room.h). Returns 1 when it was cut, else 0. */
int sock_list_fit(struct sock_list *l);
/* Appends a zeroed record and returns it, or NULL when out of memory. */
struct sock_rec *sock_list_push(struct sock_list *l);

/* "ESTABLISHED", "TIME_WAIT", ...; "UNCONN" for a UDP socket in CLOSE. */
const char *sock_state_name(uint8_t proto, uint8_t state);
/* Parses a state name in any case, '-' or '_' or nothing between words
 * ("time-wait", "TIME_WAIT", "timewait", "fin-wait-1", "unconn").
 * Returns the state, or 0 if unknown. */
int sock_state_parse(const char *name);
const char *sock_proto_name(uint8_t proto);   /* "tcp" / "udp" */

/* Formats an address without port: "127.0.0.1", "::1", "::ffff:10.0.0.1".
 * buf should hold INET6_ADDRSTRLEN + 16 (room for a %scope). */
const char *sock_addr_str(uint8_t family, const uint8_t addr[16], char *buf, size_t len);
/* "127.0.0.1:80", "[::1]:443"; port 0 shows as "*" ("0.0.0.0:*"), like ss. */
const char *sock_endpoint_str(uint8_t family, const uint8_t addr[16], uint16_t port,
                              char *buf, size_t len);

#endif
