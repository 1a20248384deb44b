/*
 * synth_corpus.h — synthetic corpora of any size for the service and store
 * tests: n structs of m int members and n functions taking a pointer to
 * one each, built with the library's own corpus API (so ids and the JSON
 * form are exactly what extract would write). Releases with a different
 * `variant` change every other struct (an int member becomes a long), so a
 * diff between them has work to do; `hub` adds one struct that points to
 * every other and is taken by every function, so each function reaches
 * every change (the worst case for impact attribution).
 */
#ifndef TESTS_SYNTH_CORPUS_H
#define TESTS_SYNTH_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct synth_spec {
    size_t n_structs;     /* also the number of functions (at least 1) */
    size_t n_members;     /* members per struct (at least 1) */
    size_t n_imports;     /* imported symbols "imp%zu" */
    unsigned variant;
    bool hub;
} synth_spec;

/* malloc'd corpus JSON (abiguard-corpus/1); fails the test on error. */
char *synth_corpus_json(const synth_spec *spec, size_t *len);
/* Writes it to dir/name and returns the malloc'd path. */
char *synth_corpus_file(const char *dir, const char *name, const synth_spec *spec);

#endif
