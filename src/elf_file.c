/*
 * elf_file.c — opening an ELF file safely for the readers (see elf_file.h).
 *
 * The file is mapped whole and handed to libelf with elf_memory, so every
 * offset can be checked against one known size. The ELF header is decoded by
 * hand before libelf sees it: libelf refuses a file whose section header
 * table lies past the end with a generic "invalid file", and we want to say
 * "truncated" instead.
 */
#include "elf_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fields of the ELF header that locate everything else. */
typedef struct raw_header {
    uint64_t phoff, shoff;
    unsigned ehsize, phentsize, phnum, shentsize, shnum;
} raw_header;

static uint64_t read_uint(const unsigned char *p, size_t n, bool big_endian)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[big_endian ? n - 1 - i : i] << (8 * i);
    return v;
}

static raw_header decode_header(const unsigned char *img, bool is64, bool big_endian)
{
    raw_header h;
    if (is64) {
        h.phoff = read_uint(img + 32, 8, big_endian);
        h.shoff = read_uint(img + 40, 8, big_endian);
        h.ehsize = (unsigned)read_uint(img + 52, 2, big_endian);
        h.phentsize = (unsigned)read_uint(img + 54, 2, big_endian);
        h.phnum = (unsigned)read_uint(img + 56, 2, big_endian);
        h.shentsize = (unsigned)read_uint(img + 58, 2, big_endian);
        h.shnum = (unsigned)read_uint(img + 60, 2, big_endian);
    } else {
        h.phoff = read_uint(img + 28, 4, big_endian);
        h.shoff = read_uint(img + 32, 4, big_endian);
        h.ehsize = (unsigned)read_uint(img + 40, 2, big_endian);
        h.phentsize = (unsigned)read_uint(img + 42, 2, big_endian);
        h.phnum = (unsigned)read_uint(img + 44, 2, big_endian);
        h.shentsize = (unsigned)read_uint(img + 46, 2, big_endian);
        h.shnum = (unsigned)read_uint(img + 48, 2, big_endian);
    }
    return h;
}

/* Does [offset, offset + count * entsize) fit in a file of size bytes? */
static bool table_fits(uint64_t offset, uint64_t count, uint64_t entsize, size_t size)
{
    if (offset > size)
        return false;
    if (entsize != 0 && count > (size - offset) / entsize)
        return false;
    return true;
}

int ag_open_regular_file(const char *path, ag_error *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
       writer forever. A regular file ignores the flag. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        ag_fail(err, AG_ERR_IO, "cannot stat: %s", strerror(saved));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        ag_fail(err, AG_ERR_IO, "cannot read: %s", S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

static ag_status map_file(ag_elf_file *f, const char *path, ag_error *err)
{
    int fd = ag_open_regular_file(path, err);
    if (fd < 0)
        return AG_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        return ag_fail(err, AG_ERR_IO, "cannot stat: %s", strerror(saved));
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return ag_fail(err, AG_ERR_UNSUPPORTED, "file too large to map");
    }
    f->size = (size_t)st.st_size;
    if (f->size == 0) {
        close(fd);
        return AG_OK;
    }
    /* Writable private mapping: libelf may convert data in place. */
    void *map = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int saved = errno;
    close(fd);
    if (map == MAP_FAILED)
        return ag_fail(err, AG_ERR_IO, "cannot map: %s", strerror(saved));
    f->image = map;
    return AG_OK;
}

/* Identification bytes and the header tables, before libelf is involved. */
static ag_status check_header(const ag_elf_file *f, ag_error *err)
{
    if (f->size < SELFMAG || memcmp(f->image, ELFMAG, SELFMAG) != 0)
        return ag_fail(err, AG_ERR_FORMAT, "not an ELF file");
    if (f->size < EI_NIDENT)
        return ag_fail(err, AG_ERR_FORMAT,
                       "truncated ELF file (%zu bytes, shorter than the ELF identification)", f->size);
    unsigned elf_class = f->image[EI_CLASS], data = f->image[EI_DATA];
    if (elf_class != ELFCLASS32 && elf_class != ELFCLASS64)
        return ag_fail(err, AG_ERR_FORMAT, "invalid ELF class %u", elf_class);
    if (data != ELFDATA2LSB && data != ELFDATA2MSB)
        return ag_fail(err, AG_ERR_FORMAT, "invalid ELF byte order %u", data);
    bool is64 = elf_class == ELFCLASS64;
    size_t header_size = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (f->size < header_size)
        return ag_fail(err, AG_ERR_FORMAT,
                       "truncated ELF file (%zu bytes, shorter than its %zu-byte ELF header)",
                       f->size, header_size);

    raw_header h = decode_header(f->image, is64, data == ELFDATA2MSB);
    /* A class byte that contradicts the header (a 64-bit file marked 32-bit)
       shows up as a header size that is not the class's. */
    if (h.ehsize != header_size)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt ELF header: header size %u does not match ELF class %d",
                       (unsigned)h.ehsize, is64 ? 64 : 32);
    if (h.phnum > 0 && h.phnum != PN_XNUM && !table_fits(h.phoff, h.phnum, h.phentsize, f->size))
        return ag_fail(err, AG_ERR_FORMAT,
                       "truncated ELF file (%zu bytes): the program header table (%u entries at offset %ju) "
                       "extends beyond the end", f->size, h.phnum, (uintmax_t)h.phoff);
    /* shnum 0 with a table offset means extended numbering: entry 0 must exist. */
    unsigned min_sections = h.shnum > 0 ? h.shnum : (h.shoff != 0 ? 1 : 0);
    if (min_sections > 0 && !table_fits(h.shoff, min_sections, h.shentsize, f->size))
        return ag_fail(err, AG_ERR_FORMAT,
                       "truncated ELF file (%zu bytes): the section header table (%u entries at offset %ju) "
                       "extends beyond the end", f->size, min_sections, (uintmax_t)h.shoff);
    /* Extended numbering: the real count is section 0's sh_size. libelf
       quietly treats a count that cannot fit as no sections at all, which
       would then read as a file stripped of its section headers. */
    if (h.shnum == 0 && h.shoff != 0) {
        if (!table_fits(h.shoff, 1, is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr), f->size))
            return ag_fail(err, AG_ERR_FORMAT, "truncated ELF file (%zu bytes): section header 0 extends beyond "
                           "the end", f->size);
        uint64_t count = is64 ? read_uint(f->image + h.shoff + 32, 8, data == ELFDATA2MSB)
                              : read_uint(f->image + h.shoff + 20, 4, data == ELFDATA2MSB);
        if (h.shentsize == 0 || !table_fits(h.shoff, count, h.shentsize, f->size))
            return ag_fail(err, AG_ERR_FORMAT,
                           "corrupt ELF header: the section header table claims %ju sections (extended "
                           "numbering), more than the %zu-byte file holds", (uintmax_t)count, f->size);
    }
    return AG_OK;
}

static const char *section_name_or_placeholder(const ag_elf_file *f, const GElf_Shdr *shdr)
{
    const char *name = f->shstrndx ? elf_strptr(f->elf, f->shstrndx, shdr->sh_name) : NULL;
    return name ? name : "?";
}

/* Every section that occupies file bytes must lie inside the file. */
static ag_status check_sections(const ag_elf_file *f, ag_error *err)
{
    for (size_t i = 1; i < f->n_sections; i++) {
        GElf_Shdr shdr;
        Elf_Scn *scn = elf_getscn(f->elf, i);
        if (!scn || !gelf_getshdr(scn, &shdr))
            return ag_fail(err, AG_ERR_FORMAT, "corrupt section header %zu: %s", i, elf_errmsg(-1));
        if (shdr.sh_type == SHT_NOBITS || shdr.sh_size == 0)
            continue;
        if (!table_fits(shdr.sh_offset, shdr.sh_size, 1, f->size))
            return ag_fail(err, AG_ERR_FORMAT,
                           "truncated ELF file (%zu bytes): section %zu (%s) ends at byte %ju",
                           f->size, i, section_name_or_placeholder(f, &shdr),
                           (uintmax_t)(shdr.sh_offset + shdr.sh_size));
    }
    return AG_OK;
}

/* Counts with extended numbering resolved, then the same bounds again. */
static ag_status check_counts(ag_elf_file *f, ag_error *err)
{
    if (elf_getshdrnum(f->elf, &f->n_sections) != 0)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt section header count: %s", elf_errmsg(-1));
    if (elf_getphdrnum(f->elf, &f->n_segments) != 0)
        return ag_fail(err, AG_ERR_FORMAT, "corrupt program header count: %s", elf_errmsg(-1));
    if (f->n_sections > 0) {
        size_t entsize = gelf_fsize(f->elf, ELF_T_SHDR, 1, EV_CURRENT);
        if (f->ehdr.e_shentsize != entsize)
            return ag_fail(err, AG_ERR_FORMAT, "unexpected section header entry size %u",
                           (unsigned)f->ehdr.e_shentsize);
        if (!table_fits(f->ehdr.e_shoff, f->n_sections, entsize, f->size))
            return ag_fail(err, AG_ERR_FORMAT,
                           "truncated ELF file (%zu bytes): the section header table (%zu entries) "
                           "extends beyond the end", f->size, f->n_sections);
        if (elf_getshdrstrndx(f->elf, &f->shstrndx) != 0)
            return ag_fail(err, AG_ERR_FORMAT, "corrupt section name table index: %s", elf_errmsg(-1));
        if (f->shstrndx >= f->n_sections)
            return ag_fail(err, AG_ERR_FORMAT, "section name table index %zu is out of range (%zu sections)",
                           f->shstrndx, f->n_sections);
    }
    if (f->n_segments > 0) {
        size_t entsize = gelf_fsize(f->elf, ELF_T_PHDR, 1, EV_CURRENT);
        if (f->ehdr.e_phentsize != entsize)
            return ag_fail(err, AG_ERR_FORMAT, "unexpected program header entry size %u",
                           (unsigned)f->ehdr.e_phentsize);
        if (!table_fits(f->ehdr.e_phoff, f->n_segments, entsize, f->size))
            return ag_fail(err, AG_ERR_FORMAT,
                           "truncated ELF file (%zu bytes): the program header table (%zu entries) "
                           "extends beyond the end", f->size, f->n_segments);
    }
    return AG_OK;
}

static ag_status open_with_libelf(ag_elf_file *f, ag_error *err)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return ag_fail(err, AG_ERR_UNSUPPORTED, "libelf is out of date: %s", elf_errmsg(-1));
    f->elf = elf_memory((char *)f->image, f->size);
    if (!f->elf)
        return ag_fail(err, AG_ERR_FORMAT, "libelf cannot read it: %s", elf_errmsg(-1));
    if (elf_kind(f->elf) != ELF_K_ELF)
        return ag_fail(err, AG_ERR_FORMAT, "not an ELF file");
    if (!gelf_getehdr(f->elf, &f->ehdr))
        return ag_fail(err, AG_ERR_FORMAT, "corrupt ELF header: %s", elf_errmsg(-1));
    ag_status st = check_counts(f, err);
    if (st != AG_OK)
        return st;
    return check_sections(f, err);
}

ag_status ag_elf_file_open(ag_elf_file *f, const char *path, ag_error *err)
{
    memset(f, 0, sizeof *f);
    ag_status st = map_file(f, path, err);
    if (st == AG_OK)
        st = check_header(f, err);
    if (st == AG_OK)
        st = open_with_libelf(f, err);
    if (st != AG_OK)
        ag_elf_file_close(f);
    return st;
}

void ag_elf_file_close(ag_elf_file *f)
{
    if (f->elf)
        elf_end(f->elf);
    if (f->image)
        munmap(f->image, f->size);
    memset(f, 0, sizeof *f);
}

Elf_Scn *ag_elf_file_section_named(const ag_elf_file *f, const char *name, GElf_Shdr *shdr)
{
    for (size_t i = 1; i < f->n_sections; i++) {
        Elf_Scn *scn = elf_getscn(f->elf, i);
        if (!scn || !gelf_getshdr(scn, shdr))
            continue;
        const char *n = f->shstrndx ? elf_strptr(f->elf, f->shstrndx, shdr->sh_name) : NULL;
        if (n && strcmp(n, name) == 0)
            return scn;
    }
    return NULL;
}

Elf_Scn *ag_elf_file_section_typed(const ag_elf_file *f, GElf_Word type, GElf_Shdr *shdr)
{
    for (size_t i = 1; i < f->n_sections; i++) {
        Elf_Scn *scn = elf_getscn(f->elf, i);
        if (scn && gelf_getshdr(scn, shdr) && shdr->sh_type == type)
            return scn;
    }
    return NULL;
}

bool ag_elf_file_has_contents(const ag_elf_file *f, const char *section_name)
{
    GElf_Shdr shdr;
    /* Header size is enough: a SHF_COMPRESSED section is non-empty too. */
    return ag_elf_file_section_named(f, section_name, &shdr) && shdr.sh_type != SHT_NOBITS
        && shdr.sh_size > 0;
}

ag_status ag_elf_file_section_data(Elf_Scn *scn, const char *what,
                                   Elf_Data **out, ag_error *err)
{
    *out = elf_getdata(scn, NULL);
    if (!*out || (!(*out)->d_buf && (*out)->d_size > 0))
        return ag_fail(err, AG_ERR_FORMAT, "cannot read %s: %s", what, elf_errmsg(-1));
    return AG_OK;
}

static bool walk_note_data(Elf_Data *data, ag_note_visitor visit, void *ctx)
{
    size_t offset = 0, name_off, desc_off;
    GElf_Nhdr nhdr;
    while (offset < data->d_size) {
        size_t next = gelf_getnote(data, offset, &nhdr, &name_off, &desc_off);
        if (next == 0 || next <= offset)
            break; /* malformed tail: the notes before it still count */
        const char *owner = nhdr.n_namesz ? (const char *)data->d_buf + name_off : "";
        size_t owner_len = nhdr.n_namesz;
        if (!visit(owner, owner_len, nhdr.n_type,
                   (const unsigned char *)data->d_buf + desc_off, nhdr.n_descsz, ctx))
            return false;
        offset = next;
    }
    return true;
}

void ag_elf_file_for_each_note(const ag_elf_file *f, ag_note_visitor visit, void *ctx)
{
    if (f->n_sections > 0) {
        for (size_t i = 1; i < f->n_sections; i++) {
            GElf_Shdr shdr;
            Elf_Scn *scn = elf_getscn(f->elf, i);
            if (!scn || !gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
                continue;
            Elf_Data *data = elf_getdata(scn, NULL);
            if (data && data->d_buf && !walk_note_data(data, visit, ctx))
                return;
        }
        return;
    }
    for (size_t i = 0; i < f->n_segments; i++) {
        GElf_Phdr phdr;
        if (!gelf_getphdr(f->elf, (int)i, &phdr) || phdr.p_type != PT_NOTE || phdr.p_filesz == 0)
            continue;
        /* rawchunk checks the range against the file size itself. */
        Elf_Data *data = elf_getdata_rawchunk(f->elf, (int64_t)phdr.p_offset, phdr.p_filesz,
                                              phdr.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
        if (data && data->d_buf && !walk_note_data(data, visit, ctx))
            return;
    }
}

bool ag_note_is_gnu(const char *owner, size_t owner_len)
{
    return owner_len == 4 && memcmp(owner, "GNU", 4) == 0;
}

typedef struct build_id_search {
    const unsigned char *bytes;
    size_t len;
} build_id_search;

static bool find_build_id(const char *owner, size_t owner_len, GElf_Word type,
                          const unsigned char *desc, size_t descsz, void *ctx)
{
    build_id_search *s = ctx;
    if (!ag_note_is_gnu(owner, owner_len) || type != NT_GNU_BUILD_ID || descsz == 0)
        return true;
    s->bytes = desc;
    s->len = descsz;
    return false;
}

ag_status ag_elf_file_build_id(const ag_elf_file *f, char **out, ag_error *err)
{
    static const char digits[] = "0123456789abcdef";
    build_id_search s = {NULL, 0};
    *out = NULL;
    ag_elf_file_for_each_note(f, find_build_id, &s);
    if (!s.bytes)
        return AG_OK;
    char *hex = malloc(2 * s.len + 1);
    if (!hex)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s.len; i++) {
        hex[2 * i] = digits[s.bytes[i] >> 4];
        hex[2 * i + 1] = digits[s.bytes[i] & 0xf];
    }
    hex[2 * s.len] = '\0';
    *out = hex;
    return AG_OK;
}
