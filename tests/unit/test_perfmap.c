// SPDX-License-Identifier: GPL-2.0
/* Strict perf-map parser and index (lib/names/perfmap.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "jit_internal.h"

static int parse(const char *line, uint64_t *start, uint64_t *size,
		 char *name, size_t cap)
{
	const char *n;
	size_t len;
	int err = fg_perfmap__parse_line(line, strlen(line), start, size, &n,
					 &len);

	if (!err)
		snprintf(name, cap, "%.*s", (int)len, n);
	return err;
}

static void test_grammar_ok(void **state)
{
	uint64_t s, z;
	char name[256];

	assert_int_equal(parse("7f00aa 10 JS:*foo /a.js:1:2", &s, &z, name,
			       sizeof(name)), 0);
	assert_int_equal(s, 0x7f00aa);
	assert_int_equal(z, 0x10);
	assert_string_equal(name, "JS:*foo /a.js:1:2");
	/* CR stripped, upper case hex, leading space in the name kept */
	assert_int_equal(parse("ABCDEF 1F  x\r", &s, &z, name, sizeof(name)), 0);
	assert_int_equal(s, 0xabcdef);
	assert_int_equal(z, 0x1f);
	assert_string_equal(name, " x");
	assert_int_equal(parse("ffffffffffffffff 1 <b>\"'\x01\xff", &s, &z,
			       name, sizeof(name)), -EINVAL); /* overflow */
	assert_int_equal(parse("fffffffffffffffe 1 last", &s, &z, name,
			       sizeof(name)), 0);
}

static void test_grammar_rejects(void **state)
{
	static const char *const bad[] = {
		"", "\r", "10", "10 20", "10 20 ", "0x10 20 a", "10 0x20 a",
		"-10 20 a", "+10 20 a", "10 -20 a", " 10 20 a", "10  20 a",
		"10\t20 a", "g0 20 a", "10 0 a", "10 00 a",
		"10000000000000000 1 a",		/* 17 digits */
		"1 10000000000000000 a",
		"ffffffffffffffff 2 a",			/* start + size overflows */
		"10 20\ta",
	};
	uint64_t s, z;
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &s, &z, name, sizeof(name)) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_nul_and_long(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	struct fg_perfmap_stats st = { 0 };
	static const char data[] = "10 10 a\0b\n20 10 ok\n30 10 tail";
	char *big;
	size_t n = 300000;

	assert_non_null(m);
	assert_int_equal(fg_perfmap__load(m, data, sizeof(data) - 1, &st), 0);
	assert_int_equal(st.lines, 2);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.first_bad, 1);
	assert_true(st.partial_line);
	/* a 300k-character line */
	big = malloc(n + 32);
	assert_non_null(big);
	memcpy(big, "40 10 ", 6);
	memset(big + 6, 'x', n);
	memcpy(big + 6 + n, "\n50 10 after\n", 13);
	assert_int_equal(fg_perfmap__load(m, big, n + 19, &st), 0);
	assert_int_equal(st.too_long, 1);
	assert_int_equal(st.bad, 2);
	assert_int_equal(st.entries, 2);
	assert_int_equal(fg_perfmap__finish(m), 0);
	assert_string_equal(fg_perfmap__lookup(m, 0x25), "ok");
	assert_string_equal(fg_perfmap__lookup(m, 0x5f), "after");
	assert_null(fg_perfmap__lookup(m, 0x45));
	assert_null(fg_perfmap__lookup(m, 0x15));
	assert_null(fg_perfmap__lookup(m, 0x35));	/* partial line */
	free(big);
	fg_perfmap__delete(m);
}

static void test_lookup_bounds(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	struct fg_perfmap_stats st = { 0 };
	static const char data[] = "1000 100 a\n1100 100 b\n2000 1 c\n";

	assert_int_equal(fg_perfmap__load(m, data, sizeof(data) - 1, &st), 0);
	assert_int_equal(fg_perfmap__finish(m), 0);
	assert_null(fg_perfmap__lookup(m, 0xfff));
	assert_string_equal(fg_perfmap__lookup(m, 0x1000), "a");
	assert_string_equal(fg_perfmap__lookup(m, 0x10ff), "a");
	assert_string_equal(fg_perfmap__lookup(m, 0x1100), "b");
	assert_null(fg_perfmap__lookup(m, 0x1200));
	assert_string_equal(fg_perfmap__lookup(m, 0x2000), "c");
	assert_null(fg_perfmap__lookup(m, 0x2001));
	assert_null(fg_perfmap__lookup(m, UINT64_MAX));
	fg_perfmap__delete(m);
	fg_perfmap__delete(NULL);
}

/* The later entry wins where entries overlap; earlier ones keep the rest. */
static void test_overlap_latest_wins(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	struct fg_perfmap_stats st = { 0 };
	static const char data[] =
		"1000 1000 old\n"	/* 1000..2000 */
		"1400 200 mid\n"	/* 1400..1600 */
		"1500 800 new\n"	/* 1500..1d00 */
		"3000 10 x\n"
		"3000 10 y\n";		/* duplicate: y */

	assert_int_equal(fg_perfmap__load(m, data, sizeof(data) - 1, &st), 0);
	assert_int_equal(fg_perfmap__finish(m), 0);
	assert_string_equal(fg_perfmap__lookup(m, 0x1000), "old");
	assert_string_equal(fg_perfmap__lookup(m, 0x13ff), "old");
	assert_string_equal(fg_perfmap__lookup(m, 0x1400), "mid");
	assert_string_equal(fg_perfmap__lookup(m, 0x14ff), "mid");
	assert_string_equal(fg_perfmap__lookup(m, 0x1500), "new");
	assert_string_equal(fg_perfmap__lookup(m, 0x1cff), "new");
	assert_string_equal(fg_perfmap__lookup(m, 0x1d00), "old");
	assert_string_equal(fg_perfmap__lookup(m, 0x1fff), "old");
	assert_null(fg_perfmap__lookup(m, 0x2000));
	assert_string_equal(fg_perfmap__lookup(m, 0x3005), "y");
	fg_perfmap__delete(m);
}

/* Brute force against a reference on random overlapping entries. */
static void test_overlap_random(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	enum { N = 400, SPACE = 5000 };
	uint64_t st_[N], sz[N];
	char name[32];
	int i, a, want;

	srand(42);
	for (i = 0; i < N; i++) {
		st_[i] = (uint64_t)(rand() % SPACE);
		sz[i] = (uint64_t)(1 + rand() % 200);
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(fg_perfmap__add(m, st_[i], sz[i], name,
						 strlen(name)), 0);
	}
	assert_int_equal(fg_perfmap__finish(m), 0);
	for (a = 0; a < SPACE + 300; a++) {
		const char *got = fg_perfmap__lookup(m, (uint64_t)a);

		want = -1;
		for (i = 0; i < N; i++)
			if ((uint64_t)a >= st_[i] && (uint64_t)a < st_[i] + sz[i])
				want = i;
		if (want < 0) {
			assert_null(got);
		} else {
			snprintf(name, sizeof(name), "f%d", want);
			assert_non_null(got);
			assert_string_equal(got, name);
		}
	}
	fg_perfmap__delete(m);
}

/* A million entries: parsed, indexed, memory proportional. */
static void test_million(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	struct fg_perfmap_stats st = { 0 };
	struct fg_buf b = FG_BUF_INIT;
	uint64_t i;

	for (i = 0; i < 1000000; i++)
		fg_buf__addf(&b, "%llx 10 fn%llu\n",
			     (unsigned long long)(0x100000 + i * 0x10),
			     (unsigned long long)i);
	assert_int_equal(fg_perfmap__load(m, b.buf, b.len, &st), 0);
	assert_int_equal(st.entries, 1000000);
	assert_int_equal(fg_perfmap__finish(m), 0);
	assert_string_equal(fg_perfmap__lookup(m, 0x100000 + 777777 * 0x10 + 3),
			    "fn777777");
	assert_true(fg_perfmap__mem(m) < 80u << 20);
	fg_buf__release(&b);
	fg_perfmap__delete(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar_ok),
		cmocka_unit_test(test_grammar_rejects),
		cmocka_unit_test(test_nul_and_long),
		cmocka_unit_test(test_lookup_bounds),
		cmocka_unit_test(test_overlap_latest_wins),
		cmocka_unit_test(test_overlap_random),
		cmocka_unit_test(test_million),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
