/*
 * server.c — the service's libmicrohttpd glue: start-up (token file, web
 * index, listen address, thread pool), the router, bearer-token checks,
 * request bodies with a size limit, the per-worker store connection and
 * response cache, the per-request log callback, and a stop that lets
 * requests in flight finish. The JSON handlers are in server_api.c.
 *
 * Each pool thread runs its own event loop, so everything a worker owns
 * (its SQLite connection, its cache) is only ever touched by that thread.
 * The cache keeps ready-made responses of GET routes, valid while PRAGMA
 * data_version on the worker's connection is unchanged (it changes when any
 * other connection commits) and dropped when the worker itself writes.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server_internal.h"
#include "sha256.h"
#include "store_internal.h"

#define CACHE_MAX_ENTRIES 256
#define CACHE_MAX_BYTES ((size_t)64 << 20)

/* ------------------------------------------------------------------ */
/* Workers                                                             */

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

/* ------------------------------------------------------------------ */
/* Routing                                                             */

typedef struct srv_conn {
    struct timespec start;
    char *method, *path;      /* for the log line */
    int status;               /* of the response queued, 0 if none */
    bool responded;
    srv_request rq;
    char *segs;               /* storage for rq.lib / rq.ver / rq.type_name */
    char *body;
    size_t len, cap;
    bool too_large;
} srv_conn;

/* Splits "/api/v1/..." into a route and its decoded segments. */
static srv_route route_of(const char *url, srv_conn *sc)
{
    if (strcmp(url, "/healthz") == 0)
        return R_HEALTHZ;
    if (strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0) {
        if (strncmp(url, "/api/v1/", 8) != 0)
            return R_NONE;
        sc->segs = strdup(url + 8);
        if (!sc->segs)
            return R_NONE;
        char *seg[7];
        size_t n = 0;
        for (char *p = sc->segs; n < 7;) {
            seg[n++] = p;
            char *slash = strchr(p, '/');
            if (!slash)
                break;
            *slash = '\0';
            p = slash + 1;
            if (n == 7)
                return R_NONE;
        }
        for (size_t i = 0; i < n; i++)
            if (seg[i][0] == '\0')
                return R_NONE;
        if (n == 1 && strcmp(seg[0], "diff") == 0)
            return R_DIFF;
        if (n == 1 && strcmp(seg[0], "compatible") == 0)
            return R_COMPATIBLE;
        if (strcmp(seg[0], "libraries") != 0)
            return R_NONE;
        if (n == 1)
            return R_LIBRARIES;
        sc->rq.lib = seg[1];
        if (n == 3 && strcmp(seg[2], "releases") == 0)
            return R_RELEASES;
        if (n == 3 && strcmp(seg[2], "history") == 0)
            return R_HISTORY;
        if (n == 3 && strcmp(seg[2], "matrix") == 0)
            return R_MATRIX;
        if (n < 4 || strcmp(seg[2], "releases") != 0)
            return R_NONE;
        sc->rq.ver = seg[3];
        if (n == 4)
            return R_RELEASE;
        if (n == 5 && strcmp(seg[4], "corpus") == 0)
            return R_CORPUS;
        if (n == 5 && strcmp(seg[4], "types") == 0)
            return R_TYPES;
        if (n == 6 && strcmp(seg[4], "types") == 0) {
            sc->rq.type_name = seg[5];
            return R_TYPE;
        }
        return R_NONE;
    }
    return R_STATIC;
}

static const char *allowed_methods(srv_route r)
{
    switch (r) {
    case R_RELEASE: return "GET, HEAD, POST";
    case R_COMPATIBLE: return "POST";
    default: return "GET, HEAD";
    }
}

static bool method_allowed(srv_route r, const char *method, bool *post)
{
    *post = strcmp(method, "POST") == 0;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (r == R_RELEASE)
        return get || *post;
    if (r == R_COMPATIBLE)
        return *post;
    return get;
}

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

static enum MHD_Result send_static(struct MHD_Connection *c, srv_conn *sc, ag_server *srv, const char *url)
{
    const srv_static_file *f = srv_static_find(&srv->web, url);
    int fd = f ? open(f->fs_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
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
/* Auth                                                                */

/* 0 when the request carries a known token, else 401 (none) or 403. Every
   token is compared, in time independent of where the bytes differ. */
static int auth_status(const ag_server *srv, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h)
        return 401;
    while (*h == ' ' || *h == '\t')
        h++;
    if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
        return 401;
    h += 6;
    while (*h == ' ' || *h == '\t')
        h++;
    size_t len = strlen(h);
    while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
        len--;
    if (len == 0)
        return 401;
    ag_sha256 sha;
    uint8_t d[32];
    ag_sha256_init(&sha);
    ag_sha256_update(&sha, h, len);
    ag_sha256_final(&sha, d);
    volatile unsigned ok = 0;
    for (size_t t = 0; t < srv->n_tokens; t++) {
        unsigned diff = 0;
        for (int i = 0; i < 32; i++)
            diff |= (unsigned)(d[i] ^ srv->token_digests[t][i]);
        ok |= (unsigned)(diff == 0);
    }
    return ok ? 0 : 403;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

static bool cacheable_route(srv_route r)
{
    return r != R_HEALTHZ && r != R_STATIC && r != R_COMPATIBLE && r != R_NONE;
}

static char *cache_key(struct MHD_Connection *c, const char *url, srv_route r)
{
    char *key = NULL;
    if (r == R_DIFF) {
        const char *o = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "old");
        const char *n = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "new");
        if (asprintf(&key, "%s?%s\n%s", url, o ? o : "", n ? n : "") < 0)
            key = NULL;
        return key;
    }
    return strdup(url);
}

static enum MHD_Result dispatch(ag_server *srv, struct MHD_Connection *c, srv_conn *sc, const char *url)
{
    srv_worker *w = worker_get(srv);
    if (!w)
        return send_error(c, sc, 500, NULL, NULL, "out of memory");
    ag_error err = { .msg = "" };
    if (!srv_worker_store(w, &err)) {
        char msg[1100];
        snprintf(msg, sizeof msg, "cannot open the store: %s", err.msg);
        return send_error(c, sc, 500, NULL, NULL, msg);
    }
    char *key = NULL;
    if (!sc->rq.post && cacheable_route(sc->rq.route)) {
        cache_check(w);
        key = cache_key(c, url, sc->rq.route);
        srv_cache_entry *e = key ? cache_find(w, key) : NULL;
        if (e) {
            free(key);
            return queue(c, sc, e->status, e->resp);
        }
    }
    sc->rq.conn = c;
    sc->rq.body = sc->body;
    sc->rq.body_len = sc->len;
    srv_reply rep = { .status = 200 };
    srv_api_handle(w, &sc->rq, &rep);
    if (rep.wrote)
        cache_clear(w);
    if (!rep.body)
        srv_error(&rep, 500, "out of memory");
    size_t size = rep.len;
    bool keep = key && rep.cacheable && rep.status == 200;
    int status = rep.status;
    struct MHD_Response *r = rep.body ? make_response(&rep, true) : NULL;
    if (!r) {
        free(rep.body);
        free(key);
        return MHD_NO;
    }
    enum MHD_Result res = queue(c, sc, status, r);
    if (!keep || !cache_put(w, key, r, status, size))
        MHD_destroy_response(r);
    free(key);
    return res;
}

/* The first call for a request: headers are in, the body (if any) is not. */
static enum MHD_Result begin(ag_server *srv, struct MHD_Connection *c, srv_conn *sc, const char *url,
                             const char *method)
{
    sc->rq.route = route_of(url, sc);
    if (sc->rq.route == R_NONE)
        return send_error(c, sc, 404, NULL, NULL, "no such API path");
    if (!method_allowed(sc->rq.route, method, &sc->rq.post)) {
        char msg[128];
        snprintf(msg, sizeof msg, "method %s not allowed here (allowed: %s)", method,
                 allowed_methods(sc->rq.route));
        return send_error(c, sc, 405, MHD_HTTP_HEADER_ALLOW, allowed_methods(sc->rq.route), msg);
    }
    if (sc->rq.route == R_STATIC)
        return send_static(c, sc, srv, url);
    if (!sc->rq.post)
        return dispatch(srv, c, sc, url);
    int auth = sc->rq.route == R_COMPATIBLE ? 0 : auth_status(srv, c); /* a question, not a write */
    if (auth == 401)
        return send_error(c, sc, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"abiguard\"",
                          "this write needs an Authorization: Bearer token");
    if (auth == 403)
        return send_error(c, sc, 403, NULL, NULL, "the token is not valid for this service");
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        errno = 0;
        char *end = NULL;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno == 0 && end != cl && n > srv->cfg.max_body) {
            char msg[128];
            snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes", srv->cfg.max_body);
            return send_error(c, sc, 413, NULL, NULL, msg);
        }
    }
    return MHD_YES; /* wait for the body */
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
    if (sc->too_large) {
        char msg[128];
        snprintf(msg, sizeof msg, "the body is over the limit of %zu bytes", srv->cfg.max_body);
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
    free(sc);
    pthread_mutex_lock(&srv->lock);
    if (srv->inflight)
        srv->inflight--;
    if (srv->inflight == 0)
        pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->lock);
}

/* Percent-decoding of the path and the query values, as MHD's own but
   leaving "%00" as it is: a decoded NUL would cut the text short, so that
   "/index.html%00.png" would read as "/index.html". */
static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    char *w = s;
    for (const char *r = s; *r;) {
        int hi, lo;
        if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
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

static void server_free(ag_server *s)
{
    if (!s)
        return;
    if (s->key_made)
        pthread_key_delete(s->worker_key);
    srv_static_free(&s->web);
    free(s->token_digests);
    free(s->db_path);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
    free(s);
}

ag_status ag_server_start(const ag_server_config *cfg, ag_server **out, ag_error *err)
{
    *out = NULL;
    ag_server *s = calloc(1, sizeof *s);
    if (!s)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->cfg = *cfg;
    if (!s->cfg.threads)
        s->cfg.threads = 2;
    if (!s->cfg.max_body)
        s->cfg.max_body = AG_SERVER_DEFAULT_MAX_BODY;
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
        ag_store_close(store);
    }
    if (st == AG_OK) {
        if (pthread_key_create(&s->worker_key, worker_free) != 0)
            st = ag_fail(err, AG_ERR_NOMEM, "cannot create the worker key");
        else
            s->key_made = true;
    }
    if (st == AG_OK) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
                         (v6 ? MHD_USE_IPv6 : 0);
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                     MHD_OPTION_SOCK_ADDR, &addr.sa,
                                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
                                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
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
        MHD_stop_daemon(s->daemon); /* joins the workers; their keys' destructors close the stores */
    }
    server_free(s);
}
