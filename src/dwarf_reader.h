/*
 * dwarf_reader.h — the DWARF half of extraction (libdwarf). Given a corpus
 * whose ELF part is filled (the exported symbols say which functions and
 * variables matter), reads the debug file and adds the functions, variables
 * and every type reachable from them. Reads only what it needs: top-level
 * DIEs of each compilation unit, and the type DIEs those reference.
 */
#ifndef ABIGUARD_DWARF_READER_H
#define ABIGUARD_DWARF_READER_H

#include "corpus.h"

ag_status ag_dwarf_read(ag_corpus *c, const char *debug_path, ag_error *err);

#endif
