/*
 * audit.h — will each native binary of an artifact load on a target
 * machine? For every binary and every target (a libc flavour and version,
 * an architecture: audit_targets.c keeps the table as data) the audit
 * checks the libc floor (the highest GLIBC_/GLIBCXX_/CXXABI_/GCC_ version
 * needed, with the symbols that need it), musl against glibc, the machine
 * and ELF class against the tag or the path, the dependency closure
 * (DT_NEEDED resolved inside the artifact through RPATH/RUNPATH with
 * $ORIGIN, or on the target's allowed system libraries), loader hazards
 * (executable stack, static TLS, text relocations) and runtime contracts
 * (PyInit_<module>, abi3's Stable ABI, the Node-API level, JNI entry
 * points). Only the ELF part of each binary is read.
 */
#ifndef ABIGUARD_AUDIT_H
#define ABIGUARD_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "artifact.h"
#include "corpus.h"
#include "report.h"

typedef enum ag_libc {
    AG_LIBC_ANY = 0,   /* not known: no floor is judged */
    AG_LIBC_GLIBC,
    AG_LIBC_MUSL,
} ag_libc;

typedef struct ag_target {
    char name[80];          /* as given or derived: "manylinux_2_17_x86_64", "debian:12" */
    ag_libc libc;
    int libc_major, libc_minor; /* glibc 2.17, musl 1.2; 0.0 when unknown */
    char arch[24];          /* ELF machine name ("x86_64", "aarch64"); "" = any */
    const char *glibcxx_max;/* highest GLIBCXX_ the target's libstdc++ has, NULL unknown */
    const char *cxxabi_max; /* highest CXXABI_, NULL unknown */
    bool policy;            /* a wheel policy (manylinux/musllinux): only its library list is on the system */
} ag_target;

/* Parses "manylinux_2_28[_ARCH]", "manylinux2014[_ARCH]", "musllinux_1_2[_ARCH]",
   "debian:12", "ubuntu:22.04", "rhel:8" (centos, rocky, almalinux), "alpine:3.19",
   "linux[_ARCH]". AG_ERR_USAGE naming the known ones otherwise. */
ag_status ag_target_parse(const char *spec, ag_target *t, ag_error *err);

/* The names ag_target_parse knows for distributions, one line ("debian:10, ..."). */
const char *ag_target_known_list(void);

typedef enum ag_audit_severity {
    AG_AUDIT_NOTE = 0,   /* information (the Node-API level, a dependency the package declares) */
    AG_AUDIT_WARNING,    /* may fail on some machines or later versions */
    AG_AUDIT_ERROR,      /* will not load on this target */
} ag_audit_severity;

typedef struct ag_audit_finding {
    const char *check;   /* stable id: "libc-floor", "dependency-missing", ... */
    ag_audit_severity severity;
    char *message;       /* one sentence */
    char **symbols;      /* the symbols or libraries behind it (may be empty) */
    size_t n_symbols;
} ag_audit_finding;

typedef struct ag_audit_result {
    const ag_target *target;
    bool loads;          /* no error finding */
    ag_audit_finding *findings;
    size_t n_findings;
} ag_audit_result;

typedef struct ag_audit_binary {
    char *inner_path;
    ag_corpus *elf;      /* the ELF part only */
    char *glibc_floor;   /* "2.34" or NULL when it needs no GLIBC_ version */
    int napi_version;    /* the Node-API level its imports need; 0 when not an N-API addon */
    ag_audit_result *results; /* one per target, in the targets' order */
} ag_audit_binary;

/* ------------------------------------------------------------------ */
/* Bundled-library drift (audit_bundled.c)                            */

/* Releases a bundled library can be matched with: a store's or a
   service's (audit_catalog.c), by SONAME and build-id of their binary.
   A release of several binaries is one entry per binary, its version
   "V:NAME" (NAME@V:NAME is how the store and the service name it). */
typedef struct ag_catalog_release {
    char *library, *version;
    char *soname;        /* or NULL */
    char *build_id;      /* or NULL */
} ag_catalog_release;

typedef struct ag_release_catalog {
    char *where;         /* the store's file name or the service's URL, for messages */
    ag_catalog_release *releases; /* by library, oldest version first */
    size_t n_releases;
    /* Loads release r as a finalized corpus. */
    ag_status (*load)(const struct ag_release_catalog *cat, const ag_catalog_release *r, ag_corpus **out,
                      ag_error *err);
    void *ctx;
    void (*free_ctx)(void *ctx);
} ag_release_catalog;

/* The releases of the store at db_path (opened read-only), or of the
   service at server_url (GET /api/v1/libraries and .../releases; corpora
   are fetched when loaded). Errors: those of opening the store, AG_ERR_IO
   when the service does not answer or answers with an error. */
ag_status ag_release_catalog_from_store(const char *db_path, ag_release_catalog **out, ag_error *err);
ag_status ag_release_catalog_from_server(const char *server_url, bool insecure, ag_release_catalog **out,
                                         ag_error *err);
void ag_release_catalog_free(ag_release_catalog *cat);

/* One binary of the artifact checked (binding.h) against a copy of the
   bundled library: what it can feel of the difference. */
typedef struct ag_bundled_check {
    const char *binary;  /* the user's inner path (owned by the audit) */
    ag_verdict verdict;  /* worst change; AG_VERDICT_NONE when nothing it uses changed */
    const char *view;    /* ag_binding_source_name: "dwarf", "symbols", ... */
    char **changes;      /* "kind subject: detail", worst first */
    size_t n_changes;
} ag_bundled_check;

typedef struct ag_audit_bundled {
    const char *path;        /* inner path (owned by the audit) */
    char *soname;            /* as shipped: may be a grafted, hashed name */
    char *original_soname;   /* the name before grafting ("libdep.so.1" of "libdep-579c423b.so.1") */
    bool renamed;            /* soname differs from original_soname */
    char *build_id;          /* or NULL */
    const char **users;      /* inner paths of the binaries that need it */
    size_t n_users;
    char *release;           /* "NAME@V": the stored release of this very build (same build-id), or NULL */
    ag_bundled_check *checks;          /* the users against that release */
    char *system_release;    /* "NAME@V": a stored release with the same SONAME, another build, or NULL */
    bool coexist;            /* the bundled and a system copy can both be loaded into one process */
    char **common_symbols;   /* exported by both copies, same name and version ("f@V" or "f") */
    size_t n_common;
    bool copies_compared;    /* the release of this build is known, so the copies were diffed */
    ag_verdict copies_differ;/* diff of that release -> the system copy */
    ag_bundled_check *system_checks;   /* the users against the system copy */
} ag_audit_bundled;

typedef struct ag_audit_options {
    const ag_release_catalog *catalog; /* NULL: bundled libraries are identified, not matched */
} ag_audit_options;

typedef struct ag_audit {
    char *artifact;      /* as given */
    const char *kind;    /* ag_artifact.kind */
    ag_target *targets;
    size_t n_targets;
    ag_audit_binary *binaries;
    size_t n_binaries;
    size_t n_failing;    /* binaries that fail on at least one target */
    ag_audit_bundled *bundled; /* the libraries other binaries of the artifact need */
    size_t n_bundled;
    char *catalog;       /* where bundled libraries were looked up, or NULL */
} ag_audit;

/* Audits the artifact at path (any ag_artifact_open input) against the
   given targets, or when there are none against the targets its own tag or
   paths name (a wheel's platform tags; otherwise one generic Linux target
   with the architecture each binary's path names). */
ag_status ag_audit_run(const char *path, const char *const *target_specs, size_t n_specs,
                       ag_audit **out, ag_error *err);
/* The same, with options (opts may be NULL). */
ag_status ag_audit_run_with(const char *path, const char *const *target_specs, size_t n_specs,
                            const ag_audit_options *opts, ag_audit **out, ag_error *err);
void ag_audit_free(ag_audit *a);

/* Exit status: 0 every binary loads everywhere, 4 only warnings, 12 (4|8)
   when a binary fails to load on some target. */
int ag_audit_exit_status(const ag_audit *a);

/* The report in one of the formats of report.h. */
ag_status ag_audit_write(const ag_audit *a, ag_report_format fmt, FILE *out, ag_error *err);

/* Bundled-library drift (audit_bundled.c), run by ag_audit_run_with on a
   wheel, jar, npm package, tarball or directory (not on a .deb or .rpm,
   whose libraries are the package's own): identifies each library another
   binary needs, matches it with the catalog's releases, checks its users
   against them and adds the findings "bundled-drift", "bundled-shadowed"
   and "bundled-interposition" to the users' results. art is the open
   artifact the audit read. */
ag_status ag_audit_bundled_run(ag_audit *a, const ag_artifact *art, const ag_release_catalog *cat, ag_error *err);
void ag_audit_bundled_free(ag_audit_bundled *b, size_t n);
/* "libdep.so.1" of auditwheel's "libdep-579c423b.so.1" (a dash and 8 hex
   digits ending the part before the first '.'); a malloc'd copy of soname
   when it has no such hash. */
char *ag_unhashed_soname(const char *soname);

/* Data tables (audit_targets.c). */
bool ag_stable_abi_has(const char *name);         /* in CPython's Stable ABI (3.11 headers) */
int ag_napi_version_of(const char *name);         /* Node-API version of a napi_ function, -1 not one, 0 experimental */
bool ag_target_allows_library(const ag_target *t, const char *soname); /* on the target's system */

#endif
