/* pack.c: see pack.h. */
#include "config.h"
#include "pack.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>
#include <libdeflate.h>
#include <zlib.h>

#include "buf.h"
#include "dirlist.h"
#include "msg.h"

/* Pack entry types (git's pack format). */
enum {
	PK_COMMIT = 1,
	PK_TREE = 2,
	PK_BLOB = 3,
	PK_TAG = 4,
	PK_OFS_DELTA = 6,
	PK_REF_DELTA = 7
};

#define OIDSZ 20
/* git writes chains of at most 4095 deltas; a longer one is a loop. */
#define MAX_CHAIN 4096
#define BUCKETS 4096
/* Priority above libgit2's loose (1) and packed (2) backends. */
#define PACK_PRIORITY 3

struct packfile {
	char *name;			/* "pack-<id>.pack", for messages */
	int fd;
	uint64_t dev, ino;		/* of the .pack file */
	uint64_t size;			/* of the .pack file */
	unsigned char *idx;		/* the mapped .idx file */
	size_t idx_len;
	uint32_t nobj;
	const unsigned char *fanout;	/* 256 big-endian counts */
	const unsigned char *oids;	/* nobj sorted ids */
	const unsigned char *off32;	/* nobj big-endian offsets */
	const unsigned char *off64;	/* the large offsets */
	size_t n64;
};

/* Where an entry lies: in which pack file (any backend's copy of it),
 * at which offset. */
struct base_key {
	uint64_t dev, ino, off;
};

/* A resolved delta base. */
struct base {
	struct base *chain;		/* next in its bucket */
	struct base *newer, *older;	/* the use order */
	struct base_key key;
	int type;
	int listed;			/* in the cache, not evicted */
	unsigned readers;		/* reading data outside the lock */
	size_t len;
	unsigned char *data;
};

struct pack_backend {
	git_odb_backend parent;
	pthread_mutex_t lock;
	struct packfile *packs;
	size_t npacks;
	struct pack_cache *cache;
	int own_packs;			/* packs are not the cache's */
	struct libdeflate_decompressor *dd;
	z_stream z;
	int z_ready;
	unsigned char *in;		/* compressed bytes read */
	size_t in_alloc;
};

/* Where an entry is and what its header says. */
struct entry {
	size_t pack;
	uint64_t off;
	int type;
	size_t size;			/* inflated size of its data */
	uint64_t data_off;		/* where its zlib stream starts */
	uint64_t base_off;		/* PK_OFS_DELTA */
	unsigned char base_oid[OIDSZ];	/* PK_REF_DELTA */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- pack files ------------------------------------------------- */

static void packfile_close(struct packfile *p)
{
	if (p->idx)
		munmap(p->idx, p->idx_len);
	if (p->fd >= 0)
		close(p->fd);
	free(p->name);
	p->name = NULL;
	p->idx = NULL;
	p->fd = -1;
}

/* Maps a version 2 index and opens its pack; 0, or -1 when either is
 * missing or not what it should be (the pack is then left to libgit2). */
static int packfile_open(struct packfile *p, const char *idx_path)
{
	size_t plen = strlen(idx_path);
	char *pack_path = NULL;
	unsigned char hdr[12];
	struct stat st;
	int fd = -1;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	fd = open(idx_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 ||
	    st.st_size < 8 + 256 * 4 + 2 * OIDSZ)
		goto fail;
	p->idx_len = (size_t)st.st_size;
	p->idx = mmap(NULL, p->idx_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	fd = -1;
	if (p->idx == MAP_FAILED) {
		p->idx = NULL;
		goto fail;
	}
	if (memcmp(p->idx, "\377tOc", 4) || be32(p->idx + 4) != 2)
		goto fail;
	p->fanout = p->idx + 8;
	for (i = 1; i < 256; i++)
		if (be32(p->fanout + 4 * i) < be32(p->fanout + 4 * (i - 1)))
			goto fail;
	p->nobj = be32(p->fanout + 4 * 255);
	if ((p->idx_len - 8 - 1024 - 2 * OIDSZ) / 28 < p->nobj)
		goto fail;
	p->oids = p->fanout + 1024;
	p->off32 = p->oids + (size_t)p->nobj * (OIDSZ + 4);
	p->off64 = p->off32 + (size_t)p->nobj * 4;
	p->n64 = (p->idx_len - 2 * OIDSZ -
		  (size_t)(p->off64 - p->idx)) / 8;

	pack_path = xmalloc(plen + 2);
	memcpy(pack_path, idx_path, plen - 4);
	memcpy(pack_path + plen - 4, ".pack", 6);
	p->fd = open(pack_path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0 || fstat(p->fd, &st) < 0 ||
	    st.st_size < 12 + OIDSZ ||
	    pread(p->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    memcmp(hdr, "PACK", 4) ||
	    (be32(hdr + 4) != 2 && be32(hdr + 4) != 3) ||
	    be32(hdr + 8) != p->nobj)
		goto fail;
	p->size = (uint64_t)st.st_size;
	p->dev = (uint64_t)st.st_dev;
	p->ino = (uint64_t)st.st_ino;
	p->name = xstrdup(strrchr(pack_path, '/') ? strrchr(pack_path, '/') + 1
						  : pack_path);
	free(pack_path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(pack_path);
	packfile_close(p);
	return -1;
}

/* The offset of id in p, or 0 when p does not hold it. */
static uint64_t packfile_find(const struct packfile *p,
			      const unsigned char *id)
{
	uint32_t lo = id[0] ? be32(p->fanout + 4 * (id[0] - 1)) : 0;
	uint32_t hi = be32(p->fanout + 4 * id[0]);
	uint32_t off;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(p->oids + (size_t)mid * OIDSZ, id, OIDSZ);

		if (!c) {
			off = be32(p->off32 + (size_t)mid * 4);
			if (!(off & 0x80000000u))
				return off;
			off &= 0x7fffffffu;
			if (off >= p->n64)
				return 0;
			return (uint64_t)be32(p->off64 + (size_t)off * 8) << 32 |
			       be32(p->off64 + (size_t)off * 8 + 4);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int find_object(const struct pack_backend *pb,
		       const unsigned char *id, size_t *pack, uint64_t *off)
{
	size_t i;

	for (i = 0; i < pb->npacks; i++) {
		*off = packfile_find(&pb->packs[i], id);
		if (*off) {
			*pack = i;
			return 1;
		}
	}
	return 0;
}

/* Any "*.idx", as git and libgit2 take them: "pack-<id>.idx" is what git
 * writes, but packs made by other tools may be named otherwise. */
static int is_pack_index(const char *name)
{
	size_t l = strlen(name);

	return l > 4 && name[0] != '.' && !strcmp(name + l - 4, ".idx");
}

/* Opens the pack files under objects_dir/pack, in name order (which
 * pack answers must not vary from run to run); how many opened. */
static size_t load_packs(const char *objects_dir, struct packfile **packs)
{
	struct buf dir = BUF_INIT;
	char **names;
	size_t nnames, palloc = 0, n = 0, i;

	*packs = NULL;
	buf_addf(&dir, "%s/pack", objects_dir);
	if (dirlist(dir.ptr, is_pack_index, &names, &nnames) < 0)
		nnames = 0;
	for (i = 0; i < nnames; i++) {
		struct buf path = BUF_INIT;

		ALLOC_GROW(*packs, n + 1, palloc);
		buf_addf(&path, "%s/%s", dir.ptr, names[i]);
		if (packfile_open(&(*packs)[n], path.ptr) == 0)
			n++;
		buf_release(&path);
	}
	dirlist_free(names, nnames);
	buf_release(&dir);
	return n;
}

static void free_packs(struct packfile *packs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		packfile_close(&packs[i]);
	free(packs);
}

/* Reads the header of the entry at e->pack, e->off; 0 or -1. */
static int read_entry(struct pack_backend *pb, struct entry *e)
{
	const struct packfile *p = &pb->packs[e->pack];
	unsigned char h[64];
	ssize_t got;
	size_t i = 0, shift = 4;
	uint64_t size;
	unsigned c;

	if (e->off < 12 || e->off >= p->size - OIDSZ)
		return -1;
	got = pread(p->fd, h, sizeof(h), (off_t)e->off);
	if (got < 2)
		return -1;
	c = h[i++];
	e->type = (c >> 4) & 7;
	size = c & 15;
	while (c & 0x80) {
		if (i >= (size_t)got || shift > 57)
			return -1;
		c = h[i++];
		size += (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (size > SIZE_MAX - 1)
		return -1;
	e->size = (size_t)size;
	if (e->type == PK_OFS_DELTA) {
		uint64_t rel;

		if (i >= (size_t)got)
			return -1;
		c = h[i++];
		rel = c & 0x7f;
		while (c & 0x80) {
			if (i >= (size_t)got || rel >> 56)
				return -1;
			c = h[i++];
			rel = ((rel + 1) << 7) | (c & 0x7f);
		}
		if (!rel || rel > e->off)
			return -1;
		e->base_off = e->off - rel;
	} else if (e->type == PK_REF_DELTA) {
		if (i + OIDSZ > (size_t)got)
			return -1;
		memcpy(e->base_oid, h + i, OIDSZ);
		i += OIDSZ;
	} else if (e->type < PK_COMMIT || e->type > PK_TAG) {
		return -1;
	}
	e->data_off = e->off + i;
	return 0;
}

/* The entry holding e's base; 0, 1 when a REF_DELTA's base is in no
 * pack of ours, or -1. */
static int base_entry(struct pack_backend *pb, const struct entry *e,
		      struct entry *b)
{
	memset(b, 0, sizeof(*b));
	b->pack = e->pack;
	if (e->type == PK_OFS_DELTA)
		b->off = e->base_off;
	else if (!find_object(pb, e->base_oid, &b->pack, &b->off))
		return 1;
	return read_entry(pb, b);
}

/* Room for room bytes, kept between reads. */
static unsigned char *input_buffer(struct pack_backend *pb, size_t room)
{
	if (room > pb->in_alloc) {
		free(pb->in);
		pb->in_alloc = room < 65536 ? 65536 : room;
		pb->in = xmalloc(pb->in_alloc);
	}
	return pb->in;
}

/*
 * Inflates the zlib stream at e->data_off into out, which has room for
 * e->size bytes and one more; 0 when it held exactly e->size bytes.
 * With partial, stops once out is full (a delta's header).  zlib, read
 * in chunks: for what inflate_entry() cannot do.
 */
static int inflate_stream(struct pack_backend *pb, const struct entry *e,
			 unsigned char *out, size_t room, int partial)
{
	const struct packfile *p = &pb->packs[e->pack];
	uint64_t pos = e->data_off, end = p->size - OIDSZ;
	size_t chunk = partial ? 0 : e->size / 4 + 64;
	int zr;

	if (!pb->z_ready) {
		memset(&pb->z, 0, sizeof(pb->z));
		if (inflateInit(&pb->z) != Z_OK)
			return -1;
		pb->z_ready = 1;
	} else if (inflateReset(&pb->z) != Z_OK) {
		return -1;
	}
	pb->z.next_out = out;
	pb->z.avail_out = (uInt)room;
	if (room != pb->z.avail_out)
		return -1;	/* over 4 GiB: zlib counts in 32 bits */
	pb->z.avail_in = 0;
	for (;;) {
		if (!pb->z.avail_in) {
			ssize_t got;

			if (pos >= end)
				return -1;
			if (chunk < 4096)
				chunk = 4096;
			if (chunk > ((size_t)1 << 20))
				chunk = (size_t)1 << 20;
			if (chunk > end - pos)
				chunk = (size_t)(end - pos);
			got = pread(p->fd, input_buffer(pb, chunk), chunk,
				    (off_t)pos);
			if (got <= 0)
				return -1;
			pos += (uint64_t)got;
			pb->z.next_in = pb->in;
			pb->z.avail_in = (uInt)got;
			chunk *= 2;
		}
		zr = inflate(&pb->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (partial && !pb->z.avail_out)
			return 0;
		if (zr == Z_BUF_ERROR && pb->z.avail_in)
			return -1;	/* more than it said */
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return -1;
	}
	return pb->z.total_out == e->size ? 0 : -1;
}

/*
 * Inflates the entry's data (e->size bytes) into out, in one call to
 * libdeflate, which inflates two to three times as fast as zlib.  It
 * wants the whole stream at once, and the index does not say where an
 * entry ends; no deflate stream of n bytes is longer than n + n/8 + n/64
 * + 11 (zlib's bound for any settings), so that much is read, or up to
 * the end of the pack.  A stream libdeflate rejects is tried with zlib
 * before it counts as damaged.
 */
static int inflate_entry(struct pack_backend *pb, const struct entry *e,
			 unsigned char *out)
{
	const struct packfile *p = &pb->packs[e->pack];
	uint64_t end = p->size - OIDSZ;
	size_t want = e->size + (e->size >> 3) + (e->size >> 6) + 64;
	size_t got_out;
	ssize_t got;

	if (e->data_off >= end)
		return -1;
	if (want > end - e->data_off)
		want = (size_t)(end - e->data_off);
	got = pread(p->fd, input_buffer(pb, want), want, (off_t)e->data_off);
	if (got > 0 &&
	    libdeflate_zlib_decompress_ex(pb->dd, pb->in, (size_t)got, out,
					  e->size, NULL, &got_out) ==
		    LIBDEFLATE_SUCCESS &&
	    got_out == e->size)
		return 0;
	return inflate_stream(pb, e, out, e->size + 1, 0);
}

/* ---- deltas ----------------------------------------------------- */

static int delta_varint(const unsigned char **p, const unsigned char *end,
			size_t *v)
{
	size_t r = 0;
	unsigned shift = 0, c;

	do {
		if (*p >= end || shift > 56)
			return -1;
		c = *(*p)++;
		r |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*v = r;
	return 0;
}

/* The base and result sizes a delta starts with; 0 or -1. */
static int delta_sizes(const unsigned char **p, const unsigned char *end,
		       size_t *base_len, size_t *result_len)
{
	if (delta_varint(p, end, base_len) < 0 ||
	    delta_varint(p, end, result_len) < 0 ||
	    *result_len > SIZE_MAX - 1)
		return -1;
	return 0;
}

/* Applies the delta ops at p..end to base, writing exactly len bytes to
 * out; 0 or -1. */
static int delta_apply(const unsigned char *p, const unsigned char *end,
		       const unsigned char *base, size_t base_len,
		       unsigned char *out, size_t len)
{
	size_t o = 0;

	while (p < end) {
		unsigned op = *p++;

		if (op & 0x80) {
			size_t off = 0, n = 0;
			unsigned bit;

			for (bit = 0; bit < 4; bit++)
				if (op & (1u << bit)) {
					if (p >= end)
						return -1;
					off |= (size_t)*p++ << (8 * bit);
				}
			for (bit = 0; bit < 3; bit++)
				if (op & (0x10u << bit)) {
					if (p >= end)
						return -1;
					n |= (size_t)*p++ << (8 * bit);
				}
			if (!n)
				n = 0x10000;
			if (off > base_len || n > base_len - off ||
			    n > len - o)
				return -1;
			memcpy(out + o, base + off, n);
			o += n;
		} else if (op) {
			if (op > (size_t)(end - p) || op > len - o)
				return -1;
			memcpy(out + o, p, op);
			p += op;
			o += op;
		} else {
			return -1;
		}
	}
	return o == len ? 0 : -1;
}

/* ---- the delta-base cache --------------------------------------- */

struct pack_cache {
	pthread_mutex_t lock;
	unsigned refs;			/* its creator and each backend */
	size_t max_bytes, bytes;
	/* the pack files of the repository its readers read, opened by
	 * the first of them */
	char *packs_dir;
	struct packfile *packs;
	size_t npacks;
	struct base *bucket[BUCKETS];
	struct base *newest, *oldest;
};

struct pack_cache *pack_cache_new(size_t max_bytes)
{
	struct pack_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	c->refs = 1;
	c->max_bytes = max_bytes;
	return c;
}

static void base_free(struct base *b)
{
	free(b->data);
	free(b);
}

static size_t bucket_of(const struct base_key *k)
{
	uint64_t h = (k->off ^ ((uint64_t)k->ino << 32) ^ (uint64_t)k->dev) *
		     0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 52) % BUCKETS;
}

static int same_key(const struct base_key *a, const struct base_key *b)
{
	return a->off == b->off && a->ino == b->ino && a->dev == b->dev;
}

static void lru_unlink(struct pack_cache *c, struct base *b)
{
	if (b->newer)
		b->newer->older = b->older;
	else
		c->newest = b->older;
	if (b->older)
		b->older->newer = b->newer;
	else
		c->oldest = b->newer;
	b->newer = b->older = NULL;
}

static void lru_push(struct pack_cache *c, struct base *b)
{
	b->older = c->newest;
	b->newer = NULL;
	if (c->newest)
		c->newest->newer = b;
	c->newest = b;
	if (!c->oldest)
		c->oldest = b;
}

/* The base at k, now the most recently used; with the lock held. */
static struct base *lookup(struct pack_cache *c, const struct base_key *k)
{
	struct base *b;

	for (b = c->bucket[bucket_of(k)]; b; b = b->chain)
		if (same_key(&b->key, k)) {
			lru_unlink(c, b);
			lru_push(c, b);
			return b;
		}
	return NULL;
}

/* Takes b out of the cache; it is freed once no reader holds it. */
static void evict(struct pack_cache *c, struct base *b)
{
	struct base **pp = &c->bucket[bucket_of(&b->key)];

	while (*pp != b)
		pp = &(*pp)->chain;
	*pp = b->chain;
	lru_unlink(c, b);
	c->bytes -= b->len;
	b->listed = 0;
	if (!b->readers)
		base_free(b);
}

/* The base at k, held for reading until cache_done(), or NULL. */
static struct base *cache_hold(struct pack_cache *c, const struct base_key *k)
{
	struct base *b;

	pthread_mutex_lock(&c->lock);
	b = lookup(c, k);
	if (b)
		b->readers++;
	pthread_mutex_unlock(&c->lock);
	return b;
}

static void cache_done(struct pack_cache *c, struct base *b)
{
	pthread_mutex_lock(&c->lock);
	if (!--b->readers && !b->listed)
		base_free(b);
	pthread_mutex_unlock(&c->lock);
}

/* The type of the object at k when the cache has it: 1, else 0. */
static int cache_type(struct pack_cache *c, const struct base_key *k,
		      int *type)
{
	struct base *b;

	pthread_mutex_lock(&c->lock);
	b = lookup(c, k);
	if (b)
		*type = b->type;
	pthread_mutex_unlock(&c->lock);
	return b != NULL;
}

/* Keeps data (malloc'd, len bytes) as the base at k: 1 when the cache
 * took it, 0 when it is too large or already there (the caller still
 * owns it). */
static int cache_keep(struct pack_cache *c, const struct base_key *k,
		      int type, unsigned char *data, size_t len)
{
	struct base *b = NULL;
	size_t i;

	if (len > c->max_bytes / 4)
		return 0;
	pthread_mutex_lock(&c->lock);
	if (lookup(c, k))
		goto out;
	while (c->oldest && c->bytes + len > c->max_bytes)
		evict(c, c->oldest);
	b = xcalloc(1, sizeof(*b));
	b->key = *k;
	b->type = type;
	b->data = data;
	b->len = len;
	b->listed = 1;
	i = bucket_of(k);
	b->chain = c->bucket[i];
	c->bucket[i] = b;
	lru_push(c, b);
	c->bytes += len;
out:
	pthread_mutex_unlock(&c->lock);
	return b != NULL;
}

static struct pack_cache *cache_ref(struct pack_cache *c)
{
	pthread_mutex_lock(&c->lock);
	c->refs++;
	pthread_mutex_unlock(&c->lock);
	return c;
}

void pack_cache_free(struct pack_cache *c)
{
	unsigned left;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	left = --c->refs;
	pthread_mutex_unlock(&c->lock);
	if (left)
		return;
	while (c->oldest)
		evict(c, c->oldest);
	free_packs(c->packs, c->npacks);
	free(c->packs_dir);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- reading objects -------------------------------------------- */

/* Where a result goes: the object libgit2 asked for, or a base. */
static unsigned char *new_buffer(struct pack_backend *pb, size_t len,
				 int final)
{
	unsigned char *p = final
		? git_odb_backend_data_alloc(&pb->parent, len + 1)
		: malloc(len + 1);

	if (p)
		p[len] = '\0';
	return p;
}

static void free_buffer(struct pack_backend *pb, unsigned char *p,
			int final)
{
	if (final)
		git_odb_backend_data_free(&pb->parent, p);
	else
		free(p);
}

static struct base_key key_of(const struct pack_backend *pb,
			      const struct entry *e)
{
	struct base_key k;

	k.dev = pb->packs[e->pack].dev;
	k.ino = pb->packs[e->pack].ino;
	k.off = e->off;
	return k;
}

/*
 * Reads the object whose entry is first: walks down its delta chain to
 * a base the cache holds or a whole object, then applies the deltas back
 * up, giving the cache each base it made on the way.  0 with *out (from
 * git_odb_backend_data_alloc), 1 when a base is not in our packs, -1
 * when the pack does not read as it should.
 */
static int read_object(struct pack_backend *pb, const struct entry *first,
		       unsigned char **out, size_t *out_len, int *out_type)
{
	struct entry *chain = NULL;
	size_t n = 0, alloc = 0;
	struct base *held = NULL;
	unsigned char *data = NULL, *delta = NULL;
	size_t len = 0;
	int type = 0, rc = -1;

	ALLOC_GROW(chain, n + 1, alloc);
	chain[n++] = *first;
	for (;;) {
		struct entry *e = &chain[n - 1];
		struct base_key k = key_of(pb, e);

		held = cache_hold(pb->cache, &k);
		if (held)
			break;
		if (e->type != PK_OFS_DELTA && e->type != PK_REF_DELTA)
			break;
		if (n >= MAX_CHAIN)
			goto out;
		ALLOC_GROW(chain, n + 1, alloc);
		e = &chain[n - 1];
		rc = base_entry(pb, e, &chain[n]);
		if (rc)
			goto out;
		rc = -1;
		n++;
	}

	/* the bottom of the chain: a cached base or a whole object */
	n--;
	if (held) {
		type = held->type;
		len = held->len;
		data = held->data;
		if (!n) {
			data = new_buffer(pb, len, 1);
			if (!data)
				goto out;
			memcpy(data, held->data, len);
			cache_done(pb->cache, held);
			held = NULL;
		}
	} else {
		type = chain[n].type;
		len = chain[n].size;
		data = new_buffer(pb, len, !n);
		if (!data || inflate_entry(pb, &chain[n], data) < 0)
			goto out;
	}

	/* back up: each delta turns the base below it into its object */
	while (n > 0) {
		const struct entry *d = &chain[n - 1];
		const unsigned char *p, *end;
		size_t base_len, result_len;
		unsigned char *result;
		struct base_key k;

		delta = malloc(d->size + 1);
		if (!delta || inflate_entry(pb, d, delta) < 0)
			goto out;
		p = delta;
		end = delta + d->size;
		if (delta_sizes(&p, end, &base_len, &result_len) < 0 ||
		    base_len != len)
			goto out;
		result = new_buffer(pb, result_len, n == 1);
		if (!result)
			goto out;
		if (delta_apply(p, end, data, len, result, result_len) < 0) {
			free_buffer(pb, result, n == 1);
			goto out;
		}
		free(delta);
		delta = NULL;
		/* the base just used is worth keeping: the next version of
		 * the file is read through it */
		k = key_of(pb, &chain[n]);
		if (held) {
			cache_done(pb->cache, held);
			held = NULL;
		} else if (!cache_keep(pb->cache, &k, type, data, len)) {
			free(data);
		}
		data = result;
		len = result_len;
		n--;
	}
	*out = data;
	*out_len = len;
	*out_type = type;
	data = NULL;
	rc = 0;
out:
	if (held)
		cache_done(pb->cache, held);
	else if (data)
		free_buffer(pb, data, n == 0);
	free(delta);
	free(chain);
	return rc;
}

/* The size and type of the entry's object, without resolving it. */
static int read_object_header(struct pack_backend *pb,
			      const struct entry *first, size_t *len,
			      int *type)
{
	struct entry e = *first, b;
	unsigned char head[32];
	const unsigned char *p = head;
	size_t room, base_len, n = 0;
	int rc;

	if (e.type != PK_OFS_DELTA && e.type != PK_REF_DELTA) {
		*len = e.size;
		*type = e.type;
		return 0;
	}
	/* a delta starts with its base's size and its result's */
	room = e.size < sizeof(head) ? e.size : sizeof(head);
	if (inflate_stream(pb, &e, head, room, 1) < 0 ||
	    delta_sizes(&p, head + room, &base_len, len) < 0)
		return -1;
	while (e.type == PK_OFS_DELTA || e.type == PK_REF_DELTA) {
		struct base_key k = key_of(pb, &e);

		if (cache_type(pb->cache, &k, type))
			return 0;
		if (++n >= MAX_CHAIN)
			return -1;
		rc = base_entry(pb, &e, &b);
		if (rc)
			return rc;
		e = b;
	}
	*type = e.type;
	return 0;
}

static git_object_t object_type(int type)
{
	switch (type) {
	case PK_COMMIT:
		return GIT_OBJECT_COMMIT;
	case PK_TREE:
		return GIT_OBJECT_TREE;
	case PK_BLOB:
		return GIT_OBJECT_BLOB;
	default:
		return GIT_OBJECT_TAG;
	}
}

/*
 * libgit2 goes on to its own backends after GIT_ENOTFOUND (not in our
 * packs) and GIT_PASSTHROUGH (a delta whose base is not in them).  An
 * object our packs hold but that does not read is damaged: the error
 * says where, and libgit2 does not read the pack again (its own reader,
 * on a damaged object read by two threads at once, leaks the buffer).
 */
static int damaged(const struct pack_backend *pb, const struct entry *e)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "damaged object at offset %llu of %s",
		 (unsigned long long)e->off, pb->packs[e->pack].name);
	git_error_set_str(GIT_ERROR_ODB, msg);
	return GIT_ERROR;
}

/* The entry of id: 0, GIT_ENOTFOUND when our packs do not hold it, or
 * the error of a damaged one. */
static int find_entry(struct pack_backend *pb, const git_oid *id,
		      struct entry *e)
{
	memset(e, 0, sizeof(*e));
	if (!find_object(pb, id->id, &e->pack, &e->off))
		return GIT_ENOTFOUND;
	return read_entry(pb, e) < 0 ? damaged(pb, e) : 0;
}

/* What libgit2 is told of a read that returned rc (read_object()). */
static int outcome(const struct pack_backend *pb, const struct entry *e,
		   int rc)
{
	if (rc < 0)
		return damaged(pb, e);
	return rc ? GIT_PASSTHROUGH : 0;
}

static int backend_read(void **data, size_t *len, git_object_t *type,
			git_odb_backend *backend, const git_oid *id)
{
	struct pack_backend *pb = (struct pack_backend *)backend;
	struct entry e;
	unsigned char *out;
	int t, rc;

	pthread_mutex_lock(&pb->lock);
	rc = find_entry(pb, id, &e);
	if (!rc)
		rc = outcome(pb, &e, read_object(pb, &e, &out, len, &t));
	if (!rc) {
		*data = out;
		*type = object_type(t);
	}
	pthread_mutex_unlock(&pb->lock);
	return rc;
}

static int backend_read_header(size_t *len, git_object_t *type,
			       git_odb_backend *backend, const git_oid *id)
{
	struct pack_backend *pb = (struct pack_backend *)backend;
	struct entry e;
	int t, rc;

	pthread_mutex_lock(&pb->lock);
	rc = find_entry(pb, id, &e);
	if (!rc)
		rc = outcome(pb, &e, read_object_header(pb, &e, len, &t));
	if (!rc)
		*type = object_type(t);
	pthread_mutex_unlock(&pb->lock);
	return rc;
}

static int backend_exists(git_odb_backend *backend, const git_oid *id)
{
	struct pack_backend *pb = (struct pack_backend *)backend;
	size_t pack;
	uint64_t off;

	return find_object(pb, id->id, &pack, &off);
}

static void backend_free(git_odb_backend *backend)
{
	struct pack_backend *pb = (struct pack_backend *)backend;

	if (pb->own_packs)
		free_packs(pb->packs, pb->npacks);
	pack_cache_free(pb->cache);
	if (pb->z_ready)
		inflateEnd(&pb->z);
	libdeflate_free_decompressor(pb->dd);
	free(pb->in);
	pthread_mutex_destroy(&pb->lock);
	free(pb);
}

git_odb_backend *pack_backend_new(const char *objects_dir,
				  struct pack_cache *cache)
{
	struct pack_backend *pb = xcalloc(1, sizeof(*pb));

	/*
	 * The readers of one cache share its repository's pack files: one
	 * descriptor and one mapped index each, however many workers read.
	 * Another repository's backend opens its own.
	 */
	pthread_mutex_lock(&cache->lock);
	if (!cache->packs_dir) {
		cache->packs_dir = xstrdup(objects_dir);
		cache->npacks = load_packs(objects_dir, &cache->packs);
	}
	if (!strcmp(cache->packs_dir, objects_dir)) {
		pb->packs = cache->packs;
		pb->npacks = cache->npacks;
	}
	pthread_mutex_unlock(&cache->lock);
	if (!pb->packs) {
		pb->npacks = load_packs(objects_dir, &pb->packs);
		pb->own_packs = 1;
	}
	if (!pb->npacks) {
		if (pb->own_packs)
			free_packs(pb->packs, pb->npacks);
		free(pb);
		return NULL;
	}
	pb->dd = libdeflate_alloc_decompressor();
	if (!pb->dd)
		die("out of memory");
	pthread_mutex_init(&pb->lock, NULL);
	pb->cache = cache_ref(cache);
	git_odb_init_backend(&pb->parent, GIT_ODB_BACKEND_VERSION);
	pb->parent.read = backend_read;
	pb->parent.read_header = backend_read_header;
	pb->parent.exists = backend_exists;
	pb->parent.free = backend_free;
	return &pb->parent;
}

void pack_version(struct buf *out)
{
	buf_addf(out, "libdeflate %s", LIBDEFLATE_VERSION_STRING);
}

int pack_attach(git_repository *repo, struct pack_cache *cache)
{
	struct buf dir = BUF_INIT;
	git_odb_backend *b;
	git_odb *odb = NULL;
	int rc = 0;

	buf_addf(&dir, "%sobjects", git_repository_commondir(repo));
	b = pack_backend_new(dir.ptr, cache);
	if (!b)
		goto out;
	if (git_repository_odb(&odb, repo) < 0 ||
	    git_odb_add_backend(odb, b, PACK_PRIORITY) < 0) {
		b->free(b);
		rc = -1;
	}
	git_odb_free(odb);
out:
	buf_release(&dir);
	return rc;
}
