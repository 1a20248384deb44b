/*
 * test_stub.c — `abiguard stub` end to end, on real processes: a store with
 * libshape releases 1 (the baseline), 2 (compatible for what the consumers
 * use), 3 (breaking) and three builds never stored, so unknown: a rebuild
 * of 1 with another build-id (accepted unverified by the default policy,
 * refused by strict), one whose data object shape_palette is larger and one
 * whose symbols are in another version node (both refused); a stub
 * generated from the store and from the consumer's own imports; the
 * consumer, a CPython extension and a ctypes binding built or run against
 * release 1, then run with each build under each policy. Also the
 * compile-time layout assertions, 16 threads under ThreadSanitizer, and
 * `abiguard fingerprint`. Fixtures: tests/fixtures/guard/ (guard.mk).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_run.h"

#define PYTHON "/usr/bin/python3"
#define PY_INCLUDE "/usr/include/python3.11"

typedef struct guard_env {
    char *dir;        /* temporary directory */
    char *db;
    char *stub;       /* dir/shape_guard (.c, .h) */
    char *fx;         /* $FIXTURES/guard */
    char lib[6][512]; /* v1 v2 v3 v1b v1o v1v directories */
} guard_env;

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    char *s = NULL;
    cr_assert(vasprintf(&s, f, ap) >= 0);
    va_end(ap);
    return s;
}

static void expect_ok(const tool_run *r, const char *what)
{
    cr_assert(r->exited && r->exit_status == 0, "%s: %s\nstdout: %s\nstderr: %s", what,
              tool_run_outcome(r), r->out, r->err);
}

static void run_ok(const char *const argv[], const char *what)
{
    tool_run r;
    cr_assert(tool_run_argv(argv, 120, &r), "%s: cannot start", what);
    expect_ok(&r, what);
    tool_run_free(&r);
}

static void env_setup(guard_env *e)
{
    memset(e, 0, sizeof *e);
    e->dir = make_temp_dir();
    e->db = path_join2(e->dir, "db");
    e->stub = path_join2(e->dir, "shape_guard");
    e->fx = fixture_path("guard");
    const char *v[] = { "v1", "v2", "v3", "v1b", "v1o", "v1v" };
    for (int i = 0; i < 6; i++)
        snprintf(e->lib[i], sizeof e->lib[i], "%s/%s", e->fx, v[i]);
    for (int i = 0; i < 3; i++) {
        char so[600], ver[16];
        snprintf(so, sizeof so, "%s/libshape.so.1", e->lib[i]);
        snprintf(ver, sizeof ver, "%d", i + 1);
        tool_run r;
        cr_assert(run_abiguard(&r, "add", so, "--library", "shape", "--version", ver, "--db", e->db, NULL));
        expect_ok(&r, "abiguard add");
        tool_run_free(&r);
    }
}

static void env_teardown(guard_env *e)
{
    remove_tree(e->dir);
    free(e->dir);
    free(e->db);
    free(e->stub);
    free(e->fx);
}

static void stub(guard_env *e, const char *symbols_from, const char *lang, const char *out)
{
    tool_run r;
    if (symbols_from)
        cr_assert(run_abiguard(&r, "stub", "shape@1", "--db", e->db, "--symbols-from", symbols_from,
                               "--lang", lang, "-o", out, NULL));
    else
        cr_assert(run_abiguard(&r, "stub", "shape@1", "--db", e->db, "--lang", lang, "-o", out, NULL));
    expect_ok(&r, "abiguard stub");
    tool_run_free(&r);
}

/* gcc -std=STD -Wall -Wextra -Werror EXTRA... SRC stub.c -I.. -L v1 -lshape -ldl -o OUT */
static void build_c(guard_env *e, const char *std, const char *src, const char *out,
                    const char *const extra[])
{
    char *src_path = fmt("%s/src/%s", e->fx, src), *inc = fmt("-I%s/include", e->lib[0]),
         *inc2 = fmt("-I%s", e->dir), *libdir = fmt("-L%s", e->lib[0]), *stub_c = fmt("%s.c", e->stub);
    const char *argv[32] = { "/usr/bin/gcc", std, "-Wall", "-Wextra", "-Werror", "-g", "-O2", inc, inc2 };
    size_t n = 9;
    for (size_t i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    const char *rest[] = { "-o", out, src_path, stub_c, libdir, "-lshape", "-ldl", "-lpthread", NULL };
    for (size_t i = 0; rest[i]; i++)
        argv[n++] = rest[i];
    argv[n] = NULL;
    run_ok(argv, "compiling with the stub");
    free(src_path);
    free(inc);
    free(inc2);
    free(libdir);
    free(stub_c);
}

/* Runs prog (argv after it) with LD_LIBRARY_PATH=lib_dir and
   ABIGUARD_POLICY=policy (NULL: unset). */
static void run_with(guard_env *e, int lib, const char *policy, const char *const prog[], tool_run *r)
{
    (void)e;
    char *ld = fmt("LD_LIBRARY_PATH=%s", e->lib[lib]);
    char *pol = policy ? fmt("ABIGUARD_POLICY=%s", policy) : strdup("ABIGUARD_POLICY=");
    const char *argv[16] = { "/usr/bin/env", "-u", "ABIGUARD_POLICY", ld, pol };
    size_t n = policy ? 5 : 4;
    if (!policy)
        free(pol), pol = NULL;
    for (size_t i = 0; prog[i] && n < 15; i++)
        argv[n++] = prog[i];
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, 120, r));
    free(ld);
    free(pol);
}

static void expect_runs(const tool_run *r, const char *out_needle, const char *what)
{
    cr_assert(r->exited && r->exit_status == 0, "%s: %s\nstderr: %s", what, tool_run_outcome(r), r->err);
    cr_assert(strstr(r->out, out_needle), "%s: expected '%s' in stdout: %s", what, out_needle, r->out);
}

static void expect_refused(const tool_run *r, int status, const char *const needles[], const char *what)
{
    cr_assert(r->exited && r->exit_status == status, "%s: expected exit %d, got %s\nstdout: %s\nstderr: %s",
              what, status, tool_run_outcome(r), r->out, r->err);
    for (size_t i = 0; needles[i]; i++)
        cr_assert(strstr(r->err, needles[i]), "%s: expected '%s' in stderr: %s", what, needles[i], r->err);
}

/* The consumer, built against v1 with a stub made from its own imports. */
static char *build_consumer(guard_env *e, const char *std)
{
    char *exe = path_join2(e->dir, "consumer");
    stub(e, NULL, "c", e->stub);   /* first build: every export */
    build_c(e, std, "consumer.c", exe, NULL);
    stub(e, exe, "c", e->stub);    /* then only what it imports */
    build_c(e, std, "consumer.c", exe, NULL);
    return exe;
}

enum { V1, V2, V3, V1B, V1O, V1V };

static const char *const INCOMPATIBLE_MSG[] = { "refused (3)", "shape@3", "incompatible with shape@1",
                                                "struct shape_rect::flags", "moved from offset 16 to 0",
                                                "refusing to load", NULL };
static const char *const UNVERIFIED_MSG[] = { "unverified (1)", "unverified build", "shape@1",
                                              "SONAME", "required symbols and versions", "accepted unverified",
                                              NULL };
static const char *const STRICT_MSG[] = { "refused (5)", "unverified build", "shape@1", "strict policy", NULL };

static void expect_in(const char *text, const char *const needles[], const char *what)
{
    for (size_t i = 0; needles[i]; i++)
        cr_assert(strstr(text, needles[i]), "%s: '%s' not in: %s", what, needles[i], text);
}

/* The verdicts on shape@1's unknown builds, the same in every guard made
   for all its exports: v1b, whose symbols all bind to its own definitions
   at their versions, with its data object's size, is accepted (prog exits
   0, stdout holding ran unless it is NULL) and refused under strict; v1o
   (shape_palette grown) and v1v (its symbols in another version node) are
   refused, naming what differs. refused: what prog prints before a
   refusal's message (it exits 3 then); what: the guard, for messages. */
static void expect_unknown_builds(guard_env *e, const char *const prog[], const char *ran, const char *refused,
                                  const char *what)
{
    tool_run r;
    char *how = fmt("%s with v1b", what);
    run_with(e, V1B, NULL, prog, &r);
    cr_assert(r.exited && r.exit_status == 0, "%s: %s\nstderr: %s", how, tool_run_outcome(&r), r.err);
    if (ran)
        expect_runs(&r, ran, how);
    const char *const v1b[] = { "accepted-unverified: ", "v1b/libshape.so", "unverified build",
                                "and the sizes of its 1 data objects match shape@1", NULL };
    expect_in(r.err, v1b, how);
    tool_run_free(&r);
    free(how);
    how = fmt("%s with v1b under strict", what);
    run_with(e, V1B, "strict", prog, &r);
    const char *const strict[] = { refused, "unverified build", "strict policy", NULL };
    expect_refused(&r, 3, strict, how);
    tool_run_free(&r);
    free(how);
    how = fmt("%s with v1o", what);
    run_with(e, V1O, NULL, prog, &r);
    const char *const v1o[] = { refused, "unknown build that does not match shape@1",
                                "its shape_palette is a 32-byte object, 16 bytes in shape@1", NULL };
    expect_refused(&r, 3, v1o, how);
    tool_run_free(&r);
    free(how);
    how = fmt("%s with v1v", what);
    run_with(e, V1V, NULL, prog, &r);
    const char *const v1v[] = { refused, "it lacks shape_", "(it has SHAPE_1.1)", NULL };
    expect_refused(&r, 3, v1v, how);
    tool_run_free(&r);
    free(how);
}

Test(stub, c_consumer_against_each_release, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    const char *stds[] = { "-std=c99", "-std=c11" };
    for (int s = 0; s < 2; s++) {
        char *exe = build_consumer(&e, stds[s]);
        const char *prog[] = { exe, NULL };
        tool_run r;
        run_with(&e, V1, NULL, prog, &r);
        expect_runs(&r, "area=12", "v1");
        cr_assert_eq(r.err_len, 0, "v1 (verified): stderr: %s", r.err);
        tool_run_free(&r);
        run_with(&e, V2, NULL, prog, &r);
        expect_runs(&r, "area=12", "v2 (known compatible for what the consumer uses)");
        cr_assert_eq(r.err_len, 0, "v2: stderr: %s", r.err);
        tool_run_free(&r);
        run_with(&e, V3, NULL, prog, &r);
        expect_refused(&r, 3, INCOMPATIBLE_MSG, "v3");
        tool_run_free(&r);
        run_with(&e, V3, "warn", prog, &r);
        cr_assert(r.exited && r.exit_status == 0 && strstr(r.err, "warning (2)") && strstr(r.err, "shape@3") &&
                      strstr(r.err, "running anyway"),
                  "v3 under warn: %s %s", tool_run_outcome(&r), r.err);
        tool_run_free(&r);
        /* The distribution's rebuild: accepted unverified by default. */
        run_with(&e, V1B, NULL, prog, &r);
        expect_runs(&r, "area=12", "v1b (default policy)");
        expect_in(r.err, UNVERIFIED_MSG, "v1b (default policy)");
        tool_run_free(&r);
        run_with(&e, V1B, "default", prog, &r);
        expect_runs(&r, "area=12", "v1b, ABIGUARD_POLICY=default");
        tool_run_free(&r);
        run_with(&e, V1B, "strict", prog, &r);
        expect_refused(&r, 3, STRICT_MSG, "v1b, ABIGUARD_POLICY=strict");
        tool_run_free(&r);
        run_with(&e, V1B, "warn", prog, &r);
        expect_runs(&r, "area=12", "v1b, ABIGUARD_POLICY=warn");
        expect_in(r.err, UNVERIFIED_MSG, "v1b warn");
        tool_run_free(&r);
        /* (v1v, whose symbols sit in another version node, never gets this
           far: the dynamic linker refuses the consumer's versioned imports.
           Bindings that dlopen the library are checked with it below.) */
        run_with(&e, V3, "off", prog, &r);
        expect_runs(&r, "area=", "v3, ABIGUARD_POLICY=off");
        tool_run_free(&r);
        free(exe);
    }
    env_teardown(&e);
}

/* The stub for every export of release 1 checks shape_palette's size: the
   v1o build, otherwise identical, is refused for it. */
Test(stub, c_data_object_size, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *exe = path_join2(e.dir, "consumer");
    stub(&e, NULL, "c", e.stub);
    build_c(&e, "-std=c99", "consumer.c", exe, NULL);
    const char *prog[] = { exe, NULL };
    tool_run r;
    run_with(&e, V1B, NULL, prog, &r);
    expect_runs(&r, "area=12", "v1b with every export");
    cr_assert(strstr(r.err, "the sizes of its 1 data objects match shape@1"), "%s", r.err);
    tool_run_free(&r);
    run_with(&e, V1O, NULL, prog, &r);
    const char *const v1o[] = { "refused (4)", "unknown build that does not match shape@1",
                                "its shape_palette is a 32-byte object, 16 bytes in shape@1", NULL };
    expect_refused(&r, 3, v1o, "v1o");
    tool_run_free(&r);
    run_with(&e, V1O, "warn", prog, &r);
    expect_runs(&r, "area=12", "v1o under warn");
    cr_assert(strstr(r.err, "warning (2)") && strstr(r.err, "shape_palette"), "%s", r.err);
    tool_run_free(&r);
    free(exe);
    env_teardown(&e);
}

Test(stub, policy_compiled_in, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *exe = build_consumer(&e, "-std=c11");
    const char *prog[] = { exe, NULL };
    tool_run r;
    cr_assert(run_abiguard(&r, "stub", "shape@1", "--db", e.db, "--symbols-from", exe, "--policy", "strict",
                           "-o", e.stub, NULL));
    expect_ok(&r, "stub --policy strict");
    cr_assert(strstr(r.out, "policy strict"), "%s", r.out);
    tool_run_free(&r);
    build_c(&e, "-std=c11", "consumer.c", exe, NULL);
    run_with(&e, V1B, NULL, prog, &r);
    expect_refused(&r, 3, STRICT_MSG, "v1b with --policy strict");
    tool_run_free(&r);
    run_with(&e, V1B, "default", prog, &r);
    expect_runs(&r, "area=12", "v1b, --policy strict overridden by ABIGUARD_POLICY=default");
    tool_run_free(&r);
    run_with(&e, V1, NULL, prog, &r);
    expect_runs(&r, "area=12", "v1 with --policy strict (verified)");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "stub", "shape@1", "--db", e.db, "--symbols-from", exe, "--policy", "warn",
                           "-o", e.stub, NULL));
    expect_ok(&r, "stub --policy warn");
    tool_run_free(&r);
    build_c(&e, "-std=c11", "consumer.c", exe, NULL);
    run_with(&e, V3, NULL, prog, &r);
    expect_runs(&r, "area=", "v3 with --policy warn");
    cr_assert(strstr(r.err, "warning (2)") && strstr(r.err, "incompatible"), "%s", r.err);
    tool_run_free(&r);
    run_with(&e, V3, "default", prog, &r);
    expect_refused(&r, 3, INCOMPATIBLE_MSG, "v3, --policy warn overridden by ABIGUARD_POLICY=default");
    tool_run_free(&r);
    free(exe);
    env_teardown(&e);
}

Test(stub, layout_asserts_at_compile_time, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    stub(&e, NULL, "c", e.stub);
    char *stub_c = fmt("%s.c", e.stub);
    const char *stds[] = { "-std=c99", "-std=c11" };
    for (int s = 0; s < 2; s++) {
        for (int lib = 0; lib < 3; lib += 2) {
            char *inc = fmt("-I%s/include", e.lib[lib]);
            char *obj = path_join2(e.dir, "stub.o"); /* never -o /dev/null: as root it can replace the device */
            const char *argv[] = { "/usr/bin/gcc", stds[s], "-Wall", "-Wextra", "-Werror",
                                   "-DABIGUARD_SHAPE_WITH_HEADERS", inc, "-c", "-o", obj, stub_c, NULL };
            tool_run r;
            cr_assert(tool_run_argv(argv, 120, &r));
            if (lib == 0) {
                expect_ok(&r, "the stub with the v1 header");
            } else {
                cr_assert(r.exited && r.exit_status != 0, "%s with the v3 header compiled", stds[s]);
                cr_assert(strstr(r.err, "offsetof(struct shape_rect, flags) is 16"), "%s", r.err);
            }
            tool_run_free(&r);
            free(inc);
            free(obj);
        }
    }
    free(stub_c);
    env_teardown(&e);
}

/* Runs "python3 -c CODE" (the system Python, not one on PATH) with
   PYTHONPATH=dir. */
static void run_python(guard_env *e, int lib, const char *policy, const char *code, tool_run *r)
{
    char *pp = fmt("PYTHONPATH=%s", e->dir);
    const char *prog[] = { pp, PYTHON, "-c", code, NULL };
    run_with(e, lib, policy, prog, r);
    free(pp);
}

static const char IMPORT_EXT[] =
    "import warnings\n"
    "warnings.simplefilter('always')\n"
    "try:\n"
    "    import shapeext\n"
    "except ImportError as e:\n"
    "    import sys\n"
    "    print('ImportError:', e, file=sys.stderr)\n"
    "    sys.exit(3)\n"
    "print('area=%d' % shapeext.area(0, 0, 3, 4))\n";

Test(stub, cpython_extension, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *ext = path_join2(e.dir, "shapeext.so");
    const char *extra[] = { "-I" PY_INCLUDE, "-shared", "-fPIC", NULL };
    stub(&e, NULL, "c", e.stub);
    build_c(&e, "-std=c11", "pyext.c", ext, extra);
    stub(&e, ext, "c", e.stub); /* the extension's own imports */
    build_c(&e, "-std=c11", "pyext.c", ext, extra);
    tool_run r;
    run_python(&e, 0, NULL, IMPORT_EXT, &r);
    expect_runs(&r, "area=12", "import with v1");
    tool_run_free(&r);
    run_python(&e, 1, NULL, IMPORT_EXT, &r);
    expect_runs(&r, "area=12", "import with v2");
    tool_run_free(&r);
    run_python(&e, 2, NULL, IMPORT_EXT, &r);
    const char *const v3[] = { "ImportError", "shape@3", "incompatible with shape@1", "struct shape_rect::flags", NULL };
    expect_refused(&r, 3, v3, "import with v3");
    tool_run_free(&r);
    run_python(&e, V1B, NULL, IMPORT_EXT, &r);
    expect_runs(&r, "area=12", "import with v1b (accepted unverified)");
    cr_assert_eq(r.err_len, 0, "import with v1b: %s", r.err);
    tool_run_free(&r);
    run_python(&e, V1B, "strict", IMPORT_EXT, &r);
    const char *const v1b[] = { "ImportError", "unverified build", "strict policy", NULL };
    expect_refused(&r, 3, v1b, "import with v1b under strict");
    tool_run_free(&r);
    run_python(&e, V3, "warn", IMPORT_EXT, &r);
    expect_runs(&r, "area=", "import with v3 under warn");
    cr_assert(strstr(r.err, "RuntimeWarning") && strstr(r.err, "incompatible"), "%s", r.err);
    tool_run_free(&r);
    run_python(&e, 2, "off", IMPORT_EXT, &r);
    expect_runs(&r, "area=", "import with v3 under off");
    tool_run_free(&r);
    free(ext);
    env_teardown(&e);
}

Test(stub, python_ctypes, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *py = fmt("%s.py", e.stub);
    stub(&e, NULL, "python", py);
    char *user = fmt("%s/src/ctypes_user.py", e.fx);
    for (int by_search = 0; by_search < 2; by_search++) {
        /* ctypes_user.py passes its CDLL to verify() (dlinfo on its
           handle), or with "search" lets verify() walk the loaded objects. */
        const char *a1 = by_search ? "search" : NULL;
        char *pp = fmt("PYTHONPATH=%s", e.dir);
        const char *prog[] = { pp, PYTHON, user, a1, NULL };
        tool_run r;
        run_with(&e, V1, NULL, prog, &r);
        expect_runs(&r, "area=12", "ctypes with v1");
        cr_assert_eq(r.err_len, 0, "%s", r.err);
        tool_run_free(&r);
        run_with(&e, V2, NULL, prog, &r);
        /* The Python stub was made for every export: v2 breaks shape_stats(). */
        const char *const v2[] = { "refused:", "shape@2", "shape_stats", NULL };
        expect_refused(&r, 3, v2, "ctypes with v2 (all exports)");
        tool_run_free(&r);
        run_with(&e, V3, NULL, prog, &r);
        const char *const v3[] = { "refused:", "shape@3", "incompatible with shape@1", "struct shape_rect::", NULL };
        expect_refused(&r, 3, v3, "ctypes with v3");
        tool_run_free(&r);
        expect_unknown_builds(&e, prog, "area=12", "refused:", "ctypes");
        run_with(&e, V3, "warn", prog, &r);
        expect_runs(&r, "area=", "ctypes with v3 under warn");
        cr_assert(strstr(r.err, "warned:") && strstr(r.err, "running anyway"), "%s", r.err);
        tool_run_free(&r);
        run_with(&e, V3, "off", prog, &r);
        expect_runs(&r, "area=", "ctypes with v3 under off");
        tool_run_free(&r);
        free(pp);
    }
    /* The binding's own bit-fields, declared wrong, are refused with v1. */
    {
        char *pp = fmt("PYTHONPATH=%s", e.dir);
        const char *prog[] = { pp, PYTHON, user, "bad-style", NULL };
        tool_run r;
        run_with(&e, V1, NULL, prog, &r);
        const char *const bad[] = { "refused:", "declarations do not match shape@1",
                                    "struct shape_style::layer is at bit 1 (6 bits) in the binding's declaration, at bit 1 (7 bits) in shape@1",
                                    NULL };
        expect_refused(&r, 3, bad, "ctypes with a wrong bit-field");
        tool_run_free(&r);
        free(pp);
    }
    /* With the consumer's imports, v2 is compatible for the Python stub too. */
    char *exe = build_consumer(&e, "-std=c11");
    stub(&e, exe, "python", py);
    char *pp = fmt("PYTHONPATH=%s", e.dir);
    const char *prog[] = { pp, PYTHON, user, NULL };
    tool_run r;
    run_with(&e, V2, NULL, prog, &r);
    expect_runs(&r, "area=12", "ctypes with v2 (consumer's imports)");
    tool_run_free(&r);
    free(pp);
    free(exe);
    free(user);
    free(py);
    env_teardown(&e);
}


/* The JNA guard for every export of shape@1 on each unknown build, as
   the koffi guard's above: v1b is accepted from the dynamic linker's own
   answers (dlsym, then dladdr1 for the object and the .dynsym entry), with
   its data object's size and, under strict, refused; v1o and v1v are
   refused by the full look-up in its hash table, naming what differs; v3
   is known incompatible, under a version holding the '|', '"' and '\\'
   that Java's tables and strings must keep. */
Test(stub, jna_unknown_builds, .timeout = 300 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    tool_run r;
    cr_assert(run_abiguard(&r, "rm", "shape@3", "--db", e.db, NULL));
    expect_ok(&r, "abiguard rm");
    tool_run_free(&r);
    char *v3_so = fmt("%s/libshape.so.1", e.lib[V3]);
    cr_assert(run_abiguard(&r, "add", v3_so, "--library", "shape", "--version", "3|rc\"1\\", "--db", e.db, NULL));
    expect_ok(&r, "abiguard add");
    tool_run_free(&r);
    free(v3_so);
    char *java = fmt("%s/ShapeGuard.java", e.dir), *main_java = fmt("%s/Main.java", e.dir);
    stub(&e, NULL, "java", java);
    const char *code = "import com.sun.jna.NativeLibrary;\n"
                       "public final class Main {\n"
                       "    public static void main(String[] args) {\n"
                       "        NativeLibrary lib = NativeLibrary.getInstance(\"shape\");\n"
                       "        try {\n"
                       "            ShapeGuard.Verdict v = ShapeGuard.verify(lib);\n"
                       "            System.err.println(new StringBuilder(v.outcome).append(\": \").append(v.message));\n"
                       "        } catch (ShapeGuard.Refused e) {\n"
                       "            System.err.println(new StringBuilder(\"Refused: \").append(e.getMessage()));\n"
                       "            System.exit(3);\n"
                       "        }\n"
                       "    }\n"
                       "}\n";
    cr_assert(write_whole_file(main_java, code, strlen(code)), "cannot write %s", main_java);
    const char *javac[] = { "/usr/bin/javac", "-Xlint:all", "-Werror", "-d", e.dir, "-cp", "/usr/share/java/jna.jar",
                            java, main_java, NULL };
    cr_assert(tool_run_argv(javac, 300, &r));
    expect_ok(&r, "javac");
    tool_run_free(&r);
    char *cp = fmt("%s:/usr/share/java/jna.jar", e.dir);
    const char *prog[] = { "/usr/bin/java", "-cp", cp, "Main", NULL };
    expect_unknown_builds(&e, prog, NULL, "Refused: ", "JNA");
    run_with(&e, V3, NULL, prog, &r);
    const char *const v3[] = { "Refused: ", ") is shape@3|rc\"1\\, incompatible with shape@1 this binding was built against: ",
                               "struct shape_rect::", NULL };
    expect_refused(&r, 3, v3, "JNA with v3");
    tool_run_free(&r);
    free(cp);
    free(java);
    free(main_java);
    env_teardown(&e);
}


/* Replaces every copy of from in the file at path by to, as long. */
static void patch_bytes(const char *path, const char *from, const char *to)
{
    size_t len = 0, n = strlen(from), hits = 0;
    char *data = read_whole_file(path, &len);
    cr_assert(data && strlen(to) == n, "cannot read %s", path);
    for (char *at = data; (at = memmem(at, len - (size_t)(at - data), from, n)) != NULL; at += n, hits++)
        memcpy(at, to, n);
    cr_assert(hits > 0, "%s: no %s to patch", path, from);
    cr_assert(write_whole_file(path, data, len), "cannot write %s", path);
    free(data);
}

/* What a hostile store or library holds never becomes code in a stub. A
   library's name and a release's version full of comment ends, quotes and
   escapes stay harmless in the generated files' comments and whole in their
   strings: each stub still compiles, and its BASELINE is the name given. A
   struct whose member the library's DWARF names "a);x(//b" is left out of
   the layouts the stubs check, not written into them. */
Test(stub, hostile_names_are_not_code, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir(), *h = fmt("%s/hx.h", dir), *c = fmt("%s/hx.c", dir), *so = fmt("%s/libhx.so.1", dir),
         *db = fmt("%s/db", dir);
    const char *header = "struct hx_box { int aaaaaaaa; int count; };\n"
                         "struct hx_pair { int left; int right; };\n"
                         "int hx_get(const struct hx_box *b);\n"
                         "int hx_sum(const struct hx_pair *p);\n";
    const char *source = "#include \"hx.h\"\n"
                         "int hx_get(const struct hx_box *b) { return b->aaaaaaaa + b->count; }\n"
                         "int hx_sum(const struct hx_pair *p) { return p->left + p->right; }\n";
    cr_assert(write_whole_file(h, header, strlen(header)) && write_whole_file(c, source, strlen(source)));
    char *inc = fmt("-I%s", dir);
    const char *cc[] = { "/usr/bin/gcc", "-std=c11", "-g", "-O0", "-shared", "-fPIC", "-Wl,-soname,libhx.so.1", inc,
                         "-o", so, c, NULL };
    tool_run r;
    cr_assert(tool_run_argv(cc, 120, &r));
    expect_ok(&r, "gcc libhx");
    tool_run_free(&r);
    patch_bytes(so, "aaaaaaaa", "a);x(//b");
    const char *library = "h\"x*/", *version = "1*/ int injected; /*\"\"\"\\u000a\\N{x}'";
    cr_assert(run_abiguard(&r, "add", so, "--library", library, "--version", version, "--db", db, NULL));
    expect_ok(&r, "abiguard add");
    tool_run_free(&r);
    char *release = fmt("%s@%s", library, version);
    const char *outs[][2] = { { "c", "hx_guard" },     { "python", "hx_guard.py" }, { "js", "hx_guard.js" },
                              { "java", "HxGuard.java" }, { "go", "hx_guard.go" }, { "rust", "hx_guard.rs" } };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char *out = fmt("%s/%s", dir, outs[i][1]);
        cr_assert(run_abiguard(&r, "stub", release, "--db", db, "--symbols", "hx_get,hx_sum", "--lang", outs[i][0],
                               "-o", out, NULL));
        expect_ok(&r, "abiguard stub");
        tool_run_free(&r);
        free(out);
    }
    /* C: the layouts checked are hx_pair's, never hx_box's. */
    char *stub_c = fmt("%s/hx_guard.c", dir), *text = read_whole_file(stub_c, NULL);
    cr_assert(text);
    const char *with = strstr(text, "#ifdef ABIGUARD_");
    cr_assert(with && strstr(text, "sizeof(struct hx_pair)") && !strstr(text, "hx_box") && !strstr(text, "x(//"),
              "%s", text);
    char *macro = fmt("-D%.*s", (int)strcspn(with + 7, "\n"), with + 7);
    free(text);
    const char *gcc[] = { "/usr/bin/gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", macro, inc,
                          stub_c, NULL };
    cr_assert(tool_run_argv(gcc, 120, &r));
    expect_ok(&r, "gcc -fsyntax-only hx_guard.c");
    tool_run_free(&r);
    /* Python and JavaScript: they load, with the release named as given. */
    char *py = fmt("import sys; sys.path.insert(0, '%s'); import hx_guard; sys.stdout.write(hx_guard.BASELINE)", dir),
         *js = fmt("process.stdout.write(require('%s/hx_guard.js').BASELINE)", dir);
    const char *python[] = { "/usr/bin/python3", "-W", "error", "-c", py, NULL }, *node[] = { "/usr/bin/node", "-e", js, NULL };
    const char *const *progs[] = { python, node };
    for (size_t i = 0; i < 2; i++) {
        cr_assert(tool_run_argv(progs[i], 120, &r));
        expect_ok(&r, progs[i][0]);
        cr_assert_str_eq(r.out, release, "%s: BASELINE", progs[i][0]);
        tool_run_free(&r);
    }
    /* Java and Go: they compile, or parse. */
    char *java = fmt("%s/HxGuard.java", dir), *go = fmt("%s/hx_guard.go", dir);
    const char *javac[] = { "/usr/bin/javac", "-Xlint:all", "-Werror", "-d", dir, "-cp", "/usr/share/java/jna.jar", java, NULL };
    const char *gofmt[] = { "/usr/bin/gofmt", "-e", "-l", go, NULL };
    cr_assert(tool_run_argv(javac, 300, &r));
    expect_ok(&r, "javac HxGuard.java");
    tool_run_free(&r);
    cr_assert(tool_run_argv(gofmt, 120, &r));
    expect_ok(&r, "gofmt -e hx_guard.go");
    tool_run_free(&r);
    free(java);
    free(go);
    free(py);
    free(js);
    free(macro);
    free(stub_c);
    free(release);
    free(inc);
    remove_tree(dir);
    free(dir);
    free(h);
    free(c);
    free(so);
    free(db);
}

/* The koffi guard for every export of shape@1 on each unknown build: v1b,
   whose symbols all bind to its own definitions at their versions, with
   its data object's size, is accepted; v1o (shape_palette grown) and v1v
   (its symbols in another version node) are refused, naming what differs,
   by the full look-up in its hash table. Under node
   --disallow-code-generation-from-strings, which forbids eval, the guard
   compiles its cold code with the vm module instead and says the same; and
   so it does for a library in whose scope dladdr1 is not found. */
Test(stub, koffi_unknown_builds, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *js = fmt("%s/shape_guard.js", e.dir);
    stub(&e, NULL, "js", js);
    char *node_path = fmt("NODE_PATH=%s/../guard-js/node_modules", fixtures_dir());
    const char *verify = "try { const v = g.verify(lib, koffi); console.error(`${v.outcome}: ${v.message}`); }\n"
                         "catch (e) { console.error(`${e.name}: ${e.message}`); process.exit(3); }\n";
    char *code = fmt("const koffi = require('koffi'), g = require('%s');\n"
                     "const lib = koffi.load('libshape.so.1');\n%s",
                     js, verify);
    /* A library whose scope has no dladdr1 (one that does not depend on
       libc): the guard asks libc's instead, with the same verdicts. (libshape
       links against nothing as the fixtures build it, so the plain runs take
       that way too; the wrapper makes sure of it, however it is linked. The
       guard_js tests' libgeo depends on libc: there dladdr1 is found through
       the library.) */
    char *no_libc = fmt("const koffi = require('koffi'), g = require('%s');\n"
                        "const real = koffi.load('libshape.so.1');\n"
                        "const lib = { symbol: (name, type) => real.symbol(name, type),\n"
                        "              func: (decl) => { throw new Error(`${decl}: not found`); } };\n%s",
                        js, verify);
    for (int variant = 0; variant < 3; variant++) {
        bool no_eval = variant == 1;
        const char *node[] = { node_path, "/usr/bin/node", no_eval ? "--disallow-code-generation-from-strings" : "-e",
                               no_eval ? "-e" : variant == 2 ? no_libc : code, no_eval ? code : NULL, NULL };
        const char *how = no_eval ? "koffi without eval" : variant == 2 ? "koffi, no dladdr1 in the library's scope" : "koffi";
        expect_unknown_builds(&e, node, NULL, "AbiGuardError: ", how);
        tool_run r;
        run_with(&e, V1, NULL, node, &r);
        cr_assert(r.exited && r.exit_status == 0, "%s, v1: %s\n%s", how, tool_run_outcome(&r), r.err);
        const char *const v1[] = { "verified: ", "is shape@1, verified compatible with shape@1", NULL };
        expect_in(r.err, v1, how);
        tool_run_free(&r);
        run_with(&e, V3, NULL, node, &r);
        const char *const v3[] = { "AbiGuardError: ", "shape@3", "incompatible with shape@1", NULL };
        expect_refused(&r, 3, v3, how);
        tool_run_free(&r);
    }
    free(js);
    free(node_path);
    free(code);
    free(no_libc);
    env_teardown(&e);
}

Test(stub, threads_under_tsan, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *exe = path_join2(e.dir, "threads");
    const char *extra[] = { "-fsanitize=thread", "-pthread", NULL };
    stub(&e, NULL, "c", e.stub);
    build_c(&e, "-std=c11", "threads.c", exe, extra);
    for (int lib = 0; lib < 4; lib++) {
        const char *prog[] = { "TSAN_OPTIONS=halt_on_error=1 exitcode=66", "setarch", "-R", exe, NULL };
        tool_run r;
        run_with(&e, lib, NULL, prog, &r);
        cr_assert(r.exited && r.exit_status == 0, "lib %d: %s\nstdout: %s\nstderr: %s", lib,
                  tool_run_outcome(&r), r.out, r.err);
        cr_assert(!strstr(r.err, "ThreadSanitizer"), "lib %d: %s", lib, r.err);
        cr_assert(strstr(r.out, "consistent=1"), "%s", r.out);
        tool_run_free(&r);
    }
    free(exe);
    env_teardown(&e);
}

Test(stub, fingerprints, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    env_setup(&e);
    char *exe = build_consumer(&e, "-std=c11");
    tool_run r;
    cr_assert(run_abiguard(&r, "fingerprint", "show", "shape@1", "--symbols-from", exe, "--db", e.db, NULL));
    expect_ok(&r, "fingerprint show");
    cr_assert(strstr(r.out, " shape_area@SHAPE_1\n") && strstr(r.out, " shape_init@SHAPE_1\n") &&
                  !strstr(r.out, "shape_stats"), "%s", r.out);
    char *fp = path_join2(e.dir, "fp.txt");
    cr_assert(write_whole_file(fp, r.out, r.out_len));
    /* The stub embeds the same list. */
    char *stub_c = fmt("%s.c", e.stub);
    char *src = read_whole_file(stub_c, NULL);
    cr_assert(src);
    char *line = strstr(r.out, "\n") + 1;
    char first[80];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(line, "\n"), line);
    cr_assert(strstr(src, first), "'%s' not in the stub", first);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "fingerprint", "match", "shape", "--fingerprints", fp, "--db", e.db, NULL));
    expect_ok(&r, "fingerprint match");
    /* Fingerprints match exactly, as modversions' do: 1 keeps all three; 2
       added an enumerator to enum shape_kind (compatible, but a layout
       change shape_kind_of reaches); 3 moved shape_rect's members. */
    cr_assert(strstr(r.out, "1 ") && strstr(r.out, " match (3 of 3)"), "%s", r.out);
    char *v2 = strstr(r.out, "\n2 ");
    cr_assert(v2 && strstr(v2, "no match (2 of 3); changed: shape_kind_of@SHAPE_1\n"), "%s", r.out);
    char *v3 = strstr(r.out, "\n3 ");
    cr_assert(v3 && strstr(v3, "no match (0 of 3)"), "%s", r.out);
    size_t matches = 0;
    for (const char *p = r.out; (p = strstr(p, " match (3 of 3)")); p++)
        matches++;
    cr_assert_eq(matches, 1, "%s", r.out);
    tool_run_free(&r);
    /* The rebuild has the same fingerprints. */
    char *so = fmt("%s/libshape.so.1", e.lib[3]);
    cr_assert(run_abiguard(&r, "add", so, "--library", "shape", "--version", "1b", "--db", e.db, NULL));
    expect_ok(&r, "add 1b");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "fingerprint", "match", "shape", "--fingerprints", fp, "--db", e.db, NULL));
    cr_assert(strstr(r.out, "\n1b ") && strstr(strstr(r.out, "\n1b "), " match (3 of 3)"), "%s", r.out);
    tool_run_free(&r);
    /* Once stored, the rebuild is a known-compatible build. */
    stub(&e, exe, "c", e.stub);
    build_c(&e, "-std=c11", "consumer.c", exe, NULL);
    const char *prog[] = { exe, NULL };
    run_with(&e, 3, NULL, prog, &r);
    expect_runs(&r, "area=12", "v1b once stored");
    tool_run_free(&r);
    free(so);
    free(src);
    free(stub_c);
    free(fp);
    free(exe);
    env_teardown(&e);
}

Test(stub, usage_errors)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "stub", "shape@1", NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "missing -o FILE"), "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "stub", "shape@1", "--lang", "cobol", "-o", "x", NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "--lang"), "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "stub", "shape@1", "--policy", "fail", "-o", "x", NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "default, strict or warn"), "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "stub", "shape@1", "--symbols", "a", "--symbols-from", "b", "-o", "x", NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "not both"), "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "fingerprint", "match", "shape", NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "--fingerprints"), "%s", r.err);
    tool_run_free(&r);
}

/* A release is judged for the binding as `check` judges it, and every
   language's guard gets the same verdicts from the one plan: libgeo 1.1
   (v2) appends a member to struct geo_shape, which the library hands out
   only through pointers, and stays known compatible; v4 grows struct
   geo_point, which geo_distance takes by value, and is known incompatible,
   naming the member. The Python binding then runs with v2 and is refused
   with v4. Fixtures: tests/fixtures/bindings/ (bindings.mk). */
Test(stub, size_changes_judged_for_the_binding, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "db"), *fx = fixture_path("bindings");
    const char *versions[] = { "1", "2", "4" };
    for (int i = 0; i < 3; i++) {
        char *so = fmt("%s/v%s/libgeo.so.1", fx, versions[i]);
        tool_run r;
        cr_assert(run_abiguard(&r, "add", so, "--library", "geo", "--version", versions[i], "--db", db, NULL));
        expect_ok(&r, "abiguard add");
        tool_run_free(&r);
        free(so);
    }
    struct { const char *lang, *file; bool tables; } langs[] = {
        { "c", "geo_guard", true },           { "python", "geo_guard.py", true },
        { "java", "GeoGuard.java", true },     { "go", "geo_guard.go", true },
        { "rust", "geo_guard.rs", false },     /* (it calls the C stub) */
        { "js", "geo_guard.js", true },
    };
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        char *out = fmt("%s/%s", dir, langs[i].file);
        tool_run r;
        cr_assert(run_abiguard(&r, "stub", "geo@1", "--db", db, "--lang", langs[i].lang, "-o", out, NULL));
        expect_ok(&r, langs[i].lang);
        cr_assert(strstr(r.out, "known compatible: 1 2, known incompatible: 4;"), "%s: %s", langs[i].lang, r.out);
        tool_run_free(&r);
        if (langs[i].tables) {
            char *path = strcmp(langs[i].lang, "c") == 0 ? fmt("%s.c", out) : strdup(out);
            char *text = read_whole_file(path, NULL);
            cr_assert(text, "%s", path);
            /* v4's row names the member that grew and the function that
               takes the struct by value. */
            const char *row = strstr(text, "\"geo@4\"");
            cr_assert(row, "%s: no row for geo@4", langs[i].lang);
            const char *eol = strchr(row, '\n');
            const char *why = strstr(row, "struct geo_point::z: member 'z' added at offset 16");
            cr_assert(why && (!eol || why < eol) && strstr(why, "used by geo_distance"), "%s: %.300s", langs[i].lang,
                      row);
            free(text);
            free(path);
        }
        free(out);
    }
    /* The Python binding with each: v2 verified, v4 refused. */
    char *py = fmt("%s/src/python/geo_ctypes.py", fx), *pp = fmt("PYTHONPATH=%s", dir);
    for (int v = 2; v <= 4; v += 2) {
        char *ld = fmt("LD_LIBRARY_PATH=%s/v%d", fx, v);
        const char *argv[] = { "/usr/bin/env", "-u", "ABIGUARD_POLICY", ld, pp, PYTHON, py, NULL };
        tool_run r;
        cr_assert(tool_run_argv(argv, 120, &r));
        if (v == 2)
            expect_runs(&r, "distance=5", "the ctypes binding with geo 1.1");
        else {
            const char *needles[] = { "refused: libgeo.so.1", "is geo@4, incompatible with geo@1",
                                      "struct geo_point::z: member 'z' added at offset 16", NULL };
            expect_refused(&r, 3, needles, "the ctypes binding with geo_point grown");
        }
        tool_run_free(&r);
        free(ld);
    }
    free(py);
    free(pp);
    remove_tree(dir);
    free(dir);
    free(db);
    free(fx);
}
