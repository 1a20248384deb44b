/*
 * http_client.h — the little HTTP the library needs (libcurl): a GET whose
 * body goes to a file (debuginfod downloads, with a progress callback) and a
 * POST of a JSON body whose answer comes back in memory (`abiguard push`).
 *
 * Both retry, with exponential backoff, on what is worth retrying: a 5xx
 * answer and connection-level failures (refused, reset, timed out, name not
 * resolved). A 4xx answer is never retried: asking again gets the same
 * answer. TLS certificates are verified unless the caller opts out. Only
 * http:// and https:// URLs are accepted, also for redirects. Nothing here
 * prints: the outcome is a status, the answer, and a message.
 */
#ifndef ABIGUARD_HTTP_CLIENT_H
#define ABIGUARD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct ag_http_options {
    long connect_timeout_s;  /* per attempt; 0: 10 s (capped at timeout_s) */
    long timeout_s;          /* whole attempt; 0: no limit */
    long low_speed_time_s;   /* give up when under 1 byte/s for this long; 0: off */
    unsigned retries;        /* attempts after the first (5xx, connection errors) */
    long backoff_ms;         /* wait before the first retry, doubled for each
                                next one, at most 30 s; 0: 500 ms */
    bool insecure;           /* do not verify TLS certificates and host names */
    const char *bearer_token;/* sent as "Authorization: Bearer ..." if not NULL */
    /* Download progress: done and total in bytes (total 0 while unknown).
       After each attempt's transfer ends it is called once with done < 0,
       so a progress display can finish its line. */
    void (*progress)(void *ctx, double done, double total);
    void *progress_ctx;
} ag_http_options;

typedef struct ag_http_response {
    long status;       /* HTTP status of the last attempt; 0 if none answered */
    char *body;        /* the answer (NUL-terminated; for a GET to a file only
                          when the status is not 2xx), at most 16 MiB kept */
    size_t body_len;
    unsigned attempts; /* requests made, retries included */
} ag_http_response;

/* GET url. A 2xx body is written to dest_path (created or truncated for each
   attempt); any other answer's body is kept in resp->body.
   Returns AG_OK when a server answered (whatever the status: the caller
   looks at resp->status), AG_ERR_IO when no attempt got an answer (message:
   what failed and how many attempts), AG_ERR_USAGE for a URL or token that
   cannot be used. resp is always initialised: free it with
   ag_http_response_free. */
ag_status ag_http_get_to_file(const char *url, const char *dest_path, const ag_http_options *opts,
                              ag_http_response *resp, ag_error *err);

/* POST body (len bytes, Content-Type: application/json) to url. Same
   results as ag_http_get_to_file, with the answer always in resp->body. */
ag_status ag_http_post_json(const char *url, const char *body, size_t len, const ag_http_options *opts,
                            ag_http_response *resp, ag_error *err);

void ag_http_response_free(ag_http_response *resp);

/* The human part of an error answer: "message" from abiguard's
   {"error": {"status", "message"}} body (or a top-level "message"/"error"
   string), else the body's first line, cut to fit; "" for an empty body.
   Control characters become spaces. Returns buf. */
const char *ag_http_error_message(const ag_http_response *resp, char *buf, size_t size);

/* "Not Found" for 404 and so on; "" for a status it does not know. */
const char *ag_http_reason(long status);

/* A string percent-encoded for use as one URL path segment or query value
   (everything but unreserved characters escaped). malloc'd; NULL when out
   of memory. */
char *ag_http_escape(const char *s);

/* Releases libcurl's global state (optional, at the end of a program). */
void ag_http_global_cleanup(void);

#endif
