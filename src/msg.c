/*
 * msg.c: stderr output (see msg.h).  The progress line is redrawn at most
 * ten times a second; a message clears it first so lines never mix.
 */
#include "msg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int quiet;
static int progress_ok;
static int partial_seen;
static int progress_shown;
static struct timespec progress_last;
static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;

void msg_setup(int q)
{
	const char *term = getenv("TERM");

	quiet = q;
	progress_ok = !q && isatty(2) && !(term && !strcmp(term, "dumb"));
}

int msg_quiet(void)
{
	return quiet;
}

int msg_progress_enabled(void)
{
	return progress_ok;
}

static void clear_progress_locked(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

__attribute__((format(printf, 2, 0)))
static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&msg_lock);
	clear_progress_locked();
	fputs("mirrorscan: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&msg_lock);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vsay(NULL, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(NULL, fmt, ap);
	va_end(ap);
	exit(MS_EXIT_USAGE);
}

void msg_partial(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(NULL, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&msg_lock);
	partial_seen = 1;
	pthread_mutex_unlock(&msg_lock);
}

int msg_partial_seen(void)
{
	int r;

	pthread_mutex_lock(&msg_lock);
	r = partial_seen;
	pthread_mutex_unlock(&msg_lock);
	return r;
}

void msg_progress(const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	if (!progress_ok)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&msg_lock);
	if (progress_shown &&
	    (now.tv_sec - progress_last.tv_sec) * 1000000000L +
	    (now.tv_nsec - progress_last.tv_nsec) < 100000000L) {
		pthread_mutex_unlock(&msg_lock);
		return;
	}
	progress_last = now;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = 1;
	pthread_mutex_unlock(&msg_lock);
}

void msg_progress_done(void)
{
	pthread_mutex_lock(&msg_lock);
	clear_progress_locked();
	fflush(stderr);
	pthread_mutex_unlock(&msg_lock);
}
