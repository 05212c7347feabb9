#!/bin/sh
test_description='command line: help, version, usage errors, DATE, --db'
. "$(dirname "$0")/test-lib.sh"

test_expect_success '--help prints the usage on stdout and exits 0' '
	mirrorscan --help >out 2>err &&
	test_must_be_empty err &&
	head -n 1 out >first &&
	echo "usage: mirrorscan [--db PATH] [--rules PATH]... [--no-default-rules]" >expect &&
	test_cmp expect first &&
	for cmd in scan log show repos rules; do
		test_grep "^  $cmd " out || return 1
	done &&
	mirrorscan -h >out-h &&
	test_cmp out out-h
'

test_expect_success 'COMMAND --help prints that command'"'"'s usage' '
	mirrorscan scan --help >out 2>err &&
	test_must_be_empty err &&
	test_grep "^usage: mirrorscan scan \[--jobs N\]" out &&
	test_grep -v "^  log " out &&
	mirrorscan log --help >out &&
	test_grep "^usage: mirrorscan log " out &&
	test_grep -e "--landed|--proposed" out
'

test_expect_success '--version names mirrorscan, libgit2, libdeflate, PCRE2 and LMDB' '
	mirrorscan --version >out 2>err &&
	test_must_be_empty err &&
	version=$(sed -n "s/^AC_INIT(\[mirrorscan\], \[\([^]]*\)\].*/\1/p" \
		"$MIRRORSCAN_SRC_DIR/configure.ac") &&
	echo "mirrorscan $version" >expect &&
	head -n 1 out >first &&
	test_cmp expect first &&
	test_grep "libgit2 [0-9][0-9]*\.[0-9][0-9]*\.[0-9]" out &&
	test_grep "libdeflate [0-9][0-9]*\.[0-9]" out &&
	test_grep "PCRE2 [0-9][0-9]*\.[0-9]" out &&
	test_grep "JIT" out &&
	test_grep "LMDB [0-9][0-9]*\.[0-9][0-9]*\.[0-9]" out &&
	mirrorscan -V >out-v &&
	test_cmp out out-v
'

test_expect_success 'no command is a usage error' '
	test_expect_code 2 mirrorscan >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOT &&
	mirrorscan: no command given
	see '"'"'mirrorscan --help'"'"'
	EOT
	test_cmp expect err
'

test_expect_success 'an unknown command exits 2 and points to --help' '
	test_expect_code 2 mirrorscan frobnicate >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOT &&
	mirrorscan: unknown command '"'"'frobnicate'"'"'
	see '"'"'mirrorscan --help'"'"'
	EOT
	test_cmp expect err
'

test_expect_success 'an unknown global option exits 2 and points to --help' '
	test_expect_code 2 mirrorscan --frobnicate log >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: unknown option .--frobnicate." err &&
	test_grep "^see '"'"'mirrorscan --help'"'"'\$" err &&
	test_line_count = 2 err
'

test_expect_success 'an unknown option of a command exits 2' '
	for cmd in scan log show repos rules; do
		test_expect_code 2 mirrorscan $cmd --frobnicate >out 2>err &&
		test_must_be_empty out &&
		test_grep "frobnicate" err &&
		test_grep "^see '"'"'mirrorscan --help'"'"'\$" err || return 1
	done
'

test_expect_success 'a missing option value exits 2' '
	test_expect_code 2 mirrorscan --db >out 2>err &&
	test_grep "^see '"'"'mirrorscan --help'"'"'\$" err &&
	test_expect_code 2 mirrorscan log --tag >out 2>err &&
	test_grep "^see '"'"'mirrorscan --help'"'"'\$" err
'

test_expect_success 'log on a missing index exits 2 and says so' '
	test_expect_code 2 mirrorscan log >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: no index at '"'"'$TRASH/db'"'"' (run '"'"'mirrorscan scan'"'"' first, or give --db)" >expect &&
	test_cmp expect err &&
	! test -e db
'

test_expect_success 'show and repos on a missing index exit 2' '
	test_expect_code 2 mirrorscan --db "$TRASH/nowhere" repos >out 2>err &&
	test_must_be_empty out &&
	test_grep "no index at .$TRASH/nowhere." err &&
	test_expect_code 2 mirrorscan show 0123abcd >out 2>err &&
	test_must_be_empty out &&
	test_grep "no index at .$TRASH/db." err &&
	! test -e nowhere
'

test_expect_success 'setup: a small repository, scanned' '
	make_repo src &&
	test_commit -C src "Fix stride" src/k.cu "x = static_cast<index_t>(i) * s;" &&
	mirror_of src src.git &&
	ms_scan src.git 2>err &&
	test_grep "^mirrorscan: src: 2 new commits (1 tagged)" err
'

test_expect_success 'a bad --format exits 2 and names the format' '
	test_expect_code 2 mirrorscan log --format xml >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: log: unknown --format .xml." err &&
	test_grep "^see '"'"'mirrorscan --help'"'"'\$" err &&
	test_expect_code 2 mirrorscan show --format csv HEAD >out 2>err &&
	test_grep "unknown --format .csv." err &&
	test_expect_code 2 mirrorscan repos --format ndjson >out 2>err &&
	test_grep "unknown --format .ndjson." err
'

test_expect_success 'a bad DATE exits 2 and names it' '
	for d in 2026-02-30 2026-13-01 someday "3 fortnights ago" ""; do
		test_expect_code 2 mirrorscan log --since "$d" >out 2>err &&
		test_must_be_empty out &&
		test_grep -F "bad --since date '"'"'$d'"'"'" err &&
		test_grep "^see '"'"'mirrorscan --help'"'"'\$" err || return 1
	done &&
	test_expect_code 2 mirrorscan log --until tomorrowish >out 2>err &&
	test_grep -F "bad --until date '"'"'tomorrowish'"'"'" err &&
	test_expect_code 2 ms_scan --since nope src.git >out 2>err &&
	test_grep -F "bad --since date '"'"'nope'"'"'" err
'

# The commits are at 2026-02-15 10:01 and 10:02 UTC, "now" is
# 2026-02-16 12:00 UTC (MIRRORSCAN_TEST_NOW).
test_expect_success 'DATE forms, relative to MIRRORSCAN_TEST_NOW' '
	for d in 2026-02-15 2026-02-15T10:01:00Z "2026-02-15 10:01:00 +0000" \
		"2026-02-15T11:01:00+01:00" yesterday "1 day ago" "1 days ago" \
		"2 days ago" "2 weeks ago" "@1771149660"; do
		mirrorscan log --since "$d" --format ndjson >out ||
		{ echo "--since $d failed"; return 1; }
		test_line_count = 2 out || return 1
	done &&
	for d in 2026-02-16 today "2026-02-15T10:02:01Z" "1 hour ago"; do
		test_expect_code 1 mirrorscan log --since "$d" >out &&
		test_must_be_empty out || return 1
	done &&
	mirrorscan log --since 2026-02-15T10:02:00Z --format ndjson >out &&
	test_line_count = 1 out
'

test_expect_success 'bad numbers for scan --jobs and --max-size exit 2' '
	test_expect_code 2 ms_scan --jobs 0 src.git 2>err &&
	test_grep "jobs" err &&
	test_expect_code 2 ms_scan --jobs many src.git 2>err &&
	test_expect_code 2 ms_scan --max-size -5 src.git 2>err &&
	test_grep "max-size" err &&
	test_expect_code 2 ms_scan 2>err &&
	test_grep "no MIRROR given" err
'

test_expect_success '--quiet silences the summary, not errors' '
	mirrorscan -q --no-default-rules --rules "$TEST_RULES" scan src.git >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	test_expect_code 2 mirrorscan --quiet log --format nope 2>err &&
	test_grep "unknown --format" err
'

test_expect_success 'no escape sequences when stdout is not a terminal' '
	mirrorscan log >out &&
	test_line_count = 2 out &&
	! grep "$(printf "\033")" out
'

test_expect_success '--db and $MIRRORSCAN_DB choose the index' '
	mirrorscan --no-default-rules --rules "$TEST_RULES" --db "$TRASH/other" scan src.git 2>err &&
	test -f other/data.mdb &&
	mirrorscan --db "$TRASH/other" log --format ndjson >out &&
	test_line_count = 2 out &&
	MIRRORSCAN_DB="$TRASH/other" mirrorscan log --format ndjson >out2 &&
	test_cmp out out2
'

test_expect_success 'without --db: $XDG_CACHE_HOME/mirrorscan, else ~/.cache/mirrorscan' '
	(
		unset MIRRORSCAN_DB &&
		XDG_CACHE_HOME="$TRASH/xdg" &&
		export XDG_CACHE_HOME &&
		mirrorscan -q --no-default-rules --rules "$TEST_RULES" scan src.git
	) &&
	test -f xdg/mirrorscan/data.mdb &&
	(
		unset MIRRORSCAN_DB XDG_CACHE_HOME &&
		mirrorscan -q --no-default-rules --rules "$TEST_RULES" scan src.git &&
		mirrorscan log --format ndjson >home-log
	) &&
	test -f .cache/mirrorscan/data.mdb &&
	test_line_count = 2 home-log
'

test_expect_success '"--" ends the options' '
	mkdir -- -dash &&
	git clone -q --mirror src.git -- -dash/odd.git &&
	ms_scan -- -dash/odd.git 2>err &&
	test_grep "^mirrorscan: odd: 2 new commits" err
'

test_done
