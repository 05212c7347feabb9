#!/bin/sh
test_description='scan: line-keywords filter the lines a rule looks at, keywords the files; submodule lines'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a file that names the keyword on one line and matches on another' '
	cat >"$TRASH/kw.rules" <<-\EOF &&
	rule: file-level
	tags: t/file
	keywords: sm_version
	added: \bcapability\s*>=\s*12\b

	rule: line-level
	tags: t/line
	line-keywords: sm_version
	added: (?i)\b(?:sm_version|capability)\s*>=\s*12\b
	example: if (sm_version >= 12) {
	counterexample: if (capability >= 12) {
	EOF
	make_repo r &&
	printf "int sm_version = 0;\n" >r/a.c &&
	git -C r add a.c && git_commit -C r "base" &&
	printf "int sm_version = 0;\nif (capability >= 12) {}\n" >r/a.c &&
	git -C r add a.c && git_commit -C r "capability check" &&
	git -C r tag cap &&
	printf "int sm_version = 0;\nif (capability >= 12) {}\nif (SM_VERSION >= 12) {}\n" >r/a.c &&
	git -C r add a.c && git_commit -C r "sm_version check" &&
	git -C r tag smv &&
	printf "int x;\n" >r/b.c &&
	git -C r add b.c && git_commit -C r "no keyword at all" &&
	git -C r tag none &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/kw.rules" rules test
'

test_expect_success 'keywords are a file-level prefilter, line-keywords a line-level one' '
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/kw.rules" \
		--quiet scan r &&
	echo t/file >expect &&
	ms_tags $(rev r cap) >actual &&
	test_cmp expect actual &&
	echo t/line >expect &&
	ms_tags $(rev r smv) >actual &&
	test_cmp expect actual &&
	test -z "$(ms_tags $(rev r none))"
'

test_expect_success 'the line-level match names the line that holds the keyword' '
	ms_matches $(rev r smv) >actual &&
	grep "^line-level added a.c:3 " actual &&
	! grep "a.c:2" actual
'

test_expect_success 'line-keywords without added or removed is an error naming the line' '
	printf "rule: x\ntags: t\nline-keywords: foo\nmessage: bar\n" >"$TRASH/bad.rules" &&
	ms_rules_check_fails bad.rules "bad.rules:3: rule .x.: .line-keywords. needs .added. or .removed."
'

test_expect_success 'removed lines are searched for the line keywords of removed rules' '
	cat >"$TRASH/rm.rules" <<-\EOF &&
	rule: added-only
	tags: t/added
	line-keywords: capability
	added: \bcapability\s*>=\s*12\b

	rule: removed-check
	tags: t/removed
	line-keywords: sm_version
	removed: (?i)\bsm_version\s*>=\s*12\b
	EOF
	make_repo rm &&
	printf "int sm_version;\nif (SM_VERSION >= 12) {}\nint y;\n" >rm/a.c &&
	git -C rm add a.c && git_commit -C rm "base" &&
	printf "int sm_version;\nint y;\nif (capability >= 12) {}\n" >rm/a.c &&
	git -C rm add a.c && git_commit -C rm "check moved" &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/rm.rules" \
		--db "$TRASH/db-rm" --quiet scan rm &&
	printf "t/added\nt/removed\n" >expect &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-rm" show --format json \
		$(rev rm main) >c.json &&
	json_field tags <c.json | tr " " "\n" >actual &&
	test_cmp expect actual
'

test_expect_success 'keywords still hold when a keyword-free rule diffs the file anyway' '
	cat >"$TRASH/defer.rules" <<-\EOF &&
	rule: file-and-line
	tags: t/both
	keywords: sm_version
	line-keywords: capability
	added: \bcapability\s*>=\s*12\b

	rule: implied
	tags: t/implied
	keywords: cap
	line-keywords: capability
	added: \bcapability\s*>=\s*12\b
	EOF
	{ cat "$TRASH/defer.rules" &&
	  printf "\nrule: every-line\ntags: t/any\nadded: \\\\S\n"; } \
		>"$TRASH/defer-any.rules" &&
	make_repo d &&
	printf "int x;\n" >d/no_kw.c &&
	printf "int sm_version;\n" >d/kw.c &&
	git -C d add . && git_commit -C d "base" &&
	printf "int x;\nif (capability >= 12) {}\n" >d/no_kw.c &&
	git -C d add no_kw.c && git_commit -C d "check without the keyword" &&
	git -C d tag without &&
	printf "int sm_version;\nif (capability >= 12) {}\n" >d/kw.c &&
	git -C d add kw.c && git_commit -C d "check beside the keyword" &&
	git -C d tag with &&
	for rules in defer defer-any; do
		"$MIRRORSCAN_BIN" --db "$TRASH/db-$rules" --no-default-rules \
			--rules "$TRASH/$rules.rules" --quiet scan d || return 1
	done &&
	printf "t/implied\n" >expect &&
	MIRRORSCAN_DB="$TRASH/db-defer" ms_tags $(rev d without) >actual &&
	test_cmp expect actual &&
	echo "t/any t/implied" >expect &&
	MIRRORSCAN_DB="$TRASH/db-defer-any" ms_tags $(rev d without) >actual &&
	test_cmp expect actual &&
	echo "t/both t/implied" >expect &&
	MIRRORSCAN_DB="$TRASH/db-defer" ms_tags $(rev d with) >actual &&
	test_cmp expect actual &&
	echo "t/any t/both t/implied" >expect &&
	MIRRORSCAN_DB="$TRASH/db-defer-any" ms_tags $(rev d with) >actual &&
	test_cmp expect actual
'

test_expect_success 'a rule with all its added evidence still reads removed lines' '
	cat >"$TRASH/both.rules" <<-\EOF &&
	rule: both-sides
	tags: t/both
	line-keywords: wide narrow
	added: \bwide\d+\b
	removed: \bnarrow\b

	rule: every-line
	tags: t/any
	added: \S
	EOF
	make_repo sat &&
	{ for i in $(seq 1 40); do echo "line $i"; done; echo "narrow"; } \
		>sat/a.c &&
	git -C sat add a.c && git_commit -C sat "base" &&
	{ for i in $(seq 1 20); do echo "wide$i"; done;
	  for i in $(seq 1 40); do echo "line $i"; done; } >sat/a.c &&
	git -C sat add a.c && git_commit -C sat "twenty wide lines, then narrow goes" &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-sat" --no-default-rules \
		--rules "$TRASH/both.rules" --quiet scan sat &&
	echo "t/any t/both" >expect &&
	MIRRORSCAN_DB="$TRASH/db-sat" ms_tags $(rev sat HEAD) >actual &&
	test_cmp expect actual &&
	MIRRORSCAN_DB="$TRASH/db-sat" ms_matches $(rev sat HEAD) >m &&
	test "$(grep -c "^both-sides added" m)" -ge 16
'

test_expect_success 'a submodule bump reads as git shows it: Subproject commit lines' '
	printf "rule: bump\ntags: build/ci\nline-keywords: subproject\nadded: ^Subproject commit [0-9a-f]{40}\$\nexample: Subproject commit 8afb19d9047afc26816a046059afe66763e68aa5\n" >"$TRASH/sub.rules" &&
	make_repo s &&
	one=$(git -C s rev-parse HEAD) &&
	git -C s update-index --add --cacheinfo 160000,$one,vendor/lib &&
	git_commit -C s "add a submodule" &&
	git -C s commit --allow-empty -q -m "empty" &&
	two=$(git -C s rev-parse HEAD) &&
	git -C s update-index --cacheinfo 160000,$two,vendor/lib &&
	git_commit -C s "bump the submodule" &&
	"$MIRRORSCAN_BIN" --db "$TRASH/sdb" --no-default-rules \
		--rules "$TRASH/sub.rules" --quiet scan s &&
	MIRRORSCAN_DB="$TRASH/sdb" ms_tags $(rev s HEAD) >actual &&
	echo build/ci >expect &&
	test_cmp expect actual &&
	MIRRORSCAN_DB="$TRASH/sdb" ms_show $(rev s HEAD) >show.json &&
	"$PYTHON3" -c "
import json, sys
o = json.load(open(\"show.json\"))
f = o[\"files\"][0]
assert (f[\"path\"], f[\"added\"], f[\"removed\"], f.get(\"submodule\")) == (\"vendor/lib\", 1, 1, True), f
m = o[\"matches\"][0]
assert m[\"text\"] == \"Subproject commit $two\", m
"
'

test_done
