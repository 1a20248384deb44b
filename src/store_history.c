/*
 * store_history.c — a library's timeline and compatibility matrix from the
 * store: verdicts of diff(old -> new) between releases, computed with the
 * diff engine once and kept in diff_cache (schema/001_initial.sql), so the
 * second `history` or `matrix` of fifty releases costs a few queries.
 *
 * Cached rows are written in one short transaction after the diffs are
 * computed, never while holding the write lock for the diffing itself; a row
 * whose release was replaced or removed in the meantime is simply not
 * written. A cache that cannot be written (read-only database) is not an
 * error: the answer is still right, just not remembered.
 *
 * A release of several binaries (added from an artifact) is compared with
 * the release diff (release_diff.h): its verdict is the worst of its
 * binaries' pairs (a binary removed is breaking, one added compatible),
 * its counts are the pairs' summed (a removed or added binary counts as one
 * breaking or compatible change), and of its interfaces, those of a removed
 * binary are all broken.
 */
#include "store_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "progress.h"
#include "release_diff.h"
#include "version.h"

/* ------------------------------------------------------------------ */
/* Summary <-> cache row                                               */

void store_summary_from_diff(const ag_diff *d, ag_store_diff_summary *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = ag_diff_overall(d);
    for (int v = 0; v < AG_VERDICT__COUNT; v++)
        out->counts[v] = d->counts[v];
    out->functions_added = d->functions_added;
    out->functions_removed = d->functions_removed;
    out->functions_changed = d->functions_changed;
    out->variables_added = d->variables_added;
    out->variables_removed = d->variables_removed;
    out->variables_changed = d->variables_changed;
}

typedef struct named_count {
    const char *key;
    size_t offset;
} named_count;

#define NC(field) { #field, offsetof(ag_store_diff_summary, field) }
static const named_count INTERFACE_COUNTS[] = {
    NC(functions_added), NC(functions_removed), NC(functions_changed),
    NC(variables_added), NC(variables_removed), NC(variables_changed),
};
#undef NC
#define N_INTERFACE_COUNTS (sizeof INTERFACE_COUNTS / sizeof INTERFACE_COUNTS[0])

static size_t *count_field(ag_store_diff_summary *s, const named_count *nc)
{
    return (size_t *)((char *)s + nc->offset);
}

/* {"api-break":0,"breaking":2,...,"functions_added":3,...} */
char *store_counts_json(const ag_store_diff_summary *sum)
{
    ag_store_diff_summary copy = *sum;
    json_t *o = json_object();
    for (int v = AG_VERDICT_NONE + 1; v < AG_VERDICT__COUNT; v++)
        json_object_set_new(o, ag_verdict_name((ag_verdict)v), json_integer((json_int_t)sum->counts[v]));
    for (size_t i = 0; i < N_INTERFACE_COUNTS; i++)
        json_object_set_new(o, INTERFACE_COUNTS[i].key,
                            json_integer((json_int_t)*count_field(&copy, &INTERFACE_COUNTS[i])));
    if (sum->has_compat) {
        json_object_set_new(o, "interfaces_before", json_integer((json_int_t)sum->interfaces_before));
        json_object_set_new(o, "interfaces_broken", json_integer((json_int_t)sum->interfaces_broken));
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

static int by_name_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_interface_symbol(ag_sym_type t)
{
    return t == AG_SYM_FUNC || t == AG_SYM_OBJECT || t == AG_SYM_IFUNC || t == AG_SYM_TLS;
}

/* The backward-compatibility counts of summary out for diff d from old:
   old's exported interface names, and those a breaking (unsuppressed)
   change impacts: an impacted interface, or the symbol a change is about
   (subject "name()", "name" or "name@VERSION"). A change to the file as a
   whole (SONAME) impacts no interface: the verdict shows it. */
static ag_status count_compat(const ag_corpus *old, const ag_diff *d, ag_store_diff_summary *out, ag_error *err)
{
    const char **names = malloc((old->n_exports ? old->n_exports : 1) * sizeof *names);
    bool *broken = calloc(old->n_exports ? old->n_exports : 1, sizeof *broken);
    if (!names || !broken) {
        free(names);
        free(broken);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < old->n_exports; i++)
        if (is_interface_symbol(old->exports[i].type))
            names[n++] = old->exports[i].name;
    if (n)
        qsort(names, n, sizeof *names, by_name_ptr);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (distinct == 0 || strcmp(names[distinct - 1], names[i]) != 0)
            names[distinct++] = names[i];
    for (size_t i = 0; i < d->n_changes; i++) {
        const ag_change *c = &d->changes[i];
        if (c->suppressed || c->verdict != AG_VERDICT_BREAKING)
            continue;
        for (size_t k = 0; k <= c->n_impacts; k++) {
            char key[1024];
            if (k < c->n_impacts) {
                if (!c->impacts[k].interface)
                    continue;
                snprintf(key, sizeof key, "%s", c->impacts[k].interface);
            } else {
                if (c->n_impacts || !c->subject)
                    continue;
                snprintf(key, sizeof key, "%.*s", (int)strcspn(c->subject, "(@"), c->subject);
            }
            const char *kp = key;
            const char **hit = distinct ? bsearch(&kp, names, distinct, sizeof *names, by_name_ptr) : NULL;
            if (hit)
                broken[hit - names] = true;
        }
    }
    out->has_compat = true;
    out->interfaces_before = distinct;
    out->interfaces_broken = 0;
    for (size_t i = 0; i < distinct; i++)
        out->interfaces_broken += broken[i];
    free(names);
    free(broken);
    return AG_OK;
}

/* False when the row does not parse (then it is recomputed and replaced). */
static bool summary_from_row(const char *verdict, const char *counts, ag_store_diff_summary *out)
{
    memset(out, 0, sizeof *out);
    int v = verdict ? ag_verdict_from_name(verdict) : -1;
    json_error_t jerr;
    json_t *o = counts ? json_loads(counts, 0, &jerr) : NULL;
    if (v < 0 || !json_is_object(o)) {
        json_decref(o);
        return false;
    }
    out->verdict = (ag_verdict)v;
    bool ok = true;
    for (int k = AG_VERDICT_NONE + 1; k < AG_VERDICT__COUNT; k++) {
        json_t *n = json_object_get(o, ag_verdict_name((ag_verdict)k));
        ok = ok && json_is_integer(n);
        out->counts[k] = n ? (size_t)json_integer_value(n) : 0;
    }
    for (size_t i = 0; i < N_INTERFACE_COUNTS; i++) {
        json_t *n = json_object_get(o, INTERFACE_COUNTS[i].key);
        ok = ok && json_is_integer(n);
        *count_field(out, &INTERFACE_COUNTS[i]) = n ? (size_t)json_integer_value(n) : 0;
    }
    json_t *before = json_object_get(o, "interfaces_before"), *broken = json_object_get(o, "interfaces_broken");
    out->has_compat = json_is_integer(before) && json_is_integer(broken);
    if (out->has_compat) {
        out->interfaces_before = (size_t)json_integer_value(before);
        out->interfaces_broken = (size_t)json_integer_value(broken);
    }
    json_decref(o);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Computing with a cache                                              */

/* The releases of one library, their corpora loaded on first use. */
typedef struct diff_session {
    ag_store *s;
    ag_store_release *rels;
    size_t n;
    ag_corpus **corpora;          /* n, lazily */
    ag_store_loaded_release *multi; /* n, lazily: releases of several binaries */
    /* pending cache rows */
    struct pending { int64_t old_id, new_id; ag_store_diff_summary sum; } *pending;
    size_t n_pending, cap_pending;
} diff_session;

static ag_status session_open(ag_store *s, const char *library, diff_session *ds, ag_error *err)
{
    memset(ds, 0, sizeof *ds);
    ds->s = s;
    ag_status st = ag_store_list_releases(s, library, &ds->rels, &ds->n, err);
    if (st != AG_OK)
        return st;
    ds->corpora = calloc(ds->n ? ds->n : 1, sizeof *ds->corpora);
    ds->multi = calloc(ds->n ? ds->n : 1, sizeof *ds->multi);
    return ds->corpora && ds->multi ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

static void session_close(diff_session *ds)
{
    for (size_t i = 0; ds->corpora && i < ds->n; i++)
        ag_corpus_free(ds->corpora[i]);
    for (size_t i = 0; ds->multi && i < ds->n; i++)
        ag_store_loaded_release_free(&ds->multi[i]);
    free(ds->corpora);
    free(ds->multi);
    ag_store_releases_free(ds->rels, ds->n);
    free(ds->pending);
}

static ag_status session_corpus(diff_session *ds, size_t i, const ag_corpus **out, ag_error *err)
{
    if (!ds->corpora[i]) {
        char label[512];
        snprintf(label, sizeof label, "%s@%s", ds->rels[i].library, ds->rels[i].version);
        ag_status st = store_load_release_id(ds->s, ds->rels[i].id, label, &ds->corpora[i], err);
        if (st != AG_OK)
            return st;
    }
    *out = ds->corpora[i];
    return AG_OK;
}

static ag_status session_release(diff_session *ds, size_t i, const ag_store_loaded_release **out, ag_error *err)
{
    if (ds->multi[i].n == 0) {
        char label[512];
        snprintf(label, sizeof label, "%s@%s", ds->rels[i].library, ds->rels[i].version);
        ag_status st = store_load_release_binaries(ds->s, ds->rels[i].id, label, &ds->multi[i], err);
        if (st != AG_OK)
            return st;
    }
    *out = &ds->multi[i];
    return AG_OK;
}

/* Drops what release i holds in memory. */
static void session_forget(diff_session *ds, size_t i)
{
    ag_corpus_free(ds->corpora[i]);
    ds->corpora[i] = NULL;
    ag_store_loaded_release_free(&ds->multi[i]);
}

/* The summary of a release diff (see the top of the file). */
ag_status store_summary_of_release_diff(const ag_release_diff *rd, ag_store_diff_summary *out, ag_error *err)
{
    memset(out, 0, sizeof *out);
    out->verdict = rd->verdict;
    out->has_compat = true;
    for (size_t i = 0; i < rd->n_pairs; i++) {
        const ag_release_pair *p = &rd->pairs[i];
        ag_store_diff_summary one;
        if (p->status == AG_PAIR_ADDED) {
            out->counts[AG_VERDICT_COMPATIBLE]++;
            continue;
        }
        if (p->status == AG_PAIR_REMOVED) {
            /* Every interface of the old binary is gone. */
            ag_diff empty;
            memset(&empty, 0, sizeof empty);
            ag_status st = count_compat(p->old_b->corpus, &empty, &one, err);
            if (st != AG_OK)
                return st;
            out->counts[AG_VERDICT_BREAKING]++;
            out->interfaces_before += one.interfaces_before;
            out->interfaces_broken += one.interfaces_before;
            continue;
        }
        store_summary_from_diff(p->diff, &one);
        ag_status st = count_compat(p->old_b->corpus, p->diff, &one, err);
        if (st != AG_OK)
            return st;
        for (int v = 0; v < AG_VERDICT__COUNT; v++)
            out->counts[v] += one.counts[v];
        out->functions_added += one.functions_added;
        out->functions_removed += one.functions_removed;
        out->functions_changed += one.functions_changed;
        out->variables_added += one.variables_added;
        out->variables_removed += one.variables_removed;
        out->variables_changed += one.variables_changed;
        out->interfaces_before += one.interfaces_before;
        out->interfaces_broken += one.interfaces_broken;
    }
    return AG_OK;
}

static ag_status cache_lookup(ag_store *s, int64_t old_id, int64_t new_id, bool *hit,
                              ag_store_diff_summary *out, ag_error *err)
{
    *hit = false;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
            "SELECT verdict, counts FROM diff_cache"
            " WHERE old_release_id = ?1 AND new_release_id = ?2 AND engine = ?3",
            -1, &st, NULL) != SQLITE_OK)
        return store_db_fail(s->db, err, "cannot read the diff cache");
    sqlite3_bind_int64(st, 1, old_id);
    sqlite3_bind_int64(st, 2, new_id);
    sqlite3_bind_text(st, 3, ABIGUARD_VERSION, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    ag_status status = AG_OK;
    if (rc == SQLITE_ROW)
        *hit = summary_from_row((const char *)sqlite3_column_text(st, 0),
                                (const char *)sqlite3_column_text(st, 1), out);
    else if (rc != SQLITE_DONE)
        status = store_db_fail(s->db, err, "cannot read the diff cache");
    sqlite3_finalize(st);
    return status;
}

static ag_status pend(diff_session *ds, int64_t old_id, int64_t new_id, const ag_store_diff_summary *out);

static ag_status session_summary(diff_session *ds, size_t old_i, size_t new_i,
                                 ag_store_diff_summary *out, ag_error *err)
{
    int64_t old_id = ds->rels[old_i].id, new_id = ds->rels[new_i].id;
    bool hit;
    ag_status st = cache_lookup(ds->s, old_id, new_id, &hit, out, err);
    if (st != AG_OK || (hit && out->has_compat))
        return st;
    if (ds->rels[old_i].n_binaries > 1 || ds->rels[new_i].n_binaries > 1) {
        const ag_store_loaded_release *ra, *rb;
        ag_release_diff *rd = NULL;
        ag_error inner = { .msg = "" };
        if ((st = session_release(ds, old_i, &ra, err)) != AG_OK ||
            (st = session_release(ds, new_i, &rb, err)) != AG_OK)
            return st;
        st = store_release_diff(ds->s, ra, rb, &rd, &inner);
        if (st == AG_ERR_LIMIT)
            return ag_fail(err, st, "%s", inner.msg);
        if (st != AG_OK)
            return ag_fail(err, st, "cannot diff %s@%s -> %s@%s: %s", ds->rels[old_i].library,
                           ds->rels[old_i].version, ds->rels[new_i].library, ds->rels[new_i].version, inner.msg);
        st = store_summary_of_release_diff(rd, out, err);
        ag_release_diff_free(rd);
        if (st != AG_OK)
            return st;
        return pend(ds, old_id, new_id, out);
    }
    const ag_corpus *a, *b;
    if ((st = session_corpus(ds, old_i, &a, err)) != AG_OK ||
        (st = session_corpus(ds, new_i, &b, err)) != AG_OK)
        return st;
    ag_diff_options opts;
    memset(&opts, 0, sizeof opts);
    opts.budget = ds->s->budget;
    ag_diff *d = NULL;
    ag_error inner = { .msg = "" };
    st = ag_diff_corpora(a, b, &opts, &d, &inner);
    if (st == AG_ERR_LIMIT)
        return ag_fail(err, st, "%s", inner.msg);
    if (st != AG_OK)
        return ag_fail(err, st, "cannot diff %s@%s -> %s@%s: %s", ds->rels[old_i].library,
                       ds->rels[old_i].version, ds->rels[new_i].library, ds->rels[new_i].version,
                       inner.msg);
    store_summary_from_diff(d, out);
    st = count_compat(a, d, out, err);
    ag_diff_free(d);
    if (st != AG_OK)
        return st;
    return pend(ds, old_id, new_id, out);
}

/* A computed summary, to be cached by session_flush. */
static ag_status pend(diff_session *ds, int64_t old_id, int64_t new_id, const ag_store_diff_summary *out)
{
    if (ds->n_pending == ds->cap_pending) {
        size_t cap = ds->cap_pending ? ds->cap_pending * 2 : 16;
        struct pending *bigger = realloc(ds->pending, cap * sizeof *bigger);
        if (!bigger)
            return AG_OK; /* only the caching is lost */
        ds->pending = bigger;
        ds->cap_pending = cap;
    }
    ds->pending[ds->n_pending++] = (struct pending){ old_id, new_id, *out };
    return AG_OK;
}

/* Best effort, see the top of the file. */
static void write_pending(diff_session *ds)
{
    if (ds->n_pending == 0)
        return;
    ag_store *s = ds->s;
    bool own;
    ag_error ignored;
    if (store_tx_begin_nowait(s, &own, &ignored) != AG_OK)
        return;
    sqlite3_stmt *st;
    ag_status status = AG_OK;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO diff_cache(old_release_id, new_release_id, engine, verdict, counts)"
            " SELECT ?1, ?2, ?3, ?4, ?5"
            " WHERE EXISTS (SELECT 1 FROM releases WHERE id = ?1)"
            " AND EXISTS (SELECT 1 FROM releases WHERE id = ?2)"
            " ON CONFLICT(old_release_id, new_release_id) DO UPDATE SET engine = excluded.engine,"
            " verdict = excluded.verdict, counts = excluded.counts,"
            " report = CASE WHEN diff_cache.engine = excluded.engine THEN diff_cache.report END",
            -1, &st, NULL) != SQLITE_OK) {
        store_tx_end(s, own, AG_ERR_IO, &ignored);
        return;
    }
    for (size_t i = 0; status == AG_OK && i < ds->n_pending; i++) {
        char *counts = store_counts_json(&ds->pending[i].sum);
        if (!counts) {
            status = AG_ERR_NOMEM;
            break;
        }
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ds->pending[i].old_id);
        sqlite3_bind_int64(st, 2, ds->pending[i].new_id);
        sqlite3_bind_text(st, 3, ABIGUARD_VERSION, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ag_verdict_name(ds->pending[i].sum.verdict), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, counts, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = AG_ERR_IO;
        free(counts);
    }
    sqlite3_finalize(st);
    store_tx_end(s, own, status, &ignored);
    ds->n_pending = 0;
}

static void session_flush(diff_session *ds)
{
    /* Also after the budget ran out (see keep_progress): this short write
       must not be interrupted by it. */
    ag_budget *budget = ds->s->budget;
    ds->s->budget = NULL;
    write_pending(ds);
    ds->s->budget = budget;
}

/* After success, or when the budget ran out: the verdicts computed so far
   are kept, so asking again (a history or matrix too big for one request's
   budget) goes on from there instead of starting over. */
static void keep_progress(diff_session *ds, ag_status st)
{
    if (st == AG_OK || st == AG_ERR_LIMIT)
        session_flush(ds);
}

static ag_status find_in_session(const diff_session *ds, const char *version, size_t *i, ag_error *err)
{
    for (size_t k = 0; k < ds->n; k++) {
        if (strcmp(ds->rels[k].version, version) == 0) {
            *i = k;
            return AG_OK;
        }
    }
    return ag_store_no_release(err, ds->n ? ds->rels[0].library : "?", version, ds->rels, ds->n);
}

/* ------------------------------------------------------------------ */
/* Public                                                              */

ag_status ag_store_diff_summary_of(ag_store *s, const char *library, const char *old_version,
                                   const char *new_version, ag_store_diff_summary *out,
                                   ag_error *err)
{
    diff_session ds;
    ag_status st = session_open(s, library, &ds, err);
    size_t a = 0, b = 0;
    if (st == AG_OK)
        st = find_in_session(&ds, old_version, &a, err);
    if (st == AG_OK)
        st = find_in_session(&ds, new_version, &b, err);
    if (st == AG_OK)
        st = session_summary(&ds, a, b, out, err);
    keep_progress(&ds, st);
    session_close(&ds);
    return st;
}

void ag_store_history_free(ag_store_history_row *rows, size_t n)
{
    if (!rows)
        return;
    /* The release structs were moved out of one array; free them as one. */
    for (size_t i = 0; i < n; i++) {
        ag_store_release *r = &rows[i].release;
        free(r->library);
        free(r->version);
        free(r->date);
        free(r->notes);
        free(r->created);
        free(r->file_name);
        free(r->soname);
        free(r->build_id);
    }
    free(rows);
}

ag_status ag_store_history(ag_store *s, const char *library, ag_store_history_row **rows,
                           size_t *n, ag_error *err)
{
    *rows = NULL;
    *n = 0;
    diff_session ds;
    ag_status st = session_open(s, library, &ds, err);
    ag_store_history_row *v = NULL;
    if (st == AG_OK && !(v = calloc(ds.n ? ds.n : 1, sizeof *v)))
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 1; st == AG_OK && i < ds.n; i++) {
        st = session_summary(&ds, i - 1, i, &v[i].vs_previous, err);
        v[i].has_previous = true;
        ag_progress("comparing releases", i, ds.n - 1);
        /* Only one corpus is needed at a time: keep memory flat for long
           histories. */
        if (i >= 2)
            session_forget(&ds, i - 2);
    }
    ag_progress_end();
    keep_progress(&ds, st);
    if (st == AG_OK) {
        /* Hand the release records over to the rows. */
        for (size_t i = 0; i < ds.n; i++)
            v[i].release = ds.rels[i];
        free(ds.rels);
        ds.rels = NULL;
        *rows = v;
        *n = ds.n;
    } else {
        free(v);
    }
    session_close(&ds);
    return st;
}

void ag_store_matrix_free(ag_store_matrix *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->versions[i]);
    free(m->versions);
    free(m->cells);
    free(m);
}

ag_status ag_store_matrix_of(ag_store *s, const char *library, ag_store_matrix **out,
                             ag_error *err)
{
    *out = NULL;
    diff_session ds;
    ag_status st = session_open(s, library, &ds, err);
    ag_store_matrix *m = NULL;
    if (st == AG_OK) {
        m = calloc(1, sizeof *m);
        if (m) {
            m->versions = calloc(ds.n ? ds.n : 1, sizeof *m->versions);
            m->cells = calloc(ds.n ? ds.n * ds.n : 1, sizeof *m->cells);
        }
        if (!m || !m->versions || !m->cells)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == AG_OK && i < ds.n; i++) {
        if (!(m->versions[i] = strdup(ds.rels[i].version))) {
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
            break;
        }
        m->n = i + 1;
    }
    uint64_t compared = 0;
    for (size_t built = 0; st == AG_OK && built < ds.n; built++) {
        for (size_t running = 0; st == AG_OK && running < ds.n; running++) {
            ag_store_diff_summary sum = { .verdict = AG_VERDICT_NONE };
            if (built == running) {
                m->cells[built * ds.n + running] = AG_VERDICT_NONE;
                continue;
            }
            st = session_summary(&ds, built, running, &sum, err);
            m->cells[built * ds.n + running] = sum.verdict;
            ag_progress("comparing releases", ++compared, ds.n * (ds.n - 1));
        }
    }
    ag_progress_end();
    keep_progress(&ds, st);
    session_close(&ds);
    if (st != AG_OK) {
        ag_store_matrix_free(m);
        return st;
    }
    *out = m;
    return AG_OK;
}
