/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private helpers every folder of the core library shares (the print
 * callback, ARRAY_SIZE). On the include path of lib/ objects and the unit
 * tests only; a folder's own private headers sit in that folder and what
 * other folders use of it is in include/flame/ (make check-layout).
 */
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
