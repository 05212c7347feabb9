/*
 * rules.c: the rule files (see rules.h, DESIGN.md "Rule files" and
 * mirrorscan-rules.5).  Owns parsing, validation, PCRE2 compilation (JIT
 * when the library has it, the interpreter otherwise), the keyword
 * prefilter, fingerprints and matching.  It knows nothing about git, diffs
 * or the index: callers hand it paths, lines and blob contents.  This is
 * the only file that includes <pcre2.h>.
 *
 * Parsing, as chosen here (the contract leaves these details open):
 *  - A file is read whole; a UTF-8 BOM at its start is skipped and a CR
 *    before each LF is dropped, so files saved on Windows read the same.
 *  - "#" in column 0 makes a comment line.  It is dropped before anything
 *    else, so it neither ends a stanza nor interrupts a continued value.
 *    A "#" anywhere else is data (a regex may hold one).
 *  - An empty line, or one of only blanks, ends a stanza.
 *  - "field: value": the field name runs up to the first ":", the value
 *    is the rest with blanks trimmed at both ends.
 *  - A line starting with a blank continues the previous value.  The piece
 *    is trimmed, then joined:
 *      regexes (added removed message path exclude-path): with nothing,
 *        so a long regex may be split anywhere; a blank needed at the
 *        seam must be written as "\s", "[ ]" or "\x20";
 *      tags keywords describe status rule: with one space, and every run
 *        of blanks in the value becomes one space;
 *      example counterexample: with one space; blanks inside a piece are
 *        kept as written, since the text is matched against "added".
 *  - example and counterexample may repeat and accumulate; any other
 *    field given twice in a stanza is an error.  An empty value is an
 *    error.
 *  - Rule ids and tags are made of [A-Za-z0-9._/+-], since both end up on
 *    command lines (--rule, --tag), in file names and in every export.
 *
 * Every error of every file is reported (error(), "FILE:LINE: rule 'ID':
 * ..."); rules_load() then fails as a whole.
 */
#include "config.h"

#include "rules.h"
#include "buf.h"
#include "dirlist.h"
#include "lineclass.h"
#include "msg.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Limits of one pcre2_match() call.  PCRE2's defaults (a match limit of ten
 * million and a 20 GB heap) let one catastrophic pattern on one hostile
 * line stall a scan for minutes; the regexes of a rule pack need a few
 * hundred steps per start position on real source lines.  The JIT honours
 * the match limit (and stops at the end of its stack); the interpreter
 * honours all three.
 *
 * NEEDSWORK: PCRE2 counts the match limit per start position, so a pattern
 * that costs O(n) at each position still takes O(n^2) on an n-byte line
 * that never matches (seen with the interpreter: "x+(?:y|z)" on 64 KiB of
 * "x" takes two seconds; the JIT's start optimisations avoid it for every
 * pattern tried).  Callers should not hand megabyte lines to rules_match().
 */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000
#define HEAP_LIMIT_KIB 20480
/* The JIT stack: 32 KiB to start with, as pcre2jit(3) suggests, grown up
 * to 1 MiB; a match needing more fails with "JIT stack limit reached". */
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

/* 64-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/). */
#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)
/*
 * Prefix hashed into every rule fingerprint: bump it when the meaning of a
 * rule with the same text changes (compile options, join rules, line
 * classes), so that indexes built by an older mirrorscan rescan.
 * 2: Jinja templates have {# #} comments.
 * 3: lines moved from one file to another are no change.
 */
#define FINGERPRINT_VERSION "mirrorscan-rule-3"

struct rule_regex {
	pcre2_code *code;
	char *pattern;
	unsigned line;
};

/* What rules.h does not show of a rule. */
struct rule_priv {
	unsigned *example_line, *counterexample_line;
};

/*
 * Everything private to rules.c that hangs off a loaded struct rules: the
 * keyword prefilter tables, the match context of rules_file_applies(),
 * the ovector size matchers need and the per-rule private data.
 *
 * The prefilter looks at each position of the data once.  A gate decides
 * whether a keyword may start there: gate_bits, one bit per gate key of
 * the three bytes at the position (the low five bits of each, 15 bits in
 * all: a 4 KiB table that stays in L1 while the data streams by).  A
 * keyword of three bytes or more sets the bit of its first three bytes; a
 * two-byte one the bits of every third byte, so the gate has no false
 * negatives.  Five bits tell the 26 letters apart and fold ASCII case
 * without a table; they also fold digits and punctuation onto letters,
 * which can only open the gate more often, never less.  Behind an open
 * gate, the candidates filed under the first two bytes, lower-cased (CSR
 * arrays pair_start, pair_kw), are compared with the data, ignoring ASCII
 * case.  A candidate carries its third byte, so most are rejected without
 * touching the keyword; keywords already found are skipped, and the scan
 * stops once all are found.  One-byte keywords (of little use as a
 * filter, but allowed) would open the gate everywhere, so they have their
 * own table, single, looked at only when the rule set has any.  In a
 * text of 16 KiB or more, a copy of the gate closes keys as the keywords
 * behind them are found (struct kw_prune): 15% faster on 70 KB blobs.
 *
 * Measured at -O2 on 70 MB of C headers and Python, 20 KB at a time, with
 * the 219 keywords of the default pack: a gate on the first two bytes
 * alone opened at 19% of the positions ("__", "in", "re", "co" start
 * keywords and half the words of a program) and the scan ran at 290 MiB/s,
 * bound by mispredicted branches; a multiplicative hash of three bytes
 * opened at 2% and ran at 520 MiB/s; the five-bit key runs at 740 MiB/s,
 * as fast as the bare gate loop with the hash.  A multi-pattern automaton
 * (Aho-Corasick) would need no gate, but its state table for a few hundred
 * keywords does not fit in L1.
 */
#define GATE_KEY_BITS 15
#define GATE_FOLD(c) ((uint32_t)(c) & 0x1f)
#define GATE_MASK ((UINT32_C(1) << GATE_KEY_BITS) - 1)

struct kw_cand {
	uint32_t k;		/* keyword index */
	uint32_t len;		/* its length */
	unsigned char c2;	/* its third byte, lower-cased, if len > 2 */
};

/* A set of keywords to look for, numbered 0..n-1. */
struct kwmatch {
	unsigned char lower[256];
	uint64_t gate_bits[(1 << GATE_KEY_BITS) / 64];
	uint32_t single[256];		/* 1 + one-byte keyword, or 0 */
	int has_single;
	uint32_t *pair_start;		/* 65537 offsets into pair_kw */
	struct kw_cand *pair_kw;
	/* keywords behind each gate key (at most 255), and each keyword's
	 * key (a two-byte one: its first, of 32), for pruning the gate */
	unsigned char *gate_count;
	uint32_t *kw_key;
	unsigned char **lkw;		/* keywords, ASCII lower-cased */
	size_t *kwlen;
	size_t n;
};

struct rules_kwtab {
	struct kwmatch all;		/* every keyword, as rules->keywords */
	/* The line keywords alone, numbered apart: a line is searched for
	 * these only, and line_mask[i] holds rule i's as bits. */
	struct kwmatch line;
	unsigned char *line_mask;	/* nrules rows of line_bytes */
	size_t line_bytes;
	/* rule sets (rules_rule_words()): for each line keyword the rules
	 * that have it, and the rules without line keywords */
	size_t rule_words;
	uint64_t *kw_rules;		/* a row of rule_words per line keyword */
	uint64_t *every_line;
	pcre2_match_context *mctx;	/* limits only; read-only once set */
	uint32_t ovector_pairs;		/* for the pattern with most groups */
	struct rule_priv *priv;		/* parallel to rules->rule */
	/* The distinct path regexes ("path", "exclude-path", "only-path"):
	 * most rules share a few, so a matcher judges a path once per
	 * distinct regex.  path_ix holds nrules rows of PATH_FIELDS indexes
	 * into path_re, PATH_NONE where the rule has no such field. */
	const struct rule_regex **path_re;
	size_t npath_re;
	uint32_t *path_ix;
	/* whether the patterns are JIT-compiled yet (jit_once()) */
	pthread_mutex_t jit_lock;
	int jitted;
};

enum { PATH_OF_PATH, PATH_OF_EXCLUDE, PATH_OF_ONLY, PATH_FIELDS };
#define PATH_NONE UINT32_MAX

/* ---- fields -------------------------------------------------------- */

/* In strcmp() order of their names: fingerprints hash them in this order. */
enum field {
	F_ADDED,
	F_COUNTEREXAMPLE,
	F_DESCRIBE,
	F_EXAMPLE,
	F_EXCLUDE_LINE,
	F_EXCLUDE_PATH,
	F_FUNCTION,
	F_KEYWORDS,
	F_LINE_KEYWORDS,
	F_LINES,
	F_MESSAGE,
	F_MIN_LINES,
	F_NEW_MATCH,
	F_ONLY_LINES,
	F_ONLY_PATH,
	F_ORDER_FREE,
	F_PATH,
	F_REMOVED,
	F_RULE,
	F_SAME_LINE,
	F_SAME_HUNK,
	F_SCOPE,
	F_STATUS,
	F_TAGS,
	F__COUNT
};

enum join {
	JOIN_RAW,	/* trimmed pieces, joined with nothing */
	JOIN_WORDS,	/* words, joined with one space */
	JOIN_TEXT,	/* trimmed pieces, joined with one space */
};

static const struct field_info {
	const char *name;
	enum join join;
	unsigned repeat : 1;		/* may be given more than once */
	unsigned fingerprint : 1;	/* changes what a scan finds */
} field_info[F__COUNT] = {
	[F_ADDED] = { "added", JOIN_RAW, 0, 1 },
	[F_COUNTEREXAMPLE] = { "counterexample", JOIN_TEXT, 1, 0 },
	[F_DESCRIBE] = { "describe", JOIN_WORDS, 0, 0 },
	[F_EXAMPLE] = { "example", JOIN_TEXT, 1, 0 },
	[F_EXCLUDE_LINE] = { "exclude-line", JOIN_RAW, 0, 1 },
	[F_EXCLUDE_PATH] = { "exclude-path", JOIN_RAW, 0, 1 },
	[F_FUNCTION] = { "function", JOIN_RAW, 0, 1 },
	[F_KEYWORDS] = { "keywords", JOIN_WORDS, 0, 1 },
	[F_LINE_KEYWORDS] = { "line-keywords", JOIN_WORDS, 0, 1 },
	[F_LINES] = { "lines", JOIN_WORDS, 0, 1 },
	[F_MESSAGE] = { "message", JOIN_RAW, 0, 1 },
	[F_MIN_LINES] = { "min-lines", JOIN_WORDS, 0, 1 },
	[F_NEW_MATCH] = { "new-match", JOIN_WORDS, 0, 1 },
	[F_ONLY_LINES] = { "only-lines", JOIN_WORDS, 0, 1 },
	[F_ONLY_PATH] = { "only-path", JOIN_RAW, 0, 1 },
	[F_ORDER_FREE] = { "order-free", JOIN_RAW, 0, 1 },
	[F_PATH] = { "path", JOIN_RAW, 0, 1 },
	[F_REMOVED] = { "removed", JOIN_RAW, 0, 1 },
	[F_RULE] = { "rule", JOIN_WORDS, 0, 1 },
	[F_SAME_LINE] = { "same-line", JOIN_WORDS, 0, 1 },
	[F_SAME_HUNK] = { "same-hunk", JOIN_WORDS, 0, 1 },
	[F_SCOPE] = { "scope", JOIN_RAW, 0, 1 },
	[F_STATUS] = { "status", JOIN_WORDS, 0, 1 },
	[F_TAGS] = { "tags", JOIN_WORDS, 0, 1 },
};

static const struct {
	const char *name;
	unsigned bit;
} status_names[] = {
	{ "added", CHANGE_ADDED },
	{ "modified", CHANGE_MODIFIED },
	{ "deleted", CHANGE_DELETED },
	{ "renamed", CHANGE_RENAMED },
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ascii_casecmp(const char *a, const char *b)
{
	for (; *a && ascii_lower((unsigned char)*a) ==
	       ascii_lower((unsigned char)*b); a++, b++)
		;
	return ascii_lower((unsigned char)*a) - ascii_lower((unsigned char)*b);
}

/* Ids and tags: [A-Za-z0-9._/+-]+ */
static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._/+-", c)))
			return 0;
	}
	return 1;
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_blank((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Appends a piece of a value, joined as field f wants. */
static void add_piece(struct buf *val, enum field f, const char *s, size_t len)
{
	trim(&s, &len);
	switch (field_info[f].join) {
	case JOIN_RAW:
		buf_add(val, s, len);
		break;
	case JOIN_TEXT:
		if (val->len && len)
			buf_addch(val, ' ');
		buf_add(val, s, len);
		break;
	case JOIN_WORDS:
		while (len) {
			size_t n = 0;

			while (n < len && !is_blank((unsigned char)s[n]))
				n++;
			if (val->len)
				buf_addch(val, ' ');
			buf_add(val, s, n);
			s += n;
			len -= n;
			trim(&s, &len);
		}
		break;
	}
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

static void hex64(char out[17], uint64_t h)
{
	snprintf(out, 17, "%016" PRIx64, h);
}

/* ---- loading ------------------------------------------------------- */

enum entry_kind {
	E_FIELD,	/* a known field; val holds its value */
	E_UNKNOWN,	/* val holds the field name */
	E_NOCOLON,	/* a line that is not "field: value" */
	E_ORPHAN,	/* a continuation line with nothing to continue */
	E_NUL,		/* a line holding a NUL byte */
};

struct entry {
	enum entry_kind kind;
	enum field field;
	unsigned line;
	struct buf val;
};

struct stanza {
	struct entry *e;
	size_t n, alloc;
	/* entry a continuation line goes to, or -1 (ignore the line) */
	long cont;
};

/* An id seen in some stanza, for the duplicate check. */
struct seen_id {
	char *id;
	char *file;
	unsigned line;
	size_t order;
};

struct loader {
	struct rules *out;
	size_t rule_alloc, kw_alloc;
	struct rule_priv *priv;
	size_t priv_alloc;
	struct seen_id *seen;
	size_t nseen, seen_alloc;
	uint32_t max_captures;
	unsigned errors;
};

__attribute__((format(printf, 5, 6)))
static void stanza_error(struct loader *ld, const char *file, unsigned line,
			 const char *id, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_addf(&b, "%s:%u: ", file, line);
	if (id)
		buf_addf(&b, "rule '%s': ", id);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error("%s", b.ptr);
	buf_release(&b);
	ld->errors++;
}

static void regex_free(struct rule_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re->pattern);
	free(re);
}

/*
 * Compiles a pattern as every regex of mirrorscan is compiled.  On error,
 * returns NULL with PCRE2's message in msg and the offset in *erroff.
 */
static struct rule_regex *regex_new(const char *pat, size_t len,
				    char *msg, size_t msgsize,
				    size_t *erroff)
{
	struct rule_regex *re;
	pcre2_code *code;
	int errcode;
	PCRE2_SIZE off;

	/*
	 * PCRE2_MATCH_INVALID_UTF: diff lines are whatever bytes a commit
	 * holds; invalid UTF-8 must neither be an error nor hide a match in
	 * the valid text around it (PCRE2 10.34 or later).
	 */
	code = pcre2_compile((PCRE2_SPTR)pat, len,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
			     &errcode, &off, NULL);
	if (!code) {
		if (pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg,
					    msgsize) < 0)
			snprintf(msg, msgsize, "error %d", errcode);
		*erroff = (size_t)off;
		return NULL;
	}
	re = xcalloc(1, sizeof(*re));
	re->code = code;
	re->pattern = xstrndup(pat, len);
	return re;
}

static struct rule_regex *regex_compile(struct loader *ld, const char *file,
					const struct entry *e, const char *id)
{
	struct rule_regex *re;
	char msg[256];
	size_t erroff;
	uint32_t ncap = 0;

	re = regex_new(e->val.ptr, e->val.len, msg, sizeof(msg), &erroff);
	if (!re) {
		stanza_error(ld, file, e->line, id,
			     "bad '%s' regex: %s at offset %zu",
			     field_info[e->field].name, msg, erroff);
		return NULL;
	}
	re->line = e->line;
	if (!pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &ncap) &&
	    ncap > ld->max_captures)
		ld->max_captures = ncap;
	return re;
}

static void rule_clear(struct rule *ru, struct rule_priv *pv)
{
	size_t i;

	free(ru->id);
	for (i = 0; i < ru->ntags; i++)
		free(ru->tags[i]);
	free(ru->tags);
	free(ru->describe);
	free(ru->file);
	regex_free(ru->added);
	regex_free(ru->removed);
	regex_free(ru->message);
	regex_free(ru->path);
	regex_free(ru->exclude_path);
	regex_free(ru->only_path);
	regex_free(ru->function);
	regex_free(ru->scope);
	regex_free(ru->exclude_line);
	regex_free(ru->order_free);
	free(ru->keywords);
	free(ru->line_keywords);
	for (i = 0; i < ru->nexamples; i++)
		free(ru->examples[i]);
	free(ru->examples);
	for (i = 0; i < ru->ncounterexamples; i++)
		free(ru->counterexamples[i]);
	free(ru->counterexamples);
	memset(ru, 0, sizeof(*ru));
	if (pv) {
		free(pv->example_line);
		free(pv->counterexample_line);
		memset(pv, 0, sizeof(*pv));
	}
}

/* Index of keyword w in the rule set, added when new (ignoring case). */
static size_t keyword_intern(struct loader *ld, const char *w)
{
	struct rules *r = ld->out;
	size_t k;

	for (k = 0; k < r->nkeywords; k++)
		if (!ascii_casecmp(r->keywords[k], w))
			return k;
	ALLOC_GROW(r->keywords, r->nkeywords + 1, ld->kw_alloc);
	r->keywords[r->nkeywords] = xstrdup(w);
	return r->nkeywords++;
}

/* Calls fn on each space-separated word of a JOIN_WORDS value. */
static void split_words(char *val, void (*fn)(char *w, void *payload),
			void *payload)
{
	char *p = val;

	while (*p) {
		char *sp = strchr(p, ' ');

		if (sp)
			*sp = '\0';
		fn(p, payload);
		if (!sp)
			break;
		*sp = ' ';
		p = sp + 1;
	}
}

struct word_ctx {
	struct loader *ld;
	const char *file;
	const struct entry *e;
	const char *id;
	struct rule *ru;
	size_t alloc;
	unsigned *classes;	/* "lines", "only-lines" */
};

static void tag_word(char *w, void *payload)
{
	struct word_ctx *c = payload;

	if (!valid_name(w)) {
		stanza_error(c->ld, c->file, c->e->line, c->id,
			     "bad tag '%s' (allowed: letters, digits and ._/+-)",
			     w);
		return;
	}
	ALLOC_GROW(c->ru->tags, c->ru->ntags + 1, c->alloc);
	c->ru->tags[c->ru->ntags++] = xstrdup(w);
}

static void line_keyword_word(char *w, void *payload)
{
	struct word_ctx *c = payload;
	size_t k = keyword_intern(c->ld, w), i;

	for (i = 0; i < c->ru->nline_keywords; i++)
		if (c->ru->line_keywords[i] == k)
			return;
	ALLOC_GROW(c->ru->line_keywords, c->ru->nline_keywords + 1, c->alloc);
	c->ru->line_keywords[c->ru->nline_keywords++] = k;
}

static void keyword_word(char *w, void *payload)
{
	struct word_ctx *c = payload;
	size_t k = keyword_intern(c->ld, w), i;

	for (i = 0; i < c->ru->nkeywords; i++)
		if (c->ru->keywords[i] == k)
			return;
	ALLOC_GROW(c->ru->keywords, c->ru->nkeywords + 1, c->alloc);
	c->ru->keywords[c->ru->nkeywords++] = k;
}

static void status_word(char *w, void *payload)
{
	struct word_ctx *c = payload;
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(*status_names); i++)
		if (!strcmp(w, status_names[i].name)) {
			c->ru->status_mask |= status_names[i].bit;
			return;
		}
	stanza_error(c->ld, c->file, c->e->line, c->id,
		     "bad status '%s' (expected added, modified, deleted or renamed)",
		     w);
}

static void class_word(char *w, void *payload)
{
	struct word_ctx *c = payload;
	unsigned bit = lineclass_parse(w);

	if (!bit)
		stanza_error(c->ld, c->file, c->e->line, c->id,
			     "bad line class '%s' (expected code, comment, docstring or blank)",
			     w);
	*c->classes |= bit;
}

static void add_example(char ***list, unsigned **lines, size_t *n,
			const struct entry *e)
{
	*list = xrealloc(*list, st_mult(st_add(*n, 1), sizeof(**list)));
	*lines = xrealloc(*lines, st_mult(st_add(*n, 1), sizeof(**lines)));
	(*list)[*n] = xstrndup(e->val.ptr, e->val.len);
	(*lines)[*n] = e->line;
	(*n)++;
}

/*
 * The fingerprint of a valid stanza: FINGERPRINT_VERSION, then each field
 * that changes what a scan finds, in name order, as "name NUL value NUL".
 * Values are the joined ones, so continuation layout does not count;
 * word lists have single spaces; status is its canonical word list.
 * describe, example and counterexample are left out on purpose: editing
 * them must not make the index rescan a repository's history.
 */
static void rule_fingerprint(struct rule *ru, struct entry *const *first)
{
	uint64_t h = fnv1a(FNV_OFFSET, FINGERPRINT_VERSION,
			   sizeof(FINGERPRINT_VERSION));
	int f;

	for (f = 0; f < F__COUNT; f++) {
		const char *name = field_info[f].name;
		struct buf norm = BUF_INIT;

		if (!first[f] || !field_info[f].fingerprint)
			continue;
		if (f == F_STATUS) {
			size_t i, n = sizeof(status_names) /
				      sizeof(*status_names);

			for (i = 0; i < n; i++) {
				if (!(ru->status_mask & status_names[i].bit))
					continue;
				if (norm.len)
					buf_addch(&norm, ' ');
				buf_addstr(&norm, status_names[i].name);
			}
		} else {
			buf_add(&norm, first[f]->val.ptr, first[f]->val.len);
		}
		h = fnv1a(h, name, strlen(name) + 1);
		h = fnv1a(h, norm.ptr, norm.len + 1);
		buf_release(&norm);
	}
	hex64(ru->fingerprint, h);
}

/* A count of "min-lines": 1 to max, in decimal; 0 when it is not one. */
static unsigned parse_count(const char *w, unsigned max)
{
	unsigned long v = 0;
	const char *p;

	for (p = w; *p; p++) {
		if (*p < '0' || *p > '9' || p - w >= 9)
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return p > w && v <= max ? (unsigned)v : 0;
}

/* "min-lines: N per M" (the value has single spaces, see JOIN_WORDS). */
static void parse_min_lines(struct loader *ld, const char *file,
			    const struct entry *e, const char *id,
			    struct rule *ru)
{
	char *v = xstrndup(e->val.ptr, e->val.len);
	char *per = strstr(v, " per "), *m;

	if (per) {
		*per = '\0';
		m = per + 5;
		ru->min_lines = parse_count(v, RULE_MAX_MATCHES);
		ru->min_lines_per = parse_count(m, 100000000);
	}
	if (!per || !ru->min_lines || !ru->min_lines_per) {
		ru->min_lines = ru->min_lines_per = 0;
		stanza_error(ld, file, e->line, id,
			     "bad min-lines '%s' (expected 'N per M', N from 1 to %d, M from 1)",
			     e->val.ptr, RULE_MAX_MATCHES);
	}
	free(v);
}

static void stanza_finish(struct loader *ld, struct stanza *st,
			  const char *file)
{
	struct entry *first[F__COUNT] = { NULL };
	struct rule ru = { 0 };
	struct rule_priv pv = { 0 };
	struct word_ctx wc;
	const char *id = NULL;
	unsigned rule_line, errors_before = ld->errors;
	size_t i;

	if (!st->n)
		return;
	rule_line = st->e[0].line;
	for (i = 0; i < st->n; i++)
		if (st->e[i].kind == E_FIELD && st->e[i].field == F_RULE &&
		    st->e[i].val.len) {
			id = st->e[i].val.ptr;
			rule_line = st->e[i].line;
			break;
		}

	for (i = 0; i < st->n; i++) {
		struct entry *e = &st->e[i];
		const struct field_info *fi = &field_info[e->field];

		switch (e->kind) {
		case E_NOCOLON:
			stanza_error(ld, file, e->line, id,
				     "expected 'field: value'");
			continue;
		case E_ORPHAN:
			stanza_error(ld, file, e->line, id,
				     "continuation line without a field before it");
			continue;
		case E_NUL:
			stanza_error(ld, file, e->line, id,
				     "NUL byte in line");
			continue;
		case E_UNKNOWN:
			stanza_error(ld, file, e->line, id,
				     "unknown field '%s'", e->val.ptr);
			continue;
		case E_FIELD:
			break;
		}
		if (first[e->field] && !fi->repeat) {
			stanza_error(ld, file, e->line, id,
				     "repeated field '%s' (first at line %u)",
				     fi->name, first[e->field]->line);
			continue;
		}
		if (!first[e->field])
			first[e->field] = e;
		if (!e->val.len) {
			stanza_error(ld, file, e->line, id,
				     "empty '%s'", fi->name);
			continue;
		}

		memset(&wc, 0, sizeof(wc));
		wc.ld = ld;
		wc.file = file;
		wc.e = e;
		wc.id = id;
		wc.ru = &ru;
		switch (e->field) {
		case F_RULE:
			if (!valid_name(e->val.ptr))
				stanza_error(ld, file, e->line, NULL,
					     "bad rule id '%s' (allowed: letters, digits and ._/+-)",
					     e->val.ptr);
			else
				ru.id = xstrdup(e->val.ptr);
			break;
		case F_TAGS:
			split_words(e->val.ptr, tag_word, &wc);
			break;
		case F_KEYWORDS:
			split_words(e->val.ptr, keyword_word, &wc);
			break;
		case F_LINE_KEYWORDS:
			split_words(e->val.ptr, line_keyword_word, &wc);
			break;
		case F_STATUS:
			split_words(e->val.ptr, status_word, &wc);
			break;
		case F_NEW_MATCH:
		case F_SAME_LINE:
		case F_SAME_HUNK:
			if (!strcmp(e->val.ptr, "yes"))
				*(e->field == F_NEW_MATCH ? &ru.new_match :
				  e->field == F_SAME_LINE ? &ru.same_line
							  : &ru.same_hunk) = 1;
			else if (strcmp(e->val.ptr, "no"))
				stanza_error(ld, file, e->line, id,
					     "bad %s '%s' (expected yes or no)",
					     fi->name, e->val.ptr);
			break;
		case F_MIN_LINES:
			parse_min_lines(ld, file, e, id, &ru);
			break;
		case F_LINES:
			wc.classes = &ru.lines;
			split_words(e->val.ptr, class_word, &wc);
			break;
		case F_ONLY_LINES:
			wc.classes = &ru.only_lines;
			split_words(e->val.ptr, class_word, &wc);
			break;
		case F_DESCRIBE:
			ru.describe = xstrdup(e->val.ptr);
			break;
		case F_ADDED:
			ru.added = regex_compile(ld, file, e, id);
			break;
		case F_REMOVED:
			ru.removed = regex_compile(ld, file, e, id);
			break;
		case F_MESSAGE:
			ru.message = regex_compile(ld, file, e, id);
			break;
		case F_PATH:
			ru.path = regex_compile(ld, file, e, id);
			break;
		case F_EXCLUDE_PATH:
			ru.exclude_path = regex_compile(ld, file, e, id);
			break;
		case F_ONLY_PATH:
			ru.only_path = regex_compile(ld, file, e, id);
			break;
		case F_FUNCTION:
			ru.function = regex_compile(ld, file, e, id);
			break;
		case F_SCOPE:
			ru.scope = regex_compile(ld, file, e, id);
			break;
		case F_EXCLUDE_LINE:
			ru.exclude_line = regex_compile(ld, file, e, id);
			break;
		case F_ORDER_FREE:
			ru.order_free = regex_compile(ld, file, e, id);
			break;
		case F_EXAMPLE:
			add_example(&ru.examples, &pv.example_line,
				    &ru.nexamples, e);
			break;
		case F_COUNTEREXAMPLE:
			add_example(&ru.counterexamples,
				    &pv.counterexample_line,
				    &ru.ncounterexamples, e);
			break;
		case F__COUNT:
			break;
		}
	}

	/* without a rule line, what else is missing is noise */
	if (!first[F_RULE]) {
		stanza_error(ld, file, rule_line, NULL,
			     "stanza without a 'rule' field");
	} else {
		if (!first[F_TAGS])
			stanza_error(ld, file, rule_line, id,
				     "missing 'tags'");
		if (!first[F_ADDED] && !first[F_REMOVED] &&
		    !first[F_MESSAGE] && !first[F_PATH] &&
		    !first[F_ONLY_PATH] && !first[F_ONLY_LINES])
			stanza_error(ld, file, rule_line, id,
				     "needs one of 'added', 'removed', 'message', 'path', 'only-path' or 'only-lines'");
		if (first[F_LINE_KEYWORDS] && !first[F_ADDED] &&
		    !first[F_REMOVED])
			stanza_error(ld, file, first[F_LINE_KEYWORDS]->line, id,
				     "'line-keywords' needs 'added' or 'removed'");
		if (first[F_EXCLUDE_LINE] && !first[F_ADDED] &&
		    !first[F_REMOVED])
			stanza_error(ld, file, first[F_EXCLUDE_LINE]->line, id,
				     "'exclude-line' needs 'added' or 'removed'");
		if (first[F_ORDER_FREE] && !first[F_ADDED] &&
		    !first[F_REMOVED])
			stanza_error(ld, file, first[F_ORDER_FREE]->line, id,
				     "'order-free' needs 'added' or 'removed'");
		if (first[F_SAME_LINE] &&
		    (!first[F_ADDED] || !first[F_REMOVED]))
			stanza_error(ld, file, first[F_SAME_LINE]->line, id,
				     "'same-line' needs 'added' and 'removed'");
		if (first[F_SAME_HUNK] &&
		    (!first[F_ADDED] || !first[F_REMOVED]))
			stanza_error(ld, file, first[F_SAME_HUNK]->line, id,
				     "'same-hunk' needs 'added' and 'removed'");
		if (first[F_NEW_MATCH] && !first[F_ADDED] && !first[F_REMOVED])
			stanza_error(ld, file, first[F_NEW_MATCH]->line, id,
				     "'new-match' needs 'added' or 'removed'");
		if (first[F_LINES] && !first[F_ADDED] && !first[F_REMOVED])
			stanza_error(ld, file, first[F_LINES]->line, id,
				     "'lines' needs 'added' or 'removed'");
		if (first[F_FUNCTION] && !first[F_ADDED] && !first[F_REMOVED])
			stanza_error(ld, file, first[F_FUNCTION]->line, id,
				     "'function' needs 'added' or 'removed'");
		if (first[F_MIN_LINES] && !first[F_ADDED] &&
		    !first[F_REMOVED])
			stanza_error(ld, file, first[F_MIN_LINES]->line, id,
				     "'min-lines' needs 'added' or 'removed'");
		if (first[F_SCOPE] && !first[F_ADDED] && !first[F_REMOVED])
			stanza_error(ld, file, first[F_SCOPE]->line, id,
				     "'scope' needs 'added' or 'removed'");
	}

	if (id) {
		struct seen_id *s;

		ALLOC_GROW(ld->seen, ld->nseen + 1, ld->seen_alloc);
		s = &ld->seen[ld->nseen];
		s->id = xstrdup(id);
		s->file = xstrdup(file);
		s->line = rule_line;
		s->order = ld->nseen++;
	}

	if (ld->errors != errors_before) {
		rule_clear(&ru, &pv);
		return;
	}
	ru.file = xstrdup(file);
	ru.line = rule_line;
	if (!ru.describe)
		ru.describe = xstrdup("");
	rule_fingerprint(&ru, first);
	ALLOC_GROW(ld->out->rule, ld->out->nrules + 1, ld->rule_alloc);
	ALLOC_GROW(ld->priv, ld->out->nrules + 1, ld->priv_alloc);
	ld->out->rule[ld->out->nrules] = ru;
	ld->priv[ld->out->nrules] = pv;
	ld->out->nrules++;
}

static struct entry *stanza_add(struct stanza *st, enum entry_kind kind,
				unsigned line)
{
	struct entry *e;

	ALLOC_GROW(st->e, st->n + 1, st->alloc);
	e = &st->e[st->n];
	memset(e, 0, sizeof(*e));
	buf_init(&e->val, 0);
	e->kind = kind;
	e->line = line;
	st->cont = kind == E_FIELD ? (long)st->n : -1;
	st->n++;
	return e;
}

static void stanza_reset(struct stanza *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		buf_release(&st->e[i].val);
	st->n = 0;
	st->cont = -1;
}

static void parse_line(struct loader *ld, struct stanza *st, const char *file,
		       unsigned lineno, const char *line, size_t len)
{
	const char *colon, *name, *val;
	size_t nlen, vlen, i;
	struct entry *e;
	int f;

	if (len && line[0] == '#')
		return;
	for (i = 0; i < len && is_blank((unsigned char)line[i]); i++)
		;
	if (i == len) {
		stanza_finish(ld, st, file);
		stanza_reset(st);
		return;
	}
	if (memchr(line, '\0', len)) {
		stanza_add(st, E_NUL, lineno);
		return;
	}
	if (is_blank((unsigned char)line[0])) {
		if (!st->n) {
			stanza_add(st, E_ORPHAN, lineno);
		} else if (st->cont >= 0) {
			e = &st->e[st->cont];
			add_piece(&e->val, e->field, line, len);
		}
		return;
	}

	colon = memchr(line, ':', len);
	name = line;
	nlen = colon ? (size_t)(colon - line) : 0;
	trim(&name, &nlen);
	if (!colon || !nlen) {
		stanza_add(st, E_NOCOLON, lineno);
		return;
	}
	for (f = 0; f < F__COUNT; f++)
		if (strlen(field_info[f].name) == nlen &&
		    !memcmp(field_info[f].name, name, nlen))
			break;
	if (f == F__COUNT) {
		e = stanza_add(st, E_UNKNOWN, lineno);
		buf_add(&e->val, name, nlen);
		return;
	}
	e = stanza_add(st, E_FIELD, lineno);
	e->field = (enum field)f;
	val = colon + 1;
	vlen = len - (size_t)(val - line);
	add_piece(&e->val, e->field, val, vlen);
}

static void parse_buffer(struct loader *ld, const char *file,
			 const char *data, size_t len)
{
	struct stanza st = { NULL, 0, 0, -1 };
	size_t pos = 0;
	unsigned lineno = 0;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		parse_line(ld, &st, file, lineno, line, n);
	}
	stanza_finish(ld, &st, file);
	stanza_reset(&st);
	free(st.e);
}

static int read_whole(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	int err = 0;

	if (!f)
		return -1;
	for (;;) {
		size_t n;

		buf_grow(b, 8192);
		n = fread(b->ptr + b->len, 1, b->alloc - b->len - 1, f);
		b->len += n;
		b->ptr[b->len] = '\0';
		if (n)
			continue;
		if (ferror(f))
			err = errno ? errno : EIO;
		break;
	}
	fclose(f);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static void load_file(struct loader *ld, const char *path)
{
	struct buf b = BUF_INIT;

	if (read_whole(path, &b) < 0) {
		error("cannot read '%s': %s", path, strerror(errno));
		ld->errors++;
	} else {
		parse_buffer(ld, path, b.ptr, b.len);
	}
	buf_release(&b);
}

/* The "*.rules" files of a directory, in strcmp() order of their names;
 * dot files (editor droppings) are left out. */
static int is_rule_file(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 6 && !strcmp(name + len - 6, ".rules");
}

static void load_dir(struct loader *ld, const char *dir)
{
	char **names;
	size_t n, i, dlen = strlen(dir);

	if (dirlist(dir, is_rule_file, &names, &n) < 0) {
		error("cannot read directory '%s': %s", dir, strerror(errno));
		ld->errors++;
		return;
	}
	for (i = 0; i < n; i++) {
		struct buf path = BUF_INIT;

		buf_add(&path, dir, dlen);
		if (dlen && dir[dlen - 1] != '/')
			buf_addch(&path, '/');
		buf_addstr(&path, names[i]);
		load_file(ld, path.ptr);
		buf_release(&path);
	}
	dirlist_free(names, n);
}

static int cmp_seen(const void *a, const void *b)
{
	const struct seen_id *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct dup_id {
	size_t order, first;	/* indices into loader.seen */
};

static int cmp_dup(const void *a, const void *b)
{
	const struct dup_id *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* Duplicate ids across all files, reported in the order they were read. */
static void check_duplicates(struct loader *ld)
{
	struct seen_id *sorted;
	struct dup_id *dups;
	size_t ndups = 0, i, first = 0;

	if (ld->nseen < 2)
		return;
	sorted = xmalloc(st_mult(ld->nseen, sizeof(*sorted)));
	memcpy(sorted, ld->seen, ld->nseen * sizeof(*sorted));
	qsort(sorted, ld->nseen, sizeof(*sorted), cmp_seen);
	dups = xmalloc(st_mult(ld->nseen, sizeof(*dups)));
	for (i = 1; i < ld->nseen; i++) {
		if (strcmp(sorted[i].id, sorted[first].id)) {
			first = i;
			continue;
		}
		dups[ndups].order = sorted[i].order;
		dups[ndups].first = sorted[first].order;
		ndups++;
	}
	if (ndups)
		qsort(dups, ndups, sizeof(*dups), cmp_dup);
	for (i = 0; i < ndups; i++) {
		const struct seen_id *s = &ld->seen[dups[i].order];
		const struct seen_id *f = &ld->seen[dups[i].first];

		error("%s:%u: duplicate rule '%s' (first at %s:%u)",
		      s->file, s->line, s->id, f->file, f->line);
		ld->errors++;
	}
	free(dups);
	free(sorted);
}

static void set_limits(pcre2_match_context *mctx)
{
	pcre2_set_match_limit(mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(mctx, HEAP_LIMIT_KIB);
}

static void kwmatch_release(struct kwmatch *t)
{
	size_t i;

	free(t->pair_start);
	free(t->pair_kw);
	free(t->gate_count);
	free(t->kw_key);
	if (t->lkw)
		for (i = 0; i < t->n; i++)
			free(t->lkw[i]);
	free(t->lkw);
	free(t->kwlen);
}

static void kwtab_free(struct rules_kwtab *t, size_t nrules)
{
	size_t i;

	if (!t)
		return;
	kwmatch_release(&t->all);
	kwmatch_release(&t->line);
	free(t->line_mask);
	free(t->kw_rules);
	free(t->every_line);
	pcre2_match_context_free(t->mctx);
	if (t->priv)
		for (i = 0; i < nrules; i++) {
			free(t->priv[i].example_line);
			free(t->priv[i].counterexample_line);
		}
	free(t->priv);
	free(t->path_re);
	free(t->path_ix);
	pthread_mutex_destroy(&t->jit_lock);
	free(t);
}

static void kw_cand_set(struct kwmatch *t, uint32_t j, size_t k)
{
	struct kw_cand *c = &t->pair_kw[j];

	c->k = (uint32_t)k;
	c->len = (uint32_t)t->kwlen[k];
	c->c2 = t->kwlen[k] > 2 ? t->lkw[k][2] : 0;
}

static void gate_set(struct kwmatch *t, uint32_t key)
{
	t->gate_bits[key >> 6] |= UINT64_C(1) << (key & 63);
	if (t->gate_count[key] < UCHAR_MAX)
		t->gate_count[key]++;
}

/* Tables to find the n keywords kw[] (their order numbers them). */
static void kwmatch_build(struct kwmatch *t, char *const *kw, size_t n)
{
	size_t k, c, total = 0;
	uint32_t *fill;

	for (c = 0; c < 256; c++)
		t->lower[c] = (unsigned char)ascii_lower((int)c);
	t->n = n;
	if (!n)
		return;
	for (k = 0; k < n; k++)
		if (strlen(kw[k]) >= UINT32_MAX || k >= UINT32_MAX)
			die("too many or too long keywords");

	t->lkw = xcalloc(n, sizeof(*t->lkw));
	t->kwlen = xcalloc(n, sizeof(*t->kwlen));
	t->pair_start = xcalloc(65537, sizeof(*t->pair_start));
	for (k = 0; k < n; k++) {
		unsigned char *l = (unsigned char *)xstrdup(kw[k]);
		size_t i, len = strlen((char *)l);

		for (i = 0; i < len; i++)
			l[i] = t->lower[l[i]];
		t->lkw[k] = l;
		t->kwlen[k] = len;
		if (len == 1) {
			/* distinct ignoring case: one keyword per byte */
			t->single[l[0]] = (uint32_t)k + 1;
			t->has_single = 1;
		} else {
			t->pair_start[(l[0] << 8 | l[1]) + 1]++;
			total++;
		}
	}
	for (c = 1; c <= 65536; c++)
		t->pair_start[c] += t->pair_start[c - 1];
	t->pair_kw = xcalloc(total ? total : 1, sizeof(*t->pair_kw));
	t->gate_count = xcalloc(1 << GATE_KEY_BITS, 1);
	t->kw_key = xcalloc(n, sizeof(*t->kw_key));
	fill = xmalloc(65536 * sizeof(*fill));
	memcpy(fill, t->pair_start, 65536 * sizeof(*fill));
	for (k = 0; k < n; k++) {
		const unsigned char *l = t->lkw[k];
		uint32_t key = GATE_FOLD(l[0]) << 10 | GATE_FOLD(l[1]) << 5;

		if (t->kwlen[k] == 1)
			continue;
		kw_cand_set(t, fill[l[0] << 8 | l[1]]++, k);
		if (t->kwlen[k] > 2) {
			t->kw_key[k] = key | GATE_FOLD(l[2]);
			gate_set(t, t->kw_key[k]);
		} else {
			t->kw_key[k] = key;
			for (c = 0; c < 32; c++)
				gate_set(t, key | (uint32_t)c);
		}
	}
	free(fill);
}

/* The line keywords, numbered apart, and each rule's as a bit mask. */
static void line_kw_build(struct rules *r, struct rules_kwtab *t)
{
	size_t *local = xcalloc(r->nkeywords + 1, sizeof(*local));
	char **kw = xcalloc(r->nkeywords + 1, sizeof(*kw));
	size_t i, j, n = 0;

	for (i = 0; i < r->nrules; i++)
		for (j = 0; j < r->rule[i].nline_keywords; j++) {
			size_t k = r->rule[i].line_keywords[j];

			if (!local[k]) {
				kw[n] = r->keywords[k];
				local[k] = ++n;
			}
		}
	kwmatch_build(&t->line, kw, n);
	t->line_bytes = (n / 64 + 1) * 8;	/* whole 64-bit words */
	t->line_mask = xcalloc(r->nrules + 1, t->line_bytes);
	for (i = 0; i < r->nrules; i++)
		for (j = 0; j < r->rule[i].nline_keywords; j++) {
			size_t l = local[r->rule[i].line_keywords[j]] - 1;

			t->line_mask[i * t->line_bytes + (l >> 3)] |=
				(unsigned char)(1u << (l & 7));
		}
	t->rule_words = r->nrules / 64 + 1;
	t->kw_rules = xcalloc(st_mult(n + 1, t->rule_words),
			      sizeof(*t->kw_rules));
	t->every_line = xcalloc(t->rule_words, sizeof(*t->every_line));
	for (i = 0; i < r->nrules; i++) {
		uint64_t bit = UINT64_C(1) << (i % 64);

		if (!r->rule[i].nline_keywords)
			t->every_line[i / 64] |= bit;
		for (j = 0; j < r->rule[i].nline_keywords; j++) {
			size_t l = local[r->rule[i].line_keywords[j]] - 1;

			t->kw_rules[l * t->rule_words + i / 64] |= bit;
		}
	}
	free(local);
	free(kw);
}

size_t rules_rule_words(const struct rules *r)
{
	return r->kwtab ? r->kwtab->rule_words : r->nrules / 64 + 1;
}

void rules_line_candidates(const struct rules *r, const unsigned char *lset,
			   uint64_t *cand)
{
	const struct rules_kwtab *t = r->kwtab;
	size_t b, w;

	memset(cand, 0, rules_rule_words(r) * sizeof(*cand));
	if (!t)
		return;
	for (b = 0; b < t->line_bytes; b++) {
		unsigned bits = lset[b];

		while (bits) {
			size_t l = b * 8 + (size_t)__builtin_ctz(bits);
			const uint64_t *row = t->kw_rules + l * t->rule_words;

			bits &= bits - 1;
			for (w = 0; w < t->rule_words; w++)
				cand[w] |= row[w];
		}
	}
}

const uint64_t *rules_every_line(const struct rules *r)
{
	return r->kwtab ? r->kwtab->every_line : NULL;
}

/* Does hay contain needle, ASCII case ignored? */
static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle), h = strlen(hay), i, j;

	for (i = 0; i + n <= h; i++) {
		for (j = 0; j < n && ascii_lower((unsigned char)hay[i + j]) ==
				     ascii_lower((unsigned char)needle[j]); j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

/* Sets keywords_implied (rules.h) of every rule. */
static void mark_implied_keywords(struct rules *r)
{
	size_t i, j, k;

	for (i = 0; i < r->nrules; i++) {
		struct rule *ru = &r->rule[i];

		ru->keywords_implied = !ru->nkeywords || ru->nline_keywords;
		for (j = 0; ru->nkeywords && j < ru->nline_keywords; j++) {
			const char *l = r->keywords[ru->line_keywords[j]];

			for (k = 0; k < ru->nkeywords; k++)
				if (contains_nocase(l,
						r->keywords[ru->keywords[k]]))
					break;
			if (k == ru->nkeywords)
				ru->keywords_implied = 0;
		}
	}
}

/* The index of re among the distinct path regexes, added if new. */
static uint32_t path_re_index(struct rules_kwtab *t, size_t *alloc,
			      const struct rule_regex *re)
{
	size_t j;

	if (!re)
		return PATH_NONE;
	for (j = 0; j < t->npath_re; j++)
		if (!strcmp(t->path_re[j]->pattern, re->pattern))
			return (uint32_t)j;
	ALLOC_GROW(t->path_re, t->npath_re + 1, *alloc);
	t->path_re[t->npath_re] = re;
	return (uint32_t)t->npath_re++;
}

static void path_re_build(struct rules *r, struct rules_kwtab *t)
{
	size_t i, alloc = 0;

	t->path_ix = xcalloc(st_mult(r->nrules + 1, PATH_FIELDS),
			     sizeof(*t->path_ix));
	for (i = 0; i < r->nrules; i++) {
		uint32_t *ix = t->path_ix + i * PATH_FIELDS;

		ix[PATH_OF_PATH] = path_re_index(t, &alloc, r->rule[i].path);
		ix[PATH_OF_EXCLUDE] =
			path_re_index(t, &alloc, r->rule[i].exclude_path);
		ix[PATH_OF_ONLY] = path_re_index(t, &alloc, r->rule[i].only_path);
	}
}

static void kwtab_build(struct rules *r, struct loader *ld)
{
	struct rules_kwtab *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->jit_lock, NULL);
	t->mctx = pcre2_match_context_create(NULL);
	if (!t->mctx)
		die("out of memory (pcre2 match context)");
	set_limits(t->mctx);
	t->ovector_pairs = ld->max_captures + 1;
	t->priv = ld->priv;
	ld->priv = NULL;
	r->kwtab = t;
	kwmatch_build(&t->all, r->keywords, r->nkeywords);
	line_kw_build(r, t);
	path_re_build(r, t);
}

static int cmp_rule_id(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a;
	const struct rule *y = *(const struct rule *const *)b;

	return strcmp(x->id, y->id);
}

static void set_fingerprint(struct rules *r)
{
	const struct rule **byid;
	uint64_t h = FNV_OFFSET;
	size_t i;

	byid = xmalloc(st_mult(r->nrules ? r->nrules : 1, sizeof(*byid)));
	for (i = 0; i < r->nrules; i++)
		byid[i] = &r->rule[i];
	if (r->nrules)
		qsort(byid, r->nrules, sizeof(*byid), cmp_rule_id);
	for (i = 0; i < r->nrules; i++) {
		h = fnv1a(h, byid[i]->id, strlen(byid[i]->id));
		h = fnv1a(h, "=", 1);
		h = fnv1a(h, byid[i]->fingerprint, 16);
		h = fnv1a(h, "\n", 1);
	}
	free(byid);
	hex64(r->fingerprint, h);
}

int rules_load(struct rules *out, const char *const *paths, size_t npaths)
{
	struct loader ld;
	size_t i;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&ld, 0, sizeof(ld));
	ld.out = out;

	for (i = 0; i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			error("cannot read '%s': %s", paths[i],
			      strerror(errno));
			ld.errors++;
		} else if (S_ISDIR(st.st_mode)) {
			load_dir(&ld, paths[i]);
		} else {
			load_file(&ld, paths[i]);
		}
	}
	check_duplicates(&ld);
	if (ld.errors)
		goto out;

	kwtab_build(out, &ld);
	mark_implied_keywords(out);
	set_fingerprint(out);
	ret = 0;

out:
	for (i = 0; i < ld.nseen; i++) {
		free(ld.seen[i].id);
		free(ld.seen[i].file);
	}
	free(ld.seen);
	if (ret < 0) {
		for (i = 0; i < out->nrules; i++)
			rule_clear(&out->rule[i], &ld.priv[i]);
		out->nrules = 0;
		rules_release(out);
	}
	free(ld.priv);
	return ret;
}

void rules_release(struct rules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nrules; i++)
		rule_clear(&r->rule[i], NULL);
	free(r->rule);
	kwtab_free(r->kwtab, r->nrules);
	for (i = 0; i < r->nkeywords; i++)
		free(r->keywords[i]);
	free(r->keywords);
	memset(r, 0, sizeof(*r));
}

long rules_find(const struct rules *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nrules; i++)
		if (!strcmp(r->rule[i].id, id))
			return (long)i;
	return -1;
}

/* ---- keyword prefilter --------------------------------------------- */

static inline int kw_has(const unsigned char *kwset, size_t k)
{
	return kwset[k >> 3] & (1u << (k & 7));
}

static inline void kw_set(unsigned char *kwset, size_t k, size_t *left)
{
	if (!kw_has(kwset, k)) {
		kwset[k >> 3] |= (unsigned char)(1u << (k & 7));
		(*left)--;
	}
}

/*
 * A gate of one search that closes as keywords are found: in a long
 * text the common keywords turn up early, and their first bytes ("con",
 * "til", "arc") are common words too; once every keyword behind a gate
 * key is found, the key need not open the gate again.
 */
struct kw_prune {
	uint64_t gate[(1 << GATE_KEY_BITS) / 64];
	unsigned char live[1 << GATE_KEY_BITS];	/* keywords not found */
};

/* Texts shorter than this are searched with the shared gate: copying
 * the 36 KiB of a pruned one would cost more than it saves. */
#define KW_PRUNE_MIN 16384

static void prune_key(struct kw_prune *pr, uint32_t key)
{
	/* a count that saturated is not known: the key stays open */
	if (pr->live[key] && pr->live[key] < UCHAR_MAX && !--pr->live[key])
		pr->gate[key >> 6] &= ~(UINT64_C(1) << (key & 63));
}

static void prune_found(const struct kwmatch *t, struct kw_prune *pr,
			size_t k)
{
	uint32_t c;

	if (t->kwlen[k] > 2)
		prune_key(pr, t->kw_key[k]);
	else
		for (c = 0; c < 32; c++)
			prune_key(pr, t->kw_key[k] | c);
}

/*
 * Compares the candidates filed under pair key with the data at p (avail
 * bytes left); marks those found and counts them off *left.
 */
static void kw_check(const struct kwmatch *t, unsigned key,
		     const unsigned char *p, size_t avail,
		     unsigned char *kwset, size_t *left, struct kw_prune *pr)
{
	const struct kw_cand *c = t->pair_kw + t->pair_start[key];
	const struct kw_cand *end = t->pair_kw + t->pair_start[key + 1];

	for (; c < end; c++) {
		const unsigned char *kw;
		size_t x;

		/* the first two bytes made the key */
		if (c->len > avail ||
		    (c->len > 2 && t->lower[p[2]] != c->c2) ||
		    kw_has(kwset, c->k))
			continue;
		kw = t->lkw[c->k];
		for (x = 3; x < c->len && t->lower[p[x]] == kw[x]; x++)
			;
		if (x >= c->len) {	/* 3 > len for a two-byte keyword */
			kw_set(kwset, c->k, left);
			if (pr)
				prune_found(t, pr, c->k);
		}
	}
}

/*
 * The scan of rules_keywords_find() up to the last two positions; returns
 * where it stopped (len when every keyword was found).  with_single is a
 * constant at each call, so the compiler drops the one-byte test from the
 * loop of rule sets without one-byte keywords.
 */
static inline __attribute__((always_inline)) size_t
kw_scan(const struct kwmatch *t, const unsigned char *s, size_t len,
	unsigned char *kwset, size_t *left, int with_single,
	struct kw_prune *pr)
{
	const uint64_t *gate = pr ? pr->gate : t->gate_bits;
	uint32_t key = GATE_FOLD(s[0]) << 5 | GATE_FOLD(s[1]);
	size_t i;

	for (i = 0; i + 2 < len; i++) {
		key = (key << 5 & GATE_MASK) | GATE_FOLD(s[i + 2]);
		if (with_single && t->single[t->lower[s[i]]]) {
			kw_set(kwset, t->single[t->lower[s[i]]] - 1, left);
			if (!*left)
				return len;
		}
		if (!(gate[key >> 6] & (UINT64_C(1) << (key & 63))))
			continue;
		kw_check(t, (unsigned)t->lower[s[i]] << 8 | t->lower[s[i + 1]],
			 s + i, len - i, kwset, left, pr);
		if (!*left)
			return len;
	}
	return i;
}

/* Marks in kwset the keywords of t in s; left counts those not marked
 * yet, and the search ends when it reaches 0. */
static size_t kwmatch_find(const struct kwmatch *t, const unsigned char *s,
			   size_t len, unsigned char *kwset, size_t left,
			   struct kw_prune *pr)
{
	size_t i = 0, start = left;

	if (!left || !len)
		return 0;
	if (len > 2)
		i = t->has_single ? kw_scan(t, s, len, kwset, &left, 1, pr) :
				    kw_scan(t, s, len, kwset, &left, 0, pr);
	/*
	 * The last two positions start no trigram: only keywords of one or
	 * two bytes fit there (kw_check() sees to the length).
	 */
	for (; i < len && left; i++) {
		if (t->single[t->lower[s[i]]])
			kw_set(kwset, t->single[t->lower[s[i]]] - 1, &left);
		if (i + 1 < len)
			kw_check(t, (unsigned)t->lower[s[i]] << 8 |
				 t->lower[s[i + 1]], s + i, len - i, kwset,
				 &left, NULL);
	}
	return start - left;
}

void rules_keywords_find(const struct rules *r, const char *data, size_t len,
			 unsigned char *kwset)
{
	size_t left = 0, k;

	if (!r->kwtab || !r->nkeywords || !len)
		return;
	/* keywords not found yet: the scan ends when none is left */
	for (k = 0; k < r->nkeywords; k++)
		left += !kw_has(kwset, k);
	if (len >= KW_PRUNE_MIN) {
		const struct kwmatch *t = &r->kwtab->all;
		struct kw_prune *pr = xmalloc(sizeof(*pr));

		memcpy(pr->gate, t->gate_bits, sizeof(pr->gate));
		memcpy(pr->live, t->gate_count, sizeof(pr->live));
		for (k = 0; k < r->nkeywords; k++)
			if (kw_has(kwset, k))
				prune_found(t, pr, k);
		kwmatch_find(t, (const unsigned char *)data, len, kwset, left,
			     pr);
		free(pr);
		return;
	}
	kwmatch_find(&r->kwtab->all, (const unsigned char *)data, len, kwset,
		     left, NULL);
}

size_t rules_line_kwset_size(const struct rules *r)
{
	return r->kwtab ? r->kwtab->line_bytes : 1;
}

int rules_line_keywords_find(const struct rules *r, const char *text,
			     size_t len, unsigned char *lset)
{
	const struct rules_kwtab *t = r->kwtab;

	if (!t)
		return 0;
	memset(lset, 0, t->line_bytes);
	return kwmatch_find(&t->line, (const unsigned char *)text, len, lset,
			    t->line.n, NULL) > 0;
}

static int any_keyword(const size_t *kw, size_t n, const unsigned char *kwset)
{
	size_t j;

	if (!n)
		return 1;
	for (j = 0; j < n; j++)
		if (kw_has(kwset, kw[j]))
			return 1;
	return 0;
}

/* A file without any line keyword cannot have a line that holds one. */
int rules_keywords_hit(const struct rules *r, size_t i,
		       const unsigned char *kwset)
{
	const struct rule *ru = &r->rule[i];

	return any_keyword(ru->keywords, ru->nkeywords, kwset) &&
	       any_keyword(ru->line_keywords, ru->nline_keywords, kwset);
}

int rules_line_keywords_hit(const struct rules *r, size_t i,
			    const unsigned char *lset)
{
	const struct rules_kwtab *t = r->kwtab;
	const unsigned char *mask;
	size_t b;

	if (!r->rule[i].nline_keywords)
		return 1;
	mask = t->line_mask + i * t->line_bytes;
	for (b = 0; b < t->line_bytes; b += 8) {
		uint64_t x, y;

		memcpy(&x, mask + b, 8);
		memcpy(&y, lset + b, 8);
		if (x & y)
			return 1;
	}
	return 0;
}

/* An example matches as a line of a scan would: its line keywords, then
 * the regex of the side the rule's examples are for. */
static int example_matches(const struct rules *r, struct rules_matcher *m,
			   size_t i, enum rule_side side, const char *ex,
			   unsigned char *kwset)
{
	if (r->rule[i].lines &&
	    !(r->rule[i].lines & lineclass_alone(ex, strlen(ex))))
		return 0;
	int rc;

	if (r->rule[i].nline_keywords) {
		rules_line_keywords_find(r, ex, strlen(ex), kwset);
		if (!rules_line_keywords_hit(r, i, kwset))
			return 0;
	}
	rc = rules_match(m, i, side, ex, strlen(ex));
	if (rc != 1)
		return rc;
	rc = rules_match_exclude_line(m, i, ex, strlen(ex), 0);
	return rc < 0 ? rc : !rc;
}

/* ---- matching ------------------------------------------------------ */

/* What the distinct path regexes say of one path: a PATH_* per regex. */
struct path_verdicts {
	char *path;
	unsigned char *verdict;
};

enum { PATH_NO, PATH_YES, PATH_FAILED };

/*
 * The verdicts of the paths a matcher was asked about: the same files
 * change in commit after commit, and each file change asks about its
 * path once per rule.  Open addressing; emptied when full.
 */
struct path_cache {
	struct path_verdicts *slot;
	size_t cap, n;			/* cap a power of 2 */
	const struct path_verdicts *last;
	pcre2_match_data *md;
};

#define PATH_CACHE_MIN 1024
#define PATH_CACHE_MAX 8192		/* slots: half of them used at most */

static void jit_once(const struct rules *r);

struct rules_matcher {
	const struct rules *r;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	struct path_cache paths;
	char err[256];
};

/* One match of a path regex: 1, 0, or -1 when PCRE2 gave up. */
static int path_run(const struct rules *r, const struct rule_regex *re,
		    const char *path, pcre2_match_data *md)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)path, strlen(path), 0, 0,
			     md, r->kwtab ? r->kwtab->mctx : NULL);

	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/*
 * One match of a path regex without a matcher: rules_file_applies() has
 * none to use.  The match context is shared (pcre2_match() only reads
 * it); the match data is made per call, which costs one small malloc,
 * little beside the match.  Without a JIT stack of its own, the JIT uses
 * its default 32 KiB on the machine stack, plenty for a path.
 */
static int path_match(const struct rules *r, const struct rule_regex *re,
		      const char *path)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;

	jit_once(r);
	if (!md)
		die("out of memory (pcre2 match data)");
	rc = path_run(r, re, path, md);
	pcre2_match_data_free(md);
	return rc;
}

static void path_cache_clear(struct path_cache *pc)
{
	size_t j;

	if (!pc->slot)
		return;
	for (j = 0; j < pc->cap; j++)
		free(pc->slot[j].path);	/* verdicts share its block */
	memset(pc->slot, 0, pc->cap * sizeof(*pc->slot));
	pc->n = 0;
	pc->last = NULL;
}

static void path_cache_release(struct path_cache *pc)
{
	path_cache_clear(pc);
	free(pc->slot);
	pcre2_match_data_free(pc->md);
	memset(pc, 0, sizeof(*pc));
}

static struct path_verdicts *path_slot(struct path_cache *pc,
				       const char *path, uint64_t h)
{
	size_t j = (size_t)h & (pc->cap - 1);

	while (pc->slot[j].path && strcmp(pc->slot[j].path, path))
		j = (j + 1) & (pc->cap - 1);
	return &pc->slot[j];
}

/* Doubles the table, or empties it when it has reached its bound. */
static void path_cache_make_room(struct path_cache *pc)
{
	struct path_verdicts *old = pc->slot;
	size_t oldcap = pc->cap, j;

	if (pc->cap >= PATH_CACHE_MAX) {
		path_cache_clear(pc);
		return;
	}
	pc->cap = pc->cap ? pc->cap * 2 : PATH_CACHE_MIN;
	pc->slot = xcalloc(pc->cap, sizeof(*pc->slot));
	for (j = 0; j < oldcap; j++) {
		const char *p = old[j].path;

		if (p)
			*path_slot(pc, p, fnv1a(FNV_OFFSET, p, strlen(p))) =
				old[j];
	}
	free(old);
}

/* The verdicts of every distinct path regex on path, judged once. */
static const unsigned char *path_verdicts(struct rules_matcher *m,
					  const char *path)
{
	const struct rules_kwtab *t = m->r->kwtab;
	struct path_cache *pc = &m->paths;
	struct path_verdicts *v;
	size_t len = strlen(path), j;
	uint64_t h;

	if (pc->last && !strcmp(pc->last->path, path))
		return pc->last->verdict;
	h = fnv1a(FNV_OFFSET, path, len);
	if (pc->cap) {
		v = path_slot(pc, path, h);
		if (v->path) {
			pc->last = v;
			return v->verdict;
		}
	}
	if ((pc->n + 1) * 2 > pc->cap)
		path_cache_make_room(pc);
	v = path_slot(pc, path, h);
	v->path = xmalloc(st_add(st_add(len, 1), t->npath_re));
	memcpy(v->path, path, len + 1);
	v->verdict = (unsigned char *)v->path + len + 1;
	if (!pc->md && !(pc->md = pcre2_match_data_create(1, NULL)))
		die("out of memory (pcre2 match data)");
	for (j = 0; j < t->npath_re; j++) {
		int rc = path_run(m->r, t->path_re[j], path, pc->md);

		v->verdict[j] = rc > 0 ? PATH_YES : rc ? PATH_FAILED : PATH_NO;
	}
	pc->n++;
	pc->last = v;
	return v->verdict;
}

/*
 * Does field f (PATH_OF_*) of rule i match path: 1, 0, or -1 when PCRE2
 * gave up.  With a matcher, from its cache; without, matched here.
 */
static int path_field(const struct rules *r, struct rules_matcher *m,
		      size_t i, int f, const char *path)
{
	const struct rule *ru = &r->rule[i];
	const struct rule_regex *re = f == PATH_OF_PATH ? ru->path :
				      f == PATH_OF_EXCLUDE ? ru->exclude_path :
				      ru->only_path;
	uint32_t ix;

	if (!m || !r->kwtab)
		return path_match(r, re, path);
	ix = r->kwtab->path_ix[i * PATH_FIELDS + (size_t)f];
	switch (path_verdicts(m, path)[ix]) {
	case PATH_YES:
		return 1;
	case PATH_NO:
		return 0;
	}
	return -1;
}

/*
 * A path regex that fails (match limit on a hostile path) makes the rule
 * not apply: the safe side, as the rule cannot be judged.
 */
static int file_applies(const struct rules *r, struct rules_matcher *m,
			size_t i, const char *path, const char *old_path,
			unsigned status)
{
	const struct rule *ru;

	if (i >= r->nrules)
		return 0;
	ru = &r->rule[i];
	if (ru->status_mask && !(status & ru->status_mask))
		return 0;
	if (ru->path) {
		int hit = path ? path_field(r, m, i, PATH_OF_PATH, path) : 0;

		if (hit <= 0 && old_path)
			hit = path_field(r, m, i, PATH_OF_PATH, old_path);
		if (hit <= 0)
			return 0;
	}
	if (ru->exclude_path && path &&
	    path_field(r, m, i, PATH_OF_EXCLUDE, path))
		return 0;
	return 1;
}

static int only_path_holds(const struct rules *r, struct rules_matcher *m,
			   size_t i, const char *path, const char *old_path)
{
	if (i >= r->nrules)
		return 0;
	if (!r->rule[i].only_path)
		return 1;
	if (!path || path_field(r, m, i, PATH_OF_ONLY, path) <= 0)
		return 0;
	return !old_path || path_field(r, m, i, PATH_OF_ONLY, old_path) > 0;
}

int rules_file_applies(const struct rules *r, size_t i, const char *path,
		       const char *old_path, unsigned status)
{
	return file_applies(r, NULL, i, path, old_path, status);
}

int rules_only_path_holds(const struct rules *r, size_t i, const char *path,
			  const char *old_path)
{
	return only_path_holds(r, NULL, i, path, old_path);
}

int rules_match_file(struct rules_matcher *m, size_t i, const char *path,
		     const char *old_path, unsigned status)
{
	return file_applies(m->r, m, i, path, old_path, status);
}

int rules_match_only_path(struct rules_matcher *m, size_t i,
			  const char *path, const char *old_path)
{
	return only_path_holds(m->r, m, i, path, old_path);
}

int rules_needs_lines(const struct rules *r, size_t i)
{
	return i < r->nrules && (r->rule[i].added || r->rule[i].removed);
}

static void jit_compile(struct rule_regex *re)
{
	/* No JIT in this PCRE2 or on this system: the interpreter will do. */
	if (re)
		pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
}

/*
 * JIT-compiles every pattern, once, when the first matcher is made.
 * Compiling them is two fifths of the time a run takes to load the
 * default pack (21 of 46 ms), and a run that matches nothing (a rerun
 * with no new commit, a query) needs none of it.
 */
static void jit_once(const struct rules *r)
{
	struct rules_kwtab *t = r->kwtab;
	size_t i;

	if (!t)
		return;
	pthread_mutex_lock(&t->jit_lock);
	for (i = 0; i < r->nrules && !t->jitted; i++) {
		struct rule *ru = &r->rule[i];

		jit_compile(ru->added);
		jit_compile(ru->removed);
		jit_compile(ru->message);
		jit_compile(ru->path);
		jit_compile(ru->exclude_path);
		jit_compile(ru->only_path);
		jit_compile(ru->function);
		jit_compile(ru->scope);
		jit_compile(ru->exclude_line);
		jit_compile(ru->order_free);
	}
	t->jitted = 1;
	pthread_mutex_unlock(&t->jit_lock);
}

struct rules_matcher *rules_matcher_new(const struct rules *r)
{
	struct rules_matcher *m = xcalloc(1, sizeof(*m));
	uint32_t pairs = r->kwtab ? r->kwtab->ovector_pairs : 1;
	uint32_t jit = 0;

	jit_once(r);
	m->r = r;
	m->md = pcre2_match_data_create(pairs, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	if (!m->md || !m->mctx)
		die("out of memory (pcre2 match data)");
	set_limits(m->mctx);
	/*
	 * A failure here is out of memory or a system that refuses the
	 * mapping; either way the JIT falls back to its 32 KiB machine
	 * stack, and a match needing more fails, reported as any other.
	 */
	if (!pcre2_config(PCRE2_CONFIG_JIT, &jit) && jit) {
		m->jit = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX,
						NULL);
		if (m->jit)
			pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
	}
	return m;
}

void rules_matcher_free(struct rules_matcher *m)
{
	if (!m)
		return;
	pcre2_jit_stack_free(m->jit);
	pcre2_match_context_free(m->mctx);
	pcre2_match_data_free(m->md);
	path_cache_release(&m->paths);
	free(m);
}

static const struct rule_regex *side_regex(const struct rule *ru,
					   enum rule_side side)
{
	switch (side) {
	case RULE_SIDE_ADDED:
		return ru->added;
	case RULE_SIDE_REMOVED:
		return ru->removed;
	case RULE_SIDE_MESSAGE:
		return ru->message;
	case RULE_SIDE_PATH:
		return ru->path;
	}
	return NULL;
}

static int matcher_run_at(struct rules_matcher *m,
			  const struct rule_regex *re, const char *text,
			  size_t len, size_t offset, uint32_t options)
{
	int rc;

	if (!text)
		text = "";
	rc = pcre2_match(re->code, (PCRE2_SPTR)text, len, offset, options,
			 m->md, m->mctx);
	/* 0 is a match with too small an ovector: a stand-alone pattern
	 * may have more groups than the rules the matcher was made for */
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (pcre2_get_error_message(rc, (PCRE2_UCHAR *)m->err,
				    sizeof(m->err)) < 0)
		snprintf(m->err, sizeof(m->err), "pcre2 error %d", rc);
	return -1;
}

static int matcher_run(struct rules_matcher *m, const struct rule_regex *re,
		       const char *text, size_t len, uint32_t options)
{
	return matcher_run_at(m, re, text, len, 0, options);
}

static int match_rule(struct rules_matcher *m, size_t i, enum rule_side side,
		      const char *text, size_t len, int head)
{
	const struct rule_regex *re;

	m->err[0] = '\0';
	if (i >= m->r->nrules) {
		snprintf(m->err, sizeof(m->err), "no rule %zu", i);
		return -1;
	}
	re = side_regex(&m->r->rule[i], side);
	if (!re)
		return 0;
	return matcher_run(m, re, text, len, head ? PCRE2_NOTEOL : 0);
}

int rules_match(struct rules_matcher *m, size_t i, enum rule_side side,
		const char *text, size_t len)
{
	return match_rule(m, i, side, text, len, 0);
}

int rules_match_at(struct rules_matcher *m, size_t i, enum rule_side side,
		   const char *text, size_t len, size_t offset)
{
	const struct rule_regex *re;

	m->err[0] = '\0';
	if (i >= m->r->nrules || offset > len)
		return 0;
	re = side_regex(&m->r->rule[i], side);
	if (!re)
		return 0;
	return matcher_run_at(m, re, text, len, offset, 0);
}

void rules_last_match(const struct rules_matcher *m, size_t *start,
		      size_t *end)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);

	*start = ov[0];
	*end = ov[1] >= ov[0] ? ov[1] : ov[0];
}

int rules_match_exclude_line(struct rules_matcher *m, size_t i,
			     const char *text, size_t len, int head)
{
	m->err[0] = '\0';
	if (i >= m->r->nrules || !m->r->rule[i].exclude_line)
		return 0;
	return matcher_run(m, m->r->rule[i].exclude_line, text, len,
			   head ? PCRE2_NOTEOL : 0);
}

int rules_match_order_free(struct rules_matcher *m, size_t i,
			   const char *text, size_t len, int head)
{
	m->err[0] = '\0';
	if (i >= m->r->nrules || !m->r->rule[i].order_free)
		return 0;
	return matcher_run(m, m->r->rule[i].order_free, text, len,
			   head ? PCRE2_NOTEOL : 0);
}

int rules_match_function(struct rules_matcher *m, size_t i,
			 const char *func, size_t len)
{
	m->err[0] = '\0';
	if (i >= m->r->nrules || !m->r->rule[i].function)
		return 1;
	if (!func)
		return 0;
	return matcher_run(m, m->r->rule[i].function, func, len, 0);
}

int rules_match_scope(struct rules_matcher *m, size_t i, const char *header,
		      size_t len)
{
	m->err[0] = '\0';
	if (i >= m->r->nrules || !m->r->rule[i].scope)
		return 1;
	return matcher_run(m, m->r->rule[i].scope, header, len, 0);
}

int rules_match_head(struct rules_matcher *m, size_t i, enum rule_side side,
		     const char *text, size_t len)
{
	return match_rule(m, i, side, text, len, 1);
}

const char *rules_matcher_error(const struct rules_matcher *m)
{
	return m->err;
}

/* ---- stand-alone patterns and version ------------------------------ */

struct rule_regex *rules_pattern_new(const char *pattern, const char *what)
{
	struct rule_regex *re;
	char msg[256];
	size_t erroff;

	re = regex_new(pattern, strlen(pattern), msg, sizeof(msg), &erroff);
	if (!re)
		error("bad '%s' regex: %s at offset %zu", what, msg, erroff);
	return re;
}

int rules_pattern_match(struct rules_matcher *m, const struct rule_regex *re,
			const char *text, size_t len)
{
	m->err[0] = '\0';
	return matcher_run(m, re, text, len, 0);
}

void rules_pattern_free(struct rule_regex *re)
{
	regex_free(re);
}

/*
 * The JIT is "on" only when it works here: PCRE2 may be built with it and
 * still be refused executable memory (SELinux, PaX), which only a compile
 * shows.
 */
void rules_version(struct buf *out)
{
	char ver[64] = "";
	uint32_t jit = 0;
	int jit_works = 0;
	size_t n;

	if (pcre2_config(PCRE2_CONFIG_VERSION, ver) < 0)
		snprintf(ver, sizeof(ver), "%d.%d", PCRE2_MAJOR, PCRE2_MINOR);
	n = strcspn(ver, " ");	/* "10.42 2022-12-11": drop the date */
	if (!pcre2_config(PCRE2_CONFIG_JIT, &jit) && jit) {
		int errcode;
		PCRE2_SIZE off;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)"a", 1, 0,
						 &errcode, &off, NULL);

		jit_works = code && !pcre2_jit_compile(code,
						       PCRE2_JIT_COMPLETE);
		pcre2_code_free(code);
	}
	buf_addf(out, "PCRE2 %.*s (JIT %s)", (int)n, ver,
		 jit_works ? "on" : "off");
}

/* ---- rules test ---------------------------------------------------- */

size_t rules_test(const struct rules *r, FILE *out)
{
	struct rules_matcher *m;
	unsigned char *kwset;
	size_t fails = 0, i, j;

	if (!r->nrules)
		return 0;
	m = rules_matcher_new(r);
	kwset = xcalloc(rules_line_kwset_size(r), 1);
	for (i = 0; i < r->nrules; i++) {
		const struct rule *ru = &r->rule[i];
		const struct rule_priv *pv = &r->kwtab->priv[i];

		/* examples are added lines, or removed ones in a rule
		 * that looks at removed lines only */
		enum rule_side side = ru->added ? RULE_SIDE_ADDED
						: RULE_SIDE_REMOVED;

		if (!ru->added && !ru->removed &&
		    (ru->nexamples || ru->ncounterexamples)) {
			fprintf(out, "%s:%u: rule '%s': examples but no 'added' or 'removed' regex\n",
				ru->file, ru->line, ru->id);
			fails++;
			continue;
		}
		for (j = 0; j < ru->nexamples; j++) {
			const char *ex = ru->examples[j];
			int rc = example_matches(r, m, i, side, ex, kwset);

			if (rc == 1)
				continue;
			fails++;
			if (rc < 0)
				fprintf(out, "%s:%u: rule '%s': example failed (%s): %s\n",
					ru->file, pv->example_line[j], ru->id,
					rules_matcher_error(m), ex);
			else
				fprintf(out, "%s:%u: rule '%s': example does not match: %s\n",
					ru->file, pv->example_line[j], ru->id,
					ex);
		}
		for (j = 0; j < ru->ncounterexamples; j++) {
			const char *ex = ru->counterexamples[j];
			int rc = example_matches(r, m, i, side, ex, kwset);

			if (rc == 0)
				continue;
			fails++;
			if (rc < 0)
				fprintf(out, "%s:%u: rule '%s': counterexample failed (%s): %s\n",
					ru->file, pv->counterexample_line[j],
					ru->id, rules_matcher_error(m), ex);
			else
				fprintf(out, "%s:%u: rule '%s': counterexample matches: %s\n",
					ru->file, pv->counterexample_line[j],
					ru->id, ex);
		}
	}
	rules_matcher_free(m);
	free(kwset);
	return fails;
}
