/*
 * pack: reads a repository's pack files for libgit2, as an object
 * database backend placed before libgit2's own.
 *
 * Why: a scan reads each changed file's old and new blob, and most blobs
 * in a pack are deltas on a chain of bases.  libgit2 1.5 keeps resolved
 * bases in a cache of 16 MiB that holds no object over 1 MiB and empties
 * itself of every unused entry when full, so it inflates the roots of
 * long chains again and again: on cutlass a first scan inflated 7.0 GB
 * where `git log -p` inflates 2.3 GB for the same blob reads, and zlib was
 * a quarter of the scan's CPU.  This backend keeps the bases it resolves
 * in a cache of its own, bounded in bytes, least recently used first out,
 * as git does, and shared by the readers of a scan; it inflates with
 * libdeflate, two to three times as fast as zlib.  A first scan of cutlass
 * went from 36 to 22 s (2 jobs).
 *
 * It reads version 2 pack indexes and packs with pread(), so a scan's
 * resident size does not grow with the pack.  An object it cannot find
 * goes on to libgit2's backends (loose objects, alternates, packs added
 * since), and so does a delta whose base is not in its packs.  An object
 * it has that does not read is damaged: the error names the pack and the
 * offset.
 */
#ifndef MS_PACK_H
#define MS_PACK_H

#include <stddef.h>

#include <git2.h>

#include "buf.h"

/*
 * The delta-base cache, holding at most max_bytes of resolved bases;
 * thread-safe.  One is shared by the readers of a scan (each worker
 * opens the mirror): together they keep one bound, and a base one
 * worker resolved serves the others.  pack_cache_free() drops the
 * creator's reference; the cache lives until its last reader is freed.
 */
struct pack_cache;

struct pack_cache *pack_cache_new(size_t max_bytes);
void pack_cache_free(struct pack_cache *c);

/*
 * Puts a pack reader using cache before libgit2's backends in repo's
 * object database.  A repository without pack files gets none.  0, or
 * -1 with libgit2's error set.
 */
int pack_attach(git_repository *repo, struct pack_cache *cache);

/*
 * A backend reading the pack files under objects_dir/pack alone, for
 * tests that compare it with libgit2's reading; NULL when there are
 * none.  The caller adds it to an object database, which frees it.
 */
git_odb_backend *pack_backend_new(const char *objects_dir,
				  struct pack_cache *cache);

/* "libdeflate 1.14": the inflater of the pack reader, for --version. */
void pack_version(struct buf *out);

#endif
