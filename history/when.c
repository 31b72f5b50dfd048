/* when.c — see when.h. Clock times go through mktime, so a daylight-saving
 * change between ref and the time typed lands where the wall clock says. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "when.h"

/* Reads exactly n digits at *p (n > 0), moving *p past them. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Reads one or two digits (an hour may be "3" or "03"). */
static int digits12(const char **p, int *out)
{
	if (!isdigit((unsigned char)**p))
		return -1;
	int n = isdigit((unsigned char)(*p)[1]) ? 2 : 1;
	return digits(p, n, out);
}

/* A fraction of a second after the seconds: ".25". */
static int fraction(const char **p, double *out)
{
	*out = 0;
	if (**p != '.')
		return 0;
	const char *s = *p + 1;
	double scale = 0.1;
	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		*out += (*s - '0') * scale;
		scale /= 10;
		s++;
	}
	*p = s;
	return 0;
}

struct clock { int h, m, s; double frac; };

/* "HH:MM", "HH:MM:SS", "HH:MM:SS.fff": the whole rest of the string. */
static int parse_clock(const char *p, struct clock *c, const char *s, char *err, size_t errlen)
{
	c->s = 0;
	c->frac = 0;
	if (digits12(&p, &c->h) < 0 || *p++ != ':' || digits(&p, 2, &c->m) < 0)
		goto bad;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &c->s) < 0 || fraction(&p, &c->frac) < 0)
			goto bad;
	}
	if (*p)
		goto bad;
	if (c->h > 23) {
		snprintf(err, errlen, "'%s' is not a time: hours go from 0 to 23", s);
		return -1;
	}
	if (c->m > 59 || c->s > 59) {
		snprintf(err, errlen, "'%s' is not a time: minutes and seconds go from 0 to 59", s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a time: write HH:MM, HH:MM:SS or HH:MM:SS.ss", s);
	return -1;
}

/* The local time of tm (tm_isdst left to mktime); -1 when mktime cannot. */
static int local_epoch(struct tm *tm, time_t *out)
{
	tm->tm_isdst = -1;
	errno = 0;
	time_t t = mktime(tm);
	if (t == (time_t)-1 && errno)
		return -1;
	*out = t;
	return 0;
}

/* A bare clock time: the latest such local time at or before ref. */
static int when_clock(const char *s, double ref, double *out, char *err, size_t errlen)
{
	struct clock c;
	if (parse_clock(s, &c, s, err, errlen) < 0)
		return -1;
	time_t r = (time_t)floor(ref);
	struct tm tm;
	if (!localtime_r(&r, &tm))
		goto range;
	/* Today first, then the days before, until it is not after ref; two
	 * steps back cover a day that skipped this clock time. */
	for (int back = 0; back < 3; back++) {
		struct tm d = tm;
		d.tm_mday -= back;
		d.tm_hour = c.h;
		d.tm_min = c.m;
		d.tm_sec = c.s;
		time_t t;
		if (local_epoch(&d, &t) < 0)
			goto range;
		if ((double)t + c.frac <= ref) {
			*out = (double)t + c.frac;
			return 0;
		}
	}
range:
	snprintf(err, errlen, "'%s' is not a time: it cannot be placed before the reference time", s);
	return -1;
}

/* "YYYY-MM-DD", then optionally " HH:MM[:SS[.ff]]" or "THH:MM...". */
static int when_date(const char *s, double *out, char *err, size_t errlen)
{
	const char *p = s;
	int y, mo, d;
	struct clock c = { 0, 0, 0, 0 };
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits12(&p, &mo) < 0 || *p++ != '-' ||
	    digits12(&p, &d) < 0) {
		snprintf(err, errlen, "'%s' is not a time: write YYYY-MM-DD HH:MM[:SS]", s);
		return -1;
	}
	if (*p == ' ' || *p == 'T') {
		if (parse_clock(p + 1, &c, s, err, errlen) < 0)
			return -1;
	} else if (*p) {
		snprintf(err, errlen, "'%s' is not a time: write YYYY-MM-DD HH:MM[:SS]", s);
		return -1;
	}
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = c.h;
	tm.tm_min = c.m;
	tm.tm_sec = c.s;
	time_t t;
	/* mktime normalises 02-30 into March: a day it moved is not a date. */
	if (mo < 1 || mo > 12 || d < 1 || local_epoch(&tm, &t) < 0 ||
	    tm.tm_mday != d || tm.tm_mon != mo - 1) {
		snprintf(err, errlen, "'%s' is not a time: there is no such date", s);
		return -1;
	}
	*out = (double)t + c.frac;
	return 0;
}

/* A number and an optional unit s, m, h, d, w: seconds. 1 when s is one,
 * 0 when it has no number at all, -1 when the unit is wrong. */
static int number_unit(const char *s, double *seconds)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	double unit;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	*seconds = v * unit;
	return 1;
}

/* Epoch seconds: nine digits or more (2001 on), so "0312" is never one. */
static int is_epoch(const char *s)
{
	size_t n = strspn(s, "0123456789");
	if (n < 9)
		return 0;
	if (s[n] == '\0')
		return 1;
	return s[n] == '.' && strspn(s + n + 1, "0123456789") == strlen(s + n + 1);
}

int when_parse(const char *s, double ref, double *out, char *err, size_t errlen)
{
	if (strcmp(s, "now") == 0) {
		*out = ref;
		return 0;
	}
	if (s[0] == '-') {
		double back;
		if (number_unit(s + 1, &back) != 1 || back < 0) {
			snprintf(err, errlen, "'%s' is not a time: a time back from now is a minus "
			         "and a duration, like -90s, -10m, -2h or -1d", s);
			return -1;
		}
		*out = ref - back;
		return 0;
	}
	if (is_epoch(s)) {
		*out = strtod(s, NULL);
		return 0;
	}
	if (strchr(s, '-'))
		return when_date(s, out, err, errlen);
	if (strchr(s, ':'))
		return when_clock(s, ref, out, err, errlen);
	snprintf(err, errlen, "'%s' is not a time: write HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], "
	         "-10m or seconds since the epoch", s);
	return -1;
}

int when_duration(const char *s, double *seconds, char *err, size_t errlen)
{
	double v;
	if (number_unit(s, &v) != 1) {
		snprintf(err, errlen, "'%s' is not a duration: write a number and s, m, h, d or w "
		         "(like 90s, 12h, 7d)", s);
		return -1;
	}
	if (!(v > 0)) {
		snprintf(err, errlen, "'%s' is not a duration: it must be more than zero", s);
		return -1;
	}
	*seconds = v;
	return 0;
}

int when_size(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	double v = isdigit((unsigned char)*s) || *s == '.' ? strtod(s, &end) : (end = (char *)s, NAN);
	double unit = 1;
	const char *u = end;
	switch (toupper((unsigned char)*u)) {
	case 'K': unit = 1024.0; u++; break;
	case 'M': unit = 1024.0 * 1024; u++; break;
	case 'G': unit = 1024.0 * 1024 * 1024; u++; break;
	case 'T': unit = 1024.0 * 1024 * 1024 * 1024; u++; break;
	default: break;
	}
	if (unit > 1 && (u[0] == 'i' || u[0] == 'I') && (u[1] == 'B' || u[1] == 'b'))
		u += 2;
	else if (*u == 'B' || *u == 'b')
		u++;
	if (errno || end == s || *u || !isfinite(v)) {
		snprintf(err, errlen, "'%s' is not a size: write a number of bytes, or one with "
		         "K, M, G or T (like 500M, 1G)", s);
		return -1;
	}
	double b = v * unit;
	if (!(b >= 1) || b >= 18446744073709551616.0) {
		snprintf(err, errlen, "'%s' is not a size: it must be from one byte to 16E", s);
		return -1;
	}
	*bytes = (uint64_t)b;
	return 0;
}

const char *when_format(double t, char *buf, size_t len)
{
	time_t s = (time_t)floor(t);
	struct tm tm;
	if (!localtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%.0f", t);
	return buf;
}
