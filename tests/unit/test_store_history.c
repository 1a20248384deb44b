/*
 * test_store_history.c — history and matrix from the store
 * (store_history.c) on three real releases (liblua 5.1, 5.3, 5.4): version
 * order, verdicts that agree with a direct diff, one cached row per pair,
 * cache hits on the second call, and replace dropping the replaced
 * release's rows.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "extract.h"
#include "store.h"

static ag_corpus *extract(const char *path)
{
    ag_debug_search search = { 0 };
    ag_corpus *c = NULL;
    ag_error err = { .msg = "" };
    cr_assert_eq(ag_extract(path, &search, &c, &err), AG_OK, "%s: %s", path, err.msg);
    return c;
}

static long long cache_rows(const char *db_path)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM diff_cache", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

Test(store_history, history_and_matrix_are_cached)
{
    char dir[] = "/tmp/abiguard-history-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char db[64];
    snprintf(db, sizeof db, "%s/h.db", dir);
    static const char *const libs[] = { "/usr/lib/x86_64-linux-gnu/liblua5.4.so.0",
                                        "/usr/lib/x86_64-linux-gnu/liblua5.1.so.0",
                                        "/usr/lib/x86_64-linux-gnu/liblua5.3.so.0" };
    static const char *const versions[] = { "5.4", "5.1", "5.3" }; /* added out of order */
    ag_corpus *c[3];
    ag_error err = { .msg = "" };
    ag_store *s = NULL;
    cr_assert_eq(ag_store_open(db, &s, &err), AG_OK, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        c[i] = extract(libs[i]);
        cr_assert_eq(ag_store_add_release(s, "lua", versions[i], NULL, NULL, c[i], false, &err), AG_OK,
                     "%s", err.msg);
    }

    ag_store_history_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(ag_store_history(s, "lua", &rows, &n, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(rows[0].release.version, "5.1");
    cr_assert_str_eq(rows[1].release.version, "5.3");
    cr_assert_str_eq(rows[2].release.version, "5.4");
    cr_assert(!rows[0].has_previous);
    cr_assert(rows[1].has_previous && rows[2].has_previous);
    cr_assert_str_eq(rows[1].release.soname, "liblua5.3.so.0");
    /* 5.3 -> 5.4 agrees with a direct diff. */
    ag_diff *d = NULL;
    ag_diff_options opts = { 0 };
    cr_assert_eq(ag_diff_corpora(c[2], c[0], &opts, &d, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(rows[2].vs_previous.verdict, ag_diff_overall(d));
    for (int v = 0; v < AG_VERDICT__COUNT; v++)
        cr_assert_eq(rows[2].vs_previous.counts[v], d->counts[v], "counts[%s]", ag_verdict_name((ag_verdict)v));
    cr_assert_eq(rows[2].vs_previous.functions_added, d->functions_added);
    cr_assert_eq(rows[2].vs_previous.functions_removed, d->functions_removed);
    ag_diff_free(d);
    cr_assert_eq(cache_rows(db), 2);

    /* Second call: from the cache, same answer. */
    ag_store_history_row *again = NULL;
    size_t n2 = 0;
    cr_assert_eq(ag_store_history(s, "lua", &again, &n2, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(n2, 3);
    for (size_t i = 1; i < 3; i++)
        cr_assert(memcmp(&again[i].vs_previous, &rows[i].vs_previous, sizeof rows[i].vs_previous) == 0,
                  "cached summary %zu differs", i);
    ag_store_history_free(again, n2);
    ag_store_history_free(rows, n);
    cr_assert_eq(cache_rows(db), 2);

    ag_store_matrix *m = NULL;
    cr_assert_eq(ag_store_matrix_of(s, "lua", &m, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(m->n, 3);
    cr_assert_str_eq(m->versions[0], "5.1");
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(m->cells[i * 3 + i], AG_VERDICT_NONE);
    /* Going back to an older release loses functions: breaking. */
    cr_assert_eq(m->cells[2 * 3 + 0], AG_VERDICT_BREAKING);
    ag_store_matrix_free(m);
    cr_assert_eq(cache_rows(db), 6);

    /* Replacing 5.3 drops the four rows that involve it. */
    cr_assert_eq(ag_store_add_release(s, "lua", "5.3", NULL, NULL, c[2], true, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(cache_rows(db), 2);

    ag_store_diff_summary sum;
    cr_assert_eq(ag_store_diff_summary_of(s, "lua", "5.4", "5.4", &sum, &err), AG_OK, "%s", err.msg);
    cr_assert_eq(sum.verdict, AG_VERDICT_NONE);
    cr_assert_eq(ag_store_history(s, "nope", &rows, &n, &err), AG_ERR_NOTFOUND);

    ag_store_close(s);
    for (int i = 0; i < 3; i++)
        ag_corpus_free(c[i]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}
