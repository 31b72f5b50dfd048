/* recbatch.c — a poll's rows for the recording, and folding a poll the
 * writer had no time for into the one still waiting (recbatch.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "recbatch.h"
#include "room.h"

struct rec_proc *rec_proc_ref(struct rec_proc *p)
{
	if (p)
		__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

void rec_proc_unref(struct rec_proc *p)
{
	if (p && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(p->cmdline);
		free(p);
	}
}

struct rec_batch *rec_batch_new(double time)
{
	struct rec_batch *b = calloc(1, sizeof(*b));
	if (b)
		b->time = time;
	return b;
}

void rec_batch_free(struct rec_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nlives; i++)
		free(b->lives[i].netns_name);
	for (size_t i = 0; i < b->nowners; i++)
		rec_proc_unref(b->owners[i].proc);
	free(b->lives);
	free(b->events);
	free(b->samples);
	free(b->owners);
	free(b->ends);
	free(b->snap);
	free(b->sidx_life);
	free(b->sidx_at);
	free(b);
}

size_t rec_batch_bytes(const struct rec_batch *b)
{
	size_t n = sizeof(*b);
	n += b->caplives * sizeof(*b->lives) + b->capevents * sizeof(*b->events);
	n += b->capsamples * sizeof(*b->samples) + b->capowners * sizeof(*b->owners);
	n += b->capends * sizeof(*b->ends) + b->capsnap * sizeof(*b->snap);
	n += b->sidx_cap * (sizeof(*b->sidx_life) + sizeof(*b->sidx_at));
	/* a process's row is shared; its command line counted once a row
	 * names it is near enough for a bound */
	n += b->nowners * 128;
	return n;
}

/* The index of b's samples by life: open addressing, life 0 free. */
static int sidx_build(struct rec_batch *b, size_t want)
{
	size_t cap = 64;
	while (cap < want * 2)
		cap *= 2;
	int64_t *life = calloc(cap, sizeof(*life));
	size_t *at = malloc(cap * sizeof(*at));
	if (!life || !at) {
		free(life);
		free(at);
		return -1;
	}
	free(b->sidx_life);
	free(b->sidx_at);
	b->sidx_life = life;
	b->sidx_at = at;
	b->sidx_cap = cap;
	for (size_t i = 0; i < b->nsamples; i++) {
		size_t s = hash_mix64((uint64_t)b->samples[i].life) & (cap - 1);
		while (life[s] && life[s] != b->samples[i].life)
			s = (s + 1) & (cap - 1);
		life[s] = b->samples[i].life;
		at[s] = i;   /* a later sample of the same life wins */
	}
	return 0;
}

static int merge_samples(struct rec_batch *b, struct rec_batch *n)
{
	if (b->sidx_cap < (b->nsamples + n->nsamples) * 2 &&
	    sidx_build(b, b->nsamples + n->nsamples) < 0)
		return -1;
	if (room_reserve(&b->samples, &b->capsamples, b->nsamples + n->nsamples,
	                 sizeof(*b->samples), 64) < 0)
		return -1;
	size_t mask = b->sidx_cap - 1;
	for (size_t i = 0; i < n->nsamples; i++) {
		const struct rec_sample_row *x = &n->samples[i];
		size_t s = hash_mix64((uint64_t)x->life) & mask;
		while (b->sidx_life[s] && b->sidx_life[s] != x->life)
			s = (s + 1) & mask;
		if (b->sidx_life[s]) {
			b->samples[b->sidx_at[s]] = *x;
		} else {
			b->sidx_life[s] = x->life;
			b->sidx_at[s] = b->nsamples;
			b->samples[b->nsamples++] = *x;
		}
	}
	return 0;
}

/* Appends n's array to b's; the elements move (n keeps a count of 0). */
#define MERGE_ARRAY(b, n, arr, cnt, cap) \
	(room_reserve(&(b)->arr, &(b)->cap, (b)->cnt + (n)->cnt, sizeof(*(b)->arr), 64) < 0 ? -1 : \
	 ((n)->cnt ? memcpy((b)->arr + (b)->cnt, (n)->arr, (n)->cnt * sizeof(*(b)->arr)) : NULL, \
	  (b)->cnt += (n)->cnt, (n)->cnt = 0, 0))

int rec_batch_merge(struct rec_batch *b, struct rec_batch *n)
{
	if (merge_samples(b, n) < 0 ||
	    MERGE_ARRAY(b, n, lives, nlives, caplives) < 0 ||
	    MERGE_ARRAY(b, n, events, nevents, capevents) < 0 ||
	    MERGE_ARRAY(b, n, owners, nowners, capowners) < 0 ||
	    MERGE_ARRAY(b, n, ends, nends, capends) < 0) {
		rec_batch_free(n);
		return -1;
	}
	if (n->has_snap) {
		/* the newer list of the lives alive replaces the older one */
		int64_t *v = b->snap;
		size_t cap = b->capsnap;
		b->snap = n->snap;
		b->capsnap = n->capsnap;
		b->nsnap = n->nsnap;
		b->snap_time = n->snap_time;
		b->has_snap = 1;
		n->snap = v;
		n->capsnap = cap;
	}
	b->resync |= n->resync;
	b->dropped += n->dropped + 1;
	b->time = n->time;
	b->sockets = n->sockets;
	rec_batch_free(n);
	return 0;
}
