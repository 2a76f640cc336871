/* SPDX-License-Identifier: MIT */
/*
 * A small pull parser for strict JSON text (record/ internal): the reader
 * walks objects and arrays itself, so a long record never becomes a tree
 * (a json-c tree costs kilobytes per region).
 */
#ifndef UDAMON_JSON_PULL_H
#define UDAMON_JSON_PULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jtype { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_OBJ, JT_ARR };

struct jp {
	const char *text, *p, *end;
	char msg[160];		/* the syntax error, when one was met */
};

/* A scalar read whole; objects and arrays are skipped (type only). */
struct jval {
	enum jtype type;
	bool is_int;		/* JT_NUM without fraction or exponent */
	bool neg;
	uint64_t u;		/* magnitude of an integer that fits */
	bool fits;
	double d;
	char str[64];		/* JT_STR (truncated) or the number's text */
};

void jp_init(struct jp *jp, const char *text, size_t len);
/* Only white space left? */
bool jp_at_end(struct jp *jp);
/* The type of the next value; -EINVAL on a character no value starts with. */
int jp_peek(struct jp *jp, enum jtype *t);
int jp_skip(struct jp *jp);
int jp_value(struct jp *jp, struct jval *v);
/* A string value into a new allocation. */
int jp_str_dup(struct jp *jp, char **out);

/*
 * Iterate: call jp_obj_begin, then jp_obj_next until *done; each call
 * before done leaves the parser at the value of key. first starts true.
 */
int jp_obj_begin(struct jp *jp);
int jp_obj_next(struct jp *jp, bool *first, char *key, size_t cap,
		bool *done);
int jp_arr_begin(struct jp *jp);
int jp_arr_next(struct jp *jp, bool *first, bool *done);

#endif
