/*
 * debug_locate.h — finding the DWARF for a binary: in the file itself,
 * through .gnu_debuglink, under /usr/lib/debug/.build-id/xx/rest.debug, and
 * under any number of extra debug directories. A candidate separate debug
 * file is accepted only if its build-id (or, lacking one, its debuglink CRC)
 * matches the binary.
 */
#ifndef ABIGUARD_DEBUG_LOCATE_H
#define ABIGUARD_DEBUG_LOCATE_H

#include "corpus.h"

typedef struct ag_debug_search {
    const char *const *dirs;  /* extra directories (--debug-dir), searched first */
    size_t n_dirs;
    bool no_system_dirs;      /* do not look under /usr/lib/debug (tests) */
    /* debuginfod servers (debuginfod.h), asked by ag_extract when none of
       the places above has the debug info and the binary has a build-id.
       ag_debug_locate itself never uses the network. */
    const char *const *debuginfod_urls;
    size_t n_debuginfod_urls;
    const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/abiguard/debuginfo */
    void (*progress)(void *ctx, double done, double total); /* download bytes */
    void *progress_ctx;
    void (*warning)(void *ctx, const char *message); /* a server that failed */
    void *warning_ctx;
    /* Not a place to look, but how to read what is found: the library's
       source tree (--source-root, absolute), against which declaration
       files are spelled; NULL: inferred (source_path.h). */
    const char *source_root;
} ag_debug_search;

/* On success stores a malloc'd path in *out_path (equal to path when the
   binary carries its own .debug_info) and a static string naming how it was
   found in *out_source ("embedded", "debuglink", "build-id", "debug-dir").
   Returns AG_ERR_NOTFOUND when no debug info exists: not an error for
   extraction, which then records that types are unknown. */
ag_status ag_debug_locate(const char *path, const ag_elf_info *info,
                          const ag_debug_search *search,
                          char **out_path, const char **out_source,
                          ag_error *err);

#endif
