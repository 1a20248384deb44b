#!/bin/bash
# run-diff.sh — `make bench`, second part: abiguard diff of two stored
# corpus JSON files against libabigail's abidiff on the same two binaries
# (binary to binary, the way a CI job without baselines runs it). Pairs:
# libc.so.6 against itself, libgsl.so.27 against itself, liblua 5.3 against
# 5.4. Five alternating runs each; prints medians, the ratio and the target
# (corpus-to-corpus diff <= 0.05x abidiff). A measurement, never a failure.
#
# usage: bench/run-diff.sh path/to/abiguard
set -eu

RUNS=${RUNS:-5}
TARGET=0.05
DEBUG_DIR=/usr/lib/debug
LIBDIR=/usr/lib/x86_64-linux-gnu

[ $# -eq 1 ] || { echo "usage: $0 path/to/abiguard" >&2; exit 2; }
abiguard=$1
[ -x /usr/bin/time ] || { echo "$0: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
command -v abidiff >/dev/null || { echo "$0: abidiff is missing (abigail-tools)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seconds CMD...: wall time of CMD; abidiff and abiguard exit 4/12 on
# changes, so only a crash (exit >= 128) or a usage error (1, 2) is fatal.
seconds() {
    local status=0
    /usr/bin/time -f "%e" -o "$work/t" "$@" >/dev/null 2>&1 || status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 4 ] && [ "$status" -ne 12 ]; then
        echo "$0: failed ($status): $*" >&2
        exit 1
    fi
    tail -n 1 "$work/t"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-34s %12s %12s %8s  %s\n' "pair" "abiguard" "abidiff" "ratio" "target <= $TARGET"
for pair in "/lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libc.so.6" \
            "$LIBDIR/libgsl.so.27 $LIBDIR/libgsl.so.27" \
            "$LIBDIR/liblua5.3.so.0 $LIBDIR/liblua5.4.so.0"; do
    set -- $pair
    old=$1 new=$2
    "$abiguard" extract "$old" -o "$work/old.json"
    "$abiguard" extract "$new" -o "$work/new.json"
    ours=() theirs=()
    for _ in $(seq "$RUNS"); do
        ours+=("$(seconds "$abiguard" diff "$work/old.json" "$work/new.json")")
        theirs+=("$(seconds abidiff --d1 "$DEBUG_DIR" --d2 "$DEBUG_DIR" "$old" "$new")")
    done
    a=$(printf '%s\n' "${ours[@]}" | median)
    b=$(printf '%s\n' "${theirs[@]}" | median)
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
    met=$(awk -v r="$r" -v t="$TARGET" 'BEGIN { print (r != "n/a" && r <= t) ? "met" : "NOT met" }')
    printf '%-34s %11ss %11ss %8s  %s\n' "$(basename "$old") -> $(basename "$new")" "$a" "$b" "${r}x" "$met"
done
