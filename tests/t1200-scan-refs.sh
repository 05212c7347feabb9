#!/bin/sh
test_description='scan: refs/pull commits are proposed until they land; tags; --refs'
. "$(dirname "$0")/test-lib.sh"

# landed_pr OID: "landed=... pr=..." of a commit
landed_pr () {
	ms_show "$1" >"$TEST_LIB/lp.json" &&
	json_eval "\"landed=%s pr=%s\" % (fmt(o[\"landed\"]), fmt(o[\"pr\"]))" <"$TEST_LIB/lp.json"
}

test_expect_success 'setup: a mirror with a branch, PR heads, a PR merge ref' '
	make_repo up &&
	test_commit -C up "Second" second.txt &&
	mirror_of up m.git &&
	git clone -q up work &&
	git -C work checkout -q -b feature &&
	test_commit -C work "Start the feature" f.cu "int a = 1;" &&
	test_commit -C work "Widen the feature" f.cu "off = static_cast<index_t>(i) * s;" &&
	git -C work push -q ../m.git feature:refs/pull/5/head &&
	git -C work checkout -q -b pr5-merge origin/main &&
	test_tick &&
	git -C work merge -q --no-ff -m "Merge 5 into main" feature &&
	git -C work push -q ../m.git pr5-merge:refs/pull/5/merge &&
	git -C work checkout -q -b other origin/main &&
	test_commit -C work "Another PR (#6)" o.md "# other" &&
	git -C work push -q ../m.git other:refs/pull/6/head &&
	git -C m.git for-each-ref --format="%(refname)" >refs &&
	cat >expect <<-\EOT &&
	refs/heads/main
	refs/pull/5/head
	refs/pull/5/merge
	refs/pull/6/head
	EOT
	test_cmp expect refs
'

test_expect_success 'commits only on refs/pull/N/head are proposed, with PR N' '
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 5 new commits (2 tagged), 0 now landed, 0 rescanned" err &&
	echo "landed=false pr=5" >expect &&
	landed_pr $(rev work feature) >actual &&
	test_cmp expect actual &&
	landed_pr $(rev work feature~1) >actual &&
	test_cmp expect actual &&
	echo "landed=false pr=6" >expect &&
	landed_pr $(rev work other) >actual &&
	test_cmp expect actual &&
	echo "landed=true pr=null" >expect &&
	landed_pr $(rev up main) >actual &&
	test_cmp expect actual &&
	echo refs/pull/5/head >expect &&
	ms_field $(rev work feature) refs.0 >actual &&
	test_cmp expect actual
'

test_expect_success 'refs/pull/N/merge is not walked' '
	git -C m.git rev-list --exclude="refs/pull/*/merge" --all | sort >expect &&
	test_line_count = 5 expect &&
	ms_oids >actual &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan show $(rev m.git refs/pull/5/merge) 2>err &&
	test_grep "no commit" err
'

test_expect_success 'log --landed and --proposed split them' '
	all_commits m.git main >expect &&
	ms_oids --landed >actual &&
	test_cmp expect actual &&
	git -C m.git rev-list refs/pull/5/head refs/pull/6/head ^main | sort >expect &&
	ms_oids --proposed >actual &&
	test_cmp expect actual
'

test_expect_success 'a fast-forward of main onto the PR flips its commits to landed, not rescanned' '
	ms_show $(rev work feature) >before.json &&
	git -C m.git update-ref refs/heads/main $(rev work feature) &&
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 0 new commits (0 tagged), 2 now landed, 0 rescanned" err &&
	echo "landed=true pr=5" >expect &&
	landed_pr $(rev work feature) >actual &&
	test_cmp expect actual &&
	echo "landed=true pr=5" >expect &&
	landed_pr $(rev work feature~1) >actual &&
	test_cmp expect actual &&
	echo "landed=false pr=6" >expect &&
	landed_pr $(rev work other) >actual &&
	test_cmp expect actual &&
	ms_show $(rev work feature) >after.json &&
	json_eval "json.dumps({k: v for k, v in o.items() if k != \"landed\"}, sort_keys=True)" <before.json >expect &&
	json_eval "json.dumps({k: v for k, v in o.items() if k != \"landed\"}, sort_keys=True)" <after.json >actual &&
	test_cmp expect actual &&
	echo "overflow added f.cu:1 off = static_cast<index_t>(i) * s;" >expect &&
	ms_matches $(rev work feature) >actual &&
	test_cmp expect actual &&
	echo 5 >expect &&
	ms_repo_field m commits >actual &&
	test_cmp expect actual &&
	echo 4 >expect &&
	ms_repo_field m landed >actual &&
	test_cmp expect actual
'

test_expect_success 'a PR merged by a merge commit: the merge is new, the PR commit lands' '
	git -C work checkout -q -b m6 feature &&
	test_tick &&
	git -C work merge -q --no-ff -m "Merge pull request #6 from bob/other" other &&
	git -C work push -q ../m.git m6:refs/heads/main &&
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 1 new commits (0 tagged), 1 now landed, 0 rescanned" err &&
	echo "landed=true pr=6" >expect &&
	landed_pr $(rev work other) >actual &&
	test_cmp expect actual &&
	echo "landed=true pr=6" >expect &&
	landed_pr $(rev work m6) >actual &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --proposed >out &&
	test_must_be_empty out
'

test_expect_success 'a commit reachable only from a tag has landed' '
	git -C work checkout -q -b rel origin/main &&
	test_commit -C work "Release notes" notes.md "# 1.0" &&
	git -C work tag -a -m "v1.0" v1.0 &&
	test_commit -C work "Light tag" light.txt &&
	git -C work tag light &&
	git -C work push -q ../m.git v1.0 light &&
	git -C m.git for-each-ref refs/heads/rel >none &&
	test_must_be_empty none &&
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 2 new commits (1 tagged), 0 now landed, 0 rescanned" err &&
	echo "landed=true pr=null" >expect &&
	landed_pr $(rev work rel~1) >actual &&
	test_cmp expect actual &&
	landed_pr $(rev work rel) >actual &&
	test_cmp expect actual &&
	echo refs/tags/light >expect &&
	ms_field $(rev work rel) refs.0 >actual &&
	test_cmp expect actual
'

test_expect_success 'a tag that names no commit does not stop the scan' '
	blob=$(echo "just a blob" | git -C m.git hash-object -w --stdin) &&
	git -C m.git tag blobtag $blob &&
	test_commit -C work "After the blob tag" after.txt &&
	git -C work push -q ../m.git rel:refs/heads/rel &&
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 1 new commits" err &&
	git -C m.git rev-list --exclude="refs/pull/*/merge" --exclude=refs/tags/blobtag --all | sort >expect &&
	ms_oids >actual &&
	test_cmp expect actual
'

test_expect_success '--refs GLOB limits the refs walked' '
	ms_scan --db "$TRASH/db-heads" --refs "refs/heads/*" m.git 2>err &&
	all_commits m.git --branches >expect &&
	mirrorscan --db "$TRASH/db-heads" log --format ndjson >log &&
	json_field oid <log | sort >actual &&
	test_cmp expect actual &&
	ms_scan --db "$TRASH/db-tags" --refs "refs/tags/v*" --refs "refs/heads/main" m.git 2>err &&
	all_commits m.git refs/tags/v1.0 main >expect &&
	mirrorscan --db "$TRASH/db-tags" log --format ndjson >log &&
	json_field oid <log | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'a later scan without --refs adds the rest' '
	ms_scan --db "$TRASH/db-heads" m.git 2>err &&
	git -C m.git rev-list --exclude="refs/pull/*/merge" --exclude=refs/tags/blobtag --all | sort >expect &&
	mirrorscan --db "$TRASH/db-heads" log --format ndjson >log &&
	json_field oid <log | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'commits reached only through a test merge are indexed, the merge is not' '
	make_repo gone &&
	git -C gone checkout -q -b base-gone &&
	echo base >gone/base.txt && git -C gone add base.txt &&
	git_commit -C gone "commit of a branch that is gone" &&
	only=$(git -C gone rev-parse HEAD) &&
	git -C gone checkout -q main &&
	echo pr >gone/pr.txt && git -C gone add pr.txt &&
	git -C gone checkout -q -b pr &&
	git_commit -C gone "the pull request" &&
	head=$(git -C gone rev-parse HEAD) &&
	git -C gone checkout -q main &&
	tree=$(git -C gone rev-parse "$head^{tree}") &&
	merge=$(git -C gone commit-tree -p "$only" -p "$head" -m "Merge $head into $only" "$tree") &&
	git -C gone update-ref refs/pull/9/head "$head" &&
	git -C gone update-ref refs/pull/9/merge "$merge" &&
	git -C gone branch -q -D base-gone pr &&
	ms_scan --db "$TRASH/gonedb" gone &&
	MIRRORSCAN_DB="$TRASH/gonedb" ms_oids >actual &&
	git -C gone rev-list --all | grep -v "$merge" | sort >expect &&
	test_cmp expect actual &&
	MIRRORSCAN_DB="$TRASH/gonedb" ms_field "$only" landed >actual &&
	echo false >expect &&
	test_cmp expect actual
'

test_done
