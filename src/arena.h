/*
 * arena: bump allocation for things that die together (a commit's paths,
 * lines and matches).  arena_reset() frees everything at once and keeps the
 * first block for reuse; arena_release() frees it all.  Built with
 * --enable-debug-arena, each allocation is its own malloc so that
 * AddressSanitizer sees overruns between items.
 *
 * An arena is not shared between threads: each scan worker has its own.
 */
#ifndef MS_ARENA_H
#define MS_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t total;
};

#define ARENA_INIT { NULL, 0 }

/* Memory aligned for any type; never NULL (out of memory dies). */
void *arena_alloc(struct arena *a, size_t size);
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_reset(struct arena *a);
/* Moves everything src holds into dst (it lives and dies with dst now);
 * src is left empty.  For work done in another thread's arena. */
void arena_adopt(struct arena *dst, struct arena *src);
void arena_release(struct arena *a);

#endif
