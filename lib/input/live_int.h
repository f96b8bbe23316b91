/* SPDX-License-Identifier: GPL-2.0 */
/* Private to lib/input/live*.c. */
#ifndef FLAME_LIVE_INT_H
#define FLAME_LIVE_INT_H

struct perf_evsel;
struct perf_cpu_map;

/*
 * Open evsel on every CPU of cpus for the tasks of the cgroup directory
 * cgroup_fd (PERF_FLAG_PID_CGROUP) into libperf's fd table, so that
 * perf_evlist__mmap() and the rest of libperf work as after
 * perf_evlist__open(). 0 or -errno.
 */
int live__open_cgroup_events(struct perf_evsel *evsel,
			     struct perf_cpu_map *cpus, int cgroup_fd);

#endif
