/*
 * dwarf_sanity.h — checks a debug file's DWARF sections before libdwarf
 * reads them. libdwarf 20210528 trusts fields that a corrupt or hostile
 * file controls, so these are refused here with a clear error:
 *
 *  - compressed sections (SHF_COMPRESSED and GNU .zdebug_*) whose declared
 *    size is out of proportion to their compressed size or absurd in itself,
 *    alone or all together (libdwarf allocates whatever the header says).
 *    libdwarf never inflates a section itself: it refuses real ones that
 *    inflate more than 16 times. A file with compressed sections is handed
 *    to it as an in-memory copy with those sections inflated here;
 *  - unit headers of the DWARF 5 side tables (.debug_rnglists,
 *    .debug_loclists, .debug_addr, .debug_str_offsets): an address size of
 *    0x86 in a .debug_rnglists header makes libdwarf free memory twice;
 *  - line table headers (.debug_line): dwarf_srcfiles() reads past its own
 *    directory array when a DWARF 5 file entry names directory N of N, and
 *    allocates whatever directory count a header claims.
 *
 * The offsets of the line tables that passed are returned, so that the
 * reader asks libdwarf for file names only at those offsets.
 */
#ifndef ABIGUARD_DWARF_SANITY_H
#define ABIGUARD_DWARF_SANITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Decompressed sections may be at most this many times their compressed
   size, plus AG_DECOMPRESS_SLACK (small sections compress better), and
   never more than AG_DECOMPRESS_MAX bytes. Real debug files stay below
   100 times (the worst of Debian's -dbg packages: .debug_abbrev, 83). */
#define AG_DECOMPRESS_RATIO 256u
#define AG_DECOMPRESS_SLACK (1u << 20)
#define AG_DECOMPRESS_MAX ((uint64_t)4 << 30)

/* Start offsets of the line tables in .debug_line, ascending. */
typedef struct ag_line_tables {
    uint64_t *offsets;
    size_t n, cap;
} ag_line_tables;

/* AG_OK, or AG_ERR_DWARF with the section and what is wrong in it (a file
   that cannot be opened as ELF: AG_ERR_FORMAT). On AG_OK, *lines holds the
   checked line tables (free with ag_line_tables_free; may be NULL when the
   caller does not need them), and *dwarf_fd is what to give dwarf_init_b:
   -1 for the file itself, or a descriptor of the in-memory copy whose
   compressed sections are inflated (the caller closes it). */
ag_status ag_dwarf_check_sections(const char *debug_path, ag_line_tables *lines, int *dwarf_fd,
                                  ag_error *err);

bool ag_line_tables_has(const ag_line_tables *lines, uint64_t offset);
void ag_line_tables_free(ag_line_tables *lines);

/* The decompression limit for a section of `compressed` bytes. */
uint64_t ag_decompress_limit(uint64_t compressed);

#endif
