/*
 * index: the LMDB index of mirrorscan.  Only index.c sees <lmdb.h>.
 *
 * Layout (one LMDB environment in the --db directory; schema version 1):
 *
 *   meta     "magic" -> "mirrorscan-index", "schema" -> "1",
 *            "next-repo" -> u32 BE
 *   repos    NAME -> repo record (id, path, default branch, last scan,
 *            horizon, commit counts, rule state "ID FP\n"...)
 *   refs     repo(u32 BE) NAME -> commit oid (20 bytes): the ref tips of
 *            the last complete scan; a rerun whose tips and rules are
 *            unchanged does nothing at all
 *   commits  repo(u32 BE) oid(20) -> commit record (commit.h, varints;
 *            version 2 deflates all that follows the flags when the
 *            record is 256 bytes or more)
 *   bytime   repo(u32 BE) time(u64 BE, biased) oid(20) -> ""   (log/report
 *            windows are key ranges)
 *   bytag    TAG NUL time(u64 BE, biased) repo(u32 BE) oid(20) -> ""
 *   prs      repo(u32 BE) number(u32 BE) -> pull-request record (struct
 *            pr of prs.h: state, head, merge ref, landed commit, times,
 *            title, author, tags, its commit ids); number 0 holds the
 *            repo's pass record (the default branch and tip that
 *            ondefault reflects, a hash of the rule state the tags came
 *            from)
 *   bypr     repo(u32 BE) number(u32 BE) oid(20) -> ""   landed commits
 *            whose subject names pull request number ("... (#N)",
 *            "Merge pull request #N ...")
 *   ondefault repo(u32 BE) oid(20) -> ""   commits reachable from the
 *            default branch's tip of the pass record: where a pull
 *            request's own commits stop, and "merged" by reachability
 *   prcommits repo(u32 BE) oid(20) number(u32 BE) -> ""   the commits
 *            each pull request record lists: when the default branch
 *            takes one in, the PRs listing it are listed again
 *
 * An index written before the pull-request tables existed has none; a
 * reader then finds no pull requests, and the next scan of each repo
 * makes its tables in one full pass.
 *
 * Invariant: the index is closed under ancestry: when a commit is in it,
 * so are its parents (unless a --since horizon was set for that repo).
 * The scanner keeps it by writing commits parents first.
 *
 * Memory: everything returned is copied into the caller's arena, so it
 * outlives the transaction.  Transactions are short: a write transaction
 * holds one batch of a scan.  Only one process writes at a time: scan
 * takes index_lock() first.
 */
#ifndef MS_INDEX_H
#define MS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "commit.h"

struct arena;
struct index;
struct index_txn;

#define INDEX_SCHEMA 1

/* Return codes besides 0 and -1 (error already reported). */
enum {
	MS_NOTFOUND = -30,
	MS_MAPFULL = -31,	/* the map was grown; redo the transaction */
	MS_STOP = -32,		/* a callback asked to stop iterating */
};

enum index_open_flags {
	INDEX_READ = 0,
	INDEX_WRITE = 1,	/* create the directory and the index if need be */
};

/* "LMDB 0.9.24" */
struct buf;
void index_version(struct buf *out);

int index_open(struct index **out, const char *dir, unsigned flags);
void index_close(struct index *idx);
const char *index_path(const struct index *idx);

/* Exclusive scan lock (a file lock beside the data); fails with a clear
 * message when another scan holds it.  Released by index_close(). */
int index_lock(struct index *idx);

int index_begin(struct index *idx, int write, struct index_txn **out);
/* Commits and frees; MS_MAPFULL means nothing was written and the map
 * is bigger now: begin again and redo the batch. */
int index_commit(struct index_txn *txn);
void index_abort(struct index_txn *txn);

struct repo_info {
	uint32_t id;		/* 0 until stored */
	const char *name;
	const char *path;
	const char *default_branch;	/* "refs/heads/main", or "" */
	int64_t last_scan;	/* 0 = never completed */
	int64_t horizon;	/* oldest commit time walked; 0 = all */
	uint64_t ncommits, nlanded, npartial;
	const char *rule_state;	/* "ID FP\n" per rule the commits carry */
};

int index_repo_get(struct index_txn *txn, const char *name,
		   struct arena *a, struct repo_info *out);
/* Stores info; gives it an id first when info->id is 0. */
int index_repo_put(struct index_txn *txn, struct repo_info *info);
/* The repository called name in repos[0..n), or NULL. */
const struct repo_info *index_repo_find(const struct repo_info *repos,
					size_t n, const char *name);
/* -1, after "no repository 'X' in the index", when one of names is not
 * in repos; else 0.  For --repo. */
int index_repos_check(const struct repo_info *repos, size_t n,
		      const char *const *names, size_t nnames);
/* All repos, in name order. */
int index_repo_list(struct index_txn *txn, struct arena *a,
		    struct repo_info **out, size_t *n);

struct ref_tip {
	const char *name;
	unsigned char oid[OID_RAWSZ];
};

int index_refs_get(struct index_txn *txn, uint32_t repo, struct arena *a,
		   struct ref_tip **out, size_t *n);
int index_refs_replace(struct index_txn *txn, uint32_t repo,
		       const struct ref_tip *tips, size_t n);

/* Flags of an indexed commit, or MS_NOTFOUND. */
int index_commit_flags(struct index_txn *txn, uint32_t repo,
		       const unsigned char *oid, unsigned *flags);
int index_commit_get(struct index_txn *txn, uint32_t repo,
		     const unsigned char *oid, struct arena *a,
		     struct commit *out);
/*
 * Stores c.  old is NULL for a new commit (an existing one is then left
 * alone and 1 is returned), or the stored version being replaced (its
 * tag keys are removed).  Keeps the repo's commit counts in *info.
 */
int index_commit_put(struct index_txn *txn, struct repo_info *info,
		     const struct commit *c, const struct commit *old);

typedef int (*index_commit_fn)(uint32_t repo, const struct commit *c,
			       void *payload);
/*
 * Calls fn for the commits of repo with since <= time < until, newest
 * first (oldest first with reverse).  Each commit is decoded into a, which
 * the caller may reset inside fn.  fn returns 0, or MS_STOP to stop.
 */
int index_each_commit(struct index_txn *txn, uint32_t repo, int64_t since,
		      int64_t until, int reverse, struct arena *a,
		      index_commit_fn fn, void *payload);
/* The keys alone (no decoding): repo, time and id of each commit of repo
 * with since <= time < until, oldest first.  fn returns 0 or MS_STOP. */
typedef int (*index_key_fn)(uint32_t repo, int64_t time,
			    const unsigned char *oid, void *payload);
int index_each_key(struct index_txn *txn, uint32_t repo, int64_t since,
		   int64_t until, index_key_fn fn, void *payload);
/* Same, over the commits tagged TAG in every repo, newest first. */
int index_each_tagged(struct index_txn *txn, const char *tag, int64_t since,
		      int64_t until, struct arena *a, index_commit_fn fn,
		      void *payload);
/*
 * Commits of repo (0: every repo) whose hex id starts with prefix (4 to
 * 40 hex digits); fn as above.
 */
int index_each_prefix(struct index_txn *txn, uint32_t repo,
		      const char *prefix, struct arena *a, index_commit_fn fn,
		      void *payload);

/*
 * Pull requests (prs.c decides what goes in).  index_pr_get() returns
 * MS_NOTFOUND for none; index_pr_put() returns 1 without writing when the
 * stored record is the same, else 0.  index_each_pr() calls fn for each
 * PR of repo in number order (records decoded into a, which fn may reset;
 * fn returns 0 or MS_STOP).
 */
struct pr;
int index_pr_get(struct index_txn *txn, uint32_t repo, uint32_t number,
		 struct arena *a, struct pr *out);
int index_pr_put(struct index_txn *txn, uint32_t repo, const struct pr *pr);
typedef int (*index_pr_fn)(uint32_t repo, const struct pr *pr,
			   void *payload);
int index_each_pr(struct index_txn *txn, uint32_t repo, struct arena *a,
		  index_pr_fn fn, void *payload);

/* What the last complete pull-request pass of a repo reflects. */
struct pr_pass {
	const char *default_ref;	/* "refs/heads/main", or "" */
	int has_tip;
	unsigned char tip[OID_RAWSZ];	/* the tip ondefault is up to */
	uint64_t rules_hash;		/* of the rule state of the tags */
};
/* MS_NOTFOUND when no pass completed (or an index without the tables). */
int index_pr_pass_get(struct index_txn *txn, uint32_t repo, struct arena *a,
		      struct pr_pass *out);
int index_pr_pass_put(struct index_txn *txn, uint32_t repo,
		      const struct pr_pass *pass);

/* Landed commits naming a pull request; *out is malloc'd (caller frees). */
int index_bypr_add(struct index_txn *txn, uint32_t repo, uint32_t number,
		   const unsigned char *oid);
int index_bypr_clear(struct index_txn *txn, uint32_t repo);
int index_bypr_get(struct index_txn *txn, uint32_t repo, uint32_t number,
		   unsigned char (**out)[OID_RAWSZ], size_t *n);

/* The default branch's commits: 1 in it, 0 not, -1 error. */
int index_ondefault_has(struct index_txn *txn, uint32_t repo,
			const unsigned char *oid);
int index_ondefault_add(struct index_txn *txn, uint32_t repo,
			const unsigned char *oid);
int index_ondefault_clear(struct index_txn *txn, uint32_t repo);

/* The pull requests listing a commit (prcommits): put or, with del,
 * remove one key; get the numbers (*out malloc'd, caller frees). */
int index_prcommit_put(struct index_txn *txn, uint32_t repo,
		       const unsigned char *oid, uint32_t number, int del);
int index_prcommit_get(struct index_txn *txn, uint32_t repo,
		       const unsigned char *oid, uint32_t **out, size_t *n);

#endif
