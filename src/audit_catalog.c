/*
 * audit_catalog.c — where `abiguard audit` looks up the releases a bundled
 * library may be (audit.h, ag_release_catalog): a store file (--db),
 * opened read-only, or an abiguard service (--server), read through its
 * JSON API (GET /api/v1/libraries, .../{lib}/releases, and a release's
 * corpus when it is needed). Nothing here prints.
 */
#include "audit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus_json.h"
#include "http_client.h"
#include "store.h"

static ag_status add_release(ag_release_catalog *cat, const char *lib, const char *ver, const char *soname,
                             const char *build_id, ag_error *err)
{
    ag_catalog_release *grown = realloc(cat->releases, (cat->n_releases + 1) * sizeof *grown);
    if (!grown)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    cat->releases = grown;
    ag_catalog_release *r = &grown[cat->n_releases];
    memset(r, 0, sizeof *r);
    r->library = strdup(lib);
    r->version = strdup(ver);
    r->soname = soname ? strdup(soname) : NULL;
    r->build_id = build_id ? strdup(build_id) : NULL;
    cat->n_releases++;
    if (!r->library || !r->version || (soname && !r->soname) || (build_id && !r->build_id))
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    return AG_OK;
}

/* One binary of a release of several, as version "V:NAME". */
static ag_status add_binary(ag_release_catalog *cat, const char *lib, const char *ver, const char *name,
                            const char *soname, const char *build_id, ag_error *err)
{
    char *one = NULL;
    if (asprintf(&one, "%s:%s", ver, name) < 0)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = add_release(cat, lib, one, soname, build_id, err);
    free(one);
    return st;
}

void ag_release_catalog_free(ag_release_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n_releases; i++) {
        free(cat->releases[i].library);
        free(cat->releases[i].version);
        free(cat->releases[i].soname);
        free(cat->releases[i].build_id);
    }
    free(cat->releases);
    if (cat->free_ctx)
        cat->free_ctx(cat->ctx);
    free(cat->where);
    free(cat);
}

/* ------------------------------------------------------------------ */
/* A store                                                             */

static ag_status store_load(const ag_release_catalog *cat, const ag_catalog_release *r, ag_corpus **out,
                            ag_error *err)
{
    return ag_store_load(cat->ctx, r->library, r->version, out, err);
}

static void store_close(void *ctx)
{
    ag_store_close(ctx);
}

ag_status ag_release_catalog_from_store(const char *db_path, ag_release_catalog **out, ag_error *err)
{
    *out = NULL;
    ag_store *s = NULL;
    ag_status st = ag_store_open_readonly(db_path, &s, err);
    if (st != AG_OK)
        return st;
    ag_release_catalog *cat = calloc(1, sizeof *cat);
    if (!cat) {
        ag_store_close(s);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    cat->ctx = s;
    cat->free_ctx = store_close;
    cat->load = store_load;
    if (!(cat->where = strdup(ag_store_file_name(s)))) {
        ag_release_catalog_free(cat);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_store_release *rels = NULL;
    size_t n = 0;
    st = ag_store_list_releases(s, NULL, &rels, &n, err);
    for (size_t i = 0; st == AG_OK && i < n; i++) {
        if (rels[i].n_binaries < 2) {
            st = add_release(cat, rels[i].library, rels[i].version, rels[i].soname, rels[i].build_id, err);
            continue;
        }
        /* A release of several binaries: each is matched on its own, as
           V:SONAME (its SONAME and build-id, not the first binary's). */
        ag_store_binary *bins = NULL;
        size_t nb = 0;
        st = ag_store_list_binaries(s, rels[i].library, rels[i].version, &bins, &nb, err);
        for (size_t k = 0; st == AG_OK && k < nb; k++)
            st = add_binary(cat, rels[i].library, rels[i].version, ag_store_binary_name(&bins[k]), bins[k].soname,
                            bins[k].build_id, err);
        ag_store_binaries_free(bins, nb);
    }
    ag_store_releases_free(rels, n);
    if (st != AG_OK) {
        ag_release_catalog_free(cat);
        return st;
    }
    *out = cat;
    return AG_OK;
}

/* ------------------------------------------------------------------ */
/* A service                                                           */

typedef struct server_ctx {
    char *base;      /* the URL without a trailing '/' */
    bool insecure;
} server_ctx;

static void server_free(void *ctx)
{
    server_ctx *s = ctx;
    if (s)
        free(s->base);
    free(s);
}

/* GET base + path into a temporary file; its name in tmp (caller unlinks). */
static ag_status get(const server_ctx *s, const char *path, char tmp[static 64], ag_error *err)
{
    const char *dir = getenv("TMPDIR");
    snprintf(tmp, 64, "%.40s/abiguard-XXXXXX", dir && dir[0] && strlen(dir) <= 40 ? dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ag_fail(err, AG_ERR_IO, "cannot create a temporary file in %s", dir ? dir : "/tmp");
    close(fd);
    char *url = NULL;
    if (asprintf(&url, "%s%s", s->base, path) < 0) {
        unlink(tmp);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    ag_http_options o = { .timeout_s = 60, .retries = 2, .insecure = s->insecure };
    ag_http_response resp;
    ag_status st = ag_http_get_to_file(url, tmp, &o, &resp, err);
    if (st == AG_OK && (resp.status < 200 || resp.status > 299)) {
        char msg[256];
        st = ag_fail(err, AG_ERR_IO, "GET %s: %ld %s%s%s", url, resp.status, ag_http_reason(resp.status),
                     ag_http_error_message(&resp, msg, sizeof msg)[0] ? ": " : "", msg);
    }
    ag_http_response_free(&resp);
    free(url);
    if (st != AG_OK)
        unlink(tmp);
    return st;
}

static ag_status get_json(const server_ctx *s, const char *path, json_t **out, ag_error *err)
{
    char tmp[64];
    ag_status st = get(s, path, tmp, err);
    if (st != AG_OK)
        return st;
    json_error_t je;
    *out = json_load_file(tmp, 0, &je);
    unlink(tmp);
    if (!*out)
        return ag_fail(err, AG_ERR_FORMAT, "%s%s: not JSON: %s", s->base, path, je.text);
    return AG_OK;
}

static char *escaped_path(const char *lib, const char *ver, const char *tail)
{
    char *l = ag_http_escape(lib), *v = ver ? ag_http_escape(ver) : NULL, *p = NULL;
    if (l && (!ver || v) &&
        asprintf(&p, "/api/v1/libraries/%s%s%s%s", l, ver ? "/releases/" : "", ver ? v : "", tail) < 0)
        p = NULL;
    free(l);
    free(v);
    return p;
}

static ag_status server_load(const ag_release_catalog *cat, const ag_catalog_release *r, ag_corpus **out,
                             ag_error *err)
{
    char *path = escaped_path(r->library, r->version, "/corpus"), tmp[64];
    if (!path)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    ag_status st = get(cat->ctx, path, tmp, err);
    free(path);
    if (st != AG_OK)
        return st;
    st = ag_corpus_read_file(tmp, out, err);
    unlink(tmp);
    return st;
}

static const char *str_or_null(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

ag_status ag_release_catalog_from_server(const char *server_url, bool insecure, ag_release_catalog **out,
                                         ag_error *err)
{
    *out = NULL;
    ag_release_catalog *cat = calloc(1, sizeof *cat);
    server_ctx *s = calloc(1, sizeof *s);
    if (!cat || !s || !(s->base = strdup(server_url)) || !(cat->where = strdup(server_url))) {
        server_free(s);
        free(cat);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    size_t n = strlen(s->base);
    while (n > 0 && s->base[n - 1] == '/')
        s->base[--n] = '\0';
    s->insecure = insecure;
    cat->ctx = s;
    cat->free_ctx = server_free;
    cat->load = server_load;
    json_t *libs = NULL;
    ag_status st = get_json(s, "/api/v1/libraries", &libs, err);
    if (st == AG_OK && !json_is_array(libs))
        st = ag_fail(err, AG_ERR_FORMAT, "%s/api/v1/libraries: not a list of libraries", s->base);
    for (size_t i = 0; st == AG_OK && i < json_array_size(libs); i++) {
        const char *name = str_or_null(json_array_get(libs, i), "name");
        if (!name)
            continue;
        char *path = escaped_path(name, NULL, "/releases");
        json_t *rels = NULL;
        st = path ? get_json(s, path, &rels, err) : ag_fail(err, AG_ERR_NOMEM, "out of memory");
        free(path);
        for (size_t k = 0; st == AG_OK && k < json_array_size(rels); k++) {
            json_t *r = json_array_get(rels, k);
            const char *ver = str_or_null(r, "version");
            if (!ver)
                continue;
            if (json_integer_value(json_object_get(r, "binaries")) < 2) {
                st = add_release(cat, name, ver, str_or_null(r, "soname"), str_or_null(r, "build_id"), err);
                continue;
            }
            /* A release of several binaries: each on its own (V:NAME). */
            char *bpath = escaped_path(name, ver, "/binaries");
            json_t *bins = NULL;
            st = bpath ? get_json(s, bpath, &bins, err) : ag_fail(err, AG_ERR_NOMEM, "out of memory");
            free(bpath);
            for (size_t b = 0; st == AG_OK && b < json_array_size(bins); b++) {
                json_t *one = json_array_get(bins, b);
                const char *bname = str_or_null(one, "name");
                if (bname)
                    st = add_binary(cat, name, ver, bname, str_or_null(one, "soname"), str_or_null(one, "build_id"),
                                    err);
            }
            json_decref(bins);
        }
        json_decref(rels);
    }
    json_decref(libs);
    if (st != AG_OK) {
        ag_release_catalog_free(cat);
        return st;
    }
    *out = cat;
    return AG_OK;
}
