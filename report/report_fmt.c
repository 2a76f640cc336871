// SPDX-License-Identifier: MIT
/* damo's time and size text for fractional values (see report_fmt.h). */
#include <math.h>
#include <stdlib.h>
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

/* Python's "%d" % x: the integer part, towards zero. */
static long long trunc_ll(double x)
{
	return (long long)x;
}

/*
 * The sign comes from the number, the digits from its truncation, as damo
 * writes them: -0.3 is "-0".
 */
char *rfmt_nr(double nr, bool raw, char *buf, size_t len)
{
	bool neg = nr < 0;
	unsigned long long v = (unsigned long long)trunc_ll(neg ? -nr : nr);
	char digits[32];
	size_t n, i, o = 0;

	if (!len)
		return buf;
	if (raw) {
		snprintf(buf, len, "%s%llu", neg ? "-" : "", v);
		return buf;
	}
	if (neg)
		buf[o++] = '-';
	n = (size_t)snprintf(digits, sizeof(digits), "%llu", v);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

char *rfmt_sz(double bytes, bool raw, char *buf, size_t len)
{
	if (raw) {
		snprintf(buf, len, "%lld", trunc_ll(bytes));
		return buf;
	}
	return rfmt_size(bytes, buf, len);
}

char *rfmt_time(double ns, bool raw, char *buf, size_t len)
{
	if (raw) {
		snprintf(buf, len, "%lld", trunc_ll(ns));
		return buf;
	}
	return rfmt_time_ns(ns, buf, len);
}

char *rfmt_time_us(double us, bool raw, char *buf, size_t len)
{
	if (raw) {
		snprintf(buf, len, "%lld", trunc_ll(us));
		return buf;
	}
	return rfmt_time_ns(us * 1000, buf, len);
}

char *rfmt_hz(double hz, bool raw, bool suffix, char *buf, size_t len)
{
	char nr[32];

	if (raw)
		snprintf(buf, len, "%f", hz);
	else if (hz < 10 && hz != 0)
		snprintf(buf, len, "%.3f%s", hz, suffix ? " hz" : "");
	else
		snprintf(buf, len, "%s%s", rfmt_nr(hz, false, nr, sizeof(nr)),
			 suffix ? " hz" : "");
	return buf;
}

char *rfmt_time_exact(uint64_t ns, bool raw, char *buf, size_t len)
{
	static const struct { uint64_t ns; const char *name; } tunits[] = {
		{ 86400000000000ULL, "d" }, { 3600000000000ULL, "h" },
		{ 60000000000ULL, "m" }, { 1000000000ULL, "s" },
		{ 1000000ULL, "ms" }, { 1000ULL, "us" }, { 1, "ns" },
	};
	size_t i, o = 0;
	char nr[32];

	if (raw || !ns) {
		snprintf(buf, len, raw ? "%llu" : "0 ns",
			 (unsigned long long)ns);
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < sizeof(tunits) / sizeof(tunits[0]) && ns; i++) {
		if (ns < tunits[i].ns)
			continue;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s %s",
				      o ? " " : "",
				      rfmt_nr((double)(ns / tunits[i].ns), false,
					      nr, sizeof(nr)), tunits[i].name);
		ns %= tunits[i].ns;
	}
	return buf;
}

char *rfmt_bp(double bp, bool raw, char *buf, size_t len)
{
	double ratio = bp / 10000, under;
	char nr[32], frac[32];
	size_t n;

	if (raw) {
		snprintf(buf, len, "%f", bp);
		return buf;
	}
	rfmt_nr((double)trunc_ll(ratio * 100), false, nr, sizeof(nr));
	under = fmod(ratio * 100, 1);
	if (under < 0)
		under += 1;
	snprintf(frac, sizeof(frac), "%.7f", under);
	n = strlen(frac);
	while (n && frac[n - 1] == '0')
		frac[--n] = '\0';
	if (n <= 2)
		snprintf(buf, len, "%s %%", nr);
	else
		snprintf(buf, len, "%s.%s %%", nr, frac + 2);
	return buf;
}

char *rfmt_pyfloat(double v, char *buf, size_t len)
{
	char tmp[64];
	int prec, exp10;

	if (v != v) {
		snprintf(buf, len, "nan");
		return buf;
	}
	/* the shortest text that reads back as v, as Python's repr */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	exp10 = atoi(strchr(tmp, 'e') + 1);
	if (exp10 < -4 || exp10 >= 16) {
		/* Python: "1e-05", "1.5e+16" */
		char *e = strchr(tmp, 'e');
		char mant[64];

		snprintf(mant, sizeof(mant), "%.*s", (int)(e - tmp), tmp);
		snprintf(buf, len, "%se%c%02d", mant, exp10 < 0 ? '-' : '+',
			 exp10 < 0 ? -exp10 : exp10);
		return buf;
	}
	snprintf(tmp, sizeof(tmp), "%.*f", prec - 1 - exp10 > 0 ?
		 prec - 1 - exp10 : 0, v);
	if (!strchr(tmp, '.'))
		strcat(tmp, ".0");
	snprintf(buf, len, "%s", tmp);
	return buf;
}
