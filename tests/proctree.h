/* proctree.h — a recorded /proc fixture tree made real for one test run: a
 * temporary copy whose <pid>/fd/ holds the symlinks listed in fd.links. */
#ifndef SOCKEYE_TESTS_PROCTREE_H
#define SOCKEYE_TESTS_PROCTREE_H

#include <limits.h>
#include <stddef.h>

struct proctree {
	char root[PATH_MAX];     /* the copy: pass it where "/proc" would go */
};

/* Copies the fixture tree at src into a fresh directory under $TMPDIR (or
 * /tmp): regular files byte for byte, directories recursively, and each
 * fd.links ("<fd> <readlink target>" per line) as an fd/ directory of
 * symlinks. A pid directory without fd.links gets no fd/. Returns 0, or -1
 * with err filled and nothing left behind. */
int proctree_make(struct proctree *t, const char *src, char *err, size_t errlen);

/* Deletes the copy (never following its symlinks). Returns 0, or -1 with
 * err filled. */
int proctree_remove(struct proctree *t, char *err, size_t errlen);

#endif
