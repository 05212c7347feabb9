#!/bin/sh
test_description='stats: landed commits per day, ISO week or month and per
tag, as text, csv and json; --tag, --repo, --since, --until'
. "$(dirname "$0")/test-lib.sh"

# commit_at REPO SECONDS FILE CONTENT MESSAGE
commit_at () {
	mkdir -p "$(dirname "$1/$3")" &&
	printf "%s\n" "$4" >"$1/$3" &&
	git -C "$1" add -- "$3" &&
	GIT_AUTHOR_DATE="$2 +0000" GIT_COMMITTER_DATE="$2 +0000" \
		git -C "$1" commit -q -m "$5"
}

# 2026-11-03, 2026-12-15, 2026-12-31T23:59:59, 2027-01-01T00:00:00 (a
# Friday: ISO week 2026-W53), 2027-01-04 (Monday, 2027-W01)
NOV03=1793700000
DEC15=1797328800
JAN01=1798761600
JAN04=1799020800

test_expect_success 'setup: two repositories across a year end, a pull request' '
	git init -q -b main hist &&
	commit_at hist $NOV03 init.txt init "initial" &&
	commit_at hist $DEC15 docs.md "# docs" "Add docs" &&
	commit_at hist $((JAN01 - 1)) k.cu "off = static_cast<index_t>(i) * s;" "Widen offsets" &&
	commit_at hist $JAN01 d.cu "if (sm_version >= 120) {" "Dispatch SM120" &&
	commit_at hist $JAN04 b.cu "if (sm_version >= 100) {" "fix: SM100 path" &&
	git -C hist checkout -q -b pr &&
	commit_at hist $((JAN04 + 3600)) configs/t.json "{}" "Tuning" &&
	git -C hist checkout -q main &&
	mirror_of hist hist.git &&
	git -C hist push -q ../hist.git pr:refs/pull/1/head &&
	git -C hist.git branch -q -D pr &&
	git init -q -b main other &&
	commit_at other $((JAN01 + 86400)) README.md "# other" "Readme" &&
	mirror_of other other.git &&
	ms_scan hist.git other.git 2>err
'

test_expect_success 'by month (the default), every tag, as a text table' '
	mirrorscan stats >actual &&
	cat >expect <<-\EOT &&
	PERIOD   COMMITS  TAGGED  docs  fix  hw/blackwell  kernel/dispatch  kernel/int-overflow
	2026-11        1       0     0    0             0                0                    0
	2026-12        2       2     1    0             0                0                    1
	2027-01        3       3     1    1             2                2                    0
	EOT
	test_cmp expect actual
'

test_expect_success 'by ISO week: 2027-01-01 is in 2026-W53; empty weeks are listed' '
	mirrorscan stats --by week --tag hw/blackwell --since 2026-12-14 >actual &&
	cat >expect <<-\EOT &&
	PERIOD    COMMITS  TAGGED  hw/blackwell
	2026-W51        1       0             0
	2026-W52        0       0             0
	2026-W53        3       1             1
	2027-W01        1       1             1
	EOT
	test_cmp expect actual
'

test_expect_success 'by day, one repository, --since and --until as the window' '
	mirrorscan stats --by day --repo hist --tag kernel/int-overflow \
		--tag hw/blackwell --since 2026-12-31 --until 2027-01-03 >actual &&
	cat >expect <<-\EOT &&
	PERIOD      COMMITS  TAGGED  kernel/int-overflow  hw/blackwell
	2026-12-31        1       1                    1             0
	2027-01-01        1       1                    0             1
	2027-01-02        0       0                    0             0
	EOT
	test_cmp expect actual
'

test_expect_success 'when did hw/blackwell start: the first month with a count' '
	mirrorscan stats --tag hw/blackwell --format csv >s.csv &&
	"$PYTHON3" - s.csv <<-\PY
	import csv, sys
	raw = open(sys.argv[1], "rb").read()
	assert raw.endswith(b"\r\n"), raw[-4:]
	rows = list(csv.DictReader(open(sys.argv[1], newline="")))
	first = [r["period"] for r in rows if int(r["hw/blackwell"])][0]
	assert first == "2027-01", rows
	print("ok")
	PY
'

test_expect_success 'csv: a header, a row per period, the start of each' '
	mirrorscan stats --by week --format csv >actual &&
	printf "%s\r\n" \
		"period,start,commits,tagged,docs,fix,hw/blackwell,kernel/dispatch,kernel/int-overflow" \
		"2026-W45,2026-11-02T00:00:00Z,1,0,0,0,0,0,0" \
		"2026-W46,2026-11-09T00:00:00Z,0,0,0,0,0,0,0" \
		"2026-W47,2026-11-16T00:00:00Z,0,0,0,0,0,0,0" \
		"2026-W48,2026-11-23T00:00:00Z,0,0,0,0,0,0,0" \
		"2026-W49,2026-11-30T00:00:00Z,0,0,0,0,0,0,0" \
		"2026-W50,2026-12-07T00:00:00Z,0,0,0,0,0,0,0" \
		"2026-W51,2026-12-14T00:00:00Z,1,1,1,0,0,0,0" \
		"2026-W52,2026-12-21T00:00:00Z,0,0,0,0,0,0,0" \
		"2026-W53,2026-12-28T00:00:00Z,3,3,1,0,1,1,1" \
		"2027-W01,2027-01-04T00:00:00Z,1,1,0,1,1,1,0" >expect &&
	test_cmp expect actual
'

test_expect_success 'json: parsed back, the same counts' '
	mirrorscan stats --format json >s.json &&
	"$PYTHON3" - s.json <<-\PY
	import json, sys
	s = json.load(open(sys.argv[1]))
	assert s["by"] == "month" and s["since"] is None and s["until"] is None, s
	assert s["repos"] == ["hist", "other"], s["repos"]
	assert s["tags"] == ["docs", "fix", "hw/blackwell", "kernel/dispatch",
	                     "kernel/int-overflow"], s["tags"]
	got = [(p["period"], p["start"], p["commits"], p["tagged"],
	        p["tags"]["hw/blackwell"]) for p in s["periods"]]
	assert got == [("2026-11", "2026-11-01T00:00:00Z", 1, 0, 0),
	               ("2026-12", "2026-12-01T00:00:00Z", 2, 2, 0),
	               ("2027-01", "2027-01-01T00:00:00Z", 3, 3, 2)], got
	print("ok")
	PY
'

test_expect_success 'proposed commits are not counted' '
	mirrorscan stats --tag kernel/tuning-config --format json >s.json &&
	json_lines "[p[\"tags\"][\"kernel/tuning-config\"] for p in o[\"periods\"]]" <s.json >actual &&
	printf "0\n0\n0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'nothing in the range: the empty periods, exit 0' '
	mirrorscan stats --since 2025-01-01 --until 2025-03-01 >actual &&
	printf "%s\n" "PERIOD   COMMITS  TAGGED" "2025-01        0       0" \
		"2025-02        0       0" >expect &&
	test_cmp expect actual &&
	git init -q --bare empty.git &&
	ms_scan --db "$TRASH/db-empty" empty.git 2>err &&
	mirrorscan --db "$TRASH/db-empty" stats >actual &&
	echo "PERIOD  COMMITS  TAGGED" >expect &&
	test_cmp expect actual &&
	mirrorscan --db "$TRASH/db-empty" stats --format json >s.json &&
	json_field periods <s.json >actual &&
	echo "" >expect &&
	test_cmp expect actual
'

test_expect_success 'errors: exit 2' '
	test_expect_code 2 mirrorscan stats --by year >out 2>err &&
	test_must_be_empty out &&
	test_grep "unknown --by .year. (day, week, month)" err &&
	test_expect_code 2 mirrorscan stats --format ndjson 2>err &&
	test_grep "unknown --format .ndjson. (text, csv, json)" err &&
	test_expect_code 2 mirrorscan stats --repo nope >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: no repository .nope. in the index\$" err &&
	test_expect_code 2 mirrorscan stats --since 2027-01-01 --until 2026-01-01 2>err &&
	test_grep "since must be before --until" err &&
	test_expect_code 2 mirrorscan --db "$TRASH/none" stats 2>err &&
	test_grep "no index at" err &&
	mirrorscan stats --help >out &&
	test_grep "^usage: mirrorscan stats " out
'

test_done
