/*
 * test_check.c — `abiguard check BINDING --library LIB` run as a user runs
 * it, on the bindings fixtures (tests/fixtures/bindings/bindings.mk): a plain
 * C consumer and a CPython extension module, both built against libgeo v1
 * with -g, checked against
 *   - v2 (compatible additions): exit 0 or 4, nothing breaking;
 *   - v3 (breaking): exit 12, naming struct geo_point's members and the
 *     geo_visit_fn callback with the imported functions that reach them;
 *     the break in a part neither binding uses (struct geo_matrix,
 *     geo_legacy_scale removed) is not reported, and each binding's report
 *     names only the functions it imports;
 *   - v1 and its rebuild v1b: no change.
 * A stripped copy of the consumer with --built-against (the v1 corpus JSON)
 * gives the same verdict and changes; without it, a symbols-only check with
 * a warning. The extension really works against v1 under Debian's
 * /usr/bin/python3.
 *
 * On the linkage fixtures (tests/fixtures/linkage/linkage.mk), each program
 * built against v1 is also run against v2, and `check` must agree with what
 * the loader and the program do: a copy relocation of a variable that grew,
 * an unversioned function removed (stripped program, no --built-against), a
 * library struct the program holds by value in its own struct (and one it
 * only holds through pointers), an import bound to an old version with
 * .symver; and a library given as .so or as corpus JSON gives one result.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_run.h"

#define PYTHON "/usr/bin/python3"

static char *geomod_path(void)
{
    /* The extension suffix is Python's (.cpython-311-x86_64-linux-gnu.so). */
    tool_run r;
    const char *argv[] = { PYTHON, "-c",
                           "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))", NULL };
    cr_assert(tool_run_argv(argv, 30, &r), "cannot start %s", PYTHON);
    cr_assert(r.exited && r.exit_status == 0, "%s: %s", PYTHON, tool_run_outcome(&r));
    char rel[256];
    snprintf(rel, sizeof rel, "bindings/geomod%.*s", (int)strcspn(r.out, "\n"), r.out);
    tool_run_free(&r);
    return fixture_path(rel);
}

static char *lib_path(const char *version)
{
    char rel[128];
    snprintf(rel, sizeof rel, "bindings/%s/libgeo.so", version);
    return fixture_path(rel);
}

typedef struct check_result {
    tool_run run;
    json_t *root;
} check_result;

/* abiguard check --format json BINDING --library LIB [extra...] */
static void run_check(check_result *c, const char *binding, const char *library, const char *const extra[])
{
    memset(c, 0, sizeof *c);
    const char *argv[32];
    size_t n = 0;
    argv[n++] = abiguard_binary();
    argv[n++] = "check";
    argv[n++] = "--format";
    argv[n++] = "json";
    argv[n++] = binding;
    argv[n++] = "--library";
    argv[n++] = library;
    for (size_t i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    cr_assert(tool_run_argv(argv, ABIGUARD_TIMEOUT_SECONDS, &c->run), "cannot start abiguard");
    json_error_t jerr;
    c->root = c->run.out_len ? json_loadb(c->run.out, c->run.out_len, 0, &jerr) : NULL;
    cr_assert(c->root, "check %s against %s: %s, no JSON; stderr:\n%s", binding, library,
              tool_run_outcome(&c->run), c->run.err);
}

static void check_result_free(check_result *c)
{
    json_decref(c->root);
    tool_run_free(&c->run);
}

static void expect_exit(const check_result *c, int a, int b, const char *what)
{
    cr_assert(c->run.exited && (c->run.exit_status == a || c->run.exit_status == b),
              "%s: %s (expected exit %d%s%.0d); stdout:\n%s\nstderr:\n%s", what,
              tool_run_outcome(&c->run), a, a != b ? " or " : "", a != b ? b : 0, c->run.out, c->run.err);
}

static const char *str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* The change with this id and subject, or NULL. */
static json_t *find_change(const check_result *c, const char *id, const char *subject)
{
    size_t i;
    json_t *ch;
    json_array_foreach(json_object_get(c->root, "changes"), i, ch) {
        if (strcmp(str(ch, "id"), id) == 0 && strcmp(str(ch, "subject"), subject) == 0)
            return ch;
    }
    return NULL;
}

static bool impacts(json_t *change, const char *iface)
{
    size_t i;
    json_t *im;
    json_array_foreach(json_object_get(change, "impacted"), i, im) {
        if (strcmp(str(im, "interface"), iface) == 0)
            return true;
    }
    return false;
}

/* No change's subject, and no impacted interface, mentions any of names. */
static void expect_unmentioned(const check_result *c, const char *const names[], const char *what)
{
    problem_list p = { 0 };
    size_t i;
    json_t *ch;
    json_array_foreach(json_object_get(c->root, "changes"), i, ch) {
        for (size_t k = 0; names[k]; k++) {
            if (strstr(str(ch, "subject"), names[k]))
                problem_add(&p, "change %s %s is reported", str(ch, "id"), str(ch, "subject"));
            if (impacts(ch, names[k]))
                problem_add(&p, "change %s %s names %s as impacted", str(ch, "id"), str(ch, "subject"),
                            names[k]);
        }
    }
    problem_assert_none(&p, what);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, comma-separated "id subject" of every change, for comparing two runs. */
static char *change_list(const check_result *c)
{
    size_t n = json_array_size(json_object_get(c->root, "changes"));
    char **items = calloc(n + 1, sizeof *items);
    size_t i;
    json_t *ch;
    json_array_foreach(json_object_get(c->root, "changes"), i, ch) {
        size_t len = strlen(str(ch, "id")) + strlen(str(ch, "subject")) + 2;
        items[i] = malloc(len);
        snprintf(items[i], len, "%s %s", str(ch, "id"), str(ch, "subject"));
    }
    qsort(items, n, sizeof *items, cmp_str);
    size_t total = 1;
    for (i = 0; i < n; i++)
        total += strlen(items[i]) + 1;
    char *out = calloc(1, total);
    for (i = 0; i < n; i++) {
        strcat(out, items[i]);
        strcat(out, ",");
        free(items[i]);
    }
    free(items);
    return out;
}

/* What v3 must report for a binding that imports geo_distance (struct
   geo_point by value) and passes a geo_visit_fn to geo_visit. */
static void expect_v3_breaks(const check_result *c, const char *what)
{
    expect_exit(c, 12, 12, what);
    cr_expect_str_eq(str(c->root, "verdict"), "breaking", "%s: verdict", what);
    json_t *x = find_change(c, "base-type-changed", "struct geo_point::x");
    cr_assert(x, "%s: struct geo_point::x (double -> float) not reported:\n%s", what, c->run.out);
    cr_expect(impacts(x, "geo_distance"), "%s: struct geo_point::x does not name geo_distance", what);
    cr_expect_str_eq(str(x, "old"), "double");
    cr_expect_str_eq(str(x, "new"), "float");
    json_t *cb = find_change(c, "callback-signature-changed", "geo_visit_fn");
    cr_assert(cb, "%s: the geo_visit_fn callback change is not reported:\n%s", what, c->run.out);
    cr_expect(impacts(cb, "geo_visit"), "%s: geo_visit_fn does not name geo_visit", what);
    cr_expect(json_is_true(json_object_get(cb, "upcall")), "%s: geo_visit_fn is not an upcall", what);
    /* The break where the binding does not look. */
    const char *unused[] = { "geo_matrix", "geo_legacy_scale", "geo_perimeter", "GEO_1.1", NULL };
    expect_unmentioned(c, unused, what);
    cr_expect(!find_change(c, "fn-removed", "geo_legacy_scale()"), "%s: unused removal reported", what);
}

Test(check, consumer_against_compatible_v2, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *bin = fixture_path("bindings/consumer"), *lib = lib_path("v2");
    check_result c;
    run_check(&c, bin, lib, NULL);
    expect_exit(&c, 0, 4, "consumer vs v2");
    cr_expect_str_neq(str(c.root, "verdict"), "breaking", "consumer vs v2:\n%s", c.run.out);
    const char *unused[] = { "geo_perimeter", "GEO_1.1", NULL };
    expect_unmentioned(&c, unused, "consumer vs v2: additions are not the binding's business");
    check_result_free(&c);
    free(bin);
    free(lib);
}

Test(check, consumer_against_breaking_v3, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *bin = fixture_path("bindings/consumer"), *lib = lib_path("v3");
    check_result c;
    run_check(&c, bin, lib, NULL);
    expect_v3_breaks(&c, "consumer vs v3");
    /* The consumer uses geo_translate (by pointer) and geo_bounds (struct by value). */
    json_t *x = find_change(&c, "base-type-changed", "struct geo_point::x");
    cr_expect(impacts(x, "geo_translate") && impacts(x, "geo_bounds"),
              "consumer vs v3: geo_translate/geo_bounds not named:\n%s", c.run.out);
    check_result_free(&c);
    free(bin);
    free(lib);
}

Test(check, consumer_against_itself_and_rebuild, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *bin = fixture_path("bindings/consumer");
    const char *vers[] = { "v1", "v1b" };
    for (size_t i = 0; i < 2; i++) {
        char *lib = lib_path(vers[i]);
        check_result c;
        run_check(&c, bin, lib, NULL);
        expect_exit(&c, 0, 0, vers[i]);
        cr_expect_str_eq(str(c.root, "verdict"), "none", "consumer vs %s:\n%s", vers[i], c.run.out);
        check_result_free(&c);
        free(lib);
    }
    free(bin);
}

Test(check, python_extension_against_v2_and_v3, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *bin = geomod_path(), *v2 = lib_path("v2"), *v3 = lib_path("v3");
    check_result c;
    run_check(&c, bin, v2, NULL);
    expect_exit(&c, 0, 4, "geomod vs v2");
    cr_expect_str_neq(str(c.root, "verdict"), "breaking", "geomod vs v2:\n%s", c.run.out);
    check_result_free(&c);
    run_check(&c, bin, v3, NULL);
    expect_v3_breaks(&c, "geomod vs v3");
    /* geomod imports neither geo_translate nor geo_bounds, and CPython's own
       symbols are not libgeo's. */
    const char *not_imported[] = { "geo_translate", "geo_bounds", "geo_rect", "Py", NULL };
    expect_unmentioned(&c, not_imported, "geomod vs v3: only what geomod imports");
    check_result_free(&c);
    free(bin);
    free(v2);
    free(v3);
}

Test(check, python_extension_imports_with_v1, .timeout = 60 * SANITIZER_SLOWDOWN)
{
    char *dir = fixture_path("bindings"), *v1 = fixture_path("bindings/v1");
    cr_assert(setenv("PYTHONPATH", dir, 1) == 0 && setenv("LD_LIBRARY_PATH", v1, 1) == 0);
    const char *argv[] = { PYTHON, "-c",
                           "import geomod; print(geomod.distance(0, 0, 3, 4), "
                           "geomod.count_right([(1, 2), (-1, 0), (2, 2)]))", NULL };
    tool_run r;
    cr_assert(tool_run_argv(argv, 30, &r), "cannot start %s", PYTHON);
    cr_assert(r.exited && r.exit_status == 0, "import geomod: %s\n%s", tool_run_outcome(&r), r.err);
    cr_expect_str_eq(r.out, "5.0 2\n");
    tool_run_free(&r);
    /* And the consumer runs with v1. */
    char *consumer = fixture_path("bindings/consumer");
    const char *cargv[] = { consumer, NULL };
    cr_assert(tool_run_argv(cargv, 30, &r));
    cr_expect(r.exited && r.exit_status == 0, "consumer with v1: %s\n%s", tool_run_outcome(&r), r.out);
    tool_run_free(&r);
    free(consumer);
    free(dir);
    free(v1);
}

Test(check, stripped_binding_with_built_against, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *tmp = make_temp_dir();
    char *json = path_join2(tmp, "libgeo-1.0.json");
    char *v1 = lib_path("v1"), *v3 = lib_path("v3");
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", v1, "-o", json, NULL));
    cr_assert(r.exited && r.exit_status == 0, "extract v1: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    char *stripped = fixture_path("bindings/stripped/consumer"), *full = fixture_path("bindings/consumer");
    check_result with_dwarf, from_baseline;
    run_check(&with_dwarf, full, v3, NULL);
    const char *extra[] = { "--built-against", json, NULL };
    run_check(&from_baseline, stripped, v3, extra);
    expect_v3_breaks(&from_baseline, "stripped consumer --built-against v1 vs v3");
    char *a = change_list(&with_dwarf), *b = change_list(&from_baseline);
    cr_expect_str_eq(b, a, "the baseline gives other changes than the binding's DWARF");
    free(a);
    free(b);
    check_result_free(&with_dwarf);
    check_result_free(&from_baseline);
    remove_tree(tmp);
    free(tmp);
    free(json);
    free(stripped);
    free(full);
    free(v1);
    free(v3);
}

/* Without DWARF and without --built-against: a symbols-only check (the
   imported symbols and versions), said on stderr, and never "no change":
   no type was compared (debug-info-missing, risky). */
Test(check, stripped_binding_alone_is_symbols_only, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *stripped = fixture_path("bindings/stripped/consumer"), *v3 = lib_path("v3");
    check_result c;
    run_check(&c, stripped, v3, NULL);
    expect_exit(&c, 4, 4, "stripped consumer vs v3, symbols only");
    cr_expect(strstr(c.run.err, "only the 7 imported symbols and their versions are checked"),
              "no warning about the symbols-only check:\n%s", c.run.err);
    cr_expect(find_change(&c, "debug-info-missing", "debug info"), "no debug-info-missing:\n%s", c.run.out);
    cr_expect_str_eq(str(c.root, "verdict"), "risky");
    check_result_free(&c);
    free(stripped);
    free(v3);
}

/* The loader finds the library by the name in the binding's DT_NEEDED
   (libgeo.so.1): a library with another SONAME, or without one under
   another file name, is not used for the binding whatever its symbols, and
   one without SONAME under that very file name is. */
Test(check, another_soname_is_a_soname_change, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *consumer = fixture_path("bindings/consumer");
    static const struct {
        const char *lib, *new_name;
    } cases[] = {
        { "bindings/named/libgeo.so.2", "libgeo.so.2" },
        { "bindings/named/libgeom.so.1", "libgeom.so.1" },
        { "bindings/named/nosoname/libgeo.so.1.0.0", "libgeo.so.1.0.0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *lib = fixture_path(cases[i].lib);
        check_result c;
        run_check(&c, consumer, lib, NULL);
        expect_exit(&c, 12, 12, cases[i].lib);
        json_t *ch = find_change(&c, "soname-changed", "SONAME");
        cr_expect(ch, "%s: no soname-changed:\n%s", cases[i].lib, c.run.out);
        cr_expect(ch && strcmp(str(ch, "old"), "libgeo.so.1") == 0 && strcmp(str(ch, "new"), cases[i].new_name) == 0,
                  "%s: soname-changed should say libgeo.so.1 -> %s:\n%s", cases[i].lib, cases[i].new_name, c.run.out);
        cr_expect_null(strstr(c.run.err, "imports no symbol"), "%s: %s", cases[i].lib, c.run.err);
        check_result_free(&c);
        free(lib);
    }
    char *same = fixture_path("bindings/named/nosoname/libgeo.so.1");
    check_result c;
    run_check(&c, consumer, same, NULL);
    expect_exit(&c, 0, 0, "no SONAME, file named as DT_NEEDED");
    check_result_free(&c);
    free(same);
    free(consumer);
}

Test(check, usage_errors, .timeout = 60 * SANITIZER_SLOWDOWN)
{
    char *bin = fixture_path("bindings/consumer");
    tool_run r;
    cr_assert(run_abiguard(&r, "check", bin, NULL));
    cr_expect(r.exited && r.exit_status == 2, "no --library: %s", tool_run_outcome(&r));
    cr_expect(strstr(r.err, "--library"), "%s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "check", "--library", bin, NULL));
    cr_expect(r.exited && r.exit_status == 2, "no BINDING: %s", tool_run_outcome(&r));
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "check", "/nonexistent/binding.so", "--library", bin, NULL));
    cr_expect(r.exited && r.exit_status == 1, "missing binding: %s", tool_run_outcome(&r));
    tool_run_free(&r);
    free(bin);
}

/* ------------------------------------------------------------------ */
/* Linkage fixtures: check agrees with what the loader does            */

static char *linkage_path(const char *c, const char *rest)
{
    char rel[640];
    snprintf(rel, sizeof rel, "linkage/%s/%s", c, rest);
    return fixture_path(rel);
}

/* Runs linkage/<c>/<prog> with LD_LIBRARY_PATH=linkage/<c>/<version>. */
static void run_prog(const char *c, const char *prog, const char *version, tool_run *r)
{
    char *exe = linkage_path(c, prog), *dir = linkage_path(c, version);
    char env[4200];
    snprintf(env, sizeof env, "LD_LIBRARY_PATH=%s", dir);
    const char *argv[] = { "/usr/bin/env", env, exe, NULL };
    cr_assert(tool_run_argv(argv, 60, r), "cannot start %s", exe);
    free(exe);
    free(dir);
}

static bool ran_ok(const tool_run *r)
{
    return r->exited && r->exit_status == 0;
}

/* check linkage/<c>/<prog> --library linkage/<c>/v2/lib<c>.so */
static void check_linkage(check_result *res, const char *c, const char *prog, const char *version)
{
    char lib[256];
    snprintf(lib, sizeof lib, "%s/lib%s.so", version, c);
    char *bin = linkage_path(c, prog), *so = linkage_path(c, lib);
    run_check(res, bin, so, NULL);
    free(bin);
    free(so);
}

Test(check_linkage, copy_relocation_of_a_grown_variable, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    tool_run r1, r2;
    run_prog("copyreloc", "prog", "v1", &r1);
    run_prog("copyreloc", "prog", "v2", &r2);
    cr_expect(ran_ok(&r1), "copyreloc prog against v1: %s\n%s%s", tool_run_outcome(&r1), r1.out, r1.err);
    /* The loader copies the old 16 bytes and says so; the library writes 32. */
    cr_expect(!ran_ok(&r2), "copyreloc prog against v2 did not notice the overrun:\n%s", r2.out);
    cr_expect(strstr(r2.err, "different size in shared object"), "no loader warning:\n%s", r2.err);
    tool_run_free(&r1);
    tool_run_free(&r2);
    const char *progs[] = { "prog", "prog-stripped" };
    for (size_t i = 0; i < 2; i++) {
        check_result c;
        check_linkage(&c, "copyreloc", progs[i], "v2");
        expect_exit(&c, 12, 12, progs[i]);
        json_t *ch = find_change(&c, "var-size-changed", "cr_table");
        cr_assert(ch, "%s: the copy-relocated cr_table's size change is not reported:\n%s", progs[i], c.run.out);
        cr_expect_str_eq(str(ch, "old"), "16");
        cr_expect_str_eq(str(ch, "new"), "32");
        check_result_free(&c);
        check_linkage(&c, "copyreloc", progs[i], "v1");
        cr_expect(!find_change(&c, "var-size-changed", "cr_table"), "%s against v1:\n%s", progs[i], c.run.out);
        check_result_free(&c);
    }
}

Test(check_linkage, removed_unversioned_function_without_built_against, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    tool_run r2;
    run_prog("removed_unversioned", "prog", "v2", &r2);
    cr_expect(!ran_ok(&r2) && strstr(r2.err, "undefined symbol: ru_gone"), "against v2: %s\n%s",
              tool_run_outcome(&r2), r2.err);
    tool_run_free(&r2);
    /* No DWARF, no baseline: only DT_NEEDED says ru_gone was the library's
       (libc, the other library it needs, has no such symbol). */
    check_result c;
    check_linkage(&c, "removed_unversioned", "prog-stripped", "v2");
    expect_exit(&c, 12, 12, "removed_unversioned prog-stripped");
    cr_expect(find_change(&c, "fn-removed", "ru_gone()"), "fn-removed ru_gone() not reported:\n%s", c.run.out);
    cr_expect(!find_change(&c, "fn-removed", "ru_keep()"), "ru_keep reported removed:\n%s", c.run.out);
    check_result_free(&c);
}

Test(check_linkage, a_type_the_binding_holds_by_value, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    tool_run r1, r2;
    run_prog("held_by_value", "prog", "v2", &r1);
    run_prog("held_by_value", "prog_ptr", "v2", &r2);
    cr_expect(!ran_ok(&r1), "held_by_value prog against v2: the canary survived:\n%s", r1.out);
    cr_expect(ran_ok(&r2), "held_by_value prog_ptr against v2: %s\n%s", tool_run_outcome(&r2), r2.err);
    tool_run_free(&r1);
    tool_run_free(&r2);
    /* The library reaches struct hv_stats only through pointers; prog
       embeds it in its own struct holder, prog_ptr never holds one. */
    check_result c;
    check_linkage(&c, "held_by_value", "prog", "v2");
    expect_exit(&c, 12, 12, "prog (holds it by value)");
    json_t *size = find_change(&c, "type-size-changed", "struct hv_stats");
    cr_assert(size, "type-size-changed struct hv_stats not reported:\n%s", c.run.out);
    cr_expect_str_eq(str(size, "verdict"), "breaking");
    check_result_free(&c);
    check_linkage(&c, "held_by_value", "prog_ptr", "v2");
    expect_exit(&c, 4, 4, "prog_ptr (pointers only)");
    cr_expect_str_neq(str(c.root, "verdict"), "breaking", "prog_ptr:\n%s", c.run.out);
    check_result_free(&c);
}

Test(check_linkage, symver_bound_import_has_its_declaration, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    tool_run r;
    run_prog("symver_old", "prog", "v2", &r);
    cr_expect(ran_ok(&r), "symver_old prog against v2: %s\n%s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    check_result c;
    check_linkage(&c, "symver_old", "prog", "v2");
    expect_exit(&c, 0, 0, "symver_old prog");
    cr_expect(!strstr(c.run.err, "no debug info") && !strstr(c.run.err, "no declaration"),
              "the .symver import (sv_get_old -> sv_get@SV_1) is reported as undescribed:\n%s", c.run.err);
    cr_expect(!find_change(&c, "debug-info-missing", "debug info"), "debug-info-missing:\n%s", c.run.out);
    check_result_free(&c);
}

Test(check_linkage, versioned_imports_same_for_so_and_corpus, .timeout = 120 * SANITIZER_SLOWDOWN)
{
    char *dir = make_temp_dir(), *json = path_join2(dir, "geo-v3.json");
    char *so = lib_path("v3"), *bin = fixture_path("bindings/consumer");
    tool_run x;
    cr_assert(run_abiguard(&x, "extract", so, "-o", json, (char *)NULL) && x.exited && x.exit_status == 0,
              "extract: %s", x.err);
    tool_run_free(&x);
    check_result a, b;
    run_check(&a, bin, so, NULL);
    run_check(&b, bin, json, NULL);
    char *la = change_list(&a), *lb = change_list(&b);
    cr_expect(a.run.exit_status == 12 && b.run.exit_status == 12, "exits %d and %d", a.run.exit_status,
              b.run.exit_status);
    cr_expect_str_eq(la, lb, "--library as .so and as corpus JSON differ");
    free(la);
    free(lb);
    check_result_free(&a);
    check_result_free(&b);
    remove_tree(dir);
    free(dir);
    free(json);
    free(so);
    free(bin);
}
