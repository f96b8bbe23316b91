// SPDX-License-Identifier: GPL-2.0
/*
 * Every command's input, one policy (docs/design.md): the input table
 * (include/flame/input.h) says what a file holds; errors are one line;
 * an input that ends early (truncated gzip) is said once, what was read is
 * rendered, and the command exits 1; no FILE reads stdin when it is a pipe;
 * perf.data is rendered through flame report (perf + flame.so, sandboxed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flame/input.h>

#include "cmd.h"
#include "collapse_cli.h"

const char *cli_input_or_stdin(const char *input, const char *cmd)
{
	if (input)
		return input;
	if (isatty(STDIN_FILENO)) {
		cli_error("%s: no input: name a FILE or '-', or pipe into flame",
			  cmd);
		return NULL;
	}
	return "-";
}

/* The line of the input that made the probe fail, for the error message. */
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

int cli_load_profile(struct fg_profile *p, const char *path, const char *kind,
		     const struct fg_input_opts *io,
		     const struct fg_input_ops **found)
{
	const struct fg_input_ops *in;
	struct fg_input_stats st = { 0 };
	struct fg_reader *r;
	int ret, rc = 0;

	r = fg_reader__open(path);
	if (!r)
		return cli_error("cannot open %s: %s", path, strerror(errno));
	/* binary formats are always recognised; text ones as the command says */
	in = fg_input__probe(r);
	if (kind && !(in && (!strcmp(in->name, "perf.data") ||
			     !strncmp(in->name, "gperf", 5))))
		in = fg_input__find(kind);
	if (!in) {
		struct fg_buf kinds = FG_BUF_INIT;
		const char *d;
		size_t len;
		char line[81];

		fg_input__list(&kinds);
		ret = fg_reader__peek(r, &d, &len);
		if (ret)
			rc = cli_error("%s:1: cannot read: %s", path, strerror(-ret));
		else if (!len)
			rc = cli_error("%s: empty input", path);
		else {
			first_line(r, line, sizeof(line));
			rc = cli_error("%s:1: not an input flame reads (%s): \"%s\"",
				       path, kinds.buf, line);
		}
		fg_buf__release(&kinds);
		fg_reader__close(r);
		return rc;
	}
	if (found)
		*found = in;
	if (!strcmp(in->name, "perf.data")) {
		fg_reader__close(r);
		return CLI_PERF_DATA;
	}
	/* readers other than folded add whole counts: give them first */
	if (fg_profile__decimals(p) && strcmp(in->name, "folded")) {
		fg_reader__close(r);
		return cli_error("%s: %s after folded stacks with fractional counts: give it first",
				 path, in->desc);
	}
	ret = in->read(p, r, io, &st);
	if (ret == -ENOMEM) {
		rc = cli_error("%s: out of memory", path);
	} else if (ret == -EIO) {
		cli_error("%s:%llu: input ends early (truncated or corrupt gzip); using the %llu %s read",
			  path, (unsigned long long)fg_reader__lineno(r) + 1,
			  (unsigned long long)st.samples,
			  strcmp(in->name, "folded") ? "samples" : "stacks");
		rc = 2;
	} else if (ret) {
		rc = cli_error("%s: reading %s failed: %s", path, in->desc,
			       strerror(-ret));
	}
	if (!rc && !st.samples)
		rc = cli_error("%s: no samples found in %s (%llu lines, %llu malformed)",
			       path, in->desc, (unsigned long long)st.lines,
			       (unsigned long long)st.bad);
	fg_reader__close(r);
	return rc;
}

int cli_load_inputs(struct fg_profile *p, const char **paths, int n,
		    const char *kind, const struct fg_input_opts *io,
		    const struct fg_input_ops **found, const char **found_path)
{
	const struct fg_input_ops *in = NULL;
	int i, ret, rc = 0;

	*found = NULL;
	*found_path = paths[0];
	for (i = 0; i < n; i++) {
		ret = cli_load_profile(p, paths[i], kind, io, &in);
		if (ret == CLI_PERF_DATA) {
			if (n == 1) {
				*found = in;
				return ret;
			}
			return cli_error("%s: perf.data is read alone, not with other inputs (perf script -i %s, then give the text)",
					 paths[i], paths[i]);
		}
		if (ret == 1)
			return 1;
		if (ret)
			rc = ret;
		if (!*found || (in && !in->has_times && (*found)->has_times)) {
			*found = in;
			*found_path = paths[i];
		}
	}
	return rc;
}

/* An output format that cannot be drawn without times (heatmap). */
/* The format of o's output i (--format, else by its extension). */
static const struct fg_output_ops *output_ops(const struct fg_opts *o, size_t i)
{
	return o->format ? fg_output__find(o->format) : fg_output__for_path(o->out.v[i]);
}

static bool outputs_need_times(const struct fg_opts *o, const char *default_fmt)
{
	const struct fg_output_ops *ops;
	size_t i;

	if (!o->out.n) {
		ops = fg_output__find(o->format ? o->format : default_fmt);
		return ops && ops->needs_samples;
	}
	for (i = 0; i < o->out.n; i++)
		if ((ops = output_ops(o, i)) && ops->needs_samples)
			return true;
	return false;
}

bool cli_outputs_need_samples(const struct fg_opts *o, const char *default_fmt)
{
	const struct fg_output_ops *ops;
	size_t i;

	/* a flame chart uses times when the input has them, speedscope too */
	if (o->flamechart || outputs_need_times(o, default_fmt))
		return true;
	for (i = 0; i < o->out.n; i++)
		if ((ops = output_ops(o, i)) && ops->uses_samples)
			return true;
	return false;
}

/* perf script without the time field gives every sample time 0. */
static bool any_time(const struct fg_profile *p)
{
	const struct fg_sample *s;
	size_t n, i;

	s = fg_profile__samples(p, &n);
	for (i = 0; i < n; i++)
		if (s[i].time)
			return true;
	return false;
}

int cli_check_times(const struct fg_input_ops *in, const char *path,
		    const struct fg_profile *p, const struct fg_opts *o,
		    const char *default_fmt)
{
	if (!in || !outputs_need_times(o, default_fmt))
		return 0;
	if (!in->has_times)
		return cli_error("%s: %s have no sample times, which a heatmap needs: give perf script text or perf.data",
				 path, in->desc);
	if (!any_time(p))
		return cli_error("%s: no sample has a time: record with perf record "
				 "(times are on by default) and keep the time field in perf script -F",
				 path);
	return 0;
}

int cli_report_file(const char *path, int argc, char **argv, int skip,
		    const char *default_fmt)
{
	char **rargv = calloc((size_t)argc + 6, sizeof(*rargv));
	bool any_out = false, has_format = false;
	int i, n = 0, rc;

	if (!rargv)
		return cli_error("out of memory");
	rargv[n++] = "report";
	rargv[n++] = "-i";
	rargv[n++] = (char *)path;
	for (i = 1; i < argc; i++) {
		if (i == skip)
			continue;
		if (!strcmp(argv[i], "-o") || !strncmp(argv[i], "--out", 5))
			any_out = true;
		if (!strncmp(argv[i], "--format", 8))
			has_format = true;
		rargv[n++] = argv[i];
	}
	if (!any_out) {	/* as every command: the default output on stdout */
		rargv[n++] = "-o";
		rargv[n++] = "-";
		if (!has_format) {
			static char fmt[32];

			snprintf(fmt, sizeof(fmt), "--format=%s", default_fmt);
			rargv[n++] = fmt;
		}
	}
	rc = cmd_report(n, rargv);
	free(rargv);
	return rc;
}
