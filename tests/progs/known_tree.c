// SPDX-License-Identifier: GPL-2.0
/*
 * A workload whose call tree is known: main -> phase_one (2/3 of the CPU
 * time: half in leaf_one_a, half in leaf_one_b), then main -> phase_two
 * (1/3, all in leaf_two). Usage: known_tree [milliseconds, default 1500]
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

__attribute__((noinline)) static void spin(double ms)
{
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 2000; i++)
			sink += i;
}

__attribute__((noinline)) void leaf_one_a(double ms) { spin(ms); sink++; }
__attribute__((noinline)) void leaf_one_b(double ms) { spin(ms); sink++; }
__attribute__((noinline)) void leaf_two(double ms) { spin(ms); sink++; }

__attribute__((noinline)) void phase_one(double ms)
{
	leaf_one_a(ms / 2);
	leaf_one_b(ms / 2);
	sink++;
}

__attribute__((noinline)) void phase_two(double ms)
{
	leaf_two(ms);
	sink++;
}

int main(int argc, char **argv)
{
	double total = argc > 1 ? atof(argv[1]) : 1500;

	phase_one(total * 2 / 3);
	phase_two(total / 3);
	return 0;
}
