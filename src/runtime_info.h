/*
 * runtime_info.h — the versions of the libraries abiguard runs with (not
 * the headers it was built with: a bug report needs what is loaded), for
 * `abiguard --version`.
 */
#ifndef ABIGUARD_RUNTIME_INFO_H
#define ABIGUARD_RUNTIME_INFO_H

#include <stddef.h>

typedef struct ag_runtime_library {
    const char *name;        /* "libdwarf", "libelf", "SQLite", ... */
    char version[64];        /* "0.188", or "unknown" */
} ag_runtime_library;

enum { AG_RUNTIME_LIBRARIES = 6 };

/* Fills the libraries abiguard links: libdwarf, libelf, SQLite, libcurl,
   libmicrohttpd, jansson. */
void ag_runtime_libraries(ag_runtime_library out[AG_RUNTIME_LIBRARIES]);

#endif
