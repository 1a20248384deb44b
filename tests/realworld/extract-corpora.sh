#!/bin/sh
# extract-corpora.sh ABIGUARD STAGE DIR — re-extracts DIR/<library>/<version>.json
# for every release in DIR/releases.tsv from its staged build under
# STAGE/<library>/<version>/ (the .so and public header directory named in
# releases.tsv). Runs only `abiguard extract`; it builds nothing. Passes
# --headers-dir when this abiguard's extract supports it, so the corpora
# record the public surface.
set -eu
abiguard=$1; stage=$2; dir=$3
headers_opt=
if "$abiguard" extract --help 2>&1 | grep -q -- '--headers-dir'; then
    headers_opt=yes
fi

grep -v '^#' "$dir/releases.tsv" | while IFS='	' read -r lib ver so hdr; do
    [ -n "$lib" ] || continue
    prefix=$stage/$lib/$ver
    if [ ! -e "$prefix/$so" ]; then
        echo "realworld-corpora: error: $prefix/$so: no staged build of $lib $ver" >&2
        exit 1
    fi
    mkdir -p "$dir/$lib"
    echo "$dir/$lib/$ver.json <- $prefix/$so"
    if [ -n "$headers_opt" ]; then
        "$abiguard" extract "$prefix/$so" --no-system-debug --no-debuginfod \
            --headers-dir "$prefix/$hdr" -o "$dir/$lib/$ver.json"
    else
        "$abiguard" extract "$prefix/$so" --no-system-debug --no-debuginfod \
            -o "$dir/$lib/$ver.json"
    fi
done
