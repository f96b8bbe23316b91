// SPDX-License-Identifier: GPL-2.0
/*
 * fg_strtab: dense ids in insertion order, dedup, embedded NULs, empty
 * strings, lookups without insert, growth through many rehashes with every
 * id still found, strings larger than an arena chunk, stable pointers.
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

static void test_new_delete(void **state)
{
	struct fg_strtab *t = fg_strtab__new();

	(void)state;
	assert_non_null(t);
	assert_int_equal(fg_strtab__count(t), 0);
	assert_null(fg_strtab__str(t, 0));
	assert_int_equal(fg_strtab__len(t, 0), 0);
	assert_int_equal(fg_strtab__find(t, "x", 1), UINT32_MAX);
	fg_strtab__delete(t);
	fg_strtab__delete(NULL);	/* no-op */
}

static void test_dense_ids_and_dedup(void **state)
{
	struct fg_strtab *t = fg_strtab__new();

	(void)state;
	assert_int_equal(fg_strtab__intern(t, "main", 4), 0);
	assert_int_equal(fg_strtab__intern(t, "foo", 3), 1);
	assert_int_equal(fg_strtab__intern(t, "main", 4), 0);
	/* a prefix is a different string */
	assert_int_equal(fg_strtab__intern(t, "mai", 3), 2);
	/* length, not NUL, delimits: "mainX" cut at 4 is "main" */
	assert_int_equal(fg_strtab__intern(t, "mainX", 4), 0);
	assert_int_equal(fg_strtab__count(t), 3);
	assert_string_equal(fg_strtab__str(t, 0), "main");
	assert_string_equal(fg_strtab__str(t, 1), "foo");
	assert_string_equal(fg_strtab__str(t, 2), "mai");
	assert_int_equal(fg_strtab__len(t, 2), 3);
	assert_null(fg_strtab__str(t, 3));
	assert_null(fg_strtab__str(t, UINT32_MAX));
	assert_int_equal(fg_strtab__find(t, "foo", 3), 1);
	assert_int_equal(fg_strtab__find(t, "fo", 2), UINT32_MAX);
	/* find never inserts */
	assert_int_equal(fg_strtab__count(t), 3);
	fg_strtab__delete(t);
}

static void test_empty_and_embedded_nul(void **state)
{
	struct fg_strtab *t = fg_strtab__new();
	static const char a[] = { 'x', '\0', 'y' };
	static const char b[] = { 'x', '\0', 'z' };
	uint32_t e, ia, ib;

	(void)state;
	e = fg_strtab__intern(t, "", 0);
	assert_int_equal(e, 0);
	assert_string_equal(fg_strtab__str(t, e), "");
	assert_int_equal(fg_strtab__len(t, e), 0);
	assert_int_equal(fg_strtab__intern(t, "", 0), 0);
	ia = fg_strtab__intern(t, a, 3);
	ib = fg_strtab__intern(t, b, 3);
	assert_int_equal(ia, 1);
	assert_int_equal(ib, 2);
	assert_int_equal(fg_strtab__len(t, ia), 3);
	assert_memory_equal(fg_strtab__str(t, ia), a, 3);
	assert_int_equal(fg_strtab__str(t, ia)[3], '\0');
	/* "x" alone is neither */
	assert_int_equal(fg_strtab__find(t, "x", 1), UINT32_MAX);
	assert_int_equal(fg_strtab__find(t, b, 3), 2);
	fg_strtab__delete(t);
}

#define MANY 100000

static void test_growth_keeps_everything(void **state)
{
	struct fg_strtab *t = fg_strtab__new();
	const char **ptrs = calloc(MANY, sizeof(*ptrs));
	char s[32];
	uint32_t i;

	(void)state;
	assert_non_null(ptrs);
	/* 100k strings: several rehashes (table starts at 1024 slots) and
	 * several 256 KiB arena chunks */
	for (i = 0; i < MANY; i++) {
		int n = snprintf(s, sizeof(s), "sym_%u", i * 7919u);

		assert_int_equal(fg_strtab__intern(t, s, n), i);
		ptrs[i] = fg_strtab__str(t, i);
	}
	assert_int_equal(fg_strtab__count(t), MANY);
	for (i = 0; i < MANY; i++) {
		int n = snprintf(s, sizeof(s), "sym_%u", i * 7919u);

		assert_int_equal(fg_strtab__find(t, s, n), i);
		assert_int_equal(fg_strtab__intern(t, s, n), i);
		/* pointers handed out earlier stay valid and unchanged */
		assert_ptr_equal(fg_strtab__str(t, i), ptrs[i]);
		assert_string_equal(ptrs[i], s);
		assert_int_equal(fg_strtab__len(t, i), (size_t)n);
	}
	assert_int_equal(fg_strtab__count(t), MANY);
	assert_int_equal(fg_strtab__find(t, "sym_1", 5), UINT32_MAX);
	free(ptrs);
	fg_strtab__delete(t);
}

static void test_huge_strings(void **state)
{
	struct fg_strtab *t = fg_strtab__new();
	size_t big = 300 * 1024;	/* larger than one arena chunk */
	char *s = malloc(big);
	const char *small_p;

	(void)state;
	assert_non_null(s);
	memset(s, 'A', big);
	small_p = fg_strtab__str(t, fg_strtab__intern(t, "before", 6));
	assert_int_equal(fg_strtab__intern(t, s, big), 1);
	s[big - 1] = 'B';
	assert_int_equal(fg_strtab__intern(t, s, big), 2);
	/* small strings after the big ones still land and stay readable */
	assert_int_equal(fg_strtab__intern(t, "after", 5), 3);
	assert_int_equal(fg_strtab__len(t, 1), big);
	assert_int_equal(fg_strtab__str(t, 1)[big - 1], 'A');
	assert_int_equal(fg_strtab__str(t, 2)[big - 1], 'B');
	assert_int_equal(fg_strtab__str(t, 2)[big], '\0');
	assert_int_equal(strlen(fg_strtab__str(t, 2)), big);
	assert_string_equal(fg_strtab__str(t, 0), "before");
	assert_ptr_equal(fg_strtab__str(t, 0), small_p);
	assert_string_equal(fg_strtab__str(t, 3), "after");
	assert_int_equal(fg_strtab__find(t, s, big), 2);
	free(s);
	fg_strtab__delete(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_delete),
		cmocka_unit_test(test_dense_ids_and_dedup),
		cmocka_unit_test(test_empty_and_embedded_nul),
		cmocka_unit_test(test_growth_keeps_everything),
		cmocka_unit_test(test_huge_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
