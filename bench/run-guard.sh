#!/bin/sh
# run-guard.sh — the cost of the load-time check `abiguard stub` writes:
# a consumer built against libshape 1 calls abiguard_verify_shape() 10,000
# times and prints the mean, for a known-compatible build (the usual case:
# one dl_iterate_phdr walk and a table lookup), a known-incompatible one, and
# an unknown build (adds a hash-table lookup per required symbol in the
# loaded library's own dynamic symbol table).
# Target: < 100 us per call.
#
#   bench/run-guard.sh [ABIGUARD] [FIXTURES]     (after `make all fixtures`)
set -eu
ABIGUARD=${1:-build/abiguard}
FIXTURES=${2:-build/fixtures}
G=$FIXTURES/guard
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for v in 1 2 3; do
    "$ABIGUARD" add "$G/v$v/libshape.so.1" --library shape --version "$v" --db "$T/db" >/dev/null
done
"$ABIGUARD" stub shape@1 --db "$T/db" -o "$T/shape_guard" >/dev/null
cat > "$T/bench.c" <<'C'
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>
#include "shape_guard.h"
#define N 10000
int main(void)
{
    char msg[1024];
    struct timespec a, b;
    int rc = abiguard_verify_shape(msg, sizeof msg); /* warm up */
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < N; i++)
        rc = abiguard_verify_shape(msg, sizeof msg);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / N / 1e3;
    printf("rc=%d  mean %.2f us per call (%d calls): %.70s...\n", rc, us, N, msg);
    return us < 100.0 ? 0 : 1;
}
C
gcc -std=c99 -O2 -Wall -Wextra -Werror -I"$T" -o "$T/bench" "$T/bench.c" "$T/shape_guard.c" \
    -L"$G/v1" -Wl,--no-as-needed -lshape -ldl
status=0
for case in "v1:known compatible" "v3:known incompatible" "v1b:unknown build"; do
    dir=${case%%:*}
    printf '%-22s ' "${case#*:}"
    LD_LIBRARY_PATH="$G/$dir" ABIGUARD_POLICY=warn "$T/bench" || status=1
done
exit $status
