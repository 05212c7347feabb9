/*
 * lineclass: what a line of source text is (code, comment, docstring or
 * blank), judged from the whole file, so that a line inside a block
 * comment or a Python docstring is known as such even when a diff shows
 * it alone.  Used by the "lines" and "only-lines" rule fields
 * (mirrorscan-rules.5).
 *
 * The language comes from the file's name:
 *   C-like (.c .h .cc .cpp .cu .cuh .hpp .inl .java .js .ts .go .rs ...):
 *       // and block comments; '#' lines are preprocessor code
 *   Python (.py .pyi .pyx): '#' comments; a triple-quoted string that
 *       begins a statement is a docstring; other strings are code
 *   '#' comments (shell, CMake, YAML, TOML, Makefile, Dockerfile,
 *       requirements*.txt ...): a '#' at the start or after a blank
 *   anything else: every line that is not blank is code
 * Strings are skipped, so "//" or '#' inside one starts no comment.
 *
 * A line's code part is the line up to its trailing comment (trailing
 * blanks dropped); a line of code followed by a comment is code.
 */
#ifndef MS_LINECLASS_H
#define MS_LINECLASS_H

#include <stddef.h>
#include <stdint.h>

enum line_class {
	LINE_BLANK = 1 << 0,
	LINE_CODE = 1 << 1,
	LINE_COMMENT = 1 << 2,
	LINE_DOCSTRING = 1 << 3,
};

enum line_lang {
	LANG_PLAIN,
	LANG_C,
	LANG_HASH,
	LANG_PYTHON,
	LANG_JINJA,	/* C-like code in a Jinja template: {# #} comments too */
};

/* The language of a file, from its path. */
enum line_lang lineclass_lang(const char *path);

/* "code", "comment", "docstring", "blank" -> its bit; 0 when unknown. */
unsigned lineclass_parse(const char *name);

struct line_info {
	const char *text;	/* the line, without its newline */
	size_t len;
	size_t code_len;	/* bytes of its code part (0 unless code) */
	unsigned cls;		/* one enum line_class bit */
};

/* Walks one file's lines in order, keeping the scanner's state. */
struct lineclass_cursor {
	enum line_lang lang;
	const char *data, *pos, *end;
	uint32_t next;		/* number of the line at pos, from 1 */
	unsigned char state;	/* inside a block comment, a string... */
	char quote;		/* of an open Python triple-quoted string */
	unsigned char cont;	/* the line before ended in a backslash */
	unsigned depth;		/* open Python brackets */
	const char *slash;	/* C: the next '/' from pos on, or end */
	struct line_info last;	/* line next - 1 */
};

void lineclass_cursor_init(struct lineclass_cursor *c, enum line_lang lang,
			   const char *data, size_t len);
/*
 * Line n (from 1) of the file.  Lines are best asked in increasing order
 * (the cursor moves forward; asking for an earlier line starts over).
 * Returns 0, or -1 when the file has fewer lines (out is then blank).
 */
int lineclass_cursor_line(struct lineclass_cursor *c, uint32_t n,
			  struct line_info *out);

/*
 * Both sides of one file change.  lineclass_file_hunk() names the hunk
 * whose lines come next (0 lines on a side: none there).  In a hunk that
 * removes and adds lines, a change of layout or comments only is given as
 * LINE_COMMENT: a line whose code, blanks and comments aside, is that of
 * a different line on the other side, and every line of a hunk whose
 * removed lines hold, in order, the same code as its added ones.
 */
struct lineclass_file {
	struct lineclass_cursor side[2];	/* 0: new file, 1: old */
	uint32_t start[2], lines[2];		/* the hunk, per side */
	struct line_info *block[2];		/* its lines, once needed */
	size_t alloc[2];
	int32_t *partner[2];			/* per line: see below, -1 */
	size_t partner_alloc[2];
	uint32_t hunk_no;			/* of the file, from 1 */
	int ready;				/* block[] holds the hunk */
	int paired;				/* partner[] too */
	/* the two sides differ in blanks only: 0 not known yet, 1 no,
	 * 2 yes (then every code line of the change is layout) */
	unsigned char blanks_only;
};

void lineclass_file_init(struct lineclass_file *lf, const char *path,
			 const char *old_data, size_t old_len,
			 const char *new_data, size_t new_len);
void lineclass_file_hunk(struct lineclass_file *lf, uint32_t old_start,
			 uint32_t old_lines, uint32_t new_start,
			 uint32_t new_lines);
/* The class of line n of the old (removed != 0) or new file, and the
 * length of its code part. */
unsigned lineclass_file_line(struct lineclass_file *lf, int removed,
			     uint32_t n, size_t *code_len);
/*
 * Line i (from 0) of the hunk's old (removed != 0) or new side, with its
 * class as lineclass_file_line() gives it in *cls; NULL past its lines,
 * and for a hunk that only adds or only removes lines.
 */
const struct line_info *lineclass_file_hunk_line(struct lineclass_file *lf,
						 int removed, uint32_t i,
						 unsigned *cls);
/*
 * The line of the other side of the hunk that line n (of the old file when
 * removed != 0, else of the new) replaced or was replaced by: the one
 * sharing the longest common start and end with it, when they make up at
 * least half of the shorter line.  NULL when there is none (the hunk
 * only adds or only removes, is too large to pair, or no line is alike).
 */
const struct line_info *lineclass_file_partner(struct lineclass_file *lf,
					       int removed, uint32_t n);
void lineclass_file_release(struct lineclass_file *lf);

/*
 * A line seen alone, as in a rule's example: blank; a comment when it
 * starts with "//", a block comment's opening, "*" or '#' (but not a
 * preprocessor directive such as "#if"); a docstring when it starts with
 * triple quotes; else code (all of it).
 */
unsigned lineclass_alone(const char *text, size_t len);

#endif
