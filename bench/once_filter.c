// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark reference: what naming costs through perf, and nothing else.
 * Samples are taken early (as flame.so takes them); every distinct
 * (process, address) of the callchains is resolved once through perf's
 * resolve_address, which also makes perf load each object's symbols (and
 * the kernel's) the first time. No name is kept, no tree built, nothing
 * written: an exact profiler that names frames with perf pays at least
 * this (docs/performance.md, "lower bounds").
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <perf/perf_dlfilter.h>

#include "big_map.h"

struct perf_dlfilter_fns perf_dlfilter_fns;

#define KERNEL_SPACE	(1ull << 40)	/* not a pid: the kernel's addresses */

struct seen {
	uint64_t addr;
	uint64_t space;		/* pid, or KERNEL_SPACE */
};

static struct seen *tab;
static size_t mask, used;
static volatile uint64_t sink;

int start(void **data, void *ctx)
{
	(void)data;
	(void)ctx;
	mask = (1u << 12) - 1;
	tab = big((mask + 1) * sizeof(*tab));
	return tab ? 0 : -1;
}

static inline uint64_t hash(uint64_t addr, uint64_t space)
{
	uint64_t h = addr ^ space * 0x9e3779b97f4a7c15ULL;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ h >> 33;
}

static int grow(void)
{
	size_t nmask = mask * 2 + 1, i, j;
	struct seen *n = big((nmask + 1) * sizeof(*n));

	if (!n)
		return -1;
	for (i = 0; i <= mask; i++) {
		if (!tab[i].addr && !tab[i].space)
			continue;
		for (j = hash(tab[i].addr, tab[i].space) & nmask;
		     n[j].addr || n[j].space; j = (j + 1) & nmask)
			;
		n[j] = tab[i];
	}
	munmap(tab, (mask + 1) * sizeof(*tab));
	tab = n;
	mask = nmask;
	return 0;
}

/* 1: seen before; 0: first time (recorded); -1: out of memory */
static int seen(uint64_t addr, uint64_t space)
{
	size_t i;

	if (used * 2 >= mask && grow())
		return -1;
	for (i = hash(addr, space) & mask; tab[i].addr || tab[i].space;
	     i = (i + 1) & mask)
		if (tab[i].addr == addr && tab[i].space == space)
			return 1;
	tab[i].addr = addr;
	tab[i].space = space;
	used++;
	return 0;
}

int filter_event_early(void *data, const struct perf_dlfilter_sample *s,
		       void *ctx)
{
	uint64_t user = (uint32_t)s->pid, space = user, i;
	struct perf_dlfilter_al al;

	(void)data;
	for (i = 0; i < s->raw_callchain_nr; i++) {
		uint64_t a = s->raw_callchain[i];

		if (a >= (uint64_t)PERF_CONTEXT_MAX) {	/* a context marker */
			space = a == (uint64_t)PERF_CONTEXT_KERNEL ||
				a == (uint64_t)PERF_CONTEXT_GUEST_KERNEL ?
				KERNEL_SPACE : user;
			continue;
		}
		if (seen(a, space))
			continue;
		memset(&al, 0, sizeof(al));
		al.size = sizeof(al);
		if (!perf_dlfilter_fns.resolve_address(ctx, a, &al) && al.sym)
			sink += (unsigned char)al.sym[0];
	}
	return 1;
}
