#!/bin/sh
test_description='scan: min-lines, evidence in proportion to the commit'
. "$(dirname "$0")/test-lib.sh"

# filler FILE N: N lines that no rule matches
filler () {
	seq 1 "$2" | sed "s/^/note /" >"$1"
}

# One line in a small commit is enough; in a commit of 10 to 19 changed
# lines two are needed, from 20 on three (never more: N is 3).
test_expect_success 'setup: commits of several sizes' '
	cat >"$TRASH/fp8.rules" <<-\EOF &&
	rule: fp8
	tags: t/fp8
	path: \.cu$
	added: \bfp8\b
	min-lines: 3 per 10
	EOF
	make_repo r &&
	echo "int base;" >r/base.cu &&
	git -C r add . && git_commit -C r "base" &&
	printf "%s\n" "int a;" "fp8 x;" "int b;" >r/small.cu &&
	git -C r add . && git_commit -C r "one line of three" &&
	git -C r tag small &&
	echo "fp8 y;" >r/one.cu && filler r/notes.txt 11 &&
	git -C r add . && git_commit -C r "one line of twelve" &&
	git -C r tag one-of-12 &&
	echo "fp8 z;" >r/two.cu && echo "fp8 w;" >r/three.cu &&
	filler r/notes2.txt 10 &&
	git -C r add . && git_commit -C r "two lines of twelve, two files" &&
	git -C r tag two-of-12 &&
	printf "%s\n" "fp8 p;" "fp8 q;" >r/big2.cu && filler r/big2.txt 1000 &&
	git -C r add . && git_commit -C r "two lines of a thousand" &&
	git -C r tag two-of-1002 &&
	printf "%s\n" "fp8 p;" "fp8 q;" "fp8 s;" >r/big3.cu &&
	filler r/big3.txt 1000 &&
	git -C r add . && git_commit -C r "three lines of a thousand" &&
	git -C r tag three-of-1003 &&
	{ printf "\000"; seq 1 40; } >r/blob.bin && echo "fp8 b;" >r/bin.cu &&
	git -C r add . && git_commit -C r "one line beside a binary file" &&
	git -C r tag beside-binary &&
	ms_scan_with fp8.rules db r
'

test_expect_success 'a small commit needs one line' '
	ms_has_tags db r small t/fp8
'

test_expect_success 'from 10 changed lines, one line is not enough' '
	ms_has_tags db r one-of-12 -
'

test_expect_success 'two lines from two files are' '
	ms_has_tags db r two-of-12 t/fp8
'

test_expect_success 'a large commit needs N lines, not more' '
	ms_has_tags db r two-of-1002 - &&
	ms_has_tags db r three-of-1003 t/fp8 &&
	MIRRORSCAN_DB=$TRASH/db ms_show $(rev r three-of-1003) >s.json &&
	json_lines "[m[\"text\"] for m in o[\"matches\"]]" <s.json >actual &&
	printf "%s\n" "fp8 p;" "fp8 q;" "fp8 s;" >expect &&
	test_cmp expect actual
'

test_expect_success 'a binary file adds no lines to the count' '
	ms_has_tags db r beside-binary t/fp8
'

test_expect_success 'a moved line counts in the size, not as evidence' '
	make_repo m &&
	printf "%s\n" "fp8 kept;" "int a;" >m/a.cu && filler m/notes.txt 3 &&
	git -C m add . && git_commit -C m "base" &&
	echo "int a;" >m/a.cu && echo "fp8 kept;" >m/b.cu &&
	echo "fp8 new;" >m/c.cu && filler m/notes.txt 10 &&
	git -C m add . && git_commit -C m "move one line, add one" &&
	git -C m tag moved &&
	git -C m checkout -q HEAD~1 -- a.cu notes.txt &&
	git -C m rm -q --cached b.cu c.cu && rm m/b.cu m/c.cu &&
	git_commit -C m "back to the base" &&
	echo "fp8 kept;" >m/b.cu && echo "fp8 new;" >m/c.cu &&
	filler m/notes.txt 11 &&
	git -C m add . && git_commit -C m "copy one line, add one" &&
	git -C m tag copied &&
	ms_scan_with fp8.rules db-m m &&
	ms_has_tags db-m m moved - &&
	ms_has_tags db-m m copied t/fp8
'

test_expect_success 'a message rule with too few lines gives no message match either' '
	cat >"$TRASH/msg.rules" <<-\EOF &&
	rule: fp8-msg
	tags: t/fp8
	message: twelve
	added: \bfp8\b
	min-lines: 2 per 10
	EOF
	ms_scan_with msg.rules db-msg r &&
	ms_has_tags db-msg r one-of-12 - &&
	ms_has_tags db-msg r two-of-12 t/fp8 &&
	MIRRORSCAN_DB=$TRASH/db-msg ms_show $(rev r two-of-12) >s.json &&
	json_lines "sorted(m[\"side\"] for m in o[\"matches\"])" \
		<s.json >actual &&
	printf "%s\n" added added message >expect &&
	test_cmp expect actual
'

# The rescan reads only the files its changed rules look at (here *.cu),
# yet must count the lines of the others too.
test_expect_success 'adding min-lines to a rule rescans with the whole commit counted' '
	sed "/^min-lines/d" "$TRASH/fp8.rules" >"$TRASH/loose.rules" &&
	ms_scan_with loose.rules db-re r &&
	ms_has_tags db-re r one-of-12 t/fp8 &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-re" --no-default-rules \
		--rules "$TRASH/fp8.rules" scan r 2>err &&
	test_grep "rules changed (1 new or changed, 0 removed): rescanning 8 indexed commits" err &&
	for t in small one-of-12 two-of-12 two-of-1002 three-of-1003 \
		 beside-binary; do
		MIRRORSCAN_DB=$TRASH/db ms_tags_or_none $(rev r $t) >expect &&
		MIRRORSCAN_DB=$TRASH/db-re ms_tags_or_none $(rev r $t) >actual &&
		test_cmp expect actual || return 1
	done
'

# gen_kernels NAME [FP8...]: w/gen/f0000.cu to f1199.cu, each declaring
# NAME and its number; the files numbered FP8... declare an fp8 too.
gen_kernels () {
	g_name=$1 &&
	shift &&
	i=0 &&
	while test $i -lt 1200; do
		n=$(printf "%04d" $i) &&
		echo "int $g_name$n;" >w/gen/f$n.cu &&
		i=$((i + 1)) || return 1
	done &&
	for n in "$@"; do
		echo "fp8 $g_name$n;" >>w/gen/f$n.cu || return 1
	done
}

# 2400 changed lines need 13 lines by "16 per 200"; either part of the
# split commit alone (1200) would need 7.
test_expect_success 'a commit split between threads counts all its lines' '
	cat >"$TRASH/split.rules" <<-\EOF &&
	rule: fp8
	tags: t/fp8
	added: \bfp8\b
	min-lines: 16 per 200
	EOF
	make_repo w &&
	mkdir w/gen &&
	gen_kernels v &&
	git -C w add . && git_commit -C w "Add generated kernels" &&
	gen_kernels u 0001 0100 0200 0300 0400 0500 0700 0800 0900 1100 &&
	git -C w add . && git_commit -C w "Regenerate, ten with fp8" &&
	git -C w tag ten &&
	gen_kernels t 0001 0100 0200 0300 0400 0500 0600 0700 0800 0900 \
		1000 1100 1150 1199 &&
	git -C w add . && git_commit -C w "Regenerate, fourteen with fp8" &&
	git -C w tag fourteen &&
	for j in 1 2; do
		ms_scan_with split.rules db-w$j --jobs $j w &&
		for t in ten fourteen; do
			mirrorscan --db "$TRASH/db-w$j" show --format json \
				$(rev w $t) >w$j-$t.json || return 1
		done || return 1
	done &&
	test_cmp w1-ten.json w2-ten.json &&
	test_cmp w1-fourteen.json w2-fourteen.json &&
	ms_has_tags db-w2 w ten - &&
	ms_has_tags db-w2 w fourteen t/fp8
'

test_expect_success 'a bad min-lines is an error naming the line' '
	for v in "0 per 100" "17 per 100" "4" "4 per" "4 per 0" "x per 5" \
		 "4 of 100" "4 per 100 lines" "-1 per 100"; do
		printf "rule: bad\ntags: t/x\nadded: x\nmin-lines: %s\n" \
			"$v" >"$TRASH/bad.rules" &&
		ms_rules_check_fails bad.rules "bad.rules:4: rule .bad.: bad min-lines .$v. (expected .N per M., N from 1 to 16, M from 1)" ||
		return 1
	done &&
	printf "rule: ok\ntags: t/x\nadded: x\nmin-lines: 16 per 1\n" \
		>"$TRASH/ok.rules" &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/ok.rules" \
		rules check
'

test_expect_success 'min-lines without added or removed is an error naming the line' '
	printf "rule: bad\ntags: t/x\npath: x\nmin-lines: 2 per 10\n" \
		>"$TRASH/bad.rules" &&
	ms_rules_check_fails bad.rules "bad.rules:4: rule .bad.: .min-lines. needs .added. or .removed."
'

test_done
