/*
 * store_diff.c — a diff report between two stored releases, from the diff
 * cache or computed and cached (see store_diff.h). The same steps as
 * `abiguard diff NAME@A NAME@B` with default options: load both corpora,
 * diff, render JSON with the refs as labels, keep it in diff_cache (unless
 * it is over AG_STORE_MAX_CACHED_REPORT). The store's budget, if any, is
 * charged by the loads and the diff. When either release has several
 * binaries (one added from an artifact), the report is the release diff
 * (release_diff.h: binaries paired by SONAME then stem, one section each),
 * cached the same way; NAME@V:SONAME names one binary, and its diff is
 * never cached (the cache is keyed by release).
 */
#include "store_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release_diff.h"
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

/* The release's source URL pattern with {version} filled in, or NULL
   (none recorded, or out of memory: the report then has no links). */
static char *source_url_of(ag_store *s, const char *ref)
{
    char *url = NULL;
    ag_error ignored = { .msg = "" };
    ag_store_ref_source_url(s, ref, &url, &ignored);
    return url;
}

static ag_status render(ag_store *s, const ag_diff *d, const char *old_ref, const char *new_ref,
                        const ag_corpus *o, const ag_corpus *n, bool show_private, char **json, ag_error *err)
{
    ag_budget *budget = s->budget;
    size_t len = 0;
    FILE *mem = ag_budget_memstream(budget, json, &len);
    if (!mem)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    char *old_url = source_url_of(s, old_ref), *new_url = source_url_of(s, new_ref);
    ag_report_context ctx = { .old_label = old_ref, .new_label = new_ref, .old_c = o, .new_c = n,
                              .fail_on = AG_VERDICT_BREAKING, .show_private = show_private,
                              .old_source_url = old_url, .new_source_url = new_url };
    ag_status st = ag_report_write(d, &ctx, AG_FMT_JSON, mem, err);
    free(old_url);
    free(new_url);
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

ag_status ag_store_ref_binaries(ag_store *s, const char *ref, size_t *n, bool *named, ag_error *err)
{
    *n = 0;
    *named = false;
    char *name = NULL, *version = NULL;
    int64_t rel_id = 0, bin_id = -1;
    ag_status st = ag_store_parse_ref(ref, &name, &version, err);
    if (st == AG_OK)
        st = store_resolve(s, name, version, &rel_id, &bin_id, err);
    ag_store_binary *bins = NULL;
    if (st == AG_OK)
        st = ag_store_list_binaries(s, name, version, &bins, n, err);
    ag_store_binaries_free(bins, *n);
    *named = bin_id >= 0;
    free(name);
    free(version);
    return st;
}

static ag_status load_release_ref(ag_store *s, const char *ref, ag_store_loaded_release *out, ag_error *err)
{
    char *name = NULL, *version = NULL;
    ag_status st = ag_store_parse_ref(ref, &name, &version, err);
    if (st == AG_OK)
        st = ag_store_load_release(s, name, version, out, err);
    free(name);
    free(version);
    return st;
}

/* The binaries of a loaded release as release_diff takes them, labelled
   by the names NAME@V:BINARY uses. */
static ag_release_binary *release_bins(const ag_store_loaded_release *r)
{
    ag_release_binary *v = calloc(r->n ? r->n : 1, sizeof *v);
    for (size_t i = 0; v && i < r->n; i++) {
        const ag_corpus *c = r->corpora[i];
        v[i].corpus = c;
        v[i].inner_path = r->inner_paths[i] ? r->inner_paths[i] : c->elf.file_name;
        v[i].label = c->elf.soname ? c->elf.soname : c->elf.file_name;
    }
    return v;
}

ag_status store_release_diff(ag_store *s, const ag_store_loaded_release *o, const ag_store_loaded_release *n,
                             ag_release_diff **out, ag_error *err)
{
    *out = NULL;
    ag_release_binary *ob = release_bins(o), *nb = release_bins(n);
    ag_diff_options opts = { .budget = s->budget };
    ag_status st = ob && nb ? ag_release_diff_build(ob, o->n, nb, n->n, &opts, out, err)
                            : ag_fail(err, AG_ERR_NOMEM, "out of memory");
    /* The pairs point at the binaries: keep them with the result. */
    if (st == AG_OK) {
        (*out)->owned[0] = ob;
        (*out)->owned[1] = nb;
    } else {
        free(ob);
        free(nb);
    }
    return st;
}

static ag_status release_diff_json(ag_store *s, const char *old_ref, const char *new_ref, bool show_private,
                                   bool cacheable, char **json, ag_error *err)
{
    ag_store_loaded_release o = { 0 }, n = { 0 };
    ag_release_diff *d = NULL;
    ag_status st;
    if ((st = load_release_ref(s, old_ref, &o, err)) == AG_OK &&
        (st = load_release_ref(s, new_ref, &n, err)) == AG_OK &&
        (st = store_release_diff(s, &o, &n, &d, err)) == AG_OK) {
        size_t len = 0;
        FILE *mem = ag_budget_memstream(s->budget, json, &len);
        char *old_url = source_url_of(s, old_ref), *new_url = source_url_of(s, new_ref);
        ag_report_context ctx = { .old_label = old_ref, .new_label = new_ref, .fail_on = AG_VERDICT_BREAKING,
                                  .show_private = show_private, .old_source_url = old_url,
                                  .new_source_url = new_url };
        st = mem ? ag_release_report_write(d, &ctx, AG_FMT_JSON, mem, err) : ag_fail(err, AG_ERR_NOMEM, "out of memory");
        free(old_url);
        free(new_url);
        if (mem && fclose(mem) != 0 && st == AG_OK)
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        if (s->budget && s->budget->hit == AG_BUDGET_SIZE)
            st = ag_budget_fail(s->budget, err);
        if (st != AG_OK) {
            free(*json);
            *json = NULL;
        } else if (cacheable && strlen(*json) <= AG_STORE_MAX_CACHED_REPORT) {
            ag_error ignored;
            ag_store_release_report_put(s, old_ref, new_ref, d, *json, &ignored); /* best effort */
        }
    }
    ag_release_diff_free(d);
    ag_store_loaded_release_free(&o);
    ag_store_loaded_release_free(&n);
    return st;
}

/* The cache holds the default report only: one with the private changes
   is computed each time (the service's response cache keeps it). */
static ag_status diff_json(ag_store *s, const char *old_ref, const char *new_ref, bool show_private,
                           void (*narrow)(ag_diff *, void *), void *arg, char **json, ag_error *err)
{
    *json = NULL;
    size_t n_old = 0, n_new = 0;
    bool named_old = false, named_new = false;
    ag_status st = ag_store_ref_binaries(s, old_ref, &n_old, &named_old, err);
    if (st == AG_OK)
        st = ag_store_ref_binaries(s, new_ref, &n_new, &named_new, err);
    if (st != AG_OK)
        return st;
    bool cacheable = !show_private && !narrow && !named_old && !named_new;
    if ((n_old > 1 || n_new > 1) && narrow)
        return ag_fail(err, AG_ERR_USAGE, "a diff narrowed to a binding compares one binary of each release: "
                                          "name it, NAME@V:SONAME");
    /* Cached by release pair, as the verdicts are: a release's binaries
       cannot change without replacing it (a new id), so a pair's report is
       always of one kind (abiguard-release-diff/1 when either release has
       several binaries), and it goes with either release (ON DELETE CASCADE)
       or with the engine version. */
    st = cacheable ? ag_store_report_get(s, old_ref, new_ref, json, err) : AG_OK;
    if (st != AG_OK || *json)
        return st;
    if (n_old > 1 || n_new > 1)
        return release_diff_json(s, old_ref, new_ref, show_private, cacheable, json, err);
    ag_corpus *o = NULL, *n = NULL;
    ag_diff *d = NULL;
    ag_diff_options opts = { .budget = s->budget };
    if ((st = load_ref(s, old_ref, &o, err)) == AG_OK &&
        (st = load_ref(s, new_ref, &n, err)) == AG_OK &&
        (st = ag_diff_corpora(o, n, &opts, &d, err)) == AG_OK && (!narrow || (narrow(d, arg), true)) &&
        (st = render(s, d, old_ref, new_ref, o, n, show_private, json, err)) == AG_OK &&
        cacheable && strlen(*json) <= AG_STORE_MAX_CACHED_REPORT) {
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
    return diff_json(s, old_ref, new_ref, false, NULL, NULL, json, err);
}

ag_status ag_store_diff_json_with_private(ag_store *s, const char *old_ref, const char *new_ref, char **json,
                                          ag_error *err)
{
    return diff_json(s, old_ref, new_ref, true, NULL, NULL, json, err);
}

ag_status ag_store_diff_json_narrowed(ag_store *s, const char *old_ref, const char *new_ref, bool show_private,
                                      void (*narrow)(ag_diff *d, void *arg), void *arg, char **json,
                                      ag_error *err)
{
    return diff_json(s, old_ref, new_ref, show_private, narrow, arg, json, err);
}
