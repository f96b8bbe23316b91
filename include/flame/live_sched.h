/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live scheduler tracepoints with libperf (lib/input/live_sched.c), for
 * `flame profile --off-cpu`: sched_switch, sched_waking, sched_wakeup_new
 * and sched_process_exit on every online CPU (system-wide: a sleeper is
 * switched in by whatever ran before it, often the idle task), every
 * event sampled with its callchain and raw payload, on CLOCK_MONOTONIC so
 * they merge with the sampler's events (fg_live_opts.monotonic).
 *
 * Records are decoded into struct fg_sched_event (include/flame/offcpu.h)
 * with the tracefs formats (fg_sched_dec); they point into the ring
 * buffer and are valid only during the callback. Never prints.
 */
#ifndef FLAME_LIVE_SCHED_H
#define FLAME_LIVE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flame/live.h>
#include <flame/offcpu.h>

struct fg_live_sched_opts {
	const char *tracefs;	/* tracefs mount (NULL: the usual two) */
	unsigned int mmap_pages;	/* ring pages per CPU, power of 2 (0: 512) */
	unsigned int max_stack;		/* callchain depth (0: 127) */
	bool no_callchain;		/* payloads only (no stacks drawn) */
	bool cgroup;			/* PERF_SAMPLE_CGROUP: the task's cgroup id */
};

/* One tracepoint sample: the decoded payload and the sample's own fields. */
struct fg_live_sched_rec {
	struct fg_sched_event ev;	/* kind, time, pid, tid, payload */
	struct fg_live_sample s;	/* ip, time, pid/tid, cpu, callchain */
	uint64_t cgroup;		/* with opts.cgroup: the task's cgroup id
					 * (its cgroup2 directory's inode) */
};

struct fg_live_sched_stats {
	uint64_t events[FG_SCHED__MAX];
	uint64_t lost, lost_records;
	uint64_t bad;			/* too short or undecodable */
	uint64_t bytes;
};

typedef int (*fg_live_sched_fn)(void *arg, const struct fg_live_sched_rec *r);

struct fg_live_sched;

/*
 * Find tracefs (t's directories), open the four events on every online
 * CPU and map the ring buffers (disabled). NULL + errno; *why (may be
 * NULL) gets a static one-line reason.
 */
struct fg_live_sched *fg_live_sched__new(const struct fg_live_sched_opts *o,
					 const char **why);
void fg_live_sched__delete(struct fg_live_sched *l);
/* Start (on) or stop the tracepoints on every CPU. */
void fg_live_sched__set_enabled(struct fg_live_sched *l, bool on);
/* Read every ring buffer to its head. 0 or the first -errno of fn. */
int fg_live_sched__drain(struct fg_live_sched *l, fg_live_sched_fn fn,
			 void *arg);
const struct fg_live_sched_stats *fg_live_sched__stats(const struct fg_live_sched *l);
/* The tracefs directory the formats and ids came from. */
const char *fg_live_sched__tracefs(const struct fg_live_sched *l);

/*
 * A tracefs directory with events/ in it: /sys/kernel/tracing, else
 * /sys/kernel/debug/tracing; with mount, tracefs is mounted on
 * /sys/kernel/tracing when neither has it. 0 or -errno.
 */
int fg_live_sched__find_tracefs(char *buf, size_t len, bool mount);

#endif /* FLAME_LIVE_SCHED_H */
