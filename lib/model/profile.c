// SPDX-License-Identifier: GPL-2.0
/*
 * The profile model: a call tree (trie) of interned frame names. A child
 * is found through one hash table (fg_htab) keyed by (parent, name), so
 * adding a stack costs one hash probe per frame and no allocation once
 * the stack was seen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <flame/hashmap.h>

/* 12 bytes, not 16: the index is a third of a folded file's peak RSS */
struct slot {
	uint64_t key;		/* (parent + 1) << 32 | name, 0 = empty */
	uint32_t val;		/* node id */
} __attribute__((packed, aligned(4)));

struct fg_profile {
	struct fg_strtab *names;
	struct fg_node *nodes;
	uint32_t nr_nodes, nodes_alloc;
	/* of struct slot: key and value side by side, one cache miss; no
	 * slots after fg_profile__drop_index */
	struct fg_htab index;
	uint64_t total[FG_NCOLS];
	uint64_t adds[FG_NCOLS];
	unsigned int col;
	unsigned int decimals;	/* weights in units of 10^-decimals */
	bool keep_samples;
	struct fg_sample *samples;
	size_t nr_samples, samples_alloc;
};

/* (parent, name) keys are never 0 for a real child: the root is node 0,
 * so offset parent by one. */
static inline uint64_t child_key(uint32_t parent, uint32_t name)
{
	return ((uint64_t)parent + 1) << 32 | name;
}

struct fg_profile *fg_profile__new(void)
{
	struct fg_profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->names = fg_strtab__new();
	p->nodes_alloc = 4096;
	p->nodes = fg_mem__alloc(p->nodes_alloc * sizeof(*p->nodes));
	if (!p->names || !p->nodes ||
	    fg_htab__init(&p->index, 8192, sizeof(struct slot))) {
		fg_profile__delete(p);
		errno = ENOMEM;
		return NULL;
	}
	/* node 0: the invisible root, named "all" */
	p->nodes[0].name = fg_strtab__intern(p->names, "all", 3);
	p->nodes[0].parent = FG_NO_NODE;
	p->nr_nodes = 1;
	return p;
}

void fg_profile__delete(struct fg_profile *p)
{
	if (!p)
		return;
	fg_strtab__delete(p->names);
	fg_mem__free(p->nodes, (size_t)p->nodes_alloc * sizeof(*p->nodes));
	fg_htab__release(&p->index, sizeof(struct slot));
	free(p->samples);
	free(p);
}

void fg_profile__keep_samples(struct fg_profile *p, bool keep)
{
	p->keep_samples = keep;
}

bool fg_profile__keeps_samples(const struct fg_profile *p)
{
	return p->keep_samples;
}

void fg_profile__set_column(struct fg_profile *p, unsigned int col)
{
	p->col = col < FG_NCOLS ? col : FG_NCOLS - 1;
}

uint32_t fg_profile__intern(struct fg_profile *p, const char *name, size_t len)
{
	return fg_strtab__intern(p->names, name, len);
}

const struct fg_strtab *fg_profile__names(const struct fg_profile *p)
{
	return p->names;
}

const char *fg_profile__name(const struct fg_profile *p, uint32_t name_id)
{
	return fg_strtab__str(p->names, name_id);
}

static inline bool child_empty(const struct slot *s)
{
	return !s->key;
}

static inline bool child_live(const struct slot *s)
{
	return s->key;
}

static inline bool child_match(const void *c, const struct slot *s,
			       uint64_t h, uint64_t k)
{
	(void)c;
	(void)h;
	return s->key == k;
}

static inline uint64_t child_hash(const void *c, const struct slot *s)
{
	(void)c;
	return fg_hash64(s->key);
}

FG_HTAB_DEFINE(child, struct slot, uint64_t, const void *)

/*
 * The child index is only needed while stacks are added: a caller done
 * adding (flame svg before rendering) may free it; the next lookup builds
 * it again from the nodes.
 */
void fg_profile__drop_index(struct fg_profile *p)
{
	fg_htab__release(&p->index, sizeof(struct slot));
}

static int index_rebuild(struct fg_profile *p)
{
	uint32_t i;

	if (fg_htab__init(&p->index, fg_htab__size_for(p->nr_nodes),
			  sizeof(struct slot)))
		return -ENOMEM;
	for (i = 1; i < p->nr_nodes; i++) {
		uint64_t k = child_key(p->nodes[i].parent, p->nodes[i].name);
		struct slot *s;
		bool found;

		s = child__lookup(&p->index, NULL, fg_hash64(k), k, &found);
		s->key = k;
		s->val = i;
		p->index.used++;
	}
	return 0;
}

uint32_t fg_profile__find_child(const struct fg_profile *p, uint32_t parent,
				uint32_t name_id)
{
	uint64_t k = child_key(parent, name_id);
	const struct slot *s;

	/* the index is a cache of the nodes: rebuilding it keeps p's value */
	if (!p->index.slots && index_rebuild((struct fg_profile *)p))
		return FG_NO_NODE;
	s = child__find(&p->index, NULL, fg_hash64(k), k);
	return s ? s->val : FG_NO_NODE;
}

uint32_t fg_profile__child(struct fg_profile *p, uint32_t parent,
			   uint32_t name_id)
{
	uint64_t k = child_key(parent, name_id);
	struct slot *s;
	struct fg_node *n;
	bool found;

	if (!p->index.slots && index_rebuild(p))
		return FG_NO_NODE;
	s = child__lookup(&p->index, NULL, fg_hash64(k), k, &found);
	if (found)
		return s->val;
	if (name_id == UINT32_MAX || parent >= p->nr_nodes)
		return FG_NO_NODE;
	if (p->nr_nodes == p->nodes_alloc) {
		uint32_t na = p->nodes_alloc * 2;

		n = fg_mem__realloc(p->nodes, (size_t)p->nodes_alloc * sizeof(*n),
				    (size_t)na * sizeof(*n));
		if (!n)
			return FG_NO_NODE;
		p->nodes = n;
		p->nodes_alloc = na;
	}
	n = &p->nodes[p->nr_nodes];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->name = name_id;
	n->depth = p->nodes[parent].depth + 1;
	s->key = k;
	s->val = p->nr_nodes++;
	/* on failure the table just gets fuller */
	(void)child__added(&p->index, NULL, p->nr_nodes);
	return p->nr_nodes - 1;
}

void fg_profile__prefetch(const struct fg_profile *p, uint32_t node)
{
	if (node < p->nr_nodes)
		__builtin_prefetch(&p->nodes[node], 1);
}

int fg_profile__add_node(struct fg_profile *p, uint32_t node, uint64_t weight,
			 uint64_t time)
{
	if (node >= p->nr_nodes)
		return -EINVAL;
	if (weight > FG_WEIGHT_MAX - p->total[p->col])
		return -EOVERFLOW;
	p->nodes[node].self[p->col] += weight;
	p->total[p->col] += weight;
	p->adds[p->col]++;
	if (p->keep_samples) {
		struct fg_sample *s;

		if (p->nr_samples == p->samples_alloc) {
			size_t n = p->samples_alloc ? p->samples_alloc * 2 : 65536;

			s = realloc(p->samples, n * sizeof(*s));
			if (!s)
				return -ENOMEM;
			p->samples = s;
			p->samples_alloc = n;
		}
		s = &p->samples[p->nr_samples++];
		s->time = time;
		s->weight = weight;
		s->node = node;
		s->col = p->col;
	}
	return 0;
}

void fg_profile__scale(struct fg_profile *p, uint64_t div)
{
	uint32_t i;
	size_t j;
	unsigned int c;

	if (div <= 1)
		return;
	for (c = 0; c < FG_NCOLS; c++)
		p->total[c] = 0;
	for (i = 0; i < p->nr_nodes; i++) {
		for (c = 0; c < FG_NCOLS; c++) {
			p->nodes[i].self[c] = (p->nodes[i].self[c] + div / 2) / div;
			p->total[c] += p->nodes[i].self[c];
		}
	}
	for (j = 0; j < p->nr_samples; j++)
		p->samples[j].weight = (p->samples[j].weight + div / 2) / div;
}

unsigned int fg_profile__decimals(const struct fg_profile *p)
{
	return p->decimals;
}

uint64_t fg_profile__unit(const struct fg_profile *p)
{
	uint64_t u = 1;
	unsigned int i;

	for (i = 0; i < p->decimals; i++)
		u *= 10;
	return u;
}

int fg_profile__set_decimals(struct fg_profile *p, unsigned int d)
{
	uint64_t m = 1;
	uint32_t i;
	size_t j;
	unsigned int c;

	if (d > FG_DECIMALS_MAX)
		return -ERANGE;
	if (d <= p->decimals)
		return 0;
	for (c = p->decimals; c < d; c++)
		m *= 10;
	for (c = 0; c < FG_NCOLS; c++)
		if (p->total[c] > FG_WEIGHT_MAX / m)
			return -EOVERFLOW;
	for (c = 0; c < FG_NCOLS; c++)
		p->total[c] *= m;
	for (i = 0; i < p->nr_nodes; i++)
		for (c = 0; c < FG_NCOLS; c++)
			p->nodes[i].self[c] *= m;
	for (j = 0; j < p->nr_samples; j++)
		p->samples[j].weight *= m;
	p->decimals = d;
	return 0;
}

int fg_profile__add(struct fg_profile *p, const uint32_t *frames, size_t n,
		    uint64_t weight, uint64_t time)
{
	uint32_t node = FG_ROOT;
	size_t i;

	for (i = 0; i < n; i++) {
		node = fg_profile__child(p, node, frames[i]);
		if (node == FG_NO_NODE)
			return -ENOMEM;
	}
	return fg_profile__add_node(p, node, weight, time);
}

uint32_t fg_profile__nr_nodes(const struct fg_profile *p)
{
	return p->nr_nodes;
}

const struct fg_node *fg_profile__node(const struct fg_profile *p, uint32_t id)
{
	return id < p->nr_nodes ? &p->nodes[id] : NULL;
}

uint64_t fg_profile__total(const struct fg_profile *p, unsigned int col)
{
	return col < FG_NCOLS ? p->total[col] : 0;
}

uint64_t fg_profile__nr_adds(const struct fg_profile *p, unsigned int col)
{
	return col < FG_NCOLS ? p->adds[col] : 0;
}

const struct fg_sample *fg_profile__samples(const struct fg_profile *p,
					    size_t *nr)
{
	*nr = p->nr_samples;
	return p->samples;
}

uint32_t fg_profile__nr_stacks(const struct fg_profile *p)
{
	uint32_t i, n = 0;

	for (i = 1; i < p->nr_nodes; i++)
		if (p->nodes[i].self[0] || p->nodes[i].self[1])
			n++;
	return n;
}

size_t fg_profile__path(const struct fg_profile *p, uint32_t node,
			uint32_t *out, size_t max)
{
	size_t depth, i;

	if (node >= p->nr_nodes)
		return 0;
	depth = p->nodes[node].depth;
	if (!out)
		return depth;
	for (i = depth; i > 0; i--) {
		if (i <= max)
			out[i - 1] = p->nodes[node].name;
		node = p->nodes[node].parent;
	}
	return depth;
}

/* Name ids of p equal to one of l's names, or to one with its _[k]/_[j]/
 * _[i]/_[w] annotation taken off: a bool per id, NULL on ENOMEM. */
static bool *names_matching(const struct fg_profile *p,
			    const struct fg_strlist *l)
{
	uint32_t n = fg_strtab__count(p->names), i;
	bool *m = calloc((size_t)n + 1, 1);
	size_t k;

	if (!m || !l)
		return m;
	for (i = 0; i < n; i++) {
		const char *s = fg_strtab__str(p->names, i);
		size_t len = fg_strtab__len(p->names, i), bare = len;

		if (len > 4 && s[len - 4] == '_' && s[len - 3] == '[' &&
		    s[len - 1] == ']' && strchr("kjiw", s[len - 2]))
			bare = len - 4;
		for (k = 0; k < l->n && !m[i]; k++) {
			size_t nl = strlen(l->v[k]);

			m[i] = (nl == len || nl == bare) && !memcmp(s, l->v[k], nl);
		}
	}
	return m;
}

struct fg_profile *fg_profile__cut(const struct fg_profile *p,
				   const struct fg_strlist *skip_after,
				   const struct fg_strlist *base)
{
	uint32_t nr = p->nr_nodes, i, *map = NULL, *sk = NULL, *bs = NULL;
	uint32_t *path = NULL, *names = NULL, maxd = 0;
	bool *msk = NULL, *mbs = NULL, want_base = base && base->n;
	struct fg_profile *q = fg_profile__new();
	int err = -ENOMEM;
	size_t j;

	if (!q)
		return NULL;
	q->decimals = p->decimals;
	q->keep_samples = p->keep_samples;
	for (i = 0; i < nr; i++)
		if (p->nodes[i].depth > maxd)
			maxd = p->nodes[i].depth;
	map = malloc((size_t)nr * sizeof(*map));
	sk = malloc((size_t)nr * sizeof(*sk));
	bs = malloc((size_t)nr * sizeof(*bs));
	path = malloc(((size_t)maxd + 1) * sizeof(*path));
	names = malloc(((size_t)fg_strtab__count(p->names) + 1) * sizeof(*names));
	msk = names_matching(p, skip_after);
	mbs = names_matching(p, base);
	if (!map || !sk || !bs || !path || !names || !msk || !mbs)
		goto out;
	memset(names, 0xff, ((size_t)fg_strtab__count(p->names) + 1) * sizeof(*names));
	/* depth of the leaf-most match on the way from the root (0: none);
	 * parents come before children */
	map[0] = FG_ROOT;
	sk[0] = bs[0] = 0;
	for (i = 1; i < nr; i++) {
		const struct fg_node *n = &p->nodes[i];
		uint32_t from, d, node = FG_ROOT;

		sk[i] = msk[n->name] ? n->depth : sk[n->parent];
		bs[i] = mbs[n->name] ? n->depth : bs[n->parent];
		from = sk[i] ? sk[i] : 1;
		if (want_base) {
			if (bs[i] < from) {	/* no base frame left: dropped */
				map[i] = FG_NO_NODE;
				continue;
			}
			from = bs[i];
		}
		fg_profile__path(p, i, path, maxd);
		for (d = from; d <= n->depth; d++) {
			uint32_t nm = path[d - 1];

			if (names[nm] == UINT32_MAX) {
				names[nm] = fg_profile__intern(q,
					fg_strtab__str(p->names, nm),
					fg_strtab__len(p->names, nm));
				if (names[nm] == UINT32_MAX)
					goto out;
			}
			node = fg_profile__child(q, node, names[nm]);
			if (node == FG_NO_NODE)
				goto out;
		}
		map[i] = node;
	}
	err = 0;
	if (p->keep_samples) {
		for (j = 0; j < p->nr_samples && !err; j++) {
			const struct fg_sample *sm = &p->samples[j];

			if (map[sm->node] == FG_NO_NODE)
				continue;
			q->col = sm->col;
			err = fg_profile__add_node(q, map[sm->node], sm->weight,
						   sm->time);
		}
	} else {
		for (i = 1; i < nr && !err; i++) {
			unsigned int c;

			if (map[i] == FG_NO_NODE)
				continue;
			for (c = 0; c < FG_NCOLS && !err; c++) {
				if (!p->nodes[i].self[c])
					continue;
				q->col = c;
				err = fg_profile__add_node(q, map[i],
							   p->nodes[i].self[c], 0);
			}
		}
	}
	q->col = 0;
out:
	free(map);
	free(sk);
	free(bs);
	free(path);
	free(names);
	free(msk);
	free(mbs);
	if (err) {
		fg_profile__delete(q);
		errno = -err;
		return NULL;
	}
	return q;
}
