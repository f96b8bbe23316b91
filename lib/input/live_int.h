/* SPDX-License-Identifier: GPL-2.0 */
/* Private to lib/input/live*.c. */
#ifndef FLAME_LIVE_INT_H
#define FLAME_LIVE_INT_H

#include <stdint.h>

struct perf_evsel;
struct perf_cpu_map;
struct perf_mmap;

/*
 * Open evsel on every CPU of cpus for the tasks of the cgroup directory
 * cgroup_fd (PERF_FLAG_PID_CGROUP) into libperf's fd table, so that
 * perf_evlist__mmap() and the rest of libperf work as after
 * perf_evlist__open(). 0 or -errno.
 */
int live__open_cgroup_events(struct perf_evsel *evsel,
			     struct perf_cpu_map *cpus, int cgroup_fd);

/*
 * Bytes a ring held when perf_mmap__read_init() last succeeded on it: the
 * records written before the drain began (perf_mmap__read_event() reads on
 * to the kernel's current head).
 */
uint64_t live__ring_pending(const struct perf_mmap *map);

#endif
