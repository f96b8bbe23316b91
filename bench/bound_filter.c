// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark reference: the least an exact flame graph costs in a dlfilter.
 * Each sample's raw callchain (with its pid) is counted in a table of
 * distinct chains: one hash over the words, one probe, one compare with
 * the stored copy; a new chain is copied once. Nothing is named, no tree
 * is built, nothing is written. Issue 15 proposed this ("count samples per
 * raw callchain with one hash lookup and build the tree only from distinct
 * chains at stop()") as the way to 1.3x the floor; this filter is that
 * design with the naming and the output left out, so its ratio to the
 * do-nothing filter bounds from below what any exact design costs here.
 *
 * Its tables are mapped with transparent huge pages advised, as flame.so's
 * big tables are (lib/model/mem.c): on this VM 4 KB faults alone made it
 * 1.7x the floor on deep.data (docs/performance.md).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <perf/perf_dlfilter.h>

#include "big_map.h"

struct perf_dlfilter_fns perf_dlfilter_fns;

struct rec {
	uint64_t hash;
	uint32_t nr;
	int32_t pid;
	uint64_t count;
};

static uint64_t *slots;		/* hash high half << 32 | record offset + 1 */
static size_t mask, used;
static uint64_t *arena;		/* records: struct rec, then nr words */
static size_t arena_len, arena_alloc;

int start(void **data, void *ctx)
{
	(void)data;
	(void)ctx;
	mask = (1u << 12) - 1;
	slots = big((mask + 1) * sizeof(*slots));
	arena_alloc = 1u << 20;
	arena = big(arena_alloc * sizeof(*arena));
	return slots && arena ? 0 : -1;
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ h >> 32;
}

static int grow_slots(void)
{
	size_t nmask = mask * 2 + 1, i, j;
	uint64_t *n = big((nmask + 1) * sizeof(*n));

	if (!n)
		return -1;
	for (i = 0; i <= mask; i++) {
		const struct rec *r;

		if (!slots[i])
			continue;
		r = (const struct rec *)(arena + (uint32_t)slots[i] - 1);
		for (j = r->hash & nmask; n[j]; j = (j + 1) & nmask)
			;
		n[j] = slots[i];
	}
	munmap(slots, (mask + 1) * sizeof(*slots));
	slots = n;
	mask = nmask;
	return 0;
}

int filter_event(void *data, const struct perf_dlfilter_sample *s, void *ctx)
{
	const __u64 *c = s->raw_callchain;
	uint64_t nr = s->raw_callchain_nr, h = 0x9e3779b97f4a7c15ULL, i;
	size_t words, j;
	struct rec *r;

	(void)data;
	(void)ctx;
	for (i = 0; i < nr; i++)
		h = mix(h, c[i]);
	h = mix(h, (uint64_t)(uint32_t)s->pid << 32 | nr) | 1;
	for (j = h & mask; slots[j]; j = (j + 1) & mask) {
		if ((uint32_t)(slots[j] >> 32) != (uint32_t)(h >> 32))
			continue;
		r = (struct rec *)(arena + (uint32_t)slots[j] - 1);
		if (r->hash == h && r->nr == nr && r->pid == s->pid &&
		    !memcmp(r + 1, c, nr * sizeof(*c))) {
			r->count++;
			return 1;
		}
	}
	words = sizeof(*r) / sizeof(*arena) + nr;
	if (arena_len + words > UINT32_MAX - 1)
		return 1;	/* full: not counted (a bound, not a profiler) */
	if (arena_len + words > arena_alloc) {
		size_t na = arena_alloc * 2;
		void *n;

		while (na < arena_len + words)
			na *= 2;
		n = mremap(arena, arena_alloc * sizeof(*arena),
			   na * sizeof(*arena), MREMAP_MAYMOVE);
		if (n == MAP_FAILED)
			return -1;
		arena = n;
		arena_alloc = na;
	}
	r = (struct rec *)(arena + arena_len);
	r->hash = h;
	r->nr = (uint32_t)nr;
	r->pid = s->pid;
	r->count = 1;
	memcpy(r + 1, c, nr * sizeof(*c));
	slots[j] = (h >> 32) << 32 | (arena_len + 1);
	arena_len += words;
	if (++used * 2 > mask + 1 && grow_slots())
		return -1;
	return 1;
}
