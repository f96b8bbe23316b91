/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library's one hash table: open addressing with linear probing over
 * fixed-size entries stored in the table itself.
 *
 * The caller hashes the key (fg_hash64, fg_hash_bytes in internal.h) and
 * says how an entry is compared with a key (eq). An entry is entry_size
 * bytes the caller lays out, the key inside it; fg_hashmap__insert hands
 * back a zeroed entry for a new key, which the caller fills in. Removal
 * leaves a tombstone, so removing while iterating is safe.
 *
 * Ownership: the table owns the entry bytes, not what they point to (a
 * table of pointers frees nothing pointed to). Entry pointers from find,
 * insert and next stay valid until the next insert (which may move every
 * entry) or delete.
 *
 * Not for the hot paths (plugin/frames.c, lib/model/profile.c,
 * lib/input/collapse.c keep tables specialised for their keys).
 */
#ifndef FLAME_HASHMAP_H
#define FLAME_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
