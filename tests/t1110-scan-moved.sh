#!/bin/sh
test_description='scan: a line moved from one file to another is no change'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: moves between files, a copy, a move within a file' '
	make_repo m &&
	printf "%s\n" "int a;" "off = static_cast<index_t>(i) * n;" \
		"if (sm_version >= 120) { k(); }" "#define LEGACY_MODE 1" \
		"int z;" >m/a.cu &&
	git -C m add a.cu && git_commit -C m "Add the kernel" &&
	git -C m tag c1 &&

	printf "%s\n" "int a;" "#define LEGACY_MODE 1" "int z;" >m/a.cu &&
	printf "%s\n" "void g() {" "    off = static_cast<index_t>(i) * n;" \
		"    if (sm_version >= 120) { k(); }" "}" >m/b.cu &&
	git -C m add a.cu b.cu && git_commit -C m "Move the kernel to b.cu" &&
	git -C m tag c2 &&

	printf "%s\n" "void g() {" "}" >m/b.cu &&
	printf "%s\n" "off = static_cast<index_t>(i) * n;" "int y;" >m/0.cu &&
	git -C m add 0.cu b.cu && git_commit -C m "Move it to 0.cu" &&
	git -C m tag c3 &&

	printf "%s\n" "int c;" "off = static_cast<index_t>(i) * n;" >m/c.cu &&
	git -C m add c.cu && git_commit -C m "Copy it to c.cu" &&
	git -C m tag c4 &&

	printf "%s\n" "int y;" "off = static_cast<index_t>(i) * n;" >m/0.cu &&
	git -C m add 0.cu && git_commit -C m "Move it down in 0.cu" &&
	git -C m tag c5 &&

	echo "int c;" >m/c.cu &&
	printf "%s\n" "off = static_cast<index_t>(i) * n;" \
		"len = static_cast<index_t>(m) * k;" >m/d.cu &&
	git -C m add c.cu d.cu && git_commit -C m "Move it to d.cu, widen len" &&
	git -C m tag c6 &&

	printf "%s\n" "int a;" "int z;" >m/a.cu &&
	printf "%s\n" "#define LEGACY_MODE 1" >m/e.h &&
	git -C m add a.cu e.h && git_commit -C m "Move the legacy macro to e.h" &&
	git -C m tag c7 &&

	echo "int e;" >m/e.h &&
	git -C m add e.h && git_commit -C m "Drop the legacy macro" &&
	git -C m tag c8 &&

	ms_scan m 2>err &&
	test_grep "m: 9 new commits" err
'

test_expect_success 'a move to a file that comes later, re-indented: no tag' '
	echo - >expect &&
	ms_tags_or_none $(rev m c2) >actual &&
	test_cmp expect actual &&
	ms_matches $(rev m c2) >actual &&
	test_must_be_empty actual
'

test_expect_success 'a move to a file that comes first: no tag' '
	echo - >expect &&
	ms_tags_or_none $(rev m c3) >actual &&
	test_cmp expect actual
'

test_expect_success 'a copy is a change' '
	echo kernel/int-overflow >expect &&
	ms_tags_or_none $(rev m c4) >actual &&
	test_cmp expect actual
'

test_expect_success 'a move within one file is a change' '
	echo kernel/int-overflow >expect &&
	ms_tags_or_none $(rev m c5) >actual &&
	test_cmp expect actual
'

test_expect_success 'a move beside a new line: the new line is the evidence' '
	echo "overflow added d.cu:2 len = static_cast<index_t>(m) * k;" >expect &&
	ms_matches $(rev m c6) >actual &&
	test_cmp expect actual
'

test_expect_success 'a removed line moved to another file is no removal' '
	echo - >expect &&
	ms_tags_or_none $(rev m c7) >actual &&
	test_cmp expect actual &&
	echo cleanup/legacy >expect &&
	ms_tags_or_none $(rev m c8) >actual &&
	test_cmp expect actual
'

test_expect_success 'a rule of added and removed lines needs both, unmoved, in a file' '
	cat >"$TRASH/swap.rules" <<-\EOF &&
	rule: swap
	tags: t/swap
	added: \bnew_api\(
	removed: \bold_api\(
	EOF
	make_repo s &&
	printf "%s\n" "old_api(a);" "int p;" >s/p.cu &&
	printf "%s\n" "old_api(c);" "int p2;" >s/p2.cu &&
	git -C s add . && git_commit -C s "Add p.cu and p2.cu" &&
	printf "%s\n" "int p;" "new_api(b);" >s/p.cu &&
	printf "%s\n" "old_api(a);" >s/r.cu &&
	git -C s add . && git_commit -C s "Move old_api(a) to r.cu, call new_api(b)" &&
	git -C s tag moved &&
	printf "%s\n" "new_api(c);" "int p2;" >s/p2.cu &&
	git -C s add . && git_commit -C s "Replace old_api(c)" &&
	git -C s tag swapped &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-swap" --no-default-rules \
		--rules "$TRASH/swap.rules" scan s 2>err &&
	echo - >expect &&
	MIRRORSCAN_DB=$TRASH/db-swap ms_tags_or_none $(rev s moved) >actual &&
	test_cmp expect actual &&
	echo t/swap >expect &&
	MIRRORSCAN_DB=$TRASH/db-swap ms_tags_or_none $(rev s swapped) >actual &&
	test_cmp expect actual
'

# A kernel rule that leaves tests out, and one for tests.  The line the
# commit moves from k.cu to tests/t.py is moved whichever rules run, so
# a first scan and a rescan after a rule change agree.
test_expect_success 'a move to a file no rule of the scan reads is a move all the same' '
	cat >"$TRASH/kernel.rules" <<-\EOF &&
	rule: kernel
	tags: t/kernel
	path: \.cu$
	removed: \S
	EOF
	cat >"$TRASH/tests.rules" <<-\EOF &&
	rule: tests
	tags: t/tests
	path: ^tests/
	added: \bassert\b
	EOF
	sed "s/assert/check/" "$TRASH/tests.rules" >"$TRASH/tests-old.rules" &&
	sed "s/removed: /removed: (?!x)/" "$TRASH/kernel.rules" \
		>"$TRASH/kernel-old.rules" &&
	make_repo mv &&
	printf "%s\n" "int k;" "check_bounds(k);" >mv/k.cu &&
	git -C mv add . && git_commit -C mv "Add k.cu" &&
	echo "int k;" >mv/k.cu && mkdir mv/tests &&
	printf "%s\n" "check_bounds(k);" "assert k" >mv/tests/t.py &&
	git -C mv add . && git_commit -C mv "Move the check to a test" &&
	git -C mv tag moved &&
	for set in "kernel" "kernel tests" "kernel-old tests" \
		   "kernel tests-old"; do
		db=$TRASH/db-t-$(echo $set | tr " " -) &&
		rules= &&
		for r in $set; do
			rules="$rules --rules $TRASH/$r.rules" || return 1
		done &&
		"$MIRRORSCAN_BIN" --db "$db" --no-default-rules $rules \
			--quiet scan mv || return 1
	done &&
	ms_has_tags db-t-kernel mv moved - &&
	ms_has_tags db-t-kernel-tests mv moved t/tests &&
	for old in kernel-old-tests kernel-tests-old; do
		"$MIRRORSCAN_BIN" --db "$TRASH/db-t-$old" --no-default-rules \
			--rules "$TRASH/kernel.rules" --rules "$TRASH/tests.rules" \
			scan mv 2>err &&
		test_grep "rules changed (1 new or changed, 0 removed)" err &&
		ms_has_tags db-t-$old mv moved t/tests || return 1
	done
'

# gen_kernels NAME: w/gen/f0000.cu to f1199.cu, each declaring NAME and
# its number.
gen_kernels () {
	i=0 &&
	while test $i -lt 1200; do
		n=$(printf "%04d" $i) &&
		echo "int $1$n;" >w/gen/f$n.cu &&
		i=$((i + 1)) || return 1
	done
}

test_expect_success 'a move between the parts of a commit of many files' '
	make_repo w &&
	mkdir w/gen &&
	gen_kernels v &&
	echo "off = static_cast<index_t>(i) * n;" >>w/gen/f0003.cu &&
	git -C w add . && git_commit -C w "Add generated kernels" &&
	gen_kernels u &&
	echo "off = static_cast<index_t>(i) * n;" >>w/gen/f1100.cu &&
	git -C w add . && git_commit -C w "Regenerate, the widening in f1100" &&
	for j in 1 2; do
		ms_scan --db "$TRASH/db-w$j" --jobs $j w 2>err &&
		mirrorscan --db "$TRASH/db-w$j" show --format json \
			$(rev w HEAD) >w$j.json || return 1
	done &&
	test_cmp w1.json w2.json &&
	json_lines "o[\"matches\"]" <w2.json >actual &&
	test_must_be_empty actual
'

# moved_past N: a repository whose last commit removes N distinct lines
# of a.txt, then moves a widening from b.cu to c.cu; prints its tags.
moved_past () {
	rm -rf big "$TRASH/db-big" &&
	make_repo big &&
	seq 1 "$1" | sed "s/^/line /" >big/a.txt &&
	printf "%s\n" "int b;" "off = static_cast<index_t>(i) * n;" >big/b.cu &&
	git -C big add . && git_commit -C big "Add a.txt and b.cu" &&
	echo "line 0" >big/a.txt &&
	echo "int b;" >big/b.cu &&
	echo "off = static_cast<index_t>(i) * n;" >big/c.cu &&
	git -C big add . &&
	git_commit -C big "Empty a.txt, move a line of b.cu to c.cu" &&
	ms_scan --db "$TRASH/db-big" big 2>err &&
	MIRRORSCAN_DB=$TRASH/db-big ms_tags_or_none $(rev big HEAD)
}

test_expect_success 'past the lines a commit keeps, a moved line is a change' '
	echo - >expect &&
	moved_past 15000 >actual &&
	test_cmp expect actual &&
	echo kernel/int-overflow >expect &&
	moved_past 20000 >actual &&
	test_cmp expect actual
'

test_done
