/*
 * dwarf_sanity.c — see dwarf_sanity.h.
 *
 * The file is opened with ag_elf_file_open (so every section lies inside
 * it), compressed sections are inflated here with zlib, within the caps,
 * into the in-memory copy libdwarf then reads (see "The copy libdwarf
 * reads"), and the tables libdwarf trusts are walked unit by unit with
 * every read checked against the unit's end:
 *
 *  - side tables: unit_length (4 bytes, or 0xffffffff + 8), version 5,
 *    address size 4 or 8, no segment selectors, offset counts that fit;
 *  - line tables: the header of every unit in .debug_line (versions 2 to
 *    5), its directory and file entries decoded with the forms libdwarf
 *    itself supports, each file's directory index inside the directory
 *    list, and counts no larger than the bytes that could hold them.
 */
#include "dwarf_sanity.h"

#include <dwarf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "elf_file.h"

typedef enum table_kind { LISTS, ADDR, STR_OFFSETS } table_kind;

static const struct {
    const char *name;
    table_kind kind;
} side_tables[] = {
    { "rnglists", LISTS },
    { "loclists", LISTS },
    { "addr", ADDR },
    { "str_offsets", STR_OFFSETS },
};

/* A section's bytes, inflated when it was compressed. */
typedef struct section_bytes {
    const unsigned char *data;
    size_t size;
    bool present;
} section_bytes;

static uint64_t read_le(const unsigned char *p, size_t n, bool little)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[little ? i : n - 1 - i] << (8 * i);
    return v;
}

uint64_t ag_decompress_limit(uint64_t compressed)
{
    uint64_t limit = compressed > (AG_DECOMPRESS_MAX - AG_DECOMPRESS_SLACK) / AG_DECOMPRESS_RATIO
                         ? AG_DECOMPRESS_MAX
                         : compressed * AG_DECOMPRESS_RATIO + AG_DECOMPRESS_SLACK;
    return limit > AG_DECOMPRESS_MAX ? AG_DECOMPRESS_MAX : limit;
}

/* ------------------------------------------------------------------ */
/* Compressed sections                                                 */

/* The declared size and the zlib stream of a compressed section. */
static ag_status compressed_header(const ag_elf_file *f, const char *name, const GElf_Shdr *sh,
                                   bool gnu, uint64_t *size, const unsigned char **stream,
                                   size_t *stream_len, ag_error *err)
{
    const unsigned char *p = f->image + sh->sh_offset;
    size_t n = (size_t)sh->sh_size;
    bool little = f->ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
    size_t header;
    if (gnu) {
        /* .zdebug_*: "ZLIB", then the size as 8 big-endian bytes. */
        header = 12;
        if (n < header || memcmp(p, "ZLIB", 4) != 0)
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: not a ZLIB-compressed section", name);
        *size = read_le(p + 4, 8, false);
    } else {
        bool is64 = f->ehdr.e_ident[EI_CLASS] == ELFCLASS64;
        header = is64 ? 24 : 12;
        if (n < header)
            return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: truncated compression header", name);
        uint32_t type = (uint32_t)read_le(p, 4, little);
        if (type != ELFCOMPRESS_ZLIB)
            return ag_fail(err, AG_ERR_UNSUPPORTED, "%s: unsupported compression type %u", name, type);
        *size = is64 ? read_le(p + 8, 8, little) : read_le(p + 4, 4, little);
    }
    uint64_t limit = ag_decompress_limit(n);
    if (*size > limit)
        return ag_fail(err, AG_ERR_DWARF,
                       "corrupt DWARF: %s: %zu compressed bytes claim to inflate to %ju bytes "
                       "(the limit is %ju): refusing what looks like a decompression bomb",
                       name, n, (uintmax_t)*size, (uintmax_t)limit);
    *stream = p + header;
    *stream_len = n - header;
    return AG_OK;
}

static ag_status inflate_exactly(const char *name, const unsigned char *in, size_t in_len,
                                 unsigned char *out, size_t out_len, ag_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    int rc = Z_OK;
    size_t in_done = 0, out_done = 0;
    /* zlib counts in uInt: feed and drain in chunks that fit. */
    while (rc == Z_OK) {
        size_t in_chunk = in_len - in_done, out_chunk = out_len - out_done;
        zs.next_in = (Bytef *)(in + in_done);
        zs.avail_in = in_chunk > UINT32_MAX ? UINT32_MAX : (uInt)in_chunk;
        zs.next_out = out + out_done;
        zs.avail_out = out_chunk > UINT32_MAX ? UINT32_MAX : (uInt)out_chunk;
        uInt in_before = zs.avail_in, out_before = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_done += in_before - zs.avail_in;
        out_done += out_before - zs.avail_out;
        if (rc == Z_OK && in_before == zs.avail_in && out_before == zs.avail_out)
            rc = Z_BUF_ERROR; /* no progress: the input ended or the output is full */
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || out_done != out_len)
        return ag_fail(err, AG_ERR_DWARF, "corrupt DWARF: %s: cannot decompress: %s", name,
                       rc == Z_STREAM_END ? "shorter than its declared size"
                       : rc == Z_BUF_ERROR ? "longer than its declared size, or truncated"
                       : "invalid zlib data");
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* The copy libdwarf reads                                             */

/* libdwarf 20210528 refuses a compressed section that inflates more than 16
   times its size (ALLOWED_ZLIB_INFLATION: "DW_DLE_ZLIB_UNCOMPRESS_ERROR
   Surely an invalid uncompress length"), and real ones do: Debian 12's
   libmvec.so.1 debug file has a .debug_abbrev that inflates 84 times and a
   .debug_info 34 times (assembly sources, the same few abbreviations in
   every unit). So libdwarf is never given a compressed section: when the
   file has one, it reads an in-memory copy (a memfd) that holds the file's
   bytes, then every compressed section inflated here (within the limits
   above), then a section name table in which .zdebug_<x> is .debug_<x>
   (libdwarf inflates a section by that name whatever its bytes), then a
   section header table pointing at those, with SHF_COMPRESSED cleared.
   The checks below read the inflated sections from the same copy. */
typedef struct inflated_copy {
    int fd;                  /* -1: no section is compressed */
    unsigned char *map;      /* the copy, mapped shared */
    size_t size;
    uint64_t *offset;        /* per section index: its inflated bytes in the copy */
    uint64_t *inflated_size; /* and their size; offset 0 = not compressed */
} inflated_copy;

static void put_le(unsigned char *p, uint64_t v, size_t n, bool little)
{
    for (size_t i = 0; i < n; i++)
        p[little ? i : n - 1 - i] = (unsigned char)(v >> (8 * i));
}

static uint64_t align16(uint64_t v)
{
    return (v + 15) & ~(uint64_t)15;
}

static const char *section_name(const ag_elf_file *f, const GElf_Shdr *sh)
{
    return f->shstrndx ? elf_strptr(f->elf, f->shstrndx, sh->sh_name) : NULL;
}

static bool is_gnu_compressed(const char *name)
{
    return name && strncmp(name, ".zdebug", 7) == 0;
}

static bool is_compressed(const ag_elf_file *f, size_t index, const GElf_Shdr *sh)
{
    return index != f->shstrndx && sh->sh_type != SHT_NOBITS &&
           ((sh->sh_flags & SHF_COMPRESSED) || is_gnu_compressed(section_name(f, sh)));
}

static void copy_close(inflated_copy *copy)
{
    if (copy->map)
        munmap(copy->map, copy->size);
    if (copy->fd >= 0)
        close(copy->fd);
    free(copy->offset);
    free(copy->inflated_size);
    memset(copy, 0, sizeof *copy);
    copy->fd = -1;
}

/* Section header fields, by offset in a 64-bit or a 32-bit entry. */
static void patch_shdr(unsigned char *e, bool is64, bool little, uint64_t name, uint64_t flags,
                       uint64_t offset, uint64_t size)
{
    put_le(e + 0, name, 4, little);
    put_le(e + 8, flags, is64 ? 8 : 4, little);
    put_le(e + (is64 ? 24 : 16), offset, is64 ? 8 : 4, little);
    put_le(e + (is64 ? 32 : 20), size, is64 ? 8 : 4, little);
}

/* Checks the declared size of every compressed section, whatever its name
   (libdwarf inflates any section it is asked for), and of all of them
   together; then, if there is one, builds the copy. */
static ag_status copy_open(const ag_elf_file *f, inflated_copy *copy, ag_error *err)
{
    memset(copy, 0, sizeof *copy);
    copy->fd = -1;
    bool is64 = f->ehdr.e_ident[EI_CLASS] == ELFCLASS64;
    bool little = f->ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
    size_t n = f->n_sections, renamed_bytes = 0, n_compressed = 0;
    uint64_t total = 0;
    for (size_t i = 1; i < n; i++) {
        GElf_Shdr sh;
        Elf_Scn *scn = elf_getscn(f->elf, i);
        if (!scn || !gelf_getshdr(scn, &sh) || !is_compressed(f, i, &sh))
            continue;
        const char *name = section_name(f, &sh);
        uint64_t size;
        const unsigned char *stream;
        size_t stream_len;
        ag_status st = compressed_header(f, name ? name : "a section", &sh, is_gnu_compressed(name), &size,
                                         &stream, &stream_len, err);
        if (st != AG_OK)
            return st;
        total += size; /* each below AG_DECOMPRESS_MAX: no overflow */
        if (total > ag_decompress_limit(f->size))
            return ag_fail(err, AG_ERR_DWARF,
                           "corrupt DWARF: the compressed sections claim to inflate to more than %ju bytes in "
                           "all (the limit for a %zu-byte file): refusing what looks like a decompression bomb",
                           (uintmax_t)ag_decompress_limit(f->size), f->size);
        if (is_gnu_compressed(name))
            renamed_bytes += strlen(name); /* ".zdebug_x" -> ".debug_x" and its NUL */
        n_compressed++;
    }
    if (n_compressed == 0)
        return AG_OK;

    /* The layout: the file, the inflated sections, the name table, the
       section header table, each 16-byte aligned. */
    GElf_Shdr strtab;
    bool rename = renamed_bytes > 0 && f->shstrndx && gelf_getshdr(elf_getscn(f->elf, f->shstrndx), &strtab) &&
                  strtab.sh_type != SHT_NOBITS;
    uint64_t at = align16(f->size), strtab_at = 0, shdrs_at;
    if (!(copy->offset = calloc(n, sizeof *copy->offset)) ||
        !(copy->inflated_size = calloc(n, sizeof *copy->inflated_size))) {
        copy_close(copy);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 1; i < n; i++) {
        GElf_Shdr sh;
        Elf_Scn *scn = elf_getscn(f->elf, i);
        if (!scn || !gelf_getshdr(scn, &sh) || !is_compressed(f, i, &sh))
            continue;
        const char *name = section_name(f, &sh);
        const unsigned char *stream;
        size_t stream_len;
        compressed_header(f, "", &sh, is_gnu_compressed(name), &copy->inflated_size[i], &stream, &stream_len,
                          NULL);
        copy->offset[i] = at;
        at = align16(at + copy->inflated_size[i]);
    }
    if (rename) {
        strtab_at = at;
        at = align16(at + strtab.sh_size + renamed_bytes);
    }
    shdrs_at = at;
    at += (uint64_t)n * f->ehdr.e_shentsize;
    if (at > SIZE_MAX || (!is64 && at > UINT32_MAX)) {
        copy_close(copy);
        return ag_fail(err, AG_ERR_UNSUPPORTED, "its debug sections are too large once inflated (%ju bytes)",
                       (uintmax_t)at);
    }
    copy->size = (size_t)at;
    copy->fd = memfd_create("abiguard-inflated-debug", MFD_CLOEXEC);
    if (copy->fd < 0 || ftruncate(copy->fd, (off_t)copy->size) != 0) {
        int saved = errno;
        copy_close(copy);
        return ag_fail(err, AG_ERR_IO, "cannot make an in-memory copy with its debug sections inflated: %s",
                       strerror(saved));
    }
    void *map = mmap(NULL, copy->size, PROT_READ | PROT_WRITE, MAP_SHARED, copy->fd, 0);
    if (map == MAP_FAILED) {
        int saved = errno;
        copy_close(copy);
        return ag_fail(err, AG_ERR_NOMEM, "cannot map an in-memory copy of %zu bytes: %s", copy->size,
                       strerror(saved));
    }
    copy->map = map;
    memcpy(copy->map, f->image, f->size);
    unsigned char *shdrs = copy->map + shdrs_at;
    memcpy(shdrs, f->image + f->ehdr.e_shoff, (size_t)n * f->ehdr.e_shentsize);
    size_t strtab_used = rename ? (size_t)strtab.sh_size : 0;
    if (rename)
        memcpy(copy->map + strtab_at, f->image + strtab.sh_offset, strtab_used);
    for (size_t i = 1; i < n; i++) {
        if (!copy->offset[i])
            continue;
        GElf_Shdr sh;
        gelf_getshdr(elf_getscn(f->elf, i), &sh);
        const char *name = section_name(f, &sh);
        bool gnu = is_gnu_compressed(name);
        uint64_t size;
        const unsigned char *stream;
        size_t stream_len;
        compressed_header(f, "", &sh, gnu, &size, &stream, &stream_len, NULL);
        ag_status st = size ? inflate_exactly(name ? name : "a section", stream, stream_len,
                                              copy->map + copy->offset[i], (size_t)size, err)
                            : AG_OK;
        if (st != AG_OK) {
            copy_close(copy);
            return st;
        }
        uint64_t name_at = sh.sh_name;
        if (gnu && rename) {
            name_at = strtab_used;
            copy->map[strtab_at + strtab_used] = '.';
            memcpy(copy->map + strtab_at + strtab_used + 1, name + 2, strlen(name + 2) + 1);
            strtab_used += strlen(name);
        }
        patch_shdr(shdrs + i * f->ehdr.e_shentsize, is64, little, name_at, sh.sh_flags & ~(uint64_t)SHF_COMPRESSED,
                   copy->offset[i], size);
    }
    if (rename)
        patch_shdr(shdrs + f->shstrndx * f->ehdr.e_shentsize, is64, little, strtab.sh_name, strtab.sh_flags,
                   strtab_at, strtab_used);
    put_le(copy->map + (is64 ? 0x28 : 0x20), shdrs_at, is64 ? 8 : 4, little); /* e_shoff */
    return AG_OK;
}

/* .debug_<what> or .zdebug_<what>, inflated if it was compressed. */
static ag_status load_section(const ag_elf_file *f, const inflated_copy *copy, const char *what,
                              section_bytes *out)
{
    memset(out, 0, sizeof *out);
    char name[64], gnu_name[64];
    snprintf(name, sizeof name, ".debug_%s", what);
    snprintf(gnu_name, sizeof gnu_name, ".zdebug_%s", what);
    GElf_Shdr sh;
    Elf_Scn *scn = ag_elf_file_section_named(f, name, &sh);
    if (!scn)
        scn = ag_elf_file_section_named(f, gnu_name, &sh);
    if (!scn || sh.sh_type == SHT_NOBITS || sh.sh_size == 0)
        return AG_OK;
    out->present = true;
    size_t index = elf_ndxscn(scn);
    if (copy->offset && copy->offset[index]) {
        out->data = copy->map + copy->offset[index];
        out->size = (size_t)copy->inflated_size[index];
    } else {
        out->data = f->image + sh.sh_offset;
        out->size = (size_t)sh.sh_size;
    }
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* A bounded reader over one unit                                      */

typedef struct cursor {
    const unsigned char *p, *end;
    bool little;
    bool bad; /* a read went past the end */
} cursor;

static uint64_t take(cursor *c, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = true;
        return 0;
    }
    uint64_t v = read_le(c->p, n, c->little);
    c->p += n;
    return v;
}

static void skip(cursor *c, uint64_t n)
{
    if (c->bad || (uint64_t)(c->end - c->p) < n) {
        c->bad = true;
        return;
    }
    c->p += n;
}

static uint64_t take_uleb(cursor *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; !c->bad; shift += 7) {
        if (c->p >= c->end || shift > 63) {
            c->bad = true;
            return 0;
        }
        unsigned char b = *c->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

/* A NUL-terminated string inside the cursor; false if unterminated. */
static bool skip_string(cursor *c)
{
    if (c->bad)
        return false;
    const unsigned char *nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
    if (!nul) {
        c->bad = true;
        return false;
    }
    c->p = nul + 1;
    return true;
}

/* ------------------------------------------------------------------ */
/* Side tables                                                         */

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

/* ------------------------------------------------------------------ */
/* Line tables                                                         */

typedef struct line_check {
    const char *section;
    size_t unit_off;
    const section_bytes *line_str;
    unsigned offset_size;
    ag_error *err;
} line_check;

static ag_status line_fail(const line_check *lc, const char *what)
{
    return ag_fail(lc->err, AG_ERR_DWARF, "corrupt DWARF: %s: line table at offset %zu: %s",
                   lc->section, lc->unit_off, what);
}

/* One value of a DWARF 5 directory or file entry, in the (content type,
   form) pairs libdwarf 20210528 decodes; *value gets integer values. */
static ag_status line_value(const line_check *lc, cursor *c, uint64_t type, uint64_t form, uint64_t *value)
{
    bool is_string = type == DW_LNCT_path || type == DW_LNCT_GNU_subprogram_name ||
                     type == DW_LNCT_LLVM_source;
    *value = 0;
    if (is_string && form == DW_FORM_string) {
        if (!skip_string(c))
            return line_fail(lc, "unterminated file or directory name");
        return AG_OK;
    }
    if (is_string && form == DW_FORM_line_strp) {
        uint64_t off = take(c, lc->offset_size);
        if (c->bad)
            return line_fail(lc, "truncated entry");
        if (!lc->line_str->present || off >= lc->line_str->size ||
            !memchr(lc->line_str->data + off, '\0', lc->line_str->size - (size_t)off))
            return line_fail(lc, "a name points outside .debug_line_str");
        return AG_OK;
    }
    bool ok_form = false;
    switch (type) {
    case DW_LNCT_directory_index:
        ok_form = form == DW_FORM_udata || form == DW_FORM_data1 || form == DW_FORM_data2;
        break;
    case DW_LNCT_GNU_decl_file:
    case DW_LNCT_GNU_decl_line:
        ok_form = form == DW_FORM_udata || form == DW_FORM_data1 || form == DW_FORM_data2 ||
                  form == DW_FORM_data4;
        break;
    case DW_LNCT_timestamp:
        ok_form = form == DW_FORM_udata || form == DW_FORM_data4 || form == DW_FORM_block;
        break;
    case DW_LNCT_size:
        ok_form = form == DW_FORM_udata || form == DW_FORM_data1 || form == DW_FORM_data2 ||
                  form == DW_FORM_data4 || form == DW_FORM_data8;
        break;
    case DW_LNCT_MD5:
        ok_form = form == DW_FORM_data16;
        break;
    default:
        break;
    }
    if (!ok_form) {
        char what[96];
        snprintf(what, sizeof what, "unsupported entry format (content 0x%jx, form 0x%jx)",
                 (uintmax_t)type, (uintmax_t)form);
        return line_fail(lc, what);
    }
    switch (form) {
    case DW_FORM_udata: *value = take_uleb(c); break;
    case DW_FORM_data1: *value = take(c, 1); break;
    case DW_FORM_data2: *value = take(c, 2); break;
    case DW_FORM_data4: *value = take(c, 4); break;
    case DW_FORM_data8: *value = take(c, 8); break;
    case DW_FORM_data16: skip(c, 16); break;
    case DW_FORM_block: {
        uint64_t len = take_uleb(c);
        if (len > 8)
            return line_fail(lc, "a timestamp block is longer than 8 bytes");
        skip(c, len);
        break;
    }
    default: break;
    }
    return c->bad ? line_fail(lc, "truncated entry") : AG_OK;
}

/* The (content type, form) pairs of a DWARF 5 entry format. */
static ag_status entry_format(const line_check *lc, cursor *c, uint64_t pairs[][2], unsigned *count)
{
    *count = (unsigned)take(c, 1);
    for (unsigned i = 0; i < *count && !c->bad; i++) {
        pairs[i][0] = take_uleb(c);
        pairs[i][1] = take_uleb(c);
    }
    return c->bad ? line_fail(lc, "truncated entry format") : AG_OK;
}

static ag_status check_line_v5_entries(const line_check *lc, cursor *c)
{
    uint64_t dirs_fmt[255][2], files_fmt[255][2]; /* the counts are one byte */
    unsigned n_dir_fmt, n_file_fmt;
    ag_status st = entry_format(lc, c, dirs_fmt, &n_dir_fmt);
    if (st != AG_OK)
        return st;
    uint64_t n_dirs = take_uleb(c);
    if (c->bad)
        return line_fail(lc, "truncated directory count");
    if (n_dirs > 0 && n_dir_fmt == 0)
        return line_fail(lc, "directories without a directory entry format");
    /* Every entry takes at least one byte: a count beyond the bytes left is
       a lie that would make libdwarf allocate for it. */
    if (n_dirs > (uint64_t)(c->end - c->p))
        return line_fail(lc, "directory count larger than the table");
    for (uint64_t d = 0; d < n_dirs; d++) {
        for (unsigned k = 0; k < n_dir_fmt; k++) {
            uint64_t v;
            if (dirs_fmt[k][0] != DW_LNCT_path)
                return line_fail(lc, "unsupported directory entry format");
            if ((st = line_value(lc, c, dirs_fmt[k][0], dirs_fmt[k][1], &v)) != AG_OK)
                return st;
        }
    }
    if ((st = entry_format(lc, c, files_fmt, &n_file_fmt)) != AG_OK)
        return st;
    uint64_t n_files = take_uleb(c);
    if (c->bad)
        return line_fail(lc, "truncated file count");
    if (n_files > 0 && n_file_fmt == 0)
        return line_fail(lc, "files without a file entry format");
    if (n_files > (uint64_t)(c->end - c->p))
        return line_fail(lc, "file count larger than the table");
    for (uint64_t fi = 0; fi < n_files; fi++) {
        for (unsigned k = 0; k < n_file_fmt; k++) {
            uint64_t v;
            if ((st = line_value(lc, c, files_fmt[k][0], files_fmt[k][1], &v)) != AG_OK)
                return st;
            if (files_fmt[k][0] == DW_LNCT_directory_index && v >= n_dirs) {
                char what[128];
                snprintf(what, sizeof what, "file %ju names directory %ju, but there are %ju",
                         (uintmax_t)fi, (uintmax_t)v, (uintmax_t)n_dirs);
                return line_fail(lc, what);
            }
        }
    }
    return AG_OK;
}

static ag_status check_line_v4_entries(const line_check *lc, cursor *c)
{
    uint64_t n_dirs = 0;
    while (!c->bad && c->p < c->end && *c->p != '\0') {
        if (!skip_string(c))
            return line_fail(lc, "unterminated include directory");
        n_dirs++;
    }
    skip(c, 1);
    uint64_t n_files = 0;
    while (!c->bad && c->p < c->end && *c->p != '\0') {
        if (!skip_string(c))
            return line_fail(lc, "unterminated file name");
        uint64_t dir = take_uleb(c);
        take_uleb(c); /* modification time */
        take_uleb(c); /* length */
        if (!c->bad && dir > n_dirs) {
            char what[128];
            snprintf(what, sizeof what, "file %ju names directory %ju, but there are %ju",
                     (uintmax_t)n_files + 1, (uintmax_t)dir, (uintmax_t)n_dirs);
            return line_fail(lc, what);
        }
        n_files++;
    }
    skip(c, 1);
    return c->bad ? line_fail(lc, "truncated directory or file list") : AG_OK;
}

/* One unit: the header fields up to and including the file list. */
static ag_status check_line_unit(line_check *lc, cursor *c)
{
    unsigned version = (unsigned)take(c, 2);
    if (c->bad)
        return line_fail(lc, "truncated header");
    if (version < 2 || version > 5) {
        char what[64];
        snprintf(what, sizeof what, "unknown version %u", version);
        return line_fail(lc, what);
    }
    if (version == 5) {
        unsigned addr_size = (unsigned)take(c, 1), seg_size = (unsigned)take(c, 1);
        if (!c->bad && ((addr_size != 4 && addr_size != 8) || seg_size != 0))
            return line_fail(lc, "bad address or segment selector size");
    }
    uint64_t header_length = take(c, lc->offset_size);
    if (!c->bad && header_length > (uint64_t)(c->end - c->p))
        return line_fail(lc, "header runs past the table");
    take(c, 1); /* minimum instruction length */
    if (version >= 4)
        take(c, 1); /* maximum operations per instruction */
    take(c, 1);     /* default is_stmt */
    take(c, 1);     /* line base */
    unsigned line_range = (unsigned)take(c, 1);
    unsigned opcode_base = (unsigned)take(c, 1);
    if (c->bad)
        return line_fail(lc, "truncated header");
    if (line_range == 0)
        return line_fail(lc, "line range is 0");
    if (opcode_base == 0)
        return line_fail(lc, "opcode base is 0");
    skip(c, opcode_base - 1); /* standard opcode lengths */
    if (c->bad)
        return line_fail(lc, "truncated header");
    return version == 5 ? check_line_v5_entries(lc, c) : check_line_v4_entries(lc, c);
}

static bool remember(ag_line_tables *lines, uint64_t off)
{
    if (!lines)
        return true;
    if (lines->n == lines->cap) {
        size_t cap = lines->cap ? lines->cap * 2 : 16;
        uint64_t *bigger = realloc(lines->offsets, cap * sizeof *bigger);
        if (!bigger)
            return false;
        lines->offsets = bigger;
        lines->cap = cap;
    }
    lines->offsets[lines->n++] = off;
    return true;
}

static ag_status check_line_tables(const section_bytes *line, const section_bytes *line_str, bool little,
                                   ag_line_tables *lines, ag_error *err)
{
    line_check lc = { .section = ".debug_line", .line_str = line_str, .err = err };
    size_t off = 0, size = line->size;
    while (off < size) {
        lc.unit_off = off;
        cursor c = { line->data + off, line->data + size, little, false };
        uint64_t length = take(&c, 4);
        lc.offset_size = 4;
        if (length == 0xffffffffu) {
            length = take(&c, 8);
            lc.offset_size = 8;
        } else if (length >= 0xfffffff0u) {
            return line_fail(&lc, "reserved unit length");
        }
        if (c.bad || length > (uint64_t)(c.end - c.p))
            return line_fail(&lc, "runs past the end of the section");
        size_t next = (size_t)(c.p - line->data) + (size_t)length;
        c.end = c.p + length;
        ag_status st = check_line_unit(&lc, &c);
        if (st != AG_OK)
            return st;
        if (!remember(lines, off))
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        off = next;
    }
    return AG_OK;
}

/* ------------------------------------------------------------------ */

bool ag_line_tables_has(const ag_line_tables *lines, uint64_t offset)
{
    size_t lo = 0, hi = lines->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lines->offsets[mid] == offset)
            return true;
        if (lines->offsets[mid] < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

void ag_line_tables_free(ag_line_tables *lines)
{
    if (!lines)
        return;
    free(lines->offsets);
    memset(lines, 0, sizeof *lines);
}

ag_status ag_dwarf_check_sections(const char *debug_path, ag_line_tables *lines, int *dwarf_fd, ag_error *err)
{
    if (lines)
        memset(lines, 0, sizeof *lines);
    *dwarf_fd = -1;
    ag_elf_file f;
    ag_error open_err;
    if (ag_elf_file_open(&f, debug_path, &open_err) != AG_OK)
        return ag_fail(err, AG_ERR_FORMAT, "%s: %s", debug_path, open_err.msg);
    bool little = f.ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
    inflated_copy copy;
    ag_status st = copy_open(&f, &copy, err);
    /* Before DWARF 5, .debug_addr and .debug_str_offsets are GNU extensions
       (split DWARF) without unit headers: only DWARF 5 ones are walked. */
    bool dwarf5 = true;
    if (st == AG_OK) {
        section_bytes info;
        st = load_section(&f, &copy, "info", &info);
        if (st == AG_OK && info.size >= 6) {
            size_t at = read_le(info.data, 4, little) == 0xffffffffu ? 12 : 4;
            dwarf5 = info.size >= at + 2 && read_le(info.data + at, 2, little) >= 5;
        }
    }
    for (size_t i = 0; st == AG_OK && i < sizeof side_tables / sizeof side_tables[0]; i++) {
        if (!dwarf5 && side_tables[i].kind != LISTS)
            continue;
        section_bytes s;
        st = load_section(&f, &copy, side_tables[i].name, &s);
        if (st == AG_OK && s.size) {
            char name[64];
            snprintf(name, sizeof name, ".debug_%s", side_tables[i].name);
            st = check_units(name, side_tables[i].kind, s.data, s.size, little, err);
        }
    }
    if (st == AG_OK) {
        section_bytes line, line_str;
        st = load_section(&f, &copy, "line", &line);
        memset(&line_str, 0, sizeof line_str);
        if (st == AG_OK && line.size)
            st = load_section(&f, &copy, "line_str", &line_str);
        if (st == AG_OK && line.size)
            st = check_line_tables(&line, &line_str, little, lines, err);
    }
    ag_elf_file_close(&f);
    if (st == AG_OK && copy.fd >= 0 && lseek(copy.fd, 0, SEEK_SET) != 0)
        st = ag_fail(err, AG_ERR_IO, "cannot rewind the in-memory copy: %s", strerror(errno));
    if (st == AG_OK) {
        *dwarf_fd = copy.fd; /* the caller closes it */
        copy.fd = -1;
    }
    copy_close(&copy);
    if (st != AG_OK)
        ag_line_tables_free(lines);
    return st;
}
