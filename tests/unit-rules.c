/*
 * unit-rules: the rule files module (src/rules.h) through its public API.
 * Each test writes rule files into a temporary directory (mkdtemp under
 * $TMPDIR, else /tmp), loads them with rules_load() and checks the parsed
 * rules, every error message (stderr is captured, compared byte for byte),
 * the keyword prefilter (against a naive search on random data), path and
 * status conditions, matching on each side, PCRE2's limits, invalid UTF-8,
 * rules_test() and the fingerprints.  The process chdirs into the
 * temporary directory so that file names in messages are short and fixed.
 */
#include "config.h"
#include "rules.h"
#include "buf.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[PATH_MAX];
static char fixture[PATH_MAX];	/* tests/data/test.rules, or "" */

/* ---- helpers ------------------------------------------------------- */

static void write_file(const char *name, const char *data, size_t len)
{
	FILE *f = fopen(name, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		printf("Bail out! cannot write %s: %s\n", name,
		       strerror(errno));
		exit(1);
	}
}

#define WRITE(name, lit) write_file((name), (lit), sizeof(lit) - 1)

static int saved_stderr = -1;

static void capture_begin(void)
{
	int fd;

	fflush(stderr);
	saved_stderr = dup(2);
	fd = open("stderr.out", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (saved_stderr < 0 || fd < 0 || dup2(fd, 2) < 0) {
		printf("Bail out! cannot capture stderr: %s\n",
		       strerror(errno));
		exit(1);
	}
	close(fd);
}

/* What went to stderr since capture_begin(); the caller frees it. */
static char *capture_end(void)
{
	struct buf b = BUF_INIT;
	FILE *f;
	char chunk[4096];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	saved_stderr = -1;
	f = fopen("stderr.out", "rb");
	if (f) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)))
			buf_add(&b, chunk, n);
		fclose(f);
	}
	return buf_detach(&b, NULL);
}

/* rules_load() of the given paths with stderr captured into *err. */
static int load(struct rules *r, char **err, size_t n,
		const char *const *paths)
{
	int rc;

	capture_begin();
	rc = rules_load(r, paths, n);
	*err = capture_end();
	return rc;
}

static int load1(struct rules *r, char **err, const char *path)
{
	return load(r, err, 1, &path);
}

static int is_zeroed(const struct rules *r)
{
	static const struct rules zero;

	return !memcmp(r, &zero, sizeof(zero));
}

static int is_hex16(const char *s)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return s[16] == '\0';
}

static int kw_bit(const unsigned char *kwset, size_t k)
{
	return !!(kwset[k / 8] & (1 << k % 8));
}

/* The set bits as "0,3,4", for readable failures. */
static const char *kw_list(const struct rules *r, const unsigned char *kwset)
{
	static char s[256];
	size_t k, len = 0;

	s[0] = '\0';
	for (k = 0; k < r->nkeywords && len + 8 < sizeof(s); k++)
		if (kw_bit(kwset, k))
			len += (size_t)snprintf(s + len, sizeof(s) - len,
						"%s%zu", len ? "," : "", k);
	return s;
}

static const char *find_list(const struct rules *r, const char *data,
			     size_t len)
{
	unsigned char kwset[8] = { 0 };

	rules_keywords_find(r, data, len, kwset);
	return kw_list(r, kwset);
}

/*
 * Loads a one-file rule set that must fail, and compares all it printed.
 */
static void expect_error(const char *name, const char *content, size_t len,
			 const char *want, const char *title)
{
	struct rules r;
	char *err;
	int rc;

	write_file(name, content, len);
	memset(&r, 0x5a, sizeof(r));
	rc = load1(&r, &err, name);
	ok(rc == -1 && is_zeroed(&r), "%s: fails, rules left empty", title);
	is_str(err, want, "%s: message", title);
	free(err);
	rules_release(&r);
}

#define EXPECT_ERROR(name, lit, want, title) \
	expect_error((name), (lit), sizeof(lit) - 1, (want), (title))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- parsing ------------------------------------------------------- */

static void test_basic(void)
{
	struct rules r;
	const struct rule *a, *b;
	char *err;

	WRITE("basic.rules",
	      "# a comment\n"
	      "rule: one\n"
	      "tags: hw/blackwell  kernel/dispatch\n"
	      "describe: the   first\n"
	      "keywords: sm_version SM100\n"
	      "added: \\bsm_version\\s*>=\\s*1[0-2]\\d\n"
	      "removed: old_api\n"
	      "message: (?i)^fix\n"
	      "path: \\.cu$\n"
	      "exclude-path: ^third_party/\n"
	      "status: added modified\n"
	      "example: if (sm_version >= 120) {\n"
	      "example: sm_version>=100\n"
	      "counterexample: if (sm_version >= 90) {\n"
	      "\n"
	      "rule: two\n"
	      "tags: docs\n"
	      "path: \\.md$\n");
	if (!ok(!load1(&r, &err, "basic.rules"), "basic file loads")) {
		diag("%s", err);
		free(err);
		return;
	}
	is_str(err, "", "nothing printed");
	free(err);
	is_int(r.nrules, 2, "two rules");
	a = &r.rule[0];
	b = &r.rule[1];
	is_str(a->id, "one", "id");
	ok(a->ntags == 2 && !strcmp(a->tags[0], "hw/blackwell") &&
	   !strcmp(a->tags[1], "kernel/dispatch"), "tags split on blanks");
	is_str(a->describe, "the first", "describe, blanks collapsed");
	is_str(a->file, "basic.rules", "file as given");
	is_int(a->line, 2, "line of 'rule:'");
	ok(a->added && a->removed && a->message && a->path &&
	   a->exclude_path, "every regex compiled");
	is_int(a->status_mask, CHANGE_ADDED | CHANGE_MODIFIED, "status mask");
	ok(r.nkeywords == 2 && !strcmp(r.keywords[0], "sm_version") &&
	   !strcmp(r.keywords[1], "SM100"), "keywords, first-seen order");
	ok(a->nkeywords == 2 && a->keywords[0] == 0 && a->keywords[1] == 1,
	   "rule keyword indices");
	ok(a->nexamples == 2 && a->ncounterexamples == 1 &&
	   !strcmp(a->examples[0], "if (sm_version >= 120) {") &&
	   !strcmp(a->examples[1], "sm_version>=100") &&
	   !strcmp(a->counterexamples[0], "if (sm_version >= 90) {"),
	   "examples accumulate");
	is_str(b->id, "two", "second stanza");
	is_int(b->line, 16, "its line");
	is_str(b->describe, "", "describe defaults to empty");
	ok(!b->added && !b->removed && !b->message && b->path &&
	   !b->exclude_path && !b->status_mask && !b->nkeywords,
	   "absent fields stay absent");
	ok(is_hex16(a->fingerprint) && is_hex16(b->fingerprint) &&
	   is_hex16(r.fingerprint), "fingerprints are 16 lower-case hex");
	ok(rules_needs_lines(&r, 0) && !rules_needs_lines(&r, 1) &&
	   !rules_needs_lines(&r, 2), "rules_needs_lines");
	ok(rules_find(&r, "two") == 1 && rules_find(&r, "one") == 0 &&
	   rules_find(&r, "three") == -1 && rules_find(&r, "") == -1,
	   "rules_find");
	is_int(rules_test(&r, stdout), 0, "its examples pass");
	rules_release(&r);
	ok(is_zeroed(&r), "release leaves the struct zeroed");
}

static void test_continuation(void)
{
	struct rules r;
	struct rules_matcher *m;
	const struct rule *a;
	char *err;

	WRITE("cont.rules",
	      "rule: cont\n"
	      "tags: a\n"
	      "  b\tc\n"
	      "describe: one\n"
	      "\t  two   three\n"
	      "added: ^foo\n"
	      "    bar\n"
	      "# a comment does not interrupt a value\n"
	      "  (?:baz)?$\n"
	      "removed: x\n"
	      "  \\x20y\n"
	      "example: left\n"
	      "  right  side\n"
	      "keywords: k1\n"
	      "   k2\n"
	      "status: added\n"
	      "  deleted\n");
	if (!ok(!load1(&r, &err, "cont.rules"), "continued values load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	a = &r.rule[0];
	ok(a->ntags == 3 && !strcmp(a->tags[1], "b") &&
	   !strcmp(a->tags[2], "c"), "tags continue with a space");
	is_str(a->describe, "one two three", "describe continues, collapsed");
	m = rules_matcher_new(&r);
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "foobar", 6) == 1 &&
	   rules_match(m, 0, RULE_SIDE_ADDED, "foobarbaz", 9) == 1,
	   "regex pieces joined with nothing");
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "foo bar", 7) == 0 &&
	   rules_match(m, 0, RULE_SIDE_ADDED, "foo  bar", 8) == 0,
	   "no blank at the seam of a regex");
	ok(rules_match(m, 0, RULE_SIDE_REMOVED, "x y", 3) == 1 &&
	   rules_match(m, 0, RULE_SIDE_REMOVED, "xy", 2) == 0,
	   "a blank at the seam is written \\x20");
	is_str(a->nexamples ? a->examples[0] : NULL, "left right  side",
	       "example continues with one space, inner blanks kept");
	ok(r.nkeywords == 2 && a->nkeywords == 2, "keywords continue");
	is_int(a->status_mask, CHANGE_ADDED | CHANGE_DELETED,
	       "status continues");
	rules_matcher_free(m);
	rules_release(&r);
}

static void test_stanzas(void)
{
	struct rules r;
	char *err;

	WRITE("stanzas.rules",
	      "\n"
	      "\n"
	      "# header comment\n"
	      "\n"
	      "rule: s1\n"
	      "tags: t\n"
	      "path: a\n"
	      "   \t\n"
	      "rule: s2\n"
	      "# comment inside a stanza\n"
	      "tags: t\n"
	      "path: b\n"
	      "\n"
	      "\n"
	      "\n"
	      "rule: s3\n"
	      "tags: t\n"
	      "path: c#not-a-comment");
	if (!ok(!load1(&r, &err, "stanzas.rules"), "stanzas load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	ok(r.nrules == 3 && !strcmp(r.rule[0].id, "s1") &&
	   !strcmp(r.rule[1].id, "s2") && !strcmp(r.rule[2].id, "s3"),
	   "blank and blank-only lines separate stanzas");
	ok(r.nrules == 3 && r.rule[0].line == 5 && r.rule[1].line == 9 &&
	   r.rule[2].line == 16, "line numbers count every line");
	ok(r.nrules == 3 && rules_file_applies(&r, 2, "c#not-a-comment",
					       NULL, CHANGE_ADDED),
	   "'#' past column 0 and a last line without LF are data");
	rules_release(&r);
}

static void test_crlf_bom(void)
{
	struct rules r, lf;
	struct rules_matcher *m;
	char *err;

	WRITE("crlf.rules",
	      "\xef\xbb\xbfrule: crlf\r\n"
	      "tags: a b\r\n"
	      "added: ^foo\r\n"
	      "  bar$\r\n"
	      "\r\n"
	      "# comment\r\n"
	      "rule: crlf2\r\n"
	      "tags: c\r\n"
	      "path: x\r\n");
	WRITE("lf.rules",
	      "rule: crlf\n"
	      "tags: a b\n"
	      "added: ^foobar$\n"
	      "\n"
	      "rule: crlf2\n"
	      "tags: c\n"
	      "path: x\n");
	if (!ok(!load1(&r, &err, "crlf.rules"), "CRLF file with a BOM loads")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	ok(r.nrules == 2 && !strcmp(r.rule[0].id, "crlf"),
	   "BOM skipped: first field read");
	ok(r.nrules == 2 && r.rule[0].ntags == 2 &&
	   !strcmp(r.rule[0].tags[1], "b"), "no CR left in values");
	is_int(r.nrules == 2 ? r.rule[1].line : 0, 7, "CRLF lines counted");
	m = rules_matcher_new(&r);
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "foobar", 6) == 1,
	   "continued regex without CR");
	rules_matcher_free(m);
	if (!load1(&lf, &err, "lf.rules")) {
		ok(!strcmp(lf.rule[0].fingerprint, r.rule[0].fingerprint) &&
		   !strcmp(lf.fingerprint, r.fingerprint),
		   "same fingerprints as the LF file without BOM");
		rules_release(&lf);
	} else {
		ok(0, "lf.rules loads");
	}
	free(err);
	rules_release(&r);
}

/* ---- errors -------------------------------------------------------- */

static void test_errors(void)
{
	struct rules r;
	const char *paths[3];
	char *err;

	EXPECT_ERROR("e-unknown.rules",
		     "rule: a\ntags: t\ncolour: red\npath: x\n",
		     "mirrorscan: e-unknown.rules:3: rule 'a': unknown field 'colour'\n",
		     "unknown field");
	EXPECT_ERROR("e-norule.rules",
		     "\n# c\ntags: t\npath: x\n",
		     "mirrorscan: e-norule.rules:3: stanza without a 'rule' field\n",
		     "missing rule");
	EXPECT_ERROR("e-notags.rules",
		     "rule: a\npath: x\n",
		     "mirrorscan: e-notags.rules:1: rule 'a': missing 'tags'\n",
		     "missing tags");
	EXPECT_ERROR("e-nocond.rules",
		     "rule: a\ntags: t\nstatus: added\nkeywords: k\n"
		     "exclude-path: x\nexample: y\n",
		     "mirrorscan: e-nocond.rules:1: rule 'a': needs one of 'added', 'removed', 'message', 'path', 'only-path' or 'only-lines'\n",
		     "no added/removed/message/path");
	EXPECT_ERROR("e-regex.rules",
		     "rule: a\ntags: t\ndescribe: d\nadded: (abc\n",
		     "mirrorscan: e-regex.rules:4: rule 'a': bad 'added' regex: missing closing parenthesis at offset 4\n",
		     "bad regex");
	EXPECT_ERROR("e-regex2.rules",
		     "rule: a\ntags: t\npath: ok\nexclude-path: ab\n  c[\n",
		     "mirrorscan: e-regex2.rules:4: rule 'a': bad 'exclude-path' regex: missing terminating ] for character class at offset 4\n",
		     "bad continued regex: line of the field, offset in the joined regex");
	EXPECT_ERROR("e-regex3.rules",
		     "rule: a\ntags: t\nmessage: \xff+\n",
		     "mirrorscan: e-regex3.rules:3: rule 'a': bad 'message' regex: UTF-8 error: illegal byte (0xfe or 0xff) at offset 0\n",
		     "regex that is not UTF-8");
	EXPECT_ERROR("e-status.rules",
		     "rule: a\ntags: t\npath: x\nstatus: added copied\n",
		     "mirrorscan: e-status.rules:4: rule 'a': bad status 'copied' (expected added, modified, deleted or renamed)\n",
		     "bad status");
	EXPECT_ERROR("e-colon.rules",
		     "rule: a\ntags: t\npath: x\njust some words\n",
		     "mirrorscan: e-colon.rules:4: rule 'a': expected 'field: value'\n",
		     "line without colon");
	EXPECT_ERROR("e-noname.rules",
		     "rule: a\ntags: t\npath: x\n: value\n",
		     "mirrorscan: e-noname.rules:4: rule 'a': expected 'field: value'\n",
		     "line without field name");
	EXPECT_ERROR("e-repeat.rules",
		     "rule: a\ntags: t\npath: x\ntags: u\n",
		     "mirrorscan: e-repeat.rules:4: rule 'a': repeated field 'tags' (first at line 2)\n",
		     "repeated field");
	EXPECT_ERROR("e-empty.rules",
		     "rule: a\ntags:\npath: x\n",
		     "mirrorscan: e-empty.rules:2: rule 'a': empty 'tags'\n",
		     "empty value");
	EXPECT_ERROR("e-tag.rules",
		     "rule: a\ntags: ok bad!tag\npath: x\n",
		     "mirrorscan: e-tag.rules:2: rule 'a': bad tag 'bad!tag' (allowed: letters, digits and ._/+-)\n",
		     "bad tag");
	EXPECT_ERROR("e-id.rules",
		     "rule: a b\ntags: t\npath: x\n",
		     "mirrorscan: e-id.rules:1: bad rule id 'a b' (allowed: letters, digits and ._/+-)\n",
		     "bad rule id");
	EXPECT_ERROR("e-orphan.rules",
		     "  indented\nrule: a\ntags: t\npath: x\n",
		     "mirrorscan: e-orphan.rules:1: rule 'a': continuation line without a field before it\n",
		     "continuation at the start of a stanza");
	EXPECT_ERROR("e-nul.rules",
		     "rule: a\ntags: t\npath: x\nadded: a\0b\n",
		     "mirrorscan: e-nul.rules:4: rule 'a': NUL byte in line\n",
		     "NUL byte");
	EXPECT_ERROR("e-many.rules",
		     "rule: a\n"
		     "tags: t\n"
		     "colour: x\n"
		     "path: (\n"
		     "\n"
		     "rule: b\n"
		     "status: bogus\n"
		     "\n"
		     "rule: good\n"
		     "tags: t\n"
		     "path: fine\n"
		     "\n"
		     "no colon here\n",
		     "mirrorscan: e-many.rules:3: rule 'a': unknown field 'colour'\n"
		     "mirrorscan: e-many.rules:4: rule 'a': bad 'path' regex: missing closing parenthesis at offset 1\n"
		     "mirrorscan: e-many.rules:7: rule 'b': bad status 'bogus' (expected added, modified, deleted or renamed)\n"
		     "mirrorscan: e-many.rules:6: rule 'b': missing 'tags'\n"
		     "mirrorscan: e-many.rules:6: rule 'b': needs one of 'added', 'removed', 'message', 'path', 'only-path' or 'only-lines'\n"
		     "mirrorscan: e-many.rules:13: expected 'field: value'\n"
		     "mirrorscan: e-many.rules:13: stanza without a 'rule' field\n",
		     "every error of a file is reported");

	/* unreadable: missing, and a directory where a file is expected */
	mkdir("dd", 0700);
	mkdir("dd/sub.rules", 0700);
	WRITE("dd/ok.rules", "rule: fine\ntags: t\npath: x\n");
	paths[0] = "missing.rules";
	paths[1] = "dd";
	paths[2] = "e-tag.rules";
	ok(load(&r, &err, 3, paths) == -1 && is_zeroed(&r),
	   "unreadable files fail the load");
	is_str(err,
	       "mirrorscan: cannot read 'missing.rules': No such file or directory\n"
	       "mirrorscan: cannot read 'dd/sub.rules': Is a directory\n"
	       "mirrorscan: e-tag.rules:2: rule 'a': bad tag 'bad!tag' (allowed: letters, digits and ._/+-)\n",
	       "every unreadable file and every other error is reported");
	free(err);

	/* duplicates across files and within one */
	WRITE("dup1.rules", "rule: same\ntags: t\npath: x\n");
	WRITE("dup2.rules",
	      "\nrule: other\ntags: t\npath: y\n\n"
	      "rule: same\ntags: t\npath: z\n\n"
	      "rule: other\ntags: t\npath: w\n");
	paths[0] = "dup1.rules";
	paths[1] = "dup2.rules";
	ok(load(&r, &err, 2, paths) == -1 && is_zeroed(&r),
	   "duplicate ids fail the load");
	is_str(err,
	       "mirrorscan: dup2.rules:6: duplicate rule 'same' (first at dup1.rules:1)\n"
	       "mirrorscan: dup2.rules:10: duplicate rule 'other' (first at dup2.rules:2)\n",
	       "duplicates name both file:line");
	free(err);
	paths[0] = "dup1.rules";
	paths[1] = "dup1.rules";
	ok(load(&r, &err, 2, paths) == -1, "a file given twice duplicates");
	is_str(err,
	       "mirrorscan: dup1.rules:1: duplicate rule 'same' (first at dup1.rules:1)\n",
	       "its message");
	free(err);
	rules_release(&r);
}

/* ---- directories --------------------------------------------------- */

static void test_dirs(void)
{
	struct rules r;
	const char *paths[2];
	char *err;

	mkdir("pack", 0700);
	mkdir("empty", 0700);
	WRITE("pack/b.rules", "rule: b1\ntags: t\npath: x\n");
	WRITE("pack/a.rules",
	      "rule: a1\ntags: t\npath: x\n\nrule: a2\ntags: t\npath: x\n");
	WRITE("pack/10.rules", "rule: n10\ntags: t\npath: x\n");
	WRITE("pack/c.txt", "rule: c\ntags: t\npath: x\n");
	WRITE("pack/.hidden.rules", "rule: h\ntags: t\npath: x\n");
	WRITE("pack/.rules", "rule: dot\ntags: t\npath: x\n");
	WRITE("pack/x.rules~", "rule: backup\ntags: t\npath: x\n");
	WRITE("single.rules", "rule: single\ntags: t\npath: x\n");

	paths[0] = "pack/";
	paths[1] = "single.rules";
	if (!ok(!load(&r, &err, 2, paths), "a directory and a file load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	ok(r.nrules == 5 && !strcmp(r.rule[0].id, "n10") &&
	   !strcmp(r.rule[1].id, "a1") && !strcmp(r.rule[2].id, "a2") &&
	   !strcmp(r.rule[3].id, "b1") && !strcmp(r.rule[4].id, "single"),
	   "only *.rules, in name order, then the next path");
	is_str(r.nrules ? r.rule[1].file : NULL, "pack/a.rules",
	       "file named under the directory, no double slash");
	rules_release(&r);

	paths[0] = "empty";
	ok(!load(&r, &err, 1, paths) && r.nrules == 0 && !*err,
	   "an empty directory is an empty rule set");
	free(err);
	rules_release(&r);
}

/* ---- keyword prefilter --------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int naive_has(const char *data, size_t len, const char *kw)
{
	size_t n = strlen(kw), i, j;

	for (i = 0; n <= len && i <= len - n; i++) {
		for (j = 0; j < n; j++) {
			int a = (unsigned char)data[i + j];
			int b = (unsigned char)kw[j];

			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (b >= 'A' && b <= 'Z')
				b += 'a' - 'A';
			if (a != b)
				break;
		}
		if (j == n)
			return 1;
	}
	return 0;
}

/*
 * Random data over a small alphabet, with a keyword planted now and then
 * and random bits set beforehand, against a naive search.  Returns the
 * number of disagreements.
 */
/*
 * rounds random buffers of up to maxlen bytes from alphabet, with some
 * keywords planted: does rules_keywords_find() agree with a naive search?
 * Buffers of 16 KiB and more take the search whose gate closes as
 * keywords are found.
 */
static size_t random_agree(const struct rules *r, const char *alphabet,
			   size_t alen, size_t rounds, size_t maxlen)
{
	unsigned char kwset[8];
	char *data = malloc(maxlen);
	size_t iter, bad = 0, k;

	for (iter = 0; iter < rounds; iter++) {
		size_t len = (size_t)(rng() % maxlen), i, plant;
		unsigned char before;

		for (i = 0; i < len; i++)
			data[i] = alphabet[rng() % alen];
		plant = len && rng() % 3 == 0 ? 1 + len / 4096 : 0;
		while (plant--) {
			const char *kw = r->keywords[rng() % r->nkeywords];
			size_t n = strlen(kw);

			if (n <= len)
				memcpy(data + rng() % (len - n + 1), kw, n);
		}
		memset(kwset, 0, sizeof(kwset));
		if (rng() % 4 == 0)
			kwset[0] = (unsigned char)rng();
		before = kwset[0];
		rules_keywords_find(r, data, len, kwset);
		for (k = 0; k < r->nkeywords; k++) {
			int want = naive_has(data, len, r->keywords[k]) ||
				   (before >> k & 1);

			if (kw_bit(kwset, k) != want)
				break;
		}
		if (k < r->nkeywords && bad++ < 3)
			diag("mismatch on keyword %zu, data length %zu", k, len);
	}
	free(data);
	return bad;
}

static void test_keywords(void)
{
	static const char alphabet[] = "sSm_10aAxXtcgenG5f8F\0\xc3\xa9 ";
	struct rules r;
	unsigned char kwset[8];
	char *err;

	WRITE("kw.rules",
	      "rule: k1\ntags: t\npath: x\nkeywords: sm_100 SM_100A tcgen05\n\n"
	      "rule: k2\ntags: t\npath: x\nkeywords: x f8 gen\n\n"
	      "rule: k3\ntags: t\npath: x\n\n"
	      "rule: k4\ntags: t\npath: x\n"
	      "keywords: Sm_100 longkeyword12345 \xc3\xa9t\xc3\xa9 SM_100\n");
	WRITE("kw2.rules",
	      "rule: k1\ntags: t\npath: x\n"
	      "keywords: sm_100 SM_100A tcgen05 F8 gen __c Int\n");
	if (!ok(!load1(&r, &err, "kw.rules"), "keyword rules load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	ok(r.nkeywords == 8 && !strcmp(r.keywords[0], "sm_100") &&
	   !strcmp(r.keywords[1], "SM_100A") &&
	   !strcmp(r.keywords[2], "tcgen05") && !strcmp(r.keywords[3], "x") &&
	   !strcmp(r.keywords[6], "longkeyword12345"),
	   "keywords distinct ignoring ASCII case, first spelling kept");
	ok(r.rule[3].nkeywords == 3 && r.rule[3].keywords[0] == 0 &&
	   r.rule[3].keywords[1] == 6 && r.rule[3].keywords[2] == 7,
	   "a rule's keywords point into the shared list, once each");

	is_str(find_list(&r, "use SM_100 here", 15), "0",
	       "case-insensitive; sm_100 does not imply sm_100a");
	is_str(find_list(&r, "sm_100a", 7), "0,1",
	       "overlapping keywords both found");
	is_str(find_list(&r, "Sm_100A", 7), "0,1", "whole data is a keyword");
	is_str(find_list(&r, "SM_100Auses tcgen05", 19), "0,1,2,5",
	       "at the start, at the very end, and inside another");
	is_str(find_list(&r, "x", 1), "3", "one-byte keyword, one-byte data");
	is_str(find_list(&r, "aaX", 3), "3", "one-byte keyword at the end");
	is_str(find_list(&r, "Xaa", 3), "3", "one-byte keyword at the start");
	is_str(find_list(&r, "aaaaXaaaa", 9), "3",
	       "one-byte keyword in the middle");
	is_str(find_list(&r, "f8", 2), "4", "two-byte keyword, two-byte data");
	is_str(find_list(&r, "abcF8", 5), "4", "two-byte keyword at the end");
	is_str(find_list(&r, "F8abcde", 7), "4",
	       "two-byte keyword at the start");
	is_str(find_list(&r, "F", 1), "", "half a keyword");
	is_str(find_list(&r, "", 0), "", "empty data");
	is_str(find_list(&r, "sm_100a", 6), "0", "len is honoured");
	is_str(find_list(&r, "\0\0TCGEN05\0sm\0_100", 18), "2,5",
	       "data with NUL bytes");
	is_str(find_list(&r, "longkeyword1234", 15), "",
	       "keyword longer than the data");
	is_str(find_list(&r, "longkeyword12345", 16), "6",
	       "keyword as long as the data");
	is_str(find_list(&r, "\xc3\x89T\xc3\x89 \xc3\xa9T\xc3\xa9", 11), "7",
	       "non-ASCII bytes compared exactly, ASCII case ignored");
	is_str(find_list(&r, "ssm_10sm_1sm_100", 16), "0",
	       "restarts inside partial matches");
	is_str(find_list(&r, "SM\x7f" "100 sm.100 \xf3\xed_100", 18), "",
	       "bytes that share a gate key with a keyword's");

	memset(kwset, 0, sizeof(kwset));
	kwset[0] = 1 << 4;
	rules_keywords_find(&r, "TCGEN05", 7, kwset);
	is_str(kw_list(&r, kwset), "2,4,5", "bits set before are kept (OR)");
	rules_keywords_find(&r, "sm_100", 6, kwset);
	is_str(kw_list(&r, kwset), "0,2,4,5", "a second side ORs in");
	ok(!kwset[1], "no bits past nkeywords");

	memset(kwset, 0, sizeof(kwset));
	ok(rules_keywords_hit(&r, 2, kwset), "a rule without keywords hits");
	ok(!rules_keywords_hit(&r, 0, kwset) && !rules_keywords_hit(&r, 1, kwset),
	   "no keyword found: no hit");
	kwset[0] = 1 << 2;
	ok(rules_keywords_hit(&r, 0, kwset) && !rules_keywords_hit(&r, 1, kwset)
	   && !rules_keywords_hit(&r, 3, kwset), "hit by any one keyword");

	is_int(random_agree(&r, alphabet, sizeof(alphabet) - 1, 20000, 96), 0,
	       "20000 random buffers agree with a naive search");
	is_int(random_agree(&r, alphabet, sizeof(alphabet) - 1, 200, 40000),
	       0, "and 200 of up to 40 KB, whose gate closes as it goes");

	/* throughput, for information: source-like text with no keyword */
	{
		size_t len = 16 << 20, i;
		char *big = malloc(len);
		const char *src = "for (int i = 0; i < n; ++i) { out[i] = "
				  "smem[threadIdy.y] * scale; } // comment\n";
		size_t sl = strlen(src);
		double t0, t1;

		for (i = 0; i < len; i++)
			big[i] = src[i % sl];
		memset(kwset, 0, sizeof(kwset));
		t0 = now();
		rules_keywords_find(&r, big, len, kwset);
		t1 = now();
		ok(!kwset[0], "16 MiB of code without keywords: none found");
		diag("prefilter: %.0f MiB/s", 16 / (t1 - t0 + 1e-9));
		free(big);
	}
	rules_release(&r);

	if (load1(&r, &err, "kw2.rules")) {
		ok(0, "kw2.rules loads");
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	is_int(random_agree(&r, "sSm_10aAtcgenG5f8F\0 iInNtT", 26, 20000, 96),
	       0, "without one-byte keywords too");
	is_int(random_agree(&r, "sSm_10aAtcgenG5f8F\0 iInNtT", 26, 200, 40000),
	       0, "and long buffers without them");
	rules_release(&r);
}

/* The rule sets of line keywords agree with rules_line_keywords_hit(), on
 * more rules than one 64-bit word holds. */
static void test_line_candidates(void)
{
	static const char *const kws[] = { "tma", "fp8", "sm_90", "wgmma" };
	static const char *const lines[] = {
		"", "no keyword here", "tma", "FP8 and TMA", "sm_90a wgmma",
		"x tma fp8 sm_90 wgmma"
	};
	struct buf text = BUF_INIT;
	struct rules r;
	unsigned char *lset;
	uint64_t *cand;
	const uint64_t *every;
	size_t i, l, bad = 0, nev = 0;
	char *err;

	/* rule i has line keyword i % 5 (none when 4), and two of them
	 * when i % 7 == 0 */
	for (i = 0; i < 70; i++) {
		buf_addf(&text, "rule: r%zu\ntags: t\nadded: .\n", i);
		if (i % 5 != 4)
			buf_addf(&text, "line-keywords: %s%s%s\n", kws[i % 5],
				 i % 7 ? "" : " ", i % 7 ? "" : kws[(i + 1) % 4]);
		buf_addstr(&text, "\n");
	}
	write_file("cand.rules", text.ptr, text.len);
	buf_release(&text);
	if (!ok(!load1(&r, &err, "cand.rules"), "70 rules load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	ok(rules_rule_words(&r) == 2, "70 rules take two words");
	lset = calloc(1, rules_line_kwset_size(&r));
	cand = calloc(rules_rule_words(&r), sizeof(*cand));
	every = rules_every_line(&r);
	for (i = 0; i < r.nrules; i++) {
		int bit = (every[i / 64] >> (i % 64)) & 1;

		nev += bit;
		bad += bit != !r.rule[i].nline_keywords;
	}
	ok(!bad && nev == 14, "every line is for the rules without line "
	   "keywords, and only for them");
	bad = 0;
	for (l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
		rules_line_keywords_find(&r, lines[l], strlen(lines[l]), lset);
		rules_line_candidates(&r, lset, cand);
		for (i = 0; i < r.nrules; i++)
			bad += (int)((cand[i / 64] >> (i % 64)) & 1) !=
			       (r.rule[i].nline_keywords &&
				rules_line_keywords_hit(&r, i, lset));
		if (l == 3)
			ok((cand[1] >> (65 - 64) & 1) && (cand[0] & 1) &&
			   !(cand[0] >> 2 & 1), "\"FP8 and TMA\" is for the "
			   "rules of tma and fp8, not of sm_90");
	}
	is_int((int)bad, 0, "candidates agree with rules_line_keywords_hit() "
	       "on every rule and line");
	free(lset);
	free(cand);
	rules_release(&r);
}

/* ---- file conditions and matching ---------------------------------- */

static void test_applies(void)
{
	struct rules r;
	char *err;

	WRITE("apply.rules",
	      "rule: tuning\ntags: t\npath: ^configs/.*\\.json$\n"
	      "exclude-path: ^configs/ignored/\nstatus: added modified renamed\n\n"
	      "rule: msg\ntags: t\nmessage: x\n\n"
	      "rule: del\ntags: t\nmessage: x\nstatus: deleted\n\n"
	      "rule: excl\ntags: t\nadded: x\nexclude-path: \\.md$\n");
	if (!ok(!load1(&r, &err, "apply.rules"), "path rules load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	ok(rules_file_applies(&r, 0, "configs/a.json", NULL, CHANGE_MODIFIED),
	   "path and status hold");
	ok(!rules_file_applies(&r, 0, "configs/a.json", NULL, CHANGE_DELETED),
	   "status not listed");
	ok(!rules_file_applies(&r, 0, "src/a.json", NULL, CHANGE_ADDED),
	   "path does not match");
	ok(!rules_file_applies(&r, 0, "configs/ignored/a.json", NULL,
			       CHANGE_ADDED), "exclude-path excludes");
	ok(rules_file_applies(&r, 0, "moved/a.json", "configs/a.json",
			      CHANGE_RENAMED), "path may match the old path of a rename");
	ok(!rules_file_applies(&r, 0, "configs/ignored/a.json",
			       "configs/a.json", CHANGE_RENAMED),
	   "exclude-path looks at the new path");
	ok(rules_file_applies(&r, 1, "anything", NULL, CHANGE_DELETED) &&
	   rules_file_applies(&r, 1, "x", "y", CHANGE_RENAMED),
	   "no path, no status: every change");
	ok(rules_file_applies(&r, 2, "a.c", NULL, CHANGE_DELETED) &&
	   !rules_file_applies(&r, 2, "a.c", NULL, CHANGE_MODIFIED),
	   "status alone");
	ok(!rules_file_applies(&r, 3, "README.md", NULL, CHANGE_ADDED) &&
	   rules_file_applies(&r, 3, "a.c", "README.md", CHANGE_RENAMED),
	   "exclude-path alone");
	ok(!rules_file_applies(&r, 99, "a", NULL, CHANGE_ADDED),
	   "no such rule");
	rules_release(&r);
}

/* Through a matcher, path verdicts come from its cache: the same answers
 * as rules_file_applies(), for paths seen again, after the cache fills
 * and empties, and for regexes that give up. */
static void test_path_cache(void)
{
	struct rules r;
	struct rules_matcher *m;
	char *err, path[64], hostile[64];
	int same = 1, k;
	size_t i;

	WRITE("cache.rules",
	      "rule: a\ntags: t\npath: ^configs/.*\\.json$\n"
	      "exclude-path: ^configs/ignored/\n\n"
	      "rule: b\ntags: t\nadded: x\nexclude-path: ^configs/ignored/\n\n"
	      "rule: c\ntags: t\nmessage: x\nonly-path: \\.md$\n\n"
	      "rule: d\ntags: t\nadded: x\npath: ^(a+)+$\n\n"
	      "rule: e\ntags: t\nadded: x\nexclude-path: ^(a|aa)+$\n");
	if (!ok(!load1(&r, &err, "cache.rules"), "path cache rules load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	m = rules_matcher_new(&r);
	for (k = 0; k < 12000 && same; k++) {
		const char *old = k % 5 ? NULL : "configs/x.json";

		snprintf(path, sizeof(path),
			 k % 3 == 0 ? "configs/%d.json" :
			 k % 3 == 1 ? "configs/ignored/%d.json" : "docs/%d.md",
			 k % 6000);
		for (i = 0; i < r.nrules; i++)
			same &= rules_match_file(m, i, path, old,
						 CHANGE_RENAMED) ==
				rules_file_applies(&r, i, path, old,
						   CHANGE_RENAMED) &&
				rules_match_only_path(m, i, path, old) ==
				rules_only_path_holds(&r, i, path, old);
	}
	ok(same, "cached verdicts agree with direct ones (stopped at %d)", k);
	ok(rules_match_file(m, 0, "configs/a.json", NULL, CHANGE_ADDED) &&
	   !rules_match_file(m, 1, "configs/ignored/a.json", NULL,
			     CHANGE_ADDED) &&
	   rules_match_only_path(m, 2, "a.md", NULL) &&
	   !rules_match_only_path(m, 2, "a.md", "a.c"),
	   "path, shared exclude-path, only-path");
	memset(hostile, 'a', 42);
	strcpy(hostile + 42, "b");
	ok(!rules_match_file(m, 3, hostile, NULL, CHANGE_ADDED) &&
	   rules_match_file(m, 3, "aaaa", NULL, CHANGE_ADDED),
	   "a path regex that gives up does not apply");
	hostile[42] = '!';
	ok(!rules_match_file(m, 4, hostile, NULL, CHANGE_ADDED) &&
	   rules_match_file(m, 4, "b.c", NULL, CHANGE_ADDED),
	   "an exclude-path that gives up excludes");
	rules_matcher_free(m);
	rules_release(&r);
}

static void test_match(void)
{
	struct rules r;
	struct rules_matcher *m;
	char *err;
	const char *msg = "Speed up the kernel\n\nFixes: #12\n";

	WRITE("match.rules",
	      "rule: all\ntags: t\nadded: \\bfoo\\b\nremoved: bar$\n"
	      "message: (?m)^Fixes:\npath: \\.cu$\n\n"
	      "rule: some\ntags: t\nmessage: ^Revert\n\n"
	      "rule: groups\ntags: t\n"
	      "added: (a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)(n)(o)(p)(q)\n");
	if (!ok(!load1(&r, &err, "match.rules"), "match rules load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	m = rules_matcher_new(&r);
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "+ foo()", 7) == 1 &&
	   rules_match(m, 0, RULE_SIDE_ADDED, "food", 4) == 0, "added side");
	ok(rules_match(m, 0, RULE_SIDE_REMOVED, "foobar", 6) == 1 &&
	   rules_match(m, 0, RULE_SIDE_REMOVED, "bars", 4) == 0,
	   "removed side");
	ok(rules_match(m, 0, RULE_SIDE_MESSAGE, msg, strlen(msg)) == 1 &&
	   rules_match(m, 0, RULE_SIDE_MESSAGE, "No Fixes:", 9) == 0,
	   "message side");
	ok(rules_match(m, 0, RULE_SIDE_PATH, "k/a.cu", 6) == 1 &&
	   rules_match(m, 0, RULE_SIDE_PATH, "k/a.cuh", 7) == 0, "path side");
	ok(rules_match(m, 1, RULE_SIDE_ADDED, "Revert", 6) == 0 &&
	   rules_match(m, 1, RULE_SIDE_REMOVED, "Revert", 6) == 0 &&
	   rules_match(m, 1, RULE_SIDE_PATH, "Revert", 6) == 0 &&
	   rules_match(m, 1, RULE_SIDE_MESSAGE, "Revert x", 8) == 1,
	   "a side without a regex does not match");
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "foox", 3) == 1 &&
	   rules_match(m, 0, RULE_SIDE_REMOVED, "barn", 3) == 1 &&
	   rules_match(m, 0, RULE_SIDE_ADDED, "foox", 4) == 0,
	   "text need not be NUL-terminated; len is honoured");
	ok(rules_match(m, 0, RULE_SIDE_ADDED, NULL, 0) == 0 &&
	   rules_match(m, 0, RULE_SIDE_ADDED, "", 0) == 0, "empty text");
	ok(rules_match(m, 2, RULE_SIDE_ADDED, "abcdefghijklmnopq", 17) == 1,
	   "many capture groups");
	ok(rules_match(m, 7, RULE_SIDE_ADDED, "x", 1) == -1 &&
	   *rules_matcher_error(m), "no such rule: -1 with a reason");
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "foo", 3) == 1 &&
	   !*rules_matcher_error(m), "the reason is cleared by the next match");
	rules_matcher_free(m);
	rules_matcher_free(NULL);
	rules_release(&r);
}

static void test_limits(void)
{
	struct rules r;
	struct rules_matcher *m;
	char *err, *text;
	size_t n = 100000;
	double t0, t1;
	int rc;

	WRITE("evil.rules",
	      "rule: evil\ntags: t\nadded: ^(a+)+$\nremoved: ^(a|aa)+$\n"
	      "message: ^(\\w+\\s?)*$\npath: ^(a+)+$\n");
	if (!ok(!load1(&r, &err, "evil.rules"), "catastrophic rule loads")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	text = malloc(n + 1);
	memset(text, 'a', n);
	text[n] = 'b';
	m = rules_matcher_new(&r);
	t0 = now();
	rc = rules_match(m, 0, RULE_SIDE_ADDED, text, n + 1);
	t1 = now();
	is_int(rc, -1, "^(a+)+$ on 100k a's and a b gives up");
	ok(*rules_matcher_error(m), "and says why: %s", rules_matcher_error(m));
	ok(t1 - t0 < 5.0, "quickly (%.3f s)", t1 - t0);
	t0 = now();
	rc = rules_match(m, 0, RULE_SIDE_REMOVED, text, n + 1);
	t1 = now();
	ok(rc == -1 && t1 - t0 < 5.0, "^(a|aa)+$ too (%s, %.3f s)",
	   rules_matcher_error(m), t1 - t0);
	rc = rules_match(m, 0, RULE_SIDE_MESSAGE,
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", 43);
	ok(rc == -1, "nested quantifiers on a short line (%s)",
	   rules_matcher_error(m));
	ok(rules_match(m, 0, RULE_SIDE_ADDED, text, n) == 1,
	   "the matcher still works after giving up");
	ok(!rules_file_applies(&r, 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
			       NULL, CHANGE_ADDED) &&
	   rules_file_applies(&r, 0, "aaaa", NULL, CHANGE_ADDED),
	   "a path regex that gives up does not apply");
	rules_matcher_free(m);
	free(text);
	rules_release(&r);
}

static void test_utf8(void)
{
	struct rules r;
	struct rules_matcher *m;
	char *err;

	WRITE("utf8.rules",
	      "rule: sm\ntags: t\nadded: sm_version\\s*>=\\s*1\\d\\d\n"
	      "removed: \xc3\xa9+\nmessage: ^.{3}$\n");
	if (!ok(!load1(&r, &err, "utf8.rules"), "UTF-8 rules load")) {
		diag("%s", err);
		free(err);
		return;
	}
	free(err);
	m = rules_matcher_new(&r);
	ok(rules_match(m, 0, RULE_SIDE_ADDED,
		       "\xff\xfe if (sm_version >= 120) \xc3", 27) == 1,
	   "invalid UTF-8 around a match");
	ok(rules_match(m, 0, RULE_SIDE_ADDED, "\xff\xff\xc0\x80", 4) == 0,
	   "invalid UTF-8 alone: no match, no error");
	ok(rules_match(m, 0, RULE_SIDE_REMOVED, "\xc3\xc3\xa9", 3) == 1 &&
	   rules_match(m, 0, RULE_SIDE_REMOVED, "\xc3", 1) == 0 &&
	   rules_match(m, 0, RULE_SIDE_REMOVED, "\xed\xa0\x80", 3) == 0,
	   "truncated and surrogate sequences");
	ok(rules_match(m, 0, RULE_SIDE_MESSAGE, "\xc3\xa9\xc3\xa9\xc3\xa9",
		       6) == 1, "'.' is a character, not a byte");
	rules_matcher_free(m);
	rules_release(&r);
}

/* ---- rules test ---------------------------------------------------- */

static char *run_rules_test(const struct rules *r, size_t *fails)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	*fails = rules_test(r, f);
	fclose(f);
	return out;
}

static void test_rules_test(void)
{
	struct rules r;
	char *err, *out;
	size_t fails;

	WRITE("pass.rules",
	      "rule: p\ntags: t\nadded: ^yes\nexample: yes\n"
	      "counterexample: no\n\nrule: q\ntags: t\npath: x\n\n"
	      "rule: r\ntags: t\nremoved: ^gone\nexample: gone now\n"
	      "counterexample: still here\n");
	WRITE("fail.rules",
	      "rule: f\ntags: t\nadded: ^yes\n"
	      "example: yes please\n"
	      "example: no thanks\n"
	      "counterexample: yes indeed\n"
	      "counterexample: nope\n"
	      "\n"
	      "rule: g\ntags: t\npath: x\nexample: orphan\n"
	      "\n"
	      "rule: h\ntags: t\nadded: ^(a+)+$\n"
	      "example: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n"
	      "\n"
	      "rule: k\ntags: t\nremoved: ^gone\nexample: still here\n");
	if (!load1(&r, &err, "pass.rules")) {
		out = run_rules_test(&r, &fails);
		ok(fails == 0 && !strcmp(out, ""), "passing rules: no output");
		free(out);
		rules_release(&r);
	} else {
		ok(0, "pass.rules loads");
	}
	free(err);
	if (!load1(&r, &err, "fail.rules")) {
		out = run_rules_test(&r, &fails);
		is_int(fails, 5, "failing rules: count");
		is_str(out,
		       "fail.rules:5: rule 'f': example does not match: no thanks\n"
		       "fail.rules:6: rule 'f': counterexample matches: yes indeed\n"
		       "fail.rules:9: rule 'g': examples but no 'added' or 'removed' regex\n"
		       "fail.rules:17: rule 'h': example failed (match limit exceeded): aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n"
		       "fail.rules:22: rule 'k': example does not match: still here\n",
		       "failing rules: one line each");
		free(out);
		rules_release(&r);
	} else {
		ok(0, "fail.rules loads");
		ok(0, "fail.rules loads");
	}
	free(err);

	if (!*fixture) {
		skip("tests/data/test.rules not found");
		return;
	}
	if (!load1(&r, &err, fixture)) {
		out = run_rules_test(&r, &fails);
		ok(r.nrules > 0 && fails == 0,
		   "tests/data/test.rules: %zu rules, examples pass", r.nrules);
		if (fails)
			diag("%s", out);
		free(out);
		rules_release(&r);
	} else {
		ok(0, "tests/data/test.rules loads");
		diag("%s", err);
	}
	free(err);
}

/* ---- fingerprints and release -------------------------------------- */

/* The fingerprint of the one rule of a file with this content. */
static char *fp_of(const char *content)
{
	static char fp[17];
	struct rules r;
	char *err;

	write_file("fp.rules", content, strlen(content));
	if (load1(&r, &err, "fp.rules") || r.nrules != 1) {
		diag("%s", err);
		free(err);
		rules_release(&r);
		return "load failed";
	}
	free(err);
	memcpy(fp, r.rule[0].fingerprint, sizeof(fp));
	rules_release(&r);
	return fp;
}

static void test_fingerprint(void)
{
	static const char base[] =
		"rule: fp\ntags: a b\nkeywords: k\nadded: foo\n"
		"status: added modified\ndescribe: x\nexample: foo\n";
	char want[17];
	struct rules r1, r2;
	const char *paths[2];
	char *err;

	snprintf(want, sizeof(want), "%s", fp_of(base));
	ok(is_hex16(want), "a rule fingerprint");
	is_str(fp_of("status: modified   added\nadded: f\n  oo\n"
		     "example: foo\nrule: fp\nkeywords:  k\ntags: a\n   b\n"
		     "describe: x\n"),
	       want, "stable under field order, blanks and continuations");
	is_str(fp_of("rule: fp\ntags: a b\nkeywords: k\nadded: foo\n"
		     "status: added modified\ndescribe: y\n"
		     "example: other\ncounterexample: bar\n"),
	       want, "describe and examples do not count");
	ok(strcmp(fp_of("rule: fp\ntags: a b\nkeywords: k\nadded: fooo\n"
			"status: added modified\n"), want),
	   "changes with the regex");
	ok(strcmp(fp_of("rule: fp\ntags: a c\nkeywords: k\nadded: foo\n"
			"status: added modified\n"), want),
	   "changes with the tags");
	ok(strcmp(fp_of("rule: fp\ntags: a b\nkeywords: k l\nadded: foo\n"
			"status: added modified\n"), want),
	   "changes with the keywords");
	ok(strcmp(fp_of("rule: fp\ntags: a b\nkeywords: k\nadded: foo\n"
			"status: added\n"), want),
	   "changes with the status");
	ok(strcmp(fp_of("rule: fp\ntags: a b\nkeywords: k\nadded: foo\n"
			"status: added modified\npath: x\n"), want),
	   "changes with a new field");
	ok(strcmp(fp_of("rule: fp\ntags: a b\nkeywords: k\nremoved: foo\n"
			"status: added modified\n"), want),
	   "changes when a regex moves to another side");
	ok(strcmp(fp_of("rule: fp2\ntags: a b\nkeywords: k\nadded: foo\n"
			"status: added modified\n"), want),
	   "changes with the id");

	WRITE("fa.rules", "rule: zeta\ntags: t\npath: z\n\nrule: alpha\n"
	      "tags: t\npath: a\n");
	WRITE("fb.rules", "rule: mid\ntags: t\npath: m\n");
	paths[0] = "fa.rules";
	paths[1] = "fb.rules";
	if (load(&r1, &err, 2, paths)) {
		ok(0, "fa.rules fb.rules load");
		free(err);
		return;
	}
	free(err);
	paths[0] = "fb.rules";
	paths[1] = "fa.rules";
	if (load(&r2, &err, 2, paths)) {
		ok(0, "fb.rules fa.rules load");
		free(err);
		rules_release(&r1);
		return;
	}
	free(err);
	ok(is_hex16(r1.fingerprint) &&
	   !strcmp(r1.fingerprint, r2.fingerprint) &&
	   strcmp(r1.rule[0].id, r2.rule[0].id),
	   "rule-set fingerprint independent of file order");
	rules_release(&r2);
	WRITE("fb.rules", "rule: mid\ntags: t\npath: m2\n");
	if (!load(&r2, &err, 2, paths)) {
		ok(strcmp(r1.fingerprint, r2.fingerprint),
		   "rule-set fingerprint changes with a rule");
		rules_release(&r2);
	} else {
		ok(0, "changed fb.rules loads");
	}
	free(err);
	rules_release(&r1);
}

static void test_empty(void)
{
	struct rules r;
	struct rules_matcher *m;
	unsigned char kwset[1] = { 0 };

	memset(&r, 0, sizeof(r));
	rules_release(&r);
	ok(is_zeroed(&r), "release of a zeroed struct");
	rules_release(NULL);
	rules_keywords_find(&r, "abc", 3, kwset);
	ok(!kwset[0] && rules_find(&r, "x") == -1,
	   "a zeroed struct finds nothing");
	memset(&r, 0x5a, sizeof(r));
	ok(!rules_load(&r, NULL, 0) && r.nrules == 0 && r.nkeywords == 0,
	   "no paths: an empty rule set");
	is_str(r.fingerprint, "cbf29ce484222325",
	       "its fingerprint is FNV-1a of nothing");
	m = rules_matcher_new(&r);
	ok(m && rules_test(&r, stdout) == 0, "matcher and test on no rules");
	rules_matcher_free(m);
	rules_keywords_find(&r, "abc", 3, kwset);
	ok(!kwset[0], "prefilter of no keywords");
	rules_release(&r);
	ok(is_zeroed(&r), "released");
	rules_release(&r);
	ok(is_zeroed(&r), "released twice");
}

/* ---- stand-alone patterns and version ----------------------------- */

static void test_patterns(void)
{
	struct rules none;
	struct rules_matcher *m;
	struct rule_regex *re, *bad, *evil, *groups;
	struct buf v = BUF_INIT;
	char *err, *text;
	size_t n = 100000;

	memset(&none, 0, sizeof(none));
	m = rules_matcher_new(&none);
	capture_begin();
	re = rules_pattern_new("^src/.*\\.cu$", "--path");
	bad = rules_pattern_new("(src", "--path");
	err = capture_end();
	ok(re && !bad, "a good and a bad stand-alone pattern");
	is_str(err,
	       "mirrorscan: bad '--path' regex: missing closing parenthesis at offset 4\n",
	       "the bad one is reported, naming what");
	free(err);
	ok(rules_pattern_match(m, re, "src/a.cu", 8) == 1 &&
	   rules_pattern_match(m, re, "src/a.cuh", 9) == 0,
	   "matching with a matcher of no rules");
	/* PCRE2_MATCH_INVALID_UTF: no pattern item matches an invalid
	 * sequence, so ".*" cannot run across one; not an error either */
	ok(rules_pattern_match(m, re, "src/\xff.cu", 8) == 0,
	   "'.' does not match a byte that is not UTF-8");
	groups = rules_pattern_new("(a)(b)(c)(d)", "--test");
	ok(groups && rules_pattern_match(m, groups, "abcd", 4) == 1,
	   "more groups than the matcher's rules: still a match");
	evil = rules_pattern_new("^(a+)+$", "--test");
	text = malloc(n + 1);
	memset(text, 'a', n);
	text[n] = 'b';
	ok(evil && rules_pattern_match(m, evil, text, n + 1) == -1 &&
	   *rules_matcher_error(m), "limits apply (%s)",
	   rules_matcher_error(m));
	ok(rules_pattern_match(m, re, "src/a.cu", 8) == 1 &&
	   !*rules_matcher_error(m), "and the reason is cleared after");
	free(text);
	rules_pattern_free(evil);
	rules_pattern_free(groups);
	rules_pattern_free(re);
	rules_pattern_free(NULL);
	rules_matcher_free(m);

	rules_version(&v);
	ok(!strncmp(v.ptr, "PCRE2 10.", 9) && !strchr(v.ptr + 6, '-') &&
	   (strstr(v.ptr, " (JIT on)") || strstr(v.ptr, " (JIT off)")),
	   "version: %s", v.ptr);
	buf_release(&v);
}

/* ---- main ---------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void find_fixture(void)
{
	const char *src = getenv("MIRRORSCAN_SRC_DIR");
	char cand[PATH_MAX];

	snprintf(cand, sizeof(cand), "%s/tests/data/test.rules",
		 src && *src ? src : ".");
	if (!access(cand, R_OK) && realpath(cand, fixture))
		return;
	fixture[0] = '\0';
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	char cwd[PATH_MAX];

	find_fixture();
	snprintf(tmpdir, sizeof(tmpdir), "%s/unit-rules.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir) || !getcwd(cwd, sizeof(cwd)) || chdir(tmpdir)) {
		printf("Bail out! cannot make a temporary directory: %s\n",
		       strerror(errno));
		return 1;
	}

	test_basic();
	test_continuation();
	test_stanzas();
	test_crlf_bom();
	test_errors();
	test_dirs();
	test_keywords();
	test_line_candidates();
	test_applies();
	test_path_cache();
	test_match();
	test_limits();
	test_utf8();
	test_rules_test();
	test_fingerprint();
	test_empty();
	test_patterns();

	if (chdir(cwd) || nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		diag("could not remove %s", tmpdir);
	return done_testing();
}
