#!/bin/sh
# run-guard.sh — the cost of the load-time checks `abiguard stub` writes, in
# each language, for a known-compatible build (libgeo v1: one walk and a
# table lookup) and an unknown one (v1b: also a hash-table lookup per
# required symbol in the loaded library's own dynamic symbol table):
#   C        abiguard_verify_geo(), mean of 10,000 calls
#   Python   ctypes: import geo_guard + verify(lib) + verify_layouts() once,
#            as a binding does at import (module precompiled, as a wheel
#            installs it), then the mean of 200 more checks
#   cffi     the same module for a cffi (ABI mode) binding: verify(lib,
#            ffi=ffi) + verify_layouts(ffi=ffi), its cdef's four types
#   Java     JNA: GeoGuard.verify(lib) + verifyLayouts() of three Structure
#            classes and an enum's constants once (loading the GeoGuard class
#            from the binding's jar included; JNA itself already running, as
#            it is for the binding), then the mean of 200
#   Go       AbiguardCheck() (C stub + unsafe layout checks) once, then 10,000
#   Rust     geo_guard::verify() once, then 10,000
#   JS       koffi: require('./geo_guard') + verify() + verifyLayouts() once,
#            then the mean of 200
# Times are the CPU time of the calling thread (of the process for JS, which
# has no per-thread clock), so a busy machine slows them less than it does
# wall-clock times; each program runs RUNS times (default 5) and the lowest
# figures are kept, the rest being what other processes cost it. The
# interpreter's or JVM's own start is never counted, nor is the first use of
# the FFI the binding does anyway; both are shown beside, for scale: the
# binding's own first FFI call, and what loading an empty module (Python,
# JS) or class (Java) costs the same way, the floor of any check shipped as
# one. Goal: under 1 ms at import in every language; the run fails when the
# C check, which every native binding runs, costs 100 us or more.
#
#   [RUNS=N] bench/run-guard.sh [ABIGUARD] [FIXTURES]   (after `make all fixtures`)
set -eu
ABIGUARD=$(realpath "${1:-build/abiguard}")
FIXTURES=$(realpath "${2:-build/fixtures}")
G=$FIXTURES/bindings
NODE_MODULES=$FIXTURES/../guard-js/node_modules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for v in 1 2 3; do
    "$ABIGUARD" add "$G/v$v/libgeo.so.1" --library geo --version "$v" --db "$T/db" >/dev/null
done
printf 'geo_version\ngeo_distance\ngeo_translate\ngeo_shape_new\ngeo_shape_set\ngeo_bounds\ngeo_shape_free\n' \
    > "$T/symbols.txt"
stub() { "$ABIGUARD" stub geo@1 --db "$T/db" --symbols @"$T/symbols.txt" "$@" >/dev/null; }
RUNS=${RUNS:-5}
status=0
# One result line. REF, when given, is what the binding's own first FFI use
# cost in the same process (loading the library and a first call); FLOOR
# what loading an empty module or class cost there: both for scale.
report() { # LANG BUILD FIRST_US MEAN_US [REF_US [FLOOR_US]]
    ref=${5:+   (its own first FFI call: $5 us}${6:+; an empty module or class: $6 us}${5:+)}
    over=$(awk "BEGIN { print ($3 >= 1000) ? \"  over the 1 ms goal\" : \"\" }")
    printf '%-7s %-4s first check %8.1f us   then %7.2f us per check%s%s\n' "$1" "$2" "$3" "$4" "$over" "$ref"
}
run() { # LANG BUILD COMMAND...: the command prints "FIRST_US MEAN_US [REF_US [FLOOR_US]]"
    lang=$1 build=$2
    shift 2
    all=
    for _ in $(seq "$RUNS"); do
        one=$(LD_LIBRARY_PATH="$G/$build" ABIGUARD_POLICY=default "$@") || { echo "$lang $build: failed"; status=1; return; }
        all="$all$one
"
    done
    # the lowest of each column over the runs
    out=$(printf '%s' "$all" | awk '{ for (i = 1; i <= NF; i++) if (NR == 1 || $i < m[i]) m[i] = $i; n = NF }
                                    END { for (i = 1; i <= n; i++) printf "%s%s", m[i], i < n ? " " : "\n" }')
    report "$lang" "$build" $out
    if [ "$lang" = C ]; then # the check every native binding runs must stay cheap
        mean=$(echo "$out" | cut -d' ' -f2)
        if awk "BEGIN { exit !($mean >= 100) }"; then
            echo "  the C check costs 100 us or more"
            status=1
        fi
    fi
}

# ---- C
stub -o "$T/geo_guard"
cat > "$T/bench.c" <<'C'
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>
#include "geo_guard.h"
#define N 10000
static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}
int main(void)
{
    char msg[2048];
    double a = now_us();
    int rc = abiguard_verify_geo(msg, sizeof msg);
    double b = now_us();
    for (int i = 0; i < N; i++)
        rc |= abiguard_verify_geo(msg, sizeof msg);
    double c = now_us();
    printf("%.2f %.3f\n", b - a, (c - b) / N);
    return rc > 1;
}
C
gcc -std=c99 -O2 -Wall -Wextra -Werror -I"$T" -o "$T/bench-c" "$T/bench.c" "$T/geo_guard.c" \
    -L"$G/v1" -Wl,--no-as-needed -lgeo
for b in v1 v1b; do run C $b "$T/bench-c"; done

# ---- Python (ctypes)
mkdir -p "$T/py"
stub --lang python -o "$T/py/geo_guard.py"
echo 'EMPTY = True' > "$T/py/empty_module.py"
/usr/bin/python3 -m py_compile "$T/py/geo_guard.py" "$T/py/empty_module.py"
cat > "$T/py/bench.py" <<'PY'
import ctypes
import time

r = time.thread_time()
lib = ctypes.CDLL("libgeo.so.1")
lib.geo_version.restype = ctypes.c_char_p
lib.geo_version()
ref = time.thread_time() - r


class GeoPoint(ctypes.Structure):
    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double)]


class GeoRect(ctypes.Structure):
    _fields_ = [("min", GeoPoint), ("max", GeoPoint)]


class GeoShape(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("n", ctypes.c_int), ("pts", ctypes.POINTER(GeoPoint))]


DECLARED = {"struct geo_point": GeoPoint, "struct geo_rect": GeoRect, "struct geo_shape": GeoShape,
            "enum geo_kind": {"GEO_POLYLINE": 0, "GEO_POLYGON": 1}}
e = time.thread_time()
import empty_module  # noqa: E402,F401
floor = time.thread_time() - e
a = time.thread_time()
import geo_guard  # noqa: E402
geo_guard.verify(lib)
geo_guard.verify_layouts(DECLARED)
b = time.thread_time()
for _ in range(200):
    geo_guard.verify(lib)
    geo_guard.verify_layouts(DECLARED)
c = time.thread_time()
print("%.1f %.2f %.0f %.0f" % ((b - a) * 1e6, (c - b) / 200 * 1e6, ref * 1e6, floor * 1e6))
PY
for b in v1 v1b; do run Python $b env PYTHONPATH="$T/py" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$T/py/bench.py"; done

# ---- Python (cffi, ABI mode): the same module, given a cffi lib and ffi
cat > "$T/py/bench_cffi.py" <<'PY'
import time

from cffi import FFI

r = time.thread_time()
ffi = FFI()
ffi.cdef("""
struct geo_point { double x, y; };
struct geo_rect { struct geo_point min, max; };
enum geo_kind { GEO_POLYLINE, GEO_POLYGON };
struct geo_shape { enum geo_kind kind; int n; struct geo_point *pts; };
const char *geo_version(void);
""")
lib = ffi.dlopen("libgeo.so.1")
lib.geo_version()
ref = time.thread_time() - r
e = time.thread_time()
import empty_module  # noqa: E402,F401
floor = time.thread_time() - e
a = time.thread_time()
import geo_guard  # noqa: E402
geo_guard.verify(lib, ffi=ffi)
geo_guard.verify_layouts(ffi=ffi)
b = time.thread_time()
for _ in range(200):
    geo_guard.verify(lib, ffi=ffi)
    geo_guard.verify_layouts(ffi=ffi)
c = time.thread_time()
print("%.1f %.2f %.0f %.0f" % ((b - a) * 1e6, (c - b) / 200 * 1e6, ref * 1e6, floor * 1e6))
PY
for b in v1 v1b; do run cffi $b env PYTHONPATH="$T/py" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$T/py/bench_cffi.py"; done

# ---- Java (JNA)
mkdir -p "$T/java/geo" "$T/java/classes"
stub --lang java --package geo -o "$T/java/geo/GeoGuard.java"
cat > "$T/java/geo/Bench.java" <<'JAVA'
package geo;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.util.LinkedHashMap;
import java.util.Map;

public final class Bench {
    @Structure.FieldOrder({ "x", "y" })
    public static class GeoPoint extends Structure {
        public double x, y;
    }

    @Structure.FieldOrder({ "min", "max" })
    public static class GeoRect extends Structure {
        public GeoPoint min, max;
    }

    @Structure.FieldOrder({ "kind", "n", "pts" })
    public static class GeoShape extends Structure {
        public int kind, n;
        public Pointer pts;
    }

    public interface GeoKind { // enum geo_kind's constants
        int GEO_POLYLINE = 0, GEO_POLYGON = 1;
    }

    public interface Geo extends com.sun.jna.Library {
        String geo_version();
    }

    public static void main(String[] args) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long r = cpu.getCurrentThreadCpuTime();
        NativeLibrary lib = NativeLibrary.getInstance("geo");
        // The binding has JNA running already: its first call is not the guard's cost.
        com.sun.jna.Native.load("geo", Geo.class).geo_version();
        long ref = cpu.getCurrentThreadCpuTime() - r;
        Map<String, Object> declared = new LinkedHashMap<>();
        declared.put("struct geo_point", GeoPoint.class);
        declared.put("struct geo_rect", GeoRect.class);
        declared.put("struct geo_shape", GeoShape.class);
        declared.put("enum geo_kind", GeoKind.class);
        new GeoPoint(); // the binding's own first use of its structures
        new GeoRect();
        new GeoShape();
        long e = cpu.getCurrentThreadCpuTime();
        new Empty();
        long floor = cpu.getCurrentThreadCpuTime() - e;
        long a = cpu.getCurrentThreadCpuTime();
        GeoGuard.verify(lib);
        GeoGuard.verifyLayouts(declared);
        long b = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < 200; i++) {
            GeoGuard.verify(lib);
            GeoGuard.verifyLayouts(declared);
        }
        long c = cpu.getCurrentThreadCpuTime();
        System.out.printf("%.1f %.2f %.0f %.0f%n", (b - a) / 1e3, (c - b) / 200 / 1e3, ref / 1e3, floor / 1e3);
    }
}

final class Empty {
}
JAVA
javac -d "$T/java/classes" -cp /usr/share/java/jna.jar "$T/java/geo/GeoGuard.java" "$T/java/geo/Bench.java"
# From a jar, as a binding ships its classes: each class is inflated from it,
# about 100 us more for the check than from a directory of class files.
jar cf "$T/java/bench.jar" -C "$T/java/classes" .
for b in v1 v1b; do run Java $b java -cp "$T/java/bench.jar:/usr/share/java/jna.jar" geo.Bench; done

# ---- Go (cgo)
GOPATH=$T/gopath
mkdir -p "$GOPATH/src/example.com/geo" "$GOPATH/src/example.com/bench"
printf 'package geo\n\n// #cgo LDFLAGS: -lgeo\n// #include "geo.h"\nimport "C"\n' > "$GOPATH/src/example.com/geo/geo.go"
stub --lang go --package geo -o "$GOPATH/src/example.com/geo/geo_guard.go"
cat > "$GOPATH/src/example.com/bench/main.go" <<'GO'
package main

// #include <time.h>
// static double cpu_us(void)
// {
//     struct timespec t;
//     clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
//     return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
// }
import "C"

import (
	"fmt"
	"runtime"

	"example.com/geo"
)

func main() {
	runtime.LockOSThread()
	a := float64(C.cpu_us())
	geo.AbiguardCheck()
	b := float64(C.cpu_us())
	for i := 0; i < 10000; i++ {
		geo.AbiguardCheck()
	}
	c := float64(C.cpu_us())
	fmt.Printf("%.1f %.3f\n", b-a, (c-b)/10000)
}
GO
env GOPATH="$GOPATH" GOCACHE="$FIXTURES/../guard-cache/go/cache" GO111MODULE=off GOTOOLCHAIN=local GOPROXY=off \
    GOFLAGS= CGO_CFLAGS="-I$G/v1/include" CGO_LDFLAGS="-L$G/v1" go build -o "$T/bench-go" example.com/bench
for b in v1 v1b; do run Go $b "$T/bench-go"; done

# ---- Rust (bindgen-style declarations, the C stub as a static library)
mkdir -p "$T/rust"
stub --lang rust -o "$T/rust/geo_guard.rs"
gcc -std=c99 -O2 -fPIC -c "$T/geo_guard.c" -o "$T/rust/geo_guard.o"
ar rcs "$T/rust/libgeo_guard.a" "$T/rust/geo_guard.o"
cat > "$T/rust/sys.rs" <<'RS'
#![allow(non_camel_case_types, non_upper_case_globals, dead_code)]
#[repr(C)]
pub struct geo_point { pub x: f64, pub y: f64 }
#[repr(C)]
pub struct geo_rect { pub min: geo_point, pub max: geo_point }
pub type geo_kind = u32;
pub const geo_kind_GEO_POLYLINE: geo_kind = 0;
pub const geo_kind_GEO_POLYGON: geo_kind = 1;
#[repr(C)]
pub struct geo_shape { pub kind: geo_kind, pub n: i32, pub pts: *mut geo_point }
#[link(name = "geo")]
extern "C" { pub fn geo_version() -> *const i8; }
#[path = "geo_guard.rs"]
pub mod geo_guard;
RS
cat > "$T/rust/main.rs" <<'RS'
mod sys;
extern "C" {
    fn clock_gettime(clock: i32, t: *mut [i64; 2]) -> i32;
}
fn cpu_us() -> f64 {
    let mut t = [0i64; 2];
    unsafe { clock_gettime(3, &mut t) }; // CLOCK_THREAD_CPUTIME_ID
    t[0] as f64 * 1e6 + t[1] as f64 / 1e3
}
fn main() {
    let a = cpu_us();
    let _ = sys::geo_guard::verify();
    let b = cpu_us();
    for _ in 0..10000 {
        let _ = sys::geo_guard::verify();
    }
    let c = cpu_us();
    println!("{:.1} {:.3}", b - a, (c - b) / 10000.0);
}
RS
/usr/bin/rustc --edition 2021 -O "$T/rust/main.rs" -L native="$T/rust" -l static=geo_guard -L native="$G/v1" \
    -o "$T/bench-rust"
for b in v1 v1b; do run Rust $b "$T/bench-rust"; done

# ---- JavaScript (koffi)
if [ -d "$NODE_MODULES/koffi" ]; then
    mkdir -p "$T/js"
    stub --lang js -o "$T/js/geo_guard.js"
    cat > "$T/js/bench.js" <<'JS'
'use strict';
const koffi = require('koffi');
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const r = cpu();
const lib = koffi.load('libgeo.so.1');
lib.func('const char *geo_version(void)')(); // the binding's own first call: koffi is running
const ref = cpu() - r;
const GeoPoint = koffi.struct('geo_point', { x: 'double', y: 'double' });
const GeoRect = koffi.struct('geo_rect', { min: GeoPoint, max: GeoPoint });
const GeoShape = koffi.struct('geo_shape', { kind: 'int', n: 'int', pts: koffi.pointer(GeoPoint) });
const declared = { 'struct geo_point': GeoPoint, 'struct geo_rect': GeoRect, 'struct geo_shape': GeoShape,
                   'enum geo_kind': { GEO_POLYLINE: 0, GEO_POLYGON: 1 } };
// Both modules are next to this program and loaded as a binding loads its
// guard, by a relative path (a bare name would be searched for along every
// node_modules directory above, then NODE_PATH: stat calls no binding pays).
const e = cpu();
require('./empty_module');
const floor = cpu() - e;
const a = cpu();
const guard = require('./geo_guard');
guard.verify(lib, koffi);
guard.verifyLayouts(declared, koffi);
const b = cpu();
// process.cpuUsage() counts every thread: during the first check V8's worker
// threads are idle (it is the main thread's time), but they spend half as much
// again optimizing the loop's code. So the loop is timed with the main
// thread's clock, clock_gettime(CLOCK_THREAD_CPUTIME_ID) through koffi, set up
// only now: a koffi function made earlier would warm up what the guard's
// first check pays for.
const clock = koffi.load('libc.so.6').func('int clock_gettime(int clk, void *ts)'), ts = new BigInt64Array(2);
const thread = () => { clock(3, ts); return Number(ts[0]) * 1e6 + Number(ts[1]) / 1e3; };
for (let i = 0; i < 10; i++)
  thread();
const b2 = thread();
for (let i = 0; i < 200; i++) {
  guard.verify(lib, koffi);
  guard.verifyLayouts(declared, koffi);
}
const c = thread();
console.log(`${(b - a).toFixed(1)} ${((c - b2) / 200).toFixed(2)} ${ref} ${floor}`);
JS
    echo 'module.exports = {};' > "$T/js/empty_module.js"
    for b in v1 v1b; do run JS $b env NODE_PATH="$NODE_MODULES:$T/js" node "$T/js/bench.js"; done
else
    echo "JS      (no koffi under $NODE_MODULES: run make fixtures)"
fi
exit $status
