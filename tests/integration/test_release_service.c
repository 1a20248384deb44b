/*
 * test_release_service.c — releases of several binaries in the service
 * (issue 14): `push ARTIFACT` sends every shared object in one body
 * (abiguard-release/1), the API lists a release's binaries and serves the
 * release diff and per-binary diffs (NAME@V:SONAME), history and matrix
 * judge the whole release, and a bad release body is a 422 naming the
 * binary. Against the real `abiguard serve` on loopback, with the .debs of
 * tests/fixtures/artifacts (two libraries each).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_run.h"
#include "tool_run.h"

static void push_deb(const server *s, const char *deb, const char *version)
{
    char *path = NULL;
    cr_assert(asprintf(&path, "%s/artifacts/%s", fixtures_dir(), deb) > 0);
    tool_run r;
    cr_assert(run_abiguard(&r, "push", path, "--server", s->base, "--library", "demo", "--version", version,
                           "--token-file", s->tokens, "--no-system-debug", "--no-debuginfod", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s: %s", tool_run_outcome(&r), r.err);
    cr_expect(strstr(r.out, "(2 binaries,"), "%s", r.out);
    tool_run_free(&r);
    free(path);
}

static json_t *get_json(const server *s, const char *path, long want)
{
    resp r = srv_get(s, path);
    cr_assert_eq(r.status, want, "%s: %ld %.*s", path, r.status, (int)r.len, r.body);
    json_t *j = srv_parse(&r);
    resp_free(&r);
    return j;
}

Test(release_service, push_of_an_artifact_stores_and_serves_every_binary, .timeout = 120)
{
    server s;
    server_start(&s, false, NULL);
    push_deb(&s, "pkg-v1.deb", "1");
    push_deb(&s, "pkg-v2.deb", "2");

    json_t *bins = get_json(&s, "/api/v1/libraries/demo/releases/1/binaries", 200);
    cr_assert_eq(json_array_size(bins), 2);
    json_t *b1 = json_array_get(bins, 1);
    cr_expect_str_eq(json_string_value(json_object_get(b1, "path")), "usr/lib/x86_64-linux-gnu/libversioned.so.1");
    cr_expect_str_eq(json_string_value(json_object_get(b1, "soname")), "libversioned.so.2");
    cr_expect_eq(strlen(json_string_value(json_object_get(b1, "build_id"))), 40);
    cr_expect_eq(json_integer_value(json_object_get(b1, "functions")), 3);
    json_decref(bins);

    /* The release lists its binaries; one of several is named by SONAME. */
    json_t *rel = get_json(&s, "/api/v1/libraries/demo/releases/1", 200);
    cr_expect_eq(json_array_size(json_object_get(rel, "binaries")), 2);
    cr_expect_null(json_object_get(rel, "sha256"), "no one binary's details for a release of several");
    json_decref(rel);
    rel = get_json(&s, "/api/v1/libraries/demo/releases/1:libversioned.so.2", 200);
    cr_expect_str_eq(json_string_value(json_object_get(rel, "soname")), "libversioned.so.2");
    cr_expect_str_eq(json_string_value(json_object_get(rel, "file_name")), "libversioned.so.1");
    cr_expect_str_eq(json_string_value(json_object_get(rel, "path")), "usr/lib/x86_64-linux-gnu/libversioned.so.1");
    json_decref(rel);
    json_t *corpus = get_json(&s, "/api/v1/libraries/demo/releases/2:libtypes.so.1/corpus", 200);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(corpus, "elf"), "soname")), "libtypes.so.1");
    json_decref(corpus);
    json_t *e = get_json(&s, "/api/v1/libraries/demo/releases/2/corpus", 400);
    cr_expect(strstr(json_string_value(json_object_get(json_object_get(e, "error"), "message")),
                     "demo@2 has 2 binaries (libarray_dimension_changed.so.1, libtypes.so.1)"));
    json_decref(e);
    e = get_json(&s, "/api/v1/libraries/demo/releases/2:libnope.so/binaries", 404);
    json_decref(e);

    /* The release diff, and one pair's own diff. */
    json_t *d = get_json(&s, "/api/v1/diff?old=demo@1&new=demo@2", 200);
    cr_expect_str_eq(json_string_value(json_object_get(d, "format")), "abiguard-release-diff/1");
    cr_expect_str_eq(json_string_value(json_object_get(d, "verdict")), "breaking");
    cr_expect_eq(json_array_size(json_object_get(d, "binaries")), 3);
    json_decref(d);
    d = get_json(&s, "/api/v1/diff?old=demo@1:libarray_dimension_changed.so.1&new=demo@2:libarray_dimension_changed.so.1",
                 200);
    cr_expect_str_eq(json_string_value(json_object_get(d, "format")), "abiguard-diff/1");
    cr_expect_str_eq(json_string_value(json_object_get(d, "old")), "demo@1:libarray_dimension_changed.so.1");
    json_decref(d);

    /* History and matrix: the whole release's verdict. */
    json_t *h = get_json(&s, "/api/v1/libraries/demo/history", 200);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(h, 1), "verdict")), "breaking");
    json_decref(h);
    json_t *m = get_json(&s, "/api/v1/libraries/demo/matrix", 200);
    json_t *cells = json_object_get(m, "cells");
    cr_expect_str_eq(json_string_value(json_array_get(json_array_get(cells, 1), 0)), "breaking",
                     "built against 2, running 1: libtypes is missing");
    json_decref(m);
    cr_expect_eq(server_stop(&s), 0);
}

Test(release_service, a_bad_release_body_is_a_422_naming_the_binary)
{
    server s;
    server_start(&s, false, NULL);
    const char *empty = "{\"format\":\"abiguard-release/1\",\"binaries\":[]}";
    resp r = srv_post(&s, "/api/v1/libraries/x/releases/1", empty, strlen(empty), TOKEN);
    cr_expect_eq(r.status, 422, "%.*s", (int)r.len, r.body);
    resp_free(&r);
    const char *bad = "{\"format\":\"abiguard-release/1\",\"binaries\":[{\"path\":\"lib/a.so\",\"corpus\":{\"format\":1}}]}";
    r = srv_post(&s, "/api/v1/libraries/x/releases/1", bad, strlen(bad), TOKEN);
    cr_expect_eq(r.status, 422);
    cr_expect(r.body && strstr(r.body, "binary 0 (lib/a.so)"), "%.*s", (int)r.len, r.body);
    resp_free(&r);
    /* Nothing was stored. */
    r = srv_get(&s, "/api/v1/libraries/x/releases");
    cr_expect_eq(r.status, 404, "%.*s", (int)r.len, r.body);
    resp_free(&r);
    cr_expect_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* POST /api/v1/compatible on releases of several binaries: geo 1.0-3.0
   pushed as tars of two libraries whose second is libgeo, 4.0 as a
   package without libgeo; the same libgeo files pushed alone as "solo".
   The question names the binary ("soname"), or the binary providing the
   imports is judged; the answers equal those for the single binaries. */

static void push_as(const server *s, const char *rel, const char *lib, const char *version)
{
    char *path = fixture_path(rel);
    tool_run r;
    cr_assert(run_abiguard(&r, "push", path, "--server", s->base, "--library", lib, "--version", version,
                           "--token-file", s->tokens, "--no-system-debug", "--no-debuginfod", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "push %s: %s: %s", rel, tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    free(path);
}

static json_t *ask(const server *s, const char *question, long want)
{
    resp r = srv_post(s, "/api/v1/compatible", question, strlen(question), NULL);
    cr_assert_eq(r.status, want, "%s: %ld %.*s", question, r.status, (int)r.len, r.body);
    json_t *j = srv_parse(&r);
    resp_free(&r);
    return j;
}

static json_t *incompatible_entry(json_t *answer, const char *version)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(answer, "incompatible"), i, e)
        if (strcmp(json_string_value(json_object_get(e, "version")), version) == 0)
            return e;
    return NULL;
}

Test(release_service, compatible_answers_per_release_for_several_binaries, .timeout = 120)
{
    server s;
    server_start(&s, false, NULL);
    static const char *const vers[] = { "1.0", "2.0", "3.0" };
    for (int i = 0; i < 3; i++) {
        char tar[64], solo[64];
        snprintf(tar, sizeof tar, "artifacts/geo-v%d.tar", i + 1);
        snprintf(solo, sizeof solo, "bindings/v%d/libgeo.so", i + 1);
        push_as(&s, tar, "geo", vers[i]);
        push_as(&s, solo, "solo", vers[i]);
    }
    push_as(&s, "artifacts/pkg-v1.deb", "geo", "4.0");
#define IMPORTS "\"imports\":[{\"name\":\"geo_distance\",\"version\":\"GEO_1.0\"}," \
                "{\"name\":\"geo_perimeter\",\"version\":\"GEO_1.1\"}],\"built_against\":\"2.0\""
    json_t *named = ask(&s, "{\"library\":\"geo\",\"soname\":\"libgeo.so.1\"," IMPORTS "}", 200);
    json_t *solo = ask(&s, "{\"library\":\"solo\"," IMPORTS "}", 200);
    json_t *chosen = ask(&s, "{\"library\":\"geo\"," IMPORTS "}", 200);

    /* 2.0 runs it; 1.0 lacks geo_perimeter; 3.0 breaks geo_distance; as for the single binaries. */
    json_t *answers[] = { named, chosen };
    for (int a = 0; a < 2; a++) {
        json_t *j = answers[a];
        cr_expect_eq(json_array_size(json_object_get(j, "compatible")), 1, "%s", json_dumps(j, 0));
        cr_expect_str_eq(json_string_value(json_array_get(json_object_get(j, "compatible"), 0)), "2.0");
        for (int i = 0; i < 3; i++)
            cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "binaries"), vers[i])),
                             "libgeo.so.1", "the binary judged for %s", vers[i]);
        for (int i = 0; i < 3; i += 2) {
            json_t *mine = incompatible_entry(j, vers[i]), *alone = incompatible_entry(solo, vers[i]);
            cr_assert(mine && alone, "%s: %s", vers[i], json_dumps(j, 0));
            cr_expect(json_equal(json_object_get(mine, "missing"), json_object_get(alone, "missing")), "%s", vers[i]);
            cr_expect_eq(json_integer_value(json_object_get(mine, "breaking")),
                         json_integer_value(json_object_get(alone, "breaking")), "%s", vers[i]);
            cr_expect_str_eq(json_string_value(json_object_get(mine, "binary")), "libgeo.so.1");
        }
        cr_expect(json_integer_value(json_object_get(incompatible_entry(j, "3.0"), "breaking")) > 0);
        cr_expect_eq(json_array_size(json_object_get(incompatible_entry(j, "1.0"), "missing")), 1);
    }
    /* 4.0 has no libgeo: said so when it is named; judged on what it has otherwise. */
    const char *why = json_string_value(json_object_get(incompatible_entry(named, "4.0"), "reason"));
    cr_expect(why && strstr(why, "geo@4.0 has no binary libgeo.so.1 (it has libarray_dimension_changed.so.1, "
                                 "libversioned.so.2)"), "%s", why ? why : json_dumps(named, 0));
    cr_expect_eq(json_array_size(json_object_get(incompatible_entry(chosen, "4.0"), "missing")), 2);
    cr_expect(json_object_size(json_object_get(solo, "binaries")) == 0, "single binaries are not named");
    json_decref(named);
    json_decref(solo);
    json_decref(chosen);

    /* A SONAME that the built-against release does not have; a SONAME that is no string. */
    json_t *e = ask(&s, "{\"library\":\"geo\",\"soname\":\"libnope.so.1\"," IMPORTS "}", 404);
    cr_expect(strstr(json_string_value(json_object_get(json_object_get(e, "error"), "message")),
                     "geo@2.0 has no binary libnope.so.1"));
    json_decref(e);
    json_decref(ask(&s, "{\"library\":\"geo\",\"soname\":7," IMPORTS "}", 400));
#undef IMPORTS
    cr_expect_eq(server_stop(&s), 0);
}

static void copy_to(const char *from, const char *dir, const char *name)
{
    char *to = path_join2(dir, name);
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    cr_assert(in && out, "copy %s to %s", from, to);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        cr_assert_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    cr_assert_eq(fclose(out), 0);
    free(to);
}

static const char *error_message(json_t *e)
{
    const char *m = json_string_value(json_object_get(json_object_get(e, "error"), "message"));
    return m ? m : "(no message)";
}

/* Types and layouts of a release of several binaries: the list names each
   entry's binary, a type only one binary defines is answered without
   V:SONAME, one that two define is a 400 listing them. */
Test(release_service, types_and_layouts_of_several_binaries, .timeout = 120)
{
    server s;
    server_start(&s, false, NULL);
    push_as(&s, "artifacts/geo-v1.tar", "geo", "1.0");
    push_as(&s, "bindings/v1/libgeo.so", "solo", "1.0");
    char *dir = make_temp_dir(), *v1 = fixture_path("bindings/v1/libgeo.so"),
         *geom = fixture_path("bindings/named/libgeom.so.1");
    copy_to(v1, dir, "libgeo.so.1");
    copy_to(geom, dir, "libgeom.so.1");
    tool_run r;
    cr_assert(run_abiguard(&r, "push", dir, "--server", s.base, "--library", "two", "--version", "1.0", "--token-file",
                           s.tokens, "--no-system-debug", "--no-debuginfod", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0 && strstr(r.out, "(2 binaries,"), "%s%s", r.out, r.err);
    tool_run_free(&r);

    json_t *types = get_json(&s, "/api/v1/libraries/geo/releases/1.0/types", 200), *t;
    size_t i, points = 0;
    json_array_foreach(types, i, t) {
        cr_expect_str_eq(json_string_value(json_object_get(t, "binary")), "libgeo.so.1");
        points += strcmp(json_string_value(json_object_get(t, "name")), "struct geo_point") == 0;
    }
    cr_expect_eq(points, 1, "%s", json_dumps(types, 0));
    json_decref(types);
    /* the same layout as the one binary's, said whose it is */
    json_t *one = get_json(&s, "/api/v1/libraries/geo/releases/1.0/types/struct%20geo_point", 200);
    json_t *named = get_json(&s, "/api/v1/libraries/geo/releases/1.0:libgeo.so.1/types/struct%20geo_point", 200);
    json_t *solo = get_json(&s, "/api/v1/libraries/solo/releases/1.0/types/struct%20geo_point", 200);
    cr_expect_str_eq(json_string_value(json_object_get(one, "binary")), "libgeo.so.1");
    cr_expect_null(json_object_get(named, "binary"));
    cr_expect_null(json_object_get(solo, "binary"), "a release of one binary answers as before");
    json_object_del(one, "binary");
    cr_expect(json_equal(one, named) && json_equal(one, solo), "%s vs %s", json_dumps(one, 0), json_dumps(solo, 0));
    cr_expect_eq(json_integer_value(json_object_get(one, "size")), 16);
    json_decref(one);
    json_decref(named);
    json_decref(solo);
    json_t *e = get_json(&s, "/api/v1/libraries/geo/releases/1.0/types/struct%20nope", 404);
    cr_expect(strstr(error_message(e), "no type named struct nope in any binary of geo@1.0 "
                                       "(libarray_dimension_changed.so.1, libgeo.so.1)"), "%s", error_message(e));
    json_decref(e);

    /* two binaries define struct geo_point: ambiguous without V:SONAME */
    types = get_json(&s, "/api/v1/libraries/two/releases/1.0/types", 200);
    points = 0;
    json_array_foreach(types, i, t)
        points += strcmp(json_string_value(json_object_get(t, "name")), "struct geo_point") == 0;
    cr_expect_eq(points, 2, "one entry per binary: %s", json_dumps(types, 0));
    json_decref(types);
    e = get_json(&s, "/api/v1/libraries/two/releases/1.0/types/struct%20geo_point", 400);
    cr_expect(strstr(error_message(e), "struct geo_point is in 2 binaries of two@1.0 (libgeo.so.1, libgeom.so.1); "
                                       "name one as 1.0:SONAME"), "%s", error_message(e));
    json_decref(e);
    json_decref(get_json(&s, "/api/v1/libraries/two/releases/1.0:libgeom.so.1/types/struct%20geo_point", 200));
    remove_tree(dir);
    free(dir);
    free(v1);
    free(geom);
    cr_expect_eq(server_stop(&s), 0);
}

/* The store's rows of diff_cache holding a report: how many, and (when
   set_marker) each report's old label changed to marker, as a way to see
   which answers come from there. */
static int cached_reports(const char *db, const char *marker)
{
    sqlite3 *h = NULL;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    sqlite3_busy_timeout(h, 10000);
    if (marker) {
        char *sql = sqlite3_mprintf("UPDATE diff_cache SET report = replace(report, '\"old\": \"demo@1\"',"
                                    " '\"old\": \"%q\"') WHERE report IS NOT NULL", marker);
        cr_assert(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(h));
        sqlite3_free(sql);
    }
    sqlite3_stmt *q = NULL;
    cr_assert(sqlite3_prepare_v2(h, "SELECT count(*) FROM diff_cache WHERE report LIKE '%abiguard-release-diff/1%'",
                                 -1, &q, NULL) == SQLITE_OK);
    cr_assert(sqlite3_step(q) == SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(h);
    return n;
}

/* A release diff is kept in the store's diff cache like a single-binary
   one: asked again it is read from there; replacing a release drops it;
   history reads the verdict and counts it wrote as its own. */
Test(release_service, release_diffs_are_cached_in_the_store, .timeout = 120)
{
    server s;
    server_start(&s, false, NULL);
    push_deb(&s, "pkg-v1.deb", "1");
    push_deb(&s, "pkg-v2.deb", "2");
    json_t *history_before = get_json(&s, "/api/v1/libraries/demo/history", 200);
    cr_expect_eq(cached_reports(s.db, NULL), 0, "history keeps verdicts, not reports");

    json_t *d = get_json(&s, "/api/v1/diff?old=demo@1&new=demo@2", 200);
    cr_expect_str_eq(json_string_value(json_object_get(d, "format")), "abiguard-release-diff/1");
    cr_expect_eq(cached_reports(s.db, NULL), 1, "the release diff was not cached");
    /* changed under the service (which sees the store change): the answer is the cached report */
    cr_expect_eq(cached_reports(s.db, "from-the-cache"), 1);
    json_t *again = get_json(&s, "/api/v1/diff?old=demo@1&new=demo@2", 200);
    cr_expect_str_eq(json_string_value(json_object_get(again, "old")), "from-the-cache");
    json_object_set_new(again, "old", json_string("demo@1"));
    cr_expect(json_equal(again, d), "the cached report differs from the computed one");
    json_decref(again);
    json_decref(d);
    json_t *history_after = get_json(&s, "/api/v1/libraries/demo/history", 200);
    cr_expect(json_equal(history_before, history_after), "history after the cached report:\n%s\n%s",
              json_dumps(history_before, 0), json_dumps(history_after, 0));
    json_decref(history_before);
    json_decref(history_after);

    /* demo 2 replaced by v1's package: the cached report goes with it */
    char *path = NULL;
    cr_assert(asprintf(&path, "%s/artifacts/pkg-v1.deb", fixtures_dir()) > 0);
    tool_run r;
    cr_assert(run_abiguard(&r, "push", path, "--server", s.base, "--library", "demo", "--version", "2", "--replace",
                           "--token-file", s.tokens, "--no-system-debug", "--no-debuginfod", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "%s", r.err);
    tool_run_free(&r);
    free(path);
    cr_expect_eq(cached_reports(s.db, NULL), 0, "the replaced release's cached report is still there");
    d = get_json(&s, "/api/v1/diff?old=demo@1&new=demo@2", 200);
    cr_expect_str_eq(json_string_value(json_object_get(d, "old")), "demo@1");
    cr_expect_str_eq(json_string_value(json_object_get(d, "verdict")), "none", "recomputed: the same package");
    json_decref(d);
    cr_expect_eq(server_stop(&s), 0);
}
