// SPDX-License-Identifier: MIT
/* damo's time and size text for fractional values (see report_fmt.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_fmt.h"

#define NS_US	1e3
#define NS_MS	1e6
#define NS_S	1e9
#define NS_M	6e10
#define NS_H	3.6e12

/* "%d unit" when whole, else "%.3f unit" (damo truncates with %d). */
static void whole_or_frac(double ns, double unit, const char *name,
			  char *buf, size_t len)
{
	if (fmod(ns, unit) == 0)
		snprintf(buf, len, "%lld %s", (long long)(ns / unit), name);
	else
		snprintf(buf, len, "%.3f %s", ns / unit, name);
}

char *rfmt_time_ns(double ns, char *buf, size_t len)
{
	const char *sign = ns < 0 ? "-" : "";
	size_t used;

	if (!len)
		return buf;
	if (ns < 0)
		ns = -ns;
	if (ns >= NS_H) {
		long long h = (long long)(ns / NS_H);
		double rest = ns - (double)h * NS_H;

		snprintf(buf, len, "%s%lld h", sign, h);
		used = strlen(buf);
		if (rest != 0 && used + 1 < len) {
			buf[used++] = ' ';
			rfmt_time_ns(rest, buf + used, len - used);
		}
		return buf;
	}
	if (*sign && len > 1) {
		buf[0] = '-';
		rfmt_time_ns(ns, buf + 1, len - 1);
		return buf;
	}
	if (ns >= NS_M) {
		if (fmod(ns, NS_M) == 0)
			snprintf(buf, len, "%lld m", (long long)(ns / NS_M));
		else if (fmod(ns, NS_S) == 0)
			snprintf(buf, len, "%lld m %lld s",
				 (long long)(ns / NS_M),
				 (long long)(fmod(ns, NS_M) / NS_S));
		else
			snprintf(buf, len, "%lld m %.3f s",
				 (long long)(ns / NS_M), fmod(ns, NS_M) / NS_S);
	} else if (ns >= NS_S) {
		whole_or_frac(ns, NS_S, "s", buf, len);
	} else if (ns >= NS_MS) {
		whole_or_frac(ns, NS_MS, "ms", buf, len);
	} else if (ns >= NS_US) {
		whole_or_frac(ns, NS_US, "us", buf, len);
	} else {
		snprintf(buf, len, "%lld ns", (long long)ns);
	}
	return buf;
}

static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
				      "EiB" };

static char *size_fmt(double bytes, const char *fmt, char *buf, size_t len)
{
	int i;

	for (i = 5; i >= 0; i--) {
		double unit = ldexp(1, 10 * (i + 1));

		if (bytes > unit) {
			snprintf(buf, len, fmt, bytes / unit, units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%lld B", (long long)bytes);
	return buf;
}

char *rfmt_size(double bytes, char *buf, size_t len)
{
	return size_fmt(bytes, "%.3f %s", buf, len);
}

char *rfmt_size_accurate(double bytes, char *buf, size_t len)
{
	return size_fmt(bytes, "%f %s", buf, len);
}
