// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the Itanium C++ / Rust demangler on any name a symbol
 * table or a perf map may hold (no NUL inside: names are C strings).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <flame/collapse.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_buf b = FG_BUF_INIT;
	const char *name = (const char *)data;
	int err;

	if (memchr(data, 0, size))
		return 0;
	(void)fg_demangle__is_mangled(name, size);
	err = fg_demangle(&b, name, size);
	if (err == -EINVAL && b.len)
		abort();	/* "out untouched" when not mangled */
	if (!err && b.buf && strlen(b.buf) != b.len)
		abort();
	fg_buf__release(&b);
	return 0;
}
