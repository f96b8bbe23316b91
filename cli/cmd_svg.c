// SPDX-License-Identifier: GPL-2.0
/* flame svg [options] [FILE|-]: folded stacks to a flame graph. */
#include <errno.h>
#include <string.h>

#include "cmd.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame svg [options] [FILE|-] [-o OUT.svg]\n\n"
		"Renders folded stacks (\"a;b;c 12\" per line, as stackcollapse tools and\n"
		"bcc tools with -f print; plain or gzip) as an interactive flame graph.\n"
		"Two counts per line (\"stack A B\") render a differential graph.\n"
		"Writes to stdout unless -o/--out is given (repeatable; format by extension).\n\n"
		"Options:\n");
	fg_opt__help(fg_output_opts, "--", fp);
	fprintf(fp, "\nExample: perf script | flame collapse | flame svg --title CPU -o cpu.svg\n");
}

int cmd_svg(int argc, char **argv)
{
	struct fg_folded_stats st = { 0 };
	struct fg_profile *p = NULL;
	struct fg_reader *r = NULL;
	const char *input = NULL;
	struct fg_opts o;
	int i, rc = 1, ret;

	fg_opts__init(&o);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		ret = cli_output_opt(argc, argv, &i, &o);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
			cli_error("svg: unknown option '%s' (flame svg --help)", argv[i]);
			goto out;
		}
		if (input) {
			cli_error("svg: one input file only ('%s' and '%s')", input, argv[i]);
			goto out;
		}
		input = argv[i];
	}
	if (cli_check_outputs(&o, "svg"))
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
	ret = fg_folded__read(p, r, &st);
	if (ret) {
		cli_error("reading %s failed at line %llu: %s", fg_reader__name(r),
			  (unsigned long long)fg_reader__lineno(r), strerror(-ret));
		if (!fg_profile__total(p, 0))
			goto out;
	}
	if (!fg_profile__total(p, 0) && !fg_profile__total(p, 1)) {
		cli_error("%s: no stacks found (%llu lines, %llu malformed)",
			  fg_reader__name(r), (unsigned long long)st.lines,
			  (unsigned long long)st.bad_lines);
		goto out;
	}
	rc = cli_write_outputs(p, &o, "svg");
out:
	fg_reader__close(r);
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}
