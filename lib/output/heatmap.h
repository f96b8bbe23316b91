/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Subsecond heatmap (FlameScope's view) over the samples a profile keeps:
 * the bucketing arithmetic and the per-cell aggregation the HTML writer
 * (lib/output/out_heatmap.c) serializes.
 *
 * Time origin: the earliest sample. A sample at time t falls in
 *   offset = t - origin
 *   col    = offset / 1e9                      (whole seconds)
 *   row    = (offset % 1e9) * rows / 1e9       (subsecond row, 0 = top)
 *   cell   = col * rows + row                  (time order)
 * so row r of a second covers [ceil(r * 1e9 / rows), ceil((r+1) * 1e9 / rows))
 * nanoseconds into it. Seconds without samples are cells with no entries.
 */
#ifndef FLAME_HEATMAP_H
#define FLAME_HEATMAP_H

#include <flame/flame.h>

#define FG_HM_NSEC		1000000000ull
#define FG_HM_DEFAULT_ROWS	50	/* and the most rows == 0 chooses */
#define FG_HM_BUSY_CELL		5	/* rows == 0: samples in a busy cell, at least */
#define FG_HM_MAX_ROWS		1000
/* Bound on cols * rows: a bogus timestamp must not allocate the world. */
#define FG_HM_MAX_CELLS		(1ull << 26)
/* Seconds the page can draw (a canvas is at most 32767 px wide). */
#define FG_HM_MAX_COLS		30000ull

struct fg_heatmap_grid {
	uint64_t origin;	/* ns: earliest sample */
	uint64_t span;		/* ns: latest sample - origin */
	unsigned int rows;	/* rows per second */
	uint64_t cols;		/* seconds: (span / 1e9) + 1, 0 when empty */
};

/*
 * Grid over the column-0 samples s[0..n). rows == 0 follows the sample
 * rate (fg_heatmap_grid__auto_rows).
 * -EINVAL when rows > FG_HM_MAX_ROWS, -E2BIG when the span needs more than
 * FG_HM_MAX_CELLS cells or FG_HM_MAX_COLS seconds. No samples: 0 with cols == 0.
 */
int fg_heatmap_grid__init(struct fg_heatmap_grid *g, const struct fg_sample *s,
			  size_t n, int rows);
/* Rows per second for samples from origin over cols seconds (rows == 0). */
unsigned int fg_heatmap_grid__auto_rows(const struct fg_sample *s, size_t n,
					uint64_t origin, uint64_t cols);
/* Cell index of time t (t >= origin). */
uint64_t fg_heatmap_grid__cell(const struct fg_heatmap_grid *g, uint64_t t);
/* Offset from the origin, in ns, at which cell starts (and cell+1 ends). */
uint64_t fg_heatmap_grid__cell_start(const struct fg_heatmap_grid *g,
				     uint64_t cell);

/* One stack's share of one cell. */
struct fg_heatmap_entry {
	uint32_t stack;		/* index into fg_heatmap.stack_node */
	uint32_t count;		/* samples */
	uint64_t weight;	/* summed sample weights */
};

/*
 * Non-empty cells in time order; cell[i]'s entries are
 * entries[first[i] .. first[i + 1]), sorted by stack.
 * Stacks are the profile nodes samples end in, most sampled first.
 */
struct fg_heatmap {
	struct fg_heatmap_grid grid;
	uint64_t *cell;
	size_t *first;
	size_t nr_cells;	/* non-empty ones */
	struct fg_heatmap_entry *entries;
	size_t nr_entries;
	uint32_t *stack_node;
	uint32_t nr_stacks;
	uint64_t nr_samples;
	bool unit_weights;	/* every sample weighs 1 */
};

struct fg_heatmap *fg_heatmap__new(const struct fg_profile *p, int rows);
void fg_heatmap__delete(struct fg_heatmap *h);

/*
 * Whether a frame name marks idle time: the idle task (swapper...) as a
 * root frame, or a kernel idle-loop function anywhere ("_[k]" and similar
 * suffixes are ignored).
 */
bool fg_heatmap__idle_frame(const char *name, size_t len, bool root);

/* Embedded page assets (lib/output/heatmap_assets.S). */
extern const char fg_heatmap_js[], fg_heatmap_css[], fg_heatmap_body[];
extern const char fg_heatmap_flamegraph_js[], fg_heatmap_flamegraph_css[];
extern const unsigned long fg_heatmap_js_len, fg_heatmap_css_len;
extern const unsigned long fg_heatmap_body_len, fg_heatmap_flamegraph_js_len;
extern const unsigned long fg_heatmap_flamegraph_css_len;

#endif
