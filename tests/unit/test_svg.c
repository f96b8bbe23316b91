// SPDX-License-Identifier: GPL-2.0
/*
 * Flame graph SVG writer: layout arithmetic (widths, x from cumulative
 * weights, byte-order siblings, minwidth dropping with exact totals,
 * --total, reverse, inverted, flame chart order), differential colours,
 * palettes, --cp, --nameattr, options, and hostile names. Every SVG made
 * here must parse with xmllint --noout.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h"
#include "svg.h"

static char tmpdir[] = "/tmp/test_svg.XXXXXX";

/* "a;b;c" with weight into column col at time t. */
static void add(struct fg_profile *p, const char *stack, uint64_t w,
		unsigned int col, uint64_t t)
{
	uint32_t frames[64];
	size_t n = 0;
	const char *s = stack, *e;

	for (;;) {
		e = strchr(s, ';');
		if (!e)
			e = s + strlen(s);
		assert_true(n < 64);
		frames[n++] = fg_profile__intern(p, s, e - s);
		if (!*e)
			break;
		s = e + 1;
	}
	fg_profile__set_column(p, col);
	assert_int_equal(fg_profile__add(p, frames, n, w, t), 0);
	fg_profile__set_column(p, 0);
}

static struct svg_frame *find(struct svg_layout *l, const struct fg_profile *p,
			      const char *path)
{
	uint32_t cur = 0, i;
	const char *s = path, *e;

	while (*s) {
		struct svg_frame *f = &l->f[cur];
		uint32_t next = FG_NO_NODE;

		e = strchr(s, ';');
		if (!e)
			e = s + strlen(s);
		for (i = 0; i < f->nr_kids; i++) {
			uint32_t k = l->kids[f->first_child + i];
			const char *n = fg_profile__name(p, l->f[k].name);

			if (strlen(n) == (size_t)(e - s) && !memcmp(n, s, e - s)) {
				next = k;
				break;
			}
		}
		if (next == FG_NO_NODE)
			return NULL;
		cur = next;
		s = *e ? e + 1 : e;
	}
	return &l->f[cur];
}

static bool visible(const struct svg_layout *l, const struct svg_frame *f)
{
	uint32_t i;

	for (i = 0; i < l->nr_vis; i++)
		if (&l->f[l->order[i]] == f)
			return true;
	return false;
}

/* Render, check it parses with xmllint, return the text. */
static char *render(const struct fg_profile *p, const struct fg_opts *o)
{
	struct fg_buf b = FG_BUF_INIT;
	char path[128], cmd[256];
	FILE *fp;

	assert_int_equal(fg_output_svg.write(&b, p, o), 0);
	snprintf(path, sizeof(path), "%s/out.svg", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(b.buf, 1, b.len, fp), b.len);
	assert_int_equal(fclose(fp), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	assert_int_equal(system(cmd), 0);
	return b.buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* The frame element whose title starts with "name (": its start. */
static const char *frame_el(const char *svg, const char *name)
{
	char key[512];
	const char *t;

	snprintf(key, sizeof(key), "<title>%s (", name);
	t = strstr(svg, key);
	assert_non_null(t);
	while (t > svg && strncmp(t, "<g class", 8) && strncmp(t, "<a class", 8))
		t--;
	return t;
}

static double attr(const char *el, const char *name)
{
	char key[64];
	const char *a;

	snprintf(key, sizeof(key), " %s=\"", name);
	a = strstr(el, key);
	assert_non_null(a);
	return strtod(a + strlen(key), NULL);
}

static void fill_of(const char *el, unsigned int *r, unsigned int *g,
		    unsigned int *b)
{
	const char *f = strstr(el, "fill=\"rgb(");

	assert_non_null(f);
	assert_int_equal(sscanf(f, "fill=\"rgb(%u,%u,%u)", r, g, b), 3);
}

static void test_layout_widths(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct svg_layout l;
	struct svg_frame *f;
	struct fg_opts o;

	fg_opts__init(&o);
	add(p, "main;foo;bar", 30, 0, 0);
	add(p, "main;baz", 50, 0, 0);
	add(p, "main;foo", 20, 0, 0);
	add(p, "other", 1, 0, 0);
	add(p, "main;foo;bar", 5, 0, 0);
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_int_equal(l.total, 106);
	assert_int_equal(l.f[0].w[0], 106);
	assert_int_equal(l.width_px, 1180);
	f = find(&l, p, "main");
	assert_int_equal(f->w[0], 105);
	assert_int_equal(f->x, 0);
	f = find(&l, p, "other");
	assert_int_equal(f->x, 105);
	/* siblings by name: baz before foo */
	assert_int_equal(find(&l, p, "main;baz")->x, 0);
	assert_int_equal(find(&l, p, "main;foo")->x, 50);
	assert_int_equal(find(&l, p, "main;foo")->w[0], 55);
	/* foo's own 20 come first, then its children (flamegraph.pl) */
	assert_int_equal(find(&l, p, "main;foo;bar")->x, 70);
	assert_int_equal(find(&l, p, "main;foo;bar")->w[0], 35);
	assert_int_equal(l.max_depth, 3);
	assert_int_equal(l.nr_vis, 6);
	/* parents come before children in the drawing order */
	assert_int_equal(l.order[0], 0);
	svg_layout__release(&l);
	fg_profile__delete(p);
}

static void test_layout_byte_order(void **state)
{
	struct fg_profile *p = fg_profile__new();
	const char *names[] = { "\xc3\xa9t\xc3\xa9", "a", "_x", "B", "ab", "Ba" };
	const char *sorted[] = { "B", "Ba", "_x", "a", "ab", "\xc3\xa9t\xc3\xa9" };
	struct svg_layout l;
	struct fg_opts o;
	uint64_t x = 0;
	size_t i;

	fg_opts__init(&o);
	for (i = 0; i < 6; i++)
		add(p, names[i], 10 + i, 0, 0);
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	for (i = 0; i < 6; i++) {
		struct svg_frame *f = find(&l, p, sorted[i]);

		assert_non_null(f);
		assert_int_equal(f->x, x);
		x += f->w[0];
	}
	assert_int_equal(x, l.total);
	svg_layout__release(&l);
	fg_profile__delete(p);
}

static void test_layout_minwidth(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct svg_layout l;
	struct fg_opts o;

	fg_opts__init(&o);
	add(p, "main;hot", 100000, 0, 0);
	add(p, "main;tiny;deeper;deepest", 1, 0, 0);
	add(p, "main;small", 5000, 0, 0);
	/* 1 of 105001 samples on 1180 px is 0.011 px < 0.1 px */
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_false(visible(&l, find(&l, p, "main;tiny")));
	assert_false(visible(&l, find(&l, p, "main;tiny;deeper")));
	assert_true(visible(&l, find(&l, p, "main;small")));
	/* totals stay exact, depth shrinks to what is drawn */
	assert_int_equal(l.total, 105001);
	assert_int_equal(find(&l, p, "main")->w[0], 105001);
	assert_int_equal(l.max_depth, 2);
	/* later siblings keep their exact x */
	assert_int_equal(find(&l, p, "main;small")->x, 100000);
	svg_layout__release(&l);

	o.minwidth = 0;
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_true(visible(&l, find(&l, p, "main;tiny;deeper;deepest")));
	assert_int_equal(l.max_depth, 4);
	svg_layout__release(&l);

	/* 10% of the width: "small" (4.8%) goes too */
	o.minwidth_pct = 10;
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_false(visible(&l, find(&l, p, "main;small")));
	assert_true(visible(&l, find(&l, p, "main;hot")));
	svg_layout__release(&l);
	fg_profile__delete(p);
}

static void test_layout_total(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct svg_layout l;
	struct fg_opts o;
	char *svg;

	fg_opts__init(&o);
	add(p, "main;work", 500, 0, 0);
	o.total = 1000;
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_int_equal(l.total, 1000);
	assert_int_equal(svg_layout__px(&l, l.f[0].w[0]) * 2, l.width_px);
	svg_layout__release(&l);
	svg = render(p, &o);
	/* as flamegraph.pl: all spans --total, and says so */
	assert_non_null(strstr(svg, "<title>all (1,000 samples, 100%)"));
	assert_non_null(strstr(svg, "<title>main (500 samples, 50.00%)"));
	assert_non_null(strstr(svg, "data-total=\"1000\""));
	assert_int_equal(attr(frame_el(svg, "main"), "width"), 590);
	assert_int_equal(attr(strstr(frame_el(svg, "all"), "<rect"), "width"), 1180);
	free(svg);
	/* smaller than the profile: ignored */
	o.total = 10;
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_int_equal(l.total, 500);
	svg_layout__release(&l);
	fg_profile__delete(p);
}

static void test_layout_reverse(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct svg_layout l;
	struct fg_opts o;
	char *svg;

	fg_opts__init(&o);
	add(p, "a;b;c", 3, 0, 0);
	add(p, "x;b;c", 2, 0, 0);
	add(p, "a;b", 4, 0, 0);
	o.reverse = true;
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_int_equal(l.total, 9);
	assert_int_equal(find(&l, p, "c")->w[0], 5);
	assert_int_equal(find(&l, p, "c;b")->w[0], 5);
	assert_int_equal(find(&l, p, "c;b;a")->w[0], 3);
	assert_int_equal(find(&l, p, "c;b;x")->w[0], 2);
	assert_int_equal(find(&l, p, "c;b;x")->x, 7);	/* after b (4) and c;b;a */
	assert_int_equal(find(&l, p, "b;a")->w[0], 4);
	assert_int_equal(find(&l, p, "b")->x, 0);
	assert_int_equal(find(&l, p, "c")->x, 4);
	assert_null(find(&l, p, "a"));
	svg_layout__release(&l);
	svg = render(p, &o);
	free(svg);
	fg_profile__delete(p);
}

static void test_inverted(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_opts o;
	char *svg;
	double y_all, y_leaf;

	fg_opts__init(&o);
	add(p, "main;leaf", 10, 0, 0);
	svg = render(p, &o);
	/* flame: root at the bottom, 16 px a level */
	y_all = attr(strstr(frame_el(svg, "all"), "<rect"), "y");
	y_leaf = attr(strstr(frame_el(svg, "leaf"), "<rect"), "y");
	assert_true(y_leaf == y_all - 32);
	assert_non_null(strstr(svg, ">Flame Graph</text>"));
	free(svg);
	o.inverted = true;
	svg = render(p, &o);
	y_all = attr(strstr(frame_el(svg, "all"), "<rect"), "y");
	y_leaf = attr(strstr(frame_el(svg, "leaf"), "<rect"), "y");
	assert_true(y_all == 36);	/* ypad1 = 3 font sizes */
	assert_true(y_leaf == y_all + 32);
	assert_non_null(strstr(svg, ">Icicle Graph</text>"));
	free(svg);
	fg_profile__delete(p);
}

static void test_flamechart(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct svg_layout l;
	struct svg_frame *a;
	struct fg_opts o;
	uint32_t i;
	const char *want[] = { "z", "c", "z", "z" };
	uint64_t wantw[] = { 2, 1, 1, 1 };

	fg_opts__init(&o);
	o.flamechart = true;
	fg_profile__keep_samples(p, true);
	/* out of time order on purpose; z twice in a row merges */
	add(p, "a;z", 1, 0, 3000);
	add(p, "a;z", 1, 0, 1000);
	add(p, "a;z", 1, 0, 2000);
	add(p, "a;c", 1, 0, 2500);
	add(p, "a;z;y", 1, 0, 4000);
	add(p, "a;z", 1, 0, 5000);
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	/* times 1000 z, 2000 z, 2500 c, 3000 z, 4000 z;y, 5000 z */
	a = find(&l, p, "a");
	assert_int_equal(a->w[0], 6);
	assert_int_equal(a->nr_kids, 3);
	{
		const char *names[] = { "z", "c", "z" };
		uint64_t w[] = { 2, 1, 3 }, x = 0;

		for (i = 0; i < 3; i++) {
			struct svg_frame *k = &l.f[l.kids[a->first_child + i]];

			assert_string_equal(fg_profile__name(p, k->name), names[i]);
			assert_int_equal(k->w[0], w[i]);
			assert_int_equal(k->x, x);
			x += w[i];
		}
	}
	svg_layout__release(&l);
	free(render(p, &o));
	fg_profile__delete(p);

	/* no sample times (folded input): stacks in input order, unsorted */
	p = fg_profile__new();
	add(p, "a;z", 2, 0, 0);
	add(p, "a;c", 1, 0, 0);
	add(p, "a;z;q", 1, 0, 0);
	add(p, "a;d", 1, 0, 0);
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	a = find(&l, p, "a");
	(void)want;
	(void)wantw;
	assert_int_equal(a->nr_kids, 4);
	assert_string_equal(fg_profile__name(p, l.f[l.kids[a->first_child]].name), "z");
	assert_string_equal(fg_profile__name(p, l.f[l.kids[a->first_child + 1]].name), "c");
	svg_layout__release(&l);
	/* the same profile as a graph: sorted and merged */
	o.flamechart = false;
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	a = find(&l, p, "a");
	assert_int_equal(a->nr_kids, 3);
	assert_int_equal(find(&l, p, "a;c")->x, 0);
	assert_int_equal(find(&l, p, "a;z")->w[0], 3);
	svg_layout__release(&l);
	fg_profile__delete(p);
}

static void test_diff(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct svg_layout l;
	struct fg_opts o;
	unsigned int r, g, b;
	const char *el;
	char *svg;

	fg_opts__init(&o);
	add(p, "a;grow", 10, 0, 0);
	add(p, "a;shrink", 10, 0, 0);
	add(p, "a;same", 10, 0, 0);
	add(p, "a;grow", 30, 1, 0);
	add(p, "a;shrink", 5, 1, 0);
	add(p, "a;same", 10, 1, 0);
	assert_int_equal(svg_layout__build(&l, p, &o), 0);
	assert_true(l.diff);
	assert_int_equal(l.wcol, 1);
	assert_int_equal(l.total, 45);	/* widths from "after" */
	svg_layout__release(&l);

	svg = render(p, &o);
	el = frame_el(svg, "grow");
	assert_int_equal(attr(el, "data-w"), 30);
	/* flamegraph.pl's hover text: the frame's own delta, share of total */
	assert_non_null(strstr(el, "(30 samples, 66.67%; +44.44%)"));
	fill_of(el, &r, &g, &b);
	assert_true(r == 255 && g < 100 && g == b);	/* largest growth: deep red */
	el = frame_el(svg, "shrink");
	assert_non_null(strstr(el, "; -11.11%)"));
	fill_of(el, &r, &g, &b);
	assert_true(b == 255 && r == g && r > 100);	/* half as much: paler blue */
	fill_of(frame_el(svg, "same"), &r, &g, &b);
	assert_true(r == 255 && g == 255 && b == 255);	/* no change: white */
	/* a grew by 15 in all, through its children: its own delta is 0 */
	el = frame_el(svg, "a");
	assert_non_null(strstr(el, "(45 samples, 100.00%; 0.00%)"));
	fill_of(el, &r, &g, &b);
	assert_true(r == 255 && g == 255 && b == 255);
	free(svg);

	o.negate = true;
	svg = render(p, &o);
	fill_of(frame_el(svg, "grow"), &r, &g, &b);
	assert_true(b == 255 && r < 100);
	fill_of(frame_el(svg, "shrink"), &r, &g, &b);
	assert_true(r == 255 && g > 100);
	free(svg);
	fg_profile__delete(p);
}

static const char *const hostile[] = {
	"<script>alert(1)</script>",
	"]]>",
	"]]]]><![CDATA[>",
	"</script><script>alert(2)</script>",
	"a\x01" "b\x1f" "c\x7f",
	"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82",
	"x\"y'z&amp;<!-- -->",
	"\xef\xbf\xbe",
	"tab\there\nnewline",
};

static void test_hostile_names(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_opts o;
	size_t i, big = 100000;
	char *name = malloc(big + 1), *svg, stack[256];
	int mode;

	assert_non_null(name);
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		snprintf(stack, sizeof(stack), "main;%s", hostile[i]);
		add(p, stack, 10 + i, 0, i);
	}
	/* a 100k-character name, wide enough to be drawn */
	for (i = 0; i < big; i++)
		name[i] = "ab<&\xc3"[i % 5];	/* markup and a cut sequence */
	name[big] = '\0';
	{
		uint32_t f[2] = { fg_profile__intern(p, "main", 4),
				  fg_profile__intern(p, name, big) };

		assert_int_equal(fg_profile__add(p, f, 2, 500, 0), 0);
	}
	fg_opts__init(&o);
	o.title = "<b>]]></b>";
	o.subtitle = "\xff sub & title";
	o.countname = "<samples>";
	o.nametype = "\"Func\":";
	o.fonttype = "Verdana\" onload=\"alert(3)";
	o.notes = "notes </desc><script>alert(4)</script>";
	o.search_color = "red\"/><script>";
	for (mode = 0; mode < 5; mode++) {
		o.inverted = mode == 1;
		o.reverse = mode == 2;
		o.flamechart = mode == 3;
		if (mode == 4) {
			/* differential: the same names in column 1 */
			for (i = 0; i < ARRAY_SIZE(hostile); i++) {
				snprintf(stack, sizeof(stack), "main;%s", hostile[i]);
				add(p, stack, 20, 1, i);
			}
			fg_profile__set_column(p, 1);
			{
				uint32_t f[2] = { fg_profile__intern(p, "main", 4),
						  fg_profile__intern(p, name, big) };

				assert_int_equal(fg_profile__add(p, f, 2, 400, 0), 0);
			}
			fg_profile__set_column(p, 0);
		}
		svg = render(p, &o);
		/* only our two CDATA sections end, only our script */
		assert_int_equal(count(svg, "]]>"), 2);
		assert_int_equal(count(svg, "<script"), 1);
		assert_int_equal(count(svg, "onload"), 1);	/* escaped in an attribute */
		assert_null(strstr(svg, "onload=\"alert"));
		/* tooltips are cut to 4096 characters plus ".." */
		assert_non_null(strstr(svg, "ab&lt;&amp;\xef\xbf\xbd" "ab"));
		free(svg);
	}
	free(name);
	fg_profile__delete(p);
}

static void test_empty(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_opts o;
	char *svg;

	fg_opts__init(&o);
	svg = render(p, &o);
	assert_non_null(strstr(svg, "No samples"));
	free(svg);
	fg_profile__delete(p);
}

/* A streaming buffer (flame writes files through one) collects here. */
static int collect(struct fg_buf *b)
{
	struct fg_buf *all = b->flush_arg;

	if (fg_buf__add(all, b->buf, b->len))
		return -ENOMEM;
	b->len = 0;
	return 0;
}

/*
 * The document written through a streaming buffer is the one written to a
 * plain buffer, byte for byte, and the streaming buffer stays at its chunk
 * size: it is never grown to hold the whole document (the writer's sizing
 * guess is for plain buffers only).
 */
static void test_streaming(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_buf plain = FG_BUF_INIT, all = FG_BUF_INIT;
	struct fg_buf st = FG_BUF_INIT;
	struct fg_opts o;
	char stack[64];
	unsigned int i;

	(void)state;
	fg_opts__init(&o);
	o.minwidth = 0;		/* draw all 4,000 frames: ~1 MB */
	for (i = 0; i < 4000; i++) {
		snprintf(stack, sizeof(stack), "main;f%u;g%u", i % 40, i);
		add(p, stack, 1 + i % 7, 0, 0);
	}
	assert_int_equal(fg_output_svg.write(&plain, p, &o), 0);
	assert_true(plain.len > 512 * 1024);
	assert_int_equal(fg_buf__grow(&st, 64 * 1024), 0);
	st.flush = collect;
	st.flush_arg = &all;
	assert_int_equal(fg_output_svg.write(&st, p, &o), 0);
	assert_int_equal(collect(&st), 0);
	assert_true(st.alloc < 256 * 1024);
	assert_int_equal(all.len, plain.len);
	assert_memory_equal(all.buf, plain.buf, plain.len);
	fg_buf__release(&plain);
	fg_buf__release(&all);
	fg_buf__release(&st);
	fg_profile__delete(p);
}

static void test_labels_fit(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_opts o;
	const char *el;
	char *svg, *t;
	int i;

	fg_opts__init(&o);
	add(p, "a_rather_long_function_name_that_does_not_fit", 1, 0, 0);
	add(p, "short", 200, 0, 0);
	for (i = 0; i < 20; i++) {
		char s[32];

		snprintf(s, sizeof(s), "f%02d_abcdefghijklmnop", i);
		add(p, s, 7, 0, 0);
	}
	svg = render(p, &o);
	/* each label as flamegraph.pl writes it: chars <= width / (12 * 0.59) */
	*strstr(svg, "<script") = '\0';	/* frames only, not the JS comment */
	for (el = strstr(svg, "<g class=\"fg-f\""); el;
	     el = strstr(el + 1, "<g class=\"fg-f\"")) {
		const char *tx = strstr(el, "<text"), *gt = strchr(tx, '>');
		const char *end = strstr(gt, "</text>");
		double w = attr(strstr(el, "<rect"), "width");
		int chars = (int)(w / (12 * 0.59));
		int n = end - gt - 1;

		if (!(n == 0 || (n <= chars && chars >= 3)))
			print_error("label %d chars in %.1f px: %.200s\n", n, w, el);
		assert_true(n == 0 || (n <= chars && chars >= 3));
		if (n && n < (int)strcspn(strstr(el, "<title>") + 7, " "))
			assert_memory_equal(end - 2, "..", 2);
	}
	el = frame_el(svg, "f00_abcdefghijklmnop");
	/* 7 of 340 on 1180 px = 24.2 px: 3 chars of 7.08 px: "f..", as
	 * flamegraph.pl's int(24.2 / 7.08) */
	t = strstr(el, "\">f..</text>");
	assert_non_null(t);
	assert_true(t < strstr(el, "</g>"));
	free(svg);
	fg_profile__delete(p);
}

/* The colour family of a palette colour, from the hue formulas. */
static const char *family(uint32_t c)
{
	unsigned int r = c >> 16, g = (c >> 8) & 255, b = c & 255;

	if (b == 0 && r >= 190)
		return "orange";
	if (r == g && b >= 205)
		return "blue";
	if (r == g && r >= 175 && b <= 70)
		return "yellow";
	if (g == b && g >= 165 && r <= 110)
		return "aqua";
	if (r == b && g >= 200)
		return "green";
	if (g == b && r >= 200)
		return "red";
	return "?";
}

/* Palette rules, name by name: flamegraph.pl's java, js, perl, wakeup and
 * chain rules (in their order: "::" before "_[k]" for java), inferno's
 * python and rust. */
static void test_palette_rules(void **state)
{
	static const struct {
		const char *pal, *name, *want;
	} t[] = {
		{ "java", "Hot.work_[j]", "green" },
		{ "java", "Hot.work_[i]", "aqua" },
		{ "java", "java/util/HashMap.get", "green" },
		{ "java", "Lcom/example/Foo.bar", "green" },
		{ "java", "Foo:::bar", "green" },
		{ "java", "std::vector<int>::at", "yellow" },
		{ "java", "do_syscall_64_[k]", "orange" },
		{ "java", "Interpreter", "red" },
		{ "java", "org.apache.Foo", "red" },	/* no "/": not a package */
		{ "js", "LazyCompile:*fib /opt/hot.js:1_[j]", "green" },
		{ "js", "Builtin:ArrayMap_[j]", "aqua" },
		{ "js", "v8::internal::Heap::Scavenge", "yellow" },
		{ "js", "fib /opt/hot.js:1", "green" },
		{ "js", "Stub:CEntry", "aqua" },
		{ "js", " ", "green" },
		{ "js", "do_syscall_64_[k]", "orange" },
		{ "js", "node", "red" },
		{ "js", "hot.js", "red" },		/* no "/" before ".js" */
		{ "perl", "Foo::bar", "yellow" },
		{ "perl", "Perl_pp_entersub", "green" },
		{ "perl", "main::run.pl", "yellow" },
		{ "perl", "x.pl", "green" },
		{ "perl", "do_syscall_64_[k]", "orange" },
		{ "perl", "some:thing", "red" },
		{ "wakeup", "anything", "aqua" },
		{ "chain", "waker_[w]", "aqua" },
		{ "chain", "blocked", "blue" },
		{ "python", "get (/usr/lib/python3/dist-packages/x.py:3)", "yellow" },
		{ "python", "run (/venv/lib/site-packages/req/api.py:9)", "aqua" },
		{ "python", "<built-in method sleep>", "yellow" },
		{ "python", "main (/app/main.py:1)", "red" },
		{ "rust", "core::ptr::drop_in_place", "orange" },
		{ "rust", "<alloc::vec::Vec<T> as alloc::Clone>::clone", "orange" },
		{ "rust", "myapp::run", "yellow" },
		{ "rust", "main", "red" },
	};
	struct svg_palette *pal;
	struct fg_opts o;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		fg_opts__init(&o);
		o.colors = (char *)t[i].pal;
		pal = svg_palette__new(&o);
		assert_non_null(pal);
		if (strcmp(family(svg_palette__color(pal, t[i].name,
						       strlen(t[i].name))),
			   t[i].want))
			fail_msg("%s palette: \"%s\" should be %s, is %s", t[i].pal,
				 t[i].name, t[i].want,
				 family(svg_palette__color(pal, t[i].name,
							   strlen(t[i].name))));
		svg_palette__delete(pal);
	}
}

/* --hash: names with a common prefix get close colours. */
static void test_namehash(void **state)
{
	struct svg_palette *pal;
	struct fg_opts o;
	uint32_t a, b, c;

	fg_opts__init(&o);
	o.colors = "red";
	o.hash = true;
	pal = svg_palette__new(&o);
	a = svg_palette__color(pal, "parse_header", 12);
	b = svg_palette__color(pal, "parse_body", 10);
	c = svg_palette__color(pal, "zlib_inflate", 12);
	/* red: g = 50 + 80 * v1; v1 depends on the first three characters */
	assert_int_equal((a >> 8) & 255, (b >> 8) & 255);
	assert_int_not_equal((a >> 8) & 255, (c >> 8) & 255);
	svg_palette__delete(pal);
}

static void test_palettes(void **state)
{
	static const char *const pals[] = {
		"hot", "mem", "io", "wakeup", "chain", "java", "js", "perl",
		"python", "rust", "red", "green", "blue", "aqua", "yellow",
		"purple", "orange",
	};
	struct fg_profile *p = fg_profile__new(), *q = fg_profile__new();
	unsigned int r, g, b, r2, g2, b2;
	struct fg_opts o;
	char *svg, *svg2;
	size_t i;

	add(p, "java/lang/Thread.run;Interpreter;std::vector<int>::at;do_syscall_64_[k];-;x_[j]", 10, 0, 0);
	add(q, "other;more;frames;first;x_[j]", 3, 0, 0);
	add(q, "java/lang/Thread.run", 3, 0, 0);
	fg_opts__init(&o);
	for (i = 0; i < ARRAY_SIZE(pals); i++) {
		o.colors = (char *)pals[i];
		free(render(p, &o));
	}
	o.colors = "java";
	svg = render(p, &o);
	fill_of(frame_el(svg, "java/lang/Thread.run"), &r, &g, &b);
	assert_true(g > r && g > b);			/* green */
	fill_of(frame_el(svg, "std::vector&lt;int&gt;::at"), &r, &g, &b);
	assert_true(r == g && b < 100);			/* yellow */
	/* annotations choose the colour but are not shown */
	assert_null(strstr(svg, "_[k]"));
	assert_null(strstr(svg, "_[j]"));
	fill_of(frame_el(svg, "do_syscall_64"), &r, &g, &b);
	assert_true(r > g && b == 0);			/* orange */
	fill_of(frame_el(svg, "Interpreter"), &r, &g, &b);
	assert_true(r > 190 && g < 140 && g == b);	/* red */
	fill_of(frame_el(svg, "-"), &r, &g, &b);
	assert_true(r == 160 && g == 160 && b == 160);	/* separator */
	/* stable: the same name has the same colour in another graph */
	svg2 = render(q, &o);
	fill_of(frame_el(svg, "x"), &r, &g, &b);
	fill_of(frame_el(svg2, "x"), &r2, &g2, &b2);
	assert_true(r == r2 && g == g2 && b == b2);
	free(svg2);
	free(svg);
	o.colors = "hot";
	svg = render(p, &o);
	svg2 = render(q, &o);
	fill_of(frame_el(svg, "java/lang/Thread.run"), &r, &g, &b);
	fill_of(frame_el(svg2, "java/lang/Thread.run"), &r2, &g2, &b2);
	assert_true(r == r2 && g == g2 && b == b2);
	assert_true(r >= 205 && b <= 55);
	free(svg2);
	free(svg);
	/* backgrounds */
	o.bgcolors = "blue";
	svg = render(p, &o);
	assert_non_null(strstr(svg, "stop-color=\"#e0e0ff\""));
	free(svg);
	o.bgcolors = "#123456";
	svg = render(p, &o);
	assert_int_equal(count(svg, "stop-color=\"#123456\""), 2);
	free(svg);
	o.bgcolors = "x\" onload=\"alert(1)";	/* rejected, default used */
	svg = render(p, &o);
	assert_non_null(strstr(svg, "stop-color=\"#eeeeb0\""));
	free(svg);
	o.bgcolors = NULL;
	o.colors = "mem";
	svg = render(p, &o);
	assert_non_null(strstr(svg, "stop-color=\"#e0ffe0\""));
	free(svg);
	fg_profile__delete(p);
	fg_profile__delete(q);
}

static void test_options(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_opts o;
	char *svg;

	add(p, "main;work", 3, 0, 0);
	add(p, "main;idle", 1, 0, 0);
	fg_opts__init(&o);
	o.title = "CPU <all>";
	o.subtitle = "host A";
	o.countname = "ms";
	o.nametype = "Frame:";
	o.fonttype = "DejaVu Sans";
	o.fontsize = 10;
	o.width = 800;
	o.height = 20;
	o.factor = 2.5;
	o.notes = "run 42";
	o.search_color = "#00ff00";
	svg = render(p, &o);
	assert_non_null(strstr(svg, ">CPU &lt;all&gt;</text>"));
	assert_non_null(strstr(svg, ">host A</text>"));
	assert_non_null(strstr(svg, "font-family=\"DejaVu Sans\""));
	assert_non_null(strstr(svg, "font-size=\"10\""));
	assert_non_null(strstr(svg, "width=\"800\""));
	assert_non_null(strstr(svg, "data-nametype=\"Frame:\""));
	assert_non_null(strstr(svg, "data-searchcolor=\"#00ff00\""));
	assert_non_null(strstr(svg, "<desc class=\"fg-notes\">run 42</desc>"));
	/* factor scales what is shown, not the layout; shown as flamegraph.pl
	 * does: rounded ("%.0f", 7.5 -> 8, 2.5 -> 2), the percentage of that */
	assert_non_null(strstr(svg, "<title>work (8 ms, 80.00%)"));
	assert_non_null(strstr(svg, "<title>idle (2 ms, 20.00%)"));
	assert_non_null(strstr(svg, "<title>all (10 ms, 100%)"));
	assert_non_null(strstr(svg, "data-w=\"3\""));
	assert_int_equal(attr(strstr(frame_el(svg, "work"), "<rect"), "height"), 19);
	assert_int_equal(attr(strstr(frame_el(svg, "all"), "<rect"), "width"), 780);
	/* JS and CSS embedded, started on load */
	assert_non_null(strstr(svg, "function init(svg, opts)"));
	assert_non_null(strstr(svg, "flamegraph_init(s && s.ownerSVGElement"));
	assert_non_null(strstr(svg, ".fg-hide"));
	assert_null(memmem(fg_svg_js, fg_svg_js_end - fg_svg_js, "]]>", 3));
	assert_null(memmem(fg_svg_css, fg_svg_css_end - fg_svg_css, "]]>", 3));
	free(svg);
	fg_profile__delete(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s = calloc(1, 65536);

	assert_non_null(fp);
	assert_true(fread(s, 1, 65535, fp) > 0);
	fclose(fp);
	return s;
}

static void test_cp(void **state)
{
	struct fg_profile *p = fg_profile__new();
	char path[128], *svg, *map;
	unsigned int r, g, b;
	struct fg_opts o;

	snprintf(path, sizeof(path), "%s/palette.map", tmpdir);
	write_file(path, "main->rgb(1,2,3)\nweird->name->rgb(4,5,6)\ngarbage line\n");
	add(p, "main;weird->name;zeta", 3, 0, 0);
	add(p, "main;alpha", 3, 0, 0);
	fg_opts__init(&o);
	o.cp = path;
	svg = render(p, &o);
	fill_of(frame_el(svg, "main"), &r, &g, &b);
	assert_true(r == 1 && g == 2 && b == 3);
	fill_of(frame_el(svg, "weird-&gt;name"), &r, &g, &b);
	assert_true(r == 4 && g == 5 && b == 6);
	/* new names were added, sorted, with the colours used */
	map = read_file(path);
	fill_of(frame_el(svg, "zeta"), &r, &g, &b);
	{
		char want[128];

		snprintf(want, sizeof(want), "zeta->rgb(%u,%u,%u)\n", r, g, b);
		assert_non_null(strstr(map, want));
	}
	assert_true(strstr(map, "all->") < strstr(map, "alpha->"));
	assert_true(strstr(map, "alpha->") < strstr(map, "main->rgb(1,2,3)\n"));
	assert_true(strstr(map, "main->") < strstr(map, "weird->name->rgb(4,5,6)\n"));
	free(map);
	free(svg);
	/* a second graph with --random still reuses the palette */
	o.random = true;
	svg = render(p, &o);
	fill_of(frame_el(svg, "main"), &r, &g, &b);
	assert_true(r == 1 && g == 2 && b == 3);
	free(svg);
	fg_profile__delete(p);
}

static void test_nameattr(void **state)
{
	struct fg_profile *p = fg_profile__new();
	char path[128], *svg;
	struct fg_opts o;
	const char *el;

	snprintf(path, sizeof(path), "%s/attrs.txt", tmpdir);
	write_file(path,
		   "main\ttitle=the <main> loop\tclass=hot\tonclick=alert(1)\n"
		   "work\thref=https://example.com/?a=1&b=2\ttarget=_blank\n"
		   "evil\thref=javascript:alert(1)\tstyle=opacity:0.9\n");
	add(p, "main;work", 3, 0, 0);
	add(p, "main;evil", 3, 0, 0);
	fg_opts__init(&o);
	o.nameattr = path;
	svg = render(p, &o);
	assert_null(strstr(svg, "onclick"));
	assert_null(strstr(svg, "javascript:"));
	assert_non_null(strstr(svg, "<title>the &lt;main&gt; loop</title>"));
	assert_non_null(strstr(svg, "class=\"fg-f hot\""));
	assert_non_null(strstr(svg, "data-n=\"main\""));
	el = strstr(svg, "<a class=\"fg-f\"");
	assert_non_null(el);
	assert_non_null(strstr(el, "xlink:href=\"https://example.com/?a=1&amp;b=2\" target=\"_blank\""));
	assert_null(strstr(svg, "style=\"opacity:0.9\""));	/* not allowed */
	free(svg);
	/* a missing file is an error naming nothing half-written */
	o.nameattr = "/nonexistent/attrs";
	{
		struct fg_buf b = FG_BUF_INIT;

		assert_int_equal(fg_output_svg.write(&b, p, &o), -ENOENT);
		fg_buf__release(&b);
	}
	fg_profile__delete(p);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static int quiet(enum fg_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_widths),
		cmocka_unit_test(test_layout_byte_order),
		cmocka_unit_test(test_layout_minwidth),
		cmocka_unit_test(test_layout_total),
		cmocka_unit_test(test_layout_reverse),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_flamechart),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_labels_fit),
		cmocka_unit_test(test_palettes),
		cmocka_unit_test(test_palette_rules),
		cmocka_unit_test(test_namehash),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_cp),
		cmocka_unit_test(test_nameattr),
	};

	fg_set_print(quiet);
	return cmocka_run_group_tests(tests, setup, teardown);
}
