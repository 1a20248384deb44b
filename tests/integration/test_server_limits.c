/*
 * test_server_limits.c — `abiguard serve` under attack and load (issue 11,
 * items 12-18), over loopback against the built binary (server_run.h):
 * input limits at upload and in questions (413/422 naming the limit), work,
 * response-size and time budgets, /healthz answered while a long request
 * runs, SIGTERM stopping a busy worker within the grace period, 2,000 slow
 * connections while a normal client is served, keep-alive, reads served
 * during a long write, disk full (507) on a small tmpfs and recovery,
 * static files behind a directory symlink swapped in after start-up,
 * requests a proxy could read differently, and integers of 2^63 and more.
 * Large releases are synthetic (synth_corpus.h). Every test is bounded in
 * requests and time and stops its server.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_run.h"
#include "synth_corpus.h"
#include "tool_run.h"

TestSuite(server_limits, .timeout = 180 * SANITIZER_SLOWDOWN);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void import_file(const char *db, const char *file, const char *lib, const char *ver)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "import", file, "--library", lib, "--version", ver, "--db", db, NULL));
    cr_assert(r.exited && r.exit_status == 0, "import %s@%s: %s\n%s", lib, ver, tool_run_outcome(&r), r.err);
    tool_run_free(&r);
}

/* A synthetic release written under dir and imported (no service limits
   apply to the CLI). */
static void import_synth(const char *db, const char *dir, const char *lib, const char *ver, const synth_spec *spec)
{
    char name[128];
    snprintf(name, sizeof name, "%s-%s.json", lib, ver);
    char *path = synth_corpus_file(dir, name, spec);
    import_file(db, path, lib, ver);
    free(path);
}

/* The message of an error response (the body's error.message). */
static char *error_message(const resp *r)
{
    json_t *v = srv_parse(r);
    const char *m = json_string_value(json_object_get(json_object_get(v, "error"), "message"));
    char *out = strdup(m ? m : "");
    json_decref(v);
    return out;
}

static void expect_limit(const resp *r, long status, const char *needle, const char *what)
{
    srv_expect_error(r, status, what);
    char *m = error_message(r);
    cr_assert(strstr(m, needle), "%s: the message does not name the limit (%s): %s", what, needle, m);
    free(m);
}

static size_t release_count(const server *s, const char *lib)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/libraries/%s/releases", lib);
    resp r = srv_get(s, path);
    size_t n = 0;
    if (r.status == 200) {
        json_t *v = srv_parse(&r);
        n = json_array_size(v);
        json_decref(v);
    }
    resp_free(&r);
    return n;
}

/* One request over a raw socket (for what curl will not send); the status
   code of the answer, 0 when there was none. */
static int raw_request(unsigned port, const char *data, size_t len, char *out, size_t out_size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect: %s", strerror(errno));
    cr_assert(send(fd, data, len, MSG_NOSIGNAL) == (ssize_t)len);
    size_t got = 0;
    out[0] = '\0';
    while (got + 1 < out_size) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 10000) <= 0)
            break;
        ssize_t n = recv(fd, out + got, out_size - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        out[got] = '\0';
        const char *head_end = strstr(out, "\r\n\r\n");
        const char *cl = strcasestr(out, "Content-Length: ");
        if (head_end && cl && got >= (size_t)(head_end + 4 - out) + (size_t)atol(cl + 16))
            break;
    }
    close(fd);
    int status = 0;
    sscanf(out, "HTTP/1.%*d %d", &status);
    return status;
}

typedef struct bg_request {
    const server *s;
    char path[512];
    req q;
    resp r;
    atomic_int done;
} bg_request;

static void *bg_run(void *arg)
{
    bg_request *b = arg;
    b->r = srv_http(b->s, b->path, &b->q);
    atomic_store(&b->done, 1);
    return NULL;
}

static void bg_start(bg_request *b, pthread_t *th)
{
    atomic_init(&b->done, 0);
    cr_assert(pthread_create(th, NULL, bg_run, b) == 0);
}

/* Waits until the server has the request (it is in its log only when
   done, so this watches for the connection instead: a short grace). */
static void let_it_start(void)
{
    sleep_ms(500);
}

/* ------------------------------------------------------------------ */
/* 12. Input limits, work and time budgets                             */

Test(server_limits, compatible_question_over_the_import_limit)
{
    server s;
    server_start(&s, true, NULL);
    /* 10^6 imports: a 14 MB question, refused for its size of work, not
       answered after half a minute */
    size_t n = 1000000;
    size_t cap = n * 16 + 64, len = 0;
    char *body = malloc(cap);
    cr_assert(body);
    len += (size_t)sprintf(body, "{\"library\":\"lua\",\"imports\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(body + len, "%s\"sym%zu\"", i ? "," : "", i);
    len += (size_t)sprintf(body + len, "]}");
    resp r = srv_http(&s, "/api/v1/compatible", &(req){ .body = body, .len = len });
    expect_limit(&r, 422, "100000", "10^6 imports");
    expect_limit(&r, 422, "--max-imports", "10^6 imports");
    resp_free(&r);
    free(body);
    /* a normal question still works */
    const char *ask = "{\"library\":\"lua\",\"imports\":[{\"name\":\"lua_pushnil\"}]}";
    r = srv_http(&s, "/api/v1/compatible", &(req){ .body = ask, .len = strlen(ask) });
    cr_assert_eq(r.status, 200, "%s", r.body);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server_limits, upload_limits_name_the_limit_and_change_nothing)
{
    server s;
    const char *extra[] = { "--max-types", "40", "--max-members", "6", "--max-imports", "10", NULL };
    server_start(&s, true, extra);
    struct { synth_spec spec; const char *needle; } cases[] = {
        { { .n_structs = 30, .n_members = 2 }, "--max-types" },          /* 30 structs + 30 pointers */
        { { .n_structs = 4, .n_members = 7 }, "--max-members" },
        { { .n_structs = 4, .n_members = 2, .n_imports = 11 }, "--max-imports" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *json = synth_corpus_json(&cases[i].spec, &len);
        resp r = srv_post(&s, "/api/v1/libraries/synth/releases/1", json, len, TOKEN);
        expect_limit(&r, 422, cases[i].needle, cases[i].needle);
        resp_free(&r);
        free(json);
    }
    cr_assert_eq(release_count(&s, "synth"), 0, "a refused upload was stored");
    /* at the limits it is stored */
    size_t len;
    synth_spec ok = { .n_structs = 4, .n_members = 6, .n_imports = 10 };
    char *json = synth_corpus_json(&ok, &len);
    resp r = srv_post(&s, "/api/v1/libraries/synth/releases/1", json, len, TOKEN);
    cr_assert_eq(r.status, 201, "%s", r.body);
    resp_free(&r);
    free(json);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server_limits, work_limit_stops_diff_history_and_matrix)
{
    server s;
    const char *extra[] = { "--max-work", "20000", NULL };
    server_start(&s, false, extra);
    synth_spec a = { .n_structs = 2000, .n_members = 4 }, b = a;
    b.variant = 1;
    import_synth(s.db, s.dir, "big", "1", &a);
    import_synth(s.db, s.dir, "big", "2", &b);
    const char *paths[] = { "/api/v1/diff?old=big@1&new=big@2", "/api/v1/libraries/big/history",
                            "/api/v1/libraries/big/matrix", "/api/v1/libraries" };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        resp r = srv_get(&s, paths[i]);
        expect_limit(&r, 422, "--max-work", paths[i]);
        expect_limit(&r, 422, "20000", paths[i]);
        resp_free(&r);
    }
    /* nothing over the limit was cached */
    tool_run t;
    char *sql_db = s.db;
    cr_assert(run_abiguard(&t, "list", "big", "--db", sql_db, NULL));
    cr_assert(t.exited && t.exit_status == 0, "%s", t.err);
    tool_run_free(&t);
    resp r = srv_get(&s, "/healthz");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server_limits, response_size_limit)
{
    server s;
    const char *extra[] = { "--max-response", "100K", NULL };
    server_start(&s, false, extra);
    synth_spec a = { .n_structs = 2000, .n_members = 4 }, b = a;
    b.variant = 1;
    import_synth(s.db, s.dir, "big", "1", &a);
    import_synth(s.db, s.dir, "big", "2", &b);
    resp r = srv_get(&s, "/api/v1/diff?old=big@1&new=big@2"); /* about 7 MB of report */
    expect_limit(&r, 422, "--max-response", "a diff over the response limit");
    expect_limit(&r, 422, "102400", "a diff over the response limit");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/big/releases/1/corpus"); /* about 2 MB */
    expect_limit(&r, 422, "--max-response", "a corpus over the response limit");
    resp_free(&r);
    r = srv_get(&s, "/api/v1/libraries/big/history"); /* small */
    cr_assert_eq(r.status, 200, "%s", r.body);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* A diff that takes far longer than 50 ms anywhere: 200 functions each
   reaching 200 changed structs through a hub (40,000 impacts). */
static void import_hub_pair(const server *s, const char *lib, size_t n)
{
    synth_spec a = { .n_structs = n, .n_members = 1, .hub = true }, b = a;
    b.variant = 1;
    import_synth(s->db, s->dir, lib, "1", &a);
    import_synth(s->db, s->dir, lib, "2", &b);
}

Test(server_limits, time_budget)
{
    server s;
    const char *extra[] = { "--request-timeout", "50ms", NULL };
    server_start(&s, false, extra);
    import_hub_pair(&s, "hub", 300);
    resp r = srv_get(&s, "/api/v1/diff?old=hub@1&new=hub@2");
    expect_limit(&r, 503, "--request-timeout", "a diff over the time budget");
    expect_limit(&r, 503, "50 ms", "a diff over the time budget");
    resp_free(&r);
    r = srv_get(&s, "/healthz");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* Releases whose matrix takes minutes without a budget: 6 hub releases of
   two kinds (18 pairs that differ, each with 160,000 impacts). */
static void import_slow_matrix(const server *s)
{
    synth_spec a = { .n_structs = 400, .n_members = 1, .hub = true }, b = a;
    b.variant = 1;
    char *fa = synth_corpus_file(s->dir, "slow-a.json", &a), *fb = synth_corpus_file(s->dir, "slow-b.json", &b);
    for (int i = 0; i < 6; i++) {
        char ver[16];
        snprintf(ver, sizeof ver, "%d", i);
        import_file(s->db, i % 2 ? fb : fa, "slow", ver);
    }
    free(fa);
    free(fb);
}

Test(server_limits, healthz_answers_while_a_long_request_runs)
{
    server s;
    const char *extra[] = { "--request-timeout", "10m", "--max-work", "100000000000", "--grace", "1", NULL };
    server_start_opts(&s, &(server_opts){ .threads = "1", .extra = extra });
    import_slow_matrix(&s);
    bg_request long_one = { .s = &s, .q = { .timeout_s = 120, .may_fail = true } };
    snprintf(long_one.path, sizeof long_one.path, "/api/v1/libraries/slow/matrix");
    pthread_t th;
    bg_start(&long_one, &th);
    let_it_start();
    for (int i = 0; i < 5; i++) {
        resp r = srv_http(&s, "/healthz", &(req){ .timeout_s = 20 });
        cr_assert_eq(r.status, 200);
        resp_free(&r);
    }
    cr_assert(!atomic_load(&long_one.done), "the long request ended before the health checks: no test");
    kill(s.pid, SIGTERM);
    cr_assert(server_wait(&s, 20) == 0, "serve did not stop after SIGTERM");
    pthread_join(th, NULL);
    resp_free(&long_one.r);
    server_stop(&s);
}

Test(server_limits, sigterm_stops_a_busy_worker_within_the_grace_period)
{
    server s;
    const char *extra[] = { "--request-timeout", "10m", "--max-work", "100000000000", "--grace", "1", NULL };
    server_start_opts(&s, &(server_opts){ .threads = "2", .extra = extra });
    import_slow_matrix(&s);
    bg_request matrix = { .s = &s, .q = { .timeout_s = 120, .may_fail = true } };
    snprintf(matrix.path, sizeof matrix.path, "/api/v1/libraries/slow/matrix");
    pthread_t th;
    bg_start(&matrix, &th);
    let_it_start();
    cr_assert(!atomic_load(&matrix.done), "the matrix ended before SIGTERM: no test");
    kill(s.pid, SIGTERM);
    /* 1 s of grace, then the worker stops at its next budget check */
    int status = server_wait(&s, 10);
    cr_assert_eq(status, 0, "serve did not exit 0 within 10 s of SIGTERM with a busy worker (%d)", status);
    pthread_join(th, NULL);
    if (matrix.r.curl_code == CURLE_OK)
        expect_limit(&matrix.r, 503, "stopping", "the cancelled matrix");
    resp_free(&matrix.r);
    char *log = server_log(&s);
    cr_assert(strstr(log, "stopped"), "%s", log);
    free(log);
    server_stop(&s);
}

/* ------------------------------------------------------------------ */
/* 13. Connections                                                     */

static int slow_connection(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

Test(server_limits, a_normal_client_is_served_while_2000_slow_connections_are_open)
{
    enum { SLOW = 2000 };
    struct rlimit rl;
    cr_assert(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < SLOW + 200)
        cr_skip_test("the file-descriptor hard limit (%llu) is below %d", (unsigned long long)rl.rlim_max, SLOW + 200);
    if (rl.rlim_cur < SLOW + 200) {
        rl.rlim_cur = SLOW + 200;
        cr_assert(setrlimit(RLIMIT_NOFILE, &rl) == 0, "cannot raise RLIMIT_NOFILE: %s", strerror(errno));
    }
    server s;
    const char *extra[] = { "--idle-timeout", "3", NULL };
    server_start(&s, true, extra);
    int *fds = calloc(SLOW, sizeof *fds);
    cr_assert(fds);
    size_t opened = 0;
    for (int i = 0; i < SLOW; i++) {
        fds[i] = slow_connection(s.port);
        if (fds[i] >= 0)
            opened++;
    }
    cr_assert_eq(opened, SLOW, "only %zu connections could be opened", opened);
    /* each starts a request and stops in the middle of its headers */
    sleep_ms(200);
    const char *part = "GET /api/v1/libraries HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (int i = 0; i < SLOW; i++)
        send(fds[i], part, strlen(part), MSG_NOSIGNAL);
    sleep_ms(500);
    /* a client from another address is served, several times */
    for (int i = 0; i < 5; i++) {
        resp r = srv_http(&s, i % 2 ? "/healthz" : "/api/v1/libraries", &(req){ .interface = "127.0.0.2", .timeout_s = 10 });
        cr_assert_eq(r.status, 200, "a normal client was locked out (try %d)", i);
        resp_free(&r);
    }
    /* and the slow ones are closed by the server: beyond the per-client
       limit at once, the rest by the idle timeout */
    size_t closed = 0;
    for (int round = 0; round < 100 && closed < SLOW; round++) {
        closed = 0;
        for (int i = 0; i < SLOW; i++) {
            if (fds[i] < 0) {
                closed++;
                continue;
            }
            char b[64];
            ssize_t n = recv(fds[i], b, sizeof b, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                close(fds[i]);
                fds[i] = -1;
                closed++;
            }
        }
        if (closed < SLOW)
            sleep_ms(200);
    }
    cr_assert_eq(closed, SLOW, "%zu of %d slow connections are still open after the idle timeout", SLOW - closed,
                 SLOW);
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    resp r = srv_get(&s, "/healthz");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* 14. Keep-alive                                                      */

Test(server_limits, connections_are_kept_alive)
{
    server s;
    server_start(&s, true, NULL);
    size_t len;
    char *corpus = srv_extract_json(LUA53, &len);
    CURL *c = curl_easy_init();
    cr_assert(c);
    const char *paths[] = { "/healthz", "/api/v1/libraries", "/api/v1/libraries/lua/history", "/api/v1/nothing",
                            "/index.html", "/api/v1/libraries/lua/releases/5.3.6", "/api/v1/compatible", "POST" };
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
    h = curl_slist_append(h, "Expect:");
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char url[256];
        bool post = strcmp(paths[i], "POST") == 0;
        snprintf(url, sizeof url, "%s%s", s.base, post ? "/api/v1/libraries/lua/releases/9.9" : paths[i]);
        srv_buf body = { 0 }, head = { 0 };
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, srv_on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, srv_on_data);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (post) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, corpus);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        }
        cr_assert(curl_easy_perform(c) == CURLE_OK);
        long status = 0, connects = -1;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
        cr_assert(!strcasestr(head.data ? head.data : "", "Connection: close"), "%s (%ld) closes the connection:\n%s",
                  paths[i], status, head.data);
        if (i > 0)
            cr_assert_eq(connects, 0, "%s (%ld) needed a new connection", paths[i], status);
        if (post)
            cr_assert_eq(status, 201, "%s", body.data);
        free(body.data);
        free(head.data);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(corpus);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* 15. Writes do not stall reads                                       */

Test(server_limits, reads_are_served_during_a_long_write)
{
    server s;
    server_start_opts(&s, &(server_opts){ .seeded = true, .threads = "1" });
    synth_spec big = { .n_structs = 12000, .n_members = 4 };
    size_t len;
    char *json = synth_corpus_json(&big, &len); /* 12 MB: seconds to parse, check and store */
    atomic_int uploaded;
    atomic_init(&uploaded, 0);
    bg_request push = { .s = &s, .q = { .body = json, .len = len, .token = TOKEN, .timeout_s = 120,
                                        .uploaded = &uploaded } };
    snprintf(push.path, sizeof push.path, "/api/v1/libraries/big/releases/1");
    pthread_t th;
    bg_start(&push, &th);
    /* from when the server has the whole body: it parses, checks, stores */
    for (int i = 0; i < 3000 && !atomic_load(&uploaded); i++)
        sleep_ms(10);
    cr_assert(atomic_load(&uploaded), "the upload did not finish");
    sleep_ms(50);
    /* reads that need the store, not the response cache: each path once */
    const char *paths[] = { "/api/v1/libraries/lua/releases", "/api/v1/libraries/lua/releases/5.3.6",
                            "/api/v1/libraries/lua/releases/5.4.4/types", "/api/v1/libraries/lua/history",
                            "/api/v1/diff?old=lua@5.3.6&new=lua@5.4.4", "/api/v1/libraries/lua/matrix",
                            "/api/v1/libraries/lua/releases/5.4.4/types/struct%20lua_Debug" };
    size_t during = 0;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        resp r = srv_get(&s, paths[i]);
        cr_assert_eq(r.status, 200, "%s: %s", paths[i], r.body);
        resp_free(&r);
        during += !atomic_load(&push.done);
    }
    pthread_join(th, NULL);
    cr_assert_eq(push.r.status, 201, "%s", push.r.body);
    resp_free(&push.r);
    free(json);
    cr_assert_eq(during, sizeof paths / sizeof paths[0], "only %zu of %zu reads were answered during the write",
                 during, sizeof paths / sizeof paths[0]);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* 16. Disk full                                                       */

/* A small tmpfs mounted on a fresh directory, or NULL (then the test is
   skipped: mounting needs root or CAP_SYS_ADMIN). */
static char *mount_tmpfs(const char *size, bool *mounted)
{
    char *dir = make_temp_dir();
    *mounted = mount_private_tmpfs(dir, size);
    return dir;
}

static void unmount_tmpfs(char *dir)
{
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    free(dir);
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

Test(server_limits, disk_full_is_507_and_space_comes_back)
{
    bool mounted;
    char *mnt = mount_tmpfs("8m", &mounted);
    if (!mounted) {
        int e = errno;
        unmount_tmpfs(mnt);
        cr_skip_test("cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): %s", strerror(e));
    }
    char *db = path_join2(mnt, "store.db"), *wal = path_join2(mnt, "store.db-wal");
    char *filler = path_join2(mnt, "filler");
    server s;
    server_start_opts(&s, &(server_opts){ .seeded = true, .db = db });
    resp r = srv_get(&s, "/api/v1/libraries/lua/releases");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    /* leave about 600 KB free */
    struct statvfs vfs;
    cr_assert(statvfs(mnt, &vfs) == 0);
    long long avail = (long long)vfs.f_bavail * (long long)vfs.f_frsize - 600 * 1024;
    cr_assert(avail > 0);
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0);
    char block[4096] = { 0 };
    for (long long left = avail; left > 0; left -= (long long)sizeof block)
        if (write(fd, block, sizeof block) < 0)
            break;
    close(fd);
    /* a release that needs more than that: 507, and nothing of it stays */
    synth_spec big = { .n_structs = 3000, .n_members = 4 };
    size_t len;
    char *json = synth_corpus_json(&big, &len);
    r = srv_post(&s, "/api/v1/libraries/big/releases/1", json, len, TOKEN);
    expect_limit(&r, 507, "disk is full", "a write on a full disk");
    resp_free(&r);
    cr_assert_eq(release_count(&s, "big"), 0);
    cr_assert_eq(release_count(&s, "lua"), 2);
    /* the space the failed write took in the WAL is given back */
    long long wal_size = file_size(wal);
    cr_assert(wal_size < 64 * 1024, "the WAL kept %lld bytes after the failed write", wal_size);
    /* small writes work on the nearly full disk, and once space is back */
    size_t small_len;
    char *small = srv_extract_json(LUA53, &small_len);
    r = srv_post(&s, "/api/v1/libraries/lua/releases/again", small, small_len, TOKEN);
    cr_assert_eq(r.status, 201, "a small write after the disk-full error: %s", r.body);
    resp_free(&r);
    cr_assert(unlink(filler) == 0);
    r = srv_post(&s, "/api/v1/libraries/big/releases/1", json, len, TOKEN);
    cr_assert_eq(r.status, 201, "the big write once space is back: %s", r.body);
    resp_free(&r);
    cr_assert_eq(release_count(&s, "big"), 1);
    free(json);
    free(small);
    cr_assert_eq(server_stop(&s), 0);
    tool_run t; /* the file is a sound database */
    cr_assert(run_abiguard(&t, "list", "--db", db, NULL));
    cr_assert(t.exited && t.exit_status == 0, "%s", t.err);
    tool_run_free(&t);
    free(db);
    free(wal);
    free(filler);
    unmount_tmpfs(mnt);
}

/* ------------------------------------------------------------------ */
/* 17. Static files and symbolic links                                 */

Test(server_limits, a_directory_swapped_for_a_symlink_is_not_followed)
{
    char *web = make_temp_dir(), *dir = make_temp_dir();
    char *sub = path_join2(web, "js"), *app = path_join2(sub, "app.js");
    cr_assert(mkdir(sub, 0755) == 0);
    cr_assert(write_whole_file(app, "console.log('dashboard');\n", 26));
    server s;
    const char *extra[] = { "--web", web, NULL };
    server_start(&s, false, extra);
    resp r = srv_get(&s, "/js/app.js");
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "dashboard"));
    resp_free(&r);
    /* after start-up, js/ becomes a link to a directory outside web/ that
       has a file of the same name */
    char *outside = path_join2(dir, "outside"), *secret = path_join2(outside, "app.js");
    char *moved = path_join2(dir, "js.orig");
    cr_assert(mkdir(outside, 0755) == 0);
    cr_assert(write_whole_file(secret, "TOP SECRET\n", 11));
    cr_assert(rename(sub, moved) == 0);
    cr_assert(symlink(outside, sub) == 0);
    r = srv_get(&s, "/js/app.js");
    cr_assert_eq(r.status, 404, "served through a directory symlink: %ld", r.status);
    cr_assert(!strstr(r.body, "TOP SECRET"), "%s", r.body);
    resp_free(&r);
    /* and the file itself swapped for a link */
    cr_assert(unlink(sub) == 0 && rename(moved, sub) == 0);
    cr_assert(unlink(app) == 0 && symlink(secret, app) == 0);
    r = srv_get(&s, "/js/app.js");
    cr_assert_eq(r.status, 404);
    cr_assert(!strstr(r.body, "TOP SECRET"));
    resp_free(&r);
    /* put back, it is served again */
    cr_assert(unlink(app) == 0);
    cr_assert(write_whole_file(app, "console.log('dashboard');\n", 26));
    r = srv_get(&s, "/js/app.js");
    cr_assert_eq(r.status, 200);
    resp_free(&r);
    cr_assert_eq(server_stop(&s), 0);
    remove_tree(web);
    remove_tree(dir);
    free(outside);
    free(secret);
    free(moved);
    free(sub);
    free(app);
    free(web);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* 18. What a proxy could read differently; integers of 2^63 and more   */

Test(server_limits, ambiguous_framing_is_400)
{
    server s;
    server_start(&s, true, NULL);
    char out[4096];
    static const char nul_auth[] = "POST /api/v1/libraries/x/releases/1 HTTP/1.1\r\nHost: x\r\n"
                                   "Authorization: Bearer " TOKEN "\0junk\r\nContent-Length: 2\r\n\r\n{}";
    cr_assert_eq(raw_request(s.port, nul_auth, sizeof nul_auth - 1, out, sizeof out), 400,
                 "NUL in Authorization: %s", out);
    cr_assert(strstr(out, "NUL"), "%s", out);
    static const char nul_other[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\0, 5.6.7.8\r\n\r\n";
    cr_assert_eq(raw_request(s.port, nul_other, sizeof nul_other - 1, out, sizeof out), 400,
                 "NUL in a header: %s", out);
    const char *two_lengths = "POST /api/v1/compatible HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                              "Content-Length: 40\r\n\r\n{}";
    cr_assert_eq(raw_request(s.port, two_lengths, strlen(two_lengths), out, sizeof out), 400,
                 "two Content-Length: %s", out);
    const char *length_and_chunked = "POST /api/v1/compatible HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    cr_assert_eq(raw_request(s.port, length_and_chunked, strlen(length_and_chunked), out, sizeof out), 400,
                 "Content-Length with chunked: %s", out);
    /* the same requests without the ambiguity are read */
    static const char clean_auth[] = "POST /api/v1/libraries/x/releases/1 HTTP/1.1\r\nHost: x\r\n"
                                     "Authorization: Bearer " TOKEN "\r\nContent-Length: 2\r\n\r\n{}";
    cr_assert_eq(raw_request(s.port, clean_auth, sizeof clean_auth - 1, out, sizeof out), 422, "%s", out);
    const char *same_lengths = "POST /api/v1/compatible HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                               "Content-Length: 2\r\n\r\n{}";
    cr_assert_eq(raw_request(s.port, same_lengths, strlen(same_lengths), out, sizeof out), 400, "%s", out);
    cr_assert(strstr(out, "expected {"), "two equal lengths are one length: %s", out);
    const char *chunked = "POST /api/v1/compatible HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "2\r\n{}\r\n0\r\n\r\n";
    cr_assert_eq(raw_request(s.port, chunked, strlen(chunked), out, sizeof out), 400, "%s", out);
    cr_assert(strstr(out, "expected {"), "chunked alone is fine: %s", out);
    cr_assert_eq(release_count(&s, "x"), 0);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server_limits, integers_of_2_63_and_more_are_422)
{
    server s;
    server_start(&s, true, NULL);
    size_t len;
    char *corpus = srv_extract_json(LUA53, &len);
    /* the dwarf_version, a valid integer field, made 2^63 and 2^64 */
    const char *bigs[] = { "9223372036854775808", "18446744073709551616", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof bigs / sizeof bigs[0]; i++) {
        char *at = strstr(corpus, "\"dwarf_version\": ");
        cr_assert(at);
        at += strlen("\"dwarf_version\": ");
        size_t digits = strspn(at, "0123456789");
        size_t n = len - digits + strlen(bigs[i]);
        char *body = malloc(n + 1);
        cr_assert(body);
        size_t head = (size_t)(at - corpus);
        memcpy(body, corpus, head);
        memcpy(body + head, bigs[i], strlen(bigs[i]));
        memcpy(body + head + strlen(bigs[i]), at + digits, len - head - digits);
        body[n] = '\0';
        resp r = srv_post(&s, "/api/v1/libraries/lua/releases/big", body, n, TOKEN);
        srv_expect_error(&r, 422, bigs[i]);
        resp_free(&r);
        free(body);
    }
    const char *ask = "{\"library\":\"lua\",\"imports\":[],\"n\":9223372036854775808}";
    resp r = srv_http(&s, "/api/v1/compatible", &(req){ .body = ask, .len = strlen(ask) });
    srv_expect_error(&r, 422, "2^63 in a question");
    resp_free(&r);
    /* a syntax error stays 400 */
    r = srv_post(&s, "/api/v1/libraries/lua/releases/big", "{\"format\": 12", 13, TOKEN);
    srv_expect_error(&r, 400, "truncated JSON");
    resp_free(&r);
    cr_assert_eq(release_count(&s, "lua"), 2);
    free(corpus);
    cr_assert_eq(server_stop(&s), 0);
}

/* ------------------------------------------------------------------ */
/* The limits are documented where users look                         */

Test(server_limits, every_limit_option_is_documented)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "serve", "--help", NULL));
    cr_assert(r.exited && r.exit_status == 0);
    const char *docs[] = { "README.md", "docs/api.md" };
    const char *dir = getenv("SOURCE_DIR");
    size_t found = 0;
    for (const char *p = r.out; (p = strstr(p, "  --")); p += 4) {
        char opt[64];
        if (sscanf(p + 2, "%63[-a-z]", opt) != 1)
            continue;
        bool limit = strncmp(opt, "--max-", 6) == 0 || strstr(opt, "timeout") || strcmp(opt, "--grace") == 0;
        if (!limit)
            continue;
        found++;
        for (size_t d = 0; d < 2; d++) {
            char *path = path_join2(dir && *dir ? dir : ".", docs[d]);
            char *text = read_whole_file(path, NULL);
            cr_assert(text, "cannot read %s", path);
            char needle[80];
            snprintf(needle, sizeof needle, "`%s", opt);
            cr_expect(strstr(text, needle), "%s does not document %s", docs[d], opt);
            free(text);
            free(path);
        }
    }
    cr_assert(found >= 12, "serve --help lists %zu limit options", found);
    tool_run_free(&r);
}
