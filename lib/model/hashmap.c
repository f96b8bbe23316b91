// SPDX-License-Identifier: GPL-2.0
/*
 * The one hash table (hashmap.h): fg_htab's storage, and fg_hashmap, the
 * typed table instantiated for entries of a run-time size.
 *
 * fg_hashmap's slots hold the key's full hash (0 empty, 1 removed: a
 * tombstone) and the index of the entry in a dense array, so a probe
 * compares entries only when the 64-bit hashes agree. A removed entry's
 * index is reused by a later insert; a table mostly of tombstones is
 * rebuilt at its size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/hashmap.h>

#define MIN_SLOTS	16

int fg_htab__init(struct fg_htab *t, size_t slots, size_t slot_size)
{
	size_t n = 8;

	while (n < slots)
		n *= 2;
	if (n > SIZE_MAX / slot_size)
		return -ENOMEM;
	t->slots = fg_mem__alloc(n * slot_size);
	if (!t->slots)
		return -ENOMEM;
	t->mask = n - 1;
	t->used = 0;
	return 0;
}

void fg_htab__release(struct fg_htab *t, size_t slot_size)
{
	if (t->slots)
		fg_mem__free(t->slots, (t->mask + 1) * slot_size);
	t->slots = NULL;
	t->mask = 0;
	t->used = 0;
}

size_t fg_htab__size_for(size_t live)
{
	size_t n = MIN_SLOTS;

	while ((live + 1) * 2 > n)
		n *= 2;
	return n;
}

/* ---- fg_hashmap ---- */

#define H_EMPTY		0
#define H_GONE		1

struct gslot {
	uint64_t hash;		/* H_EMPTY, H_GONE or the key's hash */
	size_t idx;		/* entry index */
};

struct fg_hashmap {
	struct fg_htab tab;	/* of struct gslot */
	char *ent;		/* dense: esize bytes an entry */
	uint64_t *ehash;	/* per entry: its hash, H_EMPTY when free */
	size_t esize, nr_ents, ents_alloc;
	size_t *freed;		/* indices of removed entries */
	size_t nr_freed;
	size_t count;
	fg_hashmap_eq_fn eq;
};

static void *ent_at(const struct fg_hashmap *m, size_t i)
{
	return m->ent + i * m->esize;
}

static inline bool gmap_empty(const struct gslot *s)
{
	return s->hash == H_EMPTY;
}

static inline bool gmap_live(const struct gslot *s)
{
	return s->hash > H_GONE;
}

static inline bool gmap_match(const struct fg_hashmap *m,
			      const struct gslot *s, uint64_t hash,
			      const void *key)
{
	return s->hash == hash && m->eq(ent_at(m, s->idx), key);
}

static inline uint64_t gmap_hash(const struct fg_hashmap *m,
				 const struct gslot *s)
{
	(void)m;
	return s->hash;
}

FG_HTAB_DEFINE(gmap, struct gslot, const void *, const struct fg_hashmap *)

/* a real hash never collides with the two markers */
static uint64_t fix(uint64_t h)
{
	return h <= H_GONE ? h + 2 : h;
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
	fg_htab__release(&m->tab, sizeof(struct gslot));
	free(m->ent);
	free(m->ehash);
	free(m->freed);
	free(m);
}

void *fg_hashmap__find(const struct fg_hashmap *m, uint64_t hash,
		       const void *key)
{
	const struct gslot *s;

	if (!m->tab.slots)
		return NULL;
	s = gmap__find(&m->tab, m, fix(hash), key);
	return s ? ent_at(m, s->idx) : NULL;
}

/* room for one more entry; 0 or -ENOMEM */
static int ents_reserve(struct fg_hashmap *m)
{
	size_t n;
	char *e;
	uint64_t *h;
	size_t *f;

	if (m->nr_freed || m->nr_ents < m->ents_alloc)
		return 0;
	n = m->ents_alloc ? m->ents_alloc * 2 : MIN_SLOTS / 2;
	if (n > SIZE_MAX / m->esize)
		return -ENOMEM;
	e = realloc(m->ent, n * m->esize);
	if (!e)
		return -ENOMEM;
	m->ent = e;
	h = realloc(m->ehash, n * sizeof(*h));
	if (!h)
		return -ENOMEM;
	m->ehash = h;
	f = realloc(m->freed, n * sizeof(*f));
	if (!f)
		return -ENOMEM;
	m->freed = f;
	m->ents_alloc = n;
	return 0;
}

void *fg_hashmap__insert(struct fg_hashmap *m, uint64_t hash, const void *key,
			 bool *added)
{
	uint64_t h = fix(hash);
	struct gslot *s;
	bool found;
	size_t idx;

	if (added)
		*added = false;
	if (!m->tab.slots &&
	    fg_htab__init(&m->tab, MIN_SLOTS, sizeof(struct gslot)))
		goto out_nomem;
	/*
	 * A full table (live and removed) is rebuilt first: the slot moves.
	 * Sized for half as many again as live: a table whose live count
	 * sits just under a size's limit while entries come and go (the
	 * off-CPU engine's threads) would otherwise be rebuilt at the same
	 * size every second insert.
	 */
	s = gmap__insert(&m->tab, m, h, key, m->count + m->count / 2 + 1,
			 &found);
	if (!s)
		goto out_nomem;
	if (found)
		return ent_at(m, s->idx);
	if (ents_reserve(m))
		goto out_nomem;
	idx = m->nr_freed ? m->freed[--m->nr_freed] : m->nr_ents++;
	s->hash = h;
	s->idx = idx;
	m->tab.used++;
	m->ehash[idx] = h;
	memset(ent_at(m, idx), 0, m->esize);
	m->count++;
	if (added)
		*added = true;
	return ent_at(m, idx);
out_nomem:
	errno = ENOMEM;
	return NULL;
}

void fg_hashmap__remove_entry(struct fg_hashmap *m, void *entry)
{
	size_t idx = (size_t)((char *)entry - m->ent) / m->esize;
	struct gslot *slots = m->tab.slots;
	size_t i;

	for (i = m->ehash[idx] & m->tab.mask; !gmap_empty(&slots[i]);
	     i = (i + 1) & m->tab.mask) {
		if (slots[i].hash == m->ehash[idx] && slots[i].idx == idx) {
			slots[i].hash = H_GONE;
			break;
		}
	}
	m->ehash[idx] = H_EMPTY;
	m->freed[m->nr_freed++] = idx;
	m->count--;
}

int fg_hashmap__remove(struct fg_hashmap *m, uint64_t hash, const void *key)
{
	void *e = fg_hashmap__find(m, hash, key);

	if (!e)
		return -ENOENT;
	fg_hashmap__remove_entry(m, e);
	return 0;
}

size_t fg_hashmap__count(const struct fg_hashmap *m)
{
	return m->count;
}

void *fg_hashmap__next(const struct fg_hashmap *m, size_t *iter)
{
	size_t i;

	for (i = *iter; i < m->nr_ents; i++) {
		if (m->ehash[i] != H_EMPTY) {
			*iter = i + 1;
			return ent_at(m, i);
		}
	}
	*iter = m->nr_ents;
	return NULL;
}
