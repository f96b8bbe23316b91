// SPDX-License-Identifier: GPL-2.0
/*
 * gperftools CPU/heap profile reader and ELF symbolizer: profiles are built
 * from this test binary's own function addresses and its real
 * /proc/self/maps, so symbolization runs against a real PIE (load bias).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <flame/elfsym.h>
#include <flame/gperf.h>

/* ---- functions whose addresses make the stacks --------------------------- */

volatile int gp_sink;

__attribute__((noinline)) void gp_leaf(void)
{
	int i;

	for (i = 0; i < 100; i++)
		gp_sink += i;
}

__attribute__((noinline)) void gp_mid(void)
{
	gp_leaf();
	gp_sink++;
	gp_leaf();
}

/* a C++-style mangled name: demangled like perf shows it */
__attribute__((noinline)) void gp_mangled(void) __asm__("_ZN5proxy6filter6onDataEv");
__attribute__((noinline)) void gp_mangled(void)
{
	gp_sink += 3;
	gp_leaf();
	gp_sink += 3;
}

__attribute__((noinline)) void gp_root(void)
{
	gp_mid();
	gp_sink++;
	gp_mid();
}

static uint64_t fa(void (*f)(void), unsigned int off)
{
	return (uint64_t)(uintptr_t)f + off;
}

/* ---- helpers --------------------------------------------------------------- */

static char *self_maps(size_t *len)
{
	struct fg_buf b = FG_BUF_INIT;
	char buf[4096];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fg_buf__add(&b, buf, (size_t)n);
	close(fd);
	*len = b.len;
	return b.buf;
}

struct words_buf {
	struct fg_buf b;
	unsigned int ws;
	bool swap;
};

static void put(struct words_buf *w, uint64_t v)
{
	if (w->ws == 8) {
		uint64_t x = w->swap ? __builtin_bswap64(v) : v;

		fg_buf__add(&w->b, &x, 8);
	} else {
		uint32_t x = (uint32_t)v;

		if (w->swap)
			x = __builtin_bswap32(x);
		fg_buf__add(&w->b, &x, 4);
	}
}

static void put_header(struct words_buf *w, uint64_t period)
{
	put(w, 0);
	put(w, 3);
	put(w, 0);
	put(w, period);
	put(w, 0);
}

static void put_trailer(struct words_buf *w)
{
	put(w, 0);
	put(w, 1);
	put(w, 0);
}

static char *folded_of(struct fg_profile *p)
{
	struct fg_buf out = FG_BUF_INIT;
	struct fg_opts o;

	fg_opts__init(&o);
	assert_int_equal(fg_output_folded.write(&out, p, &o), 0);
	fg_opts__release(&o);
	if (!out.buf)
		fg_buf__adds(&out, "");
	return out.buf;
}

static const char *self_base(void)
{
	static char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *s;

	assert_true(n > 0);
	exe[n] = '\0';
	s = strrchr(exe, '/');
	return s ? s + 1 : exe;
}

/* Append the leaf-first stack of the two test shapes to w. */
static void put_records(struct words_buf *w)
{
	/* 5 x root -> mid -> leaf (pc[0] exact, the others return addresses) */
	put(w, 5);
	put(w, 3);
	put(w, fa(gp_leaf, 4));
	put(w, fa(gp_mid, 9));
	put(w, fa(gp_root, 9));
	/* 2 x root -> mid */
	put(w, 2);
	put(w, 2);
	put(w, fa(gp_mid, 2));
	put(w, fa(gp_root, 9));
}

/* ---- tests ----------------------------------------------------------------- */

static void test_cpu_symbolizes_pie(void **state)
{
	struct words_buf w = { FG_BUF_INIT, 8, false };
	struct fg_profile *p = fg_profile__new();
	struct fg_gperf_stats st;
	char *maps, *folded, want[512];
	size_t mlen;

	put_header(&w, 10000);
	put_records(&w);
	put_trailer(&w);
	maps = self_maps(&mlen);
	fg_buf__add(&w.b, maps, mlen);
	free(maps);

	assert_int_equal(fg_gperf__detect(w.b.buf, w.b.len), FG_GPERF_CPU);
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, NULL, &st), 0);
	assert_int_equal(st.kind, FG_GPERF_CPU);
	assert_int_equal(st.word_size, 8);
	assert_int_equal(st.period_us, 10000);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.samples, 7);
	assert_int_equal(st.unresolved, 0);
	assert_int_equal(fg_profile__total(p, 0), 7);
	folded = folded_of(p);
	snprintf(want, sizeof(want), "%s;gp_root;gp_mid;gp_leaf 5\n", self_base());
	assert_non_null(strstr(folded, want));
	snprintf(want, sizeof(want), "%s;gp_root;gp_mid 2\n", self_base());
	assert_non_null(strstr(folded, want));
	free(folded);
	fg_profile__delete(p);
	fg_buf__release(&w.b);
}

/* A return address at a function's very end belongs to the call before it. */
static void test_cpu_return_address_minus_one(void **state)
{
	struct words_buf w = { FG_BUF_INIT, 8, false };
	struct fg_profile *p = fg_profile__new();
	struct fg_gperf_opts o = { .root_frame = "proxy" };
	char *maps, *folded;
	size_t mlen;

	put_header(&w, 100);
	put(&w, 1);
	put(&w, 2);
	put(&w, fa(gp_leaf, 0));	/* exact pc: gp_leaf's first byte */
	put(&w, fa(gp_mid, 0));		/* return address: gp_mid - 1 is not gp_mid */
	put_trailer(&w);
	maps = self_maps(&mlen);
	fg_buf__add(&w.b, maps, mlen);
	free(maps);
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, &o, NULL), 0);
	folded = folded_of(p);
	assert_non_null(strstr(folded, "proxy;"));
	assert_non_null(strstr(folded, ";gp_leaf 1\n"));
	assert_null(strstr(folded, "gp_mid;gp_leaf"));
	free(folded);
	fg_profile__delete(p);
	fg_buf__release(&w.b);
}

static void test_cpu_demangles(void **state)
{
	struct words_buf w = { FG_BUF_INIT, 8, false };
	struct fg_profile *p = fg_profile__new();
	struct fg_gperf_opts o = { .root_frame = "envoy" };
	char *maps, *folded;
	size_t mlen;

	put_header(&w, 100);
	put(&w, 3);
	put(&w, 2);
	put(&w, fa(gp_leaf, 3));
	put(&w, fa(gp_mangled, 12));
	put_trailer(&w);
	maps = self_maps(&mlen);
	fg_buf__add(&w.b, maps, mlen);
	free(maps);
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, &o, NULL), 0);
	folded = folded_of(p);
	assert_non_null(strstr(folded, "envoy;proxy::filter::onData;gp_leaf 3\n"));
	free(folded);
	fg_profile__delete(p);
	fg_buf__release(&w.b);
}

static void test_cpu_32bit_and_byte_swapped(void **state)
{
	static const struct { unsigned int ws; bool swap; } v[] = {
		{ 4, false }, { 4, true }, { 8, true },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct words_buf w = { FG_BUF_INIT, v[i].ws, v[i].swap };
		struct fg_profile *p = fg_profile__new();
		struct fg_gperf_stats st;
		const char *maps = "00400000-00500000 r-xp 00000000 08:01 42 /nonexistent/bin/proxy\n";
		char *folded;

		put_header(&w, 4000);
		put(&w, 3);
		put(&w, 2);
		put(&w, 0x401000);
		put(&w, 0x402000);
		put(&w, 4);
		put(&w, 1);
		put(&w, 0x9000000);	/* outside every map */
		put_trailer(&w);
		fg_buf__adds(&w.b, maps);
		assert_int_equal(fg_gperf__detect(w.b.buf, w.b.len), FG_GPERF_CPU);
		assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, NULL, &st), 0);
		assert_int_equal(st.word_size, v[i].ws);
		assert_int_equal(st.period_us, 4000);
		assert_int_equal(st.samples, 7);
		assert_int_equal(st.unresolved, 3);
		folded = folded_of(p);
		assert_non_null(strstr(folded, "proxy;[proxy];[proxy] 3\n"));
		assert_non_null(strstr(folded, "proxy;[unknown] 4\n"));
		free(folded);
		fg_profile__delete(p);
		fg_buf__release(&w.b);
	}
}

static void test_cpu_addrs_option(void **state)
{
	struct words_buf w = { FG_BUF_INIT, 8, false };
	struct fg_profile *p = fg_profile__new();
	struct fg_gperf_opts o = { .addrs = true };
	char *folded;

	put_header(&w, 100);
	put(&w, 1);
	put(&w, 1);
	put(&w, 0x401234);
	put_trailer(&w);
	fg_buf__adds(&w.b, "00400000-00500000 r-xp 00001000 08:01 42 /nonexistent/proxy bin\n");
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, &o, NULL), 0);
	folded = folded_of(p);
	/* path with a space: the namer's root and unresolved-address forms */
	assert_non_null(strstr(folded, "proxy_bin;[proxy bin <2234>] 1\n"));
	free(folded);
	fg_profile__delete(p);
	fg_buf__release(&w.b);
}

static void test_cpu_malformed(void **state)
{
	struct words_buf w = { FG_BUF_INIT, 8, false };
	struct fg_profile *p = fg_profile__new();
	struct fg_gperf_stats st;

	/* not a profile */
	assert_int_equal(fg_gperf__read_mem(p, "hello world, not a profile", 26, NULL, &st),
			 -EINVAL);
	/* a depth running past the end */
	put_header(&w, 100);
	put(&w, 1);
	put(&w, 1000000);
	put(&w, 0x1234);
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, NULL, &st), -EINVAL);
	assert_int_equal(fg_profile__total(p, 0), 0);
	fg_buf__reset(&w.b);
	/* truncated (no trailer, no maps): the records still count */
	put_header(&w, 100);
	put(&w, 6);
	put(&w, 1);
	put(&w, 0x1234);
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, NULL, &st), 0);
	assert_int_equal(fg_profile__total(p, 0), 6);
	assert_int_equal(st.nr_maps, 0);
	/* a half word at the end is ignored */
	fg_buf__add(&w.b, "\x01\x02\x03", 3);
	assert_int_equal(fg_gperf__read_mem(p, w.b.buf, w.b.len, NULL, &st), 0);
	fg_profile__delete(p);
	fg_buf__release(&w.b);
}

static void test_heap_profile(void **state)
{
	struct fg_buf h = FG_BUF_INIT;
	struct fg_profile *p = fg_profile__new(), *q = fg_profile__new();
	struct fg_gperf_opts o = { .root_frame = "proxy", .heap_value = FG_GPERF_ALLOC_OBJECTS };
	struct fg_gperf_stats st;
	char *maps, *folded;
	size_t mlen;

	fg_buf__adds(&h, "heap profile:    3:      300 [     9:      900] @ heapprofile\n");
	fg_buf__addf(&h, "     2:      200 [     3:      300] @ 0x%llx 0x%llx\n",
		     (unsigned long long)fa(gp_leaf, 5), (unsigned long long)fa(gp_mid, 5));
	fg_buf__addf(&h, "     1:      100 [     6:      600] @ 0x%llx\n",
		     (unsigned long long)fa(gp_root, 5));
	fg_buf__adds(&h, "  garbage line\n");
	fg_buf__adds(&h, "     0:        0 [     1:        8] @ 0x1\n");
	fg_buf__adds(&h, "\nMAPPED_LIBRARIES:\n");
	maps = self_maps(&mlen);
	fg_buf__add(&h, maps, mlen);
	free(maps);

	assert_int_equal(fg_gperf__detect(h.buf, h.len), FG_GPERF_HEAP);
	assert_int_equal(fg_gperf__read_mem(p, h.buf, h.len, NULL, &st), 0);
	assert_int_equal(st.kind, FG_GPERF_HEAP);
	assert_int_equal(st.bad_records, 1);
	assert_int_equal(fg_profile__total(p, 0), 300);	/* in-use bytes */
	folded = folded_of(p);
	assert_non_null(strstr(folded, ";gp_mid;gp_leaf 200\n"));
	assert_non_null(strstr(folded, ";gp_root 100\n"));
	free(folded);

	assert_int_equal(fg_gperf__read_mem(q, h.buf, h.len, &o, &st), 0);
	assert_int_equal(fg_profile__total(q, 0), 3 + 6 + 1);	/* allocated objects */
	folded = folded_of(q);
	assert_non_null(strstr(folded, "proxy;gp_mid;gp_leaf 3\n"));
	free(folded);
	fg_profile__delete(p);
	fg_profile__delete(q);
	fg_buf__release(&h);
}

static void test_heap_malformed_header(void **state)
{
	struct fg_profile *p = fg_profile__new();
	const char *bad = "heap profile: lots of bytes\n 1: 2 [ 3: 4] @ 0x10\n";

	assert_int_equal(fg_gperf__read_mem(p, bad, strlen(bad), NULL, NULL), -EINVAL);
	fg_profile__delete(p);
}

/* heap_v2/RATE: sampled counts are scaled back up (pprof's model). */
static void test_heap_v2_unsampling(void **state)
{
	struct fg_profile *p = fg_profile__new();
	const char *h = "heap profile: 1: 1024 [ 1: 1024] @ heap_v2/524288\n"
			" 1: 1024 [ 1: 1024] @ 0x10\n";
	uint64_t t;

	assert_int_equal(fg_gperf__read_mem(p, h, strlen(h), NULL, NULL), 0);
	t = fg_profile__total(p, 0);
	/* 1024 / (1 - exp(-1024/524288)) ~= 524800 */
	assert_true(t > 520000 && t < 530000);
	fg_profile__delete(p);
}

/* addr's offset in the file /proc/self/maps maps it from; UINT64_MAX if none */
static uint64_t self_file_off(uint64_t addr)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	unsigned long long start, end, off;
	char line[4400];
	uint64_t ret = UINT64_MAX;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off) == 3 &&
		    addr >= start && addr < end) {
			ret = addr - start + off;
			break;
		}
	}
	fclose(fp);
	return ret;
}

/* A container's absolute symlink must not reach the host's files. */
static void test_elfsym_root_confines_symlinks(void **state)
{
	char dir[] = "/tmp/test-gperf.XXXXXX", path[4200], cmd[8600], exe[4096];
	struct fg_elfsym *host, *jail;
	uint64_t off = 0;
	ssize_t n;

	assert_non_null(mkdtemp(dir));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/escape", dir);
	assert_int_equal(symlink(exe, path), 0);
	snprintf(path, sizeof(path), "%s/copy", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", exe, path);
	assert_int_equal(system(cmd), 0);

	host = fg_elfsym__new(NULL);
	jail = fg_elfsym__new(dir);
	assert_non_null(host);
	assert_non_null(jail);
	/* the symbol table works on the real file: find gp_leaf's file offset */
	off = self_file_off(fa(gp_leaf, 1));
	assert_true(off != UINT64_MAX);
	assert_string_equal(fg_elfsym__resolve(host, exe, off, NULL), "gp_leaf");
	/* inside the root: the copy resolves, the escaping symlink does not */
	assert_string_equal(fg_elfsym__resolve(jail, "/copy", off, NULL), "gp_leaf");
	assert_null(fg_elfsym__resolve(jail, "/escape", off, NULL));
	assert_null(fg_elfsym__resolve(jail, "/escape", off, NULL));	/* remembered */
	assert_int_equal(fg_elfsym__nr_failed(jail), 1);
	assert_int_equal(fg_elfsym__nr_opened(jail), 1);
	/* not ELF, not regular */
	assert_null(fg_elfsym__resolve(host, "/proc/self/status", 0, NULL));
	assert_null(fg_elfsym__resolve(host, "/dev/null", 0, NULL));
	fg_elfsym__delete(host);
	fg_elfsym__delete(jail);
	fg_elfsym__delete(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int quiet(enum fg_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_symbolizes_pie),
		cmocka_unit_test(test_cpu_return_address_minus_one),
		cmocka_unit_test(test_cpu_demangles),
		cmocka_unit_test(test_cpu_32bit_and_byte_swapped),
		cmocka_unit_test(test_cpu_addrs_option),
		cmocka_unit_test(test_cpu_malformed),
		cmocka_unit_test(test_heap_profile),
		cmocka_unit_test(test_heap_malformed_header),
		cmocka_unit_test(test_heap_v2_unsampling),
		cmocka_unit_test(test_elfsym_root_confines_symlinks),
	};

	fg_set_print(quiet);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
