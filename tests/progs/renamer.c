// SPDX-License-Identifier: GPL-2.0
/*
 * Threads that rename themselves while their stack stays the same:
 * renamer SECONDS. The main thread and one worker spin in rename_spin()
 * and every 20 ms take the next of three names (prctl PR_SET_NAME), so
 * perf.data holds COMM records between samples of one unchanged callchain.
 * tests/integ/plugin_comm.sh checks flame.so names every sample as perf
 * does.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

static double seconds = 1.0;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile unsigned long sink;

__attribute__((noinline)) static void rename_spin(double until)
{
	while (now() < until)
		for (int i = 0; i < 20000; i++)
			sink += i;
}

static void *run(void *arg)
{
	const char *prefix = arg;
	double end = now() + seconds;
	char name[16];
	int i = 0;

	while (now() < end) {
		snprintf(name, sizeof(name), "%s%d", prefix, i++ % 3);
		prctl(PR_SET_NAME, name);
		rename_spin(now() + 0.02);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc > 1)
		seconds = atof(argv[1]);
	if (pthread_create(&t, NULL, run, "ren_work"))
		return 1;
	run("ren_main");
	pthread_join(t, NULL);
	return 0;
}
