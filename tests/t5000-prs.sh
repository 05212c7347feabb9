#!/bin/sh
test_description='prs: pull requests from refs/pull/*: open, squash-merged,
merged by a merge commit, closed, a head on another branch; heads that move,
PRs merged and closed between scans; filters and formats'
. "$(dirname "$0")/test-lib.sh"

# pr_push N BRANCH: BRANCH of work is pull request N's head in m.git
pr_push () {
	git -C work push -q -f ../m.git "$2:refs/pull/$1/head"
}

# pr_open N BRANCH: GitHub's trial merge of BRANCH into main, as
# refs/pull/N/merge (kept while the PR is open)
pr_open () {
	git -C work checkout -q --detach main &&
	test_tick &&
	git -C work merge -q --no-ff -m "Merge $2 into main" "$2" &&
	git -C work push -q -f ../m.git "HEAD:refs/pull/$1/merge" &&
	git -C work checkout -q main
}

# publish: main of work is main of m.git
publish () {
	git -C work push -q -f ../m.git main:refs/heads/main
}

# prs_json [PRS ARGS]: 'prs --format ndjson' into prs.json (exit 0 or 1)
prs_json () {
	ms_run_ "0|1" prs.json mirrorscan prs --format ndjson "$@"
}

# states [PRS ARGS]: "N state commits landed merged_by title" per PR
states () {
	prs_json "$@" &&
	json_eval '"%d %s %d %s %s %s" % (o["number"], o["state"],
		o["commits"], (o["landed"] or "null")[:12], fmt(o["merged_by"]),
		o["title"])' <prs.json
}

# one N FIELD: a field of pull request N (of m)
one () {
	prs_json --repo m &&
	json_eval "fmt(o[\"$2\"]) if o[\"number\"] == $1 else None" <prs.json |
	grep -v "^null\$" || echo null
}

test_expect_success 'setup: a mirror with pull requests in every state' '
	make_repo up &&
	mirror_of up m.git &&
	git clone -q up work &&
	git -C work checkout -q main &&

	git -C work checkout -q -b p1 main &&
	test_commit -C work "Add the Blackwell path" bw.cu "if (sm_version >= 100) {" &&
	test_commit -C work "Tidy the Blackwell path" bw2.cu "return;" &&
	pr_push 1 p1 &&
	pr_open 1 p1 &&

	git -C work checkout -q -b p2 main &&
	test_commit -C work "Start the offsets" off.cu "int off = i * s;" &&
	(
		GIT_AUTHOR_NAME="Bea Two" && export GIT_AUTHOR_NAME &&
		test_commit -C work "Fix the offsets" off.cu "off = static_cast<index_t>(i) * s;"
	) &&
	pr_push 2 p2 &&
	git -C work checkout -q main &&
	git -C work merge -q --squash p2 &&
	git_commit -C work "Widen the offsets (#2)" &&

	git -C work checkout -q -b p3 main &&
	(
		GIT_AUTHOR_NAME="Bob Three" && export GIT_AUTHOR_NAME &&
		test_commit -C work "Describe the kernels" NOTES.md "# notes"
	) &&
	pr_push 3 p3 &&
	git -C work checkout -q main &&
	test_tick &&
	git -C work merge -q --no-ff -m "Merge pull request #3 from bob/three" -m "Document the kernels" p3 &&

	git -C work checkout -q -b p4 main &&
	test_commit -C work "Try something" try.txt &&
	pr_push 4 p4 &&

	git -C work checkout -q -b p5 main &&
	test_commit -C work "Feature five" five.cu "if (sm_version >= 120) {" &&
	pr_push 5 p5 &&
	git -C work push -q ../m.git p5:refs/heads/feature5 &&
	pr_open 5 p5 &&

	git -C work checkout -q -b p6 main &&
	test_commit -C work "Six" six.txt &&
	pr_push 6 p6 &&
	pr_open 6 p6 &&

	git -C work checkout -q -b p7 main &&
	test_commit -C work "Seven" seven.md &&
	pr_push 7 p7 &&
	pr_open 7 p7 &&

	git -C work checkout -q main &&
	publish &&
	git -C m.git for-each-ref --format="%(refname)" refs/pull >refs &&
	test_line_count = 11 refs
'

test_expect_success 'the first scan records every pull request in its state' '
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 7 pull requests updated (4 open, 2 merged, 1 closed), [0-9.]* s\$" err &&
	sq=$(git -C m.git rev-parse --short=12 main~1) &&
	mc=$(git -C m.git rev-parse --short=12 main) &&
	cat >expect <<-EOF &&
	7 open 1 null null Seven
	6 open 1 null null Six
	5 open 1 null null Feature five
	4 closed 1 null null Try something
	3 merged 1 $mc subject Document the kernels
	2 merged 2 $sq subject Widen the offsets
	1 open 2 null null Add the Blackwell path
	EOF
	states >actual &&
	test_cmp expect actual
'

test_expect_success 'commits, tags, authors and times come from the PR'"'"'s own commits' '
	echo "hw/blackwell kernel/dispatch" >expect &&
	one 1 tags >actual &&
	test_cmp expect actual &&
	echo "fix kernel/int-overflow" >expect &&
	one 2 tags >actual &&
	test_cmp expect actual &&
	echo "A U Thor" >expect &&
	one 2 author >actual &&
	test_cmp expect actual &&
	echo docs >expect &&
	one 3 tags >actual &&
	test_cmp expect actual &&
	echo "Bob Three" >expect &&
	one 3 author >actual &&
	test_cmp expect actual &&
	git -C work show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ p1~1 >expect &&
	one 1 first_time >actual &&
	test_cmp expect actual &&
	git -C work show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ p1 >expect &&
	one 1 last_time >actual &&
	test_cmp expect actual &&
	git -C m.git rev-parse refs/pull/1/head >expect &&
	one 1 head >actual &&
	test_cmp expect actual &&
	git -C m.git rev-parse refs/pull/1/merge >expect &&
	one 1 merge_ref >actual &&
	test_cmp expect actual &&
	echo null >expect &&
	one 4 merge_ref >actual &&
	test_cmp expect actual
'

test_expect_success 'a head pushed to another branch of the repo is not merged' '
	git -C m.git merge-base --is-ancestor refs/pull/5/head refs/heads/feature5 &&
	test_must_fail git -C m.git merge-base --is-ancestor refs/pull/5/head main &&
	echo open >expect &&
	one 5 state >actual &&
	test_cmp expect actual &&
	echo 1 >expect &&
	one 5 commits >actual &&
	test_cmp expect actual &&
	echo "hw/blackwell kernel/dispatch" >expect &&
	one 5 tags >actual &&
	test_cmp expect actual
'

test_expect_success 'merged by a merge commit: the merge landed it, the head is on main' '
	git -C m.git rev-parse main >expect &&
	one 3 landed >actual &&
	test_cmp expect actual &&
	git -C m.git show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ main >expect &&
	one 3 landed_time >actual &&
	test_cmp expect actual &&
	one 3 state_time >actual &&
	test_cmp expect actual
'

test_expect_success 'a rerun with nothing new touches nothing' '
	mirrorscan prs --format ndjson >before.json &&
	ms_scan m.git 2>err &&
	echo "mirrorscan: m: up to date" >expect &&
	test_cmp expect err &&
	mirrorscan prs --format ndjson >after.json &&
	test_cmp before.json after.json
'

test_expect_success 'between scans: a head moves, one PR is merged, one is closed' '
	mirrorscan prs --format ndjson >before.json &&
	git -C work checkout -q p1 &&
	test_commit -C work "Cover SM120 too" bw3.cu "if (sm_version >= 120) {" &&
	pr_push 1 p1 &&
	git -C work checkout -q main &&
	test_tick &&
	git -C work merge -q --no-ff -m "Merge branch p6" p6 &&
	publish &&
	git -C m.git update-ref -d refs/pull/7/merge &&
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 3 pull requests updated (1 open, 1 merged, 1 closed), [0-9.]* s\$" err &&
	mirrorscan prs --format ndjson >after.json &&
	grep -v "\"number\":[167]," before.json >expect &&
	grep -v "\"number\":[167]," after.json >actual &&
	test_line_count = 4 actual &&
	test_cmp expect actual
'

test_expect_success 'the moved head: its new commits, same state' '
	echo 3 >expect &&
	one 1 commits >actual &&
	test_cmp expect actual &&
	git -C m.git rev-parse refs/pull/1/head >expect &&
	one 1 head >actual &&
	test_cmp expect actual &&
	echo open >expect &&
	one 1 state >actual &&
	test_cmp expect actual
'

test_expect_success 'merged between scans, by a merge that does not name it: the head landed' '
	git -C m.git rev-parse refs/pull/6/head >expect &&
	one 6 landed >actual &&
	test_cmp expect actual &&
	echo "merged head" >expect &&
	prs_json --repo m &&
	json_eval "\"%s %s\" % (o[\"state\"], o[\"merged_by\"]) if o[\"number\"] == 6 else None" <prs.json | grep -v null >actual &&
	test_cmp expect actual &&
	git -C m.git show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ main >expect &&
	one 6 landed_time >actual &&
	test_cmp expect actual &&
	echo 1 >expect &&
	one 6 commits >actual &&
	test_cmp expect actual
'

test_expect_success 'closed between scans: the scan that saw it dates the change' '
	echo closed >expect &&
	one 7 state >actual &&
	test_cmp expect actual &&
	echo 2026-02-16T12:00:00Z >expect &&
	one 7 state_time >actual &&
	test_cmp expect actual
'

test_expect_success 'a squash merge of an open PR updates it, never duplicates it' '
	git -C work checkout -q main &&
	git -C work merge -q --squash p1 &&
	git_commit -C work "Add the Blackwell path for SM100 and SM120 (#1)" &&
	publish &&
	git -C m.git update-ref -d refs/pull/1/merge &&
	ms_scan m.git 2>err &&
	test_grep "^mirrorscan: m: 1 pull request updated (0 open, 1 merged, 0 closed), [0-9.]* s\$" err &&
	sq=$(git -C m.git rev-parse --short=12 main) &&
	echo "1 merged 3 $sq subject Add the Blackwell path for SM100 and SM120" >expect &&
	states --repo m | grep "^1 " >actual &&
	test_cmp expect actual &&
	prs_json &&
	json_field number <prs.json | sort -n >numbers &&
	printf "%s\n" 1 2 3 4 5 6 7 >expect &&
	test_cmp expect numbers
'

test_expect_success 'setup: a second repository' '
	make_repo up2 &&
	mirror_of up2 other.git &&
	git clone -q up2 work2 &&
	git -C work2 checkout -q -b x main &&
	test_commit -C work2 "Other docs" other.md &&
	git -C work2 push -q ../other.git x:refs/pull/40/head &&
	ms_scan other.git 2>err &&
	test_grep "^mirrorscan: other: 1 pull request updated (0 open, 0 merged, 1 closed), [0-9.]* s\$" err
'

test_expect_success 'prs --state, --tag, --repo, --since' '
	states --state merged --repo m | cut -d" " -f1-2 >actual &&
	printf "%s\n" "6 merged" "3 merged" "2 merged" "1 merged" >expect &&
	test_cmp expect actual &&
	states --state open | cut -d" " -f1-2 >actual &&
	echo "5 open" >expect &&
	test_cmp expect actual &&
	states --state closed | cut -d" " -f1-2 >actual &&
	printf "%s\n" "7 closed" "4 closed" "40 closed" >expect &&
	test_cmp expect actual &&
	states --state all | wc -l >actual &&
	echo 8 >expect &&
	test_cmp expect actual &&
	states --tag docs | cut -d" " -f1 >actual &&
	printf "%s\n" 7 3 40 >expect &&
	test_cmp expect actual &&
	states --tag hw/blackwell --tag kernel/dispatch | cut -d" " -f1 >actual &&
	printf "%s\n" 5 1 >expect &&
	test_cmp expect actual &&
	states --tag docs --repo other | cut -d" " -f1 >actual &&
	echo 40 >expect &&
	test_cmp expect actual &&
	states --since 2026-02-16 | cut -d" " -f1-2 >actual &&
	echo "7 closed" >expect &&
	test_cmp expect actual
'

test_expect_success 'prs: exit 1 when nothing matches, 2 on a usage error' '
	test_expect_code 1 mirrorscan prs --tag hw/rubin >out &&
	test_must_be_empty out &&
	test_expect_code 1 mirrorscan prs --state open --repo other >out &&
	test_must_be_empty out &&
	test_expect_code 1 mirrorscan prs --format json --tag hw/rubin >out &&
	echo "[]" >expect &&
	test_cmp expect out &&
	test_expect_code 2 mirrorscan prs --state rejected 2>err &&
	test_grep "unknown --state .rejected." err &&
	test_expect_code 2 mirrorscan prs --format csv 2>err &&
	test_grep "unknown --format .csv." err &&
	test_expect_code 2 mirrorscan prs --repo nosuch 2>err &&
	test_grep "no repository .nosuch. in the index" err &&
	test_expect_code 2 mirrorscan prs --since never 2>err &&
	test_expect_code 2 mirrorscan prs extra 2>err
'

test_expect_success 'prs --format json: an array of the contract'"'"'s objects' '
	mirrorscan prs --format json >all.json &&
	"$PYTHON3" - <<-\PY
	import json
	doc = json.load(open("all.json"))
	assert isinstance(doc, list) and len(doc) == 8, doc
	want = {"repo", "number", "state", "title", "author", "first_time",
	        "last_time", "head", "commits", "tags", "landed"}
	for o in doc:
	    assert want <= set(o), o
	    assert o["state"] in ("open", "merged", "closed")
	    assert isinstance(o["number"], int) and isinstance(o["commits"], int)
	    assert len(o["head"]) == 40
	    assert (o["landed"] is None) == (o["state"] != "merged"), o
	    assert o["first_time"].endswith("Z") and o["last_time"] >= o["first_time"]
	    assert isinstance(o["tags"], list)
	PY
	mirrorscan prs --format ndjson >all.ndjson &&
	"$PYTHON3" -c "import json,sys; a=json.load(open(\"all.json\")); b=[json.loads(l) for l in open(\"all.ndjson\")]; sys.exit(a != b)"
'

test_expect_success 'prs text: one line per PR, newest first, tags last' '
	mirrorscan prs --repo m >out &&
	test_line_count = 7 out &&
	head -n 1 out >first &&
	test_grep "^m#7 closed 2026-02-15 Seven (A U Thor, 1 commit)  \[docs\]\$" first &&
	test_grep "^m#1 merged 2026-02-15 Add the Blackwell path for SM100 and SM120 (A U Thor, 3 commits)  \[hw/blackwell kernel/dispatch\]\$" out &&
	test_grep "^m#5 open   " out
'

test_expect_success 'a fresh index agrees with the incremental one' '
	ms_scan --db "$TRASH/db-fresh" m.git other.git 2>err &&
	mirrorscan --db "$TRASH/db-fresh" prs --format ndjson >fresh.json &&
	mirrorscan prs --format ndjson >incr.json &&
	json_eval "json.dumps({k: v for k, v in o.items() if k != \"state_time\"}, sort_keys=True)" <fresh.json >expect &&
	json_eval "json.dumps({k: v for k, v in o.items() if k != \"state_time\"}, sort_keys=True)" <incr.json >actual &&
	test_cmp expect actual
'

test_expect_success 'the default branch rewritten: merged by reachability no more' '
	make_repo fpup &&
	mirror_of fpup fp.git &&
	git clone -q fpup fpw &&
	git -C fpw checkout -q -b x main &&
	test_commit -C fpw "Feature x" x.txt &&
	git -C fpw push -q ../fp.git x:refs/pull/2/head &&
	git -C fpw checkout -q main &&
	test_tick &&
	git -C fpw merge -q --no-ff -m "Merge branch x" x &&
	git -C fpw push -q ../fp.git HEAD:refs/pull/2/merge &&
	git -C fpw push -q ../fp.git main:main &&
	ms_scan fp.git 2>err &&
	echo "2 merged 1" >expect &&
	states --repo fp | cut -d" " -f1-3 >actual &&
	test_cmp expect actual &&
	git -C fpw reset -q --hard main~1 &&
	test_commit -C fpw "Something else" else.txt &&
	git -C fpw push -q -f ../fp.git main:main &&
	ms_scan fp.git 2>err &&
	echo "2 open 1 null null" >expect &&
	states --repo fp | cut -d" " -f1-5 >actual &&
	test_cmp expect actual
'

test_expect_success 'a stacked PR whose base is merged lists only its own commits' '
	make_repo stup &&
	mirror_of stup st.git &&
	git clone -q stup stw &&
	git -C stw checkout -q -b a main &&
	test_commit -C stw "Base change" a.txt &&
	git -C stw push -q ../st.git a:refs/pull/1/head &&
	git -C stw checkout -q -b b a &&
	test_commit -C stw "On top" b.txt &&
	git -C stw push -q ../st.git b:refs/pull/2/head &&
	ms_scan st.git 2>err &&
	printf "%s\n" "2 closed 2" "1 closed 1" >expect &&
	states --repo st | cut -d" " -f1-3 >actual &&
	test_cmp expect actual &&
	git -C stw checkout -q main &&
	test_tick &&
	git -C stw merge -q --no-ff -m "Merge pull request #1 from x/a" -m "Base change" a &&
	git -C stw push -q ../st.git main:main &&
	ms_scan st.git 2>err &&
	test_grep "^mirrorscan: st: 2 pull requests updated (0 open, 1 merged, 1 closed), [0-9.]* s\$" err &&
	printf "%s\n" "2 closed 1" "1 merged 1" >expect &&
	states --repo st | cut -d" " -f1-3 >actual &&
	test_cmp expect actual &&
	ms_scan --db "$TRASH/db-st" st.git 2>err &&
	mirrorscan --db "$TRASH/db-st" prs --format ndjson >fresh.json &&
	mirrorscan prs --repo st --format ndjson >incr.json &&
	test_cmp fresh.json incr.json
'

test_expect_success 'a stale head: its commits are cut at 1000' '
	git init -q --bare stale.git &&
	{
		echo "reset refs/heads/main" &&
		echo "commit refs/heads/main" &&
		echo "mark :1" &&
		echo "committer C O Mitter <committer@example.com> 1771149600 +0000" &&
		echo "data 5" && echo "root" &&
		echo "M 644 inline root.txt" && echo "data 5" && echo "root" &&
		i=1 &&
		while test $i -le 1005; do
			echo "commit refs/heads/old" &&
			echo "committer C O Mitter <committer@example.com> $((1771149600 + i)) +0000" &&
			echo "data <<EOT" && echo "old $i" && echo "EOT" &&
			if test $i = 1; then echo "from :1"; fi &&
			echo "M 644 inline f.txt" && echo "data <<EOT" && echo "$i" && echo "EOT" &&
			i=$((i + 1)) || return 1
		done
	} | git -C stale.git fast-import --quiet &&
	git -C stale.git update-ref refs/pull/3/head refs/heads/old &&
	git -C stale.git update-ref -d refs/heads/old &&
	git -C stale.git symbolic-ref HEAD refs/heads/main &&
	ms_scan stale.git 2>err &&
	echo "1000 true closed" >expect &&
	prs_json --repo stale &&
	json_eval "\"%d %s %s\" % (o[\"commits\"], fmt(o[\"truncated\"]), o[\"state\"])" <prs.json >actual &&
	test_cmp expect actual
'

test_done
