/*
 * test_guard_python.c — the Python guard (`abiguard stub --lang python`)
 * for a ctypes and a cffi binding of libgeo, end to end on Debian's
 * /usr/bin/python3 (and python3-cffi): the symbols come from the binding's
 * own source (--symbols-from geo_ctypes.py / geo_cffi.py), verify(lib)
 * identifies the object from the handle it is given, verify_layouts()
 * checks the binding's Structures / cdef against geo@1's layouts; then the
 * matrix of guard_langs.h. Fixtures: tests/fixtures/bindings/python/.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "guard_langs.h"

#define PYTHON "/usr/bin/python3"

static char *stub_for(guard_env *e, const char *src)
{
    char *out = guard_fmt("%s/geo_guard.py", e->dir);
    const char *args[] = { "--lang", "python", "--symbols-from", src, "-o", out, NULL };
    guard_stub(e, args);
    char *text = read_whole_file(out, NULL);
    cr_assert(text, "no %s", out);
    free(out);
    return text;
}

/* The names read from the binding's source are the functions it calls,
   and nothing it does not. */
static void expect_symbols(const char *text, const char *what)
{
    const char *used[] = { "(\"geo_version\", \"GEO_1.0\"", "(\"geo_distance\", \"GEO_1.0\"",
                           "(\"geo_translate\", \"GEO_1.0\"", "(\"geo_shape_new\", \"GEO_1.0\"",
                           "(\"geo_shape_set\", \"GEO_1.0\"", "(\"geo_bounds\", \"GEO_1.0\"",
                           "(\"geo_shape_free\", \"GEO_1.0\"", NULL };
    for (size_t i = 0; used[i]; i++)
        cr_assert(strstr(text, used[i]), "%s: %s not among the guard's symbols", what, used[i]);
    cr_assert(!strstr(text, "\"geo_matrix_apply\"") && !strstr(text, "\"geo_legacy_scale\"") &&
                  !strstr(text, "\"geo_visit\""),
              "%s: a function the binding never calls is checked", what);
    cr_assert(strstr(text, "\"struct geo_shape\": (\"struct\", 16, 8, ("), "%s: no layout of struct geo_shape", what);
}

Test(guard_python, ctypes_binding, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "python");
    char *src = guard_fmt("%s/src/python/geo_ctypes.py", e.fx);
    char *text = stub_for(&e, src);
    expect_symbols(text, "geo_ctypes.py");
    char *pp = guard_fmt("PYTHONPATH=%s", e.dir);
    const char *env[] = { pp, NULL };
    const char *prog[] = { PYTHON, src, NULL }, *bad[] = { PYTHON, src, "bad", NULL };
    guard_expect_matrix(&e, "ctypes", env, prog, bad);
    free(pp);
    free(text);
    free(src);
    guard_env_teardown(&e);
}

Test(guard_python, cffi_binding, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "python");
    char *src = guard_fmt("%s/src/python/geo_cffi.py", e.fx);
    char *text = stub_for(&e, src);
    expect_symbols(text, "geo_cffi.py");
    char *pp = guard_fmt("PYTHONPATH=%s", e.dir);
    const char *env[] = { pp, NULL };
    const char *prog[] = { PYTHON, src, NULL }, *bad[] = { PYTHON, src, "bad", NULL };
    guard_expect_matrix(&e, "cffi", env, prog, bad);
    /* verify_layouts(ffi=ffi) checked every type the cdef declares. */
    tool_run r;
    guard_run_with(&e, GEO_V1, NULL, env, prog, &r);
    cr_assert(strstr(r.out, "layouts=4"), "cffi: not all four declared types were checked: %s", r.out);
    tool_run_free(&r);
    free(pp);
    free(text);
    free(src);
    guard_env_teardown(&e);
}

/* A name the guard does not know is the binding's mistake: ValueError,
   not a refusal; and both the message and the outcome reach a caller. */
Test(guard_python, verify_layouts_api, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "python");
    char *out = guard_fmt("%s/geo_guard.py", e.dir);
    const char *args[] = { "--lang", "python", "--symbols", "geo_distance,geo_shape_new", "-o", out, NULL };
    guard_stub(&e, args);
    char *pp = guard_fmt("PYTHONPATH=%s", e.dir);
    const char *env[] = { pp, NULL };
    const char *code =
        "import ctypes, geo_guard\n"
        "class P(ctypes.Structure):\n"
        "    _fields_ = [('x', ctypes.c_float), ('y', ctypes.c_float)]\n"
        "try:\n"
        "    geo_guard.verify_layouts({'struct geo_pont': P})\n"
        "except ValueError as e:\n"
        "    print('ValueError:', e)\n"
        "try:\n"
        "    geo_guard.verify_layouts({'struct geo_point': P, 'enum geo_kind': {'GEO_POLYGON': 2, 'GEO_X': 0}})\n"
        "except geo_guard.AbiGuardError as e:\n"
        "    print('AbiGuardError:', e)\n"
        "lib = ctypes.CDLL('libgeo.so.1')\n"
        "v = geo_guard.verify(lib)\n"
        "print(v.outcome, '|', v.message)\n"
        "print(geo_guard.verify('libgeo.so.1').outcome, geo_guard.verify().outcome)\n"
        "print(geo_guard.verify('libnotloaded.so.9') if False else 'ok')\n"
        /* libgeo has no union: one in the baseline's table, as the generator
           writes a union's layout, checks the ctypes Union path. */
        "geo_guard.LAYOUTS['union geo_num'] = ('union', 8, 8, (('i', 0, 4, 0, 0), ('d', 0, 8, 0, 0)))\n"
        "class U(ctypes.Union):\n"
        "    _fields_ = [('i', ctypes.c_int), ('d', ctypes.c_double)]\n"
        "class U2(ctypes.Union):\n"
        "    _fields_ = [('i', ctypes.c_int), ('f', ctypes.c_float)]\n"
        "print('union checked:', geo_guard.verify_layouts({'union geo_num': U}))\n"
        "try:\n"
        "    geo_guard.verify_layouts({'union geo_num': U2})\n"
        "except geo_guard.AbiGuardError as e:\n"
        "    print('AbiGuardError:', e)\n";
    const char *prog[] = { PYTHON, "-c", code, NULL };
    tool_run r;
    guard_run_with(&e, GEO_V2, NULL, env, prog, &r);
    cr_assert(r.exited && r.exit_status == 0, "%s\n%s", tool_run_outcome(&r), r.err);
    const char *expect[] = {
        "ValueError: struct geo_pont: not one of the types",
        "AbiGuardError: the binding's declarations do not match geo@1: struct geo_point is 8 bytes in the "
        "binding's declaration, 16 in geo@1",
        "struct geo_point is aligned to 4 bytes in the binding's declaration, 8 in geo@1",
        "struct geo_point::x is at offset 0 (4 bytes) in the binding's declaration, at offset 0 (8 bytes) in geo@1",
        "struct geo_point::y is at offset 4 (4 bytes) in the binding's declaration, at offset 8 (8 bytes) in geo@1",
        "enum geo_kind: GEO_POLYGON is 2 in the binding, 1 in geo@1",
        "enum geo_kind: GEO_X is not an enumerator of it in geo@1",
        "verified | libgeo.so.1 (build-id ", "is geo@2, verified compatible with geo@1",
        "verified verified\n",
        "union checked: 1\n",
        "union geo_num is 4 bytes in the binding's declaration, 8 in geo@1",
        "union geo_num::d (the binding's f) is at offset 0 (4 bytes) in the binding's declaration, at offset 0 "
        "(8 bytes) in geo@1",
        NULL };
    for (size_t i = 0; expect[i]; i++)
        cr_assert(strstr(r.out, expect[i]), "'%s' not in:\n%s", expect[i], r.out);
    tool_run_free(&r);
    /* Not loaded at all: refused, and the policy can let it go. */
    const char *code2 = "import geo_guard\ntry:\n    geo_guard.verify()\nexcept ImportError as e:\n    print('refused:', e)\n";
    const char *prog2[] = { PYTHON, "-c", code2, NULL };
    guard_run_with(&e, GEO_V1, NULL, env, prog2, &r);
    cr_assert(strstr(r.out, "refused: libgeo.so.1 is not loaded in this process"), "%s%s", r.out, r.err);
    tool_run_free(&r);
    free(pp);
    free(out);
    guard_env_teardown(&e);
}

/* What makes the first check cheap at import: the part of the module only a
   refusal, a mismatch, cffi or a rare case needs (_COLD) is source text the
   common path never compiles. A verified build and an unknown one accepted,
   with the binding's ctypes declarations right, leave it uncompiled; once
   compiled, its functions are at their own lines of the file (tracebacks
   show the right source), and they refuse as the rest of the guard does. */
Test(guard_python, common_path_compiles_nothing, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "python");
    char *out = guard_fmt("%s/geo_guard.py", e.dir);
    char *src = guard_fmt("%s/src/python/geo_ctypes.py", e.fx);
    const char *args[] = { "--lang", "python", "--symbols-from", src, "-o", out, NULL };
    guard_stub(&e, args);
    char *pp = guard_fmt("PYTHONPATH=%s", e.dir);
    const char *env[] = { pp, NULL };
    const char *code =
        "import ctypes, linecache, geo_guard\n"
        "class P(ctypes.Structure):\n"
        "    _fields_ = [('x', ctypes.c_double), ('y', ctypes.c_double)]\n"
        "class R(ctypes.Structure):\n"
        "    _fields_ = [('min', P), ('max', P)]\n"
        "class S(ctypes.Structure):\n"
        "    _fields_ = [('kind', ctypes.c_int), ('n', ctypes.c_int), ('pts', ctypes.POINTER(P))]\n"
        "lib = ctypes.CDLL('libgeo.so.1')\n"
        "v = geo_guard.verify(lib)\n"
        "n = geo_guard.verify_layouts({'struct geo_point': P, 'struct geo_rect': R, 'struct geo_shape': S,\n"
        "                              'enum geo_kind': {'GEO_POLYLINE': 0, 'GEO_POLYGON': 1}})\n"
        "print('outcome', v.outcome, n)\n"
        "print('cold compiled:', '_refuse' in vars(geo_guard))\n"
        "for name in ('_refuse', '_check_one', '_find_sysv', '_search'):\n"
        "    f = geo_guard._cold(name)\n"
        "    line = linecache.getline(geo_guard.__file__, f.__code__.co_firstlineno)\n"
        "    print(name, 'at its line' if line.startswith('def %s(' % name) else 'misplaced: %r' % line)\n"
        "try:\n"
        "    geo_guard._cold('_refuse')('default', 'test')\n"
        "except geo_guard.AbiGuardError as e:\n"
        "    print('refused:', e)\n";
    const char *prog[] = { PYTHON, "-c", code, NULL };
    const int builds[] = { GEO_V1, GEO_V1B };
    const char *outcome[] = { "outcome verified 4\n", "outcome accepted-unverified 4\n" };
    for (int b = 0; b < 2; b++) {
        tool_run r;
        guard_run_with(&e, builds[b], NULL, env, prog, &r);
        cr_assert(r.exited && r.exit_status == 0, "%s\n%s", tool_run_outcome(&r), r.err);
        const char *expect[] = { outcome[b], "cold compiled: False\n", "_refuse at its line\n",
                                 "_check_one at its line\n", "_find_sysv at its line\n", "_search at its line\n",
                                 "refused: test; refusing to load (ABIGUARD_POLICY=warn would run anyway)\n", NULL };
        for (size_t i = 0; expect[i]; i++)
            cr_assert(strstr(r.out, expect[i]), "build %d: '%s' not in:\n%s%s", b, expect[i], r.out, r.err);
        tool_run_free(&r);
    }
    free(pp);
    free(src);
    free(out);
    guard_env_teardown(&e);
}

/* A cffi binding's check reads memory through the _cffi_backend it already
   has loaded: it imports no ctypes, and its common path (a known build, an
   unknown one accepted, declarations that match) compiles nothing of
   _COLD; the cdef's types come from its declarations, for an in-line FFI
   (typedefs included) as for an out-of-line one (ffi.set_source(name,
   None), built here), and a typedef whose member moved is refused. */
Test(guard_python, cffi_common_path, .timeout = 180 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "python");
    char *out = guard_fmt("%s/geo_guard.py", e.dir);
    const char *args[] = { "--lang", "python", "--symbols", "geo_bounds,geo_distance,geo_shape_new,geo_version", "-o",
                           out, NULL };
    guard_stub(&e, args);
    const char *cdef =
        "struct geo_point { double x, y; };\n"
        "struct geo_rect { struct geo_point min, max; };\n"
        "enum geo_kind { GEO_POLYLINE, GEO_POLYGON };\n"
        "struct geo_shape { enum geo_kind kind; int n; struct geo_point *pts; };\n"
        "typedef struct geo_point geo_point_t;\n"
        "typedef struct { int a; double b; } geo_pair_t;\n"
        "const char *geo_version(void);\n"
        "double geo_distance(struct geo_point a, struct geo_point b);\n";
    char *build = guard_fmt("import cffi\nb = cffi.FFI()\nb.cdef('''%s''')\nb.set_source('_geo_ool', None)\n"
                            "b.compile(tmpdir='%s')\n", cdef, e.dir);
    const char *make_ool[] = { PYTHON, "-c", build, NULL };
    guard_run_ok(make_ool, 60, "building the out-of-line cffi module");
    char *code = guard_fmt(
        "import sys, cffi, geo_guard\n"
        "from _geo_ool import ffi as ool\n"
        "ffi = cffi.FFI()\n"
        "ffi.cdef('''%s''')\n"
        "for name, f in (('in-line', ffi), ('out-of-line', ool)):\n"
        "    lib = f.dlopen('libgeo.so.1')\n"
        "    lib.geo_version()\n"
        "    v = geo_guard.verify(lib, ffi=f)\n"
        "    print(name, v.outcome, geo_guard.verify_layouts(ffi=f),\n"
        "          geo_guard.verify_layouts({'struct geo_point': 'struct geo_point', 'enum geo_kind': 'enum geo_kind'},"
        " ffi=f))\n"
        "geo_guard.LAYOUTS['geo_point_t'] = geo_guard.LAYOUTS['struct geo_point']\n"
        "geo_guard.LAYOUTS['geo_pair_t'] = ('struct', 16, 8, (('a', 0, 4, 0, 0), ('b', 8, 8, 64, 0)))\n"
        "print('with typedefs', geo_guard.verify_layouts(ffi=ffi))\n"
        "print('ctypes imported:', 'ctypes' in sys.modules, 'cold compiled:', '_refuse' in vars(geo_guard))\n"
        "geo_guard.LAYOUTS['geo_pair_t'] = ('struct', 12, 4, (('a', 0, 4, 0, 0), ('b', 4, 8, 32, 0)))\n"
        "try:\n"
        "    geo_guard.verify_layouts(ffi=ffi)\n"
        "except geo_guard.AbiGuardError as e:\n"
        "    print('refused:', e)\n",
        cdef);
    char *pp = guard_fmt("PYTHONPATH=%s", e.dir);
    const char *env[] = { pp, NULL };
    const char *prog[] = { PYTHON, "-c", code, NULL };
    const int builds[] = { GEO_V1, GEO_V1B };
    const char *outcome[] = { "verified", "accepted-unverified" };
    for (int b = 0; b < 2; b++) {
        tool_run r;
        guard_run_with(&e, builds[b], NULL, env, prog, &r);
        cr_assert(r.exited && r.exit_status == 0, "%s\n%s", tool_run_outcome(&r), r.err);
        char *inl = guard_fmt("in-line %s 4 2\n", outcome[b]), *ool = guard_fmt("out-of-line %s 4 2\n", outcome[b]);
        const char *expect[] = {
            inl, ool, "with typedefs 6\n", "ctypes imported: False cold compiled: False\n",
            "refused: the binding's declarations do not match geo@1: geo_pair_t is 16 bytes in the binding's "
            "declaration, 12 in geo@1; geo_pair_t is aligned to 8 bytes in the binding's declaration, 4 in geo@1; "
            "geo_pair_t::b is at offset 8 (8 bytes) in the binding's declaration, at offset 4 (8 bytes) in geo@1",
            NULL };
        for (size_t i = 0; expect[i]; i++)
            cr_assert(strstr(r.out, expect[i]), "build %d: '%s' not in:\n%s%s", b, expect[i], r.out, r.err);
        free(inl);
        free(ool);
        tool_run_free(&r);
    }
    free(pp);
    free(code);
    free(build);
    free(out);
    guard_env_teardown(&e);
}
