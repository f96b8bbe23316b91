// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: perf script text (plain or gzip) through the collapser. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <flame/collapse.h>

static int quiet(enum fg_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	struct fg_collapse_opts o;
	struct fg_profile *p;
	struct fg_reader *r;

	fg_set_print(quiet);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		goto out;
	lseek(fd, 0, SEEK_SET);
	fg_collapse_opts__init(&o);
	o.addrs = size & 1;
	o.tid = size & 2;
	o.kernel = o.jit = size & 4;
	o.weight = size & 8 ? FG_WEIGHT_PERIOD : FG_WEIGHT_SAMPLES;
	o.pid = size & 16;
	p = fg_profile__new();
	r = fg_reader__fdopen(fd, "fuzz");
	if (p && r) {
		fg_profile__keep_samples(p, size & 32);
		(void)fg_input__guess(r);
		fg_collapse__read(p, r, &o, NULL);
	}
	fg_reader__close(r);
	fg_profile__delete(p);
out:
	if (fd >= 0)
		close(fd);
	return 0;
}
