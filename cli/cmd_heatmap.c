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
		"Input options:\n"
		"  --pid               process frames as comm-PID\n"
		"  --tid               process frames as comm-PID/TID\n"
		"  --kernel            mark kernel frames _[k]\n"
		"  --jit               mark JIT (perf map) frames _[j]\n"
		"  --event-filter EV   keep samples of event EV (default: the first seen)\n"
		"  --period            weigh samples by their period instead of 1\n\n"
		"Output options (heatmap: rows, idle, title, subtitle, width, minwidth...):\n");
	fg_opt__help(fg_output_opts, "--", fp);
	fprintf(fp, "\nExample:\n"
		"  perf record -F 999 -a -g -- sleep 30\n"
		"  perf script | gzip > stacks.gz\n"
		"  flame heatmap stacks.gz --rows 50 -o profile.html\n");
}

/* 1 = consumed, 0 = not a collapse option, -1 = error printed. */
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
	struct fg_collapse_stats st;
	struct fg_collapse_opts co;
	struct fg_profile *p = NULL;
	struct fg_reader *r = NULL;
	const char *input = NULL;
	struct fg_opts o;
	int i, rc = 1, ret;

	memset(&st, 0, sizeof(st));
	fg_opts__init(&o);
	fg_collapse_opts__init(&co);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!strcmp(argv[i], "--period")) {	/* short for --weight=period */
			co.weight = FG_WEIGHT_PERIOD;
			continue;
		}
		ret = cli_collapse_opt(argc, argv, &i, &co);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		ret = cli_output_opt(argc, argv, &i, &o);
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
	}
	if (o.rows < 1 || o.rows > 1000) {
		cli_error("heatmap: --rows %d: must be 1..1000", o.rows);
		goto out;
	}
	if (cli_check_outputs(&o, "heatmap"))
		goto out;
	if (!input)
		input = "-";
	r = fg_reader__open(input);
	if (!r) {
		cli_error("cannot open %s: %s", input, strerror(errno));
		goto out;
	}
	p = fg_profile__new();
	if (!p) {
		cli_error("out of memory");
		goto out;
	}
	if (fg_input__guess(r) == FG_INPUT_FOLDED) {
		cli_error("heatmap: %s holds folded stacks, which have no sample times: "
			  "give perf script text (flame svg draws folded stacks)",
			  fg_reader__name(r));
		goto out;
	}
	fg_profile__keep_samples(p, true);
	ret = fg_collapse__read(p, r, &co, &st);
	if (ret) {
		cli_error("reading %s failed at line %llu: %s", fg_reader__name(r),
			  (unsigned long long)fg_reader__lineno(r), strerror(-ret));
		if (!st.samples)
			goto out;
	}
	if (!st.samples) {
		cli_error("%s: no samples found (%llu lines, %llu malformed): "
			  "expected perf script text", fg_reader__name(r),
			  (unsigned long long)st.lines,
			  (unsigned long long)st.bad_lines);
		goto out;
	}
	if (!has_times(p)) {
		cli_error("heatmap: %s: no sample has a time: record with perf record "
			  "(times are on by default) and keep the time field in perf script -F",
			  fg_reader__name(r));
		goto out;
	}
	rc = cli_write_outputs(p, &o, "heatmap");
out:
	fg_reader__close(r);
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}
