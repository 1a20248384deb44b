/*
 * server_run.h — what the service tests share: the built `abiguard serve`
 * started on a free loopback port (--listen 127.0.0.1:0; the port is read
 * from its first stderr line) with a temporary store (optionally seeded
 * with lua 5.3 and 5.4), token file and web directory, stopped with
 * SIGTERM; and HTTP requests to it with libcurl.
 */
#ifndef TESTS_SERVER_RUN_H
#define TESTS_SERVER_RUN_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LIBDIR "/usr/lib/x86_64-linux-gnu/"
#define LUA53 LIBDIR "liblua5.3.so.0"
#define LUA54 LIBDIR "liblua5.4.so.0"
#define TOKEN "s3cret-token-2"

typedef struct server {
    char *dir, *db, *tokens, *web, *log;
    pid_t pid;
    unsigned port;
    char base[64];
} server;

typedef struct server_opts {
    bool seeded;               /* lua 5.3.6 and 5.4.4 added first */
    const char *db;            /* the store's path (default: in the temporary directory) */
    const char *threads;       /* --threads (default "4") */
    const char *const *extra;  /* more arguments, NULL-terminated, or NULL */
} server_opts;

void sleep_ms(long ms);
void server_start_opts(server *s, const server_opts *o);
/* server_start_opts with a default store and 4 threads. */
void server_start(server *s, bool seeded, const char *const *extra);
/* SIGTERM, then the exit status (-1 when it did not exit within 10 s, and
   was killed); removes the temporary directory. */
int server_stop(server *s);
/* Waits up to seconds for the process to exit: its status, or -1. */
int server_wait(server *s, double seconds);
/* The server's stderr so far (malloc'd). */
char *server_log(const server *s);

typedef struct resp {
    long status;
    char *body;
    size_t len;
    char *headers;
    int curl_code;       /* CURLE_OK, or why the request failed (with req.may_fail) */
} resp;

typedef struct req {
    const char *method;     /* NULL: GET, or POST when body */
    const char *body;
    size_t len;
    const char *token;      /* NULL: none */
    const char *header;     /* one extra header or NULL */
    bool chunked;
    const char *interface;  /* source address (CURLOPT_INTERFACE), e.g. "127.0.0.2" */
    long timeout_s;         /* 0: 30 */
    bool may_fail;          /* a failed transfer is returned (curl_code), not a test failure */
    atomic_int *uploaded;   /* set to 1 once the whole body is sent, or NULL */
} req;

resp srv_http(const server *s, const char *path, const req *q);
/* A libcurl write callback appending to a srv_buf (NUL-terminated). */
typedef struct srv_buf {
    char *data;
    size_t len;
} srv_buf;
size_t srv_on_data(char *p, size_t size, size_t n, void *ud);
resp srv_get(const server *s, const char *path);
resp srv_post(const server *s, const char *path, const char *body, size_t len, const char *token);
void resp_free(resp *r);
/* The body as JSON (fails the test when it is not). */
json_t *srv_parse(const resp *r);
/* The response is status with an error body naming that status. */
void srv_expect_error(const resp *r, long status, const char *what);
void srv_expect_header(const resp *r, const char *line);
/* `abiguard extract LIB` (malloc'd corpus JSON). */
char *srv_extract_json(const char *lib, size_t *len);

#endif
