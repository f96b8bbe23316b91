/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flame.so's time-off-the-CPU modes (offcpu, wakeup, offwake, wall, runq):
 * perf's samples turned into struct fg_sched_event for the shared engine
 * (include/flame/offcpu.h, lib/model/offcpu.c). What is perf.data's own
 * lives here: the recording checks, field decoding through perf
 * (perf-patches/0004) or the header's formats, the messages.
 */
#ifndef FLAME_PLUGIN_OFFCPU_H
#define FLAME_PLUGIN_OFFCPU_H

#include <perf/perf_dlfilter.h>

#include <flame/flame.h>
#include <flame/jit.h>
#include <flame/offcpu.h>
#include <flame/perf_ext.h>
#include <flame/sched.h>

#include "frames.h"

/* Derive mode, state, min-block and unit from their option strings. */
int offcpu_cfg__derive(struct flame_cfg *c);
/* Graph defaults for the mode (title, countname, palette) unless set. */
int offcpu_cfg__defaults(const struct flame_cfg *c, struct fg_opts *o);

/*
 * The stack of a sample as a profile node (FG_NO_NODE: filtered out);
 * comm_id names the thread (a name id in the profile), UINT32_MAX = ask perf.
 */
typedef int (*offcpu_node_fn)(void *arg, const struct perf_dlfilter_sample *s,
			      void *ctx, uint32_t comm_id, uint32_t *node);

struct offcpu_deps {
	struct fg_profile *prof;
	struct fg_jit *jit;
	offcpu_node_fn node;	/* dlfilter.c's stack builder */
	void *arg;
	const char *input;	/* perf.data path (NULL: from perf's -i) */
	/*
	 * perf's tracepoint field decoder (perf-patches/0004), NULL when this
	 * perf lacks it: then formats come from perf.data's header.
	 */
	fg_perf_tp_field_fn tp_field;
};

struct offcpu;

/* NULL after printing one line saying why. c->off must outlive it. */
struct offcpu *offcpu__new(const struct flame_cfg *c, const struct offcpu_deps *d);
void offcpu__delete(struct offcpu *o);
/* One sample of any event: 0 or -errno (after printing why). */
int offcpu__sample(struct offcpu *o, const struct perf_dlfilter_sample *s,
		   void *ctx);
/* Close open blocks, scale to the unit; -EINVAL when nothing to draw. */
int offcpu__finish(struct offcpu *o);
/* The summary sentence(s) for stderr. */
void offcpu__summary(struct offcpu *o, struct fg_buf *b);
/* Run-queue statistics gathered so far (for other summaries). */
const struct fg_runq *offcpu__runq(const struct offcpu *o);

#endif
