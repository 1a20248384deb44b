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

/* Where the binding's view of the library came from. */
typedef enum ag_binding_source {
    AG_BINDING_FROM_DWARF,          /* the binding's own declarations */
    AG_BINDING_FROM_DWARF_BASELINE, /* its declarations, plus the baseline for imports it does not declare */
    AG_BINDING_FROM_BASELINE,       /* no usable DWARF: the --built-against baseline */
    AG_BINDING_FROM_SYMBOLS,        /* neither: imported symbols and versions only */
} ag_binding_source;

/* "dwarf", "dwarf+baseline", "baseline", "symbols". */
const char *ag_binding_source_name(ag_binding_source s);

typedef struct ag_binding_check {
    ag_corpus *binding;     /* the binding's ELF part (identity, imports, DT_NEEDED) */
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

/* Checks the binding at binding_path (its debug info is looked up as
   `extract` does, with search; NULL: the file and the system directories)
   against library (a finalized corpus of the release to run with).
   built_against (may be NULL) is a finalized corpus of the release the
   binding was built against. opts may be NULL. Errors: those of reading
   the binding (AG_ERR_IO, AG_ERR_FORMAT, AG_ERR_DWARF), AG_ERR_NOMEM. */
ag_status ag_binding_check_run(const char *binding_path, const ag_debug_search *search,
                               const ag_corpus *library, const ag_corpus *built_against,
                               const ag_diff_options *opts, ag_binding_check **out, ag_error *err);
void ag_binding_check_free(ag_binding_check *r);

#endif
