// SPDX-License-Identifier: GPL-2.0
/*
 * The profile model (stack table): root node, trie children found by
 * (parent, name), parents before children, self weights per column,
 * totals and add counts, kept samples, paths, growth through many rehashes
 * and node reallocations with every child still found.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <flame/flame.h>

static uint32_t in(struct fg_profile *p, const char *s)
{
	uint32_t id = fg_profile__intern(p, s, strlen(s));

	assert_int_not_equal(id, UINT32_MAX);
	return id;
}

static void test_root(void **state)
{
	struct fg_profile *p = fg_profile__new();
	const struct fg_node *r;
	size_t nr = 99;

	(void)state;
	assert_non_null(p);
	assert_int_equal(fg_profile__nr_nodes(p), 1);
	r = fg_profile__node(p, FG_ROOT);
	assert_non_null(r);
	assert_int_equal(r->parent, FG_NO_NODE);
	assert_int_equal(r->depth, 0);
	assert_string_equal(fg_profile__name(p, r->name), "all");
	assert_null(fg_profile__node(p, 1));
	assert_int_equal(fg_profile__total(p, 0), 0);
	assert_int_equal(fg_profile__total(p, 1), 0);
	assert_int_equal(fg_profile__total(p, 2), 0);
	assert_int_equal(fg_profile__nr_stacks(p), 0);
	assert_false(fg_profile__keeps_samples(p));
	assert_null(fg_profile__samples(p, &nr));
	assert_int_equal(nr, 0);
	assert_int_equal(fg_profile__path(p, FG_ROOT, NULL, 0), 0);
	fg_profile__delete(p);
	fg_profile__delete(NULL);
}

static void test_children(void **state)
{
	struct fg_profile *p = fg_profile__new();
	uint32_t a = in(p, "a"), b = in(p, "b");
	uint32_t na, nab, nb, nba, nab2;

	(void)state;
	/* interning returns the same id and the root's "all" is shared */
	assert_int_equal(in(p, "a"), a);
	assert_int_equal(in(p, "all"), fg_profile__node(p, 0)->name);
	assert_int_equal(fg_profile__find_child(p, FG_ROOT, a), FG_NO_NODE);
	na = fg_profile__child(p, FG_ROOT, a);
	assert_int_equal(na, 1);
	assert_int_equal(fg_profile__child(p, FG_ROOT, a), 1);
	nab = fg_profile__child(p, na, b);
	nb = fg_profile__child(p, FG_ROOT, b);
	nba = fg_profile__child(p, nb, a);
	assert_int_equal(nab, 2);
	assert_int_equal(nb, 3);
	assert_int_equal(nba, 4);
	/* same name under different parents: different nodes */
	assert_int_not_equal(nab, nb);
	assert_int_equal(fg_profile__find_child(p, na, b), nab);
	assert_int_equal(fg_profile__find_child(p, nb, a), nba);
	assert_int_equal(fg_profile__find_child(p, nb, b), FG_NO_NODE);
	assert_int_equal(fg_profile__find_child(p, nab, a), FG_NO_NODE);
	assert_int_equal(fg_profile__node(p, nab)->parent, na);
	assert_int_equal(fg_profile__node(p, nab)->depth, 2);
	assert_int_equal(fg_profile__node(p, nba)->name, a);
	assert_int_equal(fg_profile__nr_nodes(p), 5);
	/* invalid parent or name: no node */
	nab2 = fg_profile__child(p, 1000, a);
	assert_int_equal(nab2, FG_NO_NODE);
	assert_int_equal(fg_profile__child(p, na, UINT32_MAX), FG_NO_NODE);
	assert_int_equal(fg_profile__nr_nodes(p), 5);
	/* a fresh child stays weightless */
	assert_int_equal(fg_profile__node(p, nab)->self[0], 0);
	assert_int_equal(fg_profile__node(p, nab)->self[1], 0);
	assert_int_equal(fg_profile__nr_stacks(p), 0);
	fg_profile__delete(p);
}

static void test_add_weights_and_columns(void **state)
{
	struct fg_profile *p = fg_profile__new();
	uint32_t m = in(p, "main"), f = in(p, "f"), g = in(p, "g");
	uint32_t s1[] = { m, f }, s2[] = { m, f, g }, s3[] = { m };
	uint32_t nf, nfg;

	(void)state;
	assert_int_equal(fg_profile__add(p, s1, 2, 3, 0), 0);
	assert_int_equal(fg_profile__add(p, s2, 3, 5, 0), 0);
	assert_int_equal(fg_profile__add(p, s1, 2, 4, 0), 0);
	fg_profile__set_column(p, 1);
	assert_int_equal(fg_profile__add(p, s2, 3, 10, 0), 0);
	assert_int_equal(fg_profile__add(p, s3, 1, 1, 0), 0);
	fg_profile__set_column(p, 7);	/* clamps to the last column */
	assert_int_equal(fg_profile__add(p, s3, 1, 2, 0), 0);
	fg_profile__set_column(p, 0);
	/* a zero weight still counts as an add */
	assert_int_equal(fg_profile__add(p, s3, 1, 0, 0), 0);

	nf = fg_profile__find_child(p, fg_profile__find_child(p, 0, m), f);
	nfg = fg_profile__find_child(p, nf, g);
	assert_int_equal(fg_profile__node(p, nf)->self[0], 7);
	assert_int_equal(fg_profile__node(p, nf)->self[1], 0);
	assert_int_equal(fg_profile__node(p, nfg)->self[0], 5);
	assert_int_equal(fg_profile__node(p, nfg)->self[1], 10);
	assert_int_equal(fg_profile__node(p, 1)->self[0], 0);
	assert_int_equal(fg_profile__node(p, 1)->self[1], 3);
	assert_int_equal(fg_profile__total(p, 0), 12);
	assert_int_equal(fg_profile__total(p, 1), 13);
	assert_int_equal(fg_profile__nr_adds(p, 0), 4);
	assert_int_equal(fg_profile__nr_adds(p, 1), 3);
	assert_int_equal(fg_profile__nr_adds(p, 2), 0);
	assert_int_equal(fg_profile__nr_stacks(p), 3);
	assert_int_equal(fg_profile__nr_nodes(p), 4);
	/* bad node: refused, nothing counted */
	assert_int_equal(fg_profile__add_node(p, 4, 1, 0), -EINVAL);
	assert_int_equal(fg_profile__add_node(p, FG_NO_NODE, 1, 0), -EINVAL);
	assert_int_equal(fg_profile__total(p, 0), 12);
	assert_int_equal(fg_profile__nr_adds(p, 0), 4);
	/* an empty stack weighs on the root itself */
	assert_int_equal(fg_profile__add(p, NULL, 0, 2, 0), 0);
	assert_int_equal(fg_profile__node(p, 0)->self[0], 2);
	assert_int_equal(fg_profile__total(p, 0), 14);
	/* the root is not a stack */
	assert_int_equal(fg_profile__nr_stacks(p), 3);
	/* a bad name id in the frames: -ENOMEM (no node), nothing added */
	s1[1] = UINT32_MAX;
	assert_int_equal(fg_profile__add(p, s1, 2, 1, 0), -ENOMEM);
	assert_int_equal(fg_profile__total(p, 0), 14);
	fg_profile__delete(p);
}

static void test_path(void **state)
{
	struct fg_profile *p = fg_profile__new();
	uint32_t ids[5], out[8], node = FG_ROOT;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		char s[2] = { (char)('a' + i), 0 };

		ids[i] = in(p, s);
		node = fg_profile__child(p, node, ids[i]);
	}
	assert_int_equal(fg_profile__path(p, node, NULL, 0), 5);
	memset(out, 0xff, sizeof(out));
	assert_int_equal(fg_profile__path(p, node, out, 8), 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(out[i], ids[i]);
	assert_int_equal(out[5], UINT32_MAX);	/* not written past depth */
	/* short buffer: the root-most frames, no overflow */
	memset(out, 0xff, sizeof(out));
	assert_int_equal(fg_profile__path(p, node, out, 2), 5);
	assert_int_equal(out[0], ids[0]);
	assert_int_equal(out[1], ids[1]);
	assert_int_equal(out[2], UINT32_MAX);
	assert_int_equal(fg_profile__path(p, 999, out, 8), 0);
	fg_profile__delete(p);
}

static void test_samples(void **state)
{
	struct fg_profile *p = fg_profile__new();
	uint32_t a = in(p, "a"), st[] = { a };
	const struct fg_sample *s;
	size_t nr, i;

	(void)state;
	/* not kept by default */
	assert_int_equal(fg_profile__add(p, st, 1, 1, 111), 0);
	s = fg_profile__samples(p, &nr);
	assert_int_equal(nr, 0);
	fg_profile__keep_samples(p, true);
	assert_true(fg_profile__keeps_samples(p));
	/* more than the first allocation (64k) */
	for (i = 0; i < 70000; i++) {
		fg_profile__set_column(p, i & 1);
		assert_int_equal(fg_profile__add(p, st, 1, i % 3, 1000 + i), 0);
	}
	s = fg_profile__samples(p, &nr);
	assert_int_equal(nr, 70000);
	for (i = 0; i < 70000; i += 6999) {
		assert_int_equal(s[i].time, 1000 + i);
		assert_int_equal(s[i].weight, i % 3);
		assert_int_equal(s[i].node, 1);
		assert_int_equal(s[i].col, i & 1);
	}
	assert_int_equal(s[69999].time, 1000 + 69999);
	assert_int_equal(fg_profile__nr_adds(p, 0), 35001);
	assert_int_equal(fg_profile__nr_adds(p, 1), 35000);
	fg_profile__delete(p);
}

#define N_WIDE 20000
#define DEEP 3000

static void test_growth(void **state)
{
	struct fg_profile *p = fg_profile__new();
	uint32_t *names = malloc(N_WIDE * sizeof(*names));
	uint32_t *nodes = malloc(N_WIDE * sizeof(*nodes));
	uint32_t node = FG_ROOT, i, deep_leaf;
	char s[32];

	(void)state;
	assert_non_null(names);
	assert_non_null(nodes);
	for (i = 0; i < N_WIDE; i++) {
		snprintf(s, sizeof(s), "f%u", i);
		names[i] = in(p, s);
	}
	/* wide: 20000 children of the root, each with one child */
	for (i = 0; i < N_WIDE; i++) {
		uint32_t n = fg_profile__child(p, FG_ROOT, names[i]);

		assert_int_not_equal(n, FG_NO_NODE);
		nodes[i] = fg_profile__child(p, n, names[(i + 1) % N_WIDE]);
		assert_int_equal(nodes[i], n + 1);
		assert_int_equal(fg_profile__add_node(p, nodes[i], i + 1, 0), 0);
	}
	/* deep: one 3000-frame stack */
	for (i = 0; i < DEEP; i++)
		node = fg_profile__child(p, node, names[i % 7]);
	deep_leaf = node;
	assert_int_equal(fg_profile__node(p, deep_leaf)->depth, DEEP);
	/* its first two frames (f0;f1) are the wide tree's nodes 1 and 2 */
	assert_int_equal(fg_profile__find_child(p, FG_ROOT, names[0]), 1);
	assert_int_equal(fg_profile__nr_nodes(p), 1 + 2 * N_WIDE + DEEP - 2);
	/* everything is still found after the rehashes and reallocs */
	for (i = 0; i < N_WIDE; i++) {
		uint32_t n = fg_profile__find_child(p, FG_ROOT, names[i]);

		assert_int_equal(fg_profile__find_child(p, n,
				 names[(i + 1) % N_WIDE]), nodes[i]);
		assert_int_equal(fg_profile__node(p, nodes[i])->self[0], i + 1);
		assert_true(fg_profile__node(p, nodes[i])->parent < nodes[i]);
	}
	/* parents always precede children */
	for (i = 1; i < fg_profile__nr_nodes(p); i++)
		assert_true(fg_profile__node(p, i)->parent < i);
	/* the child index freed (40k+ nodes, past the huge-page size) is
	 * rebuilt on the next lookup: same nodes, and new ones still added */
	fg_profile__drop_index(p);
	for (i = 0; i < N_WIDE; i += 97) {
		uint32_t n = fg_profile__find_child(p, FG_ROOT, names[i]);

		assert_int_equal(fg_profile__find_child(p, n,
				 names[(i + 1) % N_WIDE]), nodes[i]);
	}
	fg_profile__drop_index(p);
	i = fg_profile__nr_nodes(p);
	assert_int_equal(fg_profile__child(p, nodes[0], names[5]), i);
	assert_int_equal(fg_profile__child(p, nodes[0], names[5]), i);
	assert_int_equal(fg_profile__child(p, FG_ROOT, names[0]), 1);
	assert_int_equal(fg_profile__nr_nodes(p), i + 1);
	assert_int_equal(fg_profile__total(p, 0),
			 (uint64_t)N_WIDE * (N_WIDE + 1) / 2);
	assert_int_equal(fg_profile__nr_stacks(p), N_WIDE);
	free(names);
	free(nodes);
	fg_profile__delete(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_add_weights_and_columns),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
