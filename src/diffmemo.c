/* diffmemo.c: see diffmemo.h. */
#include "config.h"
#include "diffmemo.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096

struct entry {
	unsigned char key[DIFFMEMO_KEYSZ];
	struct entry *chain;		/* next in its bucket */
	struct entry *newer, *older;	/* the use order */
	size_t len;
	unsigned char value[];
};

struct diffmemo {
	pthread_mutex_t lock;
	size_t max_bytes, bytes;
	struct entry *bucket[BUCKETS];
	struct entry *newest, *oldest;
};

struct diffmemo *diffmemo_new(size_t max_bytes)
{
	struct diffmemo *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	m->max_bytes = max_bytes;
	return m;
}

void diffmemo_free(struct diffmemo *m)
{
	struct entry *e, *next;

	if (!m)
		return;
	for (e = m->newest; e; e = next) {
		next = e->older;
		free(e);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Keys are digests: their first bytes make a good bucket. */
static struct entry **bucket_of(struct diffmemo *m, const unsigned char *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return &m->bucket[h % BUCKETS];
}

static void unlink_use(struct diffmemo *m, struct entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		m->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		m->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void link_newest(struct diffmemo *m, struct entry *e)
{
	e->older = m->newest;
	e->newer = NULL;
	if (m->newest)
		m->newest->newer = e;
	m->newest = e;
	if (!m->oldest)
		m->oldest = e;
}

static struct entry *find(struct diffmemo *m, const unsigned char *key)
{
	struct entry *e;

	for (e = *bucket_of(m, key); e; e = e->chain)
		if (!memcmp(e->key, key, DIFFMEMO_KEYSZ))
			return e;
	return NULL;
}

static void drop_oldest(struct diffmemo *m)
{
	struct entry *e = m->oldest, **p;

	for (p = bucket_of(m, e->key); *p != e; p = &(*p)->chain)
		;
	*p = e->chain;
	unlink_use(m, e);
	m->bytes -= sizeof(*e) + e->len;
	free(e);
}

int diffmemo_get(struct diffmemo *m, const unsigned char *key,
		 struct buf *out)
{
	struct entry *e;
	int found = 0;

	pthread_mutex_lock(&m->lock);
	e = find(m, key);
	if (e) {
		unlink_use(m, e);
		link_newest(m, e);
		buf_add(out, e->value, e->len);
		found = 1;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

void diffmemo_put(struct diffmemo *m, const unsigned char *key,
		  const void *value, size_t len)
{
	struct entry *e, **b;
	size_t size = sizeof(*e) + len;

	if (size > m->max_bytes / 4)
		return;
	e = xmalloc(size);
	memcpy(e->key, key, DIFFMEMO_KEYSZ);
	e->len = len;
	memcpy(e->value, value, len);
	pthread_mutex_lock(&m->lock);
	if (find(m, key)) {
		pthread_mutex_unlock(&m->lock);
		free(e);
		return;
	}
	while (m->oldest && m->bytes + size > m->max_bytes)
		drop_oldest(m);
	b = bucket_of(m, key);
	e->chain = *b;
	*b = e;
	link_newest(m, e);
	m->bytes += size;
	pthread_mutex_unlock(&m->lock);
}
