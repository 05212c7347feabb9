/*
 * unit-arena: struct arena (src/arena.h).  Items must be aligned for any
 * type, must not overlap, big items must not waste the shared block, and
 * a reset must hand the first block out again.  Built with
 * --enable-debug-arena (ARENA_DEBUG) every item is its own malloc, so the
 * tests about block reuse are skipped there.
 */
#include "config.h"
#include "arena.h"
#include "tap.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

/* Every byte of item i holds (unsigned char)i: overlaps show up. */
struct item {
	unsigned char *p;
	size_t size;
};

static size_t check_items(const struct item *it, size_t n)
{
	size_t i, j, bad = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < it[i].size; j++)
			if (it[i].p[j] != (unsigned char)i) {
				bad++;
				break;
			}
	return bad;
}

static void test_alignment(void)
{
	struct arena a = ARENA_INIT;
	static const size_t sizes[] = {
		1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100
	};
	size_t nsizes = sizeof(sizes) / sizeof(*sizes);
	size_t i, misaligned = 0;
	void *p, *q;

	for (i = 0; i < 1000; i++) {
		p = arena_alloc(&a, sizes[i % nsizes]);
		if (!aligned(p))
			misaligned++;
	}
	is_int(misaligned, 0, "1000 odd-sized items are all aligned");

	p = arena_alloc(&a, 0);
	q = arena_alloc(&a, 0);
	ok(p && q && p != q, "size 0 gives distinct pointers");
	ok(aligned(p) && aligned(q), "... aligned too");

	/* a type that needs max_align_t's alignment is usable */
	{
		long double *ld = arena_alloc(&a, sizeof(*ld));
		char *c = arena_alloc(&a, 1);
		long double *ld2 = arena_alloc(&a, sizeof(*ld2));

		*c = 1;
		*ld = 1.5L;
		*ld2 = 2.5L;
		ok(*ld == 1.5L && *ld2 == 2.5L, "long double after a char");
	}
	arena_release(&a);
	ok(!a.head && !a.total, "release empties the arena");
}

static void test_no_overlap(void)
{
	struct arena a = ARENA_INIT;
	struct item it[3000];
	size_t i, n = sizeof(it) / sizeof(*it);

	/* small, medium and some above a quarter block (16 KiB) */
	for (i = 0; i < n; i++) {
		size_t size = i % 100 == 0 ? 20000 + i : 1 + i % 200;

		it[i].p = arena_alloc(&a, size);
		it[i].size = size;
		memset(it[i].p, (unsigned char)i, size);
	}
	is_int(check_items(it, n), 0, "3000 items, none overwritten");
	ok(a.total >= 30 * 20000, "total counts the bytes (%zu)", a.total);
	arena_release(&a);
}

static void test_large(void)
{
	struct arena a = ARENA_INIT;
	unsigned char *small1, *big, *small2, *huge;
	size_t i, bad = 0;

	small1 = arena_alloc(&a, 16);
	memset(small1, 1, 16);
	/* bigger than a quarter block: an item of its own */
	arena_alloc(&a, 60000);
	big = arena_alloc(&a, 16 * 1024 + 1);
	memset(big, 2, 16 * 1024 + 1);
	small2 = arena_alloc(&a, 16);
	memset(small2, 3, 16);
	huge = arena_alloc(&a, 10 * 1024 * 1024);
	memset(huge, 4, 10 * 1024 * 1024);
	ok(aligned(big) && aligned(huge), "large items are aligned");
	for (i = 0; i < 16; i++)
		bad += small1[i] != 1 || small2[i] != 3;
	for (i = 0; i < 16 * 1024 + 1; i++)
		bad += big[i] != 2;
	for (i = 0; i < 10 * 1024 * 1024; i++)
		bad += huge[i] != 4;
	is_int(bad, 0, "large items and their neighbours intact");
#ifndef ARENA_DEBUG
	/* big items get blocks of their own, and the partly used small
	 * block stays in front and keeps filling */
	ok(small2 == small1 + 16,
	   "small items continue the shared block after big ones");
#else
	skip("block layout (ARENA_DEBUG)");
#endif
	arena_release(&a);
}

static void test_reset(void)
{
	struct arena a = ARENA_INIT;
	static unsigned char *seen[5000];
	unsigned char *first, *again, *z;
	size_t i, nonzero = 0, reused = 0;

	first = arena_alloc(&a, 100);
	memset(first, 0xAA, 100);
	arena_reset(&a);
	again = arena_alloc(&a, 100);
#ifndef ARENA_DEBUG
	ok(again == first, "reset hands the block out again");
#else
	skip("block reuse (ARENA_DEBUG)");
#endif

	/* several blocks and a big item: one 64 KiB block is kept */
	for (i = 0; i < 5000; i++) {
		seen[i] = arena_alloc(&a, 50);
		memset(seen[i], 0xAA, 50);
	}
	arena_alloc(&a, 100000);
	arena_reset(&a);
	is_int(a.total, 0, "reset zeroes total");
	again = arena_alloc(&a, 50);
	for (i = 0; i < 5000; i++)
		reused += seen[i] == again;
#ifndef ARENA_DEBUG
	is_int(reused, 1, "reset of many blocks keeps one for reuse");
#else
	skip("block reuse (ARENA_DEBUG)");
#endif
	/* memory handed out again is dirty; calloc must clear it */
	arena_reset(&a);
	z = arena_calloc(&a, 1000, 10);
	for (i = 0; i < 10000; i++)
		nonzero += z[i] != 0;
	is_int(nonzero, 0, "calloc on reused memory is zeroed");
	ok(aligned(z), "calloc is aligned");

	for (i = 0; i < 10; i++) {
		arena_alloc(&a, 60000);
		arena_reset(&a);
	}
	ok(a.total == 0, "repeated fill and reset");
	arena_release(&a);
	arena_release(&a);
	ok(!a.head, "release twice is harmless");
	arena_reset(&a);
	ok(!a.head, "reset of an empty arena");
}

static void test_strdup(void)
{
	struct arena a = ARENA_INIT;
	char *s, *t, *u;

	s = arena_strdup(&a, "hello");
	t = arena_strndup(&a, "world wide", 5);
	u = arena_strdup(&a, "");
	is_str(s, "hello", "strdup");
	is_str(t, "world", "strndup cuts");
	is_str(u, "", "strdup of \"\"");
	ok(s != t && t != u, "distinct copies");
	t = arena_strndup(&a, "a\0b", 3);
	is_mem(t, 4, "a\0b\0", 4, "strndup copies NULs and terminates");
	arena_release(&a);
}

int main(void)
{
	test_alignment();
	test_no_overlap();
	test_large();
	test_reset();
	test_strdup();
	return done_testing();
}
