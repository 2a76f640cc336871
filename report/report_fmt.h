/* SPDX-License-Identifier: MIT */
/*
 * damo's number formats for values the public textfmt functions do not
 * take: nanosecond times and fractional sizes (report/ internal).
 */
#ifndef UDAMON_REPORT_FMT_H
#define UDAMON_REPORT_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* damo's format_time_ns: "1 m 30.500 s", "100 ms", "1.500 s". */
char *rfmt_time_ns(double ns, char *buf, size_t len);
/* damo's format_sz for a fractional size: "102.400 KiB", "512 B". */
char *rfmt_size(double bytes, char *buf, size_t len);
/* damo's format_sz_accurate: "127.000008 TiB". */
char *rfmt_size_accurate(double bytes, char *buf, size_t len);

/*
 * The same with damo's raw_number switch: raw gives plain integers
 * ("%d" of the value, times in ns) and "%f" for hz.
 */
char *rfmt_nr(double nr, bool raw, char *buf, size_t len);	/* "1,234" */
char *rfmt_sz(double bytes, bool raw, char *buf, size_t len);
char *rfmt_time(double ns, bool raw, char *buf, size_t len);
char *rfmt_time_us(double us, bool raw, char *buf, size_t len);
/* damo's format_hz: "5.000 hz" below 10, else "35 hz"; suffix optional */
char *rfmt_hz(double hz, bool raw, bool suffix, char *buf, size_t len);
/* damo's format_bp: basis points as "4 %", "0.5 %" */
char *rfmt_bp(double bp, bool raw, char *buf, size_t len);
/* damo's format_time_ns_exact: "19 m 50 s 892 ms 290 us 626 ns" */
char *rfmt_time_exact(uint64_t ns, bool raw, char *buf, size_t len);

/* Python's repr of a float: "0.0", "165.00000000000003", "1e-05" */
char *rfmt_pyfloat(double v, char *buf, size_t len);

#endif
