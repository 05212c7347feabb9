#!/bin/sh
test_description='scan: function, the function a changed line sits in'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a file with an SM120 function and another' '
	cat >"$TRASH/fn.rules" <<-\EOF &&
	rule: sm120-function
	tags: t/sm120
	function: (?i)(?<![a-z0-9])sm_?120(?![0-9])
	added: \S
	removed: ^$|\S

	rule: any-code
	tags: t/code
	added: \breturn\b
	EOF
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/fn.rules" rules check &&
	make_repo r &&
	cat >r/interface.py <<-\EOF &&
	import os


	def _validate_sm120_fwd_support(q, k):
	    if q is None:
	        raise ValueError("q")
	    x = 1
	    y = 2
	    return True


	def other(q):
	    a = 1
	    b = 2
	    return a + b
	EOF
	git -C r add interface.py && git_commit -C r "base" && git -C r tag base &&
	sed "s/    y = 2/    y = 3/" r/interface.py >tmp && mv tmp r/interface.py &&
	git -C r add interface.py && git_commit -C r "in the sm120 function" &&
	git -C r tag in &&
	sed "s/    b = 2/    b = 3/" r/interface.py >tmp && mv tmp r/interface.py &&
	git -C r add interface.py && git_commit -C r "in the other function" &&
	git -C r tag out &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/fn.rules" \
		--quiet scan r
'

test_expect_success 'a line inside the named function matches' '
	echo t/sm120 >expect &&
	ms_tags $(rev r in) >actual &&
	test_cmp expect actual &&
	ms_matches $(rev r in) >actual &&
	grep "^sm120-function added interface.py:8     y = 3\$" actual &&
	grep "^sm120-function removed interface.py:8     y = 2\$" actual
'

test_expect_success 'a line in another function does not' '
	test -z "$(ms_tags $(rev r out))"
'

test_expect_success 'a file added whole has no function: only other rules match' '
	echo t/code >expect &&
	ms_tags $(rev r base) >actual &&
	test_cmp expect actual
'

test_expect_success 'a function the hunk itself adds is the one its next lines sit in' '
	cat >"$TRASH/fn2.rules" <<-\EOF &&
	rule: sm120-added
	tags: t/sm120
	function: (?i)(?<![a-z0-9])sm_?120(?![0-9])
	added: \S
	EOF
	make_repo r2 &&
	printf "def helper_sm120(q):\n    return q\n" >r2/more.py &&
	git -C r2 add more.py && git_commit -C r2 "an sm120 helper" &&
	printf "\n\ndef plain(q):\n    return q + 1\n" >>r2/more.py &&
	git -C r2 add more.py && git_commit -C r2 "a plain function after it" &&
	git -C r2 tag plain &&
	printf "\n\ndef launch_sm120(q):\n    return q * 2\n" >>r2/more.py &&
	git -C r2 add more.py && git_commit -C r2 "an sm120 function after a plain one" &&
	git -C r2 tag sm120fn &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db2" --no-default-rules \
		--rules "$TRASH/fn2.rules" --quiet scan r2 &&
	git -C r2 show -U0 plain | grep "^@@ .* def helper_sm120(q):" &&
	test -z "$("$MIRRORSCAN_BIN" --db "$TRASH/db2" show --format json \
		$(rev r2 plain) | json_eval "\" \".join(o[\"tags\"])")" &&
	git -C r2 show -U0 sm120fn | grep "^@@ .* def plain(q):" &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db2" show --format json \
		$(rev r2 sm120fn) >show.json &&
	json_lines "[m[\"text\"] for m in o[\"matches\"]]" <show.json >actual &&
	printf "%s\n" "def launch_sm120(q):" "    return q * 2" >expect &&
	test_cmp expect actual
'

test_expect_success 'a work tree'"'"'s .gitattributes and diff drivers do not change the function' '
	printf "* diff=never\n" >r/.gitattributes &&
	git -C r config diff.never.xfuncname "^NEVER" &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-attr" --no-default-rules \
		--rules "$TRASH/fn.rules" --quiet scan r &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-attr" show --format json \
		$(rev r in) >show.json &&
	json_lines "[m[\"rule\"] for m in o[\"matches\"]]" <show.json >actual &&
	printf "%s\n" sm120-function sm120-function >expect &&
	test_cmp expect actual
'

test_expect_success 'function needs added or removed, and a bad one names its line' '
	printf "rule: a\ntags: t/a\nfunction: x\npath: y\n" >nolines.rules &&
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules nolines.rules rules check 2>err &&
	test_grep "^mirrorscan: nolines.rules:3: rule .a.: .function. needs .added. or .removed." err &&
	printf "rule: b\ntags: t/b\nfunction: (x\nadded: y\n" >bad.rules &&
	test_expect_code 2 "$MIRRORSCAN_BIN" --no-default-rules \
		--rules bad.rules rules check 2>err &&
	test_grep "^mirrorscan: bad.rules:3: rule .b.: bad .function. regex" err
'

test_done
