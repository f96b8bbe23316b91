// SPDX-License-Identifier: GPL-2.0
/*
 * The off-CPU engine (lib/model/offcpu.c) fed event by event, as flame.so
 * and flame profile feed it: block pairing, states, wakers, run-queue
 * waits, blocks inferred from a later event, blocks open at the end, the
 * option parser. Stacks are "a;b;c" strings carried as the event's sample.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <flame/flame.h>
#include <flame/offcpu.h>

struct t {
	struct fg_profile *prof;
	struct fg_offcpu_cfg cfg;
	struct fg_offcpu *o;
	unsigned int stacks;	/* stack_cb calls */
};

/* "a;b;c" (the sample) as a profile node */
static int stack_cb(void *arg, const struct fg_sched_event *e,
		    uint32_t comm_id, uint32_t *node)
{
	struct t *t = arg;
	const char *s = e->sample, *p;
	uint32_t n = FG_ROOT;

	t->stacks++;
	if (!s) {
		*node = FG_NO_NODE;
		return 0;
	}
	while (*s) {
		p = strchrnul(s, ';');
		n = fg_profile__child(t->prof, n, fg_profile__intern(t->prof, s, p - s));
		s = *p ? p + 1 : p;
	}
	*node = n;
	return 0;
}

static void start(struct t *t, const char *mode, const char *state,
		  const char *min_block)
{
	struct fg_offcpu_deps d = { .stack = stack_cb, .arg = t };

	memset(t, 0, sizeof(*t));
	t->prof = fg_profile__new();
	assert_non_null(t->prof);
	t->cfg.mode_s = mode;
	t->cfg.state_s = state;
	t->cfg.min_block_s = min_block;
	t->cfg.unit_s = "ns";
	assert_int_equal(fg_offcpu_cfg__parse(&t->cfg), 0);
	d.prof = t->prof;
	t->o = fg_offcpu__new(&t->cfg, &d);
	assert_non_null(t->o);
}

static void stop(struct t *t)
{
	fg_offcpu__delete(t->o);
	fg_profile__delete(t->prof);
}

/* sched_switch in prev's context: prev (state) out with stack, next in */
static void sw(struct t *t, uint64_t time, int pid, int prev, uint64_t state,
	       const char *comm, const char *stack, int next)
{
	struct fg_sched_event e = {
		.kind = FG_SCHED_SWITCH, .time = time, .pid = pid, .tid = prev,
		.prev_tid = prev, .next_tid = next, .prev_state = state,
		.prev_comm = comm, .next_comm = "", .sample = stack,
	};

	assert_int_equal(fg_offcpu__event(t->o, &e), 0);
}

static void ev(struct t *t, enum fg_sched_kind k, uint64_t time, int tid,
	       int target, const char *stack)
{
	struct fg_sched_event e = {
		.kind = k, .time = time, .pid = tid, .tid = tid,
		.target = target, .period = 1000, .sample = stack,
	};

	assert_int_equal(fg_offcpu__event(t->o, &e), 0);
}

/* Weight of the stack "a;b;c" (self), 0 when absent. */
static uint64_t weight(struct t *t, const char *stack)
{
	uint32_t n = FG_ROOT, name;
	const char *s = stack, *p;

	while (*s && n != FG_NO_NODE) {
		p = strchrnul(s, ';');
		name = fg_profile__intern(t->prof, s, p - s);
		n = fg_profile__find_child(t->prof, n, name);
		s = *p ? p + 1 : p;
	}
	return n == FG_NO_NODE ? 0 : fg_profile__node(t->prof, n)->self[0];
}

#define S 1	/* prev_state: TASK_INTERRUPTIBLE */
#define D 2	/* TASK_UNINTERRUPTIBLE */
#define R 0	/* running: preempted */

static void test_offcpu(void **state)
{
	struct fg_runq_stats rs;
	const struct fg_offcpu_stats *st;
	struct fg_buf b = FG_BUF_INIT;
	struct t t;

	start(&t, "offcpu", NULL, NULL);
	/* 103 seen once (preempted 900..950) */
	sw(&t, 900, 100, 103, R, "dying", "dying;pre", 0);
	sw(&t, 950, 0, 0, 0, "swapper/0", NULL, 103);
	/* 101 sleeps 1000..5000, woken at 4000 by 200 */
	sw(&t, 1000, 100, 101, S, "work", "work;do_sleep", 0);
	ev(&t, FG_SCHED_WAKING, 4000, 200, 101, "waker;wake_fn");
	sw(&t, 5000, 0, 0, 0, "swapper/0", NULL, 101);
	/* 102 preempted 6000..6500 by 300 */
	sw(&t, 6000, 100, 102, R, "work2", "work2;spin", 300);
	sw(&t, 6500, 300, 300, S, "other", "other;x", 102);
	/* 103 exits: its last switch-out opens nothing */
	ev(&t, FG_SCHED_EXIT, 6600, 103, 103, NULL);
	sw(&t, 6700, 100, 103, S, "dying", "dying;exit", 0);
	/* 104 blocked in D from 7000 to the end (10000) */
	sw(&t, 7000, 100, 104, D, "io", "io;wait_disk", 0);
	/* 105: switch-in missing, its next sample ends the block */
	sw(&t, 8000, 100, 105, S, "lost", "lost;nap", 0);
	ev(&t, FG_SCHED_OTHER, 9000, 105, 0, "lost;run");
	ev(&t, FG_SCHED_OTHER, 10000, 1, 0, "init");
	assert_int_equal(fg_offcpu__finish(t.o), 0);

	assert_int_equal(weight(&t, "work;do_sleep;[S] sleep"), 4000);
	assert_int_equal(weight(&t, "work2;spin;[R] preempted"), 500);
	assert_int_equal(weight(&t, "dying;exit;[S] sleep"), 0);
	assert_int_equal(weight(&t, "io;wait_disk;[D] uninterruptible"), 3000);
	assert_int_equal(weight(&t, "lost;nap;[S] sleep"), 1000);
	/* 300's block is open at the end too: 6500..10000 */
	assert_int_equal(weight(&t, "other;x;[S] sleep"), 3500);
	assert_int_equal(weight(&t, "dying;pre;[R] preempted"), 50);
	assert_int_equal(fg_profile__total(t.prof, 0),
			 4000 + 500 + 3000 + 1000 + 3500 + 50);
	st = fg_offcpu__stats(t.o);
	assert_int_equal(st->switches, 9);
	assert_int_equal(st->idle_out, 2);
	assert_int_equal(st->blocks, 6);
	assert_int_equal(st->open_end, 2);
	assert_int_equal(st->open_end_ns, 6500);
	assert_int_equal(st->missed_in, 1);
	assert_int_equal(st->state_ns[FG_TASK_D], 3000);
	assert_int_equal(st->first, 900);
	assert_int_equal(st->last, 10000);
	/* run queue: 101 waited 4000..5000, 102 6000..6500, 103 900..950 */
	assert_int_equal(fg_runq__stats(fg_offcpu__runq(t.o), NULL, 100, &rs), 0);
	assert_int_equal(rs.count, 3);
	assert_int_equal(rs.sum, 1550);
	fg_offcpu__summary(t.o, &b, "test", "here");
	assert_non_null(strstr(b.buf, "test: mode=offcpu: "));
	assert_non_null(strstr(b.buf, "(formats from here), 9 switches; 6 blocks drawn"));
	assert_non_null(strstr(b.buf, "2 blocks still open at the end"));
	assert_non_null(strstr(b.buf, "1 switch-ins not in the recording"));
	fg_buf__release(&b);
	stop(&t);
}

static void test_filters(void **state)
{
	struct t t;

	/* state=S, min-block=2us (in us: 2000 ns) */
	start(&t, "offcpu", "S", "2us");
	assert_false(t.cfg.state_leaf);
	sw(&t, 1000, 100, 101, S, "a", "a;long", 0);
	sw(&t, 1500, 100, 102, S, "b", "b;short", 0);
	sw(&t, 2000, 0, 0, 0, "swapper/0", NULL, 102);
	sw(&t, 2100, 100, 103, R, "c", "c;pre", 0);
	sw(&t, 5000, 0, 0, 0, "swapper/0", NULL, 101);
	sw(&t, 5000, 0, 0, 0, "swapper/0", NULL, 103);
	assert_int_equal(fg_offcpu__finish(t.o), 0);
	assert_int_equal(weight(&t, "a;long"), 4000);
	assert_int_equal(weight(&t, "b;short"), 0);
	assert_int_equal(weight(&t, "c;pre"), 0);
	assert_int_equal(fg_offcpu__stats(t.o)->short_blocks, 1);
	assert_int_equal(fg_offcpu__stats(t.o)->filtered, 1);
	/* no stack asked for the preempted block (state not kept) */
	assert_int_equal(t.stacks, 2);
	stop(&t);
}

static void test_wakeup_offwake(void **state)
{
	static const char *const modes[] = { "wakeup", "offwake" };
	unsigned int i;
	struct t t;

	for (i = 0; i < 2; i++) {
		start(&t, modes[i], NULL, NULL);
		sw(&t, 1000, 100, 101, S, "work", "work;read", 0);
		ev(&t, FG_SCHED_WAKING, 3000, 200, 101, "writer;write");
		/* a second wakeup of the same block is not its waker */
		ev(&t, FG_SCHED_WAKEUP, 3100, 201, 101, "other;poke");
		sw(&t, 4000, 0, 0, 0, "swapper/0", NULL, 101);
		/* a block with no wakeup: left out of mode=wakeup */
		sw(&t, 5000, 100, 101, S, "work", "work;read", 0);
		sw(&t, 6000, 0, 0, 0, "swapper/0", NULL, 101);
		assert_int_equal(fg_offcpu__finish(t.o), 0);
		if (i == 0) {
			assert_int_equal(weight(&t, "work;writer_[w];write_[w]"), 3000);
			assert_int_equal(fg_profile__total(t.prof, 0), 3000);
		} else {
			assert_int_equal(weight(&t, "work;read;[S] sleep;--;write_[w];writer_[w]"), 3000);
			assert_int_equal(weight(&t, "work;read;[S] sleep;--"), 1000);
		}
		assert_int_equal(fg_offcpu__stats(t.o)->unpaired, 1);
		stop(&t);
	}
}

static void test_wall_runq(void **state)
{
	struct fg_runq_stats rs;
	struct t t;

	start(&t, "wall", NULL, NULL);
	ev(&t, FG_SCHED_OTHER, 500, 101, 0, "work;compute");
	sw(&t, 1000, 100, 101, S, "work", "work;sleep", 0);
	sw(&t, 3000, 0, 0, 0, "swapper/0", NULL, 101);
	assert_int_equal(fg_offcpu__finish(t.o), 0);
	assert_int_equal(weight(&t, "work;compute"), 1000);	/* period */
	assert_int_equal(weight(&t, "work;sleep;[S] sleep"), 2000);
	assert_int_equal(fg_offcpu__stats(t.o)->oncpu_ns, 1000);
	stop(&t);

	/* wakeup_new starts a new task's first wait */
	start(&t, "runq", NULL, NULL);
	ev(&t, FG_SCHED_WAKEUP_NEW, 1000, 100, 150, "parent;clone");
	sw(&t, 1200, 0, 0, 0, "swapper/0", NULL, 150);
	sw(&t, 2000, 150, 150, R, "child", "child;run", 300);
	sw(&t, 2700, 300, 300, S, "other", "other;x", 150);
	assert_int_equal(fg_offcpu__finish(t.o), 0);
	assert_int_equal(weight(&t, "child;run;[runq] after preemption"), 700);
	assert_int_equal(fg_runq__stats(fg_offcpu__runq(t.o), NULL, -1, &rs), 0);
	assert_int_equal(rs.count, 1);
	assert_int_equal(rs.sum, 700);
	/* the first wait comes before any switch-out named its group */
	assert_int_equal(fg_runq__stats(fg_offcpu__runq(t.o), "unknown", 150, &rs), 0);
	assert_int_equal(rs.count, 1);
	assert_int_equal(rs.sum, 200);
	stop(&t);
}

static void test_cfg(void **state)
{
	struct fg_offcpu_cfg c = { 0 };
	struct t t;

	assert_int_equal(fg_offcpu_cfg__parse(&c), 0);
	assert_int_equal(c.mode, FG_MODE_CPU);
	assert_int_equal(c.unit_div, 1000);
	assert_true(c.state_leaf);
	c.mode_s = "bogus";
	assert_int_equal(fg_offcpu_cfg__parse(&c), -EINVAL);
	c.mode_s = "offwake";
	c.state_s = "SD";
	c.min_block_s = "1.5ms";
	c.unit_s = "ms";
	assert_int_equal(fg_offcpu_cfg__parse(&c), 0);
	assert_int_equal(c.mode, FG_MODE_OFFWAKE);
	assert_int_equal(c.state_mask, 1u << FG_TASK_S | 1u << FG_TASK_D);
	assert_true(c.state_leaf);
	assert_int_equal(c.min_block_ns, 1500000);
	assert_string_equal(fg_offcpu_cfg__unit(&c), "ms");
	c.state_s = "Q";
	assert_int_equal(fg_offcpu_cfg__parse(&c), -EINVAL);
	c.state_s = NULL;
	c.min_block_s = "soon";
	assert_int_equal(fg_offcpu_cfg__parse(&c), -EINVAL);
	c.min_block_s = "300";	/* bare: us */
	assert_int_equal(fg_offcpu_cfg__parse(&c), 0);
	assert_int_equal(c.min_block_ns, 300000);
	c.unit_s = "s";
	assert_int_equal(fg_offcpu_cfg__parse(&c), -EINVAL);

	assert_int_equal(fg_sched_kind__of("sched:sched_waking"), FG_SCHED_WAKING);
	assert_int_equal(fg_sched_kind__of("cpu-clock"), FG_SCHED_OTHER);
	assert_int_equal(fg_sched_kind__of(NULL), FG_SCHED_OTHER);
	assert_string_equal(fg_sched_kind__name(FG_SCHED_EXIT), "sched:sched_process_exit");

	/* nothing to draw without a switch */
	start(&t, "offcpu", NULL, NULL);
	ev(&t, FG_SCHED_OTHER, 1, 1, 0, "x");
	assert_int_equal(fg_offcpu__finish(t.o), -ENODATA);
	stop(&t);
	fg_offcpu__delete(NULL);
}

static int quiet(enum fg_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offcpu),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_wakeup_offwake),
		cmocka_unit_test(test_wall_runq),
		cmocka_unit_test(test_cfg),
	};

	fg_set_print(quiet);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
