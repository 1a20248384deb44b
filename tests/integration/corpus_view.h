/*
 * corpus_view.h — reading an "abiguard-corpus/1" JSON document in the
 * integration tests the way a consumer would: parse with jansson, index the
 * types by id, find functions, variables, exports and named types, and walk
 * through typedefs, qualifiers and anonymous members.
 */
#ifndef TESTS_CORPUS_VIEW_H
#define TESTS_CORPUS_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct corpus_view {
    json_t *root;
    json_t *types_by_id; /* object: id -> type object (borrowed from root) */
} corpus_view;

/* Parses text (fails the test with jansson's message when it is not JSON). */
void corpus_view_parse(corpus_view *v, const char *text, size_t len);
void corpus_view_free(corpus_view *v);

/* Fields; NULL when absent. */
json_t *corpus_field(const corpus_view *v, const char *key);
json_t *type_by_id(const corpus_view *v, const char *id);
/* The type an object's reference field ("type", "target", "return") names. */
json_t *type_ref(const corpus_view *v, json_t *obj, const char *key);
const char *type_kind(json_t *type); /* "(no type)" when type is NULL or has no kind */
const char *type_name(json_t *type); /* NULL when anonymous */

/* The element of a top-level array ("functions", "variables", "exports")
   with that name; NULL if none. */
json_t *find_by_name(const corpus_view *v, const char *array_key, const char *name);
/* How many elements of that array have that name. */
size_t count_by_name(const corpus_view *v, const char *array_key, const char *name);

/* Types with this kind and name; returns how many, and the first in *out. */
size_t find_named_types(const corpus_view *v, const char *kind, const char *name, json_t **out);
/* "struct padded", "union value", "enum e", or a bare typedef name. */
size_t find_type_spelled(const corpus_view *v, const char *spelled, json_t **out);

/* Follows typedef, const, volatile, restrict and atomic to the type below. */
json_t *strip_typedefs_and_qualifiers(const corpus_view *v, json_t *type);

/* Finds member `name` of a struct/union, looking inside anonymous members,
   and gives its bit offset from the start of `type`. */
json_t *find_member_deep(const corpus_view *v, json_t *type, const char *name, uint64_t *bit_offset);

/* An integer field as uint64 (JSON integer, or a decimal string for values
   above INT64_MAX); false when missing or not a number. */
bool json_u64_field(json_t *obj, const char *key, uint64_t *out);
/* An enumerator's value as exact decimal text ("-5", "18446744073709551615"). */
bool enumerator_value_text(json_t *enumerator, char *buf, size_t buflen);

#endif
