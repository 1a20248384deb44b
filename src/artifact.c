/*
 * artifact.c — reading a shipped artifact (see artifact.h) with libarchive.
 *
 * One pass over the archive: each entry's name is checked (no absolute
 * path, no ".."), its first bytes decide whether it is wanted (ELF magic
 * for binaries, the name for headers and metadata), and wanted entries are
 * streamed to the private root at their inner paths; the rest is read
 * through and dropped, so the bomb check sees every decompressed byte. A
 * .deb's data.tar.* is opened as a nested archive on top of the ar reader,
 * with the same limits and counters. After the pass each ELF file is opened
 * once to tell shared objects from executables (ET_DYN without DF_1_PIE,
 * and without PT_INTERP unless it has a SONAME: libc.so.6 has both).
 */
#include "artifact.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"

#define CHUNK (64 * 1024)
#define MAX_NESTING 2
#define MAX_DIR_DEPTH 64
#define MAX_METADATA_BYTES (1u << 20)

typedef struct reader {
    ag_artifact *art;
    unsigned want;
    ag_artifact_limits lim;
    struct archive *outer;      /* the file itself: its raw byte count is the compressed size */
    uint64_t produced;          /* decompressed bytes read out of entries, all levels */
    uint64_t written;           /* bytes written to the root */
    bool saw_debian_binary, saw_wheel, saw_manifest, saw_npm_package;
    int rpm;
    size_t cap_files, cap_links;
    unsigned char *buf;
    ag_error *err;
} reader;

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static ag_status nomem(ag_error *err)
{
    return ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

static ag_artifact_limits limits_or_defaults(const ag_artifact_limits *l)
{
    ag_artifact_limits d = l ? *l : (ag_artifact_limits){ 0 };
    if (!d.max_entry_bytes)
        d.max_entry_bytes = 1ull << 30;
    if (!d.max_total_bytes)
        d.max_total_bytes = 8ull << 30;
    if (!d.max_entries)
        d.max_entries = 1000000;
    if (!d.bomb_min_bytes)
        d.bomb_min_bytes = 64ull << 20;
    if (!d.bomb_max_ratio)
        d.bomb_max_ratio = 200;
    return d;
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */

char *ag_artifact_normalize_path(const char *path)
{
    size_t len = strlen(path);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0)
            break;
        if (n == 1 && p[0] == '.') {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (o == 0) {
                free(out);
                return NULL;
            }
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else {
            if (o > 0)
                out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
    }
    out[o] = '\0';
    return out;
}

/* The entry's name as an inner path, or an error for a hostile one. An
   empty result ("./") is returned as "" and skipped by the caller. */
static ag_status inner_path_of(const char *name, char **out, ag_error *err)
{
    *out = NULL;
    if (!name)
        return ag_fail(err, AG_ERR_FORMAT, "an archive entry has no name");
    if (name[0] == '/')
        return ag_fail(err, AG_ERR_FORMAT, "entry '%s' has an absolute path: refusing a hostile archive", name);
    for (const char *p = name; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return ag_fail(err, AG_ERR_FORMAT,
                           "entry '%s' climbs out of the archive with '..': refusing a hostile archive", name);
        p += n;
        while (*p == '/')
            p++;
    }
    *out = ag_artifact_normalize_path(name);
    return *out ? AG_OK : nomem(err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool is_header_path(const char *inner)
{
    if (!(ends_with(inner, ".h") || ends_with(inner, ".hpp") || ends_with(inner, ".hh") || ends_with(inner, ".hxx")))
        return false;
    return strncmp(inner, "include/", 8) == 0 || strstr(inner, "/include/") != NULL;
}

static bool is_metadata_path(const char *inner)
{
    const char *base = base_name(inner);
    if (strcmp(base, "WHEEL") == 0 || strcmp(base, "METADATA") == 0) {
        size_t dir_len = (size_t)(base - inner);
        return dir_len > 11 && strncmp(base - 11, ".dist-info/", 11) == 0;
    }
    return strcmp(inner, "package.json") == 0 || strcmp(inner, "package/package.json") == 0 ||
           strcmp(inner, "META-INF/MANIFEST.MF") == 0;
}

/* mkdir -p of the directories above inner under root. */
static ag_status make_parents(const char *root, const char *inner, ag_error *err)
{
    size_t rl = strlen(root), il = strlen(inner);
    char *p = malloc(rl + il + 2);
    if (!p)
        return nomem(err);
    memcpy(p, root, rl);
    p[rl] = '/';
    memcpy(p + rl + 1, inner, il + 1);
    for (char *s = p + rl + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            ag_status st = ag_fail(err, AG_ERR_IO, "cannot create %s: %s", p, strerror(e));
            free(p);
            return st;
        }
        *s = '/';
    }
    free(p);
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* The file list                                                       */

static ag_artifact_file *find_file(ag_artifact *a, const char *inner)
{
    for (size_t i = 0; i < a->n_files; i++)
        if (strcmp(a->files[i].inner_path, inner) == 0)
            return &a->files[i];
    return NULL;
}

const ag_artifact_file *ag_artifact_find(const ag_artifact *a, const char *inner_path)
{
    return find_file((ag_artifact *)a, inner_path);
}

static ag_artifact_file *add_file(reader *r, const char *inner, const char *disk)
{
    ag_artifact *a = r->art;
    ag_artifact_file *f = find_file(a, inner);
    if (f) { /* a later entry of the same name replaces the earlier one */
        char *d = xstrdup(disk);
        if (!d)
            return NULL;
        free(f->disk_path);
        f->disk_path = d;
        return f;
    }
    if (a->n_files == r->cap_files) {
        size_t cap = r->cap_files ? 2 * r->cap_files : 16;
        ag_artifact_file *n = realloc(a->files, cap * sizeof *n);
        if (!n)
            return NULL;
        a->files = n;
        r->cap_files = cap;
    }
    f = &a->files[a->n_files];
    memset(f, 0, sizeof *f);
    f->inner_path = xstrdup(inner);
    f->disk_path = xstrdup(disk);
    if (!f->inner_path || !f->disk_path) {
        free(f->inner_path);
        free(f->disk_path);
        return NULL;
    }
    a->n_files++;
    return f;
}

static ag_status add_link(reader *r, const char *inner, const char *target)
{
    ag_artifact *a = r->art;
    if (a->n_links == r->cap_links) {
        size_t cap = r->cap_links ? 2 * r->cap_links : 16;
        ag_artifact_link *n = realloc(a->links, cap * sizeof *n);
        if (!n)
            return nomem(r->err);
        a->links = n;
        r->cap_links = cap;
    }
    ag_artifact_link *l = &a->links[a->n_links];
    l->inner_path = xstrdup(inner);
    l->target = xstrdup(target);
    if (!l->inner_path || !l->target) {
        free(l->inner_path);
        free(l->target);
        return nomem(r->err);
    }
    a->n_links++;
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Archives                                                            */

static ag_status check_bomb(reader *r, const char *inner)
{
    if (r->produced < r->lim.bomb_min_bytes)
        return AG_OK;
    int64_t raw = archive_filter_bytes(r->outer, -1);
    if (raw <= 0)
        raw = 1;
    if (r->produced / (uint64_t)raw > r->lim.bomb_max_ratio)
        return ag_fail(r->err, AG_ERR_FORMAT,
                       "entry '%s': %llu bytes decompressed from %lld (ratio above %llu:1): "
                       "refusing a decompression bomb",
                       inner, (unsigned long long)r->produced, (long long)raw,
                       (unsigned long long)r->lim.bomb_max_ratio);
    return AG_OK;
}

/* Reads the next block of the current entry into r->buf: >0 bytes, 0 at
   the end, <0 on error (err set). */
static ssize_t read_block(reader *r, struct archive *a, const char *inner)
{
    la_ssize_t n = archive_read_data(a, r->buf, CHUNK);
    if (n < 0) {
        ag_fail(r->err, AG_ERR_FORMAT, "entry '%s': %s", inner, archive_error_string(a));
        return -1;
    }
    r->produced += (uint64_t)n;
    if (check_bomb(r, inner) != AG_OK)
        return -1;
    return n;
}

static ag_status drain(reader *r, struct archive *a, const char *inner)
{
    ssize_t n;
    while ((n = read_block(r, a, inner)) > 0)
        ;
    return n < 0 ? AG_ERR_FORMAT : AG_OK;
}

static bool is_elf_magic(const unsigned char *p, size_t n)
{
    return n >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F';
}

/* Streams the current entry to root/inner, starting with the n bytes
   already in r->buf. */
static ag_status write_entry(reader *r, struct archive *a, const char *inner, ssize_t n, bool is_elf)
{
    ag_artifact *art = r->art;
    ag_status st = make_parents(art->root, inner, r->err);
    if (st != AG_OK)
        return st;
    size_t len = strlen(art->root) + strlen(inner) + 2;
    char *disk = malloc(len);
    if (!disk)
        return nomem(r->err);
    snprintf(disk, len, "%s/%s", art->root, inner);
    int fd = open(disk, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = ag_fail(r->err, AG_ERR_IO, "cannot create %s: %s", disk, strerror(errno));
        free(disk);
        return st;
    }
    uint64_t size = 0;
    while (n > 0) {
        size += (uint64_t)n;
        if (size > r->lim.max_entry_bytes) {
            st = ag_fail(r->err, AG_ERR_FORMAT, "entry '%s' is larger than the %llu-byte limit",
                         inner, (unsigned long long)r->lim.max_entry_bytes);
            break;
        }
        r->written += (uint64_t)n;
        if (r->written > r->lim.max_total_bytes) {
            st = ag_fail(r->err, AG_ERR_FORMAT, "entry '%s': the files taken out exceed the %llu-byte limit",
                         inner, (unsigned long long)r->lim.max_total_bytes);
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, r->buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                st = ag_fail(r->err, AG_ERR_IO, "cannot write %s: %s", disk, strerror(errno));
                break;
            }
            off += w;
        }
        if (st != AG_OK)
            break;
        n = read_block(r, a, inner);
        if (n < 0)
            st = AG_ERR_FORMAT;
    }
    if (close(fd) != 0 && st == AG_OK)
        st = ag_fail(r->err, AG_ERR_IO, "cannot write %s: %s", disk, strerror(errno));
    if (st == AG_OK) {
        ag_artifact_file *f = add_file(r, inner, disk);
        if (!f) {
            st = nomem(r->err);
        } else {
            f->size = size;
            f->is_elf = is_elf;
        }
    }
    if (st != AG_OK)
        unlink(disk);
    free(disk);
    return st;
}

static ag_status read_archive(reader *r, struct archive *a, int depth, const char *where);

typedef struct nested_source {
    reader *r;
    struct archive *outer;
    const char *inner;
} nested_source;

static la_ssize_t nested_read(struct archive *self, void *ctx, const void **buf)
{
    (void)self;
    nested_source *s = ctx;
    /* The inner reader's entries are counted as they are read (read_block). */
    la_ssize_t n = archive_read_data(s->outer, s->r->buf + CHUNK, CHUNK);
    *buf = s->r->buf + CHUNK;
    return n;
}

static void support_formats(struct archive *a)
{
    archive_read_support_filter_all(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_7zip(a);
}

/* A .deb's data.tar.*: read as an archive inside the ar member. */
static ag_status read_nested(reader *r, struct archive *outer, const char *inner, int depth)
{
    struct archive *in = archive_read_new();
    if (!in)
        return nomem(r->err);
    support_formats(in);
    nested_source src = { r, outer, inner };
    ag_status st = AG_OK;
    if (archive_read_open(in, &src, NULL, nested_read, NULL) != ARCHIVE_OK)
        st = ag_fail(r->err, AG_ERR_FORMAT, "%s: %s", inner, archive_error_string(in));
    else
        st = read_archive(r, in, depth + 1, inner);
    archive_read_free(in);
    if (st == AG_OK)
        st = drain(r, outer, inner);
    return st;
}

static ag_status read_entry(reader *r, struct archive *a, struct archive_entry *e, int depth, const char *inner)
{
    const char *base = base_name(inner);
    int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
    if (depth == 0 && fmt == ARCHIVE_FORMAT_AR) {
        if (strcmp(inner, "debian-binary") == 0)
            r->saw_debian_binary = true;
        if (strncmp(inner, "data.tar", 8) == 0 && depth < MAX_NESTING)
            return read_nested(r, a, inner, depth);
    }
    if (strcmp(inner, "META-INF/MANIFEST.MF") == 0)
        r->saw_manifest = true;
    if (strcmp(inner, "package/package.json") == 0)
        r->saw_npm_package = true;
    if (strcmp(base, "WHEEL") == 0 && is_metadata_path(inner))
        r->saw_wheel = true;

    mode_t type = archive_entry_filetype(e);
    const char *hardlink = archive_entry_hardlink(e);
    if (type == AE_IFLNK) {
        const char *target = archive_entry_symlink(e);
        return target ? add_link(r, inner, target) : AG_OK;
    }
    if (hardlink) {
        char *target = NULL;
        ag_status st = inner_path_of(hardlink, &target, r->err);
        if (st != AG_OK)
            return st;
        ag_artifact_file *t = find_file(r->art, target);
        if (t) {
            ag_artifact_file copy = *t;
            ag_artifact_file *f = add_file(r, inner, copy.disk_path);
            if (!f)
                st = nomem(r->err);
            else {
                f->size = copy.size;
                f->is_elf = copy.is_elf;
            }
        }
        free(target);
        if (st == AG_OK)
            st = drain(r, a, inner);
        return st;
    }
    if (type != AE_IFREG)
        return drain(r, a, inner);

    bool by_name = ((r->want & AG_ARTIFACT_HEADERS) && is_header_path(inner)) ||
                   ((r->want & AG_ARTIFACT_METADATA) && is_metadata_path(inner));
    bool want_elf = r->want & (AG_ARTIFACT_SHARED_OBJECTS | AG_ARTIFACT_ALL_ELF);
    if (!by_name && !want_elf)
        return drain(r, a, inner);
    if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > r->lim.max_entry_bytes &&
        (by_name || want_elf)) {
        /* Known too large before reading a byte; only an ELF file matters. */
        ssize_t n = read_block(r, a, inner);
        if (n < 0)
            return AG_ERR_FORMAT;
        if (by_name || is_elf_magic(r->buf, (size_t)n))
            return ag_fail(r->err, AG_ERR_FORMAT, "entry '%s' (%lld bytes) is larger than the %llu-byte limit",
                           inner, (long long)archive_entry_size(e), (unsigned long long)r->lim.max_entry_bytes);
        return drain(r, a, inner);
    }
    ssize_t n = read_block(r, a, inner);
    if (n < 0)
        return AG_ERR_FORMAT;
    bool elf = is_elf_magic(r->buf, (size_t)n);
    if (by_name && (r->want & AG_ARTIFACT_METADATA) && is_metadata_path(inner) &&
        archive_entry_size(e) > (la_int64_t)MAX_METADATA_BYTES)
        return ag_fail(r->err, AG_ERR_FORMAT, "metadata entry '%s' is larger than %u bytes", inner,
                       MAX_METADATA_BYTES);
    if (by_name || (elf && want_elf))
        return write_entry(r, a, inner, n, elf);
    return drain(r, a, inner);
}

static ag_status read_archive(reader *r, struct archive *a, int depth, const char *where)
{
    struct archive_entry *e;
    for (;;) {
        int rc = archive_read_next_header(a, &e);
        if (rc == ARCHIVE_EOF)
            return AG_OK;
        if (rc < ARCHIVE_WARN)
            return ag_fail(r->err, AG_ERR_FORMAT, "%s%s%s", where ? where : "", where ? ": " : "",
                           archive_error_string(a) ? archive_error_string(a) : "cannot read the archive");
        if (++r->art->n_entries > r->lim.max_entries)
            return ag_fail(r->err, AG_ERR_FORMAT, "more than %llu entries: refusing a hostile archive",
                           (unsigned long long)r->lim.max_entries);
        if (depth == 0)
            for (int i = 0; i < archive_filter_count(a); i++)
                if (archive_filter_code(a, i) == ARCHIVE_FILTER_RPM)
                    r->rpm = 1;
        char *inner = NULL;
        ag_status st = inner_path_of(archive_entry_pathname(e), &inner, r->err);
        if (st == AG_OK && inner[0] != '\0')
            st = read_entry(r, a, e, depth, inner);
        else if (st == AG_OK)
            st = drain(r, a, archive_entry_pathname(e));
        free(inner);
        if (st != AG_OK)
            return st;
    }
}

/* ------------------------------------------------------------------ */
/* Directories                                                         */

static ag_status walk_dir(reader *r, const char *disk, const char *inner, int depth)
{
    if (depth > MAX_DIR_DEPTH)
        return ag_fail(r->err, AG_ERR_FORMAT, "%s: directories nest deeper than %d levels", disk, MAX_DIR_DEPTH);
    DIR *d = opendir(disk);
    if (!d)
        return ag_fail(r->err, AG_ERR_IO, "cannot read directory %s: %s", disk, strerror(errno));
    ag_status st = AG_OK;
    struct dirent *de;
    /* Sorted order would be nicer, but the caller sorts what it reports. */
    while (st == AG_OK && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        size_t dl = strlen(disk) + strlen(de->d_name) + 2, il = strlen(inner) + strlen(de->d_name) + 2;
        char *child = malloc(dl), *child_inner = malloc(il);
        if (!child || !child_inner) {
            free(child);
            free(child_inner);
            st = nomem(r->err);
            break;
        }
        snprintf(child, dl, "%s/%s", disk, de->d_name);
        if (inner[0])
            snprintf(child_inner, il, "%s/%s", inner, de->d_name);
        else
            snprintf(child_inner, il, "%s", de->d_name);
        struct stat sb;
        if (lstat(child, &sb) != 0) {
            st = ag_fail(r->err, AG_ERR_IO, "cannot stat %s: %s", child, strerror(errno));
        } else if (++r->art->n_entries > r->lim.max_entries) {
            st = ag_fail(r->err, AG_ERR_FORMAT, "%s: more than %llu entries", r->art->path,
                         (unsigned long long)r->lim.max_entries);
        } else if (S_ISDIR(sb.st_mode)) {
            st = walk_dir(r, child, child_inner, depth + 1);
        } else if (S_ISLNK(sb.st_mode)) {
            char target[4096];
            ssize_t n = readlink(child, target, sizeof target - 1);
            if (n > 0) {
                target[n] = '\0';
                st = add_link(r, child_inner, target);
            }
        } else if (S_ISREG(sb.st_mode)) {
            bool by_name = ((r->want & AG_ARTIFACT_HEADERS) && is_header_path(child_inner)) ||
                           ((r->want & AG_ARTIFACT_METADATA) && is_metadata_path(child_inner));
            bool elf = false;
            if (r->want & (AG_ARTIFACT_SHARED_OBJECTS | AG_ARTIFACT_ALL_ELF)) {
                int fd = open(child, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                unsigned char magic[4];
                if (fd >= 0) {
                    elf = read(fd, magic, 4) == 4 && is_elf_magic(magic, 4);
                    close(fd);
                }
            }
            if (by_name || elf) {
                ag_artifact_file *f = add_file(r, child_inner, child);
                if (!f)
                    st = nomem(r->err);
                else {
                    f->size = (uint64_t)sb.st_size;
                    f->is_elf = elf;
                }
            }
        }
        free(child);
        free(child_inner);
    }
    closedir(d);
    return st;
}

/* ------------------------------------------------------------------ */
/* Classification and the public calls                                 */

/* ET_DYN and not a PIE executable. Unreadable ELF files are kept out of
   the binaries quietly: the reader would refuse them with a better
   message, and an artifact may carry corrupt test data. */
static bool is_shared_object(const char *path)
{
    ag_elf_file f;
    ag_error ignored;
    if (ag_elf_file_open(&f, path, &ignored) != AG_OK)
        return false;
    bool so = f.ehdr.e_type == ET_DYN, interp = false, soname = false, pie = false;
    for (size_t i = 0; so && i < f.n_segments; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(f.elf, (int)i, &ph) && ph.p_type == PT_INTERP)
            interp = true;
    }
    GElf_Shdr sh;
    Elf_Scn *dyn = so ? ag_elf_file_section_typed(&f, SHT_DYNAMIC, &sh) : NULL;
    Elf_Data *data = dyn ? elf_getdata(dyn, NULL) : NULL;
    if (data && sh.sh_entsize) {
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Dyn d;
            if (!gelf_getdyn(data, (int)i, &d))
                break;
            if (d.d_tag == DT_SONAME)
                soname = true;
            if (d.d_tag == DT_FLAGS_1 && (d.d_un.d_val & DF_1_PIE))
                pie = true;
        }
    }
    ag_elf_file_close(&f);
    return so && !pie && (!interp || soname);
}

static const char *kind_of(const reader *r, struct archive *a)
{
    int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
    const char *path = r->art->path;
    switch (fmt) {
    case ARCHIVE_FORMAT_AR:
        return r->saw_debian_binary ? "deb" : "ar";
    case ARCHIVE_FORMAT_ZIP:
        if (r->saw_wheel || ends_with(path, ".whl"))
            return "wheel";
        if (r->saw_manifest || ends_with(path, ".jar"))
            return "jar";
        return "zip";
    case ARCHIVE_FORMAT_CPIO:
        return r->rpm ? "rpm" : "cpio";
    case ARCHIVE_FORMAT_TAR:
        return r->saw_npm_package ? "npm" : "tar";
    case ARCHIVE_FORMAT_7ZIP:
        return "7zip";
    default:
        return "archive";
    }
}

bool ag_artifact_is_artifact(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    if (S_ISDIR(sb.st_mode))
        return true;
    if (!S_ISREG(sb.st_mode))
        return false;
    struct archive *a = archive_read_new();
    if (!a)
        return false;
    support_formats(a);
    bool yes = false;
    if (archive_read_open_filename(a, path, CHUNK) == ARCHIVE_OK) {
        struct archive_entry *e;
        int rc = archive_read_next_header(a, &e);
        yes = rc == ARCHIVE_OK || rc == ARCHIVE_WARN;
    }
    archive_read_free(a);
    return yes;
}

static int remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return -1;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *de;
            while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                size_t n = strlen(path) + strlen(de->d_name) + 2;
                char *child = malloc(n);
                if (child) {
                    snprintf(child, n, "%s/%s", path, de->d_name);
                    remove_tree(child);
                    free(child);
                }
            }
            closedir(d);
        }
        return rmdir(path);
    }
    return unlink(path);
}

void ag_artifact_free(ag_artifact *a)
{
    if (!a)
        return;
    if (a->owns_root && a->root)
        remove_tree(a->root);
    for (size_t i = 0; i < a->n_files; i++) {
        free(a->files[i].inner_path);
        free(a->files[i].disk_path);
    }
    for (size_t i = 0; i < a->n_links; i++) {
        free(a->links[i].inner_path);
        free(a->links[i].target);
    }
    free(a->files);
    free(a->links);
    free(a->root);
    free(a->path);
    free(a);
}

static ag_status open_archive_file(reader *r, ag_error *err)
{
    ag_artifact *art = r->art;
    const char *tmp = getenv("TMPDIR");
    size_t n = strlen(tmp && *tmp ? tmp : "/tmp") + 32;
    art->root = malloc(n);
    if (!art->root)
        return nomem(err);
    snprintf(art->root, n, "%s/abiguard-artifact-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(art->root))
        return ag_fail(err, AG_ERR_IO, "cannot create a temporary directory %s: %s", art->root, strerror(errno));
    art->owns_root = true;

    struct archive *a = archive_read_new();
    if (!a)
        return nomem(err);
    support_formats(a);
    r->outer = a;
    ag_status st;
    if (archive_read_open_filename(a, art->path, CHUNK) != ARCHIVE_OK)
        st = ag_fail(err, AG_ERR_FORMAT, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot open");
    else
        st = read_archive(r, a, 0, NULL);
    if (st == AG_OK && art->n_entries == 0 && archive_format(a) == 0)
        st = ag_fail(err, AG_ERR_FORMAT, "not an archive libarchive can read");
    if (st == AG_OK)
        art->kind = kind_of(r, a);
    archive_read_free(a);
    r->outer = NULL;
    return st;
}

ag_status ag_artifact_open(const char *path, unsigned want, const ag_artifact_limits *limits,
                           ag_artifact **out, ag_error *err)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ag_fail(err, AG_ERR_IO, "cannot open: %s", strerror(errno));
    if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
        return ag_fail(err, AG_ERR_IO, "cannot read: not a regular file or directory");
    ag_artifact *art = calloc(1, sizeof *art);
    reader r = { .art = art, .want = want, .lim = limits_or_defaults(limits), .err = err };
    r.buf = malloc(2 * CHUNK);
    if (!art || !r.buf || !(art->path = strdup(path))) {
        free(r.buf);
        ag_artifact_free(art);
        return nomem(err);
    }
    ag_status st;
    if (S_ISDIR(sb.st_mode)) {
        art->kind = "directory";
        art->root = strdup(path);
        st = art->root ? walk_dir(&r, path, "", 0) : nomem(err);
    } else {
        st = open_archive_file(&r, err);
    }
    free(r.buf);
    if (st == AG_OK) {
        for (size_t i = 0; i < art->n_files; i++)
            if (art->files[i].is_elf)
                art->files[i].is_shared_object = is_shared_object(art->files[i].disk_path);
        *out = art;
    } else {
        ag_artifact_free(art);
    }
    return st;
}

size_t ag_artifact_n_shared_objects(const ag_artifact *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_files; i++)
        n += a->files[i].is_shared_object;
    return n;
}

const ag_artifact_file *ag_artifact_shared_object(const ag_artifact *a, size_t i)
{
    for (size_t k = 0; k < a->n_files; k++)
        if (a->files[k].is_shared_object && i-- == 0)
            return &a->files[k];
    return NULL;
}

static const ag_artifact_link *find_link(const ag_artifact *a, const char *inner)
{
    for (size_t i = 0; i < a->n_links; i++)
        if (strcmp(a->links[i].inner_path, inner) == 0)
            return &a->links[i];
    return NULL;
}

char *ag_artifact_resolve_link(const ag_artifact *a, const char *inner_path)
{
    char *cur = strdup(inner_path);
    bool moved = false;
    for (int hop = 0; cur && hop < 16; hop++) {
        const ag_artifact_link *l = find_link(a, cur);
        if (!l)
            break;
        char *joined;
        if (l->target[0] == '/') {
            joined = strdup(l->target);
        } else {
            const char *slash = strrchr(cur, '/');
            size_t dl = slash ? (size_t)(slash - cur) : 0;
            size_t n = dl + strlen(l->target) + 2;
            joined = malloc(n);
            if (joined)
                snprintf(joined, n, "%.*s%s%s", (int)dl, cur, dl ? "/" : "", l->target);
        }
        free(cur);
        cur = joined ? ag_artifact_normalize_path(joined) : NULL;
        free(joined);
        moved = true;
    }
    if (cur && (!moved || find_link(a, cur))) {
        free(cur);
        return NULL;
    }
    return cur;
}
