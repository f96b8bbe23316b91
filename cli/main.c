// SPDX-License-Identifier: GPL-2.0
/* flame: the command line front end of perf-flame. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "svg", cmd_svg, "render folded stacks (also bcc -f output) as a flame graph" },
	{ "collapse", cmd_collapse, "perf script text (plain or gzip) to folded stacks" },
	{ "diff", cmd_diff, "differential flame graph of two folded profiles" },
	{ "heatmap", cmd_heatmap, "subsecond heatmap page with range-selected flame graphs" },
	{ "record", cmd_record, "perf record plus snapshots of container perf maps" },
	{ "snapshot", cmd_snapshot, "snapshot perf maps of running processes" },
	{ "report", cmd_report, "render perf.data through flame.so with perf sandboxed" },
	{ "bench", cmd_bench, "sidecar benchmark driver: load, profile, graphs" },
	{ "profile", cmd_profile, "sample live with libperf (host, processes, a container), write graphs and pprof" },
	{ NULL },
};

static void usage(FILE *fp)
{
	const struct command *c;

	fprintf(fp, "usage: flame COMMAND [options] [FILE]\n"
		    "       flame FILE [-o OUT]   (guess the input kind, write a flame graph)\n\n"
		    "Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->help);
	fprintf(fp, "\n'flame COMMAND --help' shows a command's options. Docs: docs/\n");
}

static int cli_print(enum fg_print_level level, const char *fmt, va_list ap)
{
	if (level > FG_WARN && !getenv("FLAME_DEBUG"))
		return 0;
	fputs("flame: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("flame: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("flame: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_progress_enabled(void)
{
	return isatty(STDERR_FILENO);
}

int cli_output_opt(int argc, char **argv, int *i, struct fg_opts *o)
{
	return cli_output_opt_in(argc, argv, i, o, FG_GRP_ALL);
}

int cli_output_opt_in(int argc, char **argv, int *i, struct fg_opts *o,
		      unsigned int groups)
{
	const struct fg_optset set = { fg_output_opts, o, groups };

	return cli_opt(argc, argv, i, &set, 1);
}

int cli_opt(int argc, char **argv, int *i, const struct fg_optset *sets,
	    size_t n)
{
	const char *a = argv[*i], *eq = NULL, *val = NULL, *err = NULL;
	const struct fg_optset *set = NULL;
	const struct fg_opt_desc *d;
	char key[64] = "";
	size_t klen;
	bool neg = false;
	int ret;

	if (a[0] != '-' || !a[1])
		return 0;
	if (a[1] != '-') {		/* -x VALUE, -x */
		if (a[2])
			return 0;
		d = fg_optset__find(sets, n, "", a[1], &set);
	} else {
		a += 2;
		eq = strchr(a, '=');
		klen = eq ? (size_t)(eq - a) : strlen(a);
		if (klen >= sizeof(key))
			return 0;
		memcpy(key, a, klen);
		key[klen] = '\0';
		d = fg_optset__find(sets, n, key, 0, &set);
		if (!d && !strncmp(key, "no-", 3)) {
			d = fg_optset__find(sets, n, key + 3, 0, &set);
			if (!d || d->type != FG_OPT_BOOL)
				return 0;
			neg = true;
		}
	}
	if (!d)
		return 0;
	if (eq && neg) {
		cli_error("option %s: --no-%s takes no value", argv[*i], d->name);
		return -1;
	}
	if (eq) {
		val = eq + 1;
	} else if (neg) {
		val = "off";
	} else if (d->type != FG_OPT_BOOL && d->type != FG_OPT_OPTSTR) {
		if (*i + 1 >= argc) {
			cli_error("option %s needs a value", argv[*i]);
			return -1;
		}
		val = argv[++*i];
	}
	ret = fg_opt__set(set->table, set->base, d->name, val, &err);
	if (ret) {
		/* name the option, not the value (argv[*i] may be the value) */
		cli_error("option --%s %s: %s", d->name, val ? val : "",
			  err ? err : strerror(-ret));
		return -1;
	}
	return 1;
}

char *cli_find_flame_so(void)
{
	static const char *const rel[] = { "flame.so", "../lib/perf-flame/flame.so" };
	const char *env = getenv("FLAME_SO");
	char exe[PATH_MAX], *dir, *p;
	ssize_t n;
	size_t i;

	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	dir = dirname(exe);
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (asprintf(&p, "%s/%s", dir, rel[i]) < 0)
			return NULL;
		if (!access(p, R_OK))
			return p;
		free(p);
	}
	return NULL;
}

int cli_check_outputs(const struct fg_opts *o, const char *default_fmt)
{
	struct fg_buf msg = FG_BUF_INIT;
	int ret = fg_output__check(o, default_fmt, &msg);

	if (ret)
		cli_error("%s", msg.buf ? msg.buf : strerror(-ret));
	fg_buf__release(&msg);
	return ret ? 1 : 0;
}

int cli_write_outputs(const struct fg_profile *p, const struct fg_opts *o,
		      const char *default_fmt)
{
	size_t i;
	int rc = 0;

	if (!o->out.n) {
		const struct fg_output_ops *ops =
			fg_output__find(o->format ? o->format : default_fmt);
		int ret;

		if (!ops)
			return cli_error("unknown format '%s'",
					 o->format ? o->format : default_fmt);
		ret = fg_output__write_file(ops, "-", p, o);
		if (ret)
			return cli_error("writing to stdout failed: %s", strerror(-ret));
		return 0;
	}
	for (i = 0; i < o->out.n; i++) {
		const char *path = o->out.v[i];
		const struct fg_output_ops *ops = o->format ?
			fg_output__find(o->format) : fg_output__for_path(path);
		int ret;

		if (!ops && !o->format)
			ops = fg_output__find(default_fmt);
		if (!ops) {
			rc = cli_error("%s: unknown output format '%s'", path, o->format);
			continue;
		}
		ret = fg_output__write_file(ops, path, p, o);
		if (ret) {
			rc = cli_error("writing %s failed: %s", path, strerror(-ret));
			continue;
		}
		if (cli_progress_enabled() && strcmp(path, "-"))
			fprintf(stderr, "flame: wrote %s\n", path);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct command *c;

	fg_set_print(cli_print);
	if (argc < 2) {
		if (!isatty(STDIN_FILENO))	/* perf script | flame > x.svg */
			return cmd_auto(argc, argv);
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("flame (perf-flame) 0.1\n");
		return 0;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	if (argv[1][0] == '-' && strcmp(argv[1], "-") && strcmp(argv[1], "-o") &&
	    strncmp(argv[1], "--", 2)) {
		cli_error("unknown option '%s' (flame --help lists commands)", argv[1]);
		return 2;
	}
	/* flame FILE [options]: guess the input kind */
	if (access(argv[1], F_OK) && strcmp(argv[1], "-") && argv[1][0] != '-') {
		cli_error("'%s' is neither a command nor a readable file: %s (flame --help lists commands)",
			  argv[1], strerror(errno));
		return 2;
	}
	return cmd_auto(argc, argv);	/* perf.data goes to flame report */
}
