/*
 * test_guard_java.c — the Java guards on Debian's OpenJDK 17: a JNA binding
 * (libjna-java) with the class `abiguard stub --lang java` writes, checking
 * the loaded NativeLibrary, the binding's Structure subclasses and its
 * enum's constants; and a
 * JNI library whose JNI_OnLoad calls the C stub, so that a refusal is the
 * UnsatisfiedLinkError System.loadLibrary throws, carrying the message.
 * Both go through the matrix of guard_langs.h; the JNI library built with
 * a wrong header does not compile under -DABIGUARD_GEO_WITH_HEADERS. The
 * classes are compiled once into build/guard-cache/java and reused while
 * the sources and the generated guard stay the same. Fixtures: tests/fixtures/bindings/java/.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "guard_langs.h"

#define JAVA "/usr/bin/java"
#define JAVAC "/usr/bin/javac"
#define JNA_JAR "/usr/share/java/jna.jar"

/* Copies from to to; whether to changed. */
static bool sync_file(const char *from, const char *to)
{
    size_t len = 0, old_len = 0;
    char *text = read_whole_file(from, &len);
    cr_assert(text, "cannot read %s", from);
    char *old = read_whole_file(to, &old_len);
    bool same = old && old_len == len && memcmp(old, text, len) == 0;
    if (!same)
        cr_assert(write_whole_file(to, text, len), "cannot write %s", to);
    free(text);
    free(old);
    return !same;
}

/* The JDK javac belongs to (JNI headers). */
static char *java_home(void)
{
    char real[PATH_MAX];
    cr_assert(realpath(JAVAC, real), "no %s", JAVAC);
    char *slash = strrchr(real, '/');
    *slash = '\0'; /* .../bin */
    slash = strrchr(real, '/');
    *slash = '\0';
    return strdup(real);
}

/* The stubs generated into the cache's source tree, compiled with the
   bindings unless nothing changed since the last run; one test at a time
   (the two tests may run in parallel). */
static void build_classes(guard_env *e, char **classes)
{
    char *lock_path = guard_fmt("%s/lock", e->cache);
    int lock = open(lock_path, O_CREAT | O_RDWR, 0644);
    cr_assert(lock >= 0 && flock(lock, LOCK_EX) == 0, "cannot lock %s", lock_path);
    char *src = guard_fmt("%s/src", e->cache), *pkg = guard_fmt("%s/src/geo", e->cache);
    *classes = guard_fmt("%s/classes", e->cache);
    mkdir(src, 0755);
    mkdir(pkg, 0755);
    mkdir(*classes, 0755);
    char *symbols = guard_fmt("@%s/src/go/symbols.txt", e->fx), *gen = guard_fmt("%s/GeoGuard.java", e->dir);
    const char *args[] = { "--lang", "java", "--package", "geo", "--symbols", symbols, "-o", gen, NULL };
    guard_stub(e, args);
    bool changed = false;
    char *to = guard_fmt("%s/GeoGuard.java", pkg);
    changed |= sync_file(gen, to);
    free(to);
    const char *files[] = { "GeoJna.java", "GeoJni.java" };
    for (size_t i = 0; i < 2; i++) {
        char *from = guard_fmt("%s/src/java/%s", e->fx, files[i]);
        to = guard_fmt("%s/%s", pkg, files[i]);
        changed |= sync_file(from, to);
        free(from);
        free(to);
    }
    char *stamp = guard_fmt("%s/geo/GeoJna.class", *classes);
    if (changed || !file_exists(stamp)) {
        char *a = guard_fmt("%s/GeoGuard.java", pkg), *b = guard_fmt("%s/GeoJna.java", pkg),
             *c = guard_fmt("%s/GeoJni.java", pkg);
        const char *argv[] = { JAVAC, "-Xlint:all", "-Werror", "-d", *classes, "-cp", JNA_JAR, a, b, c, NULL };
        guard_run_ok(argv, 300, "javac");
        free(a);
        free(b);
        free(c);
    }
    free(stamp);
    free(symbols);
    free(gen);
    free(src);
    free(pkg);
    close(lock); /* releases the lock */
    free(lock_path);
}

Test(guard_java, jna_binding, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "java");
    char *classes = NULL;
    build_classes(&e, &classes);
    char *cp = guard_fmt("%s:" JNA_JAR, classes);
    const char *prog[] = { JAVA, "-cp", cp, "geo.GeoJna", NULL }, *bad[] = { JAVA, "-cp", cp, "geo.GeoJna", "bad", NULL };
    guard_expect_matrix(&e, "jna", NULL, prog, bad);
    /* Its enum's constants declared wrong are refused with v1, naming the
       one that differs; the class's other static fields (GEO_X) are not
       enumerators and are not compared. */
    const char *bad_enum[] = { JAVA, "-cp", cp, "geo.GeoJna", "bad-enum", NULL };
    tool_run r;
    guard_run_with(&e, GEO_V1, NULL, NULL, bad_enum, &r);
    cr_assert(r.exited && r.exit_status == 3, "expected a refusal, got %s\n%s", tool_run_outcome(&r), r.err);
    const char *needles[] = { "refused: the binding's declarations do not match geo@1: ",
                              "enum geo_kind: GEO_POLYGON is 2 in the binding, 1 in geo@1", NULL };
    for (size_t i = 0; needles[i]; i++)
        cr_assert(strstr(r.err, needles[i]), "'%s' not in: %s", needles[i], r.err);
    cr_assert(!strstr(r.err, "GEO_X"), "%s", r.err);
    tool_run_free(&r);
    free(cp);
    free(classes);
    guard_env_teardown(&e);
}

Test(guard_java, jni_library, .timeout = 600 * SANITIZER_SLOWDOWN)
{
    guard_env e;
    guard_env_setup(&e, "java");
    char *classes = NULL;
    build_classes(&e, &classes);
    char *stub = guard_fmt("%s/geo_guard", e.dir), *symbols = guard_fmt("@%s/src/go/symbols.txt", e.fx);
    const char *args[] = { "--symbols", symbols, "-o", stub, NULL };
    guard_stub(&e, args);
    char *home = java_home();
    char *inc = guard_fmt("-I%s/include", home), *inc_linux = guard_fmt("-I%s/include/linux", home),
         *inc_here = guard_fmt("-I%s", e.dir), *inc_geo = guard_fmt("-I%s", e.include[GEO_V1]),
         *lib = guard_fmt("%s/libgeojni.so", e.dir), *src = guard_fmt("%s/src/java/geojni.c", e.fx),
         *stub_c = guard_fmt("%s.c", stub), *libdir = guard_fmt("-L%s", e.lib[GEO_V1]);
    const char *cc[] = { "/usr/bin/gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                         "-DABIGUARD_GEO_WITH_HEADERS", inc, inc_linux, inc_here, inc_geo, "-o", lib, src, stub_c,
                         libdir, "-lgeo", NULL };
    guard_run_ok(cc, 120, "gcc geojni.c");
    char *libpath = guard_fmt("-Djava.library.path=%s", e.dir);
    const char *prog[] = { JAVA, libpath, "-cp", classes, "geo.GeoJni", NULL };
    guard_expect_matrix(&e, "jni", NULL, prog, NULL);
    /* Built with a header whose struct geo_shape is wrong, the JNI library
       does not compile: the stub's assertions are geo@1's layouts. */
    char *wrong = guard_fmt("-I%s/wrong/include", e.fx), *bad = guard_fmt("%s/libgeojni_wrong.so", e.dir);
    const char *cc_bad[] = { "/usr/bin/gcc", "-std=c11", "-O2", "-shared", "-fPIC", "-DABIGUARD_GEO_WITH_HEADERS", inc,
                             inc_linux, inc_here, wrong, "-o", bad, src, stub_c, libdir, "-lgeo", NULL };
    tool_run r;
    cr_assert(tool_run_argv(cc_bad, 120, &r));
    cr_assert(r.exited && r.exit_status != 0 && strstr(r.err, "offsetof(struct geo_shape, kind) is 0"),
              "the JNI library compiled with a wrong header: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    free(wrong);
    free(bad);
    free(libpath);
    free(home);
    free(inc);
    free(inc_linux);
    free(inc_here);
    free(inc_geo);
    free(lib);
    free(src);
    free(stub_c);
    free(libdir);
    free(stub);
    free(symbols);
    free(classes);
    guard_env_teardown(&e);
}
