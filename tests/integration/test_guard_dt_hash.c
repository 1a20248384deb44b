/*
 * test_guard_dt_hash.c — an unknown build whose dynamic symbols can be
 * looked up only through DT_HASH (libgeo v1s: v1 rebuilt with
 * -Wl,--hash-style=sysv, no DT_GNU_HASH), end to end in the C, Python
 * (ctypes), Java (JNA) and JavaScript (koffi) guards: it is accepted unverified when
 * every required symbol and version is there, and refused, naming the
 * symbol, when one is missing (a geo@2 guard requiring geo_perimeter@GEO_1.1,
 * which 1.0 lacks) — with the same verdict as through the GNU hash table of
 * the v1b rebuild, so neither look-up is the one that decides. (The Java
 * and JavaScript guards accept from the dynamic linker's own answers, and
 * look symbols up by hash only to say what differs: here, the refusal.)
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guard_langs.h"

#define PYTHON "/usr/bin/python3"
#define NODE "/usr/bin/node"
#define JAVA "/usr/bin/java"
#define JAVAC "/usr/bin/javac"
#define JNA_JAR "/usr/share/java/jna.jar"

/* abiguard stub LIB@VER --db DB --symbols SYMBOLS --lang LANG -o OUT */
static void stub(guard_env *e, const char *release, const char *symbols, const char *lang, const char *out)
{
    const char *argv[] = { abiguard_binary(), "stub", release, "--db", e->db, "--symbols", symbols,
                           "--lang", lang, "-o", out, NULL };
    guard_run_ok(argv, ABIGUARD_TIMEOUT_SECONDS, "abiguard stub");
}

/* What each guard prints of its verdict: "outcome OUTCOME MESSAGE" or
   "refused MESSAGE" (C: "rc N MESSAGE"). */
static const char PY_PROG[] = "import ctypes, geo_guard\n"
                              "lib = ctypes.CDLL('libgeo.so.1')\n"
                              "try:\n"
                              "    v = geo_guard.verify(lib)\n"
                              "    print('outcome', v.outcome, v.message)\n"
                              "except geo_guard.AbiGuardError as e:\n"
                              "    print('refused', e)\n";
static const char JS_PROG[] = "const koffi = require('koffi'), g = require('geo_guard');\n"
                              "const lib = koffi.load('libgeo.so.1');\n"
                              "try {\n"
                              "  const v = g.verify(lib, koffi);\n"
                              "  console.log('outcome', v.outcome, v.message);\n"
                              "} catch (e) {\n"
                              "  console.log('refused', e.message);\n"
                              "}\n";
static const char JAVA_PROG[] = "import com.sun.jna.NativeLibrary;\n"
                                "public class DtHash {\n"
                                "    public static void main(String[] args) {\n"
                                "        NativeLibrary lib = NativeLibrary.getInstance(\"geo\");\n"
                                "        try {\n"
                                "            GeoGuard.Verdict v = GeoGuard.verify(lib);\n"
                                "            System.out.println(\"outcome \" + v.outcome + \" \" + v.message);\n"
                                "        } catch (GeoGuard.Refused e) {\n"
                                "            System.out.println(\"refused \" + e.getMessage());\n"
                                "        }\n"
                                "    }\n"
                                "}\n";
static const char C_PROG[] = "#include <stdio.h>\n"
                             "#include \"geo_guard.h\"\n"
                             "int main(void)\n"
                             "{\n"
                             "    char msg[2048];\n"
                             "    int rc = abiguard_verify_geo(msg, sizeof msg);\n"
                             "    printf(\"rc %d %s\\n\", rc, msg);\n"
                             "    return 0;\n"
                             "}\n";

typedef struct guards {
    char *dir; /* one release's guards: geo_guard.{c,h,py,js}, GeoGuard.java, the C and Java programs */
    char *c_prog;
} guards;

static void make_guards(guard_env *e, guards *g, const char *name, const char *release, const char *symbols)
{
    g->dir = path_join2(e->dir, name);
    cr_assert(mkdir(g->dir, 0755) == 0, "cannot make %s", g->dir);
    char *base = path_join2(g->dir, "geo_guard"), *py = path_join2(g->dir, "geo_guard.py"),
         *js = path_join2(g->dir, "geo_guard.js"), *gc = path_join2(g->dir, "geo_guard.c"),
         *main_c = path_join2(g->dir, "main.c"), *java = path_join2(g->dir, "GeoGuard.java"),
         *java_main = path_join2(g->dir, "DtHash.java");
    stub(e, release, symbols, "c", base);
    stub(e, release, symbols, "python", py);
    stub(e, release, symbols, "js", js);
    stub(e, release, symbols, "java", java);
    cr_assert(write_whole_file(java_main, JAVA_PROG, strlen(JAVA_PROG)), "cannot write %s", java_main);
    const char *javac[] = { JAVAC, "-Xlint:all", "-Werror", "-d", g->dir, "-cp", JNA_JAR, java, java_main, NULL };
    guard_run_ok(javac, 300, "javac (the Java guard's program)");
    cr_assert(write_whole_file(main_c, C_PROG, strlen(C_PROG)), "cannot write %s", main_c);
    g->c_prog = path_join2(g->dir, "prog");
    char *inc = guard_fmt("-I%s", g->dir), *lib = guard_fmt("-L%s", e->lib[GEO_V1]);
    const char *cc[] = { "/usr/bin/gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", inc, "-o", g->c_prog,
                         main_c, gc, lib, "-Wl,--no-as-needed", "-lgeo", NULL };
    guard_run_ok(cc, 120, "gcc (the C guard's program)");
    free(inc);
    free(lib);
    free(base);
    free(py);
    free(js);
    free(gc);
    free(main_c);
    free(java);
    free(java_main);
}

static void free_guards(guards *g)
{
    free(g->dir);
    free(g->c_prog);
}

/* Runs each language's guard of g against build b; every needle of
   needles[lang] must be in what it printed. */
static void expect_guards(guard_env *e, const guards *g, int build, const char *what,
                          const char *const c_needles[], const char *const py_needles[],
                          const char *const js_needles[], const char *const java_needles[])
{
    char *pp = guard_fmt("PYTHONPATH=%s", g->dir), *cp = guard_fmt("%s:%s", g->dir, JNA_JAR);
    char *np = guard_fmt("NODE_PATH=%s/../guard-js/node_modules:%s", fixtures_dir(), g->dir);
    const char *c_prog[] = { g->c_prog, NULL }, *py_prog[] = { PYTHON, "-c", PY_PROG, NULL },
               *js_prog[] = { NODE, "-e", JS_PROG, NULL }, *java_prog[] = { JAVA, "-cp", cp, "DtHash", NULL };
    const char *py_env[] = { pp, NULL }, *js_env[] = { np, NULL };
    const char *const *progs[] = { c_prog, py_prog, js_prog, java_prog };
    const char *const *envs[] = { NULL, py_env, js_env, NULL };
    const char *const *needles[] = { c_needles, py_needles, js_needles, java_needles };
    const char *langs[] = { "C", "Python", "JS", "Java" };
    for (int l = 0; l < 4; l++) {
        tool_run r;
        guard_run_with(e, build, NULL, envs[l], progs[l], &r);
        cr_assert(r.exited && r.exit_status == 0, "%s, %s: %s\nstdout: %s\nstderr: %s", langs[l], what,
                  tool_run_outcome(&r), r.out, r.err);
        for (size_t i = 0; needles[l][i]; i++)
            cr_assert(strstr(r.out, needles[l][i]), "%s, %s: '%s' not in:\n%s%s", langs[l], what, needles[l][i],
                      r.out, r.err);
        tool_run_free(&r);
    }
    free(pp);
    free(np);
    free(cp);
}

Test(guard_dt_hash, unknown_build_through_dt_hash, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "dt_hash");
    char *symbols = guard_fmt("@%s/src/go/symbols.txt", e.fx);
    guards g1, g2;
    make_guards(&e, &g1, "geo1", "geo@1", symbols);
    make_guards(&e, &g2, "geo2", "geo@2", "geo_version,geo_perimeter");

    const int builds[] = { GEO_V1S, GEO_V1B };
    const char *names[] = { "v1s (DT_HASH only)", "v1b (DT_GNU_HASH)" };
    const char *dirs[] = { "v1s/libgeo.so", "v1b/libgeo.so" };
    for (int b = 0; b < 2; b++) {
        char *what = guard_fmt("%s, geo@1's guard", names[b]);
        const char *c_ok[] = { "rc 1 ", "unverified build", "match geo@1", NULL };
        const char *ok[] = { "outcome accepted-unverified ", dirs[b], "all 7 required symbols and versions",
                             "match geo@1", NULL };
        expect_guards(&e, &g1, builds[b], what, c_ok, ok, ok, ok);
        free(what);

        what = guard_fmt("%s, geo@2's guard (geo_perimeter@GEO_1.1)", names[b]);
        const char *c_lacks[] = { "rc 4 ", "it lacks geo_perimeter@GEO_1.1", NULL };
        const char *lacks[] = { "refused ", dirs[b], "unknown build that does not match geo@2",
                                "it lacks geo_perimeter@GEO_1.1", NULL };
        expect_guards(&e, &g2, builds[b], what, c_lacks, lacks, lacks, lacks);
        free(what);
    }
    free_guards(&g1);
    free_guards(&g2);
    free(symbols);
    guard_env_teardown(&e);
}
