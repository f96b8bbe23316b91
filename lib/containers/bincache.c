// SPDX-License-Identifier: GPL-2.0
/*
 * Binaries kept while alive: a container's own executables and libraries
 * vanish with its root, often before perf record ends and looks for them.
 * While a container process lives, each executable file it maps is opened
 * through /proc/PID/map_files (the very inode mapped: no path is resolved,
 * no container symlink followed), checked (regular file, not on FUSE, size
 * cap), its build id read, and the file copied into perf's build-id cache
 * as DIR/.build-id/xx/<rest>/elf, once per build id. perf record runs with
 * --buildid-mmap (the kernel puts each mapping's build id in the MMAP2
 * record), so perf script finds the copy after the container is gone.
 * Docs: docs/containers.md, "Binaries kept while alive".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <flame/elfsym.h>
#include <flame/perfdata.h>
#include "internal.h"
#include <flame/hashmap.h>
#include <flame/containers.h>

#define FUSE_MAGIC	0x65735546
#define MAX_SEEN	4096		/* files remembered */

struct seen {
	uint64_t dev, ino;		/* key, from the maps line */
};

static bool seen_eq(const void *entry, const void *key)
{
	return !memcmp(entry, key, sizeof(struct seen));
}

/* a build id, zero padded to 20 bytes */
struct bid {
	uint8_t id[20];
};

struct fg_bincache {
	char *dir;			/* perf's build-id cache directory */
	struct fg_bincache_opts o;
	struct fg_hashmap *seen;	/* struct seen */
	struct fg_bincache_stats st;
	struct bid *want;		/* sorted; copy only these (NULL: all) */
	size_t nr_want;
	bool want_on;
};

struct fg_bincache *fg_bincache__new(const char *dir,
				     const struct fg_bincache_opts *o)
{
	struct fg_bincache *b = calloc(1, sizeof(*b));
	const char *env = getenv("PERF_BUILDID_DIR"), *home = getenv("HOME");

	if (!b)
		return NULL;
	if (o)
		b->o = *o;
	if (!b->o.max_file)
		b->o.max_file = 256ull << 20;
	if (!b->o.max_total)
		b->o.max_total = 1ull << 30;
	if (!b->o.max_files)
		b->o.max_files = 2048;
	if (dir)
		b->dir = strdup(dir);
	else if (env && env[0])
		b->dir = strdup(env);
	else if (asprintf(&b->dir, "%s/.debug", home && home[0] ? home : "/root") < 0)
		b->dir = NULL;
	b->seen = fg_hashmap__new(sizeof(struct seen), seen_eq);
	if (!b->dir || !b->seen) {
		fg_bincache__delete(b);
		return NULL;
	}
	return b;
}

void fg_bincache__delete(struct fg_bincache *b)
{
	if (!b)
		return;
	free(b->want);
	fg_hashmap__delete(b->seen);
	free(b->dir);
	free(b);
}

const struct fg_bincache_stats *fg_bincache__stats(const struct fg_bincache *b)
{
	return &b->st;
}

/* true when (dev, ino) was already looked at; else remembers it */
static bool seen_before(struct fg_bincache *b, uint64_t dev, uint64_t ino)
{
	struct seen k = { dev, ino }, *e;
	uint64_t h = fg_hash64(dev * 0x9e3779b97f4a7c15ull ^ ino);
	bool added;

	if (fg_hashmap__count(b->seen) >= MAX_SEEN)
		return true;	/* full: treat as seen (counted as capped) */
	e = fg_hashmap__insert(b->seen, h, &k, &added);
	if (!e)
		return true;	/* no memory: as if full */
	*e = k;
	return !added;
}

static int mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int bid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct bid));
}

static bool wanted(const struct fg_bincache *b, const uint8_t *id, size_t len)
{
	struct bid k = { { 0 } };

	memcpy(k.id, id, len < sizeof(k.id) ? len : sizeof(k.id));
	return bsearch(&k, b->want, b->nr_want, sizeof(k), bid_cmp) != NULL;
}

/*
 * perf.data's build-id table (feature HEADER_BUILD_ID, bit 2; layout in
 * perf's Documentation/perf.data-file-format.txt): the feature sections
 * follow the data section, one {offset, size} per feature bit set, in bit
 * order; the section holds records { u32 type; u16 misc; u16 size; s32
 * pid; u8 build_id[20]; u8 id_size; u8 pad[3]; char filename[] }, id_size
 * valid when misc has bit 15 (else 20 bytes).
 */
#define FEAT_BUILD_ID		2
#define MAX_BID_SECTION		(64u << 20)
#define MAX_WANT		65536

int fg_bincache__want_perf_data(struct fg_bincache *b, int fd)
{
	struct fg_perf_header h;
	struct fg_perf_section sec;
	uint8_t *buf = NULL, *p, *end;
	size_t idx, k;
	int err;

	err = fg_perf_header__read(fd, &h);
	if (err)
		return err == -ENOTSUP ? -EINVAL : err;
	err = fg_perf_header__feature(fd, &h, FEAT_BUILD_ID, &sec);
	if (err)
		return err;
	if (sec.size > MAX_BID_SECTION)
		return -EFBIG;
	buf = malloc(sec.size ? sec.size : 1);
	if (!buf)
		return -ENOMEM;
	err = fg_perf_header__section(fd, &sec, buf);
	if (err)
		goto out;
	free(b->want);
	b->want = NULL;
	b->nr_want = 0;
	b->want = calloc(MAX_WANT, sizeof(*b->want));
	if (!b->want) {
		err = -ENOMEM;
		goto out;
	}
	for (p = buf, end = buf + sec.size; end - p >= 36 && b->nr_want < MAX_WANT;) {
		uint16_t misc, size;
		size_t len = 20;

		memcpy(&misc, p + 4, 2);
		memcpy(&size, p + 6, 2);
		if (size < 36 || size > end - p)
			break;
		if (misc & (1u << 15) && p[32] && p[32] < 20)
			len = p[32];
		memcpy(b->want[b->nr_want++].id, p + 12, len);
		p += size;
	}
	qsort(b->want, b->nr_want, sizeof(*b->want), bid_cmp);
	for (k = idx = 0; k < b->nr_want; k++)	/* unique */
		if (!idx || bid_cmp(&b->want[idx - 1], &b->want[k]))
			b->want[idx++] = b->want[k];
	b->nr_want = idx;
	b->want_on = true;
out:
	free(buf);
	return err;
}

static int copy_fd(int in, int out, uint64_t size)
{
	char buf[65536];
	uint64_t done = 0;
	ssize_t n;

	while (done < size) {
		n = pread(in, buf, sizeof(buf), (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		if (write(out, buf, (size_t)n) != n)
			return -EIO;
		done += (uint64_t)n;
	}
	return 0;
}

/* Add the file mapped at [start, end) of pid to the cache. */
static void add_mapping(struct fg_bincache *b, int pid, const char *range)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16], hex[41];
	uint8_t id[20];
	size_t len, i;
	struct statfs sf;
	struct stat st;
	int pfd, fd, out, err;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%s", pid, range);
	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return;
	if (fstat(pfd, &st) || !S_ISREG(st.st_mode) || fstatfs(pfd, &sf) ||
	    sf.f_type == FUSE_MAGIC) {
		close(pfd);
		return;
	}
	if ((uint64_t)st.st_size > b->o.max_file ||
	    b->st.files >= b->o.max_files ||
	    b->st.bytes + (uint64_t)st.st_size > b->o.max_total) {
		close(pfd);
		b->st.capped++;
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return;
	err = fg_elf__build_id_fd(fd, id, &len);
	if (err || len < 2) {
		close(fd);
		return;
	}
	if (b->want_on && !wanted(b, id, len)) {
		close(fd);
		return;
	}
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s", b->dir, hex,
		 hex + 2);
	if (!access(path, F_OK)) {	/* perf (or we) cached it already */
		b->st.present++;
		close(fd);
		return;
	}
	if (mkdir_p(path)) {
		b->st.failed++;
		close(fd);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s/elf.%d", path, (int)getpid());
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		   0644);
	if (out < 0) {
		b->st.failed++;
		close(fd);
		return;
	}
	err = copy_fd(fd, out, (uint64_t)st.st_size);
	close(fd);
	if (close(out) || err) {
		unlink(tmp);
		b->st.failed++;
		return;
	}
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/elf");
	if (rename(tmp, path)) {
		unlink(tmp);
		b->st.failed++;
		return;
	}
	b->st.files++;
	b->st.bytes += (uint64_t)st.st_size;
}

int fg_bincache__scan(struct fg_bincache *b, int pid)
{
	struct fg_buf in = FG_BUF_INIT;
	char path[64], buf[65536];
	const char *p, *end, *nl;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (in.len < (4u << 20) && (n = read(fd, buf, sizeof(buf))) > 0)
		fg_buf__add(&in, buf, (size_t)n);
	close(fd);
	b->st.scans++;
	p = in.buf;
	end = in.buf + in.len;
	for (; p && p < end; p = nl + 1) {
		char range[64], perms[8];
		unsigned int maj, min;
		unsigned long long ino, lo, hi;
		int off = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (sscanf(p, "%llx-%llx %7s %*s %x:%x %llu %n", &lo, &hi, perms,
			   &maj, &min, &ino, &off) != 6 || !off || !ino ||
		    strlen(perms) < 3 || perms[2] != 'x' || p[off] != '/')
			continue;
		if (seen_before(b, ((uint64_t)maj << 32) | min, ino))
			continue;
		/* map_files names have no leading zeros, maps lines do */
		snprintf(range, sizeof(range), "%llx-%llx", lo, hi);
		add_mapping(b, pid, range);
	}
	fg_buf__release(&in);
	return 0;
}
