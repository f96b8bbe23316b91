/* SPDX-License-Identifier: GPL-2.0 */
/* flame subcommands: each takes argv with argv[0] = subcommand name. */
#ifndef FLAME_CLI_CMD_H
#define FLAME_CLI_CMD_H

#include <flame/flame.h>

int cmd_svg(int argc, char **argv);		/* cli/cmd_svg.c */
int cmd_collapse(int argc, char **argv);	/* cli/cmd_collapse.c */
int cmd_auto(int argc, char **argv);		/* flame FILE: guess the input */
int cmd_diff(int argc, char **argv);		/* cli/cmd_diff.c */
int cmd_heatmap(int argc, char **argv);		/* cli/cmd_heatmap.c */
int cmd_record(int argc, char **argv);		/* cli/cmd_record.c */
int cmd_snapshot(int argc, char **argv);	/* cli/cmd_record.c */
int cmd_report(int argc, char **argv);		/* cli/cmd_record.c */
int cmd_bench(int argc, char **argv);		/* cli/bench/cmd_bench.c */
int cmd_profile(int argc, char **argv);		/* cli/cmd_profile.c */

/* ---- helpers shared by subcommands (cli/main.c) ---- */

/* "flame: <msg>" on stderr, one line. Returns 1 (the exit code to use). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when stderr is a terminal (show progress). */
bool cli_progress_enabled(void);

/*
 * Try argv[*i] as a graph/output option from fg_output_opts:
 * "--key value", "--key=value", "--flag", "--no-flag". Returns 1 when
 * consumed (advancing *i past a value), 0 when not an output option,
 * -1 after printing an error.
 */
int cli_output_opt(int argc, char **argv, int *i, struct fg_opts *o);
/* The same, accepting only options of groups (FG_GRP_CMD_* in flame.h). */
int cli_output_opt_in(int argc, char **argv, int *i, struct fg_opts *o,
		      unsigned int groups);
/*
 * The same for any tables (the first set that has the key wins): "-x",
 * "-x VALUE", "--key value", "--key=value", "--flag", "--no-flag".
 */
int cli_opt(int argc, char **argv, int *i, const struct fg_optset *sets,
	    size_t n);

/*
 * flame.so for commands that run perf script: $FLAME_SO, else flame.so next
 * to this flame binary (build tree), else ../lib/perf-flame/flame.so (the
 * installed layout). NULL when none is readable. Caller frees.
 */
char *cli_find_flame_so(void);

/*
 * Write p to every o->out (or to stdout as default_fmt when none).
 * Prints "flame: wrote PATH" lines when stderr is a terminal.
 */
int cli_write_outputs(const struct fg_profile *p, const struct fg_opts *o,
		      const char *default_fmt);
/* Before reading input: fg_output__check(), error printed; 0 or 1. */
int cli_check_outputs(const struct fg_opts *o, const char *default_fmt);

#endif
