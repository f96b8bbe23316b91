// SPDX-License-Identifier: GPL-2.0
/*
 * Flame graph SVG writer: one standalone file (no network), interactive
 * through lib/js/flamegraph.js embedded as CDATA. The frame DOM follows the
 * contract written at the top of that file.
 *
 * Layout (svg_layout.c) decides which frames and where; this file turns
 * them into markup. Names are escaped for their context by fg_buf__add_xml;
 * the only script data is the static JS asset, written so that nothing can
 * close its CDATA section.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "svg.h"

/* Names in tooltips are cut here; labels are cut to fit their frame. */
#define SVG_TITLE_MAX	4096

static const char *const exts[] = { ".svg", NULL };

struct svg_ctx {
	struct fg_buf *b;
	const struct fg_profile *p;
	const struct fg_opts *o;
	struct svg_layout l;
	struct svg_palette *pal;
	struct svg_nameattr *na;
	uint32_t *colors;	/* by name id; bit 31 = computed */
	uint32_t nr_names;
	uint64_t maxdelta;
	double fh, fs, fw;	/* frame height, font size, font width */
	double title_fs;	/* >0: font-size of the next add_text */
	double ypad1, ypad2, height;
	double factor;
	uint64_t unit;		/* weights count 1/unit (fractional input) */
	const char *countname;
};

/* ---- fast number formatting (one frame = a handful of numbers) ---- */

/* v's digits ending at end (no NUL); returns where they start */
static inline char *u64_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
	} while (v /= 10);
	return end;
}

static int add_u64(struct fg_buf *b, uint64_t v)
{
	char tmp[24], *p = u64_digits(tmp + sizeof(tmp), v);

	return fg_buf__add(b, p, tmp + sizeof(tmp) - p);
}

/* One decimal: coordinates ("12", "12.5", "-3.1"), formatted in place. */
static int add_fix1(struct fg_buf *b, double v)
{
	long long t = llround(v * 10);
	uint64_t u = t < 0 ? 0ull - (uint64_t)t : (uint64_t)t;
	char tmp[32], *end = tmp + sizeof(tmp), *p = end;

	if (u % 10) {
		*--p = (char)('0' + u % 10);
		*--p = '.';
	}
	p = u64_digits(p, u / 10);
	if (t < 0)
		*--p = '-';
	return fg_buf__add(b, p, end - p);
}

/* digits (an optional '-', then 0-9) with thousands separated, as
 * flamegraph.pl's commify; one append */
static int add_commas(struct fg_buf *b, const char *digits)
{
	char tmp[600], *d = tmp;
	size_t n, i;

	if (*digits == '-') {
		*d++ = '-';
		digits++;
	}
	n = strlen(digits);
	if (n > 400)
		return fg_buf__adds(b, digits);	/* not a count a graph shows */
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			*d++ = ',';
		*d++ = digits[i];
	}
	return fg_buf__add(b, tmp, d - tmp);
}

/* A weight in real units (the profile may count in 10^-N units). */
static double real_w(const struct svg_ctx *c, double w)
{
	return w / (double)c->unit;
}

/*
 * A weight as shown to people, as flamegraph.pl prints it: times --factor,
 * rounded to whole units ("%.0f": ties to even), thousands separated. The
 * rounded figure is kept in *shown, the base of the percentage.
 */
static int add_count(struct svg_ctx *c, uint64_t w, double *shown)
{
	char tmp[400];
	double v;

	if (c->unit == 1 && c->factor == 1) {	/* the common case, no printf */
		*shown = (double)w;
		tmp[24] = '\0';
		return add_commas(c->b, u64_digits(tmp + 24, w));
	}
	v = nearbyint(real_w(c, (double)w) * c->factor);
	*shown = v;
	snprintf(tmp, sizeof(tmp), "%.0f", v);
	return add_commas(c->b, tmp);
}

/* 100 * num / den as "%.2f" (flamegraph.pl's percentages); "0.00" when
 * den is 0. */
static int add_pct(struct fg_buf *b, double num, double den)
{
	int err = fg_buf__add_fix2(b, den > 0 ? 100.0 * num / den : 0.0);

	return err ? err : fg_buf__addch(b, '%');
}

static int add_cdata(struct fg_buf *b, const char *s, size_t len)
{
	const char *end = s + len, *q;
	int err;

	if ((err = fg_buf__adds(b, "<![CDATA[\n")))
		return err;
	/* split any "]]>" over two sections */
	while ((q = memmem(s, end - s, "]]>", 3))) {
		if ((err = fg_buf__add(b, s, q + 2 - s)) ||
		    (err = fg_buf__adds(b, "]]><![CDATA[")))
			return err;
		s = q + 2;
	}
	if ((err = fg_buf__add(b, s, end - s)))
		return err;
	return fg_buf__adds(b, "\n]]>");
}

static int add_attr(struct fg_buf *b, const char *name, const char *val)
{
	int err;

	if ((err = fg_buf__addch(b, ' ')) || (err = fg_buf__adds(b, name)) ||
	    (err = fg_buf__adds(b, "=\"")) ||
	    (err = fg_buf__add_xml(b, val, strlen(val), 0)))
		return err;
	return fg_buf__addch(b, '"');
}

/* ---- frames ---- */

static const char *frame_name(const struct svg_ctx *c, uint32_t name,
			      size_t *len)
{
	const struct fg_strtab *t = fg_profile__names(c->p);

	if (name == SVG_ALL) {
		*len = 3;
		return "all";
	}
	*len = fg_strtab__len(t, name);
	return fg_strtab__str(t, name);
}

/* A frame's own change (after - before, not counting its children's), the
 * delta flamegraph.pl colours and prints. */
static int64_t self_delta(const struct svg_layout *l, const struct svg_frame *f)
{
	int64_t d = (int64_t)(f->w[1] - f->w[0]);
	uint32_t i;

	for (i = 0; i < f->nr_kids; i++) {
		const struct svg_frame *k = &l->f[l->kids[f->first_child + i]];

		d -= (int64_t)(k->w[1] - k->w[0]);
	}
	return d;
}

/* The length of name without a trailing _[k], _[j], _[i] or _[w]: the
 * annotations choose colours and are not shown (as flamegraph.pl). */
static size_t shown_len(const char *name, size_t len)
{
	if (len > 4 && name[len - 4] == '_' && name[len - 3] == '[' &&
	    name[len - 1] == ']' && strchr("kjiw", name[len - 2]))
		return len - 4;
	return len;
}

static uint32_t frame_color(struct svg_ctx *c, const struct svg_frame *f)
{
	const char *s;
	size_t len;
	uint32_t col;

	if (c->l.diff)
		return svg_diff_color(self_delta(&c->l, f), c->maxdelta,
				      c->o->negate);
	if (f->name != SVG_ALL && f->name < c->nr_names &&
	    (c->colors[f->name] >> 31))
		return c->colors[f->name] & 0xffffff;
	s = frame_name(c, f->name, &len);
	if (f->name == SVG_ALL)	/* flamegraph.pl colours it as an empty name */
		len = 0;
	col = svg_palette__color(c->pal, s, len);
	if (f->name != SVG_ALL && f->name < c->nr_names)
		c->colors[f->name] = col | 1u << 31;
	return col;
}

/*
 * "(1,234 samples, 5.67%)" or, differential, "(..., 5.67%; +1.25%)": the
 * frame's own delta as a share of the total, with --negate's sign (and,
 * as flamegraph.pl computes it, divided by --factor once more). The
 * bottom frame is "all (TOTAL samples, 100%)", TOTAL being --total when
 * given. The text is flamegraph.pl's: counts times --factor rounded to
 * whole units, the percentage taken of that rounded count.
 */
static int add_info(struct svg_ctx *c, const struct svg_frame *f)
{
	struct fg_buf *b = c->b;
	unsigned int wc = c->l.wcol;
	double shown, den = real_w(c, (double)c->l.total) * c->factor;
	int64_t d;
	int err;

	if (f->name == SVG_ALL) {
		if ((err = fg_buf__adds(b, " (")) ||
		    (err = add_count(c, c->l.total, &shown)) ||
		    (err = fg_buf__addch(b, ' ')) ||
		    (err = fg_buf__add_xml(b, c->countname, strlen(c->countname), 0)))
			return err;
		return fg_buf__adds(b, ", 100%)");
	}
	if ((err = fg_buf__adds(b, " (")) || (err = add_count(c, f->w[wc], &shown)) ||
	    (err = fg_buf__addch(b, ' ')) ||
	    (err = fg_buf__add_xml(b, c->countname, strlen(c->countname), 0)) ||
	    (err = fg_buf__adds(b, ", ")) ||
	    (err = add_pct(b, shown, den)))
		return err;
	if (c->l.diff) {
		d = self_delta(&c->l, f);
		if (c->o->negate)
			d = -d;
		if ((err = fg_buf__adds(b, d > 0 ? "; +" : "; ")) ||
		    (err = add_pct(b, real_w(c, (double)d), den)))
			return err;
	}
	return fg_buf__addch(b, ')');
}

/* The vis-th frame drawn (c->l.order[vis]). */
static int add_frame(struct svg_ctx *c, uint32_t vis)
{
	const struct svg_frame *f = &c->l.f[c->l.order[vis]];
	uint32_t depth = c->l.depth[vis];
	const struct fg_strlist *attrs = NULL;
	const char *name, *title = NULL, *cls = NULL, *tag = "g";
	struct fg_buf *b = c->b;
	double x, w, y, fit;
	uint32_t col;
	size_t len, i;
	int err;

	name = frame_name(c, f->name, &len);
	if (c->na && f->name != SVG_ALL)
		attrs = svg_nameattr__find(c->na, name, len);
	if (attrs) {
		for (i = 0; i < attrs->n; i++) {
			if (!strncmp(attrs->v[i], "href=", 5) ||
			    !strncmp(attrs->v[i], "xlink:href=", 11))
				tag = "a";
			else if (!strncmp(attrs->v[i], "title=", 6))
				title = attrs->v[i] + 6;
			else if (!strncmp(attrs->v[i], "class=", 6))
				cls = attrs->v[i] + 6;
		}
	}
	x = SVG_XPAD + svg_layout__px(&c->l, f->x);
	/* all spans the width, --total included (as flamegraph.pl draws it) */
	w = svg_layout__px(&c->l, f->name == SVG_ALL ? c->l.total : f->w[c->l.wcol]);
	/* both edges at 0.1 px, the width their difference (flamegraph.pl) */
	w = round(10 * (x + w)) / 10 - round(10 * x) / 10;
	if (c->o->inverted)
		y = c->ypad1 + depth * c->fh;
	else	/* the 1 px gap above the frame, as flamegraph.pl's framepad */
		y = c->height - c->ypad2 - (depth + 1) * c->fh + 1;
	col = frame_color(c, f);

	if ((err = fg_buf__addch(b, '<')) || (err = fg_buf__adds(b, tag)) ||
	    (err = fg_buf__adds(b, " class=\"fg-f")))
		return err;
	if (cls && ((err = fg_buf__addch(b, ' ')) ||
		    (err = fg_buf__add_xml(b, cls, strlen(cls), 0))))
		return err;
	if ((err = fg_buf__adds(b, "\" data-x=\"")) || (err = add_u64(b, f->x)) ||
	    (err = fg_buf__adds(b, "\" data-w=\"")) ||
	    (err = add_u64(b, f->name == SVG_ALL ? c->l.total : f->w[c->l.wcol])) ||
	    (err = fg_buf__adds(b, "\" data-d=\"")) || (err = add_u64(b, depth)) ||
	    (err = fg_buf__addch(b, '"')))
		return err;
	if (title && ((err = fg_buf__adds(b, " data-n=\"")) ||
		      (err = fg_buf__add_xml(b, name, len, SVG_TITLE_MAX)) ||
		      (err = fg_buf__addch(b, '"'))))
		return err;
	for (i = 0; attrs && i < attrs->n; i++) {
		const char *kv = attrs->v[i], *eq = strchr(kv, '=');

		if (!strncmp(kv, "title=", 6) || !strncmp(kv, "class=", 6))
			continue;
		if ((err = fg_buf__addch(b, ' ')))
			return err;
		if (!strncmp(kv, "href=", 5) && (err = fg_buf__adds(b, "xlink:")))
			return err;
		if ((err = fg_buf__add(b, kv, eq - kv)) ||
		    (err = fg_buf__adds(b, "=\"")) ||
		    (err = fg_buf__add_xml(b, eq + 1, strlen(eq + 1), 0)) ||
		    (err = fg_buf__addch(b, '"')))
			return err;
	}
	if ((err = fg_buf__adds(b, "><title>")))
		return err;
	if (title)
		err = fg_buf__add_xml(b, title, strlen(title), SVG_TITLE_MAX);
	else if (!(err = fg_buf__add_xml(b, name, shown_len(name, len),
					 SVG_TITLE_MAX)))
		err = add_info(c, f);
	if (err)
		return err;
	if ((err = fg_buf__adds(b, "</title><rect x=\"")) || (err = add_fix1(b, x)) ||
	    (err = fg_buf__adds(b, "\" y=\"")) || (err = add_fix1(b, y)) ||
	    (err = fg_buf__adds(b, "\" width=\"")) || (err = add_fix1(b, w)) ||
	    (err = fg_buf__adds(b, "\" height=\"")) || (err = add_fix1(b, c->fh - 1)) ||
	    (err = fg_buf__adds(b, "\" fill=\"rgb(")) ||
	    (err = add_u64(b, col >> 16)) || (err = fg_buf__addch(b, ',')) ||
	    (err = add_u64(b, (col >> 8) & 255)) || (err = fg_buf__addch(b, ',')) ||
	    (err = add_u64(b, col & 255)) ||
	    (err = fg_buf__adds(b, ")\" rx=\"2\" ry=\"2\"")) ||
	    (c->o->stroke_color && *c->o->stroke_color &&
	     (err = add_attr(b, "stroke", c->o->stroke_color))) ||
	    (err = fg_buf__adds(b, "/><text x=\"")) ||
	    (err = add_fix1(b, x + 3)) || (err = fg_buf__adds(b, "\" y=\"")) ||
	    (err = add_fix1(b, y + c->fh / 2 + c->fs * 0.35)) ||
	    (err = fg_buf__adds(b, "\">")))
		return err;
	/* what fits, cut with "..", nothing below 3 characters: flamegraph.pl
	 * writes int(width / (fontsize * fontwidth)) (its JS and ours take 3 px
	 * off when they redo labels on zoom) */
	fit = floor(w / (c->fs * c->fw));
	if (fit >= 3 && f->name != SVG_ALL &&	/* flamegraph.pl: unlabelled */
	    (err = fg_buf__add_xml(b, name, shown_len(name, len),
					      fit > SVG_TITLE_MAX ? SVG_TITLE_MAX : (size_t)fit)))
		return err;
	if ((err = fg_buf__adds(b, "</text></")) || (err = fg_buf__adds(b, tag)) ||
	    (err = fg_buf__adds(b, ">\n")))
		return err;
	return 0;
}

/* ---- the document ---- */

static int add_text(struct svg_ctx *c, const char *cls, double x, double y,
		    const char *anchor, const char *text)
{
	struct fg_buf *b = c->b;
	int err;

	if ((err = fg_buf__adds(b, "<text class=\"")) || (err = fg_buf__adds(b, cls)) ||
	    (err = fg_buf__adds(b, "\" x=\"")) || (err = add_fix1(b, x)) ||
	    (err = fg_buf__adds(b, "\" y=\"")) || (err = add_fix1(b, y)) ||
	    (err = fg_buf__addch(b, '"')))
		return err;
	if (anchor && (err = add_attr(b, "text-anchor", anchor)))
		return err;
	if (c->title_fs > 0 &&
	    ((err = fg_buf__adds(b, " font-size=\"")) ||
	     (err = add_fix1(b, c->title_fs)) || (err = fg_buf__addch(b, '"'))))
		return err;
	if ((err = fg_buf__addch(b, '>')) ||
	    (err = fg_buf__add_xml(b, text, strlen(text), 0)))
		return err;
	return fg_buf__adds(b, "</text>\n");
}

static const char *default_title(const struct fg_opts *o)
{
	if (o->flamechart)
		return "Flame Chart";
	if (o->inverted)
		return "Icicle Graph";
	return "Flame Graph";
}

static int add_head(struct svg_ctx *c)
{
	const struct fg_opts *o = c->o;
	struct fg_buf *b = c->b;
	const char *top, *bottom;
	double width = o->width > 0 ? o->width : 1200;
	int err;

	if ((err = fg_buf__adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg version=\"1.1\" width=\"")) ||
	    (err = add_fix1(b, width)) || (err = fg_buf__adds(b, "\" height=\"")) ||
	    (err = add_fix1(b, c->height)) || (err = fg_buf__adds(b, "\" viewBox=\"0 0 ")) ||
	    (err = add_fix1(b, width)) || (err = fg_buf__addch(b, ' ')) ||
	    (err = add_fix1(b, c->height)) ||
	    (err = fg_buf__adds(b, "\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"")) ||
	    (err = add_attr(b, "font-family", o->fonttype && *o->fonttype ?
			    o->fonttype : "Verdana")) ||
	    (err = fg_buf__adds(b, " font-size=\"")) || (err = add_fix1(b, c->fs)) ||
	    (err = fg_buf__adds(b, "\">\n<!-- Flame graph by perf-flame: click a frame to zoom, Ctrl-F to search. -->\n")))
		return err;
	if (o->notes && *o->notes &&
	    ((err = fg_buf__adds(b, "<desc class=\"fg-notes\">")) ||
	     (err = fg_buf__add_xml(b, o->notes, strlen(o->notes), 0)) ||
	     (err = fg_buf__adds(b, "</desc>\n"))))
		return err;
	svg_background(o, &top, &bottom);
	if ((err = fg_buf__adds(b, "<defs><linearGradient id=\"fg-background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\"><stop offset=\"5%\"")) ||
	    (err = add_attr(b, "stop-color", top)) ||
	    (err = fg_buf__adds(b, "/><stop offset=\"95%\"")) ||
	    (err = add_attr(b, "stop-color", bottom)) ||
	    (err = fg_buf__adds(b, "/></linearGradient></defs>\n<style type=\"text/css\">")) ||
	    (err = add_cdata(b, fg_svg_css, fg_svg_css_end - fg_svg_css)) ||
	    (err = fg_buf__adds(b, "</style>\n<rect class=\"fg-background\" x=\"0\" y=\"0\" width=\"")) ||
	    (err = add_fix1(b, width)) || (err = fg_buf__adds(b, "\" height=\"")) ||
	    (err = add_fix1(b, c->height)) ||
	    (err = fg_buf__adds(b, "\" fill=\"url(#fg-background)\"/>\n")))
		return err;
	/* the title is 5 units larger than the text, as flamegraph.pl's */
	c->title_fs = c->fs + 5;
	if ((err = add_text(c, "fg-title", width / 2, c->fs * 2, "middle",
			    o->title ? o->title : default_title(o))))
		return err;
	c->title_fs = 0;
	if (o->subtitle && *o->subtitle &&
	    (err = add_text(c, "fg-subtitle", width / 2, c->fs * 4, "middle",
			    o->subtitle)))
		return err;
	if ((err = add_text(c, "fg-details", SVG_XPAD, c->height - c->ypad2 / 2,
			    NULL, " ")) ||
	    (err = add_text(c, "fg-unzoom fg-button fg-hide", SVG_XPAD,
			    c->fs * 2, NULL, "Reset Zoom")) ||
	    (err = add_text(c, "fg-search fg-button", width - SVG_XPAD - 100,
			    c->fs * 2, NULL, "Search")) ||
	    (err = add_text(c, "fg-ignorecase fg-button", width - SVG_XPAD - 16,
			    c->fs * 2, NULL, "ic")) ||
	    (err = add_text(c, "fg-matched", width - SVG_XPAD - 100,
			    c->height - c->ypad2 / 2, NULL, " ")))
		return err;
	if (!c->l.total &&
	    (err = add_text(c, "fg-empty", width / 2, c->ypad1 + c->fs * 2,
			    "middle", "No samples")))
		return err;
	return 0;
}

static int add_frames(struct svg_ctx *c)
{
	const struct fg_opts *o = c->o;
	struct fg_buf *b = c->b;
	uint32_t i;
	int err;

	if ((err = fg_buf__adds(b, "<g class=\"fg-frames\" data-total=\"")) ||
	    (err = add_u64(b, c->l.total)) ||
	    (err = fg_buf__addf(b, "\" data-xpad=\"%d\" data-width=\"", SVG_XPAD)) ||
	    (err = add_fix1(b, c->l.width_px)) ||
	    (err = fg_buf__adds(b, "\" data-fontsize=\"")) || (err = add_fix1(b, c->fs)) ||
	    (err = fg_buf__addf(b, "\" data-fontwidth=\"%g\"", c->fw)) ||
	    (err = add_attr(b, "data-nametype", o->nametype ? o->nametype : "Function:")) ||
	    (err = add_attr(b, "data-searchcolor", o->search_color && *o->search_color ?
			    o->search_color : "rgb(230,0,230)")) ||
	    (err = fg_buf__adds(b, ">\n")))
		return err;
	for (i = 0; i < c->l.nr_vis; i++)
		if ((err = add_frame(c, i)))
			return err;
	return fg_buf__adds(b, "</g>\n");
}

static int add_script(struct svg_ctx *c)
{
	static const char boot[] =
		"\n(function () {\n"
		"\tvar s = document.currentScript;\n"
		"\tflamegraph_init(s && s.ownerSVGElement || document.documentElement);\n"
		"})();\n";
	struct fg_buf js = FG_BUF_INIT;
	int err;

	if ((err = fg_buf__add(&js, fg_svg_js, fg_svg_js_end - fg_svg_js)) ||
	    (err = fg_buf__adds(&js, boot)))
		goto out;
	if ((err = fg_buf__adds(c->b, "<script type=\"text/ecmascript\">")) ||
	    (err = add_cdata(c->b, js.buf, js.len)) ||
	    (err = fg_buf__adds(c->b, "</script>\n</svg>\n")))
		goto out;
out:
	fg_buf__release(&js);
	return err;
}

static int write_svg(struct fg_buf *buf, const struct fg_profile *p,
		     const struct fg_opts *o)
{
	struct svg_ctx c = { .b = buf, .p = p, .o = o };
	uint32_t i;
	int err;

	c.fh = o->height > 0 ? o->height : 16;
	if (o->encoding && *o->encoding && strcasecmp(o->encoding, "UTF-8") &&
	    strcasecmp(o->encoding, "UTF8")) {
		pr_warn("svg: --encoding %s: flame writes UTF-8 only\n", o->encoding);
		return -EINVAL;
	}
	c.fs = o->fontsize > 0 ? o->fontsize : 12;
	c.fw = o->fontwidth > 0 ? o->fontwidth : 0.59;
	c.factor = o->factor > 0 || o->factor < 0 ? o->factor : 1;
	c.unit = fg_profile__unit(p);
	c.countname = o->countname && *o->countname ? o->countname : "samples";

	if ((err = svg_layout__build(&c.l, p, o)))
		return err;
	c.pal = svg_palette__new(o);
	if (!c.pal) {
		err = -errno;
		goto out;
	}
	if (o->nameattr && *o->nameattr) {
		c.na = svg_nameattr__load(o->nameattr);
		if (!c.na) {
			err = -errno;
			pr_warn("svg: cannot read name attributes %s: %s\n",
				o->nameattr, strerror(errno));
			goto out;
		}
	}
	c.nr_names = fg_strtab__count(fg_profile__names(p));
	c.colors = calloc((size_t)c.nr_names + 1, sizeof(*c.colors));
	if (!c.colors) {
		err = -ENOMEM;
		goto out;
	}
	if (c.l.diff) {
		c.maxdelta = c.unit;	/* flamegraph.pl's floor: 1 */
		for (i = 1; i < c.l.nr_vis; i++) {
			const struct svg_frame *f = &c.l.f[c.l.order[i]];
			int64_t sd = self_delta(&c.l, f);
			uint64_t d = sd < 0 ? -(uint64_t)sd : (uint64_t)sd;

			if (d > c.maxdelta)
				c.maxdelta = d;
		}
	}
	c.ypad1 = c.fs * 3 + (o->subtitle && *o->subtitle ? c.fs * 2 : 0);
	c.ypad2 = c.fs * 2 + 10;
	c.height = c.ypad1 + c.ypad2 + (c.l.max_depth + 1) * c.fh;
	/*
	 * One pass sizing guess, about 250 bytes a frame, for a buffer that
	 * holds the whole document. Not for a streaming one (a file): it
	 * would grow to the whole document before its first flush (16 MB of
	 * fresh pages for deep.data's 64,730 frames, docs/performance.md).
	 */
	if (!buf->flush &&
	    (err = fg_buf__grow(buf, (size_t)c.l.nr_vis * 250 +
				(fg_svg_js_end - fg_svg_js) + 8192)))
		goto out;
	if ((err = add_head(&c)) || (err = add_frames(&c)) ||
	    (err = add_script(&c)))
		goto out;
	svg_palette__save(c.pal);	/* warns itself; the graph is fine */
out:
	free(c.colors);
	svg_nameattr__delete(c.na);
	svg_palette__delete(c.pal);
	svg_layout__release(&c.l);
	return err;
}

const struct fg_output_ops fg_output_svg = {
	.name = "svg",
	.exts = exts,
	.needs_samples = false,
	.write = write_svg,
};
