#!/bin/sh
test_description='scan: scope, the blocks a changed line sits in'
. "$(dirname "$0")/test-lib.sh"

# lines OID: "SIDE LINE TEXT" of each match of rule in-sm100, sorted
lines () {
	ms_show "$1" >"$TRASH/s.json" &&
	json_lines '["%s %d %s" % (m["side"], m["line"], m["text"].strip())
		for m in o["matches"] if m["rule"] == "in-sm100"]' \
		<"$TRASH/s.json" | sort
}

test_expect_success 'setup: Python, braces, tabs, CRLF' '
	cat >"$TRASH/scope.rules" <<-\EOF &&
	rule: in-sm100
	tags: t/sm100
	added: \S
	removed: \S
	scope: ^\s*(?:(?:el)?if\b|\}?\s*else\s+if\b).*\bsm100\b
	EOF
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/scope.rules" \
		rules check &&
	make_repo r &&
	cat >r/k.py <<-\EOF &&
	def f(arch):
	    if arch == 90:
	        a = 1
	    elif sm100(arch):
	        b = 2

	        for i in range(3):
	            c = i
	    else:
	        d = 3
	    e = 4
	g = 5
	EOF
	cat >r/k.cu <<-\EOF &&
	void f() {
	  if (sm100) {
	    x = 1;
	  } else {
	    y = 2;
	  }
	}
	EOF
	printf "if (sm100) {\n\tt = 1;\n}\n" >r/tab.c &&
	printf "if (sm100) {\r\n  w = 1;\r\n}\r\n" >r/crlf.c &&
	printf "if (sm100):\n    last = 1" >r/nonl.py &&
	git -C r add . && git_commit -C r "base" &&
	sed -e "s/a = 1/a = 7/" -e "s/b = 2/b = 5/" -e "s/c = i/c = i + 1/" \
		-e "s/d = 3/d = 8/" -e "s/e = 4/e = 9/" -e "s/g = 5/g = 6/" \
		r/k.py >tmp && mv tmp r/k.py &&
	sed -e "s/x = 1/x = 2/" -e "s/y = 2/y = 3/" r/k.cu >tmp &&
	mv tmp r/k.cu &&
	printf "if (sm100) {\n\tt = 2;\n}\n" >r/tab.c &&
	printf "if (sm100) {\r\n  w = 2;\r\n}\r\n" >r/crlf.c &&
	printf "if (sm100):\n    last = 2" >r/nonl.py &&
	git -C r add . && git_commit -C r "edit every branch" &&
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TRASH/scope.rules" \
		--quiet scan r
'

test_expect_success 'lines in the branch and the blocks inside it match, on both sides' '
	cat >expect <<-\EOF &&
	added 2 t = 2;
	added 2 w = 2;
	added 2 last = 2
	added 3 x = 2;
	added 5 b = 5
	added 8 c = i + 1
	removed 2 t = 1;
	removed 2 w = 1;
	removed 2 last = 1
	removed 3 x = 1;
	removed 5 b = 2
	removed 8 c = i
	EOF
	sort expect >expect.sorted &&
	lines $(rev r HEAD) >actual &&
	test_cmp expect.sorted actual
'

test_expect_success 'the other branches, the code after them and the top level do not' '
	lines $(rev r HEAD) >actual &&
	! grep -e "a = " -e "d = " -e "e = " -e "g = " -e "y = " actual
'

test_expect_success 'a header farther up than 4000 lines is not read' '
	make_repo far &&
	{
		echo "if sm100:" &&
		seq 1 4100 | sed "s/^/    v/" &&
		echo "    z = 1"
	} >far/f.py &&
	{
		echo "if sm100:" &&
		seq 1 100 | sed "s/^/    v/" &&
		echo "    z = 1"
	} >far/n.py &&
	git -C far add . && git_commit -C far "base" &&
	sed "s/z = 1/z = 2/" far/f.py >tmp && mv tmp far/f.py &&
	sed "s/z = 1/z = 2/" far/n.py >tmp && mv tmp far/n.py &&
	git -C far add . && git_commit -C far "edit z" &&
	"$MIRRORSCAN_BIN" --db "$TRASH/db-far" --no-default-rules \
		--rules "$TRASH/scope.rules" --quiet scan far &&
	MIRRORSCAN_DB=$TRASH/db-far ms_show $(rev far HEAD) >far.json &&
	json_lines "sorted(set(m[\"path\"] for m in o[\"matches\"]))" \
		<far.json >actual &&
	echo n.py >expect &&
	test_cmp expect actual
'

test_expect_success 'scope without added or removed is an error naming the line' '
	printf "rule: bad\ntags: t/x\npath: x\nscope: if\n" >"$TRASH/bad.rules" &&
	ms_rules_check_fails bad.rules "bad.rules:4: rule .bad.: .scope. needs .added. or .removed."
'

test_done
