#!/bin/sh
test_description='scan: only-path, a condition that every changed path must meet'
. "$(dirname "$0")/test-lib.sh"

# commit_files REPO MESSAGE FILE...: writes each FILE (its own name as
# contents, plus a line "sm_100 path") and commits them together
commit_files () {
	cf_repo_=$1 cf_msg_=$2 &&
	shift 2 &&
	for cf_f_ in "$@"; do
		mkdir -p "$cf_repo_/$(dirname "$cf_f_")" &&
		printf "%s\nsm_100 path %s\n" "$cf_f_" "$cf_msg_" >"$cf_repo_/$cf_f_" &&
		git -C "$cf_repo_" add -- "$cf_f_" || return 1
	done &&
	git_commit -C "$cf_repo_" "$cf_msg_"
}

test_expect_success 'setup: rules and a history of docs, tests and code' '
	cat >"$TRASH/only.rules" <<-\EOF &&
	rule: docs-only
	tags: t/docs
	only-path: (?i)\.md$|^docs/

	rule: tests-blackwell
	tags: t/hw
	only-path: ^tests/
	added: sm_100

	rule: docs-message
	tags: t/msg
	message: (?i)\bdocs?\b
	only-path: (?i)\.md$|^docs/
	EOF
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/only.rules" rules check &&
	make_repo r &&
	commit_files r "Update docs" README.md docs/guide.md && git -C r tag docs &&
	commit_files r "Fix" docs/api.md && git -C r tag fix &&
	commit_files r "Update docs and code" README.md src/a.c && git -C r tag mixed &&
	git -C r mv docs/api.md docs/api2.md && git_commit -C r "Move a page" &&
	git -C r tag mvdocs &&
	commit_files r "Add code" src/b.c &&
	git -C r mv src/b.c docs/b.md && git_commit -C r "Move code into docs" &&
	git -C r tag mvcode &&
	git -C r rm -q docs/guide.md && git_commit -C r "Drop a page" &&
	git -C r tag rmdocs &&
	commit_files r "Test on Blackwell" tests/test_a.py && git -C r tag tests &&
	commit_files r "Test and code" tests/test_b.py src/c.c && git -C r tag testcode &&
	git -C r checkout -q -b side docs~0 &&
	commit_files r "Side docs" docs/side.md &&
	git -C r checkout -q main &&
	git -C r merge -q --no-ff -m "Merge side" side && git -C r tag merge &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/only.rules" \
		--quiet scan r
'

test_expect_success 'a commit that changes only matching paths matches' '
	echo "t/docs t/msg" >expect &&
	ms_tags $(rev r docs) >actual &&
	test_cmp expect actual &&
	echo t/docs >expect &&
	ms_tags $(rev r fix) >actual &&
	test_cmp expect actual
'

test_expect_success 'the evidence is the first changed path, and the message' '
	cat >expect <<-\EOF &&
	docs-message message message:1 Update docs
	docs-message path README.md:0 README.md
	docs-only path README.md:0 README.md
	EOF
	ms_matches $(rev r docs) >actual &&
	test_cmp expect actual
'

test_expect_success 'one path that does not match is enough to fail' '
	test -z "$(ms_tags $(rev r mixed))"
'

test_expect_success 'a rename needs both of its paths to match' '
	echo t/docs >expect &&
	ms_tags $(rev r mvdocs) >actual &&
	test_cmp expect actual &&
	test -z "$(ms_tags $(rev r mvcode))"
'

test_expect_success 'a deletion is judged by the path it deletes' '
	echo t/docs >expect &&
	ms_tags $(rev r rmdocs) >actual &&
	test_cmp expect actual
'

test_expect_success 'with added, the lines count only when only-path holds' '
	echo t/hw >expect &&
	ms_tags $(rev r tests) >actual &&
	test_cmp expect actual &&
	ms_matches $(rev r tests) >actual &&
	grep "^tests-blackwell added tests/test_a.py:2 sm_100 path" actual &&
	test -z "$(ms_tags $(rev r testcode))" &&
	ms_matches $(rev r testcode) >actual &&
	test_must_be_empty actual
'

test_expect_success 'a merge changes nothing, so it does not match' '
	test -z "$(ms_tags $(rev r merge))" &&
	echo "t/docs t/msg" >expect &&
	ms_tags $(rev r side) >actual &&
	test_cmp expect actual
'

test_expect_success 'a rule may have only-path alone; a bad one is reported with its line' '
	printf "rule: a\ntags: t/a\nonly-path: ^docs/\n" >alone.rules &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules alone.rules rules check &&
	printf "rule: b\ntags: t/b\nonly-path: (unclosed\n" >bad.rules &&
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules bad.rules rules check 2>err &&
	test_grep "^mirrorscan: bad.rules:3: rule .b.: bad .only-path. regex" err
'

test_expect_success 'changing only-path rescans the indexed commits' '
	sed "s/^only-path: ^tests\\//only-path: ^(?:tests|src)\\//" \
		"$TRASH/only.rules" >"$TRASH/only2.rules" &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/only2.rules" \
		scan r 2>err &&
	test_grep "rules changed (1 new or changed, 0 removed)" err &&
	echo t/hw >expect &&
	ms_tags $(rev r testcode) >actual &&
	test_cmp expect actual
'

test_done
