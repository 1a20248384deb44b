/*
 * elf_reader.h — the ELF half of extraction (libelf): identity, exported and
 * imported dynamic symbols with their versions, and the hardening properties
 * the diff watches. Knows nothing about DWARF.
 */
#ifndef ABIGUARD_ELF_READER_H
#define ABIGUARD_ELF_READER_H

#include "corpus.h"

/* Fills c->elf, c->exports and c->imports from the ELF file at path.
   Errors: AG_ERR_IO (missing/unreadable), AG_ERR_FORMAT (not ELF, truncated,
   inconsistent sections), AG_ERR_UNSUPPORTED (e.g. a core file). An
   executable or relocatable object is read as far as it makes sense (its
   elf_type says what it is); the caller decides whether to warn. */
ag_status ag_elf_read(const char *path, ag_corpus *c, ag_error *err);

#endif
