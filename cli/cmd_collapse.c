// SPDX-License-Identifier: GPL-2.0
/*
 * flame collapse [options] [FILE|-]: perf script text to folded stacks.
 * flame FILE [options]: guess the input kind and write a flame graph.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
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
	"  --threads=N         parser threads, 1 or 2 (default 1; same output)\n";

static void collapse_usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame collapse [options] [FILE|-] [-o OUT]\n\n"
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

		if (!*v || *end || n < 0 || n > 64) {
			cli_error("option --threads: '%s' is not a number of threads", v);
			return -1;
		}
		co->threads = n;
	} else {
		return 0;
	}
	return 1;
}

/* The line of the input that made the guess fail, for the error message. */
static void first_line(struct fg_reader *r, char *out, size_t size)
{
	const char *d, *nl;
	size_t len, i;

	out[0] = '\0';
	if (fg_reader__peek(r, &d, &len) || !len)
		return;
	nl = memchr(d, '\n', len);
	if (nl)
		len = nl - d;
	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		out[i] = (d[i] >= 0x20 && d[i] < 0x7f) ? d[i] : '?';
	out[len] = '\0';
}

int cli_load_profile(struct fg_profile *p, const char *path,
		     enum fg_input_kind kind, const struct fg_collapse_opts *co)
{
	struct fg_reader *r;
	int ret, rc = 0;

	r = fg_reader__open(path);
	if (!r)
		return cli_error("cannot open %s: %s", path, strerror(errno));
	if (kind == FG_INPUT_UNKNOWN) {
		kind = fg_input__guess(r);
		if (kind == FG_INPUT_UNKNOWN) {
			const char *d;
			size_t len;
			char line[81];

			ret = fg_reader__peek(r, &d, &len);
			if (ret)
				rc = cli_error("%s:1: cannot read: %s", path, strerror(-ret));
			else if (!len)
				rc = cli_error("%s: empty input", path);
			else {
				first_line(r, line, sizeof(line));
				rc = cli_error("%s:1: neither perf script text nor folded stacks: \"%s\"",
					       path, line);
			}
			fg_reader__close(r);
			return rc;
		}
	}
	if (kind == FG_INPUT_PERF_SCRIPT) {
		struct fg_collapse_stats st;

		ret = fg_collapse__read(p, r, co, &st);
		if (ret == -ENOMEM) {
			rc = cli_error("%s: out of memory", path);
		} else if (ret) {
			cli_error("%s:%llu: input ends early (%s); using the %llu samples read",
				  path, (unsigned long long)fg_reader__lineno(r) + 1,
				  ret == -EIO ? "truncated or corrupt gzip" : strerror(-ret),
				  (unsigned long long)st.samples);
			rc = 2;
		}
		if (!rc && !st.samples)
			rc = cli_error("%s: no samples found (%llu lines, %llu malformed)",
				       path, (unsigned long long)st.lines,
				       (unsigned long long)st.bad_lines);
	} else {
		struct fg_folded_stats st = { 0 };

		ret = fg_folded__read(p, r, &st);
		if (ret == -ENOMEM) {
			rc = cli_error("%s: out of memory", path);
		} else if (ret) {
			cli_error("%s:%llu: input ends early (%s); using what was read",
				  path, (unsigned long long)fg_reader__lineno(r) + 1,
				  ret == -EIO ? "truncated or corrupt gzip" : strerror(-ret));
			rc = 2;
		}
		if (!rc && !st.lines)
			rc = cli_error("%s: no stacks found", path);
	}
	fg_reader__close(r);
	return rc;
}

/* Shared body of collapse and auto: default_fmt "folded" or "svg". */
static int run(int argc, char **argv, int first, const char *default_fmt,
	       enum fg_input_kind kind, void (*usage)(FILE *), const char *cmd)
{
	struct fg_collapse_opts co;
	struct fg_profile *p = NULL;
	const char *input = NULL;
	struct fg_opts o;
	int i, rc = 1, ret;

	fg_opts__init(&o);
	fg_collapse_opts__init(&co);
	for (i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
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
			cli_error("%s: unknown option '%s' (flame %s--help)", cmd,
				  argv[i], kind == FG_INPUT_UNKNOWN ? "" : "collapse ");
			goto out;
		}
		if (input) {
			cli_error("%s: one input file only ('%s' and '%s')", cmd,
				  input, argv[i]);
			goto out;
		}
		input = argv[i];
	}
	if (co.context && !co.inline_) {
		cli_error("%s: --context needs --inline", cmd);
		goto out;
	}
	if (cli_check_outputs(&o, default_fmt))
		goto out;
	if (!input)
		input = "-";
	p = fg_profile__new();
	if (!p) {
		cli_error("out of memory");
		goto out;
	}
	if (o.flamechart)
		fg_profile__keep_samples(p, true);
	ret = cli_load_profile(p, input, kind, &co);
	if (ret == 1)
		goto out;
	rc = cli_write_outputs(p, &o, default_fmt);
	if (!rc && ret)
		rc = 1;	/* partial input: the output is written, still fail */
out:
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}

int cmd_collapse(int argc, char **argv)
{
	return run(argc, argv, 1, "folded", FG_INPUT_PERF_SCRIPT, collapse_usage,
		   "collapse");
}

static void auto_usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame FILE [options] [-o OUT.svg]\n\n"
		"Guesses what FILE holds (perf script text, folded stacks, bcc -f output;\n"
		"plain or gzip) and writes a flame graph (stdout unless -o).\n\n"
		"perf script options:\n%s\nGraph options:\n", collapse_help);
	fg_opt__help(fg_output_opts, "--", fp);
	fprintf(fp, "\nExample: flame stacks.txt.gz -o cpu.svg\n");
}

int cmd_auto(int argc, char **argv)
{
	return run(argc, argv, 1, "svg", FG_INPUT_UNKNOWN, auto_usage, "flame");
}
