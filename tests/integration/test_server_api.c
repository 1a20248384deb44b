/*
 * test_server_api.c — `abiguard serve` as clients see it (server_run.h:
 * the built binary on a free loopback port with a temporary store seeded
 * with lua 5.3 and 5.4 and a temporary token file, driven with libcurl;
 * test_server_limits.c has the limits and attacks). Every endpoint
 * of docs/api.md, every error status, auth, oversize bodies, path
 * traversal, SQL-looking names, a corpus round trip, the diff against
 * `abiguard diff --format json`, 8 concurrent pushers x 50 releases, and a
 * SIGTERM that lets the request in flight finish.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server_run.h"
#include "tool_run.h"

TestSuite(server, .timeout = 180 * SANITIZER_SLOWDOWN); /* 400 uploads under ASan on a loaded machine */

/* ------------------------------------------------------------------ */

Test(server, read_endpoints)
{
    server s;
    server_start(&s, true, NULL);

    resp r = srv_get(&s, "/healthz");
    cr_assert_eq(r.status, 200);
    json_t *v = srv_parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "ok");
    cr_assert(json_integer_value(json_object_get(v, "schema")) >= 1);
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries");
    cr_assert_eq(r.status, 200);
    srv_expect_header(&r, "Content-Type: application/json");
    srv_expect_header(&r, "Cache-Control: no-store");
    srv_expect_header(&r, "X-Content-Type-Options: nosniff");
    v = srv_parse(&r);
    cr_assert_eq(json_array_size(v), 1);
    json_t *lib = json_array_get(v, 0);
    cr_assert_str_eq(json_string_value(json_object_get(lib, "name")), "lua");
    cr_assert_eq(json_integer_value(json_object_get(lib, "releases")), 2);
    json_t *latest = json_object_get(lib, "latest");
    cr_assert_str_eq(json_string_value(json_object_get(latest, "version")), "5.4.4");
    cr_assert_str_eq(json_string_value(json_object_get(latest, "soname")), "liblua5.4.so.0");
    cr_assert_str_eq(json_string_value(json_object_get(latest, "verdict")), "breaking");
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries/lua/releases");
    cr_assert_eq(r.status, 200);
    v = srv_parse(&r);
    cr_assert_eq(json_array_size(v), 2);
    json_t *r0 = json_array_get(v, 0);
    cr_assert_str_eq(json_string_value(json_object_get(r0, "version")), "5.3.6");
    cr_assert_str_eq(json_string_value(json_object_get(r0, "machine")), "x86_64");
    cr_assert_eq(json_integer_value(json_object_get(r0, "exports")), 147);
    cr_assert(json_is_true(json_object_get(r0, "debug_info")));
    cr_assert(json_is_string(json_object_get(r0, "build_id")));
    cr_assert(json_is_string(json_object_get(r0, "added")));
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries/lua/releases/5.4.4");
    cr_assert_eq(r.status, 200);
    v = srv_parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(v, "file_name")), "liblua5.4.so.0");
    cr_assert_eq(strlen(json_string_value(json_object_get(v, "sha256"))), 64);
    cr_assert_eq(json_array_size(json_object_get(v, "needed")), 2);
    cr_assert(json_is_true(json_object_get(json_object_get(v, "hardening"), "relro")));
    cr_assert(json_integer_value(json_object_get(v, "imports")) > 0);
    cr_assert(json_is_integer(json_object_get(v, "variables")));
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries/lua/releases/5.4.4/types");
    cr_assert_eq(r.status, 200);
    v = srv_parse(&r);
    bool found = false;
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *t = json_array_get(v, i);
        if (i)
            cr_assert(strcmp(json_string_value(json_object_get(json_array_get(v, i - 1), "name")),
                             json_string_value(json_object_get(t, "name"))) < 0, "types not sorted");
        if (strcmp(json_string_value(json_object_get(t, "name")), "struct lua_Debug") == 0)
            found = json_integer_value(json_object_get(t, "size")) == 136;
    }
    cr_assert(found, "struct lua_Debug (136 bytes) not listed: %s", r.body);
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries/lua/releases/5.4.4/types/struct%20lua_Debug");
    cr_assert_eq(r.status, 200, "%s", r.body);
    v = srv_parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(v, "name")), "struct lua_Debug");
    cr_assert_eq(json_integer_value(json_object_get(v, "size")), 136);
    json_t *m = json_object_get(v, "members");
    cr_assert(json_array_size(m) > 5);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(m, 1), "name")), "name");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(m, 1), "offset")), 8);
    /* int event at 0, then a pointer at 8: a 4-byte hole at 4 */
    json_t *h0 = json_array_get(json_object_get(v, "holes"), 0);
    cr_assert_eq(json_integer_value(json_object_get(h0, "offset")), 4);
    cr_assert_eq(json_integer_value(json_object_get(h0, "size")), 4);
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries/lua/history");
    cr_assert_eq(r.status, 200);
    v = srv_parse(&r);
    cr_assert_eq(json_array_size(v), 2);
    cr_assert(json_is_null(json_object_get(json_array_get(v, 0), "verdict")));
    json_t *h1 = json_array_get(v, 1);
    cr_assert_str_eq(json_string_value(json_object_get(h1, "verdict")), "breaking");
    cr_assert(json_integer_value(json_object_get(json_object_get(h1, "counts"), "breaking")) > 0);
    cr_assert(json_is_integer(json_object_get(h1, "functions_added")));
    json_decref(v);
    resp_free(&r);

    r = srv_get(&s, "/api/v1/libraries/lua/matrix");
    cr_assert_eq(r.status, 200);
    v = srv_parse(&r);
    cr_assert_eq(json_array_size(json_object_get(v, "versions")), 2);
    json_t *cells = json_object_get(v, "cells");
    cr_assert(json_is_null(json_array_get(json_array_get(cells, 0), 0)));
    cr_assert_str_eq(json_string_value(json_array_get(json_array_get(cells, 0), 1)), "breaking");
    json_decref(v);
    resp_free(&r);

    /* asked twice: the second answer (cached) is the same */
    for (int i = 0; i < 2; i++) {
        r = srv_get(&s, "/api/v1/libraries/lua/history");
        resp r2 = srv_get(&s, "/api/v1/libraries/lua/history");
        cr_assert_str_eq(r.body, r2.body);
        resp_free(&r);
        resp_free(&r2);
    }

    /* compatibility of a binding's imports */
    const char *ask = "{\"library\":\"lua\",\"imports\":[{\"name\":\"lua_newstate\"},"
                      "{\"name\":\"lua_resetthread\",\"version\":\"LUA_5.4\"}]}";
    r = srv_http(&s, "/api/v1/compatible", &(req){ .body = ask, .len = strlen(ask) });
    cr_assert_eq(r.status, 200, "%s", r.body);
    v = srv_parse(&r);
    cr_assert_eq(json_array_size(json_object_get(v, "compatible")), 1, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(v, "compatible"), 0)), "5.4.4");
    json_t *inc = json_array_get(json_object_get(v, "incompatible"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(inc, "version")), "5.3.6");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(inc, "missing"), 0)),
                     "lua_resetthread@LUA_5.4");
    json_decref(v);
    resp_free(&r);
    const char *ask2 = "{\"library\":\"lua\",\"imports\":[{\"name\":\"lua_pushnil\"}],\"built_against\":\"5.3.6\"}";
    r = srv_http(&s, "/api/v1/compatible", &(req){ .body = ask2, .len = strlen(ask2) });
    cr_assert_eq(r.status, 200, "%s", r.body);
    v = srv_parse(&r);
    json_t *c0 = json_object_get(v, "compatible");
    cr_assert(json_array_size(c0) >= 1 && strcmp(json_string_value(json_array_get(c0, 0)), "5.3.6") == 0,
              "%s", r.body);
    json_decref(v);
    resp_free(&r);

    cr_assert_eq(server_stop(&s), 0);
}

Test(server, error_statuses)
{
    server s;
    server_start(&s, true, NULL);
    size_t len;
    char *corpus = srv_extract_json(LUA53, &len);
    resp r;

    r = srv_get(&s, "/api/v1/libraries/nope/releases");
    srv_expect_error(&r, 404, "unknown library");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua/releases/9.9");
    srv_expect_error(&r, 404, "unknown version");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua/releases/9.9/corpus");
    srv_expect_error(&r, 404, "unknown version corpus");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua/releases/5.4.4/types/struct%20no_such");
    srv_expect_error(&r, 404, "unknown type");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/nope/history");
    srv_expect_error(&r, 404, "unknown library history");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/nope/matrix");
    srv_expect_error(&r, 404, "unknown library matrix");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/diff?old=lua@5.3.6&new=lua@7");
    srv_expect_error(&r, 404, "diff with an unknown version");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/nothing");
    srv_expect_error(&r, 404, "unknown API path");
    resp_free(&r);
    r = srv_get(&s, "/api/v2/libraries");
    srv_expect_error(&r, 404, "other API version");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/diff?old=lua@5.3.6");
    srv_expect_error(&r, 400, "diff without new");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/diff?old=lua&new=lua@5.4.4");
    srv_expect_error(&r, 400, "diff with a ref without @");
    resp_free(&r);

    r = srv_http(&s, "/api/v1/libraries", &(req){ .method = "DELETE" });
    srv_expect_error(&r, 405, "DELETE libraries");
    srv_expect_header(&r, "Allow: GET, HEAD");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/compatible");
    srv_expect_error(&r, 405, "GET compatible");
    resp_free(&r);
    r = srv_http(&s, "/api/v1/libraries/lua/history", &(req){ .body = "{}", .len = 2, .token = TOKEN });
    srv_expect_error(&r, 405, "POST history");
    resp_free(&r);

    /* auth */
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", corpus, len, NULL);
    srv_expect_error(&r, 401, "no token");
    srv_expect_header(&r, "WWW-Authenticate: Bearer");
    resp_free(&r);
    r = srv_http(&s, "/api/v1/libraries/lua/releases/6.0",
             &(req){ .body = corpus, .len = len, .header = "Authorization: Basic dXNlcjpwdw==" });
    srv_expect_error(&r, 401, "basic auth");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", corpus, len, "wrong-token");
    srv_expect_error(&r, 403, "wrong token");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", corpus, len, "s3cret-token-");
    srv_expect_error(&r, 403, "a prefix of a token");
    resp_free(&r);

    /* bad bodies change nothing */
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", "{\"format\": ", 11, TOKEN);
    srv_expect_error(&r, 400, "malformed JSON");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", "", 0, TOKEN);
    srv_expect_error(&r, 400, "empty body");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", "[1, 2]", 6, TOKEN);
    srv_expect_error(&r, 422, "JSON that is not a corpus");
    resp_free(&r);
    char *tampered = strdup(corpus);
    char *id = strstr(strstr(tampered, "\"types\": ["), "\"id\": \"");
    cr_assert(id);
    id += 7;
    *id = *id == 'f' ? '0' : 'f';
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", tampered, len, TOKEN);
    srv_expect_error(&r, 422, "tampered type id");
    resp_free(&r);
    free(tampered);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/5.3.6", corpus, len, TOKEN);
    srv_expect_error(&r, 409, "duplicate release");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0?date=2024-13-45", corpus, len, TOKEN);
    srv_expect_error(&r, 400, "bad date");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6%400", corpus, len, TOKEN);
    srv_expect_error(&r, 400, "version with @");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/compatible", "not json", 8, NULL);
    srv_expect_error(&r, 400, "compatible: malformed JSON");
    resp_free(&r);
    r = srv_post(&s, "/api/v1/compatible", "{\"imports\": 3}", 14, NULL);
    srv_expect_error(&r, 400, "compatible: wrong shape");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua/releases");
    json_t *v = srv_parse(&r);
    cr_assert_eq(json_array_size(v), 2, "a failed write changed the store: %s", r.body);
    json_decref(v);
    resp_free(&r);

    /* a good write, then ?replace=1 */
    r = srv_post(&s, "/api/v1/libraries/lua/releases/5.3.6?replace=1&date=2020-09-25&notes=again", corpus, len,
             TOKEN);
    cr_assert_eq(r.status, 201, "%s", r.body);
    v = srv_parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(v, "library")), "lua");
    cr_assert_str_eq(json_string_value(json_object_get(v, "version")), "5.3.6");
    cr_assert_eq(json_integer_value(json_object_get(v, "functions")), 146);
    json_decref(v);
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua/releases/5.3.6");
    v = srv_parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(v, "date")), "2020-09-25");
    cr_assert_str_eq(json_string_value(json_object_get(v, "notes")), "again");
    json_decref(v);
    resp_free(&r);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/6.0", corpus, len, " first-token");
    cr_assert_eq(r.status, 201, "the first token (trimmed in the file): %s", r.body);
    resp_free(&r);

    free(corpus);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, body_limit)
{
    server s;
    const char *extra[] = { "--max-body", "4096", NULL };
    server_start(&s, false, extra);
    size_t n = 100000;
    char *big = malloc(n + 1); /* NUL-terminated: chunked mode gives curl no length */
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    /* Content-Length over the limit: answered before the body is sent */
    resp r = srv_http(&s, "/api/v1/libraries/x/releases/1",
                  &(req){ .body = big, .len = n, .token = TOKEN, .header = "Expect: 100-continue" });
    srv_expect_error(&r, 413, "Content-Length over the limit");
    resp_free(&r);
    /* chunked, no length: the limit is crossed while reading */
    r = srv_http(&s, "/api/v1/libraries/x/releases/1", &(req){ .body = big, .len = n, .token = TOKEN, .chunked = true });
    srv_expect_error(&r, 413, "chunked body over the limit");
    resp_free(&r);
    /* under the limit it is read (and is no corpus) */
    r = srv_post(&s, "/api/v1/libraries/x/releases/1", big, 4096, TOKEN);
    srv_expect_error(&r, 400, "a body at the limit");
    resp_free(&r);
    r = srv_get(&s, "/healthz");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    free(big);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, sql_looking_names)
{
    server s;
    server_start(&s, true, NULL);
    CURL *c = curl_easy_init();
    char *name = curl_easy_escape(c, "lua'; DROP TABLE releases;--", 0);
    char path[512];
    snprintf(path, sizeof path, "/api/v1/libraries/%s/releases", name);
    resp r = srv_get(&s, path);
    srv_expect_error(&r, 404, "SQL-looking library");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/libraries/lua/releases/%s", name);
    r = srv_get(&s, path);
    srv_expect_error(&r, 404, "SQL-looking version");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/diff?old=%s@1&new=lua@5.4.4", name);
    r = srv_get(&s, path);
    srv_expect_error(&r, 404, "SQL-looking diff ref");
    resp_free(&r);
    /* stored as a name like any other */
    size_t len;
    char *corpus = srv_extract_json(LUA53, &len);
    snprintf(path, sizeof path, "/api/v1/libraries/%s/releases/1.0", name);
    r = srv_post(&s, path, corpus, len, TOKEN);
    cr_assert_eq(r.status, 201, "%s", r.body);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/libraries/%s/releases", name);
    r = srv_get(&s, path);
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua/releases");
    json_t *v = srv_parse(&r);
    cr_assert_eq(json_array_size(v), 2, "the releases table is still there");
    json_decref(v);
    resp_free(&r);
    tool_run t;
    cr_assert(run_abiguard(&t, "list", "--db", s.db, NULL));
    cr_assert(t.exited && t.exit_status == 0 && strstr(t.out, "DROP TABLE"), "%s%s", t.out, t.err);
    tool_run_free(&t);
    curl_free(name);
    curl_easy_cleanup(c);
    free(corpus);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, static_files_and_traversal)
{
    server s;
    server_start(&s, false, NULL);
    resp r = srv_get(&s, "/");
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "<title>abiguard</title>"));
    srv_expect_header(&r, "Content-Type: text/html");
    srv_expect_header(&r, "X-Content-Type-Options: nosniff");
    resp_free(&r);
    r = srv_get(&s, "/index.html");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    const char *attempts[] = {
        "/../secret.txt", "/%2e%2e/secret.txt", "/web/../../secret.txt", "/index.html/../../secret.txt",
        "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "//etc/passwd", "/../../../../etc/passwd",
        "/link.html", "/secret.txt", "/.%2e/secret.txt", "/index.html%00.png", "/api/../secret.txt",
    };
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        r = srv_get(&s, attempts[i]);
        cr_assert_eq(r.status, 404, "%s: %ld", attempts[i], r.status);
        cr_assert(!strstr(r.body, "TOP SECRET") && !strstr(r.body, "root:"), "%s leaked: %s", attempts[i], r.body);
        resp_free(&r);
    }
    r = srv_http(&s, "/index.html", &(req){ .body = "x", .len = 1, .token = TOKEN });
    srv_expect_error(&r, 405, "POST to a static file");
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, corpus_round_trip_and_diff)
{
    server s;
    server_start(&s, true, NULL);
    size_t len;
    char *corpus = srv_extract_json(LUA54, &len);
    resp r = srv_post(&s, "/api/v1/libraries/lua54copy/releases/1", corpus, len, TOKEN);
    cr_assert_eq(r.status, 201, "%s", r.body);
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/lua54copy/releases/1/corpus");
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.len, len);
    cr_assert(memcmp(r.body, corpus, len) == 0, "the corpus did not come back byte-identical");
    resp_free(&r);
    free(corpus);

    /* the diff equals `abiguard diff --format json` of the same refs (labels aside) */
    r = srv_get(&s, "/api/v1/diff?old=lua@5.3.6&new=lua@5.4.4");
    cr_assert_eq(r.status, 200);
    resp again = srv_get(&s, "/api/v1/diff?old=lua@5.3.6&new=lua@5.4.4");
    cr_assert_str_eq(r.body, again.body, "a cached diff differs");
    resp_free(&again);
    tool_run t;
    cr_assert(run_abiguard(&t, "diff", "lua@5.3.6", "lua@5.4.4", "--format", "json", "--db", s.db, NULL));
    cr_assert(t.exited && t.exit_status == 12, "%s", tool_run_outcome(&t));
    json_error_t e;
    json_t *api = srv_parse(&r), *cli = json_loads(t.out, 0, &e);
    cr_assert(cli);
    json_object_del(api, "old");
    json_object_del(api, "new");
    json_object_del(cli, "old");
    json_object_del(cli, "new");
    cr_assert(json_equal(api, cli), "the API diff differs from abiguard diff --format json");
    json_decref(api);
    json_decref(cli);
    tool_run_free(&t);
    resp_free(&r);
    /* and the other way round, computed by the service first */
    r = srv_get(&s, "/api/v1/diff?old=lua@5.4.4&new=lua54copy@1");
    cr_assert_eq(r.status, 200);
    json_t *same = srv_parse(&r);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(same, "summary"), "verdict")) ?
                     json_string_value(json_object_get(json_object_get(same, "summary"), "verdict")) : "none",
                     "none", "%.400s", r.body);
    json_decref(same);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */

#define PUSHERS 8
#define PER_PUSHER 50

typedef struct pusher {
    const server *s;
    const char *corpus;
    size_t len;
    int id;
    int failures;
    char first_error[1024];
} pusher;

static void *push_many(void *arg)
{
    pusher *p = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
    h = curl_slist_append(h, "Expect:");
    for (int i = 0; i < PER_PUSHER; i++) {
        char url[256];
        snprintf(url, sizeof url, "%s/api/v1/libraries/pushed/releases/%d.%d", p->s->base, p->id, i);
        srv_buf body = { 0 };
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->corpus);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, srv_on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        long status = 0;
        CURLcode rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 201) {
            if (!p->failures++)
                snprintf(p->first_error, sizeof p->first_error, "%s: %s %ld %.150s", url, curl_easy_strerror(rc),
                         status, body.data ? body.data : "");
        }
        free(body.data);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

Test(server, concurrent_pushers)
{
    server s;
    server_start(&s, false, NULL);
    size_t len;
    char *corpus = srv_extract_json(LUA53, &len);
    pthread_t th[PUSHERS];
    pusher ps[PUSHERS];
    for (int i = 0; i < PUSHERS; i++) {
        ps[i] = (pusher){ .s = &s, .corpus = corpus, .len = len, .id = i };
        cr_assert(pthread_create(&th[i], NULL, push_many, &ps[i]) == 0);
    }
    for (int i = 0; i < PUSHERS; i++)
        pthread_join(th[i], NULL);
    problem_list probs = { 0 };
    for (int i = 0; i < PUSHERS; i++)
        if (ps[i].failures)
            problem_add(&probs, "pusher %d: %d failed, first: %s", i, ps[i].failures, ps[i].first_error);
    problem_assert_none(&probs, "pushes");

    resp r = srv_get(&s, "/api/v1/libraries/pushed/releases");
    json_t *v = srv_parse(&r);
    cr_assert_eq(json_array_size(v), PUSHERS * PER_PUSHER, "%zu releases", json_array_size(v));
    json_decref(v);
    resp_free(&r);
    for (int i = 0; i < PUSHERS; i++)
        for (int k = 0; k < PER_PUSHER; k++) {
            char path[128];
            snprintf(path, sizeof path, "/api/v1/libraries/pushed/releases/%d.%d/corpus", i, k);
            r = srv_get(&s, path);
            if (r.status != 200 || r.len != len || memcmp(r.body, corpus, len) != 0)
                problem_add(&probs, "%s: status %ld, %zu bytes", path, r.status, r.len);
            resp_free(&r);
        }
    problem_assert_none(&probs, "stored releases");
    free(corpus);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */

typedef struct slow_upload {
    const server *s;
    const char *data;
    size_t len, sent;
    volatile int half_sent;   /* set when half the body is out */
    volatile int go_on;       /* set by the test after SIGTERM */
    long status;
    CURLcode rc;
} slow_upload;

static size_t slow_read(char *out, size_t size, size_t n, void *ud)
{
    slow_upload *u = ud;
    if (u->sent >= u->len / 2 && !u->go_on) {
        u->half_sent = 1;
        while (!u->go_on)
            sleep_ms(10);
    }
    size_t want = size * n, left = u->len - u->sent;
    if (u->sent < u->len / 2 && want > u->len / 2 - u->sent)
        want = u->len / 2 - u->sent;
    if (want > left)
        want = left;
    memcpy(out, u->data + u->sent, want);
    u->sent += want;
    return want;
}

static void *upload(void *arg)
{
    slow_upload *u = arg;
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/api/v1/libraries/lua/releases/7.0", u->s->base);
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
    h = curl_slist_append(h, "Expect:");
    srv_buf body = { 0 };
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, slow_read);
    curl_easy_setopt(c, CURLOPT_READDATA, u);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, srv_on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    u->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &u->status);
    free(body.data);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

Test(server, sigterm_finishes_request_in_flight)
{
    server s;
    server_start(&s, true, NULL);
    size_t len;
    char *corpus = srv_extract_json(LUA53, &len);
    slow_upload u = { .s = &s, .data = corpus, .len = len };
    pthread_t th;
    cr_assert(pthread_create(&th, NULL, upload, &u) == 0);
    for (int i = 0; i < 500 && !u.half_sent; i++)
        sleep_ms(10);
    cr_assert(u.half_sent);
    sleep_ms(100); /* the server has the headers and half the body */
    kill(s.pid, SIGTERM);
    sleep_ms(300);
    int status;
    cr_assert_eq(waitpid(s.pid, &status, WNOHANG), 0, "the server exited with a request in flight");
    u.go_on = 1;
    pthread_join(th, NULL);
    cr_assert(u.rc == CURLE_OK && u.status == 201, "the request in flight: %s, status %ld",
              curl_easy_strerror(u.rc), u.status);
    pid_t pid = s.pid;
    for (int i = 0; i < 400 && waitpid(pid, &status, WNOHANG) == 0; i++)
        sleep_ms(25);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "serve did not exit 0 after SIGTERM");
    char *log = read_whole_file(s.log, NULL);
    cr_assert(log && strstr(log, "POST /api/v1/libraries/lua/releases/7.0 201 "), "log:\n%s", log);
    cr_assert(strstr(log, "GET") == NULL || true);
    free(log);
    s.pid = 0;
    /* the release is in the store */
    tool_run t;
    cr_assert(run_abiguard(&t, "list", "lua", "--db", s.db, NULL));
    cr_assert(t.exited && t.exit_status == 0 && strstr(t.out, "7.0"), "%s%s", t.out, t.err);
    tool_run_free(&t);
    free(corpus);
    server_stop(&s);
}
