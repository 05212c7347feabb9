/*
 * unit-esc: escaping of untrusted text (src/esc.h).  Fixed cases for each
 * escaper (controls, ESC sequences, bidi overrides, invalid UTF-8, NULs,
 * markup, long strings), then properties checked over every byte value
 * and a few thousand random strings: nothing a terminal acts on gets
 * through, the formats that must be valid UTF-8 are, and JSON output
 * parses back to the input (invalid bytes read as Latin-1).
 *
 * The UTF-8 and JSON checkers here are written independently of esc.c
 * (bit patterns and code point limits, not esc.c's byte ranges), so the
 * module is not judged by its own reading of UTF-8.
 */
#include "config.h"
#include "buf.h"
#include "esc.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void (*escaper)(struct buf *, const char *, size_t);

/* The escape of len bytes of s by fn, in a static buf, as a C string. */
static const char *run(escaper fn, const char *s, size_t len)
{
	static struct buf b = BUF_INIT;

	if (!s) {
		buf_release(&b);
		return NULL;
	}
	buf_reset(&b);
	fn(&b, s, len);
	return b.ptr;
}

#define ESC(fn, lit) run((fn), (lit), sizeof(lit) - 1)

/*
 * The oracle: decodes one UTF-8 sequence by its bit patterns; returns its
 * length and sets *cp, or 0 when the bytes are not a valid sequence.
 */
static size_t oracle_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, i;
	uint32_t c;

	if (!len)
		return 0;
	if (!(s[0] & 0x80))
		n = 1, c = s[0];
	else if ((s[0] & 0xE0) == 0xC0)
		n = 2, c = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3, c = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

static void put_utf8(struct buf *b, uint32_t c)
{
	if (c < 0x80) {
		buf_addch(b, (int)c);
	} else if (c < 0x800) {
		buf_addch(b, (int)(0xC0 | c >> 6));
		buf_addch(b, (int)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		buf_addch(b, (int)(0xE0 | c >> 12));
		buf_addch(b, (int)(0x80 | (c >> 6 & 0x3F)));
		buf_addch(b, (int)(0x80 | (c & 0x3F)));
	} else {
		buf_addch(b, (int)(0xF0 | c >> 18));
		buf_addch(b, (int)(0x80 | (c >> 12 & 0x3F)));
		buf_addch(b, (int)(0x80 | (c >> 6 & 0x3F)));
		buf_addch(b, (int)(0x80 | (c & 0x3F)));
	}
}

/* What esc.h says invalid UTF-8 reads as where output must be UTF-8. */
static void latin1_reading(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		n = oracle_decode(p + i, len - i, &c);
		if (!n) {
			put_utf8(b, p[i]);
			i++;
		} else {
			buf_add(b, p + i, n);
			i += n;
		}
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_u4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int h = hexval((unsigned char)s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 0;
}

/*
 * RFC 8259 string: parses the whole of s as one JSON string and appends
 * its value (UTF-8) to val; -1 when s is not exactly one valid string.
 */
static int json_string(const char *s, size_t len, struct buf *val)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 1, n;
	uint32_t c, lo;

	if (len < 2 || s[0] != '"')
		return -1;
	while (i < len) {
		if (p[i] == '"')
			return i + 1 == len ? 0 : -1;
		if (p[i] < 0x20)
			return -1;
		if (p[i] != '\\') {
			n = oracle_decode(p + i, len - i, &c);
			if (!n)
				return -1;
			buf_add(val, p + i, n);
			i += n;
			continue;
		}
		if (++i >= len)
			return -1;
		switch (p[i]) {
		case '"': case '\\': case '/':
			buf_addch(val, p[i]);
			break;
		case 'b': buf_addch(val, '\b'); break;
		case 'f': buf_addch(val, '\f'); break;
		case 'n': buf_addch(val, '\n'); break;
		case 'r': buf_addch(val, '\r'); break;
		case 't': buf_addch(val, '\t'); break;
		case 'u':
			if (i + 4 >= len || read_u4(s + i + 1, &c))
				return -1;
			i += 4;
			if (c >= 0xDC00 && c <= 0xDFFF)
				return -1;
			if (c >= 0xD800 && c <= 0xDBFF) {
				if (i + 6 >= len || s[i + 1] != '\\' ||
				    s[i + 2] != 'u' ||
				    read_u4(s + i + 3, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				c = 0x10000 + ((c - 0xD800) << 10) +
				    (lo - 0xDC00);
				i += 6;
			}
			put_utf8(val, c);
			break;
		default:
			return -1;
		}
		i++;
	}
	return -1;
}

/*
 * Nothing a terminal acts on: valid UTF-8 without C0 (but the allowed
 * ones), DEL, C1 or bidi controls.
 */
static int terminal_safe(const char *s, size_t len, const char *allowed)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		n = oracle_decode(p + i, len - i, &c);
		if (!n)
			return 0;
		if (c < 0x20 && !(c && strchr(allowed, (int)c)))
			return 0;
		if ((c >= 0x7F && c <= 0x9F) ||
		    (c >= 0x202A && c <= 0x202E) ||
		    (c >= 0x2066 && c <= 0x2069))
			return 0;
		i += n;
	}
	return 1;
}

static void test_utf8_len(void)
{
	static const struct {
		const char *s;
		size_t len, want;
		const char *what;
	} cases[] = {
		{ "a", 1, 1, "ASCII" },
		{ "\0", 1, 1, "NUL" },
		{ "\x7f", 1, 1, "DEL" },
		{ "\xc2\x80", 2, 2, "U+0080" },
		{ "\xc3\xa9", 2, 2, "U+00E9" },
		{ "\xdf\xbf", 2, 2, "U+07FF" },
		{ "\xe0\xa0\x80", 3, 3, "U+0800" },
		{ "\xe2\x80\xae", 3, 3, "U+202E" },
		{ "\xed\x9f\xbf", 3, 3, "U+D7FF" },
		{ "\xee\x80\x80", 3, 3, "U+E000" },
		{ "\xef\xbf\xbf", 3, 3, "U+FFFF" },
		{ "\xf0\x90\x80\x80", 4, 4, "U+10000" },
		{ "\xf0\x9f\x8e\x89", 4, 4, "U+1F389" },
		{ "\xf4\x8f\xbf\xbf", 4, 4, "U+10FFFF" },
		{ "", 0, 0, "no bytes" },
		{ "\x80", 1, 0, "a lone continuation byte" },
		{ "\xbf", 1, 0, "a lone 0xbf" },
		{ "\xc0\x80", 2, 0, "overlong NUL (C0 80)" },
		{ "\xc0\xaf", 2, 0, "overlong '/' (C0 AF)" },
		{ "\xc1\xbf", 2, 0, "overlong (C1 BF)" },
		{ "\xe0\x80\xaf", 3, 0, "overlong 3-byte '/'" },
		{ "\xe0\x9f\xbf", 3, 0, "overlong U+07FF" },
		{ "\xf0\x80\x80\xaf", 4, 0, "overlong 4-byte '/'" },
		{ "\xf0\x8f\xbf\xbf", 4, 0, "overlong U+FFFF" },
		{ "\xed\xa0\x80", 3, 0, "surrogate U+D800" },
		{ "\xed\xbf\xbf", 3, 0, "surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", 4, 0, "U+110000" },
		{ "\xf5\x80\x80\x80", 4, 0, "lead F5" },
		{ "\xf8\x88\x80\x80\x80", 5, 0, "a 5-byte form" },
		{ "\xfe", 1, 0, "FE" },
		{ "\xff", 1, 0, "FF" },
		{ "\xc3", 1, 0, "a 2-byte lead cut short" },
		{ "\xc3\xa9", 1, 0, "a 2-byte sequence beyond len" },
		{ "\xe2\x80", 2, 0, "a 3-byte sequence cut short" },
		{ "\xf0\x9f\x8e", 3, 0, "a 4-byte sequence cut short" },
		{ "\xc3(", 2, 0, "a lead then ASCII" },
		{ "\xe2(\xae", 3, 0, "ASCII inside a 3-byte form" },
		{ "\xf0\x9f\x8e(", 4, 0, "ASCII ending a 4-byte form" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		is_int(esc_utf8_len((const unsigned char *)cases[i].s,
				    cases[i].len),
		       cases[i].want, "utf8_len: %s", cases[i].what);
}

/* Every 1-3 byte string, and a slice of 4-byte ones, against the oracle. */
static void test_utf8_exhaustive(void)
{
	static const unsigned char tails[] = {
		0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
		0xff
	};
	unsigned char s[4];
	size_t bad = 0, valid = 0, n;
	uint32_t a, b, c, d, cp;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				n = oracle_decode(s, 3, &cp);
				if (esc_utf8_len(s, 3) != n && bad++ < 3)
					diag("%02x %02x %02x: %zu, want %zu",
					     a, b, c, esc_utf8_len(s, 3), n);
				valid += n == 3;
			}
	/* the 3-byte code points: U+0800-U+FFFF less the surrogates */
	is_int(valid, 0x10000 - 0x800 - 0x800, "count of valid 3-byte forms");
	for (a = 0xe0; a < 0x100; a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < sizeof(tails); c++)
				for (d = 0; d < sizeof(tails); d++) {
					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = tails[c];
					s[3] = tails[d];
					n = oracle_decode(s, 4, &cp);
					if (esc_utf8_len(s, 4) != n &&
					    bad++ < 6)
						diag("%02x %02x %02x %02x",
						     s[0], s[1], s[2], s[3]);
				}
	is_int(bad, 0, "utf8_len agrees with a bit-pattern decoder");
}

static void test_text(void)
{
	is_str(ESC(esc_text, "plain ascii, (#12) <b> `x` |"),
	       "plain ascii, (#12) <b> `x` |", "text: ASCII kept");
	is_str(ESC(esc_text, "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac "
			     "\xf0\x9f\x8e\x89"),
	       "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89",
	       "text: valid UTF-8 kept");
	is_str(ESC(esc_text, "a\tb\nc\rd"), "a\\tb\\nc\\rd",
	       "text: tab, newline, CR");
	is_str(ESC(esc_text, "\x1b[31mred\x1b[0m"), "\\e[31mred\\e[0m",
	       "text: colour sequence");
	is_str(ESC(esc_text, "\x1b]0;owned\x07"), "\\e]0;owned\\x07",
	       "text: retitle sequence");
	is_str(ESC(esc_text, "\x1b[2J\x1b[H"), "\\e[2J\\e[H",
	       "text: clear screen");
	is_str(ESC(esc_text, "a\0b"), "a\\x00b", "text: NUL");
	is_str(ESC(esc_text, "\x01\x08\x7f"), "\\x01\\x08\\x7f",
	       "text: C0 and DEL");
	is_str(ESC(esc_text, "\xc2\x9b" "31m"), "\\u{009b}31m",
	       "text: C1 CSI");
	is_str(ESC(esc_text, "\xc2\x85"), "\\u{0085}", "text: C1 NEL");
	is_str(ESC(esc_text, "\xc2\xa0"), "\xc2\xa0", "text: U+00A0 kept");
	is_str(ESC(esc_text, "if (a \xe2\x80\xae } \xe2\x81\xa6 x"),
	       "if (a \\u{202e} } \\u{2066} x", "text: bidi override");
	is_str(ESC(esc_text, "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac"
			     "\xe2\x80\xad\xe2\x81\xa7\xe2\x81\xa8"
			     "\xe2\x81\xa9"),
	       "\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{2067}\\u{2068}"
	       "\\u{2069}", "text: every bidi control");
	is_str(ESC(esc_text, "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5"),
	       "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5",
	       "text: neighbours of the bidi ranges kept");
	is_str(ESC(esc_text, "\xff\xfe"), "\\xff\\xfe", "text: invalid bytes");
	is_str(ESC(esc_text, "caf\xe9"), "caf\\xe9", "text: Latin-1 input");
	is_str(ESC(esc_text, "\xc3("), "\\xc3(", "text: a cut sequence");
	is_str(ESC(esc_text, "\xc0\xaf"), "\\xc0\\xaf", "text: overlong");
	is_str(ESC(esc_text, "\xed\xa0\x80"), "\\xed\\xa0\\x80",
	       "text: surrogate");
	is_str(ESC(esc_text, "\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80",
	       "text: above U+10FFFF");
	is_str(ESC(esc_text, "x\xf0\x9f\x8e"), "x\\xf0\\x9f\\x8e",
	       "text: a 4-byte form cut at the end");
	is_str(ESC(esc_text, "a\\x1bb"), "a\\x1bb", "text: backslash kept");
	is_str(ESC(esc_text, ""), "", "text: empty");
}

static void test_json(void)
{
	is_str(ESC(esc_json, "plain"), "\"plain\"", "json: plain");
	is_str(ESC(esc_json, ""), "\"\"", "json: empty");
	is_str(ESC(esc_json, "say \"hi\" \\ bye"),
	       "\"say \\\"hi\\\" \\\\ bye\"", "json: quotes and backslash");
	is_str(ESC(esc_json, "\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"",
	       "json: short escapes");
	is_str(ESC(esc_json, "a\0b\x01\x1b[1m\x1f"),
	       "\"a\\u0000b\\u0001\\u001b[1m\\u001f\"", "json: C0 as \\u");
	is_str(ESC(esc_json, "\x7f\xc2\x9b\xe2\x80\xae\xe2\x81\xa9"),
	       "\"\\u007f\\u009b\\u202e\\u2069\"", "json: DEL, C1, bidi");
	is_str(ESC(esc_json, "\xe2\x80\xa8\xe2\x80\xa9"),
	       "\"\\u2028\\u2029\"", "json: line/paragraph separators");
	is_str(ESC(esc_json, "\xe6\x97\xa5\xf0\x9f\x8e\x89"),
	       "\"\xe6\x97\xa5\xf0\x9f\x8e\x89\"", "json: UTF-8 kept");
	is_str(ESC(esc_json, "caf\xe9 \xff"), "\"caf\xc3\xa9 \xc3\xbf\"",
	       "json: invalid bytes read as Latin-1");
	is_str(ESC(esc_json, "\x85\x9f\xa0"), "\"\\u0085\\u009f\xc2\xa0\"",
	       "json: invalid 0x80-0x9f are C1, escaped");
	is_str(ESC(esc_json, "\xc0\xaf"), "\"\xc3\x80\xc2\xaf\"",
	       "json: overlong read as Latin-1");
	is_str(ESC(esc_json, "\xed\xa0\x80"), "\"\xc3\xad\xc2\xa0\\u0080\"",
	       "json: surrogate bytes read as Latin-1");
	is_str(ESC(esc_json, "</script><!--"), "\"</script><!--\"",
	       "json: markup is data");
	is_str(ESC(esc_json, "/ and \\/"), "\"/ and \\\\/\"",
	       "json: slash kept");
}

static void test_csv(void)
{
	is_str(ESC(esc_csv, "plain"), "plain", "csv: plain unquoted");
	is_str(ESC(esc_csv, ""), "", "csv: empty");
	is_str(ESC(esc_csv, "a,b"), "\"a,b\"", "csv: comma quoted");
	is_str(ESC(esc_csv, "say \"hi\""), "\"say \"\"hi\"\"\"",
	       "csv: quotes doubled");
	is_str(ESC(esc_csv, "l1\nl2"), "\"l1\nl2\"", "csv: LF kept, quoted");
	is_str(ESC(esc_csv, "l1\r\nl2"), "\"l1\r\nl2\"",
	       "csv: CRLF kept, quoted");
	is_str(ESC(esc_csv, "a\tb"), "a\tb", "csv: inner tab kept");
	is_str(ESC(esc_csv, " lead"), "\" lead\"", "csv: leading space");
	is_str(ESC(esc_csv, "trail "), "\"trail \"", "csv: trailing space");
	is_str(ESC(esc_csv, "\ttab"), "\"\ttab\"", "csv: leading tab");
	is_str(ESC(esc_csv, "\x1b[2Jx"), "\\e[2Jx", "csv: ESC escaped");
	is_str(ESC(esc_csv, "a\0b\x7f"), "a\\x00b\\x7f", "csv: NUL and DEL");
	is_str(ESC(esc_csv, "\xc2\x9b\xe2\x80\xae"), "\\u{009b}\\u{202e}",
	       "csv: C1 and bidi");
	is_str(ESC(esc_csv, "caf\xe9"), "caf\\xe9", "csv: invalid as \\xNN");
	is_str(ESC(esc_csv, "\x1b,\""), "\"\\e,\"\"\"",
	       "csv: escape inside a quoted field");
	is_str(ESC(esc_csv, "=1+1"), "=1+1",
	       "csv: formulas left alone (NEEDSWORK in esc.c)");
}

static void test_html(void)
{
	is_str(ESC(esc_html, "<script>alert('x')</script>"),
	       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
	       "html: script");
	is_str(ESC(esc_html, "a & b \"c\""), "a &amp; b &quot;c&quot;",
	       "html: ampersand and quotes");
	is_str(ESC(esc_html, "&amp;&#x202e;"), "&amp;amp;&amp;#x202e;",
	       "html: entities are text");
	is_str(ESC(esc_html, "\" onmouseover=\"x"),
	       "&quot; onmouseover=&quot;x", "html: attribute break-out");
	is_str(ESC(esc_html, "\x1b[31m\t\n\0"), "\\e[31m\\t\\n\\x00",
	       "html: controls as in text");
	is_str(ESC(esc_html, "\xc2\x85\xe2\x80\xae"), "\\u{0085}\\u{202e}",
	       "html: C1 and bidi");
	is_str(ESC(esc_html, "caf\xe9"), "caf\xc3\xa9",
	       "html: invalid byte read as Latin-1");
	is_str(ESC(esc_html, "\x85"), "\\x85",
	       "html: invalid 0x80-0x9f shown as \\xNN");
	is_str(ESC(esc_html, "\xe6\x97\xa5 | `x` *y*"),
	       "\xe6\x97\xa5 | `x` *y*", "html: other text kept");
}

static void test_md(void)
{
	is_str(ESC(esc_md, "plain text, (#12)"), "plain text, (\\#12)",
	       "md: # escaped");
	is_str(ESC(esc_md, "*b* _i_ `c` [l](u) <b> a|b \\ ~s~ &amp;"),
	       "\\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) \\<b\\> a\\|b \\\\ "
	       "\\~s\\~ \\&amp;", "md: inline syntax escaped");
	is_str(ESC(esc_md, "<script>x</script>"),
	       "\\<script\\>x\\</script\\>", "md: script");
	is_str(ESC(esc_md, "- item"), "\\- item", "md: leading -");
	is_str(ESC(esc_md, "+ item"), "\\+ item", "md: leading +");
	is_str(ESC(esc_md, "!x"), "\\!x", "md: leading !");
	is_str(ESC(esc_md, "  - item"), "  \\- item", "md: - after blanks");
	is_str(ESC(esc_md, "a - b + c !"), "a - b + c !",
	       "md: inner - + ! kept");
	is_str(ESC(esc_md, "1. first"), "1\\. first", "md: leading 1.");
	is_str(ESC(esc_md, "12) x"), "12\\) x", "md: leading 12)");
	is_str(ESC(esc_md, "10."), "10\\.", "md: a lone 10.");
	is_str(ESC(esc_md, "1.5x faster"), "1.5x faster",
	       "md: a number is not a list");
	is_str(ESC(esc_md, "\n- x"), " \\- x", "md: - after a newline");
	is_str(ESC(esc_md, "1.\nfoo"), "1\\. foo", "md: 1. before a newline");
	is_str(ESC(esc_md, "   x"), "   x", "md: three leading spaces kept");
	is_str(ESC(esc_md, "        if (x)"), "&#32;       if (x)",
	       "md: four leading spaces cannot make a code block");
	is_str(ESC(esc_md, "\r\n\r\n|"), "&#32;   \\|",
	       "md: nor can leading newlines");
	is_str(ESC(esc_md, "a\nb"), "a b", "md: newline as space");
	is_str(ESC(esc_md, "a\r\nb"), "a  b", "md: CRLF as spaces");
	is_str(ESC(esc_md, "\x1b[31m"), "\\\\e\\[31m",
	       "md: ESC shown, its backslash escaped");
	is_str(ESC(esc_md, "a\tb\0"), "a\\\\tb\\\\x00", "md: tab and NUL");
	is_str(ESC(esc_md, "\xe2\x80\xae\xc2\x9b"), "\\\\u{202e}\\\\u{009b}",
	       "md: bidi and C1");
	is_str(ESC(esc_md, "caf\xe9"), "caf\\\\xe9", "md: invalid byte");
	is_str(ESC(esc_md, "\xe6\x97\xa5\xe6\x9c\xac"),
	       "\xe6\x97\xa5\xe6\x9c\xac", "md: UTF-8 kept");
}

static void test_md_code(void)
{
	char ticks[200];
	const char *got;
	size_t len;

	is_str(ESC(esc_md_code, "abc"), "`abc`", "code: plain");
	is_str(ESC(esc_md_code, "a`b"), "``a`b``", "code: a backtick");
	is_str(ESC(esc_md_code, "a``b`c"), "```a``b`c```",
	       "code: fence beats the longest run");
	is_str(ESC(esc_md_code, "`"), "`` ` ``", "code: only a backtick");
	is_str(ESC(esc_md_code, "``x"), "``` ``x ```",
	       "code: leading backticks padded");
	is_str(ESC(esc_md_code, " x "), "`  x  `", "code: edge spaces kept");
	is_str(ESC(esc_md_code, "x "), "` x  `", "code: trailing space");
	is_str(ESC(esc_md_code, "   "), "`   `", "code: all spaces");
	is_str(ESC(esc_md_code, ""), "` `", "code: empty");
	is_str(ESC(esc_md_code, "a\nb\r\nc"), "`a b  c`",
	       "code: newlines as spaces");
	is_str(ESC(esc_md_code, "\nx"), "`  x `", "code: leading newline");
	is_str(ESC(esc_md_code, "\x1b[2J\0\t"), "`\\e[2J\\x00\\t`",
	       "code: controls as in text");
	is_str(ESC(esc_md_code, "\xe2\x80\xae\xff"), "`\\u{202e}\\xff`",
	       "code: bidi and invalid");
	is_str(ESC(esc_md_code, "*a* | <b> \\"), "`*a* | <b> \\`",
	       "code: markdown is literal");

	memset(ticks, '`', sizeof(ticks));
	got = run(esc_md_code, ticks, 100);
	len = strlen(got);
	ok(len == 101 + 1 + 100 + 1 + 101 && got[101] == ' ' &&
	   got[len - 102] == ' ', "code: 100 backticks, fence of 101");
}

/* Each escaper leaves a capped buf as it was when its output won't fit. */
static void test_cap(void)
{
	static const escaper fns[] = {
		esc_text, esc_json, esc_csv, esc_html, esc_md, esc_md_code
	};
	static const char *names[] = {
		"text", "json", "csv", "html", "md", "md_code"
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(*fns); i++) {
		struct buf b;

		buf_init(&b, 8);
		buf_addstr(&b, "X");
		fns[i](&b, "a,\"\x1b\xff<`b", 8);
		ok(b.len == 1 && !strcmp(b.ptr, "X"),
		   "%s: all or nothing at the cap", names[i]);
		fns[i](&b, "ab", 2);
		ok(b.len > 1 && b.len <= 8, "%s: fits under the cap",
		   names[i]);
		buf_release(&b);
	}
}

/* A tiny deterministic generator: the same strings on every machine. */
static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Random bytes, weighted towards what escapers must care about. */
static size_t random_string(char *s, size_t max)
{
	static const char *pieces[] = {
		"\x1b[31m", "\xe2\x80\xae", "\xe2\x81\xa6", "\xc2\x9b", "\0",
		"\r\n", "\t", "<script>", "</a>", "&amp;", "\"", "'", "`",
		"``", "|", "\\", ",", "#", "- ", "1. ", "*", "_", "[", "]",
		"\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x8e\x89", "\xc0\xaf",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80", "\xc3",
		"\xe2\x80", "\xf0\x9f", "\x7f", "\xe2\x80\xa8", " ", "a",
		"\x85", "\xa0"
	};
	static const size_t plen[] = {
		5, 3, 3, 2, 1, 2, 1, 8, 4, 5, 1, 1, 1, 2, 1, 1, 1, 1, 2, 3,
		1, 1, 1, 1, 2, 3, 4, 2, 3, 4, 1, 1, 1, 2, 2, 1, 3, 1, 1, 1,
		1
	};
	size_t n = 0, k, want = rng() % max;

	while (n < want) {
		if (rng() % 3) {
			k = rng() % (sizeof(pieces) / sizeof(*pieces));
			if (n + plen[k] > max)
				break;
			memcpy(s + n, pieces[k], plen[k]);
			n += plen[k];
		} else {
			s[n++] = (char)(rng() & 0xff);
		}
	}
	return n;
}

/* CSV: one field, quoted with inner quotes doubled, or no quote at all. */
static int csv_field_ok(const char *s, size_t len)
{
	size_t i;

	if (len && s[0] == '"') {
		if (len < 2 || s[len - 1] != '"')
			return 0;
		for (i = 1; i < len - 1; i++)
			if (s[i] == '"' && s[++i] != '"')
				return 0;
		return i == len - 1;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '"' || s[i] == ',' || s[i] == '\n' || s[i] == '\r')
			return 0;
	return 1;
}

/* HTML: no < > " ' and every & starts one of the entities we write. */
static int html_ok(const char *s, size_t len)
{
	static const char *ents[] = {
		"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"
	};
	size_t i, k;

	for (i = 0; i < len; i++) {
		if (strchr("<>\"'", s[i]) && s[i])
			return 0;
		if (s[i] != '&')
			continue;
		for (k = 0; k < 5; k++)
			if (!strncmp(s + i, ents[k], strlen(ents[k])))
				break;
		if (k == 5)
			return 0;
	}
	return 1;
}

/*
 * Markdown: no unescaped special character, no line break, no four
 * leading spaces (an indented code block).
 */
static int md_ok(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 4 && !strncmp(s, "    ", 4))
		return 0;
	if (len >= 5 && !strncmp(s, "&#32;", 5))
		i = 5;
	for (; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r')
			return 0;
		if (s[i] == '\\') {
			i++;
			if (i == len || !strchr("\\`*_[]<>|#&~-+!.)", s[i]))
				return 0;
			continue;
		}
		if (s[i] && strchr("`*_[]<>|#&~", s[i]))
			return 0;
	}
	return 1;
}

static void test_properties(void)
{
	struct buf out = BUF_INIT, val = BUF_INIT, want = BUF_INIT;
	size_t i, bad_json = 0, bad_text = 0, bad_csv = 0, bad_html = 0;
	size_t bad_md = 0, bad_code = 0, bad_grow = 0;
	char s[300];

	for (i = 0; i < 20000; i++) {
		size_t len = i < 256 ? 1 : random_string(s, sizeof(s));

		if (i < 256)
			s[0] = (char)i;	/* every single byte first */

		buf_reset(&out);
		buf_reset(&val);
		buf_reset(&want);
		esc_json(&out, s, len);
		latin1_reading(&want, s, len);
		if (json_string(out.ptr, out.len, &val) ||
		    val.len != want.len ||
		    memcmp(val.ptr, want.ptr, val.len) ||
		    !terminal_safe(out.ptr, out.len, ""))
			if (bad_json++ < 3)
				diag("json of case %zu: %s", i, out.ptr);

		buf_reset(&out);
		esc_text(&out, s, len);
		if (!terminal_safe(out.ptr, out.len, "") ||
		    strlen(out.ptr) != out.len)
			bad_text++;

		buf_reset(&out);
		esc_csv(&out, s, len);
		if (!terminal_safe(out.ptr, out.len, "\t\r\n") ||
		    !csv_field_ok(out.ptr, out.len))
			if (bad_csv++ < 3)
				diag("csv of case %zu: %s", i, out.ptr);

		buf_reset(&out);
		esc_html(&out, s, len);
		if (!terminal_safe(out.ptr, out.len, "") ||
		    !html_ok(out.ptr, out.len))
			bad_html++;

		buf_reset(&out);
		esc_md(&out, s, len);
		if (!terminal_safe(out.ptr, out.len, "") ||
		    !md_ok(out.ptr, out.len))
			if (bad_md++ < 3)
				diag("md of case %zu: %s", i, out.ptr);

		buf_reset(&out);
		esc_md_code(&out, s, len);
		if (!terminal_safe(out.ptr, out.len, "") ||
		    out.len < 2 || out.ptr[0] != '`' ||
		    out.ptr[out.len - 1] != '`')
			bad_code++;

		/* appending keeps what was there */
		buf_reset(&out);
		buf_addstr(&out, "keep");
		esc_text(&out, s, len);
		if (strncmp(out.ptr, "keep", 4))
			bad_grow++;
	}
	is_int(bad_json, 0, "json: valid, parses back to the input");
	is_int(bad_text, 0, "text: nothing for the terminal, no NUL");
	is_int(bad_csv, 0, "csv: one well-formed field, safe");
	is_int(bad_html, 0, "html: no markup, valid UTF-8, safe");
	is_int(bad_md, 0, "md: no unescaped syntax, one line, safe");
	is_int(bad_code, 0, "md_code: one code span, safe");
	is_int(bad_grow, 0, "escapers append");
	buf_release(&out);
	buf_release(&val);
	buf_release(&want);
}

static void test_long(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT, val = BUF_INIT;
	size_t i;

	for (i = 0; i < 100000; i++)
		buf_add(&in, "\x1b\xe2\x80\xae" "a\xff", 6);

	esc_text(&out, in.ptr, in.len);
	is_int(out.len, 100000 * (2 + 8 + 1 + 4), "text: 600 KB escaped");
	ok(terminal_safe(out.ptr, out.len, ""), "text: long output safe");

	buf_reset(&out);
	esc_json(&out, in.ptr, in.len);
	ok(!json_string(out.ptr, out.len, &val), "json: long output valid");
	is_int(val.len, 100000 * (1 + 3 + 1 + 2), "json: long value intact");

	buf_reset(&out);
	esc_md_code(&out, in.ptr, in.len);
	ok(out.len > in.len && out.ptr[0] == '`', "md_code: long input");

	buf_reset(&in);
	for (i = 0; i < 1000000; i++)
		buf_addch(&in, 'a' + (int)(i % 26));
	buf_reset(&out);
	esc_html(&out, in.ptr, in.len);
	ok(out.len == in.len && !memcmp(out.ptr, in.ptr, in.len),
	   "html: 1 MB of plain text passes as one run");
	buf_release(&in);
	buf_release(&out);
	buf_release(&val);
}

int main(void)
{
	test_utf8_len();
	test_utf8_exhaustive();
	test_text();
	test_json();
	test_csv();
	test_html();
	test_md();
	test_md_code();
	test_cap();
	test_properties();
	test_long();
	run(NULL, NULL, 0);
	return done_testing();
}
