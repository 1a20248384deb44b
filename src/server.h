/*
 * server.h — the abiguard service (`abiguard serve`): the JSON API of
 * docs/api.md under /api/v1/ and the static dashboard files of web/, over
 * libmicrohttpd. Network threads only parse requests and send answers;
 * requests that need the store run on a pool of read workers, uploads on
 * a pool of upload workers and then one writer, each with its own SQLite
 * connection (WAL), so a long request never holds up other clients. Every request is bounded (sizes, work,
 * time; see the limits below). Reads are open; writes need a bearer token
 * from the token file. The library part never prints: each finished
 * request is handed to the caller's log callback.
 */
#ifndef ABIGUARD_SERVER_H
#define ABIGUARD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ag_server ag_server;

/* Called once per finished request, from a worker thread. uri is the
   request target as sent (path and query), status 0 when no response was
   sent (the client went away). */
typedef void (*ag_server_log_fn)(void *user, const char *method, const char *uri, int status,
                                 double ms);

/* The limits' defaults (each is an option of `abiguard serve`; README and
   docs/api.md say what a client sees when one is hit). */
#define AG_SERVER_DEFAULT_MAX_BODY ((size_t)64 << 20)       /* --max-body: 413 */
#define AG_SERVER_DEFAULT_MAX_IMPORTS ((size_t)100000)      /* --max-imports: 422 */
#define AG_SERVER_DEFAULT_MAX_TYPES ((size_t)200000)        /* --max-types: 422 */
#define AG_SERVER_DEFAULT_MAX_MEMBERS ((size_t)65536)       /* --max-members: 422 */
#define AG_SERVER_DEFAULT_MAX_WORK ((uint64_t)20000000)     /* --max-work: 422 */
#define AG_SERVER_DEFAULT_MAX_RESPONSE ((size_t)64 << 20)   /* --max-response: 422 */
#define AG_SERVER_DEFAULT_TIMEOUT_MS 30000u                 /* --request-timeout: 503 */
#define AG_SERVER_DEFAULT_MAX_CONNECTIONS 1024u             /* --max-connections */
#define AG_SERVER_DEFAULT_MAX_PER_CLIENT 64u                /* --max-per-client */
#define AG_SERVER_DEFAULT_IDLE_TIMEOUT_S 30u                /* --idle-timeout */
#define AG_SERVER_DEFAULT_MAX_QUEUE 256u                    /* --max-queue: 503 */

/* POST of a release of several binaries (push ARTIFACT): its body's
   "format", and at most this many binaries (each one within the corpus
   limits below; all of them within max_body). */
#define AG_RELEASE_UPLOAD_FORMAT "abiguard-release/1"
#define AG_SERVER_MAX_BINARIES 1024

typedef struct ag_server_config {
    const char *db_path;     /* the store; created when missing */
    const char *listen;      /* "HOST:PORT" or "[V6]:PORT"; port 0 picks a free one */
    const char *token_file;  /* one token per line (trimmed, blank lines ignored); NULL: no
                                token, so every write is refused */
    unsigned threads;        /* worker threads for reads (0: 2); there are as many network
                                threads and upload workers, and one writer */
    const char *web_dir;     /* static files; NULL or missing: none served */
    ag_server_log_fn log;    /* may be NULL */
    void *log_user;
    /* Limits; 0 takes the default above. */
    size_t max_body;         /* bytes of a request body */
    size_t max_imports;      /* imports in a /compatible question or an uploaded corpus */
    size_t max_types;        /* types in an uploaded corpus */
    size_t max_members;      /* members, enumerators or parameters of one uploaded type or function */
    uint64_t max_work;       /* work units of one request (budget.h) */
    size_t max_response;     /* bytes of one response body */
    unsigned request_timeout_ms; /* time budget of one read, from when it is complete */
    unsigned max_connections;    /* open connections in all (clamped to the file-descriptor limit) */
    unsigned max_per_client;     /* open connections from one client address */
    unsigned idle_timeout_s;     /* a connection silent this long is closed */
    unsigned max_queue;          /* requests waiting for a worker */
} ag_server_config;

/* Reads the token file, indexes web_dir, opens (creating) the store, then
   listens. AG_ERR_USAGE for a bad listen address, AG_ERR_IO when the token
   file cannot be read or the address cannot be bound. The caller should
   block SIGINT/SIGTERM first if it waits for them with sigwait: the worker
   threads inherit its signal mask. */
ag_status ag_server_start(const ag_server_config *cfg, ag_server **out, ag_error *err);

/* The bound port (useful with port 0). */
unsigned ag_server_port(const ag_server *s);
/* Whether the store could not be written at start (a read-only file or
   file system) and is served read-only: every write answers 503. */
bool ag_server_readonly(const ag_server *s);
/* How many files of web_dir are served, and how many tokens were read. */
size_t ag_server_static_count(const ag_server *s);
size_t ag_server_token_count(const ag_server *s);

/* The configuration in effect (defaults filled in, connection limits
   clamped), for the start-up line. */
const ag_server_config *ag_server_config_of(const ag_server *s);

/* Stops accepting connections, lets requests in flight finish (waiting at
   most grace_ms), then cancels what still runs (a long diff or matrix stops
   at its next budget check and is answered 503), stops the workers (closing
   their store connections) and frees everything. */
void ag_server_stop(ag_server *s, unsigned grace_ms);

#endif
