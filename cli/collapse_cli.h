/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by flame collapse, flame FILE and flame diff (cli/cmd_collapse.c). */
#ifndef FLAME_CLI_COLLAPSE_CLI_H
#define FLAME_CLI_COLLAPSE_CLI_H

#include <flame/collapse.h>
#include "cmd.h"

/*
 * Try argv[*i] as a collapse option (--pid, --kernel, --event-filter=EV,
 * --weight=period, --no-demangle, --threads N, ...). Returns 1 when consumed,
 * 0 when not a collapse option, -1 after printing an error.
 */
int cli_collapse_opt(int argc, char **argv, int *i, struct fg_collapse_opts *co);
/* Their help lines ("  --pid ..."), from the same table. */
void cli_collapse_help(FILE *fp);

/* A command that reads inputs into one profile and writes its outputs. */
struct cli_render_cmd {
	const char *name;		/* in error messages: "svg" */
	const char *help_cmd;		/* "flame svg" (--help) */
	const char *default_fmt;	/* without -o: "svg", "folded" */
	const char *kind;		/* input table name, NULL: probe */
	unsigned int groups;		/* of fg_output_opts it takes */
	bool collapse;			/* takes the perf script options */
	void (*usage)(FILE *fp);
	bool one_input;			/* refuse a second FILE */
};
/*
 * flame svg, collapse and FILE: options, inputs (files or stdin), outputs;
 * one policy for errors and truncation. The exit code.
 */
int cli_render(int argc, char **argv, const struct cli_render_cmd *c);

struct fg_input_opts;
struct fg_input_ops;

/* Returned by cli_load_profile for perf.data: render it with cli_report_file. */
#define CLI_PERF_DATA	3

/*
 * Load path ("-" = stdin) into p's current column through the input table
 * (kind NULL: probe; else a table name such as "perf-script"). Prints its
 * own errors; returns 0, 1 (nothing usable), 2 (the input ended early: what
 * was read is in p; say nothing more, render, exit 1) or CLI_PERF_DATA.
 * *found (may be NULL) gets the format.
 */
int cli_load_profile(struct fg_profile *p, const char *path, const char *kind,
		     const struct fg_input_opts *io,
		     const struct fg_input_ops **found);

/*
 * Load n inputs one after the other into p, as the anchors concatenate
 * theirs: cli_load_profile's returns (the worst of them), CLI_PERF_DATA only
 * for a single perf.data (several inputs are text or folded, else an
 * error). *found and *found_path: the first input without sample times, else
 * the first input.
 */
int cli_load_inputs(struct fg_profile *p, const char **paths, int n,
		    const char *kind, const struct fg_input_opts *io,
		    const struct fg_input_ops **found, const char **found_path);

/* input, or "-" when stdin is a pipe; NULL after an error when a terminal. */
const char *cli_input_or_stdin(const char *input, const char *cmd);

/* Should the profile keep samples for o's outputs (heatmap, flame chart)? */
bool cli_outputs_need_samples(const struct fg_opts *o, const char *default_fmt);
/* 0, or 1 after saying the input (format in, read into p) has no times
 * the outputs need. */
int cli_check_times(const struct fg_input_ops *in, const char *path,
		    const struct fg_profile *p, const struct fg_opts *o,
		    const char *default_fmt);

/*
 * Render perf.data at path with flame report, passing argv[1..argc) but
 * argv[skip] (the input) on; default output: stdout as default_fmt.
 */
int cli_report_file(const char *path, int argc, char **argv, int skip,
		    const char *default_fmt);

#endif
