/*
 * esc.c: escaping of untrusted text for each output (see esc.h).
 *
 * The input is cut into units: a valid UTF-8 sequence (one code point) or,
 * where none starts, a single invalid byte.  Each escaper decides per unit
 * whether it passes through; runs of units that pass are appended in one
 * go.  What counts as a control is the same everywhere (is_control()); only
 * how it is written differs.
 *
 * Each function appends all or nothing: when the buf's cap refuses an
 * append part way, the buf is put back to its length on entry, so a report
 * never holds half an escape or a JSON string without its closing quote.
 *
 * Left to callers: choosing the escaper, cutting long lines, and what the
 * surrounding syntax is (a markdown table or list, an HTML element).
 */
#include "config.h"
#include "esc.h"
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * RFC 3629: the second byte is narrowed after E0 (overlong), ED
 * (surrogates D800-DFFF), F0 (overlong) and F4 (above U+10FFFF); C0, C1
 * and F5-FF never start a sequence.
 */
size_t esc_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c, lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (!len)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		n = 2;
	} else if (c < 0xF0) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* One unit of input: a code point, or a byte that starts no sequence. */
struct unit {
	uint32_t cp;		/* the code point, or the invalid byte */
	size_t len;		/* bytes it takes, >= 1 */
	int invalid;
};

static void next_unit(struct unit *u, const unsigned char *s, size_t len)
{
	size_t n = esc_utf8_len(s, len);
	uint32_t cp;
	size_t i;

	if (!n) {
		u->cp = s[0];
		u->len = 1;
		u->invalid = 1;
		return;
	}
	cp = n == 1 ? s[0] : s[0] & (0x7F >> n);
	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	u->cp = cp;
	u->len = n;
	u->invalid = 0;
}

/*
 * What no output may carry raw: C0 controls, DEL, C1 controls (a terminal
 * reads U+009B as CSI) and the bidi overrides and isolates, which reorder
 * what follows them on screen ("Trojan Source", CVE-2021-42574).
 */
static int is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static const char hex[] = "0123456789abcdef";

static char named_escape(uint32_t c)
{
	switch (c) {
	case '\t': return 't';
	case '\n': return 'n';
	case '\r': return 'r';
	case 0x1B: return 'e';
	}
	return 0;
}

/*
 * The esc_text form of a unit that is_control() or invalid: \t \n \r \e,
 * \xNN for a byte (C0, DEL, invalid), \u{NNNN} for a code point, so that
 * an invalid byte 0x85 (\x85) and a real U+0085 (\u{0085}) stay apart.
 * With md set, the backslash is doubled so markdown shows it.
 */
static int add_text_escape(struct buf *out, uint32_t c, int invalid, int md)
{
	char e[16], name = invalid ? 0 : named_escape(c);
	size_t n = 0;

	e[n++] = '\\';
	if (md)
		e[n++] = '\\';
	if (name) {
		e[n++] = name;
	} else if (invalid || c < 0x80) {
		e[n++] = 'x';
		e[n++] = hex[(c >> 4) & 0xF];
		e[n++] = hex[c & 0xF];
	} else {
		e[n++] = 'u';
		e[n++] = '{';
		e[n++] = hex[(c >> 12) & 0xF];
		e[n++] = hex[(c >> 8) & 0xF];
		e[n++] = hex[(c >> 4) & 0xF];
		e[n++] = hex[c & 0xF];
		e[n++] = '}';
	}
	return buf_add(out, e, n);
}

/* U+0000-U+00FF as UTF-8: how an invalid byte is read as Latin-1. */
static int add_latin1(struct buf *out, unsigned char b)
{
	char u[2];

	if (b < 0x80)
		return buf_addch(out, b);
	u[0] = (char)(0xC0 | (b >> 6));
	u[1] = (char)(0x80 | (b & 0x3F));
	return buf_add(out, u, 2);
}

/*
 * The walk shared by every escaper.  A unit_fn is asked about each unit
 * first with out == NULL: 1 keeps the unit as it is (runs of kept units
 * are appended in one go), 0 means it has a form of its own, which it then
 * appends when asked again with the buf (0, or -1 when the buf refused).
 */
typedef int (*unit_fn)(struct buf *out, const struct unit *u, size_t pos,
		       void *payload);

static int walk(struct buf *out, const char *s, size_t len, unit_fn esc,
		void *payload)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < len) {
		struct unit u;
		int r;

		next_unit(&u, p + i, len - i);
		r = esc(NULL, &u, i, payload);
		if (r == 1) {
			i += u.len;
			continue;
		}
		if (buf_add(out, s + run, i - run) < 0 ||
		    esc(out, &u, i, payload) < 0)
			return -1;
		i += u.len;
		run = i;
	}
	return buf_add(out, s + run, i - run);
}

static int text_unit(struct buf *out, const struct unit *u, size_t pos,
		     void *payload)
{
	(void)pos;
	(void)payload;
	if (!u->invalid && !is_control(u->cp))
		return 1;
	if (!out)
		return 0;
	return add_text_escape(out, u->cp, u->invalid, 0);
}

/* Runs fn over s; on failure puts out back as it was on entry. */
static void escape(struct buf *out, const char *pre, const char *s,
		   size_t len, unit_fn fn, void *payload, const char *post)
{
	size_t start = out->len;

	if (buf_addstr(out, pre) < 0 || walk(out, s, len, fn, payload) < 0 ||
	    buf_addstr(out, post) < 0)
		buf_setlen(out, start);
}

void esc_text(struct buf *out, const char *s, size_t len)
{
	escape(out, "", s, len, text_unit, NULL, "");
}

/*
 * JSON: the escapes of RFC 8259, \u00NN for other C0 controls, and \uNNNN
 * for DEL, C1, the bidi controls and U+2028/U+2029 (valid JSON, but not
 * valid JavaScript before ES2019, and a report may be pasted into a
 * script).  An invalid byte becomes its Latin-1 code point, escaped too
 * when that is a C1 control.
 */
static int json_unit(struct buf *out, const struct unit *u, size_t pos,
		     void *payload)
{
	uint32_t c = u->cp;
	char e[8];

	(void)pos;
	(void)payload;
	if (u->invalid) {
		if (!out)
			return 0;
		if (c >= 0xA0)
			return add_latin1(out, (unsigned char)c);
	} else if (!is_control(c) && c != '"' && c != '\\' &&
		   c != 0x2028 && c != 0x2029) {
		return 1;
	}
	if (!out)
		return 0;
	switch (c) {
	case '"': return buf_addstr(out, "\\\"");
	case '\\': return buf_addstr(out, "\\\\");
	case '\b': return buf_addstr(out, "\\b");
	case '\f': return buf_addstr(out, "\\f");
	case '\n': return buf_addstr(out, "\\n");
	case '\r': return buf_addstr(out, "\\r");
	case '\t': return buf_addstr(out, "\\t");
	}
	e[0] = '\\';
	e[1] = 'u';
	e[2] = hex[(c >> 12) & 0xF];
	e[3] = hex[(c >> 8) & 0xF];
	e[4] = hex[(c >> 4) & 0xF];
	e[5] = hex[c & 0xF];
	return buf_add(out, e, 6);
}

void esc_json(struct buf *out, const char *s, size_t len)
{
	escape(out, "\"", s, len, json_unit, NULL, "\"");
}

/*
 * CSV: CR, LF and TAB are data a quoted field holds as they are; other
 * controls and invalid bytes are written as esc_text writes them.
 *
 * NEEDSWORK: a field starting with = + - @ is a formula to a spreadsheet
 * ("CSV injection").  It is left alone because changing it would change
 * the data for every other reader; a report that is meant for
 * spreadsheets could prefix such fields with a quote.
 */
static int csv_unit(struct buf *out, const struct unit *u, size_t pos,
		    void *payload)
{
	uint32_t c = u->cp;

	(void)pos;
	(void)payload;
	if (!u->invalid && c == '"')
		return out ? buf_addstr(out, "\"\"") : 0;
	if (!u->invalid &&
	    (!is_control(c) || c == '\r' || c == '\n' || c == '\t'))
		return 1;
	if (!out)
		return 0;
	return add_text_escape(out, c, u->invalid, 0);
}

static int csv_needs_quotes(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	/* a blank at either end would be trimmed by many readers */
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t')
		return 1;
	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

void esc_csv(struct buf *out, const char *s, size_t len)
{
	const char *q = csv_needs_quotes(s, len) ? "\"" : "";

	escape(out, q, s, len, csv_unit, NULL, q);
}

/*
 * HTML: the five characters that can end text or an attribute value,
 * named; controls as esc_text writes them (character references would not
 * do: HTML maps &#x80;-&#x9F; to Windows-1252 and forbids the rest).  An
 * invalid byte is its Latin-1 character, or \xNN for 0x80-0x9F, which
 * Latin-1 reads as C1 controls.
 */
static int html_unit(struct buf *out, const struct unit *u, size_t pos,
		     void *payload)
{
	uint32_t c = u->cp;

	(void)pos;
	(void)payload;
	if (u->invalid) {
		if (!out)
			return 0;
		if (c >= 0xA0)
			return add_latin1(out, (unsigned char)c);
		return add_text_escape(out, c, 1, 0);
	}
	if (is_control(c)) {
		if (!out)
			return 0;
		return add_text_escape(out, c, 0, 0);
	}
	switch (c) {
	case '&': return out ? buf_addstr(out, "&amp;") : 0;
	case '<': return out ? buf_addstr(out, "&lt;") : 0;
	case '>': return out ? buf_addstr(out, "&gt;") : 0;
	case '"': return out ? buf_addstr(out, "&quot;") : 0;
	case '\'': return out ? buf_addstr(out, "&#39;") : 0;
	}
	return 1;
}

void esc_html(struct buf *out, const char *s, size_t len)
{
	escape(out, "", s, len, html_unit, NULL, "");
}

/*
 * Markdown (CommonMark and GitHub's tables).  Besides the characters
 * esc.h names, & is escaped (an entity such as &#x202E; would otherwise
 * become the very bidi override esc_text removes), ~ (GitHub's
 * strikethrough), and the . or ) of a leading "1. " or "1) " (an ordered
 * list when the text starts a list item, as a leading - or + is a bullet).
 * "Leading" is after any blanks and newlines, as a list item's content
 * is once the newlines are spaces.  Four leading spaces would make an
 * indented code block of a list item or a paragraph; the first is then
 * written &#32;, the same space to a reader of the rendered page.
 */
struct md_state {
	size_t lead;		/* offset of the first non-blank byte */
	size_t num_end;		/* offset after the leading digits, or 0 */
	int indent;		/* four or more leading spaces */
};

static int md_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int md_unit(struct buf *out, const struct unit *u, size_t pos,
		   void *payload)
{
	const struct md_state *st = payload;
	uint32_t c = u->cp;

	if (!pos && st->indent)
		return out ? buf_addstr(out, "&#32;") : 0;
	if (!u->invalid && (c == '\n' || c == '\r'))
		return out ? buf_addch(out, ' ') : 0;
	if (u->invalid || is_control(c)) {
		if (!out)
			return 0;
		return add_text_escape(out, c, u->invalid, 1);
	}
	if (c < 0x80 && strchr("\\`*_[]<>|#&~", (int)c))
		goto escape;
	if (pos == st->lead && (c == '-' || c == '+' || c == '!'))
		goto escape;
	if (st->num_end && pos == st->num_end && (c == '.' || c == ')'))
		goto escape;
	return 1;
escape:
	if (!out)
		return 0;
	if (buf_addch(out, '\\') < 0 || buf_addch(out, (int)c) < 0)
		return -1;
	return 0;
}

void esc_md(struct buf *out, const char *s, size_t len)
{
	struct md_state st = { 0, 0, 0 };
	size_t i;

	/* a tab is written \t, so only spaces and line ends indent */
	for (i = 0; i < len && s[i] != '\t' && md_blank(s[i]); i++)
		;
	st.indent = i >= 4;
	while (st.lead < len && md_blank(s[st.lead]))
		st.lead++;
	for (i = st.lead; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	/* "1." is a list marker only before a blank or the end: not "1.5x" */
	if (i > st.lead && i < len && (s[i] == '.' || s[i] == ')') &&
	    (i + 1 == len || md_blank(s[i + 1])))
		st.num_end = i;
	escape(out, "", s, len, md_unit, &st, "");
}

/* Inline code shows everything literally: only controls need care. */
static int md_code_unit(struct buf *out, const struct unit *u, size_t pos,
			void *payload)
{
	(void)pos;
	(void)payload;
	if (!u->invalid && (u->cp == '\n' || u->cp == '\r'))
		return out ? buf_addch(out, ' ') : 0;
	if (!u->invalid && !is_control(u->cp))
		return 1;
	if (!out)
		return 0;
	return add_text_escape(out, u->cp, u->invalid, 0);
}

static int is_code_space(char c)
{
	/* newlines become spaces, so they count as spaces at the edges */
	return c == ' ' || c == '\n' || c == '\r';
}

/*
 * CommonMark: the fence is a backtick run longer than any in the content;
 * one space is stripped from each end when both ends have one, so content
 * that starts or ends with a space or a backtick is padded with a space,
 * unless it is all spaces (never stripped).  An empty string is shown as
 * "` `": "``" would be two literal backticks.
 *
 * NEEDSWORK: in a GitHub table cell a | ends the cell even inside code;
 * there it must be written \| (which shows a backslash anywhere else), so
 * table writers should not pass a | here.
 */
void esc_md_code(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0, longest = 0, start = out->len;
	int all_space = 1, pad;
	char fence[64], *f = fence;

	for (i = 0; i < len; i++) {
		if (s[i] == '`') {
			run++;
			if (run > longest)
				longest = run;
		} else {
			run = 0;
		}
		if (!is_code_space(s[i]))
			all_space = 0;
	}
	if (!len) {
		if (buf_addstr(out, "` `") < 0)
			buf_setlen(out, start);
		return;
	}
	pad = !all_space &&
	      (s[0] == '`' || s[len - 1] == '`' ||
	       is_code_space(s[0]) || is_code_space(s[len - 1]));

	/* a fence longer than the stack copy is rare enough to allocate */
	if (st_add(longest, 3) > sizeof(fence))
		f = xmalloc(longest + 3);
	memset(f, '`', longest + 1);
	if (pad)
		f[longest + 1] = ' ';
	f[longest + 1 + pad] = '\0';
	if (buf_addstr(out, f) < 0 ||
	    walk(out, s, len, md_code_unit, NULL) < 0)
		goto fail;
	/* the closing fence: the pad first, then the backticks */
	if (pad && buf_addch(out, ' ') < 0)
		goto fail;
	f[longest + 1] = '\0';
	if (buf_addstr(out, f) < 0)
		goto fail;
	goto done;
fail:
	buf_setlen(out, start);
done:
	if (f != fence)
		free(f);
}
