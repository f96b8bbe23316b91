/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark filters' big tables: anonymous mappings with transparent
 * huge pages advised, as flame.so's big tables are (lib/model/mem.c), so
 * that a reference is not slower for 4 KB page faults alone.
 */
#ifndef BENCH_BIG_MAP_H
#define BENCH_BIG_MAP_H

#include <stddef.h>
#include <sys/mman.h>

static void *big(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

#endif
