// SPDX-License-Identifier: GPL-2.0
/*
 * Live scheduler tracepoints with libperf (include/flame/live_sched.h).
 *
 * Four tracepoint evsels in one evlist, opened per CPU for every task (as
 * perf record -a -e sched:...); libperf maps one ring buffer a CPU and
 * points the other events' output at it. A sample's kind comes from its
 * payload's common_type (the event id in tracefs), its fields from the
 * tracefs formats through fg_sched_dec, as flame.so decodes perf.data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/perf_event.h>

#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/event.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/mmap.h>
#include <perf/threadmap.h>

#include <flame/live_sched.h>
#include "internal.h"
#include "live_int.h"

#define NR_EVENTS 4

static const enum fg_sched_kind kinds[NR_EVENTS] = {
	FG_SCHED_SWITCH, FG_SCHED_WAKING, FG_SCHED_WAKEUP_NEW, FG_SCHED_EXIT,
};

struct fg_live_sched {
	struct live_evl evl;
	struct fg_tp *tp;
	struct fg_sched_dec *dec;
	char tracefs[256];
	const char *tracefs_list[2];
	uint16_t ids[NR_EVENTS];	/* tracefs event ids, by kinds[] */
	bool callchain, cgroup;
	struct fg_live_sched_stats st;
};

static bool has_events(const char *dir)
{
	char p[300];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/events/sched/sched_switch/id", dir);
	return !stat(p, &sb);
}

int fg_live_sched__find_tracefs(char *buf, size_t len, bool do_mount)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (has_events(dirs[i])) {
			snprintf(buf, len, "%s", dirs[i]);
			return 0;
		}
	}
	if (!do_mount)
		return -ENOENT;
	if (mount("nodev", dirs[0], "tracefs", 0, NULL))
		return -errno;
	if (!has_events(dirs[0]))
		return -ENOENT;
	snprintf(buf, len, "%s", dirs[0]);
	return 0;
}

static int read_id(const char *tracefs, const char *name, uint16_t *id)
{
	char p[320], b[32];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/events/sched/%s/id", tracefs, name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	b[n] = '\0';
	*id = (uint16_t)strtoul(b, NULL, 10);
	return *id ? 0 : -EINVAL;
}

struct fg_live_sched *fg_live_sched__new(const struct fg_live_sched_opts *o,
					 const char **why)
{
	unsigned int pages = o->mmap_pages ? o->mmap_pages : 512;
	struct fg_tp_opts to = { 0 };
	struct fg_live_sched *l;
	const char *dummy;
	size_t i;
	bool mmap_failed;
	int err;

	if (!why)
		why = &dummy;
	*why = NULL;
	l = live__alloc(sizeof(*l), pages, why);
	if (!l)
		return NULL;
	l->callchain = !o->no_callchain;
	l->cgroup = o->cgroup;
	if (o->tracefs)
		snprintf(l->tracefs, sizeof(l->tracefs), "%s", o->tracefs);
	else if ((err = fg_live_sched__find_tracefs(l->tracefs,
						     sizeof(l->tracefs), false))) {
		*why = "no tracefs with sched events (mount -t tracefs nodev /sys/kernel/tracing)";
		goto out_err;
	}
	l->tracefs_list[0] = l->tracefs;
	to.tracefs = l->tracefs_list;
	err = -ENOMEM;
	l->tp = fg_tp__new(&to);
	l->dec = l->tp ? fg_sched_dec__new(l->tp) : NULL;
	l->evl.cpus = perf_cpu_map__new(NULL);
	l->evl.threads = perf_thread_map__new_dummy();
	l->evl.evlist = perf_evlist__new();
	if (!l->tp || !l->dec || !l->evl.cpus || !l->evl.threads ||
	    !l->evl.evlist)
		goto out_err;
	for (i = 0; i < NR_EVENTS; i++) {
		const char *name = fg_sched_kind__name(kinds[i]) + 6;	/* "sched:" */
		struct perf_event_attr a;
		struct perf_evsel *evsel;

		err = read_id(l->tracefs, name, &l->ids[i]);
		if (err) {
			*why = "cannot read a sched event id in tracefs";
			goto out_err;
		}
		err = fg_sched_dec__check(l->dec, kinds[i]);
		if (err) {
			*why = "a sched event's tracefs format lacks the fields off-CPU time needs";
			goto out_err;
		}
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_TRACEPOINT;
		a.config = l->ids[i];
		a.sample_period = 1;	/* every event */
		a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
				PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
				PERF_SAMPLE_PERIOD | PERF_SAMPLE_RAW;
		if (l->cgroup)
			a.sample_type |= PERF_SAMPLE_CGROUP;
		if (l->callchain) {
			a.sample_type |= PERF_SAMPLE_CALLCHAIN;
			a.sample_max_stack = (uint16_t)(o->max_stack ? o->max_stack : 127);
		}
		a.disabled = 1;
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		a.sample_id_all = 1;
		/* wake a poller at a quarter of the ring, not every event */
		a.watermark = 1;
		a.wakeup_watermark = pages * (uint32_t)sysconf(_SC_PAGESIZE) / 4;
		evsel = perf_evsel__new(&a);
		if (!evsel)
			goto out_err;
		perf_evlist__add(l->evl.evlist, evsel);
	}
	err = live_evl__open(&l->evl, -1, pages, &mmap_failed);
	if (err) {
		if (mmap_failed)
			*why = "cannot map the sched ring buffers (try fewer --mmap-pages)";
		else if (err == -EACCES || err == -EPERM)
			*why = "perf_event_open of sched tracepoints not permitted (root, or kernel.perf_event_paranoid=-1)";
		else
			*why = "perf_event_open of the sched tracepoints failed";
		goto out_err;
	}
	return l;
out_err:
	fg_live_sched__delete(l);
	errno = -err;
	return NULL;
}

void fg_live_sched__delete(struct fg_live_sched *l)
{
	if (!l)
		return;
	live_evl__close(&l->evl);
	fg_sched_dec__delete(l->dec);
	fg_tp__delete(l->tp);
	free(l);
}

void fg_live_sched__set_enabled(struct fg_live_sched *l, bool on)
{
	live_evl__set_enabled(&l->evl, on);
}

const struct fg_live_sched_stats *fg_live_sched__stats(const struct fg_live_sched *l)
{
	return &l->st;
}

const char *fg_live_sched__tracefs(const struct fg_live_sched *l)
{
	return l->tracefs;
}

/* ---- decoding ---- */

/* IP, TID, TIME, CPU, PERIOD, [CALLCHAIN], RAW, [CGROUP]: the kernel's order. */
static int decode(struct fg_live_sched *l, const union perf_event *ev,
		  struct fg_live_sched_rec *r)
{
	struct fg_live_sample *s = &r->s;
	struct live_cursor c;
	uint32_t raw_size;
	uint16_t type;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (live__decode_head(ev, &c, s))
		return -EINVAL;
	if (l->callchain) {
		if (!live_cursor__take(&c, &s->nr, 8) ||
		    s->nr > (uint64_t)(c.end - c.p) / sizeof(uint64_t))
			return -EINVAL;
		s->chain = (const uint64_t *)c.p;
		c.p += s->nr * sizeof(uint64_t);
	}
	if (!live_cursor__take(&c, &raw_size, 4) || raw_size > (size_t)(c.end - c.p) ||
	    raw_size < 2)
		return -EINVAL;
	memcpy(&type, c.p, sizeof(type));
	if (l->cgroup) {
		/* raw_size keeps u32 size + data u64-aligned: cgroup follows */
		struct live_cursor cg = { c.p + raw_size, c.end };

		if (!live_cursor__take(&cg, &r->cgroup, 8))
			return -EINVAL;
	}
	for (i = 0; i < NR_EVENTS; i++)
		if (l->ids[i] == type)
			break;
	if (i == NR_EVENTS)
		return -EINVAL;
	r->ev.kind = kinds[i];
	r->ev.time = s->time;
	r->ev.pid = (int32_t)s->pid;
	r->ev.tid = (int32_t)s->tid;
	r->ev.sample = r;
	return fg_sched_dec__decode(l->dec, &r->ev, c.p, raw_size);
}

int fg_live_sched__drain(struct fg_live_sched *l, fg_live_sched_fn fn,
			 void *arg)
{
	struct fg_live_sched_rec r;
	struct perf_mmap *map;
	union perf_event *ev;
	int ret = 0;

	perf_evlist__for_each_mmap(l->evl.evlist, map, false) {
		if (perf_mmap__read_init(map) < 0)
			continue;	/* empty */
		while ((ev = perf_mmap__read_event(map)) != NULL) {
			l->st.bytes += ev->header.size;
			if (ret)
				goto next;
			if (ev->header.type == PERF_RECORD_LOST) {
				l->st.lost_records++;
				if (ev->header.size >= sizeof(ev->lost))
					l->st.lost += ev->lost.lost;
			} else if (ev->header.type == PERF_RECORD_SAMPLE) {
				if (decode(l, ev, &r)) {
					l->st.bad++;
					goto next;
				}
				l->st.events[r.ev.kind]++;
				ret = fn(arg, &r);
			}
next:
			perf_mmap__consume(map);
		}
		perf_mmap__read_done(map);
	}
	return ret;
}
