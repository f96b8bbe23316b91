// SPDX-License-Identifier: GPL-2.0
/* Heatmap bucketing (time origin, row boundaries, empty seconds), idle
 * frames and the page the writer produces. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "heatmap.h"

#define S(x) ((uint64_t)(x) * FG_HM_NSEC)
#define MS(x) ((uint64_t)(x) * 1000000ull)
#define T0 123456789012345ull	/* an arbitrary perf timestamp */

static uint32_t stack_of(struct fg_profile *p, const char *a, const char *b)
{
	uint32_t f[2];

	f[0] = fg_profile__intern(p, a, strlen(a));
	f[1] = fg_profile__intern(p, b, strlen(b));
	return fg_profile__child(p, fg_profile__child(p, FG_ROOT, f[0]), f[1]);
}

static struct fg_profile *new_profile(void)
{
	struct fg_profile *p = fg_profile__new();

	assert_non_null(p);
	fg_profile__keep_samples(p, true);
	return p;
}

static void test_origin_is_earliest_sample(void **state)
{
	struct fg_sample s[] = {
		{ .time = T0 + MS(700) }, { .time = T0 + MS(5) },
		{ .time = T0 + S(2) }, { .time = T0 + MS(1), .col = 1 },
	};
	struct fg_heatmap_grid g;

	assert_int_equal(fg_heatmap_grid__init(&g, s, 4, 50), 0);
	assert_int_equal(g.rows, FG_HM_DEFAULT_ROWS);
	/* column-1 (diff) samples do not count */
	assert_true(g.origin == T0 + MS(5));
	assert_true(g.span == S(2) - MS(5));
	assert_int_equal(g.cols, 2);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + MS(5)), 0);
	/* 1.995 s after the origin: second 1, row 49 */
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + S(2)), 50 + 49);
}

/* rows == 0 follows the sample rate: a busy second's cells hold >= 5. */
static void grid_at_rate(unsigned int hz, unsigned int secs, unsigned int want)
{
	size_t n = (size_t)hz * secs, i;
	struct fg_sample *s = calloc(2 * n + 1, sizeof(*s));
	struct fg_heatmap_grid g;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		s[i].time = T0 + i * (S(1) / hz);
		/* a diff's second column, as many again: not counted */
		s[n + i].time = s[i].time;
		s[n + i].col = 1;
	}
	assert_int_equal(fg_heatmap_grid__init(&g, s, 2 * n, 0), 0);
	assert_int_equal(g.rows, want);
	free(s);
}

static void test_auto_rows(void **state)
{
	struct fg_heatmap_grid g;

	(void)state;
	/* evenly spaced from the origin, second 0 holds hz + 1 samples */
	grid_at_rate(45, 4, 5);		/* 46: 9.2 a cell (10 rows: 4.6) */
	grid_at_rate(49, 4, 10);	/* 50: 5 a cell */
	grid_at_rate(98, 4, 10);	/* 99: 9.9 a cell (20 rows: 4.95) */
	grid_at_rate(99, 4, 20);	/* 100: 5 a cell */
	grid_at_rate(250, 2, 50);	/* 5 a cell at 50 rows */
	grid_at_rate(1000, 2, 50);	/* FlameScope's 50 rows */
	grid_at_rate(4999, 2, 50);	/* never more than 50 */
	grid_at_rate(3, 3, 1);		/* too few for any split */
	/* explicit rows win */
	{
		struct fg_sample one = { .time = T0 };

		assert_int_equal(fg_heatmap_grid__init(&g, &one, 1, 7), 0);
		assert_int_equal(g.rows, 7);
		assert_int_equal(fg_heatmap_grid__init(&g, NULL, 0, 0), 0);
		assert_int_equal(g.cols, 0);
	}
}

static void test_row_boundaries_50(void **state)
{
	struct fg_sample s = { .time = T0 };
	struct fg_heatmap_grid g;

	assert_int_equal(fg_heatmap_grid__init(&g, &s, 1, 50), 0);
	assert_int_equal(g.cols, 1);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + MS(20) - 1), 0);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + MS(20)), 1);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + S(1) - 1), 49);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + S(1)), 50);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + S(7) + MS(510)), 7 * 50 + 25);
	assert_true(fg_heatmap_grid__cell_start(&g, 1) == MS(20));
	assert_true(fg_heatmap_grid__cell_start(&g, 50) == S(1));
	assert_true(fg_heatmap_grid__cell_start(&g, 7 * 50 + 25) == S(7) + MS(500));
}

/* rows that do not divide a second: row r starts at ceil(r * 1e9 / rows). */
static void test_row_boundaries_uneven(void **state)
{
	struct fg_sample s = { .time = T0 };
	struct fg_heatmap_grid g;
	uint64_t off, c;

	assert_int_equal(fg_heatmap_grid__init(&g, &s, 1, 3), 0);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + 333333333), 0);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + 333333334), 1);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + 666666666), 1);
	assert_int_equal(fg_heatmap_grid__cell(&g, T0 + 666666667), 2);
	assert_true(fg_heatmap_grid__cell_start(&g, 1) == 333333334);
	assert_true(fg_heatmap_grid__cell_start(&g, 2) == 666666667);
	assert_true(fg_heatmap_grid__cell_start(&g, 3) == S(1));

	/* every offset lies in [start(cell), start(cell + 1)) */
	assert_int_equal(fg_heatmap_grid__init(&g, &s, 1, 7), 0);
	for (off = 0; off < S(3); off += 7919 * 1013) {
		c = fg_heatmap_grid__cell(&g, T0 + off);
		assert_true(fg_heatmap_grid__cell_start(&g, c) <= off);
		assert_true(off < fg_heatmap_grid__cell_start(&g, c + 1));
	}
}

static void test_limits(void **state)
{
	struct fg_sample s[2] = { { .time = 0 }, { .time = UINT64_MAX / 2 } };
	struct fg_heatmap_grid g;

	assert_int_equal(fg_heatmap_grid__init(&g, s, 1, 1001), -EINVAL);
	assert_int_equal(fg_heatmap_grid__init(&g, s, 1, -1), -EINVAL);
	assert_int_equal(fg_heatmap_grid__init(&g, s, 2, 50), -E2BIG);
	/* longer than the page can draw */
	s[1].time = S(FG_HM_MAX_COLS);
	assert_int_equal(fg_heatmap_grid__init(&g, s, 2, 1), -E2BIG);
	s[1].time = S(FG_HM_MAX_COLS - 1);
	assert_int_equal(fg_heatmap_grid__init(&g, s, 2, 1), 0);
	assert_int_equal(g.cols, FG_HM_MAX_COLS);
	/* no samples: an empty grid */
	assert_int_equal(fg_heatmap_grid__init(&g, s, 0, 50), 0);
	assert_int_equal(g.cols, 0);
	/* one row per second works */
	assert_int_equal(fg_heatmap_grid__init(&g, s, 1, 1), 0);
	assert_int_equal(fg_heatmap_grid__cell(&g, S(5) + MS(999)), 5);
}

/* Samples at 0.0 s and 3.5 s: seconds 1 and 2 exist but are empty. */
static void test_empty_seconds_and_merge(void **state)
{
	struct fg_profile *p = new_profile();
	uint32_t a = stack_of(p, "main", "phase_alpha");
	uint32_t b = stack_of(p, "main", "phase_beta");
	struct fg_heatmap *h;

	assert_int_equal(fg_profile__add_node(p, a, 1, T0 + MS(3)), 0);
	assert_int_equal(fg_profile__add_node(p, a, 1, T0), 0);
	assert_int_equal(fg_profile__add_node(p, b, 1, T0 + MS(10)), 0);
	assert_int_equal(fg_profile__add_node(p, b, 1, T0 + S(3) + MS(500)), 0);
	assert_int_equal(fg_profile__add_node(p, b, 1, T0 + S(3) + MS(519)), 0);

	h = fg_heatmap__new(p, 50);
	assert_non_null(h);
	assert_int_equal(h->grid.cols, 4);
	assert_int_equal(h->nr_samples, 5);
	assert_true(h->unit_weights);
	assert_int_equal(h->nr_cells, 2);
	assert_int_equal(h->cell[0], 0);
	assert_int_equal(h->cell[1], 3 * 50 + 25);
	/* b is sampled 3 times, a twice: b is stack 0 */
	assert_int_equal(h->nr_stacks, 2);
	assert_int_equal(h->stack_node[0], b);
	assert_int_equal(h->stack_node[1], a);
	/* cell 0: b once, a twice merged; sorted by stack */
	assert_int_equal(h->first[1] - h->first[0], 2);
	assert_int_equal(h->entries[0].stack, 0);
	assert_int_equal(h->entries[0].count, 1);
	assert_int_equal(h->entries[1].stack, 1);
	assert_int_equal(h->entries[1].count, 2);
	assert_int_equal(h->first[2] - h->first[1], 1);
	assert_int_equal(h->entries[2].count, 2);
	fg_heatmap__delete(h);
	fg_profile__delete(p);
}

/* Out-of-order times (merged CPUs) and weights. */
static void test_unsorted_weighted(void **state)
{
	struct fg_profile *p = new_profile();
	uint32_t a = stack_of(p, "x", "y");
	struct fg_heatmap *h;

	assert_int_equal(fg_profile__add_node(p, a, 5, T0 + S(1)), 0);
	assert_int_equal(fg_profile__add_node(p, a, 7, T0), 0);
	assert_int_equal(fg_profile__add_node(p, a, 2, T0 + S(1) + 1), 0);
	h = fg_heatmap__new(p, 10);
	assert_non_null(h);
	assert_false(h->unit_weights);
	assert_int_equal(h->nr_cells, 2);
	assert_int_equal(h->cell[0], 0);
	assert_int_equal(h->cell[1], 10);
	assert_int_equal(h->entries[0].weight, 7);
	assert_int_equal(h->entries[1].count, 2);
	assert_int_equal(h->entries[1].weight, 7);
	fg_heatmap__delete(h);
	fg_profile__delete(p);
}

static void test_idle_frames(void **state)
{
#define IDLE(s, root) fg_heatmap__idle_frame(s, strlen(s), root)
	assert_true(IDLE("swapper", true));
	assert_true(IDLE("swapper/1", true));
	assert_true(IDLE("swapper-0", true));
	assert_false(IDLE("swapper", false));
	assert_false(IDLE("swapperd", true));
	assert_true(IDLE("do_idle", false));
	assert_true(IDLE("do_idle_[k]", false));
	assert_true(IDLE("intel_idle", false));
	assert_true(IDLE("cpu_idle", true));
	assert_true(IDLE("default_idle_call", false));
	assert_false(IDLE("my_do_idle", false));
	assert_false(IDLE("do_idl", false));
	assert_false(IDLE("phase_alpha", false));
#undef IDLE
}

static size_t count_str(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	const char *s = hay;

	while ((s = memmem(s, len - (s - hay), needle, k))) {
		n++;
		s += k;
	}
	return n;
}

/* Hostile names stay data: the page has exactly its own script ends. */
static void test_page_escapes(void **state)
{
	static const char evil[] = "</script><script>alert(1)</script><!-- \xe2\x80\xa8 &amp;";
	struct fg_profile *p = new_profile();
	uint32_t f[3], n;
	struct fg_buf b = FG_BUF_INIT;
	struct fg_opts o;
	char *data;

	fg_opts__init(&o);
	o.rows = 50;
	o.title = strdup("<b>title</b>");
	f[0] = fg_profile__intern(p, "swapper", 7);
	f[1] = fg_profile__intern(p, "do_idle_[k]", 11);
	f[2] = fg_profile__intern(p, evil, sizeof(evil) - 1);
	assert_int_equal(fg_profile__add(p, f, 2, 1, T0), 0);
	assert_int_equal(fg_profile__add(p, f + 2, 1, 1, T0 + MS(30)), 0);
	assert_int_equal(fg_profile__add(p, f + 2, 1, 1, T0 + S(2)), 0);

	assert_int_equal(fg_output_heatmap.write(&b, p, &o), 0);
	assert_non_null(b.buf);
	/* The page's own blocks only: data, flamegraph.js, heatmap.js. */
	assert_int_equal(count_str(b.buf, b.len, "</script"), 3);
	assert_int_equal(count_str(b.buf, b.len, "<script"), 3);
	assert_int_equal(count_str(b.buf, b.len, "\xe2\x80\xa8"), 0);
	assert_int_equal(count_str(b.buf, b.len, "<b>"), 0);
	assert_non_null(strstr(b.buf, "Content-Security-Policy"));
	assert_non_null(strstr(b.buf, "default-src 'none'"));
	/* No external references. */
	assert_int_equal(count_str(b.buf, b.len, "src=\"http"), 0);
	assert_int_equal(count_str(b.buf, b.len, "href=\"http"), 0);

	/* The data block: names once, the idle stack flagged, 3 cells over
	 * 3 seconds (second 1 empty). */
	data = strstr(b.buf, "id=\"fg-data\">");
	assert_non_null(data);
	assert_non_null(strstr(data, "\"rows\":50,\"cols\":3"));
	assert_non_null(strstr(data, "\"idlestacks\":[1]"));
	/* cells: gap 0 (cell 0), gap 0 (cell 1), gap 98 (cell 100) */
	assert_non_null(strstr(data, "\"cells\":[0,1,1,1,0,1,0,1,98,1,0,1]"));
	n = count_str(data, b.len - (data - b.buf), "alert(1)");
	assert_int_equal(n, 1);

	fg_buf__release(&b);
	fg_opts__release(&o);
	fg_profile__delete(p);
}

/* Weighted samples (--period): cells carry (stack, count, weight). */
static void test_page_weighted(void **state)
{
	struct fg_profile *p = new_profile();
	uint32_t a = stack_of(p, "main", "work");
	struct fg_buf b = FG_BUF_INIT;
	struct fg_opts o;

	fg_opts__init(&o);
	o.rows = 50;
	assert_int_equal(fg_profile__add_node(p, a, 250, T0), 0);
	assert_int_equal(fg_profile__add_node(p, a, 750, T0 + MS(1)), 0);
	assert_int_equal(fg_profile__add_node(p, a, 5, T0 + S(1)), 0);
	assert_int_equal(fg_output_heatmap.write(&b, p, &o), 0);
	assert_non_null(strstr(b.buf, "\"weighted\":true"));
	assert_non_null(strstr(b.buf, "\"names\":[\"main\",\"work\"],\"nodes\":[0,0,1,1],\"stacks\":[2]"));
	assert_non_null(strstr(b.buf, "\"cells\":[0,1,0,2,1000,49,1,0,1,5]"));
	fg_buf__release(&b);
	fg_opts__release(&o);
	fg_profile__delete(p);
}

static void test_needs_samples(void **state)
{
	struct fg_profile *p = fg_profile__new();
	struct fg_buf b = FG_BUF_INIT;
	struct fg_opts o;
	uint32_t f = fg_profile__intern(p, "a", 1);

	fg_opts__init(&o);
	o.rows = 50;
	assert_true(fg_output_heatmap.needs_samples);
	assert_ptr_equal(fg_output__for_path("x.html"), &fg_output_heatmap);
	assert_int_equal(fg_profile__add(p, &f, 1, 1, T0), 0);
	/* no sample log: a clear error, not an empty page */
	assert_int_equal(fg_output_heatmap.write(&b, p, &o), -EINVAL);
	o.rows = 5000;
	fg_profile__keep_samples(p, true);
	assert_int_equal(fg_profile__add(p, &f, 1, 1, T0), 0);
	assert_int_equal(fg_output_heatmap.write(&b, p, &o), -EINVAL);
	fg_buf__release(&b);
	fg_opts__release(&o);
	fg_profile__delete(p);
}

/* The embedded scripts must not end their own blocks. */
static void test_assets_clean(void **state)
{
	const char *const a[] = { fg_heatmap_js, fg_heatmap_flamegraph_js,
				  fg_heatmap_css, fg_heatmap_flamegraph_css };
	const unsigned long l[] = { fg_heatmap_js_len, fg_heatmap_flamegraph_js_len,
				    fg_heatmap_css_len, fg_heatmap_flamegraph_css_len };
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_true(l[i] > 100);
		assert_int_equal(strlen(a[i]), l[i]);
		assert_null(strcasestr(a[i], "</script"));
		assert_null(strcasestr(a[i], "</style"));
		assert_null(strstr(a[i], "<!--"));
		assert_null(strstr(a[i], "innerHTML"));
	}
	assert_non_null(strstr(fg_heatmap_js, "flamegraph_init"));
	assert_non_null(strstr(fg_heatmap_body, "hm-canvas"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_is_earliest_sample),
		cmocka_unit_test(test_auto_rows),
		cmocka_unit_test(test_row_boundaries_50),
		cmocka_unit_test(test_row_boundaries_uneven),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_empty_seconds_and_merge),
		cmocka_unit_test(test_unsorted_weighted),
		cmocka_unit_test(test_idle_frames),
		cmocka_unit_test(test_page_escapes),
		cmocka_unit_test(test_page_weighted),
		cmocka_unit_test(test_needs_samples),
		cmocka_unit_test(test_assets_clean),
	};

	fg_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
