// SPDX-License-Identifier: GPL-2.0
/*
 * flame profile --off-cpu: the sched tracepoints of every CPU (exact times
 * need them all: a sleeper is switched in by whatever ran before it, often
 * the idle task), kept to the target tasks here in user space as flame
 * record --off-cpu keeps a system-wide file to them at report time.
 *
 * Each CPU's ring is in time order but the rings are not in order with
 * each other, and the engine pairs a switch-out on one CPU with a
 * switch-in on another: events wait in a queue, sorted, until every ring
 * has been read past their time. All events are on CLOCK_MONOTONIC (the
 * sampler too), so "every ring read past T" is "read after T": the queue
 * releases what is older than the drain's start, minus a margin.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <flame/containers.h>
#include <flame/hashmap.h>
#include <flame/mem.h>
#include <flame/live_sched.h>

#include "cmd.h"
#include "profile_offcpu.h"

/* events stamped this long before a drain's start are in its rings */
#define MARGIN_NS	(2ull * 1000 * 1000)

struct qent {
	uint64_t time;
	uint64_t seq;		/* arrival: ties keep the ring's order */
	struct fg_sched_event ev;
	struct fg_live_sample s;	/* chain: offset in arena (chain_off) */
	size_t chain_off;
	char comm[2][FG_COMM_LEN];
};

/* an id set entry (tids or pids) on the library's hash table; val: a tid's pid */
struct id_ent {
	uint64_t id;
	int32_t val;
};

struct poff {
	struct poff_opts o;
	struct fg_live_sched *ls;
	struct fg_offcpu *eng;
	struct fg_task_group *groups;
	bool all;		/* every task is a target */
	struct fg_hashmap *tids, *pids;
	uint64_t *cgroups;	/* --cgroup: ids of the directory and below */
	size_t nr_cgroups;
	/* the queue */
	struct qent *q;
	size_t nr_q, alloc_q;
	uint64_t *arena;
	size_t nr_arena, alloc_arena;
	uint64_t seq;
	uint64_t kept, dropped, late;
	uint64_t last_fed;
	int err;
};

/* ---- id sets ---- */

/* The val of id, or NULL. */
static int32_t *idset__find(const struct fg_hashmap *s, int32_t id)
{
	uint64_t k = (uint64_t)id;
	struct id_ent *e;

	if (id <= 0)
		return NULL;
	e = fg_hashmap__find(s, fg_hash64(k), &k);
	return e ? &e->val : NULL;
}

static bool idset__has(const struct fg_hashmap *s, int32_t id)
{
	return idset__find(s, id) != NULL;
}

/* Add id (or update its val when val > 0). 0 or -ENOMEM. */
static int idset__add(struct fg_hashmap *s, int32_t id, int32_t val)
{
	uint64_t k = (uint64_t)id;
	struct id_ent *e;
	bool added;

	if (id <= 0)
		return 0;
	e = fg_hashmap__insert(s, fg_hash64(k), &k, &added);
	if (!e)
		return -ENOMEM;
	if (added)
		e->id = k;
	if (added || val > 0)
		e->val = val;
	return 0;
}

/* ---- targets ---- */

static bool ours(const struct poff *p, int32_t pid, int32_t tid)
{
	return p->all || idset__has(p->tids, tid) || idset__has(p->pids, pid);
}

static bool cgroup_ours(const struct poff *p, uint64_t id)
{
	size_t i;

	for (i = 0; i < p->nr_cgroups; i++)
		if (p->cgroups[i] == id)
			return true;
	return false;
}

/* The cgroup ids (directory inodes) of fd's directory and those below. */
static int add_cgroups(struct poff *p, int fd, int depth)
{
	struct dirent *de;
	struct stat sb;
	uint64_t *v;
	DIR *d;
	int ret = 0;

	if (fstat(fd, &sb))
		return -errno;
	v = realloc(p->cgroups, (p->nr_cgroups + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->cgroups = v;
	v[p->nr_cgroups++] = sb.st_ino;
	if (depth > 16 || p->nr_cgroups > 4096)
		return 0;
	fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (!ret && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0)
			continue;
		ret = add_cgroups(p, sub, depth + 1);
		close(sub);
	}
	closedir(d);
	return ret;
}

/*
 * Keep the events that concern a target thread; learn the targets'
 * threads and child processes from them on the way. Switch: the target
 * leaving (its block opens) or coming on (its block closes); wakeups
 * and exit: of a target; wakeup_new in a target's context: its new
 * thread or child; on-CPU samples come from the sampler, already ours.
 */
static bool keep(struct poff *p, struct fg_sched_event *e)
{
	bool ctx_ours;

	if (p->all)
		return true;
	ctx_ours = ours(p, e->pid, e->tid);
	switch (e->kind) {
	case FG_SCHED_SWITCH:
		if (ctx_ours && (idset__add(p->tids, e->prev_tid, e->pid) ||
				 idset__add(p->pids, e->pid, 0)))
			p->err = -ENOMEM;
		if (ctx_ours)
			return true;
		if (!idset__has(p->tids, e->next_tid))
			return false;
		/* a target coming on: the task leaving is none of ours */
		e->prev_tid = 0;
		return true;
	case FG_SCHED_WAKEUP_NEW:
		if (ctx_ours && idset__add(p->tids, e->target, 0))
			p->err = -ENOMEM;
		return ctx_ours;
	case FG_SCHED_WAKING:
	case FG_SCHED_WAKEUP:
	case FG_SCHED_EXIT:
		return idset__has(p->tids, e->target);
	default:
		return ctx_ours;
	}
}

/* ---- the queue ---- */

static int enqueue(struct poff *p, const struct fg_sched_event *e,
		   const struct fg_live_sample *s, bool chain)
{
	struct qent *q;
	size_t nr = chain ? s->nr : 0;

	if (fg_grow(&p->q, &p->alloc_q, p->nr_q, sizeof(*p->q), 4096) ||
	    fg_reserve(&p->arena, &p->alloc_arena, p->nr_arena + nr,
		       sizeof(*p->arena), 65536))
		return -ENOMEM;
	q = &p->q[p->nr_q++];
	q->time = e->time;
	q->seq = p->seq++;
	q->ev = *e;
	q->s = *s;
	q->s.nr = nr;
	q->s.chain = NULL;
	q->s.regs = NULL;
	q->s.stack = NULL;
	q->chain_off = p->nr_arena;
	memcpy(p->arena + p->nr_arena, s->chain, nr * sizeof(*s->chain));
	p->nr_arena += nr;
	/* comms point into the ring: copy them */
	memset(q->comm, 0, sizeof(q->comm));
	if (e->prev_comm)
		memcpy(q->comm[0], e->prev_comm, strnlen(e->prev_comm, FG_COMM_LEN - 1));
	if (e->next_comm)
		memcpy(q->comm[1], e->next_comm, strnlen(e->next_comm, FG_COMM_LEN - 1));
	if (e->time < p->last_fed)
		p->late++;	/* older than what the engine already has */
	return 0;
}

static int cmp_qent(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int on_sched(void *arg, const struct fg_live_sched_rec *r)
{
	struct fg_sched_event e = r->ev;
	struct fg_live_sample s = r->s;
	struct poff *p = arg;

	/*
	 * A thread's last switch-out can come with pid/tid -1 (already
	 * unhashed, as perf sched timehist finds): it is prev's, of the
	 * process it was seen in.
	 */
	/* --cgroup: a task of the cgroup is a target from its first event on */
	if (p->nr_cgroups && e.tid > 0 && e.pid > 0 && cgroup_ours(p, r->cgroup) &&
	    (idset__add(p->tids, e.tid, e.pid) || idset__add(p->pids, e.pid, 0)))
		return -ENOMEM;
	if (e.kind == FG_SCHED_SWITCH && e.prev_tid > 0 && (e.tid <= 0 || e.pid <= 0)) {
		const int32_t *pid = idset__find(p->tids, e.prev_tid);

		e.tid = e.prev_tid;
		if (e.pid <= 0 && pid && *pid > 0)
			e.pid = *pid;
		s.tid = (uint32_t)e.tid;
		s.pid = (uint32_t)e.pid;
	}
	if (!keep(p, &e)) {
		p->dropped++;
		return p->err;
	}
	p->kept++;
	return p->err ? p->err : enqueue(p, &e, &s, true);
}

int poff__sample(struct poff *p, const struct fg_live_sample *s)
{
	struct fg_sched_event e = {
		.kind = FG_SCHED_OTHER, .time = s->time,
		.pid = (int32_t)s->pid, .tid = (int32_t)s->tid,
		.period = s->period, .event = "cpu-clock",
	};

	/* only mode=wall draws them: elsewhere the time is what counts */
	return enqueue(p, &e, s, p->o.cfg->mode == FG_MODE_WALL);
}

/* the engine asks for a queued event's stack */
static int stack_cb(void *arg, const struct fg_sched_event *e,
		    uint32_t comm_id, uint32_t *node)
{
	struct poff *p = arg;
	const struct qent *q = e->sample;
	struct fg_live_sample s = q->s;

	*node = FG_NO_NODE;
	/* a switch-out's stack is prev's: draw targets only; a waker is anyone */
	if (e->kind == FG_SCHED_SWITCH && !ours(p, e->pid, e->prev_tid))
		return 0;
	if (e->kind == FG_SCHED_OTHER && !ours(p, e->pid, e->tid))
		return 0;
	s.chain = p->arena + q->chain_off;
	return p->o.node(p->o.arg, &s, node);
}

static int feed(struct poff *p, uint64_t upto, bool all)
{
	size_t i, n, off;
	int ret = 0;

	if (!p->nr_q)
		return 0;
	qsort(p->q, p->nr_q, sizeof(*p->q), cmp_qent);
	for (n = 0; n < p->nr_q && (all || p->q[n].time < upto); n++) {
		struct qent *q = &p->q[n];

		q->ev.sample = q;
		q->ev.prev_comm = q->comm[0];
		q->ev.next_comm = q->comm[1];
		ret = fg_offcpu__event(p->eng, &q->ev);
		if (ret)
			break;
		p->last_fed = q->time;
	}
	/* the rest waits: moved to the front with its chains */
	off = 0;
	for (i = n; i < p->nr_q; i++) {
		struct qent *q = &p->q[i];

		memmove(p->arena + off, p->arena + q->chain_off,
			q->s.nr * sizeof(*p->arena));
		q->chain_off = off;
		off += q->s.nr;
	}
	memmove(p->q, p->q + n, (p->nr_q - n) * sizeof(*p->q));
	p->nr_q -= n;
	p->nr_arena = off;
	return ret;
}

int poff__drain(struct poff *p, bool final)
{
	uint64_t start = fg_proc__now_ns();	/* CLOCK_MONOTONIC */
	int ret = fg_live_sched__drain(p->ls, on_sched, p);

	if (ret)
		return ret;
	return feed(p, start - MARGIN_NS, final);
}

/* ---- setup ---- */

/* run-queue rows by container or PID namespace, as flame.so's */
static const char *group_cb(void *arg, const struct fg_sched_event *e,
			    char *buf, size_t len)
{
	struct poff *p = arg;

	return fg_task_group__label(p->groups, e->pid, 0, e->time, buf, len);
}

struct poff *poff__new(const struct poff_opts *o)
{
	struct fg_offcpu_deps d = { .prof = o->prof, .stack = stack_cb,
				    .group = group_cb };
	struct fg_live_sched_opts lo = { .mmap_pages = o->mmap_pages };
	struct poff *p = calloc(1, sizeof(*p));
	char tracefs[256];
	const char *why = NULL;
	size_t i;
	int ret;

	if (!p) {
		cli_error("out of memory");
		return NULL;
	}
	p->o = *o;
	p->tids = fg_hashmap__new(sizeof(struct id_ent), fg_hashmap__eq_u64);
	p->pids = fg_hashmap__new(sizeof(struct id_ent), fg_hashmap__eq_u64);
	if (!p->tids || !p->pids) {
		cli_error("out of memory");
		fg_hashmap__delete(p->tids);
		fg_hashmap__delete(p->pids);
		free(p);
		return NULL;
	}
	p->all = !o->nr_pids && o->cgroup_fd < 0;
	lo.cgroup = o->cgroup_fd >= 0;
	if (o->cgroup_fd >= 0 && (ret = add_cgroups(p, o->cgroup_fd, 0))) {
		cli_error("profile: --off-cpu: reading the cgroup's directories: %s", strerror(-ret));
		goto fail;
	}
	for (i = 0; i < o->nr_pids; i++)
		if (idset__add(p->pids, o->pids[i], 0))
			goto nomem;
	/* tracefs mounted where perf looks for it, when it is not */
	ret = fg_live_sched__find_tracefs(tracefs, sizeof(tracefs), true);
	if (ret) {
		cli_error("profile: --off-cpu: no tracefs with sched events and mounting one on /sys/kernel/tracing failed: %s",
			  strerror(-ret));
		goto fail;
	}
	lo.tracefs = tracefs;
	p->ls = fg_live_sched__new(&lo, &why);
	if (!p->ls) {
		cli_error("profile: --off-cpu: cannot trace the sched events: %s (%s)",
			  why ? why : "error", strerror(errno));
		goto fail;
	}
	d.arg = p;
	p->groups = fg_task_group__new(o->jit);
	p->eng = p->groups ? fg_offcpu__new(o->cfg, &d) : NULL;
	if (!p->eng)
		goto nomem;
	return p;
nomem:
	cli_error("out of memory");
fail:
	poff__delete(p);
	return NULL;
}

void poff__delete(struct poff *p)
{
	if (!p)
		return;
	fg_live_sched__delete(p->ls);
	fg_offcpu__delete(p->eng);
	fg_task_group__delete(p->groups);
	fg_hashmap__delete(p->tids);
	fg_hashmap__delete(p->pids);
	free(p->cgroups);
	free(p->q);
	free(p->arena);
	free(p);
}

void poff__set_enabled(struct poff *p, bool on)
{
	fg_live_sched__set_enabled(p->ls, on);
}

uint64_t poff__events(const struct poff *p)
{
	const struct fg_live_sched_stats *st = fg_live_sched__stats(p->ls);
	uint64_t n = 0;
	int k;

	for (k = 0; k < FG_SCHED__MAX; k++)
		n += st->events[k];
	return n;
}

int poff__finish(struct poff *p)
{
	int ret = fg_offcpu__finish(p->eng);

	if (ret == -ENODATA)
		return cli_error("profile: --off-cpu: no context switch of the targets was seen (a task blocked the whole time has no switch-out to measure from)");
	if (ret)
		return cli_error("profile: --off-cpu: %s", strerror(-ret));
	return 0;
}

void poff__summary(struct poff *p, struct fg_buf *b)
{
	const struct fg_live_sched_stats *st = fg_live_sched__stats(p->ls);

	fg_offcpu__summary(p->eng, b, "flame: profile", "tracefs");
	if (st->lost)
		fg_buf__addf(b, "flame: profile: --off-cpu: the kernel dropped %" PRIu64
			     " sched events in %" PRIu64 " LOST records (rings full: raise --mmap-pages): blocks around them are not exact\n",
			     st->lost, st->lost_records);
	if (st->bad)
		fg_buf__addf(b, "flame: profile: --off-cpu: %" PRIu64 " sched records could not be decoded\n",
			     st->bad);
	if (p->late)
		fg_buf__addf(b, "flame: profile: --off-cpu: %" PRIu64 " events came after later ones were counted (a drain was late)\n",
			     p->late);
	if (getenv("FLAME_DEBUG"))
		fg_buf__addf(b, "flame: profile: --off-cpu: %" PRIu64 " sched events kept, %" PRIu64
			     " of other tasks dropped, %zu threads and %zu processes of the targets, tracefs %s\n",
			     p->kept, p->dropped, fg_hashmap__count(p->tids), fg_hashmap__count(p->pids),
			     fg_live_sched__tracefs(p->ls));
	fg_offcpu__runq_summary(p->eng, b);
}
