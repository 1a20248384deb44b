/*
 * dwarf_imports.h — reads, from a binary's own DWARF, the declarations of
 * the functions and variables it imports (what its compiler saw in the
 * library's headers), with every type they reach. This is how `abiguard
 * check` knows what a binding was built for without being told.
 * Implemented by dwarf_reader.c in its declarations mode, with the same
 * type constructors, so a type read here gets the same id and content hash
 * as the library's own copy and the diff of the two is exact.
 */
#ifndef ABIGUARD_DWARF_IMPORTS_H
#define ABIGUARD_DWARF_IMPORTS_H

#include <stddef.h>

#include "corpus.h"

/* c->exports names the symbols to look for (the caller puts the binding's
   imports there). For each one declared in debug_path's DWARF (a top-level
   DW_TAG_subprogram / DW_TAG_variable with DW_AT_declaration and
   DW_AT_external), adds an ag_function / ag_variable and the types it
   reaches; *n_found (may be NULL) gets how many were found. Symbols without
   a declaration (a function whose address is only taken) are left alone.
   Does not finalize. AG_ERR_NOTFOUND when the file has no DWARF. */
/* A struct or union the binary's own code holds by value: the name of the
   type as the diff names it ("struct geo_shape", or a typedef naming it,
   "geo_shape_t"), and where: NULL for a variable, parameter or local of the
   binary's own functions, else the struct or union ("struct holder",
   "(anonymous)") of which it is a member. */
typedef struct ag_held_type {
    char *name;
    char *container;
} ag_held_type;

typedef struct ag_held_types {
    ag_held_type *v;
    size_t n, cap;
} ag_held_types;

void ag_held_types_free(ag_held_types *h);

/* held (may be NULL) also gets, from the binary's own definitions
   (variables, its functions' parameters and locals, members of the structs
   and unions it defines), every struct or union held by value there:
   through typedefs, qualifiers and arrays, never through a pointer. */
ag_status ag_dwarf_read_imports(ag_corpus *c, const char *debug_path, size_t *n_found,
                                ag_held_types *held, ag_error *err);

#endif
