// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: the load. wrk has no rate option, so --qps is paced with
 * wrk's Lua delay() hook: every connection waits conn/qps seconds before
 * each request (fractions carried over), which caps the rate at --qps when
 * the responses are faster than that gap (closed loop, like fortio -qps
 * with -c: a slow server lowers the achieved rate, reported as measured).
 * --qps 0 means as fast as wrk can.
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"
#include "cmd.h"

static int write_pacing(struct bench *b, char *path, size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/pace.lua", b->rundir);
	fp = fopen(path, "we");
	if (!fp)
		return -errno;
	fprintf(fp,
		"-- written by flame bench: --qps %d over --conn %d connections\n"
		"local gap = %.6f -- ms between requests of one connection\n"
		"local carry = 0\n"
		"function delay()\n"
		"  carry = carry + gap\n"
		"  local d = math.floor(carry)\n"
		"  carry = carry - d\n"
		"  return d\n"
		"end\n",
		b->qps, b->conn, 1000.0 * b->conn / b->qps);
	return fclose(fp) ? -errno : 0;
}

/* Why no load runs, or NULL when one does. */
const char *bench__no_load_reason(const struct bench *b)
{
	if (b->no_load)
		return "--no-load";
	if (!b->load_cmd && !b->url)
		return "no --url or --load-command for an existing sidecar";
	return NULL;
}

/* Append the strings up to NULL to argv at n, keep it NULL-terminated;
 * the new count. */
static int argv_add(char **argv, int n, ...)
{
	const char *a;
	va_list ap;

	va_start(ap, n);
	while ((a = va_arg(ap, const char *)) != NULL)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return n;
}

static int argv_wrk(struct bench *b, char **argv, char *bufs[4])
{
	char lua[160];
	int n;

	if (asprintf(&bufs[0], "%ds", b->duration) < 0 ||
	    asprintf(&bufs[1], "%d", b->threads) < 0 ||
	    asprintf(&bufs[2], "%d", b->conn) < 0)
		return -ENOMEM;
	n = argv_add(argv, 0, "wrk", "--latency", "-t", bufs[1], "-c", bufs[2],
		     "-d", bufs[0], NULL);
	if (b->qps > 0) {
		int err = write_pacing(b, lua, sizeof(lua));

		if (err)
			return err;
		bufs[3] = strdup(lua);
		if (!bufs[3])
			return -ENOMEM;
		n = argv_add(argv, n, "-s", bufs[3], NULL);
	}
	argv_add(argv, n, b->url, NULL);
	return 0;
}

/* hey: -z duration, -c workers, -q rate per worker (a float) */
static int argv_hey(struct bench *b, char **argv, char *bufs[4])
{
	int n;

	if (asprintf(&bufs[0], "%ds", b->duration) < 0 ||
	    asprintf(&bufs[1], "%d", b->conn) < 0 ||
	    asprintf(&bufs[2], "%.3f", b->qps > 0 ? (double)b->qps / b->conn : 0.0) < 0)
		return -ENOMEM;
	n = argv_add(argv, 0, "hey", "-z", bufs[0], "-c", bufs[1], NULL);
	if (b->qps > 0)
		n = argv_add(argv, n, "-q", bufs[2], NULL);
	argv_add(argv, n, b->url, NULL);
	return 0;
}

/* ab: -t limit, -n large (ab stops at whichever comes first), keep-alive;
 * ab has no rate limit */
static int argv_ab(struct bench *b, char **argv, char *bufs[4])
{
	if (asprintf(&bufs[0], "%d", b->duration) < 0 ||
	    asprintf(&bufs[1], "%d", b->conn) < 0)
		return -ENOMEM;
	argv_add(argv, 0, "ab", "-q", "-k", "-t", bufs[0], "-n", "2000000000",
		 "-c", bufs[1], b->url, NULL);
	return 0;
}

int bench__load_start(struct bench *b)
{
	char *argv[20], *bufs[4] = { NULL, NULL, NULL, NULL }, *cmd;
	int err, i;

	b->load_proc = -1;
	if (bench__no_load_reason(b))
		return 0;
	if (asprintf(&b->load_out, "%s/load.out", b->rundir) < 0)
		return -ENOMEM;
	b->load.ran = true;
	if (b->load_cmd) {
		cmd = bench__subst(b->load_cmd, b, NULL, NULL);
		if (!cmd)
			return -ENOMEM;
		b->load_proc = bench__spawn(b, "load", cmd, b->load_out,
					    b->load_out, b->load_ns);
		free(cmd);
		return b->load_proc < 0 ? b->load_proc : 0;
	}
	if (!strcmp(b->load_tool, "hey"))
		err = argv_hey(b, argv, bufs);
	else if (!strcmp(b->load_tool, "ab"))
		err = argv_ab(b, argv, bufs);
	else
		err = argv_wrk(b, argv, bufs);
	if (!err) {
		if (!getenv("FLAME_BENCH_QUIET")) {
			fprintf(stderr, "flame: bench: load:");
			for (i = 0; argv[i]; i++)
				fprintf(stderr, " %s", argv[i]);
			fputc('\n', stderr);
		}
		b->load_proc = bench__spawn_argv(b, "load", argv, b->load_out,
						 b->load_out, b->load_ns);
		err = b->load_proc < 0 ? b->load_proc : 0;
	}
	for (i = 0; i < 4; i++)
		free(bufs[i]);
	return err;
}

/* "1.23ms" / "850.00us" / "1.02s" / "2.00m" -> ms */
static double to_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	if (!strncmp(end, "us", 2))
		return v / 1000.0;
	if (!strncmp(end, "ms", 2))
		return v;
	if (*end == 's')
		return v * 1000.0;
	if (*end == 'm')
		return v * 60000.0;
	return v;
}

/* A latency percentile every tool prints (50, 75, 90, 99): into its
 * field; false for any other. */
static bool set_percentile(struct bench_load_result *l, double pct, double ms)
{
	if (pct == 50)
		l->p50_ms = ms;
	else if (pct == 75)
		l->p75_ms = ms;
	else if (pct == 90)
		l->p90_ms = ms;
	else if (pct == 99)
		l->p99_ms = ms;
	else
		return false;
	return true;
}

/* wrk --latency */
static void parse_wrk_line(struct bench_load_result *l, const char *line)
{
	char a[64], c[64], d[64];
	double pct;
	unsigned long long u1, u2;

	if (sscanf(line, " Latency %63s %63s %63s", a, c, d) == 3 &&
	    strchr(line, '%')) {
		l->lat_avg_ms = to_ms(a);
		l->lat_max_ms = to_ms(d);
	} else if (sscanf(line, " %lf%% %63s", &pct, a) == 2) {
		set_percentile(l, pct, to_ms(a));
	} else if (sscanf(line, " %llu requests in %63[^,]", &u1, a) == 2) {
		l->requests = u1;
		l->seconds = to_ms(a) / 1000.0;
	} else if (sscanf(line, "Requests/sec: %lf", &pct) == 1) {
		l->rps = pct;
		l->have = true;
	} else if (sscanf(line, " Non-2xx or 3xx responses: %llu", &u1) == 1) {
		l->errors += u1;
	} else if (sscanf(line, " Socket errors: connect %llu, read %llu", &u1, &u2) == 2) {
		unsigned long long w = 0, t = 0;
		const char *p = strstr(line, "write");

		if (p)
			sscanf(p, "write %llu, timeout %llu", &w, &t);
		l->errors += u1 + u2 + w + t;
	}
}

/*
 * hey's summary: seconds in "Total:", "Average:", "Slowest:"; percentiles as
 * "  50% in 0.0006 secs"; "[200]	442 responses" per status code; an error
 * distribution of "[N]	message". requests = responses + errors (hey's
 * Requests/sec counts both).
 */
static void parse_hey_line(struct bench_load_result *l, const char *line,
			   bool *in_errors)
{
	double v, pct;
	unsigned long long n;
	int code;

	if (strstr(line, "Error distribution:")) {
		*in_errors = true;
	} else if (*in_errors && sscanf(line, " [%llu]", &n) == 1) {
		l->errors += n;
		l->requests += n;
	} else if (sscanf(line, " Total: %lf secs", &v) == 1) {
		l->seconds = v;
	} else if (sscanf(line, " Slowest: %lf secs", &v) == 1) {
		l->lat_max_ms = v * 1000.0;
	} else if (sscanf(line, " Average: %lf secs", &v) == 1) {
		l->lat_avg_ms = v * 1000.0;
	} else if (sscanf(line, " Requests/sec: %lf", &v) == 1) {
		l->rps = v;
		l->have = true;
	} else if (sscanf(line, " %lf%% in %lf secs", &pct, &v) == 2) {
		set_percentile(l, pct, v * 1000.0);
	} else if (sscanf(line, " [%d] %llu responses", &code, &n) == 2) {
		l->requests += n;
		if (code < 200 || code >= 400)
			l->errors += n;
	}
}

/*
 * ab: "Complete requests:", "Failed requests:", "Non-2xx responses:",
 * "Requests per second:", "Time taken for tests:", the first "Time per
 * request:" (mean latency of one request), and the percentage table in
 * whole milliseconds ("100%" is the longest request).
 */
static void parse_ab_line(struct bench_load_result *l, const char *line)
{
	double v, pct;
	unsigned long long n;
	static const char tpr[] = "Time per request:";

	if (sscanf(line, "Complete requests: %llu", &n) == 1) {
		l->requests = n;
	} else if (sscanf(line, "Failed requests: %llu", &n) == 1) {
		l->errors += n;
	} else if (sscanf(line, "Non-2xx responses: %llu", &n) == 1) {
		l->errors += n;
	} else if (sscanf(line, "Requests per second: %lf", &v) == 1) {
		l->rps = v;
		l->have = true;
	} else if (sscanf(line, "Time taken for tests: %lf", &v) == 1) {
		l->seconds = v;
	} else if (!strncmp(line, tpr, sizeof(tpr) - 1) && !strstr(line, "across") &&
		   sscanf(line + sizeof(tpr) - 1, " %lf", &v) == 1) {
		l->lat_avg_ms = v;
	} else if (sscanf(line, " %lf%% %lf", &pct, &v) == 2) {
		if (!set_percentile(l, pct, v) && pct == 100)
			l->lat_max_ms = v;
	}
}

/* Which tool wrote this report (its first telling line). */
static const char *tool_of(const char *line)
{
	if (strstr(line, "Running ") && strstr(line, " test @ "))
		return "wrk";
	if (!strncmp(line, "This is ApacheBench", 19))
		return "ab";
	if (!strncmp(line, "Summary:", 8))
		return "hey";
	return NULL;
}

/*
 * The load's report: wrk's, hey's or ab's (also from a --load-command that
 * runs one of them); anything else ran but is "not parsed".
 */
int bench__load_parse(struct bench *b)
{
	struct bench_load_result *l = &b->load;
	double *v[7] = { &l->rps, &l->lat_avg_ms, &l->lat_max_ms, &l->p50_ms,
			 &l->p75_ms, &l->p90_ms, &l->p99_ms };
	bool in_errors = false;
	char line[1024];
	int i;
	FILE *fp;

	if (b->load_proc >= 0 && b->load_proc < b->nr_procs) {
		int st = b->procs[b->load_proc].status;

		l->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (!b->load_out)
		return 0;
	fp = fopen(b->load_out, "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		if (!l->tool) {
			l->tool = tool_of(line);
			if (!l->tool)
				continue;
		}
		if (!strcmp(l->tool, "wrk"))
			parse_wrk_line(l, line);
		else if (!strcmp(l->tool, "hey"))
			parse_hey_line(l, line, &in_errors);
		else
			parse_ab_line(l, line);
	}
	fclose(fp);
	if (!l->have)
		l->tool = NULL;
	/* hey prints NaN when no request succeeded */
	for (i = 0; i < 7; i++)
		if (!isfinite(*v[i]))
			*v[i] = 0;
	return 0;
}
