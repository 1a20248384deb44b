/*
 * server_admit.c — what a request must pass before any handler runs, on
 * the request as parsed (method, target, header lines with their lengths),
 * without libmicrohttpd: the framing checks (a NUL byte in a header, two
 * different Content-Length headers, a length together with
 * Transfer-Encoding), the router, the allowed methods, the bearer token of
 * a write and the announced body size; and the percent-decoding of paths
 * and query values. server.c feeds it what libmicrohttpd parsed; the fuzz
 * harness (tests/fuzz/fuzz_server.c) feeds it bytes, so both run the same
 * decisions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server_internal.h"
#include "sha256.h"

/* ------------------------------------------------------------------ */
/* Routes                                                              */

/* Splits "/api/v1/..." into a route and its decoded segments (stored in a
   malloc'd *segs that rq points into). */
static srv_route route_of(const char *url, srv_request *rq, char **segs)
{
    if (strcmp(url, "/healthz") == 0)
        return R_HEALTHZ;
    if (strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0) {
        if (strncmp(url, "/api/v1/", 8) != 0)
            return R_NONE;
        *segs = strdup(url + 8);
        if (!*segs)
            return R_NONE;
        char *seg[7];
        size_t n = 0;
        for (char *p = *segs; n < 7;) {
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
        if (strcmp(seg[0], "audits") == 0 && n <= 2) {
            rq->audit_id = n == 2 ? seg[1] : NULL;
            return n == 1 ? R_AUDITS : R_AUDIT;
        }
        if (strcmp(seg[0], "libraries") != 0)
            return R_NONE;
        if (n == 1)
            return R_LIBRARIES;
        rq->lib = seg[1];
        if (n == 3 && strcmp(seg[2], "releases") == 0)
            return R_RELEASES;
        if (n == 3 && strcmp(seg[2], "history") == 0)
            return R_HISTORY;
        if (n == 3 && strcmp(seg[2], "matrix") == 0)
            return R_MATRIX;
        if (n == 3 && strcmp(seg[2], "bindings") == 0)
            return R_BINDINGS;
        if (n == 5 && strcmp(seg[2], "bindings") == 0) {
            rq->binding = seg[3];
            rq->ver = seg[4];
            return R_BINDING;
        }
        if (n < 4 || strcmp(seg[2], "releases") != 0)
            return R_NONE;
        rq->ver = seg[3];
        if (n == 4)
            return R_RELEASE;
        if (n == 5 && strcmp(seg[4], "corpus") == 0)
            return R_CORPUS;
        if (n == 5 && strcmp(seg[4], "types") == 0)
            return R_TYPES;
        if (n == 5 && strcmp(seg[4], "binaries") == 0)
            return R_BINARIES;
        if (n == 6 && strcmp(seg[4], "types") == 0) {
            rq->type_name = seg[5];
            return R_TYPE;
        }
        return R_NONE;
    }
    return R_STATIC;
}

static const char *allowed_methods(srv_route r)
{
    switch (r) {
    case R_RELEASE:
    case R_BINDING: return "GET, HEAD, POST";
    case R_COMPATIBLE: return "POST";
    case R_AUDITS: return "GET, HEAD, POST";
    default: return "GET, HEAD";
    }
}

static bool method_allowed(srv_route r, const char *method, bool *post)
{
    *post = strcmp(method, "POST") == 0;
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (r == R_RELEASE || r == R_BINDING || r == R_AUDITS)
        return get || *post;
    if (r == R_COMPATIBLE)
        return *post;
    return get;
}

/* ------------------------------------------------------------------ */
/* Headers                                                             */

static const srv_header *find_header(const srv_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return &h[i];
    return NULL;
}

/* 0 when the Authorization value carries a known token, else 401 (none)
   or 403. Every token is compared, in time independent of where the bytes
   differ. */
static int auth_status(const ag_server *srv, const srv_header *auth)
{
    if (!auth)
        return 401;
    const char *h = auth->value, *end = auth->value + auth->value_len;
    while (h < end && (*h == ' ' || *h == '\t'))
        h++;
    if (end - h < 7 || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
        return 401;
    h += 6;
    while (h < end && (*h == ' ' || *h == '\t'))
        h++;
    size_t len = (size_t)(end - h);
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

/* NULL, or why the request's framing could be read two ways (by us and by
   a proxy in front of us): a NUL byte in a header (a C string would end
   there: "Bearer tok\0en" checked as "Bearer tok"), two different
   Content-Length headers, or a length together with chunked encoding
   (RFC 9112 6.3: a message a proxy may frame differently). */
static const char *framing_problem(const srv_header *h, size_t n)
{
    const srv_header *length = NULL;
    bool transfer_encoding = false;
    for (size_t i = 0; i < n; i++) {
        if (memchr(h[i].name, '\0', h[i].name_len) || memchr(h[i].value, '\0', h[i].value_len))
            return "a request header contains a NUL byte (or a folded line)";
        if (strcasecmp(h[i].name, "Content-Length") == 0) {
            if (length && (length->value_len != h[i].value_len ||
                           memcmp(length->value, h[i].value, h[i].value_len) != 0))
                return "the request has two different Content-Length headers";
            length = &h[i];
        } else if (strcasecmp(h[i].name, "Transfer-Encoding") == 0) {
            transfer_encoding = true;
        }
    }
    if (length && transfer_encoding)
        return "the request has both Content-Length and Transfer-Encoding";
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Admission                                                           */

static bool refuse(srv_refusal *out, int status, bool now, const char *name, const char *value,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static bool refuse(srv_refusal *out, int status, bool now, const char *name, const char *value,
                   const char *fmt, ...)
{
    out->status = status;
    out->now = now;
    out->header_name = name;
    out->header_value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->msg, sizeof out->msg, fmt, ap);
    va_end(ap);
    return false;
}

bool srv_admit(const ag_server *srv, const char *method, const char *url, const srv_header *h, size_t n,
               srv_request *rq, char **segs, srv_refusal *out)
{
    memset(out, 0, sizeof *out);
    const char *bad = framing_problem(h, n);
    if (bad)
        return refuse(out, 400, true, NULL, NULL, "%s", bad);
    bool bodiless = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    rq->route = route_of(url, rq, segs);
    /* A GET or HEAD is refused once the request is complete, keeping the
       connection; anything else at once, without reading its body. */
    if (rq->route == R_NONE)
        return refuse(out, 404, !bodiless, NULL, NULL, "no such API path");
    if (!method_allowed(rq->route, method, &rq->post))
        return refuse(out, 405, !bodiless, "Allow", allowed_methods(rq->route),
                      "method %.32s not allowed here (allowed: %s)", method, allowed_methods(rq->route));
    if (!rq->post)
        return true;
    /* /compatible is a question, not a write: no token. */
    int auth = rq->route == R_COMPATIBLE ? 0 : auth_status(srv, find_header(h, n, "Authorization"));
    if (auth == 401)
        return refuse(out, 401, true, "WWW-Authenticate", "Bearer realm=\"abiguard\"",
                      "this write needs an Authorization: Bearer token");
    if (auth == 403)
        return refuse(out, 403, true, NULL, NULL, "the token is not valid for this service");
    const srv_header *cl = find_header(h, n, "Content-Length");
    if (cl) {
        errno = 0;
        char *end = NULL;
        unsigned long long len = strtoull(cl->value, &end, 10);
        if (errno == 0 && end != cl->value && len > srv->cfg.max_body)
            return refuse(out, 413, true, NULL, NULL, "the body is over the limit of %zu bytes (--max-body)",
                          srv->cfg.max_body);
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Percent-decoding                                                    */

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

size_t srv_unescape(char *s)
{
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
