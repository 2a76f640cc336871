/* SPDX-License-Identifier: MIT */
/*
 * damo's number formats for values the public textfmt functions do not
 * take: nanosecond times and fractional sizes (report/ internal).
 */
#ifndef UDAMON_REPORT_FMT_H
#define UDAMON_REPORT_FMT_H

#include <stddef.h>

/* damo's format_time_ns: "1 m 30.500 s", "100 ms", "1.500 s". */
char *rfmt_time_ns(double ns, char *buf, size_t len);
/* damo's format_sz for a fractional size: "102.400 KiB", "512 B". */
char *rfmt_size(double bytes, char *buf, size_t len);
/* damo's format_sz_accurate: "127.000008 TiB". */
char *rfmt_size_accurate(double bytes, char *buf, size_t len);

#endif
