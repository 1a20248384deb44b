/*
 * server.c — the service's libmicrohttpd glue: start-up (token file, web
 * index, listen address, connection limits), request bodies, the worker
 * pool (the checks before any handler runs are in server_admit.c), the
 * per-request log callback, and a stop that lets requests in flight finish
 * and then cancels what still runs. The JSON handlers are in server_api.c.
 *
 * Threads. libmicrohttpd's network threads (a pool, each with its own event
 * loop) parse requests and send answers, and answer on their own only what
 * is cheap: errors, static files, /healthz and cached responses. Any other
 * request is copied out of the connection, the connection is suspended and
 * the request goes to a queue: reads to a pool of read workers, releases
 * (POST) to a pool of upload workers that parse, check and prepare them,
 * and from there to the one writer that stores them. A worker fills in
 * the reply under the request's budget (for reads: time from when the
 * request was complete and work units; for all: the stop flag; budget.h)
 * and resumes the connection; its network thread then sends the reply. So
 * a long diff or a long upload never holds up other clients or takes a
 * read worker, a write never waits behind another write for the
 * store's lock, and SIGTERM can cancel what runs.
 *
 * Responses are queued on the second call of a request (once MHD knows
 * there is no body, or has all of it), so connections are kept alive;
 * only requests refused before their body is read (401, 403, 413, framing
 * errors) close the connection.
 *
 * Caching. Each network thread keeps ready-made responses of GET routes,
 * valid while PRAGMA data_version on its own store connection is unchanged
 * (it changes whenever any other connection commits: the writer, another
 * process). A worker's answer is cached only when that version did not move
 * between dispatch and reply, so a reply computed from an older state is
 * never kept.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "server_internal.h"
#include "sha256.h"
#include "store_internal.h"

#define CACHE_MAX_ENTRIES 256
#define CACHE_MAX_BYTES ((size_t)64 << 20)
#define MAX_QUERY_ARGS 64
#define UPLOAD_NICE 5

/* ------------------------------------------------------------------ */
/* Per-thread state                                                    */

static void cache_clear(srv_worker *w)
{
    for (size_t i = 0; i < w->n_cache; i++) {
        free(w->cache[i].key);
        MHD_destroy_response(w->cache[i].resp);
    }
    w->n_cache = 0;
    w->cache_bytes = 0;
}

static void worker_free(void *p)
{
    srv_worker *w = p;
    if (!w)
        return;
    cache_clear(w);
    free(w->cache);
    sqlite3_finalize(w->data_version);
    ag_store_close(w->store);
    free(w);
}

static srv_worker *worker_get(ag_server *srv)
{
    srv_worker *w = pthread_getspecific(srv->worker_key);
    if (w)
        return w;
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->srv = srv;
    w->version = -1;
    if (pthread_setspecific(srv->worker_key, w) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

ag_store *srv_worker_store(srv_worker *w, ag_error *err)
{
    if (w->store)
        return w->store;
    if (ag_store_open_existing(w->srv->db_path, &w->store, err) != AG_OK) {
        w->store = NULL;
        return NULL;
    }
    if (sqlite3_prepare_v2(w->store->db, "PRAGMA data_version", -1,
                           (sqlite3_stmt **)&w->data_version, NULL) != SQLITE_OK)
        w->data_version = NULL;
    return w->store;
}

/* Drops the cache when another connection committed since it was filled. */
static void cache_check(srv_worker *w)
{
    sqlite3_stmt *q = w->data_version;
    int64_t v = -2;
    if (q) {
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
    }
    if (v != w->version || v < 0) {
        cache_clear(w);
        w->version = v;
    }
}

static srv_cache_entry *cache_find(srv_worker *w, const char *key)
{
    for (size_t i = 0; i < w->n_cache; i++)
        if (strcmp(w->cache[i].key, key) == 0)
            return &w->cache[i];
    return NULL;
}

/* Keeps resp (taking over the caller's reference) or returns false. */
static bool cache_put(srv_worker *w, const char *key, struct MHD_Response *resp, int status, size_t size)
{
    if (w->version < 0 || size > CACHE_MAX_BYTES / 4)
        return false;
    if (w->n_cache == CACHE_MAX_ENTRIES || w->cache_bytes + size > CACHE_MAX_BYTES)
        cache_clear(w);
    if (w->n_cache == w->cap_cache) {
        size_t cap = w->cap_cache ? w->cap_cache * 2 : 16;
        srv_cache_entry *v = realloc(w->cache, cap * sizeof *v);
        if (!v)
            return false;
        w->cache = v;
        w->cap_cache = cap;
    }
    char *k = strdup(key);
    if (!k)
        return false;
    /* MHD responses are reference counted: the cache holds the creation
       reference, each queued connection one more. */
    w->cache[w->n_cache++] = (srv_cache_entry){ k, resp, status, size };
    w->cache_bytes += size;
    return true;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */

void srv_error(srv_reply *rep, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages can quote request text: keep the body valid JSON (UTF-8). */
    json_t *m = json_string(msg);
    if (!m)
        m = json_string("invalid request");
    json_t *o = json_pack("{s:{s:i,s:o}}", "error", "status", status, "message", m);
    free(rep->body);
    rep->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    rep->len = rep->body ? strlen(rep->body) : 0;
    rep->status = status;
    rep->ctype = NULL;
    rep->cacheable = false;
}

void srv_fail(srv_reply *rep, ag_status st, const ag_error *err)
{
    int code;
    switch (st) {
    case AG_ERR_NOTFOUND: code = 404; break;
    case AG_ERR_USAGE: code = 400; break;
    case AG_ERR_NOSPACE: code = 507; break;
    case AG_ERR_LIMIT:
        /* Out of time or stopping may pass; more work or a bigger answer
           than allowed will not. */
        if (rep->budget && rep->budget->hit != AG_BUDGET_OK) {
            ag_budget_hit hit = rep->budget->hit;
            ag_error why;
            ag_budget_fail(rep->budget, &why);
            srv_error(rep, hit == AG_BUDGET_WORK || hit == AG_BUDGET_SIZE ? 422 : 503, "%s%s", why.msg,
                      hit == AG_BUDGET_TIME ? " (--request-timeout)"
                      : hit == AG_BUDGET_WORK ? " (--max-work)"
                      : hit == AG_BUDGET_SIZE ? " (--max-response)" : "");
            return;
        }
        code = 503;
        break;
    default: code = 500; break;
    }
    srv_error(rep, code, "%s", err->msg);
}

const char *srv_query(const srv_request *rq, const char *key)
{
    for (size_t i = 0; i < rq->n_args; i++)
        if (strcmp(rq->args[i].key, key) == 0)
            return rq->args[i].value;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

typedef enum job_state { JOB_NONE, JOB_QUEUED, JOB_DONE } job_state;

typedef struct srv_conn {
    struct srv_conn *next;    /* in a queue */
    struct MHD_Connection *conn;
    struct timespec start;
    int64_t ready_ns;         /* when the request was complete: its time budget starts */
    char *method, *path;      /* for the log line */
    int status;               /* of the response queued, 0 if none */
    bool responded;
    bool refused;             /* refusal is the answer (sent when the request is complete) */
    srv_refusal refusal;
    job_state job;
    srv_request rq;
    srv_reply rep;            /* a worker's answer (JOB_DONE) */
    char *cache_key;          /* the answer may be cached under this key */
    int64_t cache_version;    /* the network thread's data_version at dispatch */
    char *segs;               /* storage for rq.lib / rq.ver / rq.type_name */
    char *body;
    size_t len, cap;
    bool too_large;
} srv_conn;

/* ------------------------------------------------------------------ */
/* Sending                                                             */

static enum MHD_Result queue(struct MHD_Connection *c, srv_conn *sc, int status, struct MHD_Response *r)
{
    sc->status = status;
    sc->responded = true;
    return MHD_queue_response(c, (unsigned)status, r);
}

static struct MHD_Response *make_response(srv_reply *rep, bool api)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(rep->len, rep->body, MHD_RESPMEM_MUST_FREE);
    if (!r)
        return NULL;
    rep->body = NULL; /* owned by the response now */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rep->ctype ? rep->ctype : "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (api)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return r;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, srv_conn *sc, srv_reply *rep,
                                  const char *extra_name, const char *extra_value)
{
    if (!rep->body)
        srv_error(rep, 500, "out of memory");
    if (!rep->body)
        return MHD_NO;
    struct MHD_Response *r = make_response(rep, true);
    if (!r) {
        free(rep->body);
        rep->body = NULL;
        return MHD_NO;
    }
    if (extra_name)
        MHD_add_response_header(r, extra_name, extra_value);
    enum MHD_Result res = queue(c, sc, rep->status, r);
    MHD_destroy_response(r);
    return res;
}

static enum MHD_Result send_error(struct MHD_Connection *c, srv_conn *sc, int status,
                                  const char *extra_name, const char *extra_value, const char *msg)
{
    srv_reply rep = { 0 };
    srv_error(&rep, status, "%s", msg);
    return send_reply(c, sc, &rep, extra_name, extra_value);
}

static enum MHD_Result send_refusal(struct MHD_Connection *c, srv_conn *sc, const srv_refusal *r)
{
    return send_error(c, sc, r->status, r->header_name, r->header_value, r->msg);
}

static enum MHD_Result send_static(struct MHD_Connection *c, srv_conn *sc, ag_server *srv, const char *url)
{
    const srv_static_file *f = srv_static_find(&srv->web, url);
    int fd = f ? srv_static_open(&srv->web, f) : -1;
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return send_error(c, sc, 404, NULL, NULL, "no such file");
    struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->ctype);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    enum MHD_Result res = queue(c, sc, 200, r);
    MHD_destroy_response(r);
    return res;
}

/* ------------------------------------------------------------------ */
/* Request checks                                                      */

/* Every header line, with lengths, for srv_admit. */
typedef struct header_list {
    srv_header v[256];
    size_t n;
    bool too_many;
} header_list;

static enum MHD_Result collect_line(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                    const char *value, size_t value_size)
{
    (void)kind;
    header_list *h = cls;
    if (h->n == sizeof h->v / sizeof h->v[0]) {
        h->too_many = true;
        return MHD_NO;
    }
    h->v[h->n++] = (srv_header){ key, key_size, value ? value : "", value ? value_size : 0 };
    return MHD_YES;
}

#if MHD_VERSION < 0x01000000
/* libmicrohttpd before 1.0 takes a header value up to its first NUL byte
   and silently drops the rest of the line, so "Authorization: Bearer
   tok\0en" reaches us as "Bearer tok" while a proxy in front may have seen
   (and allowed) another value. The API cannot show such a byte, but the
   parsed headers still lie in the connection's read buffer where they were
   received, in order, with each line end (and the colon) overwritten by
   NULs: between the end of one header's value and the next header's name
   (and after the last value, up to the end of the header block) there can
   only be NULs. Any other byte there is what a NUL hid (or an obsolete
   folded line, which RFC 9112 lets a server refuse as well). When the
   layout is not that one (headers moved by a grown buffer), the request
   cannot be checked and is refused too. */
static bool hidden_header_bytes(struct MHD_Connection *c, const char *method, const header_list *h)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (!info)
        return true;
    const char *start = method, *end = method + info->header_size;
    for (size_t i = 0; i < h->n; i++) {
        const char *from = h->v[i].value + h->v[i].value_len;
        const char *to = i + 1 < h->n ? h->v[i + 1].name : end;
        if (h->v[i].name < start || from > to || to > end || to - from > 16)
            return true;
        for (const char *p = from; p < to; p++)
            if (*p != '\0')
                return true;
    }
    return false;
}
#endif

/* ------------------------------------------------------------------ */
/* Workers                                                             */

static bool cacheable_route(srv_route r)
{
    return r != R_HEALTHZ && r != R_STATIC && r != R_COMPATIBLE && r != R_NONE;
}

typedef struct arg_copy {
    srv_arg *v;
    size_t n;
    bool failed;
} arg_copy;

static enum MHD_Result copy_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    arg_copy *a = cls;
    if (a->n == MAX_QUERY_ARGS)
        return MHD_NO;
    char *k = strdup(key ? key : ""), *v = strdup(value ? value : "");
    if (!k || !v) {
        free(k);
        free(v);
        a->failed = true;
        return MHD_NO;
    }
    a->v[a->n++] = (srv_arg){ k, v };
    return MHD_YES;
}

static void free_args(srv_request *rq)
{
    for (size_t i = 0; i < rq->n_args; i++) {
        free(rq->args[i].key);
        free(rq->args[i].value);
    }
    free(rq->args);
    rq->args = NULL;
    rq->n_args = 0;
}

/* The query, copied: workers never touch the MHD connection. */
static bool copy_args(struct MHD_Connection *c, srv_request *rq)
{
    arg_copy a = { calloc(MAX_QUERY_ARGS, sizeof(srv_arg)), 0, false };
    if (!a.v)
        return false;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, copy_arg, &a);
    rq->args = a.v;
    rq->n_args = a.n;
    return !a.failed;
}

/* The path and every argument: the answer depends on nothing else. */
static char *cache_key_of(const char *url, const srv_request *rq)
{
    size_t len = strlen(url) + 2;
    for (size_t i = 0; i < rq->n_args; i++)
        len += strlen(rq->args[i].key) + strlen(rq->args[i].value) + 2;
    char *key = malloc(len);
    if (!key)
        return NULL;
    char *w = key + sprintf(key, "%s", url);
    for (size_t i = 0; i < rq->n_args; i++)
        w += sprintf(w, "\n%s\t%s", rq->args[i].key, rq->args[i].value);
    return key;
}

/* Runs one request on a worker thread, under its budget. On a read
   worker that is the whole request; an upload is first parsed, checked
   and prepared by an upload worker (the reply then has a pending write),
   then stored by the writer. An upload has no deadline or work limit (its
   size is bounded by the upload limits, and cutting a write short would
   only waste it) but is cancelled on stop. */
static void run_job(ag_server *srv, srv_conn *sc, srv_role role)
{
    bool writer = role == SRV_WRITE, bounded = role == SRV_READ;
    ag_budget budget;
    ag_budget_init(&budget, bounded ? srv->cfg.request_timeout_ms : 0, bounded ? srv->cfg.max_work : 0,
                   &srv->cancel);
    budget.max_output = srv->cfg.max_response;
    if (bounded && srv->cfg.request_timeout_ms) /* the time in the queue counts */
        budget.deadline_ns = sc->ready_ns + (int64_t)srv->cfg.request_timeout_ms * 1000000LL;
    srv_reply *rep = &sc->rep;
    if (!writer)
        *rep = (srv_reply){ .status = 200 };
    rep->budget = &budget;
    srv_worker *w = worker_get(srv);
    ag_error err = { .msg = "" };
    ag_store *s = w ? srv_worker_store(w, &err) : NULL;
    if (!w) {
        srv_error(rep, 500, "out of memory");
    } else if (!s) {
        srv_error(rep, 500, "cannot open the store: %s", err.msg);
    } else if (ag_budget_spent(&budget)) {
        srv_fail(rep, AG_ERR_LIMIT, &err);
    } else {
        ag_store_set_budget(s, &budget);
        sc->rq.budget = &budget;
        if (writer)
            srv_api_write(w, &sc->rq, rep);
        else
            srv_api_handle(w, &sc->rq, rep);
        sc->rq.budget = NULL;
        ag_store_set_budget(s, NULL);
    }
    if (srv_reply_pending(rep) && (writer || rep->body)) /* not written after all */
        srv_reply_drop_pending(rep);
    rep->budget = NULL;
    if (srv_reply_pending(rep))
        return; /* on to the writer */
    if (!rep->body)
        srv_error(rep, 500, "out of memory");
    if (rep->len > srv->cfg.max_response)
        srv_error(rep, 422, "the response would be %zu bytes, over the limit of %zu bytes (--max-response)",
                  rep->len, srv->cfg.max_response);
}

static void push_job(ag_server *srv, srv_role role, srv_conn *sc)
{
    srv_queue *q = &srv->queues[role];
    sc->next = NULL;
    if (q->tail)
        q->tail->next = sc;
    else
        q->head = sc;
    q->tail = sc;
    srv->queued++;
    pthread_cond_signal(&srv->ready[role]);
}

static void *worker_main(void *arg)
{
    ag_server *srv = ((struct srv_role_arg *)arg)->srv;
    srv_role role = ((struct srv_role_arg *)arg)->role;
    /* Linux gives each thread its own nice value: the upload workers and
       the writer yield the CPU to readers and the network threads (a read
       takes milliseconds, parsing and storing an upload may take seconds). */
    if (role != SRV_READ)
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), UPLOAD_NICE);
    srv_queue *q = &srv->queues[role];
    for (;;) {
        pthread_mutex_lock(&srv->qlock);
        while (!q->head && !srv->pool_stop)
            pthread_cond_wait(&srv->ready[role], &srv->qlock);
        srv_conn *sc = q->head;
        if (!sc) {
            pthread_mutex_unlock(&srv->qlock);
            break;
        }
        q->head = sc->next;
        if (!q->head)
            q->tail = NULL;
        sc->next = NULL;
        srv->queued--;
        srv->running++;
        pthread_mutex_unlock(&srv->qlock);

        run_job(srv, sc, role);

        struct MHD_Connection *c = sc->conn;
        pthread_mutex_lock(&srv->qlock);
        srv->running--;
        if (srv_reply_pending(&sc->rep)) { /* a checked upload: the writer stores it, still suspended */
            push_job(srv, SRV_WRITE, sc);
            pthread_mutex_unlock(&srv->qlock);
            continue;
        }
        sc->job = JOB_DONE; /* sc belongs to the network thread again after the resume */
        if (srv->running == 0 && srv->queued == 0)
            pthread_cond_broadcast(&srv->drained);
        pthread_mutex_unlock(&srv->qlock);
        MHD_resume_connection(c);
    }
    return NULL;
}

/* Hands the request to a worker and suspends the connection until the
   worker resumes it; false when the queue is full or the service stops. */
static bool enqueue(ag_server *srv, struct MHD_Connection *c, srv_conn *sc)
{
    pthread_mutex_lock(&srv->qlock);
    if (!srv->accepting || srv->queued >= srv->cfg.max_queue) {
        pthread_mutex_unlock(&srv->qlock);
        return false;
    }
    MHD_suspend_connection(c);
    sc->job = JOB_QUEUED;
    push_job(srv, sc->rq.post && (sc->rq.route == R_RELEASE || sc->rq.route == R_BINDING || sc->rq.route == R_AUDITS)
                      ? SRV_PREPARE : SRV_READ,
             sc);
    pthread_mutex_unlock(&srv->qlock);
    return true;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

/* The request is complete: answer what is cheap here, queue the rest. */
static enum MHD_Result dispatch(ag_server *srv, struct MHD_Connection *c, srv_conn *sc, const char *url)
{
    if (sc->refused)
        return send_refusal(c, sc, &sc->refusal);
    if (sc->rq.route == R_STATIC)
        return send_static(c, sc, srv, url);
    srv_worker *w = worker_get(srv);
    if (!w)
        return send_error(c, sc, 500, NULL, NULL, "out of memory");
    ag_error err = { .msg = "" };
    if (!srv_worker_store(w, &err)) {
        char msg[1100];
        snprintf(msg, sizeof msg, "cannot open the store: %s", err.msg);
        return send_error(c, sc, 500, NULL, NULL, msg);
    }
    if (!copy_args(c, &sc->rq))
        return send_error(c, sc, 500, NULL, NULL, "out of memory");
    sc->rq.body = sc->body;
    sc->rq.body_len = sc->len;
    if (sc->rq.route == R_HEALTHZ) { /* a few microseconds: never queued */
        srv_reply rep = { .status = 200 };
        srv_api_handle(w, &sc->rq, &rep);
        return send_reply(c, sc, &rep, NULL, NULL);
    }
    if (!sc->rq.post && cacheable_route(sc->rq.route)) {
        cache_check(w);
        sc->cache_key = cache_key_of(url, &sc->rq);
        srv_cache_entry *e = sc->cache_key ? cache_find(w, sc->cache_key) : NULL;
        if (e)
            return queue(c, sc, e->status, e->resp);
        sc->cache_version = w->version;
    }
    sc->ready_ns = ag_monotonic_ns();
    if (enqueue(srv, c, sc))
        return MHD_YES;
    char msg[160];
    if (srv->accepting)
        snprintf(msg, sizeof msg, "the service is busy: %u requests are waiting (--max-queue); try again",
                 srv->cfg.max_queue);
    else
        snprintf(msg, sizeof msg, "the service is stopping");
    return send_error(c, sc, 503, MHD_HTTP_HEADER_RETRY_AFTER, "1", msg);
}

/* A worker's reply, back on the network thread. */
static enum MHD_Result send_job_reply(ag_server *srv, struct MHD_Connection *c, srv_conn *sc)
{
    srv_reply *rep = &sc->rep;
    int status = rep->status;
    size_t size = rep->len;
    bool keep = sc->cache_key && rep->cacheable && status == 200;
    struct MHD_Response *r = make_response(rep, true);
    if (!r)
        return MHD_NO;
    enum MHD_Result res = queue(c, sc, status, r);
    srv_worker *w = keep ? worker_get(srv) : NULL;
    if (w) {
        int64_t before = sc->cache_version;
        cache_check(w); /* unchanged since dispatch: the reply shows the current state */
        keep = w->version == before;
    }
    if (!keep || !w || !cache_put(w, sc->cache_key, r, status, size))
        MHD_destroy_response(r);
    return res;
}

/* The first call for a request: headers are in, the body (if any) is not.
   A request refused now is answered now, which closes the connection (its
   body is never read); anything else is answered on a later call. */
static enum MHD_Result begin(ag_server *srv, struct MHD_Connection *c, srv_conn *sc, const char *url,
                             const char *method)
{
    header_list *h = calloc(1, sizeof *h);
    if (!h)
        return MHD_NO;
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, collect_line, h);
    bool admitted = false;
    if (h->too_many)
        sc->refusal = (srv_refusal){ .status = 431, .now = true, .msg = "too many request header lines" };
#if MHD_VERSION < 0x01000000
    else if (hidden_header_bytes(c, method, h))
        sc->refusal = (srv_refusal){ .status = 400, .now = true,
                                     .msg = "a request header contains a NUL byte (or a folded line)" };
#endif
    else
        admitted = srv_admit(srv, method, url, h->v, h->n, &sc->rq, &sc->segs, &sc->refusal);
    free(h);
    if (admitted)
        return MHD_YES; /* wait for the body, or the call that says there is none */
    sc->refused = true;
    return sc->refusal.now ? send_refusal(c, sc, &sc->refusal) : MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    ag_server *srv = cls;
    srv_conn *sc = *con_cls;
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &sc->start);
        sc->conn = c;
        sc->method = strdup(method);
        sc->path = strdup(url);
        *con_cls = sc;
        pthread_mutex_lock(&srv->lock);
        srv->inflight++;
        pthread_mutex_unlock(&srv->lock);
        return begin(srv, c, sc, url, method);
    }
    if (sc->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (sc->too_large)
            return MHD_YES; /* keep reading, answer 413 at the end */
        if (n > srv->cfg.max_body - sc->len) {
            sc->too_large = true;
            free(sc->body);
            sc->body = NULL;
            sc->len = sc->cap = 0;
            return MHD_YES;
        }
        if (sc->len + n + 1 > sc->cap) {
            size_t cap = sc->cap ? sc->cap : 64 * 1024;
            while (cap < sc->len + n + 1)
                cap *= 2;
            char *b = realloc(sc->body, cap);
            if (!b)
                return MHD_NO;
            sc->body = b;
            sc->cap = cap;
        }
        memcpy(sc->body + sc->len, upload_data, n);
        sc->len += n;
        sc->body[sc->len] = '\0';
        return MHD_YES;
    }
    if (sc->job == JOB_DONE)
        return send_job_reply(srv, c, sc);
    if (sc->job == JOB_QUEUED)
        return MHD_YES; /* not resumed yet */
    if (sc->too_large) {
        char msg[128];
        snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes (--max-body)", srv->cfg.max_body);
        return send_error(c, sc, 413, NULL, NULL, msg);
    }
    return dispatch(srv, c, sc, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    ag_server *srv = cls;
    srv_conn *sc = *con_cls;
    if (!sc)
        return;
    *con_cls = NULL;
    if (srv->cfg.log) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = (double)(now.tv_sec - sc->start.tv_sec) * 1e3 +
                    (double)(now.tv_nsec - sc->start.tv_nsec) / 1e6;
        srv->cfg.log(srv->cfg.log_user, sc->method ? sc->method : "?", sc->path ? sc->path : "?",
                     sc->status, ms);
    }
    free(sc->method);
    free(sc->path);
    free(sc->segs);
    free(sc->body);
    free(sc->cache_key);
    free(sc->rep.body);
    srv_reply_drop_pending(&sc->rep);
    free_args(&sc->rq);
    free(sc);
    pthread_mutex_lock(&srv->lock);
    if (srv->inflight)
        srv->inflight--;
    if (srv->inflight == 0)
        pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->lock);
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return srv_unescape(s);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                      */

static ag_status read_tokens(ag_server *srv, const char *path, ag_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ag_fail(err, AG_ERR_IO, "%s: cannot read the token file: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    ag_status st = AG_OK;
    while (st == AG_OK && (n = getline(&line, &cap, f)) >= 0) {
        char *p = line;
        while (*p && isspace((unsigned char)*p))
            p++;
        size_t len = strlen(p);
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (len == 0)
            continue;
        uint8_t (*v)[32] = realloc(srv->token_digests, (srv->n_tokens + 1) * sizeof *v);
        if (!v) {
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
            break;
        }
        srv->token_digests = v;
        ag_sha256 sha;
        ag_sha256_init(&sha);
        ag_sha256_update(&sha, p, len);
        ag_sha256_final(&sha, srv->token_digests[srv->n_tokens++]);
    }
    if (st == AG_OK && ferror(f))
        st = ag_fail(err, AG_ERR_IO, "%s: cannot read the token file", path);
    free(line);
    fclose(f);
    return st;
}

typedef union srv_addr {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} srv_addr;

static ag_status parse_listen(const char *listen, srv_addr *a, bool *v6, ag_error *err)
{
    memset(a, 0, sizeof *a);
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1])
        return ag_fail(err, AG_ERR_USAGE, "--listen takes HOST:PORT, not '%s'", listen);
    char *end = NULL;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || port < 0 || port > 65535)
        return ag_fail(err, AG_ERR_USAGE, "--listen: bad port in '%s'", listen);
    char host[256];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host)
        return ag_fail(err, AG_ERR_USAGE, "--listen: host too long");
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        *v6 = true;
        a->v6.sin6_family = AF_INET6;
        a->v6.sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->v6.sin6_addr) != 1)
            return ag_fail(err, AG_ERR_USAGE, "--listen: bad IPv6 address '%s'", host + 1);
        return AG_OK;
    }
    *v6 = false;
    a->v4.sin_family = AF_INET;
    a->v4.sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->v4.sin_addr) != 1)
        return ag_fail(err, AG_ERR_USAGE, "--listen: bad IPv4 address '%s' (use an address, or [V6]:PORT)",
                       host);
    return AG_OK;
}

/* Stops the workers once nothing is queued or running. */
static void pool_stop(ag_server *s)
{
    pthread_mutex_lock(&s->qlock);
    s->accepting = false;
    while (s->queued || s->running)
        pthread_cond_wait(&s->drained, &s->qlock);
    s->pool_stop = true;
    for (int r = 0; r < SRV__ROLES; r++)
        pthread_cond_broadcast(&s->ready[r]);
    pthread_mutex_unlock(&s->qlock);
    for (size_t i = 0; i < s->n_threads; i++)
        pthread_join(s->threads[i], NULL);
    s->n_threads = 0;
}

static void server_free(ag_server *s)
{
    if (!s)
        return;
    pool_stop(s);
    free(s->threads);
    if (s->key_made)
        pthread_key_delete(s->worker_key);
    srv_static_free(&s->web);
    free(s->token_digests);
    free(s->db_path);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->qlock);
    for (int r = 0; r < SRV__ROLES; r++)
        pthread_cond_destroy(&s->ready[r]);
    pthread_cond_destroy(&s->drained);
    free(s);
}

/* --threads read workers, as many upload workers, one writer. */
static ag_status start_pool(ag_server *s, ag_error *err)
{
    s->accepting = true;
    size_t n = (size_t)s->cfg.threads * 2 + 1;
    s->threads = calloc(n, sizeof *s->threads);
    if (!s->threads)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (int r = 0; r < SRV__ROLES; r++)
        s->role_args[r] = (struct srv_role_arg){ s, (srv_role)r };
    for (size_t i = 0; i < n; i++) {
        srv_role role = i < s->cfg.threads ? SRV_READ : i + 1 < n ? SRV_PREPARE : SRV_WRITE;
        if (pthread_create(&s->threads[i], NULL, worker_main, &s->role_args[role]) != 0)
            return ag_fail(err, AG_ERR_NOMEM, "cannot start the worker threads");
        s->n_threads++;
    }
    return AG_OK;
}

/* Defaults for the limits left 0, and connection limits that fit the
   file-descriptor limit (each connection is one descriptor; the store
   connections, static files and event loops need some more). */
static void fill_defaults(ag_server_config *c)
{
    if (!c->threads)
        c->threads = 2;
#define DEF(field, value) if (!c->field) c->field = value
    DEF(max_body, AG_SERVER_DEFAULT_MAX_BODY);
    DEF(max_imports, AG_SERVER_DEFAULT_MAX_IMPORTS);
    DEF(max_types, AG_SERVER_DEFAULT_MAX_TYPES);
    DEF(max_members, AG_SERVER_DEFAULT_MAX_MEMBERS);
    DEF(max_work, AG_SERVER_DEFAULT_MAX_WORK);
    DEF(max_response, AG_SERVER_DEFAULT_MAX_RESPONSE);
    DEF(request_timeout_ms, AG_SERVER_DEFAULT_TIMEOUT_MS);
    DEF(max_connections, AG_SERVER_DEFAULT_MAX_CONNECTIONS);
    DEF(max_per_client, AG_SERVER_DEFAULT_MAX_PER_CLIENT);
    DEF(idle_timeout_s, AG_SERVER_DEFAULT_IDLE_TIMEOUT_S);
    DEF(max_queue, AG_SERVER_DEFAULT_MAX_QUEUE);
#undef DEF
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        rlim_t reserve = 64 + 8 * ((rlim_t)c->threads * 2 + 1);
        rlim_t room = rl.rlim_cur > reserve + 16 ? rl.rlim_cur - reserve : 16;
        if (c->max_connections > room)
            c->max_connections = (unsigned)room;
    }
    if (c->max_per_client > c->max_connections)
        c->max_per_client = c->max_connections;
}

ag_status ag_server_start(const ag_server_config *cfg, ag_server **out, ag_error *err)
{
    *out = NULL;
    ag_server *s = calloc(1, sizeof *s);
    if (!s)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    pthread_mutex_init(&s->qlock, NULL);
    for (int r = 0; r < SRV__ROLES; r++)
        pthread_cond_init(&s->ready[r], NULL);
    pthread_cond_init(&s->drained, NULL);
    atomic_init(&s->cancel, 0);
    s->web.dir_fd = -1;
    s->cfg = *cfg;
    fill_defaults(&s->cfg);
    ag_status st = AG_OK;
    srv_addr addr;
    bool v6 = false;
    if (!(s->db_path = strdup(cfg->db_path)))
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (st == AG_OK)
        st = parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:8080", &addr, &v6, err);
    if (st == AG_OK && cfg->token_file)
        st = read_tokens(s, cfg->token_file, err);
    if (st == AG_OK)
        st = srv_static_scan(cfg->web_dir, &s->web, err);
    if (st == AG_OK) {
        ag_store *store = NULL; /* create and migrate once, before the workers */
        st = ag_store_open(s->db_path, &store, err);
        if (st == AG_ERR_IO && access(s->db_path, F_OK) == 0 && access(s->db_path, W_OK) != 0 &&
            (errno == EROFS || errno == EACCES)) {
            /* A store that cannot be written (a read-only file or mount) is
               served read-only, as it is: reads answer, writes are 503. */
            ag_error ro_err = { .msg = "" };
            if (ag_store_open_existing(s->db_path, &store, &ro_err) == AG_OK && ag_store_is_readonly(store))
                st = AG_OK, s->readonly = true;
        }
        ag_store_close(store);
    }
    if (st == AG_OK) {
        if (pthread_key_create(&s->worker_key, worker_free) != 0)
            st = ag_fail(err, AG_ERR_NOMEM, "cannot create the worker key");
        else
            s->key_made = true;
    }
    if (st == AG_OK)
        st = start_pool(s, err);
    if (st == AG_OK) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
                         MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0);
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                     MHD_OPTION_SOCK_ADDR, &addr.sa,
                                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
                                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                     MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.idle_timeout_s,
                                     MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections,
                                     MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.max_per_client,
                                     MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                                     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
                                     MHD_OPTION_END);
        if (!s->daemon)
            st = ag_fail(err, AG_ERR_IO, "cannot listen on %s (address in use, or not local?)",
                         cfg->listen ? cfg->listen : "127.0.0.1:8080");
    }
    if (st == AG_OK) {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
        s->port = info ? info->port : 0;
        *out = s;
        return AG_OK;
    }
    server_free(s);
    return st;
}

bool ag_server_readonly(const ag_server *s)
{
    return s->readonly;
}

unsigned ag_server_port(const ag_server *s)
{
    return s->port;
}

size_t ag_server_static_count(const ag_server *s)
{
    return s->web.n;
}

size_t ag_server_token_count(const ag_server *s)
{
    return s->n_tokens;
}

const ag_server_config *ag_server_config_of(const ag_server *s)
{
    return &s->cfg;
}

void ag_server_stop(ag_server *s, unsigned grace_ms)
{
    if (!s)
        return;
    if (s->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += grace_ms / 1000;
        deadline.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&s->lock);
        while (s->inflight > 0)
            if (pthread_cond_timedwait(&s->idle, &s->lock, &deadline) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&s->lock);
        /* Past the grace period: what still runs stops at its next budget
           check and is answered 503; nothing new is queued. No connection
           may stay suspended when the daemon stops. */
        atomic_store(&s->cancel, 1);
        pool_stop(s);
        /* A moment for the network threads to send those answers. */
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 1;
        pthread_mutex_lock(&s->lock);
        while (s->inflight > 0)
            if (pthread_cond_timedwait(&s->idle, &s->lock, &deadline) == ETIMEDOUT)
                break;
        pthread_mutex_unlock(&s->lock);
        MHD_stop_daemon(s->daemon); /* joins the network threads; their keys' destructors close the stores */
    }
    server_free(s);
}
