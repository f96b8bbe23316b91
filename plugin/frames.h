/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flame.so internals: options, the address cache and the callchain walk.
 * Kept apart from dlfilter.c so unit tests can drive them directly.
 */
#ifndef FLAME_PLUGIN_FRAMES_H
#define FLAME_PLUGIN_FRAMES_H

#include <perf/perf_dlfilter.h>

#include <flame/flame.h>
#include <flame/hashmap.h>
#include <flame/jit.h>
#include <flame/namer.h>
#include <flame/offcpu.h>
#include <flame/tpfilter.h>

/* ---- options ---- */

struct idlist {
	int *v;
	size_t n;
};

bool idlist__has(const struct idlist *l, int id);

enum unwind {
	UNWIND_AUTO = 0,	/* perf's unwound chain, or refuse DWARF data */
	UNWIND_RAW,		/* the recorded chain, callers lost */
	UNWIND_CHECK,		/* exit at start: 0 can unwind, 3 cannot */
};

#define FLAME_EXIT_NO_UNWIND	3
/* stop(): an output could not be written (perf ignores stop()'s return) */
#define FLAME_EXIT_WRITE	1

struct flame_cfg {
	/* raw option values (table-driven) */
	char *event;
	char *comm;
	char *pid_s, *tid_s, *cpu_s;
	char *weight_s;
	char *group_s;
	char *container;
	char *maps;
	char *unwind_s;
	char *mode_s, *state_s, *min_block_s, *unit_s;	/* include/flame/offcpu.h */
	struct fg_strlist rootfs;
	struct fg_strlist fields;	/* field=: tracepoint field filters */
	struct fg_naming_args sel;	/* fg_naming_opts (lib/names/namer.c) */
	/* derived */
	bool show_pid, show_tid;
	bool addrs;
	bool kernel_only, user_only;
	bool no_live, no_host;
	bool per_task;
	/* derived */
	struct idlist pids, tids, cpus;
	bool weight_period;
	enum unwind unwind;
	bool group_container;
	struct fg_offcpu_cfg off;	/* mode, state, min-block, unit */
	struct fg_jit_opts jit;
	struct fg_namer_opts names;
	struct fg_tpf *tpf;		/* fields parsed; NULL = none */
};

#define FLAME_HELP 1

/* The plugin's own options (selection, naming, containers). */
extern const struct fg_opt_desc flame_cfg_opts[];

void flame_cfg__init(struct flame_cfg *c);
void flame_cfg__release(struct flame_cfg *c);
/*
 * Parse perf's dlfilter arguments: "key=value" words, and "--key value",
 * "--key=value", "--flag", "--no-flag" (the `perf script -s flame.so ...`
 * style). Plugin options go to c, graph/output options to o.
 * 0, FLAME_HELP, or -EINVAL after printing one line naming the option.
 */
int flame_cfg__parse(struct flame_cfg *c, struct fg_opts *o, int argc,
		     char **argv);
void flame_cfg__help(FILE *fp);
/*
 * True when perf script's command line has no option that drops or changes
 * samples after filter_event_early() (--time, --cpu, --comms, --pid, ...):
 * then flame.so can take every sample early, before perf resolves it.
 */
bool flame_perf_filters_nothing(void);

/* ---- comm name -> interned id, keyed by perf's string pointer ---- */

#define COMM_SLOTS 256

struct comm_cache {
	const char *ptr[COMM_SLOTS];
	uint32_t id[COMM_SLOTS];
};

int comm_cache__init(struct comm_cache *c);
void comm_cache__release(struct comm_cache *c);
uint32_t comm_cache__get(struct comm_cache *c, struct fg_profile *p,
			 const char *comm);

/*
 * ---- thread -> comm id, while perf's comm for it holds ----
 * With fg_commlog (include/flame/commlog.h): the comm perf gave for a
 * thread at time t stays perf's answer until the thread's next COMM, FORK
 * or EXIT record ("until"); asking perf costs a whole sample resolution.
 */
struct thread_comm {
	int32_t pid, tid;
	uint64_t until;		/* valid for sample times below this */
	uint32_t comm1;		/* comm id + 1; 0 = empty slot */
	uint32_t pad;
};

struct thread_comms {
	struct fg_htab tab;	/* of struct thread_comm */
	uint64_t hits, asked;
};

int thread_comms__init(struct thread_comms *c);
void thread_comms__release(struct thread_comms *c);
/* The comm id of (pid, tid) at time, or UINT32_MAX: ask perf. */
uint32_t thread_comms__get(struct thread_comms *c, int pid, int tid,
			   uint64_t time);
/* What perf said; 0 or -ENOMEM (then it is asked again next time). */
int thread_comms__set(struct thread_comms *c, int pid, int tid,
		      uint32_t comm, uint64_t until);

/* ---- (process incarnation, address) -> frame name ---- */

enum frame_kind {
	FRAME_SYM = 0,		/* perf named it */
	FRAME_DSO,		/* only the object is known: [dso] */
	FRAME_UNKNOWN,		/* [unknown] or a raw address */
	FRAME_JIT_BASE,		/* + enum fg_jit_source */
};

struct frame_key {
	uint64_t addr;
	int32_t pid;		/* -1 kernel, -2 guest kernel */
	uint32_t gen;		/* comm id: changes on exec */
	uint32_t incarnation;	/* changes on PID reuse */
};

struct frame_val {
	uint32_t name;
	uint32_t kind;
};

/*
 * A 16-byte slot: the address, the process (pid, gen, incarnation) as a
 * serial of the cache's own, and the name id with its kind in the top
 * bits. Four slots a cache line; on a whole-machine recording (215k
 * distinct addresses of hundreds of processes) the table and its
 * doublings are half the fresh memory 32-byte slots were.
 */
struct frame_slot {
	uint64_t addr;
	uint32_t proc;		/* 0 = empty */
	uint32_t val;		/* name | kind << FRAME_KIND_SHIFT */
};

#define FRAME_KIND_SHIFT	28

/* (pid, gen, incarnation) -> proc serial */
struct frame_proc {
	int32_t pid;
	uint32_t gen, incarnation;
	uint32_t id;		/* 0 = empty */
};

/*
 * perf's symbol -> our name, for addresses the address cache has not seen:
 * the same function in another process (each of a build's hundreds of cc1
 * processes) is named once. Keyed by perf's symbol and object strings
 * (stable while perf runs: its objects and symbols live to the end) with
 * the symbol's start, and what else the name depends on (kernel, java).
 * Never for perf maps (trusted per process) or JIT names.
 */
struct sym_slot {
	const char *sym, *dso;	/* sym NULL = empty */
	uint64_t start;
	uint32_t flags;
	uint32_t val;		/* name | kind << FRAME_KIND_SHIFT */
};

struct frame_cache {
	struct fg_htab tab;	/* of struct frame_slot */
	struct fg_htab procs;	/* of struct frame_proc */
	struct fg_htab syms;	/* of struct sym_slot */
	uint64_t sym_hits;
	struct frame_proc last;	/* the last process looked up */
	uint32_t nr_procs;
	size_t count;
	uint64_t hits, misses;
	struct fg_buf name;	/* the namer's scratch */
};

int frame_cache__init(struct frame_cache *c);
void frame_cache__release(struct frame_cache *c);
/* true and *v when k is cached */
bool frame_cache__find(struct frame_cache *c, const struct frame_key *k,
		       struct frame_val *v);
/* 0 or -ENOMEM; a name id too big to pack (>= 2^28) is not cached */
int frame_cache__insert(struct frame_cache *c, const struct frame_key *k,
			struct frame_val v);

/* ---- callchain walk ---- */

/* perf's resolver, or a test's: 0 and al filled, or -1. */
typedef int (*resolve_fn)(void *ctx, uint64_t addr, struct perf_dlfilter_al *al);

struct frame_walk {
	const struct flame_cfg *cfg;
	struct fg_profile *prof;
	struct fg_jit *jit;
	struct frame_cache *cache;
	void *ctx;
	resolve_fn resolve;	/* NULL: perf_dlfilter_fns.resolve_address */
	int pid;
	uint64_t time;
	uint32_t gen, incarnation;
	/* results */
	uint32_t frames, unresolved;
	uint32_t jit_named[FG_JIT__MAX];	/* frames named by each source */
	uint32_t jit_resolved[FG_JIT__MAX];	/* of which fg_jit resolved anew */
};

/*
 * Walk perf's raw callchain (addresses and PERF_CONTEXT_* markers, leaf
 * first) into name ids, leaf first, honouring kernel-only / user-only.
 * Returns the number of frames or -errno.
 */
int frames__walk(struct frame_walk *w, const __u64 *chain, uint64_t nr,
		 uint32_t *out, size_t max);
/*
 * Name frames perf already resolved (perf_dlfilter_fns.resolved_callchain,
 * perf-patches/0003: DWARF-unwound, inlines expanded), leaf first, into
 * name ids, honouring kernel-only / user-only. Frames or -errno.
 */
int frames__walk_al(struct frame_walk *w, const struct perf_dlfilter_al *al,
		    uint64_t nr, uint32_t *out, size_t max);
/*
 * The leaf of a raw callchain: index of the first address (-1 if none) and
 * its context in *kernel (0 user, 1 kernel, 2 guest user, 3 guest kernel).
 */
int64_t frames__leaf(const __u64 *chain, uint64_t nr, int *ctx);
/* Context of a sample without callchain, from its cpumode. */
int frames__ctx_of_cpumode(uint8_t cpumode);
/* A hint: ip will be named in ctx soon (loads its address-cache slot). */
void frames__prefetch(struct frame_walk *w, uint64_t ip, int ctx);
/* Name one address in a context: 0 named, 1 filtered out by the context. */
int frames__name(struct frame_walk *w, uint64_t ip, int ctx, uint32_t *name);
/* A word frames__walk skips: stands in for a leaf named separately. */
#define FRAMES_HOLE ((__u64)PERF_CONTEXT_MAX)


/* ---- whole-callchain cache: raw callchain -> profile node ---- */

/*
 * Most samples repeat a callchain seen before. Keyed by the raw callchain
 * words and the process incarnation, this skips naming and the tree walk:
 * one hash over the chain and one compare per sample.
 */
struct stack_key {
	const __u64 *chain;
	uint64_t nr;
	int32_t pid, tid;
	uint32_t gen, incarnation;
	uint64_t hash;
};

/*
 * A cached chain: this header, then its nr words, in one record of the
 * arena. A hit reads the slot, then one run of lines (header and chain
 * side by side) instead of an entry and a chain in two places.
 */
struct stack_ent {
	/* read on every lookup */
	uint64_t hash;
	uint32_t nr;
	int32_t pid, tid;
	uint32_t gen, incarnation;
	uint32_t node;		/* FG_NO_NODE: sample is skipped */
	/* memo of the last leaf seen below this path (saves a tree probe) */
	uint32_t leaf_name, leaf_node;
	uint32_t empty;		/* no frame named (leaf aside) */
	uint32_t frames, unresolved;
	uint32_t jit_named[FG_JIT__MAX];
} __attribute__((aligned(8)));

/* a record's header in arena words */
#define STACK_ENT_WORDS	(sizeof(struct stack_ent) / sizeof(__u64))

struct stack_slot {
	uint32_t tag;		/* the hash's high half */
	uint32_t idx;		/* record's word offset in the arena + 1;
				 * 0 = empty */
};

struct stack_cache {
	/* 8-byte slots over the arena of records: the table at 50% load is
	 * small, and records are written once, in order (no fresh pages
	 * wasted) */
	struct fg_htab tab;	/* of struct stack_slot */
	size_t count;
	__u64 *arena;
	size_t arena_len, arena_alloc, arena_max;	/* in words */
};

int stack_cache__init(struct stack_cache *c, size_t arena_max_words);
void stack_cache__release(struct stack_cache *c);
void stack_key__hash(struct stack_key *k);
/*
 * The hashes of k's chain with the d = 1..max callers next to its hole
 * (index hole, the cut leaf) taken out: the keys of the chains the leaf's
 * callers had as leaves. out[d - 1]; returns how many (the callers taken
 * out must be addresses, not context markers). max <= STACK_CUT_MAX.
 */
#define STACK_CUT_MAX	16
unsigned int stack_key__hash_cut(const struct stack_key *k, uint64_t hole,
				 unsigned int max, uint64_t *out);
struct stack_ent *stack_cache__find(struct stack_cache *c,
				    const struct stack_key *k);
/*
 * Best effort: a full arena (arena_max_words of stack_cache__init counts
 * headers and chains) or ENOMEM just means no caching (NULL). The new
 * entry otherwise (k must not be in the cache yet); entry pointers are
 * stale after the next insert.
 */
struct stack_ent *stack_cache__insert(struct stack_cache *c,
				      const struct stack_key *k,
				      const struct stack_ent *val);

#endif
