/* filter.h — the filter language of SPEC.md: compiled once, matched per socket. */
#ifndef SOCKEYE_FILTER_H
#define SOCKEYE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include "sock.h"
#include "procmap.h"

/* What a filter looks at for one socket. */
struct filter_subject {
	const struct sock_rec *rec;
	const struct sock_owner *owners;
	size_t nowners;
	const char *netns;        /* "host", or the namespace's name; NULL = host */
	const char *service;      /* systemd unit or container; NULL = unknown */
};

struct filter;

/* Compiles text (NULL or blank: matches everything). On a parse error returns
 * -1, leaves *out NULL and writes to err a message naming the offending word
 * and its 1-based column, e.g. "bad port 'x80' at column 6". */
int filter_compile(const char *text, struct filter **out, char *err, size_t errlen);
bool filter_match(const struct filter *f, const struct filter_subject *s);
void filter_free(struct filter *f);
/* The text the filter was compiled from (normalised spacing), "" if none. */
const char *filter_text(const struct filter *f);

#endif
