// SPDX-License-Identifier: MIT
/*
 * damo's text formats: times, sizes, ratios, integers, booleans, address
 * ranges and id lists, and the formatters damo's reports use.
 *
 * Numbers are parsed exactly (decimal mantissa and scale, 128-bit products)
 * so "1.5MB" is 1572864 and "0.5%" is 50 bp without floating point error.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "udamon/textfmt.h"

__extension__ typedef unsigned __int128 u128;

/* A bound well above any u64 result that keeps sums from wrapping. */
#define BIG	((u128)1 << 100)

#define TIME_UNITS	"(ns, us, ms, s, m, h, d)"
#define SIZE_UNITS	"(B, K, KB, KiB, M, MB, MiB, G, GB, GiB, T, TB, TiB, " \
			"P, PB, PiB, E, EB, EiB)"

void udamon_vseterr(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
}

void udamon_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	udamon_vseterr(err, errlen, fmt, ap);
	va_end(ap);
}

/* The parsers' messages, below, use the short name. */
#define seterr	udamon_seterr

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static bool at_end(const char *p)
{
	return *skip_ws(p) == '\0';
}

/* Is the whole of s (ignoring surrounding spaces) the word w? */
static bool is_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	s = skip_ws(s);
	return !strncmp(s, w, n) && at_end(s + n);
}

/* Starts with '-' and then a number: a negative value, not junk. */
static bool is_negative(const char *s)
{
	s = skip_ws(s);
	return s[0] == '-' && (isdigit((unsigned char)s[1]) || s[1] == '.');
}

/* A decimal number: value = mant / 10^scale. */
struct decnum {
	uint64_t mant;
	unsigned int scale;
	bool overflow;		/* integer part does not fit in 64 bits */
	bool fraction;		/* had a '.' part */
};

static bool push_digit(struct decnum *d, int digit)
{
	if (d->mant > (UINT64_MAX - digit) / 10)
		return false;
	d->mant = d->mant * 10 + digit;
	return true;
}

/*
 * Parse digits, with ',' grouping between digits and a '.' fraction if
 * flags allow, at *pp.  Fraction digits that no longer fit are dropped
 * (truncation).  Returns false if there is no number there.
 */
#define DEC_FRAC	1	/* allow a '.' fraction */
#define DEC_GROUP	2	/* allow ',' digit grouping */

static bool parse_decimal(const char **pp, struct decnum *d, int flags)
{
	const char *p = *pp;

	memset(d, 0, sizeof(*d));
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p) ||
	       ((flags & DEC_GROUP) && *p == ',' &&
		isdigit((unsigned char)p[1]) && p > *pp)) {
		if (*p != ',' && !push_digit(d, *p - '0'))
			d->overflow = true;
		p++;
	}
	if ((flags & DEC_FRAC) && *p == '.' && isdigit((unsigned char)p[1])) {
		d->fraction = true;
		for (p++; isdigit((unsigned char)*p); p++) {
			if (!d->overflow && push_digit(d, *p - '0'))
				d->scale++;
		}
	}
	*pp = p;
	return true;
}

static u128 pow10_128(unsigned int n)
{
	u128 v = 1;

	while (n--)
		v *= 10;
	return v;
}

/* mant * mult / 10^scale, truncated; BIG if it does not fit. */
static u128 scale_value(const struct decnum *d, u128 mult)
{
	u128 v;

	if (d->overflow || __builtin_mul_overflow((u128)d->mant, mult, &v))
		return BIG;
	v /= pow10_128(d->scale);
	return v > BIG ? BIG : v;
}

/* ---- time --------------------------------------------------------------- */

struct unit {
	const char *name;
	uint64_t mult;
};

static const struct unit time_units[] = {
	{ "ns", 1ULL },
	{ "us", 1000ULL },
	{ "ms", 1000000ULL },
	{ "s", 1000000000ULL },
	{ "m", 60000000000ULL },
	{ "h", 3600000000000ULL },
	{ "d", 86400000000000ULL },
};

/* Match a time unit at p, not followed by another letter. */
static const struct unit *match_time_unit(const char **pp)
{
	size_t i, n;

	for (i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		n = strlen(time_units[i].name);
		if (strncmp(*pp, time_units[i].name, n) ||
		    isalpha((unsigned char)(*pp)[n]))
			continue;
		*pp += n;
		return &time_units[i];
	}
	return NULL;
}

static int time_junk(const char *s, char *err, size_t errlen)
{
	seterr(err, errlen, "invalid time '%s': expected a number with an "
	       "optional unit " TIME_UNITS ", e.g. '5ms' or '1 m 30 s'", s);
	return -EINVAL;
}

int udamon_parse_time_us(const char *s, uint64_t default_unit_us,
			 uint64_t *out_us, char *err, size_t errlen)
{
	const struct unit *u;
	const char *p = skip_ws(s);
	struct decnum d;
	u128 total = 0;
	int nr_parts = 0;

	if (is_word(s, "min") || is_word(s, "max")) {
		*out_us = is_word(s, "min") ? 0 : UINT64_MAX;
		return 0;
	}
	if (is_negative(s)) {
		seterr(err, errlen, "invalid time '%s': must not be negative",
		       s);
		return -EINVAL;
	}
	while (*p) {
		if (!parse_decimal(&p, &d, DEC_FRAC | DEC_GROUP))
			return time_junk(s, err, errlen);
		p = skip_ws(p);
		u = match_time_unit(&p);
		if (u) {
			total += scale_value(&d, u->mult);
		} else {
			/* a bare number only on its own, in the default unit */
			if (nr_parts || *p)
				return time_junk(s, err, errlen);
			total = scale_value(&d, (u128)default_unit_us * 1000);
		}
		if (total > BIG)
			total = BIG;
		nr_parts++;
		p = skip_ws(p);
	}
	if (!nr_parts)
		return time_junk(s, err, errlen);
	total /= 1000;
	if (total > UINT64_MAX) {
		seterr(err, errlen, "invalid time '%s': too large (at most "
		       "%llu us)", s, (unsigned long long)UINT64_MAX);
		return -EINVAL;
	}
	*out_us = (uint64_t)total;
	return 0;
}

/* ---- sizes ---------------------------------------------------------------- */

/* Longest names first so "KiB" is not read as "K". */
static const struct unit size_units[] = {
	{ "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 }, { "GiB", 1ULL << 30 },
	{ "TiB", 1ULL << 40 }, { "PiB", 1ULL << 50 }, { "EiB", 1ULL << 60 },
	{ "KB", 1ULL << 10 }, { "MB", 1ULL << 20 }, { "GB", 1ULL << 30 },
	{ "TB", 1ULL << 40 }, { "PB", 1ULL << 50 }, { "EB", 1ULL << 60 },
	{ "B", 1ULL }, { "K", 1ULL << 10 }, { "M", 1ULL << 20 },
	{ "G", 1ULL << 30 }, { "T", 1ULL << 40 }, { "P", 1ULL << 50 },
	{ "E", 1ULL << 60 },
};

/* The size unit that makes up the rest of p (spaces aside), or NULL. */
static const struct unit *match_size_unit(const char *p)
{
	size_t i, n;

	for (i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++) {
		n = strlen(size_units[i].name);
		if (!strncmp(p, size_units[i].name, n) && at_end(p + n))
			return &size_units[i];
	}
	return NULL;
}

/* 0 ok, -EINVAL junk, -EOVERFLOW too large, -ERANGE negative. */
static int size_value(const char *s, uint64_t *out)
{
	const struct unit *u = NULL;
	const char *p = skip_ws(s);
	struct decnum d;
	u128 v;

	if (is_word(s, "min") || is_word(s, "max")) {
		*out = is_word(s, "min") ? 0 : UINT64_MAX;
		return 0;
	}
	if (is_negative(s))
		return -ERANGE;
	if (!parse_decimal(&p, &d, DEC_FRAC | DEC_GROUP))
		return -EINVAL;
	p = skip_ws(p);
	if (*p) {
		u = match_size_unit(p);
		if (!u)
			return -EINVAL;
	}
	v = scale_value(&d, u ? u->mult : 1);
	if (v > UINT64_MAX)
		return -EOVERFLOW;
	*out = (uint64_t)v;
	return 0;
}

int udamon_parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	int ret = size_value(s, out);

	if (ret == -ERANGE)
		seterr(err, errlen, "invalid size '%s': must not be negative",
		       s);
	else if (ret == -EOVERFLOW)
		seterr(err, errlen, "invalid size '%s': too large (at most "
		       "%llu bytes)", s, (unsigned long long)UINT64_MAX);
	else if (ret)
		seterr(err, errlen, "invalid size '%s': expected a number with "
		       "an optional unit " SIZE_UNITS ", e.g. '4KB' or '1,024'",
		       s);
	return ret ? -EINVAL : 0;
}

/* ---- ratios --------------------------------------------------------------- */

/* bare_mult: bp per unit of a number without '%'. */
static int parse_ratio(const char *s, uint64_t bare_mult, uint64_t *out,
		       char *err, size_t errlen)
{
	const char *p = skip_ws(s);
	uint64_t mult = bare_mult;
	struct decnum d;
	u128 v;

	if (is_word(s, "min") || is_word(s, "max")) {
		*out = is_word(s, "min") ? 0 : UINT64_MAX;
		return 0;
	}
	if (is_negative(s)) {
		seterr(err, errlen, "invalid ratio '%s': must not be negative",
		       s);
		return -EINVAL;
	}
	if (!parse_decimal(&p, &d, DEC_FRAC | DEC_GROUP))
		goto junk;
	p = skip_ws(p);
	if (*p == '%') {
		mult = 100;
		p++;
	}
	if (!at_end(p))
		goto junk;
	v = scale_value(&d, mult);
	if (v > UINT64_MAX) {
		seterr(err, errlen, "invalid ratio '%s': too large", s);
		return -EINVAL;
	}
	*out = (uint64_t)v;
	return 0;
junk:
	seterr(err, errlen, "invalid ratio '%s': expected a percentage, "
	       "e.g. '10%%' or '0.5%%'", s);
	return -EINVAL;
}

int udamon_parse_percent_bp(const char *s, uint64_t *out_bp, char *err,
			    size_t errlen)
{
	return parse_ratio(s, 100, out_bp, err, errlen);
}

int udamon_parse_bp(const char *s, uint64_t *out_bp, char *err, size_t errlen)
{
	return parse_ratio(s, 1, out_bp, err, errlen);
}

/* ---- integers and booleans -------------------------------------------- */

int udamon_parse_u64(const char *s, uint64_t *out, char *err, size_t errlen)
{
	const char *p = skip_ws(s);
	struct decnum d;

	if (is_word(s, "min") || is_word(s, "max")) {
		*out = is_word(s, "min") ? 0 : UINT64_MAX;
		return 0;
	}
	if (is_negative(s)) {
		seterr(err, errlen, "invalid number '%s': must not be negative",
		       s);
		return -EINVAL;
	}
	if (!parse_decimal(&p, &d, DEC_GROUP) || !at_end(p)) {
		seterr(err, errlen, "invalid number '%s': expected an unsigned "
		       "integer, e.g. '10' or '1,024'", s);
		return -EINVAL;
	}
	if (d.overflow) {
		seterr(err, errlen, "invalid number '%s': too large (at most "
		       "%llu)", s, (unsigned long long)UINT64_MAX);
		return -EINVAL;
	}
	*out = d.mant;
	return 0;
}

int udamon_parse_bool(const char *s, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "y", "yes", "true" };
	static const char *const no[] = { "n", "no", "false" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	seterr(err, errlen, "invalid boolean '%s': expected one of y, yes, "
	       "true, n, no, false (any case)", s);
	return -EINVAL;
}

/* ---- address ranges ------------------------------------------------------ */

/* One end of a range: 0x hex, or a decimal size. 0, -EINVAL, -EOVERFLOW. */
static int addr_value(const char *s, uint64_t *out)
{
	const char *p = skip_ws(s);
	uint64_t v = 0;
	int digit, ret;

	if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X')) {
		ret = size_value(s, out);
		return ret == -EOVERFLOW ? ret : ret ? -EINVAL : 0;
	}
	p += 2;
	if (!isxdigit((unsigned char)*p))
		return -EINVAL;
	for (; isxdigit((unsigned char)*p); p++) {
		digit = isdigit((unsigned char)*p) ? *p - '0' :
			tolower((unsigned char)*p) - 'a' + 10;
		if (v > (UINT64_MAX >> 4))
			return -EOVERFLOW;
		v = (v << 4) | (uint64_t)digit;
	}
	if (!at_end(p))
		return -EINVAL;
	*out = v;
	return 0;
}

static int range_end(const char *s, const char *part, uint64_t *out,
		     char *err, size_t errlen)
{
	int ret = addr_value(part, out);

	if (ret == -EOVERFLOW)
		seterr(err, errlen, "invalid range '%s': '%s' is too large "
		       "(at most %llu)", s, part,
		       (unsigned long long)UINT64_MAX);
	else if (ret)
		seterr(err, errlen, "invalid range '%s': '%s' is not an "
		       "address; expected decimal, 0x hex or a size like "
		       "'4KB'", s, part);
	return ret ? -EINVAL : 0;
}

int udamon_parse_range(const char *s, struct udamon_range *out, char *err,
		       size_t errlen)
{
	char buf[128];
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : 0;
	struct udamon_range r;

	if (!dash || strlen(s) >= sizeof(buf)) {
		seterr(err, errlen, "invalid range '%s': expected 'start-end', "
		       "e.g. '4096-8192' or '0x1000-0x2000'", s);
		return -EINVAL;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (range_end(s, buf, &r.start, err, errlen) ||
	    range_end(s, dash + 1, &r.end, err, errlen))
		return -EINVAL;
	if (r.end <= r.start) {
		seterr(err, errlen, "invalid range '%s': end %llu must be "
		       "greater than start %llu", s,
		       (unsigned long long)r.end, (unsigned long long)r.start);
		return -EINVAL;
	}
	*out = r;
	return 0;
}

/* ---- integer lists -------------------------------------------------------- */

/* Thread ids are below PID_MAX_LIMIT; it also bounds the list's size. */
#define INTLIST_MAX	4194304

static int intlist_item(const char *s, const char **pp, int *lo, int *hi,
			char *err, size_t errlen)
{
	const char *p = *pp;
	const char *start = p;
	struct decnum a, b;

	if (!parse_decimal(&p, &a, 0))
		goto junk;
	b = a;
	if (*p == '-') {
		p++;
		if (!parse_decimal(&p, &b, 0))
			goto junk;
	}
	if (*p && *p != ',' && !isspace((unsigned char)*p))
		goto junk;
	if (a.overflow || b.overflow || a.mant > INTLIST_MAX ||
	    b.mant > INTLIST_MAX) {
		seterr(err, errlen, "invalid id list '%s': '%.*s' is too large "
		       "(ids are at most %d)", s, (int)(p - start), start,
		       INTLIST_MAX);
		return -EINVAL;
	}
	if (b.mant < a.mant) {
		seterr(err, errlen, "invalid id list '%s': range '%.*s' is "
		       "reversed", s, (int)(p - start), start);
		return -EINVAL;
	}
	*lo = (int)a.mant;
	*hi = (int)b.mant;
	*pp = p;
	return 0;
junk:
	seterr(err, errlen, "invalid id list '%s': expected ids or ranges "
	       "separated by ',', e.g. '1,3-5'", s);
	return -EINVAL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int intlist_add(int **ids, size_t *nr, size_t *cap, int lo, int hi)
{
	size_t need = *nr + (size_t)(hi - lo) + 1;
	int *tmp;

	if (need > *cap) {
		while (*cap < need)
			*cap = *cap ? *cap * 2 : 16;
		tmp = realloc(*ids, *cap * sizeof(**ids));
		if (!tmp)
			return -ENOMEM;
		*ids = tmp;
	}
	for (; lo <= hi; lo++)
		(*ids)[(*nr)++] = lo;
	return 0;
}

/* Sort and drop duplicates; returns the new count. */
static size_t intlist_uniq(int *ids, size_t nr)
{
	size_t i, n = 0;

	qsort(ids, nr, sizeof(*ids), cmp_int);
	for (i = 0; i < nr; i++)
		if (!n || ids[n - 1] != ids[i])
			ids[n++] = ids[i];
	return n;
}

int udamon_parse_intlist(const char *s, int **out, size_t *nr, char *err,
			 size_t errlen)
{
	const char *p = s;
	size_t n = 0, cap = 0;
	int *ids = NULL;
	int lo, hi, ret;

	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		ret = intlist_item(s, &p, &lo, &hi, err, errlen);
		if (!ret && intlist_add(&ids, &n, &cap, lo, hi)) {
			seterr(err, errlen, "out of memory");
			ret = -ENOMEM;
		}
		if (ret)
			goto fail;
		/* keep memory bounded on lists like "0-4194304,0-4194304" */
		if (n > INTLIST_MAX)
			n = intlist_uniq(ids, n);
	}
	if (!n) {
		seterr(err, errlen, "invalid id list '%s': expected at least "
		       "one id, e.g. '1,3-5'", s);
		ret = -EINVAL;
		goto fail;
	}
	*nr = intlist_uniq(ids, n);
	*out = ids;
	return 0;
fail:
	free(ids);
	return ret;
}

/* ---- formatters (damo's _damo_fmt_str style) ---------------------------- */

#define NS_US	1000ULL
#define NS_MS	1000000ULL
#define NS_S	1000000000ULL
#define NS_M	(60 * NS_S)
#define NS_H	(60 * NS_M)

static void fmt_sub(char *buf, size_t len, uint64_t ns, uint64_t unit,
		    const char *name)
{
	if (ns % unit == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(ns / unit),
			 name);
	else
		snprintf(buf, len, "%.3f %s", (double)ns / (double)unit, name);
}

static void fmt_time_ns(u128 ns128, char *buf, size_t len)
{
	size_t used;
	uint64_t ns;

	if (ns128 >= UINT64_MAX) {
		snprintf(buf, len, "max");
		return;
	}
	ns = (uint64_t)ns128;
	if (ns >= NS_H) {
		snprintf(buf, len, "%llu h", (unsigned long long)(ns / NS_H));
		used = strlen(buf);
		if (ns % NS_H && used + 1 < len) {
			buf[used++] = ' ';
			fmt_time_ns(ns % NS_H, buf + used, len - used);
		}
	} else if (ns >= NS_M) {
		if (ns % NS_M == 0)
			snprintf(buf, len, "%llu m",
				 (unsigned long long)(ns / NS_M));
		else if (ns % NS_S == 0)
			snprintf(buf, len, "%llu m %llu s",
				 (unsigned long long)(ns / NS_M),
				 (unsigned long long)(ns % NS_M / NS_S));
		else
			snprintf(buf, len, "%llu m %.3f s",
				 (unsigned long long)(ns / NS_M),
				 (double)(ns % NS_M) / (double)NS_S);
	} else if (ns >= NS_S) {
		fmt_sub(buf, len, ns, NS_S, "s");
	} else if (ns >= NS_MS) {
		fmt_sub(buf, len, ns, NS_MS, "ms");
	} else if (ns >= NS_US) {
		fmt_sub(buf, len, ns, NS_US, "us");
	} else {
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	}
}

char *udamon_fmt_time_us(uint64_t us, char *buf, size_t len)
{
	if (!len)
		return buf;
	fmt_time_ns((u128)us * 1000, buf, len);
	return buf;
}

char *udamon_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	int i;

	if (!len)
		return buf;
	if (bytes == UINT64_MAX) {
		snprintf(buf, len, "max");
		return buf;
	}
	/* damo switches unit only above the unit: 1024 is "1024 B" */
	for (i = 5; i >= 0; i--) {
		if (bytes > 1ULL << (10 * (i + 1))) {
			snprintf(buf, len, "%.3f %s", (double)bytes /
				 (double)(1ULL << (10 * (i + 1))), names[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	return buf;
}

char *udamon_fmt_addr(uint64_t a, char *buf, size_t len)
{
	char digits[32];
	size_t n, i, o = 0;

	if (!len)
		return buf;
	n = (size_t)snprintf(digits, sizeof(digits), "%llu",
			     (unsigned long long)a);
	for (i = 0; i < n && o + 1 < len; i++) {
		if (i && (n - i) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}
