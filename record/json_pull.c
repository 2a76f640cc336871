// SPDX-License-Identifier: MIT
/* A strict JSON pull parser (see json_pull.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json_pull.h"

#define MAX_DEPTH	64

static int jp_fail(struct jp *jp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int jp_fail(struct jp *jp, const char *fmt, ...)
{
	size_t line = 1, used;
	const char *q;
	va_list ap;

	for (q = jp->text; q < jp->p && q < jp->end; q++)
		line += *q == '\n';
	va_start(ap, fmt);
	vsnprintf(jp->msg, sizeof(jp->msg), fmt, ap);
	va_end(ap);
	used = strlen(jp->msg);
	snprintf(jp->msg + used, sizeof(jp->msg) - used, " (line %zu)", line);
	return -EINVAL;
}

static void ws(struct jp *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
				   *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

void jp_init(struct jp *jp, const char *text, size_t len)
{
	jp->text = text;
	jp->p = text;
	jp->end = text + len;
	jp->msg[0] = '\0';
}

bool jp_at_end(struct jp *jp)
{
	ws(jp);
	return jp->p == jp->end;
}

static int ends_early(struct jp *jp)
{
	return jp_fail(jp, "the text ends early");
}

static int unexpected(struct jp *jp, const char *want)
{
	if (jp->p >= jp->end)
		return ends_early(jp);
	if ((unsigned char)*jp->p < 0x20 || (unsigned char)*jp->p > 0x7e)
		return jp_fail(jp, "unexpected byte 0x%02x, expected %s",
			       (unsigned char)*jp->p, want);
	return jp_fail(jp, "unexpected '%c', expected %s", *jp->p, want);
}

int jp_peek(struct jp *jp, enum jtype *t)
{
	ws(jp);
	if (jp->p >= jp->end)
		return ends_early(jp);
	switch (*jp->p) {
	case '{':
		*t = JT_OBJ;
		return 0;
	case '[':
		*t = JT_ARR;
		return 0;
	case '"':
		*t = JT_STR;
		return 0;
	case 'n':
		*t = JT_NULL;
		return 0;
	case 't':
	case 'f':
		*t = JT_BOOL;
		return 0;
	default:
		if (*jp->p == '-' || (*jp->p >= '0' && *jp->p <= '9')) {
			*t = JT_NUM;
			return 0;
		}
	}
	return unexpected(jp, "a value");
}

static int literal(struct jp *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || strncmp(jp->p, word, n))
		return unexpected(jp, "a value");
	jp->p += n;
	return 0;
}

static int hex4(struct jp *jp, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		char c = jp->p < jp->end ? *jp->p : 0;

		if (c >= '0' && c <= '9')
			*cp = *cp * 16 + (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*cp = *cp * 16 + (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*cp = *cp * 16 + (unsigned int)(c - 'A' + 10);
		else
			return unexpected(jp, "4 hex digits after \\u");
		jp->p++;
	}
	return 0;
}

/* Append up to 4 UTF-8 bytes of cp when there is room. */
static void put_utf8(char *out, size_t cap, size_t *n, unsigned int cp)
{
	char b[4];
	size_t k = 0, i;

	if (cp < 0x80) {
		b[k++] = (char)cp;
	} else if (cp < 0x800) {
		b[k++] = (char)(0xc0 | (cp >> 6));
		b[k++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		b[k++] = (char)(0xe0 | (cp >> 12));
		b[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[k++] = (char)(0x80 | (cp & 0x3f));
	} else {
		b[k++] = (char)(0xf0 | (cp >> 18));
		b[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[k++] = (char)(0x80 | (cp & 0x3f));
	}
	for (i = 0; i < k; i++) {
		if (out && *n + 1 < cap)
			out[*n] = b[i];
		(*n)++;
	}
}

static int escape(struct jp *jp, char *out, size_t cap, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	unsigned int cp, lo;

	if (jp->p >= jp->end)
		return ends_early(jp);
	e = strchr(from, *jp->p);
	if (*jp->p && e) {
		put_utf8(out, cap, n, (unsigned char)to[e - from]);
		jp->p++;
		return 0;
	}
	if (*jp->p != 'u')
		return unexpected(jp, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
	jp->p++;
	if (hex4(jp, &cp))
		return -EINVAL;
	if (cp >= 0xd800 && cp < 0xdc00 && jp->end - jp->p >= 6 &&
	    jp->p[0] == '\\' && jp->p[1] == 'u') {
		jp->p += 2;
		if (hex4(jp, &lo))
			return -EINVAL;
		if (lo >= 0xdc00 && lo < 0xe000)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(out, cap, n, cp);
	return 0;
}

/*
 * Read a string; out (may be NULL) gets at most cap - 1 bytes and a NUL,
 * *len the full decoded length.
 */
static int string(struct jp *jp, char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	ws(jp);
	if (jp->p >= jp->end || *jp->p != '"')
		return unexpected(jp, "a string");
	jp->p++;
	for (;;) {
		unsigned char c;

		if (jp->p >= jp->end)
			return ends_early(jp);
		c = (unsigned char)*jp->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return unexpected(jp, "a character of a string");
		jp->p++;
		if (c == '\\') {
			if (escape(jp, out, cap, &n))
				return -EINVAL;
			continue;
		}
		if (out && n + 1 < cap)
			out[n] = (char)c;
		n++;
	}
	jp->p++;
	if (out && cap)
		out[n < cap ? n : cap - 1] = '\0';
	if (len)
		*len = n;
	return 0;
}

int jp_str_dup(struct jp *jp, char **out)
{
	const char *start;
	size_t len;

	ws(jp);
	start = jp->p;
	if (string(jp, NULL, 0, &len))
		return -EINVAL;
	*out = malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	jp->p = start;
	return string(jp, *out, len + 1, NULL);
}

static bool digit(struct jp *jp)
{
	return jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9';
}

static int number(struct jp *jp, struct jval *v)
{
	const char *start = jp->p;
	size_t n;

	v->is_int = true;
	v->neg = false;
	v->fits = true;
	v->u = 0;
	if (*jp->p == '-') {
		v->neg = true;
		jp->p++;
	}
	if (!digit(jp))
		return unexpected(jp, "a digit");
	if (*jp->p == '0') {
		jp->p++;
	} else {
		while (digit(jp)) {
			unsigned int d = (unsigned int)(*jp->p++ - '0');

			if (v->u > (UINT64_MAX - d) / 10)
				v->fits = false;
			else
				v->u = v->u * 10 + d;
		}
	}
	if (jp->p < jp->end && *jp->p == '.') {
		v->is_int = false;
		jp->p++;
		if (!digit(jp))
			return unexpected(jp, "a digit after '.'");
		while (digit(jp))
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		v->is_int = false;
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (!digit(jp))
			return unexpected(jp, "a digit in the exponent");
		while (digit(jp))
			jp->p++;
	}
	n = (size_t)(jp->p - start);
	if (n >= sizeof(v->str))
		n = sizeof(v->str) - 1;
	memcpy(v->str, start, n);
	v->str[n] = '\0';
	v->d = strtod(v->str, NULL);
	return 0;
}

static int skip_depth(struct jp *jp, int depth);

static int skip_container(struct jp *jp, bool obj, int depth)
{
	bool first = true, done = false;
	char key[8];
	int err;

	err = obj ? jp_obj_begin(jp) : jp_arr_begin(jp);
	while (!err) {
		err = obj ? jp_obj_next(jp, &first, key, sizeof(key), &done) :
			jp_arr_next(jp, &first, &done);
		if (err || done)
			break;
		err = skip_depth(jp, depth + 1);
	}
	return err;
}

static int skip_depth(struct jp *jp, int depth)
{
	struct jval v;
	enum jtype t;

	if (depth > MAX_DEPTH)
		return jp_fail(jp, "nested deeper than %d levels", MAX_DEPTH);
	if (jp_peek(jp, &t))
		return -EINVAL;
	if (t == JT_OBJ || t == JT_ARR)
		return skip_container(jp, t == JT_OBJ, depth);
	return jp_value(jp, &v);
}

int jp_skip(struct jp *jp)
{
	return skip_depth(jp, 0);
}

int jp_value(struct jp *jp, struct jval *v)
{
	if (jp_peek(jp, &v->type))
		return -EINVAL;
	v->str[0] = '\0';
	switch (v->type) {
	case JT_NULL:
		return literal(jp, "null");
	case JT_BOOL:
		v->u = *jp->p == 't';
		return literal(jp, v->u ? "true" : "false");
	case JT_NUM:
		return number(jp, v);
	case JT_STR:
		return string(jp, v->str, sizeof(v->str), NULL);
	case JT_OBJ:
	case JT_ARR:
		return skip_container(jp, v->type == JT_OBJ, 1);
	}
	return -EINVAL;
}

static int expect(struct jp *jp, char c, const char *want)
{
	ws(jp);
	if (jp->p < jp->end && *jp->p == c) {
		jp->p++;
		return 0;
	}
	return unexpected(jp, want);
}

int jp_obj_begin(struct jp *jp)
{
	return expect(jp, '{', "'{'");
}

int jp_obj_next(struct jp *jp, bool *first, char *key, size_t cap,
		bool *done)
{
	ws(jp);
	*done = false;
	if (jp->p < jp->end && *jp->p == '}') {
		jp->p++;
		*done = true;
		return 0;
	}
	if (!*first && expect(jp, ',', "',' or '}'"))
		return -EINVAL;
	*first = false;
	if (string(jp, key, cap, NULL))
		return -EINVAL;
	return expect(jp, ':', "':'");
}

int jp_arr_begin(struct jp *jp)
{
	return expect(jp, '[', "'['");
}

int jp_arr_next(struct jp *jp, bool *first, bool *done)
{
	ws(jp);
	*done = false;
	/* a ']' right after ',' fails later, as the value it is not */
	if (jp->p < jp->end && *jp->p == ']') {
		jp->p++;
		*done = true;
		return 0;
	}
	if (!*first && expect(jp, ',', "',' or ']'"))
		return -EINVAL;
	*first = false;
	return 0;
}
