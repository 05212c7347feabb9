/*
 * report: `mirrorscan report`, the daily digest and its exports.
 *
 * report.c reads a window of the index into a struct report (every
 * repository in name order, each with its commits of the window, newest
 * first, split into landed commits and the proposed ones grouped by pull
 * request) and keeps the helpers the formats share: evidence per tag,
 * folding of long file lists, the title.  Each format is one struct
 * report_format in its own file (report_md.c, report_json.c, report_csv.c,
 * report_sarif.c, report_html.c) and only writes: it never reads the
 * index, and escapes every string that came from a mirror (esc.h).
 *
 * Calling order:
 *   report_format_find()      the format of --format
 *   report_load()             one read transaction, key ranges only
 *   fmt->write()              any number of times
 *   report_release()
 *
 * Speed: a window is read with index_each_commit() per repository (or
 * index_each_tagged() per tag with --tag), so a day's report decodes that
 * day's commits and nothing else, however large the index.
 */
#ifndef MS_REPORT_H
#define MS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "commit.h"

struct buf;
struct index;
struct rules;

enum report_lang { REPORT_EN, REPORT_ZH };

struct report_opts {
	int64_t since, until;	/* [since, until), committer time */
	const char **repos;	/* only these (each must be in the index) */
	size_t nrepos;
	const char **tags;	/* commits carrying any of them; none: all */
	size_t ntags;
	enum report_lang lang;
};

/* The proposed commits of one pull request in the window. */
struct report_pr {
	uint32_t number;	/* 0: proposed, but from no refs/pull/N */
	const struct commit **commits;	/* oldest first */
	size_t ncommits;
	/* a landed commit of the window naming this PR ("(#N)"), or NULL */
	const struct commit *landed_by;
	/* from the index's pull-request table (prs.h), when it has one */
	const char *title;	/* or NULL */
	int state;		/* enum pr_state, or -1 when not known */
};

struct report_repo {
	const char *name;
	const char *path;	/* the mirror's path at its last scan */
	struct commit *commits;	/* newest first (ties: by id) */
	size_t ncommits;
	const struct commit **landed;	/* the landed ones, newest first */
	size_t nlanded;
	struct report_pr *prs;	/* highest number first; 0 last */
	size_t nprs;
	size_t nproposed;
};

struct report_tag {
	const char *tag;
	size_t landed, proposed;	/* commits carrying it */
};

struct report {
	int64_t generated;	/* date_now() */
	int64_t since, until;
	enum report_lang lang;
	const char **filter_tags;	/* --tag, as given */
	size_t nfilter_tags;
	struct report_repo *repos;	/* every repo (or --repo's), by name */
	size_t nrepos;
	size_t nchanged;	/* repos with a landed commit */
	size_t nlanded, nproposed;
	size_t nprs;		/* pull requests (numbered) with activity */
	size_t ntagged;		/* landed commits with a tag */
	struct report_tag *tags;	/* by landed count, then proposed,
					   then name */
	size_t ntags;
	const struct rules *rules;	/* for REPORT_RULES formats, or NULL */
	struct arena arena;	/* owns everything above */
};

enum report_format_flags {
	REPORT_RULES = 1 << 0,	/* wants r->rules (descriptions) */
};

struct report_format {
	const char *name;
	unsigned flags;
	/* Writes r to out; 0, or -1 when out failed (the caller reports). */
	int (*write)(const struct report *r, FILE *out);
};

extern const struct report_format report_md, report_json, report_ndjson,
	report_csv, report_sarif, report_html;

/* The format named s, or NULL. */
const struct report_format *report_format_find(const char *s);
/* "md, json, ndjson, csv, sarif, html" */
const char *report_format_names(void);

/*
 * Reads the window.  Returns 0, or -1 after reporting (an error of the
 * index, a --repo that is not in it).  r is ready for report_release()
 * either way.
 */
int report_load(struct report *r, struct index *idx,
		const struct report_opts *o);
void report_release(struct report *r);

/* ---- helpers for the formats --------------------------------------- */

/* Appends buf to out and empties it; -1 when out has failed. */
int report_flush(struct buf *b, FILE *out);

/* 1 when [since, until) is exactly one UTC day. */
int report_is_one_day(const struct report *r);
/* "2026-02-15" for one day, "2026-02-10 – 2026-02-15" for whole days,
 * ISO 8601 times otherwise. */
void report_window(struct buf *out, const struct report *r);

/* 1 when the space-separated list holds word. */
int report_has_word(const char *list, const char *word);

/*
 * The evidence of each tag of c: ev[i] (for c->tags[i]) is the match that
 * shows it best (an added line, then a removed line, then the message,
 * then a path), or NULL.  ev holds c->ntags entries.  Tags whose evidence
 * is one match are printed together by the formats.
 */
void report_evidence(const struct commit *c, const struct match **ev);

/* 1 when two evidence matches show the same thing (the same line of the
 * same file, or the same path or message line), though found by two rules:
 * their tags are then printed together.  NULL is the same as NULL. */
int report_same_evidence(const struct match *a, const struct match *b);

/* A matched line for display: blanks at both ends dropped, cut at about
 * max bytes on a UTF-8 boundary; *cut says whether it was cut. */
void report_snippet(const char *text, size_t max, const char **start,
		    size_t *len, int *cut);

/* 1 when a match of c names the file (its path or old path). */
int report_file_tagged(const struct commit *c, const struct file_change *f);
/*
 * Which files to list when at most max are shown: all of them when they
 * fit; otherwise the tagged ones first, then the others in order.  Fills
 * idx (max entries) and returns how many; the rest are counted by the
 * caller (c->nfiles_total - returned).
 */
size_t report_files_shown(const struct commit *c, size_t max, size_t *idx);
/* Lines added and removed over the recorded files. */
void report_line_counts(const struct commit *c, uint64_t *added,
			uint64_t *removed);
/* "added", "modified", "deleted", "renamed" */
const char *report_status_name(unsigned status);
/* "added", "removed", "message", "path" */
const char *report_side_name(enum rule_side side);

/* A pull request's state (enum pr_state) in r's language, or NULL when
 * state is -1 (not known). */
const char *report_pr_state(const struct report *r, int state);

/* The text of a pull request's heading, after the format's heading mark:
 * "PR #N: TITLE (STATE, N commits)", or the heading of the proposed
 * commits of no pull request.  subject() writes the title escaped for
 * the format. */
/* What follows a file's path in a report: " (new)" or " (deleted)", then
 * " (binary)" and the like when its contents were not scanned, else its
 * line counts, " +ADDED", minus, "REMOVED". */
void report_file_notes(struct buf *b, const struct report *r,
		       const struct file_change *f, const char *minus);

void report_pr_heading(struct buf *b, const struct report *r,
		       const struct report_pr *pr,
		       void (*subject)(struct buf *b, const struct report *r,
				       const char *s));

/* The 40 hex digits of oid and a NUL (hex holds OID_HEXSZ + 1). */
void report_hex(char *hex, const unsigned char *oid);

#endif
