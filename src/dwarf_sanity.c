/*
 * dwarf_sanity.c — see dwarf_sanity.h. Each side table is a sequence of
 * units: unit_length (4 bytes, or 0xffffffff + 8), version (2), then
 * per-table fields. We walk the units and check that lengths stay inside
 * the section, the version is 5, address sizes are 4 or 8 and segment
 * selectors are absent, which is all the header libdwarf relies on.
 */
#include "dwarf_sanity.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

typedef enum table_kind { LISTS, ADDR, STR_OFFSETS } table_kind;

static const struct {
    const char *name;
    table_kind kind;
} side_tables[] = {
    { ".debug_rnglists", LISTS },
    { ".debug_loclists", LISTS },
    { ".debug_addr", ADDR },
    { ".debug_str_offsets", STR_OFFSETS },
};

static uint64_t read_le(const unsigned char *p, size_t n, bool little)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[little ? i : n - 1 - i] << (8 * i);
    return v;
}

static ag_status check_units(const char *section, table_kind kind, const unsigned char *data,
                             size_t size, bool little, ag_error *err)
{
    size_t off = 0;
    while (off < size) {
        if (size - off < 4)
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: truncated unit header at offset %zu", section, off);
        uint64_t length = read_le(data + off, 4, little);
        size_t header = 4;
        if (length == 0xffffffffu) {
            if (size - off < 12)
                return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: truncated unit header at offset %zu", section, off);
            length = read_le(data + off + 4, 8, little);
            header = 12;
        } else if (length >= 0xfffffff0u) {
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: reserved unit length at offset %zu", section, off);
        }
        if (length > size - off - header)
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: unit at offset %zu runs past the section", section, off);
        const unsigned char *u = data + off + header;
        size_t need = kind == LISTS ? 8 : 4;
        if (length < need)
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: unit at offset %zu is too short", section, off);
        unsigned version = (unsigned)read_le(u, 2, little);
        if (version != 5)
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: unit at offset %zu has version %u", section, off, version);
        if (kind != STR_OFFSETS) {
            unsigned addr_size = u[2], seg_size = u[3];
            if ((addr_size != 4 && addr_size != 8) || seg_size != 0)
                return ag_fail(err, AG_ERR_DWARF,
                               "corrupt DWARF: %s: unit at offset %zu has address size %u, segment size %u",
                               section, off, addr_size, seg_size);
        }
        if (kind == LISTS) {
            uint64_t entries = read_le(u + 4, 4, little);
            uint64_t offset_size = header == 12 ? 8 : 4;
            if (entries > (length - 8) / offset_size)
                return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: unit at offset %zu has too many offsets", section, off);
        }
        off += header + (size_t)length;
    }
    return AG_OK;
}

ag_status ag_dwarf_check_side_tables(const char *debug_path, ag_error *err)
{
    int fd = open(debug_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return AG_OK; /* the caller reports open failures */
    elf_version(EV_CURRENT);
    /* ELF_C_READ (not mmap) so that elf_compress() can inflate in memory. */
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    ag_status st = AG_OK;
    size_t shstrndx;
    GElf_Ehdr eh;
    if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0 || !gelf_getehdr(elf, &eh))
        goto out;
    bool little = eh.e_ident[EI_DATA] == ELFDATA2LSB;
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn && st == AG_OK; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
            continue;
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        for (size_t i = 0; name && i < sizeof side_tables / sizeof side_tables[0]; i++) {
            if (strcmp(name, side_tables[i].name) != 0)
                continue;
            if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) {
                st = ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: cannot decompress: %s", name, elf_errmsg(-1));
                break;
            }
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf && d->d_size)
                st = check_units(name, side_tables[i].kind, d->d_buf, d->d_size, little, err);
            break;
        }
    }
out:
    if (elf)
        elf_end(elf);
    close(fd);
    return st;
}
