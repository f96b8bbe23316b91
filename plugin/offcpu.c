// SPDX-License-Identifier: GPL-2.0
/*
 * flame.so's off-CPU modes: perf's samples into the shared engine
 * (lib/model/offcpu.c). Fields are decoded by perf (perf-patches/0004)
 * when it can, else from the formats in perf.data's header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offcpu.h"

struct offcpu {
	const struct flame_cfg *cfg;
	struct offcpu_deps d;
	struct fg_offcpu *eng;
	struct fg_tp *tp;
	struct fg_sched_dec *dec;
	struct fg_task_group *groups;
	fg_perf_tp_field_fn tpf;	/* perf decodes fields (0004), or NULL */
	bool checked[FG_SCHED__MAX];	/* tpf: fields checked on a first sample */
	/* event name pointer -> kind */
	const char *ev_ptr[16];
	uint8_t ev_kind[16];
	unsigned int nr_ev;
	void *ctx;	/* perf's, for the sample being fed */
	char comm[2][FG_COMM_LEN];
};

/* ---- options ---- */

int offcpu_cfg__derive(struct flame_cfg *c)
{
	struct fg_offcpu_cfg *o = &c->off;
	int ret;

	o->mode_s = c->mode_s;
	o->state_s = c->state_s;
	o->min_block_s = c->min_block_s;
	o->unit_s = c->unit_s;
	if ((ret = fg_offcpu_cfg__parse(o)))
		return ret;
	o->group_container = c->group_container;
	o->pids = c->pids.v;
	o->nr_pids = c->pids.n;
	o->tids = c->tids.v;
	o->nr_tids = c->tids.n;
	o->comm = c->comm;
	if (o->mode == FG_MODE_WALL && !c->show_pid && !c->pids.n && !c->tids.n)
		c->show_tid = true;	/* one tower per thread */
	return 0;
}

int offcpu_cfg__defaults(const struct flame_cfg *c, struct fg_opts *o)
{
	return fg_offcpu_cfg__graph_defaults(&c->off, o);
}

/* ---- the engine's callbacks ---- */

static int stack_cb(void *arg, const struct fg_sched_event *e,
		    uint32_t comm_id, uint32_t *node)
{
	struct offcpu *o = arg;

	return o->d.node(o->d.arg, e->sample, o->ctx, comm_id, node);
}

static const char *group_cb(void *arg, const struct fg_sched_event *e,
			    char *buf, size_t len)
{
	struct offcpu *o = arg;
	const struct perf_dlfilter_sample *s = e->sample;
	uint64_t cg = s->size >= offsetof(struct perf_dlfilter_sample, cgroup) +
		      sizeof(s->cgroup) ? s->cgroup : 0;

	return fg_task_group__label(o->groups, s->pid, cg, s->time, buf, len);
}

/* ---- setup ---- */

struct offcpu *offcpu__new(const struct flame_cfg *c, const struct offcpu_deps *d)
{
	struct fg_offcpu_deps ed = { .prof = d->prof, .stack = stack_cb,
				     .group = group_cb };
	struct fg_tp_opts to = { 0 };
	struct offcpu *o = calloc(1, sizeof(*o));
	char *input = NULL;
	int sw;

	if (!o)
		goto nomem;
	o->cfg = c;
	o->d = *d;
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
	o->dec = fg_sched_dec__new(o->tp);
	o->groups = fg_task_group__new(d->jit);
	ed.arg = o;
	if (!o->dec || !o->groups || !(o->eng = fg_offcpu__new(&c->off, &ed)))
		goto nomem;
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
	if (!o)
		return;
	fg_offcpu__delete(o->eng);
	fg_sched_dec__delete(o->dec);
	fg_task_group__delete(o->groups);
	fg_tp__delete(o->tp);
	free(o);
}

const struct fg_runq *offcpu__runq(const struct offcpu *o)
{
	return fg_offcpu__runq(o->eng);
}

static enum fg_sched_kind kind_of(struct offcpu *o, const char *ev)
{
	enum fg_sched_kind k;
	unsigned int i;

	for (i = 0; i < o->nr_ev; i++)
		if (o->ev_ptr[i] == ev)
			return o->ev_kind[i];
	k = fg_sched_kind__of(ev);
	if (o->nr_ev < 16) {
		o->ev_ptr[o->nr_ev] = ev;
		o->ev_kind[o->nr_ev++] = k;
	}
	return k;
}

/* ---- decoding through perf (perf-patches/0004) ---- */

/* with perf's decoder: check the field on the event's first sample */
static int perf_field_check(struct offcpu *o, enum fg_sched_kind k,
			    const char *name, bool str, void *ctx)
{
	const void *data = NULL;
	__u64 v;
	__s32 n = o->tpf(ctx, name, &v, &data);

	if (n < 0) {
		fprintf(stderr, "flame.so: %s: no field '%s' in its format (perf's tp_field)\n",
			fg_sched_kind__name(k), name);
		return -ENOENT;
	}
	if (str ? n < 1 : (n != 1 && n != 2 && n != 4 && n != 8)) {
		fprintf(stderr, "flame.so: %s: field '%s' has an unexpected layout (%d bytes, want %s)\n",
			fg_sched_kind__name(k), name, n, str ? "a string" : "a number");
		return -EINVAL;
	}
	return 0;
}

static int perf_check(struct offcpu *o, enum fg_sched_kind k, void *ctx)
{
	int ret;

	if (k == FG_SCHED_SWITCH) {
		if ((ret = perf_field_check(o, k, "prev_pid", false, ctx)) ||
		    (ret = perf_field_check(o, k, "prev_state", false, ctx)) ||
		    (ret = perf_field_check(o, k, "next_pid", false, ctx)) ||
		    (ret = perf_field_check(o, k, "next_comm", true, ctx)) ||
		    (ret = perf_field_check(o, k, "prev_comm", true, ctx)))
			return ret;
	} else if ((ret = perf_field_check(o, k, "pid", false, ctx))) {
		return ret;
	}
	o->checked[k] = true;
	return 0;
}

static int perf_u64(struct offcpu *o, void *ctx, const char *name, uint64_t *val)
{
	__u64 v;

	if (o->tpf(ctx, name, &v, NULL) < 0)
		return -ERANGE;
	*val = v;
	return 0;
}

static const char *perf_str(struct offcpu *o, void *ctx, const char *name,
			    char buf[FG_COMM_LEN])
{
	const void *data = NULL;
	__s32 n = o->tpf(ctx, name, NULL, &data);
	size_t l = n > 0 && data ? strnlen(data, n) : 0;

	if (l >= FG_COMM_LEN)
		l = FG_COMM_LEN - 1;
	memcpy(buf, data, l);
	buf[l] = '\0';
	return buf;
}

static int perf_decode(struct offcpu *o, struct fg_sched_event *e, void *ctx)
{
	uint64_t prev, next, v;
	int ret;

	if (!o->checked[e->kind] && (ret = perf_check(o, e->kind, ctx)))
		return ret;
	if (e->kind != FG_SCHED_SWITCH) {
		if (perf_u64(o, ctx, "pid", &v))
			return -ERANGE;
		e->target = (int32_t)v;
		return 0;
	}
	if (perf_u64(o, ctx, "prev_pid", &prev) ||
	    perf_u64(o, ctx, "prev_state", &e->prev_state) ||
	    perf_u64(o, ctx, "next_pid", &next))
		return -ERANGE;
	e->prev_tid = (int32_t)prev;
	e->next_tid = (int32_t)next;
	e->prev_comm = perf_str(o, ctx, "prev_comm", o->comm[0]);
	e->next_comm = perf_str(o, ctx, "next_comm", o->comm[1]);
	return 0;
}

/* ---- samples ---- */

int offcpu__sample(struct offcpu *o, const struct perf_dlfilter_sample *s,
		   void *ctx)
{
	struct fg_sched_event e = {
		.kind = kind_of(o, s->event),
		.time = s->time, .pid = s->pid, .tid = s->tid,
		.period = s->period, .event = s->event, .sample = s,
	};
	int ret;

	if (e.kind != FG_SCHED_OTHER) {
		ret = o->tpf ? perf_decode(o, &e, ctx) :
		      fg_sched_dec__decode(o->dec, &e, s->raw_data, s->raw_size);
		if (ret == -ERANGE) {
			if (e.kind == FG_SCHED_EXIT)
				return -EINVAL;
			fprintf(stderr, "flame.so: %s: payload of %u bytes is shorter than its format\n",
				fg_sched_kind__name(e.kind), s->raw_size);
			return -EINVAL;
		}
		if (ret) {
			if (!o->tpf)
				fprintf(stderr, "flame.so: %s\n",
					fg_sched_dec__error(o->dec));
			return ret;
		}
	}
	o->ctx = ctx;
	return fg_offcpu__event(o->eng, &e);
}

int offcpu__finish(struct offcpu *o)
{
	int ret = fg_offcpu__finish(o->eng);

	if (ret == -ENODATA) {
		fprintf(stderr, "flame.so: mode=%s: no sched:sched_switch samples in the input; record with flame record --off-cpu -a (or perf record -e sched:sched_switch -e sched:sched_waking -a -g)\n",
			o->cfg->mode_s);
		return -EINVAL;
	}
	return ret;
}

void offcpu__summary(struct offcpu *o, struct fg_buf *b)
{
	const struct fg_offcpu_stats *st = fg_offcpu__stats(o->eng);

	fg_offcpu__summary(o->eng, b, "flame.so",
			   o->tpf ? "perf, tp_field" : fg_tp__source(o->tp));
	if (st->switches && !st->idle_out && fg_tp__system_wide(o->tp) < 0)
		fg_buf__adds(b, "flame.so: warning: no switch-out of the idle task: the recording looks per task (no -a), off-CPU times are not exact\n");
	fg_offcpu__runq_summary(o->eng, b);
}
