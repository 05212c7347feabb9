/* blobkw.c: see blobkw.h. */
#include "config.h"
#include "blobkw.h"
#include "buf.h"
#include "commit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct blobkw {
	pthread_mutex_t lock;
	size_t setsize, max;
	size_t cap, n;			/* slots (a power of 2), used */
	unsigned char *used;		/* per slot */
	unsigned char (*oid)[OID_RAWSZ];
	unsigned char *sets;		/* cap rows of setsize */
};

struct blobkw *blobkw_new(size_t setsize, size_t max)
{
	struct blobkw *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	c->setsize = setsize ? setsize : 1;
	c->max = max;
	return c;
}

void blobkw_free(struct blobkw *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->used);
	free(c->oid);
	free(c->sets);
	free(c);
}

/* The ids are hashes already: their first bytes make a good slot. */
static size_t slot_of(const struct blobkw *c, const unsigned char *oid)
{
	uint64_t h;

	memcpy(&h, oid, sizeof(h));
	return (size_t)h & (c->cap - 1);
}

/* The slot holding oid, or the empty slot where it would go. */
static size_t find_slot(const struct blobkw *c, const unsigned char *oid)
{
	size_t i = slot_of(c, oid);

	while (c->used[i] && memcmp(c->oid[i], oid, OID_RAWSZ))
		i = (i + 1) & (c->cap - 1);
	return i;
}

static void grow(struct blobkw *c)
{
	struct blobkw old = *c;
	size_t i;

	c->cap = old.cap ? old.cap * 2 : 4096;
	c->used = xcalloc(c->cap, 1);
	c->oid = xcalloc(c->cap, sizeof(*c->oid));
	c->sets = xcalloc(c->cap, c->setsize);
	for (i = 0; i < old.cap; i++)
		if (old.used[i]) {
			size_t j = find_slot(c, old.oid[i]);

			c->used[j] = 1;
			memcpy(c->oid[j], old.oid[i], OID_RAWSZ);
			memcpy(c->sets + j * c->setsize,
			       old.sets + i * c->setsize, c->setsize);
		}
	free(old.used);
	free(old.oid);
	free(old.sets);
}

int blobkw_get(struct blobkw *c, const unsigned char *oid,
	       unsigned char *set)
{
	int found = 0;

	pthread_mutex_lock(&c->lock);
	if (c->n) {
		size_t i = find_slot(c, oid);

		if (c->used[i]) {
			memcpy(set, c->sets + i * c->setsize, c->setsize);
			found = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

void blobkw_put(struct blobkw *c, const unsigned char *oid,
		const unsigned char *set)
{
	size_t i;

	pthread_mutex_lock(&c->lock);
	if (c->n >= c->max)
		goto out;
	/* at most half full, so that probes stay short */
	if ((c->n + 1) * 2 > c->cap)
		grow(c);
	i = find_slot(c, oid);
	if (!c->used[i]) {
		c->used[i] = 1;
		memcpy(c->oid[i], oid, OID_RAWSZ);
		memcpy(c->sets + i * c->setsize, set, c->setsize);
		c->n++;
	}
out:
	pthread_mutex_unlock(&c->lock);
}
