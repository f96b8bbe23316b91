/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library's one hash table: open addressing with linear probing.
 *
 * One probe loop, two faces:
 *
 * - FG_HTAB_DEFINE(name, slot_t, key_t, ctx_t) generates a typed table
 *   whose probe is inlined where it is called: the hot paths (the plugin's
 *   address and callchain caches, the profile's child index, string
 *   interning, the text collapser) lay out their own slot (a key and value
 *   side by side, or a hash tag and an index into a dense array they own)
 *   and compare keys without a callback.
 * - struct fg_hashmap (below) is that table instantiated for entries of a
 *   size given at run time, with a compare callback, removal and
 *   iteration: for everything that is not a hot path.
 *
 * The caller hashes the key (fg_hash64, fg_hash_bytes in flame/mem.h).
 */
#ifndef FLAME_HASHMAP_H
#define FLAME_HASHMAP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flame/mem.h>

/*
 * A typed table's state. Slots are slot_t, zeroed = empty; used counts the
 * slots that are not empty (live ones, and removed ones a table may keep as
 * tombstones). The slot array comes from fg_mem__alloc (huge pages when
 * big). Grows to keep used at most half the slots.
 */
struct fg_htab {
	void *slots;
	size_t mask;		/* slots - 1; slots a power of two */
	size_t used;
};

/* 0 or -ENOMEM; slots rounded up to a power of two (at least 8). */
int fg_htab__init(struct fg_htab *t, size_t slots, size_t slot_size);
void fg_htab__release(struct fg_htab *t, size_t slot_size);
/* The slot count for live entries at half load (a power of two). */
size_t fg_htab__size_for(size_t live);

/*
 * FG_HTAB_DEFINE(name, slot_t, key_t, ctx_t) defines, for a table of
 * slot_t looked up by key_t with a context ctx_t (the caller's arrays, or
 * an unused pointer), the functions below. Before it the caller defines:
 *
 *   static inline bool name##_empty(const slot_t *s);  never used (zeroed)
 *   static inline bool name##_live(const slot_t *s);   holds an entry
 *   static inline bool name##_match(ctx_t c, const slot_t *s, uint64_t hash,
 *				     key_t k);		    s (live) holds k
 *   static inline uint64_t name##_hash(ctx_t c, const slot_t *s);
 *							    hash of a live s
 *
 * Generated:
 *   slot_t *name__find(const struct fg_htab *t, ctx_t c, uint64_t hash,
 *			key_t k);		the slot holding k, or NULL
 *   slot_t *name__lookup(struct fg_htab *t, ctx_t c, uint64_t hash, key_t k,
 *			  bool *found);		the slot holding k (*found
 *		true), else the empty slot where k goes: the caller fills it,
 *		then calls name__added
 *   slot_t *name__insert(struct fg_htab *t, ctx_t c, uint64_t hash, key_t k,
 *			  size_t live, bool *found);
 *		name__lookup, but an empty slot comes from a table with room
 *		for one more entry: past half load it is first rebuilt for
 *		live entries (fg_htab__size_for(live)). The caller fills a new
 *		slot and counts it (t->used++). NULL when it could not grow
 *   int name__added(struct fg_htab *t, ctx_t c, size_t live);
 *		counts the slot filled; grows (rehashing the live slots) past
 *		half load. 0, or -ENOMEM when the table could not grow (it stays
 *		valid, only fuller; slot pointers are stale after a growth)
 *   int name__rebuild(struct fg_htab *t, ctx_t c, size_t slots);
 *		rehashes the live slots into a table of slots (dropping
 *		tombstones); 0 or -ENOMEM (t unchanged)
 */
#define FG_HTAB_DEFINE(name, slot_t, key_t, ctx_t)			\
static inline __attribute__((unused)) slot_t *				\
name##__find(const struct fg_htab *t, ctx_t c, uint64_t hash, key_t k)	\
{									\
	slot_t *s = (slot_t *)t->slots;					\
	size_t i;							\
									\
	for (i = hash & t->mask; !name##_empty(&s[i]);			\
	     i = (i + 1) & t->mask)					\
		if (name##_live(&s[i]) && name##_match(c, &s[i], hash, k)) \
			return &s[i];					\
	return NULL;							\
}									\
									\
static inline __attribute__((unused)) slot_t *				\
name##__lookup(struct fg_htab *t, ctx_t c, uint64_t hash, key_t k,	\
	       bool *found)						\
{									\
	slot_t *s = (slot_t *)t->slots;					\
	size_t i;							\
									\
	for (i = hash & t->mask; !name##_empty(&s[i]);			\
	     i = (i + 1) & t->mask) {					\
		if (name##_live(&s[i]) && name##_match(c, &s[i], hash, k)) { \
			*found = true;					\
			return &s[i];					\
		}							\
	}								\
	*found = false;							\
	return &s[i];							\
}									\
									\
static __attribute__((unused, noinline)) int				\
name##__rebuild(struct fg_htab *t, ctx_t c, size_t slots)		\
{									\
	const slot_t *old = (const slot_t *)t->slots;			\
	struct fg_htab n;						\
	slot_t *ns;							\
	size_t i, j;							\
									\
	if (fg_htab__init(&n, slots, sizeof(slot_t)))			\
		return -ENOMEM;						\
	ns = (slot_t *)n.slots;						\
	for (i = 0; old && i <= t->mask; i++) {				\
		if (!name##_live(&old[i]))				\
			continue;					\
		for (j = name##_hash(c, &old[i]) & n.mask;		\
		     !name##_empty(&ns[j]); j = (j + 1) & n.mask)	\
			;						\
		ns[j] = old[i];						\
		n.used++;						\
	}								\
	fg_htab__release(t, sizeof(slot_t));				\
	*t = n;								\
	return 0;							\
}									\
									\
static inline __attribute__((unused)) slot_t *				\
name##__insert(struct fg_htab *t, ctx_t c, uint64_t hash, key_t k,	\
	       size_t live, bool *found)					\
{									\
	slot_t *s = name##__lookup(t, c, hash, k, found);		\
									\
	if (*found || (t->used + 1) * 2 <= t->mask + 1)			\
		return s;						\
	if (name##__rebuild(t, c, fg_htab__size_for(live)))		\
		return NULL;						\
	return name##__lookup(t, c, hash, k, found);			\
}									\
									\
static inline __attribute__((unused)) int				\
name##__added(struct fg_htab *t, ctx_t c, size_t live)			\
{									\
	if (++t->used * 2 <= t->mask + 1)				\
		return 0;						\
	return name##__rebuild(t, c, fg_htab__size_for(live));		\
}

/* ---- the general table: entries of any size, a compare callback ---- */

/*
 * An entry is entry_size bytes the caller lays out, the key inside it;
 * fg_hashmap__insert hands back a zeroed entry for a new key, which the
 * caller fills in. Removal leaves a tombstone, so removing while iterating
 * is safe.
 *
 * Ownership: the table owns the entry bytes, not what they point to (a
 * table of pointers frees nothing pointed to). Entry pointers from find,
 * insert and next stay valid until the next insert (which may move every
 * entry) or delete.
 */

/* true when entry holds key */
typedef bool (*fg_hashmap_eq_fn)(const void *entry, const void *key);

struct fg_hashmap;

/* eq for entries that begin with a uint64_t key (key: a uint64_t *) */
bool fg_hashmap__eq_u64(const void *entry, const void *key);

/* NULL (errno ENOMEM or EINVAL for a 0 entry_size or no eq). */
struct fg_hashmap *fg_hashmap__new(size_t entry_size, fg_hashmap_eq_fn eq);
/* Frees the table and its entries; NULL is a no-op. */
void fg_hashmap__delete(struct fg_hashmap *m);

/* The entry holding key, else NULL. */
void *fg_hashmap__find(const struct fg_hashmap *m, uint64_t hash,
		       const void *key);
/*
 * The entry holding key; if there was none, a new zeroed one (*added set
 * true when added is not NULL) for the caller to fill with key and value.
 * NULL with errno ENOMEM when the table could not grow.
 */
void *fg_hashmap__insert(struct fg_hashmap *m, uint64_t hash, const void *key,
			 bool *added);
/* 0, or -ENOENT when no entry holds key. */
int fg_hashmap__remove(struct fg_hashmap *m, uint64_t hash, const void *key);
/* Removes the entry from find/insert/next (a cheaper remove). */
void fg_hashmap__remove_entry(struct fg_hashmap *m, void *entry);
size_t fg_hashmap__count(const struct fg_hashmap *m);

/*
 * Iteration in table order (not insertion order: sort when order shows):
 * *iter starts at 0; NULL at the end.
 */
void *fg_hashmap__next(const struct fg_hashmap *m, size_t *iter);

#define fg_hashmap__for_each(m, e, iter) \
	for ((iter) = 0; ((e) = fg_hashmap__next((m), &(iter))) != NULL;)

#endif
