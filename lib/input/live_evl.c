// SPDX-License-Identifier: GPL-2.0
/*
 * What the live sampler (live.c) and the live sched tracepoints
 * (live_sched.c) share: opening and mapping an evlist, tearing it down, and
 * the head of a sample record.
 *
 * Cgroup events: libperf 6.1's perf_evsel__open() passes no flags to
 * perf_event_open, so the per-CPU cgroup events (PERF_FLAG_PID_CGROUP, as
 * perf record -G) are opened here into libperf's own fd table; everything
 * after (mmap, poll, enable, close) is libperf's. The only file that needs
 * libperf's private headers (built with the kernel's tools/include, see
 * mk/libperf.mk), so also the ring buffer's read window for the drains.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/event.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>
#include <internal/evsel.h>
#include <internal/mmap.h>
#include <internal/xyarray.h>

#include <flame/live.h>
#include "live_int.h"

static int libperf_print(enum libperf_print_level level, const char *fmt,
			 va_list ap)
{
	return 0;
}

void *live__alloc(size_t size, unsigned int pages, const char **why)
{
	void *p;

	if (!pages || (pages & (pages - 1))) {
		*why = "ring buffer pages must be a power of 2";
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, size);
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	libperf_init(libperf_print);
	return p;
}

static int open_cgroup_events(struct perf_evsel *evsel,
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

int live_evl__open(struct live_evl *e, int cgroup_fd, unsigned int pages,
		   bool *mmap_failed)
{
	int err;

	*mmap_failed = false;
	perf_evlist__set_maps(e->evlist, e->cpus, e->threads);
	if (cgroup_fd >= 0)
		err = open_cgroup_events(perf_evlist__next(e->evlist, NULL),
					 e->cpus, cgroup_fd);
	else
		err = perf_evlist__open(e->evlist);
	if (err)
		return err < 0 ? err : -EINVAL;
	if (perf_evlist__mmap(e->evlist, (int)pages)) {
		*mmap_failed = true;
		return errno ? -errno : -ENOMEM;
	}
	return 0;
}

void live_evl__close(struct live_evl *e)
{
	if (e->evlist) {
		perf_evlist__munmap(e->evlist);
		perf_evlist__close(e->evlist);
		perf_evlist__delete(e->evlist);	/* deletes the evsels */
	}
	perf_thread_map__put(e->threads);
	perf_cpu_map__put(e->cpus);
	e->evlist = NULL;
	e->threads = NULL;
	e->cpus = NULL;
}

void live_evl__set_enabled(struct live_evl *e, bool on)
{
	if (on)
		perf_evlist__enable(e->evlist);
	else
		perf_evlist__disable(e->evlist);
}

uint64_t live__ring_pending(const struct perf_mmap *map)
{
	return map->end - map->start;
}

int live__decode_head(const union perf_event *ev, struct live_cursor *c,
		      struct fg_live_sample *s)
{
	uint32_t pt[2], cpu[2];

	c->p = (const uint8_t *)ev + sizeof(ev->header);
	c->end = (const uint8_t *)ev + ev->header.size;
	s->cpumode = ev->header.misc & PERF_RECORD_MISC_CPUMODE_MASK;
	if (!live_cursor__take(c, &s->ip, 8) ||
	    !live_cursor__take(c, pt, sizeof(pt)) ||
	    !live_cursor__take(c, &s->time, 8) ||
	    !live_cursor__take(c, cpu, sizeof(cpu)) ||
	    !live_cursor__take(c, &s->period, 8))
		return -EINVAL;
	s->pid = pt[0];
	s->tid = pt[1];
	s->cpu = cpu[0];
	return 0;
}
