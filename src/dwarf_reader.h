/*
 * dwarf_reader.h — the DWARF half of extraction (libdwarf). Given a corpus
 * whose ELF part is filled (the exported symbols say which functions and
 * variables matter), reads the debug file and adds the functions, variables
 * and every type reachable from them. Reads only what it needs: top-level
 * DIEs of each compilation unit, and the type DIEs those reference.
 * Declaration files are spelled relative to the library's source tree
 * (source_path.h): source_root when given, else the root inferred from the
 * units.
 */
#ifndef ABIGUARD_DWARF_READER_H
#define ABIGUARD_DWARF_READER_H

#include "corpus.h"

ag_status ag_dwarf_read(ag_corpus *c, const char *debug_path, const char *source_root, ag_error *err);

#endif
