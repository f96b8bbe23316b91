// SPDX-License-Identifier: GPL-2.0
/*
 * The input table (include/flame/input.h): one entry per format a profile
 * comes from. Adding a format = one probe, one read, one line below.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <flame/input.h>
#include "internal.h"
#include "reader.h"

#define GPERF_MAX	(1u << 30)	/* a gperftools profile is read whole */

void fg_input_opts__init(struct fg_input_opts *o)
{
	memset(o, 0, sizeof(*o));
	fg_collapse_opts__init(&o->collapse);
}

/* ---- perf.data: probed here, rendered through perf + flame.so ---- */

static bool perf_data_probe(const char *data, size_t len)
{
	return len >= 8 && !memcmp(data, "PERFILE2", 8);
}

static int perf_data_read(struct fg_profile *p, struct fg_reader *r,
			  const struct fg_input_opts *o,
			  struct fg_input_stats *st)
{
	return -ENOTSUP;
}

/* ---- gperftools CPU and heap profiles ---- */

static bool gperf_cpu_probe(const char *data, size_t len)
{
	return fg_gperf__detect(data, len) == FG_GPERF_CPU;
}

static bool gperf_heap_probe(const char *data, size_t len)
{
	return fg_gperf__detect(data, len) == FG_GPERF_HEAP;
}

static int gperf_read(struct fg_profile *p, struct fg_reader *r,
		      const struct fg_input_opts *o, struct fg_input_stats *st)
{
	struct fg_gperf_stats gs = { 0 };
	struct fg_buf all = FG_BUF_INIT;
	const char *d;
	size_t len;
	int ret;

	while ((ret = fg_reader__block(r, 1 << 20, &d, &len)) > 0) {
		if (all.len + len > GPERF_MAX) {
			ret = -EFBIG;
			break;
		}
		if (fg_buf__add(&all, d, len)) {
			ret = -ENOMEM;
			break;
		}
	}
	if (!ret || ret == -EIO) {
		int rr = fg_gperf__read_mem(p, all.buf ? all.buf : "", all.len,
					    &o->gperf, &gs);

		if (rr)
			ret = rr;
	}
	st->samples = gs.records;
	st->bad = gs.bad_records;
	fg_buf__release(&all);
	return ret;
}

/* ---- perf script text and folded stacks ---- */

static bool perf_script_probe(const char *data, size_t len)
{
	return fg_input__guess_data(data, len) == FG_INPUT_PERF_SCRIPT;
}

static int perf_script_read(struct fg_profile *p, struct fg_reader *r,
			    const struct fg_input_opts *o,
			    struct fg_input_stats *st)
{
	struct fg_collapse_stats cs;
	int ret = fg_collapse__read(p, r, &o->collapse, &cs);

	st->samples = cs.samples;
	st->lines = cs.lines;
	st->bad = cs.bad_lines;
	return ret;
}

static bool folded_probe(const char *data, size_t len)
{
	return fg_input__guess_data(data, len) == FG_INPUT_FOLDED;
}

static int folded_read(struct fg_profile *p, struct fg_reader *r,
		       const struct fg_input_opts *o, struct fg_input_stats *st)
{
	struct fg_folded_stats fs = { 0 };
	int ret = fg_folded__read(p, r, &fs);

	st->samples = fs.lines - fs.bad_lines;
	st->lines = fs.lines;
	st->bad = fs.bad_lines;
	return ret;
}

const struct fg_input_ops fg_inputs[] = {
	{ "perf.data", "perf.data (perf record)", true, perf_data_probe,
	  perf_data_read },
	{ "gperf-cpu", "gperftools CPU profile", false, gperf_cpu_probe,
	  gperf_read },
	{ "gperf-heap", "gperftools heap profile", false, gperf_heap_probe,
	  gperf_read },
	{ "perf-script", "perf script text", true, perf_script_probe,
	  perf_script_read },
	{ "folded", "folded stacks", false, folded_probe, folded_read },
	{ NULL },
};

const struct fg_input_ops *fg_input__find(const char *name)
{
	const struct fg_input_ops *in;

	for (in = fg_inputs; in->name; in++)
		if (!strcmp(in->name, name))
			return in;
	return NULL;
}

const struct fg_input_ops *fg_input__probe(struct fg_reader *r)
{
	const struct fg_input_ops *in;
	const char *data;
	size_t len;

	if (fg_reader__peek(r, &data, &len) || !len)
		return NULL;
	for (in = fg_inputs; in->name; in++)
		if (in->probe(data, len))
			return in;
	return NULL;
}

void fg_input__list(struct fg_buf *b)
{
	const struct fg_input_ops *in;

	for (in = fg_inputs; in->name; in++)
		fg_buf__addf(b, "%s%s", in == fg_inputs ? "" : ", ", in->name);
}
