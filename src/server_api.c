/*
 * server_api.c — the JSON handlers of the service (docs/api.md): each reads
 * the worker's store and fills a reply; server.c routes, checks tokens,
 * collects bodies and sends. Status codes: 400 malformed JSON or query, 404
 * unknown library/version/type, 409 duplicate release, 422 a corpus that
 * fails validation, 500 anything else.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus_json.h"
#include "diff_json.h"
#include "server_internal.h"
#include "store_diff.h"
#include "store_internal.h"
#include "version.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static json_t *jstr(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

static json_t *jint(size_t n)
{
    return json_integer((json_int_t)n);
}

void srv_reply_json(srv_reply *rep, int status, json_t *v, bool cacheable)
{
    rep->body = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (!rep->body) {
        srv_error(rep, 500, "out of memory");
        return;
    }
    rep->len = strlen(rep->body);
    rep->status = status;
    rep->cacheable = cacheable;
}

static void reply_fail(srv_reply *rep, ag_status st, const ag_error *err)
{
    srv_fail(rep, st, err);
}

static const char *query(const srv_request *rq, const char *key)
{
    return srv_query(rq, key);
}

/* The releases of lib and the index of ver among them. */
static ag_status find_release(ag_store *s, const char *lib, const char *ver, ag_store_release **rels,
                              size_t *n, size_t *idx, ag_error *err)
{
    ag_status st = ag_store_list_releases(s, lib, rels, n, err);
    if (st != AG_OK)
        return st;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*rels)[i].version, ver) == 0) {
            *idx = i;
            return AG_OK;
        }
    ag_status st_missing = ag_store_no_release(err, lib, ver, *rels, *n);
    ag_store_releases_free(*rels, *n);
    *rels = NULL;
    *n = 0;
    return st_missing;
}

static char *machine_of(ag_store *s, int64_t release_id)
{
    sqlite3_stmt *q;
    char *m = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT machine FROM binaries WHERE release_id = ?1 ORDER BY position LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(q, 1, release_id);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        m = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return m;
}

static json_t *release_json(ag_store *s, const ag_store_release *r)
{
    char *machine = machine_of(s, r->id);
    json_t *o = json_object();
    json_object_set_new(o, "version", jstr(r->version));
    json_object_set_new(o, "date", jstr(r->date));
    json_object_set_new(o, "notes", jstr(r->notes));
    json_object_set_new(o, "soname", jstr(r->soname));
    json_object_set_new(o, "build_id", jstr(r->build_id));
    json_object_set_new(o, "machine", jstr(machine));
    json_object_set_new(o, "exports", jint(r->n_exports));
    json_object_set_new(o, "functions", jint(r->n_functions));
    json_object_set_new(o, "types", jint(r->n_types));
    json_object_set_new(o, "debug_info", json_boolean(r->has_debug_info));
    json_object_set_new(o, "added", jstr(r->created));
    json_object_set_new(o, "binaries", jint(r->n_binaries));
    free(machine);
    return o;
}

/* The binaries of a release (or the one {ver} = V:SONAME names). */
static ag_status binaries_json(ag_store *s, const char *lib, const char *ver, json_t **out, ag_error *err)
{
    *out = NULL;
    ag_store_binary *v = NULL;
    size_t n = 0;
    ag_status st = ag_store_list_binaries(s, lib, ver, &v, &n, err);
    if (st != AG_OK)
        return st;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const ag_store_binary *b = &v[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", jstr(ag_store_binary_name(b)));
        json_object_set_new(o, "path", jstr(b->inner_path));
        json_object_set_new(o, "file_name", jstr(b->file_name));
        json_object_set_new(o, "soname", jstr(b->soname));
        json_object_set_new(o, "build_id", jstr(b->build_id));
        json_object_set_new(o, "machine", jstr(b->machine));
        json_object_set_new(o, "debug_info", json_boolean(b->has_debug_info));
        json_object_set_new(o, "exports", jint(b->n_exports));
        json_object_set_new(o, "imports", jint(b->n_imports));
        json_object_set_new(o, "functions", jint(b->n_functions));
        json_object_set_new(o, "variables", jint(b->n_variables));
        json_object_set_new(o, "types", jint(b->n_types));
        json_array_append_new(arr, o);
    }
    ag_store_binaries_free(v, n);
    *out = arr;
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */

static void api_healthz(ag_store *s, srv_reply *rep)
{
    srv_reply_json(rep, 200, json_pack("{s:s,s:s,s:i,s:s}", "status", "ok", "version", ABIGUARD_VERSION,
                                   "schema", ag_store_schema_version(s), "store", ag_store_file_name(s)),
               false);
}

/* The worst verdict over the library's last `recent` release pairs, so a
   library whose latest pair is identical does not look all clear when the
   bump before it broke everything. */
static ag_status recent_worst(ag_store *s, const char *lib, const ag_store_release *rels, size_t nr,
                              size_t recent, json_t **out, ag_error *err)
{
    *out = json_null();
    if (nr < 2)
        return AG_OK;
    size_t first = nr - 1 > recent ? nr - 1 - recent : 0, worst_at = 0;
    bool have = false;
    ag_verdict worst = AG_VERDICT_NONE;
    for (size_t i = first + 1; i < nr; i++) {
        ag_store_diff_summary sum;
        ag_status st = ag_store_diff_summary_of(s, lib, rels[i - 1].version, rels[i].version, &sum, err);
        if (st != AG_OK)
            return st;
        if (!have || sum.verdict > worst) {
            worst = sum.verdict;
            worst_at = i;
            have = true;
        }
    }
    json_decref(*out);
    *out = json_pack("{s:I,s:s,s:o,s:o}", "pairs", (json_int_t)(nr - 1 - first), "verdict", ag_verdict_name(worst),
                     "old", jstr(rels[worst_at - 1].version), "new", jstr(rels[worst_at].version));
    return AG_OK;
}

#define RECENT_DEFAULT 5
#define RECENT_MAX 100

static void api_libraries(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    const char *rs = query(rq, "recent");
    size_t recent = RECENT_DEFAULT;
    if (rs) {
        char *end = NULL;
        unsigned long v = strtoul(rs, &end, 10);
        if (!*rs || *end || v < 1 || v > RECENT_MAX || rs[0] == '-') {
            srv_error(rep, 400, "recent must be a number of release pairs from 1 to %d", RECENT_MAX);
            return;
        }
        recent = v;
    }
    ag_store_library *libs = NULL;
    size_t n = 0;
    ag_status st = ag_store_list_libraries(s, &libs, &n, &err);
    json_t *arr = json_array();
    for (size_t i = 0; st == AG_OK && i < n; i++) {
        ag_store_release *rels = NULL;
        size_t nr = 0;
        if ((st = ag_store_list_releases(s, libs[i].name, &rels, &nr, &err)) != AG_OK)
            break;
        json_t *latest = json_null();
        if (nr) {
            const ag_store_release *last = &rels[nr - 1];
            json_t *verdict = json_null();
            ag_store_diff_summary sum;
            if (nr >= 2) {
                st = ag_store_diff_summary_of(s, libs[i].name, rels[nr - 2].version, last->version, &sum, &err);
                if (st == AG_OK)
                    verdict = json_string(ag_verdict_name(sum.verdict));
            }
            latest = json_pack("{s:o,s:o,s:o,s:o}", "version", jstr(last->version), "date", jstr(last->date),
                               "soname", jstr(last->soname), "verdict", verdict);
        }
        json_t *worst = NULL;
        if (st == AG_OK)
            st = recent_worst(s, libs[i].name, rels, nr, recent, &worst, &err);
        json_array_append_new(arr, json_pack("{s:o,s:I,s:o,s:o}", "name", jstr(libs[i].name), "releases",
                                             (json_int_t)nr, "latest", latest, "recent", worst ? worst : json_null()));
        ag_store_releases_free(rels, nr);
    }
    ag_store_libraries_free(libs, n);
    if (st != AG_OK) {
        json_decref(arr);
        reply_fail(rep, st, &err);
        return;
    }
    srv_reply_json(rep, 200, arr, true);
}

static void api_releases(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_release *rels = NULL;
    size_t n = 0;
    ag_status st = ag_store_list_releases(s, rq->lib, &rels, &n, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, release_json(s, &rels[i]));
    ag_store_releases_free(rels, n);
    srv_reply_json(rep, 200, arr, true);
}

static void api_binaries(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    json_t *arr = NULL;
    ag_status st = binaries_json(s, rq->lib, rq->ver, &arr, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    srv_reply_json(rep, 200, arr, true);
}

/* {ver} is V, or V:SONAME for one binary of a release of several: the
   release's fields, its "binaries", and the details of its binary (of the
   one named, or of its only one; none for a release of several). */
static void api_release(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_release *rels = NULL;
    size_t n = 0, idx = 0;
    ag_corpus *c = NULL;
    json_t *bins = NULL;
    ag_status st = binaries_json(s, rq->lib, rq->ver, &bins, &err);
    const char *colon = strrchr(rq->ver, ':');
    char *version = NULL;
    if (st == AG_OK) {
        /* The release itself: V of V:SONAME unless V:SONAME is a version. */
        st = find_release(s, rq->lib, rq->ver, &rels, &n, &idx, &err);
        if (st == AG_ERR_NOTFOUND && colon && (version = strndup(rq->ver, (size_t)(colon - rq->ver))))
            st = find_release(s, rq->lib, version, &rels, &n, &idx, &err);
    }
    bool one = st == AG_OK && json_array_size(bins) == 1;
    if (one)
        st = ag_store_load(s, rq->lib, json_array_size(bins) == 1 && rels[idx].n_binaries > 1 ? rq->ver
                                                                                              : rels[idx].version,
                           &c, &err);
    free(version);
    if (st != AG_OK) {
        ag_store_releases_free(rels, n);
        json_decref(bins);
        reply_fail(rep, st, &err);
        return;
    }
    json_t *o = release_json(s, &rels[idx]);
    json_object_set_new(o, "binaries", bins);
    if (!one) {
        ag_store_releases_free(rels, n);
        srv_reply_json(rep, 200, o, true);
        return;
    }
    json_t *first = json_array_get(bins, 0);
    json_object_set(o, "soname", json_object_get(first, "soname"));
    json_object_set(o, "build_id", json_object_get(first, "build_id"));
    json_object_set(o, "exports", json_object_get(first, "exports"));
    json_object_set(o, "functions", json_object_get(first, "functions"));
    json_object_set(o, "types", json_object_get(first, "types"));
    json_object_set(o, "path", json_object_get(first, "path"));
    json_object_set_new(o, "file_name", jstr(c->elf.file_name));
    json_object_set_new(o, "sha256", jstr(c->elf.sha256));
    json_t *needed = json_array();
    for (size_t i = 0; i < c->elf.n_needed; i++)
        json_array_append_new(needed, jstr(c->elf.needed[i]));
    json_object_set_new(o, "needed", needed);
    json_object_set_new(o, "hardening",
                        json_pack("{s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "relro", c->elf.relro, "bind_now",
                                  c->elf.bind_now, "stack_protector", c->elf.stack_protector, "exec_stack",
                                  c->elf.exec_stack, "static_tls", c->elf.static_tls, "cet_ibt",
                                  c->elf.cet_ibt, "cet_shstk", c->elf.cet_shstk));
    json_object_set_new(o, "imports", jint(c->n_imports));
    json_object_set_new(o, "variables", jint(c->n_variables));
    ag_corpus_free(c);
    ag_store_releases_free(rels, n);
    srv_reply_json(rep, 200, o, true);
}

static void api_corpus(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    char *json = NULL;
    ag_status st = ag_store_export_json(s, rq->lib, rq->ver, &json, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    rep->body = json;
    rep->len = strlen(json);
    rep->status = 200;
    rep->cacheable = true;
}

static bool is_layout_kind(ag_type_kind k)
{
    return k == AG_T_STRUCT || k == AG_T_UNION;
}

static void spell_named(const ag_type *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s", ag_type_kind_name(t->kind), t->name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

static int by_name_then_binary(const void *a, const void *b)
{
    int d = by_name(a, b);
    if (d)
        return d;
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "binary"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "binary"));
    return x && y ? strcmp(x, y) : 0;
}

static const char *binary_label(const ag_corpus *c)
{
    return c->elf.soname ? c->elf.soname : c->elf.file_name;
}

/* The named structs and unions of a release: of its one binary, or of
   each of several, each entry then saying which ("binary"). */
static void api_types(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_loaded_release rel = { 0 };
    ag_status st = ag_store_load_release(s, rq->lib, rq->ver, &rel, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    size_t total = 0;
    for (size_t b = 0; b < rel.n; b++)
        total += rel.corpora[b]->n_types;
    json_t **items = calloc(total ? total : 1, sizeof *items);
    size_t n = 0;
    for (size_t b = 0; items && b < rel.n; b++) {
        const ag_corpus *c = rel.corpora[b];
        for (size_t i = 0; i < c->n_types; i++) {
            const ag_type *t = &c->types[i];
            if (!is_layout_kind(t->kind) || !t->name)
                continue;
            char name[512];
            spell_named(t, name, sizeof name);
            json_t *o = json_pack("{s:o,s:s,s:I}", "name", jstr(name), "kind", ag_type_kind_name(t->kind), "size",
                                  (json_int_t)t->byte_size);
            if (o && rel.n > 1)
                json_object_set_new(o, "binary", jstr(binary_label(c)));
            if (o && json_is_string(json_object_get(o, "name")))
                items[n++] = o;
            else
                json_decref(o);
        }
    }
    if (n)
        qsort(items, n, sizeof *items, by_name_then_binary);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) /* one entry per name and binary (a definition and a declaration collapse) */
        if (i == 0 || by_name_then_binary(&items[i - 1], &items[i]) != 0)
            json_array_append(arr, items[i]);
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    bool ok = items != NULL;
    free(items);
    ag_store_loaded_release_free(&rel);
    if (!ok) {
        json_decref(arr);
        arr = NULL;
    }
    srv_reply_json(rep, 200, arr, true);
}

static bool is_alias(ag_type_kind k)
{
    return k == AG_T_TYPEDEF || k == AG_T_CONST || k == AG_T_VOLATILE || k == AG_T_RESTRICT || k == AG_T_ATOMIC;
}

static uint64_t type_size(const ag_corpus *c, ag_type_ref r, int depth)
{
    if (r == AG_NO_TYPE || r >= c->n_types || depth > 64)
        return 0;
    const ag_type *t = &c->types[r];
    if (t->byte_size)
        return t->byte_size;
    if (is_alias(t->kind))
        return type_size(c, t->target, depth + 1);
    if (t->kind == AG_T_POINTER)
        return (uint64_t)c->elf.elf_class / 8;
    if (t->kind == AG_T_ARRAY) {
        uint64_t n = 1;
        for (size_t i = 0; i < t->n_dims; i++) {
            if (t->dims[i] == AG_DIM_UNKNOWN)
                return 0;
            n *= t->dims[i];
        }
        return n * type_size(c, t->target, depth + 1);
    }
    return 0;
}

static uint64_t type_align(const ag_corpus *c, ag_type_ref r, int depth)
{
    if (r == AG_NO_TYPE || r >= c->n_types || depth > 64)
        return 1;
    const ag_type *t = &c->types[r];
    if (t->alignment)
        return t->alignment;
    if (is_alias(t->kind) || t->kind == AG_T_ARRAY)
        return type_align(c, t->target, depth + 1);
    if (t->kind == AG_T_STRUCT || t->kind == AG_T_UNION) {
        uint64_t a = 1;
        for (size_t i = 0; i < t->n_members; i++) {
            uint64_t m = t->members[i].alignment ? t->members[i].alignment
                                                 : type_align(c, t->members[i].type, depth + 1);
            if (m > a)
                a = m;
        }
        return a;
    }
    uint64_t size = type_size(c, r, depth + 1);
    if (t->kind == AG_T_BASE && t->encoding == AG_ENC_COMPLEX_FLOAT)
        size /= 2;
    if (size == 0)
        return 1;
    return size > 16 ? 16 : size;
}

/* The type named name in c, typedefs and qualifiers followed, or AG_NO_TYPE. */
static ag_type_ref named_type(const ag_corpus *c, const char *name)
{
    ag_type_ref r = ag_corpus_find_type(c, name);
    for (int guard = 0; r != AG_NO_TYPE && r < c->n_types && is_alias(c->types[r].kind) && guard < 64; guard++)
        r = c->types[r].target;
    return r < c->n_types ? r : AG_NO_TYPE;
}

/* "a.so.1, b.so.2" of the binaries of rel that define name (all of them
   when only is false). */
static void binary_list(const ag_store_loaded_release *rel, const char *name, bool only, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t b = 0; b < rel->n && used + 1 < size; b++) {
        if (only && named_type(rel->corpora[b], name) == AG_NO_TYPE)
            continue;
        int k = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", binary_label(rel->corpora[b]));
        if (k < 0)
            break;
        used += (size_t)k < size - used ? (size_t)k : size - used - 1;
    }
}

/* One type's layout. Of a release of several binaries, the one binary
   that defines the type answers (and is named, "binary"); when several
   do, the question is ambiguous: a 400 that lists them. */
static void api_type(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_loaded_release rel = { 0 };
    ag_status st = ag_store_load_release(s, rq->lib, rq->ver, &rel, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    const ag_corpus *c = NULL;
    size_t defining = 0;
    for (size_t b = 0; b < rel.n; b++)
        if (named_type(rel.corpora[b], rq->type_name) != AG_NO_TYPE) {
            defining++;
            if (!c)
                c = rel.corpora[b];
        }
    char names[512];
    if (defining == 0) {
        binary_list(&rel, rq->type_name, false, names, sizeof names);
        if (rel.n > 1)
            srv_error(rep, 404, "no type named %s in any binary of %s@%s (%s)", rq->type_name, rq->lib, rq->ver, names);
        else
            srv_error(rep, 404, "no type named %s in %s@%s", rq->type_name, rq->lib, rq->ver);
        ag_store_loaded_release_free(&rel);
        return;
    }
    if (defining > 1) {
        binary_list(&rel, rq->type_name, true, names, sizeof names);
        srv_error(rep, 400, "%s is in %zu binaries of %s@%s (%s); name one as %s:SONAME", rq->type_name, defining,
                  rq->lib, rq->ver, names, rq->ver);
        ag_store_loaded_release_free(&rel);
        return;
    }
    ag_type_ref r = named_type(c, rq->type_name);
    const ag_type *t = &c->types[r];
    char name[512];
    if (t->name && (is_layout_kind(t->kind) || t->kind == AG_T_ENUM))
        spell_named(t, name, sizeof name);
    else if (t->name)
        snprintf(name, sizeof name, "%s", t->name);
    else
        snprintf(name, sizeof name, "%s", rq->type_name);
    uint64_t size = type_size(c, r, 0);
    json_t *members = json_array(), *holes = json_array();
    uint64_t end = 0;
    for (size_t i = 0; i < (is_layout_kind(t->kind) ? t->n_members : 0); i++) {
        const ag_member *m = &t->members[i];
        char tname[512];
        ag_type_spell(c, m->type, tname, sizeof tname);
        uint64_t msize = type_size(c, m->type, 0), off = m->bit_offset / 8;
        json_array_append_new(members, json_pack("{s:o,s:o,s:I,s:I,s:I,s:I}", "name", jstr(m->name), "type",
                                                 jstr(tname), "offset", (json_int_t)off, "size",
                                                 (json_int_t)msize, "bit_offset", (json_int_t)m->bit_offset,
                                                 "bit_size", (json_int_t)m->bit_size));
        if (t->kind == AG_T_UNION) {
            if (msize > end)
                end = msize;
            continue;
        }
        if (off > end)
            json_array_append_new(holes, json_pack("{s:I,s:I}", "offset", (json_int_t)end, "size",
                                                   (json_int_t)(off - end)));
        uint64_t mend = m->bit_size ? (m->bit_offset + m->bit_size + 7) / 8 : off + msize;
        if (mend > end)
            end = mend;
    }
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(name));
    json_object_set_new(o, "kind", jstr(ag_type_kind_name(t->kind)));
    json_object_set_new(o, "size", json_integer((json_int_t)size));
    json_object_set_new(o, "alignment", json_integer((json_int_t)type_align(c, r, 0)));
    json_object_set_new(o, "decl_file", jstr(t->decl_file));
    json_object_set_new(o, "decl_line", t->decl_file ? json_integer(t->decl_line) : json_null());
    json_object_set_new(o, "declaration_only", json_boolean(t->declaration_only));
    json_object_set_new(o, "members", members);
    json_object_set_new(o, "holes", holes);
    json_object_set_new(o, "padding",
                        json_integer(is_layout_kind(t->kind) && size > end ? (json_int_t)(size - end) : 0));
    if (rel.n > 1)
        json_object_set_new(o, "binary", jstr(binary_label(c)));
    ag_store_loaded_release_free(&rel);
    srv_reply_json(rep, 200, o, true);
}

static json_t *verdict_or_null(bool has, ag_verdict v)
{
    return has ? json_string(ag_verdict_name(v)) : json_null();
}

static void api_history(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_history_row *rows = NULL;
    size_t n = 0;
    ag_status st = ag_store_history(s, rq->lib, &rows, &n, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const ag_store_history_row *r = &rows[i];
        const ag_store_diff_summary *d = &r->vs_previous;
        json_t *counts = json_object();
        for (int v = AG_VERDICT_BREAKING; v > AG_VERDICT_NONE; v--)
            json_object_set_new(counts, ag_verdict_name((ag_verdict)v),
                                jint(r->has_previous ? d->counts[v] : 0));
        json_t *o = json_object();
        json_object_set_new(o, "version", jstr(r->release.version));
        json_object_set_new(o, "date", jstr(r->release.date));
        json_object_set_new(o, "soname", jstr(r->release.soname));
        json_object_set_new(o, "verdict", verdict_or_null(r->has_previous, d->verdict));
        json_object_set_new(o, "counts", counts);
        bool p = r->has_previous;
        json_object_set_new(o, "functions_added", jint(p ? d->functions_added : 0));
        json_object_set_new(o, "functions_removed", jint(p ? d->functions_removed : 0));
        json_object_set_new(o, "functions_changed", jint(p ? d->functions_changed : 0));
        json_object_set_new(o, "variables_added", jint(p ? d->variables_added : 0));
        json_object_set_new(o, "variables_removed", jint(p ? d->variables_removed : 0));
        json_object_set_new(o, "variables_changed", jint(p ? d->variables_changed : 0));
        /* backward compatibility: the share of the previous release's
           exported interfaces no breaking change impacts */
        json_t *compat = json_null();
        if (p && d->has_compat)
            compat = json_pack("{s:I,s:I,s:f}", "interfaces", (json_int_t)d->interfaces_before, "not_impacted",
                               (json_int_t)(d->interfaces_before - d->interfaces_broken), "percent",
                               d->interfaces_before ? 100.0 * (double)(d->interfaces_before - d->interfaces_broken) /
                                                          (double)d->interfaces_before
                                                    : 100.0);
        json_object_set_new(o, "compatibility", compat);
        json_object_set_new(o, "size", json_pack("{s:I,s:I,s:I,s:I}", "exports", (json_int_t)r->release.n_exports,
                                                 "functions", (json_int_t)r->release.n_functions, "variables",
                                                 (json_int_t)r->release.n_variables, "types",
                                                 (json_int_t)r->release.n_types));
        json_array_append_new(arr, o);
    }
    ag_store_history_free(rows, n);
    srv_reply_json(rep, 200, arr, true);
}

static void api_matrix(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store_matrix *m = NULL;
    ag_status st = ag_store_matrix_of(s, rq->lib, &m, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    json_t *versions = json_array(), *cells = json_array();
    for (size_t b = 0; b < m->n; b++) {
        json_array_append_new(versions, jstr(m->versions[b]));
        json_t *row = json_array();
        for (size_t r = 0; r < m->n; r++)
            json_array_append_new(row, verdict_or_null(b != r, m->cells[b * m->n + r]));
        json_array_append_new(cells, row);
    }
    ag_store_matrix_free(m);
    srv_reply_json(rep, 200, json_pack("{s:o,s:o}", "versions", versions, "cells", cells), true);
}

static bool truthy(const char *v);

/* ?private=1: with the changes the public surface left out; ?binding=NAME@V:
   only the changes that reach what that registered binding uses. */
static void api_diff(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    const char *o = query(rq, "old"), *n = query(rq, "new");
    if (!o || !n || !*o || !*n) {
        srv_error(rep, 400, "the diff needs ?old=NAME@VERSION&new=NAME@VERSION");
        return;
    }
    ag_error err = { .msg = "" };
    char *json = NULL;
    const char *priv = query(rq, "private"), *binding = query(rq, "binding");
    ag_status st = binding && *binding ? srv_binding_diff_json(s, rq, o, n, binding, priv && truthy(priv), &json, &err)
                   : priv && truthy(priv) ? ag_store_diff_json_with_private(s, o, n, &json, &err)
                                          : ag_store_diff_json(s, o, n, &json, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    rep->body = json;
    rep->len = strlen(json);
    rep->status = 200;
    rep->cacheable = true;
}

/* ------------------------------------------------------------------ */
/* Writes                                                              */

static bool valid_name(const char *s, bool version)
{
    json_t *utf8 = json_string(s); /* NULL unless valid UTF-8 */
    bool ok = utf8 != NULL && *s;
    json_decref(utf8);
    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
        if (*p < 0x20 || *p == 0x7f || (version && *p == '@'))
            ok = false;
    return ok;
}

/* The body as JSON, or NULL with the reply set: 400 when it is not JSON,
   422 when it is JSON with a number no reader can hold (an integer of 2^63
   or more, a real that overflows): well-formed, but not a valid value. */
static json_t *parse_body(const srv_request *rq, srv_reply *rep, const char *what)
{
    json_error_t jerr;
    json_t *v = rq->body_len ? json_loadb(rq->body, rq->body_len, 0, &jerr) : NULL;
    if (v)
        return v;
    if (!rq->body_len)
        srv_error(rep, 400, "malformed JSON: empty body");
    else if (json_error_code(&jerr) == json_error_numeric_overflow)
        srv_error(rep, 422, "not a valid %s: line %d column %d: %s (numbers must fit in 64 bits)", what,
                  jerr.line, jerr.column, jerr.text);
    else
        srv_error(rep, 400, "malformed JSON: line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    return NULL;
}

/* 400 when the body is not JSON at all, 422 when it is JSON but not a
   valid corpus. */
static void corpus_fail(srv_reply *rep, const srv_request *rq, const ag_error *err)
{
    json_t *v = parse_body(rq, rep, "corpus");
    if (!v)
        return;
    json_decref(v);
    srv_error(rep, 422, "not a valid corpus: %s", err->msg);
}

/* NULL, or the limit an uploaded corpus is over (the limits are options of
   `serve`: README, docs/api.md). */
static bool corpus_over_limits(const ag_server_config *cfg, const ag_corpus *c, const char *which, srv_reply *rep)
{
    if (c->n_types > cfg->max_types) {
        srv_error(rep, 422, "%sthe corpus has %zu types, over the limit of %zu (--max-types)", which, c->n_types,
                  cfg->max_types);
        return true;
    }
    if (c->n_imports > cfg->max_imports) {
        srv_error(rep, 422, "%sthe corpus has %zu imports, over the limit of %zu (--max-imports)", which, c->n_imports,
                  cfg->max_imports);
        return true;
    }
    for (size_t i = 0; i < c->n_types; i++) {
        const ag_type *t = &c->types[i];
        size_t n = t->n_members > t->n_enumerators ? t->n_members : t->n_enumerators;
        if (t->n_params > n)
            n = t->n_params;
        if (n > cfg->max_members) {
            char name[512];
            ag_type_spell(c, (ag_type_ref)i, name, sizeof name);
            srv_error(rep, 422, "%stype %s has %zu members, over the limit of %zu (--max-members)", which, name, n,
                      cfg->max_members);
            return true;
        }
    }
    for (size_t i = 0; i < c->n_functions; i++)
        if (c->functions[i].n_params > cfg->max_members) {
            srv_error(rep, 422, "%sfunction %s has %zu parameters, over the limit of %zu (--max-members)", which,
                      c->functions[i].name, c->functions[i].n_params, cfg->max_members);
            return true;
        }
    return false;
}

static bool truthy(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

/* ?source_url=PATTERN of a release upload: *url NULL when absent or empty;
   false (a 400 in rep) when it is not an http(s) pattern with {file}. */
static bool source_url_query(const srv_request *rq, const char **url, srv_reply *rep)
{
    const char *p = query(rq, "source_url");
    *url = p && *p ? p : NULL;
    if (*url && ((strncmp(p, "https://", 8) != 0 && strncmp(p, "http://", 7) != 0) || !strstr(p, "{file}") ||
                 strpbrk(p, " \t\r\n") || !valid_name(p, false))) {
        srv_error(rep, 400, "?source_url= must be an http:// or https:// URL pattern with {file}");
        return false;
    }
    return true;
}

/* {"format": "abiguard-release/1", "binaries": [{"path": P, "corpus": {...}}, ...]}:
   every shared object of an artifact (push ARTIFACT), each checked as an
   uploaded corpus is; at most AG_SERVER_MAX_BINARIES of them. */
static void post_release_binaries(const ag_server_config *cfg, const srv_request *rq, json_t *body, srv_reply *rep)
{
    json_t *arr = json_object_get(body, "binaries");
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n == 0) {
        srv_error(rep, 422, "not a valid release: \"binaries\" must be a non-empty array of"
                            " {\"path\": P, \"corpus\": CORPUS}");
        return;
    }
    if (n > AG_SERVER_MAX_BINARIES) {
        srv_error(rep, 422, "the release has %zu binaries, over the limit of %d", n, AG_SERVER_MAX_BINARIES);
        return;
    }
    ag_corpus **corpora = calloc(n, sizeof *corpora);
    const char **paths = calloc(n, sizeof *paths);
    ag_error err = { .msg = "" };
    bool ok = corpora && paths;
    if (!ok)
        srv_error(rep, 500, "out of memory");
    size_t n_types = 0, n_functions = 0;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *b = json_array_get(arr, i), *path = json_object_get(b, "path");
        json_t *corpus = json_object_get(b, "corpus");
        paths[i] = json_string_value(path);
        char which[300];
        snprintf(which, sizeof which, "binary %zu (%.200s): ", i, paths[i] ? paths[i] : "no path");
        if (!json_is_object(corpus) || (path && !json_is_null(path) && !paths[i])) {
            srv_error(rep, 422, "not a valid release: %s\"corpus\" must be an object and \"path\" a string", which);
            ok = false;
            break;
        }
        char *text = json_dumps(corpus, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!text) {
            srv_error(rep, 500, "out of memory");
            ok = false;
        } else if (ag_corpus_from_json(text, strlen(text), &corpora[i], &err) != AG_OK) {
            srv_error(rep, 422, "not a valid corpus: %s%s", which, err.msg);
            ok = false;
        } else if (corpus_over_limits(cfg, corpora[i], which, rep)) {
            ok = false;
        } else {
            n_types += corpora[i]->n_types;
            n_functions += corpora[i]->n_functions;
        }
        free(text);
    }
    const char *date = query(rq, "date"), *notes = query(rq, "notes"), *source_url = NULL;
    if (date && !*date)
        date = NULL;
    if (notes && !*notes)
        notes = NULL;
    if (ok && !source_url_query(rq, &source_url, rep))
        ok = false;
    ag_store_prepared *prep = NULL;
    if (ok) {
        ag_status st = ag_store_prepare_release_binaries(rq->lib, rq->ver, date, notes,
                                                         (const ag_corpus *const *)corpora, paths, n, &prep, &err);
        if (st == AG_OK) {
            rep->pending = prep;
            rep->pending_replace = truthy(query(rq, "replace"));
            rep->pending_types = n_types;
            rep->pending_functions = n_functions;
            if (source_url && !(rep->pending_source_url = strdup(source_url))) {
                srv_reply_drop_pending(rep);
                srv_error(rep, 500, "out of memory");
            }
        } else if (st == AG_ERR_USAGE) {
            srv_error(rep, 422, "not a valid release: %s", err.msg);
        } else {
            reply_fail(rep, st, &err);
        }
    }
    for (size_t i = 0; corpora && i < n; i++)
        ag_corpus_free(corpora[i]);
    free(corpora);
    free(paths);
}

static void api_post_release(const ag_server_config *cfg, const srv_request *rq, srv_reply *rep)
{
    if (!valid_name(rq->lib, false) || !valid_name(rq->ver, true)) {
        srv_error(rep, 400, "library names and versions are UTF-8 without control characters"
                            " (and versions without '@')");
        return;
    }
    ag_error err = { .msg = "" };
    ag_corpus *c = NULL;
    if (ag_corpus_from_json(rq->body ? rq->body : "", rq->body_len, &c, &err) != AG_OK) {
        /* Not a corpus: a release of several binaries, or a bad body. */
        json_t *v = rq->body_len ? json_loadb(rq->body, rq->body_len, 0, NULL) : NULL;
        const char *format = json_string_value(json_object_get(v, "format"));
        if (format && strcmp(format, AG_RELEASE_UPLOAD_FORMAT) == 0)
            post_release_binaries(cfg, rq, v, rep);
        else
            corpus_fail(rep, rq, &err);
        json_decref(v);
        return;
    }
    if (corpus_over_limits(cfg, c, "", rep)) {
        ag_corpus_free(c);
        return;
    }
    const char *date = query(rq, "date"), *notes = query(rq, "notes"), *source_url = NULL;
    if (date && !*date)
        date = NULL;
    if (!source_url_query(rq, &source_url, rep)) {
        ag_corpus_free(c);
        return;
    }
    if (notes && !*notes)
        notes = NULL;
    ag_store_prepared *prep = NULL;
    ag_status st = ag_store_prepare_release(rq->lib, rq->ver, date, notes, c, &prep, &err);
    if (st == AG_OK) {
        rep->pending = prep;
        rep->pending_replace = truthy(query(rq, "replace"));
        rep->pending_types = c->n_types;
        rep->pending_functions = c->n_functions;
        if (source_url && !(rep->pending_source_url = strdup(source_url))) {
            srv_reply_drop_pending(rep);
            srv_error(rep, 500, "out of memory");
        }
    } else {
        reply_fail(rep, st, &err);
    }
    ag_corpus_free(c);
}

static void write_audit(srv_worker *w, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store *s = srv_worker_store(w, &err);
    ag_status st = s ? ag_store_add_audit(s, &rep->pending_audit_meta, rep->pending_audit, &err) : AG_ERR_IO;
    int64_t id = rep->pending_audit_meta.id;
    srv_reply_drop_pending(rep);
    if (!s) {
        srv_error(rep, 500, "cannot open the store: %s", err.msg);
    } else if (st == AG_OK) {
        rep->wrote = true;
        char url[64];
        snprintf(url, sizeof url, "/api/v1/audits/%lld", (long long)id);
        srv_reply_json(rep, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "url", url), false);
    } else {
        reply_fail(rep, st, &err);
    }
}

void srv_reply_drop_pending(srv_reply *rep)
{
    ag_store_prepared_free(rep->pending);
    rep->pending = NULL;
    free(rep->pending_source_url);
    rep->pending_source_url = NULL;
    free(rep->pending_binding);
    rep->pending_binding = NULL;
    free(rep->pending_audit);
    rep->pending_audit = NULL;
    free(rep->pending_audit_meta.artifact);
    free(rep->pending_audit_meta.kind);
    free(rep->pending_audit_meta.targets);
    free(rep->pending_audit_meta.created);
    memset(&rep->pending_audit_meta, 0, sizeof rep->pending_audit_meta);
}

/* The release and its source URL pattern in one transaction. */
static ag_status add_release(ag_store *s, const srv_request *rq, const srv_reply *rep, ag_error *err)
{
    if (!rep->pending_source_url)
        return ag_store_add_prepared(s, rep->pending, rep->pending_replace, err);
    ag_status st = ag_store_begin(s, err);
    if (st == AG_OK)
        st = ag_store_add_prepared(s, rep->pending, rep->pending_replace, err);
    if (st == AG_OK)
        st = ag_store_set_source_url(s, rq->lib, rq->ver, rep->pending_source_url, err);
    if (st == AG_OK)
        return ag_store_commit(s, err);
    ag_store_rollback(s);
    return st;
}

void srv_api_write(srv_worker *w, const srv_request *rq, srv_reply *rep)
{
    ag_error open_err = { .msg = "" };
    ag_store *ro = srv_worker_store(w, &open_err);
    if (ro && ag_store_is_readonly(ro)) {
        /* A store served read-only (a read-only file or mount): no write. */
        srv_reply_drop_pending(rep);
        srv_error(rep, 503, "the store is read-only (a read-only file or file system): nothing can be written");
        return;
    }
    if (rep->pending_audit) {
        write_audit(w, rep);
        return;
    }
    ag_error err = { .msg = "" };
    ag_store *s = srv_worker_store(w, &err);
    if (s && rep->pending_binding) {
        srv_api_write_binding(s, rq, rep);
        return;
    }
    size_t n_binaries = ag_store_prepared_n_binaries(rep->pending);
    ag_status st = s ? add_release(s, rq, rep, &err) : AG_ERR_IO;
    srv_reply_drop_pending(rep);
    if (!s) {
        srv_error(rep, 500, "cannot open the store: %s", err.msg);
    } else if (st == AG_OK) {
        rep->wrote = true;
        srv_reply_json(rep, 201, json_pack("{s:o,s:o,s:I,s:I,s:I}", "library", jstr(rq->lib), "version", jstr(rq->ver),
                                       "types", (json_int_t)rep->pending_types, "functions",
                                       (json_int_t)rep->pending_functions, "binaries",
                                       (json_int_t)n_binaries),
                   false);
    } else if (st == AG_ERR_USAGE && strstr(err.msg, "already exists")) {
        srv_error(rep, 409, "%s@%s already exists (POST with ?replace=1 to replace it)", rq->lib, rq->ver);
    } else {
        reply_fail(rep, st, &err);
    }
}

/* ------------------------------------------------------------------ */
/* Audit results (`abiguard audit --push`)                             */

/* What one pushed audit may hold (docs/api.md): past these, 422. */
#define AUDIT_MAX_TARGETS 64
#define AUDIT_MAX_BINARIES 100000
#define AUDIT_MAX_ITEMS 1000000      /* findings, symbols and bundled libraries together */
#define AUDIT_MAX_TEXT 4096          /* bytes of one path, message or symbol */

typedef struct audit_check {
    char why[300];
    size_t items;
} audit_check;

static bool audit_bad(audit_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool audit_bad(audit_check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return false;
}

/* A string member: present, non-empty, no control characters, not too long. */
static const char *audit_text(json_t *o, const char *key, const char *where, audit_check *c)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v || !*v) {
        audit_bad(c, "%s: \"%s\" must be a non-empty string", where, key);
        return NULL;
    }
    if (strlen(v) > AUDIT_MAX_TEXT) {
        audit_bad(c, "%s: \"%s\" is over %d bytes", where, key, AUDIT_MAX_TEXT);
        return NULL;
    }
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t') {
            audit_bad(c, "%s: \"%s\" has control characters", where, key);
            return NULL;
        }
    return v;
}

static bool audit_count(audit_check *c, size_t n)
{
    c->items += n;
    return c->items <= AUDIT_MAX_ITEMS ||
           audit_bad(c, "over %d findings, symbols and bundled libraries", AUDIT_MAX_ITEMS);
}

static bool audit_finding_ok(json_t *f, const char *where, audit_check *c)
{
    const char *sev = audit_text(f, "severity", where, c);
    if (!audit_text(f, "check", where, c) || !sev || !audit_text(f, "message", where, c))
        return false;
    if (strcmp(sev, "error") != 0 && strcmp(sev, "warning") != 0 && strcmp(sev, "note") != 0)
        return audit_bad(c, "%s: severity '%.20s' is not error, warning or note", where, sev);
    json_t *syms = json_object_get(f, "symbols"), *sym;
    if (syms && !json_is_array(syms))
        return audit_bad(c, "%s: \"symbols\" must be a list", where);
    if (!audit_count(c, 1 + json_array_size(syms)))
        return false;
    size_t i;
    json_array_foreach(syms, i, sym)
        if (!json_is_string(sym) || strlen(json_string_value(sym)) > AUDIT_MAX_TEXT)
            return audit_bad(c, "%s: symbol %zu is not a string of at most %d bytes", where, i, AUDIT_MAX_TEXT);
    return true;
}

/* Checks a pushed abiguard-audit/1 report; fills meta from it (the counts
   recomputed from the results, so the list never disagrees with them). */
static bool audit_valid(json_t *v, ag_store_audit *meta, audit_check *c)
{
    if (!json_is_object(v))
        return audit_bad(c, "the body must be an object (abiguard audit --format json)");
    const char *format = json_string_value(json_object_get(v, "format"));
    if (!format || strcmp(format, "abiguard-audit/1") != 0)
        return audit_bad(c, "\"format\" must be \"abiguard-audit/1\"");
    const char *artifact = audit_text(v, "artifact", "the audit", c);
    const char *kind = artifact ? audit_text(v, "kind", "the audit", c) : NULL;
    if (!artifact || !kind)
        return false;
    json_t *targets = json_object_get(v, "targets"), *bins = json_object_get(v, "binaries");
    size_t nt = json_array_size(targets), nb = json_array_size(bins);
    if (!json_is_array(targets) || nt == 0 || nt > AUDIT_MAX_TARGETS)
        return audit_bad(c, "\"targets\" must be a list of 1 to %d targets", AUDIT_MAX_TARGETS);
    if (!json_is_array(bins) || nb == 0 || nb > AUDIT_MAX_BINARIES)
        return audit_bad(c, "\"binaries\" must be a list of 1 to %d binaries", AUDIT_MAX_BINARIES);
    size_t names_len = 0;
    for (size_t t = 0; t < nt; t++) {
        char where[32];
        snprintf(where, sizeof where, "target %zu", t);
        const char *name = audit_text(json_array_get(targets, t), "name", where, c);
        if (!name)
            return false;
        names_len += strlen(name) + 1;
    }
    size_t failing = 0;
    for (size_t i = 0; i < nb; i++) {
        json_t *b = json_array_get(bins, i), *results = json_object_get(b, "results");
        char where[64];
        snprintf(where, sizeof where, "binary %zu", i);
        if (!audit_text(b, "path", where, c))
            return false;
        if (json_array_size(results) != nt)
            return audit_bad(c, "%s: \"results\" must have one result per target (%zu)", where, nt);
        bool fails = false;
        for (size_t t = 0; t < nt; t++) {
            json_t *r = json_array_get(results, t), *fs = json_object_get(r, "findings"), *f;
            snprintf(where, sizeof where, "binary %zu, result %zu", i, t);
            const char *target = json_string_value(json_object_get(r, "target"));
            if (!target || strcmp(target, json_string_value(json_object_get(json_array_get(targets, t), "name"))) != 0)
                return audit_bad(c, "%s: \"target\" must name target %zu", where, t);
            if (!json_is_boolean(json_object_get(r, "loads")) || !json_is_array(fs))
                return audit_bad(c, "%s: needs \"loads\" (true or false) and \"findings\" (a list)", where);
            size_t k;
            bool error = false;
            json_array_foreach(fs, k, f) {
                if (!audit_finding_ok(f, where, c))
                    return false;
                error |= strcmp(json_string_value(json_object_get(f, "severity")), "error") == 0;
            }
            if (json_is_true(json_object_get(r, "loads")) == error)
                return audit_bad(c, "%s: \"loads\" must be false exactly when a finding is an error", where);
            fails |= error;
        }
        failing += fails;
    }
    json_t *bundled = json_object_get(v, "bundled");
    if (bundled && !json_is_array(bundled))
        return audit_bad(c, "\"bundled\" must be a list");
    if (!audit_count(c, json_array_size(bundled)))
        return false;
    if (!json_is_boolean(json_object_get(v, "loads")) || json_is_true(json_object_get(v, "loads")) != (failing == 0))
        return audit_bad(c, "\"loads\" must say whether every binary loads on every target");
    const char *slash = strrchr(artifact, '/');
    meta->artifact = strdup(slash && slash[1] ? slash + 1 : artifact);
    meta->kind = strdup(kind);
    meta->targets = malloc(names_len);
    meta->loads = failing == 0;
    meta->binaries = nb;
    meta->failing = failing;
    if (!meta->artifact || !meta->kind || !meta->targets)
        return audit_bad(c, "out of memory");
    meta->targets[0] = '\0';
    for (size_t t = 0; t < nt; t++) {
        if (t)
            strcat(meta->targets, ",");
        strcat(meta->targets, json_string_value(json_object_get(json_array_get(targets, t), "name")));
    }
    return true;
}

static void api_post_audit(const srv_request *rq, srv_reply *rep)
{
    json_t *v = parse_body(rq, rep, "audit");
    if (!v)
        return;
    audit_check c = { .why = "" };
    ag_store_audit meta = { 0 };
    if (!audit_valid(v, &meta, &c)) {
        srv_error(rep, strcmp(c.why, "out of memory") == 0 ? 500 : 422, "not a valid audit: %s", c.why);
        free(meta.artifact);
        free(meta.kind);
        free(meta.targets);
    } else if (!(rep->pending_audit = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
        srv_error(rep, 500, "out of memory");
        free(meta.artifact);
        free(meta.kind);
        free(meta.targets);
    } else {
        rep->pending_audit_meta = meta;
    }
    json_decref(v);
}

static json_t *audit_row_json(const ag_store_audit *a)
{
    json_t *targets = json_array();
    for (const char *p = a->targets; p && *p;) {
        size_t n = strcspn(p, ",");
        json_array_append_new(targets, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return json_pack("{s:I,s:o,s:o,s:b,s:I,s:I,s:o,s:o}", "id", (json_int_t)a->id, "artifact", jstr(a->artifact),
                     "kind", jstr(a->kind), "loads", a->loads, "binaries", (json_int_t)a->binaries, "failing",
                     (json_int_t)a->failing, "targets", targets, "created", jstr(a->created));
}

static void api_audits(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    const char *lim = query(rq, "limit");
    long limit = 100;
    if (lim) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*end || end == lim || limit < 1 || limit > 1000) {
            srv_error(rep, 400, "limit must be a number from 1 to 1000");
            return;
        }
    }
    ag_error err = { .msg = "" };
    ag_store_audit *rows = NULL;
    size_t n = 0;
    ag_status st = ag_store_list_audits(s, (size_t)limit, &rows, &n, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, audit_row_json(&rows[i]));
    ag_store_audits_free(rows, n);
    srv_reply_json(rep, 200, arr, true);
}

static void api_audit(ag_store *s, const srv_request *rq, srv_reply *rep)
{
    const char *id = rq->audit_id;
    bool digits = id && *id && strlen(id) <= 18 && strspn(id, "0123456789") == strlen(id);
    if (!digits) {
        srv_error(rep, 404, "no audit %.40s", id ? id : "");
        return;
    }
    ag_error err = { .msg = "" };
    ag_store_audit meta = { 0 };
    char *report = NULL;
    ag_status st = ag_store_get_audit(s, strtoll(id, NULL, 10), &meta, &report, &err);
    if (st != AG_OK) {
        reply_fail(rep, st, &err);
        return;
    }
    json_t *o = audit_row_json(&meta), *r = json_loads(report, 0, NULL);
    json_object_set_new(o, "report", r ? r : json_null());
    free(report);
    free(meta.artifact);
    free(meta.kind);
    free(meta.targets);
    free(meta.created);
    srv_reply_json(rep, 200, o, true);
}

typedef struct wanted {
    const char *name, *version;   /* version NULL: unversioned */
} wanted;

static int by_export_name(const void *key, const void *elem)
{
    return strcmp(key, ((const ag_symbol *)elem)->name);
}

/* Exports are sorted by name (then version) in a finalized corpus: find
   the run with this name by binary search. */
static bool provides(const ag_corpus *c, const wanted *w)
{
    const ag_symbol *hit = c->n_exports ? bsearch(w->name, c->exports, c->n_exports, sizeof *c->exports,
                                                  by_export_name) : NULL;
    if (!hit)
        return false;
    const ag_symbol *first = hit, *end = c->exports + c->n_exports;
    while (first > c->exports && strcmp(first[-1].name, w->name) == 0)
        first--;
    for (const ag_symbol *e = first; e < end && strcmp(e->name, w->name) == 0; e++)
        if (w->version ? (e->version && strcmp(e->version, w->version) == 0) : (!e->version || e->is_default))
            return true;
    return false;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Breaking changes of diff(built -> r) that impact an imported symbol;
   names: the imported names, sorted. */
static ag_status breaking_for(ag_store *s, ag_budget *budget, const char *lib, const char *built,
                              const char *built_bin, const char *ver, const char *ver_bin, const char *const *names,
                              size_t n, size_t *count, ag_error *err)
{
    *count = 0;
    char *o = NULL, *nw = NULL, *json = NULL;
    ag_diff *d = NULL;
    ag_status st = AG_OK;
    /* NAME@V:BINARY for a release of several: the one binary judged. */
    if (asprintf(&o, "%s@%s%s%s", lib, built, built_bin ? ":" : "", built_bin ? built_bin : "") < 0 ||
        asprintf(&nw, "%s@%s%s%s", lib, ver, ver_bin ? ":" : "", ver_bin ? ver_bin : "") < 0)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    if (st == AG_OK)
        st = ag_store_diff_json(s, o, nw, &json, err);
    if (st == AG_OK)
        st = ag_diff_from_json(json, strlen(json), &d, err);
    for (size_t i = 0; st == AG_OK && i < d->n_changes; i++) {
        const ag_change *ch = &d->changes[i];
        if (ch->suppressed || ch->verdict != AG_VERDICT_BREAKING)
            continue;
        if ((st = ag_budget_charge(budget, 1 + ch->n_impacts, err)) != AG_OK)
            break;
        bool hit = false;
        for (size_t k = 0; !hit && k < ch->n_impacts; k++) {
            const char *iface = ch->impacts[k].interface;
            hit = iface && n && bsearch(&iface, names, n, sizeof *names, by_string);
        }
        *count += hit;
    }
    ag_diff_free(d);
    free(json);
    free(o);
    free(nw);
    return st;
}

static const char *bin_name(const ag_corpus *c)
{
    return c->elf.soname ? c->elf.soname : c->elf.file_name;
}

/* The binary of release r a question is about: the one named soname (its
   SONAME, else its file name); without soname the only one, or of several
   the one that provides the most of the imports (the first of those).
   -1 when none is named soname. */
static long judged_binary(const ag_store_loaded_release *r, const char *soname, const wanted *w, size_t n)
{
    if (soname) {
        for (size_t i = 0; i < r->n; i++)
            if (strcmp(bin_name(r->corpora[i]), soname) == 0)
                return (long)i;
        return -1;
    }
    long best = 0;
    size_t best_n = 0;
    for (size_t i = 0; r->n > 1 && i < r->n; i++) {
        size_t got = 0;
        for (size_t k = 0; k < n; k++)
            got += provides(r->corpora[i], &w[k]);
        if (got > best_n) {
            best = (long)i;
            best_n = got;
        }
    }
    return best;
}

/* "geo@4.0 has no binary libgeo.so.1 (it has liba.so.1, libb.so.2)". */
static json_t *no_binary_json(const char *lib, const char *ver, const char *soname, const ag_store_loaded_release *r)
{
    char has[512];
    size_t used = 0;
    has[0] = '\0';
    for (size_t i = 0; i < r->n && used + 1 < sizeof has; i++) {
        int k = snprintf(has + used, sizeof has - used, "%s%s", i ? ", " : "", bin_name(r->corpora[i]));
        if (k < 0)
            break;
        used += (size_t)k < sizeof has - used ? (size_t)k : sizeof has - used - 1;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s@%s has no binary %s (it has %s)", lib, ver, soname, has);
    return jstr(msg);
}

static void api_compatible(ag_store *s, const ag_server_config *cfg, const srv_request *rq, srv_reply *rep)
{
    json_t *req = parse_body(rq, rep, "question");
    if (!req)
        return;
    const char *lib = json_string_value(json_object_get(req, "library"));
    json_t *imps = json_object_get(req, "imports"), *built_j = json_object_get(req, "built_against");
    json_t *soname_j = json_object_get(req, "soname");
    const char *built = json_string_value(built_j), *soname = json_string_value(soname_j);
    size_t n = json_array_size(imps);
    if (n > cfg->max_imports) {
        srv_error(rep, 422, "the question has %zu imports, over the limit of %zu (--max-imports)", n,
                  cfg->max_imports);
        json_decref(req);
        return;
    }
    wanted *w = calloc(n ? n : 1, sizeof *w);
    const char **names = calloc(n ? n : 1, sizeof *names);
    bool ok = lib && json_is_array(imps) && w && names && (!built_j || json_is_null(built_j) || built) &&
              (!soname_j || json_is_null(soname_j) || (soname && *soname));
    for (size_t i = 0; ok && i < n; i++) {
        json_t *it = json_array_get(imps, i);
        json_t *ver = json_object_get(it, "version");
        w[i].name = json_is_string(it) ? json_string_value(it) : json_string_value(json_object_get(it, "name"));
        w[i].version = json_string_value(ver);
        names[i] = w[i].name;
        ok = w[i].name && (!ver || json_is_null(ver) || w[i].version);
    }
    if (!ok) {
        srv_error(rep, 400, "expected {\"library\": NAME, \"imports\": [{\"name\": SYMBOL, \"version\": V?}],"
                            " \"built_against\": VERSION?, \"soname\": SONAME?}");
        free(w);
        free(names);
        json_decref(req);
        return;
    }
    if (n)
        qsort(names, n, sizeof *names, by_string);
    ag_error err = { .msg = "" };
    ag_store_release *rels = NULL;
    size_t nr = 0, bidx = 0;
    ag_status st = built ? find_release(s, lib, built, &rels, &nr, &bidx, &err)
                         : ag_store_list_releases(s, lib, &rels, &nr, &err);
    json_t *compat = json_array(), *incompat = json_array(), *judged = json_object();
    /* The built-against binary: the one named, or the one providing the
       imports, of that release (a release of several binaries). */
    char *built_bin = NULL;
    if (st == AG_OK && built) {
        ag_store_loaded_release b = { 0 };
        if ((st = ag_store_load_release(s, lib, built, &b, &err)) == AG_OK) {
            long k = judged_binary(&b, soname, w, n);
            if (k < 0) {
                json_t *why = no_binary_json(lib, built, soname, &b);
                st = ag_fail(&err, AG_ERR_NOTFOUND, "built_against: %s", json_string_value(why));
                json_decref(why);
            } else if (b.n > 1 && !(built_bin = strdup(bin_name(b.corpora[k])))) {
                st = ag_fail(&err, AG_ERR_NOMEM, "out of memory");
            }
        }
        ag_store_loaded_release_free(&b);
    }
    for (size_t r = 0; st == AG_OK && r < nr; r++) {
        ag_store_loaded_release rel = { 0 };
        if ((st = ag_store_load_release(s, lib, rels[r].version, &rel, &err)) != AG_OK)
            break;
        if ((st = ag_budget_charge(rq->budget, (n + 1) * rel.n, &err)) != AG_OK) {
            ag_store_loaded_release_free(&rel);
            break;
        }
        long k = judged_binary(&rel, soname, w, n);
        if (k < 0) {
            /* The release does not ship the library asked about. */
            json_array_append_new(incompat, json_pack("{s:o,s:[],s:I,s:n,s:o}", "version", jstr(rels[r].version),
                                                      "missing", "breaking", (json_int_t)0, "binary", "reason",
                                                      no_binary_json(lib, rels[r].version, soname, &rel)));
            ag_store_loaded_release_free(&rel);
            continue;
        }
        const ag_corpus *c = rel.corpora[k];
        const char *one = rel.n > 1 ? bin_name(c) : NULL;
        if (one)
            json_object_set_new(judged, rels[r].version, jstr(one));
        json_t *missing = json_array();
        for (size_t i = 0; i < n; i++)
            if (!provides(c, &w[i])) {
                char sym[1024];
                snprintf(sym, sizeof sym, w[i].version ? "%s@%s" : "%s", w[i].name, w[i].version);
                json_array_append_new(missing, jstr(sym));
            }
        size_t breaking = 0;
        if (built && r != bidx)
            st = breaking_for(s, rq->budget, lib, built, built_bin, rels[r].version, one, names, n, &breaking, &err);
        if (json_array_size(missing) == 0 && breaking == 0) {
            json_array_append_new(compat, jstr(rels[r].version));
            json_decref(missing);
        } else {
            json_t *o = json_pack("{s:o,s:o,s:I}", "version", jstr(rels[r].version), "missing", missing, "breaking",
                                  (json_int_t)breaking);
            if (one)
                json_object_set_new(o, "binary", jstr(one));
            json_array_append_new(incompat, o);
        }
        ag_store_loaded_release_free(&rel);
    }
    free(built_bin);
    ag_store_releases_free(rels, nr);
    free(w);
    free(names);
    json_decref(req);
    if (st != AG_OK) {
        json_decref(compat);
        json_decref(incompat);
        json_decref(judged);
        reply_fail(rep, st, &err);
        return;
    }
    srv_reply_json(rep, 200, json_pack("{s:o,s:o,s:o}", "compatible", compat, "incompatible", incompat, "binaries",
                                       judged), false);
}

/* ------------------------------------------------------------------ */

void srv_api_handle(srv_worker *w, const srv_request *rq, srv_reply *rep)
{
    ag_error err = { .msg = "" };
    ag_store *s = srv_worker_store(w, &err);
    if (!s) {
        srv_error(rep, 500, "cannot open the store: %s", err.msg);
        return;
    }
    switch (rq->route) {
    case R_HEALTHZ: api_healthz(s, rep); break;
    case R_LIBRARIES: api_libraries(s, rq, rep); break;
    case R_RELEASES: api_releases(s, rq, rep); break;
    case R_RELEASE:
        if (rq->post)
            api_post_release(&w->srv->cfg, rq, rep);
        else
            api_release(s, rq, rep);
        break;
    case R_CORPUS: api_corpus(s, rq, rep); break;
    case R_BINARIES: api_binaries(s, rq, rep); break;
    case R_TYPES: api_types(s, rq, rep); break;
    case R_TYPE: api_type(s, rq, rep); break;
    case R_HISTORY: api_history(s, rq, rep); break;
    case R_MATRIX: api_matrix(s, rq, rep); break;
    case R_DIFF: api_diff(s, rq, rep); break;
    case R_COMPATIBLE: api_compatible(s, &w->srv->cfg, rq, rep); break;
    case R_AUDITS:
        if (rq->post)
            api_post_audit(rq, rep);
        else
            api_audits(s, rq, rep);
        break;
    case R_AUDIT: api_audit(s, rq, rep); break;
    case R_BINDINGS: srv_api_bindings(s, rq, rep); break;
    case R_BINDING:
        if (rq->post)
            srv_api_post_binding(&w->srv->cfg, rq, rep);
        else
            srv_api_binding(s, rq, rep);
        break;
    default: srv_error(rep, 404, "no such API path"); break;
    }
}
