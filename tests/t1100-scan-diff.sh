#!/bin/sh
test_description='scan: renames, binary and oversized files, merges, deletions, removed lines, line counts'
. "$(dirname "$0")/test-lib.sh"

EMPTY_TREE=4b825dc642cb6eb9a060e54bf8d69288fbee4904

# numstat REPO COMMIT: "path added removed" of each file, as git counts
# them against the first parent (renames detected), sorted; "-" for binary.
numstat () {
	"$PYTHON3" - "$1" "$2" "$EMPTY_TREE" <<-\PY
	import subprocess, sys
	repo, c, empty = sys.argv[1:4]
	def git(*a):
	    return subprocess.run(("git", "-C", repo) + a, check=True,
	                          capture_output=True).stdout
	parents = git("rev-list", "--parents", "-n1", c).decode().split()[1:]
	base = parents[0] if parents else empty
	f = git("diff", "--numstat", "-z", "-M", base, c).decode().split("\0")
	out, i = [], 0
	while i < len(f) and f[i]:
	    a, r, p = f[i].split("\t")
	    if p == "":
	        p = f[i + 2]
	        i += 3
	    else:
	        i += 1
	    out.append("%s %s %s" % (p, a, r))
	print("\n".join(sorted(out)))
	PY
}

# ms_numstat COMMIT: the same from the index
ms_numstat () {
	ms_show "$1" >"$TEST_LIB/n.json" &&
	json_lines '[" ".join([f["path"],
		"-" if f["added"] is None else str(f["added"]),
		"-" if f["removed"] is None else str(f["removed"])])
		for f in o["files"]]' <"$TEST_LIB/n.json" | sort
}

test_expect_success 'setup: renames, binary, oversized, deletions, a merge' '
	make_repo d &&
	for i in $(seq 1 20); do echo "line $i of a"; done >d/a.txt &&
	mkdir d/docs d/configs d/configs/ignored &&
	printf "# Guide\n\nRead me.\n" >d/docs/guide.md &&
	printf "static_cast<index_t>(x)\0\001\002 binary\n" >d/data.bin &&
	for i in $(seq 1 100); do echo "filler line $i of a file that is too big"; done >d/big.txt &&
	echo "x = static_cast<index_t>(big) * stride;" >>d/big.txt &&
	printf "int a;\nint b;\nint c;\n#define LEGACY_MODE 1\nint d;\nint e;\n" >d/legacy.c &&
	echo "{\"x\": 1}" >d/configs/a.json &&
	echo "{\"y\": 2}" >d/configs/ignored/skip.json &&
	git -C d add . &&
	git_commit -C d "Add files" &&
	git -C d tag c1 &&

	git -C d mv a.txt b.txt &&
	git_commit -C d "Rename a.txt" &&
	git -C d tag c2 &&

	git -C d mv b.txt c.txt &&
	sed -i "s/^line 10 of a\$/line ten of a/" d/c.txt &&
	git -C d add c.txt &&
	git_commit -C d "Rename and edit" &&
	git -C d tag c3 &&

	printf "static_cast<index_t>(y)\0\003\004 still binary\n" >d/data.bin &&
	git -C d add data.bin &&
	git_commit -C d "Change the binary" &&
	git -C d tag c4 &&

	echo "y = static_cast<index_t>(more) * stride;" >>d/big.txt &&
	git -C d add big.txt &&
	git_commit -C d "Grow big.txt" &&
	git -C d tag c5 &&

	git -C d rm -q docs/guide.md configs/a.json &&
	git_commit -C d "Remove the guide and a config" &&
	git -C d tag c6 &&

	printf "// 1\n// 2\n// 3\nint a;\nint b;\nint c;\nint d;\nint e;\n" >d/legacy.c &&
	git -C d add legacy.c &&
	git_commit -C d "Drop legacy mode" &&
	git -C d tag c7 &&

	sed -i -e "s/^line 2 of a\$/line two/" -e "/^line 5 of a\$/d" \
		-e "s/^line 11 of a\$/line eleven/" \
		-e "s/^line 15 of a\$/line 15 of a\nnew 1\nnew 2/" \
		-e "s/^line 19 of a\$/line nineteen/" d/c.txt &&
	git -C d add c.txt &&
	git_commit -C d "Edit c.txt in several places" &&
	git -C d tag c8 &&

	git -C d checkout -q -b side &&
	test_commit -C d "Widen side offsets" side.cu "off = static_cast<index_t>(i) * ld;" &&
	git -C d checkout -q main &&
	test_commit -C d "Unrelated" init.txt "init 2" &&
	test_tick &&
	git -C d merge -q --no-ff -m "Merge branch side" side &&
	mirror_of d d.git &&
	ms_scan --max-size 2000 d.git 2>err &&
	test_grep "^mirrorscan: d: 12 new commits" err
'

test_expect_success 'an added binary, an oversized file, an excluded path' '
	cat >expect <<-\EOT &&
	added a.txt 20 0
	added big.txt - - oversize
	added configs/a.json 1 0
	added configs/ignored/skip.json 1 0
	added data.bin - - binary
	added docs/guide.md 3 0
	added legacy.c 6 0
	EOT
	ms_files $(rev d.git c1) >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOT &&
	docs-path path docs/guide.md:0 docs/guide.md
	tuning path configs/a.json:0 configs/a.json
	EOT
	ms_matches $(rev d.git c1) >actual &&
	test_cmp expect actual
'

test_expect_success 'an exact rename' '
	echo "renamed b.txt 0 0 old=a.txt" >expect &&
	ms_files $(rev d.git c2) >actual &&
	test_cmp expect actual &&
	ms_show $(rev d.git c2) >c2.json &&
	echo "b.txt a.txt renamed" >expect &&
	json_eval "\" \".join([o[\"files\"][0][\"path\"], o[\"files\"][0][\"old_path\"], o[\"files\"][0][\"status\"]])" <c2.json >actual &&
	test_cmp expect actual
'

test_expect_success 'a rename with a small edit' '
	echo "renamed c.txt 1 1 old=b.txt" >expect &&
	ms_files $(rev d.git c3) >actual &&
	test_cmp expect actual
'

test_expect_success 'a changed binary file: counts null, not matched' '
	echo "modified data.bin - - binary" >expect &&
	ms_files $(rev d.git c4) >actual &&
	test_cmp expect actual &&
	ms_matches $(rev d.git c4) >actual &&
	test_must_be_empty actual &&
	echo true >expect &&
	ms_field $(rev d.git c4) files.0.binary >actual &&
	test_cmp expect actual &&
	echo null >expect &&
	ms_field $(rev d.git c4) files.0.added >actual &&
	test_cmp expect actual
'

test_expect_success 'a file above --max-size: recorded, oversize, not matched' '
	echo "modified big.txt - - oversize" >expect &&
	ms_files $(rev d.git c5) >actual &&
	test_cmp expect actual &&
	ms_matches $(rev d.git c5) >actual &&
	test_must_be_empty actual &&
	test_expect_code 1 mirrorscan log --rule overflow --path "^big" >out
'

test_expect_success 'the same file under the default size limit is matched' '
	ms_scan --db "$TRASH/db-big" d.git 2>err &&
	echo "overflow added big.txt:102 y = static_cast<index_t>(more) * stride;" >expect &&
	mirrorscan --db "$TRASH/db-big" show --format json $(rev d.git c5) >c5.json &&
	json_lines "[\"%s %s %s:%d %s\" % (m[\"rule\"], m[\"side\"], m[\"path\"], m[\"line\"], m[\"text\"]) for m in o[\"matches\"]]" <c5.json >actual &&
	test_cmp expect actual
'

test_expect_success 'deleted files; a path rule with status does not count deletions' '
	cat >expect <<-\EOT &&
	deleted configs/a.json 0 1
	deleted docs/guide.md 0 3
	EOT
	ms_files $(rev d.git c6) >actual &&
	test_cmp expect actual &&
	echo "docs-path path docs/guide.md:0 docs/guide.md" >expect &&
	ms_matches $(rev d.git c6) >actual &&
	test_cmp expect actual &&
	echo docs >expect &&
	ms_tags $(rev d.git c6) >actual &&
	test_cmp expect actual
'

test_expect_success 'a removed line matches with its line number in the old file' '
	echo "modified legacy.c 3 1" >expect &&
	ms_files $(rev d.git c7) >actual &&
	test_cmp expect actual &&
	echo "legacy-removed removed legacy.c:4 #define LEGACY_MODE 1" >expect &&
	ms_matches $(rev d.git c7) >actual &&
	test_cmp expect actual &&
	echo cleanup/legacy >expect &&
	ms_tags $(rev d.git c7) >actual &&
	test_cmp expect actual
'

test_expect_success 'a merge is recorded but its diff is not scanned' '
	m=$(rev d.git main) &&
	ms_show $m >m.json &&
	for f in merge diffed parents files_total files matches tags; do
		printf "%s=%s\n" $f "$(json_field $f <m.json)" || return 1
	done >actual &&
	cat >expect <<-\EOT &&
	merge=true
	diffed=false
	parents=2
	files_total=0
	files=
	matches=
	tags=
	EOT
	test_cmp expect actual &&
	echo "overflow added side.cu:1 off = static_cast<index_t>(i) * ld;" >expect &&
	ms_matches $(rev d.git side) >actual &&
	test_cmp expect actual
'

test_expect_success '--merges diffs a merge against its first parent' '
	ms_scan --db "$TRASH/db-merges" --merges d.git 2>err &&
	mirrorscan --db "$TRASH/db-merges" show --format json $(rev d.git main) >m.json &&
	for f in merge diffed files_total tags; do
		printf "%s=%s\n" $f "$(json_field $f <m.json)" || return 1
	done >actual &&
	cat >expect <<-\EOT &&
	merge=true
	diffed=true
	files_total=1
	tags=kernel/int-overflow
	EOT
	test_cmp expect actual &&
	echo "overflow added side.cu:1 off = static_cast<index_t>(i) * ld;" >expect &&
	json_lines "[\"%s %s %s:%d %s\" % (m[\"rule\"], m[\"side\"], m[\"path\"], m[\"line\"], m[\"text\"]) for m in o[\"matches\"]]" <m.json >actual &&
	test_cmp expect actual
'

test_expect_success 'added and removed counts agree with git diff --numstat' '
	for t in c1 c2 c3 c4 c6 c7 c8 side main~1; do
		c=$(rev d.git $t) &&
		numstat d.git $c | grep -v "^big.txt " >expect &&
		ms_numstat $c | grep -v "^big.txt " >actual &&
		test_cmp expect actual || { echo "commit $t differs"; return 1; }
	done &&
	cat >expect <<-\EOT &&
	c.txt 5 4
	EOT
	ms_numstat $(rev d.git c8) >actual &&
	test_cmp expect actual
'

test_expect_success 'a commit of many files is diffed in parts, with the same result' '
	make_repo wide &&
	mkdir -p wide/gen wide/docs &&
	i=0 &&
	while test $i -lt 1500; do
		n=$(printf "%04d" $i) &&
		case $i in
		74?|75?|760) printf "x%s = to_fp8(y); // e4m3\n" $n ;;
		*7) printf "int a%s;\noff = static_cast<index_t>(i) * %s;\n" $n $i ;;
		*3) printf "if (sm_version >= 120) { k%s(); }\n" $n ;;
		*) printf "int b%s;\n" $n ;;
		esac >wide/gen/f$n.cu &&
		i=$((i + 1)) || return 1
	done &&
	echo "# notes" >wide/docs/notes.md &&
	git -C wide add . && git_commit -C wide "Add generated kernels" &&
	for j in 1 2; do
		ms_scan --db "$TRASH/db-wide$j" --jobs $j wide 2>err &&
		mirrorscan --db "$TRASH/db-wide$j" show --format json \
			$(rev wide HEAD) >wide$j.json || return 1
	done &&
	test_cmp wide1.json wide2.json &&
	json_eval "len(o[\"files\"])" <wide2.json >actual &&
	echo 1501 >expect &&
	test_cmp expect actual &&
	json_eval "\" \".join(o[\"tags\"])" <wide2.json >actual &&
	echo "docs hw/blackwell kernel/dispatch kernel/fp8 kernel/int-overflow" >expect &&
	test_cmp expect actual &&
	json_lines "[m[\"path\"] for m in o[\"matches\"] if m[\"rule\"] == \"overflow\"]" \
		<wide2.json >actual &&
	test_line_count = 16 actual &&
	echo docs/notes.md >expect &&
	json_lines "[m[\"path\"] for m in o[\"matches\"] if m[\"rule\"] == \"docs-path\"]" \
		<wide2.json >actual &&
	test_cmp expect actual &&
	json_lines "[m[\"path\"] for m in o[\"matches\"] if m[\"rule\"] == \"overflow\"]" \
		<wide2.json | tail -n 1 >actual &&
	echo gen/f0157.cu >expect &&
	test_cmp expect actual &&
	json_lines "[m[\"path\"] for m in o[\"matches\"] if m[\"rule\"] == \"fp8-keyword\"]" \
		<wide2.json >actual &&
	test_line_count = 16 actual &&
	head -n 1 actual >first &&
	echo gen/f0740.cu >expect &&
	test_cmp expect first &&
	tail -n 1 actual >last &&
	echo gen/f0755.cu >expect &&
	test_cmp expect last
'

test_expect_success 'commits with the same diff get the same result, each its own message' '
	make_repo twins &&
	seq 1 40 >twins/old.txt &&
	git -C twins add old.txt && git_commit -C twins "a file to move" &&
	git -C twins tag base &&
	for b in a:"Add the kernel" b:"Add the kernel again" \
		 c:"Revert to the kernel" d:"Add the kernel (#5)"; do
		git -C twins checkout -q -b ${b%%:*} base &&
		printf "x = static_cast<index_t>(i) * n;\nint y;\n" >twins/k.cu &&
		echo "# kernel" >twins/k.md &&
		git -C twins mv old.txt new.txt &&
		git -C twins add k.cu k.md &&
		git_commit -C twins "${b#*:}" || return 1
	done &&
	git -C twins update-ref refs/pull/5/head d &&
	git -C twins checkout -q main && git -C twins branch -D d &&
	ms_scan --db "$TRASH/db-twins" --jobs 1 twins 2>err &&
	for b in a b c refs/pull/5/head; do
		mirrorscan --db "$TRASH/db-twins" show --format json \
			$(rev twins $b) >show.json &&
		json_lines "[\"%s %s +%s -%s\" % (f[\"path\"], f[\"status\"], f[\"added\"], f[\"removed\"]) for f in o[\"files\"]]" \
			<show.json >files.$(basename $b) &&
		json_lines "[\"%s %s:%d %s\" % (m[\"rule\"], m[\"path\"], m[\"line\"], m[\"text\"]) for m in o[\"matches\"] if m[\"side\"] != \"message\"]" \
			<show.json >matches.$(basename $b) &&
		json_eval "\" \".join(o[\"tags\"])" <show.json >tags.$(basename $b) &&
		mirrorscan --db "$TRASH/db-twins" show $(rev twins $b) |
			sed -n "/^Files/,/^\$/p" >text.$(basename $b) ||
		return 1
	done &&
	printf "%s\n" "k.cu added +2 -0" "k.md added +1 -0" \
		"new.txt renamed +0 -0" >expect &&
	test_cmp expect files.a &&
	test_grep "old.txt" text.a &&
	for b in b c head; do
		test_cmp text.a text.$b || return 1
	done &&
	printf "%s\n" "overflow k.cu:1 x = static_cast<index_t>(i) * n;" \
		"docs-path k.md:0 k.md" >expect &&
	test_cmp expect matches.a &&
	for b in b c head; do
		test_cmp files.a files.$b || return 1
	done &&
	test_cmp matches.a matches.b &&
	test_cmp matches.a matches.head &&
	echo "docs kernel/int-overflow" >expect &&
	test_cmp expect tags.a &&
	test_cmp expect tags.b &&
	test_cmp expect tags.head &&
	{ echo "revert-cuda k.cu:0 k.cu" && cat matches.a; } >expect &&
	test_cmp expect matches.c &&
	echo "docs kernel/int-overflow revert/kernel" >expect &&
	test_cmp expect tags.c
'

test_done
