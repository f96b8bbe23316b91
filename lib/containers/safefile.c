// SPDX-License-Identifier: GPL-2.0
/*
 * Reading files that belong to a container, which may be hostile: a
 * symlink to a host secret, a FIFO, a device, a sparse 2 GB file, a file on
 * a FUSE mount that never answers. Rules (docs/containers.md):
 *  - the path is resolved by the kernel inside the container's root
 *    (openat2 RESOLVE_IN_ROOT) and no symlink at all is followed
 *    (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, O_NOFOLLOW);
 *  - the file is first opened O_PATH and checked with fstat before it is
 *    opened for reading (through /proc/self/fd, so the very same inode):
 *    opening a FIFO or a device never happens;
 *  - regular file, owned by root or the process's owner, not on FUSE,
 *    no larger than the cap; read with read(2) (never mmap), non-blocking,
 *    within a time budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include <flame/containers.h>
#include <flame/perfmap.h>

#define FUSE_MAGIC 0x65735546

static long sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int fg_safefile__open_root(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int fg_safefile__open_dir(int root_fd, const char *rel)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_SYMLINKS,
	};
	long fd = sys_openat2(root_fd, rel, &how);

	return fd < 0 ? -errno : (int)fd;
}

static bool owner_ok(const struct fg_safefile_opts *o, uid_t uid)
{
	unsigned int i;

	if (uid == 0)
		return true;
	for (i = 0; i < o->nr_uids && i < ARRAY_SIZE(o->uids); i++)
		if (o->uids[i] == uid)
			return true;
	return false;
}

int fg_safefile__read(int root_fd, const char *rel,
		      const struct fg_safefile_opts *o, uint64_t off,
		      struct fg_buf *out, uint64_t *size, const char **why)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_SYMLINKS,
	};
	uint64_t max = o->max_size ? o->max_size : FG_PERFMAP_MAX_BYTES;
	unsigned int max_ms = o->max_ms ? o->max_ms : 2000;
	uint64_t deadline, want, got = 0;
	struct stat st;
	struct statfs sfs;
	char proc[64];
	int pfd, fd = -1, err;
	ssize_t n;

	*why = NULL;
	*size = 0;
	while (*rel == '/')
		rel++;
	pfd = (int)sys_openat2(root_fd, rel, &how);
	if (pfd < 0) {
		err = -errno;
		if (err == -ELOOP)
			*why = "is a symlink or goes through one";
		else if (err == -EXDEV)
			*why = "path escapes the container root";
		else if (err == -ENOSYS)
			*why = "openat2() not supported by this kernel";
		else if (err != -ENOENT)
			*why = "cannot be opened";
		return err;
	}
	if (fstat(pfd, &st)) {
		err = -errno;
		*why = "cannot be inspected";
		goto out_close;
	}
	err = -EPERM;
	if (S_ISLNK(st.st_mode)) {
		*why = "is a symlink";
		goto out_close;
	}
	if (S_ISFIFO(st.st_mode)) {
		*why = "is a FIFO, not a regular file";
		goto out_close;
	}
	if (S_ISDIR(st.st_mode)) {
		*why = "is a directory, not a regular file";
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "is a device or socket, not a regular file";
		goto out_close;
	}
	if (!owner_ok(o, st.st_uid)) {
		*why = "is owned by a user other than root or the process owner";
		goto out_close;
	}
	if (fstatfs(pfd, &sfs) == 0 && (unsigned long)sfs.f_type == FUSE_MAGIC) {
		*why = "is on a FUSE file system";
		goto out_close;
	}
	*size = (uint64_t)st.st_size;
	if ((uint64_t)st.st_size > max) {
		err = -EFBIG;
		*why = "is larger than the size cap";
		goto out_close;
	}
	if (off >= (uint64_t)st.st_size) {
		err = 0;
		goto out_close;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		*why = "cannot be reopened for reading";
		goto out_close;
	}
	want = (uint64_t)st.st_size - off;
	if (o->max_read && want > o->max_read)
		want = o->max_read;
	err = fg_buf__grow(out, (size_t)want + 1);
	if (err)
		goto out_close;
	deadline = mono_ms() + max_ms;
	while (got < want) {
		n = pread(fd, out->buf + out->len,
			  (size_t)(want - got > (1u << 20) ? 1u << 20 : want - got),
			  (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (mono_ms() > deadline) {
				err = -ETIMEDOUT;
				*why = "did not answer in time";
				goto out_close;
			}
			usleep(1000);
			continue;
		}
		if (n < 0) {
			err = -errno;
			*why = "read failed";
			goto out_close;
		}
		if (n == 0)
			break;	/* truncated meanwhile: keep what we have */
		got += (uint64_t)n;
		out->len += (size_t)n;
		if (mono_ms() > deadline) {
			err = -ETIMEDOUT;
			*why = "took too long to read";
			goto out_close;
		}
	}
	out->buf[out->len] = '\0';
	err = 0;
out_close:
	if (fd >= 0)
		close(fd);
	close(pfd);
	return err;
}
