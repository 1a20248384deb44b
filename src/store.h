/*
 * store.h — abiguard's memory: every release of every library it has seen,
 * in one SQLite file (schema/ holds the migrations). Corpora go in with
 * ag_store_add_release and come back byte-identical (as JSON) with
 * ag_store_load; types, functions and symbols are stored once across all
 * releases (content-addressed), so the hundredth release costs only what
 * changed. History and the compatibility matrix (store_history.c) diff
 * releases and cache the verdicts in the same file.
 *
 * Every write is one transaction: a crash or a killed process leaves the old
 * state or the new one. Nothing here prints.
 */
#ifndef ABIGUARD_STORE_H
#define ABIGUARD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change_kinds.h"
#include "corpus.h"
#include "diff.h"
#include "error.h"

typedef struct ag_store ag_store;

/* How long a writer waits for another process's transaction to finish. */
#define AG_STORE_BUSY_TIMEOUT_MS 10000

/* Before the first write of a process into a database, PRAGMA quick_check
   runs unless the database records (table integrity_checks, written with
   the write that followed the check) a check that passed less than this
   long ago. A database that fails the check is refused with AG_ERR_FORMAT
   and left as it was. */
#define AG_STORE_CHECK_INTERVAL_S 3600

/* Diff reports larger than this are answered but not kept in the cache. */
#define AG_STORE_MAX_CACHED_REPORT ((size_t)16 << 20)

/* The database path: explicit_path when given, else $ABIGUARD_DB when set
   and non-empty, else "abiguard.db" (in the current directory). */
const char *ag_store_default_path(const char *explicit_path);

/* Opens (creating it when missing) and brings the schema up to date.
   "file:" URIs are accepted (e.g. "file:x.db?mode=ro"). Errors:
   AG_ERR_FORMAT not a database / not an abiguard database / corrupt,
   AG_ERR_UNSUPPORTED created by a newer abiguard (the file is untouched),
   AG_ERR_IO cannot open or write, AG_ERR_NOSPACE the disk is full. */
ag_status ag_store_open(const char *path, ag_store **out, ag_error *err);
/* The same, but a missing file is AG_ERR_NOTFOUND instead of a new database,
   and a database that cannot be written (a read-only file or mount) is
   opened read-only instead of failing: for commands that mostly read and
   write only caches (history, matrix, diff NAME@A NAME@B, rm fails cleanly). */
ag_status ag_store_open_existing(const char *path, ag_store **out, ag_error *err);
/* Read-only (SQLITE_OPEN_READONLY): for commands that only read. Works on
   read-only files and mounts, also for a WAL database whose -wal/-shm files
   do not exist and cannot be created there (then opened immutable: nothing
   else can be changing it). Nothing is ever written, not even a cache. */
ag_status ag_store_open_readonly(const char *path, ag_store **out, ag_error *err);
void ag_store_close(ag_store *s);
/* Whether the handle was opened (or fell back to) read-only. */
bool ag_store_is_readonly(const ag_store *s);

struct ag_budget;
/* Every later call on s charges b (budget.h): diffs, history and matrix
   stop with AG_ERR_LIMIT once it is spent, and so does a long SQL
   statement (a progress handler checks it). NULL: unlimited again. */
void ag_store_set_budget(ag_store *s, struct ag_budget *b);

/* PRAGMA user_version of the open database, and the newest this build knows. */
int ag_store_schema_version(ag_store *s);
/* The store's file name without its directory ("abiguard.db"): what the
   service shows of which store it serves, without telling its paths. */
const char *ag_store_file_name(ag_store *s);
int ag_store_schema_latest(void);

/* Groups several writes into one transaction (import-dir): while one is
   open, ag_store_add_release and ag_store_remove_release join it instead of
   committing on their own. After a failed write, roll back. */
ag_status ag_store_begin(ag_store *s, ag_error *err);
ag_status ag_store_commit(ag_store *s, ag_error *err);
void ag_store_rollback(ag_store *s);

/* Records library@version with one binary (c, finalized). date is
   "YYYY-MM-DD" or NULL, notes free text or NULL. An existing release is an
   AG_ERR_USAGE "NAME@V already exists (use --replace)" unless replace, which
   swaps it atomically (and drops every cached diff that involves it).
   Library: non-empty, no control characters; version: the same, and no '@'. */
ag_status ag_store_add_release(ag_store *s, const char *library, const char *version,
                               const char *date, const char *notes, const ag_corpus *c,
                               bool replace, ag_error *err);

/* ag_store_add_release in two steps, for a writer that should hold the
   write lock no longer than the inserts take (the service parses and
   prepares uploads on its read workers, in parallel, and writes them on
   its one writer): prepare checks the names and date and serializes the
   corpus without touching any database; add_prepared runs the transaction
   (any number of times, on any store). */
typedef struct ag_store_prepared ag_store_prepared;
ag_status ag_store_prepare_release(const char *library, const char *version, const char *date,
                                   const char *notes, const ag_corpus *c, ag_store_prepared **out,
                                   ag_error *err);
ag_status ag_store_add_prepared(ag_store *s, const ag_store_prepared *p, bool replace, ag_error *err);
void ag_store_prepared_free(ag_store_prepared *p);

/* A release made of several binaries (the shared objects of an artifact,
   in its order): corpora[i] was at inner_paths[i] inside it (NULL when it
   was not in an artifact). n >= 1; two binaries may not share a SONAME
   (AG_ERR_USAGE: NAME@V:SONAME must name one). The names, date and replace
   as in ag_store_add_release. */
ag_status ag_store_add_release_binaries(ag_store *s, const char *library, const char *version,
                                        const char *date, const char *notes, const ag_corpus *const *corpora,
                                        const char *const *inner_paths, size_t n, bool replace, ag_error *err);
ag_status ag_store_prepare_release_binaries(const char *library, const char *version, const char *date,
                                            const char *notes, const ag_corpus *const *corpora,
                                            const char *const *inner_paths, size_t n, ag_store_prepared **out,
                                            ag_error *err);
/* How many binaries a prepared release has. */
size_t ag_store_prepared_n_binaries(const ag_store_prepared *p);

/* Whether library@version exists and, if so, whether its (first) binary is
   c exactly (same canonical JSON). */
ag_status ag_store_release_matches(ag_store *s, const char *library, const char *version,
                                   const ag_corpus *c, bool *exists, bool *same, ag_error *err);

/* One binary of a release as a finalized corpus. version is "V" for a
   release of one binary, or "V:BINARY" for one binary of a release of
   several, BINARY being its SONAME, file name or path inside the artifact
   (a version that itself contains ':' is taken whole first). AG_ERR_NOTFOUND
   "no library NAME" / "no release NAME@V" / "NAME@V has no binary B (it
   has ...)"; AG_ERR_USAGE when V has several binaries and none is named
   (the message lists their SONAMEs). */
ag_status ag_store_load(ag_store *s, const char *library, const char *version,
                        ag_corpus **out, ag_error *err);

/* Every binary of a release, in the order they were added. */
typedef struct ag_store_loaded_release {
    ag_corpus **corpora;
    char **inner_paths;   /* each NULL when the binary was not in an artifact */
    size_t n;
} ag_store_loaded_release;
ag_status ag_store_load_release(ag_store *s, const char *library, const char *version,
                                ag_store_loaded_release *out, ag_error *err);
void ag_store_loaded_release_free(ag_store_loaded_release *r);

/* What the store knows of each binary of a release, without loading it. */
typedef struct ag_store_binary {
    int64_t id;
    char *inner_path;       /* or NULL */
    char *file_name;
    char *soname;           /* or NULL */
    char *build_id;         /* or NULL */
    char *machine;
    bool has_debug_info;
    size_t n_exports, n_imports, n_functions, n_variables, n_types;
} ag_store_binary;
ag_status ag_store_list_binaries(ag_store *s, const char *library, const char *version, ag_store_binary **out,
                                 size_t *n, ag_error *err);
void ag_store_binaries_free(ag_store_binary *v, size_t n);
/* The name NAME@V:BINARY uses for b: its SONAME, else its file name. */
const char *ag_store_binary_name(const ag_store_binary *b);
/* The same as canonical corpus JSON (what `extract` writes), malloc'd. */
ag_status ag_store_export_json(ag_store *s, const char *library, const char *version,
                               char **json, ag_error *err);

/* Deletes the release (its binaries, links and cached diffs), the content
   no other release uses, and the library when it has no release left. */
ag_status ag_store_remove_release(ag_store *s, const char *library, const char *version,
                                  ag_error *err);

typedef struct ag_store_library {
    char *name;
    size_t n_releases;
    char *latest_version;   /* highest version (ag_version_compare) */
    char *latest_soname;    /* its SONAME, or NULL */
} ag_store_library;

typedef struct ag_store_release {
    int64_t id;
    char *library;
    char *version;
    char *date;             /* or NULL */
    char *notes;            /* or NULL */
    char *created;          /* when it was added, "YYYY-MM-DDTHH:MM:SSZ" UTC */
    size_t n_binaries;
    /* of the first binary */
    char *file_name;
    char *soname;           /* or NULL */
    char *build_id;         /* or NULL */
    bool has_debug_info;
    size_t n_exports, n_imports, n_functions, n_variables, n_types;
} ag_store_release;

/* Libraries by name. */
ag_status ag_store_list_libraries(ag_store *s, ag_store_library **out, size_t *n, ag_error *err);
void ag_store_libraries_free(ag_store_library *v, size_t n);
/* Releases of library (or of every library when NULL: by library name),
   oldest version first (ag_version_compare, then insertion order).
   AG_ERR_NOTFOUND "no library NAME" for an unknown library. */
ag_status ag_store_list_releases(ag_store *s, const char *library, ag_store_release **out,
                                 size_t *n, ag_error *err);
void ag_store_releases_free(ag_store_release *v, size_t n);

/* The error for an unknown version of a known library, naming the versions
   there are (rels: its releases, as ag_store_list_releases gives them):
   "no release lua@5.3 (lua has 5.1.5, 5.3.6, 5.4.4)". AG_ERR_NOTFOUND. */
ag_status ag_store_no_release(ag_error *err, const char *library, const char *version,
                              const ag_store_release *rels, size_t n);

/* Version order: runs of digits compare as numbers, anything else byte by
   byte, so 5.1 < 5.3 < 5.4 < 5.10 and 1.2 < 1.2.1. */
int ag_version_compare(const char *a, const char *b);

/* "NAME@VERSION" -> malloc'd name and version (split at the last '@';
   the version keeps a ":BINARY" suffix, see ag_store_load).
   AG_ERR_USAGE when either part is empty or there is no '@'. */
ag_status ag_store_parse_ref(const char *ref, char **name, char **version, ag_error *err);
/* Whether arg should be read as NAME@VERSION rather than as a file: it
   contains '@' and no file by that name exists. */
bool ag_store_looks_like_ref(const char *arg);
/* Opens db_path (NULL: ag_store_default_path(NULL)), loads ref, closes. For
   `diff NAME@A NAME@B` and `show NAME@V`. */
ag_status ag_store_load_ref(const char *db_path, const char *ref, ag_corpus **out, ag_error *err);

/* ------------------------------------------------------------------ */
/* History and matrix (store_history.c; they use the diff engine).    */

typedef struct ag_store_diff_summary {
    ag_verdict verdict;                  /* overall: worst unsuppressed change */
    size_t counts[AG_VERDICT__COUNT];    /* changes per verdict */
    size_t functions_added, functions_removed, functions_changed;
    size_t variables_added, variables_removed, variables_changed;
    /* Backward compatibility: of the old release's exported interfaces
       (distinct names of its exported functions and data objects), how many
       a breaking change impacts. Known (has_compat) when computed with the
       old corpus at hand, as history, matrix and libraries do. */
    bool has_compat;
    size_t interfaces_before, interfaces_broken;
} ag_store_diff_summary;

/* Verdict and counts of diff(old -> new), from the cache or computed and
   then cached. */
ag_status ag_store_diff_summary_of(ag_store *s, const char *library, const char *old_version,
                                   const char *new_version, ag_store_diff_summary *out,
                                   ag_error *err);

typedef struct ag_store_history_row {
    ag_store_release release;
    bool has_previous;                   /* false for the first release */
    ag_store_diff_summary vs_previous;   /* valid when has_previous */
} ag_store_history_row;

/* Every release of library in version order, each with its diff against
   the one before. */
ag_status ag_store_history(ag_store *s, const char *library, ag_store_history_row **rows,
                           size_t *n, ag_error *err);
void ag_store_history_free(ag_store_history_row *rows, size_t n);

typedef struct ag_store_matrix {
    char **versions;     /* n, in version order */
    size_t n;
    /* cells[built * n + running]: overall verdict of diff(built -> running);
       AG_VERDICT_NONE on the diagonal. */
    ag_verdict *cells;
} ag_store_matrix;

ag_status ag_store_matrix_of(ag_store *s, const char *library, ag_store_matrix **out,
                             ag_error *err);
void ag_store_matrix_free(ag_store_matrix *m);

/* The full JSON report (abiguard-diff/1) of diff(old_ref -> new_ref) with
   default options, kept in diff_cache for the running engine version, so
   asking for the same diff again costs one row read. Get sets *json to NULL
   when none is cached; put stores one (and the summary history reads). */
ag_status ag_store_report_get(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                              ag_error *err);
ag_status ag_store_report_put(ag_store *s, const char *old_ref, const char *new_ref, const ag_diff *d,
                              const char *json, ag_error *err);
/* The same for a release diff (abiguard-release-diff/1: either release has
   several binaries), its row's verdict and counts those of history. */
struct ag_release_diff;
ag_status ag_store_release_report_put(ag_store *s, const char *old_ref, const char *new_ref,
                                      const struct ag_release_diff *d, const char *json, ag_error *err);

/* ------------------------------------------------------------------ */
/* Audit results (store_audit.c): what `abiguard audit --push` sent.   */

typedef struct ag_store_audit {
    int64_t id;
    char *artifact;         /* the artifact's file name */
    char *kind;             /* "wheel", "jar", ... */
    bool loads;             /* every binary loads on every target */
    size_t binaries, failing;
    char *targets;          /* target names, comma-separated */
    char *created;          /* "YYYY-MM-DDTHH:MM:SSZ" UTC */
} ag_store_audit;

/* Stores one audit: meta's fields (id and created are set here) and report,
   the abiguard-audit/1 JSON (checked by the caller). One transaction. */
ag_status ag_store_add_audit(ag_store *s, ag_store_audit *meta, const char *report, ag_error *err);
/* The audits, newest first, at most limit (0: all). */
ag_status ag_store_list_audits(ag_store *s, size_t limit, ag_store_audit **out, size_t *n, ag_error *err);
void ag_store_audits_free(ag_store_audit *v, size_t n);
/* One audit's report JSON (malloc'd), and its row when meta is not NULL.
   AG_ERR_NOTFOUND "no audit N". */
ag_status ag_store_get_audit(ag_store *s, int64_t id, ag_store_audit *meta, char **report, ag_error *err);
/* Registered bindings and source links (store_bindings.c)            */

typedef struct ag_store_binding {
    char *library, *name, *version;
    char *built_against;    /* the library version it was built against, or NULL */
    char *created;          /* "YYYY-MM-DDTHH:MM:SSZ" UTC */
    size_t n_imports;       /* symbols it imports (from any library) */
} ag_store_binding;

/* Registers binding name@version of library (which must be stored:
   AG_ERR_NOTFOUND "no library NAME"). view_json is what
   ag_binding_view_to_json wrote (the caller has validated it). An existing
   one is AG_ERR_USAGE "... already exists (use --replace)" unless replace.
   The bindings of a library go with its last release. */
ag_status ag_store_add_binding(ag_store *s, const char *library, const char *name, const char *version,
                               const char *built_against, size_t n_imports, const char *view_json, bool replace,
                               ag_error *err);
/* The bindings of library (NULL: of every library), by name then age. */
ag_status ag_store_list_bindings(ag_store *s, const char *library, ag_store_binding **out, size_t *n,
                                 ag_error *err);
void ag_store_bindings_free(ag_store_binding *v, size_t n);
/* One binding, and its view as JSON (malloc'd). AG_ERR_NOTFOUND. */
ag_status ag_store_load_binding(ag_store *s, const char *library, const char *name, const char *version,
                                ag_store_binding *info, char **view_json, ag_error *err);

/* A release's source URL pattern ('https://.../blob/{version}/{file}#L{line}'),
   set (NULL: none) and read (*pattern NULL when it has none). */
ag_status ag_store_set_source_url(ag_store *s, const char *library, const char *version, const char *pattern,
                                  ag_error *err);
ag_status ag_store_source_url(ag_store *s, const char *library, const char *version, char **pattern,
                              ag_error *err);
/* The pattern of the release ref names (NAME@V, or NAME@V:BINARY: its
   release's) with {version} filled in, as reports take it
   (ag_report_context.old_source_url): *url NULL when it has none. What the
   service's diffs and `abiguard diff` of stored releases link with. */
ag_status ag_store_ref_source_url(ag_store *s, const char *ref, char **url, ag_error *err);

#endif
