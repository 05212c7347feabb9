/*
 * rules: the rule files of mirrorscan (format in mirrorscan-rules.5 and
 * DESIGN.md): parse, compile with PCRE2's JIT, prefilter by keywords,
 * fingerprint, match.  Only rules.c sees <pcre2.h>.
 *
 * Calling order:
 *   rules_load()                  once, single-threaded; reports every
 *                                 error itself (file:line, PCRE2's message
 *                                 and offset) and returns -1
 *   rules_matcher_new()           once per thread that matches; the
 *                                 first call JIT-compiles the patterns
 *                                 (thread-safe), so a run that matches
 *                                 nothing does not pay for it
 *   rules_keywords_find(), rules_file_applies(), rules_keywords_hit(),
 *   rules_match()                 any number of times, from any thread,
 *                                 each thread with its own matcher
 *   rules_matcher_free(), rules_release()
 *
 * A loaded struct rules is read-only and may be shared by threads.
 */
#ifndef MS_RULES_H
#define MS_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Evidence kept per rule and commit (tags need only one): a scan keeps no
 * more matches, and "min-lines" asks for no more. */
#define RULE_MAX_MATCHES 16

/* Where a match was found; the names are the JSON contract's "side". */
enum rule_side {
	RULE_SIDE_ADDED,
	RULE_SIDE_REMOVED,
	RULE_SIDE_MESSAGE,
	RULE_SIDE_PATH,
};

/* File change kinds, as bits, for the "status" field. */
enum change_status {
	CHANGE_ADDED = 1 << 0,
	CHANGE_MODIFIED = 1 << 1,
	CHANGE_DELETED = 1 << 2,
	CHANGE_RENAMED = 1 << 3,
};

struct rule_regex;	/* compiled pattern, private to rules.c */

struct rule {
	char *id;
	char **tags;
	size_t ntags;
	char *describe;		/* "" when not given */
	char *file;		/* the rule file, as given */
	unsigned line;		/* line of the "rule:" field */
	struct rule_regex *added, *removed, *message, *path, *exclude_path;
	/* "only-path": the rule holds for a commit only when every path it
	 * changes (both of a rename) matches; a commit-wide condition, like
	 * "message" */
	struct rule_regex *only_path;
	/* "function": an added or removed line counts only when the function
	 * it sits in (its hunk's function line, as git shows it after "@@")
	 * matches */
	struct rule_regex *function;
	/* "scope": an added or removed line counts only when a block that
	 * holds it opens with a line it matches (the lines above it with
	 * less indentation, up to one without any) */
	struct rule_regex *scope;
	/* "exclude-line": an added or removed line that matches it does not
	 * count (tried only on lines "added"/"removed" matched) */
	struct rule_regex *exclude_line;
	/* "order-free": an added or removed line that matches it (an
	 * #include, an import) is one whose order means nothing: when the
	 * commit also has it on the other side, in any file, it moved */
	struct rule_regex *order_free;
	unsigned status_mask;	/* enum change_status bits; 0 = any */
	/* "lines": enum line_class bits; an added or removed line counts
	 * only when it is of one of these classes (lineclass.h); 0 = any.
	 * Without "comment", a line's trailing comment is not matched. */
	unsigned lines;
	/* "only-lines": a commit-wide condition, like "only-path": every
	 * changed line of every file change (that "only-path", when given,
	 * does not take) is of these classes; 0 = none */
	unsigned only_lines;
	/* "new-match: yes": an added (removed) line that replaced a line of
	 * the same hunk (lineclass_file_partner()) counts only when one of
	 * the regex's matches in it is not among its matches in that line */
	int new_match;
	/* "same-line: yes": the removed line must be the one the added line
	 * replaced (its partner), not any line of the file change */
	int same_line;
	/* "same-hunk: yes": an added line counts only when its hunk also
	 * removes a line that "removed" matches (the code it rewrote) */
	int same_hunk;
	/* "min-lines: N per M": in a commit that changes L lines (added
	 * plus removed, all files), the rule's matches count only when there
	 * are at least min(N, 1 + L / M) of them; 0 = no such condition */
	unsigned min_lines, min_lines_per;
	size_t *keywords;	/* indices into rules->keywords */
	size_t nkeywords;
	/* "line-keywords": a line is matched against added/removed only
	 * when it holds one of these (ASCII case ignored); indices into
	 * rules->keywords */
	size_t *line_keywords;
	size_t nline_keywords;
	/* 1 when a line that holds a line keyword proves the file holds one
	 * of the keywords (every line keyword contains one, ASCII case
	 * ignored), or there are no keywords: then the keywords only spare
	 * a diff, and a scan that diffs the file anyway need not look */
	int keywords_implied;
	char **examples, **counterexamples;
	size_t nexamples, ncounterexamples;
	/* 16 hex digits: 64-bit FNV-1a of the stanza's fields, normalised
	 * (field order and whitespace of continuation lines do not count);
	 * only the fields that change what a scan finds: describe, example
	 * and counterexample are left out, so editing them rescans nothing */
	char fingerprint[17];
};

struct rules {
	struct rule *rule;
	size_t nrules;
	/* distinct keywords of all rules, in first-seen order */
	char **keywords;
	size_t nkeywords;
	/* 16 hex digits over the rule fingerprints, in id order */
	char fingerprint[17];
	struct rules_kwtab *kwtab;	/* prefilter tables, private */
};

/*
 * Loads rule files.  Each path is a file, or a directory whose "*.rules"
 * files are read in name order.  Errors (unreadable file, syntax, unknown
 * field, missing rule/tags, duplicate id, bad regex, bad status) are
 * reported with error(), as "FILE:LINE: rule 'ID': ...", every one of them
 * (not just the first); then -1 is returned and *out is left empty.
 * npaths may be 0 (an empty rule set).
 */
int rules_load(struct rules *out, const char *const *paths, size_t npaths);
void rules_release(struct rules *r);

/* Index of the rule with this id, or -1. */
long rules_find(const struct rules *r, const char *id);

/*
 * Keyword prefilter.  Sets bit k (kwset[k / 8] & (1 << k % 8)) for each
 * keyword k that occurs in data, ignoring ASCII case; bits of keywords not
 * found are left as they were, so a caller can OR both sides of a change
 * into one set.  kwset holds (nkeywords + 7) / 8 bytes.  One pass over data.
 */
void rules_keywords_find(const struct rules *r, const char *data, size_t len,
			 unsigned char *kwset);
/* 1 when rule i has no keywords or one of them is in kwset, and the
 * same for its line keywords (a file must hold one of those too). */
int rules_keywords_hit(const struct rules *r, size_t i,
		       const unsigned char *kwset);
/*
 * Line keywords: the line keywords of every rule, numbered apart from the
 * keywords (a line is searched for these only).  rules_line_keywords_find()
 * clears lset, which holds rules_line_kwset_size() bytes, and marks those
 * that occur in text.  rules_line_keywords_hit() is 1 when rule i has no
 * line keywords or one of them is marked in lset.  The find returns 1 when
 * it marked any, else 0.
 */
size_t rules_line_kwset_size(const struct rules *r);
int rules_line_keywords_find(const struct rules *r, const char *text,
			     size_t len, unsigned char *lset);
int rules_line_keywords_hit(const struct rules *r, size_t i,
			    const unsigned char *lset);
/*
 * Sets of rules, as rules_rule_words() 64-bit words (rule i is bit i % 64
 * of word i / 64).  rules_line_candidates() sets in cand the rules with a
 * line keyword marked in lset; rules_every_line() is the set of rules
 * without line keywords, which every line is for.
 */
size_t rules_rule_words(const struct rules *r);
void rules_line_candidates(const struct rules *r, const unsigned char *lset,
			   uint64_t *cand);
const uint64_t *rules_every_line(const struct rules *r);

/*
 * 1 when the path, exclude-path and status conditions of rule i hold for a
 * file change (path is the new path, or the old one for a deletion;
 * old_path is the old path of a rename, else NULL: "path" may match either
 * of them, "exclude-path" excludes when it matches the path).  A path
 * regex that PCRE2 gives up on (match limit) makes the rule not apply.
 */
int rules_file_applies(const struct rules *r, size_t i, const char *path,
		       const char *old_path, unsigned status);
/* 1 when rule i has no "only-path", or path (and old_path of a rename,
 * when not NULL) match it; a regex that gives up counts as no match. */
int rules_only_path_holds(const struct rules *r, size_t i, const char *path,
			  const char *old_path);

/*
 * rules_file_applies() and rules_only_path_holds() through a matcher,
 * which remembers what each distinct path regex said of the paths it
 * was asked about (the same files change in commit after commit).
 */
struct rules_matcher;
int rules_match_file(struct rules_matcher *m, size_t i, const char *path,
		     const char *old_path, unsigned status);
int rules_match_only_path(struct rules_matcher *m, size_t i,
			  const char *path, const char *old_path);

/* 1 when rule i has an "added" or "removed" regex (needs diff lines). */
int rules_needs_lines(const struct rules *r, size_t i);

struct rules_matcher;
/* Per-thread match state (match data, JIT stack, limits); dies on OOM. */
struct rules_matcher *rules_matcher_new(const struct rules *r);
void rules_matcher_free(struct rules_matcher *m);

/*
 * Matches the regex of rule i for side (added, removed, message or path)
 * against text (len bytes, need not be NUL-terminated).  Returns 1 on a
 * match, 0 when it does not match or the rule has no regex for that side,
 * -1 when PCRE2 gave up (match or depth limit: a catastrophic pattern on
 * hostile input) or failed; then rules_matcher_error() says why, and the
 * caller reports the rule and commit and goes on.  Invalid UTF-8 in text
 * is not an error.
 */
int rules_match(struct rules_matcher *m, size_t i, enum rule_side side,
		const char *text, size_t len);
/* The same on the first len bytes of a longer line: "$" does not match
 * where the line was cut (PCRE2_NOTEOL). */
int rules_match_head(struct rules_matcher *m, size_t i, enum rule_side side,
		     const char *text, size_t len);
/* The same from byte offset of text on (a lookbehind sees before it). */
int rules_match_at(struct rules_matcher *m, size_t i, enum rule_side side,
		   const char *text, size_t len, size_t offset);
/* Where the last match of rules_match(), rules_match_head() or
 * rules_match_at() that returned 1 lay in its text: [*start, *end). */
void rules_last_match(const struct rules_matcher *m, size_t *start,
		      size_t *end);
/* Rule i's "exclude-line" regex against a line: 1 when it matches (the
 * line does not count), 0 when not or the rule has none, -1 as for
 * rules_match().  head: text is the start of a longer line, as for
 * rules_match_head(). */
int rules_match_exclude_line(struct rules_matcher *m, size_t i,
			     const char *text, size_t len, int head);
/* Rule i's "order-free" regex against a line: 1 when it matches, 0
 * when not or the rule has none, -1 as for rules_match(); head as for
 * rules_match_exclude_line(). */
int rules_match_order_free(struct rules_matcher *m, size_t i,
			   const char *text, size_t len, int head);
/* Rule i's "function" regex against a change's function line (func,
 * len bytes; NULL when the change has none): 1 when it matches or the
 * rule has no "function", 0 when not, -1 as for rules_match(). */
int rules_match_function(struct rules_matcher *m, size_t i,
			 const char *func, size_t len);
/* Rule i's "scope" regex against the first line of a block (header, len
 * bytes): 1 when it matches or the rule has no "scope", 0 when not, -1 as
 * for rules_match(). */
int rules_match_scope(struct rules_matcher *m, size_t i, const char *header,
		      size_t len);
const char *rules_matcher_error(const struct rules_matcher *m);

/*
 * Checks every rule's examples (must match "added") and counterexamples
 * (must not), printing one line per failure to out as
 * "FILE:LINE: rule 'ID': example does not match: TEXT".  Returns the number
 * of failures.  A rule without "added" and with examples is a failure.
 */
size_t rules_test(const struct rules *r, FILE *out);

/*
 * A stand-alone pattern (log --path and the like), PCRE2 syntax like the
 * rule files.  rules_pattern_new() reports a bad pattern with error(),
 * naming what (e.g. "--path"), and returns NULL.  Matching uses a
 * matcher of the calling thread.
 */
struct rule_regex *rules_pattern_new(const char *pattern, const char *what);
int rules_pattern_match(struct rules_matcher *m, const struct rule_regex *re,
			const char *text, size_t len);
void rules_pattern_free(struct rule_regex *re);

/* "PCRE2 10.42 (JIT on)" */
struct buf;
void rules_version(struct buf *out);

#endif
