/*
 * test_release_store.c — releases of several binaries in the store (issue
 * 14): `add` of an artifact keeps every shared object in it with its path,
 * SONAME and build-id; NAME@V:SONAME names one of them in diff, show,
 * export, list and stub; NAME@V alone diffs release against release binary
 * by binary; history and matrix judge the whole release. On the .debs that
 * tests/fixtures/artifacts/artifacts.mk builds (two libraries each) and on
 * Debian's real liblua5.3-0 (liblua5.3.so.0 and liblua5.3-c++.so.0).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_run.h"

static char *art(const char *rel)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/artifacts/%s", fixtures_dir(), rel) > 0);
    return p;
}

static json_t *parse(const tool_run *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->out, r->out_len, 0, &je);
    cr_assert(j, "not JSON: %s\n%.400s", je.text, r->out);
    return j;
}

typedef struct demo_store {
    char *dir, *db;
} demo_store;

/* demo@1 = pkg-v1.deb (libarray_dimension_changed v1, libversioned),
   demo@2 = pkg-v2.deb (libarray_dimension_changed v2, libtypes). */
static demo_store make_demo(void)
{
    demo_store d = { make_temp_dir(), NULL };
    d.db = path_join2(d.dir, "r.db");
    const char *pkgs[2] = { "pkg-v1.deb", "pkg-v2.deb" }, *versions[2] = { "1", "2" };
    for (int i = 0; i < 2; i++) {
        char *deb = art(pkgs[i]);
        tool_run r;
        cr_assert(run_abiguard(&r, "add", deb, "--library", "demo", "--version", versions[i], "--db", d.db,
                               "--no-system-debug", (char *)NULL));
        cr_assert(r.exited && r.exit_status == 0, "%s: %s", tool_run_outcome(&r), r.err);
        cr_expect(strstr(r.out, "2 binaries of"), "%s", r.out);
        cr_expect(strstr(r.out, "usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1"), "%s", r.out);
        tool_run_free(&r);
        free(deb);
    }
    return d;
}

static void free_demo(demo_store *d)
{
    remove_tree(d->dir);
    free(d->dir);
    free(d->db);
}

Test(release_store, add_keeps_every_binary_with_its_path_soname_and_build_id)
{
    demo_store d = make_demo();
    tool_run r;
    cr_assert(run_abiguard(&r, "list", "demo@1", "--db", d.db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    cr_expect(strstr(r.out, "libarray_dimension_changed.so.1  usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1"),
              "%s", r.out);
    /* libversioned's file is libversioned.so.1, its SONAME libversioned.so.2. */
    cr_expect(strstr(r.out, "libversioned.so.2"), "%s", r.out);
    cr_expect(strstr(r.out, "usr/lib/x86_64-linux-gnu/libversioned.so.1"), "%s", r.out);
    tool_run_free(&r);

    /* The build-id listed is the binary's own (show reads it back from the store). */
    cr_assert(run_abiguard(&r, "export", "demo@1:libversioned.so.2", "--db", d.db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    json_t *j = parse(&r);
    const char *bid = json_string_value(json_object_get(json_object_get(j, "elf"), "build_id"));
    cr_assert(bid && strlen(bid) == 40);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "elf"), "soname")), "libversioned.so.2");
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "list", "demo@1:libversioned.so.2", "--db", d.db, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0 && strstr(r.out, bid), "%s", r.out);
    cr_expect(!strstr(r.out, "libarray_dimension_changed"), "only the binary named: %s", r.out);
    tool_run_free(&r);
    json_decref(j);

    /* The release line says there are more. */
    cr_assert(run_abiguard(&r, "list", "demo", "--db", d.db, (char *)NULL));
    cr_expect(strstr(r.out, "libarray_dimension_changed.so.1 (+1)"), "%s", r.out);
    tool_run_free(&r);

    /* By file name or path inside the artifact, too. */
    cr_assert(run_abiguard(&r, "show", "demo@2:usr/lib/x86_64-linux-gnu/libtypes.so.1", "--db", d.db, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0 && strstr(r.out, "libtypes.so.1"), "%s%s", r.out, r.err);
    tool_run_free(&r);
    free_demo(&d);
}

Test(release_store, one_binary_needed_and_none_named_lists_the_sonames)
{
    demo_store d = make_demo();
    char *out = path_join2(d.dir, "guard.c");
    tool_run r;
    cr_assert(run_abiguard(&r, "stub", "demo@1", "--db", d.db, "-o", out, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1, "%s", tool_run_outcome(&r));
    cr_expect(strstr(r.err, "demo@1 has 2 binaries (libarray_dimension_changed.so.1, libversioned.so.2);"
                            " name one as demo@1:SONAME"), "%s", r.err);
    cr_expect_eq(strchr(r.err, '\n'), r.err + r.err_len - 1, "one line: %s", r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "show", "demo@1:libnope.so.9", "--db", d.db, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1, "%s", tool_run_outcome(&r));
    cr_expect(strstr(r.err, "demo@1 has no binary 'libnope.so.9' (it has libarray_dimension_changed.so.1,"
                            " libversioned.so.2)"), "%s", r.err);
    tool_run_free(&r);

    /* Named, the stub is for that binary; the other release's binary of the
       same SONAME is a known (incompatible: its array grew) build. */
    cr_assert(run_abiguard(&r, "stub", "demo@2:libarray_dimension_changed.so.1", "--db", d.db, "-o", out,
                           (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s", r.err);
    cr_expect(strstr(r.out, "known compatible: 2, known incompatible: 1"), "%s", r.out);
    tool_run_free(&r);
    /* A release without that SONAME has no build of it. */
    cr_assert(run_abiguard(&r, "stub", "demo@2:libtypes.so.1", "--db", d.db, "-o", out, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s", r.err);
    cr_expect(strstr(r.out, "known compatible: 2, known incompatible: none"), "%s", r.out);
    tool_run_free(&r);
    free(out);
    free_demo(&d);
}

Test(release_store, diff_of_stored_releases_pairs_binaries_with_one_verdict)
{
    demo_store d = make_demo();
    tool_run r;
    cr_assert(run_abiguard(&r, "diff", "demo@1", "demo@2", "--db", d.db, "--format", "json", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s: %s", tool_run_outcome(&r), r.err);
    json_t *j = parse(&r);
    cr_expect_str_eq(json_string_value(json_object_get(j, "format")), "abiguard-release-diff/1");
    cr_expect_str_eq(json_string_value(json_object_get(j, "verdict")), "breaking");
    json_t *counts = json_object_get(j, "counts");
    cr_expect_eq(json_integer_value(json_object_get(counts, "diffed")), 1);
    cr_expect_eq(json_integer_value(json_object_get(counts, "added")), 1);
    cr_expect_eq(json_integer_value(json_object_get(counts, "removed")), 1);
    json_t *first = json_array_get(json_object_get(j, "binaries"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(first, "name")), "libarray_dimension_changed.so.1");
    cr_expect_str_eq(json_string_value(json_object_get(first, "old_path")),
                     "usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1");
    json_t *inner = json_object_get(first, "diff");
    cr_expect_str_eq(json_string_value(json_object_get(inner, "old")), "demo@1:libarray_dimension_changed.so.1");
    json_decref(j);
    tool_run_free(&r);

    /* The same pair named binary by binary: the plain diff of those two. */
    cr_assert(run_abiguard(&r, "diff", "demo@1:libarray_dimension_changed.so.1",
                           "demo@2:libarray_dimension_changed.so.1", "--db", d.db, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 12, "%s", r.err);
    cr_expect(strstr(r.out, "array-dimension-changed"), "%s", r.out);
    cr_expect(!strstr(r.out, "release diff"), "%s", r.out);
    tool_run_free(&r);

    /* A stored release against an artifact: the same pairing. */
    char *deb2 = art("pkg-v2.deb");
    cr_assert(run_abiguard(&r, "diff", "demo@1", deb2, "--db", d.db, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 12, "%s", r.err);
    cr_expect(strstr(r.out, "overall verdict: breaking (1 binaries diffed, 1 added, 1 removed)"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", "demo@2", deb2, "--db", d.db, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "the stored release is the artifact: %s%s", r.out, r.err);
    cr_expect(strstr(r.out, "overall verdict: none (2 binaries diffed, 0 added, 0 removed)"), "%s", r.out);
    tool_run_free(&r);
    free(deb2);

    /* History and matrix judge the whole release: libversioned removed is
       breaking, even were the array unchanged. */
    cr_assert(run_abiguard(&r, "history", "demo", "--db", d.db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    const char *row2 = strstr(r.out, "\n2 ");
    cr_expect(row2 && strstr(row2, "breaking"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "matrix", "demo", "--db", d.db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    /* Built against 2, running 1: libtypes is missing. */
    const char *built2 = strstr(r.out, "\n2 ");
    cr_expect(built2 && strstr(built2, "BREAK"), "%s", r.out);
    tool_run_free(&r);
    free_demo(&d);
}

/* A diff of two stored releases of several binaries is cached as the
   report of a single binary's is: asked again, it is read from the store's
   diff cache (a name changed in the cached report shows), rendered in the
   format asked, with suppressions applied to it. */
Test(release_store, a_second_diff_of_stored_releases_is_read_from_the_cache)
{
    demo_store d = make_demo();
    tool_run r;
    cr_assert(run_abiguard(&r, "diff", "demo@1", "demo@2", "--db", d.db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s: %s", tool_run_outcome(&r), r.err);
    char *first = strdup(r.out);
    cr_assert_not_null(first);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", "demo@1", "demo@2", "--db", d.db, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 12 && strcmp(r.out, first) == 0,
              "asked again, not the same:\n%s\nthen:\n%s", first, r.out);
    tool_run_free(&r);

    sqlite3 *db;
    cr_assert_eq(sqlite3_open(d.db, &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db,
                              "UPDATE diff_cache SET report = replace(report, '\"name\": \"libversioned.so.2\"',"
                              " '\"name\": \"libversioned-cached.so.2\"') WHERE report IS NOT NULL",
                              NULL, NULL, &msg),
                 SQLITE_OK, "%s", msg);
    cr_assert_eq(sqlite3_changes(db), 1, "no cached report of the pair");
    sqlite3_close(db);
    const char *formats[] = { "text", "markdown", "json", "sarif" };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        cr_assert(run_abiguard(&r, "diff", "demo@1", "demo@2", "--db", d.db, "--format", formats[i], (char *)NULL));
        cr_expect(r.exited && r.exit_status == 12, "%s: %s", formats[i], r.err);
        cr_expect(strstr(r.out, "libversioned-cached.so.2"), "%s: not read from the cache:\n%s", formats[i], r.out);
        tool_run_free(&r);
    }
    /* Suppressing the array's change leaves the removed library breaking. */
    char *rules = path_join2(d.dir, "rules.txt");
    cr_assert(write_whole_file(rules, "kind=array-dimension-changed\n", 30));
    cr_assert(run_abiguard(&r, "diff", "demo@1", "demo@2", "--db", d.db, "--suppressions", rules, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 12, "%s", r.err);
    cr_expect(strstr(r.out, "  none       diffed   libarray_dimension_changed.so.1"), "%s", r.out);
    cr_expect(strstr(r.out, "overall verdict: breaking"), "%s", r.out);
    tool_run_free(&r);
    free(rules);
    free(first);
    free_demo(&d);
}

Test(release_store, real_lua_package_keeps_both_libraries, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    char *lib = art("debs/liblua5.3-0.deb"), *dbg = art("debs/liblua5.3-0-dbg.deb"), *dev = art("debs/liblua5.3-dev.deb");
    char *dir = make_temp_dir(), *db = path_join2(dir, "lua.db");
    tool_run r;
    cr_assert(run_abiguard(&r, "add", lib, "--library", "lua", "--version", "5.3", "--db", db, "--no-system-debug",
                           "--no-debuginfod", "--debug-package", dbg, "--dev-package", dev, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s: %s", tool_run_outcome(&r), r.err);
    cr_expect(strstr(r.out, "added lua@5.3 (2 binaries of"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "list", "lua@5.3", "--db", db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    cr_expect(strstr(r.out, "liblua5.3.so.0 "), "%s", r.out);
    cr_expect(strstr(r.out, "liblua5.3-c++.so.0 "), "%s", r.out);
    cr_expect(strstr(r.out, "usr/lib/x86_64-linux-gnu/liblua5.3.so.0.0.0"), "%s", r.out);
    tool_run_free(&r);
    /* Each with the -dbg package's DWARF and the -dev package's surface. */
    cr_assert(run_abiguard(&r, "export", "lua@5.3:liblua5.3-c++.so.0", "--db", db, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    json_t *j = parse(&r);
    cr_expect(json_is_true(json_object_get(j, "debug_info")));
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "surface"), "method")), "headers");
    cr_expect_gt(json_array_size(json_object_get(j, "functions")), 100);
    json_decref(j);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(db);
    free(lib);
    free(dbg);
    free(dev);
}

/* dir/rel (its directory created) gets the bytes of fixture file src. */
static void place(const char *dir, const char *rel, const char *src)
{
    char *from = NULL, *to = NULL, *cmd = NULL;
    cr_assert(asprintf(&from, "%s/%s", fixtures_dir(), src) > 0 && asprintf(&to, "%s/%s", dir, rel) > 0);
    char *slash = strrchr(to, '/');
    *slash = '\0';
    cr_assert(asprintf(&cmd, "mkdir -p '%s'", to) > 0 && system(cmd) == 0);
    *slash = '/';
    size_t len;
    char *bytes = read_whole_file(from, &len);
    cr_assert(bytes, "%s", from);
    cr_assert(write_whole_file(to, bytes, len));
    free(bytes);
    free(from);
    free(to);
    free(cmd);
}

/* A package of bindings (a directory is an artifact, as a wheel is): a
   CPython extension that links libgeo, and a vendored library that does
   not. The library: libgeo with libtypes beside it, stored as releases of
   two binaries. */
Test(release_store, check_of_an_artifact_checks_each_binding_against_the_binary_it_needs, .timeout = 240)
{
    char *dir = make_temp_dir(), *db = path_join2(dir, "g.db"), *pkg = path_join2(dir, "pkg");
    place(pkg, "geo/geomod.cpython-311-x86_64-linux-gnu.so", "bindings/geomod.cpython-311-x86_64-linux-gnu.so");
    place(pkg, "geo.libs/libtypes.so.1", "types/libtypes.so");
    const char *vers[2] = { "v2", "v3" };
    for (int i = 0; i < 2; i++) {
        char *rel = path_join2(dir, vers[i]), *lib = NULL;
        cr_assert(asprintf(&lib, "bindings/%s/libgeo.so.1", vers[i]) > 0);
        place(rel, "lib/libgeo.so.1", lib);
        place(rel, "lib/libtypes.so.1", "types/libtypes.so");
        tool_run r;
        cr_assert(run_abiguard(&r, "add", rel, "--library", "geo", "--version", vers[i] + 1, "--db", db,
                               "--no-system-debug", (char *)NULL));
        cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
        tool_run_free(&r);
        free(rel);
        free(lib);
    }
    tool_run r;
    cr_assert(run_abiguard(&r, "check", pkg, "--library", "geo@3", "--db", db, "--no-system-debug", "--format", "json",
                           (char *)NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s: %s", tool_run_outcome(&r), r.err);
    json_t *j = parse(&r);
    cr_expect_str_eq(json_string_value(json_object_get(j, "verdict")), "breaking");
    json_t *bins = json_object_get(j, "binaries");
    cr_assert_eq(json_array_size(bins), 1, "only the binding of libgeo is checked");
    json_t *b = json_array_get(bins, 0);
    cr_expect_str_eq(json_string_value(json_object_get(b, "name")), "geo/geomod.cpython-311-x86_64-linux-gnu.so");
    cr_expect_str_eq(json_string_value(json_object_get(b, "new_path")), "lib/libgeo.so.1", "the binary its DT_NEEDED names");
    json_t *d = json_object_get(b, "diff");
    cr_expect_str_eq(json_string_value(json_object_get(d, "verdict")), "breaking");
    char *text = json_dumps(d, 0);
    cr_expect(strstr(text, "struct geo_point::x"), "the binding's break is named");
    cr_expect(!strstr(text, "geo_legacy_scale"), "not what the binding does not use");
    free(text);
    json_decref(j);
    cr_expect(strstr(r.err, "geo.libs/libtypes.so.1 needs none of geo@3's binaries: not checked"), "%s", r.err);
    tool_run_free(&r);

    /* Against the compatible release: one verdict, not breaking. */
    cr_assert(run_abiguard(&r, "check", pkg, "--library", "geo@2", "--db", db, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && (r.exit_status == 0 || r.exit_status == 4), "%s: %s", tool_run_outcome(&r), r.out);
    cr_expect(strstr(r.out, "overall verdict: ") && !strstr(r.out, "overall verdict: breaking"), "%s", r.out);
    tool_run_free(&r);

    /* One binding against a release of several: the binary it needs. */
    char *consumer = NULL;
    cr_assert(asprintf(&consumer, "%s/bindings/consumer", fixtures_dir()) > 0);
    cr_assert(run_abiguard(&r, "check", consumer, "--library", "geo@3", "--db", db, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 12, "%s: %s", tool_run_outcome(&r), r.err);
    cr_expect(strstr(r.out, "geo@3:libgeo.so.1"), "%s", r.out);
    tool_run_free(&r);
    free(consumer);
    remove_tree(dir);
    free(dir);
    free(db);
    free(pkg);
}
