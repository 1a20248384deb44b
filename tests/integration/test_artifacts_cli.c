/*
 * test_artifacts_cli.c — artifacts as inputs to `extract` and `diff`, run
 * as a user runs them (issue 14): the .deb, tarballs, zip and directory
 * that tests/fixtures/artifacts/artifacts.mk builds from the fixture
 * libraries, hostile archives, and real Debian packages fetched with
 * apt-get download (liblua5.3-0 with its -dbg and -dev against liblua5.4-0).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

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

/* Extracting a binary out of any container gives the corpus of the loose file. */
Test(artifacts_cli, each_container_gives_the_loose_files_corpus)
{
    char *loose = art("tree-v1/usr/lib/x86_64-linux-gnu/libversioned.so.1");
    tool_run want;
    cr_assert(run_abiguard(&want, "extract", loose, "--no-system-debug", (char *)NULL));
    cr_assert(want.exited && want.exit_status == 0, "%s", want.err);
    const char *names[] = { "pkg-v1.deb", "pkg-v1.tar.gz", "pkg-v1.tar.xz", "pkg-v1.zip", "plain-v1" };
    const char *members[] = { "libversioned.so.1", "usr/lib/x86_64-linux-gnu/libversioned.so.1", "libversioned.so.2" };
    for (size_t i = 0; i < 5; i++)
        for (size_t m = 0; m < 3; m++) {
            char *path = art(names[i]), *arg = NULL;
            cr_assert(asprintf(&arg, "%s:%s", path, members[m]) > 0);
            tool_run r;
            cr_assert(run_abiguard(&r, "extract", arg, "--no-system-debug", (char *)NULL));
            cr_expect(r.exited && r.exit_status == 0, "%s: %s\n%s", arg, tool_run_outcome(&r), r.err);
            cr_expect(r.out_len == want.out_len && memcmp(r.out, want.out, want.out_len) == 0,
                      "%s: not the loose file's corpus", arg);
            tool_run_free(&r);
            free(arg);
            free(path);
        }
    tool_run_free(&want);
    free(loose);
}

Test(artifacts_cli, several_binaries_need_a_name_or_a_directory)
{
    char *deb = art("pkg-v1.deb");
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", deb, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1);
    cr_expect(strstr(r.err, "holds 2 shared objects (usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1, "
                            "usr/lib/x86_64-linux-gnu/libversioned.so.1)"), "%s", r.err);
    cr_expect_eq(count_lines(r.err), 1, "%s", r.err);
    tool_run_free(&r);

    char *dir = make_temp_dir();
    cr_assert(run_abiguard(&r, "extract", deb, "--no-system-debug", "-o", dir, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s", r.err);
    tool_run_free(&r);
    char *a = path_join2(dir, "usr_lib_x86_64-linux-gnu_libarray_dimension_changed.so.1.json");
    char *b = path_join2(dir, "usr_lib_x86_64-linux-gnu_libversioned.so.1.json");
    cr_expect(file_exists(a) && file_exists(b));
    free(a);
    free(b);
    remove_tree(dir);
    free(dir);

    char *arg = NULL;
    cr_assert(asprintf(&arg, "%s:libnothere.so", deb) > 0);
    cr_assert(run_abiguard(&r, "extract", arg, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1);
    cr_expect(strstr(r.err, "no shared object named 'libnothere.so' in this deb"), "%s", r.err);
    tool_run_free(&r);
    free(arg);
    free(deb);
}

static bool dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n == 0;
}

/* One line on stderr with the reason, exit 1, bounded memory, nothing left
   behind in TMPDIR and nothing written outside it. */
Test(artifacts_cli, hostile_archives_get_one_clear_line)
{
    const char *names[] = { "hostile-traversal.tar", "hostile-absolute.tar", "bomb.tar.gz" };
    const char *why[] = { "entry '../../escaped.so' climbs out of the archive with '..': refusing a hostile archive",
                          "entry '/tmp/absolute.so' has an absolute path: refusing a hostile archive",
                          "refusing a decompression bomb" };
    char *tmp = make_temp_dir();
    setenv("TMPDIR", tmp, 1);
    for (size_t i = 0; i < 3; i++) {
        char *path = art(names[i]);
        tool_run r;
        cr_assert(run_abiguard(&r, "extract", path, (char *)NULL));
        cr_expect(r.exited && r.exit_status == 1, "%s: %s", names[i], tool_run_outcome(&r));
        cr_expect(strstr(r.err, why[i]) && strncmp(r.err, "abiguard: error: ", 17) == 0, "%s: %s", names[i], r.err);
        cr_expect_eq(count_lines(r.err), 1, "%s: %s", names[i], r.err);
        cr_expect(dir_is_empty(tmp), "%s left files in TMPDIR", names[i]);
        tool_run_free(&r);
        free(path);
    }
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    cr_expect_lt(ru.ru_maxrss, 150 * 1024, "a child used %ld KiB", ru.ru_maxrss);
    remove_tree(tmp);
    free(tmp);
}

Test(artifacts_cli, diff_of_two_debs_pairs_binaries_with_one_verdict)
{
    char *v1 = art("pkg-v1.deb"), *v2 = art("pkg-v2.deb");
    tool_run r;
    cr_assert(run_abiguard(&r, "diff", v1, v2, "--no-system-debug", "--format", "json", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s: %s", tool_run_outcome(&r), r.err);
    json_t *j = parse(&r);
    cr_expect_str_eq(json_string_value(json_object_get(j, "format")), "abiguard-release-diff/1");
    cr_expect_str_eq(json_string_value(json_object_get(j, "verdict")), "breaking");
    json_t *counts = json_object_get(j, "counts");
    cr_expect_eq(json_integer_value(json_object_get(counts, "diffed")), 1);
    cr_expect_eq(json_integer_value(json_object_get(counts, "added")), 1);
    cr_expect_eq(json_integer_value(json_object_get(counts, "removed")), 1);
    json_t *bins = json_object_get(j, "binaries");
    cr_assert_eq(json_array_size(bins), 3);
    const char *want[][3] = { { "libarray_dimension_changed.so.1", "diffed", "breaking" },
                              { "libversioned.so.2", "removed", "breaking" },
                              { "libtypes.so.1", "added", "compatible" } };
    for (size_t i = 0; i < 3; i++) {
        json_t *b = json_array_get(bins, i);
        cr_expect_str_eq(json_string_value(json_object_get(b, "name")), want[i][0]);
        cr_expect_str_eq(json_string_value(json_object_get(b, "status")), want[i][1]);
        cr_expect_str_eq(json_string_value(json_object_get(b, "verdict")), want[i][2]);
    }
    json_t *d = json_object_get(json_array_get(bins, 0), "diff");
    char *dumped = d ? json_dumps(d, 0) : NULL;
    cr_expect(dumped && strstr(dumped, "array-dimension-changed"), "the pair's own diff is embedded");
    free(dumped);
    json_decref(j);
    tool_run_free(&r);

    struct { const char *format, *section; } per[] = {
        { "text", "=== libtypes.so.1 ===" },
        { "markdown", "### `libversioned.so.2`" },
        { "junit", "<testsuite name=\"binary libversioned.so.2\"" },
        { "sarif", "\"ruleId\": \"library-removed\"" },
    };
    for (size_t i = 0; i < 4; i++) {
        cr_assert(run_abiguard(&r, "diff", v1, v2, "--no-system-debug", "--format", per[i].format, (char *)NULL));
        cr_expect(r.exited && r.exit_status == 12, "%s: %s", per[i].format, r.err);
        cr_expect(strstr(r.out, per[i].section), "%s report lacks '%s'", per[i].format, per[i].section);
        cr_expect(strstr(r.out, "array-dimension-changed") || strstr(r.out, "array_dimension"),
                  "%s report lacks the pair's change", per[i].format);
        tool_run_free(&r);
    }
    /* Same artifact on both sides: nothing changed. */
    char *tgz = art("pkg-v1.tar.gz");
    cr_assert(run_abiguard(&r, "diff", v1, tgz, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s\n%s", r.err, r.out);
    cr_expect(strstr(r.out, "overall verdict: none (2 binaries diffed, 0 added, 0 removed)"), "%s", r.out);
    tool_run_free(&r);
    free(tgz);
    free(v1);
    free(v2);
}

/* Real Debian packages: the -dbg package gives the DWARF by build-id, the
   -dev package the public headers; lua 5.3 against 5.4 pairs by stem. */
Test(artifacts_cli, real_debian_packages, .timeout = 240 * SANITIZER_SLOWDOWN)
{
    char *lib = art("debs/liblua5.3-0.deb"), *dbg = art("debs/liblua5.3-0-dbg.deb"), *dev = art("debs/liblua5.3-dev.deb");
    char *l54 = art("debs/liblua5.4-0.deb");
    char *arg = NULL;
    cr_assert(asprintf(&arg, "%s:liblua5.3.so.0", lib) > 0);
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", arg, "--no-system-debug", "--no-debuginfod", "--debug-package", dbg,
                           "--dev-package", dev, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s: %s", tool_run_outcome(&r), r.err);
    json_t *j = parse(&r);
    cr_expect(json_is_true(json_object_get(j, "debug_info")));
    cr_expect_str_eq(json_string_value(json_object_get(j, "debug_source")), "debug-dir");
    json_t *surface = json_object_get(j, "surface");
    cr_expect_str_eq(json_string_value(json_object_get(surface, "method")), "headers");
    char *dumped = json_dumps(surface, 0);
    cr_expect(dumped && strstr(dumped, "lua5.3/lua.h"), "the -dev package's headers are the surface");
    free(dumped);
    cr_expect_gt(json_array_size(json_object_get(j, "functions")), 100);
    json_decref(j);
    tool_run_free(&r);

    cr_assert(run_abiguard(&r, "diff", lib, l54, "--no-system-debug", "--no-debuginfod", "--format", "json",
                           (char *)NULL));
    cr_assert(r.exited && r.exit_status == 12, "%s: %s", tool_run_outcome(&r), r.err);
    j = parse(&r);
    json_t *bins = json_object_get(j, "binaries");
    cr_assert_eq(json_array_size(bins), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *b = json_array_get(bins, i);
        const char *o = json_string_value(json_object_get(b, "old_path")), *n = json_string_value(json_object_get(b, "new_path"));
        cr_expect_str_eq(json_string_value(json_object_get(b, "paired_by")), "stem");
        cr_expect_eq(strstr(o, "c++") != NULL, strstr(n, "c++") != NULL, "%s paired with %s", o, n);
    }
    cr_expect_str_eq(json_string_value(json_object_get(j, "verdict")), "breaking");
    json_decref(j);
    tool_run_free(&r);
    free(arg);
    free(lib);
    free(dbg);
    free(dev);
    free(l54);
}

Test(artifacts_cli, a_bad_companion_package_is_an_error)
{
    char *lib = art("pkg-v1.deb"), *arg = NULL;
    cr_assert(asprintf(&arg, "%s:libversioned.so.1", lib) > 0);
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", arg, "--debug-package", "/nonexistent.deb", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 1, "%s", tool_run_outcome(&r));
    cr_expect(strstr(r.err, "/nonexistent.deb: cannot open"), "%s", r.err);
    tool_run_free(&r);
    free(arg);
    free(lib);
}

/* add takes one binary of an artifact, as extract does; the stored release
   then diffs against the artifact's binary with no change. */
Test(artifacts_cli, add_one_binary_of_an_artifact)
{
    char *deb = art("pkg-v1.deb"), *arg = NULL, *dir = make_temp_dir();
    char *db = path_join2(dir, "a.db");
    cr_assert(asprintf(&arg, "%s:libversioned.so.1", deb) > 0);
    tool_run r;
    cr_assert(run_abiguard(&r, "add", arg, "--library", "demo", "--version", "1", "--db", db, "--no-system-debug",
                           (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s", r.err);
    cr_expect(strstr(r.out, "added demo@1 (libversioned.so.2:"), "%s", r.out);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "diff", "demo@1", arg, "--db", db, "--no-system-debug", (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0, "%s\n%s", r.err, r.out);
    tool_run_free(&r);
    /* The whole artifact is a release of both (test_release_store.c). */
    cr_assert(run_abiguard(&r, "add", deb, "--library", "demo", "--version", "2", "--db", db, (char *)NULL));
    cr_expect(r.exited && r.exit_status == 0 && strstr(r.out, "added demo@2 (2 binaries of"), "%s", r.err);
    tool_run_free(&r);
    remove_tree(dir);
    free(dir);
    free(db);
    free(arg);
    free(deb);
}
