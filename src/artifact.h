/*
 * artifact.h — a shipped artifact as an input: a .deb, .rpm, wheel, jar,
 * npm .tgz, tarball (any compression), .zip or a directory. Read with
 * libarchive, never by shelling out. Every ELF shared object inside (found
 * by content, not by name) is one binary of the release; its path inside
 * the artifact is kept. A .deb's data.tar.* is read inside the ar archive.
 *
 * The binaries are written under a private temporary directory at their
 * inner paths (so $ORIGIN-relative paths and a debug package's
 * .build-id/ tree keep working), which ag_artifact_free removes; a
 * directory input is used in place. Hostile archives are refused with one
 * sentence: entries with an absolute path or a ".." component, an entry
 * larger than the limit, more output than the limit, a decompression ratio
 * that only a bomb has, or too many entries. Memory stays bounded (one
 * 64 KiB buffer) whatever the input.
 */
#ifndef ABIGUARD_ARTIFACT_H
#define ABIGUARD_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What to take out of the artifact (bit mask). */
enum {
    AG_ARTIFACT_SHARED_OBJECTS = 1u << 0, /* ELF ET_DYN that is not a PIE executable */
    AG_ARTIFACT_ALL_ELF        = 1u << 1, /* any ELF file (a debug package's .debug files) */
    AG_ARTIFACT_HEADERS        = 1u << 2, /* C/C++ headers under an include/ directory */
    AG_ARTIFACT_METADATA       = 1u << 3, /* a wheel's *.dist-info/WHEEL, package.json, META-INF/MANIFEST.MF */
};

typedef struct ag_artifact_limits {
    uint64_t max_entry_bytes;   /* one extracted file; 0: 1 GiB */
    uint64_t max_total_bytes;   /* all extracted files together; 0: 8 GiB */
    uint64_t max_entries;       /* entries read, all levels; 0: 1,000,000 */
    uint64_t bomb_min_bytes;    /* decompressed bytes before the ratio is judged; 0: 64 MiB */
    uint64_t bomb_max_ratio;    /* decompressed : compressed above this is a bomb; 0: 200 */
} ag_artifact_limits;

typedef struct ag_artifact_file {
    char *inner_path;   /* inside the artifact, no leading "./" or "/" ("usr/lib/libz.so.1.2.13") */
    char *disk_path;    /* where it can be read now */
    uint64_t size;
    bool is_shared_object; /* ELF ET_DYN, not a PIE executable */
    bool is_elf;
} ag_artifact_file;

typedef struct ag_artifact_link {
    char *inner_path;   /* the symbolic link's own path */
    char *target;       /* as stored */
} ag_artifact_link;

typedef struct ag_artifact {
    char *path;         /* as given */
    const char *kind;   /* "deb", "rpm", "wheel", "jar", "npm", "tar", "zip", "cpio", "directory" */
    char *root;         /* directory holding the files at their inner paths */
    bool owns_root;     /* a temporary directory (removed on free) */
    ag_artifact_file *files; /* in archive order; the binaries and whatever else was asked for */
    size_t n_files;
    ag_artifact_link *links;
    size_t n_links;
    uint64_t n_entries; /* entries seen */
} ag_artifact;

/* True when path is a directory or a file libarchive reads as an archive of
   one of the formats above (so not an ELF file or a corpus JSON). */
bool ag_artifact_is_artifact(const char *path);

/* Reads the artifact at path, taking out what want asks for. limits NULL:
   the defaults. Errors: AG_ERR_IO, AG_ERR_FORMAT (not an archive, a corrupt
   or hostile one; the message names the entry), AG_ERR_NOMEM. */
ag_status ag_artifact_open(const char *path, unsigned want, const ag_artifact_limits *limits,
                           ag_artifact **out, ag_error *err);
void ag_artifact_free(ag_artifact *a);

/* The number of shared objects, and the i-th of them (NULL past the end). */
size_t ag_artifact_n_shared_objects(const ag_artifact *a);
const ag_artifact_file *ag_artifact_shared_object(const ag_artifact *a, size_t i);

/* The file at that inner path (exact), or NULL. */
const ag_artifact_file *ag_artifact_find(const ag_artifact *a, const char *inner_path);

/* Where a symbolic link at inner_path points, resolved inside the artifact
   (relative targets against the link's directory, up to 16 hops), as a
   malloc'd inner path; NULL when inner_path is no link or leaves it. */
char *ag_artifact_resolve_link(const ag_artifact *a, const char *inner_path);

/* "dir/sub" of "dir/sub/name", lexically normalised: "a/./b/../c" is
   "a/c"; NULL when ".." climbs above the root. malloc'd. */
char *ag_artifact_normalize_path(const char *path);

#endif
