// SPDX-License-Identifier: GPL-2.0
/*
 * Live sampling with libperf (include/flame/live.h).
 *
 * One evsel: the sampling event, which also carries the side-band records
 * (COMM, MMAP2 with build ids, FORK/EXIT) as perf record's first event does.
 * libperf opens it per CPU (and per thread for -p), maps one ring buffer a
 * CPU and redirects the per-thread fds into it; cgroup events are opened by
 * live_evl.c because libperf 6.1 passes no flags to perf_event_open.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <linux/perf_event.h>

#include <perf/core.h>
#include <perf/cpumap.h>
#include <perf/event.h>
#include <perf/evlist.h>
#include <perf/evsel.h>
#include <perf/mmap.h>
#include <perf/threadmap.h>

#include <flame/live.h>
#include "internal.h"
#include "live_int.h"

struct fg_live {
	struct live_evl evl;
	struct perf_event_attr attr;
	const char *event;
	struct fg_live_stats st;
	uint64_t regs_user;
	uint32_t stack_user;
};

struct event_name {
	const char *name;
	uint32_t type;
	uint64_t config;
};

static const struct event_name events[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

/* Thread ids of every pid, for per-thread events (perf record -p). */
static struct perf_thread_map *threads_of(const int *pids, size_t nr)
{
	struct perf_thread_map *m;
	pid_t *tids = NULL;
	size_t n = 0, alloc = 0, i;

	for (i = 0; i < nr; i++) {
		char path[64];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", pids[i]);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *end;
			long tid = strtol(de->d_name, &end, 10);

			if (*end || tid <= 0)
				continue;
			if (n == alloc) {
				size_t na = alloc ? alloc * 2 : 64;
				pid_t *t = realloc(tids, na * sizeof(*tids));

				if (!t) {
					closedir(d);
					free(tids);
					errno = ENOMEM;
					return NULL;
				}
				tids = t;
				alloc = na;
			}
			tids[n++] = (pid_t)tid;
		}
		closedir(d);
	}
	if (!n) {
		free(tids);
		errno = ESRCH;
		return NULL;
	}
	m = perf_thread_map__new_array((int)n, tids);
	free(tids);
	if (!m)
		errno = ENOMEM;
	return m;
}

static int setup_attr(struct fg_live *l, const struct fg_live_opts *o,
		      const char **why)
{
	struct perf_event_attr *a = &l->attr;
	const char *ev = o->event && *o->event ? o->event : "cpu-clock";
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < ARRAY_SIZE(events); i++)
		if (!strcmp(events[i].name, ev))
			break;
	if (i == ARRAY_SIZE(events)) {
		*why = "unknown event (cpu-clock, task-clock, cycles, instructions, page-faults, context-switches, ...)";
		return -EINVAL;
	}
	l->event = events[i].name;
	a->size = sizeof(*a);
	a->type = events[i].type;
	a->config = events[i].config;
	a->disabled = 1;
	a->freq = 1;
	a->sample_freq = o->freq ? o->freq : 99;
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |
			 PERF_SAMPLE_CALLCHAIN;
	if (o->sample_regs_user) {
		a->sample_type |= PERF_SAMPLE_REGS_USER;
		a->sample_regs_user = o->sample_regs_user;
		l->regs_user = o->sample_regs_user;
	}
	if (o->sample_stack_user) {
		a->sample_type |= PERF_SAMPLE_STACK_USER;
		a->sample_stack_user = o->sample_stack_user;
		l->stack_user = o->sample_stack_user;
	}
	a->sample_max_stack = (uint16_t)(o->max_stack ? o->max_stack : 127);
	if (o->monotonic) {
		a->use_clockid = 1;
		a->clockid = CLOCK_MONOTONIC;
	}
	/* with a user stack copy the user part is unwound from it */
	a->exclude_callchain_user = o->sample_stack_user ? 1 : 0;
	/* side band: what perf record asks on its first event */
	a->mmap = 1;
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->build_id = 1;
	a->sample_id_all = 1;
	a->inherit = o->cgroup_fd < 0 && o->nr_pids;
	return 0;
}

struct fg_live *fg_live__new(const struct fg_live_opts *o, const char **why)
{
	const char *dummy;
	struct fg_live *l;
	struct perf_evsel *evsel;
	unsigned int pages = o->mmap_pages ? o->mmap_pages : 128;
	bool mmap_failed;
	int err;

	if (!why)
		why = &dummy;
	*why = NULL;
	l = live__alloc(sizeof(*l), pages, why);
	if (!l)
		return NULL;
	err = setup_attr(l, o, why);
	if (err)
		goto out_err;
	err = -ENOMEM;
	l->evl.cpus = perf_cpu_map__new(NULL);	/* online CPUs */
	if (!l->evl.cpus) {
		*why = "cannot read the online CPUs";
		goto out_err;
	}
	if (o->cgroup_fd < 0 && o->nr_pids) {
		l->evl.threads = threads_of(o->pids, o->nr_pids);
		if (!l->evl.threads) {
			err = -errno;
			*why = "no such process";
			goto out_err;
		}
	} else {
		l->evl.threads = perf_thread_map__new_dummy();	/* pid -1 */
		if (!l->evl.threads)
			goto out_err;
	}
	l->evl.evlist = perf_evlist__new();
	evsel = perf_evsel__new(&l->attr);
	if (!l->evl.evlist || !evsel) {
		perf_evsel__delete(evsel);
		goto out_err;
	}
	perf_evlist__add(l->evl.evlist, evsel);
	err = live_evl__open(&l->evl, o->cgroup_fd, pages, &mmap_failed);
	if (err) {
		if (mmap_failed)
			*why = "cannot map the ring buffers (try fewer --mmap-pages)";
		else if (err == -ENOENT && l->attr.type == PERF_TYPE_HARDWARE)
			*why = "no hardware PMU here (use cpu-clock)";
		else if (err == -EACCES || err == -EPERM)
			*why = "perf_event_open not permitted (root or kernel.perf_event_paranoid)";
		else if (err == -ESRCH)
			*why = "the process exited";
		else
			*why = "perf_event_open failed";
		goto out_err;
	}
	return l;
out_err:
	fg_live__delete(l);
	errno = -err;
	return NULL;
}

void fg_live__delete(struct fg_live *l)
{
	if (!l)
		return;
	live_evl__close(&l->evl);
	free(l);
}

void fg_live__set_enabled(struct fg_live *l, bool on)
{
	live_evl__set_enabled(&l->evl, on);
}

int fg_live__poll(struct fg_live *l, int timeout_ms)
{
	int ret = perf_evlist__poll(l->evl.evlist, timeout_ms);

	return ret < 0 ? -errno : 0;
}

const struct fg_live_stats *fg_live__stats(const struct fg_live *l)
{
	return &l->st;
}

const char *fg_live__event_name(const struct fg_live *l)
{
	return l->event;
}

int fg_live__nr_cpus(const struct fg_live *l)
{
	return perf_cpu_map__nr(l->evl.cpus);
}

/* ---- record decoding ---- */

static bool take_u64(struct live_cursor *c, uint64_t *v)
{
	return live_cursor__take(c, v, sizeof(*v));
}

/*
 * The fields in the order the kernel writes them for our sample_type
 * (include/uapi/linux/perf_event.h, PERF_RECORD_SAMPLE).
 */
static int decode_sample(const struct fg_live *l, const union perf_event *ev,
			 struct fg_live_sample *s)
{
	struct live_cursor c;

	memset(s, 0, sizeof(*s));
	if (live__decode_head(ev, &c, s) || !take_u64(&c, &s->nr))
		return -EINVAL;
	if (s->nr > (uint64_t)(c.end - c.p) / sizeof(uint64_t))
		return -EINVAL;
	s->chain = (const uint64_t *)c.p;
	c.p += s->nr * sizeof(uint64_t);
	if (l->regs_user) {
		if (!take_u64(&c, &s->regs_abi))
			return -EINVAL;
		if (s->regs_abi) {
			size_t n = (size_t)__builtin_popcountll(l->regs_user);

			if ((size_t)(c.end - c.p) < n * sizeof(uint64_t))
				return -EINVAL;
			s->regs = (const uint64_t *)c.p;
			c.p += n * sizeof(uint64_t);
		}
	}
	if (l->stack_user) {
		uint64_t size, dyn;

		if (!take_u64(&c, &size) || size > (uint64_t)(c.end - c.p))
			return -EINVAL;
		s->stack = c.p;
		c.p += size;
		if (size) {
			if (!take_u64(&c, &dyn))
				return -EINVAL;
			s->stack_size = dyn < size ? dyn : size;
		}
	}
	return 0;
}

/* A NUL-terminated string field that must end inside the record. */
static const char *record_str(const union perf_event *ev, const char *s)
{
	const char *end = (const char *)ev + ev->header.size;

	if (s >= end || !memchr(s, '\0', (size_t)(end - s)))
		return NULL;
	return s;
}

static int handle(struct fg_live *l, const union perf_event *ev,
		  const struct fg_live_ops *ops, void *arg)
{
	size_t size = ev->header.size;

	switch (ev->header.type) {
	case PERF_RECORD_SAMPLE: {
		struct fg_live_sample s;

		if (decode_sample(l, ev, &s)) {
			l->st.bad++;
			return 0;
		}
		l->st.samples++;
		return ops->sample ? ops->sample(arg, &s) : 0;
	}
	case PERF_RECORD_MMAP2: {
		const struct perf_record_mmap2 *m = &ev->mmap2;
		struct fg_live_mmap mm;

		if (size < offsetof(struct perf_record_mmap2, filename) + 1 ||
		    !record_str(ev, m->filename)) {
			l->st.bad++;
			return 0;
		}
		l->st.mmap++;
		memset(&mm, 0, sizeof(mm));
		mm.pid = m->pid;
		mm.tid = m->tid;
		mm.start = m->start;
		mm.len = m->len;
		mm.pgoff = m->pgoff;
		mm.prot = m->prot;
		mm.flags = m->flags;
		mm.filename = m->filename;
		mm.kernel = (ev->header.misc & PERF_RECORD_MISC_CPUMODE_MASK) ==
			    PERF_RECORD_MISC_KERNEL;
		if (ev->header.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
			mm.build_id_size = m->build_id_size > 20 ? 20 :
					   m->build_id_size;
			memcpy(mm.build_id, m->build_id, mm.build_id_size);
		}
		return ops->mmap ? ops->mmap(arg, &mm) : 0;
	}
	case PERF_RECORD_COMM: {
		const struct perf_record_comm *c = &ev->comm;

		if (size < offsetof(struct perf_record_comm, comm) + 1 ||
		    !record_str(ev, c->comm)) {
			l->st.bad++;
			return 0;
		}
		l->st.comm++;
		return ops->comm ? ops->comm(arg, c->pid, c->tid, c->comm,
					     ev->header.misc & PERF_RECORD_MISC_COMM_EXEC) : 0;
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		const struct perf_record_fork *f = &ev->fork;

		if (size < sizeof(*f)) {
			l->st.bad++;
			return 0;
		}
		if (ev->header.type == PERF_RECORD_FORK) {
			l->st.fork++;
			return ops->fork ? ops->fork(arg, f->pid, f->ppid,
						     f->tid, f->time) : 0;
		}
		l->st.exit++;
		return ops->exit ? ops->exit(arg, f->pid, f->tid, f->time) : 0;
	}
	case PERF_RECORD_LOST:
		if (size < sizeof(ev->lost)) {
			l->st.bad++;
			return 0;
		}
		l->st.lost_records++;
		l->st.lost += ev->lost.lost;
		return 0;
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_UNTHROTTLE:
		l->st.throttle++;
		return 0;
	default:
		return 0;
	}
}

/*
 * The time of a record: a sample's PERF_SAMPLE_TIME follows its ip and
 * pid/tid; any other record ends with the sample_id_all trailer (pid/tid,
 * time, cpu for our sample_type), so its time is 16 bytes before its end.
 * A record too short for either keeps its ring's last time.
 */
static uint64_t record_time(const union perf_event *ev, uint64_t last)
{
	size_t size = ev->header.size;
	uint64_t t;

	if (ev->header.type == PERF_RECORD_SAMPLE) {
		if (size < sizeof(ev->header) + 3 * sizeof(uint64_t))
			return last;
		memcpy(&t, (const uint8_t *)ev + sizeof(ev->header) +
		       2 * sizeof(uint64_t), sizeof(t));
		return t;
	}
	if (size < sizeof(ev->header) + 3 * sizeof(uint64_t))
		return last;
	memcpy(&t, (const uint8_t *)ev + size - 2 * sizeof(uint64_t), sizeof(t));
	return t;
}

struct ring {
	struct perf_mmap *map;
	union perf_event *ev;	/* the next record, not consumed yet */
	uint64_t time;		/* its time */
	uint64_t budget;	/* bytes left of what the ring held when the
				 * drain began */
};

static void ring__next(struct ring *r)
{
	r->ev = r->budget ? perf_mmap__read_event(r->map) : NULL;
	if (!r->ev)
		return;
	r->budget = r->ev->header.size < r->budget ?
		    r->budget - r->ev->header.size : 0;
	r->time = record_time(r->ev, r->time);
}

/*
 * Every ring's records merged by time: a process that execs on one CPU
 * and is sampled on another has its COMM and MMAP2 records handled before
 * the samples that need them (draining the rings one after another handed
 * those samples over first, and each cost a /proc/PID/maps read). Each
 * ring's next record stays in the ring until handled (the kernel does not
 * write over what is not consumed). A drain reads what the rings held when
 * it began (their heads are read one after the other, microseconds apart),
 * so a record written meanwhile on one CPU is not handled before an earlier
 * one another CPU's ring had not shown yet; and the drain ends while the
 * kernel keeps writing.
 */
int fg_live__drain(struct fg_live *l, const struct fg_live_ops *ops,
		   void *arg)
{
	struct ring rings[64], *r, *rs = rings;
	struct perf_mmap *map;
	size_t nr = 0, alloc = ARRAY_SIZE(rings), i;
	int ret = 0;

	perf_evlist__for_each_mmap(l->evl.evlist, map, false) {
		if (perf_mmap__read_init(map) < 0)
			continue;	/* empty */
		if (nr == alloc) {
			size_t na = alloc * 2;
			struct ring *n = rs == rings ?
					 malloc(na * sizeof(*n)) :
					 realloc(rs, na * sizeof(*n));

			if (!n) {
				ret = -ENOMEM;
				break;
			}
			if (rs == rings)
				memcpy(n, rings, sizeof(rings));
			rs = n;
			alloc = na;
		}
		r = &rs[nr];
		r->map = map;
		r->time = 0;
		r->budget = live__ring_pending(map);
		ring__next(r);
		if (r->ev)
			nr++;
	}
	while (nr && !ret) {
		r = rs;
		for (i = 1; i < nr; i++)
			if (rs[i].time < r->time)
				r = &rs[i];
		l->st.bytes += r->ev->header.size;
		ret = handle(l, r->ev, ops, arg);
		perf_mmap__consume(r->map);
		ring__next(r);
		if (!r->ev)
			*r = rs[--nr];
	}
	/* on an error the unread records stay for the next drain */
	if (rs != rings)
		free(rs);
	return ret;
}

/* ---- cgroups ---- */

/* Mount point of the hierarchy that has the perf_event controller: a v1
 * mount with the "perf_event" option, else the cgroup2 mount. */
static int perf_event_mount(char *buf, size_t len)
{
	char line[4096], v2[PATH_MAX] = "";
	FILE *fp = fopen("/proc/mounts", "re");
	int ret = -ENOENT;

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char dev[256], dir[PATH_MAX], type[64], opts[1024];

		if (sscanf(line, "%255s %4095s %63s %1023s", dev, dir, type,
			   opts) != 4)
			continue;
		if (!strcmp(type, "cgroup")) {
			char *tok, *save = NULL;

			for (tok = strtok_r(opts, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "perf_event")) {
					snprintf(buf, len, "%s", dir);
					fclose(fp);
					return 0;
				}
			}
		} else if (!strcmp(type, "cgroup2") && !*v2) {
			snprintf(v2, sizeof(v2), "%s", dir);
		}
	}
	fclose(fp);
	if (*v2) {
		snprintf(buf, len, "%s", v2);
		ret = 0;
	}
	return ret;
}

static bool on_cgroupfs(int fd)
{
	struct statfs sf;

	return !fstatfs(fd, &sf) && (sf.f_type == CGROUP2_SUPER_MAGIC ||
				     sf.f_type == CGROUP_SUPER_MAGIC);
}

int fg_live__open_cgroup(const char *path, char *found, size_t found_len)
{
	char mnt[PATH_MAX], full[PATH_MAX * 2];
	int fd, ret;

	/* a directory on a cgroup file system, as given */
	if (path[0] == '/') {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && on_cgroupfs(fd)) {
			snprintf(found, found_len, "%s", path);
			return fd;
		}
		if (fd >= 0)
			close(fd);
	}
	/* a path inside the perf_event hierarchy */
	ret = perf_event_mount(mnt, sizeof(mnt));
	if (ret)
		return ret;
	while (*path == '/')
		path++;
	snprintf(full, sizeof(full), "%s/%s", mnt, path);
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!on_cgroupfs(fd)) {
		close(fd);
		return -ENOTDIR;
	}
	snprintf(found, found_len, "%s", full);
	return fd;
}
