// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint field filters (include/flame/tpfilter.h): "[SYS:EVENT:]FIELD
 * OP VALUE" conditions, checked against the event formats once, then read
 * from each sample's payload by offset, or through perf's own decoder.
 *
 * Per event (perf hands one name pointer per event), the conditions that
 * apply to it are bound once to the format's field: a sample costs a
 * pointer compare and, per condition, one read and one compare.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include <flame/tpfilter.h>

#include "internal.h"

enum tpf_op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_AND, OP_GLOB, OP_NGLOB,
};

static const struct {
	const char *s;
	enum tpf_op op;
} op_names[] = {	/* two-character operators first */
	{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
	{ "!~", OP_NGLOB }, { "<", OP_LT }, { ">", OP_GT }, { "~", OP_GLOB },
	{ "&", OP_AND },
};

/* how a condition compares: decided by its operator and value */
enum tpf_kind {
	K_NUM,		/* < <= > >= &, or == != with a number */
	K_STR,		/* ~ !~, or == != with a string */
	K_EITHER,	/* == != with an unquoted integer: the field decides */
};

/* what a field holds, from its format */
enum tpf_ftype { FT_NUM, FT_STR, FT_DYNSTR, FT_OTHER };

struct tpf_cond {
	char *text;
	char *event;		/* "sys:event", NULL = every tracepoint with field */
	char *field;
	char *sval;
	uint64_t num;		/* the value as a number (K_NUM, K_EITHER) */
	bool neg;		/* it was negative */
	enum tpf_op op;
	enum tpf_kind kind;
	/* statistics */
	uint64_t tested, kept;
	size_t nr_events;	/* events it applied to */
	char *first_event;
};

struct tpf_use {
	struct tpf_cond *c;
	struct tep_format_field *tf;	/* NULL: the getter's word */
	enum tpf_ftype ft;
	bool as_str;		/* compare as strings */
	bool is_signed;		/* known signed (formats) */
	bool checked;		/* getter: checked at the event's first sample */
	bool dead;		/* getter: the event has no such field */
};

struct tpf_event {
	const char *ptr;
	char *name;
	struct tpf_use *use;
	size_t nr_use;
};

struct fg_tpf {
	struct tpf_cond *c;
	size_t nr;
	struct fg_tp *tp;
	bool formats;		/* tp has formats: events checked against them */
	bool perf_decodes;
	bool used_getter;
	struct tpf_event *ev;
	size_t nr_ev;
	struct tpf_event *last;
	char sbuf[4096];	/* a string field, NUL terminated for fnmatch */
};

struct fg_tpf *fg_tpf__new(void)
{
	struct fg_tpf *f = calloc(1, sizeof(*f));

	if (!f)
		errno = ENOMEM;
	return f;
}

void fg_tpf__delete(struct fg_tpf *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nr; i++) {
		free(f->c[i].text);
		free(f->c[i].event);
		free(f->c[i].field);
		free(f->c[i].sval);
		free(f->c[i].first_event);
	}
	free(f->c);
	for (i = 0; i < f->nr_ev; i++) {
		free(f->ev[i].name);
		free(f->ev[i].use);
	}
	free(f->ev);
	fg_tp__delete(f->tp);
	free(f);
}

size_t fg_tpf__nr(const struct fg_tpf *f)
{
	return f ? f->nr : 0;
}

const char *fg_tpf__text(const struct fg_tpf *f, size_t i)
{
	return i < f->nr ? f->c[i].text : NULL;
}

const char *fg_tpf__event(const struct fg_tpf *f, size_t i)
{
	return i < f->nr ? f->c[i].event : NULL;
}

/* ---- parsing ---- */

static char *strndup_trim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

static bool is_ident(const char *s)
{
	if (!*s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* An integer in C notation (42, -7, 0x1f, 010), the whole of s. */
static bool parse_int(const char *s, uint64_t *v, bool *neg)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	if (*s == '-') {
		long long x = strtoll(s, &end, 0);

		*v = (uint64_t)x;
		*neg = true;
	} else {
		if (*s == '+' || *s == ' ')
			return false;
		*v = strtoull(s, &end, 0);
		*neg = false;
	}
	return !*end && !errno;
}

static int parse(struct tpf_cond *c, const char *expr, struct fg_buf *err)
{
	const char *p, *colon;
	size_t i, opi, oplen = 0;
	char *lhs, *rhs;
	bool quoted = false, is_int;
	int ret = -EINVAL;

	p = strpbrk(expr, "=!<>~&");
	if (!p) {
		fg_buf__adds(err, "expects [SYS:EVENT:]FIELD OP VALUE, OP one of == != < <= > >= & ~ !~");
		return -EINVAL;
	}
	for (opi = 0; opi < sizeof(op_names) / sizeof(op_names[0]); opi++) {
		oplen = strlen(op_names[opi].s);
		if (!strncmp(p, op_names[opi].s, oplen))
			break;
	}
	if (opi == sizeof(op_names) / sizeof(op_names[0])) {
		fg_buf__addf(err, "'%c' is not an operator: use == != < <= > >= & (numbers) or == != ~ !~ (strings)",
			     *p);
		return -EINVAL;
	}
	c->op = op_names[opi].op;
	lhs = strndup_trim(expr, p - expr);
	rhs = strndup_trim(p + oplen, strlen(p + oplen));
	if (!lhs || !rhs) {
		ret = -ENOMEM;
		goto out;
	}
	/* SYS:EVENT:FIELD or FIELD */
	colon = strrchr(lhs, ':');
	if (colon) {
		const char *first = strchr(lhs, ':');

		if (first == colon || first == lhs || first + 1 == colon) {
			fg_buf__addf(err, "'%s' is not SYS:EVENT:FIELD (e.g. sched:sched_switch:prev_state)",
				     lhs);
			goto out;
		}
		c->event = strndup(lhs, colon - lhs);
		c->field = strdup(colon + 1);
	} else {
		c->field = strdup(lhs);
	}
	if (!c->field || (colon && !c->event)) {
		ret = -ENOMEM;
		goto out;
	}
	if (!is_ident(c->field)) {
		fg_buf__addf(err, "'%s' is not a field name", c->field);
		goto out;
	}
	/* a quoted value is a string, quotes removed */
	i = strlen(rhs);
	if (i >= 2 && (rhs[0] == '"' || rhs[0] == '\'') && rhs[i - 1] == rhs[0]) {
		memmove(rhs, rhs + 1, i - 2);
		rhs[i - 2] = '\0';
		quoted = true;
	}
	if (!quoted && !*rhs) {
		fg_buf__addf(err, "no value after '%s' (\"\" is the empty string)",
			     op_names[opi].s);
		goto out;
	}
	is_int = !quoted && parse_int(rhs, &c->num, &c->neg);
	switch (c->op) {
	case OP_GLOB:
	case OP_NGLOB:
		c->kind = K_STR;
		break;
	case OP_EQ:
	case OP_NE:
		c->kind = is_int ? K_EITHER : K_STR;
		break;
	default:
		if (!is_int) {
			fg_buf__addf(err, "'%s' compares numbers: '%s' is not an integer",
				     op_names[opi].s, rhs);
			goto out;
		}
		c->kind = K_NUM;
		break;
	}
	c->sval = rhs;
	rhs = NULL;
	ret = 0;
out:
	free(lhs);
	free(rhs);
	return ret;
}

int fg_tpf__add(struct fg_tpf *f, const char *expr, struct fg_buf *err)
{
	struct tpf_cond *v, c = { 0 };
	int ret;

	ret = parse(&c, expr, err);
	if (!ret && !(c.text = strdup(expr)))
		ret = -ENOMEM;
	if (!ret) {
		v = realloc(f->c, (f->nr + 1) * sizeof(*v));
		if (v) {
			f->c = v;
			f->c[f->nr++] = c;
			return 0;
		}
		ret = -ENOMEM;
	}
	free(c.text);
	free(c.event);
	free(c.field);
	free(c.sval);
	return ret;
}

/* ---- binding to formats ---- */

static enum tpf_ftype ftype(const struct tep_format_field *tf)
{
	if (tf->flags & TEP_FIELD_IS_DYNAMIC)
		return (tf->flags & TEP_FIELD_IS_STRING) || strstr(tf->type, "char") ?
		       FT_DYNSTR : FT_OTHER;
	if (tf->flags & TEP_FIELD_IS_ARRAY)
		return (tf->flags & TEP_FIELD_IS_STRING) || tf->elementsize == 1 ?
		       FT_STR : FT_OTHER;
	if (tf->offset < 0 || (tf->size != 1 && tf->size != 2 &&
			       tf->size != 4 && tf->size != 8))
		return FT_OTHER;
	return FT_NUM;
}

/* Bind c to field tf of event ev: 0, or -EINVAL with err. */
static int bind_field(const struct tpf_cond *c, const char *ev,
		      struct tep_format_field *tf, struct tpf_use *u,
		      struct fg_buf *err)
{
	enum tpf_ftype ft = ftype(tf);

	memset(u, 0, sizeof(*u));
	u->tf = tf;
	u->ft = ft;
	u->checked = true;
	u->is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	if (ft == FT_OTHER) {
		fg_buf__addf(err, "field=%s: %s's field '%s' is a '%s' of %d bytes, which field= cannot compare (numbers of 1, 2, 4, 8 bytes and strings only)",
			     c->text, ev, c->field, tf->type, tf->size);
		return -EINVAL;
	}
	if (c->kind == K_NUM && ft != FT_NUM) {
		fg_buf__addf(err, "field=%s: %s's field '%s' is a string ('%s'): compare it with ==, !=, ~ or !~",
			     c->text, ev, c->field, tf->type);
		return -EINVAL;
	}
	if (c->kind == K_STR && ft == FT_NUM) {
		fg_buf__addf(err, "field=%s: %s's field '%s' is a number ('%s'): compare it with an integer (==, !=, <, <=, >, >=, &)",
			     c->text, ev, c->field, tf->type);
		return -EINVAL;
	}
	u->as_str = ft != FT_NUM;
	return 0;
}

/* "prev_comm, prev_pid, ..." : the event's own fields, for error lines */
static void field_names(struct tep_event *e, struct fg_buf *b)
{
	struct tep_format_field *tf;

	for (tf = e->format.fields; tf; tf = tf->next)
		fg_buf__addf(b, "%s%s", tf == e->format.fields ? "" : ", ", tf->name);
}

static int no_field(const struct tpf_cond *c, const char *ev,
		    struct tep_event *e, struct fg_buf *err)
{
	fg_buf__addf(err, "field=%s: %s has no field '%s'", c->text, ev, c->field);
	if (e) {
		fg_buf__adds(err, " (its fields: ");
		field_names(e, err);
		fg_buf__adds(err, ")");
	}
	return -ENOENT;
}

int fg_tpf__bind(struct fg_tpf *f, struct fg_tp *tp, bool perf_decodes,
		 struct fg_buf *err)
{
	size_t i, j;
	int ret;

	f->tp = tp;
	f->perf_decodes = perf_decodes;
	f->formats = tp && fg_tp__has_tracing_data(tp) && fg_tp__nr_formats(tp) > 0;
	if (!f->formats && !perf_decodes && f->nr) {
		fg_buf__addf(err, "field=%s: no tracepoint formats: the input has no tracing data (no tracepoint was recorded)",
			     f->c[0].text);
		return -ENOENT;
	}
	if (!f->formats)
		return 0;	/* checked at each event's first sample */
	for (i = 0; i < f->nr; i++) {
		struct tpf_cond *c = &f->c[i];
		struct tep_format_field *tf;
		struct fg_tp_event ev;
		struct tpf_use u;
		size_t found = 0;

		if (c->event) {
			if (fg_tp__event(tp, c->event, &ev)) {
				fg_buf__addf(err, "field=%s: %s", c->text,
					     fg_tp__error(tp));
				return -ENOENT;
			}
			tf = tep_find_any_field(ev.tep_event, c->field);
			if (!tf)
				return no_field(c, c->event, ev.tep_event, err);
			if ((ret = bind_field(c, c->event, tf, &u, err)))
				return ret;
			continue;
		}
		/* every recorded tracepoint that has the field */
		for (j = 0; !fg_tp__format_at(tp, j, &ev); j++) {
			tf = tep_find_any_field(ev.tep_event, c->field);
			if (!tf)
				continue;
			if ((ret = bind_field(c, ev.name, tf, &u, err)))
				return ret;
			found++;
		}
		if (!found) {
			fg_buf__addf(err, "field=%s: no tracepoint in the recording has a field '%s' (recorded: ",
				     c->text, c->field);
			for (j = 0; !fg_tp__format_at(tp, j, &ev); j++)
				fg_buf__addf(err, "%s%s", j ? ", " : "", ev.name);
			fg_buf__adds(err, ")");
			return -ENOENT;
		}
	}
	return 0;
}

const char *fg_tpf__source(const struct fg_tpf *f)
{
	if (f->used_getter)
		return f->formats ? "perf.data header; values from perf's tp_field" :
		       "perf's tp_field";
	return f->tp ? fg_tp__source(f->tp) : "none";
}

/* The conditions that apply to event name, bound: a new entry in f->ev. */
static struct tpf_event *event_new(struct fg_tpf *f, const char *ptr,
				   bool getter, struct fg_buf *err, int *ret)
{
	struct tep_event *e = NULL;
	struct tpf_event *v, *te;
	struct fg_tp_event ev;
	size_t i;

	*ret = -ENOMEM;
	v = realloc(f->ev, (f->nr_ev + 1) * sizeof(*v));
	if (!v)
		return NULL;
	f->ev = v;
	te = &f->ev[f->nr_ev];
	memset(te, 0, sizeof(*te));
	te->ptr = ptr;
	te->name = strdup(ptr);
	te->use = calloc(f->nr ? f->nr : 1, sizeof(*te->use));
	if (!te->name || !te->use) {
		free(te->name);
		free(te->use);
		return NULL;
	}
	f->nr_ev++;
	/* a tracepoint's name is sys:event; cpu-clock:u is not one */
	if (f->formats && strchr(ptr, ':') && !fg_tp__event(f->tp, ptr, &ev))
		e = ev.tep_event;
	for (i = 0; i < f->nr; i++) {
		struct tpf_cond *c = &f->c[i];
		struct tpf_use *u = &te->use[te->nr_use];
		struct tep_format_field *tf;

		if (c->event && strcmp(c->event, ptr))
			continue;
		if (f->formats) {
			tf = e ? tep_find_any_field(e, c->field) : NULL;
			if (!tf && c->event) {	/* bound before: not reached */
				*ret = no_field(c, ptr, e, err);
				return NULL;
			}
			if (!tf)
				continue;
			if ((*ret = bind_field(c, ptr, tf, u, err)))
				return NULL;
		} else if (getter) {
			memset(u, 0, sizeof(*u));	/* checked at this sample */
		} else {
			continue;
		}
		u->c = c;
		if (u->checked)
			c->nr_events++;
		te->nr_use++;
	}
	*ret = 0;
	return te;
}

/* Through perf's decoder, at the event's first sample: what the field is. */
static int check_getter(struct tpf_event *te, struct tpf_use *u,
			const struct fg_tp_sample *s, struct fg_buf *err)
{
	struct tpf_cond *c = u->c;
	const void *data = NULL;
	uint64_t v;
	int32_t n = s->get(s->get_arg, c->field, &v, &data);
	bool num_sized = n == 1 || n == 2 || n == 4 || n == 8;

	u->checked = true;
	if (n < 0) {
		if (!c->event) {
			u->dead = true;		/* not this event's field */
			return 0;
		}
		fg_buf__addf(err, "field=%s: %s has no field '%s' (perf's tp_field)",
			     c->text, te->name, c->field);
		return -ENOENT;
	}
	if (c->kind == K_NUM && !num_sized) {
		fg_buf__addf(err, "field=%s: %s's field '%s' is not a number (%d bytes): compare it with ==, !=, ~ or !~",
			     c->text, te->name, c->field, n);
		return -EINVAL;
	}
	u->as_str = c->kind == K_STR || !num_sized;
	u->ft = u->as_str ? FT_STR : FT_NUM;
	u->c->nr_events++;
	return 0;
}

/* ---- matching ---- */

static bool cmp_num(const struct tpf_cond *c, uint64_t v, int size,
		    bool is_signed)
{
	/* sign extended or zero extended below 8 bytes: exact as int64 */
	bool sgn = is_signed || size < 8 || c->neg;
	int r;

	if (c->op == OP_AND)
		return (v & c->num) != 0;
	if (sgn)
		r = (int64_t)v < (int64_t)c->num ? -1 : (int64_t)v > (int64_t)c->num;
	else
		r = v < c->num ? -1 : v > c->num;
	switch (c->op) {
	case OP_EQ: return r == 0;
	case OP_NE: return r != 0;
	case OP_LT: return r < 0;
	case OP_LE: return r <= 0;
	case OP_GT: return r > 0;
	case OP_GE: return r >= 0;
	default: return false;
	}
}

static bool cmp_str(struct fg_tpf *f, const struct tpf_cond *c,
		    const char *s, size_t len)
{
	size_t n = strnlen(s, len);
	bool eq;

	switch (c->op) {
	case OP_EQ:
	case OP_NE:
		eq = n == strlen(c->sval) && !memcmp(s, c->sval, n);
		return c->op == OP_EQ ? eq : !eq;
	default:
		if (n >= sizeof(f->sbuf))
			n = sizeof(f->sbuf) - 1;
		memcpy(f->sbuf, s, n);
		f->sbuf[n] = '\0';
		eq = !fnmatch(c->sval, f->sbuf, 0);
		return c->op == OP_GLOB ? eq : !eq;
	}
}

/* The field from the payload with its format: 0, or -ERANGE. */
static int read_raw(const struct tpf_use *u, const struct fg_tp_sample *s,
		    uint64_t *v, const char **str, size_t *len)
{
	const struct tep_format_field *tf = u->tf;
	unsigned long long x;
	size_t off, n;

	if ((size_t)tf->offset + tf->size > s->raw_size)
		return -ERANGE;
	if (u->ft == FT_NUM) {
		if (tep_read_number_field((struct tep_format_field *)tf, s->raw, &x))
			return -ERANGE;
		if (u->is_signed && tf->size < 8 && (x >> (tf->size * 8 - 1) & 1))
			x |= ~0ULL << (tf->size * 8);
		*v = x;
		return 0;
	}
	if (u->ft == FT_STR) {
		*str = (const char *)s->raw + tf->offset;
		*len = tf->size;
		return 0;
	}
	/* __data_loc / __rel_loc: offset in the low 16 bits, length above */
	if (tep_read_number_field((struct tep_format_field *)tf, s->raw, &x))
		return -ERANGE;
	off = x & 0xffff;
	n = x >> 16 & 0xffff;
	if (tf->flags & TEP_FIELD_IS_RELATIVE)
		off += tf->offset + tf->size;
	if (off + n > s->raw_size)
		return -ERANGE;
	*str = (const char *)s->raw + off;
	*len = n;
	return 0;
}

static struct tpf_event *event_of(struct fg_tpf *f, const struct fg_tp_sample *s,
				  struct fg_buf *err, int *ret)
{
	size_t i;

	*ret = 0;
	if (f->last && f->last->ptr == s->event)
		return f->last;
	for (i = 0; i < f->nr_ev; i++)
		if (f->ev[i].ptr == s->event)
			return f->last = &f->ev[i];
	for (i = 0; i < f->nr_ev; i++) {	/* a new pointer, same name */
		if (!strcmp(f->ev[i].name, s->event)) {
			f->ev[i].ptr = s->event;
			return f->last = &f->ev[i];
		}
	}
	return f->last = event_new(f, s->event, s->get != NULL, err, ret);
}

int fg_tpf__match(struct fg_tpf *f, const struct fg_tp_sample *s,
		  struct fg_buf *err)
{
	struct tpf_event *te;
	bool keep = true;
	size_t i;
	int ret;

	if (!f || !f->nr || !s->event)
		return 1;
	te = event_of(f, s, err, &ret);
	if (!te)
		return ret;
	for (i = 0; i < te->nr_use; i++) {
		struct tpf_use *u = &te->use[i];
		struct tpf_cond *c = u->c;
		const char *str = NULL;
		const void *data = NULL;
		size_t len = 0;
		uint64_t v = 0;
		int size = 8;
		bool ok;

		if (!u->checked && s->get && (ret = check_getter(te, u, s, err)))
			return ret;
		if (u->dead)
			continue;
		if (s->get) {
			int32_t n = s->get(s->get_arg, c->field, &v, &data);

			f->used_getter = true;
			if (n < 0 || (n > 0 && !data))
				goto short_payload;
			str = data;
			len = n;
			size = n;
		} else if (read_raw(u, s, &v, &str, &len)) {
			goto short_payload;
		} else if (u->tf) {
			size = u->tf->size;
		}
		c->tested++;
		if (!c->first_event && !(c->first_event = strdup(te->name)))
			return -ENOMEM;
		ok = u->as_str ? cmp_str(f, c, str ? str : "", len) :
		     cmp_num(c, v, size, u->is_signed);
		if (ok)
			c->kept++;
		else
			keep = false;
	}
	return keep;
short_payload:
	fg_buf__addf(err, "%s: a payload of %zu bytes lacks field '%s' of its format",
		     te->name, s->raw_size, te->use[i].c->field);
	return -EINVAL;
}

int fg_tpf__finish(const struct fg_tpf *f, struct fg_buf *err)
{
	size_t i;

	if (!f || f->formats)
		return 0;	/* the formats said it all at bind time */
	for (i = 0; i < f->nr; i++) {
		const struct tpf_cond *c = &f->c[i];

		if (c->tested)
			continue;
		if (c->event)
			fg_buf__addf(err, "field=%s: no sample of %s in the input",
				     c->text, c->event);
		else
			fg_buf__addf(err, "field=%s: no tracepoint sample in the input has a field '%s'",
				     c->text, c->field);
		return -ENOENT;
	}
	return 0;
}

void fg_tpf__summary(const struct fg_tpf *f, struct fg_buf *b)
{
	size_t i;

	if (!f || !f->nr)
		return;
	for (i = 0; i < f->nr; i++) {
		const struct tpf_cond *c = &f->c[i];

		if (!c->tested) {
			fg_buf__addf(b, "%sfield=%s met no sample%s", i ? "; " : "",
				     c->text, c->event ? "" : " with that field");
			continue;
		}
		fg_buf__addf(b, "%sfield=%s kept %llu of %llu samples",
			     i ? "; " : "", c->text,
			     (unsigned long long)c->kept,
			     (unsigned long long)c->tested);
		if (c->nr_events > 1)
			fg_buf__addf(b, " (%s and %zu more events)",
				     c->first_event, c->nr_events - 1);
		else if (c->first_event)
			fg_buf__addf(b, " (%s)", c->first_event);
	}
	fg_buf__addf(b, " [formats: %s]", fg_tpf__source(f));
}
