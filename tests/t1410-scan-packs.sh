#!/bin/sh
test_description='scan: the pack reader (deltas, ref deltas, large offsets, several packs, damage)'
. "$(dirname "$0")/test-lib.sh"

PACK_READ=$MIRRORSCAN_BUILD_DIR/tests/pack-read

# the pack files of a repository, one per line
packs_of () {
	ls "$1"/objects/pack/pack-*.pack
}

# objects N read R ...: the field after NAME in pack-read's line
field () {
	sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$2"
}

test_expect_success 'setup: a history of long delta chains, packed' '
	make_repo work &&
	seq 1 3000 >work/big.txt &&
	i=1 &&
	while test $i -le 70; do
		sed -i "$((i * 37 % 3000 + 1))s/.*/edit $i/" work/big.txt &&
		printf "%s\n" "int k$i = $i;" "off = static_cast<index_t>(i) * $i;" \
			>>work/kern.cu &&
		git -C work add big.txt kern.cu &&
		git_commit -C work "Step $i" || return 1
		i=$((i + 1))
	done &&
	seq 1 60000 >work/large.txt &&
	git -C work add large.txt &&
	git_commit -C work "Add a large file" &&
	seq 2 60000 >work/large.txt &&
	echo "static_cast<index_t>(tail)" >>work/large.txt &&
	git -C work add large.txt &&
	git_commit -C work "Change the large file" &&
	git clone -q --bare work packed.git &&
	git -C packed.git repack -q -adf --depth=60 --window=100 &&
	test $(packs_of packed.git | wc -l) = 1 &&
	git -C packed.git count-objects -v >counts &&
	test_grep "^count: 0\$" counts &&
	git verify-pack -v $(packs_of packed.git) >verify &&
	awk "NF >= 7 && \$4 ~ /^[0-9]+\$/" verify >deltas &&
	test $(wc -l <deltas) -ge 100 &&
	awk "NF >= 7 && \$6 >= 20" verify >deep &&
	test -s deep
'

test_expect_success 'the pack reader reads every object as libgit2 does' '
	"$PACK_READ" packed.git >out &&
	cat out &&
	n=$(git -C packed.git count-objects -v | sed -n "s/^in-pack: //p") &&
	test "$(field read out)" = "$n" &&
	test "$(field same out)" = "$n" &&
	test "$(field differ out)" = 0 &&
	test "$(field refused out)" = 0
'

test_expect_success 'four threads, one small cache: bases evicted while held' '
	"$PACK_READ" packed.git --threads 4 --cache 65536 >out &&
	n=$(git -C packed.git count-objects -v | sed -n "s/^in-pack: //p") &&
	test "$(field same out)" = $((4 * n)) &&
	test "$(field differ out)" = 0 &&
	"$PACK_READ" packed.git --threads 3 --cache 0 >out &&
	test "$(field same out)" = $((3 * n)) &&
	test "$(field differ out)" = 0
'

test_expect_success 'deltas naming their base by id (REF_DELTA)' '
	git clone -q --bare --no-local work refdelta.git &&
	git -C refdelta.git -c repack.useDeltaBaseOffset=false \
		repack -q -adf --depth=60 --window=100 &&
	git verify-pack -v $(packs_of refdelta.git) >verify &&
	awk "NF >= 7 && \$4 ~ /^[0-9]+\$/" verify >deltas &&
	test $(wc -l <deltas) -ge 100 &&
	"$PACK_READ" refdelta.git >out &&
	n=$(git -C refdelta.git count-objects -v | sed -n "s/^in-pack: //p") &&
	test "$(field same out)" = "$n" &&
	test "$(field differ out)" = 0
'

test_expect_success 'an index with 64-bit offsets' '
	git clone -q --bare --no-local work large-offsets.git &&
	git -C large-offsets.git repack -q -adf --depth=60 &&
	pack=$(packs_of large-offsets.git) &&
	idx=${pack%.pack}.idx &&
	small=$(wc -c <"$idx") &&
	rm -f "$idx" &&
	git -C large-offsets.git index-pack --index-version=2,12 "$PWD/$pack" \
		>/dev/null &&
	n=$(git -C large-offsets.git count-objects -v |
		sed -n "s/^in-pack: //p") &&
	test $(wc -c <"$idx") = $((small + 8 * (n - 1))) &&
	"$PACK_READ" large-offsets.git >out &&
	test "$(field same out)" = "$n" &&
	test "$(field differ out)" = 0
'

test_expect_success 'two packs and loose objects: loose ones are left to libgit2' '
	git clone -q --bare --no-local work several.git &&
	git -C several.git repack -q -adf &&
	test_commit -C work "More" more.txt "more" &&
	git -C work push -q ../several.git main &&
	git -C several.git repack -q -d &&
	test_commit -C work "Loose" loose.txt "loose" &&
	git -C work push -q ../several.git main &&
	test $(packs_of several.git | wc -l) = 2 &&
	"$PACK_READ" several.git >out &&
	n=$(git -C several.git count-objects -v | sed -n "s/^in-pack: //p") &&
	test "$(field read out)" = "$n" &&
	test "$(field differ out)" = 0 &&
	test "$(field elsewhere out)" -ge 3
'

test_expect_success 'a scan of the packed mirror finds what a scan of loose objects finds' '
	git init -q --bare loose.git &&
	git -C loose.git unpack-objects -q <$(packs_of packed.git) &&
	git -C loose.git update-ref refs/heads/main $(rev packed.git main) &&
	git -C loose.git count-objects -v >counts &&
	test_grep "^packs: 0\$" counts &&
	ms_scan --db db-packed packed.git &&
	ms_scan --db db-loose loose.git &&
	mirrorscan --db db-packed log --format ndjson >packed.nd &&
	mirrorscan --db db-loose log --format ndjson >loose.nd &&
	sed "s/\"repo\":\"[a-z]*\"//" packed.nd >a &&
	sed "s/\"repo\":\"[a-z]*\"//" loose.nd >b &&
	test_cmp a b &&
	test $(wc -l <a) = 73 &&
	mirrorscan --db db-packed log --tag kernel/int-overflow --format ndjson \
		>hits &&
	test $(wc -l <hits) = 71
'

test_expect_success 'a damaged pack: never wrong bytes; the scan names the blob, the pack and the offset' '
	git clone -q --bare --no-local packed.git damaged.git &&
	git -C damaged.git repack -q -adf --depth=60 &&
	pack=$(packs_of damaged.git) &&
	blob=$(git -C damaged.git rev-parse main~1:large.txt) &&
	git verify-pack -v "$pack" >verify &&
	line=$(grep "^$blob " verify) &&
	size=$(echo "$line" | awk "{print \$4}") &&
	off=$(echo "$line" | awk "{print \$5}") &&
	test -n "$size" && test -n "$off" &&
	chmod u+w "$pack" &&
	printf "\377\377\377\377\377\377\377\377" |
		dd of="$pack" bs=1 seek=$((off + size / 2)) conv=notrunc \
			2>/dev/null &&
	"$PACK_READ" damaged.git >out &&
	cat out &&
	test "$(field differ out)" = 0 &&
	test "$(field refused out)" -ge 1 &&
	test_expect_code 3 ms_scan --db db-damaged damaged.git 2>err &&
	test_grep "cannot read blob [0-9a-f]* of .large.txt.: damaged object at offset [0-9]* of pack-[0-9a-f]*\.pack" err &&
	mirrorscan --db db-damaged log --format ndjson >all &&
	test $(wc -l <all) = 73
'

test_expect_success 'packs named otherwise than pack-*, split by size, are read too' '
	git clone -q --bare --no-local packed.git split.git &&
	idx=$(ls split.git/objects/pack/pack-*.idx) &&
	git show-index <"$idx" | cut -d" " -f2 >objects &&
	git -C split.git pack-objects -q --max-pack-size=1m objects/pack/split \
		<objects >/dev/null &&
	rm -f "${idx%.idx}".* &&
	test $(ls split.git/objects/pack/split-*.pack | wc -l) -ge 1 &&
	test $(ls split.git/objects/pack/pack-* 2>/dev/null | wc -l) = 0 &&
	"$PACK_READ" split.git >out &&
	n=$(wc -l <objects) &&
	test "$(field read out)" = "$n" &&
	test "$(field same out)" = "$n" &&
	test "$(field differ out)" = 0
'

test_expect_success 'a pack index that is not one is passed over' '
	git clone -q --bare --no-local packed.git junk.git &&
	git -C junk.git repack -q -adf &&
	printf "not an index at all, and not long enough either\n" \
		>junk.git/objects/pack/pack-0000000000000000000000000000000000000000.idx &&
	"$PACK_READ" junk.git >out &&
	n=$(git -C junk.git count-objects -v | sed -n "s/^in-pack: //p") &&
	test "$(field read out)" -ge "$n" &&
	test "$(field differ out)" = 0 &&
	ms_scan --db db-junk junk.git &&
	mirrorscan --db db-junk log --format ndjson >all &&
	test $(wc -l <all) = 73
'

test_done
