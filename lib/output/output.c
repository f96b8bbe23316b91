// SPDX-License-Identifier: GPL-2.0
/* Output plumbing: the format table and the one safe file writer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "heatmap.h"

static const struct fg_output_ops *const formats[] = {
	&fg_output_folded,
	&fg_output_svg,
	&fg_output_heatmap,
	&fg_output_pprof,
	&fg_output_speedscope,
};

const struct fg_output_ops *fg_output__find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	if (!strcmp(name, "html"))
		return &fg_output_heatmap;
	return NULL;
}

const struct fg_output_ops *fg_output__for_path(const char *path)
{
	size_t i, plen = strlen(path);

	if (!strcmp(path, "-"))
		return &fg_output_folded;
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		const char *const *e;

		for (e = formats[i]->exts; e && *e; e++) {
			size_t elen = strlen(*e);

			if (plen > elen && !strcasecmp(path + plen - elen, *e))
				return formats[i];
		}
	}
	return NULL;
}

/*
 * How a path is written (see flame.h):
 *   FD      - "-" or a name for our own stdout/stderr: write that fd
 *   INPLACE - a device or FIFO (possibly through links): open and write it
 *   ATOMIC  - a regular file or a new name: temp file beside it + rename
 */
enum outfile_kind { OUTFILE_FD, OUTFILE_INPLACE, OUTFILE_ATOMIC };

struct fg_outfile {
	enum outfile_kind kind;
	int fd;
	int dir_fd;		/* ATOMIC: directory of the final name */
	int err;		/* first write error */
	char *base;		/* ATOMIC: final name inside dir_fd */
	char tmp[32];		/* ATOMIC: temporary name inside dir_fd */
};

#define MAX_LINKS 40

/*
 * Follow symbolic links by hand (readlink) until path names something that
 * is not a link or does not exist; a dangling link resolves to the name it
 * points at, so the file is created there and the link is kept.
 */
static char *resolve_links(const char *path)
{
	char *cur = strdup(path);
	int hops;

	for (hops = 0; cur; hops++) {
		struct stat st;
		char target[PATH_MAX], *next;
		ssize_t n;

		if (lstat(cur, &st) || !S_ISLNK(st.st_mode))
			return cur;
		if (hops == MAX_LINKS) {
			errno = ELOOP;
			break;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			break;
		target[n] = '\0';
		if (target[0] == '/') {
			next = strdup(target);
		} else {
			char *slash = strrchr(cur, '/');
			int dlen = slash ? (int)(slash - cur) + 1 : 0;

			if (asprintf(&next, "%.*s%s", dlen, cur, target) < 0)
				next = NULL;
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

/* Split path into an O_PATH directory fd and a malloc'ed last component. */
static int open_parent(const char *path, int *dir_fd, char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash && !slash[1])
		return -EISDIR;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, slash - path);
	*base = strdup(slash ? slash + 1 : path);
	if (!dir || !*base) {
		free(dir);
		free(*base);
		*base = NULL;
		return -ENOMEM;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0) {
		free(*base);
		*base = NULL;
		return -errno;
	}
	*dir_fd = fd;
	return 0;
}

/* A short unpredictable name: never longer than NAME_MAX, whatever base is. */
static void tmp_name(char *out, size_t size)
{
	static const char abc[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	unsigned char rnd[12];
	struct timespec ts;
	size_t i;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = fg_hash64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
			      ((uint64_t)getpid() << 16) ^ (uintptr_t)out);
		for (i = 0; i < sizeof(rnd); i++) {
			if (i % 8 == 0)
				x = fg_hash64(x + i);
			rnd[i] = x >> (8 * (i % 8));
		}
	}
	i = (size_t)snprintf(out, size, ".flame-");
	for (size_t k = 0; k < sizeof(rnd) && i + 1 < size; k++)
		out[i++] = abc[rnd[k] & 63];
	out[i] = '\0';
}

static bool same_file(const struct stat *st, int fd)
{
	struct stat fst;

	return !fstat(fd, &fst) && fst.st_dev == st->st_dev &&
	       fst.st_ino == st->st_ino;
}

/* Decide how path is written; for ATOMIC also resolve links into *real. */
static int classify(const char *path, enum outfile_kind *kind, int *fd,
		    char **real, mode_t *mode)
{
	struct stat st;

	*real = NULL;
	*mode = (mode_t)-1;	/* new file */
	if (!strcmp(path, "-")) {
		*kind = OUTFILE_FD;
		*fd = STDOUT_FILENO;
		return 0;
	}
	if (!stat(path, &st)) {
		if (same_file(&st, STDOUT_FILENO) || same_file(&st, STDERR_FILENO)) {
			*kind = OUTFILE_FD;
			*fd = same_file(&st, STDOUT_FILENO) ? STDOUT_FILENO :
							      STDERR_FILENO;
			return 0;
		}
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (!S_ISREG(st.st_mode)) {
			*kind = OUTFILE_INPLACE;
			return 0;
		}
		*mode = st.st_mode & 0777;
	} else if (errno != ENOENT) {
		return -errno;
	}
	*kind = OUTFILE_ATOMIC;
	*real = resolve_links(path);
	return *real ? 0 : -errno;
}

struct fg_outfile *fg_outfile__new(const char *path)
{
	struct fg_outfile *f;
	char *real = NULL;
	mode_t mode;
	int err, tries;

	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->fd = f->dir_fd = -1;
	err = classify(path, &f->kind, &f->fd, &real, &mode);
	if (err)
		goto out_err;
	switch (f->kind) {
	case OUTFILE_FD:
		fflush(f->fd == STDOUT_FILENO ? stdout : stderr);
		f->fd = dup(f->fd);
		if (f->fd < 0)
			err = -errno;
		break;
	case OUTFILE_INPLACE:
		/* a FIFO blocks here until it has a reader, as with "> fifo" */
		f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (f->fd < 0)
			err = -errno;
		break;
	case OUTFILE_ATOMIC:
		err = open_parent(real, &f->dir_fd, &f->base);
		if (err)
			break;
		for (tries = 0; tries < 100; tries++) {
			tmp_name(f->tmp, sizeof(f->tmp));
			f->fd = openat(f->dir_fd, f->tmp, O_WRONLY | O_CREAT |
				       O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				       mode == (mode_t)-1 ? 0666 : 0600);
			if (f->fd >= 0 || errno != EEXIST)
				break;
		}
		if (f->fd < 0) {
			err = -errno;
			f->tmp[0] = '\0';
			break;
		}
		/* a new file gets 0666 & ~umask, a replaced one its old mode */
		if (mode != (mode_t)-1 && fchmod(f->fd, mode))
			err = -errno;
		break;
	}
out_err:
	free(real);
	if (err) {
		fg_outfile__delete(f);
		errno = -err;
		return NULL;
	}
	return f;
}

int fg_outfile__fd(const struct fg_outfile *f)
{
	return f->fd;
}

int fg_outfile__write(struct fg_outfile *f, const void *p, size_t len)
{
	int err;

	if (f->err)
		return f->err;
	err = fg_write_all(f->fd, p, len);
	if (err)
		f->err = err;
	return err;
}

int fg_outfile__commit(struct fg_outfile *f)
{
	int err = f->err;

	if (f->fd >= 0 && close(f->fd) && !err && errno != EINTR)
		err = -errno;
	f->fd = -1;
	if (!err && f->kind == OUTFILE_ATOMIC) {
		if (renameat(f->dir_fd, f->tmp, f->dir_fd, f->base))
			err = -errno;
		else
			f->tmp[0] = '\0';
	}
	f->err = err;
	return err;
}

void fg_outfile__delete(struct fg_outfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->kind == OUTFILE_ATOMIC && f->tmp[0] && f->dir_fd >= 0)
		unlinkat(f->dir_fd, f->tmp, 0);
	if (f->dir_fd >= 0)
		close(f->dir_fd);
	free(f->base);
	free(f);
}

int fg_file__write(const char *path, const void *data, size_t len)
{
	struct fg_outfile *f = fg_outfile__new(path);
	int err;

	if (!f)
		return -errno;
	err = fg_outfile__write(f, data, len);
	if (!err)
		err = fg_outfile__commit(f);
	fg_outfile__delete(f);
	return err;
}

int fg_file__check(const char *path)
{
	enum outfile_kind kind;
	char *real = NULL, *base = NULL;
	mode_t mode;
	int err, fd, dir_fd;

	err = classify(path, &kind, &fd, &real, &mode);
	if (err || kind == OUTFILE_FD)
		return err;
	if (kind == OUTFILE_INPLACE)
		return access(path, W_OK) ? -errno : 0;
	err = open_parent(real, &dir_fd, &base);
	free(real);
	if (err)
		return err;
	if (faccessat(dir_fd, ".", W_OK, AT_EACCESS))
		err = -errno;
	close(dir_fd);
	free(base);
	return err;
}

/* a streaming buffer's flush: its bytes so far to the output file */
static int outfile_flush(struct fg_buf *b)
{
	int err = fg_outfile__write(b->flush_arg, b->buf, b->len);

	b->len = 0;
	return err;
}

/*
 * Folded and SVG text go out through a 256 KiB buffer, a regular file's
 * to its temporary (renamed at the end, as fg_file__write does): a 20 MB
 * output is not built in memory first (fresh pages cost a fault and a
 * clear each, docs/performance.md). On stdout or a FIFO, an output that
 * fails half way (out of memory) leaves what was written.
 */
#define STREAM_CHUNK	(256u << 10)

static int write_streaming(const struct fg_output_ops *ops, const char *path,
			   const struct fg_profile *p, const struct fg_opts *o)
{
	struct fg_buf buf = FG_BUF_INIT;
	struct fg_outfile *f = fg_outfile__new(path);
	int ret;

	if (!f)
		return -errno;
	ret = fg_buf__grow(&buf, STREAM_CHUNK);
	if (!ret) {
		buf.flush = outfile_flush;
		buf.flush_arg = f;
		ret = ops->write(&buf, p, o);
		/* a failed flush is the cause, not what the writer made of it */
		if (f->err)
			ret = f->err;
	}
	if (!ret)
		ret = fg_outfile__write(f, buf.buf ? buf.buf : "", buf.len);
	if (!ret)
		ret = fg_outfile__commit(f);
	fg_outfile__delete(f);
	fg_buf__release(&buf);
	return ret;
}

int fg_output__write_file(const struct fg_output_ops *ops, const char *path,
			  const struct fg_profile *p, const struct fg_opts *o)
{
	struct fg_buf buf = FG_BUF_INIT;
	struct fg_profile *cut = NULL;
	int ret;

	/* --skip-after, --base: the stacks cut at those frames */
	if (o && (o->skip_after.n || o->base.n)) {
		cut = fg_profile__cut(p, &o->skip_after, &o->base);
		if (!cut)
			return -errno;
		p = cut;
	}
	if (ops == &fg_output_folded || ops == &fg_output_svg) {
		ret = write_streaming(ops, path, p, o);
		fg_profile__delete(cut);
		return ret;
	}
	ret = ops->write(&buf, p, o);
	if (!ret)
		ret = fg_file__write(path, buf.buf ? buf.buf : "", buf.len);
	fg_buf__release(&buf);
	fg_profile__delete(cut);
	return ret;
}

/* Option ranges every output honours (docs/security.md). */
static int check_ranges(const struct fg_opts *o, struct fg_buf *msg)
{
	if (o->width < 1 || o->width > 1000000)
		return fg_buf__addf(msg, "width=%d out of range (1..1000000)",
				    o->width) ?: -ERANGE;
	if (o->height < 1 || o->height > 10000)
		return fg_buf__addf(msg, "height=%d out of range (1..10000)",
				    o->height) ?: -ERANGE;
	if (!(o->fontsize >= 0 && o->fontsize <= 1000))
		return fg_buf__addf(msg, "fontsize=%g out of range (0..1000)",
				    o->fontsize) ?: -ERANGE;
	if (!(o->fontwidth >= 0 && o->fontwidth <= 10))
		return fg_buf__addf(msg, "fontwidth=%g out of range (0..10)",
				    o->fontwidth) ?: -ERANGE;
	if (!(o->factor >= 0 && o->factor <= 1e18))
		return fg_buf__addf(msg, "factor=%g out of range (0..1e18)",
				    o->factor) ?: -ERANGE;
	if (o->rows < 0 || o->rows > FG_HM_MAX_ROWS)
		return fg_buf__addf(msg, "rows=%d out of range (1..%d)",
				    o->rows, FG_HM_MAX_ROWS) ?: -ERANGE;
	return 0;
}

int fg_output__check(const struct fg_opts *o, const char *default_fmt,
		     struct fg_buf *msg)
{
	size_t i;
	int err;

	err = check_ranges(o, msg);
	if (err)
		return err;
	if (o->format && !fg_output__find(o->format))
		return fg_buf__addf(msg, "format=%s: unknown (folded, svg, heatmap, pprof)",
				    o->format) ?: -EINVAL;
	for (i = 0; i < o->out.n; i++) {
		const char *path = o->out.v[i];

		if (!*path)
			return fg_buf__adds(msg, "out= needs a file name") ?:
			       -EINVAL;
		if (!o->format && !fg_output__for_path(path) &&
		    !(default_fmt && fg_output__find(default_fmt)))
			return fg_buf__addf(msg, "%s: unknown output format (use .svg, .folded, .txt, .html, .pb.gz or format=)",
					    path) ?: -EINVAL;
		err = fg_file__check(path);
		if (err)
			return fg_buf__addf(msg, "cannot write %s: %s", path,
					    strerror(-err)) ?: err;
	}
	return 0;
}
