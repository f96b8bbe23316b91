/* SPDX-License-Identifier: GPL-2.0 */
/* DWARF recordings in flame report (cli/report_unwind.c, docs/dwarf.md). */
#ifndef FLAME_CLI_REPORT_UNWIND_H
#define FLAME_CLI_REPORT_UNWIND_H

/*
 * 1 when perf.data on fd samples user stacks (perf record --call-graph
 * dwarf), 0 when not or not told by the header (pipe mode), -EINVAL when
 * the header is corrupt.
 */
int cli_perf_data_user_stacks(int fd);

/*
 * 1 when perf hands flame.so unwound callchains (perf-patches/0003), 0 when
 * not, -errno when the check could not run. input and so are paths perf
 * can open.
 */
int cli_perf_unwinds(const char *perf, const char *input, const char *so);

/*
 * The text path: read perf script output from fd, honour the report's
 * "--dlarg KEY=VALUE" pairs in dlargv[0..n) (outputs, annotate, pid, ...;
 * options only flame.so has are an error) and write the outputs.
 * 0 or 1 (the exit status), after printing what failed.
 */
int cli_report_text(int fd, char **dlargv, int n);

#endif
