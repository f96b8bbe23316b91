// SPDX-License-Identifier: GPL-2.0
/*
 * Callchain walk and the address cache of flame.so.
 *
 * perf's resolver costs ~90 ns a frame; a profile has millions of frames
 * but few unique (process, address) pairs, so every pair is resolved once.
 * The key carries the process incarnation: the comm id (exec sets a new
 * comm) and fg_jit's incarnation number (PID reuse), so a PID that runs a
 * new program never gets the old program's names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/mem.h>
#include "frames.h"
#include <flame/namer.h>

extern struct perf_dlfilter_fns perf_dlfilter_fns;

/* ---- comm cache ---- */

int comm_cache__init(struct comm_cache *c)
{
	memset(c, 0, sizeof(*c));
	return 0;
}

void comm_cache__release(struct comm_cache *c)
{
}

uint32_t comm_cache__get(struct comm_cache *c, struct fg_profile *p,
			 const char *comm)
{
	size_t slot = fg_hash64((uintptr_t)comm) & (COMM_SLOTS - 1);
	uint32_t id;

	/* perf's comm strings are shared and stable, but may be freed and
	 * the address reused: confirm with the text */
	if (c->ptr[slot] == comm &&
	    !strcmp(fg_profile__name(p, c->id[slot]), comm))
		return c->id[slot];
	id = fg_profile__intern(p, comm, strlen(comm));
	if (id != UINT32_MAX) {
		c->ptr[slot] = comm;
		c->id[slot] = id;
	}
	return id;
}

/* ---- thread -> comm id while it holds ---- */

static inline uint64_t thread_hash(int pid, int tid)
{
	return fg_hash64((uint64_t)(uint32_t)pid << 32 | (uint32_t)tid);
}

static inline bool tslot_empty(const struct thread_comm *s)
{
	return !s->comm1;
}

static inline bool tslot_live(const struct thread_comm *s)
{
	return s->comm1;
}

static inline bool tslot_match(const void *c, const struct thread_comm *s,
			       uint64_t h, const struct thread_comm *k)
{
	(void)c;
	(void)h;
	return s->pid == k->pid && s->tid == k->tid;
}

static inline uint64_t tslot_hash(const void *c, const struct thread_comm *s)
{
	(void)c;
	return thread_hash(s->pid, s->tid);
}

FG_HTAB_DEFINE(tslot, struct thread_comm, const struct thread_comm *,
	       const void *)

int thread_comms__init(struct thread_comms *c)
{
	memset(c, 0, sizeof(*c));
	return fg_htab__init(&c->tab, 1 << 10, sizeof(struct thread_comm));
}

void thread_comms__release(struct thread_comms *c)
{
	fg_htab__release(&c->tab, sizeof(struct thread_comm));
	memset(c, 0, sizeof(*c));
}

uint32_t thread_comms__get(struct thread_comms *c, int pid, int tid,
			   uint64_t time)
{
	struct thread_comm k = { .pid = pid, .tid = tid };
	const struct thread_comm *s;

	s = tslot__find(&c->tab, NULL, thread_hash(pid, tid), &k);
	if (s && time < s->until) {
		c->hits++;
		return s->comm1 - 1;
	}
	c->asked++;
	return UINT32_MAX;
}

int thread_comms__set(struct thread_comms *c, int pid, int tid,
		      uint32_t comm, uint64_t until)
{
	struct thread_comm k = { .pid = pid, .tid = tid }, *s;
	uint64_t h = thread_hash(pid, tid);
	bool found;

	if (comm == UINT32_MAX)
		return 0;
	s = tslot__insert(&c->tab, NULL, h, &k, c->tab.used + 1, &found);
	if (!s)
		return -ENOMEM;
	if (!found) {
		s->pid = pid;
		s->tid = tid;
		c->tab.used++;
	}
	s->comm1 = comm + 1;
	s->until = until;
	return 0;
}

/* ---- address cache: the one hash table (fg_htab), 16-byte slots ---- */

static inline uint64_t proc_hash(int32_t pid, uint32_t gen, uint32_t inc)
{
	return fg_hash64(((uint64_t)(uint32_t)pid << 32 | gen) ^
			 (uint64_t)inc << 17) | 1;
}

static inline bool pslot_empty(const struct frame_proc *s)
{
	return !s->id;
}

static inline bool pslot_live(const struct frame_proc *s)
{
	return s->id;
}

static inline bool pslot_match(const void *c, const struct frame_proc *s,
			       uint64_t h, const struct frame_key *k)
{
	(void)c;
	(void)h;
	return s->pid == k->pid && s->gen == k->gen &&
	       s->incarnation == k->incarnation;
}

static inline uint64_t pslot_hash(const void *c, const struct frame_proc *s)
{
	(void)c;
	return proc_hash(s->pid, s->gen, s->incarnation);
}

FG_HTAB_DEFINE(pslot, struct frame_proc, const struct frame_key *,
	       const void *)

/* k's process serial; 0 when it has none and add is false (or ENOMEM) */
static uint32_t proc_id(struct frame_cache *c, const struct frame_key *k,
			bool add)
{
	struct frame_proc *s;
	uint64_t h;
	bool found;

	/* the kernel's frames: fixed serials, no lookup (a chain mixes
	 * them with its process's) */
	if (k->pid < 0 && k->pid >= -2 && !k->gen && !k->incarnation)
		return (uint32_t)-k->pid;
	if (c->last.id && c->last.pid == k->pid && c->last.gen == k->gen &&
	    c->last.incarnation == k->incarnation)
		return c->last.id;
	h = proc_hash(k->pid, k->gen, k->incarnation);
	if (!add) {
		s = pslot__find(&c->procs, NULL, h, k);
		if (!s)
			return 0;
		found = true;
	} else {
		s = pslot__insert(&c->procs, NULL, h, k, c->procs.used + 1,
				  &found);
		if (!s || (!found && c->nr_procs == UINT32_MAX))
			return 0;
	}
	if (!found) {
		s->pid = k->pid;
		s->gen = k->gen;
		s->incarnation = k->incarnation;
		s->id = ++c->nr_procs;
		c->procs.used++;
	}
	c->last = *s;
	return s->id;
}

static inline uint64_t key_hash(uint64_t addr, uint32_t proc)
{
	return fg_hash64(addr ^ (uint64_t)proc << 40 ^ proc);
}

static inline bool fslot_empty(const struct frame_slot *s)
{
	return !s->proc;
}

static inline bool fslot_live(const struct frame_slot *s)
{
	return s->proc;
}

static inline bool fslot_match(const void *c, const struct frame_slot *s,
			       uint64_t h, const struct frame_slot *k)
{
	(void)c;
	(void)h;
	return s->addr == k->addr && s->proc == k->proc;
}

static inline uint64_t fslot_hash(const void *c, const struct frame_slot *s)
{
	(void)c;
	return key_hash(s->addr, s->proc);
}

FG_HTAB_DEFINE(fslot, struct frame_slot, const struct frame_slot *,
	       const void *)

int frame_cache__init(struct frame_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->nr_procs = 2;	/* 1 kernel, 2 guest kernel (proc_id) */
	if (fg_htab__init(&c->tab, 1 << 14, sizeof(struct frame_slot)) ||
	    fg_htab__init(&c->procs, 1 << 8, sizeof(struct frame_proc)) ||
	    fg_htab__init(&c->syms, 1 << 10, sizeof(struct sym_slot))) {
		frame_cache__release(c);
		return -ENOMEM;
	}
	return 0;
}

void frame_cache__release(struct frame_cache *c)
{
	fg_buf__release(&c->name);
	fg_htab__release(&c->tab, sizeof(struct frame_slot));
	fg_htab__release(&c->procs, sizeof(struct frame_proc));
	fg_htab__release(&c->syms, sizeof(struct sym_slot));
	memset(c, 0, sizeof(*c));
}

bool frame_cache__find(struct frame_cache *c, const struct frame_key *k,
		       struct frame_val *v)
{
	struct frame_slot key = { .addr = k->addr };
	struct frame_slot *s = NULL;

	key.proc = proc_id(c, k, false);
	if (key.proc)
		s = fslot__find(&c->tab, NULL, key_hash(key.addr, key.proc),
				&key);
	if (s) {
		c->hits++;
		v->name = s->val & ((1u << FRAME_KIND_SHIFT) - 1);
		v->kind = s->val >> FRAME_KIND_SHIFT;
		return true;
	}
	c->misses++;
	return false;
}

int frame_cache__insert(struct frame_cache *c, const struct frame_key *k,
			struct frame_val v)
{
	struct frame_slot key = { .addr = k->addr }, *s;
	uint64_t h;
	bool found;

	if (v.name >> FRAME_KIND_SHIFT ||
	    v.kind >> (32 - FRAME_KIND_SHIFT))
		return 0;	/* cannot pack: named again next time */
	key.proc = proc_id(c, k, true);
	if (!key.proc)
		return -ENOMEM;
	h = key_hash(key.addr, key.proc);
	s = fslot__insert(&c->tab, NULL, h, &key, c->tab.used + 1, &found);
	if (!s)
		return -ENOMEM;
	if (!found) {
		*s = key;
		c->tab.used++;
		c->count++;
	}
	s->val = v.name | v.kind << FRAME_KIND_SHIFT;
	return 0;
}

/* ---- perf's symbol -> name ---- */

static inline uint64_t sym_hash(const struct sym_slot *k)
{
	return fg_hash64((uint64_t)(uintptr_t)k->sym ^
			 ((uint64_t)(uintptr_t)k->dso << 21) ^ k->start ^
			 ((uint64_t)k->flags << 60));
}

static inline bool yslot_empty(const struct sym_slot *s)
{
	return !s->sym;
}

static inline bool yslot_live(const struct sym_slot *s)
{
	return s->sym;
}

static inline bool yslot_match(const void *c, const struct sym_slot *s,
			       uint64_t h, const struct sym_slot *k)
{
	(void)c;
	(void)h;
	return s->sym == k->sym && s->dso == k->dso && s->start == k->start &&
	       s->flags == k->flags;
}

static inline uint64_t yslot_hash(const void *c, const struct sym_slot *s)
{
	(void)c;
	return sym_hash(s);
}

FG_HTAB_DEFINE(yslot, struct sym_slot, const struct sym_slot *, const void *)

/* Best effort: a table that cannot grow just names again. */
static void sym_put(struct frame_cache *c, const struct sym_slot *k,
		    const struct frame_val *v)
{
	uint64_t h = sym_hash(k);
	struct sym_slot *s;
	bool found;

	if (v->name >> FRAME_KIND_SHIFT || v->kind >> (32 - FRAME_KIND_SHIFT))
		return;
	s = yslot__insert(&c->syms, NULL, h, k, c->syms.used + 1, &found);
	if (!s)
		return;
	if (!found) {
		*s = *k;
		c->syms.used++;
	}
	s->val = v->name | v->kind << FRAME_KIND_SHIFT;
}

/* ---- naming ---- */

enum ctx {
	CTX_USER,
	CTX_KERNEL,
	CTX_GUEST_USER,
	CTX_GUEST_KERNEL,
};

static bool is_kernel_ctx(enum ctx x)
{
	return x == CTX_KERNEL || x == CTX_GUEST_KERNEL;
}

static int default_resolve(void *ctx, uint64_t addr,
			   struct perf_dlfilter_al *al)
{
	if (!perf_dlfilter_fns.resolve_address)
		return -1;
	return perf_dlfilter_fns.resolve_address(ctx, addr, al);
}

/* Name a frame perf resolved into al (ip: its address). */
/*
 * syms: use the symbol cache. Not for perf's unwound chains (DWARF): their
 * inlined frames are symbols perf makes up and may free.
 */
static int name_al(struct frame_walk *w, uint64_t ip, enum ctx x,
		   struct perf_dlfilter_al al, bool syms,
		   struct frame_val *out)
{
	struct fg_buf *b = &w->cache->name;
	bool kernel = is_kernel_ctx(x);
	struct fg_frame_in f = {
		.addr = ip,
		.ctx = kernel ? FG_CTX_KERNEL : FG_CTX_USER,
	};
	struct sym_slot sk = { .sym = al.sym, .dso = al.dso,
			       .start = al.sym_start, .flags = kernel };
	bool java = false;
	int kind;

	if (!kernel && w->gen != UINT32_MAX) {
		const char *comm = fg_profile__name(w->prof, w->gen);

		java = comm && !strncmp(comm, "java", 4);
		sk.flags |= java << 1;
	}
	if (syms && al.sym && *al.sym) {
		const struct sym_slot *hit = yslot__find(&w->cache->syms, NULL,
							 sym_hash(&sk), &sk);

		if (hit) {
			w->cache->sym_hits++;
			out->name = hit->val & ((1u << FRAME_KIND_SHIFT) - 1);
			out->kind = hit->val >> FRAME_KIND_SHIFT;
			return 0;
		}
	}
	out->kind = FRAME_SYM;
	/*
	 * perf reads the host's /tmp/perf-<pid>.map for any pid, also for a
	 * container that has none: a decoy any local user could write. Only
	 * trust it for processes known to live in the host mount namespace.
	 */
	if (al.sym && !kernel && al.dso &&
	    fg_namer__is_perf_map(al.dso, strlen(al.dso)) && w->jit &&
	    !fg_jit__host_map_ok(w->jit, w->pid, w->time))
		al.sym = NULL;
	if (al.sym && *al.sym) {
		f.sym = al.sym;
		f.sym_len = strlen(al.sym);
	} else if (!kernel && w->jit && fg_namer__is_anon(al.dso)) {
		enum fg_jit_source src = FG_JIT_NONE;
		/* in a mapping (anonymous: perf maps only executable ones) */
		bool anon = al.dso && *al.dso &&
			    strncmp(al.dso, "[unknown]", 9);

		f.sym = fg_jit__resolve(w->jit, w->pid, w->time, ip, anon,
					&src);
		if (f.sym) {
			f.sym_len = strlen(f.sym);
			f.jit = true;
			out->kind = FRAME_JIT_BASE + src;
		}
	}
	if (al.dso) {
		f.dso = al.dso;
		f.dso_len = strlen(al.dso);
		f.addr = al.addr;	/* within the object, as perf prints it */
	}
	f.java = java;
	kind = fg_namer__frame(&w->cfg->names, &f, b);
	if (kind < 0)
		return kind;
	if (kind == FG_FRAME_DSO)
		out->kind = FRAME_DSO;
	else if (kind == FG_FRAME_UNKNOWN)
		out->kind = FRAME_UNKNOWN;
	out->name = fg_profile__intern(w->prof, b->buf, b->len);
	if (out->name == UINT32_MAX)
		return -ENOMEM;
	/* perf's symbol, not a perf map's (trusted per process) nor JIT */
	if (syms && sk.sym && *sk.sym && f.sym == sk.sym && !f.jit &&
	    !(f.dso && fg_namer__is_perf_map(f.dso, f.dso_len)))
		sym_put(w->cache, &sk, out);
	return 0;
}

static int resolve_frame(struct frame_walk *w, uint64_t ip, enum ctx x,
			 struct frame_val *out)
{
	resolve_fn resolve = w->resolve ? w->resolve : default_resolve;
	struct perf_dlfilter_al al;

	memset(&al, 0, sizeof(al));
	al.size = sizeof(al);
	if (resolve(w->ctx, ip, &al))
		memset(&al, 0, sizeof(al));
	return name_al(w, ip, x, al, true, out);
}

/* The address cache's key of ip in context x: the kernel's addresses are
 * one space for every process, user ones the process incarnation's. */
static struct frame_key frame_key_of(const struct frame_walk *w, uint64_t ip,
				     enum ctx x)
{
	struct frame_key k = { .addr = ip };

	if (is_kernel_ctx(x)) {
		k.pid = x == CTX_KERNEL ? -1 : -2;
	} else {
		k.pid = w->pid;
		k.gen = w->gen;
		k.incarnation = w->incarnation;
	}
	return k;
}

static int name_frame(struct frame_walk *w, uint64_t ip, enum ctx x,
		      uint32_t *name)
{
	struct frame_key k = frame_key_of(w, ip, x);
	struct frame_val v;
	int ret;

	if (!frame_cache__find(w->cache, &k, &v)) {
		ret = resolve_frame(w, ip, x, &v);
		if (ret)
			return ret;
		ret = frame_cache__insert(w->cache, &k, v);
		if (ret)
			return ret;
		if (v.kind > FRAME_JIT_BASE && v.kind < FRAME_JIT_BASE + FG_JIT__MAX)
			w->jit_resolved[v.kind - FRAME_JIT_BASE]++;
	}
	w->frames++;
	if (v.kind == FRAME_DSO || v.kind == FRAME_UNKNOWN)
		w->unresolved++;
	else if (v.kind > FRAME_JIT_BASE && v.kind < FRAME_JIT_BASE + FG_JIT__MAX)
		w->jit_named[v.kind - FRAME_JIT_BASE]++;
	*name = v.name;
	return 0;
}

static enum ctx marker_ctx(uint64_t ip, enum ctx x)
{
	switch ((int64_t)ip) {
	case PERF_CONTEXT_HV:
	case PERF_CONTEXT_KERNEL:
		return CTX_KERNEL;
	case PERF_CONTEXT_USER:
		return CTX_USER;
	case PERF_CONTEXT_GUEST_KERNEL:
		return CTX_GUEST_KERNEL;
	case PERF_CONTEXT_GUEST:
	case PERF_CONTEXT_GUEST_USER:
		return CTX_GUEST_USER;
	default:
		return x;	/* unknown marker or a hole: keep the context */
	}
}

static bool ctx_wanted(const struct frame_walk *w, enum ctx x)
{
	if (w->cfg->kernel_only)
		return is_kernel_ctx(x);
	if (w->cfg->user_only)
		return !is_kernel_ctx(x);
	return true;
}

int frames__walk(struct frame_walk *w, const __u64 *chain, uint64_t nr,
		 uint32_t *out, size_t max)
{
	enum ctx x = CTX_USER;
	size_t n = 0;
	uint64_t i;
	int ret;

	for (i = 0; i < nr && n < max; i++) {
		uint64_t ip = chain[i];

		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			x = marker_ctx(ip, x);
			continue;
		}
		if (!ctx_wanted(w, x))
			continue;
		ret = name_frame(w, ip, x, &out[n]);
		if (ret)
			return ret;
		n++;
	}
	return (int)n;
}

int frames__walk_al(struct frame_walk *w, const struct perf_dlfilter_al *al,
		    uint64_t nr, uint32_t *out, size_t max)
{
	struct frame_val v;
	uint64_t i;
	size_t n = 0;
	int ret;

	for (i = 0; i < nr && n < max; i++) {
		enum ctx x = al[i].is_kernel_ip ? CTX_KERNEL : CTX_USER;

		if (!ctx_wanted(w, x))
			continue;
		/* no cache: inlined frames share their caller's address */
		ret = name_al(w, al[i].addr, x, al[i], false, &v);
		if (ret)
			return ret;
		w->frames++;
		if (v.kind == FRAME_DSO || v.kind == FRAME_UNKNOWN)
			w->unresolved++;
		else if (v.kind > FRAME_JIT_BASE && v.kind < FRAME_JIT_BASE + FG_JIT__MAX)
			w->jit_named[v.kind - FRAME_JIT_BASE]++;
		out[n++] = v.name;
	}
	return (int)n;
}

int64_t frames__leaf(const __u64 *chain, uint64_t nr, int *ctx)
{
	enum ctx x = CTX_USER;
	uint64_t i;

	for (i = 0; i < nr; i++) {
		if (chain[i] >= (uint64_t)PERF_CONTEXT_MAX) {
			x = marker_ctx(chain[i], x);
			continue;
		}
		*ctx = x;
		return (int64_t)i;
	}
	return -1;
}

void frames__prefetch(struct frame_walk *w, uint64_t ip, int ctx)
{
	struct frame_cache *c = w->cache;
	struct frame_key k = frame_key_of(w, ip, (enum ctx)ctx);
	uint32_t proc;

	proc = proc_id(c, &k, false);
	if (proc)
		__builtin_prefetch((const struct frame_slot *)c->tab.slots +
				   (key_hash(ip, proc) & c->tab.mask));
}

int frames__name(struct frame_walk *w, uint64_t ip, int ctx, uint32_t *name)
{
	if (!ctx_wanted(w, (enum ctx)ctx))
		return 1;
	return name_frame(w, ip, (enum ctx)ctx, name);
}

int frames__ctx_of_cpumode(uint8_t cpumode)
{
	switch (cpumode & PERF_RECORD_MISC_CPUMODE_MASK) {
	case PERF_RECORD_MISC_KERNEL:
	case PERF_RECORD_MISC_HYPERVISOR:
		return CTX_KERNEL;
	case PERF_RECORD_MISC_GUEST_KERNEL:
		return CTX_GUEST_KERNEL;
	case PERF_RECORD_MISC_GUEST_USER:
		return CTX_GUEST_USER;
	default:
		return CTX_USER;
	}
}

/* ---- whole-callchain cache ---- */

int stack_cache__init(struct stack_cache *c, size_t arena_max_words)
{
	memset(c, 0, sizeof(*c));
	c->arena_max = arena_max_words < UINT32_MAX - 1 ? arena_max_words :
			UINT32_MAX - 1;
	if (fg_htab__init(&c->tab, 1 << 12, sizeof(struct stack_slot))) {
		stack_cache__release(c);
		return -ENOMEM;
	}
	return 0;
}

void stack_cache__release(struct stack_cache *c)
{
	fg_htab__release(&c->tab, sizeof(struct stack_slot));
	fg_mem__free(c->arena, c->arena_alloc * sizeof(*c->arena));
	memset(c, 0, sizeof(*c));
}

/*
 * The chain is hashed from its root end, so the hashes of the chains of
 * the leaf's callers (stack_key__hash_cut) come from the same pass.
 */
static inline uint64_t chain_mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ h >> 32;
}

static uint64_t chain_fin(const struct stack_key *k, uint64_t h, uint64_t nr)
{
	h ^= nr * 0x9e3779b97f4a7c15ULL;
	h ^= ((uint64_t)(uint32_t)k->pid << 32) ^ (uint32_t)k->tid;
	h ^= (uint64_t)k->gen << 21 ^ (uint64_t)k->incarnation << 43;
	/* 0 marks an empty slot */
	return fg_hash64(h) | 1;
}

void stack_key__hash(struct stack_key *k)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	uint64_t i;

	for (i = k->nr; i > 0; i--)
		h = chain_mix(h, k->chain[i - 1]);
	k->hash = chain_fin(k, h, k->nr);
}

unsigned int stack_key__hash_cut(const struct stack_key *k, uint64_t hole,
				 unsigned int max, uint64_t *out)
{
	uint64_t st[STACK_CUT_MAX + 1], h = 0x9e3779b97f4a7c15ULL, i;
	unsigned int d, n = 0;

	if (max > STACK_CUT_MAX)
		max = STACK_CUT_MAX;
	/* the callers cut must be addresses: no context marker among them */
	while (n < max && hole + 1 + n < k->nr &&
	       k->chain[hole + 1 + n] < (uint64_t)PERF_CONTEXT_MAX)
		n++;
	if (!n)
		return 0;
	/* st[d]: the state after the words from the root down to hole+1+d */
	for (i = k->nr; i > hole + 1 + n; i--)
		h = chain_mix(h, k->chain[i - 1]);
	st[n] = h;
	for (d = n; d > 0; d--)
		st[d - 1] = chain_mix(st[d], k->chain[hole + d]);
	for (d = 1; d <= n; d++) {
		/* the hole and the markers before it follow the callers left */
		h = st[d];
		for (i = hole + 1; i > 0; i--)
			h = chain_mix(h, k->chain[i - 1]);
		out[d - 1] = chain_fin(k, h, k->nr - d);
	}
	return n;
}

static inline bool sslot_empty(const struct stack_slot *s)
{
	return !s->idx;
}

static inline bool sslot_live(const struct stack_slot *s)
{
	return s->idx;
}

static inline bool sslot_match(const struct stack_cache *c,
			       const struct stack_slot *s, uint64_t h,
			       const struct stack_key *k)
{
	const struct stack_ent *e;

	if (s->tag != (uint32_t)(h >> 32))
		return false;
	e = (const struct stack_ent *)(c->arena + s->idx - 1);
	return e->hash == k->hash && e->nr == k->nr && e->pid == k->pid &&
	       e->tid == k->tid && e->gen == k->gen &&
	       e->incarnation == k->incarnation &&
	       !memcmp(e + 1, k->chain, k->nr * sizeof(uint64_t));
}

static inline uint64_t sslot_hash(const struct stack_cache *c,
				  const struct stack_slot *s)
{
	return ((const struct stack_ent *)(c->arena + s->idx - 1))->hash;
}

FG_HTAB_DEFINE(sslot, struct stack_slot, const struct stack_key *,
	       const struct stack_cache *)

struct stack_ent *stack_cache__find(struct stack_cache *c,
				    const struct stack_key *k)
{
	struct stack_slot *s = sslot__find(&c->tab, c, k->hash, k);

	return s ? (struct stack_ent *)(c->arena + s->idx - 1) : NULL;
}

struct stack_ent *stack_cache__insert(struct stack_cache *c,
				      const struct stack_key *k,
				      const struct stack_ent *val)
{
	struct stack_ent *e;
	struct stack_slot *s;
	bool found;

	size_t words = STACK_ENT_WORDS + k->nr;

	if (c->arena_len + words > c->arena_max || c->count >= UINT32_MAX - 1)
		return NULL;
	if (c->arena_len + words > c->arena_alloc) {
		size_t n = c->arena_alloc ? c->arena_alloc * 2 : 65536;
		__u64 *a;

		while (n < c->arena_len + words)
			n *= 2;
		a = fg_mem__realloc(c->arena, c->arena_alloc * sizeof(*a),
				    n * sizeof(*a));
		if (!a)
			return NULL;
		c->arena = a;
		c->arena_alloc = n;
	}
	/* the table must keep an empty slot: grow before filling one */
	if ((c->tab.used + 1) * 2 > c->tab.mask + 1 &&
	    sslot__rebuild(&c->tab, c, fg_htab__size_for(c->count + 1)))
		return NULL;
	e = (struct stack_ent *)(c->arena + c->arena_len);
	*e = *val;
	e->hash = k->hash;
	e->nr = (uint32_t)k->nr;
	e->pid = k->pid;
	e->tid = k->tid;
	e->gen = k->gen;
	e->incarnation = k->incarnation;
	memcpy(e + 1, k->chain, k->nr * sizeof(uint64_t));
	/* k is not in the table (callers looked): its empty slot */
	s = sslot__lookup(&c->tab, c, k->hash, k, &found);
	s->tag = (uint32_t)(k->hash >> 32);
	s->idx = (uint32_t)c->arena_len + 1;
	c->arena_len += words;
	c->count++;
	c->tab.used++;
	return e;
}
