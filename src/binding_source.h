/*
 * binding_source.h — the library symbols a binding with no native part
 * names in its source, for `abiguard stub --symbols-from`:
 *   - a Python module using ctypes: the attributes read from every name
 *     bound to a loaded library (`lib = ctypes.CDLL(...)`, `cdll.LoadLibrary`,
 *     `ctypes.cdll.NAME`, `ffi.dlopen(...)`; also `self._lib = ...`), as
 *     `lib.geo_distance`, `lib["geo_distance"]`, `getattr(lib, "geo_distance")`;
 *     and every identifier in the string literals given to `ffi.cdef(...)`
 *     (cffi);
 *   - C declarations (a cffi cdef file, a header): every identifier;
 *   - a list (`--symbols NAME,...` or its @FILE): names separated by commas
 *     or white space, '#' to the end of a line a comment, each NAME or
 *     NAME@VERSION.
 * Comments and string literals are read as the languages define them, so a
 * name in a comment or an unrelated string does not count. The result is a
 * superset: the caller keeps the names the baseline exports, which is what
 * makes it reliable (a local variable called `geo_distance` is still
 * `geo_distance`). Nothing here prints.
 */
#ifndef ABIGUARD_BINDING_SOURCE_H
#define ABIGUARD_BINDING_SOURCE_H

#include <stddef.h>

#include "error.h"

typedef enum ag_source_kind {
    AG_SOURCE_PYTHON,
    AG_SOURCE_C,
    AG_SOURCE_LIST,
} ag_source_kind;

/* The distinct names in text (len bytes), in first-seen order: *names is a
   malloc'd array of malloc'd strings (ag_source_names_free). AG_ERR_NOMEM
   only; text that is not valid source gives what could be read. */
ag_status ag_source_names(const char *text, size_t len, ag_source_kind kind, char ***names,
                          size_t *n, ag_error *err);
/* The same for the file at path. AG_ERR_IO when it cannot be read. */
ag_status ag_source_names_read(const char *path, ag_source_kind kind, char ***names, size_t *n,
                               ag_error *err);
void ag_source_names_free(char **names, size_t n);

#endif
