/*
 * diff: a commit's changes against its first parent (a root commit against
 * the empty tree), with rename detection, size limits and binary
 * detection, and the added and removed lines of each text file handed to a
 * visitor.  With mirror.c, the only code that sees <git2.h>.
 *
 * The tree diff is a walk of both trees that descends only where subtree
 * ids differ (git's own "--raw" costs a fraction of libgit2's generic
 * diff).  Exact renames are paired by blob id; when added and deleted
 * files remain after that, a similarity search of chunk hashes pairs the
 * rest.  Lines come from xdiff through git_diff_blobs(), with no
 * attributes, drivers or filters: a file is text unless it holds a NUL in
 * its first 8000 bytes (git's rule).  Added and deleted files need no
 * xdiff at all.
 * A submodule (gitlink) change has one line per side, as git shows it:
 * "Subproject commit <id>".
 */
#ifndef MS_DIFF_H
#define MS_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "commit.h"
#include "lineclass.h"

struct arena;
struct mirror;

struct diff_opts {
	size_t max_size;	/* blobs above this are not read (0: none) */
	int renames;		/* detect renames */
};

struct diff_file {
	const char *path;	/* new path; old path for a deletion */
	const char *old_path;	/* renames only */
	unsigned status;	/* one enum change_status bit */
	unsigned flags;		/* enum file_flags */
	unsigned char old_oid[OID_RAWSZ], new_oid[OID_RAWSZ];
	/* contents, NULL/0 when absent (added, deleted) or not read */
	const char *old_data, *new_data;
	size_t old_len, new_len;
	uint32_t added, removed;	/* counted lines, final in file_done */
	/* while lines are visited: what each line is (code, comment...),
	 * for lineclass_file_line(); NULL otherwise */
	struct lineclass_file *lines;
};

struct diff_visitor {
	/* Optional: before contents are loaded (f has paths, status, ids and
	 * submodule/symlink flags only).  Return 1 to load them, 0 to skip
	 * this file's contents (no line counts then), -1 to abort. */
	int (*need)(struct diff_file *f, void *payload);
	/* Contents are loaded (unless binary, oversize, unreadable or a
	 * submodule).  Return 1 to be given the lines, 0 not to (they are
	 * still counted), -1 to abort the commit. */
	int (*file)(struct diff_file *f, void *payload);
	/* One added (RULE_SIDE_ADDED, lineno in the new file) or removed
	 * (RULE_SIDE_REMOVED, lineno in the old file) line, without its
	 * newline.  func is the line of the function the change sits in
	 * (git's default rule: the nearest line above that starts with a
	 * letter, '_' or '$'): a function line the hunk itself added (for an
	 * added line) or removed (for a removed one) before this line, else
	 * the one git shows after the hunk's "@@"; func_len its length.  NULL
	 * for a file added or deleted whole, or when there is none.  Return
	 * 0, or -1 to abort. */
	int (*line)(struct diff_file *f, enum rule_side side, uint32_t lineno,
		    const char *text, size_t len, const char *func,
		    size_t func_len, void *payload);
	/* Counts are final; contents are freed after this returns. */
	int (*file_done)(struct diff_file *f, void *payload);
	void *payload;
};

/*
 * A commit's file changes, in path order.  diff_commit_changes() finds
 * them (trees, renames; strings in a): 0, or -1 reported.  Then
 * diff_visit_changes() calls v for changes [from, to), reading blobs
 * through m; threads may visit disjoint ranges of one list at once, each
 * with its own mirror handle and visitor.  diff_changes_release() frees
 * the list (not a).
 */
struct change;
struct diff_changes {
	struct change *v;
	size_t n, alloc;
	struct arena *a;
};

int diff_commit_changes(struct mirror *m, const unsigned char *oid,
			const struct diff_opts *o, struct arena *a,
			struct diff_changes *cs);
int diff_visit_changes(struct mirror *m, const unsigned char *oid,
		       const struct diff_changes *cs, size_t from, size_t to,
		       const struct diff_opts *o, const struct diff_visitor *v);
void diff_changes_release(struct diff_changes *cs);
/* The path of change k of the list. */
const char *diff_change_path(const struct diff_changes *cs, size_t k);
/* A digest (OID_RAWSZ bytes) of the list: paths, kinds, modes and blob
 * ids, after the salt's bytes.  Two lists with one digest are the same
 * change, whatever commits they came from. */
void diff_changes_digest(const struct diff_changes *cs, const void *salt,
			 size_t saltlen, unsigned char *out);

/*
 * Diffs the commit oid of m against its first parent and calls v for
 * each changed file, in path order.  A blob that cannot be read is
 * reported with msg_partial() and flagged FILE_UNREADABLE; the diff goes
 * on.  Returns 0, or -1 (reported) when the commit or its trees cannot be
 * read or the visitor aborted.
 */
int diff_commit(struct mirror *m, const unsigned char *oid,
		const struct diff_opts *o, struct arena *a,
		const struct diff_visitor *v);

#endif
