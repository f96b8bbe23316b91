// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc tells about a process: NSpid, owner, start time, namespaces,
 * cgroup. Everything here is read from procfs, which the kernel writes:
 * only comm (set by the process) is treated as hostile and sanitized.
 *
 * Clocks (measured on Linux 6.1..6.18, x86_64, see docs/containers.md):
 * perf's sample time is perf_clock() = local_clock(), which tracks
 * CLOCK_MONOTONIC (same origin; differences of a few microseconds).
 * /proc/PID/stat field 22 is the start time in clock ticks (USER_HZ) of
 * CLOCK_BOOTTIME. So start_ns = ticks * 1e9 / USER_HZ - (BOOTTIME -
 * MONOTONIC), with a resolution of one tick (10 ms).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "internal.h"
#include <flame/containers.h>

uint64_t fg_proc__clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t fg_proc__now_ns(void)
{
	return fg_proc__clock_ns(CLOCK_MONOTONIC);
}

uint64_t fg_proc__ticks_to_ns(uint64_t ticks)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t mono = fg_proc__clock_ns(CLOCK_MONOTONIC);
	uint64_t boot = fg_proc__clock_ns(CLOCK_BOOTTIME);
	uint64_t ns;

	if (hz <= 0)
		hz = 100;
	ns = ticks * (1000000000ull / (uint64_t)hz);
	if (boot > mono && ns > boot - mono)
		ns -= boot - mono;
	return ns;
}

void fg_proc__sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '\\')
			*s = '?';
}

static int read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/*
 * Namespace inode of pid's ns link (0 when unknown): readlink gives
 * "mnt:[INODE]", the inode a stat would (stat follows the link into nsfs,
 * which costs more: the new processes of a busy host are read at their
 * exec events).
 */
static uint64_t ns_inode(int pid, const char *ns)
{
	char path[64], buf[64], *p;
	unsigned long long v;
	ssize_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strchr(buf, '[');
	if (!p)
		return 0;
	v = strtoull(p + 1, &p, 10);
	return *p == ']' ? (uint64_t)v : 0;
}

uint64_t fg_proc__self_mntns(void)
{
	return ns_inode(0, "mnt");
}

#define PF_KTHREAD_FLAG	0x00200000u	/* include/linux/sched.h */

/* /proc/PID/stat: comm, start time, and whether it is a kernel thread. */
static int proc_stat(int pid, struct fg_procinfo *pi, bool *kthread)
{
	char path[64], buf[4096], *p, *q;
	unsigned long long v;
	int n, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : n;
	/* comm is between the first '(' and the last ')' */
	p = strchr(buf, '(');
	q = strrchr(buf, ')');
	if (!p || !q || q < p)
		return -EINVAL;
	n = (int)(q - p - 1);
	if (n >= (int)sizeof(pi->comm))
		n = (int)sizeof(pi->comm) - 1;
	memcpy(pi->comm, p + 1, (size_t)n);
	pi->comm[n] = '\0';
	fg_proc__sanitize(pi->comm);
	/* the space before field k is the (k - 2)th after ")" */
	p = q;
	for (i = 0; i < 7 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return -EINVAL;
	*kthread = v & PF_KTHREAD_FLAG;
	for (; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return -EINVAL;
	pi->start_ticks = v;
	pi->start_ns = fg_proc__ticks_to_ns(v);
	return 0;
}

/* /proc/PID/status: uids and NSpid. */
static int proc_status(int pid, struct fg_procinfo *pi)
{
	char path[64], buf[4096], *p, *line;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : n;
	pi->nspid = pid;
	for (line = buf; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (p)
			*p = '\0';
		if (!strncmp(line, "Uid:", 4)) {
			unsigned int r, e;

			if (sscanf(line + 4, "%u %u", &r, &e) == 2) {
				pi->ruid = r;
				pi->euid = e;
			}
		} else if (!strncmp(line, "NSpid:", 6)) {
			char *last = NULL, *tok, *save;

			for (tok = strtok_r(line + 6, " \t", &save); tok;
			     tok = strtok_r(NULL, " \t", &save))
				last = tok;
			if (last)
				pi->nspid = atoi(last);
		}
	}
	return 0;
}

/* /proc/PID/cgroup: the cgroup v2 path ("/" when none). */
static void proc_cgroup(int pid, struct fg_procinfo *pi)
{
	char path[64], buf[4096], *p, *line;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	strcpy(pi->cgroup, "/");
	n = read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return;
	for (line = buf; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		if (p)
			*p = '\0';
		if (!strncmp(line, "0::", 3)) {
			snprintf(pi->cgroup, sizeof(pi->cgroup), "%s", line + 3);
			fg_proc__sanitize(pi->cgroup);
			break;
		}
	}
}

int fg_proc__read(int pid, struct fg_procinfo *pi)
{
	bool kthread;
	int err;

	memset(pi, 0, sizeof(*pi));
	pi->pid = pid;
	err = proc_stat(pid, pi, &kthread);
	if (!err)
		err = proc_status(pid, pi);
	if (err)
		return err;
	proc_cgroup(pid, pi);
	pi->pidns = ns_inode(pid, "pid");
	pi->mntns = ns_inode(pid, "mnt");
	return 0;
}

/*
 * PIDFD_GET_INFO (Linux 6.13, linux/pidfd.h; Debian 12's headers predate
 * it): uids and cgroup id of a process through a pidfd, one ioctl instead
 * of formatting /proc/PID/status and /proc/PID/cgroup.
 */
struct pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid;
	uint32_t ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};

#define PIDFD_INFO_PID_		(1ull << 0)
#define PIDFD_INFO_CREDS_	(1ull << 1)
#define PIDFD_INFO_CGROUPID_	(1ull << 2)
#define PIDFD_GET_INFO_		_IOWR(0xFF, 11, struct pidfd_info_v0)

static bool pidfd_info_missing;	/* the kernel said no once */

static int proc_pidfd_info(int pid, struct pidfd_info_v0 *in)
{
	int fd, err = 0;

	if (pidfd_info_missing)
		return -ENOTTY;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ENOSYS ? (pidfd_info_missing = true, -ENOTTY) : -errno;
	memset(in, 0, sizeof(*in));
	in->mask = PIDFD_INFO_PID_ | PIDFD_INFO_CREDS_ | PIDFD_INFO_CGROUPID_;
	if (ioctl(fd, PIDFD_GET_INFO_, in)) {
		err = -errno;
		if (err == -ENOTTY || err == -EINVAL || err == -EOPNOTSUPP)
			pidfd_info_missing = true;
	} else if (!(in->mask & PIDFD_INFO_CREDS_) || (int)in->tgid != pid) {
		err = -EINVAL;
	}
	close(fd);
	return err;
}

int fg_proc__read_fast(int pid, struct fg_procinfo *pi,
		       const struct fg_proc_fast *f, bool *kthread,
		       bool *cg_known)
{
	struct pidfd_info_v0 in;
	const char *cg;
	int err;

	memset(pi, 0, sizeof(*pi));
	pi->pid = pid;
	*cg_known = false;
	err = proc_stat(pid, pi, kthread);
	if (err)
		return err;
	pi->pidns = ns_inode(pid, "pid");
	pi->mntns = ns_inode(pid, "mnt");
	/* in our PID namespace NSpid is pid: no /proc/PID/status */
	if (f && f->pidns && pi->pidns == f->pidns &&
	    !proc_pidfd_info(pid, &in)) {
		pi->nspid = pid;
		pi->ruid = in.ruid;
		pi->euid = in.euid;
		cg = (in.mask & PIDFD_INFO_CGROUPID_) ?
		     fg_cgmap__path(f->cg, in.cgroupid) : NULL;
		if (cg) {
			snprintf(pi->cgroup, sizeof(pi->cgroup), "%s", cg);
			fg_proc__sanitize(pi->cgroup);
			*cg_known = true;
		} else {
			proc_cgroup(pid, pi);
		}
		return 0;
	}
	err = proc_status(pid, pi);
	if (err)
		return err;
	proc_cgroup(pid, pi);
	return 0;
}

uint64_t fg_proc__self_pidns(void)
{
	return ns_inode(0, "pid");
}
