/*
 * debug_locate.c — finding the DWARF for a binary (debug_locate.h), in the
 * same places and order as gdb: the file itself, then by build-id, then by
 * .gnu_debuglink. A candidate is only accepted when it provably belongs to
 * the binary (same build-id, or the debuglink CRC), because debug info from
 * another build would describe the wrong ABI without any visible error.
 */
#include "debug_locate.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "elf_file.h"

#define SYSTEM_DEBUG_DIR "/usr/lib/debug"

/* What identifies the binary's separate debug file. */
typedef struct debug_target {
    char *build_id;       /* lowercase hex, or NULL */
    char *link_name;      /* .gnu_debuglink file name, or NULL */
    uint32_t link_crc;
    char *binary_dir;     /* absolute, symlinks resolved; NULL if unknown */
} debug_target;

typedef struct debug_found {
    char *path;
    const char *source;
} debug_found;

static void free_target(debug_target *t)
{
    free(t->build_id);
    free(t->link_name);
    free(t->binary_dir);
}

static uint32_t file_u32(const ag_elf_file *f, const unsigned char *p)
{
    bool big = f->ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* .gnu_debuglink: a NUL-terminated file name, padding to 4 bytes, then the
   CRC32 of the debug file in the binary's byte order. A malformed section
   is treated as absent: it only ever offered a hint. */
static ag_status read_debuglink(const ag_elf_file *f, debug_target *t, ag_error *err)
{
    GElf_Shdr shdr;
    Elf_Scn *scn = ag_elf_file_section_named(f, ".gnu_debuglink", &shdr);
    if (!scn || shdr.sh_type == SHT_NOBITS)
        return AG_OK;
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || !data->d_buf)
        return AG_OK;
    const char *name = data->d_buf;
    size_t name_len = strnlen(name, data->d_size);
    size_t crc_off = (name_len + 1 + 3) & ~(size_t)3;
    if (name_len == 0 || name_len == data->d_size || crc_off > data->d_size || data->d_size - crc_off < 4)
        return AG_OK;
    t->link_crc = file_u32(f, (const unsigned char *)data->d_buf + crc_off);
    t->link_name = strndup(name, name_len);
    return t->link_name ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

/* Symlinks resolved, so a debuglink is looked up next to the real file. */
static void binary_directory(const char *path, debug_target *t)
{
    char *real = realpath(path, NULL);
    if (!real)
        return; /* only the debuglink places relative to it are lost */
    char *slash = strrchr(real, '/');
    if (slash == real)
        slash[1] = '\0'; /* the root directory itself */
    else if (slash)
        *slash = '\0';
    t->binary_dir = real;
}

static ag_status describe_binary(const ag_elf_file *f, const char *path, const ag_elf_info *info,
                                 debug_target *t, ag_error *err)
{
    ag_status st;
    if (info && info->build_id) {
        t->build_id = strdup(info->build_id);
        if (!t->build_id)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    } else if ((st = ag_elf_file_build_id(f, &t->build_id, err)) != AG_OK) {
        return st;
    }
    if ((st = read_debuglink(f, t, err)) != AG_OK)
        return st;
    binary_directory(path, t);
    return AG_OK;
}

static bool crc_matches(const ag_elf_file *f, uint32_t expected)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *p = f->image;
    size_t left = f->size;
    while (left > 0) {
        uInt chunk = left > UINT_MAX ? UINT_MAX : (uInt)left;
        crc = crc32(crc, p, chunk);
        p += chunk;
        left -= chunk;
    }
    return (uint32_t)crc == expected;
}

static bool build_id_matches(const ag_elf_file *f, const char *expected)
{
    ag_error ignored;
    char *id = NULL;
    bool same = ag_elf_file_build_id(f, &id, &ignored) == AG_OK && id && strcmp(id, expected) == 0;
    free(id);
    return same;
}

/* DWARF, plain or in GNU's older compressed form (.zdebug_info). */
static bool has_dwarf(const ag_elf_file *f)
{
    return ag_elf_file_has_contents(f, ".debug_info") || ag_elf_file_has_contents(f, ".zdebug_info");
}

/* Any failure to open or read a candidate just means it is not the one. */
static bool candidate_matches(const char *candidate, const debug_target *t)
{
    ag_elf_file f;
    ag_error ignored;
    if (ag_elf_file_open(&f, candidate, &ignored) != AG_OK)
        return false;
    bool ok = has_dwarf(&f);
    if (ok && t->build_id)
        ok = build_id_matches(&f, t->build_id);
    else if (ok)
        ok = t->link_name && crc_matches(&f, t->link_crc);
    ag_elf_file_close(&f);
    return ok;
}

/* One search: what is looked for, and what was found. */
typedef struct search_state {
    const debug_target *target;
    char *found_path;
    const char *found_source;
} search_state;

/* Builds the candidate path with fmt and tries it unless something was
   already found. Only running out of memory is an error. */
static ag_status try_candidate(search_state *s, const char *source, ag_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ag_status try_candidate(search_state *s, const char *source, ag_error *err, const char *fmt, ...)
{
    if (s->found_path)
        return AG_OK;
    char *candidate = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&candidate, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (candidate_matches(candidate, s->target)) {
        s->found_path = candidate;
        s->found_source = source;
    } else {
        free(candidate);
    }
    return AG_OK;
}

/* <dir>/.build-id/xx/rest.debug: extra directories first, then the system's. */
static ag_status search_build_id(search_state *s, const ag_debug_search *search, ag_error *err)
{
    const char *id = s->target->build_id;
    if (!id || strlen(id) < 3)
        return AG_OK;
    ag_status st = AG_OK;
    for (size_t i = 0; st == AG_OK && search && i < search->n_dirs; i++)
        st = try_candidate(s, "debug-dir", err, "%s/.build-id/%.2s/%s.debug", search->dirs[i], id, id + 2);
    if (st == AG_OK && !(search && search->no_system_dirs))
        st = try_candidate(s, "build-id", err, SYSTEM_DEBUG_DIR "/.build-id/%.2s/%s.debug", id, id + 2);
    return st;
}

/* The places gdb looks for a debuglink name: each extra directory (flat and
   mirroring the binary's directory), next to the binary, in its .debug
   subdirectory, and under the system debug directory. */
static ag_status search_debuglink(search_state *s, const ag_debug_search *search, ag_error *err)
{
    const char *name = s->target->link_name, *dir = s->target->binary_dir;
    if (!name)
        return AG_OK;
    ag_status st = AG_OK;
    for (size_t i = 0; st == AG_OK && search && i < search->n_dirs; i++) {
        st = try_candidate(s, "debug-dir", err, "%s/%s", search->dirs[i], name);
        if (st == AG_OK && dir)
            st = try_candidate(s, "debug-dir", err, "%s%s/%s", search->dirs[i], dir, name);
    }
    if (!dir)
        return st;
    if (st == AG_OK)
        st = try_candidate(s, "debuglink", err, "%s/%s", dir, name);
    if (st == AG_OK)
        st = try_candidate(s, "debuglink", err, "%s/.debug/%s", dir, name);
    if (st == AG_OK && !(search && search->no_system_dirs))
        st = try_candidate(s, "debuglink", err, SYSTEM_DEBUG_DIR "%s/%s", dir, name);
    return st;
}

static ag_status search_separate(const debug_target *t, const ag_debug_search *search,
                                 char **out_path, const char **out_source, ag_error *err)
{
    search_state s = {t, NULL, NULL};
    ag_status st = search_build_id(&s, search, err);
    if (st == AG_OK)
        st = search_debuglink(&s, search, err);
    if (st != AG_OK) {
        free(s.found_path);
        return st;
    }
    if (!s.found_path)
        return ag_fail(err, AG_ERR_NOTFOUND, "no debug info found (build-id %s, debuglink %s)",
                       t->build_id ? t->build_id : "none", t->link_name ? t->link_name : "none");
    *out_path = s.found_path;
    *out_source = s.found_source;
    return AG_OK;
}

ag_status ag_debug_locate(const char *path, const ag_elf_info *info,
                          const ag_debug_search *search,
                          char **out_path, const char **out_source,
                          ag_error *err)
{
    *out_path = NULL;
    *out_source = NULL;
    ag_elf_file f;
    ag_status st = ag_elf_file_open(&f, path, err);
    if (st != AG_OK)
        return st;
    if (has_dwarf(&f)) {
        ag_elf_file_close(&f);
        *out_path = strdup(path);
        if (!*out_path)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
        *out_source = "embedded";
        return AG_OK;
    }
    debug_target t = {NULL, NULL, 0, NULL};
    st = describe_binary(&f, path, info, &t, err);
    ag_elf_file_close(&f);
    if (st == AG_OK)
        st = search_separate(&t, search, out_path, out_source, err);
    free_target(&t);
    return st;
}
