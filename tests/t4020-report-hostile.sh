#!/bin/sh
test_description='report: subjects, names, paths and matched lines with
<script>, |, backticks, newlines, ESC, C1 and bidi controls, invalid UTF-8
and very long lines come out escaped and valid in every format'
. "$(dirname "$0")/test-lib.sh"

# ms_report ARGS: report with the test rules, on the day of test_tick
ms_report () {
	"$MIRRORSCAN_BIN" --no-default-rules --rules "$TEST_RULES" report \
		--since 2026-02-15 --until 2026-02-16 "$@"
}

test_expect_success 'setup: hostile commits, made byte for byte' '
	git init -q -b main evil &&
	"$PYTHON3" - evil $TEST_TICK_START <<-\PY &&
	import os, subprocess, sys
	repo, t = sys.argv[1].encode(), int(sys.argv[2])
	def git(*args, data=None):
	    return subprocess.run(["git", "-C", repo] + list(args), input=data,
	                          stdout=subprocess.PIPE, check=True).stdout.strip()
	files = {
	    b"<img src=x onerror=alert(1)>.cu":
	        b"off = static_cast<index_t>(i) * s; </code><script>alert(1)</script>"
	        b" | `x` \x1b[2J \xff\n",
	    b"new\nline.cu": b"off = static_cast<index_t>(n) * s;\n",
	    b"esc\x1b[31m.cu": b"x\n",
	    b"bad\xff\xfe.cu": b"off = static_cast<index_t>(b) * s;\n",
	    b"a|b`c` %20.md": b"# doc\n",
	    b"docs/\xe2\x80\xaereadme.md": b"# bidi\n",
	}
	for name, data in files.items():
	    path = os.path.join(repo, name)
	    os.makedirs(os.path.dirname(path) or repo, exist_ok=True)
	    open(path, "wb").write(data)
	git("add", "-A")
	tree = git("write-tree")
	subject = (b"<script>alert(1)</script> | a | b `rm -rf` **bold** "
	           b"[x](javascript:alert(1)) & \"q\" 'q' \x1b[31mred "
	           b"\xc2\x9bCSI \xe2\x80\xaebidi \xff\x85 end\nline two")
	author = b"Eve | `x` \x1b[31m & \"q\" \xff"
	def commit(tree, parent, msg, when):
	    body = b"tree " + tree + b"\n"
	    if parent:
	        body += b"parent " + parent + b"\n"
	    body += (b"author " + author + b" <eve@example.com> %d +0000\n" % when +
	             b"committer C O Mitter <committer@example.com> %d +0000\n\n" % when +
	             msg + b"\n\nbody <script>alert(2)</script>\n")
	    return git("hash-object", "-t", "commit", "-w", "--stdin", data=body)
	c1 = commit(tree, None, subject, t + 60)
	open(os.path.join(repo, b"long.cu"), "wb").write(
	    b"off = static_cast<index_t>(i) * s; " + b"x<y>|`" * 4000 + b"\n")
	git("add", "-A")
	tree = git("write-tree")
	c2 = commit(tree, c1, b"Fix " + b"A" * 5000 + b" <end>", t + 120)
	git("update-ref", "refs/heads/main", c2)
	PY
	git -C evil reset -q --hard &&
	mirror_of evil evil.git &&
	git -C evil.git update-ref refs/pull/7/head $(rev evil main) &&
	git -C evil.git update-ref refs/heads/main $(rev evil main~1) &&
	ms_scan evil.git 2>err &&
	test_grep "^mirrorscan: evil: 2 new commits (2 tagged)" err
'

# The checks shared by the formats, in Python: the subject as a JSON
# reader gets it (invalid bytes read as Latin-1), and the raw paths.
cat >"$TRASH/expect.py" <<\PY
import codecs, subprocess
def latin1_errors(e):
    return ("".join(chr(b) for b in e.object[e.start:e.end]), e.end)
codecs.register_error("latin1", latin1_errors)
def as_json(b):
    return b.decode("utf-8", "latin1")
def raw(*args):
    return subprocess.run(["git", "-C", "evil.git"] + list(args),
                          stdout=subprocess.PIPE, check=True).stdout
SUBJECT = raw("cat-file", "commit", "main").split(b"\n\n", 1)[1] \
    .split(b"\n\n")[0].replace(b"\n", b" ")
AUTHOR = b"Eve | `x` \x1b[31m & \"q\" \xff"
PATHS = sorted(p for p in raw("ls-tree", "-r", "-z", "--name-only",
                               "refs/pull/7/head")
               .split(b"\0") if p)
FORBIDDEN = ["\x1b", "\x9b", "\u202e", "\x85", "\x00"]
PY

test_expect_success 'json: valid, every string back as it was' '
	ms_report --format json >r.json &&
	"$PYTHON3" - r.json <<-\PY
	import json, sys
	exec(open("expect.py").read())
	text = open(sys.argv[1], "rb").read().decode("utf-8")
	doc = json.loads(text)
	(repo,) = doc["repos"]
	cs = {c["subject"][:4]: c for c in repo["commits"]}
	assert len(repo["commits"]) == 2, repo["commits"]
	evil = [c for c in repo["commits"] if c["subject"].startswith("<script>")][0]
	assert evil["subject"] == as_json(SUBJECT), (evil["subject"], SUBJECT)
	assert evil["author"] == as_json(AUTHOR), evil["author"]
	got = sorted(f["path"] for f in evil["files"])
	want = sorted(as_json(p) for p in PATHS if p != b"long.cu")
	assert got == want, (got, want)
	long = [c for c in repo["commits"] if c["subject"].startswith("Fix ")][0]
	# the index keeps the first 4 KiB of a subject
	assert long["subject"].startswith("Fix " + "A" * 4000), long["subject"]
	m = [m for m in long["matches"] if m["path"] == "long.cu"][0]
	assert m["text"].startswith("off = static_cast<index_t>(i) * s; "), m
	assert len(m["text"].encode()) <= 240, len(m["text"])
	for ch in ("\u2028", "\u2029"):
	    assert ch not in text
	print("ok")
	PY
'

test_expect_success 'ndjson: one valid object per line' '
	ms_report --format ndjson >r.ndjson &&
	test_line_count = 1 r.ndjson &&
	"$PYTHON3" -c "
import json, sys
for l in open(sys.argv[1], encoding=\"utf-8\"):
    o = json.loads(l)
    assert len(o[\"commits\"]) == 2
print(\"ok\")" r.ndjson
'

test_expect_success 'csv: parsed back, one row per commit, no raw control' '
	ms_report --format csv >r.csv &&
	"$PYTHON3" - r.csv <<-\PY
	import csv, sys
	exec(open("expect.py").read())
	text = open(sys.argv[1], "rb").read().decode("utf-8")
	for ch in FORBIDDEN:
	    assert ch not in text, repr(ch)
	rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
	assert len(rows) == 3, rows
	assert all(len(r) == 12 for r in rows), [len(r) for r in rows]
	evil = [r for r in rows if r[5].startswith("<script>")][0]
	assert evil[5].startswith("<script>alert(1)</script> | a | b `rm -rf` **bold** "), evil[5]
	assert "\\e[31mred" in evil[5] and "\\xff\\x85 end line two" in evil[5], evil[5]
	assert "\\u{009b}CSI" in evil[5] and "\\u{202e}bidi" in evil[5], evil[5]
	assert evil[3] == "Eve | `x` \\e[31m & \"q\" \\xff", evil[3]
	assert evil[6] == "" and evil[7] == "true", evil
	long = [r for r in rows if r[5].startswith("Fix ")][0]
	assert long[6] == "7" and long[7] == "false", long
	print("ok")
	PY
'

test_expect_success 'sarif: valid, uris percent-encoded back to the raw paths' '
	ms_report --format sarif >r.sarif &&
	"$PYTHON3" - r.sarif <<-\PY
	import json, sys, urllib.parse
	exec(open("expect.py").read())
	s = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
	(run,) = s["runs"]
	uris = set()
	for res in run["results"]:
	    for loc in res["locations"]:
	        phys = loc.get("physicalLocation")
	        if not phys:
	            continue
	        uri = phys["artifactLocation"]["uri"]
	        assert all(0x21 <= ord(ch) < 0x7f for ch in uri), uri
	        assert not urllib.parse.urlsplit(uri).scheme, uri
	        uris.add(urllib.parse.unquote_to_bytes(uri))
	        reg = phys.get("region")
	        if reg:
	            assert reg["startLine"] >= 1
	            assert isinstance(reg["snippet"]["text"], str)
	want = {p for p in PATHS if p.endswith(b".cu") and b"esc" not in p}
	want |= {p for p in PATHS if p.endswith(b".md")}
	assert uris == want, (uris, want)
	print("ok")
	PY
'

test_expect_success 'markdown: valid UTF-8, no raw control, no raw HTML, one item per commit' '
	for lang in en zh; do
		ms_report --lang $lang >r.$lang.md &&
		"$PYTHON3" - r.$lang.md <<-\PY || return 1
		import re, sys
		exec(open("expect.py").read())
		text = open(sys.argv[1], "rb").read().decode("utf-8")
		for ch in FORBIDDEN:
		    assert ch not in text, repr(ch)
		assert not [c for c in text if ord(c) < 0x20 and c != "\n"], "control"
		# outside code spans, < > | ` [ * are escaped: nothing is HTML, a
		# table cell, a link or emphasis
		for line in text.split("\n"):
		    i = 0
		    while i < len(line):
		        ch = line[i]
		        if ch == "\\":
		            i += 2
		            continue
		        if ch == "`":
		            n = len(re.match(r"`+", line[i:]).group(0))
		            end = line.find("`" * n, i + n)
		            while end >= 0 and line[end + n:end + n + 1] == "`":
		                end = line.find("`" * n, end + n + 1)
		            assert end >= 0, ("unclosed code span", line)
		            i = end + n
		            continue
		        assert ch not in "<>|[", (ch, line)
		        i += 1
		items = [l for l in text.split("\n") if l.startswith("- **`")]
		assert len(items) == 2, items
		long = [l for l in items if "AAAA" in l][0]
		assert long.endswith("\u2026"), long[-20:]
		assert len(long.encode()) < 400, len(long)
		print("ok")
		PY
	done
'

test_expect_success 'html: every tag is ours, the hostile text is text' '
	for lang in en zh; do
		ms_report --format html --lang $lang >r.$lang.html &&
		"$PYTHON3" - r.$lang.html <<-\PY || return 1
		import html.parser, sys
		exec(open("expect.py").read())
		text = open(sys.argv[1], "rb").read().decode("utf-8")
		for ch in FORBIDDEN:
		    assert ch not in text, repr(ch)
		OK = set("html head meta title style body h1 h2 h3 h4 p ul li table "
		         "thead tbody tr th td code span a section figure figcaption "
		         "svg g rect text line".split())
		class P(html.parser.HTMLParser):
		    def __init__(self):
		        super().__init__(convert_charrefs=True)
		        self.data = []
		        self.tags = []
		    def handle_starttag(self, tag, attrs):
		        assert tag in OK, (tag, attrs)
		        for k, v in attrs:
		            assert not k.startswith("on"), (tag, k)
		            assert k != "src", (tag, k)
		            if k == "href":
		                assert v.startswith("#repo-"), v
		        self.tags.append(tag)
		    def handle_data(self, d):
		        self.data.append(d)
		p = P()
		p.feed(text)
		p.close()
		body = "".join(p.data)
		assert "<script>alert(1)</script> | a | b `rm -rf`" in body
		assert "<img src=x onerror=alert(1)>.cu" in body
		assert "</code><script>alert(1)</script>" in body
		assert p.tags.count("table") == 2, p.tags.count("table")
		assert "svg" in p.tags
		print("ok")
		PY
	done
'

test_expect_success 'text-like fields keep their escapes in every format' '
	ms_report --format md >r.md &&
	test_grep -F "    - \`new\\nline.cu\` (new) +1 -0" r.md &&
	test_grep -F "    - \`bad\\xff\\xfe.cu\` (new) +1 -0" r.md &&
	test_grep -F "\\\\e\\[31mred" r.md &&
	test_grep -F "\\\\xff\\\\x85 end line two" r.md &&
	ms_report --format html >r.html &&
	test_grep -F "\\e[31mred" r.html &&
	test_grep -F "&lt;script&gt;alert(1)&lt;/script&gt;" r.html
'

test_done
