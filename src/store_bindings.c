/*
 * store_bindings.c — registered bindings (schema/005_bindings.sql): what
 * `check` reads from a binding, kept per library so the service can say
 * which releases a binding can run with; and each release's source URL
 * pattern. See store.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char *const READ = "cannot read the database";

/* Bindings and source URL patterns came with schema 5: an older store,
   read as it is (read-only, see store_open), has none of either. */
#define BINDINGS_SCHEMA 5

static bool bad_text(const char *s)
{
    if (!s || !*s)
        return true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static ag_status library_id_of(ag_store *s, const char *library, int64_t *id, ag_error *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM libraries WHERE name = ?1", -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, READ);
    sqlite3_bind_text(q, 1, library, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    ag_status st = AG_OK;
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(q, 0);
    else if (rc == SQLITE_DONE)
        st = ag_fail(err, AG_ERR_NOTFOUND, "no library %s", library);
    else
        st = store_db_fail(s->db, err, READ);
    sqlite3_finalize(q);
    return st;
}

ag_status ag_store_add_binding(ag_store *s, const char *library, const char *name, const char *version,
                               const char *built_against, size_t n_imports, const char *view_json, bool replace,
                               ag_error *err)
{
    if (bad_text(name) || bad_text(version) || strchr(version, '@') || strchr(name, '@'))
        return ag_fail(err, AG_ERR_USAGE, "a binding's name and version are non-empty, without control "
                                          "characters or '@'");
    if (built_against && (bad_text(built_against) || strchr(built_against, '@')))
        return ag_fail(err, AG_ERR_USAGE, "--built-against names a version of %s without '@' or control "
                                          "characters", library);
    bool own = false;
    ag_status st = store_tx_begin(s, &own, err);
    if (st != AG_OK)
        return st;
    int64_t lib_id = 0;
    st = library_id_of(s, library, &lib_id, err);
    const char *doing = "cannot store the binding";
    sqlite3_stmt *q = NULL;
    if (st == AG_OK && replace) {
        if (sqlite3_prepare_v2(s->db, "DELETE FROM bindings WHERE library_id = ?1 AND name = ?2 AND version = ?3",
                               -1, &q, NULL) != SQLITE_OK)
            st = store_db_fail(s->db, err, doing);
        if (st == AG_OK) {
            sqlite3_bind_int64(q, 1, lib_id);
            sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 3, version, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(q) != SQLITE_DONE)
                st = store_db_fail(s->db, err, doing);
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (st == AG_OK &&
        sqlite3_prepare_v2(s->db, "INSERT INTO bindings(library_id, name, version, built_against, n_imports, view)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &q, NULL) != SQLITE_OK)
        st = store_db_fail(s->db, err, doing);
    if (st == AG_OK) {
        sqlite3_bind_int64(q, 1, lib_id);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, version, -1, SQLITE_TRANSIENT);
        if (built_against)
            sqlite3_bind_text(q, 4, built_against, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(q, 4);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)n_imports);
        sqlite3_bind_text(q, 6, view_json, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_CONSTRAINT)
            st = ag_fail(err, AG_ERR_USAGE, "binding %s %s of %s already exists (use --replace)", name, version,
                         library);
        else if (rc != SQLITE_DONE)
            st = store_db_fail(s->db, err, doing);
    }
    sqlite3_finalize(q);
    return store_tx_end(s, own, st, err);
}

static ag_status row_of(sqlite3_stmt *q, ag_store_binding *b, ag_error *err)
{
    const char *cols[5];
    for (int i = 0; i < 5; i++)
        cols[i] = (const char *)sqlite3_column_text(q, i);
    memset(b, 0, sizeof *b);
    b->library = cols[0] ? strdup(cols[0]) : NULL;
    b->name = cols[1] ? strdup(cols[1]) : NULL;
    b->version = cols[2] ? strdup(cols[2]) : NULL;
    b->built_against = cols[3] ? strdup(cols[3]) : NULL;
    b->created = cols[4] ? strdup(cols[4]) : NULL;
    b->n_imports = (size_t)sqlite3_column_int64(q, 5);
    if ((cols[0] && !b->library) || (cols[1] && !b->name) || (cols[2] && !b->version) ||
        (cols[3] && !b->built_against) || (cols[4] && !b->created))
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    return AG_OK;
}

static void binding_clear(ag_store_binding *b)
{
    free(b->library);
    free(b->name);
    free(b->version);
    free(b->built_against);
    free(b->created);
}

void ag_store_bindings_free(ag_store_binding *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        binding_clear(&v[i]);
    free(v);
}

#define BINDING_COLUMNS "l.name, b.name, b.version, b.built_against, b.created, b.n_imports"

ag_status ag_store_list_bindings(ag_store *s, const char *library, ag_store_binding **out, size_t *n,
                                 ag_error *err)
{
    *out = NULL;
    *n = 0;
    int64_t lib_id = 0;
    ag_status st = library ? library_id_of(s, library, &lib_id, err) : AG_OK;
    if (st != AG_OK || s->schema < BINDINGS_SCHEMA)
        return st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT " BINDING_COLUMNS " FROM bindings b JOIN libraries l ON l.id = b.library_id"
                                  " WHERE ?1 IS NULL OR b.library_id = ?1 ORDER BY l.name, b.name, b.id",
                           -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, READ);
    if (library)
        sqlite3_bind_int64(q, 1, lib_id);
    else
        sqlite3_bind_null(q, 1);
    ag_store_binding *v = NULL;
    size_t cap = 0;
    int rc;
    while (st == AG_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            ag_store_binding *bigger = realloc(v, ncap * sizeof *bigger);
            if (!bigger) {
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
                break;
            }
            v = bigger;
            cap = ncap;
        }
        st = row_of(q, &v[(*n)++], err);
    }
    if (st == AG_OK && rc != SQLITE_DONE)
        st = store_db_fail(s->db, err, READ);
    sqlite3_finalize(q);
    if (st != AG_OK) {
        ag_store_bindings_free(v, *n);
        *n = 0;
        return st;
    }
    *out = v;
    return AG_OK;
}

ag_status ag_store_load_binding(ag_store *s, const char *library, const char *name, const char *version,
                                ag_store_binding *info, char **view_json, ag_error *err)
{
    memset(info, 0, sizeof *info);
    *view_json = NULL;
    int64_t lib_id = 0;
    ag_status st = library_id_of(s, library, &lib_id, err);
    if (st != AG_OK)
        return st;
    if (s->schema < BINDINGS_SCHEMA)
        return ag_fail(err, AG_ERR_NOTFOUND, "no binding %s %s registered for %s", name, version, library);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT " BINDING_COLUMNS ", b.view FROM bindings b JOIN libraries l"
                                  " ON l.id = b.library_id WHERE b.library_id = ?1 AND b.name = ?2 AND b.version = ?3",
                           -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, READ);
    sqlite3_bind_int64(q, 1, lib_id);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, version, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        st = row_of(q, info, err);
        const char *v = (const char *)sqlite3_column_text(q, 6);
        if (st == AG_OK && !(*view_json = strdup(v ? v : "")))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    } else if (rc == SQLITE_DONE) {
        st = ag_fail(err, AG_ERR_NOTFOUND, "no binding %s %s registered for %s", name, version, library);
    } else {
        st = store_db_fail(s->db, err, READ);
    }
    sqlite3_finalize(q);
    if (st != AG_OK) {
        binding_clear(info);
        memset(info, 0, sizeof *info);
        free(*view_json);
        *view_json = NULL;
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* Source URL patterns                                                  */

ag_status ag_store_set_source_url(ag_store *s, const char *library, const char *version, const char *pattern,
                                  ag_error *err)
{
    if (pattern && (!*pattern || bad_text(pattern)))
        return ag_fail(err, AG_ERR_USAGE, "the source URL pattern is empty or contains control characters");
    bool own = false;
    ag_status st = store_tx_begin(s, &own, err);
    int64_t id = 0;
    if (st == AG_OK)
        st = store_find_release(s, library, version, &id, err);
    sqlite3_stmt *q = NULL;
    if (st == AG_OK && sqlite3_prepare_v2(s->db, "UPDATE releases SET source_url = ?2 WHERE id = ?1", -1, &q,
                                          NULL) != SQLITE_OK)
        st = store_db_fail(s->db, err, "cannot store the source URL");
    if (st == AG_OK) {
        sqlite3_bind_int64(q, 1, id);
        if (pattern)
            sqlite3_bind_text(q, 2, pattern, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(q, 2);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = store_db_fail(s->db, err, "cannot store the source URL");
    }
    sqlite3_finalize(q);
    /* The cached reports of its diffs link declarations through the old
       pattern: they go (their verdicts and counts stay, which no URL is in). */
    q = NULL;
    if (st == AG_OK && sqlite3_prepare_v2(s->db,
                                          "UPDATE diff_cache SET report = NULL"
                                          " WHERE (old_release_id = ?1 OR new_release_id = ?1) AND report IS NOT NULL",
                                          -1, &q, NULL) != SQLITE_OK)
        st = store_db_fail(s->db, err, "cannot store the source URL");
    if (st == AG_OK) {
        sqlite3_bind_int64(q, 1, id);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = store_db_fail(s->db, err, "cannot store the source URL");
    }
    sqlite3_finalize(q);
    return store_tx_end(s, own, st, err);
}

ag_status ag_store_source_url(ag_store *s, const char *library, const char *version, char **pattern,
                              ag_error *err)
{
    *pattern = NULL;
    int64_t id = 0;
    ag_status st = store_find_release(s, library, version, &id, err);
    if (st != AG_OK || s->schema < BINDINGS_SCHEMA)
        return st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT source_url FROM releases WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, READ);
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        if (!(*pattern = strdup((const char *)sqlite3_column_text(q, 0))))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        st = store_db_fail(s->db, err, READ);
    }
    sqlite3_finalize(q);
    return st;
}

ag_status ag_store_ref_source_url(ag_store *s, const char *ref, char **url, ag_error *err)
{
    *url = NULL;
    char *name = NULL, *version = NULL;
    int64_t id = 0, bin_id = -1;
    ag_status st = ag_store_parse_ref(ref, &name, &version, err);
    if (st == AG_OK)
        st = store_resolve(s, name, version, &id, &bin_id, err);
    free(name);
    free(version);
    if (st != AG_OK || s->schema < BINDINGS_SCHEMA)
        return st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT version, source_url FROM releases WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, READ);
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    const char *ver = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
    const char *pattern = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 1) : NULL;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = store_db_fail(s->db, err, READ);
    /* {version}: the release's own version, never the ":BINARY" suffix. */
    size_t len = 0;
    FILE *m = pattern && ver ? open_memstream(url, &len) : NULL;
    if (pattern && ver && !m)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (const char *p = pattern; m && *p;) {
        if (strncmp(p, "{version}", 9) == 0) {
            fputs(ver, m);
            p += 9;
        } else {
            fputc(*p++, m);
        }
    }
    if (m && fclose(m) != 0) {
        free(*url);
        *url = NULL;
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    sqlite3_finalize(q);
    return st;
}
