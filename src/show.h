/*
 * show.h — human-readable views of a corpus (the `abiguard show` report):
 * a summary, one type's layout as pahole prints it (offsets, sizes, holes,
 * padding), and one function's signature with the layouts of the types it
 * reaches. Writes only to the FILE* it is given; never exits.
 */
#ifndef ABIGUARD_SHOW_H
#define ABIGUARD_SHOW_H

#include <stdio.h>

#include "corpus.h"

/* Identity, symbol counts by type, functions (C-like signatures) and
   variables; "debug info: none (types unknown)" when the corpus has none. */
ag_status ag_show_summary(const ag_corpus *c, FILE *out, ag_error *err);

/* One type by name ("struct foo", "foo_t", "foo"): struct/union layout with
   offsets, sizes, holes and padding; enum values; typedef target (and the
   layout it names); function types. AG_ERR_NOTFOUND "no type named X". */
ag_status ag_show_type(const ag_corpus *c, const char *name, FILE *out, ag_error *err);

/* One function's signature, then the layout of every struct, union and enum
   it reaches through its return type and parameters (through pointers,
   typedefs, qualifiers, arrays, members and callbacks), each once.
   AG_ERR_NOTFOUND when there is no such function. */
ag_status ag_show_function(const ag_corpus *c, const char *name, FILE *out, ag_error *err);

#endif
