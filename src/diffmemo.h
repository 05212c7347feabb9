/*
 * diffmemo: what a scan learnt from a commit's diff, remembered by a
 * digest of that diff for the length of a scan and shared by its workers.
 * Pull request branches and release branches carry the same change as
 * several commits (a rebased or cherry-picked commit keeps its tree
 * diff): a quarter of the blob reads of a first scan of cutlass were such
 * repeats.  The second commit takes the first one's result instead of
 * reading and diffing the same blobs again (cutlass: 898 of 3,928
 * commits, with 8 MiB).
 *
 * A map from a 20-byte key to a byte string the caller encodes, holding
 * at most max_bytes of them; the least recently used go first.
 * Thread-safe: one mutex, held for a lookup or an insert only.
 */
#ifndef MS_DIFFMEMO_H
#define MS_DIFFMEMO_H

#include <stddef.h>

#include "buf.h"

#define DIFFMEMO_KEYSZ 20

struct diffmemo;

struct diffmemo *diffmemo_new(size_t max_bytes);
void diffmemo_free(struct diffmemo *m);
/* 1 and the value appended to out when key is known, else 0. */
int diffmemo_get(struct diffmemo *m, const unsigned char *key,
		 struct buf *out);
/* Remembers a copy of value under key (a value over a quarter of
 * max_bytes is not kept; a known key keeps its first value). */
void diffmemo_put(struct diffmemo *m, const unsigned char *key,
		  const void *value, size_t len);

#endif
