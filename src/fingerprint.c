/*
 * fingerprint.c — per-symbol fingerprints (the algorithm is described in
 * fingerprint.h) and the parser of fingerprint lists.
 */
#include "fingerprint.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

static const ag_symbol *find_export(const ag_corpus *c, const char *name)
{
    const ag_symbol *any = NULL;
    for (size_t i = 0; i < c->n_exports; i++) {
        if (strcmp(c->exports[i].name, name) != 0)
            continue;
        if (c->exports[i].is_default || !c->exports[i].version)
            return &c->exports[i];
        if (!any)
            any = &c->exports[i];
    }
    return any;
}

static void hash_type_id(ag_hasher *h, const ag_corpus *c, ag_type_ref t)
{
    ag_hash_str(h, t < c->n_types ? c->types[t].id : NULL);
}

/* Marks t and everything it reaches. stack has room for n_types entries. */
static void mark(const ag_corpus *c, ag_type_ref t, unsigned char *seen, ag_type_ref *stack)
{
    size_t sp = 0;
    if (t >= c->n_types || seen[t])
        return;
    seen[t] = 1;
    stack[sp++] = t;
    while (sp) {
        const ag_type *ty = &c->types[stack[--sp]];
        ag_type_ref refs_inline[1] = { ty->target };
#define PUSH(r)                                                \
    do {                                                       \
        ag_type_ref r_ = (r);                                  \
        if (r_ < c->n_types && !seen[r_]) {                    \
            seen[r_] = 1;                                      \
            stack[sp++] = r_;                                  \
        }                                                      \
    } while (0)
        PUSH(refs_inline[0]);
        for (size_t i = 0; i < ty->n_members; i++)
            PUSH(ty->members[i].type);
        for (size_t i = 0; i < ty->n_params; i++)
            PUSH(ty->params[i].type);
#undef PUSH
    }
}

ag_status ag_fingerprint_symbol(const ag_corpus *c, const char *name, uint64_t *out, bool *found,
                                ag_error *err)
{
    *out = 0;
    *found = false;
    const ag_function *f = ag_corpus_find_function(c, name);
    const ag_variable *v = f ? NULL : ag_corpus_find_variable(c, name);
    const ag_symbol *sym = find_export(c, name);
    if (!f && !v && !sym)
        return AG_OK;
    ag_hasher h;
    ag_hash_init(&h);
    ag_hash_str(&h, AG_FINGERPRINT_FORMAT);
    ag_hash_str(&h, name);
    unsigned char *seen = NULL;
    ag_type_ref *stack = NULL;
    if (c->n_types) {
        seen = calloc(c->n_types, 1);
        stack = malloc(c->n_types * sizeof *stack);
        if (!seen || !stack) {
            free(seen);
            free(stack);
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
    }
    if (f) {
        ag_hash_str(&h, "fn");
        hash_type_id(&h, c, f->return_type);
        ag_hash_u64(&h, f->n_params);
        for (size_t i = 0; i < f->n_params; i++)
            hash_type_id(&h, c, f->params[i].type);
        ag_hash_u64(&h, f->variadic);
        ag_hash_u64(&h, f->prototyped);
        ag_hash_u64(&h, f->calling_convention);
        if (seen) {
            mark(c, f->return_type, seen, stack);
            for (size_t i = 0; i < f->n_params; i++)
                mark(c, f->params[i].type, seen, stack);
        }
    } else if (v) {
        ag_hash_str(&h, "var");
        hash_type_id(&h, c, v->type);
        if (seen)
            mark(c, v->type, seen, stack);
    } else {
        ag_hash_str(&h, "sym");
        ag_hash_str(&h, ag_sym_type_name(sym->type));
        ag_hash_u64(&h, sym->type == AG_SYM_FUNC || sym->type == AG_SYM_IFUNC ? 0 : sym->size);
    }
    for (size_t t = 0; t < c->n_types; t++) {
        if (!seen[t])
            continue;
        ag_hash_str(&h, c->types[t].id);
        ag_hash_u64(&h, c->types[t].hash);
    }
    free(seen);
    free(stack);
    *out = ag_hash_final(&h);
    *found = true;
    return AG_OK;
}

void ag_fingerprint_entries_free(ag_fingerprint_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].version);
    }
    free(v);
}

static ag_status parse_line(const char *p, const char *end, ag_fingerprint_entry *e, unsigned line,
                            ag_error *err)
{
    uint64_t val = 0;
    int digits = 0;
    for (; p < end && isxdigit((unsigned char)*p) && digits < 17; p++, digits++)
        val = val * 16 + (uint64_t)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
    if (digits != 16 || p == end || (*p != ' ' && *p != '\t'))
        return ag_fail(err, AG_ERR_FORMAT, "line %u: expected 16 hex digits, a space and NAME[@VERSION]", line);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *name_end = end;
    while (name_end > p && isspace((unsigned char)name_end[-1]))
        name_end--;
    if (name_end == p)
        return ag_fail(err, AG_ERR_FORMAT, "line %u: missing symbol name", line);
    const char *at = memchr(p, '@', (size_t)(name_end - p));
    e->value = val;
    e->name = strndup(p, (size_t)((at ? at : name_end) - p));
    e->version = at && at + 1 < name_end ? strndup(at + 1, (size_t)(name_end - at - 1)) : NULL;
    if (!e->name || (at && at + 1 < name_end && !e->version))
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (!*e->name)
        return ag_fail(err, AG_ERR_FORMAT, "line %u: missing symbol name", line);
    return AG_OK;
}

ag_status ag_fingerprint_parse(const char *text, ag_fingerprint_entry **out, size_t *n, ag_error *err)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    unsigned line = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        line++;
        const char *s = p;
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s < end && *s != '#') {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                ag_fingerprint_entry *g = realloc(*out, cap * sizeof *g);
                if (!g) {
                    ag_fingerprint_entries_free(*out, *n);
                    *out = NULL;
                    *n = 0;
                    return ag_fail(err, AG_ERR_NOMEM, "out of memory");
                }
                *out = g;
            }
            ag_fingerprint_entry *e = &(*out)[(*n)++];
            memset(e, 0, sizeof *e);
            ag_status st = parse_line(s, end, e, line, err);
            if (st != AG_OK) {
                ag_fingerprint_entries_free(*out, *n);
                *out = NULL;
                *n = 0;
                return st;
            }
        }
        p = *end ? end + 1 : end;
    }
    return AG_OK;
}
