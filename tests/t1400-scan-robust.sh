#!/bin/sh
test_description='scan: missing objects, bad rules, a catastrophic regex, read-only mirrors, hostile text'
. "$(dirname "$0")/test-lib.sh"

ESC=$(printf "\033")

test_expect_success 'setup: a mirror of loose objects, missing one blob' '
	make_repo work &&
	test_commit -C work "Add ok" ok.txt "fine" &&
	test_commit -C work "Add the kernel" src/secret.cu "off = static_cast<index_t>(i) * s;" &&
	test_commit -C work "Change ok" ok.txt "still fine" &&
	git init -q --bare loose.git &&
	git -C work push -q ../loose.git main &&
	git -C loose.git count-objects -v >counts &&
	test_grep "^packs: 0\$" counts &&
	blob=$(git -C work rev-parse main~1:src/secret.cu) &&
	echo $blob >blob-id &&
	obj=loose.git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	test -f $obj &&
	rm -f $obj &&
	test_must_fail git -C loose.git cat-file -e $blob
'

test_expect_success 'a missing blob: exit 3, the blob and path named, the commit partial' '
	blob=$(cat blob-id) &&
	c=$(rev work main~1) &&
	test_expect_code 3 ms_scan loose.git >out 2>err &&
	test_must_be_empty out &&
	test_grep -F "$blob" err &&
	test_grep -F "src/secret.cu" err &&
	grep -F "$blob" err >line &&
	test_line_count = 1 line &&
	test_grep -F "loose: commit $(echo $c | cut -c1-12): cannot read blob $blob of '"'"'src/secret.cu'"'"'" line &&
	all_commits loose.git >expect &&
	ms_oids >actual &&
	test_cmp expect actual &&
	echo true >expect &&
	ms_field $c partial >actual &&
	test_cmp expect actual &&
	echo "added src/secret.cu - - unreadable" >expect &&
	ms_files $c >actual &&
	test_cmp expect actual &&
	echo true >expect &&
	ms_field $c files.0.unreadable >actual &&
	test_cmp expect actual &&
	for t in main main~2 main~3; do
		echo false >expect &&
		ms_field $(rev work $t) partial >actual &&
		test_cmp expect actual || return 1
	done &&
	echo "modified ok.txt 1 1" >expect &&
	ms_files $(rev work main) >actual &&
	test_cmp expect actual &&
	echo 1 >expect &&
	ms_repo_field loose partial >actual &&
	test_cmp expect actual &&
	echo 4 >expect &&
	ms_repo_field loose commits >actual &&
	test_cmp expect actual
'

test_expect_success 'a missing blob: show says so in text' '
	mirrorscan show $(rev work main~1) >out &&
	test_grep "^State:   landed.*partly unreadable" out &&
	test_grep "^  A  src/secret.cu  (unreadable: object missing)\$" out
'

test_expect_success 'a bad rule file: file:line, exit 2, index untouched' '
	mirrorscan log --format ndjson >before &&
	cat >bad.rules <<-\EOT &&
	# a comment

	rule: broken
	tags: test/broken
	added: (abc
	EOT
	test_expect_code 2 mirrorscan --no-default-rules --rules bad.rules scan loose.git >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: bad.rules:5: rule .broken.: bad .added. regex: missing closing parenthesis at offset 4\$" err &&
	mirrorscan log --format ndjson >after &&
	test_cmp before after &&
	test_expect_code 2 mirrorscan --db "$TRASH/db-new" --no-default-rules --rules bad.rules scan loose.git 2>err &&
	! test -e db-new
'

test_expect_success 'a catastrophic regex gives up on a hostile line, names the rule, the scan goes on' '
	make_repo cat &&
	"$PYTHON3" -c "print(\"a\" * 4000 + \"b\")" >cat/hostile.txt &&
	echo "off = static_cast<index_t>(i) * s;" >>cat/hostile.txt &&
	git -C cat add hostile.txt &&
	git_commit -C cat "Add a hostile line" &&
	test_commit -C cat "Widen" w.cu "x = static_cast<index_t>(j) * t;" &&
	mirror_of cat cat.git &&
	cat >cat.rules <<-\EOT &&
	rule: catastrophic
	tags: test/catastrophic
	added: ^(a+)+$
	EOT
	c=$(rev cat main~1) &&
	timeout 60 "$MIRRORSCAN_BIN" --db "$TRASH/db-cat" --no-default-rules --rules cat.rules --rules "$TEST_RULES" \
		scan cat.git >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: warning: cat: commit $(echo $c | cut -c1-12): rule .catastrophic. gave up" err &&
	test_grep "^mirrorscan: cat: 3 new commits (2 tagged)" err &&
	mirrorscan --db "$TRASH/db-cat" show --format json $c >c.json &&
	json_field tags <c.json >actual &&
	echo kernel/int-overflow >expect &&
	test_cmp expect actual &&
	mirrorscan --db "$TRASH/db-cat" show --format json $(rev cat main) >w.json &&
	json_field tags <w.json >actual &&
	test_cmp expect actual
'

test_expect_success 'a regex anchored at the end does not match a line cut short' '
	"$PYTHON3" -c "print(\"a\" * 30000 + \"b\")" >cat/long.txt &&
	git -C cat add long.txt &&
	git_commit -C cat "Add a very long line" &&
	git -C cat.git fetch -q origin &&
	timeout 60 "$MIRRORSCAN_BIN" --db "$TRASH/db-cat" --no-default-rules --rules cat.rules --rules "$TEST_RULES" \
		scan cat.git 2>err &&
	test_grep "^mirrorscan: cat: 1 new commits" err &&
	mirrorscan --db "$TRASH/db-cat" show --format json $(rev cat main) >l.json &&
	json_lines "o[\"matches\"]" <l.json >matches &&
	test_must_be_empty matches
'

test_expect_success 'the catastrophic rule still matches where it can' '
	test_commit -C cat "Plain a" plain.txt "aaaa" &&
	git -C cat.git fetch -q origin &&
	timeout 60 "$MIRRORSCAN_BIN" --db "$TRASH/db-cat" --no-default-rules --rules cat.rules --rules "$TEST_RULES" \
		scan cat.git 2>err &&
	echo test/catastrophic >expect &&
	mirrorscan --db "$TRASH/db-cat" show --format json $(rev cat main) >p.json &&
	json_field tags <p.json >actual &&
	test_cmp expect actual
'

test_expect_success 'a scan leaves the mirror byte for byte unchanged' '
	make_repo ro &&
	test_commit -C ro "One" one.cu "x = static_cast<index_t>(i);" &&
	git -C ro checkout -q -b side &&
	test_commit -C ro "Two" two.md "# two" &&
	git -C ro checkout -q main &&
	test_tick &&
	git -C ro merge -q --no-ff -m "Merge side" side &&
	mirror_of ro ro.git &&
	git -C ro.git gc -q &&
	git -C ro.git update-ref refs/pull/1/head side &&
	cat >ro.git/hooks/post-checkout <<-EOT &&
	#!/bin/sh
	touch "$TRASH/hook-ran"
	EOT
	chmod +x ro.git/hooks/post-checkout &&
	cp ro.git/hooks/post-checkout ro.git/hooks/reference-transaction &&
	git -C ro.git config filter.evil.smudge "touch $TRASH/filter-ran" &&
	git -C ro.git config diff.evil.textconv "touch $TRASH/textconv-ran" &&
	mkdir -p ro.git/info &&
	echo "* filter=evil diff=evil" >ro.git/info/attributes &&
	touch -d "2020-01-01 00:00:00" $(find ro.git ro) &&
	mirror_snapshot ro.git >before-bare &&
	mirror_snapshot ro >before-work &&
	ms_scan --db "$TRASH/db-ro" --merges ro.git ro-work=ro 2>err &&
	test_grep "^mirrorscan: ro: 4 new commits" err &&
	test_grep "^mirrorscan: ro-work: 4 new commits" err &&
	ms_scan --db "$TRASH/db-ro" ro.git ro-work=ro 2>err &&
	mirrorscan --db "$TRASH/db-ro" log >/dev/null &&
	mirror_snapshot ro.git >after-bare &&
	mirror_snapshot ro >after-work &&
	test_cmp before-bare after-bare &&
	test_cmp before-work after-work &&
	! test -e hook-ran &&
	! test -e filter-ran &&
	! test -e textconv-ran
'

test_expect_success 'setup: hostile subjects and paths' '
	git init -q -b main hostile &&
	printf "red \033[31mALERT\033[0m \033]0;title\007 bad \377\376 end\n\nbody \033[2J line\n" >msg &&
	p1=$(printf "evil\033[2Jname.md") &&
	p2=$(printf "new\nline.md") &&
	p3=$(printf "latin\351.md") &&
	echo one >"hostile/$p1" &&
	echo two >"hostile/$p2" &&
	echo three >"hostile/$p3" &&
	printf "x = static_cast<index_t>(i); \033[31m\033]0;pwn\007\n" >hostile/k.cu &&
	git -C hostile add . &&
	tree=$(git -C hostile write-tree) &&
	test_tick &&
	# by hand: git commit would "fix" the invalid UTF-8 (as Latin-1)
	{
		echo "tree $tree" &&
		echo "author A U Thor <author@example.com> $GIT_AUTHOR_DATE" &&
		echo "committer C O Mitter <committer@example.com> $GIT_COMMITTER_DATE" &&
		echo &&
		cat msg
	} >commit-object &&
	c=$(git -C hostile hash-object -t commit -w --stdin <commit-object) &&
	git -C hostile update-ref refs/heads/main $c &&
	git -C hostile cat-file commit main >check &&
	grep -q "$(printf "\377\376")" check &&
	mirror_of hostile hostile.git &&
	ms_scan --db "$TRASH/db-h" hostile.git 2>err
'

test_expect_success 'hostile text is escaped in text output' '
	c=$(rev hostile main) &&
	mirrorscan --db "$TRASH/db-h" log >out &&
	! grep -q "$ESC" out &&
	test_grep -F "red \\e[31mALERT\\e[0m \\e]0;title\\x07 bad \\xff\\xfe end" out &&
	mirrorscan --db "$TRASH/db-h" show $c >out &&
	! grep -q "$ESC" out &&
	! grep -q "$(printf "\007")" out &&
	test_grep -F "    red \\e[31mALERT\\e[0m \\e]0;title\\x07 bad \\xff\\xfe end" out &&
	test_grep -F "    body \\e[2J line" out &&
	test_grep -F "  A  evil\\e[2Jname.md" out &&
	test_grep -F "  A  new\\nline.md" out &&
	test_grep -F "  A  latin\\xe9.md" out &&
	test_grep -F "    + x = static_cast<index_t>(i); \\e[31m\\e]0;pwn\\x07" out &&
	mirrorscan --db "$TRASH/db-h" repos >out &&
	! grep -q "$ESC" out
'

test_expect_success 'hostile text is valid, faithful JSON' '
	c=$(rev hostile main) &&
	mirrorscan --db "$TRASH/db-h" log --format ndjson >log.json &&
	mirrorscan --db "$TRASH/db-h" show --format json $c >show.json &&
	mirrorscan --db "$TRASH/db-h" log --format json >log-array.json &&
	for f in log.json show.json log-array.json; do
		! grep -q "$ESC" $f || return 1
	done &&
	"$PYTHON3" - log.json show.json log-array.json <<-\PY
	import json, sys
	for name in sys.argv[1:]:
	    raw = open(name, "rb").read()
	    text = raw.decode("utf-8")  # strict
	    if name.endswith("array.json"):
	        objs = json.loads(text)
	    else:
	        objs = [json.loads(l) for l in text.splitlines()]
	    assert len(objs) == 1, (name, len(objs))
	    o = objs[0]
	    want = "red \x1b[31mALERT\x1b[0m \x1b]0;title\x07 bad \xff\xfe end"
	    assert o["subject"] == want, (name, o["subject"])
	    assert o["body"] == "body \x1b[2J line", (name, o["body"])
	    paths = sorted(f["path"] for f in o["files"])
	    assert paths == ["evil\x1b[2Jname.md", "k.cu", "latin\xe9.md",
	                     "new\nline.md"], (name, paths)
	    m = [x for x in o["matches"] if x["rule"] == "overflow"]
	    assert m[0]["text"] == "x = static_cast<index_t>(i); \x1b[31m\x1b]0;pwn\x07", m
	    docs = sorted(x["path"] for x in o["matches"] if x["rule"] == "docs-path")
	    assert docs == ["evil\x1b[2Jname.md", "latin\xe9.md", "new\nline.md"], docs
	print("ok")
	PY
'

test_expect_success 'hostile text is escaped in CSV' '
	mirrorscan --db "$TRASH/db-h" log --format csv >log.csv &&
	! grep -q "$ESC" log.csv &&
	"$PYTHON3" - log.csv <<-\PY
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
	assert len(rows) == 2, rows
	row = dict(zip(rows[0], rows[1]))
	assert "\x1b" not in row["subject"], row
	assert "ALERT" in row["subject"], row
	PY
'

test_done
