// SPDX-License-Identifier: GPL-2.0
/*
 * String interning: an open-addressing table of ids over an append-only
 * arena of NUL terminated copies. Ids are dense, in insertion order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
	uint32_t *slots;	/* id + 1, 0 = empty */
	uint32_t mask;
	struct chunk *chunks;
};

struct fg_strtab *fg_strtab__new(void)
{
	struct fg_strtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->mask = 1023;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	if (!t->slots) {
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
	free(t->slots);
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

static int rehash(struct fg_strtab *t)
{
	uint32_t nmask = t->mask * 2 + 1, i;
	uint32_t *ns = calloc((size_t)nmask + 1, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < t->count; i++) {
		uint32_t h = t->ents[i].hash32 & nmask;

		while (ns[h])
			h = (h + 1) & nmask;
		ns[h] = i + 1;
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	return 0;
}

static uint32_t lookup(const struct fg_strtab *t, const char *s, size_t len,
		       uint32_t h32, uint32_t *slot)
{
	uint32_t h = h32 & t->mask;

	for (;;) {
		uint32_t id = t->slots[h];
		const struct entry *e;

		if (!id) {
			*slot = h;
			return UINT32_MAX;
		}
		e = &t->ents[id - 1];
		if (e->hash32 == h32 && e->len == len && !memcmp(e->s, s, len))
			return id - 1;
		h = (h + 1) & t->mask;
	}
}

uint32_t fg_strtab__find(const struct fg_strtab *t, const char *s, size_t len)
{
	uint32_t slot;

	return lookup(t, s, len, (uint32_t)fg_hash_bytes(s, len), &slot);
}

uint32_t fg_strtab__intern(struct fg_strtab *t, const char *s, size_t len)
{
	uint32_t h32 = (uint32_t)fg_hash_bytes(s, len), slot, id;
	struct entry *e;

	if (len > UINT32_MAX - 1)
		return UINT32_MAX;
	id = lookup(t, s, len, h32, &slot);
	if (id != UINT32_MAX)
		return id;
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
	t->slots[slot] = ++t->count;
	/* a failed rehash leaves a valid, fuller table: keep going */
	if (t->count * 4 > (t->mask + 1) * 3)
		(void)rehash(t);
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
