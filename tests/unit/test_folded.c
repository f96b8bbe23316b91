// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks: the reader (fg_folded__read over fg_reader__open on real
 * temporary files, plain and gzip) and the writer (fg_output_folded), with
 * malformed lines counted and located, two-column diff input, empty frames,
 * fractional counts, names with blanks, CRLF, and a byte-exact round trip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include <flame/flame.h>

static char warned[1024];
static int nr_warned;

static int capture(enum fg_print_level level, const char *fmt, va_list ap)
{
	if (level == FG_WARN) {
		vsnprintf(warned, sizeof(warned), fmt, ap);
		nr_warned++;
	}
	return 0;
}

static char *tmp_write(const char *data, size_t len)
{
	char *path = strdup("/tmp/test_folded.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Read data (a string) as a folded file into a new profile. */
static struct fg_profile *read_str(const char *data,
				   struct fg_folded_stats *st, char **pathp)
{
	struct fg_profile *p = fg_profile__new();
	char *path = tmp_write(data, strlen(data));
	struct fg_reader *r = fg_reader__open(path);

	assert_non_null(p);
	assert_non_null(r);
	/* garbage in: the reader starts the stats from zero itself */
	memset(st, 0xaa, sizeof(*st));
	warned[0] = '\0';
	nr_warned = 0;
	assert_int_equal(fg_folded__read(p, r, st), 0);
	fg_reader__close(r);
	if (pathp)
		*pathp = path;
	else {
		unlink(path);
		free(path);
	}
	return p;
}

/* The folded text the writer makes for p (caller frees). */
static char *write_str(const struct fg_profile *p)
{
	struct fg_buf b = FG_BUF_INIT;
	struct fg_opts o;

	fg_opts__init(&o);
	assert_int_equal(fg_output_folded.write(&b, p, &o), 0);
	fg_opts__release(&o);
	if (!b.buf)
		return strdup("");
	return b.buf;
}

/* Node of the stack "a;b;c" (frames split on ';'), FG_NO_NODE if absent. */
static uint32_t node_of(const struct fg_profile *p, const char *stack)
{
	const struct fg_strtab *t = fg_profile__names(p);
	uint32_t node = FG_ROOT;
	const char *s = stack;

	for (;;) {
		const char *semi = strchr(s, ';');
		size_t len = semi ? (size_t)(semi - s) : strlen(s);
		uint32_t id = fg_strtab__find(t, s, len);

		if (id == UINT32_MAX)
			return FG_NO_NODE;
		node = fg_profile__find_child(p, node, id);
		if (node == FG_NO_NODE || !semi)
			return node;
		s = semi + 1;
	}
}

static uint64_t self_of(const struct fg_profile *p, const char *stack,
			unsigned int col)
{
	uint32_t n = node_of(p, stack);

	assert_int_not_equal(n, FG_NO_NODE);
	return fg_profile__node(p, n)->self[col];
}

static void test_basic(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;

	(void)state;
	p = read_str("main;f 3\nmain;f;g 5\nmain;f 4\n", &st, NULL);
	assert_int_equal(st.lines, 3);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(st.first_bad_line, 0);
	assert_int_equal(self_of(p, "main;f", 0), 7);
	assert_int_equal(self_of(p, "main;f;g", 0), 5);
	assert_int_equal(self_of(p, "main", 0), 0);
	assert_int_equal(fg_profile__total(p, 0), 12);
	assert_int_equal(fg_profile__total(p, 1), 0);
	assert_int_equal(fg_profile__nr_adds(p, 0), 3);
	assert_int_equal(fg_profile__nr_stacks(p), 2);
	assert_int_equal(fg_profile__nr_nodes(p), 4);
	assert_int_equal(nr_warned, 0);
	fg_profile__delete(p);
}

static void test_no_trailing_newline_crlf_blanks(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;

	(void)state;
	p = read_str("# comment 12\r\n\r\n   \na;b 2\r\na;b\t3 \t\na;c 1", &st,
		     NULL);
	assert_int_equal(st.lines, 6);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(self_of(p, "a;b", 0), 5);
	assert_int_equal(self_of(p, "a;c", 0), 1);
	assert_int_equal(fg_profile__total(p, 0), 6);
	/* the comment did not become a frame */
	assert_int_equal(fg_strtab__find(fg_profile__names(p), "# comment", 9),
			 UINT32_MAX);
	fg_profile__delete(p);
}

static void test_malformed(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *path, want[512];

	(void)state;
	p = read_str("ok 1\n"		/* 1 */
		     "# fine 3\n"	/* 2 */
		     "no count here\n"	/* 3: bad, first */
		     "a;b -3\n"		/* 4: bad, negative */
		     "5\n"		/* 5: bad, no stack */
		     " 7\n"		/* 6: bad, no stack */
		     ";;; 4\n"		/* 7: bad, no frame */
		     "x;y 1e3\n"	/* 8: bad, exponent */
		     "x;y .\n"		/* 9: bad, no digit */
		     "x;y 1.2.3\n"	/* 10: bad */
		     "x;y 99999999999999999999\n"	/* 11: bad, > 2^63 */
		     "x;y12\n"		/* 12: bad, no blank before count */
		     "ok 2\n",		/* 13 */
		     &st, &path);
	assert_int_equal(st.lines, 13);
	assert_int_equal(st.bad_lines, 10);
	assert_int_equal(st.first_bad_line, 3);
	assert_int_equal(self_of(p, "ok", 0), 3);
	assert_int_equal(fg_profile__total(p, 0), 3);
	assert_int_equal(fg_profile__nr_adds(p, 0), 2);
	/* no partial stack from a bad line was weighted */
	assert_int_equal(fg_profile__nr_stacks(p), 1);
	/*
	 * a warning naming the file, the count and the first line; one
	 * more for line 11's count too large (test_overflow)
	 */
	assert_int_equal(nr_warned, 2);
	snprintf(want, sizeof(want),
		 "%s: skipped 9 malformed line(s), first at line 3\n", path);
	assert_string_equal(warned, want);
	unlink(path);
	free(path);
	fg_profile__delete(p);

	/* st may be NULL */
	{
		struct fg_profile *q = fg_profile__new();
		char *pth = tmp_write("bad\nok 4\n", 9);
		struct fg_reader *r = fg_reader__open(pth);

		assert_non_null(r);
		assert_int_equal(fg_folded__read(q, r, NULL), 0);
		assert_int_equal(fg_profile__total(q, 0), 4);
		fg_reader__close(r);
		unlink(pth);
		free(pth);
		fg_profile__delete(q);
	}
}

static void test_large_count(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;

	(void)state;
	p = read_str("a 1844674407370955160\nb 4294967296\n", &st, NULL);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(self_of(p, "a", 0), 1844674407370955160ULL);
	assert_int_equal(self_of(p, "b", 0), 4294967296ULL);
	fg_profile__delete(p);
}

/* Counts whose sum passes 2^63-1 are refused with the line named; none wraps. */
static void test_overflow(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *path, want[600];

	(void)state;
	p = read_str("a 9223372036854775807\n"
		     "b 1\n"
		     "c 9223372036854775807\n", &st, &path);
	assert_int_equal(st.bad_lines, 2);
	assert_int_equal(st.first_bad_line, 2);
	assert_int_equal(fg_profile__total(p, 0), 9223372036854775807ULL);
	assert_int_equal(self_of(p, "a", 0), 9223372036854775807ULL);
	assert_int_equal(node_of(p, "b"), FG_NO_NODE);
	snprintf(want, sizeof(want), "%s:2: skipped 2 line(s)", path);
	assert_non_null(strstr(warned, want));
	assert_int_equal(nr_warned, 1);
	unlink(path);
	free(path);
	fg_profile__delete(p);

	/* one count past 2^63-1, integer or fractional; the other column */
	p = read_str("a 9223372036854775808\n"
		     "b 99999999999999999999.5\n"
		     "c 1e400\n"
		     "d 1 9223372036854775807\n"
		     "e 0 1\n"
		     "f 2\n", &st, NULL);
	assert_int_equal(st.bad_lines, 4);
	assert_int_equal(st.first_bad_line, 1);
	assert_int_equal(fg_profile__total(p, 0), 3);
	assert_int_equal(fg_profile__total(p, 1), 9223372036854775807ULL);
	assert_int_equal(self_of(p, "f", 0), 2);
	fg_profile__delete(p);
}

static void test_two_columns(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *out;

	(void)state;
	p = read_str("a;b 3 5\n"
		     "a;c 0 2\n"
		     "a;d 4 0\n"
		     "a;e 0 0\n"
		     "a;b 1 1\n", &st, NULL);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(self_of(p, "a;b", 0), 4);
	assert_int_equal(self_of(p, "a;b", 1), 6);
	assert_int_equal(self_of(p, "a;c", 0), 0);
	assert_int_equal(self_of(p, "a;c", 1), 2);
	assert_int_equal(self_of(p, "a;d", 0), 4);
	assert_int_equal(self_of(p, "a;d", 1), 0);
	/* a zero/zero line still makes its frames */
	assert_int_not_equal(node_of(p, "a;e"), FG_NO_NODE);
	assert_int_equal(self_of(p, "a;e", 0), 0);
	assert_int_equal(fg_profile__total(p, 0), 8);
	assert_int_equal(fg_profile__total(p, 1), 8);
	/* the reader leaves the column at 0 for later adds */
	{
		uint32_t z = fg_profile__intern(p, "z", 1);

		assert_int_equal(fg_profile__add(p, &z, 1, 9, 0), 0);
		assert_int_equal(fg_profile__total(p, 0), 17);
		assert_int_equal(fg_profile__total(p, 1), 8);
	}
	/* diff output: both columns, weightless stacks left out */
	out = write_str(p);
	assert_string_equal(out, "a;b 4 6\na;c 0 2\na;d 4 0\nz 9 0\n");
	free(out);
	fg_profile__delete(p);
}

static void test_empty_frames(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *out;

	(void)state;
	p = read_str("a;;b 2\n;a;b 1\na;b; 4\n;;a;;;b;; 8\n", &st, NULL);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(self_of(p, "a;b", 0), 15);
	/* no empty-named frame was created */
	assert_int_equal(fg_strtab__find(fg_profile__names(p), "", 0),
			 UINT32_MAX);
	assert_int_equal(fg_profile__nr_nodes(p), 3);
	out = write_str(p);
	assert_string_equal(out, "a;b 15\n");
	free(out);
	fg_profile__delete(p);
}

static void test_fractional(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *out;

	(void)state;
	p = read_str("a 2.5\nb 0.4\nc 1.49\nd 3.\ne 0.50\nf 7.51 2.5\ng .5\n"
		     "h .\n", &st, NULL);
	/* ".5" is a count like "5." and "0.5"; a lone "." is not */
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(st.first_bad_line, 8);
	/* kept exactly, in hundredths (the most decimals seen: "1.49") */
	assert_int_equal(fg_profile__decimals(p), 2);
	assert_int_equal(fg_profile__unit(p), 100);
	assert_int_equal(self_of(p, "g", 0), 50);
	assert_int_equal(self_of(p, "a", 0), 250);
	assert_int_equal(self_of(p, "b", 0), 40);
	assert_int_equal(self_of(p, "c", 0), 149);
	assert_int_equal(self_of(p, "d", 0), 300);
	assert_int_equal(self_of(p, "e", 0), 50);
	assert_int_equal(self_of(p, "f", 0), 751);
	assert_int_equal(self_of(p, "f", 1), 250);
	assert_int_equal(fg_profile__total(p, 0), 250 + 40 + 149 + 300 + 50 + 751 + 50);
	out = write_str(p);
	assert_string_equal(out, "a 2.5 0\nb 0.4 0\nc 1.49 0\nd 3 0\ne 0.5 0\n"
			    "f 7.51 2.5\ng 0.5 0\n");
	free(out);
	fg_profile__delete(p);

	/* whole counts read before the first fraction are scaled with it */
	p = read_str("x 3\nx;y 1\nz 0.125\n", &st, NULL);
	assert_int_equal(fg_profile__decimals(p), 3);
	assert_int_equal(self_of(p, "x", 0), 3000);
	assert_int_equal(self_of(p, "x;y", 0), 1000);
	assert_int_equal(self_of(p, "z", 0), 125);
	out = write_str(p);
	assert_string_equal(out, "x 3\nx;y 1\nz 0.125\n");
	free(out);
	fg_profile__delete(p);

	/* past FG_DECIMALS_MAX decimals: rounded half away from zero */
	p = read_str("a 0.12345649\nb 0.0000005\nc 1.0000000\n", &st, NULL);
	assert_int_equal(fg_profile__decimals(p), FG_DECIMALS_MAX);
	assert_int_equal(self_of(p, "a", 0), 123456);
	assert_int_equal(self_of(p, "b", 0), 1);
	assert_int_equal(self_of(p, "c", 0), 1000000);
	fg_profile__delete(p);

	/* a total too big for more decimals: the fraction is rounded */
	p = read_str("a 9000000000000000000\nb 0.5\nc 0.4\n", &st, NULL);
	assert_int_equal(fg_profile__decimals(p), 0);
	assert_int_equal(self_of(p, "b", 0), 1);
	assert_int_equal(node_of(p, "c") != FG_NO_NODE, 1);
	assert_int_equal(self_of(p, "c", 0), 0);
	fg_profile__delete(p);
}

static void test_names_with_blanks(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *out;

	(void)state;
	p = read_str("java;Foo::bar(int, char const*);<script>x</script> 7\n"
		     "my prog;operator new[] (unsigned long) 2\n"
		     "tab\tname;x 1\n", &st, NULL);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(self_of(p,
		"java;Foo::bar(int, char const*);<script>x</script>", 0), 7);
	assert_int_equal(self_of(p,
		"my prog;operator new[] (unsigned long)", 0), 2);
	assert_int_equal(self_of(p, "tab\tname;x", 0), 1);
	out = write_str(p);
	assert_string_equal(out,
		"java;Foo::bar(int, char const*);<script>x</script> 7\n"
		"my prog;operator new[] (unsigned long) 2\n"
		"tab\tname;x 1\n");
	free(out);
	fg_profile__delete(p);
}

static void test_writer_order(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p;
	char *out;

	(void)state;
	/* bytewise order: a prefix first, ';' (0x3b) after ' '... upper
	 * case before lower, 0x80+ bytes last */
	p = read_str("main;b 2\nmain;a 1\nmain 5\nzz 1\nmain;a;x 3\nZed 1\n"
		     "\xc3\xa9t\xc3\xa9 4\nmain;a 1\nmain-2 6\nzero 0\n", &st,
		     NULL);
	assert_int_equal(st.bad_lines, 0);
	out = write_str(p);
	assert_string_equal(out,
		"Zed 1\n"
		"main 5\n"
		"main-2 6\n"
		"main;a 2\n"
		"main;a;x 3\n"
		"main;b 2\n"
		"zz 1\n"
		"\xc3\xa9t\xc3\xa9 4\n");
	free(out);
	fg_profile__delete(p);

	/* an empty profile writes nothing */
	p = fg_profile__new();
	out = write_str(p);
	assert_string_equal(out, "");
	free(out);
	fg_profile__delete(p);
}

/* write -> file -> read -> write gives the same bytes; totals kept */
static void test_round_trip(void **state)
{
	struct fg_folded_stats st;
	struct fg_profile *p, *q;
	char *out1, *out2, *path;
	struct fg_opts o;
	struct fg_reader *r;
	char line[300];
	size_t i;

	(void)state;
	fg_opts__init(&o);
	p = fg_profile__new();
	assert_non_null(p);
	/* 200 stacks of varying depth, names with blanks and punctuation */
	for (i = 0; i < 200; i++) {
		uint32_t fr[6];
		size_t d = 1 + i % 6, k;

		for (k = 0; k < d; k++) {
			int n = snprintf(line, sizeof(line), "fn %zu<%zu>::x",
					 (i * 31 + k) % 17, k);

			fr[k] = fg_profile__intern(p, line, n);
		}
		assert_int_equal(fg_profile__add(p, fr, d, i * 13 + 1, 0), 0);
	}
	out1 = write_str(p);
	path = tmp_write("", 0);
	assert_int_equal(fg_output__write_file(&fg_output_folded, path, p, &o),
			 0);
	q = fg_profile__new();
	r = fg_reader__open(path);
	assert_non_null(r);
	assert_int_equal(fg_folded__read(q, r, &st), 0);
	fg_reader__close(r);
	assert_int_equal(st.bad_lines, 0);
	assert_int_equal(st.lines, fg_profile__nr_stacks(p));
	assert_int_equal(fg_profile__total(q, 0), fg_profile__total(p, 0));
	assert_int_equal(fg_profile__nr_stacks(q), fg_profile__nr_stacks(p));
	assert_int_equal(fg_profile__nr_nodes(q), fg_profile__nr_nodes(p));
	out2 = write_str(q);
	assert_string_equal(out1, out2);
	free(out1);
	free(out2);
	unlink(path);
	free(path);
	fg_profile__delete(p);
	fg_profile__delete(q);
	fg_opts__release(&o);
}

static void test_gzip_input(void **state)
{
	char path[] = "/tmp/test_folded_gz.XXXXXX";
	struct fg_folded_stats st = { 0 };
	struct fg_profile *p = fg_profile__new();
	struct fg_reader *r;
	gzFile gz;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	gz = gzdopen(fd, "wb");
	assert_non_null(gz);
	assert_true(gzputs(gz, "a;b 2\nbad\na;b 3\n") > 0);
	assert_int_equal(gzclose(gz), Z_OK);
	r = fg_reader__open(path);
	assert_non_null(r);
	assert_int_equal(fg_folded__read(p, r, &st), 0);
	fg_reader__close(r);
	assert_int_equal(st.lines, 3);
	assert_int_equal(st.bad_lines, 1);
	assert_int_equal(st.first_bad_line, 2);
	assert_int_equal(self_of(p, "a;b", 0), 5);
	unlink(path);
	fg_profile__delete(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_no_trailing_newline_crlf_blanks),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large_count),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_two_columns),
		cmocka_unit_test(test_empty_frames),
		cmocka_unit_test(test_fractional),
		cmocka_unit_test(test_names_with_blanks),
		cmocka_unit_test(test_writer_order),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_gzip_input),
	};

	fg_set_print(capture);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
