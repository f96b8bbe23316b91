// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include <flame/flame.h>

static char path[64];

static void write_file(const void *data, size_t len)
{
	int fd;

	strcpy(path, "/tmp/test_reader.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static size_t gz(const char *s, size_t len, unsigned char *out, size_t cap)
{
	z_stream z = { 0 };

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)s;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static void test_lines(void **state)
{
	const char *l;
	size_t n;
	struct fg_reader *r;

	write_file("a\r\nbb\n\nlast", 11);
	r = fg_reader__open(path);
	assert_non_null(r);
	assert_int_equal(fg_reader__getline(r, &l, &n), 1);
	assert_int_equal(n, 1);
	assert_string_equal(l, "a");
	assert_int_equal(fg_reader__getline(r, &l, &n), 1);
	assert_string_equal(l, "bb");
	assert_int_equal(fg_reader__getline(r, &l, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(fg_reader__getline(r, &l, &n), 1);
	assert_string_equal(l, "last");
	assert_int_equal(fg_reader__lineno(r), 4);
	assert_int_equal(fg_reader__getline(r, &l, &n), 0);
	fg_reader__close(r);
	unlink(path);
}

static void test_gzip_and_truncated(void **state)
{
	static char text[400000];
	static unsigned char z[400000];
	struct fg_reader *r;
	const char *l, *peek;
	size_t n, zl, i, pl;
	uint64_t lines = 0;
	int ret;

	for (i = 0; i < sizeof(text) - 1; i++)
		text[i] = i % 40 == 39 ? '\n' : 'a' + (i * 7 + i / 97) % 26;
	zl = gz(text, sizeof(text) - 1, z, sizeof(z));
	write_file(z, zl);
	r = fg_reader__open(path);
	assert_int_equal(fg_reader__peek(r, &peek, &pl), 0);
	assert_true(pl > 100);
	assert_memory_equal(peek, text, 100);
	while ((ret = fg_reader__getline(r, &l, &n)) == 1) {
		assert_int_equal(n, 39);
		assert_memory_equal(l, text + lines * 40, 39);
		lines++;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(lines, sizeof(text) / 40);	/* the last line has no newline */
	fg_reader__close(r);
	unlink(path);

	/* cut in the middle: complete lines, then -EIO */
	write_file(z, zl / 2);
	r = fg_reader__open(path);
	lines = 0;
	while ((ret = fg_reader__getline(r, &l, &n)) == 1) {
		assert_int_equal(n, 39);
		lines++;
	}
	assert_int_equal(ret, -EIO);
	assert_true(lines > 0 && lines < (sizeof(text) - 1) / 40);
	assert_int_equal(fg_reader__lineno(r), lines);
	fg_reader__close(r);
	unlink(path);
}

/* after the last member: zero padding is fine, other bytes fail like gzip */
static void test_gzip_trailing(void **state)
{
	static const char text[] = "main;a 3\nmain;b 2\n";
	unsigned char z[256];
	struct fg_reader *r;
	const char *l;
	size_t n, zl;
	int ret, pass, lines;

	for (pass = 0; pass < 2; pass++) {
		zl = gz(text, sizeof(text) - 1, z, sizeof(z) - 64);
		memset(z + zl, 0, 40);
		if (pass)
			memcpy(z + zl + 10, "garbage", 7);
		write_file(z, zl + 40);
		r = fg_reader__open(path);
		lines = 0;
		while ((ret = fg_reader__getline(r, &l, &n)) == 1)
			lines++;
		assert_int_equal(lines, 2);
		assert_int_equal(ret, pass ? -EIO : 0);
		fg_reader__close(r);
		unlink(path);
	}
}

static void test_long_line(void **state)
{
	size_t big = 9u << 20, n;
	char *s = malloc(big + 3);
	struct fg_reader *r;
	const char *l;

	memset(s, 'x', big);
	memcpy(s + big, "\ny", 2);
	write_file(s, big + 2);
	r = fg_reader__open(path);
	assert_int_equal(fg_reader__getline(r, &l, &n), 1);
	assert_int_equal(n, big);
	assert_int_equal(fg_reader__getline(r, &l, &n), 1);
	assert_string_equal(l, "y");
	fg_reader__close(r);
	unlink(path);
	free(s);
}

static void test_errors(void **state)
{
	assert_null(fg_reader__open("/nonexistent/x"));
	assert_int_equal(errno, ENOENT);
	assert_null(fg_reader__open("/tmp"));
	assert_int_equal(errno, EISDIR);
	fg_reader__close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_gzip_and_truncated),
		cmocka_unit_test(test_gzip_trailing),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
