/*
 * test_debuginfod.c — debug info fetched by build-id from Debian's real
 * `debuginfod` on loopback. The fixture libtypes.so is split the way
 * distributions ship it (objcopy --only-keep-debug, strip --strip-debug, no
 * .gnu_debuglink), the debug half put in a directory debuginfod scans, and
 * the stripped half extracted through the server:
 *   - the corpus has the same functions and types as the unstripped
 *     fixture's, with debug_source "debuginfod", and the file is cached
 *     under $XDG_CACHE_HOME/abiguard/debuginfo/<build-id>.debug;
 *   - a second run is served from the cache: the server's own request
 *     counter (/metrics) does not move, and a dead server URL works too;
 *   - $DEBUGINFOD_URLS is honoured (blank-separated, a dead server first),
 *     and --no-debuginfod turns it off;
 *   - a server answering with another build's debug file is rejected with
 *     a warning naming both build-ids: the corpus says types unknown (exit
 *     0, as for any binary without debug info), nothing is cached.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_push_http.h"
#include "tool_run.h"

#define DEBUGINFOD "/usr/bin/debuginfod"

typedef struct dfd_env {
    char *dir;
    char *stripped;     /* the stripped copy */
    char *unstripped;   /* the fixture itself */
    char *serve_dir;    /* what debuginfod scans: the .debug file */
    char *cache;        /* $XDG_CACHE_HOME */
    char *build_id;
    char url[64];
    pid_t pid;
} dfd_env;

static void run_tool(const char *const argv[])
{
    tool_run r;
    cr_assert(tool_run_argv(argv, 60.0, &r), "cannot run %s", argv[0]);
    cr_assert(r.exited && r.exit_status == 0, "%s: %s\n%s", argv[0], tool_run_outcome(&r), r.err);
    tool_run_free(&r);
}

static json_t *extract_json(const char *lib, const char *a1, const char *a2, const char *a3, char **err_out)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "--no-system-debug", a1, a2, a3, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "extract %s: %s\n%s", lib, tool_run_outcome(&r), r.err);
    json_t *j = json_loadb(r.out, r.out_len, 0, NULL);
    cr_assert(j, "extract printed no JSON");
    if (err_out)
        *err_out = strdup(r.err);
    tool_run_free(&r);
    return j;
}

static void dfd_env_init(dfd_env *e)
{
    memset(e, 0, sizeof *e);
    e->pid = -1;
    e->dir = make_temp_dir();
    cr_assert(e->dir);
    e->unstripped = fixture_path("types/libtypes.so");
    e->stripped = path_join2(e->dir, "libtypes.so");
    e->serve_dir = path_join2(e->dir, "served");
    e->cache = path_join2(e->dir, "cache");
    cr_assert_eq(mkdir(e->serve_dir, 0755), 0);
    char *debug = path_join2(e->serve_dir, "libtypes.so.debug");
    const char *split[] = { "/usr/bin/objcopy", "--only-keep-debug", e->unstripped, debug, NULL };
    run_tool(split);
    const char *strip[] = { "/usr/bin/strip", "--strip-debug", "--remove-section=.gnu_debuglink", "-o",
                            e->stripped, e->unstripped, NULL };
    run_tool(strip);
    free(debug);
    setenv("XDG_CACHE_HOME", e->cache, 1);
    unsetenv("DEBUGINFOD_URLS");
    json_t *j = extract_json(e->stripped, "--no-debuginfod", NULL, NULL, NULL);
    cr_assert(json_is_false(json_object_get(j, "debug_info")), "the stripped copy still has debug info");
    e->build_id = strdup(json_string_value(json_object_get(json_object_get(j, "elf"), "build_id")));
    json_decref(j);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    char **buf = ctx;
    size_t old = *buf ? strlen(*buf) : 0;
    char *b = realloc(*buf, old + size * n + 1);
    if (!b)
        return 0;
    memcpy(b + old, p, size * n);
    b[old + size * n] = '\0';
    *buf = b;
    return size * n;
}

/* GET url: the status (0 when nothing answered); the body if wanted. */
static long http_get(const char *url, char **body)
{
    CURL *h = curl_easy_init();
    cr_assert(h);
    if (body)
        *body = NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body ? keep : discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    long code = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    return code;
}

/* http_requests_total{type="debuginfo"} from /metrics; -1 if absent. */
static long debuginfo_requests(const dfd_env *e)
{
    char url[96], *body = NULL;
    snprintf(url, sizeof url, "%s/metrics", e->url);
    cr_assert_eq(http_get(url, &body), 200, "GET %s failed", url);
    const char *key = "http_requests_total{type=\"debuginfo\"} ";
    const char *p = body ? strstr(body, key) : NULL;
    long n = p ? strtol(p + strlen(key), NULL, 10) : -1;
    free(body);
    return n;
}

/* Starts debuginfod over serve_dir and waits (up to 20 s) until it serves
   the build-id. A port taken in the meantime gets another try. */
static void start_debuginfod(dfd_env *e)
{
    if (access(DEBUGINFOD, X_OK) != 0)
        cr_skip_test("Debian's debuginfod is not installed (" DEBUGINFOD ")");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int tries = 0; tries < 3; tries++) {
        int port = mini_free_port();
        cr_assert(port > 0);
        char port_s[16], *db = path_join2(e->dir, "db.sqlite"), *log = path_join2(e->dir, "debuginfod.log");
        snprintf(port_s, sizeof port_s, "%d", port);
        unlink(db);
        pid_t forker = getpid();
        e->pid = fork();
        cr_assert(e->pid >= 0);
        if (e->pid == 0) {
            child_dies_with_parent(forker);
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            execl(DEBUGINFOD, DEBUGINFOD, "-F", "-p", port_s, "-d", db, "-t", "1", "-g", "0", "-c", "1",
                  e->serve_dir, (char *)NULL);
            _exit(127);
        }
        free(db);
        free(log);
        snprintf(e->url, sizeof e->url, "http://127.0.0.1:%d", port);
        char url[256];
        snprintf(url, sizeof url, "%s/buildid/%s/debuginfo", e->url, e->build_id);
        double deadline = mini_now() + 20.0;
        while (mini_now() < deadline) {
            if (http_get(url, NULL) == 200) {
                cr_assert(debuginfo_requests(e) >= 1, "debuginfod's /metrics does not count debuginfo requests");
                return;
            }
            if (waitpid(e->pid, NULL, WNOHANG) == e->pid) {
                e->pid = -1;
                break; /* exited: port taken? try another */
            }
            usleep(200 * 1000);
        }
        if (e->pid > 0)
            cr_assert_fail("debuginfod did not serve build-id %s within 20 s", e->build_id);
    }
    cr_assert_fail("debuginfod did not start");
}

static void stop_debuginfod(dfd_env *e)
{
    if (e->pid <= 0)
        return;
    kill(e->pid, SIGTERM);
    for (int i = 0; i < 100 && waitpid(e->pid, NULL, WNOHANG) != e->pid; i++)
        usleep(50 * 1000);
    if (kill(e->pid, 0) == 0) {
        kill(e->pid, SIGKILL);
        waitpid(e->pid, NULL, 0);
    }
    e->pid = -1;
}

static void dfd_env_free(dfd_env *e)
{
    stop_debuginfod(e);
    remove_tree(e->dir);
    free(e->dir);
    free(e->stripped);
    free(e->unstripped);
    free(e->serve_dir);
    free(e->cache);
    free(e->build_id);
}

static char *cached_file(const dfd_env *e)
{
    char *p = NULL;
    cr_assert(asprintf(&p, "%s/abiguard/debuginfo/%s.debug", e->cache, e->build_id) > 0);
    return p;
}

/* Same functions, variables and types as the unstripped fixture. */
static void assert_same_abi(json_t *got, json_t *want)
{
    cr_assert(json_is_true(json_object_get(got, "debug_info")), "debug_info is not true");
    cr_assert_str_eq(json_string_value(json_object_get(got, "debug_source")), "debuginfod");
    const char *parts[] = { "functions", "variables", "types", "exports" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        cr_assert(json_equal(json_object_get(got, parts[i]), json_object_get(want, parts[i])),
                  "'%s' differs from the unstripped fixture's", parts[i]);
    cr_assert(json_array_size(json_object_get(got, "functions")) > 0);
}

Test(debuginfod, fetched_verified_cached)
{
    dfd_env e;
    dfd_env_init(&e);
    start_debuginfod(&e);
    long before = debuginfo_requests(&e);
    json_t *want = extract_json(e.unstripped, "--no-debuginfod", NULL, NULL, NULL);

    char *warnings = NULL;
    json_t *got = extract_json(e.stripped, "--debuginfod", e.url, NULL, &warnings);
    assert_same_abi(got, want);
    cr_assert_str_eq(warnings, "", "unexpected warnings: %s", warnings);
    free(warnings);
    json_decref(got);
    cr_assert_eq(debuginfo_requests(&e), before + 1, "expected exactly one debuginfo request");
    char *cached = cached_file(&e);
    cr_assert(file_exists(cached), "%s not cached", cached);

    /* Again: from the cache, the server is not asked. */
    got = extract_json(e.stripped, "--debuginfod", e.url, NULL, NULL);
    assert_same_abi(got, want);
    json_decref(got);
    cr_assert_eq(debuginfo_requests(&e), before + 1, "the second run asked the server");

    /* With the server gone: still from the cache. */
    stop_debuginfod(&e);
    got = extract_json(e.stripped, "--debuginfod", "http://127.0.0.1:1", NULL, &warnings);
    assert_same_abi(got, want);
    cr_assert_str_eq(warnings, "", "unexpected warnings: %s", warnings);
    free(warnings);
    json_decref(got);

    /* No server asked at all: nothing found, even with a cached file. */
    got = extract_json(e.stripped, "--no-debuginfod", "--debuginfod", e.url, NULL);
    cr_assert(json_is_false(json_object_get(got, "debug_info")));
    json_decref(got);
    json_decref(want);
    free(cached);
    dfd_env_free(&e);
}

Test(debuginfod, urls_from_the_environment)
{
    dfd_env e;
    dfd_env_init(&e);
    start_debuginfod(&e);
    json_t *want = extract_json(e.unstripped, "--no-debuginfod", NULL, NULL, NULL);
    char env[160];
    snprintf(env, sizeof env, "  http://127.0.0.1:%d/ \t %s/  ", mini_free_port(), e.url);
    setenv("DEBUGINFOD_URLS", env, 1);

    char *warnings = NULL;
    json_t *got = extract_json(e.stripped, "--no-debuginfod", NULL, NULL, NULL);
    cr_assert(json_is_false(json_object_get(got, "debug_info")), "--no-debuginfod still asked $DEBUGINFOD_URLS");
    json_decref(got);

    got = extract_json(e.stripped, NULL, NULL, NULL, &warnings);
    assert_same_abi(got, want);
    /* The dead first server is reported, once, on one line. */
    cr_assert(strstr(warnings, "abiguard: warning: debuginfod: GET http://127.0.0.1:") &&
              strstr(warnings, "(3 attempts)") && count_lines(warnings) == 1, "warnings:\n%s", warnings);
    free(warnings);
    json_decref(got);
    json_decref(want);
    dfd_env_free(&e);
}

Test(debuginfod, another_builds_file_is_rejected)
{
    dfd_env e;
    dfd_env_init(&e);
    /* Any request gets the DWARF 4 build's full file: valid ELF and DWARF,
       the right library even, but another build. */
    char *other = fixture_path("types/libtypes-dwarf4.so");
    size_t len;
    char *bytes = read_whole_file(other, &len);
    cr_assert(bytes, "cannot read %s", other);
    json_t *other_j = extract_json(other, "--no-debuginfod", NULL, NULL, NULL);
    const char *other_id = json_string_value(json_object_get(json_object_get(other_j, "elf"), "build_id"));
    cr_assert(other_id && strcmp(other_id, e.build_id) != 0, "the two fixtures share a build-id");
    mini_reply replies[] = { { 200, bytes, len, "application/octet-stream", false } };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s.port);

    char *warnings = NULL;
    json_t *got = extract_json(e.stripped, "--debuginfod", url, NULL, &warnings);
    cr_assert(json_is_false(json_object_get(got, "debug_info")), "another build's debug info was used");
    cr_assert(json_is_null(json_object_get(got, "debug_source")) || !json_object_get(got, "debug_source"));
    cr_assert(strstr(warnings, "rejected") && strstr(warnings, other_id) && strstr(warnings, e.build_id),
              "no clear warning about the build-id mismatch:\n%s", warnings);
    cr_assert(strstr(warnings, "types are unknown"), "warnings:\n%s", warnings);
    cr_assert_eq(mini_http_count(&s), 1, "a wrong file is not retried");
    char want_target[160];
    snprintf(want_target, sizeof want_target, "/buildid/%s/debuginfo", e.build_id);
    cr_assert_str_eq(s.requests[0].target, want_target);
    free(warnings);
    json_decref(got);
    mini_http_stop(&s);

    /* Nothing was cached, not even a temporary file. */
    char *cache_dir = NULL;
    cr_assert(asprintf(&cache_dir, "%s/abiguard/debuginfo", e.cache) > 0);
    char *cached = cached_file(&e);
    cr_assert(!file_exists(cached), "a rejected file was cached");
    const char *ls[] = { "/usr/bin/find", cache_dir, "-type", "f", NULL };
    tool_run r;
    cr_assert(tool_run_argv(ls, 10.0, &r));
    cr_assert_str_eq(r.out, "", "files left in the cache:\n%s", r.out);
    tool_run_free(&r);
    free(cached);
    free(cache_dir);
    json_decref(other_j);
    free(bytes);
    free(other);
    dfd_env_free(&e);
}

Test(debuginfod, not_found_is_quiet_and_server_errors_are_warned)
{
    dfd_env e;
    dfd_env_init(&e);
    static const mini_reply missing[] = { { 404, "Not found\n", 0, "text/plain", false } };
    static const mini_reply broken[] = { { 503, "overloaded, try later\n", 0, "text/plain", false } };
    mini_http s404, s503;
    cr_assert(mini_http_start(&s404, 0, missing, 1));
    cr_assert(mini_http_start(&s503, 0, broken, 1));
    char url404[64], url503[64];
    snprintf(url404, sizeof url404, "http://127.0.0.1:%d", s404.port);
    snprintf(url503, sizeof url503, "http://127.0.0.1:%d", s503.port);

    char *warnings = NULL;
    json_t *got = extract_json(e.stripped, "--debuginfod", url404, NULL, &warnings);
    cr_assert(json_is_false(json_object_get(got, "debug_info")));
    cr_assert(!strstr(warnings, "debuginfod"), "a 404 is not worth a warning:\n%s", warnings);
    cr_assert_eq(mini_http_count(&s404), 1, "a 404 was retried");
    free(warnings);
    json_decref(got);

    char second[80];
    snprintf(second, sizeof second, "--debuginfod=%s", url404);
    got = extract_json(e.stripped, "--debuginfod", url503, second, &warnings);
    cr_assert(json_is_false(json_object_get(got, "debug_info")));
    cr_assert(strstr(warnings, "HTTP 503 Service Unavailable: overloaded, try later (3 attempts)"),
              "warnings:\n%s", warnings);
    cr_assert_eq(mini_http_count(&s503), 3, "a 503 is retried twice");
    cr_assert_eq(mini_http_count(&s404), 2, "the next server was not asked");
    free(warnings);
    json_decref(got);
    mini_http_stop(&s404);
    mini_http_stop(&s503);
    dfd_env_free(&e);
}

Test(debuginfod, a_bad_cached_file_is_replaced)
{
    dfd_env e;
    dfd_env_init(&e);
    char *debug = path_join2(e.serve_dir, "libtypes.so.debug");
    size_t len;
    char *bytes = read_whole_file(debug, &len);
    cr_assert(bytes);
    mini_reply replies[] = { { 200, bytes, len, "application/octet-stream", false } };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s.port);
    /* A truncated file where the cache entry should be. */
    char *cached = cached_file(&e), *dir = NULL;
    cr_assert(asprintf(&dir, "%s/abiguard/debuginfo", e.cache) > 0);
    const char *mk[] = { "/usr/bin/mkdir", "-p", dir, NULL };
    run_tool(mk);
    cr_assert(write_whole_file(cached, bytes, len / 3));

    json_t *want = extract_json(e.unstripped, "--no-debuginfod", NULL, NULL, NULL);
    char *warnings = NULL;
    json_t *got = extract_json(e.stripped, "--debuginfod", url, NULL, &warnings);
    assert_same_abi(got, want);
    cr_assert(strstr(warnings, "dropped from the cache"), "warnings:\n%s", warnings);
    cr_assert_eq(mini_http_count(&s), 1);
    size_t cached_len = 0;
    char *now = read_whole_file(cached, &cached_len);
    cr_assert(now && cached_len == len && memcmp(now, bytes, len) == 0, "the cache holds something else");
    free(now);
    free(warnings);
    json_decref(got);
    json_decref(want);
    mini_http_stop(&s);
    free(cached);
    free(dir);
    free(bytes);
    free(debug);
    dfd_env_free(&e);
}
