/*
 * source_path.h — how a corpus spells declaration files: the way a user
 * finds them in the library's source tree, never where it happened to be
 * built.
 *
 * DWARF names a declaration file through the unit's line table: a file
 * name under an include directory, either of them relative to the unit's
 * DW_AT_comp_dir (the directory the compiler ran in) or absolute. An
 * in-tree build (autotools, plain make) runs the compiler inside the source
 * tree with relative names, so stripping comp_dir gave relative paths; an
 * out-of-tree build (CMake, `../configure` given an absolute path) runs it
 * in a separate build directory with absolute source paths, which a corpus
 * then carried (/work/rw/src/libpng/1.6.44/png.h).
 *
 * Here every path is first made whole (joined with comp_dir, then
 * normalised lexically: "//", "./" and "dir/.." folded, symlinks never
 * resolved, so the result depends on the DWARF text alone), then spelled
 * relative to one of two roots inferred from the units:
 *   - the build tree: the directory common to every unit's comp_dir, when
 *     most units' primary sources lie outside it (a separate build tree).
 *     Files under it are generated (config.h, pnglibconf.h) and spelled
 *     relative to it;
 *   - the source tree: the directory common to the units' primary sources
 *     (those outside a separate build tree), widened to hold the headers
 *     that declare the exported functions and variables (c-ares's sources
 *     are in src/lib/, its prototypes in include/). Never widened to "/":
 *     a header sharing nothing but "/" with the sources belongs to
 *     something else. An explicit source root (--source-root) replaces it.
 * A file under both roots is spelled relative to the deeper one (a build
 * directory inside the source tree). Anything else (system headers
 * /usr/include/..., a dependency installed elsewhere) keeps its absolute
 * path: it does not depend on where the library was built, and stays
 * recognisable. Backslashes are ordinary characters (ELF targets only).
 */
#ifndef ABIGUARD_SOURCE_PATH_H
#define ABIGUARD_SOURCE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "corpus.h"
#include "error.h"

/* path with "//", "/./" and "x/.." folded and a trailing '/' dropped, purely
   textually ("/.." stays "/"; a relative path keeps its leading ".."s; an
   empty result is "."). malloc'd, or NULL when out of memory. */
char *ag_path_normalize(const char *path);

/* dir/path normalised; path alone (normalised) when it is absolute or dir
   is NULL or empty. malloc'd, or NULL when out of memory. */
char *ag_path_join(const char *dir, const char *path);

/* The whole path of a line-table file name as libdwarf's dwarf_srcfiles()
   gives it: libdwarf already puts the unit's comp_dir in front of a
   relative name, so it is only normalised (and joined when still relative
   under an absolute comp_dir). With a relative comp_dir (a build mapped
   with -fdebug-prefix-map=...=.) libdwarf also puts it in front of DWARF 5's
   directory 0, which is the comp_dir itself ("./src/./src/lapi.c"): the
   repeated comp_dir is dropped. malloc'd, or NULL when out of memory. */
char *ag_path_of_line_file(const char *comp_dir, const char *name, int dwarf_version);

/* Whether the normalised path lies strictly under the normalised directory
   root ("/" holds every absolute path, "." every relative one that does not
   climb out with ".."); *rest is then the part after it. */
bool ag_path_under(const char *path, const char *root, const char **rest);

/* The compilation units of one debug file: each one's comp_dir and primary
   source (DW_AT_name joined with comp_dir), normalised. */
typedef struct ag_source_units {
    char **comp_dirs;   /* NULL entry: the unit has no DW_AT_comp_dir */
    char **sources;
    size_t n, cap;
} ag_source_units;

/* Records one unit; a unit without a name (or an artificial one, "<...>") is
   skipped. False when out of memory. */
bool ag_source_units_add(ag_source_units *u, const char *comp_dir, const char *name);
void ag_source_units_free(ag_source_units *u);

/* The two roots paths are spelled against (either may be NULL). */
typedef struct ag_source_roots {
    char *source;
    char *build;
} ag_source_roots;

/* Infers the roots from the units and the declaration files of the exports
   (exports[0..n_exports), whole paths; NULLs ignored). With source_root
   given (normalised here), it is the source root. False when out of
   memory. */
bool ag_source_roots_infer(const ag_source_units *u, const char *const *exports, size_t n_exports,
                           const char *source_root, ag_source_roots *out);
void ag_source_roots_free(ag_source_roots *r);

/* How the corpus spells the whole path file: relative to the deeper root
   holding it, else file itself. malloc'd, or NULL when out of memory. */
char *ag_source_path_spell(const ag_source_roots *r, const char *file);

/* Respells every declaration file of c (types, functions, variables), which
   the DWARF reader left whole, against the roots inferred from units (and
   source_root, when given). An explicit source_root under which no unit's
   source and no declaration file lies is an error naming where the sources
   are (a typo would otherwise leave every path absolute). */
ag_status ag_source_paths_respell(ag_corpus *c, const ag_source_units *u, const char *source_root,
                                  ag_error *err);

#endif
