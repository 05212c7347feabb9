#!/bin/sh
test_description='rules: check, test, list; the default pack'
. "$(dirname "$0")/test-lib.sh"

RULES_DIR=$MIRRORSCAN_SRC_DIR/rules

# rules_cmd ARGS: the rules command with no default pack
rules_cmd () {
	mirrorscan --no-default-rules rules "$@"
}

test_expect_success 'rules check: the test rules are fine' '
	rules_cmd check "$TEST_RULES" >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: 8 rules, 1 keywords: ok" >expect &&
	test_cmp expect err &&
	mirrorscan --no-default-rules --rules "$TEST_RULES" rules check >out 2>err &&
	test_must_be_empty out &&
	test_cmp expect err
'

test_expect_success 'rules list: id, tags, description, file:line' '
	mirrorscan --no-default-rules --rules "$TEST_RULES" rules list >actual &&
	line () {
		grep -n "^rule: $1\$" "$TEST_RULES" | cut -d: -f1
	} &&
	{
		printf "overflow\tkernel/int-overflow\tindex arithmetic widened by static_cast<index_t>\t%s:%s\n" "$TEST_RULES" $(line overflow) &&
		printf "blackwell\thw/blackwell kernel/dispatch\ta code path chosen for SM100 to SM129\t%s:%s\n" "$TEST_RULES" $(line blackwell) &&
		printf "tuning\tkernel/tuning-config\ta tuning config JSON under configs/ (not configs/ignored/), added, changed or renamed but not deleted\t%s:%s\n" "$TEST_RULES" $(line tuning) &&
		printf "docs-path\tdocs\ta markdown file\t%s:%s\n" "$TEST_RULES" $(line docs-path) &&
		printf "fix-message\tfix\tthe message says it fixes something\t%s:%s\n" "$TEST_RULES" $(line fix-message) &&
		printf "revert-cuda\trevert/kernel\ta revert that touches CUDA sources\t%s:%s\n" "$TEST_RULES" $(line revert-cuda) &&
		printf "legacy-removed\tcleanup/legacy\ta LEGACY_ macro removed\t%s:%s\n" "$TEST_RULES" $(line legacy-removed) &&
		printf "fp8-keyword\tkernel/fp8\ta to_fp8() call, in files that mention e4m3 somewhere\t%s:%s\n" "$TEST_RULES" $(line fp8-keyword)
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'rules test: every example and counterexample of the test rules holds' '
	rules_cmd test "$TEST_RULES" >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: 8 rules: every example and counterexample holds" >expect &&
	test_cmp expect err
'

test_expect_success 'rules test: failing examples and counterexamples are listed, exit 2' '
	cat >fail.rules <<-\EOT &&
	rule: r1
	tags: t/one
	added: \bfoo\(
	example: foo(1)
	example: bar(1)
	counterexample: baz(2)
	counterexample: x = foo(2)

	rule: r2
	tags: t/two
	message: ^Fix
	example: Fix it
	EOT
	test_expect_code 2 rules_cmd test fail.rules >out 2>err &&
	cat >expect <<-\EOT &&
	fail.rules:5: rule '"'"'r1'"'"': example does not match: bar(1)
	fail.rules:7: rule '"'"'r1'"'"': counterexample matches: x = foo(2)
	fail.rules:9: rule '"'"'r2'"'"': examples but no '"'"'added'"'"' or '"'"'removed'"'"' regex
	EOT
	test_cmp expect out &&
	rules_cmd check fail.rules 2>err
'

test_expect_success 'rules check: an unknown field names file:line' '
	cat >bad1.rules <<-\EOT &&
	rule: x
	tags: t/x
	frobnicate: yes
	added: foo
	EOT
	test_expect_code 2 rules_cmd check bad1.rules >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: bad1.rules:3: rule '"'"'x'"'"': unknown field '"'"'frobnicate'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success 'rules check: a bad regex names file:line, PCRE2'"'"'s message and offset' '
	cat >bad2.rules <<-\EOT &&
	# comment line

	rule: y
	tags: t/y
	added: (abc
	EOT
	test_expect_code 2 rules_cmd check bad2.rules >out 2>err &&
	test_must_be_empty out &&
	echo "mirrorscan: bad2.rules:5: rule '"'"'y'"'"': bad '"'"'added'"'"' regex: missing closing parenthesis at offset 4" >expect &&
	test_cmp expect err &&
	cat >bad3.rules <<-\EOT &&
	rule: z
	tags: t/z
	path: \.cu$
	message: a{2,1}
	EOT
	test_expect_code 2 rules_cmd check bad3.rules 2>err &&
	test_grep "^mirrorscan: bad3.rules:4: rule .z.: bad .message. regex: numbers out of order in {} quantifier at offset 5\$" err
'

test_expect_success 'rules check: every error is reported, not just the first' '
	cat >many.rules <<-\EOT &&
	rule: a
	tags: t/a
	added: (
	removed: [z-a]

	rule: b
	added: foo

	rule: c
	tags: t/c
	describe: nothing to match on

	rule: d
	tags: t/d
	status: added changed
	path: x

	tags: t/e
	added: e

	rule: a
	tags: t/a2
	added: again
	this line has no colon
	EOT
	test_expect_code 2 rules_cmd check many.rules >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: many.rules:3: rule .a.: bad .added. regex: " err &&
	test_grep "^mirrorscan: many.rules:4: rule .a.: bad .removed. regex: " err &&
	test_grep "^mirrorscan: many.rules:6: rule .b.: missing .tags.\$" err &&
	test_grep "^mirrorscan: many.rules:9: rule .c.: needs one of .added., .removed., .message., .path., .only-path. or .only-lines.\$" err &&
	test_grep "^mirrorscan: many.rules:15: rule .d.: bad status .changed." err &&
	test_grep "^mirrorscan: many.rules:18: stanza without a .rule. field\$" err &&
	test_grep "^mirrorscan: many.rules:24: rule .a.: expected .field: value.\$" err &&
	test_grep "^mirrorscan: many.rules:21: duplicate rule .a. (first at many.rules:1)\$" err
'

test_expect_success 'rules check: duplicate ids across files; unreadable files' '
	printf "rule: dup\ntags: t/1\nadded: one\n" >one.rules &&
	printf "# two\nrule: dup\ntags: t/2\nadded: two\n" >two.rules &&
	test_expect_code 2 rules_cmd check one.rules two.rules 2>err &&
	echo "mirrorscan: two.rules:2: duplicate rule '"'"'dup'"'"' (first at one.rules:1)" >expect &&
	test_cmp expect err &&
	test_expect_code 2 rules_cmd check no-such.rules 2>err &&
	test_grep "no-such.rules" err &&
	test_grep "No such file or directory" err
'

test_expect_success 'rules: continuation lines, comments, a directory of rule files' '
	mkdir dir &&
	cat >dir/b.rules <<-\EOT &&
	# b
	rule: multi
	tags: t/multi
	  t/more
	describe: one
	  two
	added: ^(?:alpha
	  |beta
	  |gamma)$
	example: beta
	counterexample: delta
	EOT
	printf "rule: first\ntags: t/first\npath: x\n" >dir/a.rules &&
	echo "rule: ignored" >dir/notes.txt &&
	mirrorscan --no-default-rules --rules dir rules list >actual &&
	printf "first\tt/first\t\tdir/a.rules:1\nmulti\tt/multi t/more\tone two\tdir/b.rules:2\n" >expect &&
	test_cmp expect actual &&
	rules_cmd test dir 2>err &&
	test_grep "2 rules: every example and counterexample holds" err
'

test_expect_success 'a bad rule file stops a scan before it starts' '
	make_repo r &&
	mirror_of r r.git &&
	test_expect_code 2 mirrorscan --no-default-rules --rules bad2.rules scan r.git >out 2>err &&
	test_grep "bad2.rules:5" err &&
	! test -e db
'

test_expect_success 'rules: usage errors' '
	test_expect_code 2 mirrorscan rules 2>err &&
	test_grep "see '"'"'mirrorscan --help'"'"'" err &&
	test_expect_code 2 mirrorscan rules frob 2>err &&
	test_grep "frob" err &&
	test_expect_code 2 mirrorscan rules list extra 2>err &&
	test_grep "extra" err
'

test_expect_success 'the default pack passes rules check and rules test' '
	test -d "$RULES_DIR" &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan rules check >out 2>err &&
	test_must_be_empty out &&
	test_grep "^mirrorscan: [1-9][0-9]* rules, [0-9]* keywords: ok\$" err &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan rules test >out 2>err &&
	test_must_be_empty out &&
	test_grep "every example and counterexample holds" err &&
	rules_cmd check "$RULES_DIR" 2>err &&
	rules_cmd test "$RULES_DIR" >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'MIRRORSCAN_RULES_DIR names the default pack; --no-default-rules drops it' '
	mkdir pack &&
	cp "$TEST_RULES" pack/only.rules &&
	MIRRORSCAN_RULES_DIR="$TRASH/pack" mirrorscan rules list >actual &&
	mirrorscan --no-default-rules --rules "$TRASH/pack" rules list >expect &&
	test_cmp expect actual &&
	MIRRORSCAN_RULES_DIR="$TRASH/pack" mirrorscan --no-default-rules rules list >actual &&
	test_must_be_empty actual
'

test_expect_success 'a binary in its build tree finds the source tree'"'"'s rules/' '
	if test "$MIRRORSCAN_BUILD_DIR" = "$(cd "$MIRRORSCAN_SRC_DIR" && pwd)" ||
	   test -f "$MIRRORSCAN_BUILD_DIR/Makefile"
	then
		mirrorscan rules list >actual &&
		mirrorscan --no-default-rules --rules "$RULES_DIR" rules list >expect &&
		test_cmp expect actual
	fi
'

# pack_tags DB REPO REF: the tags of REF of REPO in the index $TRASH/DB,
# one per line, in ./tags (and the commit as JSON in ./c.json).
pack_tags () {
	mirrorscan --db "$TRASH/$1" show --format json $(rev "$2" "$3") >c.json &&
	json_field tags <c.json | tr " " "\n" >tags
}

test_expect_success 'the default pack tags the three cases of the design' '
	git init -q -b main cases &&
	mkdir -p cases/csrc cases/vllm/model_executor/layers/fused_moe/configs &&
	cat >cases/csrc/flash_fwd_kernel.h <<-\EOT &&
	template <typename Kernel_traits>
	inline __device__ void compute_attn(const Params &params, const int bidb) {
	    const index_t row_offset_q = static_cast<index_t>(bidb) * params.q_batch_stride;
	}
	EOT
	git -C cases add . &&
	git_commit -C cases "Fix int32 overflow (#2260)" &&
	cat >cases/csrc/dispatch.cu <<-\EOT &&
	void launch(int sm_version) {
	  if (sm_version >= 120) {
	    launch_sm120();
	  } else {
	    launch_sm90();
	  }
	}
	EOT
	git -C cases add . &&
	git_commit -C cases "Add SM120 path" &&
	cat >"cases/vllm/model_executor/layers/fused_moe/configs/E=8,N=14336,device_name=NVIDIA_B200.json" <<-\EOT &&
	{
	    "1": {"BLOCK_SIZE_M": 16, "BLOCK_SIZE_N": 64, "BLOCK_SIZE_K": 128, "GROUP_SIZE_M": 1, "num_warps": 4, "num_stages": 3},
	    "64": {"BLOCK_SIZE_M": 64, "BLOCK_SIZE_N": 128, "BLOCK_SIZE_K": 64, "GROUP_SIZE_M": 8, "num_warps": 8, "num_stages": 4}
	}
	EOT
	git -C cases add . &&
	git_commit -C cases "Add MoE config for B200" &&
	mirror_of cases cases.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-default" scan cases.git 2>err &&
	for t in "main~2 kernel/int-overflow" "main~1 hw/blackwell" "main~1 kernel/dispatch" "main kernel/tuning-config"; do
		set -- $t &&
		pack_tags db-default cases.git $1 &&
		test_grep -x "$2" tags || return 1
	done
'

test_expect_success 'the default pack: Rubin code removed is Rubin; a comment or an upper bound is not' '
	git init -q -b main rubin &&
	mkdir -p rubin/flashinfer rubin/csrc &&
	cat >rubin/flashinfer/gemm.py <<-\EOT &&
	@supported_compute_capability([100, 103, 107])
	def bmm_fp8(a, b):
	    # SM107 needs its own tactics
	    return run(a, b)
	EOT
	cat >rubin/csrc/barrier.cuh <<-\EOT &&
	#if defined(__CUDA_ARCH__) && (__CUDA_ARCH__ >= 900)
	void arrive();
	#endif
	EOT
	git -C rubin add . &&
	git_commit -C rubin "Add bmm_fp8" &&
	sed -e "s/, 107\]/]/" -e "/SM107/d" rubin/flashinfer/gemm.py >g &&
	mv g rubin/flashinfer/gemm.py &&
	sed "s/(__CUDA_ARCH__ >= 900)/(__CUDA_ARCH__ >= 900) \&\& (__CUDA_ARCH__ < 1000)/" \
		rubin/csrc/barrier.cuh >b &&
	mv b rubin/csrc/barrier.cuh &&
	git -C rubin commit -q -am "Drop SM107 from the gate; barrier for Hopper only" &&
	mirror_of rubin rubin.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-rubin" scan rubin.git 2>err &&
	pack_tags db-rubin rubin.git main &&
	test_grep -x hw/rubin tags &&
	! grep -qx hw/blackwell tags &&
	test_grep "rubin-markers-removed.*supported_compute_capability" c.json &&
	! grep -q "SM107 needs" c.json
'

test_expect_success 'the default pack: a capability list that gains SM103 is Blackwell dispatch; one that loses an entry is not' '
	git init -q -b main caps &&
	mkdir -p caps/flashinfer &&
	cat >caps/flashinfer/gemm.py <<-\EOT &&
	@supported_compute_capability([100])
	def mm_bf16(a, b):
	    return run(a, b)
	EOT
	git -C caps add . &&
	git_commit -C caps "Add mm_bf16" &&
	sed "s/\[100\]/[100, 103]/" caps/flashinfer/gemm.py >g &&
	mv g caps/flashinfer/gemm.py &&
	git -C caps commit -q -am "Enable SM103" &&
	sed "s/\[100, 103\]/[100]/" caps/flashinfer/gemm.py >g &&
	mv g caps/flashinfer/gemm.py &&
	git -C caps commit -q -am "Disable SM103 again" &&
	mirror_of caps caps.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-caps" scan caps.git 2>err &&
	pack_tags db-caps caps.git main~1 &&
	test_grep -x hw/blackwell tags &&
	test_grep -x kernel/dispatch tags &&
	test_grep "blackwell-capability-list.*supported_compute_capability(\[100, 103\])" c.json &&
	pack_tags db-caps caps.git main &&
	! grep -q blackwell-capability-list c.json
'

test_expect_success 'the default pack: an architecture check taken out of changed code is dispatch' '
	git init -q -b main drop &&
	mkdir -p drop/flash_attn &&
	cat >drop/flash_attn/interface.py <<-\EOT &&
	def fwd(q, k, v, arch):
	    pack_gqa = True
	    if arch // 10 == 9:
	        pack_gqa = False
	    return run(q, k, v, pack_gqa)
	EOT
	git -C drop add . &&
	git_commit -C drop "Add fwd" &&
	sed -e "/arch \/\/ 10 == 9/d" -e "/pack_gqa = False/d" drop/flash_attn/interface.py >i &&
	mv i drop/flash_attn/interface.py &&
	git -C drop commit -q -am "Enable pack_gqa everywhere" &&
	mirror_of drop drop.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-drop" scan drop.git 2>err &&
	pack_tags db-drop drop.git main &&
	test_grep -x kernel/dispatch tags &&
	test_grep "dispatch-capability-removed.*arch // 10 == 9" c.json
'

test_expect_success 'the default pack: documentation with comment edits is docs; comment edits alone are not' '
	git init -q -b main dc &&
	mkdir -p dc/docs dc/csrc &&
	printf "# Kernels\n\nHow to build.\n" >dc/docs/guide.md &&
	printf "// see DESIGN.md\nint f(int x) { return x; }\n" >dc/csrc/k.cu &&
	git -C dc add . &&
	git_commit -C dc "Add kernel" &&
	printf "# Kernels\n\nHow to build them.\n" >dc/docs/guide.md &&
	printf "// see docs/guide.md\nint f(int x) { return x; }\n" >dc/csrc/k.cu &&
	git -C dc commit -q -am "Move the design doc" &&
	printf "// see docs/guide.md for the build\nint f(int x) { return x; }\n" >dc/csrc/k.cu &&
	git -C dc commit -q -am "Reword a comment" &&
	mirror_of dc dc.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-dc" scan dc.git 2>err &&
	pack_tags db-dc dc.git main~1 &&
	test_grep -x docs tags &&
	pack_tags db-dc dc.git main &&
	! grep -qx docs tags
'

test_expect_success 'the default pack: a comment or layout edit to a build file is build/ci; one in code is not' '
	git init -q -b main bc &&
	mkdir -p bc/csrc &&
	printf "cmake_minimum_required(VERSION 3.26)\nproject(k CUDA)\n" >bc/CMakeLists.txt &&
	printf "// kernel\nint f(int x) { return x; }\n" >bc/csrc/k.cu &&
	git -C bc add . &&
	git_commit -C bc "Add kernel" &&
	printf "# Copyright 2026\ncmake_minimum_required(VERSION 3.26)\nproject(k CUDA)\n" >bc/CMakeLists.txt &&
	git -C bc commit -q -am "Add a license header" &&
	printf "# Copyright 2026\ncmake_minimum_required(VERSION  3.26)\n\nproject(k CUDA)\n" >bc/CMakeLists.txt &&
	git -C bc commit -q -am "Reformat" &&
	printf "// the kernel\nint f(int x) { return x; }\n" >bc/csrc/k.cu &&
	git -C bc commit -q -am "Reword a comment" &&
	mirror_of bc bc.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-bc" scan bc.git 2>err &&
	for c in main~2 main~1; do
		pack_tags db-bc bc.git $c &&
		test "$(cat tags)" = build/ci || return 1
	done &&
	pack_tags db-bc bc.git main &&
	! grep -q . tags
'

test_expect_success 'the default pack: a docs: commit that rewrites docstrings is docs, with a code line along' '
	git init -q -b main dd &&
	printf "def mm(a, b):\n    \"\"\"Multiply.\"\"\"\n    return a @ b\n" >dd/gemm.py &&
	git -C dd add . &&
	git_commit -C dd "Add mm" &&
	printf "def mm(a, b):\n    \"\"\"Multiply a by b.\n\n    Returns a new tensor.\"\"\"\n    return a @ b\n\nmatmul = mm\n" >dd/gemm.py &&
	git -C dd commit -q -am "docs(gemm): document mm and export matmul" &&
	git -C dd branch plain HEAD~1 &&
	git -C dd checkout -q plain &&
	printf "def mm(a, b):\n    \"\"\"Multiply a by b.\n\n    Returns a new tensor.\"\"\"\n    return a @ b\n\nmatmul = mm\n" >dd/gemm.py &&
	git -C dd commit -q -am "Export matmul" &&
	mirror_of dd dd.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-dd" scan dd.git 2>err &&
	pack_tags db-dd dd.git main &&
	test_grep -x docs tags &&
	pack_tags db-dd dd.git plain &&
	! grep -qx docs tags
'

test_expect_success 'the default pack: an index type widened to 64 bits in place is int-overflow; a new one is not' '
	git init -q -b main io &&
	printf "struct P {\n    using index_t = uint32_t;\n    index_t stride;\n};\n" >io/flash.h &&
	git -C io add . &&
	git_commit -C io "Add params" &&
	printf "struct Q {\n    using index_t = int64_t;\n    index_t stride;\n};\n" >io/other.h &&
	git -C io add . &&
	git -C io commit -q -m "Add other params" &&
	sed "s/uint32_t/int64_t/" io/flash.h >io/flash.h.new && mv io/flash.h.new io/flash.h &&
	git -C io commit -q -am "Use int64_t for index_t" &&
	mirror_of io io.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-io" scan io.git 2>err &&
	pack_tags db-io io.git main &&
	test_grep -x kernel/int-overflow tags &&
	pack_tags db-io io.git main~1 &&
	! grep -qx kernel/int-overflow tags
'

test_expect_success 'the default pack: a capability assert that gains SM11x is Blackwell and Jetson; one that keeps its entries is not' '
	git init -q -b main ca &&
	printf "def check(major):\n    assert major in [10, 12], \"only 10, 12\"\n" >ca/gemm.py &&
	git -C ca add . &&
	git_commit -C ca "Add check" &&
	printf "def check(major):\n    assert major in [10, 12], \"only compute capability 10 and 12\"\n" >ca/gemm.py &&
	git -C ca commit -q -am "Reword" &&
	printf "def check(major):\n    assert major in [10, 11, 12], \"only compute capability 10, 11 and 12\"\n" >ca/gemm.py &&
	git -C ca commit -q -am "Support Thor" &&
	mirror_of ca ca.git &&
	MIRRORSCAN_RULES_DIR="$RULES_DIR" mirrorscan --db "$TRASH/db-ca" scan ca.git 2>err &&
	pack_tags db-ca ca.git main &&
	test_grep -x hw/jetson tags &&
	test_grep -x hw/blackwell tags &&
	pack_tags db-ca ca.git main~1 &&
	! grep -qx hw/jetson tags &&
	! grep -qx hw/blackwell tags
'

test_done
