/*
 * blobkw: the keywords each blob holds, remembered by blob id for the
 * length of a scan and shared by its workers.  A blob is the new side of
 * one change and the old side of the next, and pull request branches
 * carry the same blobs again: searching each blob once instead of at
 * every change halves the keyword search of a first scan.
 *
 * A table of blob ids with a keyword set (setsize bytes) each, grown by
 * doubling; once it holds max entries it remembers no more (lookups go
 * on).  Thread-safe: one mutex, held for a lookup or an insert only.
 */
#ifndef MS_BLOBKW_H
#define MS_BLOBKW_H

#include <stddef.h>

struct blobkw;

struct blobkw *blobkw_new(size_t setsize, size_t max);
void blobkw_free(struct blobkw *c);
/* 1 and the blob's set copied to set when known, else 0. */
int blobkw_get(struct blobkw *c, const unsigned char *oid,
	       unsigned char *set);
void blobkw_put(struct blobkw *c, const unsigned char *oid,
		const unsigned char *set);

#endif
