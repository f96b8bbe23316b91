// SPDX-License-Identifier: GPL-2.0
/*
 * The one hash table (hashmap.h). Each slot keeps the key's hash beside
 * the entry: 0 marks an empty slot, 1 a removed one (a tombstone), so a
 * probe compares entries only when the full 64-bit hashes agree. The
 * table doubles when live and removed entries pass 3/4 of the slots (a
 * table mostly of tombstones is rebuilt at its size), and starts at
 * MIN_SLOTS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/hashmap.h>

#define MIN_SLOTS	16
#define H_EMPTY		0
#define H_GONE		1

struct fg_hashmap {
	uint64_t *hash;		/* per slot: H_EMPTY, H_GONE or the hash */
	char *ent;		/* per slot: esize bytes */
	size_t esize, mask;	/* mask: slots - 1, 0 before the first insert */
	size_t count, gone;
	fg_hashmap_eq_fn eq;
};

/* a real hash never collides with the two markers */
static uint64_t fix(uint64_t h)
{
	return h <= H_GONE ? h + 2 : h;
}

static void *ent_at(const struct fg_hashmap *m, size_t i)
{
	return m->ent + i * m->esize;
}

bool fg_hashmap__eq_u64(const void *entry, const void *key)
{
	uint64_t a;

	memcpy(&a, entry, sizeof(a));
	return a == *(const uint64_t *)key;
}

struct fg_hashmap *fg_hashmap__new(size_t entry_size, fg_hashmap_eq_fn eq)
{
	struct fg_hashmap *m;

	if (!entry_size || !eq) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->esize = entry_size;
	m->eq = eq;
	return m;
}

void fg_hashmap__delete(struct fg_hashmap *m)
{
	if (!m)
		return;
	free(m->hash);
	free(m->ent);
	free(m);
}

/* Slot of key, or SIZE_MAX. */
static size_t slot_of(const struct fg_hashmap *m, uint64_t h, const void *key)
{
	size_t i;

	if (!m->hash)
		return SIZE_MAX;
	for (i = h & m->mask; m->hash[i] != H_EMPTY; i = (i + 1) & m->mask)
		if (m->hash[i] == h && m->eq(ent_at(m, i), key))
			return i;
	return SIZE_MAX;
}

void *fg_hashmap__find(const struct fg_hashmap *m, uint64_t hash,
		       const void *key)
{
	size_t i = slot_of(m, fix(hash), key);

	return i == SIZE_MAX ? NULL : ent_at(m, i);
}

static int rehash(struct fg_hashmap *m, size_t slots)
{
	uint64_t *nh;
	char *ne;
	size_t i, j;

	if (slots > SIZE_MAX / m->esize)
		return -ENOMEM;
	nh = calloc(slots, sizeof(*nh));
	ne = malloc(slots * m->esize);
	if (!nh || !ne) {
		free(nh);
		free(ne);
		return -ENOMEM;
	}
	for (i = 0; m->hash && i <= m->mask; i++) {
		if (m->hash[i] <= H_GONE)
			continue;
		for (j = m->hash[i] & (slots - 1); nh[j] != H_EMPTY;
		     j = (j + 1) & (slots - 1))
			;
		nh[j] = m->hash[i];
		memcpy(ne + j * m->esize, ent_at(m, i), m->esize);
	}
	free(m->hash);
	free(m->ent);
	m->hash = nh;
	m->ent = ne;
	m->mask = slots - 1;
	m->gone = 0;
	return 0;
}

void *fg_hashmap__insert(struct fg_hashmap *m, uint64_t hash, const void *key,
			 bool *added)
{
	uint64_t h = fix(hash);
	size_t i, slot = SIZE_MAX;

	if (added)
		*added = false;
	i = slot_of(m, h, key);
	if (i != SIZE_MAX)
		return ent_at(m, i);
	if (!m->hash || (m->count + m->gone + 1) * 4 > (m->mask + 1) * 3) {
		size_t n = m->hash ? m->mask + 1 : MIN_SLOTS;

		while ((m->count + 1) * 2 > n)
			n *= 2;
		if (rehash(m, n)) {
			errno = ENOMEM;
			return NULL;
		}
	}
	for (i = h & m->mask; m->hash[i] > H_GONE; i = (i + 1) & m->mask)
		;
	slot = i;
	if (m->hash[slot] == H_GONE)
		m->gone--;
	m->hash[slot] = h;
	memset(ent_at(m, slot), 0, m->esize);
	m->count++;
	if (added)
		*added = true;
	return ent_at(m, slot);
}

void fg_hashmap__remove_entry(struct fg_hashmap *m, void *entry)
{
	size_t i = (size_t)((char *)entry - m->ent) / m->esize;

	m->hash[i] = H_GONE;
	m->count--;
	m->gone++;
}

int fg_hashmap__remove(struct fg_hashmap *m, uint64_t hash, const void *key)
{
	size_t i = slot_of(m, fix(hash), key);

	if (i == SIZE_MAX)
		return -ENOENT;
	fg_hashmap__remove_entry(m, ent_at(m, i));
	return 0;
}

size_t fg_hashmap__count(const struct fg_hashmap *m)
{
	return m->count;
}

void *fg_hashmap__next(const struct fg_hashmap *m, size_t *iter)
{
	size_t i;

	for (i = *iter; m->hash && i <= m->mask; i++) {
		if (m->hash[i] > H_GONE) {
			*iter = i + 1;
			return ent_at(m, i);
		}
	}
	*iter = m->hash ? m->mask + 1 : 0;
	return NULL;
}
