// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: render. The input is option lines ("key=value" or
 * "key", as --key=value / --dlarg key=value) up to an empty line, then perf
 * script text or folded stacks (plain or gzip). Options the commands would
 * refuse (fg_output__check) end the run, as they do there; otherwise the
 * profile is rendered into every output format in memory. Options that
 * name files to write (out=, cp=) are not taken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <flame/collapse.h>

static int quiet(enum fg_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

static const struct fg_output_ops *const outputs[] = {
	&fg_output_folded, &fg_output_svg, &fg_output_heatmap,
	&fg_output_pprof, &fg_output_speedscope,
};

/* Options from the head of data; returns the length of the head. */
static size_t set_opts(struct fg_opts *o, const char *data, size_t size)
{
	const char *p = data, *end = data + size, *nl, *err;
	char line[512], *eq;
	size_t len;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!len)
			return (size_t)(p - data) + 1;
		if (len < sizeof(line) && !memchr(p, 0, len)) {
			memcpy(line, p, len);
			line[len] = '\0';
			eq = strchr(line, '=');
			if (eq)
				*eq++ = '\0';
			if (strcmp(line, "out") && strcmp(line, "cp") &&
			    strcmp(line, "format"))
				(void)fg_opt__set(fg_output_opts, o, line, eq,
						  &err);
		}
		if (!nl)
			return size;
		p = nl + 1;
	}
	return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_buf msg = FG_BUF_INIT, out = FG_BUF_INIT;
	struct fg_collapse_opts co;
	struct fg_profile *p = NULL;
	struct fg_reader *r = NULL;
	struct fg_opts o;
	size_t head, i;
	int fd = -1;

	fg_set_print(quiet);
	fg_opts__init(&o);
	head = set_opts(&o, (const char *)data, size);
	if (fg_output__check(&o, "svg", &msg))
		goto out;
	fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, data + head, size - head) != (ssize_t)(size - head))
		goto out;
	lseek(fd, 0, SEEK_SET);
	p = fg_profile__new();
	r = fg_reader__fdopen(fd, "fuzz");
	if (!p || !r)
		goto out;
	fg_profile__keep_samples(p, true);
	switch (fg_input__guess(r)) {
	case FG_INPUT_PERF_SCRIPT:
		fg_collapse_opts__init(&co);
		co.jit = co.kernel = true;
		co.weight = size & 1 ? FG_WEIGHT_PERIOD : FG_WEIGHT_SAMPLES;
		if (fg_collapse__read(p, r, &co, NULL))
			goto out;
		break;
	case FG_INPUT_FOLDED:
		if (fg_folded__read(p, r, NULL))
			goto out;
		break;
	default:
		goto out;
	}
	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		(void)outputs[i]->write(&out, p, &o);
		fg_buf__release(&out);
	}
out:
	fg_reader__close(r);
	fg_profile__delete(p);
	if (fd >= 0)
		close(fd);
	fg_buf__release(&msg);
	fg_opts__release(&o);
	return 0;
}
