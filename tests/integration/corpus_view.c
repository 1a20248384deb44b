/*
 * corpus_view.c — lookups in a corpus JSON document for the integration
 * tests (see corpus_view.h). Knows only the documented JSON shape (the top
 * of src/corpus_json.c), not the library's C structures.
 */
#include "corpus_view.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void corpus_view_parse(corpus_view *v, const char *text, size_t len)
{
    json_error_t jerr;
    memset(v, 0, sizeof *v);
    v->root = json_loadb(text, len, 0, &jerr);
    cr_assert(v->root, "output is not JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
    cr_assert(json_is_object(v->root), "corpus JSON is not an object");
    v->types_by_id = json_object();
    json_t *types = json_object_get(v->root, "types");
    if (json_is_array(types)) {
        size_t i;
        json_t *t;
        json_array_foreach(types, i, t) {
            const char *id = json_string_value(json_object_get(t, "id"));
            cr_assert(id, "types[%zu] has no id", i);
            cr_assert(!json_object_get(v->types_by_id, id), "type id %s appears twice in types[]", id);
            json_object_set(v->types_by_id, id, t);
        }
    }
}

void corpus_view_free(corpus_view *v)
{
    json_decref(v->types_by_id);
    json_decref(v->root);
    memset(v, 0, sizeof *v);
}

json_t *corpus_field(const corpus_view *v, const char *key)
{
    return json_object_get(v->root, key);
}

json_t *type_by_id(const corpus_view *v, const char *id)
{
    return id ? json_object_get(v->types_by_id, id) : NULL;
}

json_t *type_ref(const corpus_view *v, json_t *obj, const char *key)
{
    return type_by_id(v, json_string_value(json_object_get(obj, key)));
}

const char *type_kind(json_t *type)
{
    const char *k = json_string_value(json_object_get(type, "kind"));
    return k ? k : "(no type)";
}

const char *type_name(json_t *type)
{
    return json_string_value(json_object_get(type, "name"));
}

json_t *find_by_name(const corpus_view *v, const char *array_key, const char *name)
{
    json_t *arr = json_object_get(v->root, array_key);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (n && strcmp(n, name) == 0)
            return e;
    }
    return NULL;
}

size_t count_by_name(const corpus_view *v, const char *array_key, const char *name)
{
    json_t *arr = json_object_get(v->root, array_key);
    size_t i, count = 0;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (n && strcmp(n, name) == 0)
            count++;
    }
    return count;
}

size_t find_named_types(const corpus_view *v, const char *kind, const char *name, json_t **out)
{
    size_t count = 0;
    const char *id;
    json_t *t;
    if (out)
        *out = NULL;
    json_object_foreach(v->types_by_id, id, t) {
        const char *k = type_kind(t), *n = type_name(t);
        if (k && n && strcmp(k, kind) == 0 && strcmp(n, name) == 0) {
            if (out && !*out)
                *out = t;
            count++;
        }
    }
    return count;
}

size_t find_type_spelled(const corpus_view *v, const char *spelled, json_t **out)
{
    static const char *const tagged[] = { "struct", "union", "enum" };
    for (size_t i = 0; i < sizeof tagged / sizeof tagged[0]; i++) {
        size_t n = strlen(tagged[i]);
        if (strncmp(spelled, tagged[i], n) == 0 && spelled[n] == ' ')
            return find_named_types(v, tagged[i], spelled + n + 1, out);
    }
    return find_named_types(v, "typedef", spelled, out);
}

json_t *strip_typedefs_and_qualifiers(const corpus_view *v, json_t *type)
{
    for (int depth = 0; type && depth < 64; depth++) {
        const char *k = type_kind(type);
        if (!(strcmp(k, "typedef") == 0 || strcmp(k, "const") == 0 || strcmp(k, "volatile") == 0 ||
                    strcmp(k, "restrict") == 0 || strcmp(k, "atomic") == 0))
            return type;
        type = type_ref(v, type, "target");
    }
    return type;
}

json_t *find_member_deep(const corpus_view *v, json_t *type, const char *name, uint64_t *bit_offset)
{
    type = strip_typedefs_and_qualifiers(v, type);
    json_t *members = json_object_get(type, "members");
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m) {
        uint64_t off = 0;
        json_u64_field(m, "bit_offset", &off);
        const char *n = json_string_value(json_object_get(m, "name"));
        if (n && strcmp(n, name) == 0) {
            *bit_offset = off;
            return m;
        }
        if (!n) {
            uint64_t inner = 0;
            json_t *found = find_member_deep(v, type_ref(v, m, "type"), name, &inner);
            if (found) {
                *bit_offset = off + inner;
                return found;
            }
        }
    }
    return NULL;
}

bool json_u64_field(json_t *obj, const char *key, uint64_t *out)
{
    json_t *j = json_object_get(obj, key);
    if (json_is_integer(j)) {
        *out = (uint64_t)json_integer_value(j);
        return true;
    }
    if (json_is_string(j)) {
        char *end;
        *out = strtoull(json_string_value(j), &end, 10);
        return *end == '\0';
    }
    return false;
}

bool enumerator_value_text(json_t *enumerator, char *buf, size_t buflen)
{
    json_t *value = json_object_get(enumerator, "value");
    bool is_unsigned = json_is_true(json_object_get(enumerator, "unsigned"));
    if (json_is_string(value)) {
        snprintf(buf, buflen, "%s", json_string_value(value));
        return true;
    }
    if (!json_is_integer(value))
        return false;
    json_int_t n = json_integer_value(value);
    if (is_unsigned)
        snprintf(buf, buflen, "%" PRIu64, (uint64_t)n);
    else
        snprintf(buf, buflen, "%" PRId64, (int64_t)n);
    return true;
}
