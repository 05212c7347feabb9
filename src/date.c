/*
 * date.c: DATE arguments and time formats (see date.h).
 *
 * Everything is UTC and done with integer civil-date arithmetic (Howard
 * Hinnant's days_from_civil / civil_from_days), not with mktime(),
 * strptime() or timegm(): those read TZ and the locale, and a report must
 * not change with the machine it runs on.  Parsing is strict on purpose: a
 * DATE that is almost right ("2026-02-30", "3 dayz ago") is an error the
 * user hears about, not a guess.
 *
 * Left to callers: saying what was wrong with a DATE (date_parse() prints
 * nothing) and what a bare day means at the end of a window (date_parse()
 * gives its start; "through that day" is the caller's + 1 day).
 */
#include "config.h"
#include "date.h"
#include "buf.h"
#include "msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_SECS INT64_C(86400)

/*
 * A DATE longer than this is garbage: the longest real form,
 * "2026-02-15T12:14:16.123456789+05:30", is 35 bytes, and a relative form
 * with an absurd count fails the overflow checks well before.
 */
#define DATE_MAX 64

/* Days since 1970-01-01 of a proleptic Gregorian date; m is 1-12. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

/*
 * The inverse.  Any day an int64_t time can name fits: |days| < 1.1e14,
 * so nothing below comes near overflowing.
 */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;				/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	/* [0, 365] */
	mp = (5 * doy + 2) / 153;			/* [0, 11] */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Floor division: the day of a time before 1970 starts before it. */
static int64_t day_of(int64_t t)
{
	int64_t q = t / DAY_SECS;

	if (t % DAY_SECS < 0)
		q--;
	return q;
}

int64_t date_day_start(int64_t t)
{
	int64_t q = t / DAY_SECS;

	/*
	 * The day holding INT64_MIN starts before INT64_MIN; answer the
	 * earliest whole day instead of overflowing.  No real time is there.
	 */
	if (t % DAY_SECS < 0 && q > INT64_MIN / DAY_SECS)
		q--;
	return q * DAY_SECS;
}

/* The parts of t, UTC. */
struct civil {
	int64_t year;
	int mon, day, hour, min, sec;
};

static void civil_from_time(struct civil *c, int64_t t)
{
	int64_t days = day_of(t);
	/* t - days * DAY_SECS could overflow at the extremes; this can't */
	int64_t secs = t % DAY_SECS;

	if (secs < 0)
		secs += DAY_SECS;
	civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
}

/*
 * The format functions return nothing: an append refused by the buf's cap
 * leaves the buf as it was, and the caller that set the cap checks its
 * length.
 */
void date_format_iso(struct buf *out, int64_t t)
{
	struct civil c;

	civil_from_time(&c, t);
	(void)buf_addf(out, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
		       (long long)c.year, c.mon, c.day, c.hour, c.min, c.sec);
}

void date_format_day(struct buf *out, int64_t t)
{
	struct civil c;

	civil_from_time(&c, t);
	(void)buf_addf(out, "%04lld-%02d-%02d",
		       (long long)c.year, c.mon, c.day);
}

void date_format_short(struct buf *out, int64_t t)
{
	struct civil c;

	civil_from_time(&c, t);
	(void)buf_addf(out, "%04lld-%02d-%02d %02d:%02d",
		       (long long)c.year, c.mon, c.day, c.hour, c.min);
}

/*
 * Parsing works on a lower-cased copy with the blanks around it trimmed,
 * read through a cursor; every reader returns 0 and advances, or -1 and
 * leaves the cursor where it was.  Only ASCII is looked at, so no locale
 * is involved.
 */
static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Around the DATE also a line end, as read from a file or a pipe. */
static int is_trimmed(int c)
{
	return is_blank(c) || c == '\n' || c == '\r';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Exactly n digits. */
static int read_fixed(const char **p, int n, int *out)
{
	const char *s = *p;
	int v = 0;

	while (n--) {
		if (!is_digit(*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	*out = v;
	*p = s;
	return 0;
}

/* One or more digits, as an int64_t; -1 on overflow. */
static int read_count(const char **p, int64_t *out)
{
	const char *s = *p;
	int64_t v = 0;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		int dig = *s - '0';

		if (v > (INT64_MAX - dig) / 10)
			return -1;
		v = v * 10 + dig;
	}
	*out = v;
	*p = s;
	return 0;
}

static int read_word(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n))
		return -1;
	*p += n;
	return 0;
}

/* At least one blank. */
static int read_blanks(const char **p)
{
	const char *s = *p;

	if (!is_blank(*s))
		return -1;
	while (is_blank(*s))
		s++;
	*p = s;
	return 0;
}

/* "YYYY-MM-DD", checked against the calendar, as days since the epoch. */
static int read_day(const char **p, int64_t *days)
{
	const char *s = *p;
	int y, m, d;

	if (read_fixed(&s, 4, &y) || *s++ != '-' ||
	    read_fixed(&s, 2, &m) || *s++ != '-' ||
	    read_fixed(&s, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = days_from_civil(y, m, d);
	*p = s;
	return 0;
}

/*
 * "HH:MM", then ":SS" and a fraction (dropped: times are whole seconds)
 * if given.  No leap second: git never writes one, and 23:59:60 typed
 * by hand is more likely a mistake.
 */
static int read_clock(const char **p, int64_t *secs)
{
	const char *s = *p;
	int h, m, sec = 0;

	if (read_fixed(&s, 2, &h) || *s++ != ':' || read_fixed(&s, 2, &m))
		return -1;
	if (*s == ':') {
		s++;
		if (read_fixed(&s, 2, &sec))
			return -1;
		if (*s == '.' || *s == ',') {
			s++;
			if (!is_digit(*s))
				return -1;
			while (is_digit(*s))
				s++;
		}
	}
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	*secs = h * 3600 + m * 60 + sec;
	*p = s;
	return 0;
}

/*
 * "z", or "+HH:MM", "+HHMM", "+HH" (or "-"), as seconds east of UTC.
 * git writes "-0800" after a blank, ISO 8601 writes "+05:30" right after
 * the time; both are taken either way.
 */
static int read_zone(const char **p, int64_t *east)
{
	const char *s = *p;
	int sign, h, m = 0;

	if (*s == 'z') {
		*east = 0;
		*p = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (read_fixed(&s, 2, &h))
		return -1;
	if (*s == ':') {
		s++;
		if (read_fixed(&s, 2, &m))
			return -1;
	} else if (is_digit(*s)) {
		if (read_fixed(&s, 2, &m))
			return -1;
	}
	if (h > 23 || m > 59)
		return -1;
	*east = sign * (h * 3600 + m * 60);
	*p = s;
	return 0;
}

/* "YYYY-MM-DD" or full ISO 8601; the cursor must end at the end. */
static int parse_iso(const char *s, int64_t *out)
{
	int64_t days, secs = 0, east = 0;

	if (read_day(&s, &days))
		return -1;
	if (*s) {
		/* git's "2026-02-15 12:14:16 -0800" or ISO's "T" */
		if (*s == 't')
			s++;
		else if (read_blanks(&s))
			return -1;
		if (read_clock(&s, &secs))
			return -1;
		if (*s) {
			const char *z = s;

			if (read_blanks(&z))
				z = s;
			if (read_zone(&z, &east) || *z)
				return -1;
		}
	}
	/* days is within year 0000-9999, so none of this can overflow */
	*out = days * DAY_SECS + secs - east;
	return 0;
}

/* "@SECONDS", with an optional sign. */
static int parse_epoch(const char *s, int64_t *out)
{
	int64_t v;
	int neg = 0;

	if (*s++ != '@')
		return -1;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (read_count(&s, &v) || *s)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/*
 * "N unit(s) ago".  Days and weeks count calendar days back from today
 * and give the start of that day, so "7 days ago" is the same instant
 * whether it is asked at 00:05 or at 23:55; hours and minutes are exact.
 */
static int parse_ago(const char *s, int64_t now, int64_t *out)
{
	static const struct {
		const char *name;
		int64_t secs;
		int whole_days;
	} units[] = {
		{ "minute", 60, 0 },
		{ "hour", 3600, 0 },
		{ "day", DAY_SECS, 1 },
		{ "week", 7 * DAY_SECS, 1 },
	};
	int64_t n, base, back;
	size_t i;

	if (read_count(&s, &n) || read_blanks(&s))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (!read_word(&s, units[i].name))
			break;
	if (i == sizeof(units) / sizeof(*units))
		return -1;
	if (*s == 's')
		s++;
	if (read_blanks(&s) || read_word(&s, "ago") || *s)
		return -1;

	base = units[i].whole_days ? date_day_start(now) : now;
	if (n > INT64_MAX / units[i].secs)
		return -1;
	back = n * units[i].secs;
	if (base < INT64_MIN + back)
		return -1;
	*out = base - back;
	return 0;
}

/* Copies s lower-cased and trimmed into dst[DATE_MAX + 1]. */
static int normalize(char *dst, const char *s)
{
	size_t n;

	while (is_trimmed(*s))
		s++;
	n = strlen(s);
	while (n && is_trimmed(s[n - 1]))
		n--;
	if (!n || n > DATE_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		dst[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[n] = '\0';
	return 0;
}

/* The forms that need no "now". */
static int parse_absolute(const char *s, int64_t *out)
{
	if (*s == '@')
		return parse_epoch(s, out);
	return parse_iso(s, out);
}

int date_parse(const char *s, int64_t now, int64_t *out)
{
	char d[DATE_MAX + 1];

	if (!s || normalize(d, s))
		return -1;
	if (!strcmp(d, "now")) {
		*out = now;
		return 0;
	}
	if (!strcmp(d, "today")) {
		*out = date_day_start(now);
		return 0;
	}
	if (!strcmp(d, "yesterday")) {
		int64_t today = date_day_start(now);

		if (today < INT64_MIN + DAY_SECS)
			return -1;
		*out = today - DAY_SECS;
		return 0;
	}
	/* "2026-..." fails parse_ago at the '-', before looking further */
	if (!parse_ago(d, now, out))
		return 0;
	return parse_absolute(d, out);
}

/*
 * $MIRRORSCAN_TEST_NOW is for the test suite, so a bad value is said
 * loudly and then ignored: a test that sets it wrong fails visibly on the
 * real clock instead of passing by accident.
 */
int64_t date_now(void)
{
	const char *env = getenv("MIRRORSCAN_TEST_NOW");
	char d[DATE_MAX + 1];
	int64_t t;

	if (env && *env) {
		const char *s;

		if (!normalize(d, env)) {
			s = d;
			/* plain seconds, as test_tick-style scripts give */
			if (is_digit(*s) && !read_count(&s, &t) && !*s)
				return t;
			if (!parse_absolute(d, &t))
				return t;
		}
		warning("ignoring bad MIRRORSCAN_TEST_NOW '%s'", env);
	}
	return (int64_t)time(NULL);
}
