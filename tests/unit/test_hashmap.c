// SPDX-License-Identifier: GPL-2.0
/*
 * fg_hashmap: insert/find/remove against a plain array as the reference,
 * through many growths; keys whose hashes collide (every key one hash);
 * tombstones reused and cleared by a rebuild at the same size; removal
 * while iterating; iteration visits each live entry once; new entries
 * come zeroed; wide (byte string) keys. The typed table (FG_HTAB_DEFINE)
 * the hot paths use: an index over a dense array, through growths, with
 * all keys in one chain, against a reference.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include <flame/hashmap.h>

struct ent {
	uint64_t key;
	uint64_t val;
};

static bool ent_eq(const void *e, const void *key)
{
	return ((const struct ent *)e)->key == *(const uint64_t *)key;
}

static struct ent *put(struct fg_hashmap *m, uint64_t h, uint64_t key,
		       uint64_t val)
{
	bool added;
	struct ent *e = fg_hashmap__insert(m, h, &key, &added);

	assert_non_null(e);
	if (added) {
		assert_int_equal(e->key, 0);
		assert_int_equal(e->val, 0);
		e->key = key;
	}
	e->val = val;
	return e;
}

static void test_new_delete(void **state)
{
	struct fg_hashmap *m = fg_hashmap__new(sizeof(struct ent), ent_eq);
	uint64_t k = 5;
	size_t it;

	(void)state;
	assert_non_null(m);
	assert_int_equal(fg_hashmap__count(m), 0);
	assert_null(fg_hashmap__find(m, fg_hash64(k), &k));
	assert_int_equal(fg_hashmap__remove(m, fg_hash64(k), &k), -ENOENT);
	it = 0;
	assert_null(fg_hashmap__next(m, &it));
	fg_hashmap__delete(m);
	fg_hashmap__delete(NULL);
	errno = 0;
	assert_null(fg_hashmap__new(0, ent_eq));
	assert_int_equal(errno, EINVAL);
	assert_null(fg_hashmap__new(8, NULL));
}

/* hash: 0 -> every key in one chain; 1 -> the real mix */
static void run_reference(int mix)
{
	enum { N = 5000 };
	struct fg_hashmap *m = fg_hashmap__new(sizeof(struct ent), ent_eq);
	static uint64_t ref[N];	/* 0: absent, else the value */
	uint64_t k, h, seed = 12345;
	size_t i, n = 0, it;
	struct ent *e;

	assert_non_null(m);
	memset(ref, 0, sizeof(ref));
	for (i = 0; i < (mix ? 60000u : 6000u); i++) {
		seed = fg_hash64(seed + i);
		k = seed % N;
		h = mix ? fg_hash64(k) : 42;
		switch (seed >> 62) {
		case 0: case 1:
			put(m, h, k, i + 1);
			n += !ref[k];
			ref[k] = i + 1;
			break;
		case 2:
			assert_int_equal(fg_hashmap__remove(m, h, &k),
					 ref[k] ? 0 : -ENOENT);
			n -= !!ref[k];
			ref[k] = 0;
			break;
		default:
			e = fg_hashmap__find(m, h, &k);
			if (ref[k]) {
				assert_non_null(e);
				assert_int_equal(e->val, ref[k]);
			} else {
				assert_null(e);
			}
		}
		assert_int_equal(fg_hashmap__count(m), n);
	}
	for (k = 0; k < N; k++) {
		e = fg_hashmap__find(m, mix ? fg_hash64(k) : 42, &k);
		if (ref[k]) {
			assert_non_null(e);
			assert_int_equal(e->val, ref[k]);
			ref[k] = 0;
		} else {
			assert_null(e);
		}
	}
	/* iteration: each live entry once (ref[] now all 0: mark seen) */
	i = 0;
	fg_hashmap__for_each(m, e, it) {
		assert_int_equal(ref[e->key], 0);
		ref[e->key] = 1;
		i++;
	}
	assert_int_equal(i, n);
	fg_hashmap__delete(m);
}

static void test_against_array(void **state)
{
	(void)state;
	run_reference(1);
}

static void test_one_chain(void **state)
{
	(void)state;
	run_reference(0);
}

/* Inserting and removing one key at a time leaves only tombstones: the
 * table must rebuild in place, not grow without end, and keep finding. */
static void test_tombstones(void **state)
{
	struct fg_hashmap *m = fg_hashmap__new(sizeof(struct ent), ent_eq);
	uint64_t k, keep = 7;
	size_t it, n;
	struct ent *e;

	(void)state;
	put(m, fg_hash64(keep), keep, 70);
	for (k = 100; k < 100100; k++) {
		put(m, fg_hash64(k), k, k);
		assert_int_equal(fg_hashmap__remove(m, fg_hash64(k), &k), 0);
		assert_null(fg_hashmap__find(m, fg_hash64(k), &k));
	}
	e = fg_hashmap__find(m, fg_hash64(keep), &keep);
	assert_non_null(e);
	assert_int_equal(e->val, 70);
	assert_int_equal(fg_hashmap__count(m), 1);
	/* the slot array stayed small: iteration ends within 64 slots */
	n = 0;
	fg_hashmap__for_each(m, e, it)
		n++;
	assert_int_equal(n, 1);
	assert_true(it <= 64);
	fg_hashmap__delete(m);
}

static void test_remove_while_iterating(void **state)
{
	struct fg_hashmap *m = fg_hashmap__new(sizeof(struct ent), ent_eq);
	uint64_t k;
	size_t it, seen = 0;
	struct ent *e;

	(void)state;
	for (k = 1; k <= 1000; k++)
		put(m, fg_hash64(k), k, k);
	fg_hashmap__for_each(m, e, it) {
		seen++;
		if (e->key % 2)
			fg_hashmap__remove_entry(m, e);
	}
	assert_int_equal(seen, 1000);
	assert_int_equal(fg_hashmap__count(m), 500);
	for (k = 1; k <= 1000; k++) {
		e = fg_hashmap__find(m, fg_hash64(k), &k);
		if (k % 2)
			assert_null(e);
		else
			assert_int_equal(e->val, k);
	}
	fg_hashmap__delete(m);
}

struct sent {
	char name[24];
	int n;
};

static bool sent_eq(const void *e, const void *key)
{
	return !strcmp(((const struct sent *)e)->name, key);
}

static void test_string_keys(void **state)
{
	static const char *const w[] = { "main", "mai", "", "main ", "x" };
	struct fg_hashmap *m = fg_hashmap__new(sizeof(struct sent), sent_eq);
	struct sent *e;
	size_t i, r;

	(void)state;
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 5; i++) {
			bool added;

			e = fg_hashmap__insert(m, fg_hash_bytes(w[i], strlen(w[i])),
					       w[i], &added);
			assert_non_null(e);
			assert_int_equal(added, r == 0);
			if (added)
				strcpy(e->name, w[i]);
			e->n++;
		}
	}
	assert_int_equal(fg_hashmap__count(m), 5);
	for (i = 0; i < 5; i++) {
		e = fg_hashmap__find(m, fg_hash_bytes(w[i], strlen(w[i])), w[i]);
		assert_non_null(e);
		assert_string_equal(e->name, w[i]);
		assert_int_equal(e->n, 3);
	}
	assert_null(fg_hashmap__find(m, fg_hash_bytes("ma", 2), "ma"));
	fg_hashmap__delete(m);
}

/* ---- FG_HTAB_DEFINE: slots holding an index into a dense key array ---- */

struct kv {
	uint64_t key, val, hash;
};

struct kvs {
	struct kv *a;
	size_t n;
};

static inline bool kx_empty(const uint32_t *s)
{
	return !*s;
}

static inline bool kx_live(const uint32_t *s)
{
	return *s;
}

static inline bool kx_match(const struct kvs *c, const uint32_t *s,
			    uint64_t h, uint64_t k)
{
	return c->a[*s - 1].hash == h && c->a[*s - 1].key == k;
}

static inline uint64_t kx_hash(const struct kvs *c, const uint32_t *s)
{
	return c->a[*s - 1].hash;
}

FG_HTAB_DEFINE(kx, uint32_t, uint64_t, const struct kvs *)

static void run_htab(int mix)
{
	enum { N = 20000 };
	struct fg_htab t;
	struct kvs c = { calloc(N, sizeof(struct kv)), 0 };
	uint64_t k;
	size_t i, live = 0;

	assert_non_null(c.a);
	assert_int_equal(fg_htab__init(&t, 5, sizeof(uint32_t)), 0);
	assert_int_equal(t.mask + 1, 8);
	for (k = 1; k <= N; k++) {
		uint64_t h = mix ? fg_hash64(k) : 42;
		uint32_t *s;
		bool found;

		if (mix == 0 && k > 2000)
			break;
		assert_null(kx__find(&t, &c, h, k));
		s = kx__lookup(&t, &c, h, k, &found);
		assert_false(found);
		assert_int_equal(*s, 0);
		c.a[c.n] = (struct kv){ k, k * 3, h };
		*s = ++c.n;
		assert_int_equal(kx__added(&t, &c, c.n), 0);
		live++;
		/* at most half full, and every earlier key still found */
		assert_true(t.used * 2 <= t.mask + 1);
		if (k % 997 == 0)
			for (i = 0; i < c.n; i++) {
				const uint32_t *f = kx__find(&t, &c, c.a[i].hash,
							     c.a[i].key);

				assert_non_null(f);
				assert_int_equal(c.a[*f - 1].val, c.a[i].key * 3);
			}
	}
	assert_int_equal(t.used, live);
	/* a key already in: lookup finds it and adds nothing */
	{
		bool found;
		uint32_t *s = kx__lookup(&t, &c, mix ? fg_hash64(1) : 42, 1, &found);

		assert_true(found);
		assert_int_equal(c.a[*s - 1].key, 1);
	}
	/* rebuild at a bigger size keeps every key */
	assert_int_equal(kx__rebuild(&t, &c, 4 * (t.mask + 1)), 0);
	for (i = 0; i < c.n; i++)
		assert_non_null(kx__find(&t, &c, c.a[i].hash, c.a[i].key));
	assert_null(kx__find(&t, &c, fg_hash64(N + 5), N + 5));
	fg_htab__release(&t, sizeof(uint32_t));
	fg_htab__release(&t, sizeof(uint32_t));
	free(c.a);
}

static void test_htab(void **state)
{
	(void)state;
	run_htab(1);
	run_htab(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_delete),
		cmocka_unit_test(test_against_array),
		cmocka_unit_test(test_one_chain),
		cmocka_unit_test(test_tombstones),
		cmocka_unit_test(test_htab),
		cmocka_unit_test(test_remove_while_iterating),
		cmocka_unit_test(test_string_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
