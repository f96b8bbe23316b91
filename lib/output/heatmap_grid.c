// SPDX-License-Identifier: GPL-2.0
/*
 * Heatmap bucketing: samples -> (cell, stack) counts. See lib/output/heatmap.h for
 * the arithmetic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"
#include "internal.h"

int fg_heatmap_grid__init(struct fg_heatmap_grid *g, const struct fg_sample *s,
			  size_t n, int rows)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i, seen = 0;

	memset(g, 0, sizeof(*g));
	if (rows < 0 || rows > (int)FG_HM_MAX_ROWS)
		return -EINVAL;
	g->rows = rows ? (unsigned int)rows : FG_HM_DEFAULT_ROWS;

	for (i = 0; i < n; i++) {
		if (s[i].col)
			continue;
		if (s[i].time < lo)
			lo = s[i].time;
		if (s[i].time > hi)
			hi = s[i].time;
		seen++;
	}
	if (!seen)
		return 0;
	g->origin = lo;
	g->span = hi - lo;
	g->cols = g->span / FG_HM_NSEC + 1;
	if (g->cols > FG_HM_MAX_COLS) {
		g->cols = 0;
		return -E2BIG;
	}
	if (!rows)
		g->rows = fg_heatmap_grid__auto_rows(s, n, lo, g->cols);
	if (g->cols > FG_HM_MAX_CELLS / g->rows) {
		g->cols = 0;
		return -E2BIG;
	}
	return 0;
}

/*
 * Rows per second that follow the sample rate: the busiest second's count
 * (the rate while the profiled code runs, e.g. 99 for -F 99 on one CPU)
 * split so that its cells hold at least FG_HM_BUSY_CELL samples, among row
 * counts that divide a second into whole milliseconds; at most the default
 * 50 (FlameScope's, for 1000 Hz and more), at least 1.
 */
unsigned int fg_heatmap_grid__auto_rows(const struct fg_sample *s, size_t n,
					uint64_t origin, uint64_t cols)
{
	static const unsigned int steps[] = { 50, 25, 20, 10, 5, 4, 2, 1 };
	uint32_t *count = cols ? calloc(cols, sizeof(*count)) : NULL;
	uint64_t busiest = 0;
	size_t i;

	if (!count)
		return FG_HM_DEFAULT_ROWS;
	for (i = 0; i < n; i++) {
		uint64_t c;

		if (s[i].col || s[i].time < origin)
			continue;
		c = (s[i].time - origin) / FG_HM_NSEC;
		if (c < cols && ++count[c] > busiest)
			busiest = count[c];
	}
	free(count);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]) - 1; i++)
		if (busiest >= (uint64_t)steps[i] * FG_HM_BUSY_CELL)
			return steps[i];
	return 1;
}

uint64_t fg_heatmap_grid__cell(const struct fg_heatmap_grid *g, uint64_t t)
{
	uint64_t off = t - g->origin;

	/* (off % 1e9) * rows < 1e9 * 1000: no overflow. */
	return off / FG_HM_NSEC * g->rows + off % FG_HM_NSEC * g->rows / FG_HM_NSEC;
}

uint64_t fg_heatmap_grid__cell_start(const struct fg_heatmap_grid *g,
				     uint64_t cell)
{
	uint64_t col = cell / g->rows, row = cell % g->rows;

	/* ceil(row * 1e9 / rows): the first ns whose row is >= row. */
	return col * FG_HM_NSEC + (row * FG_HM_NSEC + g->rows - 1) / g->rows;
}

/* ---- idle frames ------------------------------------------------------ */

/* Kernel idle loops and the functions they park CPUs in. */
static const char *const idle_funcs[] = {
	"cpu_idle", "do_idle", "cpu_startup_entry", "cpu_bringup_and_idle",
	"default_idle", "default_idle_call", "arch_cpu_idle",
	"cpuidle_idle_call", "cpuidle_enter", "cpuidle_enter_state",
	"intel_idle", "intel_idle_irq", "intel_idle_ibrs", "acpi_idle_enter",
	"acpi_idle_do_entry", "acpi_safe_halt", "poll_idle", "cpu_idle_poll",
	"native_safe_halt", "pv_native_safe_halt", "mwait_idle",
	"amd_e400_idle", "xen_hypercall_sched_op", "hv_native_safe_halt",
};

bool fg_heatmap__idle_frame(const char *name, size_t len, bool root)
{
	size_t i;

	/* Annotations: "_[k]", "_[j]", ... */
	if (len > 4 && name[len - 4] == '_' && name[len - 3] == '[' &&
	    name[len - 1] == ']')
		len -= 4;
	/* The idle task: "swapper", "swapper/3", "swapper-0", "swapper-0/0". */
	if (root && len >= 7 && !memcmp(name, "swapper", 7) &&
	    (len == 7 || name[7] == '/' || name[7] == '-'))
		return true;
	for (i = 0; i < ARRAY_SIZE(idle_funcs); i++)
		if (strlen(idle_funcs[i]) == len &&
		    !memcmp(idle_funcs[i], name, len))
			return true;
	return false;
}

/* ---- aggregation ------------------------------------------------------ */

struct hm_item {
	uint64_t cell;
	uint64_t weight;
	uint32_t stack;
};

static int cmp_item(const void *a, const void *b)
{
	const struct hm_item *x = a, *y = b;

	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return 0;
}

static int cmp_stack(const void *a, const void *b)
{
	const struct hm_item *x = a, *y = b;

	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

struct stack_rank {
	uint32_t node;
	uint32_t count;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct stack_rank *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

void fg_heatmap__delete(struct fg_heatmap *h)
{
	if (!h)
		return;
	free(h->cell);
	free(h->first);
	free(h->entries);
	free(h->stack_node);
	free(h);
}

struct fg_heatmap *fg_heatmap__new(const struct fg_profile *p, int rows)
{
	const struct fg_sample *s;
	uint32_t nr_nodes = fg_profile__nr_nodes(p);
	struct stack_rank *rank = NULL;
	uint32_t *node_count = NULL, *stack_of = NULL;
	struct hm_item *it = NULL;
	struct fg_heatmap *h;
	size_t n, m = 0, i, j;
	bool sorted = true;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	s = fg_profile__samples(p, &n);
	err = fg_heatmap_grid__init(&h->grid, s, n, rows);
	if (err)
		goto out_err;
	h->unit_weights = true;

	it = malloc((n ? n : 1) * sizeof(*it));
	node_count = calloc(nr_nodes ? nr_nodes : 1, sizeof(*node_count));
	stack_of = malloc((nr_nodes ? nr_nodes : 1) * sizeof(*stack_of));
	if (!it || !node_count || !stack_of)
		goto out_nomem;

	/* Stacks: sampled nodes, most sampled first (small ids in the page). */
	for (i = 0; i < n; i++) {
		if (s[i].col || s[i].node >= nr_nodes)
			continue;
		if (!node_count[s[i].node]++)
			h->nr_stacks++;
		if (s[i].weight != 1)
			h->unit_weights = false;
	}
	rank = malloc((h->nr_stacks ? h->nr_stacks : 1) * sizeof(*rank));
	h->stack_node = malloc((h->nr_stacks ? h->nr_stacks : 1) *
			       sizeof(*h->stack_node));
	if (!rank || !h->stack_node)
		goto out_nomem;
	for (i = 0, j = 0; i < nr_nodes; i++)
		if (node_count[i])
			rank[j++] = (struct stack_rank){ (uint32_t)i, node_count[i] };
	qsort(rank, h->nr_stacks, sizeof(*rank), cmp_rank);
	for (i = 0; i < h->nr_stacks; i++) {
		h->stack_node[i] = rank[i].node;
		stack_of[rank[i].node] = (uint32_t)i;
	}

	for (i = 0; i < n; i++) {
		if (s[i].col || s[i].node >= nr_nodes)
			continue;
		it[m].cell = fg_heatmap_grid__cell(&h->grid, s[i].time);
		it[m].stack = stack_of[s[i].node];
		it[m].weight = s[i].weight;
		if (m && it[m].cell < it[m - 1].cell)
			sorted = false;
		m++;
	}
	h->nr_samples = m;

	/* Samples arrive nearly in time order: sort whole only when needed,
	 * then by stack inside each cell. */
	if (!sorted) {
		qsort(it, m, sizeof(*it), cmp_item);
	} else {
		for (i = 0; i < m; i = j) {
			for (j = i + 1; j < m && it[j].cell == it[i].cell; j++)
				;
			if (j - i > 1)
				qsort(it + i, j - i, sizeof(*it), cmp_stack);
		}
	}

	/* Merge equal (cell, stack) runs into entries. */
	h->entries = malloc((m ? m : 1) * sizeof(*h->entries));
	h->cell = malloc((m ? m : 1) * sizeof(*h->cell));
	h->first = malloc((m + 1) * sizeof(*h->first));
	if (!h->entries || !h->cell || !h->first)
		goto out_nomem;
	for (i = 0; i < m; i = j) {
		struct fg_heatmap_entry *e = &h->entries[h->nr_entries];

		if (!h->nr_cells || h->cell[h->nr_cells - 1] != it[i].cell) {
			h->cell[h->nr_cells] = it[i].cell;
			h->first[h->nr_cells++] = h->nr_entries;
		}
		e->stack = it[i].stack;
		e->count = 0;
		e->weight = 0;
		for (j = i; j < m && it[j].cell == it[i].cell &&
			    it[j].stack == it[i].stack; j++) {
			e->count++;
			e->weight += it[j].weight;
		}
		h->nr_entries++;
	}
	h->first[h->nr_cells] = h->nr_entries;

	free(rank);
	free(it);
	free(node_count);
	free(stack_of);
	return h;

out_nomem:
	err = -ENOMEM;
out_err:
	free(rank);
	free(it);
	free(node_count);
	free(stack_of);
	fg_heatmap__delete(h);
	errno = -err;
	return NULL;
}
