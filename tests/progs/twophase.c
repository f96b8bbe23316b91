/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-phase CPU workload for the heatmap tests: phase_alpha burns CPU for
 * MS milliseconds of wall time, then phase_beta for MS more.
 *
 * usage: twophase [MS [TIMES]]      (default 2000)
 *
 * With TIMES, writes "alpha START END" and "beta START END" lines there
 * (CLOCK_MONOTONIC ns): with perf record -k CLOCK_MONOTONIC the sample
 * times are on the same clock, so tests know exactly where each phase is.
 *
 * Each phase spins in its own function (no shared leaf), so every sample
 * taken during a phase has that phase's function in its stack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Not static and not inlined: the names must show up in stacks. */
volatile uint64_t sink;

__attribute__((noinline)) uint64_t phase_alpha(uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000ull, x = 1;
	unsigned int i;

	do {
		for (i = 0; i < 20000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		sink = x;
	} while (now_ns() < end);
	return x;
}

__attribute__((noinline)) uint64_t phase_beta(uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000ull, x = 3;
	unsigned int i;

	do {
		for (i = 0; i < 20000; i++)
			x ^= (x << 13) ^ (x >> 7) ^ (x << 17);
		sink = x;
	} while (now_ns() < end);
	return x;
}

int main(int argc, char **argv)
{
	uint64_t ms = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000;
	uint64_t t[3];

	if (!ms) {
		fprintf(stderr, "usage: twophase [MS]\n");
		return 2;
	}
	t[0] = now_ns();
	sink = phase_alpha(ms);
	t[1] = now_ns();
	sink = phase_beta(ms);
	t[2] = now_ns();
	if (argc > 2) {
		FILE *fp = fopen(argv[2], "w");

		if (!fp) {
			perror(argv[2]);
			return 1;
		}
		fprintf(fp, "alpha %llu %llu\nbeta %llu %llu\n",
			(unsigned long long)t[0], (unsigned long long)t[1],
			(unsigned long long)t[1], (unsigned long long)t[2]);
		if (fclose(fp)) {
			perror(argv[2]);
			return 1;
		}
	}
	return 0;
}
