#!/bin/sh
# extract-corpora.sh ABIGUARD STAGE DIR [SRC] — re-extracts
# DIR/<library>/<version>.json for every release in DIR/releases.tsv from its
# staged build under STAGE/<library>/<version>/ (the .so and public header
# directory named in releases.tsv). Runs only `abiguard extract`; it builds
# nothing. Passes --headers-dir when this abiguard's extract supports it, so
# the corpora record the public surface, and, given SRC, --source-root
# SRC/<library>/<version> (the release's source tree: declaration files are
# then spelled from its top, `lib/includes/nghttp2/nghttp2.h`, as a
# --source-url link needs). Without SRC the source root is inferred.
set -eu
abiguard=$1; stage=$2; dir=$3; src=${4:-}
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
    if [ -n "$src" ]; then
        if [ ! -d "$src/$lib/$ver" ]; then
            echo "realworld-corpora: error: $src/$lib/$ver: no source tree of $lib $ver" >&2
            exit 1
        fi
        "$abiguard" extract "$prefix/$so" --no-system-debug --no-debuginfod \
            --headers-dir "$prefix/$hdr" --source-root "$src/$lib/$ver" -o "$dir/$lib/$ver.json"
    elif [ -n "$headers_opt" ]; then
        "$abiguard" extract "$prefix/$so" --no-system-debug --no-debuginfod \
            --headers-dir "$prefix/$hdr" -o "$dir/$lib/$ver.json"
    else
        "$abiguard" extract "$prefix/$so" --no-system-debug --no-debuginfod \
            -o "$dir/$lib/$ver.json"
    fi
done
