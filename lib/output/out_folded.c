// SPDX-License-Identifier: GPL-2.0
/*
 * Folded writer: one "root;...;leaf WEIGHT" line per stack, sorted bytewise
 * by stack (the order stackcollapse tools print). With weight in column 1
 * (a differential profile) it writes "stack A B".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct line {
	size_t off, len;
	uint32_t node;
};

static int cmp_line(const void *a, const void *b, void *base)
{
	const struct line *x = a, *y = b;
	const char *sort_base = base;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(sort_base + x->off, sort_base + y->off, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int write_folded(struct fg_buf *out, const struct fg_profile *p,
			const struct fg_opts *o)
{
	uint32_t nr = fg_profile__nr_nodes(p), i, nl = 0;
	bool diff = fg_profile__total(p, 1) > 0;
	struct fg_buf keys = FG_BUF_INIT;
	uint32_t *path = NULL;
	struct line *lines;
	size_t maxd = 0;
	int ret = -ENOMEM;

	for (i = 1; i < nr; i++)
		if (fg_profile__node(p, i)->depth > maxd)
			maxd = fg_profile__node(p, i)->depth;
	lines = calloc(nr, sizeof(*lines));
	path = calloc(maxd + 1, sizeof(*path));
	if (!lines || !path)
		goto out;
	for (i = 1; i < nr; i++) {
		const struct fg_node *n = fg_profile__node(p, i);
		size_t d, k;

		if (!n->self[0] && !n->self[1])
			continue;
		d = fg_profile__path(p, i, path, maxd);
		lines[nl].off = keys.len;
		for (k = 0; k < d; k++) {
			const struct fg_strtab *t = fg_profile__names(p);

			if ((k && fg_buf__addch(&keys, ';')) ||
			    fg_buf__add(&keys, fg_strtab__str(t, path[k]),
					fg_strtab__len(t, path[k])))
				goto out;
		}
		lines[nl].len = keys.len - lines[nl].off;
		lines[nl].node = i;
		nl++;
	}
	if (nl)
		qsort_r(lines, nl, sizeof(*lines), cmp_line, keys.buf);
	for (i = 0; i < nl; i++) {
		const struct fg_node *n = fg_profile__node(p, lines[i].node);

		if (fg_buf__add(out, keys.buf + lines[i].off, lines[i].len))
			goto out;
		if (diff)
			ret = fg_buf__addf(out, " %llu %llu\n",
					   (unsigned long long)n->self[0],
					   (unsigned long long)n->self[1]);
		else
			ret = fg_buf__addf(out, " %llu\n",
					   (unsigned long long)n->self[0]);
		if (ret)
			goto out;
	}
	ret = 0;
out:
	free(lines);
	free(path);
	fg_buf__release(&keys);
	return ret;
}

static const char *const exts[] = { ".folded", ".txt", ".collapsed", NULL };

const struct fg_output_ops fg_output_folded = {
	.name = "folded",
	.exts = exts,
	.write = write_folded,
};
