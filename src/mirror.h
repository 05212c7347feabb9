/*
 * mirror: finding, naming and opening mirrors, classifying their refs, and
 * walking their history for commits the index does not hold yet.  With
 * diff.c, the only code that sees <git2.h>.
 *
 * A mirror is opened read-only in spirit: mirrorscan never writes to it,
 * runs no hooks, filters or attribute drivers, and never fetches.  The
 * user's and the system's git configuration are not read (mirror_init()).
 * One struct mirror per thread (libgit2's rule: a repository object is not
 * shared between threads).
 */
#ifndef MS_MIRROR_H
#define MS_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "commit.h"

struct arena;
struct buf;
struct git_repository;

/* Once, before any other call; mirror_shutdown() at exit. */
int mirror_init(void);
void mirror_shutdown(void);
/* "libgit2 1.5.1" */
void mirror_version(struct buf *out);

struct mirror_spec {
	char *name;	/* contract naming: vllm.git -> vllm, owner+name/repo
			   -> owner/name, NAME=PATH -> NAME */
	char *path;	/* canonical path of the repository */
};

/*
 * Expands one MIRROR argument (NAME=PATH, a repository, bare or not, or a
 * directory holding repositories, up to two levels down) into specs,
 * appended to *specs.  Returns -1 after an error naming the argument.
 */
int mirror_find(const char *arg, struct mirror_spec **specs, size_t *n,
		size_t *alloc);
void mirror_spec_release(struct mirror_spec *spec);

struct mirror {
	const char *name;
	const char *path;
	struct git_repository *repo;
};

struct pack_cache;

/*
 * Opens a mirror for reading.  With packs, its pack files are read by
 * mirrorscan's pack reader with that delta-base cache (pack.h), which
 * suits reading many blobs; without, by libgit2 alone.
 */
int mirror_open(struct mirror *m, const char *name, const char *path,
		struct pack_cache *packs);
void mirror_close(struct mirror *m);

enum ref_kind {
	REF_BRANCH,	/* refs/heads/..., refs/remotes/... */
	REF_TAG,	/* refs/tags/... */
	REF_PULL,	/* refs/pull/N/head */
	REF_PULL_MERGE,	/* refs/pull/N/merge: GitHub's test merge, not walked */
	REF_OTHER,	/* anything else but notes and stash */
};

struct mirror_ref {
	const char *name;
	unsigned char oid[OID_RAWSZ];	/* peeled to a commit */
	enum ref_kind kind;
	int is_default;	/* the branch HEAD names */
	uint32_t pr;	/* for refs/pull/N/... */
};

/*
 * The refs of m that point (after peeling tags) at commits, in name order,
 * the default branch first; when globs are given, only refs matching one
 * of them (fnmatch, on the full name) are returned.  *default_branch gets
 * the name HEAD points to ("" when HEAD is detached or missing).  Strings
 * live in a.
 *
 * Peeling a ref reads its object.  known(), when given, is asked first
 * whether a ref's target (or its peeled id from packed-refs) is already
 * known to be the commit that ref points at; a 1 saves the read.
 */
typedef int (*mirror_known_fn)(const char *name, const unsigned char *oid,
			       void *payload);
int mirror_refs(struct mirror *m, const char *const *globs, size_t nglobs,
		struct arena *a, struct mirror_ref **out, size_t *n,
		const char **default_branch, mirror_known_fn known,
		void *payload);

/*
 * History walk.  mirror_walk_from() visits the commits reachable from tip
 * that were not visited before in this walk and for which stop() returns
 * 0, parents before children, calling emit() for each.  stop() returns 1
 * to cut the walk at a commit (the commit and its ancestors are then not
 * visited from there), 0 to visit it, -1 to abort.  Commits older than
 * since (committer time) are cut too.  A commit that cannot be read is
 * reported with msg_partial() and cut.
 */
struct mirror_walk;
typedef int (*mirror_stop_fn)(const unsigned char *oid, void *payload);
typedef int (*mirror_emit_fn)(const unsigned char *oid, void *payload);

struct mirror_walk *mirror_walk_new(struct mirror *m, int64_t since);
int mirror_walk_from(struct mirror_walk *w, const unsigned char *tip,
		     const char *refname, mirror_stop_fn stop,
		     mirror_emit_fn emit, void *payload);
/* 1 when the walk has visited (or cut) oid. */
int mirror_walk_seen(struct mirror_walk *w, const unsigned char *oid);
/* 1 when a commit was cut because it was older than since. */
int mirror_walk_hit_horizon(const struct mirror_walk *w);
void mirror_walk_free(struct mirror_walk *w);

/*
 * Reads a commit's metadata into c (strings in a): time, author, subject,
 * body, parents count, flags COMMIT_MERGE; pr from the subject.  The diff
 * is diff.c's business.  Returns -1 (reported) when it cannot be read.
 */
int mirror_read_commit(struct mirror *m, const unsigned char *oid,
		       struct arena *a, struct commit *c);

/* "... (#123)" at the end of a subject, or "Merge pull request #123 ..."
 * at its start; 0 when neither. */
uint32_t mirror_subject_pr(const char *subject);

/*
 * Graph queries for the pull-request pass (prs.c).
 *
 * mirror_ref_classify(): the kind of a ref name as mirror_refs() gives it
 * (REF_OTHER for notes and stash too); *pr gets N of refs/pull/N/...
 *
 * mirror_revwalk(): libgit2's revision walk: fn gets each commit reachable
 * from one of push[] and from none of hide[] (git rev-list PUSH ^HIDE), in
 * no set order, or newest first in topological order with topo.  fn
 * returns 0 to go on, 1 to stop there, -1 to abort (then -1 is returned).
 * Ids that are not commits of m are skipped.  The walk costs what git's
 * does: the hidden side is walked down to the oldest commit shown, so a
 * caller hides tips that are close to what it pushes.
 *
 * mirror_descends(): 1 when commit is ancestor or descends from it, 0
 * when not (or when ancestor is not in m).  One merge-base query: for a
 * repository's one default tip per scan, not for each pull request.
 *
 * mirror_read_parents(): the first max parents of a commit into parents,
 * *n how many it has; -1 (reported) when it cannot be read.
 */
enum ref_kind mirror_ref_classify(const char *name, uint32_t *pr);
int mirror_revwalk(struct mirror *m, const unsigned char (*push)[OID_RAWSZ],
		   size_t npush, const unsigned char (*hide)[OID_RAWSZ],
		   size_t nhide, int topo, mirror_emit_fn fn, void *payload);
int mirror_descends(struct mirror *m, const unsigned char *commit,
		    const unsigned char *ancestor);
int mirror_read_parents(struct mirror *m, const unsigned char *oid,
			unsigned char (*parents)[OID_RAWSZ], unsigned max,
			unsigned *n);

void oid_to_hex(char *hex, const unsigned char *oid);
/* 0, or -1 when hex is not 40 hex digits. */
int oid_from_hex(unsigned char *oid, const char *hex);

#endif
