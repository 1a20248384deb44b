/*
 * guard.h — what a binding built against one release (the baseline) may
 * meet at run time: for the symbols it uses, which stored releases of the
 * library are known compatible and which known incompatible (each with the
 * first breaking change), the symbols and versions it requires, and their
 * fingerprints, and the layouts of the public types they reach. `abiguard
 * stub` turns a plan into a load-time check: guard_c.c (C), guard_python.c
 * (ctypes and cffi), guard_java.c (JNA; JNI through the C stub), guard_go.c
 * (cgo), guard_rust.c (bindgen-style -sys crates), guard_js.c (koffi; N-API
 * through the C stub).
 *
 * Every stub gives one of three outcomes for the library it finds loaded:
 *   verified             its build-id is a release known compatible;
 *   accepted-unverified  an unknown build (a distribution's rebuild, say)
 *                        whose SONAME, every required symbol and version,
 *                        and the sizes of the required data objects, read
 *                        from the loaded library's own dynamic symbol table
 *                        in memory, all match the baseline;
 *   refused              a release known incompatible, or an unknown build
 *                        where any of those is missing or different (or the
 *                        binding's own struct declarations do not match the
 *                        baseline's layouts).
 * The policy decides what the binding does with them (ag_guard_policy).
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
    char *version;        /* required version node, or NULL (the default definition) */
    bool is_function;
    bool is_object;       /* a data object: its size is checked at load time */
    uint64_t size;        /* objects: st_size in the baseline */
    uint64_t fingerprint; /* fingerprint.h, in the baseline */
} ag_guard_symbol;

typedef struct ag_guard_release {
    char *version;
    char *build_id;       /* lowercase hex */
    bool compatible;
    /* Incompatible only: the breaking changes that reach a used symbol,
       member-level ones first, at most AG_GUARD_WHY_MAX of them, "; "
       separated: "SUBJECT: detail (kind-id, used by f)[; ...][; and N more]". */
    char *why;
} ag_guard_release;
#define AG_GUARD_WHY_MAX 3

/* One member of a struct or union layout. */
typedef struct ag_guard_field {
    const char *name;     /* borrowed from the plan's corpus; never NULL */
    uint64_t offset;      /* bytes (a bit-field: the byte holding its first bit) */
    uint64_t size;        /* bytes of its type, 0 when unknown */
    uint64_t bit_offset;  /* bits from the start of the type */
    uint32_t bit_size;    /* 0 unless a bit-field */
} ag_guard_field;

/* The baseline's layout of a public type the used symbols reach, as the
   binding's own declaration of it must be. */
typedef struct ag_guard_layout {
    char *name;           /* how C spells it: "struct geo_point", "enum geo_kind", "shape_point" */
    const char *tag;      /* the bare name: "geo_point", "geo_kind", "shape_point" (borrowed) */
    ag_type_kind kind;    /* AG_T_STRUCT, AG_T_UNION, AG_T_ENUM, or AG_T_TYPEDEF (size only) */
    ag_type_ref type;     /* in the plan's corpus */
    uint64_t size;
    uint64_t align;       /* 0 when not derivable (packed) */
    ag_guard_field *fields; size_t n_fields;           /* named members, in order */
    const ag_enumerator *enumerators; size_t n_enumerators; /* enums: borrowed */
    const char *decl_file; /* borrowed */
    uint32_t decl_line;
} ag_guard_layout;

typedef struct ag_guard_plan {
    char *library;        /* store name, "shape" */
    char *baseline;       /* version, "1" */
    char *soname;         /* baseline's SONAME, or NULL */
    char *file_name;      /* baseline's file name */
    ag_corpus *corpus;    /* the baseline (owned) */
    ag_guard_symbol *symbols; size_t n_symbols;    /* sorted by name */
    ag_guard_release *releases; size_t n_releases; /* version order */
    ag_guard_layout *layouts; size_t n_layouts;     /* corpus (type id) order */
    const char **headers; size_t n_headers;         /* base names of the public headers that
                                                       declare the used symbols and types */
} ag_guard_plan;

/* What the binding uses. */
typedef struct ag_guard_used {
    /* A binary's corpus: its imports name the used symbols, at the versions
       they require; those the baseline exports are kept. */
    const ag_corpus *binding;
    /* Or names, "sym" or "sym@VERSION", given by hand (exact: each must be
       one the baseline exports) or read from the binding's source (only
       those the baseline exports are kept). A name without a version
       requires the baseline's default version of it. */
    const char *const *names;
    size_t n_names;
    bool exact;
} ag_guard_used;

/* used NULL (or empty): every exported function and variable of the
   baseline. Errors: AG_ERR_NOTFOUND (library, release), AG_ERR_USAGE (the
   binding uses nothing the baseline exports; an exact name it does not). */
ag_status ag_guard_plan_build(ag_store *s, const char *library, const char *version,
                              const ag_guard_used *used, ag_guard_plan **out, ag_error *err);
/* The same without classifying the releases (releases stays empty): the
   symbols, their fingerprints and the layouts. */
ag_status ag_guard_plan_symbols(ag_store *s, const char *library, const char *version,
                                const ag_guard_used *used, ag_guard_plan **out, ag_error *err);
void ag_guard_plan_free(ag_guard_plan *p);

/* Fingerprints of the plan's symbols in the list format of
   ag_fingerprint_parse (with a '#' header line). malloc'd. */
char *ag_guard_fingerprint_text(const ag_guard_plan *p);

/* What a binding does with each outcome. ABIGUARD_POLICY=default|strict|
   warn|off in the environment overrides the compiled one at run time. */
typedef enum ag_guard_policy {
    AG_POLICY_DEFAULT = 0, /* verified and accepted-unverified load; refused do not */
    AG_POLICY_STRICT,      /* only verified builds load */
    AG_POLICY_WARN,        /* everything loads; refusals become warnings */
    AG_POLICY_OFF,         /* no check (run time only) */
} ag_guard_policy;
/* "default", "strict", "warn", "off"; and back (-1 if none). */
const char *ag_guard_policy_name(ag_guard_policy p);
int ag_guard_policy_from_name(const char *s);

typedef struct ag_guard_stub_options {
    const char *ident;        /* identifier part: abiguard_verify_<ident> */
    ag_guard_policy policy;   /* compiled default */
    const char *header_base;  /* C: base name of the .h the .c includes ("shape_guard.h");
                                 NULL: the header's declarations inline (the Go preamble) */
    const char *package;      /* Java package / Go package name, or NULL */
    const char *class_name;   /* Java: the class (the file's base name); NULL: camel(ident) + "Guard" */
} ag_guard_stub_options;

/* A valid C identifier from s ("lib-foo.2" -> "lib_foo_2"), malloc'd. */
char *ag_guard_ident(const char *s);
/* "geo_guard" -> "GeoGuard" (Java class names), malloc'd. */
char *ag_guard_camel(const char *s);
/* "geo@1", malloc'd; NULL if out of memory. */
char *ag_guard_baseline_ref(const ag_guard_plan *p);

/* guard_c.c */
ag_status ag_guard_write_c(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *c_file,
                           ag_error *err);
ag_status ag_guard_write_h(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *h_file,
                           ag_error *err);
/* guard_python.c */
ag_status ag_guard_write_python(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                                ag_error *err);
/* guard_java.c: one public class, ag_guard_camel(ident) + "Guard". */
ag_status ag_guard_write_java(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                              ag_error *err);
/* guard_go.c: one file of package o->package (default ident), the C stub
   inline in its cgo preamble. */
ag_status ag_guard_write_go(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                            ag_error *err);
/* guard_rust.c: a module for the -sys crate (`use super::*`). */
ag_status ag_guard_write_rust(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                              ag_error *err);
/* guard_js.c: a CommonJS module for koffi bindings. */
ag_status ag_guard_write_js(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                            ag_error *err);

#endif
