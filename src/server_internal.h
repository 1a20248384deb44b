/*
 * server_internal.h — what the service's parts share: the server handle,
 * the per-worker state (its own store connection and its cache of rendered
 * responses), a request as the handlers see it and the reply they fill in.
 * server.c is the libmicrohttpd glue and the router, server_api.c the JSON
 * handlers, server_static.c the web/ whitelist. Not a public interface.
 */
#ifndef ABIGUARD_SERVER_INTERNAL_H
#define ABIGUARD_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "server.h"
#include "store.h"

/* ------------------------------------------------------------------ */
/* Static files (server_static.c)                                      */

typedef struct srv_static_file {
    char *url;            /* "/index.html", "/js/app.js" */
    char *fs_path;        /* the file on disk */
    const char *ctype;
} srv_static_file;

typedef struct srv_static {
    srv_static_file *files; /* sorted by url */
    size_t n;
} srv_static;

/* Indexes the regular files under dir with a known extension (.html .css .js
   .svg .png .json .ico), skipping dot files and symbolic links. A missing
   directory gives an empty index. */
ag_status srv_static_scan(const char *dir, srv_static *out, ag_error *err);
void srv_static_free(srv_static *st);
/* The file for a request path ("/" is "/index.html"), or NULL: an exact
   match against the index, never a path joined from request text. */
const srv_static_file *srv_static_find(const srv_static *st, const char *url);
/* "text/html; charset=utf-8", ... or NULL for an extension not served. */
const char *srv_content_type(const char *name);

/* ------------------------------------------------------------------ */
/* The handle and the workers                                           */

struct ag_server {
    ag_server_config cfg;
    char *db_path;
    uint8_t (*token_digests)[32];   /* SHA-256 of each token */
    size_t n_tokens;
    srv_static web;
    pthread_key_t worker_key;
    bool key_made;
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_mutex_t lock;
    pthread_cond_t idle;            /* signalled when inflight drops to 0 */
    size_t inflight;                /* requests begun and not completed */
};

typedef struct srv_cache_entry {
    char *key;
    struct MHD_Response *resp;      /* ready to queue; headers set */
    int status;
    size_t size;
} srv_cache_entry;

typedef struct srv_worker {
    ag_server *srv;
    ag_store *store;
    void *data_version;             /* sqlite3_stmt: PRAGMA data_version */
    int64_t version;                /* data_version the cache was filled at */
    srv_cache_entry *cache;
    size_t n_cache, cap_cache, cache_bytes;
} srv_worker;

/* ------------------------------------------------------------------ */
/* Requests and replies (server_api.c)                                 */

typedef enum srv_route {
    R_NONE = 0,
    R_HEALTHZ,
    R_LIBRARIES,          /* libraries */
    R_RELEASES,           /* libraries/{lib}/releases */
    R_RELEASE,            /* libraries/{lib}/releases/{ver}   GET, POST */
    R_CORPUS,             /* .../{ver}/corpus */
    R_TYPES,              /* .../{ver}/types */
    R_TYPE,               /* .../{ver}/types/{name} */
    R_HISTORY,            /* libraries/{lib}/history */
    R_MATRIX,             /* libraries/{lib}/matrix */
    R_DIFF,               /* diff?old=&new= */
    R_COMPATIBLE,         /* compatible  POST */
    R_STATIC,             /* not under /api/ */
} srv_route;

typedef struct srv_request {
    struct MHD_Connection *conn;
    srv_route route;
    const char *lib, *ver, *type_name;  /* decoded path segments (or NULL) */
    bool post;
    const char *body;
    size_t body_len;
} srv_request;

typedef struct srv_reply {
    int status;
    char *body;           /* malloc'd */
    size_t len;
    const char *ctype;    /* NULL: application/json */
    bool cacheable;       /* may be kept until the store changes */
    bool wrote;           /* the store was changed: drop this worker's cache */
} srv_reply;

/* Fills rep with {"error": {"status", "message"}}. */
void srv_error(srv_reply *rep, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The worker's store, opened on first use; NULL with err set. */
ag_store *srv_worker_store(srv_worker *w, ag_error *err);
/* Runs an API route (request body, if any, complete). */
void srv_api_handle(srv_worker *w, const srv_request *rq, srv_reply *rep);

#endif
