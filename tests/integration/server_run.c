/*
 * server_run.c — starting, stopping and asking `abiguard serve` in the
 * service tests (see server_run.h).
 */
#include "server_run.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool_run.h"


void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void seed(server *s)
{
    const char *libs[][2] = { { LUA53, "5.3.6" }, { LUA54, "5.4.4" } };
    for (int i = 0; i < 2; i++) {
        tool_run r;
        cr_assert(run_abiguard(&r, "add", libs[i][0], "--library", "lua", "--version", libs[i][1], "--db",
                               s->db, NULL));
        cr_assert(r.exited && r.exit_status == 0, "add %s: %s\n%s", libs[i][0], tool_run_outcome(&r), r.err);
        tool_run_free(&r);
    }
}

void server_start_opts(server *s, const server_opts *o)
{
    memset(s, 0, sizeof *s);
    s->dir = make_temp_dir();
    s->db = o->db ? strdup(o->db) : path_join2(s->dir, "store.db");
    s->tokens = path_join2(s->dir, "tokens");
    s->web = path_join2(s->dir, "web");
    s->log = path_join2(s->dir, "serve.log");
    const char *tok = "  first-token \n\n" TOKEN "\n   \n";
    cr_assert(write_whole_file(s->tokens, tok, strlen(tok)));
    cr_assert(mkdir(s->web, 0755) == 0);
    char *index = path_join2(s->web, "index.html"), *secret = path_join2(s->dir, "secret.txt");
    cr_assert(write_whole_file(index, "<!doctype html><title>abiguard</title>\n", 39));
    cr_assert(write_whole_file(secret, "TOP SECRET\n", 11));
    char *link = path_join2(s->web, "link.html");
    cr_assert(symlink(secret, link) == 0);
    free(index);
    free(secret);
    free(link);
    if (o->seeded)
        seed(s);
    const char *argv[48] = { abiguard_binary(), "serve", "--db", s->db, "--create", "--listen",
                             "127.0.0.1:0", "--token-file", s->tokens, "--web", s->web, "--threads",
                             o->threads ? o->threads : "4" };
    size_t n = 13;
    for (size_t i = 0; o->extra && o->extra[i] && n < 47; i++)
        argv[n++] = o->extra[i];
    argv[n] = NULL;
    pid_t forker = getpid();
    s->pid = fork();
    cr_assert(s->pid >= 0);
    if (s->pid == 0) {
        child_dies_with_parent(forker);
        int in = open("/dev/null", O_RDONLY), err = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, 0);
        dup2(err, 1);
        dup2(err, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 200 && !s->port; i++) {
        sleep_ms(25);
        char *text = read_whole_file(s->log, NULL);
        const char *p = text ? strstr(text, "listening on http://127.0.0.1:") : NULL;
        if (p)
            s->port = (unsigned)atoi(p + strlen("listening on http://127.0.0.1:"));
        free(text);
    }
    cr_assert(s->port > 0, "the server did not say where it listens");
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", s->port);
}

void server_start(server *s, bool seeded, const char *const *extra)
{
    server_start_opts(s, &(server_opts){ .seeded = seeded, .extra = extra });
}

int server_wait(server *s, double seconds)
{
    int status = 0;
    for (long waited = 0; s->pid > 0; waited += 25) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (waited >= (long)(seconds * 1000))
            return -1;
        sleep_ms(25);
    }
    return -1;
}

char *server_log(const server *s)
{
    char *text = read_whole_file(s->log, NULL);
    return text ? text : strdup("");
}

int server_stop(server *s)
{
    int status = -1;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        for (int i = 0; i < 400; i++) {
            pid_t r = waitpid(s->pid, &status, WNOHANG);
            if (r == s->pid)
                break;
            sleep_ms(25);
            if (i == 399) {
                kill(s->pid, SIGKILL);
                waitpid(s->pid, &status, 0);
                status = -1;
            }
        }
        s->pid = 0;
    }
    remove_tree(s->dir);
    free(s->dir);
    free(s->db);
    free(s->tokens);
    free(s->web);
    free(s->log);
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                */

size_t srv_on_data(char *p, size_t size, size_t n, void *ud)
{
    srv_buf *b = ud;
    char *d = realloc(b->data, b->len + size * n + 1);
    if (!d)
        return 0;
    memcpy(d + b->len, p, size * n);
    b->data = d;
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}


void resp_free(resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}


static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    const req *q = ud;
    if (ultotal > 0 && ulnow >= ultotal && (curl_off_t)q->len == ultotal)
        atomic_store(q->uploaded, 1);
    return 0;
}

resp srv_http(const server *s, const char *path, const req *q)
{
    CURL *c = curl_easy_init();
    cr_assert(c);
    char url[4096];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    srv_buf body = { 0 }, head = { 0 };
    struct curl_slist *h = NULL;
    char auth[256];
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, srv_on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, srv_on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, q && q->timeout_s ? q->timeout_s : 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (q && q->interface)
        curl_easy_setopt(c, CURLOPT_INTERFACE, q->interface);
    if (q && q->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", q->token);
        h = curl_slist_append(h, auth);
    }
    if (q && q->header)
        h = curl_slist_append(h, q->header);
    if (q && q->chunked)
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    if (q && q->body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        if (!q->chunked)
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
        if (!q->header)
            h = curl_slist_append(h, "Expect:");
    }
    if (q && q->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (q && q->uploaded) {
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, q);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode rc = curl_easy_perform(c);
    cr_assert(rc == CURLE_OK || (q && q->may_fail), "%s: %s", path, curl_easy_strerror(rc));
    resp r = { .curl_code = (int)rc };
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    r.body = body.data ? body.data : strdup("");
    r.len = body.len;
    r.headers = head.data ? head.data : strdup("");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

resp srv_get(const server *s, const char *path)
{
    return srv_http(s, path, NULL);
}

resp srv_post(const server *s, const char *path, const char *body, size_t len, const char *token)
{
    req q = { .body = body, .len = len, .token = token };
    return srv_http(s, path, &q);
}

json_t *srv_parse(const resp *r)
{
    json_error_t e;
    json_t *v = json_loadb(r->body, r->len, 0, &e);
    cr_assert(v, "not JSON (%s): %.300s", e.text, r->body);
    return v;
}

void srv_expect_error(const resp *r, long status, const char *what)
{
    cr_assert_eq(r->status, status, "%s: expected %ld, got %ld: %s", what, status, r->status, r->body);
    json_t *v = srv_parse(r);
    json_t *e = json_object_get(v, "error");
    cr_assert(json_integer_value(json_object_get(e, "status")) == status, "%s: body %s", what, r->body);
    cr_assert(json_is_string(json_object_get(e, "message")), "%s: body %s", what, r->body);
    json_decref(v);
}

void srv_expect_header(const resp *r, const char *line)
{
    cr_assert(strcasestr(r->headers, line), "missing header '%s' in:\n%s", line, r->headers);
}

char *srv_extract_json(const char *lib, size_t *len)
{
    tool_run r;
    cr_assert(run_abiguard(&r, "extract", lib, NULL));
    cr_assert(r.exited && r.exit_status == 0, "extract %s: %s", lib, r.err);
    char *out = r.out;
    *len = r.out_len;
    r.out = NULL;
    tool_run_free(&r);
    return out;
}

