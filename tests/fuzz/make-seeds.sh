#!/bin/sh
# make-seeds.sh ABIGUARD FIXTURES — regenerates the committed seed corpora of
# tests/fuzz/ from the fixture sources (run from the repository root after
# `make fixtures`; the results are committed, so a fresh clone needs nothing):
#   extract/        small libraries: the hand-written DWARF (mini.S), the
#                   types and versioned fixtures, compressed variants
#   corpus_json/    their corpora
#   diff_reports/   old "====" new pairs of diff-fixture corpora
# Libraries are linked with -z noseparate-code -z norelro to stay small.
# The reproducers under */crashes/ are not generated here: each was the
# input of a bug and stays as it was.
set -eu
abiguard=$1
fixtures=$2
out=tests/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small="-shared -Wl,--build-id -Wl,-z,noseparate-code -Wl,-z,norelro"

mkdir -p $out/extract $out/corpus_json $out/diff_reports $out/suppress
cc $small -nostdlib -DOK -o $out/extract/mini.so tests/fixtures/dwarf/mini.S
cc $small -nostdlib -DDECIMAL_FLOAT -o $out/extract/mini-decimal-float.so tests/fixtures/dwarf/mini.S
cc $small -nostdlib -DNAMELESS_ENUMERATOR -o $out/extract/mini-nameless-enumerator.so tests/fixtures/dwarf/mini.S
cc $small -g -O2 -fPIC -gdwarf-4 -o $out/extract/types-dwarf4.so tests/fixtures/types/types.c tests/fixtures/types/pairs.c
cc $small -g -O2 -fPIC -o "$tmp/types.so" tests/fixtures/types/types.c tests/fixtures/types/pairs.c
objcopy --compress-debug-sections=zlib "$tmp/types.so" $out/extract/types-zlib.so
cc $small -nostdlib -DOK -o "$tmp/mini.so" tests/fixtures/dwarf/mini.S
objcopy --compress-debug-sections=zlib-gnu "$tmp/mini.so" $out/extract/mini-zdebug.so
cc $small -g -O2 -fPIC -Wl,--version-script=tests/fixtures/versioned/versioned.map \
    -o $out/extract/versioned.so tests/fixtures/versioned/versioned.c

for lib in mini types-dwarf4 versioned; do
    "$abiguard" extract $out/extract/$lib.so --no-system-debug -o $out/corpus_json/$lib.json
done

for case in member_offset_changed enumerator_value_changed callback fn_param_added \
            type_became_opaque flexible_array_changed soname_changed bitfield_changed; do
    "$abiguard" extract "$fixtures/diff/$case/v1/lib$case.so" --no-system-debug -o "$tmp/v1.json"
    "$abiguard" extract "$fixtures/diff/$case/v2/lib$case.so" --no-system-debug -o "$tmp/v2.json"
    { cat "$tmp/v1.json"; printf '====\n'; cat "$tmp/v2.json"; } > $out/diff_reports/$case.pair
done

cat > $out/suppress/rules.txt <<'RULES'
# accepted changes
symbol=ctx_* kind=member-offset-changed
type="struct ctx" source=*_private.h   # trailing comment
kind=enum-value-added-at-end
symbol="a \"quoted\" \\ name"
RULES
printf 'symbol=lua_*\tkind=fn-removed\n\n  # indented comment\nsource=include/*.h\n' > $out/suppress/tabs.txt
printf 'type="struct unterminated\n' > $out/suppress/bad-quote.txt
