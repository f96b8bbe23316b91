// SPDX-License-Identifier: GPL-2.0
/* Message sink: the library never prints; the plugin/CLI decide. */
#include "internal.h"

static int default_print(enum fg_print_level level, const char *fmt,
			 va_list ap)
{
	if (level > FG_WARN)
		return 0;
	fputs("flame: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static fg_print_fn print_fn = default_print;

void fg_set_print(fg_print_fn fn)
{
	print_fn = fn ? fn : default_print;
}

void fg__print(enum fg_print_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}
