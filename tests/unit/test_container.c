// SPDX-License-Identifier: GPL-2.0
/* Container ids from cgroups, safe file reads, /proc facts (lib/containers/container.c,
 * lib/containers/safefile.c, lib/containers/procinfo.c). Real files, real /proc, real cgroupfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <flame/containers.h>
#include <flame/jit.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_id(const char *path, const char *label, const char *full)
{
	char l[64], f[80];

	fg_container__id(path, l, sizeof(l), f, sizeof(f));
	if (strcmp(l, label) || strcmp(f, full))
		fail_msg("%s: got %s / %s, want %s / %s", path, l, f, label, full);
}

static void test_ids(void **state)
{
	expect_id("/", "host", "host");
	expect_id("/user.slice/user-0.slice/session-3.scope", "host", "host");
	expect_id("/system.slice/docker-" ID ".scope", "docker:0123456789ab", ID);
	expect_id("/docker/" ID, "docker:0123456789ab", ID);
	expect_id("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/cri-containerd-" ID ".scope",
		  "containerd:0123456789ab", ID);
	expect_id("/k8s.io/" ID, "containerd:0123456789ab", ID);
	expect_id("/kubepods.slice/kubepods-pod9f.slice/crio-" ID ".scope",
		  "crio:0123456789ab", ID);
	expect_id("/machine.slice/libpod-" ID ".scope", "podman:0123456789ab", ID);
	expect_id("/kubepods/burstable/pod77/" ID, "kubepods:0123456789ab", ID);
	expect_id("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd.slice",
		  "pod:ab_cd", "ab_cd");
	/* not ids: wrong length, upper case, conmon */
	expect_id("/system.slice/docker-0123.scope", "host", "host");
	expect_id("/system.slice/crio-conmon-" ID ".scope", "host", "host");
}

static void test_match(void **state)
{
	assert_true(fg_container__match("docker:0123456789ab", ID, "docker:0123456789ab"));
	assert_true(fg_container__match("docker:0123456789ab", ID, "0123456789ab"));
	assert_true(fg_container__match("docker:0123456789ab", ID, "01234567"));
	assert_false(fg_container__match("docker:0123456789ab", ID, "012"));
	assert_false(fg_container__match("docker:0123456789ab", ID, "1234"));
	assert_true(fg_container__match("host", "host", "host"));
	assert_false(fg_container__match("host", "host", "docker"));
}

static void test_proc_self(void **state)
{
	struct fg_procinfo pi;

	assert_int_equal(fg_proc__read(getpid(), &pi), 0);
	assert_int_equal(pi.nspid, getpid());
	assert_true(pi.start_ticks > 0);
	/* we started before now, in the perf (monotonic) clock */
	assert_true(pi.start_ns <= fg_proc__now_ns());
	assert_true(pi.start_ns + 3600ull * 1000000000ull > fg_proc__now_ns());
	assert_true(pi.mntns != 0 && pi.mntns == fg_proc__self_mntns());
	assert_int_equal(fg_proc__read(INT32_MAX - 1, &pi), -ESRCH);
}

/*
 * fg_proc__read_fast (pidfd uids, cgroup path by id from the cgroup map,
 * NSpid = pid in our PID namespace) says what fg_proc__read says, for
 * every process on the machine (start_ns aside: computed from the clocks
 * at each call, it may move by a tick).
 */
static void test_proc_fast(void **state)
{
	struct fg_proc_fast f = { .pidns = fg_proc__self_pidns() };
	struct fg_procinfo a, b, c;
	char mnt[1024];
	struct dirent *de;
	int n = 0, from_map = 0;
	bool kthread, cg_known;
	DIR *d;

	assert_true(f.pidns != 0);
	if (!fg_cgroup__mount(mnt, sizeof(mnt)))
		f.cg = fg_cgmap__scan(mnt);
	d = opendir("/proc");
	assert_non_null(d);
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);
		int64_t dt;

		if (pid <= 0 || fg_proc__read(pid, &a) ||
		    fg_proc__read_fast(pid, &b, &f, &kthread, &cg_known) ||
		    fg_proc__read(pid, &c))
			continue;	/* gone meanwhile */
		/* changed meanwhile (an exec, a move to another cgroup, a
		 * new process with that pid): not comparable */
		c.start_ns = a.start_ns;
		if (memcmp(&a, &c, sizeof(a)))
			continue;
		dt = (int64_t)(a.start_ns - b.start_ns);
		assert_true(dt < 20000000 && dt > -20000000);
		assert_int_equal(a.nspid, b.nspid);
		assert_int_equal(a.ruid, b.ruid);
		assert_int_equal(a.euid, b.euid);
		assert_int_equal(a.pidns, b.pidns);
		assert_int_equal(a.mntns, b.mntns);
		assert_string_equal(a.comm, b.comm);
		assert_string_equal(a.cgroup, b.cgroup);
		if (pid == getpid())
			assert_false(kthread);
		from_map += cg_known;
		n++;
	}
	closedir(d);
	assert_true(n > 1);
	/* our own process: the cgroup path from the map (where there is one) */
	assert_int_equal(fg_proc__read_fast(getpid(), &b, &f, &kthread, &cg_known), 0);
	assert_int_equal(b.nspid, getpid());
	fg_cgmap__delete((struct fg_cgmap *)f.cg);
	assert_int_equal(fg_proc__read_fast(INT32_MAX - 1, &b, NULL, &kthread,
					    &cg_known), -ESRCH);
}

static void test_cgmap(void **state)
{
	char mnt[1024], dir[1200];
	struct fg_cgmap *c;
	struct stat st;

	if (fg_cgroup__mount(mnt, sizeof(mnt)) || getuid() != 0)
		skip();
	snprintf(dir, sizeof(dir), "%s/flame-unit-%d", mnt, getpid());
	if (mkdir(dir, 0755))
		skip();
	assert_int_equal(stat(dir, &st), 0);
	c = fg_cgmap__scan(mnt);
	assert_non_null(c);
	assert_non_null(fg_cgmap__path(c, st.st_ino));
	assert_true(strstr(fg_cgmap__path(c, st.st_ino), "/flame-unit-") != NULL);
	assert_int_equal(stat(mnt, &st), 0);
	assert_string_equal(fg_cgmap__path(c, st.st_ino), "/");
	fg_cgmap__delete(c);
	rmdir(dir);
}

static char tdir[] = "/tmp/flame-unit-safe.XXXXXX";

static int read_rel(const char *rel, const char **why, struct fg_buf *b)
{
	struct fg_safefile_opts o = { .uids = { getuid() }, .nr_uids = 1,
				      .max_size = 1 << 20 };
	uint64_t size;
	int rfd = fg_safefile__open_root(tdir), err;

	assert_true(rfd >= 0);
	err = fg_safefile__read(rfd, rel, &o, 0, b, &size, why);
	close(rfd);
	return err;
}

static void test_safefile(void **state)
{
	struct fg_buf b = FG_BUF_INIT;
	const char *why;
	char p[256];
	int fd;

	assert_non_null(mkdtemp(tdir));
	snprintf(p, sizeof(p), "%s/ok.map", tdir);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "10 10 a\n", 8), 8);
	close(fd);
	assert_int_equal(read_rel("ok.map", &why, &b), 0);
	assert_string_equal(b.buf, "10 10 a\n");
	fg_buf__release(&b);
	/* symlink inside the root, symlink out, FIFO, directory, big, device */
	snprintf(p, sizeof(p), "%s/in", tdir);
	assert_int_equal(symlink("ok.map", p), 0);
	assert_true(read_rel("in", &why, &b) < 0);
	assert_non_null(strstr(why, "symlink"));
	snprintf(p, sizeof(p), "%s/out", tdir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_true(read_rel("out", &why, &b) < 0);
	assert_non_null(strstr(why, "symlink"));
	assert_int_equal(mkdir(strcat(strcpy(p, tdir), "/sub"), 0700), 0);
	assert_int_equal(symlink("/etc", strcat(strcpy(p, tdir), "/sub/etc")), 0);
	assert_int_equal(read_rel("sub/etc/passwd", &why, &b), -ELOOP);
	assert_int_equal(read_rel("../../../etc/passwd", &why, &b), -ENOENT);
	snprintf(p, sizeof(p), "%s/fifo", tdir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(read_rel("fifo", &why, &b), -EPERM);
	assert_non_null(strstr(why, "FIFO"));
	snprintf(p, sizeof(p), "%s/dir", tdir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(read_rel("dir", &why, &b), -EPERM);
	snprintf(p, sizeof(p), "%s/big", tdir);
	assert_int_equal(truncate(p, 0) == 0 || errno == ENOENT, 1);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(ftruncate(fd, 2ll << 30), 0);
	close(fd);
	assert_int_equal(read_rel("big", &why, &b), -EFBIG);
	assert_null(b.buf);
	if (getuid() == 0) {
		snprintf(p, sizeof(p), "%s/other", tdir);
		fd = open(p, O_WRONLY | O_CREAT, 0600);
		assert_int_equal(fchown(fd, 12345, 12345), 0);
		close(fd);
		assert_int_equal(read_rel("other", &why, &b), -EPERM);
		assert_non_null(strstr(why, "owned"));
	}
	fg_buf__release(&b);
	snprintf(p, sizeof(p), "rm -rf %s", tdir);
	assert_int_equal(system(p), 0);
}

/*
 * The no-map list (16 processes) ranks processes by unnamed addresses in
 * anonymous executable memory (likely JIT), not by all unnamed addresses:
 * 20 shells with many frames in no mapping must not push out a JIT process
 * with a single unnamed anonymous frame (issue 16 item 10).
 */
static void test_nomap_rank(void **state)
{
	char mdir[] = "/tmp/test_nomapXXXXXX", p[256], spec[300];
	const char *v[1] = { spec };
	struct fg_jit_opts o = { .no_live = true, .no_host = true };
	struct fg_buf b = { 0 };
	enum fg_jit_source src;
	struct fg_jit *j;
	const char *list;
	FILE *f;
	int pid, i;

	assert_non_null(mkdtemp(mdir));
	snprintf(p, sizeof(p), "%s/tmp", mdir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/tmp/perf-1.map", mdir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "1000 10 named_fn\n");
	fclose(f);
	/* pids above pid_max (<= 4194304): never a live process */
	snprintf(spec, sizeof(spec), "4200000:%s", mdir);
	o.rootfs.v = (char **)v;
	o.rootfs.n = 1;
	j = fg_jit__new(&o);
	assert_non_null(j);
	assert_string_equal(fg_jit__resolve(j, 4200000, 0, 0x1004, true, &src),
			    "named_fn");
	assert_int_equal(src, FG_JIT_ROOTFS);
	for (pid = 4200001; pid <= 4200020; pid++)
		for (i = 0; i < 50; i++)
			assert_null(fg_jit__resolve(j, pid, 0, 0x5000 + i,
						    false, &src));
	assert_null(fg_jit__resolve(j, 4200030, 0, 0x7000, true, &src));
	assert_null(fg_jit__resolve(j, 4200030, 0, 0x9000, false, &src));
	for (i = 0; i < 3; i++)
		assert_null(fg_jit__resolve(j, 4200031, 0, 0x7000, true, &src));
	fg_jit__summary(j, &b);
	assert_non_null(b.buf);
	list = strstr(b.buf, "no map: 22 processes");
	if (!list)
		fail_msg("summary: %s", b.buf);
	/* most anonymous first, with counts, then the others by count */
	if (!strstr(list, "(unnamed addresses in anonymous executable memory+elsewhere: ") ||
	    !strstr(list, "/4200031 3+0, ") || !strstr(list, "/4200030 1+1, ") ||
	    strstr(list, "/4200031") > strstr(list, "/4200030") ||
	    strstr(list, "/4200030") > strstr(list, "/4200001 0+50") ||
	    !strstr(list, "0+50, ...)"))
		fail_msg("summary: %s", b.buf);
	fg_buf__release(&b);
	fg_jit__delete(j);
	snprintf(p, sizeof(p), "rm -rf %s", mdir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_proc_self),
		cmocka_unit_test(test_proc_fast),
		cmocka_unit_test(test_cgmap),
		cmocka_unit_test(test_safefile),
		cmocka_unit_test(test_nomap_rank),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
