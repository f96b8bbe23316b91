// SPDX-License-Identifier: GPL-2.0
/*
 * flame heatmap [options] [FILE|-] -o OUT.html: perf script text (plain or
 * gzip, FlameScope's input) to a self-contained subsecond heatmap page.
 */
#include "cmd.h"
#include "collapse_cli.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame heatmap [options] [FILE|-] -o OUT.html\n\n"
		"Reads perf script text (perf script > stacks; plain or gzip; the input\n"
		"FlameScope takes) and writes one self-contained HTML page: a heatmap of\n"
		"the samples by second (x) and fraction of a second (y); pick a start and\n"
		"an end cell to see the flame graph of exactly that time range, compare two\n"
		"ranges as a differential graph. Idle samples are left out unless --idle.\n"
		"Writes to stdout when no -o/--out is given.\n\n"
		"perf script options:\n");
	cli_collapse_help(fp);
	fprintf(fp, "\nOutput options:\n");
	fg_opt__help_groups(fg_output_opts, FG_GRP_CMD_HEATMAP, "--", fp);
	fprintf(fp, "\nExample:\n"
		"  perf record -F 999 -a -g -- sleep 30\n"
		"  perf script | gzip > stacks.gz\n"
		"  flame heatmap stacks.gz --rows 50 -o profile.html\n");
}

int cmd_heatmap(int argc, char **argv)
{
	static const struct cli_render_cmd c = {
		"heatmap", "flame heatmap", "heatmap", "perf-script",
		FG_GRP_CMD_HEATMAP, true, usage, true,
	};

	return cli_render(argc, argv, &c);
}
