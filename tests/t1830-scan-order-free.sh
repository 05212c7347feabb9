#!/bin/sh
test_description='scan: order-free, lines whose order means nothing'
. "$(dirname "$0")/test-lib.sh"

# evidence DB REPO REF: the text of each match, one a line
evidence () {
	MIRRORSCAN_DB=$TRASH/$1 ms_show $(rev "$2" "$3") >s.json &&
	json_lines "sorted(m[\"text\"] for m in o[\"matches\"])" <s.json
}

# Any code line of an *_sm80 file is Ampere work, but an #include or an
# import that only changed places (a formatter sorting them) is not.
test_expect_success 'setup: includes and imports sorted, moved, changed' '
	cat >"$TRASH/free.rules" <<-\EOF &&
	rule: ampere-path
	tags: t/ampere
	path: _sm80\.(?:cu|py)$
	order-free: ^\s*(?:#\s*include\b|(?:from\s+\S+\s+)?import\b)
	added: \S

	rule: ampere-path-removed
	tags: t/ampere
	path: _sm80\.(?:cu|py)$
	order-free: ^\s*(?:#\s*include\b|(?:from\s+\S+\s+)?import\b)
	removed: \S
	EOF
	sed "/^order-free/d" "$TRASH/free.rules" >"$TRASH/plain.rules" &&
	make_repo r &&
	printf "%s\n" "#include <b.h>" "#include <a.h>" "" "int k;" \
		>r/decode_sm80.cu &&
	printf "%s\n" "import torch" "from x import y" "" "def f():" \
		"    return 1" >r/ops_sm80.py &&
	git -C r add . && git_commit -C r "base" &&

	printf "%s\n" "#include <a.h>" "#include <b.h>" "" "int k;" \
		>r/decode_sm80.cu &&
	printf "%s\n" "from x import y" "import torch" "" "def f():" \
		"    return 1" >r/ops_sm80.py &&
	git -C r add . && git_commit -C r "Sort includes and imports" &&
	git -C r tag sorted &&

	printf "%s\n" "  #include <b.h>" "#include <a.h>" "" "int k;" \
		>r/decode_sm80.cu &&
	git -C r add . && git_commit -C r "Sort back, one indented" &&
	git -C r tag indented &&

	printf "%s\n" "#include <a.h>" "#include <b.h>" "" "int k = 1;" \
		>r/decode_sm80.cu &&
	git -C r add . && git_commit -C r "Sort and change a line" &&
	git -C r tag sorted-and-changed &&

	printf "%s\n" "#include <a.h>" "#include <b.h>" "#include <c.h>" \
		"" "int k = 1;" >r/decode_sm80.cu &&
	git -C r add . && git_commit -C r "Include one more header" &&
	git -C r tag new-include &&

	printf "%s\n" "#include <a.h>" "#include <b.h>" "#include <c.h>" \
		"" "int k = 1;" "int j;" >r/decode_sm80.cu &&
	git -C r add . && git_commit -C r "base for a swap" &&
	printf "%s\n" "#include <a.h>" "#include <b.h>" "#include <c.h>" \
		"" "int j;" "int k = 1;" >r/decode_sm80.cu &&
	git -C r add . && git_commit -C r "Swap two lines of code" &&
	git -C r tag code-swapped &&

	printf "%s\n" "#include <b.h>" "#include <c.h>" "" "int j;" \
		"int k = 1;" >r/decode_sm80.cu &&
	echo "#include <a.h>" >r/prefill_sm80.cu &&
	git -C r add . && git_commit -C r "Move an include to another file" &&
	git -C r tag to-other-file &&

	printf "%s\n" "#include <a.h>" "#include <b.h>" "#include <c.h>" \
		"" "int j;" "int k = 1;" >r/decode_sm80.cu &&
	git -C r add . && git -C r rm -q prefill_sm80.cu &&
	git_commit -C r "And back" &&
	git -C r tag from-other-file &&
	ms_scan_with free.rules db r &&
	ms_scan_with plain.rules db-plain r
'

test_expect_success 'sorted includes and imports are no change' '
	ms_has_tags db r sorted - &&
	ms_has_tags db-plain r sorted t/ampere
'

test_expect_success 'leading blanks do not count' '
	ms_has_tags db r indented -
'

test_expect_success 'a changed line beside them still counts, alone' '
	ms_has_tags db r sorted-and-changed t/ampere &&
	evidence db r sorted-and-changed >actual &&
	printf "%s\n" "int k = 1;" "int k;" >expect &&
	test_cmp expect actual
'

test_expect_success 'a new include is a change' '
	ms_has_tags db r new-include t/ampere &&
	evidence db r new-include >actual &&
	echo "#include <c.h>" >expect &&
	test_cmp expect actual
'

test_expect_success 'lines order-free does not take still count when they swap' '
	ms_has_tags db r code-swapped t/ampere
'

test_expect_success 'an include moved to another file is no change, as any line' '
	ms_has_tags db r to-other-file - &&
	ms_has_tags db-plain r to-other-file - &&
	ms_has_tags db r from-other-file - &&
	ms_has_tags db-plain r from-other-file -
'

test_expect_success 'adding order-free to a rule rescans and drops the tag' '
	ms_scan_with plain.rules db-re r &&
	ms_has_tags db-re r sorted t/ampere &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-re" --no-default-rules \
		--rules "$TRASH/free.rules" scan r 2>err &&
	test_grep "rules changed (2 new or changed, 0 removed)" err &&
	ms_has_tags db-re r sorted - &&
	ms_has_tags db-re r sorted-and-changed t/ampere
'

test_expect_success 'order-free without added or removed is an error naming the line' '
	printf "rule: bad\ntags: t/x\npath: x\norder-free: ^import\n" \
		>"$TRASH/bad.rules" &&
	ms_rules_check_fails bad.rules "bad.rules:4: rule .bad.: .order-free. needs .added. or .removed."
'

test_expect_success 'a bad order-free regex is an error naming the line' '
	printf "rule: bad\ntags: t/x\nadded: x\norder-free: (unclosed\n" \
		>"$TRASH/bad.rules" &&
	ms_rules_check_fails bad.rules "bad.rules:4: rule .bad.:"
'

test_done
