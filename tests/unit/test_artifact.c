/*
 * test_artifact.c — the artifact reader (artifact.h) and the pairing stem
 * of release_diff.h, linked directly: inner paths and links, shared
 * objects told from PIE programs by content, and each limit on hostile
 * input reported with its own sentence (limits set small, so the tests
 * need no huge files).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "artifact.h"
#include "release_diff.h"

static char *fixture(const char *rel)
{
    const char *dir = getenv("FIXTURES");
    cr_assert(dir && *dir, "FIXTURES is not set (run through make check)");
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/artifacts/%s", dir, rel) > 0);
    return p;
}

Test(artifact, normalizes_inner_paths)
{
    const char *cases[][2] = {
        { "./usr/lib/libz.so.1", "usr/lib/libz.so.1" }, { "a//b/./c", "a/b/c" },
        { "a/b/../c", "a/c" }, { "package/", "package" }, { "./", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = ag_artifact_normalize_path(cases[i][0]);
        cr_assert(n, "%s", cases[i][0]);
        cr_expect_str_eq(n, cases[i][1], "%s", cases[i][0]);
        free(n);
    }
    cr_expect_null(ag_artifact_normalize_path("a/../../etc/passwd"));
}

Test(artifact, pairing_stem_drops_versions)
{
    char b[64];
    cr_expect_str_eq(ag_release_stem("liblua5.3.so.0", b, sizeof b), "liblua");
    cr_expect_str_eq(ag_release_stem("liblua5.4-c++.so.0.0.0", b, sizeof b), "liblua-c++");
    cr_expect_str_eq(ag_release_stem("libz.so.1.2.13", b, sizeof b), "libz");
    cr_expect_str_eq(ag_release_stem("libpython3.11.so.1.0", b, sizeof b), "libpython");
    cr_expect_str_eq(ag_release_stem("libssl.so", b, sizeof b), "libssl");
}

Test(artifact, deb_yields_shared_objects_with_inner_paths_not_programs)
{
    char *path = fixture("pkg-v1.deb");
    ag_artifact *a = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS, NULL, &a, &err), AG_OK, "%s", err.msg);
    cr_expect_str_eq(a->kind, "deb");
    cr_assert_eq(ag_artifact_n_shared_objects(a), 2);
    cr_expect_str_eq(ag_artifact_shared_object(a, 0)->inner_path,
                     "usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1");
    cr_expect_str_eq(ag_artifact_shared_object(a, 1)->inner_path, "usr/lib/x86_64-linux-gnu/libversioned.so.1");
    /* The PIE program was taken out (it is ELF) but is not a shared object. */
    const ag_artifact_file *prog = ag_artifact_find(a, "usr/bin/prog");
    cr_assert(prog);
    cr_expect(prog->is_elf && !prog->is_shared_object);
    cr_expect_null(ag_artifact_find(a, "usr/README"));
    char *to = ag_artifact_resolve_link(a, "usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so");
    cr_assert(to);
    cr_expect_str_eq(to, "usr/lib/x86_64-linux-gnu/libarray_dimension_changed.so.1");
    free(to);
    char root[4096];
    snprintf(root, sizeof root, "%s", a->root);
    struct stat sb;
    cr_expect(stat(ag_artifact_shared_object(a, 0)->disk_path, &sb) == 0 && S_ISREG(sb.st_mode));
    ag_artifact_free(a);
    cr_expect(stat(root, &sb) != 0, "the temporary tree %s was not removed", root);
    free(path);
}

Test(artifact, every_container_holds_the_same_binaries)
{
    const char *names[] = { "pkg-v1.tar.gz", "pkg-v1.tar.xz", "pkg-v1.zip", "plain-v1" };
    const char *kinds[] = { "tar", "tar", "zip", "directory" };
    for (size_t i = 0; i < 4; i++) {
        char *path = fixture(names[i]);
        ag_artifact *a = NULL;
        ag_error err = { .msg = "" };
        cr_assert_eq(ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS, NULL, &a, &err), AG_OK, "%s: %s",
                     names[i], err.msg);
        cr_expect_str_eq(a->kind, kinds[i], "%s", names[i]);
        cr_expect_eq(ag_artifact_n_shared_objects(a), 2, "%s", names[i]);
        cr_expect(ag_artifact_find(a, "usr/lib/x86_64-linux-gnu/libversioned.so.1"), "%s", names[i]);
        ag_artifact_free(a);
        cr_expect(ag_artifact_is_artifact(path), "%s", names[i]);
        free(path);
    }
}

static void expect_refused(const char *name, const ag_artifact_limits *lim, const char *words)
{
    char *path = fixture(name);
    ag_artifact *a = NULL;
    ag_error err = { .msg = "" };
    cr_expect_eq(ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS, lim, &a, &err), AG_ERR_FORMAT, "%s", name);
    cr_expect_null(a);
    cr_expect(strstr(err.msg, words), "%s: '%s' does not say '%s'", name, err.msg, words);
    free(path);
}

Test(artifact, hostile_archives_are_refused_with_the_reason)
{
    expect_refused("hostile-traversal.tar", NULL, "climbs out of the archive with '..'");
    expect_refused("hostile-absolute.tar", NULL, "has an absolute path");
    expect_refused("bomb.tar.gz", NULL, "decompression bomb");
    ag_artifact_limits small_entry = { .max_entry_bytes = 4096 };
    expect_refused("pkg-v1.tar.gz", &small_entry, "is larger than the 4096-byte limit");
    ag_artifact_limits small_total = { .max_total_bytes = 20000 };
    expect_refused("pkg-v1.zip", &small_total, "exceed the 20000-byte limit");
    ag_artifact_limits few = { .max_entries = 3 };
    expect_refused("pkg-v1.deb", &few, "more than 3 entries");
}

Test(artifact, not_an_archive)
{
    char *path = fixture("../versioned/libversioned.so");
    ag_artifact *a = NULL;
    ag_error err = { .msg = "" };
    cr_expect_not(ag_artifact_is_artifact(path));
    cr_expect_eq(ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS, NULL, &a, &err), AG_ERR_FORMAT);
    cr_expect_eq(ag_artifact_open("/nonexistent/x.deb", AG_ARTIFACT_SHARED_OBJECTS, NULL, &a, &err), AG_ERR_IO);
    cr_expect(strstr(err.msg, "No such file"), "%s", err.msg);
    free(path);
}
