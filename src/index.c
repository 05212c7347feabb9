/*
 * index.c: the LMDB index (layout in index.h).  This file owns the schema,
 * the record encoding and every LMDB call; what goes into a commit record
 * is decided by the scanner, what comes out is formatted by query/report.
 *
 * Records are sequences of LEB128 varints and length-prefixed byte strings
 * (a NULL string is stored as length 0 with the "null" bit of a flags
 * varint set where a field may be NULL).  Each record starts with its own
 * format version so that a later mirrorscan can read an older record.
 */
#include "config.h"
#include "index.h"
#include "arena.h"
#include "buf.h"
#include "esc.h"
#include "msg.h"
#include "prs.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define INDEX_MAGIC "mirrorscan-index"
/* Version 1 is plain; version 2 deflates what follows the flags (a large
 * record's paths and lines shrink about four times, so most records fit
 * a leaf page instead of overflow pages).  Both are read. */
#define COMMIT_RECORD_VERSION 1
#define COMMIT_RECORD_DEFLATED 2
/* Smaller records are stored plain: there is little to gain. */
#define DEFLATE_MIN 256
/* An inflated record larger than this is corrupt, not real. */
#define INFLATE_MAX ((uint64_t)256 << 20)
#define REPO_RECORD_VERSION 1
#define PR_RECORD_VERSION 1
#define PR_PASS_RECORD_VERSION 2
/* The map starts at 256 MiB and doubles on MDB_MAP_FULL: the data file
 * only grows as pages are used, so a generous map costs nothing. */
#define INITIAL_MAP ((size_t)256 << 20)

struct index {
	MDB_env *env;
	MDB_dbi meta, repos, refs, commits, bytime, bytag;
	/* pull requests: absent (has_prs 0) in an index that no scan of
	 * this version has written yet, which then simply holds none */
	MDB_dbi prs, bypr, ondefault, prcommits;
	int has_prs;
	char *path;
	int lockfd;
	int writable;
	size_t mapsize;
};

struct index_txn {
	struct index *idx;
	MDB_txn *txn;
	int write;
};

static int lmdb_error(const struct index *idx, const char *what, int rc)
{
	return error("%s: %s: %s", idx ? idx->path : "index", what,
		     mdb_strerror(rc));
}

void index_version(struct buf *out)
{
	int major, minor, patch;

	mdb_version(&major, &minor, &patch);
	buf_addf(out, "LMDB %d.%d.%d", major, minor, patch);
}

const char *index_path(const struct index *idx)
{
	return idx->path;
}

/* ---- encoding ---------------------------------------------------- */

static void put_uv(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	buf_add(b, tmp, n);
}

static void put_sv(struct buf *b, int64_t v)
{
	put_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_uv(b, n);
	buf_add(b, s, n);
}

struct reader {
	const unsigned char *p, *end;
	int bad;
};

static uint64_t get_uv(struct reader *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end && shift < 64) {
		unsigned char c = *r->p++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		shift += 7;
	}
	r->bad = 1;
	return 0;
}

static int64_t get_sv(struct reader *r)
{
	uint64_t u = get_uv(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static const char *get_str(struct reader *r, struct arena *a)
{
	uint64_t n = get_uv(r);

	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = 1;
		return "";
	}
	r->p += n;
	return arena_strndup(a, (const char *)r->p - n, (size_t)n);
}

/* What follows the version and the flags. */
static void encode_commit_body(struct buf *b, const struct commit *c)
{
	uint32_t i;
	unsigned nulls = (c->ref ? 0 : 1);

	put_uv(b, nulls);
	put_sv(b, c->time);
	put_sv(b, c->author_time);
	put_uv(b, c->pr);
	put_uv(b, c->nparents);
	put_str(b, c->author);
	put_str(b, c->email);
	put_str(b, c->subject);
	put_str(b, c->body);
	put_str(b, c->ref);
	put_uv(b, c->nfiles_total);
	put_uv(b, c->nfiles);
	for (i = 0; i < c->nfiles; i++) {
		const struct file_change *f = &c->files[i];

		put_uv(b, f->status);
		put_uv(b, f->flags | (f->old_path ? 0x100 : 0));
		put_uv(b, f->added);
		put_uv(b, f->removed);
		put_str(b, f->path);
		if (f->old_path)
			put_str(b, f->old_path);
	}
	put_uv(b, c->nmatches);
	for (i = 0; i < c->nmatches; i++) {
		const struct match *m = &c->matches[i];

		put_uv(b, m->side | (m->path ? 0x100 : 0));
		put_uv(b, m->line);
		put_str(b, m->rule);
		put_str(b, m->tags);
		if (m->path)
			put_str(b, m->path);
		put_str(b, m->text);
	}
	put_uv(b, c->ntags);
	for (i = 0; i < c->ntags; i++)
		put_str(b, c->tags[i]);
}

/* The flags stay outside the deflated part: index_commit_flags() reads
 * them without inflating. */
static void encode_commit(struct buf *b, const struct commit *c)
{
	struct buf body = BUF_INIT;
	size_t start = b->len;
	uLongf zlen;

	encode_commit_body(&body, c);
	if (body.len >= DEFLATE_MIN) {
		size_t head;

		put_uv(b, COMMIT_RECORD_DEFLATED);
		put_uv(b, c->flags);
		put_uv(b, body.len);
		head = b->len;
		zlen = compressBound((uLong)body.len);
		buf_grow(b, zlen);
		if (compress2((Bytef *)b->ptr + head, &zlen,
			      (const Bytef *)body.ptr, (uLong)body.len,
			      Z_BEST_SPEED) == Z_OK && zlen < body.len) {
			b->len = head + zlen;
			b->ptr[b->len] = '\0';
			goto out;
		}
		b->len = start;	/* incompressible: plain */
		b->ptr[b->len] = '\0';
	}
	put_uv(b, COMMIT_RECORD_VERSION);
	put_uv(b, c->flags);
	buf_add(b, body.ptr, body.len);
out:
	buf_release(&body);
}

/* Bounds a count read from a record by what the record could hold. */
static uint32_t get_count(struct reader *r, size_t min_item)
{
	uint64_t n = get_uv(r);

	if (n > (uint64_t)(r->end - r->p) / min_item) {
		r->bad = 1;
		return 0;
	}
	return (uint32_t)n;
}

static int decode_commit_body(const void *data, size_t len, struct arena *a,
			      struct commit *c)
{
	struct reader r = { data, (const unsigned char *)data + len, 0 };
	unsigned nulls;
	uint32_t i;

	nulls = (unsigned)get_uv(&r);
	c->time = get_sv(&r);
	c->author_time = get_sv(&r);
	c->pr = (uint32_t)get_uv(&r);
	c->nparents = (uint32_t)get_uv(&r);
	c->author = get_str(&r, a);
	c->email = get_str(&r, a);
	c->subject = get_str(&r, a);
	c->body = get_str(&r, a);
	c->ref = get_str(&r, a);
	if (nulls & 1)
		c->ref = NULL;
	c->nfiles_total = (uint32_t)get_uv(&r);
	c->nfiles = get_count(&r, 5);
	c->files = arena_calloc(a, c->nfiles, sizeof(*c->files));
	for (i = 0; i < c->nfiles && !r.bad; i++) {
		struct file_change *f = &c->files[i];
		unsigned fl;

		f->status = (unsigned)get_uv(&r);
		fl = (unsigned)get_uv(&r);
		f->flags = fl & 0xff;
		f->added = (uint32_t)get_uv(&r);
		f->removed = (uint32_t)get_uv(&r);
		f->path = get_str(&r, a);
		f->old_path = (fl & 0x100) ? get_str(&r, a) : NULL;
	}
	c->nmatches = get_count(&r, 5);
	c->matches = arena_calloc(a, c->nmatches, sizeof(*c->matches));
	for (i = 0; i < c->nmatches && !r.bad; i++) {
		struct match *m = &c->matches[i];
		unsigned side = (unsigned)get_uv(&r);

		m->side = (enum rule_side)(side & 0xff);
		m->line = (uint32_t)get_uv(&r);
		m->rule = get_str(&r, a);
		m->tags = get_str(&r, a);
		m->path = (side & 0x100) ? get_str(&r, a) : NULL;
		m->text = get_str(&r, a);
	}
	c->ntags = get_count(&r, 1);
	c->tags = arena_calloc(a, c->ntags, sizeof(*c->tags));
	for (i = 0; i < c->ntags && !r.bad; i++)
		c->tags[i] = get_str(&r, a);
	return r.bad ? -1 : 0;
}

static int decode_commit(const void *data, size_t len, struct arena *a,
			 struct commit *c)
{
	struct reader r = { data, (const unsigned char *)data + len, 0 };
	uint64_t version, raw;
	uLongf got;
	char *body;
	int ret;

	memset(c, 0, sizeof(*c));
	version = get_uv(&r);
	c->flags = (unsigned)get_uv(&r);
	if (r.bad)
		return -1;
	if (version == COMMIT_RECORD_VERSION)
		return decode_commit_body(r.p, (size_t)(r.end - r.p), a, c);
	if (version != COMMIT_RECORD_DEFLATED)
		return -1;
	raw = get_uv(&r);
	if (r.bad || !raw || raw > INFLATE_MAX)
		return -1;
	body = xmalloc((size_t)raw);
	got = (uLongf)raw;
	ret = uncompress((Bytef *)body, &got, (const Bytef *)r.p,
			 (uLong)(r.end - r.p)) == Z_OK && got == raw
		? decode_commit_body(body, (size_t)raw, a, c) : -1;
	free(body);
	return ret;
}

static void encode_repo(struct buf *b, const struct repo_info *info)
{
	put_uv(b, REPO_RECORD_VERSION);
	put_uv(b, info->id);
	put_str(b, info->path);
	put_str(b, info->default_branch);
	put_sv(b, info->last_scan);
	put_sv(b, info->horizon);
	put_uv(b, info->ncommits);
	put_uv(b, info->nlanded);
	put_uv(b, info->npartial);
	put_str(b, info->rule_state);
}

static int decode_repo(const MDB_val *key, const MDB_val *val,
		       struct arena *a, struct repo_info *info)
{
	struct reader r = { val->mv_data,
			    (const unsigned char *)val->mv_data + val->mv_size,
			    0 };

	memset(info, 0, sizeof(*info));
	info->name = arena_strndup(a, key->mv_data, key->mv_size);
	if (get_uv(&r) != REPO_RECORD_VERSION)
		return -1;
	info->id = (uint32_t)get_uv(&r);
	info->path = get_str(&r, a);
	info->default_branch = get_str(&r, a);
	info->last_scan = get_sv(&r);
	info->horizon = get_sv(&r);
	info->ncommits = get_uv(&r);
	info->nlanded = get_uv(&r);
	info->npartial = get_uv(&r);
	info->rule_state = get_str(&r, a);
	return r.bad ? -1 : 0;
}

/* ---- keys -------------------------------------------------------- */

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Times are biased so that negative ones sort before positive ones. */
static void be_time(unsigned char *p, int64_t t)
{
	uint64_t u = (uint64_t)t ^ ((uint64_t)1 << 63);
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = u & 0xff;
		u >>= 8;
	}
}

static int64_t rd_time(const unsigned char *p)
{
	uint64_t u = 0;
	int i;

	for (i = 0; i < 8; i++)
		u = u << 8 | p[i];
	return (int64_t)(u ^ ((uint64_t)1 << 63));
}

#define COMMIT_KEYSZ (4 + OID_RAWSZ)
#define TIME_KEYSZ (4 + 8 + OID_RAWSZ)

static void commit_key(unsigned char *k, uint32_t repo,
		       const unsigned char *oid)
{
	be32(k, repo);
	memcpy(k + 4, oid, OID_RAWSZ);
}

static void time_key(unsigned char *k, uint32_t repo, int64_t t,
		     const unsigned char *oid)
{
	be32(k, repo);
	be_time(k + 4, t);
	memcpy(k + 12, oid, OID_RAWSZ);
}

static void tag_key(struct buf *b, const char *tag, int64_t t, uint32_t repo,
		    const unsigned char *oid)
{
	unsigned char tail[12 + OID_RAWSZ];

	buf_reset(b);
	buf_add(b, tag, strlen(tag) + 1);
	be_time(tail, t);
	be32(tail + 8, repo);
	memcpy(tail + 12, oid, OID_RAWSZ);
	buf_add(b, tail, sizeof(tail));
}

/* ---- environment ------------------------------------------------- */

static int mkdir_p(const char *path)
{
	struct buf b = BUF_INIT;
	char *p;
	int ret = 0;

	buf_addstr(&b, path);
	for (p = b.ptr + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(b.ptr, 0777) < 0 && errno != EEXIST) {
				ret = error("cannot create '%s': %s", b.ptr,
					    strerror(errno));
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	buf_release(&b);
	return ret;
}

static int check_schema(struct index *idx, MDB_txn *txn)
{
	MDB_val k = { 5, "magic" }, v;
	int rc = mdb_get(txn, idx->meta, &k, &v);

	if (rc == MDB_NOTFOUND) {
		if (!idx->writable)
			return error("%s: not a mirrorscan index (empty); "
				     "run 'mirrorscan scan' first", idx->path);
		k.mv_data = "magic";
		v.mv_size = strlen(INDEX_MAGIC);
		v.mv_data = INDEX_MAGIC;
		if ((rc = mdb_put(txn, idx->meta, &k, &v, 0)))
			return lmdb_error(idx, "mdb_put", rc);
		k.mv_size = 6;
		k.mv_data = "schema";
		v.mv_size = 1;
		v.mv_data = "1";
		if ((rc = mdb_put(txn, idx->meta, &k, &v, 0)))
			return lmdb_error(idx, "mdb_put", rc);
		return 0;
	}
	if (rc)
		return lmdb_error(idx, "mdb_get", rc);
	if (v.mv_size != strlen(INDEX_MAGIC) ||
	    memcmp(v.mv_data, INDEX_MAGIC, v.mv_size))
		return error("%s: not a mirrorscan index", idx->path);
	k.mv_size = 6;
	k.mv_data = "schema";
	if ((rc = mdb_get(txn, idx->meta, &k, &v)))
		return error("%s: index has no schema version", idx->path);
	if (v.mv_size != 1 || *(char *)v.mv_data != '0' + INDEX_SCHEMA)
		return error("%s: index schema version '%.*s' is not the one "
			     "this mirrorscan reads (%d); move the index away "
			     "or use another --db",
			     idx->path, (int)(v.mv_size > 20 ? 20 : v.mv_size),
			     (char *)v.mv_data, INDEX_SCHEMA);
	return 0;
}

static int open_dbis(struct index *idx)
{
	MDB_txn *txn = NULL;
	unsigned fl = idx->writable ? MDB_CREATE : 0;
	int rc;

	if ((rc = mdb_txn_begin(idx->env, NULL, idx->writable ? 0 : MDB_RDONLY,
				&txn)))
		return lmdb_error(idx, "mdb_txn_begin", rc);
	if ((rc = mdb_dbi_open(txn, "meta", fl, &idx->meta)) ||
	    (rc = mdb_dbi_open(txn, "repos", fl, &idx->repos)) ||
	    (rc = mdb_dbi_open(txn, "refs", fl, &idx->refs)) ||
	    (rc = mdb_dbi_open(txn, "commits", fl, &idx->commits)) ||
	    (rc = mdb_dbi_open(txn, "bytime", fl, &idx->bytime)) ||
	    (rc = mdb_dbi_open(txn, "bytag", fl, &idx->bytag))) {
		mdb_txn_abort(txn);
		if (rc == MDB_NOTFOUND)
			return error("%s: not a mirrorscan index", idx->path);
		return lmdb_error(idx, "mdb_dbi_open", rc);
	}
	if (check_schema(idx, txn) < 0) {
		mdb_txn_abort(txn);
		return -1;
	}
	/* the pull-request tables came after schema 1's first tables:
	 * a reader of an older index finds none (a scan creates them) */
	rc = mdb_dbi_open(txn, "prs", fl, &idx->prs);
	if (!rc)
		rc = mdb_dbi_open(txn, "bypr", fl, &idx->bypr);
	if (!rc)
		rc = mdb_dbi_open(txn, "ondefault", fl, &idx->ondefault);
	if (!rc)
		rc = mdb_dbi_open(txn, "prcommits", fl, &idx->prcommits);
	if (rc && rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return lmdb_error(idx, "mdb_dbi_open", rc);
	}
	idx->has_prs = !rc;
	if ((rc = mdb_txn_commit(txn)))
		return lmdb_error(idx, "mdb_txn_commit", rc);
	return 0;
}

int index_open(struct index **out, const char *dir, unsigned flags)
{
	struct index *idx = xcalloc(1, sizeof(*idx));
	struct buf data = BUF_INIT;
	MDB_envinfo einfo;
	struct stat st;
	int rc;

	idx->path = xstrdup(dir);
	idx->lockfd = -1;
	idx->writable = !!(flags & INDEX_WRITE);
	*out = NULL;
	buf_addf(&data, "%s/data.mdb", dir);
	if (!idx->writable && stat(data.ptr, &st) < 0) {
		error("no index at '%s' (run 'mirrorscan scan' first, or "
		      "give --db)", dir);
		goto fail;
	}
	if (idx->writable && mkdir_p(dir) < 0)
		goto fail;
	if ((rc = mdb_env_create(&idx->env))) {
		lmdb_error(idx, "mdb_env_create", rc);
		goto fail;
	}
	mdb_env_set_maxdbs(idx->env, 16);
	/* MDB_NOTLS: scan workers each use their own read transaction. */
	rc = mdb_env_open(idx->env, dir,
			  MDB_NOTLS | (idx->writable ? 0 : MDB_RDONLY), 0666);
	if (rc) {
		lmdb_error(idx, "cannot open index", rc);
		goto fail;
	}
	mdb_env_info(idx->env, &einfo);
	idx->mapsize = einfo.me_mapsize;
	if (idx->mapsize < INITIAL_MAP) {
		idx->mapsize = INITIAL_MAP;
		if ((rc = mdb_env_set_mapsize(idx->env, idx->mapsize))) {
			lmdb_error(idx, "mdb_env_set_mapsize", rc);
			goto fail;
		}
	}
	if (open_dbis(idx) < 0)
		goto fail;
	buf_release(&data);
	*out = idx;
	return 0;
fail:
	buf_release(&data);
	index_close(idx);
	return -1;
}

void index_close(struct index *idx)
{
	if (!idx)
		return;
	if (idx->env)
		mdb_env_close(idx->env);
	if (idx->lockfd >= 0)
		close(idx->lockfd);
	free(idx->path);
	free(idx);
}

int index_lock(struct index *idx)
{
	struct buf path = BUF_INIT;
	int fd, ret = 0;

	buf_addf(&path, "%s/scan.lock", idx->path);
	fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		ret = error("cannot open '%s': %s", path.ptr, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			ret = error("another scan is writing the index '%s'; "
				    "try again when it has finished",
				    idx->path);
		else
			ret = error("cannot lock '%s': %s", path.ptr,
				    strerror(errno));
		close(fd);
		goto out;
	}
	idx->lockfd = fd;
out:
	buf_release(&path);
	return ret;
}

int index_begin(struct index *idx, int write, struct index_txn **out)
{
	struct index_txn *t = xcalloc(1, sizeof(*t));
	int rc;

	t->idx = idx;
	t->write = write;
	rc = mdb_txn_begin(idx->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc == MDB_MAP_RESIZED) {
		/* another process grew the map: adopt its size */
		mdb_env_set_mapsize(idx->env, 0);
		rc = mdb_txn_begin(idx->env, NULL, write ? 0 : MDB_RDONLY,
				   &t->txn);
	}
	if (rc) {
		free(t);
		*out = NULL;
		return lmdb_error(idx, "mdb_txn_begin", rc);
	}
	*out = t;
	return 0;
}

static int grow_map(struct index *idx)
{
	MDB_envinfo einfo;
	int rc;

	mdb_env_info(idx->env, &einfo);
	idx->mapsize = st_mult(einfo.me_mapsize, 2);
	if ((rc = mdb_env_set_mapsize(idx->env, idx->mapsize)))
		return lmdb_error(idx, "mdb_env_set_mapsize", rc);
	return MS_MAPFULL;
}

int index_commit(struct index_txn *t)
{
	struct index *idx = t->idx;
	int rc = mdb_txn_commit(t->txn);

	free(t);
	if (rc == MDB_MAP_FULL)
		return grow_map(idx);
	if (rc)
		return lmdb_error(idx, "mdb_txn_commit", rc);
	return 0;
}

void index_abort(struct index_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	free(t);
}

/* A failed put inside a write txn: MAP_FULL grows the map (the caller
 * aborts and redoes the batch); anything else is reported. */
static int put_failed(struct index_txn *t, const char *what, int rc)
{
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL)
		return grow_map(t->idx);
	return lmdb_error(t->idx, what, rc);
}

/* ---- repos and refs ---------------------------------------------- */

int index_repo_get(struct index_txn *t, const char *name, struct arena *a,
		   struct repo_info *out)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc = mdb_get(t->txn, t->idx->repos, &k, &v);

	if (rc == MDB_NOTFOUND)
		return MS_NOTFOUND;
	if (rc)
		return lmdb_error(t->idx, "mdb_get", rc);
	if (decode_repo(&k, &v, a, out) < 0)
		return error("%s: corrupt record of repository '%s'",
			     t->idx->path, name);
	return 0;
}

static int next_repo_id(struct index_txn *t, uint32_t *id)
{
	MDB_val k = { 9, "next-repo" }, v;
	unsigned char raw[4];
	int rc = mdb_get(t->txn, t->idx->meta, &k, &v);

	*id = 1;
	if (!rc && v.mv_size == 4)
		*id = rd32(v.mv_data);
	else if (rc && rc != MDB_NOTFOUND)
		return lmdb_error(t->idx, "mdb_get", rc);
	be32(raw, *id + 1);
	v.mv_size = 4;
	v.mv_data = raw;
	if ((rc = mdb_put(t->txn, t->idx->meta, &k, &v, 0)))
		return put_failed(t, "mdb_put", rc);
	return 0;
}

int index_repo_put(struct index_txn *t, struct repo_info *info)
{
	struct buf b = BUF_INIT;
	MDB_val k, v;
	int rc, ret = 0;

	if (!info->id && (ret = next_repo_id(t, &info->id)) < 0)
		return ret;
	encode_repo(&b, info);
	k.mv_size = strlen(info->name);
	k.mv_data = (void *)info->name;
	v.mv_size = b.len;
	v.mv_data = b.ptr;
	if ((rc = mdb_put(t->txn, t->idx->repos, &k, &v, 0)))
		ret = put_failed(t, "mdb_put", rc);
	buf_release(&b);
	return ret;
}

const struct repo_info *index_repo_find(const struct repo_info *repos,
					size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(repos[i].name, name))
			return &repos[i];
	return NULL;
}

int index_repos_check(const struct repo_info *repos, size_t n,
		      const char *const *names, size_t nnames)
{
	size_t k;

	for (k = 0; k < nnames; k++)
		if (!index_repo_find(repos, n, names[k])) {
			struct buf e = BUF_INIT;

			esc_text(&e, names[k], strlen(names[k]));
			error("no repository '%s' in the index", e.ptr);
			buf_release(&e);
			return -1;
		}
	return 0;
}

int index_repo_list(struct index_txn *t, struct arena *a,
		    struct repo_info **out, size_t *n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	size_t alloc = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	if ((rc = mdb_cursor_open(t->txn, t->idx->repos, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		ALLOC_GROW(*out, *n + 1, alloc);
		if (decode_repo(&k, &v, a, &(*out)[*n]) < 0) {
			ret = error("%s: corrupt repository record",
				    t->idx->path);
			break;
		}
		(*n)++;
	}
	if (!ret && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret;
}

int index_refs_get(struct index_txn *t, uint32_t repo, struct arena *a,
		   struct ref_tip **out, size_t *n)
{
	unsigned char pfx[4];
	MDB_cursor *cur;
	MDB_val k = { 4, pfx }, v;
	size_t alloc = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	be32(pfx, repo);
	if ((rc = mdb_cursor_open(t->txn, t->idx->refs, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 4 || memcmp(k.mv_data, pfx, 4))
			break;
		if (v.mv_size != OID_RAWSZ)
			continue;
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[*n].name = arena_strndup(a, (char *)k.mv_data + 4,
						k.mv_size - 4);
		memcpy((*out)[*n].oid, v.mv_data, OID_RAWSZ);
		(*n)++;
	}
	if (rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret;
}

/* Deletes every key of dbi that starts with repo (u32 BE). */
static int clear_repo_keys(struct index_txn *t, MDB_dbi dbi, uint32_t repo)
{
	unsigned char pfx[4];
	MDB_cursor *cur;
	MDB_val k = { 4, pfx }, v;
	int rc;

	be32(pfx, repo);
	if ((rc = mdb_cursor_open(t->txn, dbi, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 4 || memcmp(k.mv_data, pfx, 4))
			break;
		if ((rc = mdb_cursor_del(cur, 0)))
			break;
	}
	mdb_cursor_close(cur);
	if (rc && rc != MDB_NOTFOUND)
		return put_failed(t, "mdb_cursor_del", rc);
	return 0;
}

int index_refs_replace(struct index_txn *t, uint32_t repo,
		       const struct ref_tip *tips, size_t n)
{
	unsigned char pfx[4];
	struct buf key = BUF_INIT;
	MDB_val k, v;
	size_t i;
	int rc, ret;

	if ((ret = clear_repo_keys(t, t->idx->refs, repo)) < 0)
		return ret;
	be32(pfx, repo);
	for (i = 0; i < n; i++) {
		buf_reset(&key);
		buf_add(&key, pfx, 4);
		buf_addstr(&key, tips[i].name);
		k.mv_size = key.len;
		k.mv_data = key.ptr;
		v.mv_size = OID_RAWSZ;
		v.mv_data = (void *)tips[i].oid;
		if ((rc = mdb_put(t->txn, t->idx->refs, &k, &v, 0))) {
			ret = put_failed(t, "mdb_put", rc);
			break;
		}
	}
	buf_release(&key);
	return ret;
}

/* ---- commits ----------------------------------------------------- */

int index_commit_flags(struct index_txn *t, uint32_t repo,
		       const unsigned char *oid, unsigned *flags)
{
	unsigned char key[COMMIT_KEYSZ];
	MDB_val k = { sizeof(key), key }, v;
	struct reader r;
	int rc;

	commit_key(key, repo, oid);
	rc = mdb_get(t->txn, t->idx->commits, &k, &v);
	if (rc == MDB_NOTFOUND)
		return MS_NOTFOUND;
	if (rc)
		return lmdb_error(t->idx, "mdb_get", rc);
	r.p = v.mv_data;
	r.end = r.p + v.mv_size;
	r.bad = 0;
	get_uv(&r);
	*flags = (unsigned)get_uv(&r);
	return 0;
}

static int decode_or_complain(struct index_txn *t, const MDB_val *v,
			      struct arena *a, struct commit *c,
			      const unsigned char *oid)
{
	if (decode_commit(v->mv_data, v->mv_size, a, c) < 0)
		return error("%s: corrupt commit record", t->idx->path);
	memcpy(c->oid, oid, OID_RAWSZ);
	return 0;
}

int index_commit_get(struct index_txn *t, uint32_t repo,
		     const unsigned char *oid, struct arena *a,
		     struct commit *out)
{
	unsigned char key[COMMIT_KEYSZ];
	MDB_val k = { sizeof(key), key }, v;
	int rc;

	commit_key(key, repo, oid);
	rc = mdb_get(t->txn, t->idx->commits, &k, &v);
	if (rc == MDB_NOTFOUND)
		return MS_NOTFOUND;
	if (rc)
		return lmdb_error(t->idx, "mdb_get", rc);
	return decode_or_complain(t, &v, a, out, oid);
}

static int put_tag_keys(struct index_txn *t, uint32_t repo,
			const struct commit *c, int del)
{
	struct buf key = BUF_INIT;
	MDB_val k, v = { 0, "" };
	uint32_t i;
	int rc, ret = 0;

	for (i = 0; i < c->ntags; i++) {
		tag_key(&key, c->tags[i], c->time, repo, c->oid);
		k.mv_size = key.len;
		k.mv_data = key.ptr;
		rc = del ? mdb_del(t->txn, t->idx->bytag, &k, NULL)
			 : mdb_put(t->txn, t->idx->bytag, &k, &v, 0);
		if (rc && !(del && rc == MDB_NOTFOUND)) {
			ret = put_failed(t, del ? "mdb_del" : "mdb_put", rc);
			break;
		}
	}
	buf_release(&key);
	return ret;
}

int index_commit_put(struct index_txn *t, struct repo_info *info,
		     const struct commit *c, const struct commit *old)
{
	unsigned char key[COMMIT_KEYSZ], tkey[TIME_KEYSZ];
	struct buf rec = BUF_INIT;
	MDB_val k = { sizeof(key), key }, v, e = { 0, "" };
	int rc, ret = 0;

	commit_key(key, info->id, c->oid);
	encode_commit(&rec, c);
	v.mv_size = rec.len;
	v.mv_data = rec.ptr;
	rc = mdb_put(t->txn, t->idx->commits, &k, &v,
		     old ? 0 : MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		ret = 1;
		goto out;
	}
	if (rc) {
		ret = put_failed(t, "mdb_put", rc);
		goto out;
	}
	if (old) {
		if ((ret = put_tag_keys(t, info->id, old, 1)) < 0)
			goto out;
		if (old->time != c->time)
			die("BUG: a commit's time changed in the index");
		info->nlanded += (c->flags & COMMIT_LANDED) -
				 (old->flags & COMMIT_LANDED);
		info->npartial += !!(c->flags & COMMIT_PARTIAL) -
				  !!(old->flags & COMMIT_PARTIAL);
	} else {
		time_key(tkey, info->id, c->time, c->oid);
		k.mv_size = sizeof(tkey);
		k.mv_data = tkey;
		if ((rc = mdb_put(t->txn, t->idx->bytime, &k, &e, 0))) {
			ret = put_failed(t, "mdb_put", rc);
			goto out;
		}
		info->ncommits++;
		info->nlanded += !!(c->flags & COMMIT_LANDED);
		info->npartial += !!(c->flags & COMMIT_PARTIAL);
	}
	ret = put_tag_keys(t, info->id, c, 0);
out:
	buf_release(&rec);
	return ret;
}

static int lookup_and_call(struct index_txn *t, uint32_t repo,
			   const unsigned char *oid, struct arena *a,
			   index_commit_fn fn, void *payload)
{
	struct commit c;
	int rc = index_commit_get(t, repo, oid, a, &c);

	if (rc == MS_NOTFOUND)
		return error("%s: index lists commit %02x%02x%02x%02x... "
			     "that it does not hold", t->idx->path, oid[0],
			     oid[1], oid[2], oid[3]);
	if (rc < 0)
		return rc;
	return fn(repo, &c, payload);
}

int index_each_commit(struct index_txn *t, uint32_t repo, int64_t since,
		      int64_t until, int reverse, struct arena *a,
		      index_commit_fn fn, void *payload)
{
	unsigned char lo[TIME_KEYSZ], hi[TIME_KEYSZ], zero[OID_RAWSZ] = { 0 };
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret = 0;

	if (since >= until)
		return 0;
	time_key(lo, repo, since, zero);
	time_key(hi, repo, until, zero);
	if ((rc = mdb_cursor_open(t->txn, t->idx->bytime, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	if (reverse) {
		k.mv_size = sizeof(lo);
		k.mv_data = lo;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	} else {
		k.mv_size = sizeof(hi);
		k.mv_data = hi;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		rc = mdb_cursor_get(cur, &k, &v,
				    rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
	}
	for (; !rc; rc = mdb_cursor_get(cur, &k, &v,
					reverse ? MDB_NEXT : MDB_PREV)) {
		if (k.mv_size != TIME_KEYSZ ||
		    memcmp(k.mv_data, lo, 4) ||
		    memcmp(k.mv_data, lo, TIME_KEYSZ) < 0 ||
		    memcmp(k.mv_data, hi, TIME_KEYSZ) >= 0)
			break;
		ret = lookup_and_call(t, repo, (unsigned char *)k.mv_data + 12,
				      a, fn, payload);
		if (ret)
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret == MS_STOP ? 0 : ret;
}

int index_each_key(struct index_txn *t, uint32_t repo, int64_t since,
		   int64_t until, index_key_fn fn, void *payload)
{
	unsigned char lo[TIME_KEYSZ], hi[TIME_KEYSZ], zero[OID_RAWSZ] = { 0 };
	MDB_cursor *cur;
	MDB_val k = { sizeof(lo), lo }, v;
	int rc, ret = 0;

	if (since >= until)
		return 0;
	time_key(lo, repo, since, zero);
	time_key(hi, repo, until, zero);
	if ((rc = mdb_cursor_open(t->txn, t->idx->bytime, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *p = k.mv_data;

		if (k.mv_size != TIME_KEYSZ ||
		    memcmp(p, hi, TIME_KEYSZ) >= 0)
			break;
		if ((ret = fn(repo, rd_time(p + 4), p + 12, payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret == MS_STOP ? 0 : ret;
}

int index_each_tagged(struct index_txn *t, const char *tag, int64_t since,
		      int64_t until, struct arena *a, index_commit_fn fn,
		      void *payload)
{
	unsigned char zero[OID_RAWSZ] = { 0 };
	struct buf lo = BUF_INIT, hi = BUF_INIT;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t tlen = strlen(tag) + 1;
	int rc, ret = 0;

	if (since >= until)
		return 0;
	tag_key(&lo, tag, since, 0, zero);
	tag_key(&hi, tag, until, 0, zero);
	if ((rc = mdb_cursor_open(t->txn, t->idx->bytag, &cur))) {
		ret = lmdb_error(t->idx, "mdb_cursor_open", rc);
		goto out;
	}
	k.mv_size = hi.len;
	k.mv_data = hi.ptr;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	rc = mdb_cursor_get(cur, &k, &v, rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV);
	for (; !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		const unsigned char *p = k.mv_data;

		if (k.mv_size != tlen + 12 + OID_RAWSZ ||
		    memcmp(p, lo.ptr, tlen) ||
		    rd_time(p + tlen) < since)
			break;
		ret = lookup_and_call(t, rd32(p + tlen + 8), p + tlen + 12, a,
				      fn, payload);
		if (ret)
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
out:
	buf_release(&lo);
	buf_release(&hi);
	return ret == MS_STOP ? 0 : ret;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int each_prefix_in(struct index_txn *t, uint32_t repo,
			  const char *prefix, struct arena *a,
			  index_commit_fn fn, void *payload)
{
	unsigned char key[COMMIT_KEYSZ] = { 0 };
	size_t plen = strlen(prefix), i;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, ret = 0;

	for (i = 0; i < plen; i++) {
		int h = hexval((unsigned char)prefix[i]);

		key[4 + i / 2] |= (unsigned char)(i % 2 ? h : h << 4);
	}
	be32(key, repo);
	if ((rc = mdb_cursor_open(t->txn, t->idx->commits, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	k.mv_size = sizeof(key);
	k.mv_data = key;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *p = k.mv_data;
		struct commit c;

		if (k.mv_size != COMMIT_KEYSZ || rd32(p) != repo)
			break;
		for (i = 0; i < plen; i++) {
			int nib = i % 2 ? p[4 + i / 2] & 15 : p[4 + i / 2] >> 4;

			if (nib != hexval((unsigned char)prefix[i]))
				break;
		}
		if (i < plen)
			break;	/* keys are sorted: no later one matches */
		if ((ret = decode_or_complain(t, &v, a, &c, p + 4)) < 0)
			break;
		if ((ret = fn(repo, &c, payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret;
}

int index_each_prefix(struct index_txn *t, uint32_t repo, const char *prefix,
		      struct arena *a, index_commit_fn fn, void *payload)
{
	size_t i, n, plen = strlen(prefix);
	struct repo_info *repos;
	int ret = 0;

	if (plen > OID_HEXSZ)
		return 0;
	for (i = 0; i < plen; i++)
		if (hexval((unsigned char)prefix[i]) < 0)
			return 0;
	if (repo) {
		ret = each_prefix_in(t, repo, prefix, a, fn, payload);
		return ret == MS_STOP ? 0 : ret;
	}
	if ((ret = index_repo_list(t, a, &repos, &n)) < 0)
		return ret;
	for (i = 0; i < n && !ret; i++)
		ret = each_prefix_in(t, repos[i].id, prefix, a, fn, payload);
	free(repos);
	return ret == MS_STOP ? 0 : ret;
}

/* ---- pull requests ----------------------------------------------- */

#define PR_KEYSZ 8
#define BYPR_KEYSZ (8 + OID_RAWSZ)

static void put_oid(struct buf *b, const unsigned char *oid)
{
	buf_add(b, oid, OID_RAWSZ);
}

static void get_oid(struct reader *r, unsigned char *oid)
{
	if (r->bad || (size_t)(r->end - r->p) < OID_RAWSZ) {
		r->bad = 1;
		memset(oid, 0, OID_RAWSZ);
		return;
	}
	memcpy(oid, r->p, OID_RAWSZ);
	r->p += OID_RAWSZ;
}

static void pr_key(unsigned char *k, uint32_t repo, uint32_t number)
{
	be32(k, repo);
	be32(k + 4, number);
}

static void encode_pr(struct buf *b, const struct pr *pr)
{
	uint32_t i;

	put_uv(b, PR_RECORD_VERSION);
	put_uv(b, pr->state);
	put_uv(b, pr->flags);
	put_oid(b, pr->head);
	if (pr->flags & PR_MERGE_REF)
		put_oid(b, pr->merge);
	if (pr->flags & PR_LANDED)
		put_oid(b, pr->landed);
	put_sv(b, pr->first_time);
	put_sv(b, pr->last_time);
	put_sv(b, pr->landed_time);
	put_sv(b, pr->state_time);
	put_str(b, pr->title);
	put_str(b, pr->author);
	put_str(b, pr->email);
	put_uv(b, pr->ntags);
	for (i = 0; i < pr->ntags; i++)
		put_str(b, pr->tags[i]);
	put_uv(b, pr->ncommits);
	for (i = 0; i < pr->ncommits; i++)
		put_oid(b, pr->commits[i]);
}

static int decode_pr(const MDB_val *val, uint32_t number, struct arena *a,
		     struct pr *pr)
{
	struct reader r = { val->mv_data,
			    (const unsigned char *)val->mv_data + val->mv_size,
			    0 };
	uint32_t i;

	memset(pr, 0, sizeof(*pr));
	pr->number = number;
	if (get_uv(&r) != PR_RECORD_VERSION)
		return -1;
	pr->state = (enum pr_state)get_uv(&r);
	pr->flags = (unsigned)get_uv(&r);
	get_oid(&r, pr->head);
	if (pr->flags & PR_MERGE_REF)
		get_oid(&r, pr->merge);
	if (pr->flags & PR_LANDED)
		get_oid(&r, pr->landed);
	pr->first_time = get_sv(&r);
	pr->last_time = get_sv(&r);
	pr->landed_time = get_sv(&r);
	pr->state_time = get_sv(&r);
	pr->title = get_str(&r, a);
	pr->author = get_str(&r, a);
	pr->email = get_str(&r, a);
	pr->ntags = get_count(&r, 1);
	pr->tags = arena_calloc(a, pr->ntags + 1, sizeof(*pr->tags));
	for (i = 0; i < pr->ntags && !r.bad; i++)
		pr->tags[i] = get_str(&r, a);
	pr->ncommits = get_count(&r, OID_RAWSZ);
	pr->commits = arena_calloc(a, pr->ncommits + 1, OID_RAWSZ);
	for (i = 0; i < pr->ncommits && !r.bad; i++)
		get_oid(&r, pr->commits[i]);
	if (pr->state > PR_CLOSED)
		r.bad = 1;
	return r.bad ? -1 : 0;
}

int index_pr_get(struct index_txn *t, uint32_t repo, uint32_t number,
		 struct arena *a, struct pr *out)
{
	unsigned char key[PR_KEYSZ];
	MDB_val k = { sizeof(key), key }, v;
	int rc;

	if (!t->idx->has_prs || !number)
		return MS_NOTFOUND;
	pr_key(key, repo, number);
	rc = mdb_get(t->txn, t->idx->prs, &k, &v);
	if (rc == MDB_NOTFOUND)
		return MS_NOTFOUND;
	if (rc)
		return lmdb_error(t->idx, "mdb_get", rc);
	if (decode_pr(&v, number, a, out) < 0)
		return error("%s: corrupt record of pull request #%u",
			     t->idx->path, number);
	return 0;
}

int index_pr_put(struct index_txn *t, uint32_t repo, const struct pr *pr)
{
	unsigned char key[PR_KEYSZ];
	struct buf rec = BUF_INIT;
	MDB_val k = { sizeof(key), key }, v, old;
	int rc, ret = 0;

	if (!pr->number)
		die("BUG: pull request number 0");
	pr_key(key, repo, pr->number);
	encode_pr(&rec, pr);
	rc = mdb_get(t->txn, t->idx->prs, &k, &old);
	if (!rc && old.mv_size == rec.len &&
	    !memcmp(old.mv_data, rec.ptr, rec.len)) {
		ret = 1;	/* the same: not written, nothing to do */
		goto out;
	}
	if (rc && rc != MDB_NOTFOUND) {
		ret = lmdb_error(t->idx, "mdb_get", rc);
		goto out;
	}
	v.mv_size = rec.len;
	v.mv_data = rec.ptr;
	if ((rc = mdb_put(t->txn, t->idx->prs, &k, &v, 0)))
		ret = put_failed(t, "mdb_put", rc);
out:
	buf_release(&rec);
	return ret;
}

int index_each_pr(struct index_txn *t, uint32_t repo, struct arena *a,
		  index_pr_fn fn, void *payload)
{
	unsigned char lo[PR_KEYSZ];
	MDB_cursor *cur;
	MDB_val k = { sizeof(lo), lo }, v;
	int rc, ret = 0;

	if (!t->idx->has_prs)
		return 0;
	pr_key(lo, repo, 1);
	if ((rc = mdb_cursor_open(t->txn, t->idx->prs, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *p = k.mv_data;
		struct pr pr;

		if (k.mv_size != PR_KEYSZ || rd32(p) != repo)
			break;
		if (decode_pr(&v, rd32(p + 4), a, &pr) < 0) {
			ret = error("%s: corrupt record of pull request #%u",
				    t->idx->path, rd32(p + 4));
			break;
		}
		if ((ret = fn(repo, &pr, payload)))
			break;
	}
	if (!ret && rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret == MS_STOP ? 0 : ret;
}

/* The pass record: number 0 of the prs table. */
int index_pr_pass_get(struct index_txn *t, uint32_t repo, struct arena *a,
		      struct pr_pass *out)
{
	unsigned char key[PR_KEYSZ];
	MDB_val k = { sizeof(key), key }, v;
	struct reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	out->default_ref = "";
	if (!t->idx->has_prs)
		return MS_NOTFOUND;
	pr_key(key, repo, 0);
	rc = mdb_get(t->txn, t->idx->prs, &k, &v);
	if (rc == MDB_NOTFOUND)
		return MS_NOTFOUND;
	if (rc)
		return lmdb_error(t->idx, "mdb_get", rc);
	r.p = v.mv_data;
	r.end = r.p + v.mv_size;
	r.bad = 0;
	if (get_uv(&r) != PR_PASS_RECORD_VERSION)
		return MS_NOTFOUND;	/* a later format: redo the pass */
	out->has_tip = (int)get_uv(&r) & 1;
	if (out->has_tip)
		get_oid(&r, out->tip);
	out->rules_hash = get_uv(&r);
	out->default_ref = get_str(&r, a);
	if (r.bad)
		return error("%s: corrupt pull-request state of repository %u",
			     t->idx->path, repo);
	return 0;
}

int index_pr_pass_put(struct index_txn *t, uint32_t repo,
		      const struct pr_pass *pass)
{
	unsigned char key[PR_KEYSZ];
	struct buf rec = BUF_INIT;
	MDB_val k = { sizeof(key), key }, v;
	int rc, ret = 0;

	pr_key(key, repo, 0);
	put_uv(&rec, PR_PASS_RECORD_VERSION);
	put_uv(&rec, pass->has_tip ? 1 : 0);
	if (pass->has_tip)
		put_oid(&rec, pass->tip);
	put_uv(&rec, pass->rules_hash);
	put_str(&rec, pass->default_ref);
	v.mv_size = rec.len;
	v.mv_data = rec.ptr;
	if ((rc = mdb_put(t->txn, t->idx->prs, &k, &v, 0)))
		ret = put_failed(t, "mdb_put", rc);
	buf_release(&rec);
	return ret;
}

int index_bypr_add(struct index_txn *t, uint32_t repo, uint32_t number,
		   const unsigned char *oid)
{
	unsigned char key[BYPR_KEYSZ];
	MDB_val k = { sizeof(key), key }, v = { 0, "" };
	int rc;

	pr_key(key, repo, number);
	memcpy(key + PR_KEYSZ, oid, OID_RAWSZ);
	if ((rc = mdb_put(t->txn, t->idx->bypr, &k, &v, 0)))
		return put_failed(t, "mdb_put", rc);
	return 0;
}

int index_bypr_get(struct index_txn *t, uint32_t repo, uint32_t number,
		   unsigned char (**out)[OID_RAWSZ], size_t *n)
{
	unsigned char key[BYPR_KEYSZ] = { 0 };
	MDB_cursor *cur;
	MDB_val k = { sizeof(key), key }, v;
	size_t alloc = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	if (!t->idx->has_prs)
		return 0;
	pr_key(key, repo, number);
	if ((rc = mdb_cursor_open(t->txn, t->idx->bypr, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != BYPR_KEYSZ ||
		    memcmp(k.mv_data, key, PR_KEYSZ))
			break;
		ALLOC_GROW(*out, *n + 1, alloc);
		memcpy((*out)[(*n)++], (unsigned char *)k.mv_data + PR_KEYSZ,
		       OID_RAWSZ);
	}
	if (rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret;
}

int index_ondefault_has(struct index_txn *t, uint32_t repo,
			const unsigned char *oid)
{
	unsigned char key[COMMIT_KEYSZ];
	MDB_val k = { sizeof(key), key }, v;
	int rc;

	if (!t->idx->has_prs)
		return 0;
	commit_key(key, repo, oid);
	rc = mdb_get(t->txn, t->idx->ondefault, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return lmdb_error(t->idx, "mdb_get", rc);
	return 1;
}

int index_ondefault_add(struct index_txn *t, uint32_t repo,
			const unsigned char *oid)
{
	unsigned char key[COMMIT_KEYSZ];
	MDB_val k = { sizeof(key), key }, v = { 0, "" };
	int rc;

	commit_key(key, repo, oid);
	if ((rc = mdb_put(t->txn, t->idx->ondefault, &k, &v, 0)))
		return put_failed(t, "mdb_put", rc);
	return 0;
}

int index_ondefault_clear(struct index_txn *t, uint32_t repo)
{
	return clear_repo_keys(t, t->idx->ondefault, repo);
}

int index_prcommit_put(struct index_txn *t, uint32_t repo,
		       const unsigned char *oid, uint32_t number, int del)
{
	unsigned char key[COMMIT_KEYSZ + 4];
	MDB_val k = { sizeof(key), key }, v = { 0, "" };
	int rc;

	commit_key(key, repo, oid);
	be32(key + COMMIT_KEYSZ, number);
	rc = del ? mdb_del(t->txn, t->idx->prcommits, &k, NULL)
		 : mdb_put(t->txn, t->idx->prcommits, &k, &v, 0);
	if (rc && !(del && rc == MDB_NOTFOUND))
		return put_failed(t, del ? "mdb_del" : "mdb_put", rc);
	return 0;
}

int index_prcommit_get(struct index_txn *t, uint32_t repo,
		       const unsigned char *oid, uint32_t **out, size_t *n)
{
	unsigned char key[COMMIT_KEYSZ + 4] = { 0 };
	MDB_cursor *cur;
	MDB_val k = { sizeof(key), key }, v;
	size_t alloc = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	if (!t->idx->has_prs)
		return 0;
	commit_key(key, repo, oid);
	if ((rc = mdb_cursor_open(t->txn, t->idx->prcommits, &cur)))
		return lmdb_error(t->idx, "mdb_cursor_open", rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != sizeof(key) ||
		    memcmp(k.mv_data, key, COMMIT_KEYSZ))
			break;
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = rd32((unsigned char *)k.mv_data +
				      COMMIT_KEYSZ);
	}
	if (rc && rc != MDB_NOTFOUND)
		ret = lmdb_error(t->idx, "mdb_cursor_get", rc);
	mdb_cursor_close(cur);
	return ret;
}

int index_bypr_clear(struct index_txn *t, uint32_t repo)
{
	return clear_repo_keys(t, t->idx->bypr, repo);
}
