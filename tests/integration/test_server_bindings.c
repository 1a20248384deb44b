/*
 * test_server_bindings.c — registered bindings and source links on a real
 * `abiguard serve` (server_run.h): `push --binding` of the fixture
 * bindings (the consumer program and the CPython extension) against three
 * releases of the fixture libgeo, whose verdict per release must be what
 * `abiguard check` of the same file says; the binding page's matrix; the
 * diff narrowed to a binding (changes it never reaches are gone, the ones
 * it reaches are kept); the write's token, validation and upload limits;
 * and `push --source-url`, whose pattern the diff's locations carry.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "server_run.h"
#include "tool_run.h"

TestSuite(server_bindings, .timeout = 240);

static const char *const VERSIONS[] = { "1.0", "2.0", "3.0" };
static const char *const DIRS[] = { "v1", "v2", "v3" };
#define PATTERN "https://src.example/geo/blob/{version}/{file}#L{line}"

static char *geo_lib(const char *dir)
{
    char rel[64];
    snprintf(rel, sizeof rel, "bindings/%s/libgeo.so", dir);
    return fixture_path(rel);
}

/* geo 1.0 and 2.0 added to the store, 3.0 pushed with a source URL. */
static void seed(server *s)
{
    for (int i = 0; i < 3; i++) {
        char *lib = geo_lib(DIRS[i]);
        tool_run t;
        if (i < 2)
            cr_assert(run_abiguard(&t, "add", lib, "--library", "geo", "--version", VERSIONS[i], "--db", s->db, NULL));
        else
            cr_assert(run_abiguard(&t, "push", lib, "--server", s->base, "--library", "geo", "--version", VERSIONS[i],
                                   "--token-file", s->tokens, "--source-url", PATTERN, NULL));
        cr_assert(t.exited && t.exit_status == 0, "%s: %s", tool_run_outcome(&t), t.err);
        tool_run_free(&t);
        free(lib);
    }
}

static void push_binding(server *s, const char *rel, const char *name, const char *version, const char *built,
                         int want_exit)
{
    char *bin = fixture_path(rel);
    tool_run t;
    if (built)
        cr_assert(run_abiguard(&t, "push", bin, "--binding", name, "--server", s->base, "--library", "geo",
                               "--version", version, "--built-against", built, "--token-file", s->tokens, NULL));
    else
        cr_assert(run_abiguard(&t, "push", bin, "--binding", name, "--server", s->base, "--library", "geo",
                               "--version", version, "--token-file", s->tokens, NULL));
    cr_assert(t.exited && t.exit_status == want_exit, "push --binding %s: %s: %s%s", name, tool_run_outcome(&t),
              t.out, t.err);
    tool_run_free(&t);
    free(bin);
}

/* `abiguard check` of the binding file against geo@V: verdict and the
   number of changes it reports. */
static void cli_check(const server *s, const char *rel, const char *ver, const char *built, char verdict[32],
                      size_t *n_changes)
{
    char *bin = fixture_path(rel), lib[64];
    snprintf(lib, sizeof lib, "geo@%s", ver);
    tool_run t;
    if (built)
        cr_assert(run_abiguard(&t, "check", bin, "--library", lib, "--built-against", built, "--db", s->db, "--format",
                               "json", NULL));
    else
        cr_assert(run_abiguard(&t, "check", bin, "--library", lib, "--db", s->db, "--format", "json", NULL));
    json_error_t e;
    json_t *root = json_loads(t.out, 0, &e);
    cr_assert(root, "check %s %s: %s %s", rel, lib, tool_run_outcome(&t), t.err);
    snprintf(verdict, 32, "%s", json_string_value(json_object_get(root, "verdict")));
    *n_changes = json_array_size(json_object_get(root, "changes"));
    json_decref(root);
    tool_run_free(&t);
    free(bin);
}

static json_t *get_json(const server *s, const char *path, long want)
{
    resp r = srv_get(s, path);
    cr_assert_eq(r.status, want, "GET %s: %ld %s", path, r.status, r.body);
    json_t *v = srv_parse(&r);
    resp_free(&r);
    return v;
}

static bool mentions(json_t *diff, const char *what)
{
    json_t *changes = json_object_get(diff, "changes"), *c;
    size_t i;
    json_array_foreach(changes, i, c) {
        const char *subject = json_string_value(json_object_get(c, "subject"));
        if (subject && strstr(subject, what))
            return true;
        json_t *imp = json_object_get(c, "impacted"), *x;
        size_t k;
        json_array_foreach(imp, k, x) {
            const char *iface = json_string_value(json_object_get(x, "interface"));
            if (iface && strstr(iface, what))
                return true;
        }
    }
    return false;
}

Test(server_bindings, registered_bindings_have_checks_verdicts)
{
    server s;
    server_start(&s, false, NULL);
    seed(&s);
    push_binding(&s, "bindings/consumer", "consumer", "0.1", "geo@1.0", 0);
    push_binding(&s, "bindings/geomod.cpython-311-x86_64-linux-gnu.so", "geomod", "2.0", NULL, 0);

    json_t *list = get_json(&s, "/api/v1/libraries/geo/bindings", 200);
    cr_assert_eq(json_array_size(list), 2, "%s", json_dumps(list, 0));
    struct { const char *rel, *name, *built; } b[] = {
        { "bindings/consumer", "consumer", "geo@1.0" },
        { "bindings/geomod.cpython-311-x86_64-linux-gnu.so", "geomod", NULL },
    };
    for (size_t i = 0; i < 2; i++) {
        json_t *o = json_array_get(list, i);
        cr_assert_str_eq(json_string_value(json_object_get(o, "name")), b[i].name);
        char path[128];
        snprintf(path, sizeof path, "/api/v1/libraries/geo/bindings/%s/%s", b[i].name, i == 0 ? "0.1" : "2.0");
        json_t *page = get_json(&s, path, 200);
        json_t *matrix = json_object_get(page, "matrix");
        cr_assert_eq(json_array_size(matrix), 3);
        for (size_t r = 0; r < 3; r++) {
            char verdict[32];
            size_t n = 0;
            cli_check(&s, b[i].rel, VERSIONS[r], b[i].built, verdict, &n);
            const char *listed = json_string_value(json_object_get(json_object_get(o, "releases"), VERSIONS[r]));
            cr_expect(listed && strcmp(listed, verdict) == 0, "%s vs geo %s: list says %s, check says %s", b[i].name,
                      VERSIONS[r], listed ? listed : "(none)", verdict);
            json_t *row = json_array_get(matrix, r);
            cr_expect_str_eq(json_string_value(json_object_get(row, "release")), VERSIONS[r]);
            cr_expect_str_eq(json_string_value(json_object_get(row, "verdict")), verdict, "%s vs %s", b[i].name,
                             VERSIONS[r]);
            size_t shown = json_array_size(json_object_get(row, "changes")) +
                           (size_t)json_integer_value(json_object_get(row, "more"));
            cr_expect_eq(shown, n, "%s vs geo %s: the page lists %zu changes, check reports %zu", b[i].name,
                         VERSIONS[r], shown, n);
        }
        json_decref(page);
    }
    /* the consumer breaks on 3.0 and runs on its own release */
    json_t *consumer = json_object_get(json_array_get(list, 0), "releases");
    cr_expect_str_eq(json_string_value(json_object_get(consumer, "1.0")), "none");
    cr_expect_str_eq(json_string_value(json_object_get(consumer, "3.0")), "breaking");
    json_decref(list);

    /* The diff narrowed to geomod: what it never reaches is gone. */
    json_t *full = get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@3.0", 200);
    json_t *mine = get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@3.0&binding=geomod@2.0", 200);
    const char *unused[] = { "geo_rect", "geo_matrix", "geo_legacy_scale", "geo_perimeter", "GEO_1.1" };
    for (size_t i = 0; i < sizeof unused / sizeof unused[0]; i++) {
        cr_expect(mentions(full, unused[i]), "the full diff does not mention %s", unused[i]);
        cr_expect(!mentions(mine, unused[i]), "the diff narrowed to geomod mentions %s", unused[i]);
    }
    cr_expect(mentions(mine, "struct geo_point::x"), "the narrowed diff lost geomod's own break");
    cr_expect(json_array_size(json_object_get(mine, "changes")) < json_array_size(json_object_get(full, "changes")));
    json_decref(full);
    json_decref(mine);
    json_decref(get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@3.0&binding=nope@1", 404));
    cr_assert_eq(server_stop(&s), 0);
}

Test(server_bindings, writes_are_guarded_and_validated)
{
    const char *const extra[] = { "--max-imports", "10", NULL };
    server s;
    server_start(&s, false, extra);
    seed(&s);
    const char *path = "/api/v1/libraries/geo/bindings/b/1";
    resp r = srv_post(&s, path, "{}", 2, NULL);
    cr_expect_eq(r.status, 401, "%s", r.body);
    resp_free(&r);
    r = srv_post(&s, path, "{", 1, TOKEN);
    cr_expect_eq(r.status, 400, "%s", r.body);
    resp_free(&r);
    const char *not_binding = "{\"format\":\"abiguard-corpus/1\"}";
    r = srv_post(&s, path, not_binding, strlen(not_binding), TOKEN);
    cr_expect_eq(r.status, 422, "%s", r.body);
    resp_free(&r);
    /* the consumer imports 13 symbols: over --max-imports 10 (libgeo 3.0 has 7) */
    push_binding(&s, "bindings/consumer", "consumer", "0.1", "geo@1.0", 1);
    char *log = server_log(&s);
    cr_expect(strstr(log, " 422 "), "no 422 for a binding over the limits:\n%s", log);
    free(log);
    json_t *none = get_json(&s, "/api/v1/libraries/geo/bindings", 200);
    cr_expect_eq(json_array_size(none), 0);
    json_decref(none);
    cr_assert_eq(server_stop(&s), 0);

    server_start(&s, false, NULL);
    seed(&s);
    push_binding(&s, "bindings/consumer", "consumer", "0.1", "geo@1.0", 0);
    push_binding(&s, "bindings/consumer", "consumer", "0.1", "geo@1.0", 1);  /* 409 */
    /* an unknown library */
    char *bin = fixture_path("bindings/consumer");
    tool_run t;
    cr_assert(run_abiguard(&t, "push", bin, "--binding", "c", "--server", s.base, "--library", "nolib", "--version", "1",
                           "--token-file", s.tokens, NULL));
    cr_expect(t.exited && t.exit_status == 1 && strstr(t.err, "404"), "%s: %s", tool_run_outcome(&t), t.err);
    tool_run_free(&t);
    /* usage errors before any traffic */
    cr_assert(run_abiguard(&t, "push", bin, "--binding", "c", "--server", s.base, "--library", "geo", "--version", "1",
                           "--built-against", "other@1.0", "--token-file", s.tokens, NULL));
    cr_expect(t.exited && t.exit_status == 2, "--built-against another library: %s", tool_run_outcome(&t));
    tool_run_free(&t);
    cr_assert(run_abiguard(&t, "push", bin, "--server", s.base, "--library", "geo", "--version", "9",
                           "--source-url", "ftp://x/{file}", "--token-file", s.tokens, NULL));
    cr_expect(t.exited && t.exit_status == 2, "--source-url ftp: %s", tool_run_outcome(&t));
    tool_run_free(&t);
    free(bin);
    cr_assert_eq(server_stop(&s), 0);
}

/* `abiguard diff OLD NEW --db --format json` of two stored releases. */
static json_t *cli_diff_json(const server *s, const char *old_ref, const char *new_ref)
{
    tool_run t;
    cr_assert(run_abiguard(&t, "diff", old_ref, new_ref, "--db", s->db, "--format", "json", NULL));
    cr_assert(t.exited && (t.exit_status == 4 || t.exit_status == 12), "diff %s %s: %s: %s", old_ref, new_ref,
              tool_run_outcome(&t), t.err);
    json_error_t e;
    json_t *j = json_loads(t.out, 0, &e);
    cr_assert(j, "diff %s %s: not JSON: %s", old_ref, new_ref, e.text);
    tool_run_free(&t);
    return j;
}

/* Every change location of a single-binary report links to pattern's
   3.0 sources; how many do. */
static size_t links_to_3(json_t *report)
{
    json_t *c;
    size_t i, linked = 0;
    json_array_foreach(json_object_get(report, "changes"), i, c) {
        const char *url = json_string_value(json_object_get(json_object_get(c, "location"), "url"));
        if (url) {
            cr_expect(strncmp(url, "https://src.example/geo/blob/3.0/", 33) == 0, "%s", url);
            linked++;
        }
    }
    return linked;
}

Test(server_bindings, diff_locations_link_to_the_source)
{
    server s;
    server_start(&s, false, NULL);
    seed(&s);
    json_t *d = get_json(&s, "/api/v1/diff?old=geo@2.0&new=geo@3.0", 200);
    json_t *changes = json_object_get(d, "changes"), *c;
    size_t i, linked = 0, removed_linked = 0;
    json_array_foreach(changes, i, c) {
        json_t *loc = json_object_get(c, "location");
        const char *file = json_string_value(json_object_get(loc, "file"));
        const char *url = json_string_value(json_object_get(loc, "url"));
        const char *id = json_string_value(json_object_get(c, "id"));
        if (strcmp(id, "fn-removed") == 0 && url)
            removed_linked++; /* declared in 2.0 only, which records no pattern */
        if (!file || !url || strcmp(id, "fn-removed") == 0)
            continue;
        char want[512];
        json_int_t line = json_integer_value(json_object_get(loc, "line"));
        if (line)
            snprintf(want, sizeof want, "https://src.example/geo/blob/3.0/%s#L%lld", file, (long long)line);
        else
            snprintf(want, sizeof want, "https://src.example/geo/blob/3.0/%s", file);
        cr_expect_str_eq(url, want);
        linked++;
    }
    cr_expect(linked > 0, "no change location carries a link:\n%s", json_dumps(d, 0));
    cr_expect_eq(removed_linked, 0, "a function removed in 3.0 links to 3.0's sources");
    /* `abiguard diff` of the stored releases writes the same report, links included */
    json_t *cli = cli_diff_json(&s, "geo@2.0", "geo@3.0");
    cr_expect(json_equal(cli, d), "the CLI's report differs from the service's:\n%s\n%s", json_dumps(cli, 0),
              json_dumps(d, 0));
    json_decref(cli);
    json_decref(d);
    /* a release without a pattern has no links */
    d = get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@2.0", 200);
    json_array_foreach(json_object_get(d, "changes"), i, c)
        cr_expect(!json_object_get(json_object_get(c, "location"), "url"), "geo 2.0 has no source URL");
    json_decref(d);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* Releases of several binaries (issue 14): geo 1.0-3.0 pushed as tars
   whose first library is libarray_dimension_changed and whose second is
   libgeo (tests/fixtures/artifacts: geo-vN.tar), geo 4.0 as a package of
   two other libraries. A binding is checked against the binary its
   DT_NEEDED names, as `abiguard check` does; a release with none of them
   says so. */

static void push_tar(server *s, const char *file, const char *version)
{
    char *path = NULL;
    cr_assert(asprintf(&path, "%s/artifacts/%s", fixtures_dir(), file) > 0);
    tool_run t;
    cr_assert(run_abiguard(&t, "push", path, "--server", s->base, "--library", "geo", "--version", version,
                           "--token-file", s->tokens, "--no-system-debug", "--no-debuginfod", NULL));
    cr_assert(t.exited && t.exit_status == 0 && strstr(t.out, "(2 binaries,"), "%s: %s%s", tool_run_outcome(&t),
              t.out, t.err);
    tool_run_free(&t);
    free(path);
}

/* `abiguard check --format json` of a binding against a release of
   several binaries: the verdict, and the changes of its one section. */
static void cli_check_release(const server *s, const char *rel, const char *ver, const char *built, char verdict[32],
                              size_t *n_changes)
{
    char *bin = fixture_path(rel), lib[64];
    snprintf(lib, sizeof lib, "geo@%s", ver);
    tool_run t;
    if (built)
        cr_assert(run_abiguard(&t, "check", bin, "--library", lib, "--built-against", built, "--db", s->db, "--format",
                               "json", NULL));
    else
        cr_assert(run_abiguard(&t, "check", bin, "--library", lib, "--db", s->db, "--format", "json", NULL));
    json_error_t e;
    json_t *root = json_loads(t.out, 0, &e);
    cr_assert(root, "check %s %s: %s %s", rel, lib, tool_run_outcome(&t), t.err);
    cr_assert_str_eq(json_string_value(json_object_get(root, "format")), "abiguard-release-diff/1");
    json_t *bins = json_object_get(root, "binaries");
    cr_assert_eq(json_array_size(bins), 1, "one binding, one section: %s", t.out);
    cr_expect_str_eq(json_string_value(json_object_get(json_array_get(bins, 0), "new_path")), "usr/lib/libgeo.so.1",
                     "check uses the library its DT_NEEDED names");
    snprintf(verdict, 32, "%s", json_string_value(json_object_get(root, "verdict")));
    *n_changes = json_array_size(json_object_get(json_object_get(json_array_get(bins, 0), "diff"), "changes"));
    json_decref(root);
    tool_run_free(&t);
    free(bin);
}

Test(server_bindings, a_release_of_several_binaries_is_checked_in_the_binary_the_binding_needs)
{
    server s;
    server_start(&s, false, NULL);
    static const char *const tars[] = { "geo-v1.tar", "geo-v2.tar", "geo-v3.tar" };
    for (int i = 0; i < 3; i++)
        push_tar(&s, tars[i], VERSIONS[i]);
    push_tar(&s, "pkg-v1.deb", "4.0"); /* libarray_dimension_changed and libversioned: no libgeo */
    push_binding(&s, "bindings/consumer", "consumer", "0.1", "geo@1.0", 0);
    push_binding(&s, "bindings/geomod.cpython-311-x86_64-linux-gnu.so", "geomod", "2.0", NULL, 0);

    json_t *list = get_json(&s, "/api/v1/libraries/geo/bindings", 200);
    cr_assert_eq(json_array_size(list), 2, "%s", json_dumps(list, 0));
    struct { const char *rel, *name, *ver, *built; } b[] = {
        { "bindings/consumer", "consumer", "0.1", "geo@1.0" },
        { "bindings/geomod.cpython-311-x86_64-linux-gnu.so", "geomod", "2.0", NULL },
    };
    for (size_t i = 0; i < 2; i++) {
        json_t *o = json_array_get(list, i), *releases = json_object_get(o, "releases");
        char path[128];
        snprintf(path, sizeof path, "/api/v1/libraries/geo/bindings/%s/%s", b[i].name, b[i].ver);
        json_t *page = get_json(&s, path, 200), *matrix = json_object_get(page, "matrix");
        cr_assert_eq(json_array_size(matrix), 4);
        for (size_t r = 0; r < 3; r++) {
            char verdict[32];
            size_t n = 0;
            cli_check_release(&s, b[i].rel, VERSIONS[r], b[i].built, verdict, &n);
            const char *listed = json_string_value(json_object_get(releases, VERSIONS[r]));
            cr_expect(listed && strcmp(listed, verdict) == 0, "%s vs geo %s: list says %s, check says %s", b[i].name,
                      VERSIONS[r], listed ? listed : "(none)", verdict);
            json_t *row = json_array_get(matrix, r);
            cr_expect_str_eq(json_string_value(json_object_get(row, "verdict")), verdict, "%s vs %s", b[i].name,
                             VERSIONS[r]);
            cr_expect_str_eq(json_string_value(json_object_get(row, "binary")), "libgeo.so.1");
            size_t shown = json_array_size(json_object_get(row, "changes")) +
                           (size_t)json_integer_value(json_object_get(row, "more"));
            cr_expect_eq(shown, n, "%s vs geo %s: the page lists %zu changes, check reports %zu", b[i].name,
                         VERSIONS[r], shown, n);
        }
        /* geo 4.0 ships no libgeo: not checked, and said so. */
        cr_expect(json_is_null(json_object_get(releases, "4.0")), "%s", json_dumps(o, 0));
        const char *why = json_string_value(json_object_get(json_object_get(o, "unchecked"), "4.0"));
        cr_expect(why && strstr(why, "geo@4.0 has none of the libraries") && strstr(why, "libgeo.so.1") &&
                      strstr(why, "libversioned.so.2"), "%s", why ? why : "(no reason)");
        json_t *row4 = json_array_get(matrix, 3);
        cr_expect(json_is_null(json_object_get(row4, "verdict")));
        cr_expect(json_string_value(json_object_get(row4, "unchecked")), "%s", json_dumps(row4, 0));
        cr_expect_str_eq(json_string_value(json_object_get(page, "file_name")), b[i].name[0] == 'c' ? "consumer"
                         : "geomod.cpython-311-x86_64-linux-gnu.so");
        cr_expect(json_is_true(json_object_get(page, "built_against_stored")) == (b[i].built != NULL),
                  "the baseline of two binaries is the one the binding needs");
        json_decref(page);
    }
    json_t *consumer = json_object_get(json_array_get(list, 0), "releases");
    cr_expect_str_eq(json_string_value(json_object_get(consumer, "1.0")), "none");
    cr_expect_str_eq(json_string_value(json_object_get(consumer, "3.0")), "breaking");
    json_decref(list);

    /* The narrowed diff compares the binary the binding uses. */
    json_t *mine = get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@3.0&binding=geomod@2.0", 200);
    cr_expect_str_eq(json_string_value(json_object_get(mine, "format")), "abiguard-diff/1");
    cr_expect_str_eq(json_string_value(json_object_get(mine, "old")), "geo@1.0:libgeo.so.1");
    cr_expect_str_eq(json_string_value(json_object_get(mine, "new")), "geo@3.0:libgeo.so.1");
    cr_expect(mentions(mine, "struct geo_point::x"), "the narrowed diff lost geomod's own break");
    cr_expect(!mentions(mine, "geo_rect") && !mentions(mine, "geo_legacy_scale"));
    json_decref(mine);
    resp r = srv_get(&s, "/api/v1/diff?old=geo@1.0&new=geo@4.0&binding=geomod@2.0");
    srv_expect_error(&r, 404, "a release without libgeo");
    cr_expect(strstr(r.body, "geo@4.0 has none of the libraries geomod 2.0 needs (libgeo.so.1"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* A store of schema 3 (before bindings, audits and source links), never
   upgraded because it is read-only: the service serves it read-only, and
   what the schema lacks reads as empty, never as a 500. */

static void downgrade_to_schema_3(const char *db)
{
    sqlite3 *h = NULL;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, "PRAGMA journal_mode = DELETE; DROP TABLE bindings; DROP TABLE audits;"
                             " DROP INDEX binaries_release_soname; ALTER TABLE binaries DROP COLUMN inner_path;"
                             " ALTER TABLE releases DROP COLUMN source_url; PRAGMA user_version = 3;",
                          NULL, NULL, &msg);
    cr_assert(rc == SQLITE_OK, "downgrade: %s", msg ? msg : "?");
    sqlite3_close(h);
}

Test(server_bindings, a_read_only_schema_3_store_has_no_bindings_not_an_error)
{
    char *dir = make_temp_dir();
    if (mount("tmpfs", dir, "tmpfs", 0, "size=16m,mode=0755") != 0) {
        int e = errno;
        remove_tree(dir);
        cr_skip_test("cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): %s", strerror(e));
    }
    char *db = path_join2(dir, "store.db");
    for (int i = 0; i < 2; i++) {
        char *lib = geo_lib(DIRS[i]);
        tool_run t;
        cr_assert(run_abiguard(&t, "add", lib, "--library", "geo", "--version", VERSIONS[i], "--db", db, NULL));
        cr_assert(t.exited && t.exit_status == 0, "%s", t.err);
        tool_run_free(&t);
        free(lib);
    }
    downgrade_to_schema_3(db);
    cr_assert(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount ro: %s", strerror(errno));

    server s;
    server_start_opts(&s, &(server_opts){ .db = db });
    json_t *list = get_json(&s, "/api/v1/libraries/geo/bindings", 200);
    cr_expect(json_is_array(list) && json_array_size(list) == 0, "%s", json_dumps(list, 0));
    json_decref(list);
    json_decref(get_json(&s, "/api/v1/libraries/geo/bindings/consumer/0.1", 404));
    json_decref(get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@2.0&binding=consumer@0.1", 404));
    json_t *audits = get_json(&s, "/api/v1/audits", 200);
    cr_expect_eq(json_array_size(audits), 0);
    json_decref(audits);
    json_decref(get_json(&s, "/api/v1/audits/1", 404));
    /* the reads that schema 3 has */
    json_t *d = get_json(&s, "/api/v1/diff?old=geo@1.0&new=geo@2.0", 200);
    cr_expect_str_eq(json_string_value(json_object_get(d, "verdict")), "breaking");
    json_decref(d);
    json_t *h = get_json(&s, "/api/v1/libraries/geo/history", 200);
    cr_expect_eq(json_array_size(h), 2);
    json_decref(h);
    /* writes: a clear 503, nothing written */
    char *bin = fixture_path("bindings/consumer");
    tool_run t;
    cr_assert(run_abiguard(&t, "push", bin, "--binding", "consumer", "--server", s.base, "--library", "geo",
                           "--version", "0.1", "--token-file", s.tokens, NULL));
    cr_expect(t.exited && t.exit_status == 1 && strstr(t.err, "503") && strstr(t.err, "read-only"), "%s: %s",
              tool_run_outcome(&t), t.err);
    tool_run_free(&t);
    free(bin);
    char *log = server_log(&s);
    cr_expect(strstr(log, "served read-only"), "%s", log);
    cr_expect(!strstr(log, " 500 "), "a 500 on a read-only schema-3 store:\n%s", log);
    free(log);
    cr_expect_eq(server_stop(&s), 0);
    umount2(dir, MNT_DETACH);
    remove_tree(dir);
    free(db);
    free(dir);
}

/* A release of several binaries pushed with --source-url: its release diff
   links each binary's changes, named (V:SONAME) or not, and `abiguard diff`
   of the stored releases writes the same reports. */
Test(server_bindings, diffs_of_several_binaries_link_to_the_source)
{
    server s;
    server_start(&s, false, NULL);
    static const char *const tars[] = { "geo-v2.tar", "geo-v3.tar" };
    for (int i = 0; i < 2; i++) {
        char *path = NULL;
        cr_assert(asprintf(&path, "%s/artifacts/%s", fixtures_dir(), tars[i]) > 0);
        tool_run t;
        cr_assert(run_abiguard(&t, "push", path, "--server", s.base, "--library", "geo", "--version", VERSIONS[i + 1],
                               "--token-file", s.tokens, "--source-url", PATTERN, "--no-system-debug",
                               "--no-debuginfod", NULL));
        cr_assert(t.exited && t.exit_status == 0, "%s", t.err);
        tool_run_free(&t);
        free(path);
    }
    json_t *d = get_json(&s, "/api/v1/diff?old=geo@2.0&new=geo@3.0", 200);
    cr_assert_str_eq(json_string_value(json_object_get(d, "format")), "abiguard-release-diff/1");
    json_t *b;
    size_t i, linked = 0;
    json_array_foreach(json_object_get(d, "binaries"), i, b)
        linked += links_to_3(json_object_get(b, "diff"));
    cr_expect(linked > 0, "no link in the release diff: %s", json_dumps(d, 0));
    json_t *cli = cli_diff_json(&s, "geo@2.0", "geo@3.0");
    cr_expect(json_equal(cli, d), "the CLI's release report differs from the service's:\n%s\n%s",
              json_dumps(cli, 0), json_dumps(d, 0));
    json_decref(cli);
    json_decref(d);
    d = get_json(&s, "/api/v1/diff?old=geo@2.0:libgeo.so.1&new=geo@3.0:libgeo.so.1", 200);
    cr_expect(links_to_3(d) > 0, "{version} of V:SONAME is the release's version: %s", json_dumps(d, 0));
    cli = cli_diff_json(&s, "geo@2.0:libgeo.so.1", "geo@3.0:libgeo.so.1");
    cr_expect(json_equal(cli, d), "the CLI's report of one binary differs from the service's");
    json_decref(cli);
    json_decref(d);
    cr_assert_eq(server_stop(&s), 0);
}
