// SPDX-License-Identifier: GPL-2.0
/* flame svg [options] [FILE|-]: folded stacks to a flame graph. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/input.h>

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
	const struct fg_input_ops *in = NULL;
	struct fg_profile *p = NULL;
	const char *input = NULL, **inputs = NULL;
	struct fg_input_opts io;
	int nin = 0;
	struct fg_opts o;
	int i, rc = 1, ret, at = 0;

	fg_opts__init(&o);
	fg_input_opts__init(&io);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		ret = cli_output_opt_in(argc, argv, &i, &o, FG_GRP_CMD_SVG);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
			cli_error("svg: unknown option '%s' (flame svg --help)", argv[i]);
			goto out;
		}
		if (!inputs)
			inputs = calloc(argc, sizeof(*inputs));
		if (!inputs) {
			cli_error("out of memory");
			goto out;
		}
		inputs[nin++] = argv[i];
		input = argv[i];
		at = i;
	}
	if (cli_check_outputs(&o, "svg"))
		goto out;
	input = cli_input_or_stdin(input, "svg");
	if (!nin)
		inputs = &input;
	if (!input)
		goto out;
	p = fg_profile__new();
	if (!p) {
		cli_error("out of memory");
		goto out;
	}
	if (cli_outputs_need_samples(&o, "svg"))
		fg_profile__keep_samples(p, true);
	ret = cli_load_inputs(p, inputs, nin ? nin : 1, NULL, &io, &in, &input);
	if (ret == CLI_PERF_DATA) {
		rc = cli_report_file(input, argc, argv, at, "svg");
		goto out;
	}
	if (ret == 1 || cli_check_times(in, input, &o, "svg"))
		goto out;
	rc = cli_write_outputs(p, &o, "svg");
	if (!rc && ret)
		rc = 1;	/* partial input: the output is written, still fail */
out:
	if (nin)
		free(inputs);
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}
