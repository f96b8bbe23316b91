// SPDX-License-Identifier: GPL-2.0
/*
 * Heatmap writer: one self-contained HTML page (FlameScope's view) with the
 * subsecond heatmap and range-selected flame graphs drawn by
 * lib/js/heatmap.js on top of lib/js/flamegraph.js.
 *
 * The profile travels as one JSON document in a non-executed
 * <script type="application/json"> block; names and nodes are stored once
 * and cells refer to stacks by index (see docs/heatmap.md, "Page data"):
 *
 *   names   ["main", "phase_alpha", ...]
 *   nodes   [parent, name, parent, name, ...]   node 1.. (0 = root "all")
 *   stacks  [node, ...]                         most sampled first
 *   idle    [stack, ...]                        stacks through idle frames
 *   cells   [gap, n, stack, count[, weight], ...] per non-empty cell, in
 *           time order; gap = empty cells skipped since the previous one
 *   cpu     [{label, cgroup, quota, thr: [..], use: [..]}, ...] one strip
 *           per container with the snapshot's CPU series (flame.so), one
 *           value per column (second): throttled periods / periods in per
 *           mille (-1: no period ended), usage in milli-CPUs
 *
 * Strings go through fg_buf__add_json (no '<', '>', '&', U+2028/2029 left
 * raw), so nothing in the data can end the script block.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"
#include "internal.h"
#include <flame/cgcpu.h>

/* At most this many containers get a CPU strip (the page stays bounded). */
#define HM_MAX_STRIPS	16

static const char *const exts[] = { ".html", ".htm", NULL };

#define CSP "default-src 'none'; script-src 'unsafe-inline'; " \
	    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
	    "form-action 'none'"

/* Unsigned decimal, fast: the page holds millions of numbers. */
static int add_u64(struct fg_buf *b, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	return fg_buf__add(b, tmp + i, sizeof(tmp) - i);
}

/* "key":value pairs and separators, kept terse. */
static int add_key(struct fg_buf *b, const char *key)
{
	int err = fg_buf__addch(b, ',');

	if (!err)
		err = fg_buf__add_json(b, key, strlen(key));
	if (!err)
		err = fg_buf__addch(b, ':');
	return err;
}

static int add_str_opt(struct fg_buf *b, const char *key, const char *v)
{
	int err = add_key(b, key);

	if (err)
		return err;
	if (!v)
		return fg_buf__adds(b, "null");
	return fg_buf__add_json(b, v, strlen(v));
}

static int add_u64_key(struct fg_buf *b, const char *key, uint64_t v)
{
	int err = add_key(b, key);

	return err ? err : add_u64(b, v);
}

/*
 * Nodes the stacks go through, renumbered densely in id order (parents
 * stay before children), and the names they use, numbered by first use.
 */
struct hm_remap {
	uint32_t *node;		/* profile node -> page node, or FG_NO_NODE */
	uint32_t *node_back;	/* page node -> profile node */
	uint32_t nr_nodes;
	uint32_t *name;		/* profile name -> page name, or UINT32_MAX */
	uint32_t *name_back;
	uint32_t nr_names;
	uint8_t *idle;		/* per profile node */
};

static void remap_release(struct hm_remap *r)
{
	free(r->node);
	free(r->node_back);
	free(r->name);
	free(r->name_back);
	free(r->idle);
}

static int remap_build(struct hm_remap *r, const struct fg_profile *p,
		       const struct fg_heatmap *h)
{
	uint32_t n = fg_profile__nr_nodes(p), i;
	uint32_t nn = fg_strtab__count(fg_profile__names(p));

	memset(r, 0, sizeof(*r));
	r->node = malloc((n + 1) * sizeof(*r->node));
	r->node_back = malloc((n + 1) * sizeof(*r->node_back));
	r->name = malloc((nn + 1) * sizeof(*r->name));
	r->name_back = malloc((nn + 1) * sizeof(*r->name_back));
	r->idle = calloc(n + 1, 1);
	if (!r->node || !r->node_back || !r->name || !r->name_back || !r->idle)
		return -ENOMEM;
	memset(r->node, 0xff, (n + 1) * sizeof(*r->node));
	memset(r->name, 0xff, (nn + 1) * sizeof(*r->name));

	/* Mark every stack's path; parents have smaller ids. */
	for (i = 0; i < h->nr_stacks; i++) {
		uint32_t id = h->stack_node[i];

		while (id != FG_ROOT && r->node[id] == FG_NO_NODE) {
			r->node[id] = 0;
			id = fg_profile__node(p, id)->parent;
		}
	}
	r->node[FG_ROOT] = 0;
	r->node_back[0] = FG_ROOT;
	r->nr_nodes = 1;
	for (i = 1; i < n; i++) {
		const struct fg_node *nd;
		const char *s;

		if (r->node[i] == FG_NO_NODE)
			continue;
		nd = fg_profile__node(p, i);
		r->node[i] = r->nr_nodes;
		r->node_back[r->nr_nodes++] = i;
		if (nd->name < nn && r->name[nd->name] == UINT32_MAX) {
			r->name[nd->name] = r->nr_names;
			r->name_back[r->nr_names++] = nd->name;
		}
		s = fg_profile__name(p, nd->name);
		r->idle[i] = r->idle[nd->parent] ||
			fg_heatmap__idle_frame(s, fg_strtab__len(
				fg_profile__names(p), nd->name), nd->depth == 1);
	}
	return 0;
}

static int add_asset(struct fg_buf *b, const char *data, unsigned long len)
{
	return fg_buf__add(b, data, len);
}

/*
 * The CPU strips: per container of the series (the one of container= when
 * given, else those that used CPU over the samples' span), throttled share
 * and usage per heatmap column, on the samples' clock (CLOCK_MONOTONIC).
 */
static int write_cpu(struct fg_buf *b, const struct fg_opts *o,
		     const struct fg_heatmap *h)
{
	const struct fg_cpuseries *cs = o->cpu;
	size_t cols = h->grid.cols, i, j, n = 0;
	double *share, *usage;
	int err = add_key(b, "cpu") ?: fg_buf__addch(b, '[');

	if (err || !cs || !cols)
		return err ?: fg_buf__addch(b, ']');
	share = malloc(cols * sizeof(*share));
	usage = malloc(cols * sizeof(*usage));
	if (!share || !usage) {
		free(share);
		free(usage);
		return -ENOMEM;
	}
	for (i = 0; !err && i < cs->nr_g && n < HM_MAX_STRIPS; i++) {
		const struct fg_cpugroup *g = &cs->g[i];
		struct fg_cpusum sum;

		if (o->cpu_only && !fg_cpugroup__matches(g, o->cpu_only))
			continue;
		fg_cpuseries__sum(cs, i, h->grid.origin,
				  h->grid.origin + cols * 1000000000ull, &sum);
		if (!o->cpu_only && sum.used_cpus < 0.001 && !sum.throttled)
			continue;
		fg_cpuseries__buckets(cs, i, h->grid.origin, 1000000000ull,
				      cols, share, usage);
		err = fg_buf__adds(b, n++ ? ",{" : "{");
		err = err ?: fg_buf__add_json(b, "label", 5);
		err = err ?: fg_buf__addch(b, ':');
		err = err ?: fg_buf__add_json(b, g->label, strlen(g->label));
		err = err ?: add_str_opt(b, "cgroup", g->cgroup);
		err = err ?: add_key(b, "quota");
		if (sum.quota_cpus > 0)
			err = err ?: fg_buf__addf(b, "%.3f", sum.quota_cpus);
		else
			err = err ?: fg_buf__adds(b, "null");
		err = err ?: add_key(b, "thr") ?: fg_buf__addch(b, '[');
		for (j = 0; !err && j < cols; j++) {
			err = fg_buf__adds(b, j ? "," : "");
			if (share[j] < 0)
				err = err ?: fg_buf__adds(b, "-1");
			else
				err = err ?: add_u64(b, (uint64_t)(share[j] * 1000 + 0.5));
		}
		err = err ?: fg_buf__addch(b, ']');
		err = err ?: add_key(b, "use") ?: fg_buf__addch(b, '[');
		for (j = 0; !err && j < cols; j++) {
			err = fg_buf__adds(b, j ? "," : "");
			err = err ?: add_u64(b, usage[j] > 0 ?
					     (uint64_t)(usage[j] * 1000 + 0.5) : 0);
		}
		err = err ?: fg_buf__adds(b, "]}");
	}
	free(share);
	free(usage);
	return err ?: fg_buf__addch(b, ']');
}

static int write_data(struct fg_buf *b, const struct fg_profile *p,
		      const struct fg_opts *o, const struct fg_heatmap *h,
		      const struct hm_remap *r)
{
	const struct fg_strtab *names = fg_profile__names(p);
	char origin[24];
	uint64_t prev = 0;
	size_t i, k;
	int err;

	snprintf(origin, sizeof(origin), "%llu",
		 (unsigned long long)h->grid.origin);
	err = fg_buf__adds(b, "{\"v\":1");
	err = err ?: add_str_opt(b, "title", o->title);
	err = err ?: add_str_opt(b, "subtitle", o->subtitle);
	err = err ?: add_str_opt(b, "countname",
				 o->countname ? o->countname : "samples");
	err = err ?: add_str_opt(b, "origin", origin);
	err = err ?: add_u64_key(b, "span", h->grid.span);
	err = err ?: add_u64_key(b, "rows", h->grid.rows);
	err = err ?: add_u64_key(b, "cols", h->grid.cols);
	err = err ?: add_u64_key(b, "samples", h->nr_samples);
	err = err ?: add_u64_key(b, "ncells", h->nr_cells);
	err = err ?: add_u64_key(b, "nentries", h->nr_entries);
	err = err ?: add_u64_key(b, "width", o->width > 0 ? o->width : 1200);
	err = err ?: add_u64_key(b, "frameheight", o->height > 0 ? o->height : 16);
	err = err ?: add_key(b, "fontsize");
	err = err ?: fg_buf__addf(b, "%.2f", o->fontsize > 0 ? o->fontsize : 12);
	err = err ?: add_key(b, "minwidth");
	err = err ?: fg_buf__addf(b, "%.3f", o->minwidth >= 0 ? o->minwidth : 0.1);
	err = err ?: add_key(b, "minwidthpct");
	err = err ?: fg_buf__addf(b, "%.4f", o->minwidth_pct > 0 ? o->minwidth_pct : 0);
	err = err ?: add_str_opt(b, "nametype", o->nametype ? o->nametype : "Function:");
	err = err ?: add_key(b, "inverted");
	err = err ?: fg_buf__adds(b, o->inverted ? "true" : "false");
	err = err ?: add_key(b, "idle");
	err = err ?: fg_buf__adds(b, o->idle ? "true" : "false");
	err = err ?: add_key(b, "weighted");
	err = err ?: fg_buf__adds(b, h->unit_weights ? "false" : "true");
	if (err)
		return err;

	err = add_key(b, "names") ?: fg_buf__addch(b, '[');
	for (i = 0; !err && i < r->nr_names; i++) {
		uint32_t id = r->name_back[i];

		if (i)
			err = fg_buf__addch(b, ',');
		err = err ?: fg_buf__add_json(b, fg_strtab__str(names, id),
					      fg_strtab__len(names, id));
	}
	err = err ?: fg_buf__addch(b, ']');

	err = err ?: add_key(b, "nodes") ?: fg_buf__addch(b, '[');
	for (i = 1; !err && i < r->nr_nodes; i++) {
		const struct fg_node *nd = fg_profile__node(p, r->node_back[i]);

		if (i > 1)
			err = fg_buf__addch(b, ',');
		err = err ?: add_u64(b, r->node[nd->parent]);
		err = err ?: fg_buf__addch(b, ',');
		err = err ?: add_u64(b, r->name[nd->name]);
	}
	err = err ?: fg_buf__addch(b, ']');

	err = err ?: add_key(b, "stacks") ?: fg_buf__addch(b, '[');
	for (i = 0; !err && i < h->nr_stacks; i++) {
		if (i)
			err = fg_buf__addch(b, ',');
		err = err ?: add_u64(b, r->node[h->stack_node[i]]);
	}
	err = err ?: fg_buf__addch(b, ']');

	err = err ?: add_key(b, "idlestacks") ?: fg_buf__addch(b, '[');
	for (i = 0, k = 0; !err && i < h->nr_stacks; i++) {
		if (!r->idle[h->stack_node[i]])
			continue;
		if (k++)
			err = fg_buf__addch(b, ',');
		err = err ?: add_u64(b, i);
	}
	err = err ?: fg_buf__addch(b, ']');

	err = err ?: add_key(b, "cells") ?: fg_buf__addch(b, '[');
	for (i = 0; !err && i < h->nr_cells; i++) {
		uint64_t gap = h->cell[i] - (i ? prev + 1 : 0);

		err = fg_buf__grow(b, 32);
		if (i)
			err = err ?: fg_buf__addch(b, ',');
		err = err ?: add_u64(b, gap);
		err = err ?: fg_buf__addch(b, ',');
		err = err ?: add_u64(b, h->first[i + 1] - h->first[i]);
		for (k = h->first[i]; !err && k < h->first[i + 1]; k++) {
			const struct fg_heatmap_entry *e = &h->entries[k];

			err = fg_buf__addch(b, ',');
			err = err ?: add_u64(b, e->stack);
			err = err ?: fg_buf__addch(b, ',');
			err = err ?: add_u64(b, e->count);
			if (!h->unit_weights) {
				err = err ?: fg_buf__addch(b, ',');
				err = err ?: add_u64(b, e->weight);
			}
		}
		prev = h->cell[i];
	}
	err = err ?: fg_buf__addch(b, ']');
	err = err ?: write_cpu(b, o, h);
	err = err ?: fg_buf__addch(b, '}');
	return err;
}

static int write_heatmap(struct fg_buf *b, const struct fg_profile *p,
			 const struct fg_opts *o)
{
	const char *title = o->title ? o->title : "Heatmap";
	struct hm_remap r;
	struct fg_heatmap *h;
	int err;

	if (!fg_profile__keeps_samples(p)) {
		pr_warn("heatmap: the profile has no sample times (input without timestamps?)\n");
		return -EINVAL;
	}
	h = fg_heatmap__new(p, o->rows);
	if (!h) {
		err = -errno;
		if (err == -EINVAL)
			pr_warn("heatmap: rows=%d out of range (0..%d)\n",
				o->rows, (int)FG_HM_MAX_ROWS);
		else if (err == -E2BIG)
			pr_warn("heatmap: samples span more than %llu s (or too many cells for rows=%d): cut the input to a time range\n",
				FG_HM_MAX_COLS, o->rows);
		return err;
	}
	if (!h->nr_samples)
		pr_warn("heatmap: no samples with times: the page will be empty\n");
	err = remap_build(&r, p, h);
	if (err)
		goto out;

	err = fg_buf__adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			   "<meta charset=\"utf-8\">\n"
			   "<meta http-equiv=\"Content-Security-Policy\" content=\""
			   CSP "\">\n"
			   "<meta name=\"referrer\" content=\"no-referrer\">\n"
			   "<title>");
	err = err ?: fg_buf__add_xml(b, title, strlen(title), 0);
	err = err ?: fg_buf__adds(b, "</title>\n<style>\n");
	err = err ?: add_asset(b, fg_heatmap_flamegraph_css,
			       fg_heatmap_flamegraph_css_len);
	err = err ?: add_asset(b, fg_heatmap_css, fg_heatmap_css_len);
	err = err ?: fg_buf__adds(b, "</style>\n</head>\n<body>\n");
	err = err ?: add_asset(b, fg_heatmap_body, fg_heatmap_body_len);
	err = err ?: fg_buf__adds(b, "<script type=\"application/json\" id=\"fg-data\">");
	err = err ?: write_data(b, p, o, h, &r);
	err = err ?: fg_buf__adds(b, "</script>\n<script>\n");
	err = err ?: add_asset(b, fg_heatmap_flamegraph_js,
			       fg_heatmap_flamegraph_js_len);
	err = err ?: fg_buf__adds(b, "</script>\n<script>\n");
	err = err ?: add_asset(b, fg_heatmap_js, fg_heatmap_js_len);
	err = err ?: fg_buf__adds(b, "</script>\n</body>\n</html>\n");
	if (err == -ENOSYS)
		pr_warn("heatmap: JSON/XML escaping not available in this build\n");
out:
	remap_release(&r);
	fg_heatmap__delete(h);
	return err;
}

const struct fg_output_ops fg_output_heatmap = {
	.name = "heatmap",
	.exts = exts,
	.needs_samples = true,
	.write = write_heatmap,
};
