/*
 * server.h — the abiguard service (`abiguard serve`): the JSON API of
 * docs/api.md under /api/v1/ and the static dashboard files of web/, over
 * libmicrohttpd in thread-pool mode, each worker thread with its own SQLite
 * connection to the store (WAL). Reads are open; writes need a bearer token
 * from the token file. The library part never prints: each finished request
 * is handed to the caller's log callback.
 */
#ifndef ABIGUARD_SERVER_H
#define ABIGUARD_SERVER_H

#include <stddef.h>

#include "error.h"

typedef struct ag_server ag_server;

/* Called once per finished request, from a worker thread. uri is the
   request target as sent (path and query), status 0 when no response was
   sent (the client went away). */
typedef void (*ag_server_log_fn)(void *user, const char *method, const char *uri, int status,
                                 double ms);

#define AG_SERVER_DEFAULT_MAX_BODY ((size_t)64 << 20)

typedef struct ag_server_config {
    const char *db_path;     /* the store; created when missing */
    const char *listen;      /* "HOST:PORT" or "[V6]:PORT"; port 0 picks a free one */
    const char *token_file;  /* one token per line (trimmed, blank lines ignored); NULL: no
                                token, so every write is refused */
    unsigned threads;        /* worker threads (0: 2) */
    size_t max_body;         /* largest request body (0: AG_SERVER_DEFAULT_MAX_BODY) */
    const char *web_dir;     /* static files; NULL or missing: none served */
    ag_server_log_fn log;    /* may be NULL */
    void *log_user;
} ag_server_config;

/* Reads the token file, indexes web_dir, opens (creating) the store, then
   listens. AG_ERR_USAGE for a bad listen address, AG_ERR_IO when the token
   file cannot be read or the address cannot be bound. The caller should
   block SIGINT/SIGTERM first if it waits for them with sigwait: the worker
   threads inherit its signal mask. */
ag_status ag_server_start(const ag_server_config *cfg, ag_server **out, ag_error *err);

/* The bound port (useful with port 0). */
unsigned ag_server_port(const ag_server *s);
/* How many files of web_dir are served, and how many tokens were read. */
size_t ag_server_static_count(const ag_server *s);
size_t ag_server_token_count(const ag_server *s);

/* Stops accepting connections, lets requests in flight finish (waiting at
   most grace_ms), stops the workers (closing their store connections) and
   frees everything. */
void ag_server_stop(ag_server *s, unsigned grace_ms);

#endif
