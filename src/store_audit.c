/*
 * store_audit.c — audit results in the store (store.h, schema/006_audits.sql):
 * adding one pushed by `abiguard audit --push`, listing them, reading one
 * back. The report is kept as the JSON it came as; the columns are what
 * a list needs without parsing it.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static ag_status fail(ag_store *s, ag_error *err, const char *doing)
{
    return store_db_fail(s->db, err, doing);
}

ag_status ag_store_add_audit(ag_store *s, ag_store_audit *meta, const char *report, ag_error *err)
{
    const char *doing = "cannot store the audit";
    bool own;
    ag_status st = store_tx_begin(s, &own, err);
    if (st != AG_OK)
        return st;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO audits (artifact, kind, loads, binaries, failing, targets, report)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id, created",
                           -1, &q, NULL) != SQLITE_OK) {
        st = fail(s, err, doing);
    } else {
        sqlite3_bind_text(q, 1, meta->artifact, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, meta->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 3, meta->loads);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)meta->binaries);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)meta->failing);
        sqlite3_bind_text(q, 6, meta->targets, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 7, report, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) != SQLITE_ROW) {
            st = fail(s, err, doing);
        } else {
            meta->id = sqlite3_column_int64(q, 0);
            const unsigned char *c = sqlite3_column_text(q, 1);
            free(meta->created);
            meta->created = c ? strdup((const char *)c) : NULL;
            if (c && !meta->created)
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        }
    }
    sqlite3_finalize(q);
    return store_tx_end(s, own, st, err);
}

static char *text_at(sqlite3_stmt *q, int i, bool *oom)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    char *d = t ? strdup((const char *)t) : NULL;
    if (t && !d)
        *oom = true;
    return d;
}

static void row_of(sqlite3_stmt *q, ag_store_audit *a, bool *oom)
{
    a->id = sqlite3_column_int64(q, 0);
    a->artifact = text_at(q, 1, oom);
    a->kind = text_at(q, 2, oom);
    a->loads = sqlite3_column_int(q, 3) != 0;
    a->binaries = (size_t)sqlite3_column_int64(q, 4);
    a->failing = (size_t)sqlite3_column_int64(q, 5);
    a->targets = text_at(q, 6, oom);
    a->created = text_at(q, 7, oom);
}

#define AUDIT_COLUMNS "id, artifact, kind, loads, binaries, failing, targets, created"

/* Audits came with schema 6: an older store, read as it is (read-only),
   has none. */
#define AUDITS_SCHEMA 6

ag_status ag_store_list_audits(ag_store *s, size_t limit, ag_store_audit **out, size_t *n, ag_error *err)
{
    *out = NULL;
    *n = 0;
    if (s->schema < AUDITS_SCHEMA)
        return AG_OK;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT " AUDIT_COLUMNS " FROM audits ORDER BY id DESC LIMIT ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return fail(s, err, "cannot list the audits");
    sqlite3_bind_int64(q, 1, limit ? (sqlite3_int64)limit : -1);
    ag_status st = AG_OK;
    bool oom = false;
    size_t cap = 0;
    int rc;
    while (st == AG_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            ag_store_audit *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) {
                st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
                break;
            }
            *out = grown;
        }
        memset(&(*out)[*n], 0, sizeof **out);
        row_of(q, &(*out)[(*n)++], &oom);
        if (oom)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    if (st == AG_OK && rc != SQLITE_DONE)
        st = fail(s, err, "cannot list the audits");
    sqlite3_finalize(q);
    if (st != AG_OK) {
        ag_store_audits_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void ag_store_audits_free(ag_store_audit *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].artifact);
        free(v[i].kind);
        free(v[i].targets);
        free(v[i].created);
    }
    free(v);
}

ag_status ag_store_get_audit(ag_store *s, int64_t id, ag_store_audit *meta, char **report, ag_error *err)
{
    *report = NULL;
    if (s->schema < AUDITS_SCHEMA)
        return ag_fail(err, AG_ERR_NOTFOUND, "no audit %lld", (long long)id);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT " AUDIT_COLUMNS ", report FROM audits WHERE id = ?1", -1, &q, NULL) !=
        SQLITE_OK)
        return fail(s, err, "cannot read the audit");
    sqlite3_bind_int64(q, 1, id);
    ag_status st = AG_OK;
    int rc = sqlite3_step(q);
    bool oom = false;
    if (rc == SQLITE_ROW) {
        if (meta)
            row_of(q, meta, &oom);
        *report = text_at(q, 8, &oom);
        if (oom || !*report)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    } else if (rc == SQLITE_DONE) {
        st = ag_fail(err, AG_ERR_NOTFOUND, "no audit %lld", (long long)id);
    } else {
        st = fail(s, err, "cannot read the audit");
    }
    sqlite3_finalize(q);
    if (st != AG_OK) {
        free(*report);
        *report = NULL;
    }
    return st;
}
