// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint formats from a real perf.data header (recorded here), the
 * tracefs fallback, tracefs made unreadable (a private mount namespace with
 * an empty tmpfs over it), prev_state letters and run-queue statistics.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <flame/flame.h>
#include <flame/sched.h>
#include <flame/tpfilter.h>

static char dir[64], sched_data[128], cpu_data[128];
static bool have_perf;

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
	char cmd[512];

	strcpy(dir, "/tmp/test_sched.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sched_data, sizeof(sched_data), "%s/sched.data", dir);
	snprintf(cpu_data, sizeof(cpu_data), "%s/cpu.data", dir);
	snprintf(cmd, sizeof(cmd),
		 "perf record -q --buildid-mmap -a -g -e sched:sched_switch -e sched:sched_waking -o %s -- sleep 0.2 >/dev/null 2>&1 && "
		 "perf record -q --buildid-mmap -e cpu-clock -o %s -- true >/dev/null 2>&1",
		 sched_data, cpu_data);
	have_perf = getuid() == 0 && run(cmd) == 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return run(cmd) ? -1 : 0;
}

/* The offset tracefs gives a field ("field:pid_t prev_pid;\toffset:24;"). */
static int tracefs_offset(const char *event, const char *field)
{
	char path[256], line[512], want[96];
	FILE *fp;
	int off = -1;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/format", event);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	snprintf(want, sizeof(want), " %s;", field);
	while (fgets(line, sizeof(line), fp)) {
		char *p = strstr(line, want), *o = strstr(line, "offset:");

		if (p && o && strstr(line, "field:") < p) {
			off = atoi(o + 7);
			break;
		}
	}
	fclose(fp);
	return off;
}

static void test_header_formats(void **state)
{
	struct fg_tp_opts o = { .path = sched_data, .no_tracefs = true };
	struct fg_tp_event ev;
	struct fg_tp_field f;
	struct fg_tp *t;
	int off;

	if (!have_perf)
		skip();
	t = fg_tp__new(&o);
	assert_non_null(t);
	assert_string_equal(fg_tp__source(t), "perf.data header");
	assert_true(fg_tp__nr_header_events(t) >= 2);
	assert_int_equal(fg_tp__system_wide(t), 1);
	assert_non_null(strstr(fg_tp__cmdline(t), "record"));
	assert_non_null(strstr(fg_tp__cmdline(t), "sched:sched_switch"));

	assert_int_equal(fg_tp__event(t, "sched:sched_switch", &ev), 0);
	assert_int_equal(fg_tp__field(t, &ev, "prev_pid", false, &f), 0);
	assert_int_equal(f.size, 4);
	assert_true(f.is_signed);
	off = tracefs_offset("sched/sched_switch", "prev_pid");
	if (off >= 0)		/* same kernel: the header agrees with tracefs */
		assert_int_equal(f.offset, off);
	assert_int_equal(fg_tp__field(t, &ev, "prev_state", false, &f), 0);
	assert_int_equal(f.size, 8);
	assert_int_equal(fg_tp__field(t, &ev, "next_comm", true, &f), 0);
	assert_int_equal(f.size, 16);
	/* common fields are found by name too */
	assert_int_equal(fg_tp__field(t, &ev, "common_pid", false, &f), 0);

	/* wrong expectations are errors naming event and field */
	assert_int_equal(fg_tp__field(t, &ev, "prev_pid", true, &f), -EINVAL);
	assert_non_null(strstr(fg_tp__error(t), "sched:sched_switch"));
	assert_non_null(strstr(fg_tp__error(t), "prev_pid"));
	assert_int_equal(fg_tp__field(t, &ev, "next_comm", false, &f), -EINVAL);
	assert_int_equal(fg_tp__field(t, &ev, "no_such_field", false, &f), -ENOENT);
	assert_non_null(strstr(fg_tp__error(t), "no_such_field"));

	assert_int_equal(fg_tp__event(t, "sched:sched_waking", &ev), 0);
	assert_int_equal(fg_tp__field(t, &ev, "pid", false, &f), 0);
	/* not recorded: no format, and no silent tracefs fallback */
	assert_int_equal(fg_tp__event(t, "sched:sched_wakeup_new", &ev), -ENOENT);
	assert_non_null(strstr(fg_tp__error(t), "sched:sched_wakeup_new"));
	assert_int_equal(fg_tp__event(t, "nocolon", &ev), -EINVAL);
	fg_tp__delete(t);
}

/* field= expressions: what the parser refuses, in one line each */
static void test_field_parse(void **state)
{
	static const struct {
		const char *expr, *why;
	} bad[] = {
		{ "prev_state", "expects [SYS:EVENT:]FIELD OP VALUE" },
		{ "prev_state=1", "'=' is not an operator" },
		{ "prev_state!1", "'!' is not an operator" },
		{ "prev_state<x", "'<' compares numbers: 'x' is not an integer" },
		{ "prev_state&", "no value after '&'" },
		{ "a:b==1", "'a:b' is not SYS:EVENT:FIELD" },
		{ ":x:f==1", "is not SYS:EVENT:FIELD" },
		{ "sched::f==1", "is not SYS:EVENT:FIELD" },
		{ "1abc==2", "'1abc' is not a field name" },
		{ "==2", "'' is not a field name" },
	};
	struct fg_buf err = FG_BUF_INIT;
	struct fg_tpf *f = fg_tpf__new();
	size_t i;

	assert_non_null(f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fg_buf__reset(&err);
		assert_int_equal(fg_tpf__add(f, bad[i].expr, &err), -EINVAL);
		if (!strstr(err.buf, bad[i].why))
			fail_msg("%s: '%s', want '%s'", bad[i].expr, err.buf, bad[i].why);
		assert_null(strchr(err.buf, '\n'));
	}
	assert_int_equal(fg_tpf__nr(f), 0);
	assert_int_equal(fg_tpf__add(f, "sched:sched_switch:prev_comm ~ 'a b*'", &err), 0);
	assert_string_equal(fg_tpf__event(f, 0), "sched:sched_switch");
	assert_int_equal(fg_tpf__add(f, "common_pid>=-1", &err), 0);
	assert_null(fg_tpf__event(f, 1));
	assert_int_equal(fg_tpf__nr(f), 2);
	fg_buf__release(&err);
	fg_tpf__delete(f);
}

/* a sched_switch payload laid out by the header's own format */
static size_t switch_payload(struct fg_tp *t, unsigned char *raw, size_t len,
			     const char *comm, int pid, uint64_t state)
{
	struct fg_tp_event ev;
	struct fg_tp_field f;
	size_t end = 0;

	memset(raw, 0, len);
	assert_int_equal(fg_tp__event(t, "sched:sched_switch", &ev), 0);
	assert_int_equal(fg_tp__field(t, &ev, "prev_comm", true, &f), 0);
	strncpy((char *)raw + f.offset, comm, f.size - 1);
	end = f.offset + f.size;
	assert_int_equal(fg_tp__field(t, &ev, "prev_pid", false, &f), 0);
	memcpy(raw + f.offset, &pid, 4);
	end = end > (size_t)f.offset + f.size ? end : (size_t)f.offset + f.size;
	assert_int_equal(fg_tp__field(t, &ev, "prev_state", false, &f), 0);
	memcpy(raw + f.offset, &state, f.size);
	end = end > (size_t)f.offset + f.size ? end : (size_t)f.offset + f.size;
	assert_int_equal(fg_tp__field(t, &ev, "next_pid", false, &f), 0);
	end = end > (size_t)f.offset + f.size ? end : (size_t)f.offset + f.size;
	return end;
}

static void test_field_match(void **state)
{
	struct fg_tp_opts o = { .path = sched_data, .no_tracefs = true };
	static const char sw[] = "sched:sched_switch";
	struct fg_buf err = FG_BUF_INIT;
	unsigned char raw[256];
	struct fg_tp_sample s = { .event = sw, .raw = raw };
	struct fg_tpf *f;
	struct fg_tp *t;

	if (!have_perf)
		skip();
	/* bind-time errors name the filter, the event and the field */
	f = fg_tpf__new();
	assert_int_equal(fg_tpf__add(f, "sched:sched_switch:prev_stat==1", &err), 0);
	assert_int_equal(fg_tpf__bind(f, fg_tp__new(&o), false, &err), -ENOENT);
	assert_non_null(strstr(err.buf, "sched:sched_switch has no field 'prev_stat' (its fields: prev_comm"));
	fg_tpf__delete(f);
	fg_buf__reset(&err);
	f = fg_tpf__new();
	assert_int_equal(fg_tpf__add(f, "prev_comm>=3", &err), 0);
	assert_int_equal(fg_tpf__bind(f, fg_tp__new(&o), false, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "field 'prev_comm' is a string"));
	fg_tpf__delete(f);
	fg_buf__reset(&err);

	t = fg_tp__new(&o);
	assert_non_null(t);
	f = fg_tpf__new();
	assert_int_equal(fg_tpf__add(f, "sched:sched_switch:prev_comm~off[AB]", &err), 0);
	assert_int_equal(fg_tpf__add(f, "prev_state&3", &err), 0);
	assert_int_equal(fg_tpf__add(f, "prev_pid>-5", &err), 0);
	assert_int_equal(fg_tpf__bind(f, fg_tp__new(&o), false, &err), 0);
	s.raw_size = switch_payload(t, raw, sizeof(raw), "offB", 42, 1);
	assert_int_equal(fg_tpf__match(f, &s, &err), 1);
	s.raw_size = switch_payload(t, raw, sizeof(raw), "offB", -7, 2);
	assert_int_equal(fg_tpf__match(f, &s, &err), 0);	/* -7 > -5: no */
	s.raw_size = switch_payload(t, raw, sizeof(raw), "offC", 42, 1);
	assert_int_equal(fg_tpf__match(f, &s, &err), 0);	/* glob */
	s.raw_size = switch_payload(t, raw, sizeof(raw), "offA", 42, 0x100);
	assert_int_equal(fg_tpf__match(f, &s, &err), 0);	/* R+: no S or D bit */
	/* another event without these fields: not concerned */
	s.event = "sched:sched_waking";
	assert_int_equal(fg_tpf__match(f, &s, &err), 1);
	s.event = sw;
	/* a payload cut short: an error, not a guess */
	s.raw_size = 8;
	assert_int_equal(fg_tpf__match(f, &s, &err), -EINVAL);
	assert_non_null(strstr(err.buf, "sched:sched_switch: a payload of 8 bytes"));
	fg_buf__reset(&err);
	fg_tpf__summary(f, &err);
	assert_non_null(strstr(err.buf, "field=sched:sched_switch:prev_comm~off[AB] kept 3 of 4 samples (sched:sched_switch)"));
	assert_non_null(strstr(err.buf, "field=prev_pid>-5 kept 3 of 4 samples"));
	assert_int_equal(fg_tpf__finish(f, &err), 0);
	fg_tp__delete(t);
	fg_tpf__delete(f);
	fg_buf__release(&err);
}

static void test_no_tracing_data(void **state)
{
	struct fg_tp_opts o = { .path = cpu_data, .no_tracefs = true };
	struct fg_tp_event ev;
	struct fg_tp *t;

	if (!have_perf)
		skip();
	t = fg_tp__new(&o);
	assert_non_null(t);
	assert_int_equal(fg_tp__nr_header_events(t), 0);
	assert_int_equal(fg_tp__system_wide(t), 0);	/* no -a */
	assert_int_equal(fg_tp__event(t, "sched:sched_switch", &ev), -ENOENT);
	assert_non_null(strstr(fg_tp__error(t), "no tracing data"));
	fg_tp__delete(t);

	/* live use: tracefs is the fallback */
	o.no_tracefs = false;
	t = fg_tp__new(&o);
	assert_non_null(t);
	if (access("/sys/kernel/tracing/events/sched/sched_switch/format", R_OK)) {
		fg_tp__delete(t);
		skip();
	}
	assert_int_equal(fg_tp__event(t, "sched:sched_switch", &ev), 0);
	assert_string_equal(fg_tp__source(t), "tracefs");
	fg_tp__delete(t);
}

static void test_not_perf_data(void **state)
{
	char path[160];
	struct fg_tp_opts o = { .path = path };
	FILE *fp;

	snprintf(path, sizeof(path), "%s/junk.data", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("this is not a perf.data file, but it is long enough to hold a header "
	      "of one hundred and four bytes, which is what we read first.\n", fp);
	fclose(fp);
	assert_null(fg_tp__new(&o));
	assert_int_equal(errno, EINVAL);
}

/* In a child: a private mount namespace with tracefs hidden under tmpfs. */
static int hidden_tracefs_child(void)
{
	struct fg_tp_opts o = { .path = sched_data };
	struct fg_tp_event ev;
	struct fg_tp *t;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 77;
	if (mount("none", "/sys/kernel/tracing", "tmpfs", 0, "mode=000") &&
	    errno != ENOENT)
		return 77;
	mount("none", "/sys/kernel/debug", "tmpfs", 0, "mode=000");
	if (!access("/sys/kernel/tracing/events/sched/sched_switch/format", F_OK))
		return 2;
	/* the header still decodes */
	t = fg_tp__new(&o);
	if (!t || fg_tp__event(t, "sched:sched_switch", &ev))
		return 3;
	fg_tp__delete(t);
	/* without a perf.data header: one line naming the event and tracefs */
	o.path = NULL;
	t = fg_tp__new(&o);
	if (!t || fg_tp__event(t, "sched:sched_switch", &ev) != -ENOENT)
		return 4;
	if (!strstr(fg_tp__error(t), "sched:sched_switch") ||
	    !strstr(fg_tp__error(t), "tracefs") || strchr(fg_tp__error(t), '\n'))
		return 5;
	fg_tp__delete(t);
	return 0;
}

static void test_tracefs_unreadable(void **state)
{
	int st;
	pid_t pid;

	if (!have_perf)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(hidden_tracefs_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_prev_state(void **state)
{
	assert_int_equal(fg_task_state__from_prev_state(0), FG_TASK_R);
	assert_int_equal(fg_task_state__from_prev_state(0x100), FG_TASK_R);
	assert_int_equal(fg_task_state__from_prev_state(0x1), FG_TASK_S);
	assert_int_equal(fg_task_state__from_prev_state(0x2), FG_TASK_D);
	assert_int_equal(fg_task_state__from_prev_state(0x4), FG_TASK_T);
	assert_int_equal(fg_task_state__from_prev_state(0x10), FG_TASK_X);
	assert_int_equal(fg_task_state__from_prev_state(0x20), FG_TASK_X);
	assert_int_equal(fg_task_state__from_prev_state(0x40), FG_TASK_P);
	assert_int_equal(fg_task_state__from_prev_state(0x80), FG_TASK_I);
	assert_string_equal(fg_task_state__name(FG_TASK_D), "D");
}

static void test_runq(void **state)
{
	struct fg_runq *r = fg_runq__new();
	struct fg_runq_stats st;
	struct fg_buf b = FG_BUF_INIT;
	uint64_t i, sum = 0;
	int k;

	assert_non_null(r);
	/* 1..1000 us in one process, 10 ms x 3 in a container */
	for (i = 1; i <= 1000; i++)
		assert_int_equal(fg_runq__add(r, NULL, 42, "web", i * 1000), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(fg_runq__add(r, "docker:0123456789ab", 7, "db",
					      10000000), 0);
	assert_int_equal(fg_runq__stats(r, NULL, 42, &st), 0);
	assert_int_equal(st.count, 1000);
	assert_int_equal(st.max, 1000000);
	/* log-linear buckets: within 1/16 of the true percentile */
	assert_true(st.p50 >= 500000 - 500000 / 16 && st.p50 <= 500000 + 500000 / 16);
	assert_true(st.p90 >= 900000 - 900000 / 16 && st.p90 <= 900000 + 900000 / 16);
	assert_true(st.p99 >= 990000 - 990000 / 16 && st.p99 <= 1000000);
	for (k = 0; k < 64; k++)
		sum += st.log2[k];
	assert_int_equal(sum, 1000);
	/* 2^19 ns = 524 us: [524288, 1048575] holds 1000 - 524 values */
	assert_int_equal(st.log2[19], 1000 - 524);
	assert_int_equal(fg_runq__stats(r, "docker:0123456789ab", -1, &st), 0);
	assert_int_equal(st.count, 3);
	assert_int_equal(st.p50, 10000000);
	assert_int_equal(fg_runq__stats(r, "docker:nope", -1, &st), -ENOENT);
	assert_int_equal(fg_runq__nr_groups(r), 2);
	assert_string_equal(fg_runq__group(r, 1), "docker:0123456789ab");
	assert_int_equal(fg_runq__summary(r, &b, 5, true), 0);
	assert_non_null(strstr(b.buf, "[host]"));
	assert_non_null(strstr(b.buf, "[docker:0123456789ab]"));
	assert_non_null(strstr(b.buf, "web-42"));
	assert_non_null(strstr(b.buf, "|****************************************|"));
	fg_buf__release(&b);
	fg_runq__delete(r);
	fg_runq__delete(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_formats),
		cmocka_unit_test(test_no_tracing_data),
		cmocka_unit_test(test_field_parse),
		cmocka_unit_test(test_field_match),
		cmocka_unit_test(test_not_perf_data),
		cmocka_unit_test(test_tracefs_unreadable),
		cmocka_unit_test(test_prev_state),
		cmocka_unit_test(test_runq),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
