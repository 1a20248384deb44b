/*
 * fuzz_server.c — the service's request handling on arbitrary bytes: the
 * input is one HTTP request as a client sends it (request line, header
 * lines, a blank line, the body). The harness splits it the way
 * libmicrohttpd does (method, target, header lines with their lengths,
 * query arguments) and then runs what `abiguard serve` runs on it, without
 * listening on a port: the admission checks (srv_admit: framing, router,
 * methods, token, announced length), the percent-decoding, and the API
 * handlers on a store holding two releases of one library and one of
 * another (built once per process from committed corpora); an upload that
 * passes is stored by the writer into a fresh copy of that store, so every
 * input sees the same state. Every answer must be a status with a JSON
 * body (or the refusal's one-line message); a handler must not crash,
 * hang, leak or run past its work budget. Seeds: requests in
 * tests/fuzz/server/.
 */
#include "fuzz_common.h"

#include <jansson.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "budget.h"
#include "server_internal.h"
#include "sha256.h"
#include "store.h"
#include "store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The token a write must carry ("Authorization: Bearer fuzz-token"). */
#define FUZZ_TOKEN "fuzz-token"

static ag_server server;
static uint8_t token_digest[32];
static char *pristine_path, *work_path;
static bool work_dirty = true;
static srv_worker worker;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        abort();
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (cap + 4096) * 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void add_release(ag_store *s, const char *lib, const char *ver, const char *text, size_t len)
{
    ag_corpus *c = NULL;
    ag_error err = { "" };
    if (ag_corpus_from_json(text, len, &c, &err) != AG_OK ||
        ag_store_add_release(s, lib, ver, "2024-01-01", NULL, c, false, &err) != AG_OK) {
        fprintf(stderr, "fuzz_server: cannot build the store (%s@%s): %s\n", lib, ver, err.msg);
        abort();
    }
    ag_corpus_free(c);
}

/* The store every input starts from: demo 1.0 and 1.1 (the two sides of a
   diff_reports seed, so diff, history and matrix have a change to report)
   and mini 1.0. Run from the top of the project (make does). */
static void build_pristine_store(void)
{
    const char *dir = fuzz_scratch_dir();
    size_t n = strlen(dir) + 32;
    pristine_path = malloc(n);
    work_path = malloc(n);
    snprintf(pristine_path, n, "%s/pristine.db", dir);
    snprintf(work_path, n, "%s/work.db", dir);
    ag_store *s = NULL;
    ag_error err = { "" };
    if (ag_store_open(pristine_path, &s, &err) != AG_OK) {
        fprintf(stderr, "fuzz_server: %s: %s\n", pristine_path, err.msg);
        abort();
    }
    size_t len;
    char *pair = slurp("tests/fuzz/diff_reports/member_offset_changed.pair", &len);
    char *sep = strstr(pair, "\n====\n");
    if (!sep)
        abort();
    add_release(s, "demo", "1.0", pair, (size_t)(sep + 1 - pair));
    add_release(s, "demo", "1.1", sep + 6, len - (size_t)(sep + 6 - pair));
    free(pair);
    char *mini = slurp("tests/fuzz/corpus_json/mini.json", &len);
    add_release(s, "mini", "1.0", mini, len);
    free(mini);
    ag_store_close(s);
}

static void close_store(void)
{
    sqlite3_finalize(worker.data_version);
    worker.data_version = NULL;
    ag_store_close(worker.store);
    worker.store = NULL;
}

/* A fresh copy of the pristine store (its WAL was checkpointed away when
   it was closed) as the worker's store. */
static void reset_store(void)
{
    close_store();
    size_t len;
    char *bytes = slurp(pristine_path, &len);
    char side[4200];
    for (const char *suffix = "-wal"; suffix; suffix = strcmp(suffix, "-wal") == 0 ? "-shm" : NULL) {
        snprintf(side, sizeof side, "%s%s", work_path, suffix);
        unlink(side);
    }
    FILE *f = fopen(work_path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        abort();
    free(bytes);
    ag_error err = { "" };
    if (!srv_worker_store(&worker, &err)) {
        fprintf(stderr, "fuzz_server: %s: %s\n", work_path, err.msg);
        abort();
    }
    work_dirty = false;
}

/* web/ with index.html and js/app.js, indexed as `serve --web` does. */
static void build_web_dir(void)
{
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/web", fuzz_scratch_dir());
    snprintf(path, sizeof path, "%s/js", dir);
    if (mkdir(dir, 0755) != 0 || mkdir(path, 0755) != 0)
        abort();
    const char *files[] = { "index.html", "js/app.js" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "w");
        if (!f || fputs("x\n", f) < 0 || fclose(f) != 0)
            abort();
    }
    ag_error err = { "" };
    if (srv_static_scan(dir, &server.web, &err) != AG_OK || server.web.n != 2) {
        fprintf(stderr, "fuzz_server: %s: %s\n", dir, err.msg);
        abort();
    }
}

static void at_exit(void)
{
    close_store();
    srv_static_free(&server.web);
}

static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    build_pristine_store();
    ag_sha256 sha;
    ag_sha256_init(&sha);
    ag_sha256_update(&sha, FUZZ_TOKEN, strlen(FUZZ_TOKEN));
    ag_sha256_final(&sha, token_digest);
    /* Limits far below the defaults, so that an input cannot make one run
       slow while staying within them. */
    server.cfg = (ag_server_config){
        .db_path = work_path,
        .max_body = (size_t)1 << 20,
        .max_imports = 1000,
        .max_types = 5000,
        .max_members = 1000,
        .max_work = 2000000,
        .max_response = (size_t)8 << 20,
    };
    server.db_path = work_path;
    build_web_dir();
    server.token_digests = &token_digest;
    server.n_tokens = 1;
    worker.srv = &server;
    worker.version = -1;
    atexit(at_exit);
}

/* ------------------------------------------------------------------ */
/* Splitting the bytes like libmicrohttpd                              */

typedef struct parsed {
    char *method, *target;
    srv_header h[64];
    char *hbuf[64];
    size_t n;
    const uint8_t *body;
    size_t body_len;
} parsed;

static char *dup_bytes(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* The end of the line starting at p (its CR LF or LF), or NULL. */
static const uint8_t *line_end(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
    const uint8_t *lf = memchr(p, '\n', (size_t)(end - p));
    if (!lf)
        return NULL;
    *next = lf + 1;
    return lf > p && lf[-1] == '\r' ? lf - 1 : lf;
}

static bool parse_request(const uint8_t *data, size_t size, parsed *r)
{
    const uint8_t *end = data + size, *next, *e = line_end(data, end, &next);
    if (!e)
        return false;
    const uint8_t *sp1 = memchr(data, ' ', (size_t)(e - data));
    if (!sp1 || sp1 == data)
        return false;
    const uint8_t *t = sp1 + 1, *sp2 = memchr(t, ' ', (size_t)(e - t));
    if (!sp2)
        sp2 = e;
    if (sp2 == t || memchr(data, '\0', (size_t)(sp2 - data)))
        return false; /* libmicrohttpd refuses these itself */
    r->method = dup_bytes(data, (size_t)(sp1 - data));
    r->target = dup_bytes(t, (size_t)(sp2 - t));
    const uint8_t *p = next;
    while (p < end) {
        e = line_end(p, end, &next);
        if (!e)
            return false;
        if (e == p) { /* the blank line */
            r->body = next;
            r->body_len = (size_t)(end - next);
            return true;
        }
        const uint8_t *colon = memchr(p, ':', (size_t)(e - p));
        if (!colon || colon == p || r->n == 64)
            return false;
        const uint8_t *v = colon + 1, *ve = e;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t nl = (size_t)(colon - p), vl = (size_t)(ve - v);
        char *buf = malloc(nl + 1 + vl + 1);
        if (!buf)
            abort();
        memcpy(buf, p, nl);
        buf[nl] = '\0';
        memcpy(buf + nl + 1, v, vl);
        buf[nl + 1 + vl] = '\0';
        r->hbuf[r->n] = buf;
        r->h[r->n] = (srv_header){ buf, nl, buf + nl + 1, vl };
        r->n++;
        p = next;
    }
    r->body = end;
    r->body_len = 0;
    return true;
}

static void parsed_free(parsed *r)
{
    free(r->method);
    free(r->target);
    for (size_t i = 0; i < r->n; i++)
        free(r->hbuf[i]);
}

/* "a=1&b=%20" into rq->args (decoded, '+' as a space as libmicrohttpd does),
   the path part of target cut at the '?'. */
static void split_query(char *target, srv_request *rq)
{
    char *q = strchr(target, '?');
    rq->args = NULL;
    rq->n_args = 0;
    if (!q)
        return;
    *q++ = '\0';
    size_t cap = 1;
    for (const char *p = q; *p; p++)
        cap += *p == '&';
    rq->args = calloc(cap, sizeof *rq->args);
    if (!rq->args)
        abort();
    for (char *tok = q; tok;) {
        char *amp = strchr(tok, '&');
        if (amp)
            *amp = '\0';
        if (*tok) {
            char *eq = strchr(tok, '=');
            if (eq)
                *eq = '\0';
            for (char *c = tok; *c; c++)
                if (*c == '+')
                    *c = ' ';
            if (eq)
                for (char *c = eq + 1; *c; c++)
                    if (*c == '+')
                        *c = ' ';
            srv_unescape(tok);
            if (eq)
                srv_unescape(eq + 1);
            rq->args[rq->n_args].key = tok;
            rq->args[rq->n_args].value = eq ? eq + 1 : (char *)"";
            rq->n_args++;
        }
        tok = amp ? amp + 1 : NULL;
    }
}

/* ------------------------------------------------------------------ */
/* What an answer must look like                                       */

static void check_one_line(const char *what, const char *msg)
{
    if (!msg)
        fuzz_fail("%s: no error message", what);
    fuzz_check_message(what, msg);
}

static void check_reply(const srv_reply *rep)
{
    if (rep->status < 200 || rep->status > 599)
        fuzz_fail("status %d", rep->status);
    if (!rep->body)
        fuzz_fail("status %d without a body", rep->status);
    if (rep->ctype)
        return; /* a rendered report (text, Markdown, ...) */
    json_error_t je;
    json_t *j = json_loadb(rep->body, rep->len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
    if (!j)
        fuzz_fail("status %d: the body is not JSON (%s): %.200s", rep->status, je.text, rep->body);
    if (rep->status >= 400) {
        json_t *e = json_object_get(j, "error");
        if (json_integer_value(json_object_get(e, "status")) != rep->status &&
            json_real_value(json_object_get(e, "status")) != rep->status)
            fuzz_fail("status %d: the error body names another status: %.200s", rep->status, rep->body);
        /* A JSON message may quote request text (newlines and all): it
           must be there and not empty. */
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (!msg || !*msg)
            fuzz_fail("status %d: no error message: %.200s", rep->status, rep->body);
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (work_dirty)
        reset_store();
    parsed r = { 0 };
    if (!parse_request(data, size, &r)) {
        parsed_free(&r);
        return 0;
    }
    srv_request rq = { 0 };
    split_query(r.target, &rq);
    srv_unescape(r.target);
    char *segs = NULL;
    srv_refusal no;
    if (!srv_admit(&server, r.method, r.target, r.h, r.n, &rq, &segs, &no)) {
        if (no.status < 400 || no.status > 599)
            fuzz_fail("refused with status %d", no.status);
        check_one_line("refusal", no.msg);
        if (getenv("FUZZ_SERVER_TRACE"))
            fprintf(stderr, "fuzz_server: refused %d: %s\n", no.status, no.msg);
    } else if (rq.route == R_STATIC) {
        /* An exact match against the index, never a path built from the
           request: only the two files there can be found. */
        const srv_static_file *f = srv_static_find(&server.web, r.target);
        if (f) {
            if (strcmp(f->url, "/index.html") != 0 && strcmp(f->url, "/js/app.js") != 0)
                fuzz_fail("%s found %s, not in the index", r.target, f->url);
            int fd = srv_static_open(&server.web, f);
            if (fd < 0)
                fuzz_fail("%s: an indexed file cannot be opened", f->url);
            close(fd);
        }
    } else if (r.body_len <= server.cfg.max_body) {
        rq.body = (const char *)r.body;
        rq.body_len = r.body_len;
        ag_budget budget;
        ag_budget_init(&budget, 0, rq.post ? 0 : server.cfg.max_work, NULL);
        budget.max_output = server.cfg.max_response;
        rq.budget = &budget;
        srv_reply rep = { .status = 200, .budget = &budget };
        /* Reads may write too (the diff cache): any change, and the next
           input starts from a fresh copy again. */
        sqlite3_int64 changes = sqlite3_total_changes64(worker.store->db);
        ag_store_set_budget(worker.store, &budget);
        srv_api_handle(&worker, &rq, &rep);
        if (srv_reply_pending(&rep) && rep.body)
            srv_reply_drop_pending(&rep);
        if (srv_reply_pending(&rep)) {
            work_dirty = true;
            srv_api_write(&worker, &rq, &rep);
        }
        ag_store_set_budget(worker.store, NULL);
        check_reply(&rep);
        if (getenv("FUZZ_SERVER_TRACE")) /* to see what a seed reaches */
            fprintf(stderr, "fuzz_server: %d: %.300s\n", rep.status, rep.body);
        if (rep.wrote || sqlite3_total_changes64(worker.store->db) != changes)
            work_dirty = true;
        free(rep.body);
    }
    free(segs);
    free(rq.args);
    parsed_free(&r);
    return 0;
}
