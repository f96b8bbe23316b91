// SPDX-License-Identifier: GPL-2.0
/*
 * Time off the CPU from sched tracepoints.
 *
 *   sched_switch (in prev's context, prev's callchain): prev leaves the
 *     CPU in prev_state: a block opens with that stack; next comes on: its
 *     open block closes, weighted by the time in between.
 *   sched_waking / sched_wakeup (in the waker's context): the wakee's
 *     waker stack, and the start of its run-queue wait.
 *   sched_wakeup_new: a new task's first run-queue wait.
 *   sched_process_exit: the thread's last switch-out opens no block.
 *
 * Exact only when every switch is recorded (perf record -a): a sleeping
 * thread is switched in by whatever ran before it, often the idle task.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/hashmap.h>
#include <flame/offcpu.h>

#include "internal.h"

static const char *const kind_names[FG_SCHED__MAX] = {
	[FG_SCHED_SWITCH] = "sched:sched_switch",
	[FG_SCHED_WAKING] = "sched:sched_waking",
	[FG_SCHED_WAKEUP] = "sched:sched_wakeup",
	[FG_SCHED_WAKEUP_NEW] = "sched:sched_wakeup_new",
	[FG_SCHED_EXIT] = "sched:sched_process_exit",
};

const char *fg_sched_kind__name(enum fg_sched_kind k)
{
	return k < FG_SCHED__MAX ? kind_names[k] : NULL;
}

enum fg_sched_kind fg_sched_kind__of(const char *event)
{
	unsigned int i;

	if (!event)
		return FG_SCHED_OTHER;
	for (i = 1; i < FG_SCHED__MAX; i++)
		if (!strcmp(event, kind_names[i]))
			return i;
	return FG_SCHED_OTHER;
}

struct thr {
	int32_t tid;		/* the key (the idle task is never kept) */
	int32_t pid;
	uint64_t out;		/* switch-out time of the open block */
	uint64_t queued;	/* start of the run-queue wait, 0 = none */
	uint32_t node;		/* switch-out stack, FG_NO_NODE = not drawn */
	uint32_t waker;		/* waker stack, FG_NO_NODE = none */
	uint32_t group;		/* run-queue group: index in o->groups */
	uint32_t comm_id;	/* comm interned in the profile, UINT32_MAX = none */
	uint8_t state;		/* enum fg_task_state of the open block */
	bool open, exiting, woken;
	char comm[FG_COMM_LEN];
};

/* (blocked node, waker node, state) -> output node */
struct pair {
	uint32_t b, w;
	uint8_t state;
	uint32_t val;
};

struct fg_offcpu {
	const struct fg_offcpu_cfg *cfg;
	struct fg_offcpu_deps d;
	struct fg_runq *runq;
	struct fg_hashmap *thr;		/* tid -> struct thr */
	struct fg_hashmap *pairs;	/* compositions: struct pair */
	uint32_t *wname;	/* name id -> name_[w] id */
	size_t nr_wname;
	uint32_t state_name[FG_TASK__MAX], sep_name;
	/* run-queue groups: container labels */
	char **groups;
	size_t nr_groups;
	struct fg_offcpu_stats st;
	bool warned_period;
	uint32_t scratch[2048];
	uint32_t scratch2[1024];
};

/* ---- options ---- */

static int parse_dur(const char *s, uint64_t *ns)
{
	static const struct { const char *sfx; uint64_t mul; } u[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "", 1000 },	/* bare number: us */
	};
	char *end;
	double v = strtod(s, &end);
	size_t i;

	if (end == s || v < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (!strcmp(end, u[i].sfx)) {
			*ns = (uint64_t)(v * u[i].mul + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

int fg_offcpu_cfg__parse(struct fg_offcpu_cfg *c)
{
	static const char *const modes[] = {
		[FG_MODE_CPU] = "cpu", [FG_MODE_OFFCPU] = "offcpu",
		[FG_MODE_WAKEUP] = "wakeup", [FG_MODE_OFFWAKE] = "offwake",
		[FG_MODE_WALL] = "wall", [FG_MODE_RUNQ] = "runq",
	};
	static const char letters[] = "RSDITPX";
	static const enum fg_task_state states[] = {
		FG_TASK_R, FG_TASK_S, FG_TASK_D, FG_TASK_I, FG_TASK_T,
		FG_TASK_P, FG_TASK_X,
	};
	const char *p;
	size_t i;

	c->mode = FG_MODE_CPU;
	if (c->mode_s) {
		for (i = 0; i < ARRAY_SIZE(modes); i++)
			if (!strcmp(c->mode_s, modes[i]))
				break;
		if (i == ARRAY_SIZE(modes)) {
			pr_warn("option 'mode=%s': expects cpu, offcpu, wakeup, offwake, wall or runq\n",
				c->mode_s);
			return -EINVAL;
		}
		c->mode = i;
	}
	c->state_mask = 0;
	if (!c->state_s || !strcmp(c->state_s, "all")) {
		c->state_mask = ~0u;
		c->state_leaf = true;
	} else {
		for (p = c->state_s; *p; p++) {
			const char *q = strchr(letters, *p);

			if (!q) {
				pr_warn("option 'state=%s': expects letters of S (sleep), D (uninterruptible), R (preempted), I, T, P, or all\n",
					c->state_s);
				return -EINVAL;
			}
			c->state_mask |= 1u << states[q - letters];
		}
		/* more than one state kept: say which */
		c->state_leaf = __builtin_popcount(c->state_mask) > 1;
	}
	c->min_block_ns = 0;
	if (c->min_block_s && parse_dur(c->min_block_s, &c->min_block_ns)) {
		pr_warn("option 'min-block=%s': expects a duration (500us, 2ms, 1s; a bare number is us)\n",
			c->min_block_s);
		return -EINVAL;
	}
	c->unit_div = 1000;
	if (c->unit_s) {
		if (!strcmp(c->unit_s, "ns"))
			c->unit_div = 1;
		else if (!strcmp(c->unit_s, "ms"))
			c->unit_div = 1000000;
		else if (strcmp(c->unit_s, "us")) {
			pr_warn("option 'unit=%s': expects ns, us or ms\n",
				c->unit_s);
			return -EINVAL;
		}
	}
	return 0;
}

const char *fg_offcpu_cfg__unit(const struct fg_offcpu_cfg *c)
{
	return c->unit_div == 1 ? "ns" : c->unit_div == 1000 ? "us" : "ms";
}

static int set_default(struct fg_opts *o, const char *key, char **field,
		       const char *val)
{
	if (*field)
		return 0;
	return fg_opt__set(fg_output_opts, o, key, val, NULL);
}

int fg_offcpu_cfg__graph_defaults(const struct fg_offcpu_cfg *c,
				  struct fg_opts *o)
{
	static const char *const titles[] = {
		[FG_MODE_OFFCPU] = "Off-CPU Time Flame Graph",
		[FG_MODE_WAKEUP] = "Wakeup Time Flame Graph",
		[FG_MODE_OFFWAKE] = "Off-Wake Time Flame Graph",
		[FG_MODE_WALL] = "Wall-Clock Time Flame Graph",
		[FG_MODE_RUNQ] = "Run-Queue Latency Flame Graph",
	};
	static const char *const colors[] = {
		[FG_MODE_OFFCPU] = "io", [FG_MODE_WAKEUP] = "wakeup",
		[FG_MODE_OFFWAKE] = "io", [FG_MODE_WALL] = "hot", [FG_MODE_RUNQ] = "io",
	};
	int ret;

	if (c->mode == FG_MODE_CPU)
		return 0;
	if ((ret = set_default(o, "title", &o->title, titles[c->mode])) ||
	    (ret = set_default(o, "countname", &o->countname, fg_offcpu_cfg__unit(c))) ||
	    (ret = set_default(o, "colors", &o->colors, colors[c->mode])))
		return ret;
	return 0;
}

/* ---- threads: tid -> struct thr ---- */

static bool thr_eq(const void *entry, const void *key)
{
	return ((const struct thr *)entry)->tid == *(const int32_t *)key;
}

static uint64_t tid_hash(int32_t tid)
{
	return fg_hash64((uint32_t)tid);
}

static struct thr *thr_find(struct fg_offcpu *o, int32_t tid)
{
	return fg_hashmap__find(o->thr, tid_hash(tid), &tid);
}

static struct thr *thr_get(struct fg_offcpu *o, int32_t tid)
{
	struct thr *t;
	bool added;
	size_t n;

	t = fg_hashmap__insert(o->thr, tid_hash(tid), &tid, &added);
	if (!t || !added)
		return t;
	t->tid = tid;
	t->pid = -1;
	t->node = t->waker = FG_NO_NODE;
	t->group = UINT32_MAX;
	t->comm_id = UINT32_MAX;
	n = fg_hashmap__count(o->thr);
	if (n > o->st.max_thr)
		o->st.max_thr = n;
	return t;
}

static void thr_del(struct fg_offcpu *o, struct thr *t)
{
	fg_hashmap__remove_entry(o->thr, t);
}

/* compositions: (blocked node, waker node, state) */
static bool pair_eq(const void *entry, const void *key)
{
	const struct pair *a = entry, *b = key;

	return a->b == b->b && a->w == b->w && a->state == b->state;
}

/* ---- setup ---- */

struct fg_offcpu *fg_offcpu__new(const struct fg_offcpu_cfg *c,
				 const struct fg_offcpu_deps *d)
{
	struct fg_offcpu *o = calloc(1, sizeof(*o));
	size_t i;

	if (!o)
		return NULL;
	o->cfg = c;
	o->d = *d;
	o->thr = fg_hashmap__new(sizeof(struct thr), thr_eq);
	o->pairs = fg_hashmap__new(sizeof(struct pair), pair_eq);
	o->runq = fg_runq__new();
	o->sep_name = fg_profile__intern(d->prof, "--", 2);
	if (!o->thr || !o->pairs || !o->runq || o->sep_name == UINT32_MAX) {
		fg_offcpu__delete(o);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < FG_TASK__MAX; i++)
		o->state_name[i] = UINT32_MAX;
	return o;
}

void fg_offcpu__delete(struct fg_offcpu *o)
{
	size_t i;

	if (!o)
		return;
	fg_runq__delete(o->runq);
	for (i = 0; i < o->nr_groups; i++)
		free(o->groups[i]);
	free(o->groups);
	fg_hashmap__delete(o->thr);
	fg_hashmap__delete(o->pairs);
	free(o->wname);
	free(o);
}

const struct fg_runq *fg_offcpu__runq(const struct fg_offcpu *o)
{
	return o->runq;
}

const struct fg_offcpu_stats *fg_offcpu__stats(const struct fg_offcpu *o)
{
	return &o->st;
}

/* ---- composing output stacks ---- */

static uint32_t state_leaf(struct fg_offcpu *o, enum fg_task_state st)
{
	static const char *const names[FG_TASK__MAX] = {
		[FG_TASK_R] = "[R] preempted", [FG_TASK_S] = "[S] sleep",
		[FG_TASK_D] = "[D] uninterruptible", [FG_TASK_I] = "[I] idle",
		[FG_TASK_T] = "[T] stopped", [FG_TASK_P] = "[P] parked",
		[FG_TASK_X] = "[X] exiting",
	};

	if (o->state_name[st] == UINT32_MAX)
		o->state_name[st] = fg_profile__intern(o->d.prof, names[st],
						       strlen(names[st]));
	return o->state_name[st];
}

static uint32_t waker_name(struct fg_offcpu *o, uint32_t name)
{
	const char *s;
	char buf[1024];
	int len;

	if (name >= o->nr_wname) {
		size_t n = (name + 1) * 2, i;
		uint32_t *v = realloc(o->wname, n * sizeof(*v));

		if (!v)
			return UINT32_MAX;
		for (i = o->nr_wname; i < n; i++)
			v[i] = UINT32_MAX;
		o->wname = v;
		o->nr_wname = n;
	}
	if (o->wname[name] != UINT32_MAX)
		return o->wname[name];
	s = fg_profile__name(o->d.prof, name);
	len = snprintf(buf, sizeof(buf), "%.1000s_[w]", s);
	o->wname[name] = fg_profile__intern(o->d.prof, buf, len);
	return o->wname[name];
}

/* Frames of a node, root first, without the container root frame. */
static size_t path_of(struct fg_offcpu *o, uint32_t node, uint32_t *out, size_t max)
{
	size_t n = fg_profile__path(o->d.prof, node, out, max), skip;

	if (n > max)
		n = max;
	skip = o->cfg->group_container && n > 0 ? 1 : 0;
	memmove(out, out + skip, (n - skip) * sizeof(*out));
	return n - skip;
}

static uint32_t compose(struct fg_offcpu *o, uint32_t b, uint32_t w,
			enum fg_task_state st)
{
	const bool leaf = o->cfg->state_leaf || o->cfg->mode == FG_MODE_WALL;
	const struct pair key = { .b = b, .w = w, .state = (uint8_t)st };
	const uint64_t h = fg_hash64(((uint64_t)b << 32 | w) ^ ((uint64_t)st << 60));
	size_t nb, nw, k;
	uint32_t node, root = FG_ROOT, *bf = o->scratch, *wf = o->scratch2;
	struct pair *p;

	if (o->cfg->mode == FG_MODE_OFFCPU || o->cfg->mode == FG_MODE_WALL)
		return leaf ? fg_profile__child(o->d.prof, b, state_leaf(o, st)) : b;
	if (w == FG_NO_NODE && o->cfg->mode == FG_MODE_WAKEUP)
		return FG_NO_NODE;
	p = fg_hashmap__find(o->pairs, h, &key);
	if (p)
		return p->val;
	/* the container root of the blocked thread, then its comm root */
	if (o->cfg->group_container) {
		fg_profile__path(o->d.prof, b, bf, 1);
		root = fg_profile__child(o->d.prof, root, bf[0]);
	}
	nb = path_of(o, b, bf, 1024);
	nw = w != FG_NO_NODE ? path_of(o, w, wf, 1024) : 0;
	node = root;
	if (o->cfg->mode == FG_MODE_WAKEUP) {
		/* wakee; waker's frames root first */
		if (nb)
			node = fg_profile__child(o->d.prof, node, bf[0]);
		for (k = 0; k < nw && node != FG_NO_NODE; k++)
			node = fg_profile__child(o->d.prof, node, waker_name(o, wf[k]));
	} else {
		/* blocked stack; "--"; waker's frames leaf first */
		for (k = 0; k < nb && node != FG_NO_NODE; k++)
			node = fg_profile__child(o->d.prof, node, bf[k]);
		if (leaf && node != FG_NO_NODE)
			node = fg_profile__child(o->d.prof, node, state_leaf(o, st));
		if (node != FG_NO_NODE)
			node = fg_profile__child(o->d.prof, node, o->sep_name);
		for (k = nw; k > 0 && node != FG_NO_NODE; k--)
			node = fg_profile__child(o->d.prof, node, waker_name(o, wf[k - 1]));
	}
	if (node == FG_NO_NODE)
		return node;
	p = fg_hashmap__insert(o->pairs, h, &key, NULL);
	if (p) {	/* else no memo: still right */
		*p = key;
		p->val = node;
	}
	return node;
}

/* ---- the state machine ---- */

static uint32_t group_of(struct fg_offcpu *o, const struct fg_sched_event *e)
{
	const char *label = "host";
	char buf[96];
	size_t i;
	char **v;

	if (o->d.group)
		label = o->d.group(o->d.arg, e, buf, sizeof(buf));
	for (i = 0; i < o->nr_groups; i++)
		if (!strcmp(o->groups[i], label))
			return i;
	v = realloc(o->groups, (o->nr_groups + 1) * sizeof(*v));
	if (!v)
		return UINT32_MAX;
	o->groups = v;
	v[o->nr_groups] = strdup(label);
	if (!v[o->nr_groups])
		return UINT32_MAX;
	return o->nr_groups++;
}

static bool has_id(const int *v, size_t n, int id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static int runq_add(struct fg_offcpu *o, struct thr *t, uint64_t now)
{
	const struct thr *m;
	const char *g;

	if (!t->queued || now < t->queued)
		return 0;
	if ((o->cfg->nr_pids && !has_id(o->cfg->pids, o->cfg->nr_pids, t->pid)) ||
	    (o->cfg->nr_tids && !has_id(o->cfg->tids, o->cfg->nr_tids, t->tid)) ||
	    (o->cfg->comm && strcmp(o->cfg->comm, t->comm)))
		goto out;
	g = t->group < o->nr_groups ? o->groups[t->group] : "unknown";
	o->st.runq_events++;
	/* a process row is named after its main thread */
	m = t->pid > 0 && t->pid != t->tid ? thr_find(o, t->pid) : NULL;
	if (fg_runq__add(o->runq, g && strcmp(g, "host") ? g : NULL,
			 t->pid >= 0 ? t->pid : t->tid,
			 m && m->comm[0] ? m->comm : t->comm, now - t->queued))
		return -ENOMEM;
	if (o->cfg->mode == FG_MODE_RUNQ && t->node != FG_NO_NODE) {
		static const char *const why[2] = { "[runq] after preemption",
						    "[runq] after wakeup" };
		uint32_t n = fg_profile__intern(o->d.prof, why[t->woken],
						strlen(why[t->woken]));

		n = n == UINT32_MAX ? FG_NO_NODE : fg_profile__child(o->d.prof, t->node, n);

		if (n == FG_NO_NODE ||
		    fg_profile__add_node(o->d.prof, n, now - t->queued, t->queued))
			return -ENOMEM;
	}
out:
	t->queued = 0;
	return 0;
}

static int close_block(struct fg_offcpu *o, struct thr *t, uint64_t now)
{
	uint64_t dur = now - t->out;
	uint32_t node;

	t->open = false;
	if (now < t->out)
		return 0;
	if (!(o->cfg->state_mask & 1u << t->state)) {
		o->st.filtered++;
		return 0;
	}
	if (dur < o->cfg->min_block_ns) {
		o->st.short_blocks++;
		return 0;
	}
	if (t->node == FG_NO_NODE || o->cfg->mode == FG_MODE_RUNQ)
		return 0;
	if (o->cfg->mode == FG_MODE_WAKEUP || o->cfg->mode == FG_MODE_OFFWAKE) {
		if (t->waker == FG_NO_NODE) {
			if (t->state != FG_TASK_R)
				o->st.unpaired++;
			if (o->cfg->mode == FG_MODE_WAKEUP)
				return 0;
		}
	}
	node = compose(o, t->node, t->waker, t->state);
	if (node == FG_NO_NODE)
		return o->cfg->mode == FG_MODE_WAKEUP ? 0 : -ENOMEM;
	o->st.blocks++;
	o->st.blocked_ns += dur;
	o->st.state_ns[t->state] += dur;
	return fg_profile__add_node(o->d.prof, node, dur, t->out);
}

/*
 * A sample in the context of a thread we think is off the CPU: its
 * switch-in is not in the file (the task that switched it in is one perf
 * did not record: seen here with another sandbox's threads). It has been
 * running since some time before this sample: the block ends here at the
 * latest, which overstates it by the thread's run time since then.
 */
static int close_inferred(struct fg_offcpu *o, struct thr *t, uint64_t now)
{
	o->st.missed_in++;
	t->queued = 0;		/* its run-queue wait is unknown */
	return close_block(o, t, now);
}

/* A comm of at most FG_COMM_LEN bytes into buf, NUL terminated. */
static void comm_copy(char buf[FG_COMM_LEN], const char *c)
{
	size_t l = c ? strnlen(c, FG_COMM_LEN - 1) : 0;

	memcpy(buf, c, l);
	buf[l] = '\0';
}

static int on_switch(struct fg_offcpu *o, const struct fg_sched_event *e)
{
	enum fg_task_state st;
	struct thr *t;
	int ret;

	o->st.switches++;
	if (e->prev_tid == 0) {
		o->st.idle_out++;
	} else if ((t = thr_get(o, e->prev_tid))) {
		char comm[sizeof(t->comm)];

		st = fg_task_state__from_prev_state(e->prev_state);
		if (t->open && (ret = close_inferred(o, t, e->time)))
			return ret;
		t->pid = e->pid;
		/* the payload names the thread: no need to look it up */
		comm_copy(comm, e->prev_comm);
		if (t->comm_id == UINT32_MAX || strcmp(comm, t->comm)) {
			memcpy(t->comm, comm, sizeof(comm));
			t->comm_id = fg_profile__intern(o->d.prof, comm, strlen(comm));
			if (t->comm_id == UINT32_MAX)
				return -ENOMEM;
		}
		if (t->group == UINT32_MAX)
			t->group = group_of(o, e);
		if (st == FG_TASK_X || t->exiting) {
			thr_del(o, t);
		} else {
			t->out = e->time;
			t->state = st;
			t->open = true;
			t->woken = false;
			t->waker = FG_NO_NODE;
			t->node = FG_NO_NODE;
			t->queued = st == FG_TASK_R ? e->time : 0;
			if ((o->cfg->state_mask & 1u << st) ||
			    o->cfg->mode == FG_MODE_RUNQ) {
				if ((ret = o->d.stack(o->d.arg, e, t->comm_id, &t->node)))
					return ret;
			}
		}
	} else {
		return -ENOMEM;
	}
	if (e->next_tid == 0)
		return 0;
	t = thr_find(o, e->next_tid);
	if (!t)
		return 0;	/* first sight: no block, no wait known */
	if (!t->comm[0])
		comm_copy(t->comm, e->next_comm);
	if ((ret = runq_add(o, t, e->time)))
		return ret;
	if (t->open)
		return close_block(o, t, e->time);
	return 0;
}

static int on_wake(struct fg_offcpu *o, const struct fg_sched_event *e)
{
	struct thr *t;
	int ret;

	if (e->target <= 0)
		return 0;
	o->st.wakeups++;
	t = e->kind == FG_SCHED_WAKEUP_NEW ? thr_get(o, e->target) :
	    thr_find(o, e->target);
	if (!t)
		return e->kind == FG_SCHED_WAKEUP_NEW ? -ENOMEM : 0;
	if (e->kind == FG_SCHED_WAKEUP_NEW) {
		t->queued = e->time;
		t->woken = true;
		return 0;
	}
	/* only a sleeper's first wakeup starts its wait (waking, then wakeup) */
	if (!t->open || t->state == FG_TASK_R || t->woken)
		return 0;
	t->woken = true;
	t->queued = e->time;
	if ((o->cfg->mode == FG_MODE_WAKEUP || o->cfg->mode == FG_MODE_OFFWAKE) &&
	    t->node != FG_NO_NODE) {
		if ((ret = o->d.stack(o->d.arg, e, UINT32_MAX, &t->waker)))
			return ret;
	}
	return 0;
}

static int on_exit_ev(struct fg_offcpu *o, const struct fg_sched_event *e)
{
	struct thr *t = thr_find(o, e->target);

	if (t)
		t->exiting = true;
	return 0;
}

static int on_cpu(struct fg_offcpu *o, const struct fg_sched_event *e)
{
	uint32_t node;
	int ret;

	if (o->cfg->mode != FG_MODE_WALL)
		return 0;
	if (!o->warned_period && e->event && !strstr(e->event, "cpu-clock") &&
	    !strstr(e->event, "task-clock")) {
		pr_warn("mode=wall: %s's period is not in ns (record with -e cpu-clock); on-CPU weights are its period\n",
			e->event);
		o->warned_period = true;
	}
	if ((ret = o->d.stack(o->d.arg, e, UINT32_MAX, &node)))
		return ret;
	if (node == FG_NO_NODE)
		return 0;
	o->st.oncpu++;
	o->st.oncpu_ns += e->period;
	return fg_profile__add_node(o->d.prof, node, e->period, e->time);
}

int fg_offcpu__event(struct fg_offcpu *o, const struct fg_sched_event *e)
{
	int ret;

	if (!o->st.first || e->time < o->st.first)
		o->st.first = e->time;
	if (e->time > o->st.last)
		o->st.last = e->time;
	if (e->tid > 0 && e->kind != FG_SCHED_SWITCH) {
		struct thr *t = thr_find(o, e->tid);

		if (t && t->open && (ret = close_inferred(o, t, e->time)))
			return ret;
	}
	if (e->kind == FG_SCHED_OTHER)
		return on_cpu(o, e);
	o->st.nr_sched++;
	switch (e->kind) {
	case FG_SCHED_SWITCH:
		return on_switch(o, e);
	case FG_SCHED_EXIT:
		return on_exit_ev(o, e);
	default:
		return on_wake(o, e);
	}
}

/* open blocks by start, then tid: the order they are added in does not
 * depend on the table's */
static int cmp_open(const void *a, const void *b)
{
	const struct thr *x = *(const struct thr *const *)a;
	const struct thr *y = *(const struct thr *const *)b;

	if (x->out != y->out)
		return x->out < y->out ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

int fg_offcpu__finish(struct fg_offcpu *o)
{
	struct thr *t, **open;
	size_t i, n = 0;
	int ret = 0;

	if (!o->st.switches)
		return -ENODATA;
	/* blocks still open: counted to the end of the input */
	open = malloc((fg_hashmap__count(o->thr) + 1) * sizeof(*open));
	if (!open)
		return -ENOMEM;
	fg_hashmap__for_each(o->thr, t, i)
		if (t->open && o->cfg->mode != FG_MODE_RUNQ)
			open[n++] = t;
	qsort(open, n, sizeof(*open), cmp_open);
	for (i = 0; i < n && !ret; i++) {
		uint64_t before = o->st.blocked_ns;

		ret = close_block(o, open[i], o->st.last);
		if (o->st.blocked_ns > before) {
			o->st.open_end++;
			o->st.open_end_ns += o->st.blocked_ns - before;
		}
	}
	free(open);
	if (ret)
		return ret;
	fg_profile__scale(o->d.prof, o->cfg->unit_div);
	return 0;
}

void fg_offcpu__summary(const struct fg_offcpu *o, struct fg_buf *b,
			const char *who, const char *formats)
{
	const struct fg_offcpu_cfg *c = o->cfg;
	const struct fg_offcpu_stats *s = &o->st;
	int st;

	fg_buf__addf(b, "%s: mode=%s: %llu sched events (formats from %s), %llu switches",
		     who, c->mode_s, (unsigned long long)s->nr_sched, formats,
		     (unsigned long long)s->switches);
	if (c->mode != FG_MODE_RUNQ) {
		const char *sep = " (";

		fg_buf__addf(b, "; %llu blocks drawn, %.3f s off-CPU",
			     (unsigned long long)s->blocks, s->blocked_ns / 1e9);
		for (st = 0; st < FG_TASK__MAX; st++) {
			if (!s->state_ns[st])
				continue;
			fg_buf__addf(b, "%s%s %.3f s", sep,
				     fg_task_state__name(st), s->state_ns[st] / 1e9);
			sep = ", ";
		}
		if (sep[0] == ',')
			fg_buf__adds(b, ")");
	}
	if (s->open_end)
		fg_buf__addf(b, "; %llu blocks still open at the end, counted to the end of the recording (%.3f s)",
			     (unsigned long long)s->open_end, s->open_end_ns / 1e9);
	if (s->missed_in)
		fg_buf__addf(b, "; %llu switch-ins not in the recording (blocks end at the thread's next sample)",
			     (unsigned long long)s->missed_in);
	if (s->short_blocks)
		fg_buf__addf(b, "; %llu blocks shorter than min-block dropped",
			     (unsigned long long)s->short_blocks);
	if (s->filtered && c->mode != FG_MODE_RUNQ)
		fg_buf__addf(b, "; %llu blocks of other states (state=%s)",
			     (unsigned long long)s->filtered, c->state_s);
	if (s->unpaired && (c->mode == FG_MODE_WAKEUP || c->mode == FG_MODE_OFFWAKE))
		fg_buf__addf(b, "; %llu blocks with no wakeup recorded%s",
			     (unsigned long long)s->unpaired,
			     c->mode == FG_MODE_WAKEUP ? " (left out)" : "");
	if (s->oncpu)
		fg_buf__addf(b, "; %llu on-CPU samples, %.3f s", (unsigned long long)s->oncpu,
			     s->oncpu_ns / 1e9);
	fg_buf__addf(b, "; unit %s; %zu threads at most\n",
		     fg_offcpu_cfg__unit(c), s->max_thr);
}

void fg_offcpu__runq_summary(const struct fg_offcpu *o, struct fg_buf *b)
{
	if (o->st.runq_events)
		fg_runq__summary(o->runq, b, o->cfg->mode == FG_MODE_RUNQ ? 10 : 3,
				 o->cfg->mode == FG_MODE_RUNQ);
}
