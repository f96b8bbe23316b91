// SPDX-License-Identifier: GPL-2.0
/*
 * flame collapse [options] [FILE|-]: perf script text to folded stacks.
 * flame FILE [options]: guess the input kind and write a flame graph.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd.h"
#include <flame/input.h>
#include <flame/mem.h>

#include "collapse_cli.h"

static int set_all(void *base, const char *v, const char **err)
{
	struct fg_collapse_opts *co = base;
	bool on;

	if (!fg_opt__bool(v, &on)) {
		*err = "expects on/off, yes/no, 1/0";
		return -EINVAL;
	}
	co->kernel = co->jit = on;
	return 0;
}

static int set_event_filter(void *base, const char *v, const char **err)
{
	if (!*v) {
		*err = "needs an event name";
		return -EINVAL;
	}
	((struct fg_collapse_opts *)base)->event_filter = v;	/* argv lives on */
	return 0;
}

static int set_weight(void *base, const char *v, const char **err)
{
	struct fg_collapse_opts *co = base;

	if (!strcmp(v, "samples") || !strcmp(v, "count"))
		co->weight = FG_WEIGHT_SAMPLES;
	else if (!strcmp(v, "period"))
		co->weight = FG_WEIGHT_PERIOD;
	else {
		*err = "expects samples or period";
		return -EINVAL;
	}
	return 0;
}

static int set_period(void *base, const char *v, const char **err)
{
	bool on;

	if (!fg_opt__bool(v, &on)) {
		*err = "expects on/off, yes/no, 1/0";
		return -EINVAL;
	}
	((struct fg_collapse_opts *)base)->weight = on ? FG_WEIGHT_PERIOD : FG_WEIGHT_SAMPLES;
	return 0;
}

static int set_threads(void *base, const char *v, const char **err)
{
	char *end;
	long n = strtol(v, &end, 10);

	/* a no-op since the 2-thread parser was removed */
	if (!*v || *end || n < 0 || n > 64) {
		*err = "expects a number of threads";
		return -EINVAL;
	}
	return 0;
}

#define C(f) offsetof(struct fg_collapse_opts, f)

/* perf script text: stackcollapse-perf's spellings (docs/collapse.md) */
static const struct fg_opt_desc collapse_opts[] = {
	{ "pid", FG_OPT_BOOL, C(pid), NULL, "root frame \"comm-PID\"", FG_GRP_NAMING },
	{ "tid", FG_OPT_BOOL, C(tid), NULL, "root frame \"comm-PID/TID\"", FG_GRP_NAMING },
	{ "kernel", FG_OPT_BOOL, C(kernel), NULL, "annotate kernel frames with _[k]", FG_GRP_NAMING },
	{ "jit", FG_OPT_BOOL, C(jit), NULL, "annotate JIT (perf map) frames with _[j]", FG_GRP_NAMING },
	{ "all", FG_OPT_BOOL, 0, NULL, "--kernel and --jit", FG_GRP_NAMING, set_all },
	{ "addrs", FG_OPT_BOOL, C(addrs), NULL, "raw addresses for unresolved frames: [dso <addr>]",
	  FG_GRP_NAMING },
	{ "inline", FG_OPT_BOOL, C(inline_), NULL, "expand inlined functions (DWARF of each dso, via libdw)",
	  FG_GRP_NAMING },
	{ "context", FG_OPT_BOOL, C(context), NULL, "with --inline: add :file:line to those frames",
	  FG_GRP_NAMING },
	{ "event-filter", FG_OPT_STR, 0, "the first event seen", "keep samples of event EV",
	  FG_GRP_SELECT, set_event_filter, "EV" },
	{ "weight", FG_OPT_STR, 0, "samples", "weigh by sample count or by period",
	  FG_GRP_INPUT, set_weight, "samples|period" },
	{ "period", FG_OPT_BOOL, 0, NULL, "--weight period", FG_GRP_INPUT, set_period },
	{ "no-demangle", FG_OPT_BOOL, C(no_demangle), NULL, "keep C++/Rust symbols mangled (default: demangle)",
	  FG_GRP_NAMING },
	{ "threads", FG_OPT_INT, 0, NULL, "accepted and ignored: one parser thread (docs/collapse.md)",
	  FG_GRP_INPUT, set_threads },
	{ NULL },
};

void cli_collapse_help(FILE *fp)
{
	fg_opt__help(collapse_opts, "--", fp);
}

static void collapse_usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame collapse [options] [FILE...|-] [-o OUT]\n\n"
		"Several FILEs are read one after the other, as if concatenated.\n"
		"Turns perf script text (plain or gzip, with or without --header) into\n"
		"folded stacks, one \"comm;caller;...;leaf COUNT\" line per unique stack,\n"
		"like stackcollapse-perf.pl (see docs/collapse.md for the differences).\n"
		"Writes folded stacks to stdout unless -o/--out names files (format by\n"
		"extension: .folded/.txt folded, .svg flame graph, .html heatmap, .pb.gz pprof).\n\n"
		"perf script options:\n");
	cli_collapse_help(fp);
	fprintf(fp, "\nOutput and graph options:\n");
	fg_opt__help_groups(fg_output_opts, FG_GRP_CMD_ANY_OUTPUT, "--", fp);
	fprintf(fp, "\nExample: perf script | flame collapse --all > out.folded\n");
}

int cli_collapse_opt(int argc, char **argv, int *i, struct fg_collapse_opts *co)
{
	const struct fg_optset set = { collapse_opts, co, FG_GRP_ALL };

	return cli_opt(argc, argv, i, &set, 1);
}

/*
 * Inputs worth a tuned heap (fg_heap__tune): 16 MiB or more of regular
 * files (a gzip file counted 8 times), or a pipe, whose size is unknown.
 * Below, huge pages cost more RSS than the faults they save (a 8.7 MB
 * folded file: 28 -> 21 MB peak RSS, docs/performance.md).
 */
static bool big_input(const char **inputs, int n)
{
	uint64_t total = 0;
	struct stat st;
	int i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(inputs[i]);
		int ret = strcmp(inputs[i], "-") ? stat(inputs[i], &st) :
						   fstat(STDIN_FILENO, &st);

		if (ret || !S_ISREG(st.st_mode))
			return true;
		total += (uint64_t)st.st_size *
			 (len > 3 && !strcmp(inputs[i] + len - 3, ".gz") ? 8 : 1);
	}
	return total >= (16u << 20);
}

int cli_render(int argc, char **argv, const struct cli_render_cmd *c)
{
	const char *default_fmt = c->default_fmt, *kind = c->kind, *cmd = c->name;
	const struct fg_input_ops *in = NULL;
	struct fg_profile *p = NULL;
	const char *input = NULL, **inputs = NULL;
	struct fg_input_opts io;
	int nin = 0;
	struct fg_opts o;
	struct fg_heap heap = { 0 };
	int i, rc = 1, ret, at = 0;
	const struct fg_optset sets[] = {
		{ collapse_opts, &io.collapse, FG_GRP_ALL },
		{ fg_output_opts, &o, c->groups },
	};

	fg_opts__init(&o);
	fg_input_opts__init(&io);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			c->usage(stdout);
			rc = 0;
			goto out;
		}
		/* the first set only when the command reads perf script options */
		ret = cli_opt(argc, argv, &i, sets + !c->collapse, 2 - !c->collapse);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
			cli_error("%s: unknown option '%s' (%s --help)", cmd, argv[i],
				  c->help_cmd);
			goto out;
		}
		if (c->one_input && nin) {
			cli_error("%s: one input file only ('%s' and '%s')", cmd,
				  input, argv[i]);
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
	if (io.collapse.context && !io.collapse.inline_) {
		cli_error("%s: --context needs --inline", cmd);
		goto out;
	}
	if (cli_check_outputs(&o, default_fmt))
		goto out;
	input = cli_input_or_stdin(input, cmd);
	if (!nin)
		inputs = &input;
	if (!input)
		goto out;
	/* the tables grow to the end of the run: keep freed memory, huge
	 * pages (collapse of a whole-machine text: 4.5k -> 0.4k page faults,
	 * docs/performance.md); not worth 2 MB pages for a small input */
	if (big_input(inputs, nin ? nin : 1))
		fg_heap__tune(&heap);
	p = fg_profile__new();
	if (!p) {
		cli_error("out of memory");
		goto out;
	}
	if (cli_outputs_need_samples(&o, default_fmt))
		fg_profile__keep_samples(p, true);
	ret = cli_load_inputs(p, inputs, nin ? nin : 1, kind, &io, &in, &input);
	if (ret == CLI_PERF_DATA) {
		rc = cli_report_file(input, argc, argv, at, default_fmt);
		goto out;
	}
	if (ret == 1 || cli_check_times(in, input, p, &o, default_fmt))
		goto out;
	/* no stack is added from here on: free the child index (big.folded,
	 * 138 MB: peak RSS 472 -> 340 MB, docs/performance.md) */
	fg_profile__drop_index(p);
	fg_heap__advise(&heap);
	rc = cli_write_outputs(p, &o, default_fmt);
	if (!rc && ret)
		rc = 1;	/* partial input: the output is written, still fail */
out:
	if (nin)
		free(inputs);
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}

int cmd_collapse(int argc, char **argv)
{
	static const struct cli_render_cmd c = {
		"collapse", "flame collapse", "folded", "perf-script",
		FG_GRP_CMD_ANY_OUTPUT, true, collapse_usage,
	};

	return cli_render(argc, argv, &c);
}

static void auto_usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame FILE [options] [-o OUT.svg]\n\n"
		"Guesses what FILE holds (perf script text, folded stacks, bcc -f output;\n"
		"plain or gzip) and writes a flame graph (stdout unless -o).\n\n"
		"perf script options:\n");
	cli_collapse_help(fp);
	fprintf(fp, "\nOutput and graph options:\n");
	fg_opt__help_groups(fg_output_opts, FG_GRP_CMD_ANY_OUTPUT, "--", fp);
	fprintf(fp, "\nExample: flame stacks.txt.gz -o cpu.svg\n");
}

int cmd_auto(int argc, char **argv)
{
	static const struct cli_render_cmd c = {
		"flame", "flame", "svg", NULL, FG_GRP_CMD_ANY_OUTPUT, true, auto_usage,
	};

	return cli_render(argc, argv, &c);
}
