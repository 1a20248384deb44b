/*
 * binding_source.c — the names a ctypes/cffi binding's Python source or a
 * file of C declarations mentions (binding_source.h): a small tokenizer for
 * each language (comments, string literals with their prefixes and triple
 * quotes, identifiers, punctuation), then the patterns that name library
 * symbols.
 */
#include "binding_source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum tok_kind { T_NAME, T_STR, T_OP, T_NL } tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *s; /* NAME: the identifier; STR: the contents; OP: the character */
    size_t len;
} tok;

typedef struct toks {
    tok *v;
    size_t n, cap;
    bool nomem;
} toks;

static void push(toks *t, tok_kind kind, const char *s, size_t len)
{
    if (t->nomem)
        return;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 256;
        tok *g = realloc(t->v, nc * sizeof *g);
        if (!g) {
            t->nomem = true;
            return;
        }
        t->v = g;
        t->cap = nc;
    }
    t->v[t->n++] = (tok){ kind, s, len };
}

static bool ident_start(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

/* ------------------------------------------------------------------ */
/* Python                                                              */

static size_t py_prefix_len(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && n < 2 && strchr("rRbBuUfF", p[n]))
        n++;
    return p + n < end && (p[n] == '\'' || p[n] == '"') ? n : 0;
}

static void tokenize_python(const char *text, size_t len, toks *t)
{
    const char *p = text, *end = text + len;
    int depth = 0;
    while (p < end && !t->nomem) {
        unsigned char c = (unsigned char)*p;
        if (c == '#') {
            while (p < end && *p != '\n')
                p++;
        } else if (c == '\\' && p + 1 < end && p[1] == '\n') {
            p += 2; /* explicit line joining */
        } else if (c == '\n') {
            if (depth == 0)
                push(t, T_NL, p, 1);
            p++;
        } else if (c == '\'' || c == '"' || (ident_start(c) && py_prefix_len(p, end))) {
            p += py_prefix_len(p, end);
            char q = *p;
            bool triple = end - p >= 3 && p[1] == q && p[2] == q;
            p += triple ? 3 : 1;
            const char *start = p;
            while (p < end) {
                if (*p == '\\' && p + 1 < end) {
                    p += 2;
                } else if (*p == q && (!triple || (end - p >= 3 && p[1] == q && p[2] == q))) {
                    break;
                } else if (*p == '\n' && !triple) {
                    break; /* unterminated: stop at the line's end */
                } else {
                    p++;
                }
            }
            push(t, T_STR, start, (size_t)(p - start));
            if (p < end && *p == q)
                p += triple ? 3 : 1;
        } else if (ident_start(c)) {
            const char *start = p;
            while (p < end && ident_char((unsigned char)*p))
                p++;
            push(t, T_NAME, start, (size_t)(p - start));
        } else if (c >= '0' && c <= '9') {
            while (p < end && (ident_char((unsigned char)*p) || *p == '.'))
                p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            p++;
        } else {
            if (c == '(' || c == '[' || c == '{')
                depth++;
            else if ((c == ')' || c == ']' || c == '}') && depth > 0)
                depth--;
            push(t, T_OP, p, 1);
            p++;
        }
    }
    push(t, T_NL, end, 0);
}

static bool is_name(const tok *k, const char *s)
{
    return k->kind == T_NAME && k->len == strlen(s) && memcmp(k->s, s, k->len) == 0;
}

static bool is_op(const tok *k, char c)
{
    return k->kind == T_OP && k->s[0] == c;
}

/* A dotted name ("lib", "self._lib") starting at v[i]: its token count. */
static size_t dotted_len(const toks *t, size_t i)
{
    if (i >= t->n || t->v[i].kind != T_NAME)
        return 0;
    size_t n = 1;
    while (i + n + 1 < t->n && is_op(&t->v[i + n], '.') && t->v[i + n + 1].kind == T_NAME)
        n += 2;
    return n;
}

static bool same_dotted(const toks *t, size_t a, size_t b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const tok *x = &t->v[a + k], *y = &t->v[b + k];
        if (x->kind != y->kind || x->len != y->len || memcmp(x->s, y->s, x->len) != 0)
            return false;
    }
    return true;
}

/* Whether tokens [from, to) load a library: CDLL(...), LoadLibrary(...),
   dlopen(...), or cdll.NAME / pydll.NAME. */
static bool loads_library(const toks *t, size_t from, size_t to)
{
    static const char *const loaders[] = { "CDLL", "PyDLL", "WinDLL", "OleDLL", "LoadLibrary", "dlopen" };
    for (size_t i = from; i < to; i++) {
        for (size_t k = 0; k < sizeof loaders / sizeof loaders[0]; k++)
            if (is_name(&t->v[i], loaders[k]) && i + 1 < to && is_op(&t->v[i + 1], '('))
                return true;
        if ((is_name(&t->v[i], "cdll") || is_name(&t->v[i], "pydll")) && i + 2 < to &&
            is_op(&t->v[i + 1], '.') && t->v[i + 2].kind == T_NAME)
            return true;
    }
    return false;
}

typedef struct name_set {
    char **v;
    size_t n, cap;
    bool nomem;
} name_set;

static void add_name(name_set *s, const char *p, size_t len)
{
    if (s->nomem || len == 0)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && memcmp(s->v[i], p, len) == 0)
            return;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 32;
        char **g = realloc(s->v, nc * sizeof *g);
        if (!g) {
            s->nomem = true;
            return;
        }
        s->v = g;
        s->cap = nc;
    }
    char *d = strndup(p, len);
    if (!d) {
        s->nomem = true;
        return;
    }
    s->v[s->n++] = d;
}

/* A string literal holding exactly an identifier. */
static void add_if_identifier(name_set *s, const tok *k)
{
    if (k->kind != T_STR || k->len == 0 || !ident_start((unsigned char)k->s[0]))
        return;
    for (size_t i = 0; i < k->len; i++)
        if (!ident_char((unsigned char)k->s[i]))
            return;
    add_name(s, k->s, k->len);
}

static void scan_c(const char *text, size_t len, name_set *s);

/* The string literals of a cdef argument starting at v[i] (after the
   parenthesis): literals, or a module-level NAME = "..." assigned earlier. */
static void scan_cdef_argument(const toks *t, size_t i, name_set *s)
{
    if (i < t->n && t->v[i].kind == T_NAME) {
        const tok *arg = &t->v[i];
        for (size_t j = 0; j + 2 < t->n; j++)
            if ((j == 0 || t->v[j - 1].kind == T_NL) && t->v[j].kind == T_NAME && t->v[j].len == arg->len &&
                memcmp(t->v[j].s, arg->s, arg->len) == 0 && is_op(&t->v[j + 1], '=')) {
                size_t k = j + 2;
                if (k < t->n && is_op(&t->v[k], '('))
                    k++;
                for (; k < t->n && t->v[k].kind == T_STR; k++)
                    scan_c(t->v[k].s, t->v[k].len, s);
            }
        return;
    }
    for (; i < t->n && t->v[i].kind == T_STR; i++)
        scan_c(t->v[i].s, t->v[i].len, s);
}

static void scan_python(const char *text, size_t len, name_set *s)
{
    toks t = { 0 };
    tokenize_python(text, len, &t);
    if (t.nomem) {
        free(t.v);
        s->nomem = true;
        return;
    }
    /* The names a library is bound to: TARGET [: annotation] = ...loader... */
    size_t *targets = NULL, *target_len = NULL, n_targets = 0;
    targets = calloc(t.n + 1, sizeof *targets);
    target_len = calloc(t.n + 1, sizeof *target_len);
    if (!targets || !target_len) {
        free(targets);
        free(target_len);
        free(t.v);
        s->nomem = true;
        return;
    }
    for (size_t i = 0; i < t.n; i++) {
        if (i > 0 && t.v[i - 1].kind != T_NL)
            continue;
        size_t n = dotted_len(&t, i);
        if (!n)
            continue;
        size_t j = i + n, eq = 0;
        if (j < t.n && is_op(&t.v[j], ':')) /* lib: ctypes.CDLL = ... */
            for (size_t k = j; k < t.n && t.v[k].kind != T_NL; k++)
                if (is_op(&t.v[k], '=') && !(k + 1 < t.n && is_op(&t.v[k + 1], '='))) {
                    eq = k;
                    break;
                }
        if (j < t.n && is_op(&t.v[j], '=') && !(j + 1 < t.n && is_op(&t.v[j + 1], '=')))
            eq = j;
        if (!eq)
            continue;
        size_t line_end = eq;
        while (line_end < t.n && t.v[line_end].kind != T_NL)
            line_end++;
        if (loads_library(&t, eq + 1, line_end)) {
            targets[n_targets] = i;
            target_len[n_targets++] = n;
        }
    }
    for (size_t i = 0; i < t.n; i++) {
        /* ffi.cdef("..."), cdef("""...""" "...") */
        if (is_name(&t.v[i], "cdef") && i + 1 < t.n && is_op(&t.v[i + 1], '(')) {
            scan_cdef_argument(&t, i + 2, s);
            continue;
        }
        /* getattr(TARGET, "name") */
        if (is_name(&t.v[i], "getattr") && i + 1 < t.n && is_op(&t.v[i + 1], '(')) {
            size_t n = dotted_len(&t, i + 2);
            for (size_t k = 0; n && k < n_targets; k++)
                if (target_len[k] == n && same_dotted(&t, targets[k], i + 2, n) && i + 3 + n < t.n &&
                    is_op(&t.v[i + 2 + n], ','))
                    add_if_identifier(s, &t.v[i + 3 + n]);
            continue;
        }
        for (size_t k = 0; k < n_targets; k++) {
            size_t n = target_len[k];
            if (i + n + 1 >= t.n || !same_dotted(&t, targets[k], i, n))
                continue;
            if (i > 0 && is_op(&t.v[i - 1], '.'))
                continue; /* x.lib.geo_f is another object's attribute */
            const tok *after = &t.v[i + n];
            if (is_op(after, '.') && t.v[i + n + 1].kind == T_NAME)
                add_name(s, t.v[i + n + 1].s, t.v[i + n + 1].len);
            else if (is_op(after, '['))
                add_if_identifier(s, &t.v[i + n + 1]);
        }
    }
    /* No library bound to a name this module shows: every attribute read. */
    if (n_targets == 0)
        for (size_t i = 0; i + 1 < t.n; i++)
            if (is_op(&t.v[i], '.') && t.v[i + 1].kind == T_NAME)
                add_name(s, t.v[i + 1].s, t.v[i + 1].len);
    free(targets);
    free(target_len);
    free(t.v);
}

/* ------------------------------------------------------------------ */
/* C declarations                                                      */

static void scan_c(const char *text, size_t len, name_set *s)
{
    const char *p = text, *end = text + len;
    bool line_start = true;
    while (p < end && !s->nomem) {
        unsigned char c = (unsigned char)*p;
        if (c == '/' && p + 1 < end && p[1] == '*') {
            const char *e = p + 2;
            while (e + 1 < end && !(e[0] == '*' && e[1] == '/'))
                e++;
            p = e + 1 < end ? e + 2 : end;
        } else if (c == '/' && p + 1 < end && p[1] == '/') {
            while (p < end && *p != '\n')
                p++;
        } else if (c == '#' && line_start) {
            /* a preprocessor line, continued by backslashes */
            while (p < end && *p != '\n')
                p += (*p == '\\' && p + 1 < end) ? 2 : 1;
        } else if (c == '"' || c == '\'') {
            p++;
            while (p < end && *p != (char)c && *p != '\n')
                p += (*p == '\\' && p + 1 < end) ? 2 : 1;
            if (p < end && *p == (char)c)
                p++;
        } else if (ident_start(c)) {
            const char *start = p;
            while (p < end && ident_char((unsigned char)*p))
                p++;
            add_name(s, start, (size_t)(p - start));
            line_start = false;
            continue;
        } else if (c >= '0' && c <= '9') {
            while (p < end && (ident_char((unsigned char)*p) || *p == '.'))
                p++;
        } else {
            p++;
        }
        if (c == '\n')
            line_start = true;
        else if (c != ' ' && c != '\t' && c != '\r')
            line_start = false;
    }
}

/* ------------------------------------------------------------------ */
/* Lists                                                               */

static void scan_list(const char *text, size_t len, name_set *s)
{
    const char *p = text, *end = text + len;
    while (p < end && !s->nomem) {
        if (*p == '#') {
            while (p < end && *p != '\n')
                p++;
        } else if (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            p++;
        } else {
            const char *start = p;
            while (p < end && *p != ',' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '#')
                p++;
            add_name(s, start, (size_t)(p - start));
        }
    }
}

ag_status ag_source_names(const char *text, size_t len, ag_source_kind kind, char ***names,
                          size_t *n, ag_error *err)
{
    name_set s = { 0 };
    if (kind == AG_SOURCE_PYTHON)
        scan_python(text, len, &s);
    else if (kind == AG_SOURCE_LIST)
        scan_list(text, len, &s);
    else
        scan_c(text, len, &s);
    if (s.nomem) {
        ag_source_names_free(s.v, s.n);
        *names = NULL;
        *n = 0;
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    *names = s.v;
    *n = s.n;
    return AG_OK;
}

void ag_source_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

ag_status ag_source_names_read(const char *path, ag_source_kind kind, char ***names, size_t *n,
                               ag_error *err)
{
    *names = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            if (cap >= ((size_t)64 << 20)) {
                free(buf);
                fclose(f);
                return ag_fail(err, AG_ERR_FORMAT, "larger than 64 MiB: not a binding's source");
            }
            size_t nc = cap ? cap * 2 : 16384;
            char *g = realloc(buf, nc);
            if (!g) {
                free(buf);
                fclose(f);
                return ag_fail(err, AG_ERR_NOMEM, "out of memory");
            }
            buf = g;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (read_errno) {
        free(buf);
        return ag_fail(err, AG_ERR_IO, "cannot read: %s", strerror(read_errno));
    }
    ag_status st = ag_source_names(buf ? buf : "", len, kind, names, n, err);
    free(buf);
    return st;
}
