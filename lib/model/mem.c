// SPDX-License-Identifier: GPL-2.0
/*
 * Memory for the big tables (profile nodes and child slots, layout frames):
 * past FG_MEM_BIG bytes an anonymous mapping with transparent huge pages
 * asked for (madvise), grown with mremap. On this VM a random probe into a
 * 100 MB table costs a TLB miss on top of the cache miss, and every 4 KB
 * page of a fresh table costs a page fault: 2 MB pages cut both
 * (docs/performance.md). Below FG_MEM_BIG: plain calloc/realloc/free.
 * Callers pass the exact sizes they allocated; memory is zeroed like calloc.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define FG_MEM_BIG	(4u << 20)

static size_t page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

static void *map_big(size_t size)
{
	void *p = mmap(NULL, page_round(size), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, page_round(size), MADV_HUGEPAGE);
#endif
	return p;
}

void *fg_mem__alloc(size_t size)
{
	if (size < FG_MEM_BIG)
		return calloc(1, size ? size : 1);
	return map_big(size);
}

void *fg_mem__realloc(void *p, size_t old, size_t size)
{
	void *n;

	if (!p)
		return fg_mem__alloc(size);
	if (size < FG_MEM_BIG && old < FG_MEM_BIG) {
		n = realloc(p, size ? size : 1);
		if (n && size > old)
			memset((char *)n + old, 0, size - old);
		return n;
	}
	if (old >= FG_MEM_BIG && size >= FG_MEM_BIG) {
		n = mremap(p, page_round(old), page_round(size), MREMAP_MAYMOVE);
		return n == MAP_FAILED ? NULL : n;
	}
	n = fg_mem__alloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, old < size ? old : size);
	fg_mem__free(p, old);
	return n;
}

int fg_mem__grow(void *pp, uint32_t *alloc, uint32_t nr, size_t size,
		 uint32_t min)
{
	void **p = pp, *n;
	uint32_t na;

	if (nr < *alloc)
		return 0;
	na = *alloc ? *alloc * 2 : min;
	if (na <= *alloc || na <= nr)
		return -ENOMEM;
	n = fg_mem__realloc(*p, (size_t)*alloc * size, (size_t)na * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*alloc = na;
	return 0;
}

void fg_mem__free(void *p, size_t size)
{
	if (!p)
		return;
	if (size < FG_MEM_BIG)
		free(p);
	else
		munmap(p, page_round(size));
}

/*
 * docs/performance.md: on deep.data, flame.so's page faults fell from
 * 12.8k to 2.5k a run and its CPU by a third with these settings.
 */
void fg_heap__advise(struct fg_heap *h)
{
	uintptr_t end = ((uintptr_t)sbrk(0) + 4095) & ~(uintptr_t)4095;
	uintptr_t start = h->advised;

	if (!start || end <= start)
		return;
	if (!madvise((void *)start, end - start, MADV_HUGEPAGE))
		h->advised = end;
	else
		h->advised = 0;	/* not offered: stop asking */
}

void fg_heap__tune(struct fg_heap *h)
{
	void *p;

	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
	/* a block from the brk heap, which M_TOP_PAD makes grow by 64 MiB
	 * more: advised from its page on */
	p = malloc(1 << 20);
	if (!p)
		return;
	h->advised = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	fg_heap__advise(h);
	free(p);	/* stays in the heap (M_TRIM_THRESHOLD) */
}
