// SPDX-License-Identifier: GPL-2.0
/* Strict perf-map parser and index, perf map file names (lib/names/perfmap.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <flame/containers.h>
#include <flame/perfmap.h>

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
		"", "\r", "10", "10 20", "10 20 ", "0x 20 a", "10 0x a",
		"0x0x10 20 a", "x10 20 a", "0X 20 a", "00x10 20 a",
		"0x10000000000000000 1 a",		/* 17 digits after 0x */
		"-0x10 20 a", " 0x10 20 a", "0x10  20 a", "0x10 20",
		"-10 20 a", "+10 20 a", "10 -20 a", " 10 20 a", "10  20 a",
		"10\t20 a", "g0 20 a",
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

/* One line as a runtime writes it: fields, then the name (tabs allowed). */
struct fmt_case {
	const char *who;
	const char *line;
	uint64_t start, size;
	const char *name;
};

/*
 * Line formats real runtimes write (from their sources / documentation, and
 * for the JDK, node and Erlang/OTP also seen here from Debian's packages; the
 * integration tests container_{java,node,erlang}.sh run those for real).
 */
static const struct fmt_case formats[] = {
	/* OpenJDK 17 jcmd Compiler.perfmap and -XX:+DumpPerfMapAtExit:
	 * "0x%016lx 0x%016lx %s", names with return types and parameters */
	{ "jdk", "0x00007fdd30ec7600 0x00000000000000b8 long Hot.work(long)",
	  0x7fdd30ec7600, 0xb8, "long Hot.work(long)" },
	{ "jdk stub", "0x00007fc135400380 0x00000000000007d0 VM_Version stub",
	  0x7fc135400380, 0x7d0, "VM_Version stub" },
	{ "jdk generic", "0x00007f0a10051a20 0x0000000000000298 void java.util."
	  "HashMap.putVal(int, java.lang.Object, java.lang.Object, boolean, boolean)",
	  0x7f0a10051a20, 0x298, "void java.util.HashMap.putVal(int, java.lang."
	  "Object, java.lang.Object, boolean, boolean)" },
	/* Erlang/OTP BeamAsm, erl +JPperf map: 0x start, bare hex size */
	{ "erlang", "0x7f87fdce0000 68 $global::apply_fun_shared",
	  0x7f87fdce0000, 0x68, "$global::apply_fun_shared" },
	{ "erlang fun", "0x7f87fdd1c4d8 1f8 erl_eval:expr/6",
	  0x7f87fdd1c4d8, 0x1f8, "erl_eval:expr/6" },
	/* node --perf-basic-prof (V8): "%lx %x %s" */
	{ "node", "3ef2a7c0 1a0 LazyCompile:~fib /opt/hot.js:1:13",
	  0x3ef2a7c0, 0x1a0, "LazyCompile:~fib /opt/hot.js:1:13" },
	{ "node 20", "7f5e2c044b80 11c JS:*fibonacciHotPath /opt/hot.js:1:26",
	  0x7f5e2c044b80, 0x11c, "JS:*fibonacciHotPath /opt/hot.js:1:26" },
	/* perf-map-agent (JVMTI): "%lx %x %s" with JVM signatures */
	{ "perf-map-agent", "7f2d8c01b8a0 180 Lcom/example/Hot;::work",
	  0x7f2d8c01b8a0, 0x180, "Lcom/example/Hot;::work" },
	/* .NET DOTNET_PerfMapEnabled=1: upper-case hex, tier in brackets */
	{ ".net", "00007FFA1B2C3D40 2A instance void [System.Private.CoreLib] "
	  "System.String::.ctor(char*)[Optimized]", 0x7ffa1b2c3d40, 0x2a,
	  "instance void [System.Private.CoreLib] System.String::.ctor(char*)"
	  "[Optimized]" },
	/* CPython 3.12 -X perf (trampolines): "%lx %x py::name:file" */
	{ "python", "7f7c5a4b1000 b py::fib:/srv/app/fib.py",
	  0x7f7c5a4b1000, 0xb, "py::fib:/srv/app/fib.py" },
	/* LuaJIT perftools: "%lx %x TRACE_%d::%s:%u" */
	{ "luajit", "40a1f0c8 2e4 TRACE_3::@bench.lua:12",
	  0x40a1f0c8, 0x2e4, "TRACE_3::@bench.lua:12" },
	/* wasmtime --profile=perfmap: "{:x} {:x} {}" */
	{ "wasmtime", "7f3c1a402000 3c5 wasm[0]::function[7]::fib",
	  0x7f3c1a402000, 0x3c5, "wasm[0]::function[7]::fib" },
	/* a name with tabs, angle brackets and quotes: kept verbatim */
	{ "hostile", "0X10 0X20 <script>\t'x'", 0x10, 0x20, "<script>\t'x'" },
};

static void test_runtime_formats(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	struct fg_perfmap_stats st = { 0 };
	struct fg_buf b = FG_BUF_INIT;
	uint64_t s, z;
	char name[256];
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct fmt_case *c = &formats[i];

		if (parse(c->line, &s, &z, name, sizeof(name)))
			fail_msg("%s: rejected \"%s\"", c->who, c->line);
		if (s != c->start || z != c->size || strcmp(name, c->name))
			fail_msg("%s: got %llx %llx \"%s\"", c->who,
				 (unsigned long long)s, (unsigned long long)z,
				 name);
		fg_buf__addf(&b, "%s\n", c->line);
	}
	/* all in one file, as the loader sees them */
	assert_int_equal(fg_perfmap__load(m, b.buf, b.len, &st), 0);
	assert_int_equal(st.bad, 0);
	assert_int_equal(st.entries, sizeof(formats) / sizeof(formats[0]));
	assert_int_equal(fg_perfmap__finish(m), 0);
	assert_string_equal(fg_perfmap__lookup(m, 0x7fdd30ec7600 + 0xb7),
			    "long Hot.work(long)");
	assert_null(fg_perfmap__lookup(m, 0x7fdd30ec7600 + 0xb8));
	assert_string_equal(fg_perfmap__lookup(m, 0x7f87fdce0067),
			    "$global::apply_fun_shared");
	fg_buf__release(&b);
	fg_perfmap__delete(m);
}

/* SIZE 0 is well-formed but covers nothing: skipped, not "malformed". */
static void test_size_zero(void **state)
{
	struct fg_perfmap *m = fg_perfmap__new();
	struct fg_perfmap_stats st = { 0 };
	static const char data[] = "10 0 a\n0x20 0x0 b\n30 10 c\n";
	uint64_t s, z;
	char name[8];

	assert_int_equal(parse("10 00 a", &s, &z, name, sizeof(name)), -ENODATA);
	assert_int_equal(fg_perfmap__load(m, data, sizeof(data) - 1, &st), 0);
	assert_int_equal(st.lines, 3);
	assert_int_equal(st.empty, 2);
	assert_int_equal(st.bad, 0);
	assert_int_equal(st.entries, 1);
	assert_int_equal(fg_perfmap__finish(m), 0);
	assert_null(fg_perfmap__lookup(m, 0x10));
	assert_null(fg_perfmap__lookup(m, 0x20));
	assert_string_equal(fg_perfmap__lookup(m, 0x35), "c");
	fg_perfmap__delete(m);
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

/* the one rule for a perf map's file name, as perf opens /tmp/perf-%d.map */
static void test_file_pid(void **state)
{
	(void)state;
	assert_int_equal(fg_perfmap__file_pid("perf-1.map", strlen("perf-1.map")), 1);
	assert_int_equal(fg_perfmap__file_pid("perf-4242.map", strlen("perf-4242.map")), 4242);
	assert_int_equal(fg_perfmap__file_pid("perf-2147483647.map", strlen("perf-2147483647.map")), 2147483647);
	assert_int_equal(fg_perfmap__file_pid("perf-2147483648.map", strlen("perf-2147483648.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-99999999999999999999.map", strlen("perf-99999999999999999999.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-0.map", strlen("perf-0.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-07.map", strlen("perf-07.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-.map", strlen("perf-.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf--5.map", strlen("perf--5.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-+5.map", strlen("perf-+5.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf- 5.map", strlen("perf- 5.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-5.map.bak", strlen("perf-5.map.bak")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-5.mapx", strlen("perf-5.mapx")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-5.ma", strlen("perf-5.ma")), -1);
	assert_int_equal(fg_perfmap__file_pid("perf-5x.map", strlen("perf-5x.map")), -1);
	assert_int_equal(fg_perfmap__file_pid("jit-5.dump", strlen("jit-5.dump")), -1);
	assert_int_equal(fg_perfmap__file_pid("xperf-5.map", strlen("xperf-5.map")), -1);
	/* only the len bytes count */
	assert_int_equal(fg_perfmap__file_pid("perf-5.map.bak", 10), 5);
	assert_int_equal(fg_perfmap__file_pid("perf-5.map", 9), -1);
}

static int collect(void *arg, int pid)
{
	int *v = arg;

	v[v[0]++ + 1] = pid;
	return v[0] == 3 ? 7 : 0;	/* stop after three */
}

/* a real directory: map files found, other names and a symlinked
 * directory not; fn's non-zero value stops the scan and is returned */
static void test_scan_dir(void **state)
{
	char dir[] = "/tmp/flame-test-scan.XXXXXX", p[300];
	static const char *const names[] = {
		"perf-12.map", "perf-x.map", "perf-13.map.tmp", "README",
		"perf-0.map",
	};
	int v[8] = { 0 }, fd;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/tmp", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/tmp/%s", dir, names[i]);
		fd = open(p, O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink("tmp", p), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(fg_perfmap__scan_dir(fd, "tmp", collect, v), 0);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 12);
	/* a symlink is not followed */
	memset(v, 0, sizeof(v));
	assert_int_equal(fg_perfmap__scan_dir(fd, "link", collect, v), -ENOTDIR);
	assert_int_equal(v[0], 0);
	assert_int_equal(fg_perfmap__scan_dir(fd, "nosuch", collect, v), -ENOENT);
	/* stopping */
	for (i = 20; i < 25; i++) {
		snprintf(p, sizeof(p), "%s/tmp/perf-%zu.map", dir, i);
		close(open(p, O_CREAT | O_WRONLY, 0600));
	}
	memset(v, 0, sizeof(v));
	assert_int_equal(fg_perfmap__scan_dir(fd, "tmp", collect, v), 7);
	assert_int_equal(v[0], 3);
	close(fd);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar_ok),
		cmocka_unit_test(test_grammar_rejects),
		cmocka_unit_test(test_runtime_formats),
		cmocka_unit_test(test_size_zero),
		cmocka_unit_test(test_nul_and_long),
		cmocka_unit_test(test_lookup_bounds),
		cmocka_unit_test(test_overlap_latest_wins),
		cmocka_unit_test(test_overlap_random),
		cmocka_unit_test(test_million),
		cmocka_unit_test(test_file_pid),
		cmocka_unit_test(test_scan_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
