// SPDX-License-Identifier: GPL-2.0
/*
 * A dlfilter that prints, for each sample, the tracepoint fields that
 * perf_dlfilter_fns.tp_field (perf-patches/0004) decodes, in the words
 * perf script prints for the same events, so the two can be compared:
 *   sched:sched_switch      prev_comm=.. prev_pid=.. prev_prio=.. ==>
 *                           next_comm=.. next_pid=.. next_prio=..
 *   sched:sched_process_exec filename=.. pid=.. old_pid=..  (__data_loc)
 * checking that common_pid is the sample's tid (when perf knows it). Other samples: "EVENT tp_field=N" (N = what
 * tp_field returns for "common_pid": -1 for a sample that is not a
 * tracepoint). A field that fails prints "BAD <field>"; an unknown field
 * must fail ("BAD unknown" if not). "(no api)" on a perf without it.
 * Keeps no sample. Used by tests/integ/perf_patched_tp.sh.
 */
#include <stdio.h>
#include <string.h>
#include <perf/perf_dlfilter.h>
#include "flame/perf_ext.h"

struct perf_dlfilter_fns perf_dlfilter_fns;

static fg_perf_tp_field_fn fn;
static void *cur;

static long long num(const char *name)
{
	__u64 v = 0;
	const void *d = NULL;

	if (fn(cur, name, &v, &d) < 0 || !d) {
		printf("BAD %s ", name);
		return 0;
	}
	return (long long)v;
}

static void str(const char *name, char *buf, size_t len)
{
	const void *d = NULL;
	__u64 v = 1;
	int n = fn(cur, name, &v, &d);
	size_t l;

	buf[0] = '\0';
	if (n < 0 || !d || v != 0) {
		printf("BAD %s ", name);
		return;
	}
	l = strnlen(d, (size_t)n);
	if (l >= len)
		l = len - 1;
	memcpy(buf, d, l);
	buf[l] = '\0';
}

int filter_event(void *data, const struct perf_dlfilter_sample *sample,
		 void *ctx)
{
	char a[4096], b[64];
	__u64 v;

	(void)data;
	fn = fg_perf__tp_field_fn(&perf_dlfilter_fns);
	cur = ctx;
	if (!fn) {
		printf("(no api)\n");
		return 1;
	}
	if (sample->event && !strcmp(sample->event, "sched:sched_switch")) {
		str("prev_comm", a, sizeof(a));
		printf("prev_comm=%s prev_pid=%lld prev_prio=%lld ==> ", a,
		       num("prev_pid"), num("prev_prio"));
		str("next_comm", b, sizeof(b));
		printf("next_comm=%s next_pid=%lld next_prio=%lld", b,
		       num("next_pid"), num("next_prio"));
	} else if (sample->event && !strcmp(sample->event, "sched:sched_process_exec")) {
		str("filename", a, sizeof(a));
		printf("filename=%s pid=%lld old_pid=%lld", a, num("pid"),
		       num("old_pid"));
	} else {
		printf("%s tp_field=%d\n", sample->event ? sample->event : "?",
		       (int)fn(ctx, "common_pid", &v, NULL));
		return 1;
	}
	if (fn(ctx, "no_such_field", &v, NULL) != -1)
		printf(" BAD unknown");
	/* perf gives an exiting thread's last switch-out tid -1 */
	if (num("common_pid") != sample->tid && (int)sample->tid != -1)
		printf(" BAD common_pid");
	printf("\n");
	return 1;
}
