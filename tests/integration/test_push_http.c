/*
 * test_push_http.c — the tiny scripted HTTP server of test_push_http.h.
 * Deliberately minimal: enough HTTP/1.1 for libcurl's requests (request
 * line, headers, a Content-Length body), "Connection: close" on every
 * answer, so each attempt of a client is one connection and one record.
 */
#include "test_push_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEADER_LIMIT 65536
#define BODY_LIMIT ((size_t)256 << 20)
#define IO_TIMEOUT_MS 10000

double mini_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mini_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Reads until the predicate is satisfied or the peer stops; bounded. */
static ssize_t read_some(int fd, char *buf, size_t n)
{
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, IO_TIMEOUT_MS) <= 0)
        return -1;
    ssize_t got;
    do
        got = read(fd, buf, n);
    while (got < 0 && errno == EINTR);
    return got;
}

static void header_value(const char *headers, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    out[0] = '\0';
    for (const char *line = headers; line && *line; line = strstr(line, "\r\n") ? strstr(line, "\r\n") + 2 : NULL) {
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            v += strspn(v, " \t");
            size_t len = strcspn(v, "\r\n");
            if (len >= size)
                len = size - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return;
        }
    }
}

/* Reads one request into r; false when the connection gave none. */
static bool read_request(int fd, mini_request *r)
{
    char *buf = malloc(HEADER_LIMIT + 1);
    if (!buf)
        return false;
    size_t len = 0;
    char *end = NULL;
    while (!end && len < HEADER_LIMIT) {
        ssize_t got = read_some(fd, buf + len, HEADER_LIMIT - len);
        if (got <= 0)
            break;
        len += (size_t)got;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) {
        free(buf);
        return false;
    }
    memset(r, 0, sizeof *r);
    r->at = mini_now();
    *end = '\0';
    sscanf(buf, "%15s %2047s", r->method, r->target);
    char *headers = strstr(buf, "\r\n");
    headers = headers ? headers + 2 : end;
    header_value(headers, "Authorization", r->authorization, sizeof r->authorization);
    header_value(headers, "Content-Type", r->content_type, sizeof r->content_type);
    char cl[32];
    header_value(headers, "Content-Length", cl, sizeof cl);
    size_t want = cl[0] ? (size_t)strtoull(cl, NULL, 10) : 0;
    if (want > BODY_LIMIT)
        want = BODY_LIMIT;
    r->body = malloc(want + 1);
    if (!r->body) {
        free(buf);
        return false;
    }
    size_t have = len - (size_t)(end + 4 - buf);
    if (have > want)
        have = want;
    memcpy(r->body, end + 4, have);
    while (have < want) {
        ssize_t got = read_some(fd, r->body + have, want - have);
        if (got <= 0)
            break;
        have += (size_t)got;
    }
    r->body[have] = '\0';
    r->body_len = have;
    free(buf);
    return true;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void answer(int fd, const mini_reply *rep)
{
    const char *body = rep->body ? rep->body : "";
    size_t body_len = rep->body_len ? rep->body_len : strlen(body);
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d Scripted\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     rep->status, rep->content_type ? rep->content_type : "application/json", body_len);
    write_all(fd, head, (size_t)n);
    write_all(fd, body, body_len);
}

static void *serve(void *arg)
{
    mini_http *s = arg;
    while (!s->stop) {
        struct pollfd p = { s->listen_fd, POLLIN, 0 };
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        mini_request r;
        if (!read_request(fd, &r)) {
            close(fd);
            continue;
        }
        pthread_mutex_lock(&s->lock);
        size_t i = s->n_requests;
        if (i < MINI_MAX_REQUESTS)
            s->requests[s->n_requests++] = r;
        else
            free(r.body);
        const mini_reply *rep = s->n_replies ? &s->replies[i < s->n_replies ? i : s->n_replies - 1] : NULL;
        bool hang = rep && rep->hang && s->n_hanging < MINI_MAX_HANGING;
        if (hang)
            s->hanging[s->n_hanging++] = fd;
        pthread_mutex_unlock(&s->lock);
        if (hang)
            continue; /* closed at stop */
        static const mini_reply fallback = { 500, "{\"error\":{\"status\":500,\"message\":\"no script\"}}", 0, NULL, false };
        answer(fd, rep && !rep->hang ? rep : &fallback);
        shutdown(fd, SHUT_WR);
        close(fd);
    }
    return NULL;
}

bool mini_http_start(mini_http *s, int port, const mini_reply *replies, size_t n_replies)
{
    memset(s, 0, sizeof *s);
    s->replies = replies;
    s->n_replies = n_replies;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0)
        return false;
    int one = 1;
    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->listen_fd, 64) != 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&a, &len) != 0) {
        close(s->listen_fd);
        return false;
    }
    s->port = ntohs(a.sin_port);
    pthread_mutex_init(&s->lock, NULL);
    if (pthread_create(&s->thread, NULL, serve, s) != 0) {
        close(s->listen_fd);
        pthread_mutex_destroy(&s->lock);
        return false;
    }
    s->running = true;
    return true;
}

void mini_http_stop(mini_http *s)
{
    if (!s->running)
        return;
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    for (size_t i = 0; i < s->n_hanging; i++)
        close(s->hanging[i]);
    for (size_t i = 0; i < s->n_requests; i++)
        free(s->requests[i].body);
    pthread_mutex_destroy(&s->lock);
    s->running = false;
}

size_t mini_http_count(mini_http *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->n_requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}
