#!/bin/sh
test_description='the man pages keep up with the code: every long option,
command and exit status is in mirrorscan.1, every rule field in
mirrorscan-rules.5'
. "$(dirname "$0")/test-lib.sh"

# The sources are read, not run: $MIRRORSCAN_SRC_DIR (test-lib.sh sets it
# to the parent of tests/ unless it is given).
SRC=$MIRRORSCAN_SRC_DIR
MAN1=$SRC/man/mirrorscan.1
MAN5=$SRC/man/mirrorscan-rules.5

# The rule fields of DESIGN.md's rule format (the contract).
RULE_FIELDS='rule tags describe added removed message path exclude-path
status keywords example counterexample'

# man_text FILE: the page's roff source with "\-" read as "-" and font and
# quoting escapes dropped, so that "\fB\-\-db\fR" reads "--db".
man_text () {
	sed -e 's/\\-/-/g' \
	    -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
	    -e 's/\\&//g' -e 's/\\(aq/'"'"'/g' -e 's/\\(dq/"/g' "$1"
}

# man_section FILE NAME [SUB]: the lines of section NAME (".SH NAME" or
# '.SH "NAME"') up to the next .SH; with SUB, only those of its
# subsection ".SS SUB" up to the next .SS.
man_section () {
	man_text "$1" | awk -v want="$2" -v sub_="${3-}" '
		function title(s) {
			sub(/^\.S[HS][ \t]+/, "", s)
			gsub(/"/, "", s)
			return s
		}
		/^\.SH/ { in_sh = (title($0) == want); in_ss = (sub_ == ""); next }
		/^\.SS/ { if (sub_ != "") in_ss = (title($0) == sub_); next }
		in_sh && in_ss { print }'
}

# has_option FILE NAME: FILE (from man_text) mentions --NAME as a whole
# option name ("--rule" is not found in "--rules").
has_option () {
	grep -Eq -- "--$2([^A-Za-z0-9-]|\$)" "$1"
}

# c_files_with_options: src/cli.c, src/cmd.c, and any other source that
# has a "struct option" table.
c_files_with_options () {
	{
		echo "$SRC/src/cli.c"
		echo "$SRC/src/cmd.c"
		grep -l "struct option" "$SRC"/src/*.c 2>/dev/null
	} | sort -u
}

# long_options: "WHERE NAME" for each { "NAME", ..._argument, ... entry
# of a struct option table in c_files_with_options; WHERE is "Global" in
# cli.c, the command X in cmd_X() of cmd.c, "-" elsewhere.
long_options () {
	c_files_with_options | while read -r f; do
		awk -v file="$(basename "$f")" '
			/^int cmd_[a-z_]+\(/ {
				fn = $0
				sub(/^int cmd_/, "", fn)
				sub(/\(.*/, "", fn)
			}
			/^[ \t]*\{[ \t]*"[a-z][a-z0-9-]*",[ \t]*(no|required|optional)_argument/ {
				name = $0
				sub(/^[ \t]*\{[ \t]*"/, "", name)
				sub(/".*/, "", name)
				where = file == "cli.c" ? "Global" : \
					(file == "cmd.c" && fn != "" ? fn : "-")
				print where, name
			}' "$f"
	done
}

# usage_commands: the commands of the usage text in src/cli.c (the lines
# indented by exactly two spaces between "Commands:" and "Global options:").
usage_commands () {
	awk '/"Commands:\\n"/ { on = 1; next }
	     /"Global options:\\n"/ { on = 0 }
	     on' "$SRC/src/cli.c" |
	sed -n -E 's/^"  ([a-z][a-z-]*)( |\\n).*/\1/p'
}

# table_commands: the commands main.c dispatches ({ "NAME", cmd_NAME }).
table_commands () {
	sed -n -E 's/^[[:blank:]]*\{[[:blank:]]*"([a-z][a-z-]*)",[[:blank:]]*cmd_[a-z_]+[[:blank:]]*\}.*/\1/p' \
		"$SRC/src/main.c"
}

# exit_codes: 0 to 3, and any MS_EXIT_X = N of src/msg.h.
exit_codes () {
	{
		printf '0\n1\n2\n3\n'
		sed -n -E 's/^[[:blank:]]*MS_EXIT_[A-Z_]+[[:blank:]]*=[[:blank:]]*([0-9]+).*/\1/p' \
			"$SRC/src/msg.h"
	} | sort -un
}

# tagged_words: the first word of each .TP tag (the line after .TP) and of
# each ".IP TAG" in the input.
tagged_words () {
	awk '
		function first(s,   w) {
			sub(/^\.[A-Za-z]+[ \t]*/, "", s)
			gsub(/"/, "", s)
			split(s, w, /[ \t]+/)
			return w[1]
		}
		tp { print first($0); tp = 0; next }
		/^\.TP/ { tp = 1; next }
		/^\.IP[ \t]/ { print first($0) }'
}

test_expect_success 'the sources and pages are there' '
	for f in "$SRC/src/cli.c" "$SRC/src/cmd.c" "$SRC/src/main.c" \
		 "$SRC/src/msg.h" "$MAN1" "$MAN5"; do
		test -s "$f" || { echo "missing: $f"; return 1; }
	done &&
	long_options >opts &&
	test -s opts &&
	usage_commands >cmds &&
	test -s cmds
'

test_expect_success 'every long option of the sources is in mirrorscan.1' '
	man_text "$MAN1" >man1 &&
	long_options >opts &&
	missing= &&
	while read where name; do
		has_option man1 "$name" || missing="$missing --$name"
	done <opts &&
	if test -n "$missing"; then
		echo "not in man/mirrorscan.1:$missing"
		false
	fi
'

test_expect_success 'each option is under OPTIONS, in its command'"'"'s subsection' '
	long_options >opts &&
	missing= &&
	while read where name; do
		case "$where $name" in
		"- "*|*" help") continue ;;	# --help: "Global options"
		Global*) sub="Global options" ;;
		*) sub="$where options" ;;
		esac &&
		man_section "$MAN1" OPTIONS "$sub" >sect &&
		if ! has_option sect "$name"; then
			missing="$missing --$name (in \"$sub\")"
		fi
	done <opts &&
	if test -n "$missing"; then
		echo "not in their OPTIONS subsection of man/mirrorscan.1:$missing"
		false
	fi
'

test_expect_success 'every command of the usage text and of main.c is in COMMANDS' '
	{ usage_commands && table_commands; } | sort -u >cmds &&
	test -s cmds &&
	man_section "$MAN1" COMMANDS >commands &&
	missing= &&
	while read cmd; do
		grep -Eq "^\.[A-Z]+[[:blank:]]+\"?$cmd([[:blank:]\"]|\$)" commands ||
			missing="$missing $cmd"
	done <cmds &&
	if test -n "$missing"; then
		echo "not in COMMANDS of man/mirrorscan.1:$missing"
		false
	fi
'

test_expect_success 'every exit status is in EXIT STATUS' '
	man_section "$MAN1" "EXIT STATUS" | tagged_words >tags &&
	exit_codes >codes &&
	missing= &&
	while read code; do
		grep -qx "$code" tags || missing="$missing $code"
	done <codes &&
	if test -n "$missing"; then
		echo "not in EXIT STATUS of man/mirrorscan.1:$missing"
		false
	fi
'

test_expect_success 'every rule field is in FIELDS of mirrorscan-rules.5' '
	man_section "$MAN5" FIELDS >fields &&
	test -s fields &&
	missing= &&
	for f in $RULE_FIELDS; do
		grep -Eq "(^|[^A-Za-z0-9-])$f:" fields || missing="$missing $f"
	done &&
	if test -n "$missing"; then
		echo "not in FIELDS of man/mirrorscan-rules.5:$missing"
		false
	fi
'

test_expect_success 'every field the default pack uses is documented' '
	man_section "$MAN5" FIELDS >fields &&
	cat "$SRC"/rules/*.rules |
	sed -n -E "s/^([a-z][a-z-]*):.*/\\1/p" | sort -u >used &&
	test -s used &&
	missing= &&
	while read f; do
		grep -Eq "(^|[^A-Za-z0-9-])$f:" fields || missing="$missing $f"
	done <used &&
	if test -n "$missing"; then
		echo "used in rules/ but not in man/mirrorscan-rules.5:$missing"
		false
	fi
'

test_expect_success 'the pages render without warnings (where groff is installed)' '
	if command -v groff >/dev/null 2>&1; then
		for page in "$MAN1" "$MAN5"; do
			groff -man -ww -z "$page" 2>warnings &&
			test_must_be_empty warnings || return 1
		done
	fi
'

test_done
