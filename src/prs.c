/*
 * prs.c: pull requests (see prs.h).  mirror.c walks the mirror and index.c
 * stores the records; this file decides which pull requests a scan must
 * look at again, works out each one (its commits, state, landed commit,
 * title, tags), and prints them for the prs command.
 *
 * What one pass costs, with vllm in mind (10k pull requests, 100k
 * commits): one revision walk of the default branch from its new tip down
 * to the tip of the last pass (the whole branch only the first time), one
 * walk of the commits that landed since the last scan (their subjects may
 * name pull requests), and for each pull request whose refs moved, one
 * walk of its own commits that stops at the first commit of the default
 * branch (a key lookup in the ondefault table).  No merge-base query and
 * no walk of the whole history per pull request: a PR merged since the
 * last pass is found because its head is among the default branch's new
 * commits, or because a newly landed subject names it.
 *
 * Crash safety: the ondefault and bypr keys are added before the records
 * that use them, and the pass record (which says up to which default tip
 * ondefault is complete) is written last; the scan stores its ref tips
 * only after this pass.  A pass killed anywhere is redone whole by the
 * next scan, and redoing it writes the same records.
 */
#include "config.h"
#include "prs.h"
#include "arena.h"
#include "buf.h"
#include "date.h"
#include "esc.h"
#include "index.h"
#include "mirror.h"
#include "msg.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Pull requests per write transaction. */
#define PR_BATCH 256
/* Keys per write transaction when the first pass of a big repository adds
 * its whole default branch (LMDB bounds the dirty pages of one txn). */
#define KEY_BATCH 20000
/* Parents read per commit (octopus merges have more; they are rare and
 * not how pull requests are merged). */
#define MAX_PARENTS 8

#define COLOR_ID "\033[33m"
#define COLOR_TAG "\033[36m"
#define COLOR_OFF "\033[m"

static const char *const state_names[] = { "open", "merged", "closed" };

const char *prs_state_name(enum pr_state s)
{
	return (unsigned)s <= PR_CLOSED ? state_names[s] : "?";
}

int prs_state_parse(const char *s)
{
	int i;

	for (i = 0; i <= PR_CLOSED; i++)
		if (!strcmp(s, state_names[i]))
			return i;
	return -1;
}

/* ---- the pass ---------------------------------------------------- */

/* A pull request's refs now and at the last complete scan. */
struct cur_pr {
	uint32_t number;
	unsigned char head[OID_RAWSZ], merge[OID_RAWSZ];
	unsigned char old_head[OID_RAWSZ], old_merge[OID_RAWSZ];
	unsigned has_head : 1, has_merge : 1, had_head : 1, had_merge : 1;
	unsigned touched : 1;
	unsigned relist : 1;	/* the default branch took some of its
				   commits: list them again */
};

/* A merge commit on the default branch, by the parent it brought in. */
struct merge_in {
	unsigned char side[OID_RAWSZ];
	unsigned char merge[OID_RAWSZ];
	unsigned char base[OID_RAWSZ];	/* the merge's first parent */
};

/* A landed commit whose subject names a pull request. */
struct named {
	uint32_t number;
	unsigned char oid[OID_RAWSZ];
};

struct pass {
	struct index *idx;
	struct mirror *m;
	struct repo_info *ri;
	struct index_txn *txn;		/* the write txn of the batch */
	int has_default;
	unsigned char default_tip[OID_RAWSZ];
	int relist;			/* walk every PR's commits again */
	int64_t now;
	struct cur_pr *prs;
	size_t nprs, pralloc;
	unsigned char (*newdef)[OID_RAWSZ];	/* sorted */
	size_t nnewdef, ndalloc;
	struct merge_in *merges;	/* sorted by side */
	size_t nmerges, malloc_;
	struct named *named;
	size_t nnamed, nalloc;
	struct arena a;			/* one pull request's */
	struct arena tmp;		/* one commit's */
	size_t updated, by_state[3];
};

static int cmp_oid(const void *a, const void *b)
{
	return memcmp(a, b, OID_RAWSZ);
}

static int cmp_merge_in(const void *a, const void *b)
{
	return memcmp(((const struct merge_in *)a)->side,
		      ((const struct merge_in *)b)->side, OID_RAWSZ);
}

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return memcmp(x->oid, y->oid, OID_RAWSZ);
}

static int cmp_cur(const void *a, const void *b)
{
	const struct cur_pr *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* FNV-1a: the rule state changes as a whole, a hash of it is enough. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Is oid on the default branch (as of this pass)?  1, 0 or -1. */
static int on_default(struct pass *p, const unsigned char *oid)
{
	if (!p->has_default)
		return 0;
	return index_ondefault_has(p->txn, p->ri->id, oid);
}

/* Runs body(p, i) for i in [0, n) in write transactions of batch items,
 * redoing a batch whose transaction found the map full (the bodies
 * write the same keys again). */
static int in_batches(struct pass *p, size_t n, size_t batch,
		      int (*body)(struct pass *p, size_t i))
{
	size_t start = 0, i;
	int rc;

	while (start < n) {
		if ((rc = index_begin(p->idx, 1, &p->txn)) < 0)
			return rc;
		for (i = start, rc = 0; i < n && i < start + batch && !rc; i++)
			rc = body(p, i);
		if (rc < 0)
			index_abort(p->txn);
		else
			rc = index_commit(p->txn);
		p->txn = NULL;
		if (rc == MS_MAPFULL)
			continue;
		if (rc < 0)
			return rc;
		start = i;
	}
	return 0;
}

/* -- the default branch: what it gained since the last pass -- */

static int on_new_default(const unsigned char *oid, void *payload)
{
	struct pass *p = payload;
	unsigned char parents[MAX_PARENTS][OID_RAWSZ];
	unsigned n = 0, i;

	ALLOC_GROW(p->newdef, p->nnewdef + 1, p->ndalloc);
	memcpy(p->newdef[p->nnewdef++], oid, OID_RAWSZ);
	if (mirror_read_parents(p->m, oid, parents, MAX_PARENTS, &n) < 0)
		return 0;	/* reported; the scan has said it too */
	for (i = 1; i < n && i < MAX_PARENTS; i++) {
		struct merge_in *mi;

		ALLOC_GROW(p->merges, p->nmerges + 1, p->malloc_);
		mi = &p->merges[p->nmerges++];
		memcpy(mi->side, parents[i], OID_RAWSZ);
		memcpy(mi->merge, oid, OID_RAWSZ);
		memcpy(mi->base, parents[0], OID_RAWSZ);
	}
	return 0;
}

static int clear_default(struct pass *p, size_t i)
{
	(void)i;
	return index_ondefault_clear(p->txn, p->ri->id);
}

static int add_default(struct pass *p, size_t i)
{
	return index_ondefault_add(p->txn, p->ri->id, p->newdef[i]);
}

/*
 * Walks the default branch from its tip down to old_tip (the tip of the
 * last pass; NULL: the whole branch, its table emptied first) and adds
 * the commits to ondefault.  Only a first pass, a renamed default branch
 * or a rewritten one walks the whole branch.  0, -1 on an index error,
 * 1 when the history cannot be walked (reported).
 */
static int walk_default(struct pass *p, const unsigned char *old_tip)
{
	int rc;

	if (!old_tip && (rc = in_batches(p, 1, 1, clear_default)) < 0)
		return rc;
	if (!p->has_default ||
	    (old_tip && !memcmp(old_tip, p->default_tip, OID_RAWSZ)))
		return 0;
	if (mirror_revwalk(p->m, (const unsigned char (*)[OID_RAWSZ])
					 p->default_tip, 1,
			   (const unsigned char (*)[OID_RAWSZ])old_tip,
			   old_tip ? 1 : 0, 0, on_new_default, p) < 0)
		return 1;
	if (p->nnewdef)
		qsort(p->newdef, p->nnewdef, OID_RAWSZ, cmp_oid);
	if (p->nmerges)
		qsort(p->merges, p->nmerges, sizeof(*p->merges),
		      cmp_merge_in);
	return in_batches(p, p->nnewdef, KEY_BATCH, add_default);
}

/* -- newly landed commits: do their subjects name pull requests? -- */

static int on_new_landed(const unsigned char *oid, void *payload)
{
	struct pass *p = payload;
	struct commit c;

	arena_reset(&p->tmp);
	if (mirror_read_commit(p->m, oid, &p->tmp, &c) < 0)
		return 0;	/* reported; the scan has said it too */
	if (c.pr) {
		ALLOC_GROW(p->named, p->nnamed + 1, p->nalloc);
		p->named[p->nnamed].number = c.pr;
		memcpy(p->named[p->nnamed].oid, oid, OID_RAWSZ);
		p->nnamed++;
	}
	return 0;
}

static int clear_named(struct pass *p, size_t i)
{
	(void)i;
	return index_bypr_clear(p->txn, p->ri->id);
}

static int add_named(struct pass *p, size_t i)
{
	return index_bypr_add(p->txn, p->ri->id, p->named[i].number,
			      p->named[i].oid);
}

static int landed_kind(enum ref_kind k)
{
	return k == REF_BRANCH || k == REF_TAG;
}

/* The commits now on a branch or a tag that were on none at the last
 * scan (tips), or every landed commit with tips NULL, when bypr is made
 * again (a first pass, a rewritten default branch): bypr gets those
 * whose subject names a pull request.  Like walk_default(), 1 when the
 * history cannot be walked. */
static int walk_landed(struct pass *p, const struct mirror_ref *refs,
		       size_t nrefs, const struct ref_tip *tips, size_t ntips)
{
	unsigned char (*push)[OID_RAWSZ] = xcalloc(nrefs + 1, OID_RAWSZ);
	unsigned char (*hide)[OID_RAWSZ] = xcalloc(ntips + 1, OID_RAWSZ);
	size_t npush = 0, nhide = 0, i;
	int ret = 0;

	if (!tips && (ret = in_batches(p, 1, 1, clear_named)) < 0)
		goto out;

	for (i = 0; i < nrefs; i++)
		if (landed_kind(refs[i].kind))
			memcpy(push[npush++], refs[i].oid, OID_RAWSZ);
	for (i = 0; i < ntips; i++) {
		uint32_t n;

		if (landed_kind(mirror_ref_classify(tips[i].name, &n)))
			memcpy(hide[nhide++], tips[i].oid, OID_RAWSZ);
	}
	if (npush &&
	    mirror_revwalk(p->m, (const unsigned char (*)[OID_RAWSZ])push,
			   npush, (const unsigned char (*)[OID_RAWSZ])hide,
			   nhide, 0, on_new_landed, p) < 0)
		ret = 1;
out:
	free(push);
	free(hide);
	if (ret)
		return ret;
	if (p->nnamed)
		qsort(p->named, p->nnamed, sizeof(*p->named), cmp_named);
	return in_batches(p, p->nnamed, KEY_BATCH, add_named);
}

/* -- which pull requests to look at -- */

struct refent {
	uint32_t number;
	unsigned what;	/* 0 head, 1 merge, 2 old head, 3 old merge */
	const unsigned char *oid;
};

static int cmp_refent(const void *a, const void *b)
{
	const struct refent *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

static void add_refent(struct refent **v, size_t *n, size_t *alloc,
		       uint32_t number, unsigned what,
		       const unsigned char *oid)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[*n].number = number;
	(*v)[*n].what = what;
	(*v)[*n].oid = oid;
	(*n)++;
}

/* Folds the pull-request refs of now and of the last scan into p->prs,
 * one entry per number, in number order. */
static void collect_prs(struct pass *p, const struct mirror_ref *refs,
			size_t nrefs, const struct ref_tip *tips,
			size_t ntips)
{
	struct refent *v = NULL;
	size_t n = 0, alloc = 0, i;

	for (i = 0; i < nrefs; i++)
		if (refs[i].kind == REF_PULL || refs[i].kind == REF_PULL_MERGE)
			add_refent(&v, &n, &alloc, refs[i].pr,
				   refs[i].kind == REF_PULL ? 0 : 1,
				   refs[i].oid);
	for (i = 0; i < ntips; i++) {
		uint32_t number;
		enum ref_kind k = mirror_ref_classify(tips[i].name, &number);

		if (k == REF_PULL || k == REF_PULL_MERGE)
			add_refent(&v, &n, &alloc, number,
				   k == REF_PULL ? 2 : 3, tips[i].oid);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_refent);
	for (i = 0; i < n; i++) {
		struct cur_pr *c;

		if (!p->nprs || p->prs[p->nprs - 1].number != v[i].number) {
			ALLOC_GROW(p->prs, p->nprs + 1, p->pralloc);
			c = &p->prs[p->nprs++];
			memset(c, 0, sizeof(*c));
			c->number = v[i].number;
		}
		c = &p->prs[p->nprs - 1];
		switch (v[i].what) {
		case 0:
			memcpy(c->head, v[i].oid, OID_RAWSZ);
			c->has_head = 1;
			break;
		case 1:
			memcpy(c->merge, v[i].oid, OID_RAWSZ);
			c->has_merge = 1;
			break;
		case 2:
			memcpy(c->old_head, v[i].oid, OID_RAWSZ);
			c->had_head = 1;
			break;
		default:
			memcpy(c->old_merge, v[i].oid, OID_RAWSZ);
			c->had_merge = 1;
		}
	}
	free(v);
}

static int moved(const struct cur_pr *c)
{
	return c->has_head != c->had_head || c->has_merge != c->had_merge ||
	       (c->has_head && memcmp(c->head, c->old_head, OID_RAWSZ)) ||
	       (c->has_merge && memcmp(c->merge, c->old_merge, OID_RAWSZ));
}

static struct cur_pr *touch(struct pass *p, size_t n, uint32_t number)
{
	struct cur_pr key, *c;

	key.number = number;
	c = n ? bsearch(&key, p->prs, n, sizeof(*p->prs), cmp_cur) : NULL;
	if (!c) {
		/* no refs now: its record, if it has one, is kept up to
		 * date (and a number without one is an issue's) */
		ALLOC_GROW(p->prs, p->nprs + 1, p->pralloc);
		c = &p->prs[p->nprs++];
		memset(c, 0, sizeof(*c));
		c->number = number;
	}
	c->touched = 1;
	return c;
}

/*
 * Marks what this pass must look at: every PR with all; else those whose
 * refs moved, whose head the default branch reached, that a newly landed
 * subject names, and those listing a commit the default branch took in
 * (a stacked PR whose base was merged: listed again).
 */
static int mark_touched(struct pass *p, int all)
{
	size_t i, k, n = p->nprs;
	int ret = 0;

	for (i = 0; i < n; i++) {
		struct cur_pr *c = &p->prs[i];

		c->touched = all || moved(c) ||
			(c->has_head && p->nnewdef &&
			 bsearch(c->head, p->newdef, p->nnewdef, OID_RAWSZ,
				 cmp_oid));
	}
	for (i = 0; i < p->nnamed; i++)
		if (!i || p->named[i].number != p->named[i - 1].number)
			touch(p, n, p->named[i].number);
	if (!all && p->nnewdef) {
		if ((ret = index_begin(p->idx, 0, &p->txn)) < 0)
			return ret;
		for (i = 0; i < p->nnewdef && !ret; i++) {
			uint32_t *nums = NULL;
			size_t nn = 0;

			ret = index_prcommit_get(p->txn, p->ri->id,
						 p->newdef[i], &nums, &nn);
			for (k = 0; k < nn && !ret; k++) {
				struct cur_pr *c = touch(p, n, nums[k]);

				/* a head the default branch took keeps the
				 * commits it proposed */
				if (!c->has_head ||
				    !bsearch(c->head, p->newdef, p->nnewdef,
					     OID_RAWSZ, cmp_oid))
					c->relist = 1;
			}
			free(nums);
		}
		index_abort(p->txn);
		p->txn = NULL;
	}
	if (p->nprs > n)
		qsort(p->prs, p->nprs, sizeof(*p->prs), cmp_cur);
	return ret;
}

/* -- one pull request -- */

struct pr_walk {
	struct pass *p;
	unsigned char (*list)[OID_RAWSZ];
	size_t n, alloc;
	size_t visited;
	int truncated;
};

static int pr_stop(const unsigned char *oid, void *payload)
{
	struct pr_walk *pw = payload;
	struct pass *p = pw->p;
	int rc;

	if (p->has_default) {
		rc = index_ondefault_has(p->txn, p->ri->id, oid);
	} else {
		/* no default branch: stop where a branch or tag has it */
		unsigned flags;

		rc = index_commit_flags(p->txn, p->ri->id, oid, &flags);
		rc = rc == MS_NOTFOUND ? 0 :
		     rc < 0 ? rc : !!(flags & COMMIT_LANDED);
	}
	if (rc)
		return rc < 0 ? -1 : 1;
	if (pw->visited >= PR_MAX_COMMITS) {
		pw->truncated = 1;
		return 1;
	}
	pw->visited++;
	return 0;
}

static int pr_emit(const unsigned char *oid, void *payload)
{
	struct pr_walk *pw = payload;

	ALLOC_GROW(pw->list, pw->n + 1, pw->alloc);
	memcpy(pw->list[pw->n++], oid, OID_RAWSZ);
	return 0;
}

static int pr_collect(const unsigned char *oid, void *payload)
{
	struct pr_walk *pw = payload;

	if (pw->n >= PR_MAX_COMMITS) {
		pw->truncated = 1;
		return 1;
	}
	return pr_emit(oid, payload);
}

/* The base of a head that the default branch reached through a merge:
 * the merge's first parent.  From this pass's new merges, else from a
 * "Merge pull request #N" commit naming it. */
static int merge_base_of(struct pass *p, const struct pr *pr,
			 unsigned char *base)
{
	struct merge_in key, *mi;
	unsigned char (*cands)[OID_RAWSZ] = NULL;
	size_t n = 0, i;
	int ret = 0;

	memcpy(key.side, pr->head, OID_RAWSZ);
	mi = p->nmerges ? bsearch(&key, p->merges, p->nmerges,
				  sizeof(*p->merges), cmp_merge_in) : NULL;
	if (mi) {
		memcpy(base, mi->base, OID_RAWSZ);
		return 1;
	}
	if (index_bypr_get(p->txn, p->ri->id, pr->number, &cands, &n) < 0)
		return -1;
	for (i = 0; i < n && !ret; i++) {
		unsigned char parents[MAX_PARENTS][OID_RAWSZ];
		unsigned np = 0, k;

		if (mirror_read_parents(p->m, cands[i], parents, MAX_PARENTS,
					&np) < 0)
			continue;
		for (k = 1; k < np && k < MAX_PARENTS; k++)
			if (!memcmp(parents[k], pr->head, OID_RAWSZ)) {
				memcpy(base, parents[0], OID_RAWSZ);
				ret = 1;
			}
	}
	free(cands);
	return ret;
}

/* Its commits, oldest first: from the head down to the default branch;
 * for a head already on it, what the merge that took it brought in. */
static int list_commits(struct pass *p, struct pr *pr, int head_merged)
{
	struct pr_walk pw = { p, NULL, 0, 0, 0, 0 };
	unsigned char base[OID_RAWSZ];
	size_t i;
	int rc = 0;

	if (head_merged) {
		rc = merge_base_of(p, pr, base);
		if (rc < 0)
			return -1;
		if (rc) {
			/* newest first, at most PR_MAX_COMMITS of them */
			rc = mirror_revwalk(p->m,
				(const unsigned char (*)[OID_RAWSZ])pr->head,
				1, (const unsigned char (*)[OID_RAWSZ])base, 1,
				1, pr_collect, &pw);
			if (rc < 0) {
				/* a hole in the history: keep what was
				 * walked */
				msg_partial("%s: pull request #%u: its "
					    "commits cannot all be walked",
					    p->ri->name, pr->number);
				rc = 0;
			}
			for (i = 0; i < pw.n / 2; i++) {
				unsigned char t[OID_RAWSZ];

				memcpy(t, pw.list[i], OID_RAWSZ);
				memcpy(pw.list[i], pw.list[pw.n - 1 - i],
				       OID_RAWSZ);
				memcpy(pw.list[pw.n - 1 - i], t, OID_RAWSZ);
			}
		} else {
			/* NEEDSWORK: a head fast-forwarded into the default
			 * branch, or merged before the mirror kept its ref,
			 * has no base to tell its commits from the branch's:
			 * the head stands for them */
			pr_emit(pr->head, &pw);
		}
	} else {
		struct mirror_walk *w = mirror_walk_new(p->m, 0);
		struct buf ref = BUF_INIT;

		buf_addf(&ref, "refs/pull/%u/head", pr->number);
		rc = mirror_walk_from(w, pr->head, ref.ptr, pr_stop, pr_emit,
				      &pw);
		buf_release(&ref);
		mirror_walk_free(w);
	}
	if (rc < 0) {
		free(pw.list);
		return -1;
	}
	if (pw.truncated)
		pr->flags |= PR_TRUNCATED;
	pr->ncommits = (uint32_t)pw.n;
	pr->commits = arena_calloc(&p->a, pw.n + 1, OID_RAWSZ);
	if (pw.n)
		memcpy(pr->commits, pw.list, pw.n * OID_RAWSZ);
	free(pw.list);
	return 0;
}

/* A commit from the index, else (older than a --since horizon, say)
 * from the mirror; decoded into p->tmp.  0, 1 when unreadable, -1. */
static int read_commit(struct pass *p, const unsigned char *oid,
		       struct commit *c)
{
	int rc;

	arena_reset(&p->tmp);
	rc = index_commit_get(p->txn, p->ri->id, oid, &p->tmp, c);
	if (rc == MS_NOTFOUND) {
		rc = mirror_read_commit(p->m, oid, &p->tmp, c);
		if (rc < 0)
			return 1;
	}
	return rc < 0 ? -1 : 0;
}

struct tagset {
	const char **v;
	size_t n, alloc;
};

static void tagset_add(struct arena *a, struct tagset *ts,
		       const struct commit *c)
{
	uint32_t i;
	size_t k;

	for (i = 0; i < c->ntags; i++) {
		for (k = 0; k < ts->n; k++)
			if (!strcmp(ts->v[k], c->tags[i]))
				break;
		if (k < ts->n)
			continue;
		ALLOC_GROW(ts->v, ts->n + 1, ts->alloc);
		ts->v[ts->n++] = arena_strdup(a, c->tags[i]);
	}
}

/* Title, author, times and tags from its commits. */
static int describe(struct pass *p, struct pr *pr, struct tagset *ts)
{
	uint32_t i;
	int first = 1, rc;

	pr->title = pr->author = pr->email = "";
	for (i = 0; i < pr->ncommits; i++) {
		struct commit c;

		if ((rc = read_commit(p, pr->commits[i], &c)) < 0)
			return -1;
		if (rc)
			continue;
		if (first) {
			pr->title = arena_strdup(&p->a, c.subject);
			pr->author = arena_strdup(&p->a, c.author);
			pr->email = arena_strdup(&p->a, c.email);
			pr->first_time = pr->last_time = c.time;
			first = 0;
		}
		if (c.time < pr->first_time)
			pr->first_time = c.time;
		if (c.time > pr->last_time)
			pr->last_time = c.time;
		tagset_add(&p->a, ts, &c);
	}
	return 0;
}

/* The title a landed commit gives: the subject of a squash without its
 * " (#N)", the line after "Merge pull request #N from ..." of a merge. */
static const char *landed_title(struct arena *a, const struct commit *c)
{
	const char *s = c->subject;
	size_t len;

	if (!strncmp(s, "Merge pull request #", 20)) {
		len = strcspn(c->body, "\n");
		return len ? arena_strndup(a, c->body, len) : NULL;
	}
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len && s[len - 1] == ')')
		while (len && s[len - 1] != '(')
			len--;
	if (len)
		len--;	/* the '(' */
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len ? arena_strndup(a, s, len) : NULL;
}

/*
 * The landed commit: one whose subject names the PR (on the default
 * branch first, then the earliest), else the head when the default branch
 * has it.  Gives the title and tags a squash carries.
 */
static int find_landed(struct pass *p, struct pr *pr, int head_merged,
		       const struct pr *old, struct tagset *ts)
{
	unsigned char (*cands)[OID_RAWSZ] = NULL;
	size_t n = 0, i;
	int best_def = -1, rc, ret = 0;
	int64_t best_time = 0;
	struct commit c;

	if (index_bypr_get(p->txn, p->ri->id, pr->number, &cands, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int def = on_default(p, cands[i]);

		if (def < 0 || (rc = read_commit(p, cands[i], &c)) < 0) {
			ret = -1;
			goto out;
		}
		if (rc)
			continue;
		if (best_def < 0 || def > best_def ||
		    (def == best_def && c.time < best_time)) {
			best_def = def;
			best_time = c.time;
			memcpy(pr->landed, cands[i], OID_RAWSZ);
		}
	}
	if (best_def >= 0) {
		const char *title;

		pr->flags |= PR_LANDED | PR_BY_SUBJECT;
		pr->landed_time = best_time;
		if ((rc = read_commit(p, pr->landed, &c)) < 0) {
			ret = -1;
			goto out;
		}
		if (!rc) {
			title = landed_title(&p->a, &c);
			if (title)
				pr->title = title;
			if (!*pr->author) {
				pr->author = arena_strdup(&p->a, c.author);
				pr->email = arena_strdup(&p->a, c.email);
			}
			tagset_add(&p->a, ts, &c);
		}
	} else if (head_merged) {
		struct merge_in key, *mi;

		pr->flags |= PR_LANDED;
		memcpy(pr->landed, pr->head, OID_RAWSZ);
		/* when it landed: the merge that took it, when this pass
		 * saw it; else as the last pass found; else the head's */
		memcpy(key.side, pr->head, OID_RAWSZ);
		mi = p->nmerges ? bsearch(&key, p->merges, p->nmerges,
					  sizeof(*p->merges), cmp_merge_in)
				: NULL;
		if (mi && !(rc = read_commit(p, mi->merge, &c)))
			pr->landed_time = c.time;
		else if (old && (old->flags & PR_LANDED) &&
			 !memcmp(old->landed, pr->head, OID_RAWSZ))
			pr->landed_time = old->landed_time;
		else if (!read_commit(p, pr->head, &c))
			pr->landed_time = c.time;
	}
out:
	free(cands);
	return ret;
}

/* prcommits follows the new list of pr (old: the record it replaces). */
static int track_commits(struct pass *p, const struct pr *old,
			 const struct pr *pr)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; old && i < old->ncommits && !rc; i++)
		rc = index_prcommit_put(p->txn, p->ri->id, old->commits[i],
					old->number, 1);
	for (i = 0; i < pr->ncommits && !rc; i++)
		rc = index_prcommit_put(p->txn, p->ri->id, pr->commits[i],
					pr->number, 0);
	return rc;
}

static int update_pr(struct pass *p, size_t i)
{
	const struct cur_pr *c = &p->prs[i];
	struct tagset ts = { NULL, 0, 0 };
	struct pr old, pr;
	int has_old, head_merged, rc, ret = 0;

	arena_reset(&p->a);
	rc = index_pr_get(p->txn, p->ri->id, c->number, &p->a, &old);
	if (rc < 0 && rc != MS_NOTFOUND)
		return rc;
	has_old = rc == 0;
	memset(&pr, 0, sizeof(pr));
	pr.number = c->number;
	if (c->has_head) {
		memcpy(pr.head, c->head, OID_RAWSZ);
	} else if (has_old) {
		memcpy(pr.head, old.head, OID_RAWSZ);
		pr.flags |= PR_NO_HEAD_REF;
	} else {
		return 0;	/* no pull request: an issue's number */
	}
	if (c->has_merge) {
		pr.flags |= PR_MERGE_REF;
		memcpy(pr.merge, c->merge, OID_RAWSZ);
	}
	if ((head_merged = on_default(p, pr.head)) < 0)
		return -1;
	if (head_merged)
		pr.flags |= PR_HEAD_MERGED;

	/* its commits: a head that did not move keeps them */
	if (has_old && !p->relist && !c->relist &&
	    !memcmp(old.head, pr.head, OID_RAWSZ)) {
		pr.ncommits = old.ncommits;
		pr.commits = old.commits;
		pr.flags |= old.flags & PR_TRUNCATED;
	} else if ((ret = list_commits(p, &pr, head_merged)) < 0 ||
		   (ret = track_commits(p, has_old ? &old : NULL, &pr)) < 0) {
		goto out;
	}
	if ((ret = describe(p, &pr, &ts)) < 0 ||
	    (ret = find_landed(p, &pr, head_merged, has_old ? &old : NULL,
			       &ts)) < 0)
		goto out;
	if (ts.n)
		qsort(ts.v, ts.n, sizeof(*ts.v), cmp_cstr);
	pr.ntags = (uint32_t)ts.n;
	pr.tags = ts.v;

	if (pr.flags & (PR_HEAD_MERGED | PR_BY_SUBJECT))
		pr.state = PR_MERGED;
	else if (pr.flags & PR_MERGE_REF)
		pr.state = PR_OPEN;
	else
		pr.state = PR_CLOSED;
	if (pr.state == PR_MERGED)
		pr.state_time = pr.landed_time;
	else if (has_old && old.state == pr.state)
		pr.state_time = old.state_time;
	else if (has_old)
		pr.state_time = p->now;	/* this scan saw it (re)open, close */
	else
		pr.state_time = pr.last_time;

	rc = index_pr_put(p->txn, p->ri->id, &pr);
	if (rc < 0) {
		ret = rc;
		goto out;
	}
	if (rc == 0) {
		p->updated++;
		p->by_state[pr.state]++;
	}
out:
	free(ts.v);
	return ret;
}

static int put_pass(struct pass *p, size_t i)
{
	struct pr_pass pp;

	(void)i;
	memset(&pp, 0, sizeof(pp));
	pp.default_ref = p->ri->default_branch;
	pp.has_tip = p->has_default;
	memcpy(pp.tip, p->default_tip, OID_RAWSZ);
	pp.rules_hash = hash_str(p->ri->rule_state);
	return index_pr_pass_put(p->txn, p->ri->id, &pp);
}

static double seconds(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int prs_update(struct index *idx, struct mirror *m, struct repo_info *ri,
	       const struct mirror_ref *refs, size_t nrefs,
	       const struct ref_tip *tips, size_t ntips)
{
	struct pass p;
	struct pr_pass old;
	struct arena pa = ARENA_INIT;
	size_t i, start, ntouched = 0, updated = 0;
	size_t by_state[3] = { 0, 0, 0 };
	struct timespec t0;
	int has_old, rebuild, all, rc, ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&p, 0, sizeof(p));
	p.idx = idx;
	p.m = m;
	p.ri = ri;
	p.now = date_now();
	for (i = 0; i < nrefs; i++)
		if (refs[i].is_default) {
			p.has_default = 1;
			memcpy(p.default_tip, refs[i].oid, OID_RAWSZ);
		}

	if ((ret = index_begin(idx, 0, &p.txn)) < 0)
		goto out;
	rc = index_pr_pass_get(p.txn, ri->id, &pa, &old);
	index_abort(p.txn);
	p.txn = NULL;
	if (rc < 0 && rc != MS_NOTFOUND) {
		ret = rc;
		goto out;
	}
	has_old = rc == 0;
	/* the default branch renamed, gone or rewritten: its table is
	 * made again, and every pull request's commits listed again */
	rebuild = !has_old || strcmp(old.default_ref, ri->default_branch) ||
		  old.has_tip != p.has_default ||
		  (old.has_tip &&
		   !mirror_descends(m, p.default_tip, old.tip));
	p.relist = rebuild;
	all = rebuild || hash_str(ri->rule_state) != old.rules_hash;
	if (!has_old) {
		/* the first pass: everything is new */
		tips = NULL;
		ntips = 0;
	}

	rc = walk_default(&p, !rebuild && old.has_tip ? old.tip : NULL);
	if (!rc)
		rc = walk_landed(&p, refs, nrefs, rebuild ? NULL : tips,
				 rebuild ? 0 : ntips);
	if (rc > 0) {
		/* a mirror with holes in its history: the scan says which
		 * commits; the pull requests stay as the last pass left
		 * them, and the next scan tries again */
		msg_partial("%s: pull requests not updated: the history "
			    "cannot be walked", ri->name);
		goto out;
	}
	if ((ret = rc) < 0)
		goto out;
	collect_prs(&p, refs, nrefs, tips, ntips);
	if ((ret = mark_touched(&p, all)) < 0)
		goto out;
	for (i = 0; i < p.nprs; i++)
		if (p.prs[i].touched)
			p.prs[ntouched++] = p.prs[i];

	/* in batches; a batch redone after MS_MAPFULL counts once */
	for (start = 0; start < ntouched; start += PR_BATCH) {
		size_t end = start + PR_BATCH < ntouched ? start + PR_BATCH
							 : ntouched;

		for (;;) {
			p.updated = 0;
			memset(p.by_state, 0, sizeof(p.by_state));
			if ((ret = index_begin(idx, 1, &p.txn)) < 0)
				goto out;
			for (i = start, rc = 0; i < end && !rc; i++)
				rc = update_pr(&p, i);
			if (rc < 0)
				index_abort(p.txn);
			else
				rc = index_commit(p.txn);
			p.txn = NULL;
			if (rc != MS_MAPFULL)
				break;
		}
		if (rc < 0) {
			ret = rc;
			goto out;
		}
		updated += p.updated;
		for (i = 0; i < 3; i++)
			by_state[i] += p.by_state[i];
	}
	if ((ret = in_batches(&p, 1, 1, put_pass)) < 0)
		goto out;
	if (updated)
		info("%s: %zu pull request%s updated (%zu open, %zu merged, "
		     "%zu closed), %.2f s", ri->name, updated,
		     updated == 1 ? "" : "s", by_state[PR_OPEN],
		     by_state[PR_MERGED], by_state[PR_CLOSED], seconds(&t0));
out:
	index_abort(p.txn);
	free(p.prs);
	free(p.newdef);
	free(p.merges);
	free(p.named);
	arena_release(&p.a);
	arena_release(&p.tmp);
	arena_release(&pa);
	return ret < 0 ? -1 : 0;
}

int prs_pass_needed(struct index_txn *txn, uint32_t repo)
{
	struct arena a = ARENA_INIT;
	struct pr_pass pp;
	int rc = index_pr_pass_get(txn, repo, &a, &pp);

	arena_release(&a);
	return rc == MS_NOTFOUND ? 1 : rc < 0 ? -1 : 0;
}

/* ---- reading ----------------------------------------------------- */

struct active {
	int64_t since, until;
	prs_fn fn;
	void *payload;
};

static int in_window(int64_t t, int64_t since, int64_t until)
{
	return t && t >= since && t < until;
}

static int active_one(uint32_t repo, const struct pr *pr, void *payload)
{
	struct active *ac = payload;

	if (!in_window(pr->last_time, ac->since, ac->until) &&
	    !in_window(pr->state_time, ac->since, ac->until))
		return 0;
	return ac->fn(repo, pr, ac->payload);
}

int prs_each_active(struct index_txn *txn, uint32_t repo, int64_t since,
		    int64_t until, struct arena *a, prs_fn fn, void *payload)
{
	struct active ac = { since, until, fn, payload };

	return index_each_pr(txn, repo, a, active_one, &ac);
}

static void json_time_or_null(struct buf *out, int64_t t, int known)
{
	if (!known) {
		buf_addstr(out, "null");
		return;
	}
	buf_addch(out, '"');
	date_format_iso(out, t);
	buf_addch(out, '"');
}

static void json_oid_or_null(struct buf *out, const unsigned char *oid,
			     int known)
{
	char hex[OID_HEXSZ + 1];

	if (!known) {
		buf_addstr(out, "null");
		return;
	}
	oid_to_hex(hex, oid);
	buf_addf(out, "\"%s\"", hex);
}

void prs_json(struct buf *out, const char *repo, const struct pr *pr)
{
	int have_times = pr->first_time || pr->last_time;
	uint32_t i;

	buf_addstr(out, "{\"repo\":");
	esc_json(out, repo, strlen(repo));
	buf_addf(out, ",\"number\":%u,\"state\":\"%s\",\"title\":",
		 pr->number, prs_state_name(pr->state));
	esc_json(out, pr->title, strlen(pr->title));
	buf_addstr(out, ",\"author\":");
	esc_json(out, pr->author, strlen(pr->author));
	buf_addstr(out, ",\"email\":");
	esc_json(out, pr->email, strlen(pr->email));
	buf_addstr(out, ",\"first_time\":");
	json_time_or_null(out, pr->first_time, have_times);
	buf_addstr(out, ",\"last_time\":");
	json_time_or_null(out, pr->last_time, have_times);
	buf_addstr(out, ",\"head\":");
	json_oid_or_null(out, pr->head, 1);
	buf_addstr(out, ",\"merge_ref\":");
	json_oid_or_null(out, pr->merge, pr->flags & PR_MERGE_REF);
	buf_addf(out, ",\"commits\":%u,\"truncated\":%s,\"tags\":[",
		 pr->ncommits, pr->flags & PR_TRUNCATED ? "true" : "false");
	for (i = 0; i < pr->ntags; i++) {
		if (i)
			buf_addch(out, ',');
		esc_json(out, pr->tags[i], strlen(pr->tags[i]));
	}
	buf_addstr(out, "],\"landed\":");
	json_oid_or_null(out, pr->landed, pr->flags & PR_LANDED);
	buf_addstr(out, ",\"landed_time\":");
	json_time_or_null(out, pr->landed_time, pr->flags & PR_LANDED);
	buf_addf(out, ",\"merged_by\":%s",
		 pr->state != PR_MERGED ? "null" :
		 pr->flags & PR_BY_SUBJECT ? "\"subject\"" : "\"head\"");
	buf_addstr(out, ",\"state_time\":");
	json_time_or_null(out, pr->state_time, pr->state_time != 0);
	buf_addch(out, '}');
}

/* ---- the prs command ---------------------------------------------- */

struct listing {
	const struct prs_filter *f;
	enum out_format fmt;
	int color;
	FILE *out;
	const char *repo;
	struct buf line;
	struct arena *keep;
	struct pr *prs;		/* of one repo, to print newest first */
	size_t n, alloc;
	size_t count;
};

static int pr_has_tag(const struct pr *pr, const char *tag)
{
	uint32_t i;

	for (i = 0; i < pr->ntags; i++)
		if (!strcmp(pr->tags[i], tag))
			return 1;
	return 0;
}

static int pr_passes(const struct prs_filter *f, const struct pr *pr)
{
	size_t i;

	if (f->state >= 0 && (int)pr->state != f->state)
		return 0;
	for (i = 0; i < f->ntags; i++)
		if (!pr_has_tag(pr, f->tags[i]))
			return 0;
	if (f->since != INT64_MIN && pr->last_time < f->since &&
	    pr->state_time < f->since)
		return 0;
	return 1;
}

static int keep_pr(uint32_t repo, const struct pr *pr, void *payload)
{
	struct listing *ls = payload;

	(void)repo;
	if (!pr_passes(ls->f, pr))
		return 0;
	ALLOC_GROW(ls->prs, ls->n + 1, ls->alloc);
	ls->prs[ls->n++] = *pr;
	return 0;
}

static void text_pr(struct listing *ls, const struct pr *pr)
{
	struct buf *b = &ls->line;
	uint32_t i;

	esc_text(b, ls->repo, strlen(ls->repo));
	buf_addf(b, "%s#%u%s %-6s ", ls->color ? COLOR_ID : "", pr->number,
		 ls->color ? COLOR_OFF : "", prs_state_name(pr->state));
	if (pr->state == PR_MERGED || pr->last_time)
		date_format_day(b, pr->state == PR_MERGED ? pr->landed_time
							  : pr->last_time);
	else
		buf_addstr(b, "-         ");
	buf_addch(b, ' ');
	esc_text(b, pr->title, strlen(pr->title));
	buf_addstr(b, " (");
	esc_text(b, pr->author, strlen(pr->author));
	buf_addf(b, "%s%u commit%s%s)", *pr->author ? ", " : "", pr->ncommits,
		 pr->ncommits == 1 ? "" : "s",
		 pr->flags & PR_TRUNCATED ? " or more" : "");
	if (pr->ntags) {
		buf_addf(b, "  %s[", ls->color ? COLOR_TAG : "");
		for (i = 0; i < pr->ntags; i++) {
			if (i)
				buf_addch(b, ' ');
			esc_text(b, pr->tags[i], strlen(pr->tags[i]));
		}
		buf_addf(b, "]%s", ls->color ? COLOR_OFF : "");
	}
	buf_addch(b, '\n');
}

static void print_repo(struct listing *ls)
{
	size_t i;

	for (i = ls->n; i-- > 0;) {
		const struct pr *pr = &ls->prs[i];

		buf_reset(&ls->line);
		switch (ls->fmt) {
		case FMT_JSON:
			buf_addstr(&ls->line, ls->count ? ",\n" : "[\n");
			prs_json(&ls->line, ls->repo, pr);
			break;
		case FMT_NDJSON:
			prs_json(&ls->line, ls->repo, pr);
			buf_addch(&ls->line, '\n');
			break;
		default:
			text_pr(ls, pr);
		}
		fwrite(ls->line.ptr, 1, ls->line.len, ls->out);
		ls->count++;
	}
}

int prs_query(struct index *idx, const struct prs_filter *f,
	      enum out_format fmt, int color, FILE *out, size_t *count)
{
	struct arena ra = ARENA_INIT, a = ARENA_INIT;
	struct index_txn *t = NULL;
	struct repo_info *repos = NULL;
	struct listing ls;
	size_t nrepos = 0, i, k;
	int ret;

	memset(&ls, 0, sizeof(ls));
	ls.f = f;
	ls.fmt = fmt;
	ls.color = color && fmt == FMT_TEXT;
	ls.out = out;
	buf_init(&ls.line, 0);
	if ((ret = index_begin(idx, 0, &t)) < 0)
		goto out;
	if ((ret = index_repo_list(t, &ra, &repos, &nrepos)) < 0)
		goto out;
	if ((ret = index_repos_check(repos, nrepos, f->repos, f->nrepos)) < 0)
		goto out;
	for (i = 0; i < nrepos && !ret && !ferror(out); i++) {
		if (f->nrepos) {
			for (k = 0; k < f->nrepos; k++)
				if (!strcmp(repos[i].name, f->repos[k]))
					break;
			if (k == f->nrepos)
				continue;
		}
		ls.repo = repos[i].name;
		ls.n = 0;
		arena_reset(&a);
		ret = index_each_pr(t, repos[i].id, &a, keep_pr, &ls);
		if (!ret)
			print_repo(&ls);
	}
	if (!ret && fmt == FMT_JSON)
		fputs(ls.count ? "\n]\n" : "[]\n", out);
out:
	*count = ls.count;
	index_abort(t);
	free(repos);
	free(ls.prs);
	buf_release(&ls.line);
	arena_release(&a);
	arena_release(&ra);
	return ret < 0 ? -1 : 0;
}
