// SPDX-License-Identifier: GPL-2.0
/*
 * fg_buf: growth, NUL termination, binary data, printf across the growth
 * boundary, reset/release, write to a FILE, and streaming through a flush
 * hook; fg_grow / fg_reserve, the arrays' growth rule.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <flame/flame.h>
#include <flame/mem.h>

static void test_init_is_empty(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	(void)state;
	assert_null(b.buf);
	assert_int_equal(b.len, 0);
	/* reset and release on a never-used buffer are no-ops */
	fg_buf__reset(&b);
	assert_null(b.buf);
	fg_buf__release(&b);
	assert_null(b.buf);
	assert_int_equal(b.alloc, 0);
}

static void test_add_and_nul(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	(void)state;
	assert_int_equal(fg_buf__adds(&b, "abc"), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.buf, "abc");
	assert_true(b.alloc > b.len);
	assert_int_equal(fg_buf__addch(&b, ';'), 0);
	assert_int_equal(fg_buf__add(&b, "defXX", 3), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.buf, "abc;def");
	/* empty add on a used buffer keeps content and NUL */
	assert_int_equal(fg_buf__add(&b, "", 0), 0);
	assert_int_equal(b.len, 7);
	assert_int_equal(b.buf[7], '\0');
	fg_buf__release(&b);
	assert_null(b.buf);
	assert_int_equal(b.len, 0);
}

static void test_empty_add_allocates(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	(void)state;
	/* adding nothing still yields a usable "" (documented: NUL once used) */
	assert_int_equal(fg_buf__add(&b, "", 0), 0);
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	fg_buf__release(&b);
}

static void test_binary_with_nul(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	static const char bin[] = { 'a', '\0', 'b', '\0', 'c' };

	(void)state;
	assert_int_equal(fg_buf__add(&b, bin, sizeof(bin)), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.buf, bin, 5);
	assert_int_equal(b.buf[5], '\0');
	fg_buf__release(&b);
}

static void test_addch_growth(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	size_t i;

	(void)state;
	/* one byte at a time across many growth steps */
	for (i = 0; i < 10000; i++)
		assert_int_equal(fg_buf__addch(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_true(b.alloc >= 10001);
	assert_int_equal(strlen(b.buf), 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(b.buf[i], 'a' + i % 26);
	fg_buf__release(&b);
}

static void test_addf_small_and_large(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	char *big;
	size_t i;

	(void)state;
	assert_int_equal(fg_buf__addf(&b, "%s %d %llu", "x", -7,
				      18446744073709551615ULL), 0);
	assert_string_equal(b.buf, "x -7 18446744073709551615");
	assert_int_equal(b.len, strlen("x -7 18446744073709551615"));

	/* an expansion much larger than the free room: second vsnprintf */
	big = malloc(5001);
	assert_non_null(big);
	memset(big, 'q', 5000);
	big[5000] = '\0';
	assert_int_equal(fg_buf__addf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 25 + 5002);
	assert_int_equal(strlen(b.buf), b.len);
	assert_memory_equal(b.buf, "x -7 18446744073709551615[qq", 28);
	assert_int_equal(b.buf[b.len - 1], ']');
	for (i = 26; i < 26 + 5000; i++)
		assert_int_equal(b.buf[i], 'q');
	free(big);
	fg_buf__release(&b);
}

static void test_addf_exact_room(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	size_t room, n;
	char *fill;

	(void)state;
	/* leave exactly k bytes of room for k-length, k+1 and k-1 output */
	for (n = 0; n < 3; n++) {
		size_t k;

		assert_int_equal(fg_buf__adds(&b, "seed"), 0);
		assert_int_equal(fg_buf__grow(&b, 64), 0);
		room = b.alloc - b.len;	/* includes the NUL's byte */
		k = room - 2 + n;	/* room-2, room-1, room chars */
		fill = malloc(k + 1);
		assert_non_null(fill);
		memset(fill, 'z', k);
		fill[k] = '\0';
		assert_int_equal(fg_buf__addf(&b, "%s", fill), 0);
		assert_int_equal(b.len, 4 + k);
		assert_int_equal(strlen(b.buf), 4 + k);
		assert_memory_equal(b.buf, "seed", 4);
		assert_int_equal(b.buf[b.len - 1], 'z');
		free(fill);
		fg_buf__release(&b);
	}
}

static void test_reset_keeps_storage(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	char *p;
	size_t alloc;

	(void)state;
	assert_int_equal(fg_buf__adds(&b, "hello world"), 0);
	p = b.buf;
	alloc = b.alloc;
	fg_buf__reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.buf, p);
	assert_int_equal(b.alloc, alloc);
	assert_string_equal(b.buf, "");
	assert_int_equal(fg_buf__adds(&b, "x"), 0);
	assert_string_equal(b.buf, "x");
	fg_buf__release(&b);
}

static void test_grow_overflow(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	(void)state;
	assert_int_equal(fg_buf__adds(&b, "ab"), 0);
	/* len + extra + 1 wraps: must fail, not allocate a tiny block */
	assert_int_equal(fg_buf__grow(&b, SIZE_MAX - 1), -ENOMEM);
	assert_int_equal(fg_buf__grow(&b, SIZE_MAX), -ENOMEM);
	/* no wrap, but the geometric growth would overflow: must end with
	 * -ENOMEM (the allocation fails), not loop forever */
	assert_int_equal(fg_buf__grow(&b, SIZE_MAX / 2), -ENOMEM);
	assert_int_equal(fg_buf__grow(&b, SIZE_MAX / 4 * 3), -ENOMEM);
	assert_string_equal(b.buf, "ab");
	assert_int_equal(b.len, 2);
	fg_buf__release(&b);
}

/*
 * fg_grow / fg_reserve, the arrays' growth rule: min the first time, then
 * doubling until the request fits; contents kept; a request that cannot be
 * met (size overflow) leaves the array and its size as they were.
 */
static void test_reserve(void **state)
{
	uint64_t *v = NULL;
	size_t alloc = 0, i;

	(void)state;
	assert_int_equal(fg_grow(&v, &alloc, 0, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 16);
	for (i = 0; i < 16; i++)
		v[i] = i;
	assert_int_equal(fg_grow(&v, &alloc, 15, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 16);		/* still room */
	assert_int_equal(fg_grow(&v, &alloc, 16, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 32);
	assert_int_equal(fg_reserve(&v, &alloc, 32, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 32);
	assert_int_equal(fg_reserve(&v, &alloc, 33, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 64);
	assert_int_equal(fg_reserve(&v, &alloc, 1000, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 1024);		/* doubled until it fits */
	for (i = 0; i < 16; i++)
		assert_int_equal(v[i], i);
	assert_int_equal(fg_reserve(&v, &alloc, SIZE_MAX / 4, sizeof(*v), 16),
			 -ENOMEM);
	assert_int_equal(fg_reserve(&v, &alloc, SIZE_MAX, sizeof(*v), 16),
			 -ENOMEM);
	assert_int_equal(alloc, 1024);
	assert_int_equal(v[15], 15);
	free(v);
	v = NULL;
	alloc = 0;
	assert_int_equal(fg_reserve(&v, &alloc, 100, sizeof(*v), 16), 0);
	assert_int_equal(alloc, 128);		/* from min */
	free(v);
}

/* fg_mem__grow, the same rule for big tables (fg_mem, zeroed growth) */
static void test_mem_grow(void **state)
{
	uint32_t *t = NULL, alloc = 0, nr;

	(void)state;
	for (nr = 0; nr < 5000; nr++) {
		assert_int_equal(fg_mem__grow(&t, &alloc, nr, sizeof(*t), 1024), 0);
		assert_true(alloc > nr);
		t[nr] = nr;
	}
	assert_int_equal(alloc, 8192);
	for (nr = 0; nr < 5000; nr++)
		assert_int_equal(t[nr], nr);
	assert_int_equal(t[5000], 0);		/* zeroed */
	fg_mem__free(t, (size_t)alloc * sizeof(*t));
}

/* a streaming buffer's sink: appends what it is handed to another buffer */
static int sink_flush(struct fg_buf *b)
{
	struct fg_buf *all = b->flush_arg;
	int err = fg_buf__add(all, b->buf, b->len);

	b->len = 0;
	return err;
}

static int sink_fail(struct fg_buf *b)
{
	return -ENOSPC;
}

/*
 * With a flush hook, a full buffer hands its bytes over instead of
 * growing: adds, addch and addf (also one that does not fit the room
 * left) come out whole and in order, and the buffer keeps its size.
 */
static void test_flush_streams(void **state)
{
	struct fg_buf b = FG_BUF_INIT, all = FG_BUF_INIT, want = FG_BUF_INIT;
	char big[300];
	size_t alloc;
	int i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(fg_buf__grow(&b, 100), 0);
	alloc = b.alloc;
	b.flush = sink_flush;
	b.flush_arg = &all;
	for (i = 0; i < 200; i++) {
		assert_int_equal(fg_buf__adds(&b, "frame;"), 0);
		assert_int_equal(fg_buf__adds(&want, "frame;"), 0);
		assert_int_equal(fg_buf__addch(&b, 'a' + i % 26), 0);
		assert_int_equal(fg_buf__addch(&want, 'a' + i % 26), 0);
		assert_int_equal(fg_buf__addf(&b, " %d\n", i * 7919), 0);
		assert_int_equal(fg_buf__addf(&want, " %d\n", i * 7919), 0);
	}
	/* longer than the whole buffer: it grows once, after a flush */
	assert_int_equal(fg_buf__addf(&b, "%s", big), 0);
	assert_int_equal(fg_buf__addf(&want, "%s", big), 0);
	assert_true(alloc < 200 * 10);
	assert_int_equal(sink_flush(&b), 0);
	assert_int_equal(all.len, want.len);
	assert_memory_equal(all.buf, want.buf, want.len);
	/* a flush that fails is the add's error; the bytes are not lost */
	b.flush = sink_fail;
	fg_buf__reset(&b);
	while (b.len + 8 < b.alloc)
		assert_int_equal(fg_buf__addch(&b, 'y'), 0);
	assert_int_equal(fg_buf__add(&b, big, 20), -ENOSPC);
	assert_true(b.len > 0 && b.buf[0] == 'y');
	fg_buf__release(&b);
	fg_buf__release(&all);
	fg_buf__release(&want);
}

static void test_write(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	char got[64] = { 0 };
	FILE *fp;

	(void)state;
	fp = tmpfile();
	assert_non_null(fp);
	/* an unused buffer writes nothing and succeeds */
	assert_int_equal(fg_buf__write(&b, fp), 0);
	assert_int_equal(fg_buf__adds(&b, "a;b 1\n"), 0);
	assert_int_equal(fg_buf__write(&b, fp), 0);
	rewind(fp);
	assert_int_equal(fread(got, 1, sizeof(got), fp), 6);
	assert_string_equal(got, "a;b 1\n");
	fclose(fp);

	/* a read-only stream: fwrite fails -> -EIO */
	fp = fopen("/dev/null", "r");
	assert_non_null(fp);
	assert_int_equal(fg_buf__write(&b, fp), -EIO);
	fclose(fp);
	fg_buf__release(&b);
}

/*
 * Under ASan (make check SANITIZE=1) a request past its size limit aborts
 * instead of failing: let malloc return NULL, as glibc's does, so that
 * test_grow_overflow sees the -ENOMEM path.
 */
__attribute__((visibility("default"), used))
const char *__asan_default_options(void);
__attribute__((visibility("default"), used))
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

/*
 * fg_buf__add_fix2 writes what printf's "%.2f" writes: exact ties of the
 * binary value (k/8), values just off a tie, -0, negatives, huge values,
 * NaN, and a million percentages of the kind the SVG writer makes.
 */
static void check_fix2(double v)
{
	struct fg_buf b = FG_BUF_INIT;
	char want[400];

	snprintf(want, sizeof(want), "%.2f", v);
	assert_int_equal(fg_buf__add_fix2(&b, v), 0);
	if (strcmp(b.buf, want))
		fail_msg("%.17g: got %s, printf %s", v, b.buf, want);
	fg_buf__release(&b);
}

static void test_add_fix2(void **state)
{
	static const double odd[] = {
		0, -0.0, 0.005, 0.015, 0.125, 0.375, 2.675, 1.005, 99.995,
		100, 1e6 - 0.005, 1e6, 1e300, -1.5, -0.001, 0.004999999999,
		0.00500000001, 12.344999999, 12.345000001,
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned int i, k;

	(void)state;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		check_fix2(odd[i]);
	check_fix2(NAN);
	check_fix2(INFINITY);
	/* every multiple of 1/8 up to 1000: exact ties among them */
	for (k = 0; k < 8000; k++)
		check_fix2(k / 8.0);
	/* 100 * num / den as the SVG writer computes it */
	for (i = 0; i < 1000000; i++) {
		uint64_t num, den;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		den = 1 + (x >> 40);
		num = (x & 0xffffff) % (den + 1);
		check_fix2(100.0 * (double)num / (double)den);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_add_and_nul),
		cmocka_unit_test(test_empty_add_allocates),
		cmocka_unit_test(test_binary_with_nul),
		cmocka_unit_test(test_addch_growth),
		cmocka_unit_test(test_addf_small_and_large),
		cmocka_unit_test(test_addf_exact_room),
		cmocka_unit_test(test_reset_keeps_storage),
		cmocka_unit_test(test_grow_overflow),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_mem_grow),
		cmocka_unit_test(test_flush_streams),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_add_fix2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
