// SPDX-License-Identifier: GPL-2.0
/*
 * flame.so internals (plugin/frames.h): option parsing in both spellings,
 * the address cache, the whole-callchain cache, the comm cache, and the
 * callchain walk with PERF_CONTEXT_* markers through a test resolver set in
 * struct frame_walk.resolve (the seam perf's resolve_address fills in the
 * plugin): naming, annotation, resolve-once per (process incarnation,
 * address), kernel-only / user-only.
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
#include <cmocka.h>

#include "frames.h"

/* plugin/frames.o and cfg.o are linked in (Makefile); perf's table: */
struct perf_dlfilter_fns perf_dlfilter_fns;

/* ---- option parsing ---- */

static char msg[1024];

/* Parse the NULL-terminated words; stderr is captured into msg. */
static int parse_v(struct flame_cfg *c, struct fg_opts *o, char **argv)
{
	FILE *tmp = tmpfile();
	int argc = 0, saved, ret;
	size_t n;

	while (argv[argc])
		argc++;
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	ret = flame_cfg__parse(c, o, argc, argv);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fileno(tmp), msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	fclose(tmp);
	return ret;
}

#define PARSE(c, o, ...) ({						\
	char *_argv[] = { __VA_ARGS__, NULL };				\
	flame_cfg__init(c);						\
	fg_opts__init(o);						\
	parse_v(c, o, _argv);						\
})

static void done(struct flame_cfg *c, struct fg_opts *o)
{
	flame_cfg__release(c);
	fg_opts__release(o);
}

static void test_cfg_defaults(void **state)
{
	struct flame_cfg c;
	struct fg_opts o;
	char *argv[] = { NULL };

	(void)state;
	flame_cfg__init(&c);
	fg_opts__init(&o);
	assert_int_equal(parse_v(&c, &o, argv), 0);
	assert_string_equal(msg, "");
	assert_false(c.show_pid);
	assert_false(c.show_tid);
	assert_int_equal(c.pids.n, 0);
	assert_int_equal(c.names.annotate, 0u);
	assert_false(c.weight_period);
	assert_false(c.group_container);
	assert_false(c.kernel_only);
	assert_false(c.user_only);
	assert_int_equal(o.out.n, 0);
	done(&c, &o);
}

static void test_cfg_key_value(void **state)
{
	struct flame_cfg c;
	struct fg_opts o;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "event=cpu-clock", "comm=my app",
			       "out=a.svg", "out=b.folded", "title=T=1",
			       "minwidth=0.5%", "addrs=1", "cpu=0,3",
			       "hash=off", "search_color=red"), 0);
	assert_string_equal(msg, "");
	assert_string_equal(c.event, "cpu-clock");
	assert_string_equal(c.comm, "my app");
	assert_int_equal(o.out.n, 2);
	assert_string_equal(o.out.v[0], "a.svg");
	assert_string_equal(o.out.v[1], "b.folded");
	/* only the first '=' splits */
	assert_string_equal(o.title, "T=1");
	assert_true(o.minwidth_pct == 0.5);
	assert_true(o.minwidth == 0.0);
	assert_true(c.addrs);
	assert_int_equal(c.cpus.n, 2);
	assert_int_equal(c.cpus.v[0], 0);
	assert_int_equal(c.cpus.v[1], 3);
	assert_true(idlist__has(&c.cpus, 3));
	assert_false(idlist__has(&c.cpus, 1));
	assert_false(o.hash);
	assert_string_equal(o.search_color, "red");
	done(&c, &o);

	/* a bare boolean word is "on" */
	assert_int_equal(PARSE(&c, &o, "kernel-only", "inverted"), 0);
	assert_true(c.kernel_only);
	assert_true(o.inverted);
	done(&c, &o);
}

static void test_cfg_pid_tid(void **state)
{
	struct flame_cfg c;
	struct fg_opts o;

	(void)state;
	/* pid=1: naming (comm-PID root frames), selects nothing */
	assert_int_equal(PARSE(&c, &o, "pid=1", "tid=1"), 0);
	assert_true(c.show_pid);
	assert_true(c.show_tid);
	assert_int_equal(c.pids.n, 0);
	assert_int_equal(c.tids.n, 0);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "pid=0", "tid=off"), 0);
	assert_false(c.show_pid);
	assert_false(c.show_tid);
	assert_int_equal(c.pids.n, 0);
	done(&c, &o);
	/* other numbers select */
	assert_int_equal(PARSE(&c, &o, "pid=1234,5", "tid=77"), 0);
	assert_false(c.show_pid);
	assert_false(c.show_tid);
	assert_int_equal(c.pids.n, 2);
	assert_int_equal(c.pids.v[0], 1234);
	assert_int_equal(c.pids.v[1], 5);
	assert_true(idlist__has(&c.pids, 5));
	assert_false(idlist__has(&c.pids, 1));
	assert_int_equal(c.tids.n, 1);
	assert_int_equal(c.tids.v[0], 77);
	done(&c, &o);
	/* PID 1 itself can be selected as a list */
	assert_int_equal(PARSE(&c, &o, "pid=1,"), 0);
	assert_false(c.show_pid);
	assert_int_equal(c.pids.n, 1);
	assert_int_equal(c.pids.v[0], 1);
	done(&c, &o);
	/* show-pid is the explicit spelling */
	assert_int_equal(PARSE(&c, &o, "show-pid=1", "show_tid"), 0);
	assert_true(c.show_pid);
	assert_true(c.show_tid);
	done(&c, &o);
	/* malformed lists */
	assert_int_equal(PARSE(&c, &o, "pid=12x"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'pid=12x': expects a comma-separated list of numbers\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "cpu=1,,2"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'cpu=1,,2': expects a comma-separated list of numbers\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "tid=99999999999"), -EINVAL);
	done(&c, &o);
}

static void test_cfg_values(void **state)
{
	static const struct { const char *arg; unsigned int want; } ann[] = {
		{ "annotate=kernel", FG_ANNOTATE_KERNEL },
		{ "annotate=jit", FG_ANNOTATE_JIT },
		{ "annotate=all", FG_ANNOTATE_ALL },
		{ "annotate=none", 0 },
	};
	struct flame_cfg c;
	struct fg_opts o;
	size_t i;

	(void)state;
	assert_int_equal(FG_ANNOTATE_ALL, FG_ANNOTATE_KERNEL | FG_ANNOTATE_JIT);
	for (i = 0; i < 4; i++) {
		assert_int_equal(PARSE(&c, &o, (char *)ann[i].arg), 0);
		assert_int_equal(c.names.annotate, ann[i].want);
		done(&c, &o);
	}
	assert_int_equal(PARSE(&c, &o, "annotate=java"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'annotate=java': expects kernel, jit, all or none\n");
	done(&c, &o);

	assert_int_equal(PARSE(&c, &o, "weight=period"), 0);
	assert_true(c.weight_period);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "weight=samples"), 0);
	assert_false(c.weight_period);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "weight=count"), 0);
	assert_false(c.weight_period);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "weight=cycles"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'weight=cycles': expects samples or period\n");
	done(&c, &o);

	assert_int_equal(PARSE(&c, &o, "group=container"), 0);
	assert_true(c.group_container);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "group=none"), 0);
	assert_false(c.group_container);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "group=pod"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'group=pod': expects container or none\n");
	done(&c, &o);

	assert_int_equal(PARSE(&c, &o, "kernel-only=1", "user-only=yes"),
			 -EINVAL);
	assert_string_equal(msg, "flame.so: kernel-only and user-only exclude each other\n");
	done(&c, &o);
	/* turning one off again is fine */
	assert_int_equal(PARSE(&c, &o, "kernel-only=1", "user-only=1",
			       "kernel-only=0"), 0);
	assert_true(c.user_only);
	assert_false(c.kernel_only);
	done(&c, &o);

	/* container options reach the JIT options */
	assert_int_equal(PARSE(&c, &o, "maps=/snap", "rootfs=12:/r1",
			       "rootfs=13:/r2", "no-live=1", "no_host"), 0);
	assert_string_equal(c.jit.maps_dir, "/snap");
	assert_int_equal(c.jit.rootfs.n, 2);
	assert_string_equal(c.jit.rootfs.v[1], "13:/r2");
	assert_true(c.jit.no_live);
	assert_true(c.jit.no_host);
	done(&c, &o);
}

static void test_cfg_dash_style(void **state)
{
	struct flame_cfg c;
	struct fg_opts o;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "--pid", "1234,5", "--annotate=jit",
			       "--addrs", "--no-hash", "--out", "x.svg",
			       "--title", "--not-a-flag", "--width=800",
			       "--kernel-only", "--no-kernel-only",
			       "--user_only"), 0);
	assert_string_equal(msg, "");
	assert_int_equal(c.pids.n, 2);
	assert_int_equal(c.pids.v[1], 5);
	assert_int_equal(c.names.annotate, FG_ANNOTATE_JIT);
	assert_true(c.addrs);
	assert_false(o.hash);
	assert_int_equal(o.out.n, 1);
	assert_string_equal(o.out.v[0], "x.svg");
	/* a value word may start with "--" */
	assert_string_equal(o.title, "--not-a-flag");
	assert_int_equal(o.width, 800);
	assert_false(c.kernel_only);
	assert_true(c.user_only);
	done(&c, &o);

	/* "no-live" is itself an option: --no-live sets it, not "live" */
	assert_int_equal(PARSE(&c, &o, "--no-live", "--hash=off", "--pid=1"), 0);
	assert_true(c.no_live);
	assert_false(o.hash);
	assert_true(c.show_pid);
	done(&c, &o);

	/* the two styles mix */
	assert_int_equal(PARSE(&c, &o, "out=a.folded", "--out", "b.svg",
			       "weight=period"), 0);
	assert_int_equal(o.out.n, 2);
	assert_string_equal(o.out.v[1], "b.svg");
	assert_true(c.weight_period);
	done(&c, &o);
}

static void test_cfg_errors(void **state)
{
	struct flame_cfg c;
	struct fg_opts o;

	(void)state;
	assert_int_equal(PARSE(&c, &o, "help"), FLAME_HELP);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "out=a.svg", "--help"), FLAME_HELP);
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "-h"), FLAME_HELP);
	done(&c, &o);

	assert_int_equal(PARSE(&c, &o, "nosuch=1"), -EINVAL);
	assert_string_equal(msg, "flame.so: unknown option 'nosuch=1' (--dlarg help lists the options)\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "--nosuch", "1"), -EINVAL);
	assert_string_equal(msg, "flame.so: unknown option '--nosuch' (--dlarg help lists the options)\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "=x"), -EINVAL);
	assert_string_equal(msg, "flame.so: unknown option '=x' (--dlarg help lists the options)\n");
	done(&c, &o);
	/* a non-boolean without a value */
	assert_int_equal(PARSE(&c, &o, "title"), -EINVAL);
	assert_string_equal(msg, "flame.so: malformed option 'title': expects key=value\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "garbage"), -EINVAL);
	assert_string_equal(msg, "flame.so: malformed option 'garbage': expects key=value\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "--width"), -EINVAL);
	assert_string_equal(msg, "flame.so: option '--width' needs a value\n");
	done(&c, &o);
	/* bad values name the word and say what was expected */
	assert_int_equal(PARSE(&c, &o, "width=abc"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'width=abc': expects a whole number from 0 to 2147483647\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "--minwidth", "5%%"), -EINVAL);
	assert_string_equal(msg, "flame.so: option '5%%': expects pixels (0.5) or a percentage (0.1%)\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "addrs=maybe"), -EINVAL);
	assert_string_equal(msg, "flame.so: option 'addrs=maybe': expects on/off, yes/no, 1/0\n");
	done(&c, &o);
	/* --no- only negates booleans; the error names the word given */
	assert_int_equal(PARSE(&c, &o, "--no-title", "x.svg"), -EINVAL);
	assert_string_equal(msg, "flame.so: unknown option '--no-title' (--dlarg help lists the options)\n");
	done(&c, &o);
	assert_int_equal(PARSE(&c, &o, "--no-nosuch"), -EINVAL);
	assert_string_equal(msg, "flame.so: unknown option '--no-nosuch' (--dlarg help lists the options)\n");
	done(&c, &o);
	/* a key longer than any option */
	{
		char longkey[200];

		memset(longkey, 'k', 150);
		strcpy(longkey + 150, "=1");
		assert_int_equal(PARSE(&c, &o, longkey), -EINVAL);
		assert_non_null(strstr(msg, "unknown option"));
		done(&c, &o);
	}
}

static void test_cfg_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	const struct fg_opt_desc *d;

	(void)state;
	flame_cfg__help(fp);
	fclose(fp);
	for (d = flame_cfg_opts; d->name; d++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %s=", d->name);
		assert_non_null(strstr(buf, want));
	}
	for (d = fg_naming_opts; d->name; d++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %s=", d->name);
		assert_non_null(strstr(buf, want));
	}
	assert_non_null(strstr(buf, "\n  width=N "));
	assert_non_null(strstr(buf, "[default: samples]"));
	free(buf);
}

/* ---- frame cache ---- */

static void test_frame_cache(void **state)
{
	struct frame_cache fc;
	struct frame_key k = { 0 };
	struct frame_val v;
	size_t i, n = 100000;

	(void)state;
	assert_int_equal(frame_cache__init(&fc), 0);
	k.addr = 0x400000;
	k.pid = 10;
	assert_false(frame_cache__find(&fc, &k, &v));
	assert_int_equal(fc.misses, 1);
	/* many entries: several doublings from 16384 slots */
	for (i = 0; i < n; i++) {
		k.addr = 0x400000 + i * 16;
		k.pid = (int32_t)(i % 7) - 2;	/* -2..4: guest, kernel, pids */
		k.gen = (uint32_t)(i % 3);
		k.incarnation = (uint32_t)(i % 5);
		assert_int_equal(frame_cache__insert(&fc, &k,
			(struct frame_val){ .name = (uint32_t)i,
					    .kind = (uint32_t)(i % 4) }), 0);
	}
	assert_int_equal(fc.count, n);
	assert_true(fc.tab.mask + 1 >= 2 * n);
	for (i = 0; i < n; i++) {
		k.addr = 0x400000 + i * 16;
		k.pid = (int32_t)(i % 7) - 2;
		k.gen = (uint32_t)(i % 3);
		k.incarnation = (uint32_t)(i % 5);
		assert_true(frame_cache__find(&fc, &k, &v));
		assert_int_equal(v.name, i);
		assert_int_equal(v.kind, i % 4);
	}
	/* the same address under another pid / gen / incarnation is absent */
	k.addr = 0x400000;
	k.pid = -2;
	k.gen = 0;
	k.incarnation = 0;
	assert_true(frame_cache__find(&fc, &k, &v));
	k.pid = 3;
	assert_false(frame_cache__find(&fc, &k, &v));
	k.pid = -2;
	k.gen = 1;
	assert_false(frame_cache__find(&fc, &k, &v));
	k.gen = 0;
	k.incarnation = 1;
	assert_false(frame_cache__find(&fc, &k, &v));
	k.incarnation = 0;
	/* inserting an existing key replaces its value, no new entry */
	assert_int_equal(frame_cache__insert(&fc, &k,
			 (struct frame_val){ .name = 4242 }), 0);
	assert_int_equal(fc.count, n);
	assert_true(frame_cache__find(&fc, &k, &v));
	assert_int_equal(v.name, 4242);
	assert_int_equal(v.kind, 0);
	assert_int_equal(fc.hits, n + 2);
	assert_int_equal(fc.misses, 4);
	/* a name id or kind too big to pack is not cached, nor wrong */
	k.addr = 0x1;
	assert_int_equal(frame_cache__insert(&fc, &k,
			 (struct frame_val){ .name = 1u << 28 }), 0);
	assert_false(frame_cache__find(&fc, &k, &v));
	assert_int_equal(frame_cache__insert(&fc, &k,
			 (struct frame_val){ .name = (1u << 28) - 1,
					     .kind = 15 }), 0);
	assert_true(frame_cache__find(&fc, &k, &v));
	assert_int_equal(v.name, (1u << 28) - 1);
	assert_int_equal(v.kind, 15);
	frame_cache__release(&fc);
	assert_null(fc.tab.slots);
}

/* ---- whole-callchain cache ---- */

static void test_stack_cache(void **state)
{
	struct stack_cache sc;
	__u64 chain[] = { PERF_CONTEXT_USER, 0x1000, 0x2000, 0x3000 };
	__u64 other[] = { PERF_CONTEXT_USER, 0x1000, 0x2000, 0x3001 };
	struct stack_key k = { .chain = chain, .nr = 4, .pid = 10, .tid = 11,
			       .gen = 1, .incarnation = 2 };
	struct stack_key q;
	struct stack_ent val = { .node = 77, .frames = 3 }, *e;

	(void)state;
	assert_int_equal(stack_cache__init(&sc, 1 << 20), 0);
	stack_key__hash(&k);
	assert_true(k.hash & 1);
	assert_null(stack_cache__find(&sc, &k));
	stack_cache__insert(&sc, &k, &val);
	e = stack_cache__find(&sc, &k);
	assert_non_null(e);
	assert_int_equal(e->node, 77);
	assert_int_equal(e->frames, 3);
	assert_int_equal(e->nr, 4);
	/* the chain was copied: changing the caller's array changes nothing */
	chain[3] = 0x9999;
	q = k;
	q.chain = other;
	other[3] = 0x3000;
	stack_key__hash(&q);
	assert_ptr_equal(stack_cache__find(&sc, &q), e);
	chain[3] = 0x3000;
	/* any part of the key differs: a miss */
	other[3] = 0x3001;
	stack_key__hash(&q);
	assert_null(stack_cache__find(&sc, &q));
	other[3] = 0x3000;
#define MISS_WITH(field, value) do {					\
		q = k;							\
		q.field = value;					\
		stack_key__hash(&q);					\
		assert_null(stack_cache__find(&sc, &q));		\
	} while (0)
	MISS_WITH(pid, 12);
	MISS_WITH(tid, 10);
	MISS_WITH(gen, 2);
	MISS_WITH(incarnation, 3);
	MISS_WITH(nr, 3);
	/* same hash forced, different chain: compared, not trusted */
	q = k;
	q.chain = other;
	other[3] = 0x3001;
	q.hash = k.hash;
	assert_null(stack_cache__find(&sc, &q));
	stack_cache__release(&sc);
}

/*
 * stack_key__hash_cut: the hash of the chain with d callers next to the
 * hole taken out equals the hash of that chain written out; it stops at a
 * context marker and at the chain's end.
 */
static void test_stack_key_hash_cut(void **state)
{
	__u64 chain[] = { PERF_CONTEXT_KERNEL, FRAMES_HOLE, 0xa1, 0xa2, 0xa3,
			  PERF_CONTEXT_USER, 0x10, 0x20 };
	__u64 user[] = { PERF_CONTEXT_USER, FRAMES_HOLE, 0x10, 0x20, 0x30 };
	__u64 want[8];
	struct stack_key k = { .chain = chain, .nr = 8, .pid = 7, .tid = 8,
			       .gen = 3, .incarnation = 1 };
	struct stack_key q = k;
	uint64_t h[STACK_CUT_MAX];
	unsigned int n, d;

	(void)state;
	/* kernel part: 0xa1..0xa3 may go, not the USER marker after them */
	n = stack_key__hash_cut(&k, 1, STACK_CUT_MAX, h);
	assert_int_equal(n, 3);
	for (d = 1; d <= n; d++) {
		want[0] = PERF_CONTEXT_KERNEL;
		want[1] = FRAMES_HOLE;
		memcpy(want + 2, chain + 2 + d, (8 - 2 - d) * sizeof(__u64));
		q.chain = want;
		q.nr = 8 - d;
		stack_key__hash(&q);
		assert_true(q.hash == h[d - 1]);
	}
	assert_int_equal(stack_key__hash_cut(&k, 1, 2, h), 2);
	/* user part: every caller, down to a chain of the hole alone */
	k.chain = user;
	k.nr = 5;
	n = stack_key__hash_cut(&k, 1, STACK_CUT_MAX, h);
	assert_int_equal(n, 3);
	q = k;
	q.chain = user;
	q.nr = 2;
	stack_key__hash(&q);
	assert_true(q.hash == h[2]);
	q.nr = 3;
	stack_key__hash(&q);
	assert_true(q.hash != h[2]);
	/* nothing after the hole: nothing to cut */
	k.nr = 2;
	assert_int_equal(stack_key__hash_cut(&k, 1, STACK_CUT_MAX, h), 0);
}

static void test_stack_cache_growth_and_cap(void **state)
{
	struct stack_cache sc;
	struct stack_ent val = { 0 }, *e;
	__u64 ch[3];
	struct stack_key k = { .chain = ch, .nr = 3, .pid = 5, .tid = 5 };
	uint32_t i, n = 20000;

	(void)state;
	/* arena room for exactly n records of 3-word chains */
	assert_int_equal(stack_cache__init(&sc,
				(size_t)n * (STACK_ENT_WORDS + 3)), 0);
	for (i = 0; i < n; i++) {
		ch[0] = i;
		ch[1] = i * 3;
		ch[2] = 0xabc;
		stack_key__hash(&k);
		val.node = i + 1;
		stack_cache__insert(&sc, &k, &val);
	}
	assert_int_equal(sc.count, n);
	assert_int_equal(sc.arena_len, (size_t)n * (STACK_ENT_WORDS + 3));
	for (i = 0; i < n; i++) {
		ch[0] = i;
		ch[1] = i * 3;
		ch[2] = 0xabc;
		stack_key__hash(&k);
		e = stack_cache__find(&sc, &k);
		assert_non_null(e);
		assert_int_equal(e->node, i + 1);
	}
	/* the arena is full: further chains are not cached (no error) */
	ch[0] = n;
	ch[1] = 0;
	stack_key__hash(&k);
	stack_cache__insert(&sc, &k, &val);
	assert_null(stack_cache__find(&sc, &k));
	assert_int_equal(sc.count, n);
	stack_cache__release(&sc);
}

/* ---- comm cache ---- */

static void test_comm_cache(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct comm_cache cc;
	char buf[16] = "worker";
	uint32_t a, b;

	(void)state;
	comm_cache__init(&cc);
	a = comm_cache__get(&cc, p, buf);
	assert_string_equal(fg_profile__name(p, a), "worker");
	assert_int_equal(comm_cache__get(&cc, p, buf), a);
	assert_int_equal(comm_cache__get(&cc, p, "worker"), a);
	/* perf freed the string and reused the address for another name */
	strcpy(buf, "other");
	b = comm_cache__get(&cc, p, buf);
	assert_int_not_equal(a, b);
	assert_string_equal(fg_profile__name(p, b), "other");
	comm_cache__release(&cc);
	fg_profile__delete(p);
}

/* ---- the walk ---- */

#define KADDR	0xffffffff81000010ULL
#define GKADDR	0xffffffff82000020ULL

struct fake_sym {
	uint64_t addr;
	int ret;
	const char *sym, *dso;
	unsigned int calls;
};

static struct fake_sym syms[] = {
	{ 0x1000, 0, "main", "/usr/bin/app", 0 },
	{ 0x2000, 0, NULL, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0 },
	{ 0x3000, -1, "never", "seen", 0 },	/* the resolver fails */
	{ 0x4000, 0, "Interpreter::run", "/tmp/perf-123.map", 0 },
	{ 0x5000, 0, NULL, "/tmp/perf-123.map", 0 },
	{ 0x6000, 0, "", "[unknown]", 0 },
	{ 0x7000, 0, NULL, NULL, 0 },
	{ 0x8000, 0, "std::vector<int>::push_back(int const&)", "/usr/bin/app", 0 },
	{ 0x9000, 0, NULL, "/", 0 },
	{ KADDR, 0, "do_syscall_64", "[kernel.kallsyms]", 0 },
	{ GKADDR, 0, "guest_irq", "[guest.kernel.kallsyms]", 0 },
};

static void *fake_ctx = (void *)0x1234;

static int fake_resolve(void *ctx, uint64_t addr, struct perf_dlfilter_al *al)
{
	size_t i;

	assert_ptr_equal(ctx, fake_ctx);
	assert_int_equal(al->size, sizeof(*al));
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (syms[i].addr != addr)
			continue;
		syms[i].calls++;
		if (syms[i].ret)
			return syms[i].ret;
		al->sym = syms[i].sym;
		al->dso = syms[i].dso;
		al->addr = addr - 0x100;
		return 0;
	}
	fail_msg("resolver asked for unknown address %#llx",
		 (unsigned long long)addr);
	return -1;
}

static unsigned int calls_of(uint64_t addr)
{
	size_t i;

	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (syms[i].addr == addr)
			return syms[i].calls;
	return 0;
}

struct walk_fixture {
	struct flame_cfg cfg;
	struct fg_profile *prof;
	struct frame_cache cache;
	struct frame_walk w;
};

static int walk_setup(void **state)
{
	struct walk_fixture *f = calloc(1, sizeof(*f));
	size_t i;

	if (!f)
		return -1;
	flame_cfg__init(&f->cfg);
	f->prof = fg_profile__new();
	if (!f->prof || frame_cache__init(&f->cache))
		return -1;
	f->w.cfg = &f->cfg;
	f->w.prof = f->prof;
	f->w.cache = &f->cache;
	f->w.ctx = fake_ctx;
	f->w.resolve = fake_resolve;
	f->w.pid = 100;
	f->w.gen = 1;
	f->w.incarnation = 0;
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		syms[i].calls = 0;
	*state = f;
	return 0;
}

static int walk_teardown(void **state)
{
	struct walk_fixture *f = *state;

	frame_cache__release(&f->cache);
	fg_profile__delete(f->prof);
	flame_cfg__release(&f->cfg);
	free(f);
	return 0;
}

/* Walk chain and compare the names (leaf first) with want, ';'-joined. */
static void walk_eq(struct walk_fixture *f, const __u64 *chain, uint64_t nr,
		    size_t max, const char *want)
{
	uint32_t out[32];
	struct fg_buf b = FG_BUF_INIT;
	int n, i;

	assert_true(max <= 32);
	n = frames__walk(&f->w, chain, nr, out, max);
	assert_true(n >= 0);
	fg_buf__adds(&b, "");
	for (i = 0; i < n; i++) {
		if (i)
			fg_buf__addch(&b, ';');
		fg_buf__adds(&b, fg_profile__name(f->prof, out[i]));
	}
	assert_string_equal(b.buf, want);
	fg_buf__release(&b);
}

static const __u64 mixed[] = {
	PERF_CONTEXT_KERNEL, KADDR,
	PERF_CONTEXT_USER, 0x4000, 0x2000, 0x1000,
};

static void test_walk_names(void **state)
{
	struct walk_fixture *f = *state;
	static const __u64 all_kinds[] = {
		0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000,
		0x8000, 0x9000,
	};

	/* no marker: user context; every kind of name */
	walk_eq(f, all_kinds, 9, 32,
		"main;[libc.so.6];[unknown];Interpreter::run;[perf-123.map];"
		"[unknown];[unknown];std::vector<int>::push_back;"
		"[/]");
	assert_int_equal(f->w.frames, 9);
	/* [libc.so.6] [unknown] [perf-123.map] [unknown] [unknown] [/] */
	assert_int_equal(f->w.unresolved, 6);

	/* markers switch contexts; the order is kept (leaf first) */
	walk_eq(f, mixed, 6, 32,
		"do_syscall_64;Interpreter::run;[libc.so.6];main");
	assert_int_equal(f->w.frames, 13);
	assert_int_equal(f->w.unresolved, 7);
	/* already-named addresses were not resolved again */
	assert_int_equal(calls_of(0x1000), 1);
	assert_int_equal(calls_of(0x2000), 1);
	assert_int_equal(calls_of(0x4000), 1);
	assert_int_equal(calls_of(KADDR), 1);

	/* max bounds the output */
	walk_eq(f, mixed, 6, 2, "do_syscall_64;Interpreter::run");
	walk_eq(f, mixed, 6, 0, "");
	/* only markers, or nothing */
	{
		static const __u64 marks[] = { PERF_CONTEXT_KERNEL,
					       PERF_CONTEXT_USER };

		walk_eq(f, marks, 2, 32, "");
		walk_eq(f, marks, 0, 32, "");
	}
	/* FRAMES_HOLE is skipped and keeps the context */
	{
		const __u64 hole[] = { PERF_CONTEXT_KERNEL, FRAMES_HOLE, KADDR,
				       PERF_CONTEXT_USER, FRAMES_HOLE, 0x1000 };

		walk_eq(f, hole, 6, 32, "do_syscall_64;main");
	}
}

static void test_walk_resolve_once(void **state)
{
	struct walk_fixture *f = *state;
	int i;

	for (i = 0; i < 5; i++)
		walk_eq(f, mixed, 6, 32,
			"do_syscall_64;Interpreter::run;[libc.so.6];main");
	assert_int_equal(calls_of(0x1000), 1);
	assert_int_equal(calls_of(KADDR), 1);
	assert_int_equal(f->w.frames, 20);
	assert_int_equal(f->w.unresolved, 5);
	assert_int_equal(f->cache.count, 4);

	/* exec: a new comm id (gen) resolves user addresses again, but the
	 * kernel's names are shared by every process */
	f->w.gen = 2;
	walk_eq(f, mixed, 6, 32,
		"do_syscall_64;Interpreter::run;[libc.so.6];main");
	assert_int_equal(calls_of(0x1000), 2);
	assert_int_equal(calls_of(0x4000), 2);
	assert_int_equal(calls_of(KADDR), 1);
	/* PID reuse: a new incarnation, again */
	f->w.incarnation = 1;
	walk_eq(f, mixed, 6, 32,
		"do_syscall_64;Interpreter::run;[libc.so.6];main");
	assert_int_equal(calls_of(0x1000), 3);
	assert_int_equal(calls_of(KADDR), 1);
	/* another process */
	f->w.pid = 101;
	walk_eq(f, mixed, 6, 32,
		"do_syscall_64;Interpreter::run;[libc.so.6];main");
	assert_int_equal(calls_of(0x2000), 4);
	assert_int_equal(calls_of(KADDR), 1);
	/* back to the first incarnation: still cached */
	f->w.pid = 100;
	f->w.gen = 1;
	f->w.incarnation = 0;
	walk_eq(f, mixed, 6, 32,
		"do_syscall_64;Interpreter::run;[libc.so.6];main");
	assert_int_equal(calls_of(0x1000), 4);
	assert_int_equal(f->cache.count, 1 + 3 * 4);
	/* a failing resolve is cached too */
	{
		const __u64 bad[] = { 0x3000, 0x3000, 0x3000 };

		walk_eq(f, bad, 3, 32, "[unknown];[unknown];[unknown]");
		assert_int_equal(calls_of(0x3000), 1);
	}
	/* names are interned once */
	assert_int_equal(fg_strtab__find(fg_profile__names(f->prof), "main", 4),
			 fg_strtab__find(fg_profile__names(f->prof), "main", 4));
}

static void test_walk_guest(void **state)
{
	struct walk_fixture *f = *state;
	const __u64 g[] = {
		PERF_CONTEXT_GUEST_KERNEL, GKADDR,
		PERF_CONTEXT_GUEST_USER, 0x1000,
	};
	const __u64 g2[] = {
		PERF_CONTEXT_GUEST, 0x2000,
		PERF_CONTEXT_GUEST_KERNEL, KADDR,
		PERF_CONTEXT_KERNEL, KADDR,
		PERF_CONTEXT_HV, KADDR,
	};

	f->cfg.names.annotate = FG_ANNOTATE_KERNEL;
	walk_eq(f, g, 4, 32, "guest_irq_[k];main");
	/* guest kernel and host kernel are different keys */
	walk_eq(f, g2, 8, 32,
		"[libc.so.6];do_syscall_64_[k];do_syscall_64_[k];"
		"do_syscall_64_[k]");
	assert_int_equal(calls_of(KADDR), 2);
	f->cfg.user_only = true;
	walk_eq(f, g2, 8, 32, "[libc.so.6]");
	walk_eq(f, g, 4, 32, "main");
	f->cfg.user_only = false;
	f->cfg.kernel_only = true;
	walk_eq(f, g, 4, 32, "guest_irq_[k]");
}

static void test_walk_kernel_user_only(void **state)
{
	struct walk_fixture *f = *state;
	const __u64 deep[] = {
		PERF_CONTEXT_KERNEL, KADDR, KADDR,
		PERF_CONTEXT_USER, 0x8000, 0x1000,
	};

	f->cfg.kernel_only = true;
	walk_eq(f, deep, 6, 32, "do_syscall_64;do_syscall_64");
	assert_int_equal(calls_of(0x1000), 0);	/* filtered, never resolved */
	f->cfg.kernel_only = false;
	f->cfg.user_only = true;
	walk_eq(f, deep, 6, 32,
		"std::vector<int>::push_back;main");
	assert_int_equal(calls_of(KADDR), 1);
	/* max counts kept frames, not skipped ones */
	walk_eq(f, deep, 6, 1, "std::vector<int>::push_back");
}

static void test_walk_annotate(void **state)
{
	struct walk_fixture *f = *state;
	static const __u64 c[] = {
		PERF_CONTEXT_KERNEL, KADDR,
		PERF_CONTEXT_USER, 0x4000, 0x5000, 0x2000, 0x1000, 0x3000,
	};

	f->cfg.names.annotate = FG_ANNOTATE_ALL;
	walk_eq(f, c, 8, 32,
		"do_syscall_64_[k];Interpreter::run_[j];[perf-123.map]_[j];"
		"[libc.so.6];main;[unknown]");
	/* annotation is part of the cached name: switch via a fresh cache */
	frame_cache__release(&f->cache);
	assert_int_equal(frame_cache__init(&f->cache), 0);
	f->cfg.names.annotate = FG_ANNOTATE_JIT;
	walk_eq(f, c, 8, 32,
		"do_syscall_64;Interpreter::run_[j];[perf-123.map]_[j];"
		"[libc.so.6];main;[unknown]");
	frame_cache__release(&f->cache);
	assert_int_equal(frame_cache__init(&f->cache), 0);
	f->cfg.names.annotate = FG_ANNOTATE_KERNEL;
	walk_eq(f, c, 8, 32,
		"do_syscall_64_[k];Interpreter::run;[perf-123.map];"
		"[libc.so.6];main;[unknown]");
	/* the plain and suffixed names are distinct strings */
	assert_int_not_equal(
		fg_strtab__find(fg_profile__names(f->prof), "Interpreter::run", 16),
		UINT32_MAX);
	assert_int_not_equal(
		fg_strtab__find(fg_profile__names(f->prof), "Interpreter::run_[j]", 20),
		UINT32_MAX);
}

static void test_walk_addrs(void **state)
{
	struct walk_fixture *f = *state;
	static const __u64 c[] = {
		PERF_CONTEXT_KERNEL, KADDR,
		PERF_CONTEXT_USER, 0x2000, 0x3000, 0x7000, 0x1000,
	};

	/* unresolved: the address within the object (the resolver's al.addr
	 * is addr - 0x100), the raw address without an object */
	f->cfg.names.addrs = true;
	walk_eq(f, c, 7, 32, "do_syscall_64;[libc.so.6 <1f00>];[unknown <3000>];"
		"[unknown <7000>];main");
	assert_int_equal(f->w.unresolved, 3);
	/* a kernel address perf could not name */
	{
		static const __u64 k[] = { PERF_CONTEXT_KERNEL, 0x9000 };

		f->cfg.names.annotate = FG_ANNOTATE_KERNEL;
		walk_eq(f, k, 2, 32, "[/ <8f00>]_[k]");
	}
}

static void test_walk_long_names(void **state)
{
	struct walk_fixture *f = *state;
	static char big[2000];
	static char dso[600];
	const __u64 c[] = { PERF_CONTEXT_KERNEL, KADDR,
			    PERF_CONTEXT_USER, 0x2000 };
	const char *old_k = syms[9].sym, *old_d = syms[1].dso;
	uint32_t out[4];
	const char *name;

	memset(big, 'K', sizeof(big) - 1);
	memset(dso, 'd', sizeof(dso) - 1);
	dso[0] = '/';
	syms[9].sym = big;
	syms[1].dso = dso;
	f->cfg.names.annotate = FG_ANNOTATE_KERNEL;
	assert_int_equal(frames__walk(&f->w, c, 4, out, 4), 2);
	/* a long symbol keeps all its bytes plus the suffix */
	name = fg_profile__name(f->prof, out[0]);
	assert_int_equal(strlen(name), sizeof(big) - 1 + 4);
	assert_string_equal(name + sizeof(big) - 1, "_[k]");
	/* a long DSO name is bounded: "[" + 256 bytes + "]" */
	name = fg_profile__name(f->prof, out[1]);
	assert_int_equal(strlen(name), 258);
	assert_int_equal(name[0], '[');
	assert_int_equal(name[257], ']');
	syms[9].sym = old_k;
	syms[1].dso = old_d;
}

static void test_leaf_and_cpumode(void **state)
{
	static const __u64 k[] = { PERF_CONTEXT_KERNEL, KADDR, 0x1 };
	static const __u64 u[] = { PERF_CONTEXT_USER, 0x1000 };
	static const __u64 g[] = { PERF_CONTEXT_GUEST, PERF_CONTEXT_GUEST_USER,
				   0x1000 };
	static const __u64 gk[] = { PERF_CONTEXT_GUEST_KERNEL, GKADDR };
	static const __u64 none[] = { 0x1000 };
	static const __u64 marks[] = { PERF_CONTEXT_KERNEL, PERF_CONTEXT_USER };
	int ctx = -1;

	(void)state;
	assert_int_equal(frames__leaf(k, 3, &ctx), 1);
	assert_int_equal(ctx, 1);
	assert_int_equal(frames__leaf(u, 2, &ctx), 1);
	assert_int_equal(ctx, 0);
	assert_int_equal(frames__leaf(g, 3, &ctx), 2);
	assert_int_equal(ctx, 2);
	assert_int_equal(frames__leaf(gk, 2, &ctx), 1);
	assert_int_equal(ctx, 3);
	assert_int_equal(frames__leaf(none, 1, &ctx), 0);
	assert_int_equal(ctx, 0);
	ctx = 42;
	assert_int_equal(frames__leaf(marks, 2, &ctx), -1);
	assert_int_equal(frames__leaf(none, 0, &ctx), -1);
	assert_int_equal(ctx, 42);

	assert_int_equal(frames__ctx_of_cpumode(PERF_RECORD_MISC_KERNEL), 1);
	assert_int_equal(frames__ctx_of_cpumode(PERF_RECORD_MISC_HYPERVISOR), 1);
	assert_int_equal(frames__ctx_of_cpumode(PERF_RECORD_MISC_USER), 0);
	assert_int_equal(frames__ctx_of_cpumode(PERF_RECORD_MISC_GUEST_USER), 2);
	assert_int_equal(frames__ctx_of_cpumode(PERF_RECORD_MISC_GUEST_KERNEL), 3);
	/* bits outside the cpumode mask are ignored */
	assert_int_equal(frames__ctx_of_cpumode(PERF_RECORD_MISC_KERNEL | 0x40),
			 1);
}

static void test_walk_ip_and_name(void **state)
{
	struct walk_fixture *f = *state;
	uint32_t name;

	f->cfg.names.annotate = FG_ANNOTATE_KERNEL;
	/* a sample without callchain: its ip, the context from cpumode */
	assert_int_equal(frames__name(&f->w, KADDR,
			 frames__ctx_of_cpumode(PERF_RECORD_MISC_KERNEL), &name), 0);
	assert_string_equal(fg_profile__name(f->prof, name), "do_syscall_64_[k]");
	assert_int_equal(frames__name(&f->w, 0x1000,
			 frames__ctx_of_cpumode(PERF_RECORD_MISC_USER), &name), 0);
	assert_string_equal(fg_profile__name(f->prof, name), "main");
	f->cfg.user_only = true;
	assert_int_equal(frames__name(&f->w, KADDR, 1, &name), 1);
	assert_int_equal(frames__name(&f->w, 0x2000, 0, &name), 0);
	assert_string_equal(fg_profile__name(f->prof, name), "[libc.so.6]");
	assert_int_equal(calls_of(KADDR), 1);
	assert_int_equal(calls_of(0x1000), 1);
}

/* Without a test resolver the walk asks perf; with no perf, [unknown]. */
static void test_walk_default_resolver(void **state)
{
	struct walk_fixture *f = *state;
	static const __u64 c[] = { 0x1000, 0x2000 };

	f->w.resolve = NULL;
	memset(&perf_dlfilter_fns, 0, sizeof(perf_dlfilter_fns));
	walk_eq(f, c, 2, 32, "[unknown];[unknown]");
	assert_int_equal(calls_of(0x1000), 0);
}

#define WALK_TEST(fn) cmocka_unit_test_setup_teardown(fn, walk_setup, walk_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_defaults),
		cmocka_unit_test(test_cfg_key_value),
		cmocka_unit_test(test_cfg_pid_tid),
		cmocka_unit_test(test_cfg_values),
		cmocka_unit_test(test_cfg_dash_style),
		cmocka_unit_test(test_cfg_errors),
		cmocka_unit_test(test_cfg_help),
		cmocka_unit_test(test_frame_cache),
		cmocka_unit_test(test_stack_cache),
		cmocka_unit_test(test_stack_key_hash_cut),
		cmocka_unit_test(test_stack_cache_growth_and_cap),
		cmocka_unit_test(test_comm_cache),
		WALK_TEST(test_walk_names),
		WALK_TEST(test_walk_resolve_once),
		WALK_TEST(test_walk_guest),
		WALK_TEST(test_walk_kernel_user_only),
		WALK_TEST(test_walk_annotate),
		WALK_TEST(test_walk_addrs),
		WALK_TEST(test_walk_long_names),
		cmocka_unit_test(test_leaf_and_cpumode),
		WALK_TEST(test_walk_ip_and_name),
		WALK_TEST(test_walk_default_resolver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
