// SPDX-License-Identifier: GPL-2.0
/* flame svg [options] [FILE|-]: folded stacks to a flame graph. */
#include "cmd.h"
#include "collapse_cli.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame svg [options] [FILE...|-] [-o OUT.svg]\n\n"
		"Several FILEs are read one after the other into one graph.\n"
		"Renders folded stacks (\"a;b;c 12\" per line, as stackcollapse tools and\n"
		"bcc tools with -f print; plain or gzip) as an interactive flame graph;\n"
		"perf script text, perf.data and gperftools profiles are read too.\n"
		"Two counts per line (\"stack A B\") render a differential graph.\n"
		"Writes to stdout unless -o/--out is given (repeatable; format by extension).\n\n"
		"Options:\n");
	fg_opt__help_groups(fg_output_opts, FG_GRP_CMD_SVG, "--", fp);
	fprintf(fp, "\nExample: perf script | flame collapse | flame svg --title CPU -o cpu.svg\n");
}

int cmd_svg(int argc, char **argv)
{
	static const struct cli_render_cmd c = {
		"svg", "flame svg", "svg", NULL, FG_GRP_CMD_SVG, false, usage,
	};

	return cli_render(argc, argv, &c);
}
