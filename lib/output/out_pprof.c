// SPDX-License-Identifier: GPL-2.0
/*
 * pprof output: the gzipped protocol buffer that go tool pprof, Pyroscope,
 * Parca and Polar Signals read (github.com/google/pprof, proto/profile.proto).
 *
 * The model holds frame names, not addresses, so every distinct name is one
 * function with one location (its id is the name's id + 1), and one
 * mapping stands for the profiled program. Each stack with self weight is a
 * sample, locations leaf first, the root frame (the process name) last.
 * Values: the weight ("samples"/count, or the count name), and when the
 * caller knows what one sample stands for (o->period_ns), "cpu"/nanoseconds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "internal.h"

/* profile.proto field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	PROFILE_COMMENT = 13,
	VALUE_TYPE_TYPE = 1,
	VALUE_TYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	MAPPING_ID = 1,
	MAPPING_FILENAME = 5,
	MAPPING_HAS_FUNCTIONS = 7,
	LOCATION_ID = 1,
	LOCATION_MAPPING_ID = 2,
	LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1,
	FUNCTION_ID = 1,
	FUNCTION_NAME = 2,
	FUNCTION_SYSTEM_NAME = 3,
};

#define WIRE_VARINT	0
#define WIRE_LEN	2

static int put_varint(struct fg_buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return fg_buf__add(b, tmp, n);
}

static int put_key(struct fg_buf *b, unsigned int field, unsigned int wire)
{
	return put_varint(b, (uint64_t)field << 3 | wire);
}

static int put_uint(struct fg_buf *b, unsigned int field, uint64_t v)
{
	if (!v)
		return 0;	/* proto3 default */
	return put_key(b, field, WIRE_VARINT) ?: put_varint(b, v);
}

static int put_bytes(struct fg_buf *b, unsigned int field, const void *p,
		     size_t len)
{
	return put_key(b, field, WIRE_LEN) ?: put_varint(b, len) ?:
	       fg_buf__add(b, p, len);
}

/* A nested message: encoded in msg, then appended with its length. */
static int put_msg(struct fg_buf *b, unsigned int field, struct fg_buf *msg)
{
	int ret = put_bytes(b, field, msg->buf ? msg->buf : "", msg->len);

	fg_buf__reset(msg);
	return ret;
}

/* Strings: index 0 is "", then the frame names by id, then our labels. */
struct strs {
	uint32_t nr_names;
	uint32_t extra;
};

static int value_type(struct fg_buf *b, unsigned int field, uint64_t type,
		      uint64_t unit, struct fg_buf *tmp)
{
	return put_uint(tmp, VALUE_TYPE_TYPE, type) ?:
	       put_uint(tmp, VALUE_TYPE_UNIT, unit) ?: put_msg(b, field, tmp);
}

static int gzip(const struct fg_buf *in, struct fg_buf *out)
{
	z_stream z;
	int ret;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY))
		return -ENOMEM;
	if (fg_buf__grow(out, deflateBound(&z, in->len) + 64)) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)(in->buf ? in->buf : "");
	z.avail_in = (uInt)in->len;
	z.next_out = (Bytef *)out->buf + out->len;
	z.avail_out = (uInt)(out->alloc - out->len - 1);
	ret = deflate(&z, Z_FINISH);
	if (ret == Z_STREAM_END)
		out->len += z.total_out;
	deflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : -EIO;
}

static int pprof_encode(struct fg_buf *pb, const struct fg_profile *p,
			const struct fg_opts *o)
{
	const struct fg_strtab *names = fg_profile__names(p);
	uint32_t nr_names = fg_strtab__count(names), nr_nodes, i;
	uint32_t s_count, s_unit, s_cpu, s_ns, s_prog;
	struct fg_buf tmp = FG_BUF_INIT, tmp2 = FG_BUF_INIT, ids = FG_BUF_INIT;
	uint32_t *path = NULL;
	uint8_t *used = NULL;
	uint64_t period = o ? o->period_ns : 0;
	uint64_t unit = fg_profile__unit(p), v;
	const char *countname = o && o->countname && *o->countname ?
				o->countname : "samples";
	int ret = -ENOMEM;

	nr_nodes = fg_profile__nr_nodes(p);
	used = calloc(nr_names ? nr_names : 1, 1);
	path = malloc((nr_nodes ? nr_nodes : 1) * sizeof(*path));
	if (!used || !path)
		goto out;
	/* string ids: 0 "", 1..nr_names names, then ours */
	s_count = nr_names + 1;
	s_unit = nr_names + 2;
	s_cpu = nr_names + 3;
	s_ns = nr_names + 4;
	s_prog = nr_names + 5;

	ret = value_type(pb, PROFILE_SAMPLE_TYPE, s_count, s_unit, &tmp);
	if (!ret && period)
		ret = value_type(pb, PROFILE_SAMPLE_TYPE, s_cpu, s_ns, &tmp);
	if (ret)
		goto out;

	/* samples: every node with self weight, leaf first */
	for (i = 1; i < nr_nodes && !ret; i++) {
		const struct fg_node *n = fg_profile__node(p, i);
		size_t depth, k;

		/* int64 values: fractional counts rounded to whole units */
		v = (n->self[0] + unit / 2) / unit;
		if (!v)
			continue;
		depth = fg_profile__path(p, i, path, nr_nodes);
		fg_buf__reset(&ids);
		for (k = depth; k-- > 0;) {
			used[path[k]] = 1;
			ret = put_varint(&ids, (uint64_t)path[k] + 1);
			if (ret)
				goto out;
		}
		ret = put_bytes(&tmp, SAMPLE_LOCATION_ID, ids.buf ? ids.buf : "",
				ids.len);
		fg_buf__reset(&ids);
		ret = ret ?: put_varint(&ids, v);
		if (!ret && period)
			ret = put_varint(&ids, v * period);
		ret = ret ?: put_bytes(&tmp, SAMPLE_VALUE, ids.buf, ids.len);
		ret = ret ?: put_msg(pb, PROFILE_SAMPLE, &tmp);
	}
	if (ret)
		goto out;

	/* one mapping: the profiled program(s) */
	ret = put_uint(&tmp, MAPPING_ID, 1) ?:
	      put_uint(&tmp, MAPPING_FILENAME, s_prog) ?:
	      put_uint(&tmp, MAPPING_HAS_FUNCTIONS, 1) ?:
	      put_msg(pb, PROFILE_MAPPING, &tmp);
	/* a location and a function per name used */
	for (i = 0; i < nr_names && !ret; i++) {
		if (!used[i])
			continue;
		ret = put_uint(&tmp2, LINE_FUNCTION_ID, (uint64_t)i + 1) ?:
		      put_uint(&tmp, LOCATION_ID, (uint64_t)i + 1) ?:
		      put_uint(&tmp, LOCATION_MAPPING_ID, 1) ?:
		      put_msg(&tmp, LOCATION_LINE, &tmp2) ?:
		      put_msg(pb, PROFILE_LOCATION, &tmp);
	}
	for (i = 0; i < nr_names && !ret; i++) {
		if (!used[i])
			continue;
		ret = put_uint(&tmp, FUNCTION_ID, (uint64_t)i + 1) ?:
		      put_uint(&tmp, FUNCTION_NAME, (uint64_t)i + 1) ?:
		      put_uint(&tmp, FUNCTION_SYSTEM_NAME, (uint64_t)i + 1) ?:
		      put_msg(pb, PROFILE_FUNCTION, &tmp);
	}
	if (ret)
		goto out;

	/* the string table; unused names go in empty to keep ids dense */
	ret = put_bytes(pb, PROFILE_STRING_TABLE, "", 0);
	for (i = 0; i < nr_names && !ret; i++) {
		if (used[i])
			ret = put_bytes(pb, PROFILE_STRING_TABLE,
					fg_strtab__str(names, i),
					fg_strtab__len(names, i));
		else
			ret = put_bytes(pb, PROFILE_STRING_TABLE, "", 0);
	}
	ret = ret ?: put_bytes(pb, PROFILE_STRING_TABLE, countname,
			       strlen(countname));
	ret = ret ?: put_bytes(pb, PROFILE_STRING_TABLE, "count", 5);
	ret = ret ?: put_bytes(pb, PROFILE_STRING_TABLE, "cpu", 3);
	ret = ret ?: put_bytes(pb, PROFILE_STRING_TABLE, "nanoseconds", 11);
	ret = ret ?: put_bytes(pb, PROFILE_STRING_TABLE, "flame", 5);
	if (ret)
		goto out;
	if (o && o->time_ns)
		ret = put_uint(pb, PROFILE_TIME_NANOS, o->time_ns);
	if (!ret && o && o->duration_ns)
		ret = put_uint(pb, PROFILE_DURATION_NANOS, o->duration_ns);
	if (!ret && period)
		ret = value_type(pb, PROFILE_PERIOD_TYPE, s_cpu, s_ns, &tmp) ?:
		      put_uint(pb, PROFILE_PERIOD, period);
out:
	free(used);
	free(path);
	fg_buf__release(&tmp);
	fg_buf__release(&tmp2);
	fg_buf__release(&ids);
	return ret;
}

static int pprof_write(struct fg_buf *out, const struct fg_profile *p,
		       const struct fg_opts *o)
{
	struct fg_buf pb = FG_BUF_INIT;
	int ret = pprof_encode(&pb, p, o);

	if (!ret)
		ret = gzip(&pb, out);
	fg_buf__release(&pb);
	return ret;
}

static const char *const pprof_exts[] = { ".pb.gz", ".pprof", NULL };

const struct fg_output_ops fg_output_pprof = {
	.name = "pprof",
	.exts = pprof_exts,
	.write = pprof_write,
};
