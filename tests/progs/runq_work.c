// SPDX-License-Identifier: GPL-2.0
/*
 * Run-queue latency with and without contention. Two spinners (comm
 * rqspin) and a worker (comm rqwork) that does 2 ms of CPU work, then
 * sleeps 1 ms, N times (argv[2], default 300).
 *   runq_work pinned [N]   all three on the first allowed CPU: the worker
 *                          waits behind the spinners after each wakeup
 *   runq_work free [N]     no spinners, the worker alone
 *   ... [N] rr             all threads SCHED_RR priority 1 (root): the
 *                          machine's other (CFS) load cannot delay them,
 *                          only each other (RR slices are 100 ms)
 * Prints "rqwork tid=T wall_ns=W" at the end.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static volatile int done;
static int cpu = -1;
static long rounds = 300;

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static bool rr;

static void pin(void)
{
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t set;

	if (rr && sched_setscheduler(0, SCHED_RR, &sp))
		perror("sched_setscheduler");

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
}

static __attribute__((noinline)) unsigned long burn(unsigned long x)
{
	int i;

	for (i = 0; i < 1000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

static void *spinner(void *arg)
{
	unsigned long x = 1;

	prctl(PR_SET_NAME, "rqspin", 0, 0, 0);
	pin();
	while (!done)
		x = burn(x);
	return (void *)(x & 1);
}

static void *worker(void *arg)
{
	struct timespec ms = { 0, 1000000 };
	unsigned long x = 1;
	long i;

	prctl(PR_SET_NAME, "rqwork", 0, 0, 0);
	pin();
	*(long *)arg = syscall(SYS_gettid);
	for (i = 0; i < rounds; i++) {
		uint64_t end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + 2000000;

		while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
			x = burn(x);
		nanosleep(&ms, NULL);
	}
	return (void *)(x & 1);
}

int main(int argc, char **argv)
{
	bool pinned = argc > 1 && !strcmp(argv[1], "pinned");
	pthread_t s[2], w;
	long tid = 0;
	uint64_t t0;
	cpu_set_t set;
	int i;

	if (argc > 2)
		rounds = atol(argv[2]);
	rr = argc > 3 && !strcmp(argv[3], "rr");
	if (pinned && !sched_getaffinity(0, sizeof(set), &set))
		for (i = 0; i < CPU_SETSIZE && cpu < 0; i++)
			if (CPU_ISSET(i, &set))
				cpu = i;
	t0 = clock_ns(CLOCK_MONOTONIC);
	for (i = 0; pinned && i < 2; i++)
		pthread_create(&s[i], NULL, spinner, NULL);
	pthread_create(&w, NULL, worker, &tid);
	pthread_join(w, NULL);
	done = 1;
	for (i = 0; pinned && i < 2; i++)
		pthread_join(s[i], NULL);
	printf("rqwork tid=%ld wall_ns=%llu\n", tid,
	       (unsigned long long)(clock_ns(CLOCK_MONOTONIC) - t0));
	return 0;
}
