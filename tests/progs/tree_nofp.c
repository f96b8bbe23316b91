// SPDX-License-Identifier: GPL-2.0
/*
 * The known call tree of known_tree, built -O2 -fomit-frame-pointer (the
 * Makefile's rule for *_nofp programs): no function keeps a frame pointer,
 * so only a DWARF unwind (perf record --call-graph dwarf) finds the callers.
 *   main -> outer_a -> inner_a -> crunch   (1/2 of the time)
 *   main -> outer_b -> crunch              (1/2)
 * Every call is followed by work, so -O2 turns none into a tail call, and
 * noipa keeps each function whole and named (no .isra/.constprop clones).
 * Usage: tree_nofp [milliseconds, default 1500]
 */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Pure computation between clock reads: samples land here, not in libc. */
__attribute__((noipa)) void crunch(double ms)
{
	double end = now_ms() + ms;
	unsigned long x = sink;

	while (now_ms() < end)
		for (int i = 0; i < 200000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	sink = x;
}

__attribute__((noipa)) void inner_a(double ms) { crunch(ms); sink++; }
__attribute__((noipa)) void outer_a(double ms) { inner_a(ms); sink++; }
__attribute__((noipa)) void outer_b(double ms) { crunch(ms); sink++; }

int main(int argc, char **argv)
{
	double total = argc > 1 ? atof(argv[1]) : 1500;

	outer_a(total / 2);
	outer_b(total / 2);
	sink++;
	return 0;
}
