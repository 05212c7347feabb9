/*
 * scan: the scan command's engine.  Walks each mirror for commits the
 * index does not hold, diffs and matches them on worker threads (each with
 * its own repository handle, arena and matcher; the rules are shared), and
 * writes the results from the calling thread, parents before children, in
 * batched write transactions.
 *
 * What a rerun does: nothing when a repository's ref tips and the rules
 * its commits carry are unchanged; else it scans the new commits, marks
 * proposed commits that now sit on a branch as landed without diffing
 * them again, and rescans the indexed commits for the rules that were
 * added or changed (and drops the matches of removed rules).
 */
#ifndef MS_SCAN_H
#define MS_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct index;
struct rules;
struct mirror_spec;

struct scan_opts {
	const char *const *refs;	/* --refs globs */
	size_t nrefs;
	int64_t since;			/* 0: the whole history */
	int merges;			/* diff merge commits too */
	int jobs;			/* worker threads, >= 1 */
	size_t max_size;		/* blobs above are not read */
};

/* Returns 0, or -1 after an error that stopped the scan; commits or
 * repositories that could not be read are reported with msg_partial(). */
int scan_run(struct index *idx, const struct rules *rules,
	     const struct mirror_spec *specs, size_t nspecs,
	     const struct scan_opts *o);

#endif
