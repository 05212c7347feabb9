/*
 * unit-lineclass: code, comment, docstring and blank lines (src/lineclass.h)
 * in C-like, Python, '#'-comment and plain files; code parts; lines asked
 * out of order; a hunk whose lines differ only in their comments.
 */
#include "config.h"
#include "lineclass.h"
#include "tap.h"

#include <string.h>

/* The classes of every line of a file, as one letter each: c(ode),
 * m (comment), d(ocstring), b(lank). */
static const char *classes(const char *path, const char *text)
{
	static char out[256];
	struct lineclass_cursor c;
	struct line_info li;
	uint32_t n;

	lineclass_cursor_init(&c, lineclass_lang(path), text, strlen(text));
	for (n = 1; n < sizeof(out) && !lineclass_cursor_line(&c, n, &li); n++)
		out[n - 1] = li.cls == LINE_CODE ? 'c'
			     : li.cls == LINE_COMMENT ? 'm'
			     : li.cls == LINE_DOCSTRING ? 'd' : 'b';
	out[n - 1] = '\0';
	return out;
}

/* The code part of line n. */
static const char *code_of(const char *path, const char *text, uint32_t n)
{
	static char out[256];
	struct lineclass_cursor c;
	struct line_info li;

	lineclass_cursor_init(&c, lineclass_lang(path), text, strlen(text));
	if (lineclass_cursor_line(&c, n, &li) < 0)
		return NULL;
	memcpy(out, li.text, li.code_len);
	out[li.code_len] = '\0';
	return out;
}

static void test_languages(void)
{
	is_int(lineclass_lang("csrc/flash_fwd_sm90.cu"), LANG_C, "a .cu file is C-like");
	is_int(lineclass_lang("include/cute/atom.hpp"), LANG_C, "a .hpp file is C-like");
	is_int(lineclass_lang("flashinfer/jit/core.py"), LANG_PYTHON, "a .py file is Python");
	is_int(lineclass_lang("CMakeLists.txt"), LANG_HASH, "CMakeLists.txt has '#' comments");
	is_int(lineclass_lang(".github/workflows/ci.yml"), LANG_HASH, "YAML has '#' comments");
	is_int(lineclass_lang("requirements-dev.txt"), LANG_HASH, "requirements files have '#' comments");
	is_int(lineclass_lang("docker/Dockerfile.cu128"), LANG_HASH, "a Dockerfile has '#' comments");
	is_int(lineclass_lang("README.md"), LANG_PLAIN, "Markdown is plain");
	is_int(lineclass_lang("configs/E=8,N=14336.json"), LANG_PLAIN, "JSON is plain");
	is_int(lineclass_lang("Makefile"), LANG_HASH, "a Makefile has '#' comments");
	is_int(lineclass_lang("src/.hidden"), LANG_PLAIN, "a dot file without extension is plain");
	is_int(lineclass_lang("csrc/fused_moe_config.jinja"), LANG_JINJA,
	       "a Jinja template is C-like with {# #} comments");
	is_int(lineclass_lang("csrc/batch_prefill.cu.j2"), LANG_JINJA,
	       "so is a .j2 one");
}

static void test_c(void)
{
	is_str(classes("a.cu",
		       "int x; // sm90\n"
		       "// if (sm_version >= 120)\n"
		       "/* a block\n"
		       " * if (sm_version >= 120)\n"
		       " */\n"
		       "\n"
		       "#if __CUDA_ARCH__ >= 1000\n"
		       "y = 1; /* trailing\n"
		       "   still comment */ z = 2;\n"
		       "s = \"// not a comment\";\n"
		       "/* one */ /* two */\n"),
	       "cmmmmbccccm", "C: comments, blocks, preprocessor, strings");
	is_str(code_of("a.cu", "if (sm >= 90) {   // Hopper path\n", 1),
	       "if (sm >= 90) {", "C: the code part stops before a trailing comment");
	is_str(code_of("a.cu", "s = \"http://x\"; // c\n", 1),
	       "s = \"http://x\";", "C: '//' inside a string is not a comment");
	is_str(code_of("a.cu", "n = 1'000'000; // c\n", 1), "n = 1'000'000;",
	       "C: digit separators are not character literals");
	is_str(classes("a.h", "/* open\n*/\nint a;\n"), "mmc",
	       "C: a line that only closes a block comment is a comment");
}

static void test_jinja(void)
{
	is_str(classes("k.jinja",
		       "{# Contributed by a team.\n"
		       "   Adapted into the JIT. #}\n"
		       "#include \"kernel.cuh\"\n"
		       "{% for t in tiles %}\n"
		       "template void run<{{ t }}>(); // one per tile\n"
		       "{% endfor %}\n"
		       "int a; {# trailing #}\n"
		       "/* a C block */\n"
		       "x = {1, 2}; {# open\n"
		       "#} y = 3;\n"),
	       "mmcccccmcc", "Jinja: {# #} blocks, template tags, C comments");
	is_str(code_of("k.jinja", "int a; {# note #}\n", 1), "int a;",
	       "Jinja: the code part stops before a trailing {# #} comment");
	is_str(classes("k.cu", "{# not Jinja here #}\n"), "c",
	       "C: {# is code outside a Jinja template");
}

static void test_python(void)
{
	is_str(classes("a.py",
		       "def f(x):\n"
		       "    \"\"\"Run on SM100.\n"
		       "\n"
		       "    Returns x.\n"
		       "    \"\"\"\n"
		       "    # is_blackwell()\n"
		       "    src = \"\"\"\n"
		       "    __global__ void k() {}\n"
		       "    \"\"\"\n"
		       "    return x  # done\n"
		       "    '''One line.'''\n"
		       "    call(\n"
		       "        \"\"\"argument\"\"\")\n"),
	       "cdbddmccccdcc",
	       "Python: docstrings, comments, string literals, arguments");
	is_str(code_of("a.py", "x = major >= 10  # Blackwell\n", 1),
	       "x = major >= 10", "Python: the code part stops before '#'");
	is_str(code_of("a.py", "s = 'a # b'  # c\n", 1), "s = 'a # b'",
	       "Python: '#' inside a string is not a comment");
	is_str(classes("a.py", "x = 1 + \\\n    2\nr'''doc'''\n"), "ccd",
	       "Python: a raw docstring; a backslash continues a statement");
	is_str(classes("a.py", "\"\"\"Module.\"\"\"\nimport os\n"), "dc",
	       "Python: a module docstring on one line");
	is_str(classes("a.py", "d = {\n  'a': [1,\n 2],\n}\n\"\"\"after\"\"\"\n"
			       "f( g( \n \"\"\"arg\"\"\"))\nx = 1)\n'''doc'''\n"),
	       "ccccdcccd", "Python: brackets over lines, nested, a stray close");
	is_str(code_of("a.py", "\tx = f( a ,b )   # c\n", 1), "\tx = f( a ,b )",
	       "Python: the code part ends at its last non-blank");
}

static void test_hash_and_plain(void)
{
	is_str(classes("CMakeLists.txt",
		       "# sm_100a\n"
		       "set(ARCHS \"100a\") # Blackwell\n"
		       "echo $#\n"),
	       "mcc", "'#' files: comments, trailing comments, '$#'");
	is_str(code_of("ci.yml", "  arch: \"10.0a\"  # b200\n", 1),
	       "  arch: \"10.0a\"", "'#' files: the code part");
	is_str(classes("README.md", "# Title\n\n// text\n"), "cbc",
	       "plain files: every line that is not blank is code");
}

static void test_out_of_order(void)
{
	const char *text = "/*\nint a;\n*/\nint b;\n";
	struct lineclass_cursor c;
	struct line_info li;

	lineclass_cursor_init(&c, LANG_C, text, strlen(text));
	ok(!lineclass_cursor_line(&c, 4, &li) && li.cls == LINE_CODE,
	   "line 4 is code");
	ok(!lineclass_cursor_line(&c, 4, &li) && li.cls == LINE_CODE,
	   "asking twice gives the same");
	ok(!lineclass_cursor_line(&c, 2, &li) && li.cls == LINE_COMMENT,
	   "an earlier line starts over and still sees the block comment");
	ok(lineclass_cursor_line(&c, 9, &li) < 0 && li.cls == LINE_BLANK,
	   "a line past the end is -1 and blank");
	ok(lineclass_cursor_line(&c, 0, &li) < 0, "line 0 does not exist");

	text = "int a;\nchar *s = \"x\";\n/* x\nint c;\n*/ int d;\nint e;\n";
	lineclass_cursor_init(&c, LANG_C, text, strlen(text));
	ok(!lineclass_cursor_line(&c, 4, &li) && li.cls == LINE_COMMENT,
	   "lines passed over on the way still open a block comment");
	ok(!lineclass_cursor_line(&c, 6, &li) && li.cls == LINE_CODE,
	   "and close it");
	text = "# a\nx = 1\n# b\n";
	lineclass_cursor_init(&c, LANG_HASH, text, strlen(text));
	ok(!lineclass_cursor_line(&c, 3, &li) && li.cls == LINE_COMMENT &&
	   li.len == 3 && !memcmp(li.text, "# b", 3),
	   "a '#' file's lines are passed over to the one asked");
}

static void test_hunk(void)
{
	const char *old = "int a;\nif (sm >= 90) {  // hopper\nint c;\nx = 1;\n";
	const char *new = "int a;\nif (sm >= 90) {  // Hopper path\nint c;\nx = 2;\n";
	struct lineclass_file lf;
	size_t code_len;

	lineclass_file_init(&lf, "k.cu", old, strlen(old), new, strlen(new));
	lineclass_file_hunk(&lf, 2, 1, 2, 1);
	is_int(lineclass_file_line(&lf, 0, 2, &code_len), LINE_COMMENT,
	       "an added line whose code is unchanged is a comment change");
	is_int(lineclass_file_line(&lf, 1, 2, &code_len), LINE_COMMENT,
	       "so is the removed line it replaces");
	lineclass_file_hunk(&lf, 4, 1, 4, 1);
	is_int(lineclass_file_line(&lf, 0, 4, &code_len), LINE_CODE,
	       "a changed line of code is code");
	is_int((int)code_len, 6, "with its code part");
	is_int(lineclass_file_line(&lf, 1, 4, &code_len), LINE_CODE,
	       "on both sides");
	lineclass_file_release(&lf);

	{
		const char *o = "a\nARCHS=\"9.0a 10.0a\"\nint unrelated_thing;\n";
		const char *n = "a\nxyz();\nARCHS=\"9.0a 10.0a 10.7a\"\n";
		const struct line_info *p;

		lineclass_file_init(&lf, "ci.yml", o, strlen(o), n,
				    strlen(n));
		lineclass_file_hunk(&lf, 2, 2, 2, 2);
		p = lineclass_file_partner(&lf, 0, 3);
		ok(p && p->len == 18 && !memcmp(p->text, "ARCHS=\"9.0a 10.0a\"", 18),
		   "an added line's partner is the removed line most like it");
		p = lineclass_file_partner(&lf, 1, 2);
		ok(p && p->len == 24, "and the other way round");
		ok(!lineclass_file_partner(&lf, 0, 2),
		   "a line like none on the other side has no partner");
		ok(!lineclass_file_partner(&lf, 0, 9),
		   "a line outside the hunk has none");
		lineclass_file_release(&lf);
	}

	{
		const char *o = "int a;\nfoo(a, b);\nint c;\ncall(nullptr);\n";
		const char *n = "int a;\nfoo(a,\n    b);\nint c;\ncall(nullptr /* q */);\n";

		lineclass_file_init(&lf, "k.cu", o, strlen(o), n, strlen(n));
		lineclass_file_hunk(&lf, 2, 1, 2, 2);
		is_int(lineclass_file_line(&lf, 0, 3, &code_len), LINE_COMMENT,
		       "a statement re-wrapped over two lines changes layout only");
		is_int(lineclass_file_line(&lf, 1, 2, &code_len), LINE_COMMENT,
		       "on both sides");
		lineclass_file_hunk(&lf, 4, 1, 5, 1);
		is_int(lineclass_file_line(&lf, 0, 5, &code_len), LINE_COMMENT,
		       "a block comment added inside a line is a comment change");
		lineclass_file_release(&lf);
	}

	lineclass_file_init(&lf, "k.cu", NULL, 0, new, strlen(new));
	lineclass_file_hunk(&lf, 0, 0, 1, 4);
	is_int(lineclass_file_line(&lf, 0, 2, &code_len), LINE_CODE,
	       "a file added whole: its lines are what they are");
	lineclass_file_release(&lf);
}

/* The class of line n of one side after a change with one hunk. */
static unsigned change_class(const char *path, const char *o, const char *n,
			     const uint32_t hunk[4], int removed, uint32_t line)
{
	struct lineclass_file lf;
	size_t code_len;
	unsigned cls;

	lineclass_file_init(&lf, path, o, strlen(o), n, strlen(n));
	lineclass_file_hunk(&lf, hunk[0], hunk[1], hunk[2], hunk[3]);
	cls = lineclass_file_line(&lf, removed, line, &code_len);
	lineclass_file_release(&lf);
	return cls;
}

/* A formatter's change is layout, whatever hunks a diff cuts it into. */
static void test_blanks_only(void)
{
	static const struct {
		const char *path, *old, *new;
		uint32_t hunk[4];	/* old start, lines, new start, lines */
		int removed;
		uint32_t line;
		unsigned cls;
		const char *what;
	} t[] = {
		{ "k.cu", "int a;\nf(a,\n  b);\n", "int  a;\nf(a, b);\n",
		  { 2, 1, 2, 1 }, 0, 2, LINE_COMMENT,
		  "a C file changed in blanks only: its code lines are layout" },
		{ "k.cu", "int a;\nf(a,\n  b);\n", "int  a;\nf(a, b);\n",
		  { 2, 1, 2, 1 }, 1, 2, LINE_COMMENT,
		  "on both sides, though the hunk alone differs" },
		{ "k.cu", "int a;\nf(a,\n  b);\n",
		  "int  a;\nf(a, b);\nx = 2;\n", { 2, 1, 2, 1 }, 0, 2,
		  LINE_CODE, "with a real change elsewhere in the file, code" },
		{ "k.cu", "asm(\"mov %0, %1; add %0, %2;\" : \"=r\"(x));\n",
		  "asm(\"mov %0, %1; \"\n    \"add %0, %2;\"\n    : \"=r\"(x));\n",
		  { 1, 1, 1, 3 }, 0, 2, LINE_COMMENT,
		  "a string literal split in two is layout" },
		{ "k.cu", "#if A && (B > 13)\nint x;\n#endif\n",
		  "#if A && \\\n    (B > 13)\nint x;\n#endif\n", { 1, 1, 1, 2 },
		  0, 2, LINE_COMMENT, "a line spliced with a backslash is layout" },
		{ "k.py", "int a;\nf(a,\n  b);\n", "int  a;\nf(a, b);\n",
		  { 2, 1, 2, 1 }, 0, 2, LINE_CODE,
		  "not in Python, whose indentation is code" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(change_class(t[i].path, t[i].old, t[i].new, t[i].hunk,
				    t[i].removed, t[i].line), t[i].cls,
		       "%s", t[i].what);
}

static void test_alone(void)
{
	is_int(lineclass_alone("  // sm_version >= 120", 22), LINE_COMMENT, "alone: //");
	is_int(lineclass_alone(" * tcgen05", 10), LINE_COMMENT, "alone: block continuation");
	is_int(lineclass_alone("# is_blackwell()", 16), LINE_COMMENT, "alone: # comment");
	is_int(lineclass_alone("#if __CUDA_ARCH__ >= 1000", 25), LINE_CODE, "alone: #if is code");
	is_int(lineclass_alone("  #  ifdef SM100", 16), LINE_CODE, "alone: # ifdef is code");
	is_int(lineclass_alone("\"\"\"Run on SM100.", 16), LINE_DOCSTRING, "alone: docstring");
	is_int(lineclass_alone("   ", 3), LINE_BLANK, "alone: blank");
	is_int(lineclass_alone("*ptr = 1;", 9), LINE_CODE, "alone: a dereference is code");
	is_int(lineclass_parse("docstring"), LINE_DOCSTRING, "class names parse");
	is_int(lineclass_parse("prose"), 0, "unknown class names do not");
}

int main(void)
{
	test_languages();
	test_c();
	test_jinja();
	test_python();
	test_hash_and_plain();
	test_out_of_order();
	test_hunk();
	test_blanks_only();
	test_alone();
	return done_testing();
}
