/*
 * unit-buf: struct buf (src/buf.h) and the checked allocation helpers.
 * The invariants under test are the header's: ptr never NULL and always
 * NUL-terminated, alloc 0 exactly when nothing is owned, a refused append
 * leaves the buf as it was.
 */
#include "config.h"
#include "buf.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The header's invariants, checked after every step that changes b. */
static int sane(const struct buf *b)
{
	if (!b->ptr || b->ptr[b->len] != '\0')
		return 0;
	if (!b->alloc)
		return b->ptr == buf_empty && b->len == 0;
	return b->len < b->alloc && (!b->cap || b->len <= b->cap);
}

static void test_init(void)
{
	struct buf a = BUF_INIT, b;

	ok(sane(&a) && a.ptr == buf_empty && !a.cap, "BUF_INIT is empty");
	buf_init(&b, 42);
	ok(sane(&b) && b.cap == 42 && b.ptr == buf_empty,
	   "buf_init sets the cap and owns nothing");
	buf_release(&b);
	ok(sane(&b) && b.cap == 42, "release of an empty buf keeps the cap");
	buf_release(&b);
	ok(sane(&b), "release twice is harmless");
	buf_reset(&a);
	buf_setlen(&a, 0);
	ok(sane(&a) && !buf_empty[0], "reset/setlen(0) of an empty buf");
}

static void test_append(void)
{
	struct buf b = BUF_INIT;

	is_int(buf_addstr(&b, "hello"), 0, "addstr");
	is_int(buf_addch(&b, ' '), 0, "addch");
	is_int(buf_add(&b, "world!!", 5), 0, "add takes a length");
	is_str(b.ptr, "hello world", "appends concatenate");
	ok(sane(&b) && b.len == 11, "len counts the bytes");

	is_int(buf_add(&b, "", 0), 0, "empty add");
	is_int(buf_add(&b, NULL, 0), 0, "empty add from NULL");
	is_int(b.len, 11, "empty adds change nothing");

	buf_add(&b, "a\0b", 3);
	is_mem(b.ptr, b.len, "hello worlda\0b", 14, "embedded NUL kept");
	ok(sane(&b), "still NUL-terminated after a NUL");
	buf_addch(&b, 0xff);
	ok((unsigned char)b.ptr[14] == 0xff && sane(&b), "addch of 0xff");
	buf_release(&b);
	ok(sane(&b) && b.ptr == buf_empty, "release frees and re-inits");
}

static void test_growth(void)
{
	struct buf b = BUF_INIT;
	size_t i, bad = 0, insane = 0, reallocs = 0;
	char *last = NULL;

	for (i = 0; i < 100000; i++) {
		buf_addch(&b, 'a' + (int)(i % 26));
		if (!sane(&b))
			insane++;
		if (b.ptr != last) {
			reallocs++;
			last = b.ptr;
		}
	}
	for (i = 0; i < b.len; i++)
		if (b.ptr[i] != 'a' + (int)(i % 26))
			bad++;
	is_int(b.len, 100000, "100000 single-byte appends");
	is_int(bad, 0, "contents survive growth");
	is_int(insane, 0, "invariants hold at every step");
	ok(reallocs < 40, "growth is geometric (%zu moves)", reallocs);

	buf_reset(&b);
	ok(sane(&b) && b.alloc > 100000, "reset keeps the memory");
	is_int(buf_grow(&b, 1000), 0, "grow within alloc");
	is_int(b.len, 0, "grow does not change len");
	buf_release(&b);

	is_int(buf_grow(&b, 5000), 0, "grow an empty buf");
	ok(b.alloc > 5000 && sane(&b) && !b.ptr[0], "grown buf is \"\"");
	buf_release(&b);
}

static void test_cap(void)
{
	struct buf b;
	char big[200];

	memset(big, 'x', sizeof(big));
	buf_init(&b, 10);
	is_int(buf_addstr(&b, "12345"), 0, "append under the cap");
	is_int(buf_addstr(&b, "678901"), -1, "append past the cap refused");
	is_str(b.ptr, "12345", "refused append leaves the string");
	ok(sane(&b) && b.len == 5, "refused append leaves len");
	is_int(buf_addstr(&b, "67890"), 0, "append up to the cap exactly");
	is_str(b.ptr, "1234567890", "buf is full");
	is_int(buf_addch(&b, 'x'), -1, "addch past the cap refused");
	is_int(buf_grow(&b, 1), -1, "grow past the cap refused");
	ok(sane(&b) && b.len == 10, "full buf intact");

	/* buf_addf fits in alloc (64) but not in the cap: the fast path */
	buf_setlen(&b, 5);
	ok(b.alloc > 20, "memory beyond the cap is allocated");
	is_int(buf_addf(&b, "%s", "abcdefgh"), -1,
	       "addf past the cap refused");
	is_str(b.ptr, "12345", "refused addf leaves the string");
	ok(sane(&b) && b.len == 5, "refused addf leaves len");
	is_int(buf_addf(&b, "%d", 67890), 0, "addf up to the cap");
	is_str(b.ptr, "1234567890", "addf filled the buf");
	buf_release(&b);
	is_int(b.cap, 10, "release keeps the cap");

	/* addf that needs more than the buf has allocated */
	is_int(buf_addf(&b, "%.*s", 100, big), -1, "big addf refused");
	ok(sane(&b) && b.ptr == buf_empty, "refused addf allocated nothing");
	is_int(buf_add(&b, big, sizeof(big)), -1, "big add refused");
	ok(sane(&b) && b.len == 0, "refused add leaves it empty");

	buf_init(&b, 100);
	is_int(buf_add(&b, big, 100), 0, "add of exactly cap bytes");
	ok(sane(&b) && b.len == 100, "a capped buf can be full");
	buf_release(&b);
}

static void test_printf(void)
{
	struct buf b = BUF_INIT;
	char want[1000];
	size_t wlen = 0;
	int i;

	is_int(buf_addf(&b, "%d-%s-%c", 42, "x", 'y'), 0, "addf");
	is_str(b.ptr, "42-x-y", "addf formats");
	is_int(buf_addf(&b, "%s", ""), 0, "addf of nothing");
	is_str(b.ptr, "42-x-y", "addf of nothing appends nothing");

	/* longer than the first allocation: the second vsnprintf */
	buf_reset(&b);
	is_int(buf_addf(&b, "%0500d", 7), 0, "addf past the allocation");
	ok(b.len == 500 && b.ptr[499] == '7' && b.ptr[0] == '0' && sane(&b),
	   "long addf complete");

	buf_release(&b);
	for (i = 0; i < 100; i++) {
		buf_addf(&b, "%d,", i);
		wlen += (size_t)snprintf(want + wlen, sizeof(want) - wlen,
					 "%d,", i);
	}
	is_str(b.ptr, want, "100 small addf in a row");
	buf_release(&b);
}

static void test_setlen_detach(void)
{
	struct buf b = BUF_INIT;
	size_t len = 99;
	char *s;

	buf_addstr(&b, "hello world");
	buf_setlen(&b, 5);
	is_str(b.ptr, "hello", "setlen shortens");
	ok(sane(&b), "setlen NUL-terminates");
	buf_setlen(&b, 5);
	is_str(b.ptr, "hello", "setlen to len is a no-op");
	buf_addstr(&b, "!");
	is_str(b.ptr, "hello!", "append after setlen");

	s = buf_detach(&b, &len);
	is_str(s, "hello!", "detach returns the string");
	is_int(len, 6, "detach returns the length");
	ok(sane(&b) && b.ptr == buf_empty, "detach leaves an empty buf");
	free(s);

	s = buf_detach(&b, NULL);
	is_str(s, "", "detach of an empty buf gives \"\"");
	ok(s != buf_empty, "... that the caller owns");
	free(s);

	buf_init(&b, 50);
	buf_addstr(&b, "x");
	s = buf_detach(&b, NULL);
	is_int(b.cap, 50, "detach keeps the cap");
	free(s);
	buf_release(&b);
}

/* Runs fn in a child; its exit status, or -1 if it did not exit. */
static int exit_status_of(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		/* die() says why on stderr; the TAP stream needs none of it */
		if (!freopen("/dev/null", "w", stderr))
			_exit(99);
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void add_overflow(void)
{
	(void)st_add(SIZE_MAX, 1);
}

static void mult_overflow(void)
{
	(void)st_mult(SIZE_MAX / 2 + 1, 2);
}

static void setlen_past_end(void)
{
	struct buf b = BUF_INIT;

	buf_setlen(&b, 1);
}

static void test_helpers(void)
{
	struct buf b = BUF_INIT;
	int *arr = NULL;
	size_t alloc = 0, i;
	char *s;

	is_int(st_add(2, 3), 5, "st_add");
	is_int(st_mult(SIZE_MAX / 2, 2), SIZE_MAX - 1, "st_mult at the edge");
	is_int(st_mult(0, SIZE_MAX), 0, "st_mult by zero");
	is_int(exit_status_of(add_overflow), 2, "st_add overflow dies");
	is_int(exit_status_of(mult_overflow), 2, "st_mult overflow dies");
	is_int(exit_status_of(setlen_past_end), 2, "setlen past the end dies");

	s = xstrndup("abcdef", 3);
	is_str(s, "abc", "xstrndup");
	free(s);
	s = xstrdup("");
	is_str(s, "", "xstrdup of \"\"");
	free(s);

	for (i = 0; i < 100; i++) {
		ALLOC_GROW(arr, i + 1, alloc);
		arr[i] = (int)i;
	}
	ok(alloc >= 100 && arr[99] == 99 && arr[0] == 0, "ALLOC_GROW");
	free(arr);
	buf_release(&b);
	ok(!buf_empty[0], "buf_empty is still \"\" after everything");
}

int main(void)
{
	test_init();
	test_append();
	test_growth();
	test_cap();
	test_printf();
	test_setlen_detach();
	test_helpers();
	return done_testing();
}
