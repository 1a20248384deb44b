/*
 * surface.h — the public surface of a library: which of a corpus's types a
 * caller can see. A type is public when its definition is declared in one
 * of the library's installed headers; everything else (a struct defined in
 * a .c file or in a header the library does not install) is private, and a
 * private type reached only through pointers is opaque to callers: nothing
 * inside it is ABI (diff.c applies that).
 *
 * Two ways to decide it:
 *   - headers: the installed headers are given (--headers-dir PREFIX/include,
 *     --public-headers FILE). DWARF declaration files come from the build
 *     tree (absolute, or relative to the unit's build directory) while the
 *     headers are the installed copies, so a declaration file matches a
 *     header by relative name: the longest common path suffix
 *     ("libpng16/png.h", then "png.h"). Of several build files with the
 *     header's base name, only those sharing the longest suffix with it
 *     are its copies. The result is recorded in the corpus (ag_surface,
 *     ag_type.is_public), so every later use sees the same surface and the
 *     build tree need not exist then.
 *   - inferred, when no headers are known (an older corpus, or none given):
 *     from the declaration files alone. Private: definitions in .c files;
 *     headers whose name or directory says so (*_private.h, *_internal.h,
 *     *-int.h, *priv*.h, x_impl.h, private/, internal/); headers outside
 *     every directory that holds an exported signature's types (the
 *     prototypes' headers: a typedef named in a prototype, a type passed by
 *     value); and, in a directory that also holds the library's sources,
 *     headers no exported signature draws a type from. Files holding a
 *     signature's types are public even when they are .c files (an
 *     amalgamation such as sqlite3.c). With no such evidence at all, every
 *     header counts as public: unknown is never made private.
 */
#ifndef ABIGUARD_SURFACE_H
#define ABIGUARD_SURFACE_H

#include <stdbool.h>
#include <stddef.h>

#include "corpus.h"

/* Why a type is private (or that it is not). */
typedef enum ag_visibility {
    AG_VIS_PUBLIC = 0,
    AG_VIS_NOT_IN_HEADERS,    /* headers known: declared in none of them */
    AG_VIS_SOURCE_FILE,       /* inferred: defined in a .c file */
    AG_VIS_PRIVATE_NAME,      /* inferred: a header whose name or directory says private */
    AG_VIS_OUTSIDE_PROTOTYPES,/* inferred: outside the directories of the prototypes' headers */
    AG_VIS_BESIDE_SOURCES,    /* inferred: a header next to the sources that no signature uses */
    AG_VIS__COUNT
} ag_visibility;

/* "not in the public headers", "in .c files", ... (for "N types private: ..."). */
const char *ag_visibility_reason(ag_visibility v);
/* Stable ids for the JSON report: "public", "not-in-headers", "source-file",
   "private-name", "outside-prototypes", "beside-sources"; and back (-1). */
const char *ag_visibility_id(ag_visibility v);
int ag_visibility_from_id(const char *id);

typedef enum ag_surface_method {
    AG_SURFACE_INFERRED = 0,
    AG_SURFACE_HEADERS,
} ag_surface_method;

typedef struct ag_surface_summary {
    bool types_known;                 /* the corpus has debug info: its types were classified */
    ag_surface_method method;
    size_t n_public_headers;          /* headers: how many */
    size_t n_types;                   /* struct, union, enum and typedef types classified */
    size_t n_private;                 /* of those, private */
    size_t by_reason[AG_VIS__COUNT];  /* private ones by reason */
    size_t n_internal_exports;        /* headers: exported functions and variables no header declares */
} ag_surface_summary;

/* Whether a kind of type has a definition of its own that can be private
   (struct, union, enum, typedef). */
bool ag_surface_kind_has_definition(ag_type_kind k);

/* vis[i] for every type i of a finalized corpus: its recorded surface, or
   the inferred one. sum may be NULL. AG_ERR_NOMEM only. */
ag_status ag_surface_classify(const ag_corpus *c, ag_visibility *vis, ag_surface_summary *sum,
                              ag_error *err);

/* The installed public headers, by relative name. */
typedef struct ag_header_set {
    char **names;   /* sorted, unique */
    size_t n;
    char **dirs;    /* the directories given, for messages */
    size_t n_dirs;
    char **paths;   /* the files themselves, to read */
    size_t n_paths;
} ag_header_set;

/* Every file under each dir (recursively, following symlinks), named
   relative to its dir; with files given, only those files (named relative
   to the dir they lie under, else by their path as given, without a
   leading "./", or by base name when absolute). AG_ERR_IO for a directory
   that does not exist or a file that is missing; AG_ERR_USAGE when no
   header is found. */
ag_status ag_header_set_collect(const char *const *dirs, size_t n_dirs, const char *const *files,
                                size_t n_files, ag_header_set **out, ag_error *err);
void ag_header_set_free(ag_header_set *h);

/* Records h as c's public headers (replacing any recorded surface). The
   DWARF reader then also keeps the types those headers declare that no
   signature reaches (ag_surface_may_declare); ag_surface_mark decides. */
ag_status ag_surface_set(ag_corpus *c, const ag_header_set *h, ag_error *err);

/* Whether decl_file has the base name of one of c's recorded public
   headers (so it may be one of them; ag_surface_mark decides). */
bool ag_surface_may_declare(const ag_corpus *c, const char *decl_file);

/* Sets each struct, union, enum and typedef's is_public from c's recorded
   headers. When the corpus has debug info but none of its types is declared
   in those headers and no header names one of its exported symbols, fails
   with AG_ERR_USAGE naming h's directories and the directories the
   declarations do come from. */
ag_status ag_surface_mark(ag_corpus *c, const ag_header_set *h, ag_error *err);

/* ag_surface_set + ag_surface_mark + ag_corpus_finalize, for a corpus
   already built (read from JSON or the store). */
ag_status ag_surface_apply(ag_corpus *c, const ag_header_set *h, ag_error *err);

/* Exposed for unit tests: the number of trailing path components two
   paths share ("a/b/png.h" and "libpng16/png.h": 1). */
size_t ag_surface_common_suffix(const char *a, const char *b);
/* Exposed for unit tests: the inference's file tests. */
bool ag_surface_is_source_file(const char *path);
bool ag_surface_has_private_name(const char *path);

#endif
