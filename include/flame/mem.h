/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory and hashing for big tables: the library's and the plugin's frame
 * tables (plugin/frames.c) share them.
 */
#ifndef FLAME_MEM_H
#define FLAME_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Big tables (lib/model/mem.c): zeroed, huge pages past 4 MB; the caller
 * passes back the exact size it allocated. */
void *fg_mem__alloc(size_t size);
void *fg_mem__realloc(void *p, size_t old, size_t size);
void fg_mem__free(void *p, size_t size);
/*
 * fg_grow's rule for big tables: *pp (a T **) from fg_mem holds *alloc
 * elements of size bytes, nr used; room for one more, doubling (min the
 * first time). 0, or -ENOMEM with *pp and *alloc untouched.
 */
int fg_mem__grow(void *pp, uint32_t *alloc, uint32_t nr, size_t size,
		 uint32_t min);

/*
 * The process heap of a run that grows tables and keeps them to the end
 * (flame.so inside perf script): fg_heap__tune makes glibc keep freed
 * blocks in the heap for reuse instead of unmapping them (no fault and
 * zeroing again on the next growth, no munmap), grow brk 64 MiB at a time,
 * and advises the heap from there on for transparent huge pages (where the
 * kernel offers them on madvise). brk's later growth is a new mapping
 * without the advice: fg_heap__advise (cheap when nothing changed) advises
 * it. Process-wide; unused advised memory costs no RSS.
 */
struct fg_heap {
	uintptr_t advised;	/* end of the advised heap; 0: not advising */
};

void fg_heap__tune(struct fg_heap *h);
void fg_heap__advise(struct fg_heap *h);

/* 64-bit mix (splitmix64 finaliser): good enough for open addressing. */
static inline uint64_t fg_hash64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/*
 * For hash tables of strings: 8 bytes a step (a multiply and a shift
 * each), then mixed; several times faster than a byte at a time on names
 * of tens of bytes. Tables only: nothing shown may depend on its values.
 */
static inline uint64_t fg_hash_str(const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, v;

	if (len < 8) {
		v = 0;
		while (p < end)
			v = v << 8 | *p++;
		return fg_hash64(h ^ v);
	}
	for (; end - p > 8; p += 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	/* the last 8 bytes, overlapping what came before */
	memcpy(&v, end - 8, 8);
	h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
	return fg_hash64(h ^ h >> 29);
}

/* FNV-1a over bytes, then mixed (its values pick colours: keep it). */
static inline uint64_t fg_hash_bytes(const void *data, size_t len)
{
	const unsigned char *s = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return fg_hash64(h ^ len);
}

#endif /* FLAME_MEM_H */
