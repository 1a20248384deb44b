#!/bin/bash
# run-audit.sh — `make bench`: abiguard audit on a large real package
# (Debian's libc6 .deb, fetched with apt-get download into $BENCH_CACHE)
# against the time to extract its binaries (extract -o DIR with libc6-dbg as
# --debug-package). Five runs of each, alternating; prints the median wall
# time and peak RSS of each and the ratio audit/extract. A measurement, not a
# test: it never fails on the numbers.
#
# usage: bench/run-audit.sh path/to/abiguard [PACKAGE.deb DEBUG.deb]
set -eu

RUNS=${RUNS:-5}
if [ $# -lt 1 ]; then
    echo "usage: $0 path/to/abiguard [PACKAGE.deb DEBUG.deb]" >&2
    exit 2
fi
abiguard=$(readlink -f "$1")
[ -x /usr/bin/time ] || { echo "$0: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

if [ $# -ge 3 ]; then
    deb=$2 dbg=$3
else
    cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/abiguard-bench}
    mkdir -p "$cache"
    if ! ls "$cache"/libc6_*.deb "$cache"/libc6-dbg_*.deb >/dev/null 2>&1; then
        (cd "$cache" && apt-get download libc6 libc6-dbg 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    fi
    deb=$(ls "$cache"/libc6_*.deb | head -1)
    dbg=$(ls "$cache"/libc6-dbg_*.deb | head -1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # label, command...: one run, appends "label seconds kib"
    local label=$1
    shift
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$work/out" 2>"$work/err" || true
    echo "$label $(cat "$work/t" | tail -1)" >> "$work/m"
}
for _ in $(seq "$RUNS"); do
    measure audit nice -n 10 "$abiguard" audit "$deb" --target debian:12 --target rhel:8 --target manylinux_2_17_x86_64
    rm -rf "$work/corpora" && mkdir "$work/corpora"
    measure extract nice -n 10 "$abiguard" extract "$deb" --no-debuginfod --no-system-debug \
        --debug-package "$dbg" -o "$work/corpora"
done
n_bins=$(ls "$work/corpora" | wc -l)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
at=$(awk '$1=="audit"{print $2}' "$work/m" | median)
am=$(awk '$1=="audit"{print $3}' "$work/m" | median)
et=$(awk '$1=="extract"{print $2}' "$work/m" | median)
em=$(awk '$1=="extract"{print $3}' "$work/m" | median)
echo "audit vs extract on $(basename "$deb") ($n_bins shared objects, debug info from $(basename "$dbg")), median of $RUNS:"
printf "  audit (3 targets)   %6.2f s  %7d KiB\n" "$at" "$am"
printf "  extract -o DIR      %6.2f s  %7d KiB\n" "$et" "$em"
awk -v a="$at" -v e="$et" 'BEGIN { if (e > 0) printf "  audit/extract time  %.3fx\n", a / e }'
