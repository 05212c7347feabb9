#!/bin/sh
test_description='report --format html: one self-contained page, rendered
by headless Chromium with no network, hostile text shown as text'
. "$(dirname "$0")/test-lib.sh"
. "$MIRRORSCAN_SRC_DIR/tests/data/report-fixture.sh"

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
	if command -v $c >/dev/null 2>&1; then
		CHROMIUM=$c
		break
	fi
done

# test_expect_browser TITLE BODY: a test that needs Chromium, reported as
# skipped (TAP "# skip") where it is not installed (apt-get install
# chromium).
test_expect_browser () {
	if test -n "$CHROMIUM"; then
		test_expect_success "$@"
	else
		test_count=$((test_count + 1))
		echo "ok $test_count # skip $1 (no chromium)"
	fi
}

# dump_dom FILE: the DOM Chromium builds from FILE, with no network: in a
# network namespace of its own where that can be had, and with every
# name resolving nowhere and a dead proxy in any case.
dump_dom () {
	dd_net=
	if unshare -n true 2>/dev/null; then
		dd_net="unshare -n"
	fi
	timeout 120 $dd_net "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-extensions --disable-sync \
		--disable-background-networking --user-data-dir="$TRASH/chrome" \
		--proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
		--dump-dom "file://$TRASH/$1" 2>"$TRASH/chrome.err"
}

test_expect_success 'setup: the fixture and a hostile commit' '
	report_fixture &&
	make_repo evil &&
	printf "off = static_cast<index_t>(i) * s; </td></tr></table><script>alert(1)</script>\\n" \
		>"evil/<img src=x onerror=alert(1)>.cu" &&
	git -C evil add -A &&
	git_commit -C evil "<script>document.title=1</script><style>body{display:none}</style> & x" &&
	mirror_of evil evil.git &&
	ms_scan evil.git 2>err &&
	mirrorscan report --format html -o en.html &&
	mirrorscan report --format html --lang zh -o zh.html &&
	mirrorscan report --format html --since 2026-02-09 --until 2026-02-16 -o week.html
'

test_expect_success 'self-contained: no script, no external style, font, image or link' '
	for f in en.html zh.html week.html; do
		test_grep -v -i "<script" $f &&
		test_grep -v -i "<link" $f &&
		test_grep -v -i "<img" $f &&
		test_grep -v -i "<iframe" $f &&
		test_grep -v -i "@import\\|url(" $f &&
		"$PYTHON3" - $f <<-\PY &&
		import html.parser, sys
		class P(html.parser.HTMLParser):
		    def handle_starttag(self, tag, attrs):
		        for k, v in attrs:
		            assert k not in ("src", "srcset", "background", "poster",
		                             "data", "action", "formaction"), (tag, k)
		            assert k != "href" or v.startswith("#"), (tag, k, v)
		            assert not k.startswith("on"), (tag, k)
		P().feed(open(sys.argv[1], encoding="utf-8").read())
		PY
		grep -o "https\\?://[^\"]*" $f | sort -u >urls &&
		echo "http://www.w3.org/2000/svg" >expect &&
		test_cmp expect urls &&
		test_grep "Content-Security-Policy\" content=\"default-src .none.; style-src .unsafe-inline.; img-src data:\"" $f || return 1
	done
'

test_expect_browser 'Chromium renders it offline: the tables, the chart, no script' '
	dump_dom en.html >dom.html &&
	test -s dom.html &&
	"$PYTHON3" - dom.html <<-\PY
	import html.parser, sys
	class P(html.parser.HTMLParser):
	    def __init__(self):
	        super().__init__(convert_charrefs=True)
	        self.tags, self.text, self.stack, self.title = [], [], [], ""
	    def handle_starttag(self, tag, attrs):
	        self.tags.append(tag)
	        self.stack.append(tag)
	        for k, v in attrs:
	            assert not k.startswith("on"), (tag, k, v)
	    def handle_endtag(self, tag):
	        while self.stack and self.stack.pop() != tag:
	            pass
	    def handle_data(self, d):
	        if self.stack[-1:] == ["title"] and "head" in self.stack:
	            self.title += d
	        self.text.append(d)
	p = P()
	p.feed(open(sys.argv[1], encoding="utf-8").read())
	text = "".join(p.text)
	assert "script" not in p.tags, "a script element"
	assert p.title == "Repository digest: 2026-02-15", p.title
	# acme/kernels and evil have landed commits; acme/kernels and tools
	# have pull requests (#13, #12, #5)
	assert p.tags.count("table") == 5, p.tags.count("table")
	assert p.tags.count("svg") == 1 and p.tags.count("rect") > 4, p.tags
	assert p.tags.count("section") == 4, p.tags.count("section")
	for s in ("acme/kernels", "quiet", "tools", "evil", "No updates.",
	          "<script>document.title=1</script><style>body{display:none}</style> & x",
	          "<img src=x onerror=alert(1)>.cu",
	          "</td></tr></table><script>alert(1)</script>",
	          "Fix int32 overflow in strides (#12)",
	          "static_cast<index_t>(i) * s;", "PR #12: Fix int32 overflow in strides"):
	    assert s in text, s
	print("ok")
	PY
'

test_expect_browser 'Chromium: the same rows as the source, in Chinese too' '
	for f in en zh week; do
		dump_dom $f.html >$f.dom &&
		grep -o "<tr>" $f.html | wc -l >src.n &&
		grep -o "<tr>" $f.dom | wc -l >dom.n &&
		test_cmp src.n dom.n || return 1
	done &&
	test_grep "<html lang=\"zh\">" zh.dom &&
	test_grep "<title>仓库动态摘要：2026-02-15</title>" zh.dom &&
	test_grep "<p class=\"none\">无更新。</p>" zh.dom &&
	test_grep "aria-label=\"Tagged commits per day\"" week.dom &&
	test_grep "aria-label=\"Tagged commits per tag\"" en.dom
'

test_expect_success 'an empty window still makes a whole page' '
	mirrorscan report --format html --since 2026-01-01 --until 2026-01-02 >empty.html &&
	test_grep "No updates\\." empty.html &&
	test_grep "No tagged commits in this period\\." empty.html &&
	test_grep "</html>" empty.html &&
	"$PYTHON3" -c "
import html.parser, sys
html.parser.HTMLParser().feed(open(sys.argv[1], encoding=\"utf-8\").read())
" empty.html
'

test_done
