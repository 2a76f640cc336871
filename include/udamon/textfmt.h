/* SPDX-License-Identifier: MIT */
/*
 * damo's text formats (lib/textfmt.c, lib/cpulist.c).
 *
 * Every parser returns 0 on success, or -EINVAL and a message in err that
 * quotes the input and says what was expected, e.g.
 *   invalid time '5xs': expected a number with an optional unit
 *   (ns, us, ms, s, m, h, d), e.g. '5ms' or '1 m 30 s'
 */
#ifndef UDAMON_TEXTFMT_H
#define UDAMON_TEXTFMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udamon.h"

/* Time: "5ms", "1.5 s", "1 m 30 s"; a bare number is in default_unit_ns. */
int udamon_parse_time_us(const char *s, uint64_t default_unit_us,
			 uint64_t *out_us, char *err, size_t errlen);
/* Size: "4KB" = 4096, "1,024", "1.5 MiB"; bare numbers are bytes. */
int udamon_parse_size(const char *s, uint64_t *out, char *err, size_t errlen);
/* Ratio: "10%" -> 1000 bp, "0.5%" -> 50; a bare number is percent. */
int udamon_parse_percent_bp(const char *s, uint64_t *out_bp, char *err,
			    size_t errlen);
/*
 * Ratio as damo's text_to_bp (e.g. --monitoring_intervals_goal BP):
 * "4%" -> 400 bp, but a bare number is already bp ("400" -> 400).
 */
int udamon_parse_bp(const char *s, uint64_t *out_bp, char *err, size_t errlen);
/* Plain unsigned integer (with optional ',' digit grouping). */
int udamon_parse_u64(const char *s, uint64_t *out, char *err, size_t errlen);
/* y/yes/true/n/no/false, any case. */
int udamon_parse_bool(const char *s, bool *out, char *err, size_t errlen);
/* "s-e" address range (decimal or 0x hex, sizes allowed), end > start. */
int udamon_parse_range(const char *s, struct udamon_range *out, char *err,
		       size_t errlen);
/* Integer list "1,3-5" (thread ids); sorted and de-duplicated. */
int udamon_parse_intlist(const char *s, int **out, size_t *nr, char *err,
			 size_t errlen);

/* printf into err, when err is non-NULL and errlen non-zero. */
void udamon_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void udamon_vseterr(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Formatting in damo's style, into buf; returns buf. */
char *udamon_fmt_time_us(uint64_t us, char *buf, size_t len);	/* "5 ms" */
char *udamon_fmt_size(uint64_t bytes, char *buf, size_t len);	/* "4.000 KiB" */
char *udamon_fmt_addr(uint64_t a, char *buf, size_t len);	/* "140,737,..." */

/* ---- cpulist (the kernel's bitmap_parselist grammar) ------------------ */

/* Number of possible CPUs from /sys/devices/system/cpu/possible (last + 1). */
int udamon_possible_cpus(unsigned int *nr);
/* The same from the file's text ("0-1\n"); -EINVAL if it is not a cpulist. */
int udamon_possible_cpus_parse(const char *text, unsigned int *nr);
/*
 * Parse a cpulist against nr_possible CPUs into mask (allocated; free with
 * udamon_cpumask_free). "all" sets every possible CPU.
 */
int udamon_cpulist_parse(const char *s, unsigned int nr_possible,
			 struct udamon_cpumask *mask, char *err, size_t errlen);
int udamon_cpumask_alloc(struct udamon_cpumask *mask, unsigned int nbits);
void udamon_cpumask_free(struct udamon_cpumask *mask);
bool udamon_cpumask_test(const struct udamon_cpumask *mask, int cpu);
void udamon_cpumask_set(struct udamon_cpumask *mask, unsigned int cpu);
unsigned int udamon_cpumask_weight(const struct udamon_cpumask *mask);
/* Canonical "0-3,5" form into buf. */
char *udamon_cpumask_format(const struct udamon_cpumask *mask, char *buf,
			    size_t len);

#endif
