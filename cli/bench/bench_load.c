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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int bench__load_start(struct bench *b)
{
	char lua[160], dur[32], thr[16], conn[16], *argv[16], *cmd;
	int n = 0;

	b->load_proc = -1;
	if (b->no_load)
		return 0;
	if (asprintf(&b->load_out, "%s/load.out", b->rundir) < 0)
		return -ENOMEM;
	if (b->load_cmd) {
		cmd = bench__subst(b->load_cmd, b, NULL);
		if (!cmd)
			return -ENOMEM;
		b->load_proc = bench__spawn(b, "load", cmd, b->load_out, NULL,
					    b->builtin);
		free(cmd);
		return b->load_proc < 0 ? b->load_proc : 0;
	}
	if (!b->url)
		return 0;
	snprintf(dur, sizeof(dur), "%ds", b->duration);
	snprintf(thr, sizeof(thr), "%d", b->threads);
	snprintf(conn, sizeof(conn), "%d", b->conn);
	argv[n++] = "wrk";
	argv[n++] = "--latency";
	argv[n++] = "-t";
	argv[n++] = thr;
	argv[n++] = "-c";
	argv[n++] = conn;
	argv[n++] = "-d";
	argv[n++] = dur;
	if (b->qps > 0) {
		int err = write_pacing(b, lua, sizeof(lua));

		if (err)
			return err;
		argv[n++] = "-s";
		argv[n++] = lua;
	}
	argv[n++] = b->url;
	argv[n] = NULL;
	b->load_proc = bench__spawn_argv(b, "load", argv, b->load_out, NULL,
					 b->builtin);
	return b->load_proc < 0 ? b->load_proc : 0;
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

/* Reads wrk's report (also that of a --load-command running wrk). */
int bench__load_parse(struct bench *b)
{
	struct bench_load_result *l = &b->load;
	char line[512];
	FILE *fp;

	if (!b->load_out)
		return 0;
	fp = fopen(b->load_out, "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char a[64], c[64], d[64];
		double pct;
		unsigned long long u1, u2;

		if (sscanf(line, " Latency %63s %63s %63s", a, c, d) == 3 &&
		    strchr(line, '%')) {
			l->lat_avg_ms = to_ms(a);
			l->lat_max_ms = to_ms(d);
		} else if (sscanf(line, " %lf%% %63s", &pct, a) == 2) {
			double v = to_ms(a);

			if (pct == 50)
				l->p50_ms = v;
			else if (pct == 75)
				l->p75_ms = v;
			else if (pct == 90)
				l->p90_ms = v;
			else if (pct == 99)
				l->p99_ms = v;
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
			char *p = strstr(line, "write");

			if (p)
				sscanf(p, "write %llu, timeout %llu", &w, &t);
			l->errors += u1 + u2 + w + t;
		}
	}
	fclose(fp);
	return 0;
}
