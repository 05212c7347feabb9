/*
 * lineclass: code, comment, docstring or blank, per line of a file.
 * See lineclass.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lineclass.h"

enum scan_state {
	ST_CODE,
	ST_BLOCK,	/* C: inside a block comment */
	ST_JBLOCK,	/* Jinja: inside a {# #} comment */
	ST_STRING3,	/* Python: inside a triple-quoted string (code) */
	ST_DOC3,	/* Python: inside a docstring */
};

/* ---- languages --------------------------------------------------- */

static const char *const c_exts[] = {
	"c", "h", "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++",
	"cu", "cuh", "inl", "ipp", "tcc", "cl", "metal", "m", "mm",
	"java", "js", "mjs", "ts", "tsx", "jsx", "go", "rs", "swift",
	"kt", "scala", "cs", "proto", "mlir", "td", "ptx", NULL
};
static const char *const jinja_exts[] = { "jinja", "jinja2", "j2", NULL };
static const char *const py_exts[] = { "py", "pyi", "pyx", "pxd", NULL };
static const char *const hash_exts[] = {
	"sh", "bash", "zsh", "cmake", "yml", "yaml", "toml", "cfg", "conf",
	"mk", "bzl", "bazel", "pl", "rb", "r", "dockerfile", "gitignore",
	"gitattributes", "gitmodules", "flake8", "in", NULL
};
static const char *const hash_names[] = {
	"CMakeLists.txt", "Makefile", "makefile", "GNUmakefile", "BUILD",
	"WORKSPACE", "Dockerfile", "Containerfile", ".gitignore",
	".gitattributes", ".gitmodules", ".clang-format", ".clang-tidy",
	NULL
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int in_list(const char *s, const char *const *list, int fold)
{
	size_t i, k;

	for (i = 0; list[i]; i++) {
		for (k = 0; s[k] && list[i][k] &&
		     (fold ? ascii_lower((unsigned char)s[k]) ==
			     ascii_lower((unsigned char)list[i][k])
			   : s[k] == list[i][k]); k++)
			;
		if (!s[k] && !list[i][k])
			return 1;
	}
	return 0;
}

enum line_lang lineclass_lang(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	if (in_list(base, hash_names, 0) ||
	    !strncmp(base, "Dockerfile", 10) ||
	    (!strncmp(base, "requirements", 12) && strstr(base, ".txt")))
		return LANG_HASH;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return LANG_PLAIN;
	dot++;
	if (in_list(dot, c_exts, 1))
		return LANG_C;
	if (in_list(dot, jinja_exts, 1))
		return LANG_JINJA;
	if (in_list(dot, py_exts, 1))
		return LANG_PYTHON;
	if (in_list(dot, hash_exts, 1))
		return LANG_HASH;
	return LANG_PLAIN;
}

unsigned lineclass_parse(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "code", LINE_CODE },
		{ "comment", LINE_COMMENT },
		{ "docstring", LINE_DOCSTRING },
		{ "blank", LINE_BLANK },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(name, names[i].name))
			return names[i].bit;
	return 0;
}

/* ---- one line ---------------------------------------------------- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The index after the string that opens at s[i] (a quote), or len when
 * the line ends first. */
static size_t skip_quoted(const char *s, size_t len, size_t i)
{
	char q = s[i++];

	while (i < len) {
		if (s[i] == '\\')
			i += 2;
		else if (s[i++] == q)
			return i;
	}
	return len;
}

/* Where a block comment (q is '*' for C's, '#' for Jinja's) or a
 * triple-quoted string (q is its quote) closes, from s[i]: the index
 * after the close, or 0 when it does not close on this line. */
static size_t find_close(const char *s, size_t len, size_t i, char q)
{
	const char *p;

	while (i < len && (p = memchr(s + i, q, len - i))) {
		size_t at = (size_t)(p - s), bs = 0;

		i = at + 1;
		if (q == '*' || q == '#') {
			if (i < len && s[i] == (q == '*' ? '/' : '}'))
				return i + 1;
			continue;
		}
		/* an odd run of backslashes escapes the quote */
		while (bs < at && s[at - 1 - bs] == '\\')
			bs++;
		if (!(bs & 1) && at + 2 < len && s[at + 1] == q &&
		    s[at + 2] == q)
			return at + 3;
	}
	return 0;
}

static unsigned line_result(int code, int doc, int comment, size_t code_end,
			    size_t *code_len)
{
	*code_len = code ? code_end : 0;
	return code ? LINE_CODE : doc ? LINE_DOCSTRING
	       : comment ? LINE_COMMENT : LINE_BLANK;
}

/*
 * The characters a scanner stops at; any other is plain code, skipped a
 * run at a time.  Scanning is the cost of these classes: a generated
 * file of a million lines is read to its end.
 */
enum ch {
	CH_PLAIN,
	CH_BLANK,
	CH_SLASH,
	CH_QUOTE,
	CH_HASH,
	CH_BACKSLASH,
	CH_OPEN,
	CH_CLOSE,
};

static const unsigned char c_chars[256] = {
	[' '] = CH_BLANK, ['\t'] = CH_BLANK, ['\f'] = CH_BLANK,
	['\v'] = CH_BLANK, ['\r'] = CH_BLANK,
	['/'] = CH_SLASH, ['"'] = CH_QUOTE, ['\''] = CH_QUOTE,
};

/* C's, and '{' for Jinja's {# comments #} */
static const unsigned char jinja_chars[256] = {
	[' '] = CH_BLANK, ['\t'] = CH_BLANK, ['\f'] = CH_BLANK,
	['\v'] = CH_BLANK, ['\r'] = CH_BLANK,
	['/'] = CH_SLASH, ['"'] = CH_QUOTE, ['\''] = CH_QUOTE, ['{'] = CH_OPEN,
};

static const unsigned char py_chars[256] = {
	[' '] = CH_BLANK, ['\t'] = CH_BLANK, ['\f'] = CH_BLANK,
	['\v'] = CH_BLANK, ['\r'] = CH_BLANK,
	['"'] = CH_QUOTE, ['\''] = CH_QUOTE, ['#'] = CH_HASH,
	['\\'] = CH_BACKSLASH,
	['('] = CH_OPEN, ['['] = CH_OPEN, ['{'] = CH_OPEN,
	[')'] = CH_CLOSE, [']'] = CH_CLOSE, ['}'] = CH_CLOSE,
};

static unsigned scan_c(struct lineclass_cursor *c, const char *s, size_t len,
		       size_t *code_len)
{
	const unsigned char *chars = c->lang == LANG_JINJA ? jinja_chars
							   : c_chars;
	size_t i = 0, end = 0, e;
	int code = 0, comment = 0;

	while (i < len) {
		if (c->state == ST_BLOCK || c->state == ST_JBLOCK) {
			comment = 1;
			e = find_close(s, len, i,
				       c->state == ST_BLOCK ? '*' : '#');
			if (!e)
				break;
			i = e;
			c->state = ST_CODE;
			continue;
		}
		switch (chars[(unsigned char)s[i]]) {
		case CH_BLANK:
			while (++i < len &&
			       chars[(unsigned char)s[i]] == CH_BLANK)
				;
			continue;
		case CH_OPEN:	/* Jinja only: '{' */
			if (i + 1 < len && s[i + 1] == '#') {
				c->state = ST_JBLOCK;
				i += 2;
				continue;
			}
			i++;
			break;
		case CH_SLASH:
			if (i + 1 < len && s[i + 1] == '/') {
				comment = 1;
				i = len;
				continue;
			}
			if (i + 1 < len && s[i + 1] == '*') {
				c->state = ST_BLOCK;
				i += 2;
				continue;
			}
			i++;
			break;
		case CH_QUOTE:
			/* 1'000'000 is a number, not a character literal */
			if (s[i] == '"' || !(i && is_ident(s[i - 1])))
				i = skip_quoted(s, len, i);
			else
				i++;
			break;
		default:
			/* a run of code, blanks inside it included: the
			 * code ends at its last non-blank */
			end = ++i;
			for (; i < len; i++) {
				unsigned char k = chars[(unsigned char)s[i]];

				if (k != CH_PLAIN && k != CH_BLANK)
					break;
				end = k == CH_BLANK ? end : i + 1;
			}
			code = 1;
			continue;
		}
		code = 1;
		end = i;
	}
	return line_result(code, 0, comment, end, code_len);
}

static unsigned scan_hash(const char *s, size_t len, size_t *code_len)
{
	size_t i = 0, end = 0;
	int code = 0, comment = 0;

	while (i < len) {
		if (is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '#' && (!i || is_blank(s[i - 1]))) {
			comment = 1;
			break;
		}
		code = 1;
		if (s[i] == '"' || (s[i] == '\'' && !(i && is_ident(s[i - 1]))))
			i = skip_quoted(s, len, i);
		else
			i++;
		end = i;
	}
	return line_result(code, 0, comment, end, code_len);
}

/*
 * Passes a run of Python code from s[*i] (plain bytes, blanks and
 * brackets) up to a quote, a '#', a backslash or the end, counting the
 * brackets; returns where the code ends, after its last non-blank.
 * Without a branch per byte: where blanks and brackets fall is not
 * predictable, and they are a third of a Python file.
 */
static const signed char py_depth[256] = {
	['('] = 1, ['['] = 1, ['{'] = 1, [')'] = -1, [']'] = -1, ['}'] = -1,
};

static size_t plain_run(struct lineclass_cursor *c, const char *s,
			size_t len, size_t *i)
{
	long depth = (long)c->depth;
	size_t j = *i, nb = j;

	for (; j < len; j++) {
		unsigned char b = (unsigned char)s[j], k = py_chars[b];

		if (k >= CH_QUOTE && k <= CH_BACKSLASH)
			break;
		depth += py_depth[b];
		depth = depth < 0 ? 0 : depth;	/* a stray close */
		nb = k == CH_BLANK ? nb : j + 1;
	}
	c->depth = (unsigned)depth;
	*i = j;
	return nb;
}

/* Where the string whose quote is s[q] begins, with its prefix of up
 * to two letters (r, b, u, f: rb"..", f".."). */
static size_t py_string_start(const char *s, size_t q)
{
	size_t t = q;

	while (t && q - t < 2 && s[t - 1] && strchr("rRbBuUfF", s[t - 1]))
		t--;
	return t && is_ident(s[t - 1]) ? q : t;
}

static unsigned scan_python(struct lineclass_cursor *c, const char *s,
			    size_t len, size_t *code_len)
{
	size_t i = 0, end = 0, e, first = len, t;
	int code = 0, doc = 0, comment = 0;
	int stmt_start = !c->depth && !c->cont;

	c->cont = 0;
	while (i < len) {
		if (c->state == ST_STRING3 || c->state == ST_DOC3) {
			int in_doc = c->state == ST_DOC3;

			doc |= in_doc;
			code |= !in_doc;
			e = find_close(s, len, i, c->quote);
			if (!e) {
				if (!in_doc)
					end = len;
				break;
			}
			i = e;
			if (!in_doc)
				end = i;
			c->state = ST_CODE;
			continue;
		}
		if (py_chars[(unsigned char)s[i]] != CH_BLANK && first == len)
			first = i;
		switch (py_chars[(unsigned char)s[i]]) {
		case CH_BLANK:
			while (++i < len &&
			       py_chars[(unsigned char)s[i]] == CH_BLANK)
				;
			continue;
		case CH_HASH:
			comment = 1;
			i = len;
			continue;
		case CH_BACKSLASH:
			if (i + 1 == len) {
				c->cont = 1;
				i = len;
				continue;
			}
			i++;
			break;
		case CH_QUOTE:
			if (i + 2 < len && s[i + 1] == s[i] &&
			    s[i + 2] == s[i]) {
				t = py_string_start(s, i);
				c->quote = s[i];
				i += 3;
				if (stmt_start && first == t && !doc) {
					/* a string that begins a statement:
					 * its prefix letters were no code */
					c->state = ST_DOC3;
					doc = 1;
					code = 0;
					end = 0;
					continue;
				}
				c->state = ST_STRING3;
				break;
			}
			i = skip_quoted(s, len, i);
			break;
		default:
			end = plain_run(c, s, len, &i);
			code = 1;
			continue;
		}
		code = 1;
		end = i;
	}
	return line_result(code, doc, comment, end, code_len);
}

static unsigned scan_plain(const char *s, size_t len, size_t *code_len)
{
	size_t end = len;

	while (end && is_blank(s[end - 1]))
		end--;
	*code_len = end;
	return end ? LINE_CODE : LINE_BLANK;
}

static unsigned scan_line(struct lineclass_cursor *c, const char *s,
			  size_t len, size_t *code_len)
{
	switch (c->lang) {
	case LANG_C:
	case LANG_JINJA:
		return scan_c(c, s, len, code_len);
	case LANG_PYTHON:
		return scan_python(c, s, len, code_len);
	case LANG_HASH:
		return scan_hash(s, len, code_len);
	case LANG_PLAIN:
		break;
	}
	return scan_plain(s, len, code_len);
}

/* ---- a file, line by line ---------------------------------------- */

void lineclass_cursor_init(struct lineclass_cursor *c, enum line_lang lang,
			   const char *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->lang = lang;
	c->data = c->pos = data;
	c->end = data ? data + len : NULL;
	c->next = 1;
	c->state = ST_CODE;
}

/*
 * Can the line from c->pos to eol be passed over without scanning it?
 * Only what it does to the state matters then, and a line of a file
 * without state, or of C code with no '/' in it (no comment can start or
 * end there: a C string ends with its line), does nothing to it.
 */
static int skippable(struct lineclass_cursor *c, const char *eol)
{
	if (c->lang == LANG_PLAIN || c->lang == LANG_HASH)
		return 1;
	if (c->lang != LANG_C || c->state != ST_CODE)
		return 0;
	if (!c->slash || c->slash < c->pos) {
		c->slash = memchr(c->pos, '/', (size_t)(c->end - c->pos));
		if (!c->slash)
			c->slash = c->end;
	}
	return c->slash >= eol;
}

int lineclass_cursor_line(struct lineclass_cursor *c, uint32_t n,
			  struct line_info *out)
{
	if (n && n + 1 == c->next) {
		*out = c->last;
		return 0;
	}
	if (n < c->next)
		lineclass_cursor_init(c, c->lang, c->data,
				      (size_t)(c->end - c->data));
	while (c->next <= n && c->pos && c->pos < c->end) {
		const char *nl = memchr(c->pos, '\n',
					(size_t)(c->end - c->pos));
		size_t len = nl ? (size_t)(nl - c->pos)
				: (size_t)(c->end - c->pos);
		struct line_info *li = &c->last;

		if (c->next < n && skippable(c, c->pos + len)) {
			c->pos += len + (nl != NULL);
			c->next++;
			continue;
		}
		li->text = c->pos;
		li->len = len && c->pos[len - 1] == '\r' ? len - 1 : len;
		li->cls = scan_line(c, li->text, li->len, &li->code_len);
		c->pos += len + (nl != NULL);
		c->next++;
	}
	if (n + 1 != c->next || !n) {
		memset(out, 0, sizeof(*out));
		out->cls = LINE_BLANK;
		return -1;
	}
	*out = c->last;
	return 0;
}

/* ---- both sides of a file change --------------------------------- */

void lineclass_file_init(struct lineclass_file *lf, const char *path,
			 const char *old_data, size_t old_len,
			 const char *new_data, size_t new_len)
{
	enum line_lang lang = lineclass_lang(path);

	memset(lf, 0, sizeof(*lf));
	lineclass_cursor_init(&lf->side[0], lang, new_data, new_len);
	lineclass_cursor_init(&lf->side[1], lang, old_data, old_len);
}

void lineclass_file_hunk(struct lineclass_file *lf, uint32_t old_start,
			 uint32_t old_lines, uint32_t new_start,
			 uint32_t new_lines)
{
	lf->start[0] = new_start;
	lf->lines[0] = new_lines;
	lf->start[1] = old_start;
	lf->lines[1] = old_lines;
	lf->hunk_no++;
	lf->ready = 0;
	lf->paired = 0;
}

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/*
 * Feeds the code of a line to a hash: its code part without blanks and,
 * in C-like files, without the block comments inside it.  Two lines with
 * the same feed differ in layout or comments only.
 */
static void feed_code(enum line_lang lang, const struct line_info *li,
		      uint64_t *h, size_t *n)
{
	const char *t = li->text;
	size_t i = 0, len = li->code_len;
	char quote = 0;

	while (i < len) {
		char c = t[i];

		if (quote) {
			if (c == '\\' && i + 1 < len) {
				*h = (*h ^ (unsigned char)c) * FNV_PRIME;
				c = t[++i];
			} else if (c == quote) {
				quote = 0;
			}
		} else if ((lang == LANG_C || lang == LANG_JINJA) &&
			   c == '/' && i + 1 < len && t[i + 1] == '*') {
			size_t e = find_close(t, len, i + 2, '*');

			i = e ? e : len;
			continue;
		} else if (is_blank(c)) {
			i++;
			continue;
		} else if (c == '"' || (c == '\'' && !(i && is_ident(t[i - 1])))) {
			quote = c;
		}
		*h = (*h ^ (unsigned char)c) * FNV_PRIME;
		(*n)++;
		i++;
	}
}

struct keyed {
	uint64_t hash;
	size_t at;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Is there a line on the other side with the same code (key), which
 * differs from this one (so that only layout or comments changed)? */
static int same_code(const struct keyed *k, size_t nk,
		     const struct line_info *other, const struct line_info *li,
		     uint64_t key)
{
	size_t lo = 0, hi = nk;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid].hash < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nk && k[lo].hash == key; lo++) {
		const struct line_info *o = &other[k[lo].at];

		if (o->len != li->len || memcmp(o->text, li->text, li->len))
			return 1;
	}
	return 0;
}

/* Hunks larger than this (lines on one side times lines on the other)
 * are not paired line by line. */
#define PAIR_MAX 65536

/* How alike two lines are: their common start and end, in bytes. */
static size_t likeness(const struct line_info *a, const struct line_info *b)
{
	size_t n = a->len < b->len ? a->len : b->len, pre = 0, suf = 0;

	while (pre < n && a->text[pre] == b->text[pre])
		pre++;
	while (suf < n - pre &&
	       a->text[a->len - 1 - suf] == b->text[b->len - 1 - suf])
		suf++;
	return pre + suf;
}

/* Each line's partner on the other side (lineclass_file_partner()). */
static void pair_hunk(struct lineclass_file *lf)
{
	uint32_t i, j;
	int s;

	for (s = 0; s < 2; s++) {
		ALLOC_GROW(lf->partner[s], lf->lines[s], lf->partner_alloc[s]);
		for (i = 0; i < lf->lines[s]; i++)
			lf->partner[s][i] = -1;
	}
	if ((uint64_t)lf->lines[0] * lf->lines[1] > PAIR_MAX)
		return;
	for (s = 0; s < 2; s++)
		for (i = 0; i < lf->lines[s]; i++) {
			const struct line_info *a = &lf->block[s][i];
			size_t best = 0;

			for (j = 0; j < lf->lines[!s]; j++) {
				const struct line_info *b = &lf->block[!s][j];
				size_t l = likeness(a, b),
				       shorter = a->len < b->len ? a->len
								 : b->len;

				if (l > best && 2 * l >= shorter) {
					best = l;
					lf->partner[s][i] = (int32_t)j;
				}
			}
		}
}

/*
 * Reads the hunk's lines on both sides, and marks as comments the lines
 * whose change is in layout or comments only: each line whose code (see
 * feed_code()) is that of a different line on the other side, and every
 * line when the code of all the removed lines, read in order, is that of
 * all the added ones (a comment reworded, a statement re-wrapped).
 */
static void read_hunk(struct lineclass_file *lf)
{
	struct keyed *k[2] = { NULL, NULL };
	size_t nk[2] = { 0, 0 }, total[2] = { 0, 0 };
	uint64_t whole[2] = { FNV_OFFSET, FNV_OFFSET };
	enum line_lang lang = lf->side[0].lang;
	uint32_t i;
	int s, same;

	for (s = 0; s < 2; s++) {
		ALLOC_GROW(lf->block[s], lf->lines[s], lf->alloc[s]);
		k[s] = xmalloc(st_mult(lf->lines[s] + 1, sizeof(**k)));
		for (i = 0; i < lf->lines[s]; i++) {
			struct line_info *li = &lf->block[s][i];
			uint64_t h = FNV_OFFSET;
			size_t n = 0;

			lineclass_cursor_line(&lf->side[s], lf->start[s] + i,
					      li);
			if (li->cls != LINE_CODE)
				continue;
			feed_code(lang, li, &h, &n);
			feed_code(lang, li, &whole[s], &total[s]);
			k[s][nk[s]].hash = h ^ ((uint64_t)n << 48);
			k[s][nk[s]++].at = i;
		}
		qsort(k[s], nk[s], sizeof(**k), cmp_keyed);
	}
	same = total[0] == total[1] && whole[0] == whole[1];
	for (s = 0; s < 2; s++)
		for (i = 0; i < nk[s]; i++) {
			struct line_info *li = &lf->block[s][k[s][i].at];

			if (same || same_code(k[!s], nk[!s], lf->block[!s], li,
					      k[s][i].hash))
				li->cls = LINE_COMMENT;
		}
	free(k[0]);
	free(k[1]);
	lf->ready = 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\n' || (c >= '\t' && c <= '\r');
}

/* Past the blanks and line splices (backslash, newline) at p. */
static const char *skip_layout(const char *p, const char *end)
{
	const char *q;

	for (;;) {
		while (p < end && is_space(*p))
			p++;
		if (p == end || *p != '\\')
			return p;
		for (q = p + 1; q < end && *q != '\n' && is_space(*q); q++)
			;
		if (q == end || *q != '\n')
			return p;
		p = q + 1;
	}
}

/* Past '"', blanks and '"' at p: where a string literal was split. */
static const char *split_quote(const char *p, const char *end)
{
	const char *q = p;

	if (*q != '"')
		return p;
	for (q++; q < end && is_space(*q); q++)
		;
	return q < end && *q == '"' ? q + 1 : p;
}

/*
 * Do the two sides of a C-like file differ in blanks only?  Then the
 * change is a formatter's (re-indented, re-wrapped, re-aligned), and
 * every code line it touched is layout, though a zero-context diff puts
 * a re-wrapped statement and its old lines in different hunks.  A long
 * string literal split in two and a line splice count as blanks too.  Not for
 * Python, whose indentation is code.  The comparison ends at the first
 * difference, mostly near the start of the first hunk.
 */
static int blanks_only(struct lineclass_file *lf)
{
	const struct lineclass_cursor *o = &lf->side[1], *n = &lf->side[0];
	const char *a = o->data, *b = n->data;

	if (lf->blanks_only)
		return lf->blanks_only == 2;
	lf->blanks_only = 1;
	if (n->lang != LANG_C || !a || !b)
		return 0;
	for (;;) {
		a = skip_layout(a, o->end);
		b = skip_layout(b, n->end);
		if (a == o->end || b == n->end)
			break;
		if (*a != *b) {
			/* a string literal split in two ("ab" -> "a" "b") */
			const char *a2 = split_quote(a, o->end),
				   *b2 = split_quote(b, n->end);

			if (a2 == a && b2 == b)
				break;
			a = a2;
			b = b2;
			continue;
		}
		a++;
		b++;
	}
	if (a == o->end && b == n->end)
		lf->blanks_only = 2;
	return lf->blanks_only == 2;
}

unsigned lineclass_file_line(struct lineclass_file *lf, int removed,
			     uint32_t n, size_t *code_len)
{
	int s = removed != 0;
	struct line_info li;

	if (lf->lines[0] && lf->lines[1] && n >= lf->start[s] &&
	    n - lf->start[s] < lf->lines[s]) {
		if (!lf->ready)
			read_hunk(lf);
		li = lf->block[s][n - lf->start[s]];
	} else {
		lineclass_cursor_line(&lf->side[s], n, &li);
	}
	*code_len = li.code_len;
	if (li.cls == LINE_CODE && blanks_only(lf))
		return LINE_COMMENT;
	return li.cls;
}

const struct line_info *lineclass_file_hunk_line(struct lineclass_file *lf,
						 int removed, uint32_t i,
						 unsigned *cls)
{
	int s = removed != 0;
	size_t code_len;

	if (!lf->lines[0] || !lf->lines[1] || i >= lf->lines[s])
		return NULL;
	*cls = lineclass_file_line(lf, removed, lf->start[s] + i, &code_len);
	return &lf->block[s][i];
}

const struct line_info *lineclass_file_partner(struct lineclass_file *lf,
					       int removed, uint32_t n)
{
	int s = removed != 0;
	int32_t p;

	if (!lf->lines[0] || !lf->lines[1] || n < lf->start[s] ||
	    n - lf->start[s] >= lf->lines[s])
		return NULL;
	if (!lf->ready)
		read_hunk(lf);
	if (!lf->paired) {
		pair_hunk(lf);
		lf->paired = 1;
	}
	p = lf->partner[s][n - lf->start[s]];
	return p < 0 ? NULL : &lf->block[!s][p];
}

void lineclass_file_release(struct lineclass_file *lf)
{
	free(lf->block[0]);
	free(lf->block[1]);
	free(lf->partner[0]);
	free(lf->partner[1]);
	memset(lf, 0, sizeof(*lf));
}

/* ---- a line alone ------------------------------------------------ */

static int is_directive(const char *s, size_t len)
{
	static const char *const words[] = {
		"if", "elif", "ifdef", "ifndef", "else", "endif", "define",
		"undef", "include", "pragma", "error", NULL
	};
	size_t i = 0, k, w;

	while (i < len && is_blank(s[i]))
		i++;
	for (w = 0; words[w]; w++) {
		k = strlen(words[w]);
		if (len - i >= k && !memcmp(s + i, words[w], k) &&
		    (len - i == k || !is_ident(s[i + k])))
			return 1;
	}
	return 0;
}

unsigned lineclass_alone(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && is_blank(text[i]))
		i++;
	if (i == len)
		return LINE_BLANK;
	len -= i;
	text += i;
	if ((len >= 2 && text[0] == '/' && (text[1] == '/' || text[1] == '*'))
	    || (text[0] == '*' && (len == 1 || text[1] == ' ' ||
				   text[1] == '/' || text[1] == '\t')))
		return LINE_COMMENT;
	if (text[0] == '#')
		return is_directive(text + 1, len - 1) ? LINE_CODE
						       : LINE_COMMENT;
	if (len >= 3 && (!memcmp(text, "\"\"\"", 3) || !memcmp(text, "'''", 3)))
		return LINE_DOCSTRING;
	return LINE_CODE;
}
