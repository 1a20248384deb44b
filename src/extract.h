/*
 * extract.h — one call from a file on disk to a finished corpus: ELF part,
 * debug-info lookup, DWARF part, finalize.
 */
#ifndef ABIGUARD_EXTRACT_H
#define ABIGUARD_EXTRACT_H

#include "corpus.h"
#include "debug_locate.h"

ag_status ag_extract(const char *path, const ag_debug_search *search,
                     ag_corpus **out, ag_error *err);

#endif
