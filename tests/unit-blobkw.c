/*
 * unit-blobkw: the blob keyword cache (src/blobkw.h).  A set put under a
 * blob id comes back unchanged, ids that only share their first bytes
 * stay apart, the table grows without losing entries, stops remembering
 * at its bound, and two threads may use it at once.
 */
#include "config.h"
#include "blobkw.h"
#include "commit.h"
#include "tap.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define SETSIZE 5

/* Blob id i: the slot bytes come first, so ids differing only at the end
 * collide. */
static void make_oid(unsigned char *oid, uint32_t i, int tail)
{
	memset(oid, 0, OID_RAWSZ);
	memcpy(oid, &i, sizeof(i));
	oid[OID_RAWSZ - 1] = (unsigned char)tail;
}

static void make_set(unsigned char *set, uint32_t i, int tail)
{
	size_t b;

	for (b = 0; b < SETSIZE; b++)
		set[b] = (unsigned char)(i * 7 + b * 13 + (unsigned)tail);
}

static void test_get_put(void)
{
	struct blobkw *c = blobkw_new(SETSIZE, 100);
	unsigned char oid[OID_RAWSZ], set[SETSIZE], got[SETSIZE];

	make_oid(oid, 1, 0);
	ok(!blobkw_get(c, oid, got), "empty cache knows no blob");
	make_set(set, 1, 0);
	blobkw_put(c, oid, set);
	memset(got, 0, sizeof(got));
	ok(blobkw_get(c, oid, got), "a put blob is known");
	is_mem((char *)got, SETSIZE, (char *)set, SETSIZE, "its set comes back");
	make_oid(oid, 1, 1);
	ok(!blobkw_get(c, oid, got), "an id with the same first bytes is not");
	make_set(set, 1, 1);
	blobkw_put(c, oid, set);
	ok(blobkw_get(c, oid, got) && !memcmp(got, set, SETSIZE),
	   "colliding ids keep their own sets");
	make_oid(oid, 1, 0);
	make_set(set, 1, 0);
	ok(blobkw_get(c, oid, got) && !memcmp(got, set, SETSIZE),
	   "the first one is intact");
	blobkw_free(c);
}

static void test_grow_and_bound(void)
{
	struct blobkw *c = blobkw_new(SETSIZE, 20000);
	unsigned char oid[OID_RAWSZ], set[SETSIZE], got[SETSIZE];
	uint32_t i, bad = 0, known = 0;

	for (i = 0; i < 30000; i++) {
		make_oid(oid, i * 2654435761u, 0);
		make_set(set, i, 0);
		blobkw_put(c, oid, set);
	}
	for (i = 0; i < 30000; i++) {
		make_oid(oid, i * 2654435761u, 0);
		make_set(set, i, 0);
		if (blobkw_get(c, oid, got)) {
			known++;
			bad += memcmp(got, set, SETSIZE) != 0;
		}
	}
	is_int(known, 20000, "remembers up to its bound, through growth");
	is_int(bad, 0, "every remembered set is right");
	make_oid(oid, 29999u * 2654435761u, 0);
	ok(!blobkw_get(c, oid, got), "a blob put past the bound is not known");
	blobkw_free(c);
}

struct thread_arg {
	struct blobkw *c;
	uint32_t base;
	uint32_t bad;
};

static void *hammer(void *p)
{
	struct thread_arg *t = p;
	unsigned char oid[OID_RAWSZ], set[SETSIZE], got[SETSIZE];
	uint32_t i;

	for (i = 0; i < 20000; i++) {
		uint32_t id = t->base + i;

		make_oid(oid, id * 2246822519u, 0);
		make_set(set, id, 0);
		blobkw_put(t->c, oid, set);
		if (!blobkw_get(t->c, oid, got) || memcmp(got, set, SETSIZE))
			t->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct blobkw *c = blobkw_new(SETSIZE, 1 << 20);
	struct thread_arg a = { c, 0, 0 }, b = { c, 1u << 30, 0 };
	pthread_t ta, tb;

	pthread_create(&ta, NULL, hammer, &a);
	pthread_create(&tb, NULL, hammer, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	is_int(a.bad + b.bad, 0, "two threads put and get at once");
	blobkw_free(c);
}

int main(void)
{
	test_get_put();
	test_grow_and_bound();
	test_threads();
	return done_testing();
}
