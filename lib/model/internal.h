/* SPDX-License-Identifier: GPL-2.0 */
/* Private helpers of the core library. */
#ifndef FLAME_INTERNAL_H
#define FLAME_INTERNAL_H

#include <flame/flame.h>
#include <flame/mem.h>

void fg__print(enum fg_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(fmt, ...)  fg__print(FG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)  fg__print(FG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) fg__print(FG_DEBUG, fmt, ##__VA_ARGS__)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
