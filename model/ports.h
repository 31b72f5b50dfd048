/* ports.h — port classes (IANA), the kernel's local port range, and service
 * names from /etc/services. */
#ifndef SOCKEYE_PORTS_H
#define SOCKEYE_PORTS_H

#include <stddef.h>
#include <stdint.h>

enum port_class { PORT_WELL_KNOWN, PORT_REGISTERED, PORT_EPHEMERAL };

enum port_class port_class(uint16_t port);
const char *port_class_name(enum port_class c);     /* "well-known", ... */
/* Parses "well-known" / "registered" / "ephemeral" (any case, '_' or '-');
 * returns 0 and sets *c, or -1. */
int port_class_parse(const char *s, enum port_class *c);

/* Reads path (normally /proc/sys/net/ipv4/ip_local_port_range). Returns 0 and
 * fills lo/hi, or -1 with err filled. */
int ports_local_range(const char *path, uint16_t *lo, uint16_t *hi,
                      char *err, size_t errlen);

struct services;
/* Loads an /etc/services-format file. NULL with err filled on failure. */
struct services *services_load(const char *path, char *err, size_t errlen);
/* Service name for port under "tcp"/"udp" (proto as IPPROTO_*), or NULL. */
const char *services_name(const struct services *s, uint16_t port, uint8_t proto);
void services_free(struct services *s);

#endif
