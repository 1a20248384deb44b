/*
 * elf_file.h — internal: an ELF file opened through libelf with its headers
 * already checked against the file size, shared by elf_reader.c and
 * debug_locate.c. Not part of the public contract.
 *
 * ag_elf_file_open maps the whole file and rejects, with AG_ERR_FORMAT, any
 * file whose ELF header, program header table, section header table or
 * section contents reach past the end of the file, so later code can ask
 * libelf for data without each caller repeating those checks.
 */
#ifndef ABIGUARD_ELF_FILE_H
#define ABIGUARD_ELF_FILE_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct ag_elf_file {
    unsigned char *image; /* the whole file, mapped privately */
    size_t size;
    Elf *elf;
    GElf_Ehdr ehdr;
    size_t n_sections;    /* 0 when the file has no section headers */
    size_t n_segments;
    size_t shstrndx;      /* section name string table, 0 if none */
} ag_elf_file;

/* Opens path read-only if it is a regular file, without ever blocking
   (a FIFO or device named by a debuglink must not hang the reader).
   Returns the descriptor, or -1 with err set (AG_ERR_IO). */
int ag_open_regular_file(const char *path, ag_error *err);

/* Opens and validates path. On failure f is left closed (safe to close). */
ag_status ag_elf_file_open(ag_elf_file *f, const char *path, ag_error *err);
void ag_elf_file_close(ag_elf_file *f);

/* The first section with that name (or type); NULL when there is none. */
Elf_Scn *ag_elf_file_section_named(const ag_elf_file *f, const char *name, GElf_Shdr *shdr);
Elf_Scn *ag_elf_file_section_typed(const ag_elf_file *f, GElf_Word type, GElf_Shdr *shdr);

/* A section that holds bytes in the file (not NOBITS) and is not empty. */
bool ag_elf_file_has_contents(const ag_elf_file *f, const char *section_name);

/* Lowercase hex of the NT_GNU_BUILD_ID note into *out (malloc'd), or NULL
   when the file has none. Looks at SHT_NOTE sections, or at PT_NOTE segments
   when the file has no section headers. */
ag_status ag_elf_file_build_id(const ag_elf_file *f, char **out, ag_error *err);

/* Called for each note; owner is the raw name (owner_len bytes, normally
   NUL included). Return false to stop the walk. Malformed note data ends the
   walk of that section quietly: notes are optional information. */
typedef bool (*ag_note_visitor)(const char *owner, size_t owner_len, GElf_Word type,
                                const unsigned char *desc, size_t descsz, void *ctx);
void ag_elf_file_for_each_note(const ag_elf_file *f, ag_note_visitor visit, void *ctx);
bool ag_note_is_gnu(const char *owner, size_t owner_len);

/* The section's data, or AG_ERR_FORMAT naming the section when libelf
   cannot give it. */
ag_status ag_elf_file_section_data(Elf_Scn *scn, const char *what,
                                   Elf_Data **out, ag_error *err);

#endif
