/*
 * server_internal.h — what the service's parts share: the server handle
 * and its worker pool, the per-thread state (its own store connection and,
 * on network threads, the cache of rendered responses), a request as the
 * handlers see it and the reply they fill in.
 * server.c is the libmicrohttpd glue and the router, server_api.c the JSON
 * handlers, server_static.c the web/ whitelist. Not a public interface.
 */
#ifndef ABIGUARD_SERVER_INTERNAL_H
#define ABIGUARD_SERVER_INTERNAL_H

#include <pthread.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
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
    int dir_fd;             /* the web directory as opened at start-up, -1 when none */
} srv_static;

/* Indexes the regular files under dir with a known extension (.html .css .js
   .svg .png .json .ico), skipping dot files and symbolic links, and keeps
   the directory open. A missing directory gives an empty index. */
ag_status srv_static_scan(const char *dir, srv_static *out, ag_error *err);
void srv_static_free(srv_static *st);
/* The file for a request path ("/" is "/index.html"), or NULL: an exact
   match against the index, never a path joined from request text. */
const srv_static_file *srv_static_find(const srv_static *st, const char *url);
/* Opens an indexed file for reading, component by component from the web
   directory opened at start-up, following no symbolic link on the way (a
   directory swapped for a link after start-up is refused). A regular file's
   descriptor, or -1. */
int srv_static_open(const srv_static *st, const srv_static_file *f);
/* "text/html; charset=utf-8", ... or NULL for an extension not served. */
const char *srv_content_type(const char *name);

/* ------------------------------------------------------------------ */
/* The handle and the workers                                           */

struct srv_conn;

typedef enum srv_role { SRV_READ, SRV_PREPARE, SRV_WRITE, SRV__ROLES } srv_role;

/* Requests waiting for a worker (a singly linked list through srv_conn). */
typedef struct srv_queue {
    struct srv_conn *head, *tail;
} srv_queue;

struct ag_server {
    ag_server_config cfg;
    char *db_path;
    bool readonly;                  /* the store cannot be written: served read-only */
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
    /* The workers, by role: reads; uploads, parsed, checked and prepared
       (ag_store_prepare_release); and the one writer that stores them. So
       a long upload never takes a read worker, uploads are parsed in
       parallel, and writes never contend for the store's write lock. */
    pthread_mutex_t qlock;
    pthread_cond_t ready[SRV__ROLES], drained;
    srv_queue queues[SRV__ROLES];
    size_t queued, running;         /* jobs waiting / being run */
    bool accepting;                 /* false once stopping: no job is queued any more */
    bool pool_stop;                 /* the workers exit */
    pthread_t *threads;
    size_t n_threads;
    struct srv_role_arg { ag_server *srv; srv_role role; } role_args[SRV__ROLES];
    atomic_int cancel;              /* raised after the grace period: budgets are spent */
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
    R_BINARIES,           /* .../{ver}/binaries */
    R_TYPES,              /* .../{ver}/types */
    R_TYPE,               /* .../{ver}/types/{name} */
    R_HISTORY,            /* libraries/{lib}/history */
    R_MATRIX,             /* libraries/{lib}/matrix */
    R_DIFF,               /* diff?old=&new= */
    R_COMPATIBLE,         /* compatible  POST */
    R_AUDITS,             /* audits  GET, POST */
    R_AUDIT,              /* audits/{id} */
    R_BINDINGS,           /* libraries/{lib}/bindings */
    R_BINDING,            /* libraries/{lib}/bindings/{name}/{ver}   GET, POST */
    R_STATIC,             /* not under /api/ */
} srv_route;

/* A query argument (decoded). */
typedef struct srv_arg {
    char *key, *value;
} srv_arg;

/* A request as the handlers see it: everything copied out of
   libmicrohttpd's connection on its network thread, so a worker never
   touches the connection. */
typedef struct srv_request {
    srv_route route;
    const char *lib, *ver, *type_name;  /* decoded path segments (or NULL) */
    const char *audit_id;               /* audits/{id} */
    const char *binding;                /* R_BINDING: the binding's name */
    bool post;
    const char *body;
    size_t body_len;
    srv_arg *args;                      /* the query, in order */
    size_t n_args;
    ag_budget *budget;                  /* the request's (charged by the store too); NULL inline */
} srv_request;

typedef struct srv_reply {
    int status;
    char *body;           /* malloc'd */
    size_t len;
    const char *ctype;    /* NULL: application/json */
    bool cacheable;       /* may be kept until the store changes */
    bool wrote;           /* the store was changed */
    const ag_budget *budget; /* the request's, for the status of AG_ERR_LIMIT */
    /* An upload parsed, checked and prepared by a read worker, waiting for
       the writer (srv_api_write). */
    ag_store_prepared *pending;
    char *pending_audit;  /* or a checked audit result, its report JSON (pending_audit_meta) */
    ag_store_audit pending_audit_meta;
    bool pending_replace;
    size_t pending_types, pending_functions;
    char *pending_source_url;   /* the release's --source-url pattern, or NULL */
    /* A binding registration, validated by an upload worker: its view JSON
       (server_bindings.c). */
    char *pending_binding;
    size_t pending_imports;
} srv_reply;

/* Whether the reply carries an upload for the writer; dropping it frees it. */
static inline bool srv_reply_pending(const srv_reply *rep)
{
    return rep->pending || rep->pending_binding || rep->pending_audit;
}
void srv_reply_drop_pending(srv_reply *rep);

/* ------------------------------------------------------------------ */
/* Admission (server_admit.c)                                          */

/* A header line as received: name and value with their lengths (a value
   may hold a NUL byte). The strings are NUL-terminated as well. */
typedef struct srv_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} srv_header;

/* Why a request is refused before any handler runs. */
typedef struct srv_refusal {
    int status;
    bool now;                  /* answer at once, without reading the body (the
                                  connection then closes); else once it is complete */
    const char *header_name;   /* one header for the answer (Allow, WWW-Authenticate) or NULL */
    const char *header_value;
    char msg[256];
} srv_refusal;

/* Checks the request's framing, routes it (filling rq->route, post, lib,
   ver, type_name, pointing into a malloc'd *segs) and, for a write, checks
   its token and announced length. True to go on; false with *out. */
bool srv_admit(const ag_server *srv, const char *method, const char *url, const srv_header *h, size_t n,
               srv_request *rq, char **segs, srv_refusal *out);
/* Percent-decodes a path or query value in place, as libmicrohttpd's own
   but leaving "%00" as it is (a decoded NUL would cut the text short, so
   "/index.html%00.png" would read as "/index.html"); the new length. */
size_t srv_unescape(char *s);

/* ------------------------------------------------------------------ */

/* Fills rep with {"error": {"status", "message"}}. */
void srv_error(srv_reply *rep, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The reply is v as compact JSON (v is consumed; 500 when it is NULL or out
   of memory); cacheable: the response cache may keep it. */
void srv_reply_json(srv_reply *rep, int status, json_t *v, bool cacheable);
/* A library status as HTTP: 404 unknown things, 400 bad input, 422 over a
   work limit, 503 over the time budget or stopping, 507 disk full, 500 the
   rest. */
void srv_fail(srv_reply *rep, ag_status st, const ag_error *err);
/* The first query argument named key, or NULL. */
const char *srv_query(const srv_request *rq, const char *key);
/* The worker's store, opened on first use; NULL with err set. */
ag_store *srv_worker_store(srv_worker *w, ag_error *err);
/* Runs an API route (request body, if any, complete). An upload is only
   prepared here (rep->pending); the writer then runs srv_api_write. */
void srv_api_handle(srv_worker *w, const srv_request *rq, srv_reply *rep);
/* Stores rep->pending (and frees it) and fills in the reply. */
void srv_api_write(srv_worker *w, const srv_request *rq, srv_reply *rep);

/* Registered bindings (server_bindings.c). */
void srv_api_bindings(ag_store *s, const srv_request *rq, srv_reply *rep);
void srv_api_binding(ag_store *s, const srv_request *rq, srv_reply *rep);
void srv_api_post_binding(const ag_server_config *cfg, const srv_request *rq, srv_reply *rep);
void srv_api_write_binding(ag_store *s, const srv_request *rq, srv_reply *rep);
/* The diff old_ref -> new_ref narrowed to what binding_ref (NAME@VERSION,
   registered for old_ref's library) uses, as a JSON report. */
ag_status srv_binding_diff_json(ag_store *s, const srv_request *rq, const char *old_ref, const char *new_ref,
                                const char *binding_ref, bool show_private, char **json, ag_error *err);

#endif
