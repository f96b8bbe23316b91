/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input table: every format a profile can be read from, each
 * {name, probe, read} (lib/input/input.c). A command opens a reader, asks
 * fg_input__probe() what it holds (or names the format), and reads it with
 * fg_input__read(): one policy for every command and every format.
 *
 * perf.data is in the table for probing only: it is rendered through perf
 * script and flame.so (the CLI's flame report, sandboxed), never parsed
 * here; its read() returns -ENOTSUP.
 */
#ifndef FLAME_INPUT_H
#define FLAME_INPUT_H

#include <flame/collapse.h>
#include <flame/gperf.h>

struct fg_input_opts {
	struct fg_collapse_opts collapse;	/* perf script text (naming) */
	struct fg_gperf_opts gperf;		/* gperftools profiles */
};

void fg_input_opts__init(struct fg_input_opts *o);

struct fg_input_stats {
	uint64_t samples;	/* samples or stacks added */
	uint64_t lines;		/* text inputs: lines read */
	uint64_t bad;		/* malformed lines / records skipped */
};

struct fg_input_ops {
	const char *name;	/* "perf.data", "perf-script", "folded", ... */
	const char *desc;	/* for messages: "perf script text" */
	bool has_times;		/* samples carry times (heatmap, flame chart) */
	/* Do the first bytes (decompressed) look like this format? */
	bool (*probe)(const char *data, size_t len);
	/*
	 * Add the input to p's current column. 0; -EIO when the input ends
	 * early (what was read is in p); -EINVAL malformed; -ENOMEM.
	 */
	int (*read)(struct fg_profile *p, struct fg_reader *r,
		    const struct fg_input_opts *o, struct fg_input_stats *st);
};

/* The table, NULL-name terminated, in probing order. */
extern const struct fg_input_ops fg_inputs[];

const struct fg_input_ops *fg_input__find(const char *name);
/* What r holds (consumes nothing); NULL when no format matches. */
const struct fg_input_ops *fg_input__probe(struct fg_reader *r);
/* "perf.data, perf-script, folded, ..." for help texts. */
void fg_input__list(struct fg_buf *b);

#endif /* FLAME_INPUT_H */
