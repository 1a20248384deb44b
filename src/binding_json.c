/*
 * binding_json.c — the one serialized form of what `check` reads from a
 * binding (ag_binding_view, binding.h): "abiguard-binding/1", a corpus in
 * its own format plus the types the binding holds by value and its
 * DT_NEEDED libraries as the loader found them. `push --binding` writes
 * it, the service validates and stores it, and checks a registered
 * binding from it without the file.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "corpus_json.h"

#define BINDING_FORMAT "abiguard-binding/1"

static json_t *jstr_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

char *ag_binding_view_to_json(const ag_binding_view *v, ag_error *err)
{
    char *corpus_text = ag_corpus_to_json(v->corpus, err);
    if (!corpus_text)
        return NULL;
    json_error_t jerr;
    json_t *corpus = json_loads(corpus_text, 0, &jerr);
    free(corpus_text);
    json_t *held = json_array(), *root = json_object();
    json_t *needed = v->deps_known ? json_array() : json_null();
    bool ok = corpus && held && root && needed;
    for (size_t i = 0; ok && i < v->held.n; i++)
        ok = json_array_append_new(held, json_pack("{s:o,s:o}", "name", jstr_or_null(v->held.v[i].name),
                                                   "container", jstr_or_null(v->held.v[i].container))) == 0;
    for (size_t i = 0; ok && v->deps_known && i < v->n_deps; i++) {
        const ag_binding_dep *d = &v->deps[i];
        json_t *prov = json_array();
        for (size_t k = 0; prov && k < d->n_provides; k++)
            if (json_array_append_new(prov, json_string(d->provides[k])) != 0) {
                json_decref(prov);
                prov = NULL;
            }
        ok = prov && json_array_append_new(needed, json_pack("{s:s,s:b,s:o}", "name", d->needed, "found",
                                                             d->found, "provides", prov)) == 0;
    }
    if (ok)
        ok = json_object_set_new(root, "format", json_string(BINDING_FORMAT)) == 0 &&
             json_object_set(root, "corpus", corpus) == 0 && json_object_set(root, "held", held) == 0 &&
             json_object_set(root, "needed", needed) == 0;
    char *text = ok ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(corpus);
    json_decref(held);
    json_decref(needed);
    json_decref(root);
    if (!text)
        ag_fail(err, AG_ERR_NOMEM, "out of memory");
    return text;
}

static ag_status bad(ag_error *err, const char *what)
{
    return ag_fail(err, AG_ERR_FORMAT, "not a binding (" BINDING_FORMAT "): %s", what);
}

static char *dup_or_null(json_t *v, bool *ok)
{
    if (json_is_null(v))
        return NULL;
    const char *s = json_string_value(v);
    char *d = s ? strdup(s) : NULL;
    if (!d)
        *ok = false;
    return d;
}

static ag_status read_held(json_t *held, ag_binding_view *v, ag_error *err)
{
    if (!held)
        return AG_OK;
    if (!json_is_array(held))
        return bad(err, "\"held\" must be an array");
    size_t n = json_array_size(held);
    v->held.v = calloc(n ? n : 1, sizeof *v->held.v);
    if (!v->held.v)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    v->held.cap = n;
    for (size_t i = 0; i < n; i++) {
        json_t *h = json_array_get(held, i), *name = json_object_get(h, "name"), *cont = json_object_get(h, "container");
        if (!json_is_object(h) || !json_is_string(name) || (cont && !json_is_null(cont) && !json_is_string(cont)))
            return bad(err, "each \"held\" entry is {\"name\": TYPE, \"container\": TYPE|null}");
        bool ok = true;
        ag_held_type *t = &v->held.v[v->held.n++];
        t->name = dup_or_null(name, &ok);
        t->container = cont ? dup_or_null(cont, &ok) : NULL;
        if (!ok)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    return AG_OK;
}

static ag_status read_needed(json_t *needed, ag_binding_view *v, ag_error *err)
{
    if (!needed || json_is_null(needed))
        return AG_OK;
    if (!json_is_array(needed))
        return bad(err, "\"needed\" must be an array or null");
    size_t n = json_array_size(needed);
    v->deps_known = true;
    v->deps = calloc(n ? n : 1, sizeof *v->deps);
    if (!v->deps)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(needed, i), *name = json_object_get(d, "name");
        json_t *found = json_object_get(d, "found"), *prov = json_object_get(d, "provides");
        if (!json_is_object(d) || !json_is_string(name) || !json_is_boolean(found) || !json_is_array(prov))
            return bad(err, "each \"needed\" entry is {\"name\": SONAME, \"found\": BOOL, \"provides\": [SYMBOL]}");
        ag_binding_dep *dep = &v->deps[v->n_deps++];
        bool ok = true;
        dep->needed = dup_or_null(name, &ok);
        dep->found = json_is_true(found);
        size_t np = json_array_size(prov);
        dep->provides = calloc(np ? np : 1, sizeof *dep->provides);
        if (!ok || !dep->provides)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < np; k++) {
            json_t *s = json_array_get(prov, k);
            if (!json_is_string(s))
                return bad(err, "\"provides\" lists symbol names");
            if (!(dep->provides[dep->n_provides++] = strdup(json_string_value(s))))
                return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
    }
    return AG_OK;
}

ag_status ag_binding_view_from_json(const char *text, size_t len, ag_binding_view **out, ag_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ag_fail(err, AG_ERR_FORMAT, "malformed JSON: line %d column %d: %s", jerr.line, jerr.column,
                       jerr.text);
    ag_status st = AG_OK;
    const char *format = json_string_value(json_object_get(root, "format"));
    json_t *corpus = json_object_get(root, "corpus");
    const char *const known[] = { "format", "corpus", "held", "needed" };
    const char *key;
    json_t *value;
    if (!json_is_object(root))
        st = bad(err, "expected an object");
    else if (!format || strcmp(format, BINDING_FORMAT) != 0)
        st = bad(err, "\"format\" must be \"" BINDING_FORMAT "\"");
    else if (!json_is_object(corpus))
        st = bad(err, "\"corpus\" must be a corpus object");
    if (st == AG_OK)
        json_object_foreach(root, key, value) {
            bool ok = false;
            for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
                ok = ok || strcmp(key, known[i]) == 0;
            if (!ok) {
                st = ag_fail(err, AG_ERR_FORMAT, "not a binding (" BINDING_FORMAT "): unknown key \"%s\"", key);
                break;
            }
        }
    ag_binding_view *v = st == AG_OK ? calloc(1, sizeof *v) : NULL;
    if (st == AG_OK && !v)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (st == AG_OK) {
        char *corpus_text = json_dumps(corpus, JSON_COMPACT);
        st = corpus_text ? ag_corpus_from_json(corpus_text, strlen(corpus_text), &v->corpus, err)
                         : ag_fail(err, AG_ERR_NOMEM, "out of memory");
        free(corpus_text);
    }
    if (st == AG_OK)
        st = read_held(json_object_get(root, "held"), v, err);
    if (st == AG_OK)
        st = read_needed(json_object_get(root, "needed"), v, err);
    json_decref(root);
    if (st != AG_OK) {
        ag_binding_view_free(v);
        return st;
    }
    *out = v;
    return AG_OK;
}
