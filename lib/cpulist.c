// SPDX-License-Identifier: MIT
/*
 * cpulists as the kernel's bitmap_parselist reads them (cpuset.cpus,
 * /sys/devices/system/cpu/possible), and cpumask helpers.
 *
 *   list   = *sep [ region *( 1*sep region ) ] *sep
 *   region = num [ "-" num [ ":" num "/" num ] ]  |  "all" [ stride ]
 *   num    = digits | "N"          (N = last possible CPU)
 *   sep    = "," | whitespace
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/textfmt.h"

#define POSSIBLE_PATH	"/sys/devices/system/cpu/possible"

/* CPUs start..end; of every group of `group` from start, the first `used`. */
struct cpu_region {
	unsigned int start, end, used, group;
	bool empty;		/* "all" on a machine without CPUs */
};

struct walk {
	const char *s;		/* the whole list, for messages */
	unsigned int nbits;	/* possible CPUs */
	bool check_possible;
	char *err;
	size_t errlen;
};

static void seterr(const struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seterr(const struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	udamon_vseterr(w->err, w->errlen, fmt, ap);
	va_end(ap);
}

static bool is_sep(char c)
{
	return c == ',' || isspace((unsigned char)c);
}

static bool region_end(char c)
{
	return is_sep(c) || c == '\0';
}

/* 1 parsed, 0 no number here, -EOVERFLOW too large. */
static int getnum(const struct walk *w, const char **pp, unsigned int *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (*p == 'N') {
		*out = w->nbits ? w->nbits - 1 : 0;
		*pp = p + 1;
		return 1;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT_MAX)
			return -EOVERFLOW;
	}
	*out = (unsigned int)v;
	*pp = p;
	return 1;
}

static int junk(const struct walk *w, const char *tok, int toklen)
{
	seterr(w, "invalid cpulist '%s': '%.*s' is not a CPU, range or "
	       "stride; expected 'a', 'a-b', 'a-b:u/g', 'N' or 'all', "
	       "separated by ',' or spaces", w->s, toklen, tok);
	return -EINVAL;
}

/* Parse "u/g" after a ':' at *pp. */
static int parse_stride(const struct walk *w, const char **pp,
			struct cpu_region *r)
{
	int ret = getnum(w, pp, &r->used);

	if (ret <= 0)
		return ret ? ret : -EINVAL;
	if (**pp != '/')
		return -EINVAL;
	(*pp)++;
	ret = getnum(w, pp, &r->group);
	if (ret <= 0)
		return ret ? ret : -EINVAL;
	return region_end(**pp) ? 0 : -EINVAL;
}

/* Grammar only; -EINVAL junk, -EOVERFLOW, -EDOM stride without range. */
static int parse_region_syntax(const struct walk *w, const char **pp,
			       struct cpu_region *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->used = r->group = 1;
	if (!strncmp(*pp, "all", 3)) {
		*pp += 3;
		r->end = w->nbits ? w->nbits - 1 : 0;
		r->empty = !w->nbits;
	} else {
		ret = getnum(w, pp, &r->start);
		if (ret <= 0)
			return ret ? ret : -EINVAL;
		r->end = r->start;
		if (region_end(**pp))
			return 0;
		if (**pp == ':')
			return -EDOM;
		if (**pp != '-')
			return -EINVAL;
		(*pp)++;
		ret = getnum(w, pp, &r->end);
		if (ret <= 0)
			return ret ? ret : -EINVAL;
	}
	if (region_end(**pp))
		return 0;
	if (**pp != ':')
		return -EINVAL;
	(*pp)++;
	return parse_stride(w, pp, r);
}

static void possible_text(unsigned int nbits, char *buf, size_t len)
{
	if (!nbits)
		snprintf(buf, len, "no CPUs");
	else if (nbits == 1)
		snprintf(buf, len, "CPU 0");
	else
		snprintf(buf, len, "CPUs 0-%u", nbits - 1);
}

/* Parse and check the region at *pp; on error, the message is set. */
static int parse_region(const struct walk *w, const char **pp,
			struct cpu_region *r)
{
	const char *tok = *pp;
	int toklen, ret;

	ret = parse_region_syntax(w, pp, r);
	toklen = 0;
	while (!region_end(tok[toklen]))
		toklen++;
	if (ret == -EOVERFLOW) {
		seterr(w, "invalid cpulist '%s': a number in '%.*s' is too "
		       "large (at most %u)", w->s, toklen, tok, UINT_MAX);
		return -EINVAL;
	}
	if (ret == -EDOM) {
		seterr(w, "invalid cpulist '%s': '%.*s' has a stride but no "
		       "range; write it as 'a-b:u/g'", w->s, toklen, tok);
		return -EINVAL;
	}
	if (ret)
		return junk(w, tok, toklen);
	if (r->start > r->end) {
		seterr(w, "invalid cpulist '%s': range '%.*s' is reversed; "
		       "the start must not exceed the end", w->s, toklen, tok);
		return -EINVAL;
	}
	if (!r->group) {
		seterr(w, "invalid cpulist '%s': '%.*s' has group size 0; "
		       "the group size g in 'a-b:u/g' must be at least 1",
		       w->s, toklen, tok);
		return -EINVAL;
	}
	if (r->used > r->group) {
		seterr(w, "invalid cpulist '%s': '%.*s' uses %u CPUs of every "
		       "group of %u; u in 'a-b:u/g' must not exceed g",
		       w->s, toklen, tok, r->used, r->group);
		return -EINVAL;
	}
	return 0;
}

typedef void (*region_fn)(const struct cpu_region *r, void *data);

static int cpulist_walk(const struct walk *w, region_fn fn, void *data)
{
	const char *p = w->s;
	struct cpu_region r;
	bool impossible = false;
	unsigned int worst = 0;
	char possible[32];
	int ret;

	for (;;) {
		while (is_sep(*p))
			p++;
		if (!*p)
			break;
		ret = parse_region(w, &p, &r);
		if (ret)
			return ret;
		if (r.empty)
			continue;
		if (w->check_possible && r.end >= w->nbits) {
			impossible = true;
			worst = r.end > worst ? r.end : worst;
		} else {
			fn(&r, data);
		}
	}
	/* grammar errors first; then name the highest CPU that is not there */
	if (impossible) {
		possible_text(w->nbits, possible, sizeof(possible));
		seterr(w, "CPU %u in '%s' is not possible: this machine has %s",
		       worst, w->s, possible);
		return -EINVAL;
	}
	return 0;
}

static void set_region(const struct cpu_region *r, void *data)
{
	struct udamon_cpumask *mask = data;
	uint64_t base, cpu;

	/* 64-bit counters: end + group may pass UINT_MAX */
	for (base = r->start; base <= r->end; base += r->group)
		for (cpu = base; cpu < base + r->used && cpu <= r->end; cpu++)
			udamon_cpumask_set(mask, (unsigned int)cpu);
}

int udamon_cpulist_parse(const char *s, unsigned int nr_possible,
			 struct udamon_cpumask *mask, char *err, size_t errlen)
{
	struct walk w = {
		.s = s, .nbits = nr_possible, .check_possible = true,
		.err = err, .errlen = errlen,
	};
	int ret;

	if (udamon_cpumask_alloc(mask, nr_possible)) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = cpulist_walk(&w, set_region, mask);
	if (ret)
		udamon_cpumask_free(mask);
	return ret;
}

static void max_end(const struct cpu_region *r, void *data)
{
	unsigned int *last = data;

	if (r->end > *last)
		*last = r->end;
}

int udamon_possible_cpus_parse(const char *text, unsigned int *nr)
{
	struct walk w = { .s = text, .nbits = UINT_MAX };
	unsigned int last = 0;
	const char *p;

	for (p = text; is_sep(*p); p++)
		;
	/* "N" and "all" mean nothing here; the text must name CPUs */
	if (!*p || strchr(text, 'N') || strstr(text, "all"))
		return -EINVAL;
	if (cpulist_walk(&w, max_end, &last) || last == UINT_MAX)
		return -EINVAL;
	*nr = last + 1;
	return 0;
}

int udamon_possible_cpus(unsigned int *nr)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(POSSIBLE_PATH, "re");

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return udamon_possible_cpus_parse(buf, nr);
}

/* ---- cpumasks -------------------------------------------------------------- */

int udamon_cpumask_alloc(struct udamon_cpumask *mask, unsigned int nbits)
{
	size_t words = ((size_t)nbits + 63) / 64;

	mask->bits = calloc(words ? words : 1, sizeof(uint64_t));
	mask->nbits = mask->bits ? nbits : 0;
	return mask->bits ? 0 : -ENOMEM;
}

void udamon_cpumask_free(struct udamon_cpumask *mask)
{
	free(mask->bits);
	mask->bits = NULL;
	mask->nbits = 0;
}

bool udamon_cpumask_test(const struct udamon_cpumask *mask, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= mask->nbits || !mask->bits)
		return false;
	return mask->bits[cpu / 64] >> (cpu % 64) & 1;
}

void udamon_cpumask_set(struct udamon_cpumask *mask, unsigned int cpu)
{
	if (cpu < mask->nbits && mask->bits)
		mask->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

unsigned int udamon_cpumask_weight(const struct udamon_cpumask *mask)
{
	unsigned int i, w = 0;

	for (i = 0; mask->bits && i < (mask->nbits + 63) / 64; i++)
		w += (unsigned int)__builtin_popcountll(mask->bits[i]);
	return w;
}

char *udamon_cpumask_format(const struct udamon_cpumask *mask, char *buf,
			    size_t len)
{
	unsigned int cpu, end;
	size_t o = 0;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (cpu = 0; cpu < mask->nbits; cpu++) {
		if (!udamon_cpumask_test(mask, (int)cpu))
			continue;
		for (end = cpu; end + 1 < mask->nbits &&
		     udamon_cpumask_test(mask, (int)end + 1); end++)
			;
		if (end == cpu)
			n = snprintf(buf + o, len - o, "%s%u", o ? "," : "",
				     cpu);
		else
			n = snprintf(buf + o, len - o, "%s%u-%u",
				     o ? "," : "", cpu, end);
		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0';	/* no room: keep whole items only */
			return buf;
		}
		o += (size_t)n;
		cpu = end;
	}
	return buf;
}
