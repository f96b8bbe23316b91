// SPDX-License-Identifier: GPL-2.0
/*
 * Run-queue latency: wakeup (or preemption) to switch-in, per group
 * (container or PID namespace label) and per process. Memory is fixed per
 * key: a log-linear histogram, 16 sub-buckets per power of two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/sched.h>

#include "internal.h"
#include <flame/hashmap.h>

#define SUB_BITS	4
#define SUB		(1u << SUB_BITS)
#define NR_BUCKETS	(64 * SUB)

struct hist {
	uint64_t count, sum, max;
	uint32_t b[NR_BUCKETS];
};

struct proc {
	uint32_t group;
	int pid;
	char comm[17];
	struct hist h;
};

struct proc_ent {
	uint64_t key;		/* group << 32 | pid */
	struct proc *p;
};

static uint64_t proc_key(uint32_t group, int pid)
{
	return (uint64_t)group << 32 | (uint32_t)pid;
}

struct fg_runq {
	char **groups;		/* [0] = NULL: not in a container */
	struct hist *ghist;
	size_t nr_groups;
	struct fg_hashmap *procs;	/* struct proc_ent */
	/* the last lookup: consecutive events often share a process */
	struct proc *last;
};

static unsigned int bucket_of(uint64_t v)
{
	unsigned int e;

	if (v < SUB)
		return (unsigned int)v;
	e = 63 - __builtin_clzll(v);
	return (e - SUB_BITS + 1) * SUB + ((v >> (e - SUB_BITS)) & (SUB - 1));
}

static uint64_t bucket_mid(unsigned int i)
{
	unsigned int e, sub;
	uint64_t lo, width;

	if (i < SUB)
		return i;
	e = i / SUB + SUB_BITS - 1;
	sub = i % SUB;
	lo = (uint64_t)(SUB + sub) << (e - SUB_BITS);
	width = 1ull << (e - SUB_BITS);
	return lo + width / 2;
}

static void hist_add(struct hist *h, uint64_t ns)
{
	h->count++;
	h->sum += ns;
	if (ns > h->max)
		h->max = ns;
	h->b[bucket_of(ns)]++;
}

static uint64_t hist_pct(const struct hist *h, double pct)
{
	uint64_t want = (uint64_t)(pct / 100.0 * h->count + 0.5), seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (want < 1)
		want = 1;
	for (i = 0; i < NR_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want) {
			v = bucket_mid(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

static void hist_stats(const struct hist *h, struct fg_runq_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->count = h->count;
	st->sum = h->sum;
	st->max = h->max;
	st->p50 = hist_pct(h, 50);
	st->p90 = hist_pct(h, 90);
	st->p99 = hist_pct(h, 99);
	for (i = 0; i < NR_BUCKETS; i++) {
		uint64_t mid = bucket_mid(i);

		if (h->b[i])
			st->log2[mid ? 63 - __builtin_clzll(mid) : 0] += h->b[i];
	}
}

struct fg_runq *fg_runq__new(void)
{
	struct fg_runq *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->procs = fg_hashmap__new(sizeof(struct proc_ent), fg_hashmap__eq_u64);
	r->groups = calloc(1, sizeof(*r->groups));
	r->ghist = calloc(1, sizeof(*r->ghist));
	r->nr_groups = 1;
	if (!r->procs || !r->groups || !r->ghist) {
		fg_runq__delete(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void fg_runq__delete(struct fg_runq *r)
{
	struct proc_ent *e;
	size_t i;

	if (!r)
		return;
	if (r->procs)
		fg_hashmap__for_each(r->procs, e, i)
			free(e->p);
	fg_hashmap__delete(r->procs);
	for (i = 0; i < r->nr_groups; i++)
		free(r->groups[i]);
	free(r->groups);
	free(r->ghist);
	free(r);
}

static int group_id(struct fg_runq *r, const char *g, uint32_t *id)
{
	char **ng;
	struct hist *nh;
	size_t i;

	if (!g || !*g) {
		*id = 0;
		return 0;
	}
	for (i = 1; i < r->nr_groups; i++) {
		if (!strcmp(r->groups[i], g)) {
			*id = i;
			return 0;
		}
	}
	ng = realloc(r->groups, (r->nr_groups + 1) * sizeof(*ng));
	if (!ng)
		return -ENOMEM;
	r->groups = ng;
	nh = realloc(r->ghist, (r->nr_groups + 1) * sizeof(*nh));
	if (!nh)
		return -ENOMEM;
	r->ghist = nh;
	memset(&nh[r->nr_groups], 0, sizeof(*nh));
	ng[r->nr_groups] = strdup(g);
	if (!ng[r->nr_groups])
		return -ENOMEM;
	*id = r->nr_groups++;
	return 0;
}

int fg_runq__add(struct fg_runq *r, const char *group, int pid,
		 const char *comm, uint64_t ns)
{
	struct proc *p = r->last;
	struct proc_ent *e;
	uint64_t key;
	uint32_t g;
	int ret;

	if ((ret = group_id(r, group, &g)))
		return ret;
	if (!p || p->group != g || p->pid != pid) {
		key = proc_key(g, pid);
		e = fg_hashmap__find(r->procs, fg_hash64(key), &key);
		if (!e) {
			p = calloc(1, sizeof(*p));
			if (!p)
				return -ENOMEM;
			e = fg_hashmap__insert(r->procs, fg_hash64(key), &key, NULL);
			if (!e) {
				free(p);
				return -ENOMEM;
			}
			p->group = g;
			p->pid = pid;
			e->key = key;
			e->p = p;
		}
		p = r->last = e->p;
	}
	if (comm && strncmp(p->comm, comm, sizeof(p->comm) - 1))
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
	hist_add(&p->h, ns);
	hist_add(&r->ghist[g], ns);
	return 0;
}

int fg_runq__stats(const struct fg_runq *r, const char *group, int pid,
		   struct fg_runq_stats *st)
{
	struct proc_ent *e;
	uint64_t key;
	size_t i;
	uint32_t g = 0;

	if (group && *group) {
		for (i = 1; i < r->nr_groups && strcmp(r->groups[i], group); i++)
			;
		if (i >= r->nr_groups)
			return -ENOENT;
		g = i;
	}
	if (pid < 0) {
		hist_stats(&r->ghist[g], st);
		return st->count ? 0 : -ENOENT;
	}
	key = proc_key(g, pid);
	e = fg_hashmap__find(r->procs, fg_hash64(key), &key);
	if (!e)
		return -ENOENT;
	hist_stats(&e->p->h, st);
	return 0;
}

size_t fg_runq__nr_groups(const struct fg_runq *r)
{
	return r->nr_groups;
}

const char *fg_runq__group(const struct fg_runq *r, size_t i)
{
	return i < r->nr_groups ? r->groups[i] : NULL;
}

static void add_dur(struct fg_buf *b, uint64_t ns)
{
	if (ns < 10000)
		fg_buf__addf(b, "%lluns", (unsigned long long)ns);
	else if (ns < 10000000)
		fg_buf__addf(b, "%.1fus", ns / 1e3);
	else
		fg_buf__addf(b, "%.1fms", ns / 1e6);
}

static void add_row(struct fg_buf *b, const char *what, const struct hist *h)
{
	struct fg_runq_stats st;

	hist_stats(h, &st);
	fg_buf__addf(b, "  %-32s %9llu  p50 ", what, (unsigned long long)st.count);
	add_dur(b, st.p50);
	fg_buf__adds(b, "  p90 ");
	add_dur(b, st.p90);
	fg_buf__adds(b, "  p99 ");
	add_dur(b, st.p99);
	fg_buf__adds(b, "  max ");
	add_dur(b, st.max);
	fg_buf__addch(b, '\n');
}

static int by_count(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;

	if (x->h.count != y->h.count)
		return x->h.count < y->h.count ? 1 : -1;
	return x->pid - y->pid;
}

int fg_runq__summary(const struct fg_runq *r, struct fg_buf *b,
		     size_t max_procs, bool hist)
{
	struct proc **list;
	struct proc_ent *e;
	size_t g, i, n, it;

	list = malloc((fg_hashmap__count(r->procs) + 1) * sizeof(*list));
	if (!list)
		return -ENOMEM;
	fg_buf__adds(b, "run-queue latency (wakeup or preemption to switch-in):\n");
	for (g = 0; g < r->nr_groups; g++) {
		char what[64];

		if (!r->ghist[g].count)
			continue;
		snprintf(what, sizeof(what), "[%.50s]", r->groups[g] ? r->groups[g] : "host");
		add_row(b, what, &r->ghist[g]);
		n = 0;
		fg_hashmap__for_each(r->procs, e, it)
			if (e->p->group == g)
				list[n++] = e->p;
		qsort(list, n, sizeof(*list), by_count);
		for (i = 0; i < n && i < max_procs; i++) {
			snprintf(what, sizeof(what), "  %.16s-%d", list[i]->comm,
				 list[i]->pid);
			add_row(b, what, &list[i]->h);
		}
		if (n > max_procs)
			fg_buf__addf(b, "    (%zu more processes)\n", n - max_procs);
		if (hist) {
			struct fg_runq_stats st;
			uint64_t top = 0;
			int lo = 64, hi = -1, k;

			hist_stats(&r->ghist[g], &st);
			for (k = 0; k < 64; k++) {
				if (!st.log2[k])
					continue;
				if (k < lo)
					lo = k;
				hi = k;
				if (st.log2[k] > top)
					top = st.log2[k];
			}
			fg_buf__adds(b, "       ns range             count  distribution\n");
			for (k = lo; k <= hi; k++) {
				int bar = top ? (int)(40 * st.log2[k] / top) : 0;

				fg_buf__addf(b, "    %10llu -> %-10llu %9llu |%-40.*s|\n",
					     k ? 1ull << k : 0ull, (2ull << k) - 1,
					     (unsigned long long)st.log2[k], bar,
					     "****************************************");
			}
		}
	}
	free(list);
	return 0;
}
