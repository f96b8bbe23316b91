// SPDX-License-Identifier: GPL-2.0
/*
 * Known blocking for the off-CPU tests. Five threads, each named for ps/perf
 * (comm offA..offE) and each measuring its own blocked time with
 * CLOCK_MONOTONIC and CLOCK_THREAD_CPUTIME_ID around every blocking call
 * (blocked = wall time of the call minus the CPU time the thread spent in
 * it: syscall entry/exit and a recorder's work in the thread's context are
 * on the CPU, not blocked):
 *   offA  sleeps N x 1 ms (N = 2000, or argv[1])
 *   offB  sleeps once for 2 s (argv[2] ms)
 *   offC  read()s a pipe that offD writes every 100 ms
 *   offD  sleeps 100 ms, writes one byte, 20 times
 *   offE  spins until the others are done (blocked time 0)
 * Prints one line per thread at the end:
 *   offA tid=123 calls=2000 blocked_ns=2123456789 wall_ns=2145678901
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

struct res {
	const char *name;
	long tid;
	long calls;
	uint64_t blocked_ns, wall_ns;
};

static struct res res[5] = {
	{ "offA" }, { "offB" }, { "offC" }, { "offD" }, { "offE" },
};
static int pipefd[2];
static volatile int done;
static long a_sleeps = 2000, b_ms = 2000, d_writes = 20;

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct mark {
	uint64_t wall, cpu;
};

static struct mark mark(void)
{
	struct mark m = { clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_THREAD_CPUTIME_ID) };

	return m;
}

static void account(struct res *r, struct mark m0)
{
	struct mark m1 = mark();
	uint64_t wall = m1.wall - m0.wall, cpu = m1.cpu - m0.cpu;

	r->wall_ns += wall;
	r->blocked_ns += wall > cpu ? wall - cpu : 0;
	r->calls++;
}

static void start(struct res *r)
{
	prctl(PR_SET_NAME, r->name, 0, 0, 0);
	r->tid = syscall(SYS_gettid);
}

static void sleep_ns(struct res *r, long ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };
	struct mark m0 = mark();

	nanosleep(&ts, NULL);
	account(r, m0);
}

static void *thread_a(void *arg)
{
	long i;

	start(arg);
	for (i = 0; i < a_sleeps; i++)
		sleep_ns(arg, 1000000);
	return NULL;
}

static void *thread_b(void *arg)
{
	start(arg);
	sleep_ns(arg, b_ms * 1000000);
	return NULL;
}

static void *thread_c(void *arg)
{
	struct res *r = arg;
	char c;

	start(r);
	for (;;) {
		struct mark m0 = mark();
		ssize_t n = read(pipefd[0], &c, 1);

		account(r, m0);
		if (n <= 0 || c == 'q')
			break;
	}
	return NULL;
}

static __attribute__((noinline)) void d_write_pipe(char c)
{
	if (write(pipefd[1], &c, 1) != 1)
		abort();
}

static void *thread_d(void *arg)
{
	long i;

	start(arg);
	for (i = 0; i < d_writes; i++) {
		sleep_ns(arg, 100000000);
		d_write_pipe(i + 1 == d_writes ? 'q' : 'x');
	}
	return NULL;
}

static __attribute__((noinline)) unsigned long e_spin(unsigned long x)
{
	int i;

	for (i = 0; i < 1000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

static void *thread_e(void *arg)
{
	unsigned long x = 1;

	start(arg);
	while (!done)
		x = e_spin(x);
	return (void *)(x & 1);
}

int main(int argc, char **argv)
{
	void *(*fn[5])(void *) = { thread_a, thread_b, thread_c, thread_d, thread_e };
	pthread_t t[5];
	int i;

	if (argc > 1)
		a_sleeps = atol(argv[1]);
	if (argc > 2)
		b_ms = atol(argv[2]);
	if (argc > 3)
		d_writes = atol(argv[3]);
	if (pipe(pipefd))
		return 1;
	for (i = 0; i < 5; i++)
		if (pthread_create(&t[i], NULL, fn[i], &res[i]))
			return 1;
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	done = 1;
	pthread_join(t[4], NULL);
	for (i = 0; i < 5; i++)
		printf("%s tid=%ld calls=%ld blocked_ns=%llu wall_ns=%llu\n",
		       res[i].name, res[i].tid, res[i].calls,
		       (unsigned long long)res[i].blocked_ns,
		       (unsigned long long)res[i].wall_ns);
	return 0;
}
