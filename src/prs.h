/*
 * prs: pull requests known offline, from the refs/pull/N/head and
 * refs/pull/N/merge refs that a GitHub mirror carries.  The scan calls
 * prs_update() once per repository, after the repository's commits are in
 * the index and before its ref tips are stored; the prs command, and the
 * reports, read the records back.
 *
 * The model (DESIGN.md): a pull request is merged when its head is
 * reachable from the default branch (the branch HEAD names; another
 * branch is not enough) or a landed commit's subject ends "(#N)" or
 * begins "Merge pull request #N "; else open when refs/pull/N/merge
 * exists; else closed.  Its commits are those reachable from its head
 * and not from the default branch (at most PR_MAX_COMMITS); for a head
 * merged by a merge commit, those the merge brought in.  Its title is the
 * subject of its first commit unless the landed commit gives one.  Known
 * limits: GitHub keeps no merge ref for an open PR with conflicts, which
 * then reads closed; a squash whose subject was edited is missed (closed);
 * a PR closed without merge that keeps its merge ref reads open.
 *
 * Nothing here sees libgit2 or LMDB: mirror.c walks, index.c stores.
 */
#ifndef MS_PRS_H
#define MS_PRS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "commit.h"
#include "query.h"

struct arena;
struct buf;
struct index;
struct index_txn;
struct mirror;
struct mirror_ref;
struct ref_tip;
struct repo_info;

/* A head whose history reaches the default branch only through more
 * commits than this (a stale or unrelated branch) is cut there. */
#define PR_MAX_COMMITS 1000

enum pr_state { PR_OPEN = 0, PR_MERGED = 1, PR_CLOSED = 2 };

enum pr_flags {
	PR_MERGE_REF = 1 << 0,		/* refs/pull/N/merge: merge set */
	PR_LANDED = 1 << 1,		/* landed is set */
	PR_TRUNCATED = 1 << 2,		/* commits cut at PR_MAX_COMMITS */
	PR_HEAD_MERGED = 1 << 3,	/* the default branch has head */
	PR_BY_SUBJECT = 1 << 4,		/* landed's subject names it */
	PR_NO_HEAD_REF = 1 << 5,	/* refs/pull/N/head is gone: head
					   is the last one seen */
};

struct pr {
	uint32_t number;
	enum pr_state state;
	unsigned flags;			/* enum pr_flags */
	unsigned char head[OID_RAWSZ];
	unsigned char merge[OID_RAWSZ];	/* with PR_MERGE_REF */
	unsigned char landed[OID_RAWSZ];	/* with PR_LANDED */
	/* committer times of its first and last commits; 0 when none
	 * could be read */
	int64_t first_time, last_time;
	int64_t landed_time;		/* with PR_LANDED */
	/* when it reached its state, as well as offline tells: the
	 * landing for merged, the scan that saw an open PR close (or
	 * reopen), else its last commit */
	int64_t state_time;
	const char *title, *author, *email;
	uint32_t ntags;
	const char **tags;		/* sorted, distinct */
	uint32_t ncommits;
	unsigned char (*commits)[OID_RAWSZ];	/* oldest first */
};

/* "open", "merged", "closed". */
const char *prs_state_name(enum pr_state s);
/* -1 when s names no state. */
int prs_state_parse(const char *s);

/*
 * The scan's hook: brings the pull requests of repository ri (already
 * holding its id, default branch and rule state) up to date with refs,
 * the refs just scanned, given tips, the tips the last complete scan
 * stored (NULL, 0 for none).  Looks only at what changed: PRs whose refs
 * moved, PRs named by newly landed commits, PRs whose head the default
 * branch has reached since the last pass (one revision walk from the new
 * default tip down to the old one), and all of them when the rules or the
 * default branch's history changed.  Commits that cannot be read are
 * reported with msg_partial(); returns 0, or -1 after an error.
 * Idempotent: a pass killed at any point is redone by the next scan.
 */
int prs_update(struct index *idx, struct mirror *m, struct repo_info *ri,
	       const struct mirror_ref *refs, size_t nrefs,
	       const struct ref_tip *tips, size_t ntips);

/*
 * 1 when repo has no complete pull-request pass (an index written before
 * pull requests were recorded, or in an older format): a scan must run
 * prs_update() even if its refs did not move.  0, or -1 on an error.
 */
int prs_pass_needed(struct index_txn *txn, uint32_t repo);

/*
 * For the reports: calls fn for each pull request of repo with activity
 * in [since, until): its last commit, or the change to its state
 * (state_time), falls in the window.  In number order; each record is
 * decoded into a, which fn may reset.  fn returns 0, or MS_STOP to stop.
 */
typedef int (*prs_fn)(uint32_t repo, const struct pr *pr, void *payload);
int prs_each_active(struct index_txn *txn, uint32_t repo, int64_t since,
		    int64_t until, struct arena *a, prs_fn fn, void *payload);

/* The contract's JSON object of a pull request (no trailing newline). */
void prs_json(struct buf *out, const char *repo, const struct pr *pr);

/* The prs command. */
struct prs_filter {
	const char **repos;	/* any of them; none: all */
	size_t nrepos;
	int state;		/* enum pr_state, or -1 for all */
	const char **tags;	/* every one must be carried */
	size_t ntags;
	int64_t since;		/* activity since (INT64_MIN: any) */
};

/* Writes the matching pull requests; *count gets how many.  0 or -1. */
int prs_query(struct index *idx, const struct prs_filter *f,
	      enum out_format fmt, int color, FILE *out, size_t *count);

#endif
