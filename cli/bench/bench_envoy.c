// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: Envoy's admin profiler. Toggle it over HTTP, then fetch the
 * file it wrote: through --exec-prefix (`PREFIX cat`), from the sidecar's
 * own root when it runs in another mount namespace (openat2 with
 * RESOLVE_IN_ROOT, so the container's symlinks stay inside it), or from
 * the host path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "cmd.h"

#define ENVOY_MAX_FILE	(1LL << 30)

int bench__envoy_toggle(struct bench *b, bool on)
{
	char path[64];
	int st = 0, err;

	snprintf(path, sizeof(path), "/%s?enable=%s", b->envoy_profiler, on ? "y" : "n");
	err = bench__http_post(b, b->admin, path, &st);
	if (err)
		return cli_error("bench: POST http://%s%s: %s", b->admin, path, strerror(-err));
	if (st != 200)
		return cli_error("bench: POST http://%s%s: HTTP status %d", b->admin, path, st);
	return 0;
}

static bool heap(const struct bench *b)
{
	return !strcmp(b->envoy_profiler, "heapprofiler");
}

/* The newest PATH.NNNN.heap on the host (gperftools numbers heap dumps). */
static char *host_path(struct bench *b)
{
	const char *path = b->envoy_path;
	char *pat, *best = NULL;
	time_t bt = 0;
	glob_t g;
	size_t i;

	if (!heap(b))
		return strdup(path);
	if (asprintf(&pat, "%s.*.heap", path) < 0)
		return NULL;
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			struct stat st;

			if (!stat(g.gl_pathv[i], &st) && S_ISREG(st.st_mode) &&
			    (!best || st.st_mtime >= bt)) {
				free(best);
				best = strdup(g.gl_pathv[i]);
				bt = st.st_mtime;
			}
		}
		globfree(&g);
	}
	free(pat);
	return best ? best : strdup(path);
}

static int open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

/* Copy a regular file (at most 1 GiB) from fd to dst. */
static int copy_out(int fd, const char *dst)
{
	struct stat st;
	char buf[65536];
	ssize_t n;
	int out, err = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ENVOY_MAX_FILE)
		return -EINVAL;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	if (close(out) < 0 && !err)
		err = -errno;
	return err;
}

/* The sidecar's file through /proc/PID/root, confined to that root. */
static int fetch_from_root(struct bench *b, const char *dst)
{
	char root[64], *dir = NULL, *base, best[256] = "";
	long long bt = -1;
	int rfd, dfd, fd, err;
	struct dirent *de;
	DIR *d;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)b->sc[0].pid);
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	if (!heap(b)) {
		fd = open_in_root(rfd, b->envoy_path, O_RDONLY);
		goto copy;
	}
	dir = strdup(b->envoy_path);
	if (!dir) {
		close(rfd);
		return -ENOMEM;
	}
	base = strrchr(dir, '/');
	if (!base) {
		free(dir);
		close(rfd);
		return -EINVAL;
	}
	*base++ = '\0';
	dfd = open_in_root(rfd, *dir ? dir : "/", O_RDONLY | O_DIRECTORY);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		free(dir);
		close(rfd);
		return -ENOENT;
	}
	while ((de = readdir(d)) != NULL) {
		size_t bl = strlen(base), nl = strlen(de->d_name);
		struct stat st;

		if (nl <= bl + 6 || strncmp(de->d_name, base, bl) || de->d_name[bl] != '.' ||
		    strcmp(de->d_name + nl - 5, ".heap") || nl >= sizeof(best))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		if ((long long)st.st_mtime >= bt) {
			bt = (long long)st.st_mtime;
			strcpy(best, de->d_name);
		}
	}
	fd = best[0] ? openat(dirfd(d), best, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) :
		       -1;
	if (!best[0])
		errno = ENOENT;
	closedir(d);
	free(dir);
copy:
	err = fd < 0 ? -errno : copy_out(fd, dst);
	if (fd >= 0)
		close(fd);
	close(rfd);
	return err;
}

static bool other_mount_ns(pid_t pid)
{
	char path[64], a[64] = "", c[64] = "";
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	n = readlink(path, a, sizeof(a) - 1);
	if (n <= 0)
		return false;
	a[n] = '\0';
	n = readlink("/proc/self/ns/mnt", c, sizeof(c) - 1);
	if (n <= 0)
		return false;
	c[n] = '\0';
	return strcmp(a, c) != 0;
}

char *bench__envoy_collect(struct bench *b)
{
	char *dst = NULL, *prefix, *script = NULL, *q, *qp, *cmd = NULL;
	int err;

	if (asprintf(&dst, "%s/envoy-profile.raw", b->rundir) < 0)
		return NULL;
	if (b->exec_prefix) {
		prefix = bench__subst(b->exec_prefix, b, &b->sc[0], NULL);
		qp = bench__shell_quote(b->envoy_path);
		if (prefix && qp &&
		    asprintf(&script, heap(b) ?
			     "f=$(ls -t %s.*.heap 2>/dev/null | head -n 1); cat \"${f:-%s}\"" :
			     "cat %s%.0s", qp, qp) > 0 &&
		    (q = bench__shell_quote(script)) != NULL) {
			if (asprintf(&cmd, "%s sh -c %s > %s", prefix, q, dst) > 0)
				bench__shell(cmd);
			free(q);
		}
		free(cmd);
		free(script);
		free(prefix);
		free(qp);
		return dst;
	}
	if (b->nr_sc && b->sc[0].pid && other_mount_ns(b->sc[0].pid)) {
		err = fetch_from_root(b, dst);
		if (!err)
			return dst;
		cli_warn("bench: %s inside the sidecar's root: %s; trying the host path",
			 b->envoy_path, strerror(-err));
	}
	free(dst);
	return host_path(b);
}
