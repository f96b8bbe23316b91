// SPDX-License-Identifier: GPL-2.0
/*
 * Options: one table per option set drives both spellings, the plugin's
 * "key=value" and the CLI's "--key value", and the help texts.
 *
 * Adding an option: one line in a table (fg_output_opts below for graph and
 * output options; flame_cfg_opts in plugin/cfg.c for the plugin's input,
 * naming and selection; a command's own table for its stage), with the
 * FG_GRP_* group of the stage it belongs to (include/flame/flame.h). A
 * command parses and lists only its groups (fg_opt__find_in,
 * fg_opt__help_groups; the CLI's cli_output_opt_in), so an option shows up
 * exactly where it does something. A new stage: one FG_GRP_* bit, its
 * options tagged with it, and the commands that use it add the bit to their
 * mask (FG_GRP_CMD_* in flame.h). tests/integ/opts_docs.sh checks that the
 * docs' option tables and the help texts agree.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define O(f) offsetof(struct fg_opts, f)

const struct fg_opt_desc fg_output_opts[] = {
	{ "out", FG_OPT_STRLIST, O(out), NULL,
	  "output file; format from the extension (.svg, .folded/.txt, .html, .pb.gz); - = folded to stdout",
	  FG_GRP_OUTPUT, .arg = "FILE", .short_name = 'o' },
	{ "format", FG_OPT_STR, O(format), NULL,
	  "force the format of every output: folded, svg, heatmap, pprof",
	  FG_GRP_OUTPUT },
	{ "title", FG_OPT_STR, O(title), "Flame Graph", "graph title",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "subtitle", FG_OPT_STR, O(subtitle), NULL, "second title line",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "width", FG_OPT_INT, O(width), "1200", "image width in pixels",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "height", FG_OPT_INT, O(height), "16", "frame height in pixels",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "fontsize", FG_OPT_DOUBLE, O(fontsize), "12", "font size",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "fonttype", FG_OPT_STR, O(fonttype), "Verdana", "font family",
	  FG_GRP_GRAPH },
	{ "fontwidth", FG_OPT_DOUBLE, O(fontwidth), "0.59", "average character width, in font sizes",
	  FG_GRP_GRAPH },
	{ "minwidth", FG_OPT_PCT, O(minwidth), "0.1",
	  "omit frames narrower than this many pixels, or N% of the total (totals stay exact)",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "countname", FG_OPT_STR, O(countname), "samples", "what the weights count",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "nametype", FG_OPT_STR, O(nametype), "Function:", "label before names in the details line",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "colors", FG_OPT_STR, O(colors), "hot",
	  "palette: hot mem io wakeup java js perl red green blue aqua yellow purple orange",
	  FG_GRP_GRAPH },
	{ "bgcolors", FG_OPT_STR, O(bgcolors), NULL, "background: yellow blue green grey or #rrggbb",
	  FG_GRP_GRAPH },
	{ "hash", FG_OPT_BOOL, O(hash), "on", "colour by name hash (stable across graphs)",
	  FG_GRP_GRAPH },
	{ "random", FG_OPT_BOOL, O(random), "off", "random colours",
	  FG_GRP_GRAPH },
	{ "reverse", FG_OPT_BOOL, O(reverse), "off", "reverse each stack (leaf becomes root)",
	  FG_GRP_GRAPH },
	{ "inverted", FG_OPT_BOOL, O(inverted), "off", "icicle graph: root at the top",
	  FG_GRP_GRAPH | FG_GRP_HEATMAP },
	{ "flamechart", FG_OPT_BOOL, O(flamechart), "off", "flame chart: x is time order, not sorted",
	  FG_GRP_GRAPH },
	{ "negate", FG_OPT_BOOL, O(negate), "off", "differential: colour the other way round",
	  FG_GRP_GRAPH },
	{ "factor", FG_OPT_DOUBLE, O(factor), "1", "multiply weights by this in labels",
	  FG_GRP_GRAPH },
	{ "total", FG_OPT_DOUBLE, O(total), NULL, "weight spanning the full width (percentages use it)",
	  FG_GRP_GRAPH },
	{ "notes", FG_OPT_STR, O(notes), NULL, "notes embedded in the SVG",
	  FG_GRP_GRAPH },
	{ "nameattr", FG_OPT_STR, O(nameattr), NULL, "file of per-name attributes (name<TAB>key=value...)",
	  FG_GRP_GRAPH },
	{ "cp", FG_OPT_OPTSTR, O(cp), NULL, "consistent palette: --cp uses palette.map, --cp=FILE another file (read, then updated)",
	  FG_GRP_GRAPH },
	{ "search-color", FG_OPT_STR, O(search_color), "rgb(230,0,230)", "colour of search matches",
	  FG_GRP_GRAPH },
	{ "stroke-color", FG_OPT_STR, O(stroke_color), NULL, "outline colour of every frame (default: none)",
	  FG_GRP_GRAPH },
	{ "encoding", FG_OPT_STR, O(encoding), "UTF-8", "encoding named in the XML declaration (flame writes UTF-8 only)",
	  FG_GRP_GRAPH },
	{ "skip-after", FG_OPT_STRLIST, O(skip_after), NULL, "cut each stack below its leaf-most frame of this name, which becomes the root (inferno-collapse-perf)",
	  FG_GRP_GRAPH },
	{ "base", FG_OPT_STRLIST, O(base), NULL, "keep only stacks through a frame of this name, cut below the leaf-most one (inferno-flamegraph)",
	  FG_GRP_GRAPH },
	{ "rows", FG_OPT_INT, O(rows), "0", "heatmap: subsecond rows per second (0: follow the sample rate, a busy cell holds >= 5 samples, at most 50)",
	  FG_GRP_HEATMAP, .min = 0, .max = 1000 },
	{ "idle", FG_OPT_BOOL, O(idle), "off", "heatmap: keep idle (swapper, cpu idle) samples",
	  FG_GRP_HEATMAP },
	{ "normalize", FG_OPT_BOOL, O(normalize), "off", "diff: scale BEFORE to AFTER's total first",
	  FG_GRP_DIFF },
	{ "strip-hex", FG_OPT_BOOL, O(strip_hex), "off", "diff: replace hex numbers (0x1234) in names by 0x...",
	  FG_GRP_DIFF },
	{ NULL },
};

void fg_opts__init(struct fg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->width = 1200;
	o->height = 16;
	o->fontsize = 12;
	o->fontwidth = 0.59;
	o->minwidth = 0.1;
	o->hash = true;
	o->factor = 1;
	o->rows = 0;	/* follow the sample rate */
}

static void strlist_free(struct fg_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void fg_opt__release(const struct fg_opt_desc *table, void *base)
{
	const struct fg_opt_desc *d;

	for (d = table; d->name; d++) {
		char *field = (char *)base + d->offset;

		if (d->set)
			continue;	/* stored its own way: its owner frees */
		if (d->type == FG_OPT_STR || d->type == FG_OPT_OPTSTR) {
			free(*(char **)field);
			*(char **)field = NULL;
		} else if (d->type == FG_OPT_STRLIST) {
			strlist_free((struct fg_strlist *)field);
		}
	}
}

void fg_opts__release(struct fg_opts *o)
{
	fg_opt__release(fg_output_opts, o);
	memset(o, 0, sizeof(*o));
}

const struct fg_opt_desc *fg_opt__find(const struct fg_opt_desc *table,
				       const char *key)
{
	const struct fg_opt_desc *d;

	for (d = table; d->name; d++) {
		const char *a = d->name, *b = key;

		/* '-' and '_' are the same: --search_color = --search-color */
		while (*a && *b && (*a == *b || ((*a == '-' || *a == '_') &&
						 (*b == '-' || *b == '_')))) {
			a++;
			b++;
		}
		if (!*a && !*b)
			return d;
	}
	return NULL;
}

bool fg_opt__bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "on", "yes", "true", "y" };
	static const char *const no[] = { "0", "off", "no", "false", "n" };
	size_t i;

	if (!v) {
		*out = true;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(v, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

int fg_opt__set(const struct fg_opt_desc *table, void *base, const char *key,
		const char *value, const char **err)
{
	const struct fg_opt_desc *d = fg_opt__find(table, key);
	char *field, *end;
	const char *dummy;
	int ret;

	if (!err)
		err = &dummy;
	if (!d) {
		*err = "unknown option";
		return -ENOENT;
	}
	field = (char *)base + d->offset;
	if (!value && d->type == FG_OPT_OPTSTR)
		value = "";
	if (!value && d->type != FG_OPT_BOOL) {
		*err = "needs a value";
		return -EINVAL;
	}
	if (d->set) {	/* value is NULL only for a flag given bare */
		*err = NULL;
		ret = d->set(base, value, err);
		if (ret && !*err)
			*err = strerror(-ret);
		return ret;
	}
	switch (d->type) {
	case FG_OPT_OPTSTR:
	case FG_OPT_STR: {
		char *s = strdup(value);

		if (!s)
			return -ENOMEM;
		free(*(char **)field);
		*(char **)field = s;
		break;
	}
	case FG_OPT_STRLIST: {
		struct fg_strlist *l = (struct fg_strlist *)field;
		char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		v[l->n] = strdup(value);
		if (!v[l->n])
			return -ENOMEM;
		l->n++;
		break;
	}
	case FG_OPT_INT: {
		static char range[64];
		long long n, lo = 0, hi = INT_MAX;

		if (d->max > d->min) {
			lo = d->min;
			hi = d->max;
		}
		errno = 0;
		n = strtoll(value, &end, 0);
		if (errno || end == value || *end || n < lo || n > hi) {
			snprintf(range, sizeof(range),
				 "expects a whole number from %lld to %lld", lo, hi);
			*err = range;
			return -EINVAL;
		}
		*(int *)field = (int)n;
		break;
	}
	case FG_OPT_U64: {
		unsigned long long n;

		errno = 0;
		n = strtoull(value, &end, 0);
		if (errno || end == value || *end || strchr(value, '-')) {
			*err = "expects a whole number";
			return -EINVAL;
		}
		*(uint64_t *)field = n;
		break;
	}
	case FG_OPT_PCT: {
		double x, *pair = (double *)field;
		bool pct;

		errno = 0;
		x = strtod(value, &end);
		pct = *end == '%';
		if (errno || end == value || end[pct] || !isfinite(x) || x < 0 ||
		    (pct && x > 100)) {
			*err = "expects pixels (0.5) or a percentage (0.1%)";
			return -EINVAL;
		}
		pair[0] = pct ? 0 : x;
		pair[1] = pct ? x : 0;
		break;
	}
	case FG_OPT_DOUBLE: {
		double x;

		errno = 0;
		x = strtod(value, &end);
		if (errno || end == value || *end || !isfinite(x) || x < 0) {
			*err = "expects a non-negative number";
			return -EINVAL;
		}
		*(double *)field = x;
		break;
	}
	case FG_OPT_BOOL:
		if (!fg_opt__bool(value, (bool *)field)) {
			*err = "expects on/off, yes/no, 1/0";
			return -EINVAL;
		}
		break;
	}
	return 0;
}

void fg_opt__help(const struct fg_opt_desc *table, const char *prefix,
		  FILE *fp)
{
	fg_opt__help_groups(table, FG_GRP_ALL, prefix, fp);
}

static bool in_groups(const struct fg_opt_desc *d, unsigned int groups)
{
	return !d->groups || (d->groups & groups);
}

const struct fg_opt_desc *fg_opt__find_in(const struct fg_opt_desc *table,
					  unsigned int groups, const char *key)
{
	const struct fg_opt_desc *d = fg_opt__find(table, key);

	return d && in_groups(d, groups) ? d : NULL;
}

void fg_opt__help_groups(const struct fg_opt_desc *table, unsigned int groups,
			 const char *prefix, FILE *fp)
{
	const struct fg_opt_desc *d;

	for (d = table; d->name; d++) {
		if (!in_groups(d, groups))
			continue;
		char left[64];
		const char *val = d->arg ? d->arg :
				  d->type == FG_OPT_BOOL ? "" :
				  d->type == FG_OPT_OPTSTR ? "[FILE]" :
				  d->type == FG_OPT_INT ? "N" :
				  d->type == FG_OPT_U64 ? "N" :
				  d->type == FG_OPT_PCT ? "X[%]" :
				  d->type == FG_OPT_DOUBLE ? "X" : "TEXT";

		if (*prefix && d->type == FG_OPT_OPTSTR)
			snprintf(left, sizeof(left), "%s%s[=%s]", prefix, d->name,
				 d->arg ? d->arg : "FILE");
		else if (*prefix && d->short_name)
			snprintf(left, sizeof(left), "-%c, %s%s%s%s", d->short_name,
				 prefix, d->name, *val ? " " : "", val);
		else if (*prefix)
			snprintf(left, sizeof(left), "%s%s%s%s", prefix, d->name,
				 *val ? " " : "", val);
		else
			snprintf(left, sizeof(left), "%s=%s", d->name,
				 d->type == FG_OPT_BOOL ? "0|1" : val);
		fprintf(fp, "  %-22s %s", left, d->help);
		if (d->defval)
			fprintf(fp, " [default: %s]", d->defval);
		if (d->type == FG_OPT_STRLIST)
			fprintf(fp, " (repeatable)");
		fputc('\n', fp);
	}
}

const struct fg_opt_desc *fg_optset__find(const struct fg_optset *sets,
					  size_t n, const char *key, char short_name,
					  const struct fg_optset **set)
{
	const struct fg_opt_desc *d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (short_name) {
			for (d = sets[i].table; d->name; d++)
				if (d->short_name == short_name &&
				    in_groups(d, sets[i].groups))
					break;
			if (!d->name)
				d = NULL;
		} else {
			d = fg_opt__find_in(sets[i].table, sets[i].groups, key);
		}
		if (d) {
			if (set)
				*set = &sets[i];
			return d;
		}
	}
	return NULL;
}

void fg_optset__help(const struct fg_optset *sets, size_t n,
		     const char *prefix, FILE *fp)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (sets[i].heading)
			fprintf(fp, "%s\n", sets[i].heading);
		fg_opt__help_groups(sets[i].table, sets[i].groups, prefix, fp);
	}
}
