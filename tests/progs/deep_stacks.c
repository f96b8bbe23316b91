// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark workload: deep, varied stacks. 48 functions call each other in
 * pseudo-random order to depths 8..40, on N threads, for S seconds. Each
 * walk starts from one of 2048 seeds, so a profile holds thousands of
 * distinct paths (like a real service) rather than one per sample.
 * Usage: deep_stacks [seconds=5] [threads=2]
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define NF 48
typedef void (*fn_t)(unsigned int d, unsigned int s);
static fn_t table[NF];
static volatile unsigned long sink;
static volatile int stop;

__attribute__((noinline)) static void burn(unsigned int s)
{
	unsigned int i, n = 2000 + (s & 4095);

	for (i = 0; i < n; i++)
		sink += i ^ s;
}

#define F(n)								\
	__attribute__((noinline)) void f##n(unsigned int d, unsigned int s) \
	{								\
		if (!d) {						\
			burn(s);					\
			return;						\
		}							\
		table[((s * 2654435761u) >> 11) % NF](d - 1,		\
			s * 1103515245u + 12345u + n);			\
		sink++;							\
	}

F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11)
F(12) F(13) F(14) F(15) F(16) F(17) F(18) F(19) F(20) F(21) F(22) F(23)
F(24) F(25) F(26) F(27) F(28) F(29) F(30) F(31) F(32) F(33) F(34) F(35)
F(36) F(37) F(38) F(39) F(40) F(41) F(42) F(43) F(44) F(45) F(46) F(47)

static fn_t all[NF] = {
	f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11,
	f12, f13, f14, f15, f16, f17, f18, f19, f20, f21, f22, f23,
	f24, f25, f26, f27, f28, f29, f30, f31, f32, f33, f34, f35,
	f36, f37, f38, f39, f40, f41, f42, f43, f44, f45, f46, f47,
};

static void *worker(void *arg)
{
	unsigned int s = (unsigned int)(unsigned long)arg * 7919u + 1;

	while (!stop) {
		unsigned int seed;

		s = s * 1103515245u + 12345u;
		seed = (s >> 8) % 2048 * 2654435761u;
		all[seed % NF](8 + (seed >> 8) % 33, seed);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5;
	int i, n = argc > 2 ? atoi(argv[2]) : 2;
	pthread_t th[64];
	struct timespec ts;

	for (i = 0; i < NF; i++)
		table[i] = all[i];
	if (n < 1 || n > 64)
		n = 2;
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)(unsigned long)i);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	stop = 1;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return 0;
}
