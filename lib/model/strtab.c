// SPDX-License-Identifier: GPL-2.0
/*
 * String interning: the one hash table (fg_htab) of ids over an
 * append-only arena of NUL terminated copies. Ids are dense, in insertion
 * order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <flame/hashmap.h>

#define CHUNK_SIZE	(256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct entry {
	const char *s;
	uint32_t len;
	uint32_t hash32;
};

struct fg_strtab {
	struct entry *ents;	/* by id */
	uint32_t count, ents_alloc;
	struct fg_htab tab;	/* of uint32_t: id + 1, 0 = empty */
	struct chunk *chunks;
};

struct fg_strtab *fg_strtab__new(void)
{
	struct fg_strtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (fg_htab__init(&t->tab, 2048, sizeof(uint32_t))) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void fg_strtab__delete(struct fg_strtab *t)
{
	struct chunk *c, *n;

	if (!t)
		return;
	for (c = t->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	free(t->ents);
	fg_htab__release(&t->tab, sizeof(uint32_t));
	free(t);
}

static char *arena_copy(struct fg_strtab *t, const char *s, size_t len)
{
	struct chunk *c = t->chunks;
	char *p;

	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		/* big strings get their own chunk; keep filling the old one */
		if (t->chunks && size > CHUNK_SIZE) {
			c->next = t->chunks->next;
			t->chunks->next = c;
		} else {
			c->next = t->chunks;
			t->chunks = c;
		}
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

struct skey {
	const char *s;
	size_t len;
};

static inline bool stab_empty(const uint32_t *slot)
{
	return !*slot;
}

static inline bool stab_live(const uint32_t *slot)
{
	return *slot;
}

static inline bool stab_match(const struct fg_strtab *t, const uint32_t *slot,
			      uint64_t h, const struct skey *k)
{
	const struct entry *e = &t->ents[*slot - 1];

	return e->hash32 == (uint32_t)h && e->len == k->len &&
	       !memcmp(e->s, k->s, k->len);
}

static inline uint64_t stab_hash(const struct fg_strtab *t,
				 const uint32_t *slot)
{
	return t->ents[*slot - 1].hash32;
}

FG_HTAB_DEFINE(stab, uint32_t, const struct skey *, const struct fg_strtab *)

uint32_t fg_strtab__find(const struct fg_strtab *t, const char *s, size_t len)
{
	struct skey k = { s, len };
	const uint32_t *slot;

	slot = stab__find(&t->tab, t, (uint32_t)fg_hash_str(s, len), &k);
	return slot ? *slot - 1 : UINT32_MAX;
}

uint32_t fg_strtab__intern(struct fg_strtab *t, const char *s, size_t len)
{
	uint32_t h32 = (uint32_t)fg_hash_str(s, len);
	struct skey k = { s, len };
	struct entry *e;
	uint32_t *slot;
	bool found;

	if (len > UINT32_MAX - 1)
		return UINT32_MAX;
	slot = stab__lookup(&t->tab, t, h32, &k, &found);
	if (found)
		return *slot - 1;
	if (t->count == t->ents_alloc) {
		uint32_t n = t->ents_alloc ? t->ents_alloc * 2 : 1024;

		e = realloc(t->ents, (size_t)n * sizeof(*e));
		if (!e)
			return UINT32_MAX;
		t->ents = e;
		t->ents_alloc = n;
	}
	e = &t->ents[t->count];
	e->s = arena_copy(t, s, len);
	if (!e->s)
		return UINT32_MAX;
	e->len = len;
	e->hash32 = h32;
	*slot = ++t->count;
	/* a failed growth leaves a valid, fuller table: keep going */
	(void)stab__added(&t->tab, t, t->count);
	return t->count - 1;
}

const char *fg_strtab__str(const struct fg_strtab *t, uint32_t id)
{
	return id < t->count ? t->ents[id].s : NULL;
}

size_t fg_strtab__len(const struct fg_strtab *t, uint32_t id)
{
	return id < t->count ? t->ents[id].len : 0;
}

uint32_t fg_strtab__count(const struct fg_strtab *t)
{
	return t->count;
}
