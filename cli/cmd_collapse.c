// SPDX-License-Identifier: GPL-2.0
/*
 * flame collapse [options] [FILE|-]: perf script text to folded stacks.
 * flame FILE [options]: guess the input kind and write a flame graph.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include <flame/input.h>

#include "collapse_cli.h"

static const char collapse_help[] =
	"  --pid               root frame \"comm-PID\"\n"
	"  --tid               root frame \"comm-PID/TID\"\n"
	"  --kernel            annotate kernel frames with _[k]\n"
	"  --jit               annotate JIT (perf map) frames with _[j]\n"
	"  --all               --kernel and --jit\n"
	"  --addrs             raw addresses for unresolved frames: [dso <addr>]\n"
	"  --inline            expand inlined functions (DWARF of each dso, via libdw)\n"
	"  --context           with --inline: add :file:line to those frames\n"
	"  --event-filter=EV   keep samples of event EV (default: the first event seen)\n"
	"  --weight=samples|period  weigh by sample count (default) or by period\n"
	"  --no-demangle       keep C++/Rust symbols mangled (default: demangle)\n"
	"  --threads=N         accepted and ignored: one parser thread (docs/collapse.md)\n";

static void collapse_usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame collapse [options] [FILE...|-] [-o OUT]\n\n"
		"Several FILEs are read one after the other, as if concatenated.\n"
		"Turns perf script text (plain or gzip, with or without --header) into\n"
		"folded stacks, one \"comm;caller;...;leaf COUNT\" line per unique stack,\n"
		"like stackcollapse-perf.pl (see docs/collapse.md for the differences).\n"
		"Writes folded stacks to stdout unless -o/--out names files (format by\n"
		"extension: .folded/.txt folded, .svg flame graph).\n\n"
		"Options:\n%s  -o, --out=FILE      output file (repeatable)\n"
		"  Graph options for .svg outputs: see flame svg --help.\n\n"
		"Example: perf script | flame collapse --all > out.folded\n",
		collapse_help);
}

static bool flag(const char *a, const char *name)
{
	return !strcmp(a + 2, name);
}

/* "--key=value" or "--key value" */
static const char *value_of(int argc, char **argv, int *i, const char *key)
{
	const char *a = argv[*i] + 2;
	size_t kl = strlen(key);

	if (strncmp(a, key, kl))
		return NULL;
	if (a[kl] == '=')
		return a + kl + 1;
	if (a[kl] == '\0') {
		if (*i + 1 >= argc)
			return "";
		return argv[++*i];
	}
	return NULL;
}

int cli_collapse_opt(int argc, char **argv, int *i, struct fg_collapse_opts *co)
{
	const char *a = argv[*i], *v;

	if (a[0] != '-' || a[1] != '-')
		return 0;
	if (flag(a, "pid"))
		co->pid = true;
	else if (flag(a, "tid"))
		co->tid = true;
	else if (flag(a, "kernel"))
		co->kernel = true;
	else if (flag(a, "jit"))
		co->jit = true;
	else if (flag(a, "all"))
		co->kernel = co->jit = true;
	else if (flag(a, "addrs"))
		co->addrs = true;
	else if (flag(a, "inline"))
		co->inline_ = true;
	else if (flag(a, "context"))
		co->context = true;
	else if (flag(a, "no-demangle"))
		co->no_demangle = true;
	else if (flag(a, "demangle"))
		co->no_demangle = false;
	else if ((v = value_of(argc, argv, i, "event-filter"))) {
		if (!*v) {
			cli_error("option --event-filter needs an event name");
			return -1;
		}
		co->event_filter = v;
	} else if ((v = value_of(argc, argv, i, "weight"))) {
		if (!strcmp(v, "samples") || !strcmp(v, "count"))
			co->weight = FG_WEIGHT_SAMPLES;
		else if (!strcmp(v, "period"))
			co->weight = FG_WEIGHT_PERIOD;
		else {
			cli_error("option --weight: '%s' is not samples or period", v);
			return -1;
		}
	} else if ((v = value_of(argc, argv, i, "threads"))) {
		char *end;
		long n = strtol(v, &end, 10);

		/* a no-op since the 2-thread parser was removed */
		if (!*v || *end || n < 0 || n > 64) {
			cli_error("option --threads: '%s' is not a number of threads", v);
			return -1;
		}
	} else {
		return 0;
	}
	return 1;
}

/* Shared body of collapse and auto: default_fmt "folded" or "svg". */
static int run(int argc, char **argv, int first, const char *default_fmt,
	       const char *kind, void (*usage)(FILE *), const char *cmd)
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
	for (i = first; i < argc; i++) {
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
		ret = cli_output_opt_in(argc, argv, &i, &o, FG_GRP_CMD_ANY_OUTPUT);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
			cli_error("%s: unknown option '%s' (flame %s--help)", cmd,
				  argv[i], kind ? "collapse " : "");
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
	if (ret == 1 || cli_check_times(in, input, &o, default_fmt))
		goto out;
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
	return run(argc, argv, 1, "folded", "perf-script", collapse_usage,
		   "collapse");
}

static void auto_usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame FILE [options] [-o OUT.svg]\n\n"
		"Guesses what FILE holds (perf script text, folded stacks, bcc -f output;\n"
		"plain or gzip) and writes a flame graph (stdout unless -o).\n\n"
		"perf script options:\n%s\nGraph options:\n", collapse_help);
	fg_opt__help_groups(fg_output_opts, FG_GRP_CMD_ANY_OUTPUT, "--", fp);
	fprintf(fp, "\nExample: flame stacks.txt.gz -o cpu.svg\n");
}

int cmd_auto(int argc, char **argv)
{
	return run(argc, argv, 1, "svg", NULL, auto_usage, "flame");
}
