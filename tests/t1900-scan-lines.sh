#!/bin/sh
test_description='scan: lines and only-lines, what kind of line a change is'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: rules on code lines and on docstring-only commits' '
	cat >"$TRASH/lines.rules" <<-\EOF &&
	rule: sm120-code
	tags: t/sm120
	lines: code
	added: (?i)sm_?120
	example: if (is_sm120) {
	counterexample: // is_sm120

	rule: sm100-code
	tags: t/sm100
	lines: code
	added: sm >= 100

	rule: sm120-anywhere
	tags: t/any
	lines: code comment docstring
	added: (?i)sm_?120

	rule: docstrings-only
	tags: t/docs
	only-path: \.md$
	only-lines: docstring blank
	EOF
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/lines.rules" \
		rules test &&
	make_repo r &&
	cat >r/k.cu <<-\EOF &&
	int a;
	/* The SM100 path
	 * also runs on sm120.
	 */
	void f(int sm) {
	    if (sm >= 100) {  // sm100 family
	        g();
	    }
	}
	EOF
	cat >r/api.py <<-\EOF &&
	def run(q):
	    """Run the kernel.

	    Works on every GPU.
	    """
	    src = """
	    // plain CUDA source
	    """
	    return q
	EOF
	echo "# Notes" >r/README.md &&
	git -C r add . && git_commit -C r "base" && git -C r tag base &&

	sed "s/also runs on sm120/also runs on SM120/" r/k.cu >tmp &&
	mv tmp r/k.cu && git -C r add -A && git_commit -C r "block comment" &&
	git -C r tag block &&

	sed "s|// sm100 family|// sm100 and sm120 family|" r/k.cu >tmp &&
	mv tmp r/k.cu && git -C r add -A && git_commit -C r "trailing comment" &&
	git -C r tag trailing &&

	sed "s|if (sm >= 100) {|if (sm >= 100 \\&\\& !is_sm120) {|" r/k.cu >tmp &&
	mv tmp r/k.cu && git -C r add -A && git_commit -C r "code" &&
	git -C r tag code &&

	sed "s/Works on every GPU./Works on every GPU but sm120./" r/api.py >tmp &&
	mv tmp r/api.py && echo "More." >>r/README.md &&
	git -C r add -A && git_commit -C r "docstring and readme" &&
	git -C r tag docstring &&

	sed "s|// plain CUDA source|// CUDA source for sm120|" r/api.py >tmp &&
	mv tmp r/api.py && git -C r add -A && git_commit -C r "a string literal" &&
	git -C r tag literal &&

	git -C r mv api.py api2.py && git_commit -C r "a rename" &&
	git -C r tag rename &&

	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/lines.rules" \
		--quiet scan r
'

test_expect_success 'a line inside a block comment is a comment' '
	test "$(ms_tags $(rev r block))" = t/any
'

test_expect_success 'a change only in a trailing comment is a comment' '
	test "$(ms_tags $(rev r trailing))" = t/any &&
	test "$(ms_tags $(rev r base))" = "t/any t/sm100"
'

test_expect_success 'a change in the code of a commented line is code' '
	test "$(ms_tags $(rev r code))" = "t/any t/sm100 t/sm120" &&
	ms_matches $(rev r code) >actual &&
	grep "^sm120-code added k.cu:6 " actual
'

test_expect_success 'a trailing comment is not matched as code' '
	cat >"$TRASH/trail.rules" <<-\EOF &&
	rule: family
	tags: t/family
	lines: code
	added: family
	EOF
	make_repo r3 &&
	echo "int a;" >r3/x.c && git -C r3 add x.c && git_commit -C r3 base &&
	echo "int b; // family" >>r3/x.c && git -C r3 add -A && git_commit -C r3 "trailing" &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/trail.rules" \
		--quiet scan r3 &&
	test_expect_code 1 "$MIRRORSCAN_BIN" log --tag t/family
'

test_expect_success 'a docstring with documentation files is docstrings-only' '
	test "$(ms_tags $(rev r docstring))" = "t/any t/docs"
'

test_expect_success 'a multi-line string that is not a docstring is code' '
	test "$(ms_tags $(rev r literal))" = "t/any t/sm120"
'

test_expect_success 'a code or comment change, or a pure rename, is not docstrings-only' '
	for t in block trailing code rename base
	do
		case " $(ms_tags $(rev r $t)) " in
		*" t/docs "*) return 1 ;;
		esac || return 1
	done
'

test_expect_success 'an unknown line class is an error naming file and line' '
	cat >"$TRASH/bad.rules" <<-\EOF &&
	rule: bad
	tags: t/bad
	lines: code prose
	added: x
	EOF
	ms_rules_check_fails bad.rules "bad.rules:3: rule .bad.: bad line class .prose."
'

test_expect_success 'lines needs added or removed' '
	cat >"$TRASH/bad2.rules" <<-\EOF &&
	rule: bad2
	tags: t/bad
	lines: code
	message: x
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/bad2.rules" rules check 2>err &&
	grep "bad2.rules:3: rule .bad2.: .lines. needs .added. or .removed." err
'

test_expect_success 'rules test judges examples by their class' '
	cat >"$TRASH/ex.rules" <<-\EOF &&
	rule: ex
	tags: t/ex
	lines: code
	added: sm120
	example: // sm120
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/ex.rules" rules test >out &&
	grep "ex.rules:5: rule .ex.: example does not match: // sm120" out
'

test_expect_success 'new-match: a changed line counts only for a match it did not have' '
	cat >"$TRASH/new.rules" <<-\EOF &&
	rule: ten
	tags: t/ten
	line-keywords: arch
	lines: code
	new-match: yes
	added: (?<![\w.])10\.[03]a(?![\d.])

	rule: ten-seven
	tags: t/ten-seven
	line-keywords: arch
	lines: code
	new-match: yes
	added: (?<![\w.])10\.7a(?![\d.])

	rule: ten-old
	tags: t/ten-old
	line-keywords: arch
	added: (?<![\w.])10\.[03]a(?![\d.])
	EOF
	make_repo r4 &&
	printf "name: ci\narch_list: \"9.0a 10.0a\"\n" >r4/ci.yml &&
	git -C r4 add ci.yml && git_commit -C r4 "base" && git -C r4 tag base &&
	printf "name: ci\narch_list: \"9.0a 10.0a 10.7a\"\n" >r4/ci.yml &&
	git -C r4 add ci.yml && git_commit -C r4 "add 10.7a" && git -C r4 tag seven &&
	printf "name: ci\narch_list: \"9.0a 10.0a 10.3a 10.7a\"\n" >r4/ci.yml &&
	git -C r4 add ci.yml && git_commit -C r4 "add 10.3a" && git -C r4 tag three &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/new.rules" \
		--quiet scan r4 &&
	test "$(ms_tags $(rev r4 base))" = "t/ten t/ten-old" &&
	test "$(ms_tags $(rev r4 seven))" = "t/ten-old t/ten-seven" &&
	test "$(ms_tags $(rev r4 three))" = "t/ten t/ten-old" &&
	ms_matches $(rev r4 three) >actual &&
	grep "^ten added ci.yml:2 arch_list: \"9.0a 10.0a 10.3a 10.7a\"\$" actual
'

test_expect_success 'exclude-line: a matched line that also matches it does not count' '
	cat >"$TRASH/excl.rules" <<-\EOF &&
	rule: sm120
	tags: t/sm120
	exclude-line: \bTORCH_CHECK\b|^\s*assert\b
	added: \bsm120\b
	example: launch(sm120);
	counterexample: TORCH_CHECK(sm120, "needs sm120");
	EOF
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/excl.rules" \
		rules test &&
	make_repo r5 &&
	echo "TORCH_CHECK(sm120 || sm100);" >r5/a.cc &&
	git -C r5 add a.cc && git_commit -C r5 "a check" && git -C r5 tag check &&
	echo "launch(sm120);" >>r5/a.cc &&
	git -C r5 add a.cc && git_commit -C r5 "a launch" && git -C r5 tag launch &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/excl.rules" \
		--quiet scan r5 &&
	test -z "$(ms_tags $(rev r5 check))" &&
	test "$(ms_tags $(rev r5 launch))" = t/sm120 &&
	ms_matches $(rev r5 launch) >actual &&
	grep "^sm120 added a.cc:2 launch(sm120);\$" actual &&
	! grep TORCH_CHECK actual
'

test_expect_success 'exclude-line needs added or removed, and takes examples out' '
	cat >"$TRASH/bad4.rules" <<-\EOF &&
	rule: bad4
	tags: t/bad
	exclude-line: x
	message: y
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/bad4.rules" rules check 2>err &&
	grep "bad4.rules:3: rule .bad4.: .exclude-line. needs .added. or .removed." err &&
	cat >"$TRASH/ex2.rules" <<-\EOF &&
	rule: ex2
	tags: t/ex
	exclude-line: CHECK
	added: sm120
	example: CHECK(sm120)
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/ex2.rules" rules test >out &&
	grep "ex2.rules:5: rule .ex2.: example does not match: CHECK(sm120)" out
'

test_expect_success 'same-line: the removed line must be the one the added line replaced' '
	cat >"$TRASH/same.rules" <<-\EOF &&
	rule: widen
	tags: t/widen
	same-line: yes
	added: ^\s*int64_t\s+\w*stride\b
	removed: ^\s*int\s+\w*stride\b
	EOF
	make_repo r6 &&
	printf "int a_stride;\nint b;\nint c;\nint d;\nint e;\nint f_stride;\n" >r6/k.h &&
	git -C r6 add k.h && git_commit -C r6 "base" &&
	printf "int64_t a_stride;\nint b;\nint c;\nint d;\nint e;\nint f_stride;\n" >r6/k.h &&
	git -C r6 add k.h && git_commit -C r6 "widen a_stride" && git -C r6 tag widen &&
	printf "int64_t a_stride;\nint b;\nint c;\nint d;\nint e;\nint64_t g_stride_new_field_here;\n" >r6/k.h &&
	git -C r6 add k.h && git_commit -C r6 "drop f, add g" && git -C r6 tag apart &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/same.rules" \
		--quiet scan r6 &&
	test "$(ms_tags $(rev r6 widen))" = t/widen &&
	ms_matches $(rev r6 widen) >actual &&
	grep "^widen added k.h:1 int64_t a_stride;\$" actual &&
	test -z "$(ms_tags $(rev r6 apart))" &&
	cat >"$TRASH/bad5.rules" <<-\EOF &&
	rule: bad5
	tags: t/bad
	same-line: yes
	added: x
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/bad5.rules" rules check 2>err &&
	grep "bad5.rules:3: rule .bad5.: .same-line. needs .added. and .removed." err
'

test_expect_success 'same-hunk: the hunk of the added line must remove a line the rule takes' '
	cat >"$TRASH/hunk.rules" <<-\EOF &&
	rule: hoist
	tags: t/hoist
	same-hunk: yes
	lines: code
	added: static_cast<int64_t>\(\w+\)\s*\*
	removed: \w\s*\*\s*\w
	EOF
	make_repo r9 &&
	printf "int f(int a, int b) {\n  int off = a * b;\n  return off;\n}\nint one;\nint two;\nint three;\nint four;\nint g(int c) {\n  return c * 2;\n}\n" >r9/k.cc &&
	git -C r9 add k.cc && git_commit -C r9 "base" &&
	printf "int f(int a, int b) {\n  const int64_t stride = static_cast<int64_t>(a) * b;\n  int64_t off = stride;\n  return off;\n}\nint one;\nint two;\nint three;\nint four;\nint g(int c) {\n  return c * 2;\n}\n" >r9/k.cc &&
	git -C r9 add k.cc && git_commit -C r9 "hoist a widened stride" && git -C r9 tag hoisted &&
	printf "int f(int a, int b) {\n  const int64_t stride = static_cast<int64_t>(a) * b;\n  int64_t off = stride;\n  const int64_t more = static_cast<int64_t>(b) * 3;\n  return off;\n}\nint one;\nint two;\nint three;\nint four;\nint g(int c) {\n  // c * 2\n  return c;\n}\n" >r9/k.cc &&
	git -C r9 add k.cc && git_commit -C r9 "new code, and a product gone elsewhere" && git -C r9 tag apart &&
	printf "int f(int a, int b) {\n  const int64_t stride = static_cast<int64_t>(a) * b;\n  int64_t off = stride;\n  const int64_t more = static_cast<int64_t>(b) * 3;\n  return off;\n}\nint one;\nint two;\nint three;\nint four;\nint g(int c) {\n  return static_cast<int64_t>(c) * 4;\n}\n" >r9/k.cc &&
	git -C r9 add k.cc && git_commit -C r9 "a comment is no witness" && git -C r9 tag comment &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/hunk.rules" \
		--quiet scan r9 &&
	test "$(ms_tags $(rev r9 hoisted))" = t/hoist &&
	ms_matches $(rev r9 hoisted) >actual &&
	grep "^hoist added k.cc:2 " actual &&
	! grep " removed " actual &&
	test -z "$(ms_tags $(rev r9 apart))" &&
	test -z "$(ms_tags $(rev r9 comment))" &&
	cat >"$TRASH/bad9.rules" <<-\EOF &&
	rule: bad9
	tags: t/bad
	same-hunk: yes
	removed: x
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/bad9.rules" rules check 2>err &&
	grep "bad9.rules:3: rule .bad9.: .same-hunk. needs .added. and .removed." err
'

test_expect_success 'new-match takes yes or no' '
	cat >"$TRASH/bad3.rules" <<-\EOF &&
	rule: bad3
	tags: t/bad
	new-match: maybe
	added: x
	EOF
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/bad3.rules" rules check 2>err &&
	grep "bad3.rules:3: rule .bad3.: bad new-match .maybe. (expected yes or no)" err
'

test_done
