/*
 * msg: everything mirrorscan says on stderr.  Messages start "mirrorscan: ",
 * are one line, lower case, name the file, line or object they are about.
 * Untrusted text (paths, subjects from a mirror) must be escaped by the
 * caller (esc.h) before it is passed in.
 *
 * error() prints and returns -1, so callers can "return error(...)".
 * msg_partial() is for a commit or repository that could not be read: it
 * warns and sets the flag that makes the exit status 3.
 * The progress line is drawn only when stderr is a terminal and --quiet was
 * not given; any other message clears it first.  All of this is safe to call
 * from scan workers: one lock serialises stderr.
 *
 * The only global state of mirrorscan besides the resolved options lives
 * here: quiet, color, the partial flag and the stderr lock.
 */
#ifndef MS_MSG_H
#define MS_MSG_H

#include <stdarg.h>

#define MS_FMT(i, j) __attribute__((format(printf, i, j)))

/* Exit statuses (documented in mirrorscan.1, EXIT STATUS). */
enum ms_exit {
	MS_EXIT_OK = 0,
	MS_EXIT_NONE = 1,	/* ran, found nothing (log, prs) */
	MS_EXIT_USAGE = 2,	/* usage or input error */
	MS_EXIT_PARTIAL = 3,	/* finished, but something could not be read */
};

void msg_setup(int quiet);
int msg_quiet(void);
/* 1 when stderr is a terminal, not --quiet, and colour is allowed. */
int msg_progress_enabled(void);

int error(const char *fmt, ...) MS_FMT(1, 2);
void warning(const char *fmt, ...) MS_FMT(1, 2);
void info(const char *fmt, ...) MS_FMT(1, 2);
__attribute__((noreturn)) void die(const char *fmt, ...) MS_FMT(1, 2);
void msg_partial(const char *fmt, ...) MS_FMT(1, 2);
int msg_partial_seen(void);

/* Replaces the progress line (terminal only); msg_progress_done() clears it. */
void msg_progress(const char *fmt, ...) MS_FMT(1, 2);
void msg_progress_done(void);

#endif
