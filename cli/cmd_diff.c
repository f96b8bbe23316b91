// SPDX-License-Identifier: GPL-2.0
/*
 * flame diff A B [options]: differential flame graph (widths from B, red =
 * grew, blue = shrank) or, with --folded, the two-column "stack A B" form.
 * Inputs may be folded stacks or perf script text (guessed per file).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include <flame/input.h>

#include "collapse_cli.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: flame diff [options] BEFORE AFTER [-o OUT]\n\n"
		"Compares two profiles (folded stacks or perf script text, plain or gzip)\n"
		"and writes a differential flame graph: frame widths from AFTER, red where\n"
		"AFTER has more, blue where it has less; hover shows both counts and the\n"
		"delta. --negate swaps the colours.\n\n"
		"  --folded               write \"stack COUNT_BEFORE COUNT_AFTER\" lines instead\n\n"
		"perf script options (for perf script inputs):\n");
	cli_collapse_help(fp);
	fprintf(fp, "\nDiff, graph and output options:\n");
	fg_opt__help_groups(fg_output_opts, FG_GRP_CMD_DIFF, "--", fp);
	fprintf(fp, "\nExample: flame diff before.folded after.folded > diff.svg\n");
}

/* "0x1f2e" -> "0x..." as difffolded.pl -s does. */
static int strip_hex(struct fg_buf *b, const char *s, size_t len)
{
	size_t i = 0, j;
	int ret = 0;

	fg_buf__reset(b);
	while (i < len) {
		if (s[i] == '0' && i + 2 < len + 0 && s[i + 1] == 'x') {
			j = i + 2;
			while (j < len && ((s[j] >= '0' && s[j] <= '9') ||
					   (s[j] >= 'a' && s[j] <= 'f') ||
					   (s[j] >= 'A' && s[j] <= 'F')))
				j++;
			if (j > i + 2) {
				ret |= fg_buf__add(b, "0x...", 5);
				i = j;
				continue;
			}
		}
		ret |= fg_buf__addch(b, s[i++]);
	}
	if (!b->buf)
		ret |= fg_buf__add(b, "", 0);
	return ret ? -ENOMEM : 0;
}

/* Copy every stack of src into column col of dst, names rewritten and
 * weights scaled by num/den. */
static int copy_profile(struct fg_profile *dst, const struct fg_profile *src,
			unsigned int col, bool hex, uint64_t num, uint64_t den)
{
	uint32_t nr = fg_profile__nr_nodes(src), i, *map;
	struct fg_buf tmp = FG_BUF_INIT;
	int ret = 0;

	map = malloc((nr ? nr : 1) * sizeof(*map));
	if (!map)
		return -ENOMEM;
	fg_profile__set_column(dst, col);
	map[FG_ROOT] = FG_ROOT;
	/* parents come before children: one forward pass */
	for (i = 1; i < nr; i++) {
		const struct fg_node *n = fg_profile__node(src, i);
		const char *name = fg_profile__name(src, n->name);
		size_t len = fg_strtab__len(fg_profile__names(src), n->name);
		uint32_t id;

		if (hex) {
			if (strip_hex(&tmp, name, len)) {
				ret = -ENOMEM;
				break;
			}
			name = tmp.buf;
			len = tmp.len;
		}
		id = fg_profile__intern(dst, name, len);
		map[i] = id == UINT32_MAX ? FG_NO_NODE :
			 fg_profile__child(dst, map[n->parent], id);
		if (map[i] == FG_NO_NODE) {
			ret = -ENOMEM;
			break;
		}
		if (n->self[0]) {
			uint64_t w = n->self[0];

			if (den)
				w = (uint64_t)((unsigned __int128)w * num / den);
			ret = fg_profile__add_node(dst, map[i], w, 0);
			if (ret)
				break;
		}
	}
	fg_buf__release(&tmp);
	free(map);
	return ret;
}

int cmd_diff(int argc, char **argv)
{
	struct fg_profile *pa = NULL, *pb = NULL, *p = NULL;
	const char *inputs[2] = { NULL, NULL };
	struct fg_input_opts io;
	bool folded = false;
	int i, n = 0, rc = 1, ret, partial = 0;
	struct fg_opts o;

	fg_opts__init(&o);
	fg_input_opts__init(&io);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!strcmp(argv[i], "--folded")) {
			folded = true;
			continue;
		}
		ret = cli_output_opt_in(argc, argv, &i, &o, FG_GRP_CMD_DIFF);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		ret = cli_collapse_opt(argc, argv, &i, &io.collapse);
		if (ret < 0)
			goto out;
		if (ret)
			continue;
		if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
			cli_error("diff: unknown option '%s' (flame diff --help)", argv[i]);
			goto out;
		}
		if (n == 2) {
			cli_error("diff: two inputs only ('%s' is a third)", argv[i]);
			goto out;
		}
		inputs[n++] = argv[i];
	}
	if (n != 2) {
		cli_error("diff: needs two inputs, BEFORE and AFTER (flame diff --help)");
		goto out;
	}
	if (!strcmp(inputs[0], "-") && !strcmp(inputs[1], "-")) {
		cli_error("diff: only one input can be stdin");
		goto out;
	}
	if (cli_check_outputs(&o, "svg"))
		goto out;
	pa = fg_profile__new();
	pb = fg_profile__new();
	p = fg_profile__new();
	if (!pa || !pb || !p) {
		cli_error("out of memory");
		goto out;
	}
	for (i = 0; i < 2; i++) {
		ret = cli_load_profile(i ? pb : pa, inputs[i], NULL, &io, NULL);
		if (ret == CLI_PERF_DATA)
			cli_error("diff: %s is perf.data: render it first (flame report -i %s -o %s.folded)",
				  inputs[i], inputs[i], inputs[i]);
		if (ret == 1 || ret == CLI_PERF_DATA)
			goto out;
		partial |= ret;
	}
	{
		unsigned int da = fg_profile__decimals(pa), db = fg_profile__decimals(pb);
		unsigned int dec = da > db ? da : db;	/* fractional counts */
		uint64_t ta, tb;
		bool norm;

		if (fg_profile__set_decimals(pa, dec) ||
		    fg_profile__set_decimals(pb, dec) ||
		    fg_profile__set_decimals(p, dec)) {
			cli_error("diff: counts with %u decimals take a total past 2^63-1", dec);
			goto out;
		}
		ta = fg_profile__total(pa, 0);
		tb = fg_profile__total(pb, 0);
		norm = o.normalize && ta && ta != tb;

		if (copy_profile(p, pa, 0, o.strip_hex, norm ? tb : 1, norm ? ta : 1) ||
		    copy_profile(p, pb, 1, o.strip_hex, 1, 1)) {
			cli_error("out of memory");
			goto out;
		}
	}
	if (folded && !o.format) {
		o.format = strdup("folded");
		if (!o.format) {
			cli_error("out of memory");
			goto out;
		}
	}
	rc = cli_write_outputs(p, &o, "svg");
	if (!rc && partial)
		rc = 1;
out:
	fg_profile__delete(pa);
	fg_profile__delete(pb);
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}
