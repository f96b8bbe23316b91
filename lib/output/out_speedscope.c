// SPDX-License-Identifier: GPL-2.0
/*
 * speedscope writer (https://www.speedscope.app/file-format-schema.json):
 * one JSON file, frames shared by name, one "sampled" profile per column.
 * When the profile kept its samples (perf.data through flame.so), the
 * samples are written in time order with their weights, so speedscope's
 * "Time Order" view shows the run as it happened; otherwise (folded input)
 * one sample per distinct stack, weighted, in folded order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const exts[] = { ".speedscope.json", NULL };

/* Write one stack as "[f0,f1,...]" (frame ids root first). */
static int add_stack(struct fg_buf *b, const struct fg_profile *p, uint32_t node,
		     uint32_t *path, size_t maxd)
{
	size_t d = fg_profile__path(p, node, path, maxd), k;
	int err;

	if ((err = fg_buf__addch(b, '[')))
		return err;
	for (k = 0; k < d; k++)
		if ((k && (err = fg_buf__addch(b, ','))) ||
		    (err = fg_buf__addf(b, "%u", path[k])))
			return err;
	return fg_buf__addch(b, ']');
}

static int add_profile(struct fg_buf *b, const struct fg_profile *p,
		       const struct fg_opts *o, unsigned int col,
		       uint32_t *path, size_t maxd)
{
	const struct fg_sample *s;
	struct fg_buf w = FG_BUF_INIT;
	uint32_t nr = fg_profile__nr_nodes(p), i;
	size_t ns = 0, j, n = 0;
	uint64_t end = 0;
	unsigned int dec = fg_profile__decimals(p);	/* "1.5" counts */
	int err;

	s = fg_profile__samples(p, &ns);
	if ((err = fg_buf__adds(b, "{\"type\":\"sampled\",\"name\":")) ||
	    (err = fg_buf__add_json(b, col ? "after" : (o->title && *o->title ?
					o->title : "perf-flame"),
				    strlen(col ? "after" : (o->title && *o->title ?
						o->title : "perf-flame")))) ||
	    (err = fg_buf__adds(b, ",\"unit\":\"none\",\"samples\":[")))
		goto out;
	if (ns) {
		for (j = 0; j < ns; j++) {
			if (s[j].col != col)
				continue;
			if ((n && (err = fg_buf__addch(b, ','))) ||
			    (err = add_stack(b, p, s[j].node, path, maxd)) ||
			    (n && (err = fg_buf__addch(&w, ','))) ||
			    (err = fg_buf__add_fixed(&w, s[j].weight, dec)))
				goto out;
			end += s[j].weight;
			n++;
		}
	} else {
		for (i = 1; i < nr; i++) {
			const struct fg_node *nd = fg_profile__node(p, i);

			if (!nd->self[col])
				continue;
			if ((n && (err = fg_buf__addch(b, ','))) ||
			    (err = add_stack(b, p, i, path, maxd)) ||
			    (n && (err = fg_buf__addch(&w, ','))) ||
			    (err = fg_buf__add_fixed(&w, nd->self[col], dec)))
				goto out;
			end += nd->self[col];
			n++;
		}
	}
	if ((err = fg_buf__adds(b, "],\"weights\":[")) ||
	    (w.len && (err = fg_buf__add(b, w.buf, w.len))) ||
	    (err = fg_buf__adds(b, "],\"startValue\":0,\"endValue\":")) ||
	    (err = fg_buf__add_fixed(b, end, dec)) ||
	    (err = fg_buf__addch(b, '}')))
		goto out;
out:
	fg_buf__release(&w);
	return err;
}

static int write_speedscope(struct fg_buf *b, const struct fg_profile *p,
			    const struct fg_opts *o)
{
	const struct fg_strtab *t = fg_profile__names(p);
	uint32_t nr = fg_profile__nr_nodes(p), nn = fg_strtab__count(t), i;
	bool diff = fg_profile__total(p, 1) > 0;
	uint32_t *path = NULL;
	size_t maxd = 0;
	int err = -ENOMEM;

	for (i = 1; i < nr; i++)
		if (fg_profile__node(p, i)->depth > maxd)
			maxd = fg_profile__node(p, i)->depth;
	path = calloc(maxd + 1, sizeof(*path));
	if (!path)
		goto out;
	if ((err = fg_buf__adds(b, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
				"\"exporter\":\"perf-flame\",\"name\":")) ||
	    (err = fg_buf__add_json(b, o->title && *o->title ? o->title : "perf-flame",
				    strlen(o->title && *o->title ? o->title : "perf-flame"))) ||
	    (err = fg_buf__adds(b, ",\"activeProfileIndex\":0,\"shared\":{\"frames\":[")))
		goto out;
	/* frame i = name id i: the profile's own string table */
	for (i = 0; i < nn; i++)
		if ((i && (err = fg_buf__addch(b, ','))) ||
		    (err = fg_buf__adds(b, "{\"name\":")) ||
		    (err = fg_buf__add_json(b, fg_strtab__str(t, i),
					    fg_strtab__len(t, i))) ||
		    (err = fg_buf__addch(b, '}')))
			goto out;
	if ((err = fg_buf__adds(b, "]},\"profiles\":[")) ||
	    (err = add_profile(b, p, o, 0, path, maxd)) ||
	    (diff && ((err = fg_buf__addch(b, ',')) ||
		      (err = add_profile(b, p, o, 1, path, maxd)))) ||
	    (err = fg_buf__adds(b, "]}\n")))
		goto out;
out:
	free(path);
	return err;
}

const struct fg_output_ops fg_output_speedscope = {
	.name = "speedscope",
	.exts = exts,
	.uses_samples = true,
	.write = write_speedscope,
};
