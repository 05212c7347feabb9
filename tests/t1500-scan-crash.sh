#!/bin/sh
test_description='scan: killed with SIGKILL at any point, then rerun; two scans at once'
. "$(dirname "$0")/test-lib.sh"

NCOMMITS=3000

# consistent DB [--no-count]: whatever the index holds is valid: every
# listed commit is a commit of big.git, none twice, and (unless a scan is
# still writing) the repository's count agrees
consistent () {
	"$MIRRORSCAN_BIN" --db "$1" log --format ndjson >"$TEST_LIB/c.log" 2>"$TEST_LIB/c.err"
	c_rc=$?
	if test $c_rc = 1; then
		test_must_be_empty "$TEST_LIB/c.log" || return 1
		c_n=0
	elif test $c_rc = 0; then
		json_field oid <"$TEST_LIB/c.log" | sort >"$TEST_LIB/c.oids" &&
		sort -u "$TEST_LIB/c.oids" >"$TEST_LIB/c.uniq" &&
		test_cmp "$TEST_LIB/c.uniq" "$TEST_LIB/c.oids" &&
		comm -23 "$TEST_LIB/c.oids" all.oids >"$TEST_LIB/c.extra" &&
		test_must_be_empty "$TEST_LIB/c.extra" || return 1
		c_n=$(wc -l <"$TEST_LIB/c.oids" | tr -d " ")
	else
		echo "log exited $c_rc:" && cat "$TEST_LIB/c.err"
		return 1
	fi
	echo $c_n >"$TEST_LIB/c.n"
	if test "$2" = --no-count; then
		return 0
	fi
	"$MIRRORSCAN_BIN" --db "$1" repos --format json >"$TEST_LIB/c.repos" &&
	json_eval "o[\"commits\"]" <"$TEST_LIB/c.repos" >"$TEST_LIB/c.count" &&
	if test $c_n = 0; then
		# no batch written, or an empty record
		grep -v "^0\$" "$TEST_LIB/c.count" >"$TEST_LIB/c.nonzero"
		test_must_be_empty "$TEST_LIB/c.nonzero"
	else
		echo $c_n >"$TEST_LIB/c.want" &&
		test_cmp "$TEST_LIB/c.want" "$TEST_LIB/c.count"
	fi
}

# same_log A B: two ndjson logs are equal; when not, what differs in the
# first commits that differ
same_log () {
	cmp -s "$1" "$2" && return 0
	"$PYTHON3" - "$1" "$2" <<-\PY
	import json, sys
	a = [json.loads(l) for l in open(sys.argv[1])]
	b = [json.loads(l) for l in open(sys.argv[2])]
	print("%s has %d commits, %s has %d" % (sys.argv[1], len(a), sys.argv[2], len(b)))
	shown = 0
	for x, y in zip(a, b):
	    if x == y:
	        continue
	    for k in sorted(set(x) | set(y)):
	        if x.get(k) != y.get(k):
	            print("%s (%s) %s:\n  %s\n  %s" % (x.get("short"), x.get("subject"),
	                  k, json.dumps(x.get(k))[:300], json.dumps(y.get(k))[:300]))
	    shown += 1
	    if shown == 3:
	        break
	PY
	return 1
}

# complete DB: the index holds every commit of big.git exactly once
complete () {
	"$MIRRORSCAN_BIN" --db "$1" log --format ndjson >"$TEST_LIB/c.log" &&
	json_field oid <"$TEST_LIB/c.log" >"$TEST_LIB/c.listed" &&
	sort "$TEST_LIB/c.listed" >"$TEST_LIB/c.oids" &&
	test_cmp all.oids "$TEST_LIB/c.oids" &&
	echo $(wc -l <all.oids) >"$TEST_LIB/c.want" &&
	"$MIRRORSCAN_BIN" --db "$1" repos --format json >"$TEST_LIB/c.repos" &&
	json_field commits <"$TEST_LIB/c.repos" >"$TEST_LIB/c.count" &&
	test_cmp "$TEST_LIB/c.want" "$TEST_LIB/c.count"
}

test_expect_success "setup: $NCOMMITS commits with git fast-import" '
	git init -q --bare big.git &&
	"$PYTHON3" - $NCOMMITS $TEST_TICK_START <<-\PY >stream &&
	import sys
	n, start = int(sys.argv[1]), int(sys.argv[2])
	out = sys.stdout
	def data(s):
	    b = s.encode()
	    out.write("data %d\n%s\n" % (len(b), s))
	def commit(ref, mark, parent, t, msg, path, content):
	    out.write("commit %s\nmark :%d\n" % (ref, mark))
	    out.write("author A U Thor <author@example.com> %d +0000\n" % t)
	    out.write("committer C O Mitter <committer@example.com> %d +0000\n" % t)
	    data(msg)
	    if parent:
	        out.write("from :%d\n" % parent)
	    out.write("M 100644 inline %s\n" % path)
	    data(content)
	for i in range(1, n + 1):
	    body = "".join("line %d of commit %d\n" % (k, i) for k in range(20))
	    if i % 7 == 0:
	        body += "off = static_cast<index_t>(i) * %d;\n" % i
	    commit("refs/heads/main", i, i - 1, start + 60 * i,
	           "Commit %d" % i, "src/f%d.cu" % (i % 50), body)
	# a pull request of 30 commits off commit 1500
	for j in range(1, 31):
	    commit("refs/pull/1/head", n + j, 1500 if j == 1 else n + j - 1,
	           start + 60 * (n + j), "PR commit %d" % j, "pr/p%d.cu" % j,
	           "if (sm_version >= 120) { %d }\n" % j)
	PY
	git -C big.git fast-import --quiet <stream &&
	git -C big.git rev-list --all | sort >all.oids &&
	test_line_count = $((NCOMMITS + 30)) all.oids
'

test_expect_success 'a full scan, timed' '
	start=$(date +%s%N) &&
	ms_scan --db "$TRASH/db-full" big.git 2>err &&
	end=$(date +%s%N) &&
	echo $(( (end - start) / 1000000 )) >full-ms &&
	echo "# a full scan took $(cat full-ms) ms" &&
	test_grep "^mirrorscan: big: $((NCOMMITS + 30)) new commits ($((NCOMMITS / 7 + 30)) tagged)" err &&
	complete db-full
'

# Each round starts a scan of a fresh index, kills it with SIGKILL after a
# fraction of the time a full scan took, checks what it left, and reruns
# the scan to the end, which must give the index a scan never killed
# gives.  Rounds go on until two kills left a part of the commits written
# (a batch or more, not all).
test_expect_success 'kill -9 at several points, then rerun: nothing lost or doubled' '
	full=$(cat full-ms) &&
	kills=0 &&
	round=0 &&
	total=$(wc -l <all.oids) &&
	for pct in 40 60 80 30 50 70 90 20 85 95 45 65 75 10 55; do
		round=$((round + 1)) &&
		db=db-kill-$round &&
		delay=$(( full * pct / 100 )) || return 1
		# "&" ends an and-list: start the scan on its own
		"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" \
			--db "$TRASH/$db" scan big.git 2>err-$round &
		pid=$!
		sleep $(printf "%d.%03d" $((delay / 1000)) $((delay % 1000))) &&
		{ kill -9 $pid 2>/dev/null || :; } &&
		rc=0 &&
		{ wait $pid || rc=$?; } &&
		echo "# round $round: killed after $delay ms, exit $rc" &&
		if test $rc != 0 && test $rc != 137
		then
			echo "scan exited $rc" && cat err-$round && return 1
		fi &&
		echo 0 >"$TEST_LIB/c.n" &&
		if test -e $db/data.mdb
		then
			consistent $db || { echo "inconsistent after round $round"; return 1; }
		fi &&
		n=$(cat "$TEST_LIB/c.n") &&
		echo "# round $round: $n of $total commits written" &&
		if test $rc = 137 && test $n -gt 0 && test $n -lt $total
		then
			kills=$((kills + 1))
		fi &&
		ms_scan --db "$TRASH/$db" big.git 2>rerun-$round &&
		{ complete $db || { echo "incomplete after round $round"; cat rerun-$round; return 1; }; } &&
		mirrorscan --db "$TRASH/$db" log --format ndjson >$db.log &&
		mirrorscan --db "$TRASH/db-full" log --format ndjson >full.log &&
		{ same_log full.log $db.log || { echo "round $round: the index differs from a scan never killed"; cat rerun-$round; return 1; }; } &&
		ms_scan --db "$TRASH/$db" big.git 2>again-$round &&
		echo "mirrorscan: big: up to date" >expect &&
		test_cmp expect again-$round &&
		if test $kills -ge 2
		then
			break
		fi || return 1
	done &&
	test $kills -ge 2
'

test_expect_success 'kill -9 repeatedly on one index, then finish' '
	full=$(cat full-ms) &&
	for pct in 40 30 50; do
		"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" \
			--db "$TRASH/db-repeat" scan big.git 2>/dev/null &
		pid=$!
		delay=$(( full * pct / 100 )) &&
		sleep $(printf "%d.%03d" $((delay / 1000)) $((delay % 1000))) &&
		{ kill -9 $pid 2>/dev/null || :; } &&
		{ wait $pid || :; } &&
		if test -e db-repeat/data.mdb
		then
			consistent db-repeat
		fi || return 1
	done &&
	ms_scan --db "$TRASH/db-repeat" big.git 2>err &&
	complete db-repeat &&
	mirrorscan --db "$TRASH/db-repeat" log --format ndjson >a.log &&
	mirrorscan --db "$TRASH/db-full" log --format ndjson >b.log &&
	same_log b.log a.log
'

test_expect_success 'two scans at once: one fails clearly or both succeed; the index is whole' '
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" \
		--db "$TRASH/db-two" scan big.git >out1 2>err1 &
	p1=$!
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" \
		--db "$TRASH/db-two" scan big.git >out2 2>err2 &
	p2=$!
	test -n "$p1" && test -n "$p2" &&
	r1=0 && r2=0 &&
	{ wait $p1 || r1=$?; } &&
	{ wait $p2 || r2=$?; } &&
	echo "# exits: $r1 $r2" &&
	case "$r1 $r2" in
	"0 0"|"0 2"|"2 0") ;;
	*) echo "unexpected exits $r1 $r2"; cat err1 err2; return 1 ;;
	esac &&
	for i in 1 2; do
		eval "r=\$r$i" &&
		if test $r = 2
		then
			echo "mirrorscan: another scan is writing the index '"'"'$TRASH/db-two'"'"'; try again when it has finished" >expect &&
			test_cmp expect err$i || return 1
		fi
	done &&
	complete db-two &&
	ms_scan --db "$TRASH/db-two" big.git 2>err &&
	echo "mirrorscan: big: up to date" >expect &&
	test_cmp expect err
'

test_expect_success 'a query while a scan writes sees a valid index' '
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" \
		--db "$TRASH/db-read" scan big.git 2>/dev/null &
	pid=$!
	sleep 0.3 &&
	n=0 &&
	while kill -0 $pid 2>/dev/null && test $n -lt 50; do
		n=$((n + 1)) &&
		if test -e db-read/data.mdb
		then
			consistent db-read --no-count || { kill -9 $pid; return 1; }
		fi
	done &&
	{ wait $pid || { echo "scan failed"; return 1; }; } &&
	complete db-read
'

test_done
