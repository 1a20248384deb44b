/*
 * diff.h — comparing two corpora: which changes happened, where, how bad,
 * and which exported interfaces they reach.
 *
 * The diff walks from the exported interface (functions and variables) into
 * the types they reach and reports each change once, at the type where it
 * happened, with the list of interfaces it impacts and, for each, the path
 * from the interface to that type:
 *     ctx_init() param 1 -> struct ctx -> member p -> struct point
 * A change only reached through a function-pointer type is marked as being
 * on the upcall surface (callbacks the library calls into binding code).
 */
#ifndef ABIGUARD_DIFF_H
#define ABIGUARD_DIFF_H

#include <stddef.h>

#include "budget.h"
#include "change_kinds.h"
#include "corpus.h"
#include "surface.h"

typedef struct ag_impact {
    char *interface;   /* "ctx_init" (function) or "global_ctx" (variable) */
    char *path;        /* "ctx_init() param 1 -> struct ctx -> member p -> struct point" */
} ag_impact;

typedef struct ag_change {
    ag_change_kind kind;
    ag_verdict verdict;  /* the kind's verdict, refined for this case (e.g. a size change
                            reached only through pointers is risky, by value breaking) */
    char *subject;       /* what changed: "struct ctx", "struct ctx::p", "ctx_init()", "SONAME" */
    char *old_value;     /* spelled old state, or NULL */
    char *new_value;     /* spelled new state, or NULL */
    char *detail;        /* one readable sentence about this case, e.g.
                            "member 'p' moved from offset 8 to 16" */
    char *decl_file;     /* where the (new, else old) declaration is, for SARIF; NULL if unknown */
    uint32_t decl_line;
    bool upcall;         /* reached through a callback (function-pointer) type */
    bool suppressed;     /* matched a suppression rule: counted, not shown by default */
    ag_impact *impacts;
    size_t n_impacts;
} ag_change;

/* A type the public surface leaves out (surface.h), for --show-private. */
typedef struct ag_private_type {
    char *name;          /* spelled: "struct png_struct_def" */
    char *decl_file;     /* where it is defined, or NULL */
    ag_visibility reason;
} ag_private_type;

typedef struct ag_diff {
    ag_change *changes;  /* sorted: most severe verdict first, then the most impacted
                            interfaces first, then subject, then kind id */
    size_t n_changes;
    /* How each side's public surface was decided, and what it left out:
       changes inside private types reached only through pointers (never in
       changes or counts), and the private types of both sides by name. */
    ag_surface_summary surface_old, surface_new;
    size_t n_private_changes;    /* how many changes were left out as private */
    ag_change *private_changes;  /* those changes, sorted like changes (a diff read back
                                    from a report without them lists none) */
    size_t n_private_listed;
    ag_private_type *private_types; /* sorted by name */
    size_t n_private_types;
    size_t counts[AG_VERDICT__COUNT];  /* unsuppressed changes per verdict */
    size_t n_suppressed;
    /* interface counts, for summaries and the timeline */
    size_t functions_removed, functions_added, functions_changed;
    size_t variables_removed, variables_added, variables_changed;
} ag_diff;

/* One suppression rule (see suppress.h for the file format). */
typedef struct ag_suppression {
    char *symbol_glob;   /* fnmatch glob on impacted interface names, or NULL */
    char *type_name;     /* exact spelled type name, e.g. "struct ctx", or NULL */
    char *kind_id;       /* change kind id, or NULL */
    char *source_glob;   /* fnmatch glob on decl_file, or NULL */
    unsigned line;       /* where the rule came from, for messages */
} ag_suppression;

typedef struct ag_diff_options {
    const ag_suppression *suppressions;
    size_t n_suppressions;
    /* `check`: what one binding does decides size changes. A size or
       alignment change (or a member appended) of a type the interfaces
       reach only through pointers is breaking when the binding holds the
       type by value in its own code (its name, spelled as the diff names
       types, is in by_value_types), risky otherwise, public or not. Without
       binding_view such a change is breaking when the type's definition is
       public (any caller may allocate, embed or copy it), risky when not. */
    bool binding_view;
    const char *const *by_value_types;
    size_t n_by_value_types;
    /* Charged as the diff goes (budget.h); when it is spent the diff stops
       with AG_ERR_LIMIT. NULL: unlimited. */
    ag_budget *budget;
} ag_diff_options;

ag_status ag_diff_corpora(const ag_corpus *old_c, const ag_corpus *new_c,
                          const ag_diff_options *opts, ag_diff **out, ag_error *err);
void ag_diff_free(ag_diff *d);

/* Worst verdict among unsuppressed changes, AG_VERDICT_NONE if none. */
ag_verdict ag_diff_overall(const ag_diff *d);

/* Exit status for the CLI, abidiff's bit mask: 0 when no unsuppressed change
   or only harmless ones, 4 when something compatible or worse changed, 12
   (4|8) when some unsuppressed change's verdict is at least fail_on
   (default AG_VERDICT_BREAKING). */
int ag_diff_exit_status(const ag_diff *d, ag_verdict fail_on);

#endif
