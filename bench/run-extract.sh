#!/bin/bash
# run-extract.sh — `make bench`: abiguard extract against libabigail's abidw
# on real libraries with Debian's detached debug info (libc6-dbg, libgsl-dbg).
# Five runs of each tool per library, alternating so both see the same
# machine state; prints the median wall time and median peak RSS of each,
# the ratios abiguard/abidw, and the targets (time <= 0.33x, RSS <= 0.5x).
# A measurement, not a test: it never fails on the numbers.
#
# usage: bench/run-extract.sh path/to/abiguard [LIB.so...]
set -eu

RUNS=${RUNS:-5}
TIME_TARGET=0.33
RSS_TARGET=0.5
DEBUG_DIR=/usr/lib/debug

if [ $# -lt 1 ]; then
    echo "usage: $0 path/to/abiguard [LIB.so...]" >&2
    exit 2
fi
abiguard=$1
shift
if [ $# -gt 0 ]; then
    libs=("$@")
else
    libs=(/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libgsl.so.27)
fi

# GNU time (Debian package `time`) gives wall time and peak RSS of the child.
if [ ! -x /usr/bin/time ]; then
    echo "$0: /usr/bin/time is missing (apt-get install time)" >&2
    exit 1
fi
command -v abidw >/dev/null || { echo "$0: abidw is missing (abigail-tools)" >&2; exit 1; }

measurements=$(mktemp)
# The corpus goes to a scratch file, as abidw's output goes to a pipe: never
# `-o /dev/null`, which older abiguard builds replaced with a regular file.
corpus_out=$(mktemp)
trap 'rm -f "$measurements" "$corpus_out"' EXIT

# measure LABEL CMD... : runs CMD with stdout discarded and prints
# "seconds kilobytes"; fails loudly if CMD fails.
measure() {
    if ! /usr/bin/time -f "%e %M" -o "$measurements" "$@" >/dev/null 2>/dev/null; then
        echo "$0: failed: $*" >&2
        exit 1
    fi
    tail -n 1 "$measurements"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'
}

verdict() {
    awk -v r="$1" -v t="$2" 'BEGIN { print (r != "n/a" && r <= t) ? "met" : "NOT met" }'
}

echo "abiguard extract vs abidw, $RUNS runs each, median wall time and median peak RSS"
echo "abiguard: $abiguard ($("$abiguard" --version))"
echo "abidw:    $(abidw --version 2>&1 | head -n 1)"
for lib in "${libs[@]}"; do
    ag_times=() ag_rss=() aw_times=() aw_rss=()
    for _ in $(seq "$RUNS"); do
        read -r t m < <(measure "$abiguard" extract -o "$corpus_out" "$lib")
        ag_times+=("$t") ag_rss+=("$m")
        read -r t m < <(measure abidw --debug-info-dir "$DEBUG_DIR" --no-corpus-path --no-show-locs "$lib")
        aw_times+=("$t") aw_rss+=("$m")
    done
    ag_t=$(printf '%s\n' "${ag_times[@]}" | median)
    ag_m=$(printf '%s\n' "${ag_rss[@]}" | median)
    aw_t=$(printf '%s\n' "${aw_times[@]}" | median)
    aw_m=$(printf '%s\n' "${aw_rss[@]}" | median)
    time_ratio=$(ratio "$ag_t" "$aw_t")
    rss_ratio=$(ratio "$ag_m" "$aw_m")
    echo
    echo "$lib"
    printf '  %-9s wall %6.2f s   peak RSS %8.1f MB   (runs: %s)\n' abiguard "$ag_t" \
        "$(awk -v k="$ag_m" 'BEGIN { print k / 1024 }')" "${ag_times[*]}"
    printf '  %-9s wall %6.2f s   peak RSS %8.1f MB   (runs: %s)\n' abidw "$aw_t" \
        "$(awk -v k="$aw_m" 'BEGIN { print k / 1024 }')" "${aw_times[*]}"
    echo "  ratio     time $time_ratio (target <= $TIME_TARGET: $(verdict "$time_ratio" $TIME_TARGET))," \
        "RSS $rss_ratio (target <= $RSS_TARGET: $(verdict "$rss_ratio" $RSS_TARGET))"
done
