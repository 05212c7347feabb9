#!/bin/sh
test_description='scan: mirrors and their names, every commit, tags and matches'
. "$(dirname "$0")/test-lib.sh"

# iso SECONDS: the contract's time format
iso () {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# repo_names DB: the repository names in that index, sorted
repo_names () {
	mirrorscan --db "$1" repos --format json >"$TEST_LIB/names.json" &&
	json_field name <"$TEST_LIB/names.json" | sort
}

test_expect_success 'setup: a repository with a root commit, a fix, a merged topic' '
	git init -q -b main up &&
	mkdir up/src &&
	printf "# up\n\nA test project.\n" >up/README.md &&
	cat >up/src/kernel.cu <<-\EOT &&
	__global__ void k(int row, int stride) {
	  int off = row * stride;
	  use(off);
	}
	EOT
	git -C up add . &&
	git_commit -C up "Import the kernel" &&
	cat >up/src/kernel.cu <<-\EOT &&
	__global__ void k(int row, int stride) {
	  const index_t off = static_cast<index_t>(row) * stride;
	  use(off);
	  if (sm_version >= 120) {
	    use_tma();
	  }
	}
	EOT
	test_tick &&
	GIT_AUTHOR_DATE="$((TEST_TICK_START - 3600)) +0000" \
		git -C up commit -q -a -m "Fix int32 overflow in stride math (#12)" &&
	git -C up checkout -q -b topic &&
	test_commit -C up "Tune the MoE configs" "configs/moe/E=8.json" "{\"64\": {\"BLOCK_SIZE_M\": 16}}" &&
	git -C up checkout -q main &&
	test_tick &&
	git -C up merge -q --no-ff -m "Merge pull request #7 from alice/topic" topic &&
	test_commit -C up "Explain the kernel" README.md "# up

A test project, with a kernel." &&
	mirror_of up up.git
'

test_expect_success 'scan of a bare mirror: summary, every commit indexed once' '
	ms_scan up.git >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: up: 5 new commits (4 tagged), 0 now landed, 0 rescanned, [0-9.]* s\$" err &&
	all_commits up.git >expect &&
	test_line_count = 5 expect &&
	ms_oids >actual &&
	test_cmp expect actual &&
	ms_log_field oid >all &&
	test_line_count = 5 all &&
	sort all | uniq -d >dups &&
	test_must_be_empty dups &&
	echo 5 >expect &&
	ms_repo_field up commits >actual &&
	test_cmp expect actual &&
	ms_repo_field up landed >actual &&
	test_cmp expect actual &&
	echo 0 >expect &&
	ms_repo_field up partial >actual &&
	test_cmp expect actual
'

test_expect_success 'the fix: metadata, files, tags and matches exactly' '
	c=$(rev up.git main~2) &&
	ms_show $c >c.json &&
	for f in repo oid short time author_time author email subject body pr refs.0 landed merge partial diffed parents files_total tags; do
		printf "%s=%s\n" $f "$(json_field $f <c.json)" || return 1
	done >actual &&
	cat >expect <<-EOT &&
	repo=up
	oid=$c
	short=$(echo $c | cut -c1-12)
	time=$(iso $((TEST_TICK_START + 60 * 2)))
	author_time=$(iso $((TEST_TICK_START - 3600)))
	author=A U Thor
	email=author@example.com
	subject=Fix int32 overflow in stride math (#12)
	body=
	pr=12
	refs.0=refs/heads/main
	landed=true
	merge=false
	partial=false
	diffed=true
	parents=1
	files_total=1
	tags=fix hw/blackwell kernel/dispatch kernel/int-overflow
	EOT
	test_cmp expect actual &&
	echo "modified src/kernel.cu 4 1" >expect &&
	ms_files $c >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOT &&
	blackwell added src/kernel.cu:4   if (sm_version >= 120) {
	fix-message message message:1 Fix int32 overflow in stride math (#12)
	overflow added src/kernel.cu:2   const index_t off = static_cast<index_t>(row) * stride;
	EOT
	ms_matches $c >actual &&
	test_cmp expect actual &&
	json_lines "[m[\"tags\"] for m in o[\"matches\"]]" <c.json | sort >actual &&
	cat >expect <<-\EOT &&
	fix
	hw/blackwell kernel/dispatch
	kernel/int-overflow
	EOT
	test_cmp expect actual
'

test_expect_success 'the root commit is diffed against the empty tree' '
	c=$(git -C up.git rev-list --max-parents=0 main) &&
	echo 0 >expect &&
	ms_field $c parents >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOT &&
	added README.md 3 0
	added src/kernel.cu 4 0
	EOT
	ms_files $c >actual &&
	test_cmp expect actual &&
	echo "docs-path path README.md:0 README.md" >expect &&
	ms_matches $c >actual &&
	test_cmp expect actual &&
	echo docs >expect &&
	ms_tags $c >actual &&
	test_cmp expect actual
'

test_expect_success 'the merge: recorded, not diffed, PR from "Merge pull request #7"' '
	c=$(rev up.git main~1) &&
	ms_show $c >m.json &&
	for f in subject pr merge diffed parents files_total files matches tags landed; do
		printf "%s=%s\n" $f "$(json_field $f <m.json)" || return 1
	done >actual &&
	cat >expect <<-\EOT &&
	subject=Merge pull request #7 from alice/topic
	pr=7
	merge=true
	diffed=false
	parents=2
	files_total=0
	files=
	matches=
	tags=
	landed=true
	EOT
	test_cmp expect actual
'

test_expect_success 'a commit of the merged topic: path match, no PR' '
	c=$(rev up.git topic) &&
	echo "tuning path configs/moe/E=8.json:0 configs/moe/E=8.json" >expect &&
	ms_matches $c >actual &&
	test_cmp expect actual &&
	echo null >expect &&
	ms_field $c pr >actual &&
	test_cmp expect actual &&
	echo "added configs/moe/E=8.json 1 0" >expect &&
	ms_files $c >actual &&
	test_cmp expect actual
'

test_expect_success 'PR numbers come only from "(#N)" at the end or "Merge pull request #N "' '
	make_repo prs &&
	git_commit -C prs "Add thing (#2260)" &&
	git_commit -C prs "Add thing (#31)  " &&
	git_commit -C prs "Mention (#5) in the middle" &&
	git_commit -C prs "Merge pull request #123 from bob/x" &&
	git_commit -C prs "Merge pull request #abc from bob/x" &&
	git_commit -C prs "Not a PR (#)" &&
	git_commit -C prs "Not a PR #44" &&
	git_commit -C prs "Not a PR (#0x1)" &&
	mirror_of prs prs.git &&
	ms_scan prs.git 2>err &&
	ms_log_field "subject" --repo prs >subjects &&
	ms_log_field "pr" --repo prs >numbers &&
	paste -d "|" subjects numbers >actual &&
	cat >expect <<-\EOT &&
	Not a PR (#0x1)|null
	Not a PR #44|null
	Not a PR (#)|null
	Merge pull request #abc from bob/x|null
	Merge pull request #123 from bob/x|123
	Mention (#5) in the middle|null
	Add thing (#31)|31
	Add thing (#2260)|2260
	initial|null
	EOT
	test_cmp expect actual
'

test_expect_success 'a non-bare repository is scanned too, named after its directory' '
	ms_scan --db "$TRASH/db-work" up 2>err &&
	test_grep "^mirrorscan: up: 5 new commits" err &&
	echo up >expect &&
	repo_names db-work >actual &&
	test_cmp expect actual &&
	mirrorscan --db "$TRASH/db-work" log --format ndjson >log &&
	json_field oid <log | sort >actual &&
	all_commits up.git >expect &&
	test_cmp expect actual &&
	ms_scan --db "$TRASH/db-work2" up/.git 2>err &&
	echo up >expect &&
	repo_names db-work2 >actual &&
	test_cmp expect actual
'

test_expect_success 'names: x.git is x, owner+name/repo is owner/name, NAME=PATH' '
	mirror_of up x.git &&
	mkdir owner+name &&
	mirror_of up owner+name/repo &&
	mkdir -p deep/flashinfer-ai+flashinfer.git &&
	mirror_of up deep/flashinfer-ai+flashinfer.git/repo &&
	ms_scan --db "$TRASH/db-names" x.git owner+name/repo \
		deep/flashinfer-ai+flashinfer.git/repo custom=up.git \
		org/proj=up.git 2>err &&
	cat >expect <<-\EOT &&
	custom
	flashinfer-ai/flashinfer
	org/proj
	owner/name
	x
	EOT
	repo_names db-names >actual &&
	test_cmp expect actual &&
	mirrorscan --db "$TRASH/db-names" repos --format json >repos.json &&
	json_eval "o[\"name\"] + \" \" + o[\"path\"]" <repos.json | sort >actual &&
	cat >expect <<-EOT &&
	custom $TRASH/up.git
	flashinfer-ai/flashinfer $TRASH/deep/flashinfer-ai+flashinfer.git/repo
	org/proj $TRASH/up.git
	owner/name $TRASH/owner+name/repo
	x $TRASH/x.git
	EOT
	test_cmp expect actual
'

test_expect_success 'a directory of mirrors: each one is scanned' '
	mkdir mirrors &&
	mirror_of up mirrors/a.git &&
	mirror_of prs mirrors/b &&
	mkdir mirrors/c+d mirrors/empty &&
	mirror_of up mirrors/c+d/repo &&
	echo "not a repository" >mirrors/notes.txt &&
	ms_scan --db "$TRASH/db-dir" mirrors 2>err &&
	cat >expect <<-\EOT &&
	a
	b
	c/d
	EOT
	repo_names db-dir >actual &&
	test_cmp expect actual &&
	test_grep "^mirrorscan: a: 5 new commits" err &&
	test_grep "^mirrorscan: b: 9 new commits" err &&
	test_grep "^mirrorscan: c/d: 5 new commits" err &&
	mirrorscan --db "$TRASH/db-dir" log --repo c/d --format ndjson >log &&
	json_field oid <log | sort >actual &&
	all_commits up.git >expect &&
	test_cmp expect actual
'

test_expect_success 'two mirrors with one name are an error, not a merge' '
	mkdir one two &&
	mirror_of up one/x.git &&
	mirror_of prs two/x.git &&
	test_expect_code 2 ms_scan --db "$TRASH/db-two" one/x.git two/x.git >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: two mirrors are named '"'"'x'"'"': '"'"'$TRASH/one/x.git'"'"' and '"'"'$TRASH/two/x.git'"'"' (name one with NAME=PATH)" >expect &&
	test_cmp expect err &&
	if test -e db-two
	then
		test_expect_code 1 mirrorscan --db "$TRASH/db-two" log >out &&
		test_must_be_empty out
	fi &&
	ms_scan --db "$TRASH/db-two" one/x.git y=two/x.git 2>err &&
	printf "x\ny\n" >expect &&
	repo_names db-two >actual &&
	test_cmp expect actual
'

test_expect_success 'a name given twice with NAME=PATH is an error too' '
	test_expect_code 2 ms_scan --db "$TRASH/db-two2" same=one/x.git same=two/x.git 2>err &&
	test_grep "two mirrors are named .same." err
'

test_expect_success 'not a repository: exit 2, nothing scanned' '
	mkdir plain &&
	echo hello >plain/file &&
	test_expect_code 2 ms_scan --db "$TRASH/db-bad" plain >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: not a git repository, nor a directory of them: '"'"'plain'"'"'" >expect &&
	test_cmp expect err &&
	test_expect_code 2 ms_scan --db "$TRASH/db-bad" plain/file 2>err &&
	test_grep "not a git repository" err &&
	test_expect_code 2 ms_scan --db "$TRASH/db-bad" name=plain 2>err &&
	echo "mirrorscan: not a git repository: '"'"'plain'"'"'" >expect &&
	test_cmp expect err &&
	test_expect_code 2 ms_scan --db "$TRASH/db-bad" no-such-dir 2>err &&
	test_grep "^mirrorscan: cannot open mirror .no-such-dir.: No such file or directory\$" err &&
	test_expect_code 2 ms_scan --db "$TRASH/db-bad" up.git plain 2>err &&
	! test -e db-bad
'

test_expect_success 'a rerun finds nothing new' '
	ms_scan up.git 2>err &&
	echo "mirrorscan: up: up to date" >expect &&
	test_cmp expect err
'

test_done
