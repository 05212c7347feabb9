#!/bin/sh
test_description='scan: incremental reruns, new commits, rule changes'
. "$(dirname "$0")/test-lib.sh"

# snapshot NAME: what the index says, to compare before and after
snapshot () {
	mirrorscan log --format ndjson >"$1.log" &&
	mirrorscan repos --format json >"$1.repos.json" &&
	json_eval "json.dumps({k: v for k, v in o.items() if k != \"last_scan\"}, sort_keys=True)" <"$1.repos.json" >"$1.repos"
}

# count_ok REPO MIRROR: the index holds every commit of MIRROR once, and
# its repository record counts them right
count_ok () {
	all_commits "$2" >"$TEST_LIB/expect-oids" &&
	ms_log_field oid --repo "$1" >"$TEST_LIB/listed" &&
	sort "$TEST_LIB/listed" >"$TEST_LIB/actual-oids" &&
	test_cmp "$TEST_LIB/expect-oids" "$TEST_LIB/actual-oids" &&
	wc -l <"$TEST_LIB/expect-oids" | tr -d " " >"$TEST_LIB/expect-n" &&
	ms_repo_field "$1" commits >"$TEST_LIB/actual-n" &&
	test_cmp "$TEST_LIB/expect-n" "$TEST_LIB/actual-n"
}

test_expect_success 'setup: a repository and its mirror, scanned once' '
	make_repo up &&
	test_commit -C up "Widen offsets" a.cu "off = static_cast<index_t>(i) * s;" &&
	test_commit -C up "Use int64 casts" b.cu "off = static_cast<int64_t>(i) * s;" &&
	test_commit -C up "Write docs" README.md "# docs" &&
	test_commit -C up "Leave a note" c.cu "// TODO: tune this" &&
	mirror_of up m.git &&
	cp "$TEST_RULES" my.rules &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	test_grep "^mirrorscan: m: 5 new commits (2 tagged)" err &&
	count_ok m m.git
'

test_expect_success 'a rerun with nothing new says up to date and changes nothing' '
	snapshot before &&
	mirrorscan --no-default-rules --rules my.rules scan m.git >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: m: up to date" >expect &&
	test_cmp expect err &&
	snapshot after &&
	test_cmp before.log after.log &&
	test_cmp before.repos.json after.repos.json
'

test_expect_success 'the same rules from another file are the same rules' '
	mirrorscan --no-default-rules --rules "$TEST_RULES" scan m.git 2>err &&
	echo "mirrorscan: m: up to date" >expect &&
	test_cmp expect err
'

test_expect_success 'new commits are added once' '
	test_commit -C up "More offsets" d.cu "x = static_cast<index_t>(j) * t;" &&
	test_commit -C up "Plain change" e.txt &&
	git -C m.git fetch -q --prune origin &&
	snapshot before &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	test_grep "^mirrorscan: m: 2 new commits (1 tagged), 0 now landed, 0 rescanned" err &&
	count_ok m m.git &&
	mirrorscan log --format ndjson >now.log &&
	tail -n +3 now.log >old-part &&
	test_cmp before.log old-part &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	echo "mirrorscan: m: up to date" >expect &&
	test_cmp expect err &&
	count_ok m m.git
'

test_expect_success 'a changed regex rescans and retags' '
	sed -i "s/^added: static_cast<index_t>\$/added: static_cast<int64_t>/" my.rules &&
	! cmp -s my.rules "$TEST_RULES" &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	test_grep "^mirrorscan: m: rules changed (1 new or changed, 0 removed): rescanning 7 indexed commits\$" err &&
	test_grep "^mirrorscan: m: 0 new commits (0 tagged), 0 now landed, 7 rescanned" err &&
	ms_oids --tag kernel/int-overflow >actual &&
	rev up main~4 >expect &&
	test_cmp expect actual &&
	ms_tags $(rev up main~5) >actual &&
	echo >expect &&
	test_cmp expect actual &&
	ms_tags $(rev up main~1) >actual &&
	test_cmp expect actual &&
	echo "overflow added b.cu:1 off = static_cast<int64_t>(i) * s;" >expect &&
	ms_matches $(rev up main~4) >actual &&
	test_cmp expect actual &&
	count_ok m m.git
'

test_expect_success 'an added rule rescans and tags' '
	cat >>my.rules <<-\EOT &&

	rule: todo
	tags: misc/todo
	added: \bTODO\b
	example: // TODO: later
	EOT
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	test_grep "^mirrorscan: m: rules changed (1 new or changed, 0 removed): rescanning 7 indexed commits\$" err &&
	echo "misc/todo" >expect &&
	ms_tags $(rev up main~2) >actual &&
	test_cmp expect actual &&
	echo "todo added c.cu:1 // TODO: tune this" >expect &&
	ms_matches $(rev up main~2) >actual &&
	test_cmp expect actual &&
	ms_oids --tag misc/todo >actual &&
	rev up main~2 >expect &&
	test_cmp expect actual &&
	echo "overflow added b.cu:1 off = static_cast<int64_t>(i) * s;" >expect &&
	ms_matches $(rev up main~4) >actual &&
	test_cmp expect actual
'

test_expect_success 'a removed rule rescans and drops its tags' '
	ms_oids --tag docs >actual &&
	rev up main~3 >expect &&
	test_cmp expect actual &&
	"$PYTHON3" - my.rules <<-\PY &&
	import sys
	p = sys.argv[1]
	stanzas = open(p).read().split("\n\n")
	kept = [s for s in stanzas if "rule: docs-path" not in s]
	assert len(kept) == len(stanzas) - 1
	open(p, "w").write("\n\n".join(kept))
	PY
	! grep docs-path my.rules &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	test_grep "^mirrorscan: m: rules changed (0 new or changed, 1 removed): rescanning 7 indexed commits\$" err &&
	test_expect_code 1 mirrorscan log --tag docs >out &&
	test_must_be_empty out &&
	ms_tags $(rev up main~3) >actual &&
	echo >expect &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --rule docs-path &&
	echo misc/todo >expect &&
	ms_tags $(rev up main~2) >actual &&
	test_cmp expect actual &&
	count_ok m m.git
'

test_expect_success 'after a rule change, a rerun is up to date again' '
	snapshot before &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	echo "mirrorscan: m: up to date" >expect &&
	test_cmp expect err &&
	snapshot after &&
	test_cmp before.log after.log
'

test_expect_success 'new commits and a rule change in one run' '
	test_commit -C up "Docs again" NOTES.md "# notes" &&
	test_commit -C up "Another TODO" f.cu "// TODO: more" &&
	git -C m.git fetch -q --prune origin &&
	cp "$TEST_RULES" my.rules &&
	mirrorscan --no-default-rules --rules my.rules scan m.git 2>err &&
	test_grep "^mirrorscan: m: rules changed (2 new or changed, 1 removed): rescanning 7 indexed commits\$" err &&
	test_grep "^mirrorscan: m: 2 new commits (1 tagged), 0 now landed, 7 rescanned" err &&
	count_ok m m.git &&
	ms_oids --tag kernel/int-overflow >actual &&
	git -C up rev-parse main~7 main~3 | sort >expect &&
	test_cmp expect actual &&
	ms_oids --tag docs >actual &&
	git -C up rev-parse main~5 main~1 | sort >expect &&
	test_cmp expect actual &&
	test_expect_code 1 mirrorscan log --tag misc/todo &&
	ms_scan --db "$TRASH/db-fresh" m.git 2>/dev/null &&
	mirrorscan --db "$TRASH/db-fresh" log --format ndjson >fresh.log &&
	mirrorscan log --format ndjson >incr.log &&
	json_eval "json.dumps([o[\"oid\"], o[\"tags\"], sorted(o[\"matches\"], key=json.dumps), o[\"files\"], o[\"landed\"], o[\"pr\"]], sort_keys=True)" <fresh.log >expect &&
	json_eval "json.dumps([o[\"oid\"], o[\"tags\"], sorted(o[\"matches\"], key=json.dumps), o[\"files\"], o[\"landed\"], o[\"pr\"]], sort_keys=True)" <incr.log >actual &&
	test_cmp expect actual
'

test_expect_success 'scan --since indexes the newer commits; a later full scan adds the rest' '
	since=$(git -C m.git show -s --format=%ct main~3) &&
	git -C m.git rev-list --since=$since --all | sort >expect &&
	test_line_count = 4 expect &&
	ms_scan --db "$TRASH/db-since" --since "@$since" m.git 2>err &&
	test_grep "^mirrorscan: m: 4 new commits" err &&
	mirrorscan --db "$TRASH/db-since" log --format ndjson >since.log &&
	json_field oid <since.log | sort >actual &&
	test_cmp expect actual &&
	ms_scan --db "$TRASH/db-since" --since "@$since" m.git 2>err &&
	echo "mirrorscan: m: up to date" >expect &&
	test_cmp expect err &&
	ms_scan --db "$TRASH/db-since" m.git 2>err &&
	test_grep "^mirrorscan: m: 5 new commits" err &&
	mirrorscan --db "$TRASH/db-since" log --format ndjson >all.log &&
	json_field oid <all.log | sort >actual &&
	all_commits m.git >expect &&
	test_cmp expect actual &&
	echo 9 >expect &&
	mirrorscan --db "$TRASH/db-since" repos --format json >r.json &&
	json_field commits <r.json >actual &&
	test_cmp expect actual
'

test_expect_success 'a large commit record is stored deflated and read back whole' '
	make_repo big &&
	i=0 &&
	while test $i -lt 60; do
		mkdir -p big/csrc/kernels/generated_sm100 &&
		echo "off = static_cast<index_t>(i) * s; // $i" >big/csrc/kernels/generated_sm100/kernel_$i.cu &&
		i=$((i + 1)) || return 1
	done &&
	git -C big add . &&
	body="ZQXJ-marker: $(printf "%s " $(seq 1 80))" &&
	test_tick &&
	git -C big commit -q -m "Add generated kernels" -m "$body" &&
	mirror_of big big.git &&
	ms_scan --db "$TRASH/db-big" big.git 2>err &&
	! grep -a -q "ZQXJ-marker" "$TRASH/db-big/data.mdb" &&
	! grep -a -q "generated_sm100/kernel_59.cu" "$TRASH/db-big/data.mdb" &&
	mirrorscan --db "$TRASH/db-big" show --format json \
		$(git -C big rev-parse HEAD) >show.json &&
	json_eval "o[\"body\"]" <show.json >actual-body &&
	test_grep "ZQXJ-marker: 1 2 3" actual-body &&
	test_grep " 80" actual-body &&
	json_eval "len(o[\"files\"])" <show.json >actual &&
	echo 60 >expect &&
	test_cmp expect actual &&
	json_eval "sorted(f[\"path\"] for f in o[\"files\"])[-1]" <show.json >actual &&
	echo csrc/kernels/generated_sm100/kernel_9.cu >expect &&
	test_cmp expect actual &&
	json_eval "\" \".join(o[\"tags\"])" <show.json >actual &&
	echo kernel/int-overflow >expect &&
	test_cmp expect actual
'

test_done
