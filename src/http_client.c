/*
 * http_client.c — GET to a file and POST of JSON over libcurl, with retries
 * and exponential backoff on 5xx answers and connection failures, never on
 * 4xx (see http_client.h). One easy handle per attempt keeps every attempt
 * independent (no half-used connection carried into a retry).
 */
#include "http_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "version.h"

#define BODY_LIMIT ((size_t)16 << 20)
#define DEFAULT_CONNECT_TIMEOUT_S 10L
#define DEFAULT_BACKOFF_MS 500L
#define MAX_BACKOFF_MS 30000L
#define MAX_REDIRECTS 5L

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_result = CURLE_FAILED_INIT;
static bool initialised;

static void global_init(void)
{
    init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
    initialised = init_result == CURLE_OK;
}

void ag_http_global_cleanup(void)
{
    if (initialised) {
        curl_global_cleanup();
        initialised = false;
    }
}

void ag_http_response_free(ag_http_response *resp)
{
    if (!resp)
        return;
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}

/* One attempt's state, seen by the libcurl callbacks. */
typedef struct transfer {
    CURL *h;
    const char *dest_path; /* GET: where a 2xx body goes */
    FILE *file;            /* opened at the first 2xx byte */
    int file_errno;        /* set when writing the file failed */
    char *body;            /* everything else */
    size_t len, cap;
    bool oom;
    const ag_http_options *opts;
} transfer;

static bool body_append(transfer *t, const char *data, size_t n)
{
    if (t->len >= BODY_LIMIT)
        return true; /* keep the beginning only: it says what went wrong */
    if (n > BODY_LIMIT - t->len)
        n = BODY_LIMIT - t->len;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->body, cap);
        if (!p) {
            t->oom = true;
            return false;
        }
        t->body = p;
        t->cap = cap;
    }
    memcpy(t->body + t->len, data, n);
    t->len += n;
    t->body[t->len] = '\0';
    return true;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
    transfer *t = ctx;
    size_t n = size * nmemb;
    long code = 0;
    curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &code);
    if (t->dest_path && code >= 200 && code < 300) {
        if (!t->file) {
            t->file = fopen(t->dest_path, "wb");
            if (!t->file) {
                t->file_errno = errno ? errno : EIO;
                return 0;
            }
        }
        if (fwrite(data, 1, n, t->file) != n) {
            t->file_errno = errno ? errno : EIO;
            return 0;
        }
        return n;
    }
    return body_append(t, data, n) ? n : 0;
}

static int xferinfo_cb(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    transfer *t = ctx;
    long code = 0;
    curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300)
        t->opts->progress(t->opts->progress_ctx, (double)dlnow, (double)dltotal);
    return 0;
}

/* Failures where another attempt may well succeed. Certificate problems,
   bad URLs, local write errors and the like are not among them. */
static bool transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static bool has_line_break(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

/* What one request is: GET to a file, or POST of a body. */
typedef struct request {
    const char *method;
    const char *url;
    const char *dest_path;
    const char *body;
    size_t body_len;
} request;

static CURLcode set_options(CURL *h, const request *rq, const ag_http_options *o, struct curl_slist *headers,
                            transfer *t, char *errbuf)
{
    long connect = o->connect_timeout_s > 0 ? o->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S;
    if (o->timeout_s > 0 && connect > o->timeout_s)
        connect = o->timeout_s;
    CURLcode rc = CURLE_OK;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
    SET(CURLOPT_URL, rq->url);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_USERAGENT, "abiguard/" ABIGUARD_VERSION);
    SET(CURLOPT_CONNECTTIMEOUT, connect);
    if (o->timeout_s > 0)
        SET(CURLOPT_TIMEOUT, o->timeout_s);
    if (o->low_speed_time_s > 0) {
        SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
        SET(CURLOPT_LOW_SPEED_TIME, o->low_speed_time_s);
    }
    SET(CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
    SET(CURLOPT_WRITEFUNCTION, write_cb);
    SET(CURLOPT_WRITEDATA, t);
    SET(CURLOPT_HTTPHEADER, headers);
    if (rq->body) {
        /* A POST is not redirected: the body would not follow it anyway. */
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDS, rq->body);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    } else {
        SET(CURLOPT_HTTPGET, 1L);
        SET(CURLOPT_FOLLOWLOCATION, 1L);
        SET(CURLOPT_MAXREDIRS, MAX_REDIRECTS);
        SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    if (o->progress) {
        SET(CURLOPT_NOPROGRESS, 0L);
        SET(CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
        SET(CURLOPT_XFERINFODATA, t);
    }
#undef SET
    return rc;
}

static struct curl_slist *make_headers(const request *rq, const ag_http_options *o, bool *oom)
{
    struct curl_slist *list = NULL, *next;
    char *auth = NULL;
    const char *lines[4];
    size_t n = 0;
    if (rq->body) {
        lines[n++] = "Content-Type: application/json";
        lines[n++] = "Expect:"; /* no 100-continue round trip */
    }
    lines[n++] = "Accept: */*";
    if (o->bearer_token) {
        if (asprintf(&auth, "Authorization: Bearer %s", o->bearer_token) < 0) {
            *oom = true;
            curl_slist_free_all(list);
            return NULL;
        }
        lines[n++] = auth;
    }
    for (size_t i = 0; i < n; i++) {
        next = curl_slist_append(list, lines[i]);
        if (!next) {
            *oom = true;
            curl_slist_free_all(list);
            free(auth);
            return NULL;
        }
        list = next;
    }
    free(auth);
    return list;
}

/* One attempt. *rc is libcurl's result; an answer's status lands in resp. */
static ag_status attempt(const request *rq, const ag_http_options *o, struct curl_slist *headers,
                         ag_http_response *resp, CURLcode *rc, char *errbuf, ag_error *err)
{
    transfer t = { .dest_path = rq->dest_path, .opts = o };
    errbuf[0] = '\0';
    t.h = curl_easy_init();
    if (!t.h)
        return ag_fail(err, AG_ERR_NOMEM, "cannot start an HTTP request (libcurl)");
    *rc = set_options(t.h, rq, o, headers, &t, errbuf);
    if (*rc == CURLE_OK)
        *rc = curl_easy_perform(t.h);
    long code = 0;
    curl_easy_getinfo(t.h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(t.h);
    if (o->progress)
        o->progress(o->progress_ctx, -1.0, 0.0);

    int close_errno = 0;
    if (t.file && fclose(t.file) != 0)
        close_errno = errno ? errno : EIO;
    if (rq->dest_path && code >= 200 && code < 300 && !t.file && *rc == CURLE_OK && !t.file_errno) {
        /* An empty 2xx body still means an (empty) file. */
        FILE *f = fopen(rq->dest_path, "wb");
        if (!f || fclose(f) != 0)
            t.file_errno = errno ? errno : EIO;
    }
    ag_http_response_free(resp);
    resp->status = *rc == CURLE_OK ? code : 0;
    resp->body = t.body;
    resp->body_len = t.len;
    if (!resp->body && !t.oom) {
        resp->body = strdup("");
        t.oom = !resp->body;
    }
    if (t.oom)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (t.file_errno || close_errno)
        return ag_fail(err, AG_ERR_IO, "%s: cannot write: %s", rq->dest_path,
                       strerror(t.file_errno ? t.file_errno : close_errno));
    return AG_OK;
}

static ag_status perform(const request *rq, const ag_http_options *opts, ag_http_response *resp, ag_error *err)
{
    static const ag_http_options defaults = { 0 };
    const ag_http_options *o = opts ? opts : &defaults;
    memset(resp, 0, sizeof *resp);
    if (!rq->url || (strncmp(rq->url, "http://", 7) != 0 && strncmp(rq->url, "https://", 8) != 0))
        return ag_fail(err, AG_ERR_USAGE, "%s: not an http:// or https:// URL", rq->url ? rq->url : "(null)");
    if (has_line_break(rq->url) || has_line_break(o->bearer_token))
        return ag_fail(err, AG_ERR_USAGE, "a URL or token must not contain a line break");
    pthread_once(&init_once, global_init);
    if (init_result != CURLE_OK)
        return ag_fail(err, AG_ERR_IO, "cannot initialise libcurl: %s", curl_easy_strerror(init_result));
    bool oom = false;
    struct curl_slist *headers = make_headers(rq, o, &oom);
    if (oom)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");

    long backoff = o->backoff_ms > 0 ? o->backoff_ms : DEFAULT_BACKOFF_MS;
    char errbuf[CURL_ERROR_SIZE];
    CURLcode rc = CURLE_OK;
    ag_status st = AG_OK;
    for (unsigned i = 0;; i++) {
        if (i > 0) {
            sleep_ms(backoff);
            backoff = backoff > MAX_BACKOFF_MS / 2 ? MAX_BACKOFF_MS : backoff * 2;
        }
        resp->attempts = i + 1;
        st = attempt(rq, o, headers, resp, &rc, errbuf, err);
        if (st != AG_OK)
            break;
        bool again = rc == CURLE_OK ? resp->status >= 500 && resp->status <= 599 : transient(rc);
        if (!again || i >= o->retries)
            break;
    }
    curl_slist_free_all(headers);
    if (st == AG_OK && rc != CURLE_OK) {
        const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        st = ag_fail(err, rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ? AG_ERR_USAGE : AG_ERR_IO,
                     "%s %s: %s (%u attempt%s)", rq->method, rq->url, why, resp->attempts,
                     resp->attempts == 1 ? "" : "s");
    }
    return st;
}

ag_status ag_http_get_to_file(const char *url, const char *dest_path, const ag_http_options *opts,
                              ag_http_response *resp, ag_error *err)
{
    request rq = { "GET", url, dest_path, NULL, 0 };
    return perform(&rq, opts, resp, err);
}

ag_status ag_http_post_json(const char *url, const char *body, size_t len, const ag_http_options *opts,
                            ag_http_response *resp, ag_error *err)
{
    request rq = { "POST", url, NULL, body ? body : "", body ? len : 0 };
    return perform(&rq, opts, resp, err);
}

static void copy_clean(char *buf, size_t size, const char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && s[i] && j + 1 < size; i++)
        buf[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    buf[j] = '\0';
    /* Trim trailing blanks. */
    while (j > 0 && buf[j - 1] == ' ')
        buf[--j] = '\0';
}

const char *ag_http_error_message(const ag_http_response *resp, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (!resp || !resp->body || resp->body_len == 0)
        return buf;
    json_t *root = json_loadb(resp->body, resp->body_len, 0, NULL);
    const char *msg = NULL;
    if (json_is_object(root)) {
        json_t *e = json_object_get(root, "error");
        if (json_is_object(e))
            msg = json_string_value(json_object_get(e, "message"));
        else if (json_is_string(e))
            msg = json_string_value(e);
        if (!msg)
            msg = json_string_value(json_object_get(root, "message"));
    }
    if (msg) {
        copy_clean(buf, size, msg, strlen(msg));
    } else {
        const char *s = resp->body;
        while (*s && isspace((unsigned char)*s))
            s++;
        size_t n = strcspn(s, "\r\n");
        copy_clean(buf, size < 201 ? size : 201, s, n);
    }
    json_decref(root);
    return buf;
}

const char *ag_http_reason(long status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

char *ag_http_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *p = out;
    if (!out)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_' || *c == '~') {
            *p++ = (char)*c;
        } else {
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 15];
        }
    }
    *p = '\0';
    return out;
}
