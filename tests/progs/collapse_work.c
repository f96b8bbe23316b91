// SPDX-License-Identifier: GPL-2.0
/*
 * Known call tree for the collapser's golden tests:
 *   main -> phase_a -> spin_a   (about 2/3 of the CPU time)
 *   main -> phase_b -> spin_b   (about 1/3)
 * Usage: collapse_work [MILLISECONDS] (default 300)
 */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) void spin_a(double until)
{
	while (now_ms() < until)
		for (int i = 0; i < 10000; i++)
			sink += i;
}

__attribute__((noinline)) void spin_b(double until)
{
	while (now_ms() < until)
		for (int i = 0; i < 10000; i++)
			sink ^= i;
}

__attribute__((noinline)) void phase_a(double ms)
{
	spin_a(now_ms() + ms);
}

__attribute__((noinline)) void phase_b(double ms)
{
	spin_b(now_ms() + ms);
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 300;

	for (int round = 0; round < 3; round++) {
		phase_a(ms * 2 / 9);
		phase_b(ms / 9);
	}
	return 0;
}
