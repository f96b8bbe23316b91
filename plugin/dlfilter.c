// SPDX-License-Identifier: GPL-2.0
/*
 * flame.so — a perf dlfilter that turns samples into a profile model and
 * writes flame graphs / folded stacks / heatmaps at stop(), in one pass.
 *
 *   perf script --dlfilter flame.so --dlarg out=cpu.svg --dlarg out=cpu.folded
 *
 * Every sample is dropped (filter_event returns 1), so perf prints nothing.
 * Only the dlfilter entry points are exported (plugin/flame.map).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <perf/perf_dlfilter.h>

#include <flame/commlog.h>
#include <flame/flame.h>
#include <flame/jit.h>
#include <flame/perf_ext.h>

#include "frames.h"
#include <flame/cgcpu.h>
#include "offcpu.h"

#define FLAME_API __attribute__((visibility("default")))

FLAME_API struct perf_dlfilter_fns perf_dlfilter_fns;

#define MAX_FRAMES	1024
#define MAX_CHAIN	4096
/* callchains kept for the stack cache, headers included: 128 MiB at most */
#define STACK_ARENA_WORDS	(16u << 20)
/* COMM/FORK/EXIT records kept (16 bytes each): 256 MiB at most */
#define COMMLOG_MAX		(16u << 20)

/*
 * The path last placed for a thread: a new callchain mostly shares its
 * callers with the thread's previous one, so the tree walk starts below
 * the longest common run of names instead of at the root (one compare
 * per frame in a small array instead of one probe into the child table).
 */
#define PATH_MEMO_WAYS	64	/* the top 6 bits of a 32-bit product */
#define PATH_MEMO_DEPTH	256

struct path_memo {
	uint32_t base;		/* node the path hangs under; FG_NO_NODE: none */
	uint32_t n;
	uint32_t name[PATH_MEMO_DEPTH];	/* root first */
	uint32_t node[PATH_MEMO_DEPTH];
};

struct flame {
	struct flame_cfg cfg;
	struct fg_opts out;
	struct fg_profile *prof;
	struct fg_jit *jit;
	struct frame_cache cache;
	struct stack_cache stacks;
	struct comm_cache comms;
	/* early samples: perf's comm of a thread kept until it may change */
	struct fg_commlog *commlog;	/* NULL: ask perf for every sample */
	struct thread_comms tcomms;
	struct path_memo *memo;		/* PATH_MEMO_WAYS, by thread */
	struct fg_heap heap;		/* perf's heap, tuned at start() */
	unsigned int heap_tick;
	struct offcpu *off;	/* mode=offcpu, wakeup, offwake, wall, runq */
	/* mode=cpu on a recording with sched events: run-queue latency only */
	struct offcpu *rq;
	struct flame_cfg rq_cfg;	/* shallow copy of cfg, not released */
	bool rq_tried;

	/*
	 * Samples are taken in filter_event_early(), before perf resolves the
	 * sample's thread, map and symbol (machine__resolve), which flame.so
	 * asks for only when it needs them; off when perf's own options
	 * filter samples after the early call (FLAME_LATE=1: off too).
	 */
	bool early;

	/* field= filters: perf's decoder (perf-patches/0004) or NULL */
	fg_perf_tp_field_fn tp_field;

	/* event selection: perf hands the same name pointer per event */
	const char *ev_ptr;
	char *ev_name;
	bool ev_fixed;

	uint64_t used, skipped, other_events, empty;
	uint64_t frames, unresolved;
	uint64_t jit_named[FG_JIT__MAX];
	/* DWARF recordings (docs/dwarf.md) */
	bool unwind_checked, use_resolved, raw_dwarf, refused;
	uint64_t jit_resolved[FG_JIT__MAX];
	char *other_name;
	uint32_t stack[MAX_FRAMES + 4];
	__u64 chain[MAX_CHAIN];
	__u64 pchain[MAX_CHAIN];	/* keys of the leaf's callers' chains */
	uint64_t derived;		/* chains placed from a caller's chain */
	uint64_t leaf_memo, leaf_child;	/* leaf nodes from the memo / the tree */
	struct perf_dlfilter_al al[MAX_FRAMES];	/* perf's unwound chain */
};

static int plugin_print(enum fg_print_level level, const char *fmt, va_list ap)
{
	if (level > FG_WARN)
		return 0;
	fputs("flame.so: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

const char *filter_description(const char **long_description);

FLAME_API const char *filter_description(const char **long_description)
{
	if (long_description)
		*long_description =
			"Builds flame graphs (svg), folded stacks and subsecond "
			"heatmaps (html) from the samples in one pass. Options "
			"as --dlarg key=value; --dlarg help lists them.";
	return "perf-flame: flame graphs from perf.data";
}

static void flame_free(struct flame *f)
{
	if (!f)
		return;
	offcpu__delete(f->off);
	offcpu__delete(f->rq);
	fg_profile__delete(f->prof);
	fg_jit__delete(f->jit);
	frame_cache__release(&f->cache);
	stack_cache__release(&f->stacks);
	thread_comms__release(&f->tcomms);
	fg_commlog__delete(f->commlog);
	comm_cache__release(&f->comms);
	free(f->memo);
	flame_cfg__release(&f->cfg);
	fg_opts__release(&f->out);
	free(f->ev_name);
	free(f->other_name);
	free(f);
}

static int offcpu_node(void *arg, const struct perf_dlfilter_sample *s,
		       void *ctx, uint32_t comm_id, uint32_t *node);

/* fg_tpf's field reader over perf's tp_field (the types differ in name only) */
static int32_t perf_tp_get(void *ctx, const char *name, uint64_t *val,
			   const void **data)
{
	fg_perf_tp_field_fn fn = fg_perf__tp_field_fn(&perf_dlfilter_fns);
	__u64 v = 0;
	__s32 n;

	if (!fn)
		return -1;
	n = fn(ctx, name, &v, data);
	if (val)
		*val = v;
	return n;
}

/*
 * field= filters: formats from perf.data's header, checked before perf
 * reads a sample; values through perf's decoder when it has one (0004).
 */
static int fields_start(struct flame *f)
{
	struct fg_tp_opts to = { 0 };
	struct fg_buf err = FG_BUF_INIT;
	char *input = fg_perf__input_path();
	struct fg_tp *tp;
	struct stat st;
	bool is_file;
	int ret;

	f->tp_field = fg_perf__tp_field_fn(&perf_dlfilter_fns);
	to.path = input;
	tp = fg_tp__new(&to);
	if (!tp && !f->tp_field) {
		fprintf(stderr, "flame.so: %s: cannot read the tracepoint formats in its header for field=: %s\n",
			input ? input : "perf.data", strerror(errno));
		free(input);
		return -EINVAL;
	}
	is_file = input && !stat(input, &st) && S_ISREG(st.st_mode);
	if (!f->tp_field && !is_file) {
		fprintf(stderr, "flame.so: field=%s: %s is not a file: a pipe carries the tracepoint formats in its stream, which this perf does not hand to a dlfilter; record to a file, or use a perf with perf-patches/0004 (make perf-patched)\n",
			fg_tpf__text(f->cfg.tpf, 0), input ? input : "the input");
		fg_tp__delete(tp);
		free(input);
		return -EINVAL;
	}
	free(input);
	/* a file's header tells; perf decodes what a pipe or odd header holds */
	ret = fg_tpf__bind(f->cfg.tpf, tp, f->tp_field && !(is_file && tp), &err);
	if (ret == -ENOMEM)
		fprintf(stderr, "flame.so: out of memory\n");
	else if (ret)
		fprintf(stderr, "flame.so: %s\n", err.buf);
	fg_buf__release(&err);
	return ret;
}

/* 1: the sample passes the field= filters, 0: it does not, -errno. */
static int fields_keep(struct flame *f, const struct perf_dlfilter_sample *s,
		       void *ctx)
{
	struct fg_tp_sample ts = {
		.event = s->event,
		.raw = s->raw_data,
		.raw_size = s->raw_size,
		.get = f->tp_field ? perf_tp_get : NULL,
		.get_arg = ctx,
	};
	struct fg_buf err = FG_BUF_INIT;
	int ret;

	if (!f->cfg.tpf)
		return 1;
	ret = fg_tpf__match(f->cfg.tpf, &ts, &err);
	if (ret < 0) {
		fprintf(stderr, "flame.so: %s\n",
			err.buf ? err.buf : "out of memory");
		f->refused = true;	/* said why: nothing more at stop() */
	}
	fg_buf__release(&err);
	return ret;
}

/* perf-patches 0002: perf.data's cgroup names (ctx is stable per run) */
static const char *perf_cgroup_path(void *ctx, uint64_t id)
{
	return fg_perf__cgroup_path(&perf_dlfilter_fns, ctx, id);
}

/*
 * Read when threads may be renamed (fg_commlog) so that a sample taken
 * early asks perf for its thread's comm only when it may have changed.
 * Without it (a pipe, compressed records, no times) perf is asked for
 * every sample, as before: slower, same output.
 */
static void commlog_start(struct flame *f)
{
	char *input = fg_perf__input_path();
	struct stat st;

	if (input && !stat(input, &st) && S_ISREG(st.st_mode) &&
	    !thread_comms__init(&f->tcomms))
		f->commlog = fg_commlog__new(input, COMMLOG_MAX);
	free(input);
}

FLAME_API int start(void **data, void *ctx)
{
	struct flame *f;
	char **argv;
	int argc = 0, ret;
	size_t i;

	fg_set_print(plugin_print);
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	flame_cfg__init(&f->cfg);
	fg_opts__init(&f->out);
	argv = perf_dlfilter_fns.args ? perf_dlfilter_fns.args(ctx, &argc) : NULL;
	ret = flame_cfg__parse(&f->cfg, &f->out, argc, argv);
	if (ret == FLAME_HELP) {
		flame_cfg__help(stdout);
		fflush(stdout);
		flame_free(f);
		exit(0);
	}
	if (ret)
		goto fail;
	if (f->cfg.unwind == UNWIND_CHECK) {
		/* flame report asks before it picks a path for DWARF data */
		ret = fg_perf__has_resolved_callchain(&perf_dlfilter_fns) ?
		      0 : FLAME_EXIT_NO_UNWIND;
		flame_free(f);
		fflush(NULL);
		exit(ret);
	}
	/* tables grow to the end of the run: keep freed memory, huge pages */
	fg_heap__tune(&f->heap);
	ret = -ENOMEM;
	if (offcpu_cfg__defaults(&f->cfg, &f->out))
		goto fail;
	if (!f->out.out.n && fg_opt__set(fg_output_opts, &f->out, "out",
					 "flame.svg", NULL))
		goto fail;
	/* fail now, before perf reads the data, if an output cannot be made */
	{
		struct fg_buf msg = FG_BUF_INIT;

		ret = fg_output__check(&f->out, NULL, &msg);
		if (ret) {
			fprintf(stderr, "flame.so: %s\n", msg.buf ? msg.buf : strerror(-ret));
			fg_buf__release(&msg);
			goto fail;
		}
		ret = -ENOMEM;
	}
	f->prof = fg_profile__new();
	f->memo = malloc(PATH_MEMO_WAYS * sizeof(*f->memo));
	if (f->memo)
		for (i = 0; i < PATH_MEMO_WAYS; i++)
			f->memo[i].base = FG_NO_NODE;
	if (!f->prof || !f->memo || frame_cache__init(&f->cache) ||
	    stack_cache__init(&f->stacks, STACK_ARENA_WORDS) ||
	    comm_cache__init(&f->comms))
		goto fail;
	for (i = 0; i < f->out.out.n; i++) {
		const struct fg_output_ops *ops = f->out.format ?
			fg_output__find(f->out.format) :
			fg_output__for_path(f->out.out.v[i]);

		if (ops && (ops->needs_samples || ops->uses_samples))
			fg_profile__keep_samples(f->prof, true);
	}
	if (f->out.flamechart)
		fg_profile__keep_samples(f->prof, true);
	f->cfg.jit.input = NULL;	/* fg_jit__new finds perf's -i itself */
	if (fg_perf__has_cgroup_path(&perf_dlfilter_fns)) {
		f->cfg.jit.cgroup_path = perf_cgroup_path;
		f->cfg.jit.cgroup_arg = ctx;
	}
	f->jit = fg_jit__new(&f->cfg.jit);
	if (!f->jit) {
		fprintf(stderr, "flame.so: cannot set up JIT symbol sources: %s\n",
			strerror(errno));
		goto fail;
	}
	if (f->cfg.event) {
		f->ev_name = strdup(f->cfg.event);
		f->ev_fixed = true;
	}
	if (f->cfg.tpf && (ret = fields_start(f)))
		goto fail;
	f->early = !getenv("FLAME_LATE") && flame_perf_filters_nothing();
	if (f->early && f->cfg.off.mode == FG_MODE_CPU &&
	    !getenv("FLAME_NO_COMMLOG"))
		commlog_start(f);
	ret = -ENOMEM;
	if (f->cfg.off.mode != FG_MODE_CPU) {
		struct offcpu_deps d = {
			.prof = f->prof,
			.jit = f->jit,
			.node = offcpu_node,
			.arg = f,
			.tp_field = fg_perf__tp_field_fn(&perf_dlfilter_fns),
		};

		f->off = offcpu__new(&f->cfg, &d);
		if (!f->off) {
			ret = -EINVAL;
			goto fail;
		}
	}
	*data = f;
	return 0;
fail:
	flame_free(f);
	return ret < 0 ? ret : -EINVAL;
}

/* Is this sample's event the one we profile? Counts the others. */
static bool event_selected(struct flame *f, const char *ev)
{
	if (!ev)
		ev = "";
	if (ev == f->ev_ptr)
		return true;
	if (!f->ev_name) {
		f->ev_name = strdup(ev);
		f->ev_ptr = ev;
		return true;
	}
	if (!strcmp(ev, f->ev_name)) {
		f->ev_ptr = ev;
		return true;
	}
	if (!f->other_name)
		f->other_name = strdup(ev);
	f->other_events++;
	return false;
}

static bool sample_selected(struct flame *f,
			    const struct perf_dlfilter_sample *s)
{
	const struct flame_cfg *c = &f->cfg;

	if (c->pids.n && !idlist__has(&c->pids, s->pid))
		return false;
	if (c->tids.n && !idlist__has(&c->tids, s->tid))
		return false;
	if (c->cpus.n && !idlist__has(&c->cpus, s->cpu))
		return false;
	return true;
}

/*
 * Name the sample's frames and find its node: the slow path, taken once
 * per distinct (callchain, process incarnation). FG_NO_NODE = skip it.
 */
static struct frame_walk walk_for(struct flame *f,
				  const struct perf_dlfilter_sample *s,
				  void *ctx, const struct stack_key *k)
{
	struct frame_walk w = {
		.cfg = &f->cfg,
		.prof = f->prof,
		.jit = f->jit,
		.cache = &f->cache,
		.ctx = ctx,
		.pid = s->pid,
		.time = s->time,
		.gen = k->gen,
		.incarnation = k->incarnation,
	};

	return w;
}

/*
 * The node of the n frames in f->stack (leaf first) below node base, into
 * *out. The thread's memo gives the nodes of the names its last path
 * shared with this one; the child table is asked only below them.
 */
static int place_path(struct flame *f, int tid, uint32_t base, int n,
		      uint32_t *out)
{
	struct path_memo *m = &f->memo[((uint32_t)tid * 2654435761u) >> 26];
	uint32_t node = base, i = 0, nf = n;

	if (m->base == base) {
		uint32_t max = nf < m->n ? nf : m->n;

		/* f->stack holds the leaf first */
		while (i < max && m->name[i] == f->stack[nf - 1 - i])
			i++;
		if (i)
			node = m->node[i - 1];
	}
	m->base = base;
	for (; i < nf; i++) {
		node = fg_profile__child(f->prof, node, f->stack[nf - 1 - i]);
		if (node == FG_NO_NODE) {
			m->base = FG_NO_NODE;
			return -ENOMEM;
		}
		if (i < PATH_MEMO_DEPTH) {
			m->name[i] = f->stack[nf - 1 - i];
			m->node[i] = node;
		}
	}
	m->n = nf < PATH_MEMO_DEPTH ? nf : PATH_MEMO_DEPTH;
	*out = node;
	return 0;
}

/*
 * The node of n frames in f->stack (leaf first) under the root frames
 * [container] comm[-pid[/tid]]: *out, or FG_NO_NODE when the sample's
 * container is not the one asked for.
 */
static int place_stack(struct flame *f, const struct perf_dlfilter_sample *s,
		       uint32_t comm_id, int n, uint32_t *out)
{
	uint32_t node = FG_ROOT;
	int ret;

	*out = FG_NO_NODE;
	if (f->cfg.group_container || f->cfg.container) {
		uint64_t cg = s->size >= offsetof(struct perf_dlfilter_sample, cgroup) +
			      sizeof(s->cgroup) ? s->cgroup : 0;
		const char *label = fg_jit__container(f->jit, s->pid, cg, s->time);

		if (f->cfg.container &&
		    !fg_jit__in_container(f->jit, s->pid, cg, s->time,
					  f->cfg.container))
			return 0;
		if (f->cfg.group_container) {
			node = fg_profile__child(f->prof, node,
				fg_profile__intern(f->prof, label, strlen(label)));
			if (node == FG_NO_NODE)
				return -ENOMEM;
		}
	}
	/* the root frame, named as every other input names it */
	ret = fg_namer__process_ids(&f->cfg.names,
				    fg_profile__name(f->prof, comm_id),
				    s->pid, s->tid, &f->cache.name);
	if (ret)
		return ret;
	comm_id = fg_profile__intern(f->prof, f->cache.name.buf,
				     f->cache.name.len);
	if (comm_id == UINT32_MAX)
		return -ENOMEM;
	node = fg_profile__child(f->prof, node, comm_id);
	if (node == FG_NO_NODE)
		return -ENOMEM;
	return place_path(f, s->tid, node, n, out);
}

static int build_stack(struct flame *f, const struct perf_dlfilter_sample *s,
		       void *ctx, const struct stack_key *k,
		       struct stack_ent *e)
{
	struct frame_walk w = walk_for(f, s, ctx, k);
	uint32_t i;
	int n;

	n = frames__walk(&w, k->chain, k->nr, f->stack, MAX_FRAMES);
	if (n < 0)
		return n;
	e->frames = w.frames;
	e->unresolved = w.unresolved;
	for (i = 0; i < FG_JIT__MAX; i++) {
		e->jit_named[i] = w.jit_named[i];
		f->jit_resolved[i] += w.jit_resolved[i];
	}
	/* with the leaf cut out, an empty walk may still get its leaf */
	e->empty = !n;
	return place_stack(f, s, k->gen, n, &e->node);
}

/*
 * A new callchain k, whose leaf is cut out at index hole: most of its
 * callers were seen before as a chain of their own (a sample whose leaf
 * was one of them, with the same callers). Find the nearest such chain in
 * the cache and place k below its node: d names and d child lookups
 * instead of naming every frame and walking the tree from the root.
 * 0: *e filled; 1: no caller chain cached (build it in full); -errno.
 */
static int derive_stack(struct flame *f, const struct perf_dlfilter_sample *s,
			void *ctx, const struct stack_key *k, uint64_t hole,
			int leaf_ctx, struct stack_ent *e)
{
	uint64_t hs[STACK_CUT_MAX];
	struct stack_ent *p = NULL;
	struct stack_key pk = *k;
	struct frame_walk w;
	unsigned int nd, d, i;
	uint32_t node, name;
	bool named = false;
	int ret;

	/* frames__walk keeps MAX_FRAMES of a longer chain: no shortcut */
	if (k->chain != f->chain || k->nr > MAX_FRAMES)
		return 1;
	nd = stack_key__hash_cut(k, hole, 8, hs);
	if (!nd)
		return 1;
	/* K_d = markers, hole, chain[hole + 1 + d ..]: built in place */
	memcpy(f->pchain + hole + 2, f->chain + hole + 2,
	       (k->nr - hole - 2) * sizeof(__u64));
	for (d = 1; d <= nd; d++) {
		memcpy(f->pchain + d, f->chain, hole * sizeof(__u64));
		f->pchain[d + hole] = FRAMES_HOLE;
		pk.chain = f->pchain + d;
		pk.nr = k->nr - d;
		pk.hash = hs[d - 1];
		p = stack_cache__find(&f->stacks, &pk);
		if (p && p->node != FG_NO_NODE)
			break;
	}
	if (d > nd)
		return 1;
	w = walk_for(f, s, ctx, k);
	*e = *p;
	node = p->node;
	/* the callers taken out, root first; all in the leaf's context */
	for (i = d; i > 0; i--) {
		ret = frames__name(&w, f->chain[hole + i], leaf_ctx, &name);
		if (ret < 0)
			return ret;
		if (ret)
			continue;	/* kernel-only / user-only */
		node = fg_profile__child(f->prof, node, name);
		if (node == FG_NO_NODE)
			return -ENOMEM;
		named = true;
	}
	e->node = node;
	e->empty = p->empty && !named;
	e->frames += w.frames;
	e->unresolved += w.unresolved;
	for (i = 0; i < FG_JIT__MAX; i++) {
		e->jit_named[i] += w.jit_named[i];
		f->jit_resolved[i] += w.jit_resolved[i];
	}
	f->derived++;
	return 0;
}

/*
 * A DWARF recording on a perf with resolved_callchain (perf-patches/0003):
 * perf unwound the user stack and named every frame; no cache helps, as
 * the raw chain no longer says what the stack is. 1: perf had no chain
 * for this sample, use the raw path.
 */
static int add_resolved(struct flame *f, const struct perf_dlfilter_sample *s,
			void *ctx, uint32_t comm_id, uint32_t *out)
{
	struct stack_key k = {
		.pid = s->pid,
		.gen = comm_id,
		.incarnation = fg_jit__incarnation(f->jit, s->pid, s->time),
	};
	struct frame_walk w = walk_for(f, s, ctx, &k);
	uint32_t node, i;
	int nr, n, ret;

	nr = fg_perf__resolved_callchain(&perf_dlfilter_fns, ctx, f->al,
					 MAX_FRAMES);
	if (nr <= 0)
		return 1;
	if (nr > MAX_FRAMES)
		nr = MAX_FRAMES;	/* the leaf end is kept */
	n = frames__walk_al(&w, f->al, (uint64_t)nr, f->stack, MAX_FRAMES);
	if (n < 0)
		return n;
	f->frames += w.frames;
	f->unresolved += w.unresolved;
	for (i = 0; i < FG_JIT__MAX; i++)
		f->jit_named[i] += w.jit_named[i];
	ret = place_stack(f, s, comm_id, n, &node);
	if (ret)
		return ret;
	if (node == FG_NO_NODE || !n) {
		f->empty++;
		return 0;
	}
	f->used++;
	*out = node;
	return 0;
}

/* The sample's stack as a profile node: *node = FG_NO_NODE when skipped. */
/* comm_id: the thread's name when the caller knows it, else UINT32_MAX */
static int sample_node(struct flame *f, const struct perf_dlfilter_sample *s,
		       void *ctx, uint32_t comm_id, uint32_t *node)
{
	const struct perf_dlfilter_al *ial = NULL;
	struct stack_ent *hit;
	struct stack_ent e = { 0 };
	struct stack_key k;
	struct frame_walk lw;
	const char *comm = NULL;
	uint64_t leaf_ip = 0;
	int leaf_ctx = 0, ret;
	uint32_t i;
	int64_t li = -1;

	*node = FG_NO_NODE;
	if (comm_id == UINT32_MAX && f->commlog)
		comm_id = thread_comms__get(&f->tcomms, s->pid, s->tid, s->time);
	if (comm_id == UINT32_MAX) {
		if (perf_dlfilter_fns.resolve_ip)
			ial = perf_dlfilter_fns.resolve_ip(ctx);
		if (ial && ial->size >= offsetof(struct perf_dlfilter_al, comm) +
					sizeof(ial->comm))
			comm = ial->comm;
		comm_id = comm_cache__get(&f->comms, f->prof,
					  comm ? comm : "[unknown]");
		if (comm_id == UINT32_MAX)
			return -ENOMEM;
		if (f->commlog &&
		    thread_comms__set(&f->tcomms, s->pid, s->tid, comm_id,
				      fg_commlog__next(f->commlog, s->tid,
						       s->time)))
			return -ENOMEM;
	}
	if (f->cfg.comm && strcmp(fg_profile__name(f->prof, comm_id), f->cfg.comm)) {
		f->skipped++;
		return 0;
	}
	if (f->use_resolved) {
		ret = add_resolved(f, s, ctx, comm_id, node);
		if (ret <= 0)
			return ret;
	}

	/*
	 * The cache key is the callchain with its leaf cut out: callers'
	 * return addresses repeat, the leaf ip rarely does. The leaf is
	 * named on its own (frame cache) and added below the cached node.
	 */
	if (s->raw_callchain_nr) {
		li = frames__leaf(s->raw_callchain, s->raw_callchain_nr, &leaf_ctx);
		if (li >= 0) {
			leaf_ip = s->raw_callchain[li];
			if (s->raw_callchain_nr > MAX_CHAIN)
				li = -1;	/* too long to copy: no cut */
		}
		k.nr = s->raw_callchain_nr;
		if (li >= 0) {
			memcpy(f->chain, s->raw_callchain, k.nr * sizeof(__u64));
			f->chain[li] = FRAMES_HOLE;
			k.chain = f->chain;
		} else {
			k.chain = s->raw_callchain;
		}
	} else {	/* no callchain: the ip alone, context from cpumode */
		li = 0;
		leaf_ip = s->ip;
		leaf_ctx = frames__ctx_of_cpumode(s->cpumode);
		f->chain[0] = FRAMES_HOLE;
		k.chain = f->chain;
		k.nr = 1;
	}
	k.pid = s->pid;
	k.tid = f->cfg.show_tid ? s->tid : 0;
	k.gen = comm_id;
	k.incarnation = fg_jit__incarnation(f->jit, s->pid, s->time);
	stack_key__hash(&k);
	lw = walk_for(f, s, ctx, &k);	/* names the leaf, below */
	if (li >= 0)	/* its slot loads while the chain is looked up */
		frames__prefetch(&lw, leaf_ip, leaf_ctx);
	hit = stack_cache__find(&f->stacks, &k);
	if (hit) {
		e = *hit;
		if (e.leaf_name != UINT32_MAX)
			fg_profile__prefetch(f->prof, e.leaf_node);
	} else {
		ret = li >= 0 ? derive_stack(f, s, ctx, &k, li, leaf_ctx, &e) : 1;
		if (ret > 0)
			ret = build_stack(f, s, ctx, &k, &e);
		if (ret)
			return ret;
		e.leaf_name = UINT32_MAX;
		hit = stack_cache__insert(&f->stacks, &k, &e);
	}
	if (e.node != FG_NO_NODE && li >= 0) {
		uint32_t leaf;

		ret = frames__name(&lw, leaf_ip, leaf_ctx, &leaf);
		if (ret < 0)
			return ret;
		if (!ret && hit && hit->leaf_name == leaf) {
			e.node = hit->leaf_node;
			f->leaf_memo++;
		} else if (!ret) {
			uint32_t parent = e.node;

			f->leaf_child++;
			e.node = fg_profile__child(f->prof, parent, leaf);
			if (e.node == FG_NO_NODE)
				return -ENOMEM;
			if (hit) {
				hit->leaf_name = leaf;
				hit->leaf_node = e.node;
			}
		} else if (e.empty) {
			e.node = FG_NO_NODE;	/* nothing left of the stack */
		}
		f->frames += lw.frames;
		f->unresolved += lw.unresolved;
		for (i = 0; i < FG_JIT__MAX; i++) {
			f->jit_named[i] += lw.jit_named[i];
			f->jit_resolved[i] += lw.jit_resolved[i];
		}
	} else if (li < 0 && e.empty &&
		   (f->cfg.kernel_only || f->cfg.user_only)) {
		e.node = FG_NO_NODE;
	}
	f->frames += e.frames;
	f->unresolved += e.unresolved;
	for (i = 0; i < FG_JIT__MAX; i++)
		f->jit_named[i] += e.jit_named[i];
	if (e.node == FG_NO_NODE) {
		f->empty++;
		return 0;
	}
	f->used++;
	*node = e.node;
	return 0;
}

static int add_sample(struct flame *f, const struct perf_dlfilter_sample *s,
		      void *ctx)
{
	uint32_t node;
	int ret = sample_node(f, s, ctx, UINT32_MAX, &node);

	if (ret || node == FG_NO_NODE)
		return ret;
	return fg_profile__add_node(f->prof, node,
				    f->cfg.weight_period ? s->period : 1,
				    s->time);
}

/* offcpu.c's way to name a stack: the selection options apply too. */
static int offcpu_node(void *arg, const struct perf_dlfilter_sample *s,
		       void *ctx, uint32_t comm_id, uint32_t *node)
{
	struct flame *f = arg;
	int ret;

	*node = FG_NO_NODE;
	if (!sample_selected(f, s)) {
		f->skipped++;
		return 0;
	}
	ret = fields_keep(f, s, ctx);
	if (ret <= 0) {
		f->skipped += !ret;
		return ret;
	}
	return sample_node(f, s, ctx, comm_id, node);
}

/*
 * At the first sample of the profiled event: a recording with user stacks
 * (perf record --call-graph dwarf) has only the kernel part and the user
 * leaf in raw_callchain. Use perf's unwound chain when this perf offers it
 * (perf-patches/0003); else refuse rather than drop every caller silently.
 */
static int check_unwind(struct flame *f, void *ctx)
{
	struct perf_event_attr *attr = perf_dlfilter_fns.attr ?
				       perf_dlfilter_fns.attr(ctx) : NULL;

	f->unwind_checked = true;
	if (!attr || !(attr->sample_type & PERF_SAMPLE_STACK_USER))
		return 0;
	if (f->cfg.unwind != UNWIND_RAW &&
	    fg_perf__has_resolved_callchain(&perf_dlfilter_fns)) {
		f->use_resolved = true;
		return 0;
	}
	if (f->cfg.unwind == UNWIND_RAW || f->cfg.kernel_only) {
		f->raw_dwarf = !f->cfg.kernel_only;
		return 0;
	}
	fprintf(stderr, "flame.so: this recording has DWARF user stacks (perf record --call-graph dwarf), which this perf cannot unwind for a dlfilter (every caller would be lost): run flame report -i FILE, or perf script -i FILE | flame collapse, or the patched perf (make perf-patched); --dlarg unwind=raw keeps the recorded frames only\n");
	f->refused = true;
	return -EOPNOTSUPP;
}

static int no_node(void *arg, const struct perf_dlfilter_sample *s,
		   void *ctx, uint32_t comm_id, uint32_t *node)
{
	*node = FG_NO_NODE;
	return 0;
}

/*
 * mode=cpu on a recording with sched events (flame record --off-cpu):
 * offcpu.c's state machine runs beside the CPU graph with no task state
 * selected, so it draws nothing and only measures run-queue latency per
 * container for the CPU summaries (docs/cpu-quota.md). Started at the
 * first sched event; only on system-wide recordings, where it is exact.
 */
static void runq_side_start(struct flame *f)
{
	struct offcpu_deps d = {
		.prof = f->prof, .jit = f->jit, .node = no_node, .arg = f,
	};
	struct fg_tp_opts to = { .no_tracefs = true };
	struct fg_tp *tp = NULL;
	char *input = fg_perf__input_path();
	bool ok;

	f->rq_tried = true;
	to.path = input;
	if (input)
		tp = fg_tp__new(&to);
	ok = tp && fg_tp__nr_header_events(tp) > 0 && fg_tp__system_wide(tp) != 0;
	fg_tp__delete(tp);
	free(input);
	if (!ok)
		return;
	f->rq_cfg = f->cfg;
	f->rq_cfg.mode_s = (char *)"offcpu";
	f->rq_cfg.off.mode = FG_MODE_OFFCPU;
	f->rq_cfg.off.mode_s = f->rq_cfg.mode_s;
	f->rq_cfg.off.state_mask = 0;	/* no block drawn */
	f->rq = offcpu__new(&f->rq_cfg, &d);
}

static void runq_side(struct flame *f, const struct perf_dlfilter_sample *s,
		      void *ctx)
{
	if (!f->rq_tried && s->event && !strncmp(s->event, "sched:sched_", 12))
		runq_side_start(f);
	if (f->rq && offcpu__sample(f->rq, s, ctx) < 0) {
		offcpu__delete(f->rq);	/* said why; the CPU graph goes on */
		f->rq = NULL;
	}
}

FLAME_API int filter_event(void *data, const struct perf_dlfilter_sample *s,
			   void *ctx)
{
	struct flame *f = data;
	int ret;

	if (f->refused)
		return -EOPNOTSUPP;
	if (!(++f->heap_tick & 1023))
		fg_heap__advise(&f->heap);
	if (f->off) {
		ret = offcpu__sample(f->off, s, ctx);
		if (ret == -ENOMEM)
			fprintf(stderr, "flame.so: out of memory while adding a sample\n");
		return ret < 0 ? ret : 1;
	}
	if (!f->rq_tried || f->rq)
		runq_side(f, s, ctx);
	if (!event_selected(f, s->event) || !sample_selected(f, s)) {
		f->skipped++;
		return 1;
	}
	ret = fields_keep(f, s, ctx);
	if (ret <= 0) {
		f->skipped += !ret;
		return ret < 0 ? ret : 1;
	}
	if (!f->unwind_checked) {
		ret = check_unwind(f, ctx);
		if (ret)
			return ret;
	}
	ret = add_sample(f, s, ctx);
	if (ret < 0) {
		fprintf(stderr, "flame.so: out of memory while adding a sample\n");
		return ret;
	}
	return 1;	/* perf prints nothing: the outputs are ours */
}

/*
 * perf calls this before it resolves the sample (thread, map, symbol of
 * the ip: machine__resolve), then, if it returns 0, filter_event() after.
 * flame.so needs that resolution only for stacks it has not named yet and
 * for comms it does not know (perf resolves lazily, on the first
 * resolve_ip/resolve_address of the sample): taking the sample here saves
 * it for every other sample, as for the sched_waking samples of mode=offcpu.
 */
FLAME_API int filter_event_early(void *data, const struct perf_dlfilter_sample *s,
				 void *ctx)
{
	struct flame *f = data;

	if (!f->early)
		return 0;		/* perf filters first: filter_event() */
	/* perf drops guest samples after this call (no --guest): let it */
	if (s->cpumode == PERF_RECORD_MISC_GUEST_KERNEL ||
	    s->cpumode == PERF_RECORD_MISC_GUEST_USER)
		return 0;
	return filter_event(data, s, ctx);
}

static void summary(struct flame *f, struct fg_buf *b, const struct fg_buf *written)
{
	fg_buf__addf(b, "flame.so: %llu samples used, %llu skipped",
		     (unsigned long long)f->used,
		     (unsigned long long)(f->skipped + f->empty));
	if (f->other_events)
		fg_buf__addf(b, " (%llu of other events, e.g. %s; pick with event=NAME)",
			     (unsigned long long)f->other_events, f->other_name);
	fg_buf__addf(b, "; %u unique stacks; %.1f%% of %llu frames unresolved",
		     fg_profile__nr_stacks(f->prof),
		     f->frames ? 100.0 * f->unresolved / f->frames : 0.0,
		     (unsigned long long)f->frames);
	if (f->jit) {
		struct fg_buf js = FG_BUF_INIT;
		unsigned int src;

		/* fg_jit counted what it resolved; the caches named the rest */
		for (src = 0; src < FG_JIT__MAX; src++)
			if (f->jit_named[src] > f->jit_resolved[src])
				fg_jit__account(f->jit, src, f->jit_named[src] -
						f->jit_resolved[src]);
		fg_jit__summary(f->jit, &js);	/* empty when nothing to say */
		if (js.len) {
			fg_buf__adds(b, "; ");
			fg_buf__add(b, js.buf, js.len);
		}
		fg_buf__release(&js);
	}
	if (f->cfg.tpf) {
		fg_buf__adds(b, "; ");
		fg_tpf__summary(f->cfg.tpf, b);
	}
	if (f->use_resolved)
		fg_buf__adds(b, "; user stacks unwound by perf (DWARF)");
	else if (f->raw_dwarf)
		fg_buf__adds(b, "; DWARF user stacks NOT unwound (unwind=raw): callers missing");
	fg_buf__addf(b, "; wrote %s", written->len ? written->buf : "nothing");
	if (getenv("FLAME_DEBUG"))
		fg_buf__addf(b, " [stack cache %zu chains, %llu placed below a caller's; leaf node %llu from the memo, %llu from the tree; %u nodes; chain arena %zu KiB; frame cache %zu addrs, %llu hits, %llu misses (%llu named from a symbol seen before); samples taken %s; comm asked of perf %llu times, %s]",
			     f->stacks.count, (unsigned long long)f->derived,
			     (unsigned long long)f->leaf_memo,
			     (unsigned long long)f->leaf_child,
			     fg_profile__nr_nodes(f->prof),
			     f->stacks.arena_len * sizeof(__u64) >> 10,
			     f->cache.count,
			     (unsigned long long)f->cache.hits,
			     (unsigned long long)f->cache.misses,
			     (unsigned long long)f->cache.sym_hits,
			     f->early ? "early" : "late",
			     (unsigned long long)(f->commlog ? f->tcomms.asked : f->used + f->skipped + f->empty),
			     f->commlog ? "kept until a thread's next COMM/FORK/EXIT record" : "every sample");
}

/*
 * The snapshot's CPU series (flame record / snapshot, docs/cpu-quota.md):
 * with container=ID, the graph's subtitle gets that container's one-line
 * CPU summary unless subtitle= was given.
 */
static struct fg_cpuseries *cpu_series(struct flame *f)
{
	const char *dir = fg_jit__maps_dir(f->jit);
	struct fg_buf b = FG_BUF_INIT;
	struct fg_cpuseries *cs;

	cs = dir ? fg_cpuseries__load(dir) : NULL;
	if (!cs)
		return NULL;
	if (f->off || f->rq)
		fg_cpuseries__set_runq(cs, offcpu__runq(f->off ? f->off : f->rq));
	if (f->cfg.container && !f->out.subtitle &&
	    !fg_cpuseries__oneline(cs, f->cfg.container, &b))
		f->out.subtitle = b.buf;
	else
		fg_buf__release(&b);
	return cs;
}

/* The selection options in use, "container=x comm=y", into b; false if none. */
static bool selection(const struct flame *f, struct fg_buf *b)
{
	const struct flame_cfg *c = &f->cfg;
	size_t i;

	fg_buf__reset(b);
	if (c->container)
		fg_buf__addf(b, " container=%s", c->container);
	if (c->comm)
		fg_buf__addf(b, " comm=%s", c->comm);
	if (c->pids.n)
		fg_buf__addf(b, " pid=%s", c->pid_s);
	if (c->tids.n)
		fg_buf__addf(b, " tid=%s", c->tid_s);
	if (c->cpus.n)
		fg_buf__addf(b, " cpu=%s", c->cpu_s);
	if (c->event)
		fg_buf__addf(b, " event=%s", c->event);
	for (i = 0; i < c->fields.n; i++)
		fg_buf__addf(b, " field=%s", c->fields.v[i]);
	if (c->kernel_only)
		fg_buf__adds(b, " kernel-only");
	if (c->user_only)
		fg_buf__adds(b, " user-only");
	if (!b->len)
		return false;
	memmove(b->buf, b->buf + 1, b->len);	/* the leading blank */
	b->len--;
	return true;
}

FLAME_API int stop(void *data, void *ctx)
{
	struct fg_buf written = FG_BUF_INIT, line = FG_BUF_INIT;
	struct flame *f = data;
	struct fg_cpuseries *cs;
	int ret = 0;
	size_t i;

	if (!f)
		return 0;
	if (f->refused) {	/* said why at the first sample; write nothing */
		flame_free(f);
		return -EOPNOTSUPP;
	}
	if (f->cfg.tpf && fg_tpf__finish(f->cfg.tpf, &line)) {
		/* checked only now (no formats): a filter that met nothing */
		fprintf(stderr, "flame.so: %s; nothing written\n", line.buf);
		fg_buf__release(&line);
		flame_free(f);
		fflush(NULL);
		exit(FLAME_EXIT_WRITE);
	}
	if (f->off) {
		ret = offcpu__finish(f->off);
		if (ret) {
			flame_free(f);
			return ret;
		}
	}
	cs = cpu_series(f);
	if (!f->off && !f->used && f->other_events + f->skipped + f->empty == 0)
		fprintf(stderr, "flame.so: no samples in the input\n");
	if (!f->off && !f->used && f->skipped + f->empty && selection(f, &line)) {
		/* a selection that matches nothing is not a result: one line */
		fprintf(stderr, "flame.so: %s matched none of the %llu samples; nothing written\n",
			line.buf, (unsigned long long)(f->skipped + f->empty));
		fg_cpuseries__delete(cs);
		fg_buf__release(&line);
		flame_free(f);
		fflush(NULL);
		exit(FLAME_EXIT_WRITE);
	}
	f->out.cpu = cs;	/* the heatmap's CPU strips */
	f->out.cpu_only = f->cfg.container;
	for (i = 0; i < f->out.out.n; i++) {
		const char *path = f->out.out.v[i];
		const struct fg_output_ops *ops = f->out.format ?
			fg_output__find(f->out.format) :
			fg_output__for_path(path);
		int err;

		if (!ops) {
			fprintf(stderr, "flame.so: %s: unknown output format (use .svg, .folded, .txt, .html or format=)\n",
				path);
			ret = -EINVAL;
			continue;
		}
		err = fg_output__write_file(ops, path, f->prof, &f->out);
		if (err) {
			fprintf(stderr, "flame.so: writing %s failed: %s\n",
				path, strerror(-err));
			ret = err;
			continue;
		}
		fg_buf__addf(&written, "%s%s", written.len ? ", " : "",
			     strcmp(path, "-") ? path : "stdout");
	}
	f->out.cpu = NULL;
	f->out.cpu_only = NULL;
	if (f->off)
		offcpu__summary(f->off, &line);
	summary(f, &line, &written);
	fprintf(stderr, "%s\n", line.buf);
	fg_buf__reset(&line);
	if (fg_cpuseries__report(cs, f->cfg.container, &line))
		fprintf(stderr, "%s", line.buf);
	fg_cpuseries__delete(cs);
	fg_buf__release(&line);
	fg_buf__release(&written);
	flame_free(f);
	/*
	 * perf 6.1 ignores stop()'s return (dlfilter__cleanup), and stop() runs
	 * after the last sample, so no filter_event() can report this. perf has
	 * finished its work here: exit non-zero so scripts and flame report
	 * see the failure (docs/plugin.md, "Exit status").
	 */
	if (ret) {
		fflush(NULL);
		exit(FLAME_EXIT_WRITE);
	}
	return ret;
}
