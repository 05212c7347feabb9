#!/bin/sh
test_description='log filters and formats, show, repos'
. "$(dirname "$0")/test-lib.sh"

MIDNIGHT=1771113600	# 2026-02-15T00:00:00Z

# tline NAME MIRROR REV [TAGS [~]]: the text line of log for a commit
tline () {
	tl_c=$(rev "$2" "$3") &&
	tl_d=$(date -u -d "@$(git -C "$2" show -s --format=%ct $tl_c)" "+%Y-%m-%d %H:%M") &&
	tl_s=$(git -C "$2" show -s --format=%s $tl_c) &&
	tl_m="  " &&
	if test "$5" = "~"; then tl_m=" ~"; fi &&
	tl_t= &&
	if test -n "$4"; then tl_t="  [$4]"; fi &&
	printf "%s %s %s%s%s%s\n" "$(echo $tl_c | cut -c1-12)" "$tl_d" "$1" \
		"$tl_m" "$tl_s" "$tl_t"
}

# oids MIRROR REV...: the ids, sorted
oids () {
	oi_m=$1
	shift
	git -C "$oi_m" rev-parse "$@" | sort
}

# ordered MIRROR REV...: the ids in the order given
ordered () {
	oi_m=$1
	shift
	git -C "$oi_m" rev-parse "$@"
}

test_expect_success 'setup: two repositories, a PR, commits around midnight' '
	make_repo alpha &&
	(
		GIT_AUTHOR_NAME=Alice &&
		GIT_AUTHOR_EMAIL=alice@example.org &&
		export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL &&
		echo "off = static_cast<index_t>(i) * s;" >alpha/k.cu &&
		git -C alpha add k.cu &&
		test_tick &&
		git -C alpha commit -q -m "Fix overflow (#3)" -m "Longer explanation
on two lines."
	) &&
	make_repo beta &&
	echo "# late" >alpha/README.md &&
	git -C alpha add README.md &&
	GIT_COMMITTER_DATE="$((MIDNIGHT - 1)) +0000" GIT_AUTHOR_DATE="$((MIDNIGHT - 1)) +0000" \
		git -C alpha commit -q -m "Late night docs" &&
	echo "if (sm_version >= 120) {" >alpha/d.cu &&
	git -C alpha add d.cu &&
	GIT_COMMITTER_DATE="$MIDNIGHT +0000" GIT_AUTHOR_DATE="$MIDNIGHT +0000" \
		git -C alpha commit -q -m "Midnight dispatch" &&
	test_commit -C alpha "Revert kernel" k.cu "off = i * s;" &&
	test_commit -C alpha "Revert python" x.py "x = 1" &&
	mirror_of alpha alpha.git &&
	git -C alpha checkout -q -b pr &&
	test_commit -C alpha "Proposed tuning" configs/t.json "{}" &&
	git -C alpha push -q ../alpha.git pr:refs/pull/9/head &&
	git -C alpha checkout -q main &&

	(
		GIT_AUTHOR_NAME=Bob &&
		GIT_AUTHOR_EMAIL=bob@example.net &&
		export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL &&
		test_commit -C beta "Add docs, \"quoted\"" docs.md "# docs"
	) &&
	test_commit -C beta "fix: blackwell path" b.cu "if (sm_version >= 100) {" &&
	mirror_of beta beta.git &&
	ms_scan alpha.git beta.git 2>err &&
	test_grep "^mirrorscan: alpha: 7 new commits (5 tagged)" err &&
	test_grep "^mirrorscan: beta: 3 new commits (2 tagged)" err
'

test_expect_success 'log with no filter: every commit, newest first, text' '
	{
		tline beta beta.git main "fix hw/blackwell kernel/dispatch" &&
		tline beta beta.git main~1 docs &&
		tline alpha alpha.git refs/pull/9/head kernel/tuning-config "~" &&
		tline alpha alpha.git main "" &&
		tline alpha alpha.git main~1 revert/kernel &&
		tline beta beta.git main~2 "" &&
		tline alpha alpha.git main~4 "fix kernel/int-overflow" &&
		tline alpha alpha.git main~5 "" &&
		tline alpha alpha.git main~2 "hw/blackwell kernel/dispatch" &&
		tline alpha alpha.git main~3 docs
	} >expect &&
	mirrorscan log >actual &&
	test_cmp expect actual
'

test_expect_success 'log --tag: one tag, two tags (both must hold)' '
	ordered beta.git main~1 >expect &&
	ordered alpha.git main~3 >>expect &&
	ms_log_field oid --tag docs >actual &&
	test_cmp expect actual &&
	ordered beta.git main >expect &&
	ms_log_field oid --tag hw/blackwell --tag fix >actual &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --tag no/such-tag >out &&
	test_must_be_empty out
'

test_expect_success 'log --rule' '
	{ oids alpha.git main~2 && oids beta.git main; } | sort >expect &&
	ms_oids --rule blackwell >actual &&
	test_cmp expect actual &&
	oids alpha.git main~1 >expect &&
	ms_oids --rule revert-cuda >actual &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --rule no-such-rule >out &&
	test_must_be_empty out
'

test_expect_success 'log --repo' '
	all_commits beta.git >expect &&
	ms_oids --repo beta >actual &&
	test_cmp expect actual &&
	{ all_commits alpha.git && all_commits beta.git; } | sort >expect &&
	ms_oids --repo alpha --repo beta >actual &&
	test_cmp expect actual &&
	oids alpha.git main~3 >expect &&
	ms_oids --repo alpha --tag docs >actual &&
	test_cmp expect actual &&
	test_expect_code 2 mirrorscan log --repo nope >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: no repository '"'"'nope'"'"' in the index" >expect &&
	test_cmp expect err
'

test_expect_success 'log --path REGEX' '
	{ oids alpha.git main~3 && oids beta.git main~1; } | sort >expect &&
	ms_oids --path "\.md\$" >actual &&
	test_cmp expect actual &&
	oids alpha.git refs/pull/9/head >expect &&
	ms_oids --path "^configs/" >actual &&
	test_cmp expect actual &&
	oids alpha.git main~1 main~4 >expect &&
	ms_oids --path "^k\.cu\$" >actual &&
	test_cmp expect actual &&
	test_expect_code 2 mirrorscan log --path "(" >out 2>err &&
	test_must_be_empty out &&
	test_grep "path" err
'

test_expect_success 'log --author: name or email, any case' '
	oids alpha.git main~4 >expect &&
	ms_oids --author alice >actual &&
	test_cmp expect actual &&
	ms_oids --author ALICE >actual &&
	test_cmp expect actual &&
	ms_oids --author "@example.org" >actual &&
	test_cmp expect actual &&
	oids beta.git main~1 >expect &&
	ms_oids --author bob >actual &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --author carol >out
'

test_expect_success 'log --since/--until: a commit at 23:59:59 and one at 00:00:00' '
	oids alpha.git main~3 >late &&
	oids alpha.git main~2 >midnight &&
	ms_oids --since 2026-02-14 --until 2026-02-15 >actual &&
	test_cmp late actual &&
	ms_oids --since 2026-02-14T23:59:59Z --until 2026-02-15T00:00:00Z >actual &&
	test_cmp late actual &&
	ms_oids --since 2026-02-15T00:00:00Z --until 2026-02-15T00:00:01Z >actual &&
	test_cmp midnight actual &&
	ms_oids --until 2026-02-15 >actual &&
	test_cmp late actual &&
	ms_oids --since 2026-02-15 --tag kernel/dispatch --repo alpha >actual &&
	test_cmp midnight actual &&
	ms_oids --since 2026-02-15 >actual &&
	grep -v -f late <actual >without-late &&
	test_cmp actual without-late &&
	grep -f midnight actual &&
	test_line_count = 9 actual &&
	test_expect_code 1 mirrorscan log --since 2026-02-14 --until 2026-02-14T23:59:59Z >out &&
	test_must_be_empty out
'

test_expect_success 'log --since with a tag uses the same window' '
	oids alpha.git main~3 >expect &&
	ms_oids --tag docs --until 2026-02-15 >actual &&
	test_cmp expect actual &&
	oids beta.git main~1 >expect &&
	ms_oids --tag docs --since 2026-02-15 >actual &&
	test_cmp expect actual
'

test_expect_success 'log --landed and --proposed' '
	oids alpha.git refs/pull/9/head >expect &&
	ms_oids --proposed >actual &&
	test_cmp expect actual &&
	echo 9 >expect &&
	ms_log_field pr --proposed >actual &&
	test_cmp expect actual &&
	{ all_commits alpha.git main && all_commits beta.git; } | sort >expect &&
	ms_oids --landed >actual &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --proposed --repo beta >out &&
	test_must_be_empty out
'

test_expect_success 'nothing found: exit 1 in every format' '
	test_expect_code 1 mirrorscan log --tag none >out &&
	test_must_be_empty out &&
	test_expect_code 1 mirrorscan log --tag none --format ndjson >out &&
	test_must_be_empty out &&
	test_expect_code 1 mirrorscan log --tag none --format json >out &&
	"$PYTHON3" -c "import json,sys; assert json.load(open(sys.argv[1])) == []" out &&
	test_expect_code 1 mirrorscan log --tag none --format csv >out &&
	test_line_count = 1 out
'

test_expect_success 'log --format json and ndjson: the same commits, the contract fields' '
	mirrorscan log --format json >log.json &&
	mirrorscan log --format ndjson >log.ndjson &&
	"$PYTHON3" - log.json log.ndjson <<-\PY
	import json, sys
	arr = json.load(open(sys.argv[1], encoding="utf-8"))
	nd = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
	assert arr == nd, "json and ndjson differ"
	assert len(arr) == 10, len(arr)
	need = ["repo", "oid", "short", "time", "author", "email", "subject",
	        "pr", "refs", "files", "tags", "matches", "landed"]
	for o in arr:
	    for k in need:
	        assert k in o, (k, o)
	    assert o["short"] == o["oid"][:12]
	    assert len(o["time"]) == 20 and o["time"].endswith("Z"), o["time"]
	    for f in o["files"]:
	        for k in ("path", "status", "added", "removed"):
	            assert k in f, (k, f)
	    for m in o["matches"]:
	        for k in ("rule", "tags", "path", "line", "text", "side"):
	            assert k in m, (k, m)
	        assert m["side"] in ("added", "removed", "message", "path")
	times = [o["time"] for o in arr]
	assert times == sorted(times, reverse=True), times
	print("ok")
	PY
'

test_expect_success 'log --format csv parses back' '
	mirrorscan log --format csv --repo beta >log.csv &&
	c=$(rev beta.git main~1) &&
	t=$(date -u -d "@$(git -C beta.git show -s --format=%ct $c)" +%Y-%m-%dT%H:%M:%SZ) &&
	"$PYTHON3" - log.csv $c $t <<-\PY
	import csv, sys
	raw = open(sys.argv[1], "rb").read()
	assert raw.endswith(b"\r\n"), raw[-10:]
	rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
	assert rows[0] == ["repo", "oid", "time", "author", "email", "subject",
	                   "pr", "landed", "tags", "files", "added",
	                   "removed"], rows[0]
	assert len(rows) == 4, rows
	r = dict(zip(rows[0], rows[2]))
	want = {"repo": "beta", "oid": sys.argv[2],
	        "time": sys.argv[3],
	        "author": "Bob", "email": "bob@example.net",
	        "subject": "Add docs, \"quoted\"", "pr": "", "landed": "true",
	        "tags": "docs", "files": "1", "added": "1", "removed": "0"}
	assert r == want, (r, want)
	print("ok")
	PY
'

test_expect_success 'show by a short prefix: metadata, files, matches with path:line' '
	c=$(rev alpha.git main~4) &&
	mirrorscan show $(echo $c | cut -c1-7) >actual &&
	cat >expect <<-EOT &&
	commit $c
	Repo:    alpha
	Author:  Alice <alice@example.org>
	Date:    2026-02-15T10:02:00Z
	State:   landed (first reached from refs/heads/main)
	PR:      #3
	Tags:    fix kernel/int-overflow

	    Fix overflow (#3)

	    Longer explanation
	    on two lines.

	Files (1):
	  A  k.cu  +1 -0

	Matches (2):
	  kernel/int-overflow  rule overflow  k.cu:1 (added)
	    + off = static_cast<index_t>(i) * s;
	  fix  rule fix-message  message:1 (message)
	    Fix overflow (#3)
	EOT
	test_cmp expect actual
'

test_expect_success 'show of a proposed commit' '
	c=$(rev alpha.git refs/pull/9/head) &&
	mirrorscan show $c >out &&
	test_grep "^State:   proposed (first reached from refs/pull/9/head)\$" out &&
	test_grep "^PR:      #9\$" out &&
	test_grep "^  kernel/tuning-config  rule tuning  configs/t.json (path)\$" out
'

test_expect_success 'show --format json' '
	c=$(rev alpha.git main~4) &&
	mirrorscan show --format json $(echo $c | cut -c1-10) >show.json &&
	for f in repo oid subject body pr author email tags; do
		printf "%s=%s\n" $f "$(json_field $f <show.json)" || return 1
	done >actual &&
	cat >expect <<-EOT &&
	repo=alpha
	oid=$c
	subject=Fix overflow (#3)
	body=Longer explanation
	on two lines.
	pr=3
	author=Alice
	email=alice@example.org
	tags=fix kernel/int-overflow
	EOT
	test_cmp expect actual &&
	mirrorscan log --format ndjson --author alice >log.json &&
	json_eval "json.dumps(o, sort_keys=True)" <show.json >expect &&
	json_eval "json.dumps(o, sort_keys=True)" <log.json >actual &&
	test_cmp expect actual
'

test_expect_success 'show: unknown and malformed ids' '
	test_expect_code 1 mirrorscan show deadbeef >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: no commit '"'"'deadbeef'"'"' in the index" >expect &&
	test_cmp expect err &&
	test_expect_code 2 mirrorscan show xyzw >out 2>err &&
	test_must_be_empty out &&
	test_grep "not a commit id" err &&
	test_expect_code 2 mirrorscan show abc >out 2>err &&
	test_grep "not a commit id" err &&
	test_expect_code 2 mirrorscan show >out 2>err &&
	test_grep "exactly one COMMIT" err &&
	test_expect_code 2 mirrorscan show --repo nope $(rev alpha.git main) >out 2>err &&
	test_grep "no repository .nope." err
'

test_expect_success 'show: a prefix of two commits is ambiguous' '
	git init -q --bare collide.git &&
	git -C collide.git fetch -q ../alpha.git main:main &&
	tree=$(git -C collide.git rev-parse main^{tree}) &&
	parent=$(git -C collide.git rev-parse main) &&
	"$PYTHON3" - $tree $parent $TEST_TICK_START <<-\PY >pair &&
	import hashlib, sys
	tree, parent, t = sys.argv[1], sys.argv[2], int(sys.argv[3])
	seen = {}
	n = 0
	while True:
	    body = ("tree %s\nparent %s\n"
	            "author A U Thor <author@example.com> %d +0000\n"
	            "committer C O Mitter <committer@example.com> %d +0000\n"
	            "\ncollide %d\n" % (tree, parent, t, t, n)).encode()
	    oid = hashlib.sha1(b"commit %d\0" % len(body) + body).hexdigest()
	    if oid[:4] in seen:
	        print(seen[oid[:4]])
	        print(n)
	        break
	    seen[oid[:4]] = n
	    n += 1
	PY
	for n in $(cat pair); do
		printf "tree %s\nparent %s\nauthor A U Thor <author@example.com> %d +0000\ncommitter C O Mitter <committer@example.com> %d +0000\n\ncollide %d\n" \
			$tree $parent $TEST_TICK_START $TEST_TICK_START $n >obj &&
		c=$(git -C collide.git hash-object -t commit -w --stdin <obj) &&
		git -C collide.git update-ref refs/heads/c$n $c &&
		echo $c >>pair-oids || return 1
	done &&
	c1=$(sed -n 1p pair-oids) &&
	c2=$(sed -n 2p pair-oids) &&
	p=$(echo $c1 | cut -c1-4) &&
	test "$p" = "$(echo $c2 | cut -c1-4)" &&
	ms_scan --db "$TRASH/db-collide" collide.git 2>err &&
	test_expect_code 2 mirrorscan --db "$TRASH/db-collide" show $p >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: commit id .$p. is ambiguous (2 commits" err &&
	test_grep "^  $c1 collide\$" err &&
	test_grep "^  $c2 collide\$" err &&
	mirrorscan --db "$TRASH/db-collide" show $c1 >out &&
	test_grep "^commit $c1\$" out
'

test_expect_success 'show: one commit in two repositories needs --repo' '
	mirror_of alpha.git gamma.git &&
	ms_scan --db "$TRASH/db-two" alpha.git gamma.git 2>err &&
	c=$(rev alpha.git main) &&
	test_expect_code 2 mirrorscan --db "$TRASH/db-two" show $c >out 2>err &&
	test_must_be_empty out &&
	test_grep "is ambiguous (2 commits; give more digits or --repo)" err &&
	test_grep "^  $c alpha\$" err &&
	test_grep "^  $c gamma\$" err &&
	mirrorscan --db "$TRASH/db-two" show --repo gamma $c >out &&
	test_grep "^Repo:    gamma\$" out
'

test_expect_success 'repos --format json' '
	mirrorscan repos --format json >repos.json &&
	json_eval "\" \".join(fmt(o[k]) for k in (\"name\", \"path\", \"default_branch\", \"default_tip\", \"refs\", \"commits\", \"landed\", \"partial\"))" <repos.json >actual &&
	cat >expect <<-EOT &&
	alpha $TRASH/alpha.git refs/heads/main $(rev alpha.git main) 2 7 6 0
	beta $TRASH/beta.git refs/heads/main $(rev beta.git main) 1 3 3 0
	EOT
	test_cmp expect actual &&
	json_field last_scan <repos.json >times &&
	test_line_count = 2 times &&
	! grep -v "^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z\$" times
'

test_expect_success 'repos as text' '
	mirrorscan repos >out &&
	awk -F "\t" "BEGIN { OFS = \"\t\" } NR > 1 { \$7 = \"WHEN\" } { print }" out >actual &&
	printf "NAME\tCOMMITS\tLANDED\tPARTIAL\tREFS\tDEFAULT TIP\tLAST SCAN\tPATH\n" >expect &&
	printf "alpha\t7\t6\t0\t2\t%s\tWHEN\t%s\n" $(rev alpha.git main | cut -c1-12) "$TRASH/alpha.git" >>expect &&
	printf "beta\t3\t3\t0\t1\t%s\tWHEN\t%s\n" $(rev beta.git main | cut -c1-12) "$TRASH/beta.git" >>expect &&
	test_cmp expect actual
'

test_done
