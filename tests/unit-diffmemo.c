/*
 * unit-diffmemo: the memo of diff results (src/diffmemo.h).  A value put
 * under a key comes back unchanged, keys that share their first bytes
 * stay apart, a known key keeps its first value, the least recently used
 * values go when the bound is reached, a value too big is not kept, and
 * two threads may use it at once.
 */
#include "config.h"
#include "diffmemo.h"
#include "tap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Key i: the bucket bytes come first, so keys differing only at the end
 * share a bucket. */
static void make_key(unsigned char *key, uint32_t i, int tail)
{
	memset(key, 0, DIFFMEMO_KEYSZ);
	memcpy(key, &i, sizeof(i));
	key[DIFFMEMO_KEYSZ - 1] = (unsigned char)tail;
}

static int has_value(struct diffmemo *m, const unsigned char *key,
		     const char *want)
{
	struct buf b = BUF_INIT;
	int ok = diffmemo_get(m, key, &b) && b.len == strlen(want) &&
		 !memcmp(b.ptr, want, b.len);

	buf_release(&b);
	return ok;
}

static int is_known(struct diffmemo *m, const unsigned char *key)
{
	struct buf b = BUF_INIT;
	int known = diffmemo_get(m, key, &b);

	buf_release(&b);
	return known;
}

static void test_get_put(void)
{
	struct diffmemo *m = diffmemo_new(1 << 20);
	unsigned char key[DIFFMEMO_KEYSZ];
	struct buf b = BUF_INIT;

	make_key(key, 7, 0);
	ok(!diffmemo_get(m, key, &b) && b.len == 0,
	   "an empty memo knows no key and appends nothing");
	diffmemo_put(m, key, "first", 5);
	ok(has_value(m, key, "first"), "a put value comes back");
	diffmemo_put(m, key, "second", 6);
	ok(has_value(m, key, "first"), "a known key keeps its first value");
	make_key(key, 7, 1);
	ok(!diffmemo_get(m, key, &b), "a key with the same first bytes is not");
	diffmemo_put(m, key, "other", 5);
	ok(has_value(m, key, "other"), "keys in one bucket keep their values");
	make_key(key, 7, 0);
	ok(has_value(m, key, "first"), "the first one is intact");
	buf_release(&b);
	diffmemo_free(m);
}

/* Each entry costs its value and a header: 100 values of 1000 bytes
 * cannot all fit in 64 KiB. */
static void test_bound(void)
{
	struct diffmemo *m = diffmemo_new(64 << 10);
	unsigned char key[DIFFMEMO_KEYSZ], used[DIFFMEMO_KEYSZ];
	char value[1000];
	uint32_t i, known = 0, used_known = 0;

	memset(value, 'v', sizeof(value));
	make_key(used, 12345, 0);
	diffmemo_put(m, used, value, sizeof(value));
	for (i = 1; i <= 100; i++) {
		make_key(key, i * 2654435761u, 0);
		diffmemo_put(m, key, value, sizeof(value));
		used_known += is_known(m, used);
	}
	is_int(used_known, 100, "a value used all along stays");
	for (i = 1; i <= 100; i++) {
		make_key(key, i * 2654435761u, 0);
		known += is_known(m, key);
	}
	ok(known > 40 && known < 64, "about 64 KiB of values are kept (%u)",
	   (unsigned)known);
	make_key(key, 100u * 2654435761u, 0);
	ok(is_known(m, key), "the newest value is kept");
	make_key(key, 1u * 2654435761u, 0);
	ok(!is_known(m, key), "the oldest value unused since is gone");
	diffmemo_free(m);
}

static void test_too_big(void)
{
	struct diffmemo *m = diffmemo_new(4096);
	unsigned char key[DIFFMEMO_KEYSZ];
	char value[2000];

	memset(value, 'x', sizeof(value));
	make_key(key, 3, 0);
	diffmemo_put(m, key, value, sizeof(value));
	ok(!is_known(m, key), "a value over a quarter of the bound is not kept");
	diffmemo_free(m);
}

struct thread_arg {
	struct diffmemo *m;
	uint32_t base;
	uint32_t bad;
};

static void *hammer(void *p)
{
	struct thread_arg *t = p;
	unsigned char key[DIFFMEMO_KEYSZ];
	char value[32];
	uint32_t i;

	for (i = 0; i < 20000; i++) {
		uint32_t id = t->base + i;

		make_key(key, id * 2246822519u, 0);
		snprintf(value, sizeof(value), "value %u", (unsigned)id);
		diffmemo_put(t->m, key, value, strlen(value));
		if (!has_value(t->m, key, value))
			t->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct diffmemo *m = diffmemo_new(64 << 20);
	struct thread_arg a = { m, 0, 0 }, b = { m, 1u << 30, 0 };
	pthread_t ta, tb;

	pthread_create(&ta, NULL, hammer, &a);
	pthread_create(&tb, NULL, hammer, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	is_int(a.bad + b.bad, 0, "two threads put and get at once");
	diffmemo_free(m);
}

int main(void)
{
	test_get_put();
	test_bound();
	test_too_big();
	test_threads();
	return done_testing();
}
