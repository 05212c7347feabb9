# test-lib.sh: the shell test library of mirrorscan, git's t/test-lib.sh
# in miniature.  A test script is
#
#	#!/bin/sh
#	test_description='what this script covers'
#	. "$(dirname "$0")/test-lib.sh"
#
#	test_expect_success 'title' '
#		command &&
#		command
#	'
#	test_done
#
# It prints TAP on stdout ("ok N - title", "not ok N - title", the plan
# "1..N" at the end) for automake's tap-driver.sh.  Each body is eval'd in
# a subshell, in the script's trash directory, with its output kept; when
# it fails, the body and its output are printed as "# " lines.  Bodies are
# &&-chained; "set -e" is on as a safety net for a broken chain.
#
# The environment is pinned: LANG=C LC_ALL=C TZ=UTC HOME=$TRASH, no
# system or user git config, a fixed author and committer, commit dates
# from test_tick (2026-02-15 10:00:00 UTC, then 60 s more each tick), and
# MIRRORSCAN_TEST_NOW=2026-02-16T12:00:00Z.  The index is $TRASH/db.
#
# From "make check" the scripts get MIRRORSCAN_BUILD_DIR (holding
# ./mirrorscan), MIRRORSCAN_SRC_DIR and PYTHON3.  By hand:
#	sh tests/t1000-scan-basic.sh [-v] [-i] [-d]
# finds the binary in ../build-t or ../ (relative to tests/).
#	-v  show each body's output, also when it passed
#	-i  stop at the first failure (the trash directory is kept)
#	-d  keep the trash directory even when everything passed

# ---- where things are ------------------------------------------------

TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
TEST_NAME=$(basename "$0" .sh)

if test -z "$MIRRORSCAN_SRC_DIR"; then
	MIRRORSCAN_SRC_DIR=$(cd "$TEST_DIRECTORY/.." && pwd)
fi
if test -z "$MIRRORSCAN_BUILD_DIR"; then
	if test -x "$MIRRORSCAN_SRC_DIR/build-t/mirrorscan"; then
		MIRRORSCAN_BUILD_DIR=$MIRRORSCAN_SRC_DIR/build-t
	else
		MIRRORSCAN_BUILD_DIR=$MIRRORSCAN_SRC_DIR
	fi
fi
MIRRORSCAN_BUILD_DIR=$(cd "$MIRRORSCAN_BUILD_DIR" && pwd)
: "${PYTHON3:=python3}"
MIRRORSCAN_BIN=$MIRRORSCAN_BUILD_DIR/mirrorscan
TEST_RULES=$MIRRORSCAN_SRC_DIR/tests/data/test.rules
export MIRRORSCAN_SRC_DIR MIRRORSCAN_BUILD_DIR PYTHON3

verbose=
immediate=
debug=
for arg in "$@"; do
	case $arg in
	-v|--verbose) verbose=t ;;
	-i|--immediate) immediate=t ;;
	-d|--debug) debug=t ;;
	*) echo "Bail out! $TEST_NAME: unknown option '$arg'"; exit 1 ;;
	esac
done

if ! test -x "$MIRRORSCAN_BIN"; then
	echo "Bail out! no mirrorscan binary at '$MIRRORSCAN_BIN' (build first, or set MIRRORSCAN_BUILD_DIR)"
	exit 1
fi
for tool in git "$PYTHON3"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "Bail out! '$tool' is needed by the tests"
		exit 1
	fi
done

# ---- the environment ---------------------------------------------------

LANG=C
LC_ALL=C
TZ=UTC
export LANG LC_ALL TZ
unset LANGUAGE LC_CTYPE LC_MESSAGES LC_TIME

# nothing of the caller's git or mirrorscan setup may leak in
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_CEILING_DIRECTORIES \
	GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_NAMESPACE GIT_EDITOR \
	GIT_EXEC_PATH GIT_TEMPLATE_DIR GIT_TRACE GIT_PAGER \
	XDG_CONFIG_HOME XDG_CACHE_HOME MIRRORSCAN_RULES_DIR NO_COLOR \
	EMAIL
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
GIT_TERMINAL_PROMPT=0
GIT_PAGER=cat
PAGER=cat
TERM=dumb
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_TERMINAL_PROMPT GIT_PAGER \
	PAGER TERM
# No auto-gc (a test may rely on loose objects), everything a push sends
# stays loose, and the branch of a new repository is main.
GIT_CONFIG_COUNT=5
GIT_CONFIG_KEY_0=gc.auto GIT_CONFIG_VALUE_0=0
GIT_CONFIG_KEY_1=transfer.unpackLimit GIT_CONFIG_VALUE_1=1000000
GIT_CONFIG_KEY_2=init.defaultBranch GIT_CONFIG_VALUE_2=main
GIT_CONFIG_KEY_3=advice.detachedHead GIT_CONFIG_VALUE_3=false
GIT_CONFIG_KEY_4=protocol.file.allow GIT_CONFIG_VALUE_4=always
export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 \
	GIT_CONFIG_KEY_1 GIT_CONFIG_VALUE_1 GIT_CONFIG_KEY_2 \
	GIT_CONFIG_VALUE_2 GIT_CONFIG_KEY_3 GIT_CONFIG_VALUE_3 \
	GIT_CONFIG_KEY_4 GIT_CONFIG_VALUE_4

GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL='author@example.com'
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL='committer@example.com'
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
	GIT_COMMITTER_EMAIL

# 2026-02-15 10:00:00 UTC; test_tick adds 60 s before each commit.
TEST_TICK_START=1771149600
GIT_AUTHOR_DATE="$TEST_TICK_START +0000"
GIT_COMMITTER_DATE="$TEST_TICK_START +0000"
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE

# mirrorscan's "now" (DATE arguments like "yesterday")
MIRRORSCAN_TEST_NOW=2026-02-16T12:00:00Z
export MIRRORSCAN_TEST_NOW

# ---- the trash directory ------------------------------------------------

TRASH_DIRECTORY=$MIRRORSCAN_BUILD_DIR/tests/trash/$TEST_NAME
TRASH=$TRASH_DIRECTORY
rm -rf "$TRASH_DIRECTORY" || {
	echo "Bail out! cannot remove '$TRASH_DIRECTORY'"
	exit 1
}
mkdir -p "$TRASH_DIRECTORY/.lib" || {
	echo "Bail out! cannot create '$TRASH_DIRECTORY'"
	exit 1
}
HOME=$TRASH_DIRECTORY
MIRRORSCAN_DB=$TRASH_DIRECTORY/db
export HOME TRASH TRASH_DIRECTORY MIRRORSCAN_DB
TEST_LIB=$TRASH_DIRECTORY/.lib
TEST_OUT=$TEST_LIB/out
echo "$TEST_TICK_START" >"$TEST_LIB/tick"
cd "$TRASH_DIRECTORY" || exit 1

test_count=0
test_failed=0

# ---- running tests ---------------------------------------------------

BUG () {
	echo "Bail out! bug in the test script: $*"
	exit 1
}

# Prints each line of a file (or stdin) as a TAP comment.
test_comment_ () {
	sed -e 's/^/# /' "$@"
}

# Sets the commit dates from the tick file, so each body goes on from
# where the last one stopped.
test_tick_load_ () {
	test_tick_now=$(cat "$TEST_LIB/tick") || return 1
	GIT_COMMITTER_DATE="$test_tick_now +0000"
	GIT_AUTHOR_DATE="$test_tick_now +0000"
	export GIT_COMMITTER_DATE GIT_AUTHOR_DATE
}

# Advances the commit dates by 60 seconds.
test_tick () {
	test_tick_now=$(cat "$TEST_LIB/tick") || return 1
	test_tick_now=$((test_tick_now + 60))
	echo "$test_tick_now" >"$TEST_LIB/tick"
	GIT_COMMITTER_DATE="$test_tick_now +0000"
	GIT_AUTHOR_DATE="$test_tick_now +0000"
	export GIT_COMMITTER_DATE GIT_AUTHOR_DATE
}

test_expect_success () {
	test "$#" = 2 || BUG "test_expect_success needs a title and a body"
	test_count=$((test_count + 1))
	test_title_=$1
	test_body_=$2
	touch "$TEST_LIB/stamp"
	(
		cd "$TRASH_DIRECTORY" || exit 1
		test_tick_load_ || exit 1
		set -e
		eval "$test_body_"
	) >"$TEST_OUT" 2>&1 </dev/null
	test_rc_=$?
	if test "$test_rc_" = 0; then
		echo "ok $test_count - $test_title_"
		if test -n "$verbose"; then
			test_comment_ "$TEST_OUT"
		fi
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $test_title_"
		echo "# body (exit status $test_rc_):"
		printf '%s\n' "$test_body_" | test_comment_
		echo "# output:"
		test_comment_ "$TEST_OUT"
		# stderr a body kept in err* files: often the reason
		for test_f_ in "$TRASH_DIRECTORY"/err*; do
			if test -f "$test_f_" && test "$test_f_" -nt "$TEST_LIB/stamp"
			then
				echo "# ${test_f_#$TRASH_DIRECTORY/} (first lines):"
				head -n 20 "$test_f_" | test_comment_
			fi
		done
		if test -n "$immediate"; then
			echo "# stopped at the first failure (-i); trash kept in $TRASH_DIRECTORY"
			echo "1..$test_count"
			exit 1
		fi
	fi
}

test_done () {
	echo "1..$test_count"
	if test "$test_failed" = 0; then
		echo "# passed all $test_count tests of $TEST_NAME"
		if test -z "$debug"; then
			cd "$MIRRORSCAN_BUILD_DIR" &&
			chmod -R u+w "$TRASH_DIRECTORY" 2>/dev/null
			rm -rf "$TRASH_DIRECTORY"
		fi
		exit 0
	fi
	echo "# failed $test_failed of $test_count tests of $TEST_NAME; trash kept in $TRASH_DIRECTORY"
	exit 1
}

# ---- assertions ------------------------------------------------------

# test_cmp EXPECTED ACTUAL: equal files, or a diff and failure.
test_cmp () {
	diff -u "$1" "$2"
}

# test_expect_code CODE CMD...: CMD exits with exactly CODE.
test_expect_code () {
	test_want_=$1
	shift
	# "|| ..." keeps a body's "set -e" from ending it here
	test_got_=0
	"$@" || test_got_=$?
	if test "$test_got_" = "$test_want_"; then
		return 0
	fi
	echo "test_expect_code: '$*' exited $test_got_, wanted $test_want_" >&2
	return 1
}

# test_must_fail CMD...: CMD fails, but not by a signal (a crash, ASan's
# abort) and not with 127 (not found).
test_must_fail () {
	test_got_=0
	"$@" || test_got_=$?
	if test "$test_got_" = 0; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	elif test "$test_got_" -gt 128 || test "$test_got_" = 127; then
		echo "test_must_fail: '$*' died with status $test_got_" >&2
		return 1
	fi
	return 0
}

# test_grep [-v] [GREP OPTIONS] PATTERN FILE: like grep -q, but shows the
# file when the pattern is not (or, with -v, is) there.
test_grep () {
	test_neg_=
	if test "$1" = "-v"; then
		test_neg_=t
		shift
	fi
	test "$#" -ge 2 || BUG "test_grep needs a pattern and a file"
	eval "test_file_=\${$#}"
	if test -z "$test_neg_"; then
		grep "$@" >/dev/null && return 0
		echo "test_grep: no match for '$*' in $test_file_:" >&2
	else
		grep "$@" >/dev/null || return 0
		echo "test_grep: unwanted match for '$*' in $test_file_:" >&2
	fi
	sed -e 's/^/| /' "$test_file_" >&2
	return 1
}

test_must_be_empty () {
	if test -s "$1"; then
		echo "'$1' is not empty:" >&2
		sed -e 's/^/| /' "$1" >&2
		return 1
	fi
}

# test_line_count = N FILE
test_line_count () {
	test_n_=$(wc -l <"$3" | tr -d ' ')
	if test "$test_n_" "$1" "$2"; then
		return 0
	fi
	echo "test_line_count: $3 has $test_n_ lines, wanted $1 $2:" >&2
	sed -e 's/^/| /' "$3" >&2
	return 1
}

# ---- repositories ----------------------------------------------------

# test_commit [-C DIR] MESSAGE [FILE [CONTENTS]]: writes CONTENTS (default
# MESSAGE) and a newline to FILE (default MESSAGE.t), adds it and commits
# one tick later.
test_commit () {
	test_dir_=.
	if test "$1" = "-C"; then
		test_dir_=$2
		shift 2
	fi
	test_msg_=$1
	test_file_=${2:-$1.t}
	if test "$#" -ge 3; then
		test_content_=$3
	else
		test_content_=$1
	fi
	test_tick &&
	mkdir -p "$(dirname "$test_dir_/$test_file_")" &&
	printf '%s\n' "$test_content_" >"$test_dir_/$test_file_" &&
	git -C "$test_dir_" add -- "$test_file_" &&
	git -C "$test_dir_" commit -q -m "$test_msg_"
}

# git_commit [-C DIR] MESSAGE: commits what is staged, one tick later.
git_commit () {
	test_dir_=.
	if test "$1" = "-C"; then
		test_dir_=$2
		shift 2
	fi
	test_tick &&
	git -C "$test_dir_" commit -q --allow-empty -m "$1"
}

# make_repo DIR: a new repository on branch main with one commit
# ("initial", adding init.txt).
make_repo () {
	git init -q -b main "$1" &&
	test_commit -C "$1" initial init.txt init
}

# mirror_of SRC DEST: a mirror clone, as people keep them.
mirror_of () {
	git clone -q --mirror "$1" "$2"
}

# rev SRC REV: the full id of REV in repository SRC.
rev () {
	git -C "$1" rev-parse --verify "$2^{commit}"
}

# ---- running mirrorscan ---------------------------------------------

mirrorscan () {
	"$MIRRORSCAN_BIN" "$@"
}

# ms_scan [--db PATH] [SCAN ARGS]: scan with the test rules only.
ms_scan () {
	ms_db_=$MIRRORSCAN_DB
	if test "$1" = "--db"; then
		ms_db_=$2
		shift 2
	fi
	"$MIRRORSCAN_BIN" --db "$ms_db_" --no-default-rules \
		--rules "$TEST_RULES" scan "$@"
}

# ms_run CODE OUT CMD...: runs CMD with stdout to OUT; fails unless it
# exits with CODE (a list like "0|1" is allowed).
ms_run_ () {
	test_want_=$1
	test_outf_=$2
	shift 2
	test_got_=0
	"$@" >"$test_outf_" || test_got_=$?
	case "|$test_want_|" in
	*"|$test_got_|"*) return 0 ;;
	esac
	echo "'$*' exited $test_got_, wanted $test_want_" >&2
	return 1
}

# The JSON helpers read one JSON document (an object or an array of
# them) or ndjson on stdin and print, for each object o, a value:
# strings as they are, lists of scalars joined by spaces, null as
# "null", anything else as compact JSON with sorted keys.
test_json_py_='
import json, sys

def fmt(v):
    if isinstance(v, str):
        return v
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, list) and all(
            x is None or isinstance(x, (str, int, float, bool)) for x in v):
        return " ".join(fmt(x) for x in v)
    return json.dumps(v, sort_keys=True, separators=(",", ":"))

def objects(text):
    s = text.strip()
    if not s:
        return []
    try:
        doc = json.loads(s)
    except ValueError:
        return [json.loads(l) for l in text.splitlines() if l.strip()]
    return doc if isinstance(doc, list) else [doc]

def get(o, path):
    for k in path.split("."):
        if isinstance(o, list):
            o = o[int(k)]
        else:
            o = o[k]
    return o

mode, arg = sys.argv[1], sys.argv[2]
raw = sys.stdin.buffer.read()
text = raw.decode("utf-8")  # strict: the output must be valid UTF-8
for o in objects(text):
    if mode == "field":
        v = get(o, arg)
    else:
        v = eval(arg, {"o": o, "json": json, "fmt": fmt})
    if mode == "lines":
        for x in v:
            print(fmt(x))
    else:
        print(fmt(v))
'

# json_field PATH: the field at a dotted PATH (files.0.path) of each object.
json_field () {
	"$PYTHON3" -c "$test_json_py_" field "$1"
}

# json_eval EXPR: a Python expression of o for each object.
json_eval () {
	"$PYTHON3" -c "$test_json_py_" eval "$1"
}

# json_lines EXPR: EXPR gives a list; one line per element.
json_lines () {
	"$PYTHON3" -c "$test_json_py_" lines "$1"
}

# ms_oids [LOG ARGS]: the ids that 'log --format ndjson' lists, sorted.
ms_oids () {
	ms_run_ "0|1" "$TEST_LIB/log.json" \
		"$MIRRORSCAN_BIN" log --format ndjson "$@" &&
	json_field oid <"$TEST_LIB/log.json" | sort
}

# ms_log_field FIELD [LOG ARGS]: that field of each listed commit, in order.
ms_log_field () {
	test_f_=$1
	shift
	ms_run_ "0|1" "$TEST_LIB/log.json" \
		"$MIRRORSCAN_BIN" log --format ndjson "$@" &&
	json_field "$test_f_" <"$TEST_LIB/log.json"
}

# ms_show OID [SHOW ARGS]: the commit as JSON (show --format json).
ms_show () {
	test_oid_=$1
	shift
	ms_run_ 0 "$TEST_LIB/show.json" \
		"$MIRRORSCAN_BIN" show --format json "$@" "$test_oid_" &&
	cat "$TEST_LIB/show.json"
}

# ms_field OID PATH: one field of a commit.
ms_field () {
	ms_show "$1" >"$TEST_LIB/field.json" &&
	json_field "$2" <"$TEST_LIB/field.json"
}

# ms_tags OID: the commit's tags, space-separated ("" when none).
ms_tags () {
	ms_field "$1" tags
}

# ms_tags_or_none OID: the commit's tags, or "-" when it has none.
ms_tags_or_none () {
	ms_tags "$1" >"$TEST_LIB/tags.txt" &&
	if grep -q . "$TEST_LIB/tags.txt"; then
		cat "$TEST_LIB/tags.txt"
	else
		echo -
	fi
}

# ms_has_tags DB REPO REF TAGS: REF of REPO has TAGS ("-": none) in the
# index $TRASH/DB.
ms_has_tags () {
	echo "$4" >expect &&
	MIRRORSCAN_DB=$TRASH/$1 ms_tags_or_none $(rev "$2" "$3") >actual &&
	test_cmp expect actual
}

# ms_scan_with RULES DB SCAN-ARGS...: scans into the index $TRASH/DB
# with the rule file $TRASH/RULES alone.
ms_scan_with () {
	test_rules_=$1 &&
	test_db_=$2 &&
	shift 2 &&
	"$MIRRORSCAN_BIN" --db "$TRASH/$test_db_" --no-default-rules \
		--rules "$TRASH/$test_rules_" --quiet scan "$@"
}

# ms_rules_check_fails RULES PATTERN: rules check of the rule file
# $TRASH/RULES alone exits 2, with an error matching PATTERN.
ms_rules_check_fails () {
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules "$TRASH/$1" rules check 2>err &&
	test_grep "$2" err
}

# ms_matches OID: one line per match, sorted:
#	RULE SIDE PATH:LINE TEXT     (PATH is "message" for a message match)
ms_matches () {
	ms_show "$1" >"$TEST_LIB/m.json" &&
	json_lines '[("%s %s %s:%d %s" % (m["rule"], m["side"],
		m["path"] if m["path"] is not None else "message",
		m["line"], m["text"])) for m in o["matches"]]' \
		<"$TEST_LIB/m.json" | sort
}

# ms_files OID: one line per changed file, sorted by path:
#	STATUS PATH ADDED REMOVED [old=OLD] [binary] [oversize] [unreadable]
# with "-" for a count that is null.
ms_files () {
	ms_show "$1" >"$TEST_LIB/f.json" &&
	json_lines '[" ".join([f["status"], f["path"],
		"-" if f["added"] is None else str(f["added"]),
		"-" if f["removed"] is None else str(f["removed"])] +
		(["old=" + f["old_path"]] if f.get("old_path") else []) +
		[k for k in ("binary", "oversize", "unreadable", "submodule")
		 if f.get(k)]) for f in o["files"]]' <"$TEST_LIB/f.json" | sort
}

# ms_repo_field NAME FIELD: a field of repository NAME in 'repos --format json'.
ms_repo_field () {
	ms_run_ 0 "$TEST_LIB/repos.json" "$MIRRORSCAN_BIN" repos --format json &&
	json_eval "o[\"$2\"] if o[\"name\"] == \"$1\" else None" \
		<"$TEST_LIB/repos.json" | grep -v '^null$'
}

# all_commits REPO [REV-LIST ARGS]: every commit id of REPO, sorted.
all_commits () {
	test_r_=$1
	shift
	if test "$#" = 0; then
		set -- --all
	fi
	git -C "$test_r_" rev-list "$@" | sort
}

# mirror_snapshot DIR: every file and directory under DIR with its size,
# mode, mtime and content hash, to show that a scan changed nothing.
mirror_snapshot () {
	(
		cd "$1" &&
		find . -printf '%p %y %s %m %T@\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 sha256sum
	)
}
