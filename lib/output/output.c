// SPDX-License-Identifier: GPL-2.0
/* Output plumbing: the format table and atomic file writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const struct fg_output_ops *const formats[] = {
	&fg_output_folded,
	&fg_output_svg,
	&fg_output_heatmap,
	&fg_output_pprof,
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

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int fg_output__write_file(const struct fg_output_ops *ops, const char *path,
			  const struct fg_profile *p, const struct fg_opts *o)
{
	struct fg_buf buf = FG_BUF_INIT, tmp = FG_BUF_INIT;
	int fd = -1, ret;

	ret = ops->write(&buf, p, o);
	if (ret)
		goto out;
	if (!strcmp(path, "-")) {
		fflush(stdout);
		ret = write_all(STDOUT_FILENO, buf.buf ? buf.buf : "", buf.len);
		goto out;
	}
	/* same directory, so rename() is atomic */
	ret = fg_buf__addf(&tmp, "%s.tmp.%d", path, (int)getpid());
	if (ret)
		goto out;
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, buf.buf ? buf.buf : "", buf.len);
	if (close(fd) && !ret)	/* always close: no fd leak on error */
		ret = -errno;
	fd = -1;
	if (!ret && rename(tmp.buf, path))
		ret = -errno;
	if (ret)
		unlink(tmp.buf);
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.buf);
	}
	fg_buf__release(&buf);
	fg_buf__release(&tmp);
	return ret;
}
