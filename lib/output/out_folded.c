// SPDX-License-Identifier: GPL-2.0
/*
 * Folded writer: one "root;...;leaf WEIGHT" line per stack, sorted bytewise
 * by stack (the order stackcollapse tools print). With weight in column 1
 * (a differential profile) it writes "stack A B".
 *
 * The lines come from one depth-first walk of the tree with one path
 * buffer: siblings sorted once, no line built twice, no sort of whole lines
 * (docs/performance.md). Byte order of whole lines equals this walk's
 * order when no name holds ';' (see sibling_cmp); a profile whose names do
 * (an inline chain named as one frame) takes the older path: build every
 * line, sort them all.
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

static int write_folded_sorted(struct fg_buf *out, const struct fg_profile *p,
			const struct fg_opts *o)
{
	uint32_t nr = fg_profile__nr_nodes(p), i, nl = 0;
	bool diff = fg_profile__total(p, 1) > 0;
	unsigned int dec = fg_profile__decimals(p);
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
		/* fractional counts are written back as read ("1.5") */
		if (fg_buf__addch(out, ' ') ||
		    fg_buf__add_fixed(out, n->self[0], dec) ||
		    (diff && (fg_buf__addch(out, ' ') ||
			      fg_buf__add_fixed(out, n->self[1], dec))) ||
		    fg_buf__addch(out, '\n'))
			goto out;
	}
	ret = 0;
out:
	free(lines);
	free(path);
	fg_buf__release(&keys);
	return ret;
}

/* " A\n" or " A B\n" after a stack, without printf */
static char *put_counts(char *d, const struct fg_node *n, bool diff)
{
	char tmp[24];
	unsigned int c;

	for (c = 0; c < (diff ? 2u : 1u); c++) {
		uint64_t v = n->self[c];
		int k = 0;

		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		*d++ = ' ';
		while (k)
			*d++ = tmp[--k];
	}
	*d++ = '\n';
	return d;
}

/*
 * Siblings are walked in the byte order of the lines they start. A child X
 * contributes two entries: its own line, keyed "X" (only when it has
 * weight), and its subtree, keyed "X;" (only when it has children). With
 * no ';' inside names this orders every line of the parent's subtree as a
 * whole-line sort would: X's own line sorts before a sibling "X!..." that
 * sorts before X's children "X;...", and so on. Entry: id << 1 | subtree.
 */
static int sibling_cmp(const void *a, const void *b, void *ctx)
{
	const struct fg_profile *p = ctx;
	const struct fg_strtab *t = fg_profile__names(p);
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	uint32_t nx = fg_profile__node(p, (uint32_t)(x >> 1))->name;
	uint32_t ny = fg_profile__node(p, (uint32_t)(y >> 1))->name;
	size_t lx = fg_strtab__len(t, nx), ly = fg_strtab__len(t, ny);
	const unsigned char *sx = (const unsigned char *)fg_strtab__str(t, nx);
	const unsigned char *sy = (const unsigned char *)fg_strtab__str(t, ny);
	int c = memcmp(sx, sy, lx < ly ? lx : ly), cx, cy;

	if (c)
		return c;
	/* the next byte of each key: ';' for a subtree, -1 at the end */
	cx = lx > ly ? sx[ly] : (x & 1) ? ';' : -1;
	cy = ly > lx ? sy[lx] : (y & 1) ? ';' : -1;
	if (lx == ly && nx == ny)
		return (int)(x & 1) - (int)(y & 1);
	return cx < cy ? -1 : cx > cy;
}

static bool names_have_semicolon(const struct fg_profile *p)
{
	const struct fg_strtab *t = fg_profile__names(p);
	uint32_t i, n = fg_strtab__count(t);

	for (i = 0; i < n; i++)
		if (memchr(fg_strtab__str(t, i), ';', fg_strtab__len(t, i)))
			return true;
	return false;
}

struct walk_frame {
	uint32_t pos, end;	/* entries left of this node */
	size_t path_len;	/* path length before this node's name */
};

static int write_folded(struct fg_buf *out, const struct fg_profile *p,
			const struct fg_opts *o)
{
	uint32_t nr = fg_profile__nr_nodes(p), i, maxd = 0, sp = 0;
	const struct fg_strtab *t = fg_profile__names(p);
	bool diff = fg_profile__total(p, 1) > 0;
	struct fg_buf path = FG_BUF_INIT;
	uint32_t *first = NULL, *fill = NULL;
	struct walk_frame *st = NULL;
	uint64_t *ent = NULL;
	int ret = -ENOMEM;

	/* ';' in names, or fractional counts ("1.5"): the general path */
	if (names_have_semicolon(p) || fg_profile__decimals(p))
		return write_folded_sorted(out, p, o);
	/* entries of each parent, CSR: first[parent] .. first[parent + 1] */
	first = calloc((size_t)nr + 1, sizeof(*first));
	fill = calloc((size_t)nr + 1, sizeof(*fill));
	ent = malloc(((size_t)nr * 2 + 1) * sizeof(*ent));
	if (!first || !fill || !ent)
		goto out;
	for (i = 1; i < nr; i++) {
		const struct fg_node *n = fg_profile__node(p, i);

		if (n->depth > maxd)
			maxd = n->depth;
		/* one entry for the line (if weighted), one for the subtree */
		fill[n->parent] += (n->self[0] || n->self[1]) + 1;
	}
	for (i = 0; i < nr; i++) {
		first[i + 1] = first[i] + fill[i];
		fill[i] = first[i];
	}
	for (i = 1; i < nr; i++) {
		const struct fg_node *n = fg_profile__node(p, i);

		if (n->self[0] || n->self[1])
			ent[fill[n->parent]++] = (uint64_t)i << 1;
		ent[fill[n->parent]++] = (uint64_t)i << 1 | 1;
	}
	for (i = 0; i < nr; i++)
		if (first[i + 1] - first[i] > 2 ||
		    (first[i + 1] - first[i] == 2 && (ent[first[i]] >> 1) != (ent[first[i] + 1] >> 1)))
			qsort_r(ent + first[i], first[i + 1] - first[i],
				sizeof(*ent), sibling_cmp, (void *)p);
	st = malloc(((size_t)maxd + 2) * sizeof(*st));
	if (!st)
		goto out;
	st[sp++] = (struct walk_frame){ first[0], first[1], 0 };
	while (sp) {
		struct walk_frame *w = &st[sp - 1];
		uint32_t id, name;
		size_t len;

		if (w->pos == w->end) {
			path.len = w->path_len;
			sp--;
			continue;
		}
		id = (uint32_t)(ent[w->pos] >> 1);
		name = fg_profile__node(p, id)->name;
		len = fg_strtab__len(t, name);
		if (ent[w->pos++] & 1) {
			/* the subtree: id's children, under path;name */
			if (first[id + 1] == first[id])
				continue;
			st[sp++] = (struct walk_frame){ first[id], first[id + 1], path.len };
			if ((path.len && fg_buf__addch(&path, ';')) ||
			    fg_buf__add(&path, fg_strtab__str(t, name), len))
				goto out;
			continue;
		}
		/* the line: path;name counts */
		if (fg_buf__grow(out, path.len + len + 2 + 2 * 21))
			goto out;
		{
			char *d = out->buf + out->len;

			if (path.len) {
				memcpy(d, path.buf, path.len);
				d += path.len;
				*d++ = ';';
			}
			memcpy(d, fg_strtab__str(t, name), len);
			d = put_counts(d + len, fg_profile__node(p, id), diff);
			*d = '\0';
			out->len = d - out->buf;
		}
	}
	ret = 0;
out:
	free(first);
	free(fill);
	free(ent);
	free(st);
	fg_buf__release(&path);
	return ret;
}

static const char *const exts[] = { ".folded", ".txt", ".collapsed", NULL };

const struct fg_output_ops fg_output_folded = {
	.name = "folded",
	.exts = exts,
	.write = write_folded,
};
