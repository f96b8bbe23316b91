// SPDX-License-Identifier: GPL-2.0
/* CPU controller files, host idle share, the cpu.tsv series and its verdicts
 * (lib/containers/cgcpu.c, lib/containers/cpulog.c). Pure cgroup v2 on the
 * files in tests/data/cgroup; v1 and hybrid on real cgroups made here. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <flame/sched.h>
#include <flame/cgcpu.h>

static char warnings[8192];
static int nr_warnings;
static char cgname[64];

/*
 * Warnings about container cgroups other than the test's own are shown but
 * not counted: the recorder samples every container cgroup of the machine,
 * and on a shared machine other tests' containers come and go mid-test.
 */
static int capture(enum fg_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(warnings);
	char one[1024];

	if (level != FG_WARN)
		return 0;
	vsnprintf(one, sizeof(one), fmt, ap);
	fprintf(stderr, "warning: %s", one);
	if (!strncmp(one, "cpu: cgroup ", 12) && cgname[0] && !strstr(one, cgname))
		return 0;
	nr_warnings++;
	snprintf(warnings + n, sizeof(warnings) - n, "%s", one);
	return 0;
}

static void reset_warnings(void)
{
	warnings[0] = '\0';
	nr_warnings = 0;
}

static int data_dir(const char *name)
{
	const char *top = getenv("FLAME_TOP");
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/tests/data/cgroup/%s", top ? top : ".", name);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: %s (run from the source tree or set FLAME_TOP)", p,
			 strerror(errno));
	return fd;
}

static void test_v2_files(void **state)
{
	struct fg_cgcpu_stat st;
	const char *bad, *why;
	int fd = data_dir("v2-throttled");

	assert_int_equal(fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why), 0);
	close(fd);
	assert_false(st.v1);
	assert_int_equal(st.usage_ns, 4519822000ull);
	assert_int_equal(st.nr_periods, 45);
	assert_int_equal(st.nr_throttled, 41);
	assert_int_equal(st.throttled_ns, 3902114000ull);
	assert_int_equal(st.quota_us, 5000);
	assert_int_equal(st.period_us, 100000);
	assert_int_equal(st.weight, 100);
	assert_int_equal(st.psi_some_us, 3921877);
	assert_int_equal(st.psi_full_us, 3875120);

	fd = data_dir("v2-nolimit");
	assert_int_equal(fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why), 0);
	close(fd);
	assert_true(st.quota_us == FG_CGCPU_NA);
	assert_int_equal(st.period_us, 100000);
	assert_int_equal(st.nr_periods, 0);

	/* hybrid root: usage and PSI only */
	fd = data_dir("hybrid-unified");
	assert_int_equal(fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why), 0);
	close(fd);
	assert_true(st.usage_ns != FG_CGCPU_NA && st.usage_ns > 0);
	assert_true(st.nr_periods == FG_CGCPU_NA);
	assert_true(st.quota_us == FG_CGCPU_NA);
	assert_true(st.psi_some_us != FG_CGCPU_NA);
}

static void test_parsers(void **state)
{
	struct fg_cgcpu_stat st;
	struct fg_cgcpu_host h;
	uint64_t v;

	fg_cgcpu__clear(&st);
	assert_int_equal(fg_cgcpu__parse_max("max 100000\n", &st), 0);
	assert_true(st.quota_us == FG_CGCPU_NA);
	assert_int_equal(fg_cgcpu__parse_max("5000 100000", &st), 0);
	assert_int_equal(st.quota_us, 5000);
	assert_int_equal(fg_cgcpu__parse_max("5000", &st), -EINVAL);
	assert_int_equal(fg_cgcpu__parse_max("5000 0\n", &st), -EINVAL);
	assert_int_equal(fg_cgcpu__parse_max("-5 100000\n", &st), -EINVAL);
	assert_int_equal(fg_cgcpu__parse_num("-1\n", &v), 0);
	assert_true(v == FG_CGCPU_NA);
	assert_int_equal(fg_cgcpu__parse_num("5000\n", &v), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(fg_cgcpu__parse_num("5k\n", &v), -EINVAL);
	assert_int_equal(fg_cgcpu__parse_num("", &v), -EINVAL);
	assert_int_equal(fg_cgcpu__parse_num("99999999999999999999999\n", &v), -EINVAL);
	fg_cgcpu__clear(&st);
	assert_int_equal(fg_cgcpu__parse_v1_stat("nr_periods 10\nnr_throttled 3\nthrottled_time 123456789\nnr_bursts 0\nburst_time 0\n", &st), 0);
	assert_int_equal(st.nr_periods, 10);
	assert_int_equal(st.throttled_ns, 123456789);
	assert_int_equal(fg_cgcpu__parse_v1_stat("nr_periods ten\n", &st), -EINVAL);
	/* a longer key with a known prefix is not the known key */
	fg_cgcpu__clear(&st);
	assert_int_equal(fg_cgcpu__parse_v2_stat("usage_usec_x 5\nusage_usec 7\n", &st), 0);
	assert_int_equal(st.usage_ns, 7000);
	assert_int_equal(fg_cgcpu__parse_pressure("some avg10=0.00 total=12\nfull avg10=0.00 total=3\n", &st), 0);
	assert_int_equal(st.psi_some_us, 12);
	assert_int_equal(st.psi_full_us, 3);
	assert_int_equal(fg_cgcpu__parse_pressure("some avg10=0.00\n", &st), -EINVAL);
	assert_int_equal(fg_cgcpu__parse_pressure("some avg10=0.00 total=x\n", &st), -EINVAL);

	assert_int_equal(fg_cgcpu__parse_procstat("cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\ncpu1 50 3 25 400 10 2 1 0 0 0\nintr 1\n", &h), 0);
	assert_int_equal(h.total, 980);
	assert_int_equal(h.idle, 820);
	assert_int_equal(h.ncpu, 2);
	assert_int_equal(fg_cgcpu__parse_procstat("intr 1\n", &h), -EINVAL);
	assert_int_equal(fg_cgcpu__host(&h), 0);
	assert_true(h.total > h.idle && h.ncpu >= 1);
}

static void test_mounts(void **state)
{
	struct fg_cgcpu_mounts m;

	assert_int_equal(fg_cgcpu__mounts_parse(
		"tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
		"cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
		"cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n"
		"cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n"
		"cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n", &m), 0);
	assert_string_equal(m.v2, "/sys/fs/cgroup/unified");
	assert_string_equal(m.v1_cpu, "/sys/fs/cgroup/cpu");
	assert_string_equal(m.v1_acct, "/sys/fs/cgroup/cpuacct");
	assert_int_equal(fg_cgcpu__mounts_parse(
		"cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n", &m), 0);
	assert_string_equal(m.v1_cpu, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(m.v1_acct, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(m.v2, "");
	assert_int_equal(fg_cgcpu__mounts_parse(
		"cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n", &m), 0);
	assert_string_equal(m.v2, "/sys/fs/cgroup");
	assert_string_equal(m.v1_cpu, "");
	assert_int_equal(fg_cgcpu__mounts_parse("proc /proc proc rw 0 0\n", &m), -ENOENT);
}

static char tdir[] = "/tmp/flame-unit-cgcpu.XXXXXX";

static void put(const char *name, const char *text)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", tdir, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Hostile or broken files: errors name the file, nothing blocks. */
static void test_bad_files(void **state)
{
	struct fg_cgcpu_stat st;
	const char *bad, *why;
	char p[512], big[10000];
	int fd, err;

	assert_non_null(mkdtemp(tdir));
	fd = open(tdir, O_RDONLY | O_DIRECTORY);
	put("cgroup.procs", "");
	put("cpu.stat", "usage_usec 12\nnr_periods lots\n");
	err = fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why);
	assert_int_equal(err, -EINVAL);
	assert_string_equal(bad, "cpu.stat");
	assert_non_null(strstr(why, "non-numeric"));
	assert_int_equal(st.usage_ns, 12000);
	put("cpu.stat", "usage_usec 12\n");
	/* a FIFO where cpu.max should be: no open for reading, no hang */
	snprintf(p, sizeof(p), "%s/cpu.max", tdir);
	assert_int_equal(mkfifo(p, 0600), 0);
	err = fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why);
	assert_true(err < 0);
	assert_string_equal(bad, "cpu.max");
	unlink(p);
	/* a symlink to a host file */
	assert_int_equal(symlink("/etc/passwd", p), 0);
	err = fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why);
	assert_int_equal(err, -ELOOP);
	assert_string_equal(bad, "cpu.max");
	unlink(p);
	/* huge: read is capped, the key after the cap is not seen */
	memset(big, 'x', sizeof(big));
	memcpy(big, "usage_usec 5\n", 13);
	big[sizeof(big) - 20] = '\n';
	strcpy(big + sizeof(big) - 19, "nr_periods 9\n");
	put("cpu.stat", big);
	assert_int_equal(fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why), 0);
	assert_int_equal(st.usage_ns, 5000);
	assert_true(st.nr_periods == FG_CGCPU_NA);
	/* unreadable (only meaningful when not root) and a removed directory */
	snprintf(p, sizeof(p), "rm -rf %s", tdir);
	assert_int_equal(system(p), 0);
	err = fg_cgcpu__read_dirs(fd, -1, -1, &st, &bad, &why);
	assert_int_equal(err, -ENOENT);
	assert_string_equal(bad, "cgroup");
	close(fd);
}

/* ---- real cgroups ---------------------------------------------------------- */

static struct fg_cgcpu_mounts mounts;

static int write_file(const char *dir, const char *cg, const char *file,
		      const char *text)
{
	char p[1024];
	int fd, n;

	snprintf(p, sizeof(p), "%s/%s/%s", dir, cg, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = (int)write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

static void mk(const char *mnt)
{
	char p[1024];

	if (!mnt[0])
		return;
	snprintf(p, sizeof(p), "%s/%s", mnt, cgname);
	if (mkdir(p, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static void rm(const char *mnt)
{
	char p[1024];

	if (!mnt[0])
		return;
	snprintf(p, sizeof(p), "%s/%s", mnt, cgname);
	rmdir(p);
}

static pid_t spin_in_cgroup(void)
{
	pid_t pid = fork();
	char s[32];

	if (pid == 0) {
		volatile unsigned long x = 0;

		for (;;)
			x++;
	}
	snprintf(s, sizeof(s), "%d\n", pid);
	if (mounts.v1_cpu[0])
		assert_int_equal(write_file(mounts.v1_cpu, cgname, "tasks", s), 0);
	if (mounts.v1_acct[0] && strcmp(mounts.v1_acct, mounts.v1_cpu))
		assert_int_equal(write_file(mounts.v1_acct, cgname, "tasks", s), 0);
	if (mounts.v2[0])
		assert_int_equal(write_file(mounts.v2, cgname, "cgroup.procs", s), 0);
	return pid;
}

static int setup_real(void **state)
{
	if (getuid() != 0 || fg_cgcpu__mounts(&mounts) || !mounts.v1_cpu[0] ||
	    !mounts.v2[0])
		return 0;	/* tests skip */
	snprintf(cgname, sizeof(cgname), "flame-unit-cgcpu-%d", getpid());
	mk(mounts.v2);
	mk(mounts.v1_cpu);
	if (strcmp(mounts.v1_acct, mounts.v1_cpu))
		mk(mounts.v1_acct);
	return 0;
}

static int teardown_real(void **state)
{
	if (!cgname[0])
		return 0;
	rm(mounts.v2);
	rm(mounts.v1_cpu);
	if (strcmp(mounts.v1_acct, mounts.v1_cpu))
		rm(mounts.v1_acct);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Hybrid layout: CFS figures from the v1 controller of the same path. */
static void test_real_v1(void **state)
{
	struct fg_cgcpu_stat st;
	const char *bad, *why;
	pid_t pid;

	if (!cgname[0])
		skip();
	assert_int_equal(write_file(mounts.v1_cpu, cgname, "cpu.cfs_period_us", "100000"), 0);
	assert_int_equal(write_file(mounts.v1_cpu, cgname, "cpu.cfs_quota_us", "5000"), 0);
	pid = spin_in_cgroup();
	sleep_ms(700);
	assert_int_equal(fg_cgcpu__read(&mounts, cgname, &st, &bad, &why), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_true(st.v1);
	assert_int_equal(st.quota_us, 5000);
	assert_int_equal(st.period_us, 100000);
	assert_true(st.nr_periods >= 3);
	assert_true(st.nr_throttled >= 2);
	assert_true(st.throttled_ns > 0);
	assert_true(st.usage_ns != FG_CGCPU_NA && st.usage_ns > 0);
	/* 5 ms a 100 ms period: at most ~5% of the time plus one period */
	assert_true(st.usage_ns < 5000000ull * (st.nr_periods + 2));
	assert_true(st.weight == 1024);
	assert_true(st.psi_some_us != FG_CGCPU_NA);
}

/* The recorder: a spinner under quota, then its cgroup removed mid-run. */
static void test_real_series(void **state)
{
	struct fg_cpulog_opts o = { 0 };
	char dir[] = "/tmp/flame-unit-cpulog.XXXXXX", extra[80], cmd[128];
	const char *ex[1] = { extra };
	struct fg_cpuseries *cs;
	struct fg_cpulog *l;
	struct fg_cpusum sum;
	struct fg_buf b = FG_BUF_INIT;
	long gi;
	pid_t pid;
	int i;

	if (!cgname[0])
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(extra, sizeof(extra), "/%s", cgname);
	o.extra = ex;
	o.nr_extra = 1;
	o.mounts = &mounts;
	assert_int_equal(write_file(mounts.v1_cpu, cgname, "cpu.cfs_quota_us", "5000"), 0);
	l = fg_cpulog__new(dir, &o);
	assert_non_null(l);
	pid = spin_in_cgroup();
	reset_warnings();
	for (i = 0; i < 4; i++) {
		assert_int_equal(fg_cpulog__poll(l), 0);
		sleep_ms(250);
	}
	assert_int_equal(fg_cpulog__poll(l), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	sleep_ms(50);
	teardown_real(NULL);
	assert_int_equal(nr_warnings, 0);
	assert_int_equal(fg_cpulog__poll(l), 0);
	assert_int_equal(fg_cpulog__poll(l), 0);
	assert_int_equal(nr_warnings, 1);
	assert_non_null(strstr(warnings, "was removed"));
	fg_cpulog__delete(l);
	setup_real(NULL);

	cs = fg_cpuseries__load(dir);
	assert_non_null(cs);
	assert_int_equal(cs->bad_lines, 0);
	gi = fg_cpuseries__find(cs, extra);
	assert_true(gi >= 0);
	assert_int_equal(cs->g[gi].nr, 5);
	assert_true(cs->nr_h >= 7);
	fg_cpuseries__sum(cs, (size_t)gi, 0, UINT64_MAX, &sum);
	assert_int_equal(sum.verdict, FG_CPU_CAPPED);
	assert_true(sum.v1);
	assert_true(sum.throttled >= 4 && sum.periods >= sum.throttled);
	assert_true(sum.quota_cpus > 0.0499 && sum.quota_cpus < 0.0501);
	assert_true(sum.used_cpus < 0.2);
	assert_true(sum.host_idle >= 0 && sum.host_idle <= 1);
	fg_cpusum__verdict(&sum, &b);
	assert_non_null(strstr(b.buf, "capped by quota"));
	fg_buf__release(&b);
	fg_cpuseries__delete(cs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- the series format and the verdicts -------------------------------- */

#define HDR "# flame-cpu 1\n"
/* two CPUs, 1 s apart: host idle 50% (100 of 200 ticks) unless told */
static const char capped_tsv[] = HDR
	"H\t1000000000\t1000\t500\t2\n"
	"G\t1000000000\tdocker:0123456789ab\tv1\t0\t0\t0\t0\t5000\t100000\t1024\t0\t0\t/docker/x\n"
	"H\t5500000000\t1900\t950\t2\n"
	"G\t5500000000\tdocker:0123456789ab\tv1\t225000000\t45\t41\t3902114000\t5000\t100000\t1024\t3900000\t3800000\t/docker/x\n";

static void test_verdicts(void **state)
{
	static const char busy_tsv[] = HDR
		"H\t1000000000\t1000\t500\t2\n"
		"G\t1000000000\tpod:a\tv2\t0\t-\t-\t-\t-\t100000\t100\t0\t0\t/kubepods/pod-a\n"
		"H\t3000000000\t1400\t510\t2\n"
		"G\t3000000000\tpod:a\tv2\t1000000000\t0\t0\t0\t-\t100000\t100\t900000\t0\t/kubepods/pod-a\n";
	static const char quiet_tsv[] = HDR
		"H\t1000000000\t1000\t500\t2\n"
		"G\t1000000000\tpod:a\tv2\t0\t-\t-\t-\t-\t100000\t100\t0\t0\t/kubepods/pod-a\n"
		"H\t3000000000\t1400\t510\t2\n"
		"G\t3000000000\tpod:a\tv2\t10000000\t0\t0\t0\t-\t100000\t100\t2000\t0\t/kubepods/pod-a\n"
		"G\t1000000000\tpod:idle\tv2\t5\t-\t-\t-\t-\t100000\t100\t0\t0\t/kubepods/pod-idle\n"
		"G\t3000000000\tpod:idle\tv2\t5\t-\t-\t-\t-\t100000\t100\t0\t0\t/kubepods/pod-idle\n";
	static const char idle_tsv[] = HDR
		"H\t1000000000\t1000\t500\t2\n"
		"G\t1000000000\tpod:a\tv2\t0\t0\t0\t0\t-\t100000\t100\t0\t0\t/kubepods/pod-a\n"
		"H\t3000000000\t1400\t800\t2\n"
		"G\t3000000000\tpod:a\tv2\t2000000000\t0\t0\t0\t-\t100000\t100\t1000\t0\t/kubepods/pod-a\n";
	struct fg_cpuseries *cs;
	struct fg_cpusum s;
	struct fg_buf b = FG_BUF_INIT;
	struct fg_runq *r;
	int i;

	cs = fg_cpuseries__parse(capped_tsv, sizeof(capped_tsv) - 1);
	assert_non_null(cs);
	assert_int_equal(cs->nr_g, 1);
	fg_cpuseries__sum(cs, 0, 0, UINT64_MAX, &s);
	assert_int_equal(s.verdict, FG_CPU_CAPPED);
	assert_int_equal(s.periods, 45);
	assert_int_equal(s.throttled, 41);
	assert_true(s.avg_throttle_ms > 95.1 && s.avg_throttle_ms < 95.2);
	assert_true(s.used_cpus > 0.0499 && s.used_cpus < 0.0501);
	assert_true(s.host_idle > 0.499 && s.host_idle < 0.501);
	fg_cpusum__line(&s, &b);
	assert_string_equal(b.buf, "cpu docker:0123456789ab (cgroup /docker/x, v1 cpu controller): "
			    "used 0.050 CPU over 4.5 s; quota 0.050 CPU (5000/100000 us), 100% used; "
			    "throttled 41 of 45 periods, 3.90 s (avg 95.2 ms); PSI some 86.7% full 84.4%; host idle 50%");
	fg_buf__reset(&b);
	fg_cpusum__verdict(&s, &b);
	assert_string_equal(b.buf, "verdict docker:0123456789ab: capped by quota: throttled in 41 of 45 "
			    "periods (91%) for 3.90 s, using 0.050 of its 0.050 CPU quota (100%)");
	fg_buf__reset(&b);
	fg_cpusum__json(&s, &b);
	assert_non_null(strstr(b.buf, "\"verdict\":\"capped_by_quota\""));
	assert_non_null(strstr(b.buf, "\"throttled_periods\":41"));
	assert_non_null(strstr(b.buf, "\"runq_p50_ms\":null,\"runq_p99_ms\":null,\"runq_waits\":null"));
	fg_buf__reset(&b);
	/* window: nothing but the first sample */
	fg_cpuseries__sum(cs, 0, 0, 2000000000, &s);
	assert_int_equal(s.verdict, FG_CPU_UNKNOWN);
	fg_cpuseries__delete(cs);

	cs = fg_cpuseries__parse(busy_tsv, sizeof(busy_tsv) - 1);
	fg_cpuseries__sum(cs, 0, 0, UINT64_MAX, &s);
	assert_int_equal(s.verdict, FG_CPU_HOST_SATURATED);
	assert_true(s.host_idle < 0.03);
	assert_true(s.psi_some > 0.44 && s.psi_some < 0.46);
	fg_cpusum__verdict(&s, &b);
	assert_string_equal(b.buf, "verdict pod:a: not throttled (no quota); host saturated by neighbours: "
			    "host idle 2% over 2.0 s, PSI some 45% (its tasks waited for a CPU)");
	fg_buf__reset(&b);
	fg_cpuseries__delete(cs);

	/* host busy, but the container never waited for a CPU */
	cs = fg_cpuseries__parse(quiet_tsv, sizeof(quiet_tsv) - 1);
	fg_cpuseries__sum(cs, 0, 0, UINT64_MAX, &s);
	assert_int_equal(s.verdict, FG_CPU_NOT_CAPPED);
	fg_cpusum__verdict(&s, &b);
	assert_string_equal(b.buf, "verdict pod:a: not throttled (no quota), host idle 2% but its tasks "
			    "did not wait for a CPU (PSI some 0.1%): not a CPU cap; look at the flame graph "
			    "and off-CPU time");
	fg_buf__reset(&b);
	assert_int_equal(fg_cpuseries__report(cs, NULL, &b), 1);
	fg_buf__reset(&b);
	/*
	 * With the sched events' run-queue latency: PSI says 0.1%, but its
	 * threads waited 8 ms at p99: the host is saturated after all.
	 */
	r = fg_runq__new();
	assert_non_null(r);
	for (i = 1; i <= 100; i++)
		assert_int_equal(fg_runq__add(r, "pod:a", 7, "web", i * 80000ull), 0);
	assert_int_equal(fg_runq__add(r, "pod:other", 9, "db", 50000000), 0);
	fg_cpuseries__set_runq(cs, r);
	fg_cpuseries__sum(cs, 0, 0, UINT64_MAX, &s);
	assert_int_equal(s.runq_waits, 100);
	assert_true(s.runq_p50_ms > 3.8 && s.runq_p50_ms < 4.3);
	assert_true(s.runq_p99_ms > 7.6 && s.runq_p99_ms <= 8.0);
	assert_int_equal(s.verdict, FG_CPU_HOST_SATURATED);
	fg_cpusum__line(&s, &b);
	assert_non_null(strstr(b.buf, "; run-queue latency p50 "));
	assert_non_null(strstr(b.buf, " ms (100 waits); host idle 2%"));
	fg_buf__reset(&b);
	fg_cpusum__verdict(&s, &b);
	assert_non_null(strstr(b.buf, "host saturated by neighbours: host idle 2% over 2.0 s, "
			       "PSI some 0%, run-queue latency p50 "));
	assert_non_null(strstr(b.buf, "(its tasks waited for a CPU)"));
	fg_buf__reset(&b);
	fg_cpusum__short(&s, &b);
	assert_non_null(strstr(b.buf, "CPU pod:a: host saturated by neighbours; used 0.005 CPU, no quota; "
			       "PSI some 0%; run-queue latency p50 "));
	fg_buf__reset(&b);
	fg_cpusum__json(&s, &b);
	assert_non_null(strstr(b.buf, "\"runq_waits\":100"));
	assert_null(strstr(b.buf, "\"runq_p99_ms\":null"));
	fg_buf__reset(&b);
	/* a group with no waits recorded keeps its PSI-only verdict */
	fg_cpuseries__sum(cs, 1, 0, UINT64_MAX, &s);
	assert_true(s.runq_p50_ms < 0 && s.runq_waits == 0);
	fg_cpuseries__delete(cs);
	/* short waits: PSI and run-queue latency both say it did not wait */
	cs = fg_cpuseries__parse(quiet_tsv, sizeof(quiet_tsv) - 1);
	fg_runq__delete(r);
	r = fg_runq__new();
	for (i = 1; i <= 100; i++)
		assert_int_equal(fg_runq__add(r, "pod:a", 7, "web", i * 1000ull), 0);
	fg_cpuseries__set_runq(cs, r);
	fg_cpuseries__sum(cs, 0, 0, UINT64_MAX, &s);
	assert_int_equal(s.verdict, FG_CPU_NOT_CAPPED);
	fg_cpusum__verdict(&s, &b);
	assert_string_equal(b.buf, "verdict pod:a: not throttled (no quota), host idle 2% but its tasks "
			    "did not wait for a CPU (PSI some 0.1%, run-queue latency p99 0.10 ms): not a "
			    "CPU cap; look at the flame graph and off-CPU time");
	fg_buf__reset(&b);
	fg_cpuseries__delete(cs);
	fg_runq__delete(r);

	cs = fg_cpuseries__parse(idle_tsv, sizeof(idle_tsv) - 1);
	fg_cpuseries__sum(cs, 0, 0, UINT64_MAX, &s);
	assert_int_equal(s.verdict, FG_CPU_NOT_CAPPED);
	fg_cpusum__verdict(&s, &b);
	assert_string_equal(b.buf, "verdict pod:a: not throttled (no quota), host idle 75%: not a CPU cap; "
			    "look at the flame graph and off-CPU time");
	fg_buf__release(&b);
	fg_cpuseries__delete(cs);
}

static void test_series_format(void **state)
{
	static const char bad_tsv[] = HDR
		"H\t1\t2\t1\t2\n"
		"H\tx\t2\t1\t2\n"			/* not a number */
		"G\t5\tlabel\tv3\t0\t0\t0\t0\t-\t-\t-\t-\t-\t/x\n"	/* bad version */
		"G\t5\tla\001bel\tv2\t0\t0\t0\t0\t-\t-\t-\t-\t-\t/x\n"	/* control char */
		"G\t5\tl\tv2\t0\t0\t0\t0\t-\t-\t-\t-\t-\t/x\textra\n"	/* 15 fields */
		"G\t5\tl\tv2\t0\t0\t0\t0\t-\t-\t-\t-\t/x\n"		/* 13 fields */
		"G\t5\tl\tv2\t18446744073709551615\t0\t0\t0\t-\t-\t-\t-\t-\t/x\n"
		"G\t6\tl\tv2\t-\t0\t0\t0\t-\t-\t-\t-\t-\t/x\n"
		"G\t4\tl\tv2\t-\t0\t0\t0\t-\t-\t-\t-\t-\t/x\n"		/* back in time */
		"Z\n"
		"# truncated\n"
		"G\t7\tl\tv2\t1\t0\t0\t0\t-\t-\t-\t-\t-\t/x";	/* cut: no newline */
	struct fg_cpuseries *cs, *cs2;
	struct fg_buf b = FG_BUF_INIT;
	double share[4], usage[4];

	assert_null(fg_cpuseries__parse("# flame-cpu 2\n", 14));
	assert_int_equal(errno, EINVAL);
	cs = fg_cpuseries__parse(bad_tsv, sizeof(bad_tsv) - 1);
	assert_non_null(cs);
	assert_int_equal(cs->bad_lines, 8);
	assert_true(cs->truncated);
	assert_int_equal(cs->nr_h, 1);
	assert_int_equal(cs->nr_g, 1);
	assert_int_equal(cs->g[0].nr, 1);
	fg_cpuseries__delete(cs);

	/* canonical re-emission parses to the same */
	cs = fg_cpuseries__parse(capped_tsv, sizeof(capped_tsv) - 1);
	assert_int_equal(fg_cpuseries__write(cs, &b), 0);
	cs2 = fg_cpuseries__parse(b.buf, b.len);
	assert_non_null(cs2);
	assert_int_equal(cs2->bad_lines, 0);
	assert_int_equal(cs2->g[0].nr, 2);
	assert_int_equal(cs2->g[0].s[1].st.throttled_ns, 3902114000ull);
	fg_cpuseries__delete(cs2);
	fg_buf__release(&b);

	/* buckets of 1 s from t=1 s: 45 periods spread evenly over 4.5 s */
	fg_cpuseries__buckets(cs, 0, 1000000000, 1000000000, 4, share, usage);
	assert_true(share[0] > 0.91 && share[0] < 0.92);
	assert_true(share[3] > 0.91 && share[3] < 0.92);
	assert_true(usage[1] > 0.0499 && usage[1] < 0.0501);
	fg_cpuseries__buckets(cs, 0, 9000000000ull, 1000000000, 2, share, NULL);
	assert_true(share[0] == -1 && share[1] == -1);
	fg_cpuseries__delete(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_files),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_series_format),
		cmocka_unit_test(test_real_v1),
		cmocka_unit_test(test_real_series),
	};
	int rc;

	fg_set_print(capture);
	setup_real(NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	teardown_real(NULL);
	return rc;
}
