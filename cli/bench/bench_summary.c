// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: the summary, as text on stdout and beside the graphs, and as JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <flame/collapse.h>
#include <flame/gperf.h>

#include "bench.h"
#include "cmd.h"

static void json_str(struct fg_buf *j, const char *s)
{
	if (!s) {
		fg_buf__adds(j, "null");
		return;
	}
	fg_buf__add_json(j, s, strlen(s));
}

/* Copy a small text file (the load's report); 0 on success. */
static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	FILE *in = fopen(from, "re"), *out;
	size_t n, total = 0;
	int rc = 0;

	if (!in)
		return -errno;
	out = fopen(to, "we");
	if (!out) {
		rc = -errno;
		fclose(in);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && total < (64u << 20)) {
		if (fwrite(buf, 1, n, out) != n)
			rc = -EIO;
		total += n;
	}
	fclose(in);
	if (fclose(out))
		rc = -errno;
	return rc;
}

static void load_text(const struct bench *b, struct fg_buf *t, const char *report)
{
	const struct bench_load_result *l = &b->load;
	const char *why = bench__no_load_reason(b);

	if (why) {
		fg_buf__addf(t, "  load: none (%s)\n", why);
		return;
	}
	if (l->have) {
		fg_buf__addf(t, "  load (%s): %.1f req/s achieved (%llu requests in %.2fs, %llu errors); "
			     "latency ms: avg %.3f p50 %.3f p75 %.3f p90 %.3f p99 %.3f max %.3f\n",
			     l->tool, l->rps, (unsigned long long)l->requests, l->seconds,
			     (unsigned long long)l->errors, l->lat_avg_ms, l->p50_ms,
			     l->p75_ms, l->p90_ms, l->p99_ms, l->lat_max_ms);
	} else {
		fg_buf__addf(t, "  load: %s ran (exit %d); figures not parsed (not a wrk, hey or ab report)\n",
			     b->load_cmd ? "--load-command" : b->load_tool, l->status);
	}
	if (report)
		fg_buf__addf(t, "    its report: %s\n", report);
}

static void load_json(const struct bench *b, struct fg_buf *j, const char *report)
{
	const struct bench_load_result *l = &b->load;
	const char *why = bench__no_load_reason(b);

	if (why) {
		fg_buf__adds(j, "{\"ran\": false, \"why\": ");
		json_str(j, why);
		fg_buf__adds(j, "}");
		return;
	}
	fg_buf__adds(j, "{\"ran\": true, \"tool\": ");
	json_str(j, l->have ? l->tool : NULL);
	fg_buf__adds(j, ", \"command\": ");
	json_str(j, b->load_cmd);
	fg_buf__addf(j, ", \"exit\": %d, \"parsed\": %s, \"report\": ", l->status,
		     l->have ? "true" : "false");
	json_str(j, report);
	if (l->have)
		fg_buf__addf(j, ", \"qps\": %.2f, \"requests\": %llu, \"seconds\": %.3f, "
			     "\"errors\": %llu, \"latency_ms\": {\"avg\": %.4f, \"p50\": %.4f, "
			     "\"p75\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"max\": %.4f}",
			     l->rps, (unsigned long long)l->requests, l->seconds,
			     (unsigned long long)l->errors, l->lat_avg_ms, l->p50_ms,
			     l->p75_ms, l->p90_ms, l->p99_ms, l->lat_max_ms);
	fg_buf__adds(j, "}");
}

/*
 * A sidecar's CPU figures over the run: text under its heading, and the
 * members of its JSON "cpu" object. Further CPU figures of the sidecar
 * (its cgroup's quota and throttling, ...) belong here too.
 */
static void sidecar_cpu(const struct bench *b, const struct bench_sidecar *sc,
			struct fg_buf *t, struct fg_buf *j)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	if (!sc->cpu_known) {
		fg_buf__adds(t, "    cpu: unknown (the process was gone)\n");
		fg_buf__adds(j, "\"cpu\": {\"seconds\": null}");
		return;
	}
	fg_buf__addf(t, "    cpu: %.2f s in the %d s run (user %.2f s, system %.2f s; /proc/%d/stat)\n",
		     sc->cpu_s, b->duration, (double)sc->utime / hz, (double)sc->stime / hz,
		     (int)sc->pid);
	fg_buf__addf(j, "\"cpu\": {\"seconds\": %.3f, \"user_s\": %.3f, \"system_s\": %.3f}",
		     sc->cpu_s, (double)sc->utime / hz, (double)sc->stime / hz);
}

static void profile_text(const struct bench *b, const struct bench_profile *pr,
			 struct fg_buf *t, const char *ind)
{
	const char *unit = pr->unit ? pr->unit : "samples";
	int k;

	fg_buf__addf(t, "%sprofile %s: ", ind, pr->name);
	if (pr->empty)
		fg_buf__addf(t, "EMPTY: %s\n", pr->error);
	else if (pr->error)
		fg_buf__addf(t, "FAILED: %s\n", pr->error);
	else
		fg_buf__addf(t, "%s, %llu %s in %llu stacks\n", pr->kind,
			     (unsigned long long)pr->total, unit,
			     (unsigned long long)pr->stacks);
	if (pr->note && !pr->error)
		fg_buf__addf(t, "%s  note: %s\n", ind, pr->note);
	for (k = 0; k < pr->nr_top; k++)
		fg_buf__addf(t, "%s  %5.1f%%  %s\n", ind,
			     pr->total ? 100.0 * (double)pr->top[k].self / (double)pr->total : 0.0,
			     pr->top[k].name);
	for (k = 0; k < 3; k++)
		if (pr->paths[k])
			fg_buf__addf(t, "%s  wrote %s\n", ind, pr->paths[k]);
	if (pr->log)
		fg_buf__addf(t, "%s  log: %s\n", ind, pr->log);
	(void)b;
}

static void profile_json(const struct bench *b, const struct bench_profile *pr,
			 struct fg_buf *j)
{
	const struct bench_sidecar *sc = pr->sc < b->nr_sc ? &b->sc[pr->sc] : NULL;
	const char *unit = pr->unit ? pr->unit : "samples";
	int k;

	fg_buf__adds(j, "{\"name\": ");
	json_str(j, pr->name);
	fg_buf__addf(j, ", \"sidecar\": %d, \"role\": ", sc ? pr->sc : -1);
	json_str(j, sc ? sc->role : NULL);
	fg_buf__adds(j, ", \"command\": ");
	json_str(j, pr->cmd ? pr->cmd : b->envoy_profiler);
	fg_buf__adds(j, ", \"kind\": ");
	json_str(j, pr->kind);
	fg_buf__addf(j, ", \"empty\": %s, \"error\": ", pr->empty ? "true" : "false");
	json_str(j, pr->error);
	fg_buf__adds(j, ", \"note\": ");
	json_str(j, pr->note);
	fg_buf__adds(j, ", \"log\": ");
	json_str(j, pr->log);
	fg_buf__addf(j, ", \"unit\": \"%s\", \"total\": %llu, \"stacks\": %llu, \"files\": {",
		     unit, (unsigned long long)pr->total, (unsigned long long)pr->stacks);
	fg_buf__adds(j, "\"svg\": ");
	json_str(j, pr->paths[0]);
	fg_buf__adds(j, ", \"folded\": ");
	json_str(j, pr->paths[1]);
	fg_buf__adds(j, ", \"html\": ");
	json_str(j, pr->paths[2]);
	fg_buf__adds(j, "}, \"top\": [");
	for (k = 0; k < pr->nr_top; k++) {
		fg_buf__adds(j, k ? ", {\"frame\": " : "{\"frame\": ");
		json_str(j, pr->top[k].name);
		fg_buf__addf(j, ", \"self\": %llu}", (unsigned long long)pr->top[k].self);
	}
	fg_buf__adds(j, "]}");
}

int bench__write_summary(struct bench *b)
{
	struct fg_buf t = FG_BUF_INIT, j = FG_BUF_INIT;
	char *label = bench__file_part(b->label), *jpath = NULL, *tpath = NULL;
	char *load_report = NULL;
	bool no_load = bench__no_load_reason(b) != NULL;
	const struct bench_sidecar *first = b->nr_sc ? &b->sc[0] : NULL;
	int i, s, n, err, rc = 0;

	/* the load tool's own report, kept beside the summary */
	if (!b->convert && b->load_out && label &&
	    asprintf(&load_report, "%s/%s_%s-load.txt", b->outdir, b->stamp, label) > 0 &&
	    copy_file(b->load_out, load_report)) {
		free(load_report);
		load_report = NULL;
	}
	if (b->convert)
		fg_buf__addf(&t, "flame bench %s: label %s (conversion only)\n",
			     b->stamp, b->label);
	else if (no_load)
		fg_buf__addf(&t, "flame bench %s: label %s, duration %ds, no load\n",
			     b->stamp, b->label, b->duration);
	else
		fg_buf__addf(&t, "flame bench %s: label %s, duration %ds, qps %d, conn %d\n",
			     b->stamp, b->label, b->duration, b->qps, b->conn);
	if (b->builtin)
		fg_buf__addf(&t, "  topology: %s; pod %s%s%s\n",
			     b->client_netns[0] ?
			     "load -> client sidecar -> server sidecar -> backend" :
			     "load -> sidecar -> backend",
			     b->pod_netns, b->client_netns[0] ? ", client pod " : "",
			     b->client_netns);
	if (!b->convert)
		load_text(b, &t, load_report);

	fg_buf__adds(&j, "{\n  \"stamp\": ");
	json_str(&j, b->stamp);
	fg_buf__adds(&j, ",\n  \"label\": ");
	json_str(&j, b->label);
	fg_buf__addf(&j, ",\n  \"builtin_topology\": %s,\n  \"duration_s\": %d,\n",
		     b->builtin ? "true" : "false", b->duration);
	if (no_load || b->convert)
		fg_buf__adds(&j, "  \"qps_target\": null,\n  \"conn\": null,\n");
	else
		fg_buf__addf(&j, "  \"qps_target\": %d,\n  \"conn\": %d,\n", b->qps, b->conn);
	/* the first sidecar's, as before several could be given */
	fg_buf__addf(&j, "  \"sidecar_pid\": %d,\n  \"sidecar_nspid\": %d,\n  \"pod_netns\": ",
		     first ? (int)first->pid : 0, first ? (int)first->nspid : 0);
	json_str(&j, b->pod_netns[0] ? b->pod_netns : NULL);
	fg_buf__adds(&j, ",\n  \"client_pod_netns\": ");
	json_str(&j, b->client_netns[0] ? b->client_netns : NULL);
	fg_buf__addf(&j, ",\n  \"backend_pid\": %d,\n  \"load\": ", (int)b->backend_pid);
	if (b->convert)
		fg_buf__adds(&j, "null");
	else
		load_json(b, &j, load_report);

	/* one section per sidecar, its profiles under it */
	fg_buf__adds(&j, ",\n  \"sidecars\": [");
	for (s = 0; s < b->nr_sc; s++) {
		const struct bench_sidecar *sc = &b->sc[s];

		if (sc->role)
			fg_buf__addf(&t, "  sidecar %s: pid %d (pid %d in its namespace), %s\n",
				     sc->role, (int)sc->pid, (int)sc->nspid, sc->comm);
		else
			fg_buf__addf(&t, "  sidecar: pid %d (pid %d in its namespace), %s\n",
				     (int)sc->pid, (int)sc->nspid, sc->comm);
		fg_buf__adds(&j, s ? ",\n    {\"role\": " : "\n    {\"role\": ");
		json_str(&j, sc->role);
		fg_buf__addf(&j, ", \"pid\": %d, \"nspid\": %d, \"comm\": ", (int)sc->pid,
			     (int)sc->nspid);
		json_str(&j, sc->comm);
		if (sc->fp_total && !sc->fp_err)
			fg_buf__addf(&j, ", \"frame_pointers\": {\"with\": %d, \"functions\": %d}",
				     sc->fp_with, sc->fp_total);
		else
			fg_buf__adds(&j, ", \"frame_pointers\": null");
		fg_buf__adds(&j, ", ");
		if (!b->convert)
			sidecar_cpu(b, sc, &t, &j);
		else
			fg_buf__adds(&j, "\"cpu\": null");
		fg_buf__adds(&j, ", \"cgroup_cpu\": ");
		bench__cpu_summary(b, sc, &t, &j);
		fg_buf__adds(&j, ", \"profiles\": [");
		for (i = 0, n = 0; i < b->nr_prof; i++) {
			if (b->prof[i].sc != s)
				continue;
			profile_text(b, &b->prof[i], &t, "    ");
			fg_buf__addf(&j, n++ ? ", %d" : "%d", i);
		}
		fg_buf__adds(&j, "]}");
	}
	fg_buf__adds(&j, "\n  ]");
	/* profiles of no sidecar (Envoy's admin without a process, a conversion) */
	for (i = 0; i < b->nr_prof; i++)
		if (b->prof[i].sc >= b->nr_sc)
			profile_text(b, &b->prof[i], &t, "  ");

	fg_buf__adds(&j, ",\n  \"profiles\": [");
	for (i = 0; i < b->nr_prof; i++) {
		struct bench_profile *pr = &b->prof[i];

		fg_buf__adds(&j, i ? ",\n    " : "\n    ");
		profile_json(b, pr, &j);
		if ((pr->error && !pr->empty) || (pr->empty && !b->allow_empty))
			rc = 1;
	}
	fg_buf__adds(&j, "\n  ]\n}\n");

	if (label && asprintf(&jpath, "%s/%s_%s-summary.json", b->outdir, b->stamp, label) > 0 &&
	    asprintf(&tpath, "%s/%s_%s-summary.txt", b->outdir, b->stamp, label) > 0) {
		fg_buf__addf(&t, "  summary: %s\n", jpath);
		if (rc)
			fg_buf__adds(&t, b->allow_empty ? "  exit status 1: a profile failed\n" :
				     "  exit status 1: a profile failed or is empty (--allow-empty accepts empty ones)\n");
		err = fg_file__write(jpath, j.buf, j.len);
		if (err)
			rc = cli_error("bench: writing %s: %s", jpath, strerror(-err));
		err = fg_file__write(tpath, t.buf, t.len);
		if (err)
			rc = cli_error("bench: writing %s: %s", tpath, strerror(-err));
	}
	fg_buf__write(&t, stdout);
	fflush(stdout);
	fg_buf__release(&t);
	fg_buf__release(&j);
	free(jpath);
	free(tpath);
	free(label);
	free(load_report);
	return rc;
}
