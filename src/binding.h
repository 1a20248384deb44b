/*
 * binding.h — `abiguard check`: does this release of a library still match
 * what a binding (a CPython extension, a JNI library, a program) was built
 * for?
 *
 * What the binding was built for comes from its own artifact: the symbols
 * it imports from the library (with the versions it requires), the DT_NEEDED
 * entry that names the library, and its own DWARF, which holds the
 * library's function declarations and types as the binding's compiler saw
 * them in the library's headers (dwarf_imports.h). When the binding has no
 * DWARF, or some imported function has no declaration in it (its address is
 * only taken), a baseline of the library release it was built against
 * fills in, restricted to the imported symbols. With neither, the check
 * covers symbols and versions only.
 *
 * The result is an ordinary diff (built-for -> library) reduced to what the
 * binding uses: changes reached from imported functions and variables
 * (their signatures and every type they reach, callbacks included), removed
 * or re-versioned imported symbols, a removed version node the binding
 * requires, and a SONAME change when the binding's DT_NEEDED names the old
 * one. Additions, changes to interfaces the binding never imports, and the
 * library's own ELF properties (hardening, DT_NEEDED, RUNPATH) are left
 * out. Nothing here prints.
 */
#ifndef ABIGUARD_BINDING_H
#define ABIGUARD_BINDING_H

#include <stddef.h>

#include "corpus.h"
#include "debug_locate.h"
#include "diff.h"
#include "dwarf_imports.h"

/* Where the binding's view of the library came from. */
typedef enum ag_binding_source {
    AG_BINDING_FROM_DWARF,          /* the binding's own declarations */
    AG_BINDING_FROM_DWARF_BASELINE, /* its declarations, plus the baseline for imports it does not declare */
    AG_BINDING_FROM_BASELINE,       /* no usable DWARF: the --built-against baseline */
    AG_BINDING_FROM_SYMBOLS,        /* neither: imported symbols and versions only */
} ag_binding_source;

/* "dwarf", "dwarf+baseline", "baseline", "symbols". */
const char *ag_binding_source_name(ag_binding_source s);

/* One DT_NEEDED library of the binding, as the loader found it where the
   binding was read: whether it was found and read, and which of the
   binding's unversioned imports it exports (sorted, once each). */
typedef struct ag_binding_dep {
    char *needed;
    bool found;
    char **provides;
    size_t n_provides;
} ag_binding_dep;

/* What the check reads from a binding, independent of the library it is
   checked against (what the service stores for a registered binding, so
   its checks need no file):
   corpus   finalized: its ELF part (identity, DT_NEEDED, its exports, the
            imports with the versions they require) and, when its debug info
            is found, the declarations its DWARF holds of every imported
            symbol, whichever library provides it, with the types they reach
            (has_debug_info then true)
   held     the structs and unions its own code holds by value (dwarf_imports.h)
   deps     its DT_NEEDED libraries as the loader found them (deps_known:
            looked up; false in a view that does not say) */
typedef struct ag_binding_view {
    ag_corpus *corpus;
    ag_held_types held;
    ag_binding_dep *deps;
    size_t n_deps;
    bool deps_known;
} ag_binding_view;

/* Reads the binding at binding_path (its debug info is looked up as
   `extract` does, with search; NULL: the file and the system directories).
   Errors: AG_ERR_IO, AG_ERR_FORMAT, AG_ERR_DWARF, AG_ERR_NOMEM. */
ag_status ag_binding_read(const char *binding_path, const ag_debug_search *search, ag_binding_view **out,
                          ag_error *err);
void ag_binding_view_free(ag_binding_view *v);

/* The view's one serialized form (binding_json.c): {"format":
   "abiguard-binding/1", "corpus": CORPUS, "held": [{"name", "container"}],
   "needed": [{"name", "found", "provides": [SYMBOL]}] | null}. */
char *ag_binding_view_to_json(const ag_binding_view *v, ag_error *err);
/* AG_ERR_FORMAT with what is wrong for anything else. */
ag_status ag_binding_view_from_json(const char *text, size_t len, ag_binding_view **out, ag_error *err);

typedef struct ag_binding_check {
    const ag_corpus *binding; /* the binding's ELF part (identity, imports, DT_NEEDED): view->corpus */
    ag_binding_view *owned_view; /* the view when the check read it (ag_binding_check_run), else NULL */
    ag_corpus *built_for;   /* finalized: the library as the binding was built for it:
                               its imports from the library as exports, their
                               declarations as functions/variables, the types they reach */
    ag_diff *diff;          /* built_for -> library, reduced to what the binding uses */
    ag_binding_source source;
    char *needed;           /* the binding's DT_NEEDED entry for the library, or NULL
                               (loaded with dlopen, or resolved through the host process) */
    size_t n_imports;       /* symbols the binding imports from the library */
    size_t n_declared;      /* of them, described by the binding's DWARF */
    size_t n_from_baseline; /* described by the baseline */
    size_t n_undescribed;   /* functions or variables with no known signature: symbols only */
    size_t n_old_version;   /* bound to a non-default version (.symver) whose signature the
                               library's corpus does not describe (it holds the default's):
                               symbol and version checked, the signature not compared */
} ag_binding_check;

/* Checks view (it must outlive *out) against library (a finalized corpus
   of the release to run with). built_against (may be NULL) is a finalized
   corpus of the release the binding was built against. opts may be NULL.
   Errors: AG_ERR_NOMEM, AG_ERR_FORMAT, AG_ERR_LIMIT (opts' budget). */
ag_status ag_binding_check_view(const ag_binding_view *view, const ag_corpus *library,
                                const ag_corpus *built_against, const ag_diff_options *opts,
                                ag_binding_check **out, ag_error *err);

/* ag_binding_read and ag_binding_check_view in one: checks the binding at
   binding_path against library (a finalized corpus of the release to run with).
   built_against (may be NULL) is a finalized corpus of the release the
   binding was built against. opts may be NULL. Errors: those of reading
   the binding (AG_ERR_IO, AG_ERR_FORMAT, AG_ERR_DWARF), AG_ERR_NOMEM. */
ag_status ag_binding_check_run(const char *binding_path, const ag_debug_search *search,
                               const ag_corpus *library, const ag_corpus *built_against,
                               const ag_diff_options *opts, ag_binding_check **out, ag_error *err);
void ag_binding_check_free(ag_binding_check *r);

/* Reduces d, any diff between two releases of the same library, to what
   the checked binding r uses, by the rule the check follows: changes that
   reach an imported function or variable (their impacts narrowed to
   those), removed or re-versioned imported symbols, a removed version node
   the imports require, a SONAME change; counts are recomputed. */
void ag_binding_narrow(ag_diff *d, const ag_binding_check *r);

/* Of a release's binaries (bins[0..n), in release order), the one a
   binding whose DT_NEEDED is needed[0..n_needed) uses: the first whose
   SONAME it names; the only one when n == 1 (a renamed library is then a
   SONAME change the check reports); -1 when it needs none of several.
   What `check` does with a library of several binaries, and the service
   and `audit` with a stored one. */
long ag_binding_library_binary(const ag_corpus *const *bins, size_t n, char *const *needed, size_t n_needed);
/* The same rule on the binaries' SONAMEs (each may be NULL). */
long ag_binding_library_soname(const char *const *sonames, size_t n, char *const *needed, size_t n_needed);

#endif
