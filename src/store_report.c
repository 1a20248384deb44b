/*
 * store_report.c — whole diff reports in the store's diff_cache (see
 * store.h). The report column sits next to the verdict and counts that
 * history and matrix read, in the same row, so a release replaced or
 * removed drops its cached reports with everything else (ON DELETE CASCADE),
 * and a row made by another engine version is ignored and overwritten.
 */
#include <stdlib.h>
#include <string.h>

#include "release_diff.h"
#include "store_internal.h"
#include "version.h"

static ag_status release_ids(ag_store *s, const char *old_ref, const char *new_ref, int64_t ids[2],
                             ag_error *err)
{
    const char *refs[2] = { old_ref, new_ref };
    for (int i = 0; i < 2; i++) {
        char *name = NULL, *version = NULL;
        ag_status st = ag_store_parse_ref(refs[i], &name, &version, err);
        if (st == AG_OK)
            st = store_find_release(s, name, version, &ids[i], err);
        free(name);
        free(version);
        if (st != AG_OK)
            return st;
    }
    return AG_OK;
}

ag_status ag_store_report_get(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                              ag_error *err)
{
    *json = NULL;
    int64_t ids[2];
    ag_status st = release_ids(s, old_ref, new_ref, ids, err);
    if (st != AG_OK)
        return st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
            "SELECT report FROM diff_cache WHERE old_release_id = ?1 AND new_release_id = ?2"
            " AND engine = ?3 AND report IS NOT NULL",
            -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, "cannot read the diff cache");
    sqlite3_bind_int64(q, 1, ids[0]);
    sqlite3_bind_int64(q, 2, ids[1]);
    sqlite3_bind_text(q, 3, ABIGUARD_VERSION, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(q, 0);
        if (text && !(*json = strdup(text)))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        st = store_db_fail(s->db, err, "cannot read the diff cache");
    }
    sqlite3_finalize(q);
    return st;
}

static ag_status report_put(ag_store *s, const char *old_ref, const char *new_ref, const ag_store_diff_summary *sum,
                            const char *json, ag_error *err)
{
    int64_t ids[2];
    ag_status st = release_ids(s, old_ref, new_ref, ids, err);
    if (st != AG_OK)
        return st;
    char *counts = store_counts_json(sum);
    if (!counts)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    bool own;
    if ((st = store_tx_begin_nowait(s, &own, err)) != AG_OK) {
        free(counts);
        return st;
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
            "INSERT OR REPLACE INTO diff_cache(old_release_id, new_release_id, engine, verdict, counts, report)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            -1, &q, NULL) != SQLITE_OK) {
        st = store_db_fail(s->db, err, "cannot write the diff cache");
    } else {
        sqlite3_bind_int64(q, 1, ids[0]);
        sqlite3_bind_int64(q, 2, ids[1]);
        sqlite3_bind_text(q, 3, ABIGUARD_VERSION, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, ag_verdict_name(sum->verdict), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, counts, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, json, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = store_db_fail(s->db, err, "cannot write the diff cache");
        sqlite3_finalize(q);
    }
    free(counts);
    return store_tx_end(s, own, st, err);
}

ag_status ag_store_report_put(ag_store *s, const char *old_ref, const char *new_ref, const ag_diff *d,
                              const char *json, ag_error *err)
{
    ag_store_diff_summary sum;
    store_summary_from_diff(d, &sum);
    return report_put(s, old_ref, new_ref, &sum, json, err);
}

ag_status ag_store_release_report_put(ag_store *s, const char *old_ref, const char *new_ref,
                                      const ag_release_diff *d, const char *json, ag_error *err)
{
    /* The row's verdict and counts are the ones history computes for the
       pair, so it reads them as its own. */
    ag_store_diff_summary sum;
    ag_status st = store_summary_of_release_diff(d, &sum, err);
    return st == AG_OK ? report_put(s, old_ref, new_ref, &sum, json, err) : st;
}
