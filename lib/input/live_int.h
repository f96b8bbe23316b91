/* SPDX-License-Identifier: GPL-2.0 */
/* Private to lib/input/live*.c: what the live sampler and the live sched
 * tracepoints share (lib/input/live_evl.c). */
#ifndef FLAME_LIVE_INT_H
#define FLAME_LIVE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct perf_evsel;
struct perf_evlist;
struct perf_cpu_map;
struct perf_thread_map;
struct perf_mmap;
union perf_event;
struct fg_live_sample;

/*
 * The start of both constructors: pages (a ring's) must be a power of 2
 * (else *why says so); a zeroed object of size; libperf's debug chatter
 * silenced (errors come back as return codes, which the caller reports in
 * one line). NULL with errno.
 */
void *live__alloc(size_t size, unsigned int pages, const char **why);

/*
 * An evlist on cpus x threads, as both live inputs hold it. The evlist owns
 * its evsels; live_evl__close() releases all three and may be called on a
 * partly built (or zeroed) one.
 */
struct live_evl {
	struct perf_evlist *evlist;
	struct perf_cpu_map *cpus;
	struct perf_thread_map *threads;
};

/*
 * Sets the maps and opens every evsel; with cgroup_fd >= 0 the evlist's
 * single evsel per CPU for the tasks of that cgroup (PERF_FLAG_PID_CGROUP).
 * Then maps pages a ring. 0 or -errno; *mmap_failed tells which step failed.
 */
int live_evl__open(struct live_evl *e, int cgroup_fd, unsigned int pages,
		   bool *mmap_failed);
void live_evl__close(struct live_evl *e);
void live_evl__set_enabled(struct live_evl *e, bool on);

/*
 * Bytes a ring held when perf_mmap__read_init() last succeeded on it: the
 * records written before the drain began (perf_mmap__read_event() reads on
 * to the kernel's current head).
 */
uint64_t live__ring_pending(const struct perf_mmap *map);

/* A bounded read through one record. */
struct live_cursor {
	const uint8_t *p, *end;
};

static inline bool live_cursor__take(struct live_cursor *c, void *out,
				     size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	return true;
}

/*
 * A PERF_RECORD_SAMPLE's first fields, IP TID TIME CPU PERIOD (both live
 * inputs ask for these first), into a zeroed *s; c is left after PERIOD.
 * 0 or -EINVAL when the record is too short.
 */
int live__decode_head(const union perf_event *ev, struct live_cursor *c,
		      struct fg_live_sample *s);

#endif
