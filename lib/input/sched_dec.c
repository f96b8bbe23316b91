// SPDX-License-Identifier: GPL-2.0
/*
 * The five sched tracepoints of the off-CPU engine, decoded by field name
 * from their formats (fg_tp: the perf.data header or tracefs) into
 * struct fg_sched_event. Fields are resolved once per event kind.
 */
#include <errno.h>
#include <stdlib.h>

#include <flame/offcpu.h>

struct fg_sched_dec {
	struct fg_tp *tp;
	bool resolved[FG_SCHED__MAX];
	struct fg_tp_field prev_pid, prev_state, next_pid, prev_comm, next_comm;
	struct fg_tp_field pid[FG_SCHED__MAX];	/* wakeups and exit */
};

struct fg_sched_dec *fg_sched_dec__new(struct fg_tp *t)
{
	struct fg_sched_dec *d = calloc(1, sizeof(*d));

	if (d)
		d->tp = t;
	return d;
}

void fg_sched_dec__delete(struct fg_sched_dec *d)
{
	free(d);
}

const char *fg_sched_dec__error(const struct fg_sched_dec *d)
{
	return fg_tp__error(d->tp);
}

static int resolve(struct fg_sched_dec *d, enum fg_sched_kind k)
{
	struct fg_tp_event ev;
	int ret;

	ret = fg_tp__event(d->tp, fg_sched_kind__name(k), &ev);
	if (ret)
		return ret;
	if (k == FG_SCHED_SWITCH) {
		if ((ret = fg_tp__field(d->tp, &ev, "prev_pid", false, &d->prev_pid)) ||
		    (ret = fg_tp__field(d->tp, &ev, "prev_state", false, &d->prev_state)) ||
		    (ret = fg_tp__field(d->tp, &ev, "next_pid", false, &d->next_pid)) ||
		    (ret = fg_tp__field(d->tp, &ev, "next_comm", true, &d->next_comm)) ||
		    (ret = fg_tp__field(d->tp, &ev, "prev_comm", true, &d->prev_comm)))
			return ret;
	} else if ((ret = fg_tp__field(d->tp, &ev, "pid", false, &d->pid[k]))) {
		return ret;
	}
	d->resolved[k] = true;
	return 0;
}

int fg_sched_dec__check(struct fg_sched_dec *d, enum fg_sched_kind k)
{
	if (k <= FG_SCHED_OTHER || k >= FG_SCHED__MAX)
		return -EINVAL;
	return d->resolved[k] ? 0 : resolve(d, k);
}

/* A char array field inside raw, or NULL when it does not fit. */
static const char *str_at(const struct fg_tp_field *f, const void *raw,
			  size_t size)
{
	if (f->offset < 0 || (size_t)f->offset + f->size > size)
		return NULL;
	return (const char *)raw + f->offset;
}

int fg_sched_dec__decode(struct fg_sched_dec *d, struct fg_sched_event *e,
			 const void *raw, size_t size)
{
	uint64_t prev, next, v;
	int ret;

	if (e->kind <= FG_SCHED_OTHER || e->kind >= FG_SCHED__MAX)
		return 0;
	if (!d->resolved[e->kind] && (ret = resolve(d, e->kind)))
		return ret;
	if (e->kind != FG_SCHED_SWITCH) {
		if (fg_tp_field__u64(&d->pid[e->kind], raw, size, &v))
			return -ERANGE;
		e->target = (int32_t)v;
		return 0;
	}
	if (fg_tp_field__u64(&d->prev_pid, raw, size, &prev) ||
	    fg_tp_field__u64(&d->prev_state, raw, size, &e->prev_state) ||
	    fg_tp_field__u64(&d->next_pid, raw, size, &next))
		return -ERANGE;
	e->prev_tid = (int32_t)prev;
	e->next_tid = (int32_t)next;
	e->prev_comm = str_at(&d->prev_comm, raw, size);
	e->next_comm = str_at(&d->next_comm, raw, size);
	return 0;
}
