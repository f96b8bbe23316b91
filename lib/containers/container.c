// SPDX-License-Identifier: GPL-2.0
/*
 * Container identity from cgroup v2 paths, and cgroup inode -> path (what
 * perf record --all-cgroups stores in sample->cgroup is the inode number of
 * the cgroup2 directory).
 *
 * Naming conventions recognised (last matching path component wins):
 *   docker:     .../docker-<64hex>.scope       (systemd driver)
 *               /docker/<64hex>                (cgroupfs driver)
 *   containerd: .../cri-containerd-<64hex>.scope, /k8s.io/<64hex>
 *   cri-o:      .../crio-<64hex>.scope          (crio-conmon-* is not it)
 *   podman:     .../libpod-<64hex>.scope, /libpod_parent/libpod-<64hex>
 *   kubepods:   /kubepods/<qos>/pod<uid>/<64hex> (cgroupfs driver)
 *               .../kubepods-*-pod<uid>.slice   (pod level only)
 * Anything else, and the root cgroup, is "host".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include <flame/containers.h>

static bool is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* comp = "<prefix><64hex>[.scope]"? */
static bool match_prefixed(const char *comp, size_t len, const char *prefix,
			   const char **id)
{
	size_t pl = strlen(prefix);

	if (len < pl || strncmp(comp, prefix, pl))
		return false;
	comp += pl;
	len -= pl;
	if (len > 6 && !strncmp(comp + len - 6, ".scope", 6))
		len -= 6;
	if (!is_hex_id(comp, len))
		return false;
	*id = comp;
	return true;
}

static void set_id(char *label, size_t label_len, char *full, size_t full_len,
		   const char *rt, const char *id, size_t idlen)
{
	snprintf(label, label_len, "%s:%.12s", rt, id);
	snprintf(full, full_len, "%.*s", (int)idlen, id);
}

void fg_container__id(const char *cgpath, char *label, size_t label_len,
		      char *full, size_t full_len)
{
	const char *c = cgpath, *e, *id, *prev = NULL, *pod = NULL;
	size_t len, prevlen = 0, podlen = 0;
	bool kube = false, found = false;

	snprintf(label, label_len, "host");
	snprintf(full, full_len, "host");
	while (c && *c) {
		while (*c == '/')
			c++;
		if (!*c)
			break;
		e = strchr(c, '/');
		len = e ? (size_t)(e - c) : strlen(c);
		if (!strncmp(c, "kubepods", 8))
			kube = true;
		if (match_prefixed(c, len, "docker-", &id)) {
			set_id(label, label_len, full, full_len, "docker", id, 64);
			found = true;
		} else if (match_prefixed(c, len, "cri-containerd-", &id)) {
			set_id(label, label_len, full, full_len, "containerd", id, 64);
			found = true;
		} else if (match_prefixed(c, len, "crio-", &id)) {
			set_id(label, label_len, full, full_len, "crio", id, 64);
			found = true;
		} else if (match_prefixed(c, len, "libpod-", &id)) {
			set_id(label, label_len, full, full_len, "podman", id, 64);
			found = true;
		} else if (is_hex_id(c, len)) {
			const char *rt = "container";

			if (prev && prevlen == 6 && !strncmp(prev, "docker", 6))
				rt = "docker";
			else if (prev && prevlen == 6 && !strncmp(prev, "k8s.io", 6))
				rt = "containerd";
			else if (kube)
				rt = "kubepods";
			set_id(label, label_len, full, full_len, rt, c, 64);
			found = true;
		} else if (kube && !found) {
			const char *p = memmem(c, len, "-pod", 4);

			if (p)
				p++;
			else if (len > 3 && !strncmp(c, "pod", 3))
				p = c;
			if (p) {
				pod = p + 3;
				podlen = len - (size_t)(pod - c);
				if (podlen > 6 && !strncmp(pod + podlen - 6,
							   ".slice", 6))
					podlen -= 6;
			}
		}
		prev = c;
		prevlen = len;
		c = e;
	}
	if (!found && pod && podlen) {
		snprintf(label, label_len, "pod:%.*s", (int)podlen, pod);
		snprintf(full, full_len, "%.*s", (int)podlen, pod);
	}
}

bool fg_container__match(const char *label, const char *full, const char *id)
{
	const char *colon;
	size_t n = strlen(id);

	if (!strcmp(label, id))
		return true;
	colon = strchr(label, ':');
	if (colon && !strcmp(colon + 1, id))
		return true;
	return n >= 4 && full && !strncmp(full, id, n);
}

int fg_cgroup__mount(char *buf, size_t len)
{
	char line[4096], dev[256], mnt[3072], type[64];
	FILE *fp = fopen("/proc/mounts", "re");
	int err = -ENOENT;

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%255s %3071s %63s", dev, mnt, type) != 3)
			continue;
		if (strcmp(type, "cgroup2"))
			continue;
		snprintf(buf, len, "%s", mnt);
		err = 0;
		break;
	}
	fclose(fp);
	return err;
}

/* ---- inode -> path -------------------------------------------------------- */

struct cg_ent {
	uint64_t ino;
	char *path;
};

struct fg_cgmap {
	struct cg_ent *e;
	size_t nr, alloc;
};

#define CG_MAX_DEPTH	16
#define CG_MAX_DIRS	200000

static int cg_add(struct fg_cgmap *c, uint64_t ino, const char *path)
{
	if (c->nr >= CG_MAX_DIRS)
		return -E2BIG;
	if (fg_grow(&c->e, &c->alloc, c->nr, sizeof(*c->e), 64))
		return -ENOMEM;
	c->e[c->nr].path = strdup(path);
	if (!c->e[c->nr].path)
		return -ENOMEM;
	c->e[c->nr++].ino = ino;
	return 0;
}

static int cg_walk(struct fg_cgmap *c, int dfd, char *path, size_t plen,
		   size_t cap, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, err = 0;
	size_t n;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d)) && !err) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		n = strlen(de->d_name);
		if (plen + 1 + n + 1 > cap)
			continue;
		fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		path[plen] = '/';
		memcpy(path + plen + 1, de->d_name, n + 1);
		err = cg_add(c, (uint64_t)st.st_ino, path);
		if (!err && depth < CG_MAX_DEPTH)
			err = cg_walk(c, fd, path, plen + 1 + n, cap, depth + 1);
		else
			close(fd);
		path[plen] = '\0';
	}
	closedir(d);
	return err == -E2BIG ? 0 : err;
}

static int cmp_ino(const void *a, const void *b)
{
	const struct cg_ent *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

struct fg_cgmap *fg_cgmap__scan(const char *mnt)
{
	struct fg_cgmap *c = calloc(1, sizeof(*c));
	char path[4096] = "";
	struct stat st;
	int fd, err;

	if (!c)
		return NULL;
	fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		goto out_err;
	}
	err = cg_add(c, (uint64_t)st.st_ino, "/");
	if (err) {
		close(fd);
		goto out_err;
	}
	err = cg_walk(c, fd, path, 0, sizeof(path), 1);
	if (err)
		goto out_err;
	qsort(c->e, c->nr, sizeof(*c->e), cmp_ino);
	return c;
out_err:
	fg_cgmap__delete(c);
	errno = -err;
	return NULL;
}

void fg_cgmap__delete(struct fg_cgmap *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nr; i++)
		free(c->e[i].path);
	free(c->e);
	free(c);
}

const char *fg_cgmap__path(const struct fg_cgmap *c, uint64_t ino)
{
	struct cg_ent key = { .ino = ino }, *e;

	if (!c || !c->nr)
		return NULL;
	e = bsearch(&key, c->e, c->nr, sizeof(*c->e), cmp_ino);
	return e ? e->path : NULL;
}

size_t fg_cgmap__count(const struct fg_cgmap *c)
{
	return c ? c->nr : 0;
}

bool fg_cgmap__entry(const struct fg_cgmap *c, size_t i, uint64_t *ino,
		     const char **path)
{
	if (!c || i >= c->nr)
		return false;
	*ino = c->e[i].ino;
	*path = c->e[i].path;
	return true;
}
