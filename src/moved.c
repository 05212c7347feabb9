/*
 * moved.c: a commit's changed lines by side, in two open-addressing hash
 * tables of 64-bit keys (see moved.h).
 */
#include "config.h"
#include "moved.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

/* the file of a key that more than one file holds */
static const char many_files;

#define MOVED_MIN_CAP 1024
/* a table of this many slots is freed by moved_reset() unless the last
 * commit nearly needed it */
#define MOVED_KEEP_CAP 16384

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

uint64_t moved_key(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	uint64_t h, w;
	size_t i;

	while (len && is_blank((char)*p)) {
		p++;
		len--;
	}
	while (len && is_blank((char)p[len - 1]))
		len--;
	if (!len)
		return 0;
	h = UINT64_C(0x9e3779b97f4a7c15) ^ len;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
		h ^= h >> 29;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
	}
	h = mix(h);
	return h ? h : 1;
}

void moved_init(struct moved *mv)
{
	memset(mv, 0, sizeof(*mv));
}

static void side_release(struct moved_side *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

void moved_release(struct moved *mv)
{
	side_release(&mv->side[0]);
	side_release(&mv->side[1]);
}

void moved_reset(struct moved *mv)
{
	int k;

	for (k = 0; k < 2; k++) {
		struct moved_side *s = &mv->side[k];

		if (s->cap > MOVED_KEEP_CAP && s->n < s->cap / 8) {
			side_release(s);
		} else if (s->n) {
			memset(s->slot, 0, s->cap * sizeof(*s->slot));
			s->n = 0;
		}
	}
}

/* The slot of key in s: where it is, or the empty one it would take. */
static struct moved_slot *find(const struct moved_side *s, uint64_t key)
{
	size_t i = (size_t)key & (s->cap - 1);

	while (s->slot[i].key && s->slot[i].key != key)
		i = (i + 1) & (s->cap - 1);
	return &s->slot[i];
}

static void put(struct moved_side *s, uint64_t key, const void *file);

static void grow(struct moved_side *s)
{
	struct moved_side old = *s;
	size_t i;

	s->cap = old.cap ? old.cap * 2 : MOVED_MIN_CAP;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	s->n = 0;
	for (i = 0; i < old.cap; i++)
		if (old.slot[i].key)
			put(s, old.slot[i].key, old.slot[i].file);
	free(old.slot);
}

/* A full side takes no more keys, and no longer notes a second file for
 * the ones it has: a line is then moved less often, never more. */
static void put(struct moved_side *s, uint64_t key, const void *file)
{
	struct moved_slot *sl;

	if (s->n >= MOVED_MAX_LINES)
		return;
	if (2 * (s->n + 1) > s->cap)
		grow(s);
	sl = find(s, key);
	if (!sl->key) {
		sl->key = key;
		sl->file = file;
		s->n++;
	} else if (sl->file != file) {
		sl->file = &many_files;
	}
}

void moved_add(struct moved *mv, int removed, uint64_t key, const void *file)
{
	if (key)
		put(&mv->side[removed != 0], key, file);
}

int moved_elsewhere(const struct moved *mv, int removed, uint64_t key,
		    const void *file)
{
	const struct moved_side *s = &mv->side[removed == 0];
	const struct moved_slot *sl;

	if (!key || !s->n)
		return 0;
	sl = find(s, key);
	return sl->key && sl->file != file;
}

int moved_anywhere(const struct moved *mv, int removed, uint64_t key)
{
	const struct moved_side *s = &mv->side[removed == 0];

	return key && s->n && find(s, key)->key;
}

void moved_merge(struct moved *into, const struct moved *from)
{
	int k;
	size_t i;

	for (k = 0; k < 2; k++) {
		const struct moved_side *s = &from->side[k];

		for (i = 0; i < s->cap; i++)
			if (s->slot[i].key)
				put(&into->side[k], s->slot[i].key,
				    s->slot[i].file);
	}
}
