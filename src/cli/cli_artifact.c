/*
 * cli_artifact.c — artifacts as command inputs, and the companion debug
 * and development packages (see cli_artifact.h).
 */
#include "cli_artifact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "../elf_reader.h"
#include "../atomic_file.h"
#include "../extract.h"
#include "../store.h"
#include "../store_diff.h"
#include "../surface.h"

/* Process-wide, like the debuginfod servers (cli_args.c): one command runs
   per process; the temporary trees are removed at exit. */
static struct companions {
    const char **debug_paths;
    size_t n_debug_paths, cap_debug_paths;
    const char *dev_path;
    ag_artifact **debug;
    char **debug_roots;   /* where each package's .build-id/ tree is */
    size_t n_debug;
    bool debug_opened;
    const char **dirs;    /* --debug-dir values, then the packages' */
    ag_artifact *dev;
    char *include_dir;
    bool cleanup_registered;
} g_comp;

static void companions_free(void)
{
    for (size_t i = 0; i < g_comp.n_debug; i++) {
        ag_artifact_free(g_comp.debug[i]);
        free(g_comp.debug_roots[i]);
    }
    free(g_comp.debug);
    free(g_comp.debug_roots);
    free(g_comp.debug_paths);
    free(g_comp.dirs);
    ag_artifact_free(g_comp.dev);
    free(g_comp.include_dir);
    memset(&g_comp, 0, sizeof g_comp);
}

static void register_cleanup(void)
{
    if (!g_comp.cleanup_registered)
        g_comp.cleanup_registered = atexit(companions_free) == 0;
}

int cli_companion_option(const char *cmd, int argc, char **argv, int *i)
{
    const char *value;
    int r = cli_opt_value(cmd, argc, argv, i, "--dev-package", NULL, &value);
    if (r == 1) {
        if (g_comp.dev_path)
            return cli_usage_error(cmd, "--dev-package given twice"), -1;
        g_comp.dev_path = value;
    }
    if (r != 0)
        return r;
    r = cli_opt_value(cmd, argc, argv, i, "--debug-package", NULL, &value);
    if (r != 1)
        return r;
    register_cleanup();
    if (g_comp.n_debug_paths == g_comp.cap_debug_paths) {
        size_t cap = g_comp.cap_debug_paths ? 2 * g_comp.cap_debug_paths : 4;
        const char **p = realloc(g_comp.debug_paths, cap * sizeof *p);
        if (!p) {
            cli_error(NULL, "out of memory");
            return -1;
        }
        g_comp.debug_paths = p;
        g_comp.cap_debug_paths = cap;
    }
    g_comp.debug_paths[g_comp.n_debug_paths++] = value;
    return 1;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* root/sub when that is a directory, else root (malloc'd). */
static char *subdir_or_root(const char *root, const char *sub)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", root, sub) < 0)
        return NULL;
    if (is_dir(p))
        return p;
    free(p);
    return strdup(root);
}

static ag_status open_debug_packages(ag_error *err, const char **failed)
{
    g_comp.debug_opened = true;
    if (g_comp.n_debug_paths == 0)
        return AG_OK;
    g_comp.debug = calloc(g_comp.n_debug_paths, sizeof *g_comp.debug);
    g_comp.debug_roots = calloc(g_comp.n_debug_paths, sizeof *g_comp.debug_roots);
    if (!g_comp.debug || !g_comp.debug_roots)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < g_comp.n_debug_paths; i++) {
        *failed = g_comp.debug_paths[i];
        ag_status st = ag_artifact_open(g_comp.debug_paths[i], AG_ARTIFACT_ALL_ELF, NULL, &g_comp.debug[i], err);
        if (st != AG_OK)
            return st;
        /* A -dbgsym .deb holds usr/lib/debug/.build-id/..; a tarball of a
           debug tree may hold .build-id/ at its top. */
        g_comp.debug_roots[i] = subdir_or_root(g_comp.debug[i]->root, "usr/lib/debug");
        g_comp.n_debug++;
        if (!g_comp.debug_roots[i])
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    return AG_OK;
}

const char *const *cli_companion_debug_dirs(const char *const *dirs, size_t n_dirs, size_t *n_out)
{
    *n_out = n_dirs;
    if (g_comp.n_debug_paths == 0)
        return dirs;
    if (!g_comp.debug_opened) {
        ag_error err = { .msg = "" };
        const char *failed = NULL;
        if (open_debug_packages(&err, &failed) != AG_OK) {
            cli_error(failed, "%s", err.msg);
            exit(AG_EXIT_ERROR);
        }
        free(g_comp.dirs);
        g_comp.dirs = calloc(n_dirs + 2 * g_comp.n_debug + 1, sizeof *g_comp.dirs);
        if (!g_comp.dirs) {
            cli_error(NULL, "out of memory");
            exit(AG_EXIT_ERROR);
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < n_dirs; i++)
        g_comp.dirs[n++] = dirs[i];
    for (size_t i = 0; i < g_comp.n_debug; i++)
        g_comp.dirs[n++] = g_comp.debug_roots[i];
    *n_out = n;
    return g_comp.dirs;
}

ag_status cli_companion_include_dir(const char **dir, ag_error *err)
{
    *dir = NULL;
    if (!g_comp.dev_path)
        return AG_OK;
    if (!g_comp.dev) {
        register_cleanup();
        ag_status st = ag_artifact_open(g_comp.dev_path, AG_ARTIFACT_HEADERS, NULL, &g_comp.dev, err);
        if (st != AG_OK)
            return ag_fail_prefix(err, st, g_comp.dev_path);
        g_comp.include_dir = subdir_or_root(g_comp.dev->root, "usr/include");
        if (g_comp.include_dir && strcmp(g_comp.include_dir, g_comp.dev->root) == 0) {
            free(g_comp.include_dir);
            g_comp.include_dir = subdir_or_root(g_comp.dev->root, "include");
        }
        if (!g_comp.include_dir)
            return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    *dir = g_comp.include_dir;
    return AG_OK;
}

bool cli_artifact_arg(const char *arg, char **path, char **member)
{
    *path = *member = NULL;
    struct stat sb;
    if (stat(arg, &sb) == 0) {
        if (!ag_artifact_is_artifact(arg))
            return false;
        *path = strdup(arg);
        return *path != NULL;
    }
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        return false;
    char *p = strndup(arg, (size_t)(colon - arg));
    if (!p || stat(p, &sb) != 0 || !ag_artifact_is_artifact(p)) {
        free(p);
        return false;
    }
    *path = p;
    *member = strdup(colon + 1);
    if (!*member) {
        free(p);
        *path = NULL;
        return false;
    }
    return true;
}

static ag_status extract_one(const ag_artifact_file *f, const cli_debug_opts *debug, const ag_header_set *headers,
                             ag_corpus **out, ag_error *err)
{
    ag_debug_search search = cli_debug_search(debug);
    ag_status st = ag_extract_with_headers(f->disk_path, &search, headers, out, err);
    if (st != AG_OK)
        return ag_fail_prefix(err, st, f->inner_path);
    return AG_OK;
}

static bool member_matches(const ag_artifact_file *f, const char *member)
{
    const char *slash = strrchr(f->inner_path, '/');
    const char *base = slash ? slash + 1 : f->inner_path;
    return strcmp(f->inner_path, member) == 0 || strcmp(base, member) == 0;
}

/* The SONAME of f, read cheaply (the ELF part only); NULL if none. */
static char *soname_of(const ag_artifact_file *f)
{
    ag_error ignored;
    ag_corpus *c = ag_corpus_new();
    if (!c)
        return NULL;
    char *so = NULL;
    if (ag_elf_read(f->disk_path, c, &ignored) == AG_OK && c->elf.soname)
        so = strdup(c->elf.soname);
    ag_corpus_free(c);
    return so;
}

ag_status cli_load_artifact_binary(const char *path, const char *member, const cli_debug_opts *debug,
                                   const ag_header_set *headers, ag_corpus **out, ag_error *err)
{
    *out = NULL;
    ag_artifact *a = NULL;
    ag_status st = ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS, NULL, &a, err);
    if (st != AG_OK)
        return st;
    size_t n = ag_artifact_n_shared_objects(a);
    const ag_artifact_file *chosen = NULL;
    for (size_t i = 0; member && !chosen && i < n; i++) {
        const ag_artifact_file *f = ag_artifact_shared_object(a, i);
        if (member_matches(f, member))
            chosen = f;
        char *so = chosen ? NULL : soname_of(f);
        if (so && strcmp(so, member) == 0)
            chosen = f;
        free(so);
    }
    if (n == 0) {
        st = ag_fail(err, AG_ERR_NOTFOUND, "no ELF shared object in this %s", a->kind);
    } else if (member && !chosen) {
        st = ag_fail(err, AG_ERR_NOTFOUND, "no shared object named '%s' in this %s", member, a->kind);
    } else if (!member && n > 1) {
        char list[600] = "";
        size_t used = 0;
        for (size_t i = 0; i < n && used + 4 < sizeof list; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                             ag_artifact_shared_object(a, i)->inner_path);
            if (w < 0 || (size_t)w >= sizeof list - used) {
                snprintf(list + (sizeof list - 5), 5, "...");
                break;
            }
            used += (size_t)w;
        }
        st = ag_fail(err, AG_ERR_USAGE, "this %s holds %zu shared objects (%s); name one as %s:NAME", a->kind, n,
                     list, path);
    } else {
        st = extract_one(chosen ? chosen : ag_artifact_shared_object(a, 0), debug, headers, out, err);
    }
    ag_artifact_free(a);
    return st;
}

void cli_release_free(cli_release *r)
{
    for (size_t i = 0; i < r->n; i++) {
        ag_corpus_free(r->corpora[i]);
        free(r->inner_paths[i]);
    }
    free(r->corpora);
    free(r->inner_paths);
    free(r->bins);
    memset(r, 0, sizeof *r);
}

ag_status cli_load_artifact_release(const char *path, const cli_debug_opts *debug, const ag_header_set *headers,
                                    bool keep_going, cli_release *out, ag_error *err)
{
    memset(out, 0, sizeof *out);
    ag_artifact *a = NULL;
    ag_status st = ag_artifact_open(path, AG_ARTIFACT_SHARED_OBJECTS, NULL, &a, err);
    if (st != AG_OK)
        return st;
    size_t n = ag_artifact_n_shared_objects(a);
    static const char *const kinds[] = { "deb", "rpm", "wheel", "jar", "npm", "tar", "zip", "cpio", "directory",
                                         "ar", "7zip", "archive" };
    out->kind = "archive";
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k], a->kind) == 0)
            out->kind = kinds[k];
    out->corpora = calloc(n + 1, sizeof *out->corpora);
    out->inner_paths = calloc(n + 1, sizeof *out->inner_paths);
    out->bins = calloc(n + 1, sizeof *out->bins);
    if (!out->corpora || !out->inner_paths || !out->bins)
        st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == AG_OK && i < n; i++) {
        const ag_artifact_file *f = ag_artifact_shared_object(a, i);
        size_t k = out->n;
        st = extract_one(f, debug, headers, &out->corpora[k], err);
        if (st != AG_OK && st != AG_ERR_NOMEM && keep_going) {
            cli_error(path, "%s", err->msg);
            out->n_failed++;
            st = AG_OK;
            continue;
        }
        if (st == AG_OK && !(out->inner_paths[k] = strdup(f->inner_path)))
            st = ag_fail(err, AG_ERR_NOMEM, "out of memory");
        if (st == AG_OK) {
            out->bins[k].corpus = out->corpora[k];
            out->bins[k].inner_path = out->inner_paths[k];
            out->n++;
        } else {
            ag_corpus_free(out->corpora[k]);
            out->corpora[k] = NULL;
        }
    }
    ag_artifact_free(a);
    if (st != AG_OK)
        cli_release_free(out);
    return st;
}

void cli_side_free(cli_side *r)
{
    cli_release_free(&r->art);
    ag_corpus_free(r->one);
    ag_store_loaded_release_free(&r->stored);
    free(r->bins);
    memset(r, 0, sizeof *r);
}

ag_status cli_side_load(const char *db_option, const char *arg, const cli_debug_opts *debug,
                        const ag_header_set *headers, cli_side *r, ag_error *err)
{
    memset(r, 0, sizeof *r);
    char *path = NULL, *member = NULL;
    bool whole = cli_artifact_arg(arg, &path, &member) && !member;
    free(path);
    free(member);
    if (!whole && !ag_store_looks_like_ref(arg)) {
        ag_status st = cli_load_release(db_option, arg, debug, headers, &r->one, err);
        if (st != AG_OK)
            return st;
        r->n = 1;
        r->bins = calloc(1, sizeof *r->bins);
        if (r->bins)
            r->bins[0] = (ag_release_binary){ .corpus = r->one, .inner_path = arg };
        return r->bins ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    if (!ag_store_looks_like_ref(arg)) {
        ag_status st = cli_load_artifact_release(arg, debug, headers, false, &r->art, err);
        if (st != AG_OK)
            return st;
        r->n = r->art.n;
        r->bins = calloc(r->n ? r->n : 1, sizeof *r->bins);
        for (size_t i = 0; r->bins && i < r->n; i++)
            r->bins[i] = r->art.bins[i];
        return r->bins ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    char *name = NULL, *version = NULL;
    const char *db = ag_store_default_path(db_option);
    ag_store *s = NULL;
    ag_error inner = { .msg = "" };
    ag_status st = ag_store_parse_ref(arg, &name, &version, &inner);
    if (st == AG_OK)
        st = ag_store_open_readonly(db, &s, &inner);
    if (st == AG_OK)
        st = ag_store_load_release(s, name, version, &r->stored, &inner);
    ag_store_close(s);
    free(name);
    free(version);
    if (st != AG_OK)
        return ag_fail(err, st, "%s: %s", db, inner.msg);
    for (size_t i = 0; headers && st == AG_OK && i < r->stored.n; i++)
        st = ag_surface_apply(r->stored.corpora[i], headers, err);
    r->n = r->stored.n;
    r->bins = calloc(r->n ? r->n : 1, sizeof *r->bins);
    for (size_t i = 0; r->bins && i < r->n; i++) {
        const ag_corpus *c = r->stored.corpora[i];
        r->bins[i].corpus = c;
        r->bins[i].inner_path = r->stored.inner_paths[i] ? r->stored.inner_paths[i] : c->elf.file_name;
        r->bins[i].label = c->elf.soname ? c->elf.soname : c->elf.file_name;
    }
    return st != AG_OK ? st : r->bins ? AG_OK : ag_fail(err, AG_ERR_NOMEM, "out of memory");
}

bool cli_whole_artifact(const char *arg)
{
    char *path = NULL, *member = NULL;
    bool yes = cli_artifact_arg(arg, &path, &member) && !member;
    free(path);
    free(member);
    return yes;
}

size_t cli_stored_binaries(const char *db_option, const char *arg)
{
    if (!ag_store_looks_like_ref(arg))
        return 0;
    ag_store *s = NULL;
    ag_error ignored = { .msg = "" };
    size_t n = 0;
    bool named = false;
    if (ag_store_open_readonly(ag_store_default_path(db_option), &s, &ignored) == AG_OK &&
        ag_store_ref_binaries(s, arg, &n, &named, &ignored) != AG_OK)
        n = 0;
    ag_store_close(s);
    return n;
}

typedef struct release_report_job {
    const ag_release_diff *d;
    const ag_report_context *ctx;
    ag_report_format format;
} release_report_job;

static ag_status write_release_report_to(FILE *f, const void *arg, ag_error *err)
{
    const release_report_job *job = arg;
    return ag_release_report_write(job->d, job->ctx, job->format, f, err);
}

ag_status cli_write_release_report(const ag_release_diff *d, const ag_report_context *ctx, ag_report_format fmt,
                                   const char *output, ag_error *err)
{
    release_report_job job = { d, ctx, fmt };
    return output ? ag_write_file_atomically(output, write_release_report_to, &job, err)
                  : ag_release_report_write(d, ctx, fmt, stdout, err);
}
