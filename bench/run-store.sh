#!/bin/bash
# run-store.sh — `make bench`, third part: the store.
#   1. `abiguard diff NAME@A NAME@B` from the store (first run, then again)
#      against abidiff binary to binary on the same pair; target <= 0.02x.
#   2. `abiguard add` of libc.so.6 (extract and store) against abidw on the
#      same file; target <= 0.5x.
#   3. 200 synthetic releases (the lua 5.4 corpus, each release renaming one
#      member of luaL_Buffer): time of the last add against the first
#      (target <= 2x), and the database size against one release.
# Medians of RUNS runs; a measurement, never a failure.
#
# usage: bench/run-store.sh path/to/abiguard
set -eu

RUNS=${RUNS:-5}
DEBUG_DIR=/usr/lib/debug
LIBDIR=/usr/lib/x86_64-linux-gnu
LIBC=/lib/x86_64-linux-gnu/libc.so.6

[ $# -eq 1 ] || { echo "usage: $0 path/to/abiguard" >&2; exit 2; }
abiguard=$(realpath "$1")
[ -x /usr/bin/time ] || { echo "$0: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "$0: python3 is needed to make the synthetic releases" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ABIGUARD_DB=$work/bench.db

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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r <= t) ? "met" : "NOT met" }'; }

echo "== diff from the store (target <= 0.02x abidiff binary-to-binary)"
printf '%-28s %10s %10s %10s %8s  %s\n' "pair" "first" "again" "abidiff" "ratio" "(again / abidiff)"
for lib in "$LIBC" "$LIBDIR/libgsl.so.27"; do
    name=$(basename "$lib")
    "$abiguard" add "$lib" --library "$name" --version a >/dev/null
    "$abiguard" add "$lib" --library "$name" --version b >/dev/null
    first=$(seconds "$abiguard" diff "$name@a" "$name@b")
    again=() theirs=()
    for _ in $(seq "$RUNS"); do
        again+=("$(seconds "$abiguard" diff "$name@a" "$name@b")")
        theirs+=("$(seconds abidiff --d1 "$DEBUG_DIR" --d2 "$DEBUG_DIR" "$lib" "$lib")")
    done
    a=$(printf '%s\n' "${again[@]}" | median)
    b=$(printf '%s\n' "${theirs[@]}" | median)
    r=$(ratio "$a" "$b")
    printf '%-28s %9ss %9ss %9ss %8s  %s\n' "$name@a -> $name@b" "$first" "$a" "$b" "${r}x" "$(met "$r" 0.02)"
done

echo
echo "== add of libc.so.6 (extract + store) against abidw (target <= 0.5x)"
ours=() theirs=()
for i in $(seq "$RUNS"); do
    ours+=("$(seconds "$abiguard" add "$LIBC" --library libc-add --version "$i")")
    theirs+=("$(seconds abidw --debug-info-dir "$DEBUG_DIR" --no-corpus-path "$LIBC")")
done
a=$(printf '%s\n' "${ours[@]}" | median)
b=$(printf '%s\n' "${theirs[@]}" | median)
r=$(ratio "$a" "$b")
printf 'abiguard add %ss, abidw %ss: %sx  %s\n' "$a" "$b" "$r" "$(met "$r" 0.5)"

echo
echo "== 200 synthetic releases (target: last add <= 2x first)"
base=$work/base.json
"$abiguard" extract "$LIBDIR/liblua5.4.so.0" -o "$base"
export ABIGUARD_DB=$work/synthetic.db
times=()
for i in $(seq 1 200); do
    # Rename one member of struct luaL_Buffer so each release differs by one
    # named struct (its id is its name, so the corpus stays valid).
    python3 - "$base" "$work/r.json" "$i" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for t in c["types"]:
    if t["kind"] == "struct" and t.get("name") == "luaL_Buffer":
        t["members"][2]["name"] = "n%s" % sys.argv[3]
json.dump(c, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
    times+=("$(seconds "$abiguard" import "$work/r.json" --library synthetic --version "$i")")
    if [ "$i" -eq 1 ]; then
        one=$(stat -c %s "$ABIGUARD_DB")
    fi
done
first=${times[0]}
last=${times[199]}
firsts=$(printf '%s\n' "${times[@]:0:10}" | median)
lasts=$(printf '%s\n' "${times[@]:190:10}" | median)
r=$(ratio "$lasts" "$firsts")
size=$(stat -c %s "$ABIGUARD_DB")
printf 'first add %ss, last add %ss; median of first 10 %ss, of last 10 %ss: %sx  %s\n' \
    "$first" "$last" "$firsts" "$lasts" "$r" "$(met "$r" 2)"
printf 'database: %s bytes after 1 release, %s bytes after 200 (%s bytes per further release)\n' \
    "$one" "$size" "$(( (size - one) / 199 ))"
