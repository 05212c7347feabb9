/*
 * scan.c: the scan engine (see scan.h).  mirror.c walks, diff.c diffs,
 * rules.c matches, index.c stores; this file decides what to scan and
 * with which rules, turns file changes and lines into matches and tags,
 * and runs the workers and the writer.
 *
 * Threads: the calling thread walks and then writes; workers take jobs
 * in order and leave each result in its slot; the writer stores slots in
 * job order (parents before children keeps the index closed under
 * ancestry), so a worker never runs more than WINDOW jobs ahead of it.
 */
#include "config.h"
#include "scan.h"
#include "arena.h"
#include "blobkw.h"
#include "buf.h"
#include "commit.h"
#include "diff.h"
#include "diffmemo.h"
#include "pack.h"
#include "esc.h"
#include "index.h"
#include "mirror.h"
#include "moved.h"
#include "msg.h"
#include "prs.h"
#include "rules.h"

#ifdef HAVE_MALLOPT
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Commits per write transaction: large enough that fsync is not the
 * bottleneck, small enough that a killed scan loses little work. */
#define BATCH 512
/* How far workers may run ahead of the writer (bounds memory). */
#define WINDOW 1024
/* Blobs whose keywords a scan remembers: 54 bytes each with the default
 * pack, twice that in slots at most (28 MiB); flashinfer has 55k. */
#define BLOBKW_MAX ((size_t)1 << 18)
/* Regexes see at most this much of a line: longer lines are generated or
 * minified data, and some patterns cost the square of a line's length. */
#define LINE_MATCH_MAX 4096

enum job_kind { JOB_NEW, JOB_RESCAN };

struct job {
	unsigned char oid[OID_RAWSZ];
	unsigned char kind;
	unsigned char landed;
	uint32_t pr;
	const char *ref;
};

struct result {
	struct arena a;
	struct commit c;
};

struct scan_repo {
	const struct scan_opts *o;
	const struct rules *rules;
	const char *name, *path;
	char **rule_tags;		/* per rule, space-separated */
	struct blobkw *blobkw;		/* shared by the repositories */
	struct diffmemo *memo;		/* results by diff, this repository */
	struct pack_cache *packs;	/* resolved delta bases, shared */
	unsigned char *all_rules;	/* bitset: every rule */
	unsigned char *changed_rules;	/* bitset: rescan these */
	struct job *jobs;
	size_t njobs, jalloc;
	unsigned char (*flips)[OID_RAWSZ];
	size_t nflips, falloc;
	size_t nrescan;			/* jobs[0..nrescan) are rescans */
	struct result **results;
	size_t next_job, written;
	int abort;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* the window moved, or abort */
	pthread_cond_t result_cond;	/* results[awaited] is in */
	size_t awaited;			/* the result the writer waits for */
	/* walk state */
	struct index_txn *rtxn;
	uint32_t repo_id;
	int full_walk;
	int landed_walk;
	uint32_t walk_pr;
	const char *walk_ref;
};

static int bit(const unsigned char *set, size_t i)
{
	return set[i / 8] >> (i % 8) & 1;
}

static void set_bit(unsigned char *set, size_t i)
{
	set[i / 8] |= (unsigned char)(1u << (i % 8));
}

/* ---- evaluating one commit --------------------------------------- */

enum { HIT_ADDED = 1, HIT_REMOVED = 2 };

/* What tells whether a match's line moved: the moved_key() of its line
 * (0: the match is not a line), and whether the rule's "order-free"
 * took it (then it moved when the commit has it on the other side in
 * any file, its own too). */
struct match_line {
	uint64_t key;
	int order_free;
};

struct pending {
	size_t rule;
	struct match m;
	struct match_line ml;
};

enum { KW_CHECKED, KW_DEFERRED, KW_FAILED };

struct func_memo {
	int known;
	int verdict;
	int none;		/* there was no function line */
	size_t len;		/* of the function line, clipped */
	char *func;		/* a copy: the diff reuses its buffers */
	size_t alloc;
};

struct eval {
	struct scan_repo *sr;
	struct rules_matcher *rm;
	struct arena *a;
	struct commit *c;
	const unsigned char *active;
	const char *hex;
	unsigned char *msg_ok;		/* per rule */
	unsigned char *hits;		/* per rule, this file */
	uint16_t *count;		/* per rule, this commit */
	uint16_t *pcount;		/* per rule, pending in this file */
	unsigned char *kwset;		/* keywords of this file change */
	unsigned char *blob_kwset;	/* keywords of one side */
	unsigned char *line_kwset;	/* keywords of the current line */
	/* file rules still looking at added [0] or removed [1] lines: with
	 * line keywords (only lines that hold one are for them), and
	 * without (every line is); live[side] is the set of them (rule
	 * sets as rules_rule_words() words, see rules.h) */
	size_t line_kw[2];
	size_t every_line[2];
	uint64_t *live[2];
	uint64_t *cand;			/* rules the current line is for */
	uint64_t *every;		/* rules without line keywords */
	size_t nwords;
	size_t *file_rules, nfile_rules;
	struct pending *pending;
	size_t npending, palloc;
	struct match *matches;
	struct match_line *mline;	/* per match */
	size_t nmatches, malloc_, mline_alloc;
	struct moved moved;		/* this commit's changed lines */
	struct file_change *files;
	size_t nfiles, falloc;
	int record_files;
	unsigned char *warned;		/* per rule: limit reported */
	/* per rule: a path broke only-path, or a line only-lines */
	unsigned char *only_fail;
	size_t *line_class_rules, nline_class_rules;	/* only-lines, this file */
	size_t nchanged;		/* file changes seen, this commit */
	uint64_t nlines;		/* their changed lines, counted */
	/* a live rule takes lines: every file's lines are read, so that a
	 * line moved to a file no live rule reads is known as moved, and
	 * a rescan finds what a first scan would (mirrorscan-rules(5),
	 * "Moved lines"); "min-lines" (which needs "added" or "removed")
	 * counts them all too */
	int track_moved;
	uint64_t file_seq;		/* file changes read, never reset */
	/* "same-hunk", per rule: the hunk last asked about (file_seq and
	 * hunk number) and whether it removes a line "removed" takes */
	uint64_t *hunk_key;
	unsigned char *hunk_ok;
	/* "function", per rule: the verdict on the function line last
	 * asked about (a hunk's lines mostly share one) */
	struct func_memo *func_memo;
	/* "scope", per side, for the file change file_seq (0: none yet):
	 * where each line of its contents starts, and the line that opens
	 * the block it sits in (UINT32_MAX: none) */
	struct line_blocks {
		uint64_t file_seq;
		size_t *start, n, alloc;
		uint32_t *opener;
		size_t oalloc;
		struct block_stack {
			long indent;
			uint32_t line;
		} *stack;
		size_t salloc;
	} blocks[2];
	/* per rule, this file: KW_DEFERRED when its keywords are checked
	 * only once a line matches (the file is diffed anyway), KW_FAILED
	 * when they were and the file holds none */
	unsigned char *kw_state;
	int kw_done;			/* ev->kwset holds this file's */
	const char *first_path;		/* the first of them */
};

static const char *clip(struct arena *a, const char *s, size_t len)
{
	if (len > MATCH_TEXT_MAX) {
		len = MATCH_TEXT_MAX;
		/* do not cut a UTF-8 sequence in two */
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	return arena_strndup(a, s, len);
}

/* A new last match, of the line ml (NULL: not a line). */
static struct match *push_match(struct eval *ev, const struct match_line *ml)
{
	static const struct match_line no_line;

	ALLOC_GROW(ev->matches, ev->nmatches + 1, ev->malloc_);
	ALLOC_GROW(ev->mline, ev->nmatches + 1, ev->mline_alloc);
	ev->mline[ev->nmatches] = ml ? *ml : no_line;
	return &ev->matches[ev->nmatches++];
}

static void add_match(struct eval *ev, size_t r, const struct match *m,
		      const struct match_line *ml)
{
	if (ev->count[r] >= RULE_MAX_MATCHES)
		return;
	ev->count[r]++;
	*push_match(ev, ml) = *m;
}

/* A path as the evidence of rule r (path-only and only-path rules). */
static void add_path_match(struct eval *ev, size_t r, const char *path)
{
	struct match m = { 0 };

	m.rule = ev->sr->rules->rule[r].id;
	m.tags = ev->sr->rule_tags[r];
	m.path = path;
	m.side = RULE_SIDE_PATH;
	m.text = path;
	add_match(ev, r, &m, NULL);
}

/* A match of rule r's regexes as a yes or no: PCRE2 giving up (a
 * catastrophic pattern on hostile text) is a no, reported once. */
static int matched_or_warn(struct eval *ev, size_t r, int rc)
{
	if (rc >= 0)
		return rc;
	if (!ev->warned[r]) {
		warning("%s: commit %.12s: rule '%s' gave up: %s "
			"(said once per rule and repository)", ev->sr->name,
			ev->hex, ev->sr->rules->rule[r].id,
			rules_matcher_error(ev->rm));
		ev->warned[r] = 1;
	}
	return 0;
}

static int match_or_warn(struct eval *ev, size_t r, enum rule_side side,
			 const char *text, size_t len)
{
	return matched_or_warn(ev, r,
		len > LINE_MATCH_MAX && side != RULE_SIDE_MESSAGE
		? rules_match_head(ev->rm, r, side, text, LINE_MATCH_MAX)
		: rules_match(ev->rm, r, side, text, len));
}

static int has_file_condition(const struct rule *r)
{
	return r->added || r->removed || r->path;
}

static void eval_message(struct eval *ev)
{
	const struct rules *rules = ev->sr->rules;
	struct buf msg = BUF_INIT;
	size_t i;

	buf_addstr(&msg, ev->c->subject);
	if (*ev->c->body) {
		buf_addstr(&msg, "\n\n");
		buf_addstr(&msg, ev->c->body);
	}
	for (i = 0; i < rules->nrules; i++) {
		const struct rule *r = &rules->rule[i];

		ev->msg_ok[i] = bit(ev->active, i) &&
			(!r->message ||
			 match_or_warn(ev, i, RULE_SIDE_MESSAGE, msg.ptr,
				       msg.len));
	}
	buf_release(&msg);
}

/* The message evidence: the first line that matches on its own. */
static void add_message_match(struct eval *ev, size_t r)
{
	struct buf msg = BUF_INIT;
	const char *p, *nl;
	uint32_t line = 0;
	struct match m = { 0 };

	buf_addstr(&msg, ev->c->subject);
	if (*ev->c->body) {
		buf_addstr(&msg, "\n\n");
		buf_addstr(&msg, ev->c->body);
	}
	m.rule = ev->sr->rules->rule[r].id;
	m.tags = ev->sr->rule_tags[r];
	m.side = RULE_SIDE_MESSAGE;
	m.line = 1;
	m.text = clip(ev->a, ev->c->subject, strlen(ev->c->subject));
	for (p = msg.ptr; *p; p = nl + 1) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		if (rules_match(ev->rm, r, RULE_SIDE_MESSAGE, p, len) == 1) {
			m.line = line;
			m.text = clip(ev->a, p, len);
			break;
		}
		if (!nl)
			break;
	}
	add_match(ev, r, &m, NULL);
	buf_release(&msg);
}

/* Must rule i's "only-lines" see this file's lines?  Not when the rule
 * has failed already, or when "only-path" takes the file. */
static int only_lines_pending(const struct eval *ev, size_t i,
			      const struct diff_file *f)
{
	const struct rules *rules = ev->sr->rules;

	return rules->rule[i].only_lines && ev->msg_ok[i] &&
	       !ev->only_fail[i] &&
	       !(rules->rule[i].only_path &&
		 rules_match_only_path(ev->rm, i, f->path, f->old_path));
}

static int on_need(struct diff_file *f, void *payload)
{
	struct eval *ev = payload;
	const struct rules *rules = ev->sr->rules;
	size_t i;

	if (ev->record_files || ev->track_moved)
		return 1;	/* line counts, or lines, of every file */
	for (i = 0; i < rules->nrules; i++)
		if (only_lines_pending(ev, i, f))
			return 1;
	for (i = 0; i < rules->nrules; i++)
		if (ev->msg_ok[i] && rules_needs_lines(rules, i) &&
		    rules_match_file(ev->rm, i, f->path, f->old_path,
				     f->status))
			return 1;
	return 0;
}

/* Adds the keywords of one side's contents to ev->kwset, from the cache
 * when the blob was searched before. */
static void side_keywords(struct eval *ev, const struct diff_file *f,
			  const char *data, size_t len,
			  const unsigned char *oid)
{
	const struct rules *rules = ev->sr->rules;
	size_t n = (rules->nkeywords + 7) / 8, b;
	/* a gitlink's line is made up, not a blob */
	int cached = !(f->flags & FILE_SUBMODULE);

	if (!data)
		return;
	if (!cached || !blobkw_get(ev->sr->blobkw, oid, ev->blob_kwset)) {
		memset(ev->blob_kwset, 0, n);
		rules_keywords_find(rules, data, len, ev->blob_kwset);
		if (cached)
			blobkw_put(ev->sr->blobkw, oid, ev->blob_kwset);
	}
	for (b = 0; b < n; b++)
		ev->kwset[b] |= ev->blob_kwset[b];
}

/* The keywords of a file change's contents, found once per file. */
static void file_keywords(struct eval *ev, const struct diff_file *f)
{
	if (ev->kw_done)
		return;
	memset(ev->kwset, 0, (ev->sr->rules->nkeywords + 7) / 8);
	side_keywords(ev, f, f->old_data, f->old_len, f->old_oid);
	side_keywords(ev, f, f->new_data, f->new_len, f->new_oid);
	ev->kw_done = 1;
}

/* A line matched rule i: do the file's contents hold its keywords, when
 * that was left until now? */
static int deferred_keywords_hold(struct eval *ev, const struct diff_file *f,
				  size_t i)
{
	if (ev->kw_state[i] != KW_DEFERRED)
		return ev->kw_state[i] == KW_CHECKED;
	file_keywords(ev, f);
	ev->kw_state[i] = rules_keywords_hit(ev->sr->rules, i, ev->kwset) ?
			  KW_CHECKED : KW_FAILED;
	return ev->kw_state[i] == KW_CHECKED;
}

static int is_live(const struct eval *ev, size_t i, int s)
{
	return (ev->live[s][i / 64] >> (i % 64)) & 1;
}

/* Rule i looks at the lines of side s (0 added, 1 removed) of this file. */
static void make_live(struct eval *ev, size_t i, int s)
{
	ev->live[s][i / 64] |= UINT64_C(1) << (i % 64);
	if (ev->sr->rules->rule[i].nline_keywords)
		ev->line_kw[s]++;
	else
		ev->every_line[s]++;
}

/* Rule i needs no more lines of side s: its outcome cannot change. */
static void retire(struct eval *ev, size_t i, int s)
{
	if (!is_live(ev, i, s))
		return;
	ev->live[s][i / 64] &= ~(UINT64_C(1) << (i % 64));
	if (ev->sr->rules->rule[i].nline_keywords)
		ev->line_kw[s]--;
	else
		ev->every_line[s]--;
}

/* After a hit of rule i: a side with all the evidence a commit keeps,
 * and a hit of its own, is done. */
static void retire_if_done(struct eval *ev, size_t i)
{
	if (ev->count[i] + ev->pcount[i] < RULE_MAX_MATCHES)
		return;
	if (ev->hits[i] & HIT_ADDED)
		retire(ev, i, 0);
	if (ev->hits[i] & HIT_REMOVED)
		retire(ev, i, 1);
}

static int on_file(struct diff_file *f, void *payload)
{
	struct eval *ev = payload;
	const struct rules *rules = ev->sr->rules;
	int diffed = 0;
	size_t i, k, n = 0;

	ev->kw_done = 0;
	ev->nfile_rules = 0;
	ev->nline_class_rules = 0;
	ev->npending = 0;
	ev->line_kw[0] = ev->line_kw[1] = 0;
	ev->every_line[0] = ev->every_line[1] = 0;
	memset(ev->live[0], 0, ev->nwords * sizeof(*ev->live[0]));
	memset(ev->live[1], 0, ev->nwords * sizeof(*ev->live[1]));
	if (f->flags & FILE_UNREADABLE)
		ev->c->flags |= COMMIT_PARTIAL;
	ev->file_seq++;
	if (!ev->nchanged++)
		ev->first_path = f->path;
	for (i = 0; i < rules->nrules; i++) {
		const struct rule *r = &rules->rule[i];

		if (only_lines_pending(ev, i, f)) {
			/* its lines must say; without any, they cannot */
			if (!f->old_data && !f->new_data)
				ev->only_fail[i] = 1;
			else
				ev->line_class_rules[ev->nline_class_rules++] = i;
		} else if (r->only_path && !r->only_lines && ev->msg_ok[i] &&
			   !ev->only_fail[i] &&
			   !rules_match_only_path(ev->rm, i, f->path,
						  f->old_path)) {
			ev->only_fail[i] = 1;
		}
	}
	/* the rules that may take lines of this file, keywords aside; one
	 * without keywords means the file is diffed whatever they say */
	for (i = 0; i < rules->nrules; i++) {
		const struct rule *r = &rules->rule[i];

		/* a rule with all the evidence a commit keeps is done: its
		 * tags cannot change (generated trees add 10k files) */
		if (!ev->msg_ok[i] || !has_file_condition(r) ||
		    ev->count[i] >= RULE_MAX_MATCHES ||
		    !rules_match_file(ev->rm, i, f->path, f->old_path,
				      f->status))
			continue;
		if (!rules_needs_lines(rules, i)) {
			add_path_match(ev, i, f->path);
			continue;
		}
		if (!f->old_data && !f->new_data)
			continue;
		/* a file added or deleted whole has no function line */
		if (r->function && (!f->old_data || !f->new_data))
			continue;
		diffed |= !r->nkeywords;
		ev->file_rules[n++] = i;
	}
	/*
	 * Keywords: whole contents are searched only where they decide
	 * whether the file is diffed at all.  When it is diffed anyway, a
	 * rule's keywords are looked for once a line matches it, and not
	 * even then when its line keywords imply them.
	 */
	for (k = 0; k < n; k++) {
		const struct rule *r = &rules->rule[ev->file_rules[k]];

		i = ev->file_rules[k];
		ev->kw_state[i] = KW_CHECKED;
		if (r->nkeywords && !(diffed && r->keywords_implied)) {
			if (diffed) {
				ev->kw_state[i] = KW_DEFERRED;
			} else {
				file_keywords(ev, f);
				if (!rules_keywords_hit(rules, i, ev->kwset))
					continue;
			}
		}
		ev->hits[i] = 0;
		ev->pcount[i] = 0;
		if (r->added)
			make_live(ev, i, 0);
		/* same-line, same-hunk: removed lines are tried as partners
		 * (witnesses) only */
		if (r->removed && !r->same_line && !r->same_hunk)
			make_live(ev, i, 1);
		ev->file_rules[ev->nfile_rules++] = i;
	}
	return ev->nfile_rules > 0 || ev->nline_class_rules > 0 ||
	       ev->track_moved;
}

/* Does the function the change sits in let rule i match?  Asked once
 * per rule and function line of a file. */
static int function_ok(struct eval *ev, size_t i, const char *func,
		       size_t func_len)
{
	struct func_memo *fm = &ev->func_memo[i];

	if (!ev->sr->rules->rule[i].function)
		return 1;
	if (!func)
		func_len = 0;
	if (func_len > LINE_MATCH_MAX)
		func_len = LINE_MATCH_MAX;
	if (fm->known && fm->none == !func && fm->len == func_len &&
	    !memcmp(fm->func, func ? func : "", func_len))
		return fm->verdict;
	fm->verdict = matched_or_warn(ev, i,
		rules_match_function(ev->rm, i, func, func_len));
	ALLOC_GROW(fm->func, func_len + 1, fm->alloc);
	memcpy(fm->func, func ? func : "", func_len);
	fm->len = func_len;
	fm->none = !func;
	fm->known = 1;
	return fm->verdict;
}

/* How many lines above a line "scope" reads at most. */
#define SCOPE_MAX_LINES 4000

/* The indentation of a line (a tab to the next multiple of 8), or -1 when
 * it is blank. */
static long indentation(const char *p, const char *end)
{
	long col = 0;

	for (; p < end; p++) {
		if (*p == ' ')
			col++;
		else if (*p == '\t')
			col = (col / 8 + 1) * 8;
		else if (*p != '\r' && *p != '\f' && *p != '\v')
			return *p == '\n' ? -1 : col;
	}
	return -1;
}

/*
 * The lines of one side of f, found once per file change: where each
 * starts, and the block each sits in (the nearest line above it indented
 * less, blank lines aside), read in one pass with a stack of the lines
 * that may still open a block.
 */
static const struct line_blocks *line_blocks(struct eval *ev,
					     const struct diff_file *f,
					     int removed)
{
	struct line_blocks *lb = &ev->blocks[removed];
	const char *data = removed ? f->old_data : f->new_data;
	size_t len = removed ? f->old_len : f->new_len, at = 0, depth = 0;

	if (lb->file_seq == ev->file_seq)
		return lb;
	lb->file_seq = ev->file_seq;
	lb->n = 0;
	while (data && at < len) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - data) + 1 : len;
		long in = indentation(data + at, data + end);

		ALLOC_GROW(lb->start, lb->n + 2, lb->alloc);
		ALLOC_GROW(lb->opener, lb->n + 1, lb->oalloc);
		ALLOC_GROW(lb->stack, depth + 1, lb->salloc);
		lb->start[lb->n] = at;
		lb->opener[lb->n] = UINT32_MAX;
		if (in >= 0) {
			while (depth && lb->stack[depth - 1].indent >= in)
				depth--;
			if (depth)
				lb->opener[lb->n] = lb->stack[depth - 1].line;
			lb->stack[depth].indent = in;
			lb->stack[depth++].line = (uint32_t)lb->n;
		}
		lb->n++;
		at = end;
	}
	ALLOC_GROW(lb->start, lb->n + 1, lb->alloc);
	lb->start[lb->n] = len;
	return lb;
}

/*
 * "scope": does a block that holds line lineno (of the new file for an
 * added line, the old one for a removed line) open with a line rule i's
 * "scope" matches?  The blocks are read from indentation (line_blocks()),
 * up to a line without indentation or SCOPE_MAX_LINES lines up.
 */
static int scope_ok(struct eval *ev, struct diff_file *f, size_t i,
		    enum rule_side side, uint32_t lineno)
{
	int removed = side == RULE_SIDE_REMOVED;
	const char *data = removed ? f->old_data : f->new_data;
	const struct line_blocks *lb;
	uint32_t k;

	if (!data)
		return 0;
	lb = line_blocks(ev, f, removed);
	if (!lineno || lineno > lb->n)
		return 0;
	for (k = lb->opener[lineno - 1];
	     k != UINT32_MAX && lineno - 1 - k <= SCOPE_MAX_LINES;
	     k = lb->opener[k]) {
		const char *p = data + lb->start[k];
		size_t len = lb->start[k + 1] - lb->start[k];

		while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		if (matched_or_warn(ev, i,
			rules_match_scope(ev->rm, i, p,
					  len < LINE_MATCH_MAX ? len
							       : LINE_MATCH_MAX)))
			return 1;
	}
	return 0;
}

/* The class of a line (lineclass.h), found when first needed. */
struct line_class_memo {
	unsigned cls;		/* 0: not known yet */
	size_t code_len;
};

static unsigned line_class(struct diff_file *f, enum rule_side side,
			   uint32_t lineno, struct line_class_memo *lm)
{
	if (!lm->cls)
		lm->cls = lineclass_file_line(f->lines,
					      side == RULE_SIDE_REMOVED,
					      lineno, &lm->code_len);
	return lm->cls;
}

/* How much of a line of class cls rule r matches: without "comment" in
 * its "lines", a code line's trailing comment is not matched. */
static size_t matched_len(const struct rule *r, unsigned cls, size_t len,
			  size_t code_len)
{
	return r->lines && cls == LINE_CODE && !(r->lines & LINE_COMMENT)
	       ? code_len : len;
}

/* Does the line break an "only-lines" rule of this file? */
static void check_only_lines(struct eval *ev, struct diff_file *f,
			     enum rule_side side, uint32_t lineno,
			     struct line_class_memo *lm)
{
	const struct rules *rules = ev->sr->rules;
	size_t k;

	for (k = 0; k < ev->nline_class_rules; k++) {
		size_t i = ev->line_class_rules[k];

		if (!ev->only_fail[i] &&
		    !(line_class(f, side, lineno, lm) &
		      rules->rule[i].only_lines))
			ev->only_fail[i] = 1;
	}
}

/* Does rule i's "exclude-line" take this line out? */
static int line_excluded(struct eval *ev, size_t i, const char *text,
			 size_t len)
{
	if (!ev->sr->rules->rule[i].exclude_line)
		return 0;
	return matched_or_warn(ev, i,
		rules_match_exclude_line(ev->rm, i, text,
					 len < LINE_MATCH_MAX ? len
							      : LINE_MATCH_MAX,
					 len > LINE_MATCH_MAX));
}

/* Does rule i's "order-free" take the line (whole, not only its code)? */
static int order_free_line(struct eval *ev, size_t i, const char *text,
			   size_t len)
{
	return matched_or_warn(ev, i,
		rules_match_order_free(ev->rm, i, text,
				       len < LINE_MATCH_MAX ? len
							    : LINE_MATCH_MAX,
				       len > LINE_MATCH_MAX));
}

/* Is line ml, of side, in file path, one that the commit moved? */
static int line_moved(const struct eval *ev, const struct match_line *ml,
		      enum rule_side side, const char *path)
{
	int removed = side == RULE_SIDE_REMOVED;

	if (side != RULE_SIDE_ADDED && side != RULE_SIDE_REMOVED)
		return 0;
	return ml->order_free ? moved_anywhere(&ev->moved, removed, ml->key)
			      : moved_elsewhere(&ev->moved, removed, ml->key,
						path);
}

/* "same-line": does the line that added line lineno replaced match rule
 * i's "removed"? */
static int partner_removed(struct eval *ev, struct diff_file *f, size_t i,
			   uint32_t lineno)
{
	const struct rule *r = &ev->sr->rules->rule[i];
	const struct line_info *p = lineclass_file_partner(f->lines, 0, lineno);
	size_t plen;

	if (!p)
		return 0;
	plen = matched_len(r, p->cls, p->len, p->code_len);
	if (r->lines && !(p->cls & r->lines))
		return 0;
	return match_or_warn(ev, i, RULE_SIDE_REMOVED, p->text, plen) == 1 &&
	       !line_excluded(ev, i, p->text, plen);
}

/* "same-hunk": does the hunk being read remove a line that rule i's
 * "removed" takes (of its "lines", not ruled out by "exclude-line")?
 * Asked once per hunk and rule. */
static int hunk_removes(struct eval *ev, struct diff_file *f, size_t i)
{
	const struct rule *r = &ev->sr->rules->rule[i];
	uint64_t key = ev->file_seq << 32 | f->lines->hunk_no;
	const struct line_info *li;
	unsigned cls;
	uint32_t n;

	if (ev->hunk_key[i] == key)
		return ev->hunk_ok[i];
	ev->hunk_key[i] = key;
	ev->hunk_ok[i] = 0;
	for (n = 0; (li = lineclass_file_hunk_line(f->lines, 1, n, &cls));
	     n++) {
		size_t len = matched_len(r, cls, li->len, li->code_len);

		if (r->lines && !(cls & r->lines))
			continue;
		if (match_or_warn(ev, i, RULE_SIDE_REMOVED, li->text, len) == 1 &&
		    !line_excluded(ev, i, li->text, len)) {
			ev->hunk_ok[i] = 1;
			break;
		}
	}
	return ev->hunk_ok[i];
}

/* At most this many matches of a line are compared for "new-match". */
#define NEW_MATCH_MAX 32

struct span {
	size_t start, end;
};

/* The matches of rule i's regex in text, one after another: their
 * number, or -1 when there are more than NEW_MATCH_MAX or PCRE2 fails. */
static int all_matches(struct eval *ev, size_t i, enum rule_side side,
		       const char *text, size_t len, struct span *v)
{
	size_t at = 0;
	int n = 0, rc;

	while ((rc = rules_match_at(ev->rm, i, side, text, len, at)) == 1) {
		if (n == NEW_MATCH_MAX)
			return -1;
		rules_last_match(ev->rm, &v[n].start, &v[n].end);
		at = v[n].end > at ? v[n].end : at + 1;
		n++;
		if (at > len)
			break;
	}
	return rc < 0 ? -1 : n;
}

/*
 * "new-match": are all of rule i's matches in this line (text, len bytes)
 * matches in the line it replaced (or was replaced by) as well?  Then the
 * change brought nothing the rule looks for: an arch list that gained
 * another architecture names the old ones again.
 */
static int nothing_new(struct eval *ev, struct diff_file *f, size_t i,
		       enum rule_side side, uint32_t lineno, const char *text,
		       size_t len)
{
	const struct rule *r = &ev->sr->rules->rule[i];
	const struct line_info *p =
		lineclass_file_partner(f->lines, side == RULE_SIDE_REMOVED,
				       lineno);
	struct span mine[NEW_MATCH_MAX], theirs[NEW_MATCH_MAX];
	size_t plen;
	int n, np, a, b;

	if (!p)
		return 0;
	plen = matched_len(r, p->cls, p->len, p->code_len);
	if (len > LINE_MATCH_MAX || plen > LINE_MATCH_MAX)
		return 0;
	n = all_matches(ev, i, side, text, len, mine);
	np = all_matches(ev, i, side, p->text, plen, theirs);
	if (n <= 0 || np <= 0)
		return 0;
	for (a = 0; a < n; a++) {
		size_t l = mine[a].end - mine[a].start;

		for (b = 0; b < np; b++)
			if (theirs[b].end - theirs[b].start == l &&
			    !memcmp(text + mine[a].start,
				    p->text + theirs[b].start, l))
				break;
		if (b == np)
			return 0;
	}
	return 1;
}

/* Rule i on one changed line: a match becomes pending evidence. */
static void try_rule(struct eval *ev, struct diff_file *f, size_t i,
		     enum rule_side side, uint32_t lineno, const char *text,
		     size_t len, const char *func, size_t func_len,
		     struct line_class_memo *lm)
{
	const struct rule *r = &ev->sr->rules->rule[i];
	size_t subject = len;
	struct pending *p;
	unsigned char bit;
	struct match_line ml;

	bit = side == RULE_SIDE_ADDED ? HIT_ADDED : HIT_REMOVED;
	/* enough evidence for this rule, and this side has hit: the
	 * outcome cannot change, so the line need not be matched */
	if (ev->count[i] + ev->pcount[i] >= RULE_MAX_MATCHES &&
	    (ev->hits[i] & bit))
		return;
	if (r->lines) {
		if (!(line_class(f, side, lineno, lm) & r->lines))
			return;
		subject = matched_len(r, lm->cls, len, lm->code_len);
	}
	if (!function_ok(ev, i, func, func_len) ||
	    !match_or_warn(ev, i, side, text, subject) ||
	    line_excluded(ev, i, text, subject) ||
	    (r->new_match &&
	     nothing_new(ev, f, i, side, lineno, text, subject)) ||
	    (r->same_line && !partner_removed(ev, f, i, lineno)) ||
	    (r->same_hunk && !hunk_removes(ev, f, i)) ||
	    (r->scope && !scope_ok(ev, f, i, side, lineno)))
		return;
	ml.key = moved_key(text, len);
	ml.order_free = r->order_free && order_free_line(ev, i, text, len);
	if (line_moved(ev, &ml, side, f->path))
		return;
	if (!deferred_keywords_hold(ev, f, i)) {
		retire(ev, i, 0);
		retire(ev, i, 1);
		return;
	}
	if (r->same_line || r->same_hunk)
		bit |= HIT_REMOVED;
	ev->hits[i] |= bit;
	if (ev->count[i] + ev->pcount[i] >= RULE_MAX_MATCHES) {
		retire_if_done(ev, i);
		return;
	}
	ev->pcount[i]++;
	retire_if_done(ev, i);
	ALLOC_GROW(ev->pending, ev->npending + 1, ev->palloc);
	p = &ev->pending[ev->npending++];
	memset(p, 0, sizeof(*p));
	p->rule = i;
	p->m.rule = r->id;
	p->m.tags = ev->sr->rule_tags[i];
	p->m.path = f->path;
	p->m.line = lineno;
	p->m.text = clip(ev->a, text, len);
	p->m.side = side;
	p->ml = ml;
}

static int on_line(struct diff_file *f, enum rule_side side, uint32_t lineno,
		   const char *text, size_t len, const char *func,
		   size_t func_len, void *payload)
{
	struct eval *ev = payload;
	const struct rules *rules = ev->sr->rules;
	struct line_class_memo lm = { 0, 0 };
	size_t w;
	int s = side == RULE_SIDE_REMOVED;
	/* 0: no line keyword here, 1: some, -1: not looked for */
	int any_kw;

	if (!moved_full(&ev->moved, s))
		moved_add(&ev->moved, s, moved_key(text, len), f->path);
	if (ev->nline_class_rules)
		check_only_lines(ev, f, side, lineno, &lm);
	if (!ev->line_kw[s] && !ev->every_line[s])
		return 0;
	any_kw = ev->line_kw[s] ?
		rules_line_keywords_find(rules, text,
					 len < LINE_MATCH_MAX ? len
							      : LINE_MATCH_MAX,
					 ev->line_kwset) : -1;
	/* no line keyword here, and every rule of this side needs one */
	if (!any_kw && !ev->every_line[s])
		return 0;
	/* the rules this line is for: those of its line keywords, and
	 * those without any, that still look at this side */
	if (any_kw > 0)
		rules_line_candidates(rules, ev->line_kwset, ev->cand);
	for (w = 0; w < ev->nwords; w++) {
		uint64_t set = ev->every[w];

		if (any_kw > 0)
			set |= ev->cand[w];
		ev->cand[w] = set & ev->live[s][w];
	}
	for (w = 0; w < ev->nwords; w++)
		while (ev->cand[w]) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(ev->cand[w]);

			ev->cand[w] &= ev->cand[w] - 1;
			try_rule(ev, f, i, side, lineno, text, len, func,
				 func_len, &lm);
		}
	return 0;
}

static int on_file_done(struct diff_file *f, void *payload)
{
	struct eval *ev = payload;
	const struct rules *rules = ev->sr->rules;
	size_t k;

	for (k = 0; k < ev->npending; k++) {
		size_t i = ev->pending[k].rule;
		const struct rule *r = &rules->rule[i];

		if ((!r->added || (ev->hits[i] & HIT_ADDED)) &&
		    (!r->removed || (ev->hits[i] & HIT_REMOVED)))
			add_match(ev, i, &ev->pending[k].m,
				  &ev->pending[k].ml);
	}
	ev->npending = 0;
	ev->nfile_rules = 0;
	ev->nlines += (uint64_t)f->added + f->removed;
	/* a file change with no changed line (a rename, a mode) is not
	 * made of the lines "only-lines" asks for */
	for (k = 0; k < ev->nline_class_rules; k++)
		if (!f->added && !f->removed)
			ev->only_fail[ev->line_class_rules[k]] = 1;
	ev->nline_class_rules = 0;
	if (ev->record_files) {
		struct file_change *fc;

		ev->c->nfiles_total++;
		if (ev->nfiles < COMMIT_MAX_FILES) {
			ALLOC_GROW(ev->files, ev->nfiles + 1, ev->falloc);
			fc = &ev->files[ev->nfiles++];
			fc->path = f->path;
			fc->old_path = f->old_path;
			fc->status = f->status;
			fc->flags = f->flags;
			fc->added = f->added;
			fc->removed = f->removed;
		}
	}
	return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The commit's tags: every tag of every match, sorted, distinct. */
static void set_tags(struct arena *a, struct commit *c)
{
	const char **tags = NULL;
	size_t n = 0, alloc = 0, i, out = 0;

	for (i = 0; i < c->nmatches; i++) {
		const char *p = c->matches[i].tags;

		while (*p) {
			size_t len = strcspn(p, " ");

			if (len) {
				ALLOC_GROW(tags, n + 1, alloc);
				tags[n++] = arena_strndup(a, p, len);
			}
			p += len;
			p += strspn(p, " ");
		}
	}
	if (n)
		qsort(tags, n, sizeof(*tags), cmp_cstr);
	for (i = 0; i < n; i++)
		if (!out || strcmp(tags[out - 1], tags[i]))
			tags[out++] = tags[i];
	c->ntags = (uint32_t)out;
	c->tags = arena_alloc(a, (out ? out : 1) * sizeof(*c->tags));
	if (out)
		memcpy(c->tags, tags, out * sizeof(*tags));
	free(tags);
}

struct worker {
	struct scan_repo *sr;
	struct mirror m;
	struct rules_matcher *rm;
	pthread_t thread;
	struct eval ev;
};

static void eval_init(struct eval *ev, struct scan_repo *sr,
		      struct rules_matcher *rm)
{
	size_t nr = sr->rules->nrules;

	memset(ev, 0, sizeof(*ev));
	ev->sr = sr;
	ev->rm = rm;
	ev->msg_ok = xcalloc(nr + 1, 1);
	ev->hits = xcalloc(nr + 1, 1);
	ev->warned = xcalloc(nr + 1, 1);
	ev->only_fail = xcalloc(nr + 1, 1);
	ev->count = xcalloc(nr + 1, sizeof(*ev->count));
	ev->pcount = xcalloc(nr + 1, sizeof(*ev->pcount));
	ev->hunk_key = xcalloc(nr + 1, sizeof(*ev->hunk_key));
	ev->hunk_ok = xcalloc(nr + 1, 1);
	ev->func_memo = xcalloc(nr + 1, sizeof(*ev->func_memo));
	ev->kw_state = xcalloc(nr + 1, 1);
	ev->nwords = rules_rule_words(sr->rules);
	ev->live[0] = xcalloc(ev->nwords, sizeof(*ev->live[0]));
	ev->live[1] = xcalloc(ev->nwords, sizeof(*ev->live[1]));
	ev->cand = xcalloc(ev->nwords, sizeof(*ev->cand));
	ev->every = xcalloc(ev->nwords, sizeof(*ev->every));
	if (rules_every_line(sr->rules))
		memcpy(ev->every, rules_every_line(sr->rules),
		       ev->nwords * sizeof(*ev->every));
	ev->kwset = xcalloc((sr->rules->nkeywords + 7) / 8 + 1, 1);
	ev->blob_kwset = xcalloc((sr->rules->nkeywords + 7) / 8 + 1, 1);
	ev->line_kwset = xcalloc(rules_line_kwset_size(sr->rules), 1);
	ev->file_rules = xcalloc(nr + 1, sizeof(*ev->file_rules));
	ev->line_class_rules = xcalloc(nr + 1,
				       sizeof(*ev->line_class_rules));
	moved_init(&ev->moved);
}

static void eval_release(struct eval *ev)
{
	size_t i;

	free(ev->msg_ok);
	free(ev->hits);
	free(ev->warned);
	free(ev->only_fail);
	free(ev->count);
	free(ev->pcount);
	free(ev->hunk_key);
	free(ev->hunk_ok);
	if (ev->func_memo)
		for (i = 0; i <= ev->sr->rules->nrules; i++)
			free(ev->func_memo[i].func);
	free(ev->func_memo);
	for (i = 0; i < 2; i++) {
		free(ev->blocks[i].start);
		free(ev->blocks[i].opener);
		free(ev->blocks[i].stack);
	}
	free(ev->kw_state);
	free(ev->live[0]);
	free(ev->live[1]);
	free(ev->cand);
	free(ev->every);
	free(ev->kwset);
	free(ev->blob_kwset);
	free(ev->line_kwset);
	free(ev->file_rules);
	free(ev->line_class_rules);
	free(ev->pending);
	free(ev->matches);
	free(ev->mline);
	moved_release(&ev->moved);
	free(ev->files);
}

/* Drops the matches rule i gave this commit. */
static void drop_matches(struct eval *ev, size_t i)
{
	const char *id = ev->sr->rules->rule[i].id;
	size_t k, out = 0;

	for (k = 0; k < ev->nmatches; k++)
		if (ev->matches[k].rule != id) {
			ev->mline[out] = ev->mline[k];
			ev->matches[out++] = ev->matches[k];
		}
	ev->nmatches = out;
	ev->count[i] = 0;
}

/*
 * "only-path" and "only-lines" are judged once every file change was seen: a rule whose
 * condition failed (or that saw no change: a merge, an unreadable diff)
 * loses its matches and its message; one that held, and has no other
 * file condition, gets the first changed path as its evidence.
 */
static void apply_only_path(struct eval *ev, int diffed)
{
	const struct rules *rules = ev->sr->rules;
	size_t i;

	for (i = 0; i < rules->nrules; i++) {
		const struct rule *r = &rules->rule[i];

		if ((!r->only_path && !r->only_lines) || !ev->msg_ok[i])
			continue;
		if (!diffed || !ev->nchanged || ev->only_fail[i]) {
			drop_matches(ev, i);
			ev->msg_ok[i] = 0;
		} else if (!has_file_condition(r)) {
			add_path_match(ev, i, ev->first_path);
		}
	}
}

/* ---- one commit's files in several threads ---------------------- */

/*
 * A commit with this many file changes is diffed by up to MAX_PARTS
 * threads (no more than --jobs), each taking a range of its files: one
 * flashinfer commit adds 9,347 generated files of 41M lines, and alone it
 * kept one core busy for 17 s while the other ran out of work.
 */
#define SPLIT_MIN 1000
#define MAX_PARTS 4

struct part {
	struct scan_repo *sr;
	const unsigned char *oid;
	const struct diff_changes *cs;
	size_t from, to;
	struct mirror m, *mp;		/* its own handle, else the owner's */
	struct rules_matcher *rm;
	struct eval ev;
	struct commit c;		/* the part's flags and file count */
	struct arena a;			/* its strings, until merged */
	int ret, threaded;
	pthread_t thread;
};

static void *part_main(void *arg)
{
	struct part *p = arg;
	struct diff_opts dopts = { p->sr->o->max_size, 1 };
	struct diff_visitor v = { on_need, on_file, on_line, on_file_done,
				  &p->ev };

	p->ret = diff_visit_changes(p->mp, p->oid, p->cs, p->from, p->to,
				    &dopts, &v);
	return NULL;
}

/* A part that sees what the owner's evaluation sees: the same rules
 * active, the same message outcome, its own counts and arena. */
static void part_init(struct part *p, struct worker *w,
		      const unsigned char *oid, const struct diff_changes *cs,
		      size_t from, size_t to)
{
	struct scan_repo *sr = w->sr;

	memset(p, 0, sizeof(*p));
	p->sr = sr;
	p->oid = oid;
	p->cs = cs;
	p->from = from;
	p->to = to;
	p->mp = &w->m;
	if (mirror_open(&p->m, sr->name, sr->path, sr->packs) == 0)
		p->mp = &p->m;
	p->rm = rules_matcher_new(sr->rules);
	eval_init(&p->ev, sr, p->rm);
	p->ev.a = &p->a;
	p->ev.c = &p->c;
	p->ev.hex = w->ev.hex;
	p->ev.active = w->ev.active;
	p->ev.record_files = w->ev.record_files;
	p->ev.track_moved = w->ev.track_moved;
	memcpy(p->ev.msg_ok, w->ev.msg_ok, sr->rules->nrules);
}

/* Adds a finished part's files and matches to the owner's, as if the
 * owner had visited its range itself (matches past a rule's limit are
 * dropped by add_match() in the same order). */
static void part_merge(struct eval *ev, struct part *p)
{
	const struct rules *rules = ev->sr->rules;
	size_t k, i;

	ev->c->flags |= p->c.flags & COMMIT_PARTIAL;
	ev->c->nfiles_total += p->c.nfiles_total;
	for (k = 0; k < p->ev.nfiles && ev->nfiles < COMMIT_MAX_FILES; k++) {
		ALLOC_GROW(ev->files, ev->nfiles + 1, ev->falloc);
		ev->files[ev->nfiles++] = p->ev.files[k];
	}
	for (k = 0; k < p->ev.nmatches; k++)
		for (i = 0; i < rules->nrules; i++)
			if (rules->rule[i].id == p->ev.matches[k].rule) {
				add_match(ev, i, &p->ev.matches[k],
					  &p->ev.mline[k]);
				break;
			}
	for (i = 0; i < rules->nrules; i++)
		ev->only_fail[i] |= p->ev.only_fail[i];
	if (!ev->nchanged)
		ev->first_path = p->ev.first_path;
	ev->nchanged += p->ev.nchanged;
	ev->nlines += p->ev.nlines;
	moved_merge(&ev->moved, &p->ev.moved);
	arena_adopt(ev->a, &p->a);
}

static void part_release(struct part *p)
{
	if (p->mp == &p->m)
		mirror_close(&p->m);
	rules_matcher_free(p->rm);
	eval_release(&p->ev);
	arena_release(&p->a);
}

/* Visits cs in nparts ranges, the first in this thread. */
static int visit_split(struct worker *w, const unsigned char *oid,
		       const struct diff_changes *cs,
		       const struct diff_visitor *v, int nparts)
{
	struct part parts[MAX_PARTS];
	struct diff_opts dopts = { w->sr->o->max_size, 1 };
	size_t first = cs->n / (size_t)nparts;
	int k, ret;

	for (k = 1; k < nparts; k++) {
		struct part *p = &parts[k];

		part_init(p, w, oid, cs, cs->n * (size_t)k / (size_t)nparts,
			  cs->n * (size_t)(k + 1) / (size_t)nparts);
		/* a part without a handle of its own runs here, later */
		p->threaded = p->mp == &p->m &&
			      !pthread_create(&p->thread, NULL, part_main, p);
	}
	ret = diff_visit_changes(&w->m, oid, cs, 0, first, &dopts, v);
	for (k = 1; k < nparts; k++) {
		struct part *p = &parts[k];

		if (p->threaded)
			pthread_join(p->thread, NULL);
		else
			part_main(p);
		if (p->ret < 0)
			ret = -1;
		part_merge(&w->ev, p);
		part_release(p);
	}
	return ret;
}

/* ---- commits whose diff was seen before (diffmemo.h) ------------- */

/*
 * What the files of a commit gave its evaluation (ev after the visit:
 * files, matches, per-rule counts and only-* failures) depends on the
 * file changes, on which rules are live (msg_ok: active and message
 * matched) and on whether files are recorded; nothing else.  So a
 * commit whose diff, live rules and job kind equal an earlier one's
 * takes that one's result.
 */
#define DIFFMEMO_BYTES ((size_t)8 << 20)

/*
 * The delta-base cache of a scan's pack readers, shared by its workers.
 * A larger one inflates less (cutlass, one job: 4.7 GB at 32 MiB, 3.0
 * at 64, 1.9 at 128, against 6.5 GB through libgit2) but the peak RSS
 * grows with it.  With malloc's arenas bounded (limit_arenas()),
 * flashinfer with 2 jobs peaked at 189-211 MiB with this at 24 MiB and
 * libgit2's object cache at 16 (mirror.c), against a target of 200; at
 * 16 and 8 it peaks at 167-179 MiB and scans as fast (20.0-21.3 s
 * against 20.2-20.6), and cutlass 2-4% slower.
 */
#define PACK_CACHE_BYTES ((size_t)16 << 20)

static void memo_key(const struct eval *ev, const struct diff_changes *cs,
		     unsigned char *key)
{
	size_t nr = ev->sr->rules->nrules;
	unsigned char *salt = xmalloc(nr + 1);

	salt[0] = (unsigned char)ev->record_files;
	memcpy(salt + 1, ev->msg_ok, nr);
	diff_changes_digest(cs, salt, nr + 1, key);
	free(salt);
}

static void put_u32(struct buf *b, uint32_t v)
{
	buf_add(b, &v, sizeof(v));
}

static void put_str(struct buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;

	put_u32(b, n);
	if (s)
		buf_add(b, s, n);
}

static uint32_t get_u32(const char **p)
{
	uint32_t v;

	memcpy(&v, *p, sizeof(v));
	*p += sizeof(v);
	return v;
}

static const char *get_str(const char **p, struct arena *a)
{
	uint32_t n = get_u32(p);
	const char *s;

	if (n == UINT32_MAX)
		return NULL;
	s = arena_strndup(a, *p, n);
	*p += n;
	return s;
}

static size_t rule_index(const struct rules *rules, const char *id)
{
	size_t i;

	for (i = 0; i < rules->nrules; i++)
		if (rules->rule[i].id == id)
			break;
	return i;
}

/*
 * Paths are kept as the index of their change in the list (a commit with
 * the same digest has the same list), other strings as themselves: a
 * path that is no change's path (a rename's old path) as UINT32_MAX - 1
 * and the string.  *cursor starts where the last path was found, as files
 * and their matches come in list order.
 */
static void put_path(struct buf *b, const struct diff_changes *cs,
		     const char *s, size_t *cursor)
{
	size_t k, n = cs->n;

	if (!s) {
		put_u32(b, UINT32_MAX);
		return;
	}
	for (k = 0; k < n; k++) {
		size_t i = (*cursor + k) % n;

		if (diff_change_path(cs, i) == s) {
			*cursor = i;
			put_u32(b, (uint32_t)i);
			return;
		}
	}
	put_u32(b, UINT32_MAX - 1);
	put_str(b, s);
}

static const char *get_path(const char **p, const struct diff_changes *cs,
			    struct arena *a)
{
	uint32_t i = get_u32(p);

	if (i == UINT32_MAX)
		return NULL;
	if (i == UINT32_MAX - 1)
		return get_str(p, a);
	return diff_change_path(cs, i);
}

/* Remembers ev's result under key; not a partial one, whose commit
 * must name its unreadable objects itself. */
static void memo_keep(struct eval *ev, const struct diff_changes *cs,
		      const unsigned char *key)
{
	const struct rules *rules = ev->sr->rules;
	struct buf b = BUF_INIT;
	size_t k, cursor = 0;

	if (ev->c->flags & COMMIT_PARTIAL)
		return;
	put_u32(&b, ev->c->nfiles_total);
	put_u32(&b, (uint32_t)ev->nchanged);
	put_path(&b, cs, ev->first_path, &cursor);
	buf_add(&b, ev->count, rules->nrules * sizeof(*ev->count));
	buf_add(&b, ev->only_fail, rules->nrules);
	put_u32(&b, (uint32_t)ev->nfiles);
	for (k = 0; k < ev->nfiles; k++) {
		const struct file_change *fc = &ev->files[k];

		put_path(&b, cs, fc->path, &cursor);
		put_path(&b, cs, fc->old_path, &cursor);
		put_u32(&b, fc->status);
		put_u32(&b, fc->flags);
		put_u32(&b, fc->added);
		put_u32(&b, fc->removed);
	}
	put_u32(&b, (uint32_t)ev->nmatches);
	cursor = 0;
	for (k = 0; k < ev->nmatches; k++) {
		const struct match *m = &ev->matches[k];

		put_u32(&b, (uint32_t)rule_index(rules, m->rule));
		put_path(&b, cs, m->path, &cursor);
		put_u32(&b, m->line);
		/* a path match's text is its path */
		if (m->text == m->path) {
			put_u32(&b, 1);
		} else {
			put_u32(&b, 0);
			put_str(&b, m->text);
		}
		put_u32(&b, m->side);
	}
	diffmemo_put(ev->sr->memo, key, b.ptr, b.len);
	buf_release(&b);
}

/* 1 when key's result is known: ev then holds it (paths from cs, other
 * strings in a). */
static int memo_take(struct eval *ev, const struct diff_changes *cs,
		     const unsigned char *key, struct arena *a)
{
	const struct rules *rules = ev->sr->rules;
	struct buf b = BUF_INIT;
	const char *p;
	size_t k, n;

	if (!diffmemo_get(ev->sr->memo, key, &b))
		return 0;
	p = b.ptr;
	ev->c->nfiles_total = get_u32(&p);
	ev->nchanged = get_u32(&p);
	ev->first_path = get_path(&p, cs, a);
	memcpy(ev->count, p, rules->nrules * sizeof(*ev->count));
	p += rules->nrules * sizeof(*ev->count);
	memcpy(ev->only_fail, p, rules->nrules);
	p += rules->nrules;
	n = get_u32(&p);
	ev->nfiles = 0;
	for (k = 0; k < n; k++) {
		struct file_change *fc;

		ALLOC_GROW(ev->files, ev->nfiles + 1, ev->falloc);
		fc = &ev->files[ev->nfiles++];
		fc->path = get_path(&p, cs, a);
		fc->old_path = get_path(&p, cs, a);
		fc->status = get_u32(&p);
		fc->flags = get_u32(&p);
		fc->added = get_u32(&p);
		fc->removed = get_u32(&p);
	}
	n = get_u32(&p);
	ev->nmatches = 0;
	for (k = 0; k < n; k++) {
		size_t i = get_u32(&p);
		struct match *m = push_match(ev, NULL);

		m->rule = rules->rule[i].id;
		m->tags = ev->sr->rule_tags[i];
		m->path = get_path(&p, cs, a);
		m->line = get_u32(&p);
		m->text = get_u32(&p) ? m->path : get_str(&p, a);
		m->side = (enum rule_side)get_u32(&p);
	}
	buf_release(&b);
	return 1;
}

/* Is match k a line the commit moved (see line_moved())? */
static int match_moved(const struct eval *ev, size_t k)
{
	return line_moved(ev, &ev->mline[k], ev->matches[k].side,
			  ev->matches[k].path);
}

/* Is there a match of match k's rule, in its file, of the other side? */
static int partner_kept(const struct eval *ev, size_t k)
{
	const struct match *m = &ev->matches[k];
	size_t j;

	for (j = 0; j < ev->nmatches; j++)
		if (ev->matches[j].rule == m->rule &&
		    ev->matches[j].path == m->path &&
		    ev->matches[j].side != m->side)
			return 1;
	return 0;
}

/* Keeps the matches not marked in gone, and the counts true. */
static void keep_matches(struct eval *ev, const unsigned char *gone)
{
	const struct rules *rules = ev->sr->rules;
	size_t k, out = 0;

	for (k = 0; k < ev->nmatches; k++) {
		if (gone[k]) {
			ev->count[rule_index(rules, ev->matches[k].rule)]--;
			continue;
		}
		ev->mline[out] = ev->mline[k];
		ev->matches[out++] = ev->matches[k];
	}
	ev->nmatches = out;
}

/*
 * A line the commit moved from one file to another is no change (lines
 * whose other half came first were never taken, see try_rule()): its
 * match goes.  A rule that needs both "added" and "removed" lines of a
 * file then loses the side left alone in a file where it lost a match.
 */
static void drop_moved(struct eval *ev)
{
	const struct rules *rules = ev->sr->rules;
	unsigned char *lost = NULL, *gone = NULL;
	size_t k, i;

	for (k = 0; k < ev->nmatches; k++) {
		if (!match_moved(ev, k))
			continue;
		if (!lost) {
			lost = xcalloc(rules->nrules + 1, 1);
			gone = xcalloc(ev->nmatches, 1);
		}
		lost[rule_index(rules, ev->matches[k].rule)] = 1;
		gone[k] = 1;
	}
	if (!lost)
		return;
	keep_matches(ev, gone);
	memset(gone, 0, ev->nmatches);
	for (k = 0; k < ev->nmatches; k++) {
		const struct rule *r;

		i = rule_index(rules, ev->matches[k].rule);
		r = &rules->rule[i];
		gone[k] = lost[i] && r->added && r->removed &&
			  !r->same_line && !r->same_hunk &&
			  !partner_kept(ev, k);
	}
	keep_matches(ev, gone);
	free(lost);
	free(gone);
}

/*
 * "min-lines": a rule whose lines are too few for the size of the commit
 * (a single line that names FP8 in a 600-line refactoring) loses them.
 * Runs on the commit's final matches, moved lines gone.
 */
static void apply_min_lines(struct eval *ev)
{
	const struct rules *rules = ev->sr->rules;
	unsigned char *gone = NULL;
	size_t k, i;

	for (i = 0; i < rules->nrules; i++) {
		const struct rule *r = &rules->rule[i];
		uint64_t need;

		if (!r->min_lines || !ev->count[i])
			continue;
		need = 1 + ev->nlines / r->min_lines_per;
		if (need > r->min_lines)
			need = r->min_lines;
		if (ev->count[i] >= need)
			continue;
		if (!gone)
			gone = xcalloc(ev->nmatches + 1, 1);
		for (k = 0; k < ev->nmatches; k++)
			if (ev->matches[k].rule == r->id)
				gone[k] = 1;
	}
	if (!gone)
		return;
	keep_matches(ev, gone);
	free(gone);
}

/* Diffs the commit of job j, its files split between threads when there
 * are many, unless a commit with the same diff was diffed before; 0, or
 * -1 when the diff could not be read (reported). */
static int diff_job(struct worker *w, const struct job *j, struct arena *a,
		    const struct diff_visitor *v)
{
	struct scan_repo *sr = w->sr;
	struct diff_opts dopts = { sr->o->max_size, 1 };
	struct diff_changes cs;
	int nparts = sr->o->jobs < MAX_PARTS ? sr->o->jobs : MAX_PARTS;
	unsigned char key[DIFFMEMO_KEYSZ];
	int ret = 0;

	if (diff_commit_changes(&w->m, j->oid, &dopts, a, &cs) < 0)
		return -1;
	memo_key(&w->ev, &cs, key);
	if (memo_take(&w->ev, &cs, key, a))
		goto out;
	moved_reset(&w->ev.moved);
	if (cs.n >= SPLIT_MIN && nparts > 1)
		ret = visit_split(w, j->oid, &cs, v, nparts);
	else
		ret = diff_visit_changes(&w->m, j->oid, &cs, 0, cs.n, &dopts,
					 v);
	drop_moved(&w->ev);
	apply_min_lines(&w->ev);
	if (!ret)
		memo_keep(&w->ev, &cs, key);
out:
	diff_changes_release(&cs);
	return ret;
}

static struct result *process_job(struct worker *w, const struct job *j)
{
	struct scan_repo *sr = w->sr;
	struct result *res = xcalloc(1, sizeof(*res));
	struct eval *ev = &w->ev;
	struct commit *c = &res->c;
	struct diff_visitor v = { on_need, on_file, on_line, on_file_done, ev };
	char hex[OID_HEXSZ + 1];
	size_t nr = sr->rules->nrules, i;

	oid_to_hex(hex, j->oid);
	if (mirror_read_commit(&w->m, j->oid, &res->a, c) < 0) {
		memset(c, 0, sizeof(*c));
		memcpy(c->oid, j->oid, OID_RAWSZ);
		c->author = c->email = c->subject = c->body = "";
		c->flags = COMMIT_PARTIAL;
		msg_partial("%s: commit %s recorded without its contents",
			    sr->name, hex);
		goto done;
	}
	if (j->landed)
		c->flags |= COMMIT_LANDED;
	else if (j->pr)
		c->pr = j->pr;
	c->ref = j->ref ? arena_strdup(&res->a, j->ref) : NULL;

	ev->a = &res->a;
	ev->c = c;
	ev->hex = hex;
	ev->active = j->kind == JOB_NEW ? sr->all_rules : sr->changed_rules;
	ev->record_files = j->kind == JOB_NEW;
	ev->nmatches = ev->nfiles = ev->npending = 0;
	memset(ev->count, 0, nr * sizeof(*ev->count));
	memset(ev->only_fail, 0, nr);
	ev->nchanged = 0;
	ev->nlines = 0;
	ev->first_path = NULL;
	eval_message(ev);
	ev->track_moved = 0;
	for (i = 0; i < nr; i++)
		if (ev->msg_ok[i] && rules_needs_lines(sr->rules, i))
			ev->track_moved = 1;
	if (!(c->flags & COMMIT_MERGE) || sr->o->merges) {
		if (diff_job(w, j, &res->a, &v) < 0) {
			c->flags |= COMMIT_PARTIAL;
			msg_partial("%s: commit %s recorded without its diff",
				    sr->name, hex);
		} else {
			c->flags |= COMMIT_DIFFED;
		}
	}
	apply_only_path(ev, (c->flags & COMMIT_DIFFED) != 0);
	for (i = 0; i < nr; i++) {
		const struct rule *r = &sr->rules->rule[i];

		if (!ev->msg_ok[i] || !r->message)
			continue;
		/* message and a file condition: both must hold */
		if (has_file_condition(r) && !ev->count[i])
			continue;
		add_message_match(ev, i);
	}
	c->nmatches = (uint32_t)ev->nmatches;
	c->matches = arena_alloc(&res->a, (ev->nmatches + 1) *
				 sizeof(*c->matches));
	if (ev->nmatches)
		memcpy(c->matches, ev->matches,
		       ev->nmatches * sizeof(*c->matches));
	c->nfiles = (uint32_t)ev->nfiles;
	c->files = arena_alloc(&res->a, (ev->nfiles + 1) * sizeof(*c->files));
	if (ev->nfiles)
		memcpy(c->files, ev->files, ev->nfiles * sizeof(*c->files));
	set_tags(&res->a, c);
done:
	return res;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scan_repo *sr = w->sr;

	for (;;) {
		size_t i;
		struct result *res;

		pthread_mutex_lock(&sr->lock);
		while (!sr->abort && sr->next_job < sr->njobs &&
		       sr->next_job >= sr->written + WINDOW)
			pthread_cond_wait(&sr->cond, &sr->lock);
		if (sr->abort || sr->next_job >= sr->njobs) {
			pthread_mutex_unlock(&sr->lock);
			break;
		}
		i = sr->next_job++;
		pthread_mutex_unlock(&sr->lock);

		res = process_job(w, &sr->jobs[i]);

		pthread_mutex_lock(&sr->lock);
		sr->results[i] = res;
		/* only the writer waits for results, and for one at a time:
		 * waking it for each of the others costs a context switch */
		if (i == sr->awaited)
			pthread_cond_signal(&sr->result_cond);
		pthread_mutex_unlock(&sr->lock);
	}
	return NULL;
}

/* ---- walking ----------------------------------------------------- */

static void add_job(struct scan_repo *sr, const unsigned char *oid,
		    enum job_kind kind, int landed, uint32_t pr,
		    const char *ref)
{
	struct job *j;

	ALLOC_GROW(sr->jobs, sr->njobs + 1, sr->jalloc);
	j = &sr->jobs[sr->njobs++];
	memcpy(j->oid, oid, OID_RAWSZ);
	j->kind = (unsigned char)kind;
	j->landed = (unsigned char)landed;
	j->pr = pr;
	j->ref = ref;
}

static int walk_stop(const unsigned char *oid, void *payload)
{
	struct scan_repo *sr = payload;
	unsigned flags;
	int rc = index_commit_flags(sr->rtxn, sr->repo_id, oid, &flags);

	if (rc == MS_NOTFOUND)
		return 0;
	if (rc < 0)
		return -1;
	if (sr->full_walk)
		return 0;
	/* a proposed commit met on a branch: walk on to flip its
	 * proposed ancestors too */
	if (sr->landed_walk && !(flags & COMMIT_LANDED))
		return 0;
	return 1;
}

static int walk_emit(const unsigned char *oid, void *payload)
{
	struct scan_repo *sr = payload;
	unsigned flags;
	int rc = index_commit_flags(sr->rtxn, sr->repo_id, oid, &flags);

	if (rc == MS_NOTFOUND) {
		add_job(sr, oid, JOB_NEW, sr->landed_walk, sr->walk_pr,
			sr->walk_ref);
		return 0;
	}
	if (rc < 0)
		return -1;
	if (sr->landed_walk && !(flags & COMMIT_LANDED)) {
		ALLOC_GROW(sr->flips, sr->nflips + 1, sr->falloc);
		memcpy(sr->flips[sr->nflips++], oid, OID_RAWSZ);
	}
	return 0;
}

static int walk_refs(struct scan_repo *sr, struct mirror *m,
		     const struct mirror_ref *refs, size_t nrefs, int *horizon)
{
	struct mirror_walk *w = mirror_walk_new(m, sr->o->since);
	size_t pass, i;
	int ret = 0;

	/* landed first (branches, the default one first, and tags), then
	 * what only pull requests and other refs reach */
	for (pass = 0; pass < 2 && !ret; pass++) {
		sr->landed_walk = pass == 0;
		for (i = 0; i < nrefs && !ret; i++) {
			const struct mirror_ref *r = &refs[i];
			int landed = r->kind == REF_BRANCH || r->kind == REF_TAG;

			if (r->kind == REF_PULL_MERGE || landed != !pass)
				continue;
			sr->walk_pr = r->kind == REF_PULL ? r->pr : 0;
			sr->walk_ref = r->name;
			ret = mirror_walk_from(w, r->oid, r->name, walk_stop,
					       walk_emit, sr);
		}
	}
	/*
	 * Last, the parents of GitHub's test merges (refs/pull/N/merge):
	 * the merge itself is synthetic and not indexed, but its base can
	 * be a branch that is gone, whose commits no other ref reaches.
	 */
	for (i = 0; i < nrefs && !ret; i++) {
		unsigned char parents[2][OID_RAWSZ];
		unsigned np = 0, k;

		if (refs[i].kind != REF_PULL_MERGE ||
		    mirror_read_parents(m, refs[i].oid, parents, 2, &np) < 0)
			continue;
		sr->walk_pr = refs[i].pr;
		sr->walk_ref = refs[i].name;
		for (k = 0; k < np && k < 2 && !ret; k++)
			ret = mirror_walk_from(w, parents[k], refs[i].name,
					       walk_stop, walk_emit, sr);
	}
	*horizon = mirror_walk_hit_horizon(w);
	mirror_walk_free(w);
	return ret;
}

/* ---- rule state -------------------------------------------------- */

static int cmp_rule_line(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "ID FP\n" for every rule, in id order. */
static void rule_state(const struct rules *rules, struct buf *out)
{
	const char **lines = xcalloc(rules->nrules + 1, sizeof(*lines));
	struct buf tmp = BUF_INIT;
	size_t i;

	for (i = 0; i < rules->nrules; i++) {
		buf_reset(&tmp);
		buf_addf(&tmp, "%s %s\n", rules->rule[i].id,
			 rules->rule[i].fingerprint);
		lines[i] = buf_detach(&tmp, NULL);
	}
	qsort(lines, rules->nrules, sizeof(*lines), cmp_rule_line);
	for (i = 0; i < rules->nrules; i++) {
		buf_addstr(out, lines[i]);
		free((char *)lines[i]);
	}
	free(lines);
	buf_release(&tmp);
}

/* Is "ID FP" a line of state? */
static int state_has(const char *state, const char *id, const char *fp)
{
	size_t il = strlen(id);
	const char *p = state;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len == il + 1 + strlen(fp) && !memcmp(p, id, il) &&
		    p[il] == ' ' && !memcmp(p + il + 1, fp, strlen(fp)))
			return 1;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Marks changed_rules; collects into *drop the ids whose matches a
 * rescan replaces or drops: every changed rule, and every rule of the
 * stored state that is gone.  A rule whose matches a killed scan left
 * half-written is in both sets, so a rescan never doubles matches. */
static size_t diff_rule_state(struct scan_repo *sr, const char *stored,
			      char ***drop, size_t *ndrop)
{
	const struct rules *rules = sr->rules;
	size_t i, changed = 0, alloc = 0;
	const char *p = stored;

	*drop = NULL;
	*ndrop = 0;
	for (i = 0; i < rules->nrules; i++)
		if (!state_has(stored, rules->rule[i].id,
			       rules->rule[i].fingerprint)) {
			set_bit(sr->changed_rules, i);
			ALLOC_GROW(*drop, *ndrop + 1, alloc);
			(*drop)[(*ndrop)++] = xstrdup(rules->rule[i].id);
			changed++;
		}
	while (*p) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
		char *id;
		long r;

		if (!sp || !nl || sp > nl)
			break;
		id = xstrndup(p, (size_t)(sp - p));
		r = rules_find(rules, id);
		if (r < 0) {
			ALLOC_GROW(*drop, *ndrop + 1, alloc);
			(*drop)[(*ndrop)++] = id;
		} else {
			free(id);
		}
		p = nl + 1;
	}
	if (*ndrop)
		qsort(*drop, *ndrop, sizeof(**drop), cmp_cstr);
	return changed;
}

struct collect {
	struct scan_repo *sr;
	struct arena *a;
};

static int collect_rescan(uint32_t repo, const struct commit *c, void *payload)
{
	struct collect *col = payload;

	(void)repo;
	add_job(col->sr, c->oid, JOB_RESCAN, !!(c->flags & COMMIT_LANDED),
		c->pr, NULL);
	arena_reset(col->a);
	return 0;
}

/* ---- writing ----------------------------------------------------- */

struct writer {
	struct index *idx;
	struct index_txn *txn;
	struct repo_info *info;
	char **drop;
	size_t ndrop;
	const char *state;		/* the rule state to store */
	struct arena a;
	size_t new_commits, tagged, rescanned, flipped;
};

static int dropped(const struct writer *w, const char *rule)
{
	return w->ndrop && bsearch(&rule, w->drop, w->ndrop, sizeof(*w->drop),
				   cmp_cstr);
}

static int write_rescan(struct writer *w, const struct commit *fresh)
{
	struct commit old, merged;
	size_t i, n = 0;
	int rc;

	rc = index_commit_get(w->txn, w->info->id, fresh->oid, &w->a, &old);
	if (rc < 0)
		return rc == MS_NOTFOUND ? 0 : rc;
	merged = old;
	merged.matches = arena_alloc(&w->a, (old.nmatches + fresh->nmatches +
				     1) * sizeof(*merged.matches));
	for (i = 0; i < old.nmatches; i++)
		if (!dropped(w, old.matches[i].rule))
			merged.matches[n++] = old.matches[i];
	for (i = 0; i < fresh->nmatches; i++)
		merged.matches[n++] = fresh->matches[i];
	merged.nmatches = (uint32_t)n;
	if (fresh->flags & COMMIT_PARTIAL)
		merged.flags |= COMMIT_PARTIAL;
	set_tags(&w->a, &merged);
	w->rescanned++;
	return index_commit_put(w->txn, w->info, &merged, &old);
}

static int write_flip(struct writer *w, const unsigned char *oid)
{
	struct commit old, now;
	int rc = index_commit_get(w->txn, w->info->id, oid, &w->a, &old);

	if (rc < 0)
		return rc == MS_NOTFOUND ? 0 : rc;
	if (old.flags & COMMIT_LANDED)
		return 0;
	now = old;
	now.flags |= COMMIT_LANDED;
	w->flipped++;
	return index_commit_put(w->txn, w->info, &now, &old);
}

static int write_result(struct writer *w, const struct job *j,
			const struct result *res)
{
	int rc;

	arena_reset(&w->a);
	if (j->kind == JOB_RESCAN)
		return write_rescan(w, &res->c);
	rc = index_commit_put(w->txn, w->info, &res->c, NULL);
	if (rc == 0) {
		w->new_commits++;
		w->tagged += res->c.ntags > 0;
	}
	return rc < 0 ? rc : 0;
}

static void progress(const struct scan_repo *sr, size_t done,
		     const struct timespec *t0)
{
	struct timespec now;
	double secs, rate;

	if (!msg_progress_enabled())
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	rate = secs > 0 ? (double)done / secs : 0;
	msg_progress("%s: %zu/%zu commits, %.0f/s, ETA %.0f s", sr->name,
		     done, sr->njobs, rate,
		     rate > 0 ? (double)(sr->njobs - done) / rate : 0.0);
}

/*
 * Stores flips, then results in job order, BATCH per transaction.  A full
 * map aborts the batch; the map has grown, and the batch is redone from
 * the results still held.
 */
static int write_all(struct scan_repo *sr, struct writer *w,
		     const struct timespec *t0)
{
	size_t start = 0, i, f;
	int rc = 0;

again:
	if ((rc = index_begin(w->idx, 1, &w->txn)) < 0)
		return rc;
	if (start == 0) {
		for (f = 0; f < sr->nflips && !rc; f++) {
			arena_reset(&w->a);
			rc = write_flip(w, sr->flips[f]);
		}
		if (rc)
			goto fail;
	}
	for (i = start; i < sr->njobs; i++) {
		pthread_mutex_lock(&sr->lock);
		sr->awaited = i;
		while (!sr->results[i])
			pthread_cond_wait(&sr->result_cond, &sr->lock);
		pthread_mutex_unlock(&sr->lock);
		if ((rc = write_result(w, &sr->jobs[i], sr->results[i])) < 0)
			goto fail;
		if (i + 1 - start >= BATCH || i + 1 == sr->njobs) {
			if (i + 1 >= sr->nrescan)
				w->info->rule_state = w->state;
			if ((rc = index_repo_put(w->txn, w->info)) < 0)
				goto fail;
			rc = index_commit(w->txn);
			w->txn = NULL;
			if (rc < 0)
				goto redo;
			pthread_mutex_lock(&sr->lock);
			for (; start <= i; start++) {
				arena_release(&sr->results[start]->a);
				free(sr->results[start]);
				sr->results[start] = NULL;
			}
			sr->written = start;
			pthread_cond_broadcast(&sr->cond);
			pthread_mutex_unlock(&sr->lock);
			progress(sr, start, t0);
			if (start < sr->njobs &&
			    (rc = index_begin(w->idx, 1, &w->txn)) < 0)
				return rc;
		}
	}
	if (w->txn) {
		/* only flips, no jobs */
		w->info->rule_state = w->state;
		if ((rc = index_repo_put(w->txn, w->info)) < 0)
			goto fail;
		rc = index_commit(w->txn);
		w->txn = NULL;
		if (rc < 0)
			goto redo;
	}
	return 0;
fail:
	index_abort(w->txn);
	w->txn = NULL;
redo:
	if (rc == MS_MAPFULL) {
		/* counts in *info were bumped by the aborted batch: reread */
		struct index_txn *t;
		struct repo_info fresh;

		if (index_begin(w->idx, 0, &t) < 0)
			return -1;
		if (index_repo_get(t, w->info->name, &w->a, &fresh) == 0) {
			w->info->ncommits = fresh.ncommits;
			w->info->nlanded = fresh.nlanded;
			w->info->npartial = fresh.npartial;
		}
		index_abort(t);
		if (start == 0) {
			w->new_commits = w->tagged = 0;
			w->rescanned = w->flipped = 0;
		}
		goto again;
	}
	return -1;
}

/* ---- one repository ---------------------------------------------- */

static int cmp_ref_name(const void *a, const void *b)
{
	return strcmp((*(const struct mirror_ref *const *)a)->name,
		      (*(const struct mirror_ref *const *)b)->name);
}

/* Do the refs point where the stored tips do?  The stored tips come in
 * key (name) order; the refs are sorted the same way first, so that
 * the thousands of refs of a large mirror compare in linear time. */
static int same_tips(const struct mirror_ref *refs, size_t nrefs,
		     const struct ref_tip *tips, size_t ntips)
{
	const struct mirror_ref **sorted;
	size_t i;
	int same = 1;

	if (nrefs != ntips)
		return 0;
	sorted = xcalloc(nrefs + 1, sizeof(*sorted));
	for (i = 0; i < nrefs; i++)
		sorted[i] = &refs[i];
	if (nrefs)
		qsort(sorted, nrefs, sizeof(*sorted), cmp_ref_name);
	for (i = 0; i < nrefs && same; i++)
		same = !strcmp(sorted[i]->name, tips[i].name) &&
		       !memcmp(sorted[i]->oid, tips[i].oid, OID_RAWSZ);
	free(sorted);
	return same;
}

struct stored_tips {
	const struct ref_tip *tips;	/* in name order */
	size_t n;
};

/* Was the ref stored pointing at this commit?  Then mirror_refs() need
 * not read the object to learn that it is one: a no-op rerun of a mirror
 * with thousands of refs reads none. */
static int tip_known(const char *name, const unsigned char *oid,
		     void *payload)
{
	const struct stored_tips *st = payload;
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->tips[mid].name, name);

		if (!c)
			return !memcmp(st->tips[mid].oid, oid, OID_RAWSZ);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int start_workers(struct scan_repo *sr, struct worker *ws, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ws[i].sr = sr;
		if (mirror_open(&ws[i].m, sr->name, sr->path, sr->packs) < 0)
			return -1;
		ws[i].rm = rules_matcher_new(sr->rules);
		eval_init(&ws[i].ev, sr, ws[i].rm);
		if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i])) {
			mirror_close(&ws[i].m);
			rules_matcher_free(ws[i].rm);
			eval_release(&ws[i].ev);
			return error("cannot start a scan thread");
		}
	}
	return 0;
}

static void stop_workers(struct scan_repo *sr, struct worker *ws, int n)
{
	int i;

	pthread_mutex_lock(&sr->lock);
	sr->abort = 1;
	pthread_cond_broadcast(&sr->cond);
	pthread_mutex_unlock(&sr->lock);
	for (i = 0; i < n; i++) {
		pthread_join(ws[i].thread, NULL);
		mirror_close(&ws[i].m);
		rules_matcher_free(ws[i].rm);
		eval_release(&ws[i].ev);
	}
}

static int64_t new_horizon(const struct scan_opts *o,
			   const struct repo_info *ri, int hit)
{
	if (!o->since || (ri->last_scan && !ri->horizon))
		return 0;
	if (!hit && !ri->last_scan)
		return 0;
	if (ri->horizon && ri->horizon < o->since)
		return ri->horizon;
	return o->since;
}

static int scan_repo(struct index *idx, const struct rules *rules,
		     const struct mirror_spec *spec,
		     const struct scan_opts *o, const char *state,
		     struct blobkw *blobkw)
{
	struct scan_repo sr;
	struct arena a = ARENA_INIT;
	struct mirror m = { 0 };
	struct mirror_ref *refs = NULL;
	struct ref_tip *tips = NULL, *newtips = NULL;
	struct repo_info ri;
	struct writer w;
	struct worker *ws = NULL;
	struct timespec t0, t1;
	const char *default_branch;
	size_t nrefs = 0, ntips = 0, i, nchanged = 0;
	int nworkers = 0, hit_horizon = 0, ret = 0, rc;
	size_t nbits = rules->nrules / 8 + 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&sr, 0, sizeof(sr));
	memset(&w, 0, sizeof(w));
	sr.o = o;
	sr.rules = rules;
	sr.blobkw = blobkw;
	sr.memo = diffmemo_new(DIFFMEMO_BYTES);
	sr.packs = pack_cache_new(PACK_CACHE_BYTES);
	sr.name = spec->name;
	sr.path = spec->path;
	pthread_mutex_init(&sr.lock, NULL);
	pthread_cond_init(&sr.cond, NULL);
	pthread_cond_init(&sr.result_cond, NULL);
	sr.awaited = SIZE_MAX;
	sr.all_rules = xcalloc(nbits, 1);
	sr.changed_rules = xcalloc(nbits, 1);
	memset(sr.all_rules, 0xff, nbits);
	sr.rule_tags = xcalloc(rules->nrules + 1, sizeof(*sr.rule_tags));
	for (i = 0; i < rules->nrules; i++) {
		struct buf t = BUF_INIT;
		size_t k;

		for (k = 0; k < rules->rule[i].ntags; k++)
			buf_addf(&t, "%s%s", k ? " " : "",
				 rules->rule[i].tags[k]);
		sr.rule_tags[i] = buf_detach(&t, NULL);
	}

	if (mirror_open(&m, spec->name, spec->path, sr.packs) < 0) {
		msg_partial("%s: skipped", spec->name);
		goto out;
	}
	if ((ret = index_begin(idx, 0, &sr.rtxn)) < 0)
		goto out;
	rc = index_repo_get(sr.rtxn, spec->name, &a, &ri);
	if (rc == MS_NOTFOUND) {
		memset(&ri, 0, sizeof(ri));
		ri.name = spec->name;
		ri.rule_state = "";
	} else if (rc < 0) {
		ret = -1;
		goto out;
	} else if (strcmp(ri.path, spec->path)) {
		struct buf op = BUF_INIT, np = BUF_INIT;

		esc_text(&op, ri.path, strlen(ri.path));
		esc_text(&np, spec->path, strlen(spec->path));
		info("%s: was scanned from '%s', now from '%s'", spec->name,
		     op.ptr, np.ptr);
		buf_release(&op);
		buf_release(&np);
	}
	ri.path = spec->path;
	if (ri.id && (ret = index_refs_get(sr.rtxn, ri.id, &a, &tips,
					     &ntips)) < 0)
		goto out;
	{
		struct stored_tips st = { tips, ntips };

		if (mirror_refs(&m, o->refs, o->nrefs, &a, &refs, &nrefs,
				&default_branch, tip_known, &st) < 0) {
			msg_partial("%s: skipped", spec->name);
			goto out;
		}
	}
	ri.default_branch = default_branch;
	if (!ri.id) {
		/* a new repository gets its id before any commit is keyed
		 * by it */
		struct index_txn *t;

		index_abort(sr.rtxn);
		sr.rtxn = NULL;
		for (;;) {
			if ((ret = index_begin(idx, 1, &t)) < 0)
				goto out;
			if ((ret = index_repo_put(t, &ri)) < 0) {
				index_abort(t);
				ri.id = 0;
			} else {
				ret = index_commit(t);
			}
			if (ret != MS_MAPFULL)
				break;
			ri.id = 0;
		}
		if (ret < 0 || (ret = index_begin(idx, 0, &sr.rtxn)) < 0)
			goto out;
	}
	sr.repo_id = ri.id;
	diff_rule_state(&sr, ri.rule_state, &w.drop, &w.ndrop);
	for (i = 0; i < rules->nrules; i++)
		nchanged += bit(sr.changed_rules, i);
	sr.full_walk = ri.horizon &&
		       (!o->since || o->since < ri.horizon);

	if (ri.last_scan && !sr.full_walk && !nchanged && !w.ndrop &&
	    same_tips(refs, nrefs, tips, ntips) &&
	    prs_pass_needed(sr.rtxn, ri.id) == 0) {
		index_abort(sr.rtxn);
		sr.rtxn = NULL;
		info("%s: up to date", spec->name);
		goto out;
	}

	if (ri.id && (nchanged || w.ndrop) && ri.ncommits) {
		struct collect col = { &sr, &a };
		struct arena ca = ARENA_INIT;

		col.a = &ca;
		ret = index_each_commit(sr.rtxn, ri.id, INT64_MIN, INT64_MAX,
					1, &ca, collect_rescan, &col);
		arena_release(&ca);
		if (ret < 0)
			goto out;
		info("%s: rules changed (%zu new or changed, %zu removed): "
		     "rescanning %zu indexed commits", spec->name, nchanged,
		     w.ndrop - nchanged, sr.njobs);
	}
	/* rescans come first: once they are stored, every indexed commit
	 * carries the current rules, and the rule state can say so */
	sr.nrescan = sr.njobs;
	if (walk_refs(&sr, &m, refs, nrefs, &hit_horizon) < 0) {
		ret = -1;
		goto out;
	}
	index_abort(sr.rtxn);
	sr.rtxn = NULL;

	sr.results = xcalloc(sr.njobs + 1, sizeof(*sr.results));
	nworkers = o->jobs < 1 ? 1 : o->jobs;
	if ((size_t)nworkers > sr.njobs)
		nworkers = sr.njobs ? (int)sr.njobs : 0;
	ws = xcalloc((size_t)nworkers + 1, sizeof(*ws));
	if (start_workers(&sr, ws, nworkers) < 0) {
		ret = -1;
		goto out;
	}
	w.idx = idx;
	w.info = &ri;
	w.state = state;
	ret = write_all(&sr, &w, &t0);
	stop_workers(&sr, ws, nworkers);
	nworkers = 0;
	if (ret < 0)
		goto out;
	/* pull requests, from the commits just written; before the tips,
	 * so that a pass killed midway is redone by the next scan */
	if ((ret = prs_update(idx, &m, &ri, refs, nrefs, tips, ntips)) < 0)
		goto out;

	/* the scan is complete: remember the tips and the rules */
	{
		struct buf st = BUF_INIT;
		struct index_txn *t;

		newtips = xcalloc(nrefs + 1, sizeof(*newtips));
		for (i = 0; i < nrefs; i++) {
			newtips[i].name = refs[i].name;
			memcpy(newtips[i].oid, refs[i].oid, OID_RAWSZ);
		}
		buf_addstr(&st, state);
		ri.rule_state = st.ptr;
		ri.horizon = new_horizon(o, &ri, hit_horizon);
		ri.last_scan = (int64_t)time(NULL);
		for (;;) {
			if ((ret = index_begin(idx, 1, &t)) < 0)
				break;
			if ((ret = index_repo_put(t, &ri)) < 0 ||
			    (ret = index_refs_replace(t, ri.id, newtips,
						      nrefs)) < 0) {
				index_abort(t);
				if (ret == MS_MAPFULL)
					continue;
				break;
			}
			ret = index_commit(t);
			if (ret != MS_MAPFULL)
				break;
		}
		buf_release(&st);
		if (ret < 0)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	msg_progress_done();
	info("%s: %zu new commits (%zu tagged), %zu now landed, %zu "
	     "rescanned, %.2f s", spec->name, w.new_commits, w.tagged,
	     w.flipped, w.rescanned,
	     (double)(t1.tv_sec - t0.tv_sec) +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
	if (nworkers)
		stop_workers(&sr, ws, nworkers);
	msg_progress_done();
	index_abort(sr.rtxn);
	if (sr.results) {
		for (i = 0; i < sr.njobs; i++)
			if (sr.results[i]) {
				arena_release(&sr.results[i]->a);
				free(sr.results[i]);
			}
		free(sr.results);
	}
	for (i = 0; i < w.ndrop; i++)
		free(w.drop[i]);
	free(w.drop);
	arena_release(&w.a);
	for (i = 0; i < rules->nrules; i++)
		free(sr.rule_tags[i]);
	free(sr.rule_tags);
	diffmemo_free(sr.memo);
	pack_cache_free(sr.packs);
	free(sr.all_rules);
	free(sr.changed_rules);
	free(sr.jobs);
	free(sr.flips);
	free(ws);
	free(refs);
	free(tips);
	free(newtips);
	mirror_close(&m);
	pthread_mutex_destroy(&sr.lock);
	pthread_cond_destroy(&sr.cond);
	pthread_cond_destroy(&sr.result_cond);
	arena_release(&a);
	return ret;
}

/*
 * Bounds malloc's arenas by the scan's threads that allocate at once.
 * glibc gives a thread meeting a busy arena one of its own, up to eight
 * per core, and each keeps the free memory of the blobs, bases and diffs
 * that passed through it: with the workers, the threads of split commits
 * and the writer, a scan of flashinfer held 210-225 MiB.  Giving it back
 * with malloc_trim() kept the peak near 180 MiB but cost a page fault per
 * page malloc reused: 1.1-1.3 million faults and 12-14 s of system time
 * (scan 27-31 s, 2 jobs).  With the arenas bounded and nothing trimmed it
 * takes 55-70 thousand faults, 3-4 s, and 20-23 s.
 */
static void limit_arenas(int jobs)
{
#if defined(HAVE_MALLOPT) && defined(M_ARENA_MAX)
	mallopt(M_ARENA_MAX, jobs < 2 ? 2 : jobs);
#else
	(void)jobs;
#endif
}

int scan_run(struct index *idx, const struct rules *rules,
	     const struct mirror_spec *specs, size_t nspecs,
	     const struct scan_opts *o)
{
	struct buf state = BUF_INIT;
	struct blobkw *blobkw;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < nspecs; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(specs[i].name, specs[j].name)) {
				struct buf a = BUF_INIT, b = BUF_INIT;

				esc_text(&a, specs[j].path, strlen(specs[j].path));
				esc_text(&b, specs[i].path, strlen(specs[i].path));
				ret = error("two mirrors are named '%s': '%s' "
					    "and '%s' (name one with "
					    "NAME=PATH)", specs[i].name,
					    a.ptr, b.ptr);
				buf_release(&a);
				buf_release(&b);
				return ret;
			}
	limit_arenas(o->jobs);
	rule_state(rules, &state);
	blobkw = blobkw_new((rules->nkeywords + 7) / 8, BLOBKW_MAX);
	for (i = 0; i < nspecs && !ret; i++)
		ret = scan_repo(idx, rules, &specs[i], o, state.ptr, blobkw);
	blobkw_free(blobkw);
	buf_release(&state);
	return ret;
}
