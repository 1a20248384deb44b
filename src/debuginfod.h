/*
 * debuginfod.h — separate debug files fetched by build-id from debuginfod
 * servers (GET <server>/buildid/<build-id>/debuginfo), kept in a local
 * cache, $XDG_CACHE_HOME/abiguard/debuginfo/<build-id>.debug by default.
 *
 * A download goes to a temporary file next to its final place and is moved
 * there only once it proves to be an ELF file with DWARF whose build-id is
 * the one asked for: a server that answers with another build's file is
 * ignored (with a warning), because debug info from another build describes
 * the wrong ABI without any visible error. A cached file is used without
 * asking any server. Nothing here prints: warnings go to a callback.
 */
#ifndef ABIGUARD_DEBUGINFOD_H
#define ABIGUARD_DEBUGINFOD_H

#include <stddef.h>

#include "error.h"

typedef struct ag_debuginfod_options {
    const char *const *urls;  /* server base URLs, asked in order */
    size_t n_urls;
    const char *cache_dir;    /* holds <build-id>.debug; NULL: the default */
    /* Download progress in bytes (see ag_http_options.progress). */
    void (*progress)(void *ctx, double done, double total);
    void *progress_ctx;
    /* One sentence per server that failed for a reason other than not
       having the file (unreachable, 5xx, wrong build-id, not ELF). */
    void (*warning)(void *ctx, const char *message);
    void *warning_ctx;
} ag_debuginfod_options;

/* $XDG_CACHE_HOME/abiguard/debuginfo, else $HOME/.cache/abiguard/debuginfo
   (malloc'd). AG_ERR_NOTFOUND when neither variable is set. */
ag_status ag_debuginfod_default_cache_dir(char **out, ag_error *err);

/* Splits a $DEBUGINFOD_URLS-style list (URLs separated by blanks) into
   *urls (n entries, each malloc'd, in an array that is malloc'd too).
   Free with ag_debuginfod_urls_free. */
ag_status ag_debuginfod_split_urls(const char *list, char ***urls, size_t *n, ag_error *err);
void ag_debuginfod_urls_free(char **urls, size_t n);

/* The debug file for build_id (lowercase hex) into *out_path (malloc'd):
   from the cache, else from the first server that has a matching one.
   AG_ERR_NOTFOUND when no server has it (or there are no servers);
   AG_ERR_IO when the cache directory cannot be created or written;
   AG_ERR_USAGE for a build-id that is not hex. */
ag_status ag_debuginfod_fetch(const char *build_id, const ag_debuginfod_options *opts,
                              char **out_path, ag_error *err);

#endif
