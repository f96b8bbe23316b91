/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by flame collapse, flame FILE and flame diff (cli/cmd_collapse.c). */
#ifndef FLAME_CLI_COLLAPSE_CLI_H
#define FLAME_CLI_COLLAPSE_CLI_H

#include <flame/collapse.h>

/*
 * Try argv[*i] as a collapse option (--pid, --kernel, --event-filter=EV,
 * --weight=period, --no-demangle, --threads N, ...). Returns 1 when consumed,
 * 0 when not a collapse option, -1 after printing an error.
 */
int cli_collapse_opt(int argc, char **argv, int *i, struct fg_collapse_opts *co);

/*
 * Load path ("-" = stdin) into p's current column: perf script text is
 * collapsed with co, folded stacks read as they are; kind FG_INPUT_UNKNOWN
 * guesses. Prints its own errors and warnings; returns 0, or 1 when the
 * input could not be read at all, or 2 when it was read only in part (what
 * was read is in p).
 */
int cli_load_profile(struct fg_profile *p, const char *path,
		     enum fg_input_kind kind, const struct fg_collapse_opts *co);

#endif
