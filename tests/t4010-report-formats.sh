#!/bin/sh
test_description='report: json, ndjson, csv and sarif parsed back by real
parsers; every format lists the same commits; the window edges'
. "$(dirname "$0")/test-lib.sh"
. "$MIRRORSCAN_SRC_DIR/tests/data/report-fixture.sh"

# ms_report ARGS: report with the test rules (sarif describes them)
ms_report () {
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" report "$@"
}

test_expect_success 'setup' '
	report_fixture &&
	git -C acme+kernels/repo rev-list --exclude="refs/pull/*/merge" --all \
		--since=2026-02-15T00:00:00Z --until=2026-02-15T23:59:59Z >window &&
	sort window >window.sorted &&
	test_line_count = 9 window.sorted
'

test_expect_success 'json: the contract shape, every repository, the commits of the window' '
	ms_report --format json >r.json &&
	"$PYTHON3" - r.json window.sorted <<-\PY
	import json, sys
	doc = json.load(open(sys.argv[1], encoding="utf-8"))
	assert sorted(doc) == ["generated", "repos", "since", "until"], sorted(doc)
	assert doc["generated"] == "2026-02-16T12:00:00Z", doc["generated"]
	assert doc["since"] == "2026-02-15T00:00:00Z", doc["since"]
	assert doc["until"] == "2026-02-16T00:00:00Z", doc["until"]
	names = [r["name"] for r in doc["repos"]]
	assert names == ["acme/kernels", "quiet", "tools"], names
	byname = {r["name"]: r["commits"] for r in doc["repos"]}
	assert byname["quiet"] == [], byname["quiet"]
	want = open(sys.argv[2]).read().split()
	got = sorted(c["oid"] for c in byname["acme/kernels"])
	assert got == want, (got, want)
	times = [c["time"] for c in byname["acme/kernels"]]
	assert times == sorted(times, reverse=True), times
	for c in byname["acme/kernels"] + byname["tools"]:
	    for k in ("repo", "oid", "short", "time", "author", "email",
	              "subject", "pr", "refs", "files", "tags", "matches",
	              "landed"):
	        assert k in c, (k, c)
	    assert c["time"].startswith("2026-02-15T"), c["time"]
	    for m in c["matches"]:
	        assert sorted(m) == ["line", "path", "rule", "side", "tags",
	                             "text"], m
	fix = [c for c in byname["acme/kernels"]
	       if c["subject"] == "Fix int32 overflow in strides (#12)"][0]
	assert fix["pr"] == 12 and fix["landed"] is True, fix
	assert fix["tags"] == ["fix", "kernel/int-overflow"], fix["tags"]
	m = [m for m in fix["matches"] if m["rule"] == "overflow"][0]
	assert (m["path"], m["line"], m["side"]) == ("k.cu", 1, "added"), m
	assert m["text"] == "off = static_cast<index_t>(i) * s;", m
	prop = sorted((c["pr"], c["subject"]) for c in
	              byname["acme/kernels"] + byname["tools"] if not c["landed"])
	assert prop == sorted([(5, "Add a CI workflow"),
	                       (12, "WIP: widen offsets"), (12, "Address review"),
	                       (13, "Add tuning config for H100")]), prop
	print("ok")
	PY
'

test_expect_success 'json: the commit objects are those of log and show' '
	ms_report --format json >r.json &&
	"$PYTHON3" -c "
import json, sys
doc = json.load(open(\"r.json\"))
for r in doc[\"repos\"]:
    for c in r[\"commits\"]:
        print(json.dumps(c, sort_keys=True))
" | sort >actual &&
	mirrorscan log --format ndjson --since 2026-02-15 --until 2026-02-16 >log.ndjson &&
	json_eval "json.dumps(o, sort_keys=True)" <log.ndjson | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'ndjson: one line per repository, each a whole JSON object' '
	ms_report --format ndjson >r.ndjson &&
	test_line_count = 3 r.ndjson &&
	ms_report --format json >r.json &&
	"$PYTHON3" - r.ndjson r.json <<-\PY
	import json, sys
	lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
	assert lines[-1] == "", lines[-1]
	objs = [json.loads(l) for l in lines[:-1]]
	doc = json.load(open(sys.argv[2], encoding="utf-8"))
	for o, r in zip(objs, doc["repos"]):
	    assert o["name"] == r["name"], (o["name"], r["name"])
	    assert o["commits"] == r["commits"], o["name"]
	    for k in ("generated", "since", "until"):
	        assert o[k] == doc[k], k
	print("ok")
	PY
'

test_expect_success 'csv: RFC 4180 with CRLF, one row per commit, parsed back' '
	ms_report --format csv >r.csv &&
	ms_report --format json >r.json &&
	"$PYTHON3" - r.csv r.json <<-\PY
	import csv, json, sys
	raw = open(sys.argv[1], "rb").read()
	assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), raw
	rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
	head = ["repo", "oid", "time", "author", "email", "subject", "pr",
	        "landed", "tags", "files", "added", "removed"]
	assert rows[0] == head, rows[0]
	doc = json.load(open(sys.argv[2], encoding="utf-8"))
	want = []
	for r in doc["repos"]:
	    for c in r["commits"]:
	        want.append([r["name"], c["oid"], c["time"], c["author"],
	                     c["email"], c["subject"],
	                     "" if c["pr"] is None else str(c["pr"]),
	                     "true" if c["landed"] else "false",
	                     " ".join(c["tags"]), str(c["files_total"]),
	                     str(sum(f["added"] or 0 for f in c["files"])),
	                     str(sum(f["removed"] or 0 for f in c["files"]))])
	assert rows[1:] == want, (rows[1:], want)
	print("ok")
	PY
'

test_expect_success 'sarif: 2.1.0, a run per repository, a result per match' '
	ms_report --format sarif >r.sarif &&
	ms_report --format json >r.json &&
	"$PYTHON3" - r.sarif r.json <<-\PY
	import json, sys
	s = json.load(open(sys.argv[1], encoding="utf-8"))
	doc = json.load(open(sys.argv[2], encoding="utf-8"))
	assert s["version"] == "2.1.0", s["version"]
	assert s["$schema"].endswith("sarif-2.1.0.json"), s["$schema"]
	assert len(s["runs"]) == len(doc["repos"]) == 3
	for run, repo in zip(s["runs"], doc["repos"]):
	    assert run["properties"]["repo"] == repo["name"]
	    drv = run["tool"]["driver"]
	    assert drv["name"] == "mirrorscan", drv
	    ids = [r["id"] for r in drv["rules"]]
	    assert ids == sorted(set(ids)), ids
	    want = sorted((c["oid"], m["rule"], m["side"], m["path"] or "",
	                   m["line"]) for c in repo["commits"]
	                  for m in c["matches"])
	    assert sorted(set(m[1] for m in want)) == ids, (ids, want)
	    got = []
	    for res in run["results"]:
	        assert res["ruleId"] == ids[res["ruleIndex"]], res
	        assert res["level"] == "note"
	        assert isinstance(res["message"]["text"], str) and res["message"]["text"]
	        assert len(res["locations"]) == 1
	        loc = res["locations"][0]
	        p = res["properties"]
	        if p["side"] == "message":
	            assert "physicalLocation" not in loc, loc
	            assert loc["logicalLocations"][0]["fullyQualifiedName"] == p["commit"]
	            path = ""
	            line = 1
	        else:
	            phys = loc["physicalLocation"]
	            path = phys["artifactLocation"]["uri"]
	            if p["side"] == "path":
	                assert "region" not in phys, phys
	                line = 0
	            else:
	                line = phys["region"]["startLine"]
	                assert isinstance(line, int) and line >= 1, phys
	                assert phys["region"]["snippet"]["text"]
	        assert len(res["partialFingerprints"]) == 1
	        got.append((p["commit"], res["ruleId"], p["side"], path, line))
	    want = [(o, r, sd, pa, 1 if sd == "message" else ln)
	            for (o, r, sd, pa, ln) in want]
	    assert sorted(got) == want, (sorted(got), want)
	kr = s["runs"][0]
	descs = {r["id"]: r["shortDescription"]["text"]
	         for r in kr["tool"]["driver"]["rules"]}
	assert descs["overflow"] == "index arithmetic widened by static_cast<index_t>", descs
	over = [r for r in kr["results"] if r["ruleId"] == "overflow"
	        and r["properties"]["landed"]][0]
	reg = over["locations"][0]["physicalLocation"]
	assert reg["artifactLocation"]["uri"] == "k.cu", reg
	assert reg["region"]["startLine"] == 1, reg
	assert "Fix int32 overflow in strides (#12)" in over["message"]["text"], over
	assert s["runs"][1]["results"] == [] and s["runs"][1]["tool"]["driver"]["rules"] == []
	print("ok")
	PY
'

test_expect_success 'the formats agree on what the window holds' '
	ms_report --format json >r.json &&
	json_lines "[c[\"oid\"] for r in o[\"repos\"] for c in r[\"commits\"]]" <r.json | sort >expect &&
	ms_report --format csv | sed 1d | cut -d, -f2 | sort >actual &&
	test_cmp expect actual &&
	ms_report --format ndjson | json_lines "[c[\"oid\"] for c in o[\"commits\"]]" | sort >actual &&
	test_cmp expect actual &&
	ms_report --format md >r.md &&
	sed -n "s/^- \\*\\*\`\\([0-9a-f]*\\)\`\\*\\* .*/\\1/p" r.md | sort >actual.md &&
	cut -c1-7 expect | sort >expect.md &&
	test_cmp expect.md actual.md &&
	ms_report --format html >r.html &&
	sed -n "s/.*<code title=\"\\([0-9a-f]*\\)\">.*/\\1/p" r.html | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'window edges: 00:00:00 is in, 00:00:00 of the next day is out' '
	git init -q -b main edge &&
	DAY0=$((TEST_TICK_START - 36000)) &&
	for t in $((DAY0 - 1)) $DAY0 $((DAY0 + 86399)) $((DAY0 + 86400)); do
		echo $t >edge/t.txt &&
		git -C edge add t.txt &&
		at_time $t git -C edge commit -q -m "at $t" || return 1
	done &&
	mirror_of edge edge.git &&
	ms_scan --db "$TRASH/db-edge" edge.git 2>err &&
	for f in json csv md sarif html ndjson; do
		mirrorscan --db "$TRASH/db-edge" report --format $f >edge.$f || return 1
	done &&
	json_lines "[c[\"subject\"] for r in o[\"repos\"] for c in r[\"commits\"]]" <edge.json >actual &&
	printf "at %s\nat %s\n" $((DAY0 + 86399)) $DAY0 >expect &&
	test_cmp expect actual &&
	for f in csv md html; do
		test_grep "at $DAY0" edge.$f &&
		test_grep "at $((DAY0 + 86399))" edge.$f &&
		test_grep -v "at $((DAY0 - 1))" edge.$f &&
		test_grep -v "at $((DAY0 + 86400))" edge.$f || return 1
	done
'

test_done
