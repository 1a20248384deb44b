/*
 * json_scan.c — see json_scan.h. The grammar and its limits follow jansson
 * 2.14's load.c with default flags, so that a reader built on this scanner
 * accepts the same documents as one built on json_loadb.
 */
#include "json_scan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void js_init(js_scanner *s, const char *text, size_t len)
{
    *s = (js_scanner){ .text = text, .p = text, .end = text + len };
}

void js_release(js_scanner *s)
{
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

static bool fail_at(js_scanner *s, const char *at, const char *msg)
{
    if (!s->err_msg) {
        s->err_msg = msg;
        s->err_at = at;
    }
    return false;
}

bool js_fail(js_scanner *s, const char *msg)
{
    return fail_at(s, s->p, msg);
}

const char *js_error(const js_scanner *s)
{
    return s->err_msg;
}

void js_error_location(const js_scanner *s, int *line, int *column)
{
    int l = 1, col = 0;
    const char *stop = s->err_msg ? s->err_at : s->p;
    for (const char *q = s->text; q < stop; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '\n') {
            l++;
            col = 0;
        } else if (c < 0x80 || c >= 0xC0) { /* not a continuation byte */
            col++;
        }
    }
    *line = l;
    *column = col;
}

static inline void skip_ws(js_scanner *s)
{
    const char *p = s->p;
    while (p < s->end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    s->p = p;
}

js_type js_peek(js_scanner *s)
{
    skip_ws(s);
    if (!js_ok(s) || s->p == s->end)
        return JS_NONE;
    switch (*s->p) {
    case '{': return JS_OBJECT;
    case '[': return JS_ARRAY;
    case '"': return JS_STRING;
    case 't': return JS_TRUE;
    case 'f': return JS_FALSE;
    case 'n': return JS_NULL;
    case '-': return JS_NUMBER;
    default: return *s->p >= '0' && *s->p <= '9' ? JS_NUMBER : JS_NONE;
    }
}

/* Consumes `c` after whitespace. */
static inline bool expect(js_scanner *s, char c, const char *msg)
{
    skip_ws(s);
    if (!js_ok(s) || s->p == s->end || *s->p != c)
        return js_fail(s, msg);
    s->p++;
    return true;
}

bool js_object_begin(js_scanner *s)
{
    return expect(s, '{', "expected an object");
}

bool js_array_begin(js_scanner *s)
{
    return expect(s, '[', "expected an array");
}

/* Before the next element: true when there is one (its ',' consumed),
   false at the closing bracket (consumed) or on error. */
static inline bool next_element(js_scanner *s, size_t *count, char close, const char *msg)
{
    skip_ws(s);
    if (!js_ok(s))
        return false;
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return false;
    }
    if (*count > 0) {
        if (s->p == s->end || *s->p != ',')
            return js_fail(s, msg);
        s->p++;
    }
    (*count)++;
    return true;
}

bool js_object_next(js_scanner *s, size_t *count, js_str *key)
{
    return next_element(s, count, '}', "',' or '}' expected") && js_string(s, key) &&
           expect(s, ':', "':' expected");
}

bool js_array_next(js_scanner *s, size_t *count)
{
    return next_element(s, count, ']', "',' or ']' expected");
}

/* ---------------------------------------------------------------- strings */

/* Bytes that end the fast scan of a string: '"', '\\', control characters
   and anything non-ASCII. */
static inline bool special(unsigned char c)
{
    return (unsigned char)(c - 0x20) >= 0x60 || c == '"' || c == '\\';
}

/* Length of the valid UTF-8 sequence at p (p[0] >= 0x80), 0 if invalid:
   no overlong forms, no surrogates, nothing beyond U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    return n;
}

static bool buf_reserve(js_scanner *s, size_t need)
{
    if (need <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < need)
        cap *= 2;
    char *bigger = realloc(s->buf, cap);
    if (!bigger)
        return js_fail(s, "out of memory");
    s->buf = bigger;
    s->cap = cap;
    return true;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v += c - '0';
        else if (c >= 'a' && c <= 'f')
            v += c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v += c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* The rest of a string that has escapes, from p (at a '\\'), decoded into
   s->buf after the `done` bytes of plain text starting at start. */
static bool string_slow(js_scanner *s, const char *start, const char *p, js_str *out)
{
    size_t n = (size_t)(p - start);
    if (!buf_reserve(s, n + 64))
        return false;
    memcpy(s->buf, start, n);
    for (;;) {
        if (p == s->end)
            return fail_at(s, p, "premature end of input");
        unsigned char c = (unsigned char)*p;
        if (!buf_reserve(s, n + 4))
            return false;
        if (c == '"') {
            s->p = p + 1;
            *out = (js_str){ s->buf, n };
            return true;
        }
        if (c < 0x20)
            return fail_at(s, p, "control character in a string");
        if (c >= 0x80) {
            size_t k = utf8_seq((const unsigned char *)p, (const unsigned char *)s->end);
            if (!k)
                return fail_at(s, p, "invalid UTF-8");
            memcpy(s->buf + n, p, k);
            n += k;
            p += k;
            continue;
        }
        if (c != '\\') {
            s->buf[n++] = (char)c;
            p++;
            continue;
        }
        if (s->end - p < 2)
            return fail_at(s, s->end, "premature end of input");
        char e = p[1];
        p += 2;
        switch (e) {
        case '"': case '\\': case '/': s->buf[n++] = e; continue;
        case 'b': s->buf[n++] = '\b'; continue;
        case 'f': s->buf[n++] = '\f'; continue;
        case 'n': s->buf[n++] = '\n'; continue;
        case 'r': s->buf[n++] = '\r'; continue;
        case 't': s->buf[n++] = '\t'; continue;
        case 'u': break;
        default: return fail_at(s, p - 1, "invalid escape");
        }
        int u = s->end - p >= 4 ? hex4(p) : -1;
        if (u < 0)
            return fail_at(s, p, "invalid escape");
        p += 4;
        uint32_t cp = (uint32_t)u;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int lo = s->end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return fail_at(s, p, "invalid Unicode surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            p += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail_at(s, p, "invalid Unicode surrogate");
        } else if (cp == 0) {
            return fail_at(s, p, "\\u0000 is not allowed");
        }
        char *t = s->buf + n;
        if (cp < 0x80) {
            t[0] = (char)cp;
            n += 1;
        } else if (cp < 0x800) {
            t[0] = (char)(0xC0 | (cp >> 6));
            t[1] = (char)(0x80 | (cp & 0x3F));
            n += 2;
        } else if (cp < 0x10000) {
            t[0] = (char)(0xE0 | (cp >> 12));
            t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            t[2] = (char)(0x80 | (cp & 0x3F));
            n += 3;
        } else {
            t[0] = (char)(0xF0 | (cp >> 18));
            t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            t[3] = (char)(0x80 | (cp & 0x3F));
            n += 4;
        }
    }
}

bool js_string(js_scanner *s, js_str *out)
{
    skip_ws(s);
    if (!js_ok(s) || s->p == s->end || *s->p != '"')
        return js_fail(s, "expected a string");
    const char *start = s->p + 1, *p = start, *end = s->end;
    for (;;) {
        while (p < end && !special((unsigned char)*p))
            p++;
        if (p == end)
            return fail_at(s, p, "premature end of input");
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            s->p = p + 1;
            *out = (js_str){ start, (size_t)(p - start) };
            return true;
        }
        if (c == '\\')
            return string_slow(s, start, p, out);
        if (c < 0x20)
            return fail_at(s, p, "control character in a string");
        size_t k = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
        if (!k)
            return fail_at(s, p, "invalid UTF-8");
        p += k;
    }
}

/* ---------------------------------------------------------------- numbers */

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Scans the number at s->p without consuming it: its end, and whether it
   has a fraction or an exponent. */
static bool scan_number(js_scanner *s, const char **stop, bool *is_real)
{
    const char *p = s->p, *end = s->end;
    if (p < end && *p == '-')
        p++;
    if (p == end || !is_digit(*p))
        return fail_at(s, p, "invalid number");
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return fail_at(s, p, "invalid number (leading zero)");
    } else {
        while (p < end && is_digit(*p))
            p++;
    }
    *is_real = false;
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p))
            return fail_at(s, p, "invalid number");
        while (p < end && is_digit(*p))
            p++;
        *is_real = true;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return fail_at(s, p, "invalid number");
        while (p < end && is_digit(*p))
            p++;
        *is_real = true;
    }
    *stop = p;
    return true;
}

bool js_int64(js_scanner *s, int64_t *out)
{
    skip_ws(s);
    const char *stop;
    bool is_real;
    if (!js_ok(s) || js_peek(s) != JS_NUMBER)
        return js_fail(s, "expected a number");
    if (!scan_number(s, &stop, &is_real))
        return false;
    if (is_real)
        return js_fail(s, "expected an integer");
    const char *p = s->p;
    bool neg = *p == '-';
    p += neg;
    uint64_t v = 0;
    for (; p < stop; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return js_fail(s, "integer out of range");
        v = v * 10 + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return js_fail(s, "integer out of range");
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    s->p = stop;
    return true;
}

/* A real number: overflow to infinity is an error (jansson's "real number
   overflow"). strtod reads the C locale's decimal point. */
static bool skip_real(js_scanner *s, const char *stop)
{
    size_t n = (size_t)(stop - s->p);
    if (!buf_reserve(s, n + 1))
        return false;
    memcpy(s->buf, s->p, n);
    s->buf[n] = '\0';
    errno = 0;
    double v = strtod(s->buf, NULL);
    if ((v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE)
        return js_fail(s, "real number overflow");
    s->p = stop;
    return true;
}

/* ---------------------------------------------------------------- literals */

static bool literal(js_scanner *s, const char *word, size_t n)
{
    skip_ws(s);
    if (!js_ok(s) || (size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0 ||
        (s->p + n < s->end && is_alpha(s->p[n])))
        return js_fail(s, "invalid token");
    s->p += n;
    return true;
}

bool js_bool(js_scanner *s, bool *out)
{
    js_type t = js_peek(s);
    if (t != JS_TRUE && t != JS_FALSE)
        return js_fail(s, "expected a boolean");
    *out = t == JS_TRUE;
    return t == JS_TRUE ? literal(s, "true", 4) : literal(s, "false", 5);
}

bool js_null(js_scanner *s)
{
    if (js_peek(s) != JS_NULL)
        return js_fail(s, "expected null");
    return literal(s, "null", 4);
}

/* ---------------------------------------------------------------- the rest */

static bool skip_value(js_scanner *s, int depth)
{
    if (++depth > JS_MAX_DEPTH)
        return js_fail(s, "maximum parsing depth reached");
    size_t count = 0;
    js_str key;
    bool b;
    switch (js_peek(s)) {
    case JS_OBJECT:
        js_object_begin(s);
        while (js_object_next(s, &count, &key))
            if (!skip_value(s, depth))
                return false;
        return js_ok(s);
    case JS_ARRAY:
        js_array_begin(s);
        while (js_array_next(s, &count))
            if (!skip_value(s, depth))
                return false;
        return js_ok(s);
    case JS_STRING:
        return js_string(s, &key);
    case JS_NUMBER: {
        const char *stop;
        bool is_real;
        if (!scan_number(s, &stop, &is_real))
            return false;
        if (is_real)
            return skip_real(s, stop);
        int64_t v;
        return js_int64(s, &v);
    }
    case JS_TRUE:
    case JS_FALSE:
        return js_bool(s, &b);
    case JS_NULL:
        return js_null(s);
    case JS_NONE:
        break;
    }
    return js_fail(s, s->p == s->end ? "premature end of input" : "invalid token");
}

bool js_skip(js_scanner *s)
{
    return skip_value(s, 0);
}

bool js_finish(js_scanner *s)
{
    skip_ws(s);
    if (!js_ok(s))
        return false;
    return s->p == s->end || js_fail(s, "end of file expected");
}

int js_key_lookup(js_scanner *s, js_str key, const char *const *names, int n, uint32_t *seen)
{
    for (int i = 0; i < n; i++) {
        if (!js_str_is(key, names[i]))
            continue;
        if (*seen & (UINT32_C(1) << i)) {
            js_fail(s, "duplicate object key");
            return -1;
        }
        *seen |= UINT32_C(1) << i;
        return i;
    }
    js_fail(s, "unknown key");
    return -1;
}
