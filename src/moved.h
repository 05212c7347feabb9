/*
 * moved: a commit's changed lines, by side, to tell a line that the
 * commit moved from one file to another from a changed one.
 *
 * A line is keyed by its text without leading and trailing blanks (a
 * moved block is often indented anew).  A line removed from one file and
 * added, with the same key, to another file is moved: for the rules it is
 * no change at all (mirrorscan-rules(5), "Moved lines").
 *
 * Each side holds at most MOVED_MAX_LINES distinct keys: a commit that
 * changes more lines (a generated tree, a vendored library) keeps the
 * first ones, and a line found on neither side is a change, as it would
 * be without this module.
 */
#ifndef MS_MOVED_H
#define MS_MOVED_H

#include <stddef.h>
#include <stdint.h>

#define MOVED_MAX_LINES 16384

struct moved_slot {
	uint64_t key;		/* 0: empty */
	const void *file;	/* the file that holds the key, or "many" */
};

struct moved_side {
	struct moved_slot *slot;
	size_t cap, n;		/* cap a power of 2, or 0 */
};

struct moved {
	struct moved_side side[2];	/* 0 added, 1 removed */
};

/* The key of a line; 0 for a blank one, which is never moved. */
uint64_t moved_key(const char *text, size_t len);

void moved_init(struct moved *mv);
/* Forgets the lines (of the last commit); keeps small tables. */
void moved_reset(struct moved *mv);
void moved_release(struct moved *mv);

/* Does side removed (0 or 1) take no more lines? */
static inline int moved_full(const struct moved *mv, int removed)
{
	return mv->side[removed != 0].n >= MOVED_MAX_LINES;
}

/* A line of side removed (0 or 1), key from moved_key(), of file (any
 * pointer that is the same for the lines of one file change). */
void moved_add(struct moved *mv, int removed, uint64_t key, const void *file);

/* Is the line of side removed, with key, of file, on the other side of
 * the commit in another file? */
int moved_elsewhere(const struct moved *mv, int removed, uint64_t key,
		    const void *file);

/* Is the line of side removed, with key, on the other side of the
 * commit in any file, its own too? */
int moved_anywhere(const struct moved *mv, int removed, uint64_t key);

/* Adds the lines of from (a part of the same commit) to into. */
void moved_merge(struct moved *into, const struct moved *from);

#endif
