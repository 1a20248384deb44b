/*
 * dwarf_sanity.h — checks the unit headers of DWARF 5 side tables
 * (.debug_rnglists, .debug_loclists, .debug_addr, .debug_str_offsets) before
 * libdwarf reads them. libdwarf 20210528 trusts some of these fields (an
 * address size of 0x86 in a .debug_rnglists header makes it free memory
 * twice), so a corrupt file must be refused here with a clear error.
 */
#ifndef ABIGUARD_DWARF_SANITY_H
#define ABIGUARD_DWARF_SANITY_H

#include "error.h"

ag_status ag_dwarf_check_side_tables(const char *debug_path, ag_error *err);

#endif
