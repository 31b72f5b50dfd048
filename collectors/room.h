/* room.h — giving back the room a burst left in a growable array. The
 * arrays a poll reuses (the table, the snapshot, the events, the destroy
 * announcements) grow by doubling and used to keep their largest size for
 * good: one minute with 20,000 sockets more (another load starting and
 * stopping) left sockeye 20-30 MiB bigger for the rest of its run. */
#ifndef SOCKEYE_ROOM_H
#define SOCKEYE_ROOM_H

#include <stdlib.h>

/* Arrays smaller than this keep their room: glibc serves them from its
 * heap anyway (its mmap threshold starts at 128 KiB), and a steady poll
 * should never realloc. */
#define ROOM_KEEP_BYTES (256u * 1024u)

/* v (cap elements of size bytes, n of them in use) cut down to n plus a
 * quarter when less than half of it is used: glibc gives a big array's
 * tail straight back (mremap), and the hysteresis (a shrunk array needs to
 * grow by a quarter, then to lose half, before the next realloc) keeps a
 * table that merely wobbles from reallocating every poll. Returns the
 * array, which moved or not; on a failed realloc the old one, room kept.
 * *shrunk is set to 1 when it was cut (left alone otherwise). */
static inline void *room_fit(void *v, size_t *cap, size_t n, size_t size, int *shrunk)
{
	size_t want = n + n / 4;

	if (*cap * size <= ROOM_KEEP_BYTES || n >= *cap / 2)
		return v;
	if (want * size < ROOM_KEEP_BYTES / 2)
		want = ROOM_KEEP_BYTES / 2 / size;
	void *q = realloc(v, want * size);
	if (!q)
		return v;
	*cap = want;
	*shrunk = 1;
	return q;
}

#endif
