/*
 * test_push_http.h — a tiny scripted HTTP/1.1 server for the push and
 * debuginfod tests: plain sockets on 127.0.0.1, one thread, one request per
 * connection (Content-Length bodies only), answers taken from a script
 * (answer i for request i, the last one repeated), every request recorded
 * (method, target, Authorization, body, arrival time). An answer can also
 * be "never answer", to test client timeouts.
 */
#ifndef TESTS_TEST_PUSH_HTTP_H
#define TESTS_TEST_PUSH_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct mini_reply {
    int status;               /* 0 with hang: accept, read, never answer */
    const char *body;         /* NULL: empty */
    size_t body_len;          /* 0: strlen(body) */
    const char *content_type; /* NULL: application/json */
    bool hang;
} mini_reply;

typedef struct mini_request {
    char method[16];
    char target[2048];
    char authorization[512];
    char content_type[128];
    char *body;               /* NUL-terminated */
    size_t body_len;
    double at;                /* CLOCK_MONOTONIC seconds */
} mini_request;

#define MINI_MAX_REQUESTS 64
#define MINI_MAX_HANGING 16

typedef struct mini_http {
    int listen_fd;
    int port;
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    const mini_reply *replies;
    size_t n_replies;
    mini_request requests[MINI_MAX_REQUESTS];
    size_t n_requests;
    int hanging[MINI_MAX_HANGING];
    size_t n_hanging;
    volatile int stop;
} mini_http;

/* Listens on 127.0.0.1:port (0: any free port; s->port says which) and
   serves replies (kept by reference: must outlive the server). */
bool mini_http_start(mini_http *s, int port, const mini_reply *replies, size_t n_replies);
/* Stops the thread, closes every socket, frees the recorded bodies. */
void mini_http_stop(mini_http *s);
/* Requests recorded so far (thread-safe). */
size_t mini_http_count(mini_http *s);

/* A port on 127.0.0.1 that was free a moment ago (nothing listens on it). */
int mini_free_port(void);
double mini_now(void);

#endif
