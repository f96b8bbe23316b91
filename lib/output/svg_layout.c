// SPDX-License-Identifier: GPL-2.0
/*
 * Flame graph layout: the call tree to draw (the profile's own trie, or a
 * new one for reversed stacks and flame charts), siblings in display order,
 * x positions from cumulative weights, and the frames wide enough to draw.
 * Everything is linear in the number of frames except the sorts.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flame/hashmap.h>

#include "internal.h"
#include "svg.h"

static int frame_new(struct svg_layout *l, uint32_t parent, uint32_t name,
		     uint32_t *id)
{
	uint32_t alloc = l->alloc;
	struct svg_frame *f;

	if (fg_mem__grow(&l->f, &l->alloc, l->nr, sizeof(*f), 1024))
		return -ENOMEM;
	if (l->alloc != alloc) {
		uint32_t *lk = realloc(l->last_kid,
				       (size_t)l->alloc * sizeof(*lk));

		if (!lk)
			return -ENOMEM;
		l->last_kid = lk;
	}
	f = &l->f[l->nr];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->parent = parent;
	l->last_kid[l->nr] = FG_NO_NODE;
	*id = l->nr++;
	return 0;
}

/*
 * The builder's table: (parent, name) -> frame, a slot holding the frame's
 * id + 1 (0: empty); the key is read from the frame itself.
 */
static inline uint64_t kid_key(uint32_t parent, uint32_t name)
{
	return (uint64_t)parent << 32 | name;
}

static inline bool kid_empty(const uint32_t *s)
{
	return !*s;
}

static inline bool kid_live(const uint32_t *s)
{
	return *s;
}

static inline bool kid_match(const struct svg_layout *l, const uint32_t *s,
			     uint64_t h, uint64_t k)
{
	const struct svg_frame *f = &l->f[*s - 1];

	(void)h;
	return kid_key(f->parent, f->name) == k;
}

static inline uint64_t kid_hash(const struct svg_layout *l, const uint32_t *s)
{
	const struct svg_frame *f = &l->f[*s - 1];

	return fg_hash64(kid_key(f->parent, f->name));
}

FG_HTAB_DEFINE(kid, uint32_t, uint64_t, const struct svg_layout *)

/*
 * Child of parent named name, created when absent. Flame charts merge only
 * with the newest child (consecutive samples sharing a prefix); graphs
 * merge with any child (hash lookup).
 */
static int child(struct svg_layout *l, uint32_t parent, uint32_t name,
		 bool chart, uint32_t *out)
{
	uint32_t last = l->last_kid[parent], id, *slot = NULL;
	uint64_t key = kid_key(parent, name), h = fg_hash64(key);
	bool found;
	int err;

	if (chart) {
		if (last != FG_NO_NODE && l->f[last].name == name) {
			*out = last;
			return 0;
		}
	} else {
		slot = kid__lookup(&l->kids_of, l, h, key, &found);
		if (found) {
			*out = *slot - 1;
			return 0;
		}
	}
	if ((err = frame_new(l, parent, name, &id)))
		return err;
	if (slot) {
		*slot = id + 1;
		if ((err = kid__added(&l->kids_of, l, l->nr)))
			return err;
	}
	l->last_kid[parent] = id;
	*out = id;
	return 0;
}

/* Insert the stack ending at profile node `node`, reversed when asked. */
static int insert(struct svg_layout *l, const struct fg_profile *p,
		  uint32_t node, const uint64_t *w, bool reverse, bool chart,
		  uint32_t **path, size_t *path_alloc)
{
	size_t depth = fg_profile__node(p, node)->depth, i;
	uint32_t cur = 0;
	int err;

	if (depth > *path_alloc) {
		uint32_t *np = realloc(*path, depth * 2 * sizeof(**path));

		if (!np)
			return -ENOMEM;
		*path = np;
		*path_alloc = depth * 2;
	}
	depth = fg_profile__path(p, node, *path, depth);
	for (i = 0; i < depth; i++) {
		uint32_t name = (*path)[reverse ? depth - 1 - i : i];

		if ((err = child(l, cur, name, chart, &cur)))
			return err;
	}
	for (i = 0; i < FG_NCOLS; i++)
		l->f[cur].w[i] += w[i];
	return 0;
}

/* Samples in time order (stable): indices into the sample array. */
static uint32_t *time_order(const struct fg_sample *s, size_t nr)
{
	uint32_t *idx = malloc((nr ? nr : 1) * sizeof(*idx));
	bool sorted = true;
	size_t i;

	if (!idx)
		return NULL;
	for (i = 0; i < nr; i++) {
		idx[i] = i;
		if (i && s[i].time < s[i - 1].time)
			sorted = false;
	}
	if (!sorted) {
		/* merge sort by (time, index): stable, n log n */
		uint32_t *tmp = malloc(nr * sizeof(*tmp));
		size_t width, lo;

		if (!tmp) {
			free(idx);
			return NULL;
		}
		for (width = 1; width < nr; width *= 2) {
			for (lo = 0; lo < nr; lo += 2 * width) {
				size_t mid = lo + width < nr ? lo + width : nr;
				size_t hi = lo + 2 * width < nr ? lo + 2 * width : nr;
				size_t a = lo, b = mid, k = lo;

				while (a < mid && b < hi)
					tmp[k++] = s[idx[b]].time < s[idx[a]].time ?
						   idx[b++] : idx[a++];
				while (a < mid)
					tmp[k++] = idx[a++];
				while (b < hi)
					tmp[k++] = idx[b++];
			}
			memcpy(idx, tmp, nr * sizeof(*idx));
		}
		free(tmp);
	}
	return idx;
}

static int build_tree(struct svg_layout *l, const struct fg_profile *p,
		      const struct fg_opts *o)
{
	uint32_t nr = fg_profile__nr_nodes(p), i, root;
	uint32_t *path = NULL;
	size_t path_alloc = 0, nr_samples = 0, k;
	const struct fg_sample *s = NULL;
	int err = 0;

	if ((err = frame_new(l, 0, SVG_ALL, &root)))
		return err;
	if (!o->reverse && !o->flamechart) {
		/* the profile's own trie: same ids, same parents, one table */
		struct svg_frame *f = fg_mem__realloc(l->f,
			(size_t)l->alloc * sizeof(*f), (size_t)nr * sizeof(*f));

		if (!f)
			return -ENOMEM;
		l->f = f;
		l->alloc = nr;
		for (i = 1; i < nr; i++) {
			const struct fg_node *n = fg_profile__node(p, i);

			f = &l->f[i];
			f->name = n->name;
			f->parent = n->parent;
			f->first_child = f->nr_kids = 0;
			memcpy(f->w, n->self, sizeof(n->self));
			f->x = 0;
		}
		l->nr = nr;
		memcpy(l->f[0].w, fg_profile__node(p, 0)->self,
		       sizeof(l->f[0].w));
		return 0;
	}
	if (!o->flamechart &&
	    (err = fg_htab__init(&l->kids_of, 4096, sizeof(uint32_t))))
		return err;
	if (o->flamechart)
		s = fg_profile__samples(p, &nr_samples);
	if (o->flamechart && s && nr_samples) {
		uint32_t *idx = time_order(s, nr_samples);

		if (!idx)
			return -ENOMEM;
		for (k = 0; k < nr_samples && !err; k++) {
			const struct fg_sample *sm = &s[idx[k]];
			uint64_t w[FG_NCOLS] = { 0 };

			w[sm->col < FG_NCOLS ? sm->col : 0] = sm->weight;
			err = insert(l, p, sm->node, w, o->reverse, true,
				     &path, &path_alloc);
		}
		free(idx);
	} else {
		/* no sample times (folded input): stacks in input order */
		for (i = 0; i < nr && !err; i++) {
			const struct fg_node *n = fg_profile__node(p, i);

			if (!n->self[0] && !n->self[1])
				continue;
			err = insert(l, p, i, n->self, o->reverse,
				     o->flamechart, &path, &path_alloc);
		}
	}
	free(path);
	return err;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct fg_strtab *sort_names = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = fg_strtab__len(sort_names, x);
	size_t ly = fg_strtab__len(sort_names, y);
	int c = memcmp(fg_strtab__str(sort_names, x),
		       fg_strtab__str(sort_names, y), lx < ly ? lx : ly);

	if (c)
		return c;
	return lx < ly ? -1 : lx > ly;
}

/* rank[name id] = position of the name in byte order. */
static uint32_t *name_ranks(const struct fg_profile *p)
{
	const struct fg_strtab *t = fg_profile__names(p);
	uint32_t n = fg_strtab__count(t), i;
	uint32_t *ids = malloc(((size_t)n + 1) * sizeof(*ids));
	uint32_t *rank = malloc(((size_t)n + 1) * sizeof(*rank));

	if (!ids || !rank) {
		free(ids);
		free(rank);
		return NULL;
	}
	for (i = 0; i < n; i++)
		ids[i] = i;
	qsort_r(ids, n, sizeof(*ids), cmp_name, (void *)t);
	for (i = 0; i < n; i++)
		rank[ids[i]] = i;
	free(ids);
	return rank;
}

static int cmp_rank(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Children lists (CSR), sorted by name unless this is a flame chart. */
static int link_children(struct svg_layout *l, const struct fg_profile *p,
			 bool sorted)
{
	uint32_t *rank = NULL, i, j;
	uint64_t *keys = NULL;
	size_t max_kids = 0;
	int err = -ENOMEM;

	l->kids = malloc(((size_t)l->nr + 1) * sizeof(*l->kids));
	if (!l->kids)
		goto out;
	for (i = 1; i < l->nr; i++)
		l->f[l->f[i].parent].nr_kids++;
	for (i = 0, j = 0; i < l->nr; i++) {
		l->f[i].first_child = j;
		j += l->f[i].nr_kids;
		if (l->f[i].nr_kids > max_kids)
			max_kids = l->f[i].nr_kids;
		l->f[i].nr_kids = 0;	/* counted again as the list fills */
	}
	/* ids grow with creation, so each list is in creation (time) order */
	for (i = 1; i < l->nr; i++) {
		struct svg_frame *pf = &l->f[l->f[i].parent];

		l->kids[pf->first_child + pf->nr_kids++] = i;
	}
	if (sorted && max_kids > 1) {
		rank = name_ranks(p);
		keys = malloc(max_kids * sizeof(*keys));
		if (!rank || !keys)
			goto out;
		for (i = 0; i < l->nr; i++) {
			struct svg_frame *f = &l->f[i];
			uint32_t *k = l->kids + f->first_child;

			if (f->nr_kids < 2)
				continue;
			/* (rank << 32 | id): one integer sort per list */
			for (j = 0; j < f->nr_kids; j++)
				keys[j] = (uint64_t)rank[l->f[k[j]].name] << 32 | k[j];
			qsort(keys, f->nr_kids, sizeof(*keys), cmp_rank);
			for (j = 0; j < f->nr_kids; j++)
				k[j] = (uint32_t)keys[j];
		}
	}
	err = 0;
out:
	free(rank);
	free(keys);
	return err;
}

/* Depth-first: x from cumulative weights, drop what is too narrow. */
static int place(struct svg_layout *l, bool self_first)
{
	uint32_t *stack, *dstack, sp = 0, i;
	unsigned int c = l->wcol;

	/* pages of these are touched only as far as they are used */
	l->order = malloc(((size_t)l->nr + 1) * sizeof(*l->order));
	l->depth = malloc(((size_t)l->nr + 1) * sizeof(*l->depth));
	stack = malloc(((size_t)l->nr + 1) * sizeof(*stack));
	dstack = malloc(((size_t)l->nr + 1) * sizeof(*dstack));
	if (!l->order || !l->depth || !stack || !dstack) {
		free(stack);
		free(dstack);
		return -ENOMEM;
	}
	l->nr_vis = 0;
	l->max_depth = 0;
	l->f[0].x = 0;
	dstack[sp] = 0;
	stack[sp++] = 0;
	while (sp) {
		uint32_t id, depth;
		struct svg_frame *f;
		uint64_t x;

		sp--;
		id = stack[sp];
		depth = dstack[sp];
		f = &l->f[id];
		x = f->x;

		l->depth[l->nr_vis] = depth;
		l->order[l->nr_vis++] = id;
		if (depth > l->max_depth)
			l->max_depth = depth;
		/* a frame's own weight comes before its children, as in
		 * flamegraph.pl (its "a 1" line sorts before "a;b 1") */
		if (self_first) {
			uint64_t kids = 0;

			for (i = 0; i < f->nr_kids; i++)
				kids += l->f[l->kids[f->first_child + i]].w[c];
			if (f->w[c] > kids && id)
				x += f->w[c] - kids;
		}
		/* children get their x in display order; pushed reversed so
		 * they come out of the stack (and the file) left to right */
		for (i = 0; i < f->nr_kids; i++) {
			struct svg_frame *k = &l->f[l->kids[f->first_child + i]];

			k->x = x;
			x += k->w[c];
		}
		for (i = f->nr_kids; i-- > 0;) {
			uint32_t kid = l->kids[f->first_child + i];
			struct svg_frame *k = &l->f[kid];

			if (!k->w[c] || svg_layout__px(l, k->w[c]) < l->min_px)
				continue;
			dstack[sp] = depth + 1;
			stack[sp++] = kid;
		}
	}
	free(stack);
	free(dstack);
	return 0;
}

int svg_layout__build(struct svg_layout *l, const struct fg_profile *p,
		      const struct fg_opts *o)
{
	uint64_t have;
	double want;
	uint32_t i;
	int err;

	memset(l, 0, sizeof(*l));
	if ((err = build_tree(l, p, o)))
		goto out_err;
	fg_htab__release(&l->kids_of, sizeof(uint32_t));
	free(l->last_kid);
	l->last_kid = NULL;
	/* inclusive weights: parents have smaller indices */
	for (i = l->nr; i-- > 1;) {
		unsigned int c;

		for (c = 0; c < FG_NCOLS; c++)
			l->f[l->f[i].parent].w[c] += l->f[i].w[c];
	}
	l->diff = fg_profile__total(p, 1) > 0;
	l->wcol = l->diff ? 1 : 0;
	have = l->f[0].w[l->wcol];
	l->total = have;
	/* --total is in the input's units; the profile may count 10^-N units */
	want = o->total * (double)fg_profile__unit(p);
	if (want > (double)have)
		l->total = want < 9.2e18 ? (uint64_t)llround(want) : FG_WEIGHT_MAX;
	else if (o->total > 0 && want < (double)have)
		pr_warn("svg: total %g is less than the profile's %g; using %g\n",
			o->total, (double)have / (double)fg_profile__unit(p),
			(double)have / (double)fg_profile__unit(p));
	l->width_px = (o->width > 0 ? o->width : 1200) - 2 * SVG_XPAD;
	if (l->width_px < 1)
		l->width_px = 1;
	l->min_px = o->minwidth > 0 ? o->minwidth : 0;
	if (o->minwidth_pct > 0 && o->minwidth_pct / 100 * l->width_px > l->min_px)
		l->min_px = o->minwidth_pct / 100 * l->width_px;
	if ((err = link_children(l, p, !o->flamechart)))
		goto out_err;
	if ((err = place(l, !o->flamechart)))
		goto out_err;
	return 0;
out_err:
	svg_layout__release(l);
	return err;
}

void svg_layout__release(struct svg_layout *l)
{
	fg_mem__free(l->f, (size_t)l->alloc * sizeof(*l->f));
	free(l->kids);
	free(l->order);
	free(l->depth);
	free(l->last_kid);
	fg_htab__release(&l->kids_of, sizeof(uint32_t));
	memset(l, 0, sizeof(*l));
}
