// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup events for the live sampler. libperf 6.1's perf_evsel__open()
 * passes no flags to perf_event_open, so the per-CPU cgroup events
 * (PERF_FLAG_PID_CGROUP, as perf record -G) are opened here into libperf's
 * own fd table; everything after (mmap, poll, enable, close) is libperf's.
 * The only file that needs libperf's private headers (built with the
 * kernel's tools/include, see mk/libperf.mk), so also the ring buffer's
 * read window for fg_live__drain().
 */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include <perf/cpumap.h>
#include <perf/evsel.h>
#include <internal/evsel.h>
#include <internal/mmap.h>
#include <internal/xyarray.h>

#include "live_int.h"

int live__open_cgroup_events(struct perf_evsel *evsel,
			     struct perf_cpu_map *cpus, int cgroup_fd)
{
	struct perf_cpu cpu;
	int idx, err = 0;

	if (perf_evsel__alloc_fd(evsel, perf_cpu_map__nr(cpus), 1) < 0)
		return -ENOMEM;
	perf_cpu_map__for_each_cpu(cpu, idx, cpus) {
		int fd = (int)syscall(__NR_perf_event_open, &evsel->attr,
				      cgroup_fd, cpu.cpu, -1,
				      PERF_FLAG_PID_CGROUP | PERF_FLAG_FD_CLOEXEC);

		if (fd < 0) {
			err = -errno;
			break;
		}
		*(int *)xyarray__entry(evsel->fd, idx, 0) = fd;
	}
	if (err)
		perf_evsel__close(evsel);
	return err;
}

uint64_t live__ring_pending(const struct perf_mmap *map)
{
	return map->end - map->start;
}
