/* room.h — growable arrays: room_reserve grows one by doubling, room_fit
 * gives back the room a burst left, so a minute with 20,000 sockets more
 * does not leave sockeye 20-30 MiB bigger for the rest of its run. */
#ifndef SOCKEYE_ROOM_H
#define SOCKEYE_ROOM_H

#include <stdlib.h>

/* Makes *vp (an array of cap elements of size bytes; vp is the address of
 * the array's pointer) hold at least need elements, doubling from first.
 * An array not yet allocated is allocated even for need 0, so callers can
 * count on a non-NULL array. Returns 0, or -1 with the array intact. */
static inline int room_reserve(void *vp, size_t *cap, size_t need, size_t size,
                               size_t first)
{
	void **pv = vp;
	if (need <= *cap && *pv)
		return 0;
	size_t c = *cap ? *cap : first ? first : 1;
	while (c < need)
		c *= 2;
	void *q = realloc(*pv, c * size);
	if (!q)
		return -1;
	*pv = q;
	*cap = c;
	return 0;
}

/* Arrays smaller than this keep their room: glibc serves them from its
 * heap anyway (its mmap threshold starts at 128 KiB), and a steady poll
 * should never realloc. */
#define ROOM_KEEP_BYTES (256u * 1024u)

/* v (cap elements of size bytes, n of them in use) cut down after a poll
 * when much of it is unused; glibc gives a big array's tail straight back
 * (mremap). steady: the array holds about as many elements every poll (the
 * table, the snapshot, the screen's rows), so it is cut to n plus an
 * eighth when under three quarters used, and what stays resident is at
 * most a third more than in use; a wobble of a few percent never reallocs.
 * Otherwise (the events of one poll, its destroy announcements, which vary
 * a lot from poll to poll) it is cut to n plus a quarter when under half
 * used. Returns the array, which moved or not; on a failed realloc the old
 * one, room kept. *shrunk is set to 1 when it was cut. */
static inline void *room_fit(void *v, size_t *cap, size_t n, size_t size, int steady,
                             int *shrunk)
{
	size_t want = steady ? n + n / 8 : n + n / 4;
	size_t under = steady ? *cap / 4 * 3 : *cap / 2;

	if (*cap * size <= ROOM_KEEP_BYTES || n >= under)
		return v;
	if (want * size < ROOM_KEEP_BYTES / 2)
		want = ROOM_KEEP_BYTES / 2 / size;
	if (want >= *cap)
		return v;
	void *q = realloc(v, want * size);
	if (!q)
		return v;
	*cap = want;
	*shrunk = 1;
	return q;
}

#endif
