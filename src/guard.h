/*
 * guard.h — what a binding built against one release (the baseline) may
 * meet at run time: for the symbols it uses, which stored releases of the
 * library are known compatible and which known incompatible (each with the
 * first breaking change), the symbols and versions it requires, and their
 * fingerprints. `abiguard stub` turns a plan into a load-time check
 * (guard_c.c: C; guard_python.c: Python).
 *
 * A release is compatible with the baseline for a set of used symbols when
 * diff(baseline -> release) has no unsuppressed change of verdict
 * "breaking" that impacts one of them (its impacts name a used interface;
 * an impact-less change counts when its subject names a used symbol, or is
 * not about any symbol at all: SONAME, ...). The baseline is compatible with
 * itself. Releases without a build-id cannot be recognized at run time and
 * are left out.
 */
#ifndef ABIGUARD_GUARD_H
#define ABIGUARD_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "corpus.h"
#include "error.h"
#include "store.h"

typedef struct ag_guard_symbol {
    char *name;
    char *version;        /* required version node, or NULL (plain dlsym) */
    bool is_function;
    uint64_t fingerprint; /* fingerprint.h, in the baseline */
} ag_guard_symbol;

typedef struct ag_guard_release {
    char *version;
    char *build_id;       /* lowercase hex */
    bool compatible;
    char *first_break;    /* incompatible only: "SUBJECT: detail (kind-id; impacts f)" */
} ag_guard_release;

typedef struct ag_guard_plan {
    char *library;        /* store name, "shape" */
    char *baseline;       /* version, "1" */
    char *soname;         /* baseline's SONAME, or NULL */
    char *file_name;      /* baseline's file name */
    ag_corpus *corpus;    /* the baseline (owned) */
    ag_guard_symbol *symbols; size_t n_symbols;    /* sorted by name */
    ag_guard_release *releases; size_t n_releases; /* version order */
} ag_guard_plan;

/* used: the binding's corpus (its imports name the used symbols; those the
   baseline exports are kept), or NULL for every exported function and
   variable of the baseline. Errors: AG_ERR_NOTFOUND (library, release),
   AG_ERR_USAGE (the binding uses nothing of the library). */
ag_status ag_guard_plan_build(ag_store *s, const char *library, const char *version,
                              const ag_corpus *used, const char *used_label,
                              ag_guard_plan **out, ag_error *err);
/* The same without classifying the releases (releases stays empty): the
   symbols and their fingerprints only. */
ag_status ag_guard_plan_symbols(ag_store *s, const char *library, const char *version,
                                const ag_corpus *used, const char *used_label,
                                ag_guard_plan **out, ag_error *err);
void ag_guard_plan_free(ag_guard_plan *p);

/* Fingerprints of the plan's symbols in the list format of
   ag_fingerprint_parse (with a '#' header line). malloc'd. */
char *ag_guard_fingerprint_text(const ag_guard_plan *p);

typedef enum ag_guard_policy {
    AG_POLICY_FAIL = 0,
    AG_POLICY_WARN,
} ag_guard_policy;

typedef struct ag_guard_stub_options {
    const char *ident;        /* C identifier part: abiguard_verify_<ident> */
    ag_guard_policy policy;   /* compiled default */
    const char *header_base;  /* base name of the .h the .c includes ("shape_guard.h") */
} ag_guard_stub_options;

/* A valid C identifier from s ("lib-foo.2" -> "lib_foo_2"), malloc'd. */
char *ag_guard_ident(const char *s);

/* guard_c.c */
ag_status ag_guard_write_c(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *c_file,
                           ag_error *err);
ag_status ag_guard_write_h(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *h_file,
                           ag_error *err);
/* guard_python.c */
ag_status ag_guard_write_python(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                                ag_error *err);

#endif
