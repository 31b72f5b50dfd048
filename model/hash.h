/* hash.h — the one integer mix every hash table of sockeye uses. */
#ifndef SOCKEYE_HASH_H
#define SOCKEYE_HASH_H

#include <stdint.h>

/* MurmurHash3's 64-bit finaliser: every input bit moves about half the
 * output bits, so sequential inodes and pids spread over the slots. */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif
