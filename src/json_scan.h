/*
 * json_scan.h — a pull scanner over JSON text in memory: the caller walks
 * the document value by value (no tree is built), so a reader can turn JSON
 * straight into its own structures.
 *
 * Accepts exactly the JSON that jansson's json_loadb accepts with default
 * flags: strict UTF-8 everywhere, no control characters in strings, no
 * "\u0000", no lone surrogates, integers within int64, no leading zeros, a
 * nesting limit of 2048 (js_skip), nothing but whitespace after the top
 * value (js_finish). Duplicate keys are the caller's business: js_key_lookup
 * detects them for objects with a fixed key set.
 *
 * Errors. Every function returns false on failure and the scanner remembers
 * the first failure (a static message and its byte position); later calls
 * keep failing. Line and column are computed only when asked for
 * (js_error_location), counting lines from 1 and columns in characters like
 * jansson.
 */
#ifndef ABIGUARD_JSON_SCAN_H
#define ABIGUARD_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum js_type {
    JS_NONE = 0, /* end of input, or a byte that starts no value */
    JS_OBJECT,
    JS_ARRAY,
    JS_STRING,
    JS_NUMBER,
    JS_TRUE,
    JS_FALSE,
    JS_NULL,
} js_type;

/* A decoded string: not NUL-terminated, valid UTF-8 without NUL bytes. It
   points into the input when the string has no escapes, else into the
   scanner's buffer; either way it is valid until the next js_string. */
typedef struct js_str {
    const char *ptr;
    size_t len;
} js_str;

typedef struct js_scanner {
    const char *text, *p, *end;
    char *buf;              /* decoded strings that had escapes */
    size_t cap;
    const char *err_msg;    /* first failure, NULL while none */
    const char *err_at;
} js_scanner;

#define JS_MAX_DEPTH 2048

void js_init(js_scanner *s, const char *text, size_t len);
void js_release(js_scanner *s);

static inline bool js_ok(const js_scanner *s) { return s->err_msg == NULL; }

/* Records a failure at the current position (the first one wins); returns false. */
bool js_fail(js_scanner *s, const char *msg);

/* The first failure's message (NULL if none), and its 1-based line and
   character column (column 0 when the failure is right after a newline). */
const char *js_error(const js_scanner *s);
void js_error_location(const js_scanner *s, int *line, int *column);

/* The type of the next value, judged by its first byte; consumes nothing
   but whitespace. */
js_type js_peek(js_scanner *s);

/* Objects: js_object_begin consumes '{'; then each js_object_next reads
   one key and its ':' and returns true, or consumes the '}' and returns
   false (also false on error: check js_ok). *count, zero before the first
   call, counts the keys read. Arrays alike, without keys. */
bool js_object_begin(js_scanner *s);
bool js_object_next(js_scanner *s, size_t *count, js_str *key);
bool js_array_begin(js_scanner *s);
bool js_array_next(js_scanner *s, size_t *count);

/* Scalars; each fails unless the next value has that type. js_int64 fails
   on a number with a fraction or exponent and on one beyond int64. */
bool js_string(js_scanner *s, js_str *out);
bool js_int64(js_scanner *s, int64_t *out);
bool js_bool(js_scanner *s, bool *out);
bool js_null(js_scanner *s);

/* Skips one value of any type, validating it (real numbers included). */
bool js_skip(js_scanner *s);

/* Succeeds when only whitespace remains. */
bool js_finish(js_scanner *s);

/* Finds key in names (n entries) and marks it in *seen (so n <= 32).
   Returns its index, or -1 after failing with "unknown key" or "duplicate
   object key". */
int js_key_lookup(js_scanner *s, js_str key, const char *const *names, int n, uint32_t *seen);

/* key == the NUL-terminated word. */
static inline bool js_str_is(js_str key, const char *word)
{
    size_t i = 0;
    for (; i < key.len; i++)
        if (word[i] != key.ptr[i]) /* also stops at word's NUL: key has none */
            return false;
    return word[i] == '\0';
}

#endif
