/*
 * store_diff.c — a diff report between two stored releases, from the diff
 * cache or computed and cached (see store_diff.h). The same steps as
 * `abiguard diff NAME@A NAME@B` with default options: load both corpora,
 * diff, render JSON with the refs as labels, keep it in diff_cache (unless
 * it is over AG_STORE_MAX_CACHED_REPORT). The store's budget, if any, is
 * charged by the loads and the diff.
 */
#include "store_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store_internal.h"

static ag_status load_ref(ag_store *s, const char *ref, ag_corpus **out, ag_error *err)
{
    char *name = NULL, *version = NULL;
    ag_status st = ag_store_parse_ref(ref, &name, &version, err);
    if (st == AG_OK)
        st = ag_store_load(s, name, version, out, err);
    free(name);
    free(version);
    return st;
}

static ag_status render(ag_budget *budget, const ag_diff *d, const char *old_ref, const char *new_ref,
                        const ag_corpus *o, const ag_corpus *n, bool show_private, char **json, ag_error *err)
{
    size_t len = 0;
    FILE *mem = ag_budget_memstream(budget, json, &len);
    if (!mem)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_report_context ctx = { .old_label = old_ref, .new_label = new_ref, .old_c = o, .new_c = n,
                              .fail_on = AG_VERDICT_BREAKING, .show_private = show_private };
    ag_status st = ag_report_write(d, &ctx, AG_FMT_JSON, mem, err);
    if (fclose(mem) != 0 && st == AG_OK)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (budget && budget->hit == AG_BUDGET_SIZE)
        st = ag_budget_fail(budget, err);
    if (st != AG_OK) {
        free(*json);
        *json = NULL;
    }
    return st;
}

/* The cache holds the default report only: one with the private changes
   is computed each time (the service's response cache keeps it). */
static ag_status diff_json(ag_store *s, const char *old_ref, const char *new_ref, bool show_private, char **json,
                           ag_error *err)
{
    *json = NULL;
    ag_status st = show_private ? AG_OK : ag_store_report_get(s, old_ref, new_ref, json, err);
    if (st != AG_OK || *json)
        return st;
    ag_corpus *o = NULL, *n = NULL;
    ag_diff *d = NULL;
    ag_diff_options opts = { .budget = s->budget };
    if ((st = load_ref(s, old_ref, &o, err)) == AG_OK &&
        (st = load_ref(s, new_ref, &n, err)) == AG_OK &&
        (st = ag_diff_corpora(o, n, &opts, &d, err)) == AG_OK &&
        (st = render(s->budget, d, old_ref, new_ref, o, n, show_private, json, err)) == AG_OK &&
        !show_private && strlen(*json) <= AG_STORE_MAX_CACHED_REPORT) {
        ag_error ignored;
        ag_store_report_put(s, old_ref, new_ref, d, *json, &ignored); /* best effort */
    }
    ag_diff_free(d);
    ag_corpus_free(o);
    ag_corpus_free(n);
    return st;
}

ag_status ag_store_diff_json(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                             ag_error *err)
{
    return diff_json(s, old_ref, new_ref, false, json, err);
}

ag_status ag_store_diff_json_with_private(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                                          ag_error *err)
{
    return diff_json(s, old_ref, new_ref, true, json, err);
}
