/*
 * buf: the one growable byte string of mirrorscan.
 *
 * Invariants: ptr is never NULL and always NUL-terminated (ptr[len] == 0),
 * so a buf can be handed to any C string function; an empty buf points at a
 * shared static byte and owns nothing.  alloc is 0 exactly when nothing is
 * owned.  cap, when not 0, bounds len: an append past it fails with -1 and
 * leaves the buf as it was (callers report it), so hostile input cannot make
 * a buffer grow without limit.  Out of memory is fatal (xmalloc dies).
 *
 * Calling order: BUF_INIT or buf_init(), appends, buf_release() (which
 * returns the buf to BUF_INIT) or buf_detach() to take the string.
 */
#ifndef MS_BUF_H
#define MS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t cap;
};

extern char buf_empty[1];
#define BUF_INIT { buf_empty, 0, 0, 0 }

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Empties the string, keeps the memory. */
void buf_reset(struct buf *b);
/* Makes room for extra more bytes; -1 when that would pass the cap. */
int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, int c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Shortens to len (<= b->len). */
void buf_setlen(struct buf *b, size_t len);
/* The caller owns the returned string (free()); the buf is reset to empty. */
char *buf_detach(struct buf *b, size_t *len);

/* Allocation that dies on failure, and checked size arithmetic. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
size_t st_add(size_t a, size_t b);
size_t st_mult(size_t a, size_t b);

/* Grows array p of *alloc elements so that n fit (ALLOC_GROW as in git). */
#define ALLOC_GROW(p, n, alloc) do { \
	if ((n) > (alloc)) { \
		size_t ag_new_ = (alloc) < 8 ? 8 : (alloc); \
		while (ag_new_ < (n)) \
			ag_new_ = st_mult(ag_new_, 2); \
		(p) = xrealloc((p), st_mult(ag_new_, sizeof(*(p)))); \
		(alloc) = ag_new_; \
	} \
} while (0)

#endif
