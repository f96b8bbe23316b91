// SPDX-License-Identifier: GPL-2.0
/*
 * The frame namer (lib/names/namer.c), rule by rule, in the order
 * include/flame/namer.h lists them.
 */
#include <errno.h>
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <flame/namer.h>

#define KADDR 0xffffffff81000010ULL

static struct fg_namer_opts o;

static int setup(void **state)
{
	memset(&o, 0, sizeof(o));
	return 0;
}

/* Name a frame; check the name and the kind. */
static void name_eq(uint64_t addr, const char *sym, const char *dso,
		    enum fg_frame_ctx ctx, const char *want, int kind)
{
	struct fg_frame_in f = {
		.addr = addr,
		.sym = sym, .sym_len = sym ? strlen(sym) : 0,
		.dso = dso, .dso_len = dso ? strlen(dso) : 0,
		.ctx = ctx,
	};
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_namer__frame(&o, &f, &b), kind);
	assert_string_equal(b.buf, want);
	fg_buf__release(&b);
}

#define U FG_CTX_USER
#define K FG_CTX_KERNEL
#define G FG_CTX_GUESS

/* rule 1: a symbol is the name */
static void test_symbol(void **state)
{
	name_eq(0x1000, "main", "/usr/bin/app", U, "main", FG_FRAME_SYM);
	name_eq(0x1000, "main", NULL, U, "main", FG_FRAME_SYM);
	/* the symbol's object does not matter */
	name_eq(0x1000, "LazyCompile:*fib /opt/hot.js:1:26", "/tmp/perf-9.map",
		U, "LazyCompile:*fib /opt/hot.js:1:26", FG_FRAME_SYM);
}

static void test_demangle(void **state)
{
	name_eq(0x1000, "_ZN3foo3barEv", "/a", U, "foo::bar", FG_FRAME_SYM);
	name_eq(0x1000, "_ZN4core3fmt5write17h0123456789abcdefE", "/a", U,
		"core::fmt::write", FG_FRAME_SYM);
	o.no_demangle = true;
	name_eq(0x1000, "_ZN3foo3barEv", "/a", U, "_ZN3foo3barEv", FG_FRAME_SYM);
	/* not mangled after all: kept */
	o.no_demangle = false;
	name_eq(0x1000, "_Z", "/a", U, "_Z", FG_FRAME_SYM);
}

static void test_sanitise(void **state)
{
	/* ';' is the folded separator */
	name_eq(1, "a;b", "/a", U, "a:b", FG_FRAME_SYM);
	/* argument lists go ... */
	name_eq(1, "long Hot.work(long)", "/tmp/perf-7.map", U,
		"long Hot.work", FG_FRAME_SYM);
	name_eq(1, "std::vector<int>::push_back(int const&)", "/a", U,
		"std::vector<int>::push_back", FG_FRAME_SYM);
	/* ... except an anonymous namespace and a Go receiver */
	name_eq(1, "(anonymous namespace)::helper(int)", "/a", U,
		"(anonymous namespace)::helper", FG_FRAME_SYM);
	name_eq(1, "main.(*Server).Serve", "/a", U, "main.(*Server).Serve",
		FG_FRAME_SYM);
	/* a name that is only parentheses stays */
	name_eq(1, "(garbage collector)", "/a", U, "(garbage collector)",
		FG_FRAME_SYM);
	/* quotes dropped, control bytes made visible */
	name_eq(1, "'quoted\"name", "/a", U, "quotedname", FG_FRAME_SYM);
	name_eq(1, "bad\nname\t", "/a", U, "bad?name?", FG_FRAME_SYM);
}

static void test_java(void **state)
{
	struct fg_frame_in f = {
		.sym = "Ljava/lang/Thread;::run", .sym_len = 23,
		.dso = "/tmp/perf-12.map", .dso_len = 16,
		.ctx = U, .java = true,
	};
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_namer__frame(&o, &f, &b), FG_FRAME_SYM);
	assert_string_equal(b.buf, "java/lang/Thread:::run");
	/* only for a JVM */
	f.java = false;
	fg_namer__frame(&o, &f, &b);
	assert_string_equal(b.buf, "Ljava/lang/Thread:::run");
	fg_buf__release(&b);
}

/* rule 2: only the object is known */
static void test_dso(void **state)
{
	name_eq(1, NULL, "/usr/lib/x86_64-linux-gnu/libc.so.6", U,
		"[libc.so.6]", FG_FRAME_DSO);
	name_eq(1, "[unknown]", "/usr/lib/libc.so.6", U, "[libc.so.6]",
		FG_FRAME_DSO);
	name_eq(1, "", "/opt/app (deleted)", U, "[app]", FG_FRAME_DSO);
	/* not bracketed twice */
	name_eq(1, NULL, "[vdso]", U, "[vdso]", FG_FRAME_DSO);
	name_eq(KADDR, NULL, "[kernel.kallsyms]", K, "[kernel.kallsyms]",
		FG_FRAME_DSO);
	/* a perf map without the symbol */
	name_eq(1, NULL, "/tmp/perf-123.map", U, "[perf-123.map]", FG_FRAME_DSO);
}

/* rule 3: nothing known */
static void test_unknown(void **state)
{
	name_eq(1, NULL, NULL, U, "[unknown]", FG_FRAME_UNKNOWN);
	name_eq(1, "[unknown]", "[unknown]", U, "[unknown]", FG_FRAME_UNKNOWN);
	name_eq(1, "", "", U, "[unknown]", FG_FRAME_UNKNOWN);
}

/* the address form */
static void test_addrs(void **state)
{
	o.addrs = true;
	name_eq(0x7fbd4fe6e389ULL, NULL, "/usr/lib/libc.so.6", U,
		"[libc.so.6 <7fbd4fe6e389>]", FG_FRAME_DSO);
	name_eq(0x7ffc1234ULL, NULL, "[vdso]", U, "[vdso <7ffc1234>]",
		FG_FRAME_DSO);
	name_eq(0x42, NULL, NULL, U, "[unknown <42>]", FG_FRAME_UNKNOWN);
	/* resolved frames never carry addresses */
	name_eq(0x42, "main", "/a", U, "main", FG_FRAME_SYM);
}

/* kernel classification */
static void test_kernel_rule(void **state)
{
	struct fg_frame_in f = { 0 };

	f.ctx = K;
	assert_true(fg_namer__is_kernel(&f));
	f.ctx = U;
	f.addr = KADDR;
	assert_false(fg_namer__is_kernel(&f));	/* the context wins */
	f.ctx = G;
	assert_true(fg_namer__is_kernel(&f));	/* kernel half */
	f.addr = 0x7ffc00001000ULL;
	f.dso = "[vdso]";
	f.dso_len = 6;
	assert_false(fg_namer__is_kernel(&f));	/* user space, brackets or not */
	f.dso = "[kernel.kallsyms]";
	f.dso_len = strlen(f.dso);
	assert_true(fg_namer__is_kernel(&f));
	f.dso = "/lib/modules/6.1.0/kernel/fs/ext4/ext4.ko";
	f.dso_len = strlen(f.dso);
	assert_true(fg_namer__is_kernel(&f));
	f.dso = "/usr/lib/debug/boot/vmlinux";
	f.dso_len = strlen(f.dso);
	assert_true(fg_namer__is_kernel(&f));
	f.dso = "/usr/bin/app";
	f.dso_len = strlen(f.dso);
	assert_false(fg_namer__is_kernel(&f));
}

/* JIT classification: perf's /tmp/perf-<pid>.map */
static void test_jit_rule(void **state)
{
	assert_true(fg_namer__is_perf_map("/tmp/perf-123.map", 17));
	assert_true(fg_namer__is_perf_map("/proc/9/root/tmp/perf-1.map", 27));
	assert_false(fg_namer__is_perf_map("/tmp/perf-.map", 14));
	assert_false(fg_namer__is_perf_map("/tmp/perf-12x.map", 17));
	assert_false(fg_namer__is_perf_map("/home/u/perf-12.map", 19));
	assert_false(fg_namer__is_perf_map("/tmp/perf-12.map.old", 20));
	assert_false(fg_namer__is_perf_map(NULL, 0));
	/* the perf map file name rule (fg_perfmap__file_pid): a pid 1..INT_MAX */
	assert_false(fg_namer__is_perf_map("/tmp/perf-0.map", 15));
	assert_false(fg_namer__is_perf_map("/tmp/perf-99999999999.map", 25));
	assert_false(fg_namer__is_perf_map("tmp/perf-12.map", 15));
	assert_true(fg_namer__is_perf_map("/tmp/perf-12.map (deleted)", 16));
	/* anonymous memory is worth asking JIT sources */
	assert_true(fg_namer__is_anon(NULL));
	assert_true(fg_namer__is_anon("//anon"));
	assert_true(fg_namer__is_anon("[anon:v8]"));
	assert_true(fg_namer__is_anon("/memfd:doublemapper (deleted)"));
	assert_true(fg_namer__is_anon("/tmp/perf-5.map"));
	assert_false(fg_namer__is_anon("/usr/bin/node"));
	assert_false(fg_namer__is_anon("[kernel.kallsyms]"));
}

/* annotations */
static void test_annotate(void **state)
{
	struct fg_frame_in f = { .sym = "fn", .sym_len = 2, .ctx = U };
	struct fg_buf b = FG_BUF_INIT;

	o.annotate = FG_ANNOTATE_ALL;
	name_eq(KADDR, "do_syscall_64", "[kernel.kallsyms]", K,
		"do_syscall_64_[k]", FG_FRAME_SYM);
	name_eq(KADDR, NULL, NULL, K, "[unknown]_[k]", FG_FRAME_UNKNOWN);
	/* guessed from the address: the same name as with a context */
	name_eq(KADDR, NULL, "[unknown]", G, "[unknown]_[k]", FG_FRAME_UNKNOWN);
	name_eq(0x7ffc1000, "__vdso_clock_gettime", "[vdso]", G,
		"__vdso_clock_gettime", FG_FRAME_SYM);
	name_eq(1, "Interpreter::run", "/tmp/perf-123.map", U,
		"Interpreter::run_[j]", FG_FRAME_SYM);
	name_eq(1, NULL, "/tmp/perf-123.map", U, "[perf-123.map]_[j]",
		FG_FRAME_DSO);
	/* named by the caller's JIT source */
	f.jit = true;
	assert_int_equal(fg_namer__frame(&o, &f, &b), FG_FRAME_SYM);
	assert_string_equal(b.buf, "fn_[j]");
	/* never twice */
	f.sym = "fn_[j]";
	f.sym_len = 6;
	fg_namer__frame(&o, &f, &b);
	assert_string_equal(b.buf, "fn_[j]");
	/* inlined frames always say so, kernel or not */
	f.jit = false;
	f.inlined = true;
	f.sym = "inner";
	f.sym_len = 5;
	fg_namer__frame(&o, &f, &b);
	assert_string_equal(b.buf, "inner_[i]");
	o.annotate = FG_ANNOTATE_KERNEL;
	name_eq(1, "Interpreter::run", "/tmp/perf-123.map", U,
		"Interpreter::run", FG_FRAME_SYM);
	o.annotate = FG_ANNOTATE_JIT;
	name_eq(KADDR, "do_syscall_64", "[kernel.kallsyms]", K,
		"do_syscall_64", FG_FRAME_SYM);
	fg_buf__release(&b);
}

static void test_parse_annotate(void **state)
{
	unsigned int a = 99;

	assert_int_equal(fg_namer__parse_annotate("none", &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(fg_namer__parse_annotate("kernel", &a), 0);
	assert_int_equal(a, FG_ANNOTATE_KERNEL);
	assert_int_equal(fg_namer__parse_annotate("jit", &a), 0);
	assert_int_equal(a, FG_ANNOTATE_JIT);
	assert_int_equal(fg_namer__parse_annotate("all", &a), 0);
	assert_int_equal(a, FG_ANNOTATE_ALL);
	assert_int_equal(fg_namer__parse_annotate("java", &a), -EINVAL);
}

/* the process frame */
static void test_process(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_namer__process_ids(&o, "my prog", 12, 13, &b), 0);
	assert_string_equal(b.buf, "my_prog");
	o.pid = true;
	fg_namer__process_ids(&o, "app;x", 12, 13, &b);
	assert_string_equal(b.buf, "app_x-12");
	o.tid = true;
	fg_namer__process_ids(&o, "app", 12, 13, &b);
	assert_string_equal(b.buf, "app-12/13");
	/* numbers formatted by hand: 0, negatives, the extremes */
	fg_namer__process_ids(&o, "app", 0, -1, &b);
	assert_string_equal(b.buf, "app-0/-1");
	fg_namer__process_ids(&o, "app", INT_MAX, INT_MIN, &b);
	assert_string_equal(b.buf, "app-2147483647/-2147483648");
	/* text input: pid unknown */
	fg_namer__process(&o, "app", 3, "?", 1, "13", 2, &b);
	assert_string_equal(b.buf, "app-?/13");
	o.pid = o.tid = false;
	fg_namer__process(&o, NULL, 0, NULL, 0, NULL, 0, &b);
	assert_string_equal(b.buf, "[unknown]");
	fg_buf__release(&b);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_symbol), T(test_demangle), T(test_sanitise),
		T(test_java), T(test_dso), T(test_unknown), T(test_addrs),
		T(test_kernel_rule), T(test_jit_rule), T(test_annotate),
		T(test_parse_annotate), T(test_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
