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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offcpu.h"
#include "jit_internal.h"	/* the snapshot index (fg_snapidx) */

enum ev_kind {
	EV_OTHER,
	EV_SWITCH,
	EV_WAKING,
	EV_WAKEUP,
	EV_WAKEUP_NEW,
	EV_EXIT,
	EV__MAX,
};

static const char *const ev_names[EV__MAX] = {
	[EV_SWITCH] = "sched:sched_switch",
	[EV_WAKING] = "sched:sched_waking",
	[EV_WAKEUP] = "sched:sched_wakeup",
	[EV_WAKEUP_NEW] = "sched:sched_wakeup_new",
	[EV_EXIT] = "sched:sched_process_exit",
};

struct thr {
	int32_t tid;		/* 0 = empty slot (the idle task is never kept) */
	int32_t pid;
	uint64_t out;		/* switch-out time of the open block */
	uint64_t queued;	/* start of the run-queue wait, 0 = none */
	uint32_t node;		/* switch-out stack, FG_NO_NODE = not drawn */
	uint32_t waker;		/* waker stack, FG_NO_NODE = none */
	uint32_t group;		/* run-queue group: index in o->groups */
	uint32_t comm_id;	/* comm interned in the profile, UINT32_MAX = none */
	uint8_t state;		/* enum fg_task_state of the open block */
	bool open, exiting, woken;
	char comm[16];
};

/* (blocked node, waker node, state) -> output node */
struct pair {
	uint64_t key;
	uint32_t b, w, val;
	uint8_t state;
};

struct offcpu {
	const struct flame_cfg *cfg;
	struct offcpu_deps d;
	struct fg_tp *tp;
	fg_perf_tp_field_fn tpf;	/* perf decodes fields (0004), or NULL */
	struct fg_runq *runq;
	/* event name pointer -> kind */
	const char *ev_ptr[16];
	uint8_t ev_kind[16];
	unsigned int nr_ev;
	bool resolved[EV__MAX];
	struct fg_tp_field prev_pid, prev_state, next_pid, next_comm, prev_comm;
	struct fg_tp_field wake_pid[EV__MAX], exit_pid;
	/* threads */
	struct thr *thr;
	size_t mask, nr_thr, max_thr;
	/* compositions */
	struct pair *pairs;
	size_t pmask, nr_pairs;
	uint32_t *wname;	/* name id -> name_[w] id */
	size_t nr_wname;
	uint32_t state_name[FG_TASK__MAX], sep_name;
	/* run-queue groups: container labels */
	char **groups;
	size_t nr_groups;
	char host_pidns[64];
	uint64_t host_pidns_ino;
	struct fg_snapidx *snap;	/* flame record's index, NULL = none */
	uint64_t ns_snap, ns_live;	/* threads whose pidns came from each */
	/* counts */
	uint64_t first, last;
	uint64_t nr_sched, switches, idle_out, blocks, blocked_ns;
	uint64_t short_blocks, filtered, open_end, open_end_ns, unpaired, missed_in;
	uint64_t wakeups, runq_events, oncpu, oncpu_ns;
	uint64_t state_ns[FG_TASK__MAX];
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

int offcpu_cfg__derive(struct flame_cfg *c)
{
	static const char *const modes[] = {
		[MODE_CPU] = "cpu", [MODE_OFFCPU] = "offcpu",
		[MODE_WAKEUP] = "wakeup", [MODE_OFFWAKE] = "offwake",
		[MODE_WALL] = "wall", [MODE_RUNQ] = "runq",
	};
	const char *p;
	size_t i;

	c->mode = MODE_CPU;
	if (c->mode_s) {
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(c->mode_s, modes[i]))
				break;
		if (i == sizeof(modes) / sizeof(modes[0])) {
			fprintf(stderr, "flame.so: option 'mode=%s': expects cpu, offcpu, wakeup, offwake, wall or runq\n",
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
			const char *q = strchr("RSDITPX", *p);

			if (!q) {
				fprintf(stderr, "flame.so: option 'state=%s': expects letters of S (sleep), D (uninterruptible), R (preempted), I, T, P, or all\n",
					c->state_s);
				return -EINVAL;
			}
			c->state_mask |= 1u << (enum fg_task_state)
				(*q == 'R' ? FG_TASK_R : *q == 'S' ? FG_TASK_S :
				 *q == 'D' ? FG_TASK_D : *q == 'I' ? FG_TASK_I :
				 *q == 'T' ? FG_TASK_T : *q == 'P' ? FG_TASK_P : FG_TASK_X);
		}
		/* more than one state kept: say which */
		c->state_leaf = __builtin_popcount(c->state_mask) > 1;
	}
	c->min_block_ns = 0;
	if (c->min_block_s && parse_dur(c->min_block_s, &c->min_block_ns)) {
		fprintf(stderr, "flame.so: option 'min-block=%s': expects a duration (500us, 2ms, 1s; a bare number is us)\n",
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
			fprintf(stderr, "flame.so: option 'unit=%s': expects ns, us or ms\n",
				c->unit_s);
			return -EINVAL;
		}
	}
	if (c->mode == MODE_WALL && !c->show_pid && !c->pids.n && !c->tids.n)
		c->show_tid = true;	/* one tower per thread */
	return 0;
}

static int set_default(struct fg_opts *o, const char *key, char **field,
		       const char *val)
{
	if (*field)
		return 0;
	return fg_opt__set(fg_output_opts, o, key, val, NULL);
}

int offcpu_cfg__defaults(const struct flame_cfg *c, struct fg_opts *o)
{
	static const char *const titles[] = {
		[MODE_OFFCPU] = "Off-CPU Time Flame Graph",
		[MODE_WAKEUP] = "Wakeup Time Flame Graph",
		[MODE_OFFWAKE] = "Off-Wake Time Flame Graph",
		[MODE_WALL] = "Wall-Clock Time Flame Graph",
		[MODE_RUNQ] = "Run-Queue Latency Flame Graph",
	};
	static const char *const colors[] = {
		[MODE_OFFCPU] = "io", [MODE_WAKEUP] = "wakeup",
		[MODE_OFFWAKE] = "io", [MODE_WALL] = "hot", [MODE_RUNQ] = "io",
	};
	const char *unit = c->unit_div == 1 ? "ns" : c->unit_div == 1000 ? "us" : "ms";
	int ret;

	if (c->mode == MODE_CPU)
		return 0;
	if ((ret = set_default(o, "title", &o->title, titles[c->mode])) ||
	    (ret = set_default(o, "countname", &o->countname, unit)) ||
	    (ret = set_default(o, "colors", &o->colors, colors[c->mode])))
		return ret;
	return 0;
}

/* ---- threads: open addressing on tid, backward-shift deletion ---- */

static size_t thr_slot(const struct offcpu *o, int32_t tid)
{
	return ((uint32_t)tid * 0x9e3779b1u) & o->mask;
}

static struct thr *thr_find(struct offcpu *o, int32_t tid)
{
	size_t i = thr_slot(o, tid);

	while (o->thr[i].tid) {
		if (o->thr[i].tid == tid)
			return &o->thr[i];
		i = (i + 1) & o->mask;
	}
	return NULL;
}

static int thr_grow(struct offcpu *o)
{
	struct thr *old = o->thr;
	size_t omask = o->mask, i, j;

	o->thr = calloc((omask + 1) * 2, sizeof(*o->thr));
	if (!o->thr) {
		o->thr = old;
		return -ENOMEM;
	}
	o->mask = omask * 2 + 1;
	for (i = 0; i <= omask; i++) {
		if (!old[i].tid)
			continue;
		for (j = thr_slot(o, old[i].tid); o->thr[j].tid; j = (j + 1) & o->mask)
			;
		o->thr[j] = old[i];
	}
	free(old);
	return 0;
}

static struct thr *thr_get(struct offcpu *o, int32_t tid)
{
	struct thr *t = thr_find(o, tid);
	size_t i;

	if (t)
		return t;
	if ((o->nr_thr + 1) * 2 > o->mask && thr_grow(o))
		return NULL;
	for (i = thr_slot(o, tid); o->thr[i].tid; i = (i + 1) & o->mask)
		;
	t = &o->thr[i];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = -1;
	t->node = t->waker = FG_NO_NODE;
	t->group = UINT32_MAX;
	t->comm_id = UINT32_MAX;
	if (++o->nr_thr > o->max_thr)
		o->max_thr = o->nr_thr;
	return t;
}

static void thr_del(struct offcpu *o, struct thr *t)
{
	size_t i = t - o->thr, j = i, k;

	o->thr[i].tid = 0;
	o->nr_thr--;
	for (;;) {
		j = (j + 1) & o->mask;
		if (!o->thr[j].tid)
			return;
		k = thr_slot(o, o->thr[j].tid);
		/* can j's entry move into the hole at i? */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			o->thr[i] = o->thr[j];
			o->thr[j].tid = 0;
			i = j;
		}
	}
}

/* ---- setup ---- */

/* "pid:[4026531836]" -> 4026531836, 0 when not that form */
static uint64_t ns_ino(const char *link)
{
	const char *b = strchr(link, '[');

	return b ? strtoull(b + 1, NULL, 10) : 0;
}

struct offcpu *offcpu__new(const struct flame_cfg *c, const struct offcpu_deps *d)
{
	struct fg_tp_opts to = { 0 };
	struct offcpu *o = calloc(1, sizeof(*o));
	char *input = NULL;
	ssize_t n;
	int sw;

	if (!o)
		goto nomem;
	o->cfg = c;
	o->d = *d;
	o->mask = 1023;
	o->thr = calloc(o->mask + 1, sizeof(*o->thr));
	o->pmask = 1023;
	o->pairs = calloc(o->pmask + 1, sizeof(*o->pairs));
	o->runq = fg_runq__new();
	if (!o->thr || !o->pairs || !o->runq)
		goto nomem;
	input = d->input ? strdup(d->input) : fg_perf__input_path();
	if (!input)
		goto nomem;
	to.path = input;
	o->tpf = d->tp_field;
	to.no_formats = o->tpf != NULL;	/* perf has them: no second parse */
	o->tp = fg_tp__new(&to);
	if (!o->tp) {
		fprintf(stderr, "flame.so: %s: cannot read the tracepoint formats in its header: %s\n",
			input, errno == ENODATA ?
			"its data size is 0 (perf record did not finish writing it)" :
			strerror(errno));
		goto fail;
	}
	if (!fg_tp__has_tracing_data(o->tp) && !access(input, R_OK)) {
		/* a file without tracing data has no tracepoint samples */
		fprintf(stderr, "flame.so: mode=%s: %s has no sched tracepoints (no tracing data in its header); record with flame record --off-cpu -a, or perf record -e sched:sched_switch -e sched:sched_waking -a -g\n",
			c->mode_s, input);
		goto fail;
	}
	sw = fg_tp__system_wide(o->tp);
	if (sw == 0 && !c->per_task) {
		fprintf(stderr, "flame.so: %s was recorded per task (no -a): the idle task's switch-ins and wakeups from other tasks are missing, so off-CPU times would be wrong; record with flame record --off-cpu -a (per-task=1 draws it anyway)\n",
			input);
		goto fail;
	}
	if (sw == 0)
		fprintf(stderr, "flame.so: warning: %s was recorded per task (no -a): off-CPU times are not exact\n",
			input);
	n = readlink("/proc/self/ns/pid", o->host_pidns, sizeof(o->host_pidns) - 1);
	o->host_pidns[n > 0 ? n : 0] = '\0';
	o->host_pidns_ino = ns_ino(o->host_pidns);
	/* PID namespaces of processes gone by now: flame record's snapshots */
	if (fg_jit__maps_dir(d->jit))
		o->snap = fg_snapidx__load(fg_jit__maps_dir(d->jit));
	o->sep_name = fg_profile__intern(d->prof, "--", 2);
	for (n = 0; n < FG_TASK__MAX; n++)
		o->state_name[n] = UINT32_MAX;
	free(input);
	return o;
nomem:
	fprintf(stderr, "flame.so: out of memory\n");
fail:
	free(input);
	offcpu__delete(o);
	return NULL;
}

void offcpu__delete(struct offcpu *o)
{
	size_t i;

	if (!o)
		return;
	fg_tp__delete(o->tp);
	fg_snapidx__delete(o->snap);
	fg_runq__delete(o->runq);
	for (i = 0; i < o->nr_groups; i++)
		free(o->groups[i]);
	free(o->groups);
	free(o->thr);
	free(o->pairs);
	free(o->wname);
	free(o);
}

const struct fg_runq *offcpu__runq(const struct offcpu *o)
{
	return o->runq;
}

static enum ev_kind kind_of(struct offcpu *o, const char *ev)
{
	unsigned int i;
	enum ev_kind k = EV_OTHER;

	for (i = 0; i < o->nr_ev; i++)
		if (o->ev_ptr[i] == ev)
			return o->ev_kind[i];
	for (i = 1; i < EV__MAX; i++)
		if (ev && !strcmp(ev, ev_names[i]))
			k = i;
	if (o->nr_ev < 16) {
		o->ev_ptr[o->nr_ev] = ev;
		o->ev_kind[o->nr_ev++] = k;
	}
	return k;
}

/* with perf's decoder: check the field on the event's first sample */
static int perf_field_check(struct offcpu *o, enum ev_kind k, const char *name,
			    bool str, void *ctx)
{
	const void *data = NULL;
	__u64 v;
	__s32 n = o->tpf(ctx, name, &v, &data);

	if (n < 0) {
		fprintf(stderr, "flame.so: %s: no field '%s' in its format (perf's tp_field)\n",
			ev_names[k], name);
		return -ENOENT;
	}
	if (str ? n < 1 : (n != 1 && n != 2 && n != 4 && n != 8)) {
		fprintf(stderr, "flame.so: %s: field '%s' has an unexpected layout (%d bytes, want %s)\n",
			ev_names[k], name, n, str ? "a string" : "a number");
		return -EINVAL;
	}
	return 0;
}

static int need_field(struct offcpu *o, const struct fg_tp_event *ev,
		      const char *name, bool str, struct fg_tp_field *f)
{
	int ret = fg_tp__field(o->tp, ev, name, str, f);

	if (ret)
		fprintf(stderr, "flame.so: %s\n", fg_tp__error(o->tp));
	return ret;
}

static int resolve_perf(struct offcpu *o, enum ev_kind k, void *ctx)
{
	int ret;

	switch (k) {
	case EV_SWITCH:
		if ((ret = perf_field_check(o, k, "prev_pid", false, ctx)) ||
		    (ret = perf_field_check(o, k, "prev_state", false, ctx)) ||
		    (ret = perf_field_check(o, k, "next_pid", false, ctx)) ||
		    (ret = perf_field_check(o, k, "next_comm", true, ctx)) ||
		    (ret = perf_field_check(o, k, "prev_comm", true, ctx)))
			return ret;
		break;
	default:
		if ((ret = perf_field_check(o, k, "pid", false, ctx)))
			return ret;
		break;
	}
	o->resolved[k] = true;
	return 0;
}

/* Resolve the fields of an event kind the first time it is seen. */
static int resolve(struct offcpu *o, enum ev_kind k, void *ctx)
{
	struct fg_tp_event ev;
	int ret;

	if (o->resolved[k])
		return 0;
	if (o->tpf)
		return resolve_perf(o, k, ctx);
	ret = fg_tp__event(o->tp, ev_names[k], &ev);
	if (ret) {
		fprintf(stderr, "flame.so: %s\n", fg_tp__error(o->tp));
		return ret;
	}
	switch (k) {
	case EV_SWITCH:
		if ((ret = need_field(o, &ev, "prev_pid", false, &o->prev_pid)) ||
		    (ret = need_field(o, &ev, "prev_state", false, &o->prev_state)) ||
		    (ret = need_field(o, &ev, "next_pid", false, &o->next_pid)) ||
		    (ret = need_field(o, &ev, "next_comm", true, &o->next_comm)) ||
		    (ret = need_field(o, &ev, "prev_comm", true, &o->prev_comm)))
			return ret;
		break;
	case EV_EXIT:
		if ((ret = need_field(o, &ev, "pid", false, &o->exit_pid)))
			return ret;
		break;
	default:
		if ((ret = need_field(o, &ev, "pid", false, &o->wake_pid[k])))
			return ret;
		break;
	}
	o->resolved[k] = true;
	return 0;
}

/* ---- composing output stacks ---- */

static uint32_t state_leaf(struct offcpu *o, enum fg_task_state st)
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

static uint32_t waker_name(struct offcpu *o, uint32_t name)
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
static size_t path_of(struct offcpu *o, uint32_t node, uint32_t *out, size_t max)
{
	size_t n = fg_profile__path(o->d.prof, node, out, max), skip;

	if (n > max)
		n = max;
	skip = o->cfg->group_container && n > 0 ? 1 : 0;
	memmove(out, out + skip, (n - skip) * sizeof(*out));
	return n - skip;
}

static uint32_t compose(struct offcpu *o, uint32_t b, uint32_t w,
			enum fg_task_state st)
{
	const bool leaf = o->cfg->state_leaf || o->cfg->mode == MODE_WALL;
	uint64_t key = ((uint64_t)b << 32 | w) ^ ((uint64_t)st << 60);
	size_t i, nb, nw, k;
	uint32_t node, root = FG_ROOT, *bf = o->scratch, *wf = o->scratch2;
	struct pair *p;

	if (o->cfg->mode == MODE_OFFCPU || o->cfg->mode == MODE_WALL)
		return leaf ? fg_profile__child(o->d.prof, b, state_leaf(o, st)) : b;
	if (w == FG_NO_NODE && o->cfg->mode == MODE_WAKEUP)
		return FG_NO_NODE;
	for (i = (key * 0x9e3779b97f4a7c15ull >> 40) & o->pmask; o->pairs[i].val;
	     i = (i + 1) & o->pmask) {
		p = &o->pairs[i];
		if (p->b == b && p->w == w && p->state == st)
			return p->val - 1;
	}
	/* the container root of the blocked thread, then its comm root */
	if (o->cfg->group_container) {
		fg_profile__path(o->d.prof, b, bf, 1);
		root = fg_profile__child(o->d.prof, root, bf[0]);
	}
	nb = path_of(o, b, bf, 1024);
	nw = w != FG_NO_NODE ? path_of(o, w, wf, 1024) : 0;
	node = root;
	if (o->cfg->mode == MODE_WAKEUP) {
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
	if ((o->nr_pairs + 1) * 2 > o->pmask) {
		struct pair *old = o->pairs, *np;
		size_t omask = o->pmask, j;

		np = calloc((omask + 1) * 2, sizeof(*np));
		if (!np)
			return node;	/* no memo: still right */
		o->pairs = np;
		o->pmask = omask * 2 + 1;
		for (j = 0; j <= omask; j++) {
			if (!old[j].val)
				continue;
			for (i = (old[j].key * 0x9e3779b97f4a7c15ull >> 40) & o->pmask;
			     np[i].val; i = (i + 1) & o->pmask)
				;
			np[i] = old[j];
		}
		free(old);
		for (i = (key * 0x9e3779b97f4a7c15ull >> 40) & o->pmask; o->pairs[i].val;
		     i = (i + 1) & o->pmask)
			;
	}
	p = &o->pairs[i];
	p->key = key;
	p->b = b;
	p->w = w;
	p->state = st;
	p->val = node + 1;
	o->nr_pairs++;
	return node;
}

/* ---- reading fields: perf's decoder (0004) or the header's formats ---- */

static int fld_u64(const struct offcpu *o, const struct fg_tp_field *f,
		   const char *name, const struct perf_dlfilter_sample *s,
		   void *ctx, uint64_t *val)
{
	__u64 v;

	if (!o->tpf)
		return fg_tp_field__u64(f, s->raw_data, s->raw_size, val);
	if (o->tpf(ctx, name, &v, NULL) < 0)
		return -ERANGE;
	*val = v;
	return 0;
}

static void fld_str(const struct offcpu *o, const struct fg_tp_field *f,
		    const char *name, const struct perf_dlfilter_sample *s,
		    void *ctx, char *buf, size_t len)
{
	const void *data = NULL;
	__s32 n;
	size_t l;

	if (!o->tpf) {
		fg_tp_field__str(f, s->raw_data, s->raw_size, buf, len);
		return;
	}
	n = o->tpf(ctx, name, NULL, &data);
	l = n > 0 && data ? strnlen(data, n) : 0;
	if (l >= len)
		l = len - 1;
	memcpy(buf, data, l);
	buf[l] = '\0';
}

/* ---- the state machine ---- */

/*
 * The PID namespace (inode) pid lived in at time: flame record's snapshot
 * index for the incarnation alive then (the process may be gone), else
 * the live /proc (a process still running). 0 = unknown.
 */
static uint64_t pidns_of(struct offcpu *o, int pid, uint64_t time)
{
	const struct fg_snap_entry *e, *best = NULL;
	char path[64], ns[64];
	size_t nr = 0, i;
	ssize_t n;

	e = fg_snapidx__find(o->snap, pid, &nr);
	for (i = 0; i < nr; i++)	/* sorted by start: the last started before */
		if (e[i].pidns && (!best || e[i].start_ns <= time))
			best = &e[i];
	if (best) {
		o->ns_snap++;
		return best->pidns;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n <= 0)
		return 0;
	ns[n] = '\0';
	o->ns_live++;
	return ns_ino(ns);
}

static uint32_t group_of(struct offcpu *o, const struct perf_dlfilter_sample *s)
{
	uint64_t cg = s->size >= offsetof(struct perf_dlfilter_sample, cgroup) +
		      sizeof(s->cgroup) ? s->cgroup : 0;
	const char *label = fg_jit__container(o->d.jit, s->pid, cg, s->time);
	char buf[96];
	uint64_t ns;
	size_t i;
	char **v;

	/* no container runtime's cgroup: a private PID namespace still counts */
	if (!strcmp(label, "host") || !strcmp(label, "unknown")) {
		ns = s->pid > 0 ? pidns_of(o, s->pid, s->time) : 0;
		if (ns && o->host_pidns_ino && ns != o->host_pidns_ino) {
			snprintf(buf, sizeof(buf), "pidns:%llu", (unsigned long long)ns);
			label = buf;
		}
	}
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

static int runq_add(struct offcpu *o, struct thr *t, uint64_t now)
{
	const struct thr *m;
	const char *g;

	if (!t->queued || now < t->queued)
		return 0;
	if ((o->cfg->pids.n && !idlist__has(&o->cfg->pids, t->pid)) ||
	    (o->cfg->tids.n && !idlist__has(&o->cfg->tids, t->tid)) ||
	    (o->cfg->comm && strcmp(o->cfg->comm, t->comm)))
		goto out;
	g = t->group < o->nr_groups ? o->groups[t->group] : "unknown";
	o->runq_events++;
	/* a process row is named after its main thread */
	m = t->pid > 0 && t->pid != t->tid ? thr_find(o, t->pid) : NULL;
	if (fg_runq__add(o->runq, g && strcmp(g, "host") ? g : NULL,
			 t->pid >= 0 ? t->pid : t->tid,
			 m && m->comm[0] ? m->comm : t->comm, now - t->queued))
		return -ENOMEM;
	if (o->cfg->mode == MODE_RUNQ && t->node != FG_NO_NODE) {
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

static int close_block(struct offcpu *o, struct thr *t, uint64_t now)
{
	uint64_t dur = now - t->out;
	uint32_t node;

	t->open = false;
	if (now < t->out)
		return 0;
	if (!(o->cfg->state_mask & 1u << t->state)) {
		o->filtered++;
		return 0;
	}
	if (dur < o->cfg->min_block_ns) {
		o->short_blocks++;
		return 0;
	}
	if (t->node == FG_NO_NODE || o->cfg->mode == MODE_RUNQ)
		return 0;
	if (o->cfg->mode == MODE_WAKEUP || o->cfg->mode == MODE_OFFWAKE) {
		if (t->waker == FG_NO_NODE) {
			if (t->state != FG_TASK_R)
				o->unpaired++;
			if (o->cfg->mode == MODE_WAKEUP)
				return 0;
		}
	}
	node = compose(o, t->node, t->waker, t->state);
	if (node == FG_NO_NODE)
		return o->cfg->mode == MODE_WAKEUP ? 0 : -ENOMEM;
	o->blocks++;
	o->blocked_ns += dur;
	o->state_ns[t->state] += dur;
	return fg_profile__add_node(o->d.prof, node, dur, t->out);
}

/*
 * A sample in the context of a thread we think is off the CPU: its
 * switch-in is not in the file (the task that switched it in is one perf
 * did not record: seen here with another sandbox's threads). It has been
 * running since some time before this sample: the block ends here at the
 * latest, which overstates it by the thread's run time since then.
 */
static int close_inferred(struct offcpu *o, struct thr *t, uint64_t now)
{
	o->missed_in++;
	t->queued = 0;		/* its run-queue wait is unknown */
	return close_block(o, t, now);
}

static int on_switch(struct offcpu *o, const struct perf_dlfilter_sample *s,
		     void *ctx)
{
	uint64_t prev, next, pstate;
	enum fg_task_state st;
	struct thr *t;
	int ret;

	if (fld_u64(o, &o->prev_pid, "prev_pid", s, ctx, &prev) ||
	    fld_u64(o, &o->prev_state, "prev_state", s, ctx, &pstate) ||
	    fld_u64(o, &o->next_pid, "next_pid", s, ctx, &next)) {
		fprintf(stderr, "flame.so: sched:sched_switch: payload of %u bytes is shorter than its format\n",
			s->raw_size);
		return -EINVAL;
	}
	o->switches++;
	if ((int32_t)prev == 0) {
		o->idle_out++;
	} else if ((t = thr_get(o, (int32_t)prev))) {
		st = fg_task_state__from_prev_state(pstate);
		if (t->open && (ret = close_inferred(o, t, s->time)))
			return ret;
		char comm[sizeof(t->comm)];

		t->pid = s->pid;
		/* the payload names the thread: perf need not resolve it */
		fld_str(o, &o->prev_comm, "prev_comm", s, ctx, comm, sizeof(comm));
		if (t->comm_id == UINT32_MAX || strcmp(comm, t->comm)) {
			memcpy(t->comm, comm, sizeof(comm));
			t->comm_id = fg_profile__intern(o->d.prof, comm, strlen(comm));
			if (t->comm_id == UINT32_MAX)
				return -ENOMEM;
		}
		if (t->group == UINT32_MAX)
			t->group = group_of(o, s);
		if (st == FG_TASK_X || t->exiting) {
			thr_del(o, t);
		} else {
			t->out = s->time;
			t->state = st;
			t->open = true;
			t->woken = false;
			t->waker = FG_NO_NODE;
			t->node = FG_NO_NODE;
			t->queued = st == FG_TASK_R ? s->time : 0;
			if ((o->cfg->state_mask & 1u << st) ||
			    o->cfg->mode == MODE_RUNQ) {
				if ((ret = o->d.node(o->d.arg, s, ctx, t->comm_id, &t->node)))
					return ret;
			}
		}
	} else {
		return -ENOMEM;
	}
	if ((int32_t)next == 0)
		return 0;
	t = thr_find(o, (int32_t)next);
	if (!t)
		return 0;	/* first sight: no block, no wait known */
	if (!t->comm[0])
		fld_str(o, &o->next_comm, "next_comm", s, ctx, t->comm,
			sizeof(t->comm));
	if ((ret = runq_add(o, t, s->time)))
		return ret;
	if (t->open)
		return close_block(o, t, s->time);
	return 0;
}

static int on_wake(struct offcpu *o, enum ev_kind k,
		   const struct perf_dlfilter_sample *s, void *ctx)
{
	uint64_t tid;
	struct thr *t;
	int ret;

	if (fld_u64(o, &o->wake_pid[k], "pid", s, ctx, &tid)) {
		fprintf(stderr, "flame.so: %s: payload of %u bytes is shorter than its format\n",
			ev_names[k], s->raw_size);
		return -EINVAL;
	}
	if ((int32_t)tid <= 0)
		return 0;
	o->wakeups++;
	t = k == EV_WAKEUP_NEW ? thr_get(o, (int32_t)tid) : thr_find(o, (int32_t)tid);
	if (!t)
		return k == EV_WAKEUP_NEW ? -ENOMEM : 0;
	if (k == EV_WAKEUP_NEW) {
		t->queued = s->time;
		t->woken = true;
		return 0;
	}
	/* only a sleeper's first wakeup starts its wait (waking, then wakeup) */
	if (!t->open || t->state == FG_TASK_R || t->woken)
		return 0;
	t->woken = true;
	t->queued = s->time;
	if ((o->cfg->mode == MODE_WAKEUP || o->cfg->mode == MODE_OFFWAKE) &&
	    t->node != FG_NO_NODE) {
		if ((ret = o->d.node(o->d.arg, s, ctx, UINT32_MAX, &t->waker)))
			return ret;
	}
	return 0;
}

static int on_exit_ev(struct offcpu *o, const struct perf_dlfilter_sample *s,
		      void *ctx)
{
	uint64_t tid;
	struct thr *t;

	if (fld_u64(o, &o->exit_pid, "pid", s, ctx, &tid))
		return -EINVAL;
	t = thr_find(o, (int32_t)tid);
	if (t)
		t->exiting = true;
	return 0;
}

static int on_cpu(struct offcpu *o, const struct perf_dlfilter_sample *s,
		  void *ctx)
{
	uint32_t node;
	int ret;

	if (o->cfg->mode != MODE_WALL)
		return 0;
	if (!o->warned_period && s->event && !strstr(s->event, "cpu-clock") &&
	    !strstr(s->event, "task-clock")) {
		fprintf(stderr, "flame.so: mode=wall: %s's period is not in ns (record with -e cpu-clock); on-CPU weights are its period\n",
			s->event);
		o->warned_period = true;
	}
	if ((ret = o->d.node(o->d.arg, s, ctx, UINT32_MAX, &node)))
		return ret;
	if (node == FG_NO_NODE)
		return 0;
	o->oncpu++;
	o->oncpu_ns += s->period;
	return fg_profile__add_node(o->d.prof, node, s->period, s->time);
}

int offcpu__sample(struct offcpu *o, const struct perf_dlfilter_sample *s,
		   void *ctx)
{
	enum ev_kind k = kind_of(o, s->event);
	int ret;

	if (!o->first || s->time < o->first)
		o->first = s->time;
	if (s->time > o->last)
		o->last = s->time;
	if (s->tid > 0 && k != EV_SWITCH) {
		struct thr *t = thr_find(o, s->tid);

		if (t && t->open && (ret = close_inferred(o, t, s->time)))
			return ret;
	}
	if (k == EV_OTHER)
		return on_cpu(o, s, ctx);
	if ((ret = resolve(o, k, ctx)))
		return ret;
	o->nr_sched++;
	switch (k) {
	case EV_SWITCH:
		return on_switch(o, s, ctx);
	case EV_EXIT:
		return on_exit_ev(o, s, ctx);
	default:
		return on_wake(o, k, s, ctx);
	}
}

int offcpu__finish(struct offcpu *o)
{
	size_t i;
	int ret;

	if (!o->switches) {
		fprintf(stderr, "flame.so: mode=%s: no sched:sched_switch samples in the input; record with flame record --off-cpu -a (or perf record -e sched:sched_switch -e sched:sched_waking -a -g)\n",
			o->cfg->mode_s);
		return -EINVAL;
	}
	/* blocks still open: counted to the end of the recording */
	for (i = 0; i <= o->mask; i++) {
		struct thr *t = &o->thr[i];
		uint64_t before = o->blocked_ns;

		if (!t->tid || !t->open || o->cfg->mode == MODE_RUNQ)
			continue;
		if ((ret = close_block(o, t, o->last)))
			return ret;
		if (o->blocked_ns > before) {
			o->open_end++;
			o->open_end_ns += o->blocked_ns - before;
		}
	}
	fg_profile__scale(o->d.prof, o->cfg->unit_div);
	return 0;
}

void offcpu__summary(struct offcpu *o, struct fg_buf *b)
{
	static const char *const units[] = { "ns", "us", "ms" };
	unsigned int u = o->cfg->unit_div == 1 ? 0 : o->cfg->unit_div == 1000 ? 1 : 2;
	int st;

	fg_buf__addf(b, "flame.so: mode=%s: %llu sched events (formats from %s), %llu switches",
		     o->cfg->mode_s, (unsigned long long)o->nr_sched,
		     o->tpf ? "perf, tp_field" : fg_tp__source(o->tp),
		     (unsigned long long)o->switches);
	if (o->cfg->mode != MODE_RUNQ) {
		const char *sep = " (";

		fg_buf__addf(b, "; %llu blocks drawn, %.3f s off-CPU",
			     (unsigned long long)o->blocks, o->blocked_ns / 1e9);
		for (st = 0; st < FG_TASK__MAX; st++) {
			if (!o->state_ns[st])
				continue;
			fg_buf__addf(b, "%s%s %.3f s", sep,
				     fg_task_state__name(st), o->state_ns[st] / 1e9);
			sep = ", ";
		}
		if (sep[0] == ',')
			fg_buf__adds(b, ")");
	}
	if (o->open_end)
		fg_buf__addf(b, "; %llu blocks still open at the end, counted to the end of the recording (%.3f s)",
			     (unsigned long long)o->open_end, o->open_end_ns / 1e9);
	if (o->missed_in)
		fg_buf__addf(b, "; %llu switch-ins not in the recording (blocks end at the thread's next sample)",
			     (unsigned long long)o->missed_in);
	if (o->short_blocks)
		fg_buf__addf(b, "; %llu blocks shorter than min-block dropped",
			     (unsigned long long)o->short_blocks);
	if (o->filtered && o->cfg->mode != MODE_RUNQ)
		fg_buf__addf(b, "; %llu blocks of other states (state=%s)",
			     (unsigned long long)o->filtered, o->cfg->state_s);
	if (o->unpaired && (o->cfg->mode == MODE_WAKEUP || o->cfg->mode == MODE_OFFWAKE))
		fg_buf__addf(b, "; %llu blocks with no wakeup recorded%s",
			     (unsigned long long)o->unpaired,
			     o->cfg->mode == MODE_WAKEUP ? " (left out)" : "");
	if (o->oncpu)
		fg_buf__addf(b, "; %llu on-CPU samples, %.3f s", (unsigned long long)o->oncpu,
			     o->oncpu_ns / 1e9);
	fg_buf__addf(b, "; unit %s; %zu threads at most\n", units[u], o->max_thr);
	if (o->switches && !o->idle_out && fg_tp__system_wide(o->tp) < 0)
		fg_buf__adds(b, "flame.so: warning: no switch-out of the idle task: the recording looks per task (no -a), off-CPU times are not exact\n");
	if (o->runq_events)
		fg_runq__summary(o->runq, b, o->cfg->mode == MODE_RUNQ ? 10 : 3,
				 o->cfg->mode == MODE_RUNQ);
}
