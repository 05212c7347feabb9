/*
 * esc: escaping of untrusted text (commit subjects, names, paths, matched
 * lines) for each output.  Every function appends to out, takes len bytes
 * that may hold NULs and invalid UTF-8, and never drops a byte silently:
 * invalid UTF-8 is shown, each byte as \xNN in text, or read as Latin-1
 * (byte 0xNN becomes U+00NN) where the format must be valid UTF-8.
 */
#ifndef MS_ESC_H
#define MS_ESC_H

#include <stddef.h>

struct buf;

/*
 * Terminal text: C0 controls, DEL, C1 controls (U+0080-U+009F) and the
 * bidirectional overrides/isolates (U+202A-U+202E, U+2066-U+2069) become
 * \t \n \r \e or \xNN / \u{NNNN}; valid UTF-8 is kept as is.  No escape
 * sequence reaches the terminal.
 */
void esc_text(struct buf *out, const char *s, size_t len);
/* A JSON string with its quotes (RFC 8259); output is valid UTF-8. */
void esc_json(struct buf *out, const char *s, size_t len);
/* A CSV field (RFC 4180): quoted when it holds , " CR LF or leading/
 * trailing space; control characters other than CR LF TAB as in esc_text. */
void esc_csv(struct buf *out, const char *s, size_t len);
/* HTML text and attribute values: & < > " ' escaped, controls as in
 * esc_text; output is valid UTF-8. */
void esc_html(struct buf *out, const char *s, size_t len);
/* Markdown inline text: as esc_text, then the characters markdown gives
 * a meaning to (\ ` * _ [ ] < > | # and a leading - + !) backslash-escaped,
 * and newlines as spaces, so a subject cannot break a table or a list. */
void esc_md(struct buf *out, const char *s, size_t len);
/* Markdown inline code: `...` with a fence long enough for the content;
 * controls as in esc_text, newlines as spaces. */
void esc_md_code(struct buf *out, const char *s, size_t len);

/* Length of a valid UTF-8 sequence at s (1-4), or 0 when invalid. */
size_t esc_utf8_len(const unsigned char *s, size_t len);

#endif
