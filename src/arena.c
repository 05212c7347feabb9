/*
 * arena.c: see arena.h.  Blocks are chained newest first; a request larger
 * than a quarter of the default block gets a block of its own so that big
 * items do not waste the tail of a shared one.
 */
#include "config.h"
#include "arena.h"
#include "buf.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* Blocks start small and double up to ARENA_BLOCK: most arenas (one per
 * scanned commit while it waits for the writer) hold a few KiB, and a
 * thousand of them must not cost 64 MiB. */
#define ARENA_FIRST_BLOCK (4 * 1024)
#define ARENA_BLOCK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n)
{
	size_t a = alignof(max_align_t);

	return st_add(n, a - 1) & ~(a - 1);
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b;
	size_t need = align_up(size ? size : 1);

#ifdef ARENA_DEBUG
	b = xmalloc(st_add(sizeof(*b), need));
	b->size = b->used = need;
	b->next = a->head;
	a->head = b;
	a->total += need;
	return b->data;
#else
	b = a->head;
	if (!b || b->size - b->used < need) {
		size_t grow = b ? (b->size < ARENA_BLOCK ? b->size * 2
							  : ARENA_BLOCK)
				: ARENA_FIRST_BLOCK;
		size_t bsize = need > ARENA_BLOCK / 4 ? need
			       : need > grow ? ARENA_BLOCK : grow;

		b = xmalloc(st_add(sizeof(*b), bsize));
		b->size = bsize;
		b->used = 0;
		if (a->head && need > ARENA_BLOCK / 4) {
			/* keep the partly used block at the head */
			b->next = a->head->next;
			a->head->next = b;
			b->used = need;
			a->total += need;
			return b->data;
		}
		b->next = a->head;
		a->head = b;
	}
	b->used += need;
	a->total += need;
	return b->data + b->used - need;
#endif
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	size_t bytes = st_mult(n, size);
	void *p = arena_alloc(a, bytes);

	memset(p, 0, bytes);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, st_add(n, 1));

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head, *keep = NULL;

	while (b) {
		struct arena_block *next = b->next;

#ifndef ARENA_DEBUG
		if (!keep && b->size <= ARENA_BLOCK &&
		    b->size >= ARENA_FIRST_BLOCK) {
			keep = b;
			b = next;
			continue;
		}
#endif
		free(b);
		b = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->total = 0;
}

void arena_adopt(struct arena *dst, struct arena *src)
{
	struct arena_block *last;

	if (!src->head)
		return;
	if (!dst->head) {
		*dst = *src;
	} else {
		/* behind dst's head, which keeps serving allocations */
		for (last = src->head; last->next; last = last->next)
			;
		last->next = dst->head->next;
		dst->head->next = src->head;
		dst->total += src->total;
	}
	src->head = NULL;
	src->total = 0;
}

void arena_release(struct arena *a)
{
	arena_reset(a);
	free(a->head);
	a->head = NULL;
}
