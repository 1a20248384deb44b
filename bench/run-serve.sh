#!/bin/bash
# run-serve.sh — `make bench`, the service: `abiguard serve` (2 worker
# threads) on loopback, measured with wrk (2 threads, 32 connections, 10 s
# each, --latency):
#   1. GET of a library's timeline (/api/v1/libraries/gsl/history), on kept-
#      alive connections; targets: >= 5000 requests/s, p99 < 20 ms;
#   2. the same with a new connection per request ("Connection: close"), to
#      show what keep-alive saves;
#   3. GET of a cached diff between two GSL-sized releases (libgsl.so.27
#      stored twice, as gsl@a and gsl@b, the diff asked once to warm it);
#      target: >= 1000 requests/s;
#   4. mixed load: the timeline read as in 1 while another client pushes
#      GSL-sized releases (3 MB of corpus JSON each) one after another;
#      target: reader p99 < 50 ms. Prints how many pushes went through and
#      their mean time.
# Prints requests/s and p99 latency; a measurement, never a failure.
#
# usage: bench/run-serve.sh path/to/abiguard      (DURATION=10s CONNECTIONS=32)
set -eu

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
GSL=/usr/lib/x86_64-linux-gnu/libgsl.so.27

[ $# -eq 1 ] || { echo "usage: $0 path/to/abiguard" >&2; exit 2; }
abiguard=$(realpath "$1")
command -v wrk >/dev/null || { echo "$0: wrk is missing (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "$0: curl is missing (apt-get install curl)" >&2; exit 1; }

work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

db=$work/bench.db
"$abiguard" add "$GSL" --library gsl --version a --db "$db" >/dev/null
"$abiguard" add "$GSL" --library gsl --version b --db "$db" >/dev/null

"$abiguard" extract "$GSL" -o "$work/gsl.json" 2>/dev/null
echo "bench-token" >"$work/tokens"

"$abiguard" serve --db "$db" --listen 127.0.0.1:0 --threads 2 --web "$work/no-web" \
    --token-file "$work/tokens" 2>"$work/serve.log" &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/serve.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "$0: serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
base=http://127.0.0.1:$port

# Warm: the timeline's verdicts and the diff report get computed and cached.
curl -fsS -o /dev/null "$base/api/v1/libraries/gsl/history"
curl -fsS -o /dev/null "$base/api/v1/diff?old=gsl@a&new=gsl@b"
diff_bytes=$(curl -fsS "$base/api/v1/diff?old=gsl@a&new=gsl@b" | wc -c)

# "Requests/sec: N" and the 99% line of wrk's latency distribution.
measure() {
    local name=$1 path=$2 min_rps=$3 max_p99_ms=$4 out rps p99 p99ms verdict
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${WRK_ARGS[@]}" "$base$path")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    p99ms=$(awk -v v="$p99" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
        else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
        else print -1 }')
    errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
    verdict=$(awk -v r="$rps" -v p="$p99ms" -v mr="$min_rps" -v mp="$max_p99_ms" 'BEGIN {
        ok = (r >= mr) && (mp == 0 || p < mp); print ok ? "ok" : "BELOW TARGET" }')
    target=">= $min_rps req/s"
    [ "$min_rps" = 0 ] && target=
    [ "$max_p99_ms" != 0 ] && target="${target:+$target, }p99 < $max_p99_ms ms"
    if [ -n "$target" ]; then
        printf '%-36s %10s req/s   p99 %8s   (target %s: %s)\n' "$name" "$rps" "$p99" "$target" "$verdict"
    else
        printf '%-36s %10s req/s   p99 %8s\n' "$name" "$rps" "$p99"
    fi
    [ -z "$errors" ] || echo "  $errors"
}

# Pushes GSL-sized releases one after another until $work/stop exists;
# one line per push: "STATUS SECONDS".
push_loop() {
    local i=0
    while [ ! -e "$work/stop" ]; do
        i=$((i + 1))
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer bench-token" \
            -H "Expect:" --data-binary @"$work/gsl.json" "$base/api/v1/libraries/pushed/releases/$i" \
            >>"$work/pushes" || true
    done
}

WRK_ARGS=()
echo "abiguard serve, 2 worker threads; wrk -t2 -c$CONNECTIONS -d$DURATION on loopback ($(nproc) cores)"
measure "timeline (gsl history)" "/api/v1/libraries/gsl/history" 5000 20
WRK_ARGS=(-H "Connection: close")
measure "timeline, a connection per request" "/api/v1/libraries/gsl/history" 0 0
WRK_ARGS=()
measure "cached diff (gsl a -> b, ${diff_bytes} B)" "/api/v1/diff?old=gsl@a&new=gsl@b" 1000 0
rm -f "$work/stop" "$work/pushes"
push_loop &
pusher=$!
measure "timeline while pushing releases" "/api/v1/libraries/gsl/history" 0 50
touch "$work/stop"
wait "$pusher" 2>/dev/null || true
awk '{ n++; t += $2; if ($1 != 201) bad++ }
     END { printf "  %d pushes of %s during it (%d not 201), %.2f s each on average\n",
           n, "'"$(du -h "$work/gsl.json" | cut -f1)"'", bad, n ? t / n : 0 }' "$work/pushes"
