/*
 * test_push.c — `abiguard push` against a scripted HTTP server on loopback
 * (test_push_http.h), run as a user runs it:
 *   - success (201): the request is a POST of the corpus to
 *     /api/v1/libraries/{lib}/releases/{ver} with the query (replace, date,
 *     notes percent-encoded), the bearer token from --token-file or
 *     $ABIGUARD_TOKEN, and the server's counts are printed;
 *   - a 4xx answer is final: exactly one request, exit 1, one line on
 *     stderr carrying the server's error message;
 *   - 5xx answers are retried with growing waits, then fail (or succeed when
 *     the server recovers); connection refused likewise;
 *   - a server that never answers hits --timeout;
 *   - TLS certificates are verified (a self-signed one is refused, not
 *     retried) unless --insecure;
 *   - usage errors exit 2 and send nothing; a bad corpus file exits 1 and
 *     sends nothing;
 *   - when `abiguard serve` exists, a push to the real service is stored.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_push_http.h"
#include "tool_run.h"

#define CREATED "{\"library\":\"types\",\"version\":\"1.0\",\"types\":12,\"functions\":3}"

typedef struct push_env {
    char *dir;
    char *corpus;     /* an extracted corpus of libtypes.so */
    char *token_file;
    char server[64];
} push_env;

static void push_env_init(push_env *e, int port)
{
    e->dir = make_temp_dir();
    cr_assert(e->dir, "cannot make a temporary directory");
    e->corpus = path_join2(e->dir, "types.json");
    e->token_file = path_join2(e->dir, "token");
    char *lib = fixture_path("types/libtypes.so");
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, "--no-system-debug", "--no-debuginfod", "-o", e->corpus, (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "extract: %s: %s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    free(lib);
    const char token[] = "\n   \n  s3cret-token \t\nsecond-line-ignored\n";
    cr_assert(write_whole_file(e->token_file, token, sizeof token - 1));
    snprintf(e->server, sizeof e->server, "http://127.0.0.1:%d", port);
    unsetenv("ABIGUARD_TOKEN");
    unsetenv("DEBUGINFOD_URLS");
}

static void push_env_free(push_env *e)
{
    remove_tree(e->dir);
    free(e->dir);
    free(e->corpus);
    free(e->token_file);
}

/* push CORPUS --server S --library types --version 1.0 --token-file T + up to 6 more. */
static void run_push(tool_run *r, const push_env *e, const char *input, const char *a1, const char *a2,
                     const char *a3, const char *a4, const char *a5, const char *a6)
{
    cr_assert(run_abiguard(r, "push", input ? input : e->corpus, "--server", e->server, "--library", "types",
                           "--version", "1.0", "--token-file", e->token_file, a1, a2, a3, a4, a5, a6, (char *)NULL),
              "cannot start abiguard");
}

static void assert_one_error_line(const tool_run *r, const char *must_contain)
{
    cr_assert(r->exited && r->exit_status == 1, "expected exit 1, got %s; stderr:\n%s", tool_run_outcome(r), r->err);
    cr_assert_eq(count_lines(r->err), 1, "expected one line on stderr, got:\n%s", r->err);
    cr_assert(strncmp(r->err, "abiguard: error: ", 17) == 0, "stderr: %s", r->err);
    cr_assert(strstr(r->err, must_contain), "stderr lacks '%s':\n%s", must_contain, r->err);
}

Test(push, created_with_bearer_token_and_query)
{
    static const mini_reply replies[] = { { 201, CREATED, 0, NULL, false } };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    push_env e;
    push_env_init(&e, s.port);
    tool_run r;
    run_push(&r, &e, NULL, "--date", "2024-01-02", "--notes", "first release & more", "--replace", NULL);
    cr_assert(r.exited && r.exit_status == 0, "push: %s; stderr:\n%s", tool_run_outcome(&r), r.err);
    cr_assert(strstr(r.out, "pushed types@1.0 to http://127.0.0.1:") && strstr(r.out, "(12 types, 3 functions)"),
              "stdout: %s", r.out);
    cr_assert_eq(mini_http_count(&s), 1);
    mini_request *q = &s.requests[0];
    cr_assert_str_eq(q->method, "POST");
    cr_assert_str_eq(q->target,
                     "/api/v1/libraries/types/releases/1.0?replace=1&date=2024-01-02&notes=first%20release%20%26%20more");
    cr_assert_str_eq(q->authorization, "Bearer s3cret-token");
    cr_assert_str_eq(q->content_type, "application/json");
    /* The body is the corpus, byte for byte as extract wrote it. */
    size_t len;
    char *file = read_whole_file(e.corpus, &len);
    cr_assert(file);
    cr_assert(q->body_len == len && memcmp(q->body, file, len) == 0, "body (%zu bytes) differs from the corpus (%zu)",
              q->body_len, len);
    free(file);
    tool_run_free(&r);
    mini_http_stop(&s);
    push_env_free(&e);
}

Test(push, shared_object_is_extracted_and_env_token_used)
{
    static const mini_reply replies[] = { { 201, CREATED, 0, NULL, false } };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    push_env e;
    push_env_init(&e, s.port);
    setenv("ABIGUARD_TOKEN", "env-token", 1);
    char *lib = fixture_path("types/libtypes.so");
    tool_run r;
    cr_assert(run_abiguard(&r, "push", lib, "--server", e.server, "--library", "my lib", "--version", "2.0+b1",
                           "--no-system-debug", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 0, "push: %s; stderr:\n%s", tool_run_outcome(&r), r.err);
    cr_assert_eq(mini_http_count(&s), 1);
    mini_request *q = &s.requests[0];
    cr_assert_str_eq(q->target, "/api/v1/libraries/my%20lib/releases/2.0%2Bb1");
    cr_assert_str_eq(q->authorization, "Bearer env-token");
    json_t *body = json_loadb(q->body, q->body_len, 0, NULL);
    cr_assert(body, "the body is not JSON");
    cr_assert_str_eq(json_string_value(json_object_get(body, "format")), "abiguard-corpus/1");
    cr_assert(json_is_true(json_object_get(body, "debug_info")));
    json_decref(body);
    free(lib);
    tool_run_free(&r);
    mini_http_stop(&s);
    push_env_free(&e);
}

Test(push, client_errors_are_not_retried)
{
    static const mini_reply conflict[] = {
        { 409, "{\"error\":{\"status\":409,\"message\":\"release types@1.0 already exists\"}}", 0, NULL, false },
    };
    static const mini_reply unauthorized[] = {
        { 401, "{\"error\":{\"status\":401,\"message\":\"a bearer token is required\"}}", 0, NULL, false },
    };
    static const mini_reply plain[] = { { 422, "corpus rejected: no format\nsecond line", 0, "text/plain", false } };
    const struct { const mini_reply *replies; const char *expect; } cases[] = {
        { conflict, "HTTP 409 Conflict: release types@1.0 already exists" },
        { unauthorized, "HTTP 401 Unauthorized: a bearer token is required" },
        { plain, "HTTP 422 Unprocessable Entity: corpus rejected: no format" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mini_http s;
        cr_assert(mini_http_start(&s, 0, cases[i].replies, 1));
        push_env e;
        push_env_init(&e, s.port);
        tool_run r;
        run_push(&r, &e, NULL, "--retries", "3", NULL, NULL, NULL, NULL);
        assert_one_error_line(&r, cases[i].expect);
        cr_assert_eq(mini_http_count(&s), 1, "a %d answer was retried", cases[i].replies[0].status);
        tool_run_free(&r);
        mini_http_stop(&s);
        push_env_free(&e);
    }
}

Test(push, server_errors_are_retried_with_backoff)
{
    static const mini_reply replies[] = {
        { 503, "{\"error\":{\"status\":503,\"message\":\"database is busy\"}}", 0, NULL, false },
    };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    push_env e;
    push_env_init(&e, s.port);
    tool_run r;
    run_push(&r, &e, NULL, "--retries", "2", NULL, NULL, NULL, NULL);
    assert_one_error_line(&r, "HTTP 503 Service Unavailable: database is busy (after 3 attempts)");
    cr_assert_eq(mini_http_count(&s), 3);
    double gap1 = s.requests[1].at - s.requests[0].at, gap2 = s.requests[2].at - s.requests[1].at;
    cr_assert(gap1 >= 0.4 && gap2 >= 0.8 && gap2 > gap1 * 1.5, "backoff not exponential: %.3f s then %.3f s",
              gap1, gap2);
    tool_run_free(&r);
    mini_http_stop(&s);
    push_env_free(&e);
}

Test(push, server_recovers_after_errors)
{
    static const mini_reply replies[] = {
        { 500, "{\"error\":{\"status\":500,\"message\":\"boom\"}}", 0, NULL, false },
        { 502, "<html>bad gateway</html>", 0, "text/html", false },
        { 201, CREATED, 0, NULL, false },
    };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 3));
    push_env e;
    push_env_init(&e, s.port);
    tool_run r;
    run_push(&r, &e, NULL, "--retries", "3", NULL, NULL, NULL, NULL);
    cr_assert(r.exited && r.exit_status == 0, "push: %s; stderr:\n%s", tool_run_outcome(&r), r.err);
    cr_assert_eq(mini_http_count(&s), 3);
    tool_run_free(&r);
    mini_http_stop(&s);
    push_env_free(&e);
}

Test(push, connection_refused_is_retried_then_fails)
{
    int port = mini_free_port();
    cr_assert(port > 0);
    push_env e;
    push_env_init(&e, port);
    tool_run r;
    double t0 = mini_now();
    run_push(&r, &e, NULL, "--retries", "2", NULL, NULL, NULL, NULL);
    double took = mini_now() - t0;
    assert_one_error_line(&r, "(3 attempts)");
    cr_assert(strstr(r.err, "onnect"), "stderr does not say the connection failed: %s", r.err);
    cr_assert(took >= 1.4, "3 attempts with 0.5 s + 1 s backoff took only %.2f s", took);
    tool_run_free(&r);
    push_env_free(&e);
}

/* Starts the scripted server on a given port after a delay. */
typedef struct late_start {
    mini_http *server;
    int port;
    const mini_reply *replies;
    bool ok;
} late_start;

static void *start_late(void *arg)
{
    late_start *l = arg;
    usleep(700 * 1000);
    l->ok = mini_http_start(l->server, l->port, l->replies, 1);
    return NULL;
}

Test(push, connection_refused_until_the_server_comes_up)
{
    static const mini_reply replies[] = { { 201, CREATED, 0, NULL, false } };
    int port = mini_free_port();
    cr_assert(port > 0);
    mini_http s;
    memset(&s, 0, sizeof s);
    late_start l = { &s, port, replies, false };
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, start_late, &l), 0);
    push_env e;
    push_env_init(&e, port);
    tool_run r;
    run_push(&r, &e, NULL, "--retries", "4", NULL, NULL, NULL, NULL);
    pthread_join(t, NULL);
    cr_assert(l.ok, "could not start the server on port %d", port);
    cr_assert(r.exited && r.exit_status == 0, "push: %s; stderr:\n%s", tool_run_outcome(&r), r.err);
    cr_assert_eq(mini_http_count(&s), 1);
    tool_run_free(&r);
    mini_http_stop(&s);
    push_env_free(&e);
}

Test(push, a_server_that_never_answers_times_out)
{
    static const mini_reply replies[] = { { 0, NULL, 0, NULL, true } };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    push_env e;
    push_env_init(&e, s.port);
    tool_run r;
    double t0 = mini_now();
    run_push(&r, &e, NULL, "--timeout", "1", "--retries", "1", NULL, NULL);
    double took = mini_now() - t0;
    assert_one_error_line(&r, "timed out");
    cr_assert(strstr(r.err, "(2 attempts)"), "stderr: %s", r.err);
    cr_assert(took >= 2.0 && took < 15.0, "two 1 s attempts took %.2f s", took);
    cr_assert_eq(mini_http_count(&s), 2);
    tool_run_free(&r);
    mini_http_stop(&s);
    push_env_free(&e);
}

Test(push, usage_errors_send_nothing)
{
    static const mini_reply replies[] = { { 201, CREATED, 0, NULL, false } };
    mini_http s;
    cr_assert(mini_http_start(&s, 0, replies, 1));
    push_env e;
    push_env_init(&e, s.port);
    const char *bad[][2] = {
        { "--retries", "many" }, { "--retries", "-1" }, { "--timeout", "0" }, { "--timeout", "1.5" },
        { "--frobnicate", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tool_run r;
        run_push(&r, &e, NULL, bad[i][0], bad[i][1], NULL, NULL, NULL, NULL);
        cr_assert(r.exited && r.exit_status == 2, "%s %s: expected exit 2, got %s", bad[i][0],
                  bad[i][1] ? bad[i][1] : "", tool_run_outcome(&r));
        tool_run_free(&r);
    }
    tool_run r;
    /* No --server; a server URL that is not http(s); no token at all. */
    cr_assert(run_abiguard(&r, "push", e.corpus, "--library", "x", "--version", "1", (char *)NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "--server"), "%s: %s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "push", e.corpus, "--server", "ftp://127.0.0.1/", "--library", "x", "--version", "1",
                           (char *)NULL));
    cr_assert(r.exited && r.exit_status == 2, "%s: %s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    cr_assert(run_abiguard(&r, "push", e.corpus, "--server", e.server, "--library", "x", "--version", "1",
                           (char *)NULL));
    cr_assert(r.exited && r.exit_status == 2 && strstr(r.err, "ABIGUARD_TOKEN"), "%s: %s", tool_run_outcome(&r), r.err);
    tool_run_free(&r);
    /* A corpus file that is not one: an error before any request. */
    char *junk = path_join2(e.dir, "junk.json");
    cr_assert(write_whole_file(junk, "{\"format\": \"nope\"}", 18));
    run_push(&r, &e, junk, NULL, NULL, NULL, NULL, NULL, NULL);
    assert_one_error_line(&r, "junk.json");
    tool_run_free(&r);
    free(junk);
    cr_assert_eq(mini_http_count(&s), 0, "a failed command still sent a request");
    mini_http_stop(&s);
    push_env_free(&e);
}

/* TLS: a self-signed certificate is refused (and not retried) unless
   --insecure; openssl's s_server stands in for an HTTPS service. */
Test(push, tls_is_verified_unless_insecure)
{
    if (access("/usr/bin/openssl", X_OK) != 0)
        cr_skip_test("no /usr/bin/openssl");
    push_env e;
    int port = mini_free_port();
    push_env_init(&e, port);
    snprintf(e.server, sizeof e.server, "https://127.0.0.1:%d", port);
    char *key = path_join2(e.dir, "key.pem"), *cert = path_join2(e.dir, "cert.pem"), accept_at[16];
    const char *req[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                          "-out", cert, "-days", "1", "-subj", "/CN=localhost", NULL };
    tool_run r;
    cr_assert(tool_run_argv(req, 60.0, &r) && r.exited && r.exit_status == 0, "openssl req: %s", r.err);
    tool_run_free(&r);
    snprintf(accept_at, sizeof accept_at, "%d", port);
    pid_t forker = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_dies_with_parent(forker);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl("/usr/bin/openssl", "openssl", "s_server", "-accept", accept_at, "-cert", cert, "-key", key, "-www",
              "-quiet", (char *)NULL);
        _exit(127);
    }
    /* Until it listens. */
    for (int i = 0; i < 100; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        bool up = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (up)
            break;
        usleep(100 * 1000);
    }
    run_push(&r, &e, NULL, "--retries", "3", NULL, NULL, NULL, NULL);
    bool refused_cert = r.exited && r.exit_status == 1 && strstr(r.err, "certificate") && strstr(r.err, "(1 attempt)");
    char *err1 = strdup(r.err);
    tool_run_free(&r);
    run_push(&r, &e, NULL, "--insecure", "--retries", "0", "--timeout", "3", NULL);
    bool past_tls = r.exited && r.exit_status == 1 && !strstr(r.err, "certificate");
    char *err2 = strdup(r.err);
    tool_run_free(&r);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    cr_assert(refused_cert, "a self-signed certificate was not refused once and for all: %s", err1);
    cr_assert(past_tls, "--insecure did not get past the certificate check: %s", err2);
    free(err1);
    free(err2);
    free(key);
    free(cert);
    push_env_free(&e);
}

/* ------------------------------------------------------------------ */
/* The real service, when this build has it.                           */

static bool have_serve(void)
{
    tool_run r;
    bool ok = run_abiguard(&r, "serve", "--help", (char *)NULL) && r.exited && r.exit_status == 0;
    tool_run_free(&r);
    return ok;
}

Test(push, to_the_real_service)
{
    if (!have_serve())
        cr_skip_test("this build has no 'abiguard serve'");
    push_env e;
    int port = mini_free_port();
    push_env_init(&e, port);
    char *db = path_join2(e.dir, "serve.db"), listen_at[64];
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", port);
    cr_assert(write_whole_file(e.token_file, "s3cret-token\n", 13));
    pid_t forker = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        child_dies_with_parent(forker);
        freopen("/dev/null", "w", stderr);
        freopen("/dev/null", "w", stdout);
        execl(abiguard_binary(), abiguard_binary(), "serve", "--db", db, "--create", "--listen", listen_at, "--token-file",
              e.token_file, (char *)NULL);
        _exit(127);
    }
    /* Wait for /healthz through push's own retry on refused connections. */
    tool_run r;
    run_push(&r, &e, NULL, "--retries", "6", NULL, NULL, NULL, NULL);
    bool pushed = r.exited && r.exit_status == 0;
    char *out = strdup(r.out), *err = strdup(r.err);
    tool_run_free(&r);
    /* A second push of the same release: 409, not retried, with the message. */
    run_push(&r, &e, NULL, "--retries", "3", NULL, NULL, NULL, NULL);
    /* ... and the advice is this command's option, not the API's query. */
    bool conflict = r.exited && r.exit_status == 1 && strstr(r.err, "HTTP 409") &&
                    strstr(r.err, "use --replace") && !strstr(r.err, "?replace=1");
    char *err2 = strdup(r.err);
    tool_run_free(&r);
    /* A wrong token: 403. */
    cr_assert(write_whole_file(e.token_file, "wrong\n", 6));
    run_push(&r, &e, NULL, "--replace", NULL, NULL, NULL, NULL, NULL);
    bool forbidden = r.exited && r.exit_status == 1 && strstr(r.err, "HTTP 403");
    char *err3 = strdup(r.err);
    tool_run_free(&r);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    cr_assert(pushed, "push to abiguard serve failed: %s %s", out, err);
    cr_assert(strstr(out, "pushed types@1.0"), "stdout: %s", out);
    cr_assert(conflict, "second push: %s", err2);
    cr_assert(forbidden, "wrong token: %s", err3);
    free(out);
    free(err);
    free(err2);
    free(err3);
    free(db);
    push_env_free(&e);
}
