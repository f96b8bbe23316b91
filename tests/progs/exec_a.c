// SPDX-License-Identifier: GPL-2.0
/*
 * exec_a and exec_b have the same layout (no-pie), so alpha_spin sits at
 * the same address in both: a cache keyed on (pid, address) alone would
 * name exec_b's samples after exec_a. exec_a spins, then execs argv[1].
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) void alpha_spin(double ms)
{
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 2000; i++)
			sink += i;
}

int main(int argc, char **argv)
{
	alpha_spin(400);
	if (argc > 1)
		{ execv(argv[1], (char *[]){ argv[1], NULL }); }
	return 0;
}
