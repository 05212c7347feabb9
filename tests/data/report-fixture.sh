# report-fixture.sh: the repositories of the report tests (t4000-t4030),
# sourced after test-lib.sh; report_fixture builds them in the trash
# directory and scans them with the test rules into $MIRRORSCAN_DB.
#
# The window is 2026-02-15 (UTC), "yesterday" for test-lib's fixed now.
#
#   acme+kernels/repo  "acme/kernels": history from 2026-02-10; on the
#       15th an overflow fix (#12, squash-merged), SM120 dispatch, a
#       vendoring commit of 15 files (one of them a tuning config: the
#       fold shows it first), docs, a subject full of markdown, and a
#       commit at 23:59:59; one at 00:00:00 on the 16th is out of the
#       window.  Pull requests: #12 (two commits, landed in the window
#       as the squash) and #13 (a tuning config, open: GitHub's test
#       merge refs/pull/13/merge is there).
#   quiet.git   "quiet": nothing after 2026-02-10: "no updates"
#   tools.git   "tools": no landed commit in the window, pull request #5

# at_time SECONDS CMD...: CMD with both dates set to SECONDS (UTC)
at_time () {
	at_t_=$1
	shift
	GIT_AUTHOR_DATE="$at_t_ +0000" GIT_COMMITTER_DATE="$at_t_ +0000" "$@"
}

report_fixture () {
	DAY0=$((TEST_TICK_START - 36000))	# 2026-02-15T00:00:00Z
	OLD=$((DAY0 - 5 * 86400))		# 2026-02-10T00:00:00Z

	# ---- acme/kernels
	echo $((OLD + 36000)) >"$TEST_LIB/tick" &&
	test_tick_load_ &&
	make_repo kernels &&
	test_commit -C kernels "Add kernel sources" k.cu "off = i * s;" &&
	base=$(git -C kernels rev-parse HEAD) &&

	echo "$TEST_TICK_START" >"$TEST_LIB/tick" &&
	test_tick_load_ &&
	(
		GIT_AUTHOR_NAME="Alice Zhang" &&
		GIT_AUTHOR_EMAIL=alice@example.org &&
		export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL &&
		test_commit -C kernels "Fix int32 overflow in strides (#12)" \
			k.cu "off = static_cast<index_t>(i) * s;"
	) &&
	(
		GIT_AUTHOR_NAME="Bob" &&
		GIT_AUTHOR_EMAIL=bob@example.net &&
		export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL &&
		test_commit -C kernels "Dispatch SM120 kernels" \
			d.cu "if (sm_version >= 120) {"
	) &&
	mkdir -p kernels/third_party kernels/configs &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do
		printf "#pragma once\n// header %s\n" $i \
			>kernels/third_party/h$i.h || return 1
	done &&
	echo "{\"BLOCK_M\": 128}" >kernels/configs/moe.json &&
	git -C kernels add third_party configs &&
	git_commit -C kernels "Vendor third-party headers" &&
	test_commit -C kernels "Update the docs" README.md "# kernels" &&
	test_commit -C kernels "Use \`int64_t\` for *all* offsets | part 1" \
		notes.txt "offsets" &&
	echo "late" >kernels/late.txt &&
	git -C kernels add late.txt &&
	at_time $((DAY0 + 86399)) git -C kernels commit -q -m "Late night cleanup" &&
	echo "next" >kernels/next.txt &&
	git -C kernels add next.txt &&
	at_time $((DAY0 + 86400)) git -C kernels commit -q -m "Next day" &&

	git -C kernels checkout -q -b pr12 $base &&
	test_commit -C kernels "WIP: widen offsets" k.cu \
		"off = static_cast<index_t>(i) * s; // wip" &&
	test_commit -C kernels "Address review" review.txt "done" &&
	git -C kernels checkout -q -b pr13 $base &&
	test_commit -C kernels "Add tuning config for H100" \
		configs/h100.json "{\"BLOCK_N\": 64}" &&
	git -C kernels checkout -q -b merge13 main &&
	git -C kernels merge -q --no-ff -m "Merge 13 into main" pr13 &&
	git -C kernels checkout -q main &&
	mkdir acme+kernels &&
	git clone -q --mirror kernels acme+kernels/repo &&
	git -C kernels push -q ../acme+kernels/repo pr12:refs/pull/12/head \
		pr13:refs/pull/13/head merge13:refs/pull/13/merge &&
	git -C acme+kernels/repo branch -q -D pr12 pr13 merge13 &&

	# ---- quiet
	echo $((OLD + 40000)) >"$TEST_LIB/tick" &&
	test_tick_load_ &&
	make_repo quiet &&
	test_commit -C quiet "Old news" old.txt "old" &&
	mirror_of quiet quiet.git &&

	# ---- tools
	make_repo tools &&
	git -C tools checkout -q -b ci &&
	echo "$((TEST_TICK_START + 3600))" >"$TEST_LIB/tick" &&
	test_tick_load_ &&
	test_commit -C tools "Add a CI workflow" .github/workflows/ci.yml \
		"on: push" &&
	git -C tools checkout -q main &&
	mirror_of tools tools.git &&
	git -C tools push -q ../tools.git ci:refs/pull/5/head &&
	git -C tools.git branch -q -D ci &&

	ms_scan acme+kernels/repo quiet.git tools.git 2>scan.err
}
