/*
 * tap.h: the Test Anything Protocol for the C unit tests, header only.
 *
 * A test program is a main() that calls plan() (or not: done_testing()
 * then prints the plan at the end), any number of ok()/is_str()/is_int()/
 * is_mem()/skip(), and returns done_testing(), which is 0 only when every test
 * passed and as many ran as were planned.  automake's tap-driver.sh reads
 * stdout; diagnostics are "# " lines on stdout too, so they stay next to
 * the test they explain.  A failure names the file and line, and shows
 * got/want with unprintable bytes as \xNN, so a test about escaping
 * cannot itself garble the TAP stream.
 *
 * Titles are printf formats.  Everything is static inline so a program
 * that uses only part of it gets no unused-function warnings.
 */
#ifndef MS_TAP_H
#define MS_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct tap_state {
	int planned;	/* 0: no plan yet, printed by done_testing() */
	int run;
	int failed;
};

static inline struct tap_state *tap_state(void)
{
	static struct tap_state st;

	return &st;
}

static inline void plan(int n)
{
	tap_state()->planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Bytes as a C string literal would show them, quoted, or (null). */
static inline void tap_show(const char *label, const char *s, size_t len)
{
	size_t i;

	printf("#   %8s: ", label);
	if (!s) {
		fputs("(null)\n", stdout);
		return;
	}
	fputc('\'', stdout);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c >= 0x7F)
			printf("\\x%02x", c);
		else
			fputc(c, stdout);
	}
	fputs("'\n", stdout);
}

/* "ok N - title": '#' would start a directive, a newline a new line. */
static inline int tap_result(int pass, const char *file, int line,
			     const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static inline int tap_result(int pass, const char *file, int line,
			     const char *fmt, va_list ap)
{
	struct tap_state *st = tap_state();
	char title[512];
	const char *p;

	vsnprintf(title, sizeof(title), fmt, ap);
	st->run++;
	if (!pass)
		st->failed++;
	printf("%s %d - ", pass ? "ok" : "not ok", st->run);
	for (p = title; *p; p++) {
		if (*p == '#')
			fputs("\\#", stdout);
		else if (*p == '\n' || *p == '\r')
			fputc(' ', stdout);
		else
			fputc(*p, stdout);
	}
	fputc('\n', stdout);
	if (!pass)
		printf("#   Failed test at %s line %d.\n", file, line);
	fflush(stdout);
	return pass;
}

static inline int tap_ok(int pass, const char *file, int line,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok(int pass, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_result(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int tap_is_mem_v(const char *got, size_t got_len,
			       const char *want, size_t want_len,
			       const char *file, int line, const char *fmt,
			       va_list ap)
	__attribute__((format(printf, 7, 0)));
static inline int tap_is_mem_v(const char *got, size_t got_len,
			       const char *want, size_t want_len,
			       const char *file, int line, const char *fmt,
			       va_list ap)
{
	int pass;

	if (!got || !want)
		pass = got == want;
	else
		pass = got_len == want_len && !memcmp(got, want, got_len);
	tap_result(pass, file, line, fmt, ap);
	if (!pass) {
		tap_show("got", got, got_len);
		tap_show("expected", want, want_len);
		fflush(stdout);
	}
	return pass;
}

static inline int tap_is_mem(const char *got, size_t got_len,
			     const char *want, size_t want_len,
			     const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static inline int tap_is_mem(const char *got, size_t got_len,
			     const char *want, size_t want_len,
			     const char *file, int line, const char *fmt, ...)
{
	int pass;
	va_list ap;

	va_start(ap, fmt);
	pass = tap_is_mem_v(got, got_len, want, want_len, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

/* NULL is equal only to NULL. */
static inline int tap_is_str(const char *got, const char *want,
			     const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_str(const char *got, const char *want,
			     const char *file, int line, const char *fmt, ...)
{
	int pass;
	va_list ap;

	va_start(ap, fmt);
	pass = tap_is_mem_v(got, got ? strlen(got) : 0,
			    want, want ? strlen(want) : 0,
			    file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int tap_is_int(intmax_t got, intmax_t want, const char *file,
			     int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_int(intmax_t got, intmax_t want, const char *file,
			     int line, const char *fmt, ...)
{
	int pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_result(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		printf("#        got: %jd\n#   expected: %jd\n", got, want);
		fflush(stdout);
	}
	return pass;
}

/* Each returns whether the test passed. */
#define ok(cond, ...) \
	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_mem(got, got_len, want, want_len, ...) \
	tap_is_mem((got), (got_len), (want), (want_len), \
		   __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((intmax_t)(got), (intmax_t)(want), \
		   __FILE__, __LINE__, __VA_ARGS__)

/* A test that cannot run here: "ok N # skip why" (why is plain text). */
static inline void skip(const char *why)
{
	struct tap_state *st = tap_state();

	st->run++;
	printf("ok %d # skip %s\n", st->run, why);
	fflush(stdout);
}

/* The exit status of main(). */
static inline int done_testing(void)
{
	struct tap_state *st = tap_state();

	if (!st->planned)
		printf("1..%d\n", st->run);
	else if (st->run != st->planned)
		printf("# planned %d tests but ran %d\n",
		       st->planned, st->run);
	if (st->failed)
		printf("# failed %d of %d tests\n", st->failed, st->run);
	fflush(stdout);
	return st->failed || (st->planned && st->run != st->planned) ||
	       !st->run;
}

#endif
