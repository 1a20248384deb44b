/*
 * server_bindings.c — the service's registered bindings ("for whom",
 * docs/api.md): registering one (POST, token-guarded, with the upload
 * limits of any corpus), listing a library's bindings with the check
 * verdict of each against every release, one binding's matrix (which
 * releases it can run with, and the changes that decide it), and a diff
 * of two releases narrowed to what a binding uses. The verdict is what
 * `abiguard check` says, computed from the stored view (binding.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binding.h"
#include "server_internal.h"
#include "store_diff.h"

static json_t *jstr(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

/* ------------------------------------------------------------------ */
/* Checking a stored binding                                           */

typedef struct stored_binding {
    ag_store_binding info;
    ag_binding_view *view;
    ag_corpus *built_against;   /* the stored binary it was built against, or NULL */
} stored_binding;

static void stored_free(stored_binding *b)
{
    ag_binding_view_free(b->view);
    ag_corpus_free(b->built_against);
    free(b->info.library);
    free(b->info.name);
    free(b->info.version);
    free(b->info.built_against);
    free(b->info.created);
    memset(b, 0, sizeof *b);
}

/* Of a loaded release, the index of the binary the binding uses (its
   DT_NEEDED names its SONAME; the only one of a release of one), or -1. */
static long binary_for(const stored_binding *b, const ag_store_loaded_release *r)
{
    const ag_corpus *bc = b->view->corpus;
    return ag_binding_library_binary((const ag_corpus *const *)r->corpora, r->n, bc->elf.needed, bc->elf.n_needed);
}

static ag_status load_stored(ag_store *s, const char *lib, const char *name, const char *ver, stored_binding *out,
                             ag_error *err)
{
    memset(out, 0, sizeof *out);
    char *json = NULL;
    ag_status st = ag_store_load_binding(s, lib, name, ver, &out->info, &json, err);
    if (st == AG_OK)
        st = ag_binding_view_from_json(json, strlen(json), &out->view, err);
    free(json);
    if (st == AG_OK && out->info.built_against) {
        /* Of a baseline of several binaries, the one the binding needs. */
        ag_error missing = { .msg = "" };
        ag_store_loaded_release base = { 0 };
        ag_status bst = ag_store_load_release(s, lib, out->info.built_against, &base, &missing);
        if (bst != AG_OK && bst != AG_ERR_NOTFOUND)
            st = ag_fail(err, bst, "%s", missing.msg);
        long k = bst == AG_OK ? binary_for(out, &base) : -1;
        if (k >= 0) {
            out->built_against = base.corpora[k];
            base.corpora[k] = NULL;
        }
        ag_store_loaded_release_free(&base);
    }
    if (st != AG_OK)
        stored_free(out);
    return st;
}

/* What the binding needs from the library, for messages: its DT_NEEDED. */
static void needed_list(const stored_binding *b, char *buf, size_t size)
{
    const ag_corpus *bc = b->view->corpus;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < bc->elf.n_needed && used + 1 < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", bc->elf.needed[i]);
        if (n < 0)
            break;
        used += (size_t)n < size - used ? (size_t)n : size - used - 1;
    }
    if (!buf[0])
        snprintf(buf, size, "no library at all");
}

/* "geo@2.0 has none of the libraries consumer 0.1 needs (libgeo.so.1):
   it has libx.so.1, liby.so.2" (malloc'd, or NULL out of memory). */
static char *unchecked_why(const stored_binding *b, const char *lib, const char *ver,
                           const ag_store_loaded_release *r)
{
    char needed[512], has[512];
    needed_list(b, needed, sizeof needed);
    size_t used = 0;
    has[0] = '\0';
    for (size_t i = 0; i < r->n && used + 1 < sizeof has; i++) {
        const ag_corpus *c = r->corpora[i];
        int n = snprintf(has + used, sizeof has - used, "%s%s", i ? ", " : "",
                         c->elf.soname ? c->elf.soname : c->elf.file_name);
        if (n < 0)
            break;
        used += (size_t)n < sizeof has - used ? (size_t)n : sizeof has - used - 1;
    }
    char *msg = NULL;
    if (asprintf(&msg, "%s@%s has none of the libraries %s %s needs (%s): it has %s; not checked", lib, ver,
                 b->info.name, b->info.version, needed, has) < 0)
        return NULL;
    return msg;
}

/* The check of b against release r of the library (every binary loaded),
   against the binary b uses: *out NULL and *picked -1 when it uses none. */
static ag_status check(const srv_request *rq, const stored_binding *b, const ag_store_loaded_release *r,
                       long *picked, ag_binding_check **out, ag_error *err)
{
    *out = NULL;
    *picked = binary_for(b, r);
    if (*picked < 0)
        return AG_OK;
    ag_diff_options opts = { .budget = rq->budget };
    return ag_binding_check_view(b->view, r->corpora[*picked], b->built_against, &opts, out, err);
}

static const char *binary_name(const ag_corpus *c)
{
    return c->elf.soname ? c->elf.soname : c->elf.file_name;
}

static const char *kind_id(const ag_change *c)
{
    const ag_change_kind_info *info = ag_change_kind_info_of(c->kind);
    return info ? info->id : "unknown";
}

/* {"verdict", "counts": {...}, "changes": [{"id", "verdict", "subject"}]}
   (changes: the unsuppressed ones, at most max_changes; "more": the rest). */
static json_t *verdict_json(const ag_binding_check *r, size_t max_changes)
{
    const ag_diff *d = r->diff;
    json_t *counts = json_object(), *changes = json_array();
    for (int v = AG_VERDICT_BREAKING; v > AG_VERDICT_NONE; v--)
        json_object_set_new(counts, ag_verdict_name((ag_verdict)v), json_integer((json_int_t)d->counts[v]));
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < d->n_changes; i++) {
        const ag_change *c = &d->changes[i];
        if (c->suppressed)
            continue;
        if (shown == max_changes) {
            more++;
            continue;
        }
        shown++;
        json_array_append_new(changes, json_pack("{s:s,s:s,s:o}", "id", kind_id(c), "verdict",
                                                 ag_verdict_name(c->verdict), "subject", jstr(c->subject)));
    }
    return json_pack("{s:s,s:o,s:o,s:I}", "verdict", ag_verdict_name(ag_diff_overall(d)), "counts", counts,
                     "changes", changes, "more", (json_int_t)more);
}

static json_t *binding_json(const ag_store_binding *b)
{
    return json_pack("{s:o,s:o,s:o,s:I,s:o}", "name", jstr(b->name), "version", jstr(b->version), "built_against",
                     jstr(b->built_against), "imports", (json_int_t)b->n_imports, "registered", jstr(b->created));
}

/* ------------------------------------------------------------------ */
/* GET libraries/{lib}/bindings: each binding, and its verdict against
   every release ({"release": verdict}); each release is loaded once. */

void srv_api_bindings(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_binding *list = NULL;
    ag_store_release *rels = NULL;
    size_t n = 0, nr = 0;
    ag_status st = ag_store_list_bindings(s, rq->lib, &list, &n, &err);
    if (st == AG_OK)
        st = ag_store_list_releases(s, rq->lib, &rels, &nr, &err);
    stored_binding *b = st == AG_OK ? calloc(n ? n : 1, sizeof *b) : NULL;
    if (st == AG_OK && !b)
        st = ag_fail(&err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == AG_OK && i < n; i++)
        st = load_stored(s, rq->lib, list[i].name, list[i].version, &b[i], &err);
    json_t *verdicts = json_array(), *unchecked = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(verdicts, json_object());
        json_array_append_new(unchecked, json_object());
    }
    for (size_t r = 0; st == AG_OK && r < nr && n; r++) {
        ag_store_loaded_release rel = { 0 };
        if ((st = ag_store_load_release(s, rq->lib, rels[r].version, &rel, &err)) != AG_OK)
            break;
        for (size_t i = 0; st == AG_OK && i < n; i++) {
            ag_binding_check *chk = NULL;
            long picked = -1;
            if ((st = check(rq, &b[i], &rel, &picked, &chk, &err)) == AG_OK && chk) {
                json_object_set_new(json_array_get(verdicts, i), rels[r].version,
                                    json_string(ag_verdict_name(ag_diff_overall(chk->diff))));
            } else if (st == AG_OK) {
                char *why = unchecked_why(&b[i], rq->lib, rels[r].version, &rel);
                json_object_set_new(json_array_get(verdicts, i), rels[r].version, json_null());
                json_object_set_new(json_array_get(unchecked, i), rels[r].version, jstr(why));
                free(why);
            }
            ag_binding_check_free(chk);
        }
        ag_store_loaded_release_free(&rel);
    }
    json_t *arr = json_array();
    for (size_t i = 0; st == AG_OK && i < n; i++) {
        json_t *o = binding_json(&list[i]);
        json_object_set(o, "releases", json_array_get(verdicts, i));
        json_object_set(o, "unchecked", json_array_get(unchecked, i));
        json_array_append_new(arr, o);
    }
    json_decref(verdicts);
    json_decref(unchecked);
    for (size_t i = 0; b && i < n; i++)
        stored_free(&b[i]);
    free(b);
    ag_store_bindings_free(list, n);
    ag_store_releases_free(rels, nr);
    if (st != AG_OK) {
        json_decref(arr);
        srv_fail(rep, st, &err);
        return;
    }
    srv_reply_json(rep, 200, arr, true);
}

/* ------------------------------------------------------------------ */
/* GET libraries/{lib}/bindings/{name}/{ver}: the binding and its matrix,
   one row per release of the library (oldest first) with the check's
   verdict and the changes that decide it. */

#define CHANGES_PER_RELEASE 50

void srv_api_binding(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    stored_binding b;
    ag_store_release *rels = NULL;
    size_t nr = 0;
    ag_status st = load_stored(s, rq->lib, rq->binding, rq->ver, &b, &err);
    if (st != AG_OK) {
        srv_fail(rep, st, &err);
        return;
    }
    st = ag_store_list_releases(s, rq->lib, &rels, &nr, &err);
    json_t *rows = json_array();
    for (size_t r = 0; st == AG_OK && r < nr; r++) {
        ag_store_loaded_release rel = { 0 };
        ag_binding_check *chk = NULL;
        long picked = -1;
        if ((st = ag_store_load_release(s, rq->lib, rels[r].version, &rel, &err)) == AG_OK &&
            (st = check(rq, &b, &rel, &picked, &chk, &err)) == AG_OK) {
            json_t *o;
            if (chk) {
                o = verdict_json(chk, CHANGES_PER_RELEASE);
                json_object_set_new(o, "source", json_string(ag_binding_source_name(chk->source)));
                json_object_set_new(o, "binary", jstr(binary_name(rel.corpora[picked])));
                json_object_set_new(o, "unchecked", json_null());
            } else {
                /* The release does not ship what the binding loads. */
                char *why = unchecked_why(&b, rq->lib, rels[r].version, &rel);
                o = json_pack("{s:n,s:n,s:n,s:[],s:I,s:n,s:o}", "verdict", "counts", "source", "changes", "more",
                              (json_int_t)0, "binary", "unchecked", jstr(why));
                free(why);
            }
            json_object_set_new(o, "release", jstr(rels[r].version));
            json_array_append_new(rows, o);
        }
        ag_binding_check_free(chk);
        ag_store_loaded_release_free(&rel);
    }
    json_t *o = st == AG_OK ? binding_json(&b.info) : NULL;
    if (o) {
        const ag_corpus *bc = b.view->corpus;
        json_object_set_new(o, "library", jstr(rq->lib));
        json_object_set_new(o, "file_name", jstr(bc->elf.file_name));
        json_object_set_new(o, "debug_info", json_boolean(bc->has_debug_info));
        json_object_set_new(o, "built_against_stored", json_boolean(b.built_against != NULL));
        json_object_set(o, "matrix", rows);
    }
    json_decref(rows);
    stored_free(&b);
    ag_store_releases_free(rels, nr);
    if (st != AG_OK) {
        srv_fail(rep, st, &err);
        return;
    }
    srv_reply_json(rep, 200, o, true);
}

/* ------------------------------------------------------------------ */
/* The diff page narrowed to one binding                                */

typedef struct narrow_job {
    const ag_binding_check *chk;
} narrow_job;

static void narrow(ag_diff *d, void *arg)
{
    const narrow_job *job = arg;
    ag_binding_narrow(d, job->chk);
}

/* *named: ref with ":BINARY" of the binary b uses, when ref is a release
   of several binaries that names none (soname: that binary, when known);
   NULL when ref is fine as it is. */
static ag_status name_binary(ag_store *s, const stored_binding *b, const char *ref, const char *soname,
                             char **named, ag_error *err)
{
    *named = NULL;
    size_t n = 0;
    bool one = false;
    ag_status st = ag_store_ref_binaries(s, ref, &n, &one, err);
    if (st != AG_OK || one || n < 2)
        return st;
    char *lib = NULL, *ver = NULL;
    ag_store_binary *bins = NULL;
    size_t nb = 0;
    const char **names = NULL;
    if (!soname) {
        if ((st = ag_store_parse_ref(ref, &lib, &ver, err)) == AG_OK &&
            (st = ag_store_list_binaries(s, lib, ver, &bins, &nb, err)) == AG_OK &&
            !(names = calloc(nb ? nb : 1, sizeof *names)))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == AG_OK && i < nb; i++)
            names[i] = bins[i].soname;
        const ag_corpus *bc = b->view->corpus;
        long k = st == AG_OK ? ag_binding_library_soname(names, nb, bc->elf.needed, bc->elf.n_needed) : -1;
        if (st == AG_OK && k < 0) {
            char needed[512];
            needed_list(b, needed, sizeof needed);
            st = ag_fail(err, AG_ERR_NOTFOUND, "%s has none of the libraries %s %s needs (%s)", ref, b->info.name,
                         b->info.version, needed);
        }
        if (st == AG_OK)
            soname = bins[k].soname;
    }
    if (st == AG_OK && asprintf(named, "%s:%s", ref, soname) < 0) {
        *named = NULL;
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    free(names);
    ag_store_binaries_free(bins, nb);
    free(lib);
    free(ver);
    return st;
}

ag_status srv_binding_diff_json(ag_store *s, const srv_request *rq, const char *old_ref, const char *new_ref,
                                const char *binding_ref, bool show_private, char **json, ag_error *err)
{
    *json = NULL;
    char *lib = NULL, *ver = NULL, *name = NULL, *bver = NULL;
    ag_status st = ag_store_parse_ref(old_ref, &lib, &ver, err);
    if (st == AG_OK && ag_store_parse_ref(binding_ref, &name, &bver, err) != AG_OK)
        st = ag_fail(err, AG_ERR_USAGE, "?binding= needs NAME@VERSION of a registered binding, not '%s'",
                     binding_ref);
    stored_binding b = { 0 };
    ag_store_loaded_release old_r = { 0 };
    ag_binding_check *chk = NULL;
    char *old_one = NULL, *new_one = NULL;
    if (st == AG_OK)
        st = load_stored(s, lib, name, bver, &b, err);
    /* What the binding uses is decided as check decides it against the
       old release: its imports from the library and their declarations,
       in the binary its DT_NEEDED names (of a release of several). */
    long picked = -1;
    if (st == AG_OK)
        st = ag_store_load_release(s, lib, ver, &old_r, err);
    if (st == AG_OK && (st = check(rq, &b, &old_r, &picked, &chk, err)) == AG_OK && !chk) {
        char *why = unchecked_why(&b, lib, ver, &old_r);
        st = ag_fail(err, AG_ERR_NOTFOUND, "%s", why ? why : "out of memory");
        free(why);
    }
    /* A release of several binaries is narrowed to the one the binding
       uses: NAME@V:SONAME on each side that does not name one. */
    if (st == AG_OK)
        st = name_binary(s, &b, old_ref, old_r.n > 1 ? binary_name(old_r.corpora[picked]) : NULL, &old_one, err);
    if (st == AG_OK)
        st = name_binary(s, &b, new_ref, NULL, &new_one, err);
    narrow_job job = { chk };
    if (st == AG_OK)
        st = ag_store_diff_json_narrowed(s, old_one ? old_one : old_ref, new_one ? new_one : new_ref, show_private,
                                         narrow, &job, json, err);
    ag_binding_check_free(chk);
    ag_store_loaded_release_free(&old_r);
    stored_free(&b);
    free(old_one);
    free(new_one);
    free(lib);
    free(ver);
    free(name);
    free(bver);
    return st;
}

/* ------------------------------------------------------------------ */
/* POST libraries/{lib}/bindings/{name}/{ver}?built_against=V&replace=1 */

static bool view_over_limits(const ag_server_config *cfg, const ag_binding_view *v, srv_reply *rep)
{
    const ag_corpus *c = v->corpus;
    if (c->n_types > cfg->max_types) {
        srv_error(rep, 422, "the binding declares %zu types, over the limit of %zu (--max-types)", c->n_types,
                  cfg->max_types);
        return true;
    }
    size_t n_provided = 0;
    for (size_t i = 0; i < v->n_deps; i++)
        n_provided += v->deps[i].n_provides;
    if (c->n_imports > cfg->max_imports || c->n_exports > cfg->max_imports || v->held.n > cfg->max_imports ||
        v->n_deps > cfg->max_imports || n_provided > cfg->max_imports) {
        srv_error(rep, 422, "the binding has %zu imports, %zu exports, %zu types held by value, %zu needed "
                            "libraries providing %zu symbols: each is limited to %zu (--max-imports)",
                  c->n_imports, c->n_exports, v->held.n, v->n_deps, n_provided, cfg->max_imports);
        return true;
    }
    for (size_t i = 0; i < c->n_types; i++) {
        const ag_type *t = &c->types[i];
        size_t n = t->n_members > t->n_enumerators ? t->n_members : t->n_enumerators;
        if (t->n_params > n)
            n = t->n_params;
        if (n > cfg->max_members) {
            srv_error(rep, 422, "a type of the binding has %zu members, over the limit of %zu (--max-members)", n,
                      cfg->max_members);
            return true;
        }
    }
    for (size_t i = 0; i < c->n_functions; i++)
        if (c->functions[i].n_params > cfg->max_members) {
            srv_error(rep, 422, "function %s has %zu parameters, over the limit of %zu (--max-members)",
                      c->functions[i].name, c->functions[i].n_params, cfg->max_members);
            return true;
        }
    return false;
}

static bool plain_name(const char *s)
{
    json_t *utf8 = s ? json_string(s) : NULL; /* NULL unless valid UTF-8 */
    bool ok = utf8 != NULL && *s && !strchr(s, '@');
    json_decref(utf8);
    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
        ok = *p >= 0x20 && *p != 0x7f;
    return ok;
}

void srv_api_post_binding(const ag_server_config *cfg, const srv_request *rq, srv_reply *rep)
{
    const char *built = srv_query(rq, "built_against");
    if (built && !*built)
        built = NULL;
    if (!plain_name(rq->lib) || !plain_name(rq->binding) || !plain_name(rq->ver) || (built && !plain_name(built))) {
        srv_error(rep, 400, "library, binding and version names (and ?built_against=) are UTF-8 without control "
                            "characters or '@'");
        return;
    }
    ag_error err = { .msg = "" };
    ag_binding_view *v = NULL;
    if (ag_binding_view_from_json(rq->body ? rq->body : "", rq->body_len, &v, &err) != AG_OK) {
        json_error_t jerr;
        json_t *any = rq->body_len ? json_loadb(rq->body, rq->body_len, 0, &jerr) : NULL;
        if (any)
            srv_error(rep, 422, "%s", err.msg);
        else
            srv_error(rep, 400, "%s", err.msg);
        json_decref(any);
        return;
    }
    if (!view_over_limits(cfg, v, rep)) {
        /* Stored in canonical form: what the reader accepted, written again. */
        char *canonical = ag_binding_view_to_json(v, &err);
        if (!canonical) {
            srv_fail(rep, AG_ERR_NOMEM, &err);
        } else {
            rep->pending_binding = canonical;
            rep->pending_imports = v->corpus->n_imports;
            rep->pending_replace = srv_query(rq, "replace") && (strcmp(srv_query(rq, "replace"), "1") == 0 ||
                                                                strcmp(srv_query(rq, "replace"), "true") == 0);
        }
    }
    ag_binding_view_free(v);
}

void srv_api_write_binding(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    const char *built = srv_query(rq, "built_against");
    if (built && !*built)
        built = NULL;
    ag_status st = ag_store_add_binding(s, rq->lib, rq->binding, rq->ver, built, rep->pending_imports,
                                        rep->pending_binding, rep->pending_replace, &err);
    size_t n_imports = rep->pending_imports;
    srv_reply_drop_pending(rep);
    if (st == AG_OK) {
        rep->wrote = true;
        srv_reply_json(rep, 201,
                       json_pack("{s:o,s:o,s:o,s:o,s:I}", "library", jstr(rq->lib), "binding", jstr(rq->binding),
                                 "version", jstr(rq->ver), "built_against", jstr(built), "imports",
                                 (json_int_t)n_imports),
                       false);
    } else if (st == AG_ERR_USAGE && strstr(err.msg, "already exists")) {
        srv_error(rep, 409, "binding %s %s of %s already exists (POST with ?replace=1 to replace it)", rq->binding,
                  rq->ver, rq->lib);
    } else {
        srv_fail(rep, st, &err);
    }
}
