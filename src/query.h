/*
 * query: the index's answers for log, show and repos, in text and the
 * machine formats, and the JSON commit object of the contract (shared
 * with the reports).  Reads the index only; every string that came from
 * a mirror is escaped for its format (esc.h).
 */
#ifndef MS_QUERY_H
#define MS_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "commit.h"

struct buf;
struct index;
struct rule_regex;
struct rules_matcher;

enum out_format { FMT_TEXT, FMT_JSON, FMT_NDJSON, FMT_CSV };

/* "text" etc. to a format, -1 when unknown or not in allowed (bits). */
int query_format(const char *s, unsigned allowed);

struct log_filter {
	const char **tags;	/* every one must be carried */
	size_t ntags;
	const char *rule;
	const char **repos;	/* any of them; none: all */
	size_t nrepos;
	const struct rule_regex *path;	/* a changed path must match */
	struct rules_matcher *rm;	/* for path */
	const char *author;	/* substring of name or email, any case */
	int64_t since, until;
	int landed;		/* -1 any, 1 landed only, 0 proposed only */
};

/* Writes the matching commits; *count gets how many.  Returns 0 or -1. */
int query_log(struct index *idx, const struct log_filter *f,
	      enum out_format fmt, int color, FILE *out, size_t *count);
/* One commit by id prefix (in repo, or any).  Returns 0, 1 when none
 * matches, -1 on error (an ambiguous prefix lists the candidates). */
int query_show(struct index *idx, const char *repo, const char *prefix,
	       enum out_format fmt, int color, FILE *out);
int query_repos(struct index *idx, enum out_format fmt, FILE *out);

/* The contract's JSON commit object (no trailing newline). */
void query_commit_json(struct buf *out, const char *repo,
		       const struct commit *c);

#endif
