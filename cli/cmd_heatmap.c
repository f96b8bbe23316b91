// SPDX-License-Identifier: GPL-2.0
/*
 * flame heatmap [options] [FILE|-] -o OUT.html: perf script text (plain or
 * gzip, FlameScope's input) to a self-contained subsecond heatmap page.
 */
#include <errno.h>
#include <string.h>

#include <flame/collapse.h>

#include "cmd.h"
#include "collapse_cli.h"
#include <flame/input.h>

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

/* perf script without the time field gives every sample time 0. */
static bool has_times(const struct fg_profile *p)
{
	const struct fg_sample *s;
	size_t n, i;

	s = fg_profile__samples(p, &n);
	for (i = 0; i < n; i++)
		if (s[i].time)
			return true;
	return false;
}

int cmd_heatmap(int argc, char **argv)
{
	const struct fg_input_ops *in = NULL;
	struct fg_profile *p = NULL;
	const char *input = NULL;
	struct fg_input_opts io;
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
		ret = cli_collapse_opt(argc, argv, &i, &io.collapse);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		ret = cli_output_opt_in(argc, argv, &i, &o, FG_GRP_CMD_HEATMAP);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
			cli_error("heatmap: unknown option '%s' (flame heatmap --help)",
				  argv[i]);
			goto out;
		}
		if (input) {
			cli_error("heatmap: one input file only ('%s' and '%s')",
				  input, argv[i]);
			goto out;
		}
		input = argv[i];
		at = i;
	}
	if (o.rows < 0 || o.rows > 1000) {
		cli_error("heatmap: --rows %d: must be 0 (follow the sample rate) to 1000", o.rows);
		goto out;
	}
	if (cli_check_outputs(&o, "heatmap"))
		goto out;
	input = cli_input_or_stdin(input, "heatmap");
	if (!input)
		goto out;
	p = fg_profile__new();
	if (!p) {
		cli_error("out of memory");
		goto out;
	}
	fg_profile__keep_samples(p, true);
	ret = cli_load_profile(p, input, "perf-script", &io, &in);
	if (ret == CLI_PERF_DATA) {
		rc = cli_report_file(input, argc, argv, at, "heatmap");
		goto out;
	}
	if (ret == 1)
		goto out;
	if (!in->has_times) {
		cli_error("heatmap: %s: %s have no sample times: give perf script text or perf.data (flame svg draws them)",
			  input, in->desc);
		goto out;
	}
	if (!has_times(p)) {
		cli_error("heatmap: %s: no sample has a time: record with perf record "
			  "(times are on by default) and keep the time field in perf script -F",
			  input);
		goto out;
	}
	rc = cli_write_outputs(p, &o, "heatmap");
	if (!rc && ret)
		rc = 1;	/* partial input: the output is written, still fail */
out:
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}
