/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time off the CPU: one accounting engine for every input.
 *
 * The caller decodes scheduler events (from perf.data through flame.so,
 * or live from libperf in `flame profile --off-cpu`) into struct
 * fg_sched_event and feeds them in time order; the engine pairs each
 * switch-out with the thread's next switch-in, remembers wakers and
 * run-queue waits, and adds time-weighted stacks to the shared profile
 * model. Memory is bounded by live threads and unique stacks, not events.
 *
 *   sched_switch (in prev's context, prev's stack): prev leaves the CPU in
 *     prev_state: a block opens with that stack; next comes on: its open
 *     block closes, weighted by the time in between.
 *   sched_waking / sched_wakeup (in the waker's context): the wakee's
 *     waker stack, and the start of its run-queue wait.
 *   sched_wakeup_new: a new task's first run-queue wait.
 *   sched_process_exit: the thread's last switch-out opens no block.
 *   any other event: an on-CPU sample (weighted by period in mode=wall).
 *
 * Exact only when every switch is seen (system-wide): a sleeping thread
 * is switched in by whatever ran before it, often the idle task.
 */
#ifndef FLAME_OFFCPU_H
#define FLAME_OFFCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flame/flame.h>
#include <flame/sched.h>

/* ---- what to draw -------------------------------------------------------- */

enum fg_offcpu_mode {
	FG_MODE_CPU = 0,	/* samples of one event (no off-CPU time) */
	FG_MODE_OFFCPU,		/* blocked stacks weighted by blocked time */
	FG_MODE_WAKEUP,		/* waker stacks weighted by the wakee's block */
	FG_MODE_OFFWAKE,	/* blocked stack, "--", waker stack */
	FG_MODE_WALL,		/* on-CPU samples (period ns) and off-CPU time */
	FG_MODE_RUNQ,		/* run-queue waits, after wakeup or preemption */
};

struct fg_offcpu_cfg {
	/* option strings, borrowed (NULL = default); see __parse */
	const char *mode_s;	/* cpu offcpu wakeup offwake wall runq */
	const char *state_s;	/* letters of RSDITPX, or all */
	const char *min_block_s;	/* duration: 500us, 2ms, 1s; bare = us */
	const char *unit_s;	/* ns us ms */
	/* derived by fg_offcpu_cfg__parse() */
	enum fg_offcpu_mode mode;
	unsigned int state_mask;	/* 1 << enum fg_task_state */
	bool state_leaf;	/* a "[S] sleep" leaf names the state */
	uint64_t min_block_ns;
	uint64_t unit_div;	/* ns per unit of the graph's weights */
	/* set by the caller */
	bool group_container;	/* stacks start with a container root frame */
	/* run-queue rows kept (n = 0: all) */
	const int *pids, *tids;
	size_t nr_pids, nr_tids;
	const char *comm;
};

/*
 * Derive mode, state mask, min-block and unit from the strings. 0, or
 * -EINVAL after one message (print callback) naming the option.
 */
int fg_offcpu_cfg__parse(struct fg_offcpu_cfg *c);
/* Graph defaults for the mode (title, countname, palette) unless set in o. */
int fg_offcpu_cfg__graph_defaults(const struct fg_offcpu_cfg *c,
				  struct fg_opts *o);
/* "ns", "us" or "ms": the graph's unit. */
const char *fg_offcpu_cfg__unit(const struct fg_offcpu_cfg *c);

/* ---- events in ------------------------------------------------------------ */

enum fg_sched_kind {
	FG_SCHED_OTHER = 0,	/* not a sched event: an on-CPU sample */
	FG_SCHED_SWITCH,
	FG_SCHED_WAKING,
	FG_SCHED_WAKEUP,
	FG_SCHED_WAKEUP_NEW,
	FG_SCHED_EXIT,		/* sched_process_exit */
	FG_SCHED__MAX,
};

/* "sched:sched_switch", ... (NULL for FG_SCHED_OTHER) */
const char *fg_sched_kind__name(enum fg_sched_kind k);
/* Kind of a "sys:event" name; FG_SCHED_OTHER when not one of them. */
enum fg_sched_kind fg_sched_kind__of(const char *event);

#define FG_COMM_LEN 16

struct fg_sched_event {
	enum fg_sched_kind kind;
	uint64_t time;		/* ns, one clock for all events */
	int32_t pid, tid;	/* the task the event happened in (-1: unknown) */
	/* sched_switch payload */
	int32_t prev_tid, next_tid;
	uint64_t prev_state;
	/* at most FG_COMM_LEN bytes, NUL terminated or not; NULL = none */
	const char *prev_comm, *next_comm;
	/* waking, wakeup, wakeup_new, process_exit payload: the task */
	int32_t target;
	/* on-CPU samples */
	uint64_t period;
	const char *event;	/* its name, for messages (may be NULL) */
	/* the caller's own record, handed back to the callbacks */
	const void *sample;
};

/* ---- the engine ------------------------------------------------------------ */

/*
 * The stack of the event's sample as a profile node (FG_NO_NODE: not
 * drawn, e.g. filtered out). comm_id: the thread's name as a profile name
 * id, UINT32_MAX when the caller must find it. 0 or -errno.
 */
typedef int (*fg_offcpu_stack_fn)(void *arg, const struct fg_sched_event *e,
				  uint32_t comm_id, uint32_t *node);
/*
 * The run-queue group of the event's task (a container or PID namespace
 * label; "host" or "unknown" = none). May use buf (len bytes).
 */
typedef const char *(*fg_offcpu_group_fn)(void *arg,
					  const struct fg_sched_event *e,
					  char *buf, size_t len);

struct fg_offcpu_deps {
	struct fg_profile *prof;	/* the graph's model, borrowed */
	fg_offcpu_stack_fn stack;
	fg_offcpu_group_fn group;	/* NULL: every task is "host" */
	void *arg;
};

struct fg_offcpu_stats {
	uint64_t first, last;		/* event times seen */
	uint64_t nr_sched, switches, idle_out;
	uint64_t blocks, blocked_ns;	/* drawn */
	uint64_t state_ns[FG_TASK__MAX];
	uint64_t short_blocks;		/* under min-block */
	uint64_t filtered;		/* states not kept */
	uint64_t open_end, open_end_ns;	/* closed at the end of the input */
	uint64_t unpaired;		/* blocks with no wakeup seen */
	uint64_t missed_in;		/* switch-ins inferred from a later event */
	uint64_t wakeups, runq_events;
	uint64_t oncpu, oncpu_ns;	/* mode=wall */
	size_t max_thr;
};

struct fg_offcpu;

/* cfg and deps are borrowed and must outlive the engine. NULL + errno. */
struct fg_offcpu *fg_offcpu__new(const struct fg_offcpu_cfg *c,
				 const struct fg_offcpu_deps *d);
void fg_offcpu__delete(struct fg_offcpu *o);
/* One event, in time order. 0 or -errno (-ENOMEM, or the stack fn's). */
int fg_offcpu__event(struct fg_offcpu *o, const struct fg_sched_event *e);
/*
 * Close the blocks still open at the last event time and scale the
 * profile to the unit. -ENODATA when no sched_switch was seen.
 */
int fg_offcpu__finish(struct fg_offcpu *o);
/*
 * The summary line: "WHO: mode=M: N sched events (formats from SRC), ...",
 * ending with a newline.
 */
void fg_offcpu__summary(const struct fg_offcpu *o, struct fg_buf *b,
			const char *who, const char *formats);
/* The run-queue table (fg_runq__summary), when there were waits. */
void fg_offcpu__runq_summary(const struct fg_offcpu *o, struct fg_buf *b);
const struct fg_offcpu_stats *fg_offcpu__stats(const struct fg_offcpu *o);
/* Run-queue statistics gathered so far. */
const struct fg_runq *fg_offcpu__runq(const struct fg_offcpu *o);

/* ---- decoding raw tracepoint payloads with formats (libtraceevent) ---- */

/*
 * Field layouts of the five sched events, resolved from t (the perf.data
 * header's formats or tracefs) the first time each kind is decoded.
 */
struct fg_sched_dec;

struct fg_sched_dec *fg_sched_dec__new(struct fg_tp *t);	/* t borrowed */
void fg_sched_dec__delete(struct fg_sched_dec *d);
/*
 * Fill e's payload fields for e->kind from raw (size bytes); comms point
 * into raw. 0; -ENOENT/-EINVAL for a format without the fields (message
 * in fg_sched_dec__error()); -ERANGE when raw is shorter than its format.
 */
int fg_sched_dec__decode(struct fg_sched_dec *d, struct fg_sched_event *e,
			 const void *raw, size_t size);
const char *fg_sched_dec__error(const struct fg_sched_dec *d);
/* Resolve kind's fields now: 0, or the error __decode would give. */
int fg_sched_dec__check(struct fg_sched_dec *d, enum fg_sched_kind k);

/* ---- run-queue groups: container or PID namespace of a task ---- */

struct fg_jit;
struct fg_task_group;

/*
 * jit (borrowed, may be NULL) gives container labels; processes in a PID
 * namespace of their own with no container label are "pidns:INO", from
 * the snapshot index of the jit's maps directory for processes gone, else
 * from /proc. NULL + errno.
 */
struct fg_task_group *fg_task_group__new(struct fg_jit *jit);
void fg_task_group__delete(struct fg_task_group *g);
const char *fg_task_group__label(struct fg_task_group *g, int pid,
				 uint64_t cgroup, uint64_t time,
				 char *buf, size_t len);

#endif /* FLAME_OFFCPU_H */
