// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: folded stacks (plain or gzip) through the folded reader. */
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
	struct fg_profile *p;
	struct fg_reader *r;

	fg_set_print(quiet);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		goto out;
	lseek(fd, 0, SEEK_SET);
	p = fg_profile__new();
	r = fg_reader__fdopen(fd, "fuzz");
	if (p && r) {
		struct fg_folded_stats st;

		fg_folded__read(p, r, &st);
	}
	fg_reader__close(r);
	fg_profile__delete(p);
out:
	if (fd >= 0)
		close(fd);
	return 0;
}
