/*
 * extract.h — one call from a file on disk to a finished corpus: ELF part,
 * debug-info lookup, DWARF part, finalize.
 */
#ifndef ABIGUARD_EXTRACT_H
#define ABIGUARD_EXTRACT_H

#include "corpus.h"
#include "debug_locate.h"
#include "surface.h"

ag_status ag_extract(const char *path, const ag_debug_search *search,
                     ag_corpus **out, ag_error *err);

/* The same, recording headers as the public surface (surface.h): the types
   those headers declare are kept even when no signature reaches them. NULL
   headers is ag_extract. Fails (AG_ERR_USAGE) when the library declares
   nothing in them. */
ag_status ag_extract_with_headers(const char *path, const ag_debug_search *search,
                                  const ag_header_set *headers, ag_corpus **out, ag_error *err);

#endif
